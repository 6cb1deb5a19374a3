/*
 * check_lock.c - unit tests for lock.[ch]: a lock on a directory, a
 * second lock refused with EWOULDBLOCK naming the holder (this process:
 * flock locks belong to open file descriptions, not processes; or a
 * child), released by close and by the holder's death (SIGKILL), not
 * held by what the holder execs (O_CLOEXEC), errors for what is not a
 * directory.
 *
 * Children sync over pipes, never on sleeps.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

Suite *lock_suite(void);

static char tmpdir[PATH_MAX];

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_lock.XXXXXX",
		 t != NULL && *t == '/' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	signal(SIGPIPE, SIG_IGN);
}

static void
teardown(void)
{
	char *f = xasprintf("%s/file", tmpdir);

	unlink(f);
	free(f);
	rmdir(tmpdir);
}

/* Lock tmpdir, expecting it to work. */
static int
must_lock(const char *dir)
{
	pid_t holder = 4242;
	int fd = lock_dir(dir, &holder);

	ck_assert_msg(fd >= 0, "lock_dir %s: %s", dir, strerror(errno));
	ck_assert_int_eq(holder, 0);
	return fd;
}

/* Lock dir, expecting EWOULDBLOCK from holder `want`. */
static void
must_be_held(const char *dir, pid_t want)
{
	pid_t holder = 4242;
	int fd;

	errno = 0;
	fd = lock_dir(dir, &holder);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	ck_assert_int_eq(holder, want);
}

START_TEST(test_lock_release)
{
	int fd = must_lock(tmpdir), fd2;
	char *dot = xasprintf("%s/.", tmpdir);

	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	/* a second open file description in this process is refused */
	must_be_held(tmpdir, getpid());
	must_be_held(dot, getpid());            /* the same directory */
	/* a failed attempt leaves the lock alone */
	must_be_held(tmpdir, getpid());
	close(fd);
	fd2 = must_lock(dot);
	must_be_held(tmpdir, getpid());
	close(fd2);
	fd = must_lock(tmpdir);
	close(fd);
	free(dot);
}
END_TEST

START_TEST(test_not_a_directory)
{
	char *missing = xasprintf("%s/missing", tmpdir);
	char *deeper = xasprintf("%s/missing/deeper", tmpdir);
	char *file = xasprintf("%s/file", tmpdir);
	pid_t holder;
	int fd;

	holder = 4242;
	errno = 0;
	ck_assert_int_eq(lock_dir(missing, &holder), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(holder, 0);
	errno = 0;
	ck_assert_int_eq(lock_dir(deeper, &holder), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(lock_dir("", &holder), -1);
	ck_assert_int_eq(errno, ENOENT);

	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	holder = 4242;
	errno = 0;
	ck_assert_int_eq(lock_dir(file, &holder), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(holder, 0);
	free(missing);
	free(deeper);
	free(file);
}
END_TEST

/*
 * A child locks and says so, then waits for us: we are refused with
 * its pid as the holder. SIGKILL ends it, and the kernel's release of
 * the lock lets us take it.
 */
START_TEST(test_other_process)
{
	int ready[2], go[2], fd;
	pid_t pid;
	char c;
	int status;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pid_t h;

		close(ready[0]);
		close(go[1]);
		if (lock_dir(tmpdir, &h) < 0)
			_exit(1);
		if (write(ready[1], "L", 1) != 1)
			_exit(1);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	must_be_held(tmpdir, pid);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	fd = must_lock(tmpdir);
	close(fd);
	close(ready[0]);
	close(go[1]);
}
END_TEST

/*
 * What the holder runs does not hold the lock: a shell started while
 * we hold it says it is up, we close our fd, and the lock is free
 * while the shell still runs.
 */
START_TEST(test_exec_does_not_hold)
{
	int out[2], in[2], fd, status;
	pid_t pid;
	char line[8];

	fd = must_lock(tmpdir);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(in[0], 0) != 0 || dup2(out[1], 1) != 1)
			_exit(127);
		execl("/bin/sh", "sh", "-c", "echo up; read x", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(in[0]);
	ck_assert_int_eq(read(out[0], line, sizeof(line)), 3);
	ck_assert_int_eq(memcmp(line, "up\n", 3), 0);
	must_be_held(tmpdir, getpid());
	close(fd);
	fd = must_lock(tmpdir);                 /* the shell does not hold it */
	close(in[1]);                           /* let the shell end */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	close(out[0]);
	close(fd);
}
END_TEST

Suite *
lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lock_release);
	tcase_add_test(tc, test_not_a_directory);
	tcase_add_test(tc, test_other_process);
	tcase_add_test(tc, test_exec_does_not_hold);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lock_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
