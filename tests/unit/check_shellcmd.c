/*
 * check_shellcmd.c - unit tests for shellcmd.[ch]: which commands run
 * without a shell, which can take "$@", and why the others cannot.
 *
 * The expectations were checked against dash, /bin/sh on Debian: for
 * every "shell" case `dash -c 'COMMAND "$@"' sh FILE` passes FILE as an
 * argument (or fails with a syntax error of the command's own), and for
 * every "unsafe" case it does not.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shellcmd.h"
#include "util.h"

Suite *shellcmd_suite(void);

struct kind_case {
	const char *cmd;
	enum shellcmd_kind kind;
	const char *why;        /* SHELLCMD_UNSAFE: part of the reason */
};

static const struct kind_case cases[] = {
	/* Plain words: run without a shell. */
	{ "ruff check --", SHELLCMD_PLAIN, NULL },
	{ "python3 -m pytest -q", SHELLCMD_PLAIN, NULL },
	{ "./script.sh --flag=x", SHELLCMD_SHELL, NULL },        /* '=' */
	{ "./script.sh --flag", SHELLCMD_PLAIN, NULL },
	{ "/usr/bin/env python3", SHELLCMD_PLAIN, NULL },
	{ "  tool\targ  ", SHELLCMD_PLAIN, NULL },
	{ "a,b:c+d%e@f^g", SHELLCMD_PLAIN, NULL },
	{ "make -j4", SHELLCMD_PLAIN, NULL },
	{ "git-lfs", SHELLCMD_PLAIN, NULL },
	{ "truex", SHELLCMD_PLAIN, NULL },
	{ "echox", SHELLCMD_PLAIN, NULL },

	/* The shell's own words first: the shell must run them. */
	{ "echo -e x", SHELLCMD_SHELL, NULL },
	{ "printf x", SHELLCMD_SHELL, NULL },
	{ "test -f x", SHELLCMD_SHELL, NULL },
	{ "[ -f x ]", SHELLCMD_SHELL, NULL },
	{ "true", SHELLCMD_SHELL, NULL },
	{ "false", SHELLCMD_SHELL, NULL },
	{ "kill -0 1", SHELLCMD_SHELL, NULL },
	{ "pwd", SHELLCMD_SHELL, NULL },
	{ "cd sub", SHELLCMD_SHELL, NULL },
	{ "chdir sub", SHELLCMD_SHELL, NULL },
	{ "command -v x", SHELLCMD_SHELL, NULL },
	{ "exec make", SHELLCMD_SHELL, NULL },
	{ "read x", SHELLCMD_SHELL, NULL },
	{ "type make", SHELLCMD_SHELL, NULL },
	{ "ulimit -n", SHELLCMD_SHELL, NULL },
	{ "umask", SHELLCMD_SHELL, NULL },
	{ "wait", SHELLCMD_SHELL, NULL },
	{ "getopts x", SHELLCMD_SHELL, NULL },
	{ "hash make", SHELLCMD_SHELL, NULL },
	{ "times", SHELLCMD_SHELL, NULL },
	{ "trap x", SHELLCMD_SHELL, NULL },
	{ "set -e", SHELLCMD_SHELL, NULL },
	{ "export X", SHELLCMD_SHELL, NULL },
	{ "local x", SHELLCMD_SHELL, NULL },
	{ ". ./env.sh", SHELLCMD_SHELL, NULL },
	{ ": x", SHELLCMD_SHELL, NULL },
	{ "time make", SHELLCMD_SHELL, NULL },            /* bash's keyword */
	{ "source x", SHELLCMD_SHELL, NULL },

	/* Shell syntax that "$@" can follow. */
	{ "! grep -nE 'x'", SHELLCMD_SHELL, NULL },
	{ "a && b", SHELLCMD_SHELL, NULL },
	{ "a || b", SHELLCMD_SHELL, NULL },
	{ "a | b", SHELLCMD_SHELL, NULL },
	{ "a; b", SHELLCMD_SHELL, NULL },
	{ "a & b", SHELLCMD_SHELL, NULL },
	{ "cmd --opt='a;b'", SHELLCMD_SHELL, NULL },
	{ "sh -c \"x # y\"", SHELLCMD_SHELL, NULL },
	{ "echo a#b", SHELLCMD_SHELL, NULL },
	{ "echo $#", SHELLCMD_SHELL, NULL },
	{ "echo ${#x}", SHELLCMD_SHELL, NULL },
	{ "echo \\#", SHELLCMD_SHELL, NULL },
	{ "echo '#'", SHELLCMD_SHELL, NULL },
	{ "echo \"a\\\"#\"", SHELLCMD_SHELL, NULL },
	{ "echo $(echo $(echo a))", SHELLCMD_SHELL, NULL },
	{ "echo \"$(echo \")\")\"", SHELLCMD_SHELL, NULL },
	{ "echo `echo \\`x\\``", SHELLCMD_SHELL, NULL },
	{ "echo $(( (1+2) * 3 ))", SHELLCMD_SHELL, NULL },
	{ "echo \"${x-'}'}\"", SHELLCMD_SHELL, NULL },    /* ' is plain there */
	{ "echo ${x-'}'}", SHELLCMD_SHELL, NULL },
	{ "x=$(case a in a) echo in;; esac); echo $x", SHELLCMD_SHELL, NULL },
	{ "case $1 in (a|b) x;; *) y;; esac; cmd", SHELLCMD_SHELL, NULL },
	{ "if a; then b; fi; cmd", SHELLCMD_SHELL, NULL },
	{ "if a; then b; elif c; then d; else e; fi && cmd", SHELLCMD_SHELL, NULL },
	{ "for f in a b; do x; done; cmd", SHELLCMD_SHELL, NULL },
	{ "for f do x; done; cmd", SHELLCMD_SHELL, NULL },
	{ "while false; do x; done; cmd", SHELLCMD_SHELL, NULL },
	{ "until true; do x; done; cmd", SHELLCMD_SHELL, NULL },
	{ "{ a; b; } | cmd", SHELLCMD_SHELL, NULL },
	{ "(a; b) | c", SHELLCMD_SHELL, NULL },
	{ "f() { x; }; f", SHELLCMD_SHELL, NULL },
	{ "f() echo x; f", SHELLCMD_SHELL, NULL },
	{ "cmd 2>&1", SHELLCMD_SHELL, NULL },
	{ "cmd >out 2>/dev/null", SHELLCMD_SHELL, NULL },
	{ "cmd <<EOF", SHELLCMD_SHELL, NULL },
	{ "cat <<-'E'\n\tbody\n\tE\ncmd", SHELLCMD_SHELL, NULL },
	{ "A=1 make", SHELLCMD_SHELL, NULL },
	{ "make -j4 CC=gcc", SHELLCMD_SHELL, NULL },
	{ "ls *.c", SHELLCMD_SHELL, NULL },
	{ "cmd ~/x", SHELLCMD_SHELL, NULL },
	{ "cmd {", SHELLCMD_SHELL, NULL },                /* an argument */
	{ "echo if then fi", SHELLCMD_SHELL, NULL },
	{ "\"if\"", SHELLCMD_SHELL, NULL },               /* quoted: a command */
	{ "a &&\n b", SHELLCMD_SHELL, NULL },
	{ "a \\\n b", SHELLCMD_SHELL, NULL },
	{ "a # comment\nb", SHELLCMD_SHELL, NULL },
	/* Syntax errors seen before the end: the shell reports them. */
	{ "then", SHELLCMD_SHELL, NULL },
	{ "a ) b", SHELLCMD_SHELL, NULL },
	{ "; a", SHELLCMD_SHELL, NULL },
	{ "a=1 if true; then echo x; fi", SHELLCMD_SHELL, NULL },

	/* "$@" would not be arguments. */
	{ "true;", SHELLCMD_UNSAFE, "ends with ';', so the first file would run as a command" },
	{ "a ;", SHELLCMD_UNSAFE, "ends with ';'" },
	{ "a &&", SHELLCMD_UNSAFE, "ends with '&&'" },
	{ "a ||", SHELLCMD_UNSAFE, "ends with '||'" },
	{ "a |", SHELLCMD_UNSAFE, "ends with '|'" },
	{ "a &", SHELLCMD_UNSAFE, "ends with '&'" },
	{ "a && (", SHELLCMD_UNSAFE, "ends with '('" },
	{ "a\n", SHELLCMD_UNSAFE, "ends with a newline" },
	{ "case x in a) b ;;", SHELLCMD_UNSAFE, "ends inside the header of 'case'" },
	{ "!", SHELLCMD_UNSAFE, "ends with '!'" },
	{ "a | !", SHELLCMD_UNSAFE, "ends with '!'" },
	{ "if", SHELLCMD_UNSAFE, "ends with 'if'" },
	{ "if a; then", SHELLCMD_UNSAFE, "ends with 'then'" },
	{ "if a; then b; else", SHELLCMD_UNSAFE, "ends with 'else'" },
	{ "if a; then b; elif", SHELLCMD_UNSAFE, "ends with 'elif'" },
	{ "while true; do", SHELLCMD_UNSAFE, "ends with 'do'" },
	{ "until", SHELLCMD_UNSAFE, "ends with 'until'" },
	{ "{", SHELLCMD_UNSAFE, "ends with '{'" },
	{ "{ a; b; }", SHELLCMD_UNSAFE, "ends with '}', so the files would be a syntax error" },
	{ "(a; b)", SHELLCMD_UNSAFE, "ends with ')'" },
	{ "if a; then b; fi", SHELLCMD_UNSAFE, "ends with 'fi'" },
	{ "for f; do x \"$f\"; done", SHELLCMD_UNSAFE, "ends with 'done'" },
	{ "case x in a) b;; esac", SHELLCMD_UNSAFE, "ends with 'esac'" },
	{ "case x in esac", SHELLCMD_UNSAFE, "ends with 'esac'" },
	{ "f() { x; }", SHELLCMD_UNSAFE, "ends with '}'" },
	{ "f()", SHELLCMD_UNSAFE, "ends with '()'" },
	{ "for f", SHELLCMD_UNSAFE, "ends inside the header of 'for'" },
	{ "for f in a b", SHELLCMD_UNSAFE, "ends inside the header of 'for'" },
	{ "case x in", SHELLCMD_UNSAFE, "ends inside the header of 'case'" },
	{ "case x in a", SHELLCMD_UNSAFE, "ends inside the header of 'case'" },
	{ "FOO=1", SHELLCMD_UNSAFE, "has no command word after its assignments or redirections" },
	{ "FOO=1 >x", SHELLCMD_UNSAFE, "has no command word" },
	{ "2>/dev/null", SHELLCMD_UNSAFE, "has no command word" },
	{ "a; 2>/dev/null", SHELLCMD_UNSAFE, "has no command word" },
	{ "cmd >", SHELLCMD_UNSAFE, "ends with a redirection, '>', so the first file would be its target" },
	{ "cmd 2>", SHELLCMD_UNSAFE, "ends with a redirection, '>'" },
	{ "cmd >>", SHELLCMD_UNSAFE, "ends with a redirection, '>>'" },
	{ "cmd <", SHELLCMD_UNSAFE, "ends with a redirection, '<'" },
	{ "cmd <<", SHELLCMD_UNSAFE, "ends with a redirection, '<<'" },
	{ "cmd >&", SHELLCMD_UNSAFE, "ends with a redirection, '>&'" },
	{ "ruff check # fast", SHELLCMD_UNSAFE, "ends with a comment, '# fast', which would swallow the files" },
	{ "a;# x", SHELLCMD_UNSAFE, "ends with a comment" },
	{ "a # 0123456789012345678901234567890123456789", SHELLCMD_UNSAFE,
	  "'# 01234567890123456789012345678901234...'" },
	{ "cmd \\", SHELLCMD_UNSAFE, "ends with a backslash" },
	{ "echo 'abc", SHELLCMD_UNSAFE, "has an unterminated single quote" },
	{ "echo \"abc", SHELLCMD_UNSAFE, "has an unterminated double quote" },
	{ "echo \"a\\\"", SHELLCMD_UNSAFE, "has an unterminated double quote" },
	{ "echo `abc", SHELLCMD_UNSAFE, "has an unterminated backquote" },
	{ "echo $(abc", SHELLCMD_UNSAFE, "has an unterminated '$('" },
	{ "echo $(a # )", SHELLCMD_UNSAFE, "has an unterminated '$('" },
	{ "echo ${abc", SHELLCMD_UNSAFE, "has an unterminated '${'" },
	{ "echo $((1+2)", SHELLCMD_UNSAFE, "has an unterminated '$(('" },
	{ "cat <<E\nbody", SHELLCMD_UNSAFE, "ends inside a here-document" },
	{ "cat <<E\nbody\nE", SHELLCMD_UNSAFE, "ends with a here-document's last line" },
	{ "cat <<E\nbody\nE\ncmd", SHELLCMD_SHELL, NULL },
	{ "", SHELLCMD_UNSAFE, "is empty" },
	{ "   ", SHELLCMD_UNSAFE, "is empty" },
};

START_TEST(test_kinds)
{
	const struct kind_case *k = &cases[_i];
	struct shellcmd sc;

	memset(&sc, 0x5a, sizeof(sc));
	shellcmd_classify(k->cmd, &sc);
	ck_assert_msg(sc.kind == k->kind, "'%s': kind %d, want %d (%s)",
		      k->cmd, (int)sc.kind, (int)k->kind, sc.why);
	if (k->kind == SHELLCMD_UNSAFE)
		ck_assert_msg(strstr(sc.why, k->why) != NULL,
			      "'%s': why '%s' lacks '%s'", k->cmd, sc.why, k->why);
	else
		ck_assert_str_eq(sc.why, "");
}
END_TEST

/* Every builtin and reserved word of dash, as `command -V` lists them. */
START_TEST(test_shell_words)
{
	static const char *const dash[] = {
		".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command",
		"continue", "echo", "eval", "exec", "exit", "export", "false",
		"fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd",
		"read", "readonly", "return", "set", "shift", "test", "times",
		"trap", "true", "type", "ulimit", "umask", "unalias", "unset",
		"wait",
		"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi",
		"for", "if", "in", "then", "until", "while",
	};
	static const char *const not_shell[] = {
		"make", "ruff", "env", "xargs", "sh", "bash", "newgrp", "ECHO",
		"echo2", "tru", "",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dash); i++) {
		char *cmd = xasprintf("%s x", dash[i]);
		struct shellcmd sc;

		ck_assert_msg(shellcmd_is_shell_word(dash[i]), "%s", dash[i]);
		shellcmd_classify(cmd, &sc);
		ck_assert_msg(sc.kind != SHELLCMD_PLAIN, "'%s' runs without sh",
			      cmd);
		free(cmd);
	}
	for (i = 0; i < ARRAY_SIZE(not_shell); i++)
		ck_assert_msg(!shellcmd_is_shell_word(not_shell[i]), "%s",
			      not_shell[i]);
}
END_TEST

START_TEST(test_words)
{
	size_t n = 99;
	char **v = shellcmd_words("  ruff\tcheck  --fix -- ", &n);

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(v[0], "ruff");
	ck_assert_str_eq(v[1], "check");
	ck_assert_str_eq(v[2], "--fix");
	ck_assert_str_eq(v[3], "--");
	ck_assert_ptr_null(v[4]);
	free(v);

	n = 99;
	ck_assert_ptr_null(shellcmd_words("echo x", &n));
	ck_assert_ptr_null(shellcmd_words("ruff 'x'", &n));
	ck_assert_ptr_null(shellcmd_words("a;", &n));
	ck_assert_ptr_null(shellcmd_words("", &n));
	ck_assert_uint_eq(n, 99);
}
END_TEST

/* Deep nesting is refused, not a stack overflow. */
START_TEST(test_deep)
{
	struct shellcmd sc;
	size_t depth = 100000, i;
	char *cmd = xmalloc(4 * depth + 8), *p = cmd;

	for (i = 0; i < depth; i++) {
		memcpy(p, "$(", 2);
		p += 2;
	}
	*p++ = 'x';
	for (i = 0; i < depth; i++)
		*p++ = ')';
	*p = '\0';
	shellcmd_classify(cmd, &sc);
	ck_assert_int_eq(sc.kind, SHELLCMD_UNSAFE);
	ck_assert_msg(strstr(sc.why, "levels deep") != NULL, "%s", sc.why);

	/* 60 levels of $( ) and quotes are fine. */
	p = cmd;
	memcpy(p, "x ", 2);
	p += 2;
	for (i = 0; i < 30; i++) {
		memcpy(p, "\"$(", 3);
		p += 3;
	}
	*p++ = 'y';
	for (i = 0; i < 30; i++) {
		memcpy(p, ")\"", 2);
		p += 2;
	}
	*p = '\0';
	shellcmd_classify(cmd, &sc);
	ck_assert_msg(sc.kind == SHELLCMD_SHELL, "%s", sc.why);

	p = cmd;
	for (i = 0; i < depth; i++) {
		memcpy(p, "{ ", 2);
		p += 2;
	}
	*p = '\0';
	shellcmd_classify(cmd, &sc);
	ck_assert_int_eq(sc.kind, SHELLCMD_UNSAFE);
	ck_assert_msg(strstr(sc.why, "levels deep") != NULL, "%s", sc.why);
	free(cmd);
}
END_TEST

/* Many here-documents on one line: no overflow, no opinion. */
START_TEST(test_many_heredocs)
{
	struct { char s[4096]; } b;
	struct shellcmd sc;
	size_t i, n = 0;

	n += (size_t)snprintf(b.s + n, sizeof(b.s) - n, "cat");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(b.s + n, sizeof(b.s) - n, " <<E%zu", i);
	snprintf(b.s + n, sizeof(b.s) - n, "\nE0\n");
	shellcmd_classify(b.s, &sc);
	ck_assert_int_eq(sc.kind, SHELLCMD_SHELL);

	/* A delimiter too long to remember, likewise. */
	memset(b.s, 'D', sizeof(b.s) - 1);
	memcpy(b.s, "cat <<", 6);
	b.s[sizeof(b.s) - 3] = '\n';
	b.s[sizeof(b.s) - 2] = 'x';
	b.s[sizeof(b.s) - 1] = '\0';
	shellcmd_classify(b.s, &sc);
	ck_assert_int_eq(sc.kind, SHELLCMD_SHELL);
}
END_TEST

/* A launcher's words: quotes and backslashes, no expansion. */
START_TEST(test_split)
{
	static const struct {
		const char *in;
		const char *out;        /* words joined by '|', or NULL */
		const char *why;
	} split_cases[] = {
		{ "srun --ntasks=1 --", "srun|--ntasks=1|--", NULL },
		{ "  env\tA=1  ", "env|A=1", NULL },
		{ "ssh -o 'BatchMode yes' \"h o\"st", "ssh|-o|BatchMode yes|h ost", NULL },
		{ "a\\ b \"q\\\"x\" 'it'\\''s'", "a b|q\"x|it's", NULL },
		{ "a '$HOME' ''", "a|$HOME|", NULL },
		{ "", "", NULL },
		{ "ssh $HOST", NULL, "'$' needs a shell" },
		{ "ssh \"$HOST\"", NULL, "'$' needs a shell" },
		{ "a `b`", NULL, "'`' needs a shell" },
		{ "a; b", NULL, "';' needs a shell" },
		{ "a | b", NULL, "'|' needs a shell" },
		{ "a > f", NULL, "'>' needs a shell" },
		{ "a *.c", NULL, "'*' needs a shell" },
		{ "a #c", NULL, "'#' at the start" },
		{ "a ~/x", NULL, "'~' at the start" },
		{ "a 'b", NULL, "(') is not closed" },
		{ "a \"b", NULL, "(\") is not closed" },
		{ "a \\", NULL, "ends with" },
	};
	size_t i, k, n;

	for (i = 0; i < ARRAY_SIZE(split_cases); i++) {
		char why[160] = "", got[256] = "";
		char **w = shellcmd_split(split_cases[i].in, &n, why, sizeof(why));

		if (split_cases[i].out == NULL) {
			ck_assert_msg(w == NULL, "%s: split", split_cases[i].in);
			ck_assert_msg(strstr(why, split_cases[i].why) != NULL,
				      "%s: '%s'", split_cases[i].in, why);
			continue;
		}
		ck_assert_msg(w != NULL, "%s: %s", split_cases[i].in, why);
		for (k = 0; k < n; k++) {
			if (k > 0)
				strcat(got, "|");
			strcat(got, w[k]);
		}
		ck_assert_ptr_null(w[n]);
		ck_assert_str_eq(got, split_cases[i].out);
		free(w);
	}
}
END_TEST

/* What shellcmd_quote makes, /bin/sh splits back into the same words. */
START_TEST(test_quote)
{
	char *argv[] = { (char *)"printf", (char *)"<%s>", (char *)"a b",
			 (char *)"it's", (char *)"$HOME", (char *)"\"q\"",
			 (char *)"", (char *)"x=1", (char *)"*", (char *)"l\nf",
			 (char *)"plain-./,:+%@", NULL };
	char *q = shellcmd_quote(argv), *qq, *cmd, got[256];
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(q);
	ck_assert(strstr(q, "printf '<%s>' 'a b' 'it'\\''s' '$HOME'") == q);
	ck_assert(strstr(q, " plain-./,:+%@") != NULL);
	qq = shellcmd_quote((char *[]){ q, NULL });
	cmd = xasprintf("/bin/sh -c %s", qq);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_str_eq(got, "<a b><it's><$HOME><\"q\"><><x=1><*><l\nf>"
			 "<plain-./,:+%@>");
	free(q);
	free(qq);
	free(cmd);
}
END_TEST

Suite *
shellcmd_suite(void)
{
	Suite *s = suite_create("shellcmd");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_kinds, 0, (int)ARRAY_SIZE(cases));
	tcase_add_test(tc, test_shell_words);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_deep);
	tcase_add_test(tc, test_many_heredocs);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_quote);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shellcmd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
