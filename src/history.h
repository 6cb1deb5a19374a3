/*
 * history.h - how long each hook took in earlier runs, so the queue
 * can start the longest predicted critical path first, and how its
 * files shared that time, so its batches can be packed to end together.
 *
 * One small text file per run directory: under the git directory
 * (GITDIR/hookwave/history-HASH) in a work tree, else under
 * $XDG_CACHE_HOME/hookwave (or ~/.cache/hookwave). Per hook it keeps
 * the last few durations (the prediction is their median), the seconds
 * its batches took per unit of file cost (the rate), and for the files
 * that cost much more or less than their size says, a factor (at most
 * HISTORY_FILES of them, the furthest from 1). It is written
 * atomically (temporary file + rename). A missing file is an empty
 * history; a corrupt one is ignored with a warning.
 *
 * Not thread-safe: main.c loads it before a run and saves it after.
 */
#ifndef HOOKWAVE_HISTORY_H
#define HOOKWAVE_HISTORY_H

#include "files.h"
#include "util.h"

#define HISTORY_KEEP 5          /* durations kept per hook */
#define HISTORY_FILES 4096      /* file factors kept per hook */
#define HISTORY_FACTOR_MIN 1.05 /* a factor closer to 1 is not kept */
#define HISTORY_FACTOR_MAX 256.0 /* factors stay in [1/MAX, MAX] */
#define HISTORY_NOISE 0.1       /* a batch within 10% of the rate */
#define HISTORY_JITTER 0.01     /* or 10 ms of it teaches nothing
				   about its files */

struct history;

/*
 * The history file for the current directory, malloc'd; NULL when
 * there is nowhere to keep one (no git dir, no cache dir).
 */
char *history_path(void);

/*
 * Load `path` (NULL: an empty history). Never returns NULL. When the
 * file exists but cannot be read or is corrupt, *warned is set and `e`
 * says why; the history is then empty.
 */
struct history *history_load(const char *path, int *warned, struct err *e);

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

/* Write it to `path` atomically, making the directory if needed. */
int history_save(const struct history *h, const char *path, struct err *e);

void history_free(struct history *h);

#endif
