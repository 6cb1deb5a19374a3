/*
 * plan.c - selection, dependency graph, cycles, waves, chains.
 *
 * Every walk is iterative (explicit stacks and queues): configs are
 * data, and a deep dependency chain must not become a deep C stack.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"

#define NONE ((size_t)-1)

unsigned
plan_online_cpus(void)
{
	long n;
#ifdef HAVE_SCHED_GETAFFINITY
	cpu_set_t set;

	/* Respect taskset and cgroup cpusets, as nproc(1) does. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		n = CPU_COUNT(&set);
		if (n > 0)
			return (unsigned)n;
	}
#endif
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Append a name to a growing message, eliding the middle of huge cycles. */
static void
cycle_message(const struct conf *c, const size_t *cyc, size_t n, struct err *e)
{
	char *buf = e->msg;
	size_t size = sizeof(e->msg), len, i;
	const size_t keep = 8;  /* names kept at each end of a long cycle */

	len = (size_t)snprintf(buf, size, "dependency cycle: ");
	for (i = 0; i <= n && len < size; i++) {
		const char *name = c->hooks[cyc[i % n]].name;

		if (n > 2 * keep && i == keep) {
			len += (size_t)snprintf(buf + len, size - len,
						"... (%zu more) -> ", n - 2 * keep);
			i = n - keep - 1;
			continue;
		}
		len += (size_t)snprintf(buf + len, size - len, "%s%s", name,
					i < n ? " -> " : "");
	}
}

/*
 * Find a dependency cycle in the whole config by iterative DFS from
 * each hook in file order. Returns -1 with `e` filled in if one exists.
 */
static int
find_cycle(const struct conf *c, struct err *e)
{
	unsigned char *color = xcalloc(c->nhooks, 1);   /* 0 new, 1 open, 2 done */
	size_t *stack = xmalloc(c->nhooks * sizeof(*stack) + 1);
	size_t *edge = xmalloc(c->nhooks * sizeof(*edge) + 1);
	size_t root, depth, i;
	int r = 0;

	for (root = 0; root < c->nhooks && r == 0; root++) {
		if (color[root] != 0)
			continue;
		depth = 0;
		stack[depth] = root;
		edge[depth] = 0;
		color[root] = 1;
		depth++;
		while (depth > 0 && r == 0) {
			size_t u = stack[depth - 1];
			const struct conf_hook *h = &c->hooks[u];

			if (edge[depth - 1] == h->depends.n) {
				color[u] = 2;
				depth--;
				continue;
			}
			{
				size_t v = h->dep_index[edge[depth - 1]++];

				if (color[v] == 0) {
					color[v] = 1;
					stack[depth] = v;
					edge[depth] = 0;
					depth++;
				} else if (color[v] == 1) {
					/* stack[k..depth-1] is the cycle, v == stack[k]. */
					size_t k = depth - 1, first, n, *cyc;

					while (stack[k] != v)
						k--;
					n = depth - k;
					first = k;
					for (i = k; i < depth; i++)
						if (stack[i] < stack[first])
							first = i;
					cyc = xmalloc(n * sizeof(*cyc));
					for (i = 0; i < n; i++)
						cyc[i] = stack[k + (first - k + i) % n];
					e->file = c->path;
					e->line = c->hooks[cyc[0]].depends_line;
					cycle_message(c, cyc, n, e);
					free(cyc);
					r = -1;
				}
			}
		}
	}
	free(color);
	free(stack);
	free(edge);
	return r;
}

/* A min-heap of plan indices: Kahn's ready set with config order first. */
struct heap {
	size_t *v, n;
};

static void
heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;

	while (i > 0 && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static size_t
heap_pop(struct heap *h)
{
	size_t top = h->v[0], x = h->v[--h->n], i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		size_t cur = x;

		if (l < h->n && h->v[l] < cur) {
			m = l;
			cur = h->v[l];
		}
		if (l + 1 < h->n && h->v[l + 1] < cur)
			m = l + 1;
		if (m == i)
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	if (h->n > 0)
		h->v[i] = x;
	return top;
}

static int
in_list(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Every name given must name something: a typo must not run nothing. */
static int
check_names(const struct conf *c, const struct plan_options *o, struct err *e)
{
	size_t i;

	for (i = 0; i < o->nstrategies; i++)
		if (conf_find_strategy(c, o->strategies[i]) < 0)
			return err_set(e, NULL, 0, "unknown strategy '%s'",
				       o->strategies[i]);
	for (i = 0; i < o->nnames; i++)
		if (conf_find_hook(c, o->names[i]) < 0)
			return err_set(e, NULL, 0, "unknown hook '%s'", o->names[i]);
	for (i = 0; i < o->nskip; i++)
		if (conf_find_hook(c, o->skip[i]) < 0)
			return err_set(e, NULL, 0, "--skip: unknown hook '%s'",
				       o->skip[i]);
	return 0;
}

int
plan_build(struct plan *p, const struct conf *c, const struct plan_options *o,
	   struct err *e)
{
	size_t *map, i, j, n = 0, *ready_order;
	size_t *sindex;
	unsigned *indeg;
	struct heap heap;

	memset(p, 0, sizeof(*p));
	if (find_cycle(c, e) != 0)
		return -1;
	if (check_names(c, o, e) != 0)
		return -1;

	p->jobs = o->jobs > 0 ? (unsigned)o->jobs :
		  c->settings.jobs > 0 ? (unsigned)c->settings.jobs :
		  plan_online_cpus();
	if (p->jobs > CONF_MAX_JOBS)
		p->jobs = CONF_MAX_JOBS;
	p->max_concurrent_strategies = (unsigned)c->settings.max_concurrent_strategies;
	p->strategy_parallel = o->strategy_parallel == 0 ? false :
			       c->settings.strategy_parallel;
	p->fail_fast = o->fail_fast == 1 || c->settings.fail_fast;
	p->kill_grace = c->settings.kill_grace;
	p->output_limit = (size_t)c->settings.output_limit;

	/* Selection. */
	map = xmalloc((c->nhooks + 1) * sizeof(*map));
	p->hooks = xcalloc(c->nhooks + 1, sizeof(*p->hooks));
	for (i = 0; i < c->nhooks; i++) {
		const struct conf_hook *h = &c->hooks[i];
		const char *sname = c->strategies[h->strategy].name;
		int named = in_list(o->names, o->nnames, h->name);

		map[i] = NONE;
		if (o->only != NULL && !o->only[i])
			continue;
		if (o->nstrategies > 0 && !in_list(o->strategies, o->nstrategies, sname))
			continue;
		if (o->nnames > 0 && !named)
			continue;
		if (in_list(o->skip, o->nskip, h->name) ||
		    in_list(o->env_skip, o->nenv_skip, h->name))
			continue;
		map[i] = n;
		p->hooks[n].conf = h;
		p->hooks[n].conf_index = i;
		p->hooks[n].state = h->enabled || named ? PLAN_RUN : PLAN_DISABLED;
		p->hooks[n].critical = h->critical || p->fail_fast;
		n++;
	}
	p->nhooks = n;

	/* Strategies that have a selected hook, in the order the file
	   first names them. */
	sindex = xmalloc((c->nstrategies + 1) * sizeof(*sindex));
	for (i = 0; i < c->nstrategies; i++)
		sindex[i] = NONE;
	for (i = 0; i < n; i++)
		sindex[p->hooks[i].conf->strategy] = 0;
	p->strategies = xcalloc(c->nstrategies + 1, sizeof(*p->strategies));
	for (i = 0; i < c->nstrategies; i++) {
		const struct conf_strategy *cst = &c->strategies[i];
		struct plan_strategy *ps;

		if (sindex[i] == NONE)
			continue;
		sindex[i] = p->nstrategies;
		ps = &p->strategies[p->nstrategies++];
		ps->name = cst->name;
		if (o->schedule != SCHED_UNSET)
			ps->schedule = o->schedule;
		else if (cst->parallel == 0)
			ps->schedule = SCHED_SEQUENTIAL;
		else if (cst->schedule != SCHED_UNSET)
			ps->schedule = cst->schedule;
		else
			ps->schedule = c->settings.schedule;
		ps->max_workers = cst->max_workers > 0 ?
				  (unsigned)cst->max_workers : p->jobs;
		ps->hooks = xmalloc((n + 1) * sizeof(*ps->hooks));
		ps->topo = xmalloc((n + 1) * sizeof(*ps->topo));
	}
	for (i = 0; i < n; i++) {
		struct plan_strategy *ps;

		p->hooks[i].strategy = sindex[p->hooks[i].conf->strategy];
		ps = &p->strategies[p->hooks[i].strategy];
		ps->hooks[ps->nhooks++] = i;
	}

	/* Timeouts: hook, then -t, then strategy, then [settings]. */
	for (i = 0; i < n; i++) {
		const struct conf_hook *h = p->hooks[i].conf;
		const struct conf_strategy *cst = &c->strategies[h->strategy];

		p->hooks[i].timeout = h->timeout >= 0 ? h->timeout :
				      o->timeout >= 0 ? o->timeout :
				      cst->timeout >= 0 ? cst->timeout :
				      c->settings.timeout;
		p->hooks[i].launcher = conf_hook_launcher(c, h,
						&p->hooks[i].launcher_shell);
	}

	/* Edges between running hooks; the rest count as satisfied. */
	indeg = xcalloc(n + 1, sizeof(*indeg));
	for (i = 0; i < n; i++) {
		struct plan_hook *ph = &p->hooks[i];
		const struct conf_hook *h = ph->conf;

		if (ph->state != PLAN_RUN)
			continue;
		ph->deps = xmalloc((h->depends.n + 1) * sizeof(*ph->deps));
		for (j = 0; j < h->depends.n; j++) {
			size_t d = map[h->dep_index[j]];

			if (d == NONE || p->hooks[d].state != PLAN_RUN)
				continue;
			ph->deps[ph->ndeps++] = d;
			p->hooks[d].ndependents++;
		}
		indeg[i] = (unsigned)ph->ndeps;
	}
	for (i = 0; i < n; i++) {
		p->hooks[i].dependents = xmalloc((p->hooks[i].ndependents + 1) *
						 sizeof(size_t));
		p->hooks[i].ndependents = 0;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < p->hooks[i].ndeps; j++) {
			struct plan_hook *d = &p->hooks[p->hooks[i].deps[j]];
			d->dependents[d->ndependents++] = i;
		}

	/*
	 * Kahn's algorithm with config order breaking ties: this order is
	 * the sequential schedule, and levels computed along it are the
	 * waves (a hook's deps all come before it).
	 */
	heap.v = xmalloc((n + 1) * sizeof(*heap.v));
	heap.n = 0;
	ready_order = xmalloc((n + 1) * sizeof(*ready_order));
	for (i = 0; i < n; i++)
		if (p->hooks[i].state == PLAN_RUN && indeg[i] == 0)
			heap_push(&heap, i);
	j = 0;
	while (heap.n > 0) {
		size_t u = heap_pop(&heap), k;
		struct plan_hook *ph = &p->hooks[u];
		struct plan_strategy *ps = &p->strategies[ph->strategy];

		ready_order[j++] = u;
		ph->wave = 1;
		for (k = 0; k < ph->ndeps; k++)
			if (p->hooks[ph->deps[k]].wave + 1 > ph->wave)
				ph->wave = p->hooks[ph->deps[k]].wave + 1;
		if (ph->wave > ps->nwaves)
			ps->nwaves = ph->wave;
		ps->topo[ps->ntopo++] = u;
		for (k = 0; k < ph->ndependents; k++)
			if (--indeg[ph->dependents[k]] == 0)
				heap_push(&heap, ph->dependents[k]);
	}
	p->topo = ready_order;
	p->ntopo = j;
	/* Chains: reverse topological order, dependents first. */
	while (j > 0) {
		struct plan_hook *ph = &p->hooks[ready_order[--j]];
		size_t k;

		ph->chain = 1;
		for (k = 0; k < ph->ndependents; k++)
			if (p->hooks[ph->dependents[k]].chain + 1 > ph->chain)
				ph->chain = p->hooks[ph->dependents[k]].chain + 1;
	}
	plan_set_weights(p, NULL);

	free(heap.v);
	free(indeg);
	free(sindex);
	free(map);
	return 0;
}

/*
 * In waves a hook's dependents wait for its whole wave, not for it, so
 * what remains after it is the same for every hook of its wave: for
 * each later wave, its heaviest hook. The priority is then its own
 * weight plus that, so the heaviest hooks of a wave start first
 * (longest processing time first, which ends the wave soonest); the
 * chain length, added in microseconds, breaks ties as the plain
 * priority would.
 */
static void
wave_priorities(struct plan *p, const struct plan_strategy *ps)
{
	double *heaviest = xcalloc(ps->nwaves + 2, sizeof(*heaviest));
	double *after = xcalloc(ps->nwaves + 2, sizeof(*after));
	size_t i;
	unsigned w;

	for (i = 0; i < ps->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[ps->hooks[i]];

		if (h->state == PLAN_RUN && h->wave >= 1 && h->wave <= ps->nwaves &&
		    h->weight > heaviest[h->wave])
			heaviest[h->wave] = h->weight;
	}
	for (w = ps->nwaves; w >= 1; w--)
		after[w] = after[w + 1] + heaviest[w + 1];
	for (i = 0; i < ps->nhooks; i++) {
		struct plan_hook *h = &p->hooks[ps->hooks[i]];

		if (h->state != PLAN_RUN || h->wave < 1 || h->wave > ps->nwaves)
			continue;
		h->priority = (long long)((h->weight + after[h->wave]) * 1e6 + 0.5) +
		    (long long)h->chain;
	}
	free(heaviest);
	free(after);
}

void
plan_set_weights(struct plan *p, const double *weights)
{
	double *known = xmalloc((p->nhooks + 1) * sizeof(*known));
	double fill = 1, *crit = xcalloc(p->nhooks + 1, sizeof(*crit));
	size_t i, nknown = 0, j;

	for (i = 0; weights != NULL && i < p->nhooks; i++)
		if (weights[i] > 0)
			known[nknown++] = weights[i];
	if (nknown > 0) {
		/* An unknown hook is taken for a typical one. */
		qsort(known, nknown, sizeof(*known), cmp_double);
		fill = known[nknown / 2];
	}
	for (i = 0; i < p->nhooks; i++) {
		p->hooks[i].weight = nknown > 0 && weights[i] > 0 ? weights[i] : fill;
		p->hooks[i].predicted = nknown > 0 && weights[i] > 0 ? weights[i] : 0;
	}
	for (j = p->ntopo; j > 0; j--) {
		struct plan_hook *ph = &p->hooks[p->topo[j - 1]];
		double best = 0;
		size_t k;

		for (k = 0; k < ph->ndependents; k++)
			if (crit[ph->dependents[k]] > best)
				best = crit[ph->dependents[k]];
		crit[p->topo[j - 1]] = ph->weight + best;
	}
	for (i = 0; i < p->nhooks; i++)
		p->hooks[i].priority = (long long)(crit[i] * 1e6 + 0.5);
	for (j = 0; j < p->nstrategies; j++)
		if (p->strategies[j].schedule == SCHED_WAVES)
			wave_priorities(p, &p->strategies[j]);
	free(crit);
	free(known);
}

void
plan_release(struct plan *p)
{
	size_t i;

	free(p->topo);
	for (i = 0; i < p->nhooks; i++) {
		free(p->hooks[i].deps);
		free(p->hooks[i].dependents);
	}
	free(p->hooks);
	for (i = 0; i < p->nstrategies; i++) {
		free(p->strategies[i].hooks);
		free(p->strategies[i].topo);
	}
	free(p->strategies);
	memset(p, 0, sizeof(*p));
}
