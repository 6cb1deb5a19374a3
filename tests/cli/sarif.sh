#!/bin/bash
# sarif.sh - black-box tests of -f sarif and -f github. SARIF documents
# are validated against the OASIS SARIF 2.1.0 schema (tests/data, with
# its notice) by python3-jsonschema: those of real runs (a failing, a
# timed-out, a skipped, an erroring and a passing hook that reads
# findings), and the hand-made ones of the unit test
# (tests/unit/check_report_sarif, run here with HOOKWAVE_SARIF_SAMPLES).
# GitHub's limit on runs per file: the document stays valid and stderr
# says what was left out; past its 10 MB gzipped, stderr says so and the
# log is whole. findings = sarif: a tool's own log read from its output
# or its sarif_file (the hand-written fixtures of tests/data/findings),
# bad logs as errors with a reason, batches of a sarif_file hook never
# at once, the config errors, a baseline round-trip, and the tool's run
# carried into hookwave's log, valid. -f github: a fresh stop-commands token per
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

# --- a tool's own SARIF: findings = sarif ------------------------------------

command -v jq >/dev/null 2>&1 || skip_all "no jq"
command -v git >/dev/null 2>&1 || skip_all "no git"
isolate_git
fx=$TESTDATA/findings
mkdir "$tmp/tool" && cd "$tmp/tool" || exit 1
git init -q . || exit 1
cp "$fx"/semgrep.sarif "$fx"/codeql.sarif "$fx"/truncated.sarif "$fx"/old.sarif .
mkdir sub
# jqh HOOK FILTER: FILTER over HOOK's JSON object in $tmp/out.
jqh() {
	jq -r --arg h "$1" "select(.type == \"hook\" and .name == \$h) | $2" "$tmp/out"
}
# same NAME WANT HAVE: a check that two strings are equal.
same() {
	if test "$2" = "$3"; then
		_ok "$1"
	else
		fail "$1" "want: $2" "have: $3"
		_show_run
	fi
}
cat >hookwave.ini <<'EOF'
[hook sg]
findings = sarif
command = echo 'Scanning 3 files { 2 rules }'; cat semgrep.sarif; exit 1
[hook cq]
findings = sarif
cwd = sub
sarif_file = out/log.sarif
command = mkdir -p out && cp ../codeql.sarif out/log.sarif
[hook cut]
findings = sarif
command = cat truncated.sarif; exit 1
[hook old]
findings = sarif
command = cat old.sarif
[hook silent]
findings = sarif
command = echo all good
[hook stale]
findings = sarif
sarif_file = stale.sarif
command = true
EOF
cp semgrep.sarif stale.sarif
hw -f json
expect_exit "sarif in: exit 1" 1
same "sarif in: stdout, after chatter: every field" \
	'src/bad.py 7 5 warning python.lang.security.audit.eval-detected.eval-detected|src/bad.py 1 1 note python.lang.best-practice.unused-import|src/with space.py 12 null error python.lang.correctness.useless-comparison' \
	"$(jqh sg '.findings[] | "\(.file) \(.line) \(.col) \(.level) \(.rule)"' | tr '\n' '|' | sed 's/|$//')"
same "sarif in: the message, quotes and all" 'This comparison is always "True": x == x' \
	"$(jqh sg '.findings[2].message')"
same "sarif in: the tool's exit status stands" "failed 1" "$(jqh sg '"\(.status) \(.exit_code)"')"
same "sarif in: sarif_file, relative to the hook's cwd" \
	'/repo/tests/data/findings/src/bad.c 4 note Variable x is not used; see bad.c:4 (not {this}).|sub/src/bad.c 9 note Possible overflow.|. null note Something about the build.|/abs/out/of/root.c null error from the second run' \
	"$(jqh cq '.findings[] | "\(.file) \(.line) \(.level) \(.message)"' | tr '\n' '|' | sed 's/|$//')"
same "sarif in: a cut-off log is an error that says why" \
	"error findings: bad JSON at line 1 column 63: '}' expected near end of file" \
	"$(jqh cut '"\(.status) \(.reason)"')"
same "sarif in: SARIF 2.0.0 is an error" "error findings: not SARIF 2.1.0: version 2.0.0" \
	"$(jqh old '"\(.status) \(.reason)"')"
same "sarif in: no log at all is an error" "error findings: no SARIF log in its output" \
	"$(jqh silent '"\(.status) \(.reason)"')"
same "sarif in: a stale sarif_file is removed before the batch, never read" \
	"error findings: cannot read $tmp/tool/stale.sarif: No such file or directory" \
	"$(jqh stale '"\(.status) \(.reason)"')"

# Carried over: the tool's own run and results in hookwave's log.
hw -o carried.sarif
check "carried: the log is valid" valid carried.sarif
check "carried: one run per hook, each its own automationDetails.id" \
	py carried.sarif 'sorted(r["automationDetails"]["id"] for r in d["runs"]) == ["hookwave/default/cq/", "hookwave/default/cut/", "hookwave/default/old/", "hookwave/default/sg/", "hookwave/default/silent/", "hookwave/default/stale/"]'
check "carried: the tool's driver and rules" \
	py carried.sarif '[(r["tool"]["driver"]["name"], r["tool"]["driver"]["semanticVersion"], len(r["tool"]["driver"]["rules"])) for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/default/sg/"] == [("Semgrep OSS", "1.50.0", 3)]'
check "carried: the tool's results, its own fields kept" \
	py carried.sarif '[(x["fingerprints"]["matchBasedId/v1"], x["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]) for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/default/sg/" for x in r["results"][:1]] == [("4c1b8a0e7f2d", "    eval(user_input)")]'
check "carried: hookwave's fingerprint beside the tool's" \
	py carried.sarif '[sorted(x["partialFingerprints"]) for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/default/sg/" for x in r["results"]] == [["hookwave/v1"], ["hookwave/v1", "primaryLocationLineHash"], ["hookwave/v1"]]'
check "carried: invocations are hookwave's" \
	py carried.sarif '[r["invocations"] for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/default/sg/"] == [[{"executionSuccessful": True, "exitCode": 1}]]'
check "carried: locations relative to %SRCROOT%, the repository's top" \
	py carried.sarif '[x["locations"][0]["physicalLocation"]["artifactLocation"] for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/default/cq/" for x in r["results"][:2]] == [{"uri": "file:///repo/tests/data/findings/src/bad.c"}, {"uri": "sub/src/bad.c", "uriBaseId": "%SRCROOT%"}]'
check "carried: no ruleIndex of the tool's run, no originalUriBaseIds" \
	py carried.sarif 'not any("ruleIndex" in x for r in d["runs"] for x in r.get("results", [])) and not any("originalUriBaseIds" in r for r in d["runs"])'
check "carried: a hook whose log was bad has hookwave's own run" \
	py carried.sarif '[r["tool"]["driver"]["name"] for r in d["runs"] if r["automationDetails"]["id"] == "hookwave/default/cut/"] == ["cat"]'

# Batches of a hook with sarif_file run one after another: each reads
# its own log (a batch that found another running would say so).
printf 'x\n' >a.py; printf 'y\n' >b.py; printf 'z\n' >c.py
git add a.py b.py c.py
cat >hookwave.ini <<'EOF'
[settings]
jobs = 3
[hook per]
findings = sarif
sarif_file = per.sarif
files = *.py
batch_size = 1
command = sh ./per.sh
EOF
cat >per.sh <<'EOF'
mkdir busy || echo overlap >>overlaps
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"per"}},"results":[{"ruleId":"R","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"%s"},"region":{"startLine":1}}}]}]}]}' "$1" >per.sarif
rmdir busy
exit 1
EOF
hw -f json
expect_exit "sarif_file batches: exit 1" 1
same "sarif_file batches: 3 batches, each its own file's finding" "3 a.py b.py c.py" \
	"$(jqh per '"\(.batches) " + ([.findings[].file] | sort | join(" "))')"
check "sarif_file batches: never two at once" test ! -e overlaps

# Errors at the config line; nothing runs.
printf '[hook a]\ncommand = touch ran\nsarif_file = x.sarif\n' >hookwave.ini
hw
expect_exit "sarif_file without findings = sarif: exit 2" 2
expect_stderr_line "sarif_file without findings = sarif: says so, with the line" \
	"^hookwave: hookwave\.ini:3: hook 'a' has 'sarif_file' but not 'findings = sarif'$"
printf '[hook a]\ncommand = touch ran\nfindings = gcc\nsarif_file = x.sarif\n' >hookwave.ini
hw
expect_exit "sarif_file with findings = gcc: exit 2" 2
printf '[hook a]\ncommand = touch ran\nfindings = sarif\nsarif_file =\n' >hookwave.ini
hw
expect_exit "empty sarif_file: exit 2" 2
expect_stderr_line "empty sarif_file: says so, with the line" \
	"^hookwave: hookwave\.ini:4: 'sarif_file' has an empty value$"
check "config errors: nothing ran" test ! -e ran

# A baseline round-trip: a tool's findings are held like any others.
printf 'line one\nline two\n' >t.py
git add t.py
# mk_log RULE LINE: the tool's log, one result.
mk_log() {
	printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"%s","defaultConfiguration":{"level":"error"}}]}},"results":[{"ruleId":"%s","message":{"text":"bad"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"t.py","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%s}}}]}]}]}\n' "$1" "$1" "$2" >tool.log
}
cat >hookwave.ini <<'EOF'
[hook t]
findings = sarif
command = cat tool.log; exit 1
EOF
mk_log R1 1
hw --write-baseline=b.txt
expect_exit "sarif baseline: the first run fails" 1
printf 'new first line\nline one\nline two\n' >t.py
mk_log R1 2
hw -f json --baseline=b.txt
expect_exit "sarif baseline: the same finding, moved: exit 0" 0
same "sarif baseline: unchanged, the hook passes" "passed unchanged" \
	"$(jqh t '"\(.status) \(.findings[0].baseline)"')"
mk_log R2 3
hw -f json --baseline=b.txt
expect_exit "sarif baseline: a new rule's finding: exit 1" 1
same "sarif baseline: new, the old one absent" "new R1:absent" \
	"$(jqh t '"\(.findings[0].baseline) \(.absent[0].rule):\(.absent[0].baseline)"')"
hw --baseline=b.txt -o held.sarif
check "sarif baseline: the carried log is valid" valid held.sarif
check "sarif baseline: baselineState new on the tool's result, absent rendered" \
	py held.sarif '[(x["ruleId"], x["baselineState"]) for x in d["runs"][0]["results"]] == [("R2", "new"), ("R1", "absent")] and d["runs"][0]["tool"]["driver"]["name"] == "t"'

# --- past GitHub's 10 MB gzipped: said on stderr, the log whole -------------

if command -v base64 >/dev/null 2>&1 && command -v gzip >/dev/null 2>&1; then
	mkdir "$tmp/big" && cd "$tmp/big" || exit 1
	# 15,000 findings of 1,000 random base64 characters: about 15 MB
	# of log, some 11.5 MB gzipped.
	head -c 11250000 /dev/urandom | base64 -w 1000 |
		sed 's/^/a.c:1: error: /' >big.out
	printf '[hook big]\nfindings = gcc\ncommand = cat big.out\n' >hookwave.ini
	hw -o big.sarif
	expect_exit "gzip limit: the run passes" 0
	expect_stderr_line "gzip limit: stderr says how large it is gzipped" \
		"^hookwave: sarif: big\.sarif: [0-9]+ bytes gzipped, past GitHub code scanning's limit of 10000000 per upload$"
	check "gzip limit: the log is whole, every finding in it" \
		py big.sarif 'len(d["runs"][0]["results"]) == 15000'
	gz=$(gzip -c big.sarif | wc -c)
	check "gzip limit: gzip(1) agrees it is past 10 MB ($gz)" test "$gz" -gt 10000000
	said=$(sed -n 's/.*big\.sarif: \([0-9]*\) bytes.*/\1/p' "$tmp/err")
	check "gzip limit: the size said is about gzip(1)'s ($said, $gz)" \
		test "$said" -gt $((gz - gz / 50)) -a "$said" -lt $((gz + gz / 50))
else
	_ok "gzip limit: no base64 or gzip, skipped # SKIP"
fi

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
