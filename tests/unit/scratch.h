/*
 * scratch.h - test-only scaffolding the unit tests share (not part of
 * libhookwave.a; a test program lists tests/unit/scratch.c and this
 * header in its _SOURCES). Failures are Check assertions, so these are
 * for a test, its setup or its teardown, in Check's forked process.
 *
 * scratch_sh(fmt, ...)
 *	Formats a shell command (at most 4095 bytes) and runs it with
 *	system(), asserting it exits 0.
 *
 * scratch_sh_out(cmd)
 *	The first line the shell command `cmd` prints, without its
 *	newline, malloc'd (the caller frees it). Asserts the command
 *	could be started and printed a line; its exit status is not
 *	looked at.
 *
 * scratch_enter(name)
 *	Makes a fresh directory "$TMPDIR/NAME.XXXXXX" (/tmp when TMPDIR
 *	is unset or empty) with mkdtemp, resolves it with realpath,
 *	remembers the current directory and changes into it. Returns the
 *	resolved path, in static storage valid until scratch_leave.
 *
 * scratch_leave()
 *	Changes back to the directory scratch_enter left, then makes the
 *	scratch directory's whole tree writable and removes it
 *	(chmod -R u+rwx, rm -rf, asserted); nothing when no directory
 *	was entered or the way back fails.
 *
 * scratch_git_isolate(dir)
 *	Isolates git run in DIR (a resolved path, usually scratch_enter's)
 *	and below from the user, the system and any repository above:
 *	GIT_CEILING_DIRECTORIES is DIR's parent (or "/"), HOME is DIR,
 *	GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1,
 *	GIT_ATTR_NOSYSTEM=1, GIT_AUTHOR_NAME and GIT_COMMITTER_NAME "t",
 *	GIT_AUTHOR_EMAIL and GIT_COMMITTER_EMAIL "t@example.com"; and
 *	unsets XDG_CONFIG_HOME and what a git hook's environment would
 *	point elsewhere: GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
 *	GIT_COMMON_DIR, GIT_PREFIX, GIT_TEST_ASSUME_DIFFERENT_OWNER.
 */
#ifndef HOOKWAVE_TESTS_SCRATCH_H
#define HOOKWAVE_TESTS_SCRATCH_H

void scratch_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *scratch_sh_out(const char *cmd);
const char *scratch_enter(const char *name);
void scratch_leave(void);
void scratch_git_isolate(const char *dir);

#endif
