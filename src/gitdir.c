/*
 * gitdir.c - which repository the run directory is in, from one
 * `git rev-parse`. See gitdir.h for the contract.
 *
 * git prints one answer a line, and a path may hold a newline. So
 * every path is followed by --show-object-format, whose answer ("sha1",
 * "sha256") is printed first as well: lines equal to it separate the
 * answers, and a path is the lines between two of them, joined again.
 * A path holding that very word as a line would add a field: the count
 * no longer matches and the answer is refused, never misread.
 *
 * Outside a work tree (in the git dir, in a bare repository) git 2.39
 * dies at --show-toplevel with 128 after printing everything before it,
 * which is why that comes last: 128 with all the rest printed is a
 * repository without a work tree; 128 with nothing printed is no
 * repository at all (none found, or a refused one: "dubious ownership").
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gitdir.h"
#include "proc.h"

extern char **environ;

#define SEP "--show-object-format"

static const char *const query[] = {
	"git", "rev-parse", "--path-format=absolute",
	SEP,                                    /* the separator itself */
	"--is-inside-work-tree", "--is-bare-repository",
	SEP, "--absolute-git-dir",
	SEP, "--git-common-dir",
	SEP, "--git-path", "hooks",
	SEP, "--git-path", "index",
	SEP, "--show-prefix",
	SEP, "--show-toplevel",                 /* dies outside a work tree */
	NULL
};

/* The answers after the first separator, in query order. */
enum field {
	F_FLAGS,        /* two lines: inside work tree, bare */
	F_GIT_DIR,
	F_COMMON_DIR,
	F_HOOKS,
	F_INDEX,
	F_PREFIX,
	F_TOPLEVEL,
	F_COUNT
};

struct field_span {
	const char *p;  /* first byte */
	size_t len;     /* up to the '\n' that ends its last line */
	size_t lines;
};

/*
 * Split out[0..len) (every line ending in '\n') into the separator
 * line and the fields after it. Returns the number of fields found
 * (the last one may be empty: nothing after its separator), or -1 when
 * the output does not have that shape.
 */
static int
split_fields(const char *out, size_t len, struct field_span *f, size_t max,
	     const char **sep, size_t *seplen)
{
	const char *p = out, *end = out + len, *nl;
	size_t n = 0;

	if (len == 0 || out[len - 1] != '\n')
		return -1;
	nl = memchr(p, '\n', (size_t)(end - p));
	*sep = p;
	*seplen = (size_t)(nl - p);
	if (*seplen == 0)
		return -1;
	p = nl + 1;
	f[0].p = p;
	f[0].len = 0;
	f[0].lines = 0;
	n = 1;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)(nl - p) == *seplen && memcmp(p, *sep, *seplen) == 0) {
			if (n == max)
				return -1;
			f[n].p = nl + 1;
			f[n].len = 0;
			f[n].lines = 0;
			n++;
		} else {
			f[n - 1].len = (size_t)(nl - f[n - 1].p);
			f[n - 1].lines++;
		}
		p = nl + 1;
	}
	return (int)n;
}

/* A path field as a string; NULL unless absolute (or `relative_ok`). */
static char *
path_of(const struct field_span *f, int relative_ok)
{
	if (f->lines == 0)
		return NULL;
	if (!relative_ok && (f->len == 0 || f->p[0] != '/'))
		return NULL;
	return xstrndup(f->p, f->len);
}

/* "true" or "false" as 1 or 0; -1 for anything else. */
static int
bool_of(const char *p, size_t n)
{
	if (n == 4 && memcmp(p, "true", 4) == 0)
		return 1;
	if (n == 5 && memcmp(p, "false", 5) == 0)
		return 0;
	return -1;
}

static int fail(struct gitdir *g, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Make g GITDIR_ERROR with the message; -1. */
static int
fail(struct gitdir *g, struct err *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	gitdir_release(g);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->state = GITDIR_ERROR;
	g->error = xstrdup(msg);
	return err_set(e, NULL, 0, "%s", msg);
}

/*
 * Fill in g from the fields of a run that exited 0 (n == F_COUNT) or
 * died at --show-toplevel (n == F_COUNT, the last field empty).
 */
static int
take_fields(struct gitdir *g, const struct field_span *f, int complete)
{
	const char *nl = memchr(f[F_FLAGS].p, '\n', f[F_FLAGS].len);
	int inside, bare;

	if (f[F_FLAGS].lines != 2 || nl == NULL)
		return -1;
	inside = bool_of(f[F_FLAGS].p, (size_t)(nl - f[F_FLAGS].p));
	bare = bool_of(nl + 1, f[F_FLAGS].len - (size_t)(nl + 1 - f[F_FLAGS].p));
	if (inside < 0 || bare < 0 || (!complete && inside))
		return -1;
	g->state = GITDIR_REPO;
	g->inside_work_tree = inside;
	g->bare = bare;
	g->git_dir = path_of(&f[F_GIT_DIR], 0);
	g->common_dir = path_of(&f[F_COMMON_DIR], 0);
	g->hooks_dir = path_of(&f[F_HOOKS], 0);
	g->index_file = path_of(&f[F_INDEX], 0);
	if (complete) {
		g->work_tree = path_of(&f[F_TOPLEVEL], 0);
		if (g->work_tree == NULL)
			return -1;
	} else if (f[F_TOPLEVEL].lines != 0) {
		return -1;
	}
	if (inside) {
		g->prefix = path_of(&f[F_PREFIX], 1);
		if (g->prefix == NULL)
			return -1;
	}
	return g->git_dir != NULL && g->common_dir != NULL &&
	    g->hooks_dir != NULL && g->index_file != NULL ? 0 : -1;
}

int
gitdir_discover(struct gitdir *g, const char *dir, struct err *e)
{
	struct field_span f[F_COUNT];
	struct proc_result r;
	struct buf out = { NULL, 0, 0 };
	const char *sep;
	size_t seplen;
	int n, rc, complete;

	memset(g, 0, sizeof(*g));
	g->state = GITDIR_NONE;
	if (proc_capture((char *const *)query, environ, dir, &out, &r) != 0) {
		buf_release(&out);
		if (r.stage == PROC_STAGE_SPAWN &&
		    (r.error == ENOENT || r.error == EACCES)) {
			g->no_git = 1;
			return 0;
		}
		return fail(g, e, "cannot run git: %s", strerror(r.error));
	}
	if (r.outcome != PROC_EXITED) {
		buf_release(&out);
		return fail(g, e, "git rev-parse failed (killed by signal %d)",
		    r.signal);
	}
	/* Nothing at all: no repository here, or one git will not use. */
	if (r.exit_code == 128 && out.len == 0) {
		buf_release(&out);
		return 0;
	}
	if (r.exit_code != 0 && r.exit_code != 128) {
		buf_release(&out);
		return fail(g, e, "git rev-parse failed (exit status %d)",
		    r.exit_code);
	}
	complete = r.exit_code == 0;
	/* Before 2.31 git passes an option it does not know through. */
	if (strncmp(out.p, "--path-format=", 14) == 0) {
		buf_release(&out);
		return fail(g, e, "git 2.31 or later is needed");
	}
	n = split_fields(out.p, out.len, f, F_COUNT, &sep, &seplen);
	rc = n == F_COUNT ? take_fields(g, f, complete) : -1;
	if (rc == 0)
		g->object_format = xstrndup(sep, seplen);
	buf_release(&out);
	if (rc != 0)
		return fail(g, e, "unexpected output from git rev-parse");
	return 0;
}

char *
gitdir_hookwave_dir(const struct gitdir *g, int shared)
{
	if (g == NULL || g->state != GITDIR_REPO)
		return NULL;
	return xasprintf("%s/hookwave", shared ? g->common_dir : g->git_dir);
}

void
gitdir_release(struct gitdir *g)
{
	free(g->git_dir);
	free(g->common_dir);
	free(g->hooks_dir);
	free(g->index_file);
	free(g->object_format);
	free(g->work_tree);
	free(g->prefix);
	free(g->error);
	memset(g, 0, sizeof(*g));
	g->state = GITDIR_NONE;
}
