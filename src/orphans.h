/*
 * orphans.h - no hook process outlives a run, even one that left its
 * process group (setsid, a daemon's double fork).
 *
 * hookwave makes itself a child subreaper (Linux PR_SET_CHILD_SUBREAPER),
 * so whatever a hook leaves behind is reparented to hookwave instead of
 * init. After the run, every child hookwave still has is such an
 * orphan: orphans_end() sends it (and its process group, if it leads
 * one) SIGTERM and SIGCONT, then SIGKILL after a grace, and reaps it,
 * round after round while killing them hands new orphans over.
 *
 * Call from the main thread only, when no hook is running.
 */
#ifndef HOOKWAVE_ORPHANS_H
#define HOOKWAVE_ORPHANS_H

#include <stddef.h>

/* Become a subreaper. Returns 0, or -1 where the system has none. */
int orphans_adopt(void);

/*
 * End and reap every remaining child. Waits at most `grace` seconds
 * (per round) for them to go on SIGTERM. Returns how many were found.
 */
size_t orphans_end(double grace);

#endif
