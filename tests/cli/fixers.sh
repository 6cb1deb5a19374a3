#!/bin/bash
# fixers.sh - black-box tests of hooks that change files (hookwave(1),
# Hooks that change files): a fixer (`modifies = yes`) never overlaps a
# hook that shares one of its files, whatever the schedule or strategy,
# while hooks that share nothing (or only read) still run together; a
# hook that changed files is failed, "modified N files", with exactly
# those paths in JSON `modified`; a same-size rewrite that keeps the
# mtime is caught; `stage_fixed` in a staged run passes, "fixed N files".
#
# Overlap is proven by the hooks themselves, never by timing: each hook
# (probe, below) marks its start and end in $MARKS and notes when it
# finds another one inside. A pair that must not overlap: each, once
# inside, waits (bounded) for the other's start mark; the mark can only
# appear while it is inside if the scheduler let them overlap. A pair
# that must overlap: each waits for the other's start mark (bounded,
# generously) and fails without it.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null 2>&1 || skip_all "no jq"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v git >/dev/null 2>&1 || skip_all "no git"

need_helper

export LC_ALL=C

isolate_git

hw() {
	timeout -k 5 120 "$HOOKWAVE" "$@"
}

bin=$tmp/bin
conf=$tmp/conf
mkdir "$bin" "$conf" || exit 1

# probe MODE OTHERS [FILES...]: this hook ($HOOKWAVE_HOOK) against the
# hooks named in OTHERS (comma-separated).
#   apart  it must never be inside at the same time as any of OTHERS:
#          it looks for one inside when it starts, and waits up to
#          $APART seconds for a start mark of theirs while inside
#   meet   it must be inside together with each of OTHERS: it waits
#          for their start marks and fails without them
# With FIX=1 in its environment it then appends a line to each FILE (a
# fixer at work). Overlaps found go to $MARKS/overlap.
cat >"$bin/probe" <<'EOF'
#!/bin/sh
mode=$1 others=$(echo "$2" | tr , ' ')
shift 2
me=$HOOKWAVE_HOOK
w() {   # one second of waiting, on a file that never comes
	"$HOOKWAVE_TEST_HELPER" wait "$MARKS/never" 1 2>/dev/null
}
started() {     # has hook $1 started (any process of it)?
	for s in "$MARKS/$1".start.*; do
		test -e "$s" && return 0
	done
	return 1
}
inside() {      # is a process of hook $1 inside now (started, not ended)?
	for s in "$MARKS/$1".start.*; do
		test -e "$s" || continue
		test -e "$MARKS/$1.end.${s##*.}" || return 0
	done
	return 1
}
"$HOOKWAVE_TEST_HELPER" beacon "$MARKS/$me.start.$$" || exit 2
for o in $others; do
	case $mode in
	apart)
		n=0
		while test $n -le "$APART"; do
			inside "$o" && echo "$me met $o" >>"$MARKS/overlap"
			test $n -lt "$APART" && w
			n=$((n + 1))
		done ;;
	meet)
		n=0
		until started "$o"; do
			if test $n -ge 60; then
				echo "$me never met $o" >>"$MARKS/unmet"
				exit 1
			fi
			w
			n=$((n + 1))
		done ;;
	esac
done
if test "${FIX:-0}" = 1; then
	for f; do echo fixed >>"$f"; done
fi
"$HOOKWAVE_TEST_HELPER" beacon "$MARKS/$me.end.$$"
EOF
chmod +x "$bin/probe"
export APART=2

# newproj: a fresh project in $P (outside git: the listing walks it)
# and fresh marks.
newproj() {
	P=$(mktemp -d "$tmp/p.XXXXXX") || exit 1
	MARKS=$(mktemp -d "$tmp/marks.XXXXXX") || exit 1
	export MARKS
	for f in shared.txt a.txt b.txt c.txt d.txt; do
		echo "$f" >"$P/$f"
	done
}

# jqs FILTER: true for the JSON lines of $tmp/out, as an array.
jqs() {
	jq -s -e "$1" "$tmp/out" >/dev/null
}

# no_overlap NAME: no probe found another inside.
no_overlap() {
	if test -e "$MARKS/overlap"; then
		fail "$1: never together" "$(cat "$MARKS/overlap")"
	else
		check "$1: never together" true
	fi
}

# --- a fixer and a checker sharing a file, eager and waves ---------------

for sched in eager waves; do
	newproj
	cat >"$conf/share.ini" <<EOF
[settings]
jobs = 4
schedule = $sched

[hook fix]
command = $bin/probe apart chk
files = shared.txt a.txt
modifies = yes
env = FIX=1

[hook chk]
command = $bin/probe apart fix
files = shared.txt b.txt

[hook free]
command = $bin/probe meet fix
files = c.txt
EOF
	run hw -C "$P" -c "$conf/share.ini" -f json
	expect_exit "share ($sched): exit 1 (the fixer changed files)" 1
	no_overlap "share ($sched): fix and chk"
	check "share ($sched): fix is failed, modified 2 files" \
		jqs 'map(select(.name == "fix"))[0] | .status == "failed" and .reason == "modified 2 files"'
	check "share ($sched): fix's modified is exactly its files" \
		jqs 'map(select(.name == "fix"))[0].modified | sort == ["a.txt", "shared.txt"]'
	check "share ($sched): chk passed, modified []" \
		jqs 'map(select(.name == "chk"))[0] | .status == "passed" and .modified == [] and .reason == null'
	# free shares nothing with fix: it waited for fix's start mark.
	check "share ($sched): a hook sharing nothing ran beside the fixer" \
		jqs 'map(select(.name == "free"))[0] | .status == "passed" and .modified == []'
	check "share ($sched): the files were fixed" \
		test "$(cat "$P/shared.txt")" = "$(printf 'shared.txt\nfixed')"
done

# --- two checkers sharing a file run together --------------------------

newproj
cat >"$conf/readers.ini" <<EOF
[settings]
jobs = 4

[hook r1]
command = $bin/probe meet r2
files = shared.txt

[hook r2]
command = $bin/probe meet r1
files = shared.txt a.txt

[hook fix]
command = $bin/probe apart r2
files = a.txt
modifies = yes
EOF
run hw -C "$P" -c "$conf/readers.ini" -f json
expect_exit "readers: exit 0 (the fixer changed nothing)" 0
check "readers: two checkers of one file met" \
	jqs 'map(select(.name == "r1" or .name == "r2") | .status) == ["passed", "passed"]'
no_overlap "readers: the fixer of a.txt and r2"
check "readers: every hook has modified []" \
	jqs '.[:-1] | map(.modified) | unique == [[]]'

# --- across two strategies, eager and waves ------------------------------

for sched in eager waves; do
	newproj
	cat >"$conf/strategies.ini" <<EOF
[settings]
jobs = 4
schedule = $sched

[hook fix]
strategy = one
command = $bin/probe apart chk
files = shared.txt
modifies = yes
env = FIX=1

[hook fix2]
strategy = one
command = $bin/probe meet other
files = a.txt
modifies = yes
env = FIX=1

[hook chk]
strategy = two
command = $bin/probe apart fix
files = shared.txt

[hook other]
strategy = two
command = $bin/probe meet fix2
files = b.txt
EOF
	run hw -C "$P" -c "$conf/strategies.ini" -f json
	expect_exit "strategies ($sched): exit 1" 1
	no_overlap "strategies ($sched): fix (one) and chk (two)"
	check "strategies ($sched): fix2 (one) and other (two) met" \
		jqs 'map(select(.name == "other"))[0].status == "passed"'
	check "strategies ($sched): blame is exact" \
		jqs '.[:-1] | map({(.name): .modified}) | add | .fix == ["shared.txt"] and .fix2 == ["a.txt"] and .chk == [] and .other == []'
done

# --- blame under concurrency: a fixer beside checkers of other files ----

newproj
cat >"$conf/blame.ini" <<EOF
[settings]
jobs = 4

[hook fmt]
command = $bin/probe meet c1,c2
files = a.txt b.txt
batch_size = 1
modifies = yes
env = FIX=1

[hook c1]
command = $bin/probe meet fmt
files = c.txt

[hook c2]
command = $bin/probe meet fmt
files = d.txt shared.txt
EOF
run hw -C "$P" -c "$conf/blame.ini" -f json
expect_exit "blame: exit 1" 1
check "blame: the fixer is failed, modified 2 files (over its 2 batches)" \
	jqs 'map(select(.name == "fmt"))[0] | .status == "failed" and .reason == "modified 2 files" and .batches == 2 and (.modified | sort) == ["a.txt", "b.txt"]'
check "blame: the checkers beside it passed, modified []" \
	jqs 'map(select(.name == "c1" or .name == "c2") | [.status, .modified]) == [["passed", []], ["passed", []]]'
check "blame: the summary" \
	jqs '.[-1] | .passed == 2 and .failed == 1'

# --- a same-size rewrite that keeps the mtime ----------------------------

newproj
# Its mtime is not older than the note (here: in the future), so a
# rewrite of the same size within the same tick is possible: hookwave
# hashes it.
echo aaaa >"$P/racy.txt"
touch -d "@$(( $(date +%s) + 3600 ))" "$P/racy.txt"
cat >"$bin/sneak" <<'EOF'
#!/bin/sh
cp -p "$1" "$1.keep" && echo bbbb >"$1" && touch -r "$1.keep" "$1" && rm "$1.keep"
EOF
chmod +x "$bin/sneak"
cat >"$conf/racy.ini" <<EOF
[hook sneak]
command = $bin/sneak
files = racy.txt

[hook same]
command = cat
files = a.txt
EOF
# racy: put racy.txt back as it was (content aaaa, mtime in the future).
racy() {
	echo aaaa >"$P/racy.txt"
	touch -d "@$(( $(date +%s) + 3600 ))" "$P/racy.txt"
}
before=$(stat -c '%s %Y' "$P/racy.txt")
run hw -C "$P" -c "$conf/racy.ini" -f json
expect_exit "racy: exit 1" 1
check "racy: size and mtime are what they were" \
	test "$(stat -c '%s %Y' "$P/racy.txt")" = "$before"
check "racy: the content changed" test "$(cat "$P/racy.txt")" = bbbb
check "racy: the undeclared hook is failed, modified 1 file" \
	jqs 'map(select(.name == "sneak"))[0] | .status == "failed" and .reason == "modified 1 file" and .modified == ["racy.txt"]'
check "racy: the hook that read its file is passed, modified []" \
	jqs 'map(select(.name == "same"))[0] | .status == "passed" and .modified == []'
racy
run hw -C "$P" -c "$conf/racy.ini"
expect_stdout_match "racy, text: the reason is shown" \
	'^failed +default/sneak .*modified 1 file$'
racy
run hw -C "$P" -c "$conf/racy.ini" -f tap
expect_stdout_match "racy, tap: the reason" '^  reason: "modified 1 file"$'
expect_stdout_match "racy, tap: the path" '^    - "racy.txt"$'
racy
run hw -C "$P" -c "$conf/racy.ini" -f junit
expect_stdout_match "racy, junit: the failure says why" \
	'<failure type="failed" message="modified 1 file">'

# --- a fixer that fails and changes files ------------------------------

newproj
cat >"$conf/failfix.ini" <<EOF
[hook ff]
command = sh -c 'echo x >>"\$1"; exit 3' sh
files = a.txt
modifies = yes
EOF
run hw -C "$P" -c "$conf/failfix.ini" -f json
check "failing fixer: failed, exit 3, modified listed" \
	jqs '.[0] | .status == "failed" and .exit_code == 3 and .reason == "modified 1 file" and .modified == ["a.txt"]'

# --- a fixer without patterns keeps every hook apart --------------------

newproj
cat >"$conf/all.ini" <<EOF
[settings]
jobs = 4

[hook tidy]
command = sh -c '$bin/probe apart chk && echo tidy >>b.txt'
modifies = yes

[hook chk]
command = $bin/probe apart tidy
files = a.txt
EOF
run hw -C "$P" -c "$conf/all.ini" -f json
no_overlap "no patterns: a fixer without files and a checker"
check "no patterns: the fixer's change to a listed file is seen" \
	jqs 'map(select(.name == "tidy"))[0] | .status == "failed" and .modified == ["b.txt"]'

# --- two hooks that read back one sarif_file -----------------------------

# Each deletes the log before its batch and reads what its tool wrote
# there: together they would read each other's. So they never overlap,
# in two strategies at once, though neither is a fixer; each finds its
# own rule in the log.
newproj
mkdir "$P/sub" || exit 1
cat >"$bin/sarifprobe" <<EOF
#!/bin/sh
"$bin/probe" apart "\$1" || exit 2
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"%s","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.txt"},"region":{"startLine":1}}}]}]}]}\n' "\$HOOKWAVE_HOOK" >log.sarif
EOF
chmod +x "$bin/sarifprobe"
cat >"$conf/log.ini" <<EOF
[settings]
jobs = 4
[hook one]
strategy = one
command = $bin/sarifprobe two
pass_files = no
files = a.txt
findings = sarif
sarif_file = log.sarif
[hook two]
strategy = two
command = $bin/sarifprobe one
pass_files = no
files = b.txt
findings = sarif
sarif_file = ./sub/../log.sarif
EOF
run hw -C "$P" -c "$conf/log.ini" -f json --no-cache
no_overlap "one sarif_file: its two readers"
check "one sarif_file: each reads its own log" \
	jqs '.[:-1] | map({(.name): [.findings[].rule]}) | add | .one == ["one"] and .two == ["two"]'

# --- stage_fixed ---------------------------------------------------------

newproj
git -C "$P" init -q && git -C "$P" add -A &&
	git -C "$P" -c user.name=t -c user.email=t@t commit -qm x || exit 1
echo more >>"$P/a.txt"
git -C "$P" add a.txt
cat >"$conf/stage.ini" <<EOF
[hook fmt]
command = sh -c 'for f; do echo fixed >>"\$f"; done' sh
files = *.txt
modifies = yes
stage_fixed = yes
EOF
run hw -C "$P" -c "$conf/stage.ini" --staged -f json
expect_exit "stage_fixed, staged: exit 0" 0
check "stage_fixed, staged: passed, fixed 1 file, modified lists it" \
	jqs '.[0] | .status == "passed" and .reason == "fixed 1 file" and .modified == ["a.txt"]'
run hw -C "$P" -c "$conf/stage.ini" -f json
expect_exit "stage_fixed, not staged: exit 1" 1
check "stage_fixed, not staged: failed, modified N files" \
	jqs '.[0] | .status == "failed" and (.reason | test("^modified [0-9]+ files$"))'

printf '[hook x]\ncommand = true\nstage_fixed = yes\n' >"$conf/bad.ini"
run hw -c "$conf/bad.ini"
expect_exit "stage_fixed without modifies: exit 2" 2
expect_stderr_line "stage_fixed without modifies: the error names its line" \
	"^hookwave: .*/bad.ini:3: hook 'x' has 'stage_fixed = yes' but not 'modifies = yes'$"

finish
