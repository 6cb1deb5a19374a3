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
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aside.h"
#include "atomic_file.h"
#include "fingerprint.h"
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

/* The next space-separated field of a status line; advances *p. */
static const char *
status_field(const char **p, const char *end, size_t *len)
{
	const char *f = *p, *sp = memchr(f, ' ', (size_t)(end - f));

	if (sp == NULL)
		return NULL;
	*len = (size_t)(sp - f);
	*p = sp + 1;
	return f;
}

int
aside_parse_status(const char *p, size_t n, struct aside_change **v,
		   size_t *nv)
{
	const char *end = p + n;

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *q = p, *f[7];
		size_t len[7], olen, k;
		unsigned long src, dst;
		struct aside_change *c;
		char *stop;

		if (nul == NULL)
			return -1;
		p = nul + 1;
		if (*q == '2') {
			/* A rename (none with --no-renames): its source
			   path is one more field. */
			if (p >= end || memchr(p, '\0', (size_t)(end - p)) == NULL)
				return -1;
			p += strlen(p) + 1;
			continue;
		}
		if (*q != '1')
			continue;       /* u: unmerged; #, ?, !: not ours */
		/* "1 XY SUB MH MI MW HH HI PATH" */
		q += 2;
		for (k = 0; k < 7; k++)
			if ((f[k] = status_field(&q, nul, &len[k])) == NULL)
				return -1;
		if (len[0] != 2 || len[1] != 4 || q >= nul)
			return -1;
		src = strtoul(f[3], &stop, 8);
		if (stop != f[3] + len[3])
			return -1;
		dst = strtoul(f[4], &stop, 8);
		if (stop != f[4] + len[4])
			return -1;
		olen = len[6];
		if (olen == 0 || olen > 64 ||
		    strspn(f[6], "0123456789abcdef") != olen)
			return -1;
		if (f[1][0] != 'N')
			continue;       /* a submodule */
		switch (f[0][1]) {
		case 'M':
		case 'T':
			if (!plain_mode(src) || !plain_mode(dst))
				continue;
			break;
		case 'D':
			if (!plain_mode(src))
				continue;
			break;
		default:        /* .: unchanged; A: intent-to-add */
			continue;
		}
		*v = xreallocarray(*v, *nv + 1, sizeof(**v));
		c = &(*v)[(*nv)++];
		c->path = xstrndup(q, (size_t)(nul - q));
		c->index_mode = (unsigned)src;
		memcpy(c->index_oid, f[6], olen);
		c->index_oid[olen] = '\0';
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
 * Run git (or git_stdin's shell) that only reads, with argv in `cwd`,
 * its output appended to `out`: in hookwave's own process group, read
 * as fast as it writes (a Ctrl-C that kills it leaves nothing half
 * done, and fails the set-aside before the work tree changes). With
 * `code` its exit status is given back; without, anything but 0 is an
 * error.
 */
static int
git_read(const char *cwd, char *const *argv, struct buf *out, int *code,
	 struct err *e)
{
	struct proc_result r;
	struct buf none = { 0 };
	char **env = git_env();
	const char *what = argv[1];
	int rc;

	if (strcmp(argv[0], "/bin/sh") == 0)
		what = argv[7];         /* git_stdin's */
	else if (strcmp(what, "-c") == 0)
		what = argv[3];
	rc = proc_capture(argv, env, cwd, out != NULL ? out : &none, &r);
	free(env);
	buf_release(&none);
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

/*
 * Read a regular file of `size` bytes (as fstat said) from fd into out:
 * when as many bytes come as fstat said, that is the end, and no read
 * is spent to hear it (a file that grows meanwhile is read as it was).
 */
static int
read_sized(int fd, struct buf *out, off_t size)
{
	size_t want = (size_t)size + 1, total = 0;

	if (size < 0 || (unsigned long long)size >= SIZE_MAX / 2)
		return read_fd(fd, out, (unsigned long long)-1);
	if (out->alloc < out->len + want + 1) {
		out->p = xrealloc(out->p, out->len + want + 1);
		out->alloc = out->len + want + 1;
	}
	for (;;) {
		ssize_t got = read(fd, out->p + out->len, want - total);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		out->len += (size_t)got;
		out->p[out->len] = '\0';
		total += (size_t)got;
		if (got == 0 || total == (size_t)size)
			return 0;
		if (total == want)
			return read_fd(fd, out, (unsigned long long)-1);
	}
}

/* Read `path` (under work tree `wt`) into v. -1 with errno. */
static int
read_version(const char *wt, const char *path, struct version *v,
	     struct stat *st)
{
	char *full = xasprintf("%s/%s", wt, path);
	int fd, rc = 0;

	memset(v, 0, sizeof(*v));
	buf_add(&v->bytes, "", 0);
	/* The usual case, a regular file, in one open and one fstat;
	   anything else (a link: ELOOP) is looked at with lstat. */
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode)) {
		v->kind = ASIDE_FILE;
		v->perm = st->st_mode & 07777;
		if (read_sized(fd, &v->bytes, st->st_size) != 0)
			rc = -1;
		close(fd);
		free(full);
		return rc;
	}
	if (fd >= 0)
		close(fd);
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
		/* Replaced between the open and the lstat: read again. */
		fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		v->kind = ASIDE_FILE;
		v->perm = st->st_mode & 07777;
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

/* mkdir -p of path's directory (under wt), when it is missing. */
static void
make_parents(const char *wt, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash == NULL)
		return;
	{
		char *dir = xasprintf("%s/%.*s", wt, (int)(slash - path), path);
		int there = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);

		free(dir);
		if (there)
			return;
	}
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

/* A path of the set-aside as the checkout treats it. */
struct checkout_file {
	int want;               /* hookwave writes it in place */
	int done;               /* and has */
	unsigned perm;          /* the permission bits written */
	const char *bytes;      /* the index's version (filters applied) */
	size_t len;
};

static int in_place(const struct aside_entry *x, const struct stat *st);

/*
 * Copy the work-tree versions into data; fill in the record. Per
 * record entry: whether it is checked out in place (fast), and its
 * change (byentry: a shallow copy, for the index's object id).
 */
static int
save_versions(struct aside *a, const struct aside_change *c, size_t n,
	      struct buf *data, struct checkout_file *fast,
	      struct aside_change *byentry, struct err *e)
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
		fast[a->rec.n - 1].want = in_place(x, &st);
		byentry[a->rec.n - 1] = c[i];
		buf_add(data, v.bytes.p, v.bytes.len);
		buf_release(&v.bytes);
	}
	return 0;
}

/*
 * Note what the checkout wrote at each path, durably ("checked"): what
 * hookwave wrote itself (`fast`, NULL for none) from its bytes, the
 * rest (written by git) read back.
 */
static int
note_checkout(struct aside *a, const struct checkout_file *fast,
	      struct err *e)
{
	struct aside_print *v = xcalloc(a->rec.n + 1, sizeof(*v));
	struct buf b = { 0 };
	size_t i;
	char *p;
	int rc;

	for (i = 0; i < a->rec.n; i++) {
		struct version cur;
		struct stat st;

		if (fast != NULL && fast[i].done) {
			v[i].kind = ASIDE_FILE;
			v[i].perm = fast[i].perm;
			v[i].size = fast[i].len;
			v[i].hash = aside_hash(fast[i].bytes, fast[i].len);
			continue;
		}
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
	/* Synced: after a crash it is what tells a hook's change (saved in
	   a patch) from the checkout's own writing (simply replaced). */
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
	struct buf b = { 0 };
	struct stat st;
	char *p;
	int rc, made_hw;

	made_hw = mkdir(a->hw_dir, 0777) == 0;
	if (!made_hw && errno != EEXIST)
		return err_set(e, a->hw_dir, 0, "cannot make directory: %s",
			       strerror(errno));
	/* A record here is a dead run's set-aside that could not be put
	   back: never overwritten. */
	p = xasprintf("%s/record", a->dir);
	rc = lstat(p, &st);
	free(p);
	if (rc == 0)
		return err_set(e, a->dir, 0,
			       "unstaged changes of an earlier run are still set aside here (see hookwave restore)");
	remove_flat(a->dir);    /* a set-aside that died before its record */
	if (mkdir(a->dir, 0700) != 0)
		return err_set(e, a->dir, 0, "cannot make directory: %s",
			       strerror(errno));
	/* data, then the record, each synced (the record renamed into
	   place after its fsync): once the record exists, all it names is
	   on disk. */
	p = xasprintf("%s/data", a->dir);
	rc = write_synced(p, data->p, data->len, e);
	free(p);
	if (rc == 0) {
		aside_record_format(&a->rec, &b);
		p = xasprintf("%s/record", a->dir);
		rc = atomic_file_replace(p, b.p, b.len, NULL, e);
		free(p);
	}
	buf_release(&b);
	/* The new directories' entries, so that a power cut does not lose
	   the set-aside directory itself. */
	if (rc == 0 && (fsync_dir(a->hw_dir) != 0 ||
			(made_hw && fsync_dir(a->git_dir) != 0)))
		rc = err_set(e, a->hw_dir, 0, "cannot sync: %s", strerror(errno));
	if (rc != 0)
		remove_flat(a->dir);
	return rc;
}

/* --- the scan: which tracked files have unstaged changes ---------------- */

/*
 * One git process: `git status` refreshes its view of the index in
 * memory (a file only touched is no change; a size that differs is one
 * without reading it) and never writes the index (GIT_OPTIONAL_LOCKS=0).
 * Paths relative to the top, whatever the current directory.
 */
static const char *const scan_argv[] = {
	"git", "-c", "status.relativePaths=false", "status",
	"--porcelain=v2", "-z", "--untracked-files=no", "--no-renames",
	"--ignore-submodules=all", NULL
};

struct scan_job {
	pthread_t tid;
	struct timespec at;     /* before git looked at anything */
	struct buf out;
	struct err e;
	int rc;
};

static void
scan_run(struct scan_job *j, const char *cwd)
{
	fingerprint_now(&j->at);
	buf_reset(&j->out);
	j->rc = git_read(cwd, (char *const *)scan_argv, &j->out, NULL, &j->e);
}

static void *
scan_main(void *arg)
{
	scan_run(arg, NULL);
	return NULL;
}

void
aside_scan_start(struct aside *a)
{
	struct scan_job *j = xcalloc(1, sizeof(*j));

	aside_scan_drop(a);
	/* No thread: aside_begin runs git itself. */
	if (pthread_create(&j->tid, NULL, scan_main, j) != 0) {
		free(j);
		return;
	}
	a->scan = j;
}

/* Join the scan; its job (to free) or NULL. */
static struct scan_job *
scan_join(struct aside *a)
{
	struct scan_job *j = a->scan;

	if (j != NULL)
		pthread_join(j->tid, NULL);
	a->scan = NULL;
	return j;
}

void
aside_scan_drop(struct aside *a)
{
	struct scan_job *j = scan_join(a);

	if (j != NULL) {
		buf_release(&j->out);
		free(j);
	}
}

/*
 * Whether a scan that began at `at` may have missed a set-aside or a
 * putting back (another run's, or a recovery's), as told by the mtime
 * of GIT_DIR/hookwave, which both change. Files are stamped with the
 * coarse clock `at` was read from, so a change since has an mtime not
 * older than `at`; on a file system without sub-second times, the
 * second before counts too.
 */
static int
scan_stale(const struct aside *a, const struct timespec *at)
{
	struct stat st;

	if (lstat(a->hw_dir, &st) != 0)
		return errno != ENOENT;
	if (st.st_mtim.tv_nsec == 0)
		return (long long)st.st_mtim.tv_sec >= (long long)at->tv_sec - 1;
	return st.st_mtim.tv_sec > at->tv_sec ||
	       (st.st_mtim.tv_sec == at->tv_sec &&
		st.st_mtim.tv_nsec >= at->tv_nsec);
}

/* The scan's output in *out (taken over), the scan run here when there
   was none or it may be stale. */
static int
scan_result(struct aside *a, struct buf *out, struct err *e)
{
	struct scan_job *j = scan_join(a);
	int rc;

	if (j == NULL)
		j = xcalloc(1, sizeof(*j));
	else if (j->rc == 0 && !scan_stale(a, &j->at))
		goto done;
	scan_run(j, a->work_tree);
done:
	rc = j->rc;
	if (rc != 0)
		*e = j->e;
	*out = j->out;
	free(j);
	return rc;
}

/* --- the checkout ------------------------------------------------------------ */

/*
 * Whether entry x (with the work tree's stat st at save time) is
 * checked out by hookwave itself, in place: a regular file on both
 * sides, not shared with another name (a hard link would show the
 * index content there too), and a path that `git cat-file --batch`
 * reads back whole from a line (no leading blank, no CR, no LF).
 * Others go to git checkout-index.
 */
static int
in_place(const struct aside_entry *x, const struct stat *st)
{
	return x->kind == ASIDE_FILE && x->index_mode != 0120000 &&
	       st->st_nlink == 1 && x->path[0] != ' ' &&
	       x->path[0] != '\t' && strpbrk(x->path, "\r\n") == NULL;
}

/* The index's mode on a work-tree file's permission bits. */
static unsigned
index_perm(unsigned perm, unsigned index_mode)
{
	if (index_mode != 0100755)
		return perm & ~0111U;
	perm |= (perm & 0444) >> 2;
	return perm | 0100;
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
 * Run git with argv (from "git") in the work tree, its standard input
 * the bytes `in`, its output appended to `out`. Both go through scratch
 * files under GIT_DIR/hookwave and a shell's redirections: git is given
 * /dev/null for stdin otherwise, and a git that writes object by object
 * into a pipe would wake hookwave a few thousand times.
 */
static int
git_stdin(struct aside *a, const char *const *argv, const struct buf *in,
	  struct buf *out, struct err *e)
{
	char *sh[24];
	char *scratch, *result;
	size_t k = 0;
	int rc, fd;

	if (mkdir(a->hw_dir, 0777) != 0 && errno != EEXIST)
		return err_set(e, a->hw_dir, 0, "cannot make directory: %s",
			       strerror(errno));
	scratch = xasprintf("%s/stdin.%ld", a->hw_dir, (long)getpid());
	result = xasprintf("%s/stdout.%ld", a->hw_dir, (long)getpid());
	sh[k++] = (char *)"/bin/sh";
	sh[k++] = (char *)"-c";
	sh[k++] = (char *)"i=$1; o=$2; shift 2; exec \"$@\" <\"$i\" >\"$o\"";
	sh[k++] = (char *)"sh";
	sh[k++] = scratch;
	sh[k++] = result;
	while (*argv != NULL)
		sh[k++] = (char *)*argv++;      /* fits: argvs here are short */
	sh[k] = NULL;
	if (write_scratch(scratch, in) != 0)
		rc = err_set(e, scratch, 0, "cannot write: %s", strerror(errno));
	else
		rc = git_read(a->work_tree, sh, NULL, NULL, e);
	if (rc == 0) {
		fd = open(result, O_RDONLY | O_CLOEXEC);
		buf_add(out, "", 0);
		if (fd < 0 || read_fd(fd, out, (unsigned long long)-1) != 0)
			rc = err_set(e, result, 0, "cannot read: %s",
				     strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	(void)unlink(scratch);
	(void)unlink(result);
	free(scratch);
	free(result);
	return rc;
}

/* Whether out[at..) starts with "OID blob " for `oid`. */
static int
blob_header_at(const struct buf *out, size_t at, const char *oid)
{
	size_t n = strlen(oid);

	return at + n + 6 <= out->len && memcmp(out->p + at, oid, n) == 0 &&
	       memcmp(out->p + at + n, " blob ", 6) == 0;
}

/*
 * The index's versions of the in-place entries (fast[i].want), with the
 * filters a checkout applies (line endings, smudge, ident, encoding),
 * from `git cat-file --batch --filters`: pointers into out[0..2).
 *
 * Its header gives the size before the filters, so an entry counts only
 * when the next header (or the end) follows right after that many
 * bytes: a file whose filters change its size (CRLF line endings, say)
 * is left to git checkout-index, and those after it in the same run go
 * through cat-file once more.
 */
static int
index_versions(struct aside *a, struct checkout_file *fast,
	       const struct aside_change *oid, struct buf *out, struct err *e)
{
	static const char *const argv[] = {
		"git", "cat-file", "--batch", "--buffer", "--filters", NULL
	};
	size_t i, pass;

	for (pass = 0; pass < 2; pass++) {
		struct buf in = { 0 };
		size_t at = 0;
		int rc, stop = 0;

		for (i = 0; i < a->rec.n; i++)
			if (fast[i].want && fast[i].bytes == NULL)
				buf_printf(&in, "%s %s\n", oid[i].index_oid,
					   a->rec.v[i].path);
		if (in.len == 0)
			break;
		rc = git_stdin(a, argv, &in, &out[pass], e);
		buf_release(&in);
		if (rc != 0)
			return rc;
		/* "OID blob SIZE\n" SIZE bytes "\n", in the order asked. */
		for (i = 0; i < a->rec.n; i++) {
			const struct buf *o = &out[pass];
			const char *eol;
			unsigned long long size;
			size_t start, end, k;
			char *num;

			if (!fast[i].want || fast[i].bytes != NULL)
				continue;
			if (stop)
				break;
			eol = blob_header_at(o, at, oid[i].index_oid) ?
			      memchr(o->p + at, '\n', o->len - at) : NULL;
			num = eol != NULL ? o->p + at +
			      strlen(oid[i].index_oid) + 6 : NULL;
			errno = 0;
			size = num != NULL ? strtoull(num, &num, 10) : 0;
			start = eol != NULL ? (size_t)(eol + 1 - o->p) : 0;
			if (eol == NULL || errno != 0 || num != eol ||
			    size >= o->len - start) {
				fast[i].want = 0;       /* git writes it */
				break;
			}
			end = start + (size_t)size;
			for (k = i + 1; k < a->rec.n; k++)
				if (fast[k].want && fast[k].bytes == NULL)
					break;
			if (o->p[end] != '\n' ||
			    (k < a->rec.n ?
			     !blob_header_at(o, end + 1, oid[k].index_oid) :
			     end + 1 != o->len)) {
				fast[i].want = 0;       /* git writes it */
				stop = 1;
				continue;
			}
			fast[i].bytes = o->p + start;
			fast[i].len = (size_t)size;
			at = end + 1;
		}
	}
	/* What is still without its bytes goes to git checkout-index. */
	for (i = 0; i < a->rec.n; i++)
		if (fast[i].bytes == NULL)
			fast[i].want = 0;
	return 0;
}

/*
 * Write bytes[0..n) over the regular file `full` in place, with
 * permission bits perm and, when mtime is not NULL, that mtime: no new
 * inode, no rename, no directory entry touched. Where it cannot (no
 * longer a lone regular file), -1 with errno and nothing written.
 */
static int
write_in_place(const char *full, const char *bytes, size_t n, unsigned perm,
	       const struct timespec *mtime)
{
	int fd = open(full, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int rc = -1, saved;
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		errno = EEXIST;
		return -1;
	}
	/* Written first, cut to size after (only when it was longer): no
	   truncation to zero, which costs the file system far more than
	   the write. Modes are changed only when they differ. */
	if (write_all(fd, bytes, n) == 0 &&
	    (st.st_size <= (off_t)n || ftruncate(fd, (off_t)n) == 0) &&
	    ((st.st_mode & 07777) == perm || fchmod(fd, perm) == 0)) {
		if (mtime != NULL) {
			struct timespec t[2];

			t[0].tv_sec = 0;
			t[0].tv_nsec = UTIME_OMIT;
			t[1] = *mtime;
			(void)futimens(fd, t);
		}
		rc = 0;
	}
	saved = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	errno = saved;
	return rc;
}

static int restore(struct aside *a, int merge, char *const *fixed,
		   size_t nfixed, char **patch, struct err *e);

int
aside_begin(struct aside *a, const struct gitdir *g, const char **skipped,
	    pid_t *holder, struct err *e)
{
	static const char *const co[] = { "git", "checkout-index", "-f", NULL };
	struct aside_change *c = NULL, *byentry = NULL;
	struct checkout_file *fast = NULL;
	struct buf out = { 0 }, data = { 0 }, index[2] = { { 0 }, { 0 } };
	size_t i, k, nc = 0, nfast = 0, nslow = 0, done = 0;
	char **slow = NULL;
	int rc = -1;

	*skipped = NULL;
	*holder = 0;
	if (g->state != GITDIR_REPO || g->work_tree == NULL) {
		aside_scan_drop(a);
		return 0;
	}
	names(a, g);
	if ((*skipped = aside_in_progress(a->git_dir)) != NULL) {
		aside_scan_drop(a);
		return 0;
	}
	a->lock_fd = lock_dir(a->git_dir, holder);
	a->locked = a->lock_fd >= 0;
	if (a->lock_fd < 0) {
		int saved = errno;

		aside_scan_drop(a);
		err_set(e, NULL, 0, saved == EWOULDBLOCK ?
			"another run has unstaged changes set aside in this repository" :
			"cannot lock the git directory: %s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (scan_result(a, &out, e) != 0)
		goto out;
	if (aside_parse_status(out.p, out.len, &c, &nc) != 0) {
		err_set(e, NULL, 0, "git status printed what cannot be parsed");
		goto out;
	}
	fast = xcalloc(nc + 1, sizeof(*fast));
	byentry = xcalloc(nc + 1, sizeof(*byentry));
	if (save_versions(a, c, nc, &data, fast, byentry, e) != 0)
		goto out;
	rc = 0;
	if (a->rec.n == 0)
		goto out;
	/* Everything the checkout writes is read before anything is
	   written: a git that fails costs nothing. */
	if ((rc = index_versions(a, fast, byentry, index, e)) != 0)
		goto out;
	a->rec.pid = (long)getpid();
	a->rec.start = (long long)time(NULL);
	if ((rc = write_aside(a, &data, e)) != 0)
		goto out;
	die_at("recorded");

	/* The record is safe: now the work tree may change. */
	a->active = 1;
	slow = xcalloc(a->rec.n + 1, sizeof(*slow));
	for (i = 0; i < a->rec.n; i++) {
		if (fast[i].want) {
			nfast++;
			continue;
		}
		/* Removed first, so that git writes each one afresh
		   (checkout-index skips a file whose stat looks clean). */
		if (a->rec.v[i].kind != ASIDE_GONE) {
			char *full = xasprintf("%s/%s", a->work_tree,
					       a->rec.v[i].path);

			(void)unlink(full);
			free(full);
		}
		slow[nslow++] = a->rec.v[i].path;
	}
	rc = git_paths(a->work_tree, co, slow, nslow, NULL, e);
	if (rc == 0 && nfast == 0)
		die_at("checkout");
	for (i = 0, k = 0; rc == 0 && i < a->rec.n; i++) {
		char *full;

		if (!fast[i].want)
			continue;
		if (k++ == nfast / 2)
			die_at("checkout");
		full = xasprintf("%s/%s", a->work_tree, a->rec.v[i].path);
		fast[i].perm = index_perm(a->rec.v[i].perm,
					  a->rec.v[i].index_mode);
		if (write_in_place(full, fast[i].bytes, fast[i].len,
				   fast[i].perm, NULL) == 0) {
			fast[i].done = 1;
			done++;
		} else if (errno == ENOENT) {
			/* Gone meanwhile: git writes it. */
			char *one[] = { a->rec.v[i].path, NULL };

			rc = git_paths(a->work_tree, co, one, 1, NULL, e);
		} else {
			rc = err_set(e, NULL, 0, "cannot check out '%s': %s",
				     a->rec.v[i].path, strerror(errno));
		}
		free(full);
	}
	if (rc == 0)
		rc = note_checkout(a, fast, e);
	if (rc != 0) {
		struct err e2;

		/* Put back at once what may be half done. */
		(void)restore(a, 0, NULL, 0, NULL, &e2);
	}
out:
	if (rc != 0 || !a->active)
		unlock(a);
	aside_changes_free(c, nc);
	free(byentry);
	free(fast);
	free(slow);
	buf_release(&out);
	buf_release(&data);
	buf_release(&index[0]);
	buf_release(&index[1]);
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

/*
 * Put entry x's version (bytes[0..n), permission bits perm) back. Over
 * a lone regular file (`lone`: what the checkout left, or a change made
 * since) it is written in place, which costs the file system far less
 * than a new file renamed over it: a write cut short (a crash) is
 * harmless, as the record and data stay until the work tree is synced
 * and the next run puts it back whole. Anything else goes through
 * put_version().
 */
static int
put_back(const char *wt, const struct aside_entry *x, int lone,
	 unsigned perm, const char *bytes, size_t n)
{
	if (lone && x->kind == ASIDE_FILE) {
		char *full = xasprintf("%s/%s", wt, x->path);
		struct timespec t;
		int rc;

		t.tv_sec = (time_t)x->mtime_sec;
		t.tv_nsec = x->mtime_nsec;
		rc = write_in_place(full, bytes, n, perm, &t);
		free(full);
		if (rc == 0)
			return 0;
	}
	return put_version(wt, x, perm, bytes, n);
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
	char *lone = xcalloc(n + 1, 1);        /* now a lone regular file */
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
		lone[i] = v.kind == ASIDE_FILE && st.st_nlink == 1;
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
			r = put_back(a->work_tree, x, lone[i], perm[i],
				     merged[i].p, merged[i].len);
		else if (fate[i] != LEAVE)
			r = put_back(a->work_tree, x, lone[i], x->perm,
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
	free(lone);
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
	aside_scan_drop(a);
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
