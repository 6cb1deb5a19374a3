/* history_print.c - `hookwave history`. See history_print.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "history.h"
#include "history_print.h"

/* What the store says of one hook. */
struct hook_runs {
	size_t runs;
	double *d;                      /* durations, oldest first */
	size_t nd, alloc;
	char *last_status;
	double last_start;
};

struct gather {
	const struct plan *p;
	char *const *keys;
	struct hook_runs *h;
};

static int
gather_one(void *ctx, const struct store_result *r)
{
	struct gather *g = ctx;
	size_t i;

	for (i = 0; i < g->p->nhooks; i++) {
		struct hook_runs *h = &g->h[i];

		if (strcmp(g->keys[i], r->hook) != 0 ||
		    strcmp(g->p->strategies[g->p->hooks[i].strategy].name,
			   r->strategy) != 0)
			continue;
		h->runs++;
		free(h->last_status);
		h->last_status = xstrdup(r->status);
		h->last_start = r->start;
		if (r->duration >= 0) {
			if (h->nd == h->alloc) {
				h->alloc = h->alloc ? 2 * h->alloc : 16;
				h->d = xreallocarray(h->d, h->alloc, sizeof(*h->d));
			}
			h->d[h->nd++] = r->duration;
		}
	}
	return 0;
}

void
history_print_time(char *buf, size_t size, double t)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
json_number(struct buf *out, double x)
{
	if (x < 0)
		buf_adds(out, "null");
	else
		buf_printf(out, "%.3f", x);
}

static void
json_hook(struct buf *out, const struct plan *p, size_t i,
	  const struct hook_runs *h, const struct history_stats *st)
{
	const char *name = p->hooks[i].conf->name;
	const char *sname = p->strategies[p->hooks[i].strategy].name;
	char when[64];

	buf_adds(out, "{\"type\":\"history\",\"name\":");
	json_string(out, name, strlen(name));
	buf_adds(out, ",\"strategy\":");
	json_string(out, sname, strlen(sname));
	buf_printf(out, ",\"runs\":%zu,\"last_status\":", h->runs);
	if (h->last_status != NULL)
		json_string(out, h->last_status, strlen(h->last_status));
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"last_run\":");
	if (h->runs > 0) {
		history_print_time(when, sizeof(when), h->last_start);
		buf_printf(out, "\"%s\"", when);
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"median\":");
	json_number(out, st->median);
	buf_adds(out, ",\"p90\":");
	json_number(out, st->p90);
	buf_adds(out, ",\"trend\":");
	if (st->trend != NULL)
		buf_printf(out, "\"%s\"", st->trend);
	else
		buf_adds(out, "null");
	buf_adds(out, "}\n");
}

/* "1.234s" or "-". */
static void
seconds_text(char *buf, size_t size, double x)
{
	if (x < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.2fs", x);
}

int
history_print(struct buf *out, const struct plan *p, char *const *keys,
	      struct store *st, const char *dir, enum report_format f,
	      struct err *e)
{
	struct gather g = { p, keys, xcalloc(p->nhooks + 1, sizeof(*g.h)) };
	struct history_stats *stats = xcalloc(p->nhooks + 1, sizeof(*stats));
	size_t i, wn = 4, ws = 8;
	int r = 0;

	if (st != NULL) {
		if (store_begin(st, 0, e) != 0 ||
		    store_results_read(st, dir, 0, gather_one, &g, e) != 0 ||
		    store_commit(st, e) != 0) {
			store_rollback(st);
			r = -1;
		}
	}
	for (i = 0; r == 0 && i < p->nhooks; i++) {
		size_t a = strlen(p->hooks[i].conf->name);
		size_t b = strlen(p->strategies[p->hooks[i].strategy].name);

		history_stats(g.h[i].d, g.h[i].nd, &stats[i]);
		if (a > wn)
			wn = a;
		if (b > ws)
			ws = b;
	}
	if (r == 0 && f != REPORT_JSON)
		buf_printf(out, "%-*s  %-*s  %5s  %-8s  %-20s  %9s  %9s  %s\n",
			   (int)wn, "HOOK", (int)ws, "STRATEGY", "RUNS", "LAST",
			   "WHEN", "MEDIAN", "P90", "TREND");
	for (i = 0; r == 0 && i < p->nhooks; i++) {
		const struct hook_runs *h = &g.h[i];
		char when[64], med[32], p90[32];

		if (f == REPORT_JSON) {
			json_hook(out, p, i, h, &stats[i]);
			continue;
		}
		if (h->runs > 0)
			history_print_time(when, sizeof(when), h->last_start);
		else
			snprintf(when, sizeof(when), "-");
		seconds_text(med, sizeof(med), stats[i].median);
		seconds_text(p90, sizeof(p90), stats[i].p90);
		buf_printf(out, "%-*s  %-*s  %5zu  %-8s  %-20s  %9s  %9s  %s\n",
			   (int)wn, p->hooks[i].conf->name, (int)ws,
			   p->strategies[p->hooks[i].strategy].name, h->runs,
			   h->last_status != NULL ? h->last_status : "-", when,
			   med, p90, stats[i].trend != NULL ? stats[i].trend : "-");
	}
	for (i = 0; i < p->nhooks; i++) {
		free(g.h[i].d);
		free(g.h[i].last_status);
	}
	free(g.h);
	free(stats);
	return r;
}
