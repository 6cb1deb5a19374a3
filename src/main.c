/*
 * main.c - hookwave's command line wired end to end: parse argv (cli),
 * read the config (conf), build the plan (plan), then list it, print
 * it, or run it (session), and exit with the status that says how it
 * went. The only file that prints errors or decides what is fatal.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "githook.h"
#include "install.h"
#include "lock.h"
#include "log.h"
#include "merge.h"
#include "migrate.h"
#include "plan.h"
#include "plan_print.h"
#include "session.h"
#include "signals.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif
#define SYSCONF_PATH SYSCONFDIR "/hookwave/hookwave.ini"

/* Print one error as one write, so concurrent lines never mix. */
static void
say_err(const struct err *e)
{
	char buf[2048];
	size_t n = err_format(e, buf, sizeof(buf));

	(void)write_all(STDERR_FILENO, buf, n);
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	struct err e = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	say_err(&e);
}

/* Make sure fds 0-2 are open, so no pipe we make lands on them. */
static void
sanitize_stdfds(void)
{
	int fd;

	do {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd > 2)
			close(fd);
		else if (fd >= 0)
			fcntl(fd, F_SETFD, 0);  /* it stands in for 0, 1 or 2 */
	} while (fd >= 0 && fd <= 2);
}

/* Write b to stdout; EXIT_PASS, or EXIT_USAGE after saying why. */
static int
put_stdout(const struct buf *b)
{
	if (b->len > 0 && write_all(STDOUT_FILENO, b->p, b->len) != 0) {
		say("write error on standard output: %s", strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_PASS;
}

/* -C, --lock: where and alone. Returns EXIT_PASS or the status to exit with. */
static int
enter_directory(const struct cli_options *o, int *lock_fd)
{
	struct err e;
	pid_t holder;

	if (o->directory != NULL && chdir(o->directory) != 0) {
		say("cannot change to directory '%s': %s", o->directory,
		    strerror(errno));
		return EXIT_USAGE;
	}
	if (o->action != CLI_RUN)
		return EXIT_PASS;
	/* A report that could never be written: say so before any hook runs. */
	if (session_check_targets(o, &e) != 0) {
		say_err(&e);
		return EXIT_USAGE;
	}
	if (!o->lock)
		return EXIT_PASS;
	*lock_fd = lock_dir(".", &holder);
	if (*lock_fd < 0 && errno == EWOULDBLOCK) {
		if (holder > 0)
			say("another run holds the lock on this directory (pid %ld)",
			    (long)holder);
		else
			say("another run holds the lock on this directory");
		return EXIT_LOCKED;
	}
	if (*lock_fd < 0) {
		say("cannot lock this directory: %s", strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_PASS;
}

/*
 * --git-hook: the strategies that run for it, in plan options of its
 * own (*po, whose names point into *sel). 0, or 1 when none does.
 */
static int
git_hook_selection(const struct cli_options *o, const struct conf *conf,
		   struct strlist *sel, struct plan_options *po)
{
	*po = o->plan;
	if (o->git_hook == NULL)
		return 0;
	if (githook_strategies(conf, o->git_hook, &o->strategies, sel) == 0)
		return 1;
	po->strategies = (const char *const *)sel->v;
	po->nstrategies = sel->n;
	return 0;
}

/* install / uninstall: the fallback path is found before -C applies. */
static int
install_command(const struct cli_options *o, const char *argv0)
{
	struct buf out = { 0 };
	char cwd[4096];
	char *self = install_self_path(argv0, getcwd(cwd, sizeof(cwd)));
	int status;

	if (o->directory != NULL && chdir(o->directory) != 0) {
		say("cannot change to directory '%s': %s", o->directory,
		    strerror(errno));
		status = EXIT_USAGE;
	} else {
		status = githook_install(o, self, SYSCONF_PATH, &out, say_err);
		if (put_stdout(&out) != EXIT_PASS)
			status = EXIT_USAGE;
	}
	buf_release(&out);
	free(self);
	return status;
}

/*
 * HOOKWAVE=0: run nothing and exit 0, before even the config; but what
 * a dead run set aside still comes back first (nothing the user has is
 * left in a stash because hooks were skipped).
 */
static int
skip_all(const struct cli_options *o)
{
	if (o->directory != NULL && chdir(o->directory) != 0) {
		say("cannot change to directory '%s': %s", o->directory,
		    strerror(errno));
		return EXIT_USAGE;
	}
	if (session_recover_here(say_err) != 0)
		return EXIT_USAGE;
	if (log_enabled(LOG_LEVEL_INFO))
		log_event(LOG_LEVEL_INFO, "skipped: HOOKWAVE=0", NULL);
	return EXIT_PASS;
}

/* Everything after the command line: config, plan, then the action. */
static int
act(const struct cli_options *o)
{
	struct conf conf;
	struct plan plan;
	struct session sess;
	struct strlist sel = { 0 };
	struct plan_options po;
	struct buf out = { 0 };
	struct err e;
	const char *path;
	int status, lock_fd = -1;

	conf_init(&conf);
	memset(&plan, 0, sizeof(plan));
	memset(&sess, 0, sizeof(sess));
	if (o->skip_all && (o->action == CLI_RUN || o->action == CLI_DRY_RUN))
		return skip_all(o);
	if ((status = enter_directory(o, &lock_fd)) != EXIT_PASS)
		goto out;
	/* What a dead run set aside comes back before anything else (a
	   run and -n do it in session_prepare, beside the listing). */
	if (o->action != CLI_RUN && o->action != CLI_DRY_RUN &&
	    session_recover_here(say_err) != 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (o->action == CLI_RESTORE)
		goto out;
	status = EXIT_USAGE;
	if ((path = cli_find_config(o, SYSCONF_PATH)) == NULL) {
		say("no hookwave.ini or .hookwave.ini here, and no %s",
		    SYSCONF_PATH);
		goto recover;
	}
	if (conf_load(&conf, path, &e) != 0) {
		say_err(&e);
		goto recover;
	}
	if (git_hook_selection(o, &conf, &sel, &po) != 0) {
		/* No strategy runs for this git hook: nothing to do. */
		if (log_enabled(LOG_LEVEL_INFO))
			log_event(LOG_LEVEL_INFO, "no strategy runs for this git hook",
				  "git_hook", o->git_hook, NULL);
		status = EXIT_PASS;
		goto out;
	}
	if (plan_build(&plan, &conf, &po, &e) != 0) {
		say_err(&e);
		goto recover;
	}
	switch (o->action) {
	case CLI_CHECK:
		status = EXIT_PASS;
		break;
	case CLI_LIST:
		plan_print_list(&out, &plan);
		status = put_stdout(&out);
		break;
	case CLI_HISTORY:
		if (session_history(&conf, &plan, o, &out, say_err, &e) != 0) {
			say_err(&e);
			break;
		}
		status = put_stdout(&out);
		break;
	default:
		if (session_prepare(&sess, &conf, &plan, o, say_err, &e) != 0) {
			say_err(&e);
			break;
		}
		sess.lock_fd = lock_fd;
		if (o->action == CLI_DRY_RUN) {
			shard_plan_print(&out, &sess.part);
			plan_print_dry_run(&out, &plan, &sess.batches);
			status = put_stdout(&out);
		} else {
			status = session_run(&sess);
		}
		break;
	}
	goto out;
recover:
	/* A run that cannot start still puts back what a dead one left. */
	if (o->action == CLI_RUN || o->action == CLI_DRY_RUN)
		(void)session_recover_here(say_err);
out:
	strlist_release(&sel);
	buf_release(&out);
	session_release(&sess);
	if (lock_fd >= 0)
		close(lock_fd);
	plan_release(&plan);
	conf_release(&conf);
	return status;
}

/*
 * hookwave migrate: the converted config on stdout or in a new -o file,
 * a count on stderr; 0 all converted, 1 some left commented out, 2 the
 * input could not be read.
 */
static int
migrate_command(const struct cli_options *o)
{
	struct migrate_result r;
	struct err e;
	char *path;
	int status;

	if (o->directory != NULL && chdir(o->directory) != 0) {
		say("%s: %s", o->directory, strerror(errno));
		return EXIT_USAGE;
	}
	path = o->names.n > 0 ? xstrdup(o->names.v[0]) : migrate_find(NULL, &e);
	if (path == NULL) {
		say_err(&e);
		return EXIT_USAGE;
	}
	if (migrate_path(path, &r, &e) != 0) {
		say_err(&e);
		free(path);
		return EXIT_USAGE;
	}
	status = EXIT_PASS;
	if (o->report != NULL) {
		if (migrate_write_new(o->report, r.ini.p, r.ini.len, &e) != 0) {
			say_err(&e);
			status = EXIT_USAGE;
		}
	} else if (write_all(STDOUT_FILENO, r.ini.p, r.ini.len) != 0) {
		say("cannot write the output: %s", strerror(errno));
		status = EXIT_USAGE;
	}
	if (status == EXIT_PASS) {
		say("migrate: %s: %u hook%s converted, %u left commented out%s",
		    path, r.converted, r.converted == 1 ? "" : "s", r.attention,
		    r.attention > 0 ? " (their comments say why)" : "");
		if (r.attention > 0)
			status = EXIT_FAIL;
	}
	migrate_release(&r);
	free(path);
	return status;
}

int
main(int argc, char **argv)
{
	struct cli_options o;
	struct err e;
	int status;

	sanitize_stdfds();
	/* A closed stdout is an EPIPE to handle, not a death. An inherited
	   SIGCHLD ignore would make the kernel reap our hooks for us. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);

	switch (cli_parse(argc, argv, &o, &e)) {
	case CLI_OK:
		break;
	case CLI_USAGE:
		say_err(&e);
		fputs(cli_synopsis, stderr);
		cli_release(&o);
		return EXIT_USAGE;
	default:
		say_err(&e);
		cli_release(&o);
		return EXIT_USAGE;
	}
	if (o.action == CLI_HELP || o.action == CLI_VERSION) {
		if (o.action == CLI_HELP)
			printf("%s%s", cli_synopsis, cli_help_text);
		else
			printf("hookwave %s\n", PACKAGE_VERSION);
		cli_release(&o);
		return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_PASS :
								 EXIT_USAGE;
	}
	log_init(o.log_level);
	if (o.action == CLI_MIGRATE) {
		status = migrate_command(&o);
		cli_release(&o);
		return status;
	}
	if (o.action == CLI_INSTALL || o.action == CLI_UNINSTALL) {
		status = install_command(&o, argv[0]);
		cli_release(&o);
		return status;
	}
	if (o.action == CLI_MERGE) {
		if (merge_files(o.names.v, o.names.n, o.report, &status, &e) != 0) {
			say_err(&e);
			status = EXIT_USAGE;
		}
		cli_release(&o);
		return status;
	}
	status = act(&o);
	cli_release(&o);
	/* A run's signal that came after the run wrote its last word. */
	if (status < 128 && signals_caught() != 0)
		status = 128 + signals_caught();
	if (status > 128 && status < 128 + NSIG)
		signals_reraise(status - 128);
	return status;
}
