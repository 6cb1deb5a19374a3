/*
 * exec.h - the real job runner: one batch of a planned hook as a
 * process, started as its launch says (launch.h: argv, environment,
 * cwd), run with proc_run(), and what happened mapped to a status:
 * exit 0 passed; 126 and 127 (the shell's own codes, or a plain
 * command that could not be found or run) error; another code, or a
 * signal hookwave did not send, failed; past its timeout, timeout;
 * stopped by an interrupt, skipped: interrupted; not started at all
 * (no pipe, no process, a bad cwd), error with the reason.
 *
 * With ctx->files, the batch's files are noted before it starts and
 * compared after it ends, in the worker's thread: what changed is in
 * r->modified (the scheduler turns it into "modified N files").
 *
 * A hook that reads findings (its conf's finding_format) has every byte
 * of each process's output read for them, not only what output_limit
 * keeps: r->findings, fingerprinted (finding_id.h).
 */
#ifndef HOOKWAVE_EXEC_H
#define HOOKWAVE_EXEC_H

#include "batch_plan.h"
#include "files.h"
#include "guardian.h"
#include "launch.h"
#include "plan.h"
#include "result.h"

struct exec_ctx {
	const struct launches *launches; /* per plan hook (borrowed) */
	int cancel_fd;                  /* -1, or readable when the run is
					   interrupted: running hooks stop */
	int kill_fd;                    /* -1, or readable when they must
					   die at once (a second interrupt) */
	/* Per plan hook: its file batches (files.h), or NULL for a run
	   where no hook has files; a hook without files has n == 0. */
	const struct batches *batches;
	const struct guardian *guardian; /* NULL, or told of every group */
	/* Per plan hook, its files batch by batch (batch_plan.h), or
	   NULL: a batch whose hook has `note` set is fingerprinted
	   before it starts and after it ends (fingerprint.h), and the
	   files it changed go to r->modified. */
	const struct run_files *files;
	/* Absolute: findings' files are made relative to root (the
	   repository's top, or run_dir outside git); run_dir is where
	   hookwave runs hooks from (a hook's cwd is relative to it). A
	   hook whose conf has a finding_format has its output read for
	   findings when both are set, and they are fingerprinted. */
	const char *root;
	const char *run_dir;
};

/*
 * The scheduler's job runner (run_exec_fn in strategy.h) for a struct
 * exec_ctx, through the session. Thread-safe: reads the plan and ctx
 * only. Fills in *r, including the captured output.
 */
void exec_batch(void *ctx, const struct plan *p, size_t hook, size_t batch,
		unsigned slot, struct batch_result *r);

#endif
