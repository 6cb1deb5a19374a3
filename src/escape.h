/*
 * escape.h - make arbitrary bytes safe for JSON, XML and YAML text.
 * Whatever a hook printed (invalid UTF-8, NUL, ESC, "]]>"), the result
 * is valid: invalid UTF-8 and characters the format cannot carry
 * become U+FFFD. Appends to a struct buf. Thread-safe (no state).
 */
#ifndef HOOKWAVE_ESCAPE_H
#define HOOKWAVE_ESCAPE_H

#include <stddef.h>

#include "buf.h"
#include "util.h"       /* utf8_decode */

/* A JSON string, quotes included: '"' and '\' escaped, \n, \t, \r as
 * such, the other C0 controls and DEL as \u00XX (C1 controls are valid
 * JSON and stay as they are). Its symbol is hw_json_string: libjansson
 * (sarif_read.c) exports a json_string of its own, which this one
 * would otherwise take the place of, in the library's calls too; a
 * file that includes this header cannot include <jansson.h>. */
#define json_string hw_json_string
void json_string(struct buf *b, const char *s, size_t n);

/* XML character data or attribute value (no quotes added): &<>"' as
 * entities; characters XML 1.0 forbids (C0 controls but \t, \n and
 * \r; U+FFFE, U+FFFF) and DEL as U+FFFD. "]]>" comes out as "]]&gt;". */
void xml_text(struct buf *b, const char *s, size_t n);

/* Valid UTF-8 with every control character but \n and \t (C0, DEL,
 * C1) and U+FFFE, U+FFFF as U+FFFD: for plain text inside TAP's YAML
 * blocks. */
void clean_text(struct buf *b, const char *s, size_t n);

#endif
