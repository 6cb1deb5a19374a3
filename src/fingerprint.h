/*
 * fingerprint.h - did a hook change its files? Notes of a set of files
 * (type and mode, size, mtime, inode), taken before a hook's batch
 * starts and compared with the files as they are after it ends.
 *
 * Size and mtime cannot tell a change that keeps the size and lands
 * within the same timestamp tick as the note (git's "racy" entries):
 * a file whose mtime is not older than the second before the note was
 * taken also gets a SHA-256 of its content, compared after as well.
 * The note's time is read from the coarse real-time clock the kernel
 * stamps files with, before any file is looked at.
 *
 * Paths are used as given, relative to the current directory, never
 * followed when they are symbolic links. A file that is gone at both
 * ends is unchanged; one that appeared, vanished, or changed type is
 * changed. Only regular files are hashed.
 *
 * Thread-safe on distinct fingerprints: workers note their own batch.
 */
#ifndef HOOKWAVE_FINGERPRINT_H
#define HOOKWAVE_FINGERPRINT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define FINGERPRINT_HASH_LEN 32

struct fp_note {
	int exists;             /* lstat succeeded */
	mode_t mode;
	ino_t ino;
	dev_t dev;
	off_t size;
	struct timespec mtime;
	int hashed;             /* hash holds the content (racy) */
	unsigned char hash[FINGERPRINT_HASH_LEN];
};

struct fingerprint {
	const char *const *paths;       /* borrowed */
	size_t n;
	struct fp_note *notes;          /* n of them (owned) */
	struct timespec at;             /* when the notes were taken */
};

/* The clock file times are stamped with (CLOCK_REALTIME_COARSE). */
void fingerprint_now(struct timespec *t);

/*
 * Note one file as of now, for a set of notes taken at `at`
 * (fingerprint_now, read before). Never fails: what cannot be read
 * is noted as such (a file that cannot be hashed is compared by its
 * stat data alone).
 */
void fingerprint_note(struct fp_note *note, const char *path,
		      const struct timespec *at);

/* Is `path` now as `before` says? 1 the same, 0 changed. */
int fingerprint_same(const struct fp_note *before, const char *path);

/* Note every path (borrowed until release). */
void fingerprint_take(struct fingerprint *fp, const char *const *paths,
		      size_t n);

/*
 * Indices into fp->paths of the files changed since they were taken,
 * in order, as a malloc'd array of *n (NULL when none).
 */
size_t *fingerprint_changed(const struct fingerprint *fp, size_t *n);

void fingerprint_release(struct fingerprint *fp);

#endif
