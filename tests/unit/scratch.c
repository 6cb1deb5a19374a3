/*
 * scratch.c - test-only scaffolding the unit tests share: shell
 * commands, a scratch directory to work in, git isolated. The
 * interface is described in scratch.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"

static char dir[PATH_MAX];      /* the scratch directory, resolved */
static char olddir[PATH_MAX];   /* where scratch_enter was called */

void
scratch_sh(const char *fmt, ...)
{
	va_list ap;
	char cmd[4096];
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
}

char *
scratch_sh_out(const char *cmd)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	FILE *f = popen(cmd, "r");

	ck_assert_ptr_nonnull(f);
	n = getline(&line, &size, f);
	ck_assert_msg(n > 0, "no output: %s", cmd);
	line[strcspn(line, "\n")] = '\0';
	pclose(f);
	return line;
}

const char *
scratch_enter(const char *name)
{
	const char *t = getenv("TMPDIR");
	char real[PATH_MAX];

	if (t == NULL || *t == '\0')
		t = "/tmp";
	snprintf(dir, sizeof(dir), "%s/%s.XXXXXX", t, name);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Resolved: git prints resolved paths, and the ceiling compares
	 * like with like. */
	ck_assert_ptr_nonnull(realpath(dir, real));
	snprintf(dir, sizeof(dir), "%s", real);
	ck_assert_ptr_nonnull(getcwd(olddir, sizeof(olddir)));
	ck_assert_int_eq(chdir(dir), 0);
	return dir;
}

void
scratch_leave(void)
{
	if (chdir(olddir) == 0 && dir[0] != '\0')
		scratch_sh("chmod -R u+rwx '%s' && rm -rf '%s'", dir, dir);
}

void
scratch_git_isolate(const char *d)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", d);
	*strrchr(parent, '/') = '\0';
	setenv("GIT_CEILING_DIRECTORIES", parent[0] ? parent : "/", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_ATTR_NOSYSTEM", "1", 1);
	setenv("HOME", d, 1);
	unsetenv("XDG_CONFIG_HOME");
	setenv("GIT_AUTHOR_NAME", "t", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "t", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.com", 1);
	/* As if run from a git hook: these would point elsewhere. */
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_COMMON_DIR");
	unsetenv("GIT_PREFIX");
	unsetenv("GIT_TEST_ASSUME_DIFFERENT_OWNER");
}
