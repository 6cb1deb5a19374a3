/*
 * check_plan.c - unit tests for plan.[ch]: waves, chains, topological
 * order, selection (-s, --skip, HOOKWAVE_SKIP, named hooks, enabled),
 * and the resolution of timeouts, schedules, workers and fail-fast.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "plan.h"
#include "util.h"

Suite *plan_suite(void);

/* --- helpers ------------------------------------------------------------ */

/* Parse text that must be valid into a fresh conf. */
#define LOAD(c, text) do {                                                  \
	struct err e_;                                                      \
	const char *t_ = (text);                                            \
	conf_init(c);                                                       \
	ck_assert_msg(conf_parse((c), "plan.ini", t_, strlen(t_), &e_) == 0, \
		      "conf error at line %lu: %s", e_.line, e_.msg);       \
} while (0)

/* Build a plan that must succeed. */
#define BUILD(p, c, o) do {                                                 \
	struct err e_;                                                      \
	ck_assert_msg(plan_build((p), (c), (o), &e_) == 0,                  \
		      "plan error at line %lu: %s", e_.line, e_.msg);       \
} while (0)

/* Build a plan that must fail without a line, `sub` in the message. */
#define BUILD_BAD(c, o, sub) do {                                           \
	struct plan p_;                                                     \
	struct err e_;                                                      \
	memset(&e_, 0, sizeof(e_));                                         \
	ck_assert_int_eq(plan_build(&p_, (c), (o), &e_), -1);               \
	ck_assert_uint_eq(e_.line, 0);                                      \
	ck_assert_ptr_null(e_.file);                                        \
	ck_assert_msg(strstr(e_.msg, (sub)) != NULL,                        \
		      "message '%s' lacks '%s'", e_.msg, (sub));            \
	plan_release(&p_);                                                  \
} while (0)

/* The plan hook called `name`, or NULL when it was not selected. */
static const struct plan_hook *
find(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nhooks; i++)
		if (strcmp(p->hooks[i].conf->name, name) == 0)
			return &p->hooks[i];
	return NULL;
}

static const struct plan_hook *
must_find(const struct plan *p, const char *name)
{
	const struct plan_hook *h = find(p, name);

	ck_assert_msg(h != NULL, "hook '%s' is not in the plan", name);
	return h;
}

/* "a:1 b:2 ..." for every plan hook in plan order ("a:-" if disabled). */
static const char *
waves(const struct plan *p)
{
	static char buf[8192];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nhooks && len < sizeof(buf); i++) {
		const struct plan_hook *h = &p->hooks[i];

		if (h->state == PLAN_DISABLED)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%s:-", i ? " " : "",
						h->conf->name);
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%s:%u", i ? " " : "",
						h->conf->name, h->wave);
	}
	return buf;
}

/* "a:3 b:2 ..." chains of the running hooks. */
static const char *
chains(const struct plan *p)
{
	static char buf[8192];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nhooks && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s:%lu",
					i ? " " : "", p->hooks[i].conf->name,
					p->hooks[i].chain);
	return buf;
}

/* The names of strategy s's topological order, space-separated. */
static const char *
topo(const struct plan *p, size_t s)
{
	static char buf[8192];
	const struct plan_strategy *ps = &p->strategies[s];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ps->ntopo && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? " " : "",
					p->hooks[ps->topo[i]].conf->name);
	return buf;
}

/* The names of the plan's strategies, space-separated. */
static const char *
strategies(const struct plan *p)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nstrategies && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? " " : "", p->strategies[i].name);
	return buf;
}

/* The names of a hook's running dependencies (or dependents). */
static const char *
names_of(const struct plan *p, const size_t *v, size_t n)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? " " : "", p->hooks[v[i]].conf->name);
	return buf;
}


static const char diamond[] =
	"[hook a]\ncommand = x\n"
	"[hook b]\ncommand = x\ndepends = a\n"
	"[hook c]\ncommand = x\ndepends = a\n"
	"[hook d]\ncommand = x\ndepends = b, c\n";

/* --- waves -------------------------------------------------------------- */

START_TEST(test_empty)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c, "");
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nhooks, 0);
	ck_assert_uint_eq(p.nstrategies, 0);
	ck_assert_uint_ge(p.jobs, 1);
	plan_release(&p);
	conf_release(&c);

	LOAD(&c, "[settings]\njobs = 3\n[strategy lonely]\n");
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nhooks, 0);
	ck_assert_uint_eq(p.nstrategies, 0);
	ck_assert_uint_eq(p.jobs, 3);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_single)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	const struct plan_hook *h;

	LOAD(&c, "[hook only]\ncommand = true\n");
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nhooks, 1);
	h = &p.hooks[0];
	ck_assert_ptr_eq(h->conf, &c.hooks[0]);
	ck_assert_uint_eq(h->conf_index, 0);
	ck_assert_int_eq(h->state, PLAN_RUN);
	ck_assert_uint_eq(h->wave, 1);
	ck_assert_uint_eq(h->chain, 1);
	ck_assert_uint_eq(h->ndeps, 0);
	ck_assert_uint_eq(h->ndependents, 0);
	ck_assert_int_eq(h->timeout, 300);
	ck_assert(!h->critical);
	ck_assert_uint_eq(p.nstrategies, 1);
	ck_assert_str_eq(p.strategies[0].name, "default");
	ck_assert_uint_eq(p.strategies[0].nwaves, 1);
	ck_assert_uint_eq(p.strategies[0].nhooks, 1);
	ck_assert_uint_eq(p.strategies[0].ntopo, 1);
	ck_assert_int_eq(p.strategies[0].schedule, SCHED_WAVES);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* Written backwards: waves follow the graph, not the file. */
START_TEST(test_linear)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c,
	     "[hook c]\ncommand = x\ndepends = b\n"
	     "[hook b]\ncommand = x\ndepends = a\n"
	     "[hook a]\ncommand = x\n");
	BUILD(&p, &c, &o);
	ck_assert_str_eq(waves(&p), "c:3 b:2 a:1");
	ck_assert_str_eq(chains(&p), "c:1 b:2 a:3");
	ck_assert_str_eq(topo(&p, 0), "a b c");
	ck_assert_uint_eq(p.strategies[0].nwaves, 3);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_diamond)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	const struct plan_hook *a, *d;

	LOAD(&c, diamond);
	BUILD(&p, &c, &o);
	ck_assert_str_eq(waves(&p), "a:1 b:2 c:2 d:3");
	ck_assert_str_eq(chains(&p), "a:3 b:2 c:2 d:1");
	ck_assert_str_eq(topo(&p, 0), "a b c d");
	ck_assert_uint_eq(p.strategies[0].nwaves, 3);
	a = must_find(&p, "a");
	d = must_find(&p, "d");
	ck_assert_str_eq(names_of(&p, a->dependents, a->ndependents), "b c");
	ck_assert_str_eq(names_of(&p, d->deps, d->ndeps), "b c");
	ck_assert_uint_eq(d->ndependents, 0);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_wide)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < 1000; i++)
		buf_printf(&b, "[hook w%zu]\ncommand = true\n", i);
	LOAD(&c, b.p);
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nhooks, 1000);
	ck_assert_uint_eq(p.strategies[0].nwaves, 1);
	ck_assert_uint_eq(p.strategies[0].ntopo, 1000);
	for (i = 0; i < 1000; i++) {
		ck_assert_uint_eq(p.hooks[i].wave, 1);
		ck_assert_uint_eq(p.hooks[i].chain, 1);
		ck_assert_uint_eq(p.strategies[0].topo[i], i);  /* config order */
	}
	plan_release(&p);
	conf_release(&c);
	free(b.p);
}
END_TEST

START_TEST(test_deep)
{
	const size_t n = 2000;
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct buf b = { 0 };
	size_t i;

	/* Each depends on the next one: h(n-1) runs first. */
	for (i = 0; i < n; i++) {
		buf_printf(&b, "[hook h%zu]\ncommand = true\n", i);
		if (i + 1 < n)
			buf_printf(&b, "depends = h%zu\n", i + 1);
	}
	LOAD(&c, b.p);
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.strategies[0].nwaves, n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(p.hooks[i].wave, n - i);
		ck_assert_uint_eq(p.hooks[i].chain, i + 1);
		ck_assert_uint_eq(p.strategies[0].topo[i], n - 1 - i);
	}
	plan_release(&p);
	conf_release(&c);
	free(b.p);
}
END_TEST

/* Chain: hooks on the longest path to a sink, the hook itself counted. */
START_TEST(test_chain_lengths)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c,
	     "[hook a]\ncommand = x\n"
	     "[hook b]\ncommand = x\ndepends = a\n"
	     "[hook c]\ncommand = x\ndepends = b\n"
	     "[hook d]\ncommand = x\ndepends = a\n"
	     "[hook e]\ncommand = x\n"
	     "[hook f]\ncommand = x\ndepends = c d\n"
	     "[hook g]\ncommand = x\ndepends = e\n");
	BUILD(&p, &c, &o);
	ck_assert_str_eq(chains(&p), "a:4 b:3 c:2 d:2 e:2 f:1 g:1");
	ck_assert_str_eq(waves(&p), "a:1 b:2 c:3 d:2 e:1 f:4 g:2");
	ck_assert_uint_eq(p.strategies[0].nwaves, 4);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* Kahn's algorithm with config order as the priority, not BFS or by wave. */
START_TEST(test_topo_order)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c,
	     "[hook c]\ncommand = x\ndepends = a\n"
	     "[hook a]\ncommand = x\n"
	     "[hook b]\ncommand = x\n"
	     "[hook d]\ncommand = x\ndepends = b\n"
	     "[hook e]\ncommand = x\ndepends = c\n");
	BUILD(&p, &c, &o);
	/* BFS would give a b c d e; wave by wave, a b c d e too. */
	ck_assert_str_eq(topo(&p, 0), "a c b d e");
	ck_assert_str_eq(waves(&p), "c:2 a:1 b:1 d:2 e:3");
	plan_release(&p);
	conf_release(&c);

	LOAD(&c,
	     "[hook z]\ncommand = x\ndepends = y, w\n"
	     "[hook y]\ncommand = x\ndepends = x\n"
	     "[hook x]\ncommand = x\n"
	     "[hook w]\ncommand = x\n"
	     "[hook v]\ncommand = x\ndepends = x\n");
	BUILD(&p, &c, &o);
	/* Ready: x w; x frees y v, and y (index 1) comes before w (3). */
	ck_assert_str_eq(topo(&p, 0), "x y w z v");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* Each strategy has its own waves and order. */
START_TEST(test_per_strategy)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c,
	     "[hook a]\ncommand = x\nstrategy = fast\n"
	     "[hook s1]\ncommand = x\nstrategy = slow\n"
	     "[hook b]\ncommand = x\nstrategy = fast\ndepends = a\n"
	     "[hook s2]\ncommand = x\nstrategy = slow\n");
	BUILD(&p, &c, &o);
	ck_assert_str_eq(strategies(&p), "fast slow");
	ck_assert_str_eq(waves(&p), "a:1 s1:1 b:2 s2:1");
	ck_assert_str_eq(topo(&p, 0), "a b");
	ck_assert_str_eq(topo(&p, 1), "s1 s2");
	ck_assert_uint_eq(p.strategies[0].nwaves, 2);
	ck_assert_uint_eq(p.strategies[1].nwaves, 1);
	ck_assert_str_eq(names_of(&p, p.strategies[1].hooks,
				  p.strategies[1].nhooks), "s1 s2");
	ck_assert_uint_eq(must_find(&p, "s2")->strategy, 1);
	ck_assert_uint_eq(must_find(&p, "b")->strategy, 0);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* A cycle anywhere is an error, even among hooks this run leaves out. */
START_TEST(test_cycle_unselected)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const only[] = { "fast" };
	struct err e;

	LOAD(&c,
	     "[hook f]\ncommand = x\nstrategy = fast\n"
	     "[hook a]\ncommand = x\nstrategy = slow\ndepends = b\n"
	     "[hook b]\ncommand = x\nstrategy = slow\ndepends = a\n");
	o.strategies = only;
	o.nstrategies = 1;
	ck_assert_int_eq(plan_build(&p, &c, &o, &e), -1);
	ck_assert_uint_eq(e.line, 7);
	ck_assert_str_eq(e.file, "plan.ini");
	ck_assert_str_eq(e.msg, "dependency cycle: a -> b -> a");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* The cycle is named from its hook that comes first in the file. */
START_TEST(test_cycle_naming)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;

	LOAD(&c,
	     "[hook x]\ncommand = x\ndepends = d\n"          /* 1 */
	     "[hook c]\ncommand = x\ndepends = a\n"          /* 4 */
	     "[hook d]\ncommand = x\ndepends = b\n"          /* 7 */
	     "[hook a]\ncommand = x\ndepends = d\n"          /* 10 */
	     "[hook b]\ncommand = x\ndepends = c\n");        /* 13 */
	ck_assert_int_eq(plan_build(&p, &c, &o, &e), -1);
	ck_assert_str_eq(e.msg, "dependency cycle: c -> a -> d -> b -> c");
	ck_assert_uint_eq(e.line, 6);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* --- selection ---------------------------------------------------------- */

static const char two_strategies[] =
	"[hook lint]\ncommand = x\nstrategy = fast\n"
	"[hook unit]\ncommand = x\nstrategy = slow\n"
	"[hook fmt]\ncommand = x\nstrategy = fast\ndepends = lint\n"
	"[hook other]\ncommand = x\n"
	"[hook e2e]\ncommand = x\nstrategy = slow\ndepends = unit\n";

START_TEST(test_select_strategy)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const slow[] = { "slow" };
	static const char *const both[] = { "slow", "default" };

	LOAD(&c, two_strategies);
	BUILD(&p, &c, &o);
	ck_assert_str_eq(strategies(&p), "fast slow default");
	plan_release(&p);

	o.strategies = slow;
	o.nstrategies = 1;
	BUILD(&p, &c, &o);
	ck_assert_str_eq(waves(&p), "unit:1 e2e:2");
	ck_assert_str_eq(strategies(&p), "slow");
	ck_assert_uint_eq(p.hooks[0].strategy, 0);
	ck_assert_uint_eq(p.hooks[0].conf_index, 1);
	plan_release(&p);

	/* Repeated -s: the plan keeps config order, not command-line order. */
	o.strategies = both;
	o.nstrategies = 2;
	BUILD(&p, &c, &o);
	ck_assert_str_eq(waves(&p), "unit:1 other:1 e2e:2");
	ck_assert_str_eq(strategies(&p), "slow default");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_skip)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const skip[] = { "b" };
	const struct plan_hook *cc;

	LOAD(&c,
	     "[hook a]\ncommand = x\n"
	     "[hook b]\ncommand = x\ndepends = a\n"
	     "[hook c]\ncommand = x\ndepends = b\n"
	     "[hook d]\ncommand = x\ndepends = a, c\n");
	o.skip = skip;
	o.nskip = 1;
	BUILD(&p, &c, &o);
	ck_assert_ptr_null(find(&p, "b"));
	ck_assert_str_eq(waves(&p), "a:1 c:1 d:2");
	cc = must_find(&p, "c");
	ck_assert_uint_eq(cc->ndeps, 0);
	ck_assert_str_eq(names_of(&p, must_find(&p, "d")->deps,
				  must_find(&p, "d")->ndeps), "a c");
	ck_assert_str_eq(names_of(&p, must_find(&p, "a")->dependents,
				  must_find(&p, "a")->ndependents), "d");
	ck_assert_str_eq(chains(&p), "a:2 c:2 d:1");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* A strategy whose hooks are all skipped is not in the plan. */
START_TEST(test_skip_whole_strategy)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const skip[] = { "unit", "e2e" };

	LOAD(&c, two_strategies);
	o.skip = skip;
	o.nskip = 2;
	BUILD(&p, &c, &o);
	ck_assert_str_eq(strategies(&p), "fast default");
	ck_assert_str_eq(waves(&p), "lint:1 fmt:2 other:1");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_env_skip)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const env[] = { "nope", "lint", "" };
	static const char *const unknown[] = { "nope" };

	LOAD(&c, two_strategies);
	o.env_skip = unknown;
	o.nenv_skip = 1;
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nhooks, 5);
	plan_release(&p);

	o.env_skip = env;
	o.nenv_skip = 3;
	BUILD(&p, &c, &o);
	ck_assert_str_eq(waves(&p), "unit:1 fmt:1 other:1 e2e:2");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_unknown_names)
{
	struct conf c;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const nope[] = { "nope" };
	static const char *const mixed[] = { "lint", "nope" };
	static const char *const hook_not_strategy[] = { "lint" };
	static const char *const strategy_not_hook[] = { "fast" };

	LOAD(&c, two_strategies);
	o.skip = mixed;
	o.nskip = 2;
	BUILD_BAD(&c, &o, "unknown hook 'nope'");
	o = (struct plan_options)PLAN_OPTIONS_INIT;
	o.strategies = nope;
	o.nstrategies = 1;
	BUILD_BAD(&c, &o, "unknown strategy 'nope'");
	o.strategies = hook_not_strategy;
	BUILD_BAD(&c, &o, "unknown strategy 'lint'");
	o = (struct plan_options)PLAN_OPTIONS_INIT;
	o.names = mixed;
	o.nnames = 2;
	BUILD_BAD(&c, &o, "unknown hook 'nope'");
	o.names = strategy_not_hook;
	o.nnames = 1;
	BUILD_BAD(&c, &o, "unknown hook 'fast'");
	conf_release(&c);
}
END_TEST

START_TEST(test_named)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const names[] = { "d", "b" };
	const struct plan_hook *b, *d;

	LOAD(&c,
	     "[hook a]\ncommand = x\n"
	     "[hook b]\ncommand = x\ndepends = a\n"
	     "[hook c]\ncommand = x\n"
	     "[hook d]\ncommand = x\ndepends = b c\nenabled = no\n");
	o.names = names;
	o.nnames = 2;
	BUILD(&p, &c, &o);
	/* Only those, in config order; their dependencies are not added. */
	ck_assert_uint_eq(p.nhooks, 2);
	ck_assert_str_eq(waves(&p), "b:1 d:2");
	b = must_find(&p, "b");
	d = must_find(&p, "d");
	ck_assert_int_eq(b->state, PLAN_RUN);
	ck_assert_uint_eq(b->ndeps, 0);
	/* A disabled hook named on the command line runs. */
	ck_assert_int_eq(d->state, PLAN_RUN);
	ck_assert_str_eq(names_of(&p, d->deps, d->ndeps), "b");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_disabled)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	static const char *const skip[] = { "off" };
	const struct plan_hook *a, *b, *off2;

	LOAD(&c,
	     "[hook a]\ncommand = x\nenabled = no\n"
	     "[hook b]\ncommand = x\ndepends = a\n"
	     "[hook c]\ncommand = x\ndepends = b\n"
	     "[hook off]\ncommand = x\nenabled = false\nstrategy = other\n"
	     "[hook off2]\ncommand = x\nenabled = off\ndepends = c\n");
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nhooks, 5);
	ck_assert_str_eq(waves(&p), "a:- b:1 c:2 off:- off2:-");
	a = must_find(&p, "a");
	b = must_find(&p, "b");
	off2 = must_find(&p, "off2");
	ck_assert_int_eq(a->state, PLAN_DISABLED);
	ck_assert_uint_eq(a->wave, 0);
	ck_assert_uint_eq(a->ndependents, 0);
	ck_assert_int_eq(b->state, PLAN_RUN);
	ck_assert_uint_eq(b->ndeps, 0);         /* satisfied */
	ck_assert_int_eq(off2->state, PLAN_DISABLED);
	ck_assert_uint_eq(off2->wave, 0);
	ck_assert_uint_eq(must_find(&p, "c")->ndependents, 0);
	ck_assert_uint_eq(b->chain, 2);
	ck_assert_uint_eq(must_find(&p, "c")->chain, 1);
	/* Disabled hooks stay listed in their strategy, out of its order. */
	ck_assert_str_eq(strategies(&p), "default other");
	ck_assert_uint_eq(p.strategies[0].nhooks, 4);
	ck_assert_str_eq(topo(&p, 0), "b c");
	ck_assert_uint_eq(p.strategies[0].nwaves, 2);
	ck_assert_uint_eq(p.strategies[1].nhooks, 1);
	ck_assert_uint_eq(p.strategies[1].ntopo, 0);
	ck_assert_uint_eq(p.strategies[1].nwaves, 0);
	plan_release(&p);

	/* --skip of a disabled hook leaves it out altogether. */
	o.skip = skip;
	o.nskip = 1;
	BUILD(&p, &c, &o);
	ck_assert_ptr_null(find(&p, "off"));
	ck_assert_str_eq(strategies(&p), "default");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/*
 * Strategies: only those with selected hooks, in the order the file
 * first names them (hookwave.ini(5), strategy_parallel = no), not the
 * order of their first hook.
 */
START_TEST(test_strategy_listing)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c,
	     "[strategy empty]\ntimeout = 1\n"
	     "[strategy slow]\ntimeout = 2\n"
	     "[strategy fast]\ntimeout = 3\n"
	     "[hook f]\ncommand = x\nstrategy = fast\n"
	     "[hook s]\ncommand = x\nstrategy = slow\n");
	ck_assert_str_eq(c.strategies[1].name, "slow");
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.nstrategies, 2);
	ck_assert_str_eq(strategies(&p), "slow fast");
	ck_assert_str_eq(p.strategies[must_find(&p, "s")->strategy].name, "slow");
	ck_assert_str_eq(p.strategies[must_find(&p, "f")->strategy].name, "fast");
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* --- resolution --------------------------------------------------------- */

START_TEST(test_timeouts)
{
	static const char text[] =
		"[settings]\ntimeout = 100\n"
		"[strategy s]\ntimeout = 50\n"
		"[strategy zero]\ntimeout = 0\n"
		"[hook own]\ncommand = x\nstrategy = s\ntimeout = 7\n"
		"[hook own0]\ncommand = x\nstrategy = s\ntimeout = 0\n"
		"[hook strat]\ncommand = x\nstrategy = s\n"
		"[hook strat0]\ncommand = x\nstrategy = zero\n"
		"[hook settings]\ncommand = x\n";
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c, text);
	BUILD(&p, &c, &o);
	ck_assert_int_eq(must_find(&p, "own")->timeout, 7);
	ck_assert_int_eq(must_find(&p, "own0")->timeout, 0);
	ck_assert_int_eq(must_find(&p, "strat")->timeout, 50);
	ck_assert_int_eq(must_find(&p, "strat0")->timeout, 0);
	ck_assert_int_eq(must_find(&p, "settings")->timeout, 100);
	plan_release(&p);

	/* -t beats the strategy and [settings], not the hook's own. */
	o.timeout = 20;
	BUILD(&p, &c, &o);
	ck_assert_int_eq(must_find(&p, "own")->timeout, 7);
	ck_assert_int_eq(must_find(&p, "own0")->timeout, 0);
	ck_assert_int_eq(must_find(&p, "strat")->timeout, 20);
	ck_assert_int_eq(must_find(&p, "strat0")->timeout, 20);
	ck_assert_int_eq(must_find(&p, "settings")->timeout, 20);
	plan_release(&p);

	o.timeout = 0;          /* -t 0: no timeout */
	BUILD(&p, &c, &o);
	ck_assert_int_eq(must_find(&p, "own")->timeout, 7);
	ck_assert_int_eq(must_find(&p, "strat")->timeout, 0);
	ck_assert_int_eq(must_find(&p, "settings")->timeout, 0);
	plan_release(&p);
	conf_release(&c);

	/* Nothing set anywhere: 300. */
	o.timeout = -1;
	LOAD(&c, "[strategy s]\nparallel = yes\n[hook a]\ncommand = x\nstrategy = s\n");
	BUILD(&p, &c, &o);
	ck_assert_int_eq(p.hooks[0].timeout, 300);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_schedules)
{
	static const char text[] =
		"[settings]\nschedule = eager\n"
		"[strategy serial]\nparallel = no\n"
		"[strategy serial_eager]\nparallel = no\nschedule = eager\n"
		"[strategy own]\nschedule = sequential\n"
		"[strategy par]\nparallel = yes\n"
		"[hook a]\ncommand = x\nstrategy = serial\n"
		"[hook b]\ncommand = x\nstrategy = serial_eager\n"
		"[hook c]\ncommand = x\nstrategy = own\n"
		"[hook d]\ncommand = x\nstrategy = par\n"
		"[hook e]\ncommand = x\n";
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	size_t i;

	LOAD(&c, text);
	BUILD(&p, &c, &o);
	ck_assert_str_eq(strategies(&p), "serial serial_eager own par default");
	ck_assert_int_eq(p.strategies[0].schedule, SCHED_SEQUENTIAL);
	ck_assert_int_eq(p.strategies[1].schedule, SCHED_SEQUENTIAL);
	ck_assert_int_eq(p.strategies[2].schedule, SCHED_SEQUENTIAL);
	ck_assert_int_eq(p.strategies[3].schedule, SCHED_EAGER);
	ck_assert_int_eq(p.strategies[4].schedule, SCHED_EAGER);
	plan_release(&p);

	/* --schedule overrides every strategy. */
	o.schedule = SCHED_WAVES;
	BUILD(&p, &c, &o);
	for (i = 0; i < p.nstrategies; i++)
		ck_assert_int_eq(p.strategies[i].schedule, SCHED_WAVES);
	plan_release(&p);
	conf_release(&c);

	/* Defaults: waves everywhere. */
	o.schedule = SCHED_UNSET;
	LOAD(&c, "[hook a]\ncommand = x\n");
	BUILD(&p, &c, &o);
	ck_assert_int_eq(p.strategies[0].schedule, SCHED_WAVES);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_workers_and_jobs)
{
	static const char text[] =
		"[settings]\njobs = 3\nmax_concurrent_strategies = 5\n"
		"kill_grace = 11\noutput_limit = 777\nstrategy_parallel = yes\n"
		"[strategy capped]\nmax_workers = 2\n"
		"[strategy big]\nmax_workers = 9\n"
		"[hook a]\ncommand = x\nstrategy = capped\n"
		"[hook b]\ncommand = x\nstrategy = big\n"
		"[hook c]\ncommand = x\n";
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;

	LOAD(&c, text);
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.jobs, 3);
	ck_assert_uint_eq(p.max_concurrent_strategies, 5);
	ck_assert_int_eq(p.kill_grace, 11);
	ck_assert_uint_eq(p.output_limit, 777);
	ck_assert(p.strategy_parallel);
	ck_assert(!p.fail_fast);
	ck_assert_uint_eq(p.strategies[0].max_workers, 2);
	ck_assert_uint_eq(p.strategies[1].max_workers, 9);
	ck_assert_uint_eq(p.strategies[2].max_workers, 3);    /* = jobs */
	plan_release(&p);

	/* -j overrides the config, and the default max_workers follows. */
	o.jobs = 5;
	o.strategy_parallel = 0;
	BUILD(&p, &c, &o);
	ck_assert_uint_eq(p.jobs, 5);
	ck_assert_uint_eq(p.strategies[0].max_workers, 2);
	ck_assert_uint_eq(p.strategies[2].max_workers, 5);
	ck_assert(!p.strategy_parallel);
	plan_release(&p);
	conf_release(&c);

	/* jobs = auto: the CPUs this process may use. */
	o = (struct plan_options)PLAN_OPTIONS_INIT;
	LOAD(&c, "[settings]\njobs = auto\nstrategy_parallel = no\n[hook a]\ncommand = x\n");
	BUILD(&p, &c, &o);
	ck_assert_uint_ge(plan_online_cpus(), 1);
	ck_assert_uint_eq(p.jobs, plan_online_cpus());
	ck_assert_uint_eq(p.strategies[0].max_workers, p.jobs);
	ck_assert(!p.strategy_parallel);
	ck_assert_uint_eq(p.max_concurrent_strategies, 2);
	ck_assert_int_eq(p.kill_grace, 5);
	ck_assert_uint_eq(p.output_limit, 1048576);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_fail_fast)
{
	static const char text[] =
		"[hook a]\ncommand = x\ncritical = yes\n"
		"[hook b]\ncommand = x\n"
		"[hook c]\ncommand = x\nstrategy = other\n";
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	size_t i;

	LOAD(&c, text);
	BUILD(&p, &c, &o);
	ck_assert(!p.fail_fast);
	ck_assert(must_find(&p, "a")->critical);
	ck_assert(!must_find(&p, "b")->critical);
	ck_assert(!must_find(&p, "c")->critical);
	plan_release(&p);

	o.fail_fast = 1;        /* -x */
	BUILD(&p, &c, &o);
	ck_assert(p.fail_fast);
	for (i = 0; i < p.nhooks; i++)
		ck_assert(p.hooks[i].critical);
	plan_release(&p);
	conf_release(&c);

	o.fail_fast = -1;
	LOAD(&c, "[settings]\nfail_fast = yes\n[hook a]\ncommand = x\n[hook b]\ncommand = x\n");
	BUILD(&p, &c, &o);
	ck_assert(p.fail_fast);
	for (i = 0; i < p.nhooks; i++)
		ck_assert(p.hooks[i].critical);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

START_TEST(test_release)
{
	struct plan p;
	struct conf c;
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;
	static const char *const nope[] = { "nope" };

	memset(&p, 0, sizeof(p));
	plan_release(&p);
	plan_release(&p);
	LOAD(&c, diamond);
	o.names = nope;
	o.nnames = 1;
	ck_assert_int_eq(plan_build(&p, &c, &o, &e), -1);
	plan_release(&p);
	ck_assert_uint_eq(p.nhooks, 0);
	ck_assert_ptr_null(p.hooks);
	conf_release(&c);
}
END_TEST

/* --- limits ------------------------------------------------------------- */

/*
 * A conf built in memory, without the parser: h0 -> h1 -> ... -> h(n-1),
 * each depending on the next, so a recursive walk from h0 would go n
 * deep; with `cycle`, h(n-1) depends on h0.
 */
static void
chain_conf(struct conf *c, size_t n, int cycle)
{
	size_t i;

	conf_init(c);
	c->path = xstrdup("mem.ini");
	c->strategies = xcalloc(1, sizeof(*c->strategies));
	c->strategies[0].name = xstrdup("default");
	c->strategies[0].parallel = -1;
	c->strategies[0].max_workers = CONF_UNSET;
	c->strategies[0].timeout = CONF_UNSET;
	c->strategies[0].schedule = SCHED_UNSET;
	c->nstrategies = 1;
	c->hooks = xcalloc(n, sizeof(*c->hooks));
	c->nhooks = n;
	for (i = 0; i < n; i++) {
		struct conf_hook *h = &c->hooks[i];

		h->name = xasprintf("h%zu", i);
		h->line = 3 * i + 1;
		h->command = xstrdup("true");
		h->timeout = CONF_UNSET;
		h->enabled = true;
		h->dep_index = xcalloc(1, sizeof(*h->dep_index));
		if (i + 1 < n || cycle) {
			char *d = xasprintf("h%zu", (i + 1) % n);

			strlist_push_owned(&h->depends, d);
			h->dep_index[0] = (i + 1) % n;
			h->depends_line = 3 * i + 3;
		}
	}
}

struct deep_job {
	struct conf *c;
	int rc;
	struct err e;
	size_t bad;
	unsigned nwaves;
};

static void *
deep_thread(void *arg)
{
	struct deep_job *j = arg;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	size_t i, n = j->c->nhooks;

	j->bad = (size_t)-1;
	j->rc = plan_build(&p, j->c, &o, &j->e);
	if (j->rc == 0) {
		j->nwaves = p.strategies[0].nwaves;
		for (i = 0; i < n; i++)
			if (p.hooks[i].wave != n - i || p.hooks[i].chain != i + 1 ||
			    p.strategies[0].topo[i] != n - 1 - i) {
				j->bad = i;
				break;
			}
	}
	plan_release(&p);
	return NULL;
}

static void
run_small_stack(struct deep_job *j)
{
	pthread_attr_t attr;
	pthread_t t;

	ck_assert_int_eq(pthread_attr_init(&attr), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
	ck_assert_int_eq(pthread_create(&t, &attr, deep_thread, j), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

START_TEST(test_deep_100000)
{
	const size_t n = 100000;
	struct conf c;
	struct deep_job j;

	chain_conf(&c, n, 0);
	memset(&j, 0, sizeof(j));
	j.c = &c;
	run_small_stack(&j);
	ck_assert_msg(j.rc == 0, "%lu: %s", j.e.line, j.e.msg);
	ck_assert_uint_eq(j.nwaves, n);
	ck_assert_msg(j.bad == (size_t)-1, "hook h%zu: wrong wave, chain or order",
		      j.bad);
	conf_release(&c);
}
END_TEST

START_TEST(test_cycle_100000)
{
	const size_t n = 100000;
	struct conf c;
	struct deep_job j;
	const char *want = "dependency cycle: h0 -> h1 -> h2 -> ";
	size_t len;

	chain_conf(&c, n, 1);
	memset(&j, 0, sizeof(j));
	j.c = &c;
	run_small_stack(&j);
	ck_assert_int_eq(j.rc, -1);
	ck_assert_uint_eq(j.e.line, 3);
	ck_assert_ptr_nonnull(j.e.file);
	ck_assert_str_eq(j.e.file, "mem.ini");
	ck_assert_msg(strncmp(j.e.msg, want, strlen(want)) == 0, "%s", j.e.msg);
	len = strlen(j.e.msg);
	ck_assert_msg(len > 6 && strcmp(j.e.msg + len - 6, " -> h0") == 0,
		      "does not close: %s", j.e.msg);
	ck_assert_msg(strstr(j.e.msg, "more") != NULL, "not elided: %s", j.e.msg);
	ck_assert_msg(strstr(j.e.msg, "-> h99999 -> h0") != NULL, "%s", j.e.msg);
	conf_release(&c);
}
END_TEST

Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc;

	tc = tcase_create("waves");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_linear);
	tcase_add_test(tc, test_diamond);
	tcase_add_test(tc, test_wide);
	tcase_add_test(tc, test_deep);
	tcase_add_test(tc, test_chain_lengths);
	tcase_add_test(tc, test_topo_order);
	tcase_add_test(tc, test_per_strategy);
	tcase_add_test(tc, test_cycle_unselected);
	tcase_add_test(tc, test_cycle_naming);
	suite_add_tcase(s, tc);

	tc = tcase_create("selection");
	tcase_add_test(tc, test_select_strategy);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_skip_whole_strategy);
	tcase_add_test(tc, test_env_skip);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_named);
	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_strategy_listing);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolution");
	tcase_add_test(tc, test_timeouts);
	tcase_add_test(tc, test_schedules);
	tcase_add_test(tc, test_workers_and_jobs);
	tcase_add_test(tc, test_fail_fast);
	tcase_add_test(tc, test_release);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_deep_100000);
	tcase_add_test(tc, test_cycle_100000);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
