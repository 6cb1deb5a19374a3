/*
 * check_githook.c - runs as git's hooks: which strategies run for a git
 * hook (git_hooks, the pre-commit default, -s), which git hooks install
 * writes, the git workflow's file sources, and commit-msg's message
 * file handed to every hook, patterns or not, absolute for a hook with
 * cwd; plus gitnames' tables.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "batch_plan.h"
#include "gitdir.h"
#include "githook.h"
#include "gitnames.h"

extern char **environ;

static const char cfg[] =
	"[strategy lint]\n"
	"git_hooks = pre-push commit-msg\n"
	"[strategy fmt]\n"
	"git_hooks = pre-commit, pre-push\n"
	"[strategy msgs]\n"
	"git_hooks = commit-msg\n"
	"[hook a]\ncommand = true\nstrategy = lint\nfiles = *.py\n"
	"[hook b]\ncommand = true\nstrategy = msgs\nfiles = *.none\n"
	"[hook c]\ncommand = true\nstrategy = msgs\n"
	"[hook d]\ncommand = true\nstrategy = msgs\ncwd = sub\n"
	"[hook e]\ncommand = true\n";    /* the implicit default */

static void
load(struct conf *c, const char *text)
{
	struct err e;

	conf_init(c);
	ck_assert_msg(conf_parse(c, "t.ini", text, strlen(text), &e) == 0,
		      "line %lu: %s", e.line, e.msg);
}

/* A strlist as "a b c". */
static const char *
joined(const struct strlist *l)
{
	static char out[1024];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, l->v[i]);
	}
	return out;
}

START_TEST(test_names)
{
	ck_assert(git_hook_known("pre-commit"));
	ck_assert(git_hook_known("post-index-change"));
	ck_assert(!git_hook_known("pre-commit.sample"));
	ck_assert(!git_hook_known(""));
	ck_assert(git_hook_reads_stdin("pre-push"));
	ck_assert(!git_hook_reads_stdin("pre-commit"));
	ck_assert(!git_hook_reads_stdin("proc-receive"));
	ck_assert(git_hook_takes_message("commit-msg"));
	ck_assert(git_hook_takes_message("prepare-commit-msg"));
	ck_assert(!git_hook_takes_message("pre-push"));
	ck_assert_uint_eq(git_hook_count, 28);
}
END_TEST

START_TEST(test_strategies)
{
	struct conf c;
	struct strlist out = { 0 }, only = { 0 };

	load(&c, cfg);
	ck_assert_uint_eq(githook_strategies(&c, "pre-commit", NULL, &out), 2);
	ck_assert_str_eq(joined(&out), "fmt default");
	strlist_release(&out);
	ck_assert_uint_eq(githook_strategies(&c, "pre-push", NULL, &out), 2);
	ck_assert_str_eq(joined(&out), "lint fmt");
	strlist_release(&out);
	ck_assert_uint_eq(githook_strategies(&c, "commit-msg", NULL, &out), 2);
	ck_assert_str_eq(joined(&out), "lint msgs");
	strlist_release(&out);
	ck_assert_uint_eq(githook_strategies(&c, "post-merge", NULL, &out), 0);
	ck_assert_uint_eq(out.n, 0);
	/* -s narrows it. */
	strlist_push(&only, "fmt");
	ck_assert_uint_eq(githook_strategies(&c, "pre-push", &only, &out), 1);
	ck_assert_str_eq(joined(&out), "fmt");
	strlist_release(&out);
	ck_assert_uint_eq(githook_strategies(&c, "commit-msg", &only, &out), 0);
	strlist_release(&only);
	/* install with no names: in git's order, once each. */
	githook_wanted(&c, &out);
	ck_assert_str_eq(joined(&out), "pre-commit commit-msg pre-push");
	strlist_release(&out);
	conf_release(&c);

	load(&c, "");
	githook_wanted(&c, &out);
	ck_assert_str_eq(joined(&out), "pre-commit");
	strlist_release(&out);
	conf_release(&c);
	load(&c, "[strategy p]\ngit_hooks = pre-push\n");
	githook_wanted(&c, &out);
	ck_assert_str_eq(joined(&out), "pre-push");
	strlist_release(&out);
	conf_release(&c);
}
END_TEST

START_TEST(test_lists)
{
	ck_assert(githook_lists(FILES_SOURCE_RANGE));
	ck_assert(githook_lists(FILES_SOURCE_CHANGED));
	ck_assert(githook_lists(FILES_SOURCE_PUSH));
	ck_assert(githook_lists(FILES_SOURCE_MESSAGE));
	ck_assert(!githook_lists(FILES_SOURCE_STAGED));
	ck_assert(!githook_lists(FILES_SOURCE_DEFAULT));
}
END_TEST

START_TEST(test_message_batches)
{
	char dir[] = "/tmp/check_githook.XXXXXX", old[PATH_MAX], *abs;
	struct conf c;
	struct plan p;
	struct plan_options po = PLAN_OPTIONS_INIT;
	const char *only[] = { "msgs", "lint" };
	struct launches l;
	struct run_batches rb;
	struct cli_options o;
	struct gitdir g = GITDIR_INIT;
	struct file_list fl;
	struct err e;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(mkdir("sub", 0777), 0);
	ck_assert_int_eq(system("echo msg > MSG"), 0);
	load(&c, cfg);
	po.strategies = only;
	po.nstrategies = 2;
	ck_assert_int_eq(plan_build(&p, &c, &po, &e), 0);
	launch_build(&l, &p, environ);
	memset(&o, 0, sizeof(o));
	o.files = FILES_SOURCE_MESSAGE;
	o.message_file = "MSG";
	ck_assert_int_eq(githook_list_files(&fl, &g, &o, -1, &e), 0);
	ck_assert_uint_eq(fl.n, 2);
	abs = xasprintf("%s/MSG", dir);
	ck_assert_str_eq(fl.v[0], "MSG");
	ck_assert_str_eq(fl.v[1], abs);
	run_batches_init(&rb, p.nhooks);
	batch_plan(&rb, &p, &l, &fl, NULL);
	githook_message_batches(&rb, &p, &l, &fl);
	ck_assert_uint_eq(p.nhooks, 4);         /* a, b, c, d */
	for (i = 0; i < p.nhooks; i++) {
		const char *name = p.hooks[i].conf->name;

		ck_assert_uint_eq(rb.nbatches[i], 1);
		ck_assert_uint_eq(rb.nfiles[i], 1);
		ck_assert_uint_eq(rb.of[i].n, 1);
		ck_assert_uint_eq(rb.of[i].count[0], 1);
		ck_assert_str_eq(rb.of[i].files[0][0],
				 strcmp(name, "d") == 0 ? abs : "MSG");
		ck_assert_ptr_null(rb.of[i].files[0][1]);
	}
	run_batches_release(&rb);
	file_list_release(&fl);
	/* A message file that is not there is an error. */
	o.message_file = "NOPE";
	ck_assert_int_eq(githook_list_files(&fl, &g, &o, -1, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "NOPE"));
	file_list_release(&fl);
	/* The git sources need a work tree. */
	o.files = FILES_SOURCE_CHANGED;
	ck_assert_int_eq(githook_list_files(&fl, &g, &o, -1, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "--changed: not in a git work tree"));
	file_list_release(&fl);
	free(abs);
	launch_release(&l);
	plan_release(&p);
	conf_release(&c);
	ck_assert_int_eq(chdir(old), 0);
	{
		char *rm = xasprintf("rm -rf %s", dir);

		ck_assert_int_eq(system(rm), 0);
		free(rm);
	}
}
END_TEST

static Suite *
githook_suite(void)
{
	Suite *s = suite_create("githook");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_strategies);
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_message_batches);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(githook_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
