#!/bin/bash
# reports.sh - black-box tests of what hookwave prints and writes: every
# format checked by its real consumer (jq, xmllint, TAP::Parser, Python's
# json module) on output made as hostile as a hook can make it (invalid
# UTF-8, NUL, ESC, "]]>", "</system-out>", TAP keywords at line starts,
# hook names with '#'); the live status line on a terminal and never in
# a pipe; colours and NO_COLOR; write errors and closed pipes; atomic
# report files; golden text and TAP output.
#
# Needs jq, xmllint (libxml2-utils), perl (TAP::Parser), python3 and
# script (bsdutils); skips (77) when one is missing.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

for tool in jq xmllint perl python3 script timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool"
done
perl -MTAP::Parser -e 1 2>/dev/null || skip_all "no TAP::Parser"

# hw ARG...: run hookwave under a time limit, output captured (lib.sh run).
hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

# Bytes of $1 that must never reach a JSON or XML report: C0 controls but
# newline (and tab for XML character data), and DEL.
raw_controls() {
	LC_ALL=C tr -d '\n\t\040-\176\200-\377' <"$1" | wc -c
}

# The file is valid UTF-8.
valid_utf8() {
	python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1"
}

# --- the hostile fixture ----------------------------------------------------

proj=$tmp/proj
mkdir "$proj" && cd "$proj" || exit 1

# 9 hooks: passed 1, failed 4, timeout 1, error 1, skipped 2 (exit 1).
cat >hookwave.ini <<'EOF'
[settings]
jobs = 4
kill_grace = 1

[hook pass]
command = echo fine
strategy = fast

[hook hostile]
command = printf '\377\376 bad utf8, NUL \000, ESC \033[31m, DEL \177, ]]> </system-out> ]]>\n# SKIP\n---\nnot ok 1\n...\n  Bail out!\nok 2 # TODO\n\r\n'; exit 1
strategy = fast

[hook a#b]
command = printf 'x#y\n'; exit 3
strategy = fast

[hook n#SKIP]
command = printf '<b>&amp;</b>\n'; exit 2
strategy = fast

[hook dep]
command = true
depends = hostile
strategy = fast

[hook slow]
command = sleep 1000.401
timeout = 1
strategy = comprehensive

[hook missing]
command = no-such-command-hookwave-401
strategy = comprehensive

[hook off]
command = true
enabled = no
strategy = comprehensive

[hook spaced]
command = printf '  leading blanks\n\tthen a tab "q" \\\n'; exit 1
strategy = comprehensive
EOF

# --- JSON Lines: jq on every line --------------------------------------------

hw -f json -o r.json --timeline=t.json
expect_exit "json: exit status 1" 1
check "json: nothing on stderr" test ! -s "$tmp/err"
cp "$tmp/out" json.out
check "json: one line per hook and a summary" test "$(wc -l <json.out)" -eq 10
bad=0
while IFS= read -r line; do
	printf '%s\n' "$line" | jq -e . >/dev/null 2>&1 || bad=$((bad + 1))
done <json.out
check "json: jq -e accepts every line" test "$bad" -eq 0
check "json: no raw control character" test "$(raw_controls json.out)" -eq 0
check "json: valid UTF-8" valid_utf8 json.out
# jqs FILTER: the filter, given every line of json.out as an array, is true.
jqs() {
	jq -s -e "$1" json.out >/dev/null
}
check "json: invalid UTF-8 became U+FFFD" \
	jqs 'map(select(.name == "hostile"))[0].output | startswith("\ufffd\ufffd bad utf8, NUL \u0000, ESC \u001b[31m, DEL \u007f, ]]> </system-out>")'
check "json: names with '#'" \
	jqs 'map(select(.name == "a#b" or .name == "n#SKIP") | .status) == ["failed", "failed"]'
check "json: the summary counts" \
	jqs '.[-1] | .type == "summary" and .passed == 1 and .failed == 4 and .timeout == 1 and .error == 1 and .skipped == 2 and .exit_code == 1'
check "json: every hook object has every field" \
	jqs '.[:-1] | map(keys) | unique == [["absent","batches","cached","duration","exit_code","files","findings","modified","name","output","output_truncated","reason","signal","start","status","strategy","type","wave"]]'
check "json: cached is a number, 0 when nothing was cached" \
	jqs '.[:-1] | map(.cached) | unique == [0]'
check "json: -o r.json is the stream" cmp -s json.out r.json
check "-o after a failure: no temporary file left" \
	test -z "$(find . -name '.*.hookwave-*' -print)"

# --- the timeline: Python's json, one X event per process ---------------------

check "timeline: python3 -m json.tool accepts it" \
	python3 -m json.tool t.json /dev/null
timeline_ok() {
	python3 - t.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["displayTimeUnit"] == "ms"
ev = d["traceEvents"]
x = [e for e in ev if e["ph"] == "X"]
threads = {e["tid"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
# pass, hostile, a#b, n#SKIP, slow, missing, spaced started; dep, off did not
assert sorted(e["args"]["hook"] for e in x) == sorted(
    ["pass", "hostile", "a#b", "n#SKIP", "slow", "missing", "spaced"]), x
for e in x:
    assert e["pid"] == 1 and e["tid"] in threads, e
    assert e["name"] == e["cat"] + "/" + e["args"]["hook"], e
    assert e["ts"] >= 0 and e["dur"] >= 0, e
    assert e["args"]["status"] in ("passed", "failed", "timeout", "error"), e
slow = [e for e in x if e["args"]["hook"] == "slow"][0]
assert slow["dur"] >= 900000 and slow["args"]["status"] == "timeout", slow
assert len(threads) == 4, threads
EOF
}
check "timeline: one complete event per process, on a named worker" timeline_ok

# --- JUnit: xmllint, stdout and -o ------------------------------------------

hw -f junit -o r.xml
expect_exit "junit: exit status 1" 1
cp "$tmp/out" junit.out
check "junit: xmllint accepts stdout" xmllint --noout junit.out
check "junit: xmllint accepts -o r.xml" xmllint --noout r.xml
check "junit: no raw control character" test "$(raw_controls junit.out)" -eq 0
check "junit: valid UTF-8" valid_utf8 junit.out
xpath() {
	xmllint --xpath "$1" junit.out 2>/dev/null
}
expect_xpath() {
	_got=$(xpath "$2")
	if test "$_got" = "$3"; then
		check "$1" true
	else
		fail "$1" "xpath $2: want '$3', got '$_got'"
	fi
}
expect_xpath "junit: testsuites tests" 'string(/testsuites/@tests)' 9
expect_xpath "junit: testsuites failures" 'string(/testsuites/@failures)' 5
expect_xpath "junit: testsuites errors" 'string(/testsuites/@errors)' 1
expect_xpath "junit: testsuites skipped" 'string(/testsuites/@skipped)' 2
expect_xpath "junit: two suites" 'count(/testsuites/testsuite)' 2
expect_xpath "junit: fast counts" \
	'concat(//testsuite[@name="fast"]/@tests, " ", //testsuite[@name="fast"]/@failures, " ", //testsuite[@name="fast"]/@errors, " ", //testsuite[@name="fast"]/@skipped)' \
	"5 3 0 1"
expect_xpath "junit: comprehensive counts" \
	'concat(//testsuite[@name="comprehensive"]/@tests, " ", //testsuite[@name="comprehensive"]/@failures, " ", //testsuite[@name="comprehensive"]/@errors, " ", //testsuite[@name="comprehensive"]/@skipped)' \
	"4 2 1 1"
expect_xpath "junit: one testcase per hook" 'count(//testcase)' 9
expect_xpath "junit: timeout is a failure of type timeout" \
	'string(//testcase[@name="slow"]/failure/@type)' timeout
expect_xpath "junit: error carries its reason" \
	'string(//testcase[@name="missing"]/error/@message)' "command not found"
expect_xpath "junit: skipped carries its reason" \
	'string(//testcase[@name="dep"]/skipped/@message)' "dependency hostile failed"
expect_xpath "junit: names with '#'" \
	'count(//testcase[@name="a#b" or @name="n#SKIP"]/failure[@type="failed"])' 2
expect_xpath "junit: passing output in system-out" \
	'string(//testcase[@name="pass"]/system-out)' "fine"
expect_xpath "junit: markup in the output is text" \
	'string(//testcase[@name="n#SKIP"]/failure)' "<b>&amp;</b>"
check "junit: CR kept (as a character reference)" \
	test "$(xpath "contains(//testcase[@name='hostile']/failure, 'ok 2 # TODO"$'\n\r\n'"')")" = true
check "junit: ]]> and </system-out> survive as text" \
	test "$(xpath 'contains(//testcase[@name="hostile"]/failure, "]]> </system-out> ]]>")')" = true
check "junit: invalid UTF-8 and controls became U+FFFD" \
	test "$(xpath 'starts-with(//testcase[@name="hostile"]/failure, "�� bad utf8, NUL �, ESC �[31m, DEL �")')" = true

# --- TAP: Perl's TAP::Parser -------------------------------------------------

hw -f tap -o r.tap
expect_exit "tap: exit status 1" 1
cp "$tmp/out" tap.out
check "tap: -o r.tap is the stream" cmp -s tap.out r.tap
cat >"$tmp/tap.pl" <<'EOF'
use strict;
use warnings;
use TAP::Parser;

local $/;
open(my $fh, '<', $ARGV[0]) or die "$ARGV[0]: $!";
my $tap = <$fh>;
my $p = TAP::Parser->new({ tap => $tap });
my ($yaml, $hostile, $spaced, $unknown, $bailout, %desc) = (0, 0, 0, 0, 0);
while (my $r = $p->next) {
	$unknown++ if $r->is_unknown;
	$bailout++ if $r->is_bailout;
	$desc{$r->number} = $r->description if $r->is_test;
	next unless $r->is_yaml;
	$yaml++;
	my $d = $r->data;
	die "yaml without status" unless defined $d->{status};
	$hostile++ if $d->{output} =~ /^\x{ef}\x{bf}\x{bd}\x{ef}\x{bf}\x{bd} bad utf8,.*\n# SKIP\n---\nnot ok 1\n\.\.\.\n  Bail out!\nok 2 # TODO\n/s;
	$spaced++ if $d->{output} eq "  leading blanks\n\tthen a tab \"q\" \\\n";
}
my @skipped_names = map { $desc{$_} } $p->skipped;
printf "version=%d planned=%d run=%d passed=%d failed=%d skipped=%d todo=%d errors=%d unknown=%d yaml=%d hostile=%d spaced=%d bailout=%d skipped_names=%s\n",
	$p->version, $p->tests_planned, $p->tests_run, scalar($p->passed),
	scalar($p->failed), scalar($p->skipped), scalar($p->todo),
	scalar($p->parse_errors), $unknown, $yaml, $hostile, $spaced,
	$bailout, join(",", sort @skipped_names);
print "parse error: $_\n" for $p->parse_errors;
EOF
got=$(perl "$tmp/tap.pl" tap.out 2>&1)
want="version=13 planned=9 run=9 passed=3 failed=6 skipped=2 todo=0 errors=0 unknown=0 yaml=6 hostile=1 spaced=1 bailout=0 skipped_names=- comprehensive/off,- fast/dep"
if test "$got" = "$want"; then
	check "tap: TAP::Parser: counts, no parse error, YAML read back" true
else
	fail "tap: TAP::Parser: counts, no parse error, YAML read back" \
		"want: $want" "got:  $got"
fi
check "tap: '#' in names escaped" grep -q -x 'not ok [0-9]* - fast/n\\#SKIP' tap.out
check "tap: a timeout is '# timeout'" \
	grep -q -x 'not ok [0-9]* - comprehensive/slow # timeout' tap.out
check "tap: a skip is '# SKIP reason'" \
	grep -q -x 'ok [0-9]* - fast/dep # SKIP dependency hostile failed' tap.out
check "tap: the plan at the end" test "$(tail -n 1 tap.out)" = "1..9"
check "tap: no raw control character" test "$(raw_controls tap.out)" -eq 0

# --- the live status line and colours -----------------------------------------

cat >status.ini <<'EOF'
[hook a]
command = sleep 0.3
[hook b]
command = sleep 0.2
strategy = other
[hook c]
command = true
depends = a
EOF

# on_tty FILE [-u VAR | VAR=VALUE]... -- ARG...: run hookwave on a
# pseudo-terminal (script), TERM=xterm unless set, the typescript in FILE.
on_tty() {
	_ts=$1
	shift
	_unset=()
	_set=()
	while test "$1" != --; do
		case $1 in
		-u) _unset+=(-u "$2"); shift ;;
		*) _set+=("$1") ;;
		esac
		shift
	done
	shift
	_cmd=$(printf '%q ' timeout -k 5 60 "$HOOKWAVE" "$@")
	env "${_unset[@]}" TERM=xterm "${_set[@]}" script -qec "$_cmd" "$_ts" \
		</dev/null >/dev/null 2>&1
}

on_tty tty.ts -u NO_COLOR -- -c status.ini
check "tty: the status line is drawn (\\r, ESC [K)" \
	grep -q -F "$(printf '\033[K')" tty.ts
check "tty: it names what runs" grep -q -F "running: default/a" tty.ts
check "tty: colours by default" grep -q -F "$(printf '\033[32m')" tty.ts

on_tty tty-dumb.ts TERM=dumb -- -c status.ini
check "tty: TERM=dumb: no status line" \
	test "$(grep -c -F "$(printf '\033[K')" tty-dumb.ts)" -eq 0

on_tty tty-quiet.ts -u NO_COLOR -- -q -c status.ini
check "tty: -q, all passed: nothing at all (no status line either)" \
	test "$(grep -c -F -e "$(printf '\033')" -e 'passed' tty-quiet.ts)" -eq 0

on_tty tty-nocolor.ts NO_COLOR=1 -- --color=auto -c status.ini
check "tty: NO_COLOR=1 --color=auto: no colour" \
	test "$(grep -c -F "$(printf '\033[3')" tty-nocolor.ts)" -eq 0
check "tty: NO_COLOR=1: the status line stays" \
	grep -q -F "$(printf '\033[K')" tty-nocolor.ts

on_tty tty-never.ts -u NO_COLOR -- --color=never -c status.ini
check "tty: --color=never: no colour" \
	test "$(grep -c -F "$(printf '\033[3')" tty-never.ts)" -eq 0

timeout -k 5 60 "$HOOKWAVE" -c status.ini 2>"$tmp/err" | cat -v >pipe.out
check "pipe: no \\r and no ESC" test "$(grep -c -e '\^M' -e '\^\[' pipe.out)" -eq 0
check "pipe: the hooks are there" test "$(grep -c '^passed ' pipe.out)" -eq 3

NO_COLOR=1 timeout -k 5 60 "$HOOKWAVE" -c status.ini --color=always \
	2>"$tmp/err" >always.out
check "pipe: --color=always wins over NO_COLOR" \
	grep -q -F "$(printf '\033[32m')" always.out
check "pipe: --color=always draws no status line" \
	test "$(grep -c -F "$(printf '\033[K')" always.out)" -eq 0

# --- closed pipes, write errors ----------------------------------------------

cat >pipe.ini <<'EOF'
[hook first]
command = true
[hook later-1]
command = sleep 0.5
[hook later-2]
command = sleep 0.5
EOF
timeout -k 5 60 "$HOOKWAVE" -c pipe.ini -f json 2>"$tmp/err" | head -n 1 >/dev/null
codes=("${PIPESTATUS[@]}")
check "head -1: exit status 141 (SIGPIPE)" test "${codes[0]}" -eq 141
check "head -1: nothing on stderr" test ! -s "$tmp/err"

timeout -k 5 60 "$HOOKWAVE" -c status.ini >/dev/full 2>"$tmp/err"
status=$?
expect_exit ">/dev/full: exit status 2" 2
expect_stderr_has ">/dev/full: says write error" "write error"

# --- report files are atomic -------------------------------------------------

no_temp() {
	test -z "$(find "$1" -name '.*.hookwave-*' -print)"
}
hw -c status.ini -o ok.json --timeline=ok-trace.json
expect_exit "-o after a pass: exit status 0" 0
check "-o after a pass: the report is there" \
	test "$(jq -c -s 'map(.type)' ok.json)" = '["hook","hook","hook","summary"]'
check "--timeline after a pass: the trace is there" \
	python3 -m json.tool ok-trace.json /dev/null
check "-o after a pass: no temporary file left" no_temp .

hw -c status.ini -o "$tmp/no/such/dir/r.json"
expect_exit "-o into a missing directory: exit status 2" 2
expect_stderr_has "-o into a missing directory: says so" "$tmp/no/such/dir/r.json"
check "-o into a missing directory: no temporary file left" no_temp "$tmp"

mkdir is-a-dir.json
hw -c status.ini -o is-a-dir.json
expect_exit "-o onto a directory: exit status 2" 2
check "-o onto a directory: no temporary file left" no_temp .

hw -c status.ini --timeline="$tmp/no/such/dir/t.json"
expect_exit "--timeline into a missing directory: exit status 2" 2
check "--timeline into a missing directory: no temporary file left" no_temp "$tmp"

# --- report files: links, our own descriptors, modes, fallbacks -------------

# A private stand-in for /dev/stdout (never the system's own: a broken
# hookwave would replace it): a link to /proc/self/fd/1.
ln -s /proc/self/fd/1 my-stdout
hw -c status.ini -f json -o my-stdout --report-format=json
expect_exit "-o a link to /proc/self/fd/1: exit status 0" 0
check "-o a link to /proc/self/fd/1: still a link" test -L my-stdout
check "-o a link to /proc/self/fd/1: the stream, then the report, on stdout" \
	test "$(jq -r .type "$tmp/out" | tr '\n' ' ')" = \
	"hook hook hook summary hook hook hook summary "
check "-o a link to /proc/self/fd/1: no temporary file left" no_temp .

mkdir -p links/real
printf 'old\n' >links/real/r.json
chmod 600 links/real/r.json
ln -s real/r.json links/link.json
hw -c status.ini -o links/link.json
expect_exit "-o through a link: exit status 0" 0
check "-o through a link: the link stays a link" test -L links/link.json
check "-o through a link: its target has the report" \
	test "$(jq -c -s 'map(.type)' links/real/r.json)" = '["hook","hook","hook","summary"]'
check "-o through a link: the target's mode kept (600)" \
	test "$(stat -c %a links/real/r.json)" = 600
check "-o through a link: no temporary file left" no_temp links

install -m 640 /dev/null secret.json
hw -c status.ini -o secret.json
check "-o onto a 0640 file: still 0640" test "$(stat -c %a secret.json)" = 640
(umask 077 && timeout -k 5 60 "$HOOKWAVE" -c status.ini -o fresh.json \
	</dev/null >/dev/null 2>&1)
check "-o a new file under umask 077: 600" test "$(stat -c %a fresh.json)" = 600

long=$(printf 'n%.0s' $(seq 1 245)).json
hw -c status.ini -o "$long"
expect_exit "-o a name of 250 bytes: exit status 0" 0
check "-o a name of 250 bytes: written" test -s "$long"
hw -c status.ini -o "$long"
check "-o a name of 250 bytes, again: no temporary file left" no_temp .

# A directory we may not write holding a file we may (a user's
# -o /var/log/x.json): written in place. As root, as nobody; else in a
# directory of our own made read-only.
mkdir nowrite
cp status.ini nowrite/
printf 'old\n' >nowrite/x.json
chmod 666 nowrite/x.json
ino=$(stat -c %i nowrite/x.json)
as_user=
if test "$(id -u)" -eq 0 && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$tmp" "$proj" nowrite
	as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
else
	chmod 555 nowrite
fi
status=0
$as_user env XDG_CACHE_HOME=/nonexistent timeout -k 5 60 "$HOOKWAVE" \
	-C "$proj/nowrite" -c status.ini -o x.json \
	</dev/null >"$tmp/out" 2>"$tmp/err" || status=$?
expect_exit "-o in a directory not ours: exit status 0" 0
check "-o in a directory not ours: the report is there" \
	test "$(jq -c -s 'map(.type)' nowrite/x.json)" = '["hook","hook","hook","summary"]'
check "-o in a directory not ours: the same file (written in place)" \
	test "$(stat -c %i nowrite/x.json)" = "$ino"
check "-o in a directory not ours: no temporary file left" no_temp nowrite
chmod 755 nowrite
chmod 700 "$tmp"

# --- -q in every format --------------------------------------------------------

for f in json tap junit; do
	hw -c status.ini -q -f "$f" -o "quiet.$f" --report-format="$f"
	expect_exit "-q -f $f, all passed: exit status 0" 0
	expect_quiet "-q -f $f, all passed: nothing at all"
	check "-q -f $f, all passed: -o still has every hook" \
		test "$(grep -c -e '"type":"hook"' -e '^ok ' -e '<testcase ' "quiet.$f")" -eq 3
done
hw -c hookwave.ini -q -f json
expect_exit "-q -f json, failures: exit status 1" 1
check "-q -f json, failures: only what fails the run, then the summary" \
	test "$(jq -r -s 'map(.name // .type) | sort | join(" ")' "$tmp/out")" = \
	"$(jq -r -s 'map(select(.type == "summary" or (.status | IN("failed", "timeout", "error")) or .reason == "dependency hostile failed")) | map(.name // .type) | sort | join(" ")' json.out)"
hw -c hookwave.ini -q -f junit
check "-q -f junit, failures: xmllint accepts it" xmllint --noout "$tmp/out"
check "-q -f junit, failures: only what fails the run" \
	test "$(xmllint --xpath 'count(//testcase)' "$tmp/out")" -eq 7

# --- a stdout the parent made non-blocking (Node.js, some CI runners) --------

cat >big.ini <<'EOF'
[hook big]
command = head -c 300000 /dev/zero | tr '\0' x; echo; exit 1
EOF
# nonblocking_parent OUT ERR CMD...: run CMD with its stdout a pipe made
# non-blocking, read slowly into OUT; exit with CMD's status.
nonblocking_parent() {
	python3 -c '
import fcntl, os, subprocess, sys, time
out, err = sys.argv[1], sys.argv[2]
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=w,
                     stderr=open(err, "wb"))
os.close(w)
data = bytearray()
while True:
    time.sleep(0.001)           # a slow reader: the pipe fills
    b = os.read(r, 4096)
    if not b:
        break
    data += b
open(out, "wb").write(data)
sys.exit(p.wait())
' "$@"
}
status=0
nonblocking_parent "$tmp/out" "$tmp/err" timeout -k 5 60 "$HOOKWAVE" -c big.ini ||
	status=$?
expect_exit "non-blocking stdout: exit status 1 (the hook's), not 2" 1
check "non-blocking stdout: nothing on stderr" test ! -s "$tmp/err"
check "non-blocking stdout: every byte of the output came" \
	test "$(awk 'length($0) == 300000 && /^x+$/' "$tmp/out" | wc -l)" -eq 1
check "non-blocking stdout: the summary came" \
	grep -q '^hookwave: 0 passed, 1 failed' "$tmp/out"

# --- golden output ------------------------------------------------------------

cat >golden.ini <<'EOF'
[settings]
jobs = 1
strategy_parallel = no
# the order must not depend on what earlier runs took
history = no

[hook lint]
command = echo linted
strategy = fast

[hook format]
command = printf 'would reformat x.py\n'; exit 1
strategy = fast

[hook types]
command = true
depends = format
strategy = fast

[hook off]
command = true
enabled = no
strategy = fast

[hook tests]
command = printf 'ran 3 tests\n'
strategy = full

[hook missing]
command = exit 127
strategy = full
EOF

# Durations vary: X.XXs, ratio N.Nx, YAML "duration: X".
normalise() {
	sed -E -e 's/[0-9]+\.[0-9]{2}s/X.XXs/g' -e 's/[0-9]+\.[0-9]x\)/N.Nx)/' \
		-e 's/^  duration: [0-9.]+$/  duration: X/'
}
golden() {
	_name=$1
	_file=$TESTDATA/golden/$2
	normalise <"$tmp/out" >"$tmp/normalised"
	if cmp -s "$_file" "$tmp/normalised"; then
		check "$_name" true
	else
		fail "$_name" "differs from $_file:"
		diff -u "$_file" "$tmp/normalised" | sed 's/^/#     /'
	fi
}

hw -c golden.ini
expect_exit "golden text: exit status 1" 1
golden "golden text" reports-text.out
hw -c golden.ini -q
golden "golden text -q" reports-text-quiet.out
hw -c golden.ini -v
golden "golden text -v" reports-text-verbose.out
hw -c golden.ini -f tap
golden "golden tap" reports.tap
hw -c golden.ini -f tap -q
golden "golden tap -q" reports-quiet.tap
hw -c golden.ini -f json -q
check "golden json -q: the failing hooks and the summary" \
	test "$(jq -r -s 'map(.name // .type) | join(" ")' "$tmp/out")" = \
	"format types missing summary"

# TAP YAML: outputs that "|" cannot carry exactly (blank lines only,
# trailing blank lines, no final newline, a leading tab) read back byte
# for byte, by TAP::Parser's YAMLish reader and by a YAML parser.
cat >yaml.ini <<'EOF'
[settings]
jobs = 1
history = no

[hook blank]
command = printf '\n\n'; exit 1

[hook no-newline]
command = printf 'no newline'; exit 1

[hook trailing]
command = printf 'text\n\n\n'; exit 1

[hook inner]
command = printf 'a\n\nb\n'; exit 1

[hook tab]
command = printf 'a\n\tb\n'; exit 1

[hook one]
command = printf '\n'; exit 1
EOF
hw -c yaml.ini -f tap
golden "golden tap: outputs a YAML literal block cannot carry" reports-yaml.tap
cp "$tmp/out" yaml.tap
cat >"$tmp/yaml.pl" <<'EOF'
use strict;
use warnings;
use TAP::Parser;

local $/;
open(my $fh, '<', $ARGV[0]) or die "$ARGV[0]: $!";
my $p = TAP::Parser->new({ tap => scalar <$fh> });
my %want = (blank => "\n\n", "no-newline" => "no newline",
	trailing => "text\n\n\n", inner => "a\n\nb\n", tab => "a\n\tb\n",
	one => "\n");
my ($name, $bad, $seen) = ("", 0, 0);
while (my $r = $p->next) {
	($name) = $r->description =~ m{/(\S+)} if $r->is_test;
	next unless $r->is_yaml;
	$seen++;
	next if $r->data->{output} eq $want{$name};
	print "$name: got ", join(",", map { ord } split //, $r->data->{output}), "\n";
	$bad++;
}
print "parse error: $_\n" for $p->parse_errors;
exit($bad || $seen != 6 || $p->parse_errors ? 1 : 0);
EOF
check "tap: TAP::Parser reads every output back exactly" perl "$tmp/yaml.pl" yaml.tap
yaml_exact() {
	python3 -c '
import re, sys, yaml
want = {"blank": "\n\n", "no-newline": "no newline", "trailing": "text\n\n\n",
        "inner": "a\n\nb\n", "tab": "a\n\tb\n", "one": "\n"}
text = open(sys.argv[1]).read()
blocks = re.findall(r"^not ok \d+ - \S+/(\S+)\n  ---\n(.*?)^  \.\.\.$", text,
                    re.M | re.S)
assert len(blocks) == len(want), blocks
for name, block in blocks:
    got = yaml.safe_load(block)["output"]
    assert got == want[name], (name, got)
' "$1"
}
if python3 -c 'import yaml' 2>/dev/null; then
	check "tap: a YAML parser reads every output back exactly" yaml_exact yaml.tap
fi

# --- checks that need main.c's wiring ------------------------------------------
#
# They pass once main.c checks -o and --timeline with atomic_file_check()
# before the run and gives the report stream the cancel and kill pipes
# (report_options.cancel_fd, .kill_fd; report_save). Until then they are
# only defined; HOOKWAVE_TEST_WIRED=1 runs them.

# Targets that can never be written: exit 2 before any hook runs.
wired_checks_report_targets() {
	cat >canary.ini <<'EOF'
[hook canary]
command = touch ran
EOF
	mkdir -p a-dir
	for target in "-o=" "-o=$tmp/no/such/dir/r.json" "-o=a-dir" "-o=a-dir/" \
		"--timeline=" "--timeline=$tmp/no/such/dir/t.json" "--timeline=a-dir"; do
		rm -f ran
		hw -c canary.ini "${target%%=*}" "${target#*=}"
		expect_exit "before the run: ${target%%=*} '${target#*=}': exit status 2" 2
		check "before the run: ${target%%=*} '${target#*=}': no hook ran" test ! -e ran
		check "before the run: ${target%%=*} '${target#*=}': says which" \
			test -s "$tmp/err"
	done
	# A FIFO without a reader yet is fine: its reader may come later.
	rm -f ran
	mkfifo later.fifo
	timeout -k 5 20 cat later.fifo >later.got &
	hw -c canary.ini -o later.fifo --report-format=json
	wait
	expect_exit "before the run: a FIFO: exit status 0" 0
	check "before the run: a FIFO: the report came" \
		test "$(jq -r .type later.got | tr '\n' ' ')" = "hook summary "
}

# send_until_gone PID SIG: send SIG every 0.1 s until PID is gone (a
# second signal finds the first one handled); after 20 s, SIGKILL.
send_until_gone() {
	_i=0
	while kill -"$2" "$1" 2>/dev/null && test "$_i" -lt 200; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null
}

# wait_for FILE: until a hook made it (at most 20 s).
wait_for() {
	_i=0
	while ! test -e "$1" && test "$_i" -lt 200; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# A second SIGINT while stdout is stalled (its reader never reads) ends
# hookwave: it stops writing.
wired_checks_stalled_stdout() {
	cat >stall.ini <<'EOF'
[hook big]
command = head -c 1000000 /dev/zero | tr '\0' x; touch big.done; exit 1
EOF
	rm -f big.done
	mkfifo stall.fifo
	exec 7<>stall.fifo              # a reader that never reads
	"$HOOKWAVE" -c stall.ini -f json >stall.fifo 2>"$tmp/err" </dev/null &
	pid=$!
	wait_for big.done
	send_until_gone "$pid" INT
	status=0
	wait "$pid" || status=$?
	exec 7<&-
	expect_exit "stalled stdout, SIGINT twice: exit status 130" 130
	check "stalled stdout, SIGINT twice: nothing on stderr" test ! -s "$tmp/err"
}

# -o onto a FIFO nobody reads, and the run interrupted: the interrupt
# (130), no "cannot write", no wait for a reader that will not come.
wired_checks_fifo_interrupt() {
	cat >fifo-int.ini <<'EOF'
[hook wait]
command = touch wait.started; sleep 1000.771
EOF
	rm -f wait.started
	mkfifo nobody.fifo
	"$HOOKWAVE" -c fifo-int.ini -o nobody.fifo >/dev/null 2>"$tmp/err" </dev/null &
	pid=$!
	wait_for wait.started
	send_until_gone "$pid" INT
	status=0
	wait "$pid" || status=$?
	expect_exit "-o FIFO with no reader, interrupted: exit status 130" 130
	check "-o FIFO with no reader, interrupted: no 'cannot write'" \
		test ! -s "$tmp/err"
	check "-o FIFO with no reader, interrupted: still a FIFO" test -p nobody.fifo

	# The signal comes while it waits for the FIFO's reader.
	printf '[hook quick]\ncommand = touch quick.ran\n' >quick.ini
	rm -f quick.ran
	"$HOOKWAVE" -c quick.ini -o nobody.fifo >/dev/null 2>"$tmp/err" </dev/null &
	pid=$!
	wait_for quick.ran
	send_until_gone "$pid" TERM
	status=0
	wait "$pid" || status=$?
	expect_exit "-o FIFO, a signal while it waits for a reader: exit status 143" 143
	check "-o FIFO, a signal while it waits for a reader: no 'cannot write'" \
		test ! -s "$tmp/err"
}

wired_checks_report_targets
wired_checks_stalled_stdout
wired_checks_fifo_interrupt

finish
