/*
 * result.h - what became of a hook: the value that flows from the
 * scheduler to the report writers, and the rules that read it. The
 * model room: the scheduler fills results in, the writers and the
 * session read them; neither depends on the other. Thread-safe (no
 * state).
 */
#ifndef HOOKWAVE_RESULT_H
#define HOOKWAVE_RESULT_H

#include <stddef.h>

#include "finding.h"
#include "output.h"

enum hook_status {
	HOOK_PENDING = 0,       /* not final yet */
	HOOK_PASSED,
	HOOK_FAILED,
	HOOK_TIMEOUT,
	HOOK_ERROR,
	HOOK_SKIPPED
};

/* How a skip counts for the exit status. */
enum skip_kind {
	SKIP_NONE = 0,
	SKIP_NO_FILES,          /* counts as passed, also for dependents */
	SKIP_DISABLED,          /* exit 0 */
	SKIP_DEPENDENCY,        /* exit 1 */
	SKIP_STOPPED,           /* critical stop or fail-fast: exit 1 */
	SKIP_INTERRUPTED        /* the run was interrupted */
};

/* One process of a hook on the timeline. */
struct span {
	unsigned slot;          /* worker that ran it */
	double start;           /* seconds since the run began */
	double duration;
};

struct hook_result {
	enum hook_status status;
	enum skip_kind skip;
	char *reason;           /* skipped or error: why; else NULL (owned) */
	int exit_code;          /* first failing process's code, -1 if none */
	int signal;             /* signal that killed it, 0 if none */
	double start;           /* seconds since the run began; -1 never started */
	double duration;        /* seconds, -1 never started */
	unsigned batches;       /* processes started */
	size_t files;           /* files passed */
	size_t cached;          /* files whose pass was remembered (the
				   result cache) and that did not run; 0
				   for a skipped hook */
	char *output;           /* rendered output (owned), "" if none */
	size_t output_len;
	unsigned long long dropped; /* output bytes not kept */
	struct span *spans;     /* one per batch started, batch order (owned) */
	size_t nspans;
	/*
	 * The files it changed: run-relative paths (owned, each and the
	 * array), in batch order then list order; NULL and 0 when none
	 * (JSON `modified: []`). Found by comparing the notes taken
	 * before and after each of its batches (fingerprint.h).
	 */
	char **modified;
	size_t nmodified;
	/*
	 * Its changes are fixes to be staged: a `stage_fixed` fixer in a
	 * staged run that passed and changed files; it stays passed with
	 * the reason "fixed N files". Whoever stages them adds exactly
	 * `modified` to the index (the files it was given are the
	 * staged ones). 0 otherwise: then a hook that changed files is
	 * failed, "modified N files".
	 */
	int fixed;
	/*
	 * What its tool reported, read from its output as the hook's
	 * `findings` or `errorformat` says (finding.h), batch by batch in
	 * batch order; empty when it reads none. Owned.
	 */
	struct findings findings;
	/*
	 * With a baseline: its findings that this run no longer has
	 * (state FINDING_ABSENT), in the baseline's order. Owned.
	 */
	struct findings absent;
	/*
	 * `findings = sarif`: the tool's own run (its driver and rules,
	 * without results: sarif_read.h) as JSON text, the rules of all
	 * its batches merged; hookwave's SARIF log carries it over. NULL
	 * otherwise. Owned.
	 */
	char *sarif_run;
};

/* What one batch came to, filled in by exec. */
struct batch_result {
	enum hook_status status;        /* PASSED, FAILED, TIMEOUT, ERROR,
					   or SKIPPED (with skip) */
	enum skip_kind skip;            /* SKIP_INTERRUPTED if it was stopped */
	char *reason;                   /* malloc'd or NULL; the run frees it */
	int exit_code;                  /* -1 if it did not exit non-zero */
	int signal;                     /* 0 if none */
	double start, duration;         /* monotonic seconds; start < 0: never ran */
	struct output out;              /* initialised with the run's limit */
	char **modified;                /* malloc'd run-relative paths it
					   changed, or NULL; the run takes them */
	size_t nmodified;
	struct findings findings;       /* read from its output; the run
					   takes them */
	char *sarif_run;                /* its tool's SARIF run (malloc'd)
					   or NULL; the run takes it */
};

/* The reason of a hook that was not started because the cache
   remembered its pass (hook_result_set_cached). */
#define HOOK_REASON_CACHED "cached"

/* "passed", "failed", "timeout", "error", "skipped". */
const char *hook_status_name(enum hook_status s);

/* Whether dependents may run: passed, or skipped for no files. */
int hook_result_passes(const struct hook_result *r);

/* Whether it makes the exit status 1. */
int hook_result_fails_run(const struct hook_result *r);

/*
 * Apply the rule for a hook that changed files (hookwave(1), "modified
 * N files"): with r->nmodified > 0, a passed hook becomes failed with
 * that reason, unless `stage_fixed` (a stage_fixed fixer in a staged
 * run): it stays passed, reason "fixed N files", and r->fixed is set.
 * A failed hook without a reason gets "modified N files"; other
 * statuses keep theirs. Replaces r->reason as needed.
 */
void hook_result_settle_modified(struct hook_result *r, int stage_fixed);

/*
 * Make *r a pass the cache remembered, for a hook that was not started:
 * passed, reason "cached", `ncached` files cached, none run, no batch,
 * no exit code, start and duration -1 (never started), output "".
 * Replaces r->reason and r->output; r holds no spans nor modified
 * files yet.
 */
void hook_result_set_cached(struct hook_result *r, size_t ncached);

/* Whether *r is such a pass (and so never started). */
int hook_result_is_cached(const struct hook_result *r);

/* Free n results and what each owns (reason, output, spans, modified,
   findings, sarif_run); NULL is fine. */
void hook_results_free(struct hook_result *r, size_t n);

#endif
