#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

/*
 * queue.c - the job queue: a binary max-heap of struct job pointers
 * behind one mutex and one condition variable (libuv's threadpool
 * shape). Poppers wait in a predicate loop and count themselves in
 * q->waiting, so push signals only when someone is idle; close
 * broadcasts.
 */

#include <stdlib.h>

#include "queue.h"

/* Grow or allocate an array; allocation failure is not recoverable. */
static void *
queue_realloc(void *p, size_t n, size_t size)
{
	if (n == 0 || size == 0 || n > (size_t)-1 / size)
		abort();
	p = realloc(p, n * size);
	if (p == NULL)
		abort();
	return p;
}

/* Non-zero if a must be popped before b. */
static int
job_before(const struct job *a, const struct job *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->order != b->order)
		return a->order < b->order;
	return a->seq < b->seq;
}

/* Move heap[i] up to its place. `q->mu` held. */
static void
heap_up(struct queue *q, size_t i)
{
	struct job *job = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!job_before(job, q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = job;
}

/* Move heap[i] down to its place. `q->mu` held. */
static void
heap_down(struct queue *q, size_t i)
{
	struct job *job = q->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= q->n)
			break;
		if (child + 1 < q->n &&
		    job_before(q->heap[child + 1], q->heap[child]))
			child++;
		if (!job_before(q->heap[child], job))
			break;
		q->heap[i] = q->heap[child];
		i = child;
	}
	q->heap[i] = job;
}

/* Remove and return the best job; the heap is not empty. `q->mu` held. */
static struct job *
heap_take(struct queue *q)
{
	struct job *top = q->heap[0];

	q->n--;
	if (q->n > 0) {
		q->heap[0] = q->heap[q->n];
		heap_down(q, 0);
	}
	return top;
}

/* Initialise an empty, open queue. */
void
queue_init(struct queue *q)
{
	if (pthread_mutex_init(&q->mu, NULL) != 0)
		abort();
	if (pthread_cond_init(&q->cond, NULL) != 0)
		abort();
	q->heap = NULL;
	q->n = 0;
	q->alloc = 0;
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
	if (q->n == q->alloc) {
		q->alloc = q->alloc ? 2 * q->alloc : 16;
		q->heap = queue_realloc(q->heap, q->alloc, sizeof(*q->heap));
	}
	job->seq = q->seq++;
	q->heap[q->n] = job;
	heap_up(q, q->n);
	q->n++;
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
	while (q->n == 0 && !q->closed) {
		q->waiting++;
		if (pthread_cond_wait(&q->cond, &q->mu) != 0)
			abort();
		q->waiting--;
	}
	if (q->n > 0)
		job = heap_take(q);
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

/* Remove every queued job, returned in pop order. */
void
queue_release(struct queue *q)
{
	if (pthread_cond_destroy(&q->cond) != 0)
		abort();
	if (pthread_mutex_destroy(&q->mu) != 0)
		abort();
	free(q->heap);
	q->heap = NULL;
	q->n = 0;
	q->alloc = 0;
}
