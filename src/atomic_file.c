/*
 * atomic_file.c - replace a file by rename, with the rules of
 * atomic_file.h for links, descriptors, FIFOs, modes and fallbacks.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "util.h"

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* Links followed before ELOOP, as the kernel does. */
#define MAX_LINKS 40

/* What a path turned out to name. */
enum kind {
	K_NEW,          /* nothing yet, in an existing directory */
	K_REGULAR,      /* a regular file: replaced by rename */
	K_NODE,         /* FIFO, device, socket: written in place */
	K_OWN_FD,       /* one of our descriptors, through /proc */
};

struct target {
	char *path;     /* the final target (owned) */
	enum kind kind;
	struct stat st; /* K_REGULAR, K_NODE: its lstat */
	int fd;         /* K_OWN_FD */
};

static int opt_fd(const struct atomic_file_options *o, int which);

/* The directory part of path: "." for a bare name, "/" for "/x". */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *
base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* s is a decimal number of at most 9 digits: its value, else -1. */
static int
small_number(const char *s)
{
	int n = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return i > 0 ? n : -1;
}

/*
 * Is path "DIR/N" where DIR is our own /proc/PID/fd (or a thread's
 * /proc/PID/task/TID/fd), however it is spelt (/dev/fd, /proc/self/fd)?
 * Then *fd = N and 1. 2 when DIR is some other fd directory under /proc
 * (another process's, or a /proc that is not our PID namespace's): its
 * links are not paths to follow by hand. Else 0.
 */
static int
own_fd(const char *path, int *fd)
{
	char *dir, *real, pid[32];
	const char *rest;
	int n = small_number(base_of(path)), yes = 0;
	size_t k, len;

	if (n < 0)
		return 0;
	dir = dir_of(path);
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return 0;
	len = strlen(real);
	if (strncmp(real, "/proc/", 6) == 0 && len > 9 &&
	    strcmp(real + len - 3, "/fd") == 0)
		yes = 2;
	k = (size_t)snprintf(pid, sizeof(pid), "/proc/%ld/", (long)getpid());
	if (yes && strncmp(real, pid, k) == 0) {
		rest = real + k;
		if (strncmp(rest, "task/", 5) == 0) {
			rest += 5;
			while (*rest >= '0' && *rest <= '9')
				rest++;
			if (*rest == '/')
				rest++;
			else
				rest = "";
		}
		if (strcmp(rest, "fd") == 0)
			yes = 1;
	}
	free(real);
	if (yes == 1)
		*fd = n;
	return yes;
}

/*
 * Find what `name` names, following links by hand. Returns 0, or -1
 * with errno (EISDIR for a directory, ELOOP, ENOENT for an empty name
 * or a missing directory on the way).
 */
static int
resolve(const char *name, struct target *t)
{
	char *cur, link[PATH_MAX + 1];
	int hops, saved;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (*name == '\0') {
		errno = ENOENT;
		return -1;
	}
	cur = xstrdup(name);
	for (hops = 0;; hops++) {
		ssize_t len;

		if (*base_of(cur) == '\0') {
			/* "name/" names a directory, never a file */
			if (lstat(cur, &t->st) != 0)
				goto fail;
			saved = S_ISDIR(t->st.st_mode) ? EISDIR : ENOTDIR;
			goto fail_errno;
		}
		if (lstat(cur, &t->st) != 0) {
			if (errno != ENOENT)
				goto fail;
			if (own_fd(cur, &t->fd) == 1) {
				t->kind = K_OWN_FD;
				break;
			}
			t->kind = K_NEW;
			break;
		}
		if (S_ISDIR(t->st.st_mode)) {
			saved = EISDIR;
			goto fail_errno;
		}
		if (S_ISREG(t->st.st_mode)) {
			t->kind = K_REGULAR;
			break;
		}
		if (!S_ISLNK(t->st.st_mode)) {
			t->kind = K_NODE;
			break;
		}
		switch (own_fd(cur, &t->fd)) {
		case 1:
			t->kind = K_OWN_FD;
			break;
		case 2:
			t->kind = K_NODE;       /* open(2) knows where it goes */
			break;
		}
		if (t->kind != K_NEW)
			break;
		if (hops >= MAX_LINKS) {
			saved = ELOOP;
			goto fail_errno;
		}
		len = readlink(cur, link, sizeof(link));
		if (len < 0)
			goto fail;
		if ((size_t)len >= sizeof(link)) {
			saved = ENAMETOOLONG;
			goto fail_errno;
		}
		link[len] = '\0';
		if (link[0] == '/') {
			free(cur);
			cur = xstrdup(link);
		} else {
			char *dir = dir_of(cur);

			free(cur);
			cur = xasprintf("%s/%s", dir, link);
			free(dir);
		}
	}
	t->path = cur;
	return 0;
fail:
	saved = errno;
fail_errno:
	free(cur);
	errno = saved;
	return -1;
}

/* Fill in e for error `error` on `name`; -1 with errno = error. */
static int
fail(struct err *e, const char *name, int error)
{
	if (error == EINTR || error == ECANCELED)
		err_set(e, name, 0, "interrupted");
	else if (*name == '\0')
		err_set(e, NULL, 0, "cannot write a file with an empty name");
	else
		err_set(e, name, 0, "cannot write: %s", strerror(error));
	errno = error;
	return -1;
}

/* May we write `path` (effective IDs)? 0, or -1 with errno. */
static int
may_write(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

/*
 * Would rename(2) into dir (its stat in *ds) over a file owned by uid
 * be refused by the sticky bit?
 */
static int
sticky_refuses(const struct stat *ds, uid_t uid)
{
	uid_t me = geteuid();

	return (ds->st_mode & S_ISVTX) && me != 0 && uid != me &&
	       ds->st_uid != me;
}

int
atomic_file_check(const char *path, struct err *e)
{
	struct target t;
	struct stat ds;
	char *dir;
	int fl, r = 0;

	if (resolve(path, &t) != 0)
		return fail(e, path, errno);
	switch (t.kind) {
	case K_OWN_FD:
		fl = fcntl(t.fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
			r = EBADF;
		break;
	case K_NODE:
		if (S_ISSOCK(t.st.st_mode))
			r = ENXIO;      /* what open(2) would say */
		else if (may_write(t.path, W_OK) != 0)
			r = errno;
		break;
	case K_REGULAR:
	case K_NEW:
		dir = dir_of(t.path);
		if (stat(dir, &ds) != 0)
			r = errno;
		else if (!S_ISDIR(ds.st_mode))
			r = ENOTDIR;
		else if (may_write(dir, W_OK | X_OK) == 0 &&
			 (t.kind == K_NEW || !sticky_refuses(&ds, t.st.st_uid)))
			r = 0;          /* a file can be made beside it */
		else if (t.kind == K_NEW)
			r = errno != 0 ? errno : EACCES;
		else if (may_write(t.path, W_OK) != 0)
			r = errno;      /* nor written in place */
		free(dir);
		break;
	}
	free(t.path);
	return r != 0 ? fail(e, path, r) : 0;
}

/* A fresh name for a temporary file: six characters from [a-z0-9]. */
static void
fill_random(char *x)
{
	static atomic_uint_fast64_t counter;
	struct timespec ts;
	uint64_t v;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	v = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 40) ^
	    (atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ULL);
	/* splitmix64: every bit of the input moves every bit of the output */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	v ^= v >> 31;
	for (i = 0; i < 6; i++, v /= 36)
		x[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[v % 36];
}

/*
 * Create a temporary file beside `path` with `mode` (less the umask,
 * as any create): ".NAME.hookwave-XXXXXX", or ".hookwave-XXXXXX" when
 * that name would be too long. Returns the fd (*tmp set, owned), or -1.
 */
static int
make_temp(const char *path, mode_t mode, char **tmp)
{
	char *dir = dir_of(path), *name;
	const char *base = base_of(path), *sep;
	int fd = -1, tries, shorter;

	sep = strcmp(dir, "/") == 0 ? "" : "/";
	shorter = strlen(base) + sizeof(".hookwave-XXXXXX") > NAME_MAX;
	for (tries = 0; tries < 100; tries++) {
		name = shorter ? xasprintf("%s%s.hookwave-XXXXXX", dir, sep) :
			xasprintf("%s%s.%s.hookwave-XXXXXX", dir, sep, base);
		fill_random(name + strlen(name) - 6);
		fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, mode);
		if (fd >= 0) {
			*tmp = name;
			break;
		}
		free(name);
		if (errno == ENAMETOOLONG && !shorter)
			shorter = 1;
		else if (errno != EEXIST)
			break;
	}
	free(dir);
	return fd;
}

/* The old file's owner (where we may) and mode on the new one. */
static void
keep_owner_and_mode(int fd, const struct stat *st)
{
	if (st->st_uid != geteuid() || st->st_gid != getegid()) {
		/* Another user's file: only root may give it back; a member
		   of its group may at least keep the group. */
		if (fchown(fd, st->st_uid, st->st_gid) != 0 &&
		    st->st_gid != getegid())
			(void)!fchown(fd, (uid_t)-1, st->st_gid);
	}
	/* After fchown, which may clear set-ID bits. */
	(void)fchmod(fd, st->st_mode & 07777);
}

/*
 * Open a FIFO to write. Without a way out it blocks until the reader
 * comes (EINTR when a signal interrupts it). With one it tries without
 * blocking and, while there is no reader, waits on the way out with
 * a growing pause (up to 0.1 s), so the run's interrupt ends the wait.
 */
static int
open_fifo(const char *path, int cancel_fd, int kill_fd)
{
	struct pollfd p[2];
	nfds_t n = 0;
	int fd, ms;

	if (cancel_fd > 0)
		p[n++] = (struct pollfd){ cancel_fd, POLLIN, 0 };
	if (kill_fd > 0)
		p[n++] = (struct pollfd){ kill_fd, POLLIN, 0 };
	if (n == 0)
		return open(path, O_WRONLY | O_CLOEXEC);
	for (ms = 1;; ms = ms < 50 ? ms * 2 : 100) {
		nfds_t i;
		int r;

		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 || errno != ENXIO)
			return fd;
		r = poll(p, n, ms);
		if (r < 0 && errno != EINTR)
			return -1;
		for (i = 0; r > 0 && i < n; i++)
			if (p[i].revents != 0) {
				errno = EINTR;
				return -1;
			}
	}
}

int
atomic_file_open(struct atomic_file *f, const char *name,
		 const struct atomic_file_options *o, struct err *e)
{
	struct target t;
	int fl, saved;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->fd = -1;
	f->kill_fd = opt_fd(o, 1);
	if (resolve(name, &t) != 0)
		return fail(e, name, errno);
	f->path = t.path;
	switch (t.kind) {
	case K_OWN_FD:
		fl = fcntl(t.fd, F_GETFL);
		if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY)
			errno = EBADF;
		else if (fl >= 0)
			f->fd = fcntl(t.fd, F_DUPFD_CLOEXEC, 3);
		break;
	case K_NODE:
		if (S_ISFIFO(t.st.st_mode))
			f->fd = open_fifo(f->path, opt_fd(o, 0), f->kill_fd);
		else
			f->fd = open(f->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		break;
	case K_NEW:
		f->fd = make_temp(f->path, o != NULL && o->new_mode != 0 ?
				  (mode_t)(o->new_mode & 0777) : 0666, &f->tmp);
		f->fsync = 1;
		break;
	case K_REGULAR:
		f->fd = make_temp(f->path, 0600, &f->tmp);
		f->fsync = 1;
		if (f->fd >= 0) {
			keep_owner_and_mode(f->fd, &t.st);
			f->copy_back = 1;
			break;
		}
		/* No file can be made beside it: write it in place. */
		f->fd = open(f->path, O_WRONLY | O_TRUNC | O_NOFOLLOW |
			     O_NOCTTY | O_CLOEXEC);
		break;
	}
	if (f->fd < 0) {
		saved = errno;
		free(f->path);
		f->path = NULL;
		return fail(e, name, saved);
	}
	return 0;
}

int
atomic_file_write(struct atomic_file *f, const void *p, size_t n)
{
	return fd_write_all(f->fd, p, n, f->kill_fd);
}

/* Release everything; the temporary file (if any) removed. */
static void
release(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp != NULL)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
	f->fd = -1;
}

void
atomic_file_abort(struct atomic_file *f)
{
	release(f);
}

/*
 * The rename was refused (a bind-mounted file, a sticky directory, a
 * file system that cannot): copy the temporary file over the old one in
 * place. 0, or -1 with errno.
 */
static int
copy_back(struct atomic_file *f)
{
	char b[65536];
	off_t off = 0;
	int fd = open(f->path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NOCTTY |
		      O_CLOEXEC), saved;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = pread(f->fd, b, sizeof(b), off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || fd_write_all(fd, b, (size_t)n, -1) != 0)
			goto fail;
		off += n;
	}
	if (fsync(fd) != 0 && errno != EINVAL)
		goto fail;
	if (close(fd) != 0 && errno != EINTR)
		return -1;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* The new name is in the directory for good, once its entry is synced. */
static void
sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* Best effort: some file systems refuse, and the file is in place. */
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
atomic_file_commit(struct atomic_file *f, struct err *e)
{
	int r = 0;

	if (f->fsync && fsync(f->fd) != 0 && errno != EINVAL)
		r = errno;
	if (r == 0 && f->tmp != NULL) {
		if (rename(f->tmp, f->path) == 0) {
			free(f->tmp);
			f->tmp = NULL;
			sync_dir(f->path);
		} else if (f->copy_back && (errno == EXDEV || errno == EBUSY ||
					    errno == EPERM || errno == EACCES)) {
			if (copy_back(f) != 0)
				r = errno;
		} else {
			r = errno;
		}
	}
	if (f->tmp == NULL && f->fd >= 0) {
		/* Written in place: close reports a late write error. */
		if (close(f->fd) != 0 && errno != EINTR && r == 0)
			r = errno;
		f->fd = -1;
	}
	release(f);
	return r != 0 ? fail(e, f->name, r) : 0;
}

int
atomic_file_replace(const char *path, const void *p, size_t n,
		    const struct atomic_file_options *o, struct err *e)
{
	struct atomic_file f;
	int saved;

	if (atomic_file_open(&f, path, o, e) != 0)
		return -1;
	if (atomic_file_write(&f, p, n) != 0) {
		saved = errno;
		atomic_file_abort(&f);
		return fail(e, path, saved);
	}
	return atomic_file_commit(&f, e);
}

/* o's cancel_fd (which 0) or kill_fd (1): -1 when there is none. */
static int
opt_fd(const struct atomic_file_options *o, int which)
{
	int fd;

	if (o == NULL)
		return -1;
	fd = which == 0 ? o->cancel_fd : o->kill_fd;
	return fd > 0 ? fd : -1;
}

/*
 * Wait until fd has room, or kill_fd is readable (ECANCELED). POLLERR
 * and POLLHUP count as room: the write that follows says what is wrong.
 */
static int
wait_room(int fd, int kill_fd)
{
	struct pollfd p[2] = { { fd, POLLOUT, 0 }, { kill_fd, POLLIN, 0 } };
	nfds_t n = kill_fd > 0 ? 2 : 1;

	for (;;) {
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		if (p[0].revents != 0)
			return 0;
		if (n == 2 && p[1].revents != 0) {
			errno = ECANCELED;
			return -1;
		}
	}
}

int
fd_write_all(int fd, const void *buf, size_t n, int kill_fd)
{
	const char *p = buf;
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	/* Files and block devices never keep a writer waiting for a reader. */
	int plain = fstat(fd, &st) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
	/* A blocking pipe or terminal: poll first, then write no more than
	   fits, so a write never blocks where kill_fd cannot reach it. */
	int poll_first = !plain && fl >= 0 && !(fl & O_NONBLOCK);

	while (n > 0) {
		size_t chunk = n;
		ssize_t w;

		if (poll_first) {
			if (wait_room(fd, kill_fd) != 0)
				return -1;
			if (chunk > PIPE_BUF)
				chunk = PIPE_BUF;
		}
		w = write(fd, p, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && !plain) {
				if (wait_room(fd, kill_fd) != 0)
					return -1;
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
atomic_file_set_aside(const char *path, const struct stat *expect,
		      char **aside)
{
	char stamp[32], *to;
	struct stat st;
	struct tm tm;
	time_t t = time(NULL);
	unsigned k;

	if (aside != NULL)
		*aside = NULL;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 1 : -1;
	if (expect != NULL &&
	    (st.st_dev != expect->st_dev || st.st_ino != expect->st_ino))
		return 1;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (k = 1;; k++) {
		to = k == 1 ? xasprintf("%s.damaged-%s", path, stamp) :
		     xasprintf("%s.damaged-%s-%u", path, stamp, k);
		/* A link then an unlink, not a rename: never over a name
		   that is taken. */
		if (link(path, to) == 0)
			break;
		/* A file system without hard links: a rename, checked. */
		if ((errno == EPERM || errno == ENOTSUP || errno == ENOSYS) &&
		    access(to, F_OK) != 0 && rename(path, to) == 0) {
			if (aside != NULL)
				*aside = to;
			else
				free(to);
			return 0;
		}
		if (errno != EEXIST || k >= 1000) {
			int saved = errno;

			free(to);
			errno = saved;
			return errno == ENOENT ? 1 : -1;
		}
		free(to);
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		int saved = errno;

		(void)unlink(to);
		free(to);
		errno = saved;
		return -1;
	}
	if (aside != NULL)
		*aside = to;
	else
		free(to);
	return 0;
}
