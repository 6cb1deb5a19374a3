/* orphans.c - adopt what hooks leave behind, and end it after the run. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "orphans.h"
#include "util.h"

#define ROUNDS 8

int
orphans_adopt(void)
{
#if defined(HAVE_PRCTL) && defined(PR_SET_CHILD_SUBREAPER)
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -1;
#else
	return -1;
#endif
}

/* The ppid field of /proc/PID/stat (after the parenthesised name). */
static pid_t
parent_of(const char *pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;
	long ppid;

	/* A pid has at most 10 digits; anything longer is no process. */
	if (strlen(pid) > 20)
		return -1;
	snprintf(path, sizeof(path), "/proc/%.20s/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Our children, from /proc; a malloc'd array of *n pids. */
static pid_t *
children(size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid(), *v = NULL;
	size_t alloc = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (parent_of(e->d_name) != self)
			continue;
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[(*n)++] = (pid_t)atol(e->d_name);
	}
	closedir(d);
	return v;
}

static void
signal_tree(pid_t pid, int sig)
{
	/* Its own group, if it leads one (a setsid daemon does). */
	if (getpgid(pid) == pid && pid != getpgrp())
		(void)kill(-pid, sig);
	(void)kill(pid, sig);
}

size_t
orphans_end(double grace)
{
	size_t total = 0, n, i;
	int round;

	for (round = 0; round < ROUNDS; round++) {
		pid_t *v;
		double until;
		siginfo_t si;

		/* No child at all (the usual case): no need to read /proc,
		   which costs a file per process on the machine. */
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 &&
		    errno == ECHILD)
			break;
		v = children(&n);

		if (n == 0) {
			free(v);
			break;
		}
		total += n;
		for (i = 0; i < n; i++) {
			signal_tree(v[i], SIGTERM);
			signal_tree(v[i], SIGCONT);
		}
		until = now_monotonic() + grace;
		for (;;) {
			size_t left = 0;

			for (i = 0; i < n; i++) {
				if (v[i] == 0)
					continue;
				pid_t r = waitpid(v[i], NULL, WNOHANG);

				if (r == v[i] || (r < 0 && errno == ECHILD))
					v[i] = 0;
				else
					left++;
			}
			if (left == 0 || now_monotonic() >= until)
				break;
			{
				struct timespec ts = { 0, 10 * 1000 * 1000 };
				nanosleep(&ts, NULL);
			}
		}
		for (i = 0; i < n; i++) {
			if (v[i] == 0)
				continue;
			signal_tree(v[i], SIGKILL);
			while (waitpid(v[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
		free(v);
	}
	return total;
}
