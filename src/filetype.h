/*
 * filetype.h - a file's type tags, as pre-commit's identify gives them
 * (hookwave.ini(5), types): what kind of file it is (`file`,
 * `symlink`), its mode (`executable`, `non-executable`), its encoding
 * (`text`, `binary`) and its languages (`python`, `shell`, `c`...).
 *
 * The tags come from the file's name (an extension table and special
 * names such as Makefile or Dockerfile) or, for an executable file
 * whose name says nothing, from the interpreter its #! line names
 * (`#!/usr/bin/env python3`, `#!/bin/sh`, `#!/usr/bin/env -S bash
 * -e`). A file is text unless its first 1024 bytes hold a control byte
 * other than BEL, BS, TAB, LF, VT, FF, CR and ESC. A symlink is tagged
 * `symlink` alone, as identify does.
 *
 * Pure: nothing here touches the file system. A set of tags is a
 * 64-bit mask (bit i = tag i, see filetype_tag_name()). Thread-safe.
 */
#ifndef HOOKWAVE_FILETYPE_H
#define HOOKWAVE_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t filetype_tags;

/* How many bytes of a file's head filetype_of() looks at. */
#define FILETYPE_HEAD 1024

/* What lstat(2) said the path is. */
enum filetype_kind {
	FILETYPE_REGULAR,
	FILETYPE_SYMLINK,
	FILETYPE_OTHER          /* directory, socket...: no tags */
};

/* The bit of tag `name`, or 0 when hookwave knows no such tag. */
filetype_tags filetype_tag(const char *name);

/* The name of tag bit `i` (0..63), or NULL when bit i is no tag. */
const char *filetype_tag_name(unsigned i);

/*
 * The tags `path`'s base name gives (extension, special name),
 * encoding included when the name tells it; 0 when it says nothing.
 */
filetype_tags filetype_from_name(const char *path);

/*
 * The tags of the interpreter named by the #! line at the start of
 * head[0..len) (0 without one, or when the line is not printable
 * ASCII): `/usr/bin/env [-S] NAME` is NAME; "python3.11" is tried as
 * "python3.11", "python3", then "python".
 */
filetype_tags filetype_from_shebang(const unsigned char *head, size_t len);

/* Whether head[0..len) is text (see above); an empty head is text. */
int filetype_is_text(const unsigned char *head, size_t len);

/*
 * The tags of a file: its kind, mode and name, and what its head adds.
 * head[0..len) is the file's first bytes (up to FILETYPE_HEAD), or NULL
 * when they were not read: then only the tags that need no head are
 * given (see filetype_head_adds()).
 */
filetype_tags filetype_of(const char *path, enum filetype_kind kind,
			  int executable, const unsigned char *head,
			  size_t len);

/*
 * The tags that reading the head could still add to `known`, what
 * filetype_of() gave without a head: the encoding when the name did not
 * tell it, and the interpreter's tags for an executable file whose name
 * says nothing. A caller that wants none of these never reads the head.
 */
filetype_tags filetype_head_adds(filetype_tags known);

/*
 * A `types` value: alternatives separated by blanks or commas, each one
 * or more tags joined by '+' (all of them). On success returns 0 and
 * sets *alts (malloc'd, the caller frees) and *n. On an unknown or
 * empty tag returns -1 and copies the offending word (cut to `badsize`
 * bytes) into `bad`.
 */
int filetype_parse(const char *value, filetype_tags **alts, size_t *n,
		   char *bad, size_t badsize);

/* Whether `tags` hold every tag of one of alts[0..n). */
int filetype_match(filetype_tags tags, const filetype_tags *alts, size_t n);

#endif
