/*
 * run_cache.h - the result cache of one run (hookwave(1), CACHE): which
 * of each hook's files its remembered passes spare it, before the run,
 * and what the run's passes add, after it.
 *
 * Before the run, per plan hook that runs: its mode (conf_hook_cache,
 * `no` with --no-cache or when its key cannot be made: a warning then
 * says why) and its key (cache_key.h, bound to the run directory's key
 * in the store). Once the batch planner has noted what each hook
 * selects (run_cache_note), run_cache_select() keys each hook's whole
 * set of files: a set the
 * store remembers as passed (in mode `whole` together, in mode `files`
 * file by file) leaves the hook nothing to start; an unchanged tree
 * costs one lookup a hook. Only for a `files` hook whose set changed
 * does it read what the store remembers of each file; the batches are
 * then made, run_cache_keep() leaving out the files whose content
 * passed before. run_cache_decide() then gives the scheduler which
 * hooks need not start (`all_cached`) and how many files each was
 * spared (`ncached`) (strategy.h).
 *
 * After the run, run_cache_save() adds in the store's open write
 * transaction: the whole set's key of a hook that passed (in mode
 * `files`: all of its files passed, now or before), and in mode `files`
 * every file of each batch that passed. Nothing is remembered of a
 * failed, timed-out or errored batch, of a hook that changed files or
 * reported findings, or of a file any hook of the run changed.
 *
 * From the main thread, but run_cache_batch_done(), which workers call
 * concurrently (each for its own batch: no lock needed).
 */
#ifndef HOOKWAVE_RUN_CACHE_H
#define HOOKWAVE_RUN_CACHE_H

#include <stddef.h>

#include "batch_plan.h"
#include "conf.h"
#include "files.h"
#include "launch.h"
#include "plan.h"
#include "result.h"
#include "util.h"

struct content_ids_git;
struct gitdir;
struct store;
struct run_cache;

typedef void (*run_cache_warn_fn)(void *ctx, const struct err *e);

/*
 * Would any hook of plan `p` be cached (its mode not `no`, with files to
 * key or `inputs`)? What run_cache_open() counts before it asks git.
 */
int run_cache_wanted(const struct conf *c, const struct plan *p);

/*
 * Prepare the cache of plan `p` (from `c`): keys and what the store
 * remembers (one read transaction). `st` and `dir` (the run directory's
 * key) as the session has them; `g` the run's gitdir; `staged`: the
 * work tree holds the index's content; `asked`: git's answers asked for
 * early (content_id.h; NULL: asked now), taken in every case. Returns
 * NULL when no hook of the
 * plan is cached (every mode `no`, no store, or content ids unknown:
 * `warn` is told why, when it is worth a word); the caller then runs
 * everything and saves nothing.
 */
struct run_cache *run_cache_open(const struct conf *c, const struct plan *p,
				 const struct launches *l, struct store *st,
				 const char *dir, const struct gitdir *g,
				 int staged, struct content_ids_git *asked,
				 run_cache_warn_fn warn, void *ctx);

/*
 * The batch planner's first pass (as its `keep`, which keeps nothing,
 * so that nothing is stat'ed or cut): hook `hook` selects `path`
 * (borrowed from the run's list). Returns 0.
 */
int run_cache_note(struct run_cache *rc, size_t hook, const char *path);

/*
 * With every hook's selection noted: the key of each hook's whole set
 * of files; a set the store remembers as passed leaves the hook nothing
 * to run (`all_cached`); for a `files` hook whose set missed, what the
 * store remembers of its files, for run_cache_keep(). Returns non-zero
 * when a hook has files whose pass is remembered one by one (the
 * batches then leave them out), 0 when none has. NULL `rc`: 0.
 */
int run_cache_select(struct run_cache *rc);

/* Whether plan hook `hook` runs on `path` (run-relative): 0 when its
   pass on this content is remembered. NULL `rc`: 1. */
int run_cache_keep(struct run_cache *rc, size_t hook, const char *path);

/*
 * With every hook's batches made (`rb`) and their files (`rf`): decide
 * which hooks need not start and fill `ncached` and `all_cached` (per
 * plan hook, arrays owned by rc, valid until run_cache_close; NULL rc:
 * both NULL).
 */
void run_cache_decide(struct run_cache *rc, const struct run_batches *rb,
		      const struct run_files *rf);
size_t *run_cache_ncached(struct run_cache *rc);
unsigned char *run_cache_all_cached(struct run_cache *rc);

/* Batch `batch` of hook `hook` ended with `status`. From workers. */
void run_cache_batch_done(struct run_cache *rc, size_t hook, size_t batch,
			  enum hook_status status);

/*
 * In the store's open write transaction: remember the run's passes
 * (above). `res` one per plan hook. Returns 0, or -1 with `e` (the
 * store's error: the caller rolls back).
 */
int run_cache_save(struct run_cache *rc, const struct hook_result *res,
		   const struct run_files *rf, const struct run_batches *rb,
		   long long now_ms, struct err *e);

void run_cache_close(struct run_cache *rc);

#endif
