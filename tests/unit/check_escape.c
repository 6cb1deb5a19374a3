/*
 * check_escape.c - unit tests for escape.[ch]: json_string, xml_text
 * and clean_text byte for byte on every kind of input (quotes,
 * backslash, each control character, NUL, invalid UTF-8, noncharacters,
 * "]]>"), then on random bytes through small checkers of the output
 * formats written here: a JSON string literal that decodes back to the
 * input, XML text that has only XML 1.0 characters and entities.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "util.h"

Suite *escape_suite(void);

#define FFFD "\xef\xbf\xbd"

typedef void escape_fn(struct buf *, const char *, size_t);

/* Escape n bytes of s (after some text already in the buffer, which
 * must stay as it was) and compare with want. */
static void
expect(escape_fn *fn, const char *s, size_t n, const char *want)
{
	struct buf b = { NULL, 0, 0 };
	size_t wlen = strlen(want);

	buf_adds(&b, "pre");
	fn(&b, s, n);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_int_eq(memcmp(b.p, "pre", 3), 0);
	ck_assert_msg(b.len - 3 == wlen && memcmp(b.p + 3, want, wlen) == 0,
		      "got '%s', want '%s'", b.p + 3, want);
	ck_assert_int_eq(b.p[b.len], '\0');
	buf_release(&b);
}

#define EXPECT(fn, lit, want) expect(fn, lit, sizeof(lit) - 1, want)

/* Append code point cp as UTF-8. */
static void
put_utf8(struct buf *b, unsigned long cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | cp >> 18);
		s[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		s[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, s, n);
}

/* --- json_string ------------------------------------------------------- */

START_TEST(test_json_plain)
{
	EXPECT(json_string, "", "\"\"");
	EXPECT(json_string, "abc", "\"abc\"");
	EXPECT(json_string, "a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	EXPECT(json_string, "\"\"", "\"\\\"\\\"\"");
	EXPECT(json_string, "\\", "\"\\\\\"");
	EXPECT(json_string, "line\nnext\ttab\rcr", "\"line\\nnext\\ttab\\rcr\"");
	/* valid UTF-8 as it is, U+2028 and U+FFFF included */
	EXPECT(json_string, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e",
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"");
	EXPECT(json_string, "\xe2\x80\xa8\xef\xbf\xbf\xf4\x8f\xbf\xbf",
	       "\"\xe2\x80\xa8\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
	/* only n bytes */
	expect(json_string, "abcdef", 3, "\"abc\"");
	expect(json_string, "abcdef", 0, "\"\"");
}
END_TEST

/* Every C0 control, DEL and NUL inside. */
START_TEST(test_json_controls)
{
	int c;

	for (c = 0; c < 0x20; c++) {
		char in[3] = { 'x', (char)c, 'y' };
		char want[16];

		if (c == '\n')
			strcpy(want, "\"x\\ny\"");
		else if (c == '\t')
			strcpy(want, "\"x\\ty\"");
		else if (c == '\r')
			strcpy(want, "\"x\\ry\"");
		else
			snprintf(want, sizeof(want), "\"x\\u%04xy\"", c);
		expect(json_string, in, 3, want);
	}
	EXPECT(json_string, "\x7f", "\"\\u007f\"");
	EXPECT(json_string, "a\0b", "\"a\\u0000b\"");
	EXPECT(json_string, "\0\0", "\"\\u0000\\u0000\"");
	EXPECT(json_string, "\x1b[31mred\x1b[0m",
	       "\"\\u001b[31mred\\u001b[0m\"");
	EXPECT(json_string, "\b\f", "\"\\u0008\\u000c\"");
	/* C1 controls are valid in a JSON string */
	EXPECT(json_string, "\xc2\x85\xc2\x9b", "\"\xc2\x85\xc2\x9b\"");
}
END_TEST

/* Each byte that does not start a valid sequence is one U+FFFD. */
START_TEST(test_json_invalid_utf8)
{
	EXPECT(json_string, "\xff", "\"" FFFD "\"");
	EXPECT(json_string, "a\x80z", "\"a" FFFD "z\"");
	EXPECT(json_string, "\xc3", "\"" FFFD "\"");                /* truncated */
	EXPECT(json_string, "\xe2\x82", "\"" FFFD FFFD "\"");
	EXPECT(json_string, "\xf0\x9f\x98", "\"" FFFD FFFD FFFD "\"");
	EXPECT(json_string, "\xc3(", "\"" FFFD "(\"");
	EXPECT(json_string, "\xc3\"", "\"" FFFD "\\\"\"");
	EXPECT(json_string, "\xc0\xaf", "\"" FFFD FFFD "\"");       /* overlong */
	EXPECT(json_string, "\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");
	EXPECT(json_string, "\xed\xa0\x80", "\"" FFFD FFFD FFFD "\""); /* surrogate */
	EXPECT(json_string, "\xf4\x90\x80\x80",
	       "\"" FFFD FFFD FFFD FFFD "\"");                          /* > U+10FFFF */
	EXPECT(json_string, "ok\xe2\x82\xac\xe2\x82",
	       "\"ok\xe2\x82\xac" FFFD FFFD "\"");
	/* the sequence cut by n, though the bytes after it would finish it */
	expect(json_string, "\xe2\x82\xac", 2, "\"" FFFD FFFD "\"");
}
END_TEST

/* --- a JSON string checker ------------------------------------------- */

/* A checker's "no", and why. */
static int
bad(const char **why, const char *what)
{
	*why = what;
	return -1;
}

/* Four hex digits at s (n bytes left), or -1. */
static long
hex4(const unsigned char *s, size_t n)
{
	long v = 0;
	size_t k;

	if (n < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		int h = hex_digit(s[k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Decode the JSON string literal s[0..n) (RFC 8259: quotes, no raw
 * control character, only the defined escapes, UTF-8 inside) into out.
 * Returns 0, or -1 with why set when it is not one.
 */
static int
json_decode(const char *str, size_t n, struct buf *out, const char **why)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 1;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return bad(why, "not quoted");
	while (i < n - 1) {
		unsigned long cp;
		size_t len;

		if (s[i] == '"')
			return bad(why, "raw quote");
		if (s[i] < 0x20)
			return bad(why, "raw control character");
		if (s[i] != '\\') {
			len = utf8_decode(s + i, n - 1 - i, &cp);
			if (len == 0)
				return bad(why, "invalid UTF-8");
			buf_add(out, s + i, len);
			i += len;
			continue;
		}
		if (i + 1 >= n - 1)
			return bad(why, "backslash at the end");
		switch (s[i + 1]) {
		case '"': case '\\': case '/':
			buf_add(out, s + i + 1, 1);
			break;
		case 'b':
			buf_add(out, "\b", 1);
			break;
		case 'f':
			buf_add(out, "\f", 1);
			break;
		case 'n':
			buf_add(out, "\n", 1);
			break;
		case 'r':
			buf_add(out, "\r", 1);
			break;
		case 't':
			buf_add(out, "\t", 1);
			break;
		case 'u': {
			long v = hex4(s + i + 2, n - 1 - (i + 2));

			if (v < 0)
				return bad(why, "bad \\u");
			if (v >= 0xd800 && v <= 0xdfff)
				return bad(why, "\\u surrogate");
			put_utf8(out, (unsigned long)v);
			i += 4;
			break;
		}
		default:
			return bad(why, "unknown escape");
		}
		i += 2;
	}
	return 0;
}

/* s with every byte that starts no valid UTF-8 sequence as U+FFFD. */
static void
replace_invalid(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			buf_adds(out, FFFD);
			i++;
		} else {
			buf_add(out, s + i, len);
			i += len;
		}
	}
}

static uint64_t
rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random bytes, heavy on the ones that need care. */
static size_t
random_input(uint64_t *seed, char *s, size_t size)
{
	static const char *const pieces[] = {
		"\"", "\\", "\n", "\t", "\r", "\0", "\x1b", "\x7f", "&", "<", ">",
		"'", "]]>", "]]", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e",
		"\xc2\x85", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xed\xa0\x80", "\xc3",
		"\xe2\x82", "\x80", "\xff", "\xc0\xaf", "\xf4\x90\x80\x80", "a",
		"Z", " ", "/",
	};
	size_t n = 0, want = rng(seed) % 48;

	while (n < want) {
		uint64_t r = rng(seed);

		if (r % 4 == 0 && n < size) {
			s[n++] = (char)(r >> 8);        /* any byte */
		} else {
			const char *p = pieces[(r >> 8) % ARRAY_SIZE(pieces)];
			size_t len = p[0] == '\0' ? 1 : strlen(p);

			if (n + len > size)
				break;
			memcpy(s + n, p, len);
			n += len;
		}
	}
	return n;
}

START_TEST(test_json_random)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;
	int round;

	for (round = 0; round < 20000; round++) {
		char in[64];
		size_t n = random_input(&seed, in, sizeof(in));
		struct buf out = { NULL, 0, 0 }, dec = { NULL, 0, 0 },
			   want = { NULL, 0, 0 };
		const char *why = NULL;

		json_string(&out, in, n);
		if (json_decode(out.p, out.len, &dec, &why) != 0)
			ck_abort_msg("round %d: %s: %s", round, why, out.p);
		replace_invalid(&want, in, n);
		if (dec.len != want.len ||
		    (want.len > 0 && memcmp(dec.p, want.p, want.len) != 0))
			ck_abort_msg("round %d: decodes to something else: %s",
				     round, out.p);
		buf_release(&out);
		buf_release(&dec);
		buf_release(&want);
	}
}
END_TEST

/* --- xml_text --------------------------------------------------------- */

START_TEST(test_xml_entities)
{
	EXPECT(xml_text, "", "");
	EXPECT(xml_text, "plain text", "plain text");
	EXPECT(xml_text, "&<>\"'", "&amp;&lt;&gt;&quot;&apos;");
	EXPECT(xml_text, "a && b < c", "a &amp;&amp; b &lt; c");
	EXPECT(xml_text, "&amp;", "&amp;amp;");
	EXPECT(xml_text, "]]>", "]]&gt;");
	EXPECT(xml_text, "x]]>]]>y", "x]]&gt;]]&gt;y");
	EXPECT(xml_text, "<![CDATA[x]]>", "&lt;![CDATA[x]]&gt;");
	expect(xml_text, "<>&", 2, "&lt;&gt;");
}
END_TEST

/* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]; DEL is replaced as well. */
START_TEST(test_xml_chars)
{
	int c;

	for (c = 0; c < 0x20; c++) {
		char in[3] = { 'x', (char)c, 'y' };
		char want[8] = "x";

		if (c == '\t' || c == '\n' || c == '\r') {
			want[1] = (char)c;
			want[2] = '\0';
		} else {
			strcat(want, FFFD);
		}
		strcat(want, "y");
		expect(xml_text, in, 3, want);
	}
	EXPECT(xml_text, "a\0b", "a" FFFD "b");
	EXPECT(xml_text, "\x7f", FFFD);
	EXPECT(xml_text, "\x1b[1m", FFFD "[1m");
	/* C1 controls are XML 1.0 characters */
	EXPECT(xml_text, "\xc2\x80\xc2\x85\xc2\x9f", "\xc2\x80\xc2\x85\xc2\x9f");
	EXPECT(xml_text, "\xed\x9f\xbf", "\xed\x9f\xbf");                 /* U+D7FF */
	EXPECT(xml_text, "\xee\x80\x80", "\xee\x80\x80");                 /* U+E000 */
	EXPECT(xml_text, "\xef\xbf\xbd", "\xef\xbf\xbd");                 /* U+FFFD */
	EXPECT(xml_text, "\xef\xbf\xbe", FFFD);                           /* U+FFFE */
	EXPECT(xml_text, "\xef\xbf\xbf", FFFD);                           /* U+FFFF */
	EXPECT(xml_text, "\xf0\x90\x80\x80", "\xf0\x90\x80\x80");
	EXPECT(xml_text, "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	/* invalid UTF-8: a U+FFFD per byte */
	EXPECT(xml_text, "\xff\xfe", FFFD FFFD);
	EXPECT(xml_text, "\xed\xa0\x80", FFFD FFFD FFFD);
	EXPECT(xml_text, "\xc3<", FFFD "&lt;");
	EXPECT(xml_text, "\xe2\x82", FFFD FFFD);
	EXPECT(xml_text, "\xc0\xbc", FFFD FFFD);        /* overlong '<' */
}
END_TEST

/* The code point XML output may carry for input code point cp. */
static unsigned long
xml_allowed(unsigned long cp)
{
	if (cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff && cp != 0x7f) ||
	    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff))
		return cp;
	return 0xfffd;
}

/*
 * Decode XML text: valid UTF-8, only XML 1.0 characters, no '<', no
 * "]]>", '&' only in the five predefined entities. Returns 0 and the
 * decoded text, or -1 with why set.
 */
static int
xml_decode(const char *str, size_t n, struct buf *out, const char **why)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;

	if (n >= 3 && memmem(str, n, "]]>", 3) != NULL)
		return bad(why, "]]>");
	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0)
			return bad(why, "invalid UTF-8");
		if (xml_allowed(cp) != cp)
			return bad(why, "not an XML character");
		if (cp == '<')
			return bad(why, "raw <");
		if (cp != '&') {
			buf_add(out, s + i, len);
			i += len;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(ents); k++) {
			size_t el = strlen(ents[k].ent);

			if (n - i >= el && memcmp(s + i, ents[k].ent, el) == 0) {
				buf_add(out, &ents[k].c, 1);
				i += el;
				break;
			}
		}
		if (k == ARRAY_SIZE(ents))
			return bad(why, "raw &");
	}
	return 0;
}

/* Input as its characters, each passed through `allowed`. */
static void
expected_text(struct buf *out, const char *str, size_t n,
	      unsigned long (*allowed)(unsigned long))
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned long cp;
		size_t len = utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			cp = 0xfffd;
			len = 1;
		}
		put_utf8(out, allowed(cp));
		i += len;
	}
}

START_TEST(test_xml_random)
{
	uint64_t seed = 0x2545f4914f6cdd1du;
	int round;

	for (round = 0; round < 20000; round++) {
		char in[64];
		size_t n = random_input(&seed, in, sizeof(in));
		struct buf out = { NULL, 0, 0 }, dec = { NULL, 0, 0 },
			   want = { NULL, 0, 0 };
		const char *why = NULL;

		xml_text(&out, in, n);
		if (xml_decode(out.p, out.len, &dec, &why) != 0)
			ck_abort_msg("round %d: %s: %s", round, why, out.p);
		expected_text(&want, in, n, xml_allowed);
		if (dec.len != want.len ||
		    (want.len > 0 && memcmp(dec.p, want.p, want.len) != 0))
			ck_abort_msg("round %d: decodes to something else: %s",
				     round, out.p);
		buf_release(&out);
		buf_release(&dec);
		buf_release(&want);
	}
}
END_TEST

/* --- clean_text ------------------------------------------------------- */

START_TEST(test_clean_text)
{
	int c;

	EXPECT(clean_text, "", "");
	EXPECT(clean_text, "ok: fine\n\tindented\n", "ok: fine\n\tindented\n");
	/* nothing is an entity here */
	EXPECT(clean_text, "&<>\"']]>\\", "&<>\"']]>\\");
	for (c = 0; c < 0x20; c++) {
		char in[3] = { 'x', (char)c, 'y' };
		char want[8] = "x";

		if (c == '\t' || c == '\n') {
			want[1] = (char)c;
			want[2] = '\0';
		} else {
			strcat(want, FFFD);
		}
		strcat(want, "y");
		expect(clean_text, in, 3, want);
	}
	EXPECT(clean_text, "a\r\nb", "a" FFFD "\nb");
	EXPECT(clean_text, "a\0b", "a" FFFD "b");
	EXPECT(clean_text, "\x7f", FFFD);
	EXPECT(clean_text, "\x1b[31mred\x1b[0m", FFFD "[31mred" FFFD "[0m");
	/* C1 controls (U+0080-U+009F) are control characters too */
	EXPECT(clean_text, "\xc2\x80|\xc2\x85|\xc2\x9b|\xc2\x9f|\xc2\xa0",
	       FFFD "|" FFFD "|" FFFD "|" FFFD "|\xc2\xa0");
	EXPECT(clean_text, "\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd", FFFD FFFD FFFD);
	EXPECT(clean_text, "caf\xc3\xa9 \xf0\x9d\x84\x9e",
	       "caf\xc3\xa9 \xf0\x9d\x84\x9e");
	EXPECT(clean_text, "\xff\xc3", FFFD FFFD);
	EXPECT(clean_text, "\xed\xbf\xbf", FFFD FFFD FFFD);
	expect(clean_text, "\xe2\x82\xac", 2, FFFD FFFD);
}
END_TEST

static unsigned long
clean_allowed(unsigned long cp)
{
	if (cp == '\n' || cp == '\t')
		return cp;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe ||
	    cp == 0xffff)
		return 0xfffd;
	return cp;
}

START_TEST(test_clean_random)
{
	uint64_t seed = 0xda942042e4dd58b5u;
	int round;

	for (round = 0; round < 20000; round++) {
		char in[64];
		size_t n = random_input(&seed, in, sizeof(in));
		struct buf out = { NULL, 0, 0 }, want = { NULL, 0, 0 };

		clean_text(&out, in, n);
		expected_text(&want, in, n, clean_allowed);
		if (out.len != want.len ||
		    (want.len > 0 && memcmp(out.p, want.p, want.len) != 0))
			ck_abort_msg("round %d: %s", round, out.p);
		if (!utf8_valid(out.p != NULL ? out.p : "", out.len))
			ck_abort_msg("round %d: invalid UTF-8", round);
		buf_release(&out);
		buf_release(&want);
	}
}
END_TEST

/* The checkers catch what they are for (else the random tests prove
 * nothing). */
START_TEST(test_checkers)
{
	static const char *const bad_json[] = {
		"", "\"", "abc", "\"a\"b\"", "\"a\nb\"", "\"\\x\"", "\"\\u12\"",
		"\"\\ud800\"", "\"\xff\"", "\"\\\"",
	};
	static const char *const bad_xml[] = {
		"<", "a & b", "&am;", "]]>", "\x01", "\xef\xbf\xbe", "\xff", "\x7f",
	};
	struct buf d = { NULL, 0, 0 };
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_json); i++) {
		ck_assert_msg(json_decode(bad_json[i], strlen(bad_json[i]), &d,
					  &why) == -1, "%s", bad_json[i]);
		buf_reset(&d);
	}
	ck_assert_int_eq(json_decode("\"a\\u00e9\\n\\/\"",
				     strlen("\"a\\u00e9\\n\\/\""), &d, &why), 0);
	ck_assert_str_eq(d.p, "a\xc3\xa9\n/");
	buf_reset(&d);
	for (i = 0; i < ARRAY_SIZE(bad_xml); i++) {
		ck_assert_msg(xml_decode(bad_xml[i], strlen(bad_xml[i]), &d,
					 &why) == -1, "%s", bad_xml[i]);
		buf_reset(&d);
	}
	ck_assert_int_eq(xml_decode("&lt;a&amp;&apos;", 16, &d, &why), 0);
	ck_assert_str_eq(d.p, "<a&'");
	buf_release(&d);
}
END_TEST

Suite *
escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc;

	tc = tcase_create("json");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_json_plain);
	tcase_add_test(tc, test_json_controls);
	tcase_add_test(tc, test_json_invalid_utf8);
	tcase_add_test(tc, test_json_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("xml");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_xml_entities);
	tcase_add_test(tc, test_xml_chars);
	tcase_add_test(tc, test_xml_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("clean");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean_text);
	tcase_add_test(tc, test_clean_random);
	tcase_add_test(tc, test_checkers);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(escape_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
