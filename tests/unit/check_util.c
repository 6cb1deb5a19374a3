/*
 * check_util.c - unit tests for util.[ch]: error records and their
 * one-line form, the x* allocators and tryreallocarray, string lists,
 * parse_ulong and parse_bool, the UTF-8 decoder (checked against an
 * independent table of well-formed sequences), edit_distance,
 * write_all through short writes and EINTR, the clock and cmp_double.
 *
 * write() is wrapped at link time (-Wl,--wrap=write, see Makefile.am)
 * so that short writes and EINTR can be scripted exactly; a second
 * test gets them from the kernel with a small pipe, a slow reader and
 * signals.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

Suite *util_suite(void);

/* ck_assert marks a point in the log each time: too slow for loops
 * over millions of inputs. */
#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);

/*
 * The scripted write(): for writes to script_fd, step i of the script
 * says what the call does: SCRIPT_EINTR fails with EINTR, SCRIPT_EIO
 * with EIO, k > 0 writes at most k bytes; past the end it writes all.
 * Every call's requested size is recorded. Other fds pass through.
 */
enum { SCRIPT_EINTR = -1, SCRIPT_EIO = -2, MAX_CALLS = 64 };
static int script_fd = -1;
static const int *script;
static size_t script_len, ncalls;
static size_t requested[MAX_CALLS];

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
	size_t step;

	if (script == NULL || fd != script_fd)
		return __real_write(fd, buf, n);
	step = ncalls;
	if (ncalls < MAX_CALLS)
		requested[ncalls] = n;
	ncalls++;
	if (step < script_len) {
		if (script[step] == SCRIPT_EINTR) {
			errno = EINTR;
			return -1;
		}
		if (script[step] == SCRIPT_EIO) {
			errno = EIO;
			return -1;
		}
		if ((size_t)script[step] < n)
			n = (size_t)script[step];
	}
	return __real_write(fd, buf, n);
}

/* A pipe for the scripted writes; returns the read end. */
static int
script_pipe(const int *steps, size_t nsteps)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	script_fd = p[1];
	script = steps;
	script_len = nsteps;
	ncalls = 0;
	return p[0];
}

/* Close the scripted write end and read all that came through. */
static size_t
script_drain(int rfd, char *out, size_t size)
{
	size_t got = 0;
	ssize_t r;

	close(script_fd);
	script_fd = -1;
	script = NULL;
	while ((r = read(rfd, out + got, size - got)) > 0)
		got += (size_t)r;
	ck_assert_int_eq(r, 0);
	close(rfd);
	return got;
}

/* --- err_set, err_format ---------------------------------------------- */

START_TEST(test_err_set)
{
	struct err e;
	char big[3000];

	ck_assert_int_eq(err_set(NULL, "x.ini", 3, "no record %d", 1), -1);

	memset(&e, 'Z', sizeof(e));
	ck_assert_int_eq(err_set(&e, "x.ini", 12, "bad %s at %d", "key", 7), -1);
	ck_assert_str_eq(e.file, "x.ini");
	ck_assert_uint_eq(e.line, 12);
	ck_assert_str_eq(e.msg, "bad key at 7");

	ck_assert_int_eq(err_set(&e, NULL, 0, "%s", ""), -1);
	ck_assert_ptr_null(e.file);
	ck_assert_uint_eq(e.line, 0);
	ck_assert_str_eq(e.msg, "");

	/* A message longer than the record is cut, still a string. */
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, NULL, 0, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), sizeof(e.msg) - 1);
	ck_assert_int_eq(memcmp(e.msg, big, sizeof(e.msg) - 1), 0);
}
END_TEST

static const char *
formatted(const struct err *e)
{
	static char out[2048];
	size_t n = err_format(e, out, sizeof(out));

	ck_assert_uint_eq(n, strlen(out));
	return out;
}

START_TEST(test_err_format_forms)
{
	struct err e;

	err_set(&e, "hookwave.ini", 7, "unknown key '%s'", "jbos");
	ck_assert_str_eq(formatted(&e),
			 "hookwave: hookwave.ini:7: unknown key 'jbos'\n");
	err_set(&e, "hookwave.ini", 0, "cannot read: %s", "No such file");
	ck_assert_str_eq(formatted(&e),
			 "hookwave: hookwave.ini: cannot read: No such file\n");
	/* a line without a file has nothing to be the line of */
	err_set(&e, NULL, 7, "no file");
	ck_assert_str_eq(formatted(&e), "hookwave: no file\n");
	err_set(&e, NULL, 0, "plain");
	ck_assert_str_eq(formatted(&e), "hookwave: plain\n");
	err_set(&e, "", 0, "%s", "");
	ck_assert_str_eq(formatted(&e), "hookwave: : \n");
}
END_TEST

START_TEST(test_err_format_controls)
{
	struct err e;
	char name[] = "a\nb\x01" "c\x1b" "d\x7f" "e\t.ini";
	int c;

	err_set(&e, name, 3, "x\r\ny\x1b[31mz\x7f" "caf\xc3\xa9 \xff");
	ck_assert_str_eq(formatted(&e),
			 "hookwave: a?b?c?d?e?.ini:3: x??y?[31mz?caf\xc3\xa9 \xff\n");

	/* every C0 control and DEL, nothing else */
	for (c = 1; c < 256; c++) {
		char msg[2] = { (char)c, '\0' };
		char want[32];
		int bad = c < 0x20 || c == 0x7f;

		err_set(&e, NULL, 0, "%s", msg);
		snprintf(want, sizeof(want), "hookwave: %c\n", bad ? '?' : c);
		ck_assert_msg(strcmp(formatted(&e), want) == 0, "byte 0x%02x", c);
	}
}
END_TEST

/*
 * Every buffer size from 0 to past the full line: the result is the
 * full line's prefix, ends in '\n' (one line, even when cut), is
 * NUL-terminated, and nothing past `size` is touched.
 */
START_TEST(test_err_format_truncation)
{
	struct err e;
	const char *full = "hookwave: some/dir/hookwave.ini:123: a message\n";
	size_t flen = strlen(full), size;

	err_set(&e, "some/dir/hookwave.ini", 123, "a message");
	ck_assert_str_eq(formatted(&e), full);
	for (size = 0; size <= flen + 3; size++) {
		char out[128];
		size_t n, k;

		memset(out, 'X', sizeof(out));
		n = err_format(&e, out, size);
		for (k = size; k < sizeof(out); k++)
			ck_assert_msg(out[k] == 'X', "size %zu: byte %zu", size, k);
		if (size == 0) {
			ck_assert_uint_eq(n, 0);
			continue;
		}
		ck_assert_uint_eq(n, size - 1 < flen ? size - 1 : flen);
		ck_assert_int_eq(out[n], '\0');
		ck_assert_uint_eq(strlen(out), n);
		if (n > 0) {
			ck_assert_int_eq(out[n - 1], '\n');
			ck_assert_int_eq(memcmp(out, full, n - 1), 0);
		}
	}
}
END_TEST

/* --- allocation ------------------------------------------------------- */

START_TEST(test_alloc_zero)
{
	char *a = xmalloc(0), *b = xmalloc(0);
	unsigned char *z;
	size_t i;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	free(a);
	free(b);

	a = xcalloc(0, 0);
	ck_assert_ptr_nonnull(a);
	free(a);
	a = xcalloc(0, 8);
	ck_assert_ptr_nonnull(a);
	free(a);
	a = xcalloc(8, 0);
	ck_assert_ptr_nonnull(a);
	free(a);
	z = xcalloc(100, 3);
	for (i = 0; i < 300; i++)
		ck_assert_uint_eq(z[i], 0);
	free(z);

	/* realloc to 0 must not free and return NULL (glibc's realloc does) */
	a = xrealloc(NULL, 0);
	ck_assert_ptr_nonnull(a);
	a = xrealloc(a, 0);
	ck_assert_ptr_nonnull(a);
	a = xreallocarray(a, 0, 8);
	ck_assert_ptr_nonnull(a);
	a = xreallocarray(a, 8, 0);
	ck_assert_ptr_nonnull(a);
	free(a);
	a = xreallocarray(NULL, 0, 0);
	ck_assert_ptr_nonnull(a);
	free(a);
}
END_TEST

START_TEST(test_alloc_grow)
{
	int *v = NULL;
	size_t i, n;
	char *s, big[5001];

	for (n = 1; n <= 4096; n *= 2) {
		v = xreallocarray(v, n, sizeof(*v));
		for (i = n / 2; i < n; i++)
			v[i] = (int)i;
		for (i = 0; i < n; i++)
			ck_assert_int_eq(v[i], (int)i);
	}
	free(v);

	s = xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
	s = xstrdup("hook");
	ck_assert_str_eq(s, "hook");
	free(s);
	s = xstrndup("hookwave", 4);
	ck_assert_str_eq(s, "hook");
	free(s);
	s = xstrndup("hi", 10);
	ck_assert_str_eq(s, "hi");
	free(s);
	s = xstrndup("hi", 0);
	ck_assert_str_eq(s, "");
	free(s);
	s = xasprintf("%s=%d", "jobs", 4);
	ck_assert_str_eq(s, "jobs=4");
	free(s);
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = xasprintf("<%s>", big);
	ck_assert_uint_eq(strlen(s), 5002);
	ck_assert_int_eq(s[0], '<');
	ck_assert_int_eq(s[5001], '>');
	free(s);
}
END_TEST

/* n * size does not fit a size_t: abort, never a short block. */
START_TEST(test_xreallocarray_overflow)
{
	void *p = xmalloc(16);

	p = xreallocarray(p, SIZE_MAX / 2 + 1, 2);
	ck_abort_msg("xreallocarray returned %p", p);
}
END_TEST

START_TEST(test_tryreallocarray)
{
	static const size_t over[][2] = {
		{ SIZE_MAX, 2 }, { 2, SIZE_MAX }, { SIZE_MAX / 8 + 1, 8 },
		{ SIZE_MAX / 3 + 1, 3 }, { SIZE_MAX, SIZE_MAX },
	};
	unsigned char *p, *q;
	size_t i, k;

	p = tryreallocarray(NULL, 0, 0);
	ck_assert_ptr_nonnull(p);
	q = tryreallocarray(p, 0, 8);
	ck_assert_ptr_nonnull(q);
	p = tryreallocarray(q, 16, 1);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < 16; i++)
		p[i] = (unsigned char)(0xa0 + i);
	for (i = 0; i < ARRAY_SIZE(over); i++) {
		q = tryreallocarray(p, over[i][0], over[i][1]);
		ck_assert_msg(q == NULL, "%zu * %zu", over[i][0], over[i][1]);
		/* p is still ours, whole (ASan would see a freed block) */
		for (k = 0; k < 16; k++)
			ck_assert_uint_eq(p[k], 0xa0 + k);
	}
	q = tryreallocarray(p, 1000, 4);
	ck_assert_ptr_nonnull(q);
	for (k = 0; k < 16; k++)
		ck_assert_uint_eq(q[k], 0xa0 + k);
	q[3999] = 1;
	free(q);
	/* NULL, 0 * SIZE_MAX: no overflow, a fresh block */
	p = tryreallocarray(NULL, 0, SIZE_MAX);
	ck_assert_ptr_nonnull(p);
	free(p);
}
END_TEST

/* --- strlist ---------------------------------------------------------- */

START_TEST(test_strlist)
{
	struct strlist l = { 0 };
	char src[] = "alpha";
	char name[16];
	size_t i;

	ck_assert_int_eq(strlist_has(&l, "alpha"), 0);
	strlist_release(&l);            /* releasing the empty list is fine */

	strlist_push(&l, src);
	src[0] = 'X';                   /* the list has its own copy */
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], "alpha");
	ck_assert_int_eq(strlist_has(&l, "alpha"), 1);
	ck_assert_int_eq(strlist_has(&l, "Xlpha"), 0);
	ck_assert_int_eq(strlist_has(&l, "alph"), 0);
	ck_assert_int_eq(strlist_has(&l, ""), 0);

	strlist_push_owned(&l, xstrdup("beta"));
	strlist_push(&l, "");
	ck_assert_int_eq(strlist_has(&l, ""), 1);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%zu", i);
		strlist_push(&l, name);
	}
	ck_assert_uint_eq(l.n, 103);
	ck_assert_uint_ge(l.alloc, l.n);
	ck_assert_str_eq(l.v[1], "beta");
	ck_assert_str_eq(l.v[2], "");
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%zu", i);
		ck_assert_str_eq(l.v[i + 3], name);
		ck_assert_int_eq(strlist_has(&l, name), 1);
	}
	ck_assert_int_eq(strlist_has(&l, "n100"), 0);

	strlist_release(&l);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(l.alloc, 0);
	/* empty again, and usable */
	strlist_push(&l, "again");
	ck_assert_int_eq(strlist_has(&l, "again"), 1);
	strlist_release(&l);
}
END_TEST

/* --- cmp_double, now_monotonic ------------------------------------------ */

START_TEST(test_cmp_double)
{
	double v[] = { 3.5, -1.0, 0.0, INFINITY, -INFINITY, 2.25, -1.0, 1e-300 };
	const double want[] = { -INFINITY, -1.0, -1.0, 0.0, 1e-300, 2.25, 3.5,
				INFINITY };
	double a = 1.0, b = 2.0, nan = NAN, zero = 0.0, mzero = -0.0;
	size_t i;

	ck_assert_int_eq(cmp_double(&a, &b), -1);
	ck_assert_int_eq(cmp_double(&b, &a), 1);
	ck_assert_int_eq(cmp_double(&a, &a), 0);
	ck_assert_int_eq(cmp_double(&zero, &mzero), 0);
	ck_assert_int_eq(cmp_double(&nan, &a), 0);
	ck_assert_int_eq(cmp_double(&a, &nan), 0);
	ck_assert_int_eq(cmp_double(&nan, &nan), 0);
	qsort(v, ARRAY_SIZE(v), sizeof(v[0]), cmp_double);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		ck_assert_msg(v[i] == want[i], "v[%zu] = %g", i, v[i]);
}
END_TEST

START_TEST(test_now_monotonic)
{
	double prev = now_monotonic(), t;
	int i;

	ck_assert(prev >= 0);
	for (i = 0; i < 100000; i++) {
		t = now_monotonic();
		REQUIRE(t >= prev, "%.9f after %.9f", t, prev);
		prev = t;
	}
}
END_TEST

/* --- parse_ulong, parse_bool ------------------------------------------ */

START_TEST(test_parse_ulong_syntax)
{
	static const char *const bad[] = {
		"", "-1", "+1", "-0", "+0", " 1", "1 ", "\t1", "1\n", "0x10",
		"0X10", "1e3", "1.0", "1,000", "1_000", "10k", "one", "\xd9\xa1",
		"\xd9\xa3",
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 4242;
		ck_assert_msg(parse_ulong(bad[i], 0, ULONG_MAX, &v) == -1,
			      "'%s' accepted", bad[i]);
		ck_assert_uint_eq(v, 4242);     /* *out untouched */
	}
	ck_assert_int_eq(parse_ulong("0", 0, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(parse_ulong("42", 0, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, 42);
	/* leading zeros are digits too */
	ck_assert_int_eq(parse_ulong("0007", 0, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(parse_ulong("00000000000000000000000000000001", 0,
				     ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(test_parse_ulong_overflow)
{
	char s[64];
	unsigned long v;

	snprintf(s, sizeof(s), "%lu", ULONG_MAX);
	ck_assert_int_eq(parse_ulong(s, 0, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, ULONG_MAX);
	ck_assert_int_eq(parse_ulong(s, ULONG_MAX, ULONG_MAX, &v), 0);
	ck_assert_uint_eq(v, ULONG_MAX);
	/* ULONG_MAX + 1, and values that wrap to small numbers */
	ck_assert_int_eq(parse_ulong("18446744073709551616", 0, ULONG_MAX, &v), -1);
	ck_assert_int_eq(parse_ulong("18446744073709551625", 0, ULONG_MAX, &v), -1);
	ck_assert_int_eq(parse_ulong("36893488147419103232", 0, ULONG_MAX, &v), -1);
	ck_assert_int_eq(parse_ulong("99999999999999999999999999", 0, ULONG_MAX,
				     &v), -1);
	snprintf(s, sizeof(s), "%lu", ULONG_MAX - 1);
	ck_assert_int_eq(parse_ulong(s, 0, ULONG_MAX - 1, &v), 0);
	ck_assert_uint_eq(v, ULONG_MAX - 1);
	snprintf(s, sizeof(s), "%lu", ULONG_MAX);
	ck_assert_int_eq(parse_ulong(s, 0, ULONG_MAX - 1, &v), -1);
}
END_TEST

/* Every [min, max] with max < 40 against every value 0..119. */
START_TEST(test_parse_ulong_bounds)
{
	unsigned long min, max, x, v;

	for (max = 0; max < 40; max++)
		for (min = 0; min <= max; min++)
			for (x = 0; x < 120; x++) {
				char s[16];
				int want = x >= min && x <= max ? 0 : -1;

				snprintf(s, sizeof(s), "%lu", x);
				v = 4242;
				REQUIRE(parse_ulong(s, min, max, &v) == want,
					"'%s' in [%lu, %lu]", s, min, max);
				REQUIRE(v == (want == 0 ? x : 4242),
					"'%s' in [%lu, %lu]: %lu", s, min, max, v);
			}
	/* the limits the config and the command line use */
	ck_assert_int_eq(parse_ulong("1024", 1, 1024, &v), 0);
	ck_assert_int_eq(parse_ulong("1025", 1, 1024, &v), -1);
	ck_assert_int_eq(parse_ulong("0", 1, 1024, &v), -1);
}
END_TEST

/* Each spelling in all its upper/lower-case variants. */
static void
check_bool_cases(const char *word, int want)
{
	size_t n = strlen(word), mask;
	char s[8];

	for (mask = 0; mask < ((size_t)1 << n); mask++) {
		size_t i;

		for (i = 0; i < n; i++)
			s[i] = (char)(mask & ((size_t)1 << i) ?
				      (word[i] >= 'a' && word[i] <= 'z' ?
				       word[i] - 'a' + 'A' : word[i]) : word[i]);
		s[n] = '\0';
		ck_assert_msg(parse_bool(s) == want, "'%s'", s);
	}
}

START_TEST(test_parse_bool)
{
	static const char *const bad[] = {
		"", "y", "n", "t", "f", "ye", "yess", "tru", "truee", "of", "offf",
		"2", "-1", "00", "01", "10", " yes", "yes ", "yes\n", "no\t",
		"enable", "disable", "none", "null", "\xc3\xbf" "es", "o n",
	};
	size_t i;

	check_bool_cases("yes", 1);
	check_bool_cases("true", 1);
	check_bool_cases("on", 1);
	check_bool_cases("1", 1);
	check_bool_cases("no", 0);
	check_bool_cases("false", 0);
	check_bool_cases("off", 0);
	check_bool_cases("0", 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(parse_bool(bad[i]) == -1, "'%s'", bad[i]);
}
END_TEST

/* --- UTF-8 ------------------------------------------------------------ */

/*
 * Length of the well-formed UTF-8 sequence at s, or 0: Table 3-7 of
 * the Unicode standard, written down independently of utf8_decode.
 */
static size_t
ref_len(const unsigned char *s, size_t n)
{
	static const struct {
		unsigned char lo0, hi0, lo1, hi1;
		size_t len;
	} t[] = {
		{ 0x00, 0x7f, 0, 0, 1 },
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (s[0] < t[i].lo0 || s[0] > t[i].hi0)
			continue;
		if (t[i].len > n)
			return 0;
		if (t[i].len > 1 && (s[1] < t[i].lo1 || s[1] > t[i].hi1))
			return 0;
		for (k = 2; k < t[i].len; k++)
			if (s[k] < 0x80 || s[k] > 0xbf)
				return 0;
		return t[i].len;
	}
	return 0;
}

/* The code point of a sequence ref_len accepted. */
static unsigned long
ref_cp(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned long v = s[0] & lead_mask[len];
	size_t k;

	for (k = 1; k < len; k++)
		v = v << 6 | (s[k] & 0x3fu);
	return v;
}

/* utf8_decode on exactly n bytes of heap (so ASan sees any over-read). */
static size_t
decode_exact(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned char *copy = xmalloc(n);
	size_t len;

	memcpy(copy, s, n);
	len = utf8_decode(copy, n, cp);
	free(copy);
	return len;
}

START_TEST(test_utf8_decode_table)
{
	static const struct {
		const char *s;
		size_t n, len;
		unsigned long cp;
	} t[] = {
		{ "\x00", 1, 1, 0x00 },
		{ "A", 1, 1, 0x41 },
		{ "\x7f", 1, 1, 0x7f },
		{ "\xc2\x80", 2, 2, 0x80 },             /* smallest 2 */
		{ "\xdf\xbf", 2, 2, 0x7ff },            /* largest 2 */
		{ "\xe0\xa0\x80", 3, 3, 0x800 },        /* smallest 3 */
		{ "\xed\x9f\xbf", 3, 3, 0xd7ff },       /* below surrogates */
		{ "\xee\x80\x80", 3, 3, 0xe000 },       /* above surrogates */
		{ "\xef\xbf\xbd", 3, 3, 0xfffd },
		{ "\xef\xbf\xbf", 3, 3, 0xffff },
		{ "\xf0\x90\x80\x80", 4, 4, 0x10000 },  /* smallest 4 */
		{ "\xf0\x9d\x84\x9e", 4, 4, 0x1d11e },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff }, /* largest code point */
		{ "\xc3\xa9tail", 6, 2, 0xe9 },         /* only the first */
		/* overlongs */
		{ "\xc0\x80", 2, 0, 0 },
		{ "\xc0\xaf", 2, 0, 0 },
		{ "\xc1\xbf", 2, 0, 0 },
		{ "\xe0\x80\x80", 3, 0, 0 },
		{ "\xe0\x9f\xbf", 3, 0, 0 },
		{ "\xf0\x80\x80\x80", 4, 0, 0 },
		{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },
		/* surrogates */
		{ "\xed\xa0\x80", 3, 0, 0 },
		{ "\xed\xaf\xbf", 3, 0, 0 },
		{ "\xed\xb0\x80", 3, 0, 0 },
		{ "\xed\xbf\xbf", 3, 0, 0 },
		/* past U+10FFFF, and bytes that never start anything */
		{ "\xf4\x90\x80\x80", 4, 0, 0 },
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\xf7\xbf\xbf\xbf", 4, 0, 0 },
		{ "\xf8\x88\x80\x80\x80", 5, 0, 0 },
		{ "\xfc\x84\x80\x80\x80\x80", 6, 0, 0 },
		{ "\xfe", 1, 0, 0 },
		{ "\xff", 1, 0, 0 },
		{ "\x80", 1, 0, 0 },
		{ "\xbf\x80", 2, 0, 0 },
		/* a continuation byte missing or wrong */
		{ "\xc3\x28", 2, 0, 0 },
		{ "\xc3\xc3\xa9", 3, 0, 0 },
		{ "\xe2\x28\xa1", 3, 0, 0 },
		{ "\xe2\x82\x28", 3, 0, 0 },
		{ "\xf0\x9f\x98\x28", 4, 0, 0 },
		/* truncated: the rest is past n */
		{ "\xc3", 1, 0, 0 },
		{ "\xe2\x82", 2, 0, 0 },
		{ "\xe2", 1, 0, 0 },
		{ "\xf0\x9f\x98", 3, 0, 0 },
		{ "\xf0\x9f", 2, 0, 0 },
		{ "\xf4", 1, 0, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		const unsigned char *s = (const unsigned char *)t[i].s;
		unsigned long cp = 0xdeadbeef;
		size_t len = decode_exact(s, t[i].n, &cp);

		ck_assert_msg(len == t[i].len, "case %zu: length %zu, want %zu",
			      i, len, t[i].len);
		if (len > 0)
			ck_assert_msg(cp == t[i].cp, "case %zu: U+%04lX", i, cp);
		if (len == 0 || len == t[i].n)
			ck_assert_int_eq(utf8_valid(t[i].s, t[i].n) != 0,
					 len == t[i].n);
	}
	/* a valid sequence seen through too short an n is truncated */
	{
		const unsigned char euro[] = { 0xe2, 0x82, 0xac };
		unsigned long cp;

		ck_assert_uint_eq(decode_exact(euro, 3, &cp), 3);
		ck_assert_uint_eq(cp, 0x20ac);
		ck_assert_uint_eq(decode_exact(euro, 2, &cp), 0);
		ck_assert_uint_eq(decode_exact(euro, 1, &cp), 0);
	}
}
END_TEST

/* Every 1- and 2-byte input, every 3-byte one led by E0-EF and every
 * 4-byte one led by F0-F4 over a spread of tails, against ref_len. */
START_TEST(test_utf8_decode_exhaustive)
{
	static const unsigned char tails[] = {
		0x00, 0x3f, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
		0xc2, 0xe0, 0xf0, 0xff,
	};
	unsigned char s[4];
	unsigned long cp;
	unsigned a, b, c, d;

	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		REQUIRE(utf8_decode(s, 1, &cp) == ref_len(s, 1), "%02x", a);
		for (b = 0; b < 256; b++) {
			size_t len, want;

			s[1] = (unsigned char)b;
			len = utf8_decode(s, 2, &cp);
			want = ref_len(s, 2);
			REQUIRE(len == want, "%02x %02x: %zu", a, b, len);
			REQUIRE(len == 0 || cp == ref_cp(s, len), "%02x %02x", a, b);
		}
	}
	for (a = 0xe0; a <= 0xef; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				size_t len;

				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				len = utf8_decode(s, 3, &cp);
				REQUIRE(len == ref_len(s, 3),
					"%02x %02x %02x: %zu", a, b, c, len);
				REQUIRE(len == 0 || cp == ref_cp(s, len),
					"%02x %02x %02x", a, b, c);
			}
	for (a = 0xf0; a <= 0xf4; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < ARRAY_SIZE(tails); c++)
				for (d = 0; d < ARRAY_SIZE(tails); d++) {
					size_t len;

					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = tails[c];
					s[3] = tails[d];
					len = utf8_decode(s, 4, &cp);
					REQUIRE(len == ref_len(s, 4),
						"%02x %02x %02x %02x: %zu",
						s[0], s[1], s[2], s[3], len);
					REQUIRE(len == 0 || cp == ref_cp(s, len),
						"%02x %02x %02x %02x", s[0], s[1],
						s[2], s[3]);
				}
}
END_TEST

/* Every code point, encoded, decodes to itself; surrogates do not. */
START_TEST(test_utf8_round_trip)
{
	unsigned long c, cp;

	for (c = 0; c <= 0x10ffff; c++) {
		unsigned char s[4];
		size_t n;

		if (c < 0x80) {
			s[0] = (unsigned char)c;
			n = 1;
		} else if (c < 0x800) {
			s[0] = (unsigned char)(0xc0 | c >> 6);
			s[1] = (unsigned char)(0x80 | (c & 0x3f));
			n = 2;
		} else if (c < 0x10000) {
			s[0] = (unsigned char)(0xe0 | c >> 12);
			s[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			s[2] = (unsigned char)(0x80 | (c & 0x3f));
			n = 3;
		} else {
			s[0] = (unsigned char)(0xf0 | c >> 18);
			s[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
			s[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			s[3] = (unsigned char)(0x80 | (c & 0x3f));
			n = 4;
		}
		if (c >= 0xd800 && c <= 0xdfff) {
			REQUIRE(utf8_decode(s, n, &cp) == 0, "U+%04lX", c);
			continue;
		}
		REQUIRE(utf8_decode(s, n, &cp) == n, "U+%04lX", c);
		REQUIRE(cp == c, "U+%04lX: U+%04lX", c, cp);
	}
}
END_TEST

START_TEST(test_utf8_valid)
{
	const char text[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e";

	ck_assert_int_ne(utf8_valid("", 0), 0);
	ck_assert_int_ne(utf8_valid("\xff", 0), 0);     /* nothing to look at */
	ck_assert_int_ne(utf8_valid(text, sizeof(text) - 1), 0);
	/* NUL is a character like any other: n decides */
	ck_assert_int_ne(utf8_valid("a\0b", 3), 0);
	/* cut inside the last character */
	ck_assert_int_eq(utf8_valid(text, sizeof(text) - 2), 0);
	ck_assert_int_eq(utf8_valid(text, sizeof(text) - 4), 0);
	ck_assert_int_ne(utf8_valid(text, sizeof(text) - 5), 0);
	ck_assert_int_eq(utf8_valid("ok\x80", 3), 0);
	ck_assert_int_ne(utf8_valid("ok\x80", 2), 0);
	ck_assert_int_eq(utf8_valid("a\xed\xa0\x80z", 5), 0);
	ck_assert_int_eq(utf8_valid("a\xc0\x80z", 4), 0);
}
END_TEST

/* --- edit_distance ---------------------------------------------------- */

START_TEST(test_edit_distance)
{
	static const struct {
		const char *a, *b;
		size_t d;
	} t[] = {
		{ "", "", 0 },
		{ "", "abc", 3 },
		{ "abc", "abc", 0 },
		{ "jobs", "jobsx", 1 },         /* insert at the end */
		{ "obs", "jobs", 1 },           /* insert at the start */
		{ "timeout", "timout", 1 },     /* delete */
		{ "files", "filez", 1 },        /* substitute */
		{ "A", "a", 1 },                /* case matters */
		{ "fast", "fsat", 1 },          /* adjacent swap */
		{ "ab", "ba", 1 },
		{ "abcd", "badc", 2 },          /* two swaps */
		{ "abc", "cab", 2 },
		{ "kitten", "sitting", 3 },
		{ "command", "comand", 1 },
		{ "strategy", "stratgey", 1 },
		{ "max_workers", "maxworkers", 1 },
		{ "abc", "xyz", 3 },
		{ "a", "bcd", 3 },
		/* a substring is edited once: optimal string alignment */
		{ "ca", "abc", 3 },
	};
	char a[257], b[257];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ck_assert_msg(edit_distance(t[i].a, t[i].b) == t[i].d,
			      "'%s' '%s': %zu", t[i].a, t[i].b,
			      edit_distance(t[i].a, t[i].b));
		ck_assert_msg(edit_distance(t[i].b, t[i].a) == t[i].d,
			      "'%s' '%s' (reversed)", t[i].b, t[i].a);
	}
	/* the longest inputs it measures, and past them */
	memset(a, 'a', 256);
	memset(b, 'b', 256);
	a[256] = b[256] = '\0';
	ck_assert_uint_eq(edit_distance(a, b), 256);
	ck_assert_uint_eq(edit_distance(a, ""), 256);
	ck_assert_uint_eq(edit_distance(a, a), 0);
	{
		char *longer = xmalloc(258);

		memset(longer, 'a', 257);
		longer[257] = '\0';
		ck_assert_uint_eq(edit_distance(longer, a), (size_t)-1);
		ck_assert_uint_eq(edit_distance("a", longer), (size_t)-1);
		free(longer);
	}
}
END_TEST

/* --- write_all -------------------------------------------------------- */

START_TEST(test_write_all_scripted)
{
	static const int steps[] = { SCRIPT_EINTR, 1, SCRIPT_EINTR, SCRIPT_EINTR,
				     5, 2 };
	static const size_t want_req[] = { 16, 16, 15, 15, 15, 10, 8 };
	const char msg[] = "hello, write_all";
	char out[64];
	int rfd;
	size_t i, got;

	rfd = script_pipe(steps, ARRAY_SIZE(steps));
	errno = 0;
	ck_assert_int_eq(write_all(script_fd, msg, 16), 0);
	ck_assert_uint_eq(ncalls, ARRAY_SIZE(want_req));
	for (i = 0; i < ncalls; i++)
		ck_assert_uint_eq(requested[i], want_req[i]);
	got = script_drain(rfd, out, sizeof(out));
	ck_assert_uint_eq(got, 16);
	ck_assert_int_eq(memcmp(out, msg, 16), 0);
}
END_TEST

START_TEST(test_write_all_one_byte_at_a_time)
{
	static int steps[40];
	const char msg[] = "0123456789abcdefghij";
	char out[64];
	size_t i, got;
	int rfd;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		steps[i] = i % 2 ? 1 : SCRIPT_EINTR;
	rfd = script_pipe(steps, ARRAY_SIZE(steps));
	ck_assert_int_eq(write_all(script_fd, msg, 20), 0);
	ck_assert_uint_eq(ncalls, 40);
	got = script_drain(rfd, out, sizeof(out));
	ck_assert_uint_eq(got, 20);
	ck_assert_int_eq(memcmp(out, msg, 20), 0);
}
END_TEST

START_TEST(test_write_all_errors)
{
	static const int fail_now[] = { SCRIPT_EIO };
	static const int fail_later[] = { 3, SCRIPT_EINTR, SCRIPT_EIO };
	char out[64];
	int rfd, p[2];

	rfd = script_pipe(fail_now, ARRAY_SIZE(fail_now));
	ck_assert_int_eq(write_all(script_fd, "abcdef", 6), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_uint_eq(ncalls, 1);
	ck_assert_uint_eq(script_drain(rfd, out, sizeof(out)), 0);

	rfd = script_pipe(fail_later, ARRAY_SIZE(fail_later));
	ck_assert_int_eq(write_all(script_fd, "abcdef", 6), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_uint_eq(ncalls, 3);
	ck_assert_uint_eq(script_drain(rfd, out, sizeof(out)), 3);

	/* nothing to write: no call at all */
	rfd = script_pipe(fail_now, ARRAY_SIZE(fail_now));
	ck_assert_int_eq(write_all(script_fd, "", 0), 0);
	ck_assert_uint_eq(ncalls, 0);
	script_drain(rfd, out, sizeof(out));

	/* real errors from the kernel */
	errno = 0;
	ck_assert_int_eq(write_all(-1, "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	ck_assert_int_eq(write_all(p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[1]);
}
END_TEST

/*
 * The kernel's own short writes and EINTR: a 4 KiB pipe, a reader that
 * takes 997 bytes at a time and interrupts the writer (a handler
 * without SA_RESTART) after every read.
 */
struct reader {
	int fd;
	pthread_t writer;
	unsigned char *got;
	size_t len, size;
};

static volatile sig_atomic_t interrupts;

static void
on_usr1(int sig)
{
	(void)sig;
	interrupts++;
}

static void *
slow_reader(void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	for (;;) {
		size_t want = r->size - r->len < 997 ? r->size - r->len : 997;

		n = read(r->fd, r->got + r->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r->len += (size_t)n;
		pthread_kill(r->writer, SIGUSR1);
	}
	return NULL;
}

START_TEST(test_write_all_pipe)
{
	enum { N = 1 << 20 };
	unsigned char *data = xmalloc(N);
	struct reader r;
	struct sigaction sa;
	pthread_t t;
	int p[2];
	size_t i;

	for (i = 0; i < N; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;                /* no SA_RESTART: writes see EINTR */
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_ge(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);

	r.fd = p[0];
	r.writer = pthread_self();
	r.got = xmalloc(N + 1);
	r.len = 0;
	r.size = N + 1;
	ck_assert_int_eq(pthread_create(&t, NULL, slow_reader, &r), 0);
	ck_assert_int_eq(write_all(p[1], data, N), 0);
	close(p[1]);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	close(p[0]);
	ck_assert_uint_eq(r.len, N);
	ck_assert_int_eq(memcmp(r.got, data, N), 0);
	free(r.got);
	free(data);
}
END_TEST

/* The cache directory: XDG_CACHE_HOME when absolute, else ~/.cache. */
START_TEST(test_xdg_cache_home)
{
	char *d;

	setenv("XDG_CACHE_HOME", "/x/cache//", 1);
	setenv("HOME", "/home/u", 1);
	d = xdg_cache_home();
	ck_assert_str_eq(d, "/x/cache");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1);
	d = xdg_cache_home();
	ck_assert_str_eq(d, "/home/u/.cache");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "nowhere", 1);
	ck_assert_ptr_null(xdg_cache_home());
}
END_TEST

/* Either case; anything else is -1. */
START_TEST(test_hex_digit)
{
	ck_assert_int_eq(hex_digit('0'), 0);
	ck_assert_int_eq(hex_digit('9'), 9);
	ck_assert_int_eq(hex_digit('a'), 10);
	ck_assert_int_eq(hex_digit('F'), 15);
	ck_assert_int_eq(hex_digit('g'), -1);
	ck_assert_int_eq(hex_digit('%'), -1);
	ck_assert_int_eq(hex_digit('\0'), -1);
}
END_TEST

START_TEST(test_path_normalize)
{
	static const char *const cases[][2] = {
		{ "/w/./a//b/../c.sarif", "/w/a/c.sarif" },
		{ "/..", "/" }, { "/", "/" }, { "", "." }, { ".", "." },
		{ "a/..", "." }, { "../x", "../x" }, { "a/../../b", "../b" },
		{ "x//y/", "x/y" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = path_normalize(cases[i][0]);

		ck_assert_msg(strcmp(p, cases[i][1]) == 0, "'%s': '%s', want '%s'",
			      cases[i][0], p, cases[i][1]);
		free(p);
	}
}
END_TEST

Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase_create("err");
	tcase_add_test(tc, test_err_set);
	tcase_add_test(tc, test_err_format_forms);
	tcase_add_test(tc, test_err_format_controls);
	tcase_add_test(tc, test_err_format_truncation);
	suite_add_tcase(s, tc);

	tc = tcase_create("alloc");
	tcase_add_test(tc, test_alloc_zero);
	tcase_add_test(tc, test_alloc_grow);
	tcase_add_test_raise_signal(tc, test_xreallocarray_overflow, SIGABRT);
	tcase_add_test(tc, test_tryreallocarray);
	tcase_add_test(tc, test_strlist);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_cmp_double);
	tcase_add_test(tc, test_now_monotonic);
	tcase_add_test(tc, test_parse_ulong_syntax);
	tcase_add_test(tc, test_parse_ulong_overflow);
	tcase_add_test(tc, test_parse_ulong_bounds);
	tcase_add_test(tc, test_parse_bool);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_utf8_decode_table);
	tcase_add_test(tc, test_utf8_decode_exhaustive);
	tcase_add_test(tc, test_utf8_round_trip);
	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_edit_distance);
	suite_add_tcase(s, tc);

	tc = tcase_create("write_all");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_write_all_scripted);
	tcase_add_test(tc, test_write_all_one_byte_at_a_time);
	tcase_add_test(tc, test_write_all_errors);
	tcase_add_test(tc, test_write_all_pipe);
	tcase_add_test(tc, test_xdg_cache_home);
	tcase_add_test(tc, test_hex_digit);
	tcase_add_test(tc, test_path_normalize);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
