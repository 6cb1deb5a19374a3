/*
 * conflicts.h - which hooks may not run at the same time because one
 * may change files the other reads: two hooks conflict when their file
 * sets overlap and at least one of them is a fixer (`modifies = yes`).
 * Built once per run from the files each hook gets (after patterns,
 * exclude and cwd), then used as the set of hooks that hold their
 * files: a hook enters before its first batch is submitted and leaves
 * when its last batch is back, so two conflicting hooks never overlap
 * in time, whichever strategy, schedule or cap runs them. Hooks that
 * conflict with nobody never wait.
 *
 * A hook without `files` patterns stands for every file of the run: it
 * overlaps every hook that has a file (or none either).
 *
 * Two hooks that read back the same log file (`sarif_file`) conflict
 * too, fixers or not: each deletes it before a batch and reads what its
 * tool wrote there, so together they would read each other's.
 *
 * Thread-safety: the graph is immutable once built; enter and leave
 * take the set's own mutex and may be called from any thread. No other
 * lock is taken while it is held.
 */
#ifndef HOOKWAVE_CONFLICTS_H
#define HOOKWAVE_CONFLICTS_H

#include <pthread.h>
#include <stddef.h>

/* What one hook brings to the graph. */
struct conflict_hook {
	int fixer;              /* declared `modifies` */
	int all;                /* no patterns: every file of the run */
	const char *const *files; /* run-relative paths (borrowed; only
				     read while building), any order, no
				     duplicates needed */
	size_t nfiles;          /* 0 and !all: it takes part in nothing */
	const char *log;        /* a file its tool writes and hookwave
				   reads back (its sarif_file), normalized
				   and absolute, or NULL: hooks with the
				   same one conflict (borrowed) */
};

struct conflicts {
	size_t n;               /* hooks */
	size_t **with;          /* per hook: sorted indices it conflicts with */
	size_t *nwith;
	size_t nedges;          /* pairs that conflict */
	pthread_mutex_t mu;
	unsigned char *active;  /* mu: per hook, it holds its files */
};

/*
 * Build the graph of n hooks. Returns NULL when no two hooks conflict
 * (nothing to enforce: the scheduler then never asks), else a graph to
 * free with conflicts_free.
 */
struct conflicts *conflicts_new(const struct conflict_hook *hooks, size_t n);

/* Do hooks a and b conflict? (Never a hook with itself.) */
int conflicts_between(const struct conflicts *c, size_t a, size_t b);

/* Does hook h conflict with any other? */
int conflicts_any(const struct conflicts *c, size_t h);

/*
 * Hook h wants to start: if no hook it conflicts with holds its files,
 * mark h as holding and return 1; else return 0 and change nothing.
 * Entering twice is the same as once.
 */
int conflicts_enter(struct conflicts *c, size_t h);

/* Hook h is over: it no longer holds its files. */
void conflicts_leave(struct conflicts *c, size_t h);

/* NULL is fine. */
void conflicts_free(struct conflicts *c);

#endif
