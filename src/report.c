/*
 * report.c - the report stream and report files: locking, I/O and
 * atomic renames around the per-format writers (writer.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "util.h"
#include "writer.h"

struct report {
	struct writer_state w;
	const struct writer *wr;
	pthread_mutex_t mu;
	int error;              /* r->mu: first write error */
	size_t *order;          /* r->mu: hooks in report order */
	size_t norder;
	struct buf b;           /* r->mu: scratch for one block */
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

/* Write the scratch buffer; r->mu held. */
static void
flush(struct report *r)
{
	if (r->b.len > 0 && r->error == 0 &&
	    write_all(r->w.o.fd, r->b.p, r->b.len) != 0)
		r->error = errno;
	buf_reset(&r->b);
}

struct report *
report_new(const struct plan *p, const struct report_options *o)
{
	struct report *r = xcalloc(1, sizeof(*r));

	state_init(&r->w, p, o);
	r->wr = writer_for(o->format);
	r->order = xcalloc(p->nhooks + 1, sizeof(*r->order));
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		abort();
	if (r->wr->begin != NULL) {
		r->wr->begin(&r->w, &r->b);
		flush(r);
	}
	return r;
}

void
report_started(struct report *r, size_t hook)
{
	(void)r;
	(void)hook;
}

void
report_hook(struct report *r, size_t hook, const struct hook_result *res)
{
	pthread_mutex_lock(&r->mu);
	if (r->norder < r->w.plan->nhooks)
		r->order[r->norder++] = hook;
	r->wr->hook(&r->w, &r->b, hook, res);
	r->w.count++;
	flush(r);
	pthread_mutex_unlock(&r->mu);
}

void
report_finish(struct report *r, const struct hook_result *results,
	      double elapsed, int exit_status)
{
	pthread_mutex_lock(&r->mu);
	r->wr->finish(&r->w, &r->b, results, r->order, r->norder, elapsed,
		      exit_status);
	flush(r);
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
	free(r->order);
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
	return REPORT_TEXT;
}

/* Write `b` to path through a temporary file in the same directory. */
static int
write_atomic(const char *path, const struct buf *b, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *tmp;
	int fd, saved;

	if (slash != NULL)
		tmp = xasprintf("%.*s/.%s.hookwave-XXXXXX", (int)(slash - path),
				path, slash + 1);
	else
		tmp = xasprintf(".%s.hookwave-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		return err_set(e, path, 0, "cannot write: %s", strerror(saved));
	}
	/* The file gets the mode a plain create would give it. */
	{
		mode_t um = umask(0);
		umask(um);
		(void)fchmod(fd, 0666 & ~um);
	}
	if ((b->len > 0 && write_all(fd, b->p, b->len) != 0) ||
	    fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return err_set(e, path, 0, "cannot write: %s", strerror(saved));
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		free(tmp);
		return err_set(e, path, 0, "cannot write: %s", strerror(saved));
	}
	free(tmp);
	return 0;
}

int
report_write_file(const char *path, enum report_format format,
		  const struct plan *p, const struct hook_result *results,
		  const size_t *order, double elapsed, int exit_status,
		  struct err *e)
{
	const struct writer *wr = writer_for(format);
	struct writer_state w;
	struct buf b = { NULL, 0, 0 };
	size_t i;
	int r;

	state_init(&w, p, NULL);
	w.o.format = format;
	if (wr->begin != NULL)
		wr->begin(&w, &b);
	for (i = 0; i < p->nhooks; i++, w.count++)
		wr->hook(&w, &b, order[i], &results[order[i]]);
	wr->finish(&w, &b, results, order, p->nhooks, elapsed, exit_status);
	r = write_atomic(path, &b, e);
	buf_release(&b);
	return r;
}

int
report_write_timeline(const char *path, const struct plan *p,
		      const struct hook_result *results, unsigned nslots,
		      struct err *e)
{
	struct buf b = { NULL, 0, 0 };
	int r;

	timeline_render(&b, p, results, nslots);
	r = write_atomic(path, &b, e);
	buf_release(&b);
	return r;
}

void
summary_count(const struct plan *p, const struct hook_result *res,
	      struct summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < p->nhooks; i++) {
		switch (res[i].status) {
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
		if (res[i].duration > 0)
			s->hooks_total += res[i].duration;
	}
}
