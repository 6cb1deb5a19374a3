#!/bin/bash
# findings.sh - black-box tests of findings (hookwave.ini(5), FINDINGS;
# hookwave(1), the json format): what a hook's tool prints becomes
# exact findings in JSON (every field), counts in text, TAP and JUnit;
# files relative to the top of the work tree whatever the hook's cwd or
# the run's directory; every finding read even when output_limit cuts
# the output; batches in order; errorformat; bad keys refused before
# anything runs; fingerprints that survive lines moving; hostile
# messages; a pass with findings not remembered by the cache; and the
# real shellcheck when it is installed.
#
# Every hookwave run is bounded by timeout(1); no check asserts how fast
# anything is.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v git >/dev/null 2>&1 || skip_all "no git"
command -v jq >/dev/null 2>&1 || skip_all "no jq"

export LC_ALL=C
unset NO_COLOR

isolate_git

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
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

# fjson HOOK: HOOK's findings from the JSON in $tmp/out, one compact
# object a line.
fjson() {
	jq -c --arg h "$1" 'select(.type == "hook" and .name == $h) | .findings[]' \
		"$tmp/out"
}

# ffield HOOK FILTER: FILTER over HOOK's findings, one value a line.
ffield() {
	jq -r --arg h "$1" "select(.type == \"hook\" and .name == \$h) | .findings[] | $2" \
		"$tmp/out"
}

repo=$tmp/repo
mkdir -p "$repo/sub/deep"
cd "$repo" || exit 1
git init -q . || exit 1

# --- the gcc form, every field ------------------------------------------------

cat >lintout <<'EOF'
a.sh:2:6: warning: Double quote to prevent globbing. [SC2086]
noise that is no finding
b.c:10: error: bad thing
c.yml:3:1: [warning] missing document start "---" (document-start)
d.c:4:2: note: declared here
EOF
cat >hookwave.ini <<'EOF'
[hook lint]
findings = gcc
command = cat lintout; exit 1
[hook quiet]
command = printf 'a.sh:1:1: warning: not read [SC1]\n'
EOF
hw -f json
expect_exit "gcc: exit 1 (lint failed)" 1
same "gcc: every field of every finding, in output order" \
'{"file":"a.sh","line":2,"col":6,"level":"warning","rule":"SC2086","message":"Double quote to prevent globbing.","baseline":null}
{"file":"b.c","line":10,"col":null,"level":"error","rule":null,"message":"bad thing","baseline":null}
{"file":"c.yml","line":3,"col":1,"level":"warning","rule":"document-start","message":"missing document start \"---\"","baseline":null}
{"file":"d.c","line":4,"col":2,"level":"note","rule":null,"message":"declared here","baseline":null}' \
	"$(jq -c 'select(.type == "hook" and .name == "lint") | .findings[] | del(.fingerprint)' "$tmp/out")"
check "gcc: each fingerprint is 64 hex digits" \
	test "$(ffield lint .fingerprint | grep -c -E '^[0-9a-f]{64}$')" -eq 4
check "gcc: four distinct fingerprints" \
	test "$(ffield lint .fingerprint | sort -u | wc -l)" -eq 4
same "gcc: a hook without findings set has an empty array" "" "$(fjson quiet)"
same "gcc: the summary counts them" 4 \
	"$(jq -r 'select(.type == "summary") | .findings' "$tmp/out")"
check "gcc: the output is still there whole" \
	grep -q 'noise that is no finding' <(jq -r 'select(.name == "lint") | .output' "$tmp/out")

hw
expect_stdout_match "text: the hook's line counts its findings" \
	'^failed +default/lint +[0-9]+\.[0-9]+s +exit 1  4 findings$'
expect_stdout_match "text: a hook without findings says nothing of them" \
	'^passed +default/quiet +[0-9]+\.[0-9]+s$'

hw -f tap
check "tap: the YAML block counts the findings" grep -qx '  findings: 4' "$tmp/out"
hw -f junit
check "junit: a findings property" \
	grep -q '<property name="findings" value="4"/>' "$tmp/out"
if command -v xmllint >/dev/null 2>&1; then
	check "junit: well-formed" xmllint --noout "$tmp/out"
fi

# --- files relative to the top of the work tree ----------------------------

cat >hookwave.ini <<EOF
[hook insub]
findings = gcc
cwd = sub
command = printf '%s\n' '../x.sh:1:1: note: up' './y.sh:2: m' 'deep/../z.sh:3: m' '$repo/abs.sh:4: m' '/elsewhere/o.sh:5: m'
EOF
hw -f json
same "paths: cwd = sub, from the top of the work tree" \
"x.sh
sub/y.sh
sub/z.sh
abs.sh
/elsewhere/o.sh" "$(ffield insub .file)"
cat >sub/hookwave.ini <<EOF
[hook insub]
findings = gcc
command = printf '%s\n' '../x.sh:1:1: note: up' './y.sh:2: m' 'deep/../z.sh:3: m' '$repo/abs.sh:4: m' '/elsewhere/o.sh:5: m'
EOF
hw -C sub -f json
same "paths: a run in sub (-C), still from the top" \
"x.sh
sub/y.sh
sub/z.sh
abs.sh
/elsewhere/o.sh" "$(ffield insub .file)"

# Outside git: from the run's directory.
mkdir -p "$tmp/nogit/in"
cat >"$tmp/nogit/hookwave.ini" <<'EOF'
[hook n]
findings = gcc
cwd = in
command = printf '%s\n' 'f.sh:1: m' '../g.sh:2: m'
EOF
hw -C "$tmp/nogit" -f json
same "paths: outside git, from the run's directory" "in/f.sh
g.sh" "$(ffield n .file)"
cd "$repo" || exit 1

# --- every finding, whatever output_limit keeps ------------------------------

cat >hookwave.ini <<'EOF'
[settings]
output_limit = 1024
[hook many]
findings = gcc
command = i=1; while test $i -le 3000; do echo "f$i.c:$i:1: warning: number $i [W$i]"; i=$((i+1)); done
EOF
hw -f json
expect_exit "many: exit 0 (warnings on exit 0 pass)" 0
same "many: the output was cut" true \
	"$(jq -r 'select(.type == "hook") | .output_truncated' "$tmp/out")"
same "many: all 3000 findings read" 3000 \
	"$(jq -r 'select(.type == "hook") | .findings | length' "$tmp/out")"
same "many: the last one whole" \
	'{"file":"f3000.c","line":3000,"col":1,"level":"warning","rule":"W3000","message":"number 3000","baseline":null}' \
	"$(jq -c 'select(.type == "hook") | .findings[2999] | del(.fingerprint)' "$tmp/out")"

# --- batches: in batch order ------------------------------------------------

for f in one two three; do echo x >"$f.txt"; done
git add one.txt two.txt three.txt
printf 'for f; do echo "$f:1: warning: seen"; done\n' >each.sh
cat >hookwave.ini <<'EOF'
[settings]
jobs = 3
[hook each]
findings = gcc
files = *.txt
batch_size = 1
command = sh each.sh
EOF
hw -f json
same "batches: one finding per batch, in batch order" "one.txt
three.txt
two.txt" "$(ffield each .file)"

# --- errorformat ------------------------------------------------------------

cat >hookwave.ini <<'EOF'
[hook efm]
errorformat = %-G%.%#ignore me%.%#,%f(%l\,%c): %t%n: %m,%f|%l| %m
command = printf '%s\n' 'a.c(3,7): w42: careful' 'b.c(1,1): e7: ignore me please' 'c.c|9| plain' 'no match here' 'd.c(2,2): n1: fyi'
EOF
hw -f json
expect_exit "errorformat: exit 0" 0
same "errorformat: every field" \
'{"file":"a.c","line":3,"col":7,"level":"warning","rule":"42","message":"careful","baseline":null}
{"file":"c.c","line":9,"col":null,"level":"error","rule":null,"message":"plain","baseline":null}
{"file":"d.c","line":2,"col":2,"level":"note","rule":"1","message":"fyi","baseline":null}' \
	"$(jq -c 'select(.type == "hook") | .findings[] | del(.fingerprint)' "$tmp/out")"

# --- bad keys: exit 2, the file and line, nothing run -----------------------

rm -f ran
printf '[hook a]\ncommand = touch ran\n[hook b]\ncommand = touch ran\nerrorformat = %%f:%%l:%%q\n' >hookwave.ini
hw
expect_exit "bad errorformat: exit 2" 2
expect_stderr_line "bad errorformat: names file, line and the conversion" \
	"^hookwave: hookwave\.ini:5: bad value for 'errorformat': .*%q"
check "bad errorformat: nothing ran" test ! -e ran

printf '[hook a]\ncommand = touch ran\nfindings = gcc\nerrorformat = %%f:%%l: %%m\n' >hookwave.ini
hw
expect_exit "findings and errorformat: exit 2" 2
expect_stderr_line "findings and errorformat: says so, with the line" \
	"^hookwave: hookwave\.ini:4: hook 'a' has both 'findings' and 'errorformat'$"
printf '[hook a]\ncommand = touch ran\nfindings = clang\n' >hookwave.ini
hw
expect_exit "findings = clang: exit 2" 2
expect_stderr_line "findings = clang: the value and what is wanted" \
	"^hookwave: hookwave\.ini:3: bad value 'clang' for 'findings': want gcc, sarif or none$"
check "bad keys: nothing ran" test ! -e ran

# --- fingerprints survive lines moving ---------------------------------------

printf '#!/bin/sh\necho $x\necho $y\n' >m.sh
cat >hookwave.ini <<'EOF'
[hook fp]
findings = gcc
command = grep -n 'echo \$' m.sh | while IFS=: read -r n text; do echo "m.sh:$n:6: note: Double quote [SC2086]"; done
EOF
hw -f json
before=$(ffield fp .fingerprint)
lines_before=$(ffield fp .line | tr '\n' ' ')
printf '#!/bin/sh\n# a comment\n\n  echo $x\necho $y\necho $z\n' >m.sh
hw -f json
after=$(ffield fp .fingerprint)
lines_after=$(ffield fp .line | tr '\n' ' ')
same "moved: the lines moved" "2 3 | 4 5 6 " "$lines_before| $lines_after"
same "moved: the two old findings keep their fingerprints (one re-indented)" \
	"$before" "$(echo "$after" | head -n 2)"
check "moved: the new one has a fingerprint of its own" \
	test -z "$(echo "$before" | grep -xF "$(echo "$after" | tail -n 1)")"

printf 'echo $x\necho $x\n' >m.sh
hw -f json
check "twins: two identical lines, two fingerprints" \
	test "$(ffield fp .fingerprint | sort -u | wc -l)" -eq 2

# --- hostile messages --------------------------------------------------------

printf 'h.sh:1:1: error: quote " back \\ tab \t bell \a bad \377\376 end [R1]\n' >hostile.txt
cat >hookwave.ini <<'EOF'
[hook hostile]
findings = gcc
command = cat hostile.txt
EOF
hw -f json
check "hostile: the JSON parses" jq -e . "$tmp/out"
same "hostile: the message, escaped, invalid bytes as U+FFFD" \
	'"quote \" back \\ tab \t bell \u0007 bad \ufffd\ufffd end"' \
	"$(jq -a -c 'select(.type == "hook") | .findings[0].message' "$tmp/out")"

# --- the cache does not remember a pass with findings -----------------------

echo 'int w;' >w.c
git add w.c
cat >hookwave.ini <<'EOF'
[settings]
cache = whole
[hook warns]
findings = gcc
files = w.c
command = echo 'w.c:1: warning: still here'; :
[hook clean]
findings = gcc
files = w.c
command = true
EOF
hw -f json
hw -f json
same "cache: a pass with findings runs again" "null 1" \
	"$(jq -r 'select(.name == "warns") | "\(.reason) \(.findings | length)"' "$tmp/out")"
same "cache: a pass without findings is remembered" "cached" \
	"$(jq -r 'select(.name == "clean") | .reason' "$tmp/out")"

# --- a baseline: hold the line ------------------------------------------------

printf '#!/bin/sh\necho $a\necho $b\necho $c\n' >base.sh
cat >hookwave.ini <<'EOF'
[hook held]
strategy = s
findings = gcc
command = grep -n 'echo \$' base.sh | while IFS=: read -r n text; do echo "base.sh:$n:6: warning: Double quote [SC2086]"; done; exit 1
[hook other]
strategy = t
findings = gcc
command = echo 'o.c:1: error: other'; exit 1
EOF
hw -f json --write-baseline=base.txt
expect_exit "baseline: the first run fails (exit 1)" 1
check "baseline: written, a header and 4 lines" \
	test "$(head -n 1 base.txt)" = "# hookwave baseline 1" -a "$(wc -l <base.txt)" -eq 5
same "baseline: without --baseline, baseline is null" "null null null" \
	"$(ffield held .baseline | tr '\n' ' ' | sed 's/ $//')"
cp base.txt base.orig

# Old findings move down, one is removed ($b), one is added ($d).
printf '#!/bin/sh\n# moved\n\necho $a\necho $c\necho $d\n' >base.sh
hw -f json --baseline=base.txt
expect_exit "baseline: a new finding: exit 1" 1
same "baseline: each finding new or unchanged, lines moved" \
	"4 unchanged|5 unchanged|6 new" \
	"$(ffield held '"\(.line) \(.baseline)"' | tr '\n' '|' | sed 's/|$//')"
same "baseline: the gone one is absent" '3 absent' \
	"$(jq -r 'select(.name == "held") | .absent[] | "\(.line) \(.baseline)"' "$tmp/out")"
same "baseline: held fails on its new finding" failed \
	"$(jq -r 'select(.name == "held") | .status' "$tmp/out")"
same "baseline: other, nothing new, exit 1 forgiven" "passed 1" \
	"$(jq -r 'select(.name == "other") | "\(.status) \(.exit_code)"' "$tmp/out")"
hw -f github --baseline=base.txt
same "baseline: -f github annotates only the new finding" \
	'::warning file=base.sh,line=6,col=6,title=s/held::Double quote [SC2086]' \
	"$(grep '^::warning' "$tmp/out")"
hw --baseline=base.txt
expect_stdout_match "baseline: text counts new and known" \
	'^failed +s/held +[0-9]+\.[0-9]+s +exit 1  1 new, 2 known$'
expect_stdout_match "baseline: text, all known" \
	'^passed +t/other +[0-9]+\.[0-9]+s  0 new, 1 known$'
check "baseline: reading it left it alone" cmp -s base.txt base.orig

# Record again, only strategy s: t's entry is kept.
hw -f json --baseline=base.txt --write-baseline=base.txt -s s
check "baseline: -s s kept t's entry" grep -q "^t/other	" base.txt
check "baseline: s's entries are this run's (3 lines)" \
	test "$(grep -c '^s/held	' base.txt)" -eq 3
hw -f json --baseline=base.txt
expect_exit "baseline: nothing new now: exit 0" 0
same "baseline: all unchanged, nothing absent" "unchanged unchanged unchanged|" \
	"$(ffield held .baseline | tr '\n' ' ' | sed 's/ $//')|$(jq -r 'select(.name == "held") | .absent[]' "$tmp/out")"

# Bad baselines: exit 2, file and line, nothing run, nothing lost.
rm -f ran
cat >hookwave.ini <<'EOF'
[hook a]
findings = gcc
command = touch ran
EOF
printf '# hookwave baseline 1\ns/h\tnot-a-fingerprint\ta\t1\t1\terror\t\tm\n' >bad.txt
hw --baseline=bad.txt
expect_exit "bad baseline: exit 2" 2
expect_stderr_line "bad baseline: names file and line" \
	'^hookwave: bad\.txt:2: a bad fingerprint \(want 64 hex digits\)$'
hw --baseline=nowhere.txt
expect_exit "missing baseline: exit 2" 2
expect_stderr_line "missing baseline: says it cannot be read" \
	'^hookwave: nowhere\.txt: cannot read: '
printf 'precious notes\n' >notes.txt
hw --write-baseline=notes.txt
expect_exit "write over a file that is no baseline: exit 2" 2
expect_stderr_line "write over a file that is no baseline: says so" \
	'^hookwave: notes\.txt:1: not a hookwave baseline'
check "write over a file that is no baseline: it is untouched" \
	test "$(cat notes.txt)" = "precious notes"
hw --write-baseline=nodir/b.txt
expect_exit "write into a missing directory: exit 2" 2
check "bad baselines: nothing ran" test ! -e ran

# --- the real shellcheck -----------------------------------------------------

if command -v shellcheck >/dev/null 2>&1; then
	printf '#!/bin/sh\necho $1\n' >real.sh
	git add real.sh
	cat >hookwave.ini <<'EOF'
[hook shellcheck]
findings = gcc
command = shellcheck -f gcc
files = *.sh
exclude = m.sh h.sh
EOF
	hw -f json
	same "shellcheck: its finding, every field but the message" \
		'{"file":"real.sh","line":2,"col":6,"level":"note","rule":"SC2086","baseline":null}' \
		"$(jq -c 'select(.type == "hook") | .findings[] | del(.fingerprint, .message)' "$tmp/out")"
else
	_ok "shellcheck: not installed, skipped # SKIP"
fi

cd "$tmp" || exit 1
finish
