/*
 * fuzz_sarif.c - libFuzzer target for the SARIF reader (sarif_read.c):
 * the input is a tool's output. It is read whole with sarif_read() and,
 * through the collector, fed in pieces of sizes drawn from the input,
 * after a line of chatter; the two must agree (an error or the same
 * findings). Every finding must be well formed (a file, a message, a
 * level, its result as JSON text), each result must carry over
 * (sarif_result_carry) and the run must merge with itself. Nothing may
 * crash, leak or hang (libFuzzer's -timeout).
 *
 * Built by tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sarif_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char chatter[] = "Scanning { 3 files\n";

static void
check_finding(const struct finding *x)
{
	char *c;

	if (x->file == NULL || x->file[0] == '\0' || x->message == NULL ||
	    x->sarif == NULL || x->sarif[0] != '{')
		abort();
	if (x->level != FINDING_ERROR && x->level != FINDING_WARNING &&
	    x->level != FINDING_NOTE)
		abort();
	c = sarif_result_carry(x->sarif, "{\"uri\":\"a\"}", "00ff", "new");
	if (c == NULL || c[0] != '{')
		abort();
	free(c);
}

static int
same(const struct finding *a, const struct finding *b)
{
	return strcmp(a->file, b->file) == 0 && a->line == b->line &&
	       a->col == b->col && a->level == b->level &&
	       (a->rule == NULL) == (b->rule == NULL) &&
	       (a->rule == NULL || strcmp(a->rule, b->rule) == 0) &&
	       strcmp(a->message, b->message) == 0 &&
	       strcmp(a->sarif, b->sarif) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct findings whole = { NULL, 0, 0 }, pieces = { NULL, 0, 0 };
	char why[256], why2[256], *run = NULL, *run2 = NULL;
	struct sarif_collect *c;
	uint32_t seed = size > 0 ? data[0] : 1;
	size_t i = 0, k;
	int rc, rc2;

	rc = sarif_read(s, size, "/r", "/r/sub", &whole, &run, why,
			sizeof(why));
	if (rc != 0 && (run != NULL || whole.n != 0 || why[0] == '\0'))
		abort();

	/* The collector: chatter first, then the input in pieces. A
	   log that starts at the input's first byte reads the same. */
	c = sarif_collect_new();
	sarif_collect_feed(c, chatter, sizeof(chatter) - 1);
	while (i < size) {
		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 97;
		if (k > size - i)
			k = size - i;
		sarif_collect_feed(c, s + i, k);
		i += k;
	}
	rc2 = sarif_collect_finish(c, "/r", "/r/sub", &pieces, &run2, why2,
				   sizeof(why2));
	sarif_collect_free(c);
	if (size > 0 && s[0] == '{') {
		if (rc != rc2 || whole.n != pieces.n)
			abort();
		for (i = 0; i < whole.n; i++)
			if (!same(&whole.v[i], &pieces.v[i]))
				abort();
	}
	for (i = 0; i < whole.n; i++)
		check_finding(&whole.v[i]);
	if (run != NULL) {
		char *m = sarif_run_merge(strdup(run), run);

		if (m == NULL || m[0] != '{')
			abort();
		free(m);
	}
	free(run);
	free(run2);
	findings_release(&whole);
	findings_release(&pieces);
	return 0;
}
