/*
 * check_run_cache.c - unit tests for run_cache.[ch]: one run's result
 * cache against a real store, in a scratch directory outside git (every
 * content id a SHA-256): what a pass spares the next run, in both modes;
 * a failed batch remembered for none of its files; a hook that changed
 * files remembered not at all; a changed file running again.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_plan.h"
#include "conf.h"
#include "files.h"
#include "launch.h"
#include "plan.h"
#include "run_cache.h"
#include "scratch.h"
#include "store.h"

Suite *run_cache_suite(void);

extern char **environ;

static const char *dir;
static int warnings;

static void
warned(void *ctx, const struct err *e)
{
	(void)ctx;
	(void)e;
	warnings++;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	dir = scratch_enter("check_run_cache");
	put("a.txt", "a\n");
	put("b.txt", "b\n");
	put("c.txt", "c\n");
	put("d.txt", "d\n");
	warnings = 0;
}

static void
teardown(void)
{
	scratch_leave();
}

/* One run's planning, as the session does it. */
struct one_run {
	struct conf conf;
	struct plan plan;
	struct launches launches;
	struct file_list files;
	struct run_batches rb;
	struct run_files rf;
	struct store *st;
	struct run_cache *rc;
};

static int
keep(void *ctx, size_t hook, const char *path)
{
	struct one_run *r = ctx;

	return run_cache_keep(r->rc, hook, path);
}

static int
note(void *ctx, size_t hook, const char *path)
{
	struct one_run *r = ctx;

	return run_cache_note(r->rc, hook, path);
}

static void
plan_run(struct one_run *r, const char *ini)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct batch_costs costs = { NULL, NULL, NULL, keep, NULL, 0 };
	struct err e;
	char path[PATH_MAX];

	memset(r, 0, sizeof(*r));
	conf_init(&r->conf);
	ck_assert_msg(conf_parse(&r->conf, "t.ini", ini, strlen(ini), &e) == 0,
		      "line %lu: %s", e.line, e.msg);
	o.jobs = 4;
	ck_assert_int_eq(plan_build(&r->plan, &r->conf, &o, &e), 0);
	launch_build(&r->launches, &r->plan, environ);
	ck_assert_int_eq(files_list_in(&r->files, NULL, FILES_SOURCE_ALL, NULL,
				       0, &e), 0);
	snprintf(path, sizeof(path), "%s/state.sqlite", dir);
	r->st = store_open(path, 0, NULL, NULL, &e);
	ck_assert_ptr_nonnull(r->st);
	r->rc = run_cache_open(&r->conf, &r->plan, &r->launches, r->st, "d",
			       NULL, 0, NULL, warned, NULL);
	costs.ctx = r;
	costs.keep = note;
	run_batches_init(&r->rb, r->plan.nhooks);
	batch_plan(&r->rb, &r->plan, &r->launches, &r->files, &costs);
	run_batches_release(&r->rb);
	(void)run_cache_select(r->rc);
	costs.keep = keep;
	run_batches_init(&r->rb, r->plan.nhooks);
	batch_plan(&r->rb, &r->plan, &r->launches, &r->files, &costs);
	batch_plan_files(&r->rf, &r->plan, &r->launches, &r->files, &r->rb);
	run_cache_decide(r->rc, &r->rb, &r->rf);
}

/* Hook h's batches end: batch `fail` (or none: -1) fails; saved. */
static void
end_run(struct one_run *r, size_t h, long fail, size_t nmodified)
{
	struct hook_result *res;
	char *mod[1] = { (char *)"a.txt" };
	size_t i, b;
	struct err e;

	res = calloc(r->plan.nhooks, sizeof(*res));
	ck_assert_ptr_nonnull(res);
	for (i = 0; i < r->plan.nhooks; i++) {
		unsigned char *all = run_cache_all_cached(r->rc);

		res[i].status = HOOK_PASSED;
		if (all != NULL && all[i])
			continue;
		for (b = 0; b < r->rb.nbatches[i]; b++) {
			enum hook_status st = HOOK_PASSED;

			if (i == h && (long)b == fail) {
				st = HOOK_FAILED;
				res[i].status = HOOK_FAILED;
			}
			run_cache_batch_done(r->rc, i, b, st);
		}
	}
	if (nmodified > 0) {
		res[h].modified = mod;
		res[h].nmodified = 1;
	}
	ck_assert_int_eq(store_begin(r->st, 1, &e), 0);
	ck_assert_int_eq(run_cache_save(r->rc, res, &r->rf, &r->rb, 1000, &e), 0);
	ck_assert_int_eq(store_commit(r->st, &e), 0);
	res[h].modified = NULL;
	res[h].nmodified = 0;
	free(res);
}

static void
done(struct one_run *r)
{
	run_cache_close(r->rc);
	store_close(r->st);
	run_files_release(&r->rf);
	run_batches_release(&r->rb);
	file_list_release(&r->files);
	launch_release(&r->launches);
	plan_release(&r->plan);
	conf_release(&r->conf);
}

static const char files_ini[] =
	"[hook lint]\ncache = files\nfiles = *.txt\nbatch_size = 1\n"
	"command = true\n";
static const char whole_ini[] =
	"[hook all]\nfiles = *.txt\ncommand = true\n";

START_TEST(test_files_mode)
{
	struct one_run r;

	plan_run(&r, files_ini);
	ck_assert_ptr_nonnull(r.rc);
	ck_assert_uint_eq(r.rb.nfiles[0], 4);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 0);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 0);
	end_run(&r, 0, -1, 0);
	done(&r);

	/* Unchanged: nothing runs, four files spared (its batches are
	   made, but the scheduler starts none of an all_cached hook). */
	plan_run(&r, files_ini);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 4);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	end_run(&r, 0, -1, 0);
	done(&r);

	/* One changed: it alone runs. */
	put("b.txt", "b2\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	ck_assert_str_eq(r.rf.of[0].path[0], "b.txt");
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 3);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 0);
	/* It fails: not remembered. */
	end_run(&r, 0, 0, 0);
	done(&r);
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	done(&r);

	/* Another command: another key, every file. */
	plan_run(&r, "[hook lint]\ncache = files\nfiles = *.txt\n"
		 "command = true --now\n");
	ck_assert_uint_eq(r.rb.nfiles[0], 4);
	done(&r);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/* The store's snapshots: how many, how many of them deltas, and the
   base key of the last delta read into `base`. */
static void
snaps(int *n, int *deltas, unsigned char *base)
{
	char path[PATH_MAX];
	sqlite3 *db;
	sqlite3_stmt *q;

	snprintf(path, sizeof(path), "%s/state.sqlite", dir);
	*n = *deltas = 0;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT body FROM cache_snaps",
					    -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(q, 0);
		int len = sqlite3_column_bytes(q, 0);

		(*n)++;
		if (len >= STORE_SNAP_DELTA_TAG_LEN + STORE_KEY_LEN &&
		    memcmp(b, STORE_SNAP_DELTA_TAG, STORE_SNAP_DELTA_TAG_LEN) == 0) {
			(*deltas)++;
			memcpy(base, b + STORE_SNAP_DELTA_TAG_LEN, STORE_KEY_LEN);
		}
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
}

static void
sql(const char *stmt)
{
	char path[PATH_MAX];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/state.sqlite", dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, stmt, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A change of a few files is stored as a delta on the whole snapshot,
   and read back as the whole it stands for; many changes, a whole one. */
START_TEST(test_deltas)
{
	struct one_run r;
	unsigned char base[STORE_KEY_LEN], base2[STORE_KEY_LEN];
	char name[32];
	int n, deltas, i;

	plan_run(&r, files_ini);
	end_run(&r, 0, -1, 0);
	done(&r);
	snaps(&n, &deltas, base);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(deltas, 0);

	/* b changes, a file comes: they alone run; a delta is stored. */
	put("b.txt", "b2\n");
	put("e.txt", "e\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 2);
	ck_assert_str_eq(r.rf.of[0].path[0], "b.txt");
	ck_assert_str_eq(r.rf.of[0].path[1], "e.txt");
	end_run(&r, 0, -1, 0);
	done(&r);
	snaps(&n, &deltas, base);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(deltas, 1);

	/* Unchanged: read through the delta, nothing runs. */
	plan_run(&r, files_ini);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 5);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	end_run(&r, 0, -1, 0);
	done(&r);

	/* c changes: c alone (b's change is in the delta); the new delta
	   is on the same whole base, not on the last delta. */
	put("c.txt", "c2\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	ck_assert_str_eq(r.rf.of[0].path[0], "c.txt");
	end_run(&r, 0, -1, 0);
	done(&r);
	snaps(&n, &deltas, base2);
	ck_assert_int_eq(deltas, 2);
	ck_assert(memcmp(base, base2, STORE_KEY_LEN) == 0);

	/* Back to b's first content: b runs (its pass was for b2). */
	put("b.txt", "b\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	ck_assert_str_eq(r.rf.of[0].path[0], "b.txt");
	end_run(&r, 0, -1, 0);
	done(&r);
	plan_run(&r, files_ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	done(&r);

	/* A delta whose base is gone reads as no snapshot: every file of
	   a changed set runs, none is taken as passed. */
	sql("DELETE FROM cache_snaps WHERE substr(body, 1, 8) != "
	    "X'00687764656c7400'");
	put("d.txt", "d2\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 5);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 0);
	end_run(&r, 0, -1, 0);
	done(&r);

	/* A set changed past DELTA_MAX is stored whole. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "m%03d.txt", i);
		put(name, "m\n");
	}
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 200);
	end_run(&r, 0, -1, 0);
	done(&r);
	sql("DELETE FROM cache_snaps WHERE key NOT IN (SELECT snap FROM"
	    " cache_keys WHERE snap IS NOT NULL)");
	snaps(&n, &deltas, base2);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(deltas, 0);
	plan_run(&r, files_ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 205);
	done(&r);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/*
 * Hooks that select the same files share one snapshot when they pass
 * the same files, and do not when they pass different ones: what one
 * saved is never taken for what the other passed.
 */
START_TEST(test_shared_sets)
{
	static const char ini[] =
		"[hook a]\ncache = files\nfiles = *.txt\nbatch_size = 1\n"
		"command = true a\n"
		"[hook b]\ncache = files\nfiles = *.txt\nbatch_size = 1\n"
		"command = true b\n"
		"[hook c]\ncache = files\nfiles = a.txt b.txt\nbatch_size = 1\n"
		"command = true c\n";
	unsigned char base[STORE_KEY_LEN];
	struct one_run r;
	int n, deltas;

	plan_run(&r, ini);
	end_run(&r, 0, -1, 0);
	done(&r);
	snaps(&n, &deltas, base);
	ck_assert_int_eq(n, 2);         /* a and b share one; c its own */

	/* b and c change; a fails on b: a's new snapshot holds c alone,
	   b's both. */
	put("b.txt", "b2\n");
	put("c.txt", "c2\n");
	plan_run(&r, ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 2);
	ck_assert_str_eq(r.rf.of[0].path[0], "b.txt");
	ck_assert_uint_eq(r.rb.nfiles[1], 2);
	ck_assert_uint_eq(r.rb.nfiles[2], 1);
	end_run(&r, 0, 0, 0);
	done(&r);
	plan_run(&r, ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	ck_assert_str_eq(r.rf.of[0].path[0], "b.txt");
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 3);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[1], 1);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[1], 4);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[2], 1);
	end_run(&r, 0, -1, 0);
	done(&r);
	/* a passed b now: a and b hold the same files again, and share. */
	plan_run(&r, ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	done(&r);
	/* What the keys name: a's and b's one, c's. */
	sql("DELETE FROM cache_snaps WHERE key NOT IN (SELECT snap FROM"
	    " cache_keys WHERE snap IS NOT NULL)");
	snaps(&n, &deltas, base);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/*
 * Files listed in another order than their bytes sort in ("a/b.txt"
 * before "a-b.txt": a directory walk) are found all the same; a whole
 * snapshot not in path order is no snapshot (every file runs again).
 */
START_TEST(test_order)
{
	struct one_run r;

	ck_assert_int_eq(mkdir("a", 0755), 0);
	put("a/b.txt", "ab\n");
	put("a-b.txt", "a-b\n");
	put("a.b.txt", "a.b\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 7);
	end_run(&r, 0, -1, 0);
	done(&r);
	put("d.txt", "d2\n");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	ck_assert_str_eq(r.rf.of[0].path[0], "d.txt");
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 6);
	done(&r);

	/* The stored snapshot's first two entries swapped. */
	sql("UPDATE cache_snaps SET body = CAST('b.txt' AS BLOB) || X'00' ||"
	    " CAST('x' AS BLOB) || X'00' || CAST('a.txt' AS BLOB) || X'00' ||"
	    " CAST('y' AS BLOB) || X'00'");
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 7);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 0);
	done(&r);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

START_TEST(test_failed_batch_and_fixer)
{
	struct one_run r;

	/* Batch 0 fails: its file runs again; the other three do not. */
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nbatches[0], 4);
	end_run(&r, 0, 0, 0);
	done(&r);
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 3);
	/* It passes now, but changed a file: nothing of it remembered. */
	end_run(&r, 0, -1, 1);
	done(&r);
	plan_run(&r, files_ini);
	ck_assert_uint_eq(r.rb.nfiles[0], 1);
	done(&r);
}
END_TEST

START_TEST(test_whole_mode)
{
	struct one_run r;

	plan_run(&r, whole_ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 0);
	end_run(&r, 0, -1, 0);
	done(&r);

	plan_run(&r, whole_ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	ck_assert_uint_eq(run_cache_ncached(r.rc)[0], 4);
	done(&r);

	/* Any file changed: all of them run. */
	put("c.txt", "c2\n");
	plan_run(&r, whole_ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 0);
	ck_assert_uint_eq(r.rb.nfiles[0], 4);
	/* A failure is not remembered. */
	end_run(&r, 0, 0, 0);
	done(&r);
	plan_run(&r, whole_ini);
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 0);
	done(&r);
}
END_TEST

/* Two runs planned from the same store, each passing other files, save
   one after the other: the second keeps what the first saved. */
START_TEST(test_concurrent_saves)
{
	struct one_run a, b;

	plan_run(&a, files_ini);
	plan_run(&b, files_ini);
	ck_assert_uint_eq(a.rb.nbatches[0], 4);
	ck_assert_uint_eq(b.rb.nbatches[0], 4);
	end_run(&a, 0, 0, 0);           /* a fails its first batch */
	end_run(&b, 0, 3, 0);           /* b its last */
	done(&a);
	done(&b);
	/* Every file passed in one of them: nothing runs. */
	plan_run(&a, files_ini);
	ck_assert_uint_eq(run_cache_ncached(a.rc)[0], 4);
	ck_assert_int_eq(run_cache_all_cached(a.rc)[0], 1);
	done(&a);
}
END_TEST

/* No hook cached, or no store: no cache at all. */
START_TEST(test_none)
{
	struct one_run r;

	plan_run(&r, "[hook n]\ncache = no\nfiles = *.txt\ncommand = true\n");
	ck_assert_ptr_null(r.rc);
	ck_assert_int_eq(run_cache_keep(NULL, 0, "a.txt"), 1);
	ck_assert_ptr_null(run_cache_ncached(NULL));
	done(&r);
	/* A hook without files or inputs always runs: nothing to cache,
	   and git is not asked (run_cache_wanted). */
	plan_run(&r, "[hook p]\ncommand = true\n");
	ck_assert_int_eq(run_cache_wanted(&r.conf, &r.plan), 0);
	ck_assert_ptr_null(r.rc);
	ck_assert_ptr_null(run_cache_all_cached(r.rc));
	end_run(&r, 0, -1, 0);
	done(&r);
	plan_run(&r, "[hook p]\ncommand = true\n");
	ck_assert_ptr_null(r.rc);
	done(&r);
	/* With inputs it is cached whole. */
	plan_run(&r, "[hook p]\ncommand = true\ninputs = a.txt\n");
	ck_assert_int_eq(run_cache_wanted(&r.conf, &r.plan), 1);
	ck_assert_ptr_nonnull(r.rc);
	end_run(&r, 0, -1, 0);
	done(&r);
	plan_run(&r, "[hook p]\ncommand = true\ninputs = a.txt\n");
	ck_assert_int_eq(run_cache_all_cached(r.rc)[0], 1);
	done(&r);
}
END_TEST

Suite *
run_cache_suite(void)
{
	Suite *s = suite_create("run_cache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_files_mode);
	tcase_add_test(tc, test_deltas);
	tcase_add_test(tc, test_shared_sets);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_failed_batch_and_fixer);
	tcase_add_test(tc, test_whole_mode);
	tcase_add_test(tc, test_concurrent_saves);
	tcase_add_test(tc, test_none);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(run_cache_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
