/*
 * migrate.c - the common part of `hookwave migrate`: telling the format,
 * writing sections and quoting; the readers are migrate_precommit.c and
 * migrate_lefthook.c. See migrate.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "migrate_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const precommit_names[] = {
	".pre-commit-config.yaml", ".pre-commit-config.yml",
};
static const char *const lefthook_names[] = {
	"lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml",
	"lefthook-local.yml", ".lefthook-local.yml",
};

static int
named(const char *base, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(base, names[i]) == 0)
			return 1;
	return 0;
}

/* Does a line of text start with KEY followed by ':' (a top-level key)? */
static int
has_top_key(const char *text, size_t n, const char *key)
{
	size_t k = strlen(key), i = 0;

	while (i < n) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', n - i);
		size_t len = nl != NULL ? (size_t)(nl - line) : n - i;

		if (len > k && memcmp(line, key, k) == 0 &&
		    (line[k] == ':' || line[k] == ' '))
			return 1;
		i += len + 1;
	}
	return 0;
}

enum migrate_format
migrate_detect(const char *name, const char *text, size_t n)
{
	const char *base = name != NULL ? strrchr(name, '/') : NULL;
	static const char *const hooks[] = {
		"pre-commit", "pre-push", "commit-msg", "prepare-commit-msg",
		"post-checkout", "post-merge", "pre-rebase",
	};
	size_t i;

	base = base != NULL ? base + 1 : name;
	if (base != NULL && named(base, precommit_names, ARRAY_SIZE(precommit_names)))
		return MIGRATE_PRECOMMIT;
	if (base != NULL && named(base, lefthook_names, ARRAY_SIZE(lefthook_names)))
		return MIGRATE_LEFTHOOK;
	if (text == NULL)
		return MIGRATE_UNKNOWN;
	if (has_top_key(text, n, "repos"))
		return MIGRATE_PRECOMMIT;
	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (has_top_key(text, n, hooks[i]))
			return MIGRATE_LEFTHOOK;
	return MIGRATE_UNKNOWN;
}

char *
migrate_find(const char *dir, struct err *e)
{
	char *found = NULL, *p;
	int pc = 0, lh = 0;
	size_t i;
	struct stat st;

	for (i = 0; i < ARRAY_SIZE(precommit_names) + ARRAY_SIZE(lefthook_names); i++) {
		int is_pc = i < ARRAY_SIZE(precommit_names);
		const char *n = is_pc ? precommit_names[i] :
			lefthook_names[i - ARRAY_SIZE(precommit_names)];

		p = dir != NULL ? xasprintf("%s/%s", dir, n) : xstrdup(n);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    !(is_pc ? pc : lh)) {
			*(is_pc ? &pc : &lh) = 1;
			if (found == NULL) {
				found = p;
				continue;
			}
		}
		free(p);
	}
	if (pc && lh) {
		err_set(e, NULL, 0, "both a pre-commit and a lefthook config here: name the one to migrate");
		free(found);
		return NULL;
	}
	if (found == NULL)
		err_set(e, NULL, 0, "no .pre-commit-config.yaml or lefthook.yml here: name the file to migrate");
	return found;
}

int
mig_ini_safe(const char *v)
{
	const char *p;

	if (strchr(v, '\n') != NULL || strchr(v, '\r') != NULL || *v == '\0')
		return 0;
	for (p = v + 1; (p = strchr(p, ';')) != NULL; p++)
		if (p[-1] == ' ' || p[-1] == '\t')
			return 0;
	/* Blanks around a value are dropped by the reader. */
	if (*v == ' ' || *v == '\t' || v[strlen(v) - 1] == ' ' ||
	    v[strlen(v) - 1] == '\t')
		return 0;
	return 1;
}

static int
plain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || strchr("-_./,:+%@^=", c) != NULL;
}

char *
migrate_sh_quote(const char *w)
{
	struct buf b = { 0 };
	const char *p;
	int plain = *w != '\0', open = 0;
	char *out;

	for (p = w; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			return NULL;
		if (!plain_char(*p))
			plain = 0;
	}
	/* "a=b" first would be an assignment: quote it. */
	if (plain && strchr(w, '=') == NULL)
		return xstrdup(w);
	if (*w == '\0')
		return xstrdup("''");
	/*
	 * Single quotes, except ' and ; outside them: "\'" as sh writes it,
	 * and "\;" so that no blank ever stands before a ';' in the value.
	 */
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'' || *p == ';') {
			if (open)
				buf_adds(&b, "'");
			open = 0;
			buf_adds(&b, *p == '\'' ? "\\'" : "\\;");
			continue;
		}
		if (!open)
			buf_adds(&b, "'");
		open = 1;
		buf_add(&b, p, 1);
	}
	if (open)
		buf_adds(&b, "'");
	out = xstrdup(b.p);
	buf_release(&b);
	return out;
}

char *
mig_sh_join(char *const *words, size_t n)
{
	struct buf b = { 0 };
	size_t i;
	char *out;

	for (i = 0; i < n; i++) {
		char *q = migrate_sh_quote(words[i]);

		if (q == NULL) {
			buf_release(&b);
			return NULL;
		}
		if (i > 0)
			buf_adds(&b, " ");
		buf_adds(&b, q);
		free(q);
	}
	out = xstrdup(b.len > 0 ? b.p : "");
	buf_release(&b);
	return out;
}

/* Expand the first {a,b} group (with nesting) and recurse. */
static void
expand(const char *g, struct buf *out)
{
	const char *open = NULL, *p, *close = NULL, *start;
	int depth = 0;

	for (p = g; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '{') {
			if (depth++ == 0)
				open = p;
		} else if (*p == '}' && depth > 0) {
			if (--depth == 0) {
				close = p;
				break;
			}
		}
	}
	if (open == NULL || close == NULL) {
		if (out->len > 0)
			buf_adds(out, " ");
		buf_adds(out, g);
		return;
	}
	start = open + 1;
	depth = 0;
	for (p = start; p <= close; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0 && p != close)
			depth--;
		if ((*p == ',' && depth == 0) || p == close) {
			char *alt = xasprintf("%.*s%.*s%s", (int)(open - g), g,
					      (int)(p - start), start, close + 1);

			expand(alt, out);
			free(alt);
			start = p + 1;
		}
	}
}

char *
mig_glob_expand(const char *glob)
{
	struct buf b = { 0 };
	char *out;

	expand(glob, &b);
	out = xstrdup(b.len > 0 ? b.p : "");
	buf_release(&b);
	return out;
}

/* Keep what hookwave accepts as a name; anything else becomes '-'. */
static char *
clean_name(const char *want)
{
	size_t n = strlen(want), i;
	char *s;

	if (n == 0)
		return xstrdup("hook");
	if (n > 56)
		n = 56;
	s = xstrndup(want, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || c == ',' || c == '/' || c == '[' ||
		    c == ']' || c == ';' || c == '#' || c >= 0x80)
			s[i] = '-';
	}
	return s;
}

void
mig_hook_begin(struct mig *m, struct mhook *h, const char *want)
{
	char *base = clean_name(want), *name = xstrdup(base);
	unsigned k = 2;

	memset(h, 0, sizeof(*h));
	while (strlist_has(&m->names, name)) {
		free(name);
		name = xasprintf("%s-%u", base, k++);
	}
	free(base);
	strlist_push(&m->names, name);
	h->name = name;
}

static void
vnote(struct buf *b, const char *fmt, va_list ap)
{
	char line[1024];
	char *p;

	vsnprintf(line, sizeof(line), fmt, ap);
	for (p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	buf_printf(b, "# %s\n", line);
}

void
mig_note(struct mhook *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(&h->notes, fmt, ap);
	va_end(ap);
}

void
mig_refuse(struct mhook *h, const char *fmt, ...)
{
	va_list ap;
	char line[512];
	char *p;

	if (h->why != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	h->why = xstrdup(line);
}

void
mig_key(struct mhook *h, const char *key, const char *value)
{
	if (!mig_ini_safe(value)) {
		mig_refuse(h, "its %s cannot be written on one hookwave.ini line", key);
		return;
	}
	buf_printf(&h->keys, "%s = %s\n", key, value);
}

/* Every line of `b`, commented out unless it already is. */
static void
commented(struct buf *out, const struct buf *b)
{
	const char *p = b->p, *end;

	if (p == NULL)
		return;
	end = p + b->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		buf_adds(out, *p == '#' ? "" : "# ");
		buf_add(out, p, len);
		buf_adds(out, "\n");
		p += len + 1;
	}
}

void
mig_hook_end(struct mig *m, struct mhook *h)
{
	buf_adds(&m->hooks, "\n");
	if (h->why == NULL) {
		buf_printf(&m->hooks, "[hook %s]\n", h->name);
		if (h->notes.len > 0)
			buf_add(&m->hooks, h->notes.p, h->notes.len);
		if (h->keys.len > 0)
			buf_add(&m->hooks, h->keys.p, h->keys.len);
		m->converted++;
	} else {
		buf_printf(&m->hooks, "# [hook %s]\n# not converted: %s\n",
			   h->name, h->why);
		commented(&m->hooks, &h->notes);
		commented(&m->hooks, &h->keys);
		m->attention++;
	}
	buf_release(&h->notes);
	buf_release(&h->keys);
	free(h->name);
	free(h->why);
	memset(h, 0, sizeof(*h));
}

void
mig_strategy(struct mig *m, const char *name, const char *githook)
{
	if (strlist_has(&m->strats, name))
		return;
	strlist_push(&m->strats, name);
	buf_printf(&m->strategies, "\n[strategy %s]\n", name);
	if (githook != NULL)
		buf_printf(&m->strategies, "git_hooks = %s\n", githook);
}

int
migrate_convert(const char *name, const char *text, size_t n,
		struct migrate_result *r, struct err *e)
{
	struct ydoc d;
	struct mig m;
	yaml_node_t *root;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&m, 0, sizeof(m));
	r->format = migrate_detect(name, text, n);
	if (r->format == MIGRATE_UNKNOWN)
		return err_set(e, name, 0, "neither a pre-commit nor a lefthook config (no 'repos:' and no git hook key)");
	if (memchr(text, '\0', n) != NULL)
		return err_set(e, name, 0, "not YAML: a NUL byte");
	if (ydoc_load(&d, text, n, name, e) != 0) {
		ydoc_release(&d);
		return -1;
	}
	root = ydoc_root(&d);
	if (!yis_map(root)) {
		rc = err_set(e, name, yline(root), "not a %s config: the top is not a mapping",
			     r->format == MIGRATE_PRECOMMIT ? "pre-commit" : "lefthook");
		ydoc_release(&d);
		return rc;
	}
	m.d = &d;
	m.file = name;
	rc = r->format == MIGRATE_PRECOMMIT ? migrate_precommit(&m, root, e) :
		migrate_lefthook(&m, root, e);
	ydoc_release(&d);
	if (rc == 0) {
		buf_printf(&r->ini, "# hookwave.ini converted by hookwave migrate from %s.\n",
			   name);
		buf_adds(&r->ini,
			 "# hookwave runs the tools installed on this machine: install each\n"
			 "# one, check its command, then run hookwave --check-config.\n");
		if (m.head.len > 0)
			buf_add(&r->ini, m.head.p, m.head.len);
		if (m.strategies.len > 0)
			buf_add(&r->ini, m.strategies.p, m.strategies.len);
		if (m.hooks.len > 0)
			buf_add(&r->ini, m.hooks.p, m.hooks.len);
		r->converted = m.converted;
		r->attention = m.attention;
	}
	buf_release(&m.head);
	buf_release(&m.strategies);
	buf_release(&m.hooks);
	strlist_release(&m.names);
	strlist_release(&m.strats);
	return rc;
}

void
migrate_release(struct migrate_result *r)
{
	buf_release(&r->ini);
	memset(r, 0, sizeof(*r));
}

#define MIGRATE_MAX_INPUT (16UL << 20)

int
migrate_path(const char *path, struct migrate_result *r, struct err *e)
{
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t got;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, path, 0, "cannot read: %s", strerror(errno));
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (b.len + (size_t)got > MIGRATE_MAX_INPUT) {
			close(fd);
			buf_release(&b);
			return err_set(e, path, 0, "cannot read: larger than 16 MiB");
		}
		buf_add(&b, chunk, (size_t)got);
	}
	if (got < 0) {
		int err = errno;

		close(fd);
		buf_release(&b);
		return err_set(e, path, 0, "cannot read: %s", strerror(err));
	}
	close(fd);
	rc = migrate_convert(path, b.len > 0 ? b.p : "", b.len, r, e);
	buf_release(&b);
	return rc;
}

int
migrate_write_new(const char *path, const char *p, size_t n, struct err *e)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return err_set(e, path, 0, "exists: migrate never writes over a file");
	if (fd < 0)
		return err_set(e, path, 0, "cannot write: %s", strerror(errno));
	if (write_all(fd, p, n) != 0 || fsync(fd) != 0) {
		err = errno;
		close(fd);
		unlink(path);
		return err_set(e, path, 0, "cannot write: %s", strerror(err));
	}
	if (close(fd) != 0) {
		err = errno;
		unlink(path);
		return err_set(e, path, 0, "cannot write: %s", strerror(err));
	}
	return 0;
}
