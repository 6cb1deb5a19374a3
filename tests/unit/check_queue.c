/*
 * check_queue.c - unit tests for queue.[ch].
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"

Suite *queue_suite(void);

/* A small deterministic PRNG (xorshift64*), so runs are repeatable. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Fisher-Yates shuffle of v[0..n). */
static void
shuffle(struct job **v, size_t n, uint64_t *s)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)(rng_next(s) % i);
		struct job *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* qsort comparator: the order queue_pop promises. */
static int
cmp_pop_order(const void *pa, const void *pb)
{
	const struct job *a = *(struct job *const *)pa;
	const struct job *b = *(struct job *const *)pb;

	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

/* Sleep about one millisecond. */
static void
nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until `want` threads are blocked in queue_pop. */
static int
wait_for_waiters(struct queue *q, unsigned want)
{
	int i;

	for (i = 0; i < 20000; i++) {
		unsigned w;

		pthread_mutex_lock(&q->mu);
		w = q->waiting;
		pthread_mutex_unlock(&q->mu);
		if (w == want)
			return 1;
		nap();
	}
	return 0;
}

START_TEST(test_empty)
{
	struct queue q;

	queue_init(&q);
	ck_assert_uint_eq(q.heap.n, 0);
	queue_close(&q);
	ck_assert_ptr_null(queue_pop(&q));
	queue_release(&q);
}
END_TEST

START_TEST(test_priority_then_order)
{
	struct queue q;
	struct job j[6] = {
		{ .priority = 1, .order = 5 },
		{ .priority = 3, .order = 9 },
		{ .priority = -2, .order = 0 },
		{ .priority = 3, .order = 2 },
		{ .priority = 1, .order = 1 },
		{ .priority = 0, .order = 0 },
	};
	/* priority desc, then order asc */
	const int want[6] = { 3, 1, 4, 0, 5, 2 };
	size_t i;

	queue_init(&q);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(queue_push(&q, &j[i]), 0);
	ck_assert_uint_eq(q.heap.n, 6);
	for (i = 0; i < 6; i++)
		ck_assert_ptr_eq(queue_pop(&q), &j[want[i]]);
	ck_assert_uint_eq(q.heap.n, 0);
	queue_release(&q);
}
END_TEST

START_TEST(test_fifo_among_equals)
{
	struct queue q;
	struct job j[100];
	size_t i;

	queue_init(&q);
	for (i = 0; i < 100; i++) {
		j[i] = (struct job){ .priority = 7, .order = 3 };
		ck_assert_int_eq(queue_push(&q, &j[i]), 0);
		ck_assert_uint_eq(j[i].seq, i);
	}
	for (i = 0; i < 100; i++)
		ck_assert_ptr_eq(queue_pop(&q), &j[i]);
	queue_release(&q);
}
END_TEST

START_TEST(test_extreme_priorities)
{
	struct queue q;
	struct job lo = { .priority = LLONG_MIN, .order = 0 };
	struct job hi = { .priority = LLONG_MAX, .order = ULLONG_MAX };
	struct job mid = { .priority = 0, .order = 0 };
	struct job hi0 = { .priority = LLONG_MAX, .order = 0 };

	queue_init(&q);
	queue_push(&q, &lo);
	queue_push(&q, &hi);
	queue_push(&q, &mid);
	queue_push(&q, &hi0);
	ck_assert_ptr_eq(queue_pop(&q), &hi0);
	ck_assert_ptr_eq(queue_pop(&q), &hi);
	ck_assert_ptr_eq(queue_pop(&q), &mid);
	ck_assert_ptr_eq(queue_pop(&q), &lo);
	queue_release(&q);
}
END_TEST

#define SHUFFLED_N 2000

/* Push SHUFFLED_N jobs in a seeded random order; pop must match a sort. */
START_TEST(test_shuffled_against_sort)
{
	static struct job jobs[SHUFFLED_N];
	static struct job *pushed[SHUFFLED_N], *want[SHUFFLED_N];
	uint64_t s = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	struct queue q;
	size_t i;

	for (i = 0; i < SHUFFLED_N; i++) {
		/* narrow ranges so that many ties need the later keys */
		jobs[i].priority = (long long)(rng_next(&s) % 7) - 3;
		jobs[i].order = rng_next(&s) % 5;
		jobs[i].seq = ULLONG_MAX;
		pushed[i] = &jobs[i];
	}
	shuffle(pushed, SHUFFLED_N, &s);

	queue_init(&q);
	for (i = 0; i < SHUFFLED_N; i++) {
		ck_assert_int_eq(queue_push(&q, pushed[i]), 0);
		ck_assert_uint_eq(pushed[i]->seq, i);
		want[i] = pushed[i];
	}
	qsort(want, SHUFFLED_N, sizeof(want[0]), cmp_pop_order);
	/* sanity: the expectation really mixes all three keys */
	ck_assert_int_eq(want[0]->priority, 3);
	ck_assert_int_eq(want[SHUFFLED_N - 1]->priority, -3);

	for (i = 0; i < SHUFFLED_N; i++) {
		struct job *got = queue_pop(&q);

		ck_assert_msg(got == want[i],
			      "pop %zu: got (%lld,%llu,%llu) want (%lld,%llu,%llu)",
			      i, got->priority, got->order, got->seq,
			      want[i]->priority, want[i]->order, want[i]->seq);
	}
	ck_assert_uint_eq(q.heap.n, 0);
	queue_release(&q);
}
END_TEST

/* Interleave pushes and pops; every pop is the best of what is queued. */
START_TEST(test_interleaved)
{
	static struct job jobs[1000];
	uint64_t s = 12345;
	struct queue q;
	size_t i, pushed = 0, popped = 0;

	queue_init(&q);
	while (popped < 1000) {
		if (pushed < 1000 && (rng_next(&s) % 3 != 0 ||
				      pushed == popped)) {
			jobs[pushed].priority = (long long)(rng_next(&s) % 10);
			jobs[pushed].order = rng_next(&s) % 3;
			ck_assert_int_eq(queue_push(&q, &jobs[pushed]), 0);
			pushed++;
		} else {
			struct job *got = queue_pop(&q);
			struct job *best = NULL;

			/* find the best job still queued by brute force */
			for (i = 0; i < pushed; i++) {
				if (jobs[i].data != NULL)
					continue;
				if (best == NULL ||
				    cmp_pop_order(&(struct job *){ &jobs[i] },
						  &best) < 0)
					best = &jobs[i];
			}
			ck_assert_ptr_eq(got, best);
			got->data = got;        /* mark popped */
			popped++;
		}
	}
	ck_assert_uint_eq(q.heap.n, 0);
	queue_release(&q);
}
END_TEST

START_TEST(test_push_after_close)
{
	struct queue q;
	struct job a = { .priority = 1 }, b = { .priority = 2 };

	queue_init(&q);
	ck_assert_int_eq(queue_push(&q, &a), 0);
	queue_close(&q);
	ck_assert_int_eq(queue_push(&q, &b), -1);
	ck_assert_uint_eq(q.heap.n, 1);
	ck_assert_ptr_eq(queue_pop(&q), &a);
	ck_assert_ptr_null(queue_pop(&q));
	queue_release(&q);
}
END_TEST

START_TEST(test_pop_after_close)
{
	struct queue q;
	struct job j[3] = {
		{ .priority = 0 }, { .priority = 5 }, { .priority = 2 },
	};
	size_t i;

	queue_init(&q);
	for (i = 0; i < 3; i++)
		queue_push(&q, &j[i]);
	queue_close(&q);
	ck_assert_ptr_eq(queue_pop(&q), &j[1]);
	ck_assert_ptr_eq(queue_pop(&q), &j[2]);
	ck_assert_ptr_eq(queue_pop(&q), &j[0]);
	ck_assert_ptr_null(queue_pop(&q));
	ck_assert_ptr_null(queue_pop(&q));
	queue_release(&q);
}
END_TEST

/* 300 random priorities pop in exactly the sorted order; after close
   what is queued still pops, then NULL. */
START_TEST(test_pop_order_random)
{
	static struct job jobs[300];
	struct job *want[300];
	uint64_t s = 777;
	struct queue q;
	size_t i;

	queue_init(&q);
	for (i = 0; i < 300; i++) {
		jobs[i].priority = (long long)(rng_next(&s) % 4);
		jobs[i].order = rng_next(&s) % 4;
		queue_push(&q, &jobs[i]);
		want[i] = &jobs[i];
	}
	qsort(want, 300, sizeof(want[0]), cmp_pop_order);
	queue_close(&q);
	for (i = 0; i < 300; i++)
		ck_assert_ptr_eq(queue_pop(&q), want[i]);
	ck_assert_uint_eq(q.heap.n, 0);
	ck_assert_ptr_null(queue_pop(&q));
	queue_release(&q);
}
END_TEST

/* Threads */

struct popper {
	pthread_t tid;
	struct queue *q;
	struct job *got;
};

static void *
popper_main(void *arg)
{
	struct popper *p = arg;

	p->got = queue_pop(p->q);
	return NULL;
}

START_TEST(test_pop_blocks_until_push)
{
	struct queue q;
	struct popper p = { .q = &q };
	struct job j = { .priority = 4 };

	queue_init(&q);
	ck_assert_int_eq(pthread_create(&p.tid, NULL, popper_main, &p), 0);
	/* the popper is really blocked before we push */
	ck_assert_msg(wait_for_waiters(&q, 1), "popper never blocked");
	ck_assert_int_eq(queue_push(&q, &j), 0);
	ck_assert_int_eq(pthread_join(p.tid, NULL), 0);
	ck_assert_ptr_eq(p.got, &j);
	ck_assert_uint_eq(q.waiting, 0);
	ck_assert_uint_eq(q.heap.n, 0);
	queue_release(&q);
}
END_TEST

#define NPOPPERS 6

START_TEST(test_close_wakes_all)
{
	struct queue q;
	struct popper p[NPOPPERS];
	struct job sentinel;
	size_t i;

	queue_init(&q);
	for (i = 0; i < NPOPPERS; i++) {
		p[i] = (struct popper){ .q = &q, .got = &sentinel };
		ck_assert_int_eq(pthread_create(&p[i].tid, NULL, popper_main,
						&p[i]), 0);
	}
	ck_assert_msg(wait_for_waiters(&q, NPOPPERS), "poppers never blocked");
	queue_close(&q);
	for (i = 0; i < NPOPPERS; i++) {
		ck_assert_int_eq(pthread_join(p[i].tid, NULL), 0);
		ck_assert_ptr_null(p[i].got);
	}
	ck_assert_uint_eq(q.waiting, 0);
	queue_release(&q);
}
END_TEST

#define NPROD 8
#define PER_PROD 10000
#define NCONS 4
#define NJOBS (NPROD * PER_PROD)

struct mpmc {
	struct queue q;
	struct job jobs[NJOBS];
	atomic_uint count[NJOBS];
	atomic_uint failed_pushes;
};

struct producer {
	pthread_t tid;
	struct mpmc *m;
	unsigned id;
};

struct consumer {
	pthread_t tid;
	struct mpmc *m;
	unsigned long popped;
};

static void *
producer_main(void *arg)
{
	struct producer *pr = arg;
	uint64_t s = 1000 + pr->id;
	unsigned i;

	for (i = 0; i < PER_PROD; i++) {
		size_t k = (size_t)pr->id * PER_PROD + i;
		struct job *j = &pr->m->jobs[k];

		j->priority = (long long)(rng_next(&s) % 16);
		j->order = k;
		j->data = (void *)(uintptr_t)k;
		if (queue_push(&pr->m->q, j) != 0)
			atomic_fetch_add(&pr->m->failed_pushes, 1);
	}
	return NULL;
}

static void *
consumer_main(void *arg)
{
	struct consumer *c = arg;
	struct job *j;

	while ((j = queue_pop(&c->m->q)) != NULL) {
		size_t k = (size_t)(uintptr_t)j->data;

		atomic_fetch_add(&c->m->count[k], 1);
		c->popped++;
	}
	return NULL;
}

START_TEST(test_many_producers_consumers)
{
	struct mpmc *m = calloc(1, sizeof(*m));
	struct producer pr[NPROD];
	struct consumer co[NCONS];
	unsigned long total = 0;
	size_t i;

	ck_assert_ptr_nonnull(m);
	queue_init(&m->q);
	for (i = 0; i < NJOBS; i++)
		atomic_init(&m->count[i], 0);
	atomic_init(&m->failed_pushes, 0);

	for (i = 0; i < NCONS; i++) {
		co[i] = (struct consumer){ .m = m };
		ck_assert_int_eq(pthread_create(&co[i].tid, NULL,
						consumer_main, &co[i]), 0);
	}
	for (i = 0; i < NPROD; i++) {
		pr[i] = (struct producer){ .m = m, .id = (unsigned)i };
		ck_assert_int_eq(pthread_create(&pr[i].tid, NULL,
						producer_main, &pr[i]), 0);
	}
	for (i = 0; i < NPROD; i++)
		ck_assert_int_eq(pthread_join(pr[i].tid, NULL), 0);
	queue_close(&m->q);
	for (i = 0; i < NCONS; i++) {
		ck_assert_int_eq(pthread_join(co[i].tid, NULL), 0);
		total += co[i].popped;
	}

	ck_assert_uint_eq(atomic_load(&m->failed_pushes), 0);
	ck_assert_uint_eq(total, NJOBS);
	for (i = 0; i < NJOBS; i++)
		ck_assert_msg(atomic_load(&m->count[i]) == 1,
			      "job %zu popped %u times", i,
			      atomic_load(&m->count[i]));
	ck_assert_uint_eq(m->q.heap.n, 0);
	ck_assert_uint_eq(m->q.seq, NJOBS);
	queue_release(&m->q);
	free(m);
}
END_TEST

Suite *
queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_priority_then_order);
	tcase_add_test(tc, test_fifo_among_equals);
	tcase_add_test(tc, test_extreme_priorities);
	tcase_add_loop_test(tc, test_shuffled_against_sort, 0, 5);
	tcase_add_test(tc, test_interleaved);
	tcase_add_test(tc, test_pop_order_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("close");
	tcase_add_test(tc, test_push_after_close);
	tcase_add_test(tc, test_pop_after_close);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pop_blocks_until_push);
	tcase_add_test(tc, test_close_wakes_all);
	tcase_add_test(tc, test_many_producers_consumers);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
