/*
 * dump_conf.c - print what conf_parse() makes of each file given: every
 * field of the conf, or the error as hookwave prints it. Two builds of
 * it, from two versions of conf.c, show byte for byte whether the
 * versions read any input differently (tests/fuzz/compare).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static void
list(const char *key, const struct strlist *l)
{
	size_t i;

	printf(" %s=[", key);
	for (i = 0; i < l->n; i++)
		printf("%s<%s>", i ? "," : "", l->v[i]);
	printf("]");
}

static void
dump(const char *path)
{
	struct conf c;
	struct err e;
	char msg[2048];
	size_t i, j;

	conf_init(&c);
	memset(&e, 0, sizeof(e));
	printf("== %s\n", path);
	if (conf_load(&c, path, &e) != 0) {
		e.file = "x.ini";
		err_format(&e, msg, sizeof(msg));
		printf("ERR %s", msg);
		conf_release(&c);
		return;
	}
	printf("settings %ld %ld %ld %d %d %ld %d %ld %d\n", c.settings.jobs,
	       c.settings.timeout, c.settings.kill_grace, (int)c.settings.schedule,
	       c.settings.strategy_parallel, c.settings.max_concurrent_strategies,
	       c.settings.fail_fast, c.settings.output_limit, c.settings.history);
	for (i = 0; i < c.nstrategies; i++) {
		const struct conf_strategy *s = &c.strategies[i];

		printf("strategy <%s> %lu %d %d %ld %ld %d\n", s->name, s->line,
		       s->has_section, s->parallel, s->max_workers, s->timeout,
		       (int)s->schedule);
	}
	for (i = 0; i < c.nhooks; i++) {
		const struct conf_hook *h = &c.hooks[i];

		printf("hook <%s> %lu cmd=<%s> strat=%zu/%lu deps_line=%lu to=%ld crit=%d bs=%ld serial=%d cwd=<%s> en=%d",
		       h->name, h->line, h->command, h->strategy, h->strategy_line,
		       h->depends_line, h->timeout, h->critical, h->batch_size,
		       h->serial, h->cwd != NULL ? h->cwd : "(null)", h->enabled);
		list("depends", &h->depends);
		printf(" dep_index=[");
		for (j = 0; j < h->depends.n; j++)
			printf("%s%zu", j ? "," : "", h->dep_index[j]);
		printf("]");
		list("files", &h->files);
		list("exclude", &h->exclude);
		list("env", &h->env);
		printf("\n");
	}
	conf_release(&c);
}

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		dump(argv[i]);
	return 0;
}
