/*
 * report_timeline.c - the run as Chrome trace-event JSON, for Perfetto
 * (ui.perfetto.dev) and chrome://tracing:
 *
 *   {"traceEvents":[ ...metadata..., ...spans... ],"displayTimeUnit":"ms"}
 *
 * One process (pid 1, "hookwave"); one thread track per worker slot,
 * named "worker N" (tid N + 1: tid 0 is special to some viewers); one
 * complete event ("ph":"X") per process a hook started, on the track of
 * the worker that ran it, with "ts" and "dur" in microseconds since the
 * run began. One event per line, so the file also greps well.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "escape.h"
#include "writer.h"

/* Microseconds from seconds, never negative. */
static double
usec(double s)
{
	return s > 0 ? s * 1e6 : 0.0;
}

void
timeline_render(struct buf *b, const struct plan *p,
		const struct hook_result *results, unsigned nslots)
{
	unsigned slots = nslots, t;
	size_t i, k;

	/* A span on a slot beyond nslots still gets a named track. */
	for (i = 0; i < p->nhooks; i++)
		for (k = 0; k < results[i].nspans; k++)
			if (results[i].spans[k].slot >= slots)
				slots = results[i].spans[k].slot + 1;

	buf_adds(b, "{\"traceEvents\":[\n");
	buf_adds(b, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,"
		 "\"args\":{\"name\":\"hookwave\"}}");
	for (t = 0; t < slots; t++) {
		buf_printf(b, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,"
			   "\"tid\":%u,\"args\":{\"name\":\"worker %u\"}}",
			   t + 1, t + 1);
		buf_printf(b, ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\","
			   "\"pid\":1,\"tid\":%u,\"args\":{\"sort_index\":%u}}",
			   t + 1, t + 1);
	}
	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];
		const struct hook_result *r = &results[i];
		const char *sname = p->strategies[h->strategy].name;
		struct buf name = { NULL, 0, 0 };

		if (r->nspans == 0)
			continue;
		buf_printf(&name, "%s/%s", sname, h->conf->name);
		for (k = 0; k < r->nspans; k++) {
			const struct span *sp = &r->spans[k];

			buf_adds(b, ",\n{\"name\":");
			json_string(b, name.p, name.len);
			buf_adds(b, ",\"cat\":");
			json_string(b, sname, strlen(sname));
			buf_printf(b, ",\"ph\":\"X\",\"pid\":1,\"tid\":%u,"
				   "\"ts\":%.0f,\"dur\":%.0f,\"args\":{\"strategy\":",
				   sp->slot + 1, usec(sp->start),
				   usec(sp->duration));
			json_string(b, sname, strlen(sname));
			buf_adds(b, ",\"hook\":");
			json_string(b, h->conf->name, strlen(h->conf->name));
			buf_printf(b, ",\"wave\":%u,\"batch\":%zu,\"batches\":%zu,"
				   "\"status\":\"%s\"}}", h->wave, k + 1,
				   r->nspans, hook_status_name(r->status));
		}
		buf_release(&name);
	}
	buf_adds(b, "\n],\"displayTimeUnit\":\"ms\"}\n");
}
