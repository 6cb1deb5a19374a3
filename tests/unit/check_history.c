/* check_history.c - remembered durations: load, predict, save, fall back. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "history.h"
#include "plan.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_history.XXXXXX");
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
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Entries of dir: the file itself and nothing temporary. */
static int
count_entries(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dd);
	while ((e = readdir(dd)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dd);
	return n;
}

START_TEST(test_missing_is_empty)
{
	struct err e;
	int warned = 1;
	struct history *h = history_load(path_in("none"), &warned, &e);

	ck_assert_int_eq(warned, 0);
	ck_assert(history_predict(h, "s", "a") == 0);
	history_free(h);
	h = history_load(NULL, &warned, &e);
	ck_assert_int_eq(warned, 0);
	history_free(h);
}
END_TEST

START_TEST(test_roundtrip_and_median)
{
	struct err e;
	int warned;
	struct history *h = history_load(NULL, &warned, &e);
	char p[512];

	snprintf(p, sizeof(p), "%s", path_in("sub/dir/history"));

	history_record(h, "fast", "a", 3.0);
	history_record(h, "fast", "a", 1.0);
	history_record(h, "fast", "a", 2.0);
	history_record(h, "full", "a", 10.0);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	ck_assert(history_predict(h, "full", "a") == 10.0);
	ck_assert_int_eq(history_save(h, p, &e), 0);
	history_free(h);
	ck_assert_int_eq(count_entries(path_in("sub/dir")), 1);

	h = history_load(p, &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	ck_assert(history_predict(h, "full", "a") == 10.0);
	ck_assert(history_predict(h, "fast", "b") == 0);
	/* An even count: the mean of the middle two. */
	history_record(h, "fast", "a", 4.0);
	ck_assert(history_predict(h, "fast", "a") == 2.5);
	history_free(h);
}
END_TEST

START_TEST(test_keeps_the_last_few)
{
	struct err e;
	int warned, i;
	struct history *h = history_load(NULL, &warned, &e);

	for (i = 0; i < 3 * HISTORY_KEEP; i++)
		history_record(h, "s", "a", i < 2 * HISTORY_KEEP ? 100.0 : 1.0);
	ck_assert(history_predict(h, "s", "a") == 1.0);
	history_free(h);
}
END_TEST

START_TEST(test_corrupt_falls_back)
{
	static const char *const bad[] = {
		"not a history\n",
		"hookwave-history 1\nfast\ta\n",
		"hookwave-history 1\nfast\ta\tx\n",
		"hookwave-history 1\nfast\ta\t-1\n",
		"hookwave-history 1\nfast\ta\t1,2,3,4,5,6\n",
		"hookwave-history 1\nfast\ta\t1.0",          /* torn */
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e;
		int warned = 0;
		struct history *h;

		write_file(path_in("h"), bad[i]);
		h = history_load(path_in("h"), &warned, &e);
		ck_assert_msg(warned == 1, "case %zu not flagged", i);
		ck_assert_ptr_nonnull(strstr(e.msg, "corrupt"));
		ck_assert(history_predict(h, "fast", "a") == 0);
		history_free(h);
	}
}
END_TEST

START_TEST(test_save_failure_leaves_nothing)
{
	struct err e;
	int warned;
	struct history *h = history_load(NULL, &warned, &e);

	history_record(h, "s", "a", 1.0);
	write_file(path_in("file"), "x");
	/* the parent "directory" is a file: cannot save */
	ck_assert_int_eq(history_save(h, path_in("file/history"), &e), -1);
	ck_assert_int_eq(count_entries(dir), 1);
	history_free(h);
}
END_TEST

/* Predicted durations order the plan: the exact priorities. */
START_TEST(test_weights_make_priorities)
{
	static const char ini[] =
		"[hook a]\ncommand = x\n"
		"[hook b]\ncommand = x\ndepends = a\n"
		"[hook c]\ncommand = x\n"
		"[hook d]\ncommand = x\n";
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;
	double w[4] = { 0.3, 0.9, 0.5, 0 };  /* d unknown: median 0.5 */

	conf_init(&c);
	ck_assert_int_eq(conf_parse(&c, "t.ini", ini, strlen(ini), &e), 0);
	ck_assert_int_eq(plan_build(&p, &c, &o, &e), 0);
	/* without history: chain lengths */
	ck_assert_int_eq(p.hooks[0].priority, 2000000);
	ck_assert_int_eq(p.hooks[2].priority, 1000000);
	plan_set_weights(&p, w);
	ck_assert_int_eq(p.hooks[0].priority, 1200000);  /* 0.3 + 0.9 */
	ck_assert_int_eq(p.hooks[1].priority, 900000);
	ck_assert_int_eq(p.hooks[2].priority, 500000);
	ck_assert_int_eq(p.hooks[3].priority, 500000);
	ck_assert(p.hooks[3].predicted == 0);
	ck_assert(p.hooks[1].predicted == 0.9);
	/* no weight known at all: back to chain lengths */
	plan_set_weights(&p, (double[4]){ 0, 0, 0, 0 });
	ck_assert_int_eq(p.hooks[0].priority, 2000000);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

static Suite *
history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_is_empty);
	tcase_add_test(tc, test_roundtrip_and_median);
	tcase_add_test(tc, test_keeps_the_last_few);
	tcase_add_test(tc, test_corrupt_falls_back);
	tcase_add_test(tc, test_save_failure_leaves_nothing);
	tcase_add_test(tc, test_weights_make_priorities);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(history_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
