/*
 * report.c - the report stream and report files: locking, I/O, what
 * -q leaves out, around the per-format writers (writer.h); files go
 * through atomic_file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "atomic_file.h"
#include "report.h"
#include "util.h"
#include "writer.h"

#define NONE ((size_t)-1)

struct report {
	struct writer_state w;
	const struct writer *wr;
	pthread_mutex_t mu;
	int error;              /* r->mu: first write error */
	/* The gzipped size of the last SARIF file report_save wrote
	   (writer.h, sarif_gzipped); a pointer, as report_save takes the
	   report const. */
	size_t *saved_gzipped;
	size_t *order;          /* r->mu: hooks in report order */
	size_t norder;
	struct buf b;           /* r->mu: scratch for one block */
	size_t done;            /* r->mu: hooks final, shown or not */
	bool held;              /* r->mu: -q and nothing shown yet: r->b holds
				   the beginning of the stream, unwritten */
	bool ended;             /* r->mu: report_finish wrote the end */

	/* The live status line (w.o.status_line), all r->mu. The running
	   hooks form a list in the order they started, so a redraw looks
	   only at the few names that fit. */
	bool status;
	unsigned *running;      /* batches started per hook until it is final */
	size_t *prev, *next;    /* the list of running hooks */
	size_t first, last;     /* NONE when nothing runs */
	size_t nrunning;
	bool shown;             /* a status line is on the screen */
	struct buf line;        /* the one shown */
	bool eta;               /* history predicts durations: show an ETA */
	double work_left;       /* predicted seconds of hooks not final */
	double *started_at;     /* per hook, monotonic, while it runs */
};

static const struct writer *
writer_for(enum report_format f)
{
	switch (f) {
	case REPORT_JSON:
		return &writer_json;
	case REPORT_TAP:
		return &writer_tap;
	case REPORT_JUNIT:
		return &writer_junit;
	case REPORT_SARIF:
		return &writer_sarif;
	case REPORT_GITHUB:
		return &writer_github;
	default:
		return &writer_text;
	}
}

static void
state_init(struct writer_state *w, const struct plan *p,
	   const struct report_options *o)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->plan = p;
	if (o != NULL)
		w->o = *o;
	for (i = 0; i < p->nhooks; i++) {
		size_t n = strlen(p->strategies[p->hooks[i].strategy].name) + 1 +
			   strlen(p->hooks[i].conf->name);
		if (n > (size_t)w->name_width)
			w->name_width = (int)(n < 60 ? n : 60);
	}
}

/* -q: which hooks the stream shows (all of them without -q). */
bool
writer_shows(const struct writer_state *w, const struct hook_result *res)
{
	return !w->o.quiet || hook_result_fails_run(res);
}

/* Write the scratch buffer (unless -q holds it back); r->mu held. */
static void
flush(struct report *r)
{
	if (r->held)
		return;
	if (r->b.len > 0 && r->error == 0 &&
	    fd_write_all(r->w.o.fd, r->b.p, r->b.len, r->w.o.kill_fd) != 0) {
		r->error = errno;
		if (r->w.o.on_write_error != NULL)
			r->w.o.on_write_error(r->error);
	}
	buf_reset(&r->b);
}

struct report *
report_new(const struct plan *p, const struct report_options *o)
{
	struct report *r = xcalloc(1, sizeof(*r));
	size_t i;

	state_init(&r->w, p, o);
	r->wr = writer_for(o->format);
	r->order = xcalloc(p->nhooks + 1, sizeof(*r->order));
	r->saved_gzipped = xcalloc(1, sizeof(*r->saved_gzipped));
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		abort();
	r->first = r->last = NONE;
	/* With -q nothing at all may come out if the run passes: the
	   beginning waits for the first hook shown, or the end. */
	r->held = o->quiet;
	if (o->status_line && o->format == REPORT_TEXT && !o->quiet) {
		r->status = true;
		r->running = xcalloc(p->nhooks + 1, sizeof(*r->running));
		r->prev = xcalloc(p->nhooks + 1, sizeof(*r->prev));
		r->next = xcalloc(p->nhooks + 1, sizeof(*r->next));
		r->started_at = xcalloc(p->nhooks + 1, sizeof(*r->started_at));
		for (i = 0; i < p->nhooks; i++) {
			if (p->hooks[i].predicted > 0)
				r->eta = true;
			if (p->hooks[i].state == PLAN_RUN)
				r->work_left += p->hooks[i].weight;
		}
	}
	if (r->wr->begin != NULL) {
		r->wr->begin(&r->w, &r->b);
		flush(r);
	}
	return r;
}

/* Columns of the terminal on fd, less one so a line never wraps. */
static size_t
status_width(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return (size_t)ws.ws_col - 1;
	return 79;
}

/* Columns s[0..n) takes: one per UTF-8 character (names are valid UTF-8). */
static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Cut b to at most `width` columns, on a character boundary. */
static void
cut_columns(struct buf *b, size_t width)
{
	size_t i, c = 0;

	for (i = 0; i < b->len; i++)
		if (((unsigned char)b->p[i] & 0xc0) != 0x80 && ++c > width) {
			b->len = i;
			b->p[i] = '\0';
			return;
		}
}

/*
 * The text of the status line, plain:
 * "[3/11] running: fast/shellcheck, comprehensive/bandit (+2)",
 * as many names as fit in `width` columns. r->mu held.
 */
static void
status_text(struct report *r, struct buf *t, size_t width)
{
	const struct plan *p = r->w.plan;
	size_t h, shown = 0, cols;
	char more[32];

	if (r->eta) {
		/* Predicted work left, less what the running hooks have done,
		   spread over the slots: rough, but it moves the right way. */
		double now = now_monotonic(), left = r->work_left;
		unsigned slots = p->jobs > 0 ? p->jobs : 1;

		for (h = r->first; h != NONE; h = r->next[h]) {
			double done = now - r->started_at[h];
			left -= done < p->hooks[h].weight ? done : p->hooks[h].weight;
		}
		if (left < 0)
			left = 0;
		left /= slots;
		buf_printf(t, left < 10 ? "[%zu/%zu eta %.1fs] running: " :
			   "[%zu/%zu eta %.0fs] running: ", r->done, p->nhooks,
			   left);
	} else {
		buf_printf(t, "[%zu/%zu] running: ", r->done, p->nhooks);
	}
	cols = columns(t->p, t->len);
	for (h = r->first; h != NONE; h = r->next[h]) {
		const char *sname = p->strategies[p->hooks[h].strategy].name;
		const char *hname = p->hooks[h].conf->name;
		size_t need = (shown > 0 ? 2 : 0) + columns(sname, strlen(sname)) +
			      1 + columns(hname, strlen(hname));
		size_t left = r->nrunning - shown - 1;
		size_t tail = left > 0 ? (size_t)snprintf(more, sizeof(more),
							  " (+%zu)", left) : 0;

		if (cols + need + tail > width && shown > 0)
			break;
		buf_printf(t, "%s%s/%s", shown > 0 ? ", " : "", sname, hname);
		cols += need;
		shown++;
	}
	if (shown < r->nrunning)
		buf_printf(t, " (+%zu)", r->nrunning - shown);
	cut_columns(t, width);
}

/*
 * Bring the status line up to date in r->b: redraw it in place when
 * its text changed, erase it when nothing runs. r->mu held.
 */
static void
status_draw(struct report *r)
{
	struct buf t = { NULL, 0, 0 };

	if (r->nrunning == 0) {
		if (r->shown)
			buf_adds(&r->b, "\r\033[K");
		r->shown = false;
		return;
	}
	status_text(r, &t, status_width(r->w.o.fd));
	if (!r->shown || t.len != r->line.len ||
	    memcmp(t.p, r->line.p, t.len) != 0) {
		const char *br = memchr(t.p, ']', t.len);
		size_t prefix = br != NULL ? (size_t)(br + 1 - t.p) : 0;

		buf_adds(&r->b, "\r");
		if (r->w.o.color) {
			buf_adds(&r->b, "\033[1m");
			buf_add(&r->b, t.p, prefix);
			buf_adds(&r->b, "\033[0m");
			buf_add(&r->b, t.p + prefix, t.len - prefix);
		} else {
			buf_add(&r->b, t.p, t.len);
		}
		buf_adds(&r->b, "\033[K");
		buf_reset(&r->line);
		buf_add(&r->line, t.p, t.len);
		r->shown = true;
	}
	buf_release(&t);
}

/* Erase the status line before other text goes out. r->mu held. */
static void
status_clear(struct report *r)
{
	if (r->shown)
		buf_adds(&r->b, "\r\033[K");
	r->shown = false;
}

void
report_started(struct report *r, size_t hook)
{
	if (!r->status)
		return;
	pthread_mutex_lock(&r->mu);
	if (hook < r->w.plan->nhooks && r->running[hook]++ == 0) {
		r->started_at[hook] = now_monotonic();
		r->prev[hook] = r->last;
		r->next[hook] = NONE;
		if (r->last != NONE)
			r->next[r->last] = hook;
		else
			r->first = hook;
		r->last = hook;
		r->nrunning++;
	}
	status_draw(r);
	flush(r);
	pthread_mutex_unlock(&r->mu);
}

/* Hook is final: off the list of running hooks. r->mu held. */
static void
status_done(struct report *r, size_t hook)
{
	if (hook >= r->w.plan->nhooks || r->running[hook] == 0)
		return;
	r->running[hook] = 0;
	if (r->prev[hook] != NONE)
		r->next[r->prev[hook]] = r->next[hook];
	else
		r->first = r->next[hook];
	if (r->next[hook] != NONE)
		r->prev[r->next[hook]] = r->prev[hook];
	else
		r->last = r->prev[hook];
	r->nrunning--;
}

void
report_hook(struct report *r, size_t hook, const struct hook_result *res)
{
	pthread_mutex_lock(&r->mu);
	if (r->norder < r->w.plan->nhooks)
		r->order[r->norder++] = hook;
	if (writer_shows(&r->w, res)) {
		r->held = false;
		r->wr->hook(&r->w, &r->b, hook, res);
		r->w.count++;
	}
	if (r->status) {
		if (r->w.plan->hooks[hook].state == PLAN_RUN)
			r->work_left -= r->w.plan->hooks[hook].weight;
		status_done(r, hook);
		if (r->b.len > 0 && r->shown) {
			/* erase the status line before the block */
			static const char erase[] = "\r\033[K";
			size_t n = sizeof(erase) - 1, len = r->b.len;

			buf_add(&r->b, erase, n);
			memmove(r->b.p + n, r->b.p, len);
			memcpy(r->b.p, erase, n);
			r->shown = false;
		}
	}
	r->done++;
	if (r->status)
		status_draw(r);
	flush(r);
	pthread_mutex_unlock(&r->mu);
}

void
report_finish(struct report *r, const struct hook_result *results,
	      double elapsed, int exit_status)
{
	pthread_mutex_lock(&r->mu);
	if (r->status) {
		status_clear(r);
		r->first = r->last = NONE;
		r->nrunning = 0;
	}
	if (r->w.o.quiet && exit_status == 0) {
		/* -q and a pass: not even the beginning */
		buf_reset(&r->b);
	} else {
		r->held = false;
		r->wr->finish(&r->w, &r->b, results, r->order, r->norder,
			      elapsed, exit_status);
		r->ended = true;
		flush(r);
	}
	pthread_mutex_unlock(&r->mu);
}

int
report_error(const struct report *r)
{
	return r->error;
}

const size_t *
report_order(const struct report *r, size_t *n)
{
	*n = r->norder;
	return r->order;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->mu);
	buf_release(&r->b);
	buf_release(&r->line);
	free(r->running);
	free(r->started_at);
	free(r->prev);
	free(r->next);
	free(r->order);
	free(r->saved_gzipped);
	free(r);
}

enum report_format
report_format_for(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return REPORT_TEXT;
	if (strcmp(dot, ".json") == 0 || strcmp(dot, ".jsonl") == 0)
		return REPORT_JSON;
	if (strcmp(dot, ".xml") == 0)
		return REPORT_JUNIT;
	if (strcmp(dot, ".tap") == 0)
		return REPORT_TAP;
	if (strcmp(dot, ".sarif") == 0)
		return REPORT_SARIF;
	return REPORT_TEXT;
}

int
report_sarif_cut(const struct report *r, const struct hook_result *results,
		 const char *path, struct report_sarif_cut *c, struct err *e)
{
	struct writer_state w = r->w;
	struct buf b = { NULL, 0, 0 };
	size_t gz;

	memset(c, 0, sizeof(*c));
	if (path == NULL && (r->w.o.format != REPORT_SARIF || !r->ended))
		return 0;
	if (path != NULL)
		w.o.quiet = false;      /* a report file has every hook */
	sarif_cut(&w, results, r->order, r->norder, c);
	gz = path != NULL ? *r->saved_gzipped : r->w.sarif_gzipped;
	if (gz > REPORT_SARIF_MAX_GZIP)
		c->gzipped = gz;
	if (c->runs == 0 && c->results == 0 && c->gzipped == 0)
		return 0;
	if (c->runs > 0)
		buf_printf(&b, "%zu run%s past GitHub code scanning's limit of "
			   "%d per file", c->runs, c->runs == 1 ? "" : "s",
			   REPORT_SARIF_MAX_RUNS);
	if (c->results > 0)
		buf_printf(&b, "%s%zu result%s of %zu run%s past its limit of "
			   "%d per run", c->runs > 0 ? ", and " : "",
			   c->results, c->results == 1 ? "" : "s", c->cut_runs,
			   c->cut_runs == 1 ? "" : "s", REPORT_SARIF_MAX_RESULTS);
	if (c->gzipped > 0)
		buf_printf(&b, "%s%zu bytes gzipped, past GitHub code "
			   "scanning's limit of %zu per upload",
			   b.len > 0 ? "; and it is " : "", c->gzipped,
			   REPORT_SARIF_MAX_GZIP);
	err_set(e, NULL, 0, "sarif: %s: %s%s",
		path != NULL ? path : "standard output",
		c->runs > 0 || c->results > 0 ? "left out " : "", b.p);
	buf_release(&b);
	return 1;
}

/* What a failed atomic_file call means for the caller of report_*. */
static int
file_result(void)
{
	return errno == EINTR || errno == ECANCELED ? REPORT_INTERRUPTED : -1;
}

/* Write and empty `b`; 0, or an errno value. */
static int
out(struct atomic_file *f, struct buf *b)
{
	int r = 0;

	if (b->len > 0 && atomic_file_write(f, b->p, b->len) != 0)
		r = errno;
	buf_reset(b);
	return r;
}

/* Commit, or abort after write error `error`; the report_* result. */
static int
finish_file(struct atomic_file *f, int error, const char *path, struct err *e)
{
	if (error == 0)
		return atomic_file_commit(f, e) == 0 ? 0 : file_result();
	atomic_file_abort(f);
	if (error == ECANCELED || error == EINTR) {
		err_set(e, path, 0, "interrupted");
		return REPORT_INTERRUPTED;
	}
	err_set(e, path, 0, "cannot write: %s", strerror(error));
	return -1;
}

/*
 * Render a whole report of `format` into an atomic file, hook by hook,
 * so the file never needs a second copy of every hook's output in
 * memory (JUnit, written whole, excepted).
 */
static int
write_file(const char *path, enum report_format format, const struct plan *p,
	   const struct hook_result *results, const size_t *order,
	   double elapsed, int exit_status,
	   const struct atomic_file_options *fo, size_t *gzipped,
	   struct err *e)
{
	const struct writer *wr = writer_for(format);
	struct writer_state w;
	struct buf b = { NULL, 0, 0 };
	struct atomic_file f;
	size_t i;
	int r = 0;

	if (atomic_file_open(&f, path, fo, e) != 0)
		return file_result();
	state_init(&w, p, NULL);
	w.o.format = format;
	if (wr->begin != NULL)
		wr->begin(&w, &b);
	for (i = 0; i < p->nhooks && r == 0; i++, w.count++) {
		wr->hook(&w, &b, order[i], &results[order[i]]);
		r = out(&f, &b);
	}
	if (r == 0) {
		wr->finish(&w, &b, results, order, p->nhooks, elapsed,
			   exit_status);
		*gzipped = w.sarif_gzipped;
		r = out(&f, &b);
	}
	buf_release(&b);
	return finish_file(&f, r, path, e);
}

static int
write_timeline(const char *path, const struct plan *p,
	       const struct hook_result *results, unsigned nslots,
	       const struct atomic_file_options *fo, struct err *e)
{
	struct buf b = { NULL, 0, 0 };
	struct atomic_file f;
	int r;

	if (atomic_file_open(&f, path, fo, e) != 0)
		return file_result();
	timeline_render(&b, p, results, nslots);
	r = out(&f, &b);
	buf_release(&b);
	return finish_file(&f, r, path, e);
}

int
report_write_file(const char *path, enum report_format format,
		  const struct plan *p, const struct hook_result *results,
		  const size_t *order, double elapsed, int exit_status,
		  struct err *e)
{
	size_t gzipped;

	return write_file(path, format, p, results, order, elapsed,
			  exit_status, NULL, &gzipped, e);
}

int
report_write_timeline(const char *path, const struct plan *p,
		      const struct hook_result *results, unsigned nslots,
		      struct err *e)
{
	return write_timeline(path, p, results, nslots, NULL, e);
}

/* The ways out the stream's options give report files. */
static struct atomic_file_options
file_options(const struct report *r)
{
	struct atomic_file_options fo;

	fo.cancel_fd = r->w.o.cancel_fd;
	fo.kill_fd = r->w.o.kill_fd;
	return fo;
}

int
report_save(const struct report *r, const char *path,
	    enum report_format format, const struct hook_result *results,
	    double elapsed, int exit_status, struct err *e)
{
	struct atomic_file_options fo = file_options(r);

	if (r->norder < r->w.plan->nhooks)
		return err_set(e, path, 0, "cannot write: the run is not over");
	*r->saved_gzipped = 0;
	return write_file(path, format, r->w.plan, results, r->order, elapsed,
			  exit_status, &fo, r->saved_gzipped, e);
}

int
report_save_timeline(const struct report *r, const char *path,
		     const struct hook_result *results, unsigned nslots,
		     struct err *e)
{
	struct atomic_file_options fo = file_options(r);

	return write_timeline(path, r->w.plan, results, nslots, &fo, e);
}

void
summary_add(struct summary *s, const struct hook_result *r)
{
	switch (r->status) {
	case HOOK_PASSED:
		s->passed++;
		break;
	case HOOK_FAILED:
		s->failed++;
		break;
	case HOOK_TIMEOUT:
		s->timeout++;
		break;
	case HOOK_ERROR:
		s->error++;
		break;
	default:
		s->skipped++;
		break;
	}
	if (r->duration > 0)
		s->hooks_total += r->duration;
}

void
summary_count(const struct plan *p, const struct hook_result *res,
	      struct summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < p->nhooks; i++)
		summary_add(s, &res[i]);
}
