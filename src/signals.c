/*
 * signals.c - interrupts during a run. See signals.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

static atomic_int interrupted;
static volatile sig_atomic_t caught_signal;
static volatile sig_atomic_t signal_count;
static int cancel_pipe[2] = { -1, -1 };
static int kill_pipe[2] = { -1, -1 };

/* Only flags and a write to a pipe: async-signal-safe. */
static void
on_signal(int sig)
{
	int saved = errno;

	if (caught_signal == 0)
		caught_signal = sig;
	atomic_store(&interrupted, 1);
	/* The first asks hooks to stop (TERM, grace); a second kills them. */
	if (signal_count < 2)
		signal_count++;
	if (signal_count == 1 && cancel_pipe[1] >= 0)
		(void)!write(cancel_pipe[1], "x", 1);
	if (signal_count == 2 && kill_pipe[1] >= 0)
		(void)!write(kill_pipe[1], "x", 1);
	errno = saved;
}

int
signals_start(struct err *e)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t set;
	size_t i;

	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    pipe2(kill_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		int saved = errno;

		signals_finish();
		return err_set(e, NULL, 0, "cannot make a pipe: %s",
			       strerror(saved));
	}

	/* Blocked by whoever started us, they would never arrive. */
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	return 0;
}

int
signals_cancel_fd(void)
{
	return cancel_pipe[0];
}

int
signals_kill_fd(void)
{
	return kill_pipe[0];
}

atomic_int *
signals_stop_flag(void)
{
	return &interrupted;
}

int
signals_caught(void)
{
	return caught_signal;
}

void
signals_write_error(int error)
{
	if (error != EPIPE)
		return;
	if (caught_signal == 0)
		caught_signal = SIGPIPE;
	atomic_store(&interrupted, 1);
	if (signal_count == 0) {
		signal_count = 1;
		if (cancel_pipe[1] >= 0)
			(void)!write(cancel_pipe[1], "x", 1);
	}
}

void
signals_finish(void)
{
	int fds[4] = { cancel_pipe[0], cancel_pipe[1], kill_pipe[0],
		       kill_pipe[1] };
	size_t i;

	/* -1 first: a handler running now writes nowhere. */
	cancel_pipe[0] = cancel_pipe[1] = kill_pipe[0] = kill_pipe[1] = -1;
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

void
signals_reraise(int sig)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}
