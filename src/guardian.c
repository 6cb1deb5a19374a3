/* guardian.c - a watcher process that ends the hooks of a killed run. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_PRCTL
#include <sys/prctl.h>
#endif

#include "guardian.h"
#include "util.h"

/* One note: > 0 a group started, < 0 a group done, 0 a clean end. */
typedef int32_t note_t;

/* Close every fd from `from` up; the guardian keeps only its pipe. */
static void
close_from(int from)
{
#ifdef HAVE_CLOSEFROM
	closefrom(from);
#else
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = from; fd < max; fd++)
		(void)close(fd);
#endif
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
signal_all(const pid_t *g, size_t n, int sig)
{
	size_t i;

	for (i = 0; i < n; i++)
		(void)kill(-g[i], sig);
}

/* Whether any of the groups still has a member. */
static int
any_alive(const pid_t *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kill(-g[i], 0) == 0)
			return 1;
	return 0;
}

/* The guardian's whole life; never returns. */
static void
guard(int fd, double grace)
{
	pid_t *g = NULL;
	size_t n = 0, alloc = 0, i;
	int clean = 0, sig;
	long waited;
	note_t buf[256];

	(void)setsid();
#if defined(HAVE_PRCTL) && defined(PR_SET_NAME)
	(void)prctl(PR_SET_NAME, "hookwave-guard", 0, 0, 0);
#endif
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	{
		sigset_t none;

		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
	}
	if (dup2(fd, 0) < 0)
		_exit(1);
	close_from(1);

	for (;;) {
		ssize_t got = read(0, buf, sizeof(buf));
		size_t k;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		/* Notes are written whole (PIPE_BUF), so reads split none. */
		for (k = 0; k < (size_t)got / sizeof(note_t); k++) {
			note_t x = buf[k];

			if (x == 0) {
				clean = 1;
			} else if (x > 0) {
				if (n == alloc) {
					alloc = alloc ? 2 * alloc : 64;
					g = realloc(g, alloc * sizeof(*g));
					if (g == NULL)
						_exit(1);
				}
				g[n++] = (pid_t)x;
			} else {
				for (i = 0; i < n; i++)
					if (g[i] == (pid_t)-x) {
						g[i] = g[--n];
						break;
					}
			}
		}
	}
	if (!clean && n > 0) {
		/* hookwave is gone without a word: end what it left running. */
		signal_all(g, n, SIGTERM);
		signal_all(g, n, SIGCONT);
		for (waited = 0; waited < (long)(grace * 1000) &&
		     any_alive(g, n); waited += 10)
			nap_ms(10);
		signal_all(g, n, SIGKILL);
	}
	free(g);
	_exit(0);
}

int
guardian_start(struct guardian *g, double grace)
{
	int fds[2], wfd, fork_errno;
	sigset_t all, old;
	pid_t pid;

	g->pid = 0;
	g->fd = -1;
	if (pipe(fds) != 0)
		return -1;
	/* Past 0-2, which may be closed and handed out again. */
	wfd = fcntl(fds[1], F_DUPFD_CLOEXEC, 3);
	if (wfd < 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0) {
		int saved = errno;

		close(fds[0]);
		close(fds[1]);
		if (wfd >= 0)
			close(wfd);
		errno = saved;
		return -1;
	}
	close(fds[1]);
	/* hookwave's handlers must not run in the child: it takes no
	   signal until guard() has put back the defaults. */
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(wfd);
		guard(fds[0], grace);
	}
	fork_errno = errno;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		close(fds[0]);
		close(wfd);
		errno = fork_errno;
		return -1;
	}
	close(fds[0]);
	g->pid = pid;
	g->fd = wfd;
	return 0;
}

static void
put(int fd, note_t x)
{
	while (write(fd, &x, sizeof(x)) < 0 && errno == EINTR)
		;
}

void
guardian_note(const struct guardian *g, pid_t pgid, int alive)
{
	if (g != NULL && g->fd >= 0 && pgid > 0)
		put(g->fd, alive ? (note_t)pgid : -(note_t)pgid);
}

void
guardian_stop(struct guardian *g)
{
	if (g->fd >= 0) {
		put(g->fd, 0);
		close(g->fd);
		g->fd = -1;
	}
	if (g->pid > 0) {
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->pid = 0;
	}
}
