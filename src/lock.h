/*
 * lock.h - one run at a time per run directory (--lock).
 *
 * An exclusive flock(2) on the directory itself: no lock file is made,
 * so nothing can go stale, and the kernel drops the lock when the
 * holder dies, even by SIGKILL. The fd is O_CLOEXEC, so hooks never
 * hold it.
 */
#ifndef HOOKWAVE_LOCK_H
#define HOOKWAVE_LOCK_H

#include <sys/types.h>

/*
 * Lock directory `dir` without waiting. Returns the fd that holds the
 * lock (close it to release), or -1 with errno: EWOULDBLOCK when
 * another process holds it (then *holder is its pid from /proc/locks,
 * or 0 if unknown), anything else when the directory cannot be opened
 * or locked.
 */
int lock_dir(const char *dir, pid_t *holder);

#endif
