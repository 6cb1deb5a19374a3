/*
 * check_conflicts.c - unit tests for conflicts.[ch]: who may run with
 * whom, built from file sets (a fixer and a hook sharing a file
 * conflict; two checkers sharing one do not; hooks without patterns
 * stand for every file), and the set of hooks holding their files,
 * also under threads.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "conflicts.h"

Suite *conflicts_suite(void);

static struct conflict_hook
hook(int fixer, const char *const *files, size_t n)
{
	struct conflict_hook h = { fixer, 0, files, n, NULL };

	return h;
}

START_TEST(test_no_fixer_no_graph)
{
	static const char *const a[] = { "x.py", "y.py" };
	struct conflict_hook h[2];

	h[0] = hook(0, a, 2);
	h[1] = hook(0, a, 2);
	/* Two checkers on the same files: nothing to keep apart. */
	ck_assert_ptr_null(conflicts_new(h, 2));
	ck_assert_int_eq(conflicts_enter(NULL, 0), 1);
	ck_assert_int_eq(conflicts_between(NULL, 0, 1), 0);
}
END_TEST

START_TEST(test_pairs_from_file_sets)
{
	static const char *const fix[] = { "src/a.py", "src/b.py" };
	static const char *const chk_shared[] = { "README", "src/b.py" };
	static const char *const chk_other[] = { "README", "docs/x.md" };
	static const char *const fix2[] = { "docs/x.md" };
	struct conflict_hook h[6];
	struct conflicts *c;

	h[0] = hook(1, fix, 2);                 /* fixer */
	h[1] = hook(0, chk_shared, 2);          /* shares src/b.py with 0 */
	h[2] = hook(0, chk_other, 2);           /* shares docs/x.md with 4 */
	h[3] = hook(0, chk_shared, 2);          /* like 1 */
	h[4] = hook(1, fix2, 1);                /* fixer of docs/x.md */
	h[5] = hook(0, NULL, 0);                /* no files: never runs */
	c = conflicts_new(h, 6);
	ck_assert_ptr_nonnull(c);
	ck_assert(conflicts_between(c, 0, 1));
	ck_assert(conflicts_between(c, 1, 0));
	ck_assert(conflicts_between(c, 0, 3));
	ck_assert(!conflicts_between(c, 1, 3));  /* two checkers */
	ck_assert(!conflicts_between(c, 0, 2));  /* nothing shared */
	ck_assert(!conflicts_between(c, 0, 4));  /* two fixers, apart */
	ck_assert(conflicts_between(c, 2, 4));
	ck_assert(!conflicts_between(c, 1, 4));
	ck_assert(!conflicts_between(c, 0, 0));
	ck_assert(!conflicts_any(c, 5));
	ck_assert_uint_eq(c->nedges, 3);
	conflicts_free(c);
}
END_TEST

/* Hooks that read back the same log never overlap, fixers or not; a
   log of their own keeps them apart from nobody. */
START_TEST(test_shared_log)
{
	static const char *const a[] = { "a.py" };
	static const char *const b[] = { "b.py" };
	struct conflict_hook h[4];
	struct conflicts *c;

	h[0] = hook(0, a, 1);
	h[0].log = "/w/semgrep.sarif";
	h[1] = hook(0, b, 1);
	h[1].log = "/w/semgrep.sarif";
	h[2] = hook(0, a, 1);
	h[2].log = "/w/other.sarif";
	h[3] = hook(0, a, 1);
	c = conflicts_new(h, 4);
	ck_assert_ptr_nonnull(c);
	ck_assert(conflicts_between(c, 0, 1));
	ck_assert(!conflicts_between(c, 0, 2));
	ck_assert(!conflicts_between(c, 1, 2));
	ck_assert(!conflicts_any(c, 3));
	ck_assert_uint_eq(c->nedges, 1);
	ck_assert_int_eq(conflicts_enter(c, 0), 1);
	ck_assert_int_eq(conflicts_enter(c, 1), 0);
	ck_assert_int_eq(conflicts_enter(c, 2), 1);
	conflicts_leave(c, 0);
	ck_assert_int_eq(conflicts_enter(c, 1), 1);
	conflicts_free(c);
	/* Different logs and no fixer: nothing to enforce. */
	h[1].log = "/w/b.sarif";
	ck_assert_ptr_null(conflicts_new(h, 4));
}
END_TEST

START_TEST(test_two_fixers_share)
{
	static const char *const a[] = { "f.c" };
	static const char *const b[] = { "g.c", "f.c" };
	struct conflict_hook h[2];
	struct conflicts *c;

	h[0] = hook(1, a, 1);
	h[1] = hook(1, b, 2);
	c = conflicts_new(h, 2);
	ck_assert_ptr_nonnull(c);
	ck_assert(conflicts_between(c, 0, 1));
	ck_assert_uint_eq(c->nedges, 1);
	conflicts_free(c);
}
END_TEST

START_TEST(test_without_patterns_is_every_file)
{
	static const char *const a[] = { "a.py" };
	static const char *const b[] = { "b.md" };
	struct conflict_hook h[5];
	struct conflicts *c;

	h[0] = hook(1, a, 1);                   /* fixer of a.py */
	h[1] = hook(0, NULL, 0);
	h[1].all = 1;                           /* `make test`: everything */
	h[2] = hook(0, b, 1);
	h[3] = hook(1, NULL, 0);
	h[3].all = 1;                           /* `cargo fmt`: everything */
	h[4] = hook(0, NULL, 0);                /* matched nothing */
	c = conflicts_new(h, 5);
	ck_assert_ptr_nonnull(c);
	ck_assert(conflicts_between(c, 0, 1));
	ck_assert(!conflicts_between(c, 0, 2));
	ck_assert(conflicts_between(c, 3, 0));
	ck_assert(conflicts_between(c, 3, 1));
	ck_assert(conflicts_between(c, 3, 2));
	ck_assert(!conflicts_between(c, 1, 2));
	ck_assert(!conflicts_any(c, 4));
	conflicts_free(c);
}
END_TEST

START_TEST(test_enter_leave)
{
	static const char *const a[] = { "x" };
	static const char *const b[] = { "y" };
	struct conflict_hook h[4];
	struct conflicts *c;

	h[0] = hook(1, a, 1);                   /* fixer of x */
	h[1] = hook(0, a, 1);                   /* checker of x */
	h[2] = hook(0, a, 1);                   /* checker of x */
	h[3] = hook(0, b, 1);                   /* y: free */
	c = conflicts_new(h, 4);
	ck_assert_ptr_nonnull(c);
	/* Two checkers together, the fixer waits for both. */
	ck_assert_int_eq(conflicts_enter(c, 1), 1);
	ck_assert_int_eq(conflicts_enter(c, 2), 1);
	ck_assert_int_eq(conflicts_enter(c, 0), 0);
	ck_assert_int_eq(conflicts_enter(c, 3), 1);
	conflicts_leave(c, 1);
	ck_assert_int_eq(conflicts_enter(c, 0), 0);
	conflicts_leave(c, 2);
	ck_assert_int_eq(conflicts_enter(c, 0), 1);
	ck_assert_int_eq(conflicts_enter(c, 0), 1);     /* again: still in */
	/* Now the checkers wait; the hook of y never does. */
	ck_assert_int_eq(conflicts_enter(c, 1), 0);
	ck_assert_int_eq(conflicts_enter(c, 2), 0);
	conflicts_leave(c, 3);
	ck_assert_int_eq(conflicts_enter(c, 3), 1);
	conflicts_leave(c, 0);
	ck_assert_int_eq(conflicts_enter(c, 1), 1);
	conflicts_free(c);
}
END_TEST

/* Threads: a fixer and two checkers race to enter; never together. */
static struct conflicts *tc;
static atomic_int inside_fixer, inside_checkers, bad;

static void *
racer(void *arg)
{
	size_t h = (size_t)(long)arg;
	int i;

	for (i = 0; i < 20000; i++) {
		if (!conflicts_enter(tc, h))
			continue;
		if (h == 0) {
			atomic_fetch_add(&inside_fixer, 1);
			if (atomic_load(&inside_checkers) != 0)
				atomic_store(&bad, 1);
			atomic_fetch_sub(&inside_fixer, 1);
		} else {
			atomic_fetch_add(&inside_checkers, 1);
			if (atomic_load(&inside_fixer) != 0)
				atomic_store(&bad, 1);
			atomic_fetch_sub(&inside_checkers, 1);
		}
		conflicts_leave(tc, h);
	}
	return NULL;
}

START_TEST(test_threads_never_together)
{
	static const char *const a[] = { "x" };
	struct conflict_hook h[3];
	pthread_t t[3];
	long i;

	h[0] = hook(1, a, 1);
	h[1] = hook(0, a, 1);
	h[2] = hook(0, a, 1);
	tc = conflicts_new(h, 3);
	ck_assert_ptr_nonnull(tc);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, (void *)i), 0);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&bad), 0);
	conflicts_free(tc);
}
END_TEST

START_TEST(test_many_hooks_one_fixer)
{
	enum { N = 2000 };
	static char names[N][16];
	static const char *paths[N];
	struct conflict_hook *h = calloc(N, sizeof(*h));
	struct conflicts *c;
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		paths[i] = names[i];
	}
	h[0] = hook(1, paths, N);               /* fixer of all N files */
	for (i = 1; i < N; i++)
		h[i] = hook(0, &paths[i], 1);   /* each a checker of one */
	c = conflicts_new(h, N);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nwith[0], N - 1);
	for (i = 1; i < N; i++) {
		ck_assert_uint_eq(c->nwith[i], 1);
		ck_assert(conflicts_between(c, i, 0));
	}
	conflicts_free(c);
	free(h);
}
END_TEST

Suite *
conflicts_suite(void)
{
	Suite *s = suite_create("conflicts");
	TCase *tc_core = tcase_create("core");

	tcase_add_test(tc_core, test_no_fixer_no_graph);
	tcase_add_test(tc_core, test_pairs_from_file_sets);
	tcase_add_test(tc_core, test_shared_log);
	tcase_add_test(tc_core, test_two_fixers_share);
	tcase_add_test(tc_core, test_without_patterns_is_every_file);
	tcase_add_test(tc_core, test_enter_leave);
	tcase_add_test(tc_core, test_threads_never_together);
	tcase_add_test(tc_core, test_many_hooks_one_fixer);
	tcase_set_timeout(tc_core, 30);
	suite_add_tcase(s, tc_core);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conflicts_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
