/*
 * shard.c - a run split into N balanced, deterministic parts. See
 * shard.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"

/* What is placed on a shard whole: a component, or one job. */
struct unit {
	double weight;
	const char *strategy, *name;    /* its key: the first hook's */
	size_t job;                     /* 0 for a component */
	unsigned shard;
};

/* qsort has no context: the hooks being sorted, for by_key. */
struct keyed {
	const char *strategy, *name;
	size_t index;
};

static int
key_cmp(const char *sa, const char *na, size_t ja, const char *sb,
	const char *nb, size_t jb)
{
	int c = strcmp(sa, sb);

	if (c == 0)
		c = strcmp(na, nb);
	if (c == 0)
		c = ja < jb ? -1 : ja > jb;
	return c;
}

static int
by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = key_cmp(x->strategy, x->name, 0, y->strategy, y->name, 0);

	/* Two hooks with one key (not in a valid plan): input order. */
	return c != 0 ? c : x->index < y->index ? -1 : x->index > y->index;
}

/* Heaviest first, then by key. */
static int
by_weight(const void *a, const void *b)
{
	const struct unit *x = *(const struct unit *const *)a;
	const struct unit *y = *(const struct unit *const *)b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return key_cmp(x->strategy, x->name, x->job, y->strategy, y->name,
		       y->job);
}

static size_t
find(size_t *parent, size_t i)
{
	size_t r = i, next;

	while (parent[r] != r)
		r = parent[r];
	while (parent[i] != r) {        /* path compression */
		next = parent[i];
		parent[i] = r;
		i = next;
	}
	return r;
}

static double
job_weight(const struct shard_hook *h, size_t j)
{
	return h->weight != NULL && h->weight[j] > 0 ? h->weight[j] : 0;
}

void
shard_split(struct shard_split *s, const struct shard_hook *h, size_t nh,
	    unsigned n)
{
	struct keyed *order = xcalloc(nh + 1, sizeof(*order));
	size_t *rank = xcalloc(nh + 1, sizeof(*rank));
	size_t *parent = xcalloc(nh + 1, sizeof(*parent));
	size_t *size = xcalloc(nh + 1, sizeof(*size));
	size_t *unit_of = xcalloc(nh + 1, sizeof(*unit_of));
	struct unit *units, **sorted;
	size_t i, j, d, k, nunits = 0, njobs = 0;

	if (n == 0)
		n = 1;
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->nhooks = nh;
	s->first = xcalloc(nh + 1, sizeof(*s->first));
	s->load = xcalloc(n, sizeof(*s->load));
	for (i = 0; i < nh; i++) {
		s->first[i] = njobs;
		njobs += h[i].njobs > 0 ? h[i].njobs : 1;
	}
	s->first[nh] = njobs;
	s->shard = xcalloc(njobs + 1, sizeof(*s->shard));

	/* Every walk below goes in key order, so the input's order
	   changes nothing (sums included). */
	for (i = 0; i < nh; i++) {
		order[i].strategy = h[i].strategy;
		order[i].name = h[i].name;
		order[i].index = i;
	}
	qsort(order, nh, sizeof(*order), by_key);
	for (k = 0; k < nh; k++)
		rank[order[k].index] = k;

	/* Components: each rooted at its first hook in key order. */
	for (i = 0; i < nh; i++)
		parent[i] = i;
	for (i = 0; i < nh; i++)
		for (d = 0; d < h[i].ndeps; d++) {
			size_t a = find(parent, i), b = find(parent, h[i].deps[d]);

			if (a == b)
				continue;
			if (rank[a] < rank[b])
				parent[b] = a;
			else
				parent[a] = b;
		}
	for (i = 0; i < nh; i++)
		size[find(parent, i)]++;

	/* Units: a component whole, or each job of a hook on its own. */
	units = xcalloc(njobs + 1, sizeof(*units));
	for (k = 0; k < nh; k++) {
		size_t hi = order[k].index, r = find(parent, hi);
		size_t nj = s->first[hi + 1] - s->first[hi];

		if (size[r] == 1 && h[hi].spread && h[hi].ndeps == 0 &&
		    nj > 1) {
			unit_of[hi] = nunits;
			for (j = 0; j < nj; j++) {
				units[nunits].strategy = h[hi].strategy;
				units[nunits].name = h[hi].name;
				units[nunits].job = j;
				units[nunits++].weight = job_weight(&h[hi], j);
			}
			size[r] = 0;    /* marks it spread */
			continue;
		}
		if (r == hi) {
			units[nunits].strategy = h[hi].strategy;
			units[nunits].name = h[hi].name;
			unit_of[hi] = nunits++;
		}
	}
	for (k = 0; k < nh; k++) {
		size_t hi = order[k].index, r = find(parent, hi);
		size_t nj = s->first[hi + 1] - s->first[hi];

		if (size[r] == 0)
			continue;
		for (j = 0; j < nj; j++)
			units[unit_of[r]].weight += job_weight(&h[hi], j);
	}

	/* Longest first onto the least loaded shard. */
	sorted = xcalloc(nunits + 1, sizeof(*sorted));
	for (k = 0; k < nunits; k++)
		sorted[k] = &units[k];
	qsort(sorted, nunits, sizeof(*sorted), by_weight);
	for (k = 0; k < nunits; k++) {
		unsigned best = 0, t;

		for (t = 1; t < n; t++)
			if (s->load[t] < s->load[best])
				best = t;
		sorted[k]->shard = best;
		s->load[best] += sorted[k]->weight;
	}

	for (i = 0; i < nh; i++) {
		size_t r = find(parent, i);
		size_t nj = s->first[i + 1] - s->first[i];

		for (j = 0; j < nj; j++)
			s->shard[s->first[i] + j] = size[r] == 0 ?
			    units[unit_of[i] + j].shard :
			    units[unit_of[r]].shard;
	}
	free(sorted);
	free(units);
	free(unit_of);
	free(size);
	free(parent);
	free(rank);
	free(order);
}

unsigned
shard_of(const struct shard_split *s, size_t hook, size_t job)
{
	return s->shard[s->first[hook] + job];
}

bool
shard_has_hook(const struct shard_split *s, size_t hook, unsigned k)
{
	size_t j;

	for (j = s->first[hook]; j < s->first[hook + 1]; j++)
		if (s->shard[j] == k)
			return true;
	return false;
}

double
shard_wall(const struct shard_split *s, const struct shard_hook *h,
	   size_t nh, unsigned k, unsigned cap)
{
	double *own = xcalloc(nh + 1, sizeof(*own));
	double *path = xcalloc(nh + 1, sizeof(*path));
	size_t *left = xcalloc(nh + 1, sizeof(*left));
	size_t *start = xcalloc(nh + 2, sizeof(*start));
	size_t *after = NULL, *ready = xcalloc(nh + 1, sizeof(*ready));
	size_t i, j, d, nready = 0, ndeps = 0;
	double total = 0, longest = 0;

	if (cap == 0)
		cap = 1;
	for (i = 0; i < nh; i++) {
		double sum = 0, most = 0;

		for (j = s->first[i]; j < s->first[i + 1]; j++) {
			double w = job_weight(&h[i], j - s->first[i]);

			if (s->shard[j] != k)
				continue;
			sum += w;
			if (w > most)
				most = w;
		}
		total += sum;
		own[i] = sum / cap > most ? sum / cap : most;
		ndeps += h[i].ndeps;
	}
	/* Dependents of each hook (CSR), then the longest path from the
	   sources, in dependency order (Kahn). */
	after = xcalloc(ndeps + 1, sizeof(*after));
	for (i = 0; i < nh; i++)
		for (d = 0; d < h[i].ndeps; d++)
			start[h[i].deps[d] + 1]++;
	for (i = 0; i < nh; i++)
		start[i + 1] += start[i];
	for (i = 0; i < nh; i++)
		for (d = 0; d < h[i].ndeps; d++)
			after[start[h[i].deps[d]] + left[h[i].deps[d]]++] = i;
	for (i = 0; i < nh; i++) {
		left[i] = h[i].ndeps;
		if (left[i] == 0)
			ready[nready++] = i;
	}
	while (nready > 0) {
		i = ready[--nready];
		path[i] += own[i];
		if (path[i] > longest)
			longest = path[i];
		for (d = start[i]; d < start[i + 1]; d++) {
			j = after[d];
			if (path[i] > path[j])
				path[j] = path[i];
			if (--left[j] == 0)
				ready[nready++] = j;
		}
	}
	free(ready);
	free(after);
	free(start);
	free(left);
	free(path);
	free(own);
	return total / cap > longest ? total / cap : longest;
}

void
shard_split_release(struct shard_split *s)
{
	free(s->first);
	free(s->shard);
	free(s->load);
	memset(s, 0, sizeof(*s));
}

/* A decimal number 1 .. SHARD_MAX, all of `text`; 0 if not. */
static unsigned
shard_number(const char *text, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return 0;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	return v <= SHARD_MAX ? (unsigned)v : 0;
}

int
shard_parse(const char *text, unsigned *k, unsigned *n, struct err *e)
{
	const char *slash = strchr(text, '/');

	memset(e, 0, sizeof(*e));
	if (slash == NULL ||
	    (*k = shard_number(text, (size_t)(slash - text))) == 0 ||
	    (*n = shard_number(slash + 1, strlen(slash + 1))) == 0) {
		snprintf(e->msg, sizeof(e->msg),
			 "'%s' is not K/N with 1 <= K <= N <= %d", text,
			 SHARD_MAX);
		return -1;
	}
	if (*k > *n) {
		snprintf(e->msg, sizeof(e->msg),
			 "'%s': part %u of %u does not exist", text, *k, *n);
		return -1;
	}
	return 0;
}

int
shard_from_env(const char *index, const char *total, unsigned *k,
	       unsigned *n, struct err *e)
{
	memset(e, 0, sizeof(*e));
	*k = *n = 1;
	if (total == NULL)
		return 0;
	if ((*n = shard_number(total, strlen(total))) == 0) {
		snprintf(e->msg, sizeof(e->msg),
			 "CI_NODE_TOTAL: '%s' is not a number from 1 to %d",
			 total, SHARD_MAX);
		return -1;
	}
	if (index == NULL && *n == 1) {
		*k = 1;
		return 0;
	}
	if (index == NULL) {
		snprintf(e->msg, sizeof(e->msg),
			 "CI_NODE_INDEX: not set, and CI_NODE_TOTAL is %u",
			 *n);
		return -1;
	}
	if ((*k = shard_number(index, strlen(index))) == 0 || *k > *n) {
		snprintf(e->msg, sizeof(e->msg),
			 "CI_NODE_INDEX: '%s' is not a number from 1 to CI_NODE_TOTAL (%u)",
			 index, *n);
		return -1;
	}
	return 0;
}
