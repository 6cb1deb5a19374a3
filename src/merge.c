/*
 * merge.c - shard reports joined into the whole run's: JSON Lines and
 * SARIF through jansson, JUnit through libxml2. See merge.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "atomic_file.h"
#include "buf.h"
#include "hashmap.h"
#include "merge.h"
#include "util.h"

/* --- statuses ------------------------------------------------------------ */

enum mstatus { MS_PASSED, MS_FAILED, MS_TIMEOUT, MS_ERROR, MS_SKIPPED };

static const char *const status_names[] = {
	[MS_PASSED] = "passed", [MS_FAILED] = "failed",
	[MS_TIMEOUT] = "timeout", [MS_ERROR] = "error",
	[MS_SKIPPED] = "skipped"
};

static int
status_parse(const char *s, enum mstatus *out)
{
	size_t i;

	for (i = 0; s != NULL && i < ARRAY_SIZE(status_names); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum mstatus)i;
			return 0;
		}
	return -1;
}

/* A skip that fails the run: a dependency that did not pass, a stop. */
static bool
skip_fails(const char *reason)
{
	return reason != NULL && (strncmp(reason, "dependency ", 11) == 0 ||
				  strncmp(reason, "stopped", 7) == 0);
}

static bool
fails_run(enum mstatus s, const char *reason)
{
	return s == MS_FAILED || s == MS_TIMEOUT || s == MS_ERROR ||
	       (s == MS_SKIPPED && skip_fails(reason));
}

/* How bad a part's result is: the joined hook takes the worst. */
static int
rank(enum mstatus s, const char *reason)
{
	switch (s) {
	case MS_ERROR:
		return 6;
	case MS_TIMEOUT:
		return 5;
	case MS_FAILED:
		return 4;
	case MS_PASSED:
		return 1;
	case MS_SKIPPED:
		break;
	}
	if (skip_fails(reason))
		return 3;
	if (reason != NULL && strcmp(reason, "interrupted") == 0)
		return 2;
	return 0;               /* no files, disabled */
}

/*
 * The largest number of seconds (or count) a report may hold: past it a
 * line is refused (JSON) or its time is taken as 0 (JUnit). Over 30,000
 * years, and far enough below what a long long or a double's integers
 * hold that sums of many lines stay exact and rounding is defined.
 */
#define MERGE_MAX 1e12

/* Seconds kept to the millisecond, as the writers print them. */
static double
millis(double s)
{
	if (!(s >= 0) || s > 1e15)      /* a sum of many large lines */
		return s;
	return (double)(long long)(s * 1000 + 0.5) / 1000;
}

/* --- hooks by key, in order of first appearance -------------------------- */

struct keys {
	char **v;               /* "STRATEGY\nNAME" (or any id), owned */
	size_t n, alloc;
	struct hashmap map;
};

struct key_probe {
	const struct keys *k;
	const char *s;
};

static int
key_eq(const void *probe, size_t i)
{
	const struct key_probe *p = probe;

	return strcmp(p->k->v[i], p->s) == 0;
}

/* The index of key `s`; *added says whether it is new. */
static size_t
key_index(struct keys *k, const char *s, bool *added)
{
	struct key_probe p = { k, s };
	uint64_t h = hash_str(s);
	size_t i = hashmap_find(&k->map, h, &p, key_eq);

	*added = i == HASHMAP_NONE;
	if (!*added)
		return i;
	if (k->n == k->alloc) {
		k->alloc = k->alloc ? 2 * k->alloc : 16;
		k->v = xreallocarray(k->v, k->alloc, sizeof(*k->v));
	}
	k->v[k->n] = xstrdup(s);
	hashmap_put(&k->map, h, k->n);
	return k->n++;
}

static void
keys_release(struct keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	hashmap_release(&k->map);
	memset(k, 0, sizeof(*k));
}

/* --- JSON Lines ---------------------------------------------------------- */

/*
 * A JSON string value. Not jansson's json_string(): escape.h has a
 * function of that name, and in the one binary the linker would bind
 * the call to it.
 */
static json_t *
jstr(const char *s)
{
	return json_stringn(s, strlen(s));
}

enum { F_STR = 1, F_NULL = 2, F_INT = 4, F_NUM = 8, F_BOOL = 16, F_ARR = 32 };

static const struct {
	const char *name;
	int kinds;
} hook_fields[] = {
	{ "name", F_STR }, { "strategy", F_STR | F_NULL },
	{ "status", F_STR }, { "reason", F_STR | F_NULL },
	{ "exit_code", F_INT | F_NULL }, { "signal", F_INT | F_NULL },
	{ "start", F_NUM | F_NULL }, { "duration", F_NUM | F_NULL },
	{ "batches", F_INT }, { "files", F_INT }, { "cached", F_INT },
	{ "modified", F_ARR }, { "findings", F_ARR }, { "absent", F_ARR },
	{ "output", F_STR }, { "output_truncated", F_BOOL },
};

static bool
field_ok(const json_t *v, int kinds)
{
	return ((kinds & F_STR) && json_is_string(v)) ||
	       ((kinds & F_NULL) && json_is_null(v)) ||
	       ((kinds & F_INT) && json_is_integer(v) &&
		json_integer_value(v) >= -MERGE_MAX &&
		json_integer_value(v) <= MERGE_MAX) ||
	       ((kinds & F_NUM) && json_is_number(v) &&
		json_number_value(v) >= 0 && json_number_value(v) <= MERGE_MAX) ||
	       ((kinds & F_BOOL) && json_is_boolean(v)) ||
	       ((kinds & F_ARR) && json_is_array(v));
}

struct jl {
	struct keys keys;
	json_t **hooks;         /* per key: the joined hook object */
	size_t alloc;
	double duration;        /* the longest shard's */
	int signal_status;      /* a shard's exit_code >= 128, or 0 */
};

static const char *
str_or_null(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
hook_rank(const json_t *o)
{
	enum mstatus s = MS_PASSED;

	(void)status_parse(str_or_null(o, "status"), &s);
	return rank(s, str_or_null(o, "reason"));
}

/* Set o[key] to what the sum of two numbers (or nulls) is. */
static void
sum_seconds(json_t *o, const json_t *part, const char *key)
{
	const json_t *a = json_object_get(o, key), *b = json_object_get(part, key);

	if (json_is_null(b))
		return;
	json_object_set_new(o, key, json_real(millis(
		(json_is_null(a) ? 0 : json_number_value(a)) +
		json_number_value(b))));
}

static void
sum_count(json_t *o, const json_t *part, const char *key)
{
	json_int_t sum;

	/* Saturated: each line is bounded, their number is not. */
	if (__builtin_add_overflow(json_integer_value(json_object_get(o, key)),
				   json_integer_value(json_object_get(part, key)),
				   &sum))
		sum = LLONG_MAX;
	json_object_set_new(o, key, json_integer(sum));
}

/* Join `part` (another shard's object of the same hook) into `o`. */
static void
jl_join(json_t *o, const json_t *part)
{
	const json_t *ps = json_object_get(part, "start");
	const json_t *os = json_object_get(o, "start");
	json_t *out;
	size_t k;
	const char *reason = str_or_null(o, "reason");

	if (hook_rank(part) > hook_rank(o)) {
		json_object_set(o, "status", json_object_get(part, "status"));
		json_object_set(o, "reason", json_object_get(part, "reason"));
	} else if (hook_rank(part) == hook_rank(o) && reason != NULL &&
		   strcmp(reason, "cached") == 0) {
		/* cached only when every part was */
		json_object_set(o, "reason", json_object_get(part, "reason"));
	}
	if (json_is_null(json_object_get(o, "exit_code")))
		json_object_set(o, "exit_code", json_object_get(part, "exit_code"));
	if (json_is_null(json_object_get(o, "signal")))
		json_object_set(o, "signal", json_object_get(part, "signal"));
	if (!json_is_null(ps) && (json_is_null(os) ||
				  json_number_value(ps) < json_number_value(os)))
		json_object_set(o, "start", (json_t *)ps);
	sum_seconds(o, part, "duration");
	sum_count(o, part, "batches");
	sum_count(o, part, "files");
	sum_count(o, part, "cached");
	json_array_extend(json_object_get(o, "modified"),
			  json_object_get(part, "modified"));
	json_array_extend(json_object_get(o, "findings"),
			  json_object_get(part, "findings"));
	json_array_extend(json_object_get(o, "absent"),
			  json_object_get(part, "absent"));
	{
		const json_t *a = json_object_get(o, "output");
		const json_t *b = json_object_get(part, "output");
		size_t na = json_string_length(a), nb = json_string_length(b);
		char *s = xmalloc(na + nb + 1);

		memcpy(s, json_string_value(a), na);
		memcpy(s + na, json_string_value(b), nb);
		out = json_stringn_nocheck(s, na + nb);
		free(s);
		json_object_set_new(o, "output", out);
	}
	k = json_is_true(json_object_get(o, "output_truncated")) ||
	    json_is_true(json_object_get(part, "output_truncated"));
	json_object_set_new(o, "output_truncated", json_boolean(k));
}

/* A finding's identity for dropping repeats: its fingerprint, or all of it. */
static char *
finding_id(const json_t *f)
{
	const char *fp = str_or_null(f, "fingerprint");

	return fp != NULL ? xstrdup(fp) :
	       json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
}

/*
 * After every part is in: a reason that counts changed files counts all
 * of them; absent findings once, and not those a part found.
 */
static void
jl_settle(json_t *o)
{
	const char *reason = str_or_null(o, "reason");
	json_t *mod = json_object_get(o, "modified");
	json_t *abs = json_object_get(o, "absent"), *keep;
	json_t *fnd = json_object_get(o, "findings");
	struct keys seen;
	size_t i, n = json_array_size(mod);
	bool added;

	json_object_del(o, "shard");
	if (n > 0 && reason != NULL && (strncmp(reason, "modified ", 9) == 0 ||
					strncmp(reason, "fixed ", 6) == 0)) {
		char *r = xasprintf("%s %zu file%s",
				    reason[0] == 'm' ? "modified" : "fixed", n,
				    n == 1 ? "" : "s");

		json_object_set_new(o, "reason", jstr(r));
		free(r);
	}
	if (json_array_size(abs) == 0)
		return;
	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < json_array_size(fnd); i++) {
		char *id = finding_id(json_array_get(fnd, i));

		if (id != NULL)
			(void)key_index(&seen, id, &added);
		free(id);
	}
	keep = json_array();
	for (i = 0; i < json_array_size(abs); i++) {
		json_t *f = json_array_get(abs, i);
		char *id = finding_id(f);

		if (id != NULL) {
			(void)key_index(&seen, id, &added);
			if (added)
				json_array_append(keep, f);
		}
		free(id);
	}
	json_object_set_new(o, "absent", keep);
	keys_release(&seen);
}

static int
jl_hook(struct jl *m, json_t *o, const char *file, unsigned long line,
	struct err *e)
{
	const char *strategy;
	enum mstatus st;
	char *key;
	size_t i;
	bool added;

	for (i = 0; i < ARRAY_SIZE(hook_fields); i++)
		if (!field_ok(json_object_get(o, hook_fields[i].name),
			      hook_fields[i].kinds))
			return err_set(e, file, line,
				       "a hook line without a valid '%s'",
				       hook_fields[i].name);
	if (status_parse(str_or_null(o, "status"), &st) != 0)
		return err_set(e, file, line, "a hook line with an unknown status '%s'",
			       str_or_null(o, "status"));
	strategy = str_or_null(o, "strategy");
	key = xasprintf("%s\n%s", strategy != NULL ? strategy : "",
			str_or_null(o, "name"));
	i = key_index(&m->keys, key, &added);
	free(key);
	if (added) {
		if (m->keys.n > m->alloc) {
			m->alloc = m->keys.n * 2;
			m->hooks = xreallocarray(m->hooks, m->alloc,
						 sizeof(*m->hooks));
		}
		m->hooks[i] = json_deep_copy(o);
		if (m->hooks[i] == NULL)
			abort();
	} else {
		jl_join(m->hooks[i], o);
	}
	return 0;
}

static bool
blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

static int
jl_read(struct jl *m, const struct merge_input *in, struct err *e)
{
	const char *p = in->text, *end = in->text + in->len;
	unsigned long line = 0;
	bool summary = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		json_error_t je;
		const char *type;
		json_t *o;
		int r = 0;

		line++;
		if (blank(p, len)) {
			p = nl != NULL ? nl + 1 : end;
			continue;
		}
		if (summary)
			return err_set(e, in->name, line, "a line after the summary line");
		o = json_loadb(p, len, JSON_ALLOW_NUL, &je);
		if (o == NULL)
			return err_set(e, in->name, line, "not JSON: %s", je.text);
		type = str_or_null(o, "type");
		if (!json_is_object(o) || type == NULL) {
			r = err_set(e, in->name, line,
				    "not a report line (no \"type\")");
		} else if (strcmp(type, "hook") == 0) {
			r = jl_hook(m, o, in->name, line, e);
		} else if (strcmp(type, "summary") == 0) {
			json_t *d = json_object_get(o, "duration");
			json_t *x = json_object_get(o, "exit_code");

			summary = true;
			if (json_is_number(d) && json_number_value(d) > m->duration)
				m->duration = json_number_value(d);
			if (json_is_integer(x) && json_integer_value(x) >= 128 &&
			    m->signal_status == 0)
				m->signal_status = (int)json_integer_value(x);
		} else {
			r = err_set(e, in->name, line,
				    "a \"%s\" line is not part of a run's report",
				    type);
		}
		json_decref(o);
		if (r != 0)
			return -1;
		p = nl != NULL ? nl + 1 : end;
	}
	if (!summary)
		return err_set(e, in->name, 0,
			       "no summary line: not a whole report of a run");
	return 0;
}

static int
merge_json_lines(const struct merge_input *in, size_t n, struct buf *out,
		 int *status, struct err *e)
{
	struct jl m;
	size_t i, passed = 0, failed = 0, timeout = 0, error = 0, skipped = 0;
	size_t findings = 0;
	double total = 0;
	int r = 0, fail = 0;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < n && r == 0; i++)
		r = jl_read(&m, &in[i], e);
	for (i = 0; r == 0 && i < m.keys.n; i++) {
		json_t *o = m.hooks[i];
		const json_t *d = json_object_get(o, "duration");
		enum mstatus st = MS_PASSED;
		char *line;

		jl_settle(o);
		(void)status_parse(str_or_null(o, "status"), &st);
		passed += st == MS_PASSED;
		failed += st == MS_FAILED;
		timeout += st == MS_TIMEOUT;
		error += st == MS_ERROR;
		skipped += st == MS_SKIPPED;
		if (fails_run(st, str_or_null(o, "reason")))
			fail = 1;
		if (json_is_number(d) && json_number_value(d) > 0)
			total += json_number_value(d);
		findings += json_array_size(json_object_get(o, "findings"));
		line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (line == NULL)
			abort();
		buf_adds(out, line);
		buf_adds(out, "\n");
		free(line);
	}
	*status = m.signal_status != 0 ? m.signal_status : fail;
	if (r == 0)
		buf_printf(out, "{\"type\":\"summary\",\"passed\":%zu,\"failed\":%zu,"
			   "\"timeout\":%zu,\"error\":%zu,\"skipped\":%zu,"
			   "\"duration\":%.3f,\"hooks_total\":%.3f,\"findings\":%zu,"
			   "\"exit_code\":%d}\n", passed, failed, timeout, error,
			   skipped, m.duration, total, findings, *status);
	for (i = 0; i < m.keys.n; i++)
		json_decref(m.hooks[i]);
	free(m.hooks);
	keys_release(&m.keys);
	return r;
}

/* --- SARIF --------------------------------------------------------------- */

/* A run's status, as far as its invocation tells it. */
static void
run_status(const json_t *run, enum mstatus *st, const char **reason)
{
	const json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
	const json_t *notes = json_object_get(inv, "toolExecutionNotifications");
	const json_t *note = json_array_get(notes, 0);
	const char *level = str_or_null(note, "level");

	*reason = str_or_null(json_object_get(note, "message"), "text");
	if (json_is_false(json_object_get(inv, "executionSuccessful"))) {
		/* error and timeout both fail the run: error stands for both */
		*st = level != NULL && strcmp(level, "note") == 0 ? MS_SKIPPED :
								    MS_ERROR;
		return;
	}
	*reason = NULL;
	*st = json_integer_value(json_object_get(inv, "exitCode")) != 0 ||
	      json_object_get(inv, "exitSignalNumber") != NULL ? MS_FAILED :
								 MS_PASSED;
}

static int
run_rank(const json_t *run)
{
	enum mstatus st;
	const char *reason;

	run_status(run, &st, &reason);
	return rank(st, reason);
}

/* Join run `part` into `run` (the same hook's, from another shard). */
static void
sarif_join(json_t *run, const json_t *part)
{
	json_t *rules = json_object_get(json_object_get(json_object_get(run,
					"tool"), "driver"), "rules");
	json_t *results = json_object_get(run, "results");
	json_t *invs = json_object_get(run, "invocations");
	json_t *inv = json_array_get(invs, 0);
	const json_t *pinv = json_array_get(json_object_get(part, "invocations"), 0);
	const json_t *pres = json_object_get(part, "results");
	struct keys ids;
	json_t *notes = json_array();
	bool ok, added;
	size_t i;

	if (!json_is_array(rules)) {
		rules = json_array();
		json_object_set_new(json_object_get(json_object_get(run, "tool"),
						    "driver"), "rules", rules);
	}
	if (!json_is_array(results)) {
		results = json_array();
		json_object_set_new(run, "results", results);
	}
	memset(&ids, 0, sizeof(ids));
	for (i = 0; i < json_array_size(rules); i++)
		(void)key_index(&ids, str_or_null(json_array_get(rules, i), "id") ?
				str_or_null(json_array_get(rules, i), "id") : "",
				&added);
	for (i = 0; i < json_array_size(pres); i++) {
		json_t *r = json_deep_copy(json_array_get(pres, i));
		const char *rule = str_or_null(r, "ruleId");

		if (r == NULL)
			abort();
		if (rule != NULL) {
			size_t k = key_index(&ids, rule, &added);

			if (added) {
				json_t *ro = json_object();

				json_object_set_new(ro, "id", jstr(rule));
				json_array_append_new(rules, ro);
			}
			json_object_set_new(r, "ruleIndex", json_integer((json_int_t)k));
		}
		json_array_append_new(results, r);
	}
	keys_release(&ids);

	/* The invocation: the worse part's, every part's notifications. */
	ok = !json_is_false(json_object_get(inv, "executionSuccessful")) &&
	     !json_is_false(json_object_get(pinv, "executionSuccessful"));
	json_array_extend(notes, json_object_get(inv, "toolExecutionNotifications"));
	json_array_extend(notes, json_object_get(pinv, "toolExecutionNotifications"));
	if (pinv != NULL && (inv == NULL || run_rank(part) > run_rank(run))) {
		json_t *copy = json_deep_copy(pinv);

		if (json_array_size(invs) > 0)
			json_array_set_new(invs, 0, copy);
		else if (json_is_array(invs))
			json_array_append_new(invs, copy);
		else {
			invs = json_array();
			json_array_append_new(invs, copy);
			json_object_set_new(run, "invocations", invs);
		}
		inv = copy;
	}
	if (inv != NULL) {
		json_object_set_new(inv, "executionSuccessful", json_boolean(ok));
		if (json_array_size(notes) > 0)
			json_object_set(inv, "toolExecutionNotifications", notes);
	}
	json_decref(notes);
}

/* "hookwave/STRATEGY/HOOK/" of a hookwave run's id, or NULL (malloc'd). */
static char *
hook_id(const json_t *run)
{
	const char *id = str_or_null(json_object_get(run, "automationDetails"), "id");
	const char *slash;

	if (id == NULL || strncmp(id, "hookwave/", 9) != 0)
		return NULL;
	slash = strrchr(id, '/');
	return xstrndup(id, (size_t)(slash - id) + 1);
}

static int
merge_sarif(json_t **docs, const struct merge_input *in, size_t n,
	    struct buf *out, int *status, struct err *e)
{
	json_t *root = json_object(), *runs = json_array();
	struct keys keys;
	size_t *at = NULL, i, k, alloc = 0;
	char *text;
	bool added;

	memset(&keys, 0, sizeof(keys));
	*status = 0;
	for (i = 0; i < n; i++) {
		const json_t *r = json_object_get(docs[i], "runs");

		for (k = 0; k < json_array_size(r); k++) {
			const json_t *run = json_array_get(r, k);
			char *id = hook_id(run);
			size_t ki;

			if (!json_is_object(run)) {
				free(id);
				json_decref(root);
				json_decref(runs);
				keys_release(&keys);
				free(at);
				return err_set(e, in[i].name, 0,
					       "run %zu of the SARIF log is not an object",
					       k + 1);
			}
			if (id == NULL) {       /* not a hook's: as it is */
				json_array_append_new(runs, json_deep_copy(run));
				continue;
			}
			ki = key_index(&keys, id, &added);
			free(id);
			if (keys.n > alloc) {
				alloc = 2 * keys.n;
				at = xreallocarray(at, alloc, sizeof(*at));
			}
			if (added) {
				json_t *copy = json_deep_copy(run);

				json_object_set_new(json_object_get(copy,
							"automationDetails"),
						    "id", jstr(keys.v[ki]));
				at[ki] = json_array_size(runs);
				json_array_append_new(runs, copy);
			} else {
				sarif_join(json_array_get(runs, at[ki]), run);
			}
		}
	}
	for (i = 0; i < json_array_size(runs); i++) {
		enum mstatus st;
		const char *reason;

		char *id = hook_id(json_array_get(runs, i));

		run_status(json_array_get(runs, i), &st, &reason);
		if (id != NULL && fails_run(st, reason))
			*status = 1;
		free(id);
	}
	json_object_set(root, "$schema", json_object_get(docs[0], "$schema"));
	json_object_set(root, "version", json_object_get(docs[0], "version"));
	json_object_set_new(root, "runs", runs);
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (text == NULL)
		abort();
	buf_adds(out, text);
	buf_adds(out, "\n");
	free(text);
	json_decref(root);
	keys_release(&keys);
	free(at);
	return 0;
}

/* --- JUnit --------------------------------------------------------------- */

struct jcase {
	char *classname, *name;
	enum mstatus st;
	int rank;
	char *type;             /* <failure type=...>, or NULL */
	char *message;          /* of failure, error or skipped */
	struct buf out;         /* outputs, one after another */
	double time;
	size_t cached, findings, fnew, fknown;
	bool all_cached, split; /* every part: reason=cached; new/known */
};

struct junit {
	struct keys keys;       /* "CLASSNAME\nNAME" */
	struct jcase *cases;
	size_t alloc;
	struct keys suites;     /* strategies, in order */
	double *suite_time;
	size_t suite_alloc;
	double time;
};

static char *
prop(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v != NULL ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static double
prop_seconds(xmlNode *n, const char *name)
{
	char *s = prop(n, name), *end;
	double d = s != NULL ? strtod(s, &end) : 0;

	if (s == NULL || end == s || !isfinite(d) || d < 0 || d > MERGE_MAX)
		d = 0;
	free(s);
	return d;
}

static bool
is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

static void
add_text(struct buf *b, xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);

	if (t != NULL)
		buf_adds(b, (const char *)t);
	xmlFree(t);
}

/* One <testcase>, read into a part. */
static void
read_case(xmlNode *tc, struct jcase *c)
{
	xmlNode *ch;
	bool cached = false, split = false, any_findings = false;

	memset(c, 0, sizeof(*c));
	c->classname = prop(tc, "classname");
	c->name = prop(tc, "name");
	c->time = prop_seconds(tc, "time");
	c->st = MS_PASSED;
	for (ch = tc->children; ch != NULL; ch = ch->next) {
		if (is(ch, "properties")) {
			xmlNode *p;

			for (p = ch->children; p != NULL; p = p->next) {
				char *pn, *pv;
				size_t v;

				if (!is(p, "property"))
					continue;
				pn = prop(p, "name");
				pv = prop(p, "value");
				v = pv != NULL ? strtoul(pv, NULL, 10) : 0;
				if (pn != NULL && strcmp(pn, "reason") == 0)
					cached = pv != NULL && strcmp(pv, "cached") == 0;
				else if (pn != NULL && strcmp(pn, "cached") == 0)
					c->cached = v;
				else if (pn != NULL && strcmp(pn, "findings") == 0) {
					c->findings = v;
					any_findings = true;
				} else if (pn != NULL && strcmp(pn, "findings_new") == 0) {
					c->fnew = v;
					split = true;
				} else if (pn != NULL && strcmp(pn, "findings_known") == 0)
					c->fknown = v;
				free(pn);
				free(pv);
			}
		} else if (is(ch, "failure") || is(ch, "error") ||
			   is(ch, "skipped")) {
			/* A case with several: the last one says. */
			free(c->type);
			free(c->message);
			c->type = prop(ch, "type");
			c->message = prop(ch, "message");
			c->st = is(ch, "error") ? MS_ERROR :
				is(ch, "skipped") ? MS_SKIPPED :
				c->type != NULL && strcmp(c->type, "timeout") == 0 ?
				MS_TIMEOUT : MS_FAILED;
			if (!is(ch, "skipped"))
				add_text(&c->out, ch);
		} else if (is(ch, "system-out")) {
			add_text(&c->out, ch);
		}
	}
	c->all_cached = cached;
	c->split = split || !any_findings;
	c->rank = rank(c->st, c->st == MS_SKIPPED ? c->message : NULL);
}

static void
case_release(struct jcase *c)
{
	free(c->classname);
	free(c->name);
	free(c->type);
	free(c->message);
	buf_release(&c->out);
}

static void
case_join(struct jcase *c, struct jcase *part)
{
	if (part->rank > c->rank) {
		c->st = part->st;
		c->rank = part->rank;
		free(c->type);
		free(c->message);
		c->type = part->type;
		c->message = part->message;
		part->type = part->message = NULL;
	}
	if (part->out.len > 0)
		buf_add(&c->out, part->out.p, part->out.len);
	c->time += part->time;
	c->cached += part->cached;
	c->findings += part->findings;
	c->fnew += part->fnew;
	c->fknown += part->fknown;
	c->all_cached = c->all_cached && part->all_cached;
	c->split = c->split && part->split;
}

static int
junit_read(struct junit *m, const struct merge_input *in, struct err *e)
{
	xmlDoc *doc;
	xmlNode *root, *s, *tc;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

	if (in->len > (size_t)INT32_MAX)
		return err_set(e, in->name, 0, "too large for an XML report");
	xmlResetLastError();
	doc = xmlReadMemory(in->text, (int)in->len, in->name, NULL, opts);
	if (doc == NULL) {
		const xmlError *x = xmlGetLastError();
		char msg[512];
		size_t len;

		snprintf(msg, sizeof(msg), "%s", x != NULL && x->message != NULL ?
			 x->message : "not well-formed");
		len = strlen(msg);
		while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			msg[--len] = '\0';
		return err_set(e, in->name, x != NULL && x->line > 0 ?
			       (unsigned long)x->line : 0, "not XML: %s", msg);
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is(root, "testsuites")) {
		xmlFreeDoc(doc);
		return err_set(e, in->name, 0,
			       "not a JUnit report (no <testsuites>)");
	}
	{
		double t = prop_seconds(root, "time");

		if (t > m->time)
			m->time = t;
	}
	for (s = root->children; s != NULL; s = s->next) {
		double stime;
		bool first = true;

		if (!is(s, "testsuite"))
			continue;
		stime = prop_seconds(s, "time");
		for (tc = s->children; tc != NULL; tc = tc->next) {
			struct jcase part;
			char *key;
			size_t i;
			bool added;

			if (!is(tc, "testcase"))
				continue;
			read_case(tc, &part);
			if (part.classname == NULL || part.name == NULL) {
				unsigned long line = (unsigned long)xmlGetLineNo(tc);

				case_release(&part);
				xmlFreeDoc(doc);
				return err_set(e, in->name, line,
					       "a <testcase> without a classname or a name");
			}
			if (first) {
				i = key_index(&m->suites, part.classname, &added);
				if (m->suites.n > m->suite_alloc) {
					m->suite_alloc = 2 * m->suites.n;
					m->suite_time = xreallocarray(m->suite_time,
						m->suite_alloc, sizeof(double));
				}
				if (added || stime > m->suite_time[i])
					m->suite_time[i] = stime;
				first = false;
			}
			key = xasprintf("%s\n%s", part.classname, part.name);
			i = key_index(&m->keys, key, &added);
			free(key);
			if (m->keys.n > m->alloc) {
				m->alloc = 2 * m->keys.n;
				m->cases = xreallocarray(m->cases, m->alloc,
							 sizeof(*m->cases));
			}
			if (added) {
				m->cases[i] = part;
			} else {
				case_join(&m->cases[i], &part);
				case_release(&part);
			}
		}
	}
	xmlFreeDoc(doc);
	return 0;
}

static void
set_count(xmlNode *n, const char *name, size_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%zu", v);
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)s);
}

static void
set_time(xmlNode *n, double v)
{
	char s[64];

	snprintf(s, sizeof(s), "%.3f", v);
	xmlNewProp(n, (const xmlChar *)"time", (const xmlChar *)s);
}

static void
set_str(xmlNode *n, const char *name, const char *v)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)v);
}

/* A string that ends with a NUL, as libxml2 wants its text. */
static const xmlChar *
text_of(struct buf *b)
{
	buf_add(b, "", 1);
	b->len--;
	return (const xmlChar *)b->p;
}

static void
write_case(xmlNode *suite, struct jcase *c)
{
	xmlNode *tc = xmlNewChild(suite, NULL, (const xmlChar *)"testcase", NULL);
	xmlNode *x;

	set_str(tc, "classname", c->classname);
	set_str(tc, "name", c->name);
	set_time(tc, c->time);
	if ((c->st == MS_PASSED && (c->all_cached || c->cached > 0)) ||
	    c->findings > 0) {
		xmlNode *ps = xmlNewChild(tc, NULL, (const xmlChar *)"properties",
					  NULL);
		struct { const char *name; size_t v; bool on; } p[] = {
			{ "cached", c->cached, c->st == MS_PASSED && c->cached > 0 },
			{ "findings", c->findings, c->findings > 0 },
			{ "findings_new", c->fnew, c->findings > 0 && c->split &&
				c->fnew + c->fknown == c->findings },
			{ "findings_known", c->fknown, c->findings > 0 && c->split &&
				c->fnew + c->fknown == c->findings },
		};
		size_t i;

		if (c->st == MS_PASSED && c->all_cached) {
			x = xmlNewChild(ps, NULL, (const xmlChar *)"property", NULL);
			set_str(x, "name", "reason");
			set_str(x, "value", "cached");
		}
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			if (!p[i].on)
				continue;
			x = xmlNewChild(ps, NULL, (const xmlChar *)"property", NULL);
			set_str(x, "name", p[i].name);
			set_count(x, "value", p[i].v);
		}
	}
	switch (c->st) {
	case MS_FAILED:
	case MS_TIMEOUT:
	case MS_ERROR:
		x = xmlNewTextChild(tc, NULL, (const xmlChar *)(c->st == MS_ERROR ?
				    "error" : "failure"), text_of(&c->out));
		set_str(x, "type", c->type != NULL ? c->type :
			status_names[c->st]);
		set_str(x, "message", c->message != NULL ? c->message : "");
		return;
	case MS_SKIPPED:
		x = xmlNewChild(tc, NULL, (const xmlChar *)"skipped", NULL);
		set_str(x, "message", c->message != NULL ? c->message : "");
		break;
	case MS_PASSED:
		break;
	}
	if (c->out.len > 0)
		xmlNewTextChild(tc, NULL, (const xmlChar *)"system-out",
				text_of(&c->out));
}

static int
merge_junit(const struct merge_input *in, size_t n, struct buf *out,
	    int *status, struct err *e)
{
	struct junit m;
	xmlDoc *doc = NULL;
	xmlNode *root;
	xmlChar *mem = NULL;
	size_t i, k, tests = 0, failures = 0, errors = 0, skipped = 0;
	int r = 0, size = 0;

	memset(&m, 0, sizeof(m));
	*status = 0;
	for (i = 0; i < n && r == 0; i++)
		r = junit_read(&m, &in[i], e);
	if (r != 0)
		goto out;
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewNode(NULL, (const xmlChar *)"testsuites");
	xmlDocSetRootElement(doc, root);
	set_str(root, "name", "hookwave");
	for (i = 0; i < m.keys.n; i++) {
		struct jcase *c = &m.cases[i];

		tests++;
		failures += c->st == MS_FAILED || c->st == MS_TIMEOUT;
		errors += c->st == MS_ERROR;
		skipped += c->st == MS_SKIPPED;
		if (fails_run(c->st, c->message))
			*status = 1;
	}
	set_count(root, "tests", tests);
	set_count(root, "failures", failures);
	set_count(root, "errors", errors);
	set_count(root, "skipped", skipped);
	set_time(root, m.time);
	for (k = 0; k < m.suites.n; k++) {
		xmlNode *suite = xmlNewChild(root, NULL,
					     (const xmlChar *)"testsuite", NULL);

		tests = failures = errors = skipped = 0;
		for (i = 0; i < m.keys.n; i++) {
			struct jcase *c = &m.cases[i];

			if (strcmp(c->classname, m.suites.v[k]) != 0)
				continue;
			tests++;
			failures += c->st == MS_FAILED || c->st == MS_TIMEOUT;
			errors += c->st == MS_ERROR;
			skipped += c->st == MS_SKIPPED;
		}
		set_str(suite, "name", m.suites.v[k]);
		set_count(suite, "tests", tests);
		set_count(suite, "failures", failures);
		set_count(suite, "errors", errors);
		set_count(suite, "skipped", skipped);
		set_time(suite, m.suite_time[k]);
		for (i = 0; i < m.keys.n; i++)
			if (strcmp(m.cases[i].classname, m.suites.v[k]) == 0)
				write_case(suite, &m.cases[i]);
	}
	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (mem == NULL)
		abort();
	buf_add(out, mem, (size_t)size);
	xmlFree(mem);
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	for (i = 0; i < m.keys.n; i++)
		case_release(&m.cases[i]);
	free(m.cases);
	free(m.suite_time);
	keys_release(&m.keys);
	keys_release(&m.suites);
	return r;
}

/* --- the whole ----------------------------------------------------------- */

static const char *const format_names[] = {
	[MERGE_JSON_LINES] = "JSON Lines", [MERGE_JUNIT] = "JUnit XML",
	[MERGE_SARIF] = "SARIF"
};

/* What one report is; a SARIF log's document in *doc (owned). */
static int
sniff(const struct merge_input *in, enum merge_format *f, json_t **doc,
      struct err *e)
{
	size_t i = 0;
	json_t *d;

	*doc = NULL;
	while (i < in->len && (in->text[i] == ' ' || in->text[i] == '\t' ||
			       in->text[i] == '\n' || in->text[i] == '\r'))
		i++;
	if (i == in->len)
		return err_set(e, in->name, 0, "empty: not a report");
	if (in->text[i] == '<') {
		*f = MERGE_JUNIT;
		return 0;
	}
	d = json_loadb(in->text, in->len, JSON_ALLOW_NUL, NULL);
	if (json_is_object(d) && json_is_array(json_object_get(d, "runs"))) {
		*f = MERGE_SARIF;
		*doc = d;
		return 0;
	}
	json_decref(d);
	*f = MERGE_JSON_LINES;
	return 0;
}

int
merge_reports(const struct merge_input *in, size_t n, struct buf *out,
	      enum merge_format *format, int *status, struct err *e)
{
	json_t **docs;
	size_t i;
	int r = 0;

	if (n == 0)
		return err_set(e, NULL, 0, "no reports to merge");
	docs = xcalloc(n, sizeof(*docs));
	for (i = 0; i < n && r == 0; i++) {
		enum merge_format f;

		r = sniff(&in[i], &f, &docs[i], e);
		if (r == 0 && i == 0)
			*format = f;
		else if (r == 0 && f != *format)
			r = err_set(e, in[i].name, 0, "a %s report, but %s is %s",
				    format_names[f], in[0].name,
				    format_names[*format]);
	}
	if (r == 0) {
		switch (*format) {
		case MERGE_JSON_LINES:
			r = merge_json_lines(in, n, out, status, e);
			break;
		case MERGE_JUNIT:
			r = merge_junit(in, n, out, status, e);
			break;
		case MERGE_SARIF:
			r = merge_sarif(docs, in, n, out, status, e);
			break;
		}
	}
	for (i = 0; i < n; i++)
		json_decref(docs[i]);
	free(docs);
	return r;
}

/* The whole of file `path` into b. */
static int
read_report(const char *path, struct buf *b, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t got;

	if (fd < 0)
		return err_set(e, path, 0, "cannot read: %s", strerror(errno));
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;

			close(fd);
			return err_set(e, path, 0, "cannot read: %s",
				       strerror(saved));
		}
		buf_add(b, chunk, (size_t)got);
	}
	close(fd);
	return 0;
}

int
merge_files(char *const *paths, size_t n, const char *output, int *status,
	    struct err *e)
{
	struct buf *texts = xcalloc(n + 1, sizeof(*texts));
	struct merge_input *in = xcalloc(n + 1, sizeof(*in));
	struct buf out = { NULL, 0, 0 };
	enum merge_format f;
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		r = read_report(paths[i], &texts[i], e);
		in[i].name = paths[i];
		in[i].text = texts[i].p != NULL ? texts[i].p : "";
		in[i].len = texts[i].len;
	}
	if (r == 0)
		r = merge_reports(in, n, &out, &f, status, e);
	if (r == 0 && output != NULL)
		r = atomic_file_replace(output, out.p, out.len, NULL, e);
	else if (r == 0 && write_all(STDOUT_FILENO, out.p, out.len) != 0)
		r = err_set(e, NULL, 0, "write error on standard output: %s",
			    strerror(errno));
	for (i = 0; i < n; i++)
		buf_release(&texts[i]);
	free(texts);
	free(in);
	buf_release(&out);
	return r;
}
