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

static const char *const own_vars[] = {
	"HOOKWAVE_HOOK", "HOOKWAVE_STRATEGY", "HOOKWAVE_WAVE"
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

/* hookwave's environment, then the hook's env lines, then HOOKWAVE_*. */
static char **
make_env(char *const *base, const struct plan *p, const struct plan_hook *h)
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
 * cwd as a path relative to the run directory: an absolute cwd inside
 * the run directory is made relative (*owned then holds it); any other
 * is returned as it is.
 */
static const char *
relative_cwd(const char *cwd, char **owned)
{
	char here[PATH_MAX];
	size_t n;

	*owned = NULL;
	if (cwd == NULL || cwd[0] != '/' || getcwd(here, sizeof(here)) == NULL)
		return cwd;
	n = strlen(here);
	if (strncmp(cwd, here, n) != 0 || (cwd[n] != '/' && cwd[n] != '\0'))
		return cwd;
	*owned = xstrdup(cwd[n] == '\0' || cwd[n + 1] == '\0' ? "." : cwd + n + 1);
	return *owned;
}

/*
 * Length of "cwd/" when cwd names a subdirectory (conf.c has removed
 * any "./" in front and "/" at the end), so file paths can be cut to be
 * relative to it; 0 for no cwd or ".".
 */
static size_t
cwd_prefix(const char *cwd)
{
	if (cwd == NULL || strcmp(cwd, ".") == 0)
		return 0;
	return strlen(cwd) + 1;
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
		size_t plen;
		const char *rel;
		char *owned = NULL, *key;
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
		 */
		rel = relative_cwd(c->cwd, &owned);
		plen = cwd_prefix(rel);
		if (plen > 0) {
			sub.v = xmalloc((fl->n + 1) * sizeof(*sub.v));
			sub.size = fl->size != NULL ?
			    xmalloc((fl->n + 1) * sizeof(*sub.size)) : NULL;
			sub.n = 0;
			for (k = 0; k < fl->n; k++)
				if (strncmp(fl->v[k], rel, plen - 1) == 0 &&
				    fl->v[k][plen - 1] == '/' && fl->v[k][plen] != '\0') {
					if (sub.size != NULL)
						sub.size[sub.n] = fl->size[k];
					sub.v[sub.n++] = fl->v[k] + plen;
				}
			from = &sub;
		}
		free(owned);
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
		env = make_env(environ, p, h);
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
on_group(void *ctx, pid_t pgid, int alive)
{
	guardian_note(ctx, pgid, alive);
}

void
exec_batch(void *vctx, const struct plan *p, size_t hook, size_t batch,
	   unsigned slot, struct batch_result *r)
{
	const struct exec_ctx *ctx = vctx;
	const struct plan_hook *h = &p->hooks[hook];
	char **files = ctx->batches != NULL && ctx->batches[hook].n > 0 ?
		       ctx->batches[hook].files[batch] : NULL;
	char **argv, **env, *script = NULL, **words;
	size_t nfiles = 0, nwords = 0, i;
	struct proc_spec spec;
	struct proc_result pr;

	(void)slot;
	while (files != NULL && files[nfiles] != NULL)
		nfiles++;
	words = same_path_lookup(h->conf, ctx->environ) ?
		shellcmd_words(h->conf->command, &nwords) : NULL;
	argv = xcalloc(nfiles + nwords + 5, sizeof(*argv));
	env = make_env(ctx->environ, p, h);
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
	free_env(env);
	free(script);
	free(words);
	free(argv);
}
