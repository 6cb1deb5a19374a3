/*
 * output.c - a hook's captured output: exact head, ring-buffer tail and
 * a count of the bytes dropped in between.
 *
 * Both buffers are allocated on the first byte that lands in them, so a
 * silent hook costs no memory, and never grow, so a hook printing
 * gigabytes costs at most `limit` bytes. Every append is O(n): at most
 * one copy into the head and two into the ring.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/*
 * Allocate or abort. Kept local rather than using xmalloc so that this
 * module builds and tests on its own; the policy is the same.
 */
static void *
output_alloc(size_t n)
{
	void *p;

	p = malloc(n == 0 ? 1 : n);
	if (p == NULL)
		abort();
	return p;
}

/* Head capacity: the odd byte goes here, written so SIZE_MAX cannot wrap. */
static size_t
output_head_cap(const struct output *o)
{
	return o->limit / 2 + o->limit % 2;
}

/* Tail (ring) capacity. */
static size_t
output_tail_cap(const struct output *o)
{
	return o->limit / 2;
}

/* Smaller of two sizes. */
static size_t
output_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Push n bytes into the ring, evicting the oldest. When n is at least
 * the capacity only its last capacity bytes can survive, so copy just
 * those instead of cycling the whole input through the ring.
 */
static void
output_tail_push(struct output *o, const char *buf, size_t n)
{
	size_t	cap = output_tail_cap(o), end, first, over;

	if (cap == 0 || n == 0)
		return;
	if (o->tail == NULL)
		o->tail = output_alloc(cap);

	if (n >= cap) {
		memcpy(o->tail, buf + (n - cap), cap);
		o->tail_start = 0;
		o->tail_len = cap;
		return;
	}

	/* start < cap and len <= cap, so the sum cannot wrap. */
	end = (o->tail_start + o->tail_len) % cap;
	first = output_min(n, cap - end);
	memcpy(o->tail + end, buf, first);
	if (n > first)
		memcpy(o->tail, buf + first, n - first);

	if (o->tail_len + n > cap) {
		over = o->tail_len + n - cap;
		o->tail_start = (o->tail_start + over) % cap;
		o->tail_len = cap;
	} else
		o->tail_len += n;
}

/* Set up an empty buffer; nothing is allocated until bytes arrive. */
void
output_init(struct output *o, size_t limit)
{
	memset(o, 0, sizeof *o);
	o->limit = limit;
}

/*
 * Append n bytes: fill the head while it is open and has room, and send
 * the rest to the ring. The tail only ever sees bytes after the head's,
 * so the two never overlap and the dropped count stays exact.
 */
void
output_append(struct output *o, const char *buf, size_t n)
{
	size_t	cap, take;

	if (n == 0)
		return;
	o->total += n;

	cap = output_head_cap(o);
	if (!o->head_closed && o->head_len < cap) {
		take = output_min(n, cap - o->head_len);
		if (o->head == NULL)
			o->head = output_alloc(cap);
		memcpy(o->head + o->head_len, buf, take);
		o->head_len += take;
		buf += take;
		n -= take;
	}
	output_tail_push(o, buf, n);
}

/*
 * Record n unheld bytes. The head is closed because anything appended
 * later would no longer follow it in the stream, and the tail emptied
 * because it would no longer end where the stream does. A zero gap hides
 * nothing, so it changes nothing: merging a buffer that dropped nothing
 * must keep the destination's head open.
 */
void
output_gap(struct output *o, unsigned long long n)
{
	if (n == 0)
		return;
	o->total += n;
	o->head_closed = 1;
	o->tail_start = 0;
	o->tail_len = 0;
}

/*
 * Append what src holds in stream order. dst and src must differ: dst's
 * buffers are written while src's are read.
 */
void
output_append_output(struct output *dst, const struct output *src)
{
	size_t	cap, first;

	output_append(dst, src->head, src->head_len);
	output_gap(dst, output_dropped(src));
	if (src->tail_len == 0)
		return;

	/* The ring's contents are at most two runs: start..cap, 0..rest. */
	cap = output_tail_cap(src);
	first = output_min(src->tail_len, cap - src->tail_start);
	output_append(dst, src->tail + src->tail_start, first);
	output_append(dst, src->tail, src->tail_len - first);
}

/* Bytes appended or recorded as gaps but not held. */
unsigned long long
output_dropped(const struct output *o)
{
	return o->total - o->head_len - o->tail_len;
}

/*
 * Render head, marker line and tail into one string. The marker gets its
 * own line even when the head stops mid-line, so it can never be read as
 * part of the hook's own output.
 */
char *
output_render(const struct output *o, size_t *len)
{
	unsigned long long	dropped = output_dropped(o);
	char			mark[64], *s, *p;
	size_t			mlen = 0, size, first, cap;
	int			nl, r;

	if (dropped > 0) {
		nl = o->head_len > 0 && o->head[o->head_len - 1] != '\n';
		r = snprintf(mark, sizeof mark, "%s[hookwave: %llu bytes dropped]\n",
		    nl ? "\n" : "", dropped);
		if (r < 0 || (size_t)r >= sizeof mark)
			abort();
		mlen = (size_t)r;
	}

	/* head + tail <= limit, but limit itself may be near SIZE_MAX. */
	size = o->head_len + o->tail_len;
	if (size < o->head_len || size + mlen < size || size + mlen + 1 == 0)
		abort();
	size += mlen;

	s = p = output_alloc(size + 1);
	if (o->head_len > 0) {
		memcpy(p, o->head, o->head_len);
		p += o->head_len;
	}
	memcpy(p, mark, mlen);
	p += mlen;
	if (o->tail_len > 0) {
		cap = output_tail_cap(o);
		first = output_min(o->tail_len, cap - o->tail_start);
		memcpy(p, o->tail + o->tail_start, first);
		memcpy(p + first, o->tail, o->tail_len - first);
		p += o->tail_len;
	}
	*p = '\0';

	if (len != NULL)
		*len = size;
	return s;
}

/* Free both buffers and leave an empty buffer with the same limit. */
void
output_release(struct output *o)
{
	free(o->head);
	free(o->tail);
	output_init(o, o->limit);
}
