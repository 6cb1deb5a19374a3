/*
 * output.h - a hook's captured output, bounded by output_limit.
 *
 * Keeps an exact prefix (the head, up to (limit + 1) / 2 bytes) and an
 * exact suffix (the tail, a ring of up to limit / 2 bytes) of
 * everything appended, and counts the bytes in between. Memory never
 * exceeds `limit` bytes of data whatever is appended, and grows with
 * what is kept: a hook that prints "hi" costs a few bytes, not limit.
 *
 * A "gap" (output_gap) stands for bytes known to exist but not held,
 * e.g. the dropped middle of another buffer being merged in: after a
 * gap the head is closed (it must stay a true prefix) and the tail
 * restarts (it must stay a true suffix), so what is kept is always a
 * real prefix plus a real suffix of the stream and the dropped count
 * is exact: dropped = total - head_len - tail_len.
 *
 * Out of memory is not fatal: when a buffer cannot grow, it keeps what
 * it has (the head closes, the ring stays the size it reached), more
 * bytes count as dropped, the count stays exact, and `nomem` is set so
 * that the owner can report it.
 *
 * Not thread-safe: one owner at a time.
 */
#ifndef HOOKWAVE_OUTPUT_H
#define HOOKWAVE_OUTPUT_H

#include <stddef.h>

struct output {
	size_t limit;
	char *head;             /* head_alloc bytes, up to (limit + 1) / 2 */
	size_t head_alloc;
	size_t head_len;
	int head_closed;        /* a gap came (or memory ran out): no more
				   bytes go to head */
	char *tail;             /* tail_alloc bytes, up to limit / 2: a
				   plain array while it grows, then a ring */
	size_t tail_alloc;
	int tail_fixed;         /* tail_alloc is final: a ring from now on */
	size_t tail_start;      /* index of the oldest byte in the ring */
	size_t tail_len;
	unsigned long long total; /* bytes appended, gaps included */
	int nomem;              /* an allocation failed: less was kept
				   than limit allows */
};

/* Set up an empty buffer keeping at most `limit` bytes. Allocates lazily. */
void output_init(struct output *o, size_t limit);

/* Append n bytes. */
void output_append(struct output *o, const char *buf, size_t n);

/* Record n bytes that exist in the stream but are not held here. */
void output_gap(struct output *o, unsigned long long n);

/* Append everything src holds, in order: head, its gap, tail. */
void output_append_output(struct output *dst, const struct output *src);

/* Bytes appended (including gaps) but not kept. */
unsigned long long output_dropped(const struct output *o);

/*
 * The kept output as one malloc'd, NUL-terminated string (the NUL is
 * not counted in *len; the data may hold NULs itself): head, then, if
 * anything was dropped, the line "[hookwave: N bytes dropped]\n"
 * (preceded by "\n" when the head does not end in one), then the tail.
 * The caller frees it. An empty buffer gives "" with *len 0.
 *
 * When there is no memory for the whole string, o keeps less: half of
 * the bigger of head and tail at a time (the head's start, the tail's
 * end), freed and counted as dropped from then on, nomem set, until the
 * string fits; only if not even the marker line can be allocated does
 * it abort.
 */
char *output_render(struct output *o, size_t *len);

/* Free the buffers; the struct may be output_init()ed again. */
void output_release(struct output *o);

#endif
