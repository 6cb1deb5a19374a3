/* exec.c - one batch of a hook as a process, and its status. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exec.h"
#include "history.h"
#include "proc.h"
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
 * hookwave's environment, then the hook's env lines, then HOOKWAVE_*
 * and PWD=`pwd` (none when `pwd` is NULL).
 */
static char **
make_env(char *const *base, const struct plan *p, const struct plan_hook *h,
	 const char *pwd)
{
	size_t nbase = 0, n = 0, i, j;
	char **env;

	while (base != NULL && base[nbase] != NULL)
		nbase++;
	env = xcalloc(nbase + h->conf->env.n + ARRAY_SIZE(own_vars) + 1,
		      sizeof(*env));
	for (i = 0; i < nbase; i++)
		if (!overridden(base[i], &h->conf->env))
			env[n++] = xstrdup(base[i]);
	/* A later env line for the same variable wins; HOOKWAVE_* are ours. */
	for (i = 0; i < h->conf->env.n; i++) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(own_vars); k++)
			if (same_var(h->conf->env.v[i], own_vars[k]))
				break;
		if (k < ARRAY_SIZE(own_vars))
			continue;
		for (j = i + 1; j < h->conf->env.n; j++)
			if (same_var(h->conf->env.v[j], h->conf->env.v[i]))
				break;
		if (j == h->conf->env.n)
			env[n++] = xstrdup(h->conf->env.v[i]);
	}
	env[n++] = xasprintf("HOOKWAVE_HOOK=%s", h->conf->name);
	env[n++] = xasprintf("HOOKWAVE_STRATEGY=%s", p->strategies[h->strategy].name);
	env[n++] = xasprintf("HOOKWAVE_WAVE=%u", h->wave);
	if (pwd != NULL)
		env[n++] = xasprintf("PWD=%s", pwd);
	env[n] = NULL;
	return env;
}

static void
free_env(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
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
 * What each selected file is predicted to cost: its size plus
 * FILE_COST_BASE (opening and reading one more file is not free, and an
 * empty file still costs a tool something), times the factor history
 * learned for it. The listing's sizes are used when it has them; else
 * the file is stat'ed from the run directory: a hook with cwd gets
 * names relative to it, `plen` bytes into the run's own names.
 */
#define FILE_COST_BASE 4096.0

static double *
file_costs(const struct file_list *from, const size_t *idx, size_t n,
	   size_t plen, const struct history *hist, const char *strategy,
	   const char *key)
{
	double *cost = xreallocarray(NULL, n, sizeof(*cost));
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = from->v[idx[i]];
		long long size = from->size != NULL ? from->size[idx[i]] : -1;

		if (size < 0 && stat(name - plen, &st) == 0 &&
		    S_ISREG(st.st_mode))
			size = (long long)st.st_size;
		cost[i] = FILE_COST_BASE + (size > 0 ? (double)size : 0);
		if (hist != NULL)
			cost[i] *= history_factor(hist, strategy, key, name);
	}
	return cost;
}

void
exec_plan_batches(const struct plan *p, char *const *environ,
		  const struct file_list *fl, const struct history *hist,
		  struct batches *out, size_t *nbatches, size_t *nfiles)
{
	size_t i;

	for (i = 0; i < p->nhooks; i++) {
		const struct plan_hook *h = &p->hooks[i];
		const struct conf_hook *c = h->conf;
		size_t *idx, n, want, budget, k;
		char *fixed[5], **env;

		struct file_list sub, *from = (struct file_list *)fl;
		size_t plen = 0;
		char *rel, *key, *pwd;
		const char *sname = p->strategies[h->strategy].name;
		double *cost;

		memset(&out[i], 0, sizeof(out[i]));
		nbatches[i] = 1;
		nfiles[i] = 0;
		if (c->files.n == 0 || h->state != PLAN_RUN)
			continue;
		/*
		 * A hook with cwd sees the files under cwd, relative to it, as
		 * if hookwave had been run with -C cwd: its tools can open them.
		 * A cwd outside the run directory leaves it none.
		 */
		rel = hook_subdir(c->cwd);
		if (rel == NULL || rel[0] != '\0') {
			plen = rel != NULL ? strlen(rel) + 1 : 0;
			sub.v = xmalloc((fl->n + 1) * sizeof(*sub.v));
			sub.size = fl->size != NULL ?
			    xmalloc((fl->n + 1) * sizeof(*sub.size)) : NULL;
			sub.n = 0;
			for (k = 0; rel != NULL && k < fl->n; k++)
				if (strncmp(fl->v[k], rel, plen - 1) == 0 &&
				    fl->v[k][plen - 1] == '/' && fl->v[k][plen] != '\0') {
					if (sub.size != NULL)
						sub.size[sub.n] = fl->size[k];
					sub.v[sub.n++] = fl->v[k] + plen;
				}
			from = &sub;
		}
		free(rel);
		idx = files_select(from, c->files.v, c->files.n, c->exclude.v,
				   c->exclude.n, &n);
		nfiles[i] = n;
		if (n == 0) {
			nbatches[i] = 0;
			free(idx);
			if (from != fl) {
				free(sub.v);
				free(sub.size);
			}
			continue;
		}
		want = p->jobs;
		if (p->strategies[h->strategy].max_workers < want)
			want = p->strategies[h->strategy].max_workers;
		fixed[0] = (char *)"/bin/sh";
		fixed[1] = (char *)"-c";
		fixed[2] = xasprintf("%s \"$@\"", c->command);
		fixed[3] = (char *)"hookwave";
		fixed[4] = NULL;
		pwd = hook_pwd(c->cwd, environ);
		env = make_env(environ, p, h, pwd);
		free(pwd);
		budget = files_arg_budget(env, fixed);
		key = history_key(c->name, c->command);
		cost = file_costs(from, idx, n, from != fl ? plen : 0, hist,
				  sname, key);
		files_batch(&out[i], from, idx, n, cost, (size_t)c->batch_size,
			    want, budget);
		for (k = 0; hist != NULL && k < out[i].n; k++)
			out[i].seconds[k] = history_batch_seconds(hist, sname,
			    key, out[i].total[k]);
		free(cost);
		free(key);
		if (from != fl) {
			free(sub.v);    /* the names are the run's list's */
			free(sub.size);
		}
		nbatches[i] = out[i].n;
		free_env(env);
		free(fixed[2]);
		free(idx);
	}
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

static void
on_output(void *ctx, const char *buf, size_t n)
{
	output_append(ctx, buf, n);
}

static void
on_group(void *ctx, pid_t pgid, int alive, int out_fd)
{
	guardian_note(ctx, pgid, alive, out_fd);
}

void
exec_batch(void *vctx, const struct plan *p, size_t hook, size_t batch,
	   unsigned slot, struct batch_result *r)
{
	const struct exec_ctx *ctx = vctx;
	const struct plan_hook *h = &p->hooks[hook];
	char **files = ctx->batches != NULL && ctx->batches[hook].n > 0 ?
		       ctx->batches[hook].files[batch] : NULL;
	char **argv, **env, *script = NULL, **words, *pwd;
	size_t nfiles = 0, nwords = 0, i;
	struct proc_spec spec;
	struct proc_result pr;

	(void)slot;
	while (files != NULL && files[nfiles] != NULL)
		nfiles++;
	words = same_path_lookup(h->conf, ctx->environ) ?
		shellcmd_words(h->conf->command, &nwords) : NULL;
	argv = xcalloc(nfiles + nwords + 5, sizeof(*argv));
	pwd = hook_pwd(h->conf->cwd, ctx->environ);
	env = make_env(ctx->environ, p, h, pwd);
	free(pwd);
again:
	if (words != NULL) {
		/* COMMAND "$@" without the shell: the words, then the files. */
		memcpy(argv, words, nwords * sizeof(*argv));
		for (i = 0; i < nfiles; i++)
			argv[nwords + i] = files[i];
	} else if (files != NULL) {
		argv[0] = (char *)"/bin/sh";
		argv[1] = (char *)"-c";
		script = xasprintf("%s \"$@\"", h->conf->command);
		argv[2] = script;
		argv[3] = (char *)"hookwave";
		for (i = 0; i < nfiles; i++)
			argv[4 + i] = files[i];
	} else {
		argv[0] = (char *)"/bin/sh";
		argv[1] = (char *)"-c";
		argv[2] = h->conf->command;
	}

	memset(&spec, 0, sizeof(spec));
	spec.path = words != NULL ? words[0] : "/bin/sh";
	spec.search_path = words != NULL && strchr(words[0], '/') == NULL;
	spec.argv = argv;
	spec.envp = env;
	spec.cwd = h->conf->cwd;
	spec.timeout = (double)h->timeout;
	spec.kill_grace = (double)p->kill_grace;
	spec.cancel_fd = ctx->cancel_fd;
	spec.kill_fd = ctx->kill_fd;
	spec.on_output = on_output;
	spec.ctx = &r->out;
	if (ctx->guardian != NULL) {
		spec.on_group = on_group;
		spec.group_ctx = (void *)ctx->guardian;
	}
	proc_run(&spec, &pr);
	if (words != NULL && pr.outcome == PROC_ERROR &&
	    pr.stage == PROC_STAGE_SPAWN && pr.error == ENOEXEC) {
		/* A script with no #! line: sh -c runs those, so must we. */
		free(words);
		words = NULL;
		memset(argv, 0, (nfiles + nwords + 5) * sizeof(*argv));
		goto again;
	}

	r->exit_code = -1;
	r->signal = pr.signal;
	r->start = pr.pid > 0 ? pr.start : -1;
	r->duration = pr.pid > 0 ? pr.duration : -1;
	r->reason = NULL;
	switch (pr.outcome) {
	case PROC_EXITED:
		r->signal = 0;
		if (pr.exit_code == 0) {
			r->status = HOOK_PASSED;
		} else if (pr.exit_code == 127 || pr.exit_code == 126) {
			/* sh's own codes: the command could not be run */
			r->status = HOOK_ERROR;
			r->exit_code = pr.exit_code;
			r->reason = xstrdup(pr.exit_code == 127 ? "command not found" :
					    "command not executable");
		} else {
			r->status = HOOK_FAILED;
			r->exit_code = pr.exit_code;
		}
		break;
	case PROC_SIGNALED:
		r->status = HOOK_FAILED;
		break;
	case PROC_TIMEOUT:
		r->status = HOOK_TIMEOUT;
		break;
	case PROC_CANCELED:
		r->status = HOOK_SKIPPED;
		r->skip = SKIP_INTERRUPTED;
		r->reason = xstrdup("interrupted");
		break;
	case PROC_ERROR:
		r->status = HOOK_ERROR;
		r->signal = 0;
		if (words != NULL && pr.stage == PROC_STAGE_SPAWN &&
		    (pr.error == ENOENT || pr.error == EACCES ||
		     pr.error == ENOTDIR)) {
			/* What sh -c would have said, with its status. */
			char *msg;
			int nf = pr.error == ENOENT || pr.error == ENOTDIR;

			r->exit_code = nf ? 127 : 126;
			r->reason = xstrdup(nf ? "command not found" :
					    "command not executable");
			msg = xasprintf("hookwave: %s: %s\n", words[0],
					nf ? "command not found" : strerror(pr.error));
			output_append(&r->out, msg, strlen(msg));
			free(msg);
		} else if (pr.stage == PROC_STAGE_CWD)
			r->reason = xasprintf("bad cwd '%s': %s", h->conf->cwd,
					      strerror(pr.error));
		else
			r->reason = xasprintf("cannot start: %s: %s",
					      proc_stage_name(pr.stage),
					      strerror(pr.error));
		break;
	}
	if (r->start < 0 && pr.outcome == PROC_ERROR) {
		/* Never ran, but an error happened at a known moment. */
		r->start = pr.start;
		r->duration = 0;
	}
	if (r->out.nomem && (pr.outcome == PROC_EXITED ||
	    pr.outcome == PROC_SIGNALED)) {
		/* It ran, but what it printed could not all be kept: its
		   result cannot be shown whole, so it is no pass. */
		r->status = HOOK_ERROR;
		free(r->reason);
		r->reason = xstrdup("out of memory: its output was cut short");
	}
	free_env(env);
	free(script);
	free(words);
	free(argv);
}
