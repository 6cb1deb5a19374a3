/* sarif_read.c - a tool's SARIF 2.1.0 log as findings (libjansson). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "buf.h"
#include "finding_read.h"
#include "sarif_read.h"
#include "util.h"

/* How deep uriBaseIds may point at one another. */
#define BASE_DEPTH 8

static const char *
str_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* s with %XX decoded; NULL when that would make a NUL byte. */
static char *
percent_decode(const char *s)
{
	size_t n = strlen(s), i, j = 0;
	char *d = xmalloc(n + 1);

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
		    (lo = hex_digit(s[i + 2])) >= 0) {
			if (hi == 0 && lo == 0) {
				free(d);
				return NULL;
			}
			d[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			d[j++] = s[i];
	}
	d[j] = '\0';
	return d;
}

/* Whether uri starts with a scheme ("x:" before any '/', '?' or '#'). */
static int
has_scheme(const char *uri)
{
	size_t i;

	if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
		return 0;
	for (i = 1; uri[i] != '\0'; i++) {
		char c = uri[i];

		if (c == ':')
			return 1;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return 0;
	}
	return 0;
}

/* The absolute path of a file: URI (malloc'd), or NULL when it names
   another host or decodes to a NUL. */
static char *
file_uri_path(const char *uri)
{
	const char *p = uri + 5;        /* past "file:" */

	if (strncmp(p, "//", 2) == 0) {
		p += 2;
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		else if (*p != '/')
			return NULL;
	}
	if (*p != '/')
		return NULL;
	return percent_decode(p);
}

/*
 * The absolute directory uriBaseId `base` stands for, from the run's
 * originalUriBaseIds (malloc'd), or NULL when it is not defined as an
 * absolute file: URI.
 */
static char *
base_dir(const json_t *bases, const char *base, int depth)
{
	const json_t *loc = json_object_get(bases, base);
	const char *uri = str_of(loc, "uri"), *up = str_of(loc, "uriBaseId");
	char *dir, *rel, *out;

	if (uri == NULL || depth > BASE_DEPTH)
		return NULL;
	if (strncmp(uri, "file:", 5) == 0)
		return file_uri_path(uri);
	if (has_scheme(uri) || up == NULL)
		return NULL;
	dir = base_dir(bases, up, depth + 1);
	if (dir == NULL)
		return NULL;
	rel = percent_decode(uri);
	if (rel == NULL) {
		free(dir);
		return NULL;
	}
	out = xasprintf("%s/%s", dir, rel);
	free(dir);
	free(rel);
	return out;
}

/* The path an artifactLocation names, before finding_path() (malloc'd),
   or NULL when there is none. */
static char *
location_path(const json_t *art, const json_t *run)
{
	const char *uri = str_of(art, "uri"), *base = str_of(art, "uriBaseId");
	json_t *idx = json_object_get(art, "index");
	char *path, *dir, *out;

	if (uri == NULL && json_is_integer(idx)) {
		/* It points at one of the run's artifacts. */
		const json_t *a = json_array_get(json_object_get(run, "artifacts"),
						 (size_t)json_integer_value(idx));

		art = json_object_get(a, "location");
		uri = str_of(art, "uri");
		base = str_of(art, "uriBaseId");
	}
	if (uri == NULL || *uri == '\0')
		return NULL;
	if (strncmp(uri, "file:", 5) == 0) {
		path = file_uri_path(uri);
		return path != NULL ? path : xstrdup(uri);
	}
	if (has_scheme(uri))
		return xstrdup(uri);
	path = percent_decode(uri);
	if (path == NULL)
		return xstrdup(uri);
	if (base != NULL && path[0] != '/') {
		dir = base_dir(json_object_get(run, "originalUriBaseIds"), base, 0);
		if (dir != NULL) {
			out = xasprintf("%s/%s", dir, path);
			free(dir);
			free(path);
			return out;
		}
	}
	return path;
}

/* A positive integer field, or 0. */
static unsigned long
count_of(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	json_int_t i;

	if (!json_is_integer(v))
		return 0;
	i = json_integer_value(v);
	if (i < 1)
		return 0;
	if ((unsigned long long)i > ULONG_MAX)
		return ULONG_MAX;
	return (unsigned long)i;
}

/* `fmt` with {N} replaced by args[N] and {{ }} made braces. */
static char *
format_message(const char *fmt, const json_t *args)
{
	struct buf b = { NULL, 0, 0 };
	const char *p = fmt;
	char *out;

	while (*p != '\0') {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_add(&b, p, 1);
			p += 2;
		} else if (p[0] == '{' && p[1] >= '0' && p[1] <= '9') {
			size_t k = 0;
			const char *q = p + 1;
			const char *arg;

			while (*q >= '0' && *q <= '9' && k < 100000)
				k = k * 10 + (size_t)(*q++ - '0');
			arg = *q == '}' ? json_string_value(json_array_get(args, k)) : NULL;
			if (arg != NULL) {
				buf_adds(&b, arg);
				p = q + 1;
			} else {
				buf_add(&b, p, 1);
				p++;
			}
		} else {
			buf_add(&b, p, 1);
			p++;
		}
	}
	buf_add(&b, "", 1);
	out = b.p;
	return out;
}

static char *
message_of(const json_t *result, const json_t *rule, const json_t *driver)
{
	const json_t *m = json_object_get(result, "message");
	const json_t *args = json_object_get(m, "arguments");
	const char *text = str_of(m, "text"), *id = str_of(m, "id");

	if (text == NULL && id != NULL) {
		text = str_of(json_object_get(json_object_get(rule,
				"messageStrings"), id), "text");
		if (text == NULL)
			text = str_of(json_object_get(json_object_get(driver,
					"globalMessageStrings"), id), "text");
	}
	if (text == NULL)
		return xstrdup("");
	if (!json_is_array(args))
		return xstrdup(text);
	return format_message(text, args);
}

static int
level_named(const char *s, enum finding_level *l)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "error") == 0)
		*l = FINDING_ERROR;
	else if (strcmp(s, "warning") == 0)
		*l = FINDING_WARNING;
	else if (strcmp(s, "note") == 0 || strcmp(s, "none") == 0)
		*l = FINDING_NOTE;
	else
		return 0;
	return 1;
}

/* The rule object a result refers to, or NULL. `ids` maps rule ids to
   their index in `rules`. */
static json_t *
rule_of(json_t *result, json_t *rules, json_t *ids)
{
	json_t *ref = json_object_get(result, "rule");
	json_t *idx = json_object_get(result, "ruleIndex");
	const char *id;

	if (!json_is_integer(idx))
		idx = json_object_get(ref, "index");
	if (json_is_integer(idx) && json_integer_value(idx) >= 0)
		return json_array_get(rules, (size_t)json_integer_value(idx));
	id = str_of(result, "ruleId");
	if (id == NULL)
		id = str_of(ref, "id");
	if (id == NULL)
		return NULL;
	idx = json_object_get(ids, id);
	return idx != NULL ? json_array_get(rules, (size_t)json_integer_value(idx)) :
	       NULL;
}

/* rules by id: id -> index, the first of each id. */
static json_t *
index_rules(const json_t *rules)
{
	json_t *ids = json_object();
	size_t i;
	json_t *r;

	json_array_foreach(rules, i, r) {
		const char *id = str_of(r, "id");

		if (id != NULL && json_object_get(ids, id) == NULL)
			json_object_set_new(ids, id, json_integer((json_int_t)i));
	}
	return ids;
}

/* One result as a finding, and as the JSON text it is carried as. */
static void
add_result(json_t *result, json_t *run, json_t *driver, json_t *rules,
	   json_t *ids, const char *root, const char *cwd, struct findings *out)
{
	const char *kind = str_of(result, "kind");
	json_t *rule = rule_of(result, rules, ids);
	json_t *phys = json_object_get(json_array_get(json_object_get(result,
				"locations"), 0), "physicalLocation");
	json_t *region = json_object_get(phys, "region");
	enum finding_level level;
	const char *rid;
	char *path, *file, *msg;
	struct finding *f;

	if (kind != NULL && (strcmp(kind, "pass") == 0 ||
			     strcmp(kind, "notApplicable") == 0 ||
			     strcmp(kind, "informational") == 0))
		return;
	if (!level_named(str_of(result, "level"), &level) &&
	    !level_named(str_of(json_object_get(rule, "defaultConfiguration"),
				"level"), &level))
		level = kind == NULL || strcmp(kind, "fail") == 0 ?
			FINDING_WARNING : FINDING_NOTE;
	rid = str_of(result, "ruleId");
	if (rid == NULL)
		rid = str_of(json_object_get(result, "rule"), "id");
	if (rid == NULL)
		rid = str_of(rule, "id");
	path = location_path(json_object_get(phys, "artifactLocation"), run);
	file = path != NULL ? finding_path(root, cwd, path) : xstrdup(".");
	msg = message_of(result, rule, driver);
	f = findings_add(out, file, count_of(region, "startLine"),
			 count_of(region, "startColumn"), level, rid, msg);
	free(path);
	free(file);
	free(msg);

	/* Carried: indices into this run's arrays mean nothing in
	   hookwave's run, which names rules by id (the report adds the
	   rest). */
	json_object_del(result, "ruleIndex");
	json_object_del(json_object_get(result, "rule"), "index");
	json_object_del(result, "baselineState");
	if (rid != NULL && str_of(result, "ruleId") == NULL)
		json_object_set_new(result, "ruleId", json_string(rid));
	f->sarif = json_dumps(result, JSON_COMPACT);
}

/* Add the rules of `from` that `into` lacks (by id) to into's driver. */
static void
merge_rules(json_t *into, const json_t *from)
{
	json_t *drv = json_object_get(json_object_get(into, "tool"), "driver");
	json_t *rules = json_object_get(drv, "rules");
	const json_t *more = json_object_get(json_object_get(json_object_get(from,
				"tool"), "driver"), "rules");
	json_t *ids, *r;
	size_t i;

	if (!json_is_object(drv) || !json_is_array(more) ||
	    json_array_size(more) == 0)
		return;
	if (!json_is_array(rules)) {
		rules = json_array();
		json_object_set_new(drv, "rules", rules);
	}
	ids = index_rules(rules);
	json_array_foreach(more, i, r) {
		const char *id = str_of(r, "id");

		if (id == NULL || json_object_get(ids, id) != NULL)
			continue;
		json_object_set_new(ids, id, json_integer(0));
		json_array_append(rules, r);
	}
	json_decref(ids);
}

/* The run as carried: without what hookwave writes itself. */
static void
strip_run(json_t *run)
{
	static const char *const drop[] = {
		"results", "automationDetails", "runAggregates", "invocations",
		"originalUriBaseIds", "artifacts", "baselineGuid"
	};
	size_t i;

	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		json_object_del(run, drop[i]);
}

static int
fail(char *why, size_t whysz, const char *msg)
{
	snprintf(why, whysz, "%s", msg);
	return -1;
}

int
sarif_read(const char *buf, size_t n, const char *root, const char *cwd,
	   struct findings *out, char **runp, char *why, size_t whysz)
{
	json_error_t jerr;
	json_t *log, *runs, *run, *first = NULL;
	const char *version;
	struct findings got = { NULL, 0, 0 };
	size_t i, j;

	log = json_loadb(buf, n, JSON_DISABLE_EOF_CHECK, &jerr);
	if (log == NULL) {
		snprintf(why, whysz, "bad JSON at line %d column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(log)) {
		json_decref(log);
		return fail(why, whysz, "not SARIF: not a JSON object");
	}
	version = str_of(log, "version");
	if (version == NULL || strcmp(version, "2.1.0") != 0) {
		snprintf(why, whysz, "not SARIF 2.1.0: version %s",
			 version != NULL ? version : "missing");
		json_decref(log);
		return -1;
	}
	runs = json_object_get(log, "runs");
	if (!json_is_array(runs)) {
		json_decref(log);
		return fail(why, whysz, "not SARIF: no runs array");
	}
	json_array_foreach(runs, i, run) {
		json_t *driver = json_object_get(json_object_get(run, "tool"),
						 "driver");
		json_t *rules = json_object_get(driver, "rules");
		json_t *results = json_object_get(run, "results");
		json_t *ids, *res;

		if (!json_is_object(driver) || !json_is_string(
			    json_object_get(driver, "name"))) {
			findings_release(&got);
			json_decref(log);
			return fail(why, whysz, "not SARIF: a run without tool.driver.name");
		}
		ids = index_rules(rules);
		json_array_foreach(results, j, res)
			if (json_is_object(res))
				add_result(res, run, driver, rules, ids, root,
					   cwd, &got);
		json_decref(ids);
		if (first == NULL)
			first = run;
		else
			merge_rules(first, run);
	}
	if (first == NULL) {
		json_decref(log);
		return fail(why, whysz, "not SARIF: no runs");
	}
	strip_run(first);
	*runp = json_dumps(first, JSON_COMPACT);
	json_decref(log);
	findings_move(out, &got);
	findings_release(&got);
	return 0;
}

int
sarif_read_file(const char *path, const char *root, const char *cwd,
		struct findings *out, char **run, char *why, size_t whysz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct buf b = { NULL, 0, 0 };
	char chunk[65536];
	ssize_t k;
	int rc;

	if (fd < 0) {
		snprintf(why, whysz, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		k = read(fd, chunk, sizeof(chunk));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (b.len + (size_t)k > SARIF_READ_MAX) {
			close(fd);
			buf_release(&b);
			snprintf(why, whysz, "%s is larger than %zu MiB", path,
				 SARIF_READ_MAX >> 20);
			return -1;
		}
		buf_add(&b, chunk, (size_t)k);
	}
	if (k < 0) {
		snprintf(why, whysz, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		buf_release(&b);
		return -1;
	}
	close(fd);
	rc = sarif_read(b.p != NULL ? b.p : "", b.len, root, cwd, out, run,
			why, whysz);
	buf_release(&b);
	return rc;
}

struct sarif_collect {
	struct buf b;
	int at_start;           /* the next byte starts a line */
	int found;              /* a line started with '{': keeping */
	int over;               /* past SARIF_READ_MAX */
};

struct sarif_collect *
sarif_collect_new(void)
{
	struct sarif_collect *c = xcalloc(1, sizeof(*c));

	c->at_start = 1;
	return c;
}

void
sarif_collect_feed(struct sarif_collect *c, const char *buf, size_t n)
{
	size_t i;

	if (!c->found) {
		for (i = 0; i < n; i++) {
			if (c->at_start && buf[i] == '{')
				break;
			c->at_start = buf[i] == '\n';
		}
		if (i == n)
			return;
		c->found = 1;
		buf += i;
		n -= i;
	}
	if (c->over)
		return;
	if (n > SARIF_READ_MAX - c->b.len) {
		c->over = 1;
		buf_release(&c->b);
		return;
	}
	buf_add(&c->b, buf, n);
}

int
sarif_collect_finish(struct sarif_collect *c, const char *root,
		     const char *cwd, struct findings *out, char **run,
		     char *why, size_t whysz)
{
	int rc;

	if (!c->found) {
		snprintf(why, whysz, "no SARIF log in its output");
		rc = -1;
	} else if (c->over) {
		snprintf(why, whysz, "its SARIF log is larger than %zu MiB",
			 SARIF_READ_MAX >> 20);
		rc = -1;
	} else
		rc = sarif_read(c->b.p, c->b.len, root, cwd, out, run, why,
				whysz);
	buf_release(&c->b);
	c->at_start = 1;
	c->found = c->over = 0;
	return rc;
}

void
sarif_collect_free(struct sarif_collect *c)
{
	if (c == NULL)
		return;
	buf_release(&c->b);
	free(c);
}

char *
sarif_run_merge(char *into, const char *from)
{
	json_t *a, *b;
	char *out;

	if (into == NULL)
		return xstrdup(from);
	a = json_loads(into, 0, NULL);
	b = json_loads(from, 0, NULL);
	if (a == NULL || b == NULL) {
		json_decref(a);
		json_decref(b);
		return into;
	}
	merge_rules(a, b);
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	json_decref(b);
	if (out == NULL)
		return into;
	free(into);
	return out;
}

char *
sarif_result_carry(const char *result, const char *artifact,
		   const char *fingerprint, const char *state)
{
	json_t *r = json_loads(result, 0, NULL);
	json_t *a = json_loads(artifact, 0, NULL);
	json_t *phys, *fp;
	char *out = NULL;

	if (!json_is_object(r) || !json_is_object(a))
		goto done;
	phys = json_object_get(json_array_get(json_object_get(r, "locations"),
					      0), "physicalLocation");
	if (json_is_object(phys))
		json_object_set(phys, "artifactLocation", a);
	if (fingerprint != NULL) {
		fp = json_object_get(r, "partialFingerprints");
		if (!json_is_object(fp)) {
			fp = json_object();
			json_object_set_new(r, "partialFingerprints", fp);
		}
		json_object_set_new(fp, "hookwave/v1", json_string(fingerprint));
	}
	if (state != NULL)
		json_object_set_new(r, "baselineState", json_string(state));
	out = json_dumps(r, JSON_COMPACT);
done:
	json_decref(r);
	json_decref(a);
	return out;
}
