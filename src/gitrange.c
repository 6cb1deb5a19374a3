/*
 * gitrange.c - the files git says changed. See gitrange.h.
 *
 * Every git command prints NUL-separated names (-z) relative to the
 * current directory (--relative for diff and log, ls-files' own
 * default); their outputs are gathered in one buffer and handed to
 * files_from_nul(), which keeps what exists and drops repeats. Options
 * that a user's configuration could change are pinned: no renames (a
 * rename is its new name, the same file for a hook), no external diff,
 * no colour, no order file, no signatures, no diffs of merges.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gitrange.h"
#include "proc.h"

extern char **environ;

/* Pinned diff options, shared by diff and log. */
#define DIFF_OPTS "--name-only", "-z", "--diff-filter=d", "--relative", \
		  "--no-renames", "--no-ext-diff", "--no-color", "-O/dev/null"

/*
 * Run git (argv[0] "git"), appending its stdout to *out. Returns its
 * exit code (0..255), or -1 with `e` set when it could not be run or
 * died of a signal.
 */
static int
git(const char *const *argv, struct buf *out, struct err *e)
{
	struct proc_result r;

	if (proc_capture((char *const *)argv, environ, NULL, out, &r) != 0 &&
	    r.pid == 0)
		return err_set(e, NULL, 0, "cannot run git %s: %s", argv[1],
			       strerror(r.error != 0 ? r.error : EIO));
	if (r.outcome != PROC_EXITED)
		return err_set(e, NULL, 0, "git %s killed by signal %d",
			       argv[1], r.signal);
	return r.exit_code;
}

/* git, where anything but exit status 0 is an error. */
static int
git_ok(const char *const *argv, struct buf *out, struct err *e)
{
	int rc = git(argv, out, e);

	if (rc > 0)
		return err_set(e, NULL, 0, "git %s failed (exit status %d)",
			       argv[1], rc);
	return rc;
}

/* Whether `rev` names a commit here: 1, 0, or -1 with `e`. */
static int
is_commit(const char *rev, struct err *e)
{
	char *spec = xasprintf("%s^{commit}", rev);
	const char *argv[] = { "git", "cat-file", "-e", spec, NULL };
	struct buf out = { 0 };
	int rc = git(argv, &out, e);

	free(spec);
	buf_release(&out);
	return rc < 0 ? -1 : rc == 0;
}

/* Append the files changed between commits a and b. */
static int
diff_into(struct buf *acc, const char *a, const char *b, struct err *e)
{
	const char *argv[] = { "git", "diff", DIFF_OPTS, a, b, "--", NULL };

	return git_ok(argv, acc, e) == 0 ? 0 : -1;
}

/* Append the files changed by the commits of `tip` no remote ref holds. */
static int
unpushed_into(struct buf *acc, const char *tip, struct err *e)
{
	const char *argv[] = {
		"git", "log", DIFF_OPTS, "--format=", "--root",
		"--diff-merges=off", "--no-show-signature", tip, "--not",
		"--remotes", "--", NULL
	};

	return git_ok(argv, acc, e) == 0 ? 0 : -1;
}

/* The list from what `acc` gathered; releases it. */
static int
finish(struct file_list *fl, struct buf *acc, int rc)
{
	if (rc == 0)
		files_from_nul(fl, acc->p != NULL ? acc->p : "", acc->len);
	buf_release(acc);
	return rc;
}

/* A ref the user gave: a commit, never an option. */
static int
check_ref(const char *opt, const char *ref, struct err *e)
{
	int rc;

	if (*ref == '\0' || *ref == '-')
		return err_set(e, NULL, 0, "%s: bad revision '%s'", opt, ref);
	if ((rc = is_commit(ref, e)) < 0)
		return -1;
	if (rc == 0)
		return err_set(e, NULL, 0, "%s: unknown revision '%s'", opt,
			       ref);
	return 0;
}

int
gitrange_from_to(struct file_list *fl, const char *from, const char *to,
		 struct err *e)
{
	struct buf acc = { 0 }, base = { 0 };
	const char *argv[] = { "git", "merge-base", from, NULL, NULL };
	int rc;

	memset(fl, 0, sizeof(*fl));
	if (to == NULL)
		to = "HEAD";
	argv[3] = to;
	if (check_ref("--from-ref", from, e) != 0 ||
	    check_ref("--to-ref", to, e) != 0)
		return -1;
	rc = git(argv, &base, e);
	if (rc == 1)
		rc = err_set(e, NULL, 0, "'%s' and '%s' have no common ancestor",
			     from, to);
	else if (rc > 0)
		rc = err_set(e, NULL, 0, "git merge-base failed (exit status %d)",
			     rc);
	if (rc == 0) {
		/* One merge base, on its own line. */
		base.len = base.p != NULL ? strcspn(base.p, "\n") : 0;
		if (base.len == 0)
			rc = err_set(e, NULL, 0, "git merge-base printed nothing");
		else
			base.p[base.len] = '\0';
	}
	if (rc == 0)
		rc = diff_into(&acc, base.p, to, e);
	buf_release(&base);
	return finish(fl, &acc, rc);
}

int
gitrange_changed(struct file_list *fl, struct err *e)
{
	/* Work tree against index, then index against HEAD (or, with no
	   commit yet, everything in the index): together, every file
	   whose work tree or index differs from HEAD. */
	const char *worktree[] = { "git", "diff", DIFF_OPTS, "--", NULL };
	const char *index[] = { "git", "diff", "--cached", DIFF_OPTS, "--",
				NULL };
	const char *untracked[] = { "git", "ls-files", "-z", "--others",
				    "--exclude-standard", "--", NULL };
	struct buf acc = { 0 };
	int rc;

	memset(fl, 0, sizeof(*fl));
	rc = git_ok(worktree, &acc, e) == 0 && git_ok(index, &acc, e) == 0 &&
	     git_ok(untracked, &acc, e) == 0 ? 0 : -1;
	return finish(fl, &acc, rc);
}

/* A sha of all zeros: git's "no such ref" on one side of a push. */
static int
is_zero_sha(const char *s)
{
	return strspn(s, "0") == strlen(s);
}

/* A full object id: 40 (SHA-1) or 64 (SHA-256) hex digits. */
static int
is_sha(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return s[n] == '\0' && (n == 40 || n == 64);
}

/* One ref line of a push; appends its files. */
static int
push_line(struct buf *acc, char *line, struct err *e)
{
	char *f[5], *save = NULL;
	int n = 0, have;

	for (char *t = strtok_r(line, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save))
		if (n < 5)
			f[n++] = t;
		else
			n++;
	if (n == 0)
		return 0;
	if (n != 4 || !is_sha(f[1]) || !is_sha(f[3]))
		return err_set(e, NULL, 0,
			       "pre-push: a line of standard input is not 'LOCAL_REF LOCAL_SHA REMOTE_REF REMOTE_SHA'");
	if (is_zero_sha(f[1]))
		return 0;               /* a deleted ref sends nothing */
	if (!is_zero_sha(f[3])) {
		if ((have = is_commit(f[3], e)) < 0)
			return -1;
		if (have)
			return diff_into(acc, f[3], f[1], e);
	}
	return unpushed_into(acc, f[1], e);
}

int
gitrange_pre_push(struct file_list *fl, const char *lines, size_t len,
		  struct err *e)
{
	struct buf acc = { 0 };
	const char *p = lines, *end = lines + len;
	int rc = 0;

	memset(fl, 0, sizeof(*fl));
	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);

		if (strlen(line) != n)
			rc = err_set(e, NULL, 0,
				     "pre-push: a NUL byte on standard input");
		else
			rc = push_line(&acc, line, e);
		free(line);
		p += n + 1;
	}
	return finish(fl, &acc, rc);
}
