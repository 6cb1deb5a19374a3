/*
 * check_cache_key.c - a hook's cache key: equal for equal hooks,
 * different for each thing the result depends on (command, env, cwd,
 * patterns, the program's size and mtime, cache_key's output and
 * status, the inputs files and which files match them); where the
 * program is found (env and assignments skipped, PATH from the hook's
 * env, a relative path, builtins); the whole-set key (renames, content
 * changes, added files, order of the given paths).
 *
 * Each test runs in its own forked process (Check) and a fresh
 * directory, outside git (content ids are SHA-256 of the files).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_key.h"
#include "content_id.h"
#include "scratch.h"

static const char *tmpdir;
static char path_var[3 * PATH_MAX];
static char *test_environ[3];

static void
setup(void)
{
	tmpdir = scratch_enter("check_cache_key");
	scratch_sh("mkdir bin bin2 sub && printf '#!/bin/sh\\nexit 0\\n' > bin/prog && "
		   "chmod +x bin/prog && cp bin/prog bin2/prog && cp bin/prog tool");
	snprintf(path_var, sizeof(path_var), "PATH=%s/bin:/bin:/usr/bin", tmpdir);
	test_environ[0] = path_var;
	test_environ[1] = (char *)"LANG=C";
	test_environ[2] = NULL;
}

static void
teardown(void)
{
	scratch_leave();
}

static char *base_env[] = { (char *)"A=1", (char *)"B=2" };
static char *base_files[] = { (char *)"*.c", (char *)"*.h" };
static char *base_exclude[] = { (char *)"gen/*" };

static void
base_desc(struct cache_hook_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->command = "prog --check";
	d->env = base_env;
	d->nenv = 2;
	d->cwd = NULL;
	d->files = base_files;
	d->nfiles = 2;
	d->exclude = base_exclude;
	d->nexclude = 1;
	d->hook_dir = tmpdir;
	d->environ = test_environ;
}

/* The key of `d` as hex, in one of four rotating static buffers. */
static const char *
key(const struct cache_hook_desc *d)
{
	static char out[4][2 * CACHE_KEY_LEN + 1];
	static int next;
	unsigned char k[CACHE_KEY_LEN];
	struct err e;
	char *o = out[next++ % 4];

	memset(&e, 0, sizeof(e));
	ck_assert_msg(cache_key_hook(k, d, NULL, NULL, &e) == 0,
		      "cache_key_hook: %s", e.msg);
	cache_key_hex(o, k);
	ck_assert_uint_eq(strlen(o), 2 * CACHE_KEY_LEN);
	return o;
}

/* Set a file's mtime to `sec` seconds and `nsec`. */
static void
set_mtime(const char *path, long sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

START_TEST(test_equal)
{
	struct cache_hook_desc a, b;
	char key_a[2 * CACHE_KEY_LEN + 1];
	static char *env2[] = { (char *)"A=1", (char *)"B=2" };

	base_desc(&a);
	base_desc(&b);
	b.env = env2;           /* equal strings elsewhere */
	snprintf(key_a, sizeof(key_a), "%s", key(&a));
	ck_assert_str_eq(key(&b), key_a);
	ck_assert_str_eq(key(&a), key_a);
	/* No cwd and an empty one are the same. */
	b.cwd = "";
	ck_assert_str_eq(key(&b), key_a);
}
END_TEST

START_TEST(test_fields)
{
	struct cache_hook_desc d;
	char k0[2 * CACHE_KEY_LEN + 1];
	static char *env_changed[] = { (char *)"A=1", (char *)"B=3" };
	static char *env_more[] = { (char *)"A=1", (char *)"B=2", (char *)"C=" };
	static char *files_changed[] = { (char *)"*.c", (char *)"*.hh" };
	static char *files_moved[] = { (char *)"*.c *.h" };
	static char *exclude_changed[] = { (char *)"gen/**" };

	base_desc(&d);
	snprintf(k0, sizeof(k0), "%s", key(&d));

	d.command = "prog --check ";
	ck_assert_str_ne(key(&d), k0);
	base_desc(&d);
	d.env = env_changed;
	ck_assert_str_ne(key(&d), k0);
	d.env = env_more;
	d.nenv = 3;
	ck_assert_str_ne(key(&d), k0);
	base_desc(&d);
	d.cwd = "sub";
	ck_assert_str_ne(key(&d), k0);
	base_desc(&d);
	d.files = files_changed;
	ck_assert_str_ne(key(&d), k0);
	/* Framing: two patterns are not one with a space. */
	d.files = files_moved;
	d.nfiles = 1;
	ck_assert_str_ne(key(&d), k0);
	base_desc(&d);
	d.exclude = exclude_changed;
	ck_assert_str_ne(key(&d), k0);
	base_desc(&d);
	d.nexclude = 0;
	ck_assert_str_ne(key(&d), k0);
	base_desc(&d);
	ck_assert_str_eq(key(&d), k0);
}
END_TEST

START_TEST(test_program_identity)
{
	struct cache_hook_desc d;
	char k0[2 * CACHE_KEY_LEN + 1], k1[2 * CACHE_KEY_LEN + 1];

	base_desc(&d);
	set_mtime("bin/prog", 1000000000, 1);
	snprintf(k0, sizeof(k0), "%s", key(&d));
	set_mtime("bin/prog", 1000000000, 2);   /* nanoseconds count */
	snprintf(k1, sizeof(k1), "%s", key(&d));
	ck_assert_str_ne(k1, k0);
	set_mtime("bin/prog", 1000000000, 1);
	ck_assert_str_eq(key(&d), k0);
	/* The same mtime, another size. */
	scratch_sh("echo '# more' >> bin/prog");
	set_mtime("bin/prog", 1000000000, 1);
	ck_assert_str_ne(key(&d), k0);
	/* Another program of the same name earlier on PATH. */
	snprintf(k0, sizeof(k0), "%s", key(&d));
	scratch_sh("cp -p bin/prog bin2/prog");
	snprintf(path_var, sizeof(path_var), "PATH=%s/bin2:%s/bin", tmpdir,
		 tmpdir);
	ck_assert_str_ne(key(&d), k0);
}
END_TEST

/* Where the program is found. */
START_TEST(test_resolve)
{
	struct cache_hook_desc d;
	static char *env_path[] = { (char *)"A=1", (char *)"PATH=bin2" };
	char *want, *want2, *tool, *got;

	base_desc(&d);
	want = xasprintf("%s/bin/prog", tmpdir);
	want2 = xasprintf("%s/bin2/prog", tmpdir);
	tool = xasprintf("%s/tool", tmpdir);

#define RESOLVES(cmd, expect) do {                                      \
	d.command = (cmd);                                              \
	got = cache_key_program(&d);                                    \
	if ((expect) == NULL)                                           \
		ck_assert_msg(got == NULL, "%s: %s", (cmd), got);       \
	else {                                                          \
		ck_assert_msg(got != NULL, "%s: not found", (cmd));     \
		ck_assert_str_eq(got, (expect));                        \
	}                                                               \
	free(got);                                                      \
} while (0)

	RESOLVES("prog", want);
	RESOLVES("  prog a b", want);
	RESOLVES("FOO=1 env -i prog", want);
	RESOLVES("FOO=1 BAR=x/y env -i -u HOME X=2 -- prog --x", want);
	RESOLVES("/usr/bin/env prog", want);
	RESOLVES("PATH=bin2 prog", want2);
	RESOLVES("./tool", tool);
	RESOLVES("tool", (const char *)NULL);   /* not on PATH */
	RESOLVES("echo hi", (const char *)NULL); /* a builtin */
	RESOLVES("env echo hi", "/bin/echo");   /* env's, not the shell's */
	/* A path quoted as one plain string is the path. */
	RESOLVES("'prog' x", want);
	RESOLVES("\"prog\" x", want);
	RESOLVES("\"./tool\"", tool);
	RESOLVES("\"$PROG\" x", (const char *)NULL);
	RESOLVES("\"pr\"og x", (const char *)NULL);
	RESOLVES("\"\" x", (const char *)NULL);
	RESOLVES("$PROG x", (const char *)NULL);
	RESOLVES("", (const char *)NULL);
	RESOLVES("env -S 'prog x'", (const char *)NULL);
	RESOLVES("nosuchprogram", (const char *)NULL);
	RESOLVES("bin", (const char *)NULL);    /* a directory */
	d.env = env_path;
	RESOLVES("prog", want2);
	d.hook_dir = "/";       /* PATH=bin2 relative to where it runs */
	RESOLVES("prog", (const char *)NULL);
	free(want);
	free(want2);
	free(tool);
}
END_TEST

/* A builtin or a word not found: its text is the identity. */
START_TEST(test_word_identity)
{
	struct cache_hook_desc d;
	char k0[2 * CACHE_KEY_LEN + 1];

	base_desc(&d);
	d.command = "nosuchprogram x";
	snprintf(k0, sizeof(k0), "%s", key(&d));
	ck_assert_str_eq(key(&d), k0);
	d.command = "nosuchprogra x";
	ck_assert_str_ne(key(&d), k0);
	d.command = "./tool";
	snprintf(k0, sizeof(k0), "%s", key(&d));
	scratch_sh("echo '# more' >> tool");
	ck_assert_str_ne(key(&d), k0);
}
END_TEST

START_TEST(test_cache_key_command)
{
	struct cache_hook_desc d;
	char k0[2 * CACHE_KEY_LEN + 1];
	unsigned char k[CACHE_KEY_LEN];
	static char *env_v[] = { (char *)"V=1" };
	struct err e;
	char *sub = xasprintf("%s/sub", tmpdir);

	base_desc(&d);
	d.cache_key = "echo v1";
	snprintf(k0, sizeof(k0), "%s", key(&d));
	ck_assert_str_eq(key(&d), k0);
	/* It replaces the program's identity. */
	set_mtime("bin/prog", 1200000000, 0);
	ck_assert_str_eq(key(&d), k0);
	d.cache_key = "echo v2";
	ck_assert_str_ne(key(&d), k0);
	/* Its output, not its text, when the text changes the same way. */
	d.cache_key = "echo v1 ";
	ck_assert_str_ne(key(&d), k0);
	/* It runs in the hook's directory with the hook's env. */
	scratch_sh("echo inside > sub/version");
	d.hook_dir = sub;
	d.cache_key = "cat version; echo $V";
	snprintf(k0, sizeof(k0), "%s", key(&d));
	scratch_sh("echo inside2 > sub/version");
	ck_assert_str_ne(key(&d), k0);
	snprintf(k0, sizeof(k0), "%s", key(&d));
	d.env = env_v;
	d.nenv = 1;
	ck_assert_str_ne(key(&d), k0);

	/* Failing: no key, and a message for the warning. */
	base_desc(&d);
	d.cache_key = "echo partial; exit 3";
	ck_assert_int_eq(cache_key_hook(k, &d, NULL, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "cache_key exited 3");
	d.cache_key = "kill -9 $$";
	ck_assert_int_eq(cache_key_hook(k, &d, NULL, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "cache_key was killed by signal 9");
	d.cache_key = "true";
	d.hook_dir = "/nonexistent/dir";
	ck_assert_int_eq(cache_key_hook(k, &d, NULL, NULL, &e), -1);
	ck_assert_msg(strncmp(e.msg, "cannot run cache_key: ", 22) == 0,
		      "%s", e.msg);
	free(sub);
}
END_TEST

START_TEST(test_inputs)
{
	struct cache_hook_desc d;
	char k0[2 * CACHE_KEY_LEN + 1], k_none[2 * CACHE_KEY_LEN + 1];

	base_desc(&d);
	snprintf(k_none, sizeof(k_none), "%s", key(&d));
	d.inputs = "  pyproject.toml\n .shellcheckrc conf/*.ini ";
	/* Patterns that match nothing still differ from none. */
	ck_assert_str_ne(key(&d), k_none);
	scratch_sh("echo a > pyproject.toml && mkdir -p conf deep/er && "
		   "echo x > conf/a.ini && echo y > deep/er/.shellcheckrc");
	snprintf(k0, sizeof(k0), "%s", key(&d));
	ck_assert_str_eq(key(&d), k0);
	/* A file that does not match changes nothing, nor does .git. */
	scratch_sh("echo z > other.toml && mkdir .git && echo q > .git/pyproject.toml "
		   "&& echo w > deep/conf.ini");
	ck_assert_str_eq(key(&d), k0);
	/* Content. */
	scratch_sh("echo b > pyproject.toml");
	ck_assert_str_ne(key(&d), k0);
	scratch_sh("echo a > pyproject.toml");
	ck_assert_str_eq(key(&d), k0);
	scratch_sh("echo y2 > deep/er/.shellcheckrc");
	ck_assert_str_ne(key(&d), k0);
	scratch_sh("echo y > deep/er/.shellcheckrc");
	ck_assert_str_eq(key(&d), k0);
	/* A file starting and stopping to match. */
	scratch_sh("echo x > conf/b.ini");
	ck_assert_str_ne(key(&d), k0);
	scratch_sh("rm conf/b.ini");
	ck_assert_str_eq(key(&d), k0);
	scratch_sh("mv conf/a.ini conf/c.ini");
	ck_assert_str_ne(key(&d), k0);
	scratch_sh("mv conf/c.ini conf/a.ini");
	ck_assert_str_eq(key(&d), k0);
	/* A symlinked directory is not followed. */
	scratch_sh("ln -s conf conflink");
	ck_assert_str_eq(key(&d), k0);
}
END_TEST

/* One listing serves several hooks; the caller's content ids are used. */
START_TEST(test_inputs_shared)
{
	struct cache_hook_desc a, b;
	struct cache_inputs *in = cache_inputs_new();
	struct content_ids *ids = content_ids_open(NULL, 0, NULL);
	unsigned char ka[CACHE_KEY_LEN], kb[CACHE_KEY_LEN], k[CACHE_KEY_LEN];
	struct err e;

	scratch_sh("echo a > a.cfg && echo b > b.cfg");
	base_desc(&a);
	base_desc(&b);
	a.inputs = "a.cfg";
	b.inputs = "*.cfg";
	ck_assert_int_eq(cache_key_hook(ka, &a, ids, in, &e), 0);
	ck_assert_int_eq(cache_key_hook(kb, &b, ids, in, &e), 0);
	ck_assert_mem_ne(ka, kb, CACHE_KEY_LEN);
	/* The listing and the ids were taken once: a new file is not seen
	   by this run, a fresh one sees it. */
	scratch_sh("echo c > c.cfg");
	ck_assert_int_eq(cache_key_hook(k, &b, ids, in, &e), 0);
	ck_assert_mem_eq(k, kb, CACHE_KEY_LEN);
	ck_assert_int_eq(cache_key_hook(k, &b, NULL, NULL, &e), 0);
	ck_assert_mem_ne(k, kb, CACHE_KEY_LEN);
	content_ids_close(ids);
	cache_inputs_free(in);
}
END_TEST

START_TEST(test_whole)
{
	unsigned char hook[CACHE_KEY_LEN], hook2[CACHE_KEY_LEN];
	unsigned char k0[CACHE_KEY_LEN], k[CACHE_KEY_LEN];
	const char *paths[] = { "b.c", "a.c", "dir/z.c" };
	const char *ids[] = { "s01", "g02", "s03" };
	const char *paths_sorted[] = { "a.c", "b.c", "dir/z.c" };
	const char *ids_sorted[] = { "g02", "s01", "s03" };
	const char *renamed[] = { "b.c", "a2.c", "dir/z.c" };
	const char *ids_changed[] = { "s01", "g02", "s04" };
	const char *paths4[] = { "b.c", "a.c", "dir/z.c", "c.c" };
	const char *ids4[] = { "s01", "g02", "s03", "s05" };
	const char *ids_none[] = { "s01", "g02", NULL };
	const char *ids_empty[] = { "s01", "g02", "" };
	const char *glued_p[] = { "ab", "c" }, *glued_i[] = { "x", "y" };
	const char *split_p[] = { "a", "bc" };
	char hex[2 * CACHE_KEY_LEN + 1];

	memset(hook, 7, sizeof(hook));
	memset(hook2, 8, sizeof(hook2));
	cache_key_whole(k0, hook, paths, ids, 3);
	cache_key_whole(k, hook, paths_sorted, ids_sorted, 3);
	ck_assert_mem_eq(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k, hook2, paths, ids, 3);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k, hook, renamed, ids, 3);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k, hook, paths, ids_changed, 3);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k, hook, paths4, ids4, 4);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k, hook, paths, ids, 2);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k0, hook, paths, ids_none, 3);
	cache_key_whole(k, hook, paths, ids_empty, 3);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k0, hook, glued_p, glued_i, 2);
	cache_key_whole(k, hook, split_p, glued_i, 2);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
	cache_key_whole(k0, hook, NULL, NULL, 0);
	cache_key_whole(k, hook2, NULL, NULL, 0);
	ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);

	/* One set's digest, keyed per hook: the same as the whole key
	   made at once; sorted or not, the same set. */
	{
		unsigned char set[CACHE_KEY_LEN], set2[CACHE_KEY_LEN];

		cache_key_set(set, paths, ids, 3);
		cache_key_set(set2, paths_sorted, ids_sorted, 3);
		ck_assert_mem_eq(set, set2, CACHE_KEY_LEN);
		cache_key_whole(k0, hook2, paths, ids, 3);
		cache_key_whole_of(k, hook2, set);
		ck_assert_mem_eq(k, k0, CACHE_KEY_LEN);
		cache_key_whole_of(k0, hook, set);
		ck_assert_mem_ne(k, k0, CACHE_KEY_LEN);
		cache_key_set(set2, paths, ids_changed, 3);
		ck_assert_mem_ne(set, set2, CACHE_KEY_LEN);
		/* The set's digest is not a hook's whole key. */
		ck_assert_mem_ne(set, k0, CACHE_KEY_LEN);
	}

	memset(k, 0xa5, sizeof(k));
	k[0] = 0x01;
	cache_key_hex(hex, k);
	ck_assert_str_eq(hex, "01a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
			      "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5");
}
END_TEST

static Suite *
cache_key_suite(void)
{
	Suite *s = suite_create("cache_key");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_program_identity);
	tcase_add_test(tc, test_resolve);
	tcase_add_test(tc, test_word_identity);
	tcase_add_test(tc, test_cache_key_command);
	tcase_add_test(tc, test_inputs);
	tcase_add_test(tc, test_inputs_shared);
	tcase_add_test(tc, test_whole);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cache_key_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
