/*
 * report_tap.c - TAP version 13: one test line per finished hook, the
 * plan at the end (hooks stream in as they finish), a YAML block with
 * the details and the output of every hook that did not pass.
 *
 * Whatever the bytes, the stream stays parseable:
 * - descriptions escape '\' and '#' ("a#b" is "a\#b"), so a hook name
 *   never starts a directive;
 * - "# timeout" on a not-ok line is a comment, not a directive;
 * - directive reasons are one line of clean text;
 * - the output is a YAML literal block, every line indented, cleaned of
 *   control characters, so "---", "...", "not ok" or "# SKIP" at the
 *   start of an output line are only text;
 * - the output reads back exactly, in YAML and in TAP::Parser's YAMLish
 *   reader alike. A literal block "|" can carry neither an output that
 *   does not end in a newline nor one that ends in blank lines (YAML
 *   clips them; YAMLish takes no chomping indicator), nor a first line
 *   that starts with a blank (no indentation indicator either), and
 *   YAMLish reads a tab at the start of a line as a space. Such an
 *   output is a double-quoted scalar instead, escaped the same way.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "writer.h"

static const char replacement[] = "\xEF\xBF\xBD";       /* U+FFFD */

/*
 * Text YAML can carry: clean_text(), then the code points YAML 1.2
 * does not allow as printable or takes as line breaks in YAML 1.1
 * (C1 controls, U+2028, U+2029) as U+FFFD too.
 */
static void
yaml_clean(struct buf *out, const char *s, size_t n)
{
	struct buf t = { NULL, 0, 0 };
	const unsigned char *p;
	size_t i = 0, run = 0;

	clean_text(&t, s, n);
	p = (const unsigned char *)t.p;
	while (i < t.len) {
		unsigned long cp;
		size_t len = utf8_decode(p + i, t.len - i, &cp);

		if (len == 0)           /* cannot happen after clean_text */
			len = 1, cp = 0xfffd;
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029 || cp == 0xfeff) {
			buf_add(out, p + i - run, run);
			run = 0;
			buf_adds(out, replacement);
		} else {
			run += len;
		}
		i += len;
	}
	buf_add(out, p + i - run, run);
	buf_release(&t);
}

/* One line of clean text: line breaks and tabs as spaces. */
static void
one_line(struct buf *b, const char *s)
{
	size_t start = b->len, i;

	yaml_clean(b, s, strlen(s));
	for (i = start; i < b->len; i++)
		if (b->p[i] == '\n' || b->p[i] == '\t')
			b->p[i] = ' ';
}

/* A TAP description: '\' and '#' escaped, so nothing in it is a directive. */
static void
tap_desc(struct buf *b, const char *s)
{
	struct buf t = { NULL, 0, 0 };
	size_t i;

	one_line(&t, s);
	for (i = 0; i < t.len; i++) {
		if (t.p[i] == '\\' || t.p[i] == '#')
			buf_add(b, "\\", 1);
		buf_add(b, t.p + i, 1);
	}
	buf_release(&t);
}

/* A YAML double-quoted scalar; escapes YAML and YAMLish read alike. */
static void
yaml_quoted(struct buf *b, const char *s, size_t n)
{
	struct buf t = { NULL, 0, 0 };
	size_t i, run = 0;

	yaml_clean(&t, s, n);
	buf_add(b, "\"", 1);
	for (i = 0; i < t.len; i++) {
		const char *esc;

		switch (t.p[i]) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			run++;
			continue;
		}
		buf_add(b, t.p + i - run, run);
		run = 0;
		buf_adds(b, esc);
	}
	buf_add(b, t.p + i - run, run);
	buf_add(b, "\"", 1);
	buf_release(&t);
}

/*
 * Can a literal block "|" carry t[0..n) exactly, for YAML and YAMLish?
 * It must end in one newline after some text, its first non-empty line
 * must not start with a blank (it sets the indentation), and no line
 * may start with a tab.
 */
static int
literal_fits(const char *t, size_t n)
{
	size_t i;

	if (n < 2 || t[n - 1] != '\n' || t[n - 2] == '\n')
		return 0;
	for (i = 0; i < n && t[i] == '\n'; i++)
		;
	if (t[i] == ' ' || t[i] == '\t')
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (t[i] == '\n' && t[i + 1] == '\t')
			return 0;
	return 1;
}

/* "  output: |" and the output, every line indented by four spaces; or
   "  output: " and a double-quoted scalar. */
static void
yaml_output(struct buf *b, const char *s, size_t n)
{
	struct buf t = { NULL, 0, 0 };
	size_t i, line;

	yaml_clean(&t, s, n);
	if (!literal_fits(t.p, t.len)) {
		buf_adds(b, "  output: ");
		yaml_quoted(b, s, n);
		buf_add(b, "\n", 1);
		buf_release(&t);
		return;
	}
	buf_adds(b, "  output: |\n");
	for (line = 0; line < t.len; line = i + 1) {
		for (i = line; i < t.len && t.p[i] != '\n'; i++)
			;
		buf_adds(b, "    ");
		buf_add(b, t.p + line, i - line);
		buf_add(b, "\n", 1);
	}
	buf_release(&t);
}

/* The YAML block of a hook that did not pass. */
static void
tap_yaml(struct buf *b, const struct hook_result *res)
{
	buf_adds(b, "  ---\n");
	buf_printf(b, "  status: %s\n", hook_status_name(res->status));
	if (res->exit_code > 0)
		buf_printf(b, "  exit_code: %d\n", res->exit_code);
	else
		buf_adds(b, "  exit_code: ~\n");
	if (res->signal > 0)
		buf_printf(b, "  signal: %d\n", res->signal);
	else
		buf_adds(b, "  signal: ~\n");
	if (res->duration >= 0)
		buf_printf(b, "  duration: %.3f\n", res->duration);
	else
		buf_adds(b, "  duration: ~\n");
	if (res->reason != NULL) {
		buf_adds(b, "  reason: ");
		yaml_quoted(b, res->reason, strlen(res->reason));
		buf_add(b, "\n", 1);
	} else {
		buf_adds(b, "  reason: ~\n");
	}
	if (res->nmodified > 0) {
		size_t i;

		buf_adds(b, "  modified:\n");
		for (i = 0; i < res->nmodified; i++) {
			buf_adds(b, "    - ");
			yaml_quoted(b, res->modified[i], strlen(res->modified[i]));
			buf_add(b, "\n", 1);
		}
	}
	if (res->findings.n > 0) {
		size_t nnew, nknown, nf;

		nf = findings_count(&res->findings, &nnew, &nknown);
		buf_printf(b, "  findings: %zu\n", nf);
		if (nnew + nknown == nf)
			buf_printf(b, "  findings_new: %zu\n  findings_known: %zu\n",
				   nnew, nknown);
	}
	if (res->output != NULL && res->output_len > 0)
		yaml_output(b, res->output, res->output_len);
	else
		buf_adds(b, "  output: \"\"\n");
	if (res->dropped > 0)
		buf_printf(b, "  output_dropped: %llu\n", res->dropped);
	buf_adds(b, "  ...\n");
}

static void
tap_begin(struct writer_state *w, struct buf *b)
{
	(void)w;
	buf_adds(b, "TAP version 13\n");
}

static void
tap_hook(struct writer_state *w, struct buf *b, size_t hook,
	 const struct hook_result *res)
{
	const struct plan_hook *h = &w->plan->hooks[hook];
	const char *sname = w->plan->strategies[h->strategy].name;
	int ok = res->status == HOOK_PASSED || res->status == HOOK_SKIPPED ||
		 res->status == HOOK_PENDING;

	buf_printf(b, "%sok %zu - ", ok ? "" : "not ", w->count + 1);
	tap_desc(b, sname);
	buf_add(b, "/", 1);
	tap_desc(b, h->conf->name);
	if (res->status == HOOK_SKIPPED || res->status == HOOK_PENDING) {
		buf_adds(b, " # SKIP");
		if (res->reason != NULL && *res->reason != '\0') {
			buf_add(b, " ", 1);
			one_line(b, res->reason);
		}
	} else if (res->status == HOOK_TIMEOUT) {
		buf_adds(b, " # timeout");
	} else if (hook_result_is_cached(res)) {
		buf_adds(b, " # " HOOK_REASON_CACHED);  /* a comment, as timeout */
	}
	buf_add(b, "\n", 1);
	/* Details for what did not pass, and the partial output of a
	   hook stopped by an interrupt. */
	if (!ok || (res->status == HOOK_SKIPPED && res->output_len > 0))
		tap_yaml(b, res);
}

static void
tap_finish(struct writer_state *w, struct buf *b,
	   const struct hook_result *results, const size_t *order, size_t n,
	   double elapsed, int exit_status)
{
	struct summary s;

	(void)order;
	(void)n;
	summary_count(w->plan, results, &s);
	buf_adds(b, "# hookwave: ");
	if (w->plan->nshards > 1)
		buf_printf(b, "shard %u/%u: ", w->plan->shard,
			   w->plan->nshards);
	buf_printf(b, "%zu passed, %zu failed, %zu timeout, "
		   "%zu error, %zu skipped in %.2fs, exit status %d\n",
		   s.passed, s.failed, s.timeout, s.error, s.skipped, elapsed,
		   exit_status);
	buf_printf(b, "1..%zu\n", w->count);
}

const struct writer writer_tap = { tap_begin, tap_hook, tap_finish };
