/*
 * fuzz_merge.c - libFuzzer target for `hookwave merge`: the input is cut
 * into up to four reports at each "\n--\n", and merge_reports() joins
 * them (JSON Lines, JUnit XML or SARIF, told from the content). It must
 * either fail with a message or give a document and an exit status of
 * 0, 1 or 128 and more; nothing may crash, leak or hang.
 *
 * Built by tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "merge.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	struct merge_input in[4];
	const char *p = (const char *)data, *end = p + size;
	enum merge_format format;
	struct buf out = { 0 };
	struct err e;
	size_t n = 0;
	int status = -1;

	while (n < 4) {
		const char *cut = n < 3 ? memmem(p, (size_t)(end - p), "\n--\n", 4) : NULL;

		in[n].name = names[n];
		in[n].text = p;
		in[n].len = cut != NULL ? (size_t)(cut - p) : (size_t)(end - p);
		n++;
		if (cut == NULL)
			break;
		p = cut + 4;
	}
	if (merge_reports(in, n, &out, &format, &status, &e) == 0 &&
	    status != 0 && status != 1 && status < 128)
		abort();
	buf_release(&out);
	return 0;
}
