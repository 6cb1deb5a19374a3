/*
 * migrate_lefthook.c - a lefthook.yml as hookwave.ini; see migrate.h
 * and MIGRATING in hookwave(1).
 */
#include "migrate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitnames.h"
#include "pyregex.h"

/* A command, script or job of one git hook, to be sorted. */
struct lh_cmd {
	const char *name;
	yaml_node_t *node;
	yaml_node_t *group;     /* the group job it is in (glob, root... of
				   the group apply), or NULL */
	long priority;          /* 0: none (after every set priority) */
	int script;             /* from `scripts:` */
	int chained;            /* in a piped group: after the one before */
	size_t order;           /* position in the file */
};

/* A key of a job, or of its group when the job has none. */
static yaml_node_t *
jget(struct ydoc *d, const struct lh_cmd *c, const char *key)
{
	yaml_node_t *v = ymap_get(d, c->node, key);

	return v != NULL || c->group == NULL ? v : ymap_get(d, c->group, key);
}

static int
cmd_cmp(const void *a, const void *b)
{
	const struct lh_cmd *x = a, *y = b;

	if (x->priority != y->priority) {
		if (x->priority == 0 || y->priority == 0)
			return x->priority == 0 ? 1 : -1;
		return x->priority < y->priority ? -1 : 1;
	}
	if (x->script != y->script)
		return x->script - y->script;
	return strcmp(x->name, y->name);
}

static const char *const file_placeholders[] = {
	"{staged_files}", "{push_files}", "{all_files}", "{files}",
};

/* The placeholder at p, or NULL. */
static const char *
placeholder_at(const char *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(file_placeholders); i++)
		if (strncmp(p, file_placeholders[i], strlen(file_placeholders[i])) == 0)
			return file_placeholders[i];
	return NULL;
}

/* The lines of `script` as one printf argument list, each quoted. */
static char *
printf_lines(const char *script)
{
	struct buf b = { 0 };
	const char *p = script;
	char *out;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *q;

		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		q = migrate_sh_quote(line);
		free(line);
		if (q == NULL) {
			buf_release(&b);
			return NULL;
		}
		buf_adds(&b, " ");
		buf_adds(&b, q);
		free(q);
		p += len + (nl != NULL);
	}
	out = xstrdup(b.len > 0 ? b.p : " ''");
	buf_release(&b);
	return out;
}

/*
 * run: with its file placeholders as "$@" of a function, so the files
 * hookwave appends land where lefthook put them.
 */
static char *
wrap_run(const char *run, const char *name, int message)
{
	struct buf b = { 0 };
	const char *p;
	char *lines, *out;

	for (p = run; *p != '\0'; p++) {
		const char *ph = placeholder_at(p);

		if (ph != NULL) {
			buf_adds(&b, "\"$@\"");
			p += strlen(ph) - 1;
		} else if (message && (strncmp(p, "{0}", 3) == 0 ||
				       strncmp(p, "{1}", 3) == 0)) {
			/* commit-msg: the message file is the hook's argument. */
			buf_adds(&b, "\"$1\"");
			p += 2;
		} else if (strncmp(p, "{lefthook_job_name}", 19) == 0) {
			buf_adds(&b, name);
			p += 18;
		} else {
			buf_add(&b, p, 1);
		}
	}
	while (b.len > 0 && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == ' '))
		b.p[--b.len] = '\0';
	lines = printf_lines(b.len > 0 ? b.p : "");
	buf_release(&b);
	if (lines == NULL)
		return NULL;
	out = xasprintf("hookwave_run() { eval \"$(printf '%%s\\n'%s)\"; }; hookwave_run",
			lines);
	free(lines);
	return out;
}

static int
has_text(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

/* Is `run` "PREFIX {placeholder}" with a prefix that needs nothing more? */
static char *
simple_prefix(const char *run)
{
	size_t i, n = strlen(run);
	char *prefix;

	while (n > 0 && (run[n - 1] == ' ' || run[n - 1] == '\n'))
		n--;
	for (i = 0; i < ARRAY_SIZE(file_placeholders); i++) {
		size_t k = strlen(file_placeholders[i]);

		if (n > k + 1 && strncmp(run + n - k, file_placeholders[i], k) == 0 &&
		    run[n - k - 1] == ' ')
			break;
	}
	if (i == ARRAY_SIZE(file_placeholders))
		return NULL;
	prefix = xstrndup(run, n - strlen(file_placeholders[i]) - 1);
	/* Only plain words: anything else goes through wrap_run. */
	if (strpbrk(prefix, "{}\n;&|<>()$`\\\"'#*?[") != NULL ||
	    !mig_ini_safe(prefix)) {
		free(prefix);
		return NULL;
	}
	return prefix;
}

/* glob: (a string or a list) as hookwave's `files`. */
static void
globs_key(struct mig *m, struct mhook *h, const char *key, yaml_node_t *n)
{
	struct strlist l = { 0 };
	struct buf b = { 0 };
	size_t i;

	if (yscalars(m->d, n, &l) != 0) {
		mig_refuse(h, "%s must be a string or a list of strings", key);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		char *e;

		if (strpbrk(l.v[i], " \t") != NULL) {
			mig_refuse(h, "the %s pattern '%s' holds a blank", key, l.v[i]);
			goto out;
		}
		e = mig_glob_expand(l.v[i]);
		if (b.len > 0)
			buf_adds(&b, " ");
		buf_adds(&b, e);
		free(e);
	}
	if (b.len > 0)
		mig_key(h, key, b.p);
out:
	strlist_release(&l);
	buf_release(&b);
}

static void
file_types_key(struct mig *m, struct mhook *h, yaml_node_t *n)
{
	struct strlist l = { 0 }, in = { 0 }, ex = { 0 };
	size_t i;
	char *v;

	if (yscalars(m->d, n, &l) != 0) {
		mig_refuse(h, "file_types must be a list of strings");
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		const char *t = l.v[i];
		int not = strncmp(t, "not ", 4) == 0;

		if (not)
			t += 4;
		if (strcmp(t, "text") != 0 && strcmp(t, "binary") != 0 &&
		    strcmp(t, "executable") != 0 && strcmp(t, "symlink") != 0) {
			mig_refuse(h, "file type '%s' has no hookwave form", l.v[i]);
			goto out;
		}
		strlist_push(not ? &ex : &in, t);
	}
	if (in.n > 0) {
		struct buf b = { 0 };

		for (i = 0; i < in.n; i++)
			buf_printf(&b, "%s%s", i > 0 ? "+" : "", in.v[i]);
		mig_key(h, "types", b.p);
		buf_release(&b);
	}
	if (ex.n > 0) {
		struct buf b = { 0 };

		for (i = 0; i < ex.n; i++)
			buf_printf(&b, "%s%s", i > 0 ? " " : "", ex.v[i]);
		v = xstrdup(b.p);
		mig_key(h, "exclude_types", v);
		free(v);
		buf_release(&b);
	}
out:
	strlist_release(&l);
	strlist_release(&in);
	strlist_release(&ex);
}

static void
note_list(struct mig *m, struct mhook *h, yaml_node_t *n, const char *key)
{
	struct strlist l = { 0 };
	struct buf b = { 0 };
	size_t i;

	if (n == NULL)
		return;
	if (yscalars(m->d, n, &l) == 0 && l.n > 0) {
		for (i = 0; i < l.n; i++)
			buf_printf(&b, "%s%s", i > 0 ? ", " : "", l.v[i]);
		mig_note(h, "lefthook's %s: %s (not carried over)", key, b.p);
	} else {
		mig_note(h, "lefthook's %s (line %lu) is not carried over", key, yline(n));
	}
	strlist_release(&l);
	buf_release(&b);
}

/* The keys of a lefthook command or job; others are noted. */
static const char *const command_keys[] = {
	"run", "glob", "exclude", "root", "stage_fixed", "priority", "skip",
	"only", "tags", "env", "file_types", "fail_text", "interactive",
	"use_stdin", "files", "name", "script", "runner", "group", "<<",
};

static void
note_unknown_keys(struct mig *m, struct mhook *h, yaml_node_t *n)
{
	size_t i, k;

	for (i = 0; i < ymap_len(n); i++) {
		yaml_node_t *kn = ymap_key(m->d, n, i);
		const char *key = yscalar(kn);

		for (k = 0; key != NULL && k < ARRAY_SIZE(command_keys); k++)
			if (strcmp(key, command_keys[k]) == 0)
				break;
		if (key == NULL || k == ARRAY_SIZE(command_keys))
			mig_note(h, "unknown key '%s' (line %lu) not carried over",
				 key != NULL ? key : "?", yline(kn));
	}
}

static const char *
scalar_or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

/*
 * One command (or job, or script) of git hook `gh`; `manual`: of a hook
 * lefthook runs only by hand, which is written commented out.
 */
static void
one_command(struct mig *m, const char *gh, const struct lh_cmd *c,
	    const char *after, int manual)
{
	struct ydoc *d = m->d;
	yaml_node_t *n = c->node;
	const char *run = yscalar(ymap_get(d, n, "run"));
	const char *root = yscalar(jget(d, c, "root"));
	yaml_node_t *glob = jget(d, c, "glob");
	yaml_node_t *exclude = jget(d, c, "exclude");
	yaml_node_t *env = jget(d, c, "env");
	struct mhook h;
	char *cmd = NULL;
	size_t i;
	int files = 0, message;

	mig_hook_begin(m, &h, c->name);
	if (manual)
		mig_refuse(&h, "'%s' is no git hook: lefthook runs it by hand ('lefthook run %s'), a hookwave strategy at git hooks; give it a strategy of its own and run it with hookwave -s",
			   gh, gh);
	note_unknown_keys(m, &h, n);
	mig_key(&h, "strategy", gh);
	if (c->script) {
		const char *runner = yscalar(ymap_get(d, n, "runner"));
		char *path = xasprintf(".lefthook/%s/%s", gh, c->name), *q;

		q = migrate_sh_quote(path);
		free(path);
		if (runner != NULL && *runner != '\0') {
			if (!mig_ini_safe(runner))
				mig_refuse(&h, "its runner cannot be written on one line");
			cmd = xasprintf("%s %s", runner, q != NULL ? q : "''");
		} else {
			cmd = xstrdup(q != NULL ? q : "''");
		}
		free(q);
		mig_note(&h, "a lefthook script: it gets no git hook arguments here");
		mig_key(&h, "command", cmd);
		goto rest;
	}
	if (c->group != NULL)
		mig_note(&h, "a job of the group '%s'",
			 scalar_or_dash(yscalar(ymap_get(d, c->group, "name"))));
	if (run == NULL) {
		mig_refuse(&h, "no run command");
		goto end;
	}
	if (has_text(run, "{files}")) {
		mig_refuse(&h, "{files} takes its files from lefthook's files: command");
		goto end;
	}
	message = git_hook_takes_message(gh);
	for (i = message ? 2 : 0; i < 10; i++) {
		char arg[8];

		snprintf(arg, sizeof(arg), "{%zu}", i);
		if (has_text(run, arg)) {
			mig_refuse(&h, "%s is a git hook argument: hookwave does not pass those to hooks",
				   arg);
			goto end;
		}
	}
	if (has_text(run, "{all_files}"))
		mig_note(&h, "{all_files}: hookwave passes the files of the git hook's run, not every file");
	for (i = 0; i < ARRAY_SIZE(file_placeholders); i++)
		if (has_text(run, file_placeholders[i]))
			files = 1;
	if (files && (cmd = simple_prefix(run)) != NULL) {
		/* The files follow the command, as hookwave passes them. */
	} else if (!files && mig_ini_safe(run) && !message &&
		   !has_text(run, "{lefthook_job_name}")) {
		cmd = xstrdup(run);
	} else if ((cmd = wrap_run(run, c->name, message)) == NULL) {
		mig_refuse(&h, "a line of its run holds a carriage return");
		goto end;
	}
	mig_key(&h, "command", cmd);
	if (glob != NULL)
		globs_key(m, &h, "files", glob);
	else if (files)
		mig_key(&h, "files", "*");
	if (!files && glob != NULL)
		mig_key(&h, "pass_files", "no");
rest:
	if (exclude != NULL && yscalar(exclude) != NULL) {
		char why[256];
		char *ere = pyregex_to_ere(yscalar(exclude), why, sizeof(why));

		if (ere == NULL)
			mig_refuse(&h, "exclude '%s': %s", yscalar(exclude), why);
		else
			mig_key(&h, "exclude_regex", ere);
		free(ere);
	} else if (exclude != NULL) {
		globs_key(m, &h, "exclude", exclude);
	}
	if (jget(d, c, "file_types") != NULL)
		file_types_key(m, &h, jget(d, c, "file_types"));
	if (root != NULL && *root != '\0') {
		char *r = xstrdup(root);
		size_t len = strlen(r);

		while (len > 1 && r[len - 1] == '/')
			r[--len] = '\0';
		mig_key(&h, "cwd", r);
		free(r);
	}
	if (ybool(ymap_get(d, n, "stage_fixed")) == 1) {
		mig_key(&h, "modifies", "yes");
		mig_key(&h, "stage_fixed", "yes");
	}
	if (after != NULL)
		mig_key(&h, "depends", after);
	for (i = 0; i < ymap_len(env); i++) {
		const char *k = yscalar(ymap_key(d, env, i));
		const char *v = yscalar(ymap_value(d, env, i));
		char *kv;

		if (k == NULL || v == NULL) {
			mig_refuse(&h, "env must map names to strings");
			break;
		}
		kv = xasprintf("%s=%s", k, v);
		mig_key(&h, "env", kv);
		free(kv);
	}
	if (env != NULL && !yis_map(env))
		mig_refuse(&h, "env must be a mapping");
	if (ymap_get(d, n, "skip") != NULL)
		note_list(m, &h, ymap_get(d, n, "skip"), "skip");
	if (ymap_get(d, n, "only") != NULL)
		note_list(m, &h, ymap_get(d, n, "only"), "only");
	if (ymap_get(d, n, "tags") != NULL)
		note_list(m, &h, ymap_get(d, n, "tags"), "tags");
	if (ybool(ymap_get(d, n, "interactive")) == 1 ||
	    ybool(ymap_get(d, n, "use_stdin")) == 1)
		mig_note(&h, "interactive and use_stdin: hookwave gives hooks no terminal and no input");
	if (yscalar(ymap_get(d, n, "fail_text")) != NULL)
		mig_note(&h, "fail_text: %s", yscalar(ymap_get(d, n, "fail_text")));
end:
	free(cmd);
	mig_hook_end(m, &h);
}

/*
 * The jobs of list `jobs` onto v, in order; a group's jobs in its place,
 * named after it when they have no name (owned by `names`), chained when
 * the group (`groupmap`, the value of the job `group`'s "group:") is
 * piped. Groups in groups are refused past a few levels.
 */
static int
add_jobs(struct mig *m, yaml_node_t *jobs, yaml_node_t *group,
	 yaml_node_t *groupmap, int depth, struct strlist *names,
	 struct lh_cmd **v, size_t *n, struct err *e)
{
	struct ydoc *d = m->d;
	int piped = groupmap != NULL && ybool(ymap_get(d, groupmap, "piped")) == 1;
	const char *gname = group != NULL ? yscalar(ymap_get(d, group, "name")) : NULL;
	size_t i;

	if (jobs != NULL && !yis_seq(jobs))
		return err_set(e, m->file, yline(jobs), "'jobs' is not a list");
	if (depth > 4)
		return err_set(e, m->file, yline(jobs), "groups nested more than four deep");
	for (i = 0; i < yseq_len(jobs); i++) {
		yaml_node_t *j = yseq_at(d, jobs, i);
		const char *name = yscalar(ymap_get(d, j, "name"));
		yaml_node_t *sub;
		struct lh_cmd *c;

		if (!yis_map(j))
			return err_set(e, m->file, yline(j), "a job must be a mapping");
		if ((sub = ymap_get(d, j, "group")) != NULL) {
			if (!yis_map(sub))
				return err_set(e, m->file, yline(sub), "a group must be a mapping");
			/* The group's own keys (glob, root...) sit beside group:. */
			if (add_jobs(m, ymap_get(d, sub, "jobs"), j, sub, depth + 1,
				     names, v, n, e) != 0)
				return -1;
			continue;
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		c = &(*v)[*n];
		memset(c, 0, sizeof(*c));
		c->node = j;
		c->group = group;
		c->script = ymap_get(d, j, "script") != NULL;
		c->chained = piped && i > 0;
		c->order = *n;
		if (name == NULL && c->script)
			name = yscalar(ymap_get(d, j, "script"));
		if (name == NULL) {
			strlist_push_owned(names, gname != NULL ?
					   xasprintf("%s-%zu", gname, i + 1) :
					   xasprintf("job-%zu", *n + 1));
			name = names->v[names->n - 1];
		}
		c->name = name;
		(*n)++;
	}
	return 0;
}

static int
collect(struct mig *m, yaml_node_t *hook, struct lh_cmd **out, size_t *nout,
	struct strlist *names, struct err *e)
{
	struct ydoc *d = m->d;
	yaml_node_t *commands = ymap_get(d, hook, "commands");
	yaml_node_t *scripts = ymap_get(d, hook, "scripts");
	yaml_node_t *jobs = ymap_get(d, hook, "jobs");
	struct lh_cmd *v = NULL;
	size_t n = 0, i, k;

	for (k = 0; k < 2; k++) {
		yaml_node_t *map = k == 0 ? commands : scripts;

		if (map != NULL && !yis_map(map)) {
			free(v);
			return err_set(e, m->file, yline(map), "'%s' is not a mapping",
				       k == 0 ? "commands" : "scripts");
		}
		for (i = 0; i < ymap_len(map); i++) {
			const char *name = yscalar(ymap_key(d, map, i));
			yaml_node_t *val = ymap_value(d, map, i);
			const char *pr = yscalar(ymap_get(d, val, "priority"));

			if (name == NULL || !yis_map(val)) {
				free(v);
				return err_set(e, m->file, yline(val),
					       "a command must be a mapping under its name");
			}
			v = xreallocarray(v, n + 1, sizeof(*v));
			memset(&v[n], 0, sizeof(v[n]));
			v[n].name = name;
			v[n].node = val;
			v[n].priority = pr != NULL ? strtol(pr, NULL, 10) : 0;
			v[n].script = k;
			v[n].order = n;
			n++;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmd_cmp);
	if (jobs != NULL && !yis_seq(jobs)) {
		free(v);
		return err_set(e, m->file, yline(jobs), "'jobs' is not a list");
	}
	/* Jobs keep their order: that is lefthook's. */
	if (add_jobs(m, jobs, NULL, NULL, 0, names, &v, &n, e) != 0) {
		free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

int
migrate_lefthook(struct mig *m, yaml_node_t *root, struct err *e)
{
	struct ydoc *d = m->d;
	size_t i, j, hooks = 0, k;

	/* Git hooks first (pass 0), lefthook's own hooks after (pass 1),
	   so the hooks that run get the plain names. */
	for (k = 0; k < 2 * ymap_len(root); k++) {
		const char *key;
		yaml_node_t *hook;
		struct lh_cmd *cmds = NULL;
		struct strlist jobnames = { 0 };
		size_t n = 0;
		int piped, parallel, manual;
		size_t pass = k / ymap_len(root);

		i = k % ymap_len(root);
		key = yscalar(ymap_key(d, root, i));
		hook = ymap_value(d, root, i);
		if (key == NULL)
			continue;
		if (pass == 0 && (strcmp(key, "extends") == 0 ||
				  strcmp(key, "remotes") == 0 ||
				  strcmp(key, "remote") == 0)) {
			buf_printf(&m->head, "# lefthook's %s (line %lu) is not carried over: convert those files too\n",
				   key, yline(hook));
			m->attention++;
			continue;
		}
		/* A hook of lefthook's own name: it has commands, jobs or
		   scripts; the other top-level keys are settings. */
		manual = !git_hook_known(key);
		if (manual && (!yis_map(hook) ||
			       (ymap_get(d, hook, "commands") == NULL &&
				ymap_get(d, hook, "jobs") == NULL &&
				ymap_get(d, hook, "scripts") == NULL)))
			continue;
		if ((size_t)manual != pass)
			continue;
		hooks++;
		if (!yis_map(hook))
			return err_set(e, m->file, yline(hook), "'%s' is not a mapping", key);
		if (collect(m, hook, &cmds, &n, &jobnames, e) != 0) {
			strlist_release(&jobnames);
			return -1;
		}
		piped = ybool(ymap_get(d, hook, "piped")) == 1;
		parallel = ybool(ymap_get(d, hook, "parallel")) == 1;
		if (!manual)
			mig_strategy(m, key, key);
		if (manual) {
			/* Its hooks say why they are commented out. */
		} else if (!parallel && !piped)
			buf_adds(&m->strategies,
				 "# lefthook ran these one at a time (parallel: false); delete\n"
				 "# the next line to run them in parallel\n"
				 "schedule = sequential\n");
		if (!manual && ymap_get(d, hook, "setup") != NULL)
			buf_printf(&m->strategies,
				   "# lefthook's setup commands (line %lu) are not carried over\n",
				   yline(ymap_get(d, hook, "setup")));
		if (!manual && ymap_get(d, hook, "files") != NULL)
			buf_printf(&m->strategies,
				   "# lefthook's files: command (line %lu) is not carried over\n",
				   yline(ymap_get(d, hook, "files")));
		if (!manual && (ymap_get(d, hook, "exclude_tags") != NULL ||
				ymap_get(d, hook, "skip") != NULL ||
				ymap_get(d, hook, "only") != NULL))
			buf_adds(&m->strategies,
				 "# lefthook's skip, only and exclude_tags are not carried over\n");
		{
			char *prev = NULL;

			for (j = 0; j < n; j++) {
				unsigned before = m->converted;

				one_command(m, key, &cmds[j],
					    piped || cmds[j].chained ? prev : NULL,
					    manual);
				if (m->converted > before) {
					free(prev);
					prev = xstrdup(m->names.v[m->names.n - 1]);
				}
			}
			free(prev);
		}
		free(cmds);
		strlist_release(&jobnames);
	}
	if (hooks == 0)
		return err_set(e, m->file, yline(root), "not a lefthook config: no git hook key");
	return 0;
}
