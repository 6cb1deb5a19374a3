/*
 * hashmap.h - the one hash function and the one hash index in hookwave.
 *
 * hash_bytes is 64-bit FNV-1a: quick for the short keys hookwave hashes
 * (hook names, paths) and spread well enough for a table. It is not a
 * cryptographic hash: never use it where a crafted input must not
 * collide on purpose (file contents, cache keys).
 *
 * struct hashmap is an index, not a container: the caller keeps its
 * items in its own array and the map finds an item's position from its
 * hash (open addressing, linear probing, load at most 1/2). The caller
 * says what "equal" means through a callback, so one map serves names,
 * paths and composite keys alike. Zero-initialised is empty.
 *
 * Allocation failure aborts (xrealloc). Not thread-safe: a map being
 * filled has one owner; a filled map may be read by any number of
 * threads.
 */
#ifndef HOOKWAVE_HASHMAP_H
#define HOOKWAVE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#define HASH_INIT UINT64_C(14695981039346656037)  /* FNV-1a offset basis */

/* FNV-1a 64 of n bytes, continuing from `h` (HASH_INIT to start). */
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);

/* hash_bytes of a NUL-terminated string, from HASH_INIT. */
uint64_t hash_str(const char *s);

#define HASHMAP_NONE SIZE_MAX

struct hashmap_slot {
	uint64_t hash;
	size_t index;           /* HASHMAP_NONE: empty */
};

struct hashmap {
	struct hashmap_slot *slots;
	size_t mask;            /* slots - 1 (a power of 2); 0 with none */
	size_t n;               /* items indexed */
};

/*
 * Does the caller's item at `index` equal the key being looked up?
 * `key` is what hashmap_find was given.
 */
typedef int (*hashmap_eq_fn)(const void *key, size_t index);

/* Position of the item equal to `key` (with this hash), or HASHMAP_NONE. */
size_t hashmap_find(const struct hashmap *m, uint64_t hash, const void *key,
		    hashmap_eq_fn eq);

/* Index the item at `index` under `hash`. The caller made sure no equal
   item is indexed (hashmap_find first). */
void hashmap_put(struct hashmap *m, uint64_t hash, size_t index);

/* Empty it, keep the memory. */
void hashmap_clear(struct hashmap *m);

void hashmap_release(struct hashmap *m);

#endif
