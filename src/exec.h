/*
 * exec.h - the real job runner: turn one batch of a planned hook into
 * a process (argv, environment, cwd), run it with proc_run(), and map
 * what happened to a status (SPEC §2).
 *
 * A hook without files runs as `/bin/sh -c COMMAND`. A hook with files
 * runs as `/bin/sh -c 'COMMAND "$@"' hookwave FILE...`, so file names
 * are arguments and never shell text.
 */
#ifndef HOOKWAVE_EXEC_H
#define HOOKWAVE_EXEC_H

#include "plan.h"
#include "strategy.h"

struct hook_batches;

struct exec_ctx {
	char *const *environ;           /* hookwave's environment (borrowed) */
	int cancel_fd;                  /* -1, or readable when the run is
					   interrupted: running hooks stop */
	/* Files per plan hook and batch; NULL, or a NULL entry, for a
	   hook without files. */
	const struct hook_batches *batches;
};

/* The batches of one hook: batch b passes files[b][0..] (NULL-ended). */
struct hook_batches {
	size_t n;
	char ***files;
};

/*
 * run_exec_fn for struct exec_ctx. Thread-safe: reads the plan and ctx
 * only. Fills in *r, including the captured output.
 */
void exec_batch(void *ctx, const struct plan *p, size_t hook, size_t batch,
		unsigned slot, struct batch_result *r);

#endif
