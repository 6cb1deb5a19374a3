/*
 * githook.c - runs as git's hooks, and the git workflow's file sources.
 * See githook.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "gitdir.h"
#include "githook.h"
#include "gitnames.h"
#include "gitrange.h"
#include "install.h"

/* Whether strategy `s` runs for git hook `name`. */
static bool
runs_for(const struct conf_strategy *s, const char *name)
{
	if (s->git_hooks.n == 0)
		return strcmp(name, "pre-commit") == 0;
	return strlist_has(&s->git_hooks, name);
}

size_t
githook_strategies(const struct conf *c, const char *name,
		   const struct strlist *only, struct strlist *out)
{
	size_t i, n = 0;

	for (i = 0; i < c->nstrategies; i++) {
		const struct conf_strategy *s = &c->strategies[i];

		if (!runs_for(s, name) ||
		    (only != NULL && only->n > 0 && !strlist_has(only, s->name)))
			continue;
		strlist_push(out, s->name);
		n++;
	}
	return n;
}

void
githook_wanted(const struct conf *c, struct strlist *out)
{
	size_t i, k;

	if (c->nstrategies == 0) {
		strlist_push(out, "pre-commit");
		return;
	}
	for (k = 0; k < git_hook_count; k++)
		for (i = 0; i < c->nstrategies; i++)
			if (runs_for(&c->strategies[i], git_hook_names[k])) {
				strlist_push(out, git_hook_names[k]);
				break;
			}
}

bool
githook_lists(enum files_source src)
{
	return src == FILES_SOURCE_RANGE || src == FILES_SOURCE_CHANGED ||
	       src == FILES_SOURCE_PUSH || src == FILES_SOURCE_MESSAGE;
}

/* Read fd to its end into *out (pre-push's ref lines). */
static int
read_fd(int fd, struct buf *out, struct err *e)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, NULL, 0, "pre-push: cannot read standard input: %s",
				       strerror(errno));
		buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

/* The message file, as given and absolute: two entries. */
static int
message_list(struct file_list *fl, const char *path, struct err *e)
{
	struct stat st;
	char cwd[PATH_MAX];

	if (stat(path, &st) != 0)
		return err_set(e, NULL, 0, "message file %s: %s", path,
			       strerror(errno));
	fl->v = xcalloc(3, sizeof(*fl->v));
	fl->size = xcalloc(3, sizeof(*fl->size));
	fl->v[0] = xstrdup(path);
	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		fl->v[1] = xstrdup(path);
	else
		fl->v[1] = xasprintf("%s/%s", cwd, path);
	fl->size[0] = fl->size[1] = S_ISREG(st.st_mode) ?
				    (long long)st.st_size : -1;
	fl->n = 2;
	return 0;
}

int
githook_list_files(struct file_list *fl, const struct gitdir *g,
		   const struct cli_options *o, int in_fd, struct err *e)
{
	struct buf in = { 0 };
	int rc;

	memset(fl, 0, sizeof(*fl));
	if (o->files == FILES_SOURCE_MESSAGE)
		return message_list(fl, o->message_file, e);
	if (g->state == GITDIR_ERROR)
		return err_set(e, NULL, 0, "%s", g->error);
	if (g->state != GITDIR_REPO || !g->inside_work_tree)
		return err_set(e, NULL, 0, "%s: not in a git work tree",
			       o->files == FILES_SOURCE_RANGE ? "--from-ref" :
			       o->files == FILES_SOURCE_CHANGED ? "--changed" :
			       "pre-push");
	switch (o->files) {
	case FILES_SOURCE_RANGE:
		return gitrange_from_to(fl, o->from_ref, o->to_ref, e);
	case FILES_SOURCE_CHANGED:
		return gitrange_changed(fl, e);
	case FILES_SOURCE_PUSH:
		rc = read_fd(in_fd, &in, e);
		if (rc == 0)
			rc = gitrange_pre_push(fl, in.p != NULL ? in.p : "",
					       in.len, e);
		buf_release(&in);
		return rc;
	default:
		return err_set(e, NULL, 0, "not a git workflow file source");
	}
}

void
githook_message_batches(struct run_batches *rb, const struct plan *p,
			struct launches *l, const struct file_list *fl)
{
	size_t i;

	for (i = 0; i < p->nhooks; i++) {
		struct launch *x = &l->v[i];
		size_t idx;

		batches_release(&rb->of[i]);
		memset(&rb->of[i], 0, sizeof(rb->of[i]));
		rb->nbatches[i] = 1;
		rb->nfiles[i] = 0;
		if (p->hooks[i].state != PLAN_RUN || fl->n < 2)
			continue;
		launch_take_files(x);
		/* Index 0 as given, 1 absolute (githook_list_files). */
		idx = x->subdir != NULL && x->subdir[0] == '\0' ? 0 : 1;
		files_batch(&rb->of[i], fl, &idx, 1, NULL, 0, 1,
			    launch_budget(x));
		rb->nbatches[i] = rb->of[i].n;
		rb->nfiles[i] = 1;
	}
	run_batches_link(rb);
}

/* An error for the caller to print. */
static void
tell(githook_say_fn say, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
tell(githook_say_fn say, const char *fmt, ...)
{
	struct err e = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	say(&e);
}

int
githook_install(const struct cli_options *o, const char *self,
		const char *sysconf_path, struct buf *out, githook_say_fn say)
{
	struct gitdir g = GITDIR_INIT;
	struct strlist want = { 0 };
	struct conf conf;
	struct err e;
	const char *path;
	size_t i;
	int status = 2;

	conf_init(&conf);
	if (gitdir_discover(&g, NULL, &e) != 0 || g.state != GITDIR_REPO) {
		if (g.state != GITDIR_ERROR)
			tell(say, "not in a git repository");
		else
			say(&e);
		goto out;
	}
	for (i = 0; i < o->names.n; i++)
		strlist_push(&want, o->names.v[i]);
	if (want.n == 0 && o->action == CLI_UNINSTALL) {
		for (i = 0; i < git_hook_count; i++)
			strlist_push(&want, git_hook_names[i]);
	} else if (want.n == 0) {
		if ((path = cli_find_config(o, sysconf_path)) == NULL) {
			tell(say, "no hookwave.ini or .hookwave.ini here, and no %s: name the git hooks to install",
			     sysconf_path);
			goto out;
		}
		if (conf_load(&conf, path, &e) != 0) {
			say(&e);
			goto out;
		}
		githook_wanted(&conf, &want);
	}
	/* Refuse before writing anything: all of them or none. */
	for (i = 0; o->action == CLI_INSTALL && !o->force && i < want.n; i++)
		if (install_check(g.hooks_dir, want.v[i], &e) != 0) {
			say(&e);
			goto out;
		}
	status = 0;
	for (i = 0; i < want.n && status == 0; i++) {
		enum install_result ir;
		enum uninstall_result ur;

		if (o->action == CLI_INSTALL) {
			if (install_hook(g.hooks_dir, want.v[i], self, o->force,
					 &ir, &e) != 0) {
				say(&e);
				status = 2;
				continue;
			}
			buf_printf(out, "%s: %s\n", want.v[i],
				   ir == INSTALL_UNCHANGED ? "already installed" :
				   ir == INSTALL_KEPT_OLD ? "installed; the hook that was there is kept and runs first" :
				   "installed");
		} else {
			if (uninstall_hook(g.hooks_dir, want.v[i], &ur, &e) != 0) {
				say(&e);
				status = 2;
				continue;
			}
			/* Foreign hooks are news only when named. */
			if (ur != UNINSTALL_NONE &&
			    (ur != UNINSTALL_FOREIGN || o->names.n > 0))
				buf_printf(out, "%s: %s\n", want.v[i],
					   ur == UNINSTALL_REMOVED ? "removed" :
					   ur == UNINSTALL_RESTORED ? "removed; the hook that was there is back" :
					   "not hookwave's, left alone");
		}
	}
out:
	strlist_release(&want);
	conf_release(&conf);
	gitdir_release(&g);
	return status;
}
