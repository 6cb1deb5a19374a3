/* report_tap.c - TAP version 13 (placeholder until the reports issue). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "writer.h"
static void tap_hook(struct writer_state *w, struct buf *b, size_t hook, const struct hook_result *res) { (void)w; (void)b; (void)hook; (void)res; }
static void tap_finish(struct writer_state *w, struct buf *b, const struct hook_result *results, const size_t *order, size_t n, double elapsed, int exit_status) { (void)w; (void)b; (void)results; (void)order; (void)n; (void)elapsed; (void)exit_status; }
const struct writer writer_tap = { NULL, tap_hook, tap_finish };
const struct writer writer_junit = { NULL, tap_hook, tap_finish };
void timeline_render(struct buf *b, const struct plan *p, const struct hook_result *results, unsigned nslots) { (void)b; (void)p; (void)results; (void)nslots; }
