/*
 * check_content_id.c - content ids: git's blob id for clean tracked
 * files (equal to `git hash-object`), SHA-256 (equal to `sha256sum`)
 * for modified, untracked and outside-git files, a stat-dirty file
 * with its old content still git's, symlinks never followed, missing
 * and odd files without an id, a run in a subdirectory, index mode not
 * reading the work tree, files git skips (assume-unchanged), the end
 * of line conversions that make git's view untrustworthy, and the
 * threaded prefetch.
 *
 * Each test runs in its own forked process (Check) and a fresh
 * directory, with git isolated from the user's configuration.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "content_id.h"
#include "gitdir.h"
#include "scratch.h"

static const char *tmpdir;

/* PREFIX + the first word a shell command prints, malloc'd. */
static char *
word_of(const char *prefix, const char *cmd)
{
	char *line = scratch_sh_out(cmd), *w;

	line[strcspn(line, " ")] = '\0';
	w = xasprintf("%s%s", prefix, line);
	free(line);
	return w;
}

static char *
blob_of(const char *path)
{
	char *cmd = xasprintf("git hash-object -- '%s'", path), *w;

	w = word_of("g", cmd);
	free(cmd);
	return w;
}

static char *
sha_of(const char *path)
{
	char *cmd = xasprintf("sha256sum < '%s'", path), *w;

	w = word_of("s", cmd);
	free(cmd);
	return w;
}

#define EXPECT_ID(c, path, want) do {                                   \
	char *w_ = (want);                                              \
	const char *got_ = content_id((c), (path));                     \
	ck_assert_msg(got_ != NULL, "%s: no id", (path));               \
	ck_assert_str_eq(got_, w_);                                     \
	free(w_);                                                       \
} while (0)

static void
setup(void)
{
	tmpdir = scratch_enter("check_content_id");
	scratch_git_isolate(tmpdir);
}

static void
teardown(void)
{
	scratch_leave();
}

/* A repository here with a.txt, b.txt and sub/x.txt, sub/y.txt committed. */
static void
make_repo(void)
{
	scratch_sh("git init -q -b main . && mkdir sub && echo alpha > a.txt && "
		   "echo beta > b.txt && echo ex > sub/x.txt && echo why > sub/y.txt && "
		   "printf 'sp\\n' > 'with space.txt' && "
		   "git add . && git commit -q -m one");
}

static struct content_ids *
open_here(int index_mode)
{
	struct gitdir g = GITDIR_INIT;
	struct content_ids *c;
	struct err e;

	ck_assert_int_eq(gitdir_discover(&g, NULL, &e), 0);
	memset(&e, 0, sizeof(e));
	c = content_ids_open(&g, index_mode, &e);
	ck_assert_msg(c != NULL, "content_ids_open: %s", e.msg);
	gitdir_release(&g);
	return c;
}

START_TEST(test_clean_tracked)
{
	struct content_ids *c;
	const char *id;

	make_repo();
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 1);
	EXPECT_ID(c, "a.txt", blob_of("a.txt"));
	EXPECT_ID(c, "sub/x.txt", blob_of("sub/x.txt"));
	EXPECT_ID(c, "with space.txt", blob_of("with space.txt"));
	/* The same answer, from memory, the second time. */
	id = content_id(c, "a.txt");
	ck_assert_ptr_eq(content_id(c, "a.txt"), id);
	content_ids_close(c);
}
END_TEST

START_TEST(test_modified_untracked)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("echo more >> a.txt && echo more >> 'with space.txt' && "
		   "echo new > new.txt");
	c = open_here(0);
	EXPECT_ID(c, "a.txt", sha_of("a.txt"));
	EXPECT_ID(c, "with space.txt", sha_of("with space.txt"));
	EXPECT_ID(c, "new.txt", sha_of("new.txt"));
	EXPECT_ID(c, "b.txt", blob_of("b.txt"));
	content_ids_close(c);
}
END_TEST

/* Touched, or changed and changed back: stat-dirty, content git's. */
START_TEST(test_reverted)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("echo other > a.txt && echo alpha > a.txt && "
		   "touch -d '2001-02-03 04:05:06' a.txt b.txt");
	c = open_here(0);
	EXPECT_ID(c, "a.txt", blob_of("a.txt"));
	EXPECT_ID(c, "b.txt", blob_of("b.txt"));
	content_ids_close(c);
}
END_TEST

START_TEST(test_symlink_missing_odd)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("ln -s a.txt link && ln -s nowhere dangling && mkfifo fifo && "
		   "mkdir dir && ln -s sub dirlink");
	c = open_here(0);
	EXPECT_ID(c, "link", word_of("l", "printf %s a.txt | sha256sum"));
	EXPECT_ID(c, "dangling", word_of("l", "printf %s nowhere | sha256sum"));
	EXPECT_ID(c, "dirlink", word_of("l", "printf %s sub | sha256sum"));
	ck_assert_ptr_null(content_id(c, "missing"));
	ck_assert_ptr_null(content_id(c, "sub/missing"));
	ck_assert_ptr_null(content_id(c, "fifo"));     /* and no hang */
	ck_assert_ptr_null(content_id(c, "dir"));
	ck_assert_ptr_null(content_id(c, "sub"));
	/* A tracked file deleted from the work tree has no id. */
	scratch_sh("rm sub/y.txt");
	content_ids_close(c);
	c = open_here(0);
	ck_assert_ptr_null(content_id(c, "sub/y.txt"));
	content_ids_close(c);
}
END_TEST

/* A tracked symlink git finds unchanged gets its blob id. */
START_TEST(test_tracked_symlink)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("ln -s a.txt link && git add link && git commit -q -m link");
	c = open_here(0);
	EXPECT_ID(c, "link", word_of("g", "git rev-parse :link"));
	content_ids_close(c);
	scratch_sh("ln -sf b.txt link");
	c = open_here(0);
	EXPECT_ID(c, "link", word_of("l", "printf %s b.txt | sha256sum"));
	content_ids_close(c);
}
END_TEST

/* Paths relative to a subdirectory; status's are from the top. */
START_TEST(test_subdirectory)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("echo changed > sub/y.txt && echo changed > a.txt");
	ck_assert_int_eq(chdir("sub"), 0);
	c = open_here(0);
	EXPECT_ID(c, "x.txt", blob_of("x.txt"));
	EXPECT_ID(c, "y.txt", sha_of("y.txt"));
	EXPECT_ID(c, "../a.txt", sha_of("../a.txt"));
	content_ids_close(c);
	ck_assert_int_eq(chdir(tmpdir), 0);
}
END_TEST

/* A staged run: the index's blob ids, the work tree not read. */
START_TEST(test_index_mode)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("echo staged > a.txt && git add a.txt && echo unstaged > a.txt && "
		   "echo new > new.txt");
	c = open_here(1);
	EXPECT_ID(c, "a.txt", word_of("g", "git rev-parse :a.txt"));
	EXPECT_ID(c, "b.txt", word_of("g", "git rev-parse :b.txt"));
	EXPECT_ID(c, "new.txt", sha_of("new.txt"));
	content_ids_close(c);
	c = open_here(0);
	EXPECT_ID(c, "a.txt", sha_of("a.txt"));
	content_ids_close(c);
}
END_TEST

START_TEST(test_outside_git)
{
	struct gitdir g = GITDIR_INIT;
	struct content_ids *c;
	struct err e;

	scratch_sh("echo plain > p.txt && ln -s p.txt l");
	c = content_ids_open(NULL, 0, &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(content_ids_use_git(c), 0);
	EXPECT_ID(c, "p.txt", sha_of("p.txt"));
	EXPECT_ID(c, "l", word_of("l", "printf %s p.txt | sha256sum"));
	content_ids_close(c);

	ck_assert_int_eq(gitdir_discover(&g, NULL, &e), 0);
	ck_assert_int_eq(g.state, GITDIR_NONE);
	c = content_ids_open(&g, 0, &e);
	ck_assert_ptr_nonnull(c);
	EXPECT_ID(c, "p.txt", sha_of("p.txt"));
	content_ids_close(c);
	gitdir_release(&g);

	g.state = GITDIR_ERROR;
	g.error = xstrdup("git said nonsense");
	ck_assert_ptr_null(content_ids_open(&g, 0, &e));
	ck_assert_str_eq(e.msg, "git said nonsense");
	gitdir_release(&g);
}
END_TEST

/* Files git does not look at are never taken on its word. */
START_TEST(test_assume_unchanged)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("git update-index --assume-unchanged a.txt && echo changed > a.txt");
	c = open_here(0);
	EXPECT_ID(c, "a.txt", sha_of("a.txt"));
	EXPECT_ID(c, "b.txt", blob_of("b.txt"));
	content_ids_close(c);
}
END_TEST

/*
 * With `text=auto`, a file turned to CRLF and added again is the same
 * blob: git's id would hide the change, so every file is hashed.
 */
START_TEST(test_conversions)
{
	struct content_ids *c;

	make_repo();
	scratch_sh("printf '*.png binary\\n# text here is a comment\\n*.c -text\\n' "
		   "> .gitattributes && git add .gitattributes && git commit -q -m attrs");
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 1);
	content_ids_close(c);

	scratch_sh("printf '* text=auto\\n' > sub/.gitattributes && "
		   "git add sub/.gitattributes && git commit -q -m auto && "
		   "printf 'ex\\r\\n' > sub/x.txt && git add sub/x.txt");
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 0);
	EXPECT_ID(c, "sub/x.txt", sha_of("sub/x.txt"));
	EXPECT_ID(c, "a.txt", sha_of("a.txt"));
	content_ids_close(c);

	/* Seen from below: the top's .gitattributes (not listed there). */
	scratch_sh("git rm -q --cached sub/.gitattributes && rm sub/.gitattributes");
	ck_assert_int_eq(chdir("sub"), 0);
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 1);
	content_ids_close(c);
	scratch_sh("printf '* text=auto\\n' >> ../.gitattributes");
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 0);
	EXPECT_ID(c, "x.txt", sha_of("x.txt"));
	content_ids_close(c);
	ck_assert_int_eq(chdir(tmpdir), 0);
	scratch_sh("git checkout -q .gitattributes && mkdir -p .git/info && "
		   "printf '*.txt eol=crlf\\n' > .git/info/attributes");
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 0);
	content_ids_close(c);
	scratch_sh("rm .git/info/attributes && git config core.autocrlf input");
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 0);
	content_ids_close(c);
	scratch_sh("git config core.autocrlf false");
	c = open_here(0);
	ck_assert_int_eq(content_ids_use_git(c), 1);
	content_ids_close(c);
}
END_TEST

START_TEST(test_prefetch)
{
	struct content_ids *c;
	const char *paths[64];
	char *names[60];
	size_t i;

	make_repo();
	for (i = 0; i < 60; i++) {
		names[i] = xasprintf("f%02zu", i);
		scratch_sh("seq %zu > %s", i * 100, names[i]);
		paths[i] = names[i];
	}
	paths[60] = "a.txt";
	paths[61] = "missing";
	paths[62] = "f00";              /* twice */
	paths[63] = "sub/x.txt";
	scratch_sh("echo changed > a.txt");
	c = open_here(0);
	content_ids_prefetch(c, paths, 64);
	content_ids_prefetch(c, paths, 64);     /* nothing left to do */
	for (i = 0; i < 60; i++)
		EXPECT_ID(c, names[i], sha_of(names[i]));
	EXPECT_ID(c, "a.txt", sha_of("a.txt"));
	EXPECT_ID(c, "sub/x.txt", blob_of("sub/x.txt"));
	ck_assert_ptr_null(content_id(c, "missing"));
	content_ids_close(c);
	for (i = 0; i < 60; i++)
		free(names[i]);
}
END_TEST

static Suite *
content_id_suite(void)
{
	Suite *s = suite_create("content_id");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean_tracked);
	tcase_add_test(tc, test_modified_untracked);
	tcase_add_test(tc, test_reverted);
	tcase_add_test(tc, test_symlink_missing_odd);
	tcase_add_test(tc, test_tracked_symlink);
	tcase_add_test(tc, test_subdirectory);
	tcase_add_test(tc, test_index_mode);
	tcase_add_test(tc, test_outside_git);
	tcase_add_test(tc, test_assume_unchanged);
	tcase_add_test(tc, test_conversions);
	tcase_add_test(tc, test_prefetch);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(content_id_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
