/*
 * check_filetype.c - unit tests for filetype.c: tags from names, modes
 * and first lines, compared with what pre-commit's identify documents
 * for the same files; the parsing and matching of `types` values.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "filetype.h"

/* The set of the space-separated tags in `s`; asserts each is known. */
static filetype_tags
tags(const char *s)
{
	filetype_tags t = 0, one;
	char buf[64];
	size_t n;

	while (*s != '\0') {
		n = strcspn(s, " ");
		ck_assert_uint_lt(n, sizeof(buf));
		memcpy(buf, s, n);
		buf[n] = '\0';
		one = filetype_tag(buf);
		ck_assert_msg(one != 0, "unknown tag '%s'", buf);
		t |= one;
		s += n;
		while (*s == ' ')
			s++;
	}
	return t;
}

/* The names of the tags in `t`, for messages. */
static const char *
names(filetype_tags t)
{
	static char buf[1024];
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < 64; i++)
		if ((t >> i) & 1) {
			if (buf[0] != '\0')
				strcat(buf, " ");
			strcat(buf, filetype_tag_name(i) != NULL ?
			       filetype_tag_name(i) : "?");
		}
	return buf;
}

struct row {
	const char *path;
	int exec;
	const char *head;       /* NULL: not read */
	const char *want;
};

static const struct row rows[] = {
	/* By extension. */
	{ "a.py", 0, "import os\n", "file non-executable text python" },
	{ "dir/sub/a.py", 1, NULL, "file executable text python" },
	{ "stubs/a.pyi", 0, "", "file non-executable text pyi" },
	{ "x.pyx", 0, "", "file non-executable text cython" },
	{ "run.sh", 0, "echo\n", "file non-executable text shell" },
	{ "run.bash", 0, "", "file non-executable text shell bash" },
	{ "run.zsh", 0, "", "file non-executable text shell zsh" },
	{ "run.ksh", 0, "", "file non-executable text shell ksh" },
	{ "main.c", 0, "", "file non-executable text c" },
	{ "main.cc", 0, "", "file non-executable text c++" },
	{ "main.cpp", 0, "", "file non-executable text c++" },
	{ "main.cxx", 0, "", "file non-executable text c++" },
	{ "inc/a.h", 0, "", "file non-executable text header c c++" },
	{ "inc/a.hpp", 0, "", "file non-executable text header c++" },
	{ "inc/a.hh", 0, "", "file non-executable text header c++" },
	{ "main.go", 0, "", "file non-executable text go" },
	{ "lib.rs", 0, "", "file non-executable text rust" },
	{ "app.js", 0, "", "file non-executable text javascript" },
	{ "app.mjs", 0, "", "file non-executable text javascript" },
	{ "app.jsx", 0, "", "file non-executable text jsx" },
	{ "app.ts", 0, "", "file non-executable text ts typescript" },
	{ "app.tsx", 0, "", "file non-executable text tsx typescript" },
	{ "a.json", 0, "", "file non-executable text json" },
	{ "a.yaml", 0, "", "file non-executable text yaml" },
	{ "a.yml", 0, "", "file non-executable text yaml" },
	{ "pyproject.toml", 0, "", "file non-executable text toml" },
	/* identify's names count by any dot-separated part, and the
	   extension adds to them. */
	{ "README.md", 0, "", "file non-executable text markdown plain-text" },
	{ "Makefile.am", 0, "x\n", "file non-executable text makefile" },
	{ "a.markdown", 0, "", "file non-executable text markdown" },
	{ "index.html", 0, "", "file non-executable text html" },
	{ "index.htm", 0, "", "file non-executable text html" },
	{ "a.css", 0, "", "file non-executable text css" },
	{ "rules.mk", 0, "", "file non-executable text makefile" },
	{ "notes.txt", 0, "", "file non-executable text plain-text" },
	{ "logo.svg", 0, "", "file non-executable text image svg xml" },
	/* The extension is matched in any case, the last one counts. */
	{ "A.PY", 0, "", "file non-executable text python" },
	{ "a.tar.gz", 0, NULL, "file non-executable binary gzip" },
	{ "x.py.txt", 0, NULL, "file non-executable text plain-text" },
	/* Binary by extension: the head is not looked at. */
	{ "logo.png", 0, "text", "file non-executable binary image png" },
	{ "p.jpg", 0, NULL, "file non-executable binary image jpeg" },
	{ "lib.so", 1, NULL, "file executable binary" },
	/* Archives whatever they hold: pip's test data has empty and
	   text-only wheels that identify calls binary by their name. */
	{ "pkg-1.0-py3-none-any.whl", 0, "", "file non-executable binary zip" },
	{ "corrupt.whl", 0, "This is a corrupt wheel\n", "file non-executable binary zip" },
	{ "app.jar", 0, NULL, "file non-executable binary zip" },
	{ "font.woff2", 0, NULL, "file non-executable binary" },
	/* Special names, whole or by a part. */
	{ "Makefile", 0, "all:\n", "file non-executable text makefile" },
	{ "sub/GNUmakefile", 0, "", "file non-executable text makefile" },
	{ "makefile", 0, "", "file non-executable text makefile" },
	{ "Dockerfile", 0, "FROM x\n", "file non-executable text dockerfile" },
	{ "Dockerfile.dev", 0, "", "file non-executable text dockerfile" },
	{ "Containerfile", 0, "", "file non-executable text dockerfile" },
	{ "CMakeLists.txt", 0, "", "file non-executable text cmake plain-text" },
	{ "LICENSE", 0, "", "file non-executable text plain-text" },
	{ ".bashrc", 0, "", "file non-executable text shell bash" },
	{ "setup.cfg", 0, "", "file non-executable text ini" },
	/* Leading dots are no extension: ".py" says nothing. */
	{ ".py", 0, "x\n", "file non-executable text" },
	/* Names are exact, in case. */
	{ "MAKEFILE", 0, "x\n", "file non-executable text" },
	/* Shebangs, for executable files whose name says nothing. */
	{ "bin/tool", 1, "#!/usr/bin/env python3\nimport os\n",
	  "file executable text python python3" },
	{ "bin/tool", 1, "#!/usr/bin/python\n", "file executable text python" },
	{ "bin/tool", 1, "#!/usr/bin/python3.11\n",
	  "file executable text python python3" },
	{ "bin/tool", 1, "#!/usr/bin/env python2.7 -u\n",
	  "file executable text python python2" },
	{ "bin/tool", 1, "#!/bin/sh\nexit 0\n", "file executable text shell sh" },
	{ "bin/tool", 1, "#! /bin/bash -e\n", "file executable text shell bash" },
	{ "bin/tool", 1, "#!/usr/bin/env -S bash -eu\n",
	  "file executable text shell bash" },
	{ "bin/tool", 1, "#!/usr/bin/env -S LC_ALL=C zsh\n",
	  "file executable text shell zsh" },
	{ "bin/tool", 1, "#!/bin/dash", "file executable text shell dash" },
	{ "bin/tool", 1, "#!/bin/ksh\n", "file executable text shell ksh" },
	{ "bin/tool", 1, "#!/usr/bin/env node\n",
	  "file executable text javascript" },
	{ "bin/tool", 1, "#!/usr/bin/perl -w\n", "file executable text perl" },
	/* Unknown interpreters, no shebang, a shebang not at the start. */
	{ "bin/tool", 1, "#!/usr/bin/awk -f\n", "file executable text" },
	{ "bin/tool", 1, "echo hi\n", "file executable text" },
	{ "bin/tool", 1, "\n#!/bin/sh\n", "file executable text" },
	{ "bin/tool", 1, "#!\n", "file executable text" },
	{ "bin/tool", 1, "#!/usr/bin/env\n", "file executable text" },
	/* Not printable ASCII: no interpreter (identify wants it so). */
	{ "bin/tool", 1, "#!/bin/sh \xc3\xa9\n", "file executable text" },
	/* A shebang does not count for a file that is not executable... */
	{ "bin/tool", 0, "#!/bin/sh\n", "file non-executable text" },
	/* ...nor when the name already tells. */
	{ "x.md", 1, "#!/bin/sh\n", "file executable text markdown" },
	/* Text and binary by content. */
	{ "blob", 0, "\x7f" "ELF\x02\x01", "file non-executable binary" },
	{ "blob", 1, "\x01\x02", "file executable binary" },
	{ "blob", 0, "caf\xc3\xa9 \t\r\n\x1b[0m\f\v\a\b", "file non-executable text" },
	{ "blob", 0, "", "file non-executable text" },
	/* Without a head only what the name and mode tell. */
	{ "bin/tool", 1, NULL, "file executable" },
	{ "data", 0, NULL, "file non-executable" },
};

START_TEST(test_table)
{
	const struct row *r = &rows[_i];
	size_t len = r->head != NULL ? strlen(r->head) : 0;
	filetype_tags got, want = tags(r->want);
	char wants[1024];

	got = filetype_of(r->path, FILETYPE_REGULAR, r->exec,
			  (const unsigned char *)r->head, len);
	strcpy(wants, names(want));
	ck_assert_msg(got == want, "%s (exec %d, head \"%s\"): got {%s}, want {%s}",
		      r->path, r->exec, r->head != NULL ? r->head : "(none)",
		      names(got), wants);
}
END_TEST

/* Bytes past a NUL still count, and past 1024 do not. */
START_TEST(test_binary_content)
{
	unsigned char buf[2048];

	memset(buf, 'a', sizeof(buf));
	buf[3] = 0;
	ck_assert_int_eq(filetype_is_text(buf, 10), 0);
	buf[3] = 'a';
	ck_assert_int_eq(filetype_is_text(buf, sizeof(buf)), 1);
	buf[1500] = 0;
	ck_assert_int_eq(filetype_is_text(buf, sizeof(buf)), 1);
	buf[1023] = 0;
	ck_assert_int_eq(filetype_is_text(buf, sizeof(buf)), 0);
	ck_assert(filetype_of("a.txt", FILETYPE_REGULAR, 0, buf, 1024) &
		  filetype_tag("text"));    /* the name tells */
	ck_assert(filetype_of("a", FILETYPE_REGULAR, 0, buf, 1024) &
		  filetype_tag("binary"));
}
END_TEST

/* A symlink is `symlink` alone, as identify tags it; others nothing. */
START_TEST(test_kinds)
{
	ck_assert(filetype_of("a.py", FILETYPE_SYMLINK, 1,
			      (const unsigned char *)"x", 1) ==
		  filetype_tag("symlink"));
	ck_assert(filetype_of("a.py", FILETYPE_OTHER, 0, NULL, 0) == 0);
	ck_assert(filetype_head_adds(filetype_tag("symlink")) == 0);
}
END_TEST

/* What a head could add: never anything when the name said it all. */
START_TEST(test_head_adds)
{
	filetype_tags k;

	k = filetype_of("a.py", FILETYPE_REGULAR, 1, NULL, 0);
	ck_assert(filetype_head_adds(k) == 0);
	k = filetype_of("a.plist", FILETYPE_REGULAR, 0, NULL, 0);
	ck_assert(filetype_head_adds(k) == tags("text binary"));
	k = filetype_of("tool", FILETYPE_REGULAR, 0, NULL, 0);
	ck_assert(filetype_head_adds(k) == tags("text binary"));
	k = filetype_of("tool", FILETYPE_REGULAR, 1, NULL, 0);
	ck_assert(filetype_head_adds(k) & tags("python"));
	ck_assert(filetype_head_adds(k) & tags("shell sh bash zsh ksh dash"));
	ck_assert((filetype_head_adds(k) & tags("c go makefile")) == 0);
	/* An executable with a known name reads no shebang. */
	k = filetype_of("Makefile", FILETYPE_REGULAR, 1, NULL, 0);
	ck_assert(filetype_head_adds(k) == 0);
}
END_TEST

/* Every tag SPEC'd for hooks exists and round-trips. */
START_TEST(test_tag_names)
{
	static const char *const need[] = {
		"python", "pyi", "shell", "sh", "bash", "zsh", "ksh", "dash",
		"c", "c++", "header", "go", "rust", "javascript", "typescript",
		"json", "yaml", "toml", "markdown", "html", "css", "makefile",
		"dockerfile", "text", "executable", "non-executable", "binary",
		"file", "symlink",
	};
	unsigned i, n = 0;
	size_t k;

	for (k = 0; k < sizeof(need) / sizeof(need[0]); k++)
		ck_assert_msg(filetype_tag(need[k]) != 0, "%s", need[k]);
	for (i = 0; i < 64; i++) {
		const char *s = filetype_tag_name(i);

		if (s == NULL)
			continue;
		n++;
		ck_assert(filetype_tag(s) == (filetype_tags)1 << i);
	}
	ck_assert_uint_gt(n, 40);
	ck_assert(filetype_tag("Python") == 0);
	ck_assert(filetype_tag("") == 0);
}
END_TEST

START_TEST(test_parse)
{
	filetype_tags *a;
	size_t n;
	char bad[16];

	ck_assert_int_eq(filetype_parse("python shell", &a, &n, bad,
					sizeof(bad)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(a[0] == tags("python") && a[1] == tags("shell"));
	free(a);
	ck_assert_int_eq(filetype_parse(" file+python,\tc++ ", &a, &n, bad,
					sizeof(bad)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(a[0] == tags("file python") && a[1] == tags("c++"));
	free(a);
	ck_assert_int_eq(filetype_parse("python pyton", &a, &n, bad,
					sizeof(bad)), -1);
	ck_assert_str_eq(bad, "pyton");
	ck_assert_int_eq(filetype_parse("file+pyton+c", &a, &n, bad,
					sizeof(bad)), -1);
	ck_assert_str_eq(bad, "pyton");
	ck_assert_int_eq(filetype_parse("python+", &a, &n, bad,
					sizeof(bad)), -1);
	ck_assert_str_eq(bad, "python+");
	ck_assert_int_eq(filetype_parse("+c", &a, &n, bad, sizeof(bad)), -1);
	ck_assert_int_eq(filetype_parse("a++b", &a, &n, bad, sizeof(bad)), -1);
	ck_assert_int_eq(filetype_parse("averyveryverylongtagname", &a, &n,
					bad, sizeof(bad)), -1);
	ck_assert_uint_eq(strlen(bad), sizeof(bad) - 1);
}
END_TEST

START_TEST(test_match)
{
	filetype_tags py = filetype_of("a.py", FILETYPE_REGULAR, 0, NULL, 0);
	filetype_tags alts[2];

	alts[0] = tags("shell");
	alts[1] = tags("python");
	ck_assert(filetype_match(py, alts, 2));
	ck_assert(!filetype_match(py, alts, 1));
	alts[0] = tags("python executable");
	ck_assert(!filetype_match(py, alts, 1));
	alts[0] = tags("python non-executable");
	ck_assert(filetype_match(py, alts, 1));
	ck_assert(!filetype_match(py, alts, 0));
}
END_TEST

static Suite *
filetype_suite(void)
{
	Suite *s = suite_create("filetype");
	TCase *tc = tcase_create("tags");

	tcase_add_loop_test(tc, test_table, 0, (int)(sizeof(rows) /
						      sizeof(rows[0])));
	tcase_add_test(tc, test_binary_content);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_head_adds);
	tcase_add_test(tc, test_tag_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("types");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_match);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(filetype_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
