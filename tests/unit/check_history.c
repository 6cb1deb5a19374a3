/* check_history.c - remembered durations: load, predict, save, fall back. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "gitdir.h"
#include "history.h"
#include "plan.h"
#include "store.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_history.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *
path_in(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/*
 * The history at `path`, as earlier tests knew it: the store
 * PATH.sqlite (run directory "d"). An old history file at `path` (the
 * text the test wrote) is imported into a new store first, and a file
 * that does not parse is *warned, as loading one was.
 */
static struct history *
hload(const char *path, int *warned, struct err *e)
{
	char sp[600];
	struct store *st;
	struct history *h;
	struct err ie;
	int r = 0;

	snprintf(sp, sizeof(sp), "%s.sqlite", path);
	if (access(path, F_OK) == 0)
		unlink(sp);
	st = store_open(sp, 0, NULL, NULL, e);
	ck_assert_msg(st != NULL, "%s", e->msg);
	if (access(path, F_OK) == 0) {
		r = history_import(st, "d", path, &ie);
		ck_assert_msg(r >= 0, "%s", ie.msg);
		ck_assert_int_ne(access(path, F_OK), 0);        /* removed */
	}
	h = history_load(st, "d", warned, e);
	ck_assert_int_eq(*warned, 0);
	if (r == 1) {
		*warned = 1;
		*e = ie;
	}
	store_close(st);
	return h;
}

/* Save `h` to the store PATH.sqlite (made if missing). */
static int
hsave(const struct history *h, const char *path, struct err *e)
{
	char sp[600];
	struct store *st;
	int r;

	snprintf(sp, sizeof(sp), "%s.sqlite", path);
	st = store_open(sp, 0, NULL, NULL, e);
	if (st == NULL)
		return -1;
	r = history_save(h, st, "d", e);
	store_close(st);
	return r;
}

struct factor_count {
	const char *hook;
	size_t n;
};

static int
count_one(void *ctx, const struct store_factor *f)
{
	struct factor_count *c = ctx;

	if (strcmp(f->hook, c->hook) == 0)
		c->n++;
	return 0;
}

/* How many factors hook `hook` has in the store PATH.sqlite. */
static size_t
count_factors(const char *path, const char *hook)
{
	struct factor_count ctx = { hook, 0 };
	char sp[600];
	struct store *st;
	struct err e;

	snprintf(sp, sizeof(sp), "%s.sqlite", path);
	st = store_open(sp, 0, NULL, NULL, &e);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_begin(st, 0, &e), 0);
	ck_assert_int_eq(store_durations_read(st, "d", NULL, count_one, &ctx,
					      &e), 0);
	ck_assert_int_eq(store_commit(st, &e), 0);
	store_close(st);
	return ctx.n;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Entries of dir: the file itself and nothing temporary. */
static int
count_entries(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dd);
	while ((e = readdir(dd)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dd);
	return n;
}

START_TEST(test_missing_is_empty)
{
	struct err e;
	int warned = 1;
	struct history *h = hload(path_in("none"), &warned, &e);

	ck_assert_int_eq(warned, 0);
	ck_assert(history_predict(h, "s", "a") == 0);
	history_free(h);
	h = history_load(NULL, NULL, &warned, &e);
	ck_assert_int_eq(warned, 0);
	history_free(h);
}
END_TEST

START_TEST(test_roundtrip_and_median)
{
	struct err e;
	int warned;
	struct history *h = history_load(NULL, NULL, &warned, &e);
	char p[512];

	/* The history's own directory is made, inside one that exists. */
	snprintf(p, sizeof(p), "%s", path_in("sub/dir/history"));
	ck_assert_int_eq(mkdir(path_in("sub"), 0777), 0);

	history_record(h, "fast", "a", 3.0);
	history_record(h, "fast", "a", 1.0);
	history_record(h, "fast", "a", 2.0);
	history_record(h, "full", "a", 10.0);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	ck_assert(history_predict(h, "full", "a") == 10.0);
	ck_assert_int_eq(hsave(h, p, &e), 0);
	history_free(h);
	ck_assert_int_eq(count_entries(path_in("sub/dir")), 1);

	h = hload(p, &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	ck_assert(history_predict(h, "full", "a") == 10.0);
	ck_assert(history_predict(h, "fast", "b") == 0);
	/* An even count: the mean of the middle two. */
	history_record(h, "fast", "a", 4.0);
	ck_assert(history_predict(h, "fast", "a") == 2.5);
	history_free(h);
}
END_TEST

START_TEST(test_keeps_the_last_few)
{
	struct err e;
	int warned, i;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	for (i = 0; i < 3 * HISTORY_KEEP; i++)
		history_record(h, "s", "a", i < 2 * HISTORY_KEEP ? 100.0 : 1.0);
	ck_assert(history_predict(h, "s", "a") == 1.0);
	history_free(h);
}
END_TEST

START_TEST(test_corrupt_falls_back)
{
	static const char *const bad[] = {
		"not a history\n",
		"hookwave-history 1\nfast\ta\n",
		"hookwave-history 1\nfast\ta\tx\n",
		"hookwave-history 1\nfast\ta\t-1\n",
		"hookwave-history 1\nfast\ta\t1,2,3,4,5,6\n",
		"hookwave-history 1\nfast\ta\t1.0",          /* torn */
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e;
		int warned = 0;
		struct history *h;

		write_file(path_in("h"), bad[i]);
		h = hload(path_in("h"), &warned, &e);
		ck_assert_msg(warned == 1, "case %zu not flagged", i);
		ck_assert_ptr_nonnull(strstr(e.msg, "corrupt"));
		ck_assert(history_predict(h, "fast", "a") == 0);
		history_free(h);
	}
}
END_TEST

START_TEST(test_save_failure_leaves_nothing)
{
	struct err e;
	int warned;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	history_record(h, "s", "a", 1.0);
	write_file(path_in("file"), "x");
	/* the parent "directory" is a file: cannot save */
	ck_assert_int_eq(hsave(h, path_in("file/history"), &e), -1);
	ck_assert_int_eq(count_entries(dir), 1);
	history_free(h);
}
END_TEST

/*
 * a, b after a, c, d: built with `sched`; the weights the tests give are
 * a 0.3 s, b 0.9 s, c 0.5 s and d unknown (the median of the known, 0.5).
 */
static const double abcd_weights[4] = { 0.3, 0.9, 0.5, 0 };

static void
abcd_plan(struct conf *c, struct plan *p, enum schedule sched)
{
	static const char ini[] =
		"[hook a]\ncommand = x\n"
		"[hook b]\ncommand = x\ndepends = a\n"
		"[hook c]\ncommand = x\n"
		"[hook d]\ncommand = x\n";
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;

	o.schedule = sched;
	conf_init(c);
	ck_assert_int_eq(conf_parse(c, "t.ini", ini, strlen(ini), &e), 0);
	ck_assert_int_eq(plan_build(p, c, &o, &e), 0);
}

/* Predicted durations order the plan: the exact priorities (eager). */
START_TEST(test_weights_make_priorities)
{
	struct conf c;
	struct plan p;

	abcd_plan(&c, &p, SCHED_EAGER);
	/* without history: chain lengths */
	ck_assert_int_eq(p.hooks[0].priority, 2000000);
	ck_assert_int_eq(p.hooks[2].priority, 1000000);
	plan_set_weights(&p, abcd_weights);
	ck_assert_int_eq(p.hooks[0].priority, 1200000);  /* 0.3 + 0.9 */
	ck_assert_int_eq(p.hooks[1].priority, 900000);
	ck_assert_int_eq(p.hooks[2].priority, 500000);
	ck_assert_int_eq(p.hooks[3].priority, 500000);
	ck_assert(p.hooks[3].predicted == 0);
	ck_assert(p.hooks[1].predicted == 0.9);
	/* no weight known at all: back to chain lengths */
	plan_set_weights(&p, (double[4]){ 0, 0, 0, 0 });
	ck_assert_int_eq(p.hooks[0].priority, 2000000);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/*
 * In waves b waits for the whole first wave: a hook of wave 1 has its
 * own weight plus wave 2's heaviest (0.9 s) ahead, so the heaviest of
 * wave 1 go first; the chain length, in microseconds, breaks ties.
 */
START_TEST(test_weights_make_wave_priorities)
{
	struct conf c;
	struct plan p;

	abcd_plan(&c, &p, SCHED_WAVES);
	/* without history: waves left (1 each), then the chain length */
	ck_assert_int_eq(p.hooks[0].priority, 2000002);
	ck_assert_int_eq(p.hooks[1].priority, 1000001);
	ck_assert_int_eq(p.hooks[2].priority, 2000001);
	plan_set_weights(&p, abcd_weights);
	ck_assert_int_eq(p.hooks[0].priority, 1200002);  /* 0.3 + 0.9 */
	ck_assert_int_eq(p.hooks[1].priority, 900001);
	ck_assert_int_eq(p.hooks[2].priority, 1400001);  /* 0.5 + 0.9 */
	ck_assert_int_eq(p.hooks[3].priority, 1400001);
	plan_release(&p);
	conf_release(&c);
}
END_TEST

/* Whether x is want, up to rounding. */
static int
near(double x, double want)
{
	double d = x - want;

	return (d < 0 ? -d : d) < 1e-9;
}

/*
 * Batches by hand: batch k holds the files of group[k] (NULL-terminated,
 * borrowed), costing total[k] in all, shared evenly. Free with
 * batches_release(), as files_batch() would.
 */
static void
batches_make(struct batches *b, size_t n, const char *const *const *group,
	     const double *total)
{
	size_t k, i;

	b->n = n;
	b->files = calloc(n, sizeof(*b->files));
	b->count = calloc(n, sizeof(*b->count));
	b->cost = calloc(n, sizeof(*b->cost));
	b->total = calloc(n, sizeof(*b->total));
	b->seconds = calloc(n, sizeof(*b->seconds));
	ck_assert(b->files && b->count && b->cost && b->total && b->seconds);
	for (k = 0; k < n; k++) {
		size_t c = 0;

		while (group[k][c] != NULL)
			c++;
		b->count[k] = c;
		b->files[k] = calloc(c + 1, sizeof(*b->files[k]));
		b->cost[k] = calloc(c + 1, sizeof(*b->cost[k]));
		ck_assert(b->files[k] && b->cost[k]);
		for (i = 0; i < c; i++) {
			b->files[k][i] = (char *)group[k][i];
			b->cost[k][i] = total[k] / (double)c;
		}
		b->total[k] = total[k];
	}
}

/* Learn for hook `name` of strategy "s" from batches made by hand. */
static void
learn(struct history *h, const char *name, size_t n,
      const char *const *const *group, const double *total,
      const double *seconds)
{
	struct batches b;

	batches_make(&b, n, group, total);
	history_learn(h, "s", name, &b, seconds);
	batches_release(&b);
}

#define G(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A version 1 file is imported; saved and loaded again, it is whole. */
START_TEST(test_v1_loads_saves_v2)
{
	struct err e;
	int warned = 1;
	struct history *h;

	write_file(path_in("h1"), "hookwave-history 1\n"
		   "fast\ta\t1.000000,3.000000,2.000000\n"
		   "full\tb/0123abcd\t5.5\n");
	h = hload(path_in("h1"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	ck_assert(history_predict(h, "full", "b/0123abcd") == 5.5);
	ck_assert(history_predict(h, "fast", "b/0123abcd") == 0);
	/* durations only: no rate, no factors */
	ck_assert(history_batch_seconds(h, "fast", "a", 100) == 0);
	ck_assert(history_factor(h, "fast", "a", "x.c") == 1);
	ck_assert_int_eq(hsave(h, path_in("h1"), &e), 0);
	history_free(h);

	h = hload(path_in("h1"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	ck_assert(history_predict(h, "full", "b/0123abcd") == 5.5);
	ck_assert(history_batch_seconds(h, "fast", "a", 100) == 0);
	/* all three durations came back, oldest first: 1 3 2 4 4 -> 3 */
	history_record(h, "fast", "a", 4.0);
	history_record(h, "fast", "a", 4.0);
	ck_assert(history_predict(h, "fast", "a") == 3.0);
	/* and the oldest (1) goes first: 3 2 4 4 0 -> 3, 2 4 4 0 0 -> 2 */
	history_record(h, "fast", "a", 0.0);
	ck_assert(history_predict(h, "fast", "a") == 3.0);
	history_record(h, "fast", "a", 0.0);
	ck_assert(history_predict(h, "fast", "a") == 2.0);
	history_free(h);
}
END_TEST

/* Whether k is name, '/', then 8 lower-case hex digits. */
static int
is_key(const char *k, const char *name)
{
	size_t i, n = strlen(name);

	if (strncmp(k, name, n) != 0 || k[n] != '/' || strlen(k) != n + 9)
		return 0;
	for (i = n + 1; k[i] != '\0'; i++)
		if (!((k[i] >= '0' && k[i] <= '9') || (k[i] >= 'a' && k[i] <= 'f')))
			return 0;
	return 1;
}

/* name/ and 32 bits of a hash of the command. */
START_TEST(test_key)
{
	char *k0 = history_key("lint", "");
	char *ka = history_key("lint", "a");
	char *ka2 = history_key("lint", "a");
	char *kb = history_key("lint", "b");
	char *kab = history_key("lint", "ruff check --fix");
	char *kba = history_key("lint", "ruff check --fiy");
	char *fa = history_key("fmt/x", "a");

	ck_assert(is_key(k0, "lint"));
	ck_assert(is_key(ka, "lint"));
	ck_assert(is_key(kab, "lint"));
	ck_assert(is_key(fa, "fmt/x"));
	ck_assert_str_eq(ka2, ka);                      /* same command */
	ck_assert_str_ne(kb, ka);                       /* another one */
	ck_assert_str_ne(k0, ka);
	ck_assert_str_ne(kab, kba);
	ck_assert_str_eq(fa + strlen("fmt/x"), ka + strlen("lint"));
	free(k0);
	free(ka);
	free(ka2);
	free(kb);
	free(kab);
	free(kba);
	free(fa);
}
END_TEST

/*
 * Rates, start-ups and factors survive save and load, paths with any
 * byte among them; factors within 1.05 of 1 are dropped.
 */
START_TEST(test_roundtrip_rate_and_factors)
{
	static const char *const path[] = {
		"tab\there", "new\nline", "100%", "%41",
		"with spaces in it", "caf\xc3\xa9", "del\x7f", "cr\r",
	};
	/* rate 16 / 8 = 2, so each file's factor is seconds / 2 */
	static const double seconds[] = { 4, 1, 1, 0.5, 3, 1.5, 2.5, 2.5 };
	static const double total[] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	static const double want[] = {
		2, 0.5, 0.5, 0.25, 1.5, 0.75, 1.25, 1.25
	};
	const char *const *group[8];
	const char *const one[8][2] = {
		{ path[0], NULL }, { path[1], NULL }, { path[2], NULL },
		{ path[3], NULL }, { path[4], NULL }, { path[5], NULL },
		{ path[6], NULL }, { path[7], NULL },
	};
	struct err e;
	int warned = 1, round;
	struct history *h;
	size_t i;

	write_file(path_in("out"), "hookwave-history 2\n"
		   "r\tfast\tz\t0.25\t0.5\n"
		   "f\tfast\tz\t1.04\tnear\n"
		   "f\tfast\tz\t0.97\tnear-low\n"
		   "f\tfast\tz\t1.05\tedge\n"
		   "f\tfast\tz\t0.95\tedge-low\n"
		   "f\tfast\tz\t3\tplain\n");
	h = hload(path_in("out"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_batch_seconds(h, "fast", "z", 2) == 1.0);
	/* imported as a save writes: within 1.05 of 1 is dropped */
	ck_assert(history_factor(h, "fast", "z", "near") == 1);
	ck_assert(history_factor(h, "fast", "z", "near-low") == 1);
	ck_assert(history_factor(h, "fast", "z", "edge") == 1.05);
	ck_assert(history_factor(h, "fast", "z", "plain") == 3);

	for (i = 0; i < 8; i++)
		group[i] = one[i];
	learn(h, "y", 8, group, total, seconds);
	for (i = 0; i < 8; i++)
		ck_assert_msg(history_factor(h, "s", "y", path[i]) == want[i],
			      "path %zu: %g", i,
			      history_factor(h, "s", "y", path[i]));
	ck_assert(history_batch_seconds(h, "s", "y", 3) == 6);
	ck_assert_int_eq(hsave(h, path_in("out"), &e), 0);
	history_free(h);

	/* Loaded back and saved again, twice: the same values. */
	for (round = 0; round < 2; round++) {
		h = hload(path_in("out"), &warned, &e);
		ck_assert_msg(warned == 0, "%s", e.msg);
		for (i = 0; i < 8; i++)
			ck_assert_msg(history_factor(h, "s", "y", path[i]) ==
				      want[i], "path %zu after load", i);
		ck_assert(history_factor(h, "s", "y", "A") == 1);
		ck_assert(history_factor(h, "s", "y", "tab") == 1);
		ck_assert(history_batch_seconds(h, "s", "y", 3) == 6);
		ck_assert(history_batch_seconds(h, "fast", "z", 2) == 1.0);
		ck_assert(history_factor(h, "fast", "z", "near") == 1);
		ck_assert(history_factor(h, "fast", "z", "near-low") == 1);
		ck_assert(history_factor(h, "fast", "z", "edge") == 1.05);
		ck_assert(history_factor(h, "fast", "z", "edge-low") == 0.95);
		ck_assert(history_factor(h, "fast", "z", "plain") == 3);
		ck_assert_int_eq(hsave(h, path_in("out"), &e), 0);
		history_free(h);
	}
}
END_TEST

/* Each bad version 2 line makes the whole file ignored, with a warning. */
START_TEST(test_corrupt_v2_falls_back)
{
	static const char good[] = "hookwave-history 2\n"
		"h\tfast\ta\t1\n"
		"r\tfast\ta\t0.5\t0\n"
		"f\tfast\ta\t2\tq\n";
	static const char *const bad[] = {
		"x\tfast\ta\t1\n",                      /* unknown type */
		"r\tfast\ta\t0.5\n",                    /* one field */
		"r\tfast\ta\t-0.5\t0\n",                /* negative rate */
		"r\tfast\ta\t0\t0\n",                   /* zero rate */
		"r\tfast\ta\t0.5\tx\n",                 /* startup no number */
		"r\tfast\ta\t0.5\t1x\n",
		"r\tfast\ta\t0.5\t\n",
		"r\tfast\ta\t0.5\t-1\n",                /* negative startup */
		"r\tfast\ta\t0.5\t1\t2\n",              /* a field too many */
		"r\tfast\ta\t0.7\t0\n",                 /* a second rate */
		"f\tfast\ta\t257\tp\n",                 /* factor out of range */
		"f\tfast\ta\t0.0039\tp\n",
		"f\tfast\ta\t0\tp\n",                   /* factor 0 */
		"f\tfast\ta\t-2\tp\n",
		"f\tfast\ta\tx\tp\n",
		"f\tfast\ta\t2\n",                      /* no path */
		"f\tfast\ta\t2\t\n",                    /* empty path */
		"f\tfast\ta\t2\tp%4\n",                 /* bad escapes */
		"f\tfast\ta\t2\tp%zz\n",
		"f\tfast\ta\t2\tp%00\n",
		"f\tfast\ta\t2\tp%\n",
		"f\tfast\ta\t3\tq\n",                   /* q again */
		"f\tfast\ta\t2\tA\nf\tfast\ta\t3\t%41\n",  /* A again */
		"h\tfast\ta\t2\n",                      /* durations again */
		"h\tfast\ta\t1\t2\n",
		"h\tfast\ta\tx\n",
		"h\t\ta\t1\n",                          /* no strategy */
		"h\tfast\t\t1\n",                       /* no name */
		"hh\tfast\tb\t1\n",                     /* type too long */
		"rr\tfast\tb\t0.5\t0\n",
		"fast\tb\t1\n",                         /* a version 1 line */
		"\n",                                   /* an empty line */
		"f\tfast\ta\t2\tp",                     /* torn */
	};
	static const char *const whole[] = {
		"hookwave-history 1\nh\tfast\ta\t1\n",  /* v2 line in v1 */
		"hookwave-history 3\n",
		"hookwave-history 2",
		"hookwave-history 2 \n",
	};
	char text[512];
	struct err e;
	int warned = 1;
	struct history *h;
	size_t i;

	/* The good part alone loads, so its loss below is the fallback. */
	write_file(path_in("h"), good);
	h = hload(path_in("h"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_predict(h, "fast", "a") == 1);
	ck_assert(history_batch_seconds(h, "fast", "a", 2) == 1);
	ck_assert(history_factor(h, "fast", "a", "q") == 2);
	history_free(h);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]) + 4; i++) {
		if (i < sizeof(bad) / sizeof(bad[0]))
			snprintf(text, sizeof(text), "%s%s", good, bad[i]);
		else
			snprintf(text, sizeof(text), "%s",
				 whole[i - sizeof(bad) / sizeof(bad[0])]);
		write_file(path_in("h"), text);
		warned = 0;
		e.msg[0] = '\0';
		h = hload(path_in("h"), &warned, &e);
		ck_assert_msg(warned == 1, "case %zu not flagged", i);
		ck_assert_msg(strstr(e.msg, "corrupt") != NULL, "case %zu: %s",
			      i, e.msg);
		ck_assert(history_predict(h, "fast", "a") == 0);
		ck_assert(history_batch_seconds(h, "fast", "a", 2) == 0);
		ck_assert(history_factor(h, "fast", "a", "q") == 1);
		ck_assert(history_factor(h, "fast", "a", "A") == 1);
		history_free(h);
	}
}
END_TEST

/*
 * Equal totals: no start-up, rate = sum(seconds) / sum(totals) = 3.
 * A file alone takes all of q, files together half of it; within 10%
 * or 10 ms nothing moves.
 */
START_TEST(test_learn_factors)
{
	const char *const *group[] = {
		G("slow"), G("a", "b"), G("c"), G("d", "e"), G("f", "g"),
		G("h", "i"),
	};
	static const double total[] = { 1, 1, 1, 1, 1, 1 };
	static const double seconds[] = { 6, 2, 2, 3.2, 2.8, 2 };
	const char *const *quick[] = { G("s1"), G("s2"), G("s3"), G("s4") };
	static const double qsec[] = { 0.015, 0.005, 0.005, 0.005 };
	struct err e;
	int warned;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	learn(h, "k", 6, group, total, seconds);
	ck_assert(near(history_batch_seconds(h, "s", "k", 2), 6));
	ck_assert(near(history_batch_seconds(h, "s", "k", 0), 0));
	ck_assert(near(history_factor(h, "s", "k", "slow"), 2));      /* q */
	ck_assert(near(history_factor(h, "s", "k", "a"), 5.0 / 6));   /* (1+2/3)/2 */
	ck_assert(near(history_factor(h, "s", "k", "b"), 5.0 / 6));
	ck_assert(near(history_factor(h, "s", "k", "c"), 2.0 / 3));   /* alone */
	ck_assert(history_factor(h, "s", "k", "d") == 1);             /* +6.7% */
	ck_assert(history_factor(h, "s", "k", "e") == 1);
	ck_assert(history_factor(h, "s", "k", "f") == 1);             /* -6.7% */
	ck_assert(history_factor(h, "s", "k", "g") == 1);
	ck_assert(near(history_factor(h, "s", "k", "h"), 5.0 / 6));
	ck_assert(near(history_factor(h, "s", "k", "i"), 5.0 / 6));
	/* Other hooks and strategies know nothing of it. */
	ck_assert(history_factor(h, "t", "k", "slow") == 1);
	ck_assert(history_factor(h, "s", "other", "slow") == 1);
	ck_assert(history_batch_seconds(h, "t", "k", 2) == 0);

	/* rate 7.5 ms: s1 took twice that, but 7.5 ms more is jitter */
	learn(h, "quick", 4, quick, total, qsec);
	ck_assert(near(history_batch_seconds(h, "s", "quick", 1), 0.0075));
	ck_assert(history_factor(h, "s", "quick", "s1") == 1);
	ck_assert(history_factor(h, "s", "quick", "s2") == 1);
	history_free(h);
}
END_TEST

/* Batches that did not run to their end (seconds <= 0) teach nothing. */
START_TEST(test_learn_ignores_unfinished)
{
	const char *const *none[] = { G("x"), G("y") };
	static const double ntotal[] = { 1, 1 };
	static const double nsec[] = { 0, -1 };
	const char *const *some[] = { G("p"), G("x"), G("y"), G("q"), G("z") };
	static const double stotal[] = { 1, 1, 1, 1, 0 };
	static const double ssec[] = { 2, 0, -1, 2, 5 };
	struct err e;
	int warned;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	learn(h, "k", 2, none, ntotal, nsec);
	ck_assert(history_batch_seconds(h, "s", "k", 1) == 0);
	ck_assert(history_factor(h, "s", "k", "x") == 1);
	ck_assert(history_factor(h, "s", "k", "y") == 1);

	/* x, y and the costless z left out: rate 4 / 2 */
	learn(h, "k", 5, some, stotal, ssec);
	ck_assert(history_batch_seconds(h, "s", "k", 1) == 2);
	ck_assert(history_batch_seconds(h, "s", "k", 0) == 0);
	ck_assert(history_factor(h, "s", "k", "p") == 1);
	ck_assert(history_factor(h, "s", "k", "q") == 1);
	ck_assert(history_factor(h, "s", "k", "x") == 1);
	ck_assert(history_factor(h, "s", "k", "y") == 1);
	ck_assert(history_factor(h, "s", "k", "z") == 1);
	history_free(h);
}
END_TEST

/* Totals that differ by 1.5x or more tell the start-up apart. */
START_TEST(test_learn_fits_startup)
{
	const char *const *two[] = { G("a"), G("b") };
	static const double ttotal[] = { 100, 300 };
	static const double tsec[] = { 1.1, 1.3 };
	const char *const *three[] = { G("a"), G("b"), G("c") };
	static const double total3[] = { 100, 100, 300 };
	static const double sec3[] = { 1.1, 1.3, 1.3 };
	static const double sec4[] = { 1.2, 2.0, 3.2 };
	const char *const *close[] = { G("a"), G("b") };
	static const double ctotal[] = { 100, 140 };
	struct err e;
	int warned;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	/* rate 0.2 / 200 = 0.001, start-up 1.1 - 0.1 = 1 */
	learn(h, "k", 2, two, ttotal, tsec);
	ck_assert(near(history_batch_seconds(h, "s", "k", 200), 1.2));
	ck_assert(near(history_batch_seconds(h, "s", "k", 0), 1.0));
	ck_assert(history_factor(h, "s", "k", "a") == 1);
	ck_assert(history_factor(h, "s", "k", "b") == 1);

	/*
	 * Least squares: rate 0.0005, start-up 1.15, more than the
	 * quickest batch took: it is 1.1, and the rate (3.7 - 3.3) / 500.
	 * b took 0.2 s more than the 0.08 s its files should, but it is
	 * mostly start-up (0.2 < 1.1): no factor moves.
	 */
	learn(h, "k3", 3, three, total3, sec3);
	ck_assert(near(history_batch_seconds(h, "s", "k3", 0), 1.1));
	ck_assert(near(history_batch_seconds(h, "s", "k3", 500), 1.5));
	ck_assert(history_factor(h, "s", "k3", "a") == 1);
	ck_assert(history_factor(h, "s", "k3", "b") == 1);
	ck_assert(history_factor(h, "s", "k3", "c") == 1);

	/*
	 * Rate 0.008, start-up 0.8. a: work 0.4 < 0.8, nothing (else
	 * 0.5); b: work 1.2 for 0.8 predicted, alone: 1.5; c: on the fit.
	 */
	learn(h, "k4", 3, three, total3, sec4);
	ck_assert(near(history_batch_seconds(h, "s", "k4", 0), 0.8));
	ck_assert(near(history_batch_seconds(h, "s", "k4", 100), 1.6));
	ck_assert(history_factor(h, "s", "k4", "a") == 1);
	ck_assert(near(history_factor(h, "s", "k4", "b"), 1.5));
	ck_assert(history_factor(h, "s", "k4", "c") == 1);

	/* Totals 1.4x apart: no start-up, rate 2.4 / 240 */
	learn(h, "kc", 2, close, ctotal, tsec);
	ck_assert(near(history_batch_seconds(h, "s", "kc", 0), 0));
	ck_assert(near(history_batch_seconds(h, "s", "kc", 100), 1.0));
	history_free(h);
}
END_TEST

/* Each run's fit is averaged with what was kept. */
START_TEST(test_learn_averages)
{
	const char *const *two[] = { G("a"), G("b") };
	static const double total[] = { 100, 300 };
	static const double sec1[] = { 1.1, 1.3 };
	static const double sec2[] = { 2.2, 2.6 };
	static const double equal[] = { 100, 100 };
	static const double sec3[] = { 1.8, 1.8 };
	static const double sec4[] = { 1.0, 1.0 };
	struct err e;
	int warned;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	learn(h, "k", 2, two, total, sec1);     /* 0.001, 1 */
	ck_assert(near(history_batch_seconds(h, "s", "k", 200), 1.2));
	learn(h, "k", 2, two, total, sec2);     /* 0.002, 2 */
	ck_assert(near(history_batch_seconds(h, "s", "k", 0), 1.5));
	ck_assert(near(history_batch_seconds(h, "s", "k", 200), 1.8));
	/* Equal totals keep the start-up known (1.5 < 1.8): rate
	   (3.6 - 3) / 200 = 0.003, kept (0.0015 + 0.003) / 2 */
	learn(h, "k", 2, two, equal, sec3);
	ck_assert(near(history_batch_seconds(h, "s", "k", 0), 1.5));
	ck_assert(near(history_batch_seconds(h, "s", "k", 200), 1.95));
	/* ... unless a batch took less than it (1 < 1.5): none, rate
	   2 / 200 = 0.01, kept (0.00225 + 0.01) / 2 and (1.5 + 0) / 2 */
	learn(h, "k", 2, two, equal, sec4);
	ck_assert(near(history_batch_seconds(h, "s", "k", 0), 0.75));
	ck_assert(near(history_batch_seconds(h, "s", "k", 100), 1.3625));
	ck_assert(history_factor(h, "s", "k", "a") == 1);
	ck_assert(history_factor(h, "s", "k", "b") == 1);
	history_free(h);
}
END_TEST

/* Factors stay in [1/256, 256] however often a file deviates. */
START_TEST(test_learn_clamps)
{
	const char *const *two[] = { G("slow"), G("fast") };
	static const double total[] = { 1, 1 };
	static const double seconds[] = { 3, 1 };       /* rate 2 */
	double slow = 1, fast = 1;
	struct err e;
	int warned, i;
	struct history *h = history_load(NULL, NULL, &warned, &e);

	for (i = 1; i <= 20; i++) {
		learn(h, "k", 2, two, total, seconds);
		slow = slow * 1.5 > 256 ? 256 : slow * 1.5;
		fast = fast * 0.5 < 1.0 / 256 ? 1.0 / 256 : fast * 0.5;
		ck_assert_msg(history_factor(h, "s", "k", "slow") == slow,
			      "run %d: %g", i, history_factor(h, "s", "k", "slow"));
		ck_assert_msg(history_factor(h, "s", "k", "fast") == fast,
			      "run %d: %g", i, history_factor(h, "s", "k", "fast"));
		if (i == 8)
			ck_assert(fast == 1.0 / 256);
		if (i == 14)
			ck_assert(slow == 256);
	}
	ck_assert(history_factor(h, "s", "k", "slow") == HISTORY_FACTOR_MAX);
	ck_assert(history_factor(h, "s", "k", "fast") == 1 / HISTORY_FACTOR_MAX);
	ck_assert(history_batch_seconds(h, "s", "k", 1) == 2);
	ck_assert_int_eq(hsave(h, path_in("h"), &e), 0);
	history_free(h);

	h = hload(path_in("h"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_factor(h, "s", "k", "slow") == 256);
	/* written with enough digits to come back exactly */
	ck_assert(history_factor(h, "s", "k", "fast") == 1 / HISTORY_FACTOR_MAX);
	history_free(h);
}
END_TEST

/* At most HISTORY_FILES factors per hook are saved: the furthest from 1. */
START_TEST(test_factor_cap)
{
	size_t size = 64 * (HISTORY_FILES + 16), len = 0;
	char *text = malloc(size);
	char name[32], num[32];
	struct err e;
	int warned, i, kept = 0;
	struct history *h;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, size - len,
				"hookwave-history 2\n"
				"f\ts\tk\t0.004\tlow\n"      /* furthest */
				"f\ts\tk\t1.06\tnear\n"      /* closest kept */
				"f\ts\tk\t1.04\ttiny\n"      /* never kept */
				"f\ts\tother\t2\tp0\n");
	/* p0 .. p4097: 2.00, 2.01, ... 42.97 */
	for (i = 0; i < HISTORY_FILES + 2; i++)
		len += (size_t)snprintf(text + len, size - len,
					"f\ts\tk\t%d.%02d\tp%d\n",
					2 + i / 100, i % 100, i);
	ck_assert_uint_lt(len, size - 1);
	write_file(path_in("out"), text);
	free(text);

	/* Imported as a save writes it: capped already. */
	h = hload(path_in("out"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert_int_eq(hsave(h, path_in("out"), &e), 0);
	history_free(h);
	ck_assert_uint_eq(count_factors(path_in("out"), "k"), HISTORY_FILES);
	ck_assert_uint_eq(count_factors(path_in("out"), "other"), 1);

	h = hload(path_in("out"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	/* 4100 qualify; near, p0, p1 and p2 are closest to 1 */
	ck_assert(history_factor(h, "s", "k", "low") == 0.004);
	ck_assert(history_factor(h, "s", "k", "near") == 1);
	ck_assert(history_factor(h, "s", "k", "tiny") == 1);
	ck_assert(history_factor(h, "s", "k", "p0") == 1);
	ck_assert(history_factor(h, "s", "k", "p2") == 1);
	ck_assert(history_factor(h, "s", "k", "p3") == 2.03);
	ck_assert(history_factor(h, "s", "k", "p4097") == 42.97);
	ck_assert(history_factor(h, "s", "other", "p0") == 2);
	for (i = 0; i < HISTORY_FILES + 2; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(num, sizeof(num), "%d.%02d", 2 + i / 100, i % 100);
		if (history_factor(h, "s", "k", name) == strtod(num, NULL))
			kept++;
		else
			ck_assert(history_factor(h, "s", "k", name) == 1);
	}
	ck_assert_int_eq(kept, HISTORY_FILES - 1);      /* and "low" */
	history_free(h);
}
END_TEST

/* history_retain keeps the hooks named, with all they know, and no other. */
START_TEST(test_retain)
{
	static const char *const strat[] = { "s", "t", "s" };
	static const char *const name[] = { "a/1", "b/2", "nobody/3" };
	struct err e;
	int warned;
	struct history *h;
	int i;

	write_file(path_in("h"), "hookwave-history 2\n"
		   "h\ts\ta/1\t2\n"
		   "r\ts\ta/1\t0.5\t0.25\n"
		   "f\ts\ta/1\t3\tslow.c\n");
	h = hload(path_in("h"), &warned, &e);
	ck_assert_int_eq(warned, 0);
	for (i = 0; i < 40; i++) {
		char n[16];

		snprintf(n, sizeof(n), "gone%d/0", i);
		history_record(h, "s", n, 1.0);
	}
	history_record(h, "t", "b/2", 3.0);
	history_record(h, "s", "b/2", 4.0);     /* b of another strategy */
	history_retain(h, strat, name, 3);
	ck_assert(history_predict(h, "s", "a/1") == 2.0);
	ck_assert(history_batch_seconds(h, "s", "a/1", 1) == 0.75);
	ck_assert(history_factor(h, "s", "a/1", "slow.c") == 3);
	ck_assert(history_predict(h, "t", "b/2") == 3.0);
	ck_assert(history_predict(h, "s", "b/2") == 0);
	ck_assert(history_predict(h, "s", "gone7/0") == 0);
	ck_assert(history_predict(h, "s", "nobody/3") == 0);
	/* still usable: new hooks go in, and the file has just the kept */
	history_record(h, "u", "c/4", 5.0);
	ck_assert(history_predict(h, "u", "c/4") == 5.0);
	ck_assert_int_eq(hsave(h, path_in("h"), &e), 0);
	history_free(h);
	/* Loaded again: just the kept, and the new. */
	h = hload(path_in("h"), &warned, &e);
	ck_assert(history_predict(h, "t", "b/2") == 3.0);
	ck_assert(history_predict(h, "u", "c/4") == 5.0);
	ck_assert(history_predict(h, "s", "a/1") == 2.0);
	ck_assert(history_batch_seconds(h, "s", "a/1", 1) == 0.75);
	ck_assert(history_factor(h, "s", "a/1", "slow.c") == 3);
	ck_assert(history_predict(h, "s", "b/2") == 0);
	ck_assert(history_predict(h, "s", "gone7/0") == 0);
	history_free(h);

	/* Nothing to keep: an empty history. */
	h = hload(path_in("h"), &warned, &e);
	history_retain(h, NULL, NULL, 0);
	ck_assert(history_predict(h, "s", "a/1") == 0);
	history_free(h);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Where the file is, and what saving may make.                     */

/* The part of `path` after its last '/'. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Whether `name` is history-<16 lower-case hex digits>. */
static int
is_history_name(const char *name)
{
	size_t i;

	if (strncmp(name, "history-", 8) != 0 || strlen(name) != 24)
		return 0;
	for (i = 8; i < 24; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		      (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * In a repository: in its git dir (a linked work tree's own); in none:
 * the cache; nowhere when discovery failed or there is no cache. The
 * same name (a hash of the run directory) in every case.
 */
START_TEST(test_path_for)
{
	struct gitdir g = GITDIR_INIT;
	char want[PATH_MAX], *p, *q;

	setenv("XDG_CACHE_HOME", "/cache/x/", 1);
	setenv("HOME", "/home/u", 1);
	p = history_path_for(&g);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(strncmp(p, "/cache/x/hookwave/", 18), 0);
	ck_assert(is_history_name(base_name(p)));
	ck_assert_ptr_null(strchr(p + 18, '/'));

	g.state = GITDIR_REPO;
	g.git_dir = xstrdup("/r/.git/worktrees/w");
	g.common_dir = xstrdup("/r/.git");
	q = history_path_for(&g);
	snprintf(want, sizeof(want), "/r/.git/worktrees/w/hookwave/%s",
		 base_name(p));
	ck_assert_str_eq(q, want);
	free(q);
	free(p);
	gitdir_release(&g);

	/* Relative XDG_CACHE_HOME: HOME's; neither: nowhere. */
	setenv("XDG_CACHE_HOME", "rel", 1);
	p = history_path_for(&g);
	ck_assert_int_eq(strncmp(p, "/home/u/.cache/hookwave/history-", 32), 0);
	free(p);
	unsetenv("HOME");
	ck_assert_ptr_null(history_path_for(&g));

	/* Where we are is not known: no history rather than a wrong one. */
	setenv("HOME", "/home/u", 1);
	g.state = GITDIR_ERROR;
	g.error = xstrdup("git rev-parse failed (exit status 3)");
	ck_assert_ptr_null(history_path_for(&g));
	gitdir_release(&g);
}
END_TEST



/* ---------------------------------------------------------------- */
/* Never larger than the reader takes.                              */



START_TEST(test_too_large_is_said)
{
	static const char head[] = "hookwave-history 2\nf\ts\tk\t2\t";
	size_t fill = HISTORY_MAX_BYTES - 1 - (sizeof(head) - 1) - 1;
	char *text = malloc(HISTORY_MAX_BYTES + 1);
	struct err e;
	int warned;
	struct history *h;
	FILE *f;

	/* HISTORY_MAX_BYTES - 1 bytes: read. */
	ck_assert_ptr_nonnull(text);
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, 'p', fill);
	text[sizeof(head) - 1 + fill] = '\n';
	f = fopen(path_in("h"), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, HISTORY_MAX_BYTES - 1, f),
			  HISTORY_MAX_BYTES - 1);
	fclose(f);
	h = hload(path_in("h"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	text[sizeof(head) - 1 + fill] = '\0';
	ck_assert(history_factor(h, "s", "k", text + sizeof(head) - 1) == 2);
	history_free(h);
	/* One byte more: too large, said so, not "corrupt". */
	text[sizeof(head) - 1 + fill] = 'p';
	text[HISTORY_MAX_BYTES - 1] = '\n';
	f = fopen(path_in("h"), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, HISTORY_MAX_BYTES, f),
			  HISTORY_MAX_BYTES);
	fclose(f);
	h = hload(path_in("h"), &warned, &e);
	ck_assert_int_eq(warned, 1);
	ck_assert_msg(strstr(e.msg, "too large") != NULL, "%s", e.msg);
	ck_assert_ptr_null(strstr(e.msg, "corrupt"));
	ck_assert(history_factor(h, "s", "k", text + sizeof(head) - 1) == 1);
	history_free(h);
	free(text);
}
END_TEST

/*
 * A history that would pass HISTORY_MAX_BYTES is written smaller, so
 * the next run reads it: the factors this run saw all stay, and of the
 * others the least recently seen (the last in the file) go.
 */
#define OLD_N 3900              /* factors of hook "old", in the file */
#define NEW_N 2000              
/* ---------------------------------------------------------------- */
/* Runs that overlap lose nothing.                                  */

/* Two runs load the same file; each saves its own; both count. */
START_TEST(test_merge_two_runs)
{
	struct err e;
	int warned;
	struct history *h1, *h2;
	const char *const *one[1];

	write_file(path_in("h"), "hookwave-history 2\n"
		   "h\ts\ta\t1.000000\n"
		   "r\ts\ta\t1\t0\n"
		   "h\ts\tgone\t9.000000\n");
	h1 = hload(path_in("h"), &warned, &e);
	h2 = hload(path_in("h"), &warned, &e);
	ck_assert_int_eq(warned, 0);

	history_record(h1, "s", "a", 2.0);
	one[0] = G("x.c");
	learn(h1, "a", 1, one, (const double[]){ 2 }, (const double[]){ 6 });
	ck_assert(history_batch_seconds(h1, "s", "a", 1) == 2.0);
	ck_assert_int_eq(hsave(h1, path_in("h"), &e), 0);

	/* h2 still sees only what it loaded... */
	ck_assert(history_predict(h2, "s", "a") == 1.0);
	history_record(h2, "s", "a", 3.0);
	history_record(h2, "s", "b", 5.0);
	one[0] = G("y.c");
	learn(h2, "a", 1, one, (const double[]){ 1 }, (const double[]){ 5 });
	history_retain(h2, (const char *const[]){ "s", "s" },
		       (const char *const[]){ "a", "b" }, 2);
	/* ...and saving puts its changes on top of h1's. */
	ck_assert_int_eq(hsave(h2, path_in("h"), &e), 0);
	history_free(h1);
	history_free(h2);

	h1 = hload(path_in("h"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	/* 1, 2, 3: the median is 2. */
	ck_assert(history_predict(h1, "s", "a") == 2.0);
	ck_assert(history_predict(h1, "s", "b") == 5.0);
	ck_assert(history_predict(h1, "s", "gone") == 0);
	/* The rate: 1 on disk, h1's 3 -> 2, h2's 5 -> 3.5. */
	ck_assert(history_batch_seconds(h1, "s", "a", 1) == 3.5);
	/* All three durations, oldest first: with 0 and 0 after them,
	   1 2 3 0 0 -> 1, then 2 3 0 0 0 -> 0. */
	history_record(h1, "s", "a", 0.0);
	history_record(h1, "s", "a", 0.0);
	ck_assert(history_predict(h1, "s", "a") == 1.0);
	history_record(h1, "s", "a", 0.0);
	ck_assert(history_predict(h1, "s", "a") == 0.0);
	history_free(h1);
}
END_TEST

/*
 * Several processes load the file, wait until all have, then record
 * and save at once: every one's durations are in the file after.
 */
#define RUNS 4
START_TEST(test_concurrent_saves)
{
	int ready[2], go[2], i, status;
	pid_t pid[RUNS];
	struct history *h;
	struct err e;
	int warned;
	char c;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	for (i = 0; i < RUNS; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			char name[16];
			int ok;

			close(ready[0]);
			close(go[1]);
			h = hload(path_in("h"), &warned, &e);
			if (write(ready[1], "r", 1) != 1 ||
			    read(go[0], &c, 1) != 0)
				_exit(3);
			snprintf(name, sizeof(name), "run%d", i);
			history_record(h, "s", name, (double)i + 1);
			history_record(h, "s", "all", (double)i + 1);
			ok = hsave(h, path_in("h"), &e) == 0;
			history_free(h);
			_exit(ok ? 0 : 4);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < RUNS; i++)
		ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(go[1]);                   /* all loaded: go */
	for (i = 0; i < RUNS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "run %d: status %d", i, status);
	}
	close(ready[0]);
	h = hload(path_in("h"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	for (i = 0; i < RUNS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "run%d", i);
		ck_assert_msg(history_predict(h, "s", name) == (double)i + 1,
			      "%s lost", name);
	}
	/* 1, 2, 3, 4 in some order: the median is 2.5. */
	ck_assert(history_predict(h, "s", "all") == 2.5);
	history_free(h);
	ck_assert_int_eq(count_entries(dir), 1);        /* no temporary */
}
END_TEST

/*
 * A save waits while another run writes to the store, then puts its
 * work on top of that run's.
 */
START_TEST(test_save_waits_for_the_lock)
{
	struct history *h, *theirs;
	struct store *st;
	struct err e;
	int warned, status, ready[2], go[2];
	char c;
	pid_t pid;

	/* Forked before the store is open here: SQLite's connections do
	   not cross a fork. */
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ok;

		close(ready[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		h = history_load(NULL, NULL, &warned, &e);
		history_record(h, "s", "mine", 1.0);
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		ok = hsave(h, path_in("h"), &e) == 0;
		history_free(h);
		_exit(ok ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	st = store_open(path_in("h.sqlite"), 0, NULL, NULL, &e);
	ck_assert_ptr_nonnull(st);
	theirs = history_load(NULL, NULL, &warned, &e);
	history_record(theirs, "s", "theirs", 2.0);
	/* The other run's write, open while this one starts its own. */
	ck_assert_int_eq(store_begin(st, 1, &e), 0);
	ck_assert_int_eq(history_write(theirs, st, "d", &e), 0);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(go[1]);
	ck_assert_int_eq(store_commit(st, &e), 0);
	store_close(st);
	history_free(theirs);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	h = hload(path_in("h"), &warned, &e);
	ck_assert_msg(warned == 0, "%s", e.msg);
	ck_assert(history_predict(h, "s", "theirs") == 2.0);
	ck_assert(history_predict(h, "s", "mine") == 1.0);
	history_free(h);
}
END_TEST

/* Median, nearest-rank p90, and the trend of `hookwave history`. */
START_TEST(test_stats)
{
	static const double one[] = { 2 };
	static const double ten[] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };
	static const double slower[] = { 1, 1, 1, 1, 1, 2, 2, 2, 2, 2 };
	static const double faster[] = { 2, 2, 2, 2, 2, 1, 1, 1, 1, 1 };
	static const double steady[] = { 1, 1.1, 1, 1.1, 1, 1.2, 1.1, 1, 1.1, 1.2 };
	static const double tiny[] = { 0.01, 0.01, 0.01, 0.03, 0.03, 0.03 };
	static const double six[] = { 1, 1, 1, 3, 3, 3 };
	struct history_stats st;

	history_stats(NULL, 0, &st);
	ck_assert(st.median == -1 && st.p90 == -1);
	ck_assert_ptr_null(st.trend);
	history_stats(one, 1, &st);
	ck_assert(st.median == 2 && st.p90 == 2);
	ck_assert_ptr_null(st.trend);                   /* too few runs */
	history_stats(ten, 10, &st);
	ck_assert(st.median == 5.5);
	ck_assert(st.p90 == 9);                         /* the 9th of 10 */
	ck_assert_str_eq(st.trend, "faster");           /* 6 5 4 ... vs 10 1 9 */
	history_stats(ten, 5, &st);
	ck_assert(st.median == 8 && st.p90 == 10);
	ck_assert_ptr_null(st.trend);
	history_stats(slower, 10, &st);
	ck_assert_str_eq(st.trend, "slower");
	history_stats(faster, 10, &st);
	ck_assert_str_eq(st.trend, "faster");
	history_stats(steady, 10, &st);
	ck_assert_str_eq(st.trend, "steady");
	/* Three times as long, but by 20 ms: noise, steady. */
	history_stats(tiny, 6, &st);
	ck_assert_str_eq(st.trend, "steady");
	/* Six runs: the last three against the first three. */
	history_stats(six, 6, &st);
	ck_assert_str_eq(st.trend, "slower");
}
END_TEST

static Suite *
history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_is_empty);
	tcase_add_test(tc, test_roundtrip_and_median);
	tcase_add_test(tc, test_keeps_the_last_few);
	tcase_add_test(tc, test_corrupt_falls_back);
	tcase_add_test(tc, test_save_failure_leaves_nothing);
	tcase_add_test(tc, test_weights_make_priorities);
	tcase_add_test(tc, test_weights_make_wave_priorities);
	tcase_add_test(tc, test_v1_loads_saves_v2);
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_roundtrip_rate_and_factors);
	tcase_add_test(tc, test_corrupt_v2_falls_back);
	tcase_add_test(tc, test_learn_factors);
	tcase_add_test(tc, test_learn_ignores_unfinished);
	tcase_add_test(tc, test_learn_fits_startup);
	tcase_add_test(tc, test_learn_averages);
	tcase_add_test(tc, test_learn_clamps);
	tcase_add_test(tc, test_factor_cap);
	tcase_add_test(tc, test_retain);
	tcase_add_test(tc, test_path_for);
	tcase_add_test(tc, test_stats);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_too_large_is_said);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_merge_two_runs);
	tcase_add_test(tc, test_concurrent_saves);
	tcase_add_test(tc, test_save_waits_for_the_lock);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(history_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
