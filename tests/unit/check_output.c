/*
 * check_output.c - unit tests for output.c: head/tail split, the dropped
 * marker, gaps and merging, checked against a model that keeps the whole
 * stream, plus a 1 GiB run that must stay within the limit.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/resource.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

/* Seeded xorshift64*: the same sequence on every platform, unlike rand(). */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Uniform-enough value in [0, n). */
static size_t
rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng_next(s) % n);
}

/*
 * The reference model: the whole stream, with gap bytes marked unknown.
 * Kept bytes are then the longest known prefix up to the head capacity
 * and the longest known suffix after it up to the tail capacity.
 */
struct ref {
	char *data;
	unsigned char *known;
	size_t len, alloc;
};

/* Make room for n more bytes in the model. */
static void
ref_grow(struct ref *r, size_t n)
{
	while (r->len + n > r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 256;
		r->data = realloc(r->data, r->alloc);
		r->known = realloc(r->known, r->alloc);
		ck_assert_ptr_nonnull(r->data);
		ck_assert_ptr_nonnull(r->known);
	}
}

/* Model an output_append. */
static void
ref_append(struct ref *r, const char *buf, size_t n)
{
	/* buf and r->data may be NULL when n is 0: memcpy must not see them. */
	if (n == 0)
		return;
	ref_grow(r, n);
	memcpy(r->data + r->len, buf, n);
	memset(r->known + r->len, 1, n);
	r->len += n;
}

/* Model an output_gap: n placeholder bytes nobody may keep. */
static void
ref_gap(struct ref *r, size_t n)
{
	if (n == 0)
		return;
	ref_grow(r, n);
	memset(r->data + r->len, '?', n);
	memset(r->known + r->len, 0, n);
	r->len += n;
}

/* Free the model. */
static void
ref_free(struct ref *r)
{
	free(r->data);
	free(r->known);
	memset(r, 0, sizeof *r);
}

/* What an output with this limit should keep of the modelled stream. */
static void
ref_expect(const struct ref *r, size_t limit, size_t *head, size_t *tail)
{
	size_t	hcap = limit - limit / 2, tcap = limit / 2;
	size_t	first_gap = r->len, after_gap = 0, start, i;

	for (i = 0; i < r->len; i++) {
		if (!r->known[i]) {
			if (first_gap == r->len)
				first_gap = i;
			after_gap = i + 1;
		}
	}
	*head = first_gap < hcap ? first_gap : hcap;
	if (*head > r->len)
		*head = r->len;
	start = after_gap > *head ? after_gap : *head;
	*tail = r->len - start < tcap ? r->len - start : tcap;
}

/* The exact text output_render should give for the modelled stream. */
static char *
ref_render(const struct ref *r, size_t limit, size_t *len)
{
	size_t	head, tail, dropped, n = 0;
	char	*s;

	ref_expect(r, limit, &head, &tail);
	dropped = r->len - head - tail;
	s = malloc(head + tail + 64);
	ck_assert_ptr_nonnull(s);
	if (head > 0)
		memcpy(s, r->data, head);
	n = head;
	if (dropped > 0) {
		if (head > 0 && r->data[head - 1] != '\n')
			s[n++] = '\n';
		n += (size_t)sprintf(s + n, "[hookwave: %zu bytes dropped]\n",
		    dropped);
	}
	if (tail > 0)
		memcpy(s + n, r->data + r->len - tail, tail);
	n += tail;
	s[n] = '\0';
	*len = n;
	return s;
}

/* Assert o holds exactly what the model says, byte for byte. */
static void
check_against_ref(struct output *o, const struct ref *r)
{
	size_t	head, tail, want_len, got_len;
	char	*want, *got;

	ref_expect(r, o->limit, &head, &tail);
	ck_assert_uint_eq(o->total, r->len);
	ck_assert_uint_eq(o->head_len, head);
	ck_assert_uint_eq(o->tail_len, tail);
	ck_assert_uint_eq(output_dropped(o), r->len - head - tail);
	ck_assert_uint_le(o->head_len + o->tail_len, o->limit);

	want = ref_render(r, o->limit, &want_len);
	got = output_render(o, &got_len);
	ck_assert_uint_eq(got_len, want_len);
	ck_assert_int_eq(memcmp(got, want, want_len), 0);
	ck_assert_int_eq(got[got_len], '\0');
	free(want);
	free(got);
}

/* Render o and compare with an expected C string. */
static void
check_render(struct output *o, const char *want)
{
	size_t	len;
	char	*got;

	got = output_render(o, &len);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq(got, want);
	free(got);
}

/* Random bytes, deliberately including newlines and NULs. */
static void
fill_random(uint64_t *s, char *buf, size_t n)
{
	static const char alphabet[] = "ab\n\0xyz\n";
	size_t	i;

	for (i = 0; i < n; i++)
		buf[i] = alphabet[rng_below(s, sizeof alphabet)];
}

/* --- core ---------------------------------------------------------- */

START_TEST(test_empty)
{
	struct output	o;
	size_t		len = 99;
	char		*s;

	output_init(&o, 100);
	output_append(&o, "", 0);
	output_gap(&o, 0);
	ck_assert_ptr_null(o.head);
	ck_assert_ptr_null(o.tail);
	ck_assert_uint_eq(o.total, 0);
	ck_assert_uint_eq(output_dropped(&o), 0);
	s = output_render(&o, &len);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(s, "");
	free(s);
	output_release(&o);
}
END_TEST

START_TEST(test_small_kept_whole)
{
	struct output	o;

	output_init(&o, 100);
	output_append(&o, "hello ", 6);
	output_append(&o, "world\n", 6);
	output_append(&o, "bye", 3);
	ck_assert_uint_eq(o.total, 15);
	ck_assert_uint_eq(o.head_len, 15);
	ck_assert_uint_eq(o.tail_len, 0);
	ck_assert_ptr_null(o.tail);		/* lazily allocated */
	ck_assert_uint_eq(output_dropped(&o), 0);
	check_render(&o, "hello world\nbye");
	output_release(&o);
	ck_assert_ptr_null(o.head);
	ck_assert_uint_eq(o.total, 0);
	ck_assert_uint_eq(o.limit, 100);
}
END_TEST

START_TEST(test_exactly_limit)
{
	struct output	o;

	/* head 5 + tail 5: all 10 bytes kept, no marker. */
	output_init(&o, 10);
	output_append(&o, "0123456789", 10);
	ck_assert_uint_eq(o.head_len, 5);
	ck_assert_uint_eq(o.tail_len, 5);
	ck_assert_uint_eq(output_dropped(&o), 0);
	check_render(&o, "0123456789");

	output_append(&o, "A", 1);
	ck_assert_uint_eq(output_dropped(&o), 1);
	check_render(&o, "01234\n[hookwave: 1 bytes dropped]\n6789A");
	output_release(&o);
}
END_TEST

START_TEST(test_head_tail_split)
{
	struct output	o;

	output_init(&o, 10);
	output_append(&o, "abcdefghijklmnop", 16);
	ck_assert_uint_eq(o.total, 16);
	ck_assert_uint_eq(o.head_len, 5);
	ck_assert_uint_eq(o.tail_len, 5);
	ck_assert_int_eq(memcmp(o.head, "abcde", 5), 0);
	ck_assert_uint_eq(output_dropped(&o), 6);
	check_render(&o, "abcde\n[hookwave: 6 bytes dropped]\nlmnop");
	output_release(&o);
}
END_TEST

START_TEST(test_render_head_ends_newline)
{
	struct output	o;

	/* Head "ab\nc\n" ends a line: no extra newline before the marker. */
	output_init(&o, 10);
	output_append(&o, "ab\nc\nDROPxyz\n!", 14);
	check_render(&o, "ab\nc\n[hookwave: 4 bytes dropped]\nxyz\n!");
	output_release(&o);
}
END_TEST

START_TEST(test_render_binary)
{
	struct output	o;
	size_t		len;
	char		*s;

	output_init(&o, 4);
	output_append(&o, "a\0b\0c\0", 6);
	s = output_render(&o, &len);
	ck_assert_uint_eq(len, 2 + 1 + 28 + 2);
	ck_assert_int_eq(memcmp(s,
	    "a\0\n[hookwave: 2 bytes dropped]\nc\0", len + 1), 0);
	free(s);
	output_release(&o);
}
END_TEST

START_TEST(test_ring_wraps)
{
	struct output	o;

	output_init(&o, 8);		/* head 4, tail 4 */
	output_append(&o, "HEAD", 4);
	output_append(&o, "ab", 2);
	output_append(&o, "cde", 3);	/* ring: bcde */
	check_render(&o, "HEAD\n[hookwave: 1 bytes dropped]\nbcde");
	output_append(&o, "fg", 2);	/* wraps: defg */
	ck_assert_uint_eq(o.tail_len, 4);
	check_render(&o, "HEAD\n[hookwave: 3 bytes dropped]\ndefg");
	output_append(&o, "hijklm", 6);	/* bigger than the ring */
	check_render(&o, "HEAD\n[hookwave: 9 bytes dropped]\njklm");
	output_release(&o);
}
END_TEST

/* --- limits -------------------------------------------------------- */

START_TEST(test_limit_zero)
{
	struct output	o;

	output_init(&o, 0);
	output_append(&o, "abc", 3);
	output_append(&o, "d\n", 2);
	ck_assert_ptr_null(o.head);
	ck_assert_ptr_null(o.tail);
	ck_assert_uint_eq(o.total, 5);
	ck_assert_uint_eq(output_dropped(&o), 5);
	check_render(&o, "[hookwave: 5 bytes dropped]\n");
	output_release(&o);
}
END_TEST

START_TEST(test_limit_one)
{
	struct output	o;

	/* (1 + 1) / 2 = 1 head byte, 0 tail bytes. */
	output_init(&o, 1);
	output_append(&o, "x", 1);
	check_render(&o, "x");
	output_append(&o, "yz", 2);
	ck_assert_uint_eq(o.head_len, 1);
	ck_assert_uint_eq(o.tail_len, 0);
	ck_assert_ptr_null(o.tail);
	ck_assert_uint_eq(output_dropped(&o), 2);
	check_render(&o, "x\n[hookwave: 2 bytes dropped]\n");
	output_release(&o);
}
END_TEST

START_TEST(test_limit_odd)
{
	struct output	o;

	/* 7: head 4, tail 3. */
	output_init(&o, 7);
	output_append(&o, "abcdefg", 7);
	ck_assert_uint_eq(o.head_len, 4);
	ck_assert_uint_eq(o.tail_len, 3);
	check_render(&o, "abcdefg");
	output_append(&o, "hi", 2);
	check_render(&o, "abcd\n[hookwave: 2 bytes dropped]\nghi");
	output_release(&o);

	/* 3: head 2, tail 1. */
	output_init(&o, 3);
	output_append(&o, "0123456789", 10);
	ck_assert_uint_eq(o.head_len, 2);
	ck_assert_uint_eq(o.tail_len, 1);
	check_render(&o, "01\n[hookwave: 7 bytes dropped]\n9");
	output_release(&o);
}
END_TEST

START_TEST(test_append_larger_than_tail)
{
	struct output	o;
	char		buf[1000];
	size_t		i;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = (char)('A' + i % 26);
	output_init(&o, 20);
	output_append(&o, "0123456789ABCDE", 15);	/* ring half full */
	output_append(&o, buf, sizeof buf);
	ck_assert_uint_eq(o.total, 1015);
	ck_assert_uint_eq(o.tail_len, 10);
	ck_assert_uint_eq(output_dropped(&o), 1015 - 20);
	/* buf ends ...KL (999 % 26 = 11), last 10 are CDEFGHIJKL. */
	check_render(&o, "0123456789\n[hookwave: 995 bytes dropped]\nCDEFGHIJKL");
	output_release(&o);
}
END_TEST

/*
 * The same stream fed one byte at a time, in random chunks and in one
 * call must give identical state, all equal to the model's.
 */
START_TEST(test_chunking_equivalence)
{
	static const size_t	limits[] = { 0, 1, 2, 3, 7, 8, 31, 64, 101 };
	uint64_t		seed = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	struct output		one, chunks, whole;
	struct ref		r = { 0 };
	size_t			len, limit, i, n;
	char			*buf, *a, *b, *c;
	size_t			la, lb, lc;

	limit = (size_t)_i < sizeof limits / sizeof limits[0] ?
	    limits[_i] : rng_below(&seed, 200);
	len = rng_below(&seed, 3000);
	buf = malloc(len + 1);
	ck_assert_ptr_nonnull(buf);
	fill_random(&seed, buf, len);
	ref_append(&r, buf, len);

	output_init(&one, limit);
	output_init(&chunks, limit);
	output_init(&whole, limit);
	for (i = 0; i < len; i++)
		output_append(&one, buf + i, 1);
	for (i = 0; i < len; i += n) {
		n = rng_below(&seed, 2 * limit + 3);
		if (n > len - i)
			n = len - i;
		output_append(&chunks, buf + i, n);
	}
	output_append(&whole, buf, len);

	check_against_ref(&one, &r);
	check_against_ref(&chunks, &r);
	check_against_ref(&whole, &r);

	a = output_render(&one, &la);
	b = output_render(&chunks, &lb);
	c = output_render(&whole, &lc);
	ck_assert_uint_eq(la, lb);
	ck_assert_uint_eq(la, lc);
	ck_assert_int_eq(memcmp(a, b, la), 0);
	ck_assert_int_eq(memcmp(a, c, la), 0);
	ck_assert_uint_eq(output_dropped(&one), output_dropped(&chunks));
	ck_assert_uint_eq(output_dropped(&one), output_dropped(&whole));
	free(a);
	free(b);
	free(c);

	output_release(&one);
	output_release(&chunks);
	output_release(&whole);
	ref_free(&r);
	free(buf);
}
END_TEST

/* --- gaps ---------------------------------------------------------- */

START_TEST(test_gap_closes_head)
{
	struct output	o;

	output_init(&o, 10);
	output_append(&o, "ab", 2);
	output_gap(&o, 3);
	ck_assert_int_ne(o.head_closed, 0);
	output_append(&o, "cdefghij", 8);
	ck_assert_uint_eq(o.head_len, 2);		/* head stays a prefix */
	ck_assert_uint_eq(o.tail_len, 5);
	ck_assert_uint_eq(o.total, 13);
	ck_assert_uint_eq(output_dropped(&o), 6);
	check_render(&o, "ab\n[hookwave: 6 bytes dropped]\nfghij");
	output_release(&o);
}
END_TEST

START_TEST(test_gap_restarts_tail)
{
	struct output	o;

	output_init(&o, 10);
	output_append(&o, "0123456789ABC", 13);
	check_render(&o, "01234\n[hookwave: 3 bytes dropped]\n89ABC");
	output_gap(&o, 2);
	ck_assert_uint_eq(o.tail_len, 0);
	ck_assert_uint_eq(output_dropped(&o), 3 + 5 + 2);
	check_render(&o, "01234\n[hookwave: 10 bytes dropped]\n");
	output_append(&o, "xy", 2);
	check_render(&o, "01234\n[hookwave: 10 bytes dropped]\nxy");
	output_release(&o);
}
END_TEST

START_TEST(test_gap_first)
{
	struct output	o;

	/* A leading gap: nothing is a prefix any more, the head stays empty. */
	output_init(&o, 10);
	output_gap(&o, 4);
	output_append(&o, "hello", 5);
	ck_assert_uint_eq(o.head_len, 0);
	ck_assert_ptr_null(o.head);
	check_render(&o, "[hookwave: 4 bytes dropped]\nhello");
	output_release(&o);
}
END_TEST

START_TEST(test_gap_zero_is_noop)
{
	struct output	o;

	output_init(&o, 10);
	output_append(&o, "ab", 2);
	output_gap(&o, 0);
	output_append(&o, "cd", 2);
	ck_assert_int_eq(o.head_closed, 0);
	ck_assert_uint_eq(o.head_len, 4);
	check_render(&o, "abcd");
	output_release(&o);
}
END_TEST

START_TEST(test_gap_huge)
{
	struct output	o;

	output_init(&o, 10);
	output_append(&o, "ab\n", 3);
	output_gap(&o, 5000000000ULL);		/* more than 32 bits */
	output_append(&o, "z", 1);
	ck_assert_uint_eq(o.total, 5000000004ULL);
	ck_assert_uint_eq(output_dropped(&o), 5000000000ULL);
	check_render(&o, "ab\n[hookwave: 5000000000 bytes dropped]\nz");
	output_release(&o);
}
END_TEST

START_TEST(test_merge_whole)
{
	struct output	a, b, c, dst;

	output_init(&a, 100);
	output_init(&b, 100);
	output_init(&c, 0);
	output_init(&dst, 100);
	output_append(&a, "one\n", 4);
	output_append(&b, "two\n", 4);
	/* c is empty and keeps nothing: merging it must change nothing. */
	output_append_output(&dst, &a);
	output_append_output(&dst, &c);
	output_append_output(&dst, &b);
	ck_assert_int_eq(dst.head_closed, 0);
	ck_assert_uint_eq(dst.total, 8);
	ck_assert_uint_eq(output_dropped(&dst), 0);
	check_render(&dst, "one\ntwo\n");
	output_release(&a);
	output_release(&b);
	output_release(&c);
	output_release(&dst);
}
END_TEST

START_TEST(test_merge_reproduces_src)
{
	struct output	src, dst;

	/* A wrapped ring in src, merged into a bigger dst, renders the same. */
	output_init(&src, 10);
	output_append(&src, "0123456789", 10);
	output_append(&src, "ABC", 3);
	ck_assert_uint_ne(src.tail_start, 0);
	output_init(&dst, 1000);
	output_append_output(&dst, &src);
	ck_assert_uint_eq(dst.total, 13);
	ck_assert_uint_eq(output_dropped(&dst), 3);
	check_render(&src, "01234\n[hookwave: 3 bytes dropped]\n89ABC");
	check_render(&dst, "01234\n[hookwave: 3 bytes dropped]\n89ABC");
	output_release(&src);
	output_release(&dst);
}
END_TEST

START_TEST(test_merge_several)
{
	struct output	a, b, c, dst;

	output_init(&a, 4);
	output_init(&b, 100);
	output_init(&c, 4);
	output_append(&a, "abcdefgh", 8);	/* ab..gh, 4 dropped */
	output_append(&b, "MID", 3);		/* kept whole */
	output_append(&c, "123456", 6);		/* 12..56, 2 dropped */

	output_init(&dst, 100);
	output_append_output(&dst, &a);
	output_append_output(&dst, &b);
	output_append_output(&dst, &c);
	ck_assert_uint_eq(dst.total, 8 + 3 + 6);
	ck_assert_uint_eq(dst.head_len, 2);	/* closed by a's gap */
	ck_assert_uint_eq(dst.tail_len, 2);	/* restarted by c's gap */
	ck_assert_uint_eq(output_dropped(&dst), dst.total - 4);
	ck_assert_uint_eq(output_dropped(&dst), 13);
	check_render(&dst, "ab\n[hookwave: 13 bytes dropped]\n56");

	/* A small dst over the same inputs: still exact. */
	output_release(&dst);
	output_init(&dst, 3);
	output_append_output(&dst, &b);
	output_append_output(&dst, &b);
	ck_assert_uint_eq(dst.total, 6);
	ck_assert_uint_eq(output_dropped(&dst), 3);
	check_render(&dst, "MI\n[hookwave: 3 bytes dropped]\nD");

	output_release(&a);
	output_release(&b);
	output_release(&c);
	output_release(&dst);
}
END_TEST

/*
 * Seeds per loop iteration of the random tests: enough cases without
 * paying a fork for each (the iteration number is in any failure).
 */
#define SEEDS_PER_RUN	10

/* Random appends and gaps from one seed, against the model. */
static void
gaps_random_one(uint64_t seed)
{
	struct output	o;
	struct ref	r = { 0 };
	char		buf[300];
	size_t		limit, ops, k, n;

	limit = rng_below(&seed, 80);
	output_init(&o, limit);
	ops = 1 + rng_below(&seed, 40);
	for (k = 0; k < ops; k++) {
		n = rng_below(&seed, sizeof buf);
		if (rng_below(&seed, 4) == 0) {
			n = rng_below(&seed, 20);
			output_gap(&o, n);
			ref_gap(&r, n);
		} else {
			fill_random(&seed, buf, n);
			output_append(&o, buf, n);
			ref_append(&r, buf, n);
		}
		check_against_ref(&o, &r);
	}
	output_release(&o);
	ref_free(&r);
}

START_TEST(test_gaps_random)
{
	uint64_t	k;

	for (k = 0; k < SEEDS_PER_RUN; k++)
		gaps_random_one(0xc0ffee00ULL + (uint64_t)_i * SEEDS_PER_RUN + k);
}
END_TEST

/*
 * Merge random buffers of random limits. Each source is modelled as
 * what it holds (head, unknown dropped bytes, tail); the merged model is
 * their concatenation, and dropped must equal total - kept throughout.
 */
static void
merge_random_one(uint64_t seed)
{
	struct output	src, dst;
	struct ref	whole = { 0 }, srcref = { 0 };
	unsigned long long sum = 0;
	char		buf[200];
	size_t		nsrc, k, ops, j, n, head, tail;

	output_init(&dst, rng_below(&seed, 120));
	nsrc = 1 + rng_below(&seed, 8);
	for (k = 0; k < nsrc; k++) {
		output_init(&src, rng_below(&seed, 60));
		ops = rng_below(&seed, 6);
		for (j = 0; j < ops; j++) {
			n = rng_below(&seed, sizeof buf);
			if (rng_below(&seed, 5) == 0) {
				output_gap(&src, n);
				ref_gap(&srcref, n);
			} else {
				fill_random(&seed, buf, n);
				output_append(&src, buf, n);
				ref_append(&srcref, buf, n);
			}
		}
		check_against_ref(&src, &srcref);

		ref_expect(&srcref, src.limit, &head, &tail);
		if (srcref.len > 0) {
			ref_append(&whole, srcref.data, head);
			ref_gap(&whole, srcref.len - head - tail);
			ref_append(&whole, srcref.data + srcref.len - tail,
			    tail);
		}
		sum += src.total;

		output_append_output(&dst, &src);
		ck_assert_uint_eq(dst.total, sum);
		ck_assert_uint_eq(output_dropped(&dst),
		    dst.total - dst.head_len - dst.tail_len);
		check_against_ref(&dst, &whole);

		output_release(&src);
		ref_free(&srcref);
	}
	output_release(&dst);
	ref_free(&whole);
}

START_TEST(test_merge_random)
{
	uint64_t	k;

	for (k = 0; k < SEEDS_PER_RUN; k++)
		merge_random_one(0xabad1deaULL + (uint64_t)_i * SEEDS_PER_RUN + k);
}
END_TEST

/* --- memory -------------------------------------------------------- */

#define MEM_LIMIT	(1024 * 1024)
#define MEM_CHUNK	(64 * 1024)
#define MEM_TOTAL	(1024ULL * 1024 * 1024)

/*
 * Stamp chunk k of the memory test with its number, fixed width so each
 * stamp overwrites the last exactly and chunks differ only there.
 */
static void
mem_chunk(char *buf, size_t k)
{
	char	stamp[32];
	int	n;

	n = snprintf(stamp, sizeof stamp, "<%08zx>", k);
	ck_assert_int_eq(n, 10);
	memcpy(buf, stamp, (size_t)n);
}

/* Peak resident set in KiB. */
static long
max_rss_kib(void)
{
	struct rusage	ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

START_TEST(test_memory_1gib)
{
	struct output	o;
	size_t		nchunks = (size_t)(MEM_TOTAL / MEM_CHUNK);
	size_t		k, i, len, mlen, per = MEM_LIMIT / 2 / MEM_CHUNK;
	unsigned long long dropped = MEM_TOTAL - MEM_LIMIT;
	char		*chunk, *s, *want, mark[64];
	long		rss_before, rss_after;

	chunk = malloc(MEM_CHUNK);
	ck_assert_ptr_nonnull(chunk);
	for (i = 0; i < MEM_CHUNK; i++)
		chunk[i] = (char)('a' + i % 23);

	rss_before = max_rss_kib();
	output_init(&o, MEM_LIMIT);
	for (k = 0; k < nchunks; k++) {
		mem_chunk(chunk, k);
		output_append(&o, chunk, MEM_CHUNK);
	}
	rss_after = max_rss_kib();

	ck_assert_uint_eq(o.total, MEM_TOTAL);
	ck_assert_uint_eq(o.head_len, MEM_LIMIT / 2);
	ck_assert_uint_eq(o.tail_len, MEM_LIMIT / 2);
	ck_assert_uint_eq(output_dropped(&o), dropped);
	/* Storing the stream would take 1 GiB; allow generous slack. */
	ck_assert_int_lt(rss_after - rss_before, 64 * 1024);

	mlen = (size_t)snprintf(mark, sizeof mark,
	    "\n[hookwave: %llu bytes dropped]\n", dropped);
	ck_assert_str_eq(mark, "\n[hookwave: 1072693248 bytes dropped]\n");
	s = output_render(&o, &len);
	ck_assert_uint_eq(len, MEM_LIMIT + mlen);

	/* Head = chunks 0..per-1, tail = the last `per` chunks. */
	want = malloc(len);
	ck_assert_ptr_nonnull(want);
	for (k = 0; k < per; k++) {
		mem_chunk(chunk, k);
		memcpy(want + k * MEM_CHUNK, chunk, MEM_CHUNK);
	}
	memcpy(want + MEM_LIMIT / 2, mark, mlen);
	for (k = 0; k < per; k++) {
		mem_chunk(chunk, nchunks - per + k);
		memcpy(want + MEM_LIMIT / 2 + mlen + k * MEM_CHUNK, chunk,
		    MEM_CHUNK);
	}
	ck_assert_int_eq(memcmp(s, want, len), 0);

	free(want);
	free(s);
	free(chunk);
	output_release(&o);
}
END_TEST

/* --- growth and memory pressure ------------------------------------ */

/* A 1 GiB limit reserves nothing: buffers grow with what is kept. */
START_TEST(test_grows_with_use)
{
	struct output	o;
	char		*big;
	size_t		n = 100 * 1024;

	output_init(&o, 1UL << 30);
	output_append(&o, "hi\n", 3);
	ck_assert_uint_le(o.head_alloc, 4096);
	ck_assert_ptr_null(o.tail);
	check_render(&o, "hi\n");
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', n);
	output_append(&o, big, n);
	ck_assert_uint_eq(o.head_len, 3 + n);
	ck_assert_uint_le(o.head_alloc, 4 * n);
	ck_assert_int_eq(o.nomem, 0);
	free(big);
	output_release(&o);

	/* The tail grows as an array, then wraps as a ring of its full size. */
	output_init(&o, 8000);          /* head 4000, tail 4000 */
	big = malloc(4000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'h', 4000);
	output_append(&o, big, 4000);
	output_append(&o, "0123456789", 10);
	ck_assert_uint_lt(o.tail_alloc, 4000);
	ck_assert_int_eq(o.tail_fixed, 0);
	memset(big, 't', 4000);
	output_append(&o, big, 3995);
	ck_assert_uint_eq(o.tail_alloc, 4000);
	ck_assert_int_eq(o.tail_fixed, 1);
	ck_assert_uint_eq(o.tail_len, 4000);
	ck_assert_uint_eq(o.tail_start, 5);     /* wrapped */
	ck_assert_uint_eq(output_dropped(&o), 5);
	ck_assert_int_eq(memcmp(o.tail + o.tail_start, "56789", 5), 0);
	free(big);
	output_release(&o);
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/* Our address space now, in bytes (VmSize). */
static unsigned long long
vm_size(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%llu", &pages), 1);
	fclose(f);
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* Leave room for `extra` more bytes of address space (ulimit -v). The
   test runs in a process of its own (Check forks). */
static void
limit_address_space(unsigned long long extra)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)(vm_size() + extra);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
}

/*
 * Under ulimit -v a 1 GiB output_limit still takes output (it used to
 * reserve 512 MiB twice and abort), and 200 MiB printed into 32 MiB of
 * room is no abort either: what fits is kept, nomem says it was cut,
 * the head is a true prefix, the tail a true suffix, the count exact.
 */
START_TEST(test_out_of_memory)
{
	struct output	o;
	size_t		chunk = 64 * 1024, k, nchunks = 3200, len, i, bad;
	unsigned long long total = (unsigned long long)chunk * nchunks;
	char		*buf, *s, mark[64];
	int		mlen;

	/* Byte i of the stream is 'a' + i % 26: its position is its content,
	   and chunk k starts at buf + (k * chunk) % 26. */
	buf = malloc(chunk + 26);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < chunk + 26; i++)
		buf[i] = (char)('a' + i % 26);
	limit_address_space(32ULL << 20);
	output_init(&o, 1UL << 30);
	output_append(&o, "hi\n", 3);
	ck_assert_int_eq(o.nomem, 0);
	output_release(&o);

	output_init(&o, 1UL << 30);
	for (k = 0; k < nchunks; k++)
		output_append(&o, buf + (k * chunk) % 26, chunk);
	ck_assert_int_eq(o.nomem, 1);
	ck_assert_uint_eq(o.total, total);
	ck_assert_uint_gt(o.head_len, 0);
	ck_assert_uint_lt(o.head_len + o.tail_len, total);
	ck_assert_uint_eq(output_dropped(&o), total - o.head_len - o.tail_len);
	for (i = bad = 0; i < o.head_len; i++)
		bad += o.head[i] != 'a' + (char)(i % 26);
	for (i = 0; i < o.tail_len; i++) {
		unsigned long long at = total - o.tail_len + i;

		bad += o.tail[(o.tail_start + i) % o.tail_alloc] !=
		    (char)('a' + at % 26);
	}
	ck_assert_uint_eq(bad, 0);
	s = output_render(&o, &len);
	mlen = snprintf(mark, sizeof mark, "%s[hookwave: %llu bytes dropped]\n",
	    o.head_len > 0 && o.head[o.head_len - 1] != '\n' ? "\n" : "",
	    output_dropped(&o));
	ck_assert_uint_eq(len, o.head_len + (size_t)mlen + o.tail_len);
	ck_assert_int_eq(memcmp(s + o.head_len, mark, (size_t)mlen), 0);
	free(s);
	free(buf);
	output_release(&o);
}
END_TEST

/*
 * No room to render head and tail together: render keeps less, half of
 * the bigger one at a time, until it fits. With 6 MiB of room for 16
 * MiB kept, the head gives up half, then the tail (a wrapped ring) does:
 * what is left is still a true prefix and a true suffix, the count
 * exact.
 */
START_TEST(test_render_short_of_memory)
{
	struct output	o;
	size_t		half = 8UL << 20, len, mlen, i, bad = 0;
	char		*buf, *s, mark[64];

	buf = malloc(half);
	ck_assert_ptr_nonnull(buf);
	output_init(&o, 2 * half);
	memset(buf, 'h', half);
	output_append(&o, buf, half);
	memset(buf, 't', half);
	output_append(&o, buf, half);
	output_append(&o, "xyz\n", 4);  /* wraps the ring: 4 dropped */
	free(buf);
	ck_assert_int_eq(o.nomem, 0);
	ck_assert_uint_eq(o.tail_start, 4);
	limit_address_space(6ULL << 20);
	s = output_render(&o, &len);
	ck_assert_int_eq(o.nomem, 1);
	ck_assert_uint_gt(o.head_len, 0);
	ck_assert_uint_lt(o.head_len, half);
	ck_assert_uint_ge(o.tail_len, 4);
	ck_assert_uint_lt(o.tail_len, half);
	ck_assert_uint_eq(output_dropped(&o),
	    2 * half + 4 - o.head_len - o.tail_len);
	mlen = (size_t)snprintf(mark, sizeof mark,
	    "\n[hookwave: %llu bytes dropped]\n", output_dropped(&o));
	ck_assert_uint_eq(len, o.head_len + mlen + o.tail_len);
	for (i = 0; i < o.head_len; i++)
		bad += s[i] != 'h';
	ck_assert_int_eq(memcmp(s + o.head_len, mark, mlen), 0);
	for (i = o.head_len + mlen; i < len - 4; i++)
		bad += s[i] != 't';
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(memcmp(s + len - 4, "xyz\n", 4), 0);
	free(s);
	output_release(&o);
}
END_TEST
#endif

static Suite *
output_suite(void)
{
	Suite	*s = suite_create("output");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_small_kept_whole);
	tcase_add_test(tc, test_exactly_limit);
	tcase_add_test(tc, test_head_tail_split);
	tcase_add_test(tc, test_render_head_ends_newline);
	tcase_add_test(tc, test_render_binary);
	tcase_add_test(tc, test_ring_wraps);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_limit_zero);
	tcase_add_test(tc, test_limit_one);
	tcase_add_test(tc, test_limit_odd);
	tcase_add_test(tc, test_append_larger_than_tail);
	tcase_add_loop_test(tc, test_chunking_equivalence, 0, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("gaps");
	tcase_add_test(tc, test_gap_closes_head);
	tcase_add_test(tc, test_gap_restarts_tail);
	tcase_add_test(tc, test_gap_first);
	tcase_add_test(tc, test_gap_zero_is_noop);
	tcase_add_test(tc, test_gap_huge);
	tcase_add_test(tc, test_merge_whole);
	tcase_add_test(tc, test_merge_reproduces_src);
	tcase_add_test(tc, test_merge_several);
	tcase_add_loop_test(tc, test_gaps_random, 0, 30);
	tcase_add_loop_test(tc, test_merge_random, 0, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_test(tc, test_memory_1gib);
	tcase_add_test(tc, test_grows_with_use);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
	/* Sanitizers reserve address space by the terabyte. */
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_render_short_of_memory);
#endif
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	failed;

	sr = srunner_create(output_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
