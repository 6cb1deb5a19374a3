/*
 * check_finding_read.c - unit tests for finding_read.[ch]: every finding
 * of the real output of shellcheck, pyflakes, cppcheck (also coloured on
 * a terminal, with CRLF), yamllint, codespell, gcc (also coloured, with
 * links) and clang saved under $TESTDATA/findings (its README says how),
 * field by field, and the same whatever pieces the output arrives in;
 * the gcc form's rules line by line; vim's errorformat patterns, what
 * they match and what they refuse; hostile output (NUL, invalid UTF-8,
 * CRLF, terminal escapes, lines past FINDING_LINE_MAX with the memory
 * they may take); finding_path; formats shared by threads.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding_read.h"
#include "util.h"

Suite *finding_read_suite(void);

/* --- the largest allocation asked for (check_finding_read_LDFLAGS) ----- */

void *__real_xmalloc(size_t n);
void *__real_xcalloc(size_t n, size_t size);
void *__real_xrealloc(void *p, size_t n);
void *__real_xreallocarray(void *p, size_t n, size_t size);
void *__wrap_xmalloc(size_t n);
void *__wrap_xcalloc(size_t n, size_t size);
void *__wrap_xrealloc(void *p, size_t n);
void *__wrap_xreallocarray(void *p, size_t n, size_t size);

static size_t largest_alloc;

static void
note_alloc(size_t n)
{
	if (n > largest_alloc)
		largest_alloc = n;
}

void *
__wrap_xmalloc(size_t n)
{
	note_alloc(n);
	return __real_xmalloc(n);
}

void *
__wrap_xcalloc(size_t n, size_t size)
{
	note_alloc(n * size);
	return __real_xcalloc(n, size);
}

void *
__wrap_xrealloc(void *p, size_t n)
{
	note_alloc(n);
	return __real_xrealloc(p, n);
}

void *
__wrap_xreallocarray(void *p, size_t n, size_t size)
{
	note_alloc(n * size);
	return __real_xreallocarray(p, n, size);
}

/* --- helpers -------------------------------------------------------------- */

/* The fixtures' tools ran in tests/data/findings of a repository at
   /repo (neither is touched on disk). */
#define ROOT "/repo"
#define CWD ROOT "/tests/data/findings"
#define S(f) "tests/data/findings/src/" f
/* gcc's quotes in a UTF-8 locale. */
#define LQ "\xe2\x80\x98"
#define RQ "\xe2\x80\x99"

enum { E = FINDING_ERROR, W = FINDING_WARNING, N = FINDING_NOTE };

struct want {
	const char *file;
	unsigned long line, col;
	int level;
	const char *rule;       /* NULL: none */
	const char *message;
};

static const char *
testdata(void)
{
	const char *d = getenv("TESTDATA");

	return d != NULL && *d != '\0' ? d : "tests/data";
}

/* $TESTDATA/findings/name, whole (caller frees); *len its length. */
static char *
fixture(const char *name, size_t *len)
{
	char *path = xasprintf("%s/findings/%s", testdata(), name);
	FILE *fp = fopen(path, "rb");
	char *p = NULL;
	size_t n = 0, alloc = 0, k;

	ck_assert_msg(fp != NULL, "%s: cannot open (is TESTDATA right?)", path);
	do {
		if (alloc - n < 4096) {
			alloc = alloc ? alloc * 2 : 8192;
			p = xrealloc(p, alloc);
		}
		k = fread(p + n, 1, alloc - n, fp);
		n += k;
	} while (k > 0);
	ck_assert_int_eq(ferror(fp), 0);
	fclose(fp);
	free(path);
	*len = n;
	return p;
}

/* How read_split cuts the output. */
enum split { WHOLE, BYTES, RANDOM };

/*
 * Read s[0..n) with format f as one process's output fed whole, a byte
 * at a time, or in pieces of random sizes (seed), into *out.
 */
static void
read_split(const struct finding_format *f, const char *root, const char *cwd,
	   const char *s, size_t n, enum split how, unsigned seed,
	   struct findings *out)
{
	struct finding_reader *r = finding_reader_new(f, root, cwd);
	size_t i = 0, k;

	while (i < n) {
		switch (how) {
		case WHOLE:
			k = n - i;
			break;
		case BYTES:
			k = 1;
			break;
		default:
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 97;
			if (k > n - i)
				k = n - i;
			break;
		}
		finding_reader_feed(r, s + i, k);
		i += k;
	}
	finding_reader_finish(r, out);
	finding_reader_free(r);
}

static void
read_all(const struct finding_format *f, const char *s, size_t n,
	 struct findings *out)
{
	read_split(f, ROOT, CWD, s, n, WHOLE, 0, out);
}

static const char *
show(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* got holds exactly want[0..n), field by field. */
static void
expect_findings(const struct findings *got, const struct want *want, size_t n,
		const char *what)
{
	size_t i;

	for (i = 0; i < got->n && i < n; i++) {
		const struct finding *g = &got->v[i];
		const struct want *w = &want[i];

		ck_assert_msg(strcmp(g->file, w->file) == 0,
			      "%s #%zu: file '%s', want '%s'", what, i, g->file,
			      w->file);
		ck_assert_msg(g->line == w->line && g->col == w->col,
			      "%s #%zu: %lu:%lu, want %lu:%lu", what, i,
			      g->line, g->col, w->line, w->col);
		ck_assert_msg((int)g->level == w->level,
			      "%s #%zu: level %s, want %s", what, i,
			      finding_level_name(g->level),
			      finding_level_name((enum finding_level)w->level));
		ck_assert_msg((g->rule == NULL) == (w->rule == NULL) &&
			      (g->rule == NULL || strcmp(g->rule, w->rule) == 0),
			      "%s #%zu: rule '%s', want '%s'", what, i,
			      show(g->rule), show(w->rule));
		ck_assert_msg(strcmp(g->message, w->message) == 0,
			      "%s #%zu: message '%s', want '%s'", what, i,
			      g->message, w->message);
		ck_assert_ptr_null(g->fingerprint);
		ck_assert_int_eq(g->state, FINDING_STATE_NONE);
	}
	ck_assert_msg(got->n == n, "%s: %zu findings, want %zu (first extra: %s)",
		      what, got->n, n,
		      got->n > n ? got->v[n].message : "-");
}

/* a and b hold the same findings. */
static void
expect_same(const struct findings *a, const struct findings *b,
	    const char *what)
{
	size_t i;

	ck_assert_msg(a->n == b->n, "%s: %zu findings, want %zu", what, a->n,
		      b->n);
	for (i = 0; i < a->n; i++) {
		const struct finding *x = &a->v[i], *y = &b->v[i];

		ck_assert_msg(strcmp(x->file, y->file) == 0 &&
			      x->line == y->line && x->col == y->col &&
			      x->level == y->level &&
			      strcmp(show(x->rule), show(y->rule)) == 0 &&
			      (x->rule == NULL) == (y->rule == NULL) &&
			      strcmp(x->message, y->message) == 0,
			      "%s #%zu: '%s:%lu:%lu: %s' differs from '%s:%lu:%lu: %s'",
			      what, i, x->file, x->line, x->col, x->message,
			      y->file, y->line, y->col, y->message);
	}
}

/* --- the fixtures ----------------------------------------------------------- */

static const struct want want_shellcheck[] = {
	{ S("bad.sh"), 4, 1, W, "SC2164",
	  "Use 'cd ... || exit' or 'cd ... || return' in case cd fails." },
	{ S("bad.sh"), 4, 4, N, "SC2086",
	  "Double quote to prevent globbing and word splitting." },
	{ S("bad.sh"), 5, 12, N, "SC2035",
	  "Use ./*glob* or -- *glob* so names with dashes won't become options." },
	{ S("bad.sh"), 9, 9, W, "SC3014",
	  "In POSIX sh, == in place of = is undefined." },
	{ S("bad.sh"), 10, 7, N, "SC2016",
	  "Expressions don't expand in single quotes, use double quotes for that." },
	{ S("bad.sh"), 12, 1, N, "SC2162",
	  "read without -r will mangle backslashes." },
	{ S("bad.sh"), 12, 6, W, "SC2034",
	  "name appears unused. Verify use (or export if used externally)." },
	{ S("bad.sh"), 13, 1, W, "SC2034",
	  "unused appears unused. Verify use (or export if used externally)." },
	{ S("bad.sh"), 14, 15, E, "SC2068",
	  "Double quote array expansions to avoid re-splitting elements." },
};

static const struct want want_pyflakes[] = {
	{ S("bad.py"), 2, 1, E, NULL,
	  "'os' imported but unused" },
	{ S("bad.py"), 3, 1, E, NULL,
	  "'sys' imported but unused" },
	{ S("bad.py"), 4, 1, E, NULL,
	  "'from json import *' used; unable to detect undefined names" },
	{ S("bad.py"), 8, 5, E, NULL,
	  "local variable 'y' is assigned to but never used" },
	{ S("bad.py"), 9, 12, E, NULL,
	  "'undefined_name' may be undefined, or defined from star imports: json" },
	{ S("bad.py"), 12, 1, E, NULL,
	  "redefinition of unused 'f' from line 7" },
	{ S("bad.py"), 13, 12, E, NULL,
	  "'...' % ... has 2 placeholder(s) but 1 substitution(s)" },
	{ S("bad.py"), 16, 7, E, NULL,
	  "'loads' may be undefined, or defined from star imports: json" },
	{ S("syntax.py"), 1, 12, E, NULL,
	  "invalid syntax" },
};

static const struct want want_cppcheck[] = {
	{ S("bad.c"), 19, 5, W, "arrayIndexOutOfBounds",
	  "Array 'arr[4]' accessed at index 4, which is out of bounds." },
	{ S("bad.c"), 22, 2, W, "invalidPrintfArgType_sint",
	  "%d in format string (no. 1) requires 'int' but the argument type is 'const char *'." },
	{ S("bad.c"), 23, 3, W, "nullPointer",
	  "Null pointer dereference: p" },
	{ S("bad.c"), 15, 12, N, NULL,
	  "Assignment 'p=NULL', assigned value is 0" },
	{ S("bad.c"), 23, 3, N, NULL,
	  "Null pointer dereference" },
	{ S("bad.c"), 20, 8, W, "unsignedLessThanZero",
	  "Checking if unsigned expression 'u' is less than zero." },
	{ S("bad.h"), 4, 6, W, "unusedVariable",
	  "Unused variable: unused_here" },
	{ S("bad.c"), 13, 6, W, "unusedVariable",
	  "Unused variable: x" },
	{ S("bad.c"), 6, 0, W, "unusedFunction",
	  "The function 'unused_fn' is never used." },
	{ "tests/data/findings/nofile", 0, 0, W, "missingIncludeSystem",
	  "Cppcheck cannot find all the include files (use --check-config for details)" },
};

static const struct want want_yamllint[] = {
	{ S("bad.yaml"), 2, 1, W, "document-start",
	  "missing document start \"---\"" },
	{ S("bad.yaml"), 2, 10, E, "commas",
	  "too few spaces after comma" },
	{ S("bad.yaml"), 3, 11, E, "trailing-spaces",
	  "trailing spaces" },
	{ S("bad.yaml"), 5, 1, E, "key-duplicates",
	  "duplication of key \"dup\" in mapping" },
	{ S("bad.yaml"), 6, 9, W, "truthy",
	  "truthy value should be one of [false, true]" },
	{ S("bad.yaml"), 9, 6, E, "hyphens",
	  "too many spaces after hyphen" },
	{ S("bad.yaml"), 10, 81, E, "line-length",
	  "line too long (89 > 80 characters)" },
	{ S("broken.yaml"), 1, 1, W, "document-start",
	  "missing document start \"---\"" },
	{ S("broken.yaml"), 2, 6, E, "syntax",
	  "syntax error: expected ',' or ']', but got ':'" },
};

static const struct want want_codespell[] = {
	{ S("typos.txt"), 1, 0, E, NULL,
	  "teh ==> the" },
	{ S("typos.txt"), 1, 0, E, NULL,
	  "recieve ==> receive" },
	{ S("typos.txt"), 2, 0, E, NULL,
	  "Occured ==> Occurred" },
	{ S("typos.txt"), 2, 0, E, NULL,
	  "occured ==> occurred" },
	{ S("typos.txt"), 2, 0, E, NULL,
	  "seperate ==> separate" },
	{ S("typos.txt"), 4, 0, E, NULL,
	  "adress ==> address" },
	{ S("typos.txt"), 4, 0, E, NULL,
	  "comittee ==> committee" },
	{ S("typos.txt"), 4, 0, E, NULL,
	  "acheive ==> achieve" },
};

static const struct want want_gcc[] = {
	{ S("bad.h"), 4, 13, W, "-Wunused-variable",
	  "unused variable " LQ "unused_here" RQ },
	{ S("bad.c"), 20, 15, W, "-Wtype-limits",
	  "comparison of unsigned expression in " LQ "< 0" RQ " is always false" },
	{ S("bad.c"), 22, 18, W, "-Wformat=",
	  "format " LQ "%d" RQ " expects argument of type " LQ "int" RQ ", but argument 2 has type " LQ "char *" RQ },
	{ S("bad.c"), 13, 13, W, "-Wunused-variable",
	  "unused variable " LQ "x" RQ },
	{ S("bad.c"), 11, 14, W, "-Wunused-parameter",
	  "unused parameter " LQ "argc" RQ },
	{ S("bad.c"), 11, 27, W, "-Wunused-parameter",
	  "unused parameter " LQ "argv" RQ },
	{ S("broken.c"), 4, 16, E, NULL,
	  LQ "undeclared" RQ " undeclared (first use in this function)" },
	{ S("broken.c"), 4, 16, N, NULL,
	  "each undeclared identifier is reported only once for each function it appears in" },
	{ S("broken.c"), 6, 10, E, NULL,
	  "missing.h: No such file or directory" },
};

static const struct want want_clang[] = {
	{ S("bad.h"), 4, 6, W, "-Wunused-variable",
	  "unused variable 'unused_here'" },
	{ S("bad.c"), 22, 17, W, "-Wformat",
	  "format specifies type 'int' but the argument has type 'char *'" },
	{ S("bad.c"), 13, 6, W, "-Wunused-variable",
	  "unused variable 'x'" },
	{ S("bad.c"), 19, 2, W, "-Warray-bounds",
	  "array index 4 is past the end of the array (which contains 4 elements)" },
	{ S("bad.c"), 14, 2, N, NULL,
	  "array 'arr' declared here" },
	{ S("bad.c"), 6, 12, W, "-Wunused-function",
	  "unused function 'unused_fn'" },
	{ S("broken.c"), 4, 9, E, NULL,
	  "use of undeclared identifier 'undeclared'" },
	{ S("broken.c"), 6, 10, E, NULL,
	  "'missing.h' file not found" },
};


/* gcc-color.out is gcc on src/bad.c alone: gcc.out's first six. */
#define GCC_BAD_C 6

static const struct {
	const char *name;
	const struct want *want;
	size_t n;
} fixtures[] = {
	{ "shellcheck.out", want_shellcheck, ARRAY_SIZE(want_shellcheck) },
	{ "pyflakes.out", want_pyflakes, ARRAY_SIZE(want_pyflakes) },
	{ "cppcheck.out", want_cppcheck, ARRAY_SIZE(want_cppcheck) },
	{ "cppcheck-tty.out", want_cppcheck, ARRAY_SIZE(want_cppcheck) },
	{ "yamllint.out", want_yamllint, ARRAY_SIZE(want_yamllint) },
	{ "codespell.out", want_codespell, ARRAY_SIZE(want_codespell) },
	{ "gcc.out", want_gcc, ARRAY_SIZE(want_gcc) },
	{ "gcc-color.out", want_gcc, GCC_BAD_C },
	{ "clang.out", want_clang, ARRAY_SIZE(want_clang) },
};

/* Every finding of each fixture, exactly, in the gcc form. */
START_TEST(test_fixture)
{
	size_t n;
	char *s = fixture(fixtures[_i].name, &n);
	struct findings got = { NULL, 0, 0 };

	read_all(finding_format_gcc(), s, n, &got);
	expect_findings(&got, fixtures[_i].want, fixtures[_i].n,
			fixtures[_i].name);
	findings_release(&got);
	free(s);
}
END_TEST

/* Lines cut at every byte, in two pieces at each byte, and in random
   pieces give what the whole output gives. */
START_TEST(test_fixture_split)
{
	size_t n, k;
	unsigned seed;
	char *s = fixture(fixtures[_i].name, &n);
	struct findings whole = { NULL, 0, 0 }, got = { NULL, 0, 0 };
	const struct finding_format *f = finding_format_gcc();

	read_all(f, s, n, &whole);
	ck_assert_uint_eq(whole.n, fixtures[_i].n);
	read_split(f, ROOT, CWD, s, n, BYTES, 0, &got);
	expect_same(&got, &whole, "a byte at a time");
	findings_release(&got);
	for (seed = 1; seed <= 20; seed++) {
		read_split(f, ROOT, CWD, s, n, RANDOM, seed, &got);
		expect_same(&got, &whole, "random pieces");
		findings_release(&got);
	}
	for (k = 0; k <= n; k++) {
		struct finding_reader *r = finding_reader_new(f, ROOT, CWD);

		finding_reader_feed(r, s, k);
		finding_reader_feed(r, s + k, n - k);
		finding_reader_finish(r, &got);
		finding_reader_free(r);
		expect_same(&got, &whole, "two pieces");
		findings_release(&got);
	}
	findings_release(&whole);
	free(s);
}
END_TEST

/* The same fixtures read through vim's errorformat: gcc's own
   conventional patterns find the same places. */
START_TEST(test_fixture_errorformat)
{
	static const struct want codespell[] = {
		{ S("typos.txt"), 1, 0, E, NULL, "teh ==> the" },
		{ S("typos.txt"), 1, 0, E, NULL, "recieve ==> receive" },
		{ S("typos.txt"), 2, 0, E, NULL, "Occured ==> Occurred" },
		{ S("typos.txt"), 2, 0, E, NULL, "occured ==> occurred" },
		{ S("typos.txt"), 2, 0, E, NULL, "seperate ==> separate" },
		{ S("typos.txt"), 4, 0, E, NULL, "adress ==> address" },
		{ S("typos.txt"), 4, 0, E, NULL, "comittee ==> committee" },
		{ S("typos.txt"), 4, 0, E, NULL, "acheive ==> achieve" },
	};
	static const struct want shellcheck[] = {
		{ S("bad.sh"), 4, 1, W, NULL,
		  "Use 'cd ... || exit' or 'cd ... || return' in case cd fails. [SC2164]" },
		{ S("bad.sh"), 4, 4, N, NULL,
		  "Double quote to prevent globbing and word splitting. [SC2086]" },
		{ S("bad.sh"), 5, 12, N, NULL,
		  "Use ./*glob* or -- *glob* so names with dashes won't become options. [SC2035]" },
		{ S("bad.sh"), 9, 9, W, NULL,
		  "In POSIX sh, == in place of = is undefined. [SC3014]" },
		{ S("bad.sh"), 10, 7, N, NULL,
		  "Expressions don't expand in single quotes, use double quotes for that. [SC2016]" },
		{ S("bad.sh"), 12, 1, N, NULL,
		  "read without -r will mangle backslashes. [SC2162]" },
		{ S("bad.sh"), 12, 6, W, NULL,
		  "name appears unused. Verify use (or export if used externally). [SC2034]" },
		{ S("bad.sh"), 13, 1, W, NULL,
		  "unused appears unused. Verify use (or export if used externally). [SC2034]" },
		{ S("bad.sh"), 14, 15, E, NULL,
		  "Double quote array expansions to avoid re-splitting elements. [SC2068]" },
	};
	char why[256];
	struct finding_format *f;
	struct findings got = { NULL, 0, 0 };
	size_t n;
	char *s;

	f = finding_format_errorformat("%f:%l: %m", why, sizeof(why));
	ck_assert_msg(f != NULL, "%s", why);
	s = fixture("codespell.out", &n);
	read_all(f, s, n, &got);
	expect_findings(&got, codespell, ARRAY_SIZE(codespell), "codespell");
	findings_release(&got);
	free(s);
	finding_format_free(f);

	f = finding_format_errorformat(
		"%f:%l:%c: %trror: %m,%f:%l:%c: %tarning: %m,%f:%l:%c: %tote: %m",
		why, sizeof(why));
	ck_assert_msg(f != NULL, "%s", why);
	s = fixture("shellcheck.out", &n);
	read_all(f, s, n, &got);
	expect_findings(&got, shellcheck, ARRAY_SIZE(shellcheck), "shellcheck");
	findings_release(&got);
	free(s);
	finding_format_free(f);
}
END_TEST

/* --- the gcc form, line by line --------------------------------------- */

struct line_case {
	const char *line;       /* fed with a newline after it */
	struct want want;       /* .file NULL: no finding */
};

static const struct line_case gcc_lines[] = {
	/* FILE: the shortest that ":DIGITS" follows. */
	{ "a:b.c:3:4: x", { "a:b.c", 3, 4, E, NULL, "x" } },
	{ "C:\\src\\a.c:3:4: x", { "C:\\src\\a.c", 3, 4, E, NULL, "x" } },
	{ "my file.c:2: x", { "my file.c", 2, 0, E, NULL, "x" } },
	{ "a:1x:2: msg", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3:4:5: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3: x", { "a.c", 3, 0, E, NULL, "x" } },
	{ "a.c:0:0: x", { "a.c", 0, 0, E, NULL, "x" } },
	{ "a.c:007:08: x", { "a.c", 7, 8, E, NULL, "x" } },
	{ "a.c:3:\tx", { "a.c", 3, 0, E, NULL, "x" } },
	/* Severities, any case. */
	{ "a.c:3:4: error: boom", { "a.c", 3, 4, E, NULL, "boom" } },
	{ "a.c:3:4: Fatal Error: boom", { "a.c", 3, 4, E, NULL, "boom" } },
	{ "a.c:3:4: WARNING: w", { "a.c", 3, 4, W, NULL, "w" } },
	{ "a.c:1: style: s", { "a.c", 1, 0, W, NULL, "s" } },
	{ "a.c:1: performance: p", { "a.c", 1, 0, W, NULL, "p" } },
	{ "a.c:1: portability: p", { "a.c", 1, 0, W, NULL, "p" } },
	{ "a.c:1: note: n", { "a.c", 1, 0, N, NULL, "n" } },
	{ "a.c:1: info: i", { "a.c", 1, 0, N, NULL, "i" } },
	{ "a.c:1: Information: i", { "a.c", 1, 0, N, NULL, "i" } },
	{ "a.c:3: error:x", { "a.c", 3, 0, E, NULL, "x" } },
	{ "a.c:3: errors: 3", { "a.c", 3, 0, E, NULL, "errors: 3" } },
	{ "a.c:3: notes: 3", { "a.c", 3, 0, E, NULL, "notes: 3" } },
	{ "a.c:3: debug: d", { "a.c", 3, 0, E, NULL, "debug: d" } },
	/* Rules: a trailing [RULE] after a blank. */
	{ "a.c:3: msg [R-1_x=]", { "a.c", 3, 0, E, "R-1_x=", "msg" } },
	{ "a.c:3: msg [has blank]", { "a.c", 3, 0, E, NULL, "msg [has blank]" } },
	{ "a.c:3: msg[nob]", { "a.c", 3, 0, E, NULL, "msg[nob]" } },
	{ "a.c:3: msg []", { "a.c", 3, 0, E, NULL, "msg []" } },
	{ "a.c:3: msg [a]b]", { "a.c", 3, 0, E, NULL, "msg [a]b]" } },
	{ "a.c:3: msg [R]  ", { "a.c", 3, 0, E, "R", "msg" } },
	{ "a.c:3: msg  \t[R]", { "a.c", 3, 0, E, "R", "msg" } },
	{ "a.c:3: a [b] [R]", { "a.c", 3, 0, E, "R", "a [b]" } },
	{ "a.c:3: warning: [SC1]", { "a.c", 3, 0, W, "SC1", "" } },
	{ "a.c:3: [R]", { "a.c", 3, 0, E, "R", "" } },
	{ "a.c:3: warning: msg (not-a-rule)",
	  { "a.c", 3, 0, W, NULL, "msg (not-a-rule)" } },
	/* yamllint's bracketed severity, and its (rule). */
	{ "a.y:1:2: [warning] msg (rule-x9)", { "a.y", 1, 2, W, "rule-x9", "msg" } },
	{ "a.y:1:2: [ERROR] msg [R1]", { "a.y", 1, 2, E, "R1", "msg" } },
	{ "a.y:1:2: [error] msg (Upper)", { "a.y", 1, 2, E, NULL, "msg (Upper)" } },
	{ "a.y:1:2: [error] msg (a b)", { "a.y", 1, 2, E, NULL, "msg (a b)" } },
	{ "a.y:1:2: [error] msg(x)", { "a.y", 1, 2, E, NULL, "msg(x)" } },
	{ "a.y:1:2: [error] one of [a, b] (r)", { "a.y", 1, 2, E, "r", "one of [a, b]" } },
	{ "a.y:1:2: [error]", { "a.y", 1, 2, E, NULL, "" } },
	{ "a.y:1:2: [note] n", { "a.y", 1, 2, E, NULL, "[note] n" } },
	/* Blanks around the message go; its bytes stay. */
	{ "a.c:3:  \t spaced  out \t", { "a.c", 3, 0, E, NULL, "spaced  out" } },
	{ "a.c:3: ", { "a.c", 3, 0, E, NULL, "" } },
	{ "a.c:3: \"q\" 'q' \\ %s %n ::x:: ,", { "a.c", 3, 0, E, NULL, "\"q\" 'q' \\ %s %n ::x:: ," } },
	{ "a\xff.c:3: bad \xfe\xc0 bytes", { "a\xff.c", 3, 0, E, NULL, "bad \xfe\xc0 bytes" } },
	/* Terminal escapes and CRs. */
	{ "a.c:3: x\r", { "a.c", 3, 0, E, NULL, "x" } },
	{ "a.c:3: x\r\r", { "a.c", 3, 0, E, NULL, "x\r" } },
	{ "a.c:3: x\ry", { "a.c", 3, 0, E, NULL, "x\ry" } },
	{ "\x1b[1ma.c\x1b[0m:3: \x1b[31merror:\x1b[0m x", { "a.c", 3, 0, E, NULL, "x" } },
	{ "\x1b[01m\x1b[Ka.c:3:\x1b[m\x1b[K x [\x1b[01;35m\x1b[K-Wall\x1b[m\x1b[K]",
	  { "a.c", 3, 0, E, "-Wall", "x" } },
	{ "a.c:3: see \x1b]8;;http://e\x07here\x1b]8;;\x1b\\ [R]",
	  { "a.c", 3, 0, E, "R", "see here" } },
	{ "a.c:3: x \x1b[", { "a.c", 3, 0, E, NULL, "x" } },
	{ "a.c:3: x \x1b[12;\xc3\xa9", { "a.c", 3, 0, E, NULL, "x \xc3\xa9" } },
	{ "a.c:3: x \x1b]8;;no end", { "a.c", 3, 0, E, NULL, "x \x1b]8;;no end" } },
	{ "a.c:3: x \x1b", { "a.c", 3, 0, E, NULL, "x \x1b" } },
	/* No findings. */
	{ "", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3:", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3:4", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3:4:", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3:4:x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3 x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:x: y", { NULL, 0, 0, 0, NULL, NULL } },
	{ ":3: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ " a.c:3: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "\ta.c:3: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "In file included from a.c:3:", { NULL, 0, 0, 0, NULL, NULL } },
	{ "                 from a.c:3,", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c: In function 'main':", { NULL, 0, 0, 0, NULL, NULL } },
	{ "   12 |   int x;", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:99999999999999999999999: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "a.c:3:99999999999999999999999: x", { NULL, 0, 0, 0, NULL, NULL } },
};

/* Read one line (a newline added) with root and cwd /r. */
static void
read_line_with(const struct finding_format *f, const char *line,
	       struct findings *out)
{
	char *s = xasprintf("%s\n", line);

	read_split(f, "/r", "/r", s, strlen(s), WHOLE, 0, out);
	free(s);
}

static void
expect_line(const struct finding_format *f, const char *line,
	    const struct want *w, const char *what)
{
	struct findings got = { NULL, 0, 0 };
	char *label = xasprintf("%s '%s'", what, line);

	read_line_with(f, line, &got);
	expect_findings(&got, w, w->file != NULL ? 1 : 0, label);
	findings_release(&got);
	free(label);
}

START_TEST(test_gcc_lines)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gcc_lines); i++)
		expect_line(finding_format_gcc(), gcc_lines[i].line,
			    &gcc_lines[i].want, "gcc");
}
END_TEST

/* The largest line and column that fit, and one past. */
START_TEST(test_gcc_numbers)
{
	char line[128];
	struct want w = { "a.c", ULONG_MAX, ULONG_MAX, E, NULL, "x" };
	struct want none = { NULL, 0, 0, 0, NULL, NULL };

	snprintf(line, sizeof(line), "a.c:%lu:%lu: x", ULONG_MAX, ULONG_MAX);
	expect_line(finding_format_gcc(), line, &w, "gcc");
	/* ULONG_MAX ends in 5 on every width: one more carries over. */
	snprintf(line, sizeof(line), "a.c:%lu", ULONG_MAX);
	line[strlen(line) - 1] = '6';
	strcat(line, ": x");
	expect_line(finding_format_gcc(), line, &none, "gcc");
}
END_TEST

/* --- vim's errorformat ------------------------------------------------- */

struct efm_case {
	const char *efm;
	const char *line;
	struct want want;       /* .file NULL: no finding */
};

#define MYPY "%f:%l:%c: %trror: %m, %f:%l:%c: %tarning: %m, " \
	"%f:%l:%c: %tote: %m, %-G%.%#"

static const struct efm_case efm_lines[] = {
	{ "%f:%l:%c:%m", "a.c:3:4:msg", { "a.c", 3, 4, E, NULL, "msg" } },
	{ "%f:%l:%c:%m", "a.c:3:4: spaced out  ", { "a.c", 3, 4, E, NULL, "spaced out" } },
	{ "%f:%l:%c:%m", "a.c:3:msg", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f(%l): %m", "src/x.c(12): oops", { "src/x.c", 12, 0, E, NULL, "oops" } },
	{ "%f(%l): %m", "src/x.c:12: oops", { NULL, 0, 0, 0, NULL, NULL } },
	/* %f: shortest first, backtracking; non-empty; any bytes. */
	{ "%f:%l:%m", "a:b.c:3:x", { "a:b.c", 3, 0, E, NULL, "x" } },
	{ "%f:%l:%m", "a:1x:2:y", { "a:1x", 2, 0, E, NULL, "y" } },
	{ "%f:%l: %m", ":1: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f:%l: %m", "my file.c:2: x", { "my file.c", 2, 0, E, NULL, "x" } },
	/* %m: shortest first, may be empty. */
	{ "%f:%l:%m:%c", "a:1:x:y:5", { "a", 1, 5, E, NULL, "x:y" } },
	{ "%f:%l:%m", "a:1:", { "a", 1, 0, E, NULL, "" } },
	{ "%m: %f", "some text: a.c", { "a.c", 0, 0, E, NULL, "some text" } },
	/* No %l: line 0; no %m: message "". */
	{ "%f: %m", "a.c: whole file", { "a.c", 0, 0, E, NULL, "whole file" } },
	{ "%f", "lonely.c", { "lonely.c", 0, 0, E, NULL, "" } },
	/* Digits: one or more, most first. */
	{ "%f:%l%m", "a:123abc", { "a", 123, 0, E, NULL, "abc" } },
	{ "%f:%l", "a:1x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f:%l", "a:", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f:%l%c", "a:123", { "a", 12, 3, E, NULL, "" } },
	/* Patterns match whole lines. */
	{ "%f:%l", "a:1 ", { NULL, 0, 0, 0, NULL, NULL } },
	{ "x%f:%l", "yx:1", { NULL, 0, 0, 0, NULL, NULL } },
	/* Escapes. */
	{ "%f:%l: 100%% %m", "a:1: 100% done", { "a", 1, 0, E, NULL, "done" } },
	{ "%f:%l: 100%% %m", "a:1: 100%% done", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f\\,%l: %m", "a,1: x", { "a", 1, 0, E, NULL, "x" } },
	{ "%f\\\\%l: %m", "a\\3: m", { "a", 3, 0, E, NULL, "m" } },
	{ "%f:%l:\\ %m", "a:1: x", { "a", 1, 0, E, NULL, "x" } },
	{ "%f.\\%l:%l", "a.%l:1", { "a", 1, 0, E, NULL, "" } },
	/* %t and %n. */
	{ "%f|%l| %t%n: %m", "x.py|3| W605: invalid escape", { "x.py", 3, 0, W, "605", "invalid escape" } },
	{ "%f|%l| %t%n: %m", "x.py|3| e1: bad", { "x.py", 3, 0, E, "1", "bad" } },
	{ "%f|%l| %t%n: %m", "x.py|3| E1: bad", { "x.py", 3, 0, E, "1", "bad" } },
	{ "%f|%l| %t%n: %m", "x.py|3| n02: fyi", { "x.py", 3, 0, N, "02", "fyi" } },
	{ "%f|%l| %t%n: %m", "x.py|3| I2: fyi", { "x.py", 3, 0, N, "2", "fyi" } },
	{ "%f|%l| %t%n: %m", "x.py|3| Q605: what", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f|%l| %t%n: %m", "x.py|3| W: no number", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f:%l:%c: %trror: %m,%f:%l:%c: %tarning: %m",
	  "a.c:1:2: warning: x", { "a.c", 1, 2, W, NULL, "x" } },
	{ "%f:%l:%c: %trror: %m,%f:%l:%c: %tarning: %m",
	  "a.c:1:2: error: x", { "a.c", 1, 2, E, NULL, "x" } },
	{ "%f:%l:%c: %trror: %m,%f:%l:%c: %tarning: %m",
	  "a.c:1:2: note: x", { NULL, 0, 0, 0, NULL, NULL } },
	/* The first pattern that matches wins; blanks after a comma go. */
	{ "%f:%l: %m, %f(%l): %m", "b(2): two", { "b", 2, 0, E, NULL, "two" } },
	{ "%f:%l: %m, %f(%l): %m", "a:1: one", { "a", 1, 0, E, NULL, "one" } },
	{ "%f: %m,%f:%l: %m", "a:1: x", { "a:1", 0, 0, E, NULL, "x" } },
	/* A number too large: that pattern does not match. */
	{ "%f:%l: %m,%f:%m", "a:99999999999999999999999: x",
	  { "a", 0, 0, E, NULL, "99999999999999999999999: x" } },
	{ "%f:%l:%c: %m", "a:1:99999999999999999999999: x", { NULL, 0, 0, 0, NULL, NULL } },
	/* %-G: a line that is no finding, if it comes first. */
	{ "%-Gmake%.%#,%f:%l: %m", "make[1]: Entering directory '/x'", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%-Gmake%.%#,%f:%l: %m", "a.c:1: real", { "a.c", 1, 0, E, NULL, "real" } },
	{ "%-Gmake%.%#,%f:%l: %m", "make.c:1: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%f:%l: %m,%-G%.%#", "make.c:1: x", { "make.c", 1, 0, E, NULL, "x" } },
	{ "%f:%l: %m,%-G%.%#", "anything else", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%-G%f:%l: note: %m,%f:%l: %m", "a:1: note: x", { NULL, 0, 0, 0, NULL, NULL } },
	{ "%-G%f:%l: note: %m,%f:%l: %m", "a:1: other", { "a", 1, 0, E, NULL, "other" } },
	/* The example of hookwave.ini(5), FINDINGS, as conf joins it. */
	{ MYPY, "a.py:3:5: error: Incompatible types in assignment [assignment]",
	  { "a.py", 3, 5, E, NULL, "Incompatible types in assignment [assignment]" } },
	{ MYPY, "a.py:3:5: warning: w", { "a.py", 3, 5, W, NULL, "w" } },
	{ MYPY, "a.py:4:1: note: See https://x", { "a.py", 4, 1, N, NULL, "See https://x" } },
	{ MYPY, "Found 1 error in 1 file (checked 1 source file)", { NULL, 0, 0, 0, NULL, NULL } },
	/* %.%#: any text, captured by nothing. */
	{ "%.%#: %f:%l: %m", "[12:00] tool: a:1: x", { "a", 1, 0, E, NULL, "x" } },
	/* CRs and terminal escapes go before matching, as in the gcc form. */
	{ "%f:%l: %m", "\x1b[1ma.c\x1b[0m:1: x\r", { "a.c", 1, 0, E, NULL, "x" } },
	{ "%f:%l: %m", "a.c:1: \xff\xfe \"'\\", { "a.c", 1, 0, E, NULL, "\xff\xfe \"'\\" } },
};

START_TEST(test_errorformat_lines)
{
	size_t i;
	char why[256];

	for (i = 0; i < ARRAY_SIZE(efm_lines); i++) {
		struct finding_format *f;
		char *what = xasprintf("errorformat '%s'", efm_lines[i].efm);

		f = finding_format_errorformat(efm_lines[i].efm, why, sizeof(why));
		ck_assert_msg(f != NULL, "%s: %s", what, why);
		ck_assert_str_eq(why, "");
		expect_line(f, efm_lines[i].line, &efm_lines[i].want, what);
		finding_format_free(f);
		free(what);
	}
}
END_TEST

static const struct {
	const char *efm;
	const char *why;
} efm_refused[] = {
	{ "", "errorformat is empty" },
	{ " \t ", "errorformat is empty" },
	{ ",%f", "pattern 1 is empty" },
	{ "%f:%l:%m,", "pattern 2 is empty" },
	{ "%f:%l:%m,,%f", "pattern 2 is empty" },
	{ "%f:%l:%m, ,%f:%m", "pattern 2 is empty" },
	{ "%f:%l:%m,%f,  ", "pattern 3 is empty" },
	{ "%f:%l:%m%", "pattern 1 ends in a lone %" },
	{ "%f:%l:%m\\", "pattern 1 ends in a lone \\" },
	{ "%f,%f:%l:%m\\", "pattern 2 ends in a lone \\" },
	{ "%f:%l: %t%*[^:]", "pattern 1: unknown conversion %*" },
	{ "%f:%l:%q", "pattern 1: unknown conversion %q" },
	{ "%f:%l:%s", "pattern 1: unknown conversion %s" },
	{ "%f:%l:%p", "pattern 1: unknown conversion %p" },
	{ "%f:%l:%v", "pattern 1: unknown conversion %v" },
	{ "%f:%l:%r", "pattern 1: unknown conversion %r" },
	{ "%f:%l:%k", "pattern 1: unknown conversion %k" },
	{ "%f:%l:%o", "pattern 1: unknown conversion %o" },
	{ "%f:%l:%e", "pattern 1: unknown conversion %e" },
	{ "%f:%l:%F", "pattern 1: unknown conversion %F" },
	{ "%f:%l:%#", "pattern 1: unknown conversion %#" },
	{ "%f%\x01", "pattern 1: unknown conversion %\\x01" },
	{ "%f%\xc3\xa9", "pattern 1: unknown conversion %\\xc3" },
	{ "%f:%l:%m,%-", "pattern 2: unknown conversion %-" },
	{ "%f:%l:%m,%-,", "pattern 2: unknown conversion %-" },
	{ "%-q%f", "pattern 1: unknown conversion %-q" },
	{ "%E%f:%l:%m", "pattern 1: %E is one of vim's multi-line forms, which are not supported" },
	{ "%f:%l:%m,%C%m", "pattern 2: %C is one of vim's multi-line forms, which are not supported" },
	{ "%+G%m", "pattern 1: %+G is one of vim's multi-line forms, which are not supported" },
	{ "%+", "pattern 1: %+ is one of vim's multi-line forms, which are not supported" },
	{ "%-E%f", "pattern 1: %-E is one of vim's multi-line forms, which are not supported" },
	{ "%W%f", "pattern 1: %W is one of vim's multi-line forms, which are not supported" },
	{ "%I%f", "pattern 1: %I is one of vim's multi-line forms, which are not supported" },
	{ "%N%f", "pattern 1: %N is one of vim's multi-line forms, which are not supported" },
	{ "%A%f", "pattern 1: %A is one of vim's multi-line forms, which are not supported" },
	{ "%Z%f", "pattern 1: %Z is one of vim's multi-line forms, which are not supported" },
	{ "%f%>", "pattern 1: %> is one of vim's multi-line forms, which are not supported" },
	{ "%O%f", "pattern 1: %O is one of vim's multi-line forms, which are not supported" },
	{ "%P%f", "pattern 1: %P is one of vim's multi-line forms, which are not supported" },
	{ "%Q%f", "pattern 1: %Q is one of vim's multi-line forms, which are not supported" },
	{ "%D%f", "pattern 1: %D is one of vim's multi-line forms, which are not supported" },
	{ "%X%f", "pattern 1: %X is one of vim's multi-line forms, which are not supported" },
	{ "%G%f", "pattern 1: %G is supported only as %-G at the start of a pattern" },
	{ "%f %-G", "pattern 1: %-G is supported only as %-G at the start of a pattern" },
	{ "%f: %.x", "pattern 1: %. is supported only as %.%# (any text)" },
	{ "%f: %.", "pattern 1: %. is supported only as %.%# (any text)" },
	{ "%f:%l:%m %f", "pattern 1 has %f twice" },
	{ "%f:%l:%l", "pattern 1 has %l twice" },
	{ "%f:%c:%c", "pattern 1 has %c twice" },
	{ "%f:%t%t", "pattern 1 has %t twice" },
	{ "%f:%m%m", "pattern 1 has %m twice" },
	{ "%f:%n%n", "pattern 1 has %n twice" },
	{ "%l: %m", "pattern 1 has no %f (a finding needs a file)" },
	{ "%f:%l,%l: %m", "pattern 2 has no %f (a finding needs a file)" },
	{ "%f\\,%l,%%f", "pattern 2 has no %f (a finding needs a file)" },
	{ "\\%f:%l", "pattern 1 has no %f (a finding needs a file)" },
};

START_TEST(test_errorformat_refused)
{
	size_t i;
	char why[256];

	for (i = 0; i < ARRAY_SIZE(efm_refused); i++) {
		struct finding_format *f;

		memset(why, 'x', sizeof(why));
		f = finding_format_errorformat(efm_refused[i].efm, why,
					       sizeof(why));
		ck_assert_msg(f == NULL, "'%s' is accepted", efm_refused[i].efm);
		ck_assert_msg(strcmp(why, efm_refused[i].why) == 0,
			      "'%s': why '%s', want '%s'", efm_refused[i].efm,
			      why, efm_refused[i].why);
	}
}
END_TEST

/* A pattern's longest text, a cut why, and patterns that are fine. */
START_TEST(test_errorformat_limits)
{
	char efm[2048], why[256], small[12];
	struct finding_format *f;
	static const char *const fine[] = {
		"%-G%.%#", "%-G", "%f", "%-Gx,%f", "%f:%l:%c:%t:%n:%m:%.%#:%.%#",
		"%f\\,%l", "\t%f:%l: %m,\t%f", "%%%f%%",
	};
	size_t i;

	memset(efm, 'a', sizeof(efm));
	memcpy(efm, "%f:", 3);
	efm[1024] = '\0';
	f = finding_format_errorformat(efm, why, sizeof(why));
	ck_assert_msg(f != NULL, "%s", why);
	finding_format_free(f);
	efm[1024] = 'a';
	efm[1025] = '\0';
	f = finding_format_errorformat(efm, why, sizeof(why));
	ck_assert_ptr_null(f);
	ck_assert_str_eq(why, "pattern 1 is longer than 1024 bytes");
	/* An escape across the limit counts both its bytes. */
	memcpy(efm + 1022, "\\,", 3);
	efm[1024] = '\0';
	f = finding_format_errorformat(efm, why, sizeof(why));
	ck_assert_msg(f != NULL, "%s", why);
	finding_format_free(f);
	memcpy(efm + 1022, "a\\,", 4);
	efm[1025] = '\0';
	f = finding_format_errorformat(efm, why, sizeof(why));
	ck_assert_ptr_null(f);
	ck_assert_str_eq(why, "pattern 1 is longer than 1024 bytes");
	/* A second pattern too long, far too long. */
	memset(efm, 'a', sizeof(efm) - 1);
	efm[sizeof(efm) - 1] = '\0';
	memcpy(efm, "%f,%f", 5);
	f = finding_format_errorformat(efm, why, sizeof(why));
	ck_assert_ptr_null(f);
	ck_assert_str_eq(why, "pattern 2 is longer than 1024 bytes");

	/* why is cut to fit, and always ends. */
	f = finding_format_errorformat("%q", small, sizeof(small));
	ck_assert_ptr_null(f);
	ck_assert_str_eq(small, "pattern 1: ");
	f = finding_format_errorformat("%q", small, 0);
	ck_assert_ptr_null(f);

	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		f = finding_format_errorformat(fine[i], why, sizeof(why));
		ck_assert_msg(f != NULL, "'%s': %s", fine[i], why);
		finding_format_free(f);
	}
	finding_format_free(NULL);
	finding_format_free(finding_format_gcc());
	ck_assert_ptr_eq(finding_format_gcc(), finding_format_gcc());
}
END_TEST

/*
 * A pattern made to make a backtracking matcher take exponential time
 * (many stretches of any text, then a byte the line lacks) on a line of
 * the longest length: the VM's time is the line's length times the
 * pattern's size, so this ends (Check's timeout is the bound), with no
 * finding; the same line with the byte is one.
 */
START_TEST(test_errorformat_no_blowup)
{
	struct buf { char *p; } line;
	char efm[256] = "%f";
	struct finding_format *f;
	struct findings got = { NULL, 0, 0 };
	char why[256];
	int i;

	for (i = 0; i < 20; i++)
		strcat(efm, "a%.%#");
	strcat(efm, "!%m");
	f = finding_format_errorformat(efm, why, sizeof(why));
	ck_assert_msg(f != NULL, "%s", why);
	line.p = xmalloc(FINDING_LINE_MAX + 1);
	memset(line.p, 'a', FINDING_LINE_MAX);
	line.p[FINDING_LINE_MAX] = '\n';
	read_split(f, "/r", "/r", line.p, FINDING_LINE_MAX + 1, WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 0);
	line.p[FINDING_LINE_MAX - 2] = '!';
	read_split(f, "/r", "/r", line.p, FINDING_LINE_MAX + 1, WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_str_eq(got.v[0].file, "a");
	ck_assert_str_eq(got.v[0].message, "a");
	findings_release(&got);
	free(line.p);
	finding_format_free(f);
}
END_TEST

/* --- hostile output ------------------------------------------------------ */

START_TEST(test_nul_and_crlf)
{
	static const char out[] =
		"a.c:1: x\0y\n"                 /* a NUL: no finding */
		"\0b.c:2: z\n"
		"c.c:3: ok\r\n"
		"d.c:4:5: warning: fine [R]\r\n"
		"\n\r\n\0\n"
		"e.c:6: last, no newline\r";
	static const struct want want[] = {
		{ "c.c", 3, 0, E, NULL, "ok" },
		{ "d.c", 4, 5, W, "R", "fine" },
		{ "e.c", 6, 0, E, NULL, "last, no newline" },
	};
	struct findings got = { NULL, 0, 0 };
	unsigned seed;

	read_split(finding_format_gcc(), "/r", "/r", out, sizeof(out) - 1,
		   WHOLE, 0, &got);
	expect_findings(&got, want, ARRAY_SIZE(want), "nul and crlf");
	findings_release(&got);
	read_split(finding_format_gcc(), "/r", "/r", out, sizeof(out) - 1,
		   BYTES, 0, &got);
	expect_findings(&got, want, ARRAY_SIZE(want), "nul and crlf, bytes");
	findings_release(&got);
	for (seed = 1; seed < 10; seed++) {
		read_split(finding_format_gcc(), "/r", "/r", out,
			   sizeof(out) - 1, RANDOM, seed, &got);
		expect_findings(&got, want, ARRAY_SIZE(want), "nul and crlf, pieces");
		findings_release(&got);
	}
}
END_TEST

/* A line of n bytes (newline excluded) that is a finding when read:
   "a.c:1: xxx...". */
static char *
long_line(size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, 'x', n);
	memcpy(s, "a.c:1: ", 7);
	s[n] = '\n';
	return s;
}

START_TEST(test_long_lines)
{
	struct findings got = { NULL, 0, 0 };
	char *s;
	size_t n;
	unsigned seed;

	/* FINDING_LINE_MAX bytes: a finding, whole and in pieces. */
	s = long_line(FINDING_LINE_MAX);
	read_split(finding_format_gcc(), "/r", "/r", s, FINDING_LINE_MAX + 1,
		   WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(strlen(got.v[0].message), FINDING_LINE_MAX - 7);
	findings_release(&got);
	read_split(finding_format_gcc(), "/r", "/r", s, FINDING_LINE_MAX + 1,
		   RANDOM, 3, &got);
	ck_assert_uint_eq(got.n, 1);
	findings_release(&got);
	/* Without its newline, at the end: still read. */
	read_split(finding_format_gcc(), "/r", "/r", s, FINDING_LINE_MAX,
		   WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 1);
	findings_release(&got);
	free(s);

	/* One byte more: none, and the next line is read as usual. */
	n = FINDING_LINE_MAX + 1;
	s = xrealloc(long_line(n), n + 1 + 9);
	memcpy(s + n + 1, "b.c:2: y\n", 9);
	for (seed = 0; seed < 4; seed++) {
		read_split(finding_format_gcc(), "/r", "/r", s, n + 1 + 9,
			   seed == 0 ? WHOLE : RANDOM, seed, &got);
		ck_assert_uint_eq(got.n, 1);
		ck_assert_str_eq(got.v[0].file, "b.c");
		ck_assert_str_eq(got.v[0].message, "y");
		findings_release(&got);
	}
	/* Too long and last, without its newline: none. */
	read_split(finding_format_gcc(), "/r", "/r", s, n, WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 0);
	free(s);

	/* A 100 KB line, a CR counting as one of its bytes. */
	n = 100 * 1024;
	s = long_line(n);
	s[n - 1] = '\r';
	read_split(finding_format_gcc(), "/r", "/r", s, n + 1, WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 0);
	free(s);
	s = long_line(FINDING_LINE_MAX + 1);
	s[FINDING_LINE_MAX] = '\r';
	read_split(finding_format_gcc(), "/r", "/r", s, FINDING_LINE_MAX + 2,
		   WHOLE, 0, &got);
	ck_assert_uint_eq(got.n, 0);
	free(s);
}
END_TEST

/* Megabytes without a newline take no more than FINDING_LINE_MAX bytes
   of the reader's memory at a time, in any pieces. */
START_TEST(test_long_line_memory)
{
	struct finding_reader *r;
	struct findings got = { NULL, 0, 0 };
	char piece[4096];
	size_t i;
	struct finding_format *f;
	char why[256];

	memset(piece, 'x', sizeof(piece));
	memcpy(piece, "a.c:1: ", 7);
	largest_alloc = 0;
	r = finding_reader_new(finding_format_gcc(), "/r", "/r");
	for (i = 0; i < 1024; i++)
		finding_reader_feed(r, piece, sizeof(piece));
	for (i = 0; i < 4096; i++)
		finding_reader_feed(r, piece + 7, 7);
	finding_reader_feed(r, "\na.c:2: y\n", 10);
	finding_reader_finish(r, &got);
	finding_reader_free(r);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.v[0].line, 2);
	findings_release(&got);
	ck_assert_msg(largest_alloc <= FINDING_LINE_MAX,
		      "asked for %zu bytes at once", largest_alloc);

	/* The same through errorformat, whose matcher has memory too. */
	f = finding_format_errorformat("%f:%l: %m", why, sizeof(why));
	ck_assert_ptr_nonnull(f);
	largest_alloc = 0;
	r = finding_reader_new(f, "/r", "/r");
	for (i = 0; i < 1024; i++)
		finding_reader_feed(r, piece, sizeof(piece));
	finding_reader_feed(r, "\na.c:2: y\n", 10);
	finding_reader_finish(r, &got);
	finding_reader_free(r);
	ck_assert_uint_eq(got.n, 1);
	findings_release(&got);
	finding_format_free(f);
	ck_assert_msg(largest_alloc <= FINDING_LINE_MAX,
		      "asked for %zu bytes at once", largest_alloc);
}
END_TEST

/* Random bytes with newlines: whole or in pieces, the same findings,
   and never a crash (ASan, UBSan). */
START_TEST(test_random_bytes)
{
	static const char *const alphabet[] = {
		"a", ".c", ":", "1", "23", " ", "\t", "\n", "\r", "\x1b[",
		"m", "\x1b]", "\x07", "[", "]", "(", ")", "x-y", "\0",
		"\xff", "error:", "[warning]", "note: ", "%",
	};
	char buf[4096];
	unsigned seed = 7, round;
	struct finding_format *efm;
	char why[256];

	efm = finding_format_errorformat("%f:%l:%c: %t%.%#: %m [%n],%f:%l: %m",
					 why, sizeof(why));
	ck_assert_msg(efm != NULL, "%s", why);
	for (round = 0; round < 300; round++) {
		size_t n = 0, k;
		struct findings a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
		const struct finding_format *f =
			round % 2 ? efm : finding_format_gcc();

		while (n < sizeof(buf) - 16) {
			const char *w;

			seed = seed * 1103515245u + 12345u;
			w = alphabet[(seed >> 16) % ARRAY_SIZE(alphabet)];
			k = w[0] == '\0' ? 1 : strlen(w);
			memcpy(buf + n, w, k);
			n += k;
		}
		read_split(f, "/r", "/r/s", buf, n, WHOLE, 0, &a);
		read_split(f, "/r", "/r/s", buf, n, RANDOM, round, &b);
		expect_same(&b, &a, "random bytes");
		for (k = 0; k < a.n; k++) {
			ck_assert(a.v[k].file[0] != '\0');
			ck_assert_ptr_null(strchr(a.v[k].message, '\n'));
		}
		findings_release(&a);
		findings_release(&b);
	}
	finding_format_free(efm);
}
END_TEST

/* Empty lines before the reader has kept a byte, and empty feeds
   (found by fuzz_findings: UBSan's null pointer plus zero offset). */
START_TEST(test_empty_lines_first)
{
	static const struct want want[] = {
		{ "a.c", 1, 0, E, NULL, "x" },
	};
	struct findings got = { NULL, 0, 0 };
	struct finding_reader *r;

	r = finding_reader_new(finding_format_gcc(), "/r", "/r");
	finding_reader_feed(r, "", 0);
	finding_reader_feed(r, "\n\n", 2);
	finding_reader_feed(r, "a.c:1: x\n", 10);
	finding_reader_feed(r, "", 0);
	finding_reader_finish(r, &got);
	finding_reader_free(r);
	expect_findings(&got, want, 1, "empty lines first");
	findings_release(&got);

	r = finding_reader_new(finding_format_gcc(), "/r", "/r");
	finding_reader_finish(r, &got);
	finding_reader_free(r);
	ck_assert_uint_eq(got.n, 0);
}
END_TEST

/* --- finish, free ----------------------------------------------------------- */

START_TEST(test_finish_appends)
{
	struct findings out = { NULL, 0, 0 };
	struct finding_reader *r;
	static const struct want want[] = {
		{ "old", 9, 0, N, NULL, "kept" },
		{ "a.c", 1, 0, E, NULL, "one" },
		{ "b.c", 2, 0, E, NULL, "two" },
		{ "c.c", 3, 0, E, NULL, "three" },
	};

	findings_add(&out, "old", 9, 0, FINDING_NOTE, NULL, "kept");
	r = finding_reader_new(finding_format_gcc(), "/r", "/r");
	finding_reader_feed(r, "a.c:1: one\nb.c:2: t", 19);
	finding_reader_feed(r, "wo", 2);
	finding_reader_finish(r, &out);
	expect_findings(&out, want, 3, "finish");
	/* After finish the reader holds nothing; it reads on afresh. */
	finding_reader_finish(r, &out);
	expect_findings(&out, want, 3, "finish twice");
	finding_reader_feed(r, "c.c:3: three\n", 13);
	finding_reader_finish(r, &out);
	expect_findings(&out, want, 4, "finish, feed, finish");
	finding_reader_free(r);
	findings_release(&out);

	/* Freed with findings not moved out (ASan: no leak), and NULL. */
	r = finding_reader_new(finding_format_gcc(), "/r", "/r");
	finding_reader_feed(r, "a.c:1: one\nb.c:2: partial", 25);
	finding_reader_free(r);
	finding_reader_free(NULL);
}
END_TEST

/* --- paths ------------------------------------------------------------------ */

static const struct {
	const char *root, *cwd, *path, *want;
} paths[] = {
	{ "/r", "/r", "a", "a" },
	{ "/r", "/r", "./a", "a" },
	{ "/r", "/r", "sub/../a", "a" },
	{ "/r", "/r", "sub//a", "sub/a" },
	{ "/r", "/r", "sub/./b/", "sub/b" },
	{ "/r", "/r", ".", "." },
	{ "/r", "/r", "", "." },
	{ "/r", "/r", "../x", "/x" },
	{ "/r", "/r", "../r/a", "a" },
	{ "/r", "/r", "../../../../x", "/x" },
	{ "/r", "/r", "/r", "." },
	{ "/r", "/r", "/r/", "." },
	{ "/r", "/r", "//r//sub/./b", "sub/b" },
	{ "/r", "/r", "/r/../r/a", "a" },
	{ "/r", "/r", "/other/a", "/other/a" },
	{ "/r", "/r", "/rx/a", "/rx/a" },
	{ "/r", "/r", "/", "/" },
	{ "/r", "/r", "/..", "/" },
	{ "/r", "/r", "a/.../b", "a/.../b" },
	{ "/r", "/r", "..a/b..", "..a/b.." },
	{ "/r", "/r", "a b/c\xff", "a b/c\xff" },
	/* cwd a subdirectory of root. */
	{ "/r", "/r/sub", "a", "sub/a" },
	{ "/r", "/r/sub", "../a", "a" },
	{ "/r", "/r/sub", "../../x", "/x" },
	{ "/r", "/r/sub", ".", "sub" },
	{ "/r", "/r/sub", "..", "." },
	{ "/r", "/r/sub", "/r/z", "z" },
	{ "/r", "/r/sub/deep", "../../sub2/f", "sub2/f" },
	/* cwd outside root. */
	{ "/r", "/elsewhere", "a", "/elsewhere/a" },
	{ "/r", "/elsewhere", "../r/a", "a" },
	/* root and cwd not normalized. */
	{ "/r/", "/r/sub/", "a", "sub/a" },
	{ "/r/./", "//r//sub/..", "a", "a" },
	{ "/x/../r", "/r", "a", "a" },
	/* root "/". */
	{ "/", "/home", "a", "home/a" },
	{ "/", "/home", "/", "." },
	{ "/", "/", "..", "." },
	{ "/", "/home", "/etc/x", "etc/x" },
};

START_TEST(test_paths)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		char *p = finding_path(paths[i].root, paths[i].cwd,
				       paths[i].path);

		ck_assert_msg(strcmp(p, paths[i].want) == 0,
			      "root '%s' cwd '%s' path '%s': '%s', want '%s'",
			      paths[i].root, paths[i].cwd, paths[i].path, p,
			      paths[i].want);
		free(p);
	}
}
END_TEST

/* A reader stores each finding's file through finding_path. */
START_TEST(test_reader_paths)
{
	static const char out[] =
		"./a.c:1: x\n"
		"../b.c:2: x\n"
		"../../outside.c:3: x\n"
		"/r/sub/c.c:4: x\n"
		"/etc/d.c:5: x\n"
		"sub2/../e.c:6: x\n";
	static const struct want want[] = {
		{ "sub/a.c", 1, 0, E, NULL, "x" },
		{ "b.c", 2, 0, E, NULL, "x" },
		{ "/outside.c", 3, 0, E, NULL, "x" },
		{ "sub/c.c", 4, 0, E, NULL, "x" },
		{ "/etc/d.c", 5, 0, E, NULL, "x" },
		{ "sub/e.c", 6, 0, E, NULL, "x" },
	};
	struct findings got = { NULL, 0, 0 };

	read_split(finding_format_gcc(), "/r", "/r/sub", out, sizeof(out) - 1,
		   WHOLE, 0, &got);
	expect_findings(&got, want, ARRAY_SIZE(want), "paths");
	findings_release(&got);
}
END_TEST

/* --- a format shared by threads --------------------------------------------- */

struct shared {
	const struct finding_format *f;
	const char *s;
	size_t n;
	struct findings got;
};

static void *
read_shared(void *arg)
{
	struct shared *sh = arg;
	int i;

	for (i = 0; i < 20; i++) {
		findings_release(&sh->got);
		read_split(sh->f, ROOT, CWD, sh->s, sh->n, RANDOM,
			   (unsigned)i, &sh->got);
	}
	return NULL;
}

START_TEST(test_shared_format)
{
	struct shared sh[4];
	pthread_t t[4];
	struct finding_format *efm;
	struct findings want = { NULL, 0, 0 };
	char why[256];
	size_t n;
	char *s = fixture("gcc.out", &n);
	int i;

	efm = finding_format_errorformat(
		"%f:%l:%c: %trror: %m,%f:%l:%c: %tarning: %m,%f:%l:%c: %tote: %m,%-G%.%#",
		why, sizeof(why));
	ck_assert_msg(efm != NULL, "%s", why);
	read_all(efm, s, n, &want);
	/* All of gcc's but "fatal error:", which no pattern matches. */
	ck_assert_uint_eq(want.n, ARRAY_SIZE(want_gcc) - 1);
	for (i = 0; i < 4; i++) {
		sh[i].f = i % 2 ? efm : finding_format_gcc();
		sh[i].s = s;
		sh[i].n = n;
		memset(&sh[i].got, 0, sizeof(sh[i].got));
		ck_assert_int_eq(pthread_create(&t[i], NULL, read_shared, &sh[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		if (i % 2)
			expect_same(&sh[i].got, &want, "errorformat thread");
		else
			expect_findings(&sh[i].got, want_gcc,
					ARRAY_SIZE(want_gcc), "gcc thread");
		findings_release(&sh[i].got);
	}
	findings_release(&want);
	finding_format_free(efm);
	free(s);
}
END_TEST

Suite *
finding_read_suite(void)
{
	Suite *s = suite_create("finding_read");
	TCase *tc;

	tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_fixture, 0, (int)ARRAY_SIZE(fixtures));
	tcase_add_loop_test(tc, test_fixture_split, 0,
			    (int)ARRAY_SIZE(fixtures));
	tcase_add_test(tc, test_fixture_errorformat);
	suite_add_tcase(s, tc);

	tc = tcase_create("gcc");
	tcase_add_test(tc, test_gcc_lines);
	tcase_add_test(tc, test_gcc_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("errorformat");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_errorformat_lines);
	tcase_add_test(tc, test_errorformat_refused);
	tcase_add_test(tc, test_errorformat_limits);
	tcase_add_test(tc, test_errorformat_no_blowup);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_nul_and_crlf);
	tcase_add_test(tc, test_empty_lines_first);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_long_line_memory);
	tcase_add_test(tc, test_random_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("reader");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_finish_appends);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_reader_paths);
	tcase_add_test(tc, test_shared_format);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(finding_read_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
