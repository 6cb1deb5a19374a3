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
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "signals.h"

static atomic_int interrupted;
static volatile sig_atomic_t caught_signal;
static volatile sig_atomic_t signal_count;
static int cancel_pipe[2] = { -1, -1 };
static int kill_pipe[2] = { -1, -1 };

/* The job-control thread (signals_job_control). */
static pthread_t jc_thread;
static int jc_running;
static atomic_int jc_quit;

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

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);

	/* Blocked by whoever started us, they would never arrive; blocked
	   by a staged run while it set work aside, one may be pending:
	   the handlers are in place first, so it ends the run cleanly. */
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return 0;
}

/*
 * Take SIGTSTP for the run: stop the hooks, then ourselves; once
 * continued, continue them. SIGSTOP, not SIGTSTP, for ourselves: it is
 * blocked here, and a stop that cannot be refused is what the user
 * asked for. raise(), not kill(getpid()): sent to this very thread, the
 * stop takes it before the call returns, whereas a signal to the
 * process may be taken by another thread while this one runs on and
 * continues the hooks before the process has stopped.
 */
static void *
job_control(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (atomic_load(&jc_quit))
			return NULL;
		proc_pause();
		(void)raise(SIGSTOP);
		proc_resume();
	}
}

int
signals_job_control(struct err *e)
{
	sigset_t set;
	int err;

	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	atomic_store(&jc_quit, 0);
	err = pthread_create(&jc_thread, NULL, job_control, NULL);
	if (err != 0) {
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return err_set(e, NULL, 0, "no job control for the hooks: %s",
			       strerror(err));
	}
	jc_running = 1;
	return 0;
}

/* End the job-control thread and let SIGTSTP through again. */
static void
job_control_end(void)
{
	sigset_t set;

	if (!jc_running)
		return;
	atomic_store(&jc_quit, 1);
	pthread_kill(jc_thread, SIGTSTP);
	pthread_join(jc_thread, NULL);
	jc_running = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	/* A Ctrl-Z that came meanwhile is delivered now: we stop. */
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
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

	job_control_end();
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
