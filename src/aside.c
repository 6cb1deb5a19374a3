/*
 * aside.c - set unstaged changes aside for a staged run, and put them
 * back. See aside.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aside.h"
#include "atomic_file.h"
#include "lock.h"
#include "proc.h"

extern char **environ;

#define RECORD_MAGIC "hookwave-aside 1\n"
/* A git command line's paths, at most this many bytes of them. */
#define ARGV_BYTES (64 * 1024)

/* --- the record ------------------------------------------------------------ */

struct aside_entry *
aside_record_add(struct aside_record *r, const char *path)
{
	struct aside_entry *x;

	if (r->n == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 16;
		r->v = xreallocarray(r->v, r->alloc, sizeof(*r->v));
	}
	x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	x->path = xstrdup(path);
	return x;
}

void
aside_record_release(struct aside_record *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].path);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/*
 * Header lines, then per entry one line of numbers and a space before
 * the path, which ends with a NUL (a path may hold a newline), then
 * "end\n": a record cut short is seen as such.
 */
void
aside_record_format(const struct aside_record *r, struct buf *out)
{
	size_t i;

	buf_adds(out, RECORD_MAGIC);
	buf_printf(out, "pid %ld\nstart %lld\nentries %zu\n", r->pid, r->start,
		   r->n);
	for (i = 0; i < r->n; i++) {
		const struct aside_entry *x = &r->v[i];

		buf_printf(out, "%c %o %o %llu %llu %lld %ld %u ", (int)x->kind,
			   x->perm, x->index_mode, x->size, x->offset,
			   x->mtime_sec, x->mtime_nsec, x->keep_dirs);
		buf_add(out, x->path, strlen(x->path) + 1);
	}
	buf_adds(out, "end\n");
}

/* One "NAME VALUE\n" header line; advances *p. */
static int
header_ll(const char **p, const char *end, const char *name, long long *v)
{
	size_t n = strlen(name);
	char *stop;

	if ((size_t)(end - *p) <= n || strncmp(*p, name, n) != 0 ||
	    (*p)[n] != ' ')
		return -1;
	errno = 0;
	*v = strtoll(*p + n + 1, &stop, 10);
	if (errno != 0 || stop == *p + n + 1 || stop >= end || *stop != '\n')
		return -1;
	*p = stop + 1;
	return 0;
}

/* The next number of an entry line, then one space; advances *p. */
static int
field(const char **p, const char *end, int base, unsigned long long *v)
{
	char *stop;

	if (*p >= end || **p < '0' || **p > '9')
		return -1;
	errno = 0;
	*v = strtoull(*p, &stop, base);
	if (errno != 0 || stop >= end || *stop != ' ')
		return -1;
	*p = stop + 1;
	return 0;
}

int
aside_record_parse(struct aside_record *r, const char *p, size_t n,
		   unsigned long long data_size, struct err *e)
{
	const char *end = p + n;
	long long pid, start, count;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (n < strlen(RECORD_MAGIC) || memcmp(p, RECORD_MAGIC,
					       strlen(RECORD_MAGIC)) != 0)
		return err_set(e, NULL, 0, "not a set-aside record");
	p += strlen(RECORD_MAGIC);
	if (header_ll(&p, end, "pid", &pid) != 0 ||
	    header_ll(&p, end, "start", &start) != 0 ||
	    header_ll(&p, end, "entries", &count) != 0 || pid < 0 ||
	    count < 0)
		return err_set(e, NULL, 0, "bad set-aside record header");
	r->pid = (long)pid;
	r->start = start;
	for (i = 0; i < (size_t)count; i++) {
		unsigned long long f[7];
		const char *nul;
		struct aside_entry *x;
		char kind;
		int k;

		if (end - p < 2 || p[1] != ' ')
			goto bad;
		kind = p[0];
		if (kind != ASIDE_FILE && kind != ASIDE_LINK &&
		    kind != ASIDE_GONE)
			goto bad;
		p += 2;
		for (k = 0; k < 7; k++)
			if (field(&p, end, k < 2 ? 8 : 10, &f[k]) != 0)
				goto bad;
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL || nul == p || f[0] > 07777 ||
		    f[1] > 0177777 || f[6] > 4096 || f[5] > 999999999 ||
		    f[2] > data_size || f[3] > data_size - f[2] ||
		    (kind == ASIDE_GONE && f[2] != 0))
			goto bad;
		x = aside_record_add(r, p);
		x->kind = (enum aside_kind)kind;
		x->perm = (unsigned)f[0];
		x->index_mode = (unsigned)f[1];
		x->size = f[2];
		x->offset = f[3];
		x->mtime_sec = (long long)f[4];
		x->mtime_nsec = (long)f[5];
		x->keep_dirs = (unsigned)f[6];
		p = nul + 1;
	}
	if (end - p != 4 || memcmp(p, "end\n", 4) != 0)
		goto bad;
	return 0;
bad:
	aside_record_release(r);
	return err_set(e, NULL, 0, "bad set-aside record entry %zu", i + 1);
}

/* --- what git says ----------------------------------------------------------- */

/* A mode git may set aside: a file, an executable, a link. */
static int
plain_mode(unsigned long m)
{
	return m == 0100644 || m == 0100755 || m == 0120000;
}

void
aside_changes_free(struct aside_change *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

int
aside_parse_raw(const char *p, size_t n, struct aside_change **v,
		size_t *nv)
{
	const char *end = p + n;

	while (p < end) {
		unsigned long src, dst;
		const char *path, *nul, *oid, *oid2;
		struct aside_change *c;
		char *stop;
		size_t olen;

		/* ":SRC DST OLDOID NEWOID STATUS\0PATH\0" */
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL || *p != ':')
			return -1;
		src = strtoul(p + 1, &stop, 8);
		if (*stop != ' ')
			return -1;
		dst = strtoul(stop + 1, &stop, 8);
		if (*stop != ' ')
			return -1;
		oid = stop + 1;
		olen = strspn(oid, "0123456789abcdef");
		oid2 = oid + olen + 1;
		if (olen == 0 || olen > 64 || oid[olen] != ' ' ||
		    strspn(oid2, "0123456789abcdef") != olen ||
		    oid2[olen] != ' ' || oid2 + olen + 2 != nul)
			return -1;
		path = nul + 1;
		if (path >= end || (nul = memchr(path, '\0',
					(size_t)(end - path))) == NULL)
			return -1;
		p = nul + 1;
		switch (path[-2]) {
		case 'M':
		case 'T':
			if (!plain_mode(src) || !plain_mode(dst))
				continue;
			break;
		case 'D':
			if (!plain_mode(src))
				continue;
			break;
		default:        /* A: intent-to-add; U: unmerged */
			continue;
		}
		*v = xreallocarray(*v, *nv + 1, sizeof(**v));
		c = &(*v)[(*nv)++];
		c->path = xstrdup(path);
		c->index_mode = (unsigned)src;
		memcpy(c->index_oid, oid, olen);
		c->index_oid[olen] = '\0';
		c->verify = path[-2] == 'M' && src == dst && src != 0120000 &&
			    strspn(oid2, "0") == olen;
	}
	return 0;
}

unsigned long long
aside_hash(const void *p, size_t n)
{
	const unsigned char *c = p;
	unsigned long long h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define PRINTS_MAGIC "hookwave-checked 1\n"

void
aside_prints_format(const struct aside_print *v, size_t n, struct buf *out)
{
	size_t i;

	buf_adds(out, PRINTS_MAGIC);
	for (i = 0; i < n; i++)
		buf_printf(out, "%c %o %llu %016llx\n", (int)v[i].kind,
			   v[i].perm, v[i].size, v[i].hash);
	buf_adds(out, "end\n");
}

int
aside_prints_parse(struct aside_print *v, size_t n, const char *p,
		   size_t len)
{
	const char *end = p + len;
	size_t i;

	if (len < strlen(PRINTS_MAGIC) ||
	    memcmp(p, PRINTS_MAGIC, strlen(PRINTS_MAGIC)) != 0)
		return -1;
	p += strlen(PRINTS_MAGIC);
	for (i = 0; i < n; i++) {
		unsigned long long f[3];
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char *stop;

		if (eol == NULL || eol - p < 2 || p[1] != ' ' ||
		    (p[0] != ASIDE_FILE && p[0] != ASIDE_LINK &&
		     p[0] != ASIDE_GONE))
			return -1;
		v[i].kind = (enum aside_kind)p[0];
		p += 2;
		if (field(&p, eol, 8, &f[0]) != 0 ||
		    field(&p, eol, 10, &f[1]) != 0 || f[0] > 07777)
			return -1;
		errno = 0;
		f[2] = strtoull(p, &stop, 16);
		if (errno != 0 || stop != eol || stop - p != 16)
			return -1;
		v[i].perm = (unsigned)f[0];
		v[i].size = f[1];
		v[i].hash = f[2];
		p = eol + 1;
	}
	return end - p == 4 && memcmp(p, "end\n", 4) == 0 ? 0 : -1;
}

const char *
aside_in_progress(const char *git_dir)
{
	static const struct {
		const char *file, *what;
	} marks[] = {
		{ "MERGE_HEAD", "merge" },
		{ "CHERRY_PICK_HEAD", "cherry-pick" },
		{ "REVERT_HEAD", "revert" },
		{ "rebase-merge", "rebase" },
		{ "rebase-apply", "rebase" },
	};
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(marks); i++) {
		char *p = xasprintf("%s/%s", git_dir, marks[i].file);
		int there = lstat(p, &st) == 0;

		free(p);
		if (there)
			return marks[i].what;
	}
	return NULL;
}

/* --- running git ------------------------------------------------------------- */

static void
capture(void *ctx, const char *b, size_t n)
{
	buf_add(ctx, b, n);
}

/* hookwave's environment, with the two settings every git here gets. */
static char **
git_env(void)
{
	static char locks[] = "GIT_OPTIONAL_LOCKS=0";
	static char literal[] = "GIT_LITERAL_PATHSPECS=1";
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (n = 0; environ[n] != NULL; n++)
		if (strncmp(environ[n], "GIT_OPTIONAL_LOCKS=", 19) != 0 &&
		    strncmp(environ[n], "GIT_LITERAL_PATHSPECS=", 22) != 0)
			env[k++] = environ[n];
	env[k++] = locks;
	env[k] = literal;
	return env;
}

/*
 * Run git with argv in `cwd`, stdout appended to `out` (may be NULL),
 * in a process group of its own. With `code` its exit status is given
 * back; without, anything but 0 is an error.
 */
static int
git_run(const char *cwd, char *const *argv, struct buf *out, int *code,
	struct err *e)
{
	struct proc_spec s;
	struct proc_result r;
	char **env = git_env();
	const char *what = argv[1];
	int rc;

	if (strcmp(what, "-c") == 0)
		what = argv[3];

	memset(&s, 0, sizeof(s));
	s.path = "git";
	s.argv = argv;
	s.envp = env;
	s.cwd = cwd;
	s.search_path = 1;
	s.stderr_null = 1;
	s.cancel_fd = -1;
	s.kill_fd = -1;
	s.on_output = out != NULL ? capture : NULL;
	s.ctx = out;
	if (out != NULL)
		buf_add(out, "", 0);
	rc = proc_run(&s, &r);
	free(env);
	if (rc != 0)
		return err_set(e, NULL, 0, "cannot run git %s: %s", what,
			       strerror(r.error));
	if (r.outcome != PROC_EXITED)
		return err_set(e, NULL, 0, "git %s was killed (signal %d)",
			       what, r.signal);
	if (code != NULL)
		*code = r.exit_code;
	else if (r.exit_code != 0)
		return err_set(e, NULL, 0, "git %s failed (exit %d)", what,
			       r.exit_code);
	return 0;
}

/*
 * Run git with `pre` (NULL-terminated), "--", and paths[0..n), as many
 * times as it takes to keep each command line short.
 */
static int
git_paths(const char *cwd, const char *const *pre, char *const *paths,
	  size_t n, struct buf *out, struct err *e)
{
	size_t npre = 0, i = 0;
	char **argv;
	int rc = 0;

	while (pre[npre] != NULL)
		npre++;
	argv = xcalloc(npre + n + 2, sizeof(*argv));
	memcpy(argv, pre, npre * sizeof(*argv));
	argv[npre] = (char *)"--";
	while (rc == 0 && i < n) {
		size_t k = npre + 1, bytes = 0;

		while (i < n && (k == npre + 1 || bytes < ARGV_BYTES)) {
			bytes += strlen(paths[i]) + 1;
			argv[k++] = paths[i++];
		}
		argv[k] = NULL;
		rc = git_run(cwd, argv, out, NULL, e);
	}
	free(argv);
	return rc;
}

/* --- files ------------------------------------------------------------------- */

/* The test hook of aside.h: SIGKILL ourselves at `point`. */
static void
die_at(const char *point)
{
	const char *want = getenv("HOOKWAVE_TEST_DIE_AT");

	if (want != NULL && strcmp(want, point) == 0)
		(void)kill(getpid(), SIGKILL);
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Read all of fd (at most `max` bytes) into out. */
static int
read_fd(int fd, struct buf *out, unsigned long long max)
{
	char chunk[65536];
	unsigned long long total = 0;

	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		total += (unsigned long long)got;
		if (total > max) {
			errno = EFBIG;
			return -1;
		}
		buf_add(out, chunk, (size_t)got);
	}
}

/* What a path of the work tree is now: a kind, and its bytes. */
struct version {
	enum aside_kind kind;
	unsigned perm;
	struct buf bytes;
};

/* Read `path` (under work tree `wt`) into v. -1 with errno. */
static int
read_version(const char *wt, const char *path, struct version *v,
	     struct stat *st)
{
	char *full = xasprintf("%s/%s", wt, path);
	int fd, rc = 0;

	memset(v, 0, sizeof(*v));
	buf_add(&v->bytes, "", 0);
	if (lstat(full, st) != 0) {
		rc = errno == ENOENT ? 0 : -1;
		v->kind = ASIDE_GONE;
	} else if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlink(full, target, sizeof(target));

		v->kind = ASIDE_LINK;
		if (n < 0 || n > PATH_MAX)
			rc = -1;
		else
			buf_add(&v->bytes, target, (size_t)n);
	} else if (S_ISREG(st->st_mode)) {
		v->kind = ASIDE_FILE;
		v->perm = st->st_mode & 07777;
		fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || read_fd(fd, &v->bytes, (unsigned long long)-1) != 0)
			rc = -1;
		if (fd >= 0)
			close(fd);
	} else {
		errno = EISDIR;
		rc = -1;
	}
	free(full);
	return rc;
}

/* Whether every leading directory of path is a real directory (no
   link, no file): git never looks past a link, nor shall we. */
static int
plain_parents(const char *wt, const char *path, unsigned *existing)
{
	const char *slash;
	struct stat st;
	int rc = 1;

	*existing = 0;
	for (slash = strchr(path, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		char *dir = xasprintf("%s/%.*s", wt, (int)(slash - path), path);

		if (lstat(dir, &st) != 0) {
			rc = errno == ENOENT ? 1 : 0;
			free(dir);
			break;
		}
		free(dir);
		if (!S_ISDIR(st.st_mode)) {
			rc = 0;
			break;
		}
		(*existing)++;
	}
	return rc;
}

/* mkdir -p of path's directory (under wt). */
static void
make_parents(const char *wt, const char *path)
{
	const char *slash;

	for (slash = strchr(path, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		char *dir = xasprintf("%s/%.*s", wt, (int)(slash - path), path);

		(void)mkdir(dir, 0777);
		free(dir);
	}
}

/*
 * Put entry x's version (bytes[0..n)) at its path: a new file or link
 * beside it, renamed over whatever is there; or no file at all.
 */
static int
put_version(const char *wt, const struct aside_entry *x, unsigned perm,
	    const char *bytes, size_t n)
{
	static unsigned long seq;
	char *full = xasprintf("%s/%s", wt, x->path), *tmp, *slash;
	int rc = -1, fd = -1, saved;

	if (x->kind == ASIDE_GONE) {
		rc = unlink(full) == 0 || errno == ENOENT ? 0 : -1;
		/* The directories the checkout made go too, if empty. */
		while (rc == 0 && (slash = strrchr(full, '/')) != NULL &&
		       slash > full + strlen(wt)) {
			unsigned depth = 0;
			const char *c;

			*slash = '\0';
			for (c = full + strlen(wt) + 1; *c != '\0'; c++)
				depth += *c == '/';
			if (depth + 1 <= x->keep_dirs || rmdir(full) != 0)
				break;
		}
		free(full);
		return rc;
	}
	make_parents(wt, x->path);
	slash = strrchr(full, '/');
	tmp = xasprintf("%.*s/.hookwave-aside-%ld-%lu", (int)(slash - full),
			full, (long)getpid(), ++seq);
	if (x->kind == ASIDE_LINK) {
		char *target = xstrndup(bytes, n);

		(void)unlink(tmp);
		rc = symlink(target, tmp);
		free(target);
	} else {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			  O_CLOEXEC, 0600);
		if (fd >= 0 && write_all(fd, bytes, n) == 0 &&
		    fchmod(fd, perm) == 0) {
			struct timespec t[2];

			t[0].tv_sec = 0;
			t[0].tv_nsec = UTIME_OMIT;
			t[1].tv_sec = (time_t)x->mtime_sec;
			t[1].tv_nsec = x->mtime_nsec;
			(void)futimens(fd, t);
			rc = 0;
		}
		if (fd >= 0 && close(fd) != 0)
			rc = -1;
	}
	if (rc == 0)
		rc = rename(tmp, full);
	saved = errno;
	if (rc != 0)
		(void)unlink(tmp);
	free(tmp);
	free(full);
	errno = saved;
	return rc;
}

/* Remove dir and the files in it (it holds no directory). */
static void
remove_flat(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		(void)unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	(void)rmdir(dir);
}

/* Write a whole file and fsync it. */
static int
write_synced(const char *path, const void *p, size_t n, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write_all(fd, p, n) != 0 || fsync(fd) != 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return err_set(e, path, 0, "cannot write: %s", strerror(saved));
	}
	if (close(fd) != 0)
		return err_set(e, path, 0, "cannot write: %s", strerror(errno));
	return 0;
}

/* --- setting aside ----------------------------------------------------------- */

static void
aside_paths(const struct aside *a, char ***out)
{
	size_t i;

	*out = xcalloc(a->rec.n + 1, sizeof(**out));
	for (i = 0; i < a->rec.n; i++)
		(*out)[i] = a->rec.v[i].path;
}

static void
names(struct aside *a, const struct gitdir *g)
{
	a->git_dir = xstrdup(g->git_dir);
	a->work_tree = xstrdup(g->work_tree);
	a->prefix = xstrdup(g->prefix != NULL ? g->prefix : "");
	a->hw_dir = gitdir_hookwave_dir(g, 0);
	a->dir = xasprintf("%s/aside", a->hw_dir);
}

static void
unlock(struct aside *a)
{
	if (a->locked)
		close(a->lock_fd);
	a->locked = 0;
	a->lock_fd = -1;
}

/* Copy the work-tree versions into data; fill in the record. */
static int
save_versions(struct aside *a, const struct aside_change *c, size_t n,
	      struct buf *data, struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct version v;
		struct stat st;
		struct aside_entry *x;
		unsigned existing;

		if (c[i].path == NULL ||
		    !plain_parents(a->work_tree, c[i].path, &existing))
			continue;       /* beyond a link: git does not look */
		if (read_version(a->work_tree, c[i].path, &v, &st) != 0) {
			int saved = errno;

			buf_release(&v.bytes);
			if (saved == EISDIR)
				continue;       /* a directory now: leave it */
			return err_set(e, NULL, 0, "cannot read '%s': %s",
				       c[i].path, strerror(saved));
		}
		x = aside_record_add(&a->rec, c[i].path);
		x->kind = v.kind;
		x->index_mode = c[i].index_mode;
		x->offset = data->len;
		x->size = v.bytes.len;
		if (v.kind == ASIDE_FILE) {
			x->perm = v.perm;
			x->mtime_sec = (long long)st.st_mtim.tv_sec;
			x->mtime_nsec = st.st_mtim.tv_nsec;
		}
		if (v.kind == ASIDE_GONE)
			x->keep_dirs = existing;
		buf_add(data, v.bytes.p, v.bytes.len);
		buf_release(&v.bytes);
	}
	return 0;
}

/*
 * Drop the changes that are only a stat change (a touched file): their
 * cleaned content hashes to the index's object id. Their paths become
 * NULL.
 */
static int
drop_unchanged(struct aside *a, struct aside_change *c, size_t n,
	       struct err *e)
{
	static const char *const pre[] = { "git", "hash-object", NULL };
	char **paths = xcalloc(n + 1, sizeof(*paths));
	size_t *which = xcalloc(n + 1, sizeof(*which));
	size_t i, k = 0;
	struct buf out = { 0 };
	const char *p;
	int rc;

	for (i = 0; i < n; i++)
		if (c[i].verify) {
			which[k] = i;
			paths[k++] = c[i].path;
		}
	rc = git_paths(a->work_tree, pre, paths, k, &out, e);
	for (i = 0, p = out.p; rc == 0 && i < k; i++) {
		const char *eol = p != NULL ? strchr(p, '\n') : NULL;
		struct aside_change *x = &c[which[i]];

		if (eol == NULL) {
			rc = err_set(e, NULL, 0, "git hash-object printed too little");
			break;
		}
		if ((size_t)(eol - p) == strlen(x->index_oid) &&
		    memcmp(p, x->index_oid, (size_t)(eol - p)) == 0) {
			free(x->path);
			x->path = NULL;
		}
		p = eol + 1;
	}
	buf_release(&out);
	free(paths);
	free(which);
	return rc;
}

/* Note what the checkout wrote at each path, durably ("checked"). */
static int
note_checkout(struct aside *a, struct err *e)
{
	struct aside_print *v = xcalloc(a->rec.n + 1, sizeof(*v));
	struct buf b = { 0 };
	size_t i;
	char *p;
	int rc;

	for (i = 0; i < a->rec.n; i++) {
		struct version cur;
		struct stat st;

		if (read_version(a->work_tree, a->rec.v[i].path, &cur, &st) != 0)
			cur.kind = ASIDE_GONE;
		v[i].kind = cur.kind;
		v[i].perm = cur.perm;
		v[i].size = cur.bytes.len;
		v[i].hash = aside_hash(cur.bytes.p, cur.bytes.len);
		buf_release(&cur.bytes);
	}
	aside_prints_format(v, a->rec.n, &b);
	p = xasprintf("%s/checked", a->dir);
	rc = atomic_file_replace(p, b.p, b.len, NULL, e);
	free(p);
	buf_release(&b);
	free(v);
	return rc;
}

/* Write what is set aside; the record last. */
static int
write_aside(struct aside *a, const struct buf *data, struct err *e)
{
	static const char *const pre[] = {
		"git", "-c", "diff.autoRefreshIndex=false", "diff", "--binary",
		"--no-ext-diff", "--no-textconv", "--no-color", "--no-renames",
		"--ignore-submodules=all", NULL
	};
	struct buf b = { 0 };
	char *p, **paths;
	int rc, made_hw;

	made_hw = mkdir(a->hw_dir, 0777) == 0;
	if (!made_hw && errno != EEXIST)
		return err_set(e, a->hw_dir, 0, "cannot make directory: %s",
			       strerror(errno));
	remove_flat(a->dir);    /* a set-aside that died before its record */
	if (mkdir(a->dir, 0700) != 0)
		return err_set(e, a->dir, 0, "cannot make directory: %s",
			       strerror(errno));
	p = xasprintf("%s/data", a->dir);
	rc = write_synced(p, data->p, data->len, e);
	free(p);
	aside_paths(a, &paths);
	if (rc == 0)
		rc = git_paths(a->work_tree, (const char *const *)pre, paths,
			       a->rec.n, &b, e);
	free(paths);
	if (rc == 0) {
		p = xasprintf("%s/unstaged.patch", a->dir);
		rc = write_synced(p, b.p, b.len, e);
		free(p);
	}
	buf_reset(&b);
	if (rc == 0) {
		aside_record_format(&a->rec, &b);
		p = xasprintf("%s/record", a->dir);
		rc = atomic_file_replace(p, b.p, b.len, NULL, e);
		free(p);
	}
	buf_release(&b);
	if (rc == 0 && (fsync_dir(a->hw_dir) != 0 ||
			(made_hw && fsync_dir(a->git_dir) != 0)))
		rc = err_set(e, a->hw_dir, 0, "cannot sync: %s", strerror(errno));
	if (rc != 0)
		remove_flat(a->dir);
	return rc;
}

static int restore(struct aside *a, int merge, char *const *fixed,
		   size_t nfixed, char **patch, struct err *e);

int
aside_begin(struct aside *a, const struct gitdir *g, const char **skipped,
	    pid_t *holder, struct err *e)
{
	/* The index is never refreshed (written): a touched file is
	   checked by its content below instead. */
	static const char *const pre[] = {
		"git", "-c", "diff.autoRefreshIndex=false", "diff", "--raw",
		"-z", "--no-abbrev", "--no-renames", "--no-ext-diff",
		"--no-textconv", "--no-color", "--ignore-submodules=all", NULL
	};
	static const char *const co[] = { "git", "checkout-index", "-f", NULL };
	struct aside_change *c = NULL;
	struct buf out = { 0 }, data = { 0 };
	size_t i, mid, nc = 0;
	char **paths;
	int rc = -1;

	*skipped = NULL;
	*holder = 0;
	if (g->state != GITDIR_REPO || g->work_tree == NULL)
		return 0;
	names(a, g);
	if ((*skipped = aside_in_progress(a->git_dir)) != NULL)
		return 0;
	a->lock_fd = lock_dir(a->git_dir, holder);
	a->locked = a->lock_fd >= 0;
	if (a->lock_fd < 0) {
		int saved = errno;

		err_set(e, NULL, 0, saved == EWOULDBLOCK ?
			"another run has unstaged changes set aside in this repository" :
			"cannot lock the git directory: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (git_run(a->work_tree, (char *const *)pre, &out, NULL, e) != 0)
		goto out;
	if (aside_parse_raw(out.p, out.len, &c, &nc) != 0) {
		err_set(e, NULL, 0, "git diff --raw printed what cannot be parsed");
		goto out;
	}
	if (drop_unchanged(a, c, nc, e) != 0 ||
	    save_versions(a, c, nc, &data, e) != 0)
		goto out;
	rc = 0;
	if (a->rec.n == 0)
		goto out;
	a->rec.pid = (long)getpid();
	a->rec.start = (long long)time(NULL);
	if ((rc = write_aside(a, &data, e)) != 0)
		goto out;
	die_at("recorded");

	/* The record is safe: now the work tree may change. Each path is
	   removed first, so the checkout writes every one afresh. */
	a->active = 1;
	for (i = 0; i < a->rec.n; i++) {
		char *full = xasprintf("%s/%s", a->work_tree, a->rec.v[i].path);

		if (a->rec.v[i].kind != ASIDE_GONE)
			(void)unlink(full);
		free(full);
	}
	aside_paths(a, &paths);
	mid = getenv("HOOKWAVE_TEST_DIE_AT") != NULL ? a->rec.n / 2 : 0;
	rc = git_paths(a->work_tree, co, paths, mid, NULL, e);
	if (rc == 0 && mid > 0)
		die_at("checkout");
	if (rc == 0)
		rc = git_paths(a->work_tree, co, paths + mid, a->rec.n - mid,
			       NULL, e);
	free(paths);
	if (rc == 0)
		rc = note_checkout(a, e);
	if (rc != 0) {
		struct err e2;

		/* Put back at once what may be half done. */
		(void)restore(a, 0, NULL, 0, NULL, &e2);
	}
out:
	if (rc != 0 || !a->active)
		unlock(a);
	aside_changes_free(c, nc);
	buf_release(&out);
	buf_release(&data);
	return rc;
}

/* --- putting back ------------------------------------------------------------ */

/* The index's version of path, as checked out (filters applied). */
static int
index_version(struct aside *a, const char *path, struct buf *out)
{
	char *spec = xasprintf(":0:%s", path);
	char *argv[] = { (char *)"git", (char *)"cat-file", (char *)"--filters",
			 spec, NULL };
	struct err e;
	int rc = git_run(a->work_tree, argv, out, NULL, &e);

	free(spec);
	return rc;
}


/* Write b to a new file `path` (no sync: a scratch file). */
static int
write_scratch(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_all(fd, b->p, b->len);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/*
 * Merge mine (the user's) with theirs (changed during the run) on the
 * index's version: 0 with the result in out, -1 when both cannot be
 * kept (a conflict, a binary file, git failed).
 */
static int
merge_versions(struct aside *a, const char *path, const struct buf *mine,
	       const struct buf *theirs, struct buf *out)
{
	struct buf base = { 0 };
	const struct buf *src[3];
	char *f[3] = { NULL, NULL, NULL };
	int i, rc = -1, code = -1;
	struct err e;

	if (index_version(a, path, &base) != 0)
		goto out;
	src[0] = mine;
	src[1] = &base;
	src[2] = theirs;
	for (i = 0; i < 3; i++) {
		f[i] = xasprintf("%s/merge.%d", a->dir, i);
		if (write_scratch(f[i], src[i]) != 0)
			goto out;
	}
	{
		char *argv[] = { (char *)"git", (char *)"merge-file",
				 (char *)"-p", f[0], f[1], f[2], NULL };

		if (git_run(a->work_tree, argv, out, &code, &e) == 0 &&
		    code == 0)
			rc = 0;
	}
out:
	for (i = 0; i < 3; i++) {
		if (f[i] != NULL)
			(void)unlink(f[i]);
		free(f[i]);
	}
	buf_release(&base);
	return rc;
}

/* Whether the work tree's version v is entry x's (bytes at data). */
static int
same_version(const struct aside_entry *x, const struct version *v,
	     const char *data)
{
	if (v->kind != x->kind)
		return 0;
	if (x->kind == ASIDE_GONE)
		return 1;
	if (x->kind == ASIDE_FILE && v->perm != x->perm)
		return 0;
	return v->bytes.len == x->size &&
	       memcmp(v->bytes.p, data + x->offset, (size_t)x->size) == 0;
}

/* Add `paths` (relative to the current directory) to the index. */
static int
stage(char *const *paths, size_t n, struct err *e)
{
	static const char *const pre[] = {
		"git", "update-index", "--add", "--remove", NULL
	};

	return n == 0 ? 0 : git_paths(NULL, pre, paths, n, NULL, e);
}

/* Save `git diff --binary` of paths under GIT_DIR/hookwave. */
static int
save_patch(struct aside *a, char *const *paths, size_t n, char **patch,
	   struct err *e)
{
	static const char *const pre[] = {
		"git", "-c", "diff.autoRefreshIndex=false", "diff", "--binary",
		"--no-ext-diff", "--no-textconv", "--no-color", "--no-renames",
		NULL
	};
	struct buf b = { 0 };
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime_r(&t, &tm));
	*patch = xasprintf("%s/not-kept-%s-%ld.patch", a->hw_dir, stamp,
			   (long)getpid());
	rc = git_paths(a->work_tree, pre, paths, n, &b, e);
	if (rc == 0)
		rc = write_synced(*patch, b.p, b.len, e);
	if (rc == 0 && fsync_dir(a->hw_dir) != 0)
		rc = err_set(e, a->hw_dir, 0, "cannot sync: %s", strerror(errno));
	buf_release(&b);
	if (rc != 0) {
		(void)unlink(*patch);
		free(*patch);
		*patch = NULL;
	}
	return rc;
}

/* Whether `path` (relative to the current directory) is entry x. */
static int
names_entry(const char *prefix, const char *path, const struct aside_entry *x)
{
	size_t n = strlen(prefix);

	return strncmp(x->path, prefix, n) == 0 && strcmp(x->path + n, path) == 0;
}

/* What becomes of each set-aside path. */
enum fate { PUT_MINE, LEAVE, PUT_MERGED, NOT_KEPT };

/*
 * Put the work tree back (see aside.h). `merge` 0: never merge, the
 * user's version wins over anything changed.
 */
static int
restore(struct aside *a, int merge, char *const *fixed, size_t nfixed,
	char **patch, struct err *e)
{
	size_t n = a->rec.n, i, nlost = 0, nstage = 0, failed = 0;
	struct buf data = { 0 }, pb = { 0 };
	enum fate *fate = xcalloc(n + 1, sizeof(*fate));
	struct buf *merged = xcalloc(n + 1, sizeof(*merged));
	unsigned *perm = xcalloc(n + 1, sizeof(*perm));
	struct aside_print *prints = xcalloc(n + 1, sizeof(*prints));
	char **paths, **lost = xcalloc(n + 1, sizeof(*lost));
	char **tostage = xcalloc(nfixed + 1, sizeof(*tostage));
	char *p = xasprintf("%s/data", a->dir);
	struct err pe;
	int fd, rc = 0, saved = 0, checked;

	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_fd(fd, &data, (unsigned long long)-1) != 0)
		rc = err_set(e, p, 0, "cannot read: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	free(p);
	buf_add(&data, "", 0);
	/* Without the checkout's prints, no hook ran: whatever is at a
	   path is our own doing, and the user's version simply goes back. */
	p = xasprintf("%s/checked", a->dir);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	checked = fd >= 0 && read_fd(fd, &pb, 1ULL << 32) == 0 &&
		  aside_prints_parse(prints, n, pb.p, pb.len) == 0;
	if (fd >= 0)
		close(fd);
	free(p);
	buf_release(&pb);
	aside_paths(a, &paths);
	if (rc != 0)
		goto out;

	/* Decide every path's fate before anything is written. */
	for (i = 0; i < n; i++) {
		const struct aside_entry *x = &a->rec.v[i];
		struct version v;
		struct stat st;

		perm[i] = x->perm;
		if (read_version(a->work_tree, x->path, &v, &st) != 0)
			v.kind = (enum aside_kind)0;    /* a directory now... */
		if (same_version(x, &v, data.p)) {
			fate[i] = LEAVE;
		} else if (!checked || (v.kind == prints[i].kind &&
				       v.perm == prints[i].perm &&
				       v.bytes.len == prints[i].size &&
				       aside_hash(v.bytes.p, v.bytes.len) ==
				       prints[i].hash)) {
			fate[i] = PUT_MINE;     /* as the checkout left it */
		} else if (merge && x->kind == ASIDE_FILE &&
			   v.kind == ASIDE_FILE) {
			struct buf mine = { 0 };

			buf_add(&mine, data.p + x->offset, (size_t)x->size);
			fate[i] = merge_versions(a, x->path, &mine, &v.bytes,
						 &merged[i]) == 0 ?
				  PUT_MERGED : NOT_KEPT;
			buf_release(&mine);
			/* The run's change of the x bit, if the user made
			   none. */
			if (((x->perm & 0100) != 0) ==
			    (x->index_mode == 0100755) &&
			    ((v.perm & 0100) != 0) != (x->index_mode == 0100755))
				perm[i] = v.perm;
		} else {
			fate[i] = NOT_KEPT;
		}
		if (fate[i] == NOT_KEPT && v.kind != 0)
			lost[nlost++] = x->path;
		buf_release(&v.bytes);
	}

	/* What cannot be kept is saved before it is overwritten. */
	if (nlost > 0 && patch != NULL &&
	    (rc = save_patch(a, lost, nlost, patch, e)) != 0)
		goto out;
	for (i = 0; i < nfixed; i++) {
		size_t k;

		for (k = 0; k < n; k++)
			if (fate[k] == NOT_KEPT &&
			    names_entry(a->prefix, fixed[i], &a->rec.v[k]))
				break;
		if (k == n)
			tostage[nstage++] = fixed[i];
	}
	if ((rc = stage(tostage, nstage, e)) != 0)
		goto out;

	for (i = 0; i < n; i++) {
		const struct aside_entry *x = &a->rec.v[i];
		int r = 0;

		if (i == n / 2)
			die_at("restoring");
		if (fate[i] == PUT_MERGED)
			r = put_version(a->work_tree, x, perm[i], merged[i].p,
					merged[i].len);
		else if (fate[i] != LEAVE)
			r = put_version(a->work_tree, x, x->perm,
					data.p + x->offset, (size_t)x->size);
		if (r != 0 && failed++ == 0) {
			saved = errno;
			err_set(&pe, NULL, 0, "cannot put back '%s': %s",
				x->path, strerror(saved));
		}
	}
	die_at("restored");
	if (failed > 0) {
		*e = pe;
		if (failed > 1)
			snprintf(e->msg + strlen(e->msg),
				 sizeof(e->msg) - strlen(e->msg),
				 " (and %zu more); kept in %s for the next run",
				 failed - 1, a->dir);
		rc = -1;
		goto out;
	}

	/* The work tree is back, on disk: only now the record goes. */
	fd = open(a->work_tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (syncfs(fd) != 0)
			sync();
		close(fd);
	} else {
		sync();
	}
	p = xasprintf("%s/record", a->dir);
	(void)unlink(p);
	free(p);
	(void)fsync_dir(a->dir);
	remove_flat(a->dir);
	a->active = 0;
out:
	for (i = 0; i < n; i++)
		buf_release(&merged[i]);
	free(merged);
	free(fate);
	free(perm);
	free(lost);
	free(tostage);
	free(paths);
	free(prints);
	buf_release(&data);
	return rc;
}

static void
forget(struct aside *a)
{
	unlock(a);
	aside_record_release(&a->rec);
	free(a->git_dir);
	free(a->work_tree);
	free(a->prefix);
	free(a->hw_dir);
	free(a->dir);
	*a = (struct aside)ASIDE_INIT;
}

int
aside_end(struct aside *a, char *const *fixed, size_t nfixed, char **patch,
	  struct err *e)
{
	int rc = 0;

	if (patch != NULL)
		*patch = NULL;
	if (a->active)
		rc = restore(a, 1, fixed, nfixed, patch, e);
	else
		rc = stage((char **)fixed, nfixed, e);
	forget(a);
	return rc;
}

int
aside_recover(const struct gitdir *g, struct aside_recovery *r,
	      struct err *e)
{
	struct aside a = ASIDE_INIT;
	struct stat st;
	struct buf b = { 0 };
	struct err pe;
	char *p;
	int fd, rc = 0;
	pid_t holder;

	memset(r, 0, sizeof(*r));
	if (g->state != GITDIR_REPO || g->work_tree == NULL)
		return 0;
	names(&a, g);
	if (lstat(a.dir, &st) != 0)
		goto out;               /* the usual case: nothing */
	a.lock_fd = lock_dir(a.git_dir, &holder);
	a.locked = a.lock_fd >= 0;
	if (a.lock_fd < 0) {
		if (errno == EWOULDBLOCK)
			r->live = holder > 0 ? holder : -1;
		else
			rc = err_set(e, a.git_dir, 0, "cannot lock: %s",
				     strerror(errno));
		goto out;
	}
	p = xasprintf("%s/record", a.dir);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* Died before its record: the work tree was never touched. */
		remove_flat(a.dir);
	} else if (fd < 0 || read_fd(fd, &b, 1ULL << 34) != 0) {
		rc = err_set(e, p, 0, "cannot read: %s", strerror(errno));
	} else {
		char *d = xasprintf("%s/data", a.dir);
		struct stat ds;

		if (stat(d, &ds) != 0)
			rc = err_set(e, d, 0, "cannot read: %s", strerror(errno));
		else if (aside_record_parse(&a.rec, b.p, b.len,
					    (unsigned long long)ds.st_size,
					    &pe) != 0)
			rc = err_set(e, p, 0, "%s", pe.msg);
		free(d);
		if (rc == 0) {
			a.active = 1;
			r->pid = a.rec.pid;
			rc = restore(&a, 0, NULL, 0, &r->patch, e);
			if (rc == 0)
				r->restored = a.rec.n;
		}
	}
	if (fd >= 0)
		close(fd);
	free(p);
out:
	buf_release(&b);
	forget(&a);
	return rc;
}
