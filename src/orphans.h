/*
 * orphans.h - no hook process outlives a run, even one that left its
 * process group (setsid, a daemon's double fork).
 *
 * hookwave makes itself a child subreaper (Linux PR_SET_CHILD_SUBREAPER),
 * so whatever a hook leaves behind is reparented to hookwave instead of
 * init. After the run, every child hookwave still has is such an
 * orphan, except the children it already had when orphans_adopt() was
 * called: those it inherited through exec (`sleep 60 & exec hookwave`,
 * the tee of `exec hookwave > >(tee log)`) are not the run's, and are
 * left alone. orphans_end() sends each orphan (and its process group,
 * if it leads one) SIGTERM and SIGCONT, then SIGKILL after a grace, and
 * reaps it, round after round while killing them hands new orphans over.
 *
 * The list of inherited children is process-wide state of this module,
 * as the subreaper attribute is. Call both from the main thread only:
 * orphans_adopt() before any process of the run starts (the guardian
 * included), orphans_end() when no hook is running and the guardian has
 * been stopped (guardian_stop), else it would be taken for an orphan.
 */
#ifndef HOOKWAVE_ORPHANS_H
#define HOOKWAVE_ORPHANS_H

#include <stddef.h>

/*
 * Note the children hookwave has now (inherited, never ended here) and
 * become a subreaper. Returns 0, or -1 where the system has none.
 */
int orphans_adopt(void);

/*
 * End and reap every remaining child that was not there at
 * orphans_adopt(). Waits at most `grace` seconds (per round) for them
 * to go on SIGTERM. Returns how many were found. Keeps errno.
 */
size_t orphans_end(double grace);

#endif
