/*
 * strategy.c - strategy threads, their schedules, and the run that
 * ties them to the queue and the worker pool.
 *
 * Locks: each strategy has one mutex, taken by workers only to hand a
 * finished job back (its `done` list) and by the strategy thread to
 * collect them, and by a strategy thread whose hook let go of its
 * files to poke another (`poked`). The run's mutex guards the
 * fail-fast stopper's name and the count of running strategy threads;
 * the conflict set (conflicts.h) has its own. No code holds two.
 * Everything else about a hook (its state, its result) is touched only
 * by its strategy's thread.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conflicts.h"
#include "heap.h"
#include "log.h"
#include "pool.h"
#include "queue.h"
#include "sarif_read.h"
#include "strategy.h"
#include "util.h"

struct strat;

struct hook_job {
	struct job job;                 /* first: the queue hands this back */
	struct strat *st;
	size_t hook, batch;
	int started;                    /* exec ran (a worker decided) */
	unsigned slot;                  /* the worker that ran it */
	struct batch_result br;
	struct hook_job *next_done;
};

enum hstate { HS_WAITING, HS_SUBMITTING, HS_SUBMITTED, HS_DONE };

struct hook_state {
	enum hstate state;
	unsigned deps_left;
	size_t nbatches, next_batch, batches_done;
	int holds;                      /* it holds its files (conflicts.h) */
	struct hook_job *jobs;
};

struct run {
	const struct run_config *cfg;
	const struct plan *plan;
	struct queue queue;
	atomic_int *ext_stop;           /* interrupt, set by main */
	atomic_int stop_all;            /* fail-fast fired */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	const char *stop_by;            /* run->mu: who fired fail-fast */
	unsigned running;               /* run->mu: strategy threads alive */
	struct hook_result *results;
	struct hook_state *hs;
	struct strat *sts;              /* every strategy, to wake them */
	size_t nsts;
	double t0;
};

struct strat {
	struct run *run;
	size_t index;
	const struct plan_strategy *ps;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct hook_job *done;          /* st->mu */
	int poked;                      /* st->mu: a conflicting hook of
					   another strategy let go of its
					   files: look at the ready set */
	atomic_int no_new_starts;       /* read by workers */
	int stopped;                    /* a critical hook did not pass */
	const char *stop_by;
	unsigned in_flight;             /* jobs submitted, not yet back */
	size_t remaining;               /* hooks not final */
	unsigned cur_wave;
	size_t *wave_left;              /* [1..nwaves]: hooks not final */
	size_t **wave_hooks;            /* [1..nwaves]: plan indices */
	size_t *wave_n;
	struct heap ready;              /* plan indices of ready hooks */
	int by_chain;                   /* ready by priority, else config
					   order only */
	size_t *finished;               /* hooks made final, to report */
	size_t nfinished;
};

/*
 * A batch's priority: its hook's (the predicted remaining critical
 * path), with the hook's own predicted time swapped for the batch's
 * when both are known, since the batches of a hook run side by side.
 */
static long long
batch_priority(const struct run *run, size_t h, size_t b)
{
	const struct plan_hook *ph = &run->plan->hooks[h];
	const double *sec = run->cfg->batch_seconds != NULL ?
	    run->cfg->batch_seconds[h] : NULL;

	if (sec == NULL || sec[b] <= 0 || ph->predicted <= 0)
		return ph->priority;
	return ph->priority - (long long)(ph->weight * 1e6 + 0.5) +
	    (long long)(sec[b] * 1e6 + 0.5);
}

/* The priority of hook h's next batch, which it is ready to submit. */
static long long
next_priority(const struct run *run, size_t h)
{
	const struct hook_state *hs = &run->hs[h];

	return batch_priority(run, h, hs->next_batch < hs->nbatches ?
	    hs->next_batch : 0);
}

/* Ready hooks: the highest priority first, then config order. */
static int
ready_before(const void *a, const void *b, void *ctx)
{
	const struct strat *st = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (st->by_chain) {
		long long cx = next_priority(st->run, x);
		long long cy = next_priority(st->run, y);

		if (cx != cy)
			return cx > cy;
	}
	return x < y;
}

static void
ready_push(struct strat *st, size_t h)
{
	heap_push(&st->ready, &h);
}

/* Log "hook start" for a batch (debug). */
static void
log_hook_start(const struct run *run, size_t h, size_t batch, unsigned slot)
{
	const struct plan_hook *ph = &run->plan->hooks[h];
	char wave[32], b[64], sl[32];

	snprintf(wave, sizeof(wave), "%u", ph->wave);
	snprintf(b, sizeof(b), "%zu/%zu", batch + 1,
		 run->cfg->nbatches ? run->cfg->nbatches[h] : (size_t)1);
	snprintf(sl, sizeof(sl), "%u", slot + 1);
	log_event(LOG_LEVEL_DEBUG, "hook start",
		  "strategy", run->plan->strategies[ph->strategy].name,
		  "wave", wave, "hook", ph->conf->name, "batch", b,
		  "worker", sl, NULL);
}

/* A worker runs one batch, unless the run or strategy has stopped. */
static void
job_run(struct job *j, unsigned slot)
{
	struct hook_job *hj = (struct hook_job *)j;
	struct strat *st = hj->st;
	struct run *run = st->run;

	if (atomic_load(&st->no_new_starts) || atomic_load(&run->stop_all) ||
	    (run->ext_stop != NULL && atomic_load(run->ext_stop))) {
		hj->started = 0;
	} else {
		hj->started = 1;
		hj->slot = slot;
		if (log_enabled(LOG_LEVEL_DEBUG))
			log_hook_start(run, hj->hook, hj->batch, slot);
		if (run->cfg->start != NULL)
			run->cfg->start(run->cfg->ctx, run->plan, hj->hook,
					hj->batch, slot);
		run->cfg->exec(run->cfg->ctx, run->plan, hj->hook, hj->batch,
			       slot, &hj->br);
	}
	if (pthread_mutex_lock(&st->mu) != 0)
		abort();
	hj->next_done = st->done;
	st->done = hj;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->mu);
}

static const char *
run_stopper(struct run *run)
{
	const char *s;

	pthread_mutex_lock(&run->mu);
	s = run->stop_by;
	pthread_mutex_unlock(&run->mu);
	return s;
}

/* Make hook h final with a skip; no process ran. */
static void
finish_skipped(struct strat *st, size_t h, enum skip_kind kind, char *reason)
{
	struct run *run = st->run;
	struct hook_result *r = &run->results[h];

	r->status = HOOK_SKIPPED;
	r->skip = kind;
	r->reason = reason;
	r->exit_code = -1;
	r->signal = 0;
	r->start = r->duration = -1;
	r->batches = 0;
	r->files = run->cfg->nfiles ? run->cfg->nfiles[h] : 0;
	r->cached = 0;
	r->output = xstrdup("");
	r->output_len = 0;
	run->hs[h].state = HS_DONE;
}

/* Whether the cache leaves hook h nothing to run. */
static int
all_cached(const struct run *run, size_t h)
{
	return run->cfg->all_cached != NULL && run->cfg->all_cached[h];
}

/* Why what has not started will not: interrupt, fail-fast, or critical. */
static enum skip_kind
stop_reason(struct strat *st, char **reason)
{
	struct run *run = st->run;
	const char *by;

	if (run->ext_stop != NULL && atomic_load(run->ext_stop)) {
		*reason = xstrdup("interrupted");
		return SKIP_INTERRUPTED;
	}
	by = atomic_load(&run->stop_all) ? run_stopper(run) : NULL;
	if (by == NULL)
		by = st->stop_by;
	*reason = xasprintf("stopped: critical hook %s failed", by ? by : "?");
	return SKIP_STOPPED;
}

static void after_final(struct strat *st, size_t h);

/* Log "hook done" for a final hook (info). */
static void
log_hook_done(const struct run *run, size_t h)
{
	const struct plan_hook *ph = &run->plan->hooks[h];
	const struct hook_result *r = &run->results[h];
	char wave[32], dur[32], code[32], sig[32];

	snprintf(wave, sizeof(wave), "%u", ph->wave);
	snprintf(dur, sizeof(dur), "%.3f", r->duration);
	snprintf(code, sizeof(code), "%d", r->exit_code);
	snprintf(sig, sizeof(sig), "%d", r->signal);
	log_event(LOG_LEVEL_INFO, "hook done",
		  "strategy", run->plan->strategies[ph->strategy].name,
		  "wave", ph->wave > 0 ? wave : NULL, "hook", ph->conf->name,
		  "status", hook_status_name(r->status),
		  "duration", r->duration >= 0 ? dur : NULL,
		  "exit_code", r->exit_code > 0 ? code : NULL,
		  "signal", r->signal > 0 ? sig : NULL,
		  "reason", r->reason, NULL);
}

/* Record h as final and queue it for reporting. */
static void
mark_final(struct strat *st, size_t h)
{
	const struct plan_hook *ph = &st->run->plan->hooks[h];

	if (log_enabled(LOG_LEVEL_INFO))
		log_hook_done(st->run, h);
	st->run->hs[h].state = HS_DONE;
	st->remaining--;
	if (ph->wave > 0)
		st->wave_left[ph->wave]--;
	st->finished[st->nfinished++] = h;
}

/* Skip every dependent of `root`, transitively, for the same cause. */
static void
skip_dependents(struct strat *st, size_t root)
{
	struct run *run = st->run;
	const struct plan *p = run->plan;
	const struct hook_result *rr = &run->results[root];
	size_t *stack, n = 0, i;

	stack = xmalloc((p->nhooks + 1) * sizeof(*stack));
	stack[n++] = root;
	while (n > 0) {
		const struct plan_hook *ph = &p->hooks[stack[--n]];

		for (i = 0; i < ph->ndependents; i++) {
			size_t d = ph->dependents[i];
			enum skip_kind kind;
			char *reason;

			if (run->hs[d].state != HS_WAITING)
				continue;
			if (rr->status == HOOK_SKIPPED &&
			    (rr->skip == SKIP_INTERRUPTED || rr->skip == SKIP_STOPPED)) {
				kind = rr->skip;
				reason = xstrdup(rr->reason);
			} else {
				const char *verb = rr->status == HOOK_TIMEOUT ? "timed out" :
						   rr->status == HOOK_ERROR ? "errored" :
						   "failed";
				kind = SKIP_DEPENDENCY;
				reason = xasprintf("dependency %s %s",
						   p->hooks[root].conf->name, verb);
			}
			finish_skipped(st, d, kind, reason);
			mark_final(st, d);
			stack[n++] = d;
		}
	}
	free(stack);
}

/* Consequences of a final hook: dependents, critical stops. */
static void
after_final(struct strat *st, size_t h)
{
	struct run *run = st->run;
	const struct plan *p = run->plan;
	const struct plan_hook *ph = &p->hooks[h];
	const struct hook_result *r = &run->results[h];
	size_t i;

	if (hook_result_passes(r)) {
		for (i = 0; i < ph->ndependents; i++) {
			size_t d = ph->dependents[i];

			if (--run->hs[d].deps_left == 0 &&
			    run->hs[d].state == HS_WAITING &&
			    st->ps->schedule != SCHED_WAVES)
				ready_push(st, d);
		}
		return;
	}
	skip_dependents(st, h);
	if (!ph->critical || r->skip == SKIP_INTERRUPTED || r->skip == SKIP_STOPPED)
		return;
	if (!st->stopped) {
		st->stopped = 1;
		st->stop_by = ph->conf->name;
		/* waves finish the current wave; the others stop at once */
		if (st->ps->schedule != SCHED_WAVES)
			atomic_store(&st->no_new_starts, 1);
	}
	if (p->fail_fast) {
		pthread_mutex_lock(&run->mu);
		if (run->stop_by == NULL)
			run->stop_by = ph->conf->name;
		pthread_mutex_unlock(&run->mu);
		atomic_store(&run->stop_all, 1);
	}
}

/* Severity for merging batches: a timeout ends the hook, then errors. */
static int
severity(enum hook_status s)
{
	switch (s) {
	case HOOK_TIMEOUT:
		return 4;
	case HOOK_ERROR:
		return 3;
	case HOOK_FAILED:
		return 2;
	case HOOK_SKIPPED:
		return 1;
	default:
		return 0;
	}
}

/*
 * Hook h is over: it no longer holds its files, and a strategy with a
 * hook that waited for them looks at its ready set again (this one
 * does after every finished job anyway).
 */
static void
let_go(struct strat *st, size_t h)
{
	struct run *run = st->run;
	size_t i;

	conflicts_leave(run->cfg->conflicts, h);
	run->hs[h].holds = 0;
	for (i = 0; i < run->nsts; i++) {
		struct strat *o = &run->sts[i];

		if (o == st)
			continue;
		if (pthread_mutex_lock(&o->mu) != 0)
			abort();
		o->poked = 1;
		pthread_cond_signal(&o->cond);
		pthread_mutex_unlock(&o->mu);
	}
}

/* Every batch of h is back: merge them into its result. */
static void
finish_hook(struct strat *st, size_t h)
{
	struct run *run = st->run;
	struct hook_state *hs = &run->hs[h];
	struct hook_result *r = &run->results[h];
	struct output merged;
	double first = -1, last = -1;
	size_t b, started = 0, interrupted = 0, nmod = 0;
	enum hook_status worst = HOOK_PASSED;
	struct batch_result *wb = NULL;

	output_init(&merged, run->plan->output_limit);
	r->spans = xcalloc(hs->nbatches, sizeof(*r->spans));
	r->nspans = 0;
	r->exit_code = -1;
	r->signal = 0;
	for (b = 0; b < hs->nbatches; b++) {
		struct hook_job *hj = &hs->jobs[b];
		struct batch_result *br = &hj->br;

		if (!hj->started)
			continue;
		started++;
		output_append_output(&merged, &br->out);
		if (br->start >= 0) {
			struct span *sp = &r->spans[r->nspans++];

			sp->slot = hj->slot;
			sp->start = br->start - run->t0;
			sp->duration = br->duration;
			if (first < 0 || br->start < first)
				first = br->start;
			if (br->start + br->duration > last)
				last = br->start + br->duration;
		}
		if (br->status == HOOK_SKIPPED && br->skip == SKIP_INTERRUPTED)
			interrupted++;
		if (r->exit_code < 0 && br->exit_code > 0)
			r->exit_code = br->exit_code;
		if (r->signal == 0 && br->signal > 0)
			r->signal = br->signal;
		if (severity(br->status) > severity(worst)) {
			worst = br->status;
			wb = br;
		}
		nmod += br->nmodified;
	}
	/* The files it changed, batch by batch: they move to the result. */
	r->modified = nmod > 0 ? xmalloc(nmod * sizeof(*r->modified)) : NULL;
	r->nmodified = 0;
	for (b = 0; b < hs->nbatches; b++) {
		struct batch_result *br = &hs->jobs[b].br;

		if (br->nmodified > 0)
			memcpy(r->modified + r->nmodified, br->modified,
			       br->nmodified * sizeof(*br->modified));
		r->nmodified += br->nmodified;
		free(br->modified);
		br->modified = NULL;
		br->nmodified = 0;
		/* Its findings too, in batch order. */
		findings_move(&r->findings, &br->findings);
		if (br->sarif_run != NULL)
			r->sarif_run = sarif_run_merge(r->sarif_run,
						       br->sarif_run);
		free(br->sarif_run);
		br->sarif_run = NULL;
	}
	r->batches = (unsigned)started;
	r->files = run->cfg->nfiles ? run->cfg->nfiles[h] : 0;
	r->cached = run->cfg->ncached ? run->cfg->ncached[h] : 0;
	r->start = first >= 0 ? first - run->t0 : -1;
	r->duration = first >= 0 ? last - first : -1;
	r->output = output_render(&merged, &r->output_len);
	r->dropped = output_dropped(&merged);
	output_release(&merged);

	if (interrupted > 0 || (started < hs->nbatches &&
				run->ext_stop != NULL && atomic_load(run->ext_stop))) {
		r->status = HOOK_SKIPPED;
		r->skip = SKIP_INTERRUPTED;
		r->reason = xstrdup("interrupted");
	} else if (started < hs->nbatches && worst == HOOK_PASSED) {
		r->status = HOOK_SKIPPED;
		r->skip = stop_reason(st, &r->reason);
	} else {
		r->status = worst;
		if (wb != NULL && wb->reason != NULL)
			r->reason = xstrdup(wb->reason);
	}
	hook_result_settle_modified(r, run->cfg->staged &&
				    run->plan->hooks[h].conf->stage_fixed);
	if (run->cfg->settle != NULL && started > 0)
		run->cfg->settle(run->cfg->ctx, run->plan, h, r);
	for (b = 0; b < hs->nbatches; b++) {
		free(hs->jobs[b].br.reason);
		hs->jobs[b].br.reason = NULL;
		output_release(&hs->jobs[b].br.out);
	}
	free(hs->jobs);
	hs->jobs = NULL;
	if (hs->holds)
		let_go(st, h);
	mark_final(st, h);
	after_final(st, h);
}

/* Nothing more starts: make every hook that has not started final. */
static void
skip_unstarted(struct strat *st)
{
	struct run *run = st->run;
	size_t i;

	heap_clear(&st->ready);
	for (i = 0; i < st->ps->nhooks; i++) {
		size_t h = st->ps->hooks[i];
		struct hook_state *hs = &run->hs[h];

		if (hs->state == HS_WAITING) {
			enum skip_kind kind;
			char *reason;

			kind = stop_reason(st, &reason);
			finish_skipped(st, h, kind, reason);
			mark_final(st, h);
		} else if (hs->state == HS_SUBMITTING) {
			/* Batches never submitted count as not started. */
			hs->batches_done += hs->nbatches - hs->next_batch;
			hs->next_batch = hs->nbatches;
			hs->state = HS_SUBMITTED;
			if (hs->batches_done == hs->nbatches)
				finish_hook(st, h);
		}
	}
}

static void
submit_batch(struct strat *st, size_t h)
{
	struct run *run = st->run;
	struct hook_state *hs = &run->hs[h];
	struct hook_job *hj;

	if (hs->jobs == NULL) {
		size_t b;

		hs->jobs = xcalloc(hs->nbatches, sizeof(*hs->jobs));
		for (b = 0; b < hs->nbatches; b++) {
			output_init(&hs->jobs[b].br.out, run->plan->output_limit);
			hs->jobs[b].br.exit_code = -1;
			hs->jobs[b].br.start = -1;
		}
	}
	hj = &hs->jobs[hs->next_batch];
	hj->st = st;
	hj->hook = h;
	hj->batch = hs->next_batch++;
	hj->job.run = job_run;
	hj->job.priority = batch_priority(run, h, hj->batch);
	hj->job.order = ((unsigned long long)h << 24) | (hj->batch & 0xffffff);
	/* A serial hook leaves the ready set at once: its next batch is
	   submitted when the one before it comes back. */
	hs->state = hs->next_batch == hs->nbatches ||
		    run->plan->hooks[h].conf->serial ? HS_SUBMITTED : HS_SUBMITTING;
	st->in_flight++;
	if (queue_push(&run->queue, &hj->job) != 0)
		abort();        /* the queue closes only after every strategy */
}

static int
stopping(struct strat *st)
{
	struct run *run = st->run;

	return atomic_load(&run->stop_all) ||
	       (run->ext_stop != NULL && atomic_load(run->ext_stop)) ||
	       (st->stopped && st->ps->schedule != SCHED_WAVES);
}

/* Log "wave start" (with its hooks still to run) or "wave end" (info). */
static void
log_wave(const struct strat *st, const char *msg, int with_hooks)
{
	const struct run *run = st->run;
	struct buf hooks = { NULL, 0, 0 };
	unsigned w = st->cur_wave;
	char wave[64];
	size_t i;

	snprintf(wave, sizeof(wave), "%u/%u", w, st->ps->nwaves);
	for (i = 0; with_hooks && i < st->wave_n[w]; i++) {
		size_t h = st->wave_hooks[w][i];

		if (run->hs[h].state == HS_WAITING)
			buf_printf(&hooks, "%s%s", hooks.len > 0 ? "," : "",
				   run->plan->hooks[h].conf->name);
	}
	log_event(LOG_LEVEL_INFO, msg, "strategy", st->ps->name, "wave", wave,
		  "hooks", with_hooks ? (hooks.len > 0 ? hooks.p : "") : NULL,
		  NULL);
	buf_release(&hooks);
}

/*
 * Submit what may start now, up to max_workers in flight. A hook with
 * no files, or with nothing the cache left it to run, is made final
 * here, when its turn comes (its dependencies have passed), not
 * before: a hook whose dependency failed is skipped for that, whether
 * or not it had files, and so are its dependents.
 */
static void
submit_ready(struct strat *st)
{
	const struct plan_strategy *ps = st->ps;
	struct run *run = st->run;
	size_t *held = NULL, nheld = 0, k;
	int again;

	do {
		again = 0;
		if (stopping(st)) {
			skip_unstarted(st);
			goto out;
		}
		if (ps->schedule == SCHED_WAVES) {
			/* The barrier: a wave opens when the one before has ended. */
			while (st->cur_wave == 0 ||
			       (st->cur_wave <= ps->nwaves &&
				st->wave_left[st->cur_wave] == 0)) {
				size_t i;

				if (st->cur_wave > 0 && log_enabled(LOG_LEVEL_INFO))
					log_wave(st, "wave end", 0);
				if (st->cur_wave > 0 && st->stopped) {
					skip_unstarted(st);
					goto out;
				}
				if (++st->cur_wave > ps->nwaves)
					goto out;
				if (log_enabled(LOG_LEVEL_INFO))
					log_wave(st, "wave start", 1);
				for (i = 0; i < st->wave_n[st->cur_wave]; i++) {
					size_t h = st->wave_hooks[st->cur_wave][i];
					if (run->hs[h].state == HS_WAITING)
						ready_push(st, h);
				}
			}
		}
		while (st->ready.n > 0 && st->in_flight < ps->max_workers) {
			size_t h = *(size_t *)heap_top(&st->ready);
			struct hook_state *hs = &run->hs[h];

			if (hs->state == HS_DONE || hs->state == HS_SUBMITTED) {
				heap_pop(&st->ready, NULL);
				continue;
			}
			/* sequential: the next hook waits for the one before */
			if (ps->schedule == SCHED_SEQUENTIAL &&
			    hs->state == HS_WAITING && st->in_flight > 0)
				break;
			if (all_cached(run, h)) {
				/* its pass is remembered: passed, never started */
				heap_pop(&st->ready, NULL);
				hook_result_set_cached(&run->results[h],
						       run->cfg->ncached ?
						       run->cfg->ncached[h] : 0);
				mark_final(st, h);
				after_final(st, h);
				again = 1;      /* it may end a wave */
				continue;
			}
			if (hs->nbatches == 0) {
				/* no files: final at once, and it counts as passed */
				heap_pop(&st->ready, NULL);
				finish_skipped(st, h, SKIP_NO_FILES, xstrdup("no files"));
				mark_final(st, h);
				after_final(st, h);
				again = 1;      /* it may end a wave, or stop */
				continue;
			}
			/*
			 * A hook that shares files with a running fixer (or,
			 * a fixer, with any running hook) waits, here or in
			 * another strategy, until that one is over; the
			 * next best may go meanwhile. Sequential waits.
			 */
			if (hs->state == HS_WAITING && !hs->holds) {
				if (!conflicts_enter(run->cfg->conflicts, h)) {
					if (ps->schedule == SCHED_SEQUENTIAL)
						break;
					heap_pop(&st->ready, NULL);
					held = xreallocarray(held, nheld + 1,
							     sizeof(*held));
					held[nheld++] = h;
					continue;
				}
				hs->holds = conflicts_any(run->cfg->conflicts, h);
			}
			submit_batch(st, h);
			heap_pop(&st->ready, NULL);
			/* Its next batch may rank lower than this one did. */
			if (hs->state != HS_SUBMITTED)
				ready_push(st, h);
		}
		/* Those that waited stay ready for the next look. */
		for (k = 0; k < nheld; k++)
			ready_push(st, held[k]);
		nheld = 0;
	} while (again);
out:
	free(held);
}

static void
report_finished(struct strat *st)
{
	const struct run_config *cfg = st->run->cfg;
	size_t i;

	if (cfg->report != NULL)
		for (i = 0; i < st->nfinished; i++)
			cfg->report(cfg->ctx, st->run->plan, st->finished[i],
				    &st->run->results[st->finished[i]]);
	st->nfinished = 0;
}

/* The strategy thread's whole life. */
static void
strat_run(struct strat *st)
{
	struct run *run = st->run;
	const struct plan *p = run->plan;
	const struct plan_strategy *ps = st->ps;
	size_t i;

	st->finished = xmalloc((ps->nhooks + 1) * sizeof(*st->finished));
	st->wave_left = xcalloc(ps->nwaves + 2, sizeof(*st->wave_left));
	st->wave_n = xcalloc(ps->nwaves + 2, sizeof(*st->wave_n));
	st->wave_hooks = xcalloc(ps->nwaves + 2, sizeof(*st->wave_hooks));
	heap_init(&st->ready, sizeof(size_t), ready_before, st);
	heap_reserve(&st->ready, ps->nhooks + 1);
	st->by_chain = ps->schedule != SCHED_SEQUENTIAL;
	st->remaining = ps->nhooks;
	for (i = 0; i < ps->ntopo; i++)
		st->wave_left[p->hooks[ps->topo[i]].wave]++;
	for (i = 1; i <= ps->nwaves; i++)
		st->wave_hooks[i] = xmalloc((st->wave_left[i] + 1) * sizeof(size_t));
	for (i = 0; i < ps->ntopo; i++) {
		size_t h = ps->topo[i];
		unsigned w = p->hooks[h].wave;

		st->wave_hooks[w][st->wave_n[w]++] = h;
		if (ps->schedule != SCHED_WAVES && run->hs[h].deps_left == 0)
			ready_push(st, h);
	}
	/* Disabled hooks are final from the start. */
	for (i = 0; i < ps->nhooks; i++) {
		size_t h = ps->hooks[i];

		if (p->hooks[h].state == PLAN_DISABLED) {
			finish_skipped(st, h, SKIP_DISABLED, xstrdup("disabled"));
			mark_final(st, h);
		}
	}
	/* Hooks with no files are made final when their turn comes. */
	report_finished(st);

	submit_ready(st);
	report_finished(st);
	while (st->remaining > 0) {
		struct hook_job *done;

		pthread_mutex_lock(&st->mu);
		while (st->done == NULL && !st->poked)
			pthread_cond_wait(&st->cond, &st->mu);
		done = st->done;
		st->done = NULL;
		st->poked = 0;
		pthread_mutex_unlock(&st->mu);

		while (done != NULL) {
			struct hook_job *next = done->next_done;
			struct hook_state *hs = &run->hs[done->hook];

			st->in_flight--;
			hs->batches_done++;
			if (hs->next_batch < hs->nbatches && hs->state == HS_SUBMITTED) {
				/* serial: the next batch, unless nothing may start */
				if (stopping(st)) {
					hs->batches_done += hs->nbatches - hs->next_batch;
					hs->next_batch = hs->nbatches;
				} else {
					submit_batch(st, done->hook);
				}
			}
			if (hs->batches_done == hs->nbatches &&
			    hs->state == HS_SUBMITTED)
				finish_hook(st, done->hook);
			done = next;
		}
		submit_ready(st);
		report_finished(st);
	}

	for (i = 1; i <= ps->nwaves; i++)
		free(st->wave_hooks[i]);
	free(st->wave_hooks);
	free(st->wave_n);
	free(st->wave_left);
	heap_release(&st->ready);
	free(st->finished);
}

static void *
strat_main(void *arg)
{
	struct strat *st = arg;
	struct run *run = st->run;

	strat_run(st);
	pthread_mutex_lock(&run->mu);
	run->running--;
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->mu);
	return NULL;
}

struct hook_result *
run_plan(const struct run_config *cfg, atomic_int *stop, double t0,
	 unsigned *workers_started)
{
	const struct plan *p = cfg->plan;
	struct run run;
	struct pool pool;
	struct strat *sts;
	pthread_t *tids;
	int *threaded;
	unsigned limit;
	size_t i;
	int err;

	memset(&run, 0, sizeof(run));
	run.cfg = cfg;
	run.plan = p;
	run.ext_stop = stop;
	run.t0 = t0;
	atomic_init(&run.stop_all, 0);
	if (pthread_mutex_init(&run.mu, NULL) != 0 ||
	    pthread_cond_init(&run.cond, NULL) != 0)
		abort();
	queue_init(&run.queue);
	err = pool_start(&pool, &run.queue, p->jobs);
	if (workers_started != NULL)
		*workers_started = pool.nthreads;
	if (err != 0) {
		queue_release(&run.queue);
		pthread_cond_destroy(&run.cond);
		pthread_mutex_destroy(&run.mu);
		errno = err;
		return NULL;
	}
	run.results = xcalloc(p->nhooks + 1, sizeof(*run.results));
	run.hs = xcalloc(p->nhooks + 1, sizeof(*run.hs));
	for (i = 0; i < p->nhooks; i++) {
		run.hs[i].deps_left = (unsigned)p->hooks[i].ndeps;
		run.hs[i].nbatches = cfg->nbatches ? cfg->nbatches[i] : 1;
	}

	sts = xcalloc(p->nstrategies + 1, sizeof(*sts));
	tids = xcalloc(p->nstrategies + 1, sizeof(*tids));
	threaded = xcalloc(p->nstrategies + 1, sizeof(*threaded));
	limit = p->strategy_parallel ? p->max_concurrent_strategies : 1;
	if (limit == 0)
		limit = 1;
	/* Every strategy's lock exists before any runs: a hook that lets
	   go of its files wakes them all (let_go). */
	for (i = 0; i < p->nstrategies; i++) {
		struct strat *st = &sts[i];

		st->run = &run;
		st->index = i;
		st->ps = &p->strategies[i];
		atomic_init(&st->no_new_starts, 0);
		if (pthread_mutex_init(&st->mu, NULL) != 0 ||
		    pthread_cond_init(&st->cond, NULL) != 0)
			abort();
	}
	run.sts = sts;
	run.nsts = p->nstrategies;
	for (i = 0; i < p->nstrategies; i++) {
		struct strat *st = &sts[i];
		sigset_t all, old;

		/* Strategies start in config order, at most `limit` at once. */
		pthread_mutex_lock(&run.mu);
		while (run.running >= limit)
			pthread_cond_wait(&run.cond, &run.mu);
		run.running++;
		pthread_mutex_unlock(&run.mu);

		/* Signals are the main thread's business. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		threaded[i] = pthread_create(&tids[i], NULL, strat_main, st) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!threaded[i])
			strat_main(st); /* no thread to be had: run it here */
	}
	for (i = 0; i < p->nstrategies; i++)
		if (threaded[i] && pthread_join(tids[i], NULL) != 0)
			abort();
	pool_join(&pool);
	queue_release(&run.queue);
	for (i = 0; i < p->nstrategies; i++) {
		pthread_cond_destroy(&sts[i].cond);
		pthread_mutex_destroy(&sts[i].mu);
	}
	free(threaded);
	free(tids);
	free(sts);
	free(run.hs);
	pthread_cond_destroy(&run.cond);
	pthread_mutex_destroy(&run.mu);
	return run.results;
}
