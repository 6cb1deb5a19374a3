/*
 * gitdir.h - which git repository the run directory is in: the one
 * answer for every module that needs to know (the file listing, where
 * hookwave keeps its own files).
 *
 * One `git rev-parse` asks git itself, through proc_capture() (proc.h),
 * with hookwave's environment, so everything git honours applies: the
 * GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE that git sets for its hooks,
 * GIT_CEILING_DIRECTORIES, linked work trees and submodules (a .git
 * file), core.worktree, core.hooksPath, safe.directory.
 *
 * Ask once per run and keep the struct: every field comes from that one
 * process, so the modules that share it agree. No global state. Needs
 * git 2.31 or later (rev-parse --path-format).
 */
#ifndef HOOKWAVE_GITDIR_H
#define HOOKWAVE_GITDIR_H

#include "util.h"

enum gitdir_state {
	GITDIR_NONE,    /* in no repository: none found, git refused the
			   one it found (safe.directory: "dubious
			   ownership"), or no git in PATH (no_git) */
	GITDIR_REPO,    /* in a repository: see the fields */
	GITDIR_ERROR    /* git could not be asked or gave an answer that
			   makes no sense: `error` says why */
};

/*
 * What git says about a directory. Paths are absolute, with symbolic
 * links resolved as git resolves them, and may hold any byte but NUL
 * (a newline too). Every string is owned by the struct; the ones a
 * state does not set are NULL.
 */
struct gitdir {
	enum gitdir_state state;
	int no_git;             /* NONE because git is not in PATH */
	int inside_work_tree;   /* the directory is in the work tree: not
				   in the git dir, not in a bare repository,
				   not outside a GIT_WORK_TREE */
	int bare;               /* a bare repository */
	char *git_dir;          /* REPO: this work tree's git directory (a
				   linked work tree's or a submodule's own,
				   GIT_DIR when set) */
	char *common_dir;       /* REPO: what all the work trees of the
				   repository share (objects, refs, config);
				   git_dir but for a linked work tree */
	char *hooks_dir;        /* REPO: where git runs hooks from
				   (core.hooksPath honoured) */
	char *index_file;       /* REPO: the index (GIT_INDEX_FILE honoured) */
	char *object_format;    /* REPO: "sha1" or "sha256" */
	char *work_tree;        /* REPO: top of the work tree; NULL when
				   there is none (bare, or in the git dir) */
	char *prefix;           /* REPO and inside_work_tree: the directory
				   relative to work_tree, "" at the top, else
				   ending in '/' ("sub/dir/"); NULL otherwise */
	char *error;            /* ERROR: why, for a message */
};

#define GITDIR_INIT { GITDIR_NONE, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, \
		      NULL, NULL, NULL }

/*
 * Ask git about `dir` (NULL: the current directory) and fill in `g`
 * (whatever it held is not freed: release it first). Returns 0 with
 * g->state GITDIR_NONE or GITDIR_REPO; -1 with g->state GITDIR_ERROR,
 * g->error and `e` saying why (git could not be started for another
 * reason than being absent, was killed, failed in an unexpected way,
 * or printed what cannot be parsed). Never prints. Spawns one process.
 * Thread-safe on distinct `g`.
 */
int gitdir_discover(struct gitdir *g, const char *dir, struct err *e);

/*
 * The directory where hookwave keeps its own files in the repository,
 * malloc'd: GIT_DIR/hookwave (`shared` 0: this work tree's own) or
 * COMMON_DIR/hookwave (`shared` 1: one for all the work trees of the
 * repository). NULL when `g` is not GITDIR_REPO. Only names it: nothing
 * is made.
 */
char *gitdir_hookwave_dir(const struct gitdir *g, int shared);

/* Free the strings and make `g` GITDIR_INIT again. */
void gitdir_release(struct gitdir *g);

#endif
