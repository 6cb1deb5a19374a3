/*
 * pyregex.c - Python regular expressions as POSIX extended ones; see
 * pyregex.h.
 */
#include "pyregex.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

static char *
fail(struct buf *b, char *why, unsigned size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	buf_release(b);
	return NULL;
}

/* The bracket-expression body of a class escape, or NULL. */
static const char *
class_body(char c)
{
	switch (c) {
	case 'd': return "0-9";
	case 's': return " \t\n\r\f\v";
	case 'w': return "A-Za-z0-9_";
	default: return NULL;
	}
}

/* Characters an ERE gives a meaning outside brackets. */
static int
ere_special(char c)
{
	return c != '\0' && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

/* Skip what verbose mode ignores: blanks, and # comments to the line's end. */
static const char *
skip_verbose(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		       *p == '\f' || *p == '\v')
			p++;
		if (*p != '#')
			return p;
		while (*p != '\0' && *p != '\n')
			p++;
	}
}

/* Is p at a bound "{m}", "{m,}", "{,n}" or "{m,n}"? */
static int
is_bound(const char *p)
{
	const char *q = p + 1;
	int digits = 0;

	while (*q >= '0' && *q <= '9')
		q++, digits++;
	if (*q == ',') {
		q++;
		while (*q >= '0' && *q <= '9')
			q++, digits++;
	}
	return *q == '}' && digits > 0;
}

/*
 * A bracket expression from p (just after '['); returns the position
 * after its ']' or NULL. Python's escapes become what POSIX brackets
 * hold: a ']' goes first, a '-' last, '^' anywhere but first.
 */
static const char *
bracket(const char *p, struct buf *b, char *why, unsigned size)
{
	struct buf body = { 0 };
	int negate = 0, close = 0, dash = 0, caret = 0;

	if (*p == '^')
		negate = 1, p++;
	if (*p == ']')
		close = 1, p++;
	for (; *p != ']'; p++) {
		const char *cls;

		if (*p == '\0') {
			buf_release(&body);
			snprintf(why, size, "unterminated [");
			return NULL;
		}
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			/* A POSIX class: Python reads it as plain characters. */
			buf_release(&body);
			snprintf(why, size, "'[%c' inside brackets means something else to POSIX", p[1]);
			return NULL;
		}
		if (*p != '\\') {
			if (*p == ']' )
				close = 1;
			else if (*p == '^')
				caret = 1;
			else if (*p == '-' && (body.len == 0 || p[1] == ']'))
				dash = 1;
			else
				buf_add(&body, p, 1);
			continue;
		}
		p++;
		if ((cls = class_body(*p)) != NULL) {
			buf_adds(&body, cls);
		} else if (*p == 'D' || *p == 'S' || *p == 'W') {
			buf_release(&body);
			snprintf(why, size, "\\%c inside brackets", *p);
			return NULL;
		} else if (*p == 'n') {
			buf_adds(&body, "\n");
		} else if (*p == 't') {
			buf_adds(&body, "\t");
		} else if (*p == ']') {
			close = 1;
		} else if (*p == '-') {
			dash = 1;
		} else if (*p == '^') {
			caret = 1;
		} else if (*p == '\\' || (*p != '\0' && strchr("[.*+?(){}|$/#&~ '\"!,:;<=>@`%", *p))) {
			buf_add(&body, p, 1);
		} else {
			buf_release(&body);
			snprintf(why, size, "\\%c inside brackets", *p == '\0' ? '\\' : *p);
			return NULL;
		}
	}
	if (body.len == 0 && !close && !dash && !caret) {
		buf_release(&body);
		snprintf(why, size, "empty brackets");
		return NULL;
	}
	buf_adds(b, negate ? "[^" : "[");
	if (close)
		buf_adds(b, "]");
	if (body.len > 0)
		buf_add(b, body.p, body.len);
	if (caret)
		buf_adds(b, "^");
	if (dash)
		buf_adds(b, "-");
	buf_adds(b, "]");
	/* "[^]" alone or "[^" + "^" only: "^" first would negate. */
	buf_release(&body);
	return p + 1;
}

char *
pyregex_to_ere(const char *py, char *why, unsigned size)
{
	struct buf b = { 0 };
	const char *p = py;
	int verbose = 0, depth = 0;
	regex_t re;
	char *out;
	int can_repeat = 0, bounds = 0;

	/* regcomp's time and memory grow with the pattern: keep it small. */
	if (strlen(py) > 4096)
		return fail(&b, why, size, "longer than 4096 bytes");
	/* Leading inline flags: only x (verbose) can be honoured. */
	while (p[0] == '(' && p[1] == '?' && strchr("aiLmsux", p[2]) != NULL &&
	       p[2] != '\0') {
		const char *q = p + 2;

		while (*q != '\0' && strchr("aiLmsux", *q) != NULL) {
			if (*q == 'x')
				verbose = 1;
			else if (*q != 'u' && *q != 'a')
				return fail(&b, why, size, "the inline flag (?%c) has no POSIX form",
					    *q);
			q++;
		}
		if (*q != ')')
			return fail(&b, why, size, "inline flags that scope a group");
		p = q + 1;
	}
	for (;;) {
		const char *cls;

		if (verbose)
			p = skip_verbose(p);
		if (*p == '\0')
			break;
		switch (*p) {
		case '[':
			if ((p = bracket(p + 1, &b, why, size)) == NULL) {
				buf_release(&b);
				return NULL;
			}
			can_repeat = 1;
			continue;
		case '(':
			can_repeat = 0;
			if (p[1] != '?') {
				buf_adds(&b, "(");
				depth++;
				p++;
				continue;
			}
			if (p[2] == ':') {
				p += 3;
			} else if (p[2] == 'P' && p[3] == '<') {
				const char *q = strchr(p, '>');

				if (q == NULL)
					return fail(&b, why, size, "unterminated (?P<");
				p = q + 1;
			} else if (p[2] == '=' || p[2] == '!' ||
				   (p[2] == '<' && (p[3] == '=' || p[3] == '!'))) {
				return fail(&b, why, size, "lookarounds have no POSIX form");
			} else if (p[2] == '#') {
				const char *q = strchr(p, ')');

				if (q == NULL)
					return fail(&b, why, size, "unterminated (?#");
				p = q + 1;
				continue;
			} else {
				return fail(&b, why, size, "(?%c has no POSIX form",
					    p[2] == '\0' ? '?' : p[2]);
			}
			buf_adds(&b, "(");
			depth++;
			continue;
		case ')':
			if (depth == 0)
				return fail(&b, why, size, "unbalanced )");
			depth--;
			buf_adds(&b, ")");
			p++;
			can_repeat = 1;
			continue;
		case '|':
			buf_adds(&b, "|");
			p++;
			can_repeat = 0;
			continue;
		case '*': case '+': case '?':
			if (!can_repeat)
				return fail(&b, why, size, "nothing to repeat before '%c'", *p);
			can_repeat = 0;
			buf_add(&b, p, 1);
			p++;
			/* Lazy or possessive: a search matches the same paths. */
			if (*p == '?' || *p == '+')
				p++;
			continue;
		case '{':
			if (is_bound(p)) {
				const char *q = strchr(p, '}'), *d;

				if (!can_repeat)
					return fail(&b, why, size, "nothing to repeat before '{'");
				/* regcomp copies what a bound repeats: keep it cheap. */
				for (d = p + 1; d < q; d++)
					if (*d >= '0' && *d <= '9' && strtoul(d, NULL, 10) > 64)
						return fail(&b, why, size, "a repeat count over 64");
				if (++bounds > 2)
					return fail(&b, why, size, "more than two repeat counts");
				can_repeat = 0;

				if (p[1] == ',')
					buf_adds(&b, "{0");
				else
					buf_adds(&b, "{");
				buf_add(&b, p + 1 + (p[1] == ','), (size_t)(q - p) - (p[1] == ','));
				p = q + 1;
				if (*p == '?')
					p++;
			} else {
				buf_adds(&b, "\\{");
				p++;
				can_repeat = 1;
			}
			continue;
		case '}':
			buf_adds(&b, "\\}");
			p++;
			can_repeat = 1;
			continue;
		case '\\':
			p++;
			can_repeat = *p != 'A' && *p != 'Z' && *p != 'z';
			if ((cls = class_body(*p)) != NULL) {
				buf_printf(&b, "[%s]", cls);
			} else if (*p == 'D' || *p == 'S' || *p == 'W') {
				buf_printf(&b, "[^%s]", class_body((char)(*p - 'A' + 'a')));
			} else if (*p == 'A') {
				buf_adds(&b, "^");
			} else if (*p == 'Z' || *p == 'z') {
				buf_adds(&b, "$");
			} else if (*p == 'n') {
				buf_adds(&b, "\n");
			} else if (*p == 't') {
				buf_adds(&b, "\t");
			} else if (ere_special(*p)) {
				buf_add(&b, p - 1, 2);
			} else if (*p != '\0' && strchr("/#&~ '\"!,:;<=>@`%-_", *p) != NULL) {
				buf_add(&b, p, 1);
			} else if (*p >= '1' && *p <= '9') {
				return fail(&b, why, size, "back references have no POSIX form");
			} else {
				return fail(&b, why, size, "\\%c has no POSIX form",
					    *p == '\0' ? '\\' : *p);
			}
			p++;
			continue;
		default:
			/* Anchors repeat nothing; ERE leaves "^*" undefined. */
			can_repeat = *p != '^' && *p != '$';
			buf_add(&b, p, 1);
			p++;
			continue;
		}
	}
	if (depth != 0)
		return fail(&b, why, size, "unbalanced (");
	out = xstrdup(b.len > 0 ? b.p : "");
	buf_release(&b);
	if (*out == '\0') {
		free(out);
		snprintf(why, size, "an empty pattern");
		return NULL;
	}
	if (regcomp(&re, out, REG_EXTENDED | REG_NOSUB) != 0) {
		free(out);
		snprintf(why, size, "not a POSIX extended regular expression");
		return NULL;
	}
	regfree(&re);
	return out;
}
