/* history.c - remembered hook durations, kept in the state store. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "gitdir.h"
#include "hashmap.h"
#include "history.h"
#include "store.h"

#define MAGIC_V1 "hookwave-history 1"   /* durations only: still read */
#define MAGIC "hookwave-history 2"   /* the last file format: imported */

/*
 * What one file cost a hook, relative to what its size predicts.
 *
 * Recency, for what to drop when the file would grow too large: each
 * entry and factor has a rank, its line in the file it was loaded from
 * (the file lists the most recently seen first), or for one made since,
 * a number after all of those; and `fresh` when this run saw it. Lines
 * are written fresh first, then by rank.
 */
struct file_factor {
	char *path;
	double m;
	size_t rank;
	int fresh;
	long long seen;                 /* when a run last saw it (ms) */
};

struct entry {
	char *strategy, *name;
	double d[HISTORY_KEEP];         /* oldest first */
	unsigned n;
	double rate;                    /* seconds per unit of file cost */
	double startup;                 /* seconds a batch takes whatever
					   its files */
	struct file_factor *f;
	size_t nf, falloc;
	struct hashmap fix;             /* over f, by path */
	size_t rank;
	int fresh;
	long long seen;
};

/*
 * One change made to a history since it was loaded. Saving replays
 * them, in order, onto the file as it is on disk by then, so that two
 * runs saving one after the other both count.
 */
enum change_kind { CHANGE_RECORD, CHANGE_LEARN, CHANGE_RETAIN };

struct change {
	enum change_kind kind;
	char *strategy, *name;          /* RECORD, LEARN */
	double seconds;                 /* RECORD */
	double rate, startup;           /* LEARN: this run's fit */
	struct file_factor *files;      /* LEARN: files seen; m is the
					   multiplier this run found (1:
					   only seen) */
	size_t nfiles;
	char **keep_strategy, **keep_name;      /* RETAIN */
	size_t nkeep;
};

struct history {
	struct entry *v;
	size_t n, alloc;
	struct hashmap ix;              /* over v, by strategy and name */
	size_t next_rank;               /* for entries and factors made */
	struct change *log;             /* changes since it was loaded */
	size_t nlog, logalloc;
};

/*
 * The seed of the hashes that name history files and make hook keys.
 * It is FNV-1a's offset basis without its last digit, as the first
 * history files were written: kept, so that existing histories and
 * their hook keys are still found. Only the on-disk names use it; the
 * in-memory index hashes from HASH_INIT like every other table.
 */
#define LEGACY_SEED UINT64_C(1469598103934665603)

static uint64_t
legacy_hash(const char *s)
{
	return hash_bytes(LEGACY_SEED, s, strlen(s));
}

static uint64_t
key_hash(const char *strategy, const char *name)
{
	return hash_bytes(hash_str(strategy), name, strlen(name) + 1);
}

char *
history_path_for(const struct gitdir *g)
{
	char cwd[PATH_MAX];
	char *dir, *path;
	struct gitdir own;
	struct err e;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (g == NULL) {
		gitdir_discover(&own, NULL, &e);
		path = history_path_for(&own);
		gitdir_release(&own);
		return path;
	}
	if (g->state == GITDIR_ERROR)
		return NULL;
	dir = g->state == GITDIR_REPO ? gitdir_hookwave_dir(g, 0) : NULL;
	if (dir == NULL) {
		char *base = xdg_cache_home();

		if (base == NULL)
			return NULL;
		dir = xasprintf("%s/hookwave", base);
		free(base);
	}
	path = xasprintf("%s/history-%016llx", dir,
			 (unsigned long long)legacy_hash(cwd));
	free(dir);
	return path;
}

struct entry_key {
	const struct history *h;
	const char *strategy, *name;
};

static int
entry_is(const void *key, size_t i)
{
	const struct entry_key *k = key;
	const struct entry *e = &k->h->v[i];

	return strcmp(e->name, k->name) == 0 &&
	       strcmp(e->strategy, k->strategy) == 0;
}

static struct entry *
find(const struct history *h, const char *strategy, const char *name)
{
	struct entry_key k = { h, strategy, name };
	size_t i = hashmap_find(&h->ix, key_hash(strategy, name), &k, entry_is);

	return i != HASHMAP_NONE ? &h->v[i] : NULL;
}

static struct entry *
get(struct history *h, const char *strategy, const char *name)
{
	struct entry *e = find(h, strategy, name);

	if (e != NULL)
		return e;
	if (h->n == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 16;
		h->v = xreallocarray(h->v, h->alloc, sizeof(*h->v));
	}
	hashmap_put(&h->ix, key_hash(strategy, name), h->n);
	e = &h->v[h->n++];
	memset(e, 0, sizeof(*e));
	e->strategy = xstrdup(strategy);
	e->name = xstrdup(name);
	e->rank = h->next_rank++;
	return e;
}

struct factor_key {
	const struct entry *e;
	const char *path;
};

static int
factor_is(const void *key, size_t i)
{
	const struct factor_key *k = key;

	return strcmp(k->e->f[i].path, k->path) == 0;
}

/* The factor of `path` in e, NULL when there is none. */
static struct file_factor *
find_factor(const struct entry *e, const char *path)
{
	struct factor_key k = { e, path };
	size_t i = hashmap_find(&e->fix, hash_str(path), &k, factor_is);

	return i != HASHMAP_NONE ? &e->f[i] : NULL;
}

/* Set the factor of `path` in e, made with `rank` if it is new. */
static struct file_factor *
set_factor(struct entry *e, const char *path, double m, size_t rank)
{
	struct file_factor *f = find_factor(e, path);

	if (f != NULL) {
		f->m = m;
		return f;
	}
	if (e->nf == e->falloc) {
		e->falloc = e->falloc ? 2 * e->falloc : 16;
		e->f = xreallocarray(e->f, e->falloc, sizeof(*e->f));
	}
	hashmap_put(&e->fix, hash_str(path), e->nf);
	f = &e->f[e->nf++];
	f->path = xstrdup(path);
	f->m = m;
	f->rank = rank;
	f->fresh = 0;
	return f;
}

static void
entry_free(struct entry *e)
{
	size_t j;

	free(e->strategy);
	free(e->name);
	for (j = 0; j < e->nf; j++)
		free(e->f[j].path);
	free(e->f);
	hashmap_release(&e->fix);
}

static void
clear(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		entry_free(&h->v[i]);
	h->n = 0;
	hashmap_release(&h->ix);
}

/* Durations "d1,d2,..." into e. Returns 0 or -1. */
static int
parse_durations(struct entry *e, const char *p)
{
	char *end;

	e->n = 0;
	while (*p != '\0') {
		double d = strtod(p, &end);

		if (end == p || !(d >= 0 && d < 1e9) || e->n >= HISTORY_KEEP)
			return -1;
		e->d[e->n++] = d;
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return -1;
	}
	return e->n > 0 ? 0 : -1;
}

/* A positive number, the whole of `p`; -1 if it is not one. */
static double
parse_positive(const char *p)
{
	char *end;
	double x = strtod(p, &end);

	return end != p && *end == '\0' && x > 0 && x < 1e9 ? x : -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo escape_path() in place. Returns 0, or -1 on a bad escape. */
static int
unescape_path(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return 0;
}

/*
 * Split `line` at tabs into at most `max` fields. Returns the count.
 */
static size_t
split_tabs(char *line, char **field, size_t max)
{
	size_t n = 0;

	field[n++] = line;
	while (n < max && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		field[n++] = line;
	}
	return n;
}

/*
 * One line of a version 2 file:
 *   h TAB STRATEGY TAB NAME TAB d1,d2,...   durations, oldest first
 *   r TAB STRATEGY TAB NAME TAB RATE TAB STARTUP   seconds per unit
 *                                            of cost, and per batch
 *   f TAB STRATEGY TAB NAME TAB FACTOR TAB PATH
 * or, with `v1`, STRATEGY TAB NAME TAB d1,d2,... Returns 0 or -1.
 */
static int
parse_line(struct history *h, char *line, int v1)
{
	char *f[6];
	size_t n = split_tabs(line, f, v1 ? 3 : 5), rank = h->next_rank;
	char *end;
	struct entry *e;
	double x;

	if (v1) {
		if (n != 3 || f[0][0] == '\0' || f[1][0] == '\0')
			return -1;
		return parse_durations(get(h, f[0], f[1]), f[2]);
	}
	if (n < 4 || f[1][0] == '\0' || f[2][0] == '\0' || f[0][1] != '\0')
		return -1;
	e = get(h, f[1], f[2]);
	switch (f[0][0]) {
	case 'h':
		return n == 4 && e->n == 0 ? parse_durations(e, f[3]) : -1;
	case 'r':
		if (n != 5 || e->rate > 0 || (x = parse_positive(f[3])) < 0)
			return -1;
		e->rate = x;
		e->startup = strtod(f[4], &end);
		return end != f[4] && *end == '\0' && e->startup >= 0 &&
		    e->startup < 1e9 ? 0 : -1;
	case 'f':
		if (n != 5 || (x = parse_positive(f[3])) < 0 ||
		    x > HISTORY_FACTOR_MAX || x < 1 / HISTORY_FACTOR_MAX ||
		    f[4][0] == '\0' || unescape_path(f[4]) != 0 ||
		    find_factor(e, f[4]) != NULL)
			return -1;
		set_factor(e, f[4], x, rank);
		return 0;
	}
	return -1;
}

/*
 * Read the whole file on `fd` (at most HISTORY_MAX_BYTES - 1 bytes)
 * into a malloc'd, NUL-terminated *buf. Returns 0, -1 with errno, or 1
 * when the file is too large (*len then says how large, at least).
 */
static int
read_file(int fd, char **buf, size_t *len)
{
	struct stat st;
	size_t alloc = 65536;
	ssize_t n;

	*buf = NULL;
	*len = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size >= HISTORY_MAX_BYTES) {
			*len = (size_t)st.st_size;
			return 1;
		}
		alloc = (size_t)st.st_size + 2;   /* room to see the end */
	}
	*buf = xmalloc(alloc);
	for (;;) {
		if (*len + 1 == alloc) {
			if (alloc > HISTORY_MAX_BYTES)
				return 1;       /* it grew */
			alloc = alloc * 2 > HISTORY_MAX_BYTES + 1 ?
			    HISTORY_MAX_BYTES + 1 : alloc * 2;
			*buf = xrealloc(*buf, alloc);
		}
		n = read(fd, *buf + *len, alloc - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	(*buf)[*len] = '\0';
	return *len >= HISTORY_MAX_BYTES ? 1 : 0;
}

/*
 * Load `path` into the empty `h`. Returns 0 (a missing file is an
 * empty history), or -1 with `e` set when the file cannot be read, is
 * too large or is corrupt; `h` is then empty.
 */
static int
load_into(struct history *h, const char *path, struct err *e)
{
	char *buf, *line, *next;
	size_t len;
	unsigned long lineno = 0;
	int fd, v1 = 0, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, path, 0, "cannot read the history: %s",
			       strerror(errno));
	}
	r = read_file(fd, &buf, &len);
	if (r < 0) {
		int saved = errno;

		close(fd);
		free(buf);
		return err_set(e, path, 0, "cannot read the history: %s",
			       strerror(saved));
	}
	close(fd);
	if (r > 0) {
		free(buf);
		return err_set(e, path, 0, "history is too large (%zu bytes or "
			       "more, at most %lu are read); ignoring it", len,
			       (unsigned long)HISTORY_MAX_BYTES - 1);
	}
	if (memchr(buf, '\0', len) != NULL)
		goto corrupt;
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next == NULL)
			goto corrupt;   /* a torn last line */
		*next++ = '\0';
		if (lineno == 1) {
			v1 = strcmp(line, MAGIC_V1) == 0;
			if (!v1 && strcmp(line, MAGIC) != 0)
				goto corrupt;
			continue;
		}
		/* What a line makes is ranked by it: the first line is
		   the most recently seen. */
		h->next_rank = lineno;
		if (parse_line(h, line, v1) != 0)
			goto corrupt;
	}
	if (lineno == 0)
		goto corrupt;
	h->next_rank = lineno + 1;
	free(buf);
	return 0;
corrupt:
	free(buf);
	clear(h);
	h->next_rank = 0;
	return err_set(e, path, lineno, "history is corrupt; ignoring it");
}

double
history_predict(const struct history *h, const char *strategy,
		const char *name)
{
	const struct entry *e = find(h, strategy, name);
	double d[HISTORY_KEEP];

	if (e == NULL || e->n == 0)
		return 0;
	memcpy(d, e->d, e->n * sizeof(*d));
	qsort(d, e->n, sizeof(*d), cmp_double);
	return e->n % 2 ? d[e->n / 2] : (d[e->n / 2 - 1] + d[e->n / 2]) / 2;
}

/* Add a duration to e, the oldest going when it has HISTORY_KEEP. */
static void
apply_record(struct entry *e, double seconds)
{
	if (e->n == HISTORY_KEEP) {
		memmove(e->d, e->d + 1, (HISTORY_KEEP - 1) * sizeof(*e->d));
		e->n--;
	}
	e->d[e->n++] = seconds;
	e->fresh = 1;
}

/* A new change at the end of h's log, zeroed but for its kind. */
static struct change *
log_add(struct history *h, enum change_kind kind)
{
	struct change *c;

	if (h->nlog == h->logalloc) {
		h->logalloc = h->logalloc ? 2 * h->logalloc : 16;
		h->log = xreallocarray(h->log, h->logalloc, sizeof(*h->log));
	}
	c = &h->log[h->nlog++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

static void
change_release(struct change *c)
{
	size_t i;

	free(c->strategy);
	free(c->name);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i].path);
	free(c->files);
	for (i = 0; i < c->nkeep; i++) {
		free(c->keep_strategy[i]);
		free(c->keep_name[i]);
	}
	free(c->keep_strategy);
	free(c->keep_name);
}

void
history_record(struct history *h, const char *strategy, const char *name,
	       double seconds)
{
	struct change *c;

	apply_record(get(h, strategy, name), seconds);
	c = log_add(h, CHANGE_RECORD);
	c->strategy = xstrdup(strategy);
	c->name = xstrdup(name);
	c->seconds = seconds;
}

double
history_batch_seconds(const struct history *h, const char *strategy,
		      const char *name, double cost)
{
	const struct entry *e = find(h, strategy, name);

	return e != NULL && e->rate > 0 ? e->startup + e->rate * cost : 0;
}

double
history_factor(const struct history *h, const char *strategy,
	       const char *name, const char *path)
{
	const struct entry *e = find(h, strategy, name);
	const struct file_factor *f = e != NULL ? find_factor(e, path) : NULL;

	return f != NULL ? f->m : 1;
}

/*
 * Fit seconds = startup + rate * cost over the batches that ran. The
 * startup can only be told apart from the rate when the batches'
 * costs differ enough; else the one known from before is kept (none:
 * 0). Returns 0, or -1 when nothing can be learned.
 */
static int
fit(const struct batches *b, const double *seconds, double old_startup,
    double *rate, double *startup)
{
	double n = 0, su = 0, st = 0, suu = 0, sut = 0, umin = 0, umax = 0;
	double tmin = 0, det;
	size_t k;

	for (k = 0; k < b->n; k++) {
		double u = b->total[k], t = seconds[k];

		if (t <= 0 || u <= 0)
			continue;
		if (n == 0 || u < umin)
			umin = u;
		if (n == 0 || u > umax)
			umax = u;
		if (n == 0 || t < tmin)
			tmin = t;
		n++;
		su += u;
		st += t;
		suu += u * u;
		sut += u * t;
	}
	if (n == 0)
		return -1;
	*startup = old_startup < tmin ? old_startup : 0;
	det = n * suu - su * su;
	if (n >= 2 && umax >= 1.5 * umin && det > 0) {
		double r = (n * sut - su * st) / det, s0 = (st - r * su) / n;

		if (r > 0)
			*startup = s0 < 0 ? 0 : s0 > tmin ? tmin : s0;
	}
	*rate = (st - n * *startup) / su;
	if (!(*rate > 0)) {
		*startup = 0;
		*rate = st / su;
	}
	return 0;
}

/*
 * Apply what one run learned (c: its fit, and per file seen the factor
 * it found, 1 for none) to e, an entry of h.
 */
static void
apply_learn(struct entry *e, const struct change *c, struct history *h)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++) {
		const struct file_factor *g = &c->files[i];
		struct file_factor *f = find_factor(e, g->path);
		double m;

		if (g->m != 1) {
			m = (f != NULL ? f->m : 1) * g->m;
			if (m > HISTORY_FACTOR_MAX)
				m = HISTORY_FACTOR_MAX;
			if (m < 1 / HISTORY_FACTOR_MAX)
				m = 1 / HISTORY_FACTOR_MAX;
			f = set_factor(e, g->path, m, h->next_rank++);
		}
		if (f != NULL)
			f->fresh = 1;
	}
	if (e->rate > 0) {
		e->rate = (e->rate + c->rate) / 2;
		e->startup = (e->startup + c->startup) / 2;
	} else {
		e->rate = c->rate;
		e->startup = c->startup;
	}
	e->fresh = 1;
}

/* Add (path, g) to c's files. */
static void
learned_file(struct change *c, size_t *alloc, const char *path, double g)
{
	if (c->nfiles == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 16;
		c->files = xreallocarray(c->files, *alloc, sizeof(*c->files));
	}
	c->files[c->nfiles].path = xstrdup(path);
	c->files[c->nfiles].m = g;
	c->files[c->nfiles].rank = 0;
	c->files[c->nfiles++].fresh = 1;
}

void
history_learn(struct history *h, const char *strategy, const char *name,
	      const struct batches *b, const double *seconds)
{
	struct entry *e = get(h, strategy, name);
	struct change *c;
	double rate, startup, q, g, work;
	size_t k, i, alloc = 0;

	if (fit(b, seconds, e->startup, &rate, &startup) != 0)
		return;
	c = log_add(h, CHANGE_LEARN);
	c->strategy = xstrdup(strategy);
	c->name = xstrdup(name);
	c->rate = rate;
	c->startup = startup;
	for (k = 0; k < b->n; k++) {
		/* How much slower than the fit its files made this batch;
		   nothing is learned from a batch that did not run to its
		   end, that is mostly start-up, or from a difference the
		   size of timer noise. */
		g = 1;
		work = seconds[k] - startup;
		if (seconds[k] > 0 && b->total[k] > 0 && work >= startup &&
		    rate * b->total[k] > 0 &&
		    (work - rate * b->total[k] >= HISTORY_JITTER ||
		     rate * b->total[k] - work >= HISTORY_JITTER)) {
			q = work / (rate * b->total[k]);
			/* A file alone is measured exactly; files together
			   share the blame, half of it, so one slow file
			   among many is found over a few runs without the
			   rest swinging. */
			if (q <= 1 - HISTORY_NOISE || q >= 1 + HISTORY_NOISE)
				g = b->count[k] == 1 ? q : (1 + q) / 2;
		}
		/* Every file of the run is seen: its factor, if it has
		   one, is kept before those of files gone. */
		for (i = 0; i < b->count[k]; i++)
			if (g != 1 || find_factor(e, b->files[k][i]) != NULL)
				learned_file(c, &alloc, b->files[k][i], g);
	}
	apply_learn(e, c, h);
}

/*
 * Keep only the entries of h that `keep` (n entries, 0 or 1 each,
 * indexed like h->v) says, and index them again.
 */
static void
keep_only(struct history *h, const char *keep)
{
	size_t i, m = 0;

	for (i = 0; i < h->n; i++) {
		if (!keep[i]) {
			entry_free(&h->v[i]);
			continue;
		}
		if (m != i)
			h->v[m] = h->v[i];
		m++;
	}
	h->n = m;
	hashmap_release(&h->ix);
	for (i = 0; i < h->n; i++)
		hashmap_put(&h->ix, key_hash(h->v[i].strategy, h->v[i].name), i);
}

static void
apply_retain(struct history *h, char *const *strategy, char *const *name,
	     size_t n)
{
	char *keep = xcalloc(h->n + 1, 1);
	size_t i;

	for (i = 0; i < n; i++) {
		struct entry *e = find(h, strategy[i], name[i]);

		if (e != NULL)
			keep[e - h->v] = 1;
	}
	keep_only(h, keep);
	free(keep);
}

void
history_retain(struct history *h, const char *const *strategy,
	       const char *const *name, size_t n)
{
	struct change *c = log_add(h, CHANGE_RETAIN);
	size_t i;

	c->keep_strategy = xcalloc(n + 1, sizeof(*c->keep_strategy));
	c->keep_name = xcalloc(n + 1, sizeof(*c->keep_name));
	for (i = 0; i < n; i++) {
		c->keep_strategy[i] = xstrdup(strategy[i]);
		c->keep_name[i] = xstrdup(name[i]);
	}
	c->nkeep = n;
	apply_retain(h, c->keep_strategy, c->keep_name, n);
}

/* Apply the changes logged in `from` to `to` (another history). */
static void
replay(struct history *to, const struct history *from)
{
	size_t i;

	for (i = 0; i < from->nlog; i++) {
		const struct change *c = &from->log[i];

		switch (c->kind) {
		case CHANGE_RECORD:
			apply_record(get(to, c->strategy, c->name), c->seconds);
			break;
		case CHANGE_LEARN:
			apply_learn(get(to, c->strategy, c->name), c, to);
			break;
		case CHANGE_RETAIN:
			apply_retain(to, c->keep_strategy, c->keep_name,
				     c->nkeep);
			break;
		}
	}
}

/* |ln m| without libm, for ranking: how far m is from 1 either way. */
static double
spread(double m)
{
	return m >= 1 ? m : 1 / m;
}

static int
cmp_spread(const void *a, const void *b)
{
	double x = spread((*(const struct file_factor *const *)a)->m);
	double y = spread((*(const struct file_factor *const *)b)->m);

	if (x != y)
		return x > y ? -1 : 1;
	return strcmp((*(const struct file_factor *const *)a)->path,
		      (*(const struct file_factor *const *)b)->path);
}

/* Milliseconds since the epoch: when a row was last seen. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the store ---------------------------------------------------------- */

static int
read_duration(void *ctx, const struct store_duration *d)
{
	struct history *h = ctx;
	struct entry *e;

	if (d->strategy[0] == '\0' || d->hook[0] == '\0' ||
	    find(h, d->strategy, d->hook) != NULL)
		return 0;
	e = get(h, d->strategy, d->hook);
	e->seen = d->seen;
	/* A row a hand edited into nonsense teaches nothing. */
	if (d->seconds[0] != '\0' && parse_durations(e, d->seconds) != 0)
		e->n = 0;
	if (d->rate > 0 && d->rate < 1e9 && d->startup >= 0 &&
	    d->startup < 1e9) {
		e->rate = d->rate;
		e->startup = d->startup;
	}
	return 0;
}

static int
read_factor(void *ctx, const struct store_factor *f)
{
	struct history *h = ctx;
	struct entry *e = find(h, f->strategy, f->hook);
	struct file_factor *x;

	if (e == NULL || !(f->factor <= HISTORY_FACTOR_MAX &&
			   f->factor >= 1 / HISTORY_FACTOR_MAX) ||
	    find_factor(e, f->path) != NULL)
		return 0;
	x = set_factor(e, f->path, f->factor, h->next_rank++);
	x->seen = f->seen;
	return 0;
}

/* Read run directory `dir`'s durations from the store into empty `h`. */
static int
read_store(struct history *h, struct store *st, const char *dir,
	   struct err *e)
{
	h->next_rank = 0;
	if (store_durations_read(st, dir, read_duration, read_factor, h,
				 e) != 0) {
		clear(h);
		return -1;
	}
	return 0;
}

/*
 * Write `h` as run directory `dir`'s durations (in a write): every
 * entry, and of each hook's factors the HISTORY_FILES furthest from 1,
 * none within HISTORY_FACTOR_MIN of it. What this run saw is stamped
 * `now`.
 */
static int
write_store(const struct history *h, struct store *st, const char *dir,
	    long long now, struct err *e)
{
	const struct file_factor **by = NULL;
	struct buf secs = { NULL, 0, 0 };
	size_t i, j, n, byalloc = 0;
	unsigned k;
	int r = store_durations_clear(st, dir, e);

	for (i = 0; r == 0 && i < h->n; i++) {
		const struct entry *x = &h->v[i];
		struct store_duration d;

		if (x->n == 0 && !(x->rate > 0) && x->nf == 0)
			continue;
		buf_reset(&secs);
		for (k = 0; k < x->n; k++)
			buf_printf(&secs, "%s%.6f", k ? "," : "", x->d[k]);
		buf_add(&secs, "", 1);
		d.strategy = x->strategy;
		d.hook = x->name;
		d.seconds = secs.p;
		d.rate = x->rate > 0 ? x->rate : 0;
		d.startup = x->rate > 0 ? x->startup : 0;
		d.seen = x->fresh ? now : x->seen;
		r = store_duration_put(st, dir, &d, e);
		if (x->nf > byalloc) {
			byalloc = x->nf;
			by = xreallocarray(by, byalloc, sizeof(*by));
		}
		for (j = n = 0; j < x->nf; j++)
			if (spread(x->f[j].m) >= HISTORY_FACTOR_MIN)
				by[n++] = &x->f[j];
		if (n > HISTORY_FILES) {
			qsort(by, n, sizeof(*by), cmp_spread);
			n = HISTORY_FILES;
		}
		for (j = 0; r == 0 && j < n; j++) {
			struct store_factor f;

			f.strategy = x->strategy;
			f.hook = x->name;
			f.path = by[j]->path;
			f.factor = by[j]->m;
			f.seen = by[j]->fresh ? now : by[j]->seen;
			r = store_factor_put(st, dir, &f, e);
		}
	}
	buf_release(&secs);
	free(by);
	return r;
}

struct history *
history_load(struct store *st, const char *dir, int *warned, struct err *e)
{
	struct history *h = xcalloc(1, sizeof(*h));
	unsigned resets;
	int attempt;

	*warned = 0;
	if (st == NULL || dir == NULL)
		return h;
	for (attempt = 0; attempt < 2; attempt++) {
		resets = store_resets(st);
		if (store_begin(st, 0, e) == 0 && read_store(h, st, dir, e) == 0 &&
		    store_commit(st, e) == 0)
			return h;
		store_rollback(st);
		clear(h);
		if (store_resets(st) == resets)
			break;          /* not damage: no second try */
	}
	*warned = store_resets(st) == resets;
	return h;
}

int
history_write(const struct history *h, struct store *st, const char *dir,
	      struct err *e)
{
	struct history disk;
	int r = -1;

	memset(&disk, 0, sizeof(disk));
	if (read_store(&disk, st, dir, e) == 0) {
		replay(&disk, h);
		r = write_store(&disk, st, dir, now_ms(), e);
	}
	clear(&disk);
	free(disk.v);
	return r;
}

int
history_save(const struct history *h, struct store *st, const char *dir,
	     struct err *e)
{
	char cwd[PATH_MAX];
	unsigned resets;
	int attempt, r = -1;

	/* A hook may have removed the run directory: nothing to keep. */
	if (getcwd(cwd, sizeof(cwd)) == NULL && errno == ENOENT)
		return err_set(e, NULL, 0, "cannot save the history: the run "
			       "directory is gone");
	/* A store found damaged on the way is new and empty: once more
	   onto that. */
	for (attempt = 0; attempt < 2 && r != 0; attempt++) {
		resets = store_resets(st);
		if (store_begin(st, 1, e) == 0 &&
		    history_write(h, st, dir, e) == 0 &&
		    store_commit(st, e) == 0)
			r = 0;
		if (r != 0)
			store_rollback(st);
		if (r != 0 && store_resets(st) == resets)
			break;
	}
	return r;
}

int
history_import(struct store *st, const char *dir, const char *path,
	       struct err *e)
{
	struct history old;
	struct err why;
	int any, r, bad;

	if (access(path, F_OK) != 0)
		return 0;
	memset(&old, 0, sizeof(old));
	/* A file that cannot be read teaches nothing: it just goes. */
	bad = load_into(&old, path, &why) != 0;
	if (bad)
		clear(&old);
	r = store_begin(st, 1, e);
	if (r == 0 && (any = store_durations_any(st, dir, e)) < 0)
		r = -1;
	if (r == 0 && any == 0) {
		size_t i;

		for (i = 0; i < old.n; i++)
			old.v[i].fresh = 1;
		r = write_store(&old, st, dir, now_ms(), e);
	}
	if (r == 0)
		r = store_commit(st, e);
	else
		store_rollback(st);
	clear(&old);
	free(old.v);
	/* Imported, or the store already had this directory's: the file
	   has had its say. */
	if (r == 0 && unlink(path) != 0 && errno != ENOENT)
		return err_set(e, path, 0, "cannot remove the old history "
			       "file: %s", strerror(errno));
	if (r == 0 && bad) {
		if (e != NULL)
			*e = why;
		return 1;
	}
	return r;
}

char *
history_key(const char *name, const char *command)
{
	unsigned long long x = legacy_hash(command);

	return xasprintf("%s/%08llx", name, x & 0xffffffffULL);
}

void
history_free(struct history *h)
{
	size_t i;

	if (h == NULL)
		return;
	clear(h);
	free(h->v);
	for (i = 0; i < h->nlog; i++)
		change_release(&h->log[i]);
	free(h->log);
	free(h);
}

/* The median of d[0..n) (n > 0), sorted in place. */
static double
median_of(double *d, size_t n)
{
	qsort(d, n, sizeof(*d), cmp_double);
	return n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
}

void
history_stats(const double *d, size_t n, struct history_stats *out)
{
	double *t;
	double recent, before;
	size_t nr, nb, k;

	out->median = out->p90 = -1;
	out->trend = NULL;
	if (n == 0)
		return;
	t = xreallocarray(NULL, n, sizeof(*t));
	memcpy(t, d, n * sizeof(*t));
	out->median = median_of(t, n);
	/* Nearest rank: the smallest value with 90% of them at or below. */
	k = (9 * n + 9) / 10;
	out->p90 = t[k > 0 ? k - 1 : 0];
	if (n >= HISTORY_TREND_RUNS) {
		nr = n >= 2 * HISTORY_TREND_RECENT ? HISTORY_TREND_RECENT : n / 2;
		nb = n - nr > HISTORY_TREND_BEFORE ? HISTORY_TREND_BEFORE : n - nr;
		memcpy(t, d + n - nr, nr * sizeof(*t));
		recent = median_of(t, nr);
		memcpy(t, d + n - nr - nb, nb * sizeof(*t));
		before = median_of(t, nb);
		if (recent >= before * HISTORY_TREND_RATIO &&
		    recent - before >= HISTORY_TREND_MIN)
			out->trend = "slower";
		else if (before >= recent * HISTORY_TREND_RATIO &&
			 before - recent >= HISTORY_TREND_MIN)
			out->trend = "faster";
		else
			out->trend = "steady";
	}
	free(t);
}
