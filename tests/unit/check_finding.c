/*
 * check_finding.c - unit tests for finding.[ch]: findings_add copies
 * what it is given and starts a finding with no fingerprint and no
 * baseline state, the list grows past its first allocation,
 * findings_move keeps order and leaves the source empty and reusable,
 * findings_release empties a list, and the level names.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "util.h"

Suite *finding_suite(void);

START_TEST(test_level_names)
{
	ck_assert_str_eq(finding_level_name(FINDING_ERROR), "error");
	ck_assert_str_eq(finding_level_name(FINDING_WARNING), "warning");
	ck_assert_str_eq(finding_level_name(FINDING_NOTE), "note");
	/* A value out of range is an error, the default level. */
	ck_assert_str_eq(finding_level_name((enum finding_level)42), "error");
}
END_TEST

START_TEST(test_add_copies)
{
	struct findings f = { NULL, 0, 0 };
	char file[] = "src/a.c", rule[] = "SC2086", msg[] = "quote it";
	struct finding *x;

	x = findings_add(&f, file, 3, 7, FINDING_WARNING, rule, msg);
	ck_assert_ptr_eq(x, &f.v[0]);
	ck_assert_uint_eq(f.n, 1);
	/* The caller's strings may change or go: the finding has copies. */
	file[0] = 'X';
	rule[0] = 'X';
	msg[0] = 'X';
	ck_assert_str_eq(f.v[0].file, "src/a.c");
	ck_assert_str_eq(f.v[0].rule, "SC2086");
	ck_assert_str_eq(f.v[0].message, "quote it");
	ck_assert_uint_eq(f.v[0].line, 3);
	ck_assert_uint_eq(f.v[0].col, 7);
	ck_assert_int_eq(f.v[0].level, FINDING_WARNING);
	ck_assert_ptr_null(f.v[0].fingerprint);
	ck_assert_int_eq(f.v[0].state, FINDING_STATE_NONE);

	x = findings_add(&f, "b", 0, 0, FINDING_ERROR, NULL, "");
	ck_assert_ptr_eq(x, &f.v[1]);
	ck_assert_ptr_null(x->rule);
	ck_assert_str_eq(x->message, "");
	ck_assert_uint_eq(x->line, 0);
	ck_assert_uint_eq(x->col, 0);
	findings_release(&f);
	ck_assert_ptr_null(f.v);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(f.alloc, 0);
}
END_TEST

/* Add n findings numbered from `from` (file "fK", line K). */
static void
add_numbered(struct findings *f, unsigned long from, unsigned long n)
{
	unsigned long i;
	char name[32];

	for (i = from; i < from + n; i++) {
		snprintf(name, sizeof(name), "f%lu", i);
		findings_add(f, name, i, i + 1, (enum finding_level)(i % 3),
			     i % 2 ? "r" : NULL, name);
	}
}

/* f holds findings numbered from..from+n-1, in order. */
static void
expect_numbered(const struct findings *f, unsigned long from, unsigned long n)
{
	unsigned long i;
	char name[32];

	ck_assert_uint_eq(f->n, n);
	ck_assert_uint_ge(f->alloc, f->n);
	for (i = 0; i < n; i++) {
		const struct finding *x = &f->v[i];

		snprintf(name, sizeof(name), "f%lu", from + i);
		ck_assert_str_eq(x->file, name);
		ck_assert_str_eq(x->message, name);
		ck_assert_uint_eq(x->line, from + i);
		ck_assert_uint_eq(x->col, from + i + 1);
		ck_assert_int_eq(x->level, (int)((from + i) % 3));
		if ((from + i) % 2)
			ck_assert_str_eq(x->rule, "r");
		else
			ck_assert_ptr_null(x->rule);
	}
}

START_TEST(test_grows)
{
	struct findings f = { NULL, 0, 0 };

	add_numbered(&f, 0, 1000);
	expect_numbered(&f, 0, 1000);
	findings_release(&f);
	/* Released is empty, and can be used again. */
	add_numbered(&f, 5, 3);
	expect_numbered(&f, 5, 3);
	findings_release(&f);
	findings_release(&f);
	ck_assert_uint_eq(f.n, 0);
}
END_TEST

START_TEST(test_move_into_empty)
{
	struct findings dst = { NULL, 0, 0 }, src = { NULL, 0, 0 };

	add_numbered(&src, 0, 10);
	findings_move(&dst, &src);
	expect_numbered(&dst, 0, 10);
	ck_assert_ptr_null(src.v);
	ck_assert_uint_eq(src.n, 0);
	ck_assert_uint_eq(src.alloc, 0);
	/* The source is reusable, and a second move appends. */
	add_numbered(&src, 10, 5);
	findings_move(&dst, &src);
	expect_numbered(&dst, 0, 15);
	ck_assert_uint_eq(src.n, 0);
	findings_release(&dst);
	findings_release(&src);
}
END_TEST

START_TEST(test_move_appends)
{
	struct findings dst = { NULL, 0, 0 }, src = { NULL, 0, 0 };

	add_numbered(&dst, 0, 9);       /* past the first allocation */
	add_numbered(&src, 9, 20);
	findings_move(&dst, &src);
	expect_numbered(&dst, 0, 29);
	ck_assert_ptr_null(src.v);
	ck_assert_uint_eq(src.n, 0);
	/* Appending within room already there. */
	findings_release(&dst);
	add_numbered(&dst, 0, 2);
	add_numbered(&src, 2, 1);
	findings_move(&dst, &src);
	expect_numbered(&dst, 0, 3);
	findings_release(&dst);
	findings_release(&src);
}
END_TEST

START_TEST(test_move_empty)
{
	struct findings dst = { NULL, 0, 0 }, src = { NULL, 0, 0 };
	struct findings d2 = { NULL, 0, 0 };

	/* Nothing into nothing, nothing into something. */
	findings_move(&dst, &src);
	ck_assert_uint_eq(dst.n, 0);
	add_numbered(&dst, 0, 4);
	findings_move(&dst, &src);
	expect_numbered(&dst, 0, 4);
	/* A source emptied by a move moves nothing. */
	findings_move(&src, &dst);
	findings_move(&dst, &src);
	expect_numbered(&dst, 0, 4);
	ck_assert_uint_eq(src.n, 0);
	/* An empty destination with an array of its own takes the source's
	   array and frees its own (ASan: no leak). */
	d2.v = xreallocarray(NULL, 4, sizeof(*d2.v));
	d2.alloc = 4;
	findings_move(&d2, &dst);
	expect_numbered(&d2, 0, 4);
	ck_assert_uint_eq(dst.n, 0);
	findings_release(&d2);
	findings_release(&dst);
}
END_TEST

Suite *
finding_suite(void)
{
	Suite *s = suite_create("finding");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_level_names);
	tcase_add_test(tc, test_add_copies);
	tcase_add_test(tc, test_grows);
	tcase_add_test(tc, test_move_into_empty);
	tcase_add_test(tc, test_move_appends);
	tcase_add_test(tc, test_move_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(finding_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
