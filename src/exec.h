/*
 * exec.h - the real job runner: turn one batch of a planned hook into
 * a process (argv, environment, cwd), run it with proc_run(), and map
 * what happened to a status (SPEC §2).
 *
 * A hook without files runs as `/bin/sh -c COMMAND`. A hook with files
 * runs as `/bin/sh -c 'COMMAND "$@"' hookwave FILE...`, so file names
 * are arguments and never shell text. A command that is only plain
 * words (SHELLCMD_PLAIN in shellcmd.h: no quote, no variable, no glob,
 * no operator, no builtin or reserved word of the shell first) is run
 * directly, as make does, with the same arguments and the same
 * statuses, when the shell would find it in the same PATH: it saves a
 * shell per process.
 */
#ifndef HOOKWAVE_EXEC_H
#define HOOKWAVE_EXEC_H

#include "files.h"
#include "guardian.h"
#include "history.h"
#include "plan.h"
#include "result.h"

struct exec_ctx {
	char *const *environ;           /* hookwave's environment (borrowed) */
	int cancel_fd;                  /* -1, or readable when the run is
					   interrupted: running hooks stop */
	int kill_fd;                    /* -1, or readable when they must
					   die at once (a second interrupt) */
	/* Per plan hook: its file batches (files.h), or NULL for a run
	   where no hook has files; a hook without files has n == 0. */
	const struct batches *batches;
	const struct guardian *guardian; /* NULL, or told of every group */
};

/*
 * Split the files of every hook with `files` patterns into batches
 * (SPEC §5, §8): select from `fl`, then want = min(jobs, the strategy's
 * max_workers, files) batches with batch_size 0, else batch_size files
 * each; never more argument bytes than execve allows with the hook's
 * environment. A file's cost is its size plus 4 KiB, times the factor
 * `hist` (NULL: none) learned for it; with a rate known, each batch's
 * predicted seconds are its cost times the rate (else 0). Fills out[i]
 * for each plan hook (n == 0 when it has no patterns or nothing
 * matched), nbatches[i] (1 for a hook without patterns, 0 when its
 * patterns matched nothing) and nfiles[i]. Stats every selected file.
 */
void exec_plan_batches(const struct plan *p, char *const *environ,
		       const struct file_list *fl, const struct history *hist,
		       struct batches *out, size_t *nbatches, size_t *nfiles);

/*
 * The scheduler's job runner (run_exec_fn in strategy.h) for a struct
 * exec_ctx, through the session. Thread-safe: reads the plan and ctx
 * only. Fills in *r, including the captured output.
 */
void exec_batch(void *ctx, const struct plan *p, size_t hook, size_t batch,
		unsigned slot, struct batch_result *r);

#endif
