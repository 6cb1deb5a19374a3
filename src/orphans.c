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

/* The children hookwave had at orphans_adopt(): not the run's. */
static pid_t *inherited;
static size_t ninherited;

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

/* Append pid to the array *v of *n (room for *alloc). */
static void
push_pid(pid_t **v, size_t *n, size_t *alloc, pid_t pid)
{
	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 16;
		*v = xreallocarray(*v, *alloc, sizeof(**v));
	}
	(*v)[(*n)++] = pid;
}

/*
 * Our children from /proc/self/task/TID/children, one file per thread
 * (a child belongs to the thread that made it, or was handed it):
 * cheap, but only with CONFIG_PROC_CHILDREN. Returns -1 without it.
 */
static int
children_of_tasks(pid_t **v, size_t *n, size_t *alloc)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int ok = -1;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[64];
		FILE *f;
		long pid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    strlen(e->d_name) > 20)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.20s/children",
			 e->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;       /* no such file, or the thread is gone */
		ok = 0;
		while (fscanf(f, "%ld", &pid) == 1)
			if (pid > 0)
				push_pid(v, n, alloc, (pid_t)pid);
		fclose(f);
	}
	closedir(d);
	return ok;
}

/*
 * Our children; a malloc'd array of *n pids. Without the task files,
 * from a scan of /proc, which costs a file per process on the machine.
 */
static pid_t *
children(size_t *n)
{
	struct dirent *e;
	pid_t self = getpid(), *v = NULL;
	size_t alloc = 0;
	DIR *d;

	*n = 0;
	if (children_of_tasks(&v, n, &alloc) == 0)
		return v;
	if ((d = opendir("/proc")) == NULL)
		return v;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (parent_of(e->d_name) != self)
			continue;
		push_pid(&v, n, &alloc, (pid_t)atol(e->d_name));
	}
	closedir(d);
	return v;
}

/* Whether we have no child at all (zombies count): no need for /proc. */
static int
childless(void)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 &&
	       errno == ECHILD;
}

static int
was_inherited(pid_t pid)
{
	size_t i;

	for (i = 0; i < ninherited; i++)
		if (inherited[i] == pid)
			return 1;
	return 0;
}

int
orphans_adopt(void)
{
	/*
	 * Children we have before the run were started by whoever exec'd
	 * us. We never reap them, so their pids cannot be reused by the
	 * time orphans_end() compares: a pid on this list is that process.
	 */
	free(inherited);
	inherited = NULL;
	ninherited = 0;
	if (!childless())
		inherited = children(&ninherited);
#if defined(HAVE_PRCTL) && defined(PR_SET_CHILD_SUBREAPER)
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -1;
#else
	return -1;
#endif
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
	size_t total = 0, n, i, k;
	int round, saved = errno;

	for (round = 0; round < ROUNDS; round++) {
		pid_t *v;
		double until;

		/* No child at all (the usual case): no need to list them. */
		if (childless())
			break;
		v = children(&n);
		for (i = k = 0; i < n; i++)
			if (!was_inherited(v[i]))
				v[k++] = v[i];
		n = k;
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
	errno = saved;
	return total;
}
