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
#include "finding_id.h"
#include "finding_read.h"
#include "fingerprint.h"
#include "proc.h"
#include "sarif_read.h"
#include "util.h"

/* Where a process's output goes: the bounded copy the report shows,
   and, when its hook reads findings, every byte to the reader. */
struct sink {
	struct output *out;
	struct finding_reader *reader;  /* or NULL */
	struct sarif_collect *sarif;    /* or NULL: a SARIF log on stdout */
};

static void
on_output(void *ctx, const char *buf, size_t n)
{
	struct sink *k = ctx;

	output_append(k->out, buf, n);
	if (k->reader != NULL)
		finding_reader_feed(k->reader, buf, n);
	if (k->sarif != NULL)
		sarif_collect_feed(k->sarif, buf, n);
}

/* The absolute directory hook h's processes run in (lexically). */
static char *
process_dir(const struct exec_ctx *ctx, const struct plan_hook *h)
{
	const char *cwd = h->conf->cwd;

	if (cwd == NULL || *cwd == '\0')
		return xstrdup(ctx->run_dir);
	if (cwd[0] == '/')
		return xstrdup(cwd);
	return xasprintf("%s/%s", ctx->run_dir, cwd);
}

static void
on_group(void *ctx, pid_t pgid, int alive, int out_fd)
{
	guardian_note(ctx, pgid, alive, out_fd);
}

/* What the batch changed, as copies of the paths, into r. */
static void
note_changes(const struct fingerprint *fp, struct batch_result *r)
{
	size_t *idx, n, i;

	idx = fingerprint_changed(fp, &n);
	r->modified = n > 0 ? xmalloc(n * sizeof(*r->modified)) : NULL;
	for (i = 0; i < n; i++)
		r->modified[i] = xstrdup(fp->paths[idx[i]]);
	r->nmodified = n;
	free(idx);
}

/*
 * A `findings = sarif` batch that ran to its end: its log (on its
 * output, or in its sarif_file) read into r, or the batch is an error
 * that says what was wrong with it.
 */
static void
read_sarif(const struct exec_ctx *ctx, const struct plan_hook *h,
	   const struct proc_result *pr, struct sink *sink,
	   const char *path, struct batch_result *r)
{
	char why[256], *dir;
	int rc;

	if (pr->outcome != PROC_EXITED || r->status == HOOK_ERROR)
		return;         /* it did not end on its own: no log to read */
	dir = process_dir(ctx, h);
	if (path != NULL)
		rc = sarif_read_file(path, ctx->root, dir, &r->findings,
				     &r->sarif_run, why, sizeof(why));
	else
		rc = sarif_collect_finish(sink->sarif, ctx->root, dir,
					  &r->findings, &r->sarif_run, why,
					  sizeof(why));
	free(dir);
	if (rc != 0) {
		r->status = HOOK_ERROR;
		free(r->reason);
		r->reason = xasprintf("findings: %s", why);
		return;
	}
	finding_id_assign(&r->findings, ctx->root);
}

void
exec_batch(void *vctx, const struct plan *p, size_t hook, size_t batch,
	   unsigned slot, struct batch_result *r)
{
	const struct exec_ctx *ctx = vctx;
	const struct plan_hook *h = &p->hooks[hook];
	const struct launch *l = &ctx->launches->v[hook];
	char **files = ctx->batches != NULL && ctx->batches[hook].n > 0 ?
		       ctx->batches[hook].files[batch] : NULL;
	size_t nfiles = 0;
	struct launch_argv av;
	struct proc_spec spec;
	struct proc_result pr;
	struct fingerprint fp;
	struct sink sink = { &r->out, NULL, NULL };
	char *sarif_path = NULL;        /* its sarif_file, absolute */
	int shell = 0, noted = 0;

	(void)slot;
	while (files != NULL && files[nfiles] != NULL)
		nfiles++;
	if (ctx->files != NULL && ctx->files->of[hook].note &&
	    batch < ctx->files->of[hook].nbatches) {
		const struct hook_files *hf = &ctx->files->of[hook];
		size_t from = batch > 0 ? hf->end[batch - 1] : 0;

		noted = 1;
		fingerprint_take(&fp, hf->path + from, hf->end[batch] - from);
	}
	if (h->conf->finding_format != NULL && ctx->root != NULL &&
	    ctx->run_dir != NULL) {
		char *dir = process_dir(ctx, h);

		sink.reader = finding_reader_new(h->conf->finding_format,
						 ctx->root, dir);
		free(dir);
	}
	if (h->conf->findings == CONF_FINDINGS_SARIF && ctx->root != NULL &&
	    ctx->run_dir != NULL) {
		if (h->conf->sarif_file == NULL) {
			sink.sarif = sarif_collect_new();
		} else {
			char *dir = process_dir(ctx, h);

			sarif_path = h->conf->sarif_file[0] == '/' ?
				     xstrdup(h->conf->sarif_file) :
				     xasprintf("%s/%s", dir, h->conf->sarif_file);
			free(dir);
			/* A log left by an earlier run must not pass for
			   this batch's. */
			if (unlink(sarif_path) != 0 && errno != ENOENT) {
				r->status = HOOK_ERROR;
				r->exit_code = -1;
				r->signal = 0;
				r->start = -1;
				r->duration = -1;
				r->reason = xasprintf("findings: cannot remove %s: %s",
						      sarif_path, strerror(errno));
				if (noted)
					fingerprint_release(&fp);
				free(sarif_path);
				finding_reader_free(sink.reader);
				return;
			}
		}
	}
again:
	if (launch_argv(l, files, nfiles, shell, &av) != 0) {
		r->status = HOOK_ERROR;
		r->exit_code = -1;
		r->signal = 0;
		r->start = -1;
		r->duration = -1;
		r->reason = strdup("cannot start: out of memory");
		if (noted)
			fingerprint_release(&fp);
		finding_reader_free(sink.reader);
		sarif_collect_free(sink.sarif);
		free(sarif_path);
		return;
	}
	memset(&spec, 0, sizeof(spec));
	spec.path = av.path;
	spec.search_path = av.search_path;
	spec.argv = av.argv;
	spec.envp = l->env;
	spec.cwd = h->conf->cwd;
	spec.timeout = (double)h->timeout;
	spec.kill_grace = (double)p->kill_grace;
	spec.cancel_fd = ctx->cancel_fd;
	spec.kill_fd = ctx->kill_fd;
	spec.on_output = on_output;
	spec.ctx = &sink;
	if (ctx->guardian != NULL) {
		spec.on_group = on_group;
		spec.group_ctx = (void *)ctx->guardian;
	}
	proc_run(&spec, &pr);
	if (l->words != NULL && l->launcher == NULL && !shell &&
	    pr.outcome == PROC_ERROR &&
	    pr.stage == PROC_STAGE_SPAWN && pr.error == ENOEXEC) {
		/* A script with no #! line: sh -c runs those, so must we. */
		launch_argv_release(&av);
		shell = 1;
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
		if (l->words != NULL && !shell && pr.stage == PROC_STAGE_SPAWN &&
		    (pr.error == ENOENT || pr.error == EACCES ||
		     pr.error == ENOTDIR)) {
			/* What sh -c would have said, with its status. */
			char *msg;
			int nf = pr.error == ENOENT || pr.error == ENOTDIR;

			r->exit_code = nf ? 127 : 126;
			r->reason = xstrdup(nf ? "command not found" :
					    "command not executable");
			msg = xasprintf("hookwave: %s: %s\n", l->words[0],
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
	launch_argv_release(&av);
	if (noted) {
		note_changes(&fp, r);
		fingerprint_release(&fp);
	}
	if (sink.reader != NULL) {
		/* Fingerprinted here, batch by batch in the workers: a file
		   is in one batch, so its identical findings are numbered
		   together (finding_id.h). */
		finding_reader_finish(sink.reader, &r->findings);
		finding_reader_free(sink.reader);
		finding_id_assign(&r->findings, ctx->root);
	}
	if (sink.sarif != NULL || sarif_path != NULL)
		read_sarif(ctx, h, &pr, &sink, sarif_path, r);
	sarif_collect_free(sink.sarif);
	free(sarif_path);
}
