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
 * The only state shared between calls is the list of live groups and
 * the paused clock (proc_pause/proc_resume), behind one mutex that is
 * never held across a blocking call: proc_run() is thread-safe.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
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

/* The pipe is made roomier only once a hook fills the default one. */
#define BIG_PIPE (256 * 1024)

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

/*
 * The process groups proc_run() has running, for proc_pause(): one node
 * on each proc_run's stack, linked from spawn until the group is over.
 */
struct group_node {
	pid_t pgid;
	struct group_node *prev, *next;
};

static pthread_mutex_t groups_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t groups_cond = PTHREAD_COND_INITIALIZER;
static struct group_node *groups;       /* under groups_mu */
static int groups_paused;               /* under groups_mu */
static unsigned spawning;               /* under groups_mu: spawns begun
					   while not paused, not yet listed */
static double paused_since;             /* under groups_mu: now() at the pause */
static double paused_total;             /* under groups_mu: ended pauses, s */

/*
 * A spawn begins. One begun before a pause is waited for by
 * proc_pause() (its child runs before we know its pid); one begun
 * during a pause is stopped by groups_add(). Returns whether it counts.
 */
static int
groups_spawning(void)
{
	int counted;

	pthread_mutex_lock(&groups_mu);
	counted = !groups_paused;
	if (counted)
		spawning++;
	pthread_mutex_unlock(&groups_mu);
	return counted;
}

/* A counted spawn failed: nothing to list. */
static void
groups_spawn_failed(int counted)
{
	if (!counted)
		return;
	pthread_mutex_lock(&groups_mu);
	if (--spawning == 0)
		pthread_cond_broadcast(&groups_cond);
	pthread_mutex_unlock(&groups_mu);
}

/* Track a new group; stop it at once if the groups are paused. */
static void
groups_add(struct group_node *g, pid_t pgid, int counted)
{
	g->pgid = pgid;
	g->prev = NULL;
	pthread_mutex_lock(&groups_mu);
	g->next = groups;
	if (groups != NULL)
		groups->prev = g;
	groups = g;
	if (groups_paused)
		(void)kill(-pgid, SIGSTOP);
	if (counted && --spawning == 0)
		pthread_cond_broadcast(&groups_cond);
	pthread_mutex_unlock(&groups_mu);
}

/* Forget a group (before its leader is reaped: the pgid is still ours). */
static void
groups_remove(struct group_node *g)
{
	pthread_mutex_lock(&groups_mu);
	if (g->prev != NULL)
		g->prev->next = g->next;
	else
		groups = g->next;
	if (g->next != NULL)
		g->next->prev = g->prev;
	pthread_mutex_unlock(&groups_mu);
}

/* Send sig to every tracked group; returns how many. groups_mu held. */
static size_t
groups_signal(int sig)
{
	struct group_node *g;
	size_t n = 0;

	for (g = groups; g != NULL; g = g->next, n++)
		(void)kill(-g->pgid, sig);
	return n;
}

size_t
proc_pause(void)
{
	size_t n = 0;

	pthread_mutex_lock(&groups_mu);
	if (!groups_paused) {
		groups_paused = 1;
		paused_since = now();
		/* Spawns already under way list their group in a moment
		   (new ones will stop theirs themselves): wait for them. */
		while (spawning > 0)
			pthread_cond_wait(&groups_cond, &groups_mu);
		n = groups_signal(SIGSTOP);
	}
	pthread_mutex_unlock(&groups_mu);
	return n;
}

size_t
proc_resume(void)
{
	size_t n = 0;

	pthread_mutex_lock(&groups_mu);
	if (groups_paused) {
		n = groups_signal(SIGCONT);
		paused_total += now() - paused_since;
		groups_paused = 0;
	}
	pthread_mutex_unlock(&groups_mu);
	return n;
}

double
proc_paused_seconds(void)
{
	double t = now(), s;

	pthread_mutex_lock(&groups_mu);
	s = paused_total + (groups_paused ? t - paused_since : 0);
	pthread_mutex_unlock(&groups_mu);
	return s;
}

/*
 * The clock deadlines run on: CLOCK_MONOTONIC less the time paused. It
 * stands still during a pause, so nothing times out while stopped.
 */
static double
run_now(void)
{
	double t = now(), held;

	pthread_mutex_lock(&groups_mu);
	held = paused_total + (groups_paused ? t - paused_since : 0);
	pthread_mutex_unlock(&groups_mu);
	return t - held;
}

/*
 * Milliseconds on the run clock from `t` until `when`, for poll(): -1
 * if when < 0 (never).
 */
static int
ms_until(double t, double when)
{
	double d;
	int ms;

	if (when < 0)
		return -1;
	d = (when - t) * 1000.0;
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
	 * child's stdout and must stay blocking. A new pipe's read end has
	 * no other status flag to keep, so no F_GETFL first. */
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0)
		goto fail;
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
 * What one proc_run() reads its pipe with: the fd (-1 once closed), a
 * buffer, and whether the pipe has been made roomier yet.
 */
struct reader {
	int fd;
	int big;
	const struct proc_spec *spec;
	char *buf;              /* CHUNK bytes, or `small` */
	size_t size;
	char small[4096];       /* if malloc fails: slower, never fatal */
};

/*
 * Read one chunk from the pipe and hand it on. Returns the bytes read
 * (> 0), 0 at EOF (or a read error, treated as EOF), -1 if nothing is
 * there.
 */
static ssize_t
read_chunk(struct reader *rd)
{
	ssize_t n;

	for (;;) {
		n = read(rd->fd, rd->buf, rd->size);
		if (n > 0) {
#ifdef F_SETPIPE_SZ
			/*
			 * A full chunk: the hook writes faster than we read.
			 * A roomier pipe makes it block less and us read in
			 * fewer calls. Only a hint, and only for such hooks:
			 * most never fill the default 64 KiB, and would pay a
			 * syscall per spawn for nothing.
			 */
			if (n == CHUNK && !rd->big) {
				rd->big = 1;
				(void)fcntl(rd->fd, F_SETPIPE_SZ, BIG_PIPE);
			}
#endif
			if (rd->spec->on_output != NULL)
				rd->spec->on_output(rd->spec->ctx, rd->buf,
				    (size_t)n);
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

/* Read the pipe until EOF (closing it) or until `until` (run clock). */
static void
drain_until(struct reader *rd, double until)
{
	struct pollfd p;
	double t;
	int rc;

	while (rd->fd >= 0 && (t = run_now()) < until) {
		p.fd = rd->fd;
		p.events = POLLIN;
		p.revents = 0;
		rc = poll(&p, 1, ms_until(t, until));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if (read_chunk(rd) == 0)
			close_fd(&rd->fd);
	}
}

/* Read what the pipe holds right now, a bounded amount, without waiting. */
static void
drain_now(struct reader *rd)
{
	ssize_t rc;
	int i;

	for (i = 0; rd->fd >= 0 && i < POST_KILL_READS; i++) {
		rc = read_chunk(rd);
		if (rc == 0)
			close_fd(&rd->fd);
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
	double until = -1;

	/*
	 * kill(-pgid, 0) fails once no member, zombie or not, is left: the
	 * usual case, which then costs this one call. Else what is left has
	 * had SIGKILL and is dying, and what dies may be handed to us: reap
	 * it, waiting a little for it to go, so zombies do not pile up until
	 * the run ends; the end-of-run sweep takes any straggler.
	 */
	while (kill(-pgid, 0) == 0) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PGID, (id_t)pgid, &si, WEXITED | WNOHANG) != 0 &&
		    errno == EINTR)
			continue;
		if (si.si_pid != 0)
			continue;       /* reaped one; look for more */
		if (until < 0)
			until = now() + 0.1;
		else if (now() >= until)
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
 * Owns and closes rd->fd. Fills in everything in *r but start and pid.
 * Deadlines are on the run clock (run_now), durations on now().
 */
static void
wait_child(const struct proc_spec *spec, pid_t pid, struct reader *rd,
    struct group_node *node, struct proc_result *r)
{
	/* PROC_EXITED while running; PROC_TIMEOUT or PROC_CANCELED once
	 * we have started to stop it. */
	enum proc_outcome stopped = PROC_EXITED;
	double t = run_now();
	double deadline = spec->timeout > 0 ? t + spec->timeout : -1;
	double grace = spec->kill_grace > 0 ? spec->kill_grace : 0;
	double kill_at = -1, wake, post, rest_until = -1;
	int killed = 0, wait_errno = 0, pidfd, ms, rc;
	siginfo_t si;

	pidfd = open_pidfd(pid);

	for (;;) {
		struct pollfd p[4];
		nfds_t n = 0;
		int ipipe = -1, ipid = -1, icancel = -1, ikill = -1, exited;

		if (rd->fd >= 0 && (rest_until < 0 || t >= rest_until)) {
			ipipe = (int)n;
			p[n].fd = rd->fd;
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
		ms = ms_until(t, wake);
		if (pidfd < 0 && (ms < 0 || ms > TICK_MS))
			ms = TICK_MS;

		rc = poll(p, n, ms);
		t = run_now();
		if (rc < 0) {
			/* EINTR (a signal, or hookwave stopped and continued):
			 * just look again. ENOMEM: back off a tick. */
			if (errno != EINTR) {
				struct timespec ts = { 0, TICK_MS * 1000000L };

				nanosleep(&ts, NULL);
				t = run_now();
			}
			continue;
		}

		/* Take what the pipe holds, a bounded number of reads, so a
		 * flood costs one poll per several chunks, not per chunk. */
		if (ipipe >= 0 && p[ipipe].revents != 0) {
			ssize_t got = 1, total = 0;
			int k;

			for (k = 0; k < 8 && got > 0; k++)
				if ((got = read_chunk(rd)) > 0)
					total += got;
			if (got == 0)
				close_fd(&rd->fd);
			/* A trickle (a line per file, written one at a time)
			 * would wake us per line: leave the pipe alone a
			 * moment to let it fill. The exit, a deadline and a
			 * cancel are still seen at once; a flood never rests.
			 * A helper (git) whose output hookwave waits for is
			 * read at once: its listing is on the critical path. */
			else if (total < REST_BELOW && !spec->same_group)
				rest_until = t + REST_SECONDS;
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
		    t >= deadline)
			stopped = PROC_TIMEOUT;
		if (stopped != PROC_EXITED && kill_at < 0) {
			signal_group(spec, pid, SIGTERM);
			signal_group(spec, pid, SIGCONT);
			kill_at = t + grace;
		}
		if (kill_at >= 0 && !killed && t >= kill_at) {
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
	drain_until(rd, run_now() + post);
	signal_group(spec, pid, SIGKILL);
	drain_now(rd);
	close_fd(&rd->fd);
	if (!spec->same_group) {
		groups_remove(node);
		if (spec->on_group != NULL)
			spec->on_group(spec->group_ctx, pid, 0, -1);
	}
	if (!wait_errno)
		reap(pid);
	if (!spec->same_group)
		reap_adopted(pid);
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

/*
 * Why a spawn with a working directory failed: when the directory is
 * unusable, its errno (open with O_DIRECTORY, then search permission,
 * which is what chdir needs: a mode 0111 directory is a fine cwd), else
 * 0 (the exec failed). Asked only after a failure, so that a good cwd
 * costs no syscall of its own on every spawn.
 */
static int
cwd_error(const char *cwd)
{
	int dfd = open(cwd, CWD_OPEN_FLAGS);

	if (dfd < 0)
		return errno;
	close(dfd);
	if (access(cwd, X_OK) != 0)
		return errno;
	return 0;
}

int
proc_run(const struct proc_spec *spec, struct proc_result *r)
{
	struct group_node node;
	struct reader rd;
	int fds[2], err, counted;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	r->start = now();

	if (spec->path == NULL || spec->argv == NULL || spec->envp == NULL)
		return fail(r, PROC_STAGE_SPAWN, EINVAL);
#ifndef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
	/* NEEDSWORK: chdir(2) in a threaded parent would move every
	 * thread; without addchdir_np we refuse instead. */
	if (spec->cwd != NULL)
		return fail(r, PROC_STAGE_CWD, ENOSYS);
#endif

	if (make_pipe(fds) != 0)
		return fail(r, PROC_STAGE_PIPE, errno);

	counted = !spec->same_group && groups_spawning();
	r->start = now();
	err = spawn(spec, fds[1], &pid);
	close(fds[1]);
	if (err != 0) {
		int cerr;

		groups_spawn_failed(counted);
		cerr = spec->cwd != NULL ? cwd_error(spec->cwd) : 0;
		close(fds[0]);
		if (cerr != 0)
			return fail(r, PROC_STAGE_CWD, cerr);
		return fail(r, PROC_STAGE_SPAWN, err);
	}
	r->pid = (int)pid;
	if (!spec->same_group) {
		groups_add(&node, pid, counted);
		if (spec->on_group != NULL)
			spec->on_group(spec->group_ctx, pid, 1, fds[0]);
	}

	/* Not a 64 KiB array on the stack: a thread's stack may be small
	   (ulimit -s). Without memory, a small one on the stack will do. */
	rd.fd = fds[0];
	rd.big = 0;
	rd.spec = spec;
	rd.size = CHUNK;
	if ((rd.buf = malloc(CHUNK)) == NULL) {
		rd.buf = rd.small;
		rd.size = sizeof(rd.small);
	}
	wait_child(spec, pid, &rd, &node, r);
	if (rd.buf != rd.small)
		free(rd.buf);
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
