/*
 * check_shard.c - the split of a run into N parts: every job exactly
 * once, components whole, longest first, the same split whatever the
 * input order; K/N and CI_NODE_* parsing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"

/* A synthetic plan: hooks over two strategies, chains, spread hooks. */
struct fake {
	struct shard_hook *h;
	size_t n;
	char **names;
	size_t **deps;
	double **w;
};

static unsigned long rng;

static unsigned
next(unsigned mod)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % mod);
}

static void
fake_make(struct fake *f, size_t n, unsigned long seed)
{
	size_t i, j;

	rng = seed;
	f->n = n;
	f->h = calloc(n, sizeof(*f->h));
	f->names = calloc(n, sizeof(*f->names));
	f->deps = calloc(n, sizeof(*f->deps));
	f->w = calloc(n, sizeof(*f->w));
	for (i = 0; i < n; i++) {
		struct shard_hook *h = &f->h[i];
		char name[32];

		snprintf(name, sizeof(name), "hook-%03zu", i);
		f->names[i] = xstrdup(name);
		h->name = f->names[i];
		h->strategy = i % 3 == 0 ? "lint" : "test";
		h->spread = next(2) == 0;
		h->njobs = h->spread ? 1 + next(6) : 1;
		f->w[i] = calloc(h->njobs, sizeof(double));
		for (j = 0; j < h->njobs; j++)
			f->w[i][j] = next(5) == 0 ? 10 + next(50) : 1 + next(4);
		h->weight = f->w[i];
		/* Some hooks depend on an earlier one of their strategy. */
		f->deps[i] = calloc(2, sizeof(size_t));
		if (i >= 3 && next(4) == 0) {
			f->deps[i][0] = i - 3;
			h->ndeps = 1;
		}
		h->deps = f->deps[i];
	}
}

static void
fake_free(struct fake *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->deps[i]);
		free(f->w[i]);
	}
	free(f->names);
	free(f->deps);
	free(f->w);
	free(f->h);
}

static size_t
total_jobs(const struct fake *f)
{
	size_t i, t = 0;

	for (i = 0; i < f->n; i++)
		t += f->h[i].njobs;
	return t;
}

START_TEST(test_partition)
{
	struct fake f;
	unsigned n, k;
	size_t i, j;

	fake_make(&f, 120, 7);
	for (n = 1; n <= 8; n++) {
		struct shard_split s;
		size_t *count = calloc(n, sizeof(*count)), seen = 0;
		double total = 0, loads = 0;

		shard_split(&s, f.h, f.n, n);
		ck_assert_uint_eq(s.n, n);
		ck_assert_uint_eq(s.first[f.n], total_jobs(&f));
		for (i = 0; i < f.n; i++)
			for (j = 0; j < f.h[i].njobs; j++) {
				k = shard_of(&s, i, j);
				ck_assert_uint_lt(k, n);
				ck_assert(shard_has_hook(&s, i, k));
				count[k]++;
				total += f.h[i].weight[j];
			}
		/* The parts, put together, are every job once. */
		for (k = 0; k < n; k++) {
			seen += count[k];
			loads += s.load[k];
		}
		ck_assert_uint_eq(seen, total_jobs(&f));
		ck_assert_double_eq_tol(loads, total, 1e-9);
		/* A hook is in a shard exactly when one of its jobs is. */
		for (i = 0; i < f.n; i++)
			for (k = 0; k < n; k++) {
				bool has = false;

				for (j = 0; j < f.h[i].njobs; j++)
					has |= shard_of(&s, i, j) == k;
				ck_assert(has == shard_has_hook(&s, i, k));
			}
		shard_split_release(&s);
		free(count);
	}
	fake_free(&f);
}
END_TEST

START_TEST(test_chains_together)
{
	struct fake f;
	unsigned n;
	size_t i, j, spread_seen = 0;

	fake_make(&f, 200, 11);
	for (n = 2; n <= 8; n++) {
		struct shard_split s;

		shard_split(&s, f.h, f.n, n);
		for (i = 0; i < f.n; i++) {
			bool joined = f.h[i].ndeps > 0;
			size_t x;

			for (x = 0; x < f.n; x++)
				for (j = 0; j < f.h[x].ndeps; j++)
					joined |= f.h[x].deps[j] == i;
			/* A hook with a dependency either way, or one that
			   may not spread: all its jobs in one shard, with
			   those of the hooks it depends on. */
			if (joined || !f.h[i].spread)
				for (j = 1; j < f.h[i].njobs; j++)
					ck_assert_uint_eq(shard_of(&s, i, j),
							  shard_of(&s, i, 0));
			for (j = 0; j < f.h[i].ndeps; j++)
				ck_assert_uint_eq(shard_of(&s, i, 0),
						  shard_of(&s, f.h[i].deps[j], 0));
			if (!joined && f.h[i].spread && n == 8)
				for (j = 1; j < f.h[i].njobs; j++)
					spread_seen += shard_of(&s, i, j) !=
						       shard_of(&s, i, 0);
		}
		shard_split_release(&s);
	}
	/* And a hook that may spread does, somewhere. */
	ck_assert_uint_gt(spread_seen, 0);
	fake_free(&f);
}
END_TEST

START_TEST(test_deep_chain_one_shard)
{
	enum { N = 5000 };
	struct shard_hook *h = calloc(N, sizeof(*h));
	size_t *deps = calloc(N, sizeof(*deps));
	double *w = calloc(N, sizeof(*w));
	char (*names)[16] = calloc(N, sizeof(*names));
	struct shard_split s;
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "h%zu", i);
		h[i].strategy = "s";
		h[i].name = names[i];
		h[i].njobs = 1;
		w[i] = 1;
		h[i].weight = &w[i];
		h[i].spread = true;
		if (i > 0) {
			deps[i] = i - 1;
			h[i].deps = &deps[i];
			h[i].ndeps = 1;
		}
	}
	shard_split(&s, h, N, 4);
	for (i = 1; i < N; i++)
		ck_assert_uint_eq(shard_of(&s, i, 0), shard_of(&s, 0, 0));
	/* The whole chain is one unit: shard 1 (the first) takes it. */
	ck_assert_uint_eq(shard_of(&s, 0, 0), 0);
	ck_assert_double_eq(s.load[0], N);
	ck_assert_double_eq(shard_wall(&s, h, N, 0, 8), N);
	shard_split_release(&s);
	free(names);
	free(w);
	free(deps);
	free(h);
}
END_TEST

static bool
same_split(const struct shard_split *a, const struct shard_split *b)
{
	size_t j;

	if (a->first[a->nhooks] != b->first[b->nhooks])
		return false;
	for (j = 0; j < a->first[a->nhooks]; j++)
		if (a->shard[j] != b->shard[j])
			return false;
	return true;
}

START_TEST(test_deterministic)
{
	struct fake f;
	struct shard_hook *perm;
	size_t *where, *inv, **pdeps, i, j, t;
	unsigned n;

	fake_make(&f, 150, 23);
	/* The same hooks in a shuffled order, dependencies renumbered. */
	perm = calloc(f.n, sizeof(*perm));
	where = calloc(f.n, sizeof(*where));
	inv = calloc(f.n, sizeof(*inv));
	pdeps = calloc(f.n, sizeof(*pdeps));
	for (i = 0; i < f.n; i++)
		where[i] = i;
	rng = 99;
	for (i = f.n - 1; i > 0; i--) {
		j = next((unsigned)i + 1);
		t = where[i];
		where[i] = where[j];
		where[j] = t;
	}
	for (i = 0; i < f.n; i++)
		inv[where[i]] = i;      /* original i sits at inv[i] */
	for (i = 0; i < f.n; i++) {
		const struct shard_hook *o = &f.h[where[i]];

		perm[i] = *o;
		pdeps[i] = calloc(o->ndeps + 1, sizeof(size_t));
		for (j = 0; j < o->ndeps; j++)
			pdeps[i][j] = inv[o->deps[j]];
		perm[i].deps = pdeps[i];
	}
	for (n = 1; n <= 8; n++) {
		struct shard_split a, b, c;

		shard_split(&a, f.h, f.n, n);
		shard_split(&b, f.h, f.n, n);
		shard_split(&c, perm, f.n, n);
		ck_assert(same_split(&a, &b));
		for (i = 0; i < f.n; i++)
			for (j = 0; j < f.h[i].njobs; j++)
				ck_assert_uint_eq(shard_of(&a, i, j),
						  shard_of(&c, inv[i], j));
		for (i = 0; i < n; i++)
			ck_assert(a.load[i] == c.load[i]);
		shard_split_release(&a);
		shard_split_release(&b);
		shard_split_release(&c);
	}
	for (i = 0; i < f.n; i++)
		free(pdeps[i]);
	free(pdeps);
	free(inv);
	free(where);
	free(perm);
	fake_free(&f);
}
END_TEST

/* Hooks a..f, one job each, no dependencies, weights as given. */
static void
six(struct shard_hook *h, double *w)
{
	static const char *const names[] = { "a", "b", "c", "d", "e", "f" };
	size_t i;

	memset(h, 0, 6 * sizeof(*h));
	for (i = 0; i < 6; i++) {
		h[i].strategy = "s";
		h[i].name = names[i];
		h[i].njobs = 1;
		h[i].weight = &w[i];
	}
}

START_TEST(test_lpt)
{
	struct shard_hook h[6];
	double w[6] = { 3, 7, 2, 5, 4, 3 };
	struct shard_split s;

	six(h, w);
	/* Longest first: b7 -> 0, d5 -> 1, e4 -> 1 (9), a3 -> 0 (10),
	   f3 -> 1 (12), c2 -> 0 (12); a and f tie at 3: a, first by
	   key, goes first. */
	shard_split(&s, h, 6, 2);
	ck_assert_uint_eq(shard_of(&s, 1, 0), 0);       /* b */
	ck_assert_uint_eq(shard_of(&s, 3, 0), 1);       /* d */
	ck_assert_uint_eq(shard_of(&s, 4, 0), 1);       /* e */
	ck_assert_uint_eq(shard_of(&s, 0, 0), 0);       /* a */
	ck_assert_uint_eq(shard_of(&s, 5, 0), 1);       /* f */
	ck_assert_uint_eq(shard_of(&s, 2, 0), 0);       /* c */
	ck_assert_double_eq(s.load[0], 12);
	ck_assert_double_eq(s.load[1], 12);
	shard_split_release(&s);

	/* The history changes: c is now the longest; the split follows. */
	w[2] = 20;
	shard_split(&s, h, 6, 2);
	ck_assert_uint_eq(shard_of(&s, 2, 0), 0);
	ck_assert_uint_eq(shard_of(&s, 1, 0), 1);
	ck_assert_uint_eq(shard_of(&s, 3, 0), 1);
	ck_assert_uint_eq(shard_of(&s, 4, 0), 1);
	ck_assert_uint_eq(shard_of(&s, 0, 0), 1);
	ck_assert_uint_eq(shard_of(&s, 5, 0), 1);
	ck_assert_double_eq(s.load[0], 20);
	ck_assert_double_eq(s.load[1], 22);
	shard_split_release(&s);

	/* All equal (no history, one file each): by key, round the
	   shards: a b c d e f -> 0 1 2 0 1 2. */
	for (size_t i = 0; i < 6; i++)
		w[i] = 1;
	shard_split(&s, h, 6, 3);
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(shard_of(&s, i, 0), i % 3);
	shard_split_release(&s);
}
END_TEST

START_TEST(test_spread_batches)
{
	double w[8] = { 1, 1, 1, 1, 1, 1, 1, 1 }, one = 8;
	struct shard_hook h[2];
	struct shard_split s;
	unsigned count[4] = { 0 };
	size_t j;

	memset(h, 0, sizeof(h));
	h[0].strategy = "s";
	h[0].name = "lint";
	h[0].njobs = 8;
	h[0].weight = w;
	h[0].spread = true;
	h[1].strategy = "s";
	h[1].name = "make";
	h[1].njobs = 1;
	h[1].weight = &one;
	/* make (8) alone on one shard, lint's 8 batches over the other 3. */
	shard_split(&s, h, 2, 4);
	ck_assert_uint_eq(shard_of(&s, 1, 0), 0);
	for (j = 0; j < 8; j++)
		count[shard_of(&s, 0, j)]++;
	ck_assert_uint_eq(count[0], 0);
	ck_assert_uint_eq(count[1] + count[2] + count[3], 8);
	ck_assert_uint_le(count[1], 3);
	ck_assert_uint_le(count[2], 3);
	ck_assert_uint_le(count[3], 3);
	ck_assert(!shard_has_hook(&s, 0, 0));
	ck_assert(shard_has_hook(&s, 0, 1));
	/* At 2 workers: shard 1's 3 batches take 1.5, not less than one. */
	ck_assert_double_eq(shard_wall(&s, h, 2, 1, 2), count[1] / 2.0);
	ck_assert_double_eq(shard_wall(&s, h, 2, 0, 2), 8);
	shard_split_release(&s);

	/* Not allowed to spread (a hook whose batches are kept): whole. */
	h[0].spread = false;
	shard_split(&s, h, 2, 4);
	for (j = 1; j < 8; j++)
		ck_assert_uint_eq(shard_of(&s, 0, j), shard_of(&s, 0, 0));
	shard_split_release(&s);
}
END_TEST

START_TEST(test_wall)
{
	struct shard_hook h[3];
	double w[3] = { 3, 2, 4 };
	size_t dep = 0;
	struct shard_split s;

	memset(h, 0, sizeof(h));
	h[0].strategy = h[1].strategy = h[2].strategy = "s";
	h[0].name = "a";
	h[1].name = "b";
	h[2].name = "c";
	h[0].njobs = h[1].njobs = h[2].njobs = 1;
	h[0].weight = &w[0];
	h[1].weight = &w[1];
	h[2].weight = &w[2];
	h[1].deps = &dep;       /* b after a */
	h[1].ndeps = 1;
	shard_split(&s, h, 3, 1);
	/* 9 over 2 workers is 4.5, but a then b takes 5. */
	ck_assert_double_eq(shard_wall(&s, h, 3, 0, 2), 5);
	ck_assert_double_eq(shard_wall(&s, h, 3, 0, 1), 9);
	ck_assert_double_eq(shard_wall(&s, h, 3, 0, 0), 9);
	shard_split_release(&s);
	/* Two shards: a+b (5) on one, c (4) on the other. */
	shard_split(&s, h, 3, 2);
	ck_assert_uint_eq(shard_of(&s, 0, 0), shard_of(&s, 1, 0));
	ck_assert_uint_ne(shard_of(&s, 0, 0), shard_of(&s, 2, 0));
	ck_assert_double_eq(shard_wall(&s, h, 3, shard_of(&s, 2, 0), 4), 4);
	shard_split_release(&s);
	/* No hooks at all: every shard empty. */
	shard_split(&s, NULL, 0, 3);
	ck_assert_double_eq(s.load[2], 0);
	ck_assert_double_eq(shard_wall(&s, NULL, 0, 2, 4), 0);
	shard_split_release(&s);
}
END_TEST

START_TEST(test_parse)
{
	static const char *const bad[] = {
		"", "2", "/4", "2/", "0/4", "5/4", "a/4", "2/b", "2/4x",
		" 2/4", "-1/4", "2/0", "1/10001", "1/999999999999", "2//4",
		"+2/4"
	};
	struct err e;
	unsigned k, n;
	size_t i;

	ck_assert_int_eq(shard_parse("2/4", &k, &n, &e), 0);
	ck_assert_uint_eq(k, 2);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(shard_parse("1/1", &k, &n, &e), 0);
	ck_assert_int_eq(shard_parse("10000/10000", &k, &n, &e), 0);
	ck_assert_int_eq(shard_parse("007/08", &k, &n, &e), 0);
	ck_assert_uint_eq(k, 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(shard_parse(bad[i], &k, &n, &e) == -1, "%s",
			      bad[i]);
		ck_assert_ptr_nonnull(strstr(e.msg, bad[i]));
	}
}
END_TEST

START_TEST(test_env)
{
	struct err e;
	unsigned k, n;

	ck_assert_int_eq(shard_from_env(NULL, NULL, &k, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(shard_from_env("3", NULL, &k, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(shard_from_env(NULL, "1", &k, &n, &e), 0);
	ck_assert_uint_eq(k, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(shard_from_env("1", "1", &k, &n, &e), 0);
	ck_assert_int_eq(shard_from_env("2", "4", &k, &n, &e), 0);
	ck_assert_uint_eq(k, 2);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(shard_from_env("4", "4", &k, &n, &e), 0);

	ck_assert_int_eq(shard_from_env("0", "4", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_INDEX"));
	ck_assert_int_eq(shard_from_env("5", "4", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_INDEX"));
	ck_assert_int_eq(shard_from_env("2", "1", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_INDEX"));
	ck_assert_int_eq(shard_from_env(NULL, "4", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_INDEX"));
	ck_assert_int_eq(shard_from_env("1", "0", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_TOTAL"));
	ck_assert_int_eq(shard_from_env("1", "four", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_TOTAL"));
	ck_assert_int_eq(shard_from_env("1", "", &k, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "CI_NODE_TOTAL"));
}
END_TEST

static Suite *
shard_suite(void)
{
	Suite *s = suite_create("shard");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_partition);
	tcase_add_test(tc, test_chains_together);
	tcase_add_test(tc, test_deep_chain_one_shard);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_lpt);
	tcase_add_test(tc, test_spread_batches);
	tcase_add_test(tc, test_wall);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_env);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shard_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
