/*
 * log.h - structured log lines on stderr (--log-level, HOOKWAVE_LOG),
 * in logfmt:
 *
 *   ts=0.012 level=info msg="wave start" strategy=fast wave=1/2 hooks=a,b
 *
 * `ts` is seconds since log_init() (the start of the run), with three
 * decimals. A value is quoted when it is empty or holds a blank, '"',
 * '=', '\' or anything not printable; inside quotes '"' and '\' are
 * escaped with '\', newline, tab and CR as \n, \t, \r, and any other
 * control character or byte of invalid UTF-8 as \xNN. Keys are
 * [A-Za-z0-9_.-]; anything else in a key becomes '_'.
 *
 * Thread-safe: each line is formatted in the caller's memory and
 * written with one write_all(2) to fd 2 under a lock, so lines never
 * interleave.
 */
#ifndef HOOKWAVE_LOG_H
#define HOOKWAVE_LOG_H

/* Levels, most severe first. Not LOG_ERROR etc.: <syslog.h> has those. */
enum {
	LOG_LEVEL_OFF = -1,
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3
};

/*
 * Log lines up to `level` (LOG_LEVEL_OFF: none, the default) from now
 * on, and start the clock for `ts`. Call it once, before any thread
 * that logs is started.
 */
void log_init(int level);

/* Non-zero if a line of `level` would be written: test it before
 * building costly values. */
int log_enabled(int level);

/*
 * Write one line of `level` with message `msg`, then the key/value
 * pairs that follow: const char *key, const char *value, ..., ended by
 * a NULL key. A pair whose value is NULL is left out (so optional
 * fields need no second call). Does nothing if the level is not
 * enabled. Write errors are ignored (there is nowhere to say so).
 */
void log_event(int level, const char *msg, ...);

#endif
