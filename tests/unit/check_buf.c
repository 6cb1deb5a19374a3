/*
 * check_buf.c - unit tests for buf.[ch]: bytes in order with a NUL
 * after them, binary data, formatted text of every length around and
 * far past buf_printf's stack buffer, reset keeping the memory, release.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

Suite *buf_suite(void);

/* The invariants every operation keeps. */
static void
check_shape(const struct buf *b)
{
	if (b->alloc == 0) {
		ck_assert_ptr_null(b->p);
		ck_assert_uint_eq(b->len, 0);
		return;
	}
	ck_assert_ptr_nonnull(b->p);
	ck_assert_uint_lt(b->len, b->alloc);
	ck_assert_int_eq(b->p[b->len], '\0');
}

START_TEST(test_empty)
{
	struct buf b = { NULL, 0, 0 };

	check_shape(&b);
	buf_reset(&b);                  /* nothing to keep: still empty */
	check_shape(&b);
	buf_release(&b);
	check_shape(&b);

	buf_add(&b, "", 0);             /* an empty add makes a string */
	check_shape(&b);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_str_eq(b.p, "");
	buf_release(&b);
	check_shape(&b);
}
END_TEST

START_TEST(test_add)
{
	struct buf b = { NULL, 0, 0 };
	const char bin[] = { 'a', '\0', 'b', '\n', (char)0xff, '\0' };

	buf_adds(&b, "hook");
	check_shape(&b);
	ck_assert_str_eq(b.p, "hook");
	buf_add(&b, "wave!!", 4);       /* only n bytes */
	check_shape(&b);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(b.p, "hookwave");
	buf_adds(&b, "");
	ck_assert_uint_eq(b.len, 8);

	/* NUL bytes are data: len counts them */
	buf_add(&b, bin, sizeof(bin));
	check_shape(&b);
	ck_assert_uint_eq(b.len, 8 + sizeof(bin));
	ck_assert_int_eq(memcmp(b.p, "hookwave", 8), 0);
	ck_assert_int_eq(memcmp(b.p + 8, bin, sizeof(bin)), 0);
	buf_release(&b);
}
END_TEST

/* Two thousand appends of sizes from 0 to 999 bytes. */
START_TEST(test_grow)
{
	struct buf b = { NULL, 0, 0 };
	char chunk[1000];
	size_t i, total = 0, off;

	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (i = 0; i < 2000; i++) {
		size_t n = (i * 7919) % sizeof(chunk);

		buf_add(&b, chunk, n);
		total += n;
		ck_assert_uint_eq(b.len, total);
		check_shape(&b);
	}
	for (i = 0, off = 0; i < 2000; i++) {
		size_t n = (i * 7919) % sizeof(chunk);

		ck_assert_int_eq(memcmp(b.p + off, chunk, n), 0);
		off += n;
	}
	buf_release(&b);
}
END_TEST

START_TEST(test_printf_short)
{
	struct buf b = { NULL, 0, 0 };

	buf_printf(&b, "%s=%d", "jobs", 4);
	check_shape(&b);
	ck_assert_str_eq(b.p, "jobs=4");
	buf_printf(&b, " %.3f", 1.5);
	ck_assert_str_eq(b.p, "jobs=4 1.500");
	buf_printf(&b, "%s", "");
	ck_assert_str_eq(b.p, "jobs=4 1.500");
	ck_assert_uint_eq(b.len, 12);
	buf_release(&b);

	/* the first call on an empty buffer may make nothing but a string */
	buf_printf(&b, "%s", "");
	check_shape(&b);
	ck_assert_uint_eq(b.len, 0);
	buf_release(&b);
}
END_TEST

/*
 * Formatted lengths 0..1100 (the stack buffer is 256 bytes) after
 * prefixes of several lengths: exact text, len and NUL each time.
 */
START_TEST(test_printf_lengths)
{
	static const size_t prefixes[] = { 0, 1, 100, 254, 255, 256, 257, 4000 };
	char *want = xmalloc(4000 + 1100 + 1);
	char *arg = xmalloc(1100 + 1);
	size_t p, n;

	for (n = 0; n < 1100; n++)
		arg[n] = (char)('A' + n % 23);
	for (p = 0; p < ARRAY_SIZE(prefixes); p++) {
		for (n = 0; n <= 1100; n++) {
			struct buf b = { NULL, 0, 0 };
			size_t k;

			for (k = 0; k < prefixes[p]; k++)
				want[k] = (char)('0' + k % 10);
			buf_add(&b, want, prefixes[p]);
			arg[n] = '\0';
			buf_printf(&b, "%s", arg);
			if (n < 1100)
				arg[n] = (char)('A' + n % 23);
			memcpy(want + prefixes[p], arg, n);
			if (b.len != prefixes[p] + n ||
			    memcmp(b.p, want, b.len) != 0 || b.p[b.len] != '\0' ||
			    b.len >= b.alloc)
				ck_abort_msg("prefix %zu, %zu formatted", prefixes[p], n);
			buf_release(&b);
		}
	}
	free(arg);
	free(want);
}
END_TEST

/* Far past the stack buffer, with several arguments read twice. */
START_TEST(test_printf_long)
{
	struct buf b = { NULL, 0, 0 };
	char *s = xmalloc(100001), *want;
	size_t i;

	for (i = 0; i < 100000; i++)
		s[i] = (char)('a' + i % 26);
	s[100000] = '\0';
	buf_adds(&b, "head:");
	buf_printf(&b, "[%s|%d|%0*d|%s]", s, -42, 3000, 7, "tail");
	check_shape(&b);
	want = xasprintf("head:[%s|%d|%0*d|%s]", s, -42, 3000, 7, "tail");
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_str_eq(b.p, want);
	/* and on after it */
	buf_printf(&b, "%s", "!");
	ck_assert_uint_eq(b.len, strlen(want) + 1);
	ck_assert_int_eq(b.p[b.len - 1], '!');
	check_shape(&b);
	free(want);
	free(s);
	buf_release(&b);
}
END_TEST

/* Room at the end for the caller to fill, terminated like the rest. */
START_TEST(test_extend)
{
	struct buf b = { 0 };
	char *at;

	buf_adds(&b, "ab");
	at = buf_extend(&b, 3000);
	ck_assert_ptr_eq(at, b.p + 2);
	ck_assert_uint_eq(b.len, 3002);
	ck_assert_uint_ge(b.alloc, 3003);
	ck_assert_int_eq(b.p[3002], '\0');
	memset(at, 'x', 3000);
	ck_assert_int_eq(memcmp(b.p, "abxx", 4), 0);
	at = buf_extend(&b, 0);
	ck_assert_ptr_eq(at, b.p + 3002);
	ck_assert_uint_eq(b.len, 3002);
	ck_assert_int_eq(b.p[3002], '\0');
	buf_release(&b);
}
END_TEST

START_TEST(test_reset_keeps_memory)
{
	struct buf b = { NULL, 0, 0 };
	char big[3000];
	char *p;
	size_t alloc;

	memset(big, 'x', sizeof(big));
	buf_add(&b, big, sizeof(big));
	p = b.p;
	alloc = b.alloc;
	buf_reset(&b);
	check_shape(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_eq(b.p, p);
	ck_assert_uint_eq(b.alloc, alloc);
	ck_assert_str_eq(b.p, "");
	/* what fits goes into the same memory */
	buf_add(&b, big, sizeof(big));
	buf_printf(&b, "%s", "");
	ck_assert_ptr_eq(b.p, p);
	ck_assert_uint_eq(b.alloc, alloc);
	buf_reset(&b);
	buf_printf(&b, "%d", 12345);
	ck_assert_ptr_eq(b.p, p);
	ck_assert_str_eq(b.p, "12345");
	ck_assert_uint_eq(b.len, 5);
	buf_release(&b);
}
END_TEST

START_TEST(test_release)
{
	struct buf b = { NULL, 0, 0 };

	buf_adds(&b, "something");
	buf_release(&b);
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.alloc, 0);
	buf_release(&b);                /* twice is fine */
	buf_adds(&b, "again");          /* and it is usable again */
	ck_assert_str_eq(b.p, "again");
	buf_release(&b);
}
END_TEST

Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_printf_short);
	tcase_add_test(tc, test_printf_lengths);
	tcase_add_test(tc, test_printf_long);
	tcase_add_test(tc, test_extend);
	tcase_add_test(tc, test_reset_keeps_memory);
	tcase_add_test(tc, test_release);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(buf_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
