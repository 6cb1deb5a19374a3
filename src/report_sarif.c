/*
 * report_sarif.c - one SARIF 2.1.0 log for the run, written whole at
 * the end: one run per hook whose conf reads findings or that did not
 * pass (so code scanning sees a run, and can close the alerts a fix
 * made go away), in report order. A disabled hook never ran: no run.
 *
 * Each run names the hook's program as its tool, tells runs apart by
 * automationDetails.id ("hookwave/STRATEGY/HOOK/", in part K of a
 * sharded run "hookwave/STRATEGY/HOOK/K-of-N"), says in one
 * invocation how the hook ended, and holds a result per finding with a
 * %SRCROOT%-relative URI. Every string goes through json_string(), so
 * the document is valid JSON whatever bytes a tool printed.
 *
 * A hook whose tool wrote SARIF (`findings = sarif`) has the tool's own
 * run carried over instead (its driver, rules and other members as
 * sarif_read.h kept them, valid JSON by construction), with hookwave's
 * automationDetails, invocation and results: each the tool's result
 * with hookwave's location, fingerprint and baselineState
 * (sarif_result_carry()), or rendered anew when it has none.
 *
 * GitHub code scanning refuses a file past its limits (runs per file,
 * results per run): the document leaves out what is past them and
 * stays valid; sarif_cut() counts what was left out, for report.c to
 * tell the caller.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "conf.h"
#include "escape.h"
#include "hashmap.h"
#include "sarif_read.h"
#include "shellcmd.h"
#include "writer.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/" \
	"errata01/os/schemas/sarif-schema-2.1.0.json"

bool
sarif_has_run(const struct plan *p, size_t hook, const struct hook_result *res)
{
	if (res->status == HOOK_SKIPPED && res->skip == SKIP_DISABLED)
		return false;
	return p->hooks[hook].conf->findings != CONF_FINDINGS_NONE ||
	       !hook_result_passes(res);
}

void
sarif_cut(const struct writer_state *w, const struct hook_result *results,
	  const size_t *order, size_t n, struct report_sarif_cut *c)
{
	size_t i, runs = 0;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		const struct hook_result *r = &results[order[i]];

		if (!writer_shows(w, r) || !sarif_has_run(w->plan, order[i], r))
			continue;
		if (++runs > REPORT_SARIF_MAX_RUNS) {
			c->runs++;
			continue;
		}
		if (r->findings.n + r->absent.n > REPORT_SARIF_MAX_RESULTS) {
			c->results += r->findings.n + r->absent.n -
				      REPORT_SARIF_MAX_RESULTS;
			c->cut_runs++;
		}
	}
}

size_t
sarif_gzip_size(const char *buf, size_t n)
{
	unsigned char out[16384];
	z_stream z;
	size_t total = 0;
	int flush;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (const Bytef *)buf;
	do {
		uInt k = n > (size_t)1 << 30 ? (uInt)1 << 30 : (uInt)n;

		z.avail_in = k;
		n -= k;
		flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			(void)deflate(&z, flush);
			total += sizeof(out) - z.avail_out;
		} while (z.avail_out == 0);
	} while (flush != Z_FINISH);
	deflateEnd(&z);
	return total;
}

/* --- the tool's name ----------------------------------------------------- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* NAME= at the start of w (n bytes). */
static bool
is_assignment(const char *w, size_t n)
{
	size_t i;

	if (n == 0 || !((w[0] >= 'A' && w[0] <= 'Z') ||
			(w[0] >= 'a' && w[0] <= 'z') || w[0] == '_'))
		return false;
	for (i = 1; i < n && w[i] != '='; i++)
		if (!((w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' && w[i] <= 'z') ||
		      (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
			return false;
	return i < n;
}

/*
 * The base name of the program `cmd` runs, into b: its first word as
 * the shell reads it, past assignments (`LC_ALL=C tool`) and `env` with
 * its options and assignments. "sh" when a plain reading cannot tell:
 * a quote, an expansion or an operator before the program, a builtin
 * or reserved word of the shell (whose program is the shell itself),
 * env reading its own command line (-S), or no word at all.
 */
static void
tool_name(struct buf *b, const char *cmd)
{
	const char *p = cmd, *base;
	bool after_env = false, options = false, skip_arg = false;
	char *word = NULL;
	size_t n, i;

	for (;;) {
		while (is_blank(*p))
			p++;
		for (n = 0; p[n] != '\0' && !is_blank(p[n]); n++)
			;
		if (n == 0 || strcspn(p, "'\"\\$`;&|<>(){}*?[#~") < n)
			break;  /* the end, or not plain words */
		free(word);
		word = xstrndup(p, n);
		p += n;
		if (skip_arg) {
			skip_arg = false;
			continue;
		}
		if (is_assignment(word, n))
			continue;
		if (after_env && options && word[0] == '-') {
			if (strcmp(word, "--") == 0)
				options = false;
			else if (strcmp(word, "-u") == 0 ||
				 strcmp(word, "--unset") == 0 ||
				 strcmp(word, "-C") == 0 ||
				 strcmp(word, "--chdir") == 0)
				skip_arg = true;
			else if (word[1] == 'S' ||
				 strncmp(word, "--split-string", 14) == 0)
				break;  /* env reads its own command line */
			continue;
		}
		base = strrchr(word, '/');
		base = base != NULL ? base + 1 : word;
		if (!after_env && strcmp(base, "env") == 0) {
			after_env = options = true;
			continue;
		}
		if ((!after_env && shellcmd_is_shell_word(word)) || *base == '\0')
			break;
		for (i = 0; base[i] != '\0'; i++)
			if (base[i] == '=')
				break;
		if (base[i] != '\0')
			break;
		json_string(b, base, strlen(base));
		free(word);
		return;
	}
	free(word);
	buf_adds(b, "\"sh\"");
}

/* --- pieces -------------------------------------------------------------- */

static void
json_str(struct buf *b, const char *s)
{
	json_string(b, s, strlen(s));
}

/*
 * A finding's file as a URI reference, percent-encoded (RFC 3986:
 * unreserved characters and '/' stay as they are): relative to
 * %SRCROOT%, or a file:// URI for an absolute path (outside the
 * root). Any byte is safe: what is not kept is encoded.
 */
static void
artifact_location(struct buf *b, const char *file)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)file;
	bool absolute = file[0] == '/';

	buf_adds(b, "{\"uri\":\"");
	if (absolute)
		buf_adds(b, "file://");
	for (; *s != '\0'; s++) {
		char esc[3];

		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
		    *s == '_' || *s == '~' || *s == '/') {
			buf_add(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[*s >> 4];
		esc[2] = hex[*s & 15];
		buf_add(b, esc, 3);
	}
	buf_adds(b, absolute ? "\"}" : "\",\"uriBaseId\":\"%SRCROOT%\"}");
}

/* The distinct rules of a run's results, in the order they first come. */
struct rules {
	const char **v;         /* borrowed from the findings */
	size_t n;
	struct hashmap map;
};

struct rule_key {
	const struct rules *rules;
	const char *id;
};

static int
rule_eq(const void *key, size_t index)
{
	const struct rule_key *k = key;

	return strcmp(k->rules->v[index], k->id) == 0;
}

/* The index of rule `id`, added if new. */
static size_t
rule_index(struct rules *r, const char *id)
{
	struct rule_key k = { r, id };
	uint64_t h = hash_str(id);
	size_t i = hashmap_find(&r->map, h, &k, rule_eq);

	if (i != HASHMAP_NONE)
		return i;
	r->v[r->n] = id;
	hashmap_put(&r->map, h, r->n);
	return r->n++;
}

/* The invocation: how the hook ended. */
static void
invocation(struct buf *b, const struct plan_hook *h,
	   const struct hook_result *res)
{
	bool ran_to_end = res->status == HOOK_PASSED ||
			  res->status == HOOK_FAILED;
	char why[128];
	const char *note = NULL, *level = "error";

	buf_printf(b, "\"invocations\":[{\"executionSuccessful\":%s",
		   ran_to_end ? "true" : "false");
	if (res->signal > 0)
		buf_printf(b, ",\"exitSignalNumber\":%d", res->signal);
	else if (res->exit_code > 0)
		buf_printf(b, ",\"exitCode\":%d", res->exit_code);
	else if (ran_to_end && res->batches > 0)
		buf_adds(b, ",\"exitCode\":0");
	switch (res->status) {
	case HOOK_TIMEOUT:
		snprintf(why, sizeof(why), "timed out after %lds", h->timeout);
		note = why;
		break;
	case HOOK_ERROR:
		note = res->reason != NULL ? res->reason : "error";
		break;
	case HOOK_SKIPPED:
		note = res->reason != NULL ? res->reason : "skipped";
		level = "note";
		break;
	default:
		break;
	}
	if (note != NULL) {
		buf_adds(b, ",\"toolExecutionNotifications\":[{\"level\":\"");
		buf_adds(b, level);
		buf_adds(b, "\",\"message\":{\"text\":");
		json_str(b, note);
		buf_adds(b, "}}]");
	}
	buf_adds(b, "}]");
}

static const char *
state_name(enum finding_state s)
{
	switch (s) {
	case FINDING_NEW:
		return "new";
	case FINDING_UNCHANGED:
		return "unchanged";
	case FINDING_ABSENT:
		return "absent";
	case FINDING_STATE_NONE:
		break;
	}
	return NULL;
}

/* A finding read from the tool's own SARIF: its result as the tool
   wrote it, with hookwave's location, fingerprint and baseline state.
   False when it cannot be (then it is rendered anew). */
static bool
carried_result(struct buf *b, const struct finding *f)
{
	struct buf loc = { NULL, 0, 0 };
	char *text;

	artifact_location(&loc, f->file);
	text = sarif_result_carry(f->sarif, loc.p, f->fingerprint,
				  state_name(f->state));
	buf_release(&loc);
	if (text == NULL)
		return false;
	buf_adds(b, text);
	free(text);
	return true;
}

/* A result; `rules` NULL: by ruleId alone (the run's rules are the
   tool's own). */
static void
result(struct buf *b, const struct finding *f, struct rules *rules)
{
	const char *state;

	if (f->sarif != NULL && carried_result(b, f))
		return;
	buf_adds(b, "{");
	if (f->rule != NULL) {
		buf_adds(b, "\"ruleId\":");
		json_str(b, f->rule);
		if (rules != NULL)
			buf_printf(b, ",\"ruleIndex\":%zu",
				   rule_index(rules, f->rule));
		buf_adds(b, ",");
	}
	buf_printf(b, "\"level\":\"%s\",\"message\":{\"text\":",
		   finding_level_name(f->level));
	json_str(b, f->message);
	buf_adds(b, "},\"locations\":[{\"physicalLocation\":"
		 "{\"artifactLocation\":");
	artifact_location(b, f->file);
	if (f->line > 0) {
		buf_printf(b, ",\"region\":{\"startLine\":%lu", f->line);
		if (f->col > 0)
			buf_printf(b, ",\"startColumn\":%lu", f->col);
		buf_adds(b, "}");
	}
	buf_adds(b, "}}]");
	if (f->fingerprint != NULL) {
		buf_adds(b, ",\"partialFingerprints\":{\"hookwave/v1\":");
		json_str(b, f->fingerprint);
		buf_adds(b, "}");
	}
	state = state_name(f->state);
	if (state != NULL)
		buf_printf(b, ",\"baselineState\":\"%s\"", state);
	buf_adds(b, "}");
}

static void
automation_id(struct buf *b, const struct plan *p, const struct plan_hook *h)
{
	/* A shard's run: the same category, its own instance. */
	char *id = p->nshards > 1 ?
		   xasprintf("hookwave/%s/%s/%u-of-%u",
			     p->strategies[h->strategy].name, h->conf->name,
			     p->shard, p->nshards) :
		   xasprintf("hookwave/%s/%s/", p->strategies[h->strategy].name,
			     h->conf->name);

	json_str(b, id);
	free(id);
}

/*
 * The run of a hook whose tool wrote SARIF: the tool's run carried over
 * (its driver, rules and the rest, sarif_read.h) with hookwave's
 * automationDetails, invocation and results.
 */
static void
carried_run(struct buf *b, const struct plan *p, size_t hook,
	    const struct hook_result *res)
{
	const struct plan_hook *h = &p->hooks[hook];
	size_t i, n = res->findings.n + res->absent.n;
	size_t len = strlen(res->sarif_run);

	if (n > REPORT_SARIF_MAX_RESULTS)
		n = REPORT_SARIF_MAX_RESULTS;
	buf_adds(b, "{\"automationDetails\":{\"id\":");
	automation_id(b, p, h);
	buf_adds(b, "},\n");
	invocation(b, h, res);
	buf_adds(b, ",\n\"results\":[");
	for (i = 0; i < n; i++) {
		buf_adds(b, i > 0 ? ",\n" : "\n");
		result(b, i < res->findings.n ? &res->findings.v[i] :
		       &res->absent.v[i - res->findings.n], NULL);
	}
	buf_adds(b, "],\n");
	/* The tool's members, between its braces (it has its tool). */
	buf_add(b, res->sarif_run + 1, len - 2);
	buf_adds(b, "}");
}

/* One run: the results first (into `tail`), as they make the rules. */
static void
run(struct buf *b, const struct plan *p, size_t hook,
    const struct hook_result *res)
{
	const struct plan_hook *h = &p->hooks[hook];
	size_t i, n = res->findings.n + res->absent.n;
	struct rules rules;
	struct buf tail = { NULL, 0, 0 };

	if (res->sarif_run != NULL && strlen(res->sarif_run) > 2 &&
	    res->sarif_run[0] == '{') {
		carried_run(b, p, hook, res);
		return;
	}

	/* Its findings, then the baseline's that are gone (absent). */
	if (n > REPORT_SARIF_MAX_RESULTS)
		n = REPORT_SARIF_MAX_RESULTS;
	memset(&rules, 0, sizeof(rules));
	rules.v = xcalloc(n + 1, sizeof(*rules.v));
	for (i = 0; i < n; i++) {
		buf_adds(&tail, i > 0 ? ",\n" : "\n");
		result(&tail, i < res->findings.n ? &res->findings.v[i] :
		       &res->absent.v[i - res->findings.n], &rules);
	}

	buf_adds(b, "{\"tool\":{\"driver\":{\"name\":");
	tool_name(b, h->conf->command);
	buf_adds(b, ",\"rules\":[");
	for (i = 0; i < rules.n; i++) {
		buf_adds(b, i > 0 ? ",{\"id\":" : "{\"id\":");
		json_str(b, rules.v[i]);
		buf_adds(b, "}");
	}
	buf_adds(b, "]}},\n\"automationDetails\":{\"id\":");
	automation_id(b, p, h);
	buf_adds(b, "},\n");
	invocation(b, h, res);
	buf_adds(b, ",\n\"results\":[");
	if (tail.len > 0)
		buf_add(b, tail.p, tail.len);
	buf_adds(b, "]}");

	buf_release(&tail);
	hashmap_release(&rules.map);
	free(rules.v);
}

/* --- the writer ---------------------------------------------------------- */

static void
sarif_hook(struct writer_state *w, struct buf *b, size_t hook,
	   const struct hook_result *res)
{
	(void)w;
	(void)b;
	(void)hook;
	(void)res;
}

static void
sarif_finish(struct writer_state *w, struct buf *b,
	     const struct hook_result *results, const size_t *order, size_t n,
	     double elapsed, int exit_status)
{
	size_t i, runs = 0, start = b->len;

	(void)elapsed;
	(void)exit_status;
	buf_adds(b, "{\"$schema\":\"" SARIF_SCHEMA "\",\n"
		 "\"version\":\"2.1.0\",\n\"runs\":[");
	for (i = 0; i < n && runs < REPORT_SARIF_MAX_RUNS; i++) {
		const struct hook_result *r = &results[order[i]];

		if (!writer_shows(w, r) || !sarif_has_run(w->plan, order[i], r))
			continue;
		buf_adds(b, runs++ > 0 ? ",\n" : "\n");
		run(b, w->plan, order[i], r);
	}
	buf_adds(b, "]}\n");
	/* Measured only when it might be past the limit: deflate never
	   makes more than compressBound() of its input, plus the gzip
	   wrapper's 12 bytes more than zlib's. */
	w->sarif_gzipped = 0;
	if (compressBound((uLong)(b->len - start)) + 12 > REPORT_SARIF_MAX_GZIP)
		w->sarif_gzipped = sarif_gzip_size(b->p + start, b->len - start);
}

const struct writer writer_sarif = { NULL, sarif_hook, sarif_finish };
