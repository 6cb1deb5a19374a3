/*
 * report_junit.c - JUnit XML: one <testsuite> per strategy, one
 * <testcase> per hook, in config order. A document cannot stream (a
 * suite's counts come first), so everything is written at the end.
 * With -q only the hooks that fail the run are in it, the counts are
 * theirs, and a strategy with none of them has no <testsuite>.
 *
 * failed and timeout become <failure type="failed|timeout">, error
 * becomes <error type="error">, skipped becomes <skipped message=.../>;
 * a pass the result cache helped has <properties> (cache_properties);
 * the output goes inside <failure>/<error>, or in <system-out> for the
 * others. Every name, message and output goes through xml_text(), so
 * the document is well-formed whatever a hook printed: no raw control
 * character, no invalid UTF-8, no "]]>" or "</system-out>" that means
 * anything (no CDATA is used at all).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "writer.h"

/*
 * XML text through xml_text(), with CR (and, in attributes, LF and
 * TAB) as character references: a parser would turn a raw CR into LF,
 * and raw LF or TAB in an attribute into a space. 0x0d, 0x0a and 0x09
 * never occur inside a UTF-8 sequence, so cutting there is safe.
 */
static void
xml_out(struct buf *b, const char *s, size_t n, int attribute)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		const char *ref;

		if (s[i] == '\r')
			ref = "&#13;";
		else if (attribute && s[i] == '\n')
			ref = "&#10;";
		else if (attribute && s[i] == '\t')
			ref = "&#9;";
		else
			continue;
		xml_text(b, s + from, i - from);
		buf_adds(b, ref);
		from = i + 1;
	}
	xml_text(b, s + from, n - from);
}

/* An attribute: name="escaped value" with a leading space. */
static void
attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	xml_out(b, value, strlen(value), 1);
	buf_add(b, "\"", 1);
}

/* Seconds for a time attribute; 0 for a hook that never ran. */
static double
seconds(double d)
{
	return d > 0 ? d : 0.0;
}

/* The message of a <failure>: what went wrong, in a few words. */
static void
failure_message(char *msg, size_t size, const struct plan_hook *h,
		const struct hook_result *res)
{
	if (res->status == HOOK_TIMEOUT)
		snprintf(msg, size, "timed out after %lds", h->timeout);
	else if (res->exit_code > 0)
		snprintf(msg, size, "exit code %d", res->exit_code);
	else if (res->signal > 0)
		snprintf(msg, size, "killed by signal %d", res->signal);
	else if (res->reason != NULL)   /* "modified N files" */
		snprintf(msg, size, "%s", res->reason);
	else
		snprintf(msg, size, "%s", hook_status_name(res->status));
}

/* <system-out> with the output, if there is any. */
static void
system_out(struct buf *b, const struct hook_result *res)
{
	if (res->output == NULL || res->output_len == 0)
		return;
	buf_adds(b, "      <system-out>");
	xml_out(b, res->output, res->output_len, 0);
	buf_adds(b, "</system-out>\n");
}

/*
 * A test's extra facts, where JUnit readers look for them: what the
 * result cache did for a passed hook (a pass the cache remembered has
 * the reason "cached"; a count of cached files when there were some),
 * and how many findings a hook's tool reported (with a baseline, how
 * many of them are new and how many known).
 */
static void
case_properties(struct buf *b, const struct hook_result *res)
{
	int is_cached = res->status == HOOK_PASSED &&
			hook_result_is_cached(res);
	size_t cached = res->status == HOOK_PASSED ? res->cached : 0;
	size_t nnew, nknown, nf;

	nf = findings_count(&res->findings, &nnew, &nknown);
	if (!is_cached && cached == 0 && nf == 0)
		return;
	buf_adds(b, "      <properties>\n");
	if (is_cached)
		buf_adds(b, "        <property name=\"reason\" value=\""
			 HOOK_REASON_CACHED "\"/>\n");
	if (cached > 0)
		buf_printf(b, "        <property name=\"cached\" value=\"%zu\"/>\n",
			   cached);
	if (nf > 0)
		buf_printf(b, "        <property name=\"findings\" value=\"%zu\"/>\n",
			   nf);
	if (nf > 0 && nnew + nknown == nf)
		buf_printf(b, "        <property name=\"findings_new\" value=\"%zu\"/>\n"
			   "        <property name=\"findings_known\" value=\"%zu\"/>\n",
			   nnew, nknown);
	buf_adds(b, "      </properties>\n");
}

static void
junit_case(struct buf *b, const struct plan *p, size_t hook,
	   const struct hook_result *res)
{
	const struct plan_hook *h = &p->hooks[hook];
	const char *reason = res->reason != NULL ? res->reason : "";
	char msg[128];

	buf_adds(b, "    <testcase");
	attr(b, "classname", p->strategies[h->strategy].name);
	attr(b, "name", h->conf->name);
	buf_printf(b, " time=\"%.3f\">\n", seconds(res->duration));
	case_properties(b, res);
	switch (res->status) {
	case HOOK_PASSED:
		system_out(b, res);
		break;
	case HOOK_FAILED:
	case HOOK_TIMEOUT:
		failure_message(msg, sizeof(msg), h, res);
		buf_printf(b, "      <failure type=\"%s\"",
			   hook_status_name(res->status));
		attr(b, "message", msg);
		buf_add(b, ">", 1);
		if (res->output != NULL)
			xml_out(b, res->output, res->output_len, 0);
		buf_adds(b, "</failure>\n");
		break;
	case HOOK_ERROR:
		buf_adds(b, "      <error type=\"error\"");
		attr(b, "message", reason);
		buf_add(b, ">", 1);
		if (res->output != NULL)
			xml_out(b, res->output, res->output_len, 0);
		buf_adds(b, "</error>\n");
		break;
	default:
		buf_adds(b, "      <skipped");
		attr(b, "message", reason);
		buf_adds(b, "/>\n");
		system_out(b, res);     /* partial output of an interrupted hook */
		break;
	}
	buf_adds(b, "    </testcase>\n");
}

/* Counts of one strategy's hooks shown, and their wall-clock span;
   the number shown. */
static size_t
suite_count(const struct writer_state *w, const struct plan_strategy *ps,
	    const struct hook_result *results, struct summary *s, double *time)
{
	double first = -1, last = -1;
	size_t i, n = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ps->nhooks; i++) {
		const struct hook_result *r = &results[ps->hooks[i]];

		if (!writer_shows(w, r))
			continue;
		n++;
		summary_add(s, r);
		if (r->start >= 0 && r->duration >= 0) {
			if (first < 0 || r->start < first)
				first = r->start;
			if (r->start + r->duration > last)
				last = r->start + r->duration;
		}
	}
	*time = first >= 0 ? last - first : 0.0;
	return n;
}

static void
junit_hook(struct writer_state *w, struct buf *b, size_t hook,
	   const struct hook_result *res)
{
	(void)w;
	(void)b;
	(void)hook;
	(void)res;
}

static void
junit_finish(struct writer_state *w, struct buf *b,
	     const struct hook_result *results, const size_t *order, size_t n,
	     double elapsed, int exit_status)
{
	const struct plan *p = w->plan;
	struct summary all;
	size_t si, i, shown = 0;

	(void)order;
	(void)n;
	(void)exit_status;
	memset(&all, 0, sizeof(all));
	for (i = 0; i < p->nhooks; i++)
		if (writer_shows(w, &results[i])) {
			summary_add(&all, &results[i]);
			shown++;
		}
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(b, "<testsuites name=\"hookwave\" tests=\"%zu\" "
		   "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
		   "time=\"%.3f\">\n", shown, all.failed + all.timeout,
		   all.error, all.skipped, seconds(elapsed));
	for (si = 0; si < p->nstrategies; si++) {
		const struct plan_strategy *ps = &p->strategies[si];
		struct summary s;
		double time;
		size_t tests = suite_count(w, ps, results, &s, &time);

		if (w->o.quiet && tests == 0)
			continue;       /* nothing of it to show */
		buf_adds(b, "  <testsuite");
		if (p->nshards > 1) {
			/* "STRATEGY (shard K/N)": what merge reads. */
			char *name = xasprintf("%s (shard %u/%u)", ps->name,
					       p->shard, p->nshards);

			attr(b, "name", name);
			free(name);
		} else {
			attr(b, "name", ps->name);
		}
		buf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
			   "skipped=\"%zu\" time=\"%.3f\">\n", tests,
			   s.failed + s.timeout, s.error, s.skipped, time);
		for (i = 0; i < ps->nhooks; i++)
			if (writer_shows(w, &results[ps->hooks[i]]))
				junit_case(b, p, ps->hooks[i],
					   &results[ps->hooks[i]]);
		buf_adds(b, "  </testsuite>\n");
	}
	buf_adds(b, "</testsuites>\n");
}

const struct writer writer_junit = { NULL, junit_hook, junit_finish };
