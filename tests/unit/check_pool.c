/*
 * check_pool.c - unit tests for pool.[ch] (on a real queue.[ch]).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "queue.h"

Suite *pool_suite(void);

#define MAXN 16
#define GATE_SECONDS 10         /* fail, don't hang, if a gate never opens */

/*
 * Shared state of one test. Jobs count how many run at once, check
 * that no two running jobs share a slot, and the "gated" ones wait
 * until `gate_n` of them are running together.
 */
struct ctx {
	unsigned n;                     /* pool size */
	atomic_uint running, max_running, done;
	atomic_uint bad_slots, slot_clashes;
	atomic_uint busy[MAXN];         /* 1 while a job runs on that slot */

	pthread_mutex_t mu;
	pthread_cond_t cond;            /* CLOCK_MONOTONIC */
	unsigned arrived, gate_n;       /* `mu` held */
	int gate_timeout;               /* `mu` held */
};

struct tjob {
	struct job job;
	struct ctx *ctx;
	atomic_uint runs;
	int gated;
	unsigned slot;                  /* where it last ran */
	size_t ran_at;                  /* order of running (1 worker) */
};

/* Jobs waiting in the queue, read under its lock (workers may run). */
static size_t
queued(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->heap.n;
	pthread_mutex_unlock(&q->mu);
	return n;
}

static void
ctx_init(struct ctx *c, unsigned n)
{
	pthread_condattr_t ca;
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->n = n;
	atomic_init(&c->running, 0);
	atomic_init(&c->max_running, 0);
	atomic_init(&c->done, 0);
	atomic_init(&c->bad_slots, 0);
	atomic_init(&c->slot_clashes, 0);
	for (i = 0; i < MAXN; i++)
		atomic_init(&c->busy[i], 0);
	ck_assert_int_eq(pthread_mutex_init(&c->mu, NULL), 0);
	ck_assert_int_eq(pthread_condattr_init(&ca), 0);
	ck_assert_int_eq(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
	ck_assert_int_eq(pthread_cond_init(&c->cond, &ca), 0);
	pthread_condattr_destroy(&ca);
	c->gate_n = n;
}

static void
ctx_release(struct ctx *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mu);
}

/* atomic_load as a function, so failed assertions print readably. */
static unsigned
ld(atomic_uint *v)
{
	return atomic_load(v);
}

/* Sleep for `us` microseconds. */
static void
sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Wait (bounded, ~10 s) until *v reaches want; returns 1 if it did. */
static int
wait_atomic(atomic_uint *v, unsigned want)
{
	int i;

	for (i = 0; i < 10000; i++) {
		if (atomic_load(v) >= want)
			return 1;
		sleep_us(1000);
	}
	return 0;
}

/* Wait until gate_n gated jobs are running at once, or time out. */
static void
gate_wait(struct ctx *c)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += GATE_SECONDS;
	pthread_mutex_lock(&c->mu);
	c->arrived++;
	pthread_cond_broadcast(&c->cond);
	while (c->arrived < c->gate_n && !c->gate_timeout) {
		if (pthread_cond_timedwait(&c->cond, &c->mu, &deadline) ==
		    ETIMEDOUT) {
			c->gate_timeout = 1;
			pthread_cond_broadcast(&c->cond);
		}
	}
	pthread_mutex_unlock(&c->mu);
}

/* The job used by most tests: count, check the slot, hold it briefly. */
static void
count_job(struct job *job, unsigned slot)
{
	struct tjob *t = job->data;
	struct ctx *c = t->ctx;
	unsigned r, m;
	int own_slot = 0;

	r = atomic_fetch_add(&c->running, 1) + 1;
	m = atomic_load(&c->max_running);
	while (r > m && !atomic_compare_exchange_weak(&c->max_running, &m, r))
		;
	if (slot >= c->n || slot >= MAXN)
		atomic_fetch_add(&c->bad_slots, 1);
	else if (atomic_exchange(&c->busy[slot], 1) != 0)
		atomic_fetch_add(&c->slot_clashes, 1);
	else
		own_slot = 1;
	t->slot = slot;

	if (t->gated)
		gate_wait(c);
	else
		sleep_us(200);

	if (own_slot)
		atomic_store(&c->busy[slot], 0);
	atomic_fetch_sub(&c->running, 1);
	atomic_fetch_add(&t->runs, 1);
	atomic_fetch_add(&c->done, 1);
}

static struct tjob *
tjobs_new(struct ctx *c, size_t n, job_run_fn fn)
{
	struct tjob *v = calloc(n, sizeof(*v));
	size_t i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < n; i++) {
		v[i].job.run = fn;
		v[i].job.data = &v[i];
		v[i].ctx = c;
		atomic_init(&v[i].runs, 0);
	}
	return v;
}

/* Every job ran exactly once. */
static void
assert_each_ran_once(struct tjob *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_msg(ld(&v[i].runs) == 1,
			      "job %zu ran %u times", i,
			      atomic_load(&v[i].runs));
}

START_TEST(test_start_count)
{
	struct queue q;
	struct pool p;

	queue_init(&q);
	ck_assert_int_eq(pool_start(&p, &q, 5), 0);
	ck_assert_uint_eq(p.nthreads, 5);
	ck_assert_ptr_eq(p.queue, &q);
	pool_join(&p);
	ck_assert_uint_eq(p.nthreads, 0);
	ck_assert_ptr_null(p.threads);
	/* join closed the queue */
	ck_assert_int_eq(queue_push(&q, &(struct job){ 0 }), -1);
	queue_release(&q);
}
END_TEST

START_TEST(test_start_zero)
{
	struct queue q;
	struct pool p;

	queue_init(&q);
	errno = 0;
	ck_assert_int_eq(pool_start(&p, &q, 0), EINVAL);
	ck_assert_uint_eq(p.nthreads, 0);
	ck_assert_ptr_null(p.threads);
	queue_release(&q);
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/* Our address space now, in bytes (VmSize). */
static unsigned long long
vm_size(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%llu", &pages), 1);
	fclose(f);
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/*
 * Room for `extra` more bytes of address space, no more: a thread's
 * stack (8 MiB here, RLIMIT_STACK) then fits or does not. The test
 * runs in a process of its own (Check forks), so the limit dies with it.
 */
static void
limit_address_space(unsigned long long extra)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)(vm_size() + extra);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
}

/*
 * No thread at all can be made: pool_start returns pthread_create's
 * error, which is not errno (here errno holds the ENOMEM of the failed
 * mmap of a stack, pthread_create returns EAGAIN).
 */
START_TEST(test_start_fails)
{
	struct queue q;
	struct pool p;
	int err;

	queue_init(&q);
	limit_address_space(64 * 1024);
	errno = ECHILD;
	err = pool_start(&p, &q, 4);
	ck_assert_int_eq(err, EAGAIN);
	ck_assert_uint_eq(p.nthreads, 0);
	ck_assert_ptr_null(p.threads);
	queue_release(&q);
}
END_TEST

/* Room for one thread's stack, not two: one runs, and the pool says why
   not more. */
START_TEST(test_start_short)
{
	struct queue q;
	struct pool p;
	struct rlimit rl;
	unsigned long long stack;

	ck_assert_int_eq(getrlimit(RLIMIT_STACK, &rl), 0);
	stack = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur < 65536 ?
	    2ULL << 20 : (unsigned long long)rl.rlim_cur;
	queue_init(&q);
	limit_address_space(stack + stack / 2);
	ck_assert_int_eq(pool_start(&p, &q, 4), 0);
	ck_assert_uint_eq(p.nthreads, 1);
	ck_assert_int_eq(p.short_error, EAGAIN);
	pool_join(&p);
	queue_release(&q);
}
END_TEST
#endif

#define ONCE_N 2000

START_TEST(test_every_job_once)
{
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *v;
	size_t i;

	ctx_init(&c, 4);
	v = tjobs_new(&c, ONCE_N, count_job);
	queue_init(&q);
	ck_assert_int_eq(pool_start(&p, &q, 4), 0);
	for (i = 0; i < ONCE_N; i++) {
		v[i].job.priority = (long long)(i % 5);
		ck_assert_int_eq(queue_push(&q, &v[i].job), 0);
	}
	pool_join(&p);

	assert_each_ran_once(v, ONCE_N);
	ck_assert_uint_eq(ld(&c.done), ONCE_N);
	ck_assert_uint_eq(ld(&c.running), 0);
	ck_assert_uint_le(ld(&c.max_running), 4);
	ck_assert_uint_eq(ld(&c.bad_slots), 0);
	ck_assert_uint_eq(ld(&c.slot_clashes), 0);
	ck_assert_uint_eq(queued(&q), 0);
	queue_release(&q);
	free(v);
	ctx_release(&c);
}
END_TEST

static const unsigned cap_sizes[] = { 1, 3, 8 };
#define CAP_JOBS 200

/*
 * The pool never runs more than N jobs at once, and does reach N: the
 * first N jobs (highest priority) wait until all N run together.
 */
START_TEST(test_cap)
{
	unsigned n = cap_sizes[_i];
	unsigned seen[MAXN] = { 0 };
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *v;
	size_t i;

	ctx_init(&c, n);
	v = tjobs_new(&c, CAP_JOBS, count_job);
	for (i = 0; i < n; i++) {
		v[i].gated = 1;
		v[i].job.priority = 1;
	}
	queue_init(&q);
	ck_assert_int_eq(pool_start(&p, &q, n), 0);
	for (i = 0; i < CAP_JOBS; i++)
		ck_assert_int_eq(queue_push(&q, &v[i].job), 0);
	pool_join(&p);

	ck_assert_msg(!c.gate_timeout, "only %u of %u gated jobs ran at once",
		      c.arrived, n);
	ck_assert_uint_eq(c.arrived, n);
	ck_assert_uint_le(ld(&c.max_running), n);
	ck_assert_uint_eq(ld(&c.max_running), n);
	ck_assert_uint_eq(ld(&c.bad_slots), 0);
	ck_assert_uint_eq(ld(&c.slot_clashes), 0);
	ck_assert_uint_eq(ld(&c.done), CAP_JOBS);
	ck_assert_uint_eq(ld(&c.running), 0);
	assert_each_ran_once(v, CAP_JOBS);

	/* the N gated jobs ran together, so on N distinct slots 0..N-1 */
	for (i = 0; i < n; i++) {
		ck_assert_uint_lt(v[i].slot, n);
		seen[v[i].slot]++;
	}
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(seen[i], 1);

	queue_release(&q);
	free(v);
	ctx_release(&c);
}
END_TEST

static atomic_size_t order_counter;

/* Record the order in which jobs run. */
static void
order_job(struct job *job, unsigned slot)
{
	struct tjob *t = job->data;

	t->slot = slot;
	t->ran_at = atomic_fetch_add(&order_counter, 1);
	atomic_fetch_add(&t->runs, 1);
}

/* One worker runs queued jobs in the queue's order. */
START_TEST(test_one_worker_in_queue_order)
{
	/* priority desc, order asc, push order: expected run positions */
	static const struct { long long pri; unsigned long long ord; size_t at; }
	spec[] = {
		{ 0, 0, 4 }, { 5, 1, 1 }, { 5, 0, 0 }, { -1, 0, 6 },
		{ 2, 7, 3 }, { 2, 3, 2 }, { 0, 0, 5 },
	};
	const size_t n = sizeof(spec) / sizeof(spec[0]);
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *v;
	size_t i;

	atomic_init(&order_counter, 0);
	ctx_init(&c, 1);
	v = tjobs_new(&c, n, order_job);
	queue_init(&q);
	for (i = 0; i < n; i++) {
		v[i].job.priority = spec[i].pri;
		v[i].job.order = spec[i].ord;
		ck_assert_int_eq(queue_push(&q, &v[i].job), 0);
	}
	ck_assert_int_eq(pool_start(&p, &q, 1), 0);
	pool_join(&p);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(ld(&v[i].runs), 1);
		ck_assert_uint_eq(v[i].slot, 0);
		ck_assert_msg(v[i].ran_at == spec[i].at,
			      "job %zu ran at %zu, want %zu", i, v[i].ran_at,
			      spec[i].at);
	}
	queue_release(&q);
	free(v);
	ctx_release(&c);
}
END_TEST

/* pool_join once everything has run: returns, nothing left running. */
START_TEST(test_join_when_idle)
{
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *v;
	struct job late = { 0 };
	size_t i;

	ctx_init(&c, 3);
	v = tjobs_new(&c, 30, count_job);
	queue_init(&q);
	ck_assert_int_eq(pool_start(&p, &q, 3), 0);
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(queue_push(&q, &v[i].job), 0);
	ck_assert_msg(wait_atomic(&c.done, 30), "jobs never finished");
	/* all done: the workers are idle in queue_pop */
	pool_join(&p);

	ck_assert_uint_eq(p.nthreads, 0);
	ck_assert_uint_eq(ld(&c.done), 30);
	ck_assert_uint_eq(ld(&c.running), 0);
	ck_assert_uint_eq(q.waiting, 0);
	assert_each_ran_once(v, 30);
	ck_assert_int_eq(queue_push(&q, &late), -1);
	ck_assert_uint_eq(queued(&q), 0);
	queue_release(&q);
	free(v);
	ctx_release(&c);
}
END_TEST

struct blocker_ctx {
	struct queue *q;
	atomic_uint started;
	atomic_uint timed_out;
};

static struct blocker_ctx blk;

/* Hold a worker until the queue is closed (by pool_join). */
static void
blocker_job(struct job *job, unsigned slot)
{
	struct tjob *t = job->data;
	int i, closed = 0;

	(void)slot;
	atomic_fetch_add(&blk.started, 1);
	for (i = 0; i < GATE_SECONDS * 1000 && !closed; i++) {
		pthread_mutex_lock(&blk.q->mu);
		closed = blk.q->closed;
		pthread_mutex_unlock(&blk.q->mu);
		if (!closed)
			sleep_us(1000);
	}
	if (!closed)
		atomic_fetch_add(&blk.timed_out, 1);
	atomic_fetch_add(&t->runs, 1);
	atomic_fetch_add(&t->ctx->done, 1);
}

#define QUEUED_N 100

/* pool_join with jobs still queued runs them all before returning. */
START_TEST(test_join_runs_queued)
{
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *b, *v;
	size_t i;

	ctx_init(&c, 2);
	b = tjobs_new(&c, 2, blocker_job);
	v = tjobs_new(&c, QUEUED_N, count_job);
	queue_init(&q);
	blk.q = &q;
	atomic_init(&blk.started, 0);
	atomic_init(&blk.timed_out, 0);

	ck_assert_int_eq(pool_start(&p, &q, 2), 0);
	for (i = 0; i < 2; i++) {
		b[i].job.priority = 10;
		ck_assert_int_eq(queue_push(&q, &b[i].job), 0);
	}
	for (i = 0; i < QUEUED_N; i++)
		ck_assert_int_eq(queue_push(&q, &v[i].job), 0);
	ck_assert_msg(wait_atomic(&blk.started, 2), "blockers never started");
	/* both workers are held, so every other job is still queued */
	ck_assert_uint_eq(queued(&q), QUEUED_N);
	ck_assert_uint_eq(ld(&c.done), 0);

	pool_join(&p);

	ck_assert_uint_eq(ld(&blk.timed_out), 0);
	ck_assert_uint_eq(ld(&c.done), QUEUED_N + 2);
	assert_each_ran_once(b, 2);
	assert_each_ran_once(v, QUEUED_N);
	ck_assert_uint_eq(queued(&q), 0);
	ck_assert_uint_le(ld(&c.max_running), 2);
	ck_assert_uint_eq(ld(&c.slot_clashes), 0);
	queue_release(&q);
	free(b);
	free(v);
	ctx_release(&c);
}
END_TEST

#define PUSHERS 6
#define PER_PUSHER 3000

struct pusher {
	pthread_t tid;
	struct queue *q;
	struct tjob *v;
	unsigned failed;
};

static void *
pusher_main(void *arg)
{
	struct pusher *ps = arg;
	size_t i;

	for (i = 0; i < PER_PUSHER; i++) {
		ps->v[i].job.priority = (long long)(i % 3);
		if (queue_push(ps->q, &ps->v[i].job) != 0)
			ps->failed++;
	}
	return NULL;
}

/* Jobs pushed from several threads at once all run exactly once. */
START_TEST(test_concurrent_pushers)
{
	struct pusher ps[PUSHERS];
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *v;
	size_t i;

	ctx_init(&c, 4);
	v = tjobs_new(&c, PUSHERS * PER_PUSHER, count_job);
	queue_init(&q);
	ck_assert_int_eq(pool_start(&p, &q, 4), 0);
	for (i = 0; i < PUSHERS; i++) {
		ps[i] = (struct pusher){ .q = &q, .v = v + i * PER_PUSHER };
		ck_assert_int_eq(pthread_create(&ps[i].tid, NULL, pusher_main,
						&ps[i]), 0);
	}
	for (i = 0; i < PUSHERS; i++) {
		ck_assert_int_eq(pthread_join(ps[i].tid, NULL), 0);
		ck_assert_uint_eq(ps[i].failed, 0);
	}
	pool_join(&p);

	assert_each_ran_once(v, PUSHERS * PER_PUSHER);
	ck_assert_uint_eq(ld(&c.done), PUSHERS * PER_PUSHER);
	ck_assert_uint_le(ld(&c.max_running), 4);
	ck_assert_uint_eq(ld(&c.bad_slots), 0);
	ck_assert_uint_eq(ld(&c.slot_clashes), 0);
	ck_assert_uint_eq(ld(&c.running), 0);
	queue_release(&q);
	free(v);
	ctx_release(&c);
}
END_TEST

static const int watched_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1, SIGQUIT,
};
static atomic_uint mask_ok, mask_bad;

/* Check that this worker blocks the signals main handles, then count. */
static void
sigmask_job(struct job *job, unsigned slot)
{
	sigset_t cur;
	size_t i;
	int ok = 1;

	if (pthread_sigmask(SIG_BLOCK, NULL, &cur) != 0)
		ok = 0;
	for (i = 0; ok && i < sizeof(watched_signals) / sizeof(int); i++)
		if (sigismember(&cur, watched_signals[i]) != 1)
			ok = 0;
	atomic_fetch_add(ok ? &mask_ok : &mask_bad, 1);
	count_job(job, slot);
}

/* Workers block all signals; the caller's mask is left as it was. */
START_TEST(test_workers_block_signals)
{
	sigset_t set, after, saved;
	struct ctx c;
	struct queue q;
	struct pool p;
	struct tjob *v;
	size_t i;

	atomic_init(&mask_ok, 0);
	atomic_init(&mask_bad, 0);
	/* caller: SIGUSR2 blocked, the watched ones not */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	ck_assert_int_eq(pthread_sigmask(SIG_SETMASK, &set, &saved), 0);

	ctx_init(&c, 3);
	v = tjobs_new(&c, 3, sigmask_job);
	for (i = 0; i < 3; i++)
		v[i].gated = 1;         /* one on each worker */
	queue_init(&q);
	ck_assert_int_eq(pool_start(&p, &q, 3), 0);

	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, NULL, &after), 0);
	ck_assert_int_eq(sigismember(&after, SIGUSR2), 1);
	for (i = 0; i < sizeof(watched_signals) / sizeof(int); i++)
		ck_assert_int_eq(sigismember(&after, watched_signals[i]), 0);

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(queue_push(&q, &v[i].job), 0);
	pool_join(&p);

	ck_assert_msg(!c.gate_timeout, "gated jobs never met");
	ck_assert_uint_eq(ld(&mask_ok), 3);
	ck_assert_uint_eq(ld(&mask_bad), 0);
	ck_assert_uint_eq(ld(&c.slot_clashes), 0);
	queue_release(&q);
	free(v);
	ctx_release(&c);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
}
END_TEST

Suite *
pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc;

	tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_start_count);
	tcase_add_test(tc, test_every_job_once);
	tcase_add_test(tc, test_one_worker_in_queue_order);
	tcase_add_test(tc, test_join_when_idle);
	tcase_add_test(tc, test_join_runs_queued);
	tcase_add_test(tc, test_concurrent_pushers);
	tcase_add_test(tc, test_workers_block_signals);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_cap, 0,
			    sizeof(cap_sizes) / sizeof(cap_sizes[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_start_zero);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
	/* Sanitizers reserve address space by the terabyte. */
	tcase_add_test(tc, test_start_fails);
	tcase_add_test(tc, test_start_short);
#endif
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pool_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
