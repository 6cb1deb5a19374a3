/*
 * check_plan_print.c - unit tests for plan_print.[ch]: the exact text
 * of -l and -n for small plans (waves, order, dependencies, timeouts,
 * critical, disabled, files and batches).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "batch_plan.h"
#include "launch.h"
#include "plan.h"
#include "plan_print.h"

extern char **environ;

Suite *plan_print_suite(void);

static struct conf conf;
static struct plan plan;

static void
load(const char *text, const struct plan_options *o)
{
	struct plan_options none = PLAN_OPTIONS_INIT;
	struct err e;

	conf_init(&conf);
	ck_assert_msg(conf_parse(&conf, "t.ini", text, strlen(text), &e) == 0,
		      "line %lu: %s", e.line, e.msg);
	ck_assert_msg(plan_build(&plan, &conf, o != NULL ? o : &none, &e) == 0,
		      "%s", e.msg);
}

static void
unload(void)
{
	plan_release(&plan);
	conf_release(&conf);
}

START_TEST(test_list)
{
	struct buf b = { 0 };

	load("[hook a]\ncommand = true\n"
	     "[hook long-name]\ncommand = true\ndepends = a\n"
	     "[hook c]\ncommand = true\nstrategy = comprehensive\n"
	     "[hook d]\ncommand = true\ndepends = a, long-name\n"
	     "[hook off]\ncommand = true\nenabled = no\n", NULL);
	plan_print_list(&b, &plan);
	ck_assert_str_eq(b.p,
		"HOOK       STRATEGY       WAVE      DEPENDS\n"
		"a          default        1         -\n"
		"long-name  default        2         a\n"
		"c          comprehensive  1         -\n"
		"d          default        3         a,long-name\n"
		"off        default        disabled  -\n");
	buf_release(&b);
	unload();
}
END_TEST

START_TEST(test_dry_run)
{
	char *names[] = { (char *)"a.py", (char *)"b.py", (char *)"c.py",
			  (char *)"d.sh", (char *)"e.py" };
	struct file_list fl = { names, NULL, 5 };
	struct run_batches rb;
	struct launches launches;
	struct buf b = { 0 };

	load("[settings]\njobs = 2\ntimeout = 30\n"
	     "[hook lint]\ncommand = true\nfiles = *.py\ncritical = yes\n"
	     "[hook none]\ncommand = true\nfiles = *.c\n"
	     "[hook test]\ncommand = true\ndepends = lint\ntimeout = 0\n"
	     "[hook one]\ncommand = true\nfiles = *.sh\nserial = yes\n"
	     "[hook off]\ncommand = true\nenabled = no\n"
	     "[hook s1]\ncommand = true\nstrategy = seq\n"
	     "[hook s2]\ncommand = true\nstrategy = seq\n"
	     "[strategy seq]\nschedule = sequential\n", NULL);
	run_batches_init(&rb, plan.nhooks);
	launch_build(&launches, &plan, environ);
	batch_plan(&rb, &plan, &launches, &fl, NULL);
	plan_print_dry_run(&b, &plan, &rb);
	ck_assert_str_eq(b.p,
		"jobs 2, strategies in parallel (at most 2 at once)\n"
		"strategy default: waves, max_workers 2, 5 hooks, 2 waves\n"
		"  wave 1:\n"
		"    lint timeout 30s critical: 4 files in 2 batches of 2+2\n"
		"    none timeout 30s: no files\n"
		"    one timeout 30s: 1 file in 1 batch, serial\n"
		"  wave 2:\n"
		"    test (after lint) no timeout\n"
		"  disabled: off\n"
		"strategy seq: sequential, max_workers 2, 2 hooks, 1 wave\n"
		"  in order:\n"
		"    s1 timeout 30s\n"
		"    s2 timeout 30s\n");
	buf_release(&b);
	run_batches_release(&rb);
	launch_release(&launches);
	unload();
}
END_TEST

Suite *
plan_print_suite(void)
{
	Suite *s = suite_create("plan_print");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_dry_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(plan_print_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
