/*
 * history_print.h - `hookwave history [HOOK]...`: per hook of the plan,
 * its runs, last status and when, median and 90th-percentile duration,
 * and the trend (history_stats, history.h), from the results the state
 * store keeps (store.h). Text: one aligned line per hook under a
 * header; JSON (-f json): one object per line,
 * {"type":"history","name","strategy","runs","last_status","last_run",
 * "median","p90","trend"}, last_run ISO 8601 UTC, times in seconds,
 * null for what is not known.
 *
 * From the main thread; no shared state.
 */
#ifndef HOOKWAVE_HISTORY_PRINT_H
#define HOOKWAVE_HISTORY_PRINT_H

#include "buf.h"
#include "plan.h"
#include "report.h"
#include "store.h"

/*
 * Print the plan's hooks (keys[i]: plan hook i's history key) as `f`
 * says (REPORT_JSON, else text) into `out`, from run directory `dir`
 * of store `st` (NULL: no runs). Returns 0, or -1 with `e` when the
 * store cannot be read.
 */
int history_print(struct buf *out, const struct plan *p, char *const *keys,
		  struct store *st, const char *dir, enum report_format f,
		  struct err *e);

/* "2024-05-01T12:00:00Z" for `t` seconds since the epoch. */
void history_print_time(char *buf, size_t size, double t);

#endif
