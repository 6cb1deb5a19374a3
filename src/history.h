/*
 * history.h - how long each hook took in earlier runs, so the queue
 * can start the longest predicted critical path first.
 *
 * One small text file per run directory: under the git directory
 * (GITDIR/hookwave/history-HASH) in a work tree, else under
 * $XDG_CACHE_HOME/hookwave (or ~/.cache/hookwave). It keeps the last
 * few durations of each hook; the prediction is their median. It is
 * written atomically (temporary file + rename). A missing file is an
 * empty history; a corrupt one is ignored with a warning.
 *
 * Not thread-safe: main.c loads it before a run and saves it after.
 */
#ifndef HOOKWAVE_HISTORY_H
#define HOOKWAVE_HISTORY_H

#include "util.h"

#define HISTORY_KEEP 5          /* durations kept per hook */

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

/* Write it to `path` atomically, making the directory if needed. */
int history_save(const struct history *h, const char *path, struct err *e);

void history_free(struct history *h);

#endif
