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

#endif
