/*
 * yaml_doc.c - YAML through libyaml's loader; see yaml_doc.h.
 */
#include "yaml_doc.h"

#include <string.h>
#include <strings.h>

int
ydoc_load(struct ydoc *d, const char *text, size_t n, const char *file,
	  struct err *e)
{
	yaml_parser_t parser;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	if (!yaml_parser_initialize(&parser))
		return err_set(e, file, 0, "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &d->doc)) {
		const char *what = parser.problem != NULL ? parser.problem :
			"cannot be read";

		rc = err_set(e, file, (unsigned long)parser.problem_mark.line + 1,
			     "not YAML: %s%s%s", what,
			     parser.context != NULL ? " " : "",
			     parser.context != NULL ? parser.context : "");
	} else {
		d->loaded = 1;
		if (yaml_document_get_root_node(&d->doc) == NULL)
			rc = err_set(e, file, 0, "empty");
	}
	yaml_parser_delete(&parser);
	return rc;
}

void
ydoc_release(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = 0;
}

yaml_node_t *
ydoc_root(struct ydoc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

unsigned long
yline(const yaml_node_t *n)
{
	return n != NULL ? (unsigned long)n->start_mark.line + 1 : 0;
}

const char *
yscalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ?
		(const char *)n->data.scalar.value : NULL;
}

int
yis_map(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_MAPPING_NODE;
}

int
yis_seq(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SEQUENCE_NODE;
}

int
ybool(const yaml_node_t *n)
{
	static const char *const yes[] = { "true", "yes", "on", "y" };
	static const char *const no[] = { "false", "no", "off", "n" };
	const char *s = yscalar(n);
	size_t i;

	if (s == NULL || n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return -1;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

size_t
ymap_len(const yaml_node_t *map)
{
	return yis_map(map) ? (size_t)(map->data.mapping.pairs.top -
				       map->data.mapping.pairs.start) : 0;
}

yaml_node_t *
ymap_key(struct ydoc *d, yaml_node_t *map, size_t i)
{
	return yaml_document_get_node(&d->doc, map->data.mapping.pairs.start[i].key);
}

yaml_node_t *
ymap_value(struct ydoc *d, yaml_node_t *map, size_t i)
{
	return yaml_document_get_node(&d->doc, map->data.mapping.pairs.start[i].value);
}

size_t
yseq_len(const yaml_node_t *seq)
{
	return yis_seq(seq) ? (size_t)(seq->data.sequence.items.top -
				       seq->data.sequence.items.start) : 0;
}

yaml_node_t *
yseq_at(struct ydoc *d, yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(&d->doc, seq->data.sequence.items.start[i]);
}

/*
 * depth and budget bound "<<" chains: a merge may name mappings that
 * merge again, and aliases make that a graph, not a tree.
 */
static yaml_node_t *
get(struct ydoc *d, yaml_node_t *map, const char *key, int depth,
    unsigned *budget)
{
	yaml_node_t *merge = NULL;
	size_t i, n = ymap_len(map);

	if (*budget == 0)
		return NULL;
	--*budget;

	for (i = 0; i < n; i++) {
		const char *k = yscalar(ymap_key(d, map, i));

		if (k == NULL)
			continue;
		if (strcmp(k, key) == 0)
			return ymap_value(d, map, i);
		if (strcmp(k, "<<") == 0)
			merge = ymap_value(d, map, i);
	}
	if (merge == NULL || depth > 8)
		return NULL;
	if (yis_map(merge))
		return get(d, merge, key, depth + 1, budget);
	for (i = 0; i < yseq_len(merge); i++) {
		yaml_node_t *v = get(d, yseq_at(d, merge, i), key, depth + 1,
				     budget);

		if (v != NULL)
			return v;
	}
	return NULL;
}

yaml_node_t *
ymap_get(struct ydoc *d, yaml_node_t *map, const char *key)
{
	unsigned budget = 256;

	return get(d, map, key, 0, &budget);
}

int
yscalars(struct ydoc *d, yaml_node_t *n, struct strlist *out)
{
	size_t i;

	if (n == NULL)
		return 0;
	if (yscalar(n) != NULL) {
		strlist_push(out, yscalar(n));
		return 0;
	}
	if (!yis_seq(n))
		return -1;
	for (i = 0; i < yseq_len(n); i++) {
		const char *s = yscalar(yseq_at(d, n, i));

		if (s == NULL)
			return -1;
		strlist_push(out, s);
	}
	return 0;
}
