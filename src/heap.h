/*
 * heap.h - the one binary heap behind every priority queue in hookwave
 * (the job queue, a strategy's ready set, batch packing): elements of
 * a fixed size, copied in and out, ordered by the caller's `before`.
 *
 * heap_top is the element for which no other is `before` it; among
 * elements that are equal under `before` the order is unspecified, so
 * callers that need determinism break every tie in `before`.
 *
 * Allocation failure aborts (xrealloc). Not thread-safe: the owner
 * locks (queue.c holds its mutex around every call).
 */
#ifndef HOOKWAVE_HEAP_H
#define HOOKWAVE_HEAP_H

#include <stddef.h>

/* Non-zero if element a must come out before element b. */
typedef int (*heap_before_fn)(const void *a, const void *b, void *ctx);

struct heap {
	unsigned char *v;       /* alloc + 1 elements; the last is scratch */
	size_t n, alloc, size;
	heap_before_fn before;
	void *ctx;
};

/* An empty heap of elements of `size` bytes (> 0); allocates nothing. */
void heap_init(struct heap *h, size_t size, heap_before_fn before, void *ctx);

/* Room for at least n elements in all, so pushes up to n never allocate. */
void heap_reserve(struct heap *h, size_t n);

/* Copy `elem` in. */
void heap_push(struct heap *h, const void *elem);

/* The first element (borrowed until the next push or pop), or NULL. */
void *heap_top(const struct heap *h);

/* Remove the first element, copying it to `out` unless NULL. The heap
   must not be empty. */
void heap_pop(struct heap *h, void *out);

/* Forget every element; keep the memory. */
void heap_clear(struct heap *h);

void heap_release(struct heap *h);

#endif
