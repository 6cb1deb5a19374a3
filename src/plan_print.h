/*
 * plan_print.h - the plan as people read it: `-l` (one hook a line,
 * columns aligned) and `-n` (strategies, waves or order, hooks with
 * their dependencies, timeouts, files and batches).
 *
 * Both append text to a struct buf; the caller writes it out. Nothing
 * here prints. Thread-safe on distinct buffers (the plan is read-only).
 */
#ifndef HOOKWAVE_PLAN_PRINT_H
#define HOOKWAVE_PLAN_PRINT_H

#include "buf.h"
#include "files.h"
#include "plan.h"

/* -l: HOOK, STRATEGY, WAVE ("disabled" for a disabled hook), DEPENDS. */
void plan_print_list(struct buf *out, const struct plan *p);

/* -n: the plan with each hook's batches from `rb` (by plan hook). */
void plan_print_dry_run(struct buf *out, const struct plan *p,
			const struct run_batches *rb);

#endif
