#!/bin/bash
# run.sh - black-box tests of running hooks (hookwave(1): STRATEGIES AND
# WAVES, PROCESSES, SIGNALS, EXIT STATUS): statuses and exit
# codes, what a hook process gets (stdin, fds, environment), timeouts
# and the kill sequence, pipes held by grandchildren, bounded output,
# the global cap and max_workers, strategies in parallel or not,
# dependency order, -q and -v, the summary line, skips, selection,
# signals to hookwave, and that nothing is left behind (processes,
# temporary files).
#
# Every hookwave run is bounded (timeout -k 5 60, or a watchdog for the
# runs that get a signal). Synchronisation is on files, never on
# sleeps, and no check asserts how fast anything is. Hooks that could
# outlive a run sleep with a unique marker (sleep 1000.<pid>0<n>) that
# pgrep looks for afterwards. Measured figures are printed as
# "# measured:" lines.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v pgrep >/dev/null 2>&1 || skip_all "no pgrep(1)"
command -v setsid >/dev/null 2>&1 || skip_all "no setsid(1)"

need_helper

export LC_ALL=C
unset NO_COLOR
ulimit -c 0 2>/dev/null         # kill -SEGV must not leave a core file

# Every hookwave run gets a fresh, empty TMPDIR; it must stay empty.
TMPDIR=$tmp/tmpdir
mkdir "$TMPDIR" || exit 1
export TMPDIR

# Unique sleep markers: "sleep $(mark N)" is found by `alive N`.
mark_base=1000.${$}0
mark() {
	echo "$mark_base$1"
}
for _n in 1 2 3 4 5 6 7 8 9; do
	export HW_M$_n="$(mark $_n)"
done

# alive N: a process `sleep <mark N>` exists.
alive() {
	pgrep -f "^sleep $(mark "$1")\$" >/dev/null
}

# gone N: no such process, allowing a few seconds for the kernel to
# reap it (what is checked is that it was killed at all).
gone() {
	_i=0
	while alive "$1"; do
		_i=$((_i + 1))
		test "$_i" -ge 50 && return 1
		"$HELPER" sleep 0.1
	done
	return 0
}

# hw ARGS...: run hookwave here, bounded; output in $tmp/out, $tmp/err.
hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

# newcase NAME: a fresh run directory with hookwave.ini from stdin.
newcase() {
	cd "$tmp" || exit 1
	mkdir "$tmp/$1" || exit 1
	cd "$tmp/$1" || exit 1
	cat >hookwave.ini
}

# line RE: a line of the last stdout matches RE (and lines are shown).
expect_line() {
	expect_stdout_match "$1" "$2"
}

no_line() {
	if LC_ALL=C grep -E -q -e "$2" "$tmp/out"; then
		fail "$1" "a line of stdout matches: $2"
		_show_run
	else
		check "$1" true
	fi
}

dur='[0-9]+\.[0-9]{2}s'
summary_re() {
	echo "^hookwave: $1 passed, $2 failed, $3 timeout, $4 error, $5 skipped in $dur \\(hooks' total $dur, [0-9]+\\.[0-9]x\\)\$"
}

# --- statuses and exit codes --------------------------------------------

newcase pass <<'EOF'
[hook a]
command = true
[hook b]
command = echo hello from b
EOF
hw
expect_exit "all pass: exit status 0" 0
expect_line "all pass: a passed" "^passed +default/a +$dur\$"
expect_line "all pass: b passed" "^passed +default/b +$dur\$"
expect_line "all pass: summary line format" "$(summary_re 2 0 0 0 0)"
check "all pass: the summary is the last line" \
	grep -q -E "$(summary_re 2 0 0 0 0)" <(tail -n 1 "$tmp/out")
no_line "all pass: no output of passing hooks without -v" '^hello from b$'
check "all pass: nothing on stderr" test ! -s "$tmp/err"
hw -v
expect_exit "-v: exit status 0" 0
expect_line "-v: prints the output of passing hooks" '^hello from b$'

newcase statuses <<'EOF'
[hook ok]
command = true
[hook three]
command = exit 3
[hook e127]
command = exit 127
[hook missing]
command = no-such-command-hookwave-test
[hook noexec]
command = ./noexec.sh
[hook badcwd]
command = true
cwd = no-such-dir
[hook segv]
command = kill -SEGV $$
EOF
printf '#!/bin/sh\nexit 0\n' >noexec.sh
chmod -x noexec.sh
hw
expect_exit "statuses: exit status 1" 1
expect_line "statuses: passed" "^passed +default/ok +$dur\$"
expect_line "statuses: exit 3 is failed, exit 3" "^failed +default/three +$dur +exit 3\$"
expect_line "statuses: exit 127 is error, command not found" \
	"^error +default/e127 +$dur +command not found\$"
expect_line "statuses: a missing command is error, command not found" \
	"^error +default/missing +$dur +command not found\$"
expect_line "statuses: a chmod -x script is error, not executable" \
	"^error +default/noexec +$dur +.*not executable\$"
expect_line "statuses: a bad cwd is error, bad cwd" \
	"^error +default/badcwd +$dur +bad cwd"
expect_line "statuses: kill -SEGV \$\$ is failed, signal 11" \
	"^failed +default/segv +$dur +.*signal 11\$"
expect_line "statuses: summary counts" "$(summary_re 1 2 0 4 0)"
check "statuses: no core file" test ! -e core

# --- what a hook process gets --------------------------------------------

# stdin is /dev/null: cat returns at once, even when hookwave's own
# stdin is a pipe nobody closes (it would time out otherwise).
newcase stdin <<'EOF'
[hook cat]
command = cat && readlink /proc/self/fd/0
timeout = 30
EOF
mkfifo fifo
exec 8<>fifo
timeout -k 5 60 "$HOOKWAVE" -v <fifo >"$tmp/out" 2>"$tmp/err"
status=$?
exec 8>&-
expect_exit "stdin: exit status 0" 0
expect_line "stdin: cat returned at once (passed)" "^passed +default/cat"
expect_line "stdin: it is /dev/null" '^/dev/null$'

# Only fds 0, 1 and 2, whatever hookwave inherited.
newcase fds <<'EOF'
[hook fds]
command = "$HOOKWAVE_TEST_HELPER" print-fds
EOF
"$HELPER" print-fds 3</dev/null 7>"$tmp/fds/x" >fds.self
check "fds: (the helper itself sees inherited fds 3 and 7)" \
	test "$(tr ' ' '\n' <fds.self | grep -c -x -E '3|7')" -eq 2
timeout -k 5 60 "$HOOKWAVE" -v </dev/null >"$tmp/out" 2>"$tmp/err" \
	3</dev/null 7>"$tmp/fds/x"
status=$?
expect_exit "fds: exit status 0" 0
expect_line "fds: the hook has exactly 0 1 2" '^0 1 2$'

# The environment: hookwave's, then env lines, then HOOKWAVE_*.
newcase env <<'EOF'
[hook e1]
strategy = envs
command = printf '[%s|%s|%s|%s|%s]\n' "$FOO" "$BAR" "$HOOKWAVE_HOOK" "$HOOKWAVE_STRATEGY" "$HOOKWAVE_WAVE"
env = FOO=foo value
env = BAR=b=c
[hook e2]
strategy = envs
depends = e1
command = printf '[wave=%s hook=%s foo=%s outer=%s]\n' "$HOOKWAVE_WAVE" "$HOOKWAVE_HOOK" "$FOO" "$OUTER"
EOF
FOO=outer OUTER=kept HOOKWAVE_HOOK=spoofed HOOKWAVE_WAVE=9 hw -v
expect_exit "env: exit status 0" 0
expect_line "env: env lines, HOOKWAVE_HOOK, _STRATEGY, _WAVE" \
	'^\[foo value\|b=c\|e1\|envs\|1\]$'
expect_line "env: a wave-2 hook has HOOKWAVE_WAVE=2 and hookwave's env" \
	'^\[wave=2 hook=e2 foo=outer outer=kept\]$'

# --- timeouts and the kill sequence ---------------------------------------

newcase timeout <<'EOF'
[settings]
kill_grace = 1
[hook t]
command = sleep $HW_M1
timeout = 1
[hook trapper]
command = trap '' TERM; sleep $HW_M2
timeout = 1
[hook quick]
command = true
EOF
hw
expect_exit "timeout: exit status 1" 1
expect_line "timeout: sleep 100 with timeout=1 is timeout" "^timeout +default/t +$dur +.*after 1s\$"
expect_line "timeout: a hook ignoring TERM is timeout" "^timeout +default/trapper +$dur +.*after 1s\$"
expect_line "timeout: the others pass" "^passed +default/quick"
expect_line "timeout: summary counts" "$(summary_re 1 0 2 0 0)"
check "timeout: the sleep is gone" gone 1
check "timeout: the TERM-ignoring sleep is gone (SIGKILL after kill_grace)" gone 2

# A stopped hook still gets its TERM: SIGCONT follows it.
newcase stopped <<'EOF'
[settings]
kill_grace = 20
[hook stopped]
command = trap 'echo bye >stopped.flag; exit 0' TERM; kill -STOP $$
timeout = 1
EOF
hw
expect_exit "stopped: exit status 1" 1
expect_line "stopped: timeout" "^timeout +default/stopped"
check "stopped: the TERM trap ran (SIGCONT was sent)" test -s stopped.flag

# A grandchild holding the pipe: the hook is done when its main process
# exits. With timeout = 30, waiting for EOF would make it a timeout.
newcase grandchild <<'EOF'
[hook gc]
command = sleep $HW_M3 & echo up
timeout = 30
EOF
hw -v
expect_exit "grandchild: exit status 0" 0
expect_line "grandchild: passed" "^passed +default/gc"
expect_line "grandchild: its output" '^up$'
check "grandchild: no orphan left" gone 3

# --- output ---------------------------------------------------------------

# 1 GB of output: passed, memory bounded, the exact dropped count.
newcase big <<'EOF'
[settings]
output_limit = 1048576
[hook big]
command = head -c 1000000000 /dev/zero
EOF
if test -x /usr/bin/time; then
	run timeout -k 5 60 /usr/bin/time -f %M -o rss.txt "$HOOKWAVE" -v
	expect_exit "1 GB: exit status 0" 0
	expect_line "1 GB: passed" "^passed +default/big"
	check "1 GB: exact dropped count" \
		grep -a -q -x '\[hookwave: 998951424 bytes dropped\]' "$tmp/out"
	rss=$(tail -n 1 rss.txt)
	echo "# measured: peak RSS with a hook printing 1 GB, output_limit 1 MiB: $rss KB"
	check "1 GB: peak RSS ($rss KB) < 64 MB" test "${rss:-999999}" -lt 65536
else
	echo "# SKIP 1 GB peak RSS: no /usr/bin/time"
fi

newcase dropped <<'EOF'
[settings]
output_limit = 1000000
[hook spew]
command = "$HOOKWAVE_TEST_HELPER" spew 3000000
EOF
hw -v
expect_exit "dropped: exit status 0" 0
expect_line "dropped: the line says exactly how many bytes" \
	'^\[hookwave: 2000000 bytes dropped\]$'
check "dropped: head + tail = output_limit" \
	test "$(grep -E '^x+$' "$tmp/out" | tr -d '\n' | wc -c)" -eq 1000000

# --- concurrency ----------------------------------------------------------

# conc.sh DIR WANT TOTAL: note in DIR/conc.log how many hooks of DIR run
# at once. With WANT 2, wait (bounded) until a second one is there, or
# until it is the last of TOTAL, so that the cap is reached for sure.
cat >"$tmp/conc.sh" <<'EOF'
#!/bin/sh
d=$1 want=$2 total=$3
mkdir -p "$d/lock" "$d/done"
mkdir "$d/lock/$HOOKWAVE_HOOK" || exit 9
i=0
while :; do
	n=$(ls "$d/lock" | wc -l)
	test "$n" -ge "$want" && break
	test "$(ls "$d/done" | wc -l)" -ge $((total - 1)) && break
	i=$((i + 1))
	test "$i" -ge 1000 && break
	"$HOOKWAVE_TEST_HELPER" sleep 0.01
done
echo "$n" >>"$d/conc.log"
"$HOOKWAVE_TEST_HELPER" sleep 0.1
ls "$d/lock" | wc -l >>"$d/conc.log"
rmdir "$d/lock/$HOOKWAVE_HOOK"
touch "$d/done/$HOOKWAVE_HOOK"
EOF

# max_of FILE: the largest number in FILE.
max_of() {
	sort -n "$1" | tail -n 1
}

# hooks N PREFIX STRATEGY COMMAND: N hook sections.
hooks() {
	for _i in $(seq 1 "$1"); do
		printf '[hook %s%s]\nstrategy = %s\ncommand = %s\n' "$2" "$_i" "$3" "$4"
	done
}

mkdir "$tmp/cap" && cd "$tmp/cap" || exit 1
{
	printf '[settings]\njobs = 2\n'
	hooks 5 a one "sh $tmp/conc.sh c 2 8"
	hooks 3 b two "sh $tmp/conc.sh c 2 8"
} >hookwave.ini
hw
expect_exit "jobs=2: exit status 0" 0
max=$(max_of c/conc.log)
echo "# measured: 8 hooks in 2 strategies, jobs = 2: max concurrency $max"
check "jobs=2: never more than 2 hooks at once ($max)" test "$max" -le 2
check "jobs=2: 2 at once reached ($max)" test "$max" -eq 2
check "jobs=2: every hook noted twice" test "$(wc -l <c/conc.log)" -eq 16

mkdir "$tmp/j1" && cd "$tmp/j1" || exit 1
{
	printf '[settings]\njobs = 4\n'
	hooks 4 a one "sh $tmp/conc.sh c 1 8"
	hooks 4 b two "sh $tmp/conc.sh c 1 8"
} >hookwave.ini
hw -j 1
expect_exit "-j 1: exit status 0" 0
max=$(max_of c/conc.log)
echo "# measured: 8 hooks in 2 strategies, -j 1: max concurrency $max"
check "-j 1: one hook at a time ($max)" test "$max" -eq 1

mkdir "$tmp/mw" && cd "$tmp/mw" || exit 1
{
	printf '[settings]\njobs = 4\n[strategy one]\nmax_workers = 1\n'
	hooks 4 a one "sh $tmp/conc.sh one 1 4"
	hooks 4 b two "sh $tmp/conc.sh two 2 4"
} >hookwave.ini
hw
expect_exit "max_workers=1: exit status 0" 0
max1=$(max_of one/conc.log)
max2=$(max_of two/conc.log)
echo "# measured: jobs = 4, strategy max_workers = 1: its max concurrency $max1 (the other: $max2)"
check "max_workers=1: that strategy's hooks never overlap ($max1)" test "$max1" -eq 1
check "max_workers=1: the other strategy still runs several at once ($max2)" \
	test "$max2" -ge 2

# Strategies overlap: each waits for the other's beacon.
newcase overlap <<'EOF'
[settings]
jobs = 2
[hook x]
strategy = A
command = "$HOOKWAVE_TEST_HELPER" beacon x.up && "$HOOKWAVE_TEST_HELPER" wait y.up 20
[hook y]
strategy = B
command = "$HOOKWAVE_TEST_HELPER" beacon y.up && "$HOOKWAVE_TEST_HELPER" wait x.up 20
EOF
hw
expect_exit "strategies overlap: exit status 0" 0
expect_line "strategies overlap: A/x passed" "^passed +A/x"
expect_line "strategies overlap: B/y passed" "^passed +B/y"

# --no-strategy-parallel: one after the other, in config order.
newcase serial-strategies <<'EOF'
[settings]
jobs = 4
[hook z1]
strategy = zeta
command = date +%s%N >z1.start && "$HOOKWAVE_TEST_HELPER" sleep 0.1 && date +%s%N >z1.end
[hook a1]
strategy = alpha
command = date +%s%N >a1.start && "$HOOKWAVE_TEST_HELPER" sleep 0.1 && date +%s%N >a1.end
EOF
hw --no-strategy-parallel
expect_exit "--no-strategy-parallel: exit status 0" 0
check "--no-strategy-parallel: zeta (first in the file) ends before alpha starts" \
	test "$(cat a1.start)" -gt "$(cat z1.end)"

# A failing strategy (even a critical failure) never stops the other.
newcase failing-strategy <<'EOF'
[settings]
jobs = 2
[hook a]
strategy = A
critical = yes
command = touch a.ran; exit 1
[hook a2]
strategy = A
depends = a
command = true
[hook b1]
strategy = B
command = "$HOOKWAVE_TEST_HELPER" wait a.ran 20
[hook b2]
strategy = B
depends = b1
command = true
[hook b3]
strategy = B
depends = b2
command = true
EOF
hw
expect_exit "failing strategy: exit status 1" 1
expect_line "failing strategy: A/a failed" "^failed +A/a +$dur +exit 1\$"
expect_line "failing strategy: A/a2 skipped" "^skipped +A/a2 +- +dependency a failed\$"
for h in b1 b2 b3; do
	expect_line "failing strategy: B/$h passed" "^passed +B/$h"
done

# Dependents start after their dependencies end (waves and eager).
for sched in waves eager; do
	newcase "order-$sched" <<'EOF'
[settings]
jobs = 4
[hook a]
command = date +%s%N >a.start && "$HOOKWAVE_TEST_HELPER" sleep 0.1 && date +%s%N >a.end
[hook b]
depends = a
command = date +%s%N >b.start && date +%s%N >b.end
[hook c]
depends = a
command = date +%s%N >c.start && "$HOOKWAVE_TEST_HELPER" sleep 0.1 && date +%s%N >c.end
[hook d]
depends = b c
command = date +%s%N >d.start
[hook e]
command = date +%s%N >e.start && "$HOOKWAVE_TEST_HELPER" sleep 0.3 && date +%s%N >e.end
EOF
	hw --schedule=$sched
	expect_exit "order ($sched): exit status 0" 0
	check "order ($sched): b starts after a ends" test "$(cat b.start)" -gt "$(cat a.end)"
	check "order ($sched): c starts after a ends" test "$(cat c.start)" -gt "$(cat a.end)"
	check "order ($sched): d starts after b ends" test "$(cat d.start)" -gt "$(cat b.end)"
	check "order ($sched): d starts after c ends" test "$(cat d.start)" -gt "$(cat c.end)"
done

# --- -q, skips, selection ---------------------------------------------------

newcase quiet <<'EOF'
[hook a]
command = echo all good
[hook b]
command = true
EOF
hw -q
expect_exit "-q, all pass: exit status 0" 0
expect_quiet "-q, all pass: prints nothing at all"

newcase quiet-fail <<'EOF'
[hook good]
command = echo all good
[hook bad]
command = echo oops; exit 4
[hook after]
depends = bad
command = true
EOF
hw -q
expect_exit "-q, a failure: exit status 1" 1
expect_line "-q, a failure: the failing hook" "^failed +default/bad +$dur +exit 4\$"
expect_line "-q, a failure: its output" '^oops$'
expect_line "-q, a failure: the skipped dependent" \
	'^skipped +default/after +- +dependency bad failed$'
expect_line "-q, a failure: the summary" "$(summary_re 1 1 0 0 1)"
no_line "-q, a failure: no passing hook" '^passed'
no_line "-q, a failure: no passing output" '^all good$'

newcase skips <<'EOF'
[hook a]
command = exit 1
[hook b]
depends = a
command = touch b.ran
[hook c]
depends = b
command = touch c.ran
[hook t]
command = sleep $HW_M4
timeout = 1
[hook u]
depends = t
command = true
[hook d]
command = touch d.ran
EOF
hw
expect_exit "skips: exit status 1" 1
expect_line "skips: dependency a failed" '^skipped +default/b +- +dependency a failed$'
expect_line "skips: transitively" '^skipped +default/c +- +dependency a failed$'
expect_line "skips: dependency t timed out" '^skipped +default/u +- +dependency t timed out$'
expect_line "skips: the independent branch runs" "^passed +default/d"
check "skips: b did not run" test ! -e b.ran
check "skips: c did not run" test ! -e c.ran
check "skips: the timed-out sleep is gone" gone 4

newcase select <<'EOF'
[hook a]
command = touch a.ran
[hook b]
depends = a
command = touch b.ran
[hook c]
command = touch c.ran
[hook off]
command = touch off.ran
enabled = no
EOF
hw
expect_exit "disabled: exit status 0" 0
expect_line "disabled: skipped, disabled" '^skipped +default/off +- +disabled$'
expect_line "disabled: summary" "$(summary_re 3 0 0 0 1)"
check "disabled: it did not run" test ! -e off.ran
rm -f ./*.ran
hw --skip=a
expect_exit "--skip: exit status 0" 0
check "--skip: a did not run" test ! -e a.ran
check "--skip: b (depends on a) ran" test -e b.ran
no_line "--skip: a is not reported" 'default/a '
rm -f ./*.ran
HOOKWAVE_SKIP=a,c hw
expect_exit "HOOKWAVE_SKIP: exit status 0" 0
check "HOOKWAVE_SKIP: a and c did not run" test ! -e a.ran -a ! -e c.ran -a -e b.ran
rm -f ./*.ran
hw c off
expect_exit "named hooks: exit status 0" 0
check "named hooks: only c and off ran" \
	test -e c.ran -a -e off.ran -a ! -e a.ran -a ! -e b.ran
expect_line "named hooks: a disabled hook named runs" '^passed +default/off'
expect_line "named hooks: summary" "$(summary_re 2 0 0 0 0)"

# --- signals to hookwave ----------------------------------------------------

# sigrun SIG HOW WANT MARKN: start hookwave in its own session, wait for
# the long hook's beacon, send SIG (to the group or the pid), and check
# the exit status, the report, and that the hook is gone.
sigrun() {
	_sig=$1 _how=$2 _want=$3 _m=$4
	newcase "signal-$_sig-$_how" <<'EOF'
[settings]
kill_grace = 5
[hook long]
command = "$HOOKWAVE_TEST_HELPER" beacon started && exec sleep $HW_MARK
[hook after]
depends = long
command = touch after.ran
EOF
	HW_MARK=$(mark "$_m") setsid "$HOOKWAVE" </dev/null >"$tmp/out" 2>"$tmp/err" &
	_pid=$!
	setsid sh -c "\"$HELPER\" sleep 60; kill -KILL $_pid" >/dev/null 2>&1 &
	_wd=$!
	if ! "$HELPER" wait started 30; then
		fail "$_sig ($_how): the hook started"
	fi
	_pgid=$(ps -o pgid= -p "$_pid" | tr -d ' ')
	check "$_sig ($_how): hookwave leads its own process group" test "$_pgid" = "$_pid"
	if test "$_how" = group; then
		kill -"$_sig" -- "-$_pgid"
	else
		kill -"$_sig" "$_pid"
	fi
	wait "$_pid"
	status=$?
	kill -KILL -- "-$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	expect_exit "$_sig ($_how): exit status $_want" "$_want"
	expect_line "$_sig ($_how): the running hook is skipped: interrupted" \
		'^skipped +default/long +.* +interrupted$'
	expect_line "$_sig ($_how): the hook not started is skipped: interrupted" \
		'^skipped +default/after +- +interrupted$'
	check "$_sig ($_how): the hook not started did not run" test ! -e after.ran
	check "$_sig ($_how): the running hook's process is gone" gone "$_m"
}
sigrun INT group 130 5
sigrun INT pid 130 6
sigrun TERM pid 143 7
sigrun HUP pid 129 8

# A signal that comes after the hooks ended, while the reports are being
# written, still ends the run with 128+N: here hookwave waits to open a
# FIFO report nobody reads yet, after the summary is out.
newcase signal-after-hooks <<'EOF'
[hook quick]
command = true
EOF
mkfifo report.fifo
timeout -k 5 60 "$HOOKWAVE" -f json -o report.fifo </dev/null >"$tmp/out" 2>"$tmp/err" &
_pid=$!
_i=0
until grep -q '"type":"summary"' "$tmp/out" 2>/dev/null; do
	_i=$((_i + 1))
	test "$_i" -ge 600 && break
	"$HELPER" sleep 0.05
done
check "signal after the hooks: the summary was out first" \
	grep -q '"type":"summary".*"exit_code":0' "$tmp/out"
# timeout(1) passes the TERM on; no reader ever comes: the signal must
# end the wait for one.
kill -TERM "$_pid"
wait "$_pid"
status=$?
expect_exit "signal after the hooks: exit status 143" 143
check "signal after the hooks: no 'cannot write'" test ! -s "$tmp/err"

# --- nothing left behind ------------------------------------------------------

cd "$tmp" || exit 1
check "no temporary file left in TMPDIR" test -z "$(ls -A "$TMPDIR")"
if pgrep -f "^sleep $mark_base" >/dev/null; then
	fail "no hook process left behind" "$(pgrep -a -f "^sleep $mark_base")"
	pkill -KILL -f "^sleep $mark_base"
else
	check "no hook process left behind" true
fi

finish
