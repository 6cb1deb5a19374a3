/*
 * guardian.h - hooks do not outlive a hookwave that is killed outright.
 *
 * SIGKILL gives hookwave no chance to end its hooks, and posix_spawn
 * cannot set PR_SET_PDEATHSIG (which would only reach the direct child
 * anyway). So before the run hookwave forks a small guardian: a process
 * in a session of its own (a signal to hookwave's process group or
 * terminal does not reach it), holding one end of a unix socket and
 * nothing else. hookwave notes on the socket every process group it
 * starts, with the read end of that hook's output pipe, and every group
 * it has finished with. If the socket reaches EOF without the clean-end
 * note, hookwave died: the guardian sends each group it still holds
 * SIGTERM and SIGCONT, reads and discards what the hooks print (so a
 * TERM trap that prints does not die of SIGPIPE before its cleanup),
 * sends SIGKILL after the grace, waits (at most a few seconds) for the
 * groups to be gone, and exits. A group that left hookwave's notice
 * (setsid) is beyond it; the window between a spawn and its note is
 * microseconds.
 *
 * guardian_start() forks, so call it from the main thread while no
 * other thread exists. guardian_note() and guardian_hold() are
 * thread-safe (one sendmsg each). Nothing here prints or exits.
 */
#ifndef HOOKWAVE_GUARDIAN_H
#define HOOKWAVE_GUARDIAN_H

#include <sys/types.h>

struct guardian {
	pid_t pid;              /* 0: none */
	int fd;                 /* our end, close-on-exec, >= 3; -1: none */
};

/*
 * Start the guardian; `grace` is the seconds between its SIGTERM and
 * SIGKILL. Returns 0, or -1 with errno (no guardian: g->fd is -1).
 */
int guardian_start(struct guardian *g, double grace);

/*
 * Process group `pgid` was started (alive) or is done with (!alive).
 * For a start, out_fd is the read end of the group's output pipe (or
 * -1): the guardian keeps a copy, and reads it only once hookwave is
 * gone. The caller keeps its own fd. One message, one system call.
 */
void guardian_note(const struct guardian *g, pid_t pgid, int alive,
		   int out_fd);

/*
 * Have the guardian keep a copy of `fd` open until it exits: after a
 * kill -9 of hookwave, until every group it was told of is gone. For
 * the --lock fd: a flock belongs to the open file, so the lock is then
 * held until the last hook is gone. The caller keeps its own fd.
 * Returns 0, or -1 with errno (no guardian: EBADF).
 */
int guardian_hold(const struct guardian *g, int fd);

/* The run ended normally: let the guardian go, and reap it. */
void guardian_stop(struct guardian *g);

#endif
