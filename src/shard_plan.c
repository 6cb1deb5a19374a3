/*
 * shard_plan.c - this machine's part of a sharded run. See
 * shard_plan.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "shard_plan.h"
#include "util.h"

/* A file's cost is its size plus this (batch_plan.c): the unit of a
   weight without history, so that each file counts at least one. */
#define COST_UNIT 4096.0

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* How far into a run path the names of a hook with this subdir start. */
static size_t
subdir_skip(const char *subdir)
{
	return subdir != NULL && subdir[0] != '\0' ? strlen(subdir) + 1 : 0;
}

/* Hook i's jobs and their weights (shard_plan.h says how). */
static void
weigh(struct shard_hook *sh, double **w, const struct plan *p, size_t i,
      const struct batches *bs, bool seconds)
{
	const struct plan_hook *h = &p->hooks[i];
	bool files = h->conf->files.n > 0 && h->state == PLAN_RUN;
	size_t b, nj = files && bs->n > 0 ? bs->n : 1;
	double sum = 0;

	sh->strategy = p->strategies[h->strategy].name;
	sh->name = h->conf->name;
	sh->deps = h->deps;
	sh->ndeps = h->ndeps;
	sh->njobs = nj;
	sh->spread = files && bs->n > 1;
	*w = xcalloc(nj + 1, sizeof(**w));
	sh->weight = *w;
	if (h->state != PLAN_RUN)
		return;                 /* reported, never run: 0 */
	if (!files) {
		(*w)[0] = seconds ? h->weight : 1;
		return;
	}
	for (b = 0; b < bs->n; b++)
		sum += bs->total[b];
	for (b = 0; b < bs->n; b++) {
		if (!seconds)
			(*w)[b] = bs->total[b] / COST_UNIT;
		else if (bs->seconds != NULL && bs->seconds[b] > 0)
			(*w)[b] = bs->seconds[b];
		else
			(*w)[b] = h->weight * (sum > 0 ? bs->total[b] / sum :
					       1.0 / (double)bs->n);
	}
}

void
shard_plan_part(struct shard_part *sp, const struct plan *p, size_t nconf,
		const struct launches *l, const struct run_batches *rb,
		unsigned k, unsigned n)
{
	struct shard_hook *sh = xcalloc(p->nhooks + 1, sizeof(*sh));
	double **w = xcalloc(p->nhooks + 1, sizeof(*w));
	struct shard_split split;
	size_t i, b, f;

	memset(sp, 0, sizeof(*sp));
	sp->k = k;
	sp->n = n;
	sp->nconf = nconf;
	sp->only = xcalloc(nconf + 1, sizeof(*sp->only));
	sp->files = xcalloc(nconf + 1, sizeof(*sp->files));
	sp->nfiles = xcalloc(nconf + 1, sizeof(*sp->nfiles));
	sp->cap = p->jobs;
	for (i = 0; i < p->nhooks; i++)
		if (p->hooks[i].predicted > 0)
			sp->seconds = true;
	for (i = 0; i < p->nhooks; i++)
		weigh(&sh[i], &w[i], p, i, &rb->of[i], sp->seconds);
	shard_split(&split, sh, p->nhooks, n);
	sp->alljobs = split.first[p->nhooks];
	for (i = 0; i < p->nhooks; i++) {
		const struct batches *bs = &rb->of[i];
		size_t ci = p->hooks[i].conf_index, mine = 0;
		size_t plen = subdir_skip(l->v[i].subdir);

		for (b = 0; b < sh[i].njobs; b++)
			mine += shard_of(&split, i, b) == k - 1;
		if (mine == 0)
			continue;
		sp->only[ci] = true;
		sp->nhooks++;
		sp->njobs += mine;
		if (mine == sh[i].njobs || bs->n == 0)
			continue;
		/* Spread: only the files of its batches in this part. */
		for (b = 0; b < bs->n; b++)
			if (shard_of(&split, i, b) == k - 1)
				sp->nfiles[ci] += bs->count[b];
		sp->files[ci] = xcalloc(sp->nfiles[ci] + 1,
					sizeof(*sp->files[ci]));
		sp->nfiles[ci] = 0;
		for (b = 0; b < bs->n; b++)
			for (f = 0; shard_of(&split, i, b) == k - 1 &&
			     f < bs->count[b]; f++)
				/* Views into the run's list, plen bytes in. */
				sp->files[ci][sp->nfiles[ci]++] =
				    bs->files[b][f] - plen;
		qsort(sp->files[ci], sp->nfiles[ci], sizeof(*sp->files[ci]),
		      path_cmp);
	}
	sp->wall = shard_wall(&split, sh, p->nhooks, k - 1, p->jobs);
	shard_split_release(&split);
	for (i = 0; i < p->nhooks; i++)
		free(w[i]);
	free(w);
	free(sh);
}

bool
shard_plan_keeps(const struct shard_part *sp, size_t conf_index,
		 const char *path)
{
	if (sp->n == 0 || conf_index >= sp->nconf ||
	    sp->files[conf_index] == NULL)
		return true;
	return bsearch(&path, sp->files[conf_index], sp->nfiles[conf_index],
		       sizeof(*sp->files[conf_index]), path_cmp) != NULL;
}

void
shard_plan_print(struct buf *out, const struct shard_part *sp)
{
	if (sp->n == 0)
		return;
	buf_printf(out, "shard %u/%u: %zu of %zu jobs (%zu hook%s), ", sp->k,
		   sp->n, sp->njobs, sp->alljobs, sp->nhooks,
		   sp->nhooks == 1 ? "" : "s");
	if (sp->seconds)
		buf_printf(out, "predicted %.1f s at jobs %u\n", sp->wall,
			   sp->cap);
	else
		buf_printf(out, "no predicted time: no history (parts balanced by file count and size)\n");
}

void
shard_plan_release(struct shard_part *sp)
{
	size_t i;

	for (i = 0; sp->files != NULL && i < sp->nconf; i++)
		free(sp->files[i]);
	free(sp->files);
	free(sp->nfiles);
	free(sp->only);
	memset(sp, 0, sizeof(*sp));
}
