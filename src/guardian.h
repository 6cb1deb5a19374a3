/*
 * guardian.h - hooks do not outlive a hookwave that is killed outright.
 *
 * SIGKILL gives hookwave no chance to end its hooks, and posix_spawn
 * cannot set PR_SET_PDEATHSIG (which would only reach the direct child
 * anyway). So before the run hookwave forks a small guardian: a process
 * in a session of its own (a signal to hookwave's process group or
 * terminal does not reach it), holding the read end of a pipe and
 * nothing else. hookwave notes on the pipe every process group it
 * starts and every one it has finished with. If the pipe reaches EOF
 * without the clean-end note, hookwave died: the guardian sends each
 * group it still holds SIGTERM and SIGCONT, then SIGKILL after the
 * grace, and exits. A group that left hookwave's notice (setsid) is
 * beyond it; the window between a spawn and its note is microseconds.
 *
 * guardian_start() forks, so call it from the main thread while no
 * other thread exists. guardian_note() is thread-safe (one write of at
 * most PIPE_BUF bytes). Nothing here prints or exits.
 */
#ifndef HOOKWAVE_GUARDIAN_H
#define HOOKWAVE_GUARDIAN_H

#include <sys/types.h>

struct guardian {
	pid_t pid;              /* 0: none */
	int fd;                 /* write end, close-on-exec, >= 3; -1: none */
};

/*
 * Start the guardian; `grace` is the seconds between its SIGTERM and
 * SIGKILL. Returns 0, or -1 with errno (no guardian: g->fd is -1).
 */
int guardian_start(struct guardian *g, double grace);

/* Process group `pgid` was started (alive) or is done with (!alive). */
void guardian_note(const struct guardian *g, pid_t pgid, int alive);

/* The run ended normally: let the guardian go, and reap it. */
void guardian_stop(struct guardian *g);

#endif
