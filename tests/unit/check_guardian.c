/*
 * check_guardian.c - unit tests for guardian.[ch]: the groups it was
 * told of, and only those still alive by its notes, are ended when the
 * pipe closes without the clean-end note; a clean stop ends nothing.
 *
 * "hookwave dies" is played by closing the guardian's write end without
 * guardian_stop(): the guardian sees EOF exactly as after a SIGKILL.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardian.h"

/* A child in a process group of its own, asleep until signalled. */
static pid_t
sleeper(int ignore_term)
{
	sigset_t all, old;
	pid_t pid;

	/* Not Check's handlers, which would signal the test's group: the
	   child swaps them for the defaults before it takes any signal. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGTERM, ignore_term ? SIG_IGN : SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		for (;;)
			pause();
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Both sides, so the group exists before either goes on. */
	(void)setpgid(pid, pid);
	return pid;
}

/* How the child ended: its signal, or 0 if it is still running. */
static int
ended_by(pid_t pid, int wait_for_it)
{
	int status;
	pid_t r;

	do
		r = waitpid(pid, &status, wait_for_it ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	ck_assert_int_eq(r, pid);
	ck_assert(WIFSIGNALED(status));
	return WTERMSIG(status);
}

/* Play hookwave's death, and wait for the guardian to be done. */
static void
die(struct guardian *g)
{
	int status;

	close(g->fd);
	g->fd = -1;
	ck_assert_int_eq(waitpid(g->pid, &status, 0), g->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	g->pid = 0;
}

START_TEST(test_ends_live_groups)
{
	struct guardian g;
	pid_t a = sleeper(0), b = sleeper(0), c = sleeper(0);

	ck_assert_int_eq(guardian_start(&g, 1.0), 0);
	ck_assert_int_ge(g.fd, 3);
	ck_assert_int_gt(g.pid, 0);
	guardian_note(&g, a, 1);
	guardian_note(&g, b, 1);
	guardian_note(&g, c, 1);
	guardian_note(&g, b, 0);        /* b is over, as far as it knows */
	die(&g);
	ck_assert_int_eq(ended_by(a, 1), SIGTERM);
	ck_assert_int_eq(ended_by(c, 1), SIGTERM);
	ck_assert_int_eq(ended_by(b, 0), 0);    /* left alone */
	kill(b, SIGKILL);
	ck_assert_int_eq(ended_by(b, 1), SIGKILL);
}
END_TEST

/* A group that ignores SIGTERM gets SIGKILL after the grace. */
START_TEST(test_kill_after_grace)
{
	struct guardian g;
	pid_t a = sleeper(1);

	ck_assert_int_eq(guardian_start(&g, 0.2), 0);
	guardian_note(&g, a, 1);
	die(&g);
	ck_assert_int_eq(ended_by(a, 1), SIGKILL);
}
END_TEST

/* A clean end: nothing is signalled, and the guardian is reaped. */
START_TEST(test_clean_stop)
{
	struct guardian g;
	pid_t a = sleeper(0);

	ck_assert_int_eq(guardian_start(&g, 1.0), 0);
	guardian_note(&g, a, 1);
	guardian_stop(&g);
	ck_assert_int_eq(g.fd, -1);
	ck_assert_int_eq(g.pid, 0);
	ck_assert_int_eq(ended_by(a, 0), 0);
	kill(a, SIGKILL);
	ck_assert_int_eq(ended_by(a, 1), SIGKILL);
	/* Stopping twice, or noting after, is harmless. */
	guardian_stop(&g);
	guardian_note(&g, a, 1);
	guardian_note(NULL, a, 1);
}
END_TEST

/* Many notes in a burst: none lost, none split across reads. */
START_TEST(test_many_notes)
{
	struct guardian g;
	pid_t a = sleeper(0);
	int i;

	ck_assert_int_eq(guardian_start(&g, 1.0), 0);
	for (i = 0; i < 20000; i++) {
		guardian_note(&g, 100000 + i, 1);
		guardian_note(&g, 100000 + i, 0);
	}
	guardian_note(&g, a, 1);
	die(&g);
	ck_assert_int_eq(ended_by(a, 1), SIGTERM);
}
END_TEST

static Suite *
guardian_suite(void)
{
	Suite *s = suite_create("guardian");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ends_live_groups);
	tcase_add_test(tc, test_kill_after_grace);
	tcase_add_test(tc, test_clean_stop);
	tcase_add_test(tc, test_many_notes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(guardian_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
