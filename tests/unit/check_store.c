/* check_store.c - the state store: made, checked, shared, set aside, bounded. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gitdir.h"
#include "store.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *
path_in(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Warnings the store gave, counted, the last kept. */
static int warnings;
static char last_warning[1024];

static void
warn(void *ctx, const struct err *e)
{
	(void)ctx;
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", e->msg);
}

/* Entries of directory d whose name starts with `prefix`. */
static int
count_prefixed(const char *d, const char *prefix)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dd);
	while ((e = readdir(dd)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(dd);
	return n;
}

/* One result of hook `hook`, started at `start`, with `files`. */
static void
add_result(struct store *st, const char *d, const char *hook, double start,
	   const char *files, size_t len)
{
	struct store_result r = { "s", hook, hook, "failed", "why", start, 1.5,
				  files, len };
	struct err e;

	ck_assert_msg(store_result_add(st, d, &r, &e) == 0, "%s", e.msg);
}

struct seen {
	size_t n;
	double first, last;
	char files[256];
};

static int
count_result(void *ctx, const struct store_result *r)
{
	struct seen *s = ctx;

	if (s->n == 0)
		s->first = r->start;
	s->last = r->start;
	s->n++;
	if (r->files != NULL && r->files_len < sizeof(s->files)) {
		memcpy(s->files, r->files, r->files_len);
		s->files[r->files_len] = '\0';
	}
	return 0;
}

static struct seen
read_results(struct store *st, const char *d, int last)
{
	struct seen s = { 0, 0, 0, "" };
	struct err e;

	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	ck_assert_msg(store_results_read(st, d, last, count_result, &s, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(store_commit(st, &e), 0);
	return s;
}

static int
user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int v = -1;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q,
					    NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static long long db_int(const char *path, const char *sql);

/* Made with its schema version; what is written is read back. */
START_TEST(test_open_create)
{
	struct store *st;
	struct seen s;
	struct err e;

	st = store_open(path_in("state.sqlite"), 0, warn, NULL, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_str_eq(store_path(st), path_in("state.sqlite"));
	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	add_result(st, "d", "a", 100, "x.c\0y z\n.c", 11);
	ck_assert_int_eq(store_commit(st, &e), 0);
	store_close(st);
	ck_assert_int_eq(user_version(path_in("state.sqlite")), STORE_VERSION);
	/* Made in the log from the first write, with pages given back
	   (auto_vacuum 2, incremental, which only an empty file takes). */
	ck_assert_int_eq(db_int(path_in("state.sqlite"), "SELECT count(*) FROM"
				" pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	ck_assert_int_eq(db_int(path_in("state.sqlite"), "PRAGMA auto_vacuum"), 2);
	st = store_open(path_in("state.sqlite"), 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	s = read_results(st, "d", 1);
	ck_assert_uint_eq(s.n, 1);
	ck_assert(s.first == 100);
	ck_assert_int_eq(memcmp(s.files, "x.c\0y z\n.c", 11), 0);
	/* Another run directory has its own rows. */
	ck_assert_uint_eq(read_results(st, "other", 0).n, 0);
	store_close(st);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/* Where: GITDIR/hookwave, else the cache; the key of the directory. */
START_TEST(test_path_for)
{
	struct gitdir g = GITDIR_INIT;
	char cwd[PATH_MAX], *p, *d;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	g.state = GITDIR_REPO;
	g.inside_work_tree = 1;
	g.git_dir = strdup("/r/.git");
	g.common_dir = strdup("/r/.git");
	g.prefix = strdup("sub/");
	p = store_path_for(&g, &d);
	ck_assert_str_eq(p, "/r/.git/hookwave/state.sqlite");
	ck_assert_str_eq(d, "sub/");
	free(p);
	free(d);
	/* A bare repository: keyed by where we are. */
	g.inside_work_tree = 0;
	p = store_path_for(&g, &d);
	ck_assert_str_eq(d, cwd);
	free(p);
	free(d);
	gitdir_release(&g);
	setenv("XDG_CACHE_HOME", "/c/", 1);
	p = store_path_for(&g, &d);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(strncmp(p, "/c/hookwave/state-", 18), 0);
	ck_assert_str_eq(p + strlen(p) - 7, ".sqlite");
	ck_assert_str_eq(d, cwd);
	free(p);
	free(d);
	g.state = GITDIR_ERROR;
	ck_assert_ptr_null(store_path_for(&g, &d));
	ck_assert_ptr_null(d);
}
END_TEST

/* A git dir that is gone is not made again; the cache's parents are. */
START_TEST(test_makes_only_its_dir)
{
	struct store *st;
	struct stat sb;
	struct err e;
	char *p;

	st = store_open(path_in("run/.git/hookwave/state.sqlite"), 0, warn,
			NULL, &e);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(e.msg, "directory"));
	ck_assert_int_eq(lstat(path_in("run"), &sb), -1);
	ck_assert_int_eq(mkdir(path_in("run"), 0777), 0);
	ck_assert_int_eq(mkdir(path_in("run/.git"), 0777), 0);
	st = store_open(path_in("run/.git/hookwave/state.sqlite"), 0, warn,
			NULL, &e);
	ck_assert_ptr_nonnull(st);
	store_close(st);
	setenv("XDG_CACHE_HOME", path_in("cache/deep/er"), 1);
	p = xasprintf("%s", path_in("cache/deep/er/hookwave/state-0.sqlite"));
	st = store_open(p, 0, warn, NULL, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
	store_close(st);
	free(p);
	st = store_open(path_in("cache/x/hookwave/state-0.sqlite"), 0, warn,
			NULL, &e);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(lstat(path_in("cache/x"), &sb), -1);
}
END_TEST

static void
write_bytes(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	fclose(f);
}

/* Open `path` as damaged: a warning, set aside, a new empty store. */
static void
opens_afresh(const char *path, const char *says)
{
	struct store *st;
	struct err e;

	warnings = 0;
	st = store_open(path, 0, warn, NULL, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
	ck_assert_int_eq(warnings, 1);
	ck_assert_msg(strstr(last_warning, says) != NULL, "%s", last_warning);
	ck_assert_ptr_nonnull(strstr(last_warning, "set aside"));
	ck_assert_uint_eq(store_resets(st), 1);
	ck_assert_uint_eq(read_results(st, "d", 0).n, 0);
	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	add_result(st, "d", "a", 1, NULL, 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	store_close(st);
	ck_assert_int_eq(user_version(path), STORE_VERSION);
}

/* Garbage, another schema, another version: set aside, start afresh. */
START_TEST(test_damaged_set_aside)
{
	const char *p = path_in("state.sqlite");
	sqlite3 *db;

	write_bytes(p, "this is not a database, not at all, no no no\n", 45);
	opens_afresh(p, "damaged");
	ck_assert_int_eq(count_prefixed(dir, "state.sqlite.damaged-"), 1);

	unlink(p);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	opens_afresh(p, "not hookwave's schema");
	ck_assert_int_eq(count_prefixed(dir, "state.sqlite.damaged-"), 2);

	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	opens_afresh(p, "schema version 99");
	ck_assert_int_eq(count_prefixed(dir, "state.sqlite.damaged-"), 3);
}
END_TEST

/* Pages spoiled in the middle: quick_check finds it at open. */
START_TEST(test_corrupt_pages)
{
	const char *p = path_in("state.sqlite");
	char files[4000];
	struct store *st;
	struct stat sb;
	struct err e;
	FILE *f;
	int i;
	long off;

	memset(files, 'f', sizeof(files));
	st = store_open(p, 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	/* Small enough to be checked on every open (QUICK_CHECK_ALWAYS). */
	for (i = 0; i < 8; i++)
		add_result(st, "d", i % 2 ? "a" : "b", i, files, sizeof(files));
	ck_assert_int_eq(store_commit(st, &e), 0);
	store_close(st);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_le(sb.st_size, 128 << 10);
	f = fopen(p, "r+");
	ck_assert_ptr_nonnull(f);
	/* Every page but the first gets garbage in its header. */
	for (off = 4096; off + 64 < sb.st_size; off += 4096) {
		fseek(f, off, SEEK_SET);
		fputs("\x0d\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", f);
	}
	fclose(f);
	opens_afresh(p, "damaged");
}
END_TEST

/* A store bounded by its size: the oldest rows go first. */
START_TEST(test_size_bound)
{
	const long long size = 256 * 1024;
	const char *p = path_in("state.sqlite");
	char files[3000];
	struct store *st;
	struct stat sb;
	struct seen s;
	struct err e;
	int i, run;

	memset(files, 'f', sizeof(files));
	st = store_open(p, size, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	/* 20 runs of 10 hooks, each hook 3000 bytes of files: 600 KB. */
	for (run = 0; run < 20; run++) {
		ck_assert_int_eq(store_begin(st, 1, &e), 0);
		for (i = 0; i < 10; i++) {
			char hook[16];

			snprintf(hook, sizeof(hook), "h%d", i);
			add_result(st, "d", hook, 1000 + run, files,
				   sizeof(files));
		}
		ck_assert_int_eq(store_commit(st, &e), 0);
		ck_assert_int_eq(stat(p, &sb), 0);
		ck_assert_msg(sb.st_size <= size, "run %d: %lld bytes", run,
			      (long long)sb.st_size);
	}
	s = read_results(st, "d", 0);
	ck_assert_uint_gt(s.n, 0);
	ck_assert_uint_lt(s.n, 200);
	/* The last run is all there; what went is the oldest. */
	s = read_results(st, "d", 1);
	ck_assert_uint_eq(s.n, 10);
	ck_assert(s.first == 1019 && s.last == 1019);
	store_close(st);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/* Each hook keeps its last STORE_KEEP_RUNS results. */
START_TEST(test_results_trim)
{
	struct store *st;
	struct seen s;
	struct err e;
	int i;

	st = store_open(path_in("state.sqlite"), 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	for (i = 0; i < STORE_KEEP_RUNS + 30; i++)
		add_result(st, "d", "a", i, NULL, 0);
	add_result(st, "d", "b", 5, NULL, 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	s = read_results(st, "d", 0);
	ck_assert_uint_eq(s.n, STORE_KEEP_RUNS + 1);
	ck_assert(s.first == 30);                       /* a's oldest kept */
	s = read_results(st, "d", 1);
	ck_assert_uint_eq(s.n, 2);
	store_close(st);
}
END_TEST

/*
 * Writers in several processes at once, each many small writes: every
 * row is there after (no lost update), none failed for being busy.
 */
#define WRITERS 4
#define WRITES 25
START_TEST(test_concurrent_writers)
{
	int go[2], i, status;
	pid_t pid[WRITERS];
	struct store *st;
	struct err e;
	char c;

	ck_assert_int_eq(pipe(go), 0);
	for (i = 0; i < WRITERS; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			char hook[16];
			int k, ok = 1;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			st = store_open(path_in("state.sqlite"), 0, warn, NULL,
					&e);
			if (st == NULL) {
				fprintf(stderr, "writer %d: %s\n", i, e.msg);
				_exit(4);
			}
			snprintf(hook, sizeof(hook), "w%d", i);
			for (k = 0; ok && k < WRITES; k++) {
				struct store_result r = { "s", hook, hook,
							  "passed", NULL, k,
							  1, NULL, 0 };

				ok = store_begin(st, 1, &e) == 0 &&
				     store_result_add(st, "d", &r, &e) == 0 &&
				     store_commit(st, &e) == 0;
			}
			if (!ok)
				fprintf(stderr, "writer %d: %s\n", i, e.msg);
			store_close(st);
			_exit(ok && warnings == 0 ? 0 : 5);
		}
	}
	close(go[0]);
	close(go[1]);                   /* all at once */
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "writer %d: status %d", i, status);
	}
	st = store_open(path_in("state.sqlite"), 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(read_results(st, "d", 0).n, WRITERS * WRITES);
	ck_assert_uint_eq(read_results(st, "d", 1).n, WRITERS);
	store_close(st);
	ck_assert_int_eq(count_prefixed(dir, "state.sqlite.damaged"), 0);
}
END_TEST

/* --- the result cache --- */

static void
key_of(unsigned char *k, int n)
{
	memset(k, 0, STORE_KEY_LEN);
	k[0] = (unsigned char)n;
	k[1] = (unsigned char)(n >> 8);
	k[31] = 0xa5;
}

/* The first column of the first row of `sql` on database `path`. */
static long long
db_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/* A snapshot body of n files "src/f-NNNN.c" with ids from `seed`. */
static void
make_body(struct buf *b, int n, int seed)
{
	char path[64], id[80];
	int k;

	buf_reset(b);
	for (k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "src/dir/file-%04d.c", k);
		snprintf(id, sizeof(id), "s%064d", seed * 100000 + k);
		buf_add(b, path, strlen(path) + 1);
		buf_add(b, id, strlen(id) + 1);
	}
}

START_TEST(test_cache_roundtrip)
{
	unsigned char k1[STORE_KEY_LEN], k2[STORE_KEY_LEN], k3[STORE_KEY_LEN];
	unsigned char s1[STORE_KEY_LEN], got[STORE_KEY_LEN];
	struct buf body = { 0 }, back = { 0 };
	struct store *st;
	struct err e;

	key_of(k1, 1);
	key_of(k2, 2);
	key_of(k3, 3);
	key_of(s1, 100);
	make_body(&body, 3, 1);
	st = store_open(path_in("state.sqlite"), 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	ck_assert_int_eq(store_cache_whole_has(st, k1, &e), 0);
	ck_assert_int_eq(store_cache_snap_of(st, k2, got, &e), 0);
	store_rollback(st);

	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	ck_assert_int_eq(store_cache_key_put(st, k1, 1, 1000, &e), 0);
	/* Two keys, one snapshot: stored once. */
	ck_assert_int_eq(store_cache_snap_put(st, k2, s1, body.p, body.len,
					      1000, &e), 0);
	ck_assert_int_eq(store_cache_snap_put(st, k3, s1, body.p, body.len,
					      1000, &e), 0);
	/* Touching a key keeps its snapshot. */
	ck_assert_int_eq(store_cache_key_put(st, k2, 0, 2000, &e), 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	store_close(st);

	st = store_open(path_in("state.sqlite"), 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	ck_assert_int_eq(store_cache_whole_has(st, k1, &e), 1);
	/* A key with a snapshot is not a whole set that passed. */
	ck_assert_int_eq(store_cache_whole_has(st, k2, &e), 0);
	ck_assert_int_eq(store_cache_snap_of(st, k2, got, &e), 1);
	ck_assert(memcmp(got, s1, STORE_KEY_LEN) == 0);
	ck_assert_int_eq(store_cache_snap_of(st, k3, got, &e), 1);
	ck_assert_int_eq(store_cache_snap_read(st, s1, &back, &e), 1);
	ck_assert_uint_eq(back.len, body.len);
	ck_assert(memcmp(back.p, body.p, body.len) == 0);
	store_rollback(st);
	store_close(st);
	ck_assert_int_eq(db_int(path_in("state.sqlite"),
				       "SELECT count(*) FROM cache_snaps"), 1);
	buf_release(&body);
	buf_release(&back);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/* Over its size, the store lets the least recently used keys go, and
   the snapshots no key names any more; the key just used stays. */
START_TEST(test_cache_bounded_lru)
{
	const long long size = 256 * 1024;
	const char *p = path_in("state.sqlite");
	unsigned char k[STORE_KEY_LEN], s[STORE_KEY_LEN], got[STORE_KEY_LEN];
	struct buf body = { 0 };
	struct store *st;
	struct stat sb;
	struct err e;
	int run;

	st = store_open(p, size, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	/* 30 keys, each with its own snapshot of 300 files: ~1 MB. */
	for (run = 0; run < 30; run++) {
		key_of(k, run);
		key_of(s, 1000 + run);
		make_body(&body, 300, run);
		ck_assert_int_eq(store_begin(st, 1, &e), 0);
		ck_assert_int_eq(store_cache_snap_put(st, k, s, body.p,
						      body.len, 1000 + run,
						      &e), 0);
		ck_assert_int_eq(store_commit(st, &e), 0);
		ck_assert_int_eq(stat(p, &sb), 0);
		ck_assert_msg(sb.st_size <= size, "run %d: %lld bytes", run,
			      (long long)sb.st_size);
	}
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	key_of(k, 29);
	ck_assert_int_eq(store_cache_snap_of(st, k, got, &e), 1);
	key_of(k, 0);
	ck_assert_int_eq(store_cache_snap_of(st, k, got, &e), 0);
	store_rollback(st);
	store_close(st);
	/* No snapshot is left that no key names. */
	ck_assert_int_eq(db_int(p, "SELECT count(*) FROM cache_snaps"
				       " WHERE key NOT IN (SELECT snap FROM"
				       " cache_keys WHERE snap IS NOT NULL)"),
			 0);
	buf_release(&body);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/* The base of a delta a key names stays when the store is bounded,
   though no key names the base itself any more; once no key names the
   delta either, both go. */
START_TEST(test_cache_bounded_keeps_delta_base)
{
	const long long size = 256 * 1024;
	const char *p = path_in("state.sqlite");
	unsigned char k[STORE_KEY_LEN], s[STORE_KEY_LEN];
	unsigned char kd[STORE_KEY_LEN], sb[STORE_KEY_LEN], sd[STORE_KEY_LEN];
	struct buf body = { 0 }, delta = { 0 };
	struct store *st;
	struct err e;
	int run;

	st = store_open(p, size, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	/* Key 0 names base sb; key kd names delta sd on it. */
	key_of(k, 0);
	key_of(sb, 999);
	key_of(kd, 500);
	key_of(sd, 501);
	make_body(&body, 300, 0);
	buf_add(&delta, STORE_SNAP_DELTA_TAG, STORE_SNAP_DELTA_TAG_LEN);
	buf_add(&delta, sb, STORE_KEY_LEN);
	buf_add(&delta, "src/x.c\0sabc\0", 14);
	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	ck_assert_int_eq(store_cache_snap_put(st, k, sb, body.p, body.len, 1000,
					      &e), 0);
	ck_assert_int_eq(store_cache_snap_put(st, kd, sd, delta.p, delta.len,
					      1000, &e), 0);
	ck_assert_int_eq(store_cache_snap_has(st, sb, &e), 1);
	ck_assert_int_eq(store_commit(st, &e), 0);
	/* 30 more keys with snapshots of their own push key 0 out; kd is
	   used each time. */
	for (run = 1; run <= 30; run++) {
		key_of(k, run);
		key_of(s, 1000 + run);
		make_body(&body, 300, run);
		ck_assert_int_eq(store_begin(st, 1, &e), 0);
		ck_assert_int_eq(store_cache_key_put(st, kd, 0, 2000 + run, &e), 0);
		ck_assert_int_eq(store_cache_snap_put(st, k, s, body.p, body.len,
						      1000 + run, &e), 0);
		ck_assert_int_eq(store_commit(st, &e), 0);
	}
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	key_of(k, 0);
	ck_assert_int_eq(store_cache_snap_of(st, k, s, &e), 0);
	ck_assert_int_eq(store_cache_snap_of(st, kd, s, &e), 1);
	ck_assert_int_eq(store_cache_snap_has(st, sd, &e), 1);
	ck_assert_int_eq(store_cache_snap_has(st, sb, &e), 1);
	store_rollback(st);
	/* Now kd goes too (30 more keys, kd not used): sd and sb with it. */
	for (run = 31; run <= 60; run++) {
		key_of(k, run);
		key_of(s, 1000 + run);
		make_body(&body, 300, run);
		ck_assert_int_eq(store_begin(st, 1, &e), 0);
		ck_assert_int_eq(store_cache_snap_put(st, k, s, body.p, body.len,
						      3000 + run, &e), 0);
		ck_assert_int_eq(store_commit(st, &e), 0);
	}
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	ck_assert_int_eq(store_cache_snap_of(st, kd, s, &e), 0);
	ck_assert_int_eq(store_cache_snap_has(st, sd, &e), 0);
	store_rollback(st);
	/* What the last trim left: a base goes in the trim after its delta. */
	ck_assert_int_le(db_int(p, "SELECT count(*) FROM cache_snaps WHERE key"
				" NOT IN (SELECT snap FROM cache_keys WHERE snap"
				" IS NOT NULL)"), 1);
	store_close(st);
	buf_release(&body);
	buf_release(&delta);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/* A store of version 1 becomes this version; its durations stay. */
START_TEST(test_migrate_v1)
{
	const char *p = path_in("state.sqlite");
	struct store *st;
	struct err e;
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \""
		 "CREATE TABLE durations(dir TEXT NOT NULL, strategy TEXT NOT NULL,"
		 " hook TEXT NOT NULL, seconds TEXT NOT NULL, rate REAL NOT NULL,"
		 " startup REAL NOT NULL, seen INTEGER NOT NULL,"
		 " PRIMARY KEY(dir, strategy, hook));"
		 "CREATE TABLE factors(dir TEXT NOT NULL, strategy TEXT NOT NULL,"
		 " hook TEXT NOT NULL, path BLOB NOT NULL, factor REAL NOT NULL,"
		 " seen INTEGER NOT NULL, PRIMARY KEY(dir, strategy, hook, path));"
		 "CREATE TABLE results(id INTEGER PRIMARY KEY, dir TEXT NOT NULL,"
		 " strategy TEXT NOT NULL, hook TEXT NOT NULL, name TEXT NOT NULL,"
		 " status TEXT NOT NULL, reason TEXT, start REAL NOT NULL,"
		 " duration REAL, files BLOB, seq INTEGER NOT NULL);"
		 "CREATE TABLE cache_keys(key BLOB PRIMARY KEY, whole INTEGER NOT NULL,"
		 " seen INTEGER NOT NULL) WITHOUT ROWID;"
		 "CREATE TABLE cache_files(key BLOB NOT NULL, path BLOB NOT NULL,"
		 " id TEXT NOT NULL, PRIMARY KEY(key, path)) WITHOUT ROWID;"
		 "INSERT INTO durations VALUES('d','s','h','1.5',0,0,5);"
		 "PRAGMA user_version = 1;\"", p);
	if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
		return;
	ck_assert_int_eq(system(cmd), 0);
	st = store_open(p, 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_durations_any(st, "d", &e), 1);
	store_close(st);
	ck_assert_int_eq(db_int(p, "PRAGMA user_version"), STORE_VERSION);
	ck_assert_int_eq(db_int(p, "SELECT count(*) FROM sqlite_master"
				       " WHERE name = 'cache_files'"), 0);
	ck_assert_int_eq(warnings, 0);
}
END_TEST

/*
 * A store of version 2 (snapshots in a table WITHOUT ROWID) becomes
 * version 3: its snapshots and the keys that name them stay, in a
 * table whose key has its own index; its durations stay.
 */
START_TEST(test_migrate_v2)
{
	const char *p = path_in("state.sqlite");
	unsigned char key[STORE_KEY_LEN], snap[STORE_KEY_LEN];
	unsigned char got[STORE_KEY_LEN];
	struct buf body = { 0 }, back = { 0 };
	struct store *st;
	sqlite3 *db;
	sqlite3_stmt *q;
	struct err e;

	/* Made by this version, then taken back to version 2's form. */
	st = store_open(p, 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	store_close(st);
	make_body(&body, 3000, 7);
	key_of(key, 1);
	key_of(snap, 2);
	ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
		"DROP TABLE cache_snaps;"
		"CREATE TABLE cache_snaps(key BLOB PRIMARY KEY,"
		" body BLOB NOT NULL) WITHOUT ROWID;"
		"INSERT INTO durations VALUES('d','s','h','1.5',0,0,5);"
		"PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO cache_snaps"
		" VALUES(?1, ?2)", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, snap, STORE_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, body.p, (int)body.len, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO cache_keys"
		"(key, whole, seen, snap) VALUES(?1, 0, 5, ?2)", -1, &q, NULL),
		SQLITE_OK);
	sqlite3_bind_blob(q, 1, key, STORE_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, snap, STORE_KEY_LEN, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	sqlite3_close(db);

	st = store_open(p, 0, warn, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_durations_any(st, "d", &e), 1);
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	ck_assert_int_eq(store_cache_snap_of(st, key, got, &e), 1);
	ck_assert_mem_eq(got, snap, STORE_KEY_LEN);
	ck_assert_int_eq(store_cache_snap_read(st, snap, &back, &e), 1);
	ck_assert_uint_eq(back.len, body.len);
	ck_assert_mem_eq(back.p, body.p, body.len);
	store_rollback(st);
	store_close(st);
	ck_assert_int_eq(db_int(p, "PRAGMA user_version"), STORE_VERSION);
	ck_assert_int_eq(db_int(p, "SELECT count(*) FROM sqlite_master"
				       " WHERE name = 'cache_snaps' AND"
				       " sql LIKE '%WITHOUT ROWID%'"), 0);
	ck_assert_int_eq(db_int(p, "SELECT count(*) FROM sqlite_master"
				       " WHERE name LIKE 'cache_snaps_%'"), 0);
	ck_assert_int_eq(db_int(p, "SELECT count(*) FROM cache_snaps"), 1);
	ck_assert_int_eq(warnings, 0);
	buf_release(&body);
	buf_release(&back);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_open_create);
	tcase_add_test(tc, test_path_for);
	tcase_add_test(tc, test_makes_only_its_dir);
	tcase_add_test(tc, test_damaged_set_aside);
	tcase_add_test(tc, test_corrupt_pages);
	tcase_add_test(tc, test_size_bound);
	tcase_add_test(tc, test_results_trim);
	tcase_add_test(tc, test_concurrent_writers);
	tcase_add_test(tc, test_cache_roundtrip);
	tcase_add_test(tc, test_cache_bounded_lru);
	tcase_add_test(tc, test_cache_bounded_keeps_delta_base);
	tcase_add_test(tc, test_migrate_v1);
	tcase_add_test(tc, test_migrate_v2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
