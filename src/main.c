/*
 * main.c - hookwave's command line: parse argv, wire the stages
 * (conf -> plan -> run -> report), and turn the outcome into the exit
 * status. The only file that prints errors or decides what is fatal.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "exec.h"
#include "files.h"
#include "guardian.h"
#include "history.h"
#include "lock.h"
#include "orphans.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "strategy.h"
#include "util.h"

extern char **environ;

#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif

enum exit_status {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_LOCKED = 75
};

enum action { ACT_RUN, ACT_DRY_RUN, ACT_LIST, ACT_CHECK };
enum file_source { FILES_DEFAULT, FILES_ALL, FILES_STAGED, FILES_LIST };
enum format { FMT_TEXT, FMT_JSON, FMT_TAP, FMT_JUNIT, FMT_UNSET = -1 };
enum color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum log_level { LOG_NONE = -1, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct options {
	const char *config;
	const char *directory;
	enum action action;
	enum file_source files;
	const char *files_path;
	int null_sep;
	enum format format;
	const char *report;
	enum format report_format;
	const char *timeline;
	int quiet, verbose;
	enum color color;
	int lock;
	int no_history;
	enum log_level log_level;
	struct strlist strategies, skip, env_skip, names;
	struct plan_options plan;
};

static const char *const format_names[] = { "text", "json", "tap", "junit" };
static const char *const color_names[] = { "auto", "always", "never" };
static const char *const log_names[] = { "error", "warn", "info", "debug" };

/* Print one message as one write, so concurrent lines never mix. */
static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	memcpy(buf, "hookwave: ", 10);
	va_start(ap, fmt);
	n = vsnprintf(buf + 10, sizeof(buf) - 11, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += 10;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)write_all(STDERR_FILENO, buf, (size_t)n);
}

static void
say_err(const struct err *e)
{
	char buf[2048];
	size_t n = err_format(e, buf, sizeof(buf));

	(void)write_all(STDERR_FILENO, buf, n);
}

static const char synopsis[] =
	"usage: hookwave [-0hlnqVvx] [-C dir] [-c file] [-f format] [-j jobs]\n"
	"                [-o file] [-s strategy] [-t seconds] [--all-files | --staged |\n"
	"                --files=file] [--check-config] [--color=when] [--lock]\n"
	"                [--log-level=level] [--no-history] [--no-strategy-parallel]\n"
	"                [--report-format=format] [--schedule=schedule] [--skip=hook]\n"
	"                [--timeline=file] [hook ...]\n";

static void
usage(FILE *f)
{
	fputs(synopsis, f);
}

static void
help(void)
{
	usage(stdout);
	fputs("\n"
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
	      "  -0, --null               the --files list is NUL-separated\n"
	      "  -f, --format=F           text, json, tap or junit on stdout\n"
	      "  -o, --report=FILE        also write a report to FILE\n"
	      "      --report-format=F    its format (default: from the extension)\n"
	      "      --timeline=FILE      Chrome trace-event JSON of the run\n"
	      "  -q, --quiet              only what did not pass; nothing if all passed\n"
	      "  -v, --verbose            also the output of passing hooks\n"
	      "      --color=WHEN         auto, always or never\n"
	      "      --lock               one run at a time in this directory\n"
	      "      --no-history         ignore and keep no record of durations\n"
	      "  -n, --dry-run            print the plan, run nothing\n"
	      "  -l, --list               list hooks: name, strategy, wave, depends\n"
	      "      --check-config       validate the config and exit\n"
	      "      --log-level=L        error, warn, info or debug logs on stderr\n"
	      "  -h, --help               this help\n"
	      "  -V, --version            print the version\n"
	      "\n"
	      "See hookwave(1) and hookwave.ini(5).\n", stdout);
}

static int
pick(const char *opt, const char *arg, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return (int)i;
	say("bad value '%s' for %s", arg, opt);
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
	OPT_LOCK, OPT_CHECK_CONFIG, OPT_LOG_LEVEL, OPT_NO_HISTORY
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
	{ "format", required_argument, NULL, 'f' },
	{ "report", required_argument, NULL, 'o' },
	{ "report-format", required_argument, NULL, OPT_REPORT_FORMAT },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "lock", no_argument, NULL, OPT_LOCK },
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "list", no_argument, NULL, 'l' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Parse argv into *o. Returns -1 to exit 0 (help, version), 0 to go on, 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	int c, v, file_opts = 0;
	unsigned long n;
	const char *env;

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
				say("bad value '%s' for --jobs: want a whole number from 1 to %lu",
				    optarg, CONF_MAX_JOBS);
				return 2;
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
				say("bad value '%s' for --schedule: want waves, eager or sequential",
				    optarg);
				return 2;
			}
			break;
		case OPT_NO_STRATEGY_PARALLEL:
			o->plan.strategy_parallel = 0;
			break;
		case 't':
			if (parse_ulong(optarg, 0, CONF_MAX_TIMEOUT, &n) != 0) {
				say("bad value '%s' for --timeout: want whole seconds from 0 to %lu",
				    optarg, CONF_MAX_TIMEOUT);
				return 2;
			}
			o->plan.timeout = (long)n;
			break;
		case 'x':
			o->plan.fail_fast = 1;
			break;
		case OPT_ALL_FILES:
			o->files = FILES_ALL;
			file_opts++;
			break;
		case OPT_STAGED:
			o->files = FILES_STAGED;
			file_opts++;
			break;
		case OPT_FILES:
			o->files = FILES_LIST;
			o->files_path = optarg;
			file_opts++;
			break;
		case '0':
			o->null_sep = 1;
			break;
		case 'f':
			if ((v = pick("--format", optarg, format_names,
				      ARRAY_SIZE(format_names))) < 0)
				return 2;
			o->format = (enum format)v;
			break;
		case 'o':
			o->report = optarg;
			break;
		case OPT_REPORT_FORMAT:
			if ((v = pick("--report-format", optarg, format_names,
				      ARRAY_SIZE(format_names))) < 0)
				return 2;
			o->report_format = (enum format)v;
			break;
		case OPT_TIMELINE:
			o->timeline = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_COLOR:
			if (optarg == NULL)
				o->color = COLOR_ALWAYS;
			else if ((v = pick("--color", optarg, color_names,
					   ARRAY_SIZE(color_names))) < 0)
				return 2;
			else
				o->color = (enum color)v;
			break;
		case OPT_LOCK:
			o->lock = 1;
			break;
		case OPT_NO_HISTORY:
			o->no_history = 1;
			break;
		case 'n':
			o->action = ACT_DRY_RUN;
			break;
		case 'l':
			o->action = ACT_LIST;
			break;
		case OPT_CHECK_CONFIG:
			o->action = ACT_CHECK;
			break;
		case OPT_LOG_LEVEL:
			if ((v = pick("--log-level", optarg, log_names,
				      ARRAY_SIZE(log_names))) < 0)
				return 2;
			o->log_level = (enum log_level)v;
			break;
		case 'h':
			help();
			return -1;
		case 'V':
			printf("hookwave %s\n", PACKAGE_VERSION);
			return -1;
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				say("option '%s' needs a value", argv[optind - 1]);
			else
				say("option '-%c' needs a value", optopt);
			usage(stderr);
			return 2;
		default:
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				say("unknown option '%s'", argv[optind - 1]);
			else
				say("unknown option '-%c'", optopt);
			usage(stderr);
			return 2;
		}
	}
	if (file_opts > 1) {
		say("--all-files, --staged and --files exclude each other");
		return 2;
	}
	if (o->null_sep && o->files != FILES_LIST) {
		say("-0 goes with --files");
		return 2;
	}
	if (o->quiet && o->verbose) {
		say("-q and -v exclude each other");
		return 2;
	}
	for (; optind < argc; optind++)
		strlist_push(&o->names, argv[optind]);
	if (o->log_level == LOG_NONE && (env = getenv("HOOKWAVE_LOG")) != NULL &&
	    *env != '\0') {
		for (v = 0; v < (int)ARRAY_SIZE(log_names); v++)
			if (strcmp(env, log_names[v]) == 0)
				o->log_level = (enum log_level)v;
		if (o->log_level == LOG_NONE) {
			say("bad value '%s' for HOOKWAVE_LOG: want error, warn, info or debug",
			    env);
			return 2;
		}
	}
	if ((env = getenv("HOOKWAVE_SKIP")) != NULL)
		split_names(env, &o->env_skip);
	return 0;
}

/* The config file to read: -c, $HOOKWAVE_CONFIG, the run directory, SYSCONFDIR. */
static const char *
find_config(const struct options *o)
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
	if (access(SYSCONFDIR "/hookwave/hookwave.ini", F_OK) == 0)
		return SYSCONFDIR "/hookwave/hookwave.ini";
	return NULL;
}

static const char *
deps_text(const struct conf_hook *h, char *buf, size_t size)
{
	size_t i, len = 0;

	if (h->depends.n == 0)
		return "-";
	buf[0] = '\0';
	for (i = 0; i < h->depends.n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? "," : "", h->depends.v[i]);
	return buf;
}

/* -l: one hook a line, columns aligned. */
static void
list_hooks(const struct plan *p)
{
	size_t i, wn = 4, ws = 8;
	char deps[4096], wave[32];

	for (i = 0; i < p->nhooks; i++) {
		size_t a = strlen(p->hooks[i].conf->name);
		size_t b = strlen(p->strategies[p->hooks[i].strategy].name);
		if (a > wn)
			wn = a;
		if (b > ws)
			ws = b;
	}
	printf("%-*s  %-*s  %-8s  %s\n", (int)wn, "HOOK", (int)ws, "STRATEGY",
	       "WAVE", "DEPENDS");
	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];

		if (h->state == PLAN_DISABLED)
			snprintf(wave, sizeof(wave), "disabled");
		else
			snprintf(wave, sizeof(wave), "%u", h->wave);
		printf("%-*s  %-*s  %-8s  %s\n", (int)wn, h->conf->name, (int)ws,
		       p->strategies[h->strategy].name, wave,
		       deps_text(h->conf, deps, sizeof(deps)));
	}
}

/* The files tier for one run: listed once, batched per hook. */
struct prepared {
	struct file_list fl;
	struct batches *batches;        /* per plan hook */
	size_t *nbatches, *nfiles;
	double **batch_seconds;         /* per plan hook: batches[i].seconds */
};

static int
any_files(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nhooks; i++)
		if (p->hooks[i].state == PLAN_RUN && p->hooks[i].conf->files.n > 0)
			return 1;
	return 0;
}

static const enum files_source source_of[] = {
	[FILES_DEFAULT] = FILES_SOURCE_DEFAULT,
	[FILES_ALL] = FILES_SOURCE_ALL,
	[FILES_STAGED] = FILES_SOURCE_STAGED,
	[FILES_LIST] = FILES_SOURCE_LIST,
};

/* List the files (only if a hook wants them) and batch every hook's. */
static int
prepare(struct prepared *pr, const struct plan *p, const struct options *o,
	const struct history *hist)
{
	struct err e;
	size_t i;

	memset(pr, 0, sizeof(*pr));
	pr->batches = xcalloc(p->nhooks + 1, sizeof(*pr->batches));
	pr->nbatches = xcalloc(p->nhooks + 1, sizeof(*pr->nbatches));
	pr->nfiles = xcalloc(p->nhooks + 1, sizeof(*pr->nfiles));
	if (any_files(p) &&
	    files_list(&pr->fl, source_of[o->files], o->files_path, o->null_sep,
		       &e) != 0) {
		say_err(&e);
		return -1;
	}
	exec_plan_batches(p, environ, &pr->fl, hist, pr->batches, pr->nbatches,
			  pr->nfiles);
	pr->batch_seconds = xcalloc(p->nhooks + 1, sizeof(*pr->batch_seconds));
	for (i = 0; i < p->nhooks; i++)
		pr->batch_seconds[i] = pr->batches[i].seconds;
	return 0;
}

static void
prepared_release(struct prepared *pr, const struct plan *p)
{
	size_t i;

	if (pr->batches != NULL)
		for (i = 0; i < p->nhooks; i++)
			batches_release(&pr->batches[i]);
	free(pr->batches);
	free(pr->nbatches);
	free(pr->nfiles);
	free(pr->batch_seconds);
	file_list_release(&pr->fl);
}

static void
dry_run_hook(const struct plan *p, const struct prepared *pr, size_t hi)
{
	const struct plan_hook *h = &p->hooks[hi];
	size_t k;

	printf("    %s", h->conf->name);
	if (h->ndeps > 0) {
		printf(" (after");
		for (k = 0; k < h->ndeps; k++)
			printf("%s%s", k ? ", " : " ", p->hooks[h->deps[k]].conf->name);
		printf(")");
	}
	if (h->timeout > 0)
		printf(" timeout %lds", h->timeout);
	else
		printf(" no timeout");
	if (h->critical)
		printf(" critical");
	if (h->conf->files.n > 0 && pr->nbatches[hi] == 0) {
		printf(": no files");
	} else if (h->conf->files.n > 0) {
		const struct batches *b = &pr->batches[hi];

		printf(": %zu file%s in %zu batch%s", pr->nfiles[hi],
		       pr->nfiles[hi] == 1 ? "" : "s", b->n, b->n == 1 ? "" : "es");
		if (b->n > 1) {
			printf(" of");
			for (k = 0; k < b->n && k < 16; k++)
				printf("%s%zu", k ? "+" : " ", b->count[k]);
			if (b->n > 16)
				printf("+...");
		}
		if (h->conf->serial)
			printf(", serial");
	}
	printf("\n");
}

/* -n: strategies, waves (or order), hooks; nothing runs. */
static void
dry_run(const struct plan *p, const struct prepared *pr)
{
	size_t s, i;
	unsigned w;

	printf("jobs %u, strategies %s (at most %u at once)\n", p->jobs,
	       p->strategy_parallel ? "in parallel" : "one after another",
	       p->strategy_parallel ? p->max_concurrent_strategies : 1);
	for (s = 0; s < p->nstrategies; s++) {
		const struct plan_strategy *ps = &p->strategies[s];
		size_t disabled = 0;

		printf("strategy %s: %s, max_workers %u, %zu hook%s, %u wave%s\n",
		       ps->name, schedule_name(ps->schedule), ps->max_workers,
		       ps->nhooks, ps->nhooks == 1 ? "" : "s", ps->nwaves,
		       ps->nwaves == 1 ? "" : "s");
		if (ps->schedule == SCHED_SEQUENTIAL) {
			printf("  in order:\n");
			for (i = 0; i < ps->ntopo; i++)
				dry_run_hook(p, pr, ps->topo[i]);
		} else {
			/* Bucket by wave (counting sort): deep plans stay linear. */
			size_t *start = xcalloc(ps->nwaves + 2, sizeof(*start));
			size_t *by_wave = xmalloc((ps->ntopo + 1) * sizeof(*by_wave));

			for (i = 0; i < ps->ntopo; i++)
				start[p->hooks[ps->topo[i]].wave + 1]++;
			for (w = 1; w <= ps->nwaves + 1; w++)
				start[w] += start[w - 1];
			for (i = 0; i < ps->ntopo; i++)
				by_wave[start[p->hooks[ps->topo[i]].wave]++] = ps->topo[i];
			for (i = 0, w = 1; w <= ps->nwaves; w++) {
				printf("  wave %u:\n", w);
				for (; i < ps->ntopo && p->hooks[by_wave[i]].wave == w; i++)
					dry_run_hook(p, pr, by_wave[i]);
			}
			free(by_wave);
			free(start);
		}
		for (i = 0; i < ps->nhooks; i++)
			if (p->hooks[ps->hooks[i]].state == PLAN_DISABLED)
				disabled++;
		if (disabled > 0) {
			printf("  disabled:");
			for (i = 0; i < ps->nhooks; i++)
				if (p->hooks[ps->hooks[i]].state == PLAN_DISABLED)
					printf(" %s", p->hooks[ps->hooks[i]].conf->name);
			printf("\n");
		}
	}
}

/* Set by the signal handlers; read by every thread. */
static atomic_int interrupted;
static volatile sig_atomic_t caught_signal;
static volatile sig_atomic_t signal_count;
static int cancel_pipe[2] = { -1, -1 };
static int kill_pipe[2] = { -1, -1 };

/* Only flags and a write to the cancel pipe: async-signal-safe. */
static void
on_signal(int sig)
{
	int saved = errno;

	if (caught_signal == 0)
		caught_signal = sig;
	atomic_store(&interrupted, 1);
	/* The first asks hooks to stop (TERM, grace); a second kills them. */
	if (signal_count < 2)
		signal_count++;
	if (signal_count == 1 && cancel_pipe[1] >= 0)
		(void)!write(cancel_pipe[1], "x", 1);
	if (signal_count == 2 && kill_pipe[1] >= 0)
		(void)!write(kill_pipe[1], "x", 1);
	errno = saved;
}

/*
 * Nobody reads our output any more (EPIPE): end the run the way an
 * interrupt does, and die of SIGPIPE after cleanup. Other write errors
 * let the run finish (exit 2 then).
 */
static void
on_write_error(int error)
{
	if (error != EPIPE)
		return;
	if (caught_signal == 0)
		caught_signal = SIGPIPE;
	atomic_store(&interrupted, 1);
	if (signal_count == 0) {
		signal_count = 1;
		(void)!write(cancel_pipe[1], "x", 1);
	}
}

/* The run is over: the handlers write nowhere from now on. */
static void
close_pipes(void)
{
	int fds[4] = { cancel_pipe[0], cancel_pipe[1], kill_pipe[0], kill_pipe[1] };
	size_t i;

	cancel_pipe[0] = cancel_pipe[1] = kill_pipe[0] = kill_pipe[1] = -1;
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t set;
	size_t i;

	/* Blocked by whoever started us, they would never arrive. */
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Die of `sig` as make and git do, so the caller sees how we ended. */
static void
reraise(int sig)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

static int
use_color(const struct options *o)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (o->color == COLOR_ALWAYS)
		return 1;
	if (o->color == COLOR_NEVER)
		return 0;
	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}

/* The live status line: text on a terminal, not -q, not TERM=dumb. */
static int
status_line(const struct options *o)
{
	const char *term = getenv("TERM");

	return o->format == FMT_TEXT && !o->quiet &&
	       isatty(STDOUT_FILENO) &&
	       (o->log_level == LOG_NONE || !isatty(STDERR_FILENO)) &&
	       (term == NULL || strcmp(term, "dumb") != 0);
}

static void
report_cb(void *ctx, const struct plan *p, size_t hook,
	  const struct hook_result *r)
{
	struct report *rep = ((void **)ctx)[1];

	(void)p;
	report_hook(rep, hook, r);
}

static void
start_cb(void *ctx, const struct plan *p, size_t hook, size_t batch,
	 unsigned slot)
{
	(void)p;
	(void)batch;
	(void)slot;
	report_started(((void **)ctx)[1], hook);
}

static void
exec_cb(void *ctx, const struct plan *p, size_t hook, size_t batch,
	unsigned slot, struct batch_result *r)
{
	exec_batch(((void **)ctx)[0], p, hook, batch, slot, r);
}

/* Load the durations of earlier runs and weigh the plan with them. */
static struct history *
load_history(struct plan *p, char **path)
{
	struct history *h;
	double *w;
	struct err e;
	int warned;
	size_t i;

	*path = history_path();
	h = history_load(*path, &warned, &e);
	if (warned)
		say_err(&e);
	w = xcalloc(p->nhooks + 1, sizeof(*w));
	for (i = 0; i < p->nhooks; i++) {
		char *key = history_key(p->hooks[i].conf->name,
					p->hooks[i].conf->command);

		w[i] = history_predict(h, p->strategies[p->hooks[i].strategy].name,
				       key);
		free(key);
	}
	plan_set_weights(p, w);
	free(w);
	return h;
}

/*
 * Remember how long each hook that ran to its end took, and, for a
 * hook whose batches all ran, how long each batch took.
 */
static void
save_history(const struct conf *c, const struct plan *p,
	     const struct prepared *pr, const struct hook_result *res,
	     struct history *h, const char *path)
{
	struct err e;
	size_t i, n = 0;
	char *key;

	for (i = 0; i < p->nhooks; i++) {
		if ((res[i].status != HOOK_PASSED && res[i].status != HOOK_FAILED) ||
		    res[i].duration < 0)
			continue;
		const char *sname = p->strategies[p->hooks[i].strategy].name;
		const struct batches *b = &pr->batches[i];

		key = history_key(p->hooks[i].conf->name, p->hooks[i].conf->command);
		history_record(h, sname, key, res[i].duration);
		if (b->n > 0 && res[i].nspans == b->n) {
			double *sec = xreallocarray(NULL, b->n, sizeof(*sec));
			size_t k;

			for (k = 0; k < b->n; k++)
				sec[k] = res[i].spans[k].duration;
			history_learn(h, sname, key, b, sec);
			free(sec);
		}
		free(key);
		n++;
	}
	if (n > 0) {
		/* Keep what the configuration still has, whatever ran. */
		const char **sv = xcalloc(c->nhooks + 1, sizeof(*sv));
		char **kv = xcalloc(c->nhooks + 1, sizeof(*kv));

		for (i = 0; i < c->nhooks; i++) {
			sv[i] = c->strategies[c->hooks[i].strategy].name;
			kv[i] = history_key(c->hooks[i].name, c->hooks[i].command);
		}
		history_retain(h, sv, (const char *const *)kv, c->nhooks);
		for (i = 0; i < c->nhooks; i++)
			free(kv[i]);
		free(kv);
		free(sv);
	}
	/* Nowhere to write (a read-only tree, HOME unset) is no failure. */
	if (n > 0 && history_save(h, path, &e) != 0 && log_enabled(LOG_LEVEL_WARN))
		log_event(LOG_LEVEL_WARN, e.msg, "file", path, NULL);
}

/* Run the plan, report, and return the exit status. */
static int
run(const struct conf *c, const struct plan *p, const struct options *o,
    const struct prepared *pr, struct history *hist, const char *hist_path)
{
	struct exec_ctx ex;
	struct guardian guard = { 0, -1 };
	struct report_options ro;
	struct report *rep;
	struct run_config rc;
	struct hook_result *results;
	void *ctxs[2];
	double t0 = now_monotonic(), elapsed;
	unsigned workers = 0;
	int status = EXIT_PASS, werr, file_failed = 0, adopted;
	struct err e;
	size_t i;

	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    pipe2(kill_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		say("cannot make a pipe: %s", strerror(errno));
		return EXIT_USAGE;
	}
	catch_signals();

	memset(&ex, 0, sizeof(ex));
	ex.environ = environ;
	ex.cancel_fd = cancel_pipe[0];
	ex.kill_fd = kill_pipe[0];
	ex.batches = pr->batches;
	memset(&ro, 0, sizeof(ro));
	ro.fd = STDOUT_FILENO;
	ro.format = (enum report_format)o->format;
	ro.quiet = o->quiet;
	ro.verbose = o->verbose;
	ro.color = use_color(o);
	ro.status_line = status_line(o);
	ro.on_write_error = on_write_error;
	rep = report_new(p, &ro);
	ctxs[0] = &ex;
	ctxs[1] = rep;
	memset(&rc, 0, sizeof(rc));
	rc.plan = p;
	rc.exec = exec_cb;
	rc.start = start_cb;
	rc.report = report_cb;
	rc.ctx = ctxs;
	rc.nbatches = pr->nbatches;
	rc.nfiles = pr->nfiles;
	rc.batch_seconds = pr->batch_seconds;

	if (log_enabled(LOG_LEVEL_INFO)) {
		char n[32], j[32];

		snprintf(n, sizeof(n), "%zu", p->nhooks);
		snprintf(j, sizeof(j), "%u", p->jobs);
		log_event(LOG_LEVEL_INFO, "run start", "hooks", n, "jobs", j, NULL);
	}
	/* What hooks leave behind comes to us, to be ended after the run. */
	adopted = orphans_adopt() == 0;
	/* Before any thread: it forks. Without one (fork failed), a kill -9
	   of hookwave leaves its hooks running, as it always would have. */
	if (p->nhooks > 0 && guardian_start(&guard, (double)p->kill_grace) == 0)
		ex.guardian = &guard;
	results = run_plan(&rc, &interrupted, t0, &workers);
	elapsed = now_monotonic() - t0;
	guardian_stop(&guard);
	if (adopted && p->nhooks > 0)
		orphans_end(p->kill_grace < 2 ? (double)p->kill_grace : 2.0);
	if (results == NULL) {
		say("cannot start any worker thread: %s", strerror(errno));
		report_free(rep);
		close_pipes();
		return EXIT_USAGE;
	}
	if (workers < p->jobs)
		say("only %u of %u worker threads could be started; running with %u",
		    workers, p->jobs, workers);
	for (i = 0; i < p->nhooks; i++)
		if (hook_result_fails_run(&results[i]))
			status = EXIT_FAIL;
	if (caught_signal != 0)
		status = 128 + caught_signal;
	if (hist != NULL && hist_path != NULL)
		save_history(c, p, pr, results, hist, hist_path);
	if (log_enabled(LOG_LEVEL_INFO)) {
		char d[32], x[32];

		snprintf(d, sizeof(d), "%.3f", elapsed);
		snprintf(x, sizeof(x), "%d", status);
		log_event(LOG_LEVEL_INFO, "run end", "duration", d, "exit_status", x,
			  NULL);
	}
	report_finish(rep, results, elapsed, status);
	werr = report_error(rep);
	if (o->report != NULL) {
		size_t n;
		const size_t *order = report_order(rep, &n);
		enum report_format f = o->report_format != FMT_UNSET ?
			(enum report_format)o->report_format :
			report_format_for(o->report);

		if (report_write_file(o->report, f, p, results, order, elapsed,
				      status, &e) != 0) {
			say_err(&e);
			file_failed = 1;
		}
	}
	if (o->timeline != NULL &&
	    report_write_timeline(o->timeline, p, results, workers, &e) != 0) {
		say_err(&e);
		file_failed = 1;
	}
	run_results_free(results, p->nhooks);
	report_free(rep);
	close_pipes();
	if (werr == EPIPE)
		return 128 + (caught_signal != 0 ? caught_signal : SIGPIPE);
	if (werr != 0) {
		say("write error on standard output: %s", strerror(werr));
		return EXIT_USAGE;
	}
	if (file_failed && status < 128)
		return EXIT_USAGE;
	return status;
}

/* Make sure fds 0-2 are open, so no pipe we make lands on them. */
static void
sanitize_stdfds(void)
{
	int fd;

	do {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd > 2)
			close(fd);
		else if (fd >= 0)
			fcntl(fd, F_SETFD, 0);  /* it stands in for 0, 1 or 2 */
	} while (fd >= 0 && fd <= 2);
}

static void
options_release(struct options *o)
{
	strlist_release(&o->strategies);
	strlist_release(&o->skip);
	strlist_release(&o->env_skip);
	strlist_release(&o->names);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct conf conf;
	struct plan plan;
	struct prepared prep;
	struct history *hist = NULL;
	char *hist_path = NULL;
	struct err e;
	const char *path;
	int r, status = EXIT_USAGE, lock_fd = -1;

	sanitize_stdfds();
	/* A closed stdout is an EPIPE to handle, not a death. An inherited
	   SIGCHLD ignore would make the kernel reap our hooks for us. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	memset(&o, 0, sizeof(o));
	o.plan = (struct plan_options)PLAN_OPTIONS_INIT;
	o.format = FMT_TEXT;
	o.report_format = FMT_UNSET;
	o.log_level = LOG_NONE;
	conf_init(&conf);
	memset(&plan, 0, sizeof(plan));
	memset(&prep, 0, sizeof(prep));

	r = parse_args(argc, argv, &o);
	if (r == 0)
		log_init(o.log_level);
	if (r != 0) {
		options_release(&o);
		return r < 0 ? (fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_USAGE)
			     : EXIT_USAGE;
	}
	if (o.directory != NULL && chdir(o.directory) != 0) {
		say("cannot change to directory '%s': %s", o.directory,
		    strerror(errno));
		goto out;
	}
	if (o.lock && (o.action == ACT_RUN)) {
		pid_t holder;

		lock_fd = lock_dir(".", &holder);
		if (lock_fd < 0 && errno == EWOULDBLOCK) {
			if (holder > 0)
				say("another run holds the lock on this directory (pid %ld)",
				    (long)holder);
			else
				say("another run holds the lock on this directory");
			status = EXIT_LOCKED;
			goto out;
		}
		if (lock_fd < 0) {
			say("cannot lock this directory: %s", strerror(errno));
			goto out;
		}
	}
	path = find_config(&o);
	if (path == NULL) {
		say("no hookwave.ini or .hookwave.ini here, and no %s",
		    SYSCONFDIR "/hookwave/hookwave.ini");
		goto out;
	}
	if (conf_load(&conf, path, &e) != 0) {
		say_err(&e);
		goto out;
	}
	o.plan.strategies = (const char *const *)o.strategies.v;
	o.plan.nstrategies = o.strategies.n;
	o.plan.skip = (const char *const *)o.skip.v;
	o.plan.nskip = o.skip.n;
	o.plan.env_skip = (const char *const *)o.env_skip.v;
	o.plan.nenv_skip = o.env_skip.n;
	o.plan.names = (const char *const *)o.names.v;
	o.plan.nnames = o.names.n;
	if (plan_build(&plan, &conf, &o.plan, &e) != 0) {
		say_err(&e);
		goto out;
	}

	switch (o.action) {
	case ACT_CHECK:
		status = EXIT_PASS;
		break;
	case ACT_LIST:
		list_hooks(&plan);
		status = EXIT_PASS;
		break;
	case ACT_DRY_RUN:
	case ACT_RUN:
		if (conf.settings.history && !o.no_history)
			hist = load_history(&plan, &hist_path);
		if (prepare(&prep, &plan, &o, hist) != 0)
			break;
		if (o.action == ACT_DRY_RUN) {
			dry_run(&plan, &prep);
			status = EXIT_PASS;
		} else {
			status = run(&conf, &plan, &o, &prep, hist, hist_path);
		}
		break;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say("write error on standard output: %s", strerror(errno));
		status = EXIT_USAGE;
	}
out:
	history_free(hist);
	free(hist_path);
	if (lock_fd >= 0)
		close(lock_fd);
	prepared_release(&prep, &plan);
	plan_release(&plan);
	conf_release(&conf);
	options_release(&o);
	if (status > 128 && status < 128 + NSIG)
		reraise(status - 128);
	return status;
}
