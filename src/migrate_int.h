/*
 * migrate_int.h - what migrate.c shares with its two readers,
 * migrate_precommit.c and migrate_lefthook.c. Not an interface for
 * anything else.
 */
#ifndef HOOKWAVE_MIGRATE_INT_H
#define HOOKWAVE_MIGRATE_INT_H

#include "migrate.h"
#include "yaml_doc.h"

struct mig {
	struct ydoc *d;
	const char *file;
	struct buf head;        /* comments and [settings] */
	struct buf strategies;  /* [strategy] sections */
	struct buf hooks;       /* [hook] sections */
	struct strlist names;   /* hook names given out */
	struct strlist strats;  /* strategies declared */
	unsigned converted, attention;
};

/* One hook being written. */
struct mhook {
	char *name;
	struct buf notes;       /* comment lines */
	struct buf keys;        /* key = value lines */
	char *why;              /* set: not converted, and why */
};

/* A unique, valid hookwave name from `want` ("-2", "-3"... on repeats). */
void mig_hook_begin(struct mig *m, struct mhook *h, const char *want);
void mig_note(struct mhook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A key line; a value hookwave.ini cannot hold makes the hook refused. */
void mig_key(struct mhook *h, const char *key, const char *value);
/* Not converted; the first reason is kept. */
void mig_refuse(struct mhook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mig_hook_end(struct mig *m, struct mhook *h);

/* Declare [strategy NAME] with git_hooks = GITHOOK (NULL: none), once. */
void mig_strategy(struct mig *m, const char *name, const char *githook);

/* Words joined as one /bin/sh command, each quoted; NULL if one cannot be. */
char *mig_sh_join(char *const *words, size_t n);

/* A value safe in hookwave.ini: one line, no blank before ';'. */
int mig_ini_safe(const char *v);

/* Brace expansion of a glob ("*.{js,ts}") into blank-separated patterns. */
char *mig_glob_expand(const char *glob);

int migrate_precommit(struct mig *m, yaml_node_t *root, struct err *e);
int migrate_lefthook(struct mig *m, yaml_node_t *root, struct err *e);

#endif
