/*
 * fuzz_findings.c - libFuzzer target for the findings readers: the first
 * line of the input is a value of `errorformat`, the rest a tool's output.
 * When the value compiles, the output goes through a reader of it fed
 * whole and fed in pieces of sizes drawn from the input, and the two
 * must agree; the same output goes through the gcc form the same two
 * ways. Every finding must be well formed (a file, no newline in any
 * field, a trimmed message), and finding_path must be idempotent on its
 * own answers. Nothing may crash, leak or hang (libFuzzer's -timeout).
 *
 * Built by tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "finding_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read out[0..n) whole (seed 0) or in pieces of 1 to 64 bytes drawn from
   seed. */
static void
read_output(const struct finding_format *f, const char *out, size_t n,
	    uint32_t seed, struct findings *got)
{
	struct finding_reader *r = finding_reader_new(f, "/r", "/r/sub");
	size_t i = 0, k;

	while (i < n) {
		if (seed == 0) {
			k = n - i;
		} else {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 64;
			if (k > n - i)
				k = n - i;
		}
		finding_reader_feed(r, out + i, k);
		i += k;
	}
	finding_reader_finish(r, got);
	finding_reader_free(r);
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
check_finding(const struct finding *x)
{
	size_t n = strlen(x->message);

	if (x->file[0] == '\0' || strchr(x->file, '\n') != NULL ||
	    strchr(x->message, '\n') != NULL ||
	    (x->rule != NULL && (x->rule[0] == '\0' ||
				 strchr(x->rule, '\n') != NULL)))
		abort();
	if (n > 0 && (blank(x->message[0]) || blank(x->message[n - 1])))
		abort();
	if (x->level != FINDING_ERROR && x->level != FINDING_WARNING &&
	    x->level != FINDING_NOTE)
		abort();
	if (x->fingerprint != NULL || x->state != FINDING_STATE_NONE)
		abort();
}

static int
same(const struct finding *a, const struct finding *b)
{
	return strcmp(a->file, b->file) == 0 && a->line == b->line &&
	       a->col == b->col && a->level == b->level &&
	       (a->rule == NULL) == (b->rule == NULL) &&
	       (a->rule == NULL || strcmp(a->rule, b->rule) == 0) &&
	       strcmp(a->message, b->message) == 0;
}

/* Whole and in pieces give the same well-formed findings. */
static void
fuzz_format(const struct finding_format *f, const char *out, size_t n,
	    uint32_t seed)
{
	struct findings whole = { NULL, 0, 0 }, pieces = { NULL, 0, 0 };
	size_t i;

	read_output(f, out, n, 0, &whole);
	read_output(f, out, n, seed | 1, &pieces);
	if (whole.n != pieces.n)
		abort();
	for (i = 0; i < whole.n; i++) {
		check_finding(&whole.v[i]);
		if (!same(&whole.v[i], &pieces.v[i]))
			abort();
	}
	findings_release(&whole);
	findings_release(&pieces);
}

/* finding_path's answer, read again from the root, is itself. */
static void
fuzz_path(const char *path)
{
	char *p = finding_path("/r", "/r/sub", path), *q;

	if (p[0] == '\0' || strstr(p, "//") != NULL ||
	    (strlen(p) > 1 && p[strlen(p) - 1] == '/'))
		abort();
	q = finding_path("/r", "/r", p);
	if (strcmp(p, q) != 0)
		abort();
	free(q);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t elen = nl != NULL ? (size_t)(nl - s) : size;
	const char *out = nl != NULL ? nl + 1 : s + size;
	size_t n = size - (size_t)(out - s);
	char *efm = malloc(elen + 1), *path;
	char why[128];
	struct finding_format *f;
	uint32_t seed = 2166136261u;
	size_t i;

	if (efm == NULL)
		return 0;
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 16777619u;
	memcpy(efm, s, elen);
	efm[elen] = '\0';
	f = finding_format_errorformat(efm, why, sizeof(why));
	if ((f == NULL) != (why[0] != '\0') || strlen(why) >= sizeof(why))
		abort();
	if (f != NULL) {
		fuzz_format(f, out, n, seed);
		finding_format_free(f);
	}
	fuzz_format(finding_format_gcc(), out, n, seed);
	free(efm);

	path = malloc(n + 1);
	if (path == NULL)
		return 0;
	memcpy(path, out, n);
	path[n] = '\0';
	fuzz_path(path);
	free(path);
	return 0;
}
