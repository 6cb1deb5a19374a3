/*
 * check_report_sarif.c - unit tests for the sarif and github formats
 * (report_sarif.c, report_github.c): a small plan built from an INI
 * string, results made by hand with hostile findings (quotes, newlines,
 * "::", '%', control characters, invalid UTF-8, a path with spaces and
 * '%', an absolute path outside the root, no line, no column, no rule),
 * rendered through report_write_file() and the stream and checked
 * byte for byte; GitHub's limits on runs and results; a fresh token for
 * every block of output.
 *
 * With HOOKWAVE_SARIF_SAMPLES set to a directory, every SARIF document
 * made here is also written there, for tests/cli/sarif.sh to validate
 * against the OASIS schema.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "finding.h"
#include "plan.h"
#include "report.h"
#include "writer.h"
#include "result.h"
#include "util.h"

Suite *report_sarif_suite(void);

/* --- fixture ------------------------------------------------------------- */

/* Config order: fast (sc, py, plain, off), comprehensive (to, err, dep,
   cached). */
static const char ini[] =
	"[hook sc]\ncommand = shellcheck -f gcc\nstrategy = fast\n"
	"findings = gcc\n"
	"[hook py]\ncommand = LC_ALL=C env -u HOME -i /usr/bin/pyflakes\n"
	"strategy = fast\nfindings = gcc\n"
	"[hook plain]\ncommand = true\nstrategy = fast\n"
	"[hook off]\ncommand = true\nstrategy = fast\nenabled = no\n"
	"findings = gcc\n"
	"[hook to]\ncommand = sleep 9\nstrategy = comprehensive\ntimeout = 1\n"
	"[hook err]\ncommand = \"quoted\" x\nstrategy = comprehensive\n"
	"[hook dep]\ncommand = cd sub && make\nstrategy = comprehensive\n"
	"depends = err\n"
	"[hook cached]\ncommand = ./bin/lint.sh --all\n"
	"strategy = comprehensive\nfindings = gcc\n";

enum { H_SC, H_PY, H_PLAIN, H_OFF, H_TO, H_ERR, H_DEP, H_CACHED, NH };

static const char fp[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char msg1[] =
	"quote \" backslash \\ newline\nCR\r tab\t ::error::x %0A 100% "
	"ctl \001 esc \033[31m del \177 bad \377\376 end";
static const char sc_output[] =
	"a.sh:3:5: warning: ...\n::error::injected\n::stop-commands::guess\n"
	"::guess::\n::0123456789abcdef0123456789abcdef::\n::endgroup::";

static struct conf conf;
static struct plan plan;
static struct hook_result *res;
static size_t order[NH];
static char tmpdir[] = "/tmp/check_report_sarif.XXXXXX";

static void
set_output(struct hook_result *r, const char *s)
{
	free(r->output);
	r->output = xstrdup(s);
	r->output_len = strlen(s);
}

static void
build(const char *text, size_t nhooks)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;
	size_t i;

	conf_init(&conf);
	ck_assert_msg(conf_parse(&conf, "test.ini", text, strlen(text), &e) == 0,
		      "conf: %lu: %s", e.line, e.msg);
	memset(&plan, 0, sizeof(plan));
	ck_assert_msg(plan_build(&plan, &conf, &o, &e) == 0, "plan: %s", e.msg);
	ck_assert_uint_eq(plan.nhooks, nhooks);
	res = xcalloc(nhooks, sizeof(*res));
	for (i = 0; i < nhooks; i++) {
		res[i].exit_code = -1;
		res[i].start = res[i].duration = -1;
		set_output(&res[i], "");
	}
}

static void
setup(void)
{
	struct finding *f;
	size_t i;

	strcpy(tmpdir, "/tmp/check_report_sarif.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	signal(SIGPIPE, SIG_IGN);
	build(ini, NH);
	for (i = 0; i < NH; i++)
		order[i] = NH - 1 - i;          /* unlike config order */

	res[H_SC].status = HOOK_FAILED;
	res[H_SC].exit_code = 1;
	res[H_SC].batches = 1;
	res[H_SC].start = 0.1;
	res[H_SC].duration = 0.25;
	set_output(&res[H_SC], sc_output);
	f = findings_add(&res[H_SC].findings, "src/a b%.sh", 3, 5,
			 FINDING_WARNING, "SC2086", msg1);
	f->fingerprint = xstrdup(fp);
	f->state = FINDING_NEW;
	f = findings_add(&res[H_SC].findings, "/usr/include/std,io:h.h", 10, 0,
			 FINDING_ERROR, NULL, "no column, no rule");
	f->state = FINDING_UNCHANGED;
	findings_add(&res[H_SC].findings, "README", 0, 0, FINDING_NOTE,
		     "SC2086", "no line: key, value");
	findings_add(&res[H_SC].findings, "dir/\xc3\xa9.c", 7, 1,
		     FINDING_WARNING, "W\"1", "");

	res[H_PY].status = HOOK_PASSED;
	res[H_PY].batches = 1;
	res[H_PY].start = 0.0;
	res[H_PY].duration = 0.5;
	set_output(&res[H_PY], "all fine\n");

	res[H_PLAIN].status = HOOK_PASSED;
	res[H_PLAIN].batches = 1;
	res[H_PLAIN].start = 0.0;
	res[H_PLAIN].duration = 0.01;

	res[H_OFF].status = HOOK_SKIPPED;
	res[H_OFF].skip = SKIP_DISABLED;
	res[H_OFF].reason = xstrdup("disabled");

	res[H_TO].status = HOOK_TIMEOUT;
	res[H_TO].signal = 15;
	res[H_TO].batches = 1;
	res[H_TO].start = 0.0;
	res[H_TO].duration = 1.0;
	set_output(&res[H_TO], "tick");

	res[H_ERR].status = HOOK_ERROR;
	res[H_ERR].exit_code = 127;
	res[H_ERR].batches = 1;
	res[H_ERR].start = 0.0;
	res[H_ERR].duration = 0.01;
	res[H_ERR].reason = xstrdup("command not found: a:b, 100%\nnext");
	set_output(&res[H_ERR], "sh: quoted: not found\n");

	res[H_DEP].status = HOOK_SKIPPED;
	res[H_DEP].skip = SKIP_DEPENDENCY;
	res[H_DEP].reason = xstrdup("dependency err failed");

	hook_result_set_cached(&res[H_CACHED], 4);
}

static void
teardown(void)
{
	hook_results_free(res, plan.nhooks);
	res = NULL;
	plan_release(&plan);
	conf_release(&conf);
	rmdir(tmpdir);
}

/* --- helpers ------------------------------------------------------------- */

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

/* Keep a SARIF document for the schema check (tests/cli/sarif.sh). */
static void
save_sample(const char *name, const char *s, size_t len)
{
	const char *dir = getenv("HOOKWAVE_SARIF_SAMPLES");
	char *path;
	int fd;

	if (dir == NULL || *dir == '\0')
		return;
	path = xasprintf("%s/%s.sarif", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(write_all(fd, s, len), 0);
	close(fd);
	free(path);
}

/* A whole report of format f through report_write_file(). */
static char *
render(enum report_format f, const size_t *ord, size_t *len)
{
	char *path = xasprintf("%s/report", tmpdir);
	struct err e;
	char *s;

	ck_assert_msg(report_write_file(path, f, &plan, res, ord, 1.5, 1,
					&e) == 0, "write: %s", e.msg);
	s = slurp(path, len);
	unlink(path);
	free(path);
	return s;
}

/* The stream of options o for the hooks in ord, as the session drives
   it; the report is left for the caller (report_free). */
static char *
render_stream(const struct report_options *base, const size_t *ord,
	      int exit_status, struct report **rp, size_t *len)
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
	for (i = 0; i < plan.nhooks; i++)
		report_hook(r, ord[i], &res[ord[i]]);
	report_finish(r, res, 1.5, exit_status);
	ck_assert_int_eq(report_error(r), 0);
	close(fd);
	s = slurp(path, len);
	unlink(path);
	free(path);
	if (rp != NULL)
		*rp = r;
	else
		report_free(r);
	return s;
}

/* Occurrences of needle in s, by hand: strstr() in a loop over a
   document of megabytes costs a sanitizer's interceptor the whole rest
   of it each time. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	while (*s != '\0') {
		if (*s == *needle && strncmp(s, needle, k) == 0) {
			n++;
			s += k;
		} else {
			s++;
		}
	}
	return n;
}

/*
 * Replace every token of s (the word after "::stop-commands::") by
 * "TOKEN", checking each is 32 hex digits, closes its own block, and
 * differs from every other; their number in *ntokens, the tokens in
 * tokens[] (up to 8, 33 bytes each).
 */
static char *
untoken(const char *s, size_t *ntokens, char tokens[][33])
{
	static const char open_cmd[] = "::stop-commands::";
	struct buf b = { NULL, 0, 0 };
	const char *p;
	size_t n = 0, k;

	while ((p = strstr(s, open_cmd)) != NULL) {
		char token[33], close_cmd[40];
		const char *end;

		p += strlen(open_cmd);
		ck_assert_msg(strspn(p, "0123456789abcdef") == 32 && p[32] == '\n',
			      "bad token at %.40s", p);
		memcpy(token, p, 32);
		token[32] = '\0';
		for (k = 0; k < n && k < 8; k++)
			ck_assert_str_ne(tokens[k], token);
		if (n < 8)
			memcpy(tokens[n], token, 33);
		n++;
		snprintf(close_cmd, sizeof(close_cmd), "\n::%s::\n", token);
		end = strstr(p, close_cmd);
		ck_assert_msg(end != NULL, "token %s never closes", token);
		ck_assert_msg(strstr(end + 3 + 32, token) == NULL,
			      "token %s used again", token);
		buf_add(&b, s, (size_t)(p - s));
		buf_adds(&b, "TOKEN");
		buf_add(&b, p + 32, (size_t)(end + 3 - (p + 32)));
		buf_adds(&b, "TOKEN");
		s = end + 3 + 32;
	}
	buf_adds(&b, s);
	*ntokens = n;
	return b.p;
}

/* Make the run a pass (for -q and exit status 0). */
static void
all_pass(void)
{
	size_t i;

	for (i = 0; i < plan.nhooks; i++)
		if (res[i].status != HOOK_SKIPPED || res[i].skip != SKIP_DISABLED) {
			res[i].status = HOOK_PASSED;
			res[i].skip = SKIP_NONE;
		}
}

/* --- sarif --------------------------------------------------------------- */

static const char sarif_doc[] =
	"{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
	"\"version\":\"2.1.0\",\n"
	"\"runs\":[\n"
	/* cached: a pass the cache remembered never ran: no exit code */
	"{\"tool\":{\"driver\":{\"name\":\"lint.sh\",\"rules\":[]}},\n"
	"\"automationDetails\":{\"id\":\"hookwave/comprehensive/cached/\"},\n"
	"\"invocations\":[{\"executionSuccessful\":true}],\n"
	"\"results\":[]},\n"
	/* dep: skipped, cd is the shell's */
	"{\"tool\":{\"driver\":{\"name\":\"sh\",\"rules\":[]}},\n"
	"\"automationDetails\":{\"id\":\"hookwave/comprehensive/dep/\"},\n"
	"\"invocations\":[{\"executionSuccessful\":false,\"toolExecutionNotifications\":[{\"level\":\"note\",\"message\":{\"text\":\"dependency err failed\"}}]}],\n"
	"\"results\":[]},\n"
	/* err: a quoted program cannot be told plainly */
	"{\"tool\":{\"driver\":{\"name\":\"sh\",\"rules\":[]}},\n"
	"\"automationDetails\":{\"id\":\"hookwave/comprehensive/err/\"},\n"
	"\"invocations\":[{\"executionSuccessful\":false,\"exitCode\":127,\"toolExecutionNotifications\":[{\"level\":\"error\",\"message\":{\"text\":\"command not found: a:b, 100%\\nnext\"}}]}],\n"
	"\"results\":[]},\n"
	"{\"tool\":{\"driver\":{\"name\":\"sleep\",\"rules\":[]}},\n"
	"\"automationDetails\":{\"id\":\"hookwave/comprehensive/to/\"},\n"
	"\"invocations\":[{\"executionSuccessful\":false,\"exitSignalNumber\":15,\"toolExecutionNotifications\":[{\"level\":\"error\",\"message\":{\"text\":\"timed out after 1s\"}}]}],\n"
	"\"results\":[]},\n"
	/* off (disabled) and plain (passed, no findings) have no run */
	"{\"tool\":{\"driver\":{\"name\":\"pyflakes\",\"rules\":[]}},\n"
	"\"automationDetails\":{\"id\":\"hookwave/fast/py/\"},\n"
	"\"invocations\":[{\"executionSuccessful\":true,\"exitCode\":0}],\n"
	"\"results\":[]},\n"
	"{\"tool\":{\"driver\":{\"name\":\"shellcheck\",\"rules\":[{\"id\":\"SC2086\"},{\"id\":\"W\\\"1\"}]}},\n"
	"\"automationDetails\":{\"id\":\"hookwave/fast/sc/\"},\n"
	"\"invocations\":[{\"executionSuccessful\":true,\"exitCode\":1}],\n"
	"\"results\":[\n"
	"{\"ruleId\":\"SC2086\",\"ruleIndex\":0,\"level\":\"warning\",\"message\":{\"text\":\"quote \\\" backslash \\\\ newline\\nCR\\r tab\\t ::error::x %0A 100% ctl \\u0001 esc \\u001b[31m del \\u007f bad \xef\xbf\xbd\xef\xbf\xbd end\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"src/a%20b%25.sh\",\"uriBaseId\":\"%SRCROOT%\"},\"region\":{\"startLine\":3,\"startColumn\":5}}}],\"partialFingerprints\":{\"hookwave/v1\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},\"baselineState\":\"new\"},\n"
	"{\"level\":\"error\",\"message\":{\"text\":\"no column, no rule\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"file:///usr/include/std%2Cio%3Ah.h\"},\"region\":{\"startLine\":10}}}],\"baselineState\":\"unchanged\"},\n"
	"{\"ruleId\":\"SC2086\",\"ruleIndex\":0,\"level\":\"note\",\"message\":{\"text\":\"no line: key, value\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"README\",\"uriBaseId\":\"%SRCROOT%\"}}}]},\n"
	"{\"ruleId\":\"W\\\"1\",\"ruleIndex\":1,\"level\":\"warning\",\"message\":{\"text\":\"\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"dir/%C3%A9.c\",\"uriBaseId\":\"%SRCROOT%\"},\"region\":{\"startLine\":7,\"startColumn\":1}}}]}]}]}\n";

START_TEST(test_sarif_document)
{
	size_t len;
	char *s = render(REPORT_SARIF, order, &len);

	save_sample("document", s, len);
	ck_assert_uint_eq(strlen(s), len);
	ck_assert_msg(utf8_valid(s, len), "invalid UTF-8");
	ck_assert_str_eq(s, sarif_doc);
	free(s);
}
END_TEST

/*
 * A hook whose tool wrote SARIF: its run carried over (driver, rules,
 * the tool's own result fields), with hookwave's automationDetails,
 * invocation, location, fingerprint and baselineState; a finding whose
 * carried text is broken, and an absent one, rendered anew without a
 * ruleIndex (the rules are the tool's).
 */
START_TEST(test_sarif_carried)
{
	struct finding *f;
	size_t len;
	char *s;

	res[H_PY].status = HOOK_FAILED;
	res[H_PY].exit_code = 1;
	res[H_PY].sarif_run = xstrdup("{\"tool\":{\"driver\":{\"name\":"
		"\"Semgrep OSS\",\"rules\":[{\"id\":\"R1\",\"defaultConfiguration\":"
		"{\"level\":\"note\"}}]}},\"columnKind\":\"utf16CodeUnits\"}");
	f = findings_add(&res[H_PY].findings, "src/x y.py", 4, 2, FINDING_NOTE,
			 "R1", "m");
	f->fingerprint = xstrdup(fp);
	f->state = FINDING_NEW;
	f->sarif = xstrdup("{\"ruleId\":\"R1\",\"message\":{\"text\":\"m\"},"
		"\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
		"{\"uri\":\"x%20y.py\",\"uriBaseId\":\"SRC\",\"index\":3},"
		"\"region\":{\"startLine\":4,\"startColumn\":2,\"endLine\":5}}}],"
		"\"partialFingerprints\":{\"tool/v1\":\"abc\"},"
		"\"properties\":{\"tags\":[\"t\"]}}");
	f = findings_add(&res[H_PY].findings, "b.py", 1, 0, FINDING_ERROR,
			 "R2", "broken");
	f->sarif = xstrdup("{\"ruleId\":");
	f = findings_add(&res[H_PY].absent, "c.py", 2, 0, FINDING_WARNING,
			 "R1", "gone");
	f->state = FINDING_ABSENT;

	s = render(REPORT_SARIF, order, &len);
	save_sample("carried", s, len);
	ck_assert_msg(strstr(s, "{\"automationDetails\":{\"id\":"
		"\"hookwave/fast/py/\"},\n\"invocations\":[{\"executionSuccessful\":"
		"true,\"exitCode\":1}],\n\"results\":[\n"
		"{\"ruleId\":\"R1\",\"message\":{\"text\":\"m\"},\"locations\":"
		"[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":"
		"\"src/x%20y.py\",\"uriBaseId\":\"%SRCROOT%\"},\"region\":"
		"{\"startLine\":4,\"startColumn\":2,\"endLine\":5}}}],"
		"\"partialFingerprints\":{\"tool/v1\":\"abc\",\"hookwave/v1\":\""
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"\"},\"properties\":{\"tags\":[\"t\"]},\"baselineState\":\"new\"},\n"
		"{\"ruleId\":\"R2\",\"level\":\"error\",\"message\":{\"text\":"
		"\"broken\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
		"{\"uri\":\"b.py\",\"uriBaseId\":\"%SRCROOT%\"},\"region\":"
		"{\"startLine\":1}}}]},\n"
		"{\"ruleId\":\"R1\",\"level\":\"warning\",\"message\":{\"text\":"
		"\"gone\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
		"{\"uri\":\"c.py\",\"uriBaseId\":\"%SRCROOT%\"},\"region\":"
		"{\"startLine\":2}}}],\"baselineState\":\"absent\"}],\n"
		"\"tool\":{\"driver\":{\"name\":\"Semgrep OSS\",\"rules\":"
		"[{\"id\":\"R1\",\"defaultConfiguration\":{\"level\":\"note\"}}]}},"
		"\"columnKind\":\"utf16CodeUnits\"}") != NULL, "%s", s);
	free(s);
}
END_TEST

/* The stream writes the same document, and nothing before the end. */
START_TEST(test_sarif_stream)
{
	struct report_options o;
	struct report_sarif_cut c;
	struct report *r;
	struct err e;
	size_t len;
	char *s;

	memset(&o, 0, sizeof(o));
	o.format = REPORT_SARIF;
	s = render_stream(&o, order, 1, &r, &len);
	ck_assert_str_eq(s, sarif_doc);
	c.runs = 99;
	ck_assert_int_eq(report_sarif_cut(r, res, NULL, &c, &e), 0);
	ck_assert_uint_eq(c.runs, 0);
	ck_assert_uint_eq(c.results, 0);
	report_free(r);
	free(s);
}
END_TEST

/* -q: only the hooks that fail the run; a pass writes nothing. */
START_TEST(test_sarif_quiet)
{
	struct report_options o;
	size_t len;
	char *s;

	memset(&o, 0, sizeof(o));
	o.format = REPORT_SARIF;
	o.quiet = true;
	s = render_stream(&o, order, 1, NULL, &len);
	save_sample("quiet", s, len);
	ck_assert_uint_eq(count(s, "\"automationDetails\""), 4);
	ck_assert_ptr_null(strstr(s, "hookwave/fast/py/"));
	ck_assert_ptr_null(strstr(s, "hookwave/comprehensive/cached/"));
	ck_assert_ptr_nonnull(strstr(s, "hookwave/comprehensive/dep/"));
	ck_assert_ptr_nonnull(strstr(s, "hookwave/fast/sc/"));
	free(s);
	all_pass();
	s = render_stream(&o, order, 0, NULL, &len);
	ck_assert_uint_eq(len, 0);
	free(s);
}
END_TEST

/* Nothing to report: a valid log with no run. */
START_TEST(test_sarif_empty)
{
	size_t len, i;
	char *s;

	for (i = 0; i < NH; i++)
		if (i != H_OFF && i != H_PY && i != H_SC && i != H_CACHED) {
			res[i].status = HOOK_PASSED;
			res[i].skip = SKIP_NONE;
		}
	res[H_SC].status = HOOK_PASSED;
	res[H_SC].exit_code = -1;
	findings_release(&res[H_SC].findings);
	res[H_CACHED].status = HOOK_SKIPPED;
	res[H_CACHED].skip = SKIP_DISABLED;
	res[H_PY].status = HOOK_SKIPPED;
	res[H_PY].skip = SKIP_DISABLED;
	/* sc reads findings: a run, without results, even when it passes
	   (code scanning closes the alerts it no longer has) */
	s = render(REPORT_SARIF, order, &len);
	save_sample("passing", s, len);
	ck_assert_str_eq(s, "{\"$schema\":\"https://docs.oasis-open.org/sarif/"
			 "sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
			 "\"version\":\"2.1.0\",\n\"runs\":[\n"
			 "{\"tool\":{\"driver\":{\"name\":\"shellcheck\",\"rules\":[]}},\n"
			 "\"automationDetails\":{\"id\":\"hookwave/fast/sc/\"},\n"
			 "\"invocations\":[{\"executionSuccessful\":true,\"exitCode\":0}],\n"
			 "\"results\":[]}]}\n");
	free(s);
	res[H_SC].status = HOOK_SKIPPED;
	res[H_SC].skip = SKIP_DISABLED;
	s = render(REPORT_SARIF, order, &len);
	save_sample("empty", s, len);
	ck_assert_str_eq(s, "{\"$schema\":\"https://docs.oasis-open.org/sarif/"
			 "sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
			 "\"version\":\"2.1.0\",\n\"runs\":[]}\n");
	free(s);
}
END_TEST

START_TEST(test_sarif_extension)
{
	ck_assert_int_eq(report_format_for("out.sarif"), REPORT_SARIF);
	ck_assert_int_eq(report_format_for("dir.sarif/out"), REPORT_TEXT);
	ck_assert_int_eq(report_format_for("out.sarif.txt"), REPORT_TEXT);
}
END_TEST

/* The program's name as the shell reads the command. */
START_TEST(test_sarif_tool_names)
{
	static const struct {
		const char *command, *name;
	} cases[] = {
		{ "cppcheck --template=gcc --quiet", "cppcheck" },
		{ "  /usr/bin/yamllint -f parsable", "yamllint" },
		{ "A=1 B=x/y ./tools/lint", "lint" },
		{ "env -u HOME -i -- codespell", "codespell" },
		{ "/usr/bin/env FOO=1 bandit -f sarif", "bandit" },
		{ "env -S 'pyflakes x'", "sh" },
		{ "echo hi", "sh" },
		{ "if true; then lint; fi", "sh" },
		{ "$LINTER .", "sh" },
		{ "(cd x && make)", "sh" },
		{ "tool\"quoted\"", "sh" },
		{ "X=1", "sh" },
		{ "dir/", "sh" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = xasprintf("[hook h]\ncommand = %s\nfindings = gcc\n",
				       cases[i].command);
		char *want = xasprintf("{\"tool\":{\"driver\":{\"name\":\"%s\",",
				       cases[i].name);
		size_t len, o0 = 0;
		char *s;

		teardown();
		strcpy(tmpdir, "/tmp/check_report_sarif.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
		build(text, 1);
		res[0].status = HOOK_PASSED;
		s = render(REPORT_SARIF, &o0, &len);
		ck_assert_msg(strstr(s, want) != NULL, "%s: %s", cases[i].command,
			      s);
		free(s);
		free(want);
		free(text);
	}
}
END_TEST

/* The gzipped size, measured without keeping the output. */
START_TEST(test_sarif_gzip_size)
{
	size_t n = (size_t)1 << 20, i, gz;
	char *p = xcalloc(n, 1);
	unsigned x = 12345;

	ck_assert_uint_eq(sarif_gzip_size("", 0), 20);  /* header, trailer */
	gz = sarif_gzip_size(p, n);
	ck_assert_msg(gz > 20 && gz < 5000, "zeros: %zu", gz);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (char)(x >> 23);
	}
	gz = sarif_gzip_size(p, n);
	ck_assert_msg(gz >= n && gz <= n + n / 1000 + 64, "noise: %zu", gz);
	free(p);
}
END_TEST

/*
 * A log past GitHub's 10 MB gzipped: written whole and valid, and
 * report_sarif_cut says how large it is, for the stream and a file.
 */
START_TEST(test_sarif_gzip_limit)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct report_options o;
	struct report_sarif_cut c;
	struct report *r;
	struct err e;
	size_t ord[NH], i, k, len;
	char msg[1001], *s, *path, *want;
	unsigned x = 7;

	for (i = 0; i < NH; i++)
		ord[i] = i;
	findings_release(&res[H_SC].findings);
	for (i = 0; i < 15000; i++) {
		for (k = 0; k < 1000; k++) {
			x = x * 1103515245u + 12345u;
			msg[k] = b64[(x >> 16) & 63];
		}
		msg[1000] = '\0';
		findings_add(&res[H_SC].findings, "a.c", i + 1, 0,
			     FINDING_ERROR, NULL, msg);
	}
	memset(&o, 0, sizeof(o));
	o.format = REPORT_SARIF;
	s = render_stream(&o, ord, 1, &r, &len);
	ck_assert_ptr_nonnull(strstr(s, "]}]}\n"));
	ck_assert_int_eq(report_sarif_cut(r, res, NULL, &c, &e), 1);
	ck_assert_uint_eq(c.runs, 0);
	ck_assert_uint_eq(c.results, 0);
	ck_assert_uint_eq(c.gzipped, sarif_gzip_size(s, len));
	ck_assert_uint_gt(c.gzipped, REPORT_SARIF_MAX_GZIP);
	want = xasprintf("sarif: standard output: %zu bytes gzipped, past "
			 "GitHub code scanning's limit of 10000000 per upload",
			 c.gzipped);
	ck_assert_str_eq(e.msg, want);
	free(want);
	free(s);

	path = xasprintf("%s/big.sarif", tmpdir);
	ck_assert_int_eq(report_save(r, path, REPORT_SARIF, res, 1.5, 1, &e), 0);
	ck_assert_int_eq(report_sarif_cut(r, res, path, &c, &e), 1);
	ck_assert_uint_gt(c.gzipped, REPORT_SARIF_MAX_GZIP);
	ck_assert_ptr_nonnull(strstr(e.msg, "/big.sarif: "));
	ck_assert_ptr_nonnull(strstr(e.msg, " bytes gzipped, past"));
	unlink(path);
	free(path);
	report_free(r);

	/* Small again: nothing said. */
	findings_release(&res[H_SC].findings);
	s = render_stream(&o, ord, 1, &r, &len);
	ck_assert_int_eq(report_sarif_cut(r, res, NULL, &c, &e), 0);
	ck_assert_uint_eq(c.gzipped, 0);
	free(s);
	report_free(r);
}
END_TEST

/* 22 failing hooks, one of them with 25,002 findings. */
START_TEST(test_sarif_limits)
{
	struct buf text = { NULL, 0, 0 };
	struct report_options o;
	struct report_sarif_cut c;
	struct report *r;
	struct err e;
	size_t ord[22], i, len;
	char *s, *path;

	teardown();
	strcpy(tmpdir, "/tmp/check_report_sarif.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	for (i = 0; i < 22; i++)
		buf_printf(&text, "[hook h%02zu]\ncommand = false\n", i);
	build(text.p, 22);
	buf_release(&text);
	for (i = 0; i < 22; i++) {
		res[i].status = HOOK_FAILED;
		res[i].exit_code = 1;
		ord[i] = i;
	}
	for (i = 0; i < REPORT_SARIF_MAX_RESULTS + 2; i++)
		findings_add(&res[3].findings, "f.c", i + 1, 0, FINDING_ERROR,
			     i % 2 ? "odd" : "even", "m");

	memset(&o, 0, sizeof(o));
	o.format = REPORT_SARIF;
	s = render_stream(&o, ord, 1, &r, &len);
	save_sample("limits", s, len);
	ck_assert_uint_eq(count(s, "\"automationDetails\""), 20);
	ck_assert_ptr_nonnull(strstr(s, "hookwave/default/h19/"));
	ck_assert_ptr_null(strstr(s, "hookwave/default/h20/"));
	ck_assert_uint_eq(count(s, "\"message\":{\"text\":\"m\"}"),
			  REPORT_SARIF_MAX_RESULTS);
	ck_assert_ptr_nonnull(strstr(s, "\"rules\":[{\"id\":\"even\"},{\"id\":\"odd\"}]"));
	ck_assert_int_eq(report_sarif_cut(r, res, NULL, &c, &e), 1);
	ck_assert_uint_eq(c.runs, 2);
	ck_assert_uint_eq(c.results, 2);
	ck_assert_uint_eq(c.cut_runs, 1);
	ck_assert_ptr_null(e.file);
	ck_assert_str_eq(e.msg, "sarif: standard output: left out 2 runs past "
			 "GitHub code scanning's limit of 20 per file, and 2 "
			 "results of 1 run past its limit of 25000 per run");
	free(s);

	/* A report file: every hook, whatever -q shows. */
	path = xasprintf("%s/out.sarif", tmpdir);
	ck_assert_int_eq(report_save(r, path, REPORT_SARIF, res, 1.5, 1, &e), 0);
	ck_assert_int_eq(report_sarif_cut(r, res, path, &c, &e), 1);
	ck_assert_uint_eq(c.runs, 2);
	ck_assert_ptr_nonnull(strstr(e.msg, "/out.sarif: left out 2 runs"));
	unlink(path);
	free(path);
	report_free(r);

	/* Within the limits: nothing said. */
	findings_release(&res[3].findings);
	res[20].status = res[21].status = HOOK_PASSED;
	s = render_stream(&o, ord, 1, &r, &len);
	ck_assert_uint_eq(count(s, "\"automationDetails\""), 20);
	ck_assert_int_eq(report_sarif_cut(r, res, NULL, &c, &e), 0);
	report_free(r);
	free(s);

	/* Another format on the stream: nothing to say about it. */
	res[20].status = res[21].status = HOOK_FAILED;
	o.format = REPORT_JSON;
	s = render_stream(&o, ord, 1, &r, &len);
	ck_assert_int_eq(report_sarif_cut(r, res, NULL, &c, &e), 0);
	report_free(r);
	free(s);
}
END_TEST

/* --- github -------------------------------------------------------------- */

static const char github_doc[] =
	"passed   comprehensive/cached        -  cached\n"
	"skipped  comprehensive/dep           -  dependency err failed\n"
	"::group::error    comprehensive/err       0.01s  command not found: a:b, 100%25%0Anext\n"
	"::stop-commands::TOKEN\n"
	"sh: quoted: not found\n"
	"::TOKEN::\n"
	"::endgroup::\n"
	"::error title=comprehensive/err::error: command not found: a:b, 100%25%0Anext\n"
	"::group::timeout  comprehensive/to        1.00s  timed out after 1s\n"
	"::stop-commands::TOKEN\n"
	"tick\n"
	"::TOKEN::\n"
	"::endgroup::\n"
	"::error title=comprehensive/to::timeout: timed out after 1s\n"
	"skipped  fast/off                    -  disabled\n"
	"passed   fast/plain              0.01s\n"
	"passed   fast/py                 0.50s\n"
	"::group::failed   fast/sc                 0.25s  exit 1  4 findings\n"
	"::stop-commands::TOKEN\n"
	"a.sh:3:5: warning: ...\n::error::injected\n::stop-commands::guess\n"
	"::guess::\n::0123456789abcdef0123456789abcdef::\n::endgroup::\n"
	"::TOKEN::\n"
	"::endgroup::\n"
	"::warning file=src/a b%25.sh,line=3,col=5,title=fast/sc::quote \" backslash \\ newline%0ACR%0D tab\t ::error::x %250A 100%25 ctl \xef\xbf\xbd esc \xef\xbf\xbd[31m del \xef\xbf\xbd bad \xef\xbf\xbd\xef\xbf\xbd end [SC2086]\n"
	"::error file=/usr/include/std%2Cio%3Ah.h,line=10,title=fast/sc::no column, no rule\n"
	"::notice file=README,title=fast/sc::no line: key, value [SC2086]\n"
	"::warning file=dir/\xc3\xa9.c,line=7,col=1,title=fast/sc::[W\"1]\n"
	"hookwave: 3 passed, 1 failed, 1 timeout, 1 error, 2 skipped in 1.50s (hooks' total 1.77s, 1.2x)\n";

START_TEST(test_github_exact)
{
	char tokens[8][33], again[8][33];
	size_t len, n, k, i;
	char *s, *u;

	/* Every finding annotated: none is known (test_github_baseline). */
	res[H_SC].findings.v[1].state = FINDING_NEW;
	s = render(REPORT_GITHUB, order, &len);
	ck_assert_uint_eq(strlen(s), len);
	ck_assert_msg(utf8_valid(s, len), "invalid UTF-8");
	u = untoken(s, &n, tokens);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(u, github_doc);
	free(u);
	free(s);

	/* Another run: other tokens, the same text. */
	s = render(REPORT_GITHUB, order, &len);
	u = untoken(s, &k, again);
	ck_assert_uint_eq(k, 3);
	ck_assert_str_eq(u, github_doc);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 3; k++)
			ck_assert_str_ne(tokens[i], again[k]);
	free(u);
	free(s);
}
END_TEST

/* Against a baseline only the new findings are annotated. */
START_TEST(test_github_baseline)
{
	size_t len;
	char *s;

	s = render(REPORT_GITHUB, order, &len);
	ck_assert_ptr_null(strstr(s, "file=/usr/include/std%2Cio%3Ah.h"));
	ck_assert_ptr_nonnull(strstr(s, "::warning file=src/a b%25.sh,line=3,"));
	ck_assert_ptr_nonnull(strstr(s, "::notice file=README,"));
	free(s);
	res[H_SC].findings.v[1].state = FINDING_NEW;
	s = render(REPORT_GITHUB, order, &len);
	ck_assert_ptr_nonnull(strstr(s, "::error file=/usr/include/std%2Cio%3Ah.h,"
				     "line=10,title=fast/sc::no column, no rule\n"));
	free(s);
}
END_TEST

/* The stream is the file; -v shows a passing hook's output in a group;
   -q only what fails the run. */
START_TEST(test_github_stream)
{
	struct report_options o;
	char tokens[8][33];
	size_t len, n;
	char *s, *u;

	res[H_SC].findings.v[1].state = FINDING_NEW;
	memset(&o, 0, sizeof(o));
	o.format = REPORT_GITHUB;
	o.color = true;                 /* never in workflow commands */
	s = render_stream(&o, order, 1, NULL, &len);
	u = untoken(s, &n, tokens);
	ck_assert_str_eq(u, github_doc);
	free(u);
	free(s);

	o.verbose = true;
	s = render_stream(&o, order, 1, NULL, &len);
	u = untoken(s, &n, tokens);
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_nonnull(strstr(u, "::group::passed   fast/py                 0.50s\n"
				     "::stop-commands::TOKEN\nall fine\n::TOKEN::\n"
				     "::endgroup::\n"));
	free(u);
	free(s);

	o.verbose = false;
	o.quiet = true;
	s = render_stream(&o, order, 1, NULL, &len);
	u = untoken(s, &n, tokens);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_null(strstr(u, "fast/py"));
	ck_assert_ptr_null(strstr(u, "cached"));
	ck_assert_ptr_nonnull(strstr(u, "skipped  comprehensive/dep"));
	free(u);
	free(s);
	all_pass();
	s = render_stream(&o, order, 0, NULL, &len);
	ck_assert_uint_eq(len, 0);
	free(s);
}
END_TEST

/* A failed hook without output or finding still says why. */
START_TEST(test_github_failure_lines)
{
	size_t len;
	char *s;

	findings_release(&res[H_SC].findings);
	set_output(&res[H_SC], "");
	res[H_SC].exit_code = -1;
	res[H_SC].signal = 9;
	s = render(REPORT_GITHUB, order, &len);
	ck_assert_ptr_nonnull(strstr(s, "failed   fast/sc                 0.25s  "
				     "killed by signal 9\n"
				     "::error title=fast/sc::failed: killed by signal 9\n"));
	free(s);
	res[H_SC].signal = 0;
	res[H_SC].reason = xstrdup("modified 2 files");
	s = render(REPORT_GITHUB, order, &len);
	ck_assert_ptr_nonnull(strstr(s, "::error title=fast/sc::failed: modified 2 files\n"));
	free(s);
}
END_TEST

Suite *
report_sarif_suite(void)
{
	Suite *s = suite_create("report_sarif");
	TCase *tc;

	tc = tcase_create("sarif");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sarif_document);
	tcase_add_test(tc, test_sarif_carried);
	tcase_add_test(tc, test_sarif_stream);
	tcase_add_test(tc, test_sarif_quiet);
	tcase_add_test(tc, test_sarif_empty);
	tcase_add_test(tc, test_sarif_extension);
	tcase_add_test(tc, test_sarif_tool_names);
	tcase_add_test(tc, test_sarif_limits);
	tcase_add_test(tc, test_sarif_gzip_size);
	suite_add_tcase(s, tc);

	/* 15 MB rendered and deflated three times: slow under TSan on a
	   loaded machine, so a case of its own with room to spare. */
	tc = tcase_create("sarif-gzip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_sarif_gzip_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("github");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_github_exact);
	tcase_add_test(tc, test_github_stream);
	tcase_add_test(tc, test_github_baseline);
	tcase_add_test(tc, test_github_failure_lines);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_sarif_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
