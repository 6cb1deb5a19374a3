/* baseline.c - the findings a run recorded, and matching against them. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "util.h"

#define HEADER "# hookwave baseline 1"

struct entry {
	char *key;              /* STRATEGY/HOOK */
	struct finding f;       /* fingerprint always set */
};

struct baseline {
	struct entry *v;        /* sorted by key, then fingerprint */
	size_t n, alloc;
};

static int
by_key_print(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->f.fingerprint, y->f.fingerprint);
}

static struct entry *
grow(struct baseline *b)
{
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 16;
		b->v = xreallocarray(b->v, b->alloc, sizeof(*b->v));
	}
	memset(&b->v[b->n], 0, sizeof(b->v[b->n]));
	return &b->v[b->n++];
}

static void
entry_release(struct entry *x)
{
	free(x->key);
	free(x->f.file);
	free(x->f.rule);
	free(x->f.message);
	free(x->f.fingerprint);
}

struct baseline *
baseline_empty(void)
{
	return xcalloc(1, sizeof(struct baseline));
}

void
baseline_free(struct baseline *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		entry_release(&b->v[i]);
	free(b->v);
	free(b);
}

/* --- reading ---------------------------------------------------------------- */

/* Undo the escapes of one field, in place. Returns 0, or -1 for a bad
   escape. */
static int
unescape(char *s)
{
	char *w = s;

	while (*s != '\0') {
		if (*s != '\\') {
			*w++ = *s++;
			continue;
		}
		switch (s[1]) {
		case '\\':
			*w++ = '\\';
			s += 2;
			break;
		case 't':
			*w++ = '\t';
			s += 2;
			break;
		case 'n':
			*w++ = '\n';
			s += 2;
			break;
		case 'r':
			*w++ = '\r';
			s += 2;
			break;
		case 'x': {
			int hi = hex_digit((unsigned char)s[2]);
			int lo = hi < 0 ? -1 : hex_digit((unsigned char)s[3]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi * 16 + lo);
			s += 4;
			break;
		}
		default:
			return -1;
		}
	}
	*w = '\0';
	return 0;
}

static int
parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
is_fingerprint(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* One line of the file (NUL-terminated, no newline) into an entry. */
static int
parse_line(struct baseline *b, char *line, const char **why)
{
	char *field[8];
	size_t k = 0;
	char *p = line;
	struct entry *x;
	unsigned long ln, col;
	enum finding_level level;

	field[k++] = p;
	while ((p = strchr(p, '\t')) != NULL) {
		*p++ = '\0';
		if (k == 8) {
			*why = "more than 8 fields";
			return -1;
		}
		field[k++] = p;
	}
	if (k != 8) {
		*why = "fewer than 8 fields";
		return -1;
	}
	for (k = 0; k < 8; k++)
		if (unescape(field[k]) != 0) {
			*why = "a bad escape";
			return -1;
		}
	if (*field[0] == '\0' || strchr(field[0], '/') == NULL) {
		*why = "no STRATEGY/HOOK";
		return -1;
	}
	if (!is_fingerprint(field[1])) {
		*why = "a bad fingerprint (want 64 hex digits)";
		return -1;
	}
	if (*field[2] == '\0') {
		*why = "no file";
		return -1;
	}
	if (parse_count(field[3], &ln) != 0 || parse_count(field[4], &col) != 0) {
		*why = "a bad line or column";
		return -1;
	}
	if (strcmp(field[5], "error") == 0)
		level = FINDING_ERROR;
	else if (strcmp(field[5], "warning") == 0)
		level = FINDING_WARNING;
	else if (strcmp(field[5], "note") == 0)
		level = FINDING_NOTE;
	else {
		*why = "a bad level (want error, warning or note)";
		return -1;
	}
	x = grow(b);
	x->key = xstrdup(field[0]);
	x->f.fingerprint = xstrdup(field[1]);
	x->f.file = xstrdup(field[2]);
	x->f.line = ln;
	x->f.col = col;
	x->f.level = level;
	x->f.rule = *field[6] != '\0' ? xstrdup(field[6]) : NULL;
	x->f.message = xstrdup(field[7]);
	x->f.state = FINDING_ABSENT;
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *data = NULL;
	size_t n = 0, cap = 0;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t got;

		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			data = xrealloc(data, cap + 1);
		}
		got = read(fd, data + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;

			free(data);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	data[n] = '\0';
	*len = n;
	return data;
}

int
baseline_load(struct baseline **out, const char *path, struct err *e)
{
	struct baseline *b;
	size_t len, pos = 0;
	unsigned long lineno = 0;
	char *data = slurp(path, &len);

	*out = NULL;
	if (data == NULL)
		return err_set(e, NULL, 0, "%s: cannot read: %s", path,
			       strerror(errno));
	b = baseline_empty();
	while (pos < len) {
		char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		const char *why = NULL;

		lineno++;
		if (nl != NULL)
			*nl = '\0';
		pos = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if ((nl == NULL ? data + len : nl) != line + strlen(line))
			why = "a NUL byte";
		else if (lineno == 1 && strcmp(line, HEADER) != 0)
			why = "not a hookwave baseline (want \"" HEADER "\")";
		else if (lineno == 1 || *line == '\0' || *line == '#')
			continue;
		if (why == NULL && parse_line(b, line, &why) == 0)
			continue;
		err_set(e, path, lineno, "%s", why);
		free(data);
		baseline_free(b);
		return -1;
	}
	free(data);
	if (lineno == 0) {
		baseline_free(b);
		return err_set(e, path, 1, "not a hookwave baseline (want \""
			       HEADER "\")");
	}
	if (b->n > 0)
		qsort(b->v, b->n, sizeof(*b->v), by_key_print);
	*out = b;
	return 0;
}

/* --- matching ---------------------------------------------------------------- */

/* The entries of hook `key`: [*from, *to). */
static void
range_of(const struct baseline *b, const char *key, size_t *from, size_t *to)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(b->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo < b->n && strcmp(b->v[lo].key, key) == 0)
		lo++;
	*to = lo;
}

int
baseline_has(const struct baseline *b, const char *key)
{
	size_t from, to;

	range_of(b, key, &from, &to);
	return to > from;
}

void
baseline_mark(const struct baseline *b, const char *key, struct findings *f,
	      struct findings *absent)
{
	size_t from, to, i;
	unsigned char *used;

	range_of(b, key, &from, &to);
	used = xcalloc(to - from + 1, 1);
	for (i = 0; i < f->n; i++) {
		struct finding *x = &f->v[i];
		size_t lo = from, hi = to;

		x->state = FINDING_NEW;
		if (x->fingerprint == NULL)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(b->v[mid].f.fingerprint, x->fingerprint) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* Equal fingerprints sit together: the first not yet used. */
		for (; lo < to && strcmp(b->v[lo].f.fingerprint,
					 x->fingerprint) == 0; lo++)
			if (!used[lo - from]) {
				used[lo - from] = 1;
				x->state = FINDING_UNCHANGED;
				break;
			}
	}
	for (i = from; i < to; i++) {
		const struct finding *y = &b->v[i].f;
		struct finding *a;

		if (used[i - from])
			continue;
		a = findings_add(absent, y->file, y->line, y->col, y->level,
				 y->rule, y->message);
		a->fingerprint = xstrdup(y->fingerprint);
		a->state = FINDING_ABSENT;
	}
	free(used);
}

/* --- writing ---------------------------------------------------------------- */

static void
put_field(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			buf_adds(out, "\\\\");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_add(out, s, 1);
	}
}

/* A line to write: the hook's key and its finding (borrowed). */
struct row {
	const char *key;
	const struct finding *f;
};

static int
row_order(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c == 0)
		c = strcmp(x->f->file, y->f->file);
	if (c == 0 && x->f->line != y->f->line)
		c = x->f->line < y->f->line ? -1 : 1;
	if (c == 0 && x->f->col != y->f->col)
		c = x->f->col < y->f->col ? -1 : 1;
	if (c == 0)
		c = strcmp(x->f->fingerprint, y->f->fingerprint);
	return c;
}

static int
key_listed(const char *key, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

void
baseline_render(struct buf *out, const struct baseline *b,
		const char *const *keys, const struct findings *const *f,
		size_t n)
{
	struct row *rows = NULL;
	size_t nrows = 0, alloc = 0, i, k;

	for (i = 0; b != NULL && i < b->n; i++) {
		if (key_listed(b->v[i].key, keys, n))
			continue;
		if (nrows == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			rows = xreallocarray(rows, alloc, sizeof(*rows));
		}
		rows[nrows].key = b->v[i].key;
		rows[nrows++].f = &b->v[i].f;
	}
	for (i = 0; i < n; i++)
		for (k = 0; f[i] != NULL && k < f[i]->n; k++) {
			if (f[i]->v[k].fingerprint == NULL)
				continue;
			if (nrows == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				rows = xreallocarray(rows, alloc, sizeof(*rows));
			}
			rows[nrows].key = keys[i];
			rows[nrows++].f = &f[i]->v[k];
		}
	if (nrows > 0)
		qsort(rows, nrows, sizeof(*rows), row_order);
	buf_adds(out, HEADER "\n");
	for (i = 0; i < nrows; i++) {
		const struct finding *x = rows[i].f;

		put_field(out, rows[i].key);
		buf_add(out, "\t", 1);
		put_field(out, x->fingerprint);
		buf_add(out, "\t", 1);
		put_field(out, x->file);
		buf_printf(out, "\t%lu\t%lu\t%s\t", x->line, x->col,
			   finding_level_name(x->level));
		put_field(out, x->rule != NULL ? x->rule : "");
		buf_add(out, "\t", 1);
		put_field(out, x->message);
		buf_add(out, "\n", 1);
	}
	free(rows);
}
