#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

/*
 * queue.c - the job queue: the one heap (heap.h) of struct job pointers
 * behind one mutex and one condition variable (libuv's threadpool
 * shape). Poppers wait in a predicate loop and count themselves in
 * q->waiting, so push signals only when someone is idle; close
 * broadcasts.
 */

#include <stdlib.h>

#include "queue.h"

/* Non-zero if job *a must be popped before job *b (elements are pointers). */
static int
job_before(const void *a, const void *b, void *ctx)
{
	const struct job *x = *(struct job *const *)a;
	const struct job *y = *(struct job *const *)b;

	(void)ctx;
	if (x->priority != y->priority)
		return x->priority > y->priority;
	if (x->order != y->order)
		return x->order < y->order;
	return x->seq < y->seq;
}

/* Initialise an empty, open queue. */
void
queue_init(struct queue *q)
{
	if (pthread_mutex_init(&q->mu, NULL) != 0)
		abort();
	if (pthread_cond_init(&q->cond, NULL) != 0)
		abort();
	heap_init(&q->heap, sizeof(struct job *), job_before, NULL);
	q->seq = 0;
	q->closed = 0;
	q->waiting = 0;
}

/* Add a job, waking one idle popper. */
int
queue_push(struct queue *q, struct job *job)
{
	if (pthread_mutex_lock(&q->mu) != 0)
		abort();
	if (q->closed) {
		if (pthread_mutex_unlock(&q->mu) != 0)
			abort();
		return -1;
	}
	job->seq = q->seq++;
	heap_push(&q->heap, &job);
	if (q->waiting > 0 && pthread_cond_signal(&q->cond) != 0)
		abort();
	if (pthread_mutex_unlock(&q->mu) != 0)
		abort();
	return 0;
}

/* Take the best job, waiting while the queue is empty and open. */
struct job *
queue_pop(struct queue *q)
{
	struct job *job = NULL;

	if (pthread_mutex_lock(&q->mu) != 0)
		abort();
	while (q->heap.n == 0 && !q->closed) {
		q->waiting++;
		if (pthread_cond_wait(&q->cond, &q->mu) != 0)
			abort();
		q->waiting--;
	}
	if (q->heap.n > 0)
		heap_pop(&q->heap, &job);
	if (pthread_mutex_unlock(&q->mu) != 0)
		abort();
	return job;
}

/* Refuse further pushes and wake every waiter. */
void
queue_close(struct queue *q)
{
	if (pthread_mutex_lock(&q->mu) != 0)
		abort();
	q->closed = 1;
	if (pthread_cond_broadcast(&q->cond) != 0)
		abort();
	if (pthread_mutex_unlock(&q->mu) != 0)
		abort();
}

void
queue_release(struct queue *q)
{
	if (pthread_cond_destroy(&q->cond) != 0)
		abort();
	if (pthread_mutex_destroy(&q->mu) != 0)
		abort();
	heap_release(&q->heap);
}
