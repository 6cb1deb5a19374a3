/*
 * fuzz_conf.c - libFuzzer target for the config loader: any bytes go
 * through conf_parse() and, when they parse, plan_build() (cycles,
 * waves, chains). Nothing may crash, leak or hang.
 *
 * Built by tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	struct plan p;
	struct plan_options o = PLAN_OPTIONS_INIT;
	struct err e;

	conf_init(&c);
	if (conf_parse(&c, "fuzz.ini", (const char *)data, size, &e) == 0) {
		o.jobs = 2;     /* independent of the machine */
		plan_build(&p, &c, &o, &e);
		plan_release(&p);
	}
	conf_release(&c);
	return 0;
}
