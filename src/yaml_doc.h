/*
 * yaml_doc.h - a YAML file read whole by libyaml's loader, and the few
 * lookups a config converter needs. Anchors and aliases are resolved by
 * the loader; a mapping's "<<" merge key is honoured by ymap_get.
 * Only the first document of a stream is read.
 *
 * Not thread-safe per document; documents are independent.
 */
#ifndef HOOKWAVE_YAML_DOC_H
#define HOOKWAVE_YAML_DOC_H

#include <stddef.h>
#include <yaml.h>

#include "util.h"

struct ydoc {
	yaml_document_t doc;
	int loaded;
};

/*
 * Parse `n` bytes of `text`. Returns 0, or -1 with `e` as
 * FILE:LINE: "not YAML: REASON" (`file` borrowed). An empty stream is
 * an error too ("empty"). Release with ydoc_release either way.
 */
int ydoc_load(struct ydoc *d, const char *text, size_t n, const char *file,
	      struct err *e);
void ydoc_release(struct ydoc *d);

yaml_node_t *ydoc_root(struct ydoc *d);

/* 1-based line of a node (0 for NULL). */
unsigned long yline(const yaml_node_t *n);

/* A scalar's text (NUL-terminated by libyaml), or NULL. */
const char *yscalar(const yaml_node_t *n);

/* Is the node a mapping / a sequence? (NULL: no) */
int yis_map(const yaml_node_t *n);
int yis_seq(const yaml_node_t *n);

/* A plain scalar that YAML 1.1/1.2 reads as true / false, or -1. */
int ybool(const yaml_node_t *n);

/* The value of `key` in mapping `map`, through "<<" merges; NULL if none. */
yaml_node_t *ymap_get(struct ydoc *d, yaml_node_t *map, const char *key);

/* Entries of a mapping (direct keys only, in file order). */
size_t ymap_len(const yaml_node_t *map);
yaml_node_t *ymap_key(struct ydoc *d, yaml_node_t *map, size_t i);
yaml_node_t *ymap_value(struct ydoc *d, yaml_node_t *map, size_t i);

/*
 * The scalars of sequence `n` (or `n` itself when it is a scalar) pushed
 * onto `out`; 0 for NULL (nothing pushed), -1 when `n` or an item is
 * neither (what was pushed stays for the caller to release).
 */
int yscalars(struct ydoc *d, yaml_node_t *n, struct strlist *out);

/* Items of a sequence. */
size_t yseq_len(const yaml_node_t *seq);
yaml_node_t *yseq_at(struct ydoc *d, yaml_node_t *seq, size_t i);

#endif
