/*
 * gitnames.h - the names of git's own hooks (githooks(5)) and what git
 * hands each: which ones read standard input, which ones get a commit
 * message file as their first argument.
 *
 * Pure tables: no allocation, no state, thread-safe.
 */
#ifndef HOOKWAVE_GITNAMES_H
#define HOOKWAVE_GITNAMES_H

#include <stddef.h>

/* Every git hook name git runs, in githooks(5) order. */
extern const char *const git_hook_names[];
extern const size_t git_hook_count;

/* 1 when `name` is one of git_hook_names, else 0. */
int git_hook_known(const char *name);

/* 1 for the hooks git feeds on standard input (pre-push, ...). */
int git_hook_reads_stdin(const char *name);

/*
 * 1 for the hooks whose first argument is a commit message file
 * (commit-msg, prepare-commit-msg, applypatch-msg).
 */
int git_hook_takes_message(const char *name);

#endif
