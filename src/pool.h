/*
 * pool.h - a fixed set of worker threads pulling jobs from one queue.
 *
 * The pool size is hookwave's global cap: with N workers, at most N
 * jobs run at once, whoever submitted them. Each worker loops on
 * queue_pop() and calls job->run(job, slot) with no lock held; what a
 * job does with its result is the job's business (it reports back to
 * its submitter through the submitter's own lock).
 *
 * Thread-safe as documented per function; one thread owns the pool
 * (start, join).
 */
#ifndef HOOKWAVE_POOL_H
#define HOOKWAVE_POOL_H

#include <pthread.h>

#include "queue.h"

struct pool_worker;             /* private to pool.c */

struct pool {
	struct queue *queue;    /* borrowed */
	pthread_t *threads;
	unsigned nthreads;      /* threads actually running */
	int short_error;        /* why fewer than asked run (an errno
				   value from pthread_create), or 0 */
	struct pool_worker *workers;    /* per-thread arguments */
};

/*
 * Start up to `n` workers on `q`. Thread creation may fail (EAGAIN
 * under a low ulimit -u or ulimit -v): the pool then runs with the
 * threads it could make, p->nthreads of them, and p->short_error says
 * why not more. Returns 0 when at least one runs; else the error (an
 * errno value: what pthread_create returned, ENOMEM, or EINVAL for
 * n == 0), and the pool is empty and needs no join. errno is not that
 * error (pthread_create may leave another one there): print the value
 * returned.
 */
int pool_start(struct pool *p, struct queue *q, unsigned n);

/*
 * Close the queue, let the workers finish every job still queued, and
 * join them. Frees what pool_start allocated.
 */
void pool_join(struct pool *p);

#endif
