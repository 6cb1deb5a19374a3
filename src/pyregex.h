/*
 * pyregex.h - a Python regular expression (pre-commit's `files` and
 * `exclude`) rewritten as a POSIX extended one (hookwave's
 * `files_regex`), or the reason it cannot be.
 *
 * pre-commit matches with re.search; regexec without REG_NOSUB anchors
 * is a search too, and hookwave only asks whether a path matches, so
 * lazy quantifiers become greedy and groups need not capture. Rewritten:
 * verbose mode "(?x)" (blanks and comments dropped), "(?:" and
 * "(?P<name>" groups, \d \D \s \S \w \W (inside and outside brackets),
 * \A and \Z, escaped punctuation, a "{" that is not a bound. Refused:
 * lookarounds, back references, \b, inline flags other than x, and
 * anything regcomp(REG_EXTENDED) does not accept afterwards.
 *
 * Pure functions: thread-safe.
 */
#ifndef HOOKWAVE_PYREGEX_H
#define HOOKWAVE_PYREGEX_H

/*
 * The ERE for `py`, newly allocated; NULL when it cannot be rewritten,
 * with a lower-case reason (static or in `why`, at most `whysize`
 * bytes) in `why`.
 */
char *pyregex_to_ere(const char *py, char *why, unsigned whysize);

#endif
