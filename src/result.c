/*
 * result.c - what became of a hook: names and the rules that read a
 * result. See result.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "util.h"

const char *
hook_status_name(enum hook_status s)
{
	static const char *const names[] = {
		[HOOK_PENDING] = "pending", [HOOK_PASSED] = "passed",
		[HOOK_FAILED] = "failed", [HOOK_TIMEOUT] = "timeout",
		[HOOK_ERROR] = "error", [HOOK_SKIPPED] = "skipped"
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
								 "?";
}

int
hook_result_passes(const struct hook_result *r)
{
	return r->status == HOOK_PASSED ||
	       (r->status == HOOK_SKIPPED && r->skip == SKIP_NO_FILES);
}

int
hook_result_fails_run(const struct hook_result *r)
{
	switch (r->status) {
	case HOOK_FAILED:
	case HOOK_TIMEOUT:
	case HOOK_ERROR:
		return 1;
	case HOOK_SKIPPED:
		return r->skip == SKIP_DEPENDENCY || r->skip == SKIP_STOPPED;
	default:
		return 0;
	}
}

/* "modified 1 file", "fixed 2 files". */
static char *
count_reason(const char *verb, size_t n)
{
	return xasprintf("%s %zu file%s", verb, n, n == 1 ? "" : "s");
}

void
hook_result_settle_modified(struct hook_result *r, int stage_fixed)
{
	r->fixed = 0;
	if (r->nmodified == 0)
		return;
	if (r->status == HOOK_PASSED) {
		free(r->reason);
		if (stage_fixed) {
			r->fixed = 1;
			r->reason = count_reason("fixed", r->nmodified);
		} else {
			r->status = HOOK_FAILED;
			r->reason = count_reason("modified", r->nmodified);
		}
	} else if (r->status == HOOK_FAILED && r->reason == NULL) {
		r->reason = count_reason("modified", r->nmodified);
	}
}

void
hook_result_set_cached(struct hook_result *r, size_t ncached)
{
	r->status = HOOK_PASSED;
	r->skip = SKIP_NONE;
	free(r->reason);
	r->reason = xstrdup(HOOK_REASON_CACHED);
	r->exit_code = -1;
	r->signal = 0;
	r->start = r->duration = -1;
	r->batches = 0;
	r->files = 0;
	r->cached = ncached;
	free(r->output);
	r->output = xstrdup("");
	r->output_len = 0;
	r->dropped = 0;
	r->fixed = 0;
}

int
hook_result_is_cached(const struct hook_result *r)
{
	return r->status == HOOK_PASSED && r->batches == 0 &&
	       r->reason != NULL && strcmp(r->reason, HOOK_REASON_CACHED) == 0;
}

void
hook_results_free(struct hook_result *r, size_t n)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(r[i].reason);
		free(r[i].output);
		free(r[i].spans);
		for (k = 0; k < r[i].nmodified; k++)
			free(r[i].modified[k]);
		free(r[i].modified);
		findings_release(&r[i].findings);
		findings_release(&r[i].absent);
		free(r[i].sarif_run);
	}
	free(r);
}
