/*
 * check_guardian.c - unit tests for guardian.[ch]: the groups it was
 * told of, and only those still alive by its notes, are ended when the
 * socket closes without the clean-end note; a clean stop ends nothing;
 * the hooks' pipes are read once hookwave is gone; a held fd (the
 * --lock flock) stays held until the groups are gone.
 *
 * "hookwave dies" is played by closing our end of the socket without
 * guardian_stop(): the guardian sees EOF exactly as after a SIGKILL.
 * The test's sleepers are its own children: it reaps them itself (the
 * guardian waits for their groups to be gone, zombies included).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
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

/* Play hookwave's death: the guardian sees EOF. */
static void
die(struct guardian *g)
{
	close(g->fd);
	g->fd = -1;
}

/* Wait for the guardian to be done; it must exit 0. */
static void
guardian_gone(struct guardian *g)
{
	int status;

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
	guardian_note(&g, a, 1, -1);
	guardian_note(&g, b, 1, -1);
	guardian_note(&g, c, 1, -1);
	guardian_note(&g, b, 0, -1);        /* b is over, as far as it knows */
	die(&g);
	ck_assert_int_eq(ended_by(a, 1), SIGTERM);
	ck_assert_int_eq(ended_by(c, 1), SIGTERM);
	guardian_gone(&g);
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
	guardian_note(&g, a, 1, -1);
	die(&g);
	ck_assert_int_eq(ended_by(a, 1), SIGKILL);
	guardian_gone(&g);
}
END_TEST

/* A clean end: nothing is signalled, and the guardian is reaped. */
START_TEST(test_clean_stop)
{
	struct guardian g;
	pid_t a = sleeper(0);

	ck_assert_int_eq(guardian_start(&g, 1.0), 0);
	guardian_note(&g, a, 1, -1);
	guardian_stop(&g);
	ck_assert_int_eq(g.fd, -1);
	ck_assert_int_eq(g.pid, 0);
	ck_assert_int_eq(ended_by(a, 0), 0);
	kill(a, SIGKILL);
	ck_assert_int_eq(ended_by(a, 1), SIGKILL);
	/* Stopping twice, or noting after, is harmless. */
	guardian_stop(&g);
	guardian_note(&g, a, 1, -1);
	guardian_note(NULL, a, 1, -1);
}
END_TEST

/*
 * The fds a process has open, from /proc; *has is set when one of them
 * is `target` (a path such as /dev/null).
 */
static int
fds_of(pid_t pid, const char *target, int *has)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	DIR *d;
	ssize_t len;
	int n = 0;

	*has = 0;
	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/%ld/fd/%s", (long)pid,
		    e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			*has |= strcmp(link, target) == 0;
		}
	}
	closedir(d);
	return n;
}

/* Sleep a few milliseconds (only in poll-until loops). */
static void
nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * Many notes in a burst, each start with a pipe: none lost, and the
 * guardian closes each pipe when its group is done (its fds stay few).
 */
START_TEST(test_many_notes)
{
	struct guardian g;
	pid_t a = sleeper(0);
	int i, k, p[2], null, has = 0, n = 0;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(null, 0);
	ck_assert_int_eq(guardian_start(&g, 1.0), 0);
	for (i = 0; i < 20000; i++) {
		guardian_note(&g, 100000 + i, 1, p[0]);
		guardian_note(&g, 100000 + i, 0, -1);
	}
	guardian_note(&g, a, 1, -1);
	/* Notes are read in order: once the held /dev/null shows up in the
	   guardian, every pipe before it has come and gone. */
	ck_assert_int_eq(guardian_hold(&g, null), 0);
	for (k = 0; k < 3000 && !has; k++) {
		n = fds_of(g.pid, "/dev/null", &has);
		if (!has)
			nap();
	}
	ck_assert(has);
	ck_assert_int_eq(n, 2);         /* its socket and the held fd */
	die(&g);
	ck_assert_int_eq(ended_by(a, 1), SIGTERM);
	guardian_gone(&g);
	close(p[0]);
	close(p[1]);
	close(null);
}

/*
 * After hookwave's death its hooks' pipes have the guardian as reader:
 * a hook whose TERM trap prints more than a pipe holds finishes its
 * cleanup (exit 0) instead of dying of SIGPIPE, or blocking until the
 * SIGKILL.
 */
static volatile sig_atomic_t termed;

static void
on_term(int sig)
{
	(void)sig;
	termed = 1;
}

START_TEST(test_drains_pipes)
{
	static char block[4096];
	struct guardian g;
	sigset_t all, old;
	int p[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sigaction sa;
		int i;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		close(p[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		while (!termed)
			pause();
		memset(block, 'x', sizeof(block));
		for (i = 0; i < 256; i++)       /* 1 MiB */
			if (write(p[1], block, sizeof(block)) < 0)
				_exit(3);
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	(void)setpgid(pid, pid);
	close(p[1]);
	ck_assert_int_eq(guardian_start(&g, 30.0), 0);
	guardian_note(&g, pid, 1, p[0]);
	close(p[0]);            /* hookwave's read end goes with it */
	die(&g);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the hook ended with status 0x%x, not exit 0", status);
	guardian_gone(&g);
}
END_TEST

/*
 * A held fd stays open in the guardian until the groups it ends are
 * gone: a flock on it (--lock) is held after hookwave's death while a
 * hook that ignores SIGTERM waits for its SIGKILL, and even while that
 * hook is a zombie, and is free once it has been reaped.
 */
static int
locked_by_other(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	ck_assert_int_ge(fd, 0);
	r = flock(fd, LOCK_EX | LOCK_NB);
	ck_assert(r == 0 || errno == EWOULDBLOCK);
	close(fd);
	return r != 0;
}

START_TEST(test_hold_lock)
{
	char dir[PATH_MAX];
	const char *base = getenv("TMPDIR");
	struct guardian g;
	siginfo_t si;
	pid_t a;
	int lfd;

	snprintf(dir, sizeof(dir), "%s/check_guardian.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	lfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(flock(lfd, LOCK_EX | LOCK_NB), 0);
	a = sleeper(1);
	ck_assert_int_eq(guardian_start(&g, 3.0), 0);
	ck_assert_int_eq(guardian_hold(&g, lfd), 0);
	guardian_note(&g, a, 1, -1);
	close(lfd);             /* hookwave's own copy dies with it */
	die(&g);
	ck_assert(locked_by_other(dir));
	/* The SIGKILL comes after the grace; a zombie still counts. */
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid(P_PID, (id_t)a, &si, WEXITED | WNOWAIT), 0);
	ck_assert_int_eq(si.si_status, SIGKILL);
	ck_assert(locked_by_other(dir));
	ck_assert_int_eq(ended_by(a, 1), SIGKILL);
	guardian_gone(&g);
	ck_assert(!locked_by_other(dir));
	rmdir(dir);
	/* No guardian, or no fd: nothing to hold. */
	ck_assert_int_eq(guardian_hold(&g, 0), -1);
	ck_assert_int_eq(errno, EBADF);
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
	tcase_add_test(tc, test_drains_pipes);
	tcase_add_test(tc, test_hold_lock);
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
