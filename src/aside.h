/*
 * aside.h - exactly the staged content for a staged run, and never a
 * line of uncommitted work lost.
 *
 * Before the hooks of a staged run start, the unstaged changes of
 * tracked files are set aside: the work tree then holds the index's
 * content and mode for those files, so hooks check exactly what will
 * be committed. After the last hook the work tree is put back byte for
 * byte. Untracked files, intent-to-add entries (`git add -N`), unmerged
 * paths and submodules are never touched; with no unstaged change
 * nothing is touched and nothing is written.
 *
 * What is set aside lives in GIT_DIR/hookwave/aside/ (the work tree's
 * own git dir), written and fsynced before the work tree changes:
 *
 *   data            the work-tree versions, whole: file bytes or link
 *                   targets, one after the other
 *   checked         once the checkout is done: a fingerprint of what
 *                   it wrote at each path (a later change is someone
 *                   else's: a hook's, a fixer's, an editor's); synced
 *   record          the run (pid, start) and, per path, its kind
 *                   (file, symbolic link, deleted), permission bits,
 *                   index mode, mtime and place in data; written last,
 *                   atomically: a set-aside exists once it does
 *
 * The record is removed only after the work tree is back and synced.
 * A set-aside dir without a record is a set-aside that died before the
 * work tree was touched: it is simply removed. A record is never
 * overwritten: while a dead run's set-aside cannot be put back, no new
 * one is made.
 *
 * Which changes: one `git status` (aside_scan_start() runs it early, in
 * a thread). The checkout: the index's versions, filters applied, from
 * one `git cat-file --batch --filters`, read whole before anything is
 * written, then written over each file in place (no new inode, no
 * rename: creating and renaming files costs the file system far more);
 * a file with other hard links, a link, a deleted file, a path cat-file
 * cannot take on a line, or one whose filters change its size goes to
 * `git checkout-index` instead. Putting back writes in place too (or
 * renames a new file over the path, when it is no longer a lone regular
 * file): a write cut short by a crash is harmless, as the record and
 * data stay until the work tree is synced.
 *
 * Who may touch it: the run that set it aside holds an flock on the git
 * dir itself (nothing written) until its record is gone; any other run
 * finding a record takes that lock without waiting, and only then
 * restores: a live run's set-aside is never "recovered". The fd is
 * close-on-exec and hooks inherit only fds 0-2; the guardian closes
 * everything it inherits at once, so a dead run's lock dies with it.
 *
 * Putting back: a set-aside path whose work-tree content still equals
 * the index gets the user's version back. One that changed meanwhile
 * (a hook, a fixer, an editor) is merged with `git merge-file` (index
 * version as the base); when both cannot be kept, or the version is
 * not a plain file on both sides, the user's version wins and the
 * other change is saved as a patch under GIT_DIR/hookwave/ (its path
 * is returned, for the caller to print; the run should then fail).
 * A recovery after a crash never merges (the other change may be a
 * killed hook's half-written file): the user's version wins, the other
 * one goes to the patch.
 *
 * Every git command that writes runs through proc_run() in a process
 * group of its own, so a Ctrl-C at the terminal never kills a git
 * half-way through putting things back; those that only read (status,
 * cat-file) run in hookwave's group, read as fast as they write. All
 * with GIT_OPTIONAL_LOCKS=0 (the index is never
 * refreshed behind the user's back) and GIT_LITERAL_PATHSPECS=1.
 *
 * Test hook: HOOKWAVE_TEST_DIE_AT=POINT makes hookwave SIGKILL itself
 * at a named point, for the tests of recovery (tests/cli/staged.sh):
 *   recorded   the record is written, the work tree not yet changed
 *   checkout   half of the paths hold the index content
 *   restoring  half of the paths are put back
 *   restored   all are back, the record not yet removed
 *
 * Nothing here prints or exits. Not thread-safe: the main thread's.
 */
#ifndef HOOKWAVE_ASIDE_H
#define HOOKWAVE_ASIDE_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "gitdir.h"
#include "util.h"

/* What a path of the work tree was when it was set aside. */
enum aside_kind {
	ASIDE_FILE = 'f',       /* a regular file: its bytes are in data */
	ASIDE_LINK = 'l',       /* a symbolic link: its target is in data */
	ASIDE_GONE = 'd'        /* deleted from the work tree */
};

struct aside_entry {
	char *path;                     /* relative to the work tree's top */
	enum aside_kind kind;
	unsigned perm;                  /* st_mode & 07777 (FILE) */
	unsigned index_mode;            /* the index's mode: 0100644, ... */
	unsigned long long size;        /* bytes in data */
	unsigned long long offset;      /* where in data */
	long long mtime_sec;            /* FILE: put back too */
	long mtime_nsec;
	unsigned keep_dirs;             /* GONE: how many leading directories
					   of path existed (the others were
					   made by the checkout, and go) */
};

/* The record of a set-aside. Zero-initialised is empty. */
struct aside_record {
	long pid;                       /* the run that set it aside */
	long long start;                /* when, seconds since the epoch */
	struct aside_entry *v;
	size_t n, alloc;
};

/* Append an entry (path copied) and return it, other fields zeroed. */
struct aside_entry *aside_record_add(struct aside_record *r, const char *path);

/* The record as its file holds it (appended to out). */
void aside_record_format(const struct aside_record *r, struct buf *out);

/*
 * Parse a record file's content into r (initialised here). Checks the
 * header, every field, the entry count and the end marker; `data_size`
 * is the size of the data file, which every entry must fit in. Returns
 * 0, or -1 with `e` saying what is wrong (r is then empty).
 */
int aside_record_parse(struct aside_record *r, const char *p, size_t n,
		       unsigned long long data_size, struct err *e);

void aside_record_release(struct aside_record *r);

/* An unstaged change, as `git status --porcelain=v2` tells it. */
struct aside_change {
	char *path;
	unsigned index_mode;            /* 0100644, 0100755 or 0120000 */
	char index_oid[65];             /* the index's object id (hex) */
};

/*
 * From `git status --porcelain=v2 -z --no-renames` output (paths
 * relative to the top), the changes that are set aside: tracked files
 * and symbolic links modified, type-changed or deleted in the work tree
 * (git has compared contents: a file only touched is not one). Left
 * out: intent-to-add entries, unmerged paths, submodules, untracked
 * and ignored files. Appends to *v (realloc'd), *n entries. Returns 0,
 * or -1 if the text is not such output.
 */
int aside_parse_status(const char *p, size_t n, struct aside_change **v,
		       size_t *nv);

void aside_changes_free(struct aside_change *v, size_t n);

/*
 * A path's fingerprint: its kind, permission bits, size and a 64-bit
 * FNV-1a hash of its bytes (or link target). The checkout's results
 * are noted so, to tell afterwards whether anyone changed them.
 */
struct aside_print {
	enum aside_kind kind;
	unsigned perm;
	unsigned long long size;
	unsigned long long hash;
};

unsigned long long aside_hash(const void *p, size_t n);

/* The prints as their file holds them, and back (n entries expected):
   0, or -1 when the text is not a whole such file. */
void aside_prints_format(const struct aside_print *v, size_t n,
			 struct buf *out);
int aside_prints_parse(struct aside_print *v, size_t n, const char *p,
		       size_t len);

/*
 * The operation in progress in git dir `git_dir` that forbids a
 * set-aside ("merge", "cherry-pick", "revert", "rebase"), or NULL.
 */
const char *aside_in_progress(const char *git_dir);

/* A set-aside in progress. Zero-initialised (or ASIDE_INIT) is none. */
struct aside {
	int active;                     /* the work tree holds the index
					   content of rec's paths */
	int locked;                     /* lock_fd holds the flock on the
					   git dir */
	int lock_fd;
	char *git_dir, *work_tree;      /* owned copies */
	char *prefix;                   /* the run directory in the work
					   tree ("" or "sub/"): fixed paths
					   are relative to it */
	char *hw_dir;                   /* GIT_DIR/hookwave */
	char *dir;                      /* GIT_DIR/hookwave/aside */
	struct aside_record rec;
	void *scan;                     /* private: aside_scan_start's */
};

#define ASIDE_INIT { 0, 0, -1, NULL, NULL, NULL, NULL, NULL, \
		     { 0, 0, NULL, 0, 0 }, NULL }

/*
 * Start looking for unstaged changes (one `git status` in the current
 * directory) in a thread, so that it runs beside the caller's other
 * git processes; aside_begin() takes its answer. When a set-aside or a
 * putting back may have happened since it began (GIT_DIR/hookwave
 * changed: a recovery, another run), aside_begin() looks again itself.
 * Main thread only.
 */
void aside_scan_start(struct aside *a);

/* Join and forget a scan (aside_begin and aside_end do). Safe twice. */
void aside_scan_drop(struct aside *a);

/*
 * Set aside the unstaged changes of repository `g` (GITDIR_REPO with a
 * work tree), as described above. Returns:
 *  0   done: a->active says whether anything was set aside. When an
 *      operation in progress forbade it, *skipped names it (else NULL)
 *      and nothing was touched;
 *  -1  `e` says why; the work tree is as it was (anything half done is
 *      put back). errno EWOULDBLOCK: another live run has changes set
 *      aside here (its pid, when known, in *holder).
 * The aside must be ended with aside_end() whatever the result.
 */
int aside_begin(struct aside *a, const struct gitdir *g,
		const char **skipped, pid_t *holder, struct err *e);

/*
 * Put the work tree back and forget the set-aside. First the `fixed`
 * paths (a stage_fixed fixer's changes, relative to the current
 * directory, as hooks are given them; may be NULL) are added to the
 * index, except those whose change conflicts with the user's; then the
 * user's changes go back on top, merged with any change made during
 * the run (see above). *patch (when not NULL) gets the malloc'd path
 * of the patch of changes that could not be kept, or NULL. Returns 0;
 * -1 with `e` when something could not be put back (the record then
 * stays, and the next run retries). Safe on an aside that set nothing
 * aside (it then only stages `fixed`) or that never began.
 */
int aside_end(struct aside *a, char *const *fixed, size_t nfixed,
	      char **patch, struct err *e);

/* What aside_recover found. */
struct aside_recovery {
	size_t restored;        /* paths put back (0: nothing was there) */
	long pid;               /* the run that had set them aside */
	pid_t live;             /* a live run holds them (pid, or -1 when
				   unknown); 0 otherwise. Nothing done */
	char *patch;            /* malloc'd: changes that could not be kept */
};

/*
 * Put back what a run that died had set aside in repository `g`
 * (anything but GITDIR_REPO: nothing to do). Cheap when there is
 * nothing: one stat. Returns 0 with *r filled in, or -1 with `e` (the
 * record stays for the next run). Free r->patch.
 */
int aside_recover(const struct gitdir *g, struct aside_recovery *r,
		  struct err *e);

#endif
