/*
 * cli.c - argv into struct cli_options. See cli.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gitnames.h"
#include "log.h"
#include "shard.h"

const char cli_synopsis[] =
	"usage: hookwave [-0hlnqVvx] [-C dir] [-c file] [-f format] [-j jobs]\n"
	"                [-o file] [-s strategy] [-t seconds] [--all-files | --staged |\n"
	"                --files=file | --changed | --from-ref=ref [--to-ref=ref]]\n"
	"                [--check-config] [--color=when] [--lock]\n"
	"                [--failed] [--log-level=level] [--no-cache] [--no-history]\n"
	"                [--no-strategy-parallel] [--shard=K/N]\n"
	"                [--report-format=format] [--schedule=schedule] [--skip=hook]\n"
	"                [--timeline=file] [--baseline=file] [--write-baseline=file]\n"
	"                [hook ...]\n"
	"       hookwave restore [-C dir]\n"
	"       hookwave history [-C dir] [-c file] [-f format] [-s strategy] [hook ...]\n"
	"       hookwave [options] --git-hook=githook [git's arguments ...]\n"
	"       hookwave install [-C dir] [-c file] [--force] [githook ...]\n"
	"       hookwave uninstall [-C dir] [githook ...]\n"
	"       hookwave migrate [-C dir] [-o file] [file]\n"

	"       hookwave merge [-o file] report ...\n";

const char cli_help_text[] =
	"\n"
	"Run a project's quality checks in parallel: strategies at once,\n"
	"hooks in dependency waves, files in batches, under one cap.\n"
	"\n"
	"  -c, --config=FILE        config file (default: hookwave.ini)\n"
	"  -C, --directory=DIR      run in DIR\n"
	"  -j, --jobs=N             at most N hook processes at once\n"
	"  -s, --strategy=NAME      only this strategy (may repeat)\n"
	"      --skip=HOOK          leave this hook out (may repeat)\n"
	"      --schedule=S         waves, eager or sequential, for every strategy\n"
	"      --no-strategy-parallel  strategies one after another\n"
	"  -t, --timeout=SECS       default hook timeout (0 = none)\n"
	"  -x, --fail-fast          stop everything at the first failure\n"
	"      --all-files          every file under the run directory\n"
	"      --staged             files staged in git\n"
	"      --files=FILE         file list from FILE (- = stdin)\n"
	"      --changed            files changed against HEAD, and untracked ones\n"
	"      --from-ref=REF       files changed since REF's merge base with...\n"
	"      --to-ref=REF         ...this ref (default HEAD)\n"
	"      --git-hook=NAME      run as git's NAME hook (see install)\n"
	"  -0, --null               the --files list is NUL-separated\n"
	"  -f, --format=F           text, json, tap, junit, sarif or github on stdout\n"
	"  -o, --report=FILE        also write a report to FILE\n"
	"      --report-format=F    its format (default: from the extension)\n"
	"      --timeline=FILE      Chrome trace-event JSON of the run\n"
	"      --baseline=FILE      findings in FILE are known; only new ones fail\n"
	"      --write-baseline=FILE  record this run's findings in FILE\n"
	"  -q, --quiet              only what did not pass; nothing if all passed\n"
	"  -v, --verbose            also the output of passing hooks\n"
	"      --color=WHEN         auto, always or never\n"
	"      --lock               one run at a time in this directory\n"
	"      --no-cache           neither use nor fill the result cache\n"
	"      --no-history         ignore and keep no record of durations\n"
	"      --failed             only what did not pass last time, and its dependents\n"
	"      --shard=K/N          run the Kth of N balanced parts (CI_NODE_INDEX/TOTAL)\n"
	"  -n, --dry-run            print the plan, run nothing\n"
	"  -l, --list               list hooks: name, strategy, wave, depends\n"
	"      --check-config       validate the config and exit\n"
	"      --log-level=L        error, warn, info or debug logs on stderr\n"
	"  -h, --help               this help\n"
	"  -V, --version            print the version\n"
	"\n"
	"  install [--force] [GITHOOK]...  install hookwave as the git hooks\n"
	"  uninstall [GITHOOK]...          remove them\n"
	"  history [HOOK]...               runs, last result, durations, trend\n"
	"  migrate [-o FILE] [FILE]        a pre-commit or lefthook config as hookwave.ini\n"
	"  merge [-o FILE] REPORT...       join the reports of a run's shards\n"
	"\n"
	"See hookwave(1) and hookwave.ini(5).\n";

static const char *const format_names[] = {
	[REPORT_TEXT] = "text", [REPORT_JSON] = "json", [REPORT_TAP] = "tap",
	[REPORT_JUNIT] = "junit", [REPORT_SARIF] = "sarif",
	[REPORT_GITHUB] = "github"
};
static const char *const color_names[] = {
	[CLI_COLOR_AUTO] = "auto", [CLI_COLOR_ALWAYS] = "always",
	[CLI_COLOR_NEVER] = "never"
};
static const char *const log_names[] = {
	[LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug"
};

/* Index of `arg` in names[], or -1 with `e` filled in. */
static int
pick(const char *opt, const char *arg, const char *const *names, size_t n,
     struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return (int)i;
	err_set(e, NULL, 0, "bad value '%s' for %s", arg, opt);
	return -1;
}

/* Split "a,b c" (commas and/or blanks) into names. */
static void
split_names(const char *s, struct strlist *out)
{
	while (*s != '\0') {
		size_t n;

		s += strspn(s, ", \t\n");
		n = strcspn(s, ", \t\n");
		if (n > 0)
			strlist_push_owned(out, xstrndup(s, n));
		s += n;
	}
}

enum {
	OPT_SKIP = 256, OPT_SCHEDULE, OPT_NO_STRATEGY_PARALLEL, OPT_ALL_FILES,
	OPT_STAGED, OPT_FILES, OPT_REPORT_FORMAT, OPT_TIMELINE, OPT_COLOR,
	OPT_LOCK, OPT_CHECK_CONFIG, OPT_LOG_LEVEL, OPT_NO_HISTORY,
	OPT_GIT_HOOK, OPT_FROM_REF, OPT_TO_REF, OPT_CHANGED, OPT_FORCE,
	OPT_FAILED, OPT_NO_CACHE, OPT_BASELINE, OPT_WRITE_BASELINE, OPT_SHARD
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "directory", required_argument, NULL, 'C' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "strategy", required_argument, NULL, 's' },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "schedule", required_argument, NULL, OPT_SCHEDULE },
	{ "no-strategy-parallel", no_argument, NULL, OPT_NO_STRATEGY_PARALLEL },
	{ "timeout", required_argument, NULL, 't' },
	{ "fail-fast", no_argument, NULL, 'x' },
	{ "all-files", no_argument, NULL, OPT_ALL_FILES },
	{ "staged", no_argument, NULL, OPT_STAGED },
	{ "files", required_argument, NULL, OPT_FILES },
	{ "null", no_argument, NULL, '0' },
	{ "changed", no_argument, NULL, OPT_CHANGED },
	{ "from-ref", required_argument, NULL, OPT_FROM_REF },
	{ "to-ref", required_argument, NULL, OPT_TO_REF },
	{ "git-hook", required_argument, NULL, OPT_GIT_HOOK },
	{ "format", required_argument, NULL, 'f' },
	{ "report", required_argument, NULL, 'o' },
	{ "report-format", required_argument, NULL, OPT_REPORT_FORMAT },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "lock", no_argument, NULL, OPT_LOCK },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "list", no_argument, NULL, 'l' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
options_init(struct cli_options *o)
{
	memset(o, 0, sizeof(*o));
	o->action = CLI_RUN;
	o->files = FILES_SOURCE_DEFAULT;
	o->format = REPORT_TEXT;
	o->report_format = REPORT_TEXT;
	o->color = CLI_COLOR_AUTO;
	o->log_level = LOG_LEVEL_OFF;
	o->plan = (struct plan_options)PLAN_OPTIONS_INIT;
	o->shard = o->nshards = 1;
}

/* "WHAT: the message", for a value whose checker does not know its name. */
static void
prefix_err(struct err *e, const char *what)
{
	char msg[sizeof(e->msg)];

	snprintf(msg, sizeof(msg), "%s", e->msg);
	err_set(e, NULL, 0, "%s: %s", what, msg);
}

/* "PREFIX '--foo'SUFFIX" or "PREFIX '-x'SUFFIX", as the user wrote it. */
static void
bad_option(char **argv, const char *prefix, const char *suffix,
	   struct err *e)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (strncmp(arg, "--", 2) == 0)
		err_set(e, NULL, 0, "%s '%s'%s", prefix, arg, suffix);
	else
		err_set(e, NULL, 0, "%s '-%c'%s", prefix, optopt, suffix);
}

/* The files a git hook's run sees (hookwave(1), GIT HOOKS). */
static int
git_hook_files(struct cli_options *o, struct err *e)
{
	const char *h = o->git_hook;

	if (strcmp(h, "pre-commit") == 0) {
		o->files = FILES_SOURCE_STAGED;
	} else if (strcmp(h, "pre-push") == 0) {
		o->files = FILES_SOURCE_PUSH;
	} else if (git_hook_takes_message(h)) {
		if (o->git_args.n == 0 || *o->git_args.v[0] == '\0')
			return err_set(e, NULL, 0, "--git-hook=%s: no message file (git gives it as the first argument)",
				       h);
		o->files = FILES_SOURCE_MESSAGE;
		o->message_file = o->git_args.v[0];
	}
	return 0;
}

/* install [--force] [GITHOOK]..., uninstall [GITHOOK]... */
static enum cli_status
parse_command(int argc, char **argv, struct cli_options *o, struct err *e)
{
	static const struct option cmd_options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "directory", required_argument, NULL, 'C' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, install = strcmp(argv[1], "install") == 0;

	o->action = install ? CLI_INSTALL : CLI_UNINSTALL;
	optind = 0;
	opterr = 0;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "+:c:C:h", cmd_options,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->directory = optarg;
			break;
		case OPT_FORCE:
			if (!install) {
				bad_option(argv, "unknown option", " for uninstall", e);
				return CLI_USAGE;
			}
			o->force = true;
			break;
		case 'h':
			o->action = CLI_HELP;
			return CLI_OK;
		case ':':
			bad_option(argv, "option", " needs a value", e);
			return CLI_USAGE;
		default:
			bad_option(argv, "unknown option", "", e);
			return CLI_USAGE;
		}
	}
	for (; optind < argc; optind++) {
		if (!git_hook_known(argv[optind]))
			return err_set(e, NULL, 0, "unknown git hook '%s' (see githooks(5))",
				       argv[optind]), CLI_ERROR;
		if (!strlist_has(&o->names, argv[optind]))
			strlist_push(&o->names, argv[optind]);
	}
	return CLI_OK;
}

/*
 * The options of a subcommand (argv[1], after the program's name) that
 * takes -o FILE, -h and, when `optstring` has it, -C DIR, as `longopts`
 * spells them. *first is then where in argv its operands start. CLI_OK (o->action CLI_HELP
 * after -h), or CLI_USAGE with `e`.
 */
static enum cli_status
sub_options(int argc, char **argv, const char *optstring,
	    const struct option *longopts, struct cli_options *o, int *first,
	    struct err *e)
{
	char suffix[32];
	int c;

	snprintf(suffix, sizeof(suffix), " for %s", argv[1]);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, optstring, longopts,
				NULL)) != -1) {
		switch (c) {
		case 'C':
			o->directory = optarg;
			break;
		case 'o':
			o->report = optarg;
			break;
		case 'h':
			o->action = CLI_HELP;
			return CLI_OK;
		case ':':
			bad_option(argv + 1, "option", " needs a value", e);
			return CLI_USAGE;
		default:
			bad_option(argv + 1, "unknown option", suffix, e);
			return CLI_USAGE;
		}
	}
	*first = optind + 1;
	return CLI_OK;
}

/* migrate [-C DIR] [-o FILE] [FILE] */
static enum cli_status
parse_migrate(int argc, char **argv, struct cli_options *o, struct err *e)
{
	static const struct option migrate_options[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum cli_status st;
	int first;

	o->action = CLI_MIGRATE;
	st = sub_options(argc, argv, "+:C:o:h", migrate_options, o, &first, e);
	if (st != CLI_OK || o->action == CLI_HELP)
		return st;
	if (argc - first > 1)
		return err_set(e, NULL, 0, "migrate takes one file"), CLI_ERROR;
	if (first < argc)
		strlist_push(&o->names, argv[first]);
	return CLI_OK;
}

/* merge [-o FILE] REPORT... */
static enum cli_status
parse_merge(int argc, char **argv, struct cli_options *o, struct err *e)
{
	static const struct option merge_options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum cli_status st;
	int first;

	o->action = CLI_MERGE;
	st = sub_options(argc, argv, "+:o:h", merge_options, o, &first, e);
	if (st != CLI_OK || o->action == CLI_HELP)
		return st;
	for (; first < argc; first++)
		strlist_push(&o->names, argv[first]);
	if (o->names.n == 0)
		return err_set(e, NULL, 0, "merge needs the reports to merge"),
		       CLI_USAGE;
	return CLI_OK;
}

enum cli_status
cli_parse(int argc, char **argv, struct cli_options *o, struct err *e)
{
	int c, v, file_opts = 0, new_opts = 0;
	unsigned long n;
	const char *env;
	bool shard_set = false;

	options_init(o);
	if ((env = getenv("HOOKWAVE")) != NULL && strcmp(env, "0") == 0)
		o->skip_all = true;
	if (argc > 1 && (strcmp(argv[1], "install") == 0 ||
			 strcmp(argv[1], "uninstall") == 0))
		return parse_command(argc, argv, o, e);
	if (argc > 1 && strcmp(argv[1], "migrate") == 0)
		return parse_migrate(argc, argv, o, e);
	if (argc > 1 && strcmp(argv[1], "merge") == 0)
		return parse_merge(argc, argv, o, e);
	/* A command word first; its options are parsed as a run's. */
	if (argc > 1 && strcmp(argv[1], "restore") == 0) {
		o->action = CLI_RESTORE;
		argc--;
		argv++;
	} else if (argc > 1 && strcmp(argv[1], "history") == 0) {
		o->action = CLI_HISTORY;
		argc--;
		argv++;
	}
	/* 0, not 1: glibc then forgets state left by an earlier parse. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:0c:C:f:hj:lno:qs:t:Vvx",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->directory = optarg;
			break;
		case 'j':
			if (strcmp(optarg, "auto") == 0) {
				o->plan.jobs = (long)plan_online_cpus();
			} else if (parse_ulong(optarg, 1, CONF_MAX_JOBS, &n) != 0) {
				err_set(e, NULL, 0, "bad value '%s' for --jobs: want a whole number from 1 to %lu",
					optarg, CONF_MAX_JOBS);
				return CLI_ERROR;
			} else {
				o->plan.jobs = (long)n;
			}
			break;
		case 's':
			strlist_push(&o->strategies, optarg);
			break;
		case OPT_SKIP:
			split_names(optarg, &o->skip);
			break;
		case OPT_SCHEDULE:
			o->plan.schedule = schedule_parse(optarg);
			if (o->plan.schedule == SCHED_UNSET) {
				err_set(e, NULL, 0, "bad value '%s' for --schedule: want waves, eager or sequential",
					optarg);
				return CLI_ERROR;
			}
			break;
		case OPT_NO_STRATEGY_PARALLEL:
			o->plan.strategy_parallel = 0;
			break;
		case 't':
			if (parse_ulong(optarg, 0, CONF_MAX_TIMEOUT, &n) != 0) {
				err_set(e, NULL, 0, "bad value '%s' for --timeout: want whole seconds from 0 to %lu",
					optarg, CONF_MAX_TIMEOUT);
				return CLI_ERROR;
			}
			o->plan.timeout = (long)n;
			break;
		case 'x':
			o->plan.fail_fast = 1;
			break;
		case OPT_ALL_FILES:
			o->files = FILES_SOURCE_ALL;
			file_opts++;
			break;
		case OPT_STAGED:
			o->files = FILES_SOURCE_STAGED;
			file_opts++;
			break;
		case OPT_FILES:
			o->files = FILES_SOURCE_LIST;
			o->files_path = optarg;
			file_opts++;
			break;
		case OPT_CHANGED:
			o->files = FILES_SOURCE_CHANGED;
			new_opts++;
			break;
		case OPT_FROM_REF:
			o->files = FILES_SOURCE_RANGE;
			o->from_ref = optarg;
			new_opts++;
			break;
		case OPT_TO_REF:
			o->to_ref = optarg;
			break;
		case OPT_GIT_HOOK:
			if (!git_hook_known(optarg))
				return err_set(e, NULL, 0, "unknown git hook '%s' for --git-hook (see githooks(5))",
					       optarg), CLI_ERROR;
			o->git_hook = optarg;
			new_opts++;
			break;
		case '0':
			o->null_sep = true;
			break;
		case 'f':
			if ((v = pick("--format", optarg, format_names,
				      ARRAY_SIZE(format_names), e)) < 0)
				return CLI_ERROR;
			o->format = (enum report_format)v;
			break;
		case 'o':
			o->report = optarg;
			break;
		case OPT_REPORT_FORMAT:
			if ((v = pick("--report-format", optarg, format_names,
				      ARRAY_SIZE(format_names), e)) < 0)
				return CLI_ERROR;
			o->report_format = (enum report_format)v;
			o->report_format_set = true;
			break;
		case OPT_TIMELINE:
			o->timeline = optarg;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			o->write_baseline = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_COLOR:
			if (optarg == NULL)
				o->color = CLI_COLOR_ALWAYS;
			else if ((v = pick("--color", optarg, color_names,
					   ARRAY_SIZE(color_names), e)) < 0)
				return CLI_ERROR;
			else
				o->color = (enum cli_color)v;
			break;
		case OPT_LOCK:
			o->lock = true;
			break;
		case OPT_NO_HISTORY:
			o->no_history = true;
			break;
		case OPT_NO_CACHE:
			o->no_cache = true;
			break;
		case OPT_FAILED:
			o->failed = true;
			break;
		case OPT_SHARD:
			if (shard_parse(optarg, &o->shard, &o->nshards, e) != 0) {
				prefix_err(e, "--shard");
				return CLI_ERROR;
			}
			shard_set = true;
			break;
		case 'n':
			o->action = CLI_DRY_RUN;
			break;
		case 'l':
			o->action = CLI_LIST;
			break;
		case OPT_CHECK_CONFIG:
			o->action = CLI_CHECK;
			break;
		case OPT_LOG_LEVEL:
			if ((v = pick("--log-level", optarg, log_names,
				      ARRAY_SIZE(log_names), e)) < 0)
				return CLI_ERROR;
			o->log_level = v;
			break;
		case 'h':
			o->action = CLI_HELP;
			return CLI_OK;
		case 'V':
			o->action = CLI_VERSION;
			return CLI_OK;
		case ':':
			bad_option(argv, "option", " needs a value", e);
			return CLI_USAGE;
		default:
			bad_option(argv, "unknown option", "", e);
			return CLI_USAGE;
		}
	}
	if (o->action == CLI_RESTORE && optind < argc)
		return err_set(e, NULL, 0, "restore takes no hook names"),
		       CLI_ERROR;
	if (o->action == CLI_HISTORY &&
	    o->format != REPORT_TEXT && o->format != REPORT_JSON)
		return err_set(e, NULL, 0, "history prints text or json"),
		       CLI_ERROR;
	if (o->failed && o->git_hook != NULL)
		return err_set(e, NULL, 0, "--failed and --git-hook exclude each other"),
		       CLI_ERROR;
	if (file_opts > 1)
		return err_set(e, NULL, 0, "--all-files, --staged and --files exclude each other"),
		       CLI_ERROR;
	if (file_opts + new_opts > 1)
		return err_set(e, NULL, 0, "--all-files, --staged, --files, --changed, --from-ref and --git-hook exclude each other"),
		       CLI_ERROR;
	if (o->to_ref != NULL && o->from_ref == NULL)
		return err_set(e, NULL, 0, "--to-ref goes with --from-ref"),
		       CLI_ERROR;
	if (o->null_sep && o->files != FILES_SOURCE_LIST)
		return err_set(e, NULL, 0, "-0 goes with --files"), CLI_ERROR;
	if (o->quiet && o->verbose)
		return err_set(e, NULL, 0, "-q and -v exclude each other"), CLI_ERROR;
	for (; optind < argc; optind++)
		strlist_push(o->git_hook != NULL ? &o->git_args : &o->names,
			     argv[optind]);
	if (o->git_hook != NULL && git_hook_files(o, e) != 0)
		return CLI_ERROR;
	if (o->log_level == LOG_LEVEL_OFF &&
	    (env = getenv("HOOKWAVE_LOG")) != NULL && *env != '\0') {
		for (v = 0; v < (int)ARRAY_SIZE(log_names); v++)
			if (strcmp(env, log_names[v]) == 0)
				o->log_level = v;
		if (o->log_level == LOG_LEVEL_OFF)
			return err_set(e, NULL, 0, "bad value '%s' for HOOKWAVE_LOG: want error, warn, info or debug",
				       env), CLI_ERROR;
	}
	/* pre-commit's SKIP too: both set, the union is left out. */
	if ((env = getenv("HOOKWAVE_SKIP")) != NULL)
		split_names(env, &o->env_skip);
	if ((env = getenv("SKIP")) != NULL)
		split_names(env, &o->env_skip);
	if (shard_set && o->action != CLI_RUN && o->action != CLI_DRY_RUN)
		return err_set(e, NULL, 0, "--shard goes with a run or -n"),
		       CLI_ERROR;
	if (!shard_set && (o->action == CLI_RUN || o->action == CLI_DRY_RUN) &&
	    shard_from_env(getenv("CI_NODE_INDEX"), getenv("CI_NODE_TOTAL"),
			   &o->shard, &o->nshards, e) != 0)
		return CLI_ERROR;

	o->plan.strategies = (const char *const *)o->strategies.v;
	o->plan.nstrategies = o->strategies.n;
	o->plan.skip = (const char *const *)o->skip.v;
	o->plan.nskip = o->skip.n;
	o->plan.env_skip = (const char *const *)o->env_skip.v;
	o->plan.nenv_skip = o->env_skip.n;
	o->plan.names = (const char *const *)o->names.v;
	o->plan.nnames = o->names.n;
	return CLI_OK;
}

void
cli_release(struct cli_options *o)
{
	strlist_release(&o->strategies);
	strlist_release(&o->skip);
	strlist_release(&o->env_skip);
	strlist_release(&o->names);
	strlist_release(&o->git_args);
}

const char *
cli_find_config(const struct cli_options *o, const char *sysconf_path)
{
	static const char *const local[] = { "hookwave.ini", ".hookwave.ini" };
	const char *env = getenv("HOOKWAVE_CONFIG");
	size_t i;

	if (o->config != NULL)
		return o->config;
	if (env != NULL && *env != '\0')
		return env;
	for (i = 0; i < ARRAY_SIZE(local); i++)
		if (access(local[i], F_OK) == 0)
			return local[i];
	if (sysconf_path != NULL && access(sysconf_path, F_OK) == 0)
		return sysconf_path;
	return NULL;
}

bool
cli_use_color(const struct cli_options *o, bool stdout_tty)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (o->color == CLI_COLOR_ALWAYS)
		return true;
	if (o->color == CLI_COLOR_NEVER)
		return false;
	return stdout_tty && (nc == NULL || *nc == '\0') &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}

bool
cli_status_line(const struct cli_options *o, bool stdout_tty, bool stderr_tty)
{
	const char *term = getenv("TERM");

	return o->format == REPORT_TEXT && !o->quiet && stdout_tty &&
	       (o->log_level == LOG_LEVEL_OFF || !stderr_tty) &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}
