/*
 * signals.h - how a run ends early: SIGINT, SIGTERM and SIGHUP (and a
 * closed stdout, which ends it the same way with SIGPIPE).
 *
 * The first such signal sets the stop flag (nothing new starts) and
 * makes the cancel fd readable (running hooks get SIGTERM, then SIGKILL
 * after kill_grace); a second makes the kill fd readable (SIGKILL at
 * once). After the run hookwave dies of the signal it caught, as make
 * and git do, so its caller sees how it ended.
 *
 * Signal handling is process-wide, so this module's state is too: one
 * run per process. The handlers are async-signal-safe (a flag and a
 * one-byte write). signals_start and signals_finish belong to the main
 * thread; the rest may be called from any thread.
 */
#ifndef HOOKWAVE_SIGNALS_H
#define HOOKWAVE_SIGNALS_H

#include <stdatomic.h>

#include "util.h"

/*
 * Make the cancel and kill pipes and install the handlers (unblocking
 * the signals, in case whoever started us blocked them). Returns 0, or
 * -1 with `e` filled in (no pipe: out of fds).
 */
int signals_start(struct err *e);

/*
 * Ctrl-Z for the whole run: the hooks live in process groups of their
 * own, so the terminal's SIGTSTP reaches only hookwave. From here until
 * signals_finish, SIGTSTP is taken by a thread of this module, which
 * stops every hook group (proc_pause), stops hookwave itself, and once
 * continued (SIGCONT, `fg`) continues them (proc_resume); their
 * deadlines do not count the time spent stopped. Call it from the main
 * thread after anything that forks (the guardian) and before the other
 * threads start, so they inherit SIGTSTP blocked. Returns 0, or -1 with
 * `e` filled in (no thread: Ctrl-Z then stops hookwave alone, as it
 * always did).
 */
int signals_job_control(struct err *e);

/* Readable once the run is interrupted; -1 outside signals_start/finish. */
int signals_cancel_fd(void);

/* Readable once hooks must die at once (a second signal); or -1. */
int signals_kill_fd(void);

/* Non-zero once the run is interrupted: the scheduler starts nothing more. */
atomic_int *signals_stop_flag(void);

/*
 * The signal that ends the run (SIGPIPE for a closed stdout), or 0.
 * Also counts a signal that came after the hooks had ended.
 */
int signals_caught(void);

/*
 * A write to stdout failed with `error`. EPIPE (nobody reads any more)
 * ends the run like an interrupt, quietly; other errors are not an
 * interrupt (the run finishes and exits 2). Safe under the report's
 * lock: it only sets flags and writes a byte.
 */
void signals_write_error(int error);

/* The run is over: end job control (a Ctrl-Z now stops hookwave the
   usual way) and close the pipes. A later signal still counts. */
void signals_finish(void);

/*
 * Die of `sig`: restore its default action, unblock it, raise it.
 * Returns only if the signal did not kill us (e.g. SIGPIPE ignored by
 * a parent that blocked it... never in practice).
 */
void signals_reraise(int sig);

#endif
