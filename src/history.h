/*
 * history.h - how long each hook took in earlier runs, so the queue
 * can start the longest predicted critical path first, and how its
 * files shared that time, so its batches can be packed to end together.
 *
 * One small text file per run directory: in the repository's git
 * directory (GITDIR/hookwave/history-HASH, GITDIR as gitdir.h says), else
 * under $XDG_CACHE_HOME/hookwave (or ~/.cache/hookwave). Per hook it
 * keeps the last few durations (the prediction is their median), the
 * seconds its batches took per unit of file cost (the rate), and for
 * the files that cost much more or less than their size says, a factor
 * (at most HISTORY_FILES of them, the furthest from 1).
 *
 * The file is never larger than the reader takes (HISTORY_MAX_BYTES):
 * lines are kept most recently seen first, and what does not fit, the
 * least recently seen, is dropped. Saving merges: under a lock on the
 * file's directory the file is read again and this run's changes are
 * applied to what is there, so concurrent runs in one directory lose
 * nothing; it is then replaced atomically (temporary file, fsync,
 * rename). A missing file is an empty history; one that cannot be
 * read, is too large or is corrupt is ignored with a warning.
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
#define HISTORY_NOISE 0.25      /* a batch within 25% of the rate */
#define HISTORY_JITTER 0.05     /* or 50 ms of it teaches nothing
				   about its files */
#define HISTORY_MAX_BYTES (8UL << 20)   /* a file this large or larger is
					   not read; none is written */

struct history;

struct gitdir;

/*
 * The history file for the run directory (the current directory),
 * malloc'd: in the git directory of `g` (the run's gitdir_discover(),
 * gitdir.h) when it is a repository, else in the cache directory; NULL
 * when there is nowhere to keep one (no cache directory, or `g` in
 * GITDIR_ERROR: where we are is not known). `g` NULL asks git here
 * (one more process). Makes nothing.
 */
char *history_path_for(const struct gitdir *g);

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

/*
 * Save the changes made to `h` since it was loaded (history_record,
 * history_learn, history_retain, in order) to `path`: under an flock(2)
 * on the file's directory (waiting at most 10 seconds for another
 * run's save), the file is read again, the changes are applied to what
 * it holds (nothing, when it is missing or cannot be read), and it is
 * replaced whole, at most HISTORY_MAX_BYTES - 1 bytes. So `path` need
 * not be the file `h` was loaded from: what is there is the base.
 *
 * The file's directory is made if missing, with one mkdir(2) inside
 * an existing parent; only under the cache directory are missing
 * parents made too. So a git directory or run directory that a hook
 * removed is never made again; when the run directory is gone nothing
 * is saved. Returns 0, or -1 with `e` set.
 */
int history_save(const struct history *h, const char *path, struct err *e);

void history_free(struct history *h);

#endif
