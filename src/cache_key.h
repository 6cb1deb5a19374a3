/*
 * cache_key.h - the keys of the result cache: a hook's own key (what
 * it is and what it runs), and the key of a hook's whole set of files.
 *
 * A hook's key is a SHA-256 (nettle) over length-prefixed fields under
 * a version tag ("hookwave-cache-1"), so no two different descriptions
 * frame the same bytes:
 *  - its command, its env entries in order, its cwd as written (none
 *    and empty are the same), its `files` and `exclude` patterns in
 *    order (not its strategy: moving a hook does not change what it
 *    does);
 *  - the identity of the program it runs: the first word of the command
 *    that is not an assignment (NAME=value) nor `env` (with env's own
 *    options and assignments), resolved on the PATH the hook runs with
 *    (hookwave's environment, the hook's env entries and the command's
 *    own PATH= assignment over it) when it has no slash, against the
 *    hook's directory when it has one; the identity is the resolved
 *    absolute path with the size and mtime (seconds and nanoseconds) of
 *    the file it names (links followed). When that word is a shell
 *    builtin or reserved word, is not found, or is not plain text (it
 *    has quotes, expansions, ...), the identity is the word itself: then
 *    only the command's text is keyed, and a new version of what it
 *    runs is not noticed (give such a hook a `cache_key`);
 *  - or, with a `cache_key` command, that command, its exit status and
 *    its standard output, in place of the program's identity;
 *  - its `inputs` patterns, and every file of the run directory they
 *    match (a walk, tracked or not, `.git` aside, symlinked directories
 *    not followed), sorted bytewise, each with its content id
 *    (content_id.h): a file that starts or stops matching, or changes,
 *    changes the key.
 *
 * A per-file cache entry needs no more hashing: it is (hook key, path,
 * content id). The whole-set key hashes the hook key with every path of
 * the hook's files and its content id.
 *
 * Paths are relative to the run directory (the current directory).
 * Not thread-safe on a shared `struct cache_inputs` or content_ids;
 * otherwise pure but for the file system and the cache_key process.
 */
#ifndef HOOKWAVE_CACHE_KEY_H
#define HOOKWAVE_CACHE_KEY_H

#include <stddef.h>

#include "util.h"

#define CACHE_KEY_LEN 32

struct content_ids;

/* What a hook is, as the cache sees it. Everything is borrowed. */
struct cache_hook_desc {
	const char *command;
	char *const *env;               /* "NAME=value", in order */
	size_t nenv;
	const char *cwd;                /* as written; NULL: none */
	char *const *files;             /* patterns, in order */
	size_t nfiles;
	char *const *exclude;
	size_t nexclude;
	const char *select;             /* the rest of its choice of files
					   (types, regexes, pass_files,
					   always_run) as text; NULL: none */
	const char *cache_key;          /* a command; NULL: none */
	const char *inputs;             /* whitespace-separated patterns;
					   NULL: none */
	const char *hook_dir;           /* where it runs, absolute */
	char *const *environ;           /* hookwave's, NULL-terminated */
};

/*
 * The run directory's files for `inputs`, listed once, on the first
 * hook that has inputs, and shared by every hook after it.
 */
struct cache_inputs;

struct cache_inputs *cache_inputs_new(void);
void cache_inputs_free(struct cache_inputs *in);

/*
 * The key of hook `d` into `out`. `ids` gives the content ids of its
 * inputs files (NULL: they are hashed here); `in` the listing they are
 * matched in (NULL: the run directory is walked for this call). Runs
 * the hook's cache_key command when it has one (/bin/sh -c, in
 * hook_dir, with the hook's environment, stdin /dev/null, no deadline).
 *
 * Returns 0, or -1 with `e` saying why the hook cannot be cached this
 * run, for a warning the caller words with the hook's name:
 * "cache_key exited 3", "cache_key was killed by signal 9", "cannot run
 * cache_key: ...", "cannot list the files for inputs: ...", "cannot
 * read inputs file F".
 */
int cache_key_hook(unsigned char out[CACHE_KEY_LEN],
		   const struct cache_hook_desc *d, struct content_ids *ids,
		   struct cache_inputs *in, struct err *e);

/*
 * Where the program of `d` resolves to (above), malloc'd, or NULL when
 * only the command's text is keyed. For tests and a verbose log.
 */
char *cache_key_program(const struct cache_hook_desc *d);

/*
 * The whole-set key into `out`: the hook key with every (path, content
 * id) of paths[0..n) and ids[0..n) (NULL: no id), taken in bytewise
 * order of the paths, whatever order they come in. Paths are distinct.
 * The same as cache_key_set() then cache_key_whole_of().
 */
void cache_key_whole(unsigned char out[CACHE_KEY_LEN],
		     const unsigned char hook[CACHE_KEY_LEN],
		     const char *const *paths, const char *const *ids,
		     size_t n);

/*
 * The digest of a set alone (the paths and ids as above): hooks that
 * select the same files make it once and key it with each hook's key
 * (cache_key_whole_of). Paths already in bytewise order are not sorted
 * again.
 */
void cache_key_set(unsigned char set[CACHE_KEY_LEN],
		   const char *const *paths, const char *const *ids,
		   size_t n);

/* The whole-set key of hook key `hook` over a set's digest. */
void cache_key_whole_of(unsigned char out[CACHE_KEY_LEN],
			const unsigned char hook[CACHE_KEY_LEN],
			const unsigned char set[CACHE_KEY_LEN]);

/* A key as lowercase hex, NUL-terminated. */
void cache_key_hex(char out[2 * CACHE_KEY_LEN + 1],
		   const unsigned char k[CACHE_KEY_LEN]);

#endif
