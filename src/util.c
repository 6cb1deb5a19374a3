/* util.c - checked allocation, error records, small string helpers. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Record an error for main.c to print. */
int
err_set(struct err *e, const char *file, unsigned long line,
	const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->file = file;
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Format an error as one line, control characters made harmless. */
size_t
err_format(const struct err *e, char *buf, size_t size)
{
	int n;
	size_t i, len;

	if (size == 0)
		return 0;
	if (e->file != NULL && e->line > 0)
		n = snprintf(buf, size, "hookwave: %s:%lu: %s\n", e->file,
			     e->line, e->msg);
	else if (e->file != NULL)
		n = snprintf(buf, size, "hookwave: %s: %s\n", e->file, e->msg);
	else
		n = snprintf(buf, size, "hookwave: %s\n", e->msg);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	len = (size_t)n < size ? (size_t)n : size - 1;
	/* Names and values may hold anything: keep the line one line. */
	for (i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c < 0x20 || c == 0x7f)
			buf[i] = '?';
	}
	if (len > 0)
		buf[len - 1] = '\n';
	return len;
}

static void *
check_alloc(void *p)
{
	if (p == NULL)
		abort();
	return p;
}

void *
xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1));
}

void *
xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *
xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1));
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		abort();
	return xrealloc(p, n * size);
}

void *
tryreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, n * size != 0 ? n * size : 1);
}

char *
xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return check_alloc(strndup(s, n));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* Append a copy of s. */
void
strlist_push(struct strlist *l, const char *s)
{
	strlist_push_owned(l, xstrdup(s));
}

/* Append s, which the list now owns. */
void
strlist_push_owned(struct strlist *l, char *s)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 4;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

double
now_monotonic(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Digits only, in range: no sign, no space, no base prefix, no unit. */
int
parse_ulong(const char *s, unsigned long min, unsigned long max,
	    unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned)(*s - '0');
		/* v * 10 + d > max, asked without overflow (or a wrapped
		 * max - d when the digit alone is above max) */
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

int
parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

size_t
utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned c = s[0];
	size_t len, k;
	unsigned long v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	unsigned long cp;

	for (; i < n; i += len)
		if ((len = utf8_decode(s + i, n - i, &cp)) == 0)
			return 0;
	return 1;
}

/* Optimal string alignment distance; inputs here are short key names. */
size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, r;
	size_t *d;

	if (la > 256 || lb > 256)
		return (size_t)-1;
	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
#define D(x, y) d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = D(i - 1, j) + 1;

			if (D(i, j - 1) + 1 < best)
				best = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < best)
				best = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < best)
				best = D(i - 2, j - 2) + 1;
			D(i, j) = best;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

char *
xdg_cache_home(void)
{
	const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *base;
	size_t n;

	if (cache != NULL && cache[0] == '/')
		base = xstrdup(cache);
	else if (home != NULL && home[0] == '/')
		base = xasprintf("%s/.cache", home);
	else
		return NULL;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	return base;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * s with ".", ".." and repeated slashes resolved by the text alone: an
 * absolute path stays absolute ("/.." is "/"), a relative one keeps the
 * ".." that lead out of it ("" and "." give "."). malloc'd.
 */
char *
path_normalize(const char *s)
{
	size_t n = strlen(s), o = 0, base;
	char *out = xmalloc(n + 2);
	int abs = s[0] == '/';

	if (abs)
		out[o++] = '/';
	base = o;
	while (*s != '\0') {
		const char *e;
		size_t k;

		while (*s == '/')
			s++;
		e = strchr(s, '/');
		k = e != NULL ? (size_t)(e - s) : strlen(s);
		if (k == 0 || (k == 1 && s[0] == '.')) {
			/* nothing */
		} else if (k == 2 && s[0] == '.' && s[1] == '.') {
			if (o > base) {
				while (o > base && out[o - 1] != '/')
					o--;
				if (o > base)
					o--;
			} else if (!abs) {
				if (o > 0)
					out[o++] = '/';
				out[o++] = '.';
				out[o++] = '.';
				base = o;
			}
		} else {
			if (o > (abs ? 1 : 0))
				out[o++] = '/';
			memcpy(out + o, s, k);
			o += k;
		}
		s += k;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}
