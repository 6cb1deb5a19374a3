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

#define MAGIC "hookwave-history 1"
#define MAX_FILE (8UL << 20)

struct entry {
	char *strategy, *name;
	double d[HISTORY_KEEP];         /* oldest first */
	unsigned n;
};

struct history {
	struct entry *v;
	size_t n, alloc;
	size_t *table;          /* open addressing: entry index + 1 */
	size_t table_size;      /* a power of two, at most half full */
};

static unsigned long long hash_str(const char *s);

static size_t
key_hash(const char *strategy, const char *name)
{
	return (size_t)(hash_str(strategy) * 31 + hash_str(name));
}

/* (Re)build the table for the entries there are, with room to grow. */
static void
rehash(struct history *h)
{
	size_t i, k, m;

	free(h->table);
	h->table_size = 64;
	while (h->table_size < 2 * (h->n + 1))
		h->table_size *= 2;
	h->table = xcalloc(h->table_size, sizeof(*h->table));
	m = h->table_size - 1;
	for (i = 0; i < h->n; i++) {
		for (k = key_hash(h->v[i].strategy, h->v[i].name) & m;
		     h->table[k] != 0; k = (k + 1) & m)
			;
		h->table[k] = i + 1;
	}
}

/* FNV-1a of the run directory: one history per directory. */
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

static struct entry *
find(const struct history *h, const char *strategy, const char *name)
{
	size_t k, m;

	if (h->table_size == 0)
		return NULL;
	m = h->table_size - 1;
	for (k = key_hash(strategy, name) & m; h->table[k] != 0; k = (k + 1) & m) {
		struct entry *e = &h->v[h->table[k] - 1];

		if (strcmp(e->name, name) == 0 && strcmp(e->strategy, strategy) == 0)
			return e;
	}
	return NULL;
}

static struct entry *
add(struct history *h, const char *strategy, const char *name)
{
	struct entry *e;

	if (h->n == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 16;
		h->v = xreallocarray(h->v, h->alloc, sizeof(*h->v));
	}
	e = &h->v[h->n++];
	memset(e, 0, sizeof(*e));
	e->strategy = xstrdup(strategy);
	e->name = xstrdup(name);
	if (2 * h->n > h->table_size) {
		rehash(h);
	} else {
		size_t m = h->table_size - 1, k;

		for (k = key_hash(strategy, name) & m; h->table[k] != 0;
		     k = (k + 1) & m)
			;
		h->table[k] = h->n;
	}
	return e;
}

static void
clear(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].strategy);
		free(h->v[i].name);
	}
	h->n = 0;
	free(h->table);
	h->table = NULL;
	h->table_size = 0;
}

/* One line: STRATEGY TAB NAME TAB d1,d2,... Returns 0 or -1. */
static int
parse_line(struct history *h, char *line)
{
	char *t1 = strchr(line, '\t'), *t2, *p, *end;
	struct entry *e;

	if (t1 == NULL || (t2 = strchr(t1 + 1, '\t')) == NULL)
		return -1;
	*t1 = *t2 = '\0';
	if (line[0] == '\0' || t1[1] == '\0')
		return -1;
	e = find(h, line, t1 + 1);
	if (e == NULL)
		e = add(h, line, t1 + 1);
	for (p = t2 + 1; *p != '\0';) {
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

struct history *
history_load(const char *path, int *warned, struct err *e)
{
	struct history *h = xcalloc(1, sizeof(*h));
	char *buf, *line, *next;
	size_t len = 0;
	ssize_t n = 0;
	int fd;
	unsigned long lineno = 0;

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
		next = strchr(line, '\n');
		if (next == NULL)
			goto corrupt;   /* a torn last line */
		*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, MAGIC) != 0)
				goto corrupt;
			continue;
		}
		if (parse_line(h, line) != 0)
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

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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
	struct entry *e = find(h, strategy, name);

	if (e == NULL)
		e = add(h, strategy, name);
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

int
history_save(const struct history *h, const char *path, struct err *e)
{
	char *tmp;
	FILE *f;
	size_t i;
	unsigned k;
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
	for (i = 0; i < h->n; i++) {
		fprintf(f, "%s\t%s\t", h->v[i].strategy, h->v[i].name);
		for (k = 0; k < h->v[i].n; k++)
			fprintf(f, "%s%.6f", k ? "," : "", h->v[i].d[k]);
		fputc('\n', f);
	}
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

void
history_free(struct history *h)
{
	if (h == NULL)
		return;
	clear(h);
	free(h->v);
	free(h);
}
