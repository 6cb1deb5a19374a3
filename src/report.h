/*
 * report.h - what the user and other programs see: one writer per
 * format behind one interface, streaming to stdout while the run goes,
 * and whole report files written atomically at the end.
 *
 * Each hook's block is built in memory and written under the report's
 * lock, so blocks never interleave. A stream on a pipe or terminal
 * waits for room with poll() (a descriptor the parent made non-blocking
 * loses nothing). After the first write error the stream writes nothing
 * more and remembers the errno: EPIPE for a closed pipe, ECANCELED when
 * kill_fd ended a write that had no room.
 *
 * With `quiet`, every format shows only the hooks whose status fails
 * the run, numbered (TAP) and counted (JUnit) among themselves, and
 * then its end (summary, plan, document); when the exit status is 0 it
 * writes nothing at all, not even the beginning of the stream.
 */
#ifndef HOOKWAVE_REPORT_H
#define HOOKWAVE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "result.h"
#include "util.h"

enum report_format {
	REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_JUNIT,
	REPORT_SARIF,           /* one SARIF 2.1.0 log, written at the end */
	REPORT_GITHUB           /* GitHub Actions workflow commands */
};

struct report_options {
	int fd;                 /* where the stream goes */
	enum report_format format;
	bool quiet;             /* only what fails the run; nothing at all if
				   the exit status is 0 (any format) */
	bool verbose;           /* text: also the output of passing hooks */
	bool color;             /* text: ANSI colours */
	bool status_line;       /* text on a terminal: live status line */
	/* Called (under the report's lock, once) when a write to the stream
	   fails: the reader is gone (EPIPE) or the device is full. May be
	   NULL. It must not call back into the report. */
	void (*on_write_error)(int error);
	/* 0 or -1 for none (so a zeroed struct has none): readable when
	   hookwave must end now (a second signal). A write that has to
	   wait for room then gives up: the stream's error is ECANCELED,
	   a report file's write is interrupted. */
	int kill_fd;
	/* 0 or -1 for none: readable once the run is interrupted. Report
	   files (report_save) stop waiting for a FIFO's reader then. */
	int cancel_fd;
};

/* report_write_file and friends: a signal, cancel_fd or kill_fd ended
   the write; not a failure to write. */
#define REPORT_INTERRUPTED 1

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

/* 0, or the errno of the first write error on the stream (ECANCELED:
   kill_fd ended it). */
int report_error(const struct report *r);

/* Hooks in the order they were reported (n = plan's nhooks once finished). */
const size_t *report_order(const struct report *r, size_t *n);

void report_free(struct report *r);

/*
 * Write a whole report of `format` to `path` (see atomic_file.h for
 * links, /dev/stdout, FIFOs, modes and the in-place fallback): a reader
 * never sees half a file when it is replaced, and nothing temporary is
 * left. `order` lists the hooks in report order (all nhooks of the
 * plan). A FIFO waits for its reader until a signal interrupts the wait.
 *
 * Returns 0; -1 when it cannot be written (`e` filled in: "PATH: cannot
 * write: REASON"); or REPORT_INTERRUPTED when a signal ended the wait
 * for a FIFO's reader (`e` says "interrupted"): the run's interrupt,
 * not a failure.
 */
int report_write_file(const char *path, enum report_format format,
		      const struct plan *p, const struct hook_result *results,
		      const size_t *order, double elapsed, int exit_status,
		      struct err *e);

/*
 * report_write_file for the run behind stream `r`, once report_finish
 * has been called: its plan and report order, and its cancel_fd and
 * kill_fd as ways out (a FIFO with no reader after an interrupt, a
 * stalled FIFO after a second signal: REPORT_INTERRUPTED). `quiet`
 * does not apply: the file has every hook. Call from one thread.
 */
int report_save(const struct report *r, const char *path,
		enum report_format format, const struct hook_result *results,
		double elapsed, int exit_status, struct err *e);

/* The format a report file's name implies: .json, .xml, .tap, .sarif;
   else text. */
enum report_format report_format_for(const char *path);

/*
 * GitHub code scanning's upload limits, which a SARIF document keeps
 * to by leaving out what is past them: the runs past the first
 * REPORT_SARIF_MAX_RUNS (in report order), the results of a run past
 * its first REPORT_SARIF_MAX_RESULTS. The document stays valid.
 */
#define REPORT_SARIF_MAX_RUNS 20
#define REPORT_SARIF_MAX_RESULTS 25000
/* Its limit on an upload's size, gzipped (10 MB): past it the document
   is written whole, and report_sarif_cut says so. */
#define REPORT_SARIF_MAX_GZIP ((size_t)10 * 1000 * 1000)

/* What the limits left out of one SARIF document. */
struct report_sarif_cut {
	size_t runs;            /* runs left out */
	size_t results;         /* results left out of the runs kept */
	size_t cut_runs;        /* runs kept that lost results */
	size_t gzipped;         /* the document's gzipped size when past
				   REPORT_SARIF_MAX_GZIP, else 0 */
};

/*
 * What the SARIF document of stream r's run left out: with `path` NULL
 * the stream's (nothing unless it is -f sarif and report_finish wrote
 * it; with -q only the hooks that fail the run), else that of the
 * report file `path` report_save wrote (every hook). Returns 0 when
 * nothing was left out and the document gzipped is within
 * REPORT_SARIF_MAX_GZIP; 1 with `c` counted and `e` saying what, in a
 * line the caller can print ("sarif: PATH: left out ...", "sarif:
 * PATH: N bytes gzipped, past ..."). After
 * report_finish; call from one thread.
 */
int report_sarif_cut(const struct report *r, const struct hook_result *results,
		     const char *path, struct report_sarif_cut *c,
		     struct err *e);

/*
 * Write the Chrome trace-event JSON of the run to `path` as
 * report_write_file does: one track per worker slot (nslots), one span
 * per process. Returns as report_write_file.
 */
int report_write_timeline(const char *path, const struct plan *p,
			  const struct hook_result *results, unsigned nslots,
			  struct err *e);

/* report_write_timeline with stream r's plan and ways out, as report_save. */
int report_save_timeline(const struct report *r, const char *path,
			 const struct hook_result *results, unsigned nslots,
			 struct err *e);

#endif
