/*
 * githook.h - a run as one of git's hooks (--git-hook=NAME) and the
 * git workflow's file sources: which strategies run for a git hook,
 * which git hooks `install` writes, and the files of --changed,
 * --from-ref/--to-ref, pre-push and commit-msg (hookwave(1), GIT
 * HOOKS); and the install and uninstall commands.
 *
 * A strategy runs for the git hooks its `git_hooks` names, or for
 * pre-commit alone without the key. Nothing here prints; from the main
 * thread.
 */
#ifndef HOOKWAVE_GITHOOK_H
#define HOOKWAVE_GITHOOK_H

#include <stdbool.h>

#include "cli.h"
#include "conf.h"
#include "files.h"
#include "launch.h"
#include "plan.h"

/*
 * The strategies that run for git hook `name`, in config order, pushed
 * onto `out`; with `only` not empty (-s), just those of them. Returns
 * how many.
 */
size_t githook_strategies(const struct conf *c, const char *name,
			  const struct strlist *only, struct strlist *out);

/*
 * The git hooks that some strategy runs for, each once, in the order
 * of git_hook_names (gitnames.h), pushed onto `out`; pre-commit when
 * the config has no strategy at all.
 */
void githook_wanted(const struct conf *c, struct strlist *out);

/* Whether `src` is listed by githook_list_files rather than files.h. */
bool githook_lists(enum files_source src);

/*
 * The files of a run whose o->files is one of githook_lists' sources:
 * --from-ref/--to-ref and --changed (gitrange.h); pre-push: the ref
 * lines read from `in_fd` (git's standard input) to its end; the
 * message file (which must exist): the list holds it as given and, at
 * index 1, as an absolute path, for hooks that run elsewhere. `g` is
 * the run's gitdir: these sources need a work tree. Returns 0, or -1
 * with `e` filled in; `fl` must be released either way.
 */
int githook_list_files(struct file_list *fl, const struct gitdir *g,
		       const struct cli_options *o, int in_fd,
		       struct err *e);

/*
 * commit-msg and the like: every hook that runs gets the message file
 * (`fl` from githook_list_files) as its one argument, whatever its
 * `files` patterns, in one batch: as given in the run directory, as
 * the absolute path for a hook with `cwd`. Replaces what `rb` held for
 * each hook, and makes each launch take files (launch_take_files).
 */
void githook_message_batches(struct run_batches *rb, const struct plan *p,
			     struct launches *l, const struct file_list *fl);

/* A message for the user; the caller prints it. */
typedef void (*githook_say_fn)(const struct err *e);

/*
 * hookwave install / uninstall (o->action), in the current directory:
 * the git hooks o->names, or with none, for install those some strategy
 * of the config (cli_find_config, `sysconf_path` last) runs for, for
 * uninstall every one of hookwave's. `self` is the script's fallback
 * path (install_self_path, may be NULL). A foreign hook in the way of
 * install without --force stops it before anything is written. What
 * was done goes to `out`, one line per git hook; errors to `say`.
 * Returns the exit status: 0, or 2 (not in a repository, no config, a
 * foreign hook, a write that failed).
 */
struct buf;
int githook_install(const struct cli_options *o, const char *self,
		    const char *sysconf_path, struct buf *out,
		    githook_say_fn say);

#endif
