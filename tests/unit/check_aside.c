/*
 * check_aside.c - the set-aside's own logic: its record and the
 * checkout's fingerprints (round trips, every way a file can be bad),
 * which of git's raw diff entries are set aside, the operations in
 * progress that forbid it, and, in real repositories, a stage_fixed
 * fixer's paths put back under the user's change: merged when both can
 * be kept, the user's change winning and the fix saved as a patch when
 * not. tests/cli/staged.sh runs hookwave itself, killed at every point.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aside.h"
#include "buf.h"
#include "gitdir.h"
#include "scratch.h"

static const char *tmpdir;

static void
setup(void)
{
	tmpdir = scratch_enter("check_aside");
	scratch_git_isolate(tmpdir);
	unsetenv("HOOKWAVE_TEST_DIE_AT");
}

static void
teardown(void)
{
	scratch_leave();
}

/* --- the record ---------------------------------------------------------- */

static void
sample(struct aside_record *r)
{
	struct aside_entry *x;

	memset(r, 0, sizeof(*r));
	r->pid = 4242;
	r->start = 1700000000;
	x = aside_record_add(r, "a b/new\nline");
	x->kind = ASIDE_FILE;
	x->perm = 0755;
	x->index_mode = 0100644;
	x->size = 5;
	x->offset = 0;
	x->mtime_sec = 1700000001;
	x->mtime_nsec = 999999999;
	x = aside_record_add(r, "link");
	x->kind = ASIDE_LINK;
	x->index_mode = 0120000;
	x->size = 3;
	x->offset = 5;
	x = aside_record_add(r, "d/e/gone");
	x->kind = ASIDE_GONE;
	x->index_mode = 0100755;
	x->offset = 8;
	x->keep_dirs = 1;
}

START_TEST(test_record_round_trip)
{
	struct aside_record r, back;
	struct buf b = { 0 };
	struct err e;

	sample(&r);
	aside_record_format(&r, &b);
	ck_assert_int_eq(aside_record_parse(&back, b.p, b.len, 8, &e), 0);
	ck_assert_int_eq(back.pid, 4242);
	ck_assert_int_eq(back.start, 1700000000);
	ck_assert_uint_eq(back.n, 3);
	ck_assert_str_eq(back.v[0].path, "a b/new\nline");
	ck_assert_int_eq(back.v[0].kind, ASIDE_FILE);
	ck_assert_uint_eq(back.v[0].perm, 0755);
	ck_assert_uint_eq(back.v[0].index_mode, 0100644);
	ck_assert_int_eq(back.v[0].mtime_nsec, 999999999);
	ck_assert_str_eq(back.v[1].path, "link");
	ck_assert_int_eq(back.v[1].kind, ASIDE_LINK);
	ck_assert_uint_eq(back.v[1].offset, 5);
	ck_assert_int_eq(back.v[2].kind, ASIDE_GONE);
	ck_assert_uint_eq(back.v[2].keep_dirs, 1);
	aside_record_release(&back);
	aside_record_release(&r);
	buf_release(&b);
}
END_TEST

START_TEST(test_record_bad)
{
	struct aside_record r, back;
	struct buf b = { 0 };
	struct err e;
	size_t cut;

	sample(&r);
	aside_record_format(&r, &b);
	/* Any record cut short is refused, never half taken. */
	for (cut = 0; cut < b.len; cut++) {
		ck_assert_int_eq(aside_record_parse(&back, b.p, cut, 8, &e), -1);
		ck_assert_uint_eq(back.n, 0);
	}
	/* Entries must fit in the data file. */
	ck_assert_int_eq(aside_record_parse(&back, b.p, b.len, 7, &e), -1);
	/* A changed byte in a number or the kind. */
	{
		char *p = xstrndup(b.p, b.len);
		char *k = strstr(p, "\nf 755");

		ck_assert_ptr_nonnull(k);
		k[1] = 'x';
		ck_assert_int_eq(aside_record_parse(&back, p, b.len, 8, &e), -1);
		free(p);
	}
	ck_assert_int_eq(aside_record_parse(&back, "hookwave-aside 2\n", 17,
					    0, &e), -1);
	aside_record_release(&r);
	buf_release(&b);
}
END_TEST

START_TEST(test_prints)
{
	struct aside_print v[2] = {
		{ ASIDE_FILE, 0644, 12, 0x0123456789abcdefULL },
		{ ASIDE_GONE, 0, 0, aside_hash("", 0) }
	}, back[2];
	struct buf b = { 0 };
	size_t cut;

	ck_assert(aside_hash("a", 1) != aside_hash("b", 1));
	aside_prints_format(v, 2, &b);
	ck_assert_int_eq(aside_prints_parse(back, 2, b.p, b.len), 0);
	ck_assert_int_eq(back[0].kind, ASIDE_FILE);
	ck_assert_uint_eq(back[0].perm, 0644);
	ck_assert_uint_eq(back[0].size, 12);
	ck_assert(back[0].hash == 0x0123456789abcdefULL);
	ck_assert(back[1].hash == aside_hash("", 0));
	ck_assert_int_eq(aside_prints_parse(back, 3, b.p, b.len), -1);
	ck_assert_int_eq(aside_prints_parse(back, 1, b.p, b.len), -1);
	for (cut = 0; cut < b.len; cut++)
		ck_assert_int_eq(aside_prints_parse(back, 2, b.p, cut), -1);
	buf_release(&b);
}
END_TEST

/* --- git status ------------------------------------------------------------- */

#define Z40 "0000000000000000000000000000000000000000"
#define A40 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B40 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

START_TEST(test_parse_status)
{
	static const char out[] =
		"# branch.oid " A40 "\0"
		"1 .M N... 100644 100644 100644 " A40 " " A40 " mod\0"
		"1 MM N... 100644 100644 100644 " A40 " " B40 " staged and mod\0"
		"1 .M N... 100644 100644 100755 " A40 " " A40 " chmod\0"
		"1 .T N... 100644 100644 120000 " A40 " " A40 " typechange\0"
		"1 .M N... 120000 120000 120000 " A40 " " A40 " link\0"
		"1 .D N... 100755 100755 000000 " A40 " " A40 " gone\0"
		"1 .A N... 000000 000000 100644 " Z40 " " Z40 " ita\0"
		"1 M. N... 100644 100644 100644 " A40 " " B40 " staged only\0"
		"u UU N... 100644 100644 100644 100644 " A40 " " A40 " " A40 " unmerged\0"
		"1 .M SC.. 160000 160000 160000 " A40 " " A40 " submodule\0"
		"2 R. N... 100644 100644 100644 " A40 " " A40 " R100 new\0old\0"
		"1 .M N... 100644 100644 100644 " A40 " " B40 " sp  ace \0";
	struct aside_change *v = NULL;
	size_t n = 0;

	ck_assert_int_eq(aside_parse_status(out, sizeof(out) - 1, &v, &n), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(v[0].path, "mod");
	ck_assert_str_eq(v[0].index_oid, A40);
	ck_assert_uint_eq(v[0].index_mode, 0100644);
	ck_assert_str_eq(v[1].path, "staged and mod");
	ck_assert_str_eq(v[1].index_oid, B40);
	ck_assert_str_eq(v[2].path, "chmod");
	ck_assert_str_eq(v[3].path, "typechange");
	ck_assert_str_eq(v[4].path, "link");
	ck_assert_uint_eq(v[4].index_mode, 0120000);
	ck_assert_str_eq(v[5].path, "gone");
	ck_assert_uint_eq(v[5].index_mode, 0100755);
	ck_assert_str_eq(v[6].path, "sp  ace ");
	aside_changes_free(v, n);

	v = NULL;
	n = 0;
	ck_assert_int_eq(aside_parse_status("? untracked\0", 12, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(aside_parse_status("garbage", 7, &v, &n), -1);
	ck_assert_int_eq(aside_parse_status("1 .M N... 100644", 16, &v, &n), -1);
	ck_assert_int_eq(aside_parse_status("1 .M N... 100644 100644 100644 "
					    A40 " " A40 " x", 31 + 82 + 1,
					    &v, &n), -1);
	ck_assert_int_eq(aside_parse_status("1 .M N... 100644 1x0644 100644 "
					    A40 " " A40 " x\0", 31 + 82 + 2,
					    &v, &n), -1);
	ck_assert_int_eq(aside_parse_status("2 R. N... 100644 100644 100644 "
					    A40 " " A40 " R100 new\0", 31 + 81 + 10,
					    &v, &n), -1);
	ck_assert_uint_eq(n, 0);
	aside_changes_free(v, n);
}
END_TEST

START_TEST(test_in_progress)
{
	ck_assert_ptr_null(aside_in_progress(tmpdir));
	scratch_sh("touch MERGE_HEAD");
	ck_assert_str_eq(aside_in_progress(tmpdir), "merge");
	scratch_sh("rm MERGE_HEAD && mkdir rebase-merge");
	ck_assert_str_eq(aside_in_progress(tmpdir), "rebase");
	scratch_sh("rmdir rebase-merge && touch CHERRY_PICK_HEAD");
	ck_assert_str_eq(aside_in_progress(tmpdir), "cherry-pick");
	scratch_sh("rm CHERRY_PICK_HEAD && touch REVERT_HEAD");
	ck_assert_str_eq(aside_in_progress(tmpdir), "revert");
}
END_TEST

/* --- stage_fixed, in a repository ---------------------------------------- */

/* A repository with f (lines 1..10), the user's change on line 10. */
static void
fixture(struct gitdir *g)
{
	struct err e;

	scratch_sh("git init -q . && seq 1 10 >f && git add f && git commit -qm i");
	scratch_sh("sed -i 's/^10$/ten (mine)/' f");
	ck_assert_int_eq(gitdir_discover(g, NULL, &e), 0);
}

static void
begin(struct aside *a, const struct gitdir *g)
{
	const char *skipped;
	pid_t holder;
	struct err e;

	*a = (struct aside)ASIDE_INIT;
	e.msg[0] = '\0';
	ck_assert_msg(aside_begin(a, g, &skipped, &holder, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(a->active, 1);
	/* The hooks' view: the index's. */
	scratch_sh("seq 1 10 | cmp -s - f");
}

START_TEST(test_stage_fixed_merges)
{
	struct gitdir g = GITDIR_INIT;
	struct aside a;
	char *fixed[] = { (char *)"f" };
	char *patch = (char *)"unset";
	struct err e;

	fixture(&g);
	begin(&a, &g);
	scratch_sh("sed -i 's/^1$/one (fixed)/' f");      /* the fixer */
	ck_assert_int_eq(aside_end(&a, fixed, 1, &patch, &e), 0);
	ck_assert_ptr_null(patch);
	/* The index holds the fix, the work tree the fix and the change. */
	scratch_sh("git show :f | sed -n 1p | grep -qx 'one (fixed)'");
	scratch_sh("git show :f | sed -n 10p | grep -qx 10");
	scratch_sh("sed -n 1p f | grep -qx 'one (fixed)' && sed -n 10p f | grep -qx 'ten (mine)'");
	scratch_sh("test ! -e .git/hookwave/aside");
	gitdir_release(&g);
}
END_TEST

START_TEST(test_stage_fixed_conflicts)
{
	struct gitdir g = GITDIR_INIT;
	struct aside a;
	char *fixed[] = { (char *)"f" };
	char *patch = NULL;
	struct err e;

	fixture(&g);
	scratch_sh("cp f mine");
	begin(&a, &g);
	scratch_sh("sed -i 's/^10$/ten (fixed)/' f");
	ck_assert_int_eq(aside_end(&a, fixed, 1, &patch, &e), 0);
	ck_assert_ptr_nonnull(patch);
	/* The user's change wins; the index is not given the fix; the
	   fix is in the patch, which applies to the index. */
	scratch_sh("cmp -s f mine");
	scratch_sh("git show :f | sed -n 10p | grep -qx 10");
	scratch_sh("grep -q '^+ten (fixed)' '%s'", patch);
	scratch_sh("git apply --cached --check '%s'", patch);
	free(patch);
	gitdir_release(&g);
}
END_TEST

START_TEST(test_stage_fixed_without_aside)
{
	struct gitdir g = GITDIR_INIT;
	struct aside a = ASIDE_INIT;
	char *fixed[] = { (char *)"f" };
	char *patch = NULL;
	const char *skipped;
	pid_t holder;
	struct err e;

	scratch_sh("git init -q . && seq 1 3 >f && git add f && git commit -qm i");
	ck_assert_int_eq(gitdir_discover(&g, NULL, &e), 0);
	ck_assert_int_eq(aside_begin(&a, &g, &skipped, &holder, &e), 0);
	ck_assert_int_eq(a.active, 0);
	scratch_sh("test ! -e .git/hookwave");
	scratch_sh("echo fixed >>f");
	ck_assert_int_eq(aside_end(&a, fixed, 1, &patch, &e), 0);
	ck_assert_ptr_null(patch);
	scratch_sh("git show :f | grep -qx fixed");
	gitdir_release(&g);
}
END_TEST

START_TEST(test_recover_after_kill)
{
	struct gitdir g = GITDIR_INIT;
	struct aside a;
	struct aside_recovery r;
	pid_t child;
	int st;
	struct err e;

	fixture(&g);
	scratch_sh("cp f mine");
	/* A run that dies with its changes set aside, and a hook's
	   half-written change after it: the user's change comes back, the
	   other is saved, never merged. */
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		begin(&a, &g);
		scratch_sh("sed -i 's/^1$/one (half)/' f");
		_exit(0);
	}
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	scratch_sh("test -e .git/hookwave/aside/record");
	ck_assert_int_eq(aside_recover(&g, &r, &e), 0);
	ck_assert_uint_eq(r.restored, 1);
	ck_assert_int_eq(r.pid, child);
	ck_assert_ptr_nonnull(r.patch);
	scratch_sh("cmp -s f mine");
	scratch_sh("grep -q '^+one (half)' '%s'", r.patch);
	scratch_sh("test ! -e .git/hookwave/aside");
	free(r.patch);
	ck_assert_int_eq(aside_recover(&g, &r, &e), 0);
	ck_assert_uint_eq(r.restored, 0);
	gitdir_release(&g);
}
END_TEST

static Suite *
aside_suite(void)
{
	Suite *s = suite_create("aside");
	TCase *tc = tcase_create("logic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_record_round_trip);
	tcase_add_test(tc, test_record_bad);
	tcase_add_test(tc, test_prints);
	tcase_add_test(tc, test_parse_status);
	tcase_add_test(tc, test_in_progress);
	suite_add_tcase(s, tc);

	tc = tcase_create("repository");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stage_fixed_merges);
	tcase_add_test(tc, test_stage_fixed_conflicts);
	tcase_add_test(tc, test_stage_fixed_without_aside);
	tcase_add_test(tc, test_recover_after_kill);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(aside_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
