/*
 * check_session.c - unit tests for session.[ch]: the exit status rules,
 * and whole runs of small plans with real processes: the live report
 * on a given fd, report files, messages through `say`, a listing
 * failure, and a signal that ends the run (128+N).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "plan.h"
#include "session.h"

Suite *session_suite(void);

static char dir[] = "/tmp/check_session.XXXXXX";
static char old_cwd[PATH_MAX];
static char said[4096];

static void
collect(const struct err *e)
{
	size_t n = strlen(said);

	/* As main.c prints it: "hookwave: FILE:LINE: message". */
	err_format(e, said + n, sizeof(said) - n);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(getcwd(old_cwd, sizeof(old_cwd)));
	strcpy(dir, "/tmp/check_session.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	said[0] = '\0';
	unsetenv("HOOKWAVE_SKIP");
	unsetenv("HOOKWAVE_LOG");
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	ck_assert_int_eq(chdir(old_cwd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The whole content of a file, malloc'd ("" if missing). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *p = calloc(1, 1 << 20);
	size_t n = 0;

	ck_assert_ptr_nonnull(p);
	if (f != NULL) {
		n = fread(p, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	p[n] = '\0';
	return p;
}

/* Run `ini` with these arguments; the live report goes to file "out". */
static int
run(const char *ini, int argc, char **argv)
{
	struct cli_options o;
	struct conf c;
	struct plan p;
	struct session s;
	struct err e;
	int fd, status;

	ck_assert_int_eq(cli_parse(argc, argv, &o, &e), CLI_OK);
	conf_init(&c);
	ck_assert_msg(conf_parse(&c, "t.ini", ini, strlen(ini), &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(plan_build(&p, &c, &o.plan, &e), 0);
	if (session_prepare(&s, &c, &p, &o, collect, &e) != 0) {
		collect(&e);
		status = EXIT_USAGE;
	} else {
		fd = open("out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		ck_assert_int_ge(fd, 0);
		s.out_fd = fd;
		status = session_run(&s);
		close(fd);
	}
	session_release(&s);
	plan_release(&p);
	conf_release(&c);
	cli_release(&o);
	return status;
}

START_TEST(test_exit_status)
{
	struct hook_result r[3];

	memset(r, 0, sizeof(r));
	r[0].status = HOOK_PASSED;
	r[1].status = HOOK_SKIPPED;
	r[1].skip = SKIP_NO_FILES;
	r[2].status = HOOK_SKIPPED;
	r[2].skip = SKIP_DISABLED;
	ck_assert_int_eq(session_exit_status(r, 3, 0), EXIT_PASS);
	ck_assert_int_eq(session_exit_status(r, 0, 0), EXIT_PASS);
	ck_assert_int_eq(session_exit_status(r, 3, SIGINT), 130);
	r[2].skip = SKIP_DEPENDENCY;
	ck_assert_int_eq(session_exit_status(r, 3, 0), EXIT_FAIL);
	r[2].skip = SKIP_STOPPED;
	ck_assert_int_eq(session_exit_status(r, 3, 0), EXIT_FAIL);
	r[2].status = HOOK_TIMEOUT;
	ck_assert_int_eq(session_exit_status(r, 3, 0), EXIT_FAIL);
	r[2].status = HOOK_ERROR;
	ck_assert_int_eq(session_exit_status(r, 3, 0), EXIT_FAIL);
	ck_assert_int_eq(session_exit_status(r, 3, SIGTERM), 143);
}
END_TEST

START_TEST(test_run_passes)
{
	char *argv[] = { (char *)"hookwave", (char *)"--no-history", (char *)"-f", (char *)"json", (char *)"-o",
			 (char *)"r.xml", (char *)"--timeline=t.json", NULL };
	char *out, *rep;
	int status;

	status = run("[hook a]\ncommand = echo hi > a.txt\n"
		     "[hook b]\ncommand = cat a.txt\ndepends = a\n", 7, argv);
	ck_assert_int_eq(status, EXIT_PASS);
	ck_assert_str_eq(said, "");
	out = slurp("out");
	ck_assert_ptr_nonnull(strstr(out, "{\"type\":\"hook\",\"name\":\"a\","));
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"b\",\"strategy\":\"default\",\"wave\":2,\"status\":\"passed\""));
	ck_assert_ptr_nonnull(strstr(out, "\"exit_code\":0}\n"));
	rep = slurp("r.xml");
	ck_assert_ptr_nonnull(strstr(rep, "<testsuites"));
	free(rep);
	rep = slurp("t.json");
	ck_assert_ptr_nonnull(strstr(rep, "\"traceEvents\""));
	free(rep);
	free(out);
}
END_TEST

START_TEST(test_run_fails)
{
	char *argv[] = { (char *)"hookwave", (char *)"--no-history", NULL };
	char *out;

	ck_assert_int_eq(run("[hook bad]\ncommand = echo oops; exit 3\n"
			     "[hook after]\ncommand = true\ndepends = bad\n",
			     2, argv), EXIT_FAIL);
	out = slurp("out");
	ck_assert_ptr_nonnull(strstr(out, "oops"));
	ck_assert_ptr_nonnull(strstr(out, "dependency bad failed"));
	free(out);
}
END_TEST

/* A report file that cannot be written: said, and exit 2. */
START_TEST(test_report_file_fails)
{
	char *argv[] = { (char *)"hookwave", (char *)"--no-history", (char *)"-o", (char *)"no/such/dir/r.json",
			 NULL };

	ck_assert_int_eq(run("[hook a]\ncommand = true\n", 4, argv), EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(said, "no/such/dir/r.json"));
}
END_TEST

/* The listing fails: session_prepare says why; nothing runs. */
START_TEST(test_listing_fails)
{
	char *argv[] = { (char *)"hookwave", (char *)"--no-history", (char *)"--files=missing", NULL };

	ck_assert_int_eq(run("[hook a]\ncommand = touch ran\nfiles = *\n", 3,
			     argv), EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(said, "missing"));
	ck_assert_int_ne(access("ran", F_OK), 0);
}
END_TEST

/* A hook that sends its parent (the session) SIGTERM ends the run: 143. */
START_TEST(test_signal_ends_run)
{
	char *argv[] = { (char *)"hookwave", (char *)"--no-history", (char *)"-f", (char *)"json", NULL };
	char *out;

	ck_assert_int_eq(run("[hook k]\ncommand = kill -TERM $PPID; sleep 30\n"
			     "[hook later]\ncommand = touch ran\ndepends = k\n",
			     4, argv), 128 + SIGTERM);
	ck_assert_int_ne(access("ran", F_OK), 0);
	out = slurp("out");
	ck_assert_ptr_nonnull(strstr(out, "\"reason\":\"interrupted\""));
	ck_assert_ptr_nonnull(strstr(out, "\"exit_code\":143}"));
	free(out);
}
END_TEST

Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("status");

	tcase_add_test(tc, test_exit_status);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_run_passes);
	tcase_add_test(tc, test_run_fails);
	tcase_add_test(tc, test_report_file_fails);
	tcase_add_test(tc, test_listing_fails);
	tcase_add_test(tc, test_signal_ends_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(session_suite());
	int failed;

	/* Signal handling is process-wide: a process per test. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
