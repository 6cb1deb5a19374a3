/*
 * proc.h - run one hook process and wait for it.
 *
 * The recipe (DESIGN.md): posix_spawn of argv in its own process group
 * (pgid = its pid), stdin /dev/null, stdout and stderr into one
 * O_CLOEXEC pipe, every signal reset to default and an empty signal
 * mask in the child, only fds 0-2 inherited. The caller's thread waits
 * with one poll() on the pipe, a pidfd of the child and an optional
 * cancel fd, against a CLOCK_MONOTONIC deadline.
 *
 * A process is done when its main process exits. Then whatever it left
 * in its group gets SIGTERM + SIGCONT, the pipe is drained for at most
 * a short bounded grace (never longer than kill_grace), the group gets
 * SIGKILL, and only then is the main process reaped: the zombie holds
 * the pid, so the pgid cannot have been reused by the time we signal it.
 *
 * On timeout or cancel: SIGTERM + SIGCONT to the group, SIGKILL after
 * kill_grace if the main process has not exited; at once if kill_fd
 * becomes readable.
 *
 * Every hook's process group is in a process-wide list while it runs,
 * so that proc_pause() can stop them all (Ctrl-Z) and proc_resume()
 * continue them. Deadlines and graces run on a clock that stands still
 * while the groups are paused: a hook is never timed out for the time
 * it spent stopped. Durations in proc_result are wall time all the same.
 *
 * Thread-safe: many threads may run proc_run() at once.
 */
#ifndef HOOKWAVE_PROC_H
#define HOOKWAVE_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Called from proc_run's thread for every chunk read from the pipe. */
typedef void (*proc_output_fn)(void *ctx, const char *buf, size_t n);

struct proc_spec {
	const char *path;               /* executable to spawn, e.g. "/bin/sh" */
	char *const *argv;              /* NULL-terminated */
	char *const *envp;              /* NULL-terminated, whole environment */
	const char *cwd;                /* NULL: inherit */
	double timeout;                 /* seconds; 0 = none */
	double kill_grace;              /* seconds between TERM and KILL */
	int cancel_fd;                  /* -1, or an fd that becomes readable
					   when the process must be stopped */
	int kill_fd;                    /* -1, or an fd that becomes readable
					   when it must die at once (SIGKILL,
					   no grace: a second Ctrl-C) */
	int search_path;                /* look `path` up in PATH (posix_spawnp) */
	int stderr_null;                /* stderr to /dev/null, not the pipe
					   (a helper whose stdout is data) */
	int same_group;                 /* stay in hookwave's process group
					   (a helper: Ctrl-C reaches it too);
					   only the process itself is then
					   signalled, never a group */
	proc_output_fn on_output;       /* may be NULL: output discarded */
	void *ctx;
	/*
	 * May be NULL. Called from proc_run's thread with the new process
	 * group once it runs (alive 1; out_fd is then the read end of its
	 * output pipe, which the callee may pass on, e.g. to the guardian,
	 * but must neither read nor close), and once it is over (alive 0,
	 * out_fd -1): every member has had SIGKILL and the leader is about
	 * to be reaped, so the pgid is still ours. Not for same_group.
	 */
	void (*on_group)(void *group_ctx, pid_t pgid, int alive, int out_fd);
	void *group_ctx;
};

/* Where starting a process failed (proc_result.error holds the errno). */
enum proc_stage {
	PROC_STAGE_NONE = 0,
	PROC_STAGE_CWD,         /* the working directory is unusable */
	PROC_STAGE_PIPE,        /* no pipe (out of fds) */
	PROC_STAGE_SPAWN,       /* posix_spawn failed: not found, ENOEXEC, ... */
	PROC_STAGE_WAIT         /* it ran, but was reaped behind our back */
};

/* "cwd", "pipe", "spawn", "wait"; "" for PROC_STAGE_NONE. */
const char *proc_stage_name(enum proc_stage s);

enum proc_outcome {
	PROC_EXITED,    /* exit_code holds the status (0..255) */
	PROC_SIGNALED,  /* killed by a signal hookwave did not send */
	PROC_TIMEOUT,   /* ran past the deadline and was stopped */
	PROC_CANCELED,  /* cancel_fd became readable and it was stopped */
	PROC_ERROR      /* could not be started: error holds errno, stage
			   says where */
};

struct proc_result {
	enum proc_outcome outcome;
	int exit_code;          /* PROC_EXITED: 0..255; else -1 */
	int signal;             /* signal that ended it, 0 if none */
	int error;              /* PROC_ERROR: errno value */
	enum proc_stage stage;  /* PROC_ERROR: where it failed */
	double start;           /* now_monotonic() at spawn */
	double duration;        /* seconds from spawn to reaping */
	int pid;                /* the child's pid, 0 if never spawned */
};

/*
 * Spawn spec->path and wait until it is done as described above.
 * Always fills in *r. Returns 0 when a process was started (whatever
 * its outcome), -1 when it could not be (r->outcome == PROC_ERROR).
 */
int proc_run(const struct proc_spec *spec, struct proc_result *r);

/*
 * Run a helper program (git) to its end and capture its standard
 * output whole: argv[0] looked up in PATH, environment `envp`, in `cwd`
 * (NULL: the current directory), stderr to /dev/null, no deadline, in
 * hookwave's own process group (a Ctrl-C reaches it too). It goes
 * through proc_run(), so it gets the same fd and signal hygiene as a
 * hook. Appends the output to `out` (NUL-terminated
 * after the data). Returns 0 when it ran (r->outcome PROC_EXITED or
 * PROC_SIGNALED, r->exit_code), or -1 with r->error (ENOENT: no such
 * program). Thread-safe.
 */
struct buf;
int proc_capture(char *const *argv, char *const *envp, const char *cwd,
		 struct buf *out, struct proc_result *r);

/*
 * Job control for the hooks (Ctrl-Z). They live in process groups of
 * their own, so the terminal's SIGTSTP never reaches them: hookwave
 * stops them itself.
 *
 * proc_pause() sends SIGSTOP (which no hook can catch or ignore, unlike
 * SIGTSTP) to every hook process group that proc_run() has running
 * (first waiting, microseconds, for spawns under way to know their
 * pid), and to every group started until proc_resume(); it also stops
 * the clock that deadlines and kill graces run on (proc_result's
 * durations stay wall time). proc_resume() sends SIGCONT to
 * every group still running and starts the clock again. A pause while
 * paused, or a resume while not paused, does nothing. Both return how
 * many groups they signalled. Helpers in hookwave's own group
 * (same_group, proc_capture) are left alone: the terminal reaches them.
 * Processes that left their hook's group (setsid) are beyond reach.
 * A hook that had stopped itself before the pause is continued too.
 *
 * Thread-safe (one mutex), but not async-signal-safe: call them from a
 * thread, e.g. one taking signals with sigwaitinfo(), never from a
 * signal handler. The order for Ctrl-Z is: proc_pause(), then stop
 * hookwave itself with raise(SIGSTOP), then, once continued,
 * proc_resume(). raise(), not kill(getpid(), ...): a signal sent to
 * the process may be taken by another thread while the calling one
 * returns at once, and would then resume the hooks before the stop.
 */
size_t proc_pause(void);
size_t proc_resume(void);

/* Seconds the groups have spent paused so far, the current pause included. */
double proc_paused_seconds(void);

#endif
