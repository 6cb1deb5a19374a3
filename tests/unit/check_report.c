/*
 * check_report.c - unit tests for the report writers (report*.c) and
 * log.c: a small plan built from an INI string, results made by hand
 * with hostile output (invalid UTF-8, NUL, ESC, "]]>", "</system-out>",
 * TAP keywords at line starts) and hook names with '#', rendered by
 * every writer through report_write_file() and the stream, then checked
 * for structure: nothing raw below 0x20 but line ends, valid UTF-8,
 * U+FFFD where the bytes were bad, the right counts and lines. The CLI
 * test (tests/cli/reports.sh) feeds the same kind of output to the real
 * consumers (jq, xmllint, TAP::Parser).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "result.h"
#include "util.h"
#include "writer.h"

Suite *report_suite(void);

/* --- fixture ------------------------------------------------------------- */

static const char hostile[] =
	"\xff\xfe bad utf8, NUL \0, ESC \033[31m, ]]> </system-out> \n"
	"# SKIP\n---\nnot ok 1\n...\n  Bail out!\n\n";
#define HOSTILE_LEN (sizeof(hostile) - 1)

/* Config order: fast (ok, hostile, a#b, dep), comprehensive (slow,
   missing, off, lead). */
static const char ini[] =
	"[hook ok]\ncommand = true\nstrategy = fast\n"
	"[hook hostile]\ncommand = false\nstrategy = fast\n"
	"[hook a#b]\ncommand = false\nstrategy = fast\n"
	"[hook dep]\ncommand = true\nstrategy = fast\ndepends = hostile\n"
	"[hook slow]\ncommand = sleep 9\nstrategy = comprehensive\ntimeout = 1\n"
	"[hook missing]\ncommand = nope\nstrategy = comprehensive\n"
	"[hook off]\ncommand = true\nstrategy = comprehensive\nenabled = no\n"
	"[hook lead]\ncommand = false\nstrategy = comprehensive\n";

enum { H_OK, H_HOSTILE, H_HASH, H_DEP, H_SLOW, H_MISSING, H_OFF, H_LEAD, NH };

static struct conf conf;
static struct plan plan;
static struct hook_result res[NH];
static size_t order[NH];
static char tmpdir[] = "/tmp/check_report.XXXXXX";

static void
set_output(struct hook_result *r, const char *s, size_t n)
{
	r->output = xmalloc(n + 1);
	memcpy(r->output, s, n);
	r->output[n] = '\0';
	r->output_len = n;
}

/* One span per batch, on the given slots. */
static void
set_spans(struct hook_result *r, double start, double dur, unsigned nspans,
	  unsigned slot0)
{
	unsigned k;

	r->start = start;
	r->duration = dur;
	r->batches = nspans;
	r->spans = xcalloc(nspans, sizeof(*r->spans));
	r->nspans = nspans;
	for (k = 0; k < nspans; k++) {
		r->spans[k].slot = slot0 + k;
		r->spans[k].start = start + 0.001 * k;
		r->spans[k].duration = dur - 0.001 * k;
	}
}

static void
setup(void)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;
	static const char lead[] = "  leading\n\tsecond \"q\" \\\n";
	size_t i;

	strcpy(tmpdir, "/tmp/check_report.XXXXXX");
	conf_init(&conf);
	ck_assert_msg(conf_parse(&conf, "test.ini", ini, strlen(ini), &e) == 0,
		      "conf: %lu: %s", e.line, e.msg);
	memset(&plan, 0, sizeof(plan));
	ck_assert_msg(plan_build(&plan, &conf, &o, &e) == 0, "plan: %s", e.msg);
	ck_assert_uint_eq(plan.nhooks, NH);
	ck_assert_str_eq(plan.hooks[H_HASH].conf->name, "a#b");

	memset(res, 0, sizeof(res));
	for (i = 0; i < NH; i++) {
		res[i].exit_code = -1;
		res[i].start = res[i].duration = -1;
		order[i] = NH - 1 - i;          /* a report order unlike config's */
	}
	res[H_OK].status = HOOK_PASSED;
	set_output(&res[H_OK], "fine\n", 5);
	set_spans(&res[H_OK], 0.5, 0.25, 1, 0);

	res[H_HOSTILE].status = HOOK_FAILED;
	res[H_HOSTILE].exit_code = 1;
	set_output(&res[H_HOSTILE], hostile, HOSTILE_LEN);
	set_spans(&res[H_HOSTILE], 0.1, 0.2, 3, 1);
	res[H_HOSTILE].files = 3;

	res[H_HASH].status = HOOK_FAILED;
	res[H_HASH].exit_code = 3;
	set_output(&res[H_HASH], "x", 1);
	set_spans(&res[H_HASH], 0.2, 0.1, 1, 0);

	res[H_DEP].status = HOOK_SKIPPED;
	res[H_DEP].skip = SKIP_DEPENDENCY;
	res[H_DEP].reason = xstrdup("dependency hostile failed");
	set_output(&res[H_DEP], "", 0);

	res[H_SLOW].status = HOOK_TIMEOUT;
	res[H_SLOW].signal = 15;
	set_output(&res[H_SLOW], "tick\n", 5);
	set_spans(&res[H_SLOW], 0.0, 1.0, 1, 2);

	res[H_MISSING].status = HOOK_ERROR;
	res[H_MISSING].exit_code = 127;
	res[H_MISSING].reason = xstrdup("command not found");
	set_output(&res[H_MISSING], "sh: nope: not found\n", 20);
	set_spans(&res[H_MISSING], 0.0, 0.01, 1, 3);

	res[H_OFF].status = HOOK_SKIPPED;
	res[H_OFF].skip = SKIP_DISABLED;
	res[H_OFF].reason = xstrdup("disabled");
	set_output(&res[H_OFF], "", 0);

	res[H_LEAD].status = HOOK_FAILED;
	res[H_LEAD].exit_code = 1;
	set_output(&res[H_LEAD], lead, strlen(lead));
	set_spans(&res[H_LEAD], 0.3, 0.1, 1, 3);

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	signal(SIGPIPE, SIG_IGN);
}

static void
teardown(void)
{
	size_t i;
	DIR *d;
	struct dirent *de;

	for (i = 0; i < NH; i++) {
		free(res[i].reason);
		free(res[i].output);
		free(res[i].spans);
	}
	plan_release(&plan);
	conf_release(&conf);
	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *p;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", tmpdir, de->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
}

/* --- helpers ------------------------------------------------------------- */

/* The whole file at path, NUL-terminated; *len without the NUL. */
static char *
slurp(const char *path, size_t *len)
{
	struct buf b = { NULL, 0, 0 };
	char tmp[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	buf_add(&b, "", 0);
	*len = b.len;
	return b.p;
}

/* Number of entries in tmpdir (to see that no temporary file is left). */
static size_t
dir_entries(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Render a whole report of format f through report_write_file(). */
static char *
render(enum report_format f, size_t *len)
{
	char *path = xasprintf("%s/report", tmpdir);
	struct err e;
	char *s;

	ck_assert_msg(report_write_file(path, f, &plan, res, order, 1.5, 1,
					&e) == 0, "write: %s", e.msg);
	ck_assert_uint_eq(dir_entries(), 1);
	s = slurp(path, len);
	unlink(path);
	free(path);
	return s;
}

/* Render the stream with options o as main.c drives it, through a file,
   for a run that ends with exit_status. */
static char *
render_stream_with(const struct report_options *base, int exit_status,
		   size_t *len)
{
	char *path = xasprintf("%s/stream", tmpdir);
	struct report_options o = *base;
	struct report *r;
	char *s;
	size_t i;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	o.fd = fd;
	r = report_new(&plan, &o);
	for (i = 0; i < NH; i++) {
		if (res[order[i]].nspans > 0)
			report_started(r, order[i]);
		report_hook(r, order[i], &res[order[i]]);
	}
	report_finish(r, res, 1.5, exit_status);
	ck_assert_int_eq(report_error(r), 0);
	report_free(r);
	close(fd);
	s = slurp(path, len);
	unlink(path);
	free(path);
	return s;
}

/* Render the stream of format f as main.c drives it, through a file. */
static char *
render_stream(enum report_format f, bool status_line, bool color,
	      size_t *len)
{
	struct report_options o;

	memset(&o, 0, sizeof(o));
	o.format = f;
	o.status_line = status_line;
	o.color = color;
	return render_stream_with(&o, 1, len);
}

/* No byte below 0x20 but '\n' (and '\t' if tab_ok), no DEL, valid UTF-8. */
static void
assert_clean(const char *s, size_t len, int tab_ok)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		ck_assert_msg(c >= 0x20 || c == '\n' || (tab_ok && c == '\t'),
			      "raw byte 0x%02x at %zu", c, i);
		ck_assert_msg(c != 0x7f, "raw DEL at %zu", i);
	}
	ck_assert_msg(utf8_valid(s, len), "invalid UTF-8");
	ck_assert_msg(len > 0 && s[len - 1] == '\n', "no final newline");
}

/* Occurrences of needle in s[0..len), which may hold NULs. */
static size_t
count_n(const char *s, size_t len, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	const char *end = s + len, *p;

	while ((p = memmem(s, (size_t)(end - s), needle, k)) != NULL) {
		n++;
		s = p + k;
	}
	return n;
}

static size_t
count(const char *s, const char *needle)
{
	return count_n(s, strlen(s), needle);
}

/* Where needle is in s[0..len), or NULL. */
static const char *
find(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

/* The n-th line (from 0) of s, in a static buffer. */
static const char *
line_at(const char *s, size_t n)
{
	static char line[4096];
	const char *end;

	while (n-- > 0) {
		s = strchr(s, '\n');
		ck_assert_ptr_nonnull(s);
		s++;
	}
	end = strchr(s, '\n');
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_lt((size_t)(end - s), sizeof(line));
	memcpy(line, s, (size_t)(end - s));
	line[end - s] = '\0';
	return line;
}

/* --- JSON ---------------------------------------------------------------- */

START_TEST(test_json_lines)
{
	size_t len, i;
	char *s = render(REPORT_JSON, &len);

	assert_clean(s, len, 0);
	ck_assert_uint_eq(count(s, "\n"), NH + 1);
	for (i = 0; i < NH; i++) {
		const char *l = line_at(s, i);

		ck_assert_msg(strncmp(l, "{\"type\":\"hook\",", 15) == 0, "%s", l);
		ck_assert_msg(l[strlen(l) - 1] == '}', "%s", l);
	}
	ck_assert(strncmp(line_at(s, NH), "{\"type\":\"summary\"", 17) == 0);
	/* report order, not config order */
	ck_assert(strstr(line_at(s, 0), "\"name\":\"lead\"") != NULL);
	ck_assert(strstr(s, "\"name\":\"a#b\"") != NULL);
	ck_assert(strstr(s, "\xEF\xBF\xBD\xEF\xBF\xBD bad utf8, NUL \\u0000, "
			    "ESC \\u001b[31m, ]]> </system-out> \\n# SKIP\\n") != NULL);
	ck_assert(strstr(s, "\"passed\":1,\"failed\":3,\"timeout\":1,"
			    "\"error\":1,\"skipped\":2") != NULL);
	/* every hook says how many files the cache passed: none here */
	ck_assert_uint_eq(count(s, ",\"cached\":0,\"modified\":["), NH);
	free(s);
}
END_TEST

/* --- JUnit --------------------------------------------------------------- */

START_TEST(test_junit_document)
{
	size_t len;
	char *s = render(REPORT_JUNIT, &len);

	assert_clean(s, len, 1);        /* the lead hook printed a tab */
	ck_assert(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	ck_assert(strstr(s, "<testsuites name=\"hookwave\" tests=\"8\" "
			    "failures=\"4\" errors=\"1\" skipped=\"2\" "
			    "time=\"1.500\">") != NULL);
	ck_assert(strstr(s, "<testsuite name=\"fast\" tests=\"4\" failures=\"2\" "
			    "errors=\"0\" skipped=\"1\" time=\"0.650\">") != NULL);
	ck_assert(strstr(s, "<testsuite name=\"comprehensive\" tests=\"4\" "
			    "failures=\"2\" errors=\"1\" skipped=\"1\" "
			    "time=\"1.000\">") != NULL);
	ck_assert_uint_eq(count(s, "<testsuite "), 2);
	ck_assert_uint_eq(count(s, "</testsuite>"), 2);
	ck_assert_uint_eq(count(s, "<testcase "), NH);
	ck_assert_uint_eq(count(s, "</testcase>"), NH);
	ck_assert(strstr(s, "<testcase classname=\"fast\" name=\"ok\" "
			    "time=\"0.250\">\n      <system-out>fine\n"
			    "</system-out>") != NULL);
	ck_assert(strstr(s, "name=\"a#b\"") != NULL);
	ck_assert(strstr(s, "<failure type=\"failed\" message=\"exit code 1\">"
			    "\xEF\xBF\xBD\xEF\xBF\xBD bad utf8, NUL \xEF\xBF\xBD, "
			    "ESC \xEF\xBF\xBD[31m, ]]&gt; &lt;/system-out&gt; \n") != NULL);
	ck_assert(strstr(s, "<failure type=\"timeout\" message=\"timed out "
			    "after 1s\">tick\n</failure>") != NULL);
	ck_assert(strstr(s, "<error type=\"error\" message=\"command not found\">"
			    "sh: nope: not found\n</error>") != NULL);
	ck_assert(strstr(s, "<skipped message=\"dependency hostile failed\"/>") != NULL);
	ck_assert(strstr(s, "<skipped message=\"disabled\"/>") != NULL);
	ck_assert(strstr(s, "&quot;q&quot;") != NULL);
	/* nothing of the output is markup */
	ck_assert_ptr_null(strstr(s, "]]>"));
	ck_assert_uint_eq(count(s, "</system-out>"), count(s, "<system-out>"));
	ck_assert(strstr(s, "</testsuites>\n") == s + len - 14);
	free(s);
}
END_TEST

/* --- TAP ----------------------------------------------------------------- */

START_TEST(test_tap_stream)
{
	size_t len, i, nl;
	char *s = render(REPORT_TAP, &len);
	const char *want[] = {
		"TAP version 13",
		"not ok 1 - comprehensive/lead",
	};
	const char *p;

	assert_clean(s, len, 0);
	for (i = 0; i < 2; i++)
		ck_assert_str_eq(line_at(s, i), want[i]);
	ck_assert(strstr(s, "\n  ...\nok 2 - comprehensive/off # SKIP disabled\n")
		  != NULL);
	ck_assert(strstr(s, "\nnot ok 3 - comprehensive/missing\n  ---\n"
			    "  status: error\n  exit_code: 127\n  signal: ~\n"
			    "  duration: 0.010\n  reason: \"command not found\"\n"
			    "  output: |\n    sh: nope: not found\n  ...\n") != NULL);
	ck_assert(strstr(s, "\nnot ok 4 - comprehensive/slow # timeout\n  ---\n"
			    "  status: timeout\n") != NULL);
	ck_assert(strstr(s, "\nok 5 - fast/dep # SKIP dependency hostile failed\n")
		  != NULL);
	ck_assert(strstr(s, "\nnot ok 6 - fast/a\\#b\n") != NULL);
	ck_assert(strstr(s, "\nnot ok 7 - fast/hostile\n  ---\n  status: failed\n"
			    "  exit_code: 1\n") != NULL);
	/* it ends in a blank line, which "|" would lose: a quoted scalar */
	ck_assert(strstr(s, "  output: \""
			    "\xEF\xBF\xBD\xEF\xBF\xBD bad utf8, NUL \xEF\xBF\xBD, "
			    "ESC \xEF\xBF\xBD[31m, ]]> </system-out> \\n"
			    "# SKIP\\n---\\nnot ok 1\\n...\\n"
			    "  Bail out!\\n\\n\"\n  ...\n") != NULL);
	ck_assert(strstr(s, "\nok 8 - fast/ok\n") != NULL);
	/* leading blanks cannot start a literal block: a quoted scalar */
	ck_assert(strstr(s, "  output: \"  leading\\n\\tsecond \\\"q\\\" \\\\\\n\"\n")
		  != NULL);
	/* The plan comes last; every other line is a test line, a comment,
	   or indented (YAML). */
	nl = count(s, "\n");
	ck_assert_str_eq(line_at(s, nl - 1), "1..8");
	for (i = 1; i + 1 < nl; i++) {
		p = line_at(s, i);
		ck_assert_msg(strncmp(p, "ok ", 3) == 0 ||
			      strncmp(p, "not ok ", 7) == 0 ||
			      strncmp(p, "# hookwave: ", 12) == 0 ||
			      strncmp(p, "  ", 2) == 0, "line %zu: %s", i, p);
	}
	free(s);
}
END_TEST

/* The stream (hooks as they finish) equals the file for every format. */
START_TEST(test_stream_equals_file)
{
	static const enum report_format f[] = {
		REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_JUNIT
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		size_t a, b;
		char *file = render(f[i], &a);
		char *stream = render_stream(f[i], false, false, &b);

		ck_assert_uint_eq(a, b);
		ck_assert_msg(memcmp(file, stream, a) == 0, "format %d", (int)f[i]);
		free(file);
		free(stream);
	}
}
END_TEST

/* --- -q ------------------------------------------------------------------ */

/* -q and a run that fails: only the hooks that fail it, in every format,
   numbered and counted among themselves, then the end. */
START_TEST(test_quiet_fails)
{
	struct report_options o;
	size_t len, i;
	char *s;

	memset(&o, 0, sizeof(o));
	o.quiet = true;

	o.format = REPORT_TEXT;
	s = render_stream_with(&o, 1, &len);
	ck_assert_uint_eq(count_n(s, len, "\npassed "), 0);
	ck_assert(strncmp(s, "passed ", 7) != 0);
	ck_assert_ptr_null(find(s, len, "comprehensive/off"));
	ck_assert(strncmp(line_at(s, 0), "failed   comprehensive/lead", 27) == 0);
	ck_assert_ptr_nonnull(find(s, len, "\nskipped  fast/dep "));
	ck_assert_ptr_nonnull(find(s, len, "\nhookwave: 1 passed, 3 failed, "
				   "1 timeout, 1 error, 2 skipped in 1.50s"));
	free(s);

	o.format = REPORT_JSON;
	s = render_stream_with(&o, 1, &len);
	ck_assert_uint_eq(count(s, "\n"), 7);
	for (i = 0; i < 6; i++)
		ck_assert(strstr(line_at(s, i), "\"status\":\"passed\"") == NULL);
	ck_assert_ptr_null(strstr(s, "\"name\":\"off\""));
	ck_assert(strncmp(line_at(s, 6), "{\"type\":\"summary\",\"passed\":1,"
			  "\"failed\":3,", 32) == 0);
	free(s);

	o.format = REPORT_TAP;
	s = render_stream_with(&o, 1, &len);
	ck_assert_str_eq(line_at(s, 0), "TAP version 13");
	ck_assert_str_eq(line_at(s, 1), "not ok 1 - comprehensive/lead");
	ck_assert(strstr(s, "\nnot ok 2 - comprehensive/missing\n") != NULL);
	ck_assert(strstr(s, "\nnot ok 3 - comprehensive/slow # timeout\n") != NULL);
	ck_assert(strstr(s, "\nok 4 - fast/dep # SKIP dependency hostile failed\n")
		  != NULL);
	ck_assert(strstr(s, "\nnot ok 6 - fast/hostile\n") != NULL);
	ck_assert_ptr_null(strstr(s, "fast/ok"));
	ck_assert_ptr_null(strstr(s, "comprehensive/off"));
	ck_assert(strstr(s, "\n1..6\n") == s + len - 6);
	free(s);

	o.format = REPORT_JUNIT;
	s = render_stream_with(&o, 1, &len);
	ck_assert(strstr(s, "<testsuites name=\"hookwave\" tests=\"6\" "
			    "failures=\"4\" errors=\"1\" skipped=\"1\"") != NULL);
	ck_assert(strstr(s, "<testsuite name=\"fast\" tests=\"3\" failures=\"2\" "
			    "errors=\"0\" skipped=\"1\"") != NULL);
	ck_assert(strstr(s, "<testsuite name=\"comprehensive\" tests=\"3\" "
			    "failures=\"2\" errors=\"1\" skipped=\"0\"") != NULL);
	ck_assert_uint_eq(count(s, "<testcase "), 6);
	ck_assert_ptr_null(strstr(s, "name=\"ok\""));
	ck_assert_ptr_null(strstr(s, "name=\"off\""));
	free(s);
}
END_TEST

/* -q and a run that passes: nothing at all, in any format; a strategy
   with nothing to show has no JUnit suite; report files have it all. */
START_TEST(test_quiet_passes)
{
	static const enum report_format f[] = {
		REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_JUNIT
	};
	struct report_options o;
	size_t i, len;
	char *s;

	for (i = 0; i < NH; i++)
		if (i != H_OFF) {
			res[i].status = HOOK_PASSED;
			res[i].skip = SKIP_NONE;
		}
	memset(&o, 0, sizeof(o));
	o.quiet = true;
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		o.format = f[i];
		s = render_stream_with(&o, 0, &len);
		ck_assert_msg(len == 0, "format %d: %s", (int)f[i], s);
		free(s);
		/* an interrupted run (no hook failed, exit 130): only the end */
		s = render_stream_with(&o, 130, &len);
		ck_assert_msg(len > 0, "format %d", (int)f[i]);
		if (f[i] == REPORT_TAP)
			ck_assert(strncmp(s, "TAP version 13\n# hookwave: 7 passed",
					  35) == 0);
		if (f[i] == REPORT_JUNIT) {
			ck_assert_uint_eq(count(s, "<testsuite "), 0);
			ck_assert(strstr(s, "tests=\"0\"") != NULL);
		}
		free(s);
		s = render(f[i], &len);
		ck_assert(strstr(s, "ok") != NULL);
		free(s);
	}
	s = render(REPORT_JSON, &len);
	ck_assert_uint_eq(count(s, "\n"), NH + 1);
	free(s);
}
END_TEST

/* --- TAP YAML: the output reads back exactly ------------------------------ */

/* The YAML "output" of the lead hook (first in report order) when it
   printed out[0..n): from "output: " up to the block's end. */
static char *
tap_output_of(const char *out, size_t n)
{
	size_t len;
	char *s, *from, *to, *r;

	free(res[H_LEAD].output);
	set_output(&res[H_LEAD], out, n);
	s = render(REPORT_TAP, &len);
	from = strstr(s, "  output: ");
	ck_assert_ptr_nonnull(from);
	to = strstr(from, "\n  ...\n");
	ck_assert_ptr_nonnull(to);
	r = xstrndup(from, (size_t)(to + 1 - from));
	free(s);
	return r;
}

START_TEST(test_tap_yaml_exact)
{
	static const struct {
		const char *out, *yaml;
	} cases[] = {
		/* what "|" carries exactly */
		{ "x\n", "  output: |\n    x\n" },
		{ "a\n\nb\n", "  output: |\n    a\n    \n    b\n" },
		{ "\n\nx\n", "  output: |\n    \n    \n    x\n" },
		{ "a\n   \n", "  output: |\n    a\n       \n" },
		/* what it cannot: blank lines only, trailing blank lines, no
		   final newline, a tab starting a line */
		{ "\n", "  output: \"\\n\"\n" },
		{ "\n\n\n", "  output: \"\\n\\n\\n\"\n" },
		{ "a\n\n", "  output: \"a\\n\\n\"\n" },
		{ "no newline", "  output: \"no newline\"\n" },
		{ "a\nb", "  output: \"a\\nb\"\n" },
		{ "a\n\tb\n", "  output: \"a\\n\\tb\\n\"\n" },
		{ " lead\n", "  output: \" lead\\n\"\n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = tap_output_of(cases[i].out, strlen(cases[i].out));

		ck_assert_msg(strcmp(got, cases[i].yaml) == 0,
			      "case %zu: got [%s]", i, got);
		free(got);
	}
}
END_TEST

/* --- the result cache ---------------------------------------------------- */

/*
 * "ok" passed from the cache (never started), "hostile" ran 3 files and
 * had 7 cached: every format says so its own way, the summary counts a
 * cached hook as passed, and the timeline draws nothing for it.
 */
START_TEST(test_cached)
{
	static const enum report_format f[] = {
		REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_JUNIT
	};
	char *path = xasprintf("%s/trace.json", tmpdir);
	char *want;
	struct err e;
	size_t len, i;
	char *s;

	free(res[H_OK].spans);
	res[H_OK].spans = NULL;
	res[H_OK].nspans = 0;
	hook_result_set_cached(&res[H_OK], 3088);
	res[H_HOSTILE].cached = 7;

	s = render(REPORT_JSON, &len);
	assert_clean(s, len, 0);
	ck_assert(strstr(s, "{\"type\":\"hook\",\"name\":\"ok\","
			    "\"strategy\":\"fast\",\"wave\":1,"
			    "\"status\":\"passed\",\"reason\":\"cached\","
			    "\"exit_code\":null,\"signal\":null,\"start\":null,"
			    "\"duration\":null,\"batches\":0,\"files\":0,"
			    "\"cached\":3088,\"modified\":[],"
			    "\"findings\":[],\"absent\":[],\"output\":\"\","
			    "\"output_truncated\":false}\n") != NULL);
	ck_assert(strstr(s, "\"status\":\"failed\",\"reason\":null,"
			    "\"exit_code\":1,") != NULL);
	ck_assert(strstr(s, "\"batches\":3,\"files\":3,\"cached\":7,") != NULL);
	ck_assert(strstr(s, "\"passed\":1,\"failed\":3,\"timeout\":1,"
			    "\"error\":1,\"skipped\":2") != NULL);
	free(s);

	s = render(REPORT_TEXT, &len);
	/* like any pass with a reason, no duration: it never started */
	want = xasprintf("\npassed   %-*s  %7s  cached\n",
			 (int)strlen("comprehensive/missing"), "fast/ok", "-");
	ck_assert_msg(find(s, len, want) != NULL, "no [%s]", want);
	free(want);
	ck_assert_ptr_null(find(s, len, "3088"));  /* no file counts in text */
	ck_assert(find(s, len, "hookwave: 1 passed, 3 failed, 1 timeout, "
		       "1 error, 2 skipped in ") != NULL);
	free(s);

	s = render(REPORT_TAP, &len);
	ck_assert(strstr(s, "\nok 8 - fast/ok # cached\n") != NULL);
	ck_assert(strstr(s, "\nnot ok 7 - fast/hostile\n") != NULL);
	free(s);

	s = render(REPORT_JUNIT, &len);
	assert_clean(s, len, 1);
	ck_assert(strstr(s, "<testcase classname=\"fast\" name=\"ok\" "
			    "time=\"0.000\">\n      <properties>\n"
			    "        <property name=\"reason\" value=\"cached\"/>\n"
			    "        <property name=\"cached\" value=\"3088\"/>\n"
			    "      </properties>\n    </testcase>\n") != NULL);
	/* a failure keeps its shape: no properties */
	ck_assert_uint_eq(count(s, "<properties>"), 1);
	ck_assert(strstr(s, "<testsuites name=\"hookwave\" tests=\"8\" "
			    "failures=\"4\" errors=\"1\" skipped=\"2\"") != NULL);
	free(s);

	/* the stream says the same as the file */
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		size_t a, b;
		char *file = render(f[i], &a);
		char *stream = render_stream(f[i], false, false, &b);

		ck_assert_uint_eq(a, b);
		ck_assert_msg(memcmp(file, stream, a) == 0, "format %d", (int)f[i]);
		free(file);
		free(stream);
	}

	/* never started: nothing on the timeline, and no crash */
	ck_assert_int_eq(report_write_timeline(path, &plan, res, 4, &e), 0);
	s = slurp(path, &len);
	ck_assert_ptr_null(strstr(s, "\"hook\":\"ok\""));
	ck_assert_uint_eq(count(s, "\"ph\":\"X\""), 7);
	free(s);
	free(path);
}
END_TEST

/* --- timeline ------------------------------------------------------------ */

/* Findings in each format: every field in JSON, against a baseline
   with the absent ones; counts in text, TAP and JUnit. */
START_TEST(test_findings)
{
	struct finding *x;
	size_t len;
	char *s;

	/* hostile: a new finding, a known one, and one gone. */
	x = findings_add(&res[H_HOSTILE].findings, "src/a \"b\".c", 3, 5,
			 FINDING_WARNING, "SC2086", "quote \"it\"\n\x01 \xff");
	x->fingerprint = xstrdup("0123456789abcdef0123456789abcdef"
				 "0123456789abcdef0123456789abcdef");
	x->state = FINDING_NEW;
	x = findings_add(&res[H_HOSTILE].findings, "b.c", 0, 0, FINDING_NOTE,
			 NULL, "");
	x->state = FINDING_UNCHANGED;
	x = findings_add(&res[H_HOSTILE].absent, "gone.c", 9, 0, FINDING_ERROR,
			 "R", "was here");
	x->state = FINDING_ABSENT;
	/* lead: two findings, no baseline. */
	findings_add(&res[H_LEAD].findings, "l.c", 1, 1, FINDING_ERROR, "E1", "m");
	findings_add(&res[H_LEAD].findings, "l.c", 2, 1, FINDING_ERROR, "E1", "m");

	s = render(REPORT_JSON, &len);
	assert_clean(s, len, 0);
	ck_assert_msg(strstr(s, "\"modified\":[],\"findings\":["
			"{\"file\":\"src/a \\\"b\\\".c\",\"line\":3,\"col\":5,"
			"\"level\":\"warning\",\"rule\":\"SC2086\","
			"\"message\":\"quote \\\"it\\\"\\n\\u0001 \xef\xbf\xbd\","
			"\"fingerprint\":\"0123456789abcdef0123456789abcdef"
			"0123456789abcdef0123456789abcdef\",\"baseline\":\"new\"},"
			"{\"file\":\"b.c\",\"line\":null,\"col\":null,"
			"\"level\":\"note\",\"rule\":null,\"message\":\"\","
			"\"fingerprint\":null,\"baseline\":\"unchanged\"}],"
			"\"absent\":[{\"file\":\"gone.c\",\"line\":9,\"col\":null,"
			"\"level\":\"error\",\"rule\":\"R\",\"message\":\"was here\","
			"\"fingerprint\":null,\"baseline\":\"absent\"}],") != NULL,
		      "%s", s);
	ck_assert(strstr(s, "\"findings\":4,\"exit_code\":1}\n") != NULL);
	free(s);

	s = render(REPORT_TEXT, &len);
	ck_assert_msg(strstr(s, "  exit 1  1 new, 1 known\n") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "comprehensive/lead") != NULL &&
		      strstr(s, "  exit 1  2 findings\n") != NULL, "%s", s);
	free(s);

	s = render(REPORT_TAP, &len);
	ck_assert_msg(strstr(s, "  findings: 2\n  findings_new: 1\n"
			     "  findings_known: 1\n") != NULL, "%s", s);
	ck_assert(strstr(s, "  findings: 2\n  output: ") != NULL);
	free(s);

	s = render(REPORT_JUNIT, &len);
	ck_assert_msg(strstr(s, "<property name=\"findings\" value=\"2\"/>\n"
			     "        <property name=\"findings_new\" value=\"1\"/>\n"
			     "        <property name=\"findings_known\" value=\"1\"/>\n")
		      != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(test_timeline)
{
	char *path = xasprintf("%s/trace.json", tmpdir);
	struct err e;
	size_t len, i, spans = 0;
	char *s;

	ck_assert_int_eq(report_write_timeline(path, &plan, res, 4, &e), 0);
	ck_assert_uint_eq(dir_entries(), 1);
	s = slurp(path, &len);
	assert_clean(s, len, 0);
	for (i = 0; i < NH; i++)
		spans += res[i].nspans;
	ck_assert_uint_eq(spans, 8);
	ck_assert(strncmp(s, "{\"traceEvents\":[\n", 17) == 0);
	ck_assert(strstr(s, "\n],\"displayTimeUnit\":\"ms\"}\n") == s + len - 27);
	ck_assert_uint_eq(count(s, "\"ph\":\"X\""), spans);
	ck_assert_uint_eq(count(s, "\"name\":\"thread_name\""), 4);
	ck_assert(strstr(s, "\"args\":{\"name\":\"worker 4\"}") != NULL);
	ck_assert(strstr(s, "{\"name\":\"fast/ok\",\"cat\":\"fast\",\"ph\":\"X\","
			    "\"pid\":1,\"tid\":1,\"ts\":500000,\"dur\":250000,"
			    "\"args\":{\"strategy\":\"fast\",\"hook\":\"ok\","
			    "\"wave\":1,\"batch\":1,\"batches\":1,"
			    "\"status\":\"passed\"}}") != NULL);
	ck_assert(strstr(s, "\"name\":\"fast/a#b\"") != NULL);
	ck_assert(strstr(s, "\"tid\":4,\"ts\":102000,\"dur\":198000,"
			    "\"args\":{\"strategy\":\"fast\",\"hook\":\"hostile\","
			    "\"wave\":1,\"batch\":3,") != NULL);
	ck_assert(strstr(s, "\"hook\":\"dep\"") == NULL);
	free(s);
	/* A slot past nslots still gets its track. */
	ck_assert_int_eq(report_write_timeline(path, &plan, res, 1, &e), 0);
	s = slurp(path, &len);
	ck_assert_uint_eq(count(s, "\"name\":\"thread_name\""), 4);
	free(s);
	free(path);
}
END_TEST

/* --- atomic files -------------------------------------------------------- */

START_TEST(test_file_errors)
{
	char *path = xasprintf("%s/no/such/dir/r.json", tmpdir);
	struct err e;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(report_write_file(path, REPORT_JSON, &plan, res, order,
					   1.0, 1, &e), -1);
	ck_assert(strstr(e.msg, "cannot write") != NULL);
	ck_assert_int_eq(report_write_timeline(path, &plan, res, 2, &e), -1);
	ck_assert_uint_eq(dir_entries(), 0);
	free(path);
}
END_TEST

/* A stream on /dev/full or a closed pipe remembers its error. */
START_TEST(test_stream_errors)
{
	struct report_options o;
	struct report *r;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC), p[2];

	ck_assert_int_ge(fd, 0);
	memset(&o, 0, sizeof(o));
	o.fd = fd;
	o.format = REPORT_JSON;
	r = report_new(&plan, &o);
	report_hook(r, 0, &res[0]);
	report_hook(r, 1, &res[1]);
	report_finish(r, res, 1.0, 1);
	ck_assert_int_eq(report_error(r), ENOSPC);
	report_free(r);
	close(fd);

	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	o.fd = p[1];
	o.format = REPORT_TAP;
	r = report_new(&plan, &o);
	ck_assert_int_eq(report_error(r), EPIPE);
	report_free(r);
	close(p[1]);
}
END_TEST

static int write_error_seen;

static void
note_write_error(int error)
{
	write_error_seen = error;
}

/* A pipe nobody reads and a second signal: the stream stops (ECANCELED,
   told once), and writes nothing more. */
START_TEST(test_stream_killed)
{
	struct report_options o;
	struct report *r;
	static char big[256 * 1024];
	int p[2], k[2];

	memset(big, 'x', sizeof(big));
	free(res[H_LEAD].output);
	set_output(&res[H_LEAD], big, sizeof(big));
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(k), 0);
	ck_assert_int_eq(write(k[1], "x", 1), 1);
	memset(&o, 0, sizeof(o));
	o.fd = p[1];
	o.format = REPORT_TEXT;
	o.kill_fd = k[0];
	o.on_write_error = note_write_error;
	write_error_seen = 0;
	r = report_new(&plan, &o);
	report_hook(r, H_LEAD, &res[H_LEAD]);   /* 256 KiB into 64 KiB */
	ck_assert_int_eq(report_error(r), ECANCELED);
	ck_assert_int_eq(write_error_seen, ECANCELED);
	report_hook(r, H_OK, &res[H_OK]);
	report_finish(r, res, 1.0, 130);
	ck_assert_int_eq(report_error(r), ECANCELED);
	report_free(r);
	close(p[0]);
	close(p[1]);
	close(k[0]);
	close(k[1]);
}
END_TEST

struct drain {
	int fd;
	struct buf got;
};

static void *
drain_slowly(void *arg)
{
	struct drain *d = arg;
	char b[512];
	ssize_t n;

	while ((n = read(d->fd, b, sizeof(b))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(&d->got, b, (size_t)n);
		sched_yield();
	}
	return NULL;
}

/* A stdout the parent made non-blocking, read slowly: nothing lost. */
START_TEST(test_stream_nonblocking)
{
	struct report_options o;
	struct report *r;
	struct drain d = { -1, { NULL, 0, 0 } };
	static char big[300 * 1024];
	pthread_t th;
	size_t i, len;
	char *want;
	int p[2];

	memset(big, 'y', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	free(res[H_HOSTILE].output);
	set_output(&res[H_HOSTILE], big, sizeof(big));
	want = render(REPORT_JSON, &len);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	d.fd = p[0];
	ck_assert_int_eq(pthread_create(&th, NULL, drain_slowly, &d), 0);
	memset(&o, 0, sizeof(o));
	o.fd = p[1];
	o.format = REPORT_JSON;
	r = report_new(&plan, &o);
	for (i = 0; i < NH; i++)
		report_hook(r, order[i], &res[order[i]]);
	report_finish(r, res, 1.5, 1);
	ck_assert_int_eq(report_error(r), 0);
	report_free(r);
	close(p[1]);
	pthread_join(th, NULL);
	close(p[0]);
	ck_assert_uint_eq(d.got.len, len);
	ck_assert(memcmp(d.got.p, want, len) == 0);
	buf_release(&d.got);
	free(want);
}
END_TEST

/* report_save: the stream's order and ways out; a FIFO with no reader
   after an interrupt is REPORT_INTERRUPTED, not a failure; a 0600 file
   stays 0600. */
START_TEST(test_save)
{
	char *fifo = xasprintf("%s/fifo", tmpdir), *path = xasprintf("%s/r.json", tmpdir);
	char *want, *got;
	struct report_options o;
	struct report *r;
	struct stat st;
	struct err e;
	size_t i, len, glen;
	int c[2], fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	want = render(REPORT_JSON, &len);
	ck_assert_int_eq(pipe(c), 0);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	memset(&o, 0, sizeof(o));
	o.fd = fd;
	o.format = REPORT_TEXT;
	o.quiet = true;         /* files show every hook anyway */
	o.cancel_fd = c[0];
	r = report_new(&plan, &o);
	for (i = 0; i < NH; i++)
		report_hook(r, order[i], &res[order[i]]);
	report_finish(r, res, 1.5, 1);

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(report_save(r, path, REPORT_JSON, res, 1.5, 1, &e), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	got = slurp(path, &glen);
	ck_assert_uint_eq(glen, len);
	ck_assert(memcmp(got, want, len) == 0);
	free(got);
	free(want);
	ck_assert_int_eq(report_save_timeline(r, path, res, 4, &e), 0);

	ck_assert_int_eq(write(c[1], "x", 1), 1);       /* interrupted */
	ck_assert_int_eq(report_save(r, fifo, REPORT_JSON, res, 1.5, 130, &e),
			 REPORT_INTERRUPTED);
	ck_assert_str_eq(e.msg, "interrupted");
	ck_assert_int_eq(report_save_timeline(r, fifo, res, 4, &e),
			 REPORT_INTERRUPTED);
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_uint_eq(dir_entries(), 2);            /* nothing temporary */
	report_free(r);
	close(o.fd);
	close(c[0]);
	close(c[1]);
	free(fifo);
	free(path);
}
END_TEST

/* --- status line --------------------------------------------------------- */

START_TEST(test_status_line)
{
	char *path = xasprintf("%s/status", tmpdir);
	struct report_options o;
	struct report *r;
	const char *want;
	size_t len;
	char *s;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	memset(&o, 0, sizeof(o));
	o.fd = fd;
	o.format = REPORT_TEXT;
	o.status_line = true;
	r = report_new(&plan, &o);
	report_started(r, H_OK);
	report_started(r, H_HOSTILE);
	report_started(r, H_HOSTILE);           /* a second batch: no change */
	report_hook(r, H_OK, &res[H_OK]);       /* passed: prints a line */
	report_started(r, H_SLOW);
	report_hook(r, H_HOSTILE, &res[H_HOSTILE]);
	report_hook(r, H_SLOW, &res[H_SLOW]);
	report_finish(r, res, 1.5, 1);
	report_free(r);
	close(fd);
	s = slurp(path, &len);
	want = "\r[0/8] running: fast/ok\033[K"
	       "\r[0/8] running: fast/ok, fast/hostile\033[K"
	       "\r\033[Kpassed   fast/ok ";
	ck_assert_msg(strncmp(s, want, strlen(want)) == 0, "got: %s", s);
	ck_assert(find(s, len, "0.25s\n\r[1/8] running: fast/hostile\033[K"
		       "\r[1/8] running: fast/hostile, comprehensive/slow\033[K"
		       "\r\033[Kfailed   fast/hostile") != NULL);
	ck_assert(find(s, len, "\r[2/8] running: comprehensive/slow\033[K"
		       "\r\033[Ktimeout  comprehensive/slow") != NULL);
	/* nothing runs: no line to draw, and the summary comes clean */
	ck_assert(find(s, len, "timed out after 1s\ntick\nhookwave: ") != NULL);
	ck_assert_uint_eq(count_n(s, len, "\r"), 8);
	free(s);

	/* Without the flag (a pipe), not one \r or ESC. */
	s = render_stream(REPORT_TEXT, false, false, &len);
	ck_assert_uint_eq(count_n(s, len, "\r"), 0);
	ck_assert_uint_eq(count_n(s, len, "\033"), 1);   /* the hook's own */
	free(s);
	/* Never in a format other than text. */
	s = render_stream(REPORT_JSON, true, false, &len);
	ck_assert_uint_eq(count_n(s, len, "\r"), 0);
	free(s);
	free(path);
}
END_TEST

/* Many running hooks: as many names as fit, then "(+N)"; never wider
   than the terminal (79 columns when fd is not one). */
START_TEST(test_status_line_width)
{
	static char big[4096];
	struct conf c;
	struct plan p;
	struct plan_options po = PLAN_OPTIONS_INIT;
	struct report_options o;
	struct report *r;
	struct err e;
	size_t i, n = 0, len;
	char *path = xasprintf("%s/status", tmpdir), *s, *line, *end;
	int fd;

	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "[hook h%02zu]\ncommand = true\n", i);
	conf_init(&c);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(conf_parse(&c, "w.ini", big, n, &e), 0);
	ck_assert_int_eq(plan_build(&p, &c, &po, &e), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(&o, 0, sizeof(o));
	o.fd = fd;
	o.format = REPORT_TEXT;
	o.status_line = true;
	o.color = true;
	r = report_new(&p, &o);
	for (i = 0; i < 40; i++)
		report_started(r, i);
	report_free(r);
	close(fd);
	s = slurp(path, &len);
	line = strrchr(s, '\r');
	ck_assert_ptr_nonnull(line);
	end = strstr(line, "\033[K");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	/* 16 + 11 + 3 * 13 = 66 columns; a fifth name and " (+35)" would
	   make 85 */
	ck_assert_str_eq(line, "\r\033[1m[0/40]\033[0m running: default/h00, "
			 "default/h01, default/h02, default/h03 (+36)");
	ck_assert_uint_le(strlen(line) - 1 - strlen("\033[1m\033[0m"), 79);
	free(s);
	free(path);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* --- log ----------------------------------------------------------------- */

/* Send fd 2 to a fresh file in tmpdir; returns its path. */
static char *
capture_stderr(void)
{
	char *path = xasprintf("%s/stderr", tmpdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		      0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	close(fd);
	return path;
}

START_TEST(test_log_format)
{
	char *path, *s;
	size_t len;

	ck_assert(!log_enabled(LOG_LEVEL_ERROR));       /* off by default */
	path = capture_stderr();
	log_event(LOG_LEVEL_ERROR, "not written", NULL);
	log_init(LOG_LEVEL_INFO);
	ck_assert(log_enabled(LOG_LEVEL_ERROR));
	ck_assert(log_enabled(LOG_LEVEL_INFO));
	ck_assert(!log_enabled(LOG_LEVEL_DEBUG));
	ck_assert(!log_enabled(LOG_LEVEL_OFF));
	log_event(LOG_LEVEL_INFO, "wave start", "strategy", "fast", "wave",
		  "1/2", "hooks", "a,b", NULL);
	log_event(LOG_LEVEL_DEBUG, "not written either", NULL);
	log_event(LOG_LEVEL_WARN, "quoting", "space", "a b", "quote", "x\"y",
		  "eq", "a=b", "bs", "c:\\d", "empty", "", "null", NULL,
		  "ctl", "\001\033\n\t", "bad", "\xff", "utf8", "h\xC3\xA9", "c1",
		  "\xC2\x85", "bad key!", "v", NULL);
	s = slurp(path, &len);
	ck_assert_uint_eq(count(s, "\n"), 2);
	ck_assert_msg(strncmp(s, "ts=0.0", 6) == 0, "%s", s);
	ck_assert_str_eq(strchr(line_at(s, 0), ' '),
			 " level=info msg=\"wave start\" strategy=fast wave=1/2 "
			 "hooks=a,b");
	ck_assert_str_eq(strchr(line_at(s, 1), ' '),
			 " level=warn msg=quoting space=\"a b\" quote=\"x\\\"y\" "
			 "eq=\"a=b\" bs=\"c:\\\\d\" empty=\"\" "
			 "ctl=\"\\x01\\x1b\\n\\t\" bad=\"\\xff\" utf8=h\xC3\xA9 "
			 "c1=\"\\xc2\\x85\" bad_key_=v");
	free(s);
	free(path);
}
END_TEST

static void *
log_thread(void *arg)
{
	int i;

	for (i = 0; i < 500; i++)
		log_event(LOG_LEVEL_INFO, "hook done", "strategy", "fast",
			  "hook", (const char *)arg, "status", "passed",
			  "padding", "................................................"
			  "................................................", NULL);
	return NULL;
}

/* Lines from many threads never mix. */
START_TEST(test_log_threads)
{
	static const char *const names[] = { "t0", "t1", "t2", "t3", "t4",
					     "t5", "t6", "t7" };
	pthread_t th[8];
	char *path, *s, *l;
	size_t i, len, lines = 0;

	path = capture_stderr();
	log_init(LOG_LEVEL_DEBUG);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, log_thread,
						(void *)names[i]), 0);
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	s = slurp(path, &len);
	for (l = s; *l != '\0'; l = strchr(l, '\n') + 1) {
		char *end = strchr(l, '\n');

		ck_assert_ptr_nonnull(end);
		*end = '\0';
		ck_assert_msg(strncmp(l, "ts=", 3) == 0, "%s", l);
		ck_assert_msg(strstr(l, " level=info msg=\"hook done\" "
				     "strategy=fast hook=t") != NULL, "%s", l);
		ck_assert_msg(strstr(l, " status=passed padding=....") != NULL,
			      "%s", l);
		*end = '\n';
		lines++;
	}
	ck_assert_uint_eq(lines, 8 * 500);
	free(s);
	free(path);
}
END_TEST

Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("writers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_junit_document);
	tcase_add_test(tc, test_tap_stream);
	tcase_add_test(tc, test_stream_equals_file);
	tcase_add_test(tc, test_quiet_fails);
	tcase_add_test(tc, test_quiet_passes);
	tcase_add_test(tc, test_tap_yaml_exact);
	tcase_add_test(tc, test_timeline);
	tcase_add_test(tc, test_cached);
	tcase_add_test(tc, test_findings);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_stream_errors);
	tcase_add_test(tc, test_stream_killed);
	tcase_add_test(tc, test_stream_nonblocking);
	tcase_add_test(tc, test_save);
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_status_line);
	tcase_add_test(tc, test_status_line_width);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_log_format);
	tcase_add_test(tc, test_log_threads);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
