/*
 * check_fingerprint.c - unit tests for fingerprint.[ch]: a file left
 * alone is the same; a change of size, mtime, mode, inode or existence
 * is seen; a same-size rewrite within the note's timestamp tick (its
 * mtime put back with utimensat) is seen through the content hash; an
 * old file is not hashed at all (the cost stays a stat).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"

Suite *fingerprint_suite(void);

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/check_fingerprint.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
}

static void
teardown(void)
{
	char cmd[128];

	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Rewrite in place (same inode), keeping the mtime it had. */
static void
rewrite_keep_mtime(const char *path, const char *text)
{
	struct stat st;
	struct timespec ts[2];

	ck_assert_int_eq(stat(path, &st), 0);
	put(path, text);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void
age(const char *path)
{
	struct timespec ts[2] = { { 946684800, 0 }, { 946684800, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void
note(struct fp_note *n, const char *path)
{
	struct timespec at;

	fingerprint_now(&at);
	fingerprint_note(n, path, &at);
}

START_TEST(test_unchanged)
{
	struct fp_note n;

	put("a", "hello\n");
	note(&n, "a");
	ck_assert_int_eq(n.exists, 1);
	ck_assert_int_eq(fingerprint_same(&n, "a"), 1);
	age("a");
	note(&n, "a");
	ck_assert_int_eq(fingerprint_same(&n, "a"), 1);
}
END_TEST

START_TEST(test_size_and_mtime)
{
	struct fp_note n;

	put("a", "hello\n");
	age("a");
	note(&n, "a");
	ck_assert_int_eq(n.hashed, 0);         /* old: a stat is enough */
	put("a", "hello, world\n");
	ck_assert_int_eq(fingerprint_same(&n, "a"), 0);

	age("a");
	note(&n, "a");
	put("a", "HELLO, WORLD\n");             /* same size, new mtime */
	ck_assert_int_eq(fingerprint_same(&n, "a"), 0);
}
END_TEST

START_TEST(test_racy_same_size_same_tick)
{
	struct fp_note n;

	/* Written just now: its mtime is the note's own second. */
	put("a", "aaaa\n");
	note(&n, "a");
	ck_assert_int_eq(n.hashed, 1);
	rewrite_keep_mtime("a", "bbbb\n");
	ck_assert_int_eq(fingerprint_same(&n, "a"), 0);

	/* The same bytes written back, same mtime: unchanged. */
	put("b", "same\n");
	note(&n, "b");
	rewrite_keep_mtime("b", "same\n");
	ck_assert_int_eq(fingerprint_same(&n, "b"), 1);
}
END_TEST

START_TEST(test_old_file_is_not_hashed)
{
	struct fp_note n;

	/* An old mtime puts a same-tick rewrite out of reach: such a file
	   is compared by its stat data only (what keeps notes cheap). */
	put("a", "aaaa\n");
	age("a");
	note(&n, "a");
	ck_assert_int_eq(n.hashed, 0);
	ck_assert_int_eq(n.size, 5);
}
END_TEST

START_TEST(test_mode_inode_existence)
{
	struct fp_note n;
	struct stat st;
	struct timespec ts[2];

	put("a", "x\n");
	age("a");
	note(&n, "a");
	ck_assert_int_eq(chmod("a", 0755), 0);
	ck_assert_int_eq(fingerprint_same(&n, "a"), 0);

	/* Replaced by a rename: same size and mtime, another inode. */
	put("b", "y\n");
	age("b");
	note(&n, "b");
	put("b.new", "z\n");
	ck_assert_int_eq(stat("b", &st), 0);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, "b.new", ts, 0), 0);
	ck_assert_int_eq(rename("b.new", "b"), 0);
	ck_assert_int_eq(fingerprint_same(&n, "b"), 0);

	/* Removed; absent at both ends; created. */
	note(&n, "b");
	ck_assert_int_eq(unlink("b"), 0);
	ck_assert_int_eq(fingerprint_same(&n, "b"), 0);
	note(&n, "gone");
	ck_assert_int_eq(n.exists, 0);
	ck_assert_int_eq(fingerprint_same(&n, "gone"), 1);
	put("gone", "");
	ck_assert_int_eq(fingerprint_same(&n, "gone"), 0);
}
END_TEST

START_TEST(test_symlink_not_followed)
{
	struct fp_note n;

	put("t", "target\n");
	ck_assert_int_eq(symlink("t", "l"), 0);
	note(&n, "l");
	ck_assert(S_ISLNK(n.mode));
	ck_assert_int_eq(n.hashed, 0);
	put("t", "target changed\n");   /* the link itself is the same */
	ck_assert_int_eq(fingerprint_same(&n, "l"), 1);
}
END_TEST

START_TEST(test_take_and_changed)
{
	static const char *const paths[] = { "a", "b", "c", "d" };
	struct fingerprint fp;
	size_t *idx, n;

	put("a", "1\n");
	put("b", "2\n");
	put("c", "3\n");
	put("d", "4\n");
	fingerprint_take(&fp, paths, 4);
	idx = fingerprint_changed(&fp, &n);
	ck_assert_ptr_null(idx);
	ck_assert_uint_eq(n, 0);
	rewrite_keep_mtime("b", "9\n");
	ck_assert_int_eq(unlink("d"), 0);
	idx = fingerprint_changed(&fp, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(idx[0], 1);
	ck_assert_uint_eq(idx[1], 3);
	free(idx);
	fingerprint_release(&fp);
	fingerprint_take(&fp, NULL, 0);
	idx = fingerprint_changed(&fp, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(idx);
	fingerprint_release(&fp);
}
END_TEST

/* Paths in directories, neighbours and not, the same as at the top. */
START_TEST(test_take_in_directories)
{
	static const char *const paths[] = {
		"d/x", "d/y", "d/e/z", "top", "d/w", "missing/q", "d/e/v"
	};
	struct fingerprint fp;
	size_t *idx, n;

	ck_assert_int_eq(mkdir("d", 0755), 0);
	ck_assert_int_eq(mkdir("d/e", 0755), 0);
	put("d/x", "x\n");
	put("d/y", "y\n");
	put("d/e/z", "z\n");
	put("top", "t\n");
	put("d/w", "w\n");
	put("d/e/v", "v\n");
	fingerprint_take(&fp, paths, 7);
	ck_assert_int_eq(fp.notes[0].exists, 1);
	ck_assert_int_eq(fp.notes[2].exists, 1);
	ck_assert_int_eq(fp.notes[5].exists, 0);
	ck_assert_int_eq(fp.notes[6].exists, 1);
	idx = fingerprint_changed(&fp, &n);
	ck_assert_uint_eq(n, 0);
	rewrite_keep_mtime("d/e/z", "Z\n");
	rewrite_keep_mtime("d/w", "W\n");
	put("missing", "now a file\n");
	idx = fingerprint_changed(&fp, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(idx[0], 2);
	ck_assert_uint_eq(idx[1], 4);
	free(idx);
	fingerprint_release(&fp);
}
END_TEST

Suite *
fingerprint_suite(void)
{
	Suite *s = suite_create("fingerprint");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_size_and_mtime);
	tcase_add_test(tc, test_racy_same_size_same_tick);
	tcase_add_test(tc, test_old_file_is_not_hashed);
	tcase_add_test(tc, test_mode_inode_existence);
	tcase_add_test(tc, test_symlink_not_followed);
	tcase_add_test(tc, test_take_and_changed);
	tcase_add_test(tc, test_take_in_directories);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fingerprint_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
