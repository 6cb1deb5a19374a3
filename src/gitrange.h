/*
 * gitrange.h - the files git says changed: between two commits, since
 * the merge base of two refs, in the work tree and index, or in what a
 * `git push` sends (the ref lines git gives a pre-push hook).
 *
 * Each function runs git in the current directory (the run directory)
 * through proc_capture() (proc.h), with hookwave's environment, so the
 * GIT_DIR and GIT_INDEX_FILE git gives its hooks apply. Paths come back
 * as files.c lists them: relative to the current directory, only those
 * under it, deduplicated, and only files that exist in the work tree
 * (a deleted file is never passed; a hook reads the work tree).
 * Renames count as their new name. The caller must be in a git work
 * tree (gitdir.h).
 *
 * Every function fills `fl` (released by the caller, whatever the
 * result) and returns 0, or -1 with `e` saying why: git could not be
 * run, a ref is unknown, git failed. Never prints. Thread-safe.
 */
#ifndef HOOKWAVE_GITRANGE_H
#define HOOKWAVE_GITRANGE_H

#include <stddef.h>

#include "files.h"
#include "util.h"

/*
 * --from-ref/--to-ref: the files changed between merge-base(from, to)
 * and `to` (NULL: HEAD), i.e. what `to` changed since it left `from`.
 * Refs that start with '-' are refused (never taken as options).
 */
int gitrange_from_to(struct file_list *fl, const char *from, const char *to,
		     struct err *e);

/*
 * --changed: files changed in the work tree or in the index against
 * HEAD (everything in the index on an unborn branch), plus untracked
 * files that are not ignored.
 */
int gitrange_changed(struct file_list *fl, struct err *e);

/*
 * pre-push: for each line "LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA" of
 * lines[0..len): the files changed between REMOTE_SHA and LOCAL_SHA; a
 * new ref (REMOTE_SHA all zeros) or a remote commit this repository
 * does not have: the files changed by the commits of LOCAL_SHA that no
 * remote-tracking ref holds yet; a deleted ref (LOCAL_SHA all zeros):
 * nothing. Blank lines are ignored; a line of another shape is an
 * error.
 */
int gitrange_pre_push(struct file_list *fl, const char *lines, size_t len,
		      struct err *e);

#endif
