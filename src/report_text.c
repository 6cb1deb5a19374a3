/*
 * report_text.c - the text format: a line per finished hook, the
 * output of those that did not pass (all with -v), a summary line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "writer.h"

static const char *
status_color(enum hook_status s)
{
	switch (s) {
	case HOOK_PASSED:
		return "\033[32m";
	case HOOK_FAILED:
	case HOOK_ERROR:
		return "\033[31m";
	case HOOK_TIMEOUT:
		return "\033[35m";
	default:
		return "\033[33m";
	}
}

static void
text_hook(struct writer_state *w, struct buf *b, size_t hook,
	  const struct hook_result *res)
{
	const struct plan_hook *h = &w->plan->hooks[hook];
	const char *sname = w->plan->strategies[h->strategy].name;
	int show_output = res->output_len > 0 &&
			  (w->o.verbose || (res->status != HOOK_PASSED &&
					    res->status != HOOK_SKIPPED) ||
			   (res->status == HOOK_SKIPPED &&
			    res->skip == SKIP_INTERRUPTED));
	char name[256];

	snprintf(name, sizeof(name), "%s/%s", sname, h->conf->name);
	if (w->o.color)
		buf_printf(b, "%s%-7s\033[0m  ", status_color(res->status),
			   hook_status_name(res->status));
	else
		buf_printf(b, "%-7s  ", hook_status_name(res->status));
	buf_printf(b, "%-*s", w->name_width, name);
	if (res->duration >= 0)
		buf_printf(b, "  %6.2fs", res->duration);
	else
		buf_printf(b, "  %7s", "-");
	if (res->status == HOOK_FAILED && res->exit_code > 0)
		buf_printf(b, "  exit %d", res->exit_code);
	else if (res->status == HOOK_FAILED && res->signal > 0)
		buf_printf(b, "  killed by signal %d", res->signal);
	else if (res->status == HOOK_TIMEOUT)
		buf_printf(b, "  timed out after %lds", h->timeout);
	if (res->reason != NULL)
		buf_printf(b, "  %s", res->reason);
	if (res->findings.n > 0) {
		char what[64];

		findings_describe(&res->findings, what, sizeof(what));
		buf_printf(b, "  %s", what);
	}
	buf_add(b, "\n", 1);
	if (show_output) {
		buf_add(b, res->output, res->output_len);
		if (res->output[res->output_len - 1] != '\n')
			buf_add(b, "\n", 1);
	}
}

static void
text_finish(struct writer_state *w, struct buf *b,
	    const struct hook_result *results, const size_t *order, size_t n,
	    double elapsed, int exit_status)
{
	struct summary s;
	size_t i;

	(void)exit_status;
	/* With history: name what took far longer than it usually does. */
	for (i = 0; i < n && !w->o.quiet; i++) {
		const struct plan_hook *h = &w->plan->hooks[order[i]];
		const struct hook_result *r = &results[order[i]];

		if (h->predicted >= 0.01 && r->duration > 2 * h->predicted &&
		    r->duration - h->predicted >= 0.05)
			buf_printf(b, "hookwave: slow: %s/%s took %.2fs, %.1fx its median %.2fs\n",
				   w->plan->strategies[h->strategy].name,
				   h->conf->name, r->duration,
				   r->duration / h->predicted, h->predicted);
	}
	summary_count(w->plan, results, &s);
	if (w->plan->nshards > 1)
		buf_printf(b, "hookwave: shard %u/%u: ", w->plan->shard,
			   w->plan->nshards);
	buf_printf(b, "%s%zu passed, %zu failed, %zu timeout, %zu error, "
		   "%zu skipped in %.2fs (hooks' total %.2fs, %.1fx)\n",
		   w->plan->nshards > 1 ? "" : "hookwave: ", s.passed, s.failed, s.timeout, s.error, s.skipped, elapsed,
		   s.hooks_total, elapsed > 0 ? s.hooks_total / elapsed : 0.0);
}

const struct writer writer_text = { NULL, text_hook, text_finish };
