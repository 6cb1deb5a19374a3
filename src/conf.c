/*
 * conf.c - hookwave.ini to struct conf.
 *
 * inih is the one judge of the file's syntax. Each physical line is
 * handed to it on its own, in a little file of three or four lines
 * (ini_line() below) that makes inih show everything it decided: a
 * section header and its text, a key and its value, a continuation of
 * the key before, a comment or blank line, or a line it cannot parse.
 * conf.c itself never looks at a line's syntax; it only knows the line
 * number, what inih said, and what the keys mean. A key is applied when
 * its value is complete: at the next key, the next section header, or
 * the end of the file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "buf.h"
#include "conf.h"
#include "filetype.h"
#include "finding_read.h"
#include "gitnames.h"
#include "shellcmd.h"

#define MAX_CONFIG_SIZE (16UL << 20)
#define MAX_LINE 199    /* Debian's inih has a 200-byte buffer */
#define MAX_SECTION_TEXT 49     /* what inih keeps of a section's name */

enum section_kind { SEC_NONE, SEC_SETTINGS, SEC_STRATEGY, SEC_HOOK };

enum key_type {
	K_JOBS, K_SECONDS, K_GRACE, K_SCHEDULE, K_BOOL, K_COUNT,
	K_OUTPUT_LIMIT, K_BATCH, K_STRING, K_STRATEGY, K_DEPENDS,
	K_PATTERNS, K_ENV, K_CACHE, K_TYPES, K_REGEX
};

struct key {
	const char *name;
	enum key_type type;
	int id;
};

/* Key ids, one enum per section so the seen-bitmasks stay small. */
enum { S_JOBS, S_TIMEOUT, S_GRACE, S_SCHEDULE, S_STRATEGY_PARALLEL,
       S_MAX_CONCURRENT, S_FAIL_FAST, S_OUTPUT_LIMIT, S_HISTORY,
       S_CACHE_SIZE, S_CACHE };
enum { T_PARALLEL, T_MAX_WORKERS, T_TIMEOUT, T_SCHEDULE, T_GIT_HOOKS,
       T_LAUNCHER, T_LAUNCHER_SHELL };
enum { H_COMMAND, H_STRATEGY, H_DEPENDS, H_TIMEOUT, H_CRITICAL, H_FILES,
       H_EXCLUDE, H_BATCH_SIZE, H_SERIAL, H_ENV, H_CWD, H_ENABLED,
       H_MODIFIES, H_STAGE_FIXED, H_CACHE, H_CACHE_KEY, H_INPUTS,
       H_FINDINGS, H_ERRORFORMAT, H_SARIF_FILE, H_TYPES, H_EXCLUDE_TYPES,
       H_FILES_REGEX, H_EXCLUDE_REGEX, H_PASS_FILES, H_ALWAYS_RUN,
       H_LAUNCHER, H_LAUNCHER_SHELL };

static const struct key settings_keys[] = {
	{ "jobs", K_JOBS, S_JOBS },
	{ "timeout", K_SECONDS, S_TIMEOUT },
	{ "kill_grace", K_GRACE, S_GRACE },
	{ "schedule", K_SCHEDULE, S_SCHEDULE },
	{ "strategy_parallel", K_BOOL, S_STRATEGY_PARALLEL },
	{ "max_concurrent_strategies", K_COUNT, S_MAX_CONCURRENT },
	{ "fail_fast", K_BOOL, S_FAIL_FAST },
	{ "output_limit", K_OUTPUT_LIMIT, S_OUTPUT_LIMIT },
	{ "history", K_BOOL, S_HISTORY },
	{ "cache_size", K_OUTPUT_LIMIT, S_CACHE_SIZE },
	{ "cache", K_CACHE, S_CACHE },
};

static const struct key strategy_keys[] = {
	{ "parallel", K_BOOL, T_PARALLEL },
	{ "max_workers", K_COUNT, T_MAX_WORKERS },
	{ "timeout", K_SECONDS, T_TIMEOUT },
	{ "schedule", K_SCHEDULE, T_SCHEDULE },
	{ "git_hooks", K_STRING, T_GIT_HOOKS },
	{ "launcher", K_STRING, T_LAUNCHER },
	{ "launcher_shell", K_BOOL, T_LAUNCHER_SHELL },
};

static const struct key hook_keys[] = {
	{ "command", K_STRING, H_COMMAND },
	{ "strategy", K_STRATEGY, H_STRATEGY },
	{ "depends", K_DEPENDS, H_DEPENDS },
	{ "timeout", K_SECONDS, H_TIMEOUT },
	{ "critical", K_BOOL, H_CRITICAL },
	{ "files", K_PATTERNS, H_FILES },
	{ "exclude", K_PATTERNS, H_EXCLUDE },
	{ "types", K_TYPES, H_TYPES },
	{ "exclude_types", K_TYPES, H_EXCLUDE_TYPES },
	{ "files_regex", K_REGEX, H_FILES_REGEX },
	{ "exclude_regex", K_REGEX, H_EXCLUDE_REGEX },
	{ "pass_files", K_BOOL, H_PASS_FILES },
	{ "always_run", K_BOOL, H_ALWAYS_RUN },
	{ "batch_size", K_BATCH, H_BATCH_SIZE },
	{ "serial", K_BOOL, H_SERIAL },
	{ "env", K_ENV, H_ENV },
	{ "cwd", K_STRING, H_CWD },
	{ "enabled", K_BOOL, H_ENABLED },
	{ "modifies", K_BOOL, H_MODIFIES },
	{ "stage_fixed", K_BOOL, H_STAGE_FIXED },
	{ "cache", K_CACHE, H_CACHE },
	{ "cache_key", K_STRING, H_CACHE_KEY },
	{ "inputs", K_PATTERNS, H_INPUTS },
	{ "findings", K_STRING, H_FINDINGS },
	{ "errorformat", K_STRING, H_ERRORFORMAT },
	{ "sarif_file", K_STRING, H_SARIF_FILE },
	{ "launcher", K_STRING, H_LAUNCHER },
	{ "launcher_shell", K_BOOL, H_LAUNCHER_SHELL },
};

struct parser {
	struct conf *c;
	struct err *e;
	unsigned long line;             /* the line being read */
	int failed;

	enum section_kind sec;
	size_t sec_index;               /* strategy or hook index */
	unsigned long seen;             /* keys set in this section */
	int after_key;                  /* inih would continue a key: the
					   last key had a name, and no
					   section header came since */
	int settings_seen;

	char *pend_key;                 /* key waiting for its whole value */
	struct buf pend_value;          /* grows by appending: linear */
	unsigned long pend_line;
	struct ini_line *il;            /* what inih made of the line */
};

/* What inih made of one line. */
enum line_kind {
	LINE_BLANK,     /* blank, or a comment */
	LINE_SECTION,   /* [text] */
	LINE_KEY,       /* name = value (or name: value) */
	LINE_CONT,      /* an indented line that continues the key before */
	LINE_ERROR,     /* none of these */
	LINE_TOO_LONG,  /* longer than inih's buffer (num - 1 bytes) */
	LINE_NOMEM      /* inih could not allocate its buffer */
};

struct ini_line {
	enum line_kind kind;
	char name[MAX_LINE + 1];        /* LINE_KEY */
	char value[MAX_LINE + 1];       /* LINE_KEY, LINE_CONT */
	char section[MAX_LINE + 1];     /* LINE_SECTION: inih's copy, cut to
					   MAX_SECTION_TEXT bytes */
	int limit;                      /* LINE_TOO_LONG: inih's limit */
};

static const char *const schedule_names[] = { "waves", "eager", "sequential" };

enum schedule
schedule_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schedule_names); i++)
		if (strcmp(s, schedule_names[i]) == 0)
			return (enum schedule)i;
	return SCHED_UNSET;
}

const char *
schedule_name(enum schedule s)
{
	if (s < 0 || (size_t)s >= ARRAY_SIZE(schedule_names))
		return "unset";
	return schedule_names[s];
}

static const char *const cache_names[] = {
	[CACHE_UNSET] = "unset", [CACHE_WHOLE] = "whole",
	[CACHE_FILES] = "files", [CACHE_NO] = "no"
};

enum conf_cache
conf_cache_parse(const char *s)
{
	size_t i;

	for (i = CACHE_WHOLE; i < ARRAY_SIZE(cache_names); i++)
		if (strcmp(s, cache_names[i]) == 0)
			return (enum conf_cache)i;
	return CACHE_UNSET;
}

const char *
conf_findings_name(enum conf_findings f)
{
	switch (f) {
	case CONF_FINDINGS_GCC:
		return "gcc";
	case CONF_FINDINGS_ERRORFORMAT:
		return "errorformat";
	case CONF_FINDINGS_SARIF:
		return "sarif";
	case CONF_FINDINGS_NONE:
		break;
	}
	return "none";
}

const char *
conf_cache_name(enum conf_cache m)
{
	if ((size_t)m >= ARRAY_SIZE(cache_names))
		return "unset";
	return cache_names[m];
}

enum conf_cache
conf_hook_cache(const struct conf *c, const struct conf_hook *h)
{
	if (h->cache != CACHE_UNSET)
		return h->cache;
	if (c->settings.cache != CACHE_UNSET)
		return c->settings.cache;
	return CACHE_WHOLE;
}

const char *
conf_hook_launcher(const struct conf *c, const struct conf_hook *h,
		   bool *shell)
{
	const struct conf_strategy *s = &c->strategies[h->strategy];
	const char *l = h->launcher != NULL ? h->launcher : s->launcher;

	*shell = h->launcher_shell >= 0 ? h->launcher_shell == 1 :
		 s->launcher_shell == 1;
	return l != NULL && l[strspn(l, " \t\n")] != '\0' ? l : NULL;
}

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->settings.jobs = 0;
	c->settings.timeout = 300;
	c->settings.kill_grace = 5;
	c->settings.schedule = SCHED_WAVES;
	c->settings.strategy_parallel = true;
	c->settings.max_concurrent_strategies = 2;
	c->settings.fail_fast = false;
	c->settings.output_limit = 1048576;
	c->settings.history = true;
	c->settings.cache_size = 67108864;
	c->settings.cache = CACHE_WHOLE;
}

/* Record the first error only; later ones are consequences or noise. */
static int
fail(struct parser *p, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	p->e->file = p->c->path;
	p->e->line = line;
	va_start(ap, fmt);
	vsnprintf(p->e->msg, sizeof(p->e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Why `s` is not a valid hook or strategy name, or NULL if it is. */
static const char *
name_problem(const char *s)
{
	size_t n = strlen(s);
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return "is empty";
	if (n > CONF_NAME_MAX)
		return "is longer than 64 bytes";
	if (!utf8_valid(s, n))
		return "is not valid UTF-8";
	for (; *u != '\0'; u++) {
		if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r' ||
		    *u == '\v' || *u == '\f')
			return "contains whitespace";
		if (*u < 0x20 || *u == 0x7f)
			return "contains a control character";
		if (*u == ',')
			return "contains ','";
		if (*u == '/')
			return "contains '/'";
	}
	return NULL;
}

/* A name being looked up in a name index (hooks or strategies). */
struct name_key {
	const struct conf *c;
	const char *name;
};

static int
is_hook(const void *key, size_t i)
{
	const struct name_key *k = key;

	return strcmp(k->c->hooks[i].name, k->name) == 0;
}

static int
is_strategy(const void *key, size_t i)
{
	const struct name_key *k = key;

	return strcmp(k->c->strategies[i].name, k->name) == 0;
}

static long
find_name(const struct conf *c, const struct hashmap *m, hashmap_eq_fn eq,
	  const char *name)
{
	struct name_key k = { c, name };
	size_t i = hashmap_find(m, hash_str(name), &k, eq);

	return i != HASHMAP_NONE ? (long)i : -1;
}

long
conf_find_hook(const struct conf *c, const char *name)
{
	return find_name(c, &c->hook_index, is_hook, name);
}

long
conf_find_strategy(const struct conf *c, const char *name)
{
	return find_name(c, &c->strategy_index, is_strategy, name);
}

/* The strategy called `name`, created at `line` if new. */
static size_t
strategy_get(struct conf *c, const char *name, unsigned long line)
{
	long i = conf_find_strategy(c, name);
	struct conf_strategy *s;

	if (i >= 0)
		return (size_t)i;
	if (c->nstrategies == c->strategies_alloc) {
		c->strategies_alloc = c->strategies_alloc ?
				      2 * c->strategies_alloc : 8;
		c->strategies = xreallocarray(c->strategies, c->strategies_alloc,
					      sizeof(*c->strategies));
	}
	s = &c->strategies[c->nstrategies];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->line = line;
	s->parallel = -1;
	s->max_workers = CONF_UNSET;
	s->timeout = CONF_UNSET;
	s->schedule = SCHED_UNSET;
	s->launcher_shell = -1;
	c->nstrategies++;
	hashmap_put(&c->strategy_index, hash_str(name), c->nstrategies - 1);
	return c->nstrategies - 1;
}

static const char *
section_label(const struct parser *p, char *buf, size_t size)
{
	switch (p->sec) {
	case SEC_SETTINGS:
		return "[settings]";
	case SEC_STRATEGY:
		snprintf(buf, size, "[strategy %s]",
			 p->c->strategies[p->sec_index].name);
		return buf;
	case SEC_HOOK:
		snprintf(buf, size, "[hook %s]", p->c->hooks[p->sec_index].name);
		return buf;
	default:
		return "";
	}
}

/* A string being looked up among the first items of a list. */
struct item_key {
	char *const *v;
	const char *s;
};

static int
same_item(const void *key, size_t i)
{
	const struct item_key *k = key;

	return strcmp(k->v[i], k->s) == 0;
}

/* Keep the first of equal items, in order (a hash set: linear). */
static void
drop_repeats(struct strlist *l)
{
	struct hashmap seen = { 0 };
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		struct item_key k = { l->v, l->v[i] };
		uint64_t h = hash_str(l->v[i]);

		if (hashmap_find(&seen, h, &k, same_item) != HASHMAP_NONE) {
			free(l->v[i]);
			continue;
		}
		l->v[n] = l->v[i];
		hashmap_put(&seen, h, n++);
	}
	l->n = n;
	hashmap_release(&seen);
}

/* Split a list on whitespace (and commas if `commas`); blanks inside [...] stay. */
static void
split_list(const char *s, int commas, int brackets, struct strlist *out)
{
	while (*s != '\0') {
		const char *start;
		int depth = 0;

		while (*s == ' ' || *s == '\t' || (commas && *s == ','))
			s++;
		if (*s == '\0')
			break;
		start = s;
		while (*s != '\0') {
			if (brackets && *s == '[' && depth == 0) {
				/* A closing ']' right after '[' or "[!" is literal. */
				const char *q = s + 1;
				if (*q == '!' || *q == '^')
					q++;
				if (*q == ']')
					q++;
				while (*q != '\0' && *q != ']')
					q++;
				if (*q == ']') {
					s = q + 1;
					continue;
				}
			}
			if (*s == ' ' || *s == '\t' || (commas && *s == ','))
				break;
			s++;
		}
		strlist_push_owned(out, xstrndup(start, (size_t)(s - start)));
	}
	if (commas)
		drop_repeats(out);
}

static const char *
nearest_key(const struct key *keys, size_t n, const char *name)
{
	const char *best = NULL;
	size_t i, bestd = (size_t)-1, len = strlen(name);

	for (i = 0; i < n; i++) {
		size_t d = edit_distance(name, keys[i].name);
		if (d < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	}
	/* Suggest only what a typo could explain. */
	if (best != NULL && bestd <= (len < 6 ? 2 : len / 3 + 1))
		return best;
	return NULL;
}

static int
set_number(struct parser *p, const char *key, const char *v,
	   unsigned long min, unsigned long max, long *out)
{
	unsigned long n;

	if (parse_ulong(v, min, max, &n) != 0)
		return fail(p, p->pend_line,
			    "bad value '%s' for '%s': want a whole number from %lu to %lu",
			    v, key, min, max);
	*out = (long)n;
	return 0;
}

static int
set_bool(struct parser *p, const char *key, const char *v, bool *out)
{
	int b = parse_bool(v);

	if (b < 0)
		return fail(p, p->pend_line,
			    "bad value '%s' for '%s': want yes or no", v, key);
	*out = b;
	return 0;
}

static int
set_schedule(struct parser *p, const char *key, const char *v,
	     enum schedule *out)
{
	enum schedule s = schedule_parse(v);

	if (s == SCHED_UNSET)
		return fail(p, p->pend_line,
			    "bad value '%s' for '%s': want waves, eager or sequential",
			    v, key);
	*out = s;
	return 0;
}

static int
set_cache(struct parser *p, const char *key, const char *v,
	  enum conf_cache *out)
{
	enum conf_cache m = conf_cache_parse(v);

	if (m == CACHE_UNSET)
		return fail(p, p->pend_line,
			    "bad value '%s' for '%s': want whole, files or no",
			    v, key);
	*out = m;
	return 0;
}

static int
apply_settings(struct parser *p, const struct key *k, const char *v)
{
	struct conf_settings *s = &p->c->settings;
	unsigned long n;

	switch (k->id) {
	case S_JOBS:
		if (strcmp(v, "auto") == 0) {
			s->jobs = 0;
			return 0;
		}
		if (parse_ulong(v, 1, CONF_MAX_JOBS, &n) != 0)
			return fail(p, p->pend_line,
				    "bad value '%s' for 'jobs': want auto or a whole number from 1 to %lu",
				    v, CONF_MAX_JOBS);
		s->jobs = (long)n;
		return 0;
	case S_TIMEOUT:
		return set_number(p, k->name, v, 0, CONF_MAX_TIMEOUT, &s->timeout);
	case S_GRACE:
		return set_number(p, k->name, v, 0, CONF_MAX_KILL_GRACE,
				  &s->kill_grace);
	case S_SCHEDULE:
		return set_schedule(p, k->name, v, &s->schedule);
	case S_STRATEGY_PARALLEL:
		return set_bool(p, k->name, v, &s->strategy_parallel);
	case S_MAX_CONCURRENT:
		return set_number(p, k->name, v, 1, CONF_MAX_JOBS,
				  &s->max_concurrent_strategies);
	case S_FAIL_FAST:
		return set_bool(p, k->name, v, &s->fail_fast);
	case S_OUTPUT_LIMIT:
		return set_number(p, k->name, v, 0, CONF_MAX_OUTPUT_LIMIT,
				  &s->output_limit);
	case S_HISTORY:
		return set_bool(p, k->name, v, &s->history);
	case S_CACHE_SIZE:
		return set_number(p, k->name, v, 0, CONF_MAX_CACHE_SIZE,
				  &s->cache_size);
	case S_CACHE:
		return set_cache(p, k->name, v, &s->cache);
	}
	abort();
}

/* git_hooks = pre-commit pre-push ...: names of git's own hooks. */
static int
set_git_hooks(struct parser *p, const char *v, struct conf_strategy *s)
{
	size_t i;

	split_list(v, 1, 0, &s->git_hooks);
	for (i = 0; i < s->git_hooks.n; i++)
		if (!git_hook_known(s->git_hooks.v[i]))
			return fail(p, p->pend_line,
				    "unknown git hook '%s' in 'git_hooks' (see githooks(5))",
				    s->git_hooks.v[i]);
	return 0;
}

/* launcher = WORDS: split as hookwave will split it (shellcmd.h). */
static int
set_launcher(struct parser *p, const char *v, char **to)
{
	char why[160];
	size_t n;
	char **w = shellcmd_split(v, &n, why, sizeof(why));

	if (w == NULL)
		return fail(p, p->pend_line,
			    "bad value for 'launcher': %s (it is split into words without a shell)",
			    why);
	free(w);
	free(*to);
	*to = xstrdup(v);
	return 0;
}

static int
apply_strategy(struct parser *p, const struct key *k, const char *v)
{
	struct conf_strategy *s = &p->c->strategies[p->sec_index];
	bool b = false;

	switch (k->id) {
	case T_PARALLEL:
		if (set_bool(p, k->name, v, &b) != 0)
			return -1;
		s->parallel = b;
		return 0;
	case T_MAX_WORKERS:
		return set_number(p, k->name, v, 1, CONF_MAX_JOBS, &s->max_workers);
	case T_TIMEOUT:
		return set_number(p, k->name, v, 0, CONF_MAX_TIMEOUT, &s->timeout);
	case T_SCHEDULE:
		return set_schedule(p, k->name, v, &s->schedule);
	case T_GIT_HOOKS:
		return set_git_hooks(p, v, s);
	case T_LAUNCHER:
		return set_launcher(p, v, &s->launcher);
	case T_LAUNCHER_SHELL:
		if (set_bool(p, k->name, v, &b) != 0)
			return -1;
		s->launcher_shell = b;
		return 0;
	}
	abort();
}

/* A VAR=value line: VAR is a shell-style name. */
static int
env_ok(const char *v)
{
	const char *q = v;

	if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_'))
		return 0;
	for (q++; *q != '\0' && *q != '='; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		      (*q >= '0' && *q <= '9') || *q == '_'))
			return 0;
	return *q == '=';
}

static int
apply_hook(struct parser *p, const struct key *k, const char *v)
{
	struct conf_hook *h = &p->c->hooks[p->sec_index];
	const char *why;

	switch (k->id) {
	case H_COMMAND:
		h->command = xstrdup(v);
		h->command_line = p->pend_line;
		return 0;
	case H_STRATEGY:
		if ((why = name_problem(v)) != NULL)
			return fail(p, p->pend_line, "bad strategy name '%s': it %s",
				    v, why);
		h->strategy = strategy_get(p->c, v, p->pend_line);
		h->strategy_line = p->pend_line;
		return 0;
	case H_DEPENDS:
		split_list(v, 1, 0, &h->depends);
		if (h->depends.n == 0)
			return fail(p, p->pend_line, "'depends' names no hook");
		h->depends_line = p->pend_line;
		return 0;
	case H_TIMEOUT:
		return set_number(p, k->name, v, 0, CONF_MAX_TIMEOUT, &h->timeout);
	case H_CRITICAL:
		return set_bool(p, k->name, v, &h->critical);
	case H_FILES:
	case H_EXCLUDE:
		split_list(v, 0, 1, k->id == H_FILES ? &h->files : &h->exclude);
		return 0;
	case H_BATCH_SIZE:
		return set_number(p, k->name, v, 0, CONF_MAX_BATCH_SIZE,
				  &h->batch_size);
	case H_SERIAL:
		return set_bool(p, k->name, v, &h->serial);
	case H_ENV:
		if (!env_ok(v))
			return fail(p, p->pend_line,
				    "bad value '%s' for 'env': want VAR=value", v);
		strlist_push(&h->env, v);
		return 0;
	case H_CWD:
		/* As written: exec.c finds the directory it names. */
		h->cwd = xstrdup(v);
		return 0;
	case H_ENABLED:
		return set_bool(p, k->name, v, &h->enabled);
	case H_MODIFIES:
		return set_bool(p, k->name, v, &h->modifies);
	case H_STAGE_FIXED:
		h->stage_fixed_line = p->pend_line;
		return set_bool(p, k->name, v, &h->stage_fixed);
	case H_CACHE:
		return set_cache(p, k->name, v, &h->cache);
	case H_CACHE_KEY:
		/* A command of its own, run as written (no files follow). */
		h->cache_key = xstrdup(v);
		return 0;
	case H_INPUTS:
		split_list(v, 0, 1, &h->inputs);
		return 0;
	case H_TYPES:
	case H_EXCLUDE_TYPES: {
		struct conf_types *t = k->id == H_TYPES ? &h->types :
				       &h->exclude_types;
		char bad[40];

		if (filetype_parse(v, &t->alts, &t->n, bad, sizeof(bad)) != 0)
			return fail(p, p->pend_line,
				    "unknown type '%s' in '%s' (see hookwave.ini(5), types)",
				    bad, k->name);
		if (t->n == 0)
			return fail(p, p->pend_line, "'%s' names no type",
				    k->name);
		t->line = p->pend_line;
		return 0;
	}
	case H_FILES_REGEX:
	case H_EXCLUDE_REGEX: {
		struct conf_regex *x = k->id == H_FILES_REGEX ?
				       &h->files_regex : &h->exclude_regex;
		char msg[160];
		int rc;

		x->re = xmalloc(sizeof(*x->re));
		if ((rc = regcomp(x->re, v, REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, x->re, msg, sizeof(msg));
			/* glibc capitalises its messages; ours are not. */
			msg[0] = (char)tolower((unsigned char)msg[0]);
			free(x->re);
			x->re = NULL;
			return fail(p, p->pend_line,
				    "bad value for '%s': %s", k->name, msg);
		}
		x->text = xstrdup(v);
		x->line = p->pend_line;
		return 0;
	}
	case H_PASS_FILES:
		return set_bool(p, k->name, v, &h->pass_files);
	case H_ALWAYS_RUN:
		return set_bool(p, k->name, v, &h->always_run);
	case H_FINDINGS:
		if (strcmp(v, "gcc") == 0)
			h->findings = CONF_FINDINGS_GCC;
		else if (strcmp(v, "sarif") == 0)
			h->findings = CONF_FINDINGS_SARIF;
		else if (strcmp(v, "none") == 0)
			h->findings = CONF_FINDINGS_NONE;
		else
			return fail(p, p->pend_line,
				    "bad value '%s' for 'findings': want gcc, sarif or none",
				    v);
		h->findings_line = p->pend_line;
		return 0;
	case H_ERRORFORMAT: {
		char bad[200];

		finding_format_free(h->finding_format);
		h->finding_format = finding_format_errorformat(v, bad,
							       sizeof(bad));
		if (h->finding_format == NULL)
			return fail(p, p->pend_line,
				    "bad value for 'errorformat': %s", bad);
		free(h->errorformat);
		h->errorformat = xstrdup(v);
		h->errorformat_line = p->pend_line;
		return 0;
	}
	case H_SARIF_FILE:
		free(h->sarif_file);
		h->sarif_file = xstrdup(v);
		h->sarif_file_line = p->pend_line;
		return 0;
	case H_LAUNCHER:
		return set_launcher(p, v, &h->launcher);
	case H_LAUNCHER_SHELL: {
		bool b = false;

		if (set_bool(p, k->name, v, &b) != 0)
			return -1;
		h->launcher_shell = b;
		return 0;
	}
	}
	abort();
}

/* Apply the pending key, now that its value is whole. */
static int
flush_key(struct parser *p)
{
	const struct key *keys;
	size_t nkeys, i;
	char label[160];
	const struct key *k = NULL;
	int r = 0;

	if (p->pend_key == NULL)
		return 0;
	switch (p->sec) {
	case SEC_SETTINGS:
		keys = settings_keys;
		nkeys = ARRAY_SIZE(settings_keys);
		break;
	case SEC_STRATEGY:
		keys = strategy_keys;
		nkeys = ARRAY_SIZE(strategy_keys);
		break;
	case SEC_HOOK:
		keys = hook_keys;
		nkeys = ARRAY_SIZE(hook_keys);
		break;
	default:
		r = fail(p, p->pend_line,
			 "'%s' is outside any section: put it under [settings], [strategy NAME] or [hook NAME]",
			 p->pend_key);
		goto out;
	}
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, p->pend_key) == 0)
			k = &keys[i];
	if (k == NULL) {
		const char *near = nearest_key(keys, nkeys, p->pend_key);
		if (near != NULL)
			r = fail(p, p->pend_line,
				 "unknown key '%s' in %s (did you mean '%s'?)",
				 p->pend_key, section_label(p, label, sizeof(label)),
				 near);
		else
			r = fail(p, p->pend_line, "unknown key '%s' in %s",
				 p->pend_key, section_label(p, label, sizeof(label)));
		goto out;
	}
	if ((p->seen & (1UL << k->id)) && k->type != K_ENV) {
		r = fail(p, p->pend_line, "'%s' is set twice in %s", k->name,
			 section_label(p, label, sizeof(label)));
		goto out;
	}
	p->seen |= 1UL << k->id;
	if (p->pend_value.len == 0) {
		r = fail(p, p->pend_line, "'%s' has an empty value", k->name);
		goto out;
	}
	if (p->sec == SEC_SETTINGS)
		r = apply_settings(p, k, p->pend_value.p);
	else if (p->sec == SEC_STRATEGY)
		r = apply_strategy(p, k, p->pend_value.p);
	else
		r = apply_hook(p, k, p->pend_value.p);
out:
	free(p->pend_key);
	p->pend_key = NULL;
	buf_reset(&p->pend_value);
	return r;
}

/* The section that just ended: what can only be checked as a whole. */
static int
end_section(struct parser *p)
{
	struct conf_hook *h;

	if (flush_key(p) != 0)
		return -1;
	if (p->sec != SEC_HOOK)
		return 0;
	h = &p->c->hooks[p->sec_index];
	if (h->command == NULL)
		return fail(p, h->line, "hook '%s' has no 'command'", h->name);
	/* Excluding narrows what the including keys choose. */
	if (!conf_hook_selects(h) && (h->exclude_types.n > 0 ||
				      h->exclude_regex.re != NULL))
		return fail(p, h->exclude_types.n > 0 ? h->exclude_types.line :
			    h->exclude_regex.line,
			    "hook '%s' has '%s' but no 'files', 'files_regex' or 'types' to narrow (for every file: types = file)",
			    h->name, h->exclude_types.n > 0 ? "exclude_types" :
			    "exclude_regex");
	if (conf_hook_passes_files(h)) {
		/* Its files follow the command as "$@": they must land as
		   arguments (shellcmd.h). */
		struct shellcmd sc;

		shellcmd_classify(h->command, &sc);
		if (sc.kind == SHELLCMD_UNSAFE)
			return fail(p, h->command_line,
				    "hook '%s' has files, but its command %s",
				    h->name, sc.why);
	}
	/* Staging a fix is for fixers: say so rather than make it one. */
	if (h->stage_fixed && !h->modifies)
		return fail(p, h->stage_fixed_line,
			    "hook '%s' has 'stage_fixed = yes' but not 'modifies = yes'",
			    h->name);
	if (h->errorformat != NULL) {
		if (h->findings != CONF_FINDINGS_NONE)
			return fail(p, h->findings_line > h->errorformat_line ?
				    h->findings_line : h->errorformat_line,
				    "hook '%s' has both 'findings' and 'errorformat'",
				    h->name);
		h->findings = CONF_FINDINGS_ERRORFORMAT;
	} else if (h->findings == CONF_FINDINGS_GCC) {
		h->finding_format = finding_format_gcc();
	}
	if (h->sarif_file != NULL) {
		if (h->findings != CONF_FINDINGS_SARIF)
			return fail(p, h->sarif_file_line,
				    "hook '%s' has 'sarif_file' but not 'findings = sarif'",
				    h->name);
		/* Its batches would write the one file at once: one after
		   another, each read before the next starts. */
		h->serial = true;
	}
	if (h->strategy_line == 0)
		h->strategy = strategy_get(p->c, "default", h->line);
	return 0;
}

/*
 * A section header: end the old section, open the new one. `line` is
 * the line inih read as "[...]"; inih keeps only the first 49 bytes of
 * the text in brackets, so take it whole from `line`: inih found the
 * header's '[' as the line's first non-blank and its ']' as the first
 * after it.
 */
static int
begin_section(struct parser *p, const char *line, const struct ini_line *il)
{
	const char *open, *end, *q;
	char *inner, *word, *name;
	const char *why;
	size_t i, n;
	int r = 0;

	if (end_section(p) != 0)
		return -1;
	p->sec = SEC_NONE;
	p->seen = 0;
	p->after_key = 0;
	open = strchr(line, '[');
	end = open != NULL ? strchr(open + 1, ']') : NULL;
	n = strlen(il->section);
	if (end == NULL || strncmp(open + 1, il->section, n) != 0 ||
	    (n < MAX_SECTION_TEXT && (size_t)(end - open - 1) != n))
		return fail(p, p->line, "cannot parse this line: want key = value or [section]");
	for (q = end + 1; *q == ' ' || *q == '\t'; q++)
		;
	if (*q != '\0' && *q != ';' && *q != '#')
		return fail(p, p->line, "unexpected text after the section header");
	inner = xstrndup(open + 1, (size_t)(end - open - 1));
	word = inner;
	while (*word == ' ' || *word == '\t')
		word++;
	for (name = word; *name != '\0' && *name != ' ' && *name != '\t'; name++)
		;
	if (*name != '\0') {
		*name++ = '\0';
		while (*name == ' ' || *name == '\t')
			name++;
		/* Trailing blanks around the name are not part of it. */
		for (i = strlen(name); i > 0 && (name[i - 1] == ' ' || name[i - 1] == '\t'); i--)
			name[i - 1] = '\0';
	}
	if (strcmp(word, "settings") == 0 && *name == '\0') {
		if (p->settings_seen) {
			r = fail(p, p->line, "duplicate section [settings]");
			goto out;
		}
		p->settings_seen = 1;
		p->sec = SEC_SETTINGS;
	} else if (strcmp(word, "strategy") == 0 || strcmp(word, "hook") == 0) {
		int hook = word[0] == 'h';

		if (*name == '\0') {
			r = fail(p, p->line, "section [%s] needs a name: [%s NAME]",
				 word, word);
			goto out;
		}
		if ((why = name_problem(name)) != NULL) {
			r = fail(p, p->line, "bad %s name '%s': it %s", word, name, why);
			goto out;
		}
		if (hook) {
			struct conf_hook *h;

			if (conf_find_hook(p->c, name) >= 0) {
				r = fail(p, p->line, "duplicate hook '%s'", name);
				goto out;
			}
			if (p->c->nhooks == p->c->hooks_alloc) {
				p->c->hooks_alloc = p->c->hooks_alloc ?
						    2 * p->c->hooks_alloc : 16;
				p->c->hooks = xreallocarray(p->c->hooks,
							    p->c->hooks_alloc,
							    sizeof(*p->c->hooks));
			}
			h = &p->c->hooks[p->c->nhooks];
			memset(h, 0, sizeof(*h));
			h->name = xstrdup(name);
			h->line = p->line;
			h->timeout = CONF_UNSET;
			h->enabled = true;
			h->pass_files = true;
			h->launcher_shell = -1;
			p->sec = SEC_HOOK;
			p->sec_index = p->c->nhooks;
			p->c->nhooks++;
			hashmap_put(&p->c->hook_index, hash_str(h->name),
				    p->c->nhooks - 1);
		} else {
			long i2 = conf_find_strategy(p->c, name);

			if (i2 >= 0 && p->c->strategies[i2].has_section) {
				r = fail(p, p->line, "duplicate section [strategy %s]",
					 name);
				goto out;
			}
			p->sec_index = strategy_get(p->c, name, p->line);
			p->c->strategies[p->sec_index].has_section = true;
			p->c->strategies[p->sec_index].line = p->line;
			p->sec = SEC_STRATEGY;
		}
	} else {
		static const char *const kinds[] = { "settings", "strategy", "hook" };
		const char *best = NULL;
		size_t bestd = 3, k;

		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			size_t d = edit_distance(word, kinds[k]);
			if (d < bestd) {
				bestd = d;
				best = kinds[k];
			}
		}
		if (best != NULL && strcmp(best, "settings") == 0)
			r = fail(p, p->line, "unknown section [%s%s%s] (did you mean [settings]?)",
				 word, *name ? " " : "", name);
		else if (best != NULL)
			r = fail(p, p->line, "unknown section [%s%s%s] (did you mean [%s %s]?)",
				 word, *name ? " " : "", name, best,
				 *name ? name : "NAME");
		else
			r = fail(p, p->line,
				 "unknown section [%s%s%s]: want [settings], [strategy NAME] or [hook NAME]",
				 word, *name ? " " : "", name);
	}
out:
	free(inner);
	return r;
}

/* The little file ini_line() hands inih, and what inih said of it. */
struct probe {
	const char *lines[4];
	int nlines, next;               /* lines handed out so far */
	int target;                     /* 1-based index of the real line */
	struct ini_line *out;
	int called;                     /* the handler ran for the real line */
	int too_long;                   /* inih's buffer was too small */
};

static char *
probe_read(char *str, int num, void *stream)
{
	struct probe *pr = stream;
	size_t n;

	if (pr->next == pr->nlines)
		return NULL;
	n = strlen(pr->lines[pr->next]);
	if (n + 1 > (size_t)num) {
		pr->too_long = num;
		return NULL;
	}
	memcpy(str, pr->lines[pr->next++], n + 1);
	return str;
}

static int
probe_handle(void *user, const char *section, const char *name,
	     const char *value)
{
	struct probe *pr = user;
	struct ini_line *out = pr->out;

	/* inih calls this while it reads the line it read last. */
	if (pr->next == pr->target) {
		pr->called = 1;
		snprintf(out->name, sizeof(out->name), "%s", name);
		snprintf(out->value, sizeof(out->value), "%s", value);
	} else if (pr->next == pr->nlines) {
		snprintf(out->section, sizeof(out->section), "%s", section);
	}
	return 1;
}

/*
 * Ask inih what `line` (without its newline, at most MAX_LINE bytes,
 * no NUL) is, `after_key` telling whether a key came before it that an
 * indented line would continue. inih reads it as the third or fourth
 * line of a little file:
 *
 *	[S]     a section called S
 *	S=      a key called S, when after_key
 *	line
 *	S=      a key, whose handler call tells the section
 *
 * S is two bytes that `line` does not contain, so neither its section
 * text nor its key name can be S: a handler call for the line with the
 * name S is a continuation, and a section other than S at the end means
 * the line was a header. inih's return value tells an error apart.
 */
static void
ini_line(const char *line, int after_key, struct ini_line *out)
{
	/* Control bytes that are never blanks, brackets or comment starts. */
	static const char cand[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"
				   "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19";
	char s[3], header[6], key[4];
	struct probe pr;
	size_t n = strlen(line), a, b;
	int r;

	/* A 199-byte line holds at most 198 pairs; there are 400. */
	for (a = 0; a < sizeof(cand) - 1; a++)
		for (b = 0; b < sizeof(cand) - 1; b++) {
			s[0] = cand[a];
			s[1] = cand[b];
			s[2] = '\0';
			if (memmem(line, n, s, 2) == NULL)
				goto found;
		}
	abort();
found:
	snprintf(header, sizeof(header), "[%s]", s);
	snprintf(key, sizeof(key), "%s=", s);
	memset(&pr, 0, sizeof(pr));
	pr.lines[pr.nlines++] = header;
	if (after_key)
		pr.lines[pr.nlines++] = key;
	pr.lines[pr.nlines++] = line;
	pr.target = pr.nlines;
	pr.lines[pr.nlines++] = key;
	pr.out = out;
	out->name[0] = out->value[0] = out->section[0] = '\0';
	r = ini_parse_stream(probe_read, &pr, probe_handle, &pr);
	if (pr.too_long) {
		out->kind = LINE_TOO_LONG;
		out->limit = pr.too_long - 1;
	} else if (r == -2) {
		out->kind = LINE_NOMEM;
	} else if (r == pr.target) {
		out->kind = LINE_ERROR;
	} else if (r != 0) {
		abort();        /* the lines around it are always valid */
	} else if (pr.called) {
		out->kind = strcmp(out->name, s) == 0 ? LINE_CONT : LINE_KEY;
	} else {
		out->kind = strcmp(out->section, s) != 0 ? LINE_SECTION :
			    LINE_BLANK;
	}
}

/*
 * More of the pending key's value, from a continuation line: one blank
 * joins the pieces. inih drops a " ;" comment only on a value's first
 * line; drop it here too, so that both read alike.
 */
static void
continue_value(struct parser *p, const char *value)
{
	size_t n = strlen(value);
	const char *q;

	for (q = value + 1; *q != '\0'; q++)
		if (*q == ';' && (q[-1] == ' ' || q[-1] == '\t')) {
			n = (size_t)(q - value);
			break;
		}
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (n == 0)
		return;
	if (p->pend_value.len > 0)
		buf_add(&p->pend_value, " ", 1);
	buf_add(&p->pend_value, value, n);
}

/* One physical line, `n` bytes at `start`, as inih reads it. */
static void
read_line(struct parser *p, const char *start, size_t n)
{
	struct ini_line *il = p->il;
	char text[MAX_LINE + 1];
	const char *s = text;

	if (n > 0 && start[n - 1] == '\r')
		n--;
	if (memchr(start, '\0', n) != NULL) {
		flush_key(p);
		fail(p, p->line, "NUL byte in line");
		return;
	}
	if (n > MAX_LINE) {
		flush_key(p);
		fail(p, p->line,
		     "line too long (%zu bytes, the limit is %d); continue long values on indented lines",
		     n, MAX_LINE);
		return;
	}
	memcpy(text, start, n);
	text[n] = '\0';
	/* A byte order mark is the file's, not the line's. */
	if (p->line == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	ini_line(s, p->after_key, il);
	switch (il->kind) {
	case LINE_BLANK:
		break;
	case LINE_SECTION:
		begin_section(p, s, il);
		break;
	case LINE_KEY:
		if (flush_key(p) != 0)
			break;
		p->pend_key = xstrdup(il->name);
		buf_adds(&p->pend_value, il->value);
		p->pend_line = p->line;
		/* inih continues only a key that has a name */
		p->after_key = il->name[0] != '\0';
		break;
	case LINE_CONT:
		continue_value(p, il->value);
		break;
	case LINE_ERROR:
		flush_key(p);
		fail(p, p->line, "cannot parse this line: want key = value or [section]");
		break;
	case LINE_TOO_LONG:
		flush_key(p);
		fail(p, p->line,
		     "line too long (%zu bytes, the limit is %d); continue long values on indented lines",
		     n, il->limit);
		break;
	case LINE_NOMEM:
		fail(p, 0, "out of memory while parsing");
		break;
	}
}

/*
 * Deletion variants of a name, for finding names one edit apart: two
 * names are within one edit (a byte added, dropped, changed, or two
 * swapped) only if one of them, or one of them less a byte, equals the
 * other less a byte (or itself). A variant is known by its hash: a
 * polynomial one, so that each of a name's variants costs O(1).
 */
struct variant {
	uint64_t hash;
	size_t index;
};

#define VARIANT_BASE 1099511628211ULL

/* Hashes of `name` (into h[0]) and of it less byte k (into h[k + 1]). */
static size_t
variants(const char *name, uint64_t *h)
{
	uint64_t pre[CONF_NAME_MAX + 1], suf[CONF_NAME_MAX + 2];
	uint64_t pw[CONF_NAME_MAX + 1];
	size_t n = strlen(name), k;

	pw[0] = 1;
	pre[0] = 0;
	for (k = 0; k < n; k++) {
		pw[k + 1] = pw[k] * VARIANT_BASE;
		pre[k + 1] = pre[k] * VARIANT_BASE + (unsigned char)name[k] + 1;
	}
	suf[n] = suf[n + 1] = 0;
	for (k = n; k-- > 0;)
		suf[k] = ((unsigned char)name[k] + 1) * pw[n - 1 - k] + suf[k + 1];
	h[0] = pre[n];
	for (k = 0; k < n; k++)
		h[k + 1] = pre[k] * pw[n - 1 - k] + suf[k + 1];
	return n + 1;
}

static int
variant_cmp(const void *a, const void *b)
{
	const struct variant *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/*
 * A hook's `strategy =` that names a strategy without a section, one
 * edit from a strategy that has one, is a typo ("fsat" beside [strategy
 * fast]): an error at that line, with the name it was meant to be.
 * "default" needs no section and is never taken for one; nor is any
 * name one edit from a name shorter than TYPO_MIN_NAME ("o" and "s",
 * "ci" and "cd" are names, not typos). Linear in the names (their
 * variants are sorted once), not quadratic.
 */
#define TYPO_MIN_NAME 4
static int
check_strategy_typos(struct parser *p)
{
	const struct conf *c = p->c;
	struct variant *v = NULL;
	size_t *match, nv = 0, i, k, nq = 0;
	uint64_t h[CONF_NAME_MAX + 1];
	int r = 0;

	for (i = 0; i < c->nstrategies; i++)
		if (!c->strategies[i].has_section &&
		    strcmp(c->strategies[i].name, "default") != 0)
			nq += strlen(c->strategies[i].name) + 1;
	if (nq == 0)
		return 0;
	/* The variants of every strategy without a section, sorted. */
	v = xreallocarray(NULL, nq, sizeof(*v));
	for (i = 0; i < c->nstrategies; i++) {
		size_t m;

		if (c->strategies[i].has_section ||
		    strcmp(c->strategies[i].name, "default") == 0)
			continue;
		m = variants(c->strategies[i].name, h);
		for (k = 0; k < m; k++) {
			v[nv].hash = h[k];
			v[nv++].index = i;
		}
	}
	qsort(v, nv, sizeof(*v), variant_cmp);
	/* Each strategy with a section, in order, claims those one edit
	   from it that no earlier one did. */
	match = xreallocarray(NULL, c->nstrategies, sizeof(*match));
	for (i = 0; i < c->nstrategies; i++)
		match[i] = (size_t)-1;
	for (i = 0; i < c->nstrategies; i++) {
		size_t m;

		if (!c->strategies[i].has_section ||
		    strlen(c->strategies[i].name) < TYPO_MIN_NAME)
			continue;
		m = variants(c->strategies[i].name, h);
		for (k = 0; k < m; k++) {
			size_t lo = 0, hi = nv;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (v[mid].hash < h[k])
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < nv && v[lo].hash == h[k]; lo++) {
				size_t q = v[lo].index;

				if (match[q] == (size_t)-1 &&
				    edit_distance(c->strategies[q].name,
						  c->strategies[i].name) == 1)
					match[q] = i;
			}
		}
	}
	/* The first hook, in file order, that names one. */
	for (i = 0; i < c->nhooks; i++) {
		const struct conf_hook *hk = &c->hooks[i];

		if (hk->strategy_line != 0 && match[hk->strategy] != (size_t)-1) {
			r = fail(p, hk->strategy_line,
				 "strategy '%s' has no section (did you mean '%s'?)",
				 c->strategies[hk->strategy].name,
				 c->strategies[match[hk->strategy]].name);
			break;
		}
	}
	free(match);
	free(v);
	return r;
}

/* Dependencies by name: each known, not itself, in the same strategy. */
static int
resolve_depends(struct parser *p)
{
	struct conf *c = p->c;
	size_t i, j;

	for (i = 0; i < c->nhooks; i++) {
		struct conf_hook *h = &c->hooks[i];

		h->dep_index = xcalloc(h->depends.n, sizeof(*h->dep_index));
		for (j = 0; j < h->depends.n; j++) {
			const char *d = h->depends.v[j];
			long k = conf_find_hook(c, d);

			if (k < 0)
				return fail(p, h->depends_line,
					    "hook '%s' depends on unknown hook '%s'",
					    h->name, d);
			if ((size_t)k == i)
				return fail(p, h->depends_line,
					    "hook '%s' depends on itself", h->name);
			if (c->hooks[k].strategy != h->strategy)
				return fail(p, h->depends_line,
					    "hook '%s' (strategy %s) depends on '%s' of another strategy (%s)",
					    h->name, c->strategies[h->strategy].name,
					    d, c->strategies[c->hooks[k].strategy].name);
			h->dep_index[j] = (size_t)k;
		}
	}
	return 0;
}

/*
 * Whether the file is another tool's YAML rather than an INI: by its
 * name (a .yaml/.yml file, pre-commit's and lefthook's names), or by
 * its first significant line, a YAML mapping key ("repos:",
 * "pre-commit:") or document start, which no INI file starts with.
 * *line is that line (0 when the name told); *tool what it looks like.
 */
static int
looks_like_yaml(const char *path, const char *text, size_t len,
		unsigned long *line, const char **tool)
{
	const char *base = strrchr(path, '/'), *end = text + len, *q;
	static const char *const pre_commit_keys[] = {
		"repos", "default_stages", "default_install_hook_types",
		"default_language_version", "minimum_pre_commit_version",
	};
	static const char *const lefthook_keys[] = {
		"min_version", "skip_output", "source_dir", "extends",
		"assert_lefthook_installed", "colors", "no_tty",
	};
	char key[32];
	size_t n, k, i;

	base = base != NULL ? base + 1 : path;
	*line = 0;
	*tool = "YAML";
	if (strncmp(base, ".pre-commit-config.", 19) == 0) {
		*tool = "a pre-commit config";
		return 1;
	}
	if (strncmp(base, "lefthook", 8) == 0 ||
	    strncmp(base, ".lefthook", 9) == 0)
		*tool = "a lefthook config";
	n = strlen(base);
	if ((n > 4 && strcmp(base + n - 4, ".yml") == 0) ||
	    (n > 5 && strcmp(base + n - 5, ".yaml") == 0))
		return 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	for (*line = 1; text < end; (*line)++) {
		q = memchr(text, '\n', (size_t)(end - text));
		n = q != NULL ? (size_t)(q - text) : (size_t)(end - text);
		for (k = 0; k < n && (text[k] == ' ' || text[k] == '\t' ||
				      text[k] == '\r'); k++)
			;
		if (k == n || text[k] == '#' || text[k] == ';') {
			text += n + 1;
			continue;
		}
		if (n - k >= 3 && memcmp(text + k, "---", 3) == 0)
			return 1;
		if (text[k] == '[' || k > 0)
			return 0;
		for (; k < n && (isalnum((unsigned char)text[k]) ||
				 text[k] == '_' || text[k] == '-' ||
				 text[k] == '.'); k++)
			;
		if (k == 0 || k == n || text[k] != ':')
			return 0;
		if (k < sizeof(key)) {
			memcpy(key, text, k);
			key[k] = '\0';
		} else {
			key[0] = '\0';
		}
		for (q = text + k + 1; q < text + n && (*q == ' ' || *q == '\t' ||
							 *q == '\r'); q++)
			;
		/* "key: value" could be an INI key outside any section;
		   "key:" opening a mapping, or the tools' own keys, not. */
		for (i = 0; i < ARRAY_SIZE(pre_commit_keys) &&
			    strcmp(key, pre_commit_keys[i]) != 0; i++)
			;
		if (i < ARRAY_SIZE(pre_commit_keys))
			*tool = "a pre-commit config";
		for (i = 0; i < ARRAY_SIZE(lefthook_keys) &&
			    strcmp(key, lefthook_keys[i]) != 0; i++)
			;
		if (i < ARRAY_SIZE(lefthook_keys) || git_hook_known(key))
			*tool = "a lefthook config";
		return q == text + n || strcmp(*tool, "YAML") != 0;
	}
	return 0;
}

int
conf_parse(struct conf *c, const char *path, const char *text, size_t len,
	   struct err *e)
{
	struct parser p;
	size_t pos = 0;

	memset(&p, 0, sizeof(p));
	free(c->path);
	c->path = xstrdup(path);
	p.c = c;
	p.e = e;
	{
		unsigned long yl;
		const char *tool;

		if (looks_like_yaml(path, text, len, &yl, &tool))
			return fail(&p, yl,
				    "this is %s, not hookwave's INI: convert it with 'hookwave migrate %s'",
				    tool, path);
	}
	p.il = xmalloc(sizeof(*p.il));
	while (!p.failed && pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		pos += n + (nl != NULL);
		p.line++;
		read_line(&p, start, n);
	}
	if (!p.failed)
		end_section(&p);
	free(p.il);
	free(p.pend_key);
	buf_release(&p.pend_value);
	if (p.failed)
		return -1;
	if (check_strategy_typos(&p) != 0 || resolve_depends(&p) != 0)
		return -1;
	return 0;
}

int
conf_load(struct conf *c, const char *path, struct err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, alloc = 0;
	int fd, r;

	free(c->path);
	c->path = xstrdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, c->path, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, c->path, 0, "cannot read: %s", strerror(EISDIR));
	}
	for (;;) {
		ssize_t n;

		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 8192;
			buf = xrealloc(buf, alloc);
		}
		n = read(fd, buf + len, alloc - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			free(buf);
			return err_set(e, c->path, 0, "cannot read: %s",
				       strerror(saved));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_CONFIG_SIZE) {
			close(fd);
			free(buf);
			return err_set(e, c->path, 0,
				       "file too large (more than 16 MiB)");
		}
	}
	close(fd);
	r = conf_parse(c, path, buf, len, e);
	free(buf);
	return r;
}

static void
regex_release(struct conf_regex *x)
{
	if (x->re != NULL)
		regfree(x->re);
	free(x->re);
	free(x->text);
}

bool
conf_hook_selects(const struct conf_hook *h)
{
	return h->files.n > 0 || h->types.n > 0 || h->files_regex.re != NULL;
}

bool
conf_hook_passes_files(const struct conf_hook *h)
{
	return conf_hook_selects(h) && h->pass_files;
}

void
conf_release(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nhooks; i++) {
		struct conf_hook *h = &c->hooks[i];

		free(h->name);
		free(h->command);
		strlist_release(&h->depends);
		free(h->dep_index);
		strlist_release(&h->files);
		strlist_release(&h->exclude);
		strlist_release(&h->env);
		free(h->cwd);
		free(h->cache_key);
		free(h->errorformat);
		free(h->sarif_file);
		free(h->launcher);
		finding_format_free(h->finding_format);
		strlist_release(&h->inputs);
		free(h->types.alts);
		free(h->exclude_types.alts);
		regex_release(&h->files_regex);
		regex_release(&h->exclude_regex);
	}
	free(c->hooks);
	for (i = 0; i < c->nstrategies; i++) {
		free(c->strategies[i].name);
		free(c->strategies[i].launcher);
		strlist_release(&c->strategies[i].git_hooks);
	}
	free(c->strategies);
	hashmap_release(&c->hook_index);
	hashmap_release(&c->strategy_index);
	free(c->path);
	conf_init(c);
}
