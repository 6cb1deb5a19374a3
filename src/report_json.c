/*
 * report_json.c - JSON Lines: one object per finished hook, then one
 * summary object. Every hook object has every field hookwave(1) lists
 * under json.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "escape.h"
#include "writer.h"

static void
json_str_or_null(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_adds(b, "null");
	else
		json_string(b, s, strlen(s));
}

/* Seconds with millisecond precision, or null for "never". */
static void
json_seconds(struct buf *b, double t)
{
	if (t < 0)
		buf_adds(b, "null");
	else
		buf_printf(b, "%.3f", t);
}

/* A number of lines or columns, null for none (0). */
static void
json_count(struct buf *b, unsigned long n)
{
	if (n == 0)
		buf_adds(b, "null");
	else
		buf_printf(b, "%lu", n);
}

static void
json_finding(struct buf *b, const struct finding *f)
{
	buf_adds(b, "{\"file\":");
	json_string(b, f->file, strlen(f->file));
	buf_adds(b, ",\"line\":");
	json_count(b, f->line);
	buf_adds(b, ",\"col\":");
	json_count(b, f->col);
	buf_printf(b, ",\"level\":\"%s\",\"rule\":",
		   finding_level_name(f->level));
	json_str_or_null(b, f->rule);
	buf_adds(b, ",\"message\":");
	json_string(b, f->message, strlen(f->message));
	buf_adds(b, ",\"fingerprint\":");
	json_str_or_null(b, f->fingerprint);
	buf_adds(b, ",\"baseline\":");
	json_str_or_null(b, f->state == FINDING_NEW ? "new" :
			 f->state == FINDING_UNCHANGED ? "unchanged" :
			 f->state == FINDING_ABSENT ? "absent" : NULL);
	buf_add(b, "}", 1);
}

/* ,"shard":"K/N" in a sharded run's hook and summary objects. */
static void
json_shard(struct buf *b, const struct plan *p)
{
	if (p->nshards > 1)
		buf_printf(b, ",\"shard\":\"%u/%u\"", p->shard, p->nshards);
}

static void
json_hook(struct writer_state *w, struct buf *b, size_t hook,
	  const struct hook_result *res)
{
	const struct plan_hook *h = &w->plan->hooks[hook];
	/* Passed and failed hooks have a reason only for the files they
	   changed ("fixed N files", "modified N files"), or for a pass
	   the cache remembered ("cached"). */
	const char *reason = res->status == HOOK_SKIPPED ||
			     res->status == HOOK_ERROR || res->nmodified > 0 ||
			     hook_result_is_cached(res) ? res->reason : NULL;
	size_t i;

	buf_adds(b, "{\"type\":\"hook\",\"name\":");
	json_string(b, h->conf->name, strlen(h->conf->name));
	buf_adds(b, ",\"strategy\":");
	json_str_or_null(b, w->plan->strategies[h->strategy].name);
	json_shard(b, w->plan);
	buf_printf(b, ",\"wave\":%u,\"status\":\"%s\",\"reason\":", h->wave,
		   hook_status_name(res->status));
	json_str_or_null(b, reason);
	buf_adds(b, ",\"exit_code\":");
	if (res->exit_code > 0)
		buf_printf(b, "%d", res->exit_code);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"signal\":");
	if (res->signal > 0)
		buf_printf(b, "%d", res->signal);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"start\":");
	json_seconds(b, res->start);
	buf_adds(b, ",\"duration\":");
	json_seconds(b, res->duration);
	buf_printf(b, ",\"batches\":%u,\"files\":%zu,\"cached\":%zu,"
		   "\"modified\":[", res->batches, res->files, res->cached);
	for (i = 0; i < res->nmodified; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		json_string(b, res->modified[i], strlen(res->modified[i]));
	}
	buf_adds(b, "],\"findings\":[");
	for (i = 0; i < res->findings.n; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		json_finding(b, &res->findings.v[i]);
	}
	buf_adds(b, "],\"absent\":[");
	for (i = 0; i < res->absent.n; i++) {
		if (i > 0)
			buf_add(b, ",", 1);
		json_finding(b, &res->absent.v[i]);
	}
	buf_adds(b, "],\"output\":");
	json_string(b, res->output ? res->output : "", res->output_len);
	buf_printf(b, ",\"output_truncated\":%s}\n",
		   res->dropped > 0 ? "true" : "false");
}

static void
json_finish(struct writer_state *w, struct buf *b,
	    const struct hook_result *results, const size_t *order, size_t n,
	    double elapsed, int exit_status)
{
	struct summary s;
	size_t i, nfind = 0;

	(void)order;
	(void)n;
	summary_count(w->plan, results, &s);
	for (i = 0; i < w->plan->nhooks; i++)
		nfind += results[i].findings.n;
	buf_adds(b, "{\"type\":\"summary\"");
	json_shard(b, w->plan);
	buf_printf(b, ",\"passed\":%zu,\"failed\":%zu,"
		   "\"timeout\":%zu,\"error\":%zu,\"skipped\":%zu,"
		   "\"duration\":%.3f,\"hooks_total\":%.3f,\"findings\":%zu,"
		   "\"exit_code\":%d}\n",
		   s.passed, s.failed, s.timeout, s.error, s.skipped, elapsed,
		   s.hooks_total, nfind, exit_status);
}

const struct writer writer_json = { NULL, json_hook, json_finish };
