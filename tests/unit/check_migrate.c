/*
 * check_migrate.c - pre-commit and lefthook configs as hookwave.ini:
 * the Python-regex rewrite, quoting, brace expansion, and whole
 * conversions compared with the lines they must hold.
 */
#include <check.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "migrate_int.h"
#include "pyregex.h"

static char *
ere(const char *py)
{
	static char why[256];

	return pyregex_to_ere(py, why, sizeof(why));
}

static int
matches(const char *re_text, const char *s)
{
	regex_t re;
	int rc;

	ck_assert_int_eq(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return rc;
}

/* Each Python pattern, and paths it must and must not match (re.search). */
static const struct {
	const char *py;
	const char *yes, *no;
} regex_table[] = {
	{ "\\.py$", "a/b.py", "a/b.pyc" },
	{ "^docs/", "docs/x.md", "src/docs/x.md" },
	{ "(?x)^(\n  vendor/|\n  third_party/  # theirs\n)", "vendor/a.c", "src/vendor/a.c" },
	{ "\\d+\\.txt$", "r12.txt", "r.txt" },
	{ "^(?:src|lib)/.*\\.pyi?$", "lib/x.pyi", "test/x.py" },
	{ "\\w+_test\\.go$", "pkg/a_test.go", "pkg/_test.go.x" },
	{ "\\Asetup\\.cfg\\Z", "setup.cfg", "a/setup.cfg" },
	{ "[^/]+\\.min\\.js$", "a/b.min.js", "a/b.js" },
	{ "a.*?b", "axxb", "ba" },
	{ "x{2}", "axx", "ax" },
	{ "(?P<n>foo)bar", "foobar", "foo" },
	{ "[\\w-]+\\.ya?ml$", "ci-main.yml", "ci.json" },
	{ "\\s", "a b", "ab" },
	{ "{", "a{b", "ab" },
	{ "[]a]", "]", "b" },
	{ "\\-\\/", "-/", "/-" },
};

START_TEST(test_pyregex_table)
{
	size_t i;

	for (i = 0; i < sizeof(regex_table) / sizeof(regex_table[0]); i++) {
		char *r = ere(regex_table[i].py);

		ck_assert_msg(r != NULL, "'%s' not rewritten", regex_table[i].py);
		ck_assert_msg(matches(r, regex_table[i].yes), "'%s' (%s) misses '%s'",
			      regex_table[i].py, r, regex_table[i].yes);
		ck_assert_msg(!matches(r, regex_table[i].no), "'%s' (%s) matches '%s'",
			      regex_table[i].py, r, regex_table[i].no);
		free(r);
	}
}
END_TEST

START_TEST(test_pyregex_refused)
{
	static const char *const bad[] = {
		"foo(?=bar)", "(?<!x)y", "(a)\\1", "(?i)readme", "\\bword",
		"(unclosed", "unopened)", "[a", "", "(?", "\\",
		"[[:alpha:]]", "a+++", "*a", "(+a)", "a|*b", "^*", "x{65}",
		"a{1,100}", "a{2}b{2}c{2}",
	};
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *r = pyregex_to_ere(bad[i], why, sizeof(why));

		ck_assert_msg(r == NULL, "'%s' rewritten as '%s'", bad[i], r);
		ck_assert(why[0] != '\0');
	}
}
END_TEST

START_TEST(test_sh_quote)
{
	char *q;

	q = migrate_sh_quote("ruff");
	ck_assert_str_eq(q, "ruff");
	free(q);
	q = migrate_sh_quote("--max-line-length=100");
	ck_assert_str_eq(q, "'--max-line-length=100'");
	free(q);
	q = migrate_sh_quote("it's a ; b");
	ck_assert_str_eq(q, "'it'\\''s a '\\;' b'");
	ck_assert(mig_ini_safe(q));
	free(q);
	q = migrate_sh_quote("");
	ck_assert_str_eq(q, "''");
	free(q);
	ck_assert_ptr_null(migrate_sh_quote("a\nb"));
	ck_assert(!mig_ini_safe("make ; make test"));
	ck_assert(mig_ini_safe("make; make test"));
	ck_assert(!mig_ini_safe(" lead"));
}
END_TEST

START_TEST(test_glob_expand)
{
	char *g;

	g = mig_glob_expand("*.{js,ts}");
	ck_assert_str_eq(g, "*.js *.ts");
	free(g);
	g = mig_glob_expand("src/**/*.{c,h}");
	ck_assert_str_eq(g, "src/**/*.c src/**/*.h");
	free(g);
	g = mig_glob_expand("{a,b{1,2}}.x");
	ck_assert_str_eq(g, "a.x b1.x b2.x");
	free(g);
	g = mig_glob_expand("*.py");
	ck_assert_str_eq(g, "*.py");
	free(g);
}
END_TEST

static char *
convert(const char *name, const char *text, unsigned *conv, unsigned *att)
{
	struct migrate_result r;
	struct err e;
	char *out;

	ck_assert_msg(migrate_convert(name, text, strlen(text), &r, &e) == 0,
		      "convert failed: %s", e.msg);
	out = xstrdup(r.ini.p);
	*conv = r.converted;
	*att = r.attention;
	migrate_release(&r);
	return out;
}

#define ck_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "missing:\n%s\nin:\n%s", (needle), (hay))
#define ck_lacks(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "unexpected:\n%s\nin:\n%s", (needle), (hay))

static const char precommit[] =
	"fail_fast: true\n"
	"exclude: '^vendor/'\n"
	"repos:\n"
	"- repo: https://github.com/psf/black\n"
	"  rev: 24.1.0\n"
	"  hooks:\n"
	"  - id: black\n"
	"- repo: local\n"
	"  hooks:\n"
	"  - id: pylint\n"
	"    name: pylint\n"
	"    entry: pylint\n"
	"    language: system\n"
	"    types: [python]\n"
	"    args: [--rcfile=.pylintrc, \"-j 0\"]\n"
	"    require_serial: true\n"
	"  - id: tests\n"
	"    entry: python3 -m pytest\n"
	"    language: system\n"
	"    pass_filenames: false\n"
	"    always_run: true\n"
	"    stages: [pre-push]\n"
	"  - id: no-todo\n"
	"    entry: 'TODO:'\n"
	"    language: pygrep\n"
	"    types_or: [python, shell]\n"
	"    exclude: ^docs/\n"
	"  - id: lookahead\n"
	"    entry: true\n"
	"    language: system\n"
	"    files: 'foo(?=bar)'\n"
	"- repo: https://github.com/example/unknown\n"
	"  rev: v1\n"
	"  hooks:\n"
	"  - id: mystery\n"
	"- repo: meta\n"
	"  hooks:\n"
	"  - id: check-useless-excludes\n";

START_TEST(test_precommit)
{
	unsigned c, a;
	char *ini = convert(".pre-commit-config.yaml", precommit, &c, &a);

	ck_assert_uint_eq(c, 4);
	ck_assert_uint_eq(a, 3);
	ck_has(ini, "[settings]\nfail_fast = yes\n");
	ck_has(ini, "[strategy pre-push]\ngit_hooks = pre-push\n");
	ck_has(ini, "[hook black]\n# from https://github.com/psf/black 24.1.0");
	ck_has(ini, "command = black\nexclude_regex = ^vendor/\ntypes = python pyi\nserial = yes\nmodifies = yes\n");
	ck_has(ini, "[hook pylint]\ncommand = pylint '--rcfile=.pylintrc' '-j 0'\n");
	ck_has(ini, "types = python\nserial = yes\n");
	ck_has(ini, "[hook tests]\nstrategy = pre-push\ncommand = python3 -m pytest\n");
	ck_has(ini, "pass_files = no\nalways_run = yes\n");
	ck_has(ini, "[hook no-todo]\ncommand = hookwave_pygrep() { grep -HnE -e TODO: \"$@\"; test $? -eq 1; }; hookwave_pygrep\n");
	ck_has(ini, "exclude_regex = (^vendor/)|(^docs/)\ntypes = python shell\n");
	ck_has(ini, "# [hook lookahead]\n# not converted: files 'foo(?=bar)': lookarounds");
	ck_has(ini, "# [hook mystery]\n# not converted: a hook of https://github.com/example/unknown");
	ck_has(ini, "# [hook check-useless-excludes]\n# not converted: a meta hook");
	free(ini);
}
END_TEST

START_TEST(test_precommit_names_and_types)
{
	static const char cfg[] =
		"repos:\n"
		"- repo: local\n"
		"  hooks:\n"
		"  - {id: lint, entry: a, language: system, types: [file, python], types_or: [c, c++]}\n"
		"  - {id: lint, entry: b, language: system, stages: [commit, push]}\n"
		"  - {id: 'odd name/x', entry: c, language: system, exclude_types: [binary]}\n"
		"  - {id: typo, entry: d, language: system, pass_filename: false}\n";
	unsigned c, a;
	char *ini = convert("x/.pre-commit-config.yaml", cfg, &c, &a);

	ck_assert_uint_eq(c, 5);
	ck_assert_uint_eq(a, 0);
	ck_has(ini, "[hook typo]\n# unknown key 'pass_filename' (line 7) not carried over\ncommand = d\n");
	ck_has(ini, "[hook lint]\ncommand = a\ntypes = python+c python+c++\n");
	ck_has(ini, "[hook lint-2]\nstrategy = pre-commit\ncommand = b\n");
	ck_has(ini, "[hook lint-3]\nstrategy = pre-push\ncommand = b\n");
	ck_has(ini, "[hook odd-name-x]\ncommand = c\nexclude_types = binary\n");
	free(ini);
}
END_TEST

static const char lefthook[] =
	"pre-commit:\n"
	"  parallel: true\n"
	"  commands:\n"
	"    eslint:\n"
	"      glob: \"*.{js,ts}\"\n"
	"      run: npx eslint --fix {staged_files}\n"
	"      stage_fixed: true\n"
	"    gofmt:\n"
	"      root: backend/\n"
	"      glob: '*.go'\n"
	"      run: gofmt -l {staged_files} && test -z \"$(gofmt -l {staged_files})\"\n"
	"      env:\n"
	"        GOFLAGS: -mod=mod\n"
	"    whole:\n"
	"      run: make check\n"
	"      skip: [merge, rebase]\n"
	"    argued:\n"
	"      run: echo {1}\n"
	"pre-push:\n"
	"  piped: true\n"
	"  commands:\n"
	"    2-test:\n"
	"      priority: 2\n"
	"      run: make test\n"
	"    1-build:\n"
	"      priority: 1\n"
	"      run: |\n"
	"        make\n"
	"        echo built ; true\n"
	"  scripts:\n"
	"    \"audit.sh\":\n"
	"      runner: bash\n";

START_TEST(test_lefthook)
{
	unsigned c, a;
	char *ini = convert("lefthook.yml", lefthook, &c, &a);

	ck_assert_uint_eq(c, 6);
	ck_assert_uint_eq(a, 1);
	ck_has(ini, "[strategy pre-commit]\ngit_hooks = pre-commit\n");
	ck_has(ini, "[strategy pre-push]\ngit_hooks = pre-push\n");
	ck_lacks(ini, "[strategy pre-commit]\ngit_hooks = pre-commit\n#");
	ck_has(ini, "[hook eslint]\nstrategy = pre-commit\ncommand = npx eslint --fix\nfiles = *.js *.ts\nmodifies = yes\nstage_fixed = yes\n");
	ck_has(ini, "[hook gofmt]\nstrategy = pre-commit\ncommand = hookwave_run() { eval \"$(printf '%s\\n' 'gofmt -l \"$@\" && test -z \"$(gofmt -l \"$@\")\"')\"; }; hookwave_run\nfiles = *.go\ncwd = backend\nenv = GOFLAGS=-mod=mod\n");
	ck_has(ini, "[hook whole]\n# lefthook's skip: merge, rebase (not carried over)\nstrategy = pre-commit\ncommand = make check\n");
	ck_has(ini, "# [hook argued]\n# not converted: {1} is a git hook argument");
	/* piped: priority order, each after the one before. */
	ck_has(ini, "[hook 1-build]\nstrategy = pre-push\ncommand = hookwave_run() { eval \"$(printf '%s\\n' make 'echo built '\\;' true')\"; }; hookwave_run\n");
	ck_has(ini, "[hook 2-test]\nstrategy = pre-push\ncommand = make test\ndepends = 1-build\n");
	ck_has(ini, "[hook audit.sh]\n# a lefthook script: it gets no git hook arguments here\nstrategy = pre-push\n");
	ck_has(ini, "command = bash .lefthook/pre-push/audit.sh\ndepends = 2-test\n");
	free(ini);
}
END_TEST

START_TEST(test_lefthook_sequential)
{
	unsigned c, a;
	char *ini = convert("lefthook.yml",
			    "pre-commit:\n  commands:\n    a:\n      run: x\n", &c, &a);

	ck_has(ini, "schedule = sequential\n");
	ck_assert_uint_eq(c, 1);
	free(ini);
}
END_TEST

/* jobs: and groups, as lefthook 1.10 writes them; a piped group chains. */
START_TEST(test_lefthook_groups)
{
	static const char cfg[] =
		"pre-commit:\n"
		"  parallel: true\n"
		"  jobs:\n"
		"    - name: lint & test\n"
		"      glob: \"*.go\"\n"
		"      root: svc/\n"
		"      group:\n"
		"        piped: true\n"
		"        jobs:\n"
		"          - run: make lint\n"
		"            stage_fixed: true\n"
		"          - run: make test\n"
		"            glob: \"*_test.go\"\n"
		"    - name: links\n"
		"      run: lychee {staged_files}\n"
		"      glob: '*.md'\n"
		"    - run: echo unnamed\n"
		"    - script: hello.sh\n"
		"      runner: sh\n";
	unsigned c, a;
	char *ini = convert("lefthook.yml", cfg, &c, &a);

	ck_assert_uint_eq(c, 5);
	ck_assert_uint_eq(a, 0);
	ck_has(ini, "[hook lint-&-test-1]\n# a job of the group 'lint & test'\nstrategy = pre-commit\n"
	       "command = make lint\nfiles = *.go\npass_files = no\ncwd = svc\nmodifies = yes\nstage_fixed = yes\n");
	ck_has(ini, "[hook lint-&-test-2]\n# a job of the group 'lint & test'\nstrategy = pre-commit\n"
	       "command = make test\nfiles = *_test.go\npass_files = no\ncwd = svc\ndepends = lint-&-test-1\n");
	ck_has(ini, "[hook links]\nstrategy = pre-commit\ncommand = lychee\nfiles = *.md\n\n");
	ck_has(ini, "[hook job-4]\nstrategy = pre-commit\ncommand = echo unnamed\n\n");
	ck_has(ini, "[hook hello.sh]\n");
	ck_has(ini, "command = sh .lefthook/pre-commit/hello.sh\n");
	free(ini);
}
END_TEST

/* A hook of lefthook's own name is accounted for, commented out. */
START_TEST(test_lefthook_manual)
{
	static const char cfg[] =
		"colors: false\n"
		"output: [meta]\n"
		"lint:\n"
		"  jobs:\n"
		"    - name: golang\n"
		"      run: make lint\n"
		"pre-commit:\n"
		"  setup:\n"
		"    - run: true\n"
		"  commands:\n"
		"    x:\n"
		"      run: make x\n";
	unsigned c, a;
	char *ini = convert("lefthook.yml", cfg, &c, &a);

	ck_assert_uint_eq(c, 1);
	ck_assert_uint_eq(a, 1);
	ck_has(ini, "# [hook golang]\n# not converted: 'lint' is no git hook: lefthook runs it by hand");
	ck_lacks(ini, "[strategy lint]");
	ck_has(ini, "# lefthook's setup commands (line 9) are not carried over\n");
	/* The hook that runs keeps the plain name. */
	ck_has(ini, "[hook x]\n");
	free(ini);
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *name, *text, *want;
		unsigned long line;
	} bad[] = {
		{ ".pre-commit-config.yaml", "repos: [\n", "not YAML", 2 },
		{ ".pre-commit-config.yaml", "repos: 3\n", "'repos' is not a list", 1 },
		{ ".pre-commit-config.yaml", "repos:\n- hooks: []\n", "without 'repo:'", 2 },
		{ ".pre-commit-config.yaml", "repos:\n- repo: local\n  hooks:\n  - entry: x\n", "without 'id:'", 4 },
		{ ".pre-commit-config.yaml", "- a\n", "not a mapping", 1 },
		/* A good item before a bad one: nothing pushed may leak. */
		{ ".pre-commit-config.yaml", "default_stages: [pre-commit, [x]]\nrepos: []\n",
		  "default_stages is not a list", 1 },
		{ ".pre-commit-config.yaml", "", "empty", 0 },
		{ "lefthook.yml", "colors: false\n", "no git hook key", 1 },
		{ "lefthook.yml", "pre-commit:\n  commands: [a]\n", "not a mapping", 2 },
		{ "x.yml", "a: b\n", "neither a pre-commit nor a lefthook", 0 },
	};
	struct migrate_result r;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		ck_assert_msg(migrate_convert(bad[i].name, bad[i].text, strlen(bad[i].text),
					      &r, &e) != 0, "case %zu converted", i);
		ck_assert_msg(strstr(e.msg, bad[i].want) != NULL, "case %zu: '%s'", i, e.msg);
		ck_assert_msg(e.line == bad[i].line, "case %zu: line %lu, want %lu", i,
			      e.line, bad[i].line);
		migrate_release(&r);
	}
}
END_TEST

/* A hook's stages with a good item before a bad one: refused, nothing leaks. */
START_TEST(test_bad_stages)
{
	static const char text[] =
		"repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n"
		"    entry: x\n    language: system\n    stages: [pre-commit, [y]]\n";
	struct migrate_result r;
	struct err e = { 0 };

	ck_assert_int_eq(migrate_convert(".pre-commit-config.yaml", text, strlen(text), &r, &e), 0);
	ck_assert_uint_eq(r.converted, 0);
	ck_assert_uint_eq(r.attention, 1);
	ck_assert_ptr_nonnull(strstr(r.ini.p, "stages must be a list (line 8)"));
	migrate_release(&r);
}
END_TEST

/* Anchors, aliases and merge keys: libyaml resolves, "<<" is honoured. */
START_TEST(test_aliases)
{
	static const char cfg[] =
		"x-base: &base\n"
		"  language: system\n"
		"  types: [python]\n"
		"repos:\n"
		"- repo: local\n"
		"  hooks:\n"
		"  - <<: *base\n"
		"    id: one\n"
		"    entry: one\n"
		"  - <<: *base\n"
		"    id: two\n"
		"    entry: two\n";
	unsigned c, a;
	char *ini = convert(".pre-commit-config.yaml", cfg, &c, &a);

	ck_assert_uint_eq(c, 2);
	ck_has(ini, "[hook one]\ncommand = one\ntypes = python\n");
	ck_has(ini, "[hook two]\ncommand = two\ntypes = python\n");
	free(ini);
}
END_TEST

/* Many aliases of aliases (a "billion laughs"): bounded, no blow-up. */
START_TEST(test_alias_bomb)
{
	struct buf b = { 0 };
	struct migrate_result r;
	struct err e;
	int i, j;

	buf_adds(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 20; i++) {
		buf_printf(&b, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
		buf_adds(&b, "]\n");
	}
	buf_adds(&b, "repos:\n- repo: local\n  hooks:\n  - id: h\n    entry: e\n    language: system\n    types: *a19\n");
	ck_assert_int_eq(migrate_convert(".pre-commit-config.yaml", b.p, b.len, &r, &e), 0);
	ck_assert_uint_eq(r.attention, 1);
	migrate_release(&r);
	buf_release(&b);
}
END_TEST

START_TEST(test_detect)
{
	ck_assert_int_eq(migrate_detect("a/.pre-commit-config.yaml", NULL, 0), MIGRATE_PRECOMMIT);
	ck_assert_int_eq(migrate_detect("lefthook.yml", NULL, 0), MIGRATE_LEFTHOOK);
	ck_assert_int_eq(migrate_detect("cfg.yaml", "# c\nrepos:\n", 11), MIGRATE_PRECOMMIT);
	ck_assert_int_eq(migrate_detect("cfg.yaml", "pre-push:\n", 10), MIGRATE_LEFTHOOK);
	ck_assert_int_eq(migrate_detect("cfg.yaml", "x: 1\n", 5), MIGRATE_UNKNOWN);
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pyregex_table);
	tcase_add_test(tc, test_pyregex_refused);
	tcase_add_test(tc, test_sh_quote);
	tcase_add_test(tc, test_glob_expand);
	tcase_add_test(tc, test_precommit);
	tcase_add_test(tc, test_precommit_names_and_types);
	tcase_add_test(tc, test_lefthook);
	tcase_add_test(tc, test_lefthook_sequential);
	tcase_add_test(tc, test_lefthook_groups);
	tcase_add_test(tc, test_lefthook_manual);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_bad_stages);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_alias_bomb);
	tcase_add_test(tc, test_detect);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(migrate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
