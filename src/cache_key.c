/*
 * cache_key.c - a hook's cache key and the key of its whole set of
 * files. See cache_key.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cache_key.h"
#include "content_id.h"
#include "files.h"
#include "proc.h"
#include "shellcmd.h"
#include "util.h"

/* --- framing ----------------------------------------------------------------- */

static void
put_u64(struct sha256_ctx *ctx, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	sha256_update(ctx, sizeof(b), b);
}

/* A field: its length, then its bytes. */
static void
put_bytes(struct sha256_ctx *ctx, const void *p, size_t n)
{
	put_u64(ctx, n);
	if (n > 0)
		sha256_update(ctx, n, p);
}

static void
put_str(struct sha256_ctx *ctx, const char *s)
{
	put_bytes(ctx, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* A list: its count, then each string. */
static void
put_list(struct sha256_ctx *ctx, char *const *v, size_t n)
{
	size_t i;

	put_u64(ctx, n);
	for (i = 0; i < n; i++)
		put_str(ctx, v[i]);
}

/* An id that may be missing: a presence byte, then the string. */
static void
put_id(struct sha256_ctx *ctx, const char *id)
{
	unsigned char present = id != NULL;

	sha256_update(ctx, 1, &present);
	put_str(ctx, id);
}

/* --- the program's identity ---------------------------------------------- */

/* The characters of a word the shell takes as it is. */
static int
plain_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || strchr("-_./,:+%@^=", ch) != NULL;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The length of NAME in "NAME=value", or 0 when `w` is no assignment. */
static size_t
assignment(const char *w)
{
	size_t i;

	if (!((w[0] >= 'a' && w[0] <= 'z') || (w[0] >= 'A' && w[0] <= 'Z') ||
	      w[0] == '_'))
		return 0;
	for (i = 1; w[i] != '\0' && w[i] != '='; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') ||
		      (w[i] >= 'A' && w[i] <= 'Z') ||
		      (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
			return 0;
	return w[i] == '=' ? i : 0;
}

/* The value of `name` in environment `env`, or NULL. */
static const char *
env_value(char *const *env, size_t n, const char *name)
{
	size_t len = strlen(name), i;
	const char *v = NULL;

	for (i = 0; env != NULL && i < n && env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			v = env[i] + len + 1;
	return v;
}

static size_t
env_count(char *const *env)
{
	size_t n = 0;

	while (env != NULL && env[n] != NULL)
		n++;
	return n;
}

/* `path` made absolute against `dir` (leading "./" dropped), malloc'd. */
static char *
absolute(const char *dir, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/') {
		path += 2;
		while (path[0] == '/')
			path++;
	}
	return xasprintf("%s/%s", dir, path);
}

/*
 * The word w0[0..*len) as the shell reads it when it is one quoted
 * string of plain characters ("/usr/bin/x" or '/usr/bin/x': how a
 * config writes a path), else as it is; malloc'd, *len its length.
 */
static char *
unquoted(const char *w0, size_t *len)
{
	size_t n = *len, i;

	if (n >= 2 && (w0[0] == '"' || w0[0] == '\'') && w0[n - 1] == w0[0]) {
		for (i = 1; i < n - 1 && plain_char((unsigned char)w0[i]); i++)
			;
		if (i == n - 1 && n > 2) {
			*len = n - 2;
			return xstrndup(w0 + 1, n - 2);
		}
	}
	return xstrndup(w0, n);
}

/* Is `path` an executable regular file (links followed)? */
static int
executable(const char *path, struct stat *st)
{
	return stat(path, st) == 0 && S_ISREG(st->st_mode) &&
	       access(path, X_OK) == 0;
}

/*
 * Find the program of `d`'s command. Returns the resolved absolute path
 * (malloc'd, `st` its stat) or NULL; *word is then the word to key in
 * its place (malloc'd; "" when the command has no word).
 */
static char *
resolve_program(const struct cache_hook_desc *d, struct stat *st,
		char **word)
{
	const char *p = d->command, *path_var = NULL, *w0;
	char *w = NULL, *found = NULL;
	int after_env = 0, options = 1, skip_arg = 0;
	size_t len, i;

	*word = NULL;
	for (;;) {
		while (is_blank(*p))
			p++;
		for (w0 = p, len = 0; p[len] != '\0' && !is_blank(p[len]) &&
		     p[len] != '\n'; len++)
			;
		p += len;
		free(w);
		w = unquoted(w0, &len);
		for (i = 0; i < len; i++)
			if (!plain_char((unsigned char)w[i]))
				break;
		if (len == 0 || i < len)
			break;          /* the end, or not plain text */
		if (skip_arg) {
			skip_arg = 0;
			continue;
		}
		if ((i = assignment(w)) != 0) {
			if (i == 4 && memcmp(w, "PATH", 4) == 0)
				path_var = w0 + 5;      /* to the blank */
			continue;
		}
		if (after_env && options && w[0] == '-') {
			if (strcmp(w, "--") == 0)
				options = 0;
			else if (strcmp(w, "-u") == 0 ||
				 strcmp(w, "--unset") == 0)
				skip_arg = 1;
			else if (w[1] == 'S' || w[1] == 'C' ||
				 strncmp(w, "--split-string", 14) == 0 ||
				 strncmp(w, "--chdir", 7) == 0)
				break;  /* env reads its own command line */
			continue;
		}
		if (strcmp(w, "env") == 0 ||
		    (len > 4 && strcmp(w + len - 4, "/env") == 0)) {
			after_env = 1;
			options = 1;
			continue;
		}
		/* The program. After env it is env's to find: no builtin. */
		if (!after_env && shellcmd_is_shell_word(w))
			break;
		if (strchr(w, '/') != NULL) {
			found = absolute(d->hook_dir, w);
			if (!executable(found, st)) {
				free(found);
				found = NULL;
			}
			break;
		}
		{
			char *pathv;
			const char *q, *colon;

			if (path_var != NULL) {
				for (i = 0; path_var[i] != '\0' &&
				     !is_blank(path_var[i]) &&
				     path_var[i] != '\n'; i++)
					;
				pathv = xstrndup(path_var, i);
			} else if ((q = env_value(d->env, d->nenv, "PATH")) != NULL ||
				   (q = env_value(d->environ,
						  env_count(d->environ),
						  "PATH")) != NULL) {
				pathv = xstrdup(q);
			} else {
				pathv = xstrdup("/bin:/usr/bin");
			}
			for (q = pathv; found == NULL; q = colon + 1) {
				char *dir, *cand;

				colon = strchr(q, ':');
				dir = colon != NULL ? xstrndup(q, (size_t)(colon - q)) :
					xstrdup(q);
				cand = xasprintf("%s/%s", *dir ? dir : ".", w);
				found = absolute(d->hook_dir, cand);
				free(cand);
				free(dir);
				if (!executable(found, st)) {
					free(found);
					found = NULL;
				}
				if (colon == NULL)
					break;
			}
			free(pathv);
		}
		break;
	}
	if (found != NULL) {
		free(w);
		return found;
	}
	/* The word as written, up to a blank. */
	free(w);
	p = d->command;
	while (is_blank(*p))
		p++;
	for (len = 0; p[len] != '\0' && !is_blank(p[len]) && p[len] != '\n';
	     len++)
		;
	*word = xstrndup(p, len);
	return NULL;
}

char *
cache_key_program(const struct cache_hook_desc *d)
{
	struct stat st;
	char *word = NULL, *found = resolve_program(d, &st, &word);

	free(word);
	return found;
}

/* --- cache_key --------------------------------------------------------------- */

/* hookwave's environment with the hook's env entries over it. */
static char **
hook_env(const struct cache_hook_desc *d)
{
	size_t n = env_count(d->environ), k = 0, i, j, len;
	char **env = xcalloc(n + d->nenv + 1, sizeof(*env));
	const char *eq;

	for (i = 0; i < n; i++) {
		eq = strchr(d->environ[i], '=');
		len = eq != NULL ? (size_t)(eq - d->environ[i]) : 0;
		for (j = 0; len > 0 && j < d->nenv; j++)
			if (strncmp(d->env[j], d->environ[i], len + 1) == 0)
				break;
		if (len == 0 || j == d->nenv)
			env[k++] = d->environ[i];
	}
	for (j = 0; j < d->nenv; j++) {
		/* A later entry of the same name wins: drop earlier ones. */
		eq = strchr(d->env[j], '=');
		len = eq != NULL ? (size_t)(eq - d->env[j]) : strlen(d->env[j]);
		for (i = j + 1; i < d->nenv; i++)
			if (strncmp(d->env[i], d->env[j], len) == 0 &&
			    d->env[i][len] == '=')
				break;
		if (i == d->nenv)
			env[k++] = d->env[j];
	}
	env[k] = NULL;
	return env;
}

static int
run_cache_key(struct sha256_ctx *ctx, const struct cache_hook_desc *d,
	      struct err *e)
{
	const char *argv[] = { "/bin/sh", "-c", d->cache_key, NULL };
	struct proc_result r;
	struct buf out = { 0 };
	char **env = hook_env(d);
	int rc;

	buf_add(&out, "", 0);
	rc = proc_capture((char *const *)argv, env, d->hook_dir, &out, &r);
	free(env);
	if (rc != 0)
		rc = err_set(e, NULL, 0, "cannot run cache_key: %s%s",
			     r.stage == PROC_STAGE_CWD ? "its directory: " : "",
			     strerror(r.error));
	else if (r.outcome != PROC_EXITED)
		rc = err_set(e, NULL, 0, "cache_key was killed by signal %d",
			     r.signal);
	else if (r.exit_code != 0)
		rc = err_set(e, NULL, 0, "cache_key exited %d", r.exit_code);
	else {
		put_str(ctx, "cache_key");
		put_str(ctx, d->cache_key);
		put_u64(ctx, (uint64_t)r.exit_code);
		put_bytes(ctx, out.p, out.len);
	}
	buf_release(&out);
	return rc;
}

/* --- inputs ------------------------------------------------------------------ */

struct cache_inputs {
	int listed;
	struct file_list fl;    /* the run directory's files, sorted */
};

struct cache_inputs *
cache_inputs_new(void)
{
	return xcalloc(1, sizeof(struct cache_inputs));
}

void
cache_inputs_free(struct cache_inputs *in)
{
	if (in == NULL)
		return;
	if (in->listed)
		file_list_release(&in->fl);
	free(in);
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
inputs_list(struct cache_inputs *in, struct err *e)
{
	struct err le;

	if (in->listed)
		return 0;
	if (files_list_in(&in->fl, NULL, FILES_SOURCE_ALL, NULL, 0, &le) != 0)
		return err_set(e, NULL, 0, "cannot list the files for inputs: %s",
			       le.msg);
	/* strcmp orders bytes as unsigned char: bytewise. */
	if (in->fl.n > 1)
		qsort(in->fl.v, in->fl.n, sizeof(*in->fl.v), cmp_path);
	in->listed = 1;
	return 0;
}

static int
put_inputs(struct sha256_ctx *ctx, const struct cache_hook_desc *d,
	   struct content_ids *ids, struct cache_inputs *in, struct err *e)
{
	struct strlist pats = { 0 };
	const char *p = d->inputs, *w;
	size_t i, matched = 0;
	int rc = 0;

	put_str(ctx, "inputs");
	put_str(ctx, d->inputs);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p != '\0' && *p != ' ' && *p != '\t' &&
		     *p != '\n' && *p != '\r'; p++)
			;
		strlist_push_owned(&pats, xstrndup(w, (size_t)(p - w)));
	}
	if (pats.n == 0 || inputs_list(in, e) != 0) {
		rc = pats.n == 0 ? 0 : -1;
		put_u64(ctx, 0);
		strlist_release(&pats);
		return rc;
	}
	for (i = 0; i < in->fl.n; i++)
		if (files_match_any(in->fl.v[i], pats.v, pats.n))
			matched++;
	put_u64(ctx, matched);
	for (i = 0; i < in->fl.n && rc == 0; i++) {
		const char *id;

		if (!files_match_any(in->fl.v[i], pats.v, pats.n))
			continue;
		if ((id = content_id(ids, in->fl.v[i])) == NULL) {
			rc = err_set(e, NULL, 0, "cannot read inputs file %s",
				     in->fl.v[i]);
			break;
		}
		put_str(ctx, in->fl.v[i]);
		put_str(ctx, id);
	}
	strlist_release(&pats);
	return rc;
}

/* --- the keys ---------------------------------------------------------------- */

int
cache_key_hook(unsigned char out[CACHE_KEY_LEN],
	       const struct cache_hook_desc *d, struct content_ids *ids,
	       struct cache_inputs *in, struct err *e)
{
	struct sha256_ctx ctx;
	struct content_ids *own_ids = NULL;
	struct cache_inputs *own_in = NULL;
	int rc = 0;

	sha256_init(&ctx);
	put_str(&ctx, "hookwave-cache-1");
	put_str(&ctx, d->command);
	put_list(&ctx, d->env, d->nenv);
	put_str(&ctx, d->cwd);
	put_list(&ctx, d->files, d->nfiles);
	put_list(&ctx, d->exclude, d->nexclude);
	if (d->select != NULL) {        /* absent: keys stay as they were */
		put_str(&ctx, "select");
		put_str(&ctx, d->select);
	}

	if (d->cache_key != NULL) {
		rc = run_cache_key(&ctx, d, e);
	} else {
		struct stat st;
		char *word = NULL, *found = resolve_program(d, &st, &word);

		if (found != NULL) {
			put_str(&ctx, "program");
			put_str(&ctx, found);
			put_u64(&ctx, (uint64_t)st.st_size);
			put_u64(&ctx, (uint64_t)st.st_mtim.tv_sec);
			put_u64(&ctx, (uint64_t)st.st_mtim.tv_nsec);
		} else {
			put_str(&ctx, "word");
			put_str(&ctx, word);
		}
		free(found);
		free(word);
	}

	if (rc == 0 && d->inputs != NULL) {
		if (ids == NULL)
			ids = own_ids = content_ids_open(NULL, 0, e);
		if (in == NULL)
			in = own_in = cache_inputs_new();
		rc = put_inputs(&ctx, d, ids, in, e);
	} else if (rc == 0) {
		put_str(&ctx, "no inputs");
	}
	content_ids_close(own_ids);
	cache_inputs_free(own_in);
	if (rc == 0)
		sha256_digest(&ctx, CACHE_KEY_LEN, out);
	return rc;
}

/* Indices ordered by the path they point at (qsort_r's `arg`). */
static int
cmp_idx_path(const void *a, const void *b, void *arg)
{
	const char *const *paths = arg;

	return strcmp(paths[*(const size_t *)a], paths[*(const size_t *)b]);
}

void
cache_key_set(unsigned char set[CACHE_KEY_LEN], const char *const *paths,
	      const char *const *ids, size_t n)
{
	struct sha256_ctx ctx;
	size_t *idx = NULL, i;

	/* A listing comes in order more often than not: a sort only when
	   it is not. */
	for (i = 1; i < n && strcmp(paths[i - 1], paths[i]) < 0; i++)
		;
	if (i < n) {
		idx = xcalloc(n, sizeof(*idx));
		for (i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof(*idx), cmp_idx_path, (void *)paths);
	}
	sha256_init(&ctx);
	put_str(&ctx, "hookwave-cache-set-1");
	put_u64(&ctx, n);
	for (i = 0; i < n; i++) {
		size_t j = idx != NULL ? idx[i] : i;

		put_str(&ctx, paths[j]);
		put_id(&ctx, ids[j]);
	}
	sha256_digest(&ctx, CACHE_KEY_LEN, set);
	free(idx);
}

void
cache_key_whole_of(unsigned char out[CACHE_KEY_LEN],
		   const unsigned char hook[CACHE_KEY_LEN],
		   const unsigned char set[CACHE_KEY_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	put_str(&ctx, "hookwave-cache-whole-2");
	put_bytes(&ctx, hook, CACHE_KEY_LEN);
	put_bytes(&ctx, set, CACHE_KEY_LEN);
	sha256_digest(&ctx, CACHE_KEY_LEN, out);
}

void
cache_key_whole(unsigned char out[CACHE_KEY_LEN],
		const unsigned char hook[CACHE_KEY_LEN],
		const char *const *paths, const char *const *ids, size_t n)
{
	unsigned char set[CACHE_KEY_LEN];

	cache_key_set(set, paths, ids, n);
	cache_key_whole_of(out, hook, set);
}

void
cache_key_hex(char out[2 * CACHE_KEY_LEN + 1],
	      const unsigned char k[CACHE_KEY_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < CACHE_KEY_LEN; i++) {
		out[2 * i] = hex[k[i] >> 4];
		out[2 * i + 1] = hex[k[i] & 15];
	}
	out[2 * CACHE_KEY_LEN] = '\0';
}
