/*
 * fuzz_migrate.c - libFuzzer target for `hookwave migrate`: the input's
 * first byte picks the format (even: pre-commit, odd: lefthook), the
 * rest is the YAML. A conversion either fails with a message or gives
 * counts that match the sections it wrote, with no line a hookwave.ini
 * reader would split (every value on one line). The first line after
 * the first byte also goes through the Python-regex rewrite, whose
 * every answer must compile as an ERE. Nothing may crash, leak or hang.
 *
 * Built by tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "pyregex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned
count(const char *text, size_t n, const char *prefix)
{
	size_t k = strlen(prefix), i = 0;
	unsigned c = 0;

	while (i < n) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', n - i);
		size_t len = nl != NULL ? (size_t)(nl - line) : n - i;

		if (len >= k && memcmp(line, prefix, k) == 0)
			c++;
		i += len + 1;
	}
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct migrate_result r;
	struct err e;
	const char *name;
	char why[256], *line, *ere;
	const char *nl;
	regex_t re;

	if (size < 1)
		return 0;
	name = (data[0] & 1) ? "lefthook.yml" : ".pre-commit-config.yaml";
	if (migrate_convert(name, (const char *)data + 1, size - 1, &r, &e) == 0) {
		if (count(r.ini.p, r.ini.len, "[hook ") != r.converted)
			abort();
		if (count(r.ini.p, r.ini.len, "# [hook ") > r.attention)
			abort();
		if (r.ini.len > 0 && memchr(r.ini.p, '\0', r.ini.len) != NULL)
			abort();
	}
	migrate_release(&r);

	nl = memchr(data + 1, '\n', size - 1);
	line = strndup((const char *)data + 1,
		       nl != NULL ? (size_t)(nl - (const char *)data - 1) : size - 1);
	if (line == NULL)
		return 0;
	if (strlen(line) < 512 && (ere = pyregex_to_ere(line, why, sizeof(why))) != NULL) {
		if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) != 0)
			abort();
		regfree(&re);
		free(ere);
	}
	free(line);
	return 0;
}
