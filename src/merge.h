/*
 * merge.h - `hookwave merge`: the reports of a run's shards joined into
 * the report of the whole run (hookwave(1), SHARDING).
 *
 * The reports are all JSON Lines, all JUnit XML or all SARIF, told from
 * their content: a document that starts with '<' is XML, a JSON
 * document with a "runs" array is SARIF, anything else is read as JSON
 * Lines, one value a line. A hook is the same hook in every report when
 * its strategy and name are (JUnit: classname and name; SARIF: the
 * automationDetails id up to its last '/', which leaves out the shard).
 *
 * A hook found in several reports (its batches were spread over
 * shards) is joined: its status is the worst of its parts (error, then
 * timeout, failed, skipped for a dependency or a stop, skipped for an
 * interrupt, passed, skipped for no files or disabled), with that
 * part's reason; files, batches, cached files and durations are summed
 * (a duration is the time the hook ran, wherever it ran); exit code
 * and signal are the first part's that has one; outputs, changed
 * files, findings and SARIF results follow one another in the order
 * the reports were given; absent baseline findings are kept once, and
 * not when a part found them. Hooks come in the order they first
 * appear. Fields a shard adds about itself ("shard") are left out.
 *
 * The summary is counted again from the joined hooks. The run's
 * duration (JSON summary, JUnit time) is the longest of the shards'
 * own, as shards run at the same time.
 *
 * The exit status is the one the whole run would have had: 1 when a
 * joined hook failed, timed out, errored or was skipped for a
 * dependency or a stop, else 0; a JSON Lines shard whose summary says
 * it was ended by a signal (exit_code of 128 or more) makes it that.
 * SARIF tells a hook's status only through its invocation: a hook that
 * failed for changing files (exit code 0) reads as passed.
 *
 * Library code: errors are returned, nothing is printed. Not
 * thread-safe (libxml2's error state is global): call from one thread.
 */
#ifndef HOOKWAVE_MERGE_H
#define HOOKWAVE_MERGE_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

enum merge_format {
	MERGE_JSON_LINES,
	MERGE_JUNIT,
	MERGE_SARIF
};

/* One report: its name for messages, and its bytes (borrowed). */
struct merge_input {
	const char *name;
	const char *text;
	size_t len;
};

/*
 * Join the n (>= 1) reports `in` into `out` (appended), set *format to
 * theirs and *status to the run's exit status. Returns 0, or -1 with
 * `e` naming the report (its name, borrowed) and, for JSON Lines and
 * XML, the line: mixed formats, a report that cannot be parsed, or one
 * that is not hookwave's (a JSON Lines report without its summary
 * line, a hook without a status, ...). On error `out` may hold part of
 * a document: the caller writes nothing.
 */
int merge_reports(const struct merge_input *in, size_t n, struct buf *out,
		  enum merge_format *format, int *status, struct err *e);

/*
 * Read the n report files `paths`, join them as merge_reports() does
 * and write the result to `output` through atomic_file (NULL: to
 * standard output). Returns 0 with *status set, or -1 with `e` filled
 * in ("FILE: cannot read: ...", a merge_reports() error, a write
 * error); nothing is written when the reports are bad.
 */
int merge_files(char *const *paths, size_t n, const char *output, int *status,
		struct err *e);

#endif
