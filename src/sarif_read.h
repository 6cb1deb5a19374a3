/*
 * sarif_read.h - reading a tool's own SARIF 2.1.0 log (`findings =
 * sarif`): each result of each run becomes a finding, and the tool's
 * run (its driver, rules and the rest, without results) and each
 * result are kept as JSON text, so that hookwave's own SARIF log can
 * carry them over instead of rendering the findings anew. See
 * hookwave.ini(5), "FINDINGS"; tests/unit/check_sarif_read.c holds the
 * mapping field by field.
 *
 * A result becomes a finding with
 *   file    its first location's artifactLocation.uri (or that of the
 *           run's artifact it points at by index): a file:// URI is an
 *           absolute path; a relative reference is resolved against its
 *           uriBaseId when the run's originalUriBaseIds define that as
 *           an absolute file:// URI, else against the directory the
 *           tool ran in (so an undefined %SRCROOT% is that directory);
 *           percent-encoding decoded; then made relative to the root as
 *           finding_path() does. Without a location: ".".
 *   line, col  region.startLine, region.startColumn (0 when absent)
 *   level   result.level, else its rule's defaultConfiguration.level,
 *           else warning (SARIF's default); "none" is note. A result
 *           whose kind is neither absent nor "fail" defaults to note.
 *   rule    ruleId, else rule.id, else the id of the rule at ruleIndex
 *   message message.text, else the rule's (or the driver's global)
 *           messageStrings entry named by message.id; "{N}" is
 *           replaced by message.arguments[N], "{{" and "}}" are braces
 * Results of kind "pass", "notApplicable" and "informational" are not
 * findings (nothing is wrong).
 *
 * Memory: the log is held whole while it is read, at most
 * SARIF_READ_MAX bytes; a longer one is refused.
 *
 * Thread safety: none of these touch shared state; a collector has one
 * owner at a time.
 */
#ifndef HOOKWAVE_SARIF_READ_H
#define HOOKWAVE_SARIF_READ_H

#include <stddef.h>

#include "finding.h"

/* The largest SARIF log read, in bytes. */
#define SARIF_READ_MAX ((size_t)64 << 20)

/*
 * Read the SARIF log at the start of buf[0..n) (bytes after the log's
 * closing brace are ignored). `root` and `cwd` are as for
 * finding_reader_new() (finding_read.h). On success returns 0, appends
 * the findings to `out` in log order, each with `sarif` set to its
 * result as JSON text, and sets *run to the tool's first run without
 * its results, automationDetails, invocations, originalUriBaseIds and
 * artifacts (with the rules of its other runs added), as JSON text
 * (malloc'd; the caller frees it). On error returns -1, leaves `out`
 * and *run alone, and fills `why` (lower case, no full stop, e.g.
 * "bad JSON at line 3 column 7: ..." or "not SARIF: no runs").
 */
int sarif_read(const char *buf, size_t n, const char *root, const char *cwd,
	       struct findings *out, char **run, char *why, size_t whysz);

/*
 * sarif_read() on the file at `path` (at most SARIF_READ_MAX bytes):
 * an unreadable or missing file is an error, `why` naming it.
 */
int sarif_read_file(const char *path, const char *root, const char *cwd,
		    struct findings *out, char **run, char *why, size_t whysz);

/*
 * A collector of a process's output (stdout and stderr as one stream):
 * it keeps the bytes from the first line that starts with '{' on (what
 * comes before is a tool's chatter), at most SARIF_READ_MAX of them.
 */
struct sarif_collect;

struct sarif_collect *sarif_collect_new(void);
void sarif_collect_feed(struct sarif_collect *c, const char *buf, size_t n);

/*
 * sarif_read() on what was collected; an output without a line that
 * starts with '{' is "no SARIF log in its output", one past the cap
 * "its SARIF log is larger than N MiB". The collector is then empty.
 */
int sarif_collect_finish(struct sarif_collect *c, const char *root,
			 const char *cwd, struct findings *out, char **run,
			 char *why, size_t whysz);

/* NULL is fine. */
void sarif_collect_free(struct sarif_collect *c);

/*
 * Merge two runs kept by sarif_read() (of one hook's batches): returns
 * `into` (which it takes) with the rules of `from` it lacks (by id)
 * added to its driver's rules. `into` NULL: a copy of `from`.
 */
char *sarif_run_merge(char *into, const char *from);

/*
 * A carried result (a finding's `sarif`) as hookwave's SARIF writes it:
 * its first location's artifactLocation replaced by `artifact` (the
 * JSON text of one, the finding's file as hookwave names it), its
 * partialFingerprints gaining "hookwave/v1" = fingerprint (unless
 * NULL), baselineState set to `state` (unless NULL). Returns the JSON
 * text (malloc'd), or NULL when `result` or `artifact` is not a JSON
 * object (or memory ran out): the caller renders the finding itself.
 */
char *sarif_result_carry(const char *result, const char *artifact,
			 const char *fingerprint, const char *state);

#endif
