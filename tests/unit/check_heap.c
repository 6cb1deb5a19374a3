/*
 * check_heap.c - unit tests for heap.[ch]: pops come out in `before`
 * order for random pushes interleaved with pops, elements of any size
 * are copied whole, the context reaches `before`, reserve and clear.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

Suite *heap_suite(void);

static uint64_t
rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
int_less(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	return *(const int *)a < *(const int *)b;
}

START_TEST(test_empty)
{
	struct heap h;
	int x = 5;

	heap_init(&h, sizeof(int), int_less, NULL);
	ck_assert_ptr_null(heap_top(&h));
	heap_push(&h, &x);
	ck_assert_int_eq(*(int *)heap_top(&h), 5);
	heap_pop(&h, NULL);
	ck_assert_ptr_null(heap_top(&h));
	ck_assert_uint_eq(h.n, 0);
	heap_release(&h);
	heap_release(&h);
}
END_TEST

/* 20,000 operations against a sorted reference multiset. */
START_TEST(test_random_against_sorted)
{
	enum { N = 20000 };
	int *ref = malloc(N * sizeof(*ref));
	size_t nref = 0, i, k;
	uint64_t s = 12345;
	struct heap h;

	ck_assert_ptr_nonnull(ref);
	heap_init(&h, sizeof(int), int_less, NULL);
	for (i = 0; i < N; i++) {
		if (nref == 0 || rng(&s) % 3 != 0) {
			int x = (int)(rng(&s) % 1000) - 500;

			heap_push(&h, &x);
			/* insert keeping ref sorted ascending */
			for (k = nref; k > 0 && ref[k - 1] > x; k--)
				ref[k] = ref[k - 1];
			ref[k] = x;
			nref++;
		} else {
			int got;

			ck_assert_int_eq(*(int *)heap_top(&h), ref[0]);
			heap_pop(&h, &got);
			ck_assert_int_eq(got, ref[0]);
			memmove(ref, ref + 1, (nref - 1) * sizeof(*ref));
			nref--;
		}
		ck_assert_uint_eq(h.n, nref);
	}
	for (i = 0; i < nref; i++) {
		int got;

		heap_pop(&h, &got);
		ck_assert_int_eq(got, ref[i]);
	}
	heap_release(&h);
	free(ref);
}
END_TEST

/* A 40-byte element, ordered by a key through the context. */
struct item {
	char name[32];
	long key;
};

static int
by_key(const void *a, const void *b, void *ctx)
{
	const struct item *x = a, *y = b;
	int desc = *(int *)ctx;

	if (x->key != y->key)
		return desc ? x->key > y->key : x->key < y->key;
	return strcmp(x->name, y->name) < 0;
}

START_TEST(test_big_elements_and_ctx)
{
	static const long keys[] = { 4, 1, 9, 4, 7, 0, 9 };
	int desc = 1;
	struct item it, got;
	struct heap h;
	size_t i;
	long last = 1000;

	heap_init(&h, sizeof(struct item), by_key, &desc);
	heap_reserve(&h, 100);
	ck_assert_uint_ge(h.alloc, 100);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		memset(&it, 0, sizeof(it));
		snprintf(it.name, sizeof(it.name), "item-%zu", i);
		it.key = keys[i];
		heap_push(&h, &it);
	}
	/* Pushes within the reservation did not move the array. */
	ck_assert_uint_ge(h.alloc, 100);
	while (h.n > 0) {
		heap_pop(&h, &got);
		ck_assert_int_le(got.key, last);
		ck_assert_int_eq(strncmp(got.name, "item-", 5), 0);
		last = got.key;
	}
	/* Ties broken by name: the two 9s come out item-2, then item-6. */
	for (i = 0; i < 2; i++) {
		memset(&it, 0, sizeof(it));
		snprintf(it.name, sizeof(it.name), "item-%zu", 6 - 4 * i);
		it.key = 9;
		heap_push(&h, &it);
	}
	heap_pop(&h, &got);
	ck_assert_str_eq(got.name, "item-2");
	heap_clear(&h);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_ptr_null(heap_top(&h));
	heap_release(&h);
}
END_TEST

Suite *
heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_random_against_sorted);
	tcase_add_test(tc, test_big_elements_and_ctx);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(heap_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
