/*
 * cli.h - hookwave's command line: argv and the environment variables
 * that stand for options (HOOKWAVE_LOG, HOOKWAVE_SKIP) into one struct
 * cli_options, and the config file to read.
 *
 * Nothing here prints or exits: errors come back in a struct err for
 * main.c to print; --help and --version come back as actions. The
 * enums are the modules' own (files.h, report.h, log.h), so nothing
 * downstream converts between look-alike types.
 *
 * Not thread-safe: getopt_long keeps global state. Call it once, from
 * the main thread, before any other thread exists.
 */
#ifndef HOOKWAVE_CLI_H
#define HOOKWAVE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "files.h"
#include "plan.h"
#include "report.h"
#include "util.h"

enum cli_action {
	CLI_RUN,                /* run the selected hooks */
	CLI_DRY_RUN,            /* -n: print the plan */
	CLI_LIST,               /* -l: list the hooks */
	CLI_CHECK,              /* --check-config */
	CLI_HELP,               /* -h: print cli_help_text, exit 0 */
	CLI_VERSION,            /* -V: print the version, exit 0 */
	CLI_RESTORE,            /* `hookwave restore`: put back what a dead
				   run set aside, nothing else */
	CLI_INSTALL,            /* hookwave install [--force] [GITHOOK]... */
	CLI_UNINSTALL,          /* hookwave uninstall [GITHOOK]... */
	CLI_HISTORY,            /* hookwave history [HOOK]...: what the
				   state store says of each hook */
	CLI_MIGRATE,            /* hookwave migrate [-o FILE] [FILE]:
				   names holds FILE, report the -o path */
	CLI_MERGE               /* hookwave merge [-o FILE] REPORT...:
				   the reports in `names`, -o in `report` */
};

enum cli_color { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

struct cli_options {
	enum cli_action action;
	const char *config;             /* -c; borrowed from argv */
	const char *directory;          /* -C */
	enum files_source files;        /* which files hooks see */
	const char *files_path;         /* --files */
	bool null_sep;                  /* -0 */
	enum report_format format;      /* -f: what goes to stdout */
	const char *report;             /* -o */
	enum report_format report_format; /* valid if report_format_set */
	bool report_format_set;         /* --report-format was given */
	const char *timeline;           /* --timeline */
	const char *baseline;           /* --baseline */
	const char *write_baseline;     /* --write-baseline */
	bool quiet, verbose;
	enum cli_color color;
	bool lock;
	bool no_history;
	bool no_cache;                  /* --no-cache: neither read nor write
					   the result cache */
	bool failed;                    /* --failed: rerun what did not pass */
	unsigned shard, nshards;        /* --shard=K/N, else CI_NODE_INDEX and
					   CI_NODE_TOTAL: run part `shard`
					   (1-based) of nshards; nshards 1:
					   the whole run (shard.h) */
	int log_level;                  /* LOG_LEVEL_* (log.h); OFF by default */
	bool skip_all;                  /* HOOKWAVE=0: a run runs nothing */
	bool force;                     /* install --force */
	const char *git_hook;           /* --git-hook: run as this git hook */
	const char *message_file;       /* FILES_SOURCE_MESSAGE: git's $1 */
	const char *from_ref, *to_ref;  /* FILES_SOURCE_RANGE; to_ref NULL:
					   HEAD */
	/* With --git-hook: git's own arguments (never hook names). */
	struct strlist git_args;
	/* Owned lists: -s, --skip, HOOKWAVE_SKIP, named hooks (the git
	   hooks of install and uninstall). */
	struct strlist strategies, skip, env_skip, names;
	/* What the plan takes from the command line; its name arrays point
	   into the lists above, valid until cli_release. */
	struct plan_options plan;
};

/* How cli_parse ended. */
enum cli_status {
	CLI_OK = 0,             /* *o is filled in */
	CLI_ERROR,              /* bad value or combination: print e */
	CLI_USAGE               /* unknown option, missing value: print e
				   and the synopsis */
};

/*
 * Parse argv (and HOOKWAVE_LOG, HOOKWAVE_SKIP, HOOKWAVE, and for a run
 * or -n without --shard CI_NODE_INDEX and CI_NODE_TOTAL) into *o, which
 * it initialises. A first argument `install` or `uninstall` is a
 * command (hookwave(1)), whose own options and git hook names follow;
 * `hookwave -- install` runs a hook of that name. On CLI_ERROR and CLI_USAGE `e` says why. *o must be
 * released with cli_release whatever the result.
 */
enum cli_status cli_parse(int argc, char **argv, struct cli_options *o,
			  struct err *e);

void cli_release(struct cli_options *o);

/*
 * The config file to read, from the current directory (after -C): -c,
 * else $HOOKWAVE_CONFIG, else hookwave.ini or .hookwave.ini here, else
 * `sysconf_path` if it exists; NULL when none.
 */
const char *cli_find_config(const struct cli_options *o,
			    const char *sysconf_path);

/* Whether text on stdout gets colours (--color, NO_COLOR, TERM, a tty). */
bool cli_use_color(const struct cli_options *o, bool stdout_tty);

/*
 * Whether to draw the live status line: text format, not -q, stdout a
 * terminal that is not TERM=dumb, and no logs on the same terminal.
 */
bool cli_status_line(const struct cli_options *o, bool stdout_tty,
		     bool stderr_tty);

/* The synopsis ("usage: hookwave ..."), and what --help prints after it. */
extern const char cli_synopsis[];
extern const char cli_help_text[];

#endif
