/*
 * check_sarif_read.c - unit tests for sarif_read.c: every field of the
 * findings read from the hand-written logs in tests/data/findings
 * (semgrep-, ESLint- and CodeQL-shaped), the run and results kept for
 * carrying over, the collector of a process's output (chatter before
 * the log, the size cap), bad logs, a log in a file, and merging the
 * runs of two batches.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sarif_read.h"
#include "util.h"

Suite *sarif_read_suite(void);

/* The tools "ran" in tests/data/findings of a repository at /repo
   (nothing is looked up on disk). */
#define ROOT "/repo"
#define CWD ROOT "/tests/data/findings"
#define S(f) "tests/data/findings/src/" f

enum { E = FINDING_ERROR, W = FINDING_WARNING, N = FINDING_NOTE };

struct want {
	const char *file;
	unsigned long line, col;
	int level;
	const char *rule;
	const char *message;
};

static const char *
testdata(void)
{
	const char *d = getenv("TESTDATA");

	return d != NULL && *d != '\0' ? d : "tests/data";
}

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
	fclose(fp);
	free(path);
	*len = n;
	return p;
}

static void
expect(const struct findings *got, const struct want *w, size_t n)
{
	size_t i;

	ck_assert_uint_eq(got->n, n);
	for (i = 0; i < n; i++) {
		const struct finding *f = &got->v[i];

		ck_assert_str_eq(f->file, w[i].file);
		ck_assert_uint_eq(f->line, w[i].line);
		ck_assert_uint_eq(f->col, w[i].col);
		ck_assert_int_eq((int)f->level, w[i].level);
		if (w[i].rule == NULL)
			ck_assert_ptr_null(f->rule);
		else
			ck_assert_str_eq(f->rule, w[i].rule);
		ck_assert_str_eq(f->message, w[i].message);
		ck_assert_ptr_null(f->fingerprint);
		ck_assert_ptr_nonnull(f->sarif);
	}
}

/* Read fixture `name`, expecting success. */
static void
read_fixture(const char *name, struct findings *got, char **run)
{
	char why[256] = "";
	size_t n;
	char *s = fixture(name, &n);

	*run = NULL;
	ck_assert_msg(sarif_read(s, n, ROOT, CWD, got, run, why,
				 sizeof(why)) == 0, "%s: %s", name, why);
	ck_assert_ptr_nonnull(*run);
	free(s);
}

static json_t *
parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(test_semgrep)
{
	static const struct want w[] = {
		{ S("bad.py"), 7, 5, W,
		  "python.lang.security.audit.eval-detected.eval-detected",
		  "Detected the use of eval(). eval() can be dangerous if "
		  "used to evaluate dynamic content." },
		{ S("bad.py"), 1, 1, N, "python.lang.best-practice.unused-import",
		  "'os' imported but unused" },
		{ S("with space.py"), 12, 0, E,
		  "python.lang.correctness.useless-comparison",
		  "This comparison is always \"True\": x == x" },
	};
	struct findings got = { 0 };
	char *run;
	json_t *j, *r;

	read_fixture("semgrep.sarif", &got, &run);
	expect(&got, w, 3);

	/* The run as carried: the tool and its rules, not what hookwave
	   writes itself. */
	j = parse(run);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
		json_object_get(j, "tool"), "driver"), "name")), "Semgrep OSS");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(
		json_object_get(j, "tool"), "driver"), "rules")), 3);
	ck_assert_ptr_null(json_object_get(j, "results"));
	ck_assert_ptr_null(json_object_get(j, "invocations"));
	json_decref(j);

	/* A result as carried: the tool's own, its fingerprints kept. */
	r = parse(got.v[1].sarif);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
		"partialFingerprints"), "primaryLocationLineHash")), "9f0c2d1e:1");
	json_decref(r);
	r = parse(got.v[0].sarif);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(r, "fingerprints"),
					      "matchBasedId/v1"));
	json_decref(r);
	free(run);
	findings_release(&got);
}
END_TEST

START_TEST(test_eslint)
{
	static const struct want w[] = {
		{ S("bad.js"), 3, 7, W, "no-unused-vars",
		  "'unused' is assigned a value but never used." },
		/* by artifact index; %2B decoded; rule by ruleIndex */
		{ "web/app+extra.js", 10, 1, E, "no-undef",
		  "'document2' is not defined." },
		/* file://localhost/, outside the root: stays absolute */
		{ "/elsewhere/x.js", 2, 9, E, NULL,
		  "Parsing error: Unexpected token )" },
	};
	struct findings got = { 0 };
	char *run;
	json_t *j, *r;

	read_fixture("eslint.sarif", &got, &run);
	expect(&got, w, 3);
	j = parse(run);
	ck_assert_ptr_null(json_object_get(j, "artifacts"));
	json_decref(j);
	/* Indices into the tool's run mean nothing in hookwave's: the
	   rule goes by id. */
	r = parse(got.v[1].sarif);
	ck_assert_ptr_null(json_object_get(r, "ruleIndex"));
	ck_assert_str_eq(json_string_value(json_object_get(r, "ruleId")),
			 "no-undef");
	json_decref(r);
	free(run);
	findings_release(&got);
}
END_TEST

START_TEST(test_codeql)
{
	static const struct want w[] = {
		/* SRC -> ROOT (file:///repo/); messageStrings, arguments,
		   {{ }} */
		{ S("bad.c"), 4, 9, N, "cpp/unused-local-variable",
		  "Variable x is not used; see bad.c:4 (not {this})." },
		/* an undefined uriBaseId: the tool's directory; rule by
		   rule.id; default level none: note */
		{ S("bad.c"), 9, 0, N, "cpp/overflow", "Possible overflow." },
		/* kind pass: no finding; kind review: note; no location:
		   "."; the driver's globalMessageStrings */
		{ ".", 0, 0, N, NULL, "Something about the build." },
		/* the second run's rule by index; absolute path outside the
		   root */
		{ "/abs/out/of/root.c", 0, 0, E, "cpp/second-run",
		  "from the second run" },
	};
	struct findings got = { 0 };
	char *run;
	json_t *j, *rules, *r;

	read_fixture("codeql.sarif", &got, &run);
	expect(&got, w, 4);
	j = parse(run);
	rules = json_object_get(json_object_get(json_object_get(j, "tool"),
						"driver"), "rules");
	/* The second run's rules join the first's. */
	ck_assert_uint_eq(json_array_size(rules), 3);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(rules, 2), "id")), "cpp/second-run");
	ck_assert_ptr_null(json_object_get(j, "originalUriBaseIds"));
	json_decref(j);
	r = parse(got.v[1].sarif);
	ck_assert_str_eq(json_string_value(json_object_get(r, "ruleId")),
			 "cpp/overflow");
	ck_assert_ptr_null(json_object_get(json_object_get(r, "rule"), "index"));
	json_decref(r);
	free(run);
	findings_release(&got);
}
END_TEST

/* Bad logs: an error that says why, nothing added. */
START_TEST(test_bad)
{
	static const struct {
		const char *text;
		const char *why;        /* a prefix */
	} t[] = {
		{ "", "bad JSON at line 1" },
		{ "{\"version\": \"2.1.0\", \"runs\": [", "bad JSON at line 1" },
		{ "[1, 2]", "not SARIF: not a JSON object" },
		{ "{\"runs\": []}", "not SARIF 2.1.0: version missing" },
		{ "{\"version\": \"2.0.0\", \"runs\": []}",
		  "not SARIF 2.1.0: version 2.0.0" },
		{ "{\"version\": \"2.1.0\"}", "not SARIF: no runs array" },
		{ "{\"version\": \"2.1.0\", \"runs\": []}", "not SARIF: no runs" },
		{ "{\"version\": \"2.1.0\", \"runs\": [{\"results\": []}]}",
		  "not SARIF: a run without tool.driver.name" },
		{ "{\"version\": \"2.1.0\", \"runs\": [{\"tool\":{\"driver\":"
		  "{\"name\":\"x\"}},\"results\":[{\"message\":{\"text\":"
		  "\"\xff\"}}]}]}", "bad JSON at line 1" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct findings got = { 0 };
		char why[256] = "", *run = NULL;

		ck_assert_int_eq(sarif_read(t[i].text, strlen(t[i].text), ROOT,
					    CWD, &got, &run, why,
					    sizeof(why)), -1);
		ck_assert_msg(strncmp(why, t[i].why, strlen(t[i].why)) == 0,
			      "%zu: %s", i, why);
		ck_assert_uint_eq(got.n, 0);
		ck_assert_ptr_null(run);
	}
}
END_TEST

/* Odd but valid values: no crash, sensible findings. */
START_TEST(test_odd)
{
	static const char log[] =
		"{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":"
		"{\"name\":\"t\",\"rules\":[{\"id\":\"r\"}]}},"
		"\"originalUriBaseIds\":{\"A\":{\"uri\":\"x\",\"uriBaseId\":\"A\"}},"
		"\"results\":["
		/* ruleIndex out of range, negative line, %00 in the uri,
		   a base that points at itself */
		"{\"ruleIndex\":7,\"level\":\"bogus\",\"message\":{\"text\":\"a\"},"
		"\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
		"{\"uri\":\"a%00b\",\"uriBaseId\":\"A\"},\"region\":"
		"{\"startLine\":-3,\"startColumn\":\"x\"}}}]},"
		/* ruleIndex -1 with a ruleId; {9} past the arguments */
		"{\"ruleIndex\":-1,\"ruleId\":\"r\",\"message\":{\"text\":"
		"\"{0} {9} {\",\"arguments\":[\"one\"]}},"
		"7, null]}]}trailing bytes";
	struct findings got = { 0 };
	char why[256] = "", *run = NULL;

	ck_assert_int_eq(sarif_read(log, strlen(log), ROOT, CWD, &got, &run,
				    why, sizeof(why)), 0);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_str_eq(got.v[0].file, "tests/data/findings/a%00b");
	ck_assert_uint_eq(got.v[0].line, 0);
	ck_assert_uint_eq(got.v[0].col, 0);
	ck_assert_int_eq(got.v[0].level, W);
	ck_assert_ptr_null(got.v[0].rule);
	ck_assert_str_eq(got.v[1].rule, "r");
	ck_assert_str_eq(got.v[1].message, "one {9} {");
	free(run);
	findings_release(&got);
}
END_TEST

/* The collector: chatter before the log, '{' not at a line's start,
   the log cut anywhere. */
START_TEST(test_collect)
{
	size_t n, i, k;
	char *s = fixture("semgrep.sarif", &n);
	const char *pre = "Scanning... {not yet\n{not json either\n";
	struct sarif_collect *c;
	struct findings got = { 0 };
	char why[256] = "", *run = NULL;

	/* "{not json either" starts a line: it is taken for the log. */
	c = sarif_collect_new();
	sarif_collect_feed(c, pre, strlen(pre));
	sarif_collect_feed(c, s, n);
	ck_assert_int_eq(sarif_collect_finish(c, ROOT, CWD, &got, &run, why,
					      sizeof(why)), -1);
	ck_assert_msg(strncmp(why, "bad JSON", 8) == 0, "%s", why);

	/* Only chatter without such a line, then the log, byte by byte
	   and in odd pieces. */
	for (k = 1; k <= 7; k += 6) {
		const char *chat = "Scanning 3 files { 2 rules }\n  {indented\n";

		sarif_collect_feed(c, chat, strlen(chat));
		for (i = 0; i < n; i += k)
			sarif_collect_feed(c, s + i, n - i < k ? n - i : k);
		ck_assert_msg(sarif_collect_finish(c, ROOT, CWD, &got, &run,
						   why, sizeof(why)) == 0,
			      "%s", why);
		ck_assert_uint_eq(got.n, 3);
		findings_release(&got);
		free(run);
		run = NULL;
	}

	/* Nothing at all. */
	sarif_collect_feed(c, "all good\n", 9);
	ck_assert_int_eq(sarif_collect_finish(c, ROOT, CWD, &got, &run, why,
					      sizeof(why)), -1);
	ck_assert_str_eq(why, "no SARIF log in its output");
	sarif_collect_free(c);
	free(s);
}
END_TEST

/* Past the cap: refused, and what was kept is let go. */
START_TEST(test_collect_cap)
{
	struct sarif_collect *c = sarif_collect_new();
	size_t chunk = (size_t)1 << 20, sent = 0;
	char *junk = xmalloc(chunk);
	struct findings got = { 0 };
	char why[256] = "", *run = NULL, *want;

	memset(junk, ' ', chunk);
	sarif_collect_feed(c, "{", 1);
	while (sent <= SARIF_READ_MAX) {
		sarif_collect_feed(c, junk, chunk);
		sent += chunk;
	}
	ck_assert_int_eq(sarif_collect_finish(c, ROOT, CWD, &got, &run, why,
					      sizeof(why)), -1);
	want = xasprintf("its SARIF log is larger than %zu MiB",
			 SARIF_READ_MAX >> 20);
	ck_assert_str_eq(why, want);
	free(want);
	sarif_collect_free(c);
	free(junk);
}
END_TEST

START_TEST(test_file)
{
	struct findings got = { 0 };
	char why[256] = "", *run = NULL;
	char *path = xasprintf("%s/findings/eslint.sarif", testdata());

	ck_assert_int_eq(sarif_read_file(path, ROOT, CWD, &got, &run, why,
					 sizeof(why)), 0);
	ck_assert_uint_eq(got.n, 3);
	free(run);
	findings_release(&got);
	free(path);
	ck_assert_int_eq(sarif_read_file("/nonexistent/x.sarif", ROOT, CWD,
					 &got, &run, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "cannot read /nonexistent/x.sarif: "
			 "No such file or directory");
}
END_TEST

/* Two batches' runs: the rules of both, each once. */
START_TEST(test_merge)
{
	const char *a = "{\"tool\":{\"driver\":{\"name\":\"t\",\"rules\":"
			"[{\"id\":\"r1\"},{\"id\":\"r2\"}]}}}";
	const char *b = "{\"tool\":{\"driver\":{\"name\":\"t\",\"rules\":"
			"[{\"id\":\"r2\"},{\"id\":\"r3\"}]}}}";
	const char *c = "{\"tool\":{\"driver\":{\"name\":\"t\"}}}";
	char *m = sarif_run_merge(NULL, c);
	json_t *j, *rules;

	ck_assert_str_eq(m, c);
	m = sarif_run_merge(m, a);      /* no rules yet: a's */
	m = sarif_run_merge(m, b);
	j = parse(m);
	rules = json_object_get(json_object_get(json_object_get(j, "tool"),
						"driver"), "rules");
	ck_assert_uint_eq(json_array_size(rules), 3);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(rules, 2), "id")), "r3");
	json_decref(j);
	free(m);
}
END_TEST

Suite *
sarif_read_suite(void)
{
	Suite *s = suite_create("sarif_read");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_semgrep);
	tcase_add_test(tc, test_eslint);
	tcase_add_test(tc, test_codeql);
	tcase_add_test(tc, test_bad);
	tcase_add_test(tc, test_odd);
	tcase_add_test(tc, test_collect);
	tcase_add_test(tc, test_collect_cap);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_merge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sarif_read_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
