/*
 * shard.h - a run split into N parts that N machines run without
 * talking to each other (hookwave(1), SHARDING).
 *
 * A job is a hook without files, or one batch of a hook with files.
 * Hooks joined by dependencies (the connected component of the
 * dependency graph) form one unit: all their jobs go to one shard. A
 * hook with no dependency either way whose jobs may be spread (a hook
 * with files) gives one unit per job. The units are placed longest
 * first onto the least loaded shard (the lowest numbered among equals);
 * equal weights are ordered by the stable key strategy name, hook name,
 * job index, so the split depends only on the hooks' keys, weights and
 * dependencies, never on the order they are given in.
 *
 * Pure computation over its arguments; thread-safe on distinct splits.
 */
#ifndef HOOKWAVE_SHARD_H
#define HOOKWAVE_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* At most this many shards: room for any CI's parallel jobs. */
#define SHARD_MAX 10000

/* One hook as the split sees it. Every pointer is borrowed. */
struct shard_hook {
	const char *strategy;   /* with name, the hook's stable key */
	const char *name;
	const size_t *deps;     /* hooks it depends on: indices into the
				   same array */
	size_t ndeps;
	size_t njobs;           /* >= 1 */
	const double *weight;   /* njobs predicted costs (>= 0, any unit) */
	bool spread;            /* its jobs may go to different shards
				   (when nothing joins it to another hook) */
};

struct shard_split {
	unsigned n;             /* shards */
	size_t nhooks;
	size_t *first;          /* per hook: where its jobs start in `shard`
				   (nhooks + 1 entries) */
	unsigned *shard;        /* per job: its shard, 0 .. n-1 */
	double *load;           /* per shard: the weight of its jobs */
};

/*
 * Split the `nh` hooks' jobs into `n` (1 .. SHARD_MAX) shards. Every
 * job lands in exactly one. `s` is owned by the caller: release it
 * with shard_split_release.
 */
void shard_split(struct shard_split *s, const struct shard_hook *h,
		 size_t nh, unsigned n);

/* The shard (0-based) of job `job` of hook `hook`. */
unsigned shard_of(const struct shard_split *s, size_t hook, size_t job);

/* Whether shard `k` (0-based) has a job of hook `hook`. */
bool shard_has_hook(const struct shard_split *s, size_t hook, unsigned k);

/*
 * The predicted wall time of shard `k` (0-based) at `cap` workers, in
 * the weights' unit: the longer of its weight spread over the workers
 * and its longest dependency chain (each hook on it counted as its
 * jobs of the shard spread over the workers, never less than the
 * longest of them). An estimate: strategies and waves run as the
 * scheduler decides.
 */
double shard_wall(const struct shard_split *s, const struct shard_hook *h,
		  size_t nh, unsigned k, unsigned cap);

void shard_split_release(struct shard_split *s);

/*
 * Parse "K/N" (1 <= K <= N <= SHARD_MAX, decimal, nothing else) into
 * *k and *n; "1/1" is the whole run. Returns 0, or -1 with `e` saying what is wrong with it
 * (the caller names the option).
 */
int shard_parse(const char *text, unsigned *k, unsigned *n, struct err *e);

/*
 * The part CI_NODE_INDEX (1-based) and CI_NODE_TOTAL ask for, each
 * NULL when unset. No total (whatever the index), or a total of 1, is
 * the whole run: *k = *n = 1. With a total above 1 the index must be
 * set, 1 .. total. Returns 0 with *k and *n set, or -1 with `e` naming
 * the variable at fault.
 */
int shard_from_env(const char *index, const char *total, unsigned *k,
		   unsigned *n, struct err *e);

#endif
