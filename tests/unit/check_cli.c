/*
 * check_cli.c - unit tests for cli.[ch]: every option into its field,
 * the errors (message and kind), the environment variables that stand
 * for options, the config lookup, colour and the status line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

Suite *cli_suite(void);

/* Parse a NULL-terminated list of arguments (argv[0] is added). */
static enum cli_status
parse(struct cli_options *o, struct err *e, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = (char *)"hookwave";
	va_start(ap, e);
	while ((a = va_arg(ap, char *)) != NULL && argc < 63)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	memset(e, 0, sizeof(*e));
	return cli_parse(argc, argv, o, e);
}

#define OK(o, ...) do {                                                     \
	struct err e_;                                                      \
	ck_assert_msg(parse((o), &e_, __VA_ARGS__, (char *)NULL) == CLI_OK, \
		      "unexpected error: %s", e_.msg);                      \
} while (0)

/* Parse must fail with `kind` and exactly `msg`. */
#define BAD(kind_, text_, ...) do {                                            \
	struct cli_options o_;                                              \
	struct err e_;                                                      \
	ck_assert_int_eq(parse(&o_, &e_, __VA_ARGS__, (char *)NULL), kind_); \
	ck_assert_str_eq(e_.msg, text_);                                    \
	ck_assert_ptr_null(e_.file);                                        \
	cli_release(&o_);                                                   \
} while (0)

static void
setup(void)
{
	unsetenv("HOOKWAVE_LOG");
	unsetenv("HOOKWAVE_SKIP");
	unsetenv("SKIP");
	unsetenv("HOOKWAVE_CONFIG");
	unsetenv("NO_COLOR");
	unsetenv("TERM");
}

START_TEST(test_defaults)
{
	struct cli_options o;

	OK(&o, NULL);
	ck_assert_int_eq(o.action, CLI_RUN);
	ck_assert_int_eq(o.files, FILES_SOURCE_DEFAULT);
	ck_assert_int_eq(o.format, REPORT_TEXT);
	ck_assert(!o.report_format_set);
	ck_assert_int_eq(o.color, CLI_COLOR_AUTO);
	ck_assert_int_eq(o.log_level, LOG_LEVEL_OFF);
	ck_assert_ptr_null(o.config);
	ck_assert_ptr_null(o.report);
	ck_assert(!o.quiet && !o.verbose && !o.lock && !o.no_history);
	ck_assert(!o.no_cache);
	ck_assert_int_eq(o.plan.timeout, -1);
	ck_assert_int_eq(o.plan.schedule, SCHED_UNSET);
	ck_assert_int_eq(o.plan.strategy_parallel, -1);
	ck_assert_int_eq(o.plan.fail_fast, -1);
	ck_assert_int_eq(o.plan.jobs, 0);
	ck_assert_uint_eq(o.plan.nnames, 0);
	cli_release(&o);
}
END_TEST

START_TEST(test_every_option)
{
	struct cli_options o;

	OK(&o, "-c", "x.ini", "-C", "dir", "-j", "7", "-s", "fast",
	   "--strategy=slow", "--skip=a,b", "--skip", "c d",
	   "--schedule=eager", "--no-strategy-parallel", "-t", "9", "-x",
	   "--files=list", "-0", "-f", "json", "-o", "r.xml",
	   "--report-format=junit", "--timeline=t.json", "-q", "--color=never",
	   "--lock", "--no-history", "--no-cache", "--log-level=debug", "h1",
	   "h2");
	ck_assert_str_eq(o.config, "x.ini");
	ck_assert_str_eq(o.directory, "dir");
	ck_assert_int_eq(o.plan.jobs, 7);
	ck_assert_uint_eq(o.plan.nstrategies, 2);
	ck_assert_str_eq(o.plan.strategies[0], "fast");
	ck_assert_str_eq(o.plan.strategies[1], "slow");
	ck_assert_uint_eq(o.plan.nskip, 4);
	ck_assert_str_eq(o.plan.skip[0], "a");
	ck_assert_str_eq(o.plan.skip[1], "b");
	ck_assert_str_eq(o.plan.skip[2], "c");
	ck_assert_str_eq(o.plan.skip[3], "d");
	ck_assert_int_eq(o.plan.schedule, SCHED_EAGER);
	ck_assert_int_eq(o.plan.strategy_parallel, 0);
	ck_assert_int_eq(o.plan.timeout, 9);
	ck_assert_int_eq(o.plan.fail_fast, 1);
	ck_assert_int_eq(o.files, FILES_SOURCE_LIST);
	ck_assert_str_eq(o.files_path, "list");
	ck_assert(o.null_sep);
	ck_assert_int_eq(o.format, REPORT_JSON);
	ck_assert_str_eq(o.report, "r.xml");
	ck_assert(o.report_format_set);
	ck_assert_int_eq(o.report_format, REPORT_JUNIT);
	ck_assert_str_eq(o.timeline, "t.json");
	ck_assert(o.quiet);
	ck_assert_int_eq(o.color, CLI_COLOR_NEVER);
	ck_assert(o.lock && o.no_history && o.no_cache);
	ck_assert_int_eq(o.log_level, LOG_LEVEL_DEBUG);
	ck_assert_uint_eq(o.plan.nnames, 2);
	ck_assert_str_eq(o.plan.names[0], "h1");
	ck_assert_str_eq(o.plan.names[1], "h2");
	cli_release(&o);

	OK(&o, "--staged", "--color", "-v", "-j", "auto");
	ck_assert_int_eq(o.files, FILES_SOURCE_STAGED);
	ck_assert_int_eq(o.color, CLI_COLOR_ALWAYS);
	ck_assert(o.verbose);
	ck_assert_int_eq(o.plan.jobs, (long)plan_online_cpus());
	cli_release(&o);

	OK(&o, "--all-files", "--colour=auto", "-n");
	ck_assert_int_eq(o.files, FILES_SOURCE_ALL);
	ck_assert_int_eq(o.action, CLI_DRY_RUN);
	cli_release(&o);
	OK(&o, "-l");
	ck_assert_int_eq(o.action, CLI_LIST);
	cli_release(&o);
	OK(&o, "--check-config");
	ck_assert_int_eq(o.action, CLI_CHECK);
	cli_release(&o);
	OK(&o, "-h", "--bogus");
	ck_assert_int_eq(o.action, CLI_HELP);
	cli_release(&o);
	OK(&o, "-V");
	ck_assert_int_eq(o.action, CLI_VERSION);
	cli_release(&o);
}
END_TEST

/* Options end at the first hook name, as with POSIX utilities ("+"). */
START_TEST(test_names_end_options)
{
	struct cli_options o;

	OK(&o, "lint", "-q");
	ck_assert(!o.quiet);
	ck_assert_uint_eq(o.plan.nnames, 2);
	ck_assert_str_eq(o.plan.names[1], "-q");
	cli_release(&o);
	OK(&o, "--", "-x");
	ck_assert_int_eq(o.plan.fail_fast, -1);
	ck_assert_uint_eq(o.plan.nnames, 1);
	ck_assert_str_eq(o.plan.names[0], "-x");
	cli_release(&o);
}
END_TEST

START_TEST(test_errors)
{
	BAD(CLI_USAGE, "unknown option '--bogus'", "--bogus");
	BAD(CLI_USAGE, "unknown option '-Z'", "-Z");
	BAD(CLI_USAGE, "option '--config' needs a value", "--config");
	BAD(CLI_USAGE, "option '-j' needs a value", "-j");
	BAD(CLI_ERROR, "bad value '0' for --jobs: want a whole number from 1 to 1024",
	    "-j", "0");
	BAD(CLI_ERROR, "bad value '1025' for --jobs: want a whole number from 1 to 1024",
	    "--jobs=1025");
	BAD(CLI_ERROR, "bad value '-1' for --timeout: want whole seconds from 0 to 2147483",
	    "-t", "-1");
	BAD(CLI_ERROR, "bad value 'fast' for --schedule: want waves, eager or sequential",
	    "--schedule=fast");
	BAD(CLI_ERROR, "bad value 'xml' for --format", "-f", "xml");
	BAD(CLI_ERROR, "bad value 'xml' for --report-format",
	    "--report-format=xml");
	BAD(CLI_ERROR, "bad value 'sometimes' for --color", "--color=sometimes");
	BAD(CLI_ERROR, "bad value 'loud' for --log-level", "--log-level=loud");
	BAD(CLI_ERROR, "--all-files, --staged and --files exclude each other",
	    "--all-files", "--staged");
	BAD(CLI_ERROR, "-0 goes with --files", "-0");
	BAD(CLI_ERROR, "-q and -v exclude each other", "-q", "-v");
}
END_TEST

/* merge [-o FILE] REPORT...: a command word, first argument only. */
START_TEST(test_merge)
{
	struct cli_options o;

	OK(&o, "merge", "-o", "all.json", "a.json", "b.json", "a.json");
	ck_assert_int_eq(o.action, CLI_MERGE);
	ck_assert_str_eq(o.report, "all.json");
	ck_assert_uint_eq(o.names.n, 3);        /* as given, repeats too */
	ck_assert_str_eq(o.names.v[0], "a.json");
	ck_assert_str_eq(o.names.v[2], "a.json");
	cli_release(&o);
	OK(&o, "merge", "--output=x", "--", "-odd.json");
	ck_assert_int_eq(o.action, CLI_MERGE);
	ck_assert_str_eq(o.report, "x");
	ck_assert_str_eq(o.names.v[0], "-odd.json");
	cli_release(&o);
	OK(&o, "--", "merge");
	ck_assert_int_eq(o.action, CLI_RUN);
	ck_assert_str_eq(o.plan.names[0], "merge");
	cli_release(&o);
	BAD(CLI_USAGE, "merge needs the reports to merge", "merge");
	BAD(CLI_USAGE, "merge needs the reports to merge", "merge", "-o", "x");
	BAD(CLI_USAGE, "unknown option '-q' for merge", "merge", "-q", "a");
}
END_TEST

START_TEST(test_git_workflow)
{
	struct cli_options o;

	/* install / uninstall: command words, first argument only. */
	OK(&o, "install", "--force", "-C", "d", "pre-push", "pre-commit", "pre-push");
	ck_assert_int_eq(o.action, CLI_INSTALL);
	ck_assert(o.force);
	ck_assert_str_eq(o.directory, "d");
	ck_assert_uint_eq(o.names.n, 2);
	ck_assert_str_eq(o.names.v[0], "pre-push");
	ck_assert_str_eq(o.names.v[1], "pre-commit");
	cli_release(&o);
	OK(&o, "uninstall");
	ck_assert_int_eq(o.action, CLI_UNINSTALL);
	ck_assert_uint_eq(o.names.n, 0);
	cli_release(&o);
	OK(&o, "--", "install");
	ck_assert_int_eq(o.action, CLI_RUN);
	ck_assert_uint_eq(o.plan.nnames, 1);
	ck_assert_str_eq(o.plan.names[0], "install");
	cli_release(&o);
	OK(&o, "-q", "uninstall");
	ck_assert_int_eq(o.action, CLI_RUN);
	ck_assert_str_eq(o.plan.names[0], "uninstall");
	cli_release(&o);
	BAD(CLI_USAGE, "unknown option '--force' for uninstall", "uninstall", "--force");
	BAD(CLI_ERROR, "unknown git hook 'pre-comit' (see githooks(5))",
	    "install", "pre-comit");

	/* --git-hook: git's arguments are not hook names. */
	OK(&o, "--git-hook=pre-push", "origin", "/srv/r.git");
	ck_assert_int_eq(o.files, FILES_SOURCE_PUSH);
	ck_assert_uint_eq(o.plan.nnames, 0);
	ck_assert_uint_eq(o.git_args.n, 2);
	ck_assert_str_eq(o.git_args.v[0], "origin");
	cli_release(&o);
	OK(&o, "--git-hook=pre-commit");
	ck_assert_int_eq(o.files, FILES_SOURCE_STAGED);
	cli_release(&o);
	OK(&o, "--git-hook=commit-msg", ".git/COMMIT_EDITMSG");
	ck_assert_int_eq(o.files, FILES_SOURCE_MESSAGE);
	ck_assert_str_eq(o.message_file, ".git/COMMIT_EDITMSG");
	cli_release(&o);
	OK(&o, "--git-hook=post-checkout", "a", "b", "1");
	ck_assert_int_eq(o.files, FILES_SOURCE_DEFAULT);
	cli_release(&o);
	BAD(CLI_ERROR, "unknown git hook 'pre-comit' for --git-hook (see githooks(5))",
	    "--git-hook=pre-comit");
	BAD(CLI_ERROR, "--git-hook=commit-msg: no message file (git gives it as the first argument)",
	    "--git-hook=commit-msg");

	/* The new file sources, and what excludes what. */
	OK(&o, "--from-ref=main", "--to-ref=topic");
	ck_assert_int_eq(o.files, FILES_SOURCE_RANGE);
	ck_assert_str_eq(o.from_ref, "main");
	ck_assert_str_eq(o.to_ref, "topic");
	cli_release(&o);
	OK(&o, "--changed");
	ck_assert_int_eq(o.files, FILES_SOURCE_CHANGED);
	cli_release(&o);
	BAD(CLI_ERROR, "--to-ref goes with --from-ref", "--to-ref=x");
	BAD(CLI_ERROR, "--all-files, --staged, --files, --changed, --from-ref and --git-hook exclude each other",
	    "--changed", "--staged");
	BAD(CLI_ERROR, "--all-files, --staged, --files, --changed, --from-ref and --git-hook exclude each other",
	    "--git-hook=pre-commit", "--from-ref=x");

	/* HOOKWAVE=0 only: the tests' HOOKWAVE=/path is no skip. */
	setenv("HOOKWAVE", "0", 1);
	OK(&o, NULL);
	ck_assert(o.skip_all);
	cli_release(&o);
	setenv("HOOKWAVE", "/usr/bin/hookwave", 1);
	OK(&o, NULL);
	ck_assert(!o.skip_all);
	cli_release(&o);
	unsetenv("HOOKWAVE");
}
END_TEST

START_TEST(test_environment)
{
	struct cli_options o;

	setenv("HOOKWAVE_LOG", "info", 1);
	setenv("HOOKWAVE_SKIP", "x, y", 1);
	OK(&o, NULL);
	ck_assert_int_eq(o.log_level, LOG_LEVEL_INFO);
	ck_assert_uint_eq(o.plan.nenv_skip, 2);
	ck_assert_str_eq(o.plan.env_skip[0], "x");
	ck_assert_str_eq(o.plan.env_skip[1], "y");
	ck_assert_uint_eq(o.plan.nskip, 0);
	cli_release(&o);

	/* pre-commit's SKIP adds to it: the union is left out. */
	setenv("SKIP", "pylint,y", 1);
	OK(&o, "--skip=z");
	ck_assert_uint_eq(o.plan.nenv_skip, 4);
	ck_assert_str_eq(o.plan.env_skip[2], "pylint");
	ck_assert_str_eq(o.plan.env_skip[3], "y");
	ck_assert_uint_eq(o.plan.nskip, 1);
	cli_release(&o);
	unsetenv("HOOKWAVE_SKIP");
	OK(&o, NULL);
	ck_assert_uint_eq(o.plan.nenv_skip, 2);
	ck_assert_str_eq(o.plan.env_skip[0], "pylint");
	cli_release(&o);
	unsetenv("SKIP");

	/* The option beats the variable, and then a bad variable is moot. */
	setenv("HOOKWAVE_LOG", "loud", 1);
	OK(&o, "--log-level=warn");
	ck_assert_int_eq(o.log_level, LOG_LEVEL_WARN);
	cli_release(&o);
	BAD(CLI_ERROR, "bad value 'loud' for HOOKWAVE_LOG: want error, warn, info or debug",
	    NULL);

	setenv("HOOKWAVE_LOG", "", 1);
	OK(&o, NULL);
	ck_assert_int_eq(o.log_level, LOG_LEVEL_OFF);
	cli_release(&o);
}
END_TEST

START_TEST(test_find_config)
{
	char dir[] = "/tmp/check_cli.XXXXXX", old[PATH_MAX];
	struct cli_options o;
	int fd;

	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	OK(&o, NULL);
	ck_assert_ptr_null(cli_find_config(&o, NULL));
	ck_assert_ptr_null(cli_find_config(&o, "/nonexistent/hookwave.ini"));
	ck_assert_str_eq(cli_find_config(&o, "/dev/null"), "/dev/null");
	fd = open(".hookwave.ini", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_str_eq(cli_find_config(&o, "/dev/null"), ".hookwave.ini");
	fd = open("hookwave.ini", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_str_eq(cli_find_config(&o, NULL), "hookwave.ini");
	setenv("HOOKWAVE_CONFIG", "env.ini", 1);
	ck_assert_str_eq(cli_find_config(&o, NULL), "env.ini");
	cli_release(&o);
	OK(&o, "-c", "opt.ini");
	ck_assert_str_eq(cli_find_config(&o, NULL), "opt.ini");
	cli_release(&o);
	unlink("hookwave.ini");
	unlink(".hookwave.ini");
	ck_assert_int_eq(chdir(old), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_color_and_status_line)
{
	struct cli_options o;

	OK(&o, NULL);
	ck_assert(cli_use_color(&o, true));
	ck_assert(!cli_use_color(&o, false));
	setenv("NO_COLOR", "1", 1);
	ck_assert(!cli_use_color(&o, true));
	setenv("NO_COLOR", "", 1);
	ck_assert(cli_use_color(&o, true));
	setenv("TERM", "dumb", 1);
	ck_assert(!cli_use_color(&o, true));
	ck_assert(!cli_status_line(&o, true, false));
	unsetenv("TERM");
	ck_assert(cli_status_line(&o, true, false));
	ck_assert(!cli_status_line(&o, false, false));
	cli_release(&o);

	OK(&o, "--color=always");
	setenv("NO_COLOR", "1", 1);
	ck_assert(cli_use_color(&o, false));
	cli_release(&o);
	OK(&o, "--color=never");
	ck_assert(!cli_use_color(&o, true));
	cli_release(&o);

	OK(&o, "-q");
	ck_assert(!cli_status_line(&o, true, false));
	cli_release(&o);
	OK(&o, "-f", "json");
	ck_assert(!cli_status_line(&o, true, false));
	cli_release(&o);
	/* Logs on the same terminal would tear the line. */
	OK(&o, "--log-level=info");
	ck_assert(!cli_status_line(&o, true, true));
	ck_assert(cli_status_line(&o, true, false));
	cli_release(&o);
}
END_TEST

/* --no-cache is about the result cache only: durations stay on. */
START_TEST(test_no_cache)
{
	struct cli_options o;

	OK(&o, "--no-cache", "-n");
	ck_assert(o.no_cache);
	ck_assert(!o.no_history);
	ck_assert_int_eq(o.action, CLI_DRY_RUN);
	cli_release(&o);
	OK(&o, "--no-history");
	ck_assert(!o.no_cache);
	cli_release(&o);
}
END_TEST

/* The sarif and github formats, for -f and --report-format; history
   prints neither. */
START_TEST(test_sarif_github)
{
	struct cli_options o;

	OK(&o, "-f", "sarif", "--report-format=github", "-o", "r");
	ck_assert_int_eq(o.format, REPORT_SARIF);
	ck_assert_int_eq(o.report_format, REPORT_GITHUB);
	cli_release(&o);
	OK(&o, "--format=github", "--report-format", "sarif");
	ck_assert_int_eq(o.format, REPORT_GITHUB);
	ck_assert_int_eq(o.report_format, REPORT_SARIF);
	cli_release(&o);
	ck_assert_ptr_nonnull(strstr(cli_help_text, "sarif or github"));
	BAD(CLI_ERROR, "history prints text or json", "history", "-f", "sarif");
	BAD(CLI_ERROR, "history prints text or json", "history", "-f", "github");
	BAD(CLI_ERROR, "history prints text or json", "history", "-f", "tap");
}
END_TEST

START_TEST(test_help_text)
{
	ck_assert_int_eq(strncmp(cli_synopsis, "usage: hookwave ", 16), 0);
	ck_assert_ptr_nonnull(strstr(cli_help_text, "--fail-fast"));
	ck_assert_ptr_nonnull(strstr(cli_help_text, "hookwave.ini(5)"));
	ck_assert_ptr_nonnull(strstr(cli_help_text, "--no-cache"));
	ck_assert_ptr_nonnull(strstr(cli_synopsis, "[--no-cache]"));
}
END_TEST

Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_option);
	tcase_add_test(tc, test_names_end_options);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_environment);
	tcase_add_test(tc, test_git_workflow);
	tcase_add_test(tc, test_find_config);
	tcase_add_test(tc, test_color_and_status_line);
	tcase_add_test(tc, test_no_cache);
	tcase_add_test(tc, test_sarif_github);
	tcase_add_test(tc, test_help_text);
	tcase_add_test(tc, test_merge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
