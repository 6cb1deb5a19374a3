#!/bin/bash
# shard.sh - black-box tests of --shard=K/N and CI_NODE_INDEX /
# CI_NODE_TOTAL (hookwave(1), SHARDING): the parts of a run, run one
# after another as N machines would, together run every hook without
# files once and every file of a hook with files once (the union of the
# markers the hooks write is the unsharded run's, nothing twice); a
# dependency chain stays in one part; the same plan and history give
# the same split (a history restored into each part's own cache, as a
# CI cache would); CI_NODE_* stand for the option; bad values exit 2
# naming the option or variable and run nothing; the reports name the
# part; -n prints the part's jobs and its predicted time.
#
# Hooks append one line per file (or one per run without files) to a
# marker file; appends of short lines are whole (O_APPEND). No check
# asserts how fast anything is.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"

export LC_ALL=C
unset CI_NODE_INDEX CI_NODE_TOTAL
isolate_git

# hw ARGS...: run hookwave here, bounded; output in $tmp/out, $tmp/err.
hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

w=$tmp/w
mkdir -p "$w/src" "$w/inc" || exit 1
cd "$w" || exit 1
MARKS=$tmp/marks
export MARKS
# mark NAME [FILE]...: one line "NAME FILE" per file, "NAME -" without.
cat >"$tmp/mark.sh" <<'EOF'
name=$1
shift
test $# -eq 0 && echo "$name -" >>"$MARKS"
for f; do echo "$name $f" >>"$MARKS"; done
exit 0
EOF
M="sh $tmp/mark.sh"
for i in $(seq 1 60); do
	head -c $((i * 37)) /dev/zero >"src/f$i.c"
done
for i in 1 2 3 4 5; do echo "h$i" >"inc/h$i.h"; done
cat >hookwave.ini <<EOF
[settings]
jobs = 2
[strategy lint]
[strategy test]
[hook fmt]
strategy = lint
files = *.c
command = $M fmt
[hook lintc]
strategy = lint
files = *.c
batch_size = 7
command = $M lintc
[hook a]
strategy = lint
command = $M a
[hook b]
strategy = lint
depends = a
command = $M b
[hook c]
strategy = lint
depends = b
command = $M c
[hook hdr]
strategy = lint
files = *.h
depends = a
command = $M hdr
[hook none]
strategy = lint
files = *.zzz
command = $M none
[hook off]
strategy = lint
enabled = no
command = $M off
EOF
for i in 1 2 3 4 5 6 7 8; do
	printf '[hook t%s]\nstrategy = test\ncommand = %s t%s\n' "$i" "$M" "$i" >>hookwave.ini
done
printf 'depends = t1\n' >>hookwave.ini       # t8 after t1

# The whole run: what every split must add up to.
rm -f "$MARKS"
hw --all-files --no-history --no-cache -f json
expect_exit "the whole run passes" 0
sort "$MARKS" >"$tmp/whole"
grep -c '"type":"hook"' "$tmp/out" >"$tmp/whole.hooks"
check "the whole run reports 16 hooks" test "$(cat "$tmp/whole.hooks")" -eq 16
check "the whole run marks every hook and file" \
	test "$(wc -l <"$tmp/whole")" -eq $((60 + 60 + 3 + 5 + 8))
check "no report of the whole run names a shard" \
	sh -c "! grep -q shard '$tmp/out'"

# union N: run parts 1..N; their markers, sorted, in $tmp/union; each
# part's JSON in $tmp/part.K.json. Fails if a part does not pass.
union() {
	local k
	rm -f "$MARKS"
	for k in $(seq 1 "$1"); do
		hw --all-files --no-history --no-cache -f json --shard="$k/$1"
		test "$status" -eq 0 || { _show_run; return 1; }
		cp "$tmp/out" "$tmp/part.$k.json"
	done
	sort "$MARKS" >"$tmp/union"
}

for n in 1 2 3 4 5 8; do
	check "--shard k/$n for every k: each part passes" union "$n"
	check "--shard k/$n: the parts together run what the whole run does, each once" \
		cmp -s "$tmp/whole" "$tmp/union"
	# Every hook reported once over the parts, but a hook whose
	# batches are spread: in each part that ran some.
	cat "$tmp"/part.*.json | grep '"type":"hook"' |
		sed 's/.*"name":"\([^"]*\)".*/\1/' | sort >"$tmp/reported"
	check "--shard k/$n: every hook without spread batches reported once" \
		test "$(grep -v -x -e fmt -e lintc "$tmp/reported" | sort | uniq -d | wc -l)" -eq 0
	check "--shard k/$n: every hook reported somewhere" \
		test "$(sort -u "$tmp/reported" | wc -l)" -eq "$(cat "$tmp/whole.hooks")"
	# The chain a -> b -> c and hdr (after a) in one part, t1 and t8 too.
	for k in $(seq 1 "$n"); do
		f=$tmp/part.$k.json
		has() { grep -q "\"name\":\"$1\"" "$f"; }
		if has a; then
			has b && has c && has hdr || fail "--shard $k/$n: a's chain split"
		else
			! has b && ! has c && ! has hdr || fail "--shard $k/$n: a's chain split"
		fi
		if has t1; then has t8 || fail "--shard $k/$n: t1, t8 split"; fi
	done
	rm -f "$tmp"/part.*.json
done

# The batches of fmt (60 files, no batch_size) spread over the parts.
hw --all-files --no-history --no-cache -f json --shard=1/4
rm -f "$MARKS"
grep '"name":"fmt"' "$tmp/out" >"$tmp/fmt.json" || true
check "--shard 1/4: fmt's files are spread, not all in one part" \
	sh -c "! grep -q '\"files\":60,' '$tmp/fmt.json'"

# The same plan twice: the same part.
hw --all-files --no-history --no-cache -n --shard=2/4
cp "$tmp/out" "$tmp/n1"
hw --all-files --no-history --no-cache -n --shard=2/4
check "the same plan twice: the same part" cmp -s "$tmp/n1" "$tmp/out"
expect_stdout_match "-n --shard names the part and its jobs" \
	'^shard 2/4: [0-9]+ of [0-9]+ jobs \([0-9]+ hooks?\), no predicted time: no history'
check "-n --shard runs nothing" test ! -e "$MARKS"

# CI_NODE_INDEX / CI_NODE_TOTAL stand for the option; 1-based.
CI_NODE_INDEX=2 CI_NODE_TOTAL=4 hw --all-files --no-history --no-cache -n
check "CI_NODE_INDEX=2 CI_NODE_TOTAL=4 is --shard=2/4" cmp -s "$tmp/n1" "$tmp/out"
CI_NODE_INDEX=9 CI_NODE_TOTAL=4 hw --all-files --no-history --no-cache -n --shard=2/4
check "--shard wins over CI_NODE_*" cmp -s "$tmp/n1" "$tmp/out"
hw --all-files --no-history --no-cache -n
cp "$tmp/out" "$tmp/n0"
CI_NODE_TOTAL=1 CI_NODE_INDEX=1 hw --all-files --no-history --no-cache -n
check "CI_NODE_TOTAL=1: the whole run" cmp -s "$tmp/n0" "$tmp/out"
CI_NODE_INDEX=3 hw --all-files --no-history --no-cache -n
check "CI_NODE_INDEX without CI_NODE_TOTAL: the whole run" cmp -s "$tmp/n0" "$tmp/out"
hw --all-files --no-history --no-cache -n --shard=1/1
check "--shard=1/1: the whole run" cmp -s "$tmp/n0" "$tmp/out"

# Bad values: exit 2, the option or variable named, nothing run.
rm -f "$MARKS"
for v in 0/4 5/4 4 a/b 2/4x /4 2/0; do
	hw --all-files --no-history --shard="$v"
	expect_exit "--shard=$v: exit 2" 2
	expect_stderr_has "--shard=$v: the option named" "--shard"
done
for env in "CI_NODE_INDEX=0 CI_NODE_TOTAL=4" "CI_NODE_INDEX=5 CI_NODE_TOTAL=4" \
	   "CI_NODE_TOTAL=4" "CI_NODE_INDEX=x CI_NODE_TOTAL=4"; do
	run env $env timeout -k 5 60 "$HOOKWAVE" --all-files --no-history
	expect_exit "$env: exit 2" 2
	expect_stderr_has "$env: CI_NODE_INDEX named" "CI_NODE_INDEX"
done
for env in "CI_NODE_INDEX=1 CI_NODE_TOTAL=0" "CI_NODE_INDEX=1 CI_NODE_TOTAL=two"; do
	run env $env timeout -k 5 60 "$HOOKWAVE" --all-files --no-history
	expect_exit "$env: exit 2" 2
	expect_stderr_has "$env: CI_NODE_TOTAL named" "CI_NODE_TOTAL"
done
check "a bad value runs nothing" test ! -e "$MARKS"
hw --shard=1/2 -l
expect_exit "--shard with -l: exit 2" 2
CI_NODE_INDEX=0 CI_NODE_TOTAL=x hw -l
expect_exit "CI_NODE_* do not matter to -l" 0

# The reports name the part.
hw --all-files --no-history --no-cache --shard=3/4 -f json
check "json: every hook object names the part" \
	test "$(grep '"type":"hook"' "$tmp/out" | grep -vc '"shard":"3/4"')" -eq 0
expect_stdout_match "json: the summary names the part" \
	'^\{"type":"summary","shard":"3/4",'
hw --all-files --no-history --no-cache --shard=3/4 -f junit
expect_stdout_match "junit: the testsuite names the part" \
	'<testsuite name="(lint|test) \(shard 3/4\)"'
hw --all-files --no-history --no-cache --shard=3/4 -f tap
expect_stdout_match "tap: the summary names the part" '^# hookwave: shard 3/4: '
hw --all-files --no-history --no-cache --shard=3/4
expect_stdout_match "text: the summary names the part" '^hookwave: shard 3/4: '
# A hook that fails has a SARIF run: its automationDetails name the part.
cat >"$tmp/fail.ini" <<EOF
[hook bad]
command = false
EOF
hw --no-history --no-cache -c "$tmp/fail.ini" --shard=1/1 -f sarif
expect_stdout_match "sarif, the whole run: hookwave/STRATEGY/HOOK/" \
	'"automationDetails":\{"id":"hookwave/default/bad/"\}'
cat >"$tmp/fail.ini" <<EOF
[hook bad]
command = false
[hook ok]
command = true
EOF
for k in 1 2; do
	hw --no-history --no-cache -c "$tmp/fail.ini" --shard=$k/2 -f sarif
	grep -q 'default/bad/' "$tmp/out" && cp "$tmp/out" "$tmp/bad.sarif"
done
check "sarif: automationDetails.id hookwave/STRATEGY/HOOK/K-of-N" \
	grep -Eq '"automationDetails":\{"id":"hookwave/default/bad/[12]-of-2"\}' "$tmp/bad.sarif"

# More parts than jobs: the empty parts run nothing and pass.
rm -f "$MARKS"
hw --no-history --no-cache -c "$tmp/fail.ini" --shard=3/3 -f json
expect_exit "an empty part passes" 0
expect_stdout_match "an empty part reports no hook" \
	'^\{"type":"summary","shard":"3/3","passed":0,"failed":0,'

# With a history: each part starts from the same one (a CI cache), the
# split is by durations, and -n predicts the part's time.
XDG_CACHE_HOME=$tmp/hist.cache
export XDG_CACHE_HOME
hw --all-files --no-cache
expect_exit "a run that makes the history" 0
hw --all-files --no-cache -n --shard=1/2
expect_stdout_match "-n --shard with a history: the predicted time at the cap" \
	'^shard 1/2: [0-9]+ of [0-9]+ jobs \([0-9]+ hooks?\), predicted [0-9]+\.[0-9] s at jobs 2$'
rm -f "$MARKS"
for k in 1 2 3; do
	rm -rf "$tmp/cache.$k"
	cp -R "$tmp/hist.cache" "$tmp/cache.$k"
	XDG_CACHE_HOME=$tmp/cache.$k hw --all-files --no-cache --shard=$k/3
	expect_exit "history: part $k/3 passes" 0
done
sort "$MARKS" >"$tmp/union"
check "history: the parts from the same history run the whole, each once" \
	cmp -s "$tmp/whole" "$tmp/union"

finish
