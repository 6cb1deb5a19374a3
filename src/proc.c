#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

/*
 * proc.c - spawn one hook, capture its output, enforce its deadline,
 * end its process group and reap it. See proc.h for the contract.
 *
 * Every fd made here is O_CLOEXEC from birth, so a hook spawned by
 * another thread at the same moment never inherits it; where glibc has
 * posix_spawn_file_actions_addclosefrom_np the child also closes every
 * fd above 2, which covers fds the rest of the process forgot to mark.
 *
 * No state is shared between calls: proc_run() is thread-safe.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_PIDFD_OPEN
#include <sys/pidfd.h>
#endif

#include "buf.h"
#include "proc.h"

/* Size of one read from the pipe, and of each on_output chunk. */
#define CHUNK (64 * 1024)

/*
 * After the main process exits, how long its leftovers (already sent
 * SIGTERM) may keep the pipe open before the group gets SIGKILL. A
 * well-behaved hook hits EOF at once and pays nothing; a background
 * process that ignores SIGTERM costs at most this. Capped by kill_grace.
 */
#define POST_EXIT_GRACE 0.2

#ifdef O_PATH
#define CWD_OPEN_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define CWD_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

/* Poll tick when no pidfd is available (kernel < 5.3). */
#define TICK_MS 50
/* Reading a pipe that only trickles: after a wake-up that found less
   than REST_BELOW bytes, the pipe is not watched for REST_SECONDS. */
#define REST_BELOW (16 * 1024)
#define REST_SECONDS 0.002

/*
 * Reads after the final SIGKILL. Bounded because a process that left
 * the group (setsid) may still hold the pipe and write forever.
 */
#define POST_KILL_READS 16

/* Seconds on CLOCK_MONOTONIC. */
static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds from now until `when` for poll(): -1 if when < 0 (never). */
static int
ms_until(double when)
{
	double d;
	int ms;

	if (when < 0)
		return -1;
	d = (when - now()) * 1000.0;
	if (d <= 0)
		return 0;
	if (d >= (double)INT_MAX)
		return INT_MAX;
	/* Round up, so poll never wakes just before `when` and spins. */
	ms = (int)d;
	return (double)ms < d ? ms + 1 : ms;
}

const char *
proc_stage_name(enum proc_stage s)
{
	static const char *const names[] = {
		[PROC_STAGE_NONE] = "",
		[PROC_STAGE_CWD] = "cwd",
		[PROC_STAGE_MEMORY] = "malloc",
		[PROC_STAGE_PIPE] = "pipe",
		[PROC_STAGE_SPAWN] = "spawn",
		[PROC_STAGE_WAIT] = "wait",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "";
}

/* Fill in *r for a process that could not be started; returns -1. */
static int
fail(struct proc_result *r, enum proc_stage stage, int error)
{
	r->outcome = PROC_ERROR;
	r->exit_code = -1;
	r->signal = 0;
	r->error = error;
	r->stage = stage;
	r->duration = 0;
	r->pid = 0;
	return -1;
}

/* Make the output pipe: both ends close-on-exec, the read end non-blocking. */
static int
make_pipe(int fds[2])
{
	int fl;

#ifdef HAVE_PIPE2
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
#else
	/* NEEDSWORK: without pipe2 another thread may spawn between pipe()
	 * and FD_CLOEXEC; addclosefrom_np in the child still covers it. */
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0)
		goto fail;
#endif
	/* Only the read end: the write end's file description is the
	 * child's stdout and must stay blocking. */
	fl = fcntl(fds[0], F_GETFL);
	if (fl < 0 || fcntl(fds[0], F_SETFL, fl | O_NONBLOCK) != 0)
		goto fail;
#ifdef F_SETPIPE_SZ
	/* A roomier pipe: a chatty hook blocks less and we read in fewer
	   calls. Only a hint: the default 64 KiB is fine if refused. */
	(void)fcntl(fds[0], F_SETPIPE_SZ, 256 * 1024);
#endif
	return 0;

fail:
	{
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		errno = e;
	}
	return -1;
}

/*
 * posix_spawn spec->path in a new process group with stdin /dev/null,
 * stdout and stderr on wfd, default signal dispositions and an empty
 * mask. Returns 0 or an errno value (posix_spawn* do not set errno).
 */
static int
spawn(const struct proc_spec *spec, int wfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int err;

	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		return err;
	if ((err = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	/*
	 * Not sigfillset(): it leaves out glibc's internal signals (32, 33),
	 * and glibc's posix_spawn then sets those to SIG_IGN in the child,
	 * which survives exec. With every bit set they go to SIG_DFL too.
	 */
	memset(&all, 0xff, sizeof(all));
	sigemptyset(&none);

	err = posix_spawnattr_setflags(&attr, (spec->same_group ? 0 :
	    POSIX_SPAWN_SETPGROUP) | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);
	if (!err && !spec->same_group)
		err = posix_spawnattr_setpgroup(&attr, 0);
	if (!err)
		err = posix_spawnattr_setsigdefault(&attr, &all);
	if (!err)
		err = posix_spawnattr_setsigmask(&attr, &none);

#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
	if (!err && spec->cwd != NULL)
		err = posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
#endif
	/*
	 * dup2 before opening /dev/null: if fds 0-2 were closed in this
	 * process, pipe2 may have handed out 0, 1 or 2 as wfd. dup2 onto
	 * itself clears FD_CLOEXEC (Austin Group #411, glibc >= 2.29).
	 */
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, wfd, STDOUT_FILENO);
	if (!err && !spec->stderr_null)
		err = posix_spawn_file_actions_adddup2(&fa, wfd, STDERR_FILENO);
	if (!err)
		err = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
		    "/dev/null", O_RDONLY, 0);
	if (!err && spec->stderr_null)
		err = posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    "/dev/null", O_WRONLY, 0);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	if (!err)
		err = posix_spawn_file_actions_addclosefrom_np(&fa,
		    STDERR_FILENO + 1);
#endif
	if (!err)
		err = (spec->search_path ? posix_spawnp : posix_spawn)(pid,
		    spec->path, &fa, &attr, spec->argv,
		    spec->envp);

	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

/* A pidfd for pid, or -1 if this kernel or libc has none. */
static int
open_pidfd(pid_t pid)
{
#if defined(HAVE_PIDFD_OPEN)
	return pidfd_open(pid, 0);
#elif defined(SYS_pidfd_open)
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Signal the process group led by pid; ESRCH (group empty) is fine.
 * A helper in hookwave's own group: only the process itself.
 */
static void
signal_group(const struct proc_spec *spec, pid_t pid, int sig)
{
	(void)kill(spec->same_group ? pid : -pid, sig);
}

/*
 * Read one chunk from the pipe and hand it on. Returns the bytes read
 * (> 0), 0 at EOF (or a read error, treated as EOF), -1 if nothing is
 * there.
 */
static ssize_t
read_chunk(int fd, char *buf, const struct proc_spec *spec)
{
	ssize_t n;

	for (;;) {
		n = read(fd, buf, CHUNK);
		if (n > 0) {
			if (spec->on_output != NULL)
				spec->on_output(spec->ctx, buf, (size_t)n);
			return n;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -1;
		return 0;
	}
}

/* Close *fd and set it to -1. */
static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Read the pipe until EOF (closing it) or until `until` has passed. */
static void
drain_until(int *fd, char *buf, const struct proc_spec *spec, double until)
{
	struct pollfd p;
	int rc;

	while (*fd >= 0 && now() < until) {
		p.fd = *fd;
		p.events = POLLIN;
		p.revents = 0;
		rc = poll(&p, 1, ms_until(until));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if (read_chunk(*fd, buf, spec) == 0)
			close_fd(fd);
	}
}

/* Read what the pipe holds right now, a bounded amount, without waiting. */
static void
drain_now(int *fd, char *buf, const struct proc_spec *spec)
{
	ssize_t rc;
	int i;

	for (i = 0; *fd >= 0 && i < POST_KILL_READS; i++) {
		rc = read_chunk(*fd, buf, spec);
		if (rc == 0)
			close_fd(fd);
		if (rc <= 0)
			break;
	}
}

/*
 * Has pid exited? Fills *si without reaping (WNOWAIT), so the zombie
 * keeps holding the pid and thus the pgid. Returns 1 if it has, 0 if
 * not, -1 with errno set if waitid failed (ECHILD: somebody else reaped
 * it, e.g. SIGCHLD set to SIG_IGN).
 */
static int
peek_exit(pid_t pid, siginfo_t *si)
{
	for (;;) {
		memset(si, 0, sizeof(*si));
		if (waitid(P_PID, (id_t)pid, si, WEXITED | WNOWAIT | WNOHANG) == 0)
			return si->si_pid == pid;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * When hookwave is a subreaper (orphans.h), members of the group whose
 * parent died were handed to us: reap those that are already dead.
 * Only this group's: other threads' hooks are in groups of their own.
 */
static void
reap_adopted(pid_t pgid)
{
	double until = now() + 0.1;

	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PGID, (id_t)pgid, &si, WEXITED | WNOHANG) != 0 &&
		    errno == EINTR)
			continue;
		if (si.si_pid != 0)
			continue;       /* reaped one; look for more */
		/*
		 * The group has had SIGKILL: what is left of it is dying, and
		 * what dies may be handed to us. Wait a little for it to go
		 * (kill(-pgid, 0) fails once no member, zombie or not, is
		 * left), so zombies do not pile up until the run ends; the
		 * end-of-run sweep takes any straggler.
		 */
		if (kill(-pgid, 0) != 0 || now() >= until)
			return;
		{
			struct timespec ts = { 0, 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
}

/* Reap pid, retrying on EINTR. */
static void
reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Wait for the spawned pid as proc.h describes: feed output through,
 * stop it on deadline or cancel, then end its group, drain, reap.
 * Owns and closes *pipefd. Fills in everything in *r but start and pid.
 */
static void
wait_child(const struct proc_spec *spec, pid_t pid, int *pipefd, char *buf,
    struct proc_result *r)
{
	/* PROC_EXITED while running; PROC_TIMEOUT or PROC_CANCELED once
	 * we have started to stop it. */
	enum proc_outcome stopped = PROC_EXITED;
	double deadline = spec->timeout > 0 ? r->start + spec->timeout : -1;
	double grace = spec->kill_grace > 0 ? spec->kill_grace : 0;
	double kill_at = -1, wake, post, rest_until = -1;
	int killed = 0, wait_errno = 0, pidfd, ms, rc;
	siginfo_t si;

	pidfd = open_pidfd(pid);

	for (;;) {
		struct pollfd p[4];
		nfds_t n = 0;
		int ipipe = -1, ipid = -1, icancel = -1, ikill = -1, exited;

		if (*pipefd >= 0 && (rest_until < 0 || now() >= rest_until)) {
			ipipe = (int)n;
			p[n].fd = *pipefd;
			p[n++].events = POLLIN;
			rest_until = -1;
		}
		if (pidfd >= 0) {
			ipid = (int)n;
			p[n].fd = pidfd;
			p[n++].events = POLLIN;
		}
		if (stopped == PROC_EXITED && spec->cancel_fd >= 0) {
			icancel = (int)n;
			p[n].fd = spec->cancel_fd;
			p[n++].events = POLLIN;
		}
		if (!killed && spec->kill_fd >= 0) {
			ikill = (int)n;
			p[n].fd = spec->kill_fd;
			p[n++].events = POLLIN;
		}
		for (nfds_t i = 0; i < n; i++)
			p[i].revents = 0;

		wake = -1;
		if (stopped == PROC_EXITED)
			wake = deadline;
		else if (!killed)
			wake = kill_at;
		if (rest_until >= 0 && (wake < 0 || rest_until < wake))
			wake = rest_until;
		ms = ms_until(wake);
		if (pidfd < 0 && (ms < 0 || ms > TICK_MS))
			ms = TICK_MS;

		rc = poll(p, n, ms);
		if (rc < 0) {
			/* EINTR (a signal, or hookwave stopped and continued):
			 * just look again. ENOMEM: back off a tick. */
			if (errno != EINTR) {
				struct timespec ts = { 0, TICK_MS * 1000000L };

				nanosleep(&ts, NULL);
			}
			continue;
		}

		/* Take what the pipe holds, a bounded number of reads, so a
		 * flood costs one poll per several chunks, not per chunk. */
		if (ipipe >= 0 && p[ipipe].revents != 0) {
			ssize_t got = 1, total = 0;
			int k;

			for (k = 0; k < 8 && got > 0; k++)
				if ((got = read_chunk(*pipefd, buf, spec)) > 0)
					total += got;
			if (got == 0)
				close_fd(pipefd);
			/* A trickle (a line per file, written one at a time)
			 * would wake us per line: leave the pipe alone a
			 * moment to let it fill. The exit, a deadline and a
			 * cancel are still seen at once; a flood never rests. */
			else if (total < REST_BELOW)
				rest_until = now() + REST_SECONDS;
		}

		/* The exit comes before the deadline: a hook that exits in
		 * the same instant its deadline passes has not timed out. */
		if (ipid < 0 || p[ipid].revents != 0) {
			exited = peek_exit(pid, &si);
			if (exited < 0) {
				/* Reaped behind our back, so the pid no longer
				 * pins the pgid. Still end the group below: a
				 * new group with this very id within these
				 * microseconds is far less likely than orphans
				 * left behind. */
				wait_errno = errno;
				break;
			}
			if (exited)
				break;
			/* A pidfd readable without an exit to collect (old
			 * kernels, a leader gone before its threads): do not
			 * spin on it, fall back to the tick. */
			if (ipid >= 0)
				close_fd(&pidfd);
		}

		if (ikill >= 0 && p[ikill].revents != 0) {
			if (stopped == PROC_EXITED)
				stopped = PROC_CANCELED;
			signal_group(spec, pid, SIGKILL);
			killed = 1;
		}
		if (icancel >= 0 && p[icancel].revents != 0)
			stopped = PROC_CANCELED;
		else if (stopped == PROC_EXITED && deadline >= 0 &&
		    now() >= deadline)
			stopped = PROC_TIMEOUT;
		if (stopped != PROC_EXITED && kill_at < 0) {
			signal_group(spec, pid, SIGTERM);
			signal_group(spec, pid, SIGCONT);
			kill_at = now() + grace;
		}
		if (kill_at >= 0 && !killed && now() >= kill_at) {
			signal_group(spec, pid, SIGKILL);
			killed = 1;
		}
	}
	close_fd(&pidfd);

	/*
	 * The main process is a zombie (not reaped: it pins the pgid). End
	 * what it left in its group, give the pipe a short bounded grace to
	 * reach EOF, then SIGKILL the group, take what is left, and reap.
	 */
	signal_group(spec, pid, SIGTERM);
	signal_group(spec, pid, SIGCONT);
	post = grace < POST_EXIT_GRACE ? grace : POST_EXIT_GRACE;
	drain_until(pipefd, buf, spec, now() + post);
	signal_group(spec, pid, SIGKILL);
	drain_now(pipefd, buf, spec);
	close_fd(pipefd);
	if (!wait_errno)
		reap(pid);
	if (!spec->same_group)
		reap_adopted(pid);
	if (spec->on_group != NULL)
		spec->on_group(spec->group_ctx, pid, 0);
	r->duration = now() - r->start;

	r->exit_code = -1;
	r->signal = 0;
	if (wait_errno) {
		r->outcome = PROC_ERROR;
		r->stage = PROC_STAGE_WAIT;
		r->error = wait_errno;
		return;
	}
	if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		r->signal = si.si_status;
	if (stopped != PROC_EXITED) {
		r->outcome = stopped;
	} else if (r->signal != 0) {
		r->outcome = PROC_SIGNALED;
	} else {
		r->outcome = PROC_EXITED;
		r->exit_code = si.si_status & 0xff;
	}
}

int
proc_run(const struct proc_spec *spec, struct proc_result *r)
{
	int fds[2], err;
	pid_t pid;
	char *buf;

	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	r->start = now();

	if (spec->path == NULL || spec->argv == NULL || spec->envp == NULL)
		return fail(r, PROC_STAGE_SPAWN, EINVAL);

	/*
	 * Check cwd here so that a bad one is told apart from a failed
	 * exec. O_PATH and X_OK ask what chdir(2) needs: search, not read
	 * permission (a mode 0111 directory is a fine cwd).
	 */
	if (spec->cwd != NULL) {
		int dfd = open(spec->cwd, CWD_OPEN_FLAGS);

		if (dfd < 0)
			return fail(r, PROC_STAGE_CWD, errno);
		close(dfd);
		if (access(spec->cwd, X_OK) != 0)
			return fail(r, PROC_STAGE_CWD, errno);
#ifndef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
		/* NEEDSWORK: chdir(2) in a threaded parent would move every
		 * thread; without addchdir_np we refuse instead. */
		return fail(r, PROC_STAGE_CWD, ENOSYS);
#endif
	}

	buf = malloc(CHUNK);
	if (buf == NULL)
		return fail(r, PROC_STAGE_MEMORY, ENOMEM);
	if (make_pipe(fds) != 0) {
		err = errno;
		free(buf);
		return fail(r, PROC_STAGE_PIPE, err);
	}

	r->start = now();
	err = spawn(spec, fds[1], &pid);
	close(fds[1]);
	if (err != 0) {
		close(fds[0]);
		free(buf);
		return fail(r, PROC_STAGE_SPAWN, err);
	}
	r->pid = (int)pid;
	if (spec->on_group != NULL)
		spec->on_group(spec->group_ctx, pid, 1);

	wait_child(spec, pid, &fds[0], buf, r);
	free(buf);
	/* -1 for PROC_ERROR after a start too ("wait": reaped by someone
	 * else), so that -1 always means PROC_ERROR; r->pid says it ran. */
	return r->outcome == PROC_ERROR ? -1 : 0;
}

static void
capture_output(void *ctx, const char *buf, size_t n)
{
	buf_add(ctx, buf, n);
}

int
proc_capture(char *const *argv, char *const *envp, const char *cwd,
	     struct buf *out, struct proc_result *r)
{
	struct proc_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.path = argv[0];
	spec.argv = argv;
	spec.envp = envp;
	spec.cwd = cwd;
	spec.search_path = strchr(argv[0], '/') == NULL;
	spec.stderr_null = 1;
	spec.same_group = 1;
	spec.cancel_fd = -1;
	spec.kill_fd = -1;
	spec.on_output = capture_output;
	spec.ctx = out;
	/* Even for no output, so callers may read out->p as a string. */
	buf_add(out, "", 0);
	return proc_run(&spec, r);
}
