/*
 * fuzz_conf.c - libFuzzer target for the config loader and the shell
 * command reader: any bytes go through conf_parse() and, when they
 * parse, plan_build() (cycles, waves, chains); the same bytes, up to
 * the first NUL, go through shellcmd_classify() and shellcmd_words().
 * Nothing may crash, leak or hang, and the reader's answers must agree
 * with each other.
 *
 * Built by tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "plan.h"
#include "shellcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_shellcmd(const uint8_t *data, size_t size)
{
	char *cmd = malloc(size + 1);
	struct shellcmd sc;
	char **words;
	size_t n = 0;

	if (cmd == NULL)
		return;
	memcpy(cmd, data, size);
	cmd[size] = '\0';
	shellcmd_classify(cmd, &sc);
	if ((sc.kind == SHELLCMD_UNSAFE) != (sc.why[0] != '\0'))
		abort();
	words = shellcmd_words(cmd, &n);
	if ((words != NULL) != (sc.kind == SHELLCMD_PLAIN))
		abort();
	if (words != NULL && (n == 0 || words[n] != NULL ||
			      shellcmd_is_shell_word(words[0])))
		abort();
	free(words);
	free(cmd);
}

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
	fuzz_shellcmd(data, size);
	return 0;
}
