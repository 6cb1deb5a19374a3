/*
 * strategy.h - run a plan: one thread per strategy submitting jobs to
 * the one shared queue, a fixed pool of workers running them.
 *
 * Each strategy thread owns the state of its hooks and is the only
 * thread that changes it; workers hand finished jobs back through the
 * strategy's own mutex and condition variable. A strategy never has
 * more than max_workers jobs submitted at once; the pool size (jobs)
 * caps the processes alive across all strategies.
 *
 * Schedules: waves (a wave starts when the one before it has ended),
 * eager (a hook is submitted when its dependencies have finished), and
 * sequential (one hook at a time, Kahn order with config order first).
 * When more hooks are ready than slots, the one with the highest plan
 * priority (the predicted remaining path, plan.h) goes first (config
 * order breaks ties), within a strategy at submit time and across
 * strategies in the queue; a batch may carry its own (run_config).
 *
 * What a job does is the caller's: `exec` runs one batch of a hook,
 * which makes the scheduler testable with a fake runner.
 */
#ifndef HOOKWAVE_STRATEGY_H
#define HOOKWAVE_STRATEGY_H

#include <stdatomic.h>
#include <stddef.h>

#include "output.h"
#include "plan.h"
#include "result.h"

struct conflicts;
struct run;

/*
 * Run batch `batch` of hook `hook` (plan index) on worker `slot`.
 * Called from worker threads, concurrently; must fill in *r.
 */
typedef void (*run_exec_fn)(void *ctx, const struct plan *p, size_t hook,
			    size_t batch, unsigned slot, struct batch_result *r);

/*
 * A hook's result is final. Called from strategy threads (and from
 * the thread calling run_plan), concurrently: the callee locks.
 * `r` is owned by the run and valid until run_release.
 */
typedef void (*run_report_fn)(void *ctx, const struct plan *p, size_t hook,
			      const struct hook_result *r);

/*
 * A hook that ran has its result merged from its batches: the callee
 * may still change it (its status, reason, findings) before it is
 * final and its dependents look at it. Called from strategy threads,
 * concurrently, each for its own hook.
 */
typedef void (*run_settle_fn)(void *ctx, const struct plan *p, size_t hook,
			      struct hook_result *r);

/*
 * Batch `batch` of hook `hook` is about to start on worker `slot`.
 * Called from worker threads, concurrently: the callee locks.
 */
typedef void (*run_start_fn)(void *ctx, const struct plan *p, size_t hook,
			     size_t batch, unsigned slot);

struct run_config {
	const struct plan *plan;
	run_exec_fn exec;
	run_start_fn start;             /* may be NULL */
	run_report_fn report;           /* may be NULL */
	run_settle_fn settle;           /* may be NULL */
	void *ctx;                      /* for exec and report */
	size_t *nbatches;               /* per plan hook; NULL = 1 each;
					   0 = no files: skipped: no files */
	size_t *nfiles;                 /* per plan hook; NULL = 0 each */
	/* Per plan hook: files the result cache passed, which are in none
	   of its batches (the result's `cached`); NULL = 0 each. */
	size_t *ncached;
	/* Per plan hook: nonzero when the cache leaves it nothing to run.
	   Such a hook is never started, whatever its nbatches: when its
	   turn comes (its dependencies passed) it passes with the reason
	   "cached" (hook_result_set_cached), which its dependents count
	   as a pass; a failed dependency, a stop or an interrupt skips it
	   as any other. NULL = none. */
	unsigned char *all_cached;
	/* Per plan hook, per batch: predicted seconds (0 unknown), or
	   NULL. A batch's queue priority is then its own predicted time
	   plus the chain after its hook, not the hook's whole time. */
	double **batch_seconds;
	/* Hooks that must not overlap (conflicts.h), or NULL: a hook
	   enters before its first batch is submitted and leaves when its
	   last is back; one that cannot enter waits, and the next ready
	   hook that can goes first. */
	struct conflicts *conflicts;
	/* The run's files are the index's (a staged run): a stage_fixed
	   fixer's changes are fixes (result.h, `fixed`). */
	int staged;
};

/*
 * Run the whole plan and return the results, one per plan hook, in a
 * malloc'd array owned by the caller (free with hook_results_free).
 * `stop` may be set from elsewhere (a signal): nothing new starts, and
 * what has not started is skipped: interrupted. Returns NULL only if
 * no worker thread at all could be started (errno set).
 */
struct hook_result *run_plan(const struct run_config *cfg, atomic_int *stop,
			     double t0, unsigned *workers_started);

#endif
