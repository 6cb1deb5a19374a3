/*
 * check_strategy.c - unit tests for strategy.[ch]: the scheduler, run
 * on real plans (conf_parse + plan_build) with a fake exec.
 *
 * The fake exec never starts a process. It looks up a scripted outcome
 * per hook and batch, records every start and end on one sequence
 * counter (so "X started after Y ended" is a comparison of numbers),
 * counts what runs at once (globally, per strategy, per hook), and can
 * hold a job until a condition on that record holds ("gates"): another
 * hook has started, ended, been reported, or as many jobs run as the
 * caps allow. Gates make overlap deterministic; a gate that does not
 * open within GATE_SECONDS is counted and fails the test instead of
 * hanging it.
 *
 * Every run is followed by invariant checks that hold for any plan:
 * one report per hook, caps never exceeded, dependents start after
 * their dependencies end, the wave barrier, sequential = one hook at a
 * time, skipped hooks never ran.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "conflicts.h"
#include "output.h"
#include "plan.h"
#include "result.h"
#include "strategy.h"
#include "util.h"

Suite *strategy_suite(void);

#define MAXH 64
#define MAXB 8
#define MAXG 8
#define GATE_SECONDS 10

enum gate_kind {
	G_STARTED,              /* `other` has started (a batch) */
	G_ENDED,                /* every batch of `other` has ended */
	G_REPORTED,             /* `other` has been reported final */
	G_BATCH_ENDED,          /* batch `n` of `other` has ended */
	G_FULL,                 /* as many jobs run as the caps allow */
	G_OWN_BATCHES           /* `n` batches of this hook ran at once */
};

struct gate {
	enum gate_kind kind;
	long batch;             /* which batch of the hook waits; -1 all */
	size_t other;
	size_t n;
};

struct fake {
	const struct plan *plan;
	pthread_mutex_t mu;
	pthread_cond_t cond;            /* CLOCK_MONOTONIC */
	atomic_int *stop;

	/* script */
	size_t nb[MAXH];                /* batches per hook */
	enum hook_status outcome[MAXH][MAXB];
	int code[MAXH][MAXB];
	struct gate gates[MAXH][MAXG];
	size_t ngates[MAXH];
	unsigned delay_ms[MAXH];
	int sets_stop[MAXH];
	int modifies[MAXH];             /* each batch changes one file */

	/* record (mu) */
	unsigned long seq;
	unsigned long start_seq[MAXH][MAXB], end_seq[MAXH][MAXB];
	unsigned long report_seq[MAXH];
	unsigned calls[MAXH][MAXB];
	unsigned start_calls[MAXH][MAXB];       /* the start callback */
	struct { size_t h, b; } starts[MAXH * MAXB];
	size_t nstarts;
	unsigned running, max_running;
	unsigned srunning[MAXH], smax[MAXH];    /* jobs per strategy */
	unsigned shooks[MAXH], smaxhooks[MAXH]; /* distinct hooks per strategy */
	unsigned hrunning[MAXH], hmax[MAXH];    /* batches per hook */
	unsigned hstarted[MAXH], hended[MAXH];
	int busy[MAXH];
	unsigned slot_clashes, bad_slots, start_not_first;
	unsigned reports[MAXH];
	enum hook_status rstatus[MAXH];
	size_t report_order[MAXH * 2];
	unsigned nreports;
	unsigned gate_timeouts;
	char gate_what[256];
};

/* One test's world; each test runs in its own process (CK_FORK). */
static struct {
	struct conf conf;
	struct plan plan;
	int have_conf, have_plan;
	struct fake f;
	struct hook_result *res;
	size_t nbatches[MAXH];
	size_t nfiles[MAXH];
	double *batch_seconds[MAXH];    /* per hook, or NULL */
	int use_batch_seconds;
	int use_nbatches;
	size_t ncached[MAXH];           /* the run's ncached, if use_cache */
	unsigned char all_cached[MAXH]; /* the run's all_cached, if use_cache */
	int use_cache;
	struct conflicts *conflicts;    /* for the run, or NULL */
	int staged;
	atomic_int stop;
	unsigned workers;
	double t0;
} T;

/* ---- building plans --------------------------------------------------- */

/*
 * The INI for a test: `head` verbatim ([settings], [strategy ...]),
 * then one [hook] per line of `spec`:
 *
 *   STRATEGY NAME [: DEP...] [| key = value; key = value]
 *
 * Every hook's command is `true`: the fake exec never runs it.
 */
static char *
ini_build(const char *head, const char *spec)
{
	char *out = NULL, *copy, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	fputs(head, f);
	copy = strdup(spec);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|'), *tok, *ts = NULL;
		const char *strat, *name;
		int ndeps = 0;

		if (bar != NULL)
			*bar++ = '\0';
		strat = strtok_r(line, " \t", &ts);
		if (strat == NULL)
			continue;
		name = strtok_r(NULL, " \t", &ts);
		ck_assert_ptr_nonnull(name);
		fprintf(f, "[hook %s]\ncommand = true\nstrategy = %s\n", name, strat);
		tok = strtok_r(NULL, " \t", &ts);
		if (tok != NULL) {
			ck_assert_str_eq(tok, ":");
			while ((tok = strtok_r(NULL, " \t", &ts)) != NULL)
				fprintf(f, "%s%s", ndeps++ ? " " : "depends = ", tok);
			if (ndeps > 0)
				fputc('\n', f);
		}
		if (bar != NULL) {
			char *kv, *ks = NULL;

			for (kv = strtok_r(bar, ";", &ks); kv != NULL;
			     kv = strtok_r(NULL, ";", &ks)) {
				while (*kv == ' ')
					kv++;
				if (*kv != '\0')
					fprintf(f, "%s\n", kv);
			}
		}
	}
	free(copy);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/* Parse and plan; `o` may be NULL for the defaults. */
static void
setup(const char *head, const char *spec, const struct plan_options *o)
{
	struct plan_options def = PLAN_OPTIONS_INIT;
	pthread_condattr_t ca;
	struct err e;
	char *ini = ini_build(head, spec);
	size_t h;

	memset(&T, 0, sizeof(T));
	conf_init(&T.conf);
	T.have_conf = 1;
	memset(&e, 0, sizeof(e));
	ck_assert_msg(conf_parse(&T.conf, "test.ini", ini, strlen(ini), &e) == 0,
		      "conf_parse: line %lu: %s\n%s", e.line, e.msg, ini);
	ck_assert_msg(plan_build(&T.plan, &T.conf, o ? o : &def, &e) == 0,
		      "plan_build: %s", e.msg);
	T.have_plan = 1;
	free(ini);
	ck_assert_uint_le(T.plan.nhooks, MAXH);
	ck_assert_uint_le(T.plan.jobs, MAXH);

	for (h = 0; h < T.plan.nhooks; h++)
		T.nbatches[h] = 1;
	T.f.plan = &T.plan;
	T.f.stop = &T.stop;
	atomic_init(&T.stop, 0);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ck_assert_int_eq(pthread_mutex_init(&T.f.mu, NULL), 0);
	ck_assert_int_eq(pthread_cond_init(&T.f.cond, &ca), 0);
	pthread_condattr_destroy(&ca);
	for (h = 0; h < MAXH; h++) {
		size_t b;

		T.f.nb[h] = 1;
		for (b = 0; b < MAXB; b++)
			T.f.outcome[h][b] = HOOK_PASSED;
	}
}

static void
teardown(void)
{
	conflicts_free(T.conflicts);
	hook_results_free(T.res, T.plan.nhooks);
	T.res = NULL;
	if (T.have_plan)
		plan_release(&T.plan);
	if (T.have_conf)
		conf_release(&T.conf);
	pthread_cond_destroy(&T.f.cond);
	pthread_mutex_destroy(&T.f.mu);
	memset(&T, 0, sizeof(T));
}

/* Plan index of a hook. */
static size_t
H(const char *name)
{
	size_t i;

	for (i = 0; i < T.plan.nhooks; i++)
		if (strcmp(T.plan.hooks[i].conf->name, name) == 0)
			return i;
	ck_abort_msg("no hook '%s' in the plan", name);
	return 0;
}

/* Plan index of a strategy. */
static size_t
S(const char *name)
{
	size_t i;

	for (i = 0; i < T.plan.nstrategies; i++)
		if (strcmp(T.plan.strategies[i].name, name) == 0)
			return i;
	ck_abort_msg("no strategy '%s' in the plan", name);
	return 0;
}

static void
gate_add(const char *hook, long batch, enum gate_kind k, const char *other,
	 size_t n)
{
	size_t h = H(hook);
	struct gate *g;

	ck_assert_uint_lt(T.f.ngates[h], MAXG);
	g = &T.f.gates[h][T.f.ngates[h]++];
	g->kind = k;
	g->batch = batch;
	g->other = other ? H(other) : 0;
	g->n = n;
}

/* `hook` (every batch) waits until `k` holds of `other`. */
static void
gate(const char *hook, enum gate_kind k, const char *other)
{
	gate_add(hook, -1, k, other, 0);
}

static void
outcome(const char *hook, long batch, enum hook_status s, int code)
{
	size_t h = H(hook), b;

	for (b = 0; b < MAXB; b++)
		if (batch < 0 || (size_t)batch == b) {
			T.f.outcome[h][b] = s;
			T.f.code[h][b] = code;
		}
}

static void
batches(const char *hook, size_t n)
{
	size_t h = H(hook);

	ck_assert_uint_le(n, MAXB);
	T.use_nbatches = 1;
	T.nbatches[h] = n;
	T.f.nb[h] = n;
}

/* The cache passed n of hook's files; all: it left it nothing to run
   (its nbatches stay what they were: they must not matter). */
static void
cached(const char *hook, size_t n, int all)
{
	size_t h = H(hook);

	T.use_cache = 1;
	T.ncached[h] = n;
	T.all_cached[h] = (unsigned char)all;
	if (all)
		T.f.nb[h] = 0;
}

/* ---- the fake --------------------------------------------------------- */

/* Most jobs that can run at once now, if every hook left is independent. */
static unsigned
full_target(const struct fake *f)
{
	const struct plan *p = f->plan;
	unsigned sum = 0;
	size_t s, i;

	for (s = 0; s < p->nstrategies; s++) {
		const struct plan_strategy *ps = &p->strategies[s];
		unsigned rem = 0;

		for (i = 0; i < ps->nhooks; i++) {
			size_t h = ps->hooks[i];
			if (p->hooks[h].state == PLAN_RUN && f->hended[h] < f->nb[h])
				rem += (unsigned)f->nb[h] - f->hended[h];
		}
		sum += rem < ps->max_workers ? rem : ps->max_workers;
	}
	return sum < p->jobs ? sum : p->jobs;
}

static int
gate_open(const struct fake *f, size_t h, size_t b)
{
	size_t i;

	for (i = 0; i < f->ngates[h]; i++) {
		const struct gate *g = &f->gates[h][i];
		int ok = 1;

		if (g->batch >= 0 && (size_t)g->batch != b)
			continue;
		switch (g->kind) {
		case G_STARTED:
			ok = f->hstarted[g->other] > 0;
			break;
		case G_ENDED:
			ok = f->hended[g->other] >= f->nb[g->other];
			break;
		case G_REPORTED:
			ok = f->reports[g->other] > 0;
			break;
		case G_BATCH_ENDED:
			ok = f->end_seq[g->other][g->n] != 0;
			break;
		case G_FULL:
			ok = f->running >= full_target(f);
			break;
		case G_OWN_BATCHES:
			ok = f->hmax[h] >= g->n;
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
fake_exec(void *ctx, const struct plan *p, size_t h, size_t b, unsigned slot,
	  struct batch_result *r)
{
	struct fake *f = ctx;
	size_t s = p->hooks[h].strategy;
	double start = now_monotonic();
	enum hook_status st;
	struct timespec deadline;
	char line[32];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += GATE_SECONDS;

	pthread_mutex_lock(&f->mu);
	if (slot >= T.workers || slot >= MAXH)
		f->bad_slots++;
	else if (f->busy[slot]++)
		f->slot_clashes++;
	if (b < MAXB) {
		f->calls[h][b]++;
		f->start_seq[h][b] = ++f->seq;
		if (f->start_calls[h][b] != f->calls[h][b])
			f->start_not_first++;
	}
	f->starts[f->nstarts].h = h;
	f->starts[f->nstarts].b = b;
	f->nstarts++;
	if (++f->running > f->max_running)
		f->max_running = f->running;
	if (++f->srunning[s] > f->smax[s])
		f->smax[s] = f->srunning[s];
	if (f->hrunning[h]++ == 0 && ++f->shooks[s] > f->smaxhooks[s])
		f->smaxhooks[s] = f->shooks[s];
	if (f->hrunning[h] > f->hmax[h])
		f->hmax[h] = f->hrunning[h];
	f->hstarted[h]++;
	pthread_cond_broadcast(&f->cond);
	while (!gate_open(f, h, b)) {
		if (pthread_cond_timedwait(&f->cond, &f->mu, &deadline) == ETIMEDOUT &&
		    !gate_open(f, h, b)) {
			if (f->gate_timeouts++ == 0)
				snprintf(f->gate_what, sizeof(f->gate_what),
					 "hook %s batch %zu: gate never opened",
					 p->hooks[h].conf->name, b);
			break;
		}
	}
	pthread_mutex_unlock(&f->mu);

	if (f->delay_ms[h] > 0)
		sleep_ms(f->delay_ms[h]);
	if (f->sets_stop[h])
		atomic_store(f->stop, 1);

	st = b < MAXB ? f->outcome[h][b] : HOOK_PASSED;
	r->status = st;
	r->skip = SKIP_NONE;
	r->reason = NULL;
	r->exit_code = -1;
	r->signal = 0;
	switch (st) {
	case HOOK_FAILED:
		r->exit_code = f->code[h][b] > 0 ? f->code[h][b] : 1;
		break;
	case HOOK_ERROR:
		r->exit_code = 127;
		r->reason = xasprintf("command not found (b%zu)", b);
		break;
	case HOOK_TIMEOUT:
		r->signal = SIGTERM;
		break;
	case HOOK_SKIPPED:      /* canceled while running */
		r->skip = SKIP_INTERRUPTED;
		r->reason = xstrdup("interrupted");
		break;
	default:
		break;
	}
	n = snprintf(line, sizeof(line), "b%zu\n", b);
	output_append(&r->out, line, (size_t)n);
	if (f->modifies[h]) {
		r->modified = xmalloc(sizeof(*r->modified));
		r->modified[0] = xasprintf("%s.%zu", p->hooks[h].conf->name, b);
		r->nmodified = 1;
	}
	r->start = start;
	r->duration = now_monotonic() - start;

	pthread_mutex_lock(&f->mu);
	if (b < MAXB)
		f->end_seq[h][b] = ++f->seq;
	f->running--;
	f->srunning[s]--;
	if (--f->hrunning[h] == 0)
		f->shooks[s]--;
	f->hended[h]++;
	if (slot < MAXH)
		f->busy[slot]--;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

static void
fake_start(void *ctx, const struct plan *p, size_t h, size_t b, unsigned slot)
{
	struct fake *f = ctx;

	(void)p;
	pthread_mutex_lock(&f->mu);
	if (b < MAXB)
		f->start_calls[h][b]++;
	if (slot >= T.workers)
		f->bad_slots++;
	pthread_mutex_unlock(&f->mu);
}

static void
fake_report(void *ctx, const struct plan *p, size_t h,
	    const struct hook_result *r)
{
	struct fake *f = ctx;

	(void)p;
	pthread_mutex_lock(&f->mu);
	f->reports[h]++;
	f->report_seq[h] = ++f->seq;
	f->rstatus[h] = r->status;
	if (f->nreports < MAXH * 2)
		f->report_order[f->nreports] = h;
	f->nreports++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

/* ---- running and the invariants -------------------------------------- */

static unsigned long
first_start(size_t h)
{
	unsigned long m = 0;
	size_t b;

	for (b = 0; b < MAXB; b++)
		if (T.f.start_seq[h][b] != 0 && (m == 0 || T.f.start_seq[h][b] < m))
			m = T.f.start_seq[h][b];
	return m;
}

static unsigned long
last_end(size_t h)
{
	unsigned long m = 0;
	size_t b;

	for (b = 0; b < MAXB; b++)
		if (T.f.end_seq[h][b] > m)
			m = T.f.end_seq[h][b];
	return m;
}

static unsigned
ncalls(size_t h)
{
	unsigned n = 0;
	size_t b;

	for (b = 0; b < MAXB; b++)
		n += T.f.calls[h][b];
	return n;
}

static void
check_invariants(void)
{
	const struct plan *p = &T.plan;
	struct fake *f = &T.f;
	size_t h, s, i, b;

	ck_assert_msg(f->gate_timeouts == 0, "%u gate(s) timed out; first: %s",
		      f->gate_timeouts, f->gate_what);
	ck_assert_uint_eq(f->slot_clashes, 0);
	ck_assert_uint_eq(f->bad_slots, 0);
	ck_assert_msg(f->start_not_first == 0,
		      "exec ran without the start callback just before it");
	ck_assert_uint_eq(f->nreports, p->nhooks);
	ck_assert_uint_le(f->max_running, p->jobs);
	for (s = 0; s < p->nstrategies; s++) {
		ck_assert_msg(f->smax[s] <= p->strategies[s].max_workers,
			      "strategy %s ran %u jobs at once, max_workers %u",
			      p->strategies[s].name, f->smax[s],
			      p->strategies[s].max_workers);
		if (p->strategies[s].schedule == SCHED_SEQUENTIAL)
			ck_assert_msg(f->smaxhooks[s] <= 1,
				      "sequential strategy %s ran %u hooks at once",
				      p->strategies[s].name, f->smaxhooks[s]);
	}
	for (h = 0; h < p->nhooks; h++) {
		const struct plan_hook *ph = &p->hooks[h];
		const struct hook_result *r = &T.res[h];
		const char *name = ph->conf->name;

		ck_assert_msg(f->reports[h] == 1, "hook %s reported %u times",
			      name, f->reports[h]);
		ck_assert_msg(r->status != HOOK_PENDING, "hook %s pending", name);
		ck_assert_int_eq(r->status, f->rstatus[h]);
		ck_assert_msg(r->batches == ncalls(h), "hook %s: batches %u, ran %u",
			      name, r->batches, ncalls(h));
		for (b = 0; b < MAXB; b++) {
			ck_assert_uint_le(f->calls[h][b], 1);
			ck_assert_uint_eq(f->start_calls[h][b], f->calls[h][b]);
		}
		/* one span per batch started, in batch order, on a real slot */
		ck_assert_uint_eq(r->nspans, r->batches);
		for (i = 0; i < r->nspans; i++) {
			ck_assert_uint_lt(r->spans[i].slot, T.workers);
			ck_assert(r->spans[i].start >= 0);
			ck_assert(r->spans[i].duration >= 0);
		}
		ck_assert_ptr_nonnull(r->output);
		if (hook_result_is_cached(r)) {
			/* the cache passed it: never started, no file ran */
			ck_assert_msg(T.use_cache && T.all_cached[h],
				      "hook %s passed from a cache it had not",
				      name);
			ck_assert_uint_eq(ncalls(h), 0);
			ck_assert_uint_eq(r->batches, 0);
			ck_assert_uint_eq(r->files, 0);
			ck_assert_uint_eq(r->cached, T.ncached[h]);
			ck_assert(r->start < 0 && r->duration < 0);
			ck_assert_uint_eq(r->output_len, 0);
			ck_assert_int_eq(r->exit_code, -1);
			ck_assert_int_eq(r->skip, SKIP_NONE);
			ck_assert(hook_result_passes(r));
			ck_assert(!hook_result_fails_run(r));
			continue;
		}
		/* a hook the cache left nothing to run never runs */
		if (T.use_cache && T.all_cached[h])
			ck_assert_msg(ncalls(h) == 0 && r->status == HOOK_SKIPPED,
				      "hook %s: all cached, but %s after %u batches",
				      name, hook_status_name(r->status), ncalls(h));
		ck_assert_uint_eq(r->files, T.nfiles[h]);
		ck_assert_uint_eq(r->cached, r->status == HOOK_SKIPPED &&
				  ncalls(h) == 0 ? 0 : T.ncached[h]);
		if (ncalls(h) > 0) {
			ck_assert_msg(f->report_seq[h] > last_end(h),
				      "hook %s reported before it ended", name);
			ck_assert(r->start >= 0);
			ck_assert(r->duration >= 0);
		} else {
			ck_assert(r->start < 0);
			ck_assert(r->duration < 0);
			ck_assert_uint_eq(r->output_len, 0);
			ck_assert_msg(r->status == HOOK_SKIPPED,
				      "hook %s never ran but is %s", name,
				      hook_status_name(r->status));
		}
		if (r->status == HOOK_PASSED) {
			/* a reason only for a fix: "fixed N files" */
			ck_assert(r->reason == NULL || r->fixed);
			ck_assert_int_eq(r->exit_code, -1);
		}
		if (r->status == HOOK_SKIPPED) {
			ck_assert_ptr_nonnull(r->reason);
			ck_assert_int_ne(r->skip, SKIP_NONE);
			if (r->skip != SKIP_INTERRUPTED)
				ck_assert_msg(ncalls(h) == 0,
					      "hook %s skipped (%s) but ran", name,
					      r->reason);
		}
		if (ph->state == PLAN_DISABLED)
			ck_assert_msg(ncalls(h) == 0, "disabled hook %s ran", name);

		if (r->status == HOOK_SKIPPED && r->skip == SKIP_NO_FILES)
			ck_assert_uint_eq(T.nbatches[h], 0);

		if (first_start(h) == 0)
			continue;
		/*
		 * A hook starts after every hook it depends on, directly or
		 * through others, has ended, and only if they all passed.
		 */
		{
			size_t stack[MAXH * MAXH], n = 0;

			for (i = 0; i < ph->ndeps; i++)
				stack[n++] = ph->deps[i];
			while (n > 0) {
				size_t d = stack[--n];

				ck_assert_msg(first_start(h) > last_end(d),
					      "hook %s started before %s (which it "
					      "depends on) ended", name,
					      p->hooks[d].conf->name);
				ck_assert_msg(hook_result_passes(&T.res[d]),
					      "hook %s ran though %s (which it "
					      "depends on) is %s", name,
					      p->hooks[d].conf->name,
					      hook_status_name(T.res[d].status));
				for (i = 0; i < p->hooks[d].ndeps && n < MAXH * MAXH; i++)
					stack[n++] = p->hooks[d].deps[i];
			}
		}
		/* The wave barrier. */
		if (p->strategies[ph->strategy].schedule == SCHED_WAVES) {
			const struct plan_strategy *ps = &p->strategies[ph->strategy];

			for (i = 0; i < ps->nhooks; i++) {
				size_t g = ps->hooks[i];

				if (p->hooks[g].wave == 0 || p->hooks[g].wave >= ph->wave ||
				    first_start(g) == 0)
					continue;
				ck_assert_msg(first_start(h) > last_end(g),
					      "hook %s (wave %u) started before %s "
					      "(wave %u) ended", name, ph->wave,
					      p->hooks[g].conf->name, p->hooks[g].wave);
			}
		}
	}
}

static void
run(void)
{
	struct run_config rc;

	memset(&rc, 0, sizeof(rc));
	rc.plan = &T.plan;
	rc.exec = fake_exec;
	rc.report = fake_report;
	rc.ctx = &T.f;
	rc.start = fake_start;
	rc.nbatches = T.use_nbatches ? T.nbatches : NULL;
	rc.nfiles = T.nfiles;
	rc.ncached = T.use_cache ? T.ncached : NULL;
	rc.all_cached = T.use_cache ? T.all_cached : NULL;
	rc.batch_seconds = T.use_batch_seconds ? T.batch_seconds : NULL;
	rc.conflicts = T.conflicts;
	rc.staged = T.staged;
	/* Workers are counted before any job can run: jobs read T.workers. */
	T.workers = T.plan.jobs;
	T.t0 = now_monotonic();
	T.res = run_plan(&rc, &T.stop, T.t0, &T.workers);
	ck_assert_ptr_nonnull(T.res);
	ck_assert_uint_eq(T.workers, T.plan.jobs);
	check_invariants();
}

/* Shorthands on results. */
#define RES(name) (&T.res[H(name)])

static void
expect(const char *name, enum hook_status st, enum skip_kind sk,
       const char *reason)
{
	const struct hook_result *r = RES(name);

	ck_assert_msg(r->status == st, "hook %s: status %s, want %s", name,
		      hook_status_name(r->status), hook_status_name(st));
	if (st == HOOK_SKIPPED)
		ck_assert_msg(r->skip == sk, "hook %s: skip kind %d, want %d (%s)",
			      name, (int)r->skip, (int)sk,
			      r->reason ? r->reason : "no reason");
	if (reason != NULL) {
		ck_assert_ptr_nonnull(r->reason);
		ck_assert_msg(strcmp(r->reason, reason) == 0,
			      "hook %s: reason '%s', want '%s'", name, r->reason,
			      reason);
	}
}

static void
expect_passed(const char *names)
{
	char *copy = strdup(names), *tok, *save = NULL;

	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		expect(tok, HOOK_PASSED, SKIP_NONE, NULL);
		ck_assert_uint_eq(ncalls(H(tok)), T.f.nb[H(tok)]);
	}
	free(copy);
}

/* The order in which the hooks in `names` started, as "a b c". */
static char *
start_order(const char *names)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);
	int first = 1;

	for (i = 0; i < T.f.nstarts; i++) {
		const char *n = T.plan.hooks[T.f.starts[i].h].conf->name;
		char pat[80];

		if (T.f.starts[i].b != 0)
			continue;
		snprintf(pat, sizeof(pat), " %s ", n);
		if (names != NULL) {
			char *hay = xasprintf(" %s ", names);
			int in = strstr(hay, pat) != NULL;

			free(hay);
			if (!in)
				continue;
		}
		fprintf(f, "%s%s", first ? "" : " ", n);
		first = 0;
	}
	fclose(f);
	return out;
}

#define ck_assert_order(names, want) do {                              \
	char *got_ = start_order(names);                                \
	ck_assert_msg(strcmp(got_, (want)) == 0,                        \
		      "start order '%s', want '%s'", got_, (want));     \
	free(got_);                                                     \
} while (0)

/* ---- schedules -------------------------------------------------------- */

/* Waves: nothing of wave N+1 starts before all of wave N have ended. */
START_TEST(test_waves_barrier)
{
	size_t a, b, c;

	setup("[settings]\njobs = 4\n[strategy s]\nmax_workers = 4\n",
	      "s a\n"
	      "s b\n"
	      "s c\n"
	      "s d : a\n"
	      "s e : b c\n"
	      "s f : d\n", NULL);
	ck_assert_uint_eq(T.plan.hooks[H("d")].wave, 2);
	ck_assert_uint_eq(T.plan.hooks[H("f")].wave, 3);
	/* Wave 1 runs together; a ends first, c last (d only needs a). */
	gate("a", G_STARTED, "b");
	gate("a", G_STARTED, "c");
	gate("b", G_STARTED, "a");
	gate("b", G_STARTED, "c");
	gate("c", G_STARTED, "a");
	gate("c", G_STARTED, "b");
	gate("c", G_ENDED, "a");
	T.f.delay_ms[H("c")] = 50;
	run();
	expect_passed("a b c d e f");
	ck_assert_uint_eq(T.f.max_running, 3);
	a = H("a"), b = H("b"), c = H("c");
	ck_assert_uint_gt(first_start(H("d")), last_end(c));
	ck_assert_uint_gt(first_start(H("d")), last_end(b));
	ck_assert_uint_gt(first_start(H("d")), last_end(a));
	ck_assert_uint_gt(first_start(H("e")), last_end(c));
	ck_assert_uint_gt(first_start(H("f")), last_end(H("e")));
	teardown();
}
END_TEST

/*
 * Eager: c (wave 2, after b) starts while a (wave 1) still runs: a only
 * ends once c has started. Under waves this would wait for ever. b only
 * ends once a has started: otherwise a slow worker could pick a up after
 * c had come and gone, and nothing would have overlapped.
 */
START_TEST(test_eager_no_barrier)
{
	setup("[settings]\njobs = 4\nschedule = eager\n",
	      "s a\n"
	      "s b\n"
	      "s c : b\n", NULL);
	ck_assert_int_eq(T.plan.strategies[0].schedule, SCHED_EAGER);
	gate("a", G_STARTED, "c");
	gate("b", G_STARTED, "a");
	run();
	expect_passed("a b c");
	ck_assert_uint_lt(first_start(H("a")), first_start(H("c")));
	ck_assert_uint_lt(first_start(H("c")), last_end(H("a")));
	ck_assert_uint_eq(T.f.smaxhooks[0], 2);
	teardown();
}
END_TEST

/* Sequential: Kahn with config order, never two at once, chains ignored. */
static const char seq_spec[] =
	"s x\n"
	"s y : z\n"
	"s z\n"
	"s w : x\n"
	"s v\n"
	"s u : v\n"
	"s t : u\n";

START_TEST(test_sequential_order)
{
	struct plan_options o = PLAN_OPTIONS_INIT;
	size_t i;

	if (_i == 0) {
		setup("[settings]\njobs = 4\n[strategy s]\nparallel = no\n",
		      seq_spec, NULL);
	} else {
		o.schedule = SCHED_SEQUENTIAL;
		setup("[settings]\njobs = 4\n", seq_spec, &o);
	}
	ck_assert_int_eq(T.plan.strategies[0].schedule, SCHED_SEQUENTIAL);
	/* v heads the longest chain: a chain-first order would start it first. */
	ck_assert_uint_eq(T.plan.hooks[H("v")].chain, 3);
	run();
	expect_passed("x y z w v u t");
	ck_assert_order(NULL, "x z y w v u t");
	ck_assert_uint_eq(T.f.max_running, 1);
	for (i = 1; i < T.f.nstarts; i++)
		ck_assert_uint_gt(T.f.start_seq[T.f.starts[i].h][0],
				  T.f.end_seq[T.f.starts[i - 1].h][0]);
	teardown();
}
END_TEST

/*
 * One slot, one strategy: the ready hook with the longest remaining
 * chain goes first, config order breaking ties.
 *   chains: a 1, b 2 (b -> c), d 3 (d -> e -> f), g 1
 */
static const char chain_spec[] =
	"s a\n"
	"s b\n"
	"s c : b\n"
	"s d\n"
	"s e : d\n"
	"s f : e\n"
	"s g\n";

START_TEST(test_longest_chain_first)
{
	static const struct {
		enum schedule sched;
		const char *order;
	} cases[] = {
		{ SCHED_WAVES, "d b a g e c f" },
		{ SCHED_EAGER, "d b e a c f g" },
		{ SCHED_SEQUENTIAL, "a b c d e f g" },
	};
	struct plan_options o = PLAN_OPTIONS_INIT;

	o.schedule = cases[_i].sched;
	o.jobs = 1;
	setup("", chain_spec, &o);
	ck_assert_uint_eq(T.plan.jobs, 1);
	ck_assert_uint_eq(T.plan.hooks[H("d")].chain, 3);
	ck_assert_uint_eq(T.plan.hooks[H("b")].chain, 2);
	run();
	expect_passed("a b c d e f g");
	ck_assert_order(NULL, cases[_i].order);
	ck_assert_uint_eq(T.f.max_running, 1);
	teardown();
}
END_TEST

/*
 * With duration history the "longest chain" is weighed in predicted
 * seconds: a (5 s) beats b -> c (1 s + 1 s); d, unknown, weighs the
 * median of the known (1 s). Without weights b would go first.
 */
START_TEST(test_weighted_chain_first)
{
	static const struct {
		enum schedule sched;
		const char *order;
	} cases[] = {
		{ SCHED_WAVES, "a b d c" },
		{ SCHED_EAGER, "a b c d" },
	};
	const double weights[] = { 5, 1, 1, 0 };
	struct plan_options o = PLAN_OPTIONS_INIT;

	o.schedule = cases[_i].sched;
	o.jobs = 1;
	setup("", "s a\ns b\ns c : b\ns d\n", &o);
	ck_assert_uint_eq(T.plan.nhooks, 4);
	plan_set_weights(&T.plan, weights);
	ck_assert(T.plan.hooks[H("a")].priority > T.plan.hooks[H("b")].priority);
	ck_assert(T.plan.hooks[H("b")].priority > T.plan.hooks[H("d")].priority);
	run();
	expect_passed("a b c d");
	ck_assert_order(NULL, cases[_i].order);
	teardown();
}
END_TEST

/* Every start as "hook#batch", in order. */
static char *
batch_order(void)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);

	for (i = 0; i < T.f.nstarts; i++)
		fprintf(f, "%s%s#%zu", i ? " " : "",
			T.plan.hooks[T.f.starts[i].h].conf->name, T.f.starts[i].b);
	fclose(f);
	return out;
}

/*
 * With each batch's own predicted time, a batch ranks by that plus the
 * chain after its hook, not by its hook's whole time: a (2 s in two
 * batches of 1.2 s and 0.8 s) no longer goes wholly before b (1.5 s),
 * but c (after a, 0.5 s) lifts both a batches by 0.5 s: a#0 1.7 s,
 * b 1.5 s, a#1 1.3 s, then c. Without batch times, a's batches go
 * first (a's path is 2.5 s).
 */
START_TEST(test_batch_priorities)
{
	static const struct {
		int with;
		const char *order;
	} cases[] = {
		{ 1, "a#0 b#0 a#1 c#0" },
		{ 0, "a#0 a#1 b#0 c#0" },
	};
	const double weights[] = { 2, 1.5, 0.5 };
	double a_sec[] = { 1.2, 0.8 };
	struct plan_options o = PLAN_OPTIONS_INIT;
	char *got;

	o.schedule = SCHED_EAGER;
	o.jobs = 1;
	setup("", "s a\ns b\ns c : a\n", &o);
	batches("a", 2);
	plan_set_weights(&T.plan, weights);
	T.use_batch_seconds = cases[_i].with;
	T.batch_seconds[H("a")] = a_sec;
	run();
	expect_passed("a b c");
	got = batch_order();
	ck_assert_msg(strcmp(got, cases[_i].order) == 0, "order '%s', want '%s'",
		      got, cases[_i].order);
	free(got);
	teardown();
}
END_TEST

/*
 * Across strategies, in the one shared queue: the longest remaining
 * path first, whichever strategy submitted. In waves (here) that is the
 * waves left after a hook's own (each counting 1 without history), then
 * the chain length, then config order: S0 has 3 waves after the
 * candidates' wave, S1 2, so S0's candidates go first.
 *
 * Two workers, both strategies with room for all their hooks. To make
 * the queue's contents known when the candidates are picked, both
 * workers are held by "pins" while both strategies submit:
 *   a0 (S0) and a1 (S1) run together; a0 ends; S0 submits pin0, pin0b
 *   (chain 4) and its candidates, and reports a0; pin0 takes the free
 *   worker. a1 ends once a0 is reported; S1 submits its candidates and
 *   reports a1; pin0b (chain 4 beats every candidate) takes that worker.
 *   pin0 ends once a1 is reported: every candidate is now queued and
 *   one worker picks them, one at a time, while pin0b holds the other
 *   until all four have ended. Nothing else is submitted meanwhile
 *   (waves: wave 3 needs pin0b).
 * Candidates: c1a chain 3, c0b chain 2, c0a and c1b chain 1 (c0a first
 * in the file): c0b, c0a (S0), then c1a, c1b (S1).
 */
START_TEST(test_chain_across_strategies)
{
	setup("[settings]\njobs = 2\nmax_concurrent_strategies = 2\n"
	      "[strategy S0]\nmax_workers = 8\n"
	      "[strategy S1]\nmax_workers = 8\n",
	      "S0 a0\n"
	      "S1 a1\n"
	      "S0 pin0 : a0\n"
	      "S0 pin0b : a0\n"
	      "S0 c0a : a0\n"
	      "S0 c0b : a0\n"
	      "S1 c1a : a1\n"
	      "S1 c1b : a1\n"
	      "S0 t1 : pin0 pin0b\n"
	      "S0 t2 : t1\n"
	      "S0 t3 : t2\n"
	      "S0 c0b2 : c0b\n"
	      "S1 c1a2 : c1a\n"
	      "S1 c1a3 : c1a2\n", NULL);
	ck_assert_uint_eq(T.plan.hooks[H("pin0")].chain, 4);
	ck_assert_uint_eq(T.plan.hooks[H("pin0b")].chain, 4);
	ck_assert_uint_eq(T.plan.hooks[H("c1a")].chain, 3);
	ck_assert_uint_eq(T.plan.hooks[H("c0b")].chain, 2);
	ck_assert_uint_eq(T.plan.hooks[H("c0a")].chain, 1);
	ck_assert_uint_eq(T.plan.hooks[H("c1b")].chain, 1);
	ck_assert(T.plan.strategy_parallel);
	gate("a0", G_STARTED, "a1");
	gate("a1", G_REPORTED, "a0");
	gate("a1", G_STARTED, "pin0");
	gate("pin0", G_REPORTED, "a1");
	gate("pin0", G_STARTED, "pin0b");
	gate("pin0b", G_ENDED, "c0a");
	gate("pin0b", G_ENDED, "c0b");
	gate("pin0b", G_ENDED, "c1a");
	gate("pin0b", G_ENDED, "c1b");
	run();
	expect_passed("a0 a1 pin0 pin0b c0a c0b c1a c1b t1 t2 t3 c0b2 c1a2 c1a3");
	ck_assert_order("pin0 pin0b c0a c0b c1a c1b", "pin0 pin0b c0b c0a c1a c1b");
	ck_assert_uint_eq(T.f.max_running, 2);
	teardown();
}
END_TEST

/* ---- failures --------------------------------------------------------- */

static const char dep_spec[] =
	"s a\n"
	"s b : a\n"
	"s c : b\n"
	"s d\n"
	"s e : d\n"
	"s w : a d\n"
	"s t\n"
	"s u : t\n"
	"s x\n"
	"s y : x\n"
	"s z : y\n";

/* A dependency that does not pass skips its dependents, transitively. */
START_TEST(test_dependency_failure)
{
	static const enum schedule scheds[] = {
		SCHED_WAVES, SCHED_EAGER, SCHED_SEQUENTIAL
	};
	struct plan_options o = PLAN_OPTIONS_INIT;

	o.schedule = scheds[_i];
	setup("[settings]\njobs = 4\n", dep_spec, &o);
	outcome("a", -1, HOOK_FAILED, 3);
	outcome("t", -1, HOOK_TIMEOUT, 0);
	outcome("x", -1, HOOK_ERROR, 0);
	run();
	expect("a", HOOK_FAILED, SKIP_NONE, NULL);
	ck_assert_int_eq(RES("a")->exit_code, 3);
	ck_assert_ptr_null(RES("a")->reason);
	expect("b", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency a failed");
	expect("c", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency a failed");
	expect("w", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency a failed");
	expect("t", HOOK_TIMEOUT, SKIP_NONE, NULL);
	expect("u", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency t timed out");
	expect("x", HOOK_ERROR, SKIP_NONE, "command not found (b0)");
	expect("y", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency x errored");
	expect("z", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency x errored");
	expect_passed("d e");
	/* Skips are reported after the hook that caused them. */
	ck_assert_uint_gt(T.f.report_seq[H("b")], T.f.report_seq[H("a")]);
	ck_assert_uint_gt(T.f.report_seq[H("c")], T.f.report_seq[H("a")]);
	ck_assert_uint_gt(T.f.report_seq[H("z")], T.f.report_seq[H("x")]);
	ck_assert_uint_gt(T.f.report_seq[H("u")], T.f.report_seq[H("t")]);
	ck_assert(hook_result_fails_run(RES("b")));
	teardown();
}
END_TEST

/*
 * critical, waves: the rest of the current wave still runs (one at a
 * time here, so m and n start after k has failed); later waves are
 * stopped; the other strategy goes on (q waits until k is reported).
 */
static const char crit_spec[] =
	"s k | critical = yes\n"
	"s m\n"
	"s n\n"
	"s v : k\n"
	"s v2 : v\n"
	"s w : m\n"
	"o p\n"
	"o q : p\n";

START_TEST(test_critical_waves)
{
	setup("[settings]\njobs = 4\n[strategy s]\nmax_workers = 1\n",
	      crit_spec, NULL);
	ck_assert_uint_eq(T.plan.hooks[H("k")].chain, 3);
	outcome("k", -1, HOOK_FAILED, 1);
	gate("q", G_REPORTED, "k");
	run();
	expect("k", HOOK_FAILED, SKIP_NONE, NULL);
	expect_passed("m n p q");
	ck_assert_uint_gt(first_start(H("m")), last_end(H("k")));
	ck_assert_uint_gt(first_start(H("n")), last_end(H("k")));
	expect("v", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect("v2", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect("w", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	ck_assert(hook_result_fails_run(RES("w")));
	/* q was still running when k was reported: the other strategy went on */
	ck_assert_uint_gt(last_end(H("q")), T.f.report_seq[H("k")]);
	teardown();
}
END_TEST

/* critical, eager and sequential: nothing more starts at once. */
START_TEST(test_critical_immediate)
{
	static const char *const heads[] = {
		"[settings]\njobs = 4\n[strategy s]\nmax_workers = 1\nschedule = eager\n",
		"[settings]\njobs = 4\n[strategy s]\nparallel = no\n",
	};

	setup(heads[_i], crit_spec, NULL);
	outcome("k", -1, HOOK_FAILED, 1);
	gate("q", G_REPORTED, "k");
	run();
	expect("k", HOOK_FAILED, SKIP_NONE, NULL);
	ck_assert_uint_eq(T.f.smax[S("s")], 1);
	expect("m", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	expect("n", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	expect("w", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	expect("v", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect("v2", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect_passed("p q");
	teardown();
}
END_TEST

/*
 * fail-fast: k fails while b1 (the other strategy) runs. b1 finishes
 * and keeps its result; nothing else starts anywhere.
 */
START_TEST(test_fail_fast)
{
	static const char spec[] =
		"A k\n"
		"A kk : k\n"
		"A a2\n"
		"B b1\n"
		"B b2 : b1\n"
		"B b3\n";
	struct plan_options o = PLAN_OPTIONS_INIT;

	if (_i == 0) {
		setup("[settings]\njobs = 4\nfail_fast = yes\n"
		      "[strategy A]\nmax_workers = 1\n[strategy B]\nmax_workers = 1\n",
		      spec, NULL);
	} else {
		o.fail_fast = 1;
		setup("[settings]\njobs = 4\n"
		      "[strategy A]\nmax_workers = 1\n[strategy B]\nmax_workers = 1\n",
		      spec, &o);
	}
	ck_assert(T.plan.fail_fast);
	outcome("k", -1, HOOK_FAILED, 2);
	gate("k", G_STARTED, "b1");
	gate("b1", G_REPORTED, "k");
	run();
	expect("k", HOOK_FAILED, SKIP_NONE, NULL);
	expect("kk", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect("a2", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	expect_passed("b1");
	expect("b2", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	expect("b3", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	ck_assert(hook_result_fails_run(RES("b3")));
	teardown();
}
END_TEST

/* Without fail-fast a failing strategy never stops the other. */
START_TEST(test_failure_stays_in_strategy)
{
	setup("[settings]\njobs = 2\n",
	      "A k | critical = yes\n"
	      "A k2 : k\n"
	      "B b1\n"
	      "B b2 : b1\n"
	      "B b3 : b2\n", NULL);
	outcome("k", -1, HOOK_FAILED, 1);
	gate("b1", G_REPORTED, "k");
	run();
	expect("k", HOOK_FAILED, SKIP_NONE, NULL);
	expect("k2", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect_passed("b1 b2 b3");
	teardown();
}
END_TEST

/* ---- caps ------------------------------------------------------------- */

/*
 * Every job waits until as many run as the caps allow, so the maximum
 * observed is the cap exactly (and the invariants check it is never
 * exceeded).
 */
START_TEST(test_caps)
{
	static const struct {
		const char *head, *spec;
		unsigned global, s0, s1;
	} cases[] = {
		/* the global cap, one strategy with room */
		{ "[settings]\njobs = 3\n[strategy A]\nmax_workers = 8\n",
		  "A h1\nA h2\nA h3\nA h4\nA h5\nA h6\nA h7\n", 3, 3, 0 },
		/* the global cap across two strategies of max_workers 2 */
		{ "[settings]\njobs = 3\n[strategy A]\nmax_workers = 2\n"
		  "[strategy B]\nmax_workers = 2\n",
		  "A h1\nA h2\nA h3\nA h4\nB g1\nB g2\nB g3\nB g4\n", 3, 0, 0 },
		/* max_workers under a larger global cap */
		{ "[settings]\njobs = 6\n[strategy A]\nmax_workers = 2\n",
		  "A h1\nA h2\nA h3\nA h4\nA h5\n", 2, 2, 0 },
		/* max_workers default = jobs; eager too */
		{ "[settings]\njobs = 4\nschedule = eager\n",
		  "A h1\nA h2\nA h3\nA h4\nA h5\nA h6\nB g1\nB g2\n", 4, 0, 0 },
	};
	size_t h;

	setup(cases[_i].head, cases[_i].spec, NULL);
	for (h = 0; h < T.plan.nhooks; h++)
		gate_add(T.plan.hooks[h].conf->name, -1, G_FULL, NULL, 0);
	run();
	for (h = 0; h < T.plan.nhooks; h++)
		expect(T.plan.hooks[h].conf->name, HOOK_PASSED, SKIP_NONE, NULL);
	ck_assert_uint_eq(T.f.max_running, cases[_i].global);
	/* 0: how the slots split between strategies is not fixed */
	if (cases[_i].s0 > 0)
		ck_assert_uint_eq(T.f.smax[0], cases[_i].s0);
	if (cases[_i].s1 > 0)
		ck_assert_uint_eq(T.f.smax[1], cases[_i].s1);
	printf("caps case %d: jobs %u, max concurrent %u (strategies %u/%u)\n",
	       _i, T.plan.jobs, T.f.max_running, T.f.smax[0],
	       T.plan.nstrategies > 1 ? T.f.smax[1] : 0);
	teardown();
}
END_TEST

/* ---- strategies ------------------------------------------------------- */

/* In parallel: each strategy's hook waits for the other's to start. */
START_TEST(test_strategies_overlap)
{
	setup("[settings]\njobs = 2\n", "A x\nA x2 : x\nB y\n", NULL);
	gate("x", G_STARTED, "y");
	gate("y", G_STARTED, "x");
	run();
	expect_passed("x x2 y");
	ck_assert_uint_eq(T.f.max_running, 2);
	teardown();
}
END_TEST

/* One after the other, in config order (first mention, not by name). */
START_TEST(test_strategies_serial)
{
	static const char *const heads[] = {
		"[settings]\njobs = 4\nstrategy_parallel = no\n",
		"[settings]\njobs = 4\n",
		"[settings]\njobs = 4\nmax_concurrent_strategies = 1\n",
	};
	static const char spec[] =
		"zeta z1\nzeta z2\nzeta z3 : z1\n"
		"alpha a1\nalpha a2\nalpha a3 : a2\n"
		"mid m1\n";
	struct plan_options o = PLAN_OPTIONS_INIT;
	size_t i, j;

	if (_i == 1)
		o.strategy_parallel = 0;
	setup(heads[_i], spec, &o);
	ck_assert_str_eq(T.plan.strategies[0].name, "zeta");
	ck_assert_str_eq(T.plan.strategies[1].name, "alpha");
	ck_assert_str_eq(T.plan.strategies[2].name, "mid");
	/* within a strategy, hooks still run together */
	gate("z1", G_STARTED, "z2");
	gate("z2", G_STARTED, "z1");
	gate("a1", G_STARTED, "a2");
	gate("a2", G_STARTED, "a1");
	run();
	expect_passed("z1 z2 z3 a1 a2 a3 m1");
	for (i = 0; i < T.plan.nhooks; i++)
		for (j = 0; j < T.plan.nhooks; j++)
			if (T.plan.hooks[i].strategy < T.plan.hooks[j].strategy)
				ck_assert_msg(last_end(i) < first_start(j),
					      "%s (%s) overlaps %s (%s)",
					      T.plan.hooks[i].conf->name,
					      T.plan.strategies[T.plan.hooks[i].strategy].name,
					      T.plan.hooks[j].conf->name,
					      T.plan.strategies[T.plan.hooks[j].strategy].name);
	ck_assert_uint_eq(T.f.max_running, 2);
	teardown();
}
END_TEST

/* ---- interrupts and selection ----------------------------------------- */

/* The stop flag: what has not started is skipped: interrupted. */
START_TEST(test_interrupt)
{
	size_t h;

	setup("[settings]\njobs = 1\n[strategy S0]\nmax_workers = 1\n"
	      "[strategy S1]\nmax_workers = 1\n",
	      "S0 i\nS0 a\nS0 c : i\nS0 c2 : c\nS1 t1\nS1 t2\n", NULL);
	ck_assert_uint_eq(T.plan.hooks[H("i")].chain, 3);
	T.f.sets_stop[H("i")] = 1;
	run();
	expect_passed("i");
	expect("a", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	expect("c", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	expect("c2", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	ck_assert(!hook_result_fails_run(RES("c")));
	for (h = 0; h < T.plan.nhooks; h++) {
		const struct hook_result *r = &T.res[h];

		if (ncalls(h) > 0)
			ck_assert_int_eq(r->status, HOOK_PASSED);
		else
			expect(T.plan.hooks[h].conf->name, HOOK_SKIPPED,
			       SKIP_INTERRUPTED, "interrupted");
	}
	/* nothing started after the stop */
	for (h = 0; h < T.plan.nhooks; h++)
		if (ncalls(h) > 0)
			ck_assert_uint_le(first_start(h), first_start(H("i")));
	teardown();
}
END_TEST

/*
 * A hook canceled while running (exec says skipped: interrupted) keeps
 * its output and time; its dependents are interrupted, never
 * "dependency X failed".
 */
START_TEST(test_interrupt_running)
{
	setup("[settings]\njobs = 2\n", "s i\ns j : i\ns k : j\no p\n", NULL);
	T.f.sets_stop[H("i")] = 1;
	outcome("i", -1, HOOK_SKIPPED, 0);
	gate("i", G_STARTED, "p");
	gate("p", G_REPORTED, "i");
	run();
	expect("i", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	ck_assert_str_eq(RES("i")->output, "b0\n");
	ck_assert_uint_eq(RES("i")->batches, 1);
	ck_assert(RES("i")->start >= 0);
	expect("j", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	expect("k", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	/* p was running: it finishes with its own result */
	expect_passed("p");
	teardown();
}
END_TEST

/* Stopped before the run: nothing runs, everything is interrupted. */
START_TEST(test_interrupt_before)
{
	size_t h;

	setup("[settings]\njobs = 2\n", "s a\ns b : a\no c\n", NULL);
	atomic_store(&T.stop, 1);
	run();
	for (h = 0; h < T.plan.nhooks; h++) {
		expect(T.plan.hooks[h].conf->name, HOOK_SKIPPED, SKIP_INTERRUPTED,
		       "interrupted");
		ck_assert_uint_eq(ncalls(h), 0);
	}
	teardown();
}
END_TEST

/* Interrupted between batches: the batches not started count as such. */
START_TEST(test_interrupt_between_batches)
{
	setup("[settings]\njobs = 2\n", "s m | serial = yes\ns n : m\n", NULL);
	batches("m", 3);
	T.f.sets_stop[H("m")] = 1;
	run();
	expect("m", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	ck_assert_uint_eq(RES("m")->batches, 1);
	ck_assert_str_eq(RES("m")->output, "b0\n");
	expect("n", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	teardown();
}
END_TEST

/*
 * No files (nbatches 0): skipped: no files, which counts as passed for
 * dependents; but only once its own dependencies passed: a hook whose
 * dependency failed is skipped for the dependency, whether or not it
 * would have had files, and so is everything after it.
 */
START_TEST(test_no_files)
{
	static const enum schedule scheds[] = {
		SCHED_WAVES, SCHED_EAGER, SCHED_SEQUENTIAL
	};
	struct plan_options o = PLAN_OPTIONS_INIT;

	o.schedule = scheds[_i % 3];
	setup("[settings]\njobs = 4\n",
	      "s y\n"
	      "s x : y\n"
	      "s z : x\n"
	      "s n1\n"
	      "s n2 : n1\n"
	      "t p\n"
	      "t q : p\n"
	      "t r : q\n", &o);
	batches("x", 0);
	batches("n1", 0);
	/* t: two waves with nothing to run, then one hook */
	batches("p", 0);
	batches("q", 0);
	if (_i >= 3)
		outcome("y", -1, HOOK_FAILED, 1);
	else
		T.f.delay_ms[H("y")] = 30;      /* z must wait for it, via x */
	run();
	expect("n1", HOOK_SKIPPED, SKIP_NO_FILES, "no files");
	ck_assert(hook_result_passes(RES("n1")));
	ck_assert(!hook_result_fails_run(RES("n1")));
	expect_passed("n2 r");
	expect("p", HOOK_SKIPPED, SKIP_NO_FILES, "no files");
	expect("q", HOOK_SKIPPED, SKIP_NO_FILES, "no files");
	if (_i < 3) {
		expect_passed("y z");
		expect("x", HOOK_SKIPPED, SKIP_NO_FILES, "no files");
	} else {
		expect("y", HOOK_FAILED, SKIP_NONE, NULL);
		expect("x", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency y failed");
		expect("z", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency y failed");
	}
	teardown();
}
END_TEST

/* enabled = no: skipped: disabled, reported, never run; deps satisfied. */
START_TEST(test_disabled)
{
	setup("[settings]\njobs = 2\n",
	      "s d | enabled = no\n"
	      "s a : d\n"
	      "s b : a\n"
	      "only x | enabled = no\n", NULL);
	ck_assert_int_eq(T.plan.hooks[H("d")].state, PLAN_DISABLED);
	run();
	expect("d", HOOK_SKIPPED, SKIP_DISABLED, "disabled");
	expect("x", HOOK_SKIPPED, SKIP_DISABLED, "disabled");
	ck_assert(!hook_result_fails_run(RES("d")));
	expect_passed("a b");
	ck_assert_uint_lt(T.f.report_seq[H("d")], first_start(H("a")));
	teardown();
}
END_TEST

/* ---- batches ---------------------------------------------------------- */

/*
 * A hook passes only if every batch passes; its status is the worst
 * (timeout > error > failed); the output is merged in batch order
 * whatever order the batches ended in.
 */
START_TEST(test_batches)
{
	size_t h;

	setup("[settings]\njobs = 4\n[strategy s]\nmax_workers = 4\n",
	      "s m3\n"
	      "s dm : m3\n"
	      "s sf\n"
	      "s se\n"
	      "s st\n", NULL);
	batches("m3", 3);
	batches("sf", 3);
	batches("se", 3);
	batches("st", 3);
	for (h = 0; h < T.plan.nhooks; h++)
		T.nfiles[h] = 10 * h + 1;
	/* m3: all three at once; batch 0 ends last */
	gate_add("m3", -1, G_OWN_BATCHES, NULL, 3);
	gate_add("m3", 0, G_BATCH_ENDED, "m3", 1);
	gate_add("m3", 0, G_BATCH_ENDED, "m3", 2);
	outcome("sf", 0, HOOK_FAILED, 3);
	outcome("sf", 2, HOOK_FAILED, 5);
	outcome("se", 0, HOOK_FAILED, 4);
	outcome("se", 1, HOOK_ERROR, 0);
	outcome("st", 0, HOOK_ERROR, 0);
	outcome("st", 1, HOOK_TIMEOUT, 0);
	outcome("st", 2, HOOK_FAILED, 6);
	run();
	expect_passed("m3 dm");
	ck_assert_uint_eq(RES("m3")->batches, 3);
	ck_assert_uint_eq(T.f.hmax[H("m3")], 3);
	ck_assert_str_eq(RES("m3")->output, "b0\nb1\nb2\n");
	ck_assert_uint_eq(RES("m3")->output_len, 9);
	ck_assert_uint_gt(T.f.end_seq[H("m3")][0], T.f.end_seq[H("m3")][2]);
	ck_assert_uint_gt(first_start(H("dm")), last_end(H("m3")));
	expect("sf", HOOK_FAILED, SKIP_NONE, NULL);
	ck_assert_int_eq(RES("sf")->exit_code, 3);
	ck_assert_str_eq(RES("sf")->output, "b0\nb1\nb2\n");
	expect("se", HOOK_ERROR, SKIP_NONE, "command not found (b1)");
	ck_assert_int_eq(RES("se")->exit_code, 4);
	expect("st", HOOK_TIMEOUT, SKIP_NONE, NULL);
	ck_assert_uint_eq(RES("st")->batches, 3);
	teardown();
}
END_TEST

/* serial = yes: never two batches of the hook at once, in batch order. */
START_TEST(test_serial_batches)
{
	size_t b;

	setup("[settings]\njobs = 4\n[strategy s]\nmax_workers = 4\n",
	      "s sr | serial = yes\n"
	      "s par\n"
	      "s after : sr\n", NULL);
	batches("sr", 4);
	batches("par", 3);
	T.f.delay_ms[H("sr")] = 20;
	gate_add("par", -1, G_OWN_BATCHES, NULL, 3);
	run();
	expect_passed("sr par after");
	ck_assert_uint_eq(T.f.hmax[H("sr")], 1);
	ck_assert_uint_eq(T.f.hmax[H("par")], 3);
	for (b = 1; b < 4; b++)
		ck_assert_uint_gt(T.f.start_seq[H("sr")][b],
				  T.f.end_seq[H("sr")][b - 1]);
	ck_assert_str_eq(RES("sr")->output, "b0\nb1\nb2\nb3\n");
	ck_assert_uint_eq(RES("sr")->batches, 4);
	teardown();
}
END_TEST

/* A critical multi-batch hook in eager: its failure stops the rest. */
START_TEST(test_batches_critical)
{
	setup("[settings]\njobs = 2\n[strategy s]\nmax_workers = 2\n"
	      "schedule = eager\n",
	      "s k | critical = yes; serial = yes\n"
	      "s later : k\n"
	      "s other\n", NULL);
	batches("k", 3);
	outcome("k", 0, HOOK_FAILED, 7);
	gate_add("k", 0, G_STARTED, "other", 0);
	gate("other", G_REPORTED, "k");
	run();
	/* other was running when k failed: it keeps its result */
	expect("k", HOOK_FAILED, SKIP_NONE, NULL);
	ck_assert_int_eq(RES("k")->exit_code, 7);
	expect("later", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency k failed");
	expect_passed("other");
	teardown();
}
END_TEST

/* ---- hooks that change files ---------------------------------------- */

/*
 * The conflicts of the plan from "NAME:FILE,FILE NAME:..." (a hook
 * not named has no files); fixers are the hooks with modifies = yes.
 */
static void
files_of(const char *sets)
{
	struct conflict_hook ch[MAXH];
	char *copy = strdup(sets), *tok, *save = NULL;
	char *paths[MAXH][8];
	size_t np[MAXH] = { 0 }, h;

	memset(ch, 0, sizeof(ch));
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':'), *f, *fs = NULL;

		*colon = '\0';
		h = H(tok);
		for (f = strtok_r(colon + 1, ",", &fs); f != NULL;
		     f = strtok_r(NULL, ",", &fs))
			paths[h][np[h]++] = f;
	}
	for (h = 0; h < T.plan.nhooks; h++) {
		ch[h].fixer = T.plan.hooks[h].conf->modifies;
		ch[h].files = (const char *const *)paths[h];
		ch[h].nfiles = np[h];
	}
	T.conflicts = conflicts_new(ch, T.plan.nhooks);
	ck_assert_ptr_nonnull(T.conflicts);
	free(copy);     /* the graph keeps no path */
}

/* Hooks x and y never ran at the same time (first start to last end). */
static void
apart(const char *x, const char *y)
{
	size_t a = H(x), b = H(y);

	ck_assert_msg(last_end(a) < first_start(b) || last_end(b) < first_start(a),
		      "%s [%lu, %lu] and %s [%lu, %lu] overlapped", x,
		      first_start(a), last_end(a), y, first_start(b), last_end(b));
}

/*
 * A fixer and a hook sharing a file never overlap, in one strategy or
 * two, eager or waves, with several batches (serial too: the fixer
 * holds its files between them); a hook sharing nothing runs beside
 * the fixer (its gate waits for the fixer to start).
 */
START_TEST(test_conflicts_apart)
{
	static const char *const heads[] = {
		"[settings]\njobs = 4\nschedule = eager\n",
		"[settings]\njobs = 4\nschedule = waves\n",
		"[settings]\njobs = 2\nschedule = waves\n[strategy A]\nmax_workers = 1\n",
	};

	setup(heads[_i],
	      "A fix | modifies = yes; serial = yes\n"
	      "A chk\n"
	      "B chk2\n"
	      "B free\n"
	      "B after : chk2\n", NULL);
	files_of("fix:x.py,y.py chk:x.py chk2:y.py,z.py free:w.md after:y.py");
	batches("fix", 3);
	T.f.delay_ms[H("fix")] = 5;
	T.f.delay_ms[H("chk")] = 5;
	T.f.delay_ms[H("chk2")] = 5;
	gate("free", G_STARTED, "fix");
	run();
	expect_passed("fix chk chk2 free after");
	apart("fix", "chk");
	apart("fix", "chk2");
	apart("fix", "after");
	ck_assert_uint_eq(T.f.hmax[H("fix")], 1);       /* serial */
	teardown();
}
END_TEST

/*
 * Two checkers of one file run together; a waiting hook lets the next
 * ready one go; priorities still decide among those that may run.
 */
START_TEST(test_conflicts_readers_together)
{
	setup("[settings]\njobs = 4\nschedule = eager\n",
	      "A fix | modifies = yes\n"
	      "A r1\n"
	      "B r2\n", NULL);
	files_of("fix:a.c,c.c r1:b.c,c.c r2:b.c,c.c");
	gate("r1", G_STARTED, "r2");
	gate("r2", G_STARTED, "r1");
	run();
	expect_passed("fix r1 r2");
	apart("fix", "r1");
	apart("fix", "r2");
	teardown();
}
END_TEST

/*
 * A hook waiting for another strategy's fixer, with nothing of its own
 * running, is woken when the fixer is over; an interrupt while hooks
 * wait for files ends the run (no deadlock).
 */
START_TEST(test_conflicts_wakeup_and_stop)
{
	setup("[settings]\njobs = 4\n",
	      "A fix | modifies = yes\n"
	      "B chk\n"
	      "B chk_next : chk\n", NULL);
	files_of("fix:f chk:f chk_next:f");
	T.f.delay_ms[H("fix")] = 30;
	run();
	expect_passed("fix chk chk_next");
	apart("fix", "chk");
	apart("fix", "chk_next");
	teardown();

	setup("[settings]\njobs = 4\n",
	      "A pre\n"
	      "A fix : pre | modifies = yes\n"
	      "B chk\n"
	      "B chk2\n", NULL);
	files_of("fix:f chk:f chk2:f");
	/* The fixer is ready only once chk holds f; chk stops the run
	   while the fixer waits for f: it is woken and never starts. */
	gate("pre", G_STARTED, "chk");
	gate("chk", G_STARTED, "chk2");
	gate("chk2", G_STARTED, "chk");
	T.f.sets_stop[H("chk")] = 1;
	run();
	expect("fix", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	ck_assert_uint_eq(ncalls(H("fix")), 0);
	teardown();
}
END_TEST

/* Changed files: failed "modified N files"; staged stage_fixed: fixed. */
START_TEST(test_modified_files)
{
	setup("[settings]\njobs = 4\n",
	      "A plain\n"
	      "A fixer | modifies = yes; stage_fixed = yes\n"
	      "A failing\n"
	      "A quiet\n", NULL);
	batches("plain", 2);
	batches("fixer", 3);
	T.f.modifies[H("plain")] = 1;
	T.f.modifies[H("fixer")] = 1;
	T.f.modifies[H("failing")] = 1;
	outcome("failing", -1, HOOK_FAILED, 2);
	T.staged = _i;
	run();
	expect("plain", HOOK_FAILED, SKIP_NONE, "modified 2 files");
	ck_assert_uint_eq(RES("plain")->nmodified, 2);
	ck_assert_str_eq(RES("plain")->modified[0], "plain.0");
	ck_assert_str_eq(RES("plain")->modified[1], "plain.1");
	ck_assert_int_eq(RES("plain")->fixed, 0);
	if (_i) {
		expect("fixer", HOOK_PASSED, SKIP_NONE, "fixed 3 files");
		ck_assert_int_eq(RES("fixer")->fixed, 1);
	} else {
		expect("fixer", HOOK_FAILED, SKIP_NONE, "modified 3 files");
		ck_assert_int_eq(RES("fixer")->fixed, 0);
	}
	ck_assert_uint_eq(RES("fixer")->nmodified, 3);
	expect("failing", HOOK_FAILED, SKIP_NONE, "modified 1 file");
	ck_assert_int_eq(RES("failing")->exit_code, 2);
	expect("quiet", HOOK_PASSED, SKIP_NONE, NULL);
	ck_assert_ptr_null(RES("quiet")->reason);
	ck_assert_uint_eq(RES("quiet")->nmodified, 0);
	ck_assert_ptr_null(RES("quiet")->modified);
	teardown();
}
END_TEST

/* ---- the result cache ------------------------------------------------- */

/*
 * all_cached: never started, passed with the reason "cached" when its
 * turn comes, a pass for its dependents, whatever its nbatches (0 too:
 * never "no files"); ncached alone only counts the files in the result
 * of a hook that ran. Loops: the three schedules, each with a and x
 * passing, then failing.
 */
START_TEST(test_cached)
{
	static const enum schedule scheds[] = {
		SCHED_WAVES, SCHED_EAGER, SCHED_SEQUENTIAL
	};
	struct plan_options o = PLAN_OPTIONS_INIT;
	int fail = _i >= 3;

	o.schedule = scheds[_i % 3];
	setup("[settings]\njobs = 2\n",
	      "s a\n"
	      "s c : a\n"
	      "s d : c\n"
	      "s e\n"
	      "s f : e\n"
	      "t x\n"
	      "t y : x\n"
	      "t z\n", &o);
	batches("a", 2);
	T.nfiles[H("a")] = 4;
	cached("a", 5, 0);              /* ran 4 files, 5 cached */
	T.nfiles[H("c")] = 7;
	cached("c", 7, 1);              /* one batch planned: it must not run */
	batches("e", 0);
	cached("e", 0, 1);              /* no files, cached on its inputs */
	batches("z", 3);
	cached("z", 12, 1);
	cached("y", 3, 1);
	if (fail) {
		outcome("a", 1, HOOK_FAILED, 1);
		outcome("x", -1, HOOK_FAILED, 2);
	}
	T.f.delay_ms[H("a")] = 20;      /* c's turn comes late */
	run();

	ck_assert_uint_eq(RES("a")->batches, 2);
	ck_assert_uint_eq(RES("a")->files, 4);
	ck_assert_uint_eq(RES("a")->cached, 5);
	expect("e", HOOK_PASSED, SKIP_NONE, "cached");
	ck_assert(hook_result_is_cached(RES("e")));
	ck_assert_uint_eq(RES("e")->cached, 0);
	/* (its report may come after f started: it is made final first,
	   and reported with whatever else ended in the same round) */
	expect_passed("f");
	expect("z", HOOK_PASSED, SKIP_NONE, "cached");
	ck_assert_uint_eq(RES("z")->cached, 12);
	ck_assert_uint_eq(RES("z")->files, 0);
	if (!fail) {
		expect_passed("a");
		ck_assert_ptr_null(RES("a")->reason);
		ck_assert(!hook_result_is_cached(RES("a")));
		expect("c", HOOK_PASSED, SKIP_NONE, "cached");
		ck_assert_uint_eq(RES("c")->cached, 7);
		/* final only after a: its turn came when a passed */
		ck_assert_uint_gt(T.f.report_seq[H("c")], last_end(H("a")));
		expect_passed("d");
		expect_passed("x");
		expect("y", HOOK_PASSED, SKIP_NONE, "cached");
		ck_assert_uint_eq(RES("y")->cached, 3);
	} else {
		expect("a", HOOK_FAILED, SKIP_NONE, NULL);
		ck_assert_uint_eq(RES("a")->cached, 5);
		expect("c", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency a failed");
		expect("d", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency a failed");
		expect("x", HOOK_FAILED, SKIP_NONE, NULL);
		expect("y", HOOK_SKIPPED, SKIP_DEPENDENCY, "dependency x failed");
		ck_assert(hook_result_fails_run(RES("y")));
	}
	teardown();
}
END_TEST

/* A critical stop, fail-fast and an interrupt skip a cached hook as any
   other that has not started. */
START_TEST(test_cached_stopped)
{
	setup("[settings]\njobs = 2\n",
	      "s k | critical = yes\n"
	      "s w : k2\n"
	      "s k2\n"
	      "t i\n"
	      "t j : i\n", NULL);
	outcome("k", -1, HOOK_FAILED, 1);
	cached("w", 2, 1);
	T.f.sets_stop[H("i")] = 1;
	cached("j", 4, 1);
	gate("i", G_REPORTED, "w");     /* the stop comes after w's end */
	run();
	expect("k", HOOK_FAILED, SKIP_NONE, NULL);
	expect("w", HOOK_SKIPPED, SKIP_STOPPED, "stopped: critical hook k failed");
	ck_assert_uint_eq(RES("w")->cached, 0);
	expect_passed("i");
	expect("j", HOOK_SKIPPED, SKIP_INTERRUPTED, "interrupted");
	teardown();
}
END_TEST

/* No cache arrays, or all zero: nothing is cached, as before. */
START_TEST(test_cached_none)
{
	setup("[settings]\njobs = 2\n", "s a\ns b : a\n", NULL);
	T.use_cache = 1;                /* arrays given, all zero */
	batches("b", 0);
	run();
	expect_passed("a");
	ck_assert_uint_eq(RES("a")->cached, 0);
	expect("b", HOOK_SKIPPED, SKIP_NO_FILES, "no files");
	ck_assert(!hook_result_is_cached(RES("b")));
	teardown();
}
END_TEST

Suite *
strategy_suite(void)
{
	Suite *s = suite_create("strategy");
	TCase *tc;

	tc = tcase_create("schedules");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_waves_barrier);
	tcase_add_test(tc, test_eager_no_barrier);
	tcase_add_loop_test(tc, test_sequential_order, 0, 2);
	tcase_add_loop_test(tc, test_longest_chain_first, 0, 3);
	tcase_add_loop_test(tc, test_batch_priorities, 0, 2);
	tcase_add_loop_test(tc, test_weighted_chain_first, 0, 2);
	tcase_add_test(tc, test_chain_across_strategies);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_dependency_failure, 0, 3);
	tcase_add_test(tc, test_critical_waves);
	tcase_add_loop_test(tc, test_critical_immediate, 0, 2);
	tcase_add_loop_test(tc, test_fail_fast, 0, 2);
	tcase_add_test(tc, test_failure_stays_in_strategy);
	suite_add_tcase(s, tc);

	tc = tcase_create("caps");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_caps, 0, 4);
	tcase_add_test(tc, test_strategies_overlap);
	tcase_add_loop_test(tc, test_strategies_serial, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_interrupt);
	tcase_add_test(tc, test_interrupt_running);
	tcase_add_test(tc, test_interrupt_before);
	tcase_add_test(tc, test_interrupt_between_batches);
	tcase_add_test(tc, test_disabled);
	tcase_add_loop_test(tc, test_no_files, 0, 6);
	suite_add_tcase(s, tc);

	tc = tcase_create("batches");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_batches);
	tcase_add_test(tc, test_serial_batches);
	tcase_add_test(tc, test_batches_critical);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixers");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_conflicts_apart, 0, 3);
	tcase_add_test(tc, test_conflicts_readers_together);
	tcase_add_test(tc, test_conflicts_wakeup_and_stop);
	tcase_add_loop_test(tc, test_modified_files, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("cache");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cached, 0, 6);
	tcase_add_test(tc, test_cached_stopped);
	tcase_add_test(tc, test_cached_none);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(strategy_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
