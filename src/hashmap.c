/*
 * hashmap.c - FNV-1a and an open-addressing index. See hashmap.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

uint64_t
hash_str(const char *s)
{
	return hash_bytes(HASH_INIT, s, strlen(s));
}

size_t
hashmap_find(const struct hashmap *m, uint64_t hash, const void *key,
	     hashmap_eq_fn eq)
{
	size_t j;

	if (m->slots == NULL)
		return HASHMAP_NONE;
	for (j = (size_t)hash & m->mask; m->slots[j].index != HASHMAP_NONE;
	     j = (j + 1) & m->mask)
		if (m->slots[j].hash == hash && eq(key, m->slots[j].index))
			return m->slots[j].index;
	return HASHMAP_NONE;
}

/* Place a slot in a table known to have room. */
static void
place(struct hashmap_slot *slots, size_t mask, uint64_t hash, size_t index)
{
	size_t j = (size_t)hash & mask;

	while (slots[j].index != HASHMAP_NONE)
		j = (j + 1) & mask;
	slots[j].hash = hash;
	slots[j].index = index;
}

/* Double the table (at least 64 slots) and place every slot again. */
static void
grow(struct hashmap *m)
{
	size_t size = m->slots != NULL ? (m->mask + 1) * 2 : 64, i;
	struct hashmap_slot *slots = xreallocarray(NULL, size, sizeof(*slots));

	for (i = 0; i < size; i++)
		slots[i].index = HASHMAP_NONE;
	if (m->slots != NULL)
		for (i = 0; i <= m->mask; i++)
			if (m->slots[i].index != HASHMAP_NONE)
				place(slots, size - 1, m->slots[i].hash,
				      m->slots[i].index);
	free(m->slots);
	m->slots = slots;
	m->mask = size - 1;
}

void
hashmap_put(struct hashmap *m, uint64_t hash, size_t index)
{
	if (m->slots == NULL || (m->n + 1) * 2 > m->mask + 1)
		grow(m);
	place(m->slots, m->mask, hash, index);
	m->n++;
}

void
hashmap_clear(struct hashmap *m)
{
	size_t i;

	if (m->slots != NULL)
		for (i = 0; i <= m->mask; i++)
			m->slots[i].index = HASHMAP_NONE;
	m->n = 0;
}

void
hashmap_release(struct hashmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
