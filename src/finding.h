/*
 * finding.h - one diagnostic a hook's tool printed (file, line, column,
 * level, rule, message), and a growing list of them. The model room:
 * the readers (finding_read.h) make findings, the scheduler moves them
 * into a hook's result, the writers read them. Plain values, no
 * locking: one owner at a time.
 */
#ifndef HOOKWAVE_FINDING_H
#define HOOKWAVE_FINDING_H

#include <stddef.h>

enum finding_level {
	FINDING_ERROR = 0,      /* the default: a finding without a severity */
	FINDING_WARNING,
	FINDING_NOTE
};

/* Against a baseline (--baseline); NONE without one. */
enum finding_state {
	FINDING_STATE_NONE = 0,
	FINDING_NEW,
	FINDING_UNCHANGED,
	FINDING_ABSENT          /* in the baseline, gone from this run */
};

struct finding {
	char *file;             /* relative to the repository root (or the
				   run's directory outside git), '/'
				   separated; never NULL (owned) */
	unsigned long line;     /* 1-based; 0: the tool gave none */
	unsigned long col;      /* 1-based; 0: none (JSON null) */
	enum finding_level level;
	char *rule;             /* e.g. "SC2086"; NULL: none (owned) */
	char *message;          /* never NULL, may be "" (owned) */
	char *fingerprint;      /* 64 hex digits (finding_id.h); NULL until
				   computed (owned) */
	enum finding_state state;
	char *sarif;            /* read from a tool's SARIF log: its result
				   as JSON text (sarif_read.h), carried into
				   hookwave's; else NULL (owned) */
};

struct findings {
	struct finding *v;
	size_t n, alloc;
};

/* "error", "warning", "note". */
const char *finding_level_name(enum finding_level l);

/*
 * Append a finding, taking copies of file, rule (may be NULL) and
 * message; its fingerprint is NULL, its state NONE. Returns the new
 * element (valid until the next append).
 */
struct finding *findings_add(struct findings *f, const char *file,
			     unsigned long line, unsigned long col,
			     enum finding_level level, const char *rule,
			     const char *message);

/*
 * How many findings are new and how many unchanged against a baseline
 * (both 0 without one), and how many in all (the return value).
 */
size_t findings_count(const struct findings *f, size_t *nnew, size_t *nknown);

/*
 * A hook's findings in a few words, for the text formats: "" when it
 * has none, "1 finding", "3 findings", or against a baseline
 * "1 new, 12 known". Writes at most size bytes (NUL included).
 */
void findings_describe(const struct findings *f, char *out, size_t size);

/* Move every finding of src to the end of dst, in order; src is left
   empty (and may be reused or released). */
void findings_move(struct findings *dst, struct findings *src);

/* Free every finding and the array; the list is empty again. */
void findings_release(struct findings *f);

#endif
