/*
 * atomic_file.h - the one way hookwave replaces a file: written beside
 * it, fsynced, renamed into place, so a reader sees the old file or the
 * new one, never half of one. Used for report files and the history.
 *
 * What happens depends on what the path names (lstat, then each link
 * followed by hand):
 *
 * - a regular file: a temporary file ".NAME.hookwave-XXXXXX" in the
 *   same directory (".hookwave-XXXXXX" when NAME is too long for that),
 *   given the old file's owner (where the system lets us) and mode, is
 *   written, fsynced and renamed over it, then the directory is fsynced.
 *   When no file can be made in the directory (not writable, as for a
 *   user's -o /var/log/x.json), or the rename is refused (a bind mount,
 *   a sticky directory), the file is written in place instead: truncated,
 *   written, fsynced. Never a failure for that alone;
 * - nothing yet: the same, the new file getting 0666 less the umask
 *   (and the directory's default ACL), as a plain create would;
 * - a symbolic link: followed to its final target, which is written by
 *   these rules; the link itself is never replaced;
 * - one of our own file descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
 *   /proc/self/fd/N): written through a duplicate of that descriptor, at
 *   its offset, nothing truncated: "-o /dev/stdout >log" appends the
 *   report to log;
 * - a FIFO, a device or any other node: opened and written in place. A
 *   FIFO waits for its reader (see cancel_fd);
 * - a directory, a missing directory, an empty name: an error.
 *
 * Nothing temporary is left behind, whatever fails. Writes to pipes,
 * FIFOs and terminals wait for room with poll() (a descriptor opened
 * non-blocking is fine), and can be given up through kill_fd.
 *
 * Errors: -1 with errno set and, when `e` is not NULL, `e` filled in as
 * FILE: "cannot write: REASON" (FILE is the path as given, borrowed).
 * errno EINTR: a signal or cancel_fd ended the wait for a FIFO's
 * reader; ECANCELED: kill_fd ended a write. Both mean "interrupted",
 * not "cannot write"; the message then is just "interrupted".
 *
 * Thread-safe: no shared state (the umask is never touched).
 */
#ifndef HOOKWAVE_ATOMIC_FILE_H
#define HOOKWAVE_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"

/*
 * Optional ways out of a wait. A descriptor of 0 or -1 is none, so a
 * zero-initialised struct (or a NULL pointer) means no options: fd 0 is
 * standard input, never one of these.
 */
struct atomic_file_options {
	int cancel_fd;          /* readable: stop waiting for a FIFO's reader
				   (the run was interrupted; nobody may come) */
	int kill_fd;            /* readable: stop writing to a pipe, FIFO or
				   terminal that has no room (a stalled reader) */
	unsigned new_mode;      /* a new file's mode before the umask; 0 is
				   0666 (an existing file keeps its own) */
};

/* A file being written. Fill in by atomic_file_open; private fields. */
struct atomic_file {
	const char *name;       /* the path as given (borrowed), for errors */
	char *path;             /* what is written: the links' final target */
	char *tmp;              /* the temporary file, NULL when in place */
	int fd;
	int kill_fd;
	int fsync;              /* fsync at commit (regular files) */
	int copy_back;          /* the rename may fall back to a copy */
};

/*
 * Can `path` be written at the end of a run? Resolves it as above and
 * fails for an empty name, a directory, a missing directory, a parent
 * that is not a directory, a link loop, a socket, one of our descriptors
 * that is closed or read-only, or a directory and file that the caller
 * may not write. Creates, opens and changes nothing (a FIFO is fine
 * without a reader). Returns 0, or -1 with errno and `e` as above.
 */
int atomic_file_check(const char *path, struct err *e);

/*
 * Start writing `path` (borrowed until commit or abort). `o` may be
 * NULL. Without a cancel_fd, a FIFO's open blocks until its reader
 * comes or a signal interrupts it (EINTR). Returns 0, or -1 (errno, `e`)
 * with nothing left to clean up.
 */
int atomic_file_open(struct atomic_file *f, const char *path,
		     const struct atomic_file_options *o, struct err *e);

/* Append n bytes. Returns 0, or -1 with errno (then call abort). */
int atomic_file_write(struct atomic_file *f, const void *p, size_t n);

/*
 * Finish: fsync, rename into place, fsync the directory (or close what
 * was written in place). The struct is released either way. Returns 0,
 * or -1 (errno, `e`) with the temporary file gone and the old file whole.
 */
int atomic_file_commit(struct atomic_file *f, struct err *e);

/* Give up: remove the temporary file, release the struct. */
void atomic_file_abort(struct atomic_file *f);

/* open + write + commit of one buffer: 0, or -1 (errno, `e`). */
int atomic_file_replace(const char *path, const void *p, size_t n,
			const struct atomic_file_options *o, struct err *e);

/*
 * Move the file `path` out of the way, beside itself, as
 * "PATH.damaged-YYYYmmddTHHMMSSZ" (UTC; "-2", "-3"... when that name is
 * taken): a damaged file is kept for a look, never overwritten, and the
 * name is free for a new one. When `expect` is not NULL the file must
 * still be that one (same device and inode): one that another process
 * already moved aside and made again is left alone (then 1 is returned).
 * The new name is put in *aside (malloc'd) when it is not NULL. Returns
 * 0, 1 (not moved: gone, or another file), or -1 with errno.
 */
int atomic_file_set_aside(const char *path, const struct stat *expect,
			  char **aside);

/*
 * Write all of p[0..n) to fd. On a pipe, FIFO, socket or terminal it
 * waits for room with poll() and writes at most PIPE_BUF bytes at a
 * time, so an fd opened non-blocking (EAGAIN) loses nothing, and a
 * kill_fd (> 0) that becomes readable while fd has no room ends it.
 * Returns 0, or -1 with errno (EPIPE: the reader is gone; ECANCELED:
 * kill_fd). Retries EINTR.
 */
int fd_write_all(int fd, const void *p, size_t n, int kill_fd);

#endif
