/*
 * heap.c - binary heap of fixed-size elements. See heap.h.
 *
 * Sifting moves a hole instead of swapping: the element being placed
 * waits in the scratch slot, so each level costs one copy.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "util.h"

#define AT(h, i) ((h)->v + (i) * (h)->size)

void
heap_init(struct heap *h, size_t size, heap_before_fn before, void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->size = size;
	h->before = before;
	h->ctx = ctx;
}

void
heap_reserve(struct heap *h, size_t n)
{
	if (n <= h->alloc && h->v != NULL)
		return;
	if (n < 16)
		n = 16;
	h->v = xreallocarray(h->v, n + 1, h->size);
	h->alloc = n;
}

void
heap_push(struct heap *h, const void *elem)
{
	unsigned char *tmp;
	size_t i;

	if (h->n == h->alloc || h->v == NULL)
		heap_reserve(h, h->alloc * 2);
	tmp = AT(h, h->alloc);
	memcpy(tmp, elem, h->size);
	for (i = h->n++; i > 0; ) {
		size_t parent = (i - 1) / 2;

		if (!h->before(tmp, AT(h, parent), h->ctx))
			break;
		memcpy(AT(h, i), AT(h, parent), h->size);
		i = parent;
	}
	memcpy(AT(h, i), tmp, h->size);
}

void *
heap_top(const struct heap *h)
{
	return h->n > 0 ? h->v : NULL;
}

void
heap_pop(struct heap *h, void *out)
{
	unsigned char *tmp;
	size_t i = 0;

	if (out != NULL)
		memcpy(out, h->v, h->size);
	if (--h->n == 0)
		return;
	tmp = AT(h, h->alloc);
	memcpy(tmp, AT(h, h->n), h->size);
	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n &&
		    h->before(AT(h, child + 1), AT(h, child), h->ctx))
			child++;
		if (!h->before(AT(h, child), tmp, h->ctx))
			break;
		memcpy(AT(h, i), AT(h, child), h->size);
		i = child;
	}
	memcpy(AT(h, i), tmp, h->size);
}

void
heap_clear(struct heap *h)
{
	h->n = 0;
}

void
heap_release(struct heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->alloc = 0;
}
