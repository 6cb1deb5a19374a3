/*
 * report_github.c - GitHub Actions workflow commands, hook by hook: the
 * text format's status line, the output the text format would show
 * folded in a ::group::, an annotation (::error, ::warning, ::notice)
 * per finding, or one ::error for a hook that failed without any; then
 * the text format's summary.
 *
 * A hook's output is the tool's, not ours: it goes between
 * ::stop-commands::TOKEN and ::TOKEN::, where the runner acts on no
 * command, with a TOKEN of 128 random bits made fresh for every block,
 * so no output can end the block early and inject a command. What we
 * write into a command is escaped as the runner unescapes it (%25, %0D,
 * %0A, and in properties %3A, %2C), and made valid UTF-8 without
 * control characters on the way.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include "escape.h"
#include "hashmap.h"
#include "writer.h"

#define TOKEN_BYTES 16

/* n random bytes: getrandom(2), else /dev/urandom; 0, or -1. */
static int
random_bytes(unsigned char *p, size_t n)
{
	size_t got = 0;
	int fd;

#if defined(HAVE_GETRANDOM) && defined(HAVE_SYS_RANDOM_H)
	while (got < n) {
		ssize_t k = getrandom(p + got, n - got, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got == n)
		return 0;
#endif
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	return got == n ? 0 : -1;
}

/*
 * A fresh token, hex, not found in output[0..len). Without a source of
 * randomness (no getrandom, no /dev/urandom) it is made from the time,
 * the process and a counter: still never the same twice in a run, and
 * checked against the output it guards.
 */
static void
make_token(char out[2 * TOKEN_BYTES + 1], const char *output, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static unsigned long counter;
	unsigned char raw[TOKEN_BYTES];
	size_t i;

	do {
		if (random_bytes(raw, sizeof(raw)) != 0) {
			struct timespec ts;
			uint64_t h[2];

			clock_gettime(CLOCK_REALTIME, &ts);
			h[0] = hash_bytes(HASH_INIT, &ts, sizeof(ts));
			h[0] = hash_bytes(h[0], &counter, sizeof(counter));
			counter++;
			h[1] = hash_bytes(h[0], &(pid_t){ getpid() },
					  sizeof(pid_t));
			memcpy(raw, h, sizeof(raw));
		}
		for (i = 0; i < TOKEN_BYTES; i++) {
			out[2 * i] = hex[raw[i] >> 4];
			out[2 * i + 1] = hex[raw[i] & 15];
		}
		out[2 * TOKEN_BYTES] = '\0';
	} while (len > 0 && memmem(output, len, out, 2 * TOKEN_BYTES) != NULL);
}

/*
 * s[0..n) as workflow commands read it back: '%', CR and LF escaped
 * (and ':' and ',' in a property), the rest through clean_text (valid
 * UTF-8, no other control character). ASCII bytes never occur inside
 * a UTF-8 sequence, so cutting at them is safe.
 */
static void
gh_escape(struct buf *b, const char *s, size_t n, bool property)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '%':
			esc = "%25";
			break;
		case '\r':
			esc = "%0D";
			break;
		case '\n':
			esc = "%0A";
			break;
		case ':':
			esc = property ? "%3A" : NULL;
			break;
		case ',':
			esc = property ? "%2C" : NULL;
			break;
		default:
			esc = NULL;
			break;
		}
		if (esc == NULL)
			continue;
		clean_text(b, s + from, i - from);
		buf_adds(b, esc);
		from = i + 1;
	}
	clean_text(b, s + from, n - from);
}

static void
gh_escape_str(struct buf *b, const char *s, bool property)
{
	gh_escape(b, s, strlen(s), property);
}

/* ",title=STRATEGY/HOOK::" or "title=...::" */
static void
title(struct buf *b, const struct plan *p, const struct plan_hook *h)
{
	buf_adds(b, "title=");
	gh_escape_str(b, p->strategies[h->strategy].name, true);
	buf_adds(b, "/");
	gh_escape_str(b, h->conf->name, true);
	buf_adds(b, "::");
}

static void
annotation(struct buf *b, const struct plan *p, const struct plan_hook *h,
	   const struct finding *f)
{
	static const char *const cmd[] = {
		[FINDING_ERROR] = "::error", [FINDING_WARNING] = "::warning",
		[FINDING_NOTE] = "::notice"
	};

	buf_adds(b, cmd[f->level <= FINDING_NOTE ? f->level : FINDING_ERROR]);
	buf_adds(b, " file=");
	gh_escape_str(b, f->file, true);
	if (f->line > 0) {
		buf_printf(b, ",line=%lu", f->line);
		if (f->col > 0)
			buf_printf(b, ",col=%lu", f->col);
	}
	buf_adds(b, ",");
	title(b, p, h);
	gh_escape_str(b, f->message, false);
	if (f->rule != NULL) {
		buf_adds(b, f->message[0] != '\0' ? " [" : "[");
		gh_escape_str(b, f->rule, false);
		buf_adds(b, "]");
	}
	buf_adds(b, "\n");
}

/* The one annotation of a hook that failed without a finding. */
static void
failure(struct buf *b, const struct plan *p, const struct plan_hook *h,
	const struct hook_result *res)
{
	buf_adds(b, "::error ");
	title(b, p, h);
	buf_adds(b, hook_status_name(res->status));
	if (res->status == HOOK_TIMEOUT)
		buf_printf(b, ": timed out after %lds", h->timeout);
	else if (res->status == HOOK_FAILED && res->exit_code > 0)
		buf_printf(b, ": exit %d", res->exit_code);
	else if (res->status == HOOK_FAILED && res->signal > 0)
		buf_printf(b, ": killed by signal %d", res->signal);
	else if (res->reason != NULL) {
		buf_adds(b, ": ");
		gh_escape_str(b, res->reason, false);
	}
	buf_adds(b, "\n");
}

static void
github_hook(struct writer_state *w, struct buf *b, size_t hook,
	    const struct hook_result *res)
{
	const struct plan_hook *h = &w->plan->hooks[hook];
	/* Whose output the text format shows. */
	bool show_output = res->output_len > 0 &&
			   (w->o.verbose || (res->status != HOOK_PASSED &&
					     res->status != HOOK_SKIPPED) ||
			    (res->status == HOOK_SKIPPED &&
			     res->skip == SKIP_INTERRUPTED));
	struct writer_state tw = *w;
	struct hook_result line_only = *res;
	struct buf line = { NULL, 0, 0 };
	size_t i;

	/* The text format's status line, plain, without the output. */
	tw.o.color = false;
	tw.o.verbose = false;
	line_only.output_len = 0;
	writer_text.hook(&tw, &line, hook, &line_only);
	while (line.len > 0 && line.p[line.len - 1] == '\n')
		line.len--;
	if (show_output) {
		char token[2 * TOKEN_BYTES + 1];

		make_token(token, res->output, res->output_len);
		buf_adds(b, "::group::");
		gh_escape(b, line.p, line.len, false);
		buf_printf(b, "\n::stop-commands::%s\n", token);
		buf_add(b, res->output, res->output_len);
		if (res->output[res->output_len - 1] != '\n')
			buf_adds(b, "\n");
		buf_printf(b, "::%s::\n::endgroup::\n", token);
	} else {
		/* It starts with the status, so it is never a command; a
		   reason's line break would start one: one line, then. */
		for (i = 0; i < line.len; i++)
			if (line.p[i] == '\n' || line.p[i] == '\r')
				line.p[i] = ' ';
		clean_text(b, line.p, line.len);
		buf_adds(b, "\n");
	}
	buf_release(&line);
	/* Against a baseline, what is known is not news on a pull
	   request: only the new findings are annotated. */
	for (i = 0; i < res->findings.n; i++)
		if (res->findings.v[i].state != FINDING_UNCHANGED)
			annotation(b, w->plan, h, &res->findings.v[i]);
	if (res->findings.n == 0 && (res->status == HOOK_FAILED ||
				     res->status == HOOK_TIMEOUT ||
				     res->status == HOOK_ERROR))
		failure(b, w->plan, h, res);
}

static void
github_finish(struct writer_state *w, struct buf *b,
	      const struct hook_result *results, const size_t *order, size_t n,
	      double elapsed, int exit_status)
{
	writer_text.finish(w, b, results, order, n, elapsed, exit_status);
}

const struct writer writer_github = { NULL, github_hook, github_finish };
