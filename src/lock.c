/* lock.c - flock on the run directory, and who holds it. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lock.h"

/* The pid holding a FLOCK on (dev, ino), from /proc/locks; 0 if unknown. */
static pid_t
find_holder(dev_t dev, ino_t ino)
{
	char line[512], want[64];
	FILE *f = fopen("/proc/locks", "re");
	pid_t pid = 0;

	if (f == NULL)
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%lu", major(dev), minor(dev),
		 (unsigned long)ino);
	while (fgets(line, sizeof(line), f) != NULL) {
		char type[16], kind[16], mode[16], id[64];
		long p;

		/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" */
		if (sscanf(line, "%*s %15s %15s %15s %ld %63s", type, kind, mode,
			   &p, id) != 5)
			continue;
		if (strcmp(type, "FLOCK") == 0 && strcmp(id, want) == 0 && p > 0) {
			pid = (pid_t)p;
			break;
		}
	}
	fclose(f);
	return pid;
}

int
lock_dir(const char *dir, pid_t *holder)
{
	struct stat st;
	int fd, saved;

	*holder = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		saved = errno;
		if (saved == EWOULDBLOCK && fstat(fd, &st) == 0)
			*holder = find_holder(st.st_dev, st.st_ino);
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
