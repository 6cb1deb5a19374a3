/*
 * plan_print.c - -l and -n as text. See plan_print.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_print.h"

/* "a,b" or "-". */
static void
add_deps(struct buf *out, const struct conf_hook *h)
{
	size_t i;

	if (h->depends.n == 0)
		buf_adds(out, "-");
	for (i = 0; i < h->depends.n; i++)
		buf_printf(out, "%s%s", i ? "," : "", h->depends.v[i]);
}

void
plan_print_list(struct buf *out, const struct plan *p)
{
	size_t i, wn = 4, ws = 8;
	char wave[32];

	for (i = 0; i < p->nhooks; i++) {
		size_t a = strlen(p->hooks[i].conf->name);
		size_t b = strlen(p->strategies[p->hooks[i].strategy].name);
		if (a > wn)
			wn = a;
		if (b > ws)
			ws = b;
	}
	buf_printf(out, "%-*s  %-*s  %-8s  %s\n", (int)wn, "HOOK", (int)ws,
		   "STRATEGY", "WAVE", "DEPENDS");
	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];

		if (h->state == PLAN_DISABLED)
			snprintf(wave, sizeof(wave), "disabled");
		else
			snprintf(wave, sizeof(wave), "%u", h->wave);
		buf_printf(out, "%-*s  %-*s  %-8s  ", (int)wn, h->conf->name,
			   (int)ws, p->strategies[h->strategy].name, wave);
		add_deps(out, h->conf);
		buf_adds(out, "\n");
	}
}

/* One hook's line of -n: dependencies, timeout, files and batches. */
static void
dry_run_hook(struct buf *out, const struct plan *p,
	     const struct run_batches *rb, size_t hi)
{
	const struct plan_hook *h = &p->hooks[hi];
	size_t k;

	buf_printf(out, "    %s", h->conf->name);
	if (h->ndeps > 0) {
		buf_printf(out, " (after");
		for (k = 0; k < h->ndeps; k++)
			buf_printf(out, "%s%s", k ? ", " : " ",
				   p->hooks[h->deps[k]].conf->name);
		buf_printf(out, ")");
	}
	if (h->timeout > 0)
		buf_printf(out, " timeout %lds", h->timeout);
	else
		buf_printf(out, " no timeout");
	if (h->critical)
		buf_printf(out, " critical");
	if (conf_hook_selects(h->conf) && rb->nbatches[hi] == 0) {
		buf_printf(out, ": no files");
	} else if (conf_hook_selects(h->conf) && !h->conf->pass_files) {
		buf_printf(out, ": %zu file%s, run once without them",
			   rb->nfiles[hi], rb->nfiles[hi] == 1 ? "" : "s");
	} else if (conf_hook_selects(h->conf) && rb->nfiles[hi] == 0) {
		buf_printf(out, ": no files, always_run");
	} else if (conf_hook_selects(h->conf)) {
		const struct batches *b = &rb->of[hi];

		buf_printf(out, ": %zu file%s in %zu batch%s", rb->nfiles[hi],
			   rb->nfiles[hi] == 1 ? "" : "s", b->n,
			   b->n == 1 ? "" : "es");
		if (b->n > 1) {
			buf_printf(out, " of");
			for (k = 0; k < b->n && k < 16; k++)
				buf_printf(out, "%s%zu", k ? "+" : " ", b->count[k]);
			if (b->n > 16)
				buf_printf(out, "+...");
		}
		if (h->conf->serial)
			buf_printf(out, ", serial");
	}
	buf_printf(out, "\n");
}

void
plan_print_dry_run(struct buf *out, const struct plan *p,
		   const struct run_batches *rb)
{
	size_t s, i;
	unsigned w;

	buf_printf(out, "jobs %u, strategies %s (at most %u at once)\n",
		   p->jobs,
		   p->strategy_parallel ? "in parallel" : "one after another",
		   p->strategy_parallel ? p->max_concurrent_strategies : 1);
	for (s = 0; s < p->nstrategies; s++) {
		const struct plan_strategy *ps = &p->strategies[s];
		size_t disabled = 0;

		buf_printf(out, "strategy %s: %s, max_workers %u, %zu hook%s, %u wave%s\n",
			   ps->name, schedule_name(ps->schedule),
			   ps->max_workers, ps->nhooks,
			   ps->nhooks == 1 ? "" : "s", ps->nwaves,
			   ps->nwaves == 1 ? "" : "s");
		if (ps->schedule == SCHED_SEQUENTIAL) {
			buf_printf(out, "  in order:\n");
			for (i = 0; i < ps->ntopo; i++)
				dry_run_hook(out, p, rb, ps->topo[i]);
		} else {
			/* Bucket by wave (counting sort): deep plans stay linear. */
			size_t *start = xcalloc(ps->nwaves + 2, sizeof(*start));
			size_t *by_wave = xmalloc((ps->ntopo + 1) * sizeof(*by_wave));

			for (i = 0; i < ps->ntopo; i++)
				start[p->hooks[ps->topo[i]].wave + 1]++;
			for (w = 1; w <= ps->nwaves + 1; w++)
				start[w] += start[w - 1];
			for (i = 0; i < ps->ntopo; i++)
				by_wave[start[p->hooks[ps->topo[i]].wave]++] = ps->topo[i];
			for (i = 0, w = 1; w <= ps->nwaves; w++) {
				buf_printf(out, "  wave %u:\n", w);
				for (; i < ps->ntopo && p->hooks[by_wave[i]].wave == w; i++)
					dry_run_hook(out, p, rb, by_wave[i]);
			}
			free(by_wave);
			free(start);
		}
		for (i = 0; i < ps->nhooks; i++)
			if (p->hooks[ps->hooks[i]].state == PLAN_DISABLED)
				disabled++;
		if (disabled > 0) {
			buf_printf(out, "  disabled:");
			for (i = 0; i < ps->nhooks; i++)
				if (p->hooks[ps->hooks[i]].state == PLAN_DISABLED)
					buf_printf(out, " %s",
						   p->hooks[ps->hooks[i]].conf->name);
			buf_printf(out, "\n");
		}
	}
}

