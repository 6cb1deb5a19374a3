/*
 * check_log.c - unit tests for log.[ch]: levels and log_enabled, the
 * logfmt line byte for byte (quoting and escaping of values, keys made
 * safe, NULL values left out), one write per line, also from several
 * threads at once, errno kept and write errors ignored.
 *
 * Lines are caught by putting one end of a SOCK_SEQPACKET socket pair
 * on fd 2 for the length of a test: each write(2) arrives as one
 * record, so "one write per line" is seen, not assumed. The ts= value
 * is checked for its form and stripped before comparing.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

Suite *log_suite(void);

/* fd 2 while a test runs, and what was written to it, one record per
 * write(2). */
struct capture {
	int saved;              /* the real fd 2 */
	int rd;                 /* our end of the socket pair */
	pthread_t reader;
	struct strlist writes;
};

static void *
capture_reader(void *arg)
{
	struct capture *c = arg;
	static char rec[1 << 17];

	for (;;) {
		ssize_t n = recv(c->rd, rec, sizeof(rec), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n > sizeof(rec))
			strlist_push(&c->writes, "(a record too long to read)");
		else
			strlist_push_owned(&c->writes, xstrndup(rec, (size_t)n));
	}
	return NULL;
}

static void
capture_start(struct capture *c)
{
	int sv[2];

	memset(c, 0, sizeof(*c));
	fflush(stderr);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	c->saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_eq(dup2(sv[1], 2), 2);
	close(sv[1]);
	c->rd = sv[0];
	ck_assert_int_eq(pthread_create(&c->reader, NULL, capture_reader, c), 0);
}

/* Put fd 2 back; the socket's last writer is gone, so the reader sees
 * the end after the last record. */
static void
capture_end(struct capture *c)
{
	ck_assert_int_eq(dup2(c->saved, 2), 2);
	close(c->saved);
	ck_assert_int_eq(pthread_join(c->reader, NULL), 0);
	close(c->rd);
}

/*
 * Check that rec is one whole line starting "ts=S.mmm " and return
 * what follows the timestamp (into a static buffer); *ts gets S.mmm.
 */
static const char *
strip_ts(const char *rec, double *ts)
{
	static char rest[1 << 17];
	const char *p = rec, *nl = strchr(rec, '\n');
	char *end;

	ck_assert_msg(nl != NULL && nl[1] == '\0',
		      "not one line ending in a newline: '%s'", rec);
	ck_assert_msg(strncmp(p, "ts=", 3) == 0, "no ts=: '%s'", rec);
	p += 3;
	ck_assert_msg(*p >= '0' && *p <= '9', "ts: '%s'", rec);
	while (*p >= '0' && *p <= '9')
		p++;
	ck_assert_msg(p[0] == '.' && p[1] >= '0' && p[1] <= '9' &&
		      p[2] >= '0' && p[2] <= '9' && p[3] >= '0' &&
		      p[3] <= '9' && p[4] == ' ', "ts: '%s'", rec);
	if (ts != NULL) {
		*ts = strtod(rec + 3, &end);
		ck_assert_ptr_eq(end, p + 4);
		ck_assert(*ts >= 0);
	}
	ck_assert_uint_lt(strlen(p + 5), sizeof(rest));
	strcpy(rest, p + 5);
	return rest;
}

/* Exactly one line was written, and without its ts it is `want`. */
static void
expect_one(struct capture *c, const char *want)
{
	ck_assert_uint_eq(c->writes.n, 1);
	ck_assert_str_eq(strip_ts(c->writes.v[0], NULL), want);
	strlist_release(&c->writes);
}

/* First: before log_init nothing is enabled and nothing is written. */
START_TEST(test_default_off)
{
	struct capture c;
	int level;

	for (level = -2; level <= 5; level++)
		ck_assert_int_eq(log_enabled(level), 0);
	capture_start(&c);
	log_event(LOG_LEVEL_ERROR, "nothing", "k", "v", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, 0);
}
END_TEST

START_TEST(test_enabled)
{
	static const int inits[] = { -7, -1, 0, 1, 2, 3, 4, 99 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(inits); i++) {
		int eff = inits[i] < -1 ? -1 : inits[i] > 3 ? 3 : inits[i];
		int q;

		log_init(inits[i]);
		for (q = -3; q <= 6; q++)
			ck_assert_msg(!!log_enabled(q) == (q >= 0 && q <= eff),
				      "log_init(%d): log_enabled(%d) = %d",
				      inits[i], q, log_enabled(q));
	}
	ck_assert_int_eq(LOG_LEVEL_OFF, -1);
	ck_assert_int_lt(LOG_LEVEL_ERROR, LOG_LEVEL_WARN);
	ck_assert_int_lt(LOG_LEVEL_WARN, LOG_LEVEL_INFO);
	ck_assert_int_lt(LOG_LEVEL_INFO, LOG_LEVEL_DEBUG);
}
END_TEST

/* A line below the level is not written; at or above it is. */
START_TEST(test_levels_written)
{
	struct capture c;

	log_init(LOG_LEVEL_WARN);
	capture_start(&c);
	log_event(LOG_LEVEL_DEBUG, "d", NULL);
	log_event(LOG_LEVEL_INFO, "i", NULL);
	log_event(LOG_LEVEL_WARN, "w", NULL);
	log_event(LOG_LEVEL_ERROR, "e", NULL);
	log_event(LOG_LEVEL_OFF, "off", NULL);
	log_event(7, "seven", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, 2);
	ck_assert_str_eq(strip_ts(c.writes.v[0], NULL), "level=warn msg=w\n");
	ck_assert_str_eq(strip_ts(c.writes.v[1], NULL), "level=error msg=e\n");
	strlist_release(&c.writes);

	log_init(LOG_LEVEL_DEBUG);
	capture_start(&c);
	log_event(LOG_LEVEL_DEBUG, "d", NULL);
	log_event(LOG_LEVEL_INFO, "i", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, 2);
	ck_assert_str_eq(strip_ts(c.writes.v[0], NULL), "level=debug msg=d\n");
	ck_assert_str_eq(strip_ts(c.writes.v[1], NULL), "level=info msg=i\n");
	strlist_release(&c.writes);

	log_init(LOG_LEVEL_OFF);
	capture_start(&c);
	log_event(LOG_LEVEL_ERROR, "e", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, 0);
}
END_TEST

/* The example in log.h, and the timestamps of lines in a row. */
START_TEST(test_line)
{
	struct capture c;
	double ts, prev = 0;
	size_t i;

	log_init(LOG_LEVEL_INFO);
	capture_start(&c);
	log_event(LOG_LEVEL_INFO, "wave start", "strategy", "fast", "wave",
		  "1/2", "hooks", "a,b", NULL);
	capture_end(&c);
	expect_one(&c, "level=info msg=\"wave start\" strategy=fast wave=1/2 "
		   "hooks=a,b\n");

	capture_start(&c);
	log_event(LOG_LEVEL_ERROR, NULL, NULL);
	log_event(LOG_LEVEL_ERROR, "", "k", "", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, 2);
	ck_assert_str_eq(strip_ts(c.writes.v[0], NULL), "level=error msg=\"\"\n");
	ck_assert_str_eq(strip_ts(c.writes.v[1], NULL),
			 "level=error msg=\"\" k=\"\"\n");
	strlist_release(&c.writes);

	capture_start(&c);
	for (i = 0; i < 200; i++)
		log_event(LOG_LEVEL_INFO, "tick", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, 200);
	for (i = 0; i < 200; i++) {
		ck_assert_str_eq(strip_ts(c.writes.v[i], &ts),
				 "level=info msg=tick\n");
		ck_assert_msg(ts >= prev, "line %zu: ts %.3f after %.3f", i, ts,
			      prev);
		prev = ts;
	}
	strlist_release(&c.writes);
}
END_TEST

/* Each value as log.h says it is written. */
START_TEST(test_values)
{
	static const struct {
		const char *v, *want;
	} t[] = {
		{ "fast", "fast" },
		{ "a,b;c/d:e+f", "a,b;c/d:e+f" },
		{ "-", "-" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e" },
		/* quoted */
		{ "", "\"\"" },
		{ " ", "\" \"" },
		{ "a b", "\"a b\"" },
		{ "=", "\"=\"" },
		{ "k=v", "\"k=v\"" },
		{ "\"", "\"\\\"\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "\\", "\"\\\\\"" },
		{ "C:\\dir", "\"C:\\\\dir\"" },
		{ "a\\nb", "\"a\\\\nb\"" },
		{ "a\nb", "\"a\\nb\"" },
		{ "a\tb", "\"a\\tb\"" },
		{ "a\rb", "\"a\\rb\"" },
		{ "\x01", "\"\\x01\"" },
		{ "\x1b[31mred", "\"\\x1b[31mred\"" },
		{ "\x1f", "\"\\x1f\"" },
		{ "\x7f", "\"\\x7f\"" },
		/* C1 controls: each byte */
		{ "\xc2\x85", "\"\\xc2\\x85\"" },
		{ "x\xc2\x9by", "\"x\\xc2\\x9by\"" },
		/* invalid UTF-8: each byte that starts nothing valid */
		{ "\xff", "\"\\xff\"" },
		{ "ok\xc3", "\"ok\\xc3\"" },
		{ "\xc0\xaf", "\"\\xc0\\xaf\"" },
		{ "\xed\xa0\x80", "\"\\xed\\xa0\\x80\"" },
		{ "\xe2\x82\xac\xe2\x82", "\"\xe2\x82\xac\\xe2\\x82\"" },
		/* valid UTF-8 stays itself inside quotes */
		{ "\xe2\x82\xac=1", "\"\xe2\x82\xac=1\"" },
	};
	struct capture c;
	size_t i;

	log_init(LOG_LEVEL_INFO);
	capture_start(&c);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		log_event(LOG_LEVEL_INFO, t[i].v, "v", t[i].v, NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, ARRAY_SIZE(t));
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *want = xasprintf("level=info msg=%s v=%s\n", t[i].want,
				       t[i].want);

		ck_assert_msg(strcmp(strip_ts(c.writes.v[i], NULL), want) == 0,
			      "value %zu: got '%s', want '%s'", i,
			      strip_ts(c.writes.v[i], NULL), want);
		free(want);
	}
	strlist_release(&c.writes);
}
END_TEST

START_TEST(test_keys)
{
	static const struct {
		const char *k, *want;
	} t[] = {
		{ "wave", "wave" },
		{ "a.b-c_D9", "a.b-c_D9" },
		{ "", "_" },
		{ "a b", "a_b" },
		{ "k=v", "k_v" },
		{ "\"x\"", "_x_" },
		{ "a\nb", "a_b" },
		{ "caf\xc3\xa9", "caf__" },
		{ "back\\slash", "back_slash" },
		{ "ts", "ts" },
	};
	struct capture c;
	size_t i;

	log_init(LOG_LEVEL_INFO);
	capture_start(&c);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		log_event(LOG_LEVEL_INFO, "m", t[i].k, "1", NULL);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, ARRAY_SIZE(t));
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *want = xasprintf("level=info msg=m %s=1\n", t[i].want);

		ck_assert_str_eq(strip_ts(c.writes.v[i], NULL), want);
		free(want);
	}
	strlist_release(&c.writes);
}
END_TEST

START_TEST(test_null_values)
{
	struct capture c;

	log_init(LOG_LEVEL_DEBUG);
	capture_start(&c);
	log_event(LOG_LEVEL_DEBUG, "m", "a", "1", "b", (const char *)NULL, "c",
		  "3", NULL);
	capture_end(&c);
	expect_one(&c, "level=debug msg=m a=1 c=3\n");

	capture_start(&c);
	log_event(LOG_LEVEL_DEBUG, "m", "a", (const char *)NULL, "b",
		  (const char *)NULL, NULL);
	capture_end(&c);
	expect_one(&c, "level=debug msg=m\n");
}
END_TEST

/* A line far longer than any stack buffer is still one write. */
START_TEST(test_long_line)
{
	enum { N = 50000 };
	struct capture c;
	char *v = xmalloc(N + 1), *want;

	memset(v, 'x', N);
	v[N] = '\0';
	v[N / 2] = ' ';
	log_init(LOG_LEVEL_INFO);
	capture_start(&c);
	log_event(LOG_LEVEL_INFO, "big", "v", v, "after", "1", NULL);
	capture_end(&c);
	want = xasprintf("level=info msg=big v=\"%s\" after=1\n", v);
	expect_one(&c, want);
	free(want);
	free(v);
}
END_TEST

/* errno is the caller's after a line, written or not; a failed write
 * is ignored. */
START_TEST(test_errno_and_write_errors)
{
	struct capture c;
	int saved, full;

	log_init(LOG_LEVEL_INFO);
	capture_start(&c);
	errno = ENOSPC;
	log_event(LOG_LEVEL_INFO, "m", "k", "v", NULL);
	ck_assert_int_eq(errno, ENOSPC);
	errno = EDOM;
	log_event(LOG_LEVEL_DEBUG, "not written", NULL);
	ck_assert_int_eq(errno, EDOM);
	capture_end(&c);
	expect_one(&c, "level=info msg=m k=v\n");

	saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	ck_assert_int_ge(saved, 0);
	full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	close(2);
	errno = ERANGE;
	log_event(LOG_LEVEL_ERROR, "fd 2 closed", NULL);
	ck_assert_int_eq(errno, ERANGE);
	if (full >= 0) {
		ck_assert_int_eq(dup2(full, 2), 2);
		close(full);
		errno = EILSEQ;
		log_event(LOG_LEVEL_ERROR, "disk full", NULL);
		ck_assert_int_eq(errno, EILSEQ);
	}
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
}
END_TEST

/*
 * Threads logging at once: every line arrives whole in a write of its
 * own, each exactly once, each thread's lines in its order.
 */
enum { THREADS = 4, PER_THREAD = 300 };

static void *
log_thread(void *arg)
{
	int id = (int)(intptr_t)arg;
	char pad[600], tid[16], seq[16];
	int i;

	memset(pad, 'a' + id, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(tid, sizeof(tid), "%d", id);
	for (i = 0; i < PER_THREAD; i++) {
		snprintf(seq, sizeof(seq), "%d", i);
		log_event(LOG_LEVEL_INFO, "from a thread", "thread", tid, "seq",
			  seq, "pad", pad, NULL);
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct capture c;
	pthread_t t[THREADS];
	int next[THREADS] = { 0 };
	size_t i;
	int k;

	log_init(LOG_LEVEL_INFO);
	capture_start(&c);
	for (k = 0; k < THREADS; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, log_thread,
						(void *)(intptr_t)k), 0);
	for (k = 0; k < THREADS; k++)
		ck_assert_int_eq(pthread_join(t[k], NULL), 0);
	capture_end(&c);
	ck_assert_uint_eq(c.writes.n, THREADS * PER_THREAD);
	for (i = 0; i < c.writes.n; i++) {
		const char *rest = strip_ts(c.writes.v[i], NULL);
		int id, seq, used = 0;
		char want[700];

		ck_assert_msg(sscanf(rest, "level=info msg=\"from a thread\" "
				     "thread=%d seq=%d pad=%n", &id, &seq,
				     &used) == 2 && used > 0,
			      "line %zu: '%s'", i, rest);
		ck_assert_int_ge(id, 0);
		ck_assert_int_lt(id, THREADS);
		ck_assert_int_eq(seq, next[id]);
		next[id]++;
		memset(want, 'a' + id, 599);
		want[599] = '\n';
		want[600] = '\0';
		ck_assert_str_eq(rest + used, want);
	}
	for (k = 0; k < THREADS; k++)
		ck_assert_int_eq(next[k], PER_THREAD);
	strlist_release(&c.writes);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_default_off);
	tcase_add_test(tc, test_enabled);
	tcase_add_test(tc, test_levels_written);
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_null_values);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_errno_and_write_errors);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
