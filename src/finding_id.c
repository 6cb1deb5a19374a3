/* finding_id.c - fingerprints of findings from the text of their lines. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "finding_id.h"
#include "util.h"

struct item {
	size_t index;           /* in the list */
	const char *file;       /* its finding's */
	unsigned long line;
	uint8_t base[SHA256_DIGEST_SIZE]; /* rule, file and text */
};

/* By file, then line: each file read once, front to back. */
static int
by_place(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* By base, then list order: the occurrences of one base in order. */
static int
by_base(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = memcmp(x->base, y->base, sizeof(x->base));

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Up to FINDING_ID_FILE_MAX bytes of a regular file, or NULL. */
static char *
read_file(const char *root, const char *file, size_t *len)
{
	char *path = file[0] == '/' ? xstrdup(file) :
		     xasprintf("%s/%s", root, file);
	struct stat st;
	char *data = NULL;
	size_t n = 0, cap;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	cap = st.st_size > 0 && (unsigned long long)st.st_size <
	      FINDING_ID_FILE_MAX ? (size_t)st.st_size + 1 : 4096;
	data = xmalloc(cap);
	for (;;) {
		ssize_t got;

		if (n == cap) {
			if (cap >= FINDING_ID_FILE_MAX)
				break;
			cap = cap * 2 < FINDING_ID_FILE_MAX ? cap * 2 :
			      FINDING_ID_FILE_MAX;
			data = xrealloc(data, cap);
		}
		got = read(fd, data + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(data);
			close(fd);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	*len = n;
	return data;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The base hash of a finding whose line text is text[0..n). */
static void
base_hash(const struct finding *f, const char *text, size_t n,
	  uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	const char *what = f->rule != NULL ? f->rule : f->message;

	while (n > 0 && blank(*text)) {
		text++;
		n--;
	}
	while (n > 0 && blank(text[n - 1]))
		n--;
	sha256_init(&ctx);
	/* Each part ends in a NUL; "r" or "m" keeps a rule apart from a
	   message that reads the same. */
	sha256_update(&ctx, 2, (const uint8_t *)(f->rule != NULL ? "r" : "m"));
	sha256_update(&ctx, strlen(what) + 1, (const uint8_t *)what);
	sha256_update(&ctx, strlen(f->file) + 1, (const uint8_t *)f->file);
	sha256_update(&ctx, n, (const uint8_t *)text);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* Give the findings it[0..n) of one file (by line) their bases. */
static void
bases_of_file(const struct findings *f, struct item *it, size_t n,
	      const char *root)
{
	size_t len = 0, k = 0, pos = 0;
	unsigned long lineno = 1;
	char *data = read_file(root, f->v[it[0].index].file, &len);

	for (k = 0; k < n; k++) {
		const struct finding *x = &f->v[it[k].index];
		const char *text = "";
		size_t tlen = 0;

		if (data != NULL && x->line > 0) {
			/* Move to the start of its line. */
			while (lineno < x->line && pos < len) {
				const char *nl = memchr(data + pos, '\n',
							len - pos);

				if (nl == NULL) {
					pos = len;
					break;
				}
				pos = (size_t)(nl - data) + 1;
				lineno++;
			}
			if (lineno == x->line && pos < len) {
				const char *nl = memchr(data + pos, '\n',
							len - pos);

				text = data + pos;
				tlen = nl != NULL ? (size_t)(nl - text) :
				       len - pos;
			}
		}
		base_hash(x, text, tlen, it[k].base);
	}
	free(data);
}

void
finding_id_assign(struct findings *f, const char *root)
{
	struct item *it;
	size_t i, start;
	unsigned long occ = 0;

	if (f->n == 0)
		return;
	it = xreallocarray(NULL, f->n, sizeof(*it));
	for (i = 0; i < f->n; i++) {
		it[i].index = i;
		it[i].file = f->v[i].file;
		it[i].line = f->v[i].line;
	}
	qsort(it, f->n, sizeof(*it), by_place);
	for (start = 0; start < f->n; start = i) {
		for (i = start + 1; i < f->n &&
		     strcmp(it[i].file, it[start].file) == 0; i++)
			;
		bases_of_file(f, it + start, i - start, root);
	}
	qsort(it, f->n, sizeof(*it), by_base);
	for (i = 0; i < f->n; i++) {
		struct finding *x = &f->v[it[i].index];
		struct sha256_ctx ctx;
		uint8_t d[SHA256_DIGEST_SIZE];
		char num[24];
		static const char hex[] = "0123456789abcdef";
		size_t k;

		if (i > 0 && memcmp(it[i].base, it[i - 1].base,
				    sizeof(it[i].base)) == 0)
			occ++;
		else
			occ = 0;
		snprintf(num, sizeof(num), "%lu", occ);
		sha256_init(&ctx);
		sha256_update(&ctx, sizeof(it[i].base), it[i].base);
		sha256_update(&ctx, strlen(num), (const uint8_t *)num);
		sha256_digest(&ctx, sizeof(d), d);
		free(x->fingerprint);
		x->fingerprint = xmalloc(2 * sizeof(d) + 1);
		for (k = 0; k < sizeof(d); k++) {
			x->fingerprint[2 * k] = hex[d[k] >> 4];
			x->fingerprint[2 * k + 1] = hex[d[k] & 15];
		}
		x->fingerprint[2 * sizeof(d)] = '\0';
	}
	free(it);
}
