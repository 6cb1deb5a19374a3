/* finding.c - a tool's diagnostics as values, and lists of them. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "util.h"

const char *
finding_level_name(enum finding_level l)
{
	switch (l) {
	case FINDING_WARNING:
		return "warning";
	case FINDING_NOTE:
		return "note";
	case FINDING_ERROR:
		break;
	}
	return "error";
}

struct finding *
findings_add(struct findings *f, const char *file, unsigned long line,
	     unsigned long col, enum finding_level level, const char *rule,
	     const char *message)
{
	struct finding *x;

	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 8;
		f->v = xreallocarray(f->v, f->alloc, sizeof(*f->v));
	}
	x = &f->v[f->n++];
	x->file = xstrdup(file);
	x->line = line;
	x->col = col;
	x->level = level;
	x->rule = rule != NULL ? xstrdup(rule) : NULL;
	x->message = xstrdup(message);
	x->fingerprint = NULL;
	x->state = FINDING_STATE_NONE;
	x->sarif = NULL;
	return x;
}

size_t
findings_count(const struct findings *f, size_t *nnew, size_t *nknown)
{
	size_t i;

	*nnew = *nknown = 0;
	for (i = 0; i < f->n; i++) {
		if (f->v[i].state == FINDING_NEW)
			(*nnew)++;
		else if (f->v[i].state == FINDING_UNCHANGED)
			(*nknown)++;
	}
	return f->n;
}

void
findings_describe(const struct findings *f, char *out, size_t size)
{
	size_t nnew, nknown, n = findings_count(f, &nnew, &nknown);

	if (size == 0)
		return;
	if (n == 0)
		*out = '\0';
	else if (nnew + nknown == n)
		snprintf(out, size, "%zu new, %zu known", nnew, nknown);
	else
		snprintf(out, size, "%zu finding%s", n, n == 1 ? "" : "s");
}

void
findings_move(struct findings *dst, struct findings *src)
{
	if (src->n == 0)
		return;
	if (dst->n == 0) {
		findings_release(dst);
		*dst = *src;
	} else {
		if (dst->alloc - dst->n < src->n) {
			dst->alloc = dst->n + src->n;
			dst->v = xreallocarray(dst->v, dst->alloc,
					       sizeof(*dst->v));
		}
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
		dst->n += src->n;
		free(src->v);
	}
	src->v = NULL;
	src->n = src->alloc = 0;
}

void
findings_release(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].file);
		free(f->v[i].rule);
		free(f->v[i].message);
		free(f->v[i].fingerprint);
		free(f->v[i].sarif);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->alloc = 0;
}
