#!/bin/bash
# shard-merge.sh - black-box tests of --shard and `hookwave merge`
# together, as a CI matrix uses them (hookwave(1), SHARDING): every part
# of a run writes its JSON Lines, JUnit and SARIF reports, `hookwave
# merge` joins each format, and the merged report says what the whole
# run said: the same hooks with the same statuses, files and findings,
# the same summary counts, the same exit status, for N = 2, 3 and 5.
#
# No check asserts how fast anything is.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v jq >/dev/null 2>&1 || skip_all "no jq"
command -v xmllint >/dev/null 2>&1 || skip_all "no xmllint"

export LC_ALL=C
unset CI_NODE_INDEX CI_NODE_TOTAL
isolate_git

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

w=$tmp/w
mkdir -p "$w/src" || exit 1
cd "$w" || exit 1
for i in $(seq 1 40); do
	printf 'int f%d(void);\n' "$i" >"src/f$i.c"
done
# Two files have a finding; one hook fails on one file of its many.
printf 'int x; /* TODO */\n' >src/f7.c
printf 'int y; /* TODO */\n' >src/f31.c
cat >hookwave.ini <<'EOF'
[settings]
jobs = 2
[strategy lint]
[strategy test]
[hook todo]
strategy = lint
files = *.c
findings = gcc
command = scan() { grep -Hn 'TODO' "$@" | sed 's/^\([^:]*:[0-9]*\):/\1: warning: /; s/$/ [todo]/'; true; }; scan
[hook fails]
strategy = lint
files = *.c
command = f() { for x; do test "$x" != src/f13.c || exit 3; done; }; f
[hook a]
strategy = test
command = true
[hook b]
strategy = test
depends = a
command = false
[hook c]
strategy = test
depends = b
command = true
[hook alone]
strategy = test
command = echo alone
EOF

# the summary counts and each hook's status, files and findings, from a
# JSON Lines report, in a stable order.
digest() {
	jq -S -c 'if .type == "summary" then
		{passed, failed, timeout, error, skipped}
	else
		{name, strategy, status, files, findings: (.findings | map(.file + ":" + (.line|tostring)) | sort)}
	end' "$1" | sort
}

hw -f json --no-history --no-cache
whole_status=$status
cp "$tmp/out" "$tmp/whole.json"
digest "$tmp/whole.json" >"$tmp/whole.digest"
check "the whole run fails (b fails, fails fails)" test "$whole_status" -eq 1
hw -f junit --no-history --no-cache
cp "$tmp/out" "$tmp/whole.xml"
whole_tests=$(xmllint --xpath 'count(//testcase)' "$tmp/whole.xml")

for n in 2 3 5; do
	rm -f "$tmp"/part-*
	k=1
	while test $k -le $n; do
		hw -f json --no-history --no-cache --shard=$k/$n -o "$tmp/part-$k.xml" \
			--report-format=junit
		cp "$tmp/out" "$tmp/part-$k.json"
		hw -f sarif --no-history --no-cache --shard=$k/$n
		cp "$tmp/out" "$tmp/part-$k.sarif"
		k=$((k + 1))
	done
	hw merge "$tmp"/part-*.json
	merged_status=$status
	cp "$tmp/out" "$tmp/merged.json"
	check "N=$n: merge exits as the whole run did ($whole_status)" \
		test "$merged_status" -eq "$whole_status"
	digest "$tmp/merged.json" >"$tmp/merged.digest"
	check "N=$n: the merged JSON Lines says what the whole run said" \
		cmp "$tmp/whole.digest" "$tmp/merged.digest"
	check "N=$n: no shard left in the merged report" \
		test "$(jq -r 'select(.shard != null) | .name' "$tmp/merged.json" | wc -l)" -eq 0
	hw merge "$tmp"/part-*.xml
	check "N=$n: merge of JUnit exits as the whole run did" \
		test "$status" -eq "$whole_status"
	cp "$tmp/out" "$tmp/merged.xml"
	check "N=$n: the merged JUnit is well-formed" xmllint --noout "$tmp/merged.xml"
	check "N=$n: the merged JUnit has the whole run's test cases" \
		test "$(xmllint --xpath 'count(//testcase)' "$tmp/merged.xml")" = "$whole_tests"
	hw merge -o "$tmp/merged.sarif" "$tmp"/part-*.sarif
	check "N=$n: merge of SARIF exits as the whole run did" \
		test "$status" -eq "$whole_status"
	check "N=$n: the merged SARIF has both findings, each once" \
		test "$(jq -r '[.runs[] | select(.automationDetails.id == "hookwave/lint/todo/") | .results[]] | length' "$tmp/merged.sarif")" = 2
done

finish
