/*
 * check_shard_plan.c - unit tests for shard_plan.[ch]: batches cut by
 * the fixed rule whatever the jobs; over the parts, every hook in one
 * part (a spread hook's files each in exactly one, a cwd's names run-
 * relative), dependencies together; -n's line with and without a
 * history.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_plan.h"
#include "conf.h"
#include "launch.h"
#include "plan.h"
#include "shard_plan.h"

extern char **environ;

#define NFILES 40

static struct conf conf;
static struct plan plan;
static struct launches launches;
static struct run_batches rb;
static char *names[NFILES + 1];
static long long sizes[NFILES];
static struct file_list fl;

static const char config[] =
	"[hook a]\ncommand = true\n"
	"[hook b]\ncommand = true\ndepends = a\n"
	"[hook lint]\ncommand = true\nfiles = *.py\n"
	"[hook sublint]\ncommand = true\nfiles = *.py\ncwd = sub\n"
	"[hook t1]\ncommand = true\n"
	"[hook t2]\ncommand = true\n"
	"[hook off]\ncommand = true\nenabled = no\n";

static void
files_make(void)
{
	size_t i;

	for (i = 0; i < NFILES; i++) {
		char n[32];

		snprintf(n, sizeof(n), i % 4 == 0 ? "sub/s%02zu.py" : "f%02zu.py",
			 i);
		names[i] = xstrdup(n);
		sizes[i] = (long long)(i * 100);
	}
	names[NFILES] = NULL;
	fl.v = names;
	fl.size = sizes;
	fl.n = NFILES;
}

static void
files_free(void)
{
	size_t i;

	for (i = 0; i < NFILES; i++)
		free(names[i]);
}

/* The plan with `jobs`, its batches cut for n parts. */
static void
plan_for(const char *jobs, unsigned n)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct batch_costs costs = { NULL, NULL, NULL, NULL, NULL, 0 };
	struct err e;
	char *text = xasprintf("[settings]\njobs = %s\n%s", jobs, config);

	conf_init(&conf);
	ck_assert_msg(conf_parse(&conf, "t.ini", text, strlen(text), &e) == 0,
		      "line %lu: %s", e.line, e.msg);
	free(text);
	ck_assert_int_eq(plan_build(&plan, &conf, &o, &e), 0);
	launch_build(&launches, &plan, environ);
	run_batches_init(&rb, plan.nhooks);
	costs.fixed = (size_t)n * SHARD_PIECES;
	batch_plan(&rb, &plan, &launches, &fl, &costs);
}

static void
unplan(void)
{
	run_batches_release(&rb);
	launch_release(&launches);
	plan_release(&plan);
	conf_release(&conf);
}

static size_t
hook_index(const char *name)
{
	size_t i;

	for (i = 0; i < plan.nhooks; i++)
		if (strcmp(plan.hooks[i].conf->name, name) == 0)
			return i;
	ck_abort_msg("no hook %s", name);
	return 0;
}

START_TEST(test_fixed_batches)
{
	size_t lint, b, k, n1[8], c1[8];

	files_make();
	plan_for("1", 2);
	lint = hook_index("lint");
	ck_assert_uint_eq(rb.nbatches[lint], 8);        /* 2 x SHARD_PIECES */
	for (b = 0; b < 8; b++)
		c1[b] = rb.of[lint].count[b];
	n1[0] = rb.nfiles[lint];
	unplan();
	plan_for("7", 2);
	ck_assert_uint_eq(rb.nbatches[lint], 8);
	ck_assert_uint_eq(rb.nfiles[lint], n1[0]);
	for (b = 0; b < 8; b++)
		ck_assert_uint_eq(rb.of[lint].count[b], c1[b]);
	unplan();
	/* More parts than files: a piece per file. */
	plan_for("1", 16);
	ck_assert_uint_eq(rb.nbatches[hook_index("sublint")], 10);
	for (k = 0; k < 10; k++)
		ck_assert_uint_eq(rb.of[hook_index("sublint")].count[k], 1);
	unplan();
	files_free();
}
END_TEST

START_TEST(test_parts)
{
	unsigned n, k;
	size_t i;

	files_make();
	for (n = 1; n <= 6; n++) {
		size_t in[16] = { 0 }, files_seen[NFILES] = { 0 };

		plan_for("2", n);
		for (k = 1; k <= n; k++) {
			struct shard_part sp;

			shard_plan_part(&sp, &plan, conf.nhooks, &launches, &rb,
					k, n);
			ck_assert_uint_eq(sp.k, k);
			ck_assert(sp.only[0] == sp.only[1]);    /* a, b */
			for (i = 0; i < conf.nhooks; i++)
				in[i] += sp.only[i];
			/* Each file of lint and sublint in exactly one part. */
			for (i = 0; i < NFILES; i++) {
				size_t h = i % 4 == 0 ? 3 : 2;

				if (sp.only[h] &&
				    shard_plan_keeps(&sp, h, names[i]))
					files_seen[i]++;
			}
			/* Hooks of other parts or without files: all kept. */
			ck_assert(shard_plan_keeps(&sp, 0, "anything"));
			shard_plan_release(&sp);
		}
		for (i = 0; i < conf.nhooks; i++) {
			if (i == 2 || i == 3)
				ck_assert_uint_ge(in[i], 1);
			else
				ck_assert_uint_eq(in[i], 1);
		}
		for (i = 0; i < NFILES; i++)
			ck_assert_msg(files_seen[i] == 1, "n %u: %s in %zu parts",
				      n, names[i], files_seen[i]);
		unplan();
	}
	files_free();
}
END_TEST

START_TEST(test_print)
{
	struct shard_part sp;
	struct buf out = { 0 };
	double w[7] = { 10, 20, 0, 0, 5, 5, 0 };

	files_make();
	plan_for("2", 3);
	shard_plan_part(&sp, &plan, conf.nhooks, &launches, &rb, 2, 3);
	shard_plan_print(&out, &sp);
	buf_add(&out, "", 1);
	ck_assert_msg(strncmp(out.p, "shard 2/3: ", 11) == 0, "%s", out.p);
	ck_assert_ptr_nonnull(strstr(out.p, "no predicted time: no history"));
	shard_plan_release(&sp);
	buf_reset(&out);

	/* With a history: seconds, at the plan's cap. */
	plan_set_weights(&plan, w);
	shard_plan_part(&sp, &plan, conf.nhooks, &launches, &rb, 1, 3);
	ck_assert(sp.seconds);
	ck_assert_double_gt(sp.wall, 0);
	shard_plan_print(&out, &sp);
	buf_add(&out, "", 1);
	ck_assert_msg(strstr(out.p, " s at jobs 2\n") != NULL, "%s", out.p);
	ck_assert_msg(strstr(out.p, "predicted ") != NULL, "%s", out.p);
	shard_plan_release(&sp);

	/* The whole run (n 0): nothing printed, every file kept. */
	memset(&sp, 0, sizeof(sp));
	buf_reset(&out);
	shard_plan_print(&out, &sp);
	ck_assert_uint_eq(out.len, 0);
	ck_assert(shard_plan_keeps(&sp, 2, "f01.py"));
	buf_release(&out);
	unplan();
	files_free();
}
END_TEST

static Suite *
shard_plan_suite(void)
{
	Suite *s = suite_create("shard_plan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fixed_batches);
	tcase_add_test(tc, test_parts);
	tcase_add_test(tc, test_print);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shard_plan_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
