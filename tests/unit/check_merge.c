/*
 * check_merge.c - unit tests for merge.[ch]: for JSON Lines, JUnit and
 * SARIF, the counts of the joined report, a hook spread over shards
 * joined (worst status, sums, outputs and findings one after another),
 * the exit status of the whole run; mixed, malformed and incomplete
 * reports refused with the report's name and line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "merge.h"

Suite *merge_suite(void);

static struct buf out;
static enum merge_format fmt;
static int status;

/* Merge the NULL-terminated texts, named r1, r2...; 0 or -1. */
static int
merge(struct err *e, const char *const *texts)
{
	static const char *const names[] = { "r1", "r2", "r3", "r4" };
	struct merge_input in[4];
	size_t n = 0;

	for (n = 0; texts[n] != NULL; n++) {
		in[n].name = names[n];
		in[n].text = texts[n];
		in[n].len = strlen(texts[n]);
	}
	buf_release(&out);
	memset(e, 0, sizeof(*e));
	status = -1;
	return merge_reports(in, n, &out, &fmt, &status, e);
}

static void
merge_ok(const char *const *texts)
{
	struct err e;

	ck_assert_msg(merge(&e, texts) == 0, "%s:%lu: %s", e.file ? e.file : "",
		      e.line, e.msg);
	buf_add(&out, "", 1);   /* a C string from here on */
	out.len--;
}

static void
merge_bad(const char *const *texts, const char *file, unsigned long line,
	  const char *msg)
{
	struct err e;

	ck_assert_int_eq(merge(&e, texts), -1);
	ck_assert_ptr_nonnull(e.file);
	ck_assert_str_eq(e.file, file);
	ck_assert_uint_eq(e.line, line);
	ck_assert_msg(strstr(e.msg, msg) != NULL, "'%s' lacks '%s'", e.msg, msg);
}

/* The line of the output that contains `key`, as a string (static). */
static const char *
line_with(const char *key)
{
	static char line[4096];
	const char *p = strstr(out.p, key), *start, *end;

	ck_assert_msg(p != NULL, "no '%s' in:\n%s", key, out.p);
	for (start = p; start > out.p && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_lt((size_t)(end - start), sizeof(line));
	memcpy(line, start, (size_t)(end - start));
	line[end - start] = '\0';
	return line;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

#define HAS(hay, needle) ck_assert_msg(strstr((hay), (needle)) != NULL, \
				       "'%s' lacks '%s'", (hay), (needle))

/* --- JSON Lines ---------------------------------------------------------- */

#define HOOK(name, status, reason, exit, dur, batches, files, findings, out) \
	"{\"type\":\"hook\",\"name\":\"" name "\",\"strategy\":\"s\",\"wave\":1," \
	"\"status\":\"" status "\",\"reason\":" reason ",\"exit_code\":" exit \
	",\"signal\":null,\"start\":0.010,\"duration\":" dur ",\"batches\":" \
	batches ",\"files\":" files ",\"cached\":0,\"modified\":[]," \
	"\"findings\":[" findings "],\"absent\":[],\"output\":\"" out "\"," \
	"\"output_truncated\":false,\"shard\":\"1/2\"}\n"
#define SUMMARY(dur, exit) "{\"type\":\"summary\",\"passed\":0,\"failed\":0," \
	"\"timeout\":0,\"error\":0,\"skipped\":0,\"duration\":" dur \
	",\"hooks_total\":0,\"findings\":0,\"exit_code\":" exit "}\n"
#define FINDING(file) "{\"file\":\"" file "\",\"line\":1,\"col\":null," \
	"\"level\":\"error\",\"rule\":null,\"message\":\"m\"," \
	"\"fingerprint\":\"fp-" file "\",\"baseline\":null}"

START_TEST(test_json_lines)
{
	const char *r1 =
		HOOK("a", "passed", "null", "null", "1.000", "1", "0", "", "a1\\n")
		HOOK("spread", "passed", "null", "null", "1.500", "1", "3",
		     FINDING("x.c"), "one\\n")
		SUMMARY("2.000", "0");
	const char *r2 =
		HOOK("spread", "failed", "null", "4", "0.250", "2", "2",
		     FINDING("y.c"), "two\\n")
		HOOK("b", "skipped", "\"no files\"", "null", "null", "0", "0", "", "")
		SUMMARY("3.500", "1");
	const char *l;

	merge_ok((const char *[]){ r1, r2, NULL });
	ck_assert_int_eq(fmt, MERGE_JSON_LINES);
	ck_assert_int_eq(status, 1);
	ck_assert_uint_eq(count(out.p, "\n"), 4);       /* 3 hooks, summary */
	ck_assert(strstr(out.p, "\"name\":\"a\"") < strstr(out.p, "\"name\":\"spread\""));
	ck_assert(strstr(out.p, "\"name\":\"spread\"") < strstr(out.p, "\"name\":\"b\""));
	ck_assert_ptr_null(strstr(out.p, "shard"));
	l = line_with("\"name\":\"spread\"");
	HAS(l, "\"status\":\"failed\"");
	HAS(l, "\"exit_code\":4");
	HAS(l, "\"duration\":1.75,");
	HAS(l, "\"batches\":3,\"files\":5,");
	HAS(l, "\"output\":\"one\\ntwo\\n\"");
	ck_assert(strstr(l, "fp-x.c") != NULL && strstr(l, "fp-x.c") < strstr(l, "fp-y.c"));
	l = line_with("\"type\":\"summary\"");
	ck_assert_str_eq(l, "{\"type\":\"summary\",\"passed\":1,\"failed\":1,"
			 "\"timeout\":0,\"error\":0,\"skipped\":1,"
			 "\"duration\":3.500,\"hooks_total\":2.750,"
			 "\"findings\":2,\"exit_code\":1}");
}
END_TEST

/* Which statuses fail the whole run, and a shard killed by a signal. */
START_TEST(test_json_lines_status)
{
	const char *pass = HOOK("a", "passed", "null", "null", "1", "1", "0", "", "")
			   SUMMARY("1", "0");
	const char *nofiles = HOOK("n", "skipped", "\"no files\"", "null", "null",
				   "0", "0", "", "")
			      HOOK("d", "skipped", "\"disabled\"", "null", "null",
				   "0", "0", "", "")
			      SUMMARY("1", "0");
	const char *dep = HOOK("c", "skipped", "\"dependency a failed\"", "null",
			       "null", "0", "0", "", "")
			  SUMMARY("1", "1");
	const char *stop = HOOK("c", "skipped",
				"\"stopped: critical hook a failed\"", "null",
				"null", "0", "0", "", "")
			   SUMMARY("1", "1");
	const char *tmo = HOOK("t", "timeout", "null", "null", "1", "1", "0", "", "")
			  SUMMARY("1", "1");
	const char *sig = HOOK("i", "skipped", "\"interrupted\"", "null", "null",
			       "0", "0", "", "")
			  SUMMARY("1", "130");

	merge_ok((const char *[]){ pass, nofiles, NULL });
	ck_assert_int_eq(status, 0);
	merge_ok((const char *[]){ pass, dep, NULL });
	ck_assert_int_eq(status, 1);
	merge_ok((const char *[]){ stop, pass, NULL });
	ck_assert_int_eq(status, 1);
	merge_ok((const char *[]){ pass, tmo, NULL });
	ck_assert_int_eq(status, 1);
	HAS(line_with("summary"), "\"timeout\":1,");
	merge_ok((const char *[]){ pass, sig, NULL });
	ck_assert_int_eq(status, 130);
	HAS(line_with("summary"), "\"exit_code\":130}");
	/* a pass the cache gave is "cached" only when every part's was */
	merge_ok((const char *[]){ HOOK("a", "passed", "\"cached\"", "null",
					"0", "0", "2", "", "") SUMMARY("1", "0"),
				   pass, NULL });
	HAS(line_with("\"name\":\"a\""), "\"reason\":null");
	merge_ok((const char *[]){ HOOK("a", "passed", "\"cached\"", "null",
					"0", "0", "2", "", "") SUMMARY("1", "0"),
				   HOOK("a", "passed", "\"cached\"", "null",
					"0", "0", "1", "", "") SUMMARY("1", "0"),
				   NULL });
	HAS(line_with("\"name\":\"a\""), "\"reason\":\"cached\"");
	HAS(line_with("\"name\":\"a\""), "\"files\":3,");
	/* one report merges into itself */
	merge_ok((const char *[]){ pass, NULL });
	ck_assert_int_eq(status, 0);
	HAS(line_with("summary"), "\"passed\":1,");
}
END_TEST

/* A spread fixer's changed files are counted again in its reason; absent
   baseline findings are kept once, and not when another part found them. */
START_TEST(test_json_lines_modified)
{
	const char *r1 = "{\"type\":\"hook\",\"name\":\"fmt\",\"strategy\":null,"
		"\"wave\":1,\"status\":\"failed\",\"reason\":\"modified 1 file\","
		"\"exit_code\":null,\"signal\":null,\"start\":0,\"duration\":1,"
		"\"batches\":1,\"files\":1,\"cached\":0,\"modified\":[\"a.c\"],"
		"\"findings\":[],\"absent\":[" FINDING("gone.c") "," FINDING("y.c")
		"],\"output\":\"\",\"output_truncated\":true}\n" SUMMARY("1", "1");
	const char *r2 = "{\"type\":\"hook\",\"name\":\"fmt\",\"strategy\":null,"
		"\"wave\":1,\"status\":\"failed\",\"reason\":\"modified 2 files\","
		"\"exit_code\":null,\"signal\":null,\"start\":0,\"duration\":1,"
		"\"batches\":1,\"files\":2,\"cached\":0,\"modified\":[\"b.c\",\"c.c\"],"
		"\"findings\":[" FINDING("y.c") "],\"absent\":[" FINDING("gone.c")
		"],\"output\":\"\",\"output_truncated\":false}\n" SUMMARY("1", "1");
	const char *l;

	merge_ok((const char *[]){ r1, r2, NULL });
	l = line_with("\"name\":\"fmt\"");
	HAS(l, "\"reason\":\"modified 3 files\"");
	HAS(l, "\"modified\":[\"a.c\",\"b.c\",\"c.c\"]");
	HAS(l, "\"output_truncated\":true");
	ck_assert_uint_eq(count(l, "fp-gone.c"), 1);
	ck_assert_uint_eq(count(l, "fp-y.c"), 1);       /* found: not absent */
}
END_TEST

START_TEST(test_json_lines_bad)
{
	const char *ok = HOOK("a", "passed", "null", "null", "1", "1", "0", "", "")
			 SUMMARY("1", "0");

	merge_bad((const char *[]){ ok, "{\"type\":\"hook\"}\n", NULL }, "r2", 1,
		  "a hook line without a valid 'name'");
	merge_bad((const char *[]){ ok, "\n{\"type\":\"summary\"}\n{oops\n", NULL },
		  "r2", 3, "a line after the summary line");
	merge_bad((const char *[]){ "\n\n{oops\n", NULL }, "r1", 3, "not JSON");
	merge_bad((const char *[]){ ok, HOOK("a", "passed", "null", "null", "1",
					     "1", "0", "", ""), NULL },
		  "r2", 0, "no summary line");
	merge_bad((const char *[]){ ok, " \n", NULL }, "r2", 0, "empty");
	merge_bad((const char *[]){ "{\"type\":\"history\",\"name\":\"a\"}\n",
				    NULL }, "r1", 1, "not part of a run's report");
	merge_bad((const char *[]){ ok, "[1]\n", NULL }, "r2", 1, "no \"type\"");
	merge_bad((const char *[]){ "{\"type\":\"hook\",\"name\":\"a\",\"strategy\":null,"
		"\"wave\":1,\"status\":\"great\",\"reason\":null,\"exit_code\":null,"
		"\"signal\":null,\"start\":0,\"duration\":1,\"batches\":1,"
		"\"files\":1,\"cached\":0,\"modified\":[],\"findings\":[],"
		"\"absent\":[],\"output\":\"\",\"output_truncated\":false}\n"
		SUMMARY("1", "0"), NULL }, "r1", 1, "unknown status 'great'");
	/* Numbers past what a report can hold (found by fuzz_merge: a
	   duration of 1e121 overflowed the rounding to milliseconds). */
	merge_bad((const char *[]){ ok, HOOK("a", "passed", "null", "null", "1e121",
					     "1", "0", "", "") SUMMARY("1", "0"), NULL },
		  "r2", 1, "a hook line without a valid 'duration'");
	merge_bad((const char *[]){ ok, HOOK("a", "passed", "null", "null", "-1",
					     "1", "0", "", "") SUMMARY("1", "0"), NULL },
		  "r2", 1, "a hook line without a valid 'duration'");
	merge_bad((const char *[]){ ok, HOOK("a", "passed", "null", "null", "1",
					     "1", "9223372036854775807", "", "")
				    SUMMARY("1", "0"), NULL },
		  "r2", 1, "a hook line without a valid 'files'");
}
END_TEST

/* The largest values a line may hold, summed over shards, stay exact. */
START_TEST(test_json_lines_large)
{
	const char *big = HOOK("a", "passed", "null", "null", "1000000000000",
			       "1000000000000", "1000000000000", "", "")
			  SUMMARY("1", "0");

	merge_ok((const char *[]){ big, big, big, NULL });
	HAS(line_with("\"type\":\"hook\""), "\"files\":3000000000000");
	HAS(line_with("\"type\":\"hook\""), "\"duration\":3000000000000");
}
END_TEST

/* --- JUnit --------------------------------------------------------------- */

#define SUITES(time, body) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<testsuites name=\"hookwave\" tests=\"9\" failures=\"9\" errors=\"9\" " \
	"skipped=\"9\" time=\"" time "\">\n" body "</testsuites>\n"

START_TEST(test_junit)
{
	const char *r1 = SUITES("2.000",
		"<testsuite name=\"fast (shard 1/2)\" tests=\"2\" time=\"1.500\">\n"
		"<testcase classname=\"fast\" name=\"a\" time=\"1.000\">"
		"<system-out>a&#13;out</system-out></testcase>\n"
		"<testcase classname=\"fast\" name=\"spread\" time=\"0.500\">"
		"<properties><property name=\"findings\" value=\"2\"/></properties>"
		"<system-out>one\n</system-out></testcase>\n"
		"</testsuite>\n");
	const char *r2 = SUITES("3.000",
		"<testsuite name=\"fast (shard 2/2)\" tests=\"1\" time=\"2.500\">\n"
		"<testcase classname=\"fast\" name=\"spread\" time=\"0.250\">"
		"<properties><property name=\"findings\" value=\"1\"/></properties>"
		"<failure type=\"timeout\" message=\"timed out after 5s\">two &lt;&amp;&gt;\n"
		"</failure></testcase>\n"
		"</testsuite>\n"
		"<testsuite name=\"slow\" tests=\"2\" time=\"1\">\n"
		"<testcase classname=\"slow\" name=\"dep\" time=\"0\">"
		"<skipped message=\"dependency spread timed out\"/></testcase>\n"
		"<testcase classname=\"slow\" name=\"e\" time=\"0\">"
		"<error type=\"error\" message=\"command not found\">nope</error>"
		"</testcase>\n"
		"</testsuite>\n");

	merge_ok((const char *[]){ r1, r2, NULL });
	ck_assert_int_eq(fmt, MERGE_JUNIT);
	ck_assert_int_eq(status, 1);
	HAS(line_with("<testsuites"), "tests=\"4\" failures=\"1\" errors=\"1\" "
	    "skipped=\"1\" time=\"3.000\"");
	HAS(line_with("<testsuite name=\"fast\""), "tests=\"2\" failures=\"1\" "
	    "errors=\"0\" skipped=\"0\" time=\"2.500\"");
	HAS(line_with("<testsuite name=\"slow\""), "tests=\"2\" failures=\"0\" "
	    "errors=\"1\" skipped=\"1\"");
	ck_assert_uint_eq(count(out.p, "<testcase "), 4);
	HAS(line_with("name=\"spread\""), "time=\"0.750\"");
	HAS(out.p, "<property name=\"findings\" value=\"3\"/>");
	HAS(out.p, "<failure type=\"timeout\" message=\"timed out after 5s\">"
	    "one\ntwo &lt;&amp;&gt;\n</failure>");
	HAS(out.p, "a&#13;out");
	ck_assert_ptr_null(strstr(out.p, "shard"));
	ck_assert(strstr(out.p, "name=\"fast\"") < strstr(out.p, "name=\"slow\""));

	/* Passes and skips for no files: exit 0. */
	merge_ok((const char *[]){ r1, SUITES("1",
		"<testsuite name=\"x\"><testcase classname=\"x\" name=\"n\" time=\"0\">"
		"<skipped message=\"no files\"/></testcase></testsuite>\n"), NULL });
	ck_assert_int_eq(status, 0);
	HAS(line_with("<testsuites"), "tests=\"3\" failures=\"0\" errors=\"0\" "
	    "skipped=\"1\"");
}
END_TEST

/* A time that is no number of seconds (infinite, not a number, past
   what a report holds, negative) counts as 0. */
START_TEST(test_junit_odd_times)
{
	static const char *const odd[] = { "1e999", "nan", "inf", "1e13", "-1", "x" };
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char r2[512];

		snprintf(r2, sizeof(r2), SUITES("1",
			 "<testsuite name=\"s\"><testcase classname=\"s\" name=\"a\" "
			 "time=\"%s\"/></testsuite>\n"), odd[i]);
		merge_ok((const char *[]){ SUITES("1",
			"<testsuite name=\"s\"><testcase classname=\"s\" name=\"a\" "
			"time=\"0.500\"/></testsuite>\n"), r2, NULL });
		HAS(line_with("name=\"a\""), "time=\"0.500\"");
	}
}
END_TEST

START_TEST(test_junit_bad)
{
	const char *ok = SUITES("1", "");

	merge_bad((const char *[]){ ok, "<testsuites>\n<testsuite>\n", NULL },
		  "r2", 3, "not XML");
	merge_bad((const char *[]){ "<junit/>", NULL }, "r1", 0,
		  "not a JUnit report");
	merge_bad((const char *[]){ SUITES("1", "<testsuite>\n<testcase name=\"a\"/>"
					   "</testsuite>\n"), NULL },
		  "r1", 4, "without a classname");
	merge_bad((const char *[]){ ok, HOOK("a", "passed", "null", "null", "1", "1",
					     "0", "", "") SUMMARY("1", "0"), NULL },
		  "r2", 0, "a JSON Lines report, but r1 is JUnit XML");
}
END_TEST

/* --- SARIF --------------------------------------------------------------- */

#define SARIF(runs) "{\"$schema\":\"https://x/sarif-schema-2.1.0.json\"," \
	"\"version\":\"2.1.0\",\"runs\":[" runs "]}\n"
#define RUN(id, inv, rules, results) "{\"tool\":{\"driver\":{\"name\":\"t\"," \
	"\"rules\":[" rules "]}},\"automationDetails\":{\"id\":\"" id "\"}," \
	"\"invocations\":[" inv "],\"results\":[" results "]}"
#define RESULT(rule, idx) "{\"ruleId\":\"" rule "\",\"ruleIndex\":" idx \
	",\"level\":\"error\",\"message\":{\"text\":\"m\"}}"

START_TEST(test_sarif)
{
	const char *r1 = SARIF(
		RUN("hookwave/s/spread/1-of-2", "{\"executionSuccessful\":true,"
		    "\"exitCode\":0}", "{\"id\":\"A\"},{\"id\":\"B\"}",
		    RESULT("A", "0") "," RESULT("B", "1")) ","
		RUN("hookwave/s/lint/1-of-2", "{\"executionSuccessful\":true,"
		    "\"exitCode\":0}", "", ""));
	const char *r2 = SARIF(
		RUN("hookwave/s/spread/2-of-2", "{\"executionSuccessful\":true,"
		    "\"exitCode\":2}", "{\"id\":\"C\"},{\"id\":\"B\"}",
		    RESULT("C", "0") "," RESULT("B", "1")) ","
		"{\"tool\":{\"driver\":{\"name\":\"other\"}},\"results\":[]}");

	merge_ok((const char *[]){ r1, r2, NULL });
	ck_assert_int_eq(fmt, MERGE_SARIF);
	ck_assert_int_eq(status, 1);
	ck_assert_uint_eq(count(out.p, "\"automationDetails\""), 2);
	ck_assert_uint_eq(count(out.p, "\"tool\""), 3);
	HAS(out.p, "\"id\":\"hookwave/s/spread/\"");
	HAS(out.p, "\"id\":\"hookwave/s/lint/\"");
	ck_assert_ptr_null(strstr(out.p, "of-2"));
	HAS(out.p, "\"rules\":[{\"id\":\"A\"},{\"id\":\"B\"},{\"id\":\"C\"}]");
	HAS(out.p, "\"invocations\":[{\"executionSuccessful\":true,\"exitCode\":2}]");
	/* C is rule 2 of the joined run, B still 1 */
	HAS(out.p, "{\"ruleId\":\"C\",\"ruleIndex\":2,");
	ck_assert_uint_eq(count(out.p, "{\"ruleId\":\"B\",\"ruleIndex\":1,"), 2);
	ck_assert_uint_eq(count(out.p, "\"ruleId\""), 4);

	/* a note-level skip for no files passes; a timeout fails */
	merge_ok((const char *[]){ r1, SARIF(RUN("hookwave/s/n/",
		"{\"executionSuccessful\":false,\"toolExecutionNotifications\":"
		"[{\"level\":\"note\",\"message\":{\"text\":\"no files\"}}]}",
		"", "")), NULL });
	ck_assert_int_eq(status, 0);
	merge_ok((const char *[]){ r1, SARIF(RUN("hookwave/s/spread/2-of-2",
		"{\"executionSuccessful\":false,\"exitSignalNumber\":15,"
		"\"toolExecutionNotifications\":[{\"level\":\"error\","
		"\"message\":{\"text\":\"timed out after 1s\"}}]}", "", "")), NULL });
	ck_assert_int_eq(status, 1);
	HAS(out.p, "\"executionSuccessful\":false,\"exitSignalNumber\":15");
	HAS(out.p, "timed out after 1s");
}
END_TEST

START_TEST(test_sarif_bad)
{
	const char *ok = SARIF("");

	merge_bad((const char *[]){ ok, SARIF("1"), NULL }, "r2", 0,
		  "run 1 of the SARIF log is not an object");
	merge_bad((const char *[]){ ok, SUITES("1", ""), NULL }, "r2", 0,
		  "a JUnit XML report, but r1 is SARIF");
	/* A JSON document that is not SARIF is read as JSON Lines. */
	merge_bad((const char *[]){ "{\"runs\":1,\n\"x\":2}\n", NULL }, "r1", 1,
		  "not JSON");
}
END_TEST

Suite *
merge_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_json_lines_status);
	tcase_add_test(tc, test_json_lines_modified);
	tcase_add_test(tc, test_json_lines_bad);
	tcase_add_test(tc, test_json_lines_large);
	tcase_add_test(tc, test_junit);
	tcase_add_test(tc, test_junit_odd_times);
	tcase_add_test(tc, test_junit_bad);
	tcase_add_test(tc, test_sarif);
	tcase_add_test(tc, test_sarif_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(merge_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	buf_release(&out);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
