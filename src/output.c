/*
 * output.c - a hook's captured output: exact head, ring-buffer tail and
 * a count of the bytes dropped in between.
 *
 * Both buffers grow with what lands in them, doubling, up to their
 * share of `limit`: a silent hook costs no memory, a chatty one at most
 * `limit` bytes however much it prints, and a limit of 1 GiB reserves
 * nothing up front (under ulimit -v that matters). The tail is a plain
 * array while it grows and becomes a ring once it has reached its full
 * size, so growing never has to unwrap it. Every append is O(n) plus
 * the amortised growth: at most one copy into the head and two into
 * the ring.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* The first allocation of a buffer: small outputs stay small. */
#define OUTPUT_FIRST 1024

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
 * How big a buffer holding `alloc` bytes should become to hold `need`:
 * at least double (amortised O(1) per byte), at least OUTPUT_FIRST, at
 * most `cap`.
 */
static size_t
output_grown(size_t alloc, size_t need, size_t cap)
{
	size_t n = alloc < cap / 2 ? 2 * alloc : cap;

	if (n < OUTPUT_FIRST)
		n = OUTPUT_FIRST;
	if (n < need)
		n = need;
	return output_min(n, cap);
}

/*
 * Grow *buf (of *alloc bytes) to hold `need`, at most `cap`: in one step
 * when memory allows, else by doubling, so that a big append into a
 * small buffer keeps what fits rather than nothing. Returns 0, or -1
 * when memory is short (it has grown as far as doubling got it, and
 * stops there: squeezing out the last bytes would leave nothing for
 * the rest of hookwave).
 */
static int
output_grow(char **buf, size_t *alloc, size_t need, size_t cap)
{
	size_t n = output_grown(*alloc, need, cap);
	char *p;

	if (n <= *alloc)
		return 0;
	if ((p = realloc(*buf, n)) != NULL) {
		*buf = p;
		*alloc = n;
		return 0;
	}
	while (*alloc < need) {
		n = output_grown(*alloc, *alloc + 1, cap);
		if ((p = realloc(*buf, n)) == NULL)
			return -1;
		*buf = p;
		*alloc = n;
	}
	return 0;
}

static int output_shed(struct output *o);

/*
 * An allocation failed: say so, and give back half of what is kept
 * (output_shed), so that what else hookwave must allocate (the merged
 * copy, the report) finds room.
 */
static void
output_starved(struct output *o)
{
	if (!o->nomem)
		(void)output_shed(o);
	o->nomem = 1;
}

/*
 * Make room in the tail for n more bytes while it is still growing (an
 * array holding tail_len bytes from 0: it has never wrapped). Once it
 * reaches its capacity, or cannot grow (out of memory), its size is
 * final and it works as a ring of that size.
 */
static void
output_tail_room(struct output *o, size_t n)
{
	size_t cap = output_tail_cap(o), need;

	if (o->tail_fixed)
		return;
	need = n < cap - o->tail_len ? o->tail_len + n : cap;
	if (need > o->tail_alloc &&
	    output_grow(&o->tail, &o->tail_alloc, need, cap) != 0) {
		o->tail_fixed = 1;
		output_starved(o);
	}
	if (o->tail_alloc == cap)
		o->tail_fixed = 1;
}

/*
 * Push n bytes into the ring, evicting the oldest. When n is at least
 * the ring's size only its last bytes can survive, so copy just those
 * instead of cycling the whole input through the ring.
 */
static void
output_tail_push(struct output *o, const char *buf, size_t n)
{
	size_t ring, end, first, over;

	if (output_tail_cap(o) == 0 || n == 0)
		return;
	output_tail_room(o, n);
	ring = o->tail_alloc;
	if (ring == 0)
		return;         /* nothing could be had: all dropped */

	if (n >= ring) {
		memcpy(o->tail, buf + (n - ring), ring);
		o->tail_start = 0;
		o->tail_len = ring;
		return;
	}

	/* start < ring and len <= ring, so the sum cannot wrap. */
	end = (o->tail_start + o->tail_len) % ring;
	first = output_min(n, ring - end);
	memcpy(o->tail + end, buf, first);
	if (n > first)
		memcpy(o->tail, buf + first, n - first);

	if (o->tail_len + n > ring) {
		over = o->tail_len + n - ring;
		o->tail_start = (o->tail_start + over) % ring;
		o->tail_len = ring;
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
 * so the two never overlap and the dropped count stays exact. A head
 * that cannot grow closes where it is: it stays a true prefix.
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
		if (o->head_len + take > o->head_alloc &&
		    output_grow(&o->head, &o->head_alloc, o->head_len + take,
		    cap) != 0) {
			o->head_closed = 1;
			take = o->head_alloc - o->head_len;
		}
		if (take > 0) {
			memcpy(o->head + o->head_len, buf, take);
			o->head_len += take;
			buf += take;
			n -= take;
		}
		if (o->head_closed)
			output_starved(o);
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
	size_t	ring, first;

	output_append(dst, src->head, src->head_len);
	output_gap(dst, output_dropped(src));
	if (src->tail_len == 0)
		return;

	/* The ring's contents are at most two runs: start..ring, 0..rest. */
	ring = src->tail_alloc;
	first = output_min(src->tail_len, ring - src->tail_start);
	output_append(dst, src->tail + src->tail_start, first);
	output_append(dst, src->tail, src->tail_len - first);
}

/* Bytes appended or recorded as gaps but not held. */
unsigned long long
output_dropped(const struct output *o)
{
	return o->total - o->head_len - o->tail_len;
}

/* Reverse buf[from, to). */
static void
output_reverse(char *buf, size_t from, size_t to)
{
	char c;

	while (from + 1 < to) {
		c = buf[from];
		buf[from++] = buf[--to];
		buf[to] = c;
	}
}

/*
 * Give up half of what is kept, from the bigger of head and tail, and
 * the memory with it: the head keeps its first half (still a prefix),
 * the tail its last half (still a suffix, unwrapped in place first), and
 * what they gave up counts as dropped. Returns -1 when nothing is left.
 */
static int
output_shed(struct output *o)
{
	size_t keep;
	char *p;

	if (o->head_len == 0 && o->tail_len == 0)
		return -1;
	o->nomem = 1;
	if (o->head_len >= o->tail_len) {
		o->head_len /= 2;
		o->head_closed = 1;
		if (o->head_len == 0) {
			free(o->head);
			o->head = NULL;
			o->head_alloc = 0;
		} else if ((p = realloc(o->head, o->head_len)) != NULL) {
			o->head = p;
			o->head_alloc = o->head_len;
		}
		return 0;
	}
	/* Rotate the ring left by tail_start: its bytes then start at 0. */
	output_reverse(o->tail, 0, o->tail_start);
	output_reverse(o->tail, o->tail_start, o->tail_alloc);
	output_reverse(o->tail, 0, o->tail_alloc);
	keep = o->tail_len / 2;
	memmove(o->tail, o->tail + (o->tail_len - keep), keep);
	o->tail_start = 0;
	o->tail_len = keep;
	o->tail_fixed = 1;
	if (keep == 0) {
		free(o->tail);
		o->tail = NULL;
		o->tail_alloc = 0;
	} else if ((p = realloc(o->tail, keep)) != NULL) {
		o->tail = p;
		o->tail_alloc = keep;
	}
	return 0;
}

/*
 * Render head, marker line and tail into one string. The marker gets its
 * own line even when the head stops mid-line, so it can never be read as
 * part of the hook's own output. Short of memory, keep less and try
 * again (output_shed).
 */
char *
output_render(struct output *o, size_t *len)
{
	unsigned long long	dropped;
	char			mark[64], *s, *p;
	size_t			mlen, size, first;
	int			nl, r;

	for (;;) {
		dropped = output_dropped(o);
		mlen = 0;
		if (dropped > 0) {
			nl = o->head_len > 0 && o->head[o->head_len - 1] != '\n';
			r = snprintf(mark, sizeof mark,
			    "%s[hookwave: %llu bytes dropped]\n",
			    nl ? "\n" : "", dropped);
			if (r < 0 || (size_t)r >= sizeof mark)
				abort();
			mlen = (size_t)r;
		}

		/* head + tail <= limit, but limit itself may be near SIZE_MAX. */
		size = o->head_len + o->tail_len;
		if (size < o->head_len || size + mlen < size ||
		    size + mlen + 1 == 0)
			abort();
		size += mlen;
		if ((s = malloc(size + 1)) != NULL)
			break;
		if (output_shed(o) != 0)
			abort();        /* not even the marker line */
	}

	p = s;
	if (o->head_len > 0) {
		memcpy(p, o->head, o->head_len);
		p += o->head_len;
	}
	memcpy(p, mark, mlen);
	p += mlen;
	if (o->tail_len > 0) {
		first = output_min(o->tail_len, o->tail_alloc - o->tail_start);
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
