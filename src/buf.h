/*
 * buf.h - a growable byte buffer, for building a block of output in
 * memory before one write. Zero-initialised is empty. Not thread-safe.
 */
#ifndef HOOKWAVE_BUF_H
#define HOOKWAVE_BUF_H

#include <stddef.h>

struct buf {
	char *p;                /* NUL-terminated when len > 0 */
	size_t len, alloc;
};

void buf_add(struct buf *b, const void *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* n more bytes at the end, uninitialised (the caller fills them): where
   they start. */
char *buf_extend(struct buf *b, size_t n);
void buf_reset(struct buf *b);          /* empty it, keep the memory */
void buf_release(struct buf *b);

#endif
