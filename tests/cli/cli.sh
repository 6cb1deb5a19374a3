#!/bin/bash
# cli.sh - black-box tests of hookwave's command line: help, version,
# bad options and values, config lookup, -C, and what -l, -n and
# --check-config print for a few selections. Nothing here runs hooks.

# This script needs bash (process substitution); automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

# A diamond (a; b and c after a; d after both) and a second strategy.
diamond='[hook a]
command = touch ran
[hook b]
command = touch ran
depends = a
[hook c]
command = touch ran
depends = a
[hook d]
command = touch ran
depends = b, c
[hook slow-1]
command = touch ran
strategy = slow
[hook slow-2]
command = touch ran
strategy = slow
enabled = no
'

proj=$tmp/proj
mkdir "$proj" && cd "$proj" || exit 1
printf '%s' "$diamond" >hookwave.ini

# -l output with runs of blanks squeezed, to compare columns by content.
squeezed() {
	tr -s ' ' <"$tmp/out"
}

# expect_list NAME LINES: the squeezed -l output is exactly LINES.
expect_list() {
	if test "$(squeezed)" = "$2"; then
		check "$1" true
	else
		fail "$1" "want:" "$2"
		_show_run
	fi
}

# The columns of -l line up: every field starts where its header does.
columns_aligned() {
	awk '
	NR == 1 {
		n = 0
		for (i = 1; i <= length($0); i++)
			if (substr($0, i, 1) != " " && (i == 1 || substr($0, i - 1, 1) == " "))
				start[++n] = i
		next
	}
	{
		for (k = 1; k <= n; k++) {
			i = start[k]
			if (substr($0, i, 1) == " " || (i > 1 && substr($0, i - 1, 1) != " "))
				bad = 1
		}
	}
	END { exit bad || n != 4 }' "$tmp/out"
}

# --- help and version ----------------------------------------------------

for opt in -h --help; do
	run "$HOOKWAVE" "$opt"
	expect_exit "$opt: exit status 0" 0
	check "$opt: stdout starts with the usage" \
		test "$(head -c 15 "$tmp/out")" = "usage: hookwave"
	check "$opt: nothing on stderr" test ! -s "$tmp/err"
done

for opt in -V --version; do
	run "$HOOKWAVE" "$opt"
	expect_exit "$opt: exit status 0" 0
	expect_stdout_match "$opt: prints hookwave X.Y.Z" '^hookwave [0-9]+\.[0-9]+\.[0-9]+$'
	check "$opt: one line" test "$(wc -l <"$tmp/out")" -eq 1
	check "$opt: nothing on stderr" test ! -s "$tmp/err"
done

# -h wins over a broken config: it reads none.
run "$HOOKWAVE" -c "$tmp/nothing-here.ini" -h
expect_exit "-h with a missing config: exit status 0" 0

# --- usage errors: exit 2, a message, nothing on stdout --------------------

for opt in --bogus -Z --list=yes; do
	run "$HOOKWAVE" $opt -l
	expect_exit "unknown option $opt: exit status 2" 2
	expect_stderr_has "unknown option $opt: usage on stderr" "usage: hookwave"
	check "unknown option $opt: message first" \
		grep -q '^hookwave: ' "$tmp/err"
	check "unknown option $opt: nothing on stdout" test ! -s "$tmp/out"
done

# A known option given a value it does not take is not "unknown -l".
run "$HOOKWAVE" --list=yes
expect_exit "--list=yes: exit status 2" 2
expect_stderr_has "--list=yes: the message names --list" "--list"

# bad_value NAME ARG...: hookwave ARG... -l fails with a one-line message.
bad_value() {
	_name=$1
	shift
	run "$HOOKWAVE" "$@" -l
	expect_exit "$_name: exit status 2" 2
	expect_stderr_line "$_name: one-line message" '^hookwave: .'
	check "$_name: nothing on stdout" test ! -s "$tmp/out"
}

bad_value "-j 0" -j 0
bad_value "-j -1" -j -1
bad_value "-j abc" -j abc
bad_value "-j 2000" -j 2000
bad_value "-j ''" -j ''
bad_value "--jobs=1025" --jobs=1025
bad_value "-t 10s" -t 10s
bad_value "-t -1" -t -1
bad_value "--timeout=1e3" --timeout=1e3
bad_value "--schedule=fast" --schedule=fast
bad_value "--schedule=Waves" --schedule=Waves
bad_value "-f xml" -f xml
bad_value "--format=JSON" --format=JSON
bad_value "--report-format=html" --report-format=html
bad_value "--color=sometimes" --color=sometimes
bad_value "--log-level=loud" --log-level=loud
bad_value "--staged --all-files" --staged --all-files
bad_value "--files=x --staged" --files=x --staged
bad_value "-q -v" -q -v
bad_value "-0 without --files" -0

run "$HOOKWAVE" -j 0 -l
expect_stderr_has "-j 0: the message names the value" "'0'"
run "$HOOKWAVE" --schedule=fast -l
expect_stderr_has "--schedule=fast: the message names the value" "fast"

HOOKWAVE_LOG=loud run "$HOOKWAVE" -l
expect_exit "HOOKWAVE_LOG=loud: exit status 2" 2
expect_stderr_line "HOOKWAVE_LOG=loud: one-line message" '^hookwave: .*HOOKWAVE_LOG'
HOOKWAVE_LOG=loud run "$HOOKWAVE" --log-level=error -l
expect_exit "--log-level beats a bad HOOKWAVE_LOG" 0

# An option missing its value is reported as such, not as unknown.
for opt in -j -c -t -s; do
	run "$HOOKWAVE" -l "$opt"
	expect_exit "$opt without a value: exit status 2" 2
	if grep -q 'unknown option' "$tmp/err"; then
		fail "$opt without a value: not called an unknown option"
		_show_run
	else
		check "$opt without a value: not called an unknown option" true
	fi
done

# Good values are accepted.
for args in "-j 1" "-j 1024" "-j auto" "--jobs=3" "-t 0" "-t 2147483" \
	    "--schedule=waves" "--schedule=eager" "--schedule=sequential" \
	    "-f text" "-f json" "-f tap" "-f junit" "--color" \
	    "--color=always" "--color=never" "--color=auto" \
	    "--log-level=error" "--no-strategy-parallel" "-x" "-q" "-v" \
	    "--all-files" "--staged" "--files=- -0"; do
	# shellcheck disable=SC2086
	run "$HOOKWAVE" $args --check-config
	expect_exit "$args is accepted" 0
done

# --- config lookup --------------------------------------------------------

look=$tmp/look
mkdir "$look" && cd "$look" || exit 1
for n in from-c from-env from-ini from-dot; do
	printf '[hook %s]\ncommand = touch ran\n' "$n" >"$n.cfg"
done
cp from-ini.cfg hookwave.ini
cp from-dot.cfg .hookwave.ini

# which: the only hook -l lists.
which_hook() {
	sed -n '2s/ .*//p' "$tmp/out"
}

expect_hook() {
	if test "$status" -eq 0 && test "$(which_hook)" = "$2"; then
		check "$1" true
	else
		fail "$1" "want the config with hook $2"
		_show_run
	fi
}

HOOKWAVE_CONFIG=from-env.cfg run "$HOOKWAVE" -c from-c.cfg -l
expect_hook "-c beats HOOKWAVE_CONFIG and hookwave.ini" from-c
HOOKWAVE_CONFIG=from-env.cfg run "$HOOKWAVE" -l
expect_hook "HOOKWAVE_CONFIG beats hookwave.ini" from-env
HOOKWAVE_CONFIG=$look/from-env.cfg run "$HOOKWAVE" -l
expect_hook "HOOKWAVE_CONFIG may be absolute" from-env
HOOKWAVE_CONFIG= run "$HOOKWAVE" -l
expect_hook "an empty HOOKWAVE_CONFIG counts as unset" from-ini
run "$HOOKWAVE" -l
expect_hook "hookwave.ini beats .hookwave.ini" from-ini
rm hookwave.ini
run "$HOOKWAVE" -l
expect_hook ".hookwave.ini is the last local choice" from-dot
HOOKWAVE_CONFIG=$look/nope.cfg run "$HOOKWAVE" -l
expect_exit "a missing HOOKWAVE_CONFIG is an error, no fallback" 2
run "$HOOKWAVE" -c nope.cfg -l
expect_exit "a missing -c file is an error, no fallback" 2

# -C DIR applies first: relative -c and HOOKWAVE_CONFIG are read in DIR.
cp from-ini.cfg hookwave.ini
mkdir sub
printf '[hook sub-ini]\ncommand = touch ran\n' >sub/hookwave.ini
printf '[hook sub-c]\ncommand = touch ran\n' >sub/from-c.cfg
printf '[hook sub-env]\ncommand = touch ran\n' >sub/from-env.cfg
cd "$tmp" || exit 1
run "$HOOKWAVE" -C "$look/sub" -l
expect_hook "-C DIR: DIR/hookwave.ini" sub-ini
run "$HOOKWAVE" -C look/sub -l
expect_hook "-C relative DIR" sub-ini
run "$HOOKWAVE" -C "$look/sub" -c from-c.cfg -l
expect_hook "-C DIR -c FILE: FILE is relative to DIR" sub-c
run "$HOOKWAVE" -c from-c.cfg -C "$look/sub" -l
expect_hook "-c FILE -C DIR: still relative to DIR" sub-c
HOOKWAVE_CONFIG=from-env.cfg run "$HOOKWAVE" -C "$look/sub" -l
expect_hook "-C DIR: HOOKWAVE_CONFIG is relative to DIR" sub-env
run "$HOOKWAVE" -C "$look/sub" -c "$look/from-c.cfg" -l
expect_hook "-C DIR: an absolute -c is left alone" from-c
run "$HOOKWAVE" -C "$tmp/no-such-dir" -l
expect_exit "-C to a missing directory: exit status 2" 2
expect_stderr_line "-C to a missing directory: one line naming it" \
	'^hookwave: .*no-such-dir'

# No config anywhere.
mkdir "$tmp/empty"
cd "$tmp/empty" || exit 1
run "$HOOKWAVE" -l
if test -e /usr/local/etc/hookwave/hookwave.ini ||
   test -e /etc/hookwave/hookwave.ini; then
	echo "# a system-wide hookwave.ini exists: no-config checks skipped"
else
	expect_exit "no config at all: exit status 2" 2
	expect_stderr_line "no config at all: one line about hookwave.ini" \
		'^hookwave: .*hookwave\.ini'
	check "no config at all: nothing on stdout" test ! -s "$tmp/out"
fi

# --- -l, -n, --check-config and selection ---------------------------------

cd "$proj" || exit 1

run "$HOOKWAVE" -l
expect_exit "-l: exit status 0" 0
check "-l: nothing on stderr" test ! -s "$tmp/err"
expect_list "-l: hooks, strategies, waves, dependencies" \
'HOOK STRATEGY WAVE DEPENDS
a default 1 -
b default 2 a
c default 2 a
d default 3 b,c
slow-1 slow 1 -
slow-2 slow disabled -'
check "-l: columns line up" columns_aligned
check "-l: nothing ran" test ! -e ran

run "$HOOKWAVE" --list
expect_list "--list is -l" "$("$HOOKWAVE" -l | tr -s ' ')"

run "$HOOKWAVE" -n
expect_exit "-n: exit status 0" 0
check "-n: nothing on stderr" test ! -s "$tmp/err"
expect_stdout_match "-n: strategy default has 3 waves" '^strategy default: waves, .*3 waves'
expect_stdout_match "-n: wave 1 has a" '^ +wave 1:$'
expect_stdout_match "-n: a in wave 1" '^ +a( |$)'
expect_stdout_match "-n: d after b and c" '^ +d \(after b, c\)'
expect_stdout_match "-n: slow-2 disabled" 'disabled: slow-2'
check "-n: waves in order" test "$(grep -E '^ +wave [0-9]+:$' "$tmp/out" | tr -d ' ' | tr '\n' ' ')" = \
	"wave1: wave2: wave3: wave1: "
check "-n: nothing ran" test ! -e ran

run "$HOOKWAVE" -n --schedule=sequential
expect_exit "-n --schedule=sequential: exit status 0" 0
expect_stdout_match "-n --schedule=sequential: named" '^strategy default: sequential'

run "$HOOKWAVE" --check-config
expect_exit "--check-config: exit status 0" 0
expect_quiet "--check-config: prints nothing"

run "$HOOKWAVE" -l -s slow
expect_exit "-s slow: exit status 0" 0
expect_list "-s slow: only its hooks" \
'HOOK STRATEGY WAVE DEPENDS
slow-1 slow 1 -
slow-2 slow disabled -'

run "$HOOKWAVE" -l -s slow -s default
expect_list "-s twice: both strategies, config order" \
"$("$HOOKWAVE" -l | tr -s ' ')"

run "$HOOKWAVE" -l --skip a
expect_exit "--skip a: exit status 0" 0
expect_list "--skip a: gone, its dependents move up" \
'HOOK STRATEGY WAVE DEPENDS
b default 1 a
c default 1 a
d default 2 b,c
slow-1 slow 1 -
slow-2 slow disabled -'

run "$HOOKWAVE" -l --skip=b,c --skip slow-1
expect_list "--skip a list, and repeated" \
'HOOK STRATEGY WAVE DEPENDS
a default 1 -
d default 1 b,c
slow-2 slow disabled -'

HOOKWAVE_SKIP=a run "$HOOKWAVE" -l
expect_list "HOOKWAVE_SKIP=a: like --skip a" \
'HOOK STRATEGY WAVE DEPENDS
b default 1 a
c default 1 a
d default 2 b,c
slow-1 slow 1 -
slow-2 slow disabled -'

HOOKWAVE_SKIP=unknown run "$HOOKWAVE" -l
expect_exit "HOOKWAVE_SKIP=unknown: ignored, exit status 0" 0
check "HOOKWAVE_SKIP=unknown: nothing on stderr" test ! -s "$tmp/err"
check "HOOKWAVE_SKIP=unknown: the full list" test "$(squeezed | wc -l)" -eq 7

HOOKWAVE_SKIP='unknown, c' run "$HOOKWAVE" -l
expect_exit "HOOKWAVE_SKIP=unknown,c: exit status 0" 0
check "HOOKWAVE_SKIP=unknown,c: c skipped" test "$(squeezed | grep -c '^c ')" -eq 0

run "$HOOKWAVE" -l --skip unknown
expect_exit "--skip unknown: exit status 2" 2
expect_stderr_line "--skip unknown: one line naming it" "^hookwave: .*'unknown'"
check "--skip unknown: nothing on stdout" test ! -s "$tmp/out"

run "$HOOKWAVE" -l -s nope
expect_exit "-s nope: exit status 2" 2
expect_stderr_line "-s nope: one line naming it" "^hookwave: .*'nope'"

run "$HOOKWAVE" -l d b slow-2
expect_exit "named hooks: exit status 0" 0
expect_list "named hooks: only those; a disabled one runs" \
'HOOK STRATEGY WAVE DEPENDS
b default 1 a
d default 2 b,c
slow-2 slow 1 -'

run "$HOOKWAVE" -l a nope
expect_exit "unknown named hook: exit status 2" 2
expect_stderr_line "unknown named hook: one line naming it" "^hookwave: .*'nope'"
check "unknown named hook: nothing on stdout" test ! -s "$tmp/out"

run "$HOOKWAVE" --check-config nope
expect_exit "--check-config with an unknown hook: exit status 2" 2

run "$HOOKWAVE" -- -l
expect_exit "-- ends options: '-l' is a hook name" 2
expect_stderr_has "-- ends options: '-l' named as a hook" "'-l'"

check "no hook ever ran" test ! -e ran

finish
