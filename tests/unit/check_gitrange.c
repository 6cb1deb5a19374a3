/*
 * check_gitrange.c - the files git says changed: --from-ref/--to-ref
 * with merge-base semantics, --changed (untracked, ignored, deleted,
 * renamed), pre-push ref lines (update, new ref, deleted ref, a remote
 * sha this repository lacks, SHA-256 lengths, malformed input), and
 * paths relative to a subdirectory.
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

#include "buf.h"
#include "gitrange.h"
#include "scratch.h"

static void
setup(void)
{
	scratch_git_isolate(scratch_enter("check_gitrange"));
	scratch_sh("git init -q -b main . && git commit -q --allow-empty -m root");
}

static void
teardown(void)
{
	scratch_leave();
}

/* The list as "a b c", sorted, in a static buffer. */
static const char *
joined(const struct file_list *fl)
{
	static char out[4096];
	char **v = xcalloc(fl->n + 1, sizeof(*v));
	size_t i, j;

	if (fl->n > 0)
		memcpy(v, fl->v, fl->n * sizeof(*v));
	for (i = 1; i < fl->n; i++)     /* insertion sort: a few names */
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < fl->n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, v[i]);
	}
	free(v);
	return out;
}

#define EXPECT_FILES(call, want) do {                                        \
	struct file_list fl_;                                               \
	struct err e_;                                                      \
	e_.msg[0] = '\0';                                                   \
	ck_assert_msg((call) == 0, "failed: %s", e_.msg);                   \
	ck_assert_str_eq(joined(&fl_), (want));                             \
	file_list_release(&fl_);                                            \
} while (0)

#define EXPECT_ERROR(call, sub) do {                                         \
	struct file_list fl_;                                               \
	struct err e_;                                                      \
	e_.msg[0] = '\0';                                                   \
	ck_assert_int_eq((call), -1);                                       \
	ck_assert_msg(strstr(e_.msg, (sub)) != NULL, "message '%s' lacks '%s'", \
		      e_.msg, (sub));                                       \
	file_list_release(&fl_);                                            \
} while (0)

/* main: base; topic (from base): t1, then base.txt changed, gone.txt
   added and removed; main then m1. */
static void
branched(void)
{
	scratch_sh("echo b > base.txt && git add . && git commit -q -m base &&"
		   " git checkout -q -b topic && echo t > t1.txt && echo g > gone.txt &&"
		   " git add . && git commit -q -m t1 && echo b2 > base.txt &&"
		   " git rm -q gone.txt && git add . && git commit -q -m t2 &&"
		   " git checkout -q main && echo m > m1.txt && git add . &&"
		   " git commit -q -m m1");
}

START_TEST(test_from_to)
{
	branched();
	scratch_sh("git checkout -q topic");
	/* Since the merge base: m1.txt (main's own) is not topic's change. */
	EXPECT_FILES(gitrange_from_to(&fl_, "main", "topic", &e_),
		     "base.txt t1.txt");
	EXPECT_FILES(gitrange_from_to(&fl_, "main", NULL, &e_),
		     "base.txt t1.txt");
	/* The other way: main's change, m1.txt, not in topic's work tree. */
	EXPECT_FILES(gitrange_from_to(&fl_, "topic", "main", &e_), "");
	scratch_sh("git checkout -q main");
	EXPECT_FILES(gitrange_from_to(&fl_, "topic", "main", &e_), "m1.txt");
	EXPECT_FILES(gitrange_from_to(&fl_, "main", "main", &e_), "");
	EXPECT_ERROR(gitrange_from_to(&fl_, "nope", NULL, &e_),
		     "unknown revision 'nope'");
	EXPECT_ERROR(gitrange_from_to(&fl_, "main", "nope", &e_),
		     "--to-ref: unknown revision 'nope'");
	EXPECT_ERROR(gitrange_from_to(&fl_, "--output=x", NULL, &e_),
		     "bad revision");
	ck_assert_int_ne(access("x", F_OK), 0);
	/* Unrelated histories have no merge base. */
	scratch_sh("git checkout -q --orphan other && git rm -q -r --cached . &&"
		   " git commit -q --allow-empty -m other");
	EXPECT_ERROR(gitrange_from_to(&fl_, "main", "other", &e_),
		     "no common ancestor");
}
END_TEST

START_TEST(test_subdirectory)
{
	scratch_sh("mkdir -p sub/in && echo a > top.txt && echo b > sub/in/b.txt &&"
		   " git add . && git commit -q -m two");
	ck_assert_int_eq(chdir("sub"), 0);
	EXPECT_FILES(gitrange_from_to(&fl_, "HEAD~1", NULL, &e_), "in/b.txt");
	scratch_sh("echo c > in/new.txt && echo d > ../top.txt");
	EXPECT_FILES(gitrange_changed(&fl_, &e_), "in/new.txt");
}
END_TEST

START_TEST(test_changed)
{
	scratch_sh("printf '*.log\\n' > .gitignore && echo r > r_old.txt &&"
		   " echo q > q_old.txt && echo d > d.txt && echo m > mod.txt &&"
		   " echo s > staged.txt && echo k > kept.txt && echo x > both.txt &&"
		   " git add . && git commit -q -m base &&"
		   " echo m2 > mod.txt && echo s2 > staged.txt && git add staged.txt &&"
		   " echo x2 > both.txt && git add both.txt && echo x > both.txt &&"
		   " echo u > untracked.txt && echo i > ignored.log && rm d.txt &&"
		   " git mv r_old.txt r_new.txt && mv q_old.txt q_new.txt &&"
		   " git rm -q --cached kept.txt");
	/* both.txt: staged, then put back as HEAD has it: the index still
	   differs. kept.txt: removed from the index only, still in the work
	   tree (and now untracked). */
	EXPECT_FILES(gitrange_changed(&fl_, &e_),
		     "both.txt kept.txt mod.txt q_new.txt r_new.txt staged.txt untracked.txt");
}
END_TEST

START_TEST(test_changed_unborn)
{
	scratch_sh("rm -rf .git && git init -q -b main && echo a > a.txt && echo b > b.txt &&"
		   " git add a.txt");
	EXPECT_FILES(gitrange_changed(&fl_, &e_), "a.txt b.txt");
}
END_TEST

/* The push line for ref `ref` from local `l` to remote `r` (shas). */
static char *
push_line(const char *ref, const char *l, const char *r)
{
	return xasprintf("refs/heads/%s %s refs/heads/%s %s\n", ref, l, ref, r);
}

#define ZERO "0000000000000000000000000000000000000000"

START_TEST(test_pre_push)
{
	char *base, *head, *topic, *in, *in2;

	scratch_sh("git init -q --bare remote.git && echo remote.git >> .git/info/exclude &&"
		   " git remote add origin ./remote.git &&"
		   " echo a > a.txt && echo b > b.txt && git add . && git commit -q -m ab");
	/* A new ref with no remote ref at all: every commit's files. */
	head = scratch_sh_out("git rev-parse HEAD");
	in = push_line("main", head, ZERO);
	EXPECT_FILES(gitrange_pre_push(&fl_, in, strlen(in), &e_), "a.txt b.txt");
	free(in);
	scratch_sh("git push -q origin main 2>/dev/null");
	base = head;
	scratch_sh("echo a2 > a.txt && git rm -q b.txt && git commit -q -am two");
	head = scratch_sh_out("git rev-parse HEAD");
	/* An update: remote sha to local sha; the deleted b.txt left out. */
	in = push_line("main", head, base);
	EXPECT_FILES(gitrange_pre_push(&fl_, in, strlen(in), &e_), "a.txt");
	free(in);
	/* A new branch: only what no remote ref holds (origin/main has ab). */
	scratch_sh("git checkout -q -b topic && mkdir d && echo t > d/t.txt &&"
		   " git add d && git commit -q -m t");
	topic = scratch_sh_out("git rev-parse HEAD");
	in = push_line("topic", topic, ZERO);
	EXPECT_FILES(gitrange_pre_push(&fl_, in, strlen(in), &e_),
		     "a.txt d/t.txt");
	/* Two lines at once (and a blank one): the union. */
	in2 = xasprintf("%s\n%s", in, in);
	EXPECT_FILES(gitrange_pre_push(&fl_, in2, strlen(in2), &e_),
		     "a.txt d/t.txt");
	free(in2);
	free(in);
	/* A deleted ref: nothing. */
	in = push_line("topic", ZERO, topic);
	EXPECT_FILES(gitrange_pre_push(&fl_, in, strlen(in), &e_), "");
	free(in);
	/* A remote sha this repository never had: as a new ref. */
	in = push_line("topic", topic, "1234567890123456789012345678901234567890");
	EXPECT_FILES(gitrange_pre_push(&fl_, in, strlen(in), &e_),
		     "a.txt d/t.txt");
	free(in);
	/* SHA-256 lengths of zeros are zeros too. */
	in = xasprintf("refs/heads/x %s%s refs/heads/x %s\n", ZERO,
		       "000000000000000000000000", topic);
	EXPECT_FILES(gitrange_pre_push(&fl_, in, strlen(in), &e_), "");
	free(in);
	EXPECT_FILES(gitrange_pre_push(&fl_, "", 0, &e_), "");
	EXPECT_ERROR(gitrange_pre_push(&fl_, "refs/heads/x 12 refs/heads/x 34\n",
				       32, &e_), "LOCAL_REF LOCAL_SHA");
	EXPECT_ERROR(gitrange_pre_push(&fl_, "a b c\n", 6, &e_), "LOCAL_REF");
	EXPECT_ERROR(gitrange_pre_push(&fl_, "a\0b", 3, &e_), "NUL");
	free(base);
	free(head);
	free(topic);
}
END_TEST

static Suite *
gitrange_suite(void)
{
	Suite *s = suite_create("gitrange");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_from_to);
	tcase_add_test(tc, test_subdirectory);
	tcase_add_test(tc, test_changed);
	tcase_add_test(tc, test_changed_unborn);
	tcase_add_test(tc, test_pre_push);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gitrange_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
