/*
 * check_hashmap.c - unit tests for hashmap.[ch]: FNV-1a's published
 * values, incremental hashing, and the index: find what was put, miss
 * what was not, survive growth and a hash that collides on purpose,
 * clear and release.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

Suite *hashmap_suite(void);

/* FNV-1a 64 test vectors (Fowler, Noll, Vo; the reference's values). */
START_TEST(test_fnv_vectors)
{
	ck_assert_uint_eq(hash_str(""), UINT64_C(0xcbf29ce484222325));
	ck_assert_uint_eq(hash_str("a"), UINT64_C(0xaf63dc4c8601ec8c));
	ck_assert_uint_eq(hash_str("foobar"), UINT64_C(0x85944171f73967e8));
	/* In pieces, the same as at once. */
	ck_assert_uint_eq(hash_bytes(hash_bytes(HASH_INIT, "foo", 3), "bar", 3),
			  hash_str("foobar"));
}
END_TEST

static char names[5000][16];

static int
eq_name(const void *key, size_t i)
{
	return strcmp(key, names[i]) == 0;
}

START_TEST(test_find_put_grow)
{
	struct hashmap m = { 0 };
	size_t i;

	ck_assert_uint_eq(hashmap_find(&m, hash_str("x"), "x", eq_name),
			  HASHMAP_NONE);
	for (i = 0; i < 5000; i++) {
		snprintf(names[i], sizeof(names[i]), "name-%zu", i);
		ck_assert_uint_eq(hashmap_find(&m, hash_str(names[i]), names[i],
					       eq_name), HASHMAP_NONE);
		hashmap_put(&m, hash_str(names[i]), i);
		ck_assert_uint_eq(m.n, i + 1);
		ck_assert_uint_le(m.n * 2, m.mask + 1);
	}
	for (i = 0; i < 5000; i++)
		ck_assert_uint_eq(hashmap_find(&m, hash_str(names[i]), names[i],
					       eq_name), i);
	ck_assert_uint_eq(hashmap_find(&m, hash_str("name-5000"), "name-5000",
				       eq_name), HASHMAP_NONE);
	hashmap_clear(&m);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_uint_eq(hashmap_find(&m, hash_str(names[7]), names[7],
				       eq_name), HASHMAP_NONE);
	hashmap_release(&m);
	ck_assert_ptr_null(m.slots);
}
END_TEST

/* Every item under one hash: equality alone tells them apart. */
START_TEST(test_collisions)
{
	struct hashmap m = { 0 };
	size_t i;

	for (i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "c%zu", i);
		hashmap_put(&m, 42, i);
	}
	for (i = 0; i < 200; i++)
		ck_assert_uint_eq(hashmap_find(&m, 42, names[i], eq_name), i);
	ck_assert_uint_eq(hashmap_find(&m, 42, "c200", eq_name), HASHMAP_NONE);
	ck_assert_uint_eq(hashmap_find(&m, 43, "c1", eq_name), HASHMAP_NONE);
	hashmap_release(&m);
}
END_TEST

Suite *
hashmap_suite(void)
{
	Suite *s = suite_create("hashmap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fnv_vectors);
	tcase_add_test(tc, test_find_put_grow);
	tcase_add_test(tc, test_collisions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hashmap_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
