/*
 * writer.h - the inside of report.c: what one output format must
 * provide. Writers only append to a buffer; report.c does all I/O and
 * locking, so a writer is plain, single-threaded formatting code.
 */
#ifndef HOOKWAVE_WRITER_H
#define HOOKWAVE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "plan.h"
#include "report.h"
#include "result.h"

struct writer_state {
	const struct plan *plan;
	struct report_options o;
	size_t count;           /* hooks written so far (with -q, those shown) */
	int name_width;         /* widest "strategy/name", for text */
	/* The SARIF writer's document, gzipped: its size in bytes, or 0
	   when it cannot pass REPORT_SARIF_MAX_GZIP (not measured). */
	size_t sarif_gzipped;
};

struct writer {
	/* Start of the stream or file (may append nothing). */
	void (*begin)(struct writer_state *w, struct buf *b);
	/* One final hook, in report order (may append nothing). */
	void (*hook)(struct writer_state *w, struct buf *b, size_t hook,
		     const struct hook_result *res);
	/*
	 * The end: summary, or the whole document. `order` holds the n
	 * hooks in report order.
	 */
	void (*finish)(struct writer_state *w, struct buf *b,
		       const struct hook_result *results, const size_t *order,
		       size_t n, double elapsed, int exit_status);
};

extern const struct writer writer_text;
extern const struct writer writer_json;
extern const struct writer writer_tap;
extern const struct writer writer_junit;
extern const struct writer writer_sarif;
extern const struct writer writer_github;

/* SARIF: whether hook's result has a run: its conf reads findings, or
   it did not pass (a disabled hook never ran: none). */
bool sarif_has_run(const struct plan *p, size_t hook,
		   const struct hook_result *res);

/* What the SARIF document of these n hooks in report order leaves out
   to keep to GitHub's limits (report.h), as w shows them. */
/*
 * The size of buf[0..n) gzipped (zlib's default level, as gzip(1)
 * does), measured by deflating into a small counting buffer: no copy
 * of the output is kept. 0 when zlib cannot start (out of memory).
 */
size_t sarif_gzip_size(const char *buf, size_t n);

void sarif_cut(const struct writer_state *w, const struct hook_result *results,
	       const size_t *order, size_t n, struct report_sarif_cut *c);

/* Whether the stream shows this hook: every hook, or with -q only
   those whose status fails the run. Report files show every hook. */
bool writer_shows(const struct writer_state *w, const struct hook_result *res);

/* The summary counts every writer shares. */
struct summary {
	size_t passed, failed, timeout, error, skipped;
	double hooks_total;     /* sum of durations */
};
/* Count one more result. */
void summary_add(struct summary *s, const struct hook_result *r);
void summary_count(const struct plan *p, const struct hook_result *results,
		   struct summary *s);

/* The Chrome trace-event document of a run. */
void timeline_render(struct buf *b, const struct plan *p,
		     const struct hook_result *results, unsigned nslots);

#endif
