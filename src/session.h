/*
 * session.h - one run of a plan, from the files to the exit status:
 * the duration history (load, weigh the plan, save), the file listing
 * and every hook's batches, the guardian and the orphan sweep, the
 * scheduler with the real job runner (exec) on one side and the report
 * stream on the other, the report files, and the rules that turn the
 * results and signals into an exit status.
 *
 * The session is where the scheduler and the report writers meet: they
 * never include each other; the session hands each a typed callback.
 * Nothing here prints: messages go to the `say` callback, which main.c
 * writes to stderr.
 *
 * One session per process at a time (signals.h is process-wide); its
 * functions belong to the main thread.
 */
#ifndef HOOKWAVE_SESSION_H
#define HOOKWAVE_SESSION_H

#include "aside.h"
#include "baseline.h"
#include "buf.h"
#include "batch_plan.h"
#include "cli.h"
#include "conf.h"
#include "files.h"
#include "gitdir.h"
#include "guardian.h"
#include "history.h"
#include "launch.h"
#include "plan.h"
#include "rerun.h"
#include "result.h"
#include "run_cache.h"
#include "shard_plan.h"
#include "util.h"

/* Exit statuses (see hookwave(1), EXIT STATUS). */
enum {
	EXIT_PASS = 0,          /* every selected hook passed (or no files,
				   disabled) */
	EXIT_FAIL = 1,          /* a hook failed, timed out, errored, or was
				   skipped for a dependency or a stop */
	EXIT_USAGE = 2,         /* usage or config error, or hookwave failed */
	EXIT_LOCKED = 75        /* --lock: another run holds it */
};

/* A message for the user (a warning, or why a step failed). */
typedef void (*session_say_fn)(const struct err *e);

struct session {
	const struct conf *conf;        /* borrowed */
	struct plan *plan;              /* borrowed; weighed by the history */
	const struct cli_options *opt;  /* borrowed */
	session_say_fn say;
	int out_fd;                     /* the live report: STDOUT_FILENO
					   unless the caller changes it */
	int lock_fd;                    /* --lock's fd (borrowed), or -1: the
					   guardian holds it too */
	struct gitdir git;              /* the repository, asked once (when
					   the history or the listing needs it) */
	struct history *hist;           /* NULL with --no-history / history = no */
	struct store *store;            /* the state store, or NULL (none:
					   nowhere to keep one, or a dry run
					   without history) */
	char *store_dir;                /* the run directory's key in it */
	char **keys;                    /* per plan hook: its history key */
	bool failed;                    /* --failed: `rerun` says what */
	struct rerun rerun;
	struct file_list files;         /* listed once, if a hook has patterns */
	struct launches launches;       /* how each hook is started */
	struct run_batches batches;     /* every hook's batches */
	struct aside aside;             /* a staged run's unstaged changes,
					   set aside while hooks run */
	struct run_files hook_files;    /* their files, as the run names them */
	struct conflicts *conflicts;    /* hooks kept apart, or NULL */
	struct run_cache *cache;        /* the result cache, or NULL (none
					   this run: --no-cache, no store,
					   no hook cached, a dry run) */
	struct baseline *baseline;      /* --baseline, or NULL */
	struct shard_part part;         /* --shard: this machine's part (n 0:
					   the whole run) */
	struct baseline *baseline_kept; /* --write-baseline: what the file
					   held (empty when new), or NULL */
	struct guardian guard;          /* a run's guardian: started by
					   session_prepare (pid 0: none) */
};

/*
 * Open the state store, load the history (unless disabled) and weigh
 * the plan with it; with --failed, build the plan again with only the
 * hooks to rerun (rerun.h), which may leave it empty; list
 * the files if any hook wants them, and cut every hook's into batches.
 * Returns 0, or -1 with `e` filled in (the listing failed: git failed,
 * --staged outside git, an unreadable --files). The session must be
 * released either way.
 */
int session_prepare(struct session *s, const struct conf *c, struct plan *p,
		    const struct cli_options *o, session_say_fn say,
		    struct err *e);

/*
 * A staged run (--staged) of CLI_RUN also sets the unstaged changes
 * aside (aside.h) before the listing, with SIGINT, SIGTERM and SIGHUP
 * blocked until session_run takes them; session_run or
 * session_release puts them back. Every run first puts back what a
 * dead run had set aside (session_recover).
 */

/*
 * Put back what a run that died had set aside in repository `g`, and
 * say so through `say` (a line that contains "restored"). Returns 0,
 * or -1 when something could not be put back (said too).
 */
int session_recover(const struct gitdir *g, session_say_fn say);

/* The same for the current directory's repository (-l, --check-config,
   `hookwave restore`, a config that cannot be read). */
int session_recover_here(session_say_fn say);

/*
 * Run the prepared plan: hooks, live report on stdout, report files,
 * history. Returns the exit status: EXIT_PASS, EXIT_FAIL, EXIT_USAGE
 * (hookwave itself failed: no pipe, no thread, a write error on stdout,
 * a report file it could not write), or 128+N when signal N ended the
 * run (the caller then dies of N: signals_reraise).
 */
int session_run(struct session *s);

/*
 * Before anything runs: can the -o and --timeline targets ever be
 * written (atomic_file_check)? Returns 0, or -1 with `e` filled in.
 */
int session_check_targets(const struct cli_options *o, struct err *e);

void session_release(struct session *s);

/*
 * `hookwave history`: what the state store of the run directory says
 * of each hook of `p` (history_print.h), into `out` as o->format says.
 * A store that does not exist yet is not made. Returns 0, or -1 with
 * `e` filled in.
 */
int session_history(const struct conf *c, const struct plan *p,
		    const struct cli_options *o, struct buf *out,
		    session_say_fn say, struct err *e);

/*
 * The exit status of finished results: EXIT_FAIL if any hook fails the
 * run (result.h), else EXIT_PASS; 128+`signal` when signal is not 0.
 */
int session_exit_status(const struct hook_result *results, size_t n,
			int signal);

#endif
