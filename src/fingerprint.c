/*
 * fingerprint.c - notes of files before and after a hook. See
 * fingerprint.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"
#include "util.h"

void
fingerprint_now(struct timespec *t)
{
	if (clock_gettime(CLOCK_REALTIME_COARSE, t) != 0 &&
	    clock_gettime(CLOCK_REALTIME, t) != 0) {
		t->tv_sec = 0;
		t->tv_nsec = 0;
	}
}

/*
 * Where a path is looked up: an open directory and a name in it. A
 * batch's files come in list order, so neighbours share a directory:
 * it is opened once for them, and each file costs one component of
 * path lookup instead of all of them.
 */
struct dir_cache {
	int fd;                 /* AT_FDCWD, or the open directory */
	char *dir;              /* its path ("" none), owned */
};

static void
dir_cache_init(struct dir_cache *dc)
{
	dc->fd = AT_FDCWD;
	dc->dir = NULL;
}

static void
dir_cache_release(struct dir_cache *dc)
{
	if (dc->fd != AT_FDCWD)
		close(dc->fd);
	free(dc->dir);
	dir_cache_init(dc);
}

/* The directory fd and name to look `path` up with. */
static const char *
dir_cache_at(struct dir_cache *dc, const char *path, int *fd)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	*fd = AT_FDCWD;
	if (slash == NULL || slash == path)
		return path;
	n = (size_t)(slash - path);
	if (dc->dir == NULL || strlen(dc->dir) != n ||
	    memcmp(dc->dir, path, n) != 0) {
		dir_cache_release(dc);
		dc->dir = xstrndup(path, n);
		dc->fd = open(dc->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dc->fd < 0)
			dc->fd = AT_FDCWD;
	}
	if (dc->fd == AT_FDCWD)
		return path;
	*fd = dc->fd;
	return slash + 1;
}

/* SHA-256 of a regular file's content; -1 if it cannot be read. */
static int
hash_file(int dirfd, const char *path, unsigned char out[FINGERPRINT_HASH_LEN])
{
	struct sha256_ctx ctx;
	unsigned char buf[65536];
	ssize_t got;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		    O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	sha256_init(&ctx);
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		sha256_update(&ctx, (size_t)got, buf);
	}
	close(fd);
	if (got < 0)
		return -1;
	sha256_digest(&ctx, FINGERPRINT_HASH_LEN, out);
	return 0;
}

/*
 * Could a later change keep this size and mtime? Yes when the mtime is
 * not older than the second before the notes' time: a rewrite within
 * the same tick (on a file system stamping whole seconds, within the
 * same second) gets the same stamp.
 */
static int
racy(const struct stat *st, const struct timespec *at)
{
	return st->st_mtim.tv_sec >= at->tv_sec - 1;
}

static void
note_at(struct fp_note *note, int dirfd, const char *path,
	const struct timespec *at)
{
	struct stat st;

	memset(note, 0, sizeof(*note));
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	note->exists = 1;
	note->mode = st.st_mode;
	note->ino = st.st_ino;
	note->dev = st.st_dev;
	note->size = st.st_size;
	note->mtime = st.st_mtim;
	if (S_ISREG(st.st_mode) && racy(&st, at))
		note->hashed = hash_file(dirfd, path, note->hash) == 0;
}

void
fingerprint_note(struct fp_note *note, const char *path,
		 const struct timespec *at)
{
	note_at(note, AT_FDCWD, path, at);
}

static int
same_at(const struct fp_note *before, int dirfd, const char *path)
{
	struct stat st;
	unsigned char h[FINGERPRINT_HASH_LEN];

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return !before->exists;
	if (!before->exists || st.st_mode != before->mode ||
	    st.st_ino != before->ino || st.st_dev != before->dev ||
	    st.st_size != before->size ||
	    st.st_mtim.tv_sec != before->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != before->mtime.tv_nsec)
		return 0;
	if (!before->hashed)
		return 1;
	/* Unreadable now but readable before: it changed. */
	return hash_file(dirfd, path, h) == 0 &&
	       memcmp(h, before->hash, FINGERPRINT_HASH_LEN) == 0;
}

int
fingerprint_same(const struct fp_note *before, const char *path)
{
	return same_at(before, AT_FDCWD, path);
}

void
fingerprint_take(struct fingerprint *fp, const char *const *paths, size_t n)
{
	struct dir_cache dc;
	size_t i;

	fp->paths = paths;
	fp->n = n;
	fp->notes = n > 0 ? xreallocarray(NULL, n, sizeof(*fp->notes)) : NULL;
	fingerprint_now(&fp->at);
	dir_cache_init(&dc);
	for (i = 0; i < n; i++) {
		int fd;
		const char *name = dir_cache_at(&dc, paths[i], &fd);

		note_at(&fp->notes[i], fd, name, &fp->at);
	}
	dir_cache_release(&dc);
}

size_t *
fingerprint_changed(const struct fingerprint *fp, size_t *n)
{
	struct dir_cache dc;
	size_t *idx = NULL, i;

	*n = 0;
	dir_cache_init(&dc);
	for (i = 0; i < fp->n; i++) {
		int fd;
		const char *name = dir_cache_at(&dc, fp->paths[i], &fd);

		if (same_at(&fp->notes[i], fd, name))
			continue;
		if (idx == NULL)
			idx = xreallocarray(NULL, fp->n - i, sizeof(*idx));
		idx[(*n)++] = i;
	}
	dir_cache_release(&dc);
	return idx;
}

void
fingerprint_release(struct fingerprint *fp)
{
	free(fp->notes);
	fp->notes = NULL;
	fp->n = 0;
}
