/*
 * helper.c - a small program the tests run as a hook (make's thelp.pl,
 * libuv's spawn_helper, git's test-tool). Sync on files, never sleeps.
 *
 *   helper beacon FILE            create FILE atomically (FILE.tmp + rename)
 *   helper wait FILE [SECS]       wait until FILE exists, exit 1 after SECS
 *                                 (default 30)
 *   helper spew N [CHAR]          write N bytes of CHAR ('x') to stdout
 *   helper ignore SIG... -- CMD...  set SIGs to SIG_IGN, then exec CMD
 *   helper fork-grandchild SECS   fork a child that keeps stdout and sleeps
 *                                 SECS; print its pid and exit 0 at once
 *   helper print-fds              print own open fds, space-separated
 *   helper print-sigmask          print the SigBlk and SigIgn lines
 *   helper sleep SECS             sleep (fractions allowed)
 *   helper exit N                 exit with status N
 *   helper kill-self SIG          send SIG to itself (exit 1 if it survives)
 *
 * Exit status 2 means bad usage, 127 a failed exec.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "SYS", SIGSYS },
};

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Print a usage or argument error and exit 2. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "helper: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A signal number from "TERM", "SIGTERM" or "15". */
static int
parse_signal(const char *s)
{
	char *end;
	long n;
	size_t i;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n <= 0 || n >= NSIG)
		die("bad signal '%s'", s);
	return (int)n;
}

/* Seconds as a double from a string; dies on junk. */
static double
parse_secs(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(d >= 0))
		die("bad number of seconds '%s'", s);
	return d;
}

/* Seconds on CLOCK_MONOTONIC. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep d seconds, resuming after signals. */
static void
sleep_secs(double d)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

/* write(2) all of buf; exit 1 on error. */
static void
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("helper: write");
			exit(1);
		}
		buf += w;
		n -= (size_t)w;
	}
}

static int
cmd_beacon(int argc, char **argv)
{
	char tmp[4096], pid[32];
	int fd, len;

	if (argc != 3)
		die("usage: %s", "beacon FILE");
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]) >= (int)sizeof(tmp))
		die("path too long: %s", argv[2]);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("helper: beacon");
		return 1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	write_all(fd, pid, (size_t)len);
	if (close(fd) != 0 || rename(tmp, argv[2]) != 0) {
		perror("helper: beacon");
		return 1;
	}
	return 0;
}

static int
cmd_wait(int argc, char **argv)
{
	double limit, end;

	if (argc != 3 && argc != 4)
		die("usage: %s", "wait FILE [SECS]");
	limit = argc == 4 ? parse_secs(argv[3]) : 30;
	end = now() + limit;
	while (access(argv[2], F_OK) != 0) {
		if (now() >= end) {
			fprintf(stderr, "helper: %s did not appear\n", argv[2]);
			return 1;
		}
		sleep_secs(0.01);
	}
	return 0;
}

static int
cmd_spew(int argc, char **argv)
{
	static char buf[64 * 1024];
	unsigned long long n;
	size_t k;
	char *end;

	if (argc != 3 && argc != 4)
		die("usage: %s", "spew N [CHAR]");
	errno = 0;
	n = strtoull(argv[2], &end, 10);
	if (errno != 0 || end == argv[2] || *end != '\0' || argv[2][0] == '-')
		die("bad byte count '%s'", argv[2]);
	memset(buf, argc == 4 ? argv[3][0] : 'x', sizeof(buf));
	while (n > 0) {
		k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		write_all(STDOUT_FILENO, buf, k);
		n -= k;
	}
	return 0;
}

static int
cmd_ignore(int argc, char **argv)
{
	int i;

	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (signal(parse_signal(argv[i]), SIG_IGN) == SIG_ERR)
			die("cannot ignore signal %s", argv[i]);
	if (i + 1 >= argc)
		die("usage: %s", "ignore SIG... -- CMD...");
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "helper: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}

static int
cmd_fork_grandchild(int argc, char **argv)
{
	double secs;
	pid_t pid;

	if (argc != 3)
		die("usage: %s", "fork-grandchild SECS");
	secs = parse_secs(argv[2]);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("helper: fork");
		return 1;
	}
	if (pid == 0) {
		sleep_secs(secs);
		_exit(0);
	}
	printf("%ld\n", (long)pid);
	return 0;
}

/* qsort comparator for ints. */
static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
cmd_print_fds(int argc, char **argv)
{
	int fds[1024], n = 0, i;
	struct dirent *e;
	DIR *d;

	(void)argv;
	if (argc != 2)
		die("usage: %s", "print-fds");
	d = opendir("/proc/self/fd");
	if (d == NULL) {
		perror("helper: /proc/self/fd");
		return 1;
	}
	while ((e = readdir(d)) != NULL && n < 1024) {
		if (e->d_name[0] == '.')
			continue;
		fds[n] = atoi(e->d_name);
		if (fds[n] != dirfd(d))
			n++;
	}
	closedir(d);
	qsort(fds, (size_t)n, sizeof(int), cmp_int);
	for (i = 0; i < n; i++)
		printf("%s%d", i ? " " : "", fds[i]);
	printf("\n");
	return 0;
}

static int
cmd_print_sigmask(int argc, char **argv)
{
	char line[512];
	FILE *f;

	(void)argv;
	if (argc != 2)
		die("usage: %s", "print-sigmask");
	f = fopen("/proc/self/status", "re");
	if (f == NULL) {
		perror("helper: /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "SigBlk:", 7) == 0 ||
		    strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, stdout);
	fclose(f);
	return 0;
}

static int
cmd_sleep(int argc, char **argv)
{
	if (argc != 3)
		die("usage: %s", "sleep SECS");
	sleep_secs(parse_secs(argv[2]));
	return 0;
}

static int
cmd_exit(int argc, char **argv)
{
	if (argc != 3)
		die("usage: %s", "exit N");
	return atoi(argv[2]) & 0xff;
}

static int
cmd_kill_self(int argc, char **argv)
{
	if (argc != 3)
		die("usage: %s", "kill-self SIG");
	kill(getpid(), parse_signal(argv[2]));
	fprintf(stderr, "helper: still alive after SIG%s\n", argv[2]);
	return 1;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{ "beacon", cmd_beacon },
	{ "wait", cmd_wait },
	{ "spew", cmd_spew },
	{ "ignore", cmd_ignore },
	{ "fork-grandchild", cmd_fork_grandchild },
	{ "print-fds", cmd_print_fds },
	{ "print-sigmask", cmd_print_sigmask },
	{ "sleep", cmd_sleep },
	{ "exit", cmd_exit },
	{ "kill-self", cmd_kill_self },
};

int
main(int argc, char **argv)
{
	size_t i;

	if (argc >= 2)
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (strcmp(argv[1], cmds[i].name) == 0)
				return cmds[i].fn(argc, argv);
	fprintf(stderr, "usage: helper beacon|wait|spew|ignore|"
	    "fork-grandchild|print-fds|print-sigmask|sleep|exit|kill-self"
	    " ARGS...\n");
	return 2;
}
