/* store.c - the state store, one SQLite database per repository. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "gitdir.h"
#include "hashmap.h"
#include "store.h"

#define STORE_NAME "state.sqlite"
#define WAL_LIMIT 1048576               /* bytes the log keeps on disk */
#define QUICK_CHECK_ALWAYS (128 << 10) /* stores this small: every open */
#define QUICK_CHECK_EVERY 8             /* larger: one open in this many */
#define WAL_LIMIT_TEXT "1048576"

/*
 * The schema of STORE_VERSION. A later version adds a step from this
 * one (in migrate()) rather than changing these lines.
 */
static const char schema_v1[] =
	"CREATE TABLE durations("
	" dir TEXT NOT NULL, strategy TEXT NOT NULL, hook TEXT NOT NULL,"
	" seconds TEXT NOT NULL, rate REAL NOT NULL, startup REAL NOT NULL,"
	" seen INTEGER NOT NULL,"
	" PRIMARY KEY(dir, strategy, hook));"
	"CREATE TABLE factors("
	" dir TEXT NOT NULL, strategy TEXT NOT NULL, hook TEXT NOT NULL,"
	" path BLOB NOT NULL, factor REAL NOT NULL, seen INTEGER NOT NULL,"
	" PRIMARY KEY(dir, strategy, hook, path));"
	"CREATE TABLE results("
	" id INTEGER PRIMARY KEY, dir TEXT NOT NULL, strategy TEXT NOT NULL,"
	" hook TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,"
	" reason TEXT, start REAL NOT NULL, duration REAL, files BLOB,"
	" seq INTEGER NOT NULL);"
	"CREATE INDEX results_hook ON results(dir, strategy, hook, seq);"
	"CREATE INDEX durations_seen ON durations(seen);"
	"CREATE INDEX factors_seen ON factors(seen);"
	/* The result cache: a key a run used (a hook's key in cache =
	   files, a whole set's in cache = whole) and when; under a hook's
	   key, each file that passed with the content it had. */
	"CREATE TABLE cache_keys("
	" key BLOB PRIMARY KEY, whole INTEGER NOT NULL, seen INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE INDEX cache_keys_seen ON cache_keys(seen);"
	"CREATE TABLE cache_files("
	" key BLOB NOT NULL, path BLOB NOT NULL, id TEXT NOT NULL,"
	" PRIMARY KEY(key, path)) WITHOUT ROWID;";

/*
 * From version 1 to 2: what a `files` hook's passes are remembered as.
 * Version 1 kept a row per hook key and file; version 2 keeps, per hook
 * key, one packed snapshot of its passed files ("path\0id\0", sorted),
 * stored once under its own SHA-256 however many hooks share it: a run
 * reads and writes one blob, not tens of thousands of rows. The cache
 * of version 1 is dropped (it is only a cache).
 */
static const char schema_v2_step[] =
	"DROP TABLE IF EXISTS cache_files;"
	"ALTER TABLE cache_keys ADD COLUMN snap BLOB;"
	"CREATE TABLE cache_snaps("
	" key BLOB PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;"
	"PRAGMA user_version = 2;";

/*
 * From version 2 to 3: the snapshots in a table with rowids. In a table
 * WITHOUT ROWID the whole row is the key of its b-tree, so finding a
 * snapshot by its key compared against rows of hundreds of kilobytes,
 * each read whole from its overflow pages (5 ms a lookup for a
 * snapshot of 10,000 files); now the key has its own index and a
 * body is read only when asked for. The snapshots are copied over.
 */
static const char schema_v3_step[] =
	"ALTER TABLE cache_snaps RENAME TO cache_snaps_v2;"
	"CREATE TABLE cache_snaps(key BLOB PRIMARY KEY, body BLOB NOT NULL);"
	"INSERT INTO cache_snaps(key, body)"
	" SELECT key, body FROM cache_snaps_v2;"
	"DROP TABLE cache_snaps_v2;"
	"PRAGMA user_version = 3;";

/* The steps from version i + 1 to i + 2. */
static const char *const schema_steps[] = { schema_v2_step, schema_v3_step };
_Static_assert(ARRAY_SIZE(schema_steps) == STORE_VERSION - 1,
	       "a step to each version after the first");

/* Every statement, prepared on first use and kept for the store's life. */
enum stmt {
	S_BEGIN_READ, S_BEGIN_WRITE, S_COMMIT, S_ROLLBACK,
	S_DUR_READ, S_FAC_READ, S_DUR_ANY, S_DUR_CLEAR, S_FAC_CLEAR,
	S_DUR_PUT, S_FAC_PUT,
	S_RES_ADD, S_RES_TRIM, S_RES_READ, S_RES_LAST,
	S_PAGE_COUNT, S_FREELIST, S_PAGE_SIZE, S_ROWS, S_CUTOFF,
	S_DROP_RES, S_DROP_FAC, S_DROP_DUR, S_DROP_CKEYS,
	S_VACUUM,
	S_CACHE_HAS, S_CACHE_KEY_PUT, S_DROP_SNAPS,
	S_SNAP_OF, S_SNAP_READ, S_SNAP_PUT, S_SNAP_KEY_PUT, S_SNAP_HAS,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN_READ] = "BEGIN",
	[S_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_DUR_READ] = "SELECT strategy, hook, seconds, rate, startup, seen"
		" FROM durations WHERE dir = ?1 ORDER BY seen DESC, rowid",
	[S_FAC_READ] = "SELECT strategy, hook, path, factor, seen"
		" FROM factors WHERE dir = ?1 ORDER BY seen DESC, rowid",
	[S_DUR_ANY] = "SELECT 1 FROM durations WHERE dir = ?1 LIMIT 1",
	[S_DUR_CLEAR] = "DELETE FROM durations WHERE dir = ?1",
	[S_FAC_CLEAR] = "DELETE FROM factors WHERE dir = ?1",
	[S_DUR_PUT] = "INSERT OR REPLACE INTO durations(dir, strategy, hook,"
		" seconds, rate, startup, seen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_FAC_PUT] = "INSERT OR REPLACE INTO factors(dir, strategy, hook,"
		" path, factor, seen) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	/* seq counts a hook's results, so that its oldest are found
	   through the index alone. */
	[S_RES_ADD] = "INSERT INTO results(dir, strategy, hook, name, status,"
		" reason, start, duration, files, seq)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, coalesce((SELECT"
		" max(seq) FROM results WHERE dir = ?1 AND strategy = ?2 AND"
		" hook = ?3), 0) + 1)",
	[S_RES_TRIM] = "DELETE FROM results WHERE dir = ?1 AND strategy = ?2"
		" AND hook = ?3 AND seq <= (SELECT max(seq) FROM results"
		" WHERE dir = ?1 AND strategy = ?2 AND hook = ?3) - ?4",
	[S_RES_READ] = "SELECT strategy, hook, name, status, reason, start,"
		" duration, files FROM results WHERE dir = ?1"
		" ORDER BY strategy, hook, seq",
	[S_RES_LAST] = "SELECT strategy, hook, name, status, reason, start,"
		" duration, files FROM results WHERE id IN (SELECT max(id)"
		" FROM results WHERE dir = ?1 GROUP BY strategy, hook)"
		" ORDER BY strategy, hook",
	[S_PAGE_COUNT] = "PRAGMA page_count",
	[S_FREELIST] = "PRAGMA freelist_count",
	[S_PAGE_SIZE] = "PRAGMA page_size",
	[S_ROWS] = "SELECT (SELECT count(*) FROM results) +"
		" (SELECT count(*) FROM factors) +"
		" (SELECT count(*) FROM durations) +"
		" (SELECT count(*) FROM cache_keys)",
	[S_CUTOFF] = "SELECT s FROM (SELECT CAST(start * 1000 AS INTEGER)"
		" AS s FROM results UNION ALL SELECT seen FROM factors"
		" UNION ALL SELECT seen FROM durations"
		" UNION ALL SELECT seen FROM cache_keys) ORDER BY s"
		" LIMIT 1 OFFSET ?1",
	[S_DROP_RES] = "DELETE FROM results"
		" WHERE CAST(start * 1000 AS INTEGER) <= ?1",
	[S_DROP_FAC] = "DELETE FROM factors WHERE seen <= ?1",
	[S_DROP_DUR] = "DELETE FROM durations WHERE seen <= ?1",
	/* A key's files first: they go with it. */
	[S_DROP_CKEYS] = "DELETE FROM cache_keys WHERE seen <= ?1",
	[S_VACUUM] = "PRAGMA incremental_vacuum",
	[S_CACHE_HAS] = "SELECT 1 FROM cache_keys WHERE key = ?1 AND whole = 1",
	/* Snapshots no key names any more go with the last that did, but
	   the base of a delta a key names (store.h: its first 8 bytes are
	   STORE_SNAP_DELTA_TAG, the next 32 the base's key). */
	[S_DROP_SNAPS] = "DELETE FROM cache_snaps WHERE key NOT IN"
		" (SELECT snap FROM cache_keys WHERE snap IS NOT NULL)"
		" AND key NOT IN (SELECT substr(body, 9, 32) FROM cache_snaps"
		" WHERE substr(body, 1, 8) = X'00687764656c7400' AND key IN"
		" (SELECT snap FROM cache_keys WHERE snap IS NOT NULL))"
		" AND ?1 IS NOT NULL",
	[S_SNAP_HAS] = "SELECT 1 FROM cache_snaps WHERE key = ?1",
	[S_SNAP_OF] = "SELECT snap FROM cache_keys WHERE key = ?1"
		" AND snap IS NOT NULL",
	[S_SNAP_READ] = "SELECT rowid FROM cache_snaps WHERE key = ?1",
	[S_SNAP_PUT] = "INSERT OR IGNORE INTO cache_snaps(key, body)"
		" VALUES(?1, ?2)",
	[S_SNAP_KEY_PUT] = "INSERT INTO cache_keys(key, whole, seen, snap)"
		" VALUES(?1, 0, ?2, ?3) ON CONFLICT(key) DO UPDATE"
		" SET seen = max(seen, excluded.seen), snap = excluded.snap",
	[S_CACHE_KEY_PUT] = "INSERT INTO cache_keys(key, whole, seen)"
		" VALUES(?1, ?2, ?3) ON CONFLICT(key) DO UPDATE"
		" SET seen = max(seen, excluded.seen), whole = excluded.whole",
};

struct store {
	sqlite3 *db;
	char *path;
	long long size;
	store_warn_fn warn;
	void *warn_ctx;
	sqlite3_stmt *stmt[S_COUNT];
	int in_txn, write;
	unsigned resets;
	struct stat ident;              /* the file we opened */
};

static int open_checked(struct store *st, struct err *e);

#define LEGACY_SEED UINT64_C(1469598103934665603)

char *
store_path_for(const struct gitdir *g, char **dir)
{
	char cwd[PATH_MAX], *hd, *path;

	*dir = NULL;
	if (g == NULL || g->state == GITDIR_ERROR ||
	    getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (g->state == GITDIR_REPO &&
	    (hd = gitdir_hookwave_dir(g, 0)) != NULL) {
		path = xasprintf("%s/%s", hd, STORE_NAME);
		free(hd);
		*dir = xstrdup(g->inside_work_tree && g->prefix != NULL ?
			       g->prefix : cwd);
		return path;
	}
	if ((hd = xdg_cache_home()) == NULL)
		return NULL;
	path = xasprintf("%s/hookwave/state-%016llx.sqlite", hd,
			 (unsigned long long)hash_bytes(LEGACY_SEED, cwd,
							strlen(cwd)));
	free(hd);
	*dir = xstrdup(cwd);
	return path;
}

/* mkdir -p `dir`. Returns 0, or -1 with errno. */
static int
make_dirs(const char *dir)
{
	char *d = xstrdup(dir), *p;
	int r = 0;

	for (p = d + 1; *p != '\0' && r == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0777) != 0 && errno != EEXIST)
			r = -1;
		*p = '/';
	}
	if (r == 0 && mkdir(d, 0777) != 0 && errno != EEXIST)
		r = -1;
	free(d);
	return r;
}

/*
 * Make the directory of the store at `path`: one mkdir, inside a parent
 * that must exist (a git directory a hook removed is never made
 * again); only under the cache directory are missing parents made too.
 */
static int
make_store_dir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *base;
	size_t n;
	int r = 0;

	if (slash == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		r = -1;
		base = errno == ENOENT ? xdg_cache_home() : NULL;
		n = base != NULL ? strlen(base) : 0;
		if (base != NULL && strncmp(dir, base, n) == 0 &&
		    strcmp(dir + n, "/hookwave") == 0)
			r = make_dirs(dir);
		else if (base != NULL)
			errno = ENOENT;
		free(base);
	}
	free(dir);
	return r;
}

static int
is_damage(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static void
finalize_all(struct store *st)
{
	size_t i;

	for (i = 0; i < S_COUNT; i++) {
		if (st->stmt[i] != NULL)
			sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
}

static void
close_db(struct store *st)
{
	finalize_all(st);
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	st->db = NULL;
	st->in_txn = 0;
}

/*
 * Close the store and set it aside with its journal or write-ahead log
 * (those of a damaged database must not be played into the new one),
 * and say so.
 * Returns 0, 1 (another run set it aside first), or -1 with errno.
 */
static int
set_aside(struct store *st, const char *why)
{
	static const char *const side[] = { "-journal", "-wal", "-shm" };
	char *aside = NULL;
	struct err w;
	size_t i;
	int r, saved;

	close_db(st);
	r = atomic_file_set_aside(st->path, &st->ident, &aside);
	saved = errno;
	for (i = 0; r == 0 && i < ARRAY_SIZE(side); i++) {
		char *f = xasprintf("%s%s", st->path, side[i]);

		(void)atomic_file_set_aside(f, NULL, NULL);
		free(f);
	}
	memset(&w, 0, sizeof(w));
	w.file = st->path;
	if (r == 0)
		snprintf(w.msg, sizeof(w.msg), "the state store is damaged (%s); "
			 "set aside as %s, starting afresh", why, aside);
	else if (r > 0)
		snprintf(w.msg, sizeof(w.msg), "the state store is damaged (%s); "
			 "another run set it aside", why);
	if (r >= 0 && st->warn != NULL)
		st->warn(st->warn_ctx, &w);
	free(aside);
	st->resets++;
	errno = saved;
	return r;
}

/*
 * The store is damaged (`why`): set it aside and open a new one.
 * Returns -1 with `e` saying that the transaction is gone (the store is
 * usable again unless making the new one failed).
 */
static int
damaged(struct store *st, const char *why, struct err *e)
{
	struct err ignored;

	if (set_aside(st, why) < 0)
		return err_set(e, st->path, 0, "the state store is damaged (%s) "
			       "and cannot be set aside: %s", why,
			       strerror(errno));
	(void)open_checked(st, &ignored);
	return err_set(e, st->path, 0, "the state store was damaged: %s", why);
}

/*
 * An SQLite error `rc` on the way to `what`: damage sets the store
 * aside; anything else is an error for the caller. A transaction in
 * progress is rolled back. Returns -1.
 */
static int
fail(struct store *st, int rc, const char *what, struct err *e)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", what,
		 st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	if (is_damage(rc))
		return damaged(st, msg, e);
	if (st->in_txn && st->db != NULL)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = 0;
	return err_set(e, st->path, 0, "state store: %s", msg);
}

/* The prepared statement `s`, reset with no bindings; NULL with `e`. */
static sqlite3_stmt *
stmt(struct store *st, enum stmt s, struct err *e)
{
	int rc;

	if (st->db == NULL) {
		err_set(e, st->path, 0, "state store: not open");
		return NULL;
	}
	if (st->stmt[s] == NULL) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[s], -1,
					SQLITE_PREPARE_PERSISTENT, &st->stmt[s],
					NULL);
		if (rc != SQLITE_OK) {
			st->stmt[s] = NULL;
			fail(st, rc, "prepare", e);
			return NULL;
		}
	}
	sqlite3_reset(st->stmt[s]);
	sqlite3_clear_bindings(st->stmt[s]);
	return st->stmt[s];
}

/* Step `q` to its end (a statement without rows). 0 or -1. */
static int
run(struct store *st, sqlite3_stmt *q, const char *what, struct err *e)
{
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		;
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(st, rc, what, e);
}

/* One integer from a statement with one row. 0 or -1. */
static int
one_int(struct store *st, enum stmt s, long long *out, struct err *e)
{
	sqlite3_stmt *q = stmt(st, s, e);
	int rc;

	if (q == NULL)
		return -1;
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return fail(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc,
			    stmt_sql[s], e);
	}
	*out = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

/* The first column of a one-off statement's first row as text. */
static int
pragma_text(struct store *st, const char *sql, char *out, size_t size,
	    int *rcp)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);

	out[0] = '\0';
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(q, 0);

			snprintf(out, size, "%s", t != NULL ? (const char *)t : "");
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(q);
	*rcp = rc;
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * How the store is written: a write-ahead log, so a run's commit is one
 * append (no fsync but at checkpoints: a power cut may lose the last
 * runs' rows, never the database) and readers never wait for a writer;
 * the log is cut back to WAL_LIMIT after each checkpoint. Where the file
 * system cannot share the log's index (a network file system) the
 * rollback journal stays.
 */
static int
tune(struct store *st, int *rcp)
{
	char mode[32];
	int rc;

	if (pragma_text(st, "PRAGMA journal_mode = WAL", mode, sizeof(mode),
			&rc) != 0) {
		*rcp = rc;
		return -1;
	}
	rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL;"
			  "PRAGMA journal_size_limit = " WAL_LIMIT_TEXT ";"
			  "PRAGMA cache_size = -16384",
			  NULL, NULL, NULL);
	*rcp = rc;
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * A new store: the schema, made once (another run making it at the
 * same time waits, then finds it made). 0 (`why` set when the file
 * holds another database), or -1 with the SQLite code in *rcp.
 */
static int
create_schema(struct store *st, int *rcp, char *why, size_t size)
{
	char v[64], n[64];
	int rc;

	rc = sqlite3_exec(st->db, "PRAGMA auto_vacuum = INCREMENTAL", NULL,
			  NULL, NULL);
	/* A file this open made (empty): into the log first (after
	   auto_vacuum, which only an empty database takes), so that the
	   schema is one append rather than rollback-journal transactions,
	   each a few fsyncs (30 ms of a first run, measured). */
	if (rc == SQLITE_OK && st->ident.st_size == 0 && tune(st, rcp) != 0)
		return -1;
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		*rcp = rc;
		return -1;
	}
	/* Looked at again under the write lock: another run may have
	   made it since, and a database of something else is not ours. */
	if (pragma_text(st, "PRAGMA user_version", v, sizeof(v), &rc) == 0 &&
	    strcmp(v, "0") == 0 &&
	    pragma_text(st, "SELECT count(*) FROM sqlite_master", n, sizeof(n),
			&rc) == 0 && strcmp(n, "0") != 0) {
		snprintf(why, size, "not hookwave's schema");
	} else if (rc == SQLITE_OK && strcmp(v, "0") == 0) {
		size_t i;

		rc = sqlite3_exec(st->db, schema_v1, NULL, NULL, NULL);
		for (i = 0; rc == SQLITE_OK && i < ARRAY_SIZE(schema_steps); i++)
			rc = sqlite3_exec(st->db, schema_steps[i], NULL, NULL,
					  NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	*rcp = rc;
	return rc == SQLITE_OK ? 0 : -1;
}

/* Whether user_version `v` (as text) is version `n`. */
static int
is_version(const char *v, long n)
{
	char want[32];

	snprintf(want, sizeof(want), "%ld", n);
	return strcmp(v, want) == 0;
}

/* A version this one migrates from (1 up to STORE_VERSION - 1). */
static int
is_older_version(const char *v)
{
	long n;

	for (n = 1; n < STORE_VERSION; n++)
		if (is_version(v, n))
			return 1;
	return 0;
}

/*
 * An older store becomes this version, step by step in one transaction
 * under the write lock (another run may have done it since: then
 * nothing). 0, or -1 with the SQLite code in *rcp.
 */
static int
migrate(struct store *st, int *rcp)
{
	char v[64];
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	size_t i;

	if (rc == SQLITE_OK &&
	    pragma_text(st, "PRAGMA user_version", v, sizeof(v), &rc) == 0)
		for (i = 0; rc == SQLITE_OK && i < ARRAY_SIZE(schema_steps); i++)
			if (strtol(v, NULL, 10) <= (long)i + 1)
				rc = sqlite3_exec(st->db, schema_steps[i], NULL,
						  NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	*rcp = rc;
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * Whether to run PRAGMA quick_check on this open: it reads every page,
 * so always for a store of at most QUICK_CHECK_ALWAYS bytes, and for a
 * larger one on one open in QUICK_CHECK_EVERY (a page a run reads is
 * checked by SQLite as it reads it, and SQLITE_CORRUPT sets the store
 * aside then). A store of 700 KB (four hooks' snapshots of 10,000
 * files) takes 7-14 ms to check, a tenth of a run that finds nothing
 * changed.
 */
static int
want_quick_check(const struct store *st)
{
	static unsigned seed;

	if (st->ident.st_size <= QUICK_CHECK_ALWAYS)
		return 1;
	if (seed == 0)
		seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	return rand_r(&seed) % QUICK_CHECK_EVERY == 0;
}


/*
 * Open st->path and check it: a database of our schema whose pages
 * are sound. Damage sets it aside and starts again (once). 0, or -1
 * with `e` when it cannot be opened at all.
 */
static int
open_once(struct store *st, int *busy, struct err *e)
{
	char v[64], why[256];
	int rc, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (make_store_dir(st->path) != 0)
			return err_set(e, st->path, 0, "cannot make the state "
				       "store's directory: %s", strerror(errno));
		rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
				     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				     NULL);
		if (rc != SQLITE_OK) {
			int r = err_set(e, st->path, 0, "cannot open the state store: %s",
					st->db != NULL ? sqlite3_errmsg(st->db) :
					sqlite3_errstr(rc));

			close_db(st);
			return r;
		}
		sqlite3_busy_timeout(st->db, STORE_WAIT_MS);
		sqlite3_extended_result_codes(st->db, 1);
		if (stat(st->path, &st->ident) != 0)
			memset(&st->ident, 0, sizeof(st->ident));
		why[0] = '\0';
		if (pragma_text(st, "PRAGMA user_version", v, sizeof(v), &rc) != 0) {
			if (!is_damage(rc))
				goto error;
			snprintf(why, sizeof(why), "%s", sqlite3_errstr(rc));
		} else if (strcmp(v, "0") == 0) {
			if (create_schema(st, &rc, why, sizeof(why)) != 0) {
				if (!is_damage(rc))
					goto error;
				snprintf(why, sizeof(why), "%s", sqlite3_errstr(rc));
			}
		} else if (is_older_version(v)) {
			if (migrate(st, &rc) != 0) {
				if (!is_damage(rc))
					goto error;
				snprintf(why, sizeof(why), "%s", sqlite3_errstr(rc));
			}
		} else if (!is_version(v, STORE_VERSION)) {
			snprintf(why, sizeof(why), "schema version %s, not %d", v,
				 STORE_VERSION);
		}
		if (why[0] == '\0' && want_quick_check(st)) {
			if (pragma_text(st, "PRAGMA quick_check(1)", v, sizeof(v),
					&rc) != 0) {
				if (!is_damage(rc))
					goto error;
				snprintf(why, sizeof(why), "%s", sqlite3_errstr(rc));
			} else if (strcmp(v, "ok") != 0) {
				snprintf(why, sizeof(why), "quick_check: %s", v);
			}
		}
		if (why[0] == '\0' && tune(st, &rc) != 0) {
			if (!is_damage(rc))
				goto error;
			snprintf(why, sizeof(why), "%s", sqlite3_errstr(rc));
		}
		if (why[0] == '\0')
			return 0;
		if (attempt > 0)
			break;
		if (set_aside(st, why) < 0)
			return err_set(e, st->path, 0, "the state store is damaged (%s) "
				       "and cannot be set aside: %s", why,
				       strerror(errno));
	}
	close_db(st);
	return err_set(e, st->path, 0, "the state store is damaged again after "
		       "it was set aside: %s", why);
error:
	{
		int r = err_set(e, st->path, 0, "cannot read the state store: %s",
				sqlite3_errstr(rc));

		*busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
		close_db(st);
		return r;
	}
}

/*
 * open_once, again while another run holds a lock that SQLite does not
 * wait for itself (the switch to the log, its recovery), for at most
 * STORE_WAIT_MS.
 */
static int
open_checked(struct store *st, struct err *e)
{
	double end = now_monotonic() + STORE_WAIT_MS / 1000.0;
	unsigned seed = (unsigned)getpid();
	int busy;

	for (;;) {
		busy = 0;
		if (open_once(st, &busy, e) == 0)
			return 0;
		if (!busy || now_monotonic() >= end)
			return -1;
		/* 5 to 25 ms, apart from the other runs that wait. */
		sqlite3_sleep(5 + (int)(rand_r(&seed) % 20));
	}
}

struct store *
store_open(const char *path, long long size, store_warn_fn warn,
	   void *warn_ctx, struct err *e)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->path = xstrdup(path);
	st->size = size > 0 ? size : STORE_SIZE_DEFAULT;
	/* The log beside the database counts too, when there is room. */
	if (st->size > 4LL * WAL_LIMIT)
		st->size -= WAL_LIMIT + 65536;
	st->warn = warn;
	st->warn_ctx = warn_ctx;
	if (open_checked(st, e) != 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_txn && st->db != NULL)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	close_db(st);
	free(st->path);
	free(st);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

unsigned
store_resets(const struct store *st)
{
	return st->resets;
}

int
store_begin(struct store *st, int write, struct err *e)
{
	sqlite3_stmt *q = stmt(st, write ? S_BEGIN_WRITE : S_BEGIN_READ, e);

	if (q == NULL)
		return -1;
	if (run(st, q, "begin", e) != 0)
		return -1;
	st->in_txn = 1;
	st->write = write;
	return 0;
}

void
store_rollback(struct store *st)
{
	struct err ignored;
	sqlite3_stmt *q;

	if (!st->in_txn || st->db == NULL)
		return;
	q = stmt(st, S_ROLLBACK, &ignored);
	if (q != NULL)
		(void)run(st, q, "rollback", &ignored);
	st->in_txn = 0;
}

/* Bind `dir` as ?1 of statement s. */
static sqlite3_stmt *
stmt_dir(struct store *st, enum stmt s, const char *dir, struct err *e)
{
	sqlite3_stmt *q = stmt(st, s, e);

	if (q != NULL)
		sqlite3_bind_text(q, 1, dir, -1, SQLITE_STATIC);
	return q;
}

/*
 * Bring the store within its size: while the pages in use exceed it,
 * the oldest quarter of the rows go (at least one). Then the free pages
 * go back to the file system. 0 or -1.
 */
static int
bound(struct store *st, struct err *e)
{
	long long pages, freel, psize, rows, cutoff;
	static const enum stmt drop[] = { S_DROP_RES, S_DROP_FAC, S_DROP_DUR,
					  S_DROP_CKEYS, S_DROP_SNAPS };
	sqlite3_stmt *q;
	size_t i;
	int rounds, rc;

	if (one_int(st, S_PAGE_SIZE, &psize, e) != 0)
		return -1;
	for (rounds = 0; rounds < 64; rounds++) {
		if (one_int(st, S_PAGE_COUNT, &pages, e) != 0 ||
		    one_int(st, S_FREELIST, &freel, e) != 0)
			return -1;
		if ((pages - freel) * psize <= st->size)
			break;
		if (one_int(st, S_ROWS, &rows, e) != 0)
			return -1;
		if (rows == 0)
			break;
		if ((q = stmt(st, S_CUTOFF, e)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, rows / 4);
		rc = sqlite3_step(q);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(q);
			return fail(st, rc == SQLITE_DONE ? SQLITE_ERROR : rc,
				    "bound", e);
		}
		cutoff = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		for (i = 0; i < ARRAY_SIZE(drop); i++) {
			if ((q = stmt(st, drop[i], e)) == NULL)
				return -1;
			sqlite3_bind_int64(q, 1, cutoff);
			if (run(st, q, "bound", e) != 0)
				return -1;
		}
	}
	if (one_int(st, S_FREELIST, &freel, e) != 0)
		return -1;
	if (freel > 0 && ((q = stmt(st, S_VACUUM, e)) == NULL ||
			  run(st, q, "incremental_vacuum", e) != 0))
		return -1;
	return 0;
}

int
store_commit(struct store *st, struct err *e)
{
	sqlite3_stmt *q;

	if (!st->in_txn)
		return err_set(e, st->path, 0, "state store: no transaction");
	if (st->write && bound(st, e) != 0)
		return -1;
	if ((q = stmt(st, S_COMMIT, e)) == NULL || run(st, q, "commit", e) != 0)
		return -1;
	st->in_txn = 0;
	return 0;
}

/* Column i as text, "" for NULL. */
static const char *
col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t != NULL ? (const char *)t : "";
}

int
store_durations_read(struct store *st, const char *dir,
		     store_duration_fn dfn, store_factor_fn ffn, void *ctx,
		     struct err *e)
{
	sqlite3_stmt *q;
	int rc, r;

	if (dfn != NULL) {
		if ((q = stmt_dir(st, S_DUR_READ, dir, e)) == NULL)
			return -1;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct store_duration d;

			d.strategy = col_text(q, 0);
			d.hook = col_text(q, 1);
			d.seconds = col_text(q, 2);
			d.rate = sqlite3_column_double(q, 3);
			d.startup = sqlite3_column_double(q, 4);
			d.seen = sqlite3_column_int64(q, 5);
			if ((r = dfn(ctx, &d)) != 0) {
				sqlite3_reset(q);
				return r;
			}
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			return fail(st, rc, "read durations", e);
	}
	if (ffn != NULL) {
		if ((q = stmt_dir(st, S_FAC_READ, dir, e)) == NULL)
			return -1;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct store_factor f;
			int len = sqlite3_column_bytes(q, 2);
			const void *p = sqlite3_column_blob(q, 2);
			char *path;

			/* A path is a C string: one with a NUL is not ours. */
			if (p == NULL || len <= 0 || memchr(p, '\0', (size_t)len) != NULL)
				continue;
			path = xstrndup(p, (size_t)len);
			f.strategy = col_text(q, 0);
			f.hook = col_text(q, 1);
			f.path = path;
			f.factor = sqlite3_column_double(q, 3);
			f.seen = sqlite3_column_int64(q, 4);
			r = ffn(ctx, &f);
			free(path);
			if (r != 0) {
				sqlite3_reset(q);
				return r;
			}
		}
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			return fail(st, rc, "read factors", e);
	}
	return 0;
}

int
store_durations_any(struct store *st, const char *dir, struct err *e)
{
	sqlite3_stmt *q = stmt_dir(st, S_DUR_ANY, dir, e);
	int rc;

	if (q == NULL)
		return -1;
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fail(st, rc, "read durations", e);
}

int
store_durations_clear(struct store *st, const char *dir, struct err *e)
{
	sqlite3_stmt *q;

	if ((q = stmt_dir(st, S_DUR_CLEAR, dir, e)) == NULL ||
	    run(st, q, "clear durations", e) != 0)
		return -1;
	if ((q = stmt_dir(st, S_FAC_CLEAR, dir, e)) == NULL ||
	    run(st, q, "clear factors", e) != 0)
		return -1;
	return 0;
}

int
store_duration_put(struct store *st, const char *dir,
		   const struct store_duration *d, struct err *e)
{
	sqlite3_stmt *q = stmt_dir(st, S_DUR_PUT, dir, e);

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 2, d->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, d->hook, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, d->seconds, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 5, d->rate);
	sqlite3_bind_double(q, 6, d->startup);
	sqlite3_bind_int64(q, 7, d->seen);
	return run(st, q, "write durations", e);
}

int
store_factor_put(struct store *st, const char *dir,
		 const struct store_factor *f, struct err *e)
{
	sqlite3_stmt *q = stmt_dir(st, S_FAC_PUT, dir, e);

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 2, f->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, f->hook, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, f->path, (int)strlen(f->path), SQLITE_STATIC);
	sqlite3_bind_double(q, 5, f->factor);
	sqlite3_bind_int64(q, 6, f->seen);
	return run(st, q, "write factors", e);
}

int
store_result_add(struct store *st, const char *dir,
		 const struct store_result *r, struct err *e)
{
	sqlite3_stmt *q = stmt_dir(st, S_RES_ADD, dir, e);

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 2, r->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->hook, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->status, -1, SQLITE_STATIC);
	if (r->reason != NULL)
		sqlite3_bind_text(q, 6, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 7, r->start);
	if (r->duration >= 0)
		sqlite3_bind_double(q, 8, r->duration);
	if (r->files != NULL && r->files_len > 0 && r->files_len < INT_MAX)
		sqlite3_bind_blob(q, 9, r->files, (int)r->files_len,
				  SQLITE_STATIC);
	if (run(st, q, "write results", e) != 0)
		return -1;
	/* The hook's last STORE_KEEP_RUNS stay, through the index. */
	if ((q = stmt_dir(st, S_RES_TRIM, dir, e)) == NULL)
		return -1;
	sqlite3_bind_text(q, 2, r->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->hook, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, STORE_KEEP_RUNS);
	return run(st, q, "trim results", e);
}

int
store_results_read(struct store *st, const char *dir, int last_only,
		   store_result_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *q = stmt_dir(st, last_only ? S_RES_LAST : S_RES_READ,
				   dir, e);
	int rc, r;

	if (q == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_result x;

		x.strategy = col_text(q, 0);
		x.hook = col_text(q, 1);
		x.name = col_text(q, 2);
		x.status = col_text(q, 3);
		x.reason = sqlite3_column_type(q, 4) == SQLITE_NULL ? NULL :
			   col_text(q, 4);
		x.start = sqlite3_column_double(q, 5);
		x.duration = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 :
			     sqlite3_column_double(q, 6);
		x.files = sqlite3_column_blob(q, 7);
		x.files_len = (size_t)sqlite3_column_bytes(q, 7);
		if (x.files == NULL)
			x.files_len = 0;
		if ((r = fn(ctx, &x)) != 0) {
			sqlite3_reset(q);
			return r;
		}
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(st, rc, "read results", e);
}

/* --- the result cache -------------------------------------------------- */

/* Bind key `key` as ?1 of statement s. */
static sqlite3_stmt *
stmt_key(struct store *st, enum stmt s, const unsigned char *key,
	 struct err *e)
{
	sqlite3_stmt *q = stmt(st, s, e);

	if (q != NULL)
		sqlite3_bind_blob(q, 1, key, STORE_KEY_LEN, SQLITE_STATIC);
	return q;
}

/* Whether statement s finds a row for `key`: 1, 0, or -1 with `e`. */
static int
key_has(struct store *st, enum stmt s, const unsigned char *key,
	struct err *e)
{
	sqlite3_stmt *q = stmt_key(st, s, key, e);
	int rc;

	if (q == NULL)
		return -1;
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fail(st, rc, "read the cache", e);
}

int
store_cache_whole_has(struct store *st, const unsigned char *key,
		      struct err *e)
{
	return key_has(st, S_CACHE_HAS, key, e);
}

int
store_cache_key_put(struct store *st, const unsigned char *key, int whole,
		    long long seen, struct err *e)
{
	sqlite3_stmt *q = stmt_key(st, S_CACHE_KEY_PUT, key, e);

	if (q == NULL)
		return -1;
	sqlite3_bind_int(q, 2, whole != 0);
	sqlite3_bind_int64(q, 3, seen);
	return run(st, q, "write the cache", e);
}

int
store_cache_snap_of(struct store *st, const unsigned char *key,
		    unsigned char *snap, struct err *e)
{
	sqlite3_stmt *q = stmt_key(st, S_SNAP_OF, key, e);
	int rc;

	if (q == NULL)
		return -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		int found = sqlite3_column_bytes(q, 0) == STORE_KEY_LEN;

		if (found)
			memcpy(snap, sqlite3_column_blob(q, 0), STORE_KEY_LEN);
		sqlite3_reset(q);
		return found;
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : fail(st, rc, "read the cache", e);
}

int
store_cache_snap_read(struct store *st, const unsigned char *snap,
		      struct buf *body, struct err *e)
{
	sqlite3_stmt *q = stmt_key(st, S_SNAP_READ, snap, e);
	sqlite3_blob *blob;
	sqlite3_int64 row;
	size_t at = body->len;
	int rc, n;

	if (q == NULL)
		return -1;
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return rc == SQLITE_DONE ? 0 : fail(st, rc, "read the cache", e);
	}
	row = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	/* Straight from its pages into `body`: a column value would be
	   copied out whole first, and a snapshot is hundreds of KB. */
	rc = sqlite3_blob_open(st->db, "main", "cache_snaps", "body", row, 0,
			       &blob);
	if (rc != SQLITE_OK)
		return fail(st, rc, "read the cache", e);
	n = sqlite3_blob_bytes(blob);
	if (n > 0)
		rc = sqlite3_blob_read(blob, buf_extend(body, (size_t)n), n, 0);
	(void)sqlite3_blob_close(blob);
	if (rc != SQLITE_OK) {
		body->len = at;
		if (body->p != NULL)
			body->p[at] = '\0';
		return fail(st, rc, "read the cache", e);
	}
	return 1;
}

int
store_cache_snap_has(struct store *st, const unsigned char *snap,
		     struct err *e)
{
	return key_has(st, S_SNAP_HAS, snap, e);
}

int
store_cache_snap_put(struct store *st, const unsigned char *key,
		     const unsigned char *snap, const void *body, size_t len,
		     long long seen, struct err *e)
{
	sqlite3_stmt *q;

	if (len > INT_MAX)
		return 0;
	if ((q = stmt_key(st, S_SNAP_PUT, snap, e)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 2, body, (int)len, SQLITE_STATIC);
	if (run(st, q, "write the cache", e) != 0)
		return -1;
	if ((q = stmt_key(st, S_SNAP_KEY_PUT, key, e)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 2, seen);
	sqlite3_bind_blob(q, 3, snap, STORE_KEY_LEN, SQLITE_STATIC);
	return run(st, q, "write the cache", e);
}
