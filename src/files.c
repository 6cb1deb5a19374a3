#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

/*
 * files.c - list the files of a run, match them against a hook's
 * patterns, and cut the selection into batches that fit in one
 * execve(2). See files.h for the contract.
 *
 * Which entries a listing keeps (the same rule for git and for the walk):
 *  - regular files;
 *  - symlinks, unless they resolve to something that is not a regular
 *    file: a symlink to a directory is dropped (a hook would recurse
 *    into it, and the walk never follows it, so there are no loops), as
 *    is one to a fifo or a device (opening it could block); a dangling
 *    or looping symlink is kept, since git tracks it and hooks such as
 *    check-symlinks want to see it;
 *  - nothing else: directories (a submodule's gitlink entry, which
 *    `git ls-files` lists as one path), fifos, sockets, devices.
 * `git ls-files` also lists tracked files deleted from the work tree,
 * and `git diff --cached` lists staged files removed since: an entry
 * that cannot be lstat'ed is dropped, as a hook could not open it. An
 * explicit list (--files) is taken as given, never checked.
 *
 * Every listing is deduplicated, keeping the first occurrence
 * (`git ls-files` names an unmerged path once per stage).
 *
 * git runs through proc_capture() (proc.h), the one way hookwave starts
 * a process: no shell, stdin /dev/null, stderr /dev/null, every fd
 * above 2 closed in the child, default signal dispositions, empty mask,
 * in hookwave's own process group so that a Ctrl-C reaches it too. Its
 * environment is
 * hookwave's: as a git hook, hookwave must see the GIT_DIR and
 * GIT_INDEX_FILE that git gave it.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "files.h"
#include "gitdir.h"
#include "hashmap.h"
#include "heap.h"
#include "proc.h"

extern char **environ;

/* ---------------------------------------------------------------- */
/* The list under construction, with a hash set for deduplication.  */

struct builder {
	struct file_list *fl;
	size_t alloc;
	struct hashmap seen;    /* paths in fl->v */
};

/* A path being looked up: bytes and length (not NUL-terminated). */
struct path_key {
	const struct file_list *fl;
	const char *s;
	size_t n;
};

static int
same_path(const void *key, size_t i)
{
	const struct path_key *k = key;
	const char *t = k->fl->v[i];

	return strncmp(t, k->s, k->n) == 0 && t[k->n] == '\0';
}

/*
 * Append s[0..n) unless it is already there. `owned`: s is a malloc'd
 * NUL-terminated string of length n that the list takes (or frees).
 */
static void
builder_put(struct builder *b, const char *s, size_t n, char *owned,
	    long long size)
{
	struct file_list *fl = b->fl;
	struct path_key key = { fl, s, n };
	uint64_t hash = hash_bytes(HASH_INIT, s, n);

	if (hashmap_find(&b->seen, hash, &key, same_path) != HASHMAP_NONE) {
		free(owned);
		return;
	}
	if (fl->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 256;
		fl->v = xreallocarray(fl->v, b->alloc, sizeof(*fl->v));
		fl->size = xreallocarray(fl->size, b->alloc, sizeof(*fl->size));
	}
	hashmap_put(&b->seen, hash, fl->n);
	fl->size[fl->n] = size;
	fl->v[fl->n++] = owned != NULL ? owned : xstrndup(s, n);
}

static void
builder_add(struct builder *b, const char *s, size_t n, long long size)
{
	builder_put(b, s, n, NULL, size);
}

static void
builder_release(struct builder *b)
{
	hashmap_release(&b->seen);
}

/*
 * The keep rule above, given the lstat of an entry: 1 for a regular
 * file or a symlink to a regular file or to nothing (dangling, loop).
 * `dirfd`/`name` as for fstatat, to resolve a symlink.
 */
static int
keep_entry(int dirfd, const char *name, mode_t lmode)
{
	struct stat st;

	if (S_ISREG(lmode))
		return 1;
	if (!S_ISLNK(lmode))
		return 0;
	if (fstatat(dirfd, name, &st, 0) != 0)
		return 1;
	return S_ISREG(st.st_mode);
}

/* ---------------------------------------------------------------- */
/* Running git.                                                     */

/*
 * Run git with argv (argv[0] = "git", looked up in PATH) through the
 * one process API, its stdout read whole into *out (NUL-terminated).
 * Returns 0 with *r telling how it ended, or an errno value when git
 * could not be started (ENOENT: no git in PATH).
 */
static int
run_git(const char *const *argv, struct buf *out, struct proc_result *r)
{
	if (proc_capture((char *const *)argv, environ, NULL, out, r) != 0 &&
	    r->pid == 0)
		return r->error != 0 ? r->error : EIO;
	return 0;
}

/* The argv of the git listing for a source; NULL for one without git. */
static const char *const *git_argv(enum files_source src);

/* A git listing run ahead in a thread (files_prefetch). */
struct prefetch_job {
	pthread_t tid;
	const char *const *argv;
	struct buf out;
	struct proc_result r;
	int err;                /* run_git's */
};

static void *
prefetch_main(void *arg)
{
	struct prefetch_job *j = arg;

	j->err = run_git(j->argv, &j->out, &j->r);
	return NULL;
}

void
files_prefetch_start(struct files_prefetch *pf, enum files_source src)
{
	struct prefetch_job *j;

	memset(pf, 0, sizeof(*pf));
	pf->src = src;
	if (git_argv(src) == NULL)
		return;
	j = xcalloc(1, sizeof(*j));
	j->argv = git_argv(src);
	/* No thread (a low ulimit -u): the listing runs git itself. */
	if (pthread_create(&j->tid, NULL, prefetch_main, j) != 0) {
		free(j);
		return;
	}
	pf->job = j;
	pf->started = 1;
}

/* Join the prefetch; its job (to free) or NULL. */
static struct prefetch_job *
prefetch_join(struct files_prefetch *pf)
{
	struct prefetch_job *j = pf->job;

	if (j == NULL)
		return NULL;
	pthread_join(j->tid, NULL);
	pf->job = NULL;
	return j;
}

void
files_prefetch_drop(struct files_prefetch *pf)
{
	struct prefetch_job *j = pf != NULL ? prefetch_join(pf) : NULL;

	if (j != NULL) {
		buf_release(&j->out);
		free(j);
	}
}

/* "exit status N" or "killed by signal N", for messages. */
static void
describe_status(const struct proc_result *r, char *buf, size_t size)
{
	if (r->outcome == PROC_EXITED)
		snprintf(buf, size, "exit status %d", r->exit_code);
	else if (r->signal != 0)
		snprintf(buf, size, "killed by signal %d", r->signal);
	else
		snprintf(buf, size, "%s", strerror(r->error));
}

/* The directory of the entries being lstat'ed, open once for all of them. */
struct dir_cache {
	int fd;                 /* O_PATH fd of `dir`, or -1 */
	char *dir;              /* "a/b" (no trailing '/'), or NULL */
	size_t len;
};

/*
 * The fd to lstat `path` relative to, and its last name in *base:
 * AT_FDCWD for a name in the run directory, else its directory's fd
 * (opened when it differs from the last one's). -2 when the directory
 * cannot be opened (nothing in it can be lstat'ed either).
 */
static int
dir_of(struct dir_cache *dc, const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL) {
		*base = path;
		return AT_FDCWD;
	}
	*base = slash + 1;
	len = (size_t)(slash - path);
	if (dc->dir != NULL && dc->len == len &&
	    memcmp(dc->dir, path, len) == 0)
		return dc->fd >= 0 ? dc->fd : -2;
	if (dc->fd >= 0)
		close(dc->fd);
	free(dc->dir);
	dc->dir = xstrndup(path, len);
	dc->len = len;
	dc->fd = open(dc->dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dc->fd < 0 && errno == ELOOP) {
		/* A directory reached through a symlink in the path: git
		   never lists such a path, but an explicit one may. */
		dc->fd = open(dc->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return dc->fd >= 0 ? dc->fd : -2;
}

/*
 * Add the NUL-separated paths of p[0..len) (the last one may lack its
 * NUL) that pass the keep rule. Each entry is lstat'ed relative to its
 * directory, opened once for the run of entries in it (git lists them
 * together): the kernel walks one name, not the whole path, per file.
 */
static void
add_existing(struct builder *b, const char *p, size_t len)
{
	const char *end = p + len;
	struct dir_cache dc = { -1, NULL, 0 };

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul != NULL ? (size_t)(nul - p) : (size_t)(end - p);
		/* Only an unterminated last entry needs a copy. */
		char *own = nul == NULL ? xstrndup(p, n) : NULL;
		const char *name = own != NULL ? own : p, *base;
		struct stat st;
		int dfd;

		if (n > 0 && (dfd = dir_of(&dc, name, &base)) != -2 &&
		    fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    keep_entry(dfd, base, st.st_mode))
			builder_add(b, name, n, S_ISREG(st.st_mode) ?
			    (long long)st.st_size : -1);
		free(own);
		p += n + 1;
	}
	if (dc.fd >= 0)
		close(dc.fd);
	free(dc.dir);
}

/*
 * Run a git command printing NUL-separated paths relative to the
 * current directory (or take what a prefetch of it got) and add those
 * that pass the keep rule (add_existing).
 */
static int
list_git(struct builder *b, const char *const *argv,
	 struct files_prefetch *pf, struct err *e)
{
	struct prefetch_job *j = pf != NULL && pf->src != FILES_SOURCE_LIST &&
				 git_argv(pf->src) == argv ? prefetch_join(pf) :
				 NULL;
	struct buf out = { 0 };
	struct proc_result r;
	char how[64];
	int err;

	if (j != NULL) {
		out = j->out;
		r = j->r;
		err = j->err;
		free(j);
	} else {
		err = run_git(argv, &out, &r);
	}
	if (err) {
		buf_release(&out);
		return err_set(e, NULL, 0, "cannot run git %s: %s", argv[1],
		    strerror(err));
	}
	if (r.outcome != PROC_EXITED || r.exit_code != 0) {
		buf_release(&out);
		describe_status(&r, how, sizeof(how));
		return err_set(e, NULL, 0, "git %s failed (%s)", argv[1], how);
	}
	add_existing(b, out.p, out.len);
	buf_release(&out);
	return 0;
}

int
files_from_nul(struct file_list *fl, const char *paths, size_t len)
{
	struct builder b;

	fl->v = NULL;
	fl->size = NULL;
	fl->n = 0;
	memset(&b, 0, sizeof(b));
	b.fl = fl;
	add_existing(&b, paths, len);
	builder_release(&b);
	return 0;
}

static const char *const ls_files_argv[] = { "git", "ls-files", "-z", NULL };

/*
 * Staged files: `git diff --cached` with no commit compares the index
 * with HEAD, or, on an unborn branch, lists everything in the index:
 * no empty-tree id (which differs between SHA-1 and SHA-256
 * repositories) is needed. --relative keeps only the files under the
 * current directory, relative to it. --no-renames turns a rename into
 * an addition of the new name, the same file for us and cheaper;
 * -O/dev/null overrides diff.orderFile; the rest guards against a
 * user's configuration.
 */
static const char *const staged_argv[] = {
	"git", "diff", "--cached", "--name-only", "-z",
	"--diff-filter=ACMR", "--relative", "--no-renames",
	"--no-ext-diff", "--no-color", "-O/dev/null", "--", NULL
};

static const char *const *
git_argv(enum files_source src)
{
	switch (src) {
	case FILES_SOURCE_DEFAULT:
		return ls_files_argv;
	case FILES_SOURCE_STAGED:
		return staged_argv;
	default:
		return NULL;
	}
}

/* ---------------------------------------------------------------- */
/* The walk.                                                        */

/*
 * One directory being walked: its fd (for openat and fstatat), its path
 * with a trailing '/' ("" for the run directory), and its entries,
 * sorted, with the index of the next one. Names of directories carry a
 * trailing '/' while sorting, so that the walk yields paths in the
 * bytewise order of whole paths, as git ls-files does ("a-b" before
 * "a/x").
 */
struct frame {
	int fd;
	char *prefix;
	size_t plen;
	char *names;            /* every name, NUL-terminated, one block */
	char **ents;
	size_t n, next;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
frame_release(struct frame *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->prefix);
	free(f->names);
	free(f->ents);
}

/*
 * Read the directory open on f->fd into f->names and f->ents: files to
 * keep as "name", directories to enter as "name/", everything else
 * (".git", symlinks to directories, fifos...) left out.
 */
static int
frame_read(struct frame *f, struct err *e)
{
	size_t nlen = 0, ncap = 1024, ecap = 0, i, off;
	size_t *offs = NULL;
	struct dirent *d;
	DIR *dir;
	int fd2;

	fd2 = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	if (fd2 < 0 || (dir = fdopendir(fd2)) == NULL) {
		int err = errno;

		if (fd2 >= 0)
			close(fd2);
		return err_set(e, NULL, 0, "cannot read directory %s: %s",
		    f->plen ? f->prefix : ".", strerror(err));
	}
	f->names = xmalloc(ncap);
	f->n = 0;
	for (;;) {
		const char *name;
		size_t len;
		int is_dir = 0;
		struct stat st;

		errno = 0;
		if ((d = readdir(dir)) == NULL)
			break;
		name = d->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    strcmp(name, ".git") == 0)
			continue;
		switch (d->d_type) {
		case DT_REG:
			break;
		case DT_DIR:
			is_dir = 1;
			break;
		case DT_LNK:
			if (!keep_entry(f->fd, name, S_IFLNK))
				continue;
			break;
		case DT_UNKNOWN:
			if (fstatat(f->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;       /* gone since readdir */
			if (S_ISDIR(st.st_mode))
				is_dir = 1;
			else if (!keep_entry(f->fd, name, st.st_mode))
				continue;
			break;
		default:
			continue;
		}
		len = strlen(name);
		while (ncap - nlen < len + 2) {
			ncap *= 2;
			f->names = xrealloc(f->names, ncap);
		}
		if (f->n == ecap) {
			ecap = ecap ? ecap * 2 : 64;
			offs = xreallocarray(offs, ecap, sizeof(*offs));
		}
		offs[f->n++] = nlen;
		memcpy(f->names + nlen, name, len);
		nlen += len;
		if (is_dir)
			f->names[nlen++] = '/';
		f->names[nlen++] = '\0';
	}
	if (errno != 0) {
		int err = errno;

		closedir(dir);
		free(offs);
		return err_set(e, NULL, 0, "cannot read directory %s: %s",
		    f->plen ? f->prefix : ".", strerror(err));
	}
	closedir(dir);
	/* Pointers only now: f->names has stopped moving. */
	f->ents = xreallocarray(NULL, f->n, sizeof(*f->ents));
	for (i = 0; i < f->n; i++) {
		off = offs[i];
		f->ents[i] = f->names + off;
	}
	free(offs);
	qsort(f->ents, f->n, sizeof(*f->ents), cmp_str);
	f->next = 0;
	return 0;
}

/*
 * Walk the run directory depth first with an explicit stack, one open
 * fd per level, never following a symlink into a directory (O_NOFOLLOW
 * on every directory opened, and such symlinks are not entered as
 * directories in the first place). A subdirectory that cannot be opened
 * because of its permissions, or that vanished or changed type since
 * readdir, is skipped, as git ls-files would; any other error is one.
 */
static int
list_walk(struct builder *b, struct err *e)
{
	struct frame *st = NULL;
	size_t depth = 0, cap = 0;
	int rc = 0;

	cap = 16;
	st = xreallocarray(NULL, cap, sizeof(*st));
	memset(&st[0], 0, sizeof(st[0]));
	st[0].fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st[0].fd < 0) {
		rc = err_set(e, NULL, 0, "cannot open directory .: %s",
		    strerror(errno));
		free(st);
		return rc;
	}
	st[0].prefix = xstrdup("");
	depth = 1;
	if (frame_read(&st[0], e) != 0) {
		frame_release(&st[0]);
		free(st);
		return -1;
	}

	while (depth > 0) {
		struct frame *f = &st[depth - 1];
		char *name, *path;
		size_t len;
		struct frame c;

		if (f->next == f->n) {
			frame_release(f);
			depth--;
			continue;
		}
		name = f->ents[f->next++];
		len = strlen(name);
		path = xmalloc(f->plen + len + 1);
		memcpy(path, f->prefix, f->plen);
		memcpy(path + f->plen, name, len + 1);
		if (name[len - 1] != '/') {
			builder_put(b, path, f->plen + len, path, -1);
			continue;
		}
		/* A directory ("name/"): enter it. */
		memset(&c, 0, sizeof(c));
		c.prefix = path;
		c.plen = f->plen + len;
		name[len - 1] = '\0';
		c.fd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		name[len - 1] = '/';
		if (c.fd < 0) {
			int err = errno;

			if (err != EACCES && err != ENOENT && err != ENOTDIR &&
			    err != ELOOP)
				rc = err_set(e, NULL, 0,
				    "cannot open directory %.*s: %s",
				    (int)(c.plen - 1), c.prefix, strerror(err));
			free(path);
			if (rc != 0)
				break;
			continue;
		}
		if (frame_read(&c, e) != 0) {
			frame_release(&c);
			rc = -1;
			break;
		}
		if (depth == cap) {
			cap *= 2;
			st = xreallocarray(st, cap, sizeof(*st));
		}
		st[depth++] = c;
	}
	while (depth > 0)
		frame_release(&st[--depth]);
	free(st);
	return rc;
}

/* ---------------------------------------------------------------- */
/* An explicit list.                                                */

/* Read all of fd; NUL-terminated. Returns 0 or an errno value. */
static int
read_all(int fd, char **out, size_t *outlen)
{
	size_t len = 0, cap = 65536;
	char *buf = xmalloc(cap);

	*out = NULL;
	*outlen = 0;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		{
			int err = errno;

			free(buf);
			return err;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * Names are taken byte for byte, split only on the separator: no
 * trimming, no "\r" removal. Empty names are skipped and every leading
 * "./" is removed ("././a" is "a"). In newline mode a NUL byte is an
 * error: the list was most likely meant for -0.
 */
static int
list_from(struct builder *b, const char *list_path, int nul_sep,
	  struct err *e)
{
	const char *shown;
	char *buf = NULL, *p, *end;
	size_t len = 0;
	int fd, err;
	char sep = nul_sep ? '\0' : '\n';

	if (list_path == NULL)
		return err_set(e, NULL, 0, "--files: no list given");
	shown = strcmp(list_path, "-") == 0 ? "standard input" : list_path;
	if (strcmp(list_path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		do
			fd = open(list_path, O_RDONLY | O_CLOEXEC);
		while (fd < 0 && errno == EINTR);
		if (fd < 0)
			return err_set(e, NULL, 0,
			    "--files: cannot open %s: %s", list_path,
			    strerror(errno));
	}
	err = read_all(fd, &buf, &len);
	if (fd != STDIN_FILENO)
		close(fd);
	if (err)
		return err_set(e, NULL, 0, "--files: cannot read %s: %s",
		    shown, strerror(err));
	if (!nul_sep && memchr(buf, '\0', len) != NULL) {
		free(buf);
		return err_set(e, NULL, 0, "--files: %s holds a NUL byte "
		    "(a NUL-separated list needs -0)", shown);
	}
	end = buf + len;
	for (p = buf; p < end; ) {
		char *q = memchr(p, sep, (size_t)(end - p));
		char *next;

		if (q == NULL)
			q = end;
		next = q + 1;
		while (q - p >= 2 && p[0] == '.' && p[1] == '/')
			p += 2;
		if (q > p)
			builder_add(b, p, (size_t)(q - p), -1);
		p = next;
	}
	free(buf);
	return 0;
}

/*
 * Whether the run directory is in a git work tree, as `g` says, or as
 * git says now when `g` is NULL: 1 or 0, or -1 with `e` set when git
 * could not be asked.
 */
static int
in_work_tree(const struct gitdir *g, struct err *e)
{
	struct gitdir own;
	int yes;

	if (g == NULL) {
		if (gitdir_discover(&own, NULL, e) != 0) {
			gitdir_release(&own);
			return -1;
		}
		yes = own.state == GITDIR_REPO && own.inside_work_tree;
		gitdir_release(&own);
		return yes;
	}
	if (g->state == GITDIR_ERROR)
		return err_set(e, NULL, 0, "%s", g->error);
	return g->state == GITDIR_REPO && g->inside_work_tree;
}

int
files_list_in(struct file_list *fl, const struct gitdir *g,
	      enum files_source src, const char *list_path, int nul_sep,
	      struct err *e)
{
	return files_list_prefetched(fl, g, src, list_path, nul_sep, NULL, e);
}

int
files_list_prefetched(struct file_list *fl, const struct gitdir *g,
		      enum files_source src, const char *list_path,
		      int nul_sep, struct files_prefetch *pf, struct err *e)
{
	struct builder b;
	int rc, git;

	fl->v = NULL;
	fl->size = NULL;
	fl->n = 0;
	memset(&b, 0, sizeof(b));
	b.fl = fl;

	switch (src) {
	case FILES_SOURCE_LIST:
		rc = list_from(&b, list_path, nul_sep, e);
		break;
	case FILES_SOURCE_ALL:
		rc = list_walk(&b, e);
		break;
	case FILES_SOURCE_STAGED:
		git = in_work_tree(g, e);
		if (git < 0)
			rc = -1;
		else if (git == 0)
			rc = err_set(e, NULL, 0,
			    "--staged: not in a git work tree");
		else
			rc = list_git(&b, staged_argv, pf, e);
		break;
	case FILES_SOURCE_RANGE:
	case FILES_SOURCE_CHANGED:
	case FILES_SOURCE_PUSH:
	case FILES_SOURCE_MESSAGE:
		/* The git workflow's sources: githook_list_files(). */
		rc = err_set(e, NULL, 0, "this file source is not listed here");
		break;
	case FILES_SOURCE_DEFAULT:
	default:
		git = in_work_tree(g, e);
		if (git < 0)
			rc = -1;
		else if (git == 0)
			rc = list_walk(&b, e);
		else
			rc = list_git(&b, ls_files_argv, pf, e);
		break;
	}
	builder_release(&b);
	files_prefetch_drop(pf);
	if (rc != 0)
		file_list_release(fl);
	return rc;
}

int
files_list(struct file_list *fl, enum files_source src,
	   const char *list_path, int nul_sep, struct err *e)
{
	return files_list_in(fl, NULL, src, list_path, nul_sep, e);
}

void
file_list_release(struct file_list *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		free(fl->v[i]);
	free(fl->v);
	free(fl->size);
	fl->v = NULL;
	fl->size = NULL;
	fl->n = 0;
}

/* ---------------------------------------------------------------- */
/* Matching.                                                        */

/*
 * Segments are copied to the stack to be NUL-terminated for fnmatch.
 * A file system name is at most NAME_MAX bytes, so only a pattern
 * segment or a hand-made --files name longer than this goes to the heap.
 */
#define SEGBUF 512

static int
seg_match(const char *pat, size_t plen, const char *str, size_t slen)
{
	char pb[SEGBUF], sb[SEGBUF];
	char *ph = pb, *sh = sb;
	int r;

	/* Without a special character fnmatch would compare bytes. */
	if (strcspn(pat, "*?[\\") >= plen)
		return plen == slen && memcmp(pat, str, plen) == 0;
	if (plen >= SEGBUF)
		ph = xmalloc(plen + 1);
	if (slen >= SEGBUF)
		sh = xmalloc(slen + 1);
	memcpy(ph, pat, plen);
	ph[plen] = '\0';
	memcpy(sh, str, slen);
	sh[slen] = '\0';
	r = fnmatch(ph, sh, 0) == 0;
	if (ph != pb)
		free(ph);
	if (sh != sb)
		free(sh);
	return r;
}

/*
 * A "**" segment; an empty last segment (a pattern ending in '/')
 * counts as one: "build/" is everything below build, as "build" "/" "**"
 * would be.
 */
static int
is_dstar(const char *p, size_t len, int last)
{
	return (len == 2 && p[0] == '*' && p[1] == '*') || (len == 0 && last);
}

/*
 * Match a path pattern against a path, segment by segment, each segment
 * with fnmatch(3) and no flags (segments hold no '/', and a leading dot
 * is not special). A "**" segment matches zero or more directories,
 * except a trailing one, which matches one or more segments: a pattern
 * "a" "/" "**" is everything below a, not a file named a (as in
 * gitignore).
 *
 * The classic two-pointer wildcard algorithm with segments as symbols
 * and "**" as the star: on a mismatch, go back to just after the last
 * "**" and let it take one more segment. Linear in the common case,
 * O(segments^2) at worst, never recursive, never allocating.
 * Positions are pointers to the start of a segment, NULL past the end.
 */
static int
path_match(const char *pat, const char *path)
{
	const char *p = pat, *s = path;
	const char *star_p = NULL, *star_s = NULL;

	while (s != NULL) {
		if (p != NULL) {
			size_t pl = strcspn(p, "/");
			const char *pn = p[pl] != '\0' ? p + pl + 1 : NULL;
			size_t sl;

			if (is_dstar(p, pl, pn == NULL)) {
				if (pn == NULL)
					return 1;       /* trailing: the rest */
				star_p = p = pn;
				star_s = s;
				continue;
			}
			sl = strcspn(s, "/");
			if (seg_match(p, pl, s, sl)) {
				p = pn;
				s = s[sl] != '\0' ? s + sl + 1 : NULL;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		/* The last "**" takes one more segment and we retry. */
		{
			size_t sl = strcspn(star_s, "/");

			if (star_s[sl] == '\0')
				return 0;       /* "**" never takes the file */
			star_s += sl + 1;
		}
		s = star_s;
		p = star_p;
	}
	/*
	 * The path is used up. What is left of the pattern cannot match
	 * nothing: its last segment, "**" or not, needs a segment.
	 */
	return p == NULL;
}

/*
 * One pattern. Without '/': the base name, with fnmatch(3). With '/': the
 * whole path, as above; leading "/" and "./" are dropped, so "/setup.py"
 * is setup.py at the top of the run directory only.
 */
static int
match_one(const char *pat, const char *path)
{
	const char *base;

	if (strchr(pat, '/') == NULL) {
		base = strrchr(path, '/');
		return fnmatch(pat, base != NULL ? base + 1 : path, 0) == 0;
	}
	for (;;) {
		if (pat[0] == '/')
			pat++;
		else if (pat[0] == '.' && pat[1] == '/')
			pat += 2;
		else
			break;
	}
	return path_match(pat, path);
}

int
files_match_any(const char *path, char *const *patterns, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (match_one(patterns[i], path))
			return 1;
	return 0;
}

size_t *
files_select(const struct file_list *fl, char *const *files,
	     size_t nfiles, char *const *exclude, size_t nexclude,
	     size_t *n)
{
	size_t *idx = NULL, cap = 0, i;

	*n = 0;
	for (i = 0; i < fl->n; i++) {
		if (!files_match_any(fl->v[i], files, nfiles) ||
		    files_match_any(fl->v[i], exclude, nexclude))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			idx = xreallocarray(idx, cap, sizeof(*idx));
		}
		idx[(*n)++] = i;
	}
	return idx;
}

/* ---------------------------------------------------------------- */
/* Batches.                                                         */

/*
 * The ceiling on ARG_MAX. glibc's sysconf(_SC_ARG_MAX) is a quarter of
 * the stack rlimit (at least 128 KiB), which is 2 MiB with the usual 8
 * MiB stack but "huge" with an unlimited one, while the kernel caps the
 * arguments and environment at 6 MiB whatever the rlimit (older kernels
 * at a quarter of it). 2 MiB stays below every such cap; larger batches
 * would gain nothing, as one process per batch costs little next to
 * what the hook does with thousands of files. Unlike xargs we do not
 * default to 128 KiB: fewer, larger batches are what the user asked
 * for with batch_size = 0. A smaller limit (a small stack rlimit) is
 * used as it is; no answer at all means the kernel's 128 KiB floor.
 */
#define ARG_MAX_CEILING (2 * 1024 * 1024)
#define ARG_MAX_FLOOR 4096              /* _POSIX_ARG_MAX */
#define ARG_MAX_UNKNOWN (128 * 1024)
#define ARG_HEADROOM 2048

size_t
files_arg_budget(char *const *envp, char *const *fixed)
{
	long sc = sysconf(_SC_ARG_MAX);
	size_t limit, used = ARG_HEADROOM, i;

	if (sc <= 0)
		limit = ARG_MAX_UNKNOWN;
	else if ((unsigned long)sc > ARG_MAX_CEILING)
		limit = ARG_MAX_CEILING;
	else
		limit = (size_t)sc;
	if (limit < ARG_MAX_FLOOR)
		limit = ARG_MAX_FLOOR;
	/* The NULLs that end argv and envp. */
	used += 2 * sizeof(char *);
	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		used += strlen(envp[i]) + 1 + sizeof(char *);
	for (i = 0; fixed != NULL && fixed[i] != NULL; i++)
		used += strlen(fixed[i]) + 1 + sizeof(char *);
	return used < limit ? limit - used : 1;
}

/* Batch boundaries under construction: batch k is [start[k], start[k+1]). */
struct cuts {
	size_t *start;
	size_t n, alloc;
};

static void
cut_add(struct cuts *c, size_t start)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 16;
		c->start = xreallocarray(c->start, c->alloc,
		    sizeof(*c->start));
	}
	c->start[c->n++] = start;
}

static unsigned long long
cost_sum(const size_t *cost, size_t a, size_t b)
{
	unsigned long long t = 0;

	while (a < b)
		t += cost[a++];
	return t;
}

/*
 * Cut [a, b) into k contiguous non-empty parts of about equal cost
 * (1 <= k <= b - a): each cut goes where the running total comes
 * closest to j/k of the whole, leaving at least one file for each part
 * still to come. Writes k + 1 bounds.
 */
static void
partition(const size_t *cost, size_t a, size_t b, size_t k, size_t *bounds)
{
	unsigned long long total = cost_sum(cost, a, b), cum = 0, target;
	size_t j, pos = a;

	bounds[0] = a;
	for (j = 1; j < k; j++) {
		size_t max = b - (k - j);

		target = total * j / k;
		cum += cost[pos++];     /* never an empty part */
		while (pos < max && cum < target) {
			unsigned long long with = cum + cost[pos];

			/* Take the next file if that lands closer. */
			if (with > target && with - target >= target - cum)
				break;
			cum = with;
			pos++;
		}
		bounds[j] = pos;
	}
	bounds[k] = b;
}

/*
 * Greedy: fill each batch up to `limit`; a file over it goes alone.
 * This gives the fewest batches under the limit. With `c` NULL, only
 * count them.
 */
static size_t
cut_greedy(struct cuts *c, const size_t *cost, size_t a, size_t b,
	   unsigned long long limit)
{
	unsigned long long used = 0;
	size_t i, n = 1;

	if (c != NULL)
		cut_add(c, a);
	for (i = a; i < b; i++) {
		if (i > a && used + cost[i] > limit) {
			if (c != NULL)
				cut_add(c, i);
			n++;
			used = 0;
		}
		used += cost[i];
	}
	return n;
}

/*
 * Cut [a, b) so that no batch exceeds the budget, into as few batches
 * as that takes (g, the greedy count), as even as possible: the
 * balanced partition into g parts when each part fits; otherwise (some
 * files far larger than others) the greedy cut under the smallest limit
 * that still gives g batches, found by bisection, which minimises the
 * largest batch.
 */
static void
cut_budget(struct cuts *c, const size_t *cost, size_t a, size_t b,
	   size_t budget)
{
	unsigned long long total = cost_sum(cost, a, b), lo, hi, mid;
	size_t g, j, *bounds;
	int fits = 1;

	if (total <= budget || b - a == 1) {
		cut_add(c, a);
		return;
	}
	g = cut_greedy(NULL, cost, a, b, budget);
	bounds = xreallocarray(NULL, g + 1, sizeof(*bounds));
	partition(cost, a, b, g, bounds);
	for (j = 0; j < g && fits; j++)
		fits = bounds[j + 1] - bounds[j] == 1 ||
		    cost_sum(cost, bounds[j], bounds[j + 1]) <= budget;
	if (fits) {
		for (j = 0; j < g; j++)
			cut_add(c, bounds[j]);
		free(bounds);
		return;
	}
	free(bounds);
	/* Not total / g: a file over the budget, alone, breaks that bound. */
	lo = 1;
	hi = budget;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cut_greedy(NULL, cost, a, b, mid) <= g)
			hi = mid;
		else
			lo = mid + 1;
	}
	cut_greedy(c, cost, a, b, lo);
}

/* A batch being filled by pack(). */
struct bin {
	double cost;
	size_t bytes, n;
};

/* The cheapest batch first; the lower number among equals. */
static int
bin_before(const void *a, const void *b, void *ctx)
{
	const struct bin *bins = *(const struct bin *const *)ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return bins[x].cost < bins[y].cost ||
	    (bins[x].cost == bins[y].cost && x < y);
}

/*
 * Something ranked costliest first, the lower `tie` first among equals:
 * a file to place (tie: its position), or a batch (tie: its first file).
 */
struct ranked {
	double cost;
	size_t tie, id;
};

static int
cmp_costlier(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return x->tie < y->tie ? -1 : x->tie > y->tie;
}

/*
 * Longest processing time first: take the files costliest first and
 * put each in the cheapest batch that still has room for its argument
 * bytes, opening a new batch when none has. Starts with `nbins`
 * batches. Writes each file's batch to bin_of[] and returns the number
 * of batches.
 */
static size_t
pack(const double *cost, const size_t *bytes, size_t n, size_t nbins,
     size_t budget, size_t *bin_of)
{
	struct ranked *order = xreallocarray(NULL, n, sizeof(*order));
	size_t alloc = nbins + 16, nheld, i, j, *held;
	struct bin *bins = xcalloc(alloc, sizeof(*bins));
	struct heap heap;

	/* The heap reaches the bins through a pointer that follows them. */
	heap_init(&heap, sizeof(size_t), bin_before, &bins);
	heap_reserve(&heap, alloc);
	held = xreallocarray(NULL, alloc, sizeof(*held));
	for (i = 0; i < n; i++) {
		order[i].cost = cost[i];
		order[i].tie = order[i].id = i;
	}
	qsort(order, n, sizeof(*order), cmp_costlier);
	for (j = 0; j < nbins; j++)
		heap_push(&heap, &j);
	for (i = 0; i < n; i++) {
		size_t f = order[i].id, got = SIZE_MAX, x;

		nheld = 0;
		while (heap.n > 0) {
			heap_pop(&heap, &x);
			if (bins[x].n == 0 || bins[x].bytes + bytes[f] <= budget) {
				got = x;
				break;
			}
			held[nheld++] = x;
		}
		if (got == SIZE_MAX) {
			if (nbins == alloc) {
				alloc *= 2;
				bins = xreallocarray(bins, alloc, sizeof(*bins));
				held = xreallocarray(held, alloc, sizeof(*held));
			}
			got = nbins++;
			memset(&bins[got], 0, sizeof(bins[got]));
		}
		bins[got].cost += cost[f];
		bins[got].bytes += bytes[f];
		bins[got].n++;
		bin_of[f] = got;
		heap_push(&heap, &got);
		for (j = 0; j < nheld; j++)
			heap_push(&heap, &held[j]);
	}
	free(order);
	free(bins);
	heap_release(&heap);
	free(held);
	return nbins;
}

void
files_batch(struct batches *b, const struct file_list *fl,
	    const size_t *idx, size_t nidx, const double *cost,
	    size_t batch_size, size_t want, size_t budget)
{
	struct cuts c = { NULL, 0, 0 };
	size_t *bytes, *bin_of, i, k, nbins = 0, *fill;
	double *fcost;
	struct ranked *keys;

	memset(b, 0, sizeof(*b));
	if (nidx == 0)
		return;
	if (budget == 0)
		budget = 1;
	bytes = xreallocarray(NULL, nidx, sizeof(*bytes));
	fcost = xreallocarray(NULL, nidx, sizeof(*fcost));
	bin_of = xreallocarray(NULL, nidx, sizeof(*bin_of));
	for (i = 0; i < nidx; i++) {
		bytes[i] = strlen(fl->v[idx[i]]) + 1 + sizeof(char *);
		fcost[i] = cost != NULL ? cost[i] : (double)bytes[i];
	}

	if (batch_size == 0) {
		/* As few batches as the budget allows, at least `want`. */
		unsigned long long total = cost_sum(bytes, 0, nidx);
		size_t least = cut_greedy(NULL, bytes, 0, nidx, budget);
		size_t start = (size_t)((total + budget - 1) / budget);

		if (want == 0)
			want = 1;
		if (start < want)
			start = want;
		if (start > nidx)
			start = nidx;
		nbins = pack(fcost, bytes, nidx, start, budget, bin_of);
		if (nbins > (least > want ? least : want)) {
			/* Packing needed more processes than cutting the
			   list in order would: cut it in order instead. */
			size_t *bounds, parts = want < nidx ? want : nidx;

			bounds = xreallocarray(NULL, parts + 1, sizeof(*bounds));
			partition(bytes, 0, nidx, parts, bounds);
			for (k = 0; k < parts; k++)
				cut_budget(&c, bytes, bounds[k], bounds[k + 1],
				    budget);
			free(bounds);
		}
	} else {
		for (i = 0; i < nidx; i += batch_size)
			cut_budget(&c, bytes, i, nidx - i > batch_size ?
			    i + batch_size : nidx, budget);
	}
	if (c.n > 0) {
		nbins = c.n;
		for (k = 0; k < c.n; k++) {
			size_t to = k + 1 < c.n ? c.start[k + 1] : nidx;

			for (i = c.start[k]; i < to; i++)
				bin_of[i] = k;
		}
		free(c.start);
	}

	/* Costliest batch first: it is submitted first. */
	keys = xcalloc(nbins, sizeof(*keys));
	for (k = 0; k < nbins; k++) {
		keys[k].tie = SIZE_MAX;
		keys[k].id = k;
	}
	for (i = 0; i < nidx; i++) {
		struct ranked *bk = &keys[bin_of[i]];

		bk->cost += fcost[i];
		if (bk->tie == SIZE_MAX)
			bk->tie = i;    /* its first file */
	}
	qsort(keys, nbins, sizeof(*keys), cmp_costlier);

	b->n = nbins;
	b->files = xreallocarray(NULL, nbins, sizeof(*b->files));
	b->count = xcalloc(nbins, sizeof(*b->count));
	b->cost = xreallocarray(NULL, nbins, sizeof(*b->cost));
	b->total = xreallocarray(NULL, nbins, sizeof(*b->total));
	b->seconds = xcalloc(nbins, sizeof(*b->seconds));
	fill = xcalloc(nbins, sizeof(*fill));
	for (i = 0; i < nidx; i++)
		fill[bin_of[i]]++;
	for (k = 0; k < nbins; k++) {
		size_t m = fill[keys[k].id];

		b->files[k] = xreallocarray(NULL, m + 1, sizeof(**b->files));
		b->cost[k] = xreallocarray(NULL, m ? m : 1, sizeof(**b->cost));
		b->total[k] = keys[k].cost;
		fill[keys[k].id] = k;   /* from now on: where bin goes */
	}
	for (i = 0; i < nidx; i++) {
		k = fill[bin_of[i]];
		b->cost[k][b->count[k]] = fcost[i];
		b->files[k][b->count[k]++] = fl->v[idx[i]];
	}
	for (k = 0; k < nbins; k++)
		b->files[k][b->count[k]] = NULL;
	free(fill);
	free(keys);
	free(bytes);
	free(fcost);
	free(bin_of);
}

void
batches_release(struct batches *b)
{
	size_t k;

	for (k = 0; k < b->n; k++) {
		free(b->files[k]);
		free(b->cost[k]);
	}
	free(b->files);
	free(b->count);
	free(b->cost);
	free(b->total);
	free(b->seconds);
	memset(b, 0, sizeof(*b));
}

void
run_batches_init(struct run_batches *rb, size_t n)
{
	rb->n = n;
	rb->of = xcalloc(n + 1, sizeof(*rb->of));
	rb->nbatches = xcalloc(n + 1, sizeof(*rb->nbatches));
	rb->nfiles = xcalloc(n + 1, sizeof(*rb->nfiles));
	rb->seconds = xcalloc(n + 1, sizeof(*rb->seconds));
}

void
run_batches_link(struct run_batches *rb)
{
	size_t i;

	for (i = 0; i < rb->n; i++)
		rb->seconds[i] = rb->of[i].seconds;
}

void
run_batches_release(struct run_batches *rb)
{
	size_t i;

	if (rb->of != NULL)
		for (i = 0; i < rb->n; i++)
			batches_release(&rb->of[i]);
	free(rb->of);
	free(rb->nbatches);
	free(rb->nfiles);
	free(rb->seconds);
	memset(rb, 0, sizeof(*rb));
}
