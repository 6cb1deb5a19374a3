/*
 * report.h - what the user and other programs see: one writer per
 * format behind one interface, streaming to stdout while the run goes,
 * and whole report files written atomically at the end.
 *
 * Each hook's block is built in memory and written under the report's
 * lock, so blocks never interleave. After the first write error the
 * stream writes nothing more and remembers the errno (EPIPE for a
 * closed pipe).
 */
#ifndef HOOKWAVE_REPORT_H
#define HOOKWAVE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "result.h"
#include "util.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_JUNIT };

struct report_options {
	int fd;                 /* where the stream goes */
	enum report_format format;
	bool quiet;             /* text: only what fails the run; nothing if
				   the exit status is 0 */
	bool verbose;           /* text: also the output of passing hooks */
	bool color;             /* text: ANSI colours */
	bool status_line;       /* text on a terminal: live status line */
	/* Called (under the report's lock, once) when a write to the stream
	   fails: the reader is gone (EPIPE) or the device is full. May be
	   NULL. It must not call back into the report. */
	void (*on_write_error)(int error);
};

struct report;

/* A stream for plan `p` (borrowed until report_free). Writes its header. */
struct report *report_new(const struct plan *p, const struct report_options *o);

/* A batch of `hook` started (for the status line). Thread-safe. */
void report_started(struct report *r, size_t hook);

/* Hook `hook` is final. Thread-safe. `res` stays valid until report_free. */
void report_hook(struct report *r, size_t hook, const struct hook_result *res);

/*
 * Every result is final: write the end of the stream (summary, or the
 * whole document for formats that cannot stream). `exit_status` is
 * what hookwave will exit with.
 */
void report_finish(struct report *r, const struct hook_result *results,
		   double elapsed, int exit_status);

/* 0, or the errno of the first write error on the stream. */
int report_error(const struct report *r);

/* Hooks in the order they were reported (n = plan's nhooks once finished). */
const size_t *report_order(const struct report *r, size_t *n);

void report_free(struct report *r);

/*
 * Write a whole report of `format` to `path`: rendered in memory, written
 * to a temporary file in the same directory, renamed into place, so a
 * reader never sees half a file; nothing temporary is left on error.
 * `order` lists the hooks in report order (all nhooks of the plan).
 * Returns 0, or -1 with `e` filled in.
 */
int report_write_file(const char *path, enum report_format format,
		      const struct plan *p, const struct hook_result *results,
		      const size_t *order, double elapsed, int exit_status,
		      struct err *e);

/* The format a report file's name implies: .json, .xml, .tap; else text. */
enum report_format report_format_for(const char *path);

/*
 * Write the Chrome trace-event JSON of the run to `path` atomically:
 * one track per worker slot (nslots), one span per process.
 */
int report_write_timeline(const char *path, const struct plan *p,
			  const struct hook_result *results, unsigned nslots,
			  struct err *e);

#endif
