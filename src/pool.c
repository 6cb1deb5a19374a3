#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

/*
 * pool.c - a fixed set of worker threads on one queue. The queue does
 * all the locking; a worker holds no lock while it runs a job, so the
 * number of workers is the cap on jobs running at once.
 *
 * Workers block every signal: hookwave handles signals in the main
 * thread only. They inherit the mask that pool_start sets around
 * pthread_create.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "pool.h"
#include "util.h"

/* What each worker thread is started with. */
struct pool_worker {
	struct queue *queue;
	unsigned slot;
};

/* Run jobs until the queue is closed and empty. */
static void *
pool_worker_main(void *arg)
{
	struct pool_worker *w = arg;
	struct job *job;

	while ((job = queue_pop(w->queue)) != NULL)
		job->run(job, w->slot);
	return NULL;
}

/* Start up to n workers on q; 0 if any runs, else the error. */
int
pool_start(struct pool *p, struct queue *q, unsigned n)
{
	sigset_t all, old;
	unsigned i;
	int err = 0;

	p->queue = q;
	p->threads = NULL;
	p->nthreads = 0;
	p->short_error = 0;
	p->workers = NULL;
	if (n == 0)
		return EINVAL;

	p->threads = tryreallocarray(NULL, n, sizeof(*p->threads));
	p->workers = tryreallocarray(NULL, n, sizeof(*p->workers));
	if (p->threads == NULL || p->workers == NULL) {
		free(p->threads);
		free(p->workers);
		p->threads = NULL;
		p->workers = NULL;
		return ENOMEM;
	}

	/* New threads inherit the creating thread's mask. */
	if (sigfillset(&all) != 0)
		abort();
	if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
		abort();
	for (i = 0; i < n; i++) {
		p->workers[i].queue = q;
		p->workers[i].slot = i;
		/* It returns the error; errno is not set. */
		err = pthread_create(&p->threads[i], NULL, pool_worker_main,
				     &p->workers[i]);
		if (err != 0)
			break;
	}
	if (pthread_sigmask(SIG_SETMASK, &old, NULL) != 0)
		abort();

	p->nthreads = i;
	p->short_error = err;
	if (i == 0) {
		free(p->threads);
		free(p->workers);
		p->threads = NULL;
		p->workers = NULL;
		return err;
	}
	return 0;
}

/* Close the queue, let the workers empty it, and join them. */
void
pool_join(struct pool *p)
{
	unsigned i;

	queue_close(p->queue);
	for (i = 0; i < p->nthreads; i++)
		if (pthread_join(p->threads[i], NULL) != 0)
			abort();
	free(p->threads);
	free(p->workers);
	p->threads = NULL;
	p->workers = NULL;
	p->nthreads = 0;
}
