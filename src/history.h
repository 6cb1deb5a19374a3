/*
 * history.h - how long each hook took in earlier runs, so the queue
 * can start the longest predicted critical path first, and how its
 * files shared that time, so its batches can be packed to end together.
 *
 * Kept in the state store (store.h), per run directory. Per hook it
 * keeps the last few durations (the prediction is their median), the
 * seconds its batches took per unit of file cost (the rate), and for
 * the files that cost much more or less than their size says, a factor
 * (at most HISTORY_FILES of them, the furthest from 1).
 *
 * Saving merges: in one write transaction of the store, what it holds
 * is read again and this run's changes are applied to it, so
 * concurrent runs lose nothing. The store's size bound drops the rows
 * least recently seen first. A store that cannot be read is an empty
 * history.
 *
 * Earlier hookwave kept a text file per run directory (history_path_for,
 * "hookwave-history 1" or "2"); history_import moves one into the store
 * once and removes it.
 *
 * Not thread-safe: the session loads it before a run and saves it after.
 */
#ifndef HOOKWAVE_HISTORY_H
#define HOOKWAVE_HISTORY_H

#include "files.h"
#include "util.h"

#define HISTORY_KEEP 5          /* durations kept per hook */
#define HISTORY_FILES 4096      /* file factors kept per hook */
#define HISTORY_FACTOR_MIN 1.05 /* a factor closer to 1 is not kept */
#define HISTORY_FACTOR_MAX 256.0 /* factors stay in [1/MAX, MAX] */
#define HISTORY_NOISE 0.25      /* a batch within 25% of the rate */
#define HISTORY_JITTER 0.05     /* or 50 ms of it teaches nothing
				   about its files */
#define HISTORY_MAX_BYTES (8UL << 20)   /* an old file this large or
					   larger is not imported */

struct history;

struct gitdir;
struct store;

/*
 * The old history file of the run directory (the current directory),
 * malloc'd: in the git directory of `g` (the run's gitdir_discover(),
 * gitdir.h) when it is a repository, else in the cache directory; NULL
 * when there is nowhere to keep one (no cache directory, or `g` in
 * GITDIR_ERROR: where we are is not known). `g` NULL asks git here
 * (one more process). Makes nothing.
 */
char *history_path_for(const struct gitdir *g);

/*
 * The durations of run directory `dir` (store.h) in store `st` (NULL:
 * an empty history). Never returns NULL. When the store cannot be read
 * (not damage, which the store handles: the history is then empty
 * without a word here), *warned is set and `e` says why.
 */
struct history *history_load(struct store *st, const char *dir,
			     int *warned, struct err *e);

/*
 * Move the old history file at `path` into the store as `dir`'s
 * durations, unless the store already has some for `dir`; either way
 * the file is then removed. Nothing to do when there is no file.
 * Returns 0; 1 when the file could not be read or parsed (it is removed
 * without import; `e` says why); or -1 with `e` set (the store could
 * not be written: the file is left for another run).
 */
int history_import(struct store *st, const char *dir, const char *path,
		   struct err *e);

/* Predicted seconds for hook `name` of `strategy`; 0 when unknown. */
double history_predict(const struct history *h, const char *strategy,
		       const char *name);

/* Add one measured duration (seconds) for hook `name` of `strategy`. */
void history_record(struct history *h, const char *strategy,
		    const char *name, double seconds);

/*
 * A hook's key: its name and a hash of its command, so a changed
 * command starts afresh instead of inheriting old times. malloc'd.
 */
char *history_key(const char *name, const char *command);

/*
 * Predicted seconds for one batch of hook `name` whose files cost
 * `cost` in all: the batch start-up plus the rate per unit of cost
 * that earlier runs measured; 0 when unknown.
 */
double history_batch_seconds(const struct history *h, const char *strategy,
			     const char *name, double cost);

/*
 * How many times costlier than its size says `path` (as the hook gets
 * it) was for hook `name`: 1 when nothing is known.
 */
double history_factor(const struct history *h, const char *strategy,
		      const char *name, const char *path);

/*
 * Learn from one run of hook `name`: batch k of `b` (packed with the
 * costs in b->cost, which carried the factors above) took seconds[k]
 * (<= 0: it did not run to its end, and teaches nothing). This run's
 * seconds = startup + rate * cost is fitted over its batches (the
 * start-up only when their costs differ enough to tell it apart),
 * and the kept values become the mean of the old and the new. A batch
 * whose files took more or less time than the fit says, by more than
 * HISTORY_NOISE and HISTORY_JITTER, moves the factors of its files:
 * all the way for a file alone, half way for files together.
 */
void history_learn(struct history *h, const char *strategy,
		   const char *name, const struct batches *b,
		   const double *seconds);

/*
 * Forget every hook but the n given (strategy[i], name[i]): hooks gone
 * from the configuration, or whose command changed (a new key), so the
 * file stays the size of the configuration.
 */
void history_retain(struct history *h, const char *const *strategy,
		    const char *const *name, size_t n);

/*
 * Save the changes made to `h` since it was loaded (history_record,
 * history_learn, history_retain, in order) as `dir`'s durations in
 * `st`: in one write transaction (waiting for other runs' writes), the
 * store is read again, the changes are applied to what it holds, and
 * that is written back. So `st` need not be the store `h` was loaded
 * from: what is there is the base. A store found damaged on the way is
 * set aside by the store and the save made once more onto the new one.
 * When the run directory is gone nothing is saved. Returns 0, or -1
 * with `e` set.
 */
int history_save(const struct history *h, struct store *st,
		 const char *dir, struct err *e);

/*
 * The same inside the caller's write transaction (store_begin(st, 1)):
 * read, apply, write; no commit, no second try. Returns 0 or -1 (`e`).
 */
int history_write(const struct history *h, struct store *st,
		  const char *dir, struct err *e);

/*
 * What `hookwave history` says of a hook's durations d[0..n) (oldest
 * first, seconds): the median, the 90th percentile (nearest rank), and
 * the trend: the median of the last HISTORY_TREND_RECENT runs (of the
 * last half when there are fewer than twice that many) against the
 * median of the up to HISTORY_TREND_BEFORE runs before them: "slower"
 * when it is at least HISTORY_TREND_RATIO times as long and longer by
 * HISTORY_TREND_MIN seconds or more, "faster" the other way round,
 * else "steady"; unknown (NULL) with fewer than HISTORY_TREND_RUNS
 * runs. With n 0 the median and p90 are -1.
 */
#define HISTORY_TREND_RECENT 5
#define HISTORY_TREND_BEFORE 20
#define HISTORY_TREND_RUNS 6
#define HISTORY_TREND_RATIO 1.25
#define HISTORY_TREND_MIN 0.05

struct history_stats {
	double median, p90;             /* seconds; -1 when no run */
	const char *trend;              /* "faster", "steady", "slower" or NULL */
};

void history_stats(const double *d, size_t n, struct history_stats *out);

void history_free(struct history *h);

#endif
