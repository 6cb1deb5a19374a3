/*
 * check_result.c - unit tests for result.[ch]: status names, which
 * results let dependents run, which make the exit status 1, a pass
 * from the cache, and freeing what results own.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

Suite *result_suite(void);

START_TEST(test_names)
{
	ck_assert_str_eq(hook_status_name(HOOK_PENDING), "pending");
	ck_assert_str_eq(hook_status_name(HOOK_PASSED), "passed");
	ck_assert_str_eq(hook_status_name(HOOK_FAILED), "failed");
	ck_assert_str_eq(hook_status_name(HOOK_TIMEOUT), "timeout");
	ck_assert_str_eq(hook_status_name(HOOK_ERROR), "error");
	ck_assert_str_eq(hook_status_name(HOOK_SKIPPED), "skipped");
	ck_assert_str_eq(hook_status_name((enum hook_status)99), "?");
}
END_TEST

/* Every status and skip kind against both rules. */
START_TEST(test_rules)
{
	static const struct {
		enum hook_status status;
		enum skip_kind skip;
		int passes, fails_run;
	} t[] = {
		{ HOOK_PASSED, SKIP_NONE, 1, 0 },
		{ HOOK_FAILED, SKIP_NONE, 0, 1 },
		{ HOOK_TIMEOUT, SKIP_NONE, 0, 1 },
		{ HOOK_ERROR, SKIP_NONE, 0, 1 },
		{ HOOK_SKIPPED, SKIP_NO_FILES, 1, 0 },
		{ HOOK_SKIPPED, SKIP_DISABLED, 0, 0 },
		{ HOOK_SKIPPED, SKIP_DEPENDENCY, 0, 1 },
		{ HOOK_SKIPPED, SKIP_STOPPED, 0, 1 },
		{ HOOK_SKIPPED, SKIP_INTERRUPTED, 0, 0 },
		{ HOOK_PENDING, SKIP_NONE, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hook_result r;

		memset(&r, 0, sizeof(r));
		r.status = t[i].status;
		r.skip = t[i].skip;
		ck_assert_msg(hook_result_passes(&r) == t[i].passes,
			      "passes, case %zu", i);
		ck_assert_msg(hook_result_fails_run(&r) == t[i].fails_run,
			      "fails_run, case %zu", i);
	}
}
END_TEST

/* Owned parts are freed (ASan and valgrind would see a leak). */
START_TEST(test_free)
{
	struct hook_result *r = calloc(2, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	r[0].reason = strdup("why");
	r[0].output = strdup("out");
	r[1].spans = calloc(3, sizeof(*r[1].spans));
	r[1].nspans = 3;
	hook_results_free(r, 2);
	hook_results_free(NULL, 5);
}
END_TEST

/* A pass from the cache: every field as the reports expect; it
   replaces what the result held. */
START_TEST(test_cached)
{
	struct hook_result *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	r->status = HOOK_PENDING;
	r->reason = strdup("old");
	r->output = strdup("old output");
	r->output_len = 10;
	r->start = 1.5;
	r->duration = 2;
	r->batches = 3;
	r->files = 9;
	r->exit_code = 4;
	ck_assert(!hook_result_is_cached(r));
	hook_result_set_cached(r, 3088);
	ck_assert_int_eq(r->status, HOOK_PASSED);
	ck_assert_int_eq(r->skip, SKIP_NONE);
	ck_assert_str_eq(r->reason, "cached");
	ck_assert_str_eq(r->reason, HOOK_REASON_CACHED);
	ck_assert_int_eq(r->exit_code, -1);
	ck_assert_int_eq(r->signal, 0);
	ck_assert(r->start < 0 && r->duration < 0);
	ck_assert_uint_eq(r->batches, 0);
	ck_assert_uint_eq(r->files, 0);
	ck_assert_uint_eq(r->cached, 3088);
	ck_assert_str_eq(r->output, "");
	ck_assert_uint_eq(r->output_len, 0);
	ck_assert(hook_result_is_cached(r));
	ck_assert(hook_result_passes(r));
	ck_assert(!hook_result_fails_run(r));
	/* A hook that ran is never taken for one, whatever its reason. */
	r->batches = 1;
	ck_assert(!hook_result_is_cached(r));
	r->batches = 0;
	r->status = HOOK_SKIPPED;
	ck_assert(!hook_result_is_cached(r));
	hook_results_free(r, 1);
}
END_TEST

Suite *
result_suite(void)
{
	Suite *s = suite_create("result");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_free);
	tcase_add_test(tc, test_cached);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(result_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
