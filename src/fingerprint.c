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

/* SHA-256 of a regular file's content; -1 if it cannot be read. */
static int
hash_file(const char *path, unsigned char out[FINGERPRINT_HASH_LEN])
{
	struct sha256_ctx ctx;
	unsigned char buf[65536];
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
		  O_NOCTTY);
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

void
fingerprint_note(struct fp_note *note, const char *path,
		 const struct timespec *at)
{
	struct stat st;

	memset(note, 0, sizeof(*note));
	if (lstat(path, &st) != 0)
		return;
	note->exists = 1;
	note->mode = st.st_mode;
	note->ino = st.st_ino;
	note->dev = st.st_dev;
	note->size = st.st_size;
	note->mtime = st.st_mtim;
	if (S_ISREG(st.st_mode) && racy(&st, at))
		note->hashed = hash_file(path, note->hash) == 0;
}

int
fingerprint_same(const struct fp_note *before, const char *path)
{
	struct stat st;
	unsigned char h[FINGERPRINT_HASH_LEN];

	if (lstat(path, &st) != 0)
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
	return hash_file(path, h) == 0 &&
	       memcmp(h, before->hash, FINGERPRINT_HASH_LEN) == 0;
}

void
fingerprint_take(struct fingerprint *fp, const char *const *paths, size_t n)
{
	size_t i;

	fp->paths = paths;
	fp->n = n;
	fp->notes = n > 0 ? xreallocarray(NULL, n, sizeof(*fp->notes)) : NULL;
	fingerprint_now(&fp->at);
	for (i = 0; i < n; i++)
		fingerprint_note(&fp->notes[i], paths[i], &fp->at);
}

size_t *
fingerprint_changed(const struct fingerprint *fp, size_t *n)
{
	size_t *idx = NULL, i;

	*n = 0;
	for (i = 0; i < fp->n; i++) {
		if (fingerprint_same(&fp->notes[i], fp->paths[i]))
			continue;
		if (idx == NULL)
			idx = xreallocarray(NULL, fp->n - i, sizeof(*idx));
		idx[(*n)++] = i;
	}
	return idx;
}

void
fingerprint_release(struct fingerprint *fp)
{
	free(fp->notes);
	fp->notes = NULL;
	fp->n = 0;
}
