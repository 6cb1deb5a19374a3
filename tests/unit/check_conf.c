/*
 * check_conf.c - unit tests for conf.[ch]: defaults, every key, value
 * syntax, continuation lines, and every configuration error with its
 * exact line (golden files in $TESTDATA/bad, shared with
 * tests/cli/config-errors.sh).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "plan.h"
#include "util.h"

Suite *conf_suite(void);

/* conf.c's longest line: Debian's inih has a 200-byte buffer. */
#define MAX_LINE_TEST 199

/* --- helpers ------------------------------------------------------------ */

static const char *
testdata(void)
{
	const char *d = getenv("TESTDATA");

	return d != NULL && *d != '\0' ? d : "tests/data";
}

/* A template for mkdtemp/mkstemp under $TMPDIR (caller frees). */
static char *
tmp_template(void)
{
	const char *d = getenv("TMPDIR");

	return xasprintf("%s/check_conf.XXXXXX", d != NULL && *d == '/' ? d : "/tmp");
}

/* Parse `len` bytes of `text` as "test.ini" into a fresh conf. */
static int
parse_n(struct conf *c, const char *text, size_t len, struct err *e)
{
	conf_init(c);
	memset(e, 0, sizeof(*e));
	return conf_parse(c, "test.ini", text, len, e);
}

static int
parse(struct conf *c, const char *text, struct err *e)
{
	return parse_n(c, text, strlen(text), e);
}

/* Parse text that must be valid. */
#define PARSE_OK(c, text) do {                                              \
	struct err e_;                                                      \
	int r_ = parse((c), (text), &e_);                                   \
	ck_assert_msg(r_ == 0, "unexpected error at line %lu: %s",          \
		      e_.line, e_.msg);                                     \
} while (0)

/* Parse text that must fail at `line` with `sub` in the message. */
#define PARSE_BAD(text, want_line, sub) do {                                \
	struct conf c_;                                                     \
	struct err e_;                                                      \
	int r_ = parse(&c_, (text), &e_);                                   \
	ck_assert_msg(r_ == -1, "accepted: %s", (text));                    \
	ck_assert_uint_eq(e_.line, (want_line));                            \
	ck_assert_msg(strstr(e_.msg, (sub)) != NULL,                        \
		      "message '%s' lacks '%s'", e_.msg, (sub));            \
	ck_assert_ptr_nonnull(e_.file);                                     \
	ck_assert_str_eq(e_.file, "test.ini");                              \
	conf_release(&c_);                                                  \
} while (0)

/* A string of n copies of ch (caller frees). */
static char *
repeat(char ch, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, ch, n);
	s[n] = '\0';
	return s;
}


/* --- core: defaults and keys -------------------------------------------- */

START_TEST(test_defaults)
{
	struct conf c;

	memset(&c, 0xa5, sizeof(c));
	conf_init(&c);
	ck_assert_int_eq(c.settings.jobs, 0);
	ck_assert_int_eq(c.settings.timeout, 300);
	ck_assert_int_eq(c.settings.kill_grace, 5);
	ck_assert_int_eq(c.settings.schedule, SCHED_WAVES);
	ck_assert(c.settings.strategy_parallel);
	ck_assert_int_eq(c.settings.max_concurrent_strategies, 2);
	ck_assert(!c.settings.fail_fast);
	ck_assert_int_eq(c.settings.output_limit, 1048576);
	ck_assert_ptr_null(c.path);
	ck_assert_ptr_null(c.hooks);
	ck_assert_ptr_null(c.strategies);
	ck_assert_uint_eq(c.nhooks, 0);
	ck_assert_uint_eq(c.nstrategies, 0);
	conf_release(&c);       /* safe on an empty conf */
}
END_TEST

START_TEST(test_schedule_names)
{
	ck_assert_int_eq(schedule_parse("waves"), SCHED_WAVES);
	ck_assert_int_eq(schedule_parse("eager"), SCHED_EAGER);
	ck_assert_int_eq(schedule_parse("sequential"), SCHED_SEQUENTIAL);
	ck_assert_int_eq(schedule_parse(""), SCHED_UNSET);
	ck_assert_int_eq(schedule_parse("wave"), SCHED_UNSET);
	ck_assert_int_eq(schedule_parse("parallel"), SCHED_UNSET);
	ck_assert_str_eq(schedule_name(SCHED_WAVES), "waves");
	ck_assert_str_eq(schedule_name(SCHED_EAGER), "eager");
	ck_assert_str_eq(schedule_name(SCHED_SEQUENTIAL), "sequential");
	ck_assert_str_eq(schedule_name(SCHED_UNSET), "unset");
}
END_TEST

START_TEST(test_settings_keys)
{
	struct conf c;

	PARSE_OK(&c,
		 "[settings]\n"
		 "jobs = 7\n"
		 "timeout = 0\n"
		 "kill_grace = 9\n"
		 "schedule = sequential\n"
		 "strategy_parallel = no\n"
		 "max_concurrent_strategies = 3\n"
		 "fail_fast = yes\n"
		 "output_limit = 4096\n");
	ck_assert_int_eq(c.settings.jobs, 7);
	ck_assert_int_eq(c.settings.timeout, 0);
	ck_assert_int_eq(c.settings.kill_grace, 9);
	ck_assert_int_eq(c.settings.schedule, SCHED_SEQUENTIAL);
	ck_assert(!c.settings.strategy_parallel);
	ck_assert_int_eq(c.settings.max_concurrent_strategies, 3);
	ck_assert(c.settings.fail_fast);
	ck_assert_int_eq(c.settings.output_limit, 4096);
	ck_assert_uint_eq(c.nhooks, 0);
	ck_assert_uint_eq(c.nstrategies, 0);
	ck_assert_str_eq(c.path, "test.ini");
	conf_release(&c);

	PARSE_OK(&c, "[settings]\nschedule = eager\n");
	ck_assert_int_eq(c.settings.schedule, SCHED_EAGER);
	conf_release(&c);
	PARSE_OK(&c, "[settings]\nschedule = waves\n");
	ck_assert_int_eq(c.settings.schedule, SCHED_WAVES);
	conf_release(&c);
}
END_TEST

START_TEST(test_jobs_auto)
{
	struct conf c;

	PARSE_OK(&c, "[settings]\njobs = 4\n");
	ck_assert_int_eq(c.settings.jobs, 4);
	conf_release(&c);
	PARSE_OK(&c, "[settings]\njobs = auto\n");
	ck_assert_int_eq(c.settings.jobs, 0);
	conf_release(&c);
}
END_TEST

/* Every numeric key takes its upper bound, and leading zeros. */
START_TEST(test_number_bounds)
{
	struct conf c;

	PARSE_OK(&c,
		 "[settings]\n"
		 "jobs = 1024\n"
		 "timeout = 2147483\n"
		 "kill_grace = 3600\n"
		 "max_concurrent_strategies = 1024\n"
		 "output_limit = 1073741824\n"
		 "[strategy s]\n"
		 "max_workers = 1024\n"
		 "timeout = 0\n"
		 "[hook a]\n"
		 "command = x\n"
		 "strategy = s\n"
		 "timeout = 007\n"
		 "batch_size = 1000000\n");
	ck_assert_int_eq(c.settings.jobs, 1024);
	ck_assert_int_eq(c.settings.timeout, 2147483);
	ck_assert_int_eq(c.settings.kill_grace, 3600);
	ck_assert_int_eq(c.settings.max_concurrent_strategies, 1024);
	ck_assert_int_eq(c.settings.output_limit, 1073741824L);
	ck_assert_int_eq(c.strategies[0].max_workers, 1024);
	ck_assert_int_eq(c.strategies[0].timeout, 0);
	ck_assert_int_eq(c.hooks[0].timeout, 7);
	ck_assert_int_eq(c.hooks[0].batch_size, 1000000);
	conf_release(&c);
}
END_TEST

START_TEST(test_strategy_keys)
{
	struct conf c;
	const struct conf_strategy *s;

	PARSE_OK(&c,
		 "[strategy fast]\n"
		 "parallel = no\n"
		 "max_workers = 4\n"
		 "timeout = 60\n"
		 "schedule = eager\n"
		 "\n"
		 "[strategy bare]\n");
	ck_assert_uint_eq(c.nstrategies, 2);
	s = &c.strategies[0];
	ck_assert_str_eq(s->name, "fast");
	ck_assert_uint_eq(s->line, 1);
	ck_assert(s->has_section);
	ck_assert_int_eq(s->parallel, 0);
	ck_assert_int_eq(s->max_workers, 4);
	ck_assert_int_eq(s->timeout, 60);
	ck_assert_int_eq(s->schedule, SCHED_EAGER);
	s = &c.strategies[1];
	ck_assert_str_eq(s->name, "bare");
	ck_assert_uint_eq(s->line, 7);
	ck_assert(s->has_section);
	ck_assert_int_eq(s->parallel, -1);
	ck_assert_int_eq(s->max_workers, CONF_UNSET);
	ck_assert_int_eq(s->timeout, CONF_UNSET);
	ck_assert_int_eq(s->schedule, SCHED_UNSET);
	ck_assert_uint_eq(c.nhooks, 0);
	conf_release(&c);

	PARSE_OK(&c, "[strategy s]\nparallel = yes\n");
	ck_assert_int_eq(c.strategies[0].parallel, 1);
	conf_release(&c);

	/* git_hooks: names of git's hooks, commas and/or blanks, once each. */
	PARSE_OK(&c, "[strategy s]\ngit_hooks = pre-push, commit-msg pre-push\n"
		     "[strategy t]\n");
	ck_assert_uint_eq(c.strategies[0].git_hooks.n, 2);
	ck_assert_str_eq(c.strategies[0].git_hooks.v[0], "pre-push");
	ck_assert_str_eq(c.strategies[0].git_hooks.v[1], "commit-msg");
	ck_assert_uint_eq(c.strategies[1].git_hooks.n, 0);
	conf_release(&c);
	PARSE_BAD("[strategy s]\n\ngit_hooks = pre-commit precommit\n", 3,
		  "unknown git hook 'precommit'");
	PARSE_BAD("[strategy s]\ngit_hooks = pre-commit\ngit_hooks = pre-push\n",
		  3, "git_hooks");
}
END_TEST

START_TEST(test_hook_keys)
{
	struct conf c;
	const struct conf_hook *h;

	PARSE_OK(&c,
		 "[hook gitleaks]\n"                            /* 1 */
		 "command = gitleaks protect\n"
		 "strategy = fast\n"
		 "\n"
		 "[hook ruff-format]\n"                         /* 5 */
		 "command = ruff format --check\n"
		 "strategy = fast\n"                            /* 7 */
		 "depends = gitleaks\n"                         /* 8 */
		 "timeout = 60\n"
		 "critical = yes\n"
		 "files = *.py src/**/*.pyi\n"
		 "exclude = tests/fixtures/**\n"
		 "batch_size = 25\n"
		 "serial = yes\n"
		 "env = RUFF_CACHE_DIR=.cache/ruff\n"
		 "cwd = subdir\n"
		 "enabled = no\n");
	ck_assert_uint_eq(c.nhooks, 2);
	ck_assert_uint_eq(c.nstrategies, 1);
	ck_assert_str_eq(c.strategies[0].name, "fast");
	ck_assert(!c.strategies[0].has_section);
	ck_assert_uint_eq(c.strategies[0].line, 3);

	h = &c.hooks[0];
	ck_assert_str_eq(h->name, "gitleaks");
	ck_assert_uint_eq(h->line, 1);
	ck_assert_str_eq(h->command, "gitleaks protect");
	/* Everything left out keeps its default. */
	ck_assert_uint_eq(h->depends.n, 0);
	ck_assert_uint_eq(h->depends_line, 0);
	ck_assert_int_eq(h->timeout, CONF_UNSET);
	ck_assert(!h->critical);
	ck_assert_uint_eq(h->files.n, 0);
	ck_assert_uint_eq(h->exclude.n, 0);
	ck_assert_int_eq(h->batch_size, 0);
	ck_assert(!h->serial);
	ck_assert_uint_eq(h->env.n, 0);
	ck_assert_ptr_null(h->cwd);
	ck_assert(h->enabled);

	h = &c.hooks[1];
	ck_assert_str_eq(h->name, "ruff-format");
	ck_assert_uint_eq(h->line, 5);
	ck_assert_str_eq(h->command, "ruff format --check");
	ck_assert_uint_eq(h->strategy, 0);
	ck_assert_uint_eq(h->strategy_line, 7);
	ck_assert_uint_eq(h->depends.n, 1);
	ck_assert_str_eq(h->depends.v[0], "gitleaks");
	ck_assert_uint_eq(h->depends_line, 8);
	ck_assert_uint_eq(h->dep_index[0], 0);
	ck_assert_int_eq(h->timeout, 60);
	ck_assert(h->critical);
	ck_assert_uint_eq(h->files.n, 2);
	ck_assert_str_eq(h->files.v[0], "*.py");
	ck_assert_str_eq(h->files.v[1], "src/**/*.pyi");
	ck_assert_uint_eq(h->exclude.n, 1);
	ck_assert_str_eq(h->exclude.v[0], "tests/fixtures/**");
	ck_assert_int_eq(h->batch_size, 25);
	ck_assert(h->serial);
	ck_assert_uint_eq(h->env.n, 1);
	ck_assert_str_eq(h->env.v[0], "RUFF_CACHE_DIR=.cache/ruff");
	ck_assert_str_eq(h->cwd, "subdir");
	ck_assert(!h->enabled);

	ck_assert_int_eq(conf_find_hook(&c, "gitleaks"), 0);
	ck_assert_int_eq(conf_find_hook(&c, "ruff-format"), 1);
	ck_assert_int_eq(conf_find_hook(&c, "ruff"), -1);
	ck_assert_int_eq(conf_find_strategy(&c, "fast"), 0);
	ck_assert_int_eq(conf_find_strategy(&c, "default"), -1);
	conf_release(&c);
}
END_TEST

/* cache, cache_key, inputs, [settings] cache, and the mode a hook runs
   with. */
START_TEST(test_cache_keys)
{
	struct conf c;
	const struct conf_hook *h;

	ck_assert_int_eq(conf_cache_parse("whole"), CACHE_WHOLE);
	ck_assert_int_eq(conf_cache_parse("files"), CACHE_FILES);
	ck_assert_int_eq(conf_cache_parse("no"), CACHE_NO);
	ck_assert_int_eq(conf_cache_parse("unset"), CACHE_UNSET);
	ck_assert_int_eq(conf_cache_parse("Whole"), CACHE_UNSET);
	ck_assert_int_eq(conf_cache_parse("yes"), CACHE_UNSET);
	ck_assert_int_eq(conf_cache_parse(""), CACHE_UNSET);
	ck_assert_str_eq(conf_cache_name(CACHE_WHOLE), "whole");
	ck_assert_str_eq(conf_cache_name(CACHE_FILES), "files");
	ck_assert_str_eq(conf_cache_name(CACHE_NO), "no");
	ck_assert_str_eq(conf_cache_name(CACHE_UNSET), "unset");

	/* Nothing said: every hook is `whole`, with no key nor inputs. */
	PARSE_OK(&c, "[hook a]\ncommand = x\n");
	ck_assert_int_eq(c.settings.cache, CACHE_WHOLE);
	ck_assert_int_eq(c.hooks[0].cache, CACHE_UNSET);
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[0]), CACHE_WHOLE);
	ck_assert_ptr_null(c.hooks[0].cache_key);
	ck_assert_uint_eq(c.hooks[0].inputs.n, 0);
	conf_release(&c);

	PARSE_OK(&c,
		 "[settings]\n"
		 "cache = files\n"
		 "[hook ruff]\n"
		 "command = ruff check\n"
		 "files = *.py\n"
		 "cache_key = ruff --version &&\n"
		 "  python3 --version\n"
		 "inputs = pyproject.toml  ruff.toml\n"
		 "  .config/[ ]x/*.toml\n"
		 "[hook mypy]\n"
		 "command = mypy\n"
		 "cache = whole\n"
		 "[hook tests]\n"
		 "command = make check\n"
		 "cache = no\n"
		 "[hook fmt]\n"
		 "command = fmt\n"
		 "cache = files\n");
	ck_assert_int_eq(c.settings.cache, CACHE_FILES);
	h = &c.hooks[0];
	ck_assert_int_eq(h->cache, CACHE_UNSET);
	ck_assert_int_eq(conf_hook_cache(&c, h), CACHE_FILES);
	ck_assert_str_eq(h->cache_key, "ruff --version && python3 --version");
	ck_assert_uint_eq(h->inputs.n, 3);
	ck_assert_str_eq(h->inputs.v[0], "pyproject.toml");
	ck_assert_str_eq(h->inputs.v[1], "ruff.toml");
	ck_assert_str_eq(h->inputs.v[2], ".config/[ ]x/*.toml");
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[1]), CACHE_WHOLE);
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[2]), CACHE_NO);
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[3]), CACHE_FILES);
	/* A conf whose settings were left unset still answers `whole`. */
	c.settings.cache = CACHE_UNSET;
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[0]), CACHE_WHOLE);
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[2]), CACHE_NO);
	conf_release(&c);

	PARSE_OK(&c, "[settings]\ncache = no\n[hook a]\ncommand = x\n");
	ck_assert_int_eq(conf_hook_cache(&c, &c.hooks[0]), CACHE_NO);
	conf_release(&c);

	/* Bad values, repeats and typos, at their lines. */
	PARSE_BAD("[hook a]\ncommand = x\ncache = yes\n", 3,
		  "bad value 'yes' for 'cache': want whole, files or no");
	PARSE_BAD("[hook a]\ncommand = x\ncache = Files\n", 3,
		  "bad value 'Files' for 'cache'");
	PARSE_BAD("[hook a]\ncommand = x\ncache = files no\n", 3,
		  "bad value 'files no' for 'cache'");
	PARSE_BAD("[settings]\ncache = off\n", 2,
		  "bad value 'off' for 'cache': want whole, files or no");
	PARSE_BAD("[hook a]\ncommand = x\ncache = no\ncache = no\n", 4,
		  "'cache' is set twice in [hook a]");
	PARSE_BAD("[hook a]\ncommand = x\ncache_key = a\n\ncache_key = b\n", 5,
		  "'cache_key' is set twice in [hook a]");
	PARSE_BAD("[hook a]\ncommand = x\ninputs = a\ninputs = b\n", 4,
		  "'inputs' is set twice in [hook a]");
	PARSE_BAD("[hook a]\ncommand = x\ninput = a\n", 3,
		  "unknown key 'input' in [hook a] (did you mean 'inputs'?)");
	PARSE_BAD("[hook a]\ncommand = x\ncachekey = a\n", 3,
		  "(did you mean 'cache_key'?)");
	PARSE_BAD("[settings]\ncach = no\n", 2, "(did you mean 'cache'?)");
	PARSE_BAD("[strategy s]\ncache = no\n", 2,
		  "unknown key 'cache' in [strategy s]");
}
END_TEST

/* Comments: whole-line ; and #, inline only after whitespace. */
START_TEST(test_comments)
{
	struct conf c;

	PARSE_OK(&c,
		 "; comment\n"
		 "# another\n"
		 "[hook a] ; trailing comment\n"
		 "command = make check ; not part of it\n"
		 "[hook b]\n"
		 "command = a;b\n");
	ck_assert_str_eq(c.hooks[0].command, "make check");
	ck_assert_str_eq(c.hooks[1].command, "a;b");
	conf_release(&c);
}
END_TEST

/* Names: 1..64 bytes of UTF-8 without blanks, controls, ',' or '/'. */
START_TEST(test_valid_names)
{
	struct conf c;
	char *name = repeat('n', CONF_NAME_MAX);
	char *text = xasprintf("[hook %s]\ncommand = x\n"
			       "[hook caf\xc3\xa9.mypy:strict_1-x]\ncommand = x\n"
			       "strategy = \xe6\x97\xa9\n"
			       "[hook  padded  ]\ncommand = x\n", name);

	PARSE_OK(&c, text);
	ck_assert_uint_eq(c.nhooks, 3);
	ck_assert_str_eq(c.hooks[0].name, name);
	ck_assert_str_eq(c.hooks[1].name, "caf\xc3\xa9.mypy:strict_1-x");
	ck_assert_str_eq(c.strategies[c.hooks[1].strategy].name, "\xe6\x97\xa9");
	ck_assert_str_eq(c.hooks[2].name, "padded");
	conf_release(&c);
	free(text);
	free(name);
}
END_TEST

struct bool_case {
	const char *text;
	bool value;
};

static const struct bool_case bool_cases[] = {
	{ "yes", true }, { "YES", true }, { "Yes", true }, { "yEs", true },
	{ "true", true }, { "TRUE", true }, { "True", true },
	{ "on", true }, { "ON", true }, { "On", true }, { "1", true },
	{ "no", false }, { "NO", false }, { "No", false }, { "nO", false },
	{ "false", false }, { "FALSE", false }, { "False", false },
	{ "off", false }, { "OFF", false }, { "Off", false }, { "0", false },
};

/* Each spelling, in every boolean key of every section. */
START_TEST(test_booleans)
{
	const struct bool_case *b = &bool_cases[_i];
	struct conf c;
	char *text = xasprintf("[settings]\n"
			       "strategy_parallel = %s\n"
			       "fail_fast = %s\n"
			       "[strategy s]\n"
			       "parallel = %s\n"
			       "[hook a]\n"
			       "command = x\n"
			       "strategy = s\n"
			       "critical = %s\n"
			       "serial = %s\n"
			       "enabled = %s\n",
			       b->text, b->text, b->text, b->text, b->text,
			       b->text);

	PARSE_OK(&c, text);
	ck_assert_int_eq(c.settings.strategy_parallel, b->value);
	ck_assert_int_eq(c.settings.fail_fast, b->value);
	ck_assert_int_eq(c.strategies[0].parallel, b->value ? 1 : 0);
	ck_assert_int_eq(c.hooks[0].critical, b->value);
	ck_assert_int_eq(c.hooks[0].serial, b->value);
	ck_assert_int_eq(c.hooks[0].enabled, b->value);
	conf_release(&c);
	free(text);
}
END_TEST

/* modifies and stage_fixed: booleans; stage_fixed needs modifies. */
START_TEST(test_fixer_keys)
{
	struct conf c;

	PARSE_OK(&c, "[hook a]\ncommand = x\n"
		 "[hook f]\ncommand = fmt\nmodifies = yes\nstage_fixed = on\n"
		 "[hook g]\ncommand = fmt\nmodifies = true\n"
		 "[hook h]\ncommand = x\nstage_fixed = no\nmodifies = no\n");
	ck_assert(!c.hooks[0].modifies);
	ck_assert(!c.hooks[0].stage_fixed);
	ck_assert(c.hooks[1].modifies);
	ck_assert(c.hooks[1].stage_fixed);
	ck_assert(c.hooks[2].modifies);
	ck_assert(!c.hooks[2].stage_fixed);
	ck_assert(!c.hooks[3].modifies);
	conf_release(&c);
	/* stage_fixed written before modifies is fine: the section decides. */
	PARSE_OK(&c, "[hook f]\nstage_fixed = yes\ncommand = x\nmodifies = 1\n");
	ck_assert(c.hooks[0].stage_fixed && c.hooks[0].modifies);
	conf_release(&c);
	PARSE_BAD("[hook f]\ncommand = x\n\nstage_fixed = yes\n[hook g]\n"
		  "command = y\n", 4,
		  "hook 'f' has 'stage_fixed = yes' but not 'modifies = yes'");
	PARSE_BAD("[hook f]\ncommand = x\nmodifies = no\nstage_fixed = yes\n",
		  4, "but not 'modifies = yes'");
	PARSE_BAD("[hook f]\ncommand = x\nmodifies = maybe\n", 3, "bad value");
	PARSE_BAD("[hook f]\ncommand = x\nmodifies = yes\nmodifies = yes\n",
		  4, "modifies");
}
END_TEST

/* types, exclude_types, files_regex, exclude_regex, pass_files,
   always_run: parsed, checked at their lines, defaults. */
START_TEST(test_select_keys)
{
	struct conf c;
	const struct conf_hook *h;

	PARSE_OK(&c, "[hook a]\ncommand = x\n"
		 "[hook b]\ncommand = lint\ntypes = python shell, file+c++\n"
		 "exclude_types = binary\nfiles_regex = ^src/.*\\.py$\n"
		 "exclude_regex = (^|/)tests/\npass_files = no\n"
		 "always_run = yes\n"
		 "[hook c]\ncommand = x\nexclude = *.md\n");
	h = &c.hooks[0];
	ck_assert(h->pass_files && !h->always_run);
	ck_assert_uint_eq(h->types.n, 0);
	ck_assert_ptr_null(h->files_regex.re);
	ck_assert(!conf_hook_selects(h) && !conf_hook_passes_files(h));
	h = &c.hooks[1];
	ck_assert_uint_eq(h->types.n, 3);
	ck_assert(h->types.alts[0] == filetype_tag("python"));
	ck_assert(h->types.alts[1] == filetype_tag("shell"));
	ck_assert(h->types.alts[2] ==
		  (filetype_tag("file") | filetype_tag("c++")));
	ck_assert_uint_eq(h->types.line, 5);
	ck_assert_uint_eq(h->exclude_types.n, 1);
	ck_assert_ptr_nonnull(h->files_regex.re);
	ck_assert_str_eq(h->files_regex.text, "^src/.*\\.py$");
	ck_assert_uint_eq(h->exclude_regex.line, 8);
	ck_assert(regexec(h->files_regex.re, "src/a/b.py", 0, NULL, 0) == 0);
	ck_assert(regexec(h->files_regex.re, "lib/src/b.py", 0, NULL, 0) != 0);
	ck_assert(regexec(h->exclude_regex.re, "a/tests/x", 0, NULL, 0) == 0);
	ck_assert(!h->pass_files && h->always_run);
	ck_assert(conf_hook_selects(h) && !conf_hook_passes_files(h));
	/* `exclude` alone chooses nothing: the hook runs once, as before. */
	ck_assert(!conf_hook_selects(&c.hooks[2]));
	conf_release(&c);
	PARSE_OK(&c, "[hook a]\ncommand = x\nfiles_regex = \\.c$\n");
	ck_assert(conf_hook_selects(&c.hooks[0]));
	ck_assert(conf_hook_passes_files(&c.hooks[0]));
	conf_release(&c);

	PARSE_BAD("[hook a]\ncommand = x\n\ntypes = python pyton\n", 4,
		  "unknown type 'pyton' in 'types'");
	PARSE_BAD("[hook a]\ncommand = x\ntypes = c\nexclude_types = c+\n", 4,
		  "unknown type 'c+' in 'exclude_types'");
	PARSE_BAD("[hook a]\ncommand = x\ntypes = ,\n", 3,
		  "'types' names no type");
	PARSE_BAD("[hook a]\ncommand = x\nfiles_regex = a(b\n", 3,
		  "bad value for 'files_regex': ");
	PARSE_BAD("[hook a]\ncommand = x\ntypes = c\nexclude_regex = [z-a]\n",
		  4, "bad value for 'exclude_regex': ");
	PARSE_BAD("[hook a]\ncommand = x\npass_files = perhaps\n", 3,
		  "bad value");
	PARSE_BAD("[hook a]\ncommand = x\nalways_run = yes\nalways_run = no\n",
		  4, "'always_run' is set twice");
	PARSE_BAD("[hook a]\ncommand = x\ntypes = c\ntypes = go\n", 4,
		  "'types' is set twice");
	/* Excluding needs something to narrow. */
	PARSE_BAD("[hook a]\ncommand = x\n\nexclude_types = binary\n", 4,
		  "hook 'a' has 'exclude_types' but no 'files', 'files_regex' or 'types'");
	PARSE_BAD("[hook a]\ncommand = x\nexclude_regex = x\nfiles = *.md\n"
		  "[hook b]\ncommand = y\nexclude_regex = ^t/\n", 7,
		  "hook 'b' has 'exclude_regex'");
	/* Files chosen by types follow the command too. */
	PARSE_BAD("[hook a]\ncommand = x &&\ntypes = python\n", 2,
		  "hook 'a' has files, but its command ");
	/* ...but not when they are not passed. */
	PARSE_OK(&c, "[hook a]\ncommand = x &&\n  y;\ntypes = python\n"
		 "pass_files = no\n");
	conf_release(&c);
	/* A typo is told the nearest key. */
	PARSE_BAD("[hook a]\ncommand = x\ntype = python\n", 3,
		  "did you mean 'types'?");
}
END_TEST

/* launcher on a strategy or a hook (the hook's wins), launcher_shell. */
START_TEST(test_launcher_keys)
{
	struct conf c;
	bool sh;

	PARSE_OK(&c, "[strategy far]\nlauncher = ssh -o 'BatchMode yes' host\n"
		 "launcher_shell = yes\n"
		 "[hook a]\nstrategy = far\ncommand = x\n"
		 "[hook b]\nstrategy = far\ncommand = x\n"
		 "launcher = srun --ntasks=1 --\nlauncher_shell = no\n"
		 "[hook c]\ncommand = x\n"
		 "[hook d]\nstrategy = far\ncommand = x\nlauncher = env A=1\n");
	ck_assert_str_eq(conf_hook_launcher(&c, &c.hooks[0], &sh),
			 "ssh -o 'BatchMode yes' host");
	ck_assert(sh);
	ck_assert_str_eq(conf_hook_launcher(&c, &c.hooks[1], &sh),
			 "srun --ntasks=1 --");
	ck_assert(!sh);
	ck_assert_ptr_null(conf_hook_launcher(&c, &c.hooks[2], &sh));
	ck_assert(!sh);
	ck_assert_str_eq(conf_hook_launcher(&c, &c.hooks[3], &sh), "env A=1");
	ck_assert(sh);          /* the strategy's launcher_shell */
	conf_release(&c);
	PARSE_BAD("[hook a]\ncommand = x\nlauncher = ssh $HOST\n", 3,
		  "bad value for 'launcher': '$' needs a shell");
	PARSE_BAD("[strategy s]\n\nlauncher = srun; true\n", 3,
		  "';' needs a shell");
	PARSE_BAD("[hook a]\ncommand = x\nlauncher = ssh 'host\n", 3,
		  "not closed");
	PARSE_BAD("[hook a]\ncommand = x\nlauncher_shell = maybe\n", 3,
		  "bad value");
	PARSE_BAD("[strategy s]\nlauncher = a\nlauncher = b\n", 3, "launcher");
}
END_TEST

START_TEST(test_not_booleans)
{
	static const char *const bad[] = {
		"y", "n", "2", "tru", "yess", "enabled", "-1", "yes please", "0x1"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("[hook a]\ncommand = x\nserial = %s\n",
				       bad[i]);
		PARSE_BAD(text, 3, "bad value");
		free(text);
	}
}
END_TEST

/* inih calls the handler again for an indented line: one space joins. */
START_TEST(test_continuation)
{
	struct conf c;

	PARSE_OK(&c,
		 "[hook a]\n"
		 "command = a\n"
		 "  b\n"
		 "\tc   d\n"
		 "; a comment does not end the value\n"
		 "    e\n"
		 "timeout = 5\n"
		 "[hook b]\n"
		 "  command = indented key right after a header\n"
		 "depends = a,\n"
		 "  a\n"
		 "files = *.c\n"
		 "   *.h\n"
		 "[hook c]\n"
		 "command =\n"
		 "  make check\n");
	ck_assert_str_eq(c.hooks[0].command, "a b c   d e");
	ck_assert_int_eq(c.hooks[0].timeout, 5);
	ck_assert_str_eq(c.hooks[1].command, "indented key right after a header");
	ck_assert_uint_eq(c.hooks[1].depends.n, 1);
	ck_assert_uint_eq(c.hooks[1].depends_line, 10);
	ck_assert_uint_eq(c.hooks[1].files.n, 2);
	ck_assert_str_eq(c.hooks[1].files.v[0], "*.c");
	ck_assert_str_eq(c.hooks[1].files.v[1], "*.h");
	ck_assert_str_eq(c.hooks[2].command, "make check");
	conf_release(&c);
}
END_TEST

/* A long command split over many 199-byte lines comes back whole. */
START_TEST(test_continuation_long)
{
	struct conf c;
	struct buf b = { 0 };
	char *part = repeat('x', 189);
	size_t i, want;

	buf_printf(&b, "[hook a]\ncommand = %s\n", part);     /* 199 bytes */
	for (i = 0; i < 50; i++)
		buf_printf(&b, "  %s\n", part);
	PARSE_OK(&c, b.p);
	want = 51 * 189 + 50;
	ck_assert_uint_eq(strlen(c.hooks[0].command), want);
	ck_assert_int_eq(c.hooks[0].command[189], ' ');
	ck_assert_int_eq(c.hooks[0].command[want - 1], 'x');
	conf_release(&c);
	free(part);
	free(b.p);
}
END_TEST

START_TEST(test_env_order)
{
	struct conf c;
	const struct conf_hook *h;

	PARSE_OK(&c,
		 "[hook a]\n"
		 "command = x\n"
		 "env = B=2\n"
		 "env = A=1\n"
		 "timeout = 1\n"
		 "env = B=3\n"
		 "env = _X9=a=b c\n"
		 "env = EMPTY=\n");
	h = &c.hooks[0];
	ck_assert_uint_eq(h->env.n, 5);
	ck_assert_str_eq(h->env.v[0], "B=2");
	ck_assert_str_eq(h->env.v[1], "A=1");
	ck_assert_str_eq(h->env.v[2], "B=3");
	ck_assert_str_eq(h->env.v[3], "_X9=a=b c");
	ck_assert_str_eq(h->env.v[4], "EMPTY=");
	conf_release(&c);
}
END_TEST

START_TEST(test_depends_split)
{
	struct conf c;
	const struct conf_hook *h;

	PARSE_OK(&c,
		 "[hook p]\ncommand = x\n"
		 "[hook q]\ncommand = x\n"
		 "[hook r]\ncommand = x\n"
		 "[hook s]\ncommand = x\n"
		 "[hook t]\ncommand = x\n"
		 "depends = p, q r,,s  p ,r\tq,\n");
	h = &c.hooks[4];
	ck_assert_uint_eq(h->depends.n, 4);
	ck_assert_str_eq(h->depends.v[0], "p");
	ck_assert_str_eq(h->depends.v[1], "q");
	ck_assert_str_eq(h->depends.v[2], "r");
	ck_assert_str_eq(h->depends.v[3], "s");
	ck_assert_uint_eq(h->dep_index[0], 0);
	ck_assert_uint_eq(h->dep_index[1], 1);
	ck_assert_uint_eq(h->dep_index[2], 2);
	ck_assert_uint_eq(h->dep_index[3], 3);
	ck_assert_uint_eq(h->depends_line, 11);
	conf_release(&c);

	/* A dependency may come later in the file. */
	PARSE_OK(&c,
		 "[hook a]\ncommand = x\ndepends = b\n"
		 "[hook b]\ncommand = x\n");
	ck_assert_uint_eq(c.hooks[0].dep_index[0], 1);
	conf_release(&c);
}
END_TEST

START_TEST(test_patterns_split)
{
	struct conf c;
	const struct conf_hook *h;

	PARSE_OK(&c,
		 "[hook a]\n"
		 "command = x\n"
		 "files = *.py  src/**/*.pyi\tname[ ]with[ ]space.txt [!]]x [ \t]lead a[b\n"
		 "exclude = tests/fixtures/** [ ] docs/*[ ]draft.md\n");
	h = &c.hooks[0];
	ck_assert_uint_eq(h->files.n, 6);
	ck_assert_str_eq(h->files.v[0], "*.py");
	ck_assert_str_eq(h->files.v[1], "src/**/*.pyi");
	ck_assert_str_eq(h->files.v[2], "name[ ]with[ ]space.txt");
	ck_assert_str_eq(h->files.v[3], "[!]]x");
	ck_assert_str_eq(h->files.v[4], "[ \t]lead");
	ck_assert_str_eq(h->files.v[5], "a[b");      /* no ']': a literal '[' */
	ck_assert_uint_eq(h->exclude.n, 3);
	ck_assert_str_eq(h->exclude.v[0], "tests/fixtures/**");
	ck_assert_str_eq(h->exclude.v[1], "[ ]");
	ck_assert_str_eq(h->exclude.v[2], "docs/*[ ]draft.md");
	conf_release(&c);

	/* Patterns are not deduplicated (only depends are). */
	PARSE_OK(&c, "[hook a]\ncommand = x\nfiles = *.c *.c\n");
	ck_assert_uint_eq(c.hooks[0].files.n, 2);
	conf_release(&c);
}
END_TEST

/* Strategies exist in order of first mention, "default" included. */
START_TEST(test_strategy_order)
{
	struct conf c;

	PARSE_OK(&c,
		 "[hook a]\n"           /* 1: default, when [hook a] ends */
		 "command = x\n"
		 "[hook b]\n"
		 "command = x\n"
		 "strategy = fast\n"    /* 5 */
		 "[strategy slow]\n"    /* 6 */
		 "timeout = 9\n"
		 "[hook c]\n"
		 "command = x\n"
		 "strategy = slow\n"
		 "[strategy fast]\n"    /* 11 */
		 "parallel = no\n");
	ck_assert_uint_eq(c.nstrategies, 3);
	ck_assert_str_eq(c.strategies[0].name, "default");
	ck_assert_str_eq(c.strategies[1].name, "fast");
	ck_assert_str_eq(c.strategies[2].name, "slow");
	ck_assert(!c.strategies[0].has_section);
	ck_assert(c.strategies[1].has_section);
	ck_assert(c.strategies[2].has_section);
	ck_assert_uint_eq(c.strategies[0].line, 1);
	ck_assert_uint_eq(c.strategies[1].line, 11);
	ck_assert_uint_eq(c.strategies[2].line, 6);
	ck_assert_int_eq(c.strategies[1].parallel, 0);
	ck_assert_int_eq(c.strategies[2].timeout, 9);
	ck_assert_uint_eq(c.hooks[0].strategy, 0);
	ck_assert_uint_eq(c.hooks[0].strategy_line, 0);
	ck_assert_uint_eq(c.hooks[1].strategy, 1);
	ck_assert_uint_eq(c.hooks[1].strategy_line, 5);
	ck_assert_uint_eq(c.hooks[2].strategy, 2);
	conf_release(&c);

	PARSE_OK(&c,
		 "[strategy zeta]\n"
		 "[hook a]\ncommand = x\n"
		 "[hook b]\ncommand = x\nstrategy = alpha\n"
		 "[strategy default]\ntimeout = 3\n"
		 "[hook c]\ncommand = x\nstrategy = zeta\n");
	ck_assert_uint_eq(c.nstrategies, 3);
	ck_assert_str_eq(c.strategies[0].name, "zeta");
	ck_assert_str_eq(c.strategies[1].name, "default");
	ck_assert_str_eq(c.strategies[2].name, "alpha");
	ck_assert(c.strategies[1].has_section);
	ck_assert_int_eq(c.strategies[1].timeout, 3);
	ck_assert_uint_eq(c.hooks[0].strategy, 1);
	ck_assert_uint_eq(c.hooks[1].strategy, 2);
	ck_assert_uint_eq(c.hooks[2].strategy, 0);
	conf_release(&c);
}
END_TEST

START_TEST(test_bom_crlf)
{
	struct conf c;

	PARSE_OK(&c,
		 "\xEF\xBB\xBF[settings]\r\n"
		 "jobs = 3\r\n"
		 "\r\n"
		 "; comment\r\n"
		 "[hook a]\r\n"
		 "command = echo hi\r\n"
		 "  there\r\n"
		 "files = *.c *.h\r\n"
		 "depends = b\r\n"
		 "[hook b]\r\n"
		 "command = true\r\n");
	ck_assert_int_eq(c.settings.jobs, 3);
	ck_assert_uint_eq(c.nhooks, 2);
	ck_assert_str_eq(c.hooks[0].command, "echo hi there");
	ck_assert_uint_eq(c.hooks[0].files.n, 2);
	ck_assert_str_eq(c.hooks[0].files.v[1], "*.h");
	ck_assert_str_eq(c.hooks[0].depends.v[0], "b");
	ck_assert_uint_eq(c.hooks[0].depends_line, 9);
	ck_assert_str_eq(c.hooks[1].command, "true");
	ck_assert_uint_eq(c.hooks[1].line, 10);
	conf_release(&c);

	/* A BOM before a hook header, and no newline at the end. */
	PARSE_OK(&c, "\xEF\xBB\xBF[hook a]\ncommand = x");
	ck_assert_str_eq(c.hooks[0].name, "a");
	ck_assert_str_eq(c.hooks[0].command, "x");
	conf_release(&c);
}
END_TEST

START_TEST(test_empty_files)
{
	static const char *const texts[] = {
		"", "\n", "\n\n\n", "; only a comment\n# and another\n",
		"\xEF\xBB\xBF", "   \n\t\n", "\r\n",
	};
	struct conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		PARSE_OK(&c, texts[i]);
		ck_assert_uint_eq(c.nhooks, 0);
		ck_assert_uint_eq(c.nstrategies, 0);
		ck_assert_int_eq(c.settings.timeout, 300);
		conf_release(&c);
	}
}
END_TEST

START_TEST(test_only_settings)
{
	struct conf c;

	PARSE_OK(&c, "[settings]\n");
	ck_assert_uint_eq(c.nhooks, 0);
	ck_assert_uint_eq(c.nstrategies, 0);
	conf_release(&c);

	PARSE_OK(&c, "[settings]\njobs = 2\nfail_fast = on\n");
	ck_assert_uint_eq(c.nhooks, 0);
	ck_assert_int_eq(c.settings.jobs, 2);
	ck_assert(c.settings.fail_fast);
	conf_release(&c);

	/* A strategy section alone is valid too. */
	PARSE_OK(&c, "[strategy lonely]\ntimeout = 1\n");
	ck_assert_uint_eq(c.nhooks, 0);
	ck_assert_uint_eq(c.nstrategies, 1);
	conf_release(&c);
}
END_TEST

/* 199 bytes is the longest line; the CR of a CRLF does not count. */
START_TEST(test_longest_line)
{
	struct conf c;
	char *cmd = repeat('a', MAX_LINE_TEST - 10);
	char *text = xasprintf("[hook a]\ncommand = %s\n", cmd);
	char *crlf = xasprintf("[hook a]\r\ncommand = %s\r\n", cmd);
	char *comment = repeat(';', MAX_LINE_TEST);

	PARSE_OK(&c, text);
	ck_assert_uint_eq(strlen(c.hooks[0].command), MAX_LINE_TEST - 10);
	conf_release(&c);
	PARSE_OK(&c, crlf);
	ck_assert_str_eq(c.hooks[0].command, cmd);
	conf_release(&c);
	PARSE_OK(&c, comment);
	conf_release(&c);
	free(cmd);
	free(text);
	free(crlf);
	free(comment);
}
END_TEST

/* conf_release leaves the defaults, ready for reuse. */
START_TEST(test_release_reuse)
{
	struct conf c;

	PARSE_OK(&c, "[settings]\ntimeout = 1\n[hook a]\ncommand = x\n");
	conf_release(&c);
	ck_assert_uint_eq(c.nhooks, 0);
	ck_assert_ptr_null(c.path);
	ck_assert_int_eq(c.settings.timeout, 300);
	PARSE_OK(&c, "[hook b]\ncommand = y\n");
	ck_assert_str_eq(c.hooks[0].name, "b");
	conf_release(&c);
}
END_TEST

/* conf_load reads regular files and pipes (/dev/fd/N, as <(...) gives). */
START_TEST(test_load_file_and_pipe)
{
	static const char text[] = "[hook a]\ncommand = from a file\n";
	char *dir = tmp_template();
	char *path, *fdpath;
	struct conf c;
	struct err e;
	int fd, pfd[2];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/hookwave.ini", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write_all(fd, text, sizeof(text) - 1), 0);
	close(fd);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), 0);
	ck_assert_str_eq(c.path, path);
	ck_assert_str_eq(c.hooks[0].command, "from a file");
	conf_release(&c);

	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(write_all(pfd[1], text, sizeof(text) - 1), 0);
	close(pfd[1]);
	fdpath = xasprintf("/dev/fd/%d", pfd[0]);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, fdpath, &e), 0);
	ck_assert_str_eq(c.hooks[0].command, "from a file");
	conf_release(&c);
	close(pfd[0]);

	unlink(path);
	rmdir(dir);
	free(dir);
	free(path);
	free(fdpath);
}
END_TEST

/* --- errors ------------------------------------------------------------- */

struct bad_case {
	const char *file;       /* in $TESTDATA/bad */
	unsigned long line;
	const char *msg;        /* the message contains this */
	int at_plan;            /* found by plan_build, not conf_load */
	const char *absent;     /* the message must not contain this */
};

/*
 * Keep in step with tests/cli/config-errors.sh; test_bad_all_listed
 * makes sure every file of the directory is here.
 */
static const struct bad_case bad_cases[] = {
	{ "no-equals.ini", 3, "cannot parse this line", 0, NULL },
	{ "unterminated-section.ini", 1, "cannot parse this line", 0, NULL },
	{ "long-line.ini", 3, "line too long (200 bytes, the limit is 199)", 0, NULL },
	{ "nul-byte.ini", 3, "NUL byte", 0, NULL },
	{ "unknown-key-suggest.ini", 3,
	  "unknown key 'comand' in [hook a] (did you mean 'command'?)", 0, NULL },
	{ "unknown-key.ini", 3, "unknown key 'zzzzzzzz' in [hook a]", 0,
	  "did you mean" },
	{ "unknown-section-suggest.ini", 4,
	  "unknown section [hooks b] (did you mean [hook b]?)", 0, NULL },
	{ "unknown-section.ini", 4, "unknown section [zzzzzz]", 0,
	  "did you mean" },
	{ "key-outside-section.ini", 2, "'command' is outside any section", 0, NULL },
	{ "bad-type.ini", 4, "unknown type 'pyhton' in 'types'", 0, NULL },
	{ "bad-regex.ini", 3, "bad value for 'files_regex': ", 0, NULL },
	{ "exclude-types-alone.ini", 7,
	  "hook 'bin' has 'exclude_types' but no 'files', 'files_regex' or 'types' to narrow",
	  0, NULL },
	{ "yaml-pre-commit.ini", 3,
	  "this is a pre-commit config, not hookwave's INI: convert it with 'hookwave migrate ",
	  0, NULL },
	{ "yaml-lefthook.ini", 1,
	  "this is a lefthook config, not hookwave's INI: convert it with 'hookwave migrate ",
	  0, NULL },
	{ "duplicate-hook.ini", 7, "duplicate hook 'a'", 0, NULL },
	{ "duplicate-strategy.ini", 8, "duplicate section [strategy x]", 0, NULL },
	{ "duplicate-settings.ini", 3, "duplicate section [settings]", 0, NULL },
	{ "repeated-key.ini", 5, "'timeout' is set twice in [hook a]", 0, NULL },
	{ "missing-command.ini", 4, "hook 'b' has no 'command'", 0, NULL },
	{ "missing-command-last.ini", 4, "hook 'b' has no 'command'", 0, NULL },
	{ "empty-value.ini", 3, "'cwd' has an empty value", 0, NULL },
	{ "unknown-dependency.ini", 6, "hook 'b' depends on unknown hook 'c'", 0, NULL },
	{ "cross-strategy.ini", 8,
	  "hook 'b' (strategy slow) depends on 'a' of another strategy (fast)", 0, NULL },
	{ "self-dependency.ini", 6, "hook 'b' depends on itself", 0, NULL },
	{ "cycle-2.ini", 3, "dependency cycle: a -> b -> a", 1, NULL },
	{ "cycle-3.ini", 3, "dependency cycle: a -> b -> c -> a", 1, NULL },
	{ "cycle-order.ini", 9, "dependency cycle: c -> a -> b -> c", 1, NULL },
	{ "number-negative.ini", 2, "bad value '-1' for 'timeout'", 0, NULL },
	{ "number-hex.ini", 2, "bad value '0x10' for 'kill_grace'", 0, NULL },
	{ "number-exponent.ini", 2, "bad value '1e3' for 'output_limit'", 0, NULL },
	{ "number-unit.ini", 3, "bad value '10s' for 'timeout'", 0, NULL },
	{ "number-overflow.ini", 3,
	  "bad value '99999999999999999999' for 'batch_size'", 0, NULL },
	{ "number-continued.ini", 3, "bad value '1 2' for 'timeout'", 0, NULL },
	{ "jobs-zero.ini", 2, "bad value '0' for 'jobs'", 0, NULL },
	{ "max-workers-zero.ini", 2, "bad value '0' for 'max_workers'", 0, NULL },
	{ "max-concurrent-zero.ini", 2,
	  "bad value '0' for 'max_concurrent_strategies'", 0, NULL },
	{ "bad-boolean.ini", 3, "bad value 'maybe' for 'critical'", 0, NULL },
	{ "bad-schedule.ini", 2, "bad value 'parallel' for 'schedule'", 0, NULL },
	{ "bad-cache.ini", 5,
	  "bad value 'yes' for 'cache': want whole, files or no", 0, NULL },
	{ "bad-settings-cache.ini", 3,
	  "bad value 'per-file' for 'cache': want whole, files or no", 0, NULL },
	{ "git-hooks-unknown.ini", 3, "unknown git hook 'pre-comit' in 'git_hooks'", 0, NULL },
	{ "name-slash.ini", 4, "bad hook name 'lint/ruff': it contains '/'", 0, NULL },
	{ "name-comma.ini", 1, "bad hook name 'a,b': it contains ','", 0, NULL },
	{ "name-too-long.ini", 4, "is longer than 64 bytes", 0, NULL },
	{ "name-utf8.ini", 1, "is not valid UTF-8", 0, NULL },
	{ "name-control.ini", 1, "contains a control character", 0, NULL },
	{ "strategy-name.ini", 3, "bad strategy name 'fast/slow': it contains '/'", 0, NULL },
	{ "section-no-name.ini", 4, "section [hook] needs a name", 0, NULL },
	{ "text-after-header.ini", 1, "unexpected text after the section header", 0, NULL },
	{ "env-no-equals.ini", 4, "bad value 'PATH' for 'env'", 0, NULL },
	{ "depends-empty.ini", 3, "'depends' names no hook", 0, NULL },
	{ "first-error-wins.ini", 1, "hook 'a' has no 'command'", 0, NULL },
	{ "command-no-equals.ini", 2, "cannot parse this line", 0, "no 'command'" },
	{ "files-command-operator.ini", 2,
	  "hook 'secrets' has files, but its command ends with ';', so the first file would run as a command",
	  0, NULL },
	{ "strategy-typo.ini", 6,
	  "strategy 'fsat' has no section (did you mean 'fast'?)", 0, NULL },
	{ "files-command-comment.ini", 3,
	  "hook 'lint' has files, but its command ends with a comment, '# fast', which would swallow the files",
	  0, NULL },
};

START_TEST(test_bad_file)
{
	const struct bad_case *bc = &bad_cases[_i];
	char *path = xasprintf("%s/bad/%s", testdata(), bc->file);
	struct conf c;
	struct err e;
	int r;

	conf_init(&c);
	memset(&e, 0, sizeof(e));
	r = conf_load(&c, path, &e);
	if (bc->at_plan) {
		struct plan p;
		struct plan_options o = PLAN_OPTIONS_INIT;

		ck_assert_msg(r == 0, "%s: conf_load failed: %lu: %s", bc->file,
			      e.line, e.msg);
		r = plan_build(&p, &c, &o, &e);
		plan_release(&p);
		ck_assert_msg(r == -1, "%s: plan_build accepted it", bc->file);
	} else {
		ck_assert_msg(r == -1, "%s: conf_load accepted it", bc->file);
	}
	ck_assert_msg(strstr(e.msg, "cannot open") == NULL,
		      "%s: %s (is TESTDATA right?)", path, e.msg);
	ck_assert_msg(e.line == bc->line, "%s: line %lu, want %lu: %s",
		      bc->file, e.line, bc->line, e.msg);
	ck_assert_msg(strstr(e.msg, bc->msg) != NULL,
		      "%s: message '%s' lacks '%s'", bc->file, e.msg, bc->msg);
	if (bc->at_plan)        /* a cycle is named in full, and only it */
		ck_assert_str_eq(e.msg, bc->msg);
	if (bc->absent != NULL)
		ck_assert_msg(strstr(e.msg, bc->absent) == NULL,
			      "%s: message '%s' has '%s'", bc->file, e.msg,
			      bc->absent);
	ck_assert_ptr_nonnull(e.file);
	ck_assert_str_eq(e.file, path);
	conf_release(&c);
	free(path);
}
END_TEST

/* Every golden file is in the table, so none is silently left untested. */
START_TEST(test_bad_all_listed)
{
	char *dirpath = xasprintf("%s/bad", testdata());
	DIR *d = opendir(dirpath);
	struct dirent *de;
	size_t seen = 0, i;

	ck_assert_msg(d != NULL, "%s: %s", dirpath, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		int found = 0;

		if (n < 4 || strcmp(de->d_name + n - 4, ".ini") != 0)
			continue;
		for (i = 0; i < ARRAY_SIZE(bad_cases); i++)
			if (strcmp(bad_cases[i].file, de->d_name) == 0)
				found = 1;
		ck_assert_msg(found, "%s/%s is not in bad_cases", dirpath,
			      de->d_name);
		seen++;
	}
	closedir(d);
	ck_assert_uint_eq(seen, ARRAY_SIZE(bad_cases));
	free(dirpath);
}
END_TEST

START_TEST(test_load_missing)
{
	char *path = xasprintf("%s/bad/no-such-file.ini", testdata());
	struct conf c;
	struct err e;

	conf_init(&c);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert_uint_eq(e.line, 0);
	ck_assert_ptr_nonnull(e.file);
	ck_assert_str_eq(e.file, path);
	ck_assert_msg(strstr(e.msg, "cannot open") != NULL, "%s", e.msg);
	conf_release(&c);
	free(path);
}
END_TEST

START_TEST(test_load_directory)
{
	char *path = xasprintf("%s/bad", testdata());
	struct conf c;
	struct err e;

	conf_init(&c);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert_uint_eq(e.line, 0);
	ck_assert_ptr_nonnull(e.file);
	ck_assert_str_eq(e.file, path);
	ck_assert_msg(strstr(e.msg, "cannot read") != NULL, "%s", e.msg);
	conf_release(&c);
	free(path);
}
END_TEST

/* More than 16 MiB is refused before parsing (a sparse file: no disk). */
START_TEST(test_load_too_large)
{
	char *path = tmp_template();
	struct conf c;
	struct err e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (16L << 20) + 1), 0);
	close(fd);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert_uint_eq(e.line, 0);
	ck_assert_msg(strstr(e.msg, "too large") != NULL, "%s", e.msg);
	conf_release(&c);
	unlink(path);
	free(path);
}
END_TEST

/* One byte over the limit, in a key line, a continuation and a comment. */
START_TEST(test_line_too_long)
{
	char *cmd = repeat('a', MAX_LINE_TEST + 1 - 10);
	char *cont = repeat('b', MAX_LINE_TEST + 1 - 2);
	char *comment = repeat(';', MAX_LINE_TEST + 1);
	char *t1 = xasprintf("[hook a]\ncommand = %s\n", cmd);
	char *t2 = xasprintf("[hook a]\ncommand = x\n  %s\n", cont);
	char *t3 = xasprintf("[hook a]\ncommand = x\n%s\n", comment);
	char *t4 = xasprintf("[hook a]\r\ncommand = %s\r\n", cmd);

	PARSE_BAD(t1, 2, "line too long (200 bytes, the limit is 199)");
	PARSE_BAD(t2, 3, "line too long (200 bytes");
	PARSE_BAD(t3, 3, "line too long (200 bytes");
	PARSE_BAD(t4, 2, "line too long (200 bytes");
	free(cmd);
	free(cont);
	free(comment);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
}
END_TEST

/* A 1 MB line is reported once, at its line, not split into garbage. */
START_TEST(test_line_1mb)
{
	char *big = repeat('x', 1000000);
	char *text = xasprintf("[hook a]\ncommand = x\n\n[hook b]\ncommand = %s\n"
			       "[hook c]\ncommand = x\n", big);

	PARSE_BAD(text, 5, "line too long (1000010 bytes, the limit is 199)");
	free(text);
	free(big);
}
END_TEST

START_TEST(test_nul_in_memory)
{
	static const char text[] = "[hook a]\ncommand = a\0b\n";
	struct conf c;
	struct err e;

	ck_assert_int_eq(parse_n(&c, text, sizeof(text) - 1, &e), -1);
	ck_assert_uint_eq(e.line, 2);
	ck_assert_msg(strstr(e.msg, "NUL byte") != NULL, "%s", e.msg);
	conf_release(&c);
}
END_TEST

/* One past every upper bound, and other malformed numbers. */
START_TEST(test_number_ranges)
{
	static const struct {
		const char *text;
		const char *sub;
	} cases[] = {
		{ "[settings]\njobs = 1025\n", "'jobs'" },
		{ "[settings]\njobs = AUTO\n", "'jobs'" },
		{ "[settings]\ntimeout = 2147484\n", "'timeout'" },
		{ "[settings]\nkill_grace = 3601\n", "'kill_grace'" },
		{ "[settings]\nmax_concurrent_strategies = 1025\n",
		  "'max_concurrent_strategies'" },
		{ "[settings]\noutput_limit = 1073741825\n", "'output_limit'" },
		{ "[settings]\ntimeout = +5\n", "'timeout'" },
		{ "[settings]\ntimeout = 1.5\n", "'timeout'" },
		{ "[settings]\ntimeout = 1 000\n", "'timeout'" },
		{ "[settings]\ntimeout = 18446744073709551617\n", "'timeout'" },
		{ "[strategy s]\nmax_workers = 1025\n", "'max_workers'" },
		{ "[strategy s]\ntimeout = ten\n", "'timeout'" },
		{ "[strategy s]\nschedule = Waves\n", "'schedule'" },
		{ "[settings]\nschedule = sequental\n", "'schedule'" },
		{ "[settings]\nstrategy_parallel = maybe\n", "'strategy_parallel'" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		PARSE_BAD(cases[i].text, 2, cases[i].sub);
	PARSE_BAD("[hook a]\ncommand = x\nbatch_size = 1000001\n", 3, "'batch_size'");
}
END_TEST

/* Every key rejects an empty value, at its line. */
START_TEST(test_empty_values)
{
	static const char *const settings[] = {
		"jobs", "timeout", "kill_grace", "schedule", "strategy_parallel",
		"max_concurrent_strategies", "fail_fast", "output_limit",
		"cache",
	};
	static const char *const strategy[] = {
		"parallel", "max_workers", "timeout", "schedule",
	};
	static const char *const hook[] = {
		"strategy", "depends", "timeout", "critical", "files", "exclude",
		"batch_size", "serial", "env", "cwd", "enabled", "modifies",
		"stage_fixed", "cache", "cache_key", "inputs",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		char *t = xasprintf("[settings]\n%s =\n", settings[i]);
		PARSE_BAD(t, 2, "has an empty value");
		free(t);
	}
	for (i = 0; i < ARRAY_SIZE(strategy); i++) {
		char *t = xasprintf("[strategy s]\n%s = \n", strategy[i]);
		PARSE_BAD(t, 2, "has an empty value");
		free(t);
	}
	for (i = 0; i < ARRAY_SIZE(hook); i++) {
		char *t = xasprintf("[hook a]\ncommand = x\n%s =\n", hook[i]);
		PARSE_BAD(t, 3, "has an empty value");
		free(t);
	}
	PARSE_BAD("[hook a]\ncommand =\n", 2, "'command' has an empty value");
}
END_TEST

/* Keys of one section are unknown in another, with a suggestion when close. */
START_TEST(test_unknown_keys)
{
	PARSE_BAD("[settings]\njob = 2\n", 2, "(did you mean 'jobs'?)");
	PARSE_BAD("[settings]\nparallel = no\n", 2, "unknown key 'parallel' in [settings]");
	PARSE_BAD("[strategy s]\ntimout = 2\n", 2,
		  "unknown key 'timout' in [strategy s] (did you mean 'timeout'?)");
	PARSE_BAD("[strategy s]\ncommand = x\n", 2, "unknown key 'command' in [strategy s]");
	PARSE_BAD("[hook a]\ncommand = x\ndepend = b\n", 3, "(did you mean 'depends'?)");
	PARSE_BAD("[hook a]\ncommand = x\nCommand = y\n", 3, "unknown key 'Command'");
	PARSE_BAD("[setting]\njobs = 1\n", 1, "(did you mean [settings]?)");
	PARSE_BAD("[strategi s]\n", 1, "(did you mean [strategy s]?)");
	PARSE_BAD("[settings x]\n", 1, "unknown section [settings x]");
	PARSE_BAD("[strategy]\n", 1, "section [strategy] needs a name");
}
END_TEST

/* A bad errorformat is refused at its line with finding_read's why; a
   good one, continued on indented lines, is kept as written. */
START_TEST(test_errorformat_checked)
{
	struct conf c;

	PARSE_BAD("[hook a]\ncommand = x\nerrorformat = %f:%l:%q\n", 3,
		  "bad value for 'errorformat': pattern 1: unknown conversion %q");
	PARSE_BAD("[hook a]\ncommand = x\nerrorformat = %f:%l: %m,\n  %C%m\n", 3,
		  "bad value for 'errorformat': pattern 2: %C is one of vim's multi-line forms");
	PARSE_BAD("[hook a]\ncommand = x\nerrorformat = %l: %m\n", 3,
		  "pattern 1 has no %f (a finding needs a file)");
	PARSE_BAD("[hook a]\ncommand = x\n\nerrorformat = %f:%l:%m,\n", 4,
		  "pattern 2 is empty");
	PARSE_OK(&c, "[hook a]\ncommand = x\n"
		 "errorformat = %-Gmake%.%#,\n  %f:%l:%c: %trror: %m\n");
	ck_assert_uint_eq(c.nhooks, 1);
	ck_assert_int_eq(c.hooks[0].findings, CONF_FINDINGS_ERRORFORMAT);
	ck_assert_str_eq(c.hooks[0].errorformat,
			 "%-Gmake%.%#, %f:%l:%c: %trror: %m");
	conf_release(&c);
}
END_TEST

/* findings = sarif, with or without sarif_file; sarif_file makes the
   hook serial (its batches would share the file) and needs sarif. */
START_TEST(test_findings_sarif)
{
	struct conf c;

	PARSE_OK(&c, "[hook a]\ncommand = x\nfindings = sarif\n"
		 "[hook b]\ncommand = x\nfindings = sarif\n"
		 "sarif_file = out/b.sarif\nfiles = *.c\n");
	ck_assert_int_eq(c.hooks[0].findings, CONF_FINDINGS_SARIF);
	ck_assert_ptr_null(c.hooks[0].sarif_file);
	ck_assert_ptr_null(c.hooks[0].finding_format);
	ck_assert(!c.hooks[0].serial);
	ck_assert_str_eq(c.hooks[1].sarif_file, "out/b.sarif");
	ck_assert(c.hooks[1].serial);
	ck_assert_str_eq(conf_findings_name(c.hooks[1].findings), "sarif");
	conf_release(&c);
	PARSE_BAD("[hook a]\ncommand = x\nsarif_file = a.sarif\n", 3,
		  "hook 'a' has 'sarif_file' but not 'findings = sarif'");
	PARSE_BAD("[hook a]\ncommand = x\nsarif_file = a.sarif\n"
		  "findings = gcc\n", 3,
		  "hook 'a' has 'sarif_file' but not 'findings = sarif'");
	PARSE_BAD("[hook a]\ncommand = x\nfindings = sarif\n"
		  "errorformat = %f:%l: %m\n", 4,
		  "hook 'a' has both 'findings' and 'errorformat'");
	PARSE_BAD("[hook a]\ncommand = x\nfindings = SARIF\n", 3,
		  "bad value 'SARIF' for 'findings': want gcc, sarif or none");
}
END_TEST

/* Repeated keys, env excepted; a repeat in another section is fine. */
START_TEST(test_repeats)
{
	struct conf c;

	PARSE_BAD("[settings]\njobs = 1\n\njobs = 2\n", 4, "'jobs' is set twice in [settings]");
	PARSE_BAD("[strategy s]\nparallel = no\nparallel = no\n", 3,
		  "'parallel' is set twice in [strategy s]");
	PARSE_BAD("[hook a]\ncommand = x\ndepends = b\n[hook b]\ncommand = x\n"
		  "[hook c]\ncommand = x\ndepends = a\ndepends = b\n", 9,
		  "'depends' is set twice in [hook c]");
	PARSE_OK(&c, "[hook a]\ncommand = x\ntimeout = 1\n[hook b]\ncommand = x\ntimeout = 2\n");
	conf_release(&c);
}
END_TEST

/* Bad names in each position; the error is at the header or strategy line. */
START_TEST(test_bad_names)
{
	char *long_name = repeat('s', CONF_NAME_MAX + 1);
	char *t1 = xasprintf("[hook a]\ncommand = x\nstrategy = %s\n", long_name);
	char *t2 = xasprintf("[strategy %s]\n", long_name);

	PARSE_BAD(t1, 3, "bad strategy name");
	PARSE_BAD(t2, 1, "is longer than 64 bytes");
	PARSE_BAD("[hook a b]\ncommand = x\n", 1, "contains whitespace");
	PARSE_BAD("[hook a\tb]\ncommand = x\n", 1, "contains whitespace");
	PARSE_BAD("[hook a\x7f]\ncommand = x\n", 1, "contains a control character");
	PARSE_BAD("[hook \xc3\x28]\ncommand = x\n", 1, "not valid UTF-8");
	PARSE_BAD("[hook \xed\xa0\x80]\ncommand = x\n", 1, "not valid UTF-8");
	PARSE_BAD("[hook \xc0\xaf]\ncommand = x\n", 1, "not valid UTF-8");
	PARSE_BAD("[hook a]\ncommand = x\nstrategy = a,b\n", 3, "contains ','");
	PARSE_BAD("[hook a]\ncommand = x\nstrategy = a b\n", 3, "contains whitespace");
	PARSE_BAD("[hook a]\ncommand = x\nstrategy = \xff\n", 3, "not valid UTF-8");
	PARSE_BAD("[strategy a/b]\n", 1, "bad strategy name 'a/b'");
	free(t1);
	free(t2);
	free(long_name);
}
END_TEST

START_TEST(test_bad_env)
{
	PARSE_BAD("[hook a]\ncommand = x\nenv = =x\n", 3, "'env'");
	PARSE_BAD("[hook a]\ncommand = x\nenv = 1A=x\n", 3, "'env'");
	PARSE_BAD("[hook a]\ncommand = x\nenv = A-B=x\n", 3, "'env'");
	PARSE_BAD("[hook a]\ncommand = x\nenv = A B=x\n", 3, "'env'");
}
END_TEST

/* The error of the first bad line wins, whatever kind it is. */
START_TEST(test_first_error)
{
	PARSE_BAD("[hook a]\ncommand = x\nnot a key line\nzzz = 1\n", 3, "cannot parse");
	PARSE_BAD("[hook a]\ncommand = x\nzzz = 1\nnot a key line\n", 3, "unknown key 'zzz'");
	PARSE_BAD("[hook a]\n[hook b]\nbroken\n", 1, "hook 'a' has no 'command'");
	/* A line that is not key = value is the error, not the hook
	   whose 'command' it was meant to be. */
	PARSE_BAD("[hook lint]\ncommand echo hi\n", 2, "cannot parse this line");
	PARSE_BAD("[hook lint]\n[oops\ncommand = x\n", 2, "cannot parse this line");
	PARSE_BAD("[hook a]\ncommand = x\n[hook b]\n\ttimeout 5\n[hook c]\n", 4,
		  "cannot parse this line");
	PARSE_BAD("[hook a]\ncommand = x\ndepends = nope\n[hook b]\n", 4,
		  "hook 'b' has no 'command'");
	PARSE_BAD("[hook a]\ncommand = x\ndepends = nope\n[hook b]\ncommand = x\ndepends = zip\n",
		  3, "unknown hook 'nope'");
}
END_TEST

/* inih is the judge of every line, even where a reader of its own would
   have guessed otherwise. */
START_TEST(test_inih_judges)
{
	struct conf c;
	char *key = repeat('k', 60);
	char *text;

	/* A \v before ';' is a blank to inih: a comment, so no ']'. */
	PARSE_BAD("[hook a\v;b]\ncommand = x\n", 1, "cannot parse this line");
	/* inih keeps 49 bytes of a section's name: the rest comes from
	   the line, and a continuation of a key with a long name is one. */
	text = xasprintf("[hook a]\ncommand = x\n%s = 1\n  2\n", key);
	PARSE_BAD(text, 3, key);
	free(text);
	/* A key without a name is not continued: the indented line is
	   a key of its own. */
	PARSE_BAD("[hook a]\n= y\n  command = x\n", 2, "unknown key ''");
	/* After a header, an indented line is a key, not a continuation. */
	PARSE_OK(&c, "[hook a]\ncommand = x\n[hook b]\n  command = y\n");
	ck_assert_str_eq(c.hooks[1].command, "y");
	conf_release(&c);
	free(key);
}
END_TEST

/*
 * A hook with files runs `sh -c 'COMMAND "$@"'`: a command after which
 * "$@" would not be arguments is refused at its line (shellcmd.h).
 */
START_TEST(test_files_command)
{
	static const char *const bad[] = {
		"true;", "make lint &&", "a |", "a &", "a ||", "x && (",
		"! ", "if true; then", "while x; do", "{ a; b; }", "(a)",
		"ruff check # fast", "cmd \\", "cmd >", "cmd 2>", "FOO=1",
		"2>/dev/null", "echo 'x", "for f; do x \"$f\"; done",
	};
	static const char *const good[] = {
		"! grep -nE 'x'", "a && b", "cmd --opt='a;b'", "sh -c \"x # y\"",
		"echo a#b", "ruff check --", "make lint; make test",
		"cmd 2>&1", "A=1 make", "echo $(case a in a) b;; esac)",
	};
	struct conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *t1 = xasprintf("[hook a]\ncommand = x\n[hook b]\n"
				     "command = %s\nfiles = *.c\n", bad[i]);
		char *t2 = xasprintf("[hook b]\nfiles = *.c\n\ncommand = %s\n"
				     "timeout = 5\n", bad[i]);
		char *t3 = xasprintf("[hook b]\ncommand = %s\nenabled = no\n"
				     "files = *.c\n", bad[i]);
		char *t4 = xasprintf("[hook b]\ncommand = %s\n", bad[i]);

		/* At the command line, whichever comes first. */
		PARSE_BAD(t1, 4, "hook 'b' has files, but its command ");
		PARSE_BAD(t2, 4, "hook 'b' has files, but its command ");
		PARSE_BAD(t3, 2, "has files");
		/* Without files nothing is appended: the shell runs it. */
		PARSE_OK(&c, t4);
		conf_release(&c);
		free(t1);
		free(t2);
		free(t3);
		free(t4);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		char *t = xasprintf("[hook b]\ncommand = %s\nfiles = *.c\n",
				    good[i]);

		PARSE_OK(&c, t);
		ck_assert_str_eq(c.hooks[0].command, good[i]);
		ck_assert_uint_eq(c.hooks[0].command_line, 2);
		conf_release(&c);
		free(t);
	}
	/* Continued on indented lines: the joined command is judged. */
	PARSE_BAD("[hook b]\nfiles = *.c\ncommand = make\n  lint &&\n", 3,
		  "ends with '&&'");
	PARSE_OK(&c, "[hook b]\nfiles = *.c\ncommand = make &&\n  lint\n");
	conf_release(&c);
	/* A missing command is the first error, not the files. */
	PARSE_BAD("[hook b]\nfiles = *.c\n", 1, "has no 'command'");
}
END_TEST

/* A strategy without a section one edit from one with a section is a typo. */
START_TEST(test_strategy_typo)
{
	static const struct {
		const char *named, *section;
	} typos[] = {
		{ "fsat", "fast" },             /* swap */
		{ "fat", "fast" },              /* a byte dropped */
		{ "faast", "fast" },            /* a byte added */
		{ "fist", "fast" },             /* a byte changed */
		{ "fast2", "fast" },
		{ "slw", "slow" },
		{ "defaul", "default" },
		{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa8" },
	};
	struct conf c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(typos); i++) {
		char *text = xasprintf("[strategy %s]\n[hook a]\ncommand = x\n"
				       "strategy = %s\n", typos[i].section,
				       typos[i].named);
		char *want = xasprintf("strategy '%s' has no section (did you mean '%s'?)",
				       typos[i].named, typos[i].section);

		PARSE_BAD(text, 4, want);
		free(text);
		free(want);
	}
	/* The first hook in the file that names one, before dependencies
	   (which the typo would make cross-strategy). */
	PARSE_BAD("[hook a]\ncommand = x\nstrategy = slow\n"
		  "[hook b]\ncommand = x\nstrategy = fsat\ndepends = c\n"
		  "[hook c]\ncommand = x\nstrategy = fast\n"
		  "[hook d]\ncommand = x\nstrategy = fats\n"
		  "[strategy fast]\n", 6, "'fsat' has no section (did you mean 'fast'?)");
	/* Two edits away, a section of its own, a section further down,
	   or "default": not typos. */
	PARSE_OK(&c, "[strategy fast]\n[hook a]\ncommand = x\nstrategy = fxsx\n"
		 "[hook b]\ncommand = x\nstrategy = slow\n");
	ck_assert_uint_eq(c.nstrategies, 3);
	conf_release(&c);
	PARSE_OK(&c, "[strategy fast]\n[strategy fsat]\n[hook a]\ncommand = x\n"
		 "strategy = fsat\n");
	conf_release(&c);
	PARSE_OK(&c, "[hook a]\ncommand = x\nstrategy = fast\n[strategy fast]\n");
	conf_release(&c);
	PARSE_OK(&c, "[strategy defaults]\n[hook a]\ncommand = x\n"
		 "strategy = default\n[hook b]\ncommand = x\n");
	ck_assert_str_eq(c.strategies[c.hooks[1].strategy].name, "default");
	conf_release(&c);
	/* Names shorter than four bytes are too short to tell a typo. */
	PARSE_OK(&c, "[strategy s]\n[strategy ci]\n[strategy pre]\n"
		 "[hook a]\ncommand = x\nstrategy = o\n"
		 "[hook b]\ncommand = x\nstrategy = cd\n"
		 "[hook c]\ncommand = x\nstrategy = pro\n");
	ck_assert_uint_eq(c.nstrategies, 6);
	conf_release(&c);
}
END_TEST

/* As inih allows, ':' may stand for '=': the first of either ends the key. */
START_TEST(test_colon_separator)
{
	struct conf c;

	PARSE_OK(&c,
		 "[settings]\n"
		 "jobs: 3\n"
		 "[hook a]\n"
		 "command: echo a=b\n"
		 "  c:d\n"
		 "timeout :5\n"
		 "env: X=a:b\n"
		 "[hook b]\n"
		 "command = echo a:b\n");
	ck_assert_int_eq(c.settings.jobs, 3);
	ck_assert_str_eq(c.hooks[0].command, "echo a=b c:d");
	ck_assert_int_eq(c.hooks[0].timeout, 5);
	ck_assert_str_eq(c.hooks[0].env.v[0], "X=a:b");
	ck_assert_str_eq(c.hooks[1].command, "echo a:b");
	conf_release(&c);
}
END_TEST

/*
 * Bytes asked of util.c's allocators while the code under test runs:
 * the test is linked with -Wl,--wrap=x... for each of them (see
 * Makefile.am), so the count is exact and the same on every machine.
 */
static size_t alloc_bytes;

void *__real_xmalloc(size_t n);
void *__real_xcalloc(size_t n, size_t size);
void *__real_xrealloc(void *p, size_t n);
void *__real_xreallocarray(void *p, size_t n, size_t size);
char *__real_xstrdup(const char *s);
char *__real_xstrndup(const char *s, size_t n);
void *__wrap_xmalloc(size_t n);
void *__wrap_xcalloc(size_t n, size_t size);
void *__wrap_xrealloc(void *p, size_t n);
void *__wrap_xreallocarray(void *p, size_t n, size_t size);
char *__wrap_xstrdup(const char *s);
char *__wrap_xstrndup(const char *s, size_t n);
char *__wrap_xasprintf(const char *fmt, ...);

void *
__wrap_xmalloc(size_t n)
{
	alloc_bytes += n;
	return __real_xmalloc(n);
}

void *
__wrap_xcalloc(size_t n, size_t size)
{
	alloc_bytes += n * size;
	return __real_xcalloc(n, size);
}

void *
__wrap_xrealloc(void *p, size_t n)
{
	alloc_bytes += n;
	return __real_xrealloc(p, n);
}

void *
__wrap_xreallocarray(void *p, size_t n, size_t size)
{
	alloc_bytes += n * size;
	return __real_xreallocarray(p, n, size);
}

char *
__wrap_xstrdup(const char *s)
{
	alloc_bytes += strlen(s) + 1;
	return __real_xstrdup(s);
}

char *
__wrap_xstrndup(const char *s, size_t n)
{
	alloc_bytes += strnlen(s, n) + 1;
	return __real_xstrndup(s, n);
}

char *
__wrap_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	alloc_bytes += (size_t)n + 1;
	return s;
}

/*
 * 10,000 continuation lines are joined in linear time: what is
 * allocated stays within a small multiple of the input. Joining by
 * rebuilding the whole value at each line allocates about 10,000^2 / 2
 * times a line's length (hundreds of MB here).
 */
START_TEST(test_continuation_linear)
{
	const size_t n = 10000;
	struct buf b = { 0 };
	struct conf c;
	struct err e;
	size_t i, want = 0;
	int r;

	buf_printf(&b, "[hook a]\ncommand = true\nfiles = f0\n");
	for (i = 1; i < n; i++)
		buf_printf(&b, "  f%zu\n", i);
	for (i = 0; i < n; i++)
		want += (size_t)snprintf(NULL, 0, "f%zu", i) + (i > 0);
	conf_init(&c);
	alloc_bytes = 0;
	r = conf_parse(&c, "test.ini", b.p, b.len, &e);
	ck_assert_msg(alloc_bytes < 16 * b.len + 65536,
		      "%zu bytes allocated for %zu bytes of input",
		      alloc_bytes, b.len);
	ck_assert_msg(r == 0, "%lu: %s", e.line, e.msg);
	ck_assert_uint_eq(c.hooks[0].files.n, n);
	ck_assert_str_eq(c.hooks[0].files.v[n - 1], "f9999");
	conf_release(&c);

	/* The same as one long command, a value of 68,890 bytes. */
	buf_reset(&b);
	buf_printf(&b, "[hook a]\ncommand = f0\n");
	for (i = 1; i < n; i++)
		buf_printf(&b, "  f%zu\n", i);
	conf_init(&c);
	alloc_bytes = 0;
	r = conf_parse(&c, "test.ini", b.p, b.len, &e);
	ck_assert_msg(alloc_bytes < 16 * b.len + 65536,
		      "%zu bytes allocated for %zu bytes of input",
		      alloc_bytes, b.len);
	ck_assert_msg(r == 0, "%lu: %s", e.line, e.msg);
	ck_assert_uint_eq(strlen(c.hooks[0].command), want);
	conf_release(&c);
	buf_release(&b);
}
END_TEST

/* A 12 MB file of continued patterns loads (conf_load's limit is 16 MiB). */
START_TEST(test_load_12mb)
{
	char *path = tmp_template();
	char *line = repeat('p', 150);
	struct conf c;
	struct err e;
	FILE *f;
	int fd = mkstemp(path);
	size_t i, lines = 0, size = 0;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	size += (size_t)fprintf(f, "[hook a]\ncommand = true\nfiles =\n");
	while (size < 12UL << 20) {
		size += (size_t)fprintf(f, "  %s%zu\n", line, lines);
		lines++;
	}
	ck_assert_int_eq(fclose(f), 0);
	conf_init(&c);
	ck_assert_msg(conf_load(&c, path, &e) == 0, "%lu: %s", e.line, e.msg);
	ck_assert_uint_eq(c.hooks[0].files.n, lines);
	for (i = 0; i < lines; i += lines / 7)
		ck_assert_uint_eq(strlen(c.hooks[0].files.v[i]),
				  150 + (size_t)snprintf(NULL, 0, "%zu", i));
	conf_release(&c);
	unlink(path);
	free(path);
	free(line);
}
END_TEST

/* Strategies and dependencies are found by hashing, not by scanning. */
START_TEST(test_many_names)
{
	const size_t n = 100000;
	struct buf b = { 0 };
	struct conf c;
	struct err e;
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "[hook h%zu]\ncommand = true\nstrategy = s%zu\n",
			   i, i);
	conf_init(&c);
	ck_assert_msg(conf_parse(&c, "test.ini", b.p, b.len, &e) == 0,
		      "%lu: %s", e.line, e.msg);
	ck_assert_uint_eq(c.nstrategies, n);
	ck_assert_int_eq(conf_find_strategy(&c, "s77777"), 77777);
	ck_assert_uint_eq(c.hooks[77777].strategy, 77777);
	conf_release(&c);

	/* 50,000 strategies with a section, 50,000 without: checked for
	   typos without comparing every pair (2.5 billion of them). */
	buf_reset(&b);
	for (i = 0; i < n / 2; i++)
		buf_printf(&b, "[strategy s%05zu]\n", i);
	for (i = 0; i < n / 2; i++)
		buf_printf(&b, "[hook h%zu]\ncommand = true\nstrategy = t%05zux\n",
			   i, i);
	buf_printf(&b, "[hook typo]\ncommand = true\nstrategy = s1234\n");
	conf_init(&c);
	ck_assert_int_eq(conf_parse(&c, "test.ini", b.p, b.len, &e), -1);
	ck_assert_uint_eq(e.line, n / 2 + 3 * (n / 2) + 3);
	ck_assert_msg(strstr(e.msg, "'s1234' has no section (did you mean 's01234'?)") != NULL,
		      "%s", e.msg);
	conf_release(&c);

	/* A hook that depends on 100,000 names, each given twice. */
	buf_reset(&b);
	buf_printf(&b, "[hook a]\ncommand = true\ndepends =\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "  d%zu, d%zu\n", i, i);
	for (i = 0; i < n; i++)
		buf_printf(&b, "[hook d%zu]\ncommand = true\n", i);
	conf_init(&c);
	ck_assert_msg(conf_parse(&c, "test.ini", b.p, b.len, &e) == 0,
		      "%lu: %s", e.line, e.msg);
	ck_assert_uint_eq(c.hooks[0].depends.n, n);
	ck_assert_str_eq(c.hooks[0].depends.v[n - 1], "d99999");
	ck_assert_uint_eq(c.hooks[0].dep_index[n - 1], n);
	conf_release(&c);
	buf_release(&b);
}
END_TEST

/* --- limits ------------------------------------------------------------- */

struct big_job {
	const char *text;
	size_t len;
	size_t n;
	int conf_rc, plan_rc;
	struct err e;
	size_t bad_index;       /* first hook with a wrong wave or chain */
	size_t nhooks, nstrategies, ntopo;
	unsigned nwaves;
};

/* Parse and plan on a small stack: no walk may recurse per hook. */
static void *
big_thread(void *arg)
{
	struct big_job *j = arg;
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	size_t i;

	conf_init(&c);
	memset(&p, 0, sizeof(p));
	j->bad_index = (size_t)-1;
	j->plan_rc = 1;
	j->conf_rc = conf_parse(&c, "big.ini", j->text, j->len, &j->e);
	if (j->conf_rc == 0) {
		j->plan_rc = plan_build(&p, &c, &o, &j->e);
		if (j->plan_rc == 0) {
			j->nhooks = p.nhooks;
			j->nstrategies = p.nstrategies;
			if (p.nstrategies == 1) {
				j->ntopo = p.strategies[0].ntopo;
				j->nwaves = p.strategies[0].nwaves;
			}
			for (i = 0; i < p.nhooks; i++)
				if (p.hooks[i].wave != i + 1 ||
				    p.hooks[i].chain != p.nhooks - i) {
					j->bad_index = i;
					break;
				}
		}
	}
	plan_release(&p);
	conf_release(&c);
	return NULL;
}

static void
run_small_stack(struct big_job *j)
{
	pthread_attr_t attr;
	pthread_t t;

	ck_assert_int_eq(pthread_attr_init(&attr), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
	ck_assert_int_eq(pthread_create(&t, &attr, big_thread, j), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

START_TEST(test_chain_100000)
{
	const size_t n = 100000;
	struct buf b = { 0 };
	struct big_job j;
	size_t i;

	buf_printf(&b, "[hook h0]\ncommand = true\n");
	for (i = 1; i < n; i++)
		buf_printf(&b, "[hook h%zu]\ncommand = true\ndepends = h%zu\n",
			   i, i - 1);
	memset(&j, 0, sizeof(j));
	j.text = b.p;
	j.len = b.len;
	j.n = n;
	run_small_stack(&j);
	ck_assert_msg(j.conf_rc == 0, "conf: %lu: %s", j.e.line, j.e.msg);
	ck_assert_msg(j.plan_rc == 0, "plan: %lu: %s", j.e.line, j.e.msg);
	ck_assert_uint_eq(j.nhooks, n);
	ck_assert_uint_eq(j.nstrategies, 1);
	ck_assert_uint_eq(j.ntopo, n);
	ck_assert_uint_eq(j.nwaves, n);
	ck_assert_msg(j.bad_index == (size_t)-1, "hook h%zu: wrong wave or chain",
		      j.bad_index);
	free(b.p);
}
END_TEST

START_TEST(test_cycle_10000)
{
	const size_t n = 10000;
	struct buf b = { 0 };
	struct big_job j;
	const char *want = "dependency cycle: h0 -> h1 -> ";
	size_t i, len;

	for (i = 0; i < n; i++)
		buf_printf(&b, "[hook h%zu]\ncommand = true\ndepends = h%zu\n",
			   i, (i + 1) % n);
	memset(&j, 0, sizeof(j));
	j.text = b.p;
	j.len = b.len;
	j.n = n;
	run_small_stack(&j);
	ck_assert_msg(j.conf_rc == 0, "conf: %lu: %s", j.e.line, j.e.msg);
	ck_assert_int_eq(j.plan_rc, -1);
	ck_assert_uint_eq(j.e.line, 3);
	ck_assert_msg(strncmp(j.e.msg, want, strlen(want)) == 0, "%s", j.e.msg);
	len = strlen(j.e.msg);
	/* Elided to fit, and still closed: it ends where it started. */
	ck_assert_uint_lt(len, sizeof(j.e.msg) - 1);
	ck_assert_msg(strstr(j.e.msg, "more") != NULL, "not elided: %s", j.e.msg);
	ck_assert_msg(len > 6 && strcmp(j.e.msg + len - 6, " -> h0") == 0,
		      "does not close: %s", j.e.msg);
	ck_assert_msg(strstr(j.e.msg, "-> h9999 -> h0") != NULL, "%s", j.e.msg);
	free(b.p);
}
END_TEST

Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_schedule_names);
	tcase_add_test(tc, test_settings_keys);
	tcase_add_test(tc, test_jobs_auto);
	tcase_add_test(tc, test_number_bounds);
	tcase_add_test(tc, test_strategy_keys);
	tcase_add_test(tc, test_hook_keys);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_valid_names);
	tcase_add_loop_test(tc, test_booleans, 0, (int)ARRAY_SIZE(bool_cases));
	tcase_add_test(tc, test_not_booleans);
	tcase_add_test(tc, test_fixer_keys);
	tcase_add_test(tc, test_select_keys);
	tcase_add_test(tc, test_launcher_keys);
	tcase_add_test(tc, test_cache_keys);
	tcase_add_test(tc, test_continuation);
	tcase_add_test(tc, test_continuation_long);
	tcase_add_test(tc, test_env_order);
	tcase_add_test(tc, test_depends_split);
	tcase_add_test(tc, test_patterns_split);
	tcase_add_test(tc, test_strategy_order);
	tcase_add_test(tc, test_bom_crlf);
	tcase_add_test(tc, test_empty_files);
	tcase_add_test(tc, test_only_settings);
	tcase_add_test(tc, test_longest_line);
	tcase_add_test(tc, test_release_reuse);
	tcase_add_test(tc, test_load_file_and_pipe);
	tcase_add_test(tc, test_inih_judges);
	tcase_add_test(tc, test_colon_separator);
	tcase_add_test(tc, test_files_command);
	tcase_add_test(tc, test_strategy_typo);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_file, 0, (int)ARRAY_SIZE(bad_cases));
	tcase_add_test(tc, test_bad_all_listed);
	tcase_add_test(tc, test_load_missing);
	tcase_add_test(tc, test_load_directory);
	tcase_add_test(tc, test_load_too_large);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_line_1mb);
	tcase_add_test(tc, test_nul_in_memory);
	tcase_add_test(tc, test_number_ranges);
	tcase_add_test(tc, test_empty_values);
	tcase_add_test(tc, test_unknown_keys);
	tcase_add_test(tc, test_errorformat_checked);
	tcase_add_test(tc, test_findings_sarif);
	tcase_add_test(tc, test_repeats);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_bad_env);
	tcase_add_test(tc, test_first_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_chain_100000);
	tcase_add_test(tc, test_cycle_10000);
	tcase_add_test(tc, test_continuation_linear);
	tcase_add_test(tc, test_load_12mb);
	tcase_add_test(tc, test_many_names);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
