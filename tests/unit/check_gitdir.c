/*
 * check_gitdir.c - which repository a directory is in, as git says:
 * outside any, at the top and below it, inside the git dir, a bare
 * repository, GIT_DIR and GIT_WORK_TREE as a git hook gets them, a
 * linked work tree, a submodule, a refused repository (safe.directory),
 * no git in PATH, hostile paths, git misbehaving; and the file listing
 * taking its answer from the struct.
 *
 * Each test runs in its own forked process (Check) and its own fresh
 * directory, with git isolated from the user's configuration and from
 * any repository above.
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

#include "files.h"
#include "gitdir.h"
#include "scratch.h"

static const char *tmpdir;
static char *oldpath;           /* PATH, for teardown's rm */

/* A path under the test directory, in a static buffer (one at a time). */
static const char *
at(const char *rel)
{
	static char p[2][2 * PATH_MAX];
	static int k;

	k = !k;
	snprintf(p[k], sizeof(p[k]), "%s%s%s", tmpdir, *rel ? "/" : "", rel);
	return p[k];
}

static void
setup(void)
{
	tmpdir = scratch_enter("check_gitdir");
	oldpath = getenv("PATH") ? xstrdup(getenv("PATH")) : NULL;
	scratch_git_isolate(tmpdir);
}

static void
teardown(void)
{
	if (oldpath != NULL)
		setenv("PATH", oldpath, 1);
	scratch_leave();
}

/* Discover in `dir` (NULL: here), asserting success. */
static void
discover(struct gitdir *g, const char *dir)
{
	struct err e;

	e.msg[0] = '\0';
	ck_assert_msg(gitdir_discover(g, dir, &e) == 0, "failed: %s", e.msg);
}

/* A repository at `dir` (relative) with one commit. */
static void
make_repo(const char *dir)
{
	scratch_sh("git init -q '%s' && cd '%s' && echo 1 > a.py && git add a.py && "
		   "git commit -q -m init", dir, dir);
}

#define ASSERT_PATH(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	ck_assert_msg(g_ != NULL && strcmp(g_, w_) == 0,		\
	    "%s: got '%s', want '%s'", #got, g_ ? g_ : "(null)", w_);	\
} while (0)

/* The fields every repository has, for one whose git dir is `gd`. */
static void
assert_repo(const struct gitdir *g, const char *gd, const char *common)
{
	char want[2 * PATH_MAX];

	ck_assert_int_eq(g->state, GITDIR_REPO);
	ck_assert_int_eq(g->no_git, 0);
	ASSERT_PATH(g->git_dir, gd);
	ASSERT_PATH(g->common_dir, common);
	snprintf(want, sizeof(want), "%s/hooks", common);
	ASSERT_PATH(g->hooks_dir, want);
	snprintf(want, sizeof(want), "%s/index", gd);
	ASSERT_PATH(g->index_file, want);
	ASSERT_PATH(g->object_format, "sha1");
	ck_assert_ptr_null(g->error);
}

START_TEST(test_outside)
{
	struct gitdir g;

	discover(&g, NULL);
	ck_assert_int_eq(g.state, GITDIR_NONE);
	ck_assert_int_eq(g.no_git, 0);
	ck_assert_int_eq(g.inside_work_tree, 0);
	ck_assert_ptr_null(g.git_dir);
	ck_assert_ptr_null(g.work_tree);
	ck_assert_ptr_null(gitdir_hookwave_dir(&g, 0));
	gitdir_release(&g);
	/* A .git that is no repository is nothing either. */
	ck_assert_int_eq(mkdir(".git", 0777), 0);
	discover(&g, NULL);
	ck_assert_int_eq(g.state, GITDIR_NONE);
	gitdir_release(&g);
}
END_TEST

START_TEST(test_top_and_below)
{
	struct gitdir g;
	char *d;

	make_repo("r");
	scratch_sh("mkdir -p r/sub/deep");
	discover(&g, "r");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ck_assert_int_eq(g.inside_work_tree, 1);
	ck_assert_int_eq(g.bare, 0);
	ASSERT_PATH(g.work_tree, at("r"));
	ASSERT_PATH(g.prefix, "");
	d = gitdir_hookwave_dir(&g, 0);
	ASSERT_PATH(d, at("r/.git/hookwave"));
	free(d);
	gitdir_release(&g);
	ck_assert_int_eq(g.state, GITDIR_NONE);
	ck_assert_ptr_null(g.git_dir);

	/* The current directory by default. */
	ck_assert_int_eq(chdir("r/sub/deep"), 0);
	discover(&g, NULL);
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ASSERT_PATH(g.work_tree, at("r"));
	ASSERT_PATH(g.prefix, "sub/deep/");
	gitdir_release(&g);
}
END_TEST

/* In the git dir itself: a repository, but no work tree. */
START_TEST(test_inside_git_dir)
{
	struct gitdir g;

	make_repo("r");
	discover(&g, "r/.git");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ck_assert_int_eq(g.inside_work_tree, 0);
	ck_assert_int_eq(g.bare, 0);
	ck_assert_ptr_null(g.work_tree);
	ck_assert_ptr_null(g.prefix);
	gitdir_release(&g);
	discover(&g, "r/.git/objects");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ck_assert_int_eq(g.inside_work_tree, 0);
	gitdir_release(&g);
}
END_TEST

START_TEST(test_bare)
{
	struct gitdir g;
	char *d;

	make_repo("r");
	scratch_sh("git clone -q --bare r b.git");
	discover(&g, "b.git");
	ck_assert_int_eq(g.state, GITDIR_REPO);
	ASSERT_PATH(g.git_dir, at("b.git"));
	ASSERT_PATH(g.common_dir, at("b.git"));
	ASSERT_PATH(g.hooks_dir, at("b.git/hooks"));
	ck_assert_int_eq(g.bare, 1);
	ck_assert_int_eq(g.inside_work_tree, 0);
	ck_assert_ptr_null(g.work_tree);
	ck_assert_ptr_null(g.prefix);
	d = gitdir_hookwave_dir(&g, 1);
	ASSERT_PATH(d, at("b.git/hookwave"));
	free(d);
	gitdir_release(&g);
}
END_TEST

/* GIT_DIR and GIT_WORK_TREE, as git sets them for some hooks. */
START_TEST(test_git_dir_env)
{
	struct gitdir g;

	make_repo("r");
	scratch_sh("mkdir -p r/sub other");
	/* Both set, from a subdirectory: git's answer, not a walk up. */
	setenv("GIT_DIR", at("r/.git"), 1);
	setenv("GIT_WORK_TREE", at("r"), 1);
	discover(&g, "r/sub");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ck_assert_int_eq(g.inside_work_tree, 1);
	ASSERT_PATH(g.work_tree, at("r"));
	ASSERT_PATH(g.prefix, "sub/");
	gitdir_release(&g);
	/* Outside that work tree: the repository, but not inside it. */
	discover(&g, "other");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ck_assert_int_eq(g.inside_work_tree, 0);
	ASSERT_PATH(g.work_tree, at("r"));
	ck_assert_ptr_null(g.prefix);
	gitdir_release(&g);
	/* GIT_DIR alone: the current directory is the top (git's rule). */
	unsetenv("GIT_WORK_TREE");
	discover(&g, "other");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	ck_assert_int_eq(g.inside_work_tree, 1);
	ASSERT_PATH(g.work_tree, at("other"));
	ASSERT_PATH(g.prefix, "");
	gitdir_release(&g);
	/* A GIT_DIR that is no repository: none. */
	setenv("GIT_DIR", at("nowhere"), 1);
	discover(&g, "r");
	ck_assert_int_eq(g.state, GITDIR_NONE);
	gitdir_release(&g);
	/* GIT_INDEX_FILE moves the index. */
	unsetenv("GIT_DIR");
	setenv("GIT_INDEX_FILE", at("other/idx"), 1);
	discover(&g, "r");
	ASSERT_PATH(g.index_file, at("other/idx"));
	gitdir_release(&g);
}
END_TEST

START_TEST(test_linked_work_tree)
{
	struct gitdir g;
	char *d;

	make_repo("r");
	scratch_sh("cd r && git worktree add -q ../linked 2>/dev/null && "
		   "test -f ../linked/.git && mkdir ../linked/sub");
	discover(&g, "linked/sub");
	ck_assert_int_eq(g.state, GITDIR_REPO);
	ASSERT_PATH(g.git_dir, at("r/.git/worktrees/linked"));
	ASSERT_PATH(g.common_dir, at("r/.git"));
	ASSERT_PATH(g.hooks_dir, at("r/.git/hooks"));
	ASSERT_PATH(g.index_file, at("r/.git/worktrees/linked/index"));
	ASSERT_PATH(g.work_tree, at("linked"));
	ASSERT_PATH(g.prefix, "sub/");
	ck_assert_int_eq(g.inside_work_tree, 1);
	d = gitdir_hookwave_dir(&g, 0);
	ASSERT_PATH(d, at("r/.git/worktrees/linked/hookwave"));
	free(d);
	d = gitdir_hookwave_dir(&g, 1);
	ASSERT_PATH(d, at("r/.git/hookwave"));
	free(d);
	gitdir_release(&g);
}
END_TEST

START_TEST(test_submodule)
{
	struct gitdir g;

	make_repo("inner");
	make_repo("r");
	scratch_sh("cd r && git -c protocol.file.allow=always submodule add -q "
		   "'%s' sm >/dev/null 2>&1 && test -f sm/.git", at("inner"));
	discover(&g, "r/sm");
	assert_repo(&g, at("r/.git/modules/sm"), at("r/.git/modules/sm"));
	ASSERT_PATH(g.work_tree, at("r/sm"));
	ASSERT_PATH(g.prefix, "");
	gitdir_release(&g);
	/* The superproject, from beside the submodule. */
	discover(&g, "r");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	gitdir_release(&g);
}
END_TEST

/* core.hooksPath, relative to the top of the work tree. */
START_TEST(test_hooks_path)
{
	struct gitdir g;

	make_repo("r");
	scratch_sh("mkdir r/sub && git -C r config core.hooksPath my/hooks");
	discover(&g, "r/sub");
	ASSERT_PATH(g.hooks_dir, at("r/my/hooks"));
	gitdir_release(&g);
	scratch_sh("git -C r config core.hooksPath '%s'", at("abs"));
	discover(&g, "r");
	ASSERT_PATH(g.hooks_dir, at("abs"));
	gitdir_release(&g);
}
END_TEST

/* git refusing a repository that another user owns: no repository. */
START_TEST(test_refused)
{
	struct gitdir g;

	make_repo("r");
	setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1", 1);
	discover(&g, "r");
	ck_assert_int_eq(g.state, GITDIR_NONE);
	ck_assert_int_eq(g.no_git, 0);
	gitdir_release(&g);
	/* Allowed by safe.directory, as git allows it. */
	scratch_sh("printf '[safe]\\n\\tdirectory = *\\n' > gitconfig");
	setenv("GIT_CONFIG_GLOBAL", at("gitconfig"), 1);
	discover(&g, "r");
	assert_repo(&g, at("r/.git"), at("r/.git"));
	gitdir_release(&g);
}
END_TEST

/* Above the ceiling is not looked at. */
START_TEST(test_ceiling)
{
	struct gitdir g;

	make_repo("r");
	scratch_sh("mkdir -p r/sub");
	setenv("GIT_CEILING_DIRECTORIES", at("r"), 1);
	discover(&g, "r/sub");
	ck_assert_int_eq(g.state, GITDIR_NONE);
	gitdir_release(&g);
}
END_TEST

START_TEST(test_no_git)
{
	struct gitdir g;

	make_repo("r");
	ck_assert_int_eq(mkdir("empty", 0777), 0);
	setenv("PATH", at("empty"), 1);
	discover(&g, "r");
	ck_assert_int_eq(g.state, GITDIR_NONE);
	ck_assert_int_eq(g.no_git, 1);
	gitdir_release(&g);
}
END_TEST

/* Paths holding newlines, blanks and the separator word come back whole. */
START_TEST(test_hostile_paths)
{
	static const char *const names[] = {
		"new\nline", "two\n\nnewlines", " lead and trail ", "end\n",
		"\nstart", "sha1", "x\nfalse",
	};
	struct gitdir g;
	char rel[64], want[2 * PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(rel, sizeof(rel), "%zu%s", i, names[i]);
		ck_assert_int_eq(mkdir(rel, 0777), 0);
		ck_assert_int_eq(chdir(rel), 0);
		scratch_sh("git init -q");
		ck_assert_int_eq(mkdir("in\nside", 0777), 0);
		ck_assert_int_eq(chdir("in\nside"), 0);
		discover(&g, NULL);
		snprintf(want, sizeof(want), "%s/%s/.git", tmpdir, rel);
		assert_repo(&g, want, want);
		snprintf(want, sizeof(want), "%s/%s", tmpdir, rel);
		ASSERT_PATH(g.work_tree, want);
		ASSERT_PATH(g.prefix, "in\nside/");
		gitdir_release(&g);
		ck_assert_int_eq(chdir(tmpdir), 0);
	}
}
END_TEST

/*
 * A line that equals the separator inside a path cannot be told from a
 * separator: the answer is refused, never misread.
 */
START_TEST(test_separator_in_path)
{
	struct gitdir g;
	struct err e;

	ck_assert_int_eq(mkdir("a\nsha1\nb", 0777), 0);
	ck_assert_int_eq(chdir("a\nsha1\nb"), 0);
	scratch_sh("git init -q");
	ck_assert_int_eq(gitdir_discover(&g, NULL, &e), -1);
	ck_assert_int_eq(g.state, GITDIR_ERROR);
	ck_assert_ptr_nonnull(strstr(e.msg, "unexpected output"));
	ck_assert_str_eq(g.error, e.msg);
	ck_assert_ptr_null(g.git_dir);
	gitdir_release(&g);
}
END_TEST

START_TEST(test_sha256)
{
	struct gitdir g;

	scratch_sh("git init -q --object-format=sha256 r");
	discover(&g, "r");
	ck_assert_int_eq(g.state, GITDIR_REPO);
	ASSERT_PATH(g.object_format, "sha256");
	gitdir_release(&g);
}
END_TEST

/* A fake git in PATH that answers `body`; discovery must fail with `what`. */
static void
fake_git_fails(const char *body, const char *what)
{
	struct gitdir g;
	struct err e;
	FILE *f;

	ck_assert(mkdir("fake", 0777) == 0 || errno == EEXIST);
	f = fopen("fake/git", "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	ck_assert_int_eq(chmod("fake/git", 0755), 0);
	setenv("PATH", at("fake"), 1);
	e.msg[0] = '\0';
	ck_assert_int_eq(gitdir_discover(&g, NULL, &e), -1);
	ck_assert_int_eq(g.state, GITDIR_ERROR);
	ck_assert_msg(strstr(e.msg, what) != NULL, "message '%s' lacks '%s'",
	    e.msg, what);
	ck_assert_ptr_nonnull(g.error);
	ck_assert_str_eq(g.error, e.msg);
	gitdir_release(&g);
	ck_assert_int_eq(g.state, GITDIR_NONE);
	ck_assert_ptr_null(g.error);
}

START_TEST(test_git_misbehaves)
{
	fake_git_fails("exit 3", "exit status 3");
	/* What git 2.30 prints: the unknown option passed through. */
	fake_git_fails("for a; do case $a in --path-format=*) echo \"$a\";; "
		       "--show-object-format) echo sha1;; esac; done",
		       "git 2.31 or later");
	fake_git_fails("kill -9 $$", "killed by signal 9");
	fake_git_fails("echo garbage", "unexpected output");
	fake_git_fails("printf 'sha1\\ntrue\\nfalse\\nsha1\\n/g\\n'",
		       "unexpected output");
	/* 128 with output for a work tree: not what git does. */
	fake_git_fails("printf 'sha1\\ntrue\\nfalse\\nsha1\\n/g\\nsha1\\n/g\\n"
		       "sha1\\n/g/hooks\\nsha1\\n/g/index\\nsha1\\n\\nsha1\\n'; "
		       "exit 128", "unexpected output");
	/* A relative path where git prints absolute ones. */
	fake_git_fails("printf 'sha1\\ntrue\\nfalse\\nsha1\\ng\\nsha1\\n/g\\n"
		       "sha1\\n/g/hooks\\nsha1\\n/g/index\\nsha1\\n\\nsha1\\n/t\\n'",
		       "unexpected output");
	/* Started, but not executable as a program: an error too. */
	scratch_sh("printf 'not a script' > fake/git");
	{
		struct gitdir g;
		struct err e;

		ck_assert_int_eq(gitdir_discover(&g, NULL, &e), -1);
		ck_assert_int_eq(g.state, GITDIR_ERROR);
		gitdir_release(&g);
	}
}
END_TEST

START_TEST(test_bad_dir)
{
	struct gitdir g;
	struct err e;

	ck_assert_int_eq(gitdir_discover(&g, at("missing"), &e), -1);
	ck_assert_int_eq(g.state, GITDIR_ERROR);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot run git"));
	gitdir_release(&g);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The file listing takes the struct's word.                         */

static int
has(const struct file_list *fl, const char *path)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		if (strcmp(fl->v[i], path) == 0)
			return 1;
	return 0;
}

START_TEST(test_files_follow_gitdir)
{
	struct gitdir g, none = GITDIR_INIT, broken = GITDIR_INIT;
	struct file_list fl;
	struct err e;

	make_repo("r");
	ck_assert_int_eq(chdir("r"), 0);
	scratch_sh("echo u > untracked.py");
	discover(&g, NULL);
	/* In a work tree: git ls-files, so no untracked file. */
	ck_assert_int_eq(files_list_in(&fl, &g, FILES_SOURCE_DEFAULT, NULL, 0,
				       &e), 0);
	ck_assert(has(&fl, "a.py"));
	ck_assert(!has(&fl, "untracked.py"));
	file_list_release(&fl);
	/* Told it is in none: the walk, untracked file and all. */
	ck_assert_int_eq(files_list_in(&fl, &none, FILES_SOURCE_DEFAULT, NULL,
				       0, &e), 0);
	ck_assert(has(&fl, "a.py"));
	ck_assert(has(&fl, "untracked.py"));
	file_list_release(&fl);
	ck_assert_int_eq(files_list_in(&fl, &none, FILES_SOURCE_STAGED, NULL,
				       0, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not in a git work tree"));
	file_list_release(&fl);
	/* A failed discovery fails what needs git, with its message... */
	broken.state = GITDIR_ERROR;
	broken.error = xstrdup("git rev-parse failed (exit status 3)");
	ck_assert_int_eq(files_list_in(&fl, &broken, FILES_SOURCE_DEFAULT,
				       NULL, 0, &e), -1);
	ck_assert_str_eq(e.msg, "git rev-parse failed (exit status 3)");
	file_list_release(&fl);
	/* ...and nothing else. */
	ck_assert_int_eq(files_list_in(&fl, &broken, FILES_SOURCE_ALL, NULL, 0,
				       &e), 0);
	ck_assert(has(&fl, "untracked.py"));
	file_list_release(&fl);
	gitdir_release(&broken);
	/* No second git run for the question: with no git in PATH, the
	 * struct still says "work tree", so ls-files is what fails. */
	setenv("PATH", "/nonexistent", 1);
	ck_assert_int_eq(files_list_in(&fl, &g, FILES_SOURCE_DEFAULT, NULL, 0,
				       &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "git ls-files"));
	file_list_release(&fl);
	/* While files_list (no struct) asks git itself: none, a walk. */
	ck_assert_int_eq(files_list(&fl, FILES_SOURCE_DEFAULT, NULL, 0, &e), 0);
	ck_assert(has(&fl, "untracked.py"));
	file_list_release(&fl);
	gitdir_release(&g);
}
END_TEST

/* A git listing run ahead is used for a work tree, dropped otherwise. */
START_TEST(test_files_prefetched)
{
	struct gitdir g, none = GITDIR_INIT;
	struct files_prefetch pf;
	struct file_list fl;
	struct err e;

	make_repo("r");
	ck_assert_int_eq(chdir("r"), 0);
	scratch_sh("echo u > untracked.py; echo s > staged.py; git add staged.py");
	files_prefetch_start(&pf, FILES_SOURCE_DEFAULT);
	ck_assert(pf.started);
	discover(&g, NULL);
	ck_assert_int_eq(files_list_prefetched(&fl, &g, FILES_SOURCE_DEFAULT,
					       NULL, 0, &pf, &e), 0);
	ck_assert(has(&fl, "a.py") && has(&fl, "staged.py"));
	ck_assert(!has(&fl, "untracked.py"));
	ck_assert_ptr_null(pf.job);             /* joined */
	file_list_release(&fl);

	files_prefetch_start(&pf, FILES_SOURCE_STAGED);
	ck_assert_int_eq(files_list_prefetched(&fl, &g, FILES_SOURCE_STAGED,
					       NULL, 0, &pf, &e), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_str_eq(fl.v[0], "staged.py");
	file_list_release(&fl);

	/* gitdir says none: the prefetch is dropped, the directory walked. */
	files_prefetch_start(&pf, FILES_SOURCE_DEFAULT);
	ck_assert_int_eq(files_list_prefetched(&fl, &none, FILES_SOURCE_DEFAULT,
					       NULL, 0, &pf, &e), 0);
	ck_assert(has(&fl, "untracked.py"));
	ck_assert_ptr_null(pf.job);
	file_list_release(&fl);

	/* Sources without git start nothing; a drop is safe twice. */
	files_prefetch_start(&pf, FILES_SOURCE_ALL);
	ck_assert(!pf.started);
	files_prefetch_drop(&pf);
	files_prefetch_start(&pf, FILES_SOURCE_DEFAULT);
	files_prefetch_drop(&pf);
	files_prefetch_drop(&pf);
	files_prefetch_drop(NULL);
	gitdir_release(&g);
}
END_TEST

static Suite *
gitdir_suite(void)
{
	Suite *s = suite_create("gitdir");
	TCase *tc = tcase_create("discover");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_outside);
	tcase_add_test(tc, test_files_prefetched);
	tcase_add_test(tc, test_top_and_below);
	tcase_add_test(tc, test_inside_git_dir);
	tcase_add_test(tc, test_bare);
	tcase_add_test(tc, test_git_dir_env);
	tcase_add_test(tc, test_linked_work_tree);
	tcase_add_test(tc, test_submodule);
	tcase_add_test(tc, test_hooks_path);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_ceiling);
	tcase_add_test(tc, test_no_git);
	tcase_add_test(tc, test_hostile_paths);
	tcase_add_test(tc, test_separator_in_path);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_git_misbehaves);
	tcase_add_test(tc, test_bad_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_files_follow_gitdir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gitdir_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
