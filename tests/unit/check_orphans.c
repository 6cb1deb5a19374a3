/*
 * check_orphans.c - unit tests for orphans.[ch]: what the run's
 * processes leave behind (handed to us as the subreaper) is ended and
 * reaped; children we had before orphans_adopt() (inherited through
 * exec in real life) are never signalled nor reaped.
 *
 * Each test runs in a fresh process forked by Check, so it starts with
 * no child and not yet a subreaper.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "orphans.h"

/* Sleep a few milliseconds (only in poll-until loops). */
static void
nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * Fork a child that sleeps until signalled (setsid first if `own_session`)
 * or, with `exit_code` >= 0, exits at once with it. Check's handlers are
 * swapped for the defaults before the child takes any signal.
 */
static pid_t
child(int own_session, int exit_code)
{
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int sig;

		if (exit_code >= 0)
			_exit(exit_code);
		for (sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		if (own_session)
			(void)setsid();
		sigprocmask(SIG_SETMASK, &old, NULL);
		for (;;)
			pause();
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

/* The ppid of pid from /proc/PID/stat, or -1 if it is gone. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/*
 * An orphan handed to us: a child forks a grandchild in a session of
 * its own and exits; we reap the child, and the grandchild is ours.
 * Returns the grandchild's pid.
 */
static pid_t
orphan(void)
{
	int p[2], status, i;
	pid_t mid, gc = 0;

	ck_assert_int_eq(pipe(p), 0);
	mid = fork();
	ck_assert_int_ge(mid, 0);
	if (mid == 0) {
		pid_t g;

		close(p[0]);
		g = child(1, -1);
		if (write(p[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &gc, sizeof(gc)), (ssize_t)sizeof(gc));
	close(p[0]);
	ck_assert_int_eq(waitpid(mid, &status, 0), mid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < 1000 && parent_of(gc) != getpid(); i++)
		nap();
	ck_assert_int_eq(parent_of(gc), getpid());
	return gc;
}

/* Whether pid is our child and has not been reaped (alive or zombie). */
static int
ours_unreaped(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

START_TEST(test_orphan_ended_inherited_spared)
{
	pid_t before = child(0, -1), gc;
	int status;

	ck_assert_int_eq(orphans_adopt(), 0);
	gc = orphan();
	ck_assert_uint_eq(orphans_end(2.0), 1);
	/* The orphan was ended and reaped... */
	ck_assert(!ours_unreaped(gc));
	ck_assert_int_eq(kill(gc, 0), -1);
	/* ...the child we had before was left alone. */
	ck_assert_int_eq(waitpid(before, &status, WNOHANG), 0);
	ck_assert_int_eq(kill(before, SIGKILL), 0);
	ck_assert_int_eq(waitpid(before, &status, 0), before);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}
END_TEST

/* An inherited child that exits during the run is not reaped by us. */
START_TEST(test_inherited_zombie_kept)
{
	pid_t before = child(0, 7);
	siginfo_t si;
	int status;

	/* Let it be a zombie before and after the adopt. */
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid(P_PID, (id_t)before, &si, WEXITED | WNOWAIT),
			 0);
	(void)orphans_adopt();
	ck_assert_uint_eq(orphans_end(1.0), 0);
	ck_assert(ours_unreaped(before));
	ck_assert_int_eq(waitpid(before, &status, 0), before);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}
END_TEST

/* No child at all: nothing found, and errno is what it was. */
START_TEST(test_nothing_keeps_errno)
{
	(void)orphans_adopt();
	errno = EAGAIN;
	ck_assert_uint_eq(orphans_end(1.0), 0);
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

static Suite *
orphans_suite(void)
{
	Suite *s = suite_create("orphans");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_orphan_ended_inherited_spared);
	tcase_add_test(tc, test_inherited_zombie_kept);
	tcase_add_test(tc, test_nothing_keeps_errno);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(orphans_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
