/* rerun.c - what --failed runs again. See rerun.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rerun.h"

struct path_key {
	const struct pathset *s;
	const char *path;
};

static int
path_is(const void *key, size_t i)
{
	const struct path_key *k = key;

	return strcmp(k->s->v.v[i], k->path) == 0;
}

int
pathset_has(const struct pathset *s, const char *path)
{
	struct path_key k = { s, path };

	return hashmap_find(&s->ix, hash_str(path), &k, path_is) !=
	       HASHMAP_NONE;
}

void
pathset_add(struct pathset *s, const char *path)
{
	if (pathset_has(s, path))
		return;
	hashmap_put(&s->ix, hash_str(path), s->v.n);
	strlist_push(&s->v, path);
}

void
pathset_release(struct pathset *s)
{
	strlist_release(&s->v);
	hashmap_release(&s->ix);
}

bool
rerun_passed(const char *status, const char *reason)
{
	if (status == NULL)
		return false;
	if (strcmp(status, "passed") == 0)
		return true;
	return strcmp(status, "skipped") == 0 && reason != NULL &&
	       strcmp(reason, "no files") == 0;
}

void
rerun_select(struct rerun *r, const struct conf *c, const struct plan *p,
	     const struct rerun_last *last)
{
	size_t *stack = xcalloc(p->nhooks + 1, sizeof(*stack));
	bool *picked = xcalloc(p->nhooks + 1, sizeof(*picked));
	size_t i, k, depth = 0;

	memset(r, 0, sizeof(*r));
	r->n = c->nhooks;
	r->only = xcalloc(c->nhooks + 1, sizeof(*r->only));
	r->own = xcalloc(c->nhooks + 1, sizeof(*r->own));
	r->files = xcalloc(c->nhooks + 1, sizeof(*r->files));
	for (i = 0; i < p->nhooks; i++) {
		const struct rerun_last *l = &last[i];
		size_t ci = p->hooks[i].conf_index, off;

		if (p->hooks[i].state != PLAN_RUN ||
		    rerun_passed(l->status, l->reason))
			continue;
		picked[i] = true;
		stack[depth++] = i;
		if (l->status == NULL || l->files == NULL)
			continue;
		r->own[ci] = true;
		for (off = 0; off < l->files_len;) {
			const char *f = l->files + off;
			size_t n = strnlen(f, l->files_len - off);

			if (n > 0 && off + n < l->files_len)
				pathset_add(&r->files[ci], f);
			off += n + 1;
		}
	}
	/* Everything that depends on them, however far down. */
	while (depth > 0) {
		const struct plan_hook *h = &p->hooks[stack[--depth]];

		for (k = 0; k < h->ndependents; k++)
			if (!picked[h->dependents[k]]) {
				picked[h->dependents[k]] = true;
				stack[depth++] = h->dependents[k];
			}
	}
	for (i = 0; i < p->nhooks; i++)
		if (picked[i]) {
			r->only[p->hooks[i].conf_index] = true;
			r->count++;
		}
	free(picked);
	free(stack);
}

void
rerun_extend_list(struct rerun *r, struct file_list *fl)
{
	struct pathset have = { 0 };
	struct buf want = { 0 };
	struct file_list extra = { 0 };
	size_t i, j;

	for (i = 0; i < fl->n; i++)
		pathset_add(&have, fl->v[i]);
	for (i = 0; i < r->n; i++) {
		if (!r->only[i] || !r->own[i])
			continue;
		for (j = 0; j < r->files[i].v.n; j++) {
			const char *f = r->files[i].v.v[j];

			if (!pathset_has(&have, f)) {
				pathset_add(&have, f);
				buf_add(&want, f, strlen(f) + 1);
			}
		}
	}
	if (want.len > 0)
		(void)files_from_nul(&extra, want.p, want.len);
	if (extra.n > 0) {
		fl->v = xreallocarray(fl->v, fl->n + extra.n + 1, sizeof(*fl->v));
		if (fl->size != NULL)
			fl->size = xreallocarray(fl->size, fl->n + extra.n + 1,
						 sizeof(*fl->size));
		for (i = 0; i < extra.n; i++) {
			pathset_add(&r->added, extra.v[i]);
			if (fl->size != NULL)
				fl->size[fl->n] = extra.size != NULL ?
						  extra.size[i] : -1;
			fl->v[fl->n++] = extra.v[i];
			extra.v[i] = NULL;
		}
		fl->v[fl->n] = NULL;
	}
	extra.n = 0;
	file_list_release(&extra);
	buf_release(&want);
	pathset_release(&have);
}

int
rerun_keeps(const struct rerun *r, size_t conf_index, const char *path)
{
	if (conf_index < r->n && r->own[conf_index])
		return pathset_has(&r->files[conf_index], path);
	return !pathset_has(&r->added, path);
}

void
rerun_release(struct rerun *r)
{
	size_t i;

	for (i = 0; r->files != NULL && i < r->n; i++)
		pathset_release(&r->files[i]);
	free(r->files);
	free(r->only);
	free(r->own);
	pathset_release(&r->added);
	memset(r, 0, sizeof(*r));
}
