/*
 * check_baseline.c - unit tests for baseline.c: a baseline written and
 * read back whole whatever its messages hold; findings marked new,
 * unchanged and absent, each entry matched at most once; the entries
 * of hooks a run did not record kept; and every malformed line refused
 * with its line number.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "scratch.h"
#include "util.h"

Suite *baseline_suite(void);

static void
setup(void)
{
	(void)scratch_enter("check_baseline");
}

static void
teardown(void)
{
	scratch_leave();
}

static void
put(const char *name, const void *text, size_t n)
{
	FILE *f = fopen(name, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static void
puts_file(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

/* A fingerprint of 64 hex digits from one digit. */
static char *
fp(char c)
{
	char *s = xmalloc(65);

	memset(s, c, 64);
	s[64] = '\0';
	return s;
}

static struct finding *
add(struct findings *f, const char *file, unsigned long line, const char *rule,
    const char *msg, char print)
{
	struct finding *x = findings_add(f, file, line, line ? 2 : 0,
					 FINDING_WARNING, rule, msg);

	x->fingerprint = print ? fp(print) : NULL;
	return x;
}

/* Render keys/f over `old` to "b.txt" and load it back. */
static struct baseline *
roundtrip(const struct baseline *old, const char *const *keys,
	  const struct findings *const *f, size_t n, struct buf *text)
{
	struct baseline *b = NULL;
	struct err e = { 0 };

	buf_reset(text);
	baseline_render(text, old, keys, f, n);
	put("b.txt", text->p, text->len);
	ck_assert_msg(baseline_load(&b, "b.txt", &e) == 0, "%s", e.msg);
	return b;
}

START_TEST(test_roundtrip_hostile)
{
	static const char msg[] = "tab\there, newline\nthere, cr\r, back\\slash, "
				  "bell\a, del\x7f, bad \xff\xfe utf-8, \\t literal";
	struct findings f = { 0 }, again = { 0 }, absent = { 0 };
	const struct findings *fv[1] = { &f };
	const char *keys[1] = { "fast/lint" };
	struct buf text = { 0 };
	struct baseline *b;

	add(&f, "dir with space/a\tb.c", 7, "R\t1", msg, 'a');
	add(&f, "z.c", 0, NULL, "", 'b');
	add(&f, "nofp.c", 1, "R", "no fingerprint: not written", 0);
	b = roundtrip(NULL, keys, fv, 1, &text);
	ck_assert_ptr_nonnull(strstr(text.p, "# hookwave baseline 1\n"));
	/* One line per finding, the one without a fingerprint left out. */
	{
		size_t i, lines = 0;

		for (i = 0; i < text.len; i++)
			lines += text.p[i] == '\n';
		ck_assert_uint_eq(lines, 3);
	}
	/* Everything comes back: what is gone comes back as absent. */
	baseline_mark(b, "fast/lint", &again, &absent);
	ck_assert_uint_eq(absent.n, 2);
	ck_assert_str_eq(absent.v[0].file, "dir with space/a\tb.c");
	ck_assert_uint_eq(absent.v[0].line, 7);
	ck_assert_uint_eq(absent.v[0].col, 2);
	ck_assert_int_eq(absent.v[0].level, FINDING_WARNING);
	ck_assert_str_eq(absent.v[0].rule, "R\t1");
	ck_assert_str_eq(absent.v[0].message, msg);
	ck_assert_str_eq(absent.v[0].fingerprint, f.v[0].fingerprint);
	ck_assert_int_eq(absent.v[0].state, FINDING_ABSENT);
	ck_assert_str_eq(absent.v[1].file, "z.c");
	ck_assert_uint_eq(absent.v[1].line, 0);
	ck_assert_ptr_null(absent.v[1].rule);
	ck_assert_str_eq(absent.v[1].message, "");
	/* Rendering what was read gives the same bytes. */
	{
		struct buf t2 = { 0 };

		baseline_render(&t2, b, NULL, NULL, 0);
		ck_assert_uint_eq(t2.len, text.len);
		ck_assert(memcmp(t2.p, text.p, text.len) == 0);
		buf_release(&t2);
	}
	baseline_free(b);
	findings_release(&f);
	findings_release(&again);
	findings_release(&absent);
	buf_release(&text);
}
END_TEST

START_TEST(test_mark)
{
	struct findings old = { 0 }, now = { 0 }, absent = { 0 };
	const struct findings *fv[1] = { &old };
	const char *keys[1] = { "s/h" };
	struct buf text = { 0 };
	struct baseline *b;

	add(&old, "a.c", 1, "R", "m", '1');
	add(&old, "a.c", 2, "R", "m", '2');
	add(&old, "a.c", 3, "R", "m", '3');
	b = roundtrip(NULL, keys, fv, 1, &text);
	ck_assert(baseline_has(b, "s/h"));
	ck_assert(!baseline_has(b, "s/other"));
	ck_assert(!baseline_has(b, "s"));
	/* 2 stays (moved), 3 is gone, 4 is new, one has no fingerprint. */
	add(&now, "a.c", 9, "R", "m", '2');
	add(&now, "a.c", 4, "R", "m", '4');
	add(&now, "a.c", 1, "R", "m", '1');
	add(&now, "a.c", 5, "R", "m", 0);
	baseline_mark(b, "s/h", &now, &absent);
	ck_assert_int_eq(now.v[0].state, FINDING_UNCHANGED);
	ck_assert_int_eq(now.v[1].state, FINDING_NEW);
	ck_assert_int_eq(now.v[2].state, FINDING_UNCHANGED);
	ck_assert_int_eq(now.v[3].state, FINDING_NEW);
	ck_assert_uint_eq(absent.n, 1);
	ck_assert_uint_eq(absent.v[0].line, 3);
	findings_release(&absent);
	/* Another hook's findings are all new, nothing absent for it. */
	baseline_mark(b, "s/other", &now, &absent);
	ck_assert_int_eq(now.v[0].state, FINDING_NEW);
	ck_assert_int_eq(now.v[2].state, FINDING_NEW);
	ck_assert_uint_eq(absent.n, 0);
	baseline_free(b);
	findings_release(&old);
	findings_release(&now);
	buf_release(&text);
}
END_TEST

START_TEST(test_each_entry_once)
{
	struct findings old = { 0 }, now = { 0 }, absent = { 0 };
	const struct findings *fv[1] = { &old };
	const char *keys[1] = { "s/h" };
	struct buf text = { 0 };
	struct baseline *b;

	/* A hand-made baseline may hold one fingerprint twice. */
	add(&old, "a.c", 1, "R", "m", 'c');
	add(&old, "a.c", 2, "R", "m", 'c');
	b = roundtrip(NULL, keys, fv, 1, &text);
	add(&now, "a.c", 1, "R", "m", 'c');
	add(&now, "a.c", 2, "R", "m", 'c');
	add(&now, "a.c", 3, "R", "m", 'c');
	baseline_mark(b, "s/h", &now, &absent);
	ck_assert_int_eq(now.v[0].state, FINDING_UNCHANGED);
	ck_assert_int_eq(now.v[1].state, FINDING_UNCHANGED);
	ck_assert_int_eq(now.v[2].state, FINDING_NEW);
	ck_assert_uint_eq(absent.n, 0);
	baseline_free(b);
	findings_release(&old);
	findings_release(&now);
	buf_release(&text);
}
END_TEST

START_TEST(test_keep_others)
{
	struct findings f1 = { 0 }, f2 = { 0 }, g = { 0 }, absent = { 0 };
	const struct findings *fv[2] = { &f1, &f2 };
	const char *keys[2] = { "s/one", "s/two" };
	const struct findings *gv[1] = { &g };
	const char *gkeys[1] = { "s/one" };
	struct buf text = { 0 };
	struct baseline *b, *b2;

	add(&f1, "a.c", 1, "R", "m", '1');
	add(&f2, "b.c", 1, "R", "m", '2');
	b = roundtrip(NULL, keys, fv, 2, &text);
	/* A run that recorded only s/one, which now has nothing. */
	b2 = roundtrip(b, gkeys, gv, 1, &text);
	ck_assert(!baseline_has(b2, "s/one"));
	ck_assert(baseline_has(b2, "s/two"));
	baseline_mark(b2, "s/two", &g, &absent);
	ck_assert_uint_eq(absent.n, 1);
	ck_assert_str_eq(absent.v[0].file, "b.c");
	/* Sorted by hook, file, line: diffs stay small. */
	baseline_free(b2);
	findings_release(&absent);
	add(&g, "z.c", 9, "R", "m", '9');
	add(&g, "a.c", 9, "R", "m", '8');
	add(&g, "a.c", 2, "R", "m", '7');
	b2 = roundtrip(b, gkeys, gv, 1, &text);
	{
		const char *p1 = strstr(text.p, "s/one\t7777");
		const char *p2 = strstr(text.p, "s/one\t8888");
		const char *p3 = strstr(text.p, "s/one\t9999");
		const char *p4 = strstr(text.p, "s/two\t2222");

		ck_assert(p1 != NULL && p2 != NULL && p3 != NULL && p4 != NULL);
		ck_assert(p1 < p2 && p2 < p3 && p3 < p4);
	}
	baseline_free(b);
	baseline_free(b2);
	findings_release(&f1);
	findings_release(&f2);
	findings_release(&g);
	buf_release(&text);
}
END_TEST

/* Loading `text` fails at `line` with a message holding `what`. */
static void
refused(const char *text, size_t n, unsigned long line, const char *what)
{
	struct baseline *b = (struct baseline *)1;
	struct err e = { 0 };

	put("bad.txt", text, n);
	ck_assert_int_eq(baseline_load(&b, "bad.txt", &e), -1);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(e.file, "bad.txt");
	ck_assert_uint_eq(e.line, line);
	ck_assert_msg(strstr(e.msg, what) != NULL, "'%s' lacks '%s'", e.msg,
		      what);
}

static void
refused_s(const char *text, unsigned long line, const char *what)
{
	refused(text, strlen(text), line, what);
}

#define HDR "# hookwave baseline 1\n"
#define FP64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(test_refused)
{
	static const char nul[] = HDR "s/h\t" FP64 "\ta\0.c\t1\t1\terror\tR\tm\n";
	struct baseline *b = NULL;
	struct err e = { 0 };

	refused_s("", 1, "not a hookwave baseline");
	refused_s("{}\n", 1, "not a hookwave baseline");
	refused_s(HDR "s/h\tx\n", 2, "fewer than 8 fields");
	refused_s(HDR "\n# c\ns/h\t" FP64 "\ta\t1\t1\terror\tR\tm\textra\n",
		4, "more than 8 fields");
	refused_s(HDR "s/h\tabc\ta\t1\t1\terror\tR\tm\n", 2, "bad fingerprint");
	refused_s(HDR "hook\t" FP64 "\ta\t1\t1\terror\tR\tm\n",
		2, "no STRATEGY/HOOK");
	refused_s(HDR "s/h\t" FP64 "\t\t1\t1\terror\tR\tm\n", 2, "no file");
	refused_s(HDR "s/h\t" FP64 "\ta\t-1\t1\terror\tR\tm\n",
		2, "bad line or column");
	refused_s(HDR "s/h\t" FP64 "\ta\t1\tx\terror\tR\tm\n",
		2, "bad line or column");
	refused_s(HDR "s/h\t" FP64 "\ta\t1\t1\tfatal\tR\tm\n", 2, "bad level");
	refused_s(HDR "s/h\t" FP64 "\ta\t1\t1\terror\tR\tm\\q\n",
		2, "bad escape");
	refused_s(HDR "s/h\t" FP64 "\ta\t1\t1\terror\tR\tm\\x00\n",
		2, "bad escape");
	refused(nul, sizeof(nul) - 1, 2, "NUL");
	ck_assert_int_eq(baseline_load(&b, "missing.txt", &e), -1);
	ck_assert_ptr_null(e.file);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing.txt: cannot read: "));
	/* A header alone is an empty baseline; no newline at the end is
	   fine. */
	puts_file("ok.txt", HDR "s/h\t" FP64 "\ta\t1\t1\terror\t\tm");
	ck_assert_int_eq(baseline_load(&b, "ok.txt", &e), 0);
	ck_assert(baseline_has(b, "s/h"));
	baseline_free(b);
}
END_TEST

Suite *
baseline_suite(void)
{
	Suite *s = suite_create("baseline");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip_hostile);
	tcase_add_test(tc, test_mark);
	tcase_add_test(tc, test_each_entry_once);
	tcase_add_test(tc, test_keep_others);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(baseline_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
