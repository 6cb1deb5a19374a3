/*
 * install.c - hookwave's git hook scripts in and out. See install.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "buf.h"
#include "gitnames.h"
#include "install.h"

/* Longer than any script we write: anything bigger is not ours. */
#define MAX_SCRIPT 65536

/* s in single quotes for sh: ' becomes '\''. */
static void
add_quoted(struct buf *b, const char *s)
{
	buf_adds(b, "'");
	for (; *s != '\0'; s++)
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_add(b, s, 1);
	buf_adds(b, "'");
}

char *
install_script(const char *name, const char *fallback)
{
	struct buf b = { 0 };
	char *run = xasprintf("\"$hw\" --git-hook=%s \"$@\"", name);

	buf_printf(&b, "#!/bin/sh\n%s\n", INSTALL_MARKER);
	buf_printf(&b,
		   "# git's %s hook: runs hookwave --git-hook=%s with git's arguments\n"
		   "# and standard input, after the hook kept as %s%s, if any.\n",
		   name, name, name, INSTALL_OLD_SUFFIX);
	buf_adds(&b, "fb=");
	add_quoted(&b, fallback != NULL ? fallback : "");
	/* No command substitution, no dirname: not one fork before the
	   exec of hookwave. */
	buf_adds(&b, "\n"
		 "if command -v hookwave >/dev/null 2>&1; then\n"
		 "\thw=hookwave\n"
		 "elif test -n \"$fb\" && test -x \"$fb\"; then\n"
		 "\thw=$fb\n"
		 "else\n"
		 "\ttest \"${HOOKWAVE-}\" = 0 && exit 0\n");
	buf_printf(&b,
		   "\techo \"hookwave: not found in PATH${fb:+ nor at $fb}: the %s hook fails (--no-verify skips it)\" >&2\n"
		   "\texit 1\n"
		   "fi\n", name);
	buf_printf(&b, "case $0 in */*) old=${0%%/*} ;; *) old=. ;; esac\n"
		   "old=$old/%s%s\n", name, INSTALL_OLD_SUFFIX);
	if (git_hook_reads_stdin(name)) {
		/* Both read git's standard input: keep it (text: ref lines),
		   trailing newlines and all, and give each a copy. */
		buf_printf(&b,
			   "if test -x \"$old\"; then\n"
			   "\tin=$(cat; echo .)\n"
			   "\tin=${in%%.}\n"
			   "\tprintf '%%s' \"$in\" | \"$old\" \"$@\" || exit $?\n"
			   "\tprintf '%%s' \"$in\" | %s\n"
			   "\texit $?\n"
			   "fi\n", run);
	} else {
		buf_adds(&b, "if test -x \"$old\"; then\n"
			 "\t\"$old\" \"$@\" || exit $?\n"
			 "fi\n");
	}
	buf_printf(&b, "exec %s\n", run);
	free(run);
	return b.p;
}

/* Read a small regular file whole into *out; -1 (errno) when not. */
static int
read_small(const char *path, struct buf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || out->len + (size_t)n > MAX_SCRIPT) {
			int saved = n < 0 ? errno : EFBIG;

			close(fd);
			errno = saved;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* Whether `text` (a whole file) has the marker as its second line. */
static int
has_marker(const struct buf *text)
{
	const char *nl = text->len > 0 ? memchr(text->p, '\n', text->len) :
					 NULL;
	size_t m = strlen(INSTALL_MARKER);

	return nl != NULL && (size_t)(text->p + text->len - (nl + 1)) > m &&
	       memcmp(nl + 1, INSTALL_MARKER, m) == 0 && nl[1 + m] == '\n';
}

int
install_state_of(const char *path, enum install_state *st, struct err *e)
{
	struct stat sb;
	struct buf text = { 0 };
	int rc = 0;

	if (lstat(path, &sb) != 0) {
		if (errno == ENOENT) {
			*st = INSTALL_ABSENT;
			return 0;
		}
		return err_set(e, NULL, 0, "%s: %s", path, strerror(errno));
	}
	*st = INSTALL_FOREIGN;
	if (!S_ISREG(sb.st_mode) || sb.st_size > MAX_SCRIPT)
		return 0;
	if (read_small(path, &text) != 0)
		rc = err_set(e, NULL, 0, "%s: %s", path, strerror(errno));
	else if (has_marker(&text))
		*st = INSTALL_OURS;
	buf_release(&text);
	return rc;
}

/* mkdir -p for the hooks directory. */
static int
make_dirs(const char *dir, struct err *e)
{
	char *p = xstrdup(dir), *s;
	int rc = 0;

	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				rc = err_set(e, NULL, 0, "cannot make %s: %s",
					     p, strerror(errno));
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

/* Make an existing script executable wherever it is readable. */
static int
make_executable(const char *path, struct err *e)
{
	struct stat sb;
	mode_t want;

	if (stat(path, &sb) != 0)
		return err_set(e, NULL, 0, "%s: %s", path, strerror(errno));
	want = (sb.st_mode & 07777) | ((sb.st_mode & 0444) >> 2);
	if (want != (sb.st_mode & 07777) && chmod(path, want) != 0)
		return err_set(e, NULL, 0, "%s: %s", path, strerror(errno));
	return 0;
}

/* Write `script` to `path` (0777 less the umask when new). */
static int
write_script(const char *path, const char *script, struct err *e)
{
	struct atomic_file_options opt = { 0 };

	opt.new_mode = 0777;
	if (atomic_file_replace(path, script, strlen(script), &opt, e) != 0)
		return -1;
	return make_executable(path, e);
}

/* Whether `path` holds exactly `script` and is executable. */
static int
same_bytes(const char *path, const char *script)
{
	struct buf text = { 0 };
	struct stat sb;
	int same;

	same = read_small(path, &text) == 0 && text.len == strlen(script) &&
	       memcmp(text.p, script, text.len) == 0 &&
	       stat(path, &sb) == 0 && (sb.st_mode & 0100) != 0;
	buf_release(&text);
	return same;
}

/* The error for a foreign hook in the way. */
static int
foreign(const char *path, const char *name, struct err *e)
{
	errno = EEXIST;
	return err_set(e, NULL, 0, "%s: a hook hookwave did not write; not replaced (install --force keeps it as %s%s and runs it first)",
		       path, name, INSTALL_OLD_SUFFIX);
}

int
install_check(const char *hooks_dir, const char *name, struct err *e)
{
	char *path = xasprintf("%s/%s", hooks_dir, name);
	enum install_state st;
	int rc = install_state_of(path, &st, e);

	if (rc == 0 && st == INSTALL_FOREIGN)
		rc = foreign(path, name, e);
	free(path);
	return rc;
}

int
install_hook(const char *hooks_dir, const char *name, const char *fallback,
	     int force, enum install_result *res, struct err *e)
{
	char *path = xasprintf("%s/%s", hooks_dir, name);
	char *old = xasprintf("%s%s", path, INSTALL_OLD_SUFFIX);
	char *script = install_script(name, fallback);
	enum install_state st;
	struct stat sb;
	int rc = -1;

	if (make_dirs(hooks_dir, e) != 0 || install_state_of(path, &st, e) != 0)
		goto out;
	if (st == INSTALL_OURS && same_bytes(path, script)) {
		*res = INSTALL_UNCHANGED;
		rc = 0;
		goto out;
	}
	if (st == INSTALL_FOREIGN) {
		if (!force) {
			foreign(path, name, e);
			goto out;
		}
		if (lstat(old, &sb) == 0 || errno != ENOENT) {
			errno = EEXIST;
			err_set(e, NULL, 0, "%s: already there; move it away to install over %s",
				old, path);
			goto out;
		}
		if (linkat(AT_FDCWD, path, AT_FDCWD, old, 0) != 0) {
			err_set(e, NULL, 0, "cannot keep %s as %s: %s", path,
				old, strerror(errno));
			goto out;
		}
		if (unlink(path) != 0) {
			err_set(e, NULL, 0, "cannot move %s: %s", path,
				strerror(errno));
			(void)unlink(old);
			goto out;
		}
		if (write_script(path, script, e) != 0) {
			/* Put the kept hook back where it was. */
			(void)unlink(path);
			if (linkat(AT_FDCWD, old, AT_FDCWD, path, 0) == 0)
				(void)unlink(old);
			goto out;
		}
		*res = INSTALL_KEPT_OLD;
		rc = 0;
		goto out;
	}
	if (write_script(path, script, e) == 0) {
		*res = INSTALL_WRITTEN;
		rc = 0;
	}
out:
	free(script);
	free(old);
	free(path);
	return rc;
}

/* fsync a directory, so removals and links in it last. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
uninstall_hook(const char *hooks_dir, const char *name,
	       enum uninstall_result *res, struct err *e)
{
	char *path = xasprintf("%s/%s", hooks_dir, name);
	char *old = xasprintf("%s%s", path, INSTALL_OLD_SUFFIX);
	enum install_state st;
	struct stat sb;
	int rc = -1, have_old;

	if (install_state_of(path, &st, e) != 0)
		goto out;
	if (st == INSTALL_FOREIGN) {
		*res = UNINSTALL_FOREIGN;
		rc = 0;
		goto out;
	}
	have_old = lstat(old, &sb) == 0;
	*res = UNINSTALL_NONE;
	if (st == INSTALL_OURS) {
		if (unlink(path) != 0) {
			err_set(e, NULL, 0, "cannot remove %s: %s", path,
				strerror(errno));
			goto out;
		}
		*res = UNINSTALL_REMOVED;
	}
	if (have_old) {
		if (linkat(AT_FDCWD, old, AT_FDCWD, path, 0) != 0 ||
		    unlink(old) != 0) {
			err_set(e, NULL, 0, "cannot put %s back as %s: %s", old,
				path, strerror(errno));
			goto out;
		}
		*res = UNINSTALL_RESTORED;
	}
	if (*res != UNINSTALL_NONE)
		sync_dir(hooks_dir);
	rc = 0;
out:
	free(old);
	free(path);
	return rc;
}

/* Whether `path` is the file `self` describes. */
static int
is_self(const char *path, const struct stat *self)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	       access(path, X_OK) == 0 &&
	       (self == NULL || (sb.st_dev == self->st_dev &&
				 sb.st_ino == self->st_ino));
}

char *
install_self_path(const char *argv0, const char *cwd)
{
	struct stat self_st, *self = NULL;
	char exe[PATH_MAX];
	ssize_t n;
	char *cand = NULL;

	if (stat("/proc/self/exe", &self_st) == 0)
		self = &self_st;
	if (argv0 != NULL && strchr(argv0, '/') != NULL) {
		cand = argv0[0] == '/' || cwd == NULL ? xstrdup(argv0) :
			xasprintf("%s/%s", cwd, argv0);
	} else if (argv0 != NULL && *argv0 != '\0') {
		const char *path = getenv("PATH"), *p;

		for (p = path; p != NULL && cand == NULL; ) {
			size_t len = strcspn(p, ":");

			if (len > 0 && p[0] == '/') {
				char *c = xasprintf("%.*s/%s", (int)len, p,
						    argv0);

				if (is_self(c, self))
					cand = c;
				else
					free(c);
			}
			p = p[len] == ':' ? p + len + 1 : NULL;
		}
	}
	if (cand != NULL && cand[0] == '/' && is_self(cand, self))
		return cand;
	free(cand);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	/* A binary replaced or removed since it started: nothing to trust. */
	if (exe[0] != '/' || !is_self(exe, self))
		return NULL;
	return xstrdup(exe);
}
