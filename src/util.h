/*
 * util.h - the few helpers every module shares: checked allocation,
 * error records, string lists, the monotonic clock.
 *
 * Allocation failure is not an error hookwave recovers from: the x*
 * functions abort() on it, as libuv does for "cannot fail" calls.
 */
#ifndef HOOKWAVE_UTIL_H
#define HOOKWAVE_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * An error found by a library module, for main.c to print. `file` is
 * borrowed (usually the config path) and may be NULL; `line` is 0 when
 * there is no line. Modules fill it in and return -1; they never print.
 */
struct err {
	const char *file;
	unsigned long line;
	char msg[1024];
};

/* Fill in `e` (if not NULL) and return -1, so callers can `return err_set(...)`. */
int err_set(struct err *e, const char *file, unsigned long line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Format `e` as "hookwave: FILE:LINE: message\n" (or shorter forms when
 * there is no file or line) into buf; control characters become '?'.
 * Returns the length written (always NUL-terminated, truncated to fit).
 */
size_t err_format(const struct err *e, char *buf, size_t size);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc to n * size with overflow check. */
void *xreallocarray(void *p, size_t n, size_t size);
/*
 * The same, but NULL (p untouched) instead of an abort: for the places
 * that turn running out of memory into an error (a worker thread, the
 * pool, the guardian).
 */
void *tryreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable array of owned strings. Zero-initialised is empty. */
struct strlist {
	char **v;
	size_t n, alloc;
};
void strlist_push(struct strlist *l, const char *s);      /* copies s */
void strlist_push_owned(struct strlist *l, char *s);      /* takes s */
int strlist_has(const struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

/*
 * The user's cache directory: $XDG_CACHE_HOME when absolute, else
 * $HOME/.cache; without trailing slashes; malloc'd, NULL when neither.
 */
char *xdg_cache_home(void);

/* qsort comparator for doubles, ascending (NaN compares equal). */
int cmp_double(const void *a, const void *b);

/* Seconds on CLOCK_MONOTONIC. */
double now_monotonic(void);

/*
 * Parse a decimal number made of digits only (no sign, no space, no
 * 0x) into *out if it lies in [min, max]. Returns 0, or -1 when the
 * text is not such a number or is out of range.
 */
int parse_ulong(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/* 1 for yes/true/on/1, 0 for no/false/off/0 (any case), -1 otherwise. */
int parse_bool(const char *s);

/*
 * Length of the valid UTF-8 sequence at s (1-4, *cp set), or 0 when
 * s[0] does not start one (no overlongs, no surrogates). n >= 1.
 */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp);

/* Non-zero if s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);

/* The value of hex digit c (either case), or -1. */
int hex_digit(int c);

/*
 * s with ".", ".." and repeated slashes resolved by the text alone (no
 * symlink is looked at): an absolute path stays absolute ("/.." is
 * "/"), a relative one keeps the ".." that lead out of it ("" and "."
 * give "."). malloc'd.
 */
char *path_normalize(const char *s);

/*
 * Edit distance between a and b: inserts, deletes, substitutions and
 * swaps of two adjacent characters count one each (optimal string
 * alignment: no character is edited twice, so "ca" to "abc" is 3).
 * (size_t)-1 when either is longer than 256 bytes: it is for "did you
 * mean" on names, and a far distance suggests nothing.
 */
size_t edit_distance(const char *a, const char *b);

/*
 * write(2) all of buf to fd, retrying on EINTR and short writes.
 * Returns 0, or -1 with errno set.
 */
int write_all(int fd, const void *buf, size_t n);

#endif
