/*
 * migrate.h - a pre-commit or lefthook config turned into a
 * hookwave.ini (`hookwave migrate`).
 *
 * The YAML is read by libyaml; every hook of the input becomes a
 * `[hook]` section, or a commented-out one whose first comment says why
 * it could not be converted. The text is built in memory; the caller
 * writes it. See MIGRATING in hookwave(1).
 *
 * Not thread-safe per result; results are independent.
 */
#ifndef HOOKWAVE_MIGRATE_H
#define HOOKWAVE_MIGRATE_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

enum migrate_format {
	MIGRATE_UNKNOWN,
	MIGRATE_PRECOMMIT,      /* .pre-commit-config.yaml */
	MIGRATE_LEFTHOOK        /* lefthook.yml */
};

struct migrate_result {
	enum migrate_format format;
	struct buf ini;         /* the hookwave.ini text */
	unsigned converted;     /* hooks written as sections */
	unsigned attention;     /* hooks (or settings) left commented out */
};

/*
 * Which format `name` (a path; its base name decides) or, failing
 * that, `text` (its first keys) is. MIGRATE_UNKNOWN when neither says.
 */
enum migrate_format migrate_detect(const char *name, const char *text,
				   size_t n);

/*
 * Convert `n` bytes of `text`, read from `name` (borrowed, for messages
 * and the header comment). Returns 0 with *r filled in (release it with
 * migrate_release), or -1 with `e` as NAME:LINE: message when the file
 * is not YAML or not a config of a known format (nothing in *r).
 */
int migrate_convert(const char *name, const char *text, size_t n,
		    struct migrate_result *r, struct err *e);

void migrate_release(struct migrate_result *r);

/*
 * migrate_convert on the file at `path` (at most 16 MiB). Returns 0, or
 * -1 with `e` (PATH: cannot read: REASON, or migrate_convert's errors).
 */
int migrate_path(const char *path, struct migrate_result *r, struct err *e);

/*
 * Write `n` bytes to a new file `path`, never over an existing one
 * (O_EXCL), fsynced. Returns 0, or -1 with `e` ("PATH: exists: ..." or
 * "PATH: cannot write: REASON"); a file this call created is removed
 * when a write fails.
 */
int migrate_write_new(const char *path, const char *p, size_t n,
		      struct err *e);

/*
 * The default input in directory `dir`: the first of the names
 * pre-commit and lefthook look for that exists, newly allocated; NULL
 * with `e` filled in when there is none, or when both tools' files are
 * there (the user must name one).
 */
char *migrate_find(const char *dir, struct err *e);

/*
 * A word quoted for /bin/sh and safe as part of a hookwave.ini value
 * (no blank before a ';', no newline): newly allocated, or NULL when
 * the word holds a newline or a NUL-free form cannot be written.
 */
char *migrate_sh_quote(const char *word);

#endif
