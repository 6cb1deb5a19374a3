/*
 * check_signals.c - unit tests for signals.[ch]: the first signal sets
 * the stop flag and the cancel fd, a second the kill fd; a closed
 * stdout (EPIPE) ends the run like SIGPIPE, other write errors do not;
 * a signal after signals_finish still counts; signals_reraise dies of
 * the signal. Each test runs in its own process (Check's fork mode):
 * the module's state is process-wide.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "signals.h"

Suite *signals_suite(void);

/* Whether fd is readable right now. */
static int
readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

START_TEST(test_first_and_second)
{
	struct err e;

	ck_assert_int_eq(signals_start(&e), 0);
	ck_assert_int_ge(signals_cancel_fd(), 0);
	ck_assert_int_ge(signals_kill_fd(), 0);
	ck_assert_int_eq(atomic_load(signals_stop_flag()), 0);
	ck_assert_int_eq(signals_caught(), 0);
	ck_assert(!readable(signals_cancel_fd()));

	ck_assert_int_eq(raise(SIGTERM), 0);
	ck_assert_int_eq(atomic_load(signals_stop_flag()), 1);
	ck_assert_int_eq(signals_caught(), SIGTERM);
	ck_assert(readable(signals_cancel_fd()));
	ck_assert(!readable(signals_kill_fd()));

	/* The second: kill at once. The first signal still names the end. */
	ck_assert_int_eq(raise(SIGINT), 0);
	ck_assert(readable(signals_kill_fd()));
	ck_assert_int_eq(signals_caught(), SIGTERM);
	signals_finish();
	ck_assert_int_eq(signals_cancel_fd(), -1);
	ck_assert_int_eq(signals_kill_fd(), -1);
}
END_TEST

/* Signals blocked by whoever started us are unblocked. */
START_TEST(test_unblocks)
{
	sigset_t set, old;
	struct err e;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ck_assert_int_eq(signals_start(&e), 0);
	sigprocmask(SIG_BLOCK, NULL, &old);
	ck_assert(!sigismember(&old, SIGHUP));
	raise(SIGHUP);
	ck_assert_int_eq(signals_caught(), SIGHUP);
	signals_finish();
}
END_TEST

START_TEST(test_write_errors)
{
	struct err e;

	ck_assert_int_eq(signals_start(&e), 0);
	signals_write_error(ENOSPC);
	ck_assert_int_eq(signals_caught(), 0);
	ck_assert_int_eq(atomic_load(signals_stop_flag()), 0);
	signals_write_error(EPIPE);
	ck_assert_int_eq(signals_caught(), SIGPIPE);
	ck_assert_int_eq(atomic_load(signals_stop_flag()), 1);
	ck_assert(readable(signals_cancel_fd()));
	/* A real signal after the EPIPE is a second one: kill at once. */
	raise(SIGINT);
	ck_assert(readable(signals_kill_fd()));
	ck_assert_int_eq(signals_caught(), SIGPIPE);
	signals_finish();
}
END_TEST

/* After the run a signal still counts (for the exit status). */
START_TEST(test_after_finish)
{
	struct err e;

	ck_assert_int_eq(signals_start(&e), 0);
	signals_finish();
	raise(SIGTERM);
	ck_assert_int_eq(signals_caught(), SIGTERM);
}
END_TEST

START_TEST(test_reraise)
{
	struct err e;
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (signals_start(&e) != 0)
			_exit(3);
		raise(SIGINT);  /* caught: the handler only notes it */
		signals_finish();
		signals_reraise(signals_caught());
		_exit(4);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGINT);
}
END_TEST

/* SIGTSTP taken by the job-control thread: the process stops (SIGSTOP),
   goes on when continued; after signals_finish SIGTSTP is not blocked.
   The parent tells the child it was continued through a pipe. */
START_TEST(test_job_control)
{
	struct err e;
	int status, go[2], stops = 0;
	pid_t pid;
	char c = 'x';

	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sigset_t now;
		ssize_t n;

		close(go[1]);
		if (signals_start(&e) != 0 || signals_job_control(&e) != 0)
			_exit(3);
		sigprocmask(SIG_BLOCK, NULL, &now);
		if (!sigismember(&now, SIGTSTP))
			_exit(4);
		/* To the process: the thread takes it and stops us. */
		kill(getpid(), SIGTSTP);
		while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n != 1 || proc_paused_seconds() <= 0)
			_exit(5);
		signals_finish();
		sigprocmask(SIG_BLOCK, NULL, &now);
		_exit(sigismember(&now, SIGTSTP) ? 6 : 0);
	}
	close(go[0]);
	for (;;) {
		ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
		if (!WIFSTOPPED(status))
			break;
		ck_assert_int_eq(WSTOPSIG(status), SIGSTOP);
		stops++;
		ck_assert_int_eq(kill(pid, SIGCONT), 0);
		if (stops == 1)
			ck_assert_int_eq(write(go[1], &c, 1), 1);
	}
	close(go[1]);
	ck_assert_int_eq(stops, 1);
	ck_assert_msg(WIFEXITED(status), "status 0x%x", status);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

Suite *
signals_suite(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_and_second);
	tcase_add_test(tc, test_unblocks);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_after_finish);
	tcase_add_test(tc, test_reraise);
	tcase_add_test(tc, test_job_control);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(signals_suite());
	int failed;

	/* Each test must have a process of its own: the state is global. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
