/*
 * file_tags.h - which of the run's files a hook's types and regular
 * expressions let through (hookwave.ini(5): types, exclude_types,
 * files_regex, exclude_regex), with each file's type tags (filetype.h)
 * found at most once per run, however many hooks ask.
 *
 * A file's tags are found in two steps, each done at most once: an
 * lstat(2) for its kind and mode (a file is `executable` when any of
 * its execute bits is set, as git records it), when a hook with types
 * first asks about it; and a read of its first FILETYPE_HEAD bytes,
 * only when a hook asks for a tag that the name and mode could not
 * settle (`text`, `binary`, or a language for an executable file
 * whose name says nothing). Hooks without types stat and read nothing.
 *
 * Paths are relative to the current directory (the run directory).
 * From one thread at a time (the main thread, before the run).
 */
#ifndef HOOKWAVE_FILE_TAGS_H
#define HOOKWAVE_FILE_TAGS_H

#include <stddef.h>

#include "conf.h"
#include "filetype.h"

struct file_tags {
	filetype_tags *known;   /* per file: its tags so far */
	unsigned char *step;    /* per file: 0 nothing done, 1 lstat'ed,
				   2 head read too */
	size_t n;
	size_t stats;           /* lstat calls made */
	size_t heads;           /* heads read */
};

/* Room for the n files of a run's list, nothing known yet. */
void file_tags_init(struct file_tags *ft, size_t n);

void file_tags_release(struct file_tags *ft);

/*
 * The tags of file `i` of the run's list, at `path`, enough to settle
 * every tag of `want`: the head is read only when it could add one of
 * them. A file that cannot be lstat'ed has none.
 */
filetype_tags file_tags_get(struct file_tags *ft, size_t i, const char *path,
			    filetype_tags want);

/*
 * Whether hook `h` keeps file `i` at `path`, by its files_regex and
 * types (when set: the file must match them) and its exclude_regex
 * and exclude_types (it must match none). Its glob patterns are
 * files_select()'s (files.h), not looked at here.
 */
int file_tags_keep(struct file_tags *ft, const struct conf_hook *h,
		   size_t i, const char *path);

#endif
