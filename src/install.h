/*
 * install.h - hookwave as a repository's git hooks: the script written
 * for each git hook, and installing and removing it in the directory
 * git runs hooks from (gitdir.h's hooks_dir).
 *
 * The script runs `hookwave --git-hook=NAME` with git's arguments and
 * standard input. It looks for hookwave in PATH, then at the absolute
 * path that installed it; when neither is there it says so on stderr
 * and exits 1, so git refuses the commit rather than letting it through
 * unchecked. A hook that was there before (kept as NAME.hookwave-old by
 * --force) runs first, with the same arguments and standard input; its
 * failure is the script's.
 *
 * A script is hookwave's when its second line is INSTALL_MARKER. No
 * other file is ever replaced or removed: install without `force`
 * refuses it, and uninstall leaves it. Scripts are written through
 * atomic_file (a reader sees the old file or the new one), executable.
 * The kept hook is moved with link(2) and unlink(2): a link never
 * replaces a file that is there, and a symbolic link is kept as the
 * link it is, not followed.
 *
 * Nothing here prints. Not thread-safe on the same hooks directory.
 */
#ifndef HOOKWAVE_INSTALL_H
#define HOOKWAVE_INSTALL_H

#include "util.h"

#define INSTALL_MARKER "# Written by hookwave install; hookwave uninstall removes it."
#define INSTALL_OLD_SUFFIX ".hookwave-old"

/*
 * The script for git hook `name`, falling back to the absolute path
 * `fallback` (may be NULL: PATH only). malloc'd, the same bytes for the
 * same arguments.
 */
char *install_script(const char *name, const char *fallback);

/* What is at a git hook's path. */
enum install_state {
	INSTALL_ABSENT,         /* nothing */
	INSTALL_OURS,           /* a script hookwave wrote */
	INSTALL_FOREIGN         /* anything else, a symbolic link included */
};

/* What is at `path`: 0 and *st, or -1 (errno, `e`) when it cannot be read. */
int install_state_of(const char *path, enum install_state *st,
		     struct err *e);

enum install_result {
	INSTALL_WRITTEN,        /* written (new, or ours brought up to date) */
	INSTALL_UNCHANGED,      /* ours already, byte for byte */
	INSTALL_KEPT_OLD        /* a foreign hook kept as NAME.hookwave-old,
				   then written */
};

/*
 * Whether install_hook without `force` would go ahead: 0, or -1 with
 * `e` naming the foreign hook in the way (errno EEXIST) or saying what
 * could not be read. Changes nothing.
 */
int install_check(const char *hooks_dir, const char *name, struct err *e);

/*
 * Install the script for git hook `name` in `hooks_dir` (made if
 * missing). A foreign hook is an error naming it (errno EEXIST) unless
 * `force`; with `force` it is kept as NAME.hookwave-old, which must not
 * exist yet. Returns 0 and *res, or -1 with `e` (nothing changed).
 */
int install_hook(const char *hooks_dir, const char *name,
		 const char *fallback, int force, enum install_result *res,
		 struct err *e);

enum uninstall_result {
	UNINSTALL_NONE,         /* nothing of hookwave's there */
	UNINSTALL_REMOVED,      /* the script removed */
	UNINSTALL_RESTORED,     /* removed, and NAME.hookwave-old put back */
	UNINSTALL_FOREIGN       /* not hookwave's: left alone */
};

/*
 * Remove hookwave's script for `name` from `hooks_dir` and put a kept
 * NAME.hookwave-old back (also when the script is already gone, as a
 * crash between the two steps leaves it). Returns 0 and *res, or -1
 * with `e`.
 */
int uninstall_hook(const char *hooks_dir, const char *name,
		   enum uninstall_result *res, struct err *e);

/*
 * The absolute path of the running hookwave, for the script's
 * fallback, malloc'd, or NULL when none can be trusted: argv0 as given
 * when it names this very program (a path with '/', made absolute from
 * `cwd`, symbolic links kept: a package manager's stable link rather
 * than its versioned target; a bare name looked up in PATH), else
 * /proc/self/exe. Call it before changing directory.
 */
char *install_self_path(const char *argv0, const char *cwd);

#endif
