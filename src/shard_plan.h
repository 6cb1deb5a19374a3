/*
 * shard_plan.h - this machine's part of a sharded run (--shard=K/N,
 * hookwave(1) SHARDING): the plan's jobs weighed and split (shard.h),
 * and what the session keeps of them.
 *
 * The split is made from batches cut by a fixed rule (batch_plan.h
 * `fixed`, SHARD_PIECES per part of a hook without batch_size) so that
 * every machine cuts the same files the same way whatever its CPUs,
 * jobs and environment. The part's own batches are cut afterwards,
 * from its files, as any run cuts them.
 *
 * Weights: with a duration history, predicted seconds: a batch's own
 * prediction, else its hook's (the median of its known runs, or of the
 * other hooks' when it has none) shared by the batches' costs. With no
 * history at all: a hook without files weighs 1, a batch its files'
 * cost in units of 4 KiB (each file at least one: size plus 4 KiB).
 *
 * From the main thread, before the run.
 */
#ifndef HOOKWAVE_SHARD_PLAN_H
#define HOOKWAVE_SHARD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "files.h"
#include "launch.h"
#include "plan.h"

/* Pieces of a hook without batch_size per part, for the split. */
#define SHARD_PIECES 4

struct shard_part {
	unsigned k, n;          /* part k (1-based) of n; n 0: no split */
	size_t nconf;
	bool *only;             /* per conf hook: in this part */
	const char ***files;    /* per conf hook: NULL (all it selects), or
				   its files in this part, run-relative,
				   sorted (borrowed from the run's list) */
	size_t *nfiles;
	size_t njobs, alljobs;  /* this part's jobs, the run's */
	size_t nhooks;          /* hooks with a job in this part */
	bool seconds;           /* the weights are predicted seconds */
	double wall;            /* this part's predicted wall time at the
				   plan's cap (seconds when `seconds`) */
	unsigned cap;
};

/*
 * Split plan `p` (for conf hooks 0 .. nconf-1) into n parts from the
 * batches `rb` that batch_plan() cut with `fixed` = n * SHARD_PIECES,
 * and fill `sp` with part k (1 <= k <= n). `l` gives each hook's
 * directory (its batch names are relative to it).
 */
void shard_plan_part(struct shard_part *sp, const struct plan *p,
		     size_t nconf, const struct launches *l,
		     const struct run_batches *rb, unsigned k, unsigned n);

/* Whether conf hook `conf_index` gets run-relative `path` in this part. */
bool shard_plan_keeps(const struct shard_part *sp, size_t conf_index,
		      const char *path);

/*
 * -n: "shard K/N: J of ALL jobs (H hooks), predicted S s at jobs C",
 * or without a history no figure, and why.
 */
void shard_plan_print(struct buf *out, const struct shard_part *sp);

void shard_plan_release(struct shard_part *sp);

#endif
