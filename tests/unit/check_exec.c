/*
 * check_exec.c - unit tests for exec.[ch]: one batch of a hook run as
 * a real process and its status: passed, failed with the exit code, a
 * signal, the shell's 126 and 127, a plain command not found (as sh
 * would say it), a script without #! run directly, a bad cwd, a
 * timeout, and files passed as arguments.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "exec.h"
#include "launch.h"
#include "plan.h"

Suite *exec_suite(void);

extern char **environ;

static char dir[] = "/tmp/check_exec.XXXXXX";
static char old[4096];

static void
setup(void)
{
	strcpy(dir, "/tmp/check_exec.XXXXXX");
	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
}

static void
teardown(void)
{
	char cmd[4200];

	ck_assert_int_eq(chdir(old), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run hook 0 of `ini` once (with `files`, or none) into *r; its output
   rendered into out (static). */
static const char *
run1(const char *ini, char **files, struct batch_result *r)
{
	static char out[8192];
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct launches l;
	struct conf c;
	struct plan p;
	struct batches b[2];
	struct exec_ctx ctx;
	struct err e;
	char *text, **one[1];
	size_t len;

	conf_init(&c);
	ck_assert_msg(conf_parse(&c, "t.ini", ini, strlen(ini), &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(plan_build(&p, &c, &o, &e), 0);
	launch_build(&l, &p, environ);
	memset(&ctx, 0, sizeof(ctx));
	ctx.launches = &l;
	ctx.cancel_fd = -1;
	ctx.kill_fd = -1;
	memset(b, 0, sizeof(b));
	if (files != NULL) {
		one[0] = files;
		b[0].n = 1;
		b[0].files = one;
		ctx.batches = b;
	}
	memset(r, 0, sizeof(*r));
	output_init(&r->out, 1 << 20);
	exec_batch(&ctx, &p, 0, 0, 0, r);
	text = output_render(&r->out, &len);
	snprintf(out, sizeof(out), "%s", text);
	free(text);
	output_release(&r->out);
	launch_release(&l);
	plan_release(&p);
	conf_release(&c);
	return out;
}

START_TEST(test_statuses)
{
	struct batch_result r;
	const char *out;

	out = run1("[hook h]\ncommand = echo hi; echo err >&2\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_PASSED);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_str_eq(out, "hi\nerr\n");
	ck_assert(r.start > 0 && r.duration >= 0);
	free(r.reason);

	run1("[hook h]\ncommand = exit 3\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_FAILED);
	ck_assert_int_eq(r.exit_code, 3);
	free(r.reason);

	run1("[hook h]\ncommand = kill -USR1 $$\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_FAILED);
	ck_assert_int_eq(r.signal, SIGUSR1);
	free(r.reason);

	run1("[hook h]\ncommand = exit 126\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_ERROR);
	ck_assert_str_eq(r.reason, "command not executable");
	free(r.reason);

	run1("[hook h]\ncommand = x=1; hookwave-no-such-command\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_ERROR);
	ck_assert_int_eq(r.exit_code, 127);
	ck_assert_str_eq(r.reason, "command not found");
	free(r.reason);
}
END_TEST

/* Run directly, a command that is not there says what sh would. */
START_TEST(test_direct_not_found)
{
	struct batch_result r;
	const char *out;

	out = run1("[hook h]\ncommand = hookwave-no-such-command --flag\n",
		   NULL, &r);
	ck_assert_int_eq(r.status, HOOK_ERROR);
	ck_assert_int_eq(r.exit_code, 127);
	ck_assert_str_eq(r.reason, "command not found");
	ck_assert_str_eq(out, "hookwave: hookwave-no-such-command: command not found\n");
	free(r.reason);
}
END_TEST

/* A script without #! (ENOEXEC when run directly) runs through sh. */
START_TEST(test_script_without_shebang)
{
	char *files[] = { (char *)"one", (char *)"two words", NULL };
	struct batch_result r;
	const char *out;
	FILE *f = fopen("noshebang", "w");

	ck_assert_ptr_nonnull(f);
	fputs("printf '<%s>' \"$@\"; echo\n", f);
	fclose(f);
	ck_assert_int_eq(chmod("noshebang", 0755), 0);
	out = run1("[hook h]\ncommand = ./noshebang -v\nfiles = *\n", files,
		   &r);
	ck_assert_int_eq(r.status, HOOK_PASSED);
	ck_assert_str_eq(out, "<-v><one><two words>\n");
	free(r.reason);
}
END_TEST

START_TEST(test_files_are_arguments)
{
	char *files[] = { (char *)"a;b", (char *)"$(x)", (char *)"-n", NULL };
	struct batch_result r;
	const char *out;

	out = run1("[hook h]\ncommand = printf '[%s]'\nfiles = *\n", files, &r);
	ck_assert_int_eq(r.status, HOOK_PASSED);
	ck_assert_str_eq(out, "[a;b][$(x)][-n]");
	free(r.reason);
}
END_TEST

START_TEST(test_bad_cwd)
{
	struct batch_result r;

	run1("[hook h]\ncommand = true\ncwd = missing\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_ERROR);
	ck_assert_ptr_nonnull(strstr(r.reason, "bad cwd 'missing'"));
	free(r.reason);
}
END_TEST

START_TEST(test_timeout)
{
	struct batch_result r;

	run1("[hook h]\ncommand = exec sleep 30\ntimeout = 1\n", NULL, &r);
	ck_assert_int_eq(r.status, HOOK_TIMEOUT);
	ck_assert(r.duration >= 1 && r.duration < 25);
	free(r.reason);
}
END_TEST

Suite *
exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc = tcase_create("batch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_direct_not_found);
	tcase_add_test(tc, test_script_without_shebang);
	tcase_add_test(tc, test_files_are_arguments);
	tcase_add_test(tc, test_bad_cwd);
	tcase_add_test(tc, test_timeout);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(exec_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
