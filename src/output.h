/*
 * output.h - a hook's captured output, bounded by output_limit.
 *
 * Keeps an exact prefix (the head, up to limit/2 bytes... see below)
 * and an exact suffix (the tail, a ring buffer) of everything appended,
 * and counts the bytes in between. Memory never exceeds `limit` bytes
 * of data whatever is appended.
 *
 * head capacity = limit - limit / 2 ... precisely: head gets
 * (limit + 1) / 2 bytes, tail gets limit / 2 bytes.
 *
 * A "gap" (output_gap) stands for bytes known to exist but not held,
 * e.g. the dropped middle of another buffer being merged in: after a
 * gap the head is closed (it must stay a true prefix) and the tail
 * restarts (it must stay a true suffix), so what is kept is always a
 * real prefix plus a real suffix of the stream and the dropped count
 * is exact: dropped = total - head_len - tail_len.
 *
 * Not thread-safe: one owner at a time.
 */
#ifndef HOOKWAVE_OUTPUT_H
#define HOOKWAVE_OUTPUT_H

#include <stddef.h>

struct output {
	size_t limit;
	char *head;             /* capacity (limit + 1) / 2 */
	size_t head_len;
	int head_closed;        /* a gap came: no more bytes go to head */
	char *tail;             /* ring, capacity limit / 2 */
	size_t tail_start;      /* index of the oldest byte in the ring */
	size_t tail_len;
	unsigned long long total; /* bytes appended, gaps included */
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
 */
char *output_render(const struct output *o, size_t *len);

/* Free the buffers; the struct may be output_init()ed again. */
void output_release(struct output *o);

#endif
