/* check_rerun.c - what --failed runs again, and with which files. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "plan.h"
#include "rerun.h"

/* a; b after a; c after b; d; e disabled; f after d. */
static const char ini[] =
	"[hook a]\ncommand = x\nfiles = *.c\n"
	"[hook b]\ncommand = x\ndepends = a\n"
	"[hook c]\ncommand = x\ndepends = b\n"
	"[hook d]\ncommand = x\nfiles = *.c\n"
	"[hook e]\ncommand = x\nenabled = no\n"
	"[hook f]\ncommand = x\ndepends = d\n";

static void
build(struct conf *c, struct plan *p)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;

	conf_init(c);
	ck_assert_int_eq(conf_parse(c, "t.ini", ini, strlen(ini), &e), 0);
	ck_assert_int_eq(plan_build(p, c, &o, &e), 0);
}

static const struct rerun_last passed = { "passed", NULL, NULL, 0 };

START_TEST(test_passed_rules)
{
	ck_assert(rerun_passed("passed", NULL));
	ck_assert(rerun_passed("skipped", "no files"));
	ck_assert(!rerun_passed("skipped", "dependency a failed"));
	ck_assert(!rerun_passed("skipped", "stopped: critical hook a failed"));
	ck_assert(!rerun_passed("skipped", "interrupted"));
	ck_assert(!rerun_passed("failed", NULL));
	ck_assert(!rerun_passed("timeout", NULL));
	ck_assert(!rerun_passed("error", "command not found"));
	ck_assert(!rerun_passed(NULL, NULL));           /* no result */
}
END_TEST

/* d failed with two files: d and f (after it) run, d with its files. */
START_TEST(test_failed_and_dependents)
{
	struct rerun_last last[6];
	struct conf c;
	struct plan p;
	struct rerun r;
	size_t i;

	build(&c, &p);
	for (i = 0; i < 6; i++)
		last[i] = passed;
	last[3].status = "failed";
	last[3].files = "x.c\0y.c\0";
	last[3].files_len = 8;
	rerun_select(&r, &c, &p, last);
	ck_assert_uint_eq(r.count, 2);
	ck_assert(!r.only[0] && !r.only[1] && !r.only[2] && !r.only[4]);
	ck_assert(r.only[3] && r.only[5]);
	ck_assert(rerun_keeps(&r, 3, "x.c"));
	ck_assert(rerun_keeps(&r, 3, "y.c"));
	ck_assert(!rerun_keeps(&r, 3, "z.c"));
	ck_assert(rerun_keeps(&r, 5, "z.c"));           /* the listing's */
	rerun_release(&r);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* Skipped for a dependency counts as not passed; all of its chain runs. */
START_TEST(test_skipped_and_chain)
{
	struct rerun_last last[6];
	struct conf c;
	struct plan p;
	struct rerun r;
	size_t i;

	build(&c, &p);
	for (i = 0; i < 6; i++)
		last[i] = passed;
	last[1].status = "skipped";
	last[1].reason = "dependency a failed";
	rerun_select(&r, &c, &p, last);
	ck_assert_uint_eq(r.count, 2);                  /* b, and c after it */
	ck_assert(r.only[1] && r.only[2]);
	rerun_release(&r);
	/* Nothing failed: nothing runs. */
	last[1] = passed;
	last[0].status = "skipped";
	last[0].reason = "no files";
	rerun_select(&r, &c, &p, last);
	ck_assert_uint_eq(r.count, 0);
	rerun_release(&r);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* No result at all: every hook that runs, never a disabled one. */
START_TEST(test_no_results)
{
	struct rerun_last last[6];
	struct conf c;
	struct plan p;
	struct rerun r;

	build(&c, &p);
	memset(last, 0, sizeof(last));
	rerun_select(&r, &c, &p, last);
	ck_assert_uint_eq(r.count, 5);
	ck_assert(!r.only[4]);
	ck_assert(!r.own[0]);
	ck_assert(rerun_keeps(&r, 0, "anything.c"));
	rerun_release(&r);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* The files a hook had that the listing lacks are added, if they exist. */
START_TEST(test_extend_list)
{
	char tmpl[] = "/tmp/check_rerun.XXXXXX", old[4096];
	struct rerun_last last[6];
	struct file_list fl = { 0 };
	struct conf c;
	struct plan p;
	struct rerun r;
	FILE *f;
	size_t i;

	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_int_eq(chdir(tmpl), 0);
	f = fopen("untracked.c", "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	build(&c, &p);
	for (i = 0; i < 6; i++)
		last[i] = passed;
	last[0].status = "failed";
	last[0].files = "listed.c\0untracked.c\0gone.c\0";
	last[0].files_len = 29;
	rerun_select(&r, &c, &p, last);
	fl.v = calloc(2, sizeof(*fl.v));
	fl.v[0] = strdup("listed.c");
	fl.n = 1;
	rerun_extend_list(&r, &fl);
	ck_assert_uint_eq(fl.n, 2);
	ck_assert_str_eq(fl.v[1], "untracked.c");      /* gone.c is gone */
	ck_assert(rerun_keeps(&r, 0, "untracked.c"));
	ck_assert(rerun_keeps(&r, 0, "listed.c"));
	/* a dependent gets the listing, not what was added for a */
	ck_assert(!rerun_keeps(&r, 1, "untracked.c"));
	ck_assert(rerun_keeps(&r, 1, "listed.c"));
	file_list_release(&fl);
	rerun_release(&r);
	plan_release(&p);
	conf_release(&c);
	ck_assert_int_eq(unlink("untracked.c"), 0);
	ck_assert_int_eq(chdir(old), 0);
	ck_assert_int_eq(rmdir(tmpl), 0);
}
END_TEST

static Suite *
rerun_suite(void)
{
	Suite *s = suite_create("rerun");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_passed_rules);
	tcase_add_test(tc, test_failed_and_dependents);
	tcase_add_test(tc, test_skipped_and_chain);
	tcase_add_test(tc, test_no_results);
	tcase_add_test(tc, test_extend_list);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rerun_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
