/*
 * file_tags.c - a run's files' type tags, found on demand, and the
 * type and regex filters of hooks. See file_tags.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_tags.h"
#include "util.h"

void
file_tags_init(struct file_tags *ft, size_t n)
{
	ft->known = xcalloc(n + 1, sizeof(*ft->known));
	ft->step = xcalloc(n + 1, 1);
	ft->n = n;
	ft->stats = 0;
	ft->heads = 0;
}

void
file_tags_release(struct file_tags *ft)
{
	free(ft->known);
	free(ft->step);
	ft->known = NULL;
	ft->step = NULL;
	ft->n = 0;
}

/* Up to FILETYPE_HEAD bytes of the regular file at `path`; -1 if it
   cannot be read. */
static ssize_t
read_head(const char *path, unsigned char *buf)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < FILETYPE_HEAD) {
		r = read(fd, buf + got, FILETYPE_HEAD - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (ssize_t)got;
}

filetype_tags
file_tags_get(struct file_tags *ft, size_t i, const char *path,
	      filetype_tags want)
{
	unsigned char head[FILETYPE_HEAD];
	struct stat st;
	ssize_t len;
	int exec;

	if (ft->step[i] == 0) {
		ft->step[i] = 1;
		ft->stats++;
		if (lstat(path, &st) != 0)
			ft->step[i] = 2;        /* gone: no tags, ever */
		else if (S_ISLNK(st.st_mode))
			ft->known[i] = filetype_of(path, FILETYPE_SYMLINK, 0,
						   NULL, 0);
		else if (S_ISREG(st.st_mode))
			ft->known[i] = filetype_of(path, FILETYPE_REGULAR,
				(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0,
				NULL, 0);
		else
			ft->step[i] = 2;
	}
	if (ft->step[i] == 1 && (filetype_head_adds(ft->known[i]) & want)) {
		ft->step[i] = 2;
		ft->heads++;
		exec = (ft->known[i] & filetype_tag("executable")) != 0;
		len = read_head(path, head);
		if (len >= 0)
			ft->known[i] = filetype_of(path, FILETYPE_REGULAR, exec,
						   head, (size_t)len);
	}
	return ft->known[i];
}

/* Every tag any alternative of `t` names. */
static filetype_tags
wanted(const struct conf_types *t)
{
	filetype_tags w = 0;
	size_t k;

	for (k = 0; k < t->n; k++)
		w |= t->alts[k];
	return w;
}

int
file_tags_keep(struct file_tags *ft, const struct conf_hook *h, size_t i,
	       const char *path)
{
	filetype_tags tags;

	if (h->files_regex.re != NULL &&
	    regexec(h->files_regex.re, path, 0, NULL, 0) != 0)
		return 0;
	if (h->exclude_regex.re != NULL &&
	    regexec(h->exclude_regex.re, path, 0, NULL, 0) == 0)
		return 0;
	if (h->types.n == 0 && h->exclude_types.n == 0)
		return 1;
	tags = file_tags_get(ft, i, path, wanted(&h->types) |
			     wanted(&h->exclude_types));
	if (h->types.n > 0 && !filetype_match(tags, h->types.alts,
					      h->types.n))
		return 0;
	return !filetype_match(tags, h->exclude_types.alts,
			       h->exclude_types.n);
}
