/*
 * conflicts.c - the conflict graph of a run and the set of hooks that
 * hold their files. See conflicts.h.
 *
 * Building: the fixers' paths go into one hash index (a path with
 * several fixers keeps them in a chain); every hook then looks its own
 * paths up and pairs itself with the fixers it finds. A hook without
 * patterns pairs with every fixer, and a fixer without patterns with
 * every hook. The pairs, sorted and deduplicated, become each hook's
 * sorted list of conflicts.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "conflicts.h"
#include "hashmap.h"
#include "util.h"

struct pair {
	size_t a, b;            /* a < b */
};

struct index {
	const char **path;      /* distinct fixer paths */
	size_t *first;          /* per path: its first link */
	size_t npaths;
	size_t *link_hook;      /* per link: a fixer */
	size_t *link_next;      /* per link: the next, or HASHMAP_NONE */
	size_t nlinks;
};

/* hashmap_find's key: the path and the index it is looked up in. */
struct lookup {
	const char *path;
	const struct index *ix;
};

static int
same_path(const void *key, size_t i)
{
	const struct lookup *l = key;

	return strcmp(l->path, l->ix->path[i]) == 0;
}

static int
pair_cmp(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return 0;
}

static int
takes_part(const struct conflict_hook *h)
{
	return h->all || h->nfiles > 0;
}

static void
add_pair(struct pair **v, size_t *n, size_t *alloc, size_t x, size_t y)
{
	if (x == y)
		return;
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		*v = xreallocarray(*v, *alloc, sizeof(**v));
	}
	(*v)[*n].a = x < y ? x : y;
	(*v)[*n].b = x < y ? y : x;
	(*n)++;
}

struct conflicts *
conflicts_new(const struct conflict_hook *hooks, size_t n)
{
	struct index ix;
	struct hashmap map = { 0 };
	struct pair *pairs = NULL;
	size_t npairs = 0, apairs = 0, i, k, f, nfixers = 0;
	size_t *all_fixers;
	size_t nall = 0;
	struct conflicts *c;

	/* Hooks that share a log: a few at most, compared pair by pair. */
	for (i = 0; i < n; i++)
		for (k = i + 1; hooks[i].log != NULL && k < n; k++)
			if (hooks[k].log != NULL &&
			    strcmp(hooks[i].log, hooks[k].log) == 0)
				add_pair(&pairs, &npairs, &apairs, i, k);
	for (i = 0; i < n; i++)
		if (hooks[i].fixer && takes_part(&hooks[i]))
			nfixers++;
	if (nfixers == 0 && npairs == 0)
		return NULL;

	memset(&ix, 0, sizeof(ix));
	all_fixers = xmalloc((nfixers + 1) * sizeof(*all_fixers));
	for (i = 0; i < n; i++) {
		if (!hooks[i].fixer || !takes_part(&hooks[i]))
			continue;
		if (hooks[i].all) {
			all_fixers[nall++] = i;
			continue;
		}
		ix.path = xreallocarray(ix.path, ix.npaths + hooks[i].nfiles + 1,
					sizeof(*ix.path));
		ix.first = xreallocarray(ix.first, ix.npaths + hooks[i].nfiles + 1,
					 sizeof(*ix.first));
		ix.link_hook = xreallocarray(ix.link_hook,
					     ix.nlinks + hooks[i].nfiles + 1,
					     sizeof(*ix.link_hook));
		ix.link_next = xreallocarray(ix.link_next,
					     ix.nlinks + hooks[i].nfiles + 1,
					     sizeof(*ix.link_next));
		for (k = 0; k < hooks[i].nfiles; k++) {
			const char *path = hooks[i].files[k];
			struct lookup key = { path, &ix };
			uint64_t hv = hash_str(path);
			size_t at = hashmap_find(&map, hv, &key, same_path);

			if (at == HASHMAP_NONE) {
				at = ix.npaths++;
				ix.path[at] = path;
				ix.first[at] = HASHMAP_NONE;
				hashmap_put(&map, hv, at);
			}
			/* A hook listing a path twice chains itself twice:
			   harmless, pairs are deduplicated. */
			ix.link_hook[ix.nlinks] = i;
			ix.link_next[ix.nlinks] = ix.first[at];
			ix.first[at] = ix.nlinks++;
		}
	}

	for (i = 0; i < n; i++) {
		const struct conflict_hook *h = &hooks[i];

		if (!takes_part(h))
			continue;
		for (f = 0; f < nall; f++)
			add_pair(&pairs, &npairs, &apairs, i, all_fixers[f]);
		if (h->all) {
			/* Every fixer; and, a fixer itself, every hook (the
			   other hooks pair with it through all_fixers). */
			for (k = 0; k < n; k++)
				if (hooks[k].fixer && takes_part(&hooks[k]))
					add_pair(&pairs, &npairs, &apairs, i, k);
			continue;
		}
		for (k = 0; k < h->nfiles; k++) {
			struct lookup key = { h->files[k], &ix };
			size_t at = hashmap_find(&map, hash_str(h->files[k]),
						 &key, same_path);
			size_t l;

			for (l = at == HASHMAP_NONE ? HASHMAP_NONE : ix.first[at];
			     l != HASHMAP_NONE; l = ix.link_next[l])
				add_pair(&pairs, &npairs, &apairs, i,
					 ix.link_hook[l]);
		}
	}
	hashmap_release(&map);
	free(ix.path);
	free(ix.first);
	free(ix.link_hook);
	free(ix.link_next);
	free(all_fixers);

	if (npairs == 0) {
		free(pairs);
		return NULL;
	}
	qsort(pairs, npairs, sizeof(*pairs), pair_cmp);
	for (i = k = 0; i < npairs; i++)
		if (k == 0 || pair_cmp(&pairs[k - 1], &pairs[i]) != 0)
			pairs[k++] = pairs[i];
	npairs = k;

	c = xcalloc(1, sizeof(*c));
	c->n = n;
	c->nedges = npairs;
	c->nwith = xcalloc(n + 1, sizeof(*c->nwith));
	c->with = xcalloc(n + 1, sizeof(*c->with));
	c->active = xcalloc(n + 1, 1);
	for (i = 0; i < npairs; i++) {
		c->nwith[pairs[i].a]++;
		c->nwith[pairs[i].b]++;
	}
	for (i = 0; i < n; i++) {
		c->with[i] = c->nwith[i] ? xmalloc(c->nwith[i] * sizeof(size_t)) :
			     NULL;
		c->nwith[i] = 0;
	}
	/* Sorted pairs fill each list in ascending order: for hook x, the
	   pairs (y, x) with y < x come first, then (x, y) with y > x. */
	for (i = 0; i < npairs; i++)
		c->with[pairs[i].b][c->nwith[pairs[i].b]++] = pairs[i].a;
	for (i = 0; i < npairs; i++)
		c->with[pairs[i].a][c->nwith[pairs[i].a]++] = pairs[i].b;
	free(pairs);
	if (pthread_mutex_init(&c->mu, NULL) != 0)
		abort();
	return c;
}

int
conflicts_between(const struct conflicts *c, size_t a, size_t b)
{
	size_t lo = 0, hi;

	if (c == NULL || a >= c->n || b >= c->n)
		return 0;
	hi = c->nwith[a];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->with[a][mid] == b)
			return 1;
		if (c->with[a][mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
conflicts_any(const struct conflicts *c, size_t h)
{
	return c != NULL && h < c->n && c->nwith[h] > 0;
}

int
conflicts_enter(struct conflicts *c, size_t h)
{
	size_t i;
	int ok = 1;

	if (!conflicts_any(c, h))
		return 1;
	if (pthread_mutex_lock(&c->mu) != 0)
		abort();
	for (i = 0; i < c->nwith[h] && ok; i++)
		if (c->active[c->with[h][i]])
			ok = 0;
	if (ok)
		c->active[h] = 1;
	if (pthread_mutex_unlock(&c->mu) != 0)
		abort();
	return ok;
}

void
conflicts_leave(struct conflicts *c, size_t h)
{
	if (!conflicts_any(c, h))
		return;
	if (pthread_mutex_lock(&c->mu) != 0)
		abort();
	c->active[h] = 0;
	if (pthread_mutex_unlock(&c->mu) != 0)
		abort();
}

void
conflicts_free(struct conflicts *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->with[i]);
	free(c->with);
	free(c->nwith);
	free(c->active);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
