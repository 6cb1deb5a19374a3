/*
 * check_atomic_file.c - unit tests for atomic_file.c: a file replaced
 * by rename keeps its mode and owner, a new one gets 0666 less the
 * umask, a link is written through and stays a link, our own
 * descriptors (/proc/self/fd/N, /dev/fd/N) are written in place at
 * their offset, a FIFO waits for its reader unless told to stop, a
 * directory that cannot take a temporary file (or refuses the rename)
 * still gets the file written in place, names near NAME_MAX work, and
 * nothing temporary is ever left; fd_write_all on non-blocking and
 * stalled pipes. Cases that need another user fork a child that drops
 * to nobody (when run as root) or use a directory of ours made
 * read-only (otherwise).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "buf.h"
#include "util.h"

Suite *atomic_file_suite(void);

#define NOBODY 65534

static char tmpdir[] = "/tmp/check_atomic_file.XXXXXX";

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_atomic_file.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* other users must reach what the nobody cases make in here */
	ck_assert_int_eq(chmod(tmpdir, 0755), 0);
	signal(SIGPIPE, SIG_IGN);
}

/* rm -r of what the tests made (a depth of two is all they use). */
static void
remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (d == NULL)
		return;
	chmod(dir, 0755);
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
teardown(void)
{
	remove_tree(tmpdir);
}

/* --- helpers ------------------------------------------------------------- */

static char *
in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* The whole file, NUL-terminated. */
static char *
slurp(const char *path)
{
	struct buf b = { NULL, 0, 0 };
	char tmp[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	buf_add(&b, "", 0);
	return b.p;
}

static void
put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write_all(fd, text, strlen(text)), 0);
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
assert_content(const char *path, const char *want)
{
	char *s = slurp(path);

	ck_assert_str_eq(s, want);
	free(s);
}

/* Entries of dir whose name holds "hookwave-": temporary files. */
static size_t
temps_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, "hookwave-") != NULL)
			n++;
	closedir(d);
	return n;
}

static int
replace(const char *path, const char *text, struct err *e)
{
	return atomic_file_replace(path, text, strlen(text), NULL, e);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/*
 * Run fn(arg) in a child as another user: nobody when we are root,
 * else ourselves (the caller makes the directory read-only instead).
 * Returns the child's exit status.
 */
static int
as_other_user(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
		     setresuid(NOBODY, NOBODY, NOBODY) != 0))
			_exit(99);
		_exit(fn(arg));
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* --- regular files --------------------------------------------------------- */

START_TEST(test_new_file_mode)
{
	char *p = in_tmp("new.json");
	struct err e;
	mode_t old = umask(027);

	ck_assert_int_eq(replace(p, "one\n", &e), 0);
	ck_assert_int_eq(umask(old), 027);      /* never changed, even for a moment */
	assert_content(p, "one\n");
	ck_assert_uint_eq(mode_of(p), 0640);
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	free(p);
}
END_TEST

/* new_mode: a new file's mode (the history is 0600); an old one keeps its. */
START_TEST(test_new_mode_option)
{
	struct atomic_file_options o = { .new_mode = 0600 };
	char *p = in_tmp("history");
	struct err e;
	mode_t old = umask(022);

	ck_assert_int_eq(atomic_file_replace(p, "a\n", 2, &o, &e), 0);
	assert_content(p, "a\n");
	ck_assert_uint_eq(mode_of(p), 0600);
	ck_assert_int_eq(chmod(p, 0644), 0);
	ck_assert_int_eq(atomic_file_replace(p, "b\n", 2, &o, &e), 0);
	assert_content(p, "b\n");
	ck_assert_uint_eq(mode_of(p), 0644);
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	umask(old);
	free(p);
}
END_TEST

/* A 0600 report stays 0600 (hook output can hold secrets); 0640 too. */
START_TEST(test_replace_keeps_mode)
{
	char *p = in_tmp("r.json");
	struct stat before, after;
	struct err e;

	put(p, "old\n", 0600);
	ck_assert_int_eq(stat(p, &before), 0);
	umask(022);
	ck_assert_int_eq(replace(p, "new\n", &e), 0);
	assert_content(p, "new\n");
	ck_assert_uint_eq(mode_of(p), 0600);
	ck_assert_int_eq(stat(p, &after), 0);
	ck_assert_msg(before.st_ino != after.st_ino, "not replaced by rename");
	ck_assert_int_eq(chmod(p, 0640), 0);
	ck_assert_int_eq(replace(p, "newer\n", &e), 0);
	ck_assert_uint_eq(mode_of(p), 0640);
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	free(p);
}
END_TEST

/* As root, another user's file keeps its owner and group. */
START_TEST(test_replace_keeps_owner)
{
	char *p = in_tmp("theirs.json");
	struct stat st;
	struct err e;

	if (geteuid() != 0)
		return;         /* only root can give a file away */
	put(p, "old\n", 0640);
	ck_assert_int_eq(chown(p, NOBODY, NOBODY), 0);
	ck_assert_int_eq(replace(p, "new\n", &e), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_uid, NOBODY);
	ck_assert_uint_eq(st.st_gid, NOBODY);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	assert_content(p, "new\n");
	free(p);
}
END_TEST

/* A name so long that ".NAME.hookwave-XXXXXX" cannot be made. */
START_TEST(test_long_name)
{
	char name[NAME_MAX + 1], *p;
	struct err e;

	memset(name, 'n', 250);
	strcpy(name + 250, ".json");
	p = in_tmp(name);
	ck_assert_int_eq(replace(p, "a\n", &e), 0);
	ck_assert_int_eq(replace(p, "b\n", &e), 0);
	assert_content(p, "b\n");
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	free(p);
}
END_TEST

/* Streamed writes, then abort: the old file whole, nothing left. */
START_TEST(test_abort)
{
	char *p = in_tmp("r.txt");
	struct atomic_file f;
	struct err e;

	put(p, "old\n", 0644);
	ck_assert_int_eq(atomic_file_open(&f, p, NULL, &e), 0);
	ck_assert_int_eq(atomic_file_write(&f, "half", 4), 0);
	ck_assert_uint_eq(temps_in(tmpdir), 1);
	assert_content(p, "old\n");             /* a reader sees the old one */
	atomic_file_abort(&f);
	assert_content(p, "old\n");
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	free(p);
}
END_TEST

/* --- links and descriptors ----------------------------------------------- */

/* A link is written through to its target and stays a link; relative
   targets are taken from the link's directory; a dangling link gets
   its target made. */
START_TEST(test_symlink)
{
	char *dir = in_tmp("sub"), *target = in_tmp("sub/real.json");
	char *link1 = in_tmp("link.json"), *link2 = in_tmp("link2.json");
	char *dangling = in_tmp("dangling.json"), *made = in_tmp("sub/made.json");
	struct stat st;
	struct err e;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	put(target, "old\n", 0600);
	ck_assert_int_eq(symlink("sub/real.json", link1), 0);
	ck_assert_int_eq(symlink("link.json", link2), 0);       /* a chain */
	ck_assert_int_eq(replace(link2, "new\n", &e), 0);
	ck_assert_int_eq(lstat(link1, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(lstat(link2, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	assert_content(target, "new\n");
	ck_assert_uint_eq(mode_of(target), 0600);
	ck_assert_uint_eq(temps_in(dir), 0);
	ck_assert_uint_eq(temps_in(tmpdir), 0);

	ck_assert_int_eq(symlink("sub/made.json", dangling), 0);
	ck_assert_int_eq(replace(dangling, "made\n", &e), 0);
	ck_assert_int_eq(lstat(dangling, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	assert_content(made, "made\n");
	free(dir);
	free(target);
	free(link1);
	free(link2);
	free(dangling);
	free(made);
}
END_TEST

START_TEST(test_symlink_loop)
{
	char *a = in_tmp("a"), *b = in_tmp("b");
	struct err e;

	ck_assert_int_eq(symlink("b", a), 0);
	ck_assert_int_eq(symlink("a", b), 0);
	ck_assert_int_eq(replace(a, "x", &e), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(atomic_file_check(a, &e), -1);
	ck_assert_int_eq(errno, ELOOP);
	free(a);
	free(b);
}
END_TEST

/*
 * /proc/self/fd/N, /dev/fd/N and a link to them (as /dev/stdout is) write
 * to our descriptor N at its offset: "hookwave -o /dev/stdout >log"
 * adds to log, and neither log nor the link is replaced.
 */
START_TEST(test_own_fd)
{
	char *log = in_tmp("log"), *link = in_tmp("stdout"), *path;
	struct stat before, after;
	struct err e;
	int fd;

	put(log, "", 0644);
	fd = open(log, O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write_all(fd, "stream\n", 7), 0);
	ck_assert_int_eq(stat(log, &before), 0);

	path = xasprintf("/proc/self/fd/%d", fd);
	ck_assert_int_eq(atomic_file_check(path, &e), 0);
	ck_assert_int_eq(replace(path, "one\n", &e), 0);
	free(path);
	path = xasprintf("/dev/fd/%d", fd);
	ck_assert_int_eq(replace(path, "two\n", &e), 0);
	free(path);
	path = xasprintf("/proc/self/fd/%d", fd);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(replace(link, "three\n", &e), 0);
	free(path);

	assert_content(log, "stream\none\ntwo\nthree\n");
	ck_assert_int_eq(stat(log, &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	ck_assert_int_eq(lstat(link, &after), 0);
	ck_assert(S_ISLNK(after.st_mode));
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);       /* still ours, open */
	close(fd);
	ck_assert_uint_eq(temps_in(tmpdir), 0);

	/* A closed descriptor, a read-only one: errors, before and after. */
	path = xasprintf("/proc/self/fd/%d", fd);
	ck_assert_int_eq(atomic_file_check(path, &e), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(replace(path, "x", &e), -1);
	free(path);
	fd = open(log, O_RDONLY | O_CLOEXEC);
	path = xasprintf("/dev/fd/%d", fd);
	ck_assert_int_eq(atomic_file_check(path, &e), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(replace(path, "x", &e), -1);
	assert_content(log, "stream\none\ntwo\nthree\n");
	free(path);
	close(fd);
	free(log);
	free(link);
}
END_TEST

/* A pipe as our descriptor: the bytes go down it. */
START_TEST(test_own_fd_pipe)
{
	char *path, got[16];
	struct err e;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	path = xasprintf("/dev/fd/%d", p[1]);
	ck_assert_int_eq(replace(path, "piped\n", &e), 0);
	ck_assert_int_eq(read(p[0], got, sizeof(got)), 6);
	ck_assert_int_eq(memcmp(got, "piped\n", 6), 0);
	close(p[0]);
	close(p[1]);
	free(path);
}
END_TEST

/* Another process's descriptor (/proc/PID/fd/N): opened where it goes,
   never followed by hand as if "pipe:[N]" were a path. */
START_TEST(test_other_process_fd)
{
	char *path, got[16];
	struct err e;
	pid_t pid;
	int p[2], st;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		pause();
		_exit(0);
	}
	path = xasprintf("/proc/%ld/fd/%d", (long)pid, p[1]);
	close(p[1]);
	ck_assert_int_eq(atomic_file_check(path, &e), 0);
	ck_assert_int_eq(replace(path, "other\n", &e), 0);
	ck_assert_int_eq(read(p[0], got, sizeof(got)), 6);
	ck_assert_int_eq(memcmp(got, "other\n", 6), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(p[0]);
	free(path);
}
END_TEST

/* --- FIFOs --------------------------------------------------------------- */

static void *
fifo_reader(void *arg)
{
	char *s = slurp(arg);

	return s;
}

START_TEST(test_fifo_with_reader)
{
	char *fifo = in_tmp("fifo"), *got;
	struct atomic_file_options o = { -1, -1, 0 };
	pthread_t th;
	struct stat st;
	struct err e;
	int p[2];

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(atomic_file_check(fifo, &e), 0);      /* no reader: fine */
	/* Without ways out, and with one that stays quiet. */
	ck_assert_int_eq(pthread_create(&th, NULL, fifo_reader, fifo), 0);
	ck_assert_int_eq(replace(fifo, "through\n", &e), 0);
	ck_assert_int_eq(pthread_join(th, (void **)&got), 0);
	ck_assert_str_eq(got, "through\n");
	free(got);
	ck_assert_int_eq(pipe(p), 0);
	o.cancel_fd = p[0];
	ck_assert_int_eq(pthread_create(&th, NULL, fifo_reader, fifo), 0);
	ck_assert_int_eq(atomic_file_replace(fifo, "again\n", 6, &o, &e), 0);
	ck_assert_int_eq(pthread_join(th, (void **)&got), 0);
	ck_assert_str_eq(got, "again\n");
	free(got);
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	close(p[0]);
	close(p[1]);
	free(fifo);
}
END_TEST

/* No reader and the run interrupted: "interrupted" (EINTR), at once. */
START_TEST(test_fifo_cancel)
{
	char *fifo = in_tmp("fifo");
	struct atomic_file_options o = { -1, -1, 0 };
	struct err e;
	int p[2];

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	o.cancel_fd = p[0];
	ck_assert_int_eq(atomic_file_replace(fifo, "lost\n", 5, &o, &e), -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert_str_eq(e.msg, "interrupted");
	o.cancel_fd = -1;
	o.kill_fd = p[0];                       /* a kill ends the wait too */
	ck_assert_int_eq(atomic_file_replace(fifo, "lost\n", 5, &o, &e), -1);
	ck_assert_int_eq(errno, EINTR);
	close(p[0]);
	close(p[1]);
	free(fifo);
}
END_TEST

static void *
cancel_later(void *arg)
{
	int fd = *(int *)arg;

	(void)!write(fd, "x", 1);
	return NULL;
}

/* The interrupt comes while it waits for a reader. */
START_TEST(test_fifo_cancel_while_waiting)
{
	char *fifo = in_tmp("fifo");
	struct atomic_file_options o = { -1, -1, 0 };
	pthread_t th;
	struct err e;
	int p[2];

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(pipe(p), 0);
	o.cancel_fd = p[0];
	ck_assert_int_eq(pthread_create(&th, NULL, cancel_later, &p[1]), 0);
	ck_assert_int_eq(atomic_file_replace(fifo, "lost\n", 5, &o, &e), -1);
	ck_assert_int_eq(errno, EINTR);
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	free(fifo);
}
END_TEST

static void
on_alarm(int sig)
{
	(void)sig;
}

/* Without a way out, a signal during the blocking open is EINTR. */
START_TEST(test_fifo_open_interrupted)
{
	char *fifo = in_tmp("fifo");
	struct sigaction sa;
	struct err e;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;       /* no SA_RESTART, as hookwave's */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	alarm(1);
	ck_assert_int_eq(replace(fifo, "lost\n", &e), -1);
	ck_assert_int_eq(errno, EINTR);
	ck_assert_str_eq(e.msg, "interrupted");
	free(fifo);
}
END_TEST

/* --- what can never be written ------------------------------------------- */

START_TEST(test_check_errors)
{
	char *dir = in_tmp("d"), *slash = in_tmp("d/"), *missing = in_tmp("no/such/r.json");
	char *file = in_tmp("f"), *under_file = in_tmp("f/r.json");
	char *sock = in_tmp("sock"), *ok = in_tmp("ok.json");
	struct sockaddr_un sa;
	struct err e;
	int s;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	put(file, "", 0644);

	ck_assert_int_eq(atomic_file_check("", &e), -1);
	ck_assert_ptr_null(e.file);
	ck_assert_str_eq(e.msg, "cannot write a file with an empty name");
	ck_assert_int_eq(replace("", "x", &e), -1);

	ck_assert_int_eq(atomic_file_check(dir, &e), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_str_eq(e.file, dir);
	ck_assert_str_eq(e.msg, "cannot write: Is a directory");
	ck_assert_int_eq(replace(dir, "x", &e), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(atomic_file_check(slash, &e), -1);
	ck_assert_int_eq(errno, EISDIR);

	ck_assert_int_eq(atomic_file_check(missing, &e), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(replace(missing, "x", &e), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(atomic_file_check(under_file, &e), -1);
	ck_assert_int_eq(errno, ENOTDIR);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(sock), sizeof(sa.sun_path));
	strcpy(sa.sun_path, sock);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(atomic_file_check(sock, &e), -1);
	ck_assert_int_eq(errno, ENXIO);
	close(s);

	/* What can be written: a new name, an existing file, a device. */
	ck_assert_int_eq(atomic_file_check(ok, &e), 0);
	ck_assert_int_eq(atomic_file_check(file, &e), 0);
	ck_assert_int_eq(atomic_file_check("/dev/null", &e), 0);
	ck_assert_int_eq(access(ok, F_OK), -1);         /* nothing made */
	ck_assert_uint_eq(temps_in(tmpdir), 0);
	free(dir);
	free(slash);
	free(missing);
	free(file);
	free(under_file);
	free(sock);
	free(ok);
}
END_TEST

/* --- a directory that takes no temporary file ---------------------------- */

struct other {
	const char *path;
	const char *text;
};

/* In the child: check, then write; 0 when both worked, else a code. */
static int
check_and_write(void *arg)
{
	const struct other *o = arg;
	struct err e;

	if (atomic_file_check(o->path, &e) != 0)
		return 1;
	if (replace(o->path, o->text, &e) != 0)
		return 2;
	return 0;
}

static int
check_only(void *arg)
{
	const struct other *o = arg;
	struct err e;

	return atomic_file_check(o->path, &e) == 0 ? 0 : errno == EACCES ? 3 : 4;
}

/* The directory cannot be written but the file can (a user's
   -o /var/log/x.json): written in place, mode and inode kept. */
START_TEST(test_unwritable_dir)
{
	char *dir = in_tmp("log"), *p = in_tmp("log/x.json");
	char *ro = in_tmp("log/ro.json"), *fresh = in_tmp("log/new.json");
	struct other o = { p, "in place\n" };
	struct stat before, after;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	put(p, "old\n", 0666);
	put(ro, "old\n", 0644);
	ck_assert_int_eq(stat(p, &before), 0);
	if (geteuid() != 0)
		ck_assert_int_eq(chmod(dir, 0555), 0);  /* root-owned for nobody */
	ck_assert_int_eq(as_other_user(check_and_write, &o), 0);
	assert_content(p, "in place\n");
	ck_assert_int_eq(stat(p, &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	ck_assert_uint_eq(after.st_mode & 07777, 0666);
	ck_assert_uint_eq(temps_in(dir), 0);

	/* Neither the directory nor the file: an error before the run. */
	if (geteuid() != 0)
		ck_assert_int_eq(chmod(ro, 0444), 0);
	o.path = ro;
	ck_assert_int_eq(as_other_user(check_only, &o), 3);
	o.path = fresh;
	ck_assert_int_eq(as_other_user(check_only, &o), 3);
	free(dir);
	free(p);
	free(ro);
	free(fresh);
}
END_TEST

/* A sticky directory refuses the rename over another user's file that
   we may write: the file is copied over in place instead. */
START_TEST(test_sticky_dir)
{
	char *dir = in_tmp("sticky"), *p = in_tmp("sticky/shared.json");
	struct other o = { p, "copied\n" };
	struct stat st;

	if (geteuid() != 0)
		return;         /* needs two users */
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(chmod(dir, 01777), 0);
	put(p, "old\n", 0666);                  /* root's, writable by all */
	ck_assert_int_eq(as_other_user(check_and_write, &o), 0);
	assert_content(p, "copied\n");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(temps_in(dir), 0);
	free(dir);
	free(p);
}
END_TEST

/* --- fd_write_all -------------------------------------------------------- */

#define BIG (1024 * 1024)

struct slow {
	int fd;
	size_t got;
};

/* Read everything, in small bites, yielding between them. */
static void *
slow_reader(void *arg)
{
	struct slow *s = arg;
	char b[1000];
	ssize_t n;

	while ((n = read(s->fd, b, sizeof(b))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		s->got += (size_t)n;
		sched_yield();
	}
	return NULL;
}

/* A pipe the parent made non-blocking: EAGAIN waits, nothing lost. */
START_TEST(test_write_nonblocking)
{
	char *data = xcalloc(1, BIG);
	struct slow s = { -1, 0 };
	pthread_t th;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	s.fd = p[0];
	ck_assert_int_eq(pthread_create(&th, NULL, slow_reader, &s), 0);
	ck_assert_int_eq(fd_write_all(p[1], data, BIG, -1), 0);
	close(p[1]);
	pthread_join(th, NULL);
	ck_assert_uint_eq(s.got, BIG);
	close(p[0]);
	free(data);
}
END_TEST

/* Nobody reads: once the pipe is full, a readable kill_fd ends the
   write (ECANCELED), blocking or not; without room it never blocks. */
START_TEST(test_write_killed)
{
	char *data = xcalloc(1, BIG);
	int p[2], k[2], nb;

	ck_assert_int_eq(pipe(k), 0);
	ck_assert_int_eq(write(k[1], "x", 1), 1);
	for (nb = 0; nb < 2; nb++) {
		ck_assert_int_eq(pipe(p), 0);
		if (nb)
			ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
		ck_assert_int_eq(fd_write_all(p[1], data, BIG, k[0]), -1);
		ck_assert_int_eq(errno, ECANCELED);
		close(p[0]);
		/* and a reader gone is EPIPE, not a kill */
		ck_assert_int_eq(fd_write_all(p[1], data, 10, k[0]), -1);
		ck_assert_int_eq(errno, EPIPE);
		close(p[1]);
	}
	close(k[0]);
	close(k[1]);
	free(data);
}
END_TEST

/* A kill while it already waits for room. */
START_TEST(test_write_killed_while_waiting)
{
	char *data = xcalloc(1, BIG);
	pthread_t th;
	int p[2], k[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(k), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, cancel_later, &k[1]), 0);
	ck_assert_int_eq(fd_write_all(p[1], data, BIG, k[0]), -1);
	ck_assert_int_eq(errno, ECANCELED);
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	close(k[0]);
	close(k[1]);
	free(data);
}
END_TEST

Suite *
atomic_file_suite(void)
{
	Suite *s = suite_create("atomic_file");
	TCase *tc;

	tc = tcase_create("regular");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_file_mode);
	tcase_add_test(tc, test_new_mode_option);
	tcase_add_test(tc, test_replace_keeps_mode);
	tcase_add_test(tc, test_replace_keeps_owner);
	tcase_add_test(tc, test_long_name);
	tcase_add_test(tc, test_abort);
	suite_add_tcase(s, tc);

	tc = tcase_create("links");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_symlink_loop);
	tcase_add_test(tc, test_own_fd);
	tcase_add_test(tc, test_own_fd_pipe);
	tcase_add_test(tc, test_other_process_fd);
	suite_add_tcase(s, tc);

	tc = tcase_create("fifo");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fifo_with_reader);
	tcase_add_test(tc, test_fifo_cancel);
	tcase_add_test(tc, test_fifo_cancel_while_waiting);
	tcase_add_test(tc, test_fifo_open_interrupted);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_check_errors);
	tcase_add_test(tc, test_unwritable_dir);
	tcase_add_test(tc, test_sticky_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_write_nonblocking);
	tcase_add_test(tc, test_write_killed);
	tcase_add_test(tc, test_write_killed_while_waiting);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(atomic_file_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
