/*
 * check_proc.c - unit tests for proc.c: spawning, capture, deadlines,
 * process groups, errors, cancellation and concurrency.
 *
 * Hooks are /bin/sh scripts and the test helper (tests/helper, found
 * through HOOKWAVE_TEST_HELPER). Tests sync on files, never on sleeps,
 * and time bounds only prove that a kill happened, not speed.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "proc.h"

static char helper[PATH_MAX];
static char tmpdir[PATH_MAX];
static char env_helper[PATH_MAX + 16];
static char env_dir[PATH_MAX + 16];
static char env_path[] = "PATH=/usr/local/bin:/usr/bin:/bin";

/* Output collected from on_output. */
struct capture {
	char *buf;
	size_t len, cap;
};

/* on_output: append to a struct capture (NUL-terminated). */
static void
capture_fn(void *ctx, const char *buf, size_t n)
{
	struct capture *c = ctx;

	ck_assert_uint_gt(n, 0);
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = realloc(c->buf, c->cap);
		ck_assert_ptr_nonnull(c->buf);
	}
	memcpy(c->buf + c->len, buf, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

/* The captured text, "" if nothing came. */
static const char *
text(const struct capture *c)
{
	return c->buf != NULL ? c->buf : "";
}

/* A spec for `sh -c script` with $H (the helper) and $D (tmpdir) set. */
static void
sh_spec(struct proc_spec *s, char **argv, char **envp, const char *script,
    struct capture *out)
{
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)script;
	argv[3] = NULL;
	envp[0] = env_path;
	envp[1] = env_helper;
	envp[2] = env_dir;
	envp[3] = NULL;
	memset(s, 0, sizeof(*s));
	s->path = "/bin/sh";
	s->argv = argv;
	s->envp = envp;
	s->cwd = NULL;
	s->timeout = 30;
	s->kill_grace = 5;
	s->cancel_fd = -1;
	s->kill_fd = -1;
	s->on_output = capture_fn;
	s->ctx = out;
}

/* Run `sh -c script` with a timeout and kill grace; output into *out. */
static int
run_sh(const char *script, double timeout, double grace,
    struct capture *out, struct proc_result *r)
{
	struct proc_spec s;
	char *argv[4], *envp[4];

	sh_spec(&s, argv, envp, script, out);
	s.timeout = timeout;
	s.kill_grace = grace;
	return proc_run(&s, r);
}

/* Run the helper with up to three arguments; output into *out. */
static int
run_helper(const char *a1, const char *a2, const char *a3,
    struct capture *out, struct proc_result *r)
{
	struct proc_spec s;
	char *argv[5], *envp[4];

	sh_spec(&s, argv, envp, "", out);
	argv[0] = helper;
	argv[1] = (char *)a1;
	argv[2] = (char *)a2;
	argv[3] = (char *)a3;
	argv[4] = NULL;
	s.path = helper;
	return proc_run(&s, r);
}

/* Number of open fds in this process. */
static int
count_fds(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

#ifndef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
/* qsort comparator for ints. */
static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}
#endif

/*
 * What the helper's print-fds should print in a child spawned now:
 * "0 1 2\n", plus (without addclosefrom_np) every fd above 2 that this
 * process holds without FD_CLOEXEC, since those do leak.
 */
static void
expected_fds(char *buf, size_t size)
{
	size_t len;

	snprintf(buf, size, "0 1 2");
#ifndef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	{
		int fds[1024], n = 0, i, fd;
		struct dirent *e;
		DIR *d;

		d = opendir("/proc/self/fd");
		ck_assert_ptr_nonnull(d);
		while ((e = readdir(d)) != NULL && n < 1024) {
			fd = atoi(e->d_name);
			if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
				continue;
			if ((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0)
				fds[n++] = fd;
		}
		closedir(d);
		qsort(fds, (size_t)n, sizeof(int), cmp_int);
		for (i = 0; i < n; i++) {
			len = strlen(buf);
			snprintf(buf + len, size - len, " %d", fds[i]);
		}
	}
#endif
	len = strlen(buf);
	snprintf(buf + len, size - len, "\n");
}

/* Sleep a few milliseconds (only in poll-until loops). */
static void
nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Is pid gone or a zombie (killed, waiting for init to reap it)? */
static int
dead(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int n;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 1;
	n = (int)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X';
}

/* Wait (up to 10 s) for pid to be dead; the kill is asynchronous. */
static int
dies(pid_t pid)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (dead(pid))
			return 1;
		nap();
	}
	return 0;
}

/* A path inside this test's temporary directory. */
static const char *
tmp_path(const char *name)
{
	static char path[PATH_MAX + 256];

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", tmpdir, name),
	    (int)sizeof(path));
	return path;
}

/* Fixture: a fresh temporary directory per test, exported as $D. */
static void
setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_proc.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(env_dir, sizeof(env_dir), "D=%s", tmpdir);
}

/* Fixture: remove the temporary directory (flat) and what is in it. */
static void
teardown(void)
{
	struct dirent *e;
	DIR *d;

	d = opendir(tmpdir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(tmp_path(e->d_name));
	closedir(d);
	rmdir(tmpdir);
}

/* ---- core ------------------------------------------------------------ */

START_TEST(test_exit_codes)
{
	static const int codes[] = { 0, 1, 2, 3, 124, 127, 137, 255 };
	struct capture out = { 0 };
	struct proc_result r;
	char script[64];
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(script, sizeof(script), "exit %d", codes[i]);
		ck_assert_int_eq(run_sh(script, 30, 5, &out, &r), 0);
		ck_assert_int_eq(r.outcome, PROC_EXITED);
		ck_assert_int_eq(r.exit_code, codes[i]);
		ck_assert_int_eq(r.signal, 0);
		ck_assert_int_eq(r.stage, PROC_STAGE_NONE);
		ck_assert_int_gt(r.pid, 0);
		ck_assert(r.start > 0);
		ck_assert(r.duration >= 0);
	}
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

START_TEST(test_output_order)
{
	struct capture out = { 0 };
	struct proc_result r;

	ck_assert_int_eq(run_sh("echo 1; echo 2 >&2; echo 3", 30, 5, &out, &r),
	    0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_str_eq(text(&out), "1\n2\n3\n");
	free(out.buf);
}
END_TEST

START_TEST(test_no_output_callback)
{
	struct proc_spec s;
	struct proc_result r;
	char *argv[4], *envp[4];

	sh_spec(&s, argv, envp, "echo discarded; exit 4", NULL);
	s.on_output = NULL;
	ck_assert_int_eq(proc_run(&s, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 4);
}
END_TEST

START_TEST(test_stdin_devnull)
{
	struct capture out = { 0 };
	struct proc_result r;
	int p[2];

	/* Our own stdin becomes a pipe nobody writes to (the write end
	 * stays open): a hook that inherited it would block in cat until
	 * its timeout. */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	ck_assert_int_eq(run_sh("cat; read x; echo $?", 10, 1, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(text(&out), "1\n");
	free(out.buf);
	out = (struct capture){ 0 };

	ck_assert_int_eq(run_sh("readlink /proc/self/fd/0", 30, 1, &out, &r),
	    0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_str_eq(text(&out), "/dev/null\n");
	free(out.buf);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_only_std_fds)
{
	struct capture out = { 0 };
	struct proc_result r;
	char want[4096], fdstr[32];
	int leaky, tight;

	/* One fd without O_CLOEXEC (only closefrom keeps it out), one with. */
	leaky = open("/dev/null", O_RDONLY);
	tight = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(leaky, 3);
	ck_assert_int_ge(tight, 3);
	ck_assert_int_eq(run_helper("print-fds", NULL, NULL, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 0);
	/* Without addclosefrom_np the fd without O_CLOEXEC does leak (and
	 * this checks that it does, and nothing else): then the rest of
	 * hookwave must open every fd with O_CLOEXEC. */
	expected_fds(want, sizeof(want));
	ck_assert_str_eq(text(&out), want);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	ck_assert_str_eq(want, "0 1 2\n");
#endif
	snprintf(fdstr, sizeof(fdstr), " %d", tight);
	ck_assert_ptr_null(strstr(text(&out), fdstr));
	close(leaky);
	close(tight);
	free(out.buf);
}
END_TEST

START_TEST(test_signals_reset)
{
	struct capture out = { 0 };
	struct proc_result r;
	struct sigaction sa;
	sigset_t set;

	/* What hookwave itself does, and worse. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	ck_assert_int_eq(sigaction(SIGINT, &sa, NULL), 0);
	ck_assert_int_eq(sigaction(SIGPIPE, &sa, NULL), 0);
	ck_assert_int_eq(sigaction(SIGHUP, &sa, NULL), 0);

	ck_assert_int_eq(run_helper("print-sigmask", NULL, NULL, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_str_eq(text(&out),
	    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	free(out.buf);
}
END_TEST

START_TEST(test_env_exact)
{
	struct capture out = { 0 };
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	char *env2[] = { (char *)"HW_A=1", (char *)"HW_B=two words", NULL };
	char *argv2[] = { (char *)"env", NULL };

	sh_spec(&s, argv, envp, "", &out);
	s.path = "/usr/bin/env";
	s.argv = argv2;
	s.envp = env2;
	ck_assert_int_eq(proc_run(&s, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_str_eq(text(&out), "HW_A=1\nHW_B=two words\n");
	free(out.buf);
}
END_TEST

START_TEST(test_cwd)
{
	struct capture out = { 0 };
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	char before[PATH_MAX], after[PATH_MAX], real[PATH_MAX];
	char want[PATH_MAX + 2];

	ck_assert_ptr_nonnull(getcwd(before, sizeof(before)));
	ck_assert_ptr_nonnull(realpath(tmpdir, real));
	sh_spec(&s, argv, envp, "pwd -P", &out);
	s.cwd = tmpdir;
	snprintf(want, sizeof(want), "%s\n", real);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
	ck_assert_int_eq(proc_run(&s, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_str_eq(text(&out), want);
#else
	/* No way to chdir in the child without moving every thread. */
	ck_assert_int_eq(proc_run(&s, &r), -1);
	ck_assert_int_eq(r.outcome, PROC_ERROR);
	ck_assert_int_eq(r.stage, PROC_STAGE_CWD);
	ck_assert_int_eq(r.error, ENOSYS);
#endif
	/* The parent's cwd is left alone. */
	ck_assert_ptr_nonnull(getcwd(after, sizeof(after)));
	ck_assert_str_eq(before, after);
	free(out.buf);
}
END_TEST

/* ---- signals --------------------------------------------------------- */

START_TEST(test_killed_by_signal)
{
	struct capture out = { 0 };
	struct proc_result r;

	ck_assert_int_eq(run_sh("kill -SEGV $$", 30, 5, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_SIGNALED);
	ck_assert_int_eq(r.signal, SIGSEGV);
	ck_assert_int_eq(r.exit_code, -1);

	ck_assert_int_eq(run_sh("kill -INT $$", 30, 5, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_SIGNALED);
	ck_assert_int_eq(r.signal, SIGINT);

	ck_assert_int_eq(run_helper("kill-self", "TERM", NULL, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_SIGNALED);
	ck_assert_int_eq(r.signal, SIGTERM);
	ck_assert_int_eq(r.exit_code, -1);
	free(out.buf);
}
END_TEST

static volatile sig_atomic_t usr1_count;

/* SIGUSR1 handler for the EINTR test: count, nothing else. */
static void
on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

struct pester {
	pthread_t target;
	int stop;               /* under mu */
	pthread_mutex_t mu;
};

/* Thread: interrupt `target` with SIGUSR1 until told to stop; after a
 * few hundred signals, create $D/go so the hook may exit. */
static void *
pester_main(void *arg)
{
	struct pester *p = arg;
	int i, stop, fd;

	for (i = 0;; i++) {
		pthread_mutex_lock(&p->mu);
		stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		pthread_kill(p->target, SIGUSR1);
		if (i == 300) {
			fd = open(tmp_path("go"), O_WRONLY | O_CREAT | O_CLOEXEC,
			    0644);
			ck_assert_int_ge(fd, 0);
			close(fd);
		}
		{
			struct timespec ts = { 0, 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

START_TEST(test_eintr)
{
	struct pester p = { .stop = 0, .mu = PTHREAD_MUTEX_INITIALIZER };
	struct capture out = { 0 };
	struct proc_result r;
	struct sigaction sa;
	pthread_t t;

	/* No SA_RESTART: every signal interrupts poll/read/waitpid. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	p.target = pthread_self();
	ck_assert_int_eq(pthread_create(&t, NULL, pester_main, &p), 0);
	ck_assert_int_eq(run_sh("echo a; \"$H\" wait \"$D/go\"; echo b; exit 7",
	    60, 5, &out, &r), 0);
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_mutex_unlock(&p.mu);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 7);
	ck_assert_str_eq(text(&out), "a\nb\n");
	ck_assert_int_gt(usr1_count, 100);
	free(out.buf);
}
END_TEST

/* ---- timeout ---------------------------------------------------------- */

START_TEST(test_timeout)
{
	struct capture out = { 0 };
	struct proc_result r;

	ck_assert_int_eq(run_sh("echo started; sleep 100", 0.3, 1, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_TIMEOUT);
	ck_assert_int_eq(r.signal, SIGTERM);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_str_eq(text(&out), "started\n");
	ck_assert(r.duration >= 0.3);
	ck_assert_msg(r.duration < 0.3 + 1 + 5, "duration %f", r.duration);
	free(out.buf);
}
END_TEST

START_TEST(test_timeout_term_ignored)
{
	struct capture out = { 0 };
	struct proc_result r;
	long pid;

	/* The group SIGKILL also catches the sleep (which ignores TERM too). */
	ck_assert_int_eq(run_sh("trap '' TERM; sleep 100 & echo $!; wait",
	    0.2, 0.3, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_TIMEOUT);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert(r.duration >= 0.2 + 0.3);
	ck_assert_msg(r.duration < 0.2 + 0.3 + 5, "duration %f", r.duration);
	pid = strtol(text(&out), NULL, 10);
	ck_assert_int_gt(pid, 1);
	ck_assert(dies((pid_t)pid));
	free(out.buf);
}
END_TEST

START_TEST(test_timeout_stopped)
{
	struct capture out = { 0 };
	struct proc_result r;

	/* Only SIGCONT lets the stopped shell run its TERM trap. */
	ck_assert_int_eq(run_sh("trap 'echo bye > \"$D/f\"; exit' TERM; "
	    "kill -STOP $$", 0.3, 20, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_TIMEOUT);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_int_eq(access(tmp_path("f"), F_OK), 0);
	free(out.buf);
}
END_TEST

START_TEST(test_no_timeout)
{
	struct capture out = { 0 };
	struct proc_result r;

	ck_assert_int_eq(run_sh("sleep 0.5; exit 5", 0, 0.1, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 5);
	ck_assert(r.duration >= 0.5);
}
END_TEST

/* ---- grandchild ------------------------------------------------------ */

START_TEST(test_grandchild_holds_pipe)
{
	struct capture out = { 0 };
	struct proc_result r;
	long pid;

	ck_assert_int_eq(run_sh("sleep 1000 & echo $!; echo up", 0, 30, &out,
	    &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.duration < 10, "duration %f", r.duration);
	ck_assert_ptr_nonnull(strstr(text(&out), "\nup\n"));
	pid = strtol(text(&out), NULL, 10);
	ck_assert_int_gt(pid, 1);
	ck_assert(dies((pid_t)pid));
	free(out.buf);
}
END_TEST

START_TEST(test_grandchild_ignores_term)
{
	struct capture out = { 0 };
	struct proc_result r;
	long pid;

	/* The grandchild ignores TERM and holds the pipe: the post-exit
	 * grace is short and bounded, far below kill_grace (30 s). The
	 * beacon says it ignores TERM by now; $! stays its pid (exec). */
	ck_assert_int_eq(run_sh("\"$H\" ignore TERM -- sh -c "
	    "'\"$H\" beacon \"$D/ready\"; exec sleep 1000' & "
	    "\"$H\" wait \"$D/ready\" && echo $!", 0, 30, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.duration < 10, "duration %f", r.duration);
	pid = strtol(text(&out), NULL, 10);
	ck_assert_int_gt(pid, 1);
	ck_assert(dies((pid_t)pid));
	free(out.buf);
}
END_TEST

START_TEST(test_fork_grandchild)
{
	struct capture out = { 0 };
	struct proc_result r;
	long pid;

	ck_assert_int_eq(run_helper("fork-grandchild", "1000", NULL, &out, &r),
	    0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 0);
	pid = strtol(text(&out), NULL, 10);
	ck_assert_int_gt(pid, 1);
	ck_assert(dies((pid_t)pid));
	free(out.buf);
}
END_TEST

START_TEST(test_closed_output_waits_for_exit)
{
	struct capture out = { 0 };
	struct proc_result r;

	ck_assert_int_eq(run_sh("echo x; exec >&- 2>&-; sleep 1; exit 3", 30,
	    5, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert(r.duration >= 1);
	ck_assert_str_eq(text(&out), "x\n");
	free(out.buf);
}
END_TEST

/* ---- errors ---------------------------------------------------------- */

START_TEST(test_bad_cwd)
{
	struct capture out = { 0 };
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	int before = count_fds(), fd;

	sh_spec(&s, argv, envp, "exit 0", &out);
	s.cwd = tmp_path("missing");
	ck_assert_int_eq(proc_run(&s, &r), -1);
	ck_assert_int_eq(r.outcome, PROC_ERROR);
	ck_assert_int_eq(r.stage, PROC_STAGE_CWD);
	ck_assert_int_eq(r.error, ENOENT);
	ck_assert_int_eq(r.pid, 0);
	ck_assert_int_eq(r.exit_code, -1);

	fd = open(tmp_path("file"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	s.cwd = tmp_path("file");
	ck_assert_int_eq(proc_run(&s, &r), -1);
	ck_assert_int_eq(r.stage, PROC_STAGE_CWD);
	ck_assert_int_eq(r.error, ENOTDIR);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(test_spawn_fails)
{
	struct capture out = { 0 };
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	int before = count_fds(), fd;

	sh_spec(&s, argv, envp, "exit 0", &out);
	s.path = "/nonexistent/hookwave-test";
	ck_assert_int_eq(proc_run(&s, &r), -1);
	ck_assert_int_eq(r.outcome, PROC_ERROR);
	ck_assert_int_eq(r.stage, PROC_STAGE_SPAWN);
	ck_assert_int_eq(r.error, ENOENT);
	ck_assert_int_eq(r.pid, 0);

	/* Not executable (EACCES even for root: no x bit at all). */
	fd = open(tmp_path("noexec"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	s.path = tmp_path("noexec");
	ck_assert_int_eq(proc_run(&s, &r), -1);
	ck_assert_int_eq(r.stage, PROC_STAGE_SPAWN);
	ck_assert_int_eq(r.error, EACCES);

	ck_assert_int_eq(count_fds(), before);
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

START_TEST(test_command_not_found)
{
	struct capture out = { 0 };
	struct proc_result r;

	/* Not found inside sh -c is the shell's 127, not an error here. */
	ck_assert_int_eq(run_sh("hookwave-no-such-command", 30, 5, &out, &r),
	    0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 127);
	free(out.buf);
}
END_TEST

START_TEST(test_sigchld_ignored)
{
	struct capture out = { 0 };
	struct proc_result r;

	/* SIGCHLD at SIG_IGN makes the kernel reap children itself: the
	 * status is lost, which is reported rather than made up (main.c
	 * must reset SIGCHLD to SIG_DFL). It must not hang either. */
	signal(SIGCHLD, SIG_IGN);
	ck_assert_int_eq(run_sh("echo hi; exit 3", 30, 5, &out, &r), -1);
	ck_assert_int_eq(r.outcome, PROC_ERROR);
	ck_assert_int_eq(r.stage, PROC_STAGE_WAIT);
	ck_assert_int_eq(r.error, ECHILD);
	ck_assert_int_gt(r.pid, 0);
	ck_assert_str_eq(text(&out), "hi\n");
	signal(SIGCHLD, SIG_DFL);
	free(out.buf);
}
END_TEST

/* ---- cancel ---------------------------------------------------------- */

struct canceler {
	int fd;                 /* write end of the cancel pipe */
	int ok;
};

/* Thread: wait for the hook's beacon, then make cancel_fd readable. */
static void *
canceler_main(void *arg)
{
	struct canceler *c = arg;
	int i;

	for (i = 0; i < 3000 && access(tmp_path("started"), F_OK) != 0; i++)
		nap();
	c->ok = write(c->fd, "x", 1) == 1;
	return NULL;
}

START_TEST(test_cancel)
{
	struct capture out = { 0 };
	struct canceler c;
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	int p[2];
	pthread_t t;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	c.fd = p[1];
	c.ok = 0;
	sh_spec(&s, argv, envp, "\"$H\" beacon \"$D/started\"; sleep 100", &out);
	s.timeout = 0;
	s.kill_grace = 5;
	s.cancel_fd = p[0];
	ck_assert_int_eq(pthread_create(&t, NULL, canceler_main, &c), 0);
	ck_assert_int_eq(proc_run(&s, &r), 0);
	pthread_join(t, NULL);
	ck_assert(c.ok);
	ck_assert_int_eq(r.outcome, PROC_CANCELED);
	ck_assert_int_eq(r.signal, SIGTERM);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_int_eq(access(tmp_path("started"), F_OK), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_cancel_before_start)
{
	struct capture out = { 0 };
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	sh_spec(&s, argv, envp, "sleep 100", &out);
	s.timeout = 0;
	s.cancel_fd = p[0];
	ck_assert_int_eq(proc_run(&s, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_CANCELED);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- output ---------------------------------------------------------- */

struct counter {
	unsigned long long n;
	int bad;
};

/* on_output: count bytes, flag anything but 'z'. */
static void
count_fn(void *ctx, const char *buf, size_t n)
{
	struct counter *c = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		c->bad |= buf[i] != 'z';
	c->n += n;
}

START_TEST(test_big_output)
{
	struct counter c = { 0, 0 };
	struct proc_result r;
	struct proc_spec s;
	char *argv[4], *envp[4];
	char *hargv[] = { helper, (char *)"spew", (char *)"104857600",
	    (char *)"z", NULL };

	sh_spec(&s, argv, envp, "", NULL);
	s.path = helper;
	s.argv = hargv;
	s.timeout = 0;
	s.on_output = count_fn;
	s.ctx = &c;
	ck_assert_int_eq(proc_run(&s, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_uint_eq(c.n, 104857600ULL);
	ck_assert_int_eq(c.bad, 0);
}
END_TEST

/* ---- threads --------------------------------------------------------- */

#define NTHREADS 16
#define NRUNS 20

struct worker {
	const char *fds;        /* what print-fds must print */
	int id;
	int failures;
	char msg[256];
};

/* Thread: run NRUNS hooks, each with a unique token; check each result. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char token[64], script[256], want[512], fill[2];
	struct proc_result r;
	int i;

	for (i = 0; i < NRUNS; i++) {
		struct capture out = { 0 };
		struct proc_spec s;
		char *argv[4], *envp[4];
		char *pargv[] = { helper, (char *)"print-fds", NULL };

		snprintf(token, sizeof(token), "w%d.r%d", w->id, i);
		if (i % 4 == 3) {
			/* A14: a sibling's pipe must never leak in here. */
			sh_spec(&s, argv, envp, "", &out);
			s.path = helper;
			s.argv = pargv;
			snprintf(want, sizeof(want), "%s", w->fds);
		} else {
			fill[0] = (char)('a' + w->id);
			fill[1] = '\0';
			snprintf(script, sizeof(script),
			    "echo %s; \"$H\" spew 3000 %s; echo; exit %d",
			    token, fill, (w->id * NRUNS + i) % 256);
			sh_spec(&s, argv, envp, script, &out);
			snprintf(want, sizeof(want), "%s\n", token);
		}
		if (proc_run(&s, &r) != 0 || r.outcome != PROC_EXITED) {
			snprintf(w->msg, sizeof(w->msg), "%s: outcome %d",
			    token, (int)r.outcome);
			w->failures++;
		} else if (i % 4 == 3) {
			if (strcmp(text(&out), want) != 0) {
				snprintf(w->msg, sizeof(w->msg), "%s: fds %s",
				    token, text(&out));
				w->failures++;
			}
		} else {
			size_t tl = strlen(want), k;
			int ok = r.exit_code == (w->id * NRUNS + i) % 256 &&
			    out.len == tl + 3000 + 1 &&
			    memcmp(out.buf, want, tl) == 0 &&
			    out.buf[out.len - 1] == '\n';

			for (k = tl; ok && k < tl + 3000; k++)
				ok = out.buf[k] == fill[0];
			if (!ok) {
				snprintf(w->msg, sizeof(w->msg),
				    "%s: exit %d, %zu bytes", token,
				    r.exit_code, out.len);
				w->failures++;
			}
		}
		free(out.buf);
	}
	return NULL;
}

START_TEST(test_concurrent)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	char fds[4096];
	int i, before, after;

	before = count_fds();
	expected_fds(fds, sizeof(fds));
	for (i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].fds = fds;
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_main, &w[i]),
		    0);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NTHREADS; i++)
		ck_assert_msg(w[i].failures == 0, "worker %d: %d failures, %s",
		    i, w[i].failures, w[i].msg);
	after = count_fds();
	ck_assert_int_eq(before, after);
}
END_TEST

/* ---- job control ------------------------------------------------------ */

/* The state letter of /proc/PID/stat ('T' stopped), or 0 if it is gone. */
static char
state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* Wait (up to 10 s) until pid is stopped (want 1) or not (want 0). */
static int
becomes_stopped(pid_t pid, int want)
{
	int i;

	for (i = 0; i < 1000; i++) {
		char st = state_of(pid);

		if (st != 0 && (st == 'T') == want)
			return 1;
		nap();
	}
	return 0;
}

/* One proc_run on a thread of its own, and what on_group told. */
struct bg_run {
	struct proc_spec s;
	char *argv[4], *envp[4];
	struct proc_result r;
	struct capture out;
	pthread_t t;
	pthread_mutex_t mu;
	pid_t pgid;             /* under mu: the group once it runs */
	int out_fd;             /* under mu: what on_group passed */
	int done;               /* under mu */
};

static void
bg_on_group(void *ctx, pid_t pgid, int alive, int out_fd)
{
	struct bg_run *b = ctx;

	pthread_mutex_lock(&b->mu);
	if (alive) {
		b->pgid = pgid;
		b->out_fd = out_fd;
	}
	pthread_mutex_unlock(&b->mu);
}

static void *
bg_main(void *arg)
{
	struct bg_run *b = arg;

	proc_run(&b->s, &b->r);
	pthread_mutex_lock(&b->mu);
	b->done = 1;
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Start `script` on a thread; returns once its group runs. */
static void
bg_start(struct bg_run *b, const char *script, double timeout, int cancel_fd)
{
	int i;

	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->mu, NULL);
	sh_spec(&b->s, b->argv, b->envp, script, &b->out);
	b->s.timeout = timeout;
	b->s.kill_grace = 5;
	b->s.cancel_fd = cancel_fd;
	b->s.on_group = bg_on_group;
	b->s.group_ctx = b;
	ck_assert_int_eq(pthread_create(&b->t, NULL, bg_main, b), 0);
	for (i = 0; i < 3000; i++) {
		pid_t pg;

		pthread_mutex_lock(&b->mu);
		pg = b->pgid;
		pthread_mutex_unlock(&b->mu);
		if (pg > 0)
			return;
		nap();
	}
	ck_abort_msg("the hook never started");
}

static int
bg_done(struct bg_run *b)
{
	int d;

	pthread_mutex_lock(&b->mu);
	d = b->done;
	pthread_mutex_unlock(&b->mu);
	return d;
}

/* A pid written by the hook into $D/NAME (waits for its beacon). */
static pid_t
pid_from(const char *name)
{
	char beacon[64], buf[64];
	FILE *f;
	long pid = 0;
	int i;

	snprintf(beacon, sizeof(beacon), "%s.up", name);
	for (i = 0; i < 3000 && access(tmp_path(beacon), F_OK) != 0; i++)
		nap();
	f = fopen(tmp_path(name), "re");
	ck_assert_ptr_nonnull(f);
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	ck_assert_int_gt(pid, 1);
	return (pid_t)pid;
}

/*
 * proc_pause stops the whole group (the leader and a background child),
 * proc_resume continues it; on_group got the pipe's read end.
 */
START_TEST(test_pause_resume)
{
	struct bg_run b;
	pid_t child;
	int c[2];

	ck_assert_int_eq(pipe2(c, O_CLOEXEC), 0);
	bg_start(&b, "sleep 1000 & echo $! >\"$D/child\"; "
	    "\"$H\" beacon \"$D/child.up\"; wait", 0, c[0]);
	child = pid_from("child");
	ck_assert_int_ge(b.out_fd, 0);
	ck_assert_uint_eq(proc_pause(), 1);
	ck_assert(becomes_stopped(b.pgid, 1));
	ck_assert(becomes_stopped(child, 1));
	ck_assert_uint_eq(proc_pause(), 0);     /* already paused */
	ck_assert(!bg_done(&b));
	ck_assert_uint_eq(proc_resume(), 1);
	ck_assert(becomes_stopped(b.pgid, 0));
	ck_assert(becomes_stopped(child, 0));
	ck_assert_uint_eq(proc_resume(), 0);    /* not paused */
	ck_assert_int_eq(write(c[1], "x", 1), 1);
	pthread_join(b.t, NULL);
	ck_assert_int_eq(b.r.outcome, PROC_CANCELED);
	ck_assert(dies(child));
	free(b.out.buf);
	close(c[0]);
	close(c[1]);
}
END_TEST

/*
 * A hook started while paused is stopped at once, and its deadline does
 * not pass while paused: paused for 1.5 s, a 0.3 s timeout has not fired;
 * resumed, it fires, and the duration (wall time) holds the pause.
 */
START_TEST(test_pause_holds_deadline)
{
	struct timespec pause_for = { 1, 500 * 1000 * 1000 };
	struct bg_run b;
	double before = proc_paused_seconds();

	ck_assert_uint_eq(proc_pause(), 0);
	bg_start(&b, "exec sleep 1000", 0.3, -1);
	ck_assert(becomes_stopped(b.pgid, 1));
	nanosleep(&pause_for, NULL);
	ck_assert(!bg_done(&b));
	ck_assert(proc_paused_seconds() - before >= 1.5);
	ck_assert_uint_eq(proc_resume(), 1);
	pthread_join(b.t, NULL);
	ck_assert_int_eq(b.r.outcome, PROC_TIMEOUT);
	ck_assert_int_eq(b.r.signal, SIGTERM);
	ck_assert_msg(b.r.duration >= 1.5 + 0.3, "duration %f", b.r.duration);
	/* The clock stands still only while paused. */
	before = proc_paused_seconds();
	nap();
	ck_assert(proc_paused_seconds() == before);
}
END_TEST

/* Helpers in hookwave's own group are not ours to stop. */
START_TEST(test_pause_spares_helpers)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)"echo ok", NULL };
	char *envp[] = { env_path, NULL };
	struct buf out = { 0 };
	struct proc_result r;

	ck_assert_uint_eq(proc_pause(), 0);
	ck_assert_int_eq(proc_capture(argv, envp, NULL, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_str_eq(out.p, "ok\n");
	ck_assert_uint_eq(proc_resume(), 0);
	buf_release(&out);
}
END_TEST

/* ---- suite ----------------------------------------------------------- */

/* proc_capture: stdout whole, stderr dropped, exit codes, not found, cwd. */
START_TEST(test_capture)
{
	char *argv[4], *envp[2] = { env_path, NULL };
	struct buf out = { 0 };
	struct proc_result r;
	int before = count_fds();

	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)"printf 'a\\0b'; echo err >&2; pwd; exit 3";
	argv[3] = NULL;
	ck_assert_int_eq(proc_capture(argv, envp, tmpdir, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_EXITED);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_uint_eq(out.len, 3 + strlen(tmpdir) + 1);
	ck_assert_mem_eq(out.p, "a\0b", 3);
	ck_assert_int_eq(strncmp(out.p + 3, tmpdir, strlen(tmpdir)), 0);
	ck_assert_int_eq(out.p[out.len], '\0');
	buf_release(&out);

	/* No output is still a string. */
	argv[2] = (char *)"kill -9 $$";
	ck_assert_int_eq(proc_capture(argv, envp, NULL, &out, &r), 0);
	ck_assert_int_eq(r.outcome, PROC_SIGNALED);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_ptr_nonnull(out.p);
	ck_assert_str_eq(out.p, "");
	buf_release(&out);

	argv[0] = (char *)"hookwave-no-such-program";
	ck_assert_int_eq(proc_capture(argv, envp, NULL, &out, &r), -1);
	ck_assert_int_eq(r.outcome, PROC_ERROR);
	ck_assert_int_eq(r.stage, PROC_STAGE_SPAWN);
	ck_assert_int_eq(r.error, ENOENT);
	ck_assert_int_eq(r.pid, 0);
	buf_release(&out);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* A TCase with the tmpdir fixture and a 60 s watchdog. */
static TCase *
new_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	return tc;
}

static Suite *
proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc;

	tc = new_tcase("core");
	tcase_add_test(tc, test_exit_codes);
	tcase_add_test(tc, test_output_order);
	tcase_add_test(tc, test_no_output_callback);
	tcase_add_test(tc, test_stdin_devnull);
	tcase_add_test(tc, test_only_std_fds);
	tcase_add_test(tc, test_signals_reset);
	tcase_add_test(tc, test_env_exact);
	tcase_add_test(tc, test_cwd);
	suite_add_tcase(s, tc);

	tc = new_tcase("signals");
	tcase_add_test(tc, test_killed_by_signal);
	tcase_add_test(tc, test_eintr);
	suite_add_tcase(s, tc);

	tc = new_tcase("timeout");
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_timeout_term_ignored);
	tcase_add_test(tc, test_timeout_stopped);
	tcase_add_test(tc, test_no_timeout);
	suite_add_tcase(s, tc);

	tc = new_tcase("grandchild");
	tcase_add_test(tc, test_grandchild_holds_pipe);
	tcase_add_test(tc, test_grandchild_ignores_term);
	tcase_add_test(tc, test_fork_grandchild);
	tcase_add_test(tc, test_closed_output_waits_for_exit);
	suite_add_tcase(s, tc);

	tc = new_tcase("errors");
	tcase_add_test(tc, test_bad_cwd);
	tcase_add_test(tc, test_spawn_fails);
	tcase_add_test(tc, test_command_not_found);
	tcase_add_test(tc, test_capture);
	tcase_add_test(tc, test_sigchld_ignored);
	suite_add_tcase(s, tc);

	tc = new_tcase("cancel");
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_cancel_before_start);
	suite_add_tcase(s, tc);

	tc = new_tcase("output");
	tcase_add_test(tc, test_big_output);
	suite_add_tcase(s, tc);

	tc = new_tcase("threads");
	tcase_add_test(tc, test_concurrent);
	suite_add_tcase(s, tc);

	tc = new_tcase("job control");
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_pause_holds_deadline);
	tcase_add_test(tc, test_pause_spares_helpers);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	const char *h = getenv("HOOKWAVE_TEST_HELPER");
	SRunner *sr;
	int failed;

	if (h == NULL || *h == '\0')
		h = "./tests/helper";
	/* Absolute, so that a hook with its own cwd still finds it. */
	if (realpath(h, helper) == NULL)
		snprintf(helper, sizeof(helper), "%s", h);
	snprintf(env_helper, sizeof(env_helper), "H=%s", helper);

	sr = srunner_create(proc_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
