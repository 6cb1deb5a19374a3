/*
 * launch.h - how each hook of a plan is started, worked out once before
 * the run: its environment, its directory, and its argument vector up
 * to the files. The one place that builds a hook's argv: batch planning
 * sizes the batches by the very prefix that exec then runs, so the
 * argument limit holds by construction.
 *
 * A hook without files runs as `/bin/sh -c COMMAND`. A hook with files
 * runs as `/bin/sh -c 'COMMAND "$@"' hookwave FILE...`, so file names
 * are arguments and never shell text. A command that is only plain
 * words (SHELLCMD_PLAIN in shellcmd.h) runs directly, as make runs it,
 * with the same arguments and the same statuses, when the shell would
 * look it up in the same PATH: it saves a shell per process. Such a
 * command that turns out to be a script without a #! line (ENOEXEC)
 * runs through the shell after all, as sh -c would run it.
 *
 * A hook with a `launcher` (hookwave.ini(5)) runs that program: its
 * words, then the argv above; with `launcher_shell`, then that argv as
 * one line quoted for the shell on the far side (ssh). The launcher's
 * program is looked up in hookwave's PATH.
 *
 * The environment: hookwave's own, less what the hook's env lines and
 * hookwave itself set; then the env lines (the last for a variable
 * wins; HOOKWAVE_* and PWD lines are ignored); then HOOKWAVE_HOOK,
 * HOOKWAVE_STRATEGY, HOOKWAVE_WAVE and PWD (the hook's directory as
 * `cd -L` names it; see hookwave.ini(5)). Entries of hookwave's
 * environment are borrowed, not copied: it must not change while the
 * launches live (hookwave never sets variables after it starts).
 *
 * Built from the main thread; read-only afterwards, shared by any
 * number of threads.
 */
#ifndef HOOKWAVE_LAUNCH_H
#define HOOKWAVE_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

struct launch {
	char **env;             /* NULL-terminated; entries borrowed from
				   hookwave's environment or in `own` */
	char **own;             /* NULL-terminated: what env owns */
	char **words;           /* a plain command run directly: its words
				   (one block); NULL: through the shell */
	size_t nwords;
	char *script;           /* hook with files: "COMMAND \"$@\"" */
	const char *command;    /* borrowed from the conf */
	const char *cwd;        /* borrowed from the conf; NULL: none */
	char **launcher;        /* its launcher's words (one block), put
				   before its argv; NULL: none */
	size_t nlauncher;
	bool launcher_shell;    /* its argv after them as one quoted
				   shell line */
	char *subdir;           /* its directory relative to the run
				   directory for choosing files: "" the run
				   directory, "sub/dir" below it, NULL
				   outside it (then it has no files); set
				   for a hook with patterns or `modifies` */
};

struct launches {
	struct launch *v;       /* per plan hook */
	size_t n;
};

/*
 * Work out the launch of every hook of `p` with hookwave's environment
 * `environ` (borrowed; see above). Allocation failure aborts. Reads
 * the current directory (the run directory) and each hook's cwd.
 */
void launch_build(struct launches *l, const struct plan *p,
		  char *const *environ);

void launch_release(struct launches *l);

/* How one process of a hook is spawned. */
struct launch_argv {
	char **argv;            /* NULL-terminated; strings borrowed from the
				   launch and the files, but `joined` */
	const char *path;       /* what to spawn: argv[0] */
	int search_path;        /* look `path` up in PATH */
	char *joined;           /* launcher_shell: the quoted line; else
				   NULL */
};

/*
 * The longest single argument Linux's execve takes (MAX_ARG_STRLEN, 32
 * pages of 4 KiB): a launcher_shell line must fit in it.
 */
#define LAUNCH_ARG_STRLEN 131072

/*
 * The argv of one process of hook `l`: its prefix, then `files` (n of
 * them; NULL and 0 for a hook without files). `shell` forces the
 * `/bin/sh -c` form (the fallback for a plain command that is a script
 * without #!). With a launcher, its words come first and `path` is its
 * program; with launcher_shell the hook's argv follows them as one
 * line a remote shell splits back (shellcmd_quote). Fills *out and
 * returns 0, or -1 when there is no memory (a worker thread makes that
 * the hook's error, not an abort). Thread-safe. Release *out with
 * launch_argv_release().
 */
int launch_argv(const struct launch *l, char *const *files, size_t n,
		 int shell, struct launch_argv *out);

/* Free what launch_argv() allocated in `a`. */
void launch_argv_release(struct launch_argv *a);

/*
 * Make a hook that has no `files` patterns take files all the same, as
 * one with patterns does (its script "COMMAND \"$@\"", its directory):
 * commit-msg hands every hook the message file. Does nothing for a
 * hook that already takes them.
 */
void launch_take_files(struct launch *l);

/*
 * Bytes that the files of one process of `l` may take: what execve
 * allows less its environment and the longer of its two prefixes
 * (direct and through the shell), as files_arg_budget() counts them.
 */
size_t launch_budget(const struct launch *l);

#endif
