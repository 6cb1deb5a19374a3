/* buf.c - growable byte buffer. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

char *
buf_extend(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->alloc) {
		size_t a = b->alloc ? b->alloc : 256;

		while (b->len + n + 1 > a)
			a *= 2;
		b->p = xrealloc(b->p, a);
		b->alloc = a;
	}
	b->len += n;
	b->p[b->len] = '\0';
	return b->p + b->len - n;
}

void
buf_add(struct buf *b, const void *s, size_t n)
{
	char *at = buf_extend(b, n);

	if (n > 0)
		memcpy(at, s, n);
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if ((size_t)n < sizeof(small)) {
		buf_add(b, small, (size_t)n);
		return;
	}
	buf_add(b, "", 0);
	if (b->len + (size_t)n + 1 > b->alloc) {
		b->p = xrealloc(b->p, b->len + (size_t)n + 1);
		b->alloc = b->len + (size_t)n + 1;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->alloc = 0;
}
