/*
 * run_cache.c - the result cache of one run: see run_cache.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cache_key.h"
#include "content_id.h"
#include "hashmap.h"
#include "run_cache.h"
#include "store.h"

/*
 * A snapshot of passed files as the store keeps it (store.h): its body
 * "path\0id\0"... in path order (or a delta on a whole one), and where
 * each file's entry is, in path order, for a binary search. A delta is
 * not copied out whole: its entries point into its own body and into
 * its base's. Hooks whose snapshots are the same share one, read once.
 */
struct known {
	unsigned char snap[STORE_KEY_LEN];
	struct buf body;                /* as stored */
	const char **at;                /* per file, in path order: its
					   "path\0id\0", in body or base's */
	size_t n;
	const struct known *base;       /* stored as a delta on this one
					   (in the run's snaps), or NULL */
};

/*
 * A snapshot that differs from a whole one in a few files is stored as
 * a delta on it (store.h): the tag, the base's key, then "path\0id\0"
 * for each file whose id changed or that came, "path\0\0" for each
 * that went, in path order. A change of one file then writes a few
 * bytes, not the whole snapshot again. Past DELTA_MAX(n) files of a
 * base of n, a whole snapshot is written and becomes the next base.
 */
#define DELTA_MAX(n) ((n) / 8 + 64)

struct hook_cache {
	enum conf_cache mode;           /* CACHE_NO: not cached this run */
	unsigned char key[STORE_KEY_LEN];
	/*
	 * The key of its whole set of files (cache_key_whole over the
	 * hook key and the mode): with `whole`, the set passed together;
	 * with `files`, every file of the set passed, in this run or
	 * earlier ones. An unchanged tree then costs one lookup a hook,
	 * whatever the mode.
	 */
	unsigned char whole[STORE_KEY_LEN];
	int whole_known;                /* `whole` was made */
	int set_made;                   /* `set`: 1 made, -1 a file has no
					   id, 0 not yet */
	unsigned char set[STORE_KEY_LEN]; /* the digest of its set (cache_key_set),
					   shared with hooks of the same set */
	size_t finger;                  /* where in `known` the next file
					   of its set is likely to be */
	const char **ids;               /* per file of sel: its content id
					   (NULL: none), made by make_whole */
	unsigned char *spared;          /* per file of sel: `known` holds its
					   id now (mode files, known set) */
	size_t cursor;                  /* the next of sel run_cache_keep
					   is likely to be asked about */
	int own_ids, own_spared;        /* ids, spared are its own, not an
					   earlier hook's of the same set */
	const char **sel;               /* the files it selects before the
					   cache (borrowed strings), nsel */
	size_t nsel, sel_alloc;
	struct known *known;            /* mode files, when the set missed:
					   its snapshot (shared), or NULL */
	unsigned char *passed;          /* per batch: it passed */
	size_t nbatches;
};

struct run_cache {
	const struct plan *plan;
	struct store *st;
	struct content_ids *ids;
	struct cache_inputs *inputs;    /* the walk for `inputs`, shared */
	struct known **snaps;           /* every snapshot read, nsnaps */
	size_t nsnaps;
	struct hook_cache *of;          /* per plan hook */
	size_t n;
	size_t *ncached;
	unsigned char *all_cached;
	run_cache_warn_fn warn;
	void *ctx;
};

#define KNOWN_NONE SIZE_MAX

/* The id of the file at k->at[j]. */
static const char *
entry_id(const char *entry)
{
	return entry + strlen(entry) + 1;
}

/*
 * Index of `path` in snapshot k, or KNOWN_NONE. `finger` (may be
 * NULL) is where the last search ended: files asked for in path order
 * are then found with one comparison each, not a search.
 */
static size_t
known_find(const struct known *k, const char *path, size_t *finger)
{
	size_t lo = 0, hi, mid;
	int c;

	if (k == NULL || k->n == 0)
		return KNOWN_NONE;
	if (finger != NULL && *finger < k->n &&
	    strcmp(k->at[*finger], path) == 0)
		return (*finger)++;
	hi = k->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(k->at[mid], path);
		if (c == 0) {
			if (finger != NULL)
				*finger = mid + 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (finger != NULL)
		*finger = lo;
	return KNOWN_NONE;
}

/* The id remembered for `path`, borrowed, or NULL. */
static const char *
known_id(const struct known *k, const char *path, size_t *finger)
{
	size_t j = known_find(k, path, finger);

	return j == KNOWN_NONE ? NULL : entry_id(k->at[j]);
}

static void
known_add(struct known *k, size_t *alloc, const char *entry)
{
	if (k->n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 1024;
		k->at = xreallocarray(k->at, *alloc, sizeof(*k->at));
	}
	k->at[k->n++] = entry;
}

static int entry_at(const char *p, const char *end, const char **path,
		    const char **id, const char **next);

/* Index a whole snapshot's body; -1 when it is not one (its paths not
   in strict order, an entry cut off): it is then unused. */
static int
known_index(struct known *k)
{
	const char *p = k->body.p, *end = k->body.p + k->body.len;
	const char *path, *id, *prev = NULL;
	size_t alloc = 0;

	while (p < end) {
		if (entry_at(p, end, &path, &id, &p) != 0 ||
		    (prev != NULL && strcmp(prev, path) >= 0))
			return -1;
		known_add(k, &alloc, path);
		prev = path;
	}
	return 0;
}

static void
known_free(struct known *k)
{
	if (k == NULL)
		return;
	buf_release(&k->body);
	free(k->at);
	free(k);
}

static int
is_delta(const struct buf *body)
{
	return body->len >= STORE_SNAP_DELTA_TAG_LEN + STORE_KEY_LEN &&
	       memcmp(body->p, STORE_SNAP_DELTA_TAG,
		      STORE_SNAP_DELTA_TAG_LEN) == 0;
}

/* The entry at p (< end): its path and id, and where the next starts;
   -1 when it is cut off or its path is empty. */
static int
entry_at(const char *p, const char *end, const char **path,
	 const char **id, const char **next)
{
	const char *nul = memchr(p, '\0', (size_t)(end - p)), *nul2;

	if (nul == NULL || nul == p ||
	    (nul2 = memchr(nul + 1, '\0', (size_t)(end - nul - 1))) == NULL)
		return -1;
	*path = p;
	*id = nul + 1;
	*next = nul2 + 1;
	return 0;
}

/*
 * k's body, a delta, laid over its base: k's entries are the base's and
 * the delta's, merged in path order; a delta's entry with an empty id is
 * a file that went. Its paths must be in strict order, else -1: not a
 * snapshot this code wrote.
 */
static int
apply_delta(struct known *k, const struct known *base)
{
	const char *d = k->body.p + STORE_SNAP_DELTA_TAG_LEN + STORE_KEY_LEN;
	const char *dend = k->body.p + k->body.len;
	const char *dpath = NULL, *did = NULL, *dnext = dend, *prev = NULL;
	size_t j = 0, alloc = 0;
	int c;

	if (d < dend && entry_at(d, dend, &dpath, &did, &dnext) != 0)
		return -1;
	while (j < base->n || dpath != NULL) {
		const char *bpath = j < base->n ? base->at[j] : NULL;

		c = bpath == NULL ? 1 : dpath == NULL ? -1 : strcmp(bpath, dpath);
		if (c < 0) {            /* the base's, unchanged */
			known_add(k, &alloc, bpath);
			j++;
			continue;
		}
		if (*did != '\0')      /* changed or new; "" went */
			known_add(k, &alloc, dpath);
		if (c == 0)
			j++;
		prev = dpath;
		dpath = NULL;
		if (dnext < dend &&
		    (entry_at(dnext, dend, &dpath, &did, &dnext) != 0 ||
		     strcmp(prev, dpath) >= 0))
			return -1;
	}
	k->base = base;
	return 0;
}

/* Snapshot `snap`, read once for all the hooks that name it; NULL when
   it cannot be read. A delta's base must be whole (`depth` 0 reads
   either). In a read transaction. */
static struct known *
known_read(struct run_cache *rc, const unsigned char *snap, int depth)
{
	struct known *k;
	const struct known *base;
	struct err e;
	size_t i;

	for (i = 0; i < rc->nsnaps; i++)
		if (memcmp(rc->snaps[i]->snap, snap, STORE_KEY_LEN) == 0)
			return depth > 0 && rc->snaps[i]->base != NULL ? NULL :
			       rc->snaps[i];
	k = xcalloc(1, sizeof(*k));
	memcpy(k->snap, snap, STORE_KEY_LEN);
	if (store_cache_snap_read(rc->st, snap, &k->body, &e) != 1)
		goto bad;
	if (is_delta(&k->body)) {
		if (depth > 0)
			goto bad;
		base = known_read(rc, (const unsigned char *)k->body.p +
				  STORE_SNAP_DELTA_TAG_LEN, 1);
		if (base == NULL || apply_delta(k, base) != 0)
			goto bad;
	} else if (known_index(k) != 0) {
		goto bad;
	}
	rc->snaps = xreallocarray(rc->snaps, rc->nsnaps + 1,
				  sizeof(*rc->snaps));
	rc->snaps[rc->nsnaps++] = k;
	return k;
bad:
	known_free(k);
	return NULL;
}

static struct known *
known_get(struct run_cache *rc, const unsigned char *snap)
{
	return known_read(rc, snap, 0);
}

static void
say(struct run_cache *rc, const char *hook, const char *why)
{
	struct err e;

	if (rc->warn == NULL)
		return;
	err_set(&e, NULL, 0, "%s: not cached this run: %s", hook, why);
	rc->warn(rc->ctx, &e);
}

/* The hook's key, bound to the run directory: the same hook elsewhere
   (another directory of the repository) is another key. */
static void
bind_dir(unsigned char *key, const char *dir)
{
	struct sha256_ctx h;
	unsigned char in[STORE_KEY_LEN];

	memcpy(in, key, sizeof(in));
	sha256_init(&h);
	sha256_update(&h, 21, (const uint8_t *)"hookwave-cache-dir-1\n");
	sha256_update(&h, strlen(dir) + 1, (const uint8_t *)dir);
	sha256_update(&h, sizeof(in), in);
	sha256_digest(&h, STORE_KEY_LEN, key);
}

/* Where hook i runs: the run directory, or its cwd under it. */
static char *
hook_dir(const char *run_dir, const char *cwd)
{
	char *d;
	size_t n;

	if (cwd == NULL || *cwd == '\0')
		return xstrdup(run_dir);
	if (cwd[0] == '/')
		return xstrdup(cwd);
	n = strlen(run_dir) + strlen(cwd) + 2;
	d = xmalloc(n);
	snprintf(d, n, "%s/%s", run_dir, cwd);
	return d;
}

/*
 * The keys that choose a hook's files beyond its globs, as text, NUL
 * terminated in `b`; `b` stays empty (p NULL) when none is set, so the
 * keys of hooks without them do not change.
 */
static void
select_text(struct buf *b, const struct conf_hook *h)
{
	size_t k;

	if (h->types.n == 0 && h->exclude_types.n == 0 &&
	    h->files_regex.re == NULL && h->exclude_regex.re == NULL &&
	    h->pass_files && !h->always_run)
		return;
	buf_adds(b, "types");
	for (k = 0; k < h->types.n; k++)
		buf_printf(b, " %llx", (unsigned long long)h->types.alts[k]);
	buf_adds(b, "\nexclude_types");
	for (k = 0; k < h->exclude_types.n; k++)
		buf_printf(b, " %llx",
			   (unsigned long long)h->exclude_types.alts[k]);
	buf_printf(b, "\nfiles_regex %s\nexclude_regex %s\npass_files %d\nalways_run %d",
		   h->files_regex.text != NULL ? h->files_regex.text : "",
		   h->exclude_regex.text != NULL ? h->exclude_regex.text : "",
		   h->pass_files, h->always_run);
	buf_add(b, "", 1);
}

static int
make_key(struct run_cache *rc, const struct conf_hook *h, const char *run_dir,
	 const char *dir, unsigned char *key)
{
	struct cache_hook_desc d;
	struct err e;
	struct buf inputs = { 0 }, sel = { 0 };
	char *hd = hook_dir(run_dir, h->cwd);
	size_t i;
	int r;

	memset(&d, 0, sizeof(d));
	d.command = h->command;
	d.env = h->env.v;
	d.nenv = h->env.n;
	d.cwd = h->cwd;
	d.files = h->files.v;
	d.nfiles = h->files.n;
	d.exclude = h->exclude.v;
	d.nexclude = h->exclude.n;
	select_text(&sel, h);
	d.select = sel.p;
	d.cache_key = h->cache_key;
	for (i = 0; i < h->inputs.n; i++) {
		if (i > 0)
			buf_add(&inputs, " ", 1);
		buf_add(&inputs, h->inputs.v[i], strlen(h->inputs.v[i]));
	}
	if (h->inputs.n > 0) {
		buf_add(&inputs, "", 1);
		d.inputs = inputs.p;
		if (rc->inputs == NULL)
			rc->inputs = cache_inputs_new();
	}
	d.hook_dir = hd;
	d.environ = environ;
	r = cache_key_hook(key, &d, rc->ids, rc->inputs, &e);
	buf_release(&inputs);
	buf_release(&sel);
	free(hd);
	if (r != 0) {
		say(rc, h->name, e.msg);
		return -1;
	}
	bind_dir(key, dir);
	return 0;
}

/* How hook h is cached this run, before its files are known. */
static enum conf_cache
hook_mode(const struct conf *c, const struct conf_hook *h)
{
	enum conf_cache m = conf_hook_cache(c, h);

	/* A hook without patterns has no files to key: only its inputs
	   can stand for what it checks. */
	if (m != CACHE_NO && !conf_hook_selects(h))
		m = h->inputs.n > 0 ? CACHE_WHOLE : CACHE_NO;
	/* One that runs without its files, or even without any, is one
	   run over the whole set. */
	if (m == CACHE_FILES && (!h->pass_files || h->always_run))
		m = CACHE_WHOLE;
	return m;
}

int
run_cache_wanted(const struct conf *c, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nhooks; i++)
		if (p->hooks[i].state == PLAN_RUN &&
		    hook_mode(c, p->hooks[i].conf) != CACHE_NO)
			return 1;
	return 0;
}

struct run_cache *
run_cache_open(const struct conf *c, const struct plan *p,
	       const struct launches *l, struct store *st, const char *dir,
	       const struct gitdir *g, int staged,
	       struct content_ids_git *asked, run_cache_warn_fn warn,
	       void *ctx)
{
	struct run_cache *rc;
	char run_dir[PATH_MAX];
	struct err e;
	size_t i, cached = 0;

	(void)l;
	if (st == NULL || dir == NULL || getcwd(run_dir, sizeof(run_dir)) == NULL) {
		content_ids_git_drop(asked);
		return NULL;
	}
	for (i = 0; i < p->nhooks; i++)
		if (p->hooks[i].state == PLAN_RUN &&
		    hook_mode(c, p->hooks[i].conf) != CACHE_NO)
			cached++;
	if (cached == 0) {
		content_ids_git_drop(asked);
		return NULL;
	}
	rc = xcalloc(1, sizeof(*rc));
	rc->plan = p;
	rc->st = st;
	rc->warn = warn;
	rc->ctx = ctx;
	rc->n = p->nhooks;
	rc->of = xcalloc(p->nhooks + 1, sizeof(*rc->of));
	rc->ncached = xcalloc(p->nhooks + 1, sizeof(*rc->ncached));
	rc->all_cached = xcalloc(p->nhooks + 1, 1);
	rc->ids = content_ids_open_asked(g, staged, asked, &e);
	if (rc->ids == NULL) {
		if (warn != NULL) {
			struct err w;

			err_set(&w, NULL, 0, "no result cache this run: %s",
				e.msg);
			warn(ctx, &w);
		}
		run_cache_close(rc);
		return NULL;
	}
	for (i = 0; i < p->nhooks; i++) {
		struct hook_cache *hc = &rc->of[i];
		const struct conf_hook *h = p->hooks[i].conf;

		hc->mode = CACHE_NO;
		if (p->hooks[i].state != PLAN_RUN)
			continue;
		hc->mode = hook_mode(c, h);
		if (hc->mode != CACHE_NO &&
		    make_key(rc, h, run_dir, dir, hc->key) != 0)
			hc->mode = CACHE_NO;
	}
	return rc;
}

int
run_cache_keep(struct run_cache *rc, size_t hook, const char *path)
{
	struct hook_cache *hc;
	const char *was, *now;

	if (rc == NULL || hook >= rc->n)
		return 1;
	hc = &rc->of[hook];
	if (rc->all_cached[hook])
		return 0;
	if (hc->mode != CACHE_FILES || hc->known == NULL)
		return 1;
	/* Asked in the order the planner noted the set (the same listing,
	   the same pointers): the answer made by run_cache_select. */
	if (hc->spared != NULL && hc->cursor < hc->nsel &&
	    hc->sel[hc->cursor] == path) {
		if (!hc->spared[hc->cursor++])
			return 1;
		rc->ncached[hook]++;
		return 0;
	}
	was = known_id(hc->known, path, &hc->finger);
	if (was == NULL || (now = content_id(rc->ids, path)) == NULL ||
	    strcmp(was, now) != 0)
		return 1;
	rc->ncached[hook]++;
	return 0;
}

/* An earlier hook of the run whose set is hook i's (the same files, in
   the same order, from the run's one listing), or NULL. */
static const struct hook_cache *
same_set(const struct run_cache *rc, size_t i)
{
	const struct hook_cache *hc = &rc->of[i];
	size_t j;

	for (j = 0; j < i; j++) {
		const struct hook_cache *o = &rc->of[j];

		if (o->set_made != 0 && o->nsel == hc->nsel &&
		    (hc->nsel == 0 ||
		     memcmp(o->sel, hc->sel, hc->nsel * sizeof(*hc->sel)) == 0))
			return o;
	}
	return NULL;
}

/*
 * The whole-set key of hook i over the files it selects; -1 when a file
 * has no id. The mode is in it: a set whose files passed one by one
 * (`files`) is not a set that passed together (`whole`). Hooks that
 * select the same files make the set's digest once.
 */
static int
make_whole(struct run_cache *rc, size_t i)
{
	struct hook_cache *hc = &rc->of[i];
	const struct hook_cache *same = same_set(rc, i);
	unsigned char base[STORE_KEY_LEN];
	struct sha256_ctx h;
	uint8_t mode = (uint8_t)hc->mode;
	size_t k;

	if (same != NULL) {
		hc->set_made = same->set_made;
		hc->ids = same->ids;
		memcpy(hc->set, same->set, sizeof(hc->set));
	} else {
		const char **ids = xcalloc(hc->nsel + 1, sizeof(*ids));

		/* The ids, on threads. */
		if (hc->nsel > 0)
			content_ids_prefetch(rc->ids, hc->sel, hc->nsel);
		hc->set_made = 1;
		for (k = 0; k < hc->nsel; k++)
			if ((ids[k] = content_id(rc->ids, hc->sel[k])) == NULL)
				hc->set_made = -1;
		if (hc->set_made == 1)
			cache_key_set(hc->set, hc->sel, ids, hc->nsel);
		hc->ids = ids;
		hc->own_ids = 1;
	}
	if (hc->set_made != 1)
		return -1;
	sha256_init(&h);
	sha256_update(&h, 19, (const uint8_t *)"hookwave-cache-set\n");
	sha256_update(&h, 1, &mode);
	sha256_update(&h, sizeof(hc->key), hc->key);
	sha256_digest(&h, sizeof(base), base);
	cache_key_whole_of(hc->whole, base, hc->set);
	hc->whole_known = 1;
	return 0;
}

int
run_cache_note(struct run_cache *rc, size_t hook, const char *path)
{
	struct hook_cache *hc;

	if (rc == NULL || hook >= rc->n)
		return 0;
	hc = &rc->of[hook];
	if (hc->nsel == hc->sel_alloc) {
		hc->sel_alloc = hc->sel_alloc ? 2 * hc->sel_alloc : 64;
		hc->sel = xreallocarray(hc->sel, hc->sel_alloc,
					sizeof(*hc->sel));
	}
	hc->sel[hc->nsel++] = path;
	return 0;
}

/*
 * Which files of hook i's set its snapshot spares (the id it passed with
 * is the id now), walked once in the set's order with the finger:
 * shared with an earlier hook of the same set and snapshot.
 */
static void
make_spared(struct run_cache *rc, size_t i)
{
	struct hook_cache *hc = &rc->of[i];
	size_t j, k, finger = 0;

	for (j = 0; j < i; j++) {
		const struct hook_cache *o = &rc->of[j];

		if (o->spared != NULL && o->ids == hc->ids &&
		    o->known == hc->known) {
			hc->spared = o->spared;
			return;
		}
	}
	if (hc->ids == NULL)
		return;
	hc->spared = xcalloc(hc->nsel + 1, 1);
	hc->own_spared = 1;
	for (k = 0; k < hc->nsel; k++) {
		const char *was = known_id(hc->known, hc->sel[k], &finger);

		hc->spared[k] = was != NULL && hc->ids[k] != NULL &&
				strcmp(was, hc->ids[k]) == 0;
	}
}

int
run_cache_select(struct run_cache *rc)
{
	struct err e;
	size_t i;
	int rd, again = 0;

	if (rc == NULL)
		return 0;
	rd = store_begin(rc->st, 0, &e) == 0;
	for (i = 0; i < rc->n; i++) {
		struct hook_cache *hc = &rc->of[i];

		if (hc->mode == CACHE_NO)
			continue;
		/* Patterns that matched nothing: skipped, no files. */
		if (hc->nsel == 0 &&
		    conf_hook_selects(rc->plan->hooks[i].conf)) {
			hc->mode = CACHE_NO;
			continue;
		}
		/* A file without an id (unreadable, not a file): with
		   `whole` the hook is not cached; with `files` the others
		   still can be, one by one. */
		if (make_whole(rc, i) != 0 && hc->mode == CACHE_WHOLE) {
			hc->mode = CACHE_NO;
			continue;
		}
		if (!rd)
			continue;
		if (hc->whole_known &&
		    store_cache_whole_has(rc->st, hc->whole, &e) == 1) {
			rc->all_cached[i] = 1;
			/* Its batches stay made; the scheduler never
			   starts them. */
			rc->ncached[i] = hc->nsel;
			continue;
		}
		/* Some file changed: which ones, from what each passed
		   with. A store that cannot be read caches nothing. */
		if (hc->mode == CACHE_FILES) {
			unsigned char snap[STORE_KEY_LEN];

			if (store_cache_snap_of(rc->st, hc->key, snap, &e) == 1)
				hc->known = known_get(rc, snap);
			if (hc->known != NULL)
				make_spared(rc, i);
			again |= hc->known != NULL && hc->known->n > 0;
		}
	}
	if (rd)
		store_rollback(rc->st);
	return again;
}

void
run_cache_decide(struct run_cache *rc, const struct run_batches *rb,
		 const struct run_files *rf)
{
	size_t i;

	if (rc == NULL)
		return;
	(void)rf;
	for (i = 0; i < rc->n; i++) {
		struct hook_cache *hc = &rc->of[i];

		hc->nbatches = rb->nbatches[i];
		free(hc->passed);
		hc->passed = xcalloc(hc->nbatches + 1, 1);
		/* Every file spared one by one: nothing left to start. */
		if (hc->mode == CACHE_FILES && rb->nbatches[i] == 0 &&
		    rc->ncached[i] > 0)
			rc->all_cached[i] = 1;
	}
}

size_t *
run_cache_ncached(struct run_cache *rc)
{
	return rc != NULL ? rc->ncached : NULL;
}

unsigned char *
run_cache_all_cached(struct run_cache *rc)
{
	return rc != NULL ? rc->all_cached : NULL;
}

void
run_cache_batch_done(struct run_cache *rc, size_t hook, size_t batch,
		     enum hook_status status)
{
	if (rc == NULL || hook >= rc->n || batch >= rc->of[hook].nbatches ||
	    rc->of[hook].passed == NULL)
		return;
	rc->of[hook].passed[batch] = status == HOOK_PASSED;
}

struct changed_key {
	const struct strlist *l;
	const char *path;
};

static int
changed_is(const void *key, size_t index)
{
	const struct changed_key *q = key;

	return strcmp(q->l->v[index], q->path) == 0;
}

/* Whether a file of hook hc's set is one a hook of the run changed. */
static int
any_changed(const struct hashmap *cix, const struct strlist *changed,
	    const struct hook_cache *hc)
{
	size_t k;

	for (k = 0; k < hc->nsel; k++) {
		struct changed_key q = { changed, hc->sel[k] };

		if (hashmap_find(cix, hash_str(hc->sel[k]), &q, changed_is) !=
		    HASHMAP_NONE)
			return 1;
	}
	return 0;
}

struct entry {
	const char *path, *id;
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
		      ((const struct entry *)b)->path);
}

static int
is_changed(const struct hashmap *cix, const struct strlist *changed,
	   const char *p)
{
	struct changed_key q = { changed, p };

	return changed->n > 0 &&
	       hashmap_find(cix, hash_str(p), &q, changed_is) != HASHMAP_NONE;
}

/*
 * The delta that makes `base` into the files of v[0..n) (in path order)
 * appended to `out`; -1 when it would name more than DELTA_MAX files
 * (then the whole is stored).
 */
static int
make_delta(const struct known *base, const struct entry *v, size_t n,
	   struct buf *out)
{
	size_t i = 0, j = 0, count = 0, max = DELTA_MAX(base->n);

	buf_add(out, STORE_SNAP_DELTA_TAG, STORE_SNAP_DELTA_TAG_LEN);
	buf_add(out, base->snap, STORE_KEY_LEN);
	while ((i < n || j < base->n) && count <= max) {
		const char *bpath = j < base->n ? base->at[j] : NULL;
		int c = bpath == NULL ? 1 : i == n ? -1 : strcmp(bpath, v[i].path);

		if (c < 0) {            /* went */
			buf_add(out, bpath, strlen(bpath) + 1);
			buf_add(out, "", 1);
			count++;
			j++;
			continue;
		}
		if (c > 0 || strcmp(entry_id(bpath), v[i].id) != 0) {
			buf_add(out, v[i].path, strlen(v[i].path) + 1);
			buf_add(out, v[i].id, strlen(v[i].id) + 1);
			count++;
		}
		i++;
		if (c == 0)
			j++;
	}
	return count <= max ? 0 : -1;
}

/*
 * The bytes that store snapshot v[0..n) for a hook whose snapshot was
 * `k`, into `out`: a delta on k's whole base when that is still stored
 * and the change is small, else the whole body. 0, or -1 with `e`.
 */
static int
snapshot_bytes(struct run_cache *rc, const struct known *k,
	       const struct entry *v, size_t n, const unsigned char *snap,
	       struct buf *out, struct err *e)
{
	const struct known *base = k == NULL ? NULL :
				   k->base != NULL ? k->base : k;
	size_t j;
	int has;

	if (base != NULL && memcmp(base->snap, snap, STORE_KEY_LEN) != 0 &&
	    make_delta(base, v, n, out) == 0) {
		if ((has = store_cache_snap_has(rc->st, base->snap, e)) < 0)
			return -1;
		if (has == 1)
			return 0;
	}
	out->len = 0;
	for (j = 0; j < n; j++) {
		size_t lp = strlen(v[j].path) + 1, li = strlen(v[j].id) + 1;
		char *at = buf_extend(out, lp + li);

		memcpy(at, v[j].path, lp);
		memcpy(at + lp, v[j].id, li);
	}
	return 0;
}

/*
 * What the last snapshot saved came from and went to: a hook with the
 * same snapshot before and the same new files saves the same one, and
 * hooks that select the same files usually do.
 */
struct save_memo {
	int valid;                      /* 0: none yet */
	const struct known *k;          /* the snapshot before (or NULL) */
	struct entry *fresh;
	size_t nfresh;
	unsigned char snap[STORE_KEY_LEN];
	struct buf bytes;               /* as stored */
};

static int
memo_matches(const struct save_memo *m, const struct known *k,
	     const struct entry *f, size_t nf)
{
	size_t j;

	if (!m->valid || m->k != k || m->nfresh != nf)
		return 0;
	for (j = 0; j < nf; j++)
		if ((m->fresh[j].path != f[j].path &&
		     strcmp(m->fresh[j].path, f[j].path) != 0) ||
		    (m->fresh[j].id != f[j].id &&
		     strcmp(m->fresh[j].id, f[j].id) != 0))
			return 0;
	return 1;
}

/*
 * A `files` hook's snapshot after the run: what it had, with the files
 * of every batch that passed at their content now, less the files a
 * hook changed; written when it differs, else the key only touched.
 * Only the files that differ from what it had are gathered and sorted;
 * the new snapshot's key is hashed from its entries as they are merged,
 * its whole body made only when it is stored whole.
 */
static int
save_snapshot(struct run_cache *rc, size_t i, const struct hook_files *hf,
	      const struct hashmap *cix, const struct strlist *changed,
	      struct save_memo *memo, long long now_ms, struct err *e)
{
	struct hook_cache *hc = &rc->of[i];
	const struct known *k = hc->known;
	unsigned char now[STORE_KEY_LEN], snap[STORE_KEY_LEN];
	struct entry *f = NULL, *v;
	struct sha256_ctx h;
	size_t nf = 0, falloc = 0, n = 0, b, j, fi, ki, finger = 0, drop = 0;
	int r;

	/* No batch passed and nothing changed (a hook the cache spared
	   whole): the snapshot stays as it is, only its use is noted. */
	for (b = 0; b < hc->nbatches && b < hf->nbatches && !hc->passed[b]; b++)
		;
	if (changed->n == 0 && (b == hc->nbatches || b == hf->nbatches))
		return store_cache_key_put(rc->st, hc->key, 0, now_ms, e);
	/* Under the write lock, from what the store holds now: another
	   run may have saved since this one read it (no lost update). */
	r = store_cache_snap_of(rc->st, hc->key, now, e);
	if (r < 0)
		return -1;
	if (r == 1 && (k == NULL || memcmp(now, k->snap, sizeof(now)) != 0))
		k = known_get(rc, now);
	else if (r == 0)
		k = NULL;
	/* The files that passed with another content than k has, or that
	   k lacks. */
	for (b = 0; b < hc->nbatches && b < hf->nbatches; b++) {
		size_t from = b == 0 ? 0 : hf->end[b - 1];

		if (!hc->passed[b])
			continue;
		for (j = from; j < hf->end[b]; j++) {
			const char *p = hf->path[j], *id, *was;

			if (is_changed(cix, changed, p) ||
			    (id = content_id(rc->ids, p)) == NULL)
				continue;
			was = known_id(k, p, &finger);
			if (was != NULL && strcmp(was, id) == 0)
				continue;
			if (nf == falloc) {
				falloc = falloc ? 2 * falloc : 64;
				f = xreallocarray(f, falloc, sizeof(*f));
			}
			f[nf].path = p;
			f[nf++].id = id;
		}
	}
	for (ki = 0; k != NULL && changed->n > 0 && ki < k->n; ki++)
		drop += is_changed(cix, changed, k->at[ki]);
	if (nf == 0 && drop == 0) {
		free(f);
		return store_cache_key_put(rc->st, hc->key, 0, now_ms, e);
	}
	/* Batches come in the listing's order, mostly path order already. */
	for (j = 1; j < nf && strcmp(f[j - 1].path, f[j].path) < 0; j++)
		;
	if (j < nf)
		qsort(f, nf, sizeof(*f), entry_cmp);
	if (memo_matches(memo, k, f, nf)) {
		free(f);
		return store_cache_snap_put(rc->st, hc->key, memo->snap,
					    memo->bytes.p, memo->bytes.len,
					    now_ms, e);
	}
	/* Merged in path order: k's files, less those a hook changed, the
	   gathered ones in the place of their old entry. */
	v = xcalloc((k != NULL ? k->n : 0) + nf + 1, sizeof(*v));
	sha256_init(&h);
	for (ki = 0, fi = 0; (k != NULL && ki < k->n) || fi < nf;) {
		const char *kp = k != NULL && ki < k->n ? k->at[ki] : NULL;
		int c = kp == NULL ? 1 : fi == nf ? -1 : strcmp(kp, f[fi].path);

		if (c < 0) {
			ki++;
			if (is_changed(cix, changed, kp))
				continue;
			v[n].path = kp;
			v[n].id = entry_id(kp);
			/* "path\0id\0", one run of bytes */
			sha256_update(&h, (size_t)(entry_id(v[n].id) - kp),
				      (const uint8_t *)kp);
		} else {
			if (c == 0)
				ki++;
			v[n] = f[fi++];
			sha256_update(&h, strlen(v[n].path) + 1,
				      (const uint8_t *)v[n].path);
			sha256_update(&h, strlen(v[n].id) + 1,
				      (const uint8_t *)v[n].id);
		}
		n++;
	}
	sha256_digest(&h, sizeof(snap), snap);
	memo->valid = 1;
	memo->k = k;
	free(memo->fresh);
	memo->fresh = f;
	memo->nfresh = nf;
	memcpy(memo->snap, snap, sizeof(snap));
	memo->bytes.len = 0;
	if (k != NULL && memcmp(snap, k->snap, sizeof(snap)) == 0) {
		memo->valid = 0;        /* nothing to point another hook at */
		r = store_cache_key_put(rc->st, hc->key, 0, now_ms, e);
	} else if ((r = snapshot_bytes(rc, k, v, n, snap, &memo->bytes, e)) == 0) {
		r = store_cache_snap_put(rc->st, hc->key, snap, memo->bytes.p,
					 memo->bytes.len, now_ms, e);
	}
	if (r != 0)
		memo->valid = 0;
	free(v);
	return r;
}

int
run_cache_save(struct run_cache *rc, const struct hook_result *res,
	       const struct run_files *rf, const struct run_batches *rb,
	       long long now_ms, struct err *e)
{
	struct strlist changed = { 0 };
	struct hashmap cix = { 0 };
	struct save_memo memo = { 0 };
	size_t i, k;
	int r = 0;

	(void)rb;
	if (rc == NULL)
		return 0;
	/* What any hook changed: no pass of this run vouches for it. */
	for (i = 0; i < rc->n; i++)
		for (k = 0; k < res[i].nmodified; k++) {
			hashmap_put(&cix, hash_str(res[i].modified[k]), changed.n);
			strlist_push(&changed, res[i].modified[k]);
		}
	for (i = 0; r == 0 && i < rc->n; i++) {
		struct hook_cache *hc = &rc->of[i];
		const struct hook_files *hf = &rf->of[i];

		/* A pass with findings is not remembered: a run the cache
		   spared would show none. */
		if (hc->mode == CACHE_NO || res[i].nmodified > 0 ||
		    res[i].findings.n > 0)
			continue;
		if (hc->mode == CACHE_WHOLE) {
			if (res[i].status == HOOK_PASSED && hc->whole_known)
				r = store_cache_key_put(rc->st, hc->whole, 1,
							now_ms, e);
			continue;
		}
		/* files: every file of the set passed, now or before: the
		   set is remembered whole, for the next run's one lookup. */
		if (hc->whole_known && res[i].status == HOOK_PASSED &&
		    (changed.n == 0 || !any_changed(&cix, &changed, hc)))
			r = store_cache_key_put(rc->st, hc->whole, 1, now_ms, e);
		if (r == 0)
			r = save_snapshot(rc, i, hf, &cix, &changed, &memo,
					  now_ms, e);
	}
	free(memo.fresh);
	buf_release(&memo.bytes);
	strlist_release(&changed);
	hashmap_release(&cix);
	return r;
}

void
run_cache_close(struct run_cache *rc)
{
	size_t i;

	if (rc == NULL)
		return;
	for (i = 0; rc->of != NULL && i < rc->n; i++) {
		free(rc->of[i].passed);
		free(rc->of[i].sel);
		if (rc->of[i].own_ids)
			free(rc->of[i].ids);
		if (rc->of[i].own_spared)
			free(rc->of[i].spared);
	}
	free(rc->of);
	free(rc->ncached);
	free(rc->all_cached);
	for (i = 0; i < rc->nsnaps; i++)
		known_free(rc->snaps[i]);
	free(rc->snaps);
	content_ids_close(rc->ids);
	cache_inputs_free(rc->inputs);
	free(rc);
}
