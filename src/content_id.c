/*
 * content_id.c - a content id per path: git's blob ids where git vouches
 * for the work tree, SHA-256 of the bytes elsewhere. See content_id.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "content_id.h"
#include "gitdir.h"
#include "hashmap.h"
#include "proc.h"
#include "util.h"

extern char **environ;

/* One path asked for or tracked by git. */
struct entry {
	const char *path;       /* in ls.p, or owned (path_owned) */
	const char *id;         /* when done: the id or NULL; in ls.p for a
				   blob id, else owned (id_owned) */
	unsigned char done;     /* id is the answer */
	unsigned char queued;   /* in a prefetch's list */
	unsigned char blob;     /* id holds a blob id git may vouch for */
	unsigned char path_owned, id_owned;
};

struct content_ids {
	struct buf ls;          /* git ls-files' output; blob ids made
				   "g..." strings in place */
	struct entry *v;
	size_t n, alloc;
	struct hashmap map;     /* path -> index into v */
	int use_git;            /* blob ids are trusted */
};

/* --- the table of paths ----------------------------------------------------- */

struct lookup {
	const char *path;
	const struct content_ids *c;
};

static int
same_path(const void *key, size_t i)
{
	const struct lookup *l = key;

	return strcmp(l->path, l->c->v[i].path) == 0;
}

static size_t
find(const struct content_ids *c, const char *path)
{
	struct lookup k = { path, c };

	return hashmap_find(&c->map, hash_str(path), &k, same_path);
}

/* Add a path not yet in the table; its index. */
static size_t
add(struct content_ids *c, const char *path, int owned)
{
	struct entry *e;

	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 256;
		c->v = xreallocarray(c->v, c->alloc, sizeof(*c->v));
	}
	e = &c->v[c->n];
	memset(e, 0, sizeof(*e));
	e->path = owned ? xstrdup(path) : path;
	e->path_owned = (unsigned char)owned;
	hashmap_put(&c->map, hash_str(path), c->n);
	return c->n++;
}

/* --- hashing ----------------------------------------------------------------- */

static char *
hex_id(char kind, const unsigned char *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *s = xmalloc(2 * n + 2), *p = s;
	size_t i;

	*p++ = kind;
	for (i = 0; i < n; i++) {
		*p++ = hex[d[i] >> 4];
		*p++ = hex[d[i] & 15];
	}
	*p = '\0';
	return s;
}

/* "l" + SHA-256 of a symbolic link's target, or NULL. */
static char *
link_id(const char *path)
{
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	struct stat st;
	size_t size;
	char *target = NULL;
	ssize_t got;

	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
		return NULL;
	size = st.st_size > 0 ? (size_t)st.st_size + 1 : 256;
	for (;;) {
		target = xrealloc(target, size);
		got = readlink(path, target, size);
		if (got < 0) {
			free(target);
			return NULL;
		}
		if ((size_t)got < size)
			break;
		size *= 2;      /* it grew meanwhile */
	}
	sha256_init(&ctx);
	sha256_update(&ctx, (size_t)got, (const uint8_t *)target);
	sha256_digest(&ctx, sizeof(d), d);
	free(target);
	return hex_id('l', d, sizeof(d));
}

/*
 * The id of a path read from the disk: "s" + SHA-256 of a regular
 * file, "l" + ... of a symlink, NULL for anything else, a read error or
 * a file whose size or mtime changed while it was read. Thread-safe.
 */
static char *
disk_id(const char *path)
{
	unsigned char d[SHA256_DIGEST_SIZE];
	unsigned char buf[65536];
	struct sha256_ctx ctx;
	struct stat before, after;
	long long total = 0;
	ssize_t got;
	int fd;

	/* O_NONBLOCK: a fifo must not block the open (it is refused). */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
		  O_NOCTTY);
	if (fd < 0)
		return errno == ELOOP ? link_id(path) : NULL;
	if (fstat(fd, &before) != 0 || !S_ISREG(before.st_mode)) {
		close(fd);
		return NULL;
	}
	sha256_init(&ctx);
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		sha256_update(&ctx, (size_t)got, buf);
		total += got;
	}
	if (got < 0 || fstat(fd, &after) != 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	if (total != (long long)before.st_size ||
	    after.st_size != before.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
		return NULL;
	sha256_digest(&ctx, sizeof(d), d);
	return hex_id('s', d, sizeof(d));
}

/* --- running git ------------------------------------------------------------- */

/* hookwave's environment with GIT_OPTIONAL_LOCKS=0: status must not
   write the index while the user's git or another run holds it. */
static char **
git_env(void)
{
	static char locks[] = "GIT_OPTIONAL_LOCKS=0";
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	for (n = 0; environ[n] != NULL; n++)
		if (strncmp(environ[n], "GIT_OPTIONAL_LOCKS=", 19) != 0)
			env[k++] = environ[n];
	env[k] = locks;
	return env;
}

/* Run git with argv in the current directory into `out`; `ok_codes`
   exit statuses (a bit each) count as success. */
static int
git_read(char *const *argv, char *const *env, struct buf *out,
	 unsigned ok_codes, int *code, struct err *e)
{
	struct proc_result r;
	const char *what = argv[1];

	if (strcmp(what, "-c") == 0)
		what = argv[3];
	buf_add(out, "", 0);
	if (proc_capture(argv, env, NULL, out, &r) != 0)
		return err_set(e, NULL, 0, "cannot run git %s: %s", what,
			       strerror(r.error));
	if (r.outcome != PROC_EXITED)
		return err_set(e, NULL, 0, "git %s was killed (signal %d)",
			       what, r.signal);
	if (code != NULL)
		*code = r.exit_code;
	if (r.exit_code >= 32 || !(ok_codes & (1u << r.exit_code)))
		return err_set(e, NULL, 0, "git %s failed (exit %d)", what,
			       r.exit_code);
	return 0;
}

static const char *const ls_argv[] = {
	"git", "ls-files", "-s", "-v", "-z", NULL
};

static const char *const config_argv[] = {
	"git", "config", "-z", "--get-regexp",
	"^core\\.(autocrlf|attributesfile)$", NULL
};

/* What the second thread asks: the index, then the configuration. */
struct ls_job {
	pthread_t tid;
	char **env;
	int rc;
	struct err e;
	struct buf ls;
	int config_rc;          /* 0: config holds the answer */
	struct buf config;
};

static void
ls_run(struct ls_job *j)
{
	struct err ignored;

	j->rc = git_read((char *const *)ls_argv, j->env, &j->ls, 1, NULL, &j->e);
	/* 1: none of the keys is set. A failure counts as "converts". */
	j->config_rc = j->rc != 0 ? -1 :
		git_read((char *const *)config_argv, j->env, &j->config, 3, NULL, &ignored);
}

static void *
ls_main(void *arg)
{
	ls_run(arg);
	return NULL;
}

/* --- end of line conversions and filters ------------------------------ */

/* Attributes that make git compare a converted file with its blob. */
static int
converting_attr(const char *t, size_t n)
{
	static const char *const names[] = {
		"text", "eol", "crlf", "filter", "ident",
		"working-tree-encoding"
	};
	size_t i, len;

	if (t[0] == '-' || t[0] == '!')
		return 0;       /* unset or unspecified */
	for (len = 0; len < n && t[len] != '='; len++)
		;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && memcmp(names[i], t, len) == 0)
			return 1;
	return 0;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* May the attribute lines in p[0..n) set a conversion? */
static int
attr_text_converts(const char *p, size_t n)
{
	const char *end = p + n, *eol, *t;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		while (p < eol && is_blank(*p))
			p++;
		if (p == eol || *p == '#')
			continue;
		if ((size_t)(eol - p) >= 6 && memcmp(p, "[attr]", 6) == 0)
			return 1;       /* a macro may set anything */
		if (*p == '"') {        /* a quoted pattern */
			for (p++; p < eol && *p != '"'; p++)
				if (*p == '\\' && p + 1 < eol)
					p++;
			p++;
		} else {
			while (p < eol && !is_blank(*p))
				p++;
		}
		while (p < eol) {
			while (p < eol && is_blank(*p))
				p++;
			for (t = p; p < eol && !is_blank(*p); p++)
				;
			if (p > t && converting_attr(t, (size_t)(p - t)))
				return 1;
		}
	}
	return 0;
}

/* May the attributes file at `path` set a conversion? `missing`: the
   answer when it does not exist. Anything unreadable: yes. */
static int
attr_file_converts(const char *path, int missing)
{
	struct buf b = { 0 };
	char chunk[8192];
	ssize_t got;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? missing : 1;
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || b.len > (1u << 20))
			break;
		buf_add(&b, chunk, (size_t)got);
	}
	close(fd);
	rc = got != 0 ? 1 : attr_text_converts(b.p ? b.p : "", b.len);
	buf_release(&b);
	return rc;
}

/*
 * The value of `key` in git config's -z --get-regexp output ("key\n
 * value\0", or "key\0" for a bare boolean), the last one set: *set 1
 * and the value (NULL: bare) in a malloc'd copy.
 */
static char *
config_value(const struct buf *b, const char *key, int *set)
{
	const char *p = b->p, *end = b->p + b->len, *nul, *nl;
	char *v = NULL;
	size_t klen = strlen(key);

	*set = 0;
	for (; p != NULL && p < end; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		nl = memchr(p, '\n', (size_t)(nul - p));
		if ((size_t)((nl ? nl : nul) - p) != klen ||
		    memcmp(p, key, klen) != 0)
			continue;
		free(v);
		*set = 1;
		v = nl != NULL ? xstrndup(nl + 1, (size_t)(nul - nl - 1)) : NULL;
	}
	return v;
}

/*
 * Could git's view of a tracked file differ from its bytes here: is
 * core.autocrlf on, or may an attributes file that applies set a
 * conversion? `tracked_attrs`: the .gitattributes tracked below the
 * run directory.
 */
static int
conversions_possible(const struct gitdir *g, const struct ls_job *j,
		     const struct strlist *tracked_attrs)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *nosys = getenv("GIT_ATTR_NOSYSTEM");
	char *v, *path;
	int set, bad = 0, b;
	size_t i;

	if (j->config_rc != 0)
		return 1;
	v = config_value(&j->config, "core.autocrlf", &set);
	if (set) {
		b = v != NULL ? parse_bool(v) : 1;
		bad = b != 0;   /* true, input, or what we cannot read */
	}
	free(v);
	if (bad)
		return 1;

	if (nosys == NULL || parse_bool(nosys) != 1)
		if (attr_file_converts("/etc/gitattributes", 0))
			return 1;

	v = config_value(&j->config, "core.attributesfile", &set);
	if (set && v == NULL)
		path = NULL;
	else if (set && strncmp(v, "~/", 2) == 0 && home != NULL)
		path = xasprintf("%s/%s", home, v + 2);
	else if (set)
		path = xstrdup(v);
	else if (xdg != NULL && *xdg != '\0')
		path = xasprintf("%s/git/attributes", xdg);
	else if (home != NULL)
		path = xasprintf("%s/.config/git/attributes", home);
	else
		path = NULL;
	free(v);
	if (path != NULL) {
		bad = attr_file_converts(path, 0);
		free(path);
		if (bad)
			return 1;
	}

	path = xasprintf("%s/info/attributes", g->common_dir);
	bad = attr_file_converts(path, 0);
	free(path);
	if (bad)
		return 1;

	/* From the top of the work tree down to the run directory. */
	path = xasprintf("%s/.gitattributes", g->work_tree);
	bad = attr_file_converts(path, 0);
	free(path);
	for (i = 0; !bad && g->prefix[i] != '\0'; i++) {
		if (g->prefix[i] != '/')
			continue;
		path = xasprintf("%s/%.*s/.gitattributes", g->work_tree,
				 (int)i, g->prefix);
		bad = attr_file_converts(path, 0);
		free(path);
	}
	if (bad)
		return 1;

	for (i = 0; i < tracked_attrs->n; i++)
		if (attr_file_converts(tracked_attrs->v[i], 1))
			return 1;
	return 0;
}

/* --- what git says ----------------------------------------------------------- */

static const char *
skip_field(const char *p, const char *end)
{
	p = memchr(p, ' ', (size_t)(end - p));
	return p != NULL ? p + 1 : NULL;
}

/*
 * Parse `git ls-files -s -v -z`: "T MODE BLOB STAGE\tPATH\0". Every
 * stage-0 path gets an entry; a blob id git may vouch for (tag H: not
 * assume-unchanged nor skip-worktree; not a submodule) is made a
 * "g..." string in place and the entry marked `blob`.
 */
static int
parse_ls(struct content_ids *c, struct strlist *attrs)
{
	char *p = c->ls.p, *end = c->ls.p + c->ls.len, *nul;
	char *mode, *blob, *stage, *path, *tab, *base;
	size_t i;

	for (; p != NULL && p < end; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			return -1;
		if (nul - p < 4 || p[1] != ' ')
			return -1;
		mode = p + 2;
		if ((blob = (char *)skip_field(mode, nul)) == NULL ||
		    (stage = (char *)skip_field(blob, nul)) == NULL ||
		    (tab = memchr(stage, '\t', (size_t)(nul - stage))) == NULL ||
		    tab != stage + 1 || stage[0] < '0' || stage[0] > '3')
			return -1;
		path = tab + 1;
		if (stage[0] != '0')
			continue;       /* unmerged: hashed when asked */
		if (find(c, path) != HASHMAP_NONE)
			continue;
		i = add(c, path, 0);
		base = strrchr(path, '/');
		if (strcmp(base != NULL ? base + 1 : path, ".gitattributes") == 0)
			strlist_push(attrs, path);
		if (strncmp(mode, "160000 ", 7) == 0) {
			c->v[i].done = 1;       /* a submodule: no id */
			continue;
		}
		if (p[0] != 'H')
			continue;
		/* "MODE BLOB STAGE": the space before the blob becomes
		   its "g", the one after ends it. */
		blob[-1] = 'g';
		stage[-1] = '\0';
		c->v[i].id = blob - 1;
		c->v[i].blob = 1;
	}
	return 0;
}

/*
 * Parse `git status --porcelain=v2 -z` (paths from the top of the work
 * tree) and take the blob id away from every path changed in the work tree
 * ("1"/"2" entries whose second XY letter is not '.', and "u").
 */
static int
parse_status(struct content_ids *c, const struct buf *b, const char *prefix)
{
	const char *p = b->p, *end = b->p + b->len, *nul, *q;
	size_t plen = strlen(prefix), i, fields;
	int dirty, skip_next;

	for (; p != NULL && p < end; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			return -1;
		switch (p[0]) {
		case '1': fields = 8; skip_next = 0; break;
		case '2': fields = 9; skip_next = 1; break;
		case 'u': fields = 10; skip_next = 0; break;
		case '#': case '?': case '!': continue;
		default: return -1;
		}
		if (nul - p < 5 || p[1] != ' ')
			return -1;
		dirty = p[0] == 'u' || p[3] != '.';
		for (q = p, i = 0; q != NULL && i < fields; i++)
			q = skip_field(q, nul);
		if (q == NULL)
			return -1;
		if (dirty && strncmp(q, prefix, plen) == 0 &&
		    (i = find(c, q + plen)) != HASHMAP_NONE)
			c->v[i].blob = 0;
		if (skip_next) {        /* "2": the original path follows */
			nul = memchr(nul + 1, '\0', (size_t)(end - nul - 1));
			if (nul == NULL)
				return -1;
		}
	}
	return 0;
}

/* --- asking git, early or now ----------------------------------------------- */

static const char *const status_argv[] = {
	"git", "-c", "status.relativePaths=false", "status",
	"--porcelain=v2", "-z", "--untracked-files=no",
	"--no-renames", "--ignore-submodules=all", "--", ".", NULL
};

/* git's answers, being worked out on up to two threads. */
struct content_ids_git {
	int index_mode;
	struct ls_job j;        /* ls-files and config */
	int ls_threaded;
	pthread_t status_tid;
	int status_threaded;
	int status_rc;
	struct err se;
	struct buf status;
};

static void
status_run(struct content_ids_git *a)
{
	a->status_rc = git_read((char *const *)status_argv, a->j.env,
				&a->status, 1, NULL, &a->se);
}

static void *
status_main(void *arg)
{
	status_run(arg);
	return NULL;
}

/*
 * Start git: ls-files (then config) and, but in index mode, status
 * ("-- ." is the whole tree at the top and the run directory below it:
 * the same as no pathspec at the top, where it costs nothing more). With
 * `now`, on this thread and the one more a status needs.
 */
static struct content_ids_git *
ask(int index_mode, int now)
{
	struct content_ids_git *a = xcalloc(1, sizeof(*a));

	a->index_mode = index_mode;
	a->j.env = git_env();
	if (!index_mode)
		a->status_threaded = pthread_create(&a->status_tid, NULL,
						    status_main, a) == 0;
	if (!now)
		a->ls_threaded = pthread_create(&a->j.tid, NULL, ls_main,
						&a->j) == 0;
	if (!a->ls_threaded)
		ls_run(&a->j);
	if (!index_mode && !a->status_threaded)
		status_run(a);
	return a;
}

static void
join(struct content_ids_git *a)
{
	if (a->ls_threaded)
		pthread_join(a->j.tid, NULL);
	if (a->status_threaded)
		pthread_join(a->status_tid, NULL);
	a->ls_threaded = a->status_threaded = 0;
}

struct content_ids_git *
content_ids_ask_git(int index_mode)
{
	return ask(index_mode, 0);
}

void
content_ids_git_drop(struct content_ids_git *a)
{
	if (a == NULL)
		return;
	join(a);
	buf_release(&a->j.ls);
	buf_release(&a->j.config);
	buf_release(&a->status);
	free(a->j.env);
	free(a);
}

/* --- the interface ----------------------------------------------------------- */

struct content_ids *
content_ids_open(const struct gitdir *g, int index_mode, struct err *e)
{
	return content_ids_open_asked(g, index_mode, NULL, e);
}

struct content_ids *
content_ids_open_asked(const struct gitdir *g, int index_mode,
		       struct content_ids_git *a, struct err *e)
{
	struct content_ids *c = xcalloc(1, sizeof(*c));
	struct strlist attrs = { 0 };
	size_t i;

	if (g != NULL && g->state == GITDIR_ERROR) {
		err_set(e, NULL, 0, "%s", g->error != NULL ? g->error :
			"git could not be asked about the repository");
		free(c);
		content_ids_git_drop(a);
		return NULL;
	}
	if (g == NULL || g->state != GITDIR_REPO || !g->inside_work_tree ||
	    g->work_tree == NULL || g->prefix == NULL) {
		content_ids_git_drop(a);
		return c;       /* outside git: every file is hashed */
	}
	if (a != NULL && a->index_mode != index_mode) {
		content_ids_git_drop(a);
		a = NULL;
	}
	if (a == NULL)
		a = ask(index_mode, 1);
	join(a);

	if (a->j.rc != 0 || (!index_mode && a->status_rc != 0)) {
		if (e != NULL)
			*e = a->j.rc != 0 ? a->j.e : a->se;
		goto fail;
	}
	buf_release(&c->ls);
	c->ls = a->j.ls;
	memset(&a->j.ls, 0, sizeof(a->j.ls));
	if (parse_ls(c, &attrs) != 0) {
		err_set(e, NULL, 0, "git ls-files printed what cannot be parsed");
		goto fail;
	}
	if (!index_mode && parse_status(c, &a->status, g->prefix) != 0) {
		err_set(e, NULL, 0, "git status printed what cannot be parsed");
		goto fail;
	}
	c->use_git = !conversions_possible(g, &a->j, &attrs);
	for (i = 0; i < c->n; i++) {
		if (c->use_git && c->v[i].blob)
			c->v[i].done = 1;
		else if (!c->v[i].done)
			c->v[i].id = NULL;      /* hashed when asked */
	}
	strlist_release(&attrs);
	content_ids_git_drop(a);
	return c;
fail:
	strlist_release(&attrs);
	content_ids_git_drop(a);
	content_ids_close(c);
	return NULL;
}

const char *
content_id(struct content_ids *c, const char *path)
{
	size_t i = find(c, path);
	struct entry *e;

	if (i == HASHMAP_NONE)
		i = add(c, path, 1);
	e = &c->v[i];
	if (!e->done) {
		e->id = disk_id(e->path);
		e->id_owned = e->id != NULL;
		e->done = 1;
	}
	return e->id;
}

/* The prefetch's workers share a list of entries to hash. */
struct hash_work {
	struct entry *v;
	const size_t *todo;
	size_t n;
	atomic_size_t next;
};

static void *
hash_worker(void *arg)
{
	struct hash_work *w = arg;
	size_t k;

	while ((k = atomic_fetch_add(&w->next, 1)) < w->n) {
		struct entry *e = &w->v[w->todo[k]];

		e->id = disk_id(e->path);
	}
	return NULL;
}

void
content_ids_prefetch(struct content_ids *c, const char *const *paths,
		     size_t n)
{
	struct hash_work w;
	pthread_t tid[3];
	size_t *todo = NULL, ntodo = 0, i, nthreads = 0;
	long cpus;

	for (i = 0; i < n; i++) {
		size_t at = find(c, paths[i]);

		if (at == HASHMAP_NONE)
			at = add(c, paths[i], 1);
		if (c->v[at].done || c->v[at].queued)
			continue;
		c->v[at].queued = 1;
		if (ntodo == 0)
			todo = xcalloc(n, sizeof(*todo));
		todo[ntodo++] = at;
	}
	if (ntodo == 0)
		return;
	/* The entries table is not grown until the workers are joined. */
	w.v = c->v;
	w.todo = todo;
	w.n = ntodo;
	atomic_init(&w.next, 0);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ntodo >= 16) {
		/* Two threads at least: reading overlaps hashing. */
		nthreads = cpus >= 4 ? 3 : 1;
		for (i = 0; i < nthreads; i++)
			if (pthread_create(&tid[i], NULL, hash_worker, &w) != 0)
				break;
		nthreads = i;
	}
	hash_worker(&w);
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < ntodo; i++) {
		struct entry *e = &c->v[todo[i]];

		e->id_owned = e->id != NULL;
		e->done = 1;
		e->queued = 0;
	}
	free(todo);
}

int
content_ids_use_git(const struct content_ids *c)
{
	return c->use_git;
}

void
content_ids_close(struct content_ids *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->v[i].path_owned)
			free((char *)c->v[i].path);
		if (c->v[i].id_owned)
			free((char *)c->v[i].id);
	}
	free(c->v);
	hashmap_release(&c->map);
	buf_release(&c->ls);
	free(c);
}
