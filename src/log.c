/*
 * log.c - logfmt lines on stderr, one write per line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"
#include "log.h"
#include "util.h"

static atomic_int log_level = LOG_LEVEL_OFF;
static double log_t0;           /* set by log_init, before any thread */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_init(int level)
{
	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	if (level < LOG_LEVEL_OFF)
		level = LOG_LEVEL_OFF;
	log_t0 = now_monotonic();
	atomic_store(&log_level, level);
}

int
log_enabled(int level)
{
	int cur = atomic_load(&log_level);

	return level >= LOG_LEVEL_ERROR && cur >= LOG_LEVEL_ERROR && level <= cur;
}

/* Whether a value must be quoted: empty, blanks, '"', '=', '\', or
 * anything but printable ASCII and valid UTF-8 above it. */
static int
needs_quotes(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), i = 0;

	if (n == 0)
		return 1;
	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0 || cp <= 0x20 || cp == 0x7f || cp == '"' ||
		    cp == '=' || cp == '\\' || (cp >= 0x80 && cp <= 0x9f))
			return 1;
		i += len;
	}
	return 0;
}

/* Append value v, quoted and escaped when it needs to be. */
static void
add_value(struct buf *b, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), i = 0;

	if (!needs_quotes(v)) {
		buf_add(b, v, n);
		return;
	}
	buf_add(b, "\"", 1);
	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			buf_printf(b, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			buf_add(b, "\\", 1);
			buf_add(b, s + i, 1);
		} else if (cp == '\n') {
			buf_adds(b, "\\n");
		} else if (cp == '\t') {
			buf_adds(b, "\\t");
		} else if (cp == '\r') {
			buf_adds(b, "\\r");
		} else if (cp < 0x20 || cp == 0x7f) {
			buf_printf(b, "\\x%02lx", cp);
		} else if (cp >= 0x80 && cp <= 0x9f) {
			size_t k;

			for (k = 0; k < len; k++)
				buf_printf(b, "\\x%02x", s[i + k]);
		} else {
			buf_add(b, s + i, len);
		}
		i += len;
	}
	buf_add(b, "\"", 1);
}

/* Append key k with anything outside [A-Za-z0-9_.-] as '_'. */
static void
add_key(struct buf *b, const char *k)
{
	if (*k == '\0') {
		buf_add(b, "_", 1);
		return;
	}
	for (; *k != '\0'; k++) {
		char c = *k;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			c = '_';
		buf_add(b, &c, 1);
	}
}

void
log_event(int level, const char *msg, ...)
{
	struct buf b = { NULL, 0, 0 };
	const char *k;
	va_list ap;
	int saved = errno;
	double ts;

	if (!log_enabled(level))
		return;
	ts = now_monotonic() - log_t0;
	buf_printf(&b, "ts=%.3f level=%s msg=", ts < 0 ? 0.0 : ts,
		   level_names[level]);
	add_value(&b, msg != NULL ? msg : "");
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);

		if (v == NULL)
			continue;
		buf_add(&b, " ", 1);
		add_key(&b, k);
		buf_add(&b, "=", 1);
		add_value(&b, v);
	}
	va_end(ap);
	buf_add(&b, "\n", 1);
	if (pthread_mutex_lock(&log_mu) != 0)
		abort();
	(void)write_all(STDERR_FILENO, b.p, b.len);
	pthread_mutex_unlock(&log_mu);
	buf_release(&b);
	errno = saved;
}
