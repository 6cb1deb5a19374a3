/* history.c - remembered hook durations, one text file per run directory. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"

#define MAGIC_V1 "hookwave-history 1"   /* durations only: still read */
#define MAGIC "hookwave-history 2"
#define MAX_FILE (8UL << 20)

/* What one file cost a hook, relative to what its size predicts. */
struct file_factor {
	char *path;
	double m;
};

/*
 * Open addressing over entries of some array: slot holds the entry's
 * index + 1, 0 is empty; at most half full.
 */
struct index {
	size_t *slot;
	size_t size;            /* a power of two, or 0 */
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
	struct index fix;               /* over f, by path */
};

struct history {
	struct entry *v;
	size_t n, alloc;
	struct index ix;                /* over v, by strategy and name */
};

static unsigned long long hash_str(const char *s);

static size_t
key_hash(const char *strategy, const char *name)
{
	return (size_t)(hash_str(strategy) * 31 + hash_str(name));
}

/*
 * The slot for the item `want` says is equal (it compares item i with
 * the one sought), or the empty slot where it would go.
 */
static size_t *
index_slot(const struct index *ix, size_t hash,
	   int (*want)(const void *ctx, size_t i), const void *ctx)
{
	size_t m = ix->size - 1, k;

	for (k = hash & m; ix->slot[k] != 0; k = (k + 1) & m)
		if (want(ctx, ix->slot[k] - 1))
			break;
	return &ix->slot[k];
}

/* Make room for item `n` (0-based), rebuilding when half full. */
static void
index_grow(struct index *ix, size_t n, size_t (*hash)(const void *ctx, size_t i),
	   const void *ctx)
{
	size_t i, k, m;

	if (2 * (n + 1) <= ix->size)
		return;
	free(ix->slot);
	ix->size = 64;
	while (ix->size < 4 * (n + 1))
		ix->size *= 2;
	ix->slot = xcalloc(ix->size, sizeof(*ix->slot));
	m = ix->size - 1;
	for (i = 0; i < n; i++) {
		for (k = hash(ctx, i) & m; ix->slot[k] != 0; k = (k + 1) & m)
			;
		ix->slot[k] = i + 1;
	}
}

static void
index_free(struct index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->size = 0;
}

/*
 * An FNV-1a-style hash (FNV's prime; the offset basis lacks its last
 * digit, as first written, and stays so that existing history files
 * and hook keys are still found). Names one history per directory.
 */
static unsigned long long
hash_str(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The git directory above the cwd, found without running git. */
static char *
find_git_dir(const char *cwd)
{
	char *dir = xstrdup(cwd);

	for (;;) {
		char *p = xasprintf("%s/.git", strcmp(dir, "/") ? dir : "");
		struct stat st;
		char *slash;

		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(dir);
			return p;
		}
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			/* a worktree or submodule: "gitdir: PATH" */
			char buf[PATH_MAX + 16];
			FILE *f = fopen(p, "re");
			char *g = NULL;

			if (f != NULL && fgets(buf, sizeof(buf), f) != NULL &&
			    strncmp(buf, "gitdir: ", 8) == 0) {
				buf[strcspn(buf, "\r\n")] = '\0';
				g = buf[8] == '/' ? xstrdup(buf + 8) :
				    xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", buf + 8);
			}
			if (f != NULL)
				fclose(f);
			free(p);
			free(dir);
			return g;
		}
		free(p);
		slash = strrchr(dir, '/');
		if (slash == NULL || strcmp(dir, "/") == 0)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

char *
history_path(void)
{
	char cwd[PATH_MAX];
	char *git, *path;
	const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	git = find_git_dir(cwd);
	if (git != NULL) {
		path = xasprintf("%s/hookwave/history-%016llx", git, hash_str(cwd));
		free(git);
		return path;
	}
	if (cache != NULL && cache[0] == '/')
		return xasprintf("%s/hookwave/history-%016llx", cache, hash_str(cwd));
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.cache/hookwave/history-%016llx", home,
				 hash_str(cwd));
	return NULL;
}

struct entry_key {
	const struct history *h;
	const char *strategy, *name;
};

static int
entry_is(const void *ctx, size_t i)
{
	const struct entry_key *k = ctx;
	const struct entry *e = &k->h->v[i];

	return strcmp(e->name, k->name) == 0 && strcmp(e->strategy, k->strategy) == 0;
}

static size_t
entry_hash(const void *ctx, size_t i)
{
	const struct history *h = ctx;

	return key_hash(h->v[i].strategy, h->v[i].name);
}

static struct entry *
find(const struct history *h, const char *strategy, const char *name)
{
	struct entry_key k = { h, strategy, name };
	size_t *slot;

	if (h->ix.size == 0)
		return NULL;
	slot = index_slot(&h->ix, key_hash(strategy, name), entry_is, &k);
	return *slot != 0 ? &h->v[*slot - 1] : NULL;
}

static struct entry *
get(struct history *h, const char *strategy, const char *name)
{
	struct entry_key k = { h, strategy, name };
	struct entry *e = find(h, strategy, name);

	if (e != NULL)
		return e;
	if (h->n == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 16;
		h->v = xreallocarray(h->v, h->alloc, sizeof(*h->v));
	}
	index_grow(&h->ix, h->n, entry_hash, h);
	*index_slot(&h->ix, key_hash(strategy, name), entry_is, &k) = h->n + 1;
	e = &h->v[h->n++];
	memset(e, 0, sizeof(*e));
	e->strategy = xstrdup(strategy);
	e->name = xstrdup(name);
	return e;
}

struct factor_key {
	const struct entry *e;
	const char *path;
};

static int
factor_is(const void *ctx, size_t i)
{
	const struct factor_key *k = ctx;

	return strcmp(k->e->f[i].path, k->path) == 0;
}

static size_t
factor_hash(const void *ctx, size_t i)
{
	const struct entry *e = ctx;

	return (size_t)hash_str(e->f[i].path);
}

/* The factor of `path` in e, NULL when there is none. */
static struct file_factor *
find_factor(const struct entry *e, const char *path)
{
	struct factor_key k = { e, path };
	size_t *slot;

	if (e->fix.size == 0)
		return NULL;
	slot = index_slot(&e->fix, (size_t)hash_str(path), factor_is, &k);
	return *slot != 0 ? &e->f[*slot - 1] : NULL;
}

static void
set_factor(struct entry *e, const char *path, double m)
{
	struct factor_key k = { e, path };
	struct file_factor *f = find_factor(e, path);

	if (f != NULL) {
		f->m = m;
		return;
	}
	if (e->nf == e->falloc) {
		e->falloc = e->falloc ? 2 * e->falloc : 16;
		e->f = xreallocarray(e->f, e->falloc, sizeof(*e->f));
	}
	index_grow(&e->fix, e->nf, factor_hash, e);
	*index_slot(&e->fix, (size_t)hash_str(path), factor_is, &k) = e->nf + 1;
	e->f[e->nf].path = xstrdup(path);
	e->f[e->nf++].m = m;
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
	index_free(&e->fix);
}

static void
clear(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		entry_free(&h->v[i]);
	h->n = 0;
	index_free(&h->ix);
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

/* Paths may hold any byte but NUL: tabs, newlines and '%' are escaped. */
static void
write_path(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s, *run = u;

	for (; *u != '\0'; u++) {
		if (*u < 0x20 || *u == '%' || *u == 0x7f) {
			fwrite(run, 1, (size_t)(u - run), f);
			fprintf(f, "%%%02X", *u);
			run = u + 1;
		}
	}
	fwrite(run, 1, (size_t)(u - run), f);
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
	size_t n = split_tabs(line, f, v1 ? 3 : 5);
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
		set_factor(e, f[4], x);
		return 0;
	}
	return -1;
}

struct history *
history_load(const char *path, int *warned, struct err *e)
{
	struct history *h = xcalloc(1, sizeof(*h));
	char *buf, *line, *next;
	size_t len = 0;
	ssize_t n = 0;
	int fd;
	unsigned long lineno = 0;
	int v1 = 0;

	*warned = 0;
	if (path == NULL)
		return h;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			*warned = 1;
			err_set(e, path, 0, "cannot read the history: %s",
				strerror(errno));
		}
		return h;
	}
	buf = xmalloc(MAX_FILE + 1);
	while (len < MAX_FILE &&
	       ((n = read(fd, buf + len, MAX_FILE - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	if (n < 0) {
		int saved = errno;

		close(fd);
		free(buf);
		*warned = 1;
		err_set(e, path, 0, "cannot read the history: %s", strerror(saved));
		return h;
	}
	close(fd);
	buf[len] = '\0';
	if (len == MAX_FILE || memchr(buf, '\0', len) != NULL)
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
		if (parse_line(h, line, v1) != 0)
			goto corrupt;
	}
	if (lineno == 0)
		goto corrupt;
	free(buf);
	return h;
corrupt:
	free(buf);
	clear(h);
	*warned = 1;
	err_set(e, path, lineno, "history is corrupt; ignoring it");
	return h;
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

void
history_record(struct history *h, const char *strategy, const char *name,
	       double seconds)
{
	struct entry *e = get(h, strategy, name);

	if (e->n == HISTORY_KEEP) {
		memmove(e->d, e->d + 1, (HISTORY_KEEP - 1) * sizeof(*e->d));
		e->n--;
	}
	e->d[e->n++] = seconds;
}

/* mkdir -p for the parent of path. */
static int
make_parent(const char *path)
{
	char *dir = xstrdup(path), *p;
	int r = 0;

	p = strrchr(dir, '/');
	if (p != NULL && p != dir) {
		*p = '\0';
		for (p = dir + 1; *p != '\0'; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(dir, 0777) != 0 && errno != EEXIST)
				r = -1;
			*p = '/';
		}
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			r = -1;
	}
	free(dir);
	return r;
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

static void
write_entry(FILE *f, const struct entry *e)
{
	const struct file_factor **by;
	size_t j, n = 0;
	unsigned k;

	if (e->n > 0) {
		fprintf(f, "h\t%s\t%s\t", e->strategy, e->name);
		for (k = 0; k < e->n; k++)
			fprintf(f, "%s%.6f", k ? "," : "", e->d[k]);
		fputc('\n', f);
	}
	if (e->rate > 0)
		fprintf(f, "r\t%s\t%s\t%.6g\t%.6g\n", e->strategy, e->name,
			e->rate, e->startup);
	if (e->nf == 0)
		return;
	/* The files furthest from what their size says, at most a few. */
	by = xreallocarray(NULL, e->nf, sizeof(*by));
	for (j = 0; j < e->nf; j++)
		if (spread(e->f[j].m) >= HISTORY_FACTOR_MIN)
			by[n++] = &e->f[j];
	qsort(by, n, sizeof(*by), cmp_spread);
	for (j = 0; j < n && j < HISTORY_FILES; j++) {
		fprintf(f, "f\t%s\t%s\t%.6g\t", e->strategy, e->name, by[j]->m);
		write_path(f, by[j]->path);
		fputc('\n', f);
	}
	free(by);
}

int
history_save(const struct history *h, const char *path, struct err *e)
{
	char *tmp;
	FILE *f;
	size_t i;
	int fd, ok;

	if (make_parent(path) != 0)
		return err_set(e, path, 0, "cannot save the history: %s",
			       strerror(errno));
	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		free(tmp);
		return err_set(e, path, 0, "cannot save the history: %s",
			       strerror(saved));
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return err_set(e, path, 0, "cannot save the history");
	}
	fprintf(f, "%s\n", MAGIC);
	for (i = 0; i < h->n; i++)
		write_entry(f, &h->v[i]);
	ok = fflush(f) == 0 && !ferror(f);
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		int saved = errno;

		unlink(tmp);
		free(tmp);
		return err_set(e, path, 0, "cannot save the history: %s",
			       strerror(saved));
	}
	free(tmp);
	return 0;
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

void
history_learn(struct history *h, const char *strategy, const char *name,
	      const struct batches *b, const double *seconds)
{
	struct entry *e = get(h, strategy, name);
	double rate, startup, q, g, m, work;
	size_t k, i;

	if (fit(b, seconds, e->startup, &rate, &startup) != 0)
		return;
	for (k = 0; k < b->n; k++) {
		if (seconds[k] <= 0 || b->total[k] <= 0)
			continue;
		/* How much slower than the fit its files made this batch;
		   nothing is learned from a batch that is mostly start-up,
		   or from a difference the size of timer noise. */
		work = seconds[k] - startup;
		if (work < startup || rate * b->total[k] <= 0 ||
		    (work - rate * b->total[k] < HISTORY_JITTER &&
		     rate * b->total[k] - work < HISTORY_JITTER))
			continue;
		q = work / (rate * b->total[k]);
		if (q > 1 - HISTORY_NOISE && q < 1 + HISTORY_NOISE)
			continue;
		/* A file alone is measured exactly; files together share
		   the blame, half of it, so one slow file among many is
		   found over a few runs without the rest swinging. */
		g = b->count[k] == 1 ? q : (1 + q) / 2;
		for (i = 0; i < b->count[k]; i++) {
			const char *path = b->files[k][i];
			struct file_factor *f = find_factor(e, path);

			m = (f != NULL ? f->m : 1) * g;
			if (m > HISTORY_FACTOR_MAX)
				m = HISTORY_FACTOR_MAX;
			if (m < 1 / HISTORY_FACTOR_MAX)
				m = 1 / HISTORY_FACTOR_MAX;
			set_factor(e, path, m);
		}
	}
	if (e->rate > 0) {
		e->rate = (e->rate + rate) / 2;
		e->startup = (e->startup + startup) / 2;
	} else {
		e->rate = rate;
		e->startup = startup;
	}
}

void
history_retain(struct history *h, const char *const *strategy,
	       const char *const *name, size_t n)
{
	char *keep = xcalloc(h->n + 1, 1);
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		struct entry *e = find(h, strategy[i], name[i]);

		if (e != NULL)
			keep[e - h->v] = 1;
	}
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
	index_free(&h->ix);
	for (i = 0; i < h->n; i++) {
		struct entry_key k = { h, h->v[i].strategy, h->v[i].name };

		index_grow(&h->ix, i, entry_hash, h);
		*index_slot(&h->ix, key_hash(k.strategy, k.name), entry_is, &k) =
		    i + 1;
	}
	free(keep);
}

char *
history_key(const char *name, const char *command)
{
	unsigned long long x = hash_str(command);

	return xasprintf("%s/%08llx", name, x & 0xffffffffULL);
}

void
history_free(struct history *h)
{
	if (h == NULL)
		return;
	clear(h);
	free(h->v);
	free(h);
}
