/*
 * filetype.c - a file's type tags from its name, mode and head. See
 * filetype.h.
 *
 * The tables follow pre-commit's identify (its extensions, names and
 * interpreters), cut to what hooks commonly ask for; `typescript` is
 * hookwave's own name for identify's `ts` and `tsx`, which .ts and
 * .tsx files also carry.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "filetype.h"
#include "util.h"

/* The tags; a tag's bit is its place here. At most 64. */
enum {
	T_FILE, T_SYMLINK, T_EXECUTABLE, T_NON_EXECUTABLE, T_TEXT, T_BINARY,
	T_PYTHON, T_PYTHON2, T_PYTHON3, T_PYI, T_CYTHON,
	T_SHELL, T_SH, T_BASH, T_ZSH, T_KSH, T_DASH, T_CSH,
	T_C, T_CXX, T_HEADER, T_OBJC,
	T_GO, T_RUST, T_JAVA, T_KOTLIN,
	T_JAVASCRIPT, T_JSX, T_TS, T_TSX, T_TYPESCRIPT,
	T_JSON, T_YAML, T_TOML, T_INI, T_XML,
	T_MARKDOWN, T_RST, T_PLAIN_TEXT,
	T_HTML, T_CSS, T_SCSS,
	T_MAKEFILE, T_DOCKERFILE, T_CMAKE,
	T_RUBY, T_PERL, T_LUA, T_PHP, T_SQL,
	T_IMAGE, T_SVG, T_PNG, T_JPEG, T_GIF,
	T_ZIP, T_GZIP, T_TAR, T_PDF, T_DIFF, T_CSV,
	T_COUNT
};

static const char *const tag_names[T_COUNT] = {
	"file", "symlink", "executable", "non-executable", "text", "binary",
	"python", "python2", "python3", "pyi", "cython",
	"shell", "sh", "bash", "zsh", "ksh", "dash", "csh",
	"c", "c++", "header", "objective-c",
	"go", "rust", "java", "kotlin",
	"javascript", "jsx", "ts", "tsx", "typescript",
	"json", "yaml", "toml", "ini", "xml",
	"markdown", "rst", "plain-text",
	"html", "css", "scss",
	"makefile", "dockerfile", "cmake",
	"ruby", "perl", "lua", "php", "sql",
	"image", "svg", "png", "jpeg", "gif",
	"zip", "gzip", "tar", "pdf", "diff", "csv",
};

#define B(t) ((filetype_tags)1 << (t))
#define TEXT B(T_TEXT)
#define BIN B(T_BINARY)
#define ENCODING (TEXT | BIN)

struct entry {
	const char *key;
	filetype_tags tags;
};

/* By extension, lower case, without the dot. */
static const struct entry extensions[] = {
	{ "asar", BIN },
	{ "bash", TEXT | B(T_SHELL) | B(T_BASH) },
	{ "bmp", BIN | B(T_IMAGE) },
	{ "bz2", BIN },
	{ "c", TEXT | B(T_C) },
	{ "c++", TEXT | B(T_CXX) },
	{ "cc", TEXT | B(T_CXX) },
	{ "cfg", TEXT },
	{ "cjs", TEXT | B(T_JAVASCRIPT) },
	{ "cmake", TEXT | B(T_CMAKE) },
	{ "conf", TEXT },
	{ "cpp", TEXT | B(T_CXX) },
	{ "csh", TEXT | B(T_SHELL) | B(T_CSH) },
	{ "css", TEXT | B(T_CSS) },
	{ "csv", TEXT | B(T_CSV) },
	{ "cts", TEXT | B(T_TS) | B(T_TYPESCRIPT) },
	{ "cxx", TEXT | B(T_CXX) },
	{ "diff", TEXT | B(T_DIFF) },
	{ "ear", BIN | B(T_ZIP) },
	{ "eot", BIN },
	{ "eps", BIN },
	{ "exe", BIN },
	{ "gif", BIN | B(T_IMAGE) | B(T_GIF) },
	{ "go", TEXT | B(T_GO) },
	{ "gz", BIN | B(T_GZIP) },
	{ "h", TEXT | B(T_HEADER) | B(T_C) | B(T_CXX) },
	{ "hh", TEXT | B(T_HEADER) | B(T_CXX) },
	{ "hpp", TEXT | B(T_HEADER) | B(T_CXX) },
	{ "htm", TEXT | B(T_HTML) },
	{ "html", TEXT | B(T_HTML) },
	{ "hxx", TEXT | B(T_HEADER) | B(T_CXX) },
	{ "icns", BIN },
	{ "ico", BIN },
	{ "ini", TEXT | B(T_INI) },
	{ "jar", BIN | B(T_ZIP) },
	{ "java", TEXT | B(T_JAVA) },
	{ "jpeg", BIN | B(T_IMAGE) | B(T_JPEG) },
	{ "jpg", BIN | B(T_IMAGE) | B(T_JPEG) },
	{ "js", TEXT | B(T_JAVASCRIPT) },
	{ "json", TEXT | B(T_JSON) },
	{ "jsx", TEXT | B(T_JSX) },
	{ "ksh", TEXT | B(T_SHELL) | B(T_KSH) },
	{ "kt", TEXT | B(T_KOTLIN) },
	{ "lua", TEXT | B(T_LUA) },
	{ "m", TEXT | B(T_C) | B(T_OBJC) },
	{ "markdown", TEXT | B(T_MARKDOWN) },
	{ "md", TEXT | B(T_MARKDOWN) },
	{ "mjs", TEXT | B(T_JAVASCRIPT) },
	{ "mk", TEXT | B(T_MAKEFILE) },
	{ "mts", TEXT | B(T_TS) | B(T_TYPESCRIPT) },
	{ "otf", BIN },
	{ "p12", BIN },
	{ "patch", TEXT | B(T_DIFF) },
	{ "pdf", BIN | B(T_PDF) },
	{ "php", TEXT | B(T_PHP) },
	{ "pl", TEXT | B(T_PERL) },
	{ "pm", TEXT | B(T_PERL) },
	{ "png", BIN | B(T_IMAGE) | B(T_PNG) },
	{ "pxd", TEXT | B(T_CYTHON) },
	{ "pxi", TEXT | B(T_CYTHON) },
	{ "py", TEXT | B(T_PYTHON) },
	{ "pyi", TEXT | B(T_PYI) },
	{ "pyx", TEXT | B(T_CYTHON) },
	{ "pyz", BIN },
	{ "pyzw", BIN },
	{ "rb", TEXT | B(T_RUBY) },
	{ "rs", TEXT | B(T_RUST) },
	{ "rst", TEXT | B(T_RST) },
	{ "scss", TEXT | B(T_SCSS) },
	{ "sh", TEXT | B(T_SHELL) },
	{ "so", BIN },
	{ "sql", TEXT | B(T_SQL) },
	{ "svg", TEXT | B(T_IMAGE) | B(T_SVG) | B(T_XML) },
	{ "swf", BIN },
	{ "tar", BIN | B(T_TAR) },
	{ "tgz", BIN | B(T_GZIP) },
	{ "tiff", BIN | B(T_IMAGE) },
	{ "toml", TEXT | B(T_TOML) },
	{ "ts", TEXT | B(T_TS) | B(T_TYPESCRIPT) },
	{ "tsx", TEXT | B(T_TSX) | B(T_TYPESCRIPT) },
	{ "ttf", BIN },
	{ "txt", TEXT | B(T_PLAIN_TEXT) },
	{ "war", BIN | B(T_ZIP) },
	{ "wav", BIN },
	{ "whl", BIN | B(T_ZIP) },
	{ "woff", BIN },
	{ "woff2", BIN },
	{ "xml", TEXT | B(T_XML) },
	{ "yaml", TEXT | B(T_YAML) },
	{ "yml", TEXT | B(T_YAML) },
	{ "zip", BIN | B(T_ZIP) },
	{ "zsh", TEXT | B(T_SHELL) | B(T_ZSH) },
};

/* By whole base name, or by one of its dot-separated parts
   ("Dockerfile.dev"), exact case. */
static const struct entry names[] = {
	{ ".bash_aliases", TEXT | B(T_SHELL) | B(T_BASH) },
	{ ".bash_profile", TEXT | B(T_SHELL) | B(T_BASH) },
	{ ".bashrc", TEXT | B(T_SHELL) | B(T_BASH) },
	{ ".flake8", TEXT | B(T_INI) },
	{ ".gitconfig", TEXT | B(T_INI) },
	{ ".yamllint", TEXT | B(T_YAML) },
	{ ".zshrc", TEXT | B(T_SHELL) | B(T_ZSH) },
	{ "AUTHORS", TEXT | B(T_PLAIN_TEXT) },
	{ "CMakeLists.txt", TEXT | B(T_CMAKE) },
	{ "COPYING", TEXT | B(T_PLAIN_TEXT) },
	{ "Containerfile", TEXT | B(T_DOCKERFILE) },
	{ "Dockerfile", TEXT | B(T_DOCKERFILE) },
	{ "GNUmakefile", TEXT | B(T_MAKEFILE) },
	{ "Gemfile", TEXT | B(T_RUBY) },
	{ "LICENSE", TEXT | B(T_PLAIN_TEXT) },
	{ "Makefile", TEXT | B(T_MAKEFILE) },
	{ "NOTICE", TEXT | B(T_PLAIN_TEXT) },
	{ "Pipfile", TEXT | B(T_TOML) },
	{ "Pipfile.lock", TEXT | B(T_JSON) },
	{ "README", TEXT | B(T_PLAIN_TEXT) },
	{ "Rakefile", TEXT | B(T_RUBY) },
	{ "makefile", TEXT | B(T_MAKEFILE) },
	{ "setup.cfg", TEXT | B(T_INI) },
};

/* By the interpreter a #! line names, its base name. */
static const struct entry interpreters[] = {
	{ "ash", B(T_SHELL) },
	{ "bash", B(T_SHELL) | B(T_BASH) },
	{ "bats", B(T_SHELL) | B(T_BASH) },
	{ "csh", B(T_SHELL) | B(T_CSH) },
	{ "dash", B(T_SHELL) | B(T_DASH) },
	{ "ksh", B(T_SHELL) | B(T_KSH) },
	{ "lua", B(T_LUA) },
	{ "mksh", B(T_SHELL) | B(T_KSH) },
	{ "node", B(T_JAVASCRIPT) },
	{ "nodejs", B(T_JAVASCRIPT) },
	{ "perl", B(T_PERL) },
	{ "php", B(T_PHP) },
	{ "python", B(T_PYTHON) },
	{ "python2", B(T_PYTHON) | B(T_PYTHON2) },
	{ "python3", B(T_PYTHON) | B(T_PYTHON3) },
	{ "ruby", B(T_RUBY) },
	{ "sh", B(T_SHELL) | B(T_SH) },
	{ "tcsh", B(T_SHELL) | B(T_CSH) },
	{ "zsh", B(T_SHELL) | B(T_ZSH) },
};

/* The entry of `tab` whose key is s[0..n), or NULL. */
static const struct entry *
lookup(const struct entry *tab, size_t ntab, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ntab; i++)
		if (strncmp(tab[i].key, s, n) == 0 && tab[i].key[n] == '\0')
			return &tab[i];
	return NULL;
}

filetype_tags
filetype_tag(const char *name)
{
	unsigned i;

	for (i = 0; i < T_COUNT; i++)
		if (strcmp(tag_names[i], name) == 0)
			return B(i);
	return 0;
}

const char *
filetype_tag_name(unsigned i)
{
	return i < T_COUNT ? tag_names[i] : NULL;
}

filetype_tags
filetype_from_name(const char *path)
{
	const char *base = strrchr(path, '/'), *p, *dot = NULL;
	const struct entry *e;
	filetype_tags tags = 0;
	char ext[16];
	size_t n, i;

	base = base != NULL ? base + 1 : path;
	/* The whole name, then each dot-separated part. */
	e = lookup(names, ARRAY_SIZE(names), base, strlen(base));
	for (p = base; e == NULL && *p != '\0'; p += n + (p[n] == '.')) {
		n = strcspn(p, ".");
		if (n > 0)
			e = lookup(names, ARRAY_SIZE(names), p, n);
	}
	if (e != NULL)
		tags |= e->tags;
	/* The extension: after the last dot that leading dots leave. */
	for (p = base; *p == '.'; p++)
		;
	for (; *p != '\0'; p++)
		if (*p == '.')
			dot = p;
	if (dot != NULL && (n = strlen(dot + 1)) > 0 && n < sizeof(ext)) {
		for (i = 0; i < n; i++)
			ext[i] = dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ?
				 (char)(dot[1 + i] - 'A' + 'a') : dot[1 + i];
		ext[n] = '\0';
		if ((e = lookup(extensions, ARRAY_SIZE(extensions), ext,
				n)) != NULL)
			tags |= e->tags;
	}
	return tags;
}

static int
blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The interpreter's tags, "python3.11" tried as python3.11, python3,
   python. */
static filetype_tags
interpreter_tags(const char *s, size_t n)
{
	const struct entry *e;
	size_t k;

	for (k = n; k > 0; k--)
		if (s[k - 1] == '/')
			break;
	s += k;
	n -= k;
	while (n > 0) {
		if ((e = lookup(interpreters, ARRAY_SIZE(interpreters), s,
				n)) != NULL)
			return e->tags;
		while (n > 0 && s[n - 1] != '.')
			n--;
		if (n > 0)
			n--;    /* the dot */
	}
	return 0;
}

filetype_tags
filetype_from_shebang(const unsigned char *head, size_t len)
{
	size_t end, i, w, wn;
	const char *word;
	int after_env = 0;

	if (len < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	for (end = 2; end < len && head[end] != '\n'; end++)
		/* Printable ASCII only, as identify wants. */
		if (!blank(head[end]) && (head[end] < 0x20 || head[end] > 0x7e))
			return 0;
	for (i = 2; i < end;) {
		while (i < end && blank(head[i]))
			i++;
		if (i == end)
			break;
		for (w = i; w < end && !blank(head[w]); w++)
			;
		word = (const char *)head + i;
		wn = w - i;
		i = w;
		if (!after_env && ((wn >= 4 && memcmp(word + wn - 4, "/env", 4) == 0)
				   || (wn == 3 && memcmp(word, "env", 3) == 0))) {
			after_env = 1;
			continue;
		}
		/* env's options (-S and the like) and VAR=value. */
		if (after_env && (word[0] == '-' || memchr(word, '=', wn) != NULL))
			continue;
		return interpreter_tags(word, wn);
	}
	return 0;
}

int
filetype_is_text(const unsigned char *head, size_t len)
{
	size_t i;

	if (len > FILETYPE_HEAD)
		len = FILETYPE_HEAD;
	for (i = 0; i < len; i++) {
		unsigned char c = head[i];

		if (c == 0x7f ||
		    (c < 0x20 && !(c == 7 || c == 8 || c == 9 || c == 10 ||
				   c == 11 || c == 12 || c == 13 || c == 27)))
			return 0;
	}
	return 1;
}

/* Every tag an interpreter can give. */
static filetype_tags
interpreter_any(void)
{
	filetype_tags t = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(interpreters); i++)
		t |= interpreters[i].tags;
	return t;
}

filetype_tags
filetype_of(const char *path, enum filetype_kind kind, int executable,
	    const unsigned char *head, size_t len)
{
	filetype_tags tags, named;

	if (kind == FILETYPE_SYMLINK)
		return B(T_SYMLINK);
	if (kind != FILETYPE_REGULAR)
		return 0;
	named = filetype_from_name(path);
	tags = B(T_FILE) | named |
	       (executable ? B(T_EXECUTABLE) : B(T_NON_EXECUTABLE));
	if (head == NULL)
		return tags;
	/* A shebang counts for an executable file whose name says
	   nothing. */
	if (named == 0 && executable)
		tags |= filetype_from_shebang(head, len);
	if ((tags & ENCODING) == 0)
		tags |= filetype_is_text(head, len) ? TEXT : BIN;
	return tags;
}

filetype_tags
filetype_head_adds(filetype_tags known)
{
	filetype_tags adds = 0;
	filetype_tags plain = B(T_FILE) | B(T_EXECUTABLE) | B(T_NON_EXECUTABLE);

	if ((known & B(T_FILE)) == 0)
		return 0;
	if ((known & ENCODING) == 0)
		adds |= ENCODING;
	if ((known & B(T_EXECUTABLE)) && (known & ~plain) == 0)
		adds |= interpreter_any();
	return adds;
}

/*
 * The longest tag at q[0..), ending at `end` or at a '+' ("c++" holds
 * '+' itself); its length in *len. 0 when none.
 */
static filetype_tags
tag_at(const char *q, const char *end, size_t *len)
{
	filetype_tags t = 0;
	size_t i, n, best = 0;

	for (i = 0; i < T_COUNT; i++) {
		n = strlen(tag_names[i]);
		if (n > best && n <= (size_t)(end - q) &&
		    memcmp(q, tag_names[i], n) == 0 &&
		    (q + n == end || q[n] == '+')) {
			best = n;
			t = B(i);
		}
	}
	*len = best;
	return t;
}

int
filetype_parse(const char *value, filetype_tags **alts, size_t *n,
	       char *bad, size_t badsize)
{
	const char *p = value, *q, *end;
	filetype_tags *v = NULL, alt, t;
	size_t nv = 0, tn, bn;

	*alts = NULL;
	*n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		end = p + strcspn(p, " \t,");
		alt = 0;
		for (q = p;; q++) {     /* one tag, then a '+' */
			t = tag_at(q, end, &tn);
			if (t == 0 || q + tn == end - 1) {
				/* Unknown: name the tag; a '+' that
				   ends the word, or is doubled: the word. */
				const char *bs = p;

				bn = (size_t)(end - p);
				if (t == 0 && q < end && *q != '+') {
					bs = q;
					bn = strcspn(q, "+ \t,");
				}
				if (bn >= badsize)
					bn = badsize - 1;
				memcpy(bad, bs, bn);
				bad[bn] = '\0';
				free(v);
				return -1;
			}
			alt |= t;
			q += tn;
			if (q == end)
				break;
		}
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = alt;
		p = end;
	}
	*alts = v;
	*n = nv;
	return 0;
}

int
filetype_match(filetype_tags tags, const filetype_tags *alts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((tags & alts[i]) == alts[i])
			return 1;
	return 0;
}
