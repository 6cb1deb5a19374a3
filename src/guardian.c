/* guardian.c - a watcher process that ends the hooks of a killed run. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_PRCTL
#include <sys/prctl.h>
#endif

#include "guardian.h"
#include "util.h"

/* What a note says; one note is one SOCK_SEQPACKET message. */
enum note_kind {
	NOTE_START = 1,         /* a group started; may carry its pipe */
	NOTE_DONE,              /* a group is over */
	NOTE_END,               /* the run ended normally */
	NOTE_HOLD               /* keep the attached fd until exit */
};

struct note {
	int32_t kind;
	int32_t pgid;
};

/* After a wake-up, how long notes may gather before the guardian reads. */
#define NAP_MS 2
/* After the SIGKILL, how long the guardian waits for the groups to go. */
#define GONE_WAIT_MS 5000
/* Poll tick while ending the groups. */
#define TICK_MS 10

/* Close every fd from `from` up; the guardian keeps only its socket. */
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

/* Sleep ms milliseconds, whatever signals come. */
static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* What the guardian holds: the live groups and their pipes. */
struct held {
	pid_t *pgid;
	int *out;               /* per group: its pipe's read end, or -1 */
	size_t n, alloc;
	struct pollfd *p;       /* scratch for drain(), alloc entries */
};

/* Remember a group; its pipe fd may be -1. Out of memory: _exit. */
static void
held_add(struct held *h, pid_t pgid, int fd)
{
	if (h->n == h->alloc) {
		size_t a = h->alloc ? 2 * h->alloc : 64;

		h->pgid = tryreallocarray(h->pgid, a, sizeof(*h->pgid));
		h->out = tryreallocarray(h->out, a, sizeof(*h->out));
		h->p = tryreallocarray(h->p, a, sizeof(*h->p));
		if (h->pgid == NULL || h->out == NULL || h->p == NULL)
			_exit(1);
		h->alloc = a;
	}
	h->pgid[h->n] = pgid;
	h->out[h->n++] = fd;
}

/* Forget a group and close its pipe. */
static void
held_remove(struct held *h, pid_t pgid)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->pgid[i] == pgid) {
			if (h->out[i] >= 0)
				close(h->out[i]);
			h->n--;
			h->pgid[i] = h->pgid[h->n];
			h->out[i] = h->out[h->n];
			return;
		}
}

static void
signal_all(const struct held *h, int sig)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		(void)kill(-h->pgid[i], sig);
}

/* Whether any of the groups still has a member (a zombie counts). */
static int
any_alive(const struct held *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (kill(-h->pgid[i], 0) == 0)
			return 1;
	return 0;
}

/*
 * Wait up to `ms` for output, then read and discard what the pipes
 * hold, closing those at EOF: with hookwave gone, the guardian is their
 * reader, so a hook printing on its way out is not killed by SIGPIPE.
 */
static void
drain(struct held *h, int ms)
{
	static char sink[64 * 1024];
	nfds_t n = 0, k;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->out[i] >= 0) {
			h->p[n].fd = h->out[i];
			h->p[n].events = POLLIN;
			h->p[n++].revents = 0;
		}
	if (n == 0) {
		nap_ms(ms);
		return;
	}
	if (poll(h->p, n, ms) <= 0)
		return;
	/* h->p lists the open pipes in group order. */
	for (i = 0, k = 0; i < h->n && k < n; i++) {
		ssize_t got;

		if (h->out[i] < 0 || h->p[k++].revents == 0)
			continue;
		/* One read per wake-up, so that a blocking fd cannot block
		   us (it is non-blocking in hookwave, but need not be). */
		got = read(h->out[i], sink, sizeof(sink));
		if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
			close(h->out[i]);
			h->out[i] = -1;
		}
	}
}

/*
 * Receive one note, and the fd it carries (else -1). 0 at EOF, -1 with
 * errno (EAGAIN: none there, with MSG_DONTWAIT in flags).
 */
static ssize_t
receive(int sock, struct note *x, int *fd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { x, sizeof(*x) };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t got;

	*fd = -1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	do
		got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return got;
	/* MSG_CTRUNC (no room for the fd here): the note without it. */
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)got != sizeof(*x)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		x->kind = 0;    /* not a note of ours: ignored */
	}
	return got;
}

/* The guardian's whole life; never returns. */
static void
guard(int sock, double grace)
{
	struct held h;
	int clean = 0, waiting = 1, sig, fd;
	long waited, grace_ms = (long)(grace * 1000);
	struct note x;

	memset(&h, 0, sizeof(h));
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
	if (dup2(sock, 0) < 0)
		_exit(1);
	close_from(1);

	for (;;) {
		ssize_t got = receive(0, &x, &fd, waiting ? 0 : MSG_DONTWAIT);

		if (got < 0 && !waiting && (errno == EAGAIN ||
		    errno == EWOULDBLOCK)) {
			waiting = 1;    /* read them all: block for the next */
			continue;
		}
		if (got <= 0)
			break;
		if (waiting) {
			/*
			 * Woken by a note: let more gather before reading on.
			 * A busy run then costs a wake-up per NAP_MS, not one
			 * per note (for hookwave's sendmsg too, which need not
			 * wake us). Nothing is lost by waiting: the notes stay
			 * queued, and after EOF every one is read first.
			 */
			nap_ms(NAP_MS);
			waiting = 0;
		}
		switch (x.kind) {
		case NOTE_START:
			held_add(&h, (pid_t)x.pgid, fd);
			fd = -1;
			break;
		case NOTE_DONE:
			held_remove(&h, (pid_t)x.pgid);
			break;
		case NOTE_END:
			clean = 1;
			break;
		case NOTE_HOLD:
			/* Kept open, unnamed, until _exit closes it. */
			fd = -1;
			break;
		default:
			break;
		}
		if (fd >= 0)
			close(fd);
		if (clean)
			break;
	}
	if (!clean && h.n > 0) {
		/* hookwave is gone without a word: end what it left running,
		   reading its pipes meanwhile. */
		signal_all(&h, SIGTERM);
		signal_all(&h, SIGCONT);
		for (waited = 0; waited < grace_ms && any_alive(&h);
		     waited += TICK_MS)
			drain(&h, TICK_MS);
		signal_all(&h, SIGKILL);
		/* Whatever was held (the --lock fd) is held until the
		   groups are gone, not merely signalled. */
		for (waited = 0; waited < GONE_WAIT_MS && any_alive(&h);
		     waited += TICK_MS)
			drain(&h, TICK_MS);
	}
	_exit(0);
}

int
guardian_start(struct guardian *g, double grace)
{
	int sv[2], wfd, fork_errno;
	sigset_t all, old;
	pid_t pid;

	g->pid = 0;
	g->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	/* Past 0-2, which may be closed and handed out again. */
	wfd = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
	if (wfd < 0) {
		int saved = errno;

		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	close(sv[1]);
	/* hookwave's handlers must not run in the child: it takes no
	   signal until guard() has put back the defaults. */
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(wfd);
		guard(sv[0], grace);
	}
	fork_errno = errno;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		close(sv[0]);
		close(wfd);
		errno = fork_errno;
		return -1;
	}
	close(sv[0]);
	g->pid = pid;
	g->fd = wfd;
	return 0;
}

/*
 * Send one note, with `fd` attached if >= 0. If the fd cannot be passed
 * (too many fds in flight), the note goes without it. Returns 0 or -1.
 */
static int
put(int sock, enum note_kind kind, pid_t pgid, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct note x = { (int32_t)kind, (int32_t)pgid };
	struct iovec iov = { &x, sizeof(x) };
	struct msghdr msg;
	ssize_t rc;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	/* MSG_NOSIGNAL: a guardian that died must not kill us by SIGPIPE. */
	while ((rc = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	/* The group matters more than its pipe. */
	if (rc < 0 && fd >= 0 && kind == NOTE_START && errno != EPIPE)
		return put(sock, kind, pgid, -1);
	return rc < 0 ? -1 : 0;
}

void
guardian_note(const struct guardian *g, pid_t pgid, int alive, int out_fd)
{
	if (g != NULL && g->fd >= 0 && pgid > 0)
		(void)put(g->fd, alive ? NOTE_START : NOTE_DONE, pgid,
		    alive ? out_fd : -1);
}

int
guardian_hold(const struct guardian *g, int fd)
{
	if (g == NULL || g->fd < 0 || fd < 0) {
		errno = EBADF;
		return -1;
	}
	return put(g->fd, NOTE_HOLD, 0, fd);
}

void
guardian_stop(struct guardian *g)
{
	int saved = errno;

	if (g->fd >= 0) {
		(void)put(g->fd, NOTE_END, 0, -1);
		close(g->fd);
		g->fd = -1;
	}
	if (g->pid > 0) {
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
		g->pid = 0;
	}
	errno = saved;
}
