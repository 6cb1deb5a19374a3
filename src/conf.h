/*
 * conf.h - read a hookwave.ini into a struct conf.
 *
 * inih decides what each line is (ini_parse_stream() on one line at a
 * time, so every error names its real line, whatever line numbers
 * Debian's inih gives handlers); an over-long line is an error rather
 * than split, and indented continuation lines are joined with one
 * space, in time linear in the file.
 *
 * conf_load() checks everything that can be checked without building
 * the dependency graph: syntax, keys, values, names, duplicates,
 * missing commands, commands that cannot take the hook's files (see
 * shellcmd.h), strategies named with a typo, unknown, cross-strategy and
 * self dependencies. Cycles are found by plan_build() (plan.h), which
 * reports them with the same file:line precision. The first error
 * found reading from the top wins.
 *
 * Not thread-safe while loading; a loaded conf is read-only and may be
 * shared by any number of threads.
 */
#ifndef HOOKWAVE_CONF_H
#define HOOKWAVE_CONF_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "filetype.h"
#include "finding_read.h"
#include "hashmap.h"
#include "util.h"

enum schedule {
	SCHED_UNSET = -1,
	SCHED_WAVES = 0,
	SCHED_EAGER,
	SCHED_SEQUENTIAL
};

/* "waves", "eager", "sequential" -> enum; SCHED_UNSET for anything else. */
enum schedule schedule_parse(const char *s);
const char *schedule_name(enum schedule s);

/*
 * What a hook's passes are remembered as (hookwave(1), CACHE): `whole`
 * (its whole set of files is one key), `files` (each file its own),
 * `no` (never). CACHE_UNSET, a zeroed hook's, takes [settings] cache.
 */
enum conf_cache {
	CACHE_UNSET = 0,
	CACHE_WHOLE,
	CACHE_FILES,
	CACHE_NO
};

/* "whole", "files", "no" -> enum; CACHE_UNSET for anything else. */
enum conf_cache conf_cache_parse(const char *s);
/* The name of a mode; "unset" for CACHE_UNSET. */
const char *conf_cache_name(enum conf_cache m);

/* How a hook's output is read for findings (finding_read.h). */
enum conf_findings {
	CONF_FINDINGS_NONE = 0,         /* not read */
	CONF_FINDINGS_GCC,
	CONF_FINDINGS_ERRORFORMAT,
	CONF_FINDINGS_SARIF             /* its SARIF log (sarif_read.h) */
};

/* "gcc", "errorformat", "sarif", "none". */
const char *conf_findings_name(enum conf_findings f);

/* Limits of numeric keys, shared with the command line. */
#define CONF_MAX_JOBS 1024UL
#define CONF_MAX_TIMEOUT 2147483UL      /* seconds, fits an int of ms */
#define CONF_MAX_KILL_GRACE 3600UL
#define CONF_MAX_OUTPUT_LIMIT (1UL << 30)
#define CONF_MAX_BATCH_SIZE 1000000UL
#define CONF_MAX_CACHE_SIZE (1UL << 40)
#define CONF_NAME_MAX 64

/* Unset numbers are -1 (or CONF_UNSET for unsigned ones). */
#define CONF_UNSET (-1L)

struct conf_settings {
	long jobs;                      /* 0 = auto (online CPUs) */
	long timeout;                   /* seconds, 0 = none */
	long kill_grace;
	enum schedule schedule;
	bool strategy_parallel;
	long max_concurrent_strategies;
	bool fail_fast;
	long output_limit;
	bool history;                   /* remember durations (history.h) */
	long cache_size;                /* the state store's bound, bytes
					   (store.h) */
	enum conf_cache cache;          /* hooks' default; CACHE_WHOLE
					   unless set */
};

struct conf_strategy {
	char *name;
	unsigned long line;     /* its [strategy] header, or the first
				   `strategy =` line naming it */
	bool has_section;
	int parallel;           /* -1 unset, 0, 1 */
	long max_workers;       /* CONF_UNSET or >= 1 */
	long timeout;           /* CONF_UNSET or seconds */
	enum schedule schedule; /* SCHED_UNSET or a schedule */
	struct strlist git_hooks; /* git hooks it runs for (gitnames.h);
				     empty: pre-commit only */
	char *launcher;         /* words before its hooks' argv, as
				   written; NULL unset */
	int launcher_shell;     /* -1 unset, 0, 1 */
};

/* A `types` or `exclude_types` value: alternatives (filetype.h). */
struct conf_types {
	filetype_tags *alts;            /* n masks, owned; NULL when unset */
	size_t n;
	unsigned long line;
};

/* A `files_regex` or `exclude_regex` value. */
struct conf_regex {
	regex_t *re;                    /* compiled (ERE, no subexpressions),
					   owned; NULL when unset */
	char *text;                     /* as written */
	unsigned long line;
};

struct conf_hook {
	char *name;
	unsigned long line;             /* its [hook] header */
	char *command;
	unsigned long command_line;
	size_t strategy;                /* index into conf.strategies */
	unsigned long strategy_line;    /* 0 when defaulted */
	struct strlist depends;         /* names, deduplicated, in order */
	unsigned long depends_line;
	size_t *dep_index;              /* depends resolved to hook indices */
	long timeout;                   /* CONF_UNSET or seconds */
	bool critical;
	struct strlist files;           /* glob patterns */
	struct strlist exclude;
	struct conf_types types;        /* a file must have one alternative */
	struct conf_types exclude_types; /* ...and none of these */
	struct conf_regex files_regex;  /* matched against run-relative */
	struct conf_regex exclude_regex; /* paths (hookwave.ini(5)) */
	bool pass_files;                /* no: run once, without the files */
	bool always_run;                /* run even when no file matched */
	long batch_size;                /* 0 = auto */
	bool serial;
	struct strlist env;             /* "VAR=value", in order */
	char *cwd;                      /* NULL = run directory; as written */
	bool enabled;
	bool modifies;                  /* a fixer: may change its files */
	bool stage_fixed;               /* its fixes are staged (needs modifies) */
	unsigned long stage_fixed_line; /* 0 when not set */
	enum conf_cache cache;          /* CACHE_UNSET: [settings] cache;
					   see conf_hook_cache() */
	char *cache_key;                /* shell command whose exit status
					   and output stand for the
					   program's identity, or NULL */
	struct strlist inputs;          /* glob patterns of the files its
					   verdicts also depend on */
	enum conf_findings findings;    /* `findings`, or ERRORFORMAT when
					   `errorformat` is set */
	unsigned long findings_line;    /* where `findings` was set; 0 when
					   not */
	char *errorformat;              /* as written, or NULL */
	unsigned long errorformat_line;
	/* The format its output is read with: the shared gcc one, or its
	   compiled errorformat (owned); NULL for NONE. */
	struct finding_format *finding_format;
	/* `sarif_file`: where its tool writes its SARIF log (relative to
	   its cwd), read after each batch; NULL: the log is its output.
	   Only with findings = sarif; it makes the hook serial. */
	char *sarif_file;
	unsigned long sarif_file_line;
	char *launcher;                 /* as written ("" none); NULL: the
					   strategy's */
	int launcher_shell;             /* -1 unset (the strategy's), 0, 1 */
};

struct conf {
	char *path;                     /* as given to conf_load */
	struct conf_settings settings;
	struct conf_strategy *strategies; /* in order of first mention */
	size_t nstrategies;
	size_t strategies_alloc;          /* private: capacity of strategies */
	struct conf_hook *hooks;          /* in file order */
	size_t nhooks;
	size_t hooks_alloc;               /* private: capacity of hooks */
	struct hashmap hook_index;        /* private: hooks by name */
	struct hashmap strategy_index;    /* private: strategies by name */
};

/* Fill in the defaults (hookwave.ini(5)); allocates nothing. */
void conf_init(struct conf *c);

/*
 * Parse `len` bytes of `text` as the contents of `path` (used only for
 * messages, copied). On success returns 0 and `c` owns what it holds;
 * on error returns -1, fills in `e` with the first error in the file
 * (e->file points at c->path, valid until conf_release), and `c` must
 * still be released.
 */
int conf_parse(struct conf *c, const char *path, const char *text,
	       size_t len, struct err *e);

/*
 * Read the file at `path` (a regular file, FIFO or /dev/fd/N) and parse
 * it as conf_parse() does. An unreadable file is an error without a
 * line number.
 */
int conf_load(struct conf *c, const char *path, struct err *e);

/* Index of the hook or strategy with this name, or -1. */
long conf_find_hook(const struct conf *c, const char *name);
long conf_find_strategy(const struct conf *c, const char *name);

/*
 * The cache mode hook `h` of `c` runs with: its own `cache`, else
 * [settings] cache, else CACHE_WHOLE. Never CACHE_UNSET. (--no-cache
 * is the caller's to apply.)
 */
enum conf_cache conf_hook_cache(const struct conf *c,
				const struct conf_hook *h);

/*
 * Whether hook `h` chooses files from the run's list (files,
 * files_regex or types set), and whether it is given them as
 * arguments (it chooses them and pass_files is yes). A hook that
 * chooses none runs once, without file arguments.
 */
bool conf_hook_selects(const struct conf_hook *h);
bool conf_hook_passes_files(const struct conf_hook *h);

/*
 * The launcher hook `h` of `c` runs through (hookwave.ini(5)): its own
 * `launcher`, else its strategy's; NULL for none (unset or blank).
 * *shell: its own `launcher_shell`, else its strategy's, else false.
 * Borrowed from `c`.
 */
const char *conf_hook_launcher(const struct conf *c, const struct conf_hook *h,
			       bool *shell);

/* Free everything `c` owns; safe on a half-filled conf. */
void conf_release(struct conf *c);

#endif
