/*
 * baseline.h - "hold the line": the findings a run recorded
 * (--write-baseline), read back by a later run (--baseline) to tell
 * each finding new or unchanged, and to list those that are gone.
 *
 * The file is text, one finding a line, sorted, so that it diffs well
 * in version control:
 *
 *	# hookwave baseline 1
 *	STRATEGY/HOOK<TAB>FINGERPRINT<TAB>FILE<TAB>LINE<TAB>COL<TAB>LEVEL<TAB>RULE<TAB>MESSAGE
 *
 * LINE and COL are 0 when unknown, RULE empty when there is none.
 * Backslash, tab, newline, carriage return and the other control bytes
 * are written as \\, \t, \n, \r and \xHH, so every finding is one line
 * whatever its message holds. Lines are sorted by hook, file, line,
 * column and fingerprint. Blank lines and lines starting with '#' after
 * the first are ignored.
 *
 * A finding matches an entry of the same hook with the same fingerprint
 * (finding_id.h), each entry at most once. A loaded baseline is
 * read-only: baseline_mark may run in any number of threads at once.
 */
#ifndef HOOKWAVE_BASELINE_H
#define HOOKWAVE_BASELINE_H

#include <stddef.h>

#include "buf.h"
#include "finding.h"
#include "util.h"

struct baseline;

/*
 * Read the baseline at `path` (copied for messages). Returns 0 with
 * *out set (free it with baseline_free), or -1 with `e` filled in:
 * the file cannot be read ("PATH: cannot read: REASON"), or a line is
 * not a baseline's (e->file and e->line say where).
 */
int baseline_load(struct baseline **out, const char *path, struct err *e);

/* An empty baseline (what --write-baseline starts from when the file
   does not exist yet). */
struct baseline *baseline_empty(void);

/*
 * Mark the findings of hook `key` ("STRATEGY/HOOK") against b: each is
 * FINDING_UNCHANGED when an entry of that hook has its fingerprint (a
 * finding without one is new), else FINDING_NEW. The hook's entries
 * that no finding matched are appended to `absent` (copies, state
 * FINDING_ABSENT, in the file's order).
 */
void baseline_mark(const struct baseline *b, const char *key,
		   struct findings *f, struct findings *absent);

/* Whether b has entries for hook `key`. */
int baseline_has(const struct baseline *b, const char *key);

/*
 * The baseline file that records, for each of the n hooks keys[i],
 * exactly the findings f[i] (f[i] may be NULL: none), and keeps b's
 * entries of every other hook as they are (b may be NULL). Findings
 * without a fingerprint are left out. Appends the whole file to out.
 */
void baseline_render(struct buf *out, const struct baseline *b,
		     const char *const *keys, const struct findings *const *f,
		     size_t n);

/* NULL is fine. */
void baseline_free(struct baseline *b);

#endif
