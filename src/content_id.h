/*
 * content_id.h - what a file's content is, cheaply and safely: the
 * content half of a cache key (cache_key.h).
 *
 * An id is a NUL-terminated string naming a path's content:
 *  - "g" + the blob id from git's index (hex, sha1 or sha256), for a
 *    tracked file (stage 0) whose work-tree copy git finds unchanged, as
 *    `git status` does (its stat data is clean, or git hashed it again
 *    and found the same blob);
 *  - "s" + the lowercase hex SHA-256 (nettle) of the file's bytes
 *    otherwise (untracked, modified, outside git, or git's view cannot
 *    be trusted, see below);
 *  - "l" + the SHA-256 of a symbolic link's target (readlink; a link is
 *    never followed);
 *  - none (NULL): missing, not a regular file or a symlink (a directory,
 *    a submodule, a fifo), unreadable, or changed (size or mtime) while
 *    it was read. The caller then does not cache that file.
 *
 * What git knows is learnt once, at content_ids_open: `git ls-files -s
 * -v -z` (blob ids, stages, and the flags that make git skip a file:
 * assume-unchanged and skip-worktree files are never trusted) and, but
 * in index mode, `git status --porcelain=v2 --untracked-files=no` with
 * GIT_OPTIONAL_LOCKS=0 (it never writes the index), the two side by
 * side on two threads. A tracked path that status does not list as
 * changed in the work tree is clean.
 *
 * Git compares a file with its blob after its clean filter and end of
 * line conversion: with `text`, `eol`, `crlf`, `filter`, `ident` or
 * `working-tree-encoding` attributes, or core.autocrlf, two work trees
 * that differ in bytes can both be "unchanged". When any attributes
 * file that applies (system, global, info/attributes, a .gitattributes
 * from the top of the work tree down to the run directory, or one
 * tracked below it) may set such an attribute (or defines a macro), or
 * core.autocrlf is on, no blob id is trusted: every file is hashed. An
 * untracked .gitattributes below the run directory is not looked for.
 *
 * In index mode (a staged run: the work tree holds the index's content
 * while hooks run) every tracked stage-0 path gets its blob id without
 * git status and without reading the file (but with conversions, as
 * above, files are hashed).
 *
 * Files are hashed lazily, once: only the paths asked for are read, with
 * open(O_NOFOLLOW), fstat and a fixed buffer (never mmap).
 *
 * Paths are relative to the run directory (the current directory), as
 * the file listing gives them.
 */
#ifndef HOOKWAVE_CONTENT_ID_H
#define HOOKWAVE_CONTENT_ID_H

#include <stddef.h>

#include "util.h"

struct gitdir;
struct content_ids;
struct content_ids_git;

/*
 * Learn what git knows about the run directory (the current
 * directory). `g` is the run's gitdir (gitdir.h): NULL, GITDIR_NONE or
 * outside a work tree, every file is hashed and no git runs.
 * `index_mode`: a staged run (above). Runs git now (two processes,
 * three when the repository's configuration must be read). Returns
 * NULL with `e` set when git fails or `g` is GITDIR_ERROR (the caller
 * then caches nothing this run).
 */
struct content_ids *content_ids_open(const struct gitdir *g, int index_mode,
				     struct err *e);

/*
 * Ask git early: start what content_ids_open() would run, on two
 * threads, before the gitdir is known, so that git works while the
 * caller does other things. Only once nothing of this run will change
 * the work tree before its hooks (a dead run's files put back, a
 * set-aside made): git's view must be the one the hooks see. Returns
 * the pending answers, owned by the caller until given to
 * content_ids_open_asked() or content_ids_git_drop(). Never fails: a
 * git that cannot be run is an error at open.
 */
struct content_ids_git *content_ids_ask_git(int index_mode);

/*
 * content_ids_open() with git's answers asked for early (`a`, taken in
 * every case: joined and freed; NULL: ask now). Answers asked in another
 * index mode are dropped and git is asked again.
 */
struct content_ids *content_ids_open_asked(const struct gitdir *g,
					   int index_mode,
					   struct content_ids_git *a,
					   struct err *e);

/* Wait for git's answers and free them, unused. NULL: nothing. */
void content_ids_git_drop(struct content_ids_git *a);

/*
 * The id of run-relative `path`, borrowed (valid until close), or NULL:
 * none (above). Asking twice gives the same answer without reading the
 * file again. Main thread only (one thread at a time).
 */
const char *content_id(struct content_ids *c, const char *path);

/*
 * Work out the ids of `paths` ahead, hashing the files git cannot
 * vouch for on up to four threads (the first run, and every run outside
 * git, hashes every file). content_id() then answers from memory. The
 * same thread rules as content_id().
 */
void content_ids_prefetch(struct content_ids *c, const char *const *paths,
			  size_t n);

/* Did git vouch for tracked files (0: every file is hashed)? For tests
   and for a note in a verbose log. */
int content_ids_use_git(const struct content_ids *c);

void content_ids_close(struct content_ids *c);

#endif
