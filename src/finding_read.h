/*
 * finding_read.h - reading a tool's diagnostics out of its output, line
 * by line as it arrives: the `gcc` form (FILE:LINE[:COL]: [SEVERITY:]
 * MESSAGE [RULE], which gcc, clang, shellcheck -f gcc, pyflakes,
 * cppcheck --template=gcc, yamllint -f parsable and codespell print) or
 * patterns in vim's `errorformat` syntax. See hookwave.ini(5),
 * "FINDINGS", for the exact rules; tests/unit/check_finding_read.c
 * holds them line by line.
 *
 * Before a line is read, terminal escapes (ESC [ ... final byte: colours,
 * erase-line; ESC ] ... BEL or ESC \: links) and one CR at its end are
 * dropped. A line with a NUL byte is no finding. Other bytes are kept
 * as printed (invalid UTF-8 too: the writers escape them); a message
 * loses the blanks (space, tab) around it.
 *
 * A reader sees every byte a process prints, not the part that
 * output_limit keeps, so the findings are whole whatever the hook
 * prints; its memory is one line (at most FINDING_LINE_MAX bytes: a
 * longer line is no finding, its bytes dropped up to the next newline)
 * plus the findings, plus for errorformat a matcher sized by the
 * longest pattern. Time per line is linear in its length (errorformat:
 * times the pattern's size), whatever the bytes.
 *
 * Formats are immutable once made and may be shared by threads; a
 * reader has one owner at a time.
 */
#ifndef HOOKWAVE_FINDING_READ_H
#define HOOKWAVE_FINDING_READ_H

#include <stddef.h>

#include "finding.h"

/* The longest line a finding is read from, newline excluded (a CR
   before it and terminal escapes count). */
#define FINDING_LINE_MAX 65536

struct finding_format;

/* The built-in `gcc` form: one shared, static format (freeing it does
   nothing). Never fails. */
struct finding_format *finding_format_gcc(void);

/*
 * Compile a value of `errorformat`: vim's comma-separated list of
 * patterns (blanks after a comma skipped; a backslash makes the next
 * byte literal: `\,` a comma, `\\` a backslash; `%%` a literal %),
 * each matching a whole line, the first that matches winning: %f file
 * (one or more bytes, fewest first), %l line, %c column, %n rule
 * (vim's error number) (one or more digits, most first), %t type (one
 * of e w n i, either case), %m message (any bytes, fewest first), %.%#
 * any text; each conversion at most once, %f in every pattern but
 * those that start %-G, whose lines are no finding. A number too large
 * for an unsigned long makes its pattern not match. Vim's multi-line
 * forms (%E, %W, %I, %N, %A, %C, %Z, %G, %+..., %>, %O, %P, %Q, %D, %X)
 * and other conversions are refused, as are an empty list or pattern,
 * a trailing lone % or \, and a pattern longer than 1024 bytes.
 * Returns the format, or NULL with `why` (at most `whysz` bytes, lower
 * case, no full stop, naming the pattern by its number from 1, e.g.
 * "pattern 2: unknown conversion %q") filled in.
 */
struct finding_format *finding_format_errorformat(const char *value,
						  char *why, size_t whysz);

/* NULL and the gcc format are fine (nothing is freed). A format must
   outlive the readers made with it. */
void finding_format_free(struct finding_format *f);

struct finding_reader;

/*
 * A reader of one process's output. `root` is the absolute directory
 * findings' files are made relative to (the repository's top, or the
 * run's directory outside git); `cwd` the absolute directory the
 * process ran in (a path it prints is relative to it). Both are copied;
 * neither is touched on disk. Each finding's file is
 * finding_path(root, cwd, FILE): a path that lies outside root stays
 * absolute, normalized.
 */
struct finding_reader *finding_reader_new(const struct finding_format *f,
					  const char *root, const char *cwd);

/* The next n bytes of the process's output (stdout and stderr as one
   stream), cut anywhere: lines may span calls. */
void finding_reader_feed(struct finding_reader *r, const char *buf, size_t n);

/*
 * The output is over: read the last line even without a newline, and
 * move every finding read, in output order, to the end of `out`. The
 * reader is then empty, as new.
 */
void finding_reader_finish(struct finding_reader *r, struct findings *out);

/* NULL is fine. Findings not yet moved out are freed. */
void finding_reader_free(struct finding_reader *r);

/*
 * `path` as the file of a finding: made absolute against `cwd` when
 * relative, "." and ".." and repeated slashes resolved by the text
 * alone (no symlink is followed), then made relative to `root` when it
 * lies inside it (root itself gives "."). Returns a malloc'd string.
 */
char *finding_path(const char *root, const char *cwd, const char *path);

#endif
