/*
 * rerun.h - --failed: which hooks run again, and with which files, from
 * what each hook's last result in the run directory was (store.h).
 *
 * A hook is run again when its last result was not a pass (passed, or
 * skipped for no files): failed, timeout, error, skipped for a
 * dependency, a stop or an interrupt, and a hook with no result at all.
 * It gets the files it had then, those that still exist; the hooks that
 * depend on it (transitively) run too, with the files the run lists.
 * Hooks the plan does not run (disabled, not selected) are never picked.
 *
 * From the main thread; no shared state.
 */
#ifndef HOOKWAVE_RERUN_H
#define HOOKWAVE_RERUN_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "files.h"
#include "hashmap.h"
#include "plan.h"

/* A hook's last result, as the store gave it. */
struct rerun_last {
	const char *status;             /* hook_status_name(); NULL: none */
	const char *reason;             /* NULL: none */
	const char *files;              /* its files, NUL-terminated one after
					   another; NULL: none recorded */
	size_t files_len;
};

/* A set of paths. */
struct pathset {
	struct strlist v;
	struct hashmap ix;
};

struct rerun {
	bool *only;                     /* per conf hook: run it again */
	size_t n;                       /* conf hooks */
	size_t count;                   /* how many are set in `only` */
	struct pathset *files;          /* per conf hook: the files it gets */
	bool *own;                      /* per conf hook: files[] applies (it
					   failed with files); else the run's
					   listing */
	struct pathset added;           /* files the listing did not have,
					   added for the hooks that had them */
};

/* Whether a last result counts as a pass. */
bool rerun_passed(const char *status, const char *reason);

/*
 * Choose from plan `p` (built from `c`), with last[i] the last result
 * of plan hook i. Fills `r` (release it).
 */
void rerun_select(struct rerun *r, const struct conf *c, const struct plan *p,
		  const struct rerun_last *last);

/*
 * Add to the run's listing `fl` the files the chosen hooks had that it
 * lacks and that still exist (files_from_nul), so they can get them.
 */
void rerun_extend_list(struct rerun *r, struct file_list *fl);

/*
 * Whether hook `conf_index` gets `path` (run-relative) in the rerun:
 * its own files when it failed with some, else the listing's.
 */
int rerun_keeps(const struct rerun *r, size_t conf_index, const char *path);

void rerun_release(struct rerun *r);

void pathset_add(struct pathset *s, const char *path);
int pathset_has(const struct pathset *s, const char *path);
void pathset_release(struct pathset *s);

#endif
