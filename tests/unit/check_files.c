/*
 * check_files.c - unit tests for files.c: pattern matching, selection,
 * batching, the argument budget, and listing (the walk, git, lists).
 *
 * Listing tests run in a fresh temporary directory each (Check forks
 * every test, so chdir is safe) with git isolated from the user's and
 * the system's configuration and from any repository above.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "scratch.h"

extern char **environ;

/* A string literal where a char * is wanted (-Wwrite-strings). */
#define S(lit) ((char *)(lit))

/* ---------------------------------------------------------------- */
/* Helpers.                                                         */

/*
 * CPU seconds this process has used: the bounds below catch a
 * quadratic step (minutes of CPU), and a loaded machine, which stretches
 * the wall clock, cannot fail them.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
match1(const char *path, const char *pat)
{
	char *v[1];

	v[0] = (char *)pat;
	return files_match_any(path, v, 1);
}

#define MATCH(path, pat) \
	ck_assert_msg(match1(path, pat), "'%s' should match '%s'", path, pat)
#define NOMATCH(path, pat) \
	ck_assert_msg(!match1(path, pat), "'%s' should not match '%s'", \
	    path, pat)

/* A file list of copies of v[0..n). */
static void
fl_from(struct file_list *fl, const char *const *v, size_t n)
{
	size_t i;

	fl->n = n;
	fl->size = NULL;
	fl->v = xreallocarray(NULL, n ? n : 1, sizeof(*fl->v));
	for (i = 0; i < n; i++)
		fl->v[i] = xstrdup(v[i]);
}

/* A file list of n names "dir/sub/file%07zu.py" (27 bytes each). */
static void
fl_uniform(struct file_list *fl, size_t n)
{
	size_t i;

	fl->n = n;
	fl->size = NULL;
	fl->v = xreallocarray(NULL, n ? n : 1, sizeof(*fl->v));
	for (i = 0; i < n; i++)
		fl->v[i] = xasprintf("dir/sub/file%07zu.py", i);
}

static size_t *
all_idx(size_t n)
{
	size_t *idx = xreallocarray(NULL, n ? n : 1, sizeof(*idx)), i;

	for (i = 0; i < n; i++)
		idx[i] = i;
	return idx;
}

static size_t
cost_of(const char *s)
{
	return strlen(s) + 1 + sizeof(char *);
}

/*
 * Every selected file exactly once, each batch non-empty, in list order
 * inside and NULL-terminated, its costs given (NULL: argument bytes)
 * and summed in total[]; batches costliest first.
 */
static void
check_cover_costs(const struct batches *b, const struct file_list *fl,
		  const size_t *idx, size_t nidx, const double *cost)
{
	size_t k, i, j, seen = 0;
	char *got = xcalloc(nidx + 1, 1);

	for (k = 0; k < b->n; k++) {
		double sum = 0;
		size_t last = 0;

		ck_assert_uint_gt(b->count[k], 0);
		for (i = 0; i < b->count[k]; i++) {
			/* where the file is in the selection */
			for (j = 0; j < nidx; j++)
				if (b->files[k][i] == fl->v[idx[j]])
					break;
			ck_assert_uint_lt(j, nidx);
			ck_assert_msg(!got[j], "file %zu twice", j);
			got[j] = 1;
			if (i > 0)
				ck_assert_msg(j > last, "batch %zu out of list order", k);
			last = j;
			ck_assert(b->cost[k][i] == (cost != NULL ? cost[j] :
			    (double)(strlen(fl->v[idx[j]]) + 1 + sizeof(char *))));
			sum += b->cost[k][i];
			seen++;
		}
		ck_assert_ptr_null(b->files[k][b->count[k]]);
		ck_assert(b->total[k] == sum);
		ck_assert(b->seconds[k] == 0);
		if (k > 0)
			ck_assert(b->total[k] <= b->total[k - 1]);
	}
	ck_assert_uint_eq(seen, nidx);
	free(got);
}

static void
check_cover(const struct batches *b, const struct file_list *fl,
	    const size_t *idx, size_t nidx)
{
	check_cover_costs(b, fl, idx, nidx, NULL);
}

static size_t
batch_cost(const struct batches *b, size_t k)
{
	size_t i, c = 0;

	for (i = 0; i < b->count[k]; i++)
		c += cost_of(b->files[k][i]);
	return c;
}

/* Entries in /proc/self/fd (the DIR's own fd counts both times). */
static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot create %s: %s", path,
	    strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
put_bytes(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print a name harmlessly for a failure message. */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	for (; *s != '\0' && i + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			i += (size_t)snprintf(buf + i, size - i, "\\x%02x", c);
		else
			buf[i++] = (char)c;
	}
	buf[i] = '\0';
	return buf;
}

/* The list holds exactly want[0..n) in this order. */
static void
expect_list(const struct file_list *fl, const char *const *want, size_t n)
{
	char b1[256], b2[256];
	size_t i;

	for (i = 0; i < fl->n && i < n; i++)
		ck_assert_msg(strcmp(fl->v[i], want[i]) == 0,
		    "entry %zu: got '%s', want '%s'", i,
		    shown(fl->v[i], b1, sizeof(b1)),
		    shown(want[i], b2, sizeof(b2)));
	if (fl->n != n) {
		for (i = 0; i < fl->n; i++)
			fprintf(stderr, "  got: %s\n",
			    shown(fl->v[i], b1, sizeof(b1)));
	}
	ck_assert_uint_eq(fl->n, n);
}

/* The list holds exactly the set want[0..n), in any order. */
static void
expect_set(const struct file_list *fl, const char *const *want, size_t n)
{
	struct file_list sorted;
	const char **w = xreallocarray(NULL, n ? n : 1, sizeof(*w));

	memcpy(w, want, n * sizeof(*w));
	qsort(w, n, sizeof(*w), cmp_strp);
	sorted.n = fl->n;
	sorted.v = xreallocarray(NULL, fl->n ? fl->n : 1, sizeof(char *));
	memcpy(sorted.v, fl->v, fl->n * sizeof(char *));
	qsort(sorted.v, sorted.n, sizeof(char *), cmp_strp);
	expect_list(&sorted, w, n);
	free(sorted.v);
	free(w);
}

/* files_list that must succeed without leaking an fd. */
static void
list_ok(struct file_list *fl, enum files_source src, const char *path,
	int nul)
{
	struct err e;
	int before = fd_count(), rc;

	e.msg[0] = '\0';
	rc = files_list(fl, src, path, nul, &e);
	ck_assert_msg(rc == 0, "files_list failed: %s", e.msg);
	ck_assert_int_eq(fd_count(), before);
}

/* files_list that must fail with a message holding `what`. */
static void
list_fails(enum files_source src, const char *path, int nul,
	   const char *what)
{
	struct file_list fl;
	struct err e;
	int before = fd_count();

	e.msg[0] = '\0';
	ck_assert_int_eq(files_list(&fl, src, path, nul, &e), -1);
	ck_assert_msg(strstr(e.msg, what) != NULL, "message '%s' lacks '%s'",
	    e.msg, what);
	ck_assert_ptr_null(fl.v);
	ck_assert_uint_eq(fl.n, 0);
	file_list_release(&fl);
	ck_assert_int_eq(fd_count(), before);
}

/* ---------------------------------------------------------------- */
/* Fixture for listing tests: a fresh directory, git isolated.      */

static const char *tmpdir;

static void
list_setup(void)
{
	tmpdir = scratch_enter("check_files");
	scratch_git_isolate(tmpdir);
}

static void
list_teardown(void)
{
	scratch_leave();
}

/* ---------------------------------------------------------------- */
/* match                                                            */

START_TEST(test_basename)
{
	MATCH("a.py", "*.py");
	MATCH("d/e/a.py", "*.py");
	MATCH("x/setup.py", "setup.py");
	MATCH("setup.py", "setup.py");
	NOMATCH("a.pyc", "*.py");
	NOMATCH("py/a.txt", "*.py");
	NOMATCH("py/a.txt", "py");
	MATCH("a/b/c", "?");
	MATCH("Makefile", "[Mm]akefile");
	MATCH("any/thing", "**");
}
END_TEST

START_TEST(test_path_star_no_slash)
{
	MATCH("src/a.py", "src/*.py");
	NOMATCH("src/x/a.py", "src/*.py");
	NOMATCH("s/x/a.py", "s*/a.py");
	NOMATCH("x/a/b", "x/a*b");
	NOMATCH("x/a/b", "x/a?b");
	NOMATCH("x/a/b", "x/a[/]b");
	NOMATCH("a.py", "src/*.py");
	NOMATCH("top/src/a.py", "src/*.py");
	MATCH("src/a/b", "src/*/*");
	NOMATCH("src/a", "src/*/*");
}
END_TEST

START_TEST(test_dstar_start)
{
	MATCH("x.py", "**/x.py");
	MATCH("a/x.py", "**/x.py");
	MATCH("a/b/x.py", "**/x.py");
	NOMATCH("a/y.py", "**/x.py");
	NOMATCH("ax.py", "**/x.py");
	NOMATCH("a/x.py/b", "**/x.py");
	MATCH("a/b/t.py", "**/*.py");
}
END_TEST

START_TEST(test_dstar_middle)
{
	MATCH("a/b.py", "a/**/b.py");
	MATCH("a/x/b.py", "a/**/b.py");
	MATCH("a/x/y/b.py", "a/**/b.py");
	NOMATCH("ab/b.py", "a/**/b.py");
	NOMATCH("x/a/b.py", "a/**/b.py");
	NOMATCH("a/b.pyc", "a/**/b.py");
	NOMATCH("a/x/b.py/c", "a/**/b.py");
	MATCH("src/a.py", "src/**/*.py");
	MATCH("src/x/y/a.py", "src/**/*.py");
	NOMATCH("src/x/y/a.pyi", "src/**/*.py");
	MATCH("src/x/y/a.pyi", "src/**/*.pyi");
	/* Backtracking: the first "b" is not the right one. */
	MATCH("a/b/x/b/c.py", "a/**/b/c.py");
	MATCH("a/b/b/c.py", "a/**/b/**/c.py");
	MATCH("a/x/b/y/z/c.py", "a/**/b/**/c.py");
	NOMATCH("a/c.py", "a/**/b/**/c.py");
	MATCH("x", "**/**/x");
	MATCH("p/q/x", "**/**/x");
}
END_TEST

START_TEST(test_dstar_end)
{
	MATCH("tests/fixtures/a", "tests/fixtures/**");
	MATCH("tests/fixtures/x/y.py", "tests/fixtures/**");
	MATCH("tests/fixtures/.hidden", "tests/fixtures/**");
	NOMATCH("tests/fixtures", "tests/fixtures/**");
	NOMATCH("tests/fixturesX/a", "tests/fixtures/**");
	NOMATCH("other/tests/fixtures/a", "tests/fixtures/**");
	MATCH("other/tests/fixtures/a", "**/tests/fixtures/**");
	MATCH("tests/fixtures/a", "**/tests/fixtures/**");
	/* A trailing '/' means the same. */
	MATCH("build/x", "build/");
	MATCH("build/a/b", "build/");
	NOMATCH("build", "build/");
	NOMATCH("builds/x", "build/");
}
END_TEST

START_TEST(test_dstar_in_segment)
{
	/* Not a whole segment: a plain '*', which never crosses '/'. */
	MATCH("src/axxb.py", "src/a**b.py");
	MATCH("src/ab.py", "src/a**b.py");
	NOMATCH("src/a/x/b.py", "src/a**b.py");
	NOMATCH("a/x/b", "a**/b");
	MATCH("ax/b", "a**/b");
}
END_TEST

START_TEST(test_dotfiles)
{
	MATCH(".hidden.py", "*.py");
	MATCH("d/.x.py", "*.py");
	MATCH("src/.env", "src/*");
	MATCH(".github/workflows/ci.yml", "**/*.yml");
	MATCH(".github/workflows/ci.yml", ".github/**");
	MATCH(".a/.b/c", "*/*/c");
	MATCH(".x", "?x");
}
END_TEST

START_TEST(test_class_space)
{
	MATCH("with space.py", "with[ ]space.py");
	MATCH("d/with space.py", "with[ ]space.py");
	MATCH("d/with space.py", "d/with[ ]space.py");
	NOMATCH("d/withXspace.py", "d/with[ ]space.py");
	MATCH("a b/c", "*[ ]*/c");
}
END_TEST

START_TEST(test_anchor)
{
	MATCH("setup.py", "/setup.py");
	NOMATCH("a/setup.py", "/setup.py");
	MATCH("src/a.py", "./src/*.py");
	MATCH("src/a.py", "/src/*.py");
	NOMATCH("x/src/a.py", "/src/*.py");
}
END_TEST

START_TEST(test_escape_and_odd_names)
{
	MATCH("a*b", "a\\*b");
	NOMATCH("axb", "a\\*b");
	MATCH("d/a*b", "d/a\\*b");
	MATCH("new\nline.py", "*.py");
	MATCH("-leading.py", "-*");
	MATCH("bad\xff.py", "*.py");
	MATCH("d/bad\xff.py", "d/bad?.py");
	/* Long segments (heap path in the matcher). */
	{
		char longname[2100], pat[2100];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[0] = 'd';
		longname[1] = '/';
		longname[sizeof(longname) - 1] = '\0';
		MATCH(longname, "d/*");
		MATCH(longname, "d/a*a");
		snprintf(pat, sizeof(pat), "%s", longname);
		pat[2000] = '*';
		pat[2001] = '\0';
		MATCH(longname, pat);
	}
}
END_TEST

START_TEST(test_match_any)
{
	char *pats[] = { S("*.c"), S("docs/**"), S("Makefile") };

	ck_assert(files_match_any("x/y.c", pats, 3));
	ck_assert(files_match_any("docs/a/b.md", pats, 3));
	ck_assert(files_match_any("sub/Makefile", pats, 3));
	ck_assert(!files_match_any("sub/y.h", pats, 3));
	ck_assert(!files_match_any("y.c", pats, 0));
}
END_TEST

START_TEST(test_select)
{
	static const char *const names[] = {
		"a.py", "tests/fixtures/bad.py", "tests/t.py", "skip.py",
		"d/skip.py", "README", "src/x/y.py", ".hidden.py"
	};
	char *files[] = { S("*.py") };
	char *excl[] = { S("tests/fixtures/**"), S("skip.py") };
	char *none[] = { S("*.rs") };
	struct file_list fl;
	size_t *idx, n;

	fl_from(&fl, names, ARRAY_SIZE(names));
	idx = files_select(&fl, files, 1, excl, 2, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(idx[0], 0);
	ck_assert_uint_eq(idx[1], 2);
	ck_assert_uint_eq(idx[2], 6);
	ck_assert_uint_eq(idx[3], 7);
	free(idx);

	/* No exclude. */
	idx = files_select(&fl, files, 1, NULL, 0, &n);
	ck_assert_uint_eq(n, 7);
	free(idx);

	/* Exclude wins over files. */
	idx = files_select(&fl, files, 1, files, 1, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(idx);

	idx = files_select(&fl, none, 1, NULL, 0, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(idx);

	/* No patterns select nothing. */
	idx = files_select(&fl, NULL, 0, NULL, 0, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(idx);
	file_list_release(&fl);
}
END_TEST

/* ---------------------------------------------------------------- */
/* batch                                                            */

START_TEST(test_batch_want)
{
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(10), k;

	fl_uniform(&fl, 10);
	files_batch(&b, &fl, idx, 10, NULL, 0, 4, SIZE_MAX);
	ck_assert_uint_eq(b.n, 4);
	check_cover(&b, &fl, idx, 10);
	for (k = 0; k < b.n; k++) {
		ck_assert_uint_ge(b.count[k], 2);
		ck_assert_uint_le(b.count[k], 3);
	}
	batches_release(&b);
	ck_assert_uint_eq(b.n, 0);

	/* want = 1: one batch. */
	files_batch(&b, &fl, idx, 10, NULL, 0, 1, SIZE_MAX);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_uint_eq(b.count[0], 10);
	check_cover(&b, &fl, idx, 10);
	batches_release(&b);

	/* want = 0 is taken as 1. */
	files_batch(&b, &fl, idx, 10, NULL, 0, 0, SIZE_MAX);
	ck_assert_uint_eq(b.n, 1);
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

START_TEST(test_batch_want_more_than_files)
{
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(10), k;

	fl_uniform(&fl, 10);
	files_batch(&b, &fl, idx, 10, NULL, 0, 64, SIZE_MAX);
	ck_assert_uint_eq(b.n, 10);
	for (k = 0; k < b.n; k++)
		ck_assert_uint_eq(b.count[k], 1);
	check_cover(&b, &fl, idx, 10);
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

START_TEST(test_batch_none)
{
	struct file_list fl;
	struct batches b;

	fl_uniform(&fl, 3);
	files_batch(&b, &fl, NULL, 0, NULL, 0, 4, 1000);
	ck_assert_uint_eq(b.n, 0);
	batches_release(&b);
	files_batch(&b, &fl, NULL, 0, NULL, 5, 4, 1000);
	ck_assert_uint_eq(b.n, 0);
	batches_release(&b);
	file_list_release(&fl);
}
END_TEST

START_TEST(test_batch_size)
{
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(10);

	fl_uniform(&fl, 10);
	files_batch(&b, &fl, idx, 10, NULL, 3, 4, SIZE_MAX);
	ck_assert_uint_eq(b.n, 4);
	ck_assert_uint_eq(b.count[0], 3);
	ck_assert_uint_eq(b.count[1], 3);
	ck_assert_uint_eq(b.count[2], 3);
	ck_assert_uint_eq(b.count[3], 1);
	check_cover(&b, &fl, idx, 10);
	batches_release(&b);

	files_batch(&b, &fl, idx, 10, NULL, 1, 1, SIZE_MAX);
	ck_assert_uint_eq(b.n, 10);
	check_cover(&b, &fl, idx, 10);
	batches_release(&b);

	files_batch(&b, &fl, idx, 10, NULL, 100, 1, SIZE_MAX);
	ck_assert_uint_eq(b.n, 1);
	check_cover(&b, &fl, idx, 10);
	batches_release(&b);

	/* A subset of the list. */
	{
		size_t sub[] = { 1, 4, 5, 9 };

		files_batch(&b, &fl, sub, 4, NULL, 3, 1, SIZE_MAX);
		ck_assert_uint_eq(b.n, 2);
		check_cover(&b, &fl, sub, 4);
		batches_release(&b);
	}
	file_list_release(&fl);
	free(idx);
}
END_TEST

/* Names of lengths 1 to 120, pseudo-random but fixed. */
static void
fl_varied(struct file_list *fl, size_t n)
{
	unsigned long x = 12345;
	size_t i, len;

	fl->n = n;
	fl->size = NULL;
	fl->v = xreallocarray(NULL, n, sizeof(*fl->v));
	for (i = 0; i < n; i++) {
		x = x * 1103515245UL + 12345UL;
		len = 1 + (x >> 16) % 120;
		fl->v[i] = xmalloc(len + 1);
		memset(fl->v[i], 'a' + (int)(i % 26), len);
		fl->v[i][len] = '\0';
	}
}

START_TEST(test_batch_budget)
{
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(500), k, budget = 300, total = 0;

	fl_varied(&fl, 500);
	for (k = 0; k < 500; k++)
		total += cost_of(fl.v[k]);
	/* Two wanted batches, far over budget: split further. */
	files_batch(&b, &fl, idx, 500, NULL, 0, 2, budget);
	check_cover(&b, &fl, idx, 500);
	ck_assert_uint_ge(b.n, total / budget);
	for (k = 0; k < b.n; k++)
		ck_assert_msg(batch_cost(&b, k) <= budget || b.count[k] == 1,
		    "batch %zu costs %zu > %zu", k, batch_cost(&b, k), budget);
	batches_release(&b);

	/* The same with batch_size. */
	files_batch(&b, &fl, idx, 500, NULL, 50, 1, budget);
	check_cover(&b, &fl, idx, 500);
	for (k = 0; k < b.n; k++) {
		ck_assert_uint_le(b.count[k], 50);
		ck_assert(batch_cost(&b, k) <= budget || b.count[k] == 1);
	}
	batches_release(&b);

	/* A budget below every file: one file per batch. */
	files_batch(&b, &fl, idx, 500, NULL, 0, 3, 5);
	ck_assert_uint_eq(b.n, 500);
	check_cover(&b, &fl, idx, 500);
	batches_release(&b);
	files_batch(&b, &fl, idx, 500, NULL, 0, 3, 0);
	ck_assert_uint_eq(b.n, 500);
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

START_TEST(test_batch_huge_file_alone)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(5), k;
	char *big = xmalloc(1001);

	fl_from(&fl, names, 4);
	memset(big, 'x', 1000);
	big[1000] = '\0';
	fl.v = xreallocarray(fl.v, 5, sizeof(char *));
	/* a b BIG c d */
	fl.v[4] = fl.v[3];
	fl.v[3] = fl.v[2];
	fl.v[2] = big;
	fl.n = 5;
	files_batch(&b, &fl, idx, 5, NULL, 0, 1, 100);
	check_cover(&b, &fl, idx, 5);
	for (k = 0; k < b.n; k++)
		if (b.count[k] > 1)
			ck_assert_uint_le(batch_cost(&b, k), 100);
	ck_assert_uint_eq(b.n, 3);
	/* the costliest batch, first */
	ck_assert_uint_eq(b.count[0], 1);
	ck_assert_ptr_eq(b.files[0][0], big);
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

/* The fewest batches under `budget` (greedy is optimal for that). */
static size_t
min_batches(const struct file_list *fl, size_t budget)
{
	size_t i, n = 1, used = 0;

	for (i = 0; i < fl->n; i++) {
		size_t c = cost_of(fl->v[i]);

		if (i > 0 && used + c > budget) {
			n++;
			used = 0;
		}
		used += c;
	}
	return n;
}

/* Random lengths, budgets, wants and batch sizes: the invariants hold. */
START_TEST(test_batch_random)
{
	unsigned long x = 42;
	int round;

	for (round = 0; round < 300; round++) {
		struct file_list fl;
		struct batches b;
		size_t n, i, k, budget, want, bs, *idx, len;

		x = x * 6364136223846793005UL + 1442695040888963407UL;
		n = 1 + (x >> 33) % 200;
		fl.n = n;
		fl.size = NULL;
		fl.v = xreallocarray(NULL, n, sizeof(char *));
		for (i = 0; i < n; i++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			/* Mostly short, now and then very long. */
			len = (x >> 40) % 10 == 0 ? 100 + (x >> 20) % 300 :
			    1 + (x >> 20) % 30;
			fl.v[i] = xmalloc(len + 1);
			memset(fl.v[i], 'n', len);
			fl.v[i][len] = '\0';
		}
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		budget = 40 + (x >> 33) % 600;
		want = 1 + (x >> 20) % 6;
		bs = (x >> 45) % 3 == 0 ? 1 + (x >> 50) % 20 : 0;
		idx = all_idx(n);
		files_batch(&b, &fl, idx, n, NULL, bs, want, budget);
		check_cover(&b, &fl, idx, n);
		for (k = 0; k < b.n; k++) {
			ck_assert(batch_cost(&b, k) <= budget ||
			    b.count[k] == 1);
			if (bs > 0)
				ck_assert_uint_le(b.count[k], bs);
		}
		/* Packing never takes more processes than cutting the
		   list in order into the fewest batches would. */
		if (bs == 0 && want == 1)
			ck_assert_uint_le(b.n, min_batches(&fl, budget));
		if (bs == 0)
			ck_assert_uint_ge(b.n, want < n ? want : n);
		batches_release(&b);
		free(idx);
		file_list_release(&fl);
	}
}
END_TEST

START_TEST(test_batch_balance)
{
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(1000), k, want, mx, mn;

	fl_uniform(&fl, 1000);
	for (want = 2; want <= 16; want++) {
		files_batch(&b, &fl, idx, 1000, NULL, 0, want, SIZE_MAX);
		ck_assert_uint_eq(b.n, want);
		check_cover(&b, &fl, idx, 1000);
		mx = 0;
		mn = SIZE_MAX;
		for (k = 0; k < b.n; k++) {
			if (b.count[k] > mx)
				mx = b.count[k];
			if (b.count[k] < mn)
				mn = b.count[k];
		}
		/* Uniform names: counts within one of each other. */
		ck_assert_uint_le(mx - mn, 1);
		batches_release(&b);
	}
	file_list_release(&fl);
	free(idx);

	/* Varied names: bytes within 15%. */
	fl_varied(&fl, 2000);
	idx = all_idx(2000);
	files_batch(&b, &fl, idx, 2000, NULL, 0, 5, SIZE_MAX);
	ck_assert_uint_eq(b.n, 5);
	mx = 0;
	mn = SIZE_MAX;
	for (k = 0; k < b.n; k++) {
		size_t c = batch_cost(&b, k);

		mx = c > mx ? c : mx;
		mn = c < mn ? c : mn;
	}
	ck_assert_msg(mx * 100 <= mn * 115, "max %zu min %zu", mx, mn);
	batches_release(&b);

	/* Balanced splitting by budget: pieces of similar size too. */
	files_batch(&b, &fl, idx, 2000, NULL, 0, 1, 20000);
	mx = 0;
	mn = SIZE_MAX;
	for (k = 0; k < b.n; k++) {
		size_t c = batch_cost(&b, k);

		ck_assert_uint_le(c, 20000);
		mx = c > mx ? c : mx;
		mn = c < mn ? c : mn;
	}
	ck_assert_msg(mx * 100 <= mn * 125, "max %zu min %zu", mx, mn);
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

/* Batch k holds exactly the files with the selection positions in want. */
static void
expect_batch(const struct batches *b, const struct file_list *fl,
	     const size_t *idx, size_t k, const char *want)
{
	char got[256] = "";
	size_t i, j, len = 0;

	ck_assert_uint_lt(k, b->n);
	for (i = 0; i < b->count[k]; i++) {
		for (j = 0; b->files[k][i] != fl->v[idx[j]]; j++)
			;
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%zu",
		    i ? " " : "", j);
	}
	ck_assert_msg(strcmp(got, want) == 0, "batch %zu: '%s', want '%s'",
	    k, got, want);
}

/*
 * Longest processing time first, exactly: costs 8..1 into 3 batches.
 * 8, 7, 6 open the three; 5 joins 6 (11), 4 joins 7 (11), 3 joins 8
 * (11); 2 goes to the first of the three tied (13), 1 to the next (12).
 * Costliest batch first, files in list order inside.
 */
START_TEST(test_batch_cost_lpt)
{
	const double cost[] = { 8, 7, 6, 5, 4, 3, 2, 1 };
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(8);

	fl_uniform(&fl, 8);
	files_batch(&b, &fl, idx, 8, cost, 0, 3, SIZE_MAX);
	check_cover_costs(&b, &fl, idx, 8, cost);
	ck_assert_uint_eq(b.n, 3);
	expect_batch(&b, &fl, idx, 0, "0 5 6");
	expect_batch(&b, &fl, idx, 1, "1 4 7");
	expect_batch(&b, &fl, idx, 2, "2 3");
	ck_assert(b.total[0] == 13 && b.total[1] == 12 && b.total[2] == 11);
	batches_release(&b);

	/* The same costs in another list order: the same packing. */
	{
		const double rev[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

		files_batch(&b, &fl, idx, 8, rev, 0, 3, SIZE_MAX);
		check_cover_costs(&b, &fl, idx, 8, rev);
		expect_batch(&b, &fl, idx, 0, "1 2 7");
		expect_batch(&b, &fl, idx, 1, "0 3 6");
		expect_batch(&b, &fl, idx, 2, "4 5");
		batches_release(&b);
	}
	file_list_release(&fl);
	free(idx);
}
END_TEST

/*
 * One slow file among many equal ones: it gets a batch of its own cost
 * share, where cutting the list by count would put it on top of a
 * full batch. 40 files of cost 1 and one of cost 20, 3 batches: the
 * slow file's batch holds it and nothing else (20), the rest share 40
 * as 20 + 20 (odd and even positions, as they alternate).
 */
START_TEST(test_batch_cost_slow_file)
{
	double cost[41];
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(41), k;

	for (k = 0; k < 41; k++)
		cost[k] = k == 17 ? 20 : 1;
	fl_uniform(&fl, 41);
	files_batch(&b, &fl, idx, 41, cost, 0, 3, SIZE_MAX);
	check_cover_costs(&b, &fl, idx, 41, cost);
	ck_assert_uint_eq(b.n, 3);
	for (k = 0; k < 3; k++)
		ck_assert(b.total[k] == 20);
	/* three tied batches: by first file, so the slow one's is last */
	expect_batch(&b, &fl, idx, 2, "17");
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

/*
 * Costs never break the argument budget: the costliest files have the
 * longest names here, and the budget holds about a third of them.
 */
START_TEST(test_batch_cost_budget)
{
	struct file_list fl;
	struct batches b;
	double *cost = xreallocarray(NULL, 500, sizeof(*cost));
	size_t *idx = all_idx(500), k, total = 0, budget;

	fl_varied(&fl, 500);
	for (k = 0; k < 500; k++) {
		cost[k] = (double)strlen(fl.v[k]) * (double)(k % 7 + 1);
		total += cost_of(fl.v[k]);
	}
	budget = total / 3 + 1;
	files_batch(&b, &fl, idx, 500, cost, 0, 2, budget);
	check_cover_costs(&b, &fl, idx, 500, cost);
	ck_assert_uint_ge(b.n, 3);
	for (k = 0; k < b.n; k++)
		ck_assert_uint_le(batch_cost(&b, k), budget);
	batches_release(&b);
	file_list_release(&fl);
	free(cost);
	free(idx);
}
END_TEST

/* batch_size N cuts the list in order; the costliest piece goes first. */
START_TEST(test_batch_size_costliest_first)
{
	const double cost[] = { 1, 1, 1, 1, 9, 1, 1 };
	struct file_list fl;
	struct batches b;
	size_t *idx = all_idx(7);

	fl_uniform(&fl, 7);
	files_batch(&b, &fl, idx, 7, cost, 3, 4, SIZE_MAX);
	check_cover_costs(&b, &fl, idx, 7, cost);
	ck_assert_uint_eq(b.n, 3);
	expect_batch(&b, &fl, idx, 0, "3 4 5");
	expect_batch(&b, &fl, idx, 1, "0 1 2");
	expect_batch(&b, &fl, idx, 2, "6");
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

START_TEST(test_batch_deterministic)
{
	struct file_list fl;
	struct batches a, b;
	size_t *idx = all_idx(3000), k, i;

	fl_varied(&fl, 3000);
	files_batch(&a, &fl, idx, 3000, NULL, 0, 7, 9000);
	files_batch(&b, &fl, idx, 3000, NULL, 0, 7, 9000);
	ck_assert_uint_eq(a.n, b.n);
	for (k = 0; k < a.n; k++) {
		ck_assert_uint_eq(a.count[k], b.count[k]);
		for (i = 0; i <= a.count[k]; i++)
			ck_assert_ptr_eq(a.files[k][i], b.files[k][i]);
	}
	batches_release(&a);
	batches_release(&b);
	file_list_release(&fl);
	free(idx);
}
END_TEST

START_TEST(test_batch_100k)
{
	struct file_list fl;
	struct batches b;
	char *files[] = { S("*.py"), S("src/**/*.pyi") };
	char *excl[] = { S("dir/sub/file00000*") };
	char *fixed[] = { S("/bin/sh"), S("-c"), S("ruff check \"$@\""),
			  S("hookwave"), NULL };
	size_t *idx, n, k, budget;
	double t0, t;

	fl_uniform(&fl, 100000);
	t0 = now();
	idx = files_select(&fl, files, 2, excl, 1, &n);
	ck_assert_uint_eq(n, 100000 - 100);
	budget = files_arg_budget(environ, fixed);
	files_batch(&b, &fl, idx, n, NULL, 0, 8, budget);
	t = now() - t0;
	ck_assert_uint_ge(b.n, 8);
	check_cover(&b, &fl, idx, n);
	for (k = 0; k < b.n; k++)
		ck_assert_uint_le(batch_cost(&b, k), budget);
	/* Well under a second of CPU even with sanitizers. */
	ck_assert_msg(t < 20.0, "select + batch of 100000 took %.3fs of CPU", t);
	batches_release(&b);

	t0 = now();
	files_batch(&b, &fl, idx, n, NULL, 1, 8, budget);
	t = now() - t0;
	ck_assert_uint_eq(b.n, n);
	ck_assert_msg(t < 20.0, "100000 batches of 1 took %.3fs of CPU", t);
	batches_release(&b);
	free(idx);
	file_list_release(&fl);
}
END_TEST

/* ---------------------------------------------------------------- */
/* arg_budget                                                       */

START_TEST(test_budget_basic)
{
	char *env[] = { S("PATH=/usr/bin:/bin"), S("HOME=/tmp"), NULL };
	char *fixed[] = { S("/bin/sh"), S("-c"), S("cmd \"$@\""),
			  S("hookwave"), NULL };
	char *empty[] = { NULL };
	size_t b0, b1, b2;
	size_t p = sizeof(char *);

	b0 = files_arg_budget(empty, empty);
	ck_assert_uint_gt(b0, 0);
	ck_assert_uint_le(b0, 2 * 1024 * 1024);
	b1 = files_arg_budget(env, empty);
	ck_assert_uint_eq(b0 - b1, strlen(env[0]) + 1 + p +
	    strlen(env[1]) + 1 + p);
	b2 = files_arg_budget(env, fixed);
	ck_assert_uint_eq(b1 - b2, strlen(fixed[0]) + strlen(fixed[1]) +
	    strlen(fixed[2]) + strlen(fixed[3]) + 4 * (1 + p));
	/* NULL arrays are empty ones. */
	ck_assert_uint_eq(files_arg_budget(NULL, NULL), b0);
}
END_TEST

START_TEST(test_budget_big_env)
{
	char *env[17], *huge[33];
	char *fixed[] = { S("/bin/sh"), S("-c"), S("true"), S("hookwave"),
			  NULL };
	size_t i, b0, b1, used = 0;

	for (i = 0; i < 15; i++) {
		env[i] = xmalloc(100001);
		snprintf(env[i], 100001, "V%02zu=", i);
		memset(env[i] + 4, 'x', 100000 - 4);
		env[i][100000] = '\0';
		used += 100000 + 1 + sizeof(char *);
	}
	env[15] = NULL;
	b0 = files_arg_budget(NULL, fixed);
	b1 = files_arg_budget(env, fixed);
	ck_assert_uint_gt(b1, 0);
	if (b0 > used)
		ck_assert_uint_eq(b0 - b1, used);
	else
		ck_assert_uint_eq(b1, 1);

	/* An environment larger than the limit: at least 1, never 0 or a
	 * wrapped-around size. */
	for (i = 0; i < 32; i++)
		huge[i] = env[i % 15];
	huge[32] = NULL;
	ck_assert_uint_eq(files_arg_budget(huge, fixed), 1);
	for (i = 0; i < 15; i++)
		free(env[i]);
}
END_TEST

/* A batch that fills the budget exactly really fits in one execve. */
START_TEST(test_budget_execve)
{
	char *env[16], *fixed[] = { S("/bin/true"), NULL };
	char **argv;
	size_t i, budget, n, used = 0;
	pid_t pid;
	int status, rc;

	for (i = 0; i < 15; i++) {
		env[i] = xmalloc(100001);
		snprintf(env[i], 100001, "V%02zu=", i);
		memset(env[i] + 4, 'y', 100000 - 4);
		env[i][100000] = '\0';
	}
	env[15] = NULL;
	budget = files_arg_budget(env, fixed);
	ck_assert_uint_gt(budget, 1000);
	/* Arguments of 100 bytes (cost 109 with 8-byte pointers). */
	n = budget / (100 + 1 + sizeof(char *));
	argv = xreallocarray(NULL, n + 2, sizeof(char *));
	argv[0] = fixed[0];
	for (i = 1; i <= n; i++) {
		argv[i] = xmalloc(101);
		memset(argv[i], 'f', 100);
		argv[i][100] = '\0';
		used += 101 + sizeof(char *);
	}
	argv[n + 1] = NULL;
	ck_assert_uint_le(used, budget);
	rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, env);
	ck_assert_msg(rc == 0, "posix_spawn: %s", strerror(rc));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 1; i <= n; i++)
		free(argv[i]);
	free(argv);
	for (i = 0; i < 15; i++)
		free(env[i]);
}
END_TEST

/* ---------------------------------------------------------------- */
/* list                                                             */

/* What a walk of make_hostile_tree() must list, in this order. */
static const char *const hostile_files[] = {
	"-leading.txt",
	"a-b",
	"a/x",
	"bad\xff.txt",
	"dangling",
	"filelink",
	"loop1",
	"loop2",
	"new\nline.txt",
	"plain.txt",
	"quo'te\"s.txt",
	"sub/.hidden.py",
	"sub/dir/deep.py",
	"sub/nested/.gitignore",
	"with space.py",
};

static void
make_hostile_tree(void)
{
	put("plain.txt", "x\n");
	put("with space.py", "x\n");
	put("quo'te\"s.txt", "x\n");
	put("new\nline.txt", "x\n");
	put("-leading.txt", "x\n");
	put("bad\xff.txt", "x\n");
	put("a-b", "x\n");
	ck_assert_int_eq(mkdir("a", 0777), 0);
	put("a/x", "x\n");
	ck_assert_int_eq(mkdir("sub", 0777), 0);
	ck_assert_int_eq(mkdir("sub/dir", 0777), 0);
	put("sub/dir/deep.py", "x\n");
	put("sub/.hidden.py", "x\n");
	ck_assert_int_eq(mkdir("emptydir", 0777), 0);
	/* Symlinks: a loop through a directory, to a dir, dangling, to a
	 * file, and a loop of symlinks. */
	ck_assert_int_eq(symlink(".", "link"), 0);
	ck_assert_int_eq(symlink("sub", "sublink"), 0);
	ck_assert_int_eq(symlink("nowhere", "dangling"), 0);
	ck_assert_int_eq(symlink("plain.txt", "filelink"), 0);
	ck_assert_int_eq(symlink("loop2", "loop1"), 0);
	ck_assert_int_eq(symlink("loop1", "loop2"), 0);
	ck_assert_int_eq(mkfifo("fifo", 0600), 0);
	ck_assert_int_eq(symlink("fifo", "fifolink"), 0);
	/* .git content, as a directory and as a file (a submodule's). */
	ck_assert_int_eq(mkdir(".git", 0777), 0);
	put(".git/config", "not a repository\n");
	ck_assert_int_eq(mkdir("sub/nested", 0777), 0);
	put("sub/nested/.git", "gitdir: nowhere\n");
	put("sub/nested/.gitignore", "x\n");
}

START_TEST(test_walk_hostile)
{
	struct file_list fl;

	make_hostile_tree();
	list_ok(&fl, FILES_SOURCE_ALL, NULL, 0);
	/* Sorted by whole path, bytewise, as git ls-files would. */
	expect_list(&fl, hostile_files, ARRAY_SIZE(hostile_files));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_walk_default_outside_git)
{
	struct file_list fl;

	/* No .git here, so that git finds no repository: a walk. */
	put("plain.txt", "x\n");
	ck_assert_int_eq(mkdir("d", 0777), 0);
	put("d/x y", "x\n");
	ck_assert_int_eq(symlink("..", "d/up"), 0);
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	{
		static const char *const want[] = { "d/x y", "plain.txt" };

		expect_list(&fl, want, ARRAY_SIZE(want));
	}
	file_list_release(&fl);
	list_fails(FILES_SOURCE_STAGED, NULL, 0, "not in a git work tree");
}
END_TEST

START_TEST(test_walk_unreadable_dir)
{
	struct file_list fl;
	static const char *const want[] = { "a", "open/b" };

	if (geteuid() == 0)
		return;         /* root reads everything */
	put("a", "");
	ck_assert_int_eq(mkdir("closed", 0777), 0);
	put("closed/secret", "");
	ck_assert_int_eq(mkdir("open", 0777), 0);
	put("open/b", "");
	ck_assert_int_eq(chmod("closed", 0), 0);
	list_ok(&fl, FILES_SOURCE_ALL, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_walk_deep)
{
	struct file_list fl;
	char path[8192];
	size_t i, len = 0;

	/* 300 levels: an explicit stack, no recursion, no path limit. */
	for (i = 0; i < 300; i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len, "%sd",
		    i ? "/" : "");
		ck_assert_int_eq(mkdir(path, 0777), 0);
	}
	snprintf(path + len, sizeof(path) - len, "/f");
	put(path, "");
	list_ok(&fl, FILES_SOURCE_ALL, NULL, 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_str_eq(fl.v[0], path);
	file_list_release(&fl);
}
END_TEST

START_TEST(test_no_git_binary)
{
	struct file_list fl;
	char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");

	/* A real repository, but no git in PATH: not in git, so a walk,
	 * and --staged is an error. */
	scratch_sh("git init -q && echo x > a.py && git add a.py");
	ck_assert_int_eq(mkdir("empty", 0777), 0);
	setenv("PATH", "empty", 1);
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_str_eq(fl.v[0], "a.py");
	file_list_release(&fl);
	list_fails(FILES_SOURCE_STAGED, NULL, 0, "not in a git work tree");
	setenv("PATH", path, 1);
	free(path);
}
END_TEST

/*
 * A repository: a.py b.py sub/c.py sub/d.py committed; then a.py
 * modified and staged, new.py added, b.py modified but not staged,
 * sub/c.py deleted from the work tree only, untracked.py untracked,
 * ignored.log ignored.
 */
static void
make_repo(void)
{
	scratch_sh("git init -q && mkdir sub && "
		   "for f in a.py b.py sub/c.py sub/d.py; do echo 1 > $f; done && "
		   "echo '*.log' > .gitignore && "
		   "git add . && git commit -q -m init && "
		   "echo 2 >> a.py && git add a.py && "
		   "echo new > new.py && git add new.py && "
		   "echo 2 >> b.py && rm sub/c.py && "
		   "echo u > untracked.py && echo i > ignored.log");
}

START_TEST(test_git_default)
{
	struct file_list fl;
	static const char *const want[] = {
		".gitignore", "a.py", "b.py", "new.py", "sub/d.py"
	};

	size_t i;
	struct stat st;

	make_repo();
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	/* The listing's lstat gives each regular file's size for free. */
	ck_assert_ptr_nonnull(fl.size);
	for (i = 0; i < fl.n; i++) {
		ck_assert_int_eq(lstat(fl.v[i], &st), 0);
		ck_assert_int_eq(fl.size[i], (long long)st.st_size);
	}
	file_list_release(&fl);
	ck_assert_ptr_null(fl.size);
}
END_TEST

START_TEST(test_git_all)
{
	struct file_list fl;
	static const char *const want[] = {
		".gitignore", "a.py", "b.py", "ignored.log", "new.py",
		"sub/d.py", "untracked.py"
	};

	make_repo();
	list_ok(&fl, FILES_SOURCE_ALL, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_git_staged)
{
	struct file_list fl;
	static const char *const want[] = { "a.py", "new.py", "z.py" };

	make_repo();
	/* A rename counts as the new name; a staged deletion not at all;
	 * a staged file deleted since is left out. */
	scratch_sh("git mv sub/d.py z.py && git rm -q --cached b.py && "
		   "echo s > gone.py && git add gone.py && rm gone.py");
	list_ok(&fl, FILES_SOURCE_STAGED, NULL, 0);
	expect_set(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_git_no_commit)
{
	struct file_list fl;
	static const char *const want[] = { "d/y.py", "x.py" };

	scratch_sh("git init -q && mkdir d && echo 1 > x.py && echo 1 > d/y.py && "
		   "echo 1 > untracked.py && git add x.py d/y.py");
	list_ok(&fl, FILES_SOURCE_STAGED, NULL, 0);
	expect_set(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);

	/* Nothing staged at all: an empty list, not an error. */
	scratch_sh("git rm -q --cached x.py d/y.py");
	list_ok(&fl, FILES_SOURCE_STAGED, NULL, 0);
	ck_assert_uint_eq(fl.n, 0);
	file_list_release(&fl);
}
END_TEST

START_TEST(test_git_subdir)
{
	struct file_list fl;
	static const char *const tracked[] = { "d.py", "e.py", "inner/f.py" };
	static const char *const staged[] = { "e.py", "inner/f.py" };

	make_repo();
	scratch_sh("mkdir sub/inner && echo 1 > sub/e.py && echo 1 > sub/inner/f.py "
		   "&& git add sub/e.py sub/inner/f.py");
	ck_assert_int_eq(chdir("sub"), 0);
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	expect_list(&fl, tracked, ARRAY_SIZE(tracked));
	file_list_release(&fl);
	list_ok(&fl, FILES_SOURCE_STAGED, NULL, 0);
	expect_set(&fl, staged, ARRAY_SIZE(staged));
	file_list_release(&fl);
	/* --all-files too lists below the run directory only. */
	list_ok(&fl, FILES_SOURCE_ALL, NULL, 0);
	expect_list(&fl, tracked, ARRAY_SIZE(tracked));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_git_special_entries)
{
	struct file_list fl;
	static const char *const want[] = {
		"-leading.txt", "bad\xff.txt", "dangling", "filelink",
		"new\nline.txt", "plain.txt", "quo'te\"s.txt", "real/f",
		"with space.py"
	};

	/* A nested repository (a gitlink entry, like a submodule), a
	 * symlink to a directory, a dangling one and one to a file, all
	 * tracked, and hostile names. */
	scratch_sh("git init -q && mkdir real && echo 1 > real/f && "
		   "ln -s real dirlink && ln -s nowhere dangling && "
		   "echo 1 > plain.txt && ln -s plain.txt filelink && "
		   "mkdir nested && (cd nested && git init -q && echo 1 > n && "
		   "git add n && git commit -q -m n) && "
		   "echo 1 > 'with space.py' && echo 1 > \"quo'te\\\"s.txt\" && "
		   "echo 1 > \"$(printf 'new\\nline.txt')\" && "
		   "echo 1 > ./-leading.txt && "
		   "echo 1 > \"$(printf 'bad\\377.txt')\" && "
		   "git add . 2>/dev/null && git commit -q -m 1 && "
		   "git ls-files -s nested | grep -q ^160000");
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_git_conflict)
{
	struct file_list fl;
	static const char *const want[] = { "f", "g" };

	/* During a conflict git ls-files names f once per stage (3 times). */
	scratch_sh("git init -q && echo a > f && echo g > g && git add f g && "
		   "git commit -q -m 1 && git checkout -q -b other && echo b > f && "
		   "git commit -q -a -m 2 && git checkout -q - && echo c > f && "
		   "git commit -q -a -m 3 && ! git merge -q other >/dev/null 2>&1 && "
		   "test \"$(git ls-files | grep -c '^f$')\" = 3");
	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
	/* Unmerged paths are not "added, copied, modified or renamed". */
	list_ok(&fl, FILES_SOURCE_STAGED, NULL, 0);
	ck_assert_uint_eq(fl.n, 0);
	file_list_release(&fl);
}
END_TEST

START_TEST(test_git_fails)
{
	/* A broken index: rev-parse still says "true", ls-files fails. */
	scratch_sh("git init -q && echo 1 > a && git add a && "
		   "echo garbage > .git/index");
	list_fails(FILES_SOURCE_DEFAULT, NULL, 0, "git ls-files failed "
	    "(exit status 128)");
	list_fails(FILES_SOURCE_STAGED, NULL, 0, "git diff failed");
}
END_TEST

/* Read a whole small file into buf (NUL-terminated). */
static void
slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * How git is run: a fake git in PATH records its fds, stdin and
 * stderr; an fd hookwave leaks (no FD_CLOEXEC) must not reach it.
 */
START_TEST(test_git_spawn)
{
	struct file_list fl;
	static const char *const want[] = { "a", "b" };
	char path[PATH_MAX + 64], buf[4096], *line, *save;
	int fd;

	ck_assert_int_eq(mkdir("bin", 0777), 0);
	put("bin/git", "#!/bin/sh\n"
	    "case \"$1\" in\n"
	    "rev-parse) d=$(pwd -P); printf 'sha1\\ntrue\\nfalse\\n"
	    "sha1\\n%s\\nsha1\\n%s\\nsha1\\n%s\\nsha1\\n%s\\nsha1\\n\\n"
	    "sha1\\n%s\\n' \"$d/.git\" \"$d/.git\" \"$d/.git/hooks\" "
	    "\"$d/.git/index\" \"$d\" ;;\n"
	    "ls-files) ls /proc/$$/fd > fds; readlink /proc/$$/fd/0 > in;\n"
	    "  readlink /proc/$$/fd/2 > err; echo noise >&2;\n"
	    "  printf 'a\\0b\\0gone\\0a\\0' ;;\n"
	    "diff) kill -TERM $$ ;;\n"
	    "esac\n");
	ck_assert_int_eq(chmod("bin/git", 0755), 0);
	put("a", "");
	put("b", "");
	snprintf(path, sizeof(path), "%s/bin:%s", tmpdir, getenv("PATH"));
	setenv("PATH", path, 1);
	fd = open("/dev/null", O_RDONLY);      /* no O_CLOEXEC */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 7), 7);
	close(fd);

	list_ok(&fl, FILES_SOURCE_DEFAULT, NULL, 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
	slurp("in", buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/null\n");
	slurp("err", buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/null\n");
	slurp("fds", buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strcmp(line, "7") != 0, "fd 7 leaked into git");

	list_fails(FILES_SOURCE_STAGED, NULL, 0,
	    "git diff failed (killed by signal 15)");
	close(7);
}
END_TEST

START_TEST(test_list_newline)
{
	struct file_list fl;
	/* Exact bytes: only leading "./" go ("./" alone leaves nothing),
	 * no trimming, no '\r' removal, first occurrence kept. */
	static const char *const want[] = {
		"a.py", "b.py", "c d.py", "-x", "e\r", ".hidden", "../up",
		"/abs/path", "d/./e", " lead", "."
	};

	put("list", "a.py\n./b.py\n\na.py\nc d.py\n./././-x\ne\r\n./b.py\n"
	    ".hidden\n../up\n/abs/path\nd/./e\n./\n lead\n.");
	list_ok(&fl, FILES_SOURCE_LIST, "list", 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
}
END_TEST

START_TEST(test_list_nul)
{
	struct file_list fl;
	static const char data[] = "a.py\0./b.py\0a.py\0new\nline\0\0"
	    "./new\nline\0last";
	static const char *const want[] = {
		"a.py", "b.py", "new\nline", "last"
	};

	put_bytes("list", data, sizeof(data) - 1);
	list_ok(&fl, FILES_SOURCE_LIST, "list", 1);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);

	/* A trailing NUL changes nothing. */
	put_bytes("list", data, sizeof(data));
	list_ok(&fl, FILES_SOURCE_LIST, "list", 1);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);

	/* Read as lines, the NULs are an error. */
	list_fails(FILES_SOURCE_LIST, "list", 0, "-0");
}
END_TEST

START_TEST(test_list_stdin)
{
	struct file_list fl;
	static const char *const want[] = { "x", "y z" };
	int fd;

	put("list", "./x\ny z\nx\n");
	fd = open("list", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 0), 0);
	close(fd);
	list_ok(&fl, FILES_SOURCE_LIST, "-", 0);
	expect_list(&fl, want, ARRAY_SIZE(want));
	file_list_release(&fl);
	/* stdin is read, not closed. */
	ck_assert_int_ne(fcntl(0, F_GETFD), -1);
}
END_TEST

START_TEST(test_list_empty_and_errors)
{
	struct file_list fl;

	put("empty", "");
	list_ok(&fl, FILES_SOURCE_LIST, "empty", 0);
	ck_assert_uint_eq(fl.n, 0);
	file_list_release(&fl);
	list_fails(FILES_SOURCE_LIST, "missing", 0, "cannot open missing");
	list_fails(FILES_SOURCE_LIST, ".", 0, "cannot read .");
}
END_TEST

START_TEST(test_list_100k)
{
	struct file_list fl;
	struct batches b;
	char *files[] = { S("*.py") };
	size_t i, *idx, n;
	FILE *f;
	double t0, t;

	f = fopen("list", "w");
	ck_assert_ptr_nonnull(f);
	/* 100000 names and each again with "./": 200000 lines. */
	for (i = 0; i < 200000; i++)
		fprintf(f, "%ssrc/pkg%03zu/module%06zu.py\n",
		    i >= 100000 ? "./" : "", (i % 100000) % 500,
		    i % 100000);
	ck_assert_int_eq(fclose(f), 0);
	t0 = now();
	list_ok(&fl, FILES_SOURCE_LIST, "list", 0);
	idx = files_select(&fl, files, 1, NULL, 0, &n);
	files_batch(&b, &fl, idx, n, NULL, 0, 8, files_arg_budget(environ, NULL));
	t = now() - t0;
	ck_assert_uint_eq(fl.n, 100000);
	ck_assert_uint_eq(n, 100000);
	ck_assert_str_eq(fl.v[99999], "src/pkg499/module099999.py");
	ck_assert_msg(t < 20.0, "list + select + batch took %.3fs of CPU", t);
	batches_release(&b);
	free(idx);
	file_list_release(&fl);
}
END_TEST

/* ---------------------------------------------------------------- */

static Suite *
files_suite(void)
{
	Suite *s = suite_create("files");
	TCase *tc;

	tc = tcase_create("match");
	tcase_add_test(tc, test_basename);
	tcase_add_test(tc, test_path_star_no_slash);
	tcase_add_test(tc, test_dstar_start);
	tcase_add_test(tc, test_dstar_middle);
	tcase_add_test(tc, test_dstar_end);
	tcase_add_test(tc, test_dstar_in_segment);
	tcase_add_test(tc, test_dotfiles);
	tcase_add_test(tc, test_class_space);
	tcase_add_test(tc, test_anchor);
	tcase_add_test(tc, test_escape_and_odd_names);
	tcase_add_test(tc, test_match_any);
	tcase_add_test(tc, test_select);
	suite_add_tcase(s, tc);

	tc = tcase_create("batch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_batch_want);
	tcase_add_test(tc, test_batch_want_more_than_files);
	tcase_add_test(tc, test_batch_none);
	tcase_add_test(tc, test_batch_size);
	tcase_add_test(tc, test_batch_budget);
	tcase_add_test(tc, test_batch_huge_file_alone);
	tcase_add_test(tc, test_batch_random);
	tcase_add_test(tc, test_batch_balance);
	tcase_add_test(tc, test_batch_deterministic);
	tcase_add_test(tc, test_batch_cost_lpt);
	tcase_add_test(tc, test_batch_cost_slow_file);
	tcase_add_test(tc, test_batch_cost_budget);
	tcase_add_test(tc, test_batch_size_costliest_first);
	tcase_add_test(tc, test_batch_100k);
	suite_add_tcase(s, tc);

	tc = tcase_create("arg_budget");
	tcase_add_test(tc, test_budget_basic);
	tcase_add_test(tc, test_budget_big_env);
	tcase_add_test(tc, test_budget_execve);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, list_setup, list_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_walk_hostile);
	tcase_add_test(tc, test_walk_default_outside_git);
	tcase_add_test(tc, test_walk_unreadable_dir);
	tcase_add_test(tc, test_walk_deep);
	tcase_add_test(tc, test_no_git_binary);
	tcase_add_test(tc, test_git_default);
	tcase_add_test(tc, test_git_all);
	tcase_add_test(tc, test_git_staged);
	tcase_add_test(tc, test_git_no_commit);
	tcase_add_test(tc, test_git_subdir);
	tcase_add_test(tc, test_git_special_entries);
	tcase_add_test(tc, test_git_conflict);
	tcase_add_test(tc, test_git_fails);
	tcase_add_test(tc, test_git_spawn);
	tcase_add_test(tc, test_list_newline);
	tcase_add_test(tc, test_list_nul);
	tcase_add_test(tc, test_list_stdin);
	tcase_add_test(tc, test_list_empty_and_errors);
	tcase_add_test(tc, test_list_100k);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(files_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
