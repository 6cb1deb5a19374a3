/*
 * queue.h - the one job queue shared by every strategy thread and the
 * worker pool: a priority queue behind one mutex and one condition
 * variable.
 *
 * Ordered, not FIFO: pop returns the job with the highest `priority`
 * (the planner's predicted remaining chain), ties to the lowest `order`
 * (config order, then batch), ties to the earliest pushed.
 *
 * The caller owns each struct job and keeps it alive until it comes
 * back out of the queue (popped); the queue stores pointers
 * and allocates only its array.
 *
 * Thread-safe: every function but init/release may be called from any
 * thread at any time.
 */
#ifndef HOOKWAVE_QUEUE_H
#define HOOKWAVE_QUEUE_H

#include <pthread.h>
#include <stddef.h>

#include "heap.h"

struct job;
/* Run a job on worker `slot` (0 .. nthreads-1), with no lock held. */
typedef void (*job_run_fn)(struct job *job, unsigned slot);

struct job {
	long long priority;             /* larger runs first */
	unsigned long long order;       /* smaller runs first among equals */
	job_run_fn run;
	void *data;                     /* the submitter's */
	unsigned long long seq;         /* set by queue_push: FIFO tie-break */
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t cond;            /* signalled on push and close */
	struct heap heap;               /* of struct job *; heap.n queued */
	unsigned long long seq;
	int closed;
	unsigned waiting;               /* threads blocked in queue_pop */
};

void queue_init(struct queue *q);

/* Add a job. Returns 0, or -1 if the queue is closed (job not added). */
int queue_push(struct queue *q, struct job *job);

/*
 * Take the best job, blocking while the queue is empty and open.
 * Returns NULL once the queue is closed and empty.
 */
struct job *queue_pop(struct queue *q);

/* No more pushes; pops return what is left, then NULL; wakes all waiters. */
void queue_close(struct queue *q);

/* Destroy; the queue must have no waiters. */
void queue_release(struct queue *q);

#endif
