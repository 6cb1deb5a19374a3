/*
 * migrate_precommit.c - a .pre-commit-config.yaml as hookwave.ini; see
 * migrate.h and MIGRATING in hookwave(1).
 */
#include "migrate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filetype.h"
#include "pyregex.h"

/*
 * Hooks of well-known repositories, as their manifests
 * (.pre-commit-hooks.yaml) define them: the command their tool is run
 * with once installed, and the defaults a config's keys override.
 */
struct known {
	const char *id;
	const char *entry;
	const char *args;       /* default args, blank-separated, or NULL */
	const char *types;      /* hookwave `types`, or NULL for every file */
	const char *files;      /* files_regex, or NULL */
	int serial, modifies;
	const char *from;       /* how to install it */
};

static const struct known known_hooks[] = {
	{ "black", "black", NULL, "python pyi", NULL, 1, 1, "Debian package black" },
	{ "ruff", "ruff check --force-exclude", NULL, "python pyi", NULL, 0, 0, "pip install ruff" },
	{ "ruff-check", "ruff check --force-exclude", NULL, "python pyi", NULL, 0, 0, "pip install ruff" },
	{ "ruff-format", "ruff format --force-exclude", NULL, "python pyi", NULL, 0, 1, "pip install ruff" },
	{ "flake8", "flake8", NULL, "python", NULL, 1, 0, "Debian package flake8" },
	{ "isort", "isort", "--filter-files", "python pyi", NULL, 1, 1, "Debian package isort" },
	{ "mypy", "mypy", "--ignore-missing-imports --scripts-are-modules", "python pyi", NULL, 1, 0, "Debian package mypy" },
	{ "pylint", "pylint", NULL, "python", NULL, 1, 0, "Debian package pylint" },
	{ "bandit", "bandit", NULL, "python", NULL, 1, 0, "Debian package bandit" },
	{ "codespell", "codespell", NULL, "text", NULL, 0, 0, "Debian package codespell" },
	{ "yamllint", "yamllint", NULL, "file+yaml", NULL, 0, 0, "Debian package yamllint" },
	{ "shellcheck", "shellcheck", NULL, "shell", NULL, 1, 0, "Debian package shellcheck" },
	{ "prettier", "prettier --write --ignore-unknown", NULL, "text", NULL, 0, 1, "npm install prettier" },
	{ "eslint", "eslint", NULL, NULL, "\\.[jt]sx?$", 0, 0, "npm install eslint" },
	{ "trailing-whitespace", "trailing-whitespace-fixer", NULL, "text", NULL, 0, 1, "pip install pre-commit-hooks" },
	{ "end-of-file-fixer", "end-of-file-fixer", NULL, "text", NULL, 0, 1, "pip install pre-commit-hooks" },
	{ "mixed-line-ending", "mixed-line-ending", NULL, "text", NULL, 0, 1, "pip install pre-commit-hooks" },
	{ "check-yaml", "check-yaml", NULL, "yaml", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-json", "check-json", NULL, "json", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-toml", "check-toml", NULL, "toml", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-ast", "check-ast", NULL, "python", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-added-large-files", "check-added-large-files", NULL, NULL, NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-merge-conflict", "check-merge-conflict", NULL, "text", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-case-conflict", "check-case-conflict", NULL, NULL, NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "check-executables-have-shebangs", "check-executables-have-shebangs", NULL, "text+executable", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "debug-statements", "debug-statement-hook", NULL, "python", NULL, 0, 0, "pip install pre-commit-hooks" },
	{ "detect-private-key", "detect-private-key", NULL, "text", NULL, 0, 0, "pip install pre-commit-hooks" },
};


static const struct known *
find_known(const char *id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_hooks); i++)
		if (strcmp(known_hooks[i].id, id) == 0)
			return &known_hooks[i];
	return NULL;
}

static int
tag_known(const char *t)
{
	return filetype_tag(t) != 0;
}

/* pre-commit's stage names as git hook names; NULL for manual or unknown. */
static const char *
stage_hook(const char *s)
{
	static const char *const hooks[] = {
		"pre-commit", "pre-push", "commit-msg", "prepare-commit-msg",
		"post-checkout", "post-commit", "post-merge", "post-rewrite",
		"pre-merge-commit", "pre-rebase",
	};
	size_t i;

	if (strcmp(s, "commit") == 0)
		return "pre-commit";
	if (strcmp(s, "push") == 0)
		return "pre-push";
	if (strcmp(s, "merge-commit") == 0)
		return "pre-merge-commit";
	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (strcmp(s, hooks[i]) == 0)
			return hooks[i];
	return NULL;
}

/* Python's shlex.split (POSIX mode) of `s` onto `out`; -1 on an open quote. */
static int
shlex_split(const char *s, struct strlist *out)
{
	struct buf w = { 0 };
	int in = 0;

	for (;;) {
		char c = *s;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in)
				strlist_push(out, w.len > 0 ? w.p : "");
			buf_reset(&w);
			in = 0;
			if (c == '\0')
				break;
			s++;
			continue;
		}
		in = 1;
		if (c == '\\') {
			if (s[1] == '\0')
				break;
			buf_add(&w, s + 1, 1);
			s += 2;
		} else if (c == '\'') {
			const char *q = strchr(s + 1, '\'');

			if (q == NULL) {
				buf_release(&w);
				return -1;
			}
			buf_add(&w, s + 1, (size_t)(q - s - 1));
			s = q + 1;
		} else if (c == '"') {
			s++;
			while (*s != '"') {
				if (*s == '\0') {
					buf_release(&w);
					return -1;
				}
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				buf_add(&w, s, 1);
				s++;
			}
			s++;
		} else {
			buf_add(&w, s, 1);
			s++;
		}
	}
	buf_release(&w);
	return 0;
}

/* What a hook of the config says, over its manifest's defaults. */
struct pc_hook {
	const char *id, *repo, *rev;
	const struct known *k;
	yaml_node_t *node;
};

static char *
join(const struct strlist *l, const char *sep)
{
	struct buf b = { 0 };
	size_t i;
	char *out;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_adds(&b, sep);
		buf_adds(&b, l->v[i]);
	}
	out = xstrdup(b.len > 0 ? b.p : "");
	buf_release(&b);
	return out;
}

/* Regex for hookwave.ini: " ;" cannot stand in a value, "[ ];" can. */
static char *
ere_for_ini(char *ere)
{
	struct buf b = { 0 };
	const char *p;
	char *out;

	for (p = ere; *p != '\0'; p++) {
		if ((*p == ' ' || *p == '\t') &&
		    (p[1] == ';' || p == ere || p[1] == '\0'))
			buf_printf(&b, "[%c]", *p);
		else
			buf_add(&b, p, 1);
	}
	out = xstrdup(b.p);
	buf_release(&b);
	free(ere);
	return out;
}

static void
regex_key(struct mhook *h, const char *key, const char *what, const char *py)
{
	char why[256];
	char *ere = pyregex_to_ere(py, why, sizeof(why));

	if (ere == NULL) {
		mig_refuse(h, "%s '%s': %s", what, py, why);
		return;
	}
	ere = ere_for_ini(ere);
	mig_key(h, key, ere);
	free(ere);
}

/* types + types_or as hookwave's `types` ("a+b+c a+b+d"). */
static void
types_key(struct mig *m, struct mhook *h, yaml_node_t *hk,
	  const struct known *k)
{
	yaml_node_t *tn = ymap_get(m->d, hk, "types");
	yaml_node_t *on = ymap_get(m->d, hk, "types_or");
	yaml_node_t *xn = ymap_get(m->d, hk, "exclude_types");
	struct strlist all = { 0 }, any = { 0 }, ex = { 0 }, alts = { 0 };
	char *and_part, *v;
	size_t i;

	if (yscalars(m->d, tn, &all) != 0 || yscalars(m->d, on, &any) != 0 ||
	    yscalars(m->d, xn, &ex) != 0) {
		mig_refuse(h, "types, types_or and exclude_types must be lists of tags");
		goto out;
	}
	if (tn == NULL && on == NULL) {
		if (k != NULL && k->types != NULL)
			mig_key(h, "types", k->types);
		goto excl;
	}
	/* "file" is every file: it adds nothing to another tag. */
	for (i = 0; i < all.n; i++) {
		if (!tag_known(all.v[i])) {
			mig_refuse(h, "hookwave has no file type '%s'", all.v[i]);
			goto out;
		}
	}
	if (all.n > 1 && strlist_has(&all, "file")) {
		struct strlist t = { 0 };

		for (i = 0; i < all.n; i++)
			if (strcmp(all.v[i], "file") != 0)
				strlist_push(&t, all.v[i]);
		strlist_release(&all);
		all = t;
	}
	and_part = join(&all, "+");
	for (i = 0; i < any.n; i++) {
		if (!tag_known(any.v[i])) {
			mig_note(h, "types_or '%s' dropped: hookwave has no such type",
				 any.v[i]);
			continue;
		}
		strlist_push_owned(&alts, *and_part != '\0' ?
				   xasprintf("%s+%s", and_part, any.v[i]) :
				   xstrdup(any.v[i]));
	}
	if (any.n > 0 && alts.n == 0)
		mig_refuse(h, "none of its types_or is a type hookwave has");
	else if (alts.n == 0 && *and_part != '\0' && strcmp(and_part, "file") != 0)
		mig_key(h, "types", and_part);
	else if (alts.n > 0) {
		v = join(&alts, " ");
		mig_key(h, "types", v);
		free(v);
	}
	free(and_part);
excl:
	for (i = 0; i < ex.n; i++) {
		if (!tag_known(ex.v[i])) {
			mig_refuse(h, "hookwave has no file type '%s'", ex.v[i]);
			goto out;
		}
	}
	if (ex.n > 0) {
		v = join(&ex, " ");
		mig_key(h, "exclude_types", v);
		free(v);
	}
out:
	strlist_release(&all);
	strlist_release(&any);
	strlist_release(&ex);
	strlist_release(&alts);
}

/* The command: entry's words, then args, by language. */
static void
command_key(struct mig *m, struct mhook *h, yaml_node_t *hk,
	    const struct known *k, const char *language)
{
	yaml_node_t *en = ymap_get(m->d, hk, "entry");
	yaml_node_t *an = ymap_get(m->d, hk, "args");
	const char *entry = yscalar(en);
	struct strlist words = { 0 }, args = { 0 };
	char *cmd = NULL, *q;

	if (entry == NULL && k != NULL)
		entry = k->entry;
	if (entry == NULL) {
		mig_refuse(h, "no entry");
		return;
	}
	if (an != NULL) {
		if (yscalars(m->d, an, &args) != 0) {
			mig_refuse(h, "args must be a list of strings");
			goto out;
		}
	} else if (k != NULL && k->args != NULL) {
		shlex_split(k->args, &args);
	}
	if (strcmp(language, "fail") == 0) {
		q = migrate_sh_quote(entry);
		if (q == NULL) {
			mig_refuse(h, "its message holds a newline");
			goto out;
		}
		cmd = xasprintf("hookwave_fail() { printf '%%s\\n' %s \"$@\"; return 1; }; hookwave_fail",
				q);
		free(q);
	} else if (strcmp(language, "pygrep") == 0) {
		char why[256];
		char *ere = pyregex_to_ere(entry, why, sizeof(why));
		int icase = 0;
		size_t i;

		for (i = 0; i < args.n; i++) {
			if (strcmp(args.v[i], "-i") == 0 ||
			    strcmp(args.v[i], "--ignore-case") == 0)
				icase = 1;
			else
				mig_refuse(h, "pygrep option '%s' has no grep form", args.v[i]);
		}
		if (ere == NULL) {
			mig_refuse(h, "pygrep pattern: %s", why);
			goto out;
		}
		q = migrate_sh_quote(ere);
		free(ere);
		cmd = xasprintf("hookwave_pygrep() { grep -HnE%s -e %s \"$@\"; test $? -eq 1; }; hookwave_pygrep",
				icase ? "i" : "", q);
		free(q);
	} else {
		if (shlex_split(entry, &words) != 0) {
			mig_refuse(h, "its entry has an unclosed quote");
			goto out;
		}
		if (words.n == 0) {
			mig_refuse(h, "an empty entry");
			goto out;
		}
		for (size_t i = 0; i < args.n; i++)
			strlist_push(&words, args.v[i]);
		cmd = mig_sh_join(words.v, words.n);
		if (cmd == NULL) {
			mig_refuse(h, "an argument holds a newline");
			goto out;
		}
	}
	mig_key(h, "command", cmd);
out:
	free(cmd);
	strlist_release(&words);
	strlist_release(&args);
}

static const char *
scalar_or(const yaml_node_t *n, const char *dflt)
{
	const char *s = yscalar(n);

	return s != NULL ? s : dflt;
}

/* Has the hook a line "KEY = ..." yet? */
static int
has_key(const struct mhook *h, const char *key)
{
	size_t k = strlen(key);
	const char *p = h->keys.p;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, k) == 0 && p[k] == ' ')
			return 1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

/* The keys a pre-commit hook may have; others are noted, not carried. */
static const char *const hook_keys[] = {
	"id", "name", "entry", "language", "files", "exclude", "types",
	"types_or", "exclude_types", "args", "stages", "additional_dependencies",
	"always_run", "pass_filenames", "require_serial", "fail_fast", "verbose",
	"log_file", "description", "language_version",
	"minimum_pre_commit_version", "alias", "<<",
};

static void
note_unknown_keys(struct mig *m, struct mhook *h, yaml_node_t *hk)
{
	size_t i, k;

	for (i = 0; i < ymap_len(hk); i++) {
		yaml_node_t *kn = ymap_key(m->d, hk, i);
		const char *key = yscalar(kn);

		for (k = 0; key != NULL && k < ARRAY_SIZE(hook_keys); k++)
			if (strcmp(key, hook_keys[k]) == 0)
				break;
		if (key == NULL || k == ARRAY_SIZE(hook_keys))
			mig_note(h, "unknown key '%s' (line %lu) not carried over",
				 key != NULL ? key : "?", yline(kn));
	}
}

/* One section for hook `hk` in strategy `strategy` (NULL: default). */
static void
one_hook(struct mig *m, struct pc_hook *p, const char *strategy,
	 const char *global_exclude, const char *global_files)
{
	yaml_node_t *hk = p->node;
	const struct known *k = p->k;
	const char *language = scalar_or(ymap_get(m->d, hk, "language"),
					 k != NULL ? "python" : "system");
	const char *files = yscalar(ymap_get(m->d, hk, "files"));
	const char *exclude = yscalar(ymap_get(m->d, hk, "exclude"));
	yaml_node_t *deps = ymap_get(m->d, hk, "additional_dependencies");
	struct mhook h;
	int b;

	mig_hook_begin(m, &h, p->id);
	if (p->repo != NULL && strcmp(p->repo, "local") != 0)
		mig_note(&h, "from %s%s%s%s%s", p->repo, p->rev != NULL ? " " : "",
			 p->rev != NULL ? p->rev : "", k != NULL ? ": " : "",
			 k != NULL ? k->from : "");
	if (strcmp(language, "docker") == 0 || strcmp(language, "docker_image") == 0)
		mig_refuse(&h, "language %s: hookwave runs installed tools; install it, then set command",
			   language);
	else if (k == NULL && p->repo != NULL && strcmp(p->repo, "local") != 0)
		mig_refuse(&h, "a hook of %s: install the tool, then set command",
			   p->repo);
	else if (strcmp(language, "system") != 0 && strcmp(language, "script") != 0 &&
		 strcmp(language, "fail") != 0 && strcmp(language, "pygrep") != 0 &&
		 k == NULL)
		mig_note(&h, "language %s: the tool must be installed, on PATH", language);
	if (yseq_len(deps) > 0)
		mig_note(&h, "additional_dependencies: install them with the tool");
	note_unknown_keys(m, &h, hk);
	if (strategy != NULL)
		mig_key(&h, "strategy", strategy);
	command_key(m, &h, hk, k, language);
	if (files != NULL && *files != '\0')
		regex_key(&h, "files_regex", "files", files);
	else if (k != NULL && k->files != NULL)
		mig_key(&h, "files_regex", k->files);
	else if (global_files != NULL)
		regex_key(&h, "files_regex", "the top-level files", global_files);
	if (files != NULL && *files != '\0' && global_files != NULL)
		mig_note(&h, "the top-level files regex '%s' also applies in pre-commit: merge it by hand",
			 global_files);
	if (exclude != NULL && *exclude != '\0' && strcmp(exclude, "^$") != 0 &&
	    global_exclude != NULL) {
		char *both = xasprintf("(%s)|(%s)", global_exclude, exclude);

		regex_key(&h, "exclude_regex", "exclude", both);
		free(both);
	} else if (exclude != NULL && *exclude != '\0' && strcmp(exclude, "^$") != 0) {
		regex_key(&h, "exclude_regex", "exclude", exclude);
	} else if (global_exclude != NULL) {
		regex_key(&h, "exclude_regex", "the top-level exclude", global_exclude);
	}
	types_key(m, &h, hk, k);
	/* pre-commit gives a hook every file unless told otherwise. */
	if (!has_key(&h, "files_regex") && !has_key(&h, "types"))
		mig_key(&h, "types", "file");
	if (ybool(ymap_get(m->d, hk, "pass_filenames")) == 0)
		mig_key(&h, "pass_files", "no");
	if (ybool(ymap_get(m->d, hk, "always_run")) == 1)
		mig_key(&h, "always_run", "yes");
	b = ybool(ymap_get(m->d, hk, "require_serial"));
	if (b == 1 || (b == -1 && k != NULL && k->serial))
		mig_key(&h, "serial", "yes");
	if (ybool(ymap_get(m->d, hk, "fail_fast")) == 1)
		mig_key(&h, "critical", "yes");
	if (k != NULL && k->modifies)
		mig_key(&h, "modifies", "yes");
	mig_hook_end(m, &h);
}

static void
add_hook(struct mig *m, struct pc_hook *p, const struct strlist *default_stages,
	 const char *global_exclude, const char *global_files)
{
	struct strlist stages = { 0 };
	yaml_node_t *sn = ymap_get(m->d, p->node, "stages");
	size_t i, n = 0;

	if (sn != NULL && yscalars(m->d, sn, &stages) != 0) {
		struct mhook h;

		mig_hook_begin(m, &h, p->id);
		mig_refuse(&h, "stages must be a list (line %lu)", yline(sn));
		mig_hook_end(m, &h);
		strlist_release(&stages);
		return;
	}
	if (sn == NULL)
		for (i = 0; i < default_stages->n; i++)
			strlist_push(&stages, default_stages->v[i]);
	for (i = 0; i < stages.n; i++) {
		const char *gh = stage_hook(stages.v[i]);

		if (gh == NULL) {
			struct mhook h;

			mig_hook_begin(m, &h, p->id);
			mig_refuse(&h, "stage '%s' is not a git hook: run it by hand", stages.v[i]);
			mig_hook_end(m, &h);
			n++;
			continue;
		}
		mig_strategy(m, gh, gh);
		one_hook(m, p, gh, global_exclude, global_files);
		n++;
	}
	if (n == 0)
		one_hook(m, p, NULL, global_exclude, global_files);
	strlist_release(&stages);
}

int
migrate_precommit(struct mig *m, yaml_node_t *root, struct err *e)
{
	struct ydoc *d = m->d;
	yaml_node_t *repos = ymap_get(d, root, "repos");
	const char *global_exclude = yscalar(ymap_get(d, root, "exclude"));
	const char *global_files = yscalar(ymap_get(d, root, "files"));
	struct strlist default_stages = { 0 };
	size_t i, j;

	if (!yis_seq(repos))
		return err_set(e, m->file, yline(repos != NULL ? repos : root),
			       "not a pre-commit config: 'repos' is not a list");
	if (yscalars(d, ymap_get(d, root, "default_stages"), &default_stages) != 0) {
		strlist_release(&default_stages);
		return err_set(e, m->file, yline(ymap_get(d, root, "default_stages")),
			       "default_stages is not a list");
	}
	if (global_exclude != NULL && (*global_exclude == '\0' ||
				       strcmp(global_exclude, "^$") == 0))
		global_exclude = NULL;
	if (global_files != NULL && *global_files == '\0')
		global_files = NULL;
	if (ybool(ymap_get(d, root, "fail_fast")) == 1)
		buf_adds(&m->head, "\n[settings]\nfail_fast = yes\n");
	for (i = 0; i < yseq_len(repos); i++) {
		yaml_node_t *r = yseq_at(d, repos, i);
		const char *repo = yscalar(ymap_get(d, r, "repo"));
		yaml_node_t *hooks = ymap_get(d, r, "hooks");

		if (!yis_map(r) || repo == NULL)
			return err_set(e, m->file, yline(r),
				       "a repository without 'repo:'");
		if (!yis_seq(hooks))
			return err_set(e, m->file, yline(hooks != NULL ? hooks : r),
				       "'hooks' of %s is not a list", repo);
		for (j = 0; j < yseq_len(hooks); j++) {
			yaml_node_t *hk = yseq_at(d, hooks, j);
			struct pc_hook p = { 0 };

			p.id = yscalar(ymap_get(d, hk, "id"));
			if (!yis_map(hk) || p.id == NULL)
				return err_set(e, m->file, yline(hk), "a hook without 'id:'");
			p.repo = repo;
			p.rev = yscalar(ymap_get(d, r, "rev"));
			p.node = hk;
			if (strcmp(repo, "meta") == 0) {
				struct mhook h;

				mig_hook_begin(m, &h, p.id);
				mig_refuse(&h, "a meta hook checks pre-commit's own config");
				mig_hook_end(m, &h);
				continue;
			}
			if (strcmp(repo, "local") != 0)
				p.k = find_known(p.id);
			add_hook(m, &p, &default_stages, global_exclude, global_files);
		}
	}
	strlist_release(&default_stages);
	return 0;
}
