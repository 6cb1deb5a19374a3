/*
 * k-shard-sim.c - how evenly --shard splits a large run: a synthetic
 * duration history of a big repository, split into N = 2, 4, 8, 16
 * parts by hookwave's split (src/shard.c), by count and round robin,
 * each part's work against the ideal.
 *
 *   bench/k-shard-sim [HOOKS [SEED]]      (default 3000 hooks, seed 1)
 *
 * The history: HOOKS hooks in strategies of 150; durations skewed (70 %
 * short, 0.05-2 s; 25 % medium, 2-20 s; 5 % long, 60-400 s); 40 % of the
 * hooks have files (up to 2000, sizes heavy-tailed) cut into 4N pieces
 * as --shard cuts them, each piece its share of the hook's duration by
 * size; 15 % of the hooks depend on the one before them, which makes
 * chains. A part's makespan is its work (one worker per machine; at a
 * cap of C workers, divide everything by C). Ideal: max(total / N,
 * longest unit), where a unit is what may not be split (a dependency
 * component, or one piece). Count and round robin place the same units
 * (components whole: they could not do better and stay correct), in
 * the stable key order: count cuts that list into N runs of equal
 * length, round robin deals it out.
 *
 * Not installed; built with `make check` (or make bench/k-shard-sim).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "util.h"

static unsigned long long rng_state;

static double
uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

struct sim_hook {
	char strategy[32], name[32];
	double seconds;
	size_t nfiles;
	double *size;           /* nfiles */
	size_t dep;             /* SIZE_MAX: none */
};

static void
make_history(struct sim_hook *h, size_t n)
{
	size_t i, f;

	for (i = 0; i < n; i++) {
		double r = uniform();

		snprintf(h[i].strategy, sizeof(h[i].strategy), "s%03zu",
			 i / 150);
		snprintf(h[i].name, sizeof(h[i].name), "h%05zu", i);
		h[i].seconds = r < 0.70 ? 0.05 + 1.95 * uniform() :
			       r < 0.95 ? 2 + 18 * uniform() :
			       60 + 340 * uniform();
		h[i].nfiles = 0;
		h[i].size = NULL;
		if (uniform() < 0.40) {
			/* Pareto file counts and sizes: most small. */
			h[i].nfiles = 1 + (size_t)(5 / (0.0025 + uniform()));
			if (h[i].nfiles > 2000)
				h[i].nfiles = 2000;
			h[i].size = xcalloc(h[i].nfiles, sizeof(double));
			for (f = 0; f < h[i].nfiles; f++)
				h[i].size[f] = 4096 + 1000 / (0.001 + uniform());
		}
		h[i].dep = i % 150 != 0 && uniform() < 0.15 ? i - 1 : SIZE_MAX;
	}
}

static int
by_size_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x > y ? -1 : x < y;
}

/* Hook i's pieces for N parts: its files packed into min(files, 4N)
   bins longest first; each piece weighs its share of the seconds. */
static size_t
pieces(const struct sim_hook *h, unsigned n, double *w)
{
	size_t want = (size_t)n * 4, f, b, best;
	double *sorted, total = 0;

	if (h->nfiles == 0) {
		w[0] = h->seconds;
		return 1;
	}
	if (want > h->nfiles)
		want = h->nfiles;
	sorted = xcalloc(h->nfiles, sizeof(double));
	memcpy(sorted, h->size, h->nfiles * sizeof(double));
	qsort(sorted, h->nfiles, sizeof(double), by_size_desc);
	memset(w, 0, want * sizeof(double));
	for (f = 0; f < h->nfiles; f++) {
		for (best = 0, b = 1; b < want; b++)
			if (w[b] < w[best])
				best = b;
		w[best] += sorted[f];
		total += sorted[f];
	}
	for (b = 0; b < want; b++)
		w[b] = h->seconds * w[b] / total;
	free(sorted);
	return want;
}

/* A unit of the baselines: its weight, in stable key order. */
static double
makespan_of(const double *units, size_t nu, unsigned n, int count)
{
	double *load = xcalloc(n, sizeof(double)), worst = 0;
	size_t u;
	unsigned k;

	for (u = 0; u < nu; u++) {
		k = count ? (unsigned)(u * n / nu) : (unsigned)(u % n);
		load[k] += units[u];
	}
	for (k = 0; k < n; k++)
		if (load[k] > worst)
			worst = load[k];
	free(load);
	return worst;
}

int
main(int argc, char **argv)
{
	size_t nh = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000;
	static const unsigned ns[] = { 2, 4, 8, 16 };
	struct sim_hook *h;
	size_t i, t, met = 0, checked = 0;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	if (nh < 2 || rng_state == 0) {
		fprintf(stderr, "usage: k-shard-sim [HOOKS >= 2 [SEED > 0]]\n");
		return 2;
	}
	h = xcalloc(nh, sizeof(*h));
	make_history(h, nh);
	printf("%7s %9s %8s %9s %9s %8s %9s %8s %9s %8s %s\n", "N", "jobs",
	       "units", "ideal_s", "hookwave", "x_ideal", "count", "x_ideal",
	       "rrobin", "x_ideal", "within_10%");
	for (t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		unsigned n = ns[t], k;
		struct shard_hook *sh = xcalloc(nh, sizeof(*sh));
		double **w = xcalloc(nh, sizeof(*w));
		size_t *deps = xcalloc(nh, sizeof(*deps));
		double *units = xcalloc(nh * 4 * 16 + 1, sizeof(double));
		double *comp = xcalloc(nh, sizeof(double));
		size_t *root = xcalloc(nh, sizeof(size_t));
		size_t nu = 0, njobs = 0, j;
		double total = 0, longest = 0, hw = 0, ideal, cnt, rr;
		struct shard_split s;

		for (i = 0; i < nh; i++) {
			w[i] = xcalloc((size_t)n * 4 + 1, sizeof(double));
			sh[i].strategy = h[i].strategy;
			sh[i].name = h[i].name;
			sh[i].njobs = pieces(&h[i], n, w[i]);
			sh[i].weight = w[i];
			sh[i].spread = h[i].nfiles > 0;
			if (h[i].dep != SIZE_MAX) {
				deps[i] = h[i].dep;
				sh[i].deps = &deps[i];
				sh[i].ndeps = 1;
			}
			njobs += sh[i].njobs;
			for (j = 0; j < sh[i].njobs; j++)
				total += w[i][j];
		}
		/* The units, in key order (the hooks are): a chain's hooks
		   follow each other, so a component is a run of them. */
		for (i = 0; i < nh; i++) {
			bool joined = h[i].dep != SIZE_MAX ||
				      (i + 1 < nh && h[i + 1].dep == i);

			root[i] = h[i].dep != SIZE_MAX ? root[i - 1] : i;
			for (j = 0; j < sh[i].njobs; j++) {
				if (joined)
					comp[root[i]] += w[i][j];
				else
					units[nu++] = w[i][j];
			}
			if (joined && (i + 1 == nh || h[i + 1].dep != i))
				units[nu++] = comp[root[i]];
		}
		for (i = 0; i < nu; i++)
			if (units[i] > longest)
				longest = units[i];
		shard_split(&s, sh, nh, n);
		for (k = 0; k < n; k++)
			if (s.load[k] > hw)
				hw = s.load[k];
		ideal = total / n > longest ? total / n : longest;
		cnt = makespan_of(units, nu, n, 1);
		rr = makespan_of(units, nu, n, 0);
		printf("%7u %9zu %8zu %9.1f %9.1f %8.4f %9.1f %8.4f %9.1f %8.4f %s\n",
		       n, njobs, nu, ideal, hw, hw / ideal, cnt, cnt / ideal,
		       rr, rr / ideal,
		       longest > total / n ? "n/a (a unit is longer than total/N)" :
		       hw <= 1.10 * ideal ? "yes" : "NO");
		if (longest <= total / n) {
			checked++;
			met += hw <= 1.10 * ideal;
		}
		shard_split_release(&s);
		for (i = 0; i < nh; i++)
			free(w[i]);
		free(root);
		free(comp);
		free(units);
		free(deps);
		free(w);
		free(sh);
	}
	printf("hooks %zu (seed %llu): hookwave's split within 10 %% of the ideal in %zu of %zu cases where no unit is longer than total/N\n",
	       nh, argc > 2 ? strtoull(argv[2], NULL, 10) : 1ULL, met,
	       checked);
	for (i = 0; i < nh; i++)
		free(h[i].size);
	free(h);
	return met == checked ? 0 : 1;
}
