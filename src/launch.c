/*
 * launch.c - a hook's environment, directory and argv prefix, worked
 * out once per run. See launch.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "launch.h"
#include "shellcmd.h"
#include "util.h"

/* Variables hookwave sets itself: the environment's and env lines' go. */
static const char *const own_vars[] = {
	"HOOKWAVE_HOOK", "HOOKWAVE_STRATEGY", "HOOKWAVE_WAVE", "PWD"
};

/* Whether "NAME=..." entry `e` sets the variable `name=...` does. */
static int
same_var(const char *e, const char *assign)
{
	size_t n = strcspn(assign, "=");

	return strncmp(e, assign, n) == 0 && e[n] == '=';
}

static int
overridden(const char *e, const struct strlist *env)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(own_vars); i++) {
		size_t n = strlen(own_vars[i]);
		if (strncmp(e, own_vars[i], n) == 0 && e[n] == '=')
			return 1;
	}
	for (i = 0; i < env->n; i++)
		if (same_var(e, env->v[i]))
			return 1;
	return 0;
}

/*
 * hookwave's environment (borrowed), then the hook's env lines, then
 * HOOKWAVE_* and PWD=`pwd` (none when `pwd` is NULL), into l->env; the
 * strings made here go to l->own.
 */
static void
make_env(struct launch *l, char *const *base, const struct plan *p,
	 const struct plan_hook *h, const char *pwd)
{
	const struct strlist *lines = &h->conf->env;
	size_t nbase = 0, n = 0, nown = 0, i, j;

	while (base != NULL && base[nbase] != NULL)
		nbase++;
	l->env = xcalloc(nbase + lines->n + ARRAY_SIZE(own_vars) + 1,
			 sizeof(*l->env));
	l->own = xcalloc(ARRAY_SIZE(own_vars) + 1, sizeof(*l->own));
	for (i = 0; i < nbase; i++)
		if (!overridden(base[i], lines))
			l->env[n++] = base[i];
	/* A later env line for the same variable wins; HOOKWAVE_* are ours. */
	for (i = 0; i < lines->n; i++) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(own_vars); k++)
			if (same_var(lines->v[i], own_vars[k]))
				break;
		if (k < ARRAY_SIZE(own_vars))
			continue;
		for (j = i + 1; j < lines->n; j++)
			if (same_var(lines->v[j], lines->v[i]))
				break;
		if (j == lines->n)
			l->env[n++] = lines->v[i];
	}
	l->own[nown++] = xasprintf("HOOKWAVE_HOOK=%s", h->conf->name);
	l->own[nown++] = xasprintf("HOOKWAVE_STRATEGY=%s",
				   p->strategies[h->strategy].name);
	l->own[nown++] = xasprintf("HOOKWAVE_WAVE=%u", h->wave);
	if (pwd != NULL)
		l->own[nown++] = xasprintf("PWD=%s", pwd);
	l->own[nown] = NULL;
	for (i = 0; i < nown; i++)
		l->env[n++] = l->own[i];
	l->env[n] = NULL;
}

/*
 * `path` with "." and empty components dropped and "x/.." folded, as
 * cd -L does: "sub//a/./b/.." is "sub/a", "/r/./s/" is "/r/s", "." and
 * "sub/.." are "" (relative) and "/" stays "/". A relative path keeps
 * the ".." that lead out of where it starts ("../lib"). Malloc'd.
 */
static char *
lexical_path(const char *path)
{
	size_t len = strlen(path), n = 0, keep = 0;
	char *out = xmalloc(len + 2);
	const char *c = path;
	int abs = path[0] == '/';

	if (abs)
		out[n++] = '/';
	keep = n;               /* ".." may not fold below here */
	while (*c != '\0') {
		size_t w = strcspn(c, "/");

		if (w == 0 || (w == 1 && c[0] == '.')) {
			/* nothing */
		} else if (w == 2 && c[0] == '.' && c[1] == '.' && n > keep) {
			/* drop the last component */
			while (n > keep && out[n - 1] != '/')
				n--;
			if (n > keep)
				n--;    /* its '/' */
			else if (abs)
				n = 1;
		} else if (w == 2 && c[0] == '.' && c[1] == '.' && abs) {
			/* "/.." is "/" */
		} else {
			if (n > 0 && out[n - 1] != '/')
				out[n++] = '/';
			memcpy(out + n, c, w);
			n += w;
			if (w == 2 && c[0] == '.' && c[1] == '.')
				keep = n;       /* a leading "..": keep it */
		}
		c += w;
		while (*c == '/')
			c++;
	}
	out[n] = '\0';
	return out;
}

/* The value of `name` in environment `env`, or NULL. */
static const char *
env_value(char *const *env, const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* Whether absolute `path` names the directory `st` is of. */
static int
names_dir(const char *path, const struct stat *st)
{
	struct stat ps;

	return path[0] == '/' && stat(path, &ps) == 0 &&
	       ps.st_dev == st->st_dev && ps.st_ino == st->st_ino;
}

/*
 * The hook's directory relative to the run directory, for choosing its
 * files: "" for the run directory itself, "sub/dir" for one below it,
 * NULL for one outside it (malloc'd). It is found as the kernel will
 * find it when the hook starts there: realpath(3), so that "link/.."
 * is the parent of the link's target, as for chdir(2), and every
 * spelling of a directory ("sub/.", "sub//a", "./sub", "sub/a/..", the
 * absolute path) is the same one. A cwd that does not exist is taken
 * lexically; the hook then fails with "bad cwd" when it starts.
 */
static char *
hook_subdir(const char *cwd)
{
	char here[PATH_MAX], *real, *rel = NULL;
	size_t n;

	if (cwd == NULL)
		return xstrdup("");
	if (getcwd(here, sizeof(here)) == NULL)
		return NULL;
	real = realpath(cwd, NULL);
	if (real == NULL) {
		char *lex = lexical_path(cwd);

		if (cwd[0] != '/') {
			if (strcmp(lex, "..") != 0 && strncmp(lex, "../", 3) != 0)
				return lex;
			free(lex);
			return NULL;
		}
		real = lex;
	}
	n = strcmp(here, "/") == 0 ? 0 : strlen(here);
	if (strcmp(real, here) == 0)
		rel = xstrdup("");
	else if (strncmp(real, here, n) == 0 && real[n] == '/')
		rel = xstrdup(real + n + 1);
	free(real);
	return rel;
}

/*
 * PWD for a hook: its directory as an absolute path that names it, as
 * the shell keeps one. When hookwave's own PWD names the run directory,
 * the hook's is that path with the cwd appended (as "cd -L cwd" gives,
 * so a symlinked checkout keeps its name); else, or when that does not
 * name the directory, the physical path. NULL when there is none (the
 * run directory or cwd is gone: the hook then gets no PWD).
 */
static char *
hook_pwd(const char *cwd, char *const *base)
{
	const char *env = env_value(base, "PWD");
	struct stat here, dir;
	char buf[PATH_MAX], *top = NULL, *cand, *pwd = NULL;

	if (stat(".", &here) != 0)
		return NULL;
	if (env != NULL && names_dir(env, &here)) {
		top = lexical_path(env);
		if (!names_dir(top, &here)) {
			free(top);
			top = NULL;
		}
	}
	if (top == NULL) {
		if (getcwd(buf, sizeof(buf)) == NULL)
			return NULL;
		top = xstrdup(buf);
	}
	if (cwd == NULL)
		return top;
	if (stat(cwd, &dir) == 0) {
		char *joined = cwd[0] == '/' ? xstrdup(cwd) :
			       xasprintf("%s/%s", top, cwd);

		cand = lexical_path(joined);
		free(joined);
		if (names_dir(cand, &dir))
			pwd = cand;
		else {
			free(cand);
			pwd = realpath(cwd, NULL);
		}
	}
	free(top);
	return pwd;
}

/*
 * Whether hookwave may look the command up in PATH itself, as the shell
 * would: the hook's env lines do not set PATH (the shell would use
 * theirs), and hookwave's environment has one (without, the shell and
 * the C library search different default paths).
 */
static int
same_path_lookup(const struct conf_hook *c, char *const *base)
{
	size_t i;

	for (i = 0; i < c->env.n; i++)
		if (strncmp(c->env.v[i], "PATH=", 5) == 0)
			return 0;
	for (i = 0; base != NULL && base[i] != NULL; i++)
		if (strncmp(base[i], "PATH=", 5) == 0)
			return 1;
	return 0;
}

void
launch_build(struct launches *l, const struct plan *p, char *const *environ)
{
	size_t i;

	l->n = p->nhooks;
	l->v = xcalloc(p->nhooks + 1, sizeof(*l->v));
	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];
		const struct conf_hook *c = h->conf;
		struct launch *x = &l->v[i];
		char *pwd;

		x->command = c->command;
		x->cwd = c->cwd;
		if (h->state != PLAN_RUN)
			continue;
		pwd = hook_pwd(c->cwd, environ);
		make_env(x, environ, p, h, pwd);
		free(pwd);
		if (same_path_lookup(c, environ))
			x->words = shellcmd_words(c->command, &x->nwords);
		if (conf_hook_passes_files(c))
			x->script = xasprintf("%s \"$@\"", c->command);
		if (h->launcher != NULL) {
			char why[160];

			/* conf.c split it already: it cannot fail here. */
			x->launcher = shellcmd_split(h->launcher, &x->nlauncher,
						     why, sizeof(why));
			if (x->launcher != NULL && x->nlauncher == 0) {
				free(x->launcher);
				x->launcher = NULL;
			}
			x->launcher_shell = h->launcher_shell;
		}
		/* A fixer without patterns notes the files under it. */
		if (conf_hook_selects(c) || c->modifies)
			x->subdir = hook_subdir(c->cwd);
	}
}

void
launch_release(struct launches *l)
{
	size_t i, k;

	for (i = 0; l->v != NULL && i < l->n; i++) {
		struct launch *x = &l->v[i];

		for (k = 0; x->own != NULL && x->own[k] != NULL; k++)
			free(x->own[k]);
		free(x->own);
		free(x->env);
		free(x->words);
		free(x->launcher);
		free(x->script);
		free(x->subdir);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
launch_take_files(struct launch *l)
{
	if (l->script != NULL || l->command == NULL)
		return;
	l->script = xasprintf("%s \"$@\"", l->command);
	free(l->subdir);
	l->subdir = hook_subdir(l->cwd);
}

/*
 * The hook's own argv (direct words or sh -c), from slot `pre` of a new
 * array with `pre` free slots in front, into *out.
 */
static int
own_argv(const struct launch *l, char *const *files, size_t n, int shell,
	 size_t pre, struct launch_argv *out)
{
	size_t i, k = pre;

	if (l->words != NULL && !shell) {
		/* COMMAND "$@" without the shell: the words, then the files. */
		out->argv = tryreallocarray(NULL, pre + l->nwords + n + 1,
					    sizeof(char *));
		if (out->argv == NULL)
			return -1;
		for (i = 0; i < l->nwords; i++)
			out->argv[k++] = l->words[i];
		out->path = l->words[0];
		out->search_path = strchr(l->words[0], '/') == NULL;
	} else {
		out->argv = tryreallocarray(NULL, pre + n + 5, sizeof(char *));
		if (out->argv == NULL)
			return -1;
		out->argv[k++] = (char *)"/bin/sh";
		out->argv[k++] = (char *)"-c";
		if (l->script != NULL) {
			out->argv[k++] = l->script;
			out->argv[k++] = (char *)"hookwave";
		} else {
			out->argv[k++] = (char *)l->command;
		}
		out->path = "/bin/sh";
		out->search_path = 0;
	}
	for (i = 0; i < n; i++)
		out->argv[k++] = files[i];
	out->argv[k] = NULL;
	return 0;
}

int
launch_argv(const struct launch *l, char *const *files, size_t n, int shell,
	    struct launch_argv *out)
{
	size_t pre = l->launcher != NULL && !l->launcher_shell ?
		     l->nlauncher : 0, i;

	out->joined = NULL;
	if (own_argv(l, files, n, shell, pre, out) != 0)
		return -1;
	if (l->launcher == NULL)
		return 0;
	if (l->launcher_shell) {
		/* The launcher's words, then the hook's argv as one line. */
		char **v = tryreallocarray(NULL, l->nlauncher + 2,
					   sizeof(char *));

		out->joined = v != NULL ? shellcmd_quote(out->argv) : NULL;
		free(out->argv);
		out->argv = v;
		if (out->joined == NULL) {
			free(v);
			out->argv = NULL;
			return -1;
		}
		v[l->nlauncher] = out->joined;
		v[l->nlauncher + 1] = NULL;
	}
	for (i = 0; i < l->nlauncher; i++)
		out->argv[i] = l->launcher[i];
	out->path = l->launcher[0];
	out->search_path = strchr(l->launcher[0], '/') == NULL;
	return 0;
}

void
launch_argv_release(struct launch_argv *a)
{
	free(a->argv);
	free(a->joined);
	a->argv = NULL;
	a->joined = NULL;
}

size_t
launch_budget(const struct launch *l)
{
	struct launch_argv direct, sh;
	size_t a, b;

	if (launch_argv(l, NULL, 0, 0, &direct) != 0 ||
	    launch_argv(l, NULL, 0, 1, &sh) != 0)
		abort();        /* a few pointers, before the run */
	a = files_arg_budget(l->env, direct.argv);
	b = files_arg_budget(l->env, sh.argv);
	if (a > b)
		a = b;
	if (l->launcher != NULL && l->launcher_shell) {
		/*
		 * The files go into one argument, quoted: at most 4 bytes
		 * for each of theirs and 3 more each, within both limits
		 * when a file's cost (its length, its NUL and its pointer)
		 * is counted 4 times.
		 */
		size_t used = strlen(direct.joined) > strlen(sh.joined) ?
			      strlen(direct.joined) : strlen(sh.joined);

		b = used + 1 < LAUNCH_ARG_STRLEN ?
		    LAUNCH_ARG_STRLEN - used - 1 : 4;
		if (a > b)
			a = b;
		a = a / 4 > 0 ? a / 4 : 1;
	}
	launch_argv_release(&direct);
	launch_argv_release(&sh);
	return a;
}
