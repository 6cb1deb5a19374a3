/*
 * session.c - one run of a plan, wired end to end. See session.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "batch_plan.h"
#include "buf.h"
#include "content_id.h"
#include "exec.h"
#include "githook.h"
#include "guardian.h"
#include "baseline.h"
#include "history_print.h"
#include "log.h"
#include "orphans.h"
#include "report.h"
#include "session.h"
#include "signals.h"
#include "store.h"
#include "strategy.h"

extern char **environ;

/* The callbacks' context: what the scheduler's jobs and results reach. */
struct wiring {
	struct exec_ctx exec;
	struct report *report;
	struct run_cache *cache;
	const struct baseline *baseline; /* --baseline, or NULL */
};

static void
say(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static double now_wall(void);

static void
say(const struct session *s, const char *fmt, ...)
{
	struct err e = { 0 };
	va_list ap;

	if (s->say == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	s->say(&e);
}

/* The name of hook i's strategy. */
static const char *
hook_strategy(const struct session *s, size_t i)
{
	return s->plan->strategies[s->plan->hooks[i].strategy].name;
}

/* The store's word that it was damaged and set aside: a warning. */
static void
store_warned(void *ctx, const struct err *e)
{
	const struct session *s = ctx;

	if (s->say != NULL)
		s->say(e);
}

/* Open the state store of the run directory; none is no failure. */
static void
open_store(struct session *s)
{
	char *path = store_path_for(&s->git, &s->store_dir);
	char *old;
	struct err e;

	/* A dry run reads a store; it makes none. */
	if (path == NULL ||
	    (s->opt->action != CLI_RUN && access(path, F_OK) != 0)) {
		free(path);
		return;
	}
	s->store = store_open(path, s->conf->settings.cache_size, store_warned,
			      s, &e);
	if (s->store == NULL && log_enabled(LOG_LEVEL_WARN))
		log_event(LOG_LEVEL_WARN, e.msg, "file", path, NULL);
	free(path);
	/* The history file of earlier versions moves in, once. */
	if (s->store != NULL && (old = history_path_for(&s->git)) != NULL) {
		if (history_import(s->store, s->store_dir, old, &e) != 0 &&
		    log_enabled(LOG_LEVEL_WARN))
			/* Not imported: it could not be parsed (and is gone)
			   or the store not written (it stays). */
			log_event(LOG_LEVEL_WARN, e.msg, "file", old, NULL);
		free(old);
	}
}

/* Every plan hook's history key (a new plan: the old ones go). */
static void
make_keys(struct session *s, size_t old_n)
{
	struct plan *p = s->plan;
	size_t i;

	for (i = 0; s->keys != NULL && i < old_n; i++)
		free(s->keys[i]);
	free(s->keys);
	s->keys = xcalloc(p->nhooks + 1, sizeof(*s->keys));
	for (i = 0; i < p->nhooks; i++)
		s->keys[i] = history_key(p->hooks[i].conf->name,
					 p->hooks[i].conf->command);
}

static void weigh_plan(struct session *s);

/* Load the durations of earlier runs and weigh the plan with them. */
static void
load_history(struct session *s)
{
	struct err e;
	int warned;

	s->hist = history_load(s->store, s->store_dir, &warned, &e);
	if (warned && log_enabled(LOG_LEVEL_WARN))
		log_event(LOG_LEVEL_WARN, e.msg, "file",
			  store_path(s->store), NULL);
	weigh_plan(s);
}

/* Weigh the plan's hooks with the history's predictions. */
static void
weigh_plan(struct session *s)
{
	struct plan *p = s->plan;
	double *w;
	size_t i;

	w = xcalloc(p->nhooks + 1, sizeof(*w));
	for (i = 0; i < p->nhooks; i++)
		w[i] = history_predict(s->hist, hook_strategy(s, i),
				       s->keys[i]);
	plan_set_weights(p, w);
	free(w);
}

/* The last results, matched to plan hooks by strategy and key. */
struct last_ctx {
	struct session *s;
	struct rerun_last *last;
	struct strlist keep;            /* the strings last[] points to */
};

static int
take_last(void *ctx, const struct store_result *r)
{
	struct last_ctx *x = ctx;
	const struct plan *p = x->s->plan;
	size_t i;

	for (i = 0; i < p->nhooks; i++) {
		struct rerun_last *l = &x->last[i];

		if (strcmp(x->s->keys[i], r->hook) != 0 ||
		    strcmp(hook_strategy(x->s, i), r->strategy) != 0)
			continue;
		strlist_push(&x->keep, r->status);
		l->status = x->keep.v[x->keep.n - 1];
		if (r->reason != NULL) {
			strlist_push(&x->keep, r->reason);
			l->reason = x->keep.v[x->keep.n - 1];
		}
		if (r->files != NULL && r->files_len > 0) {
			char *f = xmalloc(r->files_len + 1);

			memcpy(f, r->files, r->files_len);
			f[r->files_len] = '\0';
			strlist_push_owned(&x->keep, f);
			l->files = f;
			l->files_len = r->files_len;
		}
	}
	return 0;
}

/*
 * --failed: the hooks whose last result was not a pass and their
 * dependents, in a plan built again with only those. No store, or one
 * that cannot be read: no hook has a result, every one runs.
 */
static int
select_failed(struct session *s, struct err *e)
{
	struct plan *p = s->plan;
	struct plan_options po = s->opt->plan;
	struct last_ctx x = { s, NULL, { 0 } };
	struct err re;
	size_t old_n = p->nhooks;
	int rc;

	x.last = xcalloc(p->nhooks + 1, sizeof(*x.last));
	if (s->store != NULL) {
		if (store_begin(s->store, 0, &re) != 0 ||
		    store_results_read(s->store, s->store_dir, 1, take_last,
				       &x, &re) != 0 ||
		    store_commit(s->store, &re) != 0) {
			store_rollback(s->store);
			memset(x.last, 0, (p->nhooks + 1) * sizeof(*x.last));
			if (log_enabled(LOG_LEVEL_WARN))
				log_event(LOG_LEVEL_WARN, re.msg, NULL);
		}
	}
	rerun_select(&s->rerun, s->conf, p, x.last);
	free(x.last);
	strlist_release(&x.keep);
	s->failed = true;
	po.only = s->rerun.only;
	plan_release(p);
	rc = plan_build(p, s->conf, &po, e);
	make_keys(s, old_n);
	return rc;
}

/* --failed: what each rerun hook gets (batch_plan.h). */
static int
rerun_keep(void *ctx, size_t hook, const char *path)
{
	const struct session *s = ctx;

	return rerun_keeps(&s->rerun, s->plan->hooks[hook].conf_index, path);
}

/* Which files a hook gets: --failed's choice, then the cache's. */
static int
session_keep(void *ctx, size_t hook, const char *path)
{
	struct session *s = ctx;

	if (s->failed && !rerun_keep(ctx, hook, path))
		return 0;
	if (!shard_plan_keeps(&s->part, s->plan->hooks[hook].conf_index, path))
		return 0;
	return run_cache_keep(s->cache, hook, path);
}

/* The first pass: what each hook selects (after --failed's choice). */
static int
session_note(void *ctx, size_t hook, const char *path)
{
	struct session *s = ctx;

	if (s->failed && !rerun_keep(ctx, hook, path))
		return 0;
	if (!shard_plan_keeps(&s->part, s->plan->hooks[hook].conf_index, path))
		return 0;
	return run_cache_note(s->cache, hook, path);
}

/* The cache's word (a hook not cached this run, and why): a warning. */
static void
cache_warned(void *ctx, const struct err *e)
{
	const struct session *s = ctx;

	if (s->say != NULL)
		s->say(e);
}

/* Will this run use the result cache (when it has a store)? Not for a
   commit message: each is new, and its hooks are given it by another
   path (githook.h). */
static int
cache_wanted(const struct session *s)
{
	const struct cli_options *o = s->opt;

	return o->action == CLI_RUN && !o->no_cache &&
	       o->files != FILES_SOURCE_MESSAGE &&
	       run_cache_wanted(s->conf, s->plan);
}

static int
any_files(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nhooks; i++)
		if (p->hooks[i].state == PLAN_RUN &&
		    (conf_hook_selects(p->hooks[i].conf) ||
		     p->hooks[i].conf->modifies))
			return 1;       /* a fixer without patterns: its notes */
	return 0;
}

/* The history's word on a hook's files and batches (batch_plan.h). */
static double
hist_factor(void *ctx, size_t hook, const char *path)
{
	const struct session *s = ctx;

	return history_factor(s->hist, hook_strategy(s, hook), s->keys[hook],
			      path);
}

static double
hist_seconds(void *ctx, size_t hook, double cost)
{
	const struct session *s = ctx;

	return history_batch_seconds(s->hist, hook_strategy(s, hook),
				     s->keys[hook], cost);
}

/*
 * --shard: split the run from batches every machine cuts alike, then
 * build the plan again with only this part's hooks; a hook whose
 * batches are spread gets only its files of this part (session_keep).
 */
static int
take_part(struct session *s, struct err *e)
{
	const struct cli_options *o = s->opt;
	struct plan *p = s->plan;
	struct plan_options po = o->plan;
	struct batch_costs costs = { NULL, NULL, s, NULL, NULL, 0 };
	struct run_batches whole;
	size_t old_n = p->nhooks;
	int rc;

	if (s->hist != NULL) {
		costs.factor = hist_factor;
		costs.seconds = hist_seconds;
	}
	if (s->failed)
		costs.keep = rerun_keep;
	costs.fixed = (size_t)o->nshards * SHARD_PIECES;
	run_batches_init(&whole, p->nhooks);
	batch_plan(&whole, p, &s->launches, &s->files, &costs);
	shard_plan_part(&s->part, p, s->conf->nhooks, &s->launches, &whole,
			o->shard, o->nshards);
	run_batches_release(&whole);
	/* The part's hooks are exactly those already selected that it has. */
	po.strategies = NULL;
	po.nstrategies = 0;
	po.only = s->part.only;
	launch_release(&s->launches);
	plan_release(p);
	rc = plan_build(p, s->conf, &po, e);
	make_keys(s, old_n);
	if (rc != 0)
		return -1;
	run_batches_release(&s->batches);
	run_batches_init(&s->batches, p->nhooks);
	if (s->hist != NULL)
		weigh_plan(s);
	launch_build(&s->launches, p, environ);
	p->shard = o->shard;
	p->nshards = o->nshards;
	return 0;
}

static void
block_stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
session_recover(const struct gitdir *g, session_say_fn say_fn)
{
	struct aside_recovery r;
	struct err e;
	int rc = aside_recover(g, &r, &e);

	if (rc != 0 && say_fn != NULL)
		say_fn(&e);
	if (r.live != 0 && log_enabled(LOG_LEVEL_INFO)) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%ld", (long)r.live);
		log_event(LOG_LEVEL_INFO, "a live run has unstaged changes set aside",
			  "pid", r.live > 0 ? pid : NULL, NULL);
	}
	if (r.restored > 0 && say_fn != NULL) {
		memset(&e, 0, sizeof(e));
		snprintf(e.msg, sizeof(e.msg),
			 "restored the unstaged changes of %zu file%s that run %ld had set aside and did not put back",
			 r.restored, r.restored == 1 ? "" : "s", r.pid);
		say_fn(&e);
	}
	if (r.patch != NULL && say_fn != NULL) {
		memset(&e, 0, sizeof(e));
		e.file = r.patch;
		snprintf(e.msg, sizeof(e.msg),
			 "changes made to those files since could not be kept too; they are saved in this patch");
		say_fn(&e);
	}
	free(r.patch);
	return rc;
}

int
session_recover_here(session_say_fn say_fn)
{
	struct gitdir g = GITDIR_INIT;
	struct err e;
	int rc = 0;

	if (gitdir_discover(&g, NULL, &e) == 0)
		rc = session_recover(&g, say_fn);
	gitdir_release(&g);
	return rc;
}

/* A staged run: hooks see the index's content. */
static int
set_aside(struct session *s, struct err *e)
{
	const char *skipped;
	pid_t holder;

	if (s->git.state != GITDIR_REPO || s->git.work_tree == NULL) {
		aside_scan_drop(&s->aside);
		return 0;       /* the listing says why git is no use */
	}
	if (aside_begin(&s->aside, &s->git, &skipped, &holder, e) != 0) {
		if (errno == EWOULDBLOCK && holder > 0)
			snprintf(e->msg + strlen(e->msg),
				 sizeof(e->msg) - strlen(e->msg), " (pid %ld)",
				 (long)holder);
		return -1;
	}
	if (skipped != NULL && log_enabled(LOG_LEVEL_INFO))
		log_event(LOG_LEVEL_INFO,
			  "nothing set aside: hooks see the work tree", "during",
			  skipped, NULL);
	if (s->aside.active && log_enabled(LOG_LEVEL_INFO)) {
		char n[32];

		snprintf(n, sizeof(n), "%zu", s->aside.rec.n);
		log_event(LOG_LEVEL_INFO, "unstaged changes set aside", "files",
			  n, NULL);
	}
	return 0;
}

/*
 * Stage what stage_fixed fixers fixed (in `results`, NULL for a run
 * that never started), then put the unstaged changes back. Returns
 * EXIT_PASS, EXIT_FAIL (a change made during the run could not be kept
 * beside the user's: saved in a patch), or EXIT_USAGE (something could
 * not be put back, or memory ran out).
 */
static int
put_back(struct session *s, const struct hook_result *results, size_t n)
{
	char *patch = NULL, **fixed = NULL;
	size_t i, k, nfixed = 0;
	struct err e;
	int status = EXIT_PASS;

	for (i = 0; results != NULL && i < n; i++)
		if (results[i].fixed)
			nfixed += results[i].nmodified;
	if (nfixed > 0) {
		fixed = tryreallocarray(NULL, nfixed, sizeof(*fixed));
		if (fixed == NULL) {
			say(s, "cannot stage the fixes: %s", strerror(errno));
			status = EXIT_USAGE;
			nfixed = 0;
		}
		for (i = 0, k = 0; fixed != NULL && i < n; i++)
			if (results[i].fixed)
				for (size_t j = 0; j < results[i].nmodified; j++)
					fixed[k++] = results[i].modified[j];
	}
	if (aside_end(&s->aside, fixed, nfixed, &patch, &e) != 0) {
		if (s->say != NULL)
			s->say(&e);
		status = EXIT_USAGE;
	}
	if (patch != NULL) {
		memset(&e, 0, sizeof(e));
		e.file = patch;
		snprintf(e.msg, sizeof(e.msg),
			 "changes made during the run to files with unstaged changes could not be kept beside them; your changes are back, the others are saved in this patch");
		if (s->say != NULL)
			s->say(&e);
		if (status == EXIT_PASS)
			status = EXIT_FAIL;
		free(patch);
	}
	free(fixed);
	return status;
}

/*
 * --baseline and --write-baseline, before anything runs or is set
 * aside: a baseline that cannot be read, or a file --write-baseline
 * would replace that is not a baseline, stops the run (exit 2) rather
 * than lose what it holds.
 */
static int
load_baselines(struct session *s, struct err *e)
{
	const struct cli_options *o = s->opt;
	struct stat st;

	memset(&st, 0, sizeof(st));
	if (o->action != CLI_RUN)
		return 0;
	if (o->baseline != NULL && baseline_load(&s->baseline, o->baseline,
						 e) != 0)
		return -1;
	if (o->write_baseline == NULL)
		return 0;
	/* Nothing yet, or a FIFO or device to write to: nothing to keep. */
	if ((stat(o->write_baseline, &st) != 0 && errno == ENOENT) ||
	    (errno = 0, st.st_mode != 0 && !S_ISREG(st.st_mode) &&
	     !S_ISDIR(st.st_mode))) {
		s->baseline_kept = baseline_empty();
		return 0;
	}
	return baseline_load(&s->baseline_kept, o->write_baseline, e);
}

int
session_prepare(struct session *s, const struct conf *c, struct plan *p,
		const struct cli_options *o, session_say_fn say_fn,
		struct err *e)
{
	struct files_prefetch pf;
	struct content_ids_git *asked = NULL;
	bool history, listing, staged_run;
	struct err ge;

	memset(s, 0, sizeof(*s));
	s->conf = c;
	s->plan = p;
	s->opt = o;
	s->say = say_fn;
	s->out_fd = STDOUT_FILENO;
	s->lock_fd = -1;
	s->git = (struct gitdir)GITDIR_INIT;
	s->aside = (struct aside)ASIDE_INIT;
	run_batches_init(&s->batches, p->nhooks);
	s->guard = (struct guardian){ 0, -1 };
	if (load_baselines(s, e) != 0)
		return -1;
	history = c->settings.history && !o->no_history;
	/* commit-msg's message file goes to every hook, patterns or not. */
	listing = any_files(p) || o->files == FILES_SOURCE_MESSAGE;
	staged_run = o->action == CLI_RUN && o->files == FILES_SOURCE_STAGED;
	/* Until session_run takes them, a Ctrl-C must not end us while the
	   work tree holds the index's content. Threads inherit the mask. */
	if (staged_run)
		block_stop_signals();
	/*
	 * One git rev-parse for all: the history, the listing, and what a
	 * dead run may have set aside. A failure is kept in s->git: the
	 * listing reports it if it needs git, and the history then goes
	 * unused for this run. The git listing starts first, in a thread,
	 * so the two run side by side; gitdir's answer still decides
	 * whether it is used.
	 */
	if (listing)
		files_prefetch_start(&pf, o->files);
	/* The set-aside's git status, beside them too. */
	if (staged_run)
		aside_scan_start(&s->aside);
	if (gitdir_discover(&s->git, NULL, &ge) != 0 && history &&
	    log_enabled(LOG_LEVEL_WARN))
		log_event(LOG_LEVEL_WARN, "no history this run", "reason",
			  ge.msg, NULL);
	/* Before the listing looks at the work tree. */
	(void)session_recover(&s->git, s->say);
	if (staged_run && set_aside(s, e) != 0) {
		if (listing)
			files_prefetch_drop(&pf);
		return -1;
	}
	/* git's view of the work tree for the cache, asked now that nothing
	   of this run will change the tree before its hooks: git works
	   while the store, the keys and the listing are made. */
	if (cache_wanted(s))
		asked = content_ids_ask_git(staged_run);
	if (history || o->action == CLI_RUN || o->failed)
		open_store(s);
	make_keys(s, 0);
	if (o->failed && select_failed(s, e) != 0) {
		if (listing)
			files_prefetch_drop(&pf);
		content_ids_git_drop(asked);
		return -1;
	}
	if (history)
		load_history(s);
	if (listing && githook_lists(o->files)) {
		files_prefetch_drop(&pf);
		if (githook_list_files(&s->files, &s->git, o, STDIN_FILENO,
				       e) != 0) {
			content_ids_git_drop(asked);
			return -1;
		}
	} else if (listing && files_list_prefetched(&s->files, &s->git,
						    o->files, o->files_path,
						    o->null_sep, &pf, e) != 0) {
		content_ids_git_drop(asked);
		return -1;
	}
	if (s->failed)
		rerun_extend_list(&s->rerun, &s->files);
	launch_build(&s->launches, p, environ);
	if (o->nshards > 1 && take_part(s, e) != 0) {
		content_ids_git_drop(asked);
		return -1;
	}
	if (cache_wanted(s) && s->store != NULL)
		s->cache = run_cache_open(c, p, &s->launches, s->store,
					  s->store_dir, &s->git, staged_run,
					  asked, cache_warned, s);
	else
		content_ids_git_drop(asked);
	{
		struct file_tags tags;  /* found once for both passes */
		struct batch_costs costs = { NULL, NULL, s, NULL, &tags, 0 };

		file_tags_init(&tags, s->files.n);

		if (s->hist != NULL) {
			costs.factor = hist_factor;
			costs.seconds = hist_seconds;
		}
		/* With the cache, a first pass only notes what each hook
		   selects; the cache then says what is left to run. */
		if (s->cache != NULL) {
			struct batch_costs note = { NULL, NULL, s,
						    session_note, &tags, 0 };
			struct run_batches none;

			run_batches_init(&none, p->nhooks);
			batch_plan(&none, p, &s->launches, &s->files, &note);
			run_batches_release(&none);
			(void)run_cache_select(s->cache);
		}
		if (s->failed || s->cache != NULL || s->part.n > 0)
			costs.keep = session_keep;
		batch_plan(&s->batches, p, &s->launches, &s->files,
			   s->hist != NULL || costs.keep != NULL ? &costs : NULL);
		if (o->files == FILES_SOURCE_MESSAGE)
			githook_message_batches(&s->batches, p, &s->launches,
						&s->files);
		batch_plan_files(&s->hook_files, p, &s->launches, &s->files,
				 &s->batches);
		file_tags_release(&tags);
	}
	s->conflicts = batch_plan_conflicts(&s->hook_files, p, &s->batches);
	run_cache_decide(s->cache, &s->batches, &s->hook_files);
	return 0;
}

void
session_release(struct session *s)
{
	size_t i;

	baseline_free(s->baseline);
	baseline_free(s->baseline_kept);
	s->baseline = s->baseline_kept = NULL;
	(void)put_back(s, NULL, 0);     /* a run that never started */
	if (s->guard.pid > 0)
		guardian_stop(&s->guard);
	run_cache_close(s->cache);
	conflicts_free(s->conflicts);
	run_files_release(&s->hook_files);
	run_batches_release(&s->batches);
	launch_release(&s->launches);
	for (i = 0; s->keys != NULL && s->plan != NULL && i < s->plan->nhooks; i++)
		free(s->keys[i]);
	free(s->keys);
	s->keys = NULL;
	file_list_release(&s->files);
	history_free(s->hist);
	store_close(s->store);
	free(s->store_dir);
	rerun_release(&s->rerun);
	shard_plan_release(&s->part);
	gitdir_release(&s->git);
	s->hist = NULL;
	s->store = NULL;
	s->store_dir = NULL;
}

int
session_exit_status(const struct hook_result *results, size_t n, int signal)
{
	size_t i;

	if (signal != 0)
		return 128 + signal;
	for (i = 0; i < n; i++)
		if (hook_result_fails_run(&results[i]))
			return EXIT_FAIL;
	return EXIT_PASS;
}

/*
 * Note in the history how long each hook that ran to its end took, and,
 * for a hook whose batches all ran, how long each batch took. Returns
 * whether there is anything to save.
 */
static int
learn_history(const struct session *s, const struct hook_result *res)
{
	const struct conf *c = s->conf;
	const struct plan *p = s->plan;
	size_t i, n = 0;

	for (i = 0; i < p->nhooks; i++) {
		const char *sname = hook_strategy(s, i), *key = s->keys[i];
		const struct batches *b = &s->batches.of[i];

		if ((res[i].status != HOOK_PASSED && res[i].status != HOOK_FAILED) ||
		    res[i].duration < 0)
			continue;
		history_record(s->hist, sname, key, res[i].duration);
		if (b->n > 0 && res[i].nspans == b->n) {
			double *sec = xreallocarray(NULL, b->n, sizeof(*sec));
			size_t k;

			for (k = 0; k < b->n; k++)
				sec[k] = res[i].spans[k].duration;
			history_learn(s->hist, sname, key, b, sec);
			free(sec);
		}
		n++;
	}
	if (n > 0) {
		/* Keep what the configuration still has, whatever ran. */
		const char **sv = xcalloc(c->nhooks + 1, sizeof(*sv));
		char **kv = xcalloc(c->nhooks + 1, sizeof(*kv));

		for (i = 0; i < c->nhooks; i++) {
			sv[i] = c->strategies[c->hooks[i].strategy].name;
			kv[i] = history_key(c->hooks[i].name, c->hooks[i].command);
		}
		history_retain(s->hist, sv, (const char *const *)kv, c->nhooks);
		for (i = 0; i < c->nhooks; i++)
			free(kv[i]);
		free(kv);
		free(sv);
	}
	return n > 0;
}

/*
 * Record every hook's result that the plan ran (not a disabled one):
 * status, reason, when it started (UTC; `wall0` is the run's start),
 * how long it took (not with the durations off), and, when it did not
 * pass, the files it had, for --failed.
 */
static int
write_results(const struct session *s, const struct hook_result *res,
	      double wall0, struct err *e)
{
	const struct plan *p = s->plan;
	bool durations = s->hist != NULL;
	struct buf files = { 0 };
	size_t i, k;
	int r = 0;

	for (i = 0; r == 0 && i < p->nhooks; i++) {
		const struct hook_files *hf = &s->hook_files.of[i];
		struct store_result x;

		if (p->hooks[i].state != PLAN_RUN)
			continue;
		buf_reset(&files);
		x.strategy = hook_strategy(s, i);
		x.hook = s->keys[i];
		x.name = p->hooks[i].conf->name;
		x.status = hook_status_name(res[i].status);
		x.reason = res[i].reason;
		x.start = wall0 + (res[i].start > 0 ? res[i].start : 0);
		x.duration = durations ? res[i].duration : -1;
		x.files = NULL;
		x.files_len = 0;
		if (!hook_result_passes(&res[i]) && !hf->all && hf->n > 0) {
			for (k = 0; k < hf->n; k++)
				buf_add(&files, hf->path[k], strlen(hf->path[k]) + 1);
			x.files = files.p;
			x.files_len = files.len;
		}
		r = store_result_add(s->store, s->store_dir, &x, e);
	}
	buf_release(&files);
	return r;
}

/*
 * What the store keeps of this run, in one write: the durations (when
 * kept) and the results. A store found damaged on the way is new and
 * empty: once more onto that.
 */
static void
save_state(const struct session *s, const struct hook_result *res,
	   double wall0)
{
	char cwd[4096];
	int history = s->hist != NULL && learn_history(s, res);
	unsigned resets;
	struct err e;
	int attempt, r = -1;

	/* A hook may have removed the run directory: nothing to keep. */
	if (getcwd(cwd, sizeof(cwd)) == NULL && errno == ENOENT)
		return;
	for (attempt = 0; attempt < 2 && r != 0; attempt++) {
		resets = store_resets(s->store);
		if (store_begin(s->store, 1, &e) == 0 &&
		    (!history || history_write(s->hist, s->store, s->store_dir,
					       &e) == 0) &&
		    write_results(s, res, wall0, &e) == 0 &&
		    run_cache_save(s->cache, res, &s->hook_files, &s->batches,
				   (long long)(now_wall() * 1000), &e) == 0 &&
		    store_commit(s->store, &e) == 0)
			r = 0;
		if (r != 0)
			store_rollback(s->store);
		if (r != 0 && store_resets(s->store) == resets)
			break;
	}
	/* Nowhere to write (a read-only tree) is no failure. */
	if (r != 0 && log_enabled(LOG_LEVEL_WARN))
		log_event(LOG_LEVEL_WARN, e.msg, "file", store_path(s->store),
			  NULL);
}

/* Seconds since the epoch, for the results' start times. */
static double
now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
session_history(const struct conf *c, const struct plan *p,
		const struct cli_options *o, struct buf *out,
		session_say_fn say_fn, struct err *e)
{
	struct session s;
	char *path;
	struct err ge;
	int r;

	memset(&s, 0, sizeof(s));
	s.conf = c;
	s.plan = (struct plan *)p;
	s.say = say_fn;
	s.git = (struct gitdir)GITDIR_INIT;
	(void)gitdir_discover(&s.git, NULL, &ge);
	/* Nothing recorded yet: no store is made just to say so. */
	path = store_path_for(&s.git, &s.store_dir);
	if (path != NULL && access(path, F_OK) == 0) {
		s.store = store_open(path, c->settings.cache_size, store_warned,
				     &s, &ge);
		if (s.store == NULL && say_fn != NULL)
			say_fn(&ge);
	}
	free(path);
	make_keys(&s, 0);
	r = history_print(out, p, s.keys, s.store, s.store_dir,
			  o->format, e);
	for (size_t i = 0; i < p->nhooks; i++)
		free(s.keys[i]);
	free(s.keys);
	store_close(s.store);
	free(s.store_dir);
	gitdir_release(&s.git);
	return r;
}

/* --- the scheduler's callbacks ------------------------------------------ */

static void
on_report(void *ctx, const struct plan *p, size_t hook,
	  const struct hook_result *r)
{
	struct wiring *w = ctx;

	(void)p;
	report_hook(w->report, hook, r);
}

/* The name a hook's findings are under in a baseline: STRATEGY/HOOK. */
static char *
baseline_key(const struct plan *p, size_t hook)
{
	const struct plan_hook *h = &p->hooks[hook];

	return xasprintf("%s/%s", p->strategies[h->strategy].name,
			 h->conf->name);
}

/*
 * With --baseline, a hook that reads findings and ran to its end has
 * each finding marked new or unchanged, the baseline's findings it no
 * longer has listed as absent, and it fails only on a new finding: one
 * that failed by its exit status with nothing new passes, one that
 * passed with something new fails (hookwave(1), BASELINE).
 */
static void
on_settle(void *ctx, const struct plan *p, size_t hook, struct hook_result *r)
{
	struct wiring *w = ctx;
	size_t nnew, nknown;
	char *key;

	if (w->baseline == NULL ||
	    p->hooks[hook].conf->findings == CONF_FINDINGS_NONE ||
	    (r->status != HOOK_PASSED && r->status != HOOK_FAILED))
		return;
	key = baseline_key(p, hook);
	baseline_mark(w->baseline, key, &r->findings, &r->absent);
	free(key);
	if (findings_count(&r->findings, &nnew, &nknown) == 0)
		return;
	if (nnew > 0)
		r->status = HOOK_FAILED;
	else if (r->status == HOOK_FAILED && r->nmodified == 0 &&
		 r->exit_code > 0 && r->signal == 0)
		r->status = HOOK_PASSED;
}

static void
on_start(void *ctx, const struct plan *p, size_t hook, size_t batch,
	 unsigned slot)
{
	struct wiring *w = ctx;

	(void)p;
	(void)batch;
	(void)slot;
	report_started(w->report, hook);
}

static void
on_exec(void *ctx, const struct plan *p, size_t hook, size_t batch,
	unsigned slot, struct batch_result *r)
{
	struct wiring *w = ctx;

	exec_batch(&w->exec, p, hook, batch, slot, r);
	run_cache_batch_done(w->cache, hook, batch, r->status);
}

/* --- the run -------------------------------------------------------------- */

static void
log_run_start(const struct plan *p)
{
	char n[32], j[32];

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	snprintf(n, sizeof(n), "%zu", p->nhooks);
	snprintf(j, sizeof(j), "%u", p->jobs);
	log_event(LOG_LEVEL_INFO, "run start", "hooks", n, "jobs", j, NULL);
}

static void
log_run_end(double elapsed, int status)
{
	char d[32], x[32];

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	snprintf(d, sizeof(d), "%.3f", elapsed);
	snprintf(x, sizeof(x), "%d", status);
	log_event(LOG_LEVEL_INFO, "run end", "duration", d, "exit_status", x,
		  NULL);
}

/* What a SARIF document left out to keep to GitHub's limits: say so. */
static void
say_sarif_cut(const struct session *s, const struct report *rep,
	      const struct hook_result *results, const char *path)
{
	struct report_sarif_cut c;
	struct err e;

	if (report_sarif_cut(rep, results, path, &c, &e) != 0 && s->say != NULL)
		s->say(&e);
}

/*
 * --write-baseline: this run's findings of every hook that reads them
 * and ran to its end; the file's entries of every other hook (not
 * selected, skipped, timed out) stay as they were.
 */
static int
write_baseline(const struct session *s, const struct hook_result *res,
	       struct err *e)
{
	const struct plan *p = s->plan;
	const char **keys = xcalloc(p->nhooks + 1, sizeof(*keys));
	const struct findings **f = xcalloc(p->nhooks + 1, sizeof(*f));
	struct buf out = { 0 };
	size_t i, n = 0;
	int r;

	for (i = 0; i < p->nhooks; i++) {
		if (p->hooks[i].conf->findings == CONF_FINDINGS_NONE ||
		    (res[i].status != HOOK_PASSED &&
		     res[i].status != HOOK_FAILED))
			continue;
		keys[n] = baseline_key(p, i);
		f[n++] = &res[i].findings;
	}
	baseline_render(&out, s->baseline_kept, keys, f, n);
	r = atomic_file_replace(s->opt->write_baseline, out.p, out.len, NULL,
				e);
	for (i = 0; i < n; i++)
		free((char *)keys[i]);
	free(keys);
	free(f);
	buf_release(&out);
	return r;
}

/*
 * Write -o, --timeline and --write-baseline; returns non-zero if one could not be
 * written. One a signal interrupted (a FIFO nobody came to read) is
 * the run's interrupt, not a failure: nothing is said, and the exit
 * status is the signal's.
 */
static int
write_report_files(const struct session *s, const struct report *rep,
		   const struct hook_result *results, unsigned workers,
		   double elapsed, int status)
{
	const struct cli_options *o = s->opt;
	int failed = 0, r;
	struct err e;

	if (o->report != NULL) {
		enum report_format f = o->report_format_set ? o->report_format :
				       report_format_for(o->report);

		r = report_save(rep, o->report, f, results, elapsed, status, &e);
		if (r < 0 && s->say != NULL)
			s->say(&e);
		failed |= r < 0;
		if (r == 0 && f == REPORT_SARIF)
			say_sarif_cut(s, rep, results, o->report);
	}
	if (o->timeline != NULL) {
		r = report_save_timeline(rep, o->timeline, results, workers, &e);
		if (r < 0 && s->say != NULL)
			s->say(&e);
		failed |= r < 0;
	}
	if (o->write_baseline != NULL) {
		r = write_baseline(s, results, &e);
		if (r < 0 && s->say != NULL)
			s->say(&e);
		failed |= r < 0;
	}
	return failed;
}

int
session_check_targets(const struct cli_options *o, struct err *e)
{
	if (o->report != NULL && atomic_file_check(o->report, e) != 0)
		return -1;
	if (o->write_baseline != NULL &&
	    atomic_file_check(o->write_baseline, e) != 0)
		return -1;
	if (o->timeline != NULL && atomic_file_check(o->timeline, e) != 0)
		return -1;
	return 0;
}

int
session_run(struct session *s)
{
	const struct cli_options *o = s->opt;
	const struct plan *p = s->plan;
	struct report_options ro;
	struct wiring w;
	struct run_config rc;
	char run_dir[4096];
	struct hook_result *results;
	double t0 = now_monotonic(), elapsed, wall0 = now_wall();
	unsigned workers = 0;
	int status, werr, file_failed, adopted, run_errno, back;
	bool out_tty = isatty(s->out_fd), err_tty = isatty(STDERR_FILENO);
	struct err e;

	if (signals_start(&e) != 0) {
		if (s->say != NULL)
			s->say(&e);
		(void)put_back(s, NULL, 0);
		return EXIT_USAGE;
	}

	memset(&w, 0, sizeof(w));
	w.exec.launches = &s->launches;
	w.exec.cancel_fd = signals_cancel_fd();
	w.exec.kill_fd = signals_kill_fd();
	w.exec.batches = s->batches.of;
	w.exec.files = &s->hook_files;
	/* Findings' files are relative to the top of the work tree, or to
	   the run's directory outside one. */
	if (getcwd(run_dir, sizeof(run_dir)) != NULL) {
		w.exec.run_dir = run_dir;
		w.exec.root = s->git.state == GITDIR_REPO &&
			      s->git.work_tree != NULL ? s->git.work_tree :
			      run_dir;
	}
	memset(&ro, 0, sizeof(ro));
	ro.fd = s->out_fd;
	ro.format = o->format;
	ro.quiet = o->quiet;
	ro.verbose = o->verbose;
	ro.color = cli_use_color(o, out_tty);
	ro.status_line = cli_status_line(o, out_tty, err_tty);
	ro.on_write_error = signals_write_error;
	ro.kill_fd = signals_kill_fd();
	ro.cancel_fd = signals_cancel_fd();
	w.report = report_new(p, &ro);
	w.cache = s->cache;
	w.baseline = s->baseline;
	memset(&rc, 0, sizeof(rc));
	rc.plan = p;
	rc.exec = on_exec;
	rc.start = on_start;
	rc.report = on_report;
	rc.settle = on_settle;
	rc.ctx = &w;
	rc.nbatches = s->batches.nbatches;
	rc.nfiles = s->batches.nfiles;
	rc.batch_seconds = s->batches.seconds;
	rc.conflicts = s->conflicts;
	rc.staged = o->files == FILES_SOURCE_STAGED;
	rc.ncached = run_cache_ncached(s->cache);
	rc.all_cached = run_cache_all_cached(s->cache);

	log_run_start(p);
	/* What hooks leave behind comes to us, to be ended after the run. */
	adopted = orphans_adopt() == 0;
	/* Before any thread: it forks. Without one (fork failed), a kill -9
	   of hookwave leaves its hooks running, as it always would have. */
	if (p->nhooks > 0 && guardian_start(&s->guard, (double)p->kill_grace) == 0) {
		w.exec.guardian = &s->guard;
		/* --lock: held by the guardian too, so a kill -9 of hookwave
		   frees it only once the hooks are gone. */
		if (s->lock_fd >= 0)
			(void)guardian_hold(&s->guard, s->lock_fd);
	}
	/* After the fork, before the threads: they inherit SIGTSTP blocked. */
	if (p->nhooks > 0 && signals_job_control(&e) != 0 &&
	    log_enabled(LOG_LEVEL_WARN))
		log_event(LOG_LEVEL_WARN, e.msg, NULL);
	results = run_plan(&rc, signals_stop_flag(), t0, &workers);
	run_errno = errno;
	elapsed = now_monotonic() - t0;
	if (s->guard.pid > 0)
		guardian_stop(&s->guard);
	/* After the last hook, before anything is reported. */
	back = put_back(s, results, results != NULL ? p->nhooks : 0);
	if (results == NULL) {
		say(s, "cannot start any worker thread: %s", strerror(run_errno));
		report_free(w.report);
		signals_finish();
		return EXIT_USAGE;
	}
	if (workers < p->jobs)
		say(s, "only %u of %u worker threads could be started; running with %u",
		    workers, p->jobs, workers);

	/*
	 * The user's results first: the summary, then the report files,
	 * then the history, and only then the sweep of what hooks left
	 * behind, which may take a grace period. The status is read again
	 * before each output: a signal that comes while they are written
	 * still ends the run with 128+N.
	 */
	status = session_exit_status(results, p->nhooks, signals_caught());
	log_run_end(elapsed, status);
	report_finish(w.report, results, elapsed, status);
	say_sarif_cut(s, w.report, results, NULL);
	werr = report_error(w.report);
	status = session_exit_status(results, p->nhooks, signals_caught());
	file_failed = write_report_files(s, w.report, results, workers,
					 elapsed, status);
	if (s->store != NULL)
		save_state(s, results, wall0);
	if (adopted && p->nhooks > 0)
		orphans_end(p->kill_grace < 2 ? (double)p->kill_grace : 2.0);
	status = session_exit_status(results, p->nhooks, signals_caught());
	hook_results_free(results, p->nhooks);
	report_free(w.report);
	signals_finish();

	/* A closed stdout, or one that stalled past a second signal: quiet. */
	if (werr == EPIPE || (werr == ECANCELED && signals_caught() != 0))
		return 128 + (signals_caught() != 0 ? signals_caught() : SIGPIPE);
	if (status >= 128)
		return status;
	if (werr != 0) {
		say(s, "write error on standard output: %s", strerror(werr));
		return EXIT_USAGE;
	}
	if (file_failed || back == EXIT_USAGE)
		return EXIT_USAGE;
	return back == EXIT_FAIL ? EXIT_FAIL : status;
}
