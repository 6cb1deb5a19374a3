/*
 * batch_plan.c - every hook's files and batches for a run. See
 * batch_plan.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_plan.h"
#include "file_tags.h"
#include "util.h"

/*
 * What each selected file is predicted to cost: its size plus
 * FILE_COST_BASE (opening and reading one more file is not free, and an
 * empty file still costs a tool something), times the factor the
 * caller learned for it. The listing's sizes are used when it has them;
 * else the file is stat'ed from the run directory (a hook with cwd gets
 * names relative to it, `plen` bytes into the run's own names), once a
 * run: `known` holds what was found per run index (`orig` maps the
 * view's indices to the run's; NULL, the same), -2 not yet.
 */
#define FILE_COST_BASE 4096.0
#define SIZE_UNKNOWN (-2)

static double *
file_costs(const struct file_list *from, const size_t *idx, size_t n,
	   size_t plen, const size_t *orig, long long *known,
	   const struct batch_costs *costs, size_t hook)
{
	double *cost = xreallocarray(NULL, n, sizeof(*cost));
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = from->v[idx[i]];
		size_t run = orig != NULL ? orig[idx[i]] : idx[i];
		long long size = from->size != NULL ? from->size[idx[i]] : -1;

		if (size < 0)
			size = known[run];
		if (size == SIZE_UNKNOWN) {
			size = stat(name - plen, &st) == 0 &&
			       S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
			known[run] = size;
		}
		cost[i] = FILE_COST_BASE + (size > 0 ? (double)size : 0);
		if (costs != NULL && costs->factor != NULL)
			cost[i] *= costs->factor(costs->ctx, hook, name);
	}
	return cost;
}

/*
 * The files of the run under `subdir` ("" the run directory itself,
 * NULL outside it: none), relative to it, with their sizes: a view
 * into `fl`'s names. *plen is how far into them the view starts.
 */
static void
files_under(struct file_list *sub, size_t *orig, const struct file_list *fl,
	    const char *subdir, size_t *plen)
{
	size_t k, n = subdir != NULL ? strlen(subdir) : 0;

	*plen = subdir != NULL ? n + 1 : 0;
	sub->v = xmalloc((fl->n + 1) * sizeof(*sub->v));
	sub->size = fl->size != NULL ?
		    xmalloc((fl->n + 1) * sizeof(*sub->size)) : NULL;
	sub->n = 0;
	for (k = 0; subdir != NULL && k < fl->n; k++)
		if (strncmp(fl->v[k], subdir, n) == 0 &&
		    fl->v[k][n] == '/' && fl->v[k][n + 1] != '\0') {
			if (sub->size != NULL)
				sub->size[sub->n] = fl->size[k];
			orig[sub->n] = k;
			sub->v[sub->n++] = fl->v[k] + n + 1;
		}
}

/*
 * The files of `from` that hook `c` selects: its globs (files.h), then
 * its regexes and types (file_tags.h), which see run-relative names
 * (`plen` bytes before the view's) and the run's indices (`orig`, or
 * the view's own when NULL).
 */
static size_t *
select_files(const struct conf_hook *c, const struct file_list *from,
	     const size_t *orig, size_t plen, struct file_tags *ft, size_t *n)
{
	static char star[] = "*";
	char *all[] = { star };
	size_t *idx, k, m = 0;

	if (c->files.n > 0)
		idx = files_select(from, c->files.v, c->files.n, c->exclude.v,
				   c->exclude.n, n);
	else
		idx = files_select(from, all, 1, c->exclude.v, c->exclude.n, n);
	if (c->types.n == 0 && c->exclude_types.n == 0 &&
	    c->files_regex.re == NULL && c->exclude_regex.re == NULL)
		return idx;
	for (k = 0; k < *n; k++)
		if (file_tags_keep(ft, c, orig != NULL ? orig[idx[k]] : idx[k],
				   from->v[idx[k]] - plen))
			idx[m++] = idx[k];
	*n = m;
	return idx;
}

void
batch_plan(struct run_batches *rb, const struct plan *p,
	   const struct launches *l, const struct file_list *fl,
	   const struct batch_costs *costs)
{
	struct file_tags own, *ft = costs != NULL ? costs->tags : NULL;
	size_t i, k, *orig = NULL;
	long long *known = NULL;        /* sizes stat'ed, per run index */

	if (ft == NULL) {
		file_tags_init(&own, fl != NULL ? fl->n : 0);
		ft = &own;
	}

	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];
		const struct conf_hook *c = h->conf;
		const struct launch *x = &l->v[i];
		struct file_list sub;
		const struct file_list *from = fl;
		size_t *idx, n, want, plen = 0;
		struct batches *b = &rb->of[i];
		double *cost;

		memset(b, 0, sizeof(*b));
		rb->nbatches[i] = 1;
		rb->nfiles[i] = 0;
		if (!conf_hook_selects(c) || h->state != PLAN_RUN)
			continue;
		if (x->subdir == NULL || x->subdir[0] != '\0') {
			if (orig == NULL)
				orig = xmalloc((fl->n + 1) * sizeof(*orig));
			files_under(&sub, orig, fl, x->subdir, &plen);
			from = &sub;
		}
		idx = select_files(c, from, from != fl ? orig : NULL, plen, ft,
				   &n);
		if (costs != NULL && costs->keep != NULL) {
			size_t m = 0;

			for (k = 0; k < n; k++)
				if (costs->keep(costs->ctx, i,
						from->v[idx[k]] - plen))
					idx[m++] = idx[k];
			n = m;
		}
		rb->nfiles[i] = n;
		if (n > 0 && !c->pass_files) {
			/* Run once, without them (b stays empty). */
			rb->nbatches[i] = 1;
		} else if (n > 0) {
			want = p->jobs;
			if (p->strategies[h->strategy].max_workers < want)
				want = p->strategies[h->strategy].max_workers;
			if (costs != NULL && costs->fixed > 0)
				want = costs->fixed;
			if (known == NULL) {
				known = xreallocarray(NULL, fl->n + 1,
						      sizeof(*known));
				for (k = 0; k < fl->n; k++)
					known[k] = SIZE_UNKNOWN;
			}
			cost = file_costs(from, idx, n, plen,
					  from != fl ? orig : NULL, known,
					  costs, i);
			files_batch(b, from, idx, n, cost, (size_t)c->batch_size,
				    want, costs != NULL && costs->fixed > 0 ?
				    SIZE_MAX / 2 : launch_budget(x));
			free(cost);
			for (k = 0; costs != NULL && costs->seconds != NULL &&
			     k < b->n; k++)
				b->seconds[k] = costs->seconds(costs->ctx, i,
							       b->total[k]);
		}
		rb->nbatches[i] = c->pass_files ? b->n : n > 0;
		if (n == 0 && c->always_run)
			rb->nbatches[i] = 1;    /* once, with no files */
		free(idx);
		if (from != fl) {
			free(sub.v);    /* the names are the run's list's */
			free(sub.size);
		}
	}
	free(orig);
	free(known);
	if (ft == &own)
		file_tags_release(&own);
	run_batches_link(rb);
}

/* How far into a run path the names of a hook with this subdir start. */
static size_t
subdir_skip(const char *subdir)
{
	return subdir != NULL && subdir[0] != '\0' ? strlen(subdir) + 1 : 0;
}

void
batch_plan_files(struct run_files *rf, const struct plan *p,
		 const struct launches *l, const struct file_list *fl,
		 const struct run_batches *rb)
{
	size_t i, b, k;

	rf->n = p->nhooks;
	rf->of = xcalloc(p->nhooks + 1, sizeof(*rf->of));
	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];
		const struct batches *bs = &rb->of[i];
		struct hook_files *hf = &rf->of[i];
		size_t plen = subdir_skip(l->v[i].subdir);

		if (h->state != PLAN_RUN)
			continue;
		/* A hook given no files (none chosen, or pass_files = no)
		   stands for every file. */
		if (!conf_hook_passes_files(h->conf)) {
			const char *sub = l->v[i].subdir;
			size_t sl = plen > 0 ? plen - 1 : 0;

			hf->all = 1;
			if (!h->conf->modifies || sub == NULL || fl == NULL)
				continue;
			hf->note = 1;
			hf->path = xmalloc((fl->n + 1) * sizeof(*hf->path));
			for (k = 0; k < fl->n; k++)
				if (sl == 0 || (strncmp(fl->v[k], sub, sl) == 0 &&
						fl->v[k][sl] == '/'))
					hf->path[hf->n++] = fl->v[k];
			hf->end = xmalloc(sizeof(*hf->end));
			hf->end[0] = hf->n;
			hf->nbatches = 1;
			continue;
		}
		hf->note = 1;
		for (b = 0; b < bs->n; b++)
			hf->n += bs->count[b];
		hf->path = xmalloc((hf->n + 1) * sizeof(*hf->path));
		hf->end = xmalloc((bs->n + 1) * sizeof(*hf->end));
		hf->n = 0;
		for (b = 0; b < bs->n; b++) {
			/* The batch's names are views into the run's
			   list, `plen` bytes in (files_under). */
			for (k = 0; k < bs->count[b]; k++)
				hf->path[hf->n++] = bs->files[b][k] - plen;
			hf->end[b] = hf->n;
		}
		hf->nbatches = bs->n;
	}
}

void
run_files_release(struct run_files *rf)
{
	size_t i;

	for (i = 0; rf->of != NULL && i < rf->n; i++) {
		free(rf->of[i].path);
		free(rf->of[i].end);
	}
	free(rf->of);
	rf->of = NULL;
	rf->n = 0;
}

/* Hook h's sarif_file as one absolute, normalized path, where exec
   looks for it (malloc'd), or NULL. */
static char *
log_path(const struct conf_hook *h, const char *run_dir)
{
	char *joined, *p;

	if (h->sarif_file == NULL)
		return NULL;
	if (h->sarif_file[0] == '/')
		joined = xstrdup(h->sarif_file);
	else if (h->cwd != NULL && h->cwd[0] == '/')
		joined = xasprintf("%s/%s", h->cwd, h->sarif_file);
	else if (h->cwd != NULL && *h->cwd != '\0')
		joined = xasprintf("%s/%s/%s", run_dir, h->cwd, h->sarif_file);
	else
		joined = xasprintf("%s/%s", run_dir, h->sarif_file);
	p = path_normalize(joined);
	free(joined);
	return p;
}

struct conflicts *
batch_plan_conflicts(const struct run_files *rf, const struct plan *p,
		     const struct run_batches *rb)
{
	struct conflict_hook *ch;
	struct conflicts *c;
	char run_dir[PATH_MAX];
	size_t i;

	ch = xcalloc(p->nhooks + 1, sizeof(*ch));
	if (getcwd(run_dir, sizeof(run_dir)) == NULL)
		run_dir[0] = '\0';
	for (i = 0; i < p->nhooks; i++) {
		const struct hook_files *hf = &rf->of[i];

		/* A hook that will not run takes part in nothing. */
		if (p->hooks[i].state != PLAN_RUN || rb->nbatches[i] == 0)
			continue;
		ch[i].fixer = p->hooks[i].conf->modifies;
		ch[i].all = hf->all;
		ch[i].files = hf->path;
		ch[i].nfiles = hf->all ? 0 : hf->n;
		if (run_dir[0] != '\0')
			ch[i].log = log_path(p->hooks[i].conf, run_dir);
	}
	c = conflicts_new(ch, p->nhooks);
	for (i = 0; i < p->nhooks; i++)
		free((char *)ch[i].log);
	free(ch);
	return c;
}
