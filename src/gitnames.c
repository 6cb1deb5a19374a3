/*
 * gitnames.c - git's hook names. See gitnames.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gitnames.h"
#include "util.h"

const char *const git_hook_names[] = {
	"applypatch-msg", "pre-applypatch", "post-applypatch",
	"pre-commit", "pre-merge-commit", "prepare-commit-msg",
	"commit-msg", "post-commit", "pre-rebase", "post-checkout",
	"post-merge", "pre-push", "pre-receive", "update", "proc-receive",
	"post-receive", "post-update", "reference-transaction",
	"push-to-checkout", "pre-auto-gc", "post-rewrite",
	"sendemail-validate", "fsmonitor-watchman", "p4-changelist",
	"p4-prepare-changelist", "p4-post-changelist", "p4-pre-submit",
	"post-index-change"
};
const size_t git_hook_count = ARRAY_SIZE(git_hook_names);

static int
in(const char *name, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, v[i]) == 0)
			return 1;
	return 0;
}

int
git_hook_known(const char *name)
{
	return in(name, git_hook_names, git_hook_count);
}

int
git_hook_reads_stdin(const char *name)
{
	/* proc-receive speaks a protocol both ways: not one to copy. */
	static const char *const v[] = {
		"pre-push", "pre-receive", "post-receive", "post-rewrite",
		"reference-transaction"
	};

	return in(name, v, ARRAY_SIZE(v));
}

int
git_hook_takes_message(const char *name)
{
	static const char *const v[] = {
		"commit-msg", "prepare-commit-msg", "applypatch-msg"
	};

	return in(name, v, ARRAY_SIZE(v));
}
