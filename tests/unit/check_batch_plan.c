/*
 * check_batch_plan.c - unit tests for batch_plan.[ch]: which files each
 * hook gets (patterns, exclude, a cwd's view), the counts for hooks
 * without patterns or without a match, the number of batches, the cost
 * factor sending a heavy file alone, and predicted seconds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "batch_plan.h"
#include "conf.h"
#include "launch.h"
#include "plan.h"

Suite *batch_plan_suite(void);

extern char **environ;

static struct conf conf;
static struct plan plan;
static struct launches launches;
static struct run_batches rb;

static void
plan_for(const char *text, const struct file_list *fl,
	 const struct batch_costs *costs)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;

	conf_init(&conf);
	ck_assert_msg(conf_parse(&conf, "t.ini", text, strlen(text), &e) == 0,
		      "line %lu: %s", e.line, e.msg);
	ck_assert_int_eq(plan_build(&plan, &conf, &o, &e), 0);
	launch_build(&launches, &plan, environ);
	run_batches_init(&rb, plan.nhooks);
	batch_plan(&rb, &plan, &launches, fl, costs);
}

static void
unplan(void)
{
	run_batches_release(&rb);
	launch_release(&launches);
	plan_release(&plan);
	conf_release(&conf);
}

static char *names[] = {
	(char *)"a.py", (char *)"b.py", (char *)"c.sh", (char *)"sub/d.py",
	(char *)"sub/e.txt", (char *)"tests/t.py", NULL
};
static long long sizes[] = { 10, 10, 10, 10, 10, 10 };

/* The files of batch k of hook h as "x y z". */
static const char *
batch_text(size_t h, size_t k)
{
	static char buf[256];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < rb.of[h].count[k]; i++) {
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, rb.of[h].files[k][i]);
	}
	return buf;
}

START_TEST(test_selection)
{
	struct file_list fl = { names, sizes, 6 };

	plan_for("[settings]\njobs = 1\n"
		 "[hook py]\ncommand = true\nfiles = *.py\nexclude = tests/**\n"
		 "[hook none]\ncommand = true\nfiles = *.c\n"
		 "[hook plain]\ncommand = true\n"
		 "[hook under]\ncommand = true\nfiles = *\ncwd = sub\n"
		 "[hook outside]\ncommand = true\nfiles = *\ncwd = ..\n", &fl,
		 NULL);
	ck_assert_uint_eq(rb.nbatches[0], 1);
	ck_assert_uint_eq(rb.nfiles[0], 3);
	ck_assert_str_eq(batch_text(0, 0), "a.py b.py sub/d.py");
	ck_assert_uint_eq(rb.nbatches[1], 0);
	ck_assert_uint_eq(rb.nfiles[1], 0);
	ck_assert_uint_eq(rb.nbatches[2], 1);           /* no patterns */
	ck_assert_uint_eq(rb.of[2].n, 0);
	ck_assert_uint_eq(rb.nfiles[3], 2);
	ck_assert_str_eq(batch_text(3, 0), "d.py e.txt");
	ck_assert_uint_eq(rb.nbatches[4], 0);           /* cwd outside */
	ck_assert_ptr_eq(rb.seconds[0], rb.of[0].seconds);
	unplan();
}
END_TEST

/* want = min(jobs, max_workers, files); batch_size cuts in order. */
START_TEST(test_counts)
{
	struct file_list fl = { names, sizes, 6 };

	plan_for("[settings]\njobs = 4\n[strategy s]\nmax_workers = 2\n"
		 "[hook a]\ncommand = true\nfiles = *\n"
		 "[hook b]\ncommand = true\nfiles = *\nstrategy = s\n"
		 "[hook c]\ncommand = true\nfiles = *\nbatch_size = 4\n", &fl,
		 NULL);
	ck_assert_uint_eq(rb.nbatches[0], 4);
	ck_assert_uint_eq(rb.nbatches[1], 2);
	ck_assert_uint_eq(rb.nbatches[2], 2);
	ck_assert_uint_eq(rb.of[2].count[0] + rb.of[2].count[1], 6);
	unplan();
}
END_TEST

static double
heavy_c(void *ctx, size_t hook, const char *path)
{
	(void)ctx;
	(void)hook;
	return strcmp(path, "c.sh") == 0 ? 100.0 : 1.0;
}

static double
two_per_unit(void *ctx, size_t hook, double cost)
{
	*(size_t *)ctx += hook + 1;
	return cost * 2;
}

START_TEST(test_costs)
{
	struct file_list fl = { names, sizes, 6 };
	size_t calls = 0;
	struct batch_costs costs = { heavy_c, two_per_unit, &calls, NULL, NULL, 0 };

	plan_for("[settings]\njobs = 2\n[hook a]\ncommand = true\nfiles = *\n",
		 &fl, &costs);
	ck_assert_uint_eq(rb.nbatches[0], 2);
	/* The heavy file alone, first; the five others together. */
	ck_assert_str_eq(batch_text(0, 0), "c.sh");
	ck_assert_uint_eq(rb.of[0].count[1], 5);
	ck_assert(rb.of[0].seconds[0] == rb.of[0].total[0] * 2);
	ck_assert(rb.of[0].seconds[1] == rb.of[0].total[1] * 2);
	ck_assert_uint_eq(calls, 2);
	unplan();
}
END_TEST

Suite *
batch_plan_suite(void)
{
	Suite *s = suite_create("batch_plan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_selection);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_costs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(batch_plan_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
