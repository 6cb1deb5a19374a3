/*
 * plan.h - from a loaded conf and the command line's selection to an
 * immutable plan: which hooks run, their dependencies as indices, Kahn
 * waves, longest remaining chains, resolved timeouts and schedules.
 *
 * Every graph walk is iterative, so a 100,000-hook chain needs no deep
 * stack. Once built, a plan is read-only and shared by every thread.
 */
#ifndef HOOKWAVE_PLAN_H
#define HOOKWAVE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "util.h"

enum plan_state {
	PLAN_RUN,       /* selected: it will be scheduled */
	PLAN_DISABLED   /* enabled = no in a default run: skipped: disabled */
};

struct plan_hook {
	const struct conf_hook *conf;   /* borrowed from the conf */
	size_t conf_index;
	size_t strategy;                /* index into plan.strategies */
	enum plan_state state;
	unsigned wave;                  /* Kahn level from 1; 0 if disabled */
	size_t *deps;                   /* plan indices of deps that run */
	size_t ndeps;
	size_t *dependents;             /* plan indices that depend on it */
	size_t ndependents;
	unsigned long chain;            /* hooks on the longest path from
					   here to a sink, itself included */
	long timeout;                   /* seconds, 0 = none */
	const char *launcher;           /* its launcher's words as written
					   (conf_hook_launcher), or NULL */
	bool launcher_shell;
	bool critical;
	double weight;                  /* predicted seconds (1 each without
					   history) */
	double predicted;               /* seconds from history, 0 unknown */
	long long priority;             /* predicted remaining critical path
					   in microseconds: own weight plus the
					   heaviest chain of dependents; in
					   waves, plus the heaviest hook of each
					   later wave, and the chain length */
};

struct plan_strategy {
	const char *name;               /* borrowed from the conf */
	enum schedule schedule;
	unsigned max_workers;
	size_t *hooks;                  /* plan indices, config order */
	size_t nhooks;
	size_t *topo;                   /* running hooks in Kahn order with
					   config order breaking ties */
	size_t ntopo;
	unsigned nwaves;
};

struct plan {
	struct plan_hook *hooks;        /* selected hooks, config order */
	size_t nhooks;
	size_t *topo;                   /* running hooks, Kahn order over all
					   strategies (config order first) */
	size_t ntopo;
	struct plan_strategy *strategies; /* those with hooks, config order */
	size_t nstrategies;
	unsigned jobs;                  /* global cap, resolved */
	unsigned max_concurrent_strategies;
	bool strategy_parallel;
	bool fail_fast;
	long kill_grace;
	size_t output_limit;
	unsigned shard, nshards;        /* part shard (1-based) of nshards
					   that the reports name; 0 0: the
					   whole run (set by the session) */
};

/* What the command line asks for. Zero-initialised means "as configured". */
struct plan_options {
	const char *const *strategies;  /* -s: only these (must exist) */
	size_t nstrategies;
	const char *const *skip;        /* --skip: must exist */
	size_t nskip;
	const char *const *env_skip;    /* HOOKWAVE_SKIP: unknown names ignored */
	size_t nenv_skip;
	const char *const *names;       /* named hooks: only these (must exist) */
	size_t nnames;
	long jobs;                      /* > 0 overrides [settings] jobs */
	long timeout;                   /* >= 0 overrides defaults (-t); -1 unset */
	enum schedule schedule;         /* SCHED_UNSET = as configured */
	int strategy_parallel;          /* -1 as configured, 0 no */
	int fail_fast;                  /* -1 as configured, 1 yes */
	const bool *only;               /* NULL, or per conf hook: select
					   only the ones set (--failed) */
};
#define PLAN_OPTIONS_INIT { .timeout = -1, .schedule = SCHED_UNSET, \
			    .strategy_parallel = -1, .fail_fast = -1 }

/*
 * Check the whole conf for a dependency cycle, then build the plan.
 * A cycle is a config error: "dependency cycle: a -> b -> a" at the
 * depends line of the first hook named, which is the hook of the cycle
 * that comes first in the file. An unknown -s, --skip or named hook is
 * an error without a line. Returns 0, or -1 with `e` filled in; the
 * plan must be released either way.
 */
int plan_build(struct plan *p, const struct conf *c,
	       const struct plan_options *o, struct err *e);

/*
 * Weigh each hook by its predicted duration in seconds (weights[i] for
 * plan hook i; <= 0 means unknown: it gets the median of the known
 * ones) and recompute every priority. With weights NULL, or none
 * known, every hook weighs 1 and the priority is the chain length, as
 * plan_build leaves it (in waves: the number of waves left, then the
 * chain length). The plan must not be in use by a run.
 */
void plan_set_weights(struct plan *p, const double *weights);

/* Number of online CPUs this process may run on (at least 1). */
unsigned plan_online_cpus(void);

void plan_release(struct plan *p);

#endif
