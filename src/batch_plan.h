/*
 * batch_plan.h - the files tier of a run: every hook's files chosen
 * from the run's list and cut into batches, before anything runs.
 *
 * A hook with `cwd` sees the files under its directory, relative to it,
 * as if hookwave had been run with -C there (a cwd outside the run
 * directory leaves it none). Its patterns select from those (files.h);
 * the selection is cut into batches (files_batch): with batch_size 0
 * into want = min(jobs, the strategy's max_workers, files) batches
 * packed by cost, else batch_size files each; never more argument bytes
 * than the hook's launch (launch.h) leaves room for.
 *
 * A file's cost is its size plus 4 KiB, times the factor the caller's
 * `factor` gives for it (1 without one). The caller's `seconds` turns a
 * batch's cost into predicted seconds (0: unknown). Both are optional;
 * the history (history.h) is what gives them, through the session.
 *
 * From the main thread, before the run. Stats the files whose size the
 * listing did not record.
 */
#ifndef HOOKWAVE_BATCH_PLAN_H
#define HOOKWAVE_BATCH_PLAN_H

#include <stddef.h>

#include "conflicts.h"
#include "file_tags.h"
#include "files.h"
#include "launch.h"
#include "plan.h"

struct batch_costs {
	/* How many times costlier than its size `path` (as hook `hook`
	   gets it) is: > 0, 1 when nothing is known. NULL: 1 for all. */
	double (*factor)(void *ctx, size_t hook, const char *path);
	/* Predicted seconds of a batch of hook `hook` costing `cost`; 0
	   when unknown. NULL: 0 for all. */
	double (*seconds)(void *ctx, size_t hook, double cost);
	void *ctx;
	/* Whether hook `hook` gets `path` (run-relative) of those its
	   patterns select (--failed: the files it had). NULL: all. */
	int (*keep)(void *ctx, size_t hook, const char *path);
	/* The run's files' type tags (file_tags.h), kept by the caller
	   across calls on the same list; NULL: found for this call. */
	struct file_tags *tags;
	/* > 0: a hook without batch_size is cut into this many batches
	   (fewer with fewer files) whatever the jobs, max_workers and the
	   argument room: the same on every machine (--shard's split). */
	size_t fixed;
};

/*
 * Fill `rb` (run_batches_init'ed for p->nhooks) from the run's list
 * `fl`: per plan hook its batches (n == 0 when it has no patterns or
 * nothing matched), nbatches (1 for a hook without patterns, 0 when
 * they matched nothing), nfiles, and each batch's predicted seconds.
 * `costs` may be NULL.
 */
void batch_plan(struct run_batches *rb, const struct plan *p,
		const struct launches *l, const struct file_list *fl,
		const struct batch_costs *costs);

/*
 * Every hook's files as the run directory names them, batch by batch:
 * what the scheduler keeps apart (conflicts.h) and what each batch
 * notes before and after it runs (fingerprint.h). A hook with patterns
 * has the files of its batches, `note` set. A hook without patterns
 * that runs stands for every file (`all`); when it is a fixer it also
 * notes every file of the listing under its directory, as its one
 * batch. Paths are borrowed from the run's list.
 */
struct hook_files {
	const char **path;      /* run-relative, batch after batch (owned
				   array, borrowed strings); NULL if none */
	size_t n;
	size_t *end;            /* per batch: where its paths end */
	size_t nbatches;        /* batches that have paths */
	int all;                /* no patterns: every file of the run */
	int note;               /* its batches are noted */
};

struct run_files {
	struct hook_files *of;  /* per plan hook */
	size_t n;
};

/* Fill `rf` from the batches batch_plan() made. */
void batch_plan_files(struct run_files *rf, const struct plan *p,
		      const struct launches *l, const struct file_list *fl,
		      const struct run_batches *rb);

void run_files_release(struct run_files *rf);

/*
 * The run's conflicts (conflicts.h): which hooks that will run share
 * files with a fixer (`modifies`). NULL when none do.
 */
struct conflicts *batch_plan_conflicts(const struct run_files *rf,
				       const struct plan *p,
				       const struct run_batches *rb);

#endif
