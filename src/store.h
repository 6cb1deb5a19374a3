/*
 * store.h - hookwave's state store: one SQLite database per repository
 * that outlives a run. It holds the duration history (history.h) and
 * the last results of each hook (for --failed and `hookwave history`),
 * and the result cache: which hooks passed on which content.
 *
 * Where: GITDIR/hookwave/state.sqlite (GITDIR as gitdir.h says: this
 * work tree's own git directory, a bare repository's, GIT_DIR from a
 * git hook); outside git $XDG_CACHE_HOME/hookwave/state-HASH.sqlite
 * (or ~/.cache/hookwave), HASH naming the run directory. Rows are
 * keyed by the run directory too (its path in the work tree, else the
 * absolute path): each directory has its own hookwave.ini and hooks.
 *
 * The schema has a version (PRAGMA user_version, STORE_VERSION); a
 * later one adds its tables by a step from the one before. Every read
 * is one transaction (no torn read); every write one IMMEDIATE
 * transaction (no lost update); a store another run is writing is
 * waited for (a busy timeout of STORE_WAIT_MS), never failed on. It is
 * written through a write-ahead log (synchronous = NORMAL: a commit is
 * one append; a power cut may lose the last runs' rows, not the
 * database), cut back to 1 MiB after checkpoints; where the file system
 * cannot share the log's index the rollback journal stays.
 *
 * A damaged store (not a database, another schema version, pages that
 * PRAGMA quick_check finds corrupt, or SQLITE_CORRUPT / SQLITE_NOTADB
 * from any statement) is set aside (atomic_file_set_aside: renamed to
 * state.sqlite.damaged-TIMESTAMP, its journal or log with it), the
 * `warn` callback says so, and a new empty store takes its place: the
 * run goes on as if it had been empty. quick_check reads every page:
 * it runs on every open of a store of at most 128 KiB, and on one open
 * in 8 of a larger one (the pages a run reads SQLite checks as it reads).
 *
 * Bounded: after a write, while the database's pages in use exceed the
 * store's size (cache_size bytes, less room for the log when it is over
 * 4 MiB), the oldest rows go first (by the time a run last saw them),
 * and freed pages go back to the file system (auto_vacuum =
 * incremental). A store never ends a write larger than its size, unless
 * its empty schema alone is.
 *
 * Every statement is prepared once per store (on first use) and kept;
 * values are always bound, never written into SQL. Not thread-safe:
 * one thread (the main one) uses a store.
 */
#ifndef HOOKWAVE_STORE_H
#define HOOKWAVE_STORE_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

#define STORE_VERSION 3         /* PRAGMA user_version of this schema */
#define STORE_WAIT_MS 60000     /* how long a run waits for another's
				   write before it gives up on the store */
#define STORE_SIZE_DEFAULT 67108864LL   /* cache_size's default */
#define STORE_KEEP_RUNS 100     /* results kept per hook */

struct store;
struct gitdir;

/* Told when the store was damaged and set aside (a warning). */
typedef void (*store_warn_fn)(void *ctx, const struct err *e);

/*
 * The store for the run directory (the current directory), malloc'd,
 * as above; NULL when there is nowhere to keep one (no cache directory
 * outside git, `g` in GITDIR_ERROR). *dir gets the run directory's key
 * (malloc'd). Makes nothing.
 */
char *store_path_for(const struct gitdir *g, char **dir);

/*
 * Open the store at `path`, making it (and its directory: one mkdir in
 * an existing git directory; the missing ones under the cache
 * directory) if missing, and check it (damaged: set aside, `warn`
 * told, and a new one made). `size` bounds it (bytes; <= 0: the
 * default). Returns NULL with `e` set when it cannot be opened or made
 * at all (no permission, no directory): the run then goes without.
 */
struct store *store_open(const char *path, long long size,
			 store_warn_fn warn, void *warn_ctx, struct err *e);

/* Close (a transaction still open is rolled back). NULL is fine. */
void store_close(struct store *st);

/* Where it is (borrowed). */
const char *store_path(const struct store *st);

/*
 * Transactions: store_begin (write 0: a read, 1: an IMMEDIATE write,
 * which waits for other writers), then the calls below, then
 * store_commit (a write is first brought within the size) or
 * store_rollback. Every call below returns 0, or -1 with `e` set; when
 * the store was found damaged on the way it has been set aside and
 * replaced by an empty one (store_was_reset says so), the transaction
 * is gone, and the caller may start again.
 */
int store_begin(struct store *st, int write, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);

/* How many times the store was set aside and made new since opened. */
unsigned store_resets(const struct store *st);

/* --- durations (history.c) --------------------------------------------- */

struct store_duration {
	const char *strategy, *hook;    /* the hook's history key */
	const char *seconds;            /* "d1,d2,...", oldest first; may
					   be "" (a rate only) */
	double rate, startup;           /* 0: none */
	long long seen;                 /* when a run last saw it (ms
					   since the epoch) */
};

struct store_factor {
	const char *strategy, *hook;
	const char *path;               /* as the hook got it (any byte but NUL) */
	double factor;
	long long seen;
};

/* A row read; return 0 to go on, non-zero to stop (returned). */
typedef int (*store_duration_fn)(void *ctx, const struct store_duration *d);
typedef int (*store_factor_fn)(void *ctx, const struct store_factor *f);

/*
 * The durations, then the factors, of run directory `dir`, each most
 * recently seen first. Either callback may be NULL. Returns 0, -1 with
 * `e`, or what a callback returned.
 */
int store_durations_read(struct store *st, const char *dir,
			 store_duration_fn dfn, store_factor_fn ffn,
			 void *ctx, struct err *e);

/* Whether `dir` has any durations: 1, 0, or -1 with `e`. */
int store_durations_any(struct store *st, const char *dir, struct err *e);

/* Forget every duration and factor of `dir` (in a write). */
int store_durations_clear(struct store *st, const char *dir,
			  struct err *e);

/* Add one (in a write, after store_durations_clear). */
int store_duration_put(struct store *st, const char *dir,
		       const struct store_duration *d, struct err *e);
int store_factor_put(struct store *st, const char *dir,
		     const struct store_factor *f, struct err *e);

/* --- results ----------------------------------------------------------- */

struct store_result {
	const char *strategy, *hook;    /* history key, as durations */
	const char *name;               /* the hook's name */
	const char *status;             /* hook_status_name() */
	const char *reason;             /* NULL: none */
	double start;                   /* when it started (or would have),
					   seconds since the epoch, UTC */
	double duration;                /* seconds; < 0: it did not run */
	const char *files;              /* NUL-terminated paths one after
					   another (run-relative), or NULL */
	size_t files_len;               /* bytes of `files`, NULs included */
};

typedef int (*store_result_fn)(void *ctx, const struct store_result *r);

/*
 * Record one result of run directory `dir` (in a write); the hook's
 * older results beyond its last STORE_KEEP_RUNS go.
 */
int store_result_add(struct store *st, const char *dir,
		     const struct store_result *r, struct err *e);

/*
 * Every result of `dir`, by hook (strategy, then key) and, for each,
 * oldest first; or with `last_only`, only each hook's last. The
 * struct's strings are valid during the call. Returns 0, -1 with `e`,
 * or what `fn` returned.
 */
int store_results_read(struct store *st, const char *dir, int last_only,
		       store_result_fn fn, void *ctx, struct err *e);

/* --- the result cache (hookwave(1), CACHE) ------------------------------ */

#define STORE_KEY_LEN 32        /* bytes of a cache key (a SHA-256) */

/*
 * Whether whole-set key `key` (STORE_KEY_LEN bytes) is remembered as
 * passed: 1, 0, or -1 with `e`. In any transaction.
 */
int store_cache_whole_has(struct store *st, const unsigned char *key,
			  struct err *e);

/*
 * The snapshot of files remembered under hook key `key` (a `files`
 * hook): its key into `snap` (STORE_KEY_LEN bytes). 1, 0 (none), or -1
 * with `e`.
 */
int store_cache_snap_of(struct store *st, const unsigned char *key,
			unsigned char *snap, struct err *e);

/*
 * The body of snapshot `snap` appended to `body`: 1, 0 (none), or -1
 * with `e`. A body is "path\0id\0" for each file, in path order, or a
 * delta: STORE_SNAP_DELTA_TAG, the key of its base snapshot
 * (STORE_KEY_LEN bytes), then what the caller wrote (run_cache.c). A
 * base stays in the store as long as a delta a key names names it.
 */
#define STORE_SNAP_DELTA_TAG "\0hwdelt\0"
#define STORE_SNAP_DELTA_TAG_LEN 8
int store_cache_snap_read(struct store *st, const unsigned char *snap,
			  struct buf *body, struct err *e);

/* Whether snapshot `snap` is stored: 1, 0, or -1 with `e`. */
int store_cache_snap_has(struct store *st, const unsigned char *snap,
			 struct err *e);

/*
 * In a write: hook key `key` (used at `seen`) now remembers snapshot
 * `snap` (the SHA-256 of the whole body `body` stands for: itself, or
 * what a delta makes of its base), len bytes, stored once however many
 * keys name it (a snapshot already stored is kept as it is). Snapshots
 * no key names go when the store is bounded.
 */
int store_cache_snap_put(struct store *st, const unsigned char *key,
			 const unsigned char *snap, const void *body,
			 size_t len, long long seen, struct err *e);

/*
 * In a write: key `key` was used at `seen` (ms since the epoch), as a
 * whole set's key that passed (whole = 1) or a hook's key under which
 * files are remembered (whole = 0). The least recently seen keys, with
 * their files, are the first to go when the store is over its size.
 */
int store_cache_key_put(struct store *st, const unsigned char *key, int whole,
			long long seen, struct err *e);

#endif
