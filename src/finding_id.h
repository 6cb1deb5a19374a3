/*
 * finding_id.h - a finding's fingerprint: what matches it against a
 * baseline, so that it survives lines moving. It is the SHA-256 (64
 * lower-case hex digits) of the rule (the message when there is no
 * rule), the file, the text of the finding's line with the blanks at
 * both ends trimmed (a line that moved, or was only re-indented, keeps
 * its fingerprint), and its occurrence: how many findings of the same
 * list before it had the same rule, file and text. Two identical
 * findings so differ, and a second one added later is new.
 *
 * The line's text is "" when the finding has no line, or its file
 * cannot be read, is not a regular file, is longer than
 * FINDING_ID_FILE_MAX bytes up to that line, or has fewer lines.
 *
 * Reads files; keeps no state: thread-safe on distinct lists.
 */
#ifndef HOOKWAVE_FINDING_ID_H
#define HOOKWAVE_FINDING_ID_H

#include "finding.h"

/* How much of a file is read to find a line's text. */
#define FINDING_ID_FILE_MAX (256UL << 20)

/*
 * Set the fingerprint of every finding of f (replacing one already
 * set). A finding's relative file is read under `root`; an absolute
 * one as it is. Each file is read once, whatever the number of its
 * findings.
 */
void finding_id_assign(struct findings *f, const char *root);

#endif
