/*
 * check_install.c - hookwave's git hook scripts: the script (stable
 * bytes, safe quoting of the fallback, stdin kept for both hooks of a
 * pre-push), what counts as hookwave's, install (new, unchanged,
 * brought up to date, a foreign hook refused or kept with force, a
 * foreign symlink kept as a link, a kept hook in the way), uninstall
 * (removed, put back, recovery of an interrupted one, foreign left
 * alone), and the fallback path of the running program.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "install.h"
#include "scratch.h"

static const char *tmpdir;

static void
setup(void)
{
	tmpdir = scratch_enter("check_install");
}

static void
teardown(void)
{
	scratch_leave();
}

/* The whole file, malloc'd (NULL when it cannot be read). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.p == NULL)
		return xstrdup("");
	return b.p;
}

static enum install_state
state(const char *path)
{
	enum install_state st;
	struct err e;

	ck_assert_int_eq(install_state_of(path, &st, &e), 0);
	return st;
}

START_TEST(test_script)
{
	char *a = install_script("pre-commit", "/opt/it's here/hookwave");
	char *b = install_script("pre-commit", "/opt/it's here/hookwave");
	char *p = install_script("pre-push", NULL);

	ck_assert_str_eq(a, b);
	ck_assert(strncmp(a, "#!/bin/sh\n" INSTALL_MARKER "\n", 11 + strlen(INSTALL_MARKER)) == 0);
	ck_assert_ptr_nonnull(strstr(a, "fb='/opt/it'\\''s here/hookwave'\n"));
	ck_assert_ptr_nonnull(strstr(a, "exec \"$hw\" --git-hook=pre-commit \"$@\"\n"));
	ck_assert_ptr_nonnull(strstr(a, "pre-commit.hookwave-old"));
	ck_assert_ptr_null(strstr(a, "printf"));        /* no stdin to share */
	ck_assert_ptr_nonnull(strstr(p, "fb=''\n"));
	ck_assert_ptr_nonnull(strstr(p, "| \"$old\" \"$@\" || exit $?"));
	ck_assert_ptr_nonnull(strstr(p, "| \"$hw\" --git-hook=pre-push \"$@\""));
	free(a);
	free(b);
	free(p);
}
END_TEST

/* The script runs: the fallback, stdin to both, the old hook's failure. */
START_TEST(test_script_runs)
{
	char *got;

	scratch_sh("mkdir -p hooks bin && printf '#!/bin/sh\\necho \"hw $*\" >> log; cat >> log\\n' > bin/hw &&"
		   " chmod +x bin/hw");
	{
		struct err e;
		enum install_result r;
		char *fb = xasprintf("%s/bin/hw", tmpdir);

		ck_assert_int_eq(install_hook("hooks", "pre-push", fb, 0, &r, &e), 0);
		ck_assert_int_eq(r, INSTALL_WRITTEN);
		free(fb);
	}
	scratch_sh("printf '#!/bin/sh\\necho \"old $*\" >> log; cat >> log; exit 3\\n' > hooks/pre-push.hookwave-old &&"
		   " chmod +x hooks/pre-push.hookwave-old");
	/* No hookwave in PATH: the fallback; the old hook fails first. */
	ck_assert_int_eq(system("printf 'line1\\nline2\\n\\n' | PATH=/usr/bin:/bin hooks/pre-push origin url") >> 8, 3);
	got = slurp("log");
	ck_assert_str_eq(got, "old origin url\nline1\nline2\n\n");
	free(got);
	scratch_sh("rm log && printf '#!/bin/sh\\ncat >> log\\n' > hooks/pre-push.hookwave-old");
	scratch_sh("printf 'line1\\nline2\\n\\n' | PATH=/usr/bin:/bin hooks/pre-push origin url");
	got = slurp("log");
	ck_assert_str_eq(got, "line1\nline2\n\nhw --git-hook=pre-push origin url\nline1\nline2\n\n");
	free(got);
	/* Neither: a line on stderr, exit 1; HOOKWAVE=0 lets it through. */
	scratch_sh("rm bin/hw");
	ck_assert_int_eq(system("PATH=/usr/bin:/bin hooks/pre-push </dev/null 2>err") >> 8, 1);
	got = slurp("err");
	ck_assert_ptr_nonnull(strstr(got, "hookwave: not found in PATH nor at "));
	free(got);
	ck_assert_int_eq(system("HOOKWAVE=0 PATH=/usr/bin:/bin hooks/pre-push </dev/null") >> 8, 0);
}
END_TEST

START_TEST(test_install_uninstall)
{
	struct err e;
	enum install_result r;
	enum uninstall_result u;
	char *one, *two;
	struct stat st;

	/* The directory is made; a new script is executable. */
	ck_assert_int_eq(install_hook("a/hooks", "pre-commit", "/x/hookwave", 0, &r, &e), 0);
	ck_assert_int_eq(r, INSTALL_WRITTEN);
	ck_assert_int_eq(stat("a/hooks/pre-commit", &st), 0);
	ck_assert(st.st_mode & S_IXUSR);
	ck_assert_int_eq(state("a/hooks/pre-commit"), INSTALL_OURS);
	ck_assert_int_eq(install_check("a/hooks", "pre-commit", &e), 0);
	one = slurp("a/hooks/pre-commit");
	ck_assert_int_eq(install_hook("a/hooks", "pre-commit", "/x/hookwave", 0, &r, &e), 0);
	ck_assert_int_eq(r, INSTALL_UNCHANGED);
	/* Ours with another fallback, or not executable: brought up to date. */
	ck_assert_int_eq(install_hook("a/hooks", "pre-commit", "/y/hookwave", 0, &r, &e), 0);
	ck_assert_int_eq(r, INSTALL_WRITTEN);
	scratch_sh("chmod a-x a/hooks/pre-commit");
	ck_assert_int_eq(install_hook("a/hooks", "pre-commit", "/x/hookwave", 0, &r, &e), 0);
	ck_assert_int_eq(r, INSTALL_WRITTEN);
	two = slurp("a/hooks/pre-commit");
	ck_assert_str_eq(one, two);
	ck_assert_int_eq(stat("a/hooks/pre-commit", &st), 0);
	ck_assert(st.st_mode & S_IXUSR);
	free(one);
	free(two);
	ck_assert_int_eq(uninstall_hook("a/hooks", "pre-commit", &u, &e), 0);
	ck_assert_int_eq(u, UNINSTALL_REMOVED);
	ck_assert_int_eq(state("a/hooks/pre-commit"), INSTALL_ABSENT);
	ck_assert_int_eq(uninstall_hook("a/hooks", "pre-commit", &u, &e), 0);
	ck_assert_int_eq(u, UNINSTALL_NONE);
}
END_TEST

START_TEST(test_foreign)
{
	struct err e;
	enum install_result r;
	enum uninstall_result u;
	char *got;

	scratch_sh("mkdir hooks && printf '#!/bin/sh\\n# mine\\n' > hooks/pre-commit && cp hooks/pre-commit orig");
	ck_assert_int_eq(state("hooks/pre-commit"), INSTALL_FOREIGN);
	/* The marker elsewhere than on line 2 does not make it ours. */
	scratch_sh("printf '#!/bin/sh\\n\\n%%s\\n' '%s' > other", INSTALL_MARKER);
	ck_assert_int_eq(state("other"), INSTALL_FOREIGN);
	ck_assert_int_eq(install_check("hooks", "pre-commit", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "hooks/pre-commit: a hook hookwave did not write"));
	ck_assert_int_eq(install_hook("hooks", "pre-commit", NULL, 0, &r, &e), -1);
	ck_assert_int_eq(errno, EEXIST);
	scratch_sh("cmp -s hooks/pre-commit orig && test ! -e hooks/pre-commit.hookwave-old");
	/* Foreign and not ours: uninstall leaves it. */
	ck_assert_int_eq(uninstall_hook("hooks", "pre-commit", &u, &e), 0);
	ck_assert_int_eq(u, UNINSTALL_FOREIGN);
	scratch_sh("cmp -s hooks/pre-commit orig");
	/* force: kept, then ours. */
	ck_assert_int_eq(install_hook("hooks", "pre-commit", NULL, 1, &r, &e), 0);
	ck_assert_int_eq(r, INSTALL_KEPT_OLD);
	scratch_sh("cmp -s hooks/pre-commit.hookwave-old orig");
	ck_assert_int_eq(state("hooks/pre-commit"), INSTALL_OURS);
	/* Installed over again: nothing moves. */
	ck_assert_int_eq(install_hook("hooks", "pre-commit", NULL, 1, &r, &e), 0);
	ck_assert_int_eq(r, INSTALL_UNCHANGED);
	/* Another foreign hook over ours while one is kept: refused. */
	scratch_sh("printf 'x\\n' > hooks/pre-commit");
	ck_assert_int_eq(install_hook("hooks", "pre-commit", NULL, 1, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "already there"));
	got = slurp("hooks/pre-commit");
	ck_assert_str_eq(got, "x\n");
	free(got);
	scratch_sh("rm hooks/pre-commit");
	/* Script gone, kept hook there (an interrupted uninstall): put back. */
	ck_assert_int_eq(uninstall_hook("hooks", "pre-commit", &u, &e), 0);
	ck_assert_int_eq(u, UNINSTALL_RESTORED);
	scratch_sh("cmp -s hooks/pre-commit orig && test ! -e hooks/pre-commit.hookwave-old");
	/* And the normal way: removed, kept hook back. */
	ck_assert_int_eq(install_hook("hooks", "pre-commit", NULL, 1, &r, &e), 0);
	ck_assert_int_eq(uninstall_hook("hooks", "pre-commit", &u, &e), 0);
	ck_assert_int_eq(u, UNINSTALL_RESTORED);
	scratch_sh("cmp -s hooks/pre-commit orig && test ! -e hooks/pre-commit.hookwave-old");
}
END_TEST

START_TEST(test_foreign_symlink)
{
	struct err e;
	enum install_result r;
	enum uninstall_result u;
	char target[64];
	ssize_t n;

	/* A hook that links to a script of the project: the link is kept as
	   a link, and the script it points at is never written. */
	scratch_sh("mkdir hooks && printf '#!/bin/sh\\n' > script && cp script orig &&"
		   " ln -s ../script hooks/pre-commit");
	ck_assert_int_eq(state("hooks/pre-commit"), INSTALL_FOREIGN);
	ck_assert_int_eq(install_hook("hooks", "pre-commit", NULL, 1, &r, &e), 0);
	n = readlink("hooks/pre-commit.hookwave-old", target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, "../script");
	scratch_sh("cmp -s script orig && test ! -L hooks/pre-commit");
	ck_assert_int_eq(uninstall_hook("hooks", "pre-commit", &u, &e), 0);
	ck_assert_int_eq(u, UNINSTALL_RESTORED);
	n = readlink("hooks/pre-commit", target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, "../script");
}
END_TEST

START_TEST(test_self_path)
{
	char exe[PATH_MAX], *p, *dir, *want;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	/* An absolute argv[0] naming this program: as given, links kept. */
	scratch_sh("ln -s '%s' link", exe);
	dir = xasprintf("%s/link", tmpdir);
	p = install_self_path(dir, "/nowhere");
	ck_assert_str_eq(p, dir);
	free(p);
	/* Relative: made absolute from the directory given. */
	p = install_self_path("./link", tmpdir);
	want = xasprintf("%s/./link", tmpdir);
	ck_assert_str_eq(p, want);
	free(want);
	free(p);
	/* A bare name: found in PATH. */
	want = xasprintf("/nonexistent:%s", tmpdir);
	setenv("PATH", want, 1);
	free(want);
	p = install_self_path("link", NULL);
	setenv("PATH", "/usr/bin:/bin", 1);
	ck_assert_str_eq(p, dir);
	free(p);
	/* A name that is some other program: /proc/self/exe instead. */
	scratch_sh("printf '#!/bin/sh\\n' > other && chmod +x other");
	want = xasprintf("%s/other", tmpdir);
	p = install_self_path(want, NULL);
	free(want);
	ck_assert_str_eq(p, exe);
	free(p);
	p = install_self_path("no-such-name", NULL);
	ck_assert_str_eq(p, exe);
	free(p);
	free(dir);
}
END_TEST

static Suite *
install_suite(void)
{
	Suite *s = suite_create("install");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_script);
	tcase_add_test(tc, test_script_runs);
	tcase_add_test(tc, test_install_uninstall);
	tcase_add_test(tc, test_foreign);
	tcase_add_test(tc, test_foreign_symlink);
	tcase_add_test(tc, test_self_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(install_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
