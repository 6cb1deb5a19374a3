#!/bin/bash
# merge.sh - black-box tests of `hookwave merge` (hookwave(1), SHARDING):
# real reports of runs standing in for shards (two configs that share a
# hook, "spread", each running it on part of the files, as a hook whose
# batches were spread), merged in each format and checked by its
# consumer (jq, xmllint, python3-jsonschema against the SARIF 2.1.0
# schema); the merged counts, the joined hook and the exit status of
# the whole; -o onto a file; mixed, malformed, incomplete and missing
# reports exit 2 with nothing written.
#
# Needs jq, xmllint (libxml2-utils) and python3 with jsonschema; skips
# (77) without them.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

for tool in jq xmllint python3 timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool"
done
python3 -c 'import jsonschema' 2>/dev/null || skip_all "no python3-jsonschema"
schema=$TESTDATA/sarif-schema-2.1.0.json
test -r "$schema" || skip_all "no schema at $schema"
export LC_ALL=C

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

# valid FILE: a SARIF 2.1.0 log the schema accepts.
valid() {
	python3 - "$schema" "$1" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
cls = jsonschema.validators.validator_for(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
doc = json.load(open(sys.argv[2], encoding="utf-8"))
bad = 0
for e in v.iter_errors(doc):
    bad += 1
    print("%s: %s at %s" % (sys.argv[2], e.message, list(e.absolute_path)),
          file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

# jqs FILE FILTER: the filter, given every line of FILE as an array, is true.
jqs() {
	jq -s -e "$2" "$1" >/dev/null
}

# xp FILE XPATH: the string value of an XPath expression.
xp() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

cd "$tmp" || exit 1
mkdir run && cd run || exit 1
printf 'a\n' >a.txt
printf 'b\n' >b.txt
printf 'c\n' >c.txt

# Shard 1: "ok1" passes, "bad" fails, "spread" passes on a.txt.
cat >shard1.ini <<'EOF'
[strategy check]
[hook ok1]
strategy = check
command = echo ok1
[hook bad]
strategy = check
command = echo "bad <&> \"out\""; exit 3
[hook spread]
strategy = check
command = sh -c 'for f; do echo "$f:1:1: error: seen [R1]"; done' x
files = a.txt
findings = gcc
EOF
# Shard 2: "spread" fails on b.txt and c.txt, "ok2" passes.
cat >shard2.ini <<'EOF'
[strategy check]
[hook spread]
strategy = check
command = sh -c 'for f; do echo "$f:2:1: warning: seen [R2]"; done; exit 4' x
files = b.txt c.txt
findings = gcc
[hook ok2]
strategy = check
command = echo ok2
EOF
# Shard 3: everything passes.
cat >shard3.ini <<'EOF'
[hook fine]
command = true
EOF

for s in 1 2 3; do
	for f in json junit sarif; do
		timeout -k 5 60 "$HOOKWAVE" -c shard$s.ini -f $f \
			--no-history --no-cache >s$s.$f 2>/dev/null
	done
done
check "setup: shard 1 and 2 reports are there" \
	test -s s1.json -a -s s2.json -a -s s1.junit -a -s s2.junit -a -s s1.sarif

# --- JSON Lines -----------------------------------------------------------

hw merge s1.json s2.json
expect_exit "json: a failed hook makes the whole exit 1" 1
cp "$tmp/out" m.json
check "json: nothing on stderr" test ! -s "$tmp/err"
bad=0
while IFS= read -r line; do
	printf '%s\n' "$line" | jq -e . >/dev/null 2>&1 || bad=$((bad + 1))
done <m.json
check "json: jq -e accepts every line" test "$bad" -eq 0
check "json: four hooks then one summary, last" \
	jqs m.json 'map(.type) == ["hook","hook","hook","hook","summary"]'
# A run lists hooks as they finish: the order is the reports' own.
order=$(jq -s -c '[.[] | select(.type == "hook") | .name] |
	reduce .[] as $n ([]; if any(.[]; . == $n) then . else . + [$n] end)' s1.json s2.json)
check "json: hooks in order of first appearance ($order)" \
	jqs m.json "[.[] | select(.type == \"hook\") | .name] == $order and ($order | length) == 4"
check "json: the summary counts the joined hooks" \
	jqs m.json '.[-1] | .passed == 2 and .failed == 2 and .timeout == 0 and .error == 0 and .skipped == 0 and .findings == 3 and .exit_code == 1'
check "json: the spread hook: the worst status, its exit code" \
	jqs m.json 'map(select(.name == "spread"))[0] | .status == "failed" and .exit_code == 4'
parts=$(jq -s '[.[] | select(.name == "spread") | .batches] | add' s1.json s2.json)
check "json: the spread hook: files and batches summed" \
	jqs m.json "map(select(.name == \"spread\"))[0] | .files == 3 and .batches == $parts and $parts >= 2"
check "json: the spread hook: findings and outputs one after another" \
	jqs m.json 'map(select(.name == "spread"))[0] | ([.findings[].file] == ["a.txt","b.txt","c.txt"]) and (.output | test("^a.txt:1:1.*\nb.txt:2:1.*\nc.txt:2:1"))'
check "json: hooks_total is the sum of the hooks' durations" \
	jqs m.json '(.[-1].hooks_total - ([.[] | select(.type == "hook") | .duration // 0] | add) | fabs) < 0.002'

hw merge s1.json s3.json
expect_exit "json: a failed hook in one shard: exit 1" 1
hw merge s3.json s3.json
expect_exit "json: shards that all pass: exit 0" 0
hw merge s2.json
expect_exit "json: one report alone merges into itself" 1

# -o: the merged report into a file, nothing on stdout, same status.
echo old >merged.json
hw merge -o merged.json s1.json s2.json
expect_exit "json -o: exit status 1" 1
expect_quiet "json -o: nothing on stdout or stderr"
check "json -o: the file is the merged report" cmp -s merged.json m.json

# --- JUnit ----------------------------------------------------------------

hw merge s1.junit s2.junit
expect_exit "junit: exit 1" 1
cp "$tmp/out" m.junit
check "junit: xmllint accepts it" xmllint --noout m.junit
check "junit: testsuites counts" \
	test "$(xp m.junit 'string(/testsuites/@tests)')/$(xp m.junit 'string(/testsuites/@failures)')" = 4/2
check "junit: one testsuite, named after the strategy" \
	test "$(xp m.junit 'count(//testsuite)'):$(xp m.junit 'string(//testsuite/@name)')" = 1:check
check "junit: the spread hook once, failed" \
	test "$(xp m.junit 'count(//testcase[@name="spread"]/failure)')" = 1
check "junit: its outputs one after another" \
	sh -c "xmllint --xpath 'string(//testcase[@name=\"spread\"]/failure)' m.junit | grep -c txt: | grep -qx 3"
check "junit: the failing output's text kept" \
	sh -c "xmllint --xpath 'string(//testcase[@name=\"bad\"]/failure)' m.junit | grep -qF 'bad <&> \"out\"'"
hw merge s3.junit s3.junit
expect_exit "junit: shards that all pass: exit 0" 0

# --- SARIF ----------------------------------------------------------------

hw merge s1.sarif s2.sarif
expect_exit "sarif: exit 1" 1
cp "$tmp/out" m.sarif
check "sarif: the schema accepts it" valid m.sarif
check "sarif: the spread hook is one run with both shards' results" \
	jq -e '[.runs[] | select(.automationDetails.id == "hookwave/check/spread/")] | length == 1 and (.[0].results | length) == 3' m.sarif
check "sarif: its rules joined, indices right" \
	jq -e '.runs[] | select(.automationDetails.id == "hookwave/check/spread/") | .tool.driver.rules as $r | all(.results[]; $r[.ruleIndex].id == .ruleId)' m.sarif
check "sarif: its invocation is the failing part's" \
	jq -e '.runs[] | select(.automationDetails.id == "hookwave/check/spread/") | .invocations[0].exitCode == 4' m.sarif
hw merge s3.sarif s1.sarif
expect_exit "sarif: one failing shard: exit 1" 1
hw merge s3.sarif s3.sarif
expect_exit "sarif: shards that all pass: exit 0" 0

# --- bad input: exit 2, nothing written ------------------------------------

hw merge s1.json s2.junit
expect_exit "mixed: exit 2" 2
expect_stderr_line "mixed: the report and why" \
	'^hookwave: s2.junit: a JUnit XML report, but s1.json is JSON Lines$'
check "mixed: nothing on stdout" test ! -s "$tmp/out"

{ head -n 1 s1.json; echo '{"type":"hook","name":'; tail -n 1 s1.json; } >broken.json
hw merge s2.json broken.json
expect_exit "malformed json: exit 2" 2
expect_stderr_line "malformed json: FILE:LINE: message" '^hookwave: broken.json:2: not JSON: '
check "malformed json: nothing on stdout" test ! -s "$tmp/out"

head -n 1 s1.json >cut.json
hw merge s1.json cut.json
expect_exit "no summary: exit 2" 2
expect_stderr_line "no summary: named" '^hookwave: cut.json: no summary line'

head -c 100 s1.junit >cut.junit
hw merge s1.junit cut.junit
expect_exit "malformed junit: exit 2" 2
expect_stderr_line "malformed junit: FILE:LINE: message" '^hookwave: cut.junit:[0-9]+: not XML: '

hw merge s1.json missing.json
expect_exit "missing: exit 2" 2
expect_stderr_line "missing: cannot read" '^hookwave: missing.json: cannot read: '

: >empty.json
hw merge empty.json
expect_exit "empty: exit 2" 2
expect_stderr_line "empty: named" '^hookwave: empty.json: empty: not a report$'

echo keep >out.json
hw merge -o out.json s1.json broken.json
expect_exit "bad input with -o: exit 2" 2
check "bad input with -o: the file is untouched" test "$(cat out.json)" = keep
check "bad input with -o: no temporary file left" \
	test "$(ls -a | grep -c hookwave-)" -eq 0

hw merge
expect_exit "no reports: usage, exit 2" 2
expect_stderr_has "no reports: says so" "merge needs the reports to merge"
hw merge --bogus s1.json
expect_exit "unknown option: exit 2" 2

finish
