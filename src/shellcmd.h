/*
 * shellcmd.h - what /bin/sh makes of a hook's command.
 *
 * A hook with files runs `/bin/sh -c 'COMMAND "$@"' hookwave FILE...`:
 * the files must become arguments of the last simple command of
 * COMMAND. shellcmd_classify() reads COMMAND as the POSIX shell grammar
 * (dash's, which is /bin/sh on Debian) does: words and operators,
 * quotes ('', "", \), $(...), $((...)), ${...} and backquotes with
 * their nesting, comments, here-document markers, reserved words in
 * command position, and the compound commands (if, while, until, for,
 * case, { }, ( ), functions) as far as they decide where a command
 * starts. It is the one place that knows shell syntax: conf.c refuses
 * an unsafe command for a hook with files, and exec.c runs a plain one
 * without a shell.
 *
 * A command that is a syntax error the classifier can see before its
 * end is left to the shell to report (SHELLCMD_SHELL): hookwave refuses
 * only what would silently misuse the files.
 *
 * Pure functions of their arguments: thread-safe.
 */
#ifndef HOOKWAVE_SHELLCMD_H
#define HOOKWAVE_SHELLCMD_H

#include <stddef.h>

enum shellcmd_kind {
	/*
	 * Only blank-separated words of letters, digits and "-_./,:+%@^",
	 * the first not a builtin or reserved word of the shell: running
	 * the words directly, as make does, is what the shell would do.
	 */
	SHELLCMD_PLAIN,
	/* Needs the shell; "$@" appended becomes arguments of its last
	   simple command (or the command is a syntax error anyway). */
	SHELLCMD_SHELL,
	/* Needs the shell, and "$@" appended would not be arguments: the
	   first file would run as a command, be a redirection's target, be
	   swallowed by a comment or a quote, and so on; see `why`. */
	SHELLCMD_UNSAFE
};

struct shellcmd {
	enum shellcmd_kind kind;
	/* SHELLCMD_UNSAFE: what is wrong, as the rest of a sentence that
	   starts with "the command", e.g. "ends with ';', so the first
	   file would run as a command". Empty otherwise. */
	char why[160];
};

/*
 * Classify `cmd` (a NUL-terminated command line, which may hold
 * newlines) as above. Never fails; allocates nothing.
 */
void shellcmd_classify(const char *cmd, struct shellcmd *out);

/*
 * The words of a SHELLCMD_PLAIN command, NULL-terminated, in one
 * malloc'd block (free the array only); *n is their number. NULL for a
 * command that is not SHELLCMD_PLAIN.
 */
char **shellcmd_words(const char *cmd, size_t *n);

/*
 * Non-zero if `word` is a builtin or a reserved word of dash or bash
 * (the shells /bin/sh may be): such a command must run through the
 * shell, whose `echo`, `test` or `kill` is not the one in PATH.
 */
int shellcmd_is_shell_word(const char *word);

/*
 * The words of a launcher (hookwave.ini(5)), split as the shell would
 * split them without expanding anything: blanks part words; '...',
 * "..." and \ quote. A string that needs more than splitting (an
 * unquoted $ ` ; & | < > ( ) * ? [, a word starting with # or ~, $ or `
 * inside "...", an unclosed quote) gives NULL and says why in `why`
 * (`whysize` bytes; a sentence's end, as "'$' needs a shell").
 * Otherwise the words, NULL-terminated, in one malloc'd block (free the
 * array only); *n is their number, 0 for a blank string.
 */
char **shellcmd_split(const char *s, size_t *n, char *why, size_t whysize);

/*
 * `argv` (NULL-terminated) as one line a POSIX shell splits back into
 * exactly those words: a word of letters, digits and "-_./,:+%@" as it
 * is, any other in single quotes (a ' as '\''). Malloc'd; NULL when
 * there is no memory (callers on worker threads fail the hook).
 */
char *shellcmd_quote(char *const *argv);

#endif
