/*
 * check_finding_id.c - unit tests for finding_id.c: fingerprints that
 * survive lines moving and re-indenting, that tell rules, files and
 * texts apart, that number identical findings in order, and that do
 * not depend on reading a file at all when there is none to read.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding_id.h"
#include "scratch.h"
#include "util.h"

Suite *finding_id_suite(void);

static const char *root;

static void
setup(void)
{
	root = scratch_enter("check_finding_id");
}

static void
teardown(void)
{
	scratch_leave();
}

static void
put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The fingerprint of one finding, alone in its list (malloc'd). */
static char *
print_of(const char *file, unsigned long line, const char *rule,
	 const char *msg)
{
	struct findings f = { 0 };
	char *fp;

	findings_add(&f, file, line, 3, FINDING_WARNING, rule, msg);
	finding_id_assign(&f, root);
	ck_assert_ptr_nonnull(f.v[0].fingerprint);
	fp = xstrdup(f.v[0].fingerprint);
	findings_release(&f);
	return fp;
}

START_TEST(test_form)
{
	char *fp;
	size_t i;

	put("a.sh", "echo $x\n");
	fp = print_of("a.sh", 1, "SC2086", "quote it");
	ck_assert_uint_eq(strlen(fp), 64);
	for (i = 0; i < 64; i++)
		ck_assert(strchr("0123456789abcdef", fp[i]) != NULL);
	free(fp);
}
END_TEST

START_TEST(test_moves_and_indent)
{
	char *a, *b, *c, *d;

	put("a.sh", "#!/bin/sh\necho $x\n");
	a = print_of("a.sh", 2, "SC2086", "quote it");
	/* Three lines added above, and the line indented: same. */
	put("a.sh", "#!/bin/sh\n\n# new\nf() {\n\techo $x  \r\n}\n");
	b = print_of("a.sh", 5, "SC2086", "quote it");
	ck_assert_str_eq(a, b);
	/* The column and the message play no part when there is a rule. */
	c = print_of("a.sh", 5, "SC2086", "another message");
	ck_assert_str_eq(a, c);
	/* The line's text changed: another finding. */
	put("a.sh", "#!/bin/sh\necho $y\n");
	d = print_of("a.sh", 2, "SC2086", "quote it");
	ck_assert_str_ne(a, d);
	free(a);
	free(b);
	free(c);
	free(d);
}
END_TEST

START_TEST(test_parts)
{
	char *base, *rule, *file, *norule, *norule2, *msg2;

	put("a.sh", "echo $x\n");
	put("b.sh", "echo $x\n");
	base = print_of("a.sh", 1, "SC2086", "m");
	rule = print_of("a.sh", 1, "SC2046", "m");
	file = print_of("b.sh", 1, "SC2086", "m");
	ck_assert_str_ne(base, rule);
	ck_assert_str_ne(base, file);
	/* Without a rule the message stands for it... */
	norule = print_of("a.sh", 1, NULL, "SC2086");
	norule2 = print_of("a.sh", 1, NULL, "SC2086");
	msg2 = print_of("a.sh", 1, NULL, "teh ==> the");
	ck_assert_str_eq(norule, norule2);
	ck_assert_str_ne(norule, msg2);
	/* ... but a message never matches a rule that reads the same. */
	ck_assert_str_ne(norule, base);
	free(base);
	free(rule);
	free(file);
	free(norule);
	free(norule2);
	free(msg2);
}
END_TEST

START_TEST(test_occurrences)
{
	struct findings f = { 0 }, g = { 0 };
	size_t i;

	put("a.c", "int x;\nint x;\nint y;\n");
	/* Lines 1 and 2 read the same: two occurrences of one base. */
	findings_add(&f, "a.c", 2, 0, FINDING_ERROR, "dup", "m");
	findings_add(&f, "a.c", 1, 0, FINDING_ERROR, "dup", "m");
	findings_add(&f, "a.c", 3, 0, FINDING_ERROR, "dup", "m");
	finding_id_assign(&f, root);
	ck_assert_str_ne(f.v[0].fingerprint, f.v[1].fingerprint);
	ck_assert_str_ne(f.v[0].fingerprint, f.v[2].fingerprint);
	ck_assert_str_ne(f.v[1].fingerprint, f.v[2].fingerprint);
	/* The first of the list is occurrence 0, whatever its line: alone
	   it prints the same as first in the list. */
	findings_add(&g, "a.c", 2, 0, FINDING_ERROR, "dup", "m");
	finding_id_assign(&g, root);
	ck_assert_str_eq(g.v[0].fingerprint, f.v[0].fingerprint);
	/* Assigning again gives the same. */
	for (i = 0; i < f.n; i++) {
		char *was = xstrdup(f.v[i].fingerprint);

		finding_id_assign(&f, root);
		ck_assert_str_eq(was, f.v[i].fingerprint);
		free(was);
	}
	findings_release(&f);
	findings_release(&g);
}
END_TEST

START_TEST(test_no_text)
{
	char *missing, *noline, *past, *dir, *empty, *abs, *rel;

	put("a.sh", "one\ntwo");
	/* No file, no line, a line past the end, a directory: all read as
	   an empty line, so all the same for one rule and file name. */
	missing = print_of("gone.sh", 4, "r", "m");
	noline = print_of("gone.sh", 0, "r", "m");
	ck_assert_str_eq(missing, noline);
	past = print_of("a.sh", 9, "r", "m");
	empty = print_of("a.sh", 0, "r", "m");
	ck_assert_str_eq(past, empty);
	scratch_sh("mkdir d");
	dir = print_of("d", 1, "r", "m");
	ck_assert_uint_eq(strlen(dir), 64);
	/* The last line without a newline is read. */
	rel = print_of("a.sh", 2, "r", "m");
	ck_assert_str_ne(rel, past);
	/* An absolute path is read as it is. */
	{
		char *p = xasprintf("%s/a.sh", root);

		abs = print_of(p, 2, "r", "m");
		free(p);
	}
	ck_assert_str_ne(abs, rel);     /* the file names differ */
	free(missing);
	free(noline);
	free(past);
	free(dir);
	free(empty);
	free(abs);
	free(rel);
}
END_TEST

START_TEST(test_many)
{
	struct findings f = { 0 };
	FILE *fp = fopen("big.c", "w");
	size_t i;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < 5000; i++)
		fprintf(fp, "line %zu\n", i % 100);
	ck_assert_int_eq(fclose(fp), 0);
	for (i = 0; i < 20000; i++)
		findings_add(&f, i % 2 ? "big.c" : "none.c",
			     (unsigned long)(i % 5000) + 1, 0, FINDING_NOTE,
			     "r", "m");
	finding_id_assign(&f, root);
	for (i = 0; i < f.n; i++)
		ck_assert_ptr_nonnull(f.v[i].fingerprint);
	findings_release(&f);
}
END_TEST

Suite *
finding_id_suite(void)
{
	Suite *s = suite_create("finding_id");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_form);
	tcase_add_test(tc, test_moves_and_indent);
	tcase_add_test(tc, test_parts);
	tcase_add_test(tc, test_occurrences);
	tcase_add_test(tc, test_no_text);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(finding_id_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
