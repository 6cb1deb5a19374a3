/*
 * check_launch.c - unit tests for launch.[ch]: a hook's environment
 * (what is kept, overridden, ignored, added, in order), when a command
 * runs directly, the argv of each form, the argument budget, and the
 * directory a cwd names for choosing files.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "files.h"
#include "launch.h"
#include "plan.h"

Suite *launch_suite(void);

static struct conf conf;
static struct plan plan;
static struct launches launches;

static void
build(const char *text, char **environ_)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;

	conf_init(&conf);
	ck_assert_msg(conf_parse(&conf, "t.ini", text, strlen(text), &e) == 0,
		      "line %lu: %s", e.line, e.msg);
	ck_assert_msg(plan_build(&plan, &conf, &o, &e) == 0, "%s", e.msg);
	launch_build(&launches, &plan, environ_);
}

static void
unbuild(void)
{
	launch_release(&launches);
	plan_release(&plan);
	conf_release(&conf);
}

/* The environment as one string, entries joined by '|', PWD left out. */
static char *
env_text(char **env)
{
	static char buf[4096];
	size_t i;

	buf[0] = '\0';
	for (i = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], "PWD=", 4) == 0)
			continue;
		if (buf[0] != '\0')
			strcat(buf, "|");
		strcat(buf, env[i]);
	}
	return buf;
}

START_TEST(test_environment)
{
	char *base[] = { (char *)"A=1", (char *)"PATH=/usr/bin:/bin",
			 (char *)"HOOKWAVE_HOOK=spoof", (char *)"PWD=/nowhere",
			 (char *)"B=2", (char *)"AB=x", NULL };
	const char *pwd = NULL;
	size_t i;

	build("[hook h]\ncommand = true\nenv = B=3\nenv = A=4\nenv = A=5\n"
	      "env = HOOKWAVE_WAVE=9\nenv = PWD=/x\n"
	      "[hook g]\ncommand = true\ndepends = h\nstrategy = default\n",
	      base);
	ck_assert_str_eq(env_text(launches.v[0].env),
			 "PATH=/usr/bin:/bin|AB=x|B=3|A=5|HOOKWAVE_HOOK=h|"
			 "HOOKWAVE_STRATEGY=default|HOOKWAVE_WAVE=1");
	ck_assert_str_eq(env_text(launches.v[1].env),
			 "A=1|PATH=/usr/bin:/bin|B=2|AB=x|HOOKWAVE_HOOK=g|"
			 "HOOKWAVE_STRATEGY=default|HOOKWAVE_WAVE=2");
	/* PWD is the run directory, whatever the environment said. */
	for (i = 0; launches.v[0].env[i] != NULL; i++)
		if (strncmp(launches.v[0].env[i], "PWD=", 4) == 0)
			pwd = launches.v[0].env[i] + 4;
	ck_assert_ptr_nonnull(pwd);
	{
		char here[PATH_MAX];
		struct stat a, b;

		ck_assert_ptr_nonnull(getcwd(here, sizeof(here)));
		ck_assert_int_eq(stat(pwd, &a), 0);
		ck_assert_int_eq(stat(here, &b), 0);
		ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	}
	/* Borrowed, not copied: the very strings of the base. */
	ck_assert_ptr_eq(launches.v[1].env[0], base[0]);
	unbuild();
}
END_TEST

START_TEST(test_direct_or_shell)
{
	char *with_path[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	char *no_path[] = { (char *)"A=1", NULL };

	build("[hook plain]\ncommand = ls -l\n"
	      "[hook builtin]\ncommand = echo -e x\n"
	      "[hook quoted]\ncommand = grep 'a b'\n"
	      "[hook own_path]\ncommand = ls\nenv = PATH=/opt\n", with_path);
	ck_assert_ptr_nonnull(launches.v[0].words);
	ck_assert_uint_eq(launches.v[0].nwords, 2);
	ck_assert_str_eq(launches.v[0].words[1], "-l");
	ck_assert_ptr_null(launches.v[1].words);
	ck_assert_ptr_null(launches.v[2].words);
	ck_assert_ptr_null(launches.v[3].words);  /* the shell's PATH */
	unbuild();
	build("[hook plain]\ncommand = ls -l\n", no_path);
	ck_assert_ptr_null(launches.v[0].words);
	unbuild();
}
END_TEST

static void
assert_argv(const struct launch_argv *a, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_ptr_nonnull(a->argv[i]);
		ck_assert_str_eq(a->argv[i], want[i]);
	}
	ck_assert_ptr_null(a->argv[i]);
}

START_TEST(test_argv_forms)
{
	char *env[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	char *files[] = { (char *)"a b.py", (char *)"-x", NULL };
	struct launch_argv a;

	build("[hook plain]\ncommand = wc -l\nfiles = *\n"
	      "[hook sh]\ncommand = cat | wc\nfiles = *\n"
	      "[hook nofiles]\ncommand = echo hi\n", env);

	ck_assert_int_eq(launch_argv(&launches.v[0], files, 2, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "wc", "-l", "a b.py", "-x", NULL });
	ck_assert_str_eq(a.path, "wc");
	ck_assert(a.search_path);
	launch_argv_release(&a);
	/* The fallback for a script without #!: the same through sh. */
	ck_assert_int_eq(launch_argv(&launches.v[0], files, 2, 1, &a), 0);
	assert_argv(&a, (const char *[]){ "/bin/sh", "-c", "wc -l \"$@\"",
					  "hookwave", "a b.py", "-x", NULL });
	ck_assert_str_eq(a.path, "/bin/sh");
	ck_assert(!a.search_path);
	launch_argv_release(&a);

	ck_assert_int_eq(launch_argv(&launches.v[1], files, 1, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "/bin/sh", "-c", "cat | wc \"$@\"",
					  "hookwave", "a b.py", NULL });
	launch_argv_release(&a);

	ck_assert_int_eq(launch_argv(&launches.v[2], NULL, 0, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "/bin/sh", "-c", "echo hi", NULL });
	launch_argv_release(&a);
	unbuild();
}
END_TEST

/*
 * A launcher's words come before the hook's argv, direct or through sh;
 * the hook's own launcher wins over its strategy's; launcher_shell
 * makes the hook's argv one line a shell splits back.
 */
START_TEST(test_argv_launcher)
{
	char *env[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	char *files[] = { (char *)"a b.py", (char *)"it's", NULL };
	struct launch_argv a;

	build("[strategy remote]\nlauncher = srun --ntasks=1 --\n"
	      "[hook plain]\nstrategy = remote\ncommand = wc -l\nfiles = *\n"
	      "[hook sh]\nstrategy = remote\ncommand = cat | wc\n"
	      "[hook own]\nstrategy = remote\ncommand = echo hi\n"
	      "launcher = ssh -o 'BatchMode yes' \"host\"\nlauncher_shell = yes\n"
	      "[hook shfiles]\nstrategy = remote\nlauncher_shell = yes\n"
	      "command = wc -l\nfiles = *\n"
	      "[hook none]\ncommand = true\n", env);

	ck_assert_int_eq(launch_argv(&launches.v[0], files, 2, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "srun", "--ntasks=1", "--", "wc",
					  "-l", "a b.py", "it's", NULL });
	ck_assert_str_eq(a.path, "srun");
	ck_assert(a.search_path);
	launch_argv_release(&a);

	ck_assert_int_eq(launch_argv(&launches.v[1], NULL, 0, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "srun", "--ntasks=1", "--",
					  "/bin/sh", "-c", "cat | wc", NULL });
	launch_argv_release(&a);

	ck_assert_int_eq(launch_argv(&launches.v[2], NULL, 0, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "ssh", "-o", "BatchMode yes", "host",
					  "/bin/sh -c 'echo hi'", NULL });
	launch_argv_release(&a);

	ck_assert_int_eq(launch_argv(&launches.v[3], files, 2, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "srun", "--ntasks=1", "--",
					  "wc -l 'a b.py' 'it'\\''s'", NULL });
	ck_assert_ptr_eq(a.argv[3], a.joined);
	launch_argv_release(&a);

	ck_assert_int_eq(launch_argv(&launches.v[4], NULL, 0, 0, &a), 0);
	assert_argv(&a, (const char *[]){ "/bin/sh", "-c", "true", NULL });
	ck_assert_ptr_null(a.joined);
	launch_argv_release(&a);
	unbuild();
}
END_TEST

/*
 * With launcher_shell the files are quoted into one argument: the
 * budget, counted per file as files_arg_budget does, is a quarter of
 * what is left of Linux's limit on one argument.
 */
START_TEST(test_budget_launcher_shell)
{
	char *env[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	size_t b;

	build("[hook q]\ncommand = wc -l\nfiles = *\n"
	      "launcher = ssh host\nlauncher_shell = yes\n"
	      "[hook r]\ncommand = wc -l\nfiles = *\nlauncher = ssh host\n", env);
	b = launch_budget(&launches.v[0]);
	ck_assert_uint_gt(b, 0);
	ck_assert_uint_le(4 * b + strlen("/bin/sh -c 'wc -l \"$@\"' hookwave"),
			  LAUNCH_ARG_STRLEN);
	ck_assert_uint_gt(launch_budget(&launches.v[1]), 4 * b);
	unbuild();
}
END_TEST

/* The budget is what files_arg_budget leaves with the longer prefix. */
START_TEST(test_budget)
{
	char *env[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	char *sh[] = { (char *)"/bin/sh", (char *)"-c",
		       (char *)"wc -l \"$@\"", (char *)"hookwave", NULL };
	char *big = malloc(100001);
	char text[256];
	size_t small;

	build("[hook plain]\ncommand = wc -l\nfiles = *\n", env);
	small = launch_budget(&launches.v[0]);
	ck_assert_uint_eq(small, files_arg_budget(launches.v[0].env, sh));
	unbuild();

	/* 100 kB more environment: 100 kB less room for files. */
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	memcpy(big, "BIG=", 4);
	snprintf(text, sizeof(text), "[hook plain]\ncommand = wc -l\nfiles = *\n");
	{
		char *env2[] = { (char *)"PATH=/usr/bin:/bin", big, NULL };

		build(text, env2);
		ck_assert_uint_eq(small - launch_budget(&launches.v[0]),
				  100000 + 1 + sizeof(char *));
		unbuild();
	}
	free(big);
}
END_TEST

/* Every spelling of a directory below the run directory is the same. */
START_TEST(test_subdir)
{
	char dir[] = "/tmp/check_launch.XXXXXX", old[PATH_MAX], text[512];
	char *env[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	static const char *const spell[] = {
		"sub/inner", "sub/inner/.", "sub//inner", "./sub/inner",
		"sub/inner/../inner", "sub/../sub/inner"
	};
	size_t i;

	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	ck_assert_int_eq(mkdir("sub/inner", 0755), 0);
	for (i = 0; i < sizeof(spell) / sizeof(spell[0]); i++) {
		snprintf(text, sizeof(text),
			 "[hook h]\ncommand = true\nfiles = *\ncwd = %s\n",
			 spell[i]);
		build(text, env);
		ck_assert_msg(launches.v[0].subdir != NULL &&
			      strcmp(launches.v[0].subdir, "sub/inner") == 0,
			      "cwd %s gave '%s'", spell[i],
			      launches.v[0].subdir ? launches.v[0].subdir : "(null)");
		unbuild();
	}
	snprintf(text, sizeof(text), "[hook h]\ncommand = true\nfiles = *\n"
		 "cwd = %s/sub\n", dir);
	build(text, env);
	ck_assert_str_eq(launches.v[0].subdir, "sub");
	unbuild();
	build("[hook h]\ncommand = true\nfiles = *\ncwd = ..\n", env);
	ck_assert_ptr_null(launches.v[0].subdir);
	unbuild();
	build("[hook h]\ncommand = true\nfiles = *\ncwd = sub/..\n", env);
	ck_assert_str_eq(launches.v[0].subdir, "");
	unbuild();
	ck_assert_int_eq(rmdir("sub/inner"), 0);
	ck_assert_int_eq(rmdir("sub"), 0);
	ck_assert_int_eq(chdir(old), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *
launch_suite(void)
{
	Suite *s = suite_create("launch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_environment);
	tcase_add_test(tc, test_direct_or_shell);
	tcase_add_test(tc, test_argv_forms);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_argv_launcher);
	tcase_add_test(tc, test_budget_launcher_shell);
	tcase_add_test(tc, test_subdir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(launch_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
