#!/bin/bash
# sarif.sh - black-box tests of -f sarif and -f github. SARIF documents
# are validated against the OASIS SARIF 2.1.0 schema (tests/data, with
# its notice) by python3-jsonschema: those of real runs (a failing, a
# timed-out, a skipped, an erroring and a passing hook that reads
# findings), and the hand-made ones of the unit test
# (tests/unit/check_report_sarif, run here with HOOKWAVE_SARIF_SAMPLES).
# GitHub's limit on runs per file: the document stays valid and stderr
# says what was left out. -f github: a fresh stop-commands token per
# run, output that cannot end the block, exact escaping.
#
# Needs python3 with jsonschema (Debian: python3-jsonschema); skips (77)
# without it.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "no python3"
python3 -c 'import jsonschema' 2>/dev/null || skip_all "no python3-jsonschema"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout"

schema=$TESTDATA/sarif-schema-2.1.0.json
test -r "$schema" || skip_all "no schema at $schema"

# valid FILE...: every file is a SARIF 2.1.0 log the schema accepts
# (its draft, as its $schema says); the errors go to stderr.
valid() {
	python3 - "$schema" "$@" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
bad = 0
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    for e in v.iter_errors(doc):
        bad += 1
        print("%s: %s at %s" % (path, e.message, list(e.absolute_path)),
              file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

# py FILE EXPR: evaluate a Python expression with d the JSON in FILE;
# passes when it is true.
py() {
	python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
ok = eval(sys.argv[2])
if not ok:
    print("false: " + sys.argv[2], file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

# --- the validator itself ---------------------------------------------------

printf '{"version":"2.1.0","runs":[]}\n' >"$tmp/ok.sarif"
check "validator: a minimal log is valid" valid "$tmp/ok.sarif"
printf '{"version":"2.0.0","runs":[]}\n' >"$tmp/v2.sarif"
if valid "$tmp/v2.sarif" 2>/dev/null; then
	fail "validator: refuses version 2.0.0"
else
	check "validator: refuses version 2.0.0" true
fi
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}\n' >"$tmp/line0.sarif"
if valid "$tmp/line0.sarif" 2>/dev/null; then
	fail "validator: refuses startLine 0"
else
	check "validator: refuses startLine 0" true
fi

# --- the unit test's hand-made documents ------------------------------------

unit=$(dirname "$HOOKWAVE")/tests/unit/check_report_sarif
if test -x "$unit"; then
	mkdir "$tmp/samples"
	HOOKWAVE_SARIF_SAMPLES=$tmp/samples run "$unit"
	expect_exit "unit samples: the unit test passes" 0
	n=$(ls "$tmp/samples" | wc -l)
	check "unit samples: at least 5 documents ($n)" test "$n" -ge 5
	check "unit samples: all valid against the schema" \
		valid "$tmp"/samples/*.sarif
else
	fail "unit samples: no unit test at $unit"
fi

# --- real runs --------------------------------------------------------------

proj=$tmp/proj
mkdir "$proj" && cd "$proj" || exit 1

cat >hookwave.ini <<'EOF'
[settings]
kill_grace = 1

[hook lint]
command = printf 'a.c:1:2: error: bad "x" %%s\n::error::no\n'; exit 1
strategy = fast
findings = gcc

[hook slow]
command = sleep 30
strategy = fast
timeout = 1

[hook after]
command = true
strategy = fast
depends = lint

[hook missing]
command = /nonexistent/tool --flag
strategy = fast

[hook clean]
command = LC_ALL=C env -i /bin/true
strategy = fast
findings = gcc

[hook plain]
command = true
strategy = fast

[hook off]
command = true
strategy = fast
enabled = no
findings = gcc
EOF

hw -f sarif
expect_exit "sarif: the run fails" 1
cp "$tmp/out" "$tmp/run.sarif"
check "sarif: stderr is empty" test ! -s "$tmp/err"
check "sarif: a real run is valid" valid "$tmp/run.sarif"
check "sarif: one run per hook that reads findings or did not pass" \
	py "$tmp/run.sarif" 'sorted(r["automationDetails"]["id"] for r in d["runs"]) == ["hookwave/fast/after/", "hookwave/fast/clean/", "hookwave/fast/lint/", "hookwave/fast/missing/", "hookwave/fast/slow/"]'
check "sarif: tool names are the programs" \
	py "$tmp/run.sarif" '{r["automationDetails"]["id"]: r["tool"]["driver"]["name"] for r in d["runs"]} == {"hookwave/fast/after/": "sh", "hookwave/fast/clean/": "true", "hookwave/fast/lint/": "sh", "hookwave/fast/missing/": "tool", "hookwave/fast/slow/": "sleep"}'
check "sarif: invocations" \
	py "$tmp/run.sarif" '{r["automationDetails"]["id"]: (r["invocations"][0]["executionSuccessful"], r["invocations"][0].get("exitCode"), r["invocations"][0].get("exitSignalNumber") is not None, [n["message"]["text"] for n in r["invocations"][0].get("toolExecutionNotifications", [])]) for r in d["runs"]} == {"hookwave/fast/after/": (False, None, False, ["dependency lint failed"]), "hookwave/fast/clean/": (True, 0, False, []), "hookwave/fast/lint/": (True, 1, False, []), "hookwave/fast/missing/": (False, 127, False, ["command not found"]), "hookwave/fast/slow/": (False, None, True, ["timed out after 1s"])}'

hw -q -o report.sarif
expect_exit "sarif: -o FILE.sarif" 1
check "sarif: -o FILE.sarif is valid" valid report.sarif
check "sarif: -o FILE.sarif has every hook despite -q" \
	py report.sarif 'len(d["runs"]) == 5'
hw --report-format=sarif -o report.out
check "sarif: --report-format=sarif" py report.out 'd["version"] == "2.1.0" and len(d["runs"]) == 5'

hw -f sarif -q plain clean
expect_exit "sarif: -q and a pass" 0
check "sarif: -q and a pass print nothing" test ! -s "$tmp/out"
hw -f sarif plain
expect_exit "sarif: a hook without findings that passes" 0
check "sarif: ... has no run" py "$tmp/out" 'd["runs"] == []'

# GitHub's limit of 20 runs per file: 22 failing hooks.
mkdir "$tmp/many" && cd "$tmp/many" || exit 1
for i in $(seq 1 22); do
	printf '[hook h%02d]\ncommand = false\n' "$i"
done >hookwave.ini
hw -f sarif -o many.sarif
expect_exit "limits: the run fails" 1
cp "$tmp/out" "$tmp/many.sarif"
check "limits: the stream is valid" valid "$tmp/many.sarif"
check "limits: the stream has 20 runs" py "$tmp/many.sarif" 'len(d["runs"]) == 20'
check "limits: the file is valid" valid many.sarif
check "limits: the file has 20 runs" py many.sarif 'len(d["runs"]) == 20'
check "limits: stderr says so for each" test "$(cat "$tmp/err")" = "\
hookwave: sarif: standard output: left out 2 runs past GitHub code scanning's limit of 20 per file
hookwave: sarif: many.sarif: left out 2 runs past GitHub code scanning's limit of 20 per file"

# --- github -----------------------------------------------------------------

mkdir "$tmp/gh" && cd "$tmp/gh" || exit 1
cat >hookwave.ini <<'EOF'
[hook in:ject%]
command = printf '::error::x\n::TOKEN-guess::\n::guess::\n::endgroup::\n%s' '::add-mask::y'; exit 2
strategy = s:1

[hook ok]
command = echo fine
strategy = s:1
EOF

token() {
	sed -n 's/^::stop-commands::\([0-9a-f]*\)$/\1/p' "$1"
}

hw -f github
expect_exit "github: the run fails" 1
cp "$tmp/out" "$tmp/gh1"
t1=$(token "$tmp/gh1")
check "github: a 32-hex-digit token" sh -c "printf '%s' '$t1' | grep -Eqx '[0-9a-f]{32}'"
# The failed hook's block (the two hooks may finish in either order).
sed "s/$t1/TOKEN/g" "$tmp/gh1" | sed 's/[0-9]*\.[0-9][0-9]s/T/' |
	sed -n '/^::group::failed/,/^::error title=/p' >"$tmp/gh1.norm"
cat >"$tmp/gh1.want" <<'EOF'
::group::failed   s:1/in:ject%25    T  exit 2
::stop-commands::TOKEN
::error::x
::TOKEN-guess::
::guess::
::endgroup::
::add-mask::y
::TOKEN::
::endgroup::
::error title=s%3A1/in%3Aject%25::failed: exit 2
EOF
check "github: exact output, the hook's output fenced" \
	cmp -s "$tmp/gh1.norm" "$tmp/gh1.want"
check "github: the passing hook's plain status line" \
	grep -q '^passed   s:1/ok          [0-9.]*s$' "$tmp/gh1"
check "github: the summary ends it" \
	sh -c "tail -n 1 '$tmp/gh1' | grep -q '^hookwave: 1 passed, 1 failed'"
check "github: only the token's own line ends the block" \
	test "$(grep -c "^::$t1::\$" "$tmp/gh1")" -eq 1
hw -f github
t2=$(token "$tmp/out")
check "github: another run, another token" sh -c "test -n '$t2' && test '$t1' != '$t2'"
hw -f github -v
check "github: -v shows passing output in a group" \
	sh -c "grep -A2 '^::group::passed   s:1/ok' '$tmp/out' | grep -q '^fine\$'"
hw -f github -q ok
expect_exit "github: -q and a pass" 0
check "github: -q and a pass print nothing" test ! -s "$tmp/out"

# --- a baseline: baselineState new, unchanged and absent ---------------------

mkdir "$tmp/base" && cd "$tmp/base" || exit 1
printf 'a.sh:1:1: warning: one [R1]\na.sh:2:1: warning: two [R2]\n' >out.txt
printf 'x\ny\n' >a.sh
cat >hookwave.ini <<'EOF'
[hook lint]
findings = gcc
command = cat out.txt
EOF
hw --write-baseline=b.txt
printf 'a.sh:1:1: warning: one [R1]\na.sh:2:1: warning: three [R3]\n' >out.txt
hw --baseline=b.txt -o b.sarif
expect_exit "baseline: a new finding fails the run" 1
check "baseline: the SARIF is valid" valid b.sarif
check "baseline: baselineState of each result, the gone one absent" \
	py b.sarif '[(r.get("ruleId"), r.get("baselineState")) for r in d["runs"][0]["results"]] == [("R1", "unchanged"), ("R3", "new"), ("R2", "absent")]'
check "baseline: every result has its fingerprint" \
	py b.sarif 'all(len(r["partialFingerprints"]["hookwave/v1"]) == 64 for r in d["runs"][0]["results"])'

# --- the demo -------------------------------------------------------------------

demo=$TESTDATA/../../etc/demo
if test -d "$demo" && command -v shellcheck >/dev/null 2>&1 &&
	command -v pyflakes3 >/dev/null 2>&1; then
	cp -R "$demo" "$tmp/demo"
	hw -C "$tmp/demo" --no-cache -o "$tmp/demo.sarif"
	check "demo: its SARIF is valid" valid "$tmp/demo.sarif"
	check "demo: shellcheck's run has its two findings" \
		py "$tmp/demo.sarif" '[len(r["results"]) for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/fast/shellcheck/"] == [2]'
else
	_ok "demo: not here or its tools missing, skipped # SKIP"
fi

cd "$tmp" || exit 1
finish
