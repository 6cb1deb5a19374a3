/* escape.c - bytes to valid JSON, XML and YAML text. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "escape.h"

static const char replacement[] = "\xEF\xBF\xBD";       /* U+FFFD */


void
json_string(struct buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	buf_add(b, "\"", 1);
	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const char *esc = NULL;
		char tmp[8];

		if (len > 0 && cp >= 0x20 && cp != '"' && cp != '\\' && cp != 0x7f) {
			i += len;
			run += len;
			continue;
		}
		/* flush the plain run before the character that needs care */
		buf_add(b, s + i - run, run);
		run = 0;
		if (len == 0) {
			esc = replacement;
			len = 1;
		} else if (cp == '"') {
			esc = "\\\"";
		} else if (cp == '\\') {
			esc = "\\\\";
		} else if (cp == '\n') {
			esc = "\\n";
		} else if (cp == '\t') {
			esc = "\\t";
		} else if (cp == '\r') {
			esc = "\\r";
		} else {
			snprintf(tmp, sizeof(tmp), "\\u%04lx", cp);
			esc = tmp;
		}
		buf_adds(b, esc);
		i += len;
	}
	buf_add(b, s + i - run, run);
	buf_add(b, "\"", 1);
}

/* Shared loop of xml_text and clean_text. */
static void
text_common(struct buf *b, const char *str, size_t n, int xml)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		const char *esc = NULL;

		/* XML 1.0 allows the C1 controls; plain text has none */
		if (len > 0 && (cp >= 0x20 || cp == '\n' || cp == '\t' ||
				(xml && cp == '\r')) &&
		    cp != 0x7f && cp != 0xfffe && cp != 0xffff &&
		    !(!xml && cp >= 0x80 && cp <= 0x9f) &&
		    !(xml && (cp == '&' || cp == '<' || cp == '>' ||
			      cp == '"' || cp == '\''))) {
			i += len;
			run += len;
			continue;
		}
		buf_add(b, s + i - run, run);
		run = 0;
		if (len == 0)
			len = 1;
		switch (len == 1 ? s[i] : 0) {
		case '&':
			esc = "&amp;";
			break;
		case '<':
			esc = "&lt;";
			break;
		case '>':
			esc = "&gt;";
			break;
		case '"':
			esc = "&quot;";
			break;
		case '\'':
			esc = "&apos;";
			break;
		default:
			esc = replacement;
			break;
		}
		buf_adds(b, esc);
		i += len;
	}
	buf_add(b, s + i - run, run);
}

void
xml_text(struct buf *b, const char *s, size_t n)
{
	text_common(b, s, n, 1);
}

void
clean_text(struct buf *b, const char *s, size_t n)
{
	text_common(b, s, n, 0);
}
