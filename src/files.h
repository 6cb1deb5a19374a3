/*
 * files.h - the files tier: which files a run sees, which of them a
 * hook gets, and how they are split into batches that each fit in one
 * execve(2).
 *
 * Listing happens once per run, in the run directory (the current
 * directory): in a git work tree (gitdir.h says whether it is one)
 * `git ls-files -z` (tracked files, under the current directory,
 * relative to it), `--staged` the files added,
 * copied, modified or renamed in the index against HEAD (or against the
 * empty tree when there is no commit yet), `--all-files` (and outside
 * git) a walk of the directory without `.git`, never following
 * symlinks to directories; or an explicit list from a file or stdin,
 * newline- or NUL-separated. git is spawned like any child: no shell,
 * stdin /dev/null, no fd leaked.
 *
 * Paths are relative to the run directory with no "./" in front and
 * may hold any byte but NUL. Nothing here prints or exits.
 */
#ifndef HOOKWAVE_FILES_H
#define HOOKWAVE_FILES_H

#include <stddef.h>

#include "util.h"

enum files_source {
	FILES_SOURCE_DEFAULT,   /* git ls-files in a work tree, else a walk */
	FILES_SOURCE_ALL,       /* walk */
	FILES_SOURCE_STAGED,    /* git diff --cached; error outside git */
	FILES_SOURCE_LIST,      /* read from a file ("-" = stdin) */
	/* Listed by the git workflow (githook.h, gitrange.h), not here: */
	FILES_SOURCE_RANGE,     /* --from-ref/--to-ref */
	FILES_SOURCE_CHANGED,   /* --changed */
	FILES_SOURCE_PUSH,      /* pre-push: the ref lines on stdin */
	FILES_SOURCE_MESSAGE    /* commit-msg: the message file, to every hook */
};

struct file_list {
	char **v;               /* owned paths, in listing order, no duplicates */
	long long *size;        /* NULL, or per path: its size in bytes when
				   the listing saw it (a regular file), else -1 */
	size_t n;
};

struct gitdir;

/*
 * Fill `fl` with the files of the run directory (the current
 * directory). Whether it is in a git work tree is what `g` says: the
 * run's gitdir_discover() (gitdir.h), made once and shared with the
 * other modules that ask; NULL asks git here (one more process). A `g`
 * in GITDIR_ERROR fails the sources that need git with its message.
 * `list_path` and `nul_sep` go with FILES_SOURCE_LIST. Returns 0, or
 * -1 with `e` filled in (e.g. "--staged: not in a git work tree", git
 * failing, an unreadable list). `fl` must be released either way.
 */
int files_list_in(struct file_list *fl, const struct gitdir *g,
		  enum files_source src, const char *list_path, int nul_sep,
		  struct err *e);

/*
 * The git listing of a run, started ahead: while the caller asks gitdir
 * where it is (one git process), `git ls-files` (or, for --staged, `git
 * diff --cached`) already runs in a thread of its own. Whether its
 * answer is used is still gitdir's to say: files_list_prefetched() takes
 * it only for a work tree, and drops it otherwise. Either way the thread
 * is joined there (or by files_prefetch_drop), so no thread is left
 * behind when the run starts. A source that needs no git starts nothing.
 */
struct files_prefetch {
	int started;            /* a thread runs (or ran) git */
	enum files_source src;
	void *job;              /* private: the thread and what git said */
};

/* Start git for `src` in a thread, if `src` lists with git. */
void files_prefetch_start(struct files_prefetch *pf, enum files_source src);

/* files_list_in(), using what `pf` (may be NULL) got ahead where it fits. */
int files_list_prefetched(struct file_list *fl, const struct gitdir *g,
			  enum files_source src, const char *list_path,
			  int nul_sep, struct files_prefetch *pf,
			  struct err *e);

/* Join and forget a prefetch that was not used. Safe to call twice. */
void files_prefetch_drop(struct files_prefetch *pf);

/*
 * Fill `fl` from the NUL-separated paths in paths[0..len) (relative to
 * the current directory; the last may lack its NUL), keeping the first
 * of each and only those a listing keeps (files.c: regular files and
 * symlinks to them; nothing that does not exist, so a deleted file is
 * never passed). For the other git listings (gitrange.h). Returns 0;
 * `fl` must be released.
 */
int files_from_nul(struct file_list *fl, const char *paths, size_t len);

/* files_list_in() with `g` NULL. */
int files_list(struct file_list *fl, enum files_source src,
	       const char *list_path, int nul_sep, struct err *e);

void file_list_release(struct file_list *fl);

/*
 * Whether `path` matches one of `patterns` (hookwave.ini(5), files): a pattern
 * without '/' matches the base name at any depth; a pattern with '/'
 * matches the whole relative path with FNM_PATHNAME, where a "**"
 * segment matches zero or more directories. A leading dot is not
 * special. Thread-safe, allocation-free.
 */
int files_match_any(const char *path, char *const *patterns, size_t n);

/*
 * Indices into `fl` of the files matching `files` and none of `exclude`,
 * in list order, as a malloc'd array of *n (NULL when none).
 */
size_t *files_select(const struct file_list *fl, char *const *files,
		     size_t nfiles, char *const *exclude, size_t nexclude,
		     size_t *n);

/*
 * Bytes that the arguments of one batch may take, given the environment
 * the hook will get (`envp`, NULL-terminated) and the fixed arguments
 * before the files (`fixed`, NULL-terminated): like xargs, ARG_MAX less
 * the environment, the fixed arguments, their pointers and a headroom
 * of 2048 bytes. Each file costs strlen + 1 + sizeof(char *).
 */
size_t files_arg_budget(char *const *envp, char *const *fixed);

/*
 * The batches of one hook: batch i holds files[i][0 .. count[i])
 * (borrowed pointers into the file list), NULL-terminated, with each
 * file's cost in cost[i][] and their sum in total[i]. Batches come
 * costliest first, so the one that takes longest starts first; inside
 * a batch the files keep their list order. seconds[i] is the caller's
 * to fill in (predicted seconds, 0 when unknown); it starts at 0.
 */
struct batches {
	size_t n;
	char ***files;          /* n arrays, each NULL-terminated */
	size_t *count;
	double **cost;          /* n arrays of count[i] */
	double *total;
	double *seconds;
};

/*
 * Split the selected files (`idx`, `nidx`, into `fl`) into batches.
 * `cost` gives each selected file's predicted cost (> 0; any unit), or
 * is NULL to weigh each by its argument bytes.
 *
 * With `batch_size` 0: into at least `want` batches (want >= 1; fewer
 * if there are fewer files), packed longest processing time first: the
 * files costliest first, each into the cheapest batch with room for its
 * argument bytes. When the budget forces more batches than cutting the
 * list in order would take, the list is cut in order instead (balanced
 * by bytes). With `batch_size` N: the list cut in order into batches
 * of at most N files.
 *
 * Either way no batch exceeds `budget` argument bytes unless a single
 * file alone does (it then goes alone, and execve will report E2BIG
 * for it). Every selected file lands in exactly one batch, exactly
 * once. Deterministic; thread-safe on distinct `b`.
 */
void files_batch(struct batches *b, const struct file_list *fl,
		 const size_t *idx, size_t nidx, const double *cost,
		 size_t batch_size, size_t want, size_t budget);

void batches_release(struct batches *b);

/*
 * The batches of every hook of a run, indexed by the hook's place in
 * the plan. Owned; zero-initialised is empty.
 */
struct run_batches {
	size_t n;               /* hooks */
	struct batches *of;     /* per hook; n == 0 for a hook without files */
	size_t *nbatches;       /* per hook: processes to start: 1 for a hook
				   without patterns, 0 when they matched nothing */
	size_t *nfiles;         /* per hook: files passed */
	double **seconds;       /* per hook: of[i].seconds (borrowed) */
};

/* Room for n hooks, every count 0. */
void run_batches_init(struct run_batches *rb, size_t n);

/* Point seconds[i] at of[i].seconds, once `of` is filled in. */
void run_batches_link(struct run_batches *rb);

void run_batches_release(struct run_batches *rb);

#endif
