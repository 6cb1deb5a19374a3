/*
 * check_file_tags.c - unit tests for file_tags.c: a hook's types and
 * regexes applied to real files, each file's tags found at most once
 * (one lstat, one head read) however many hooks ask, and no head read
 * for what the name and mode settle.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "file_tags.h"
#include "scratch.h"

static const char *const names[] = {
	"a.py", "tool", "notexec", "blob", "Makefile", "link.py", "inc/a.h",
};
#define NFILES (sizeof(names) / sizeof(names[0]))

static void
setup(void)
{
	scratch_enter("check_file_tags");
	scratch_sh("mkdir inc && printf 'x = 1\\n' >a.py && "
		   "printf '#!/usr/bin/env python3\\n' >tool && chmod +x tool && "
		   "printf '#!/bin/sh\\n' >notexec && "
		   "printf '\\000\\001' >blob && printf 'all:\\n' >Makefile && "
		   "ln -s a.py link.py && printf 'int x;\\n' >inc/a.h");
}

static void
teardown(void)
{
	scratch_leave();
}

/* The hooks of `ini` (must parse). */
static void
load(struct conf *c, const char *ini)
{
	struct err e;

	conf_init(c);
	ck_assert_msg(conf_parse(c, "t.ini", ini, strlen(ini), &e) == 0,
		      "%s", e.msg);
}

/* The files hook `h` keeps, space-separated, in `out`. */
static void
kept(struct file_tags *ft, const struct conf_hook *h, char *out)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < NFILES; i++)
		if (file_tags_keep(ft, h, i, names[i])) {
			if (out[0] != '\0')
				strcat(out, " ");
			strcat(out, names[i]);
		}
}

START_TEST(test_keep)
{
	struct conf c;
	struct file_tags ft;
	char got[512];

	load(&c, "[hook py]\ncommand = x\ntypes = python\n"
	     "[hook text]\ncommand = x\ntypes = text\nexclude_types = python\n"
	     "[hook rx]\ncommand = x\nfiles_regex = ^(inc/|a)\n"
	     "exclude_regex = \\.py$\n"
	     "[hook sym]\ncommand = x\ntypes = symlink\n"
	     "[hook bin]\ncommand = x\ntypes = binary executable\n");
	file_tags_init(&ft, NFILES);
	kept(&ft, &c.hooks[0], got);
	ck_assert_str_eq(got, "a.py tool");
	kept(&ft, &c.hooks[1], got);
	ck_assert_str_eq(got, "notexec Makefile inc/a.h");
	kept(&ft, &c.hooks[2], got);
	ck_assert_str_eq(got, "inc/a.h");
	kept(&ft, &c.hooks[3], got);
	ck_assert_str_eq(got, "link.py");
	kept(&ft, &c.hooks[4], got);
	ck_assert_str_eq(got, "tool blob");
	file_tags_release(&ft);
	conf_release(&c);
}
END_TEST

/* Each file is lstat'ed once and its head read at most once, and only
   when a hook wants what the head tells. */
START_TEST(test_lazy)
{
	struct conf c;
	struct file_tags ft;
	char got[512];

	load(&c, "[hook rx]\ncommand = x\nfiles_regex = .\n"
	     "[hook mk]\ncommand = x\ntypes = makefile c\n"
	     "[hook py]\ncommand = x\ntypes = python\n"
	     "[hook py2]\ncommand = x\ntypes = python\n"
	     "[hook text]\ncommand = x\ntypes = text\n"
	     "[hook text2]\ncommand = x\ntypes = text\n");
	file_tags_init(&ft, NFILES);
	/* Regexes alone: no stat, no read. */
	kept(&ft, &c.hooks[0], got);
	ck_assert_uint_eq(ft.stats, 0);
	ck_assert_uint_eq(ft.heads, 0);
	/* What a name tells: a stat each, no read (no executable
	   without a known name could be a makefile or C). */
	kept(&ft, &c.hooks[1], got);
	ck_assert_str_eq(got, "Makefile inc/a.h");
	ck_assert_uint_eq(ft.stats, NFILES);
	ck_assert_uint_eq(ft.heads, 0);
	/* python: only the executable without a known name is read. */
	kept(&ft, &c.hooks[2], got);
	ck_assert_str_eq(got, "a.py tool");
	ck_assert_uint_eq(ft.heads, 1);
	kept(&ft, &c.hooks[3], got);
	ck_assert_uint_eq(ft.heads, 1);
	/* text: those whose name does not tell their encoding. */
	kept(&ft, &c.hooks[4], got);
	ck_assert_str_eq(got, "a.py tool notexec Makefile inc/a.h");
	ck_assert_uint_eq(ft.heads, 3);   /* tool (already), notexec, blob */
	kept(&ft, &c.hooks[5], got);
	ck_assert_uint_eq(ft.heads, 3);
	ck_assert_uint_eq(ft.stats, NFILES);
	file_tags_release(&ft);
	conf_release(&c);
}
END_TEST

/* A file gone since the listing has no tags: no hook with types gets it. */
START_TEST(test_gone)
{
	struct conf c;
	struct file_tags ft;

	load(&c, "[hook t]\ncommand = x\ntypes = file\n"
	     "[hook n]\ncommand = x\ntypes = file\nexclude_types = binary\n");
	file_tags_init(&ft, 1);
	ck_assert(!file_tags_keep(&ft, &c.hooks[0], 0, "no-such-file"));
	ck_assert(!file_tags_keep(&ft, &c.hooks[1], 0, "no-such-file"));
	ck_assert_uint_eq(ft.stats, 1);
	ck_assert_uint_eq(ft.heads, 0);
	file_tags_release(&ft);
	conf_release(&c);
}
END_TEST

static Suite *
file_tags_suite(void)
{
	Suite *s = suite_create("file_tags");
	TCase *tc = tcase_create("keep");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keep);
	tcase_add_test(tc, test_lazy);
	tcase_add_test(tc, test_gone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(file_tags_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
