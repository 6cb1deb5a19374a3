#!/bin/bash
# cache.sh - black-box tests of the result cache (hookwave(1), CACHE):
# which files each hook was given, as the hook itself recorded them,
# run after run: nothing changed -> nothing; a file's content changed ->
# that file; its mtime only -> nothing; the command, env, cwd, patterns,
# the program, cache_key's output or an inputs file changed -> every
# file; a failing file -> every run; whole mode -> all or nothing;
# --no-cache and cache = no; the JSON of a cached hook; two runs at once;
# a garbage store.
#
# Every hookwave run is bounded by timeout(1); no check asserts how fast
# anything is. Runs that must overlap are held by beacons.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v git >/dev/null 2>&1 || skip_all "no git"
command -v jq >/dev/null 2>&1 || skip_all "no jq"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3"

need_helper

export LC_ALL=C
unset NO_COLOR

isolate_git

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

# The recorder every hook runs: `rec NAME FILE...` appends the files to
# $GOT/NAME (made even when there are none) and fails when one of them
# is listed in $BAD.
GOT=$tmp/got
BAD=$tmp/bad
REC=$tmp/bin/rec
mkdir -p "$GOT" "$tmp/bin"
: >"$BAD"
cat >"$REC" <<'EOF'
#!/bin/sh
name=$1
shift
: >>"$GOT/$name"
for f; do printf '%s\n' "$f" >>"$GOT/$name"; done
for f; do grep -qxF "$f" "$BAD" && exit 1; done
exit 0
EOF
chmod +x "$REC"
export GOT BAD

# got NAME: what NAME was given since the last `fresh`, sorted and
# space-separated; "none" when it ran without files; "not run".
got() {
	if ! test -f "$GOT/$1"; then
		echo "not run"
	elif ! test -s "$GOT/$1"; then
		echo none
	else
		sort "$GOT/$1" | tr '\n' ' ' | sed 's/ $//'
	fi
}
fresh() {
	rm -f "$GOT"/*
}

# gets NAME HOOK WANT: a check that HOOK was given exactly WANT.
gets() {
	local have
	have=$(got "$2")
	if test "$have" = "$3"; then
		_ok "$1"
	else
		fail "$1" "want: $3" "have: $have"
	fi
}

# newrepo NAME: a fresh repository $tmp/NAME with hookwave.ini from
# stdin and files a.txt, b.txt, c.txt, sub/d.txt, committed; leaves us in it.
newrepo() {
	cd "$tmp" || exit 1
	mkdir "$tmp/$1" && cd "$tmp/$1" || exit 1
	git init -q || exit 1
	git config user.email t@t && git config user.name t
	cat >hookwave.ini
	mkdir sub
	echo a >a.txt && echo b >b.txt && echo c >c.txt && echo d >sub/d.txt
	git add . && git commit -qm init || exit 1
	store=$PWD/.git/hookwave/state.sqlite
	fresh
	: >"$BAD"
}

# hwj ARGS...: a run with the JSON report in $tmp/out.
hwj() {
	fresh
	hw -f json "$@"
}

# jfield HOOK FIELD: FIELD of HOOK's result in the last JSON run.
jfield() {
	jq -r --arg n "$1" "select(.type == \"hook\" and .name == \$n) | .$2" \
		"$tmp/out"
}

# --- cache = files ---------------------------------------------------------

newrepo files <<EOF
[hook lint]
cache = files
files = *.txt
batch_size = 1
command = "$REC" lint
[hook after]
depends = lint
cache = no
command = "$REC" after
EOF
hwj
expect_exit "files: first run passes" 0
gets "files: first run gets every file" lint "a.txt b.txt c.txt sub/d.txt"
gets "files: its dependent ran" after none

hwj
expect_exit "files: unchanged: passes" 0
gets "files: unchanged: the hook is not started" lint "not run"
check "files: unchanged: reason cached" test "$(jfield lint reason)" = cached
check "files: unchanged: cached 4" test "$(jfield lint cached)" = 4
check "files: unchanged: files 0, batches 0" \
	test "$(jfield lint files) $(jfield lint batches)" = "0 0"
check "files: unchanged: start and duration null" \
	test "$(jfield lint start) $(jfield lint duration)" = "null null"
check "files: unchanged: status passed" test "$(jfield lint status)" = passed
gets "files: unchanged: the dependent (cache = no) still runs" after none

echo b2 >b.txt
hwj
gets "files: one file changed: only it runs" lint "b.txt"
check "files: one file changed: cached 3, files 1" \
	test "$(jfield lint cached) $(jfield lint files)" = "3 1"
check "files: one file changed: no reason" test "$(jfield lint reason)" = null

touch -d '2001-01-01 00:00:00' a.txt c.txt
hwj
gets "files: mtime only changed: nothing runs" lint "not run"

echo b3 >b.txt
hwj
gets "files: changed again: it runs again" lint "b.txt"
hwj
gets "files: then cached again" lint "not run"

echo new >e.txt
hwj
gets "files: an untracked file is no file of a default run" lint "not run"
hwj --all-files
gets "files: --all-files: the untracked file runs, alone" lint "e.txt"
hwj --all-files
gets "files: the untracked file is cached too" lint "not run"
# Added to the index, its id becomes git's blob id rather than a
# SHA-256 of its bytes: one more run, never a wrong pass.
git add e.txt
hwj
gets "files: the file added to the index runs once more" lint "e.txt"
hwj
gets "files: then cached under git's id" lint "not run"

git mv c.txt c2.txt
hwj
gets "files: a renamed file runs again" lint "c2.txt"

# A failing file runs every time; the files that passed stay cached.
echo bad1 >a.txt
echo b4 >b.txt
printf 'a.txt\n' >"$BAD"
hwj
expect_exit "files: a failing file fails the run" 1
gets "files: the changed files ran" lint "a.txt b.txt"
hwj
expect_exit "files: failing again" 1
gets "files: the failing file runs again; the one whose batch passed not" \
	lint "a.txt"
: >"$BAD"
hwj
expect_exit "files: fixed: passes" 0
hwj
gets "files: after the fix, nothing runs" lint "not run"

# --- what changes a hook's key: every file runs again --------------------

ALL4="a.txt b.txt c.txt sub/d.txt"
newrepo keys <<EOF
[hook k]
cache = files
files = *.txt
command = "$REC" k
EOF
hw -q
fresh
hw -q
gets "keys: baseline: nothing runs" k "not run"

# the command
sed -i 's|^command = |command = V=2 |' hookwave.ini
hw -q
gets "keys: command changed: every file" k "$ALL4"
fresh
# env
printf 'env = MODE=strict\n' >>hookwave.ini
hw -q
gets "keys: env added: every file" k "$ALL4"
fresh
hw -q
gets "keys: env: then cached" k "not run"
# patterns
sed -i 's|^files = \*.txt$|files = *.txt *.md|' hookwave.ini
hw -q
gets "keys: a pattern changed: every file" k "$ALL4"
fresh
# exclude
printf 'exclude = none-such\n' >>hookwave.ini
hw -q
gets "keys: exclude added: every file" k "$ALL4"
fresh
# the program: its mtime
touch -d '2002-02-02 00:00:00' "$REC"
hw -q
gets "keys: the program's mtime changed: every file" k "$ALL4"
fresh
hw -q
gets "keys: program: then cached" k "not run"
# cache_key: its output is the identity
echo 1.0 >"$tmp/version"
printf 'cache_key = cat %s\n' "$tmp/version" >>hookwave.ini
hw -q
gets "keys: cache_key added: every file" k "$ALL4"
fresh
hw -q
gets "keys: cache_key same output: nothing" k "not run"
echo 1.1 >"$tmp/version"
hw -q
gets "keys: cache_key output changed: every file" k "$ALL4"
fresh
# cache_key failing: not cached, a warning, every file
mv "$tmp/version" "$tmp/version.gone"
hw -q
expect_exit "keys: cache_key failing: the run still passes" 0
expect_stderr_has "keys: cache_key failing: a warning names the hook" "k"
gets "keys: cache_key failing: every file" k "$ALL4"
fresh
hw -q
gets "keys: cache_key failing: still every file" k "$ALL4"
mv "$tmp/version.gone" "$tmp/version"
fresh
# inputs: a config file the hook reads
echo 'strict = true' >lint.toml
printf 'inputs = *.toml\n' >>hookwave.ini
hw -q
gets "keys: inputs added: every file" k "$ALL4"
fresh
hw -q
gets "keys: inputs unchanged: nothing" k "not run"
echo 'strict = false' >lint.toml
hw -q
gets "keys: an inputs file changed: every file" k "$ALL4"
fresh
hw -q
gets "keys: inputs: then cached" k "not run"
echo 'x' >sub/extra.toml
hw -q
gets "keys: a new file matches inputs: every file" k "$ALL4"
fresh
# cwd
cat >hookwave.ini <<EOF
[hook k]
cache = files
files = *.txt
cwd = sub
command = "$REC" k
EOF
hw -q
gets "keys: cwd: the hook's files" k "d.txt"
fresh
hw -q
gets "keys: cwd: then cached" k "not run"
sed -i 's|^cwd = sub$|cwd = ./sub|' hookwave.ini
hw -q
gets "keys: cwd written differently: its files again" k "d.txt"

# --- cache = whole (the default) ----------------------------------------

newrepo whole <<EOF
[hook w]
files = *.txt
command = "$REC" w
[hook plain]
command = "$REC" plain
EOF
hw -q
gets "whole: first run: every file" w "$ALL4"
fresh
hw -q
gets "whole: unchanged: not started" w "not run"
gets "whole: a hook without files or inputs always runs" plain none
fresh
echo b2 >b.txt
hw -q
gets "whole: one file changed: every file runs" w "$ALL4"
fresh
echo new >e.txt && git add e.txt
hw -q
gets "whole: a file added: every file runs" w "a.txt b.txt c.txt e.txt sub/d.txt"
fresh
printf 'b.txt\n' >"$BAD"
echo b3 >b.txt
hw -q
expect_exit "whole: failing" 1
fresh
hw -q
expect_exit "whole: failing again (failures are never cached)" 1
gets "whole: failing: every file again" w "a.txt b.txt c.txt e.txt sub/d.txt"
: >"$BAD"

# --- [settings] cache, cache = no, --no-cache
newrepo modes <<EOF
[settings]
cache = files
[hook s]
files = *.txt
command = "$REC" s
[hook n]
cache = no
files = *.txt
command = "$REC" n
EOF
hw -q
fresh
hw -q
gets "modes: [settings] cache = files applies" s "not run"
gets "modes: cache = no: every run" n "$ALL4"
fresh
echo a2 >a.txt
hw -q --no-cache
gets "modes: --no-cache: every file" s "$ALL4"
fresh
hw -q
gets "modes: --no-cache wrote nothing: a.txt runs now" s "a.txt"

# A hook without patterns is cached on its inputs.
newrepo noinputs <<EOF
[hook t]
inputs = *.txt
command = "$REC" t
EOF
hw -q
gets "inputs only: first run" t none
fresh
hw -q
gets "inputs only: unchanged: not started" t "not run"
echo z >>c.txt
hw -q
gets "inputs only: an input changed: it runs" t none

# --- a staged run keys the index's content ------------------------------

newrepo staged <<EOF
[hook st]
cache = files
files = *.txt
command = "$REC" st
EOF
echo a2 >a.txt && git add a.txt && echo a3 >a.txt
hw -q --staged
gets "staged: the staged file runs" st "a.txt"
fresh
hw -q --staged
gets "staged: the same index content: cached" st "not run"
check "staged: the unstaged change is back" test "$(cat a.txt)" = a3

# --- two runs at once -----------------------------------------------------

MEET=$tmp/meet
mkdir -p "$MEET"
export MEET
newrepo twice <<EOF
[hook m]
cache = files
files = *.txt
command = "$HELPER" beacon "\$MEET/\$ME"; "$HELPER" wait "\$MEET/\$OTHER" 30; "$REC" "m\$ME"
EOF
ME=1 OTHER=2 timeout -k 5 60 "$HOOKWAVE" -q >"$tmp/o1" 2>"$tmp/e1" &
p1=$!
ME=2 OTHER=1 timeout -k 5 60 "$HOOKWAVE" -q >"$tmp/o2" 2>"$tmp/e2" &
p2=$!
wait "$p1"; s1=$?
wait "$p2"; s2=$?
check "two at once: both pass" test "$s1 $s2" = "0 0"
gets "two at once: the first got every file" m1 "$ALL4"
gets "two at once: the second got every file" m2 "$ALL4"
check "two at once: the store is sound" \
	test "$(sqlite3 "$store" 'PRAGMA quick_check')" = ok
fresh
ME=1 OTHER=1 timeout -k 5 60 "$HOOKWAVE" -q >/dev/null 2>&1
gets "two at once: then nothing runs" m1 "not run"

# --- a garbage store --------------------------------------------------------

newrepo garbage <<EOF
[hook g]
cache = files
files = *.txt
command = "$REC" g
EOF
printf 'b.txt\n' >"$BAD"
hw -q
fresh
head -c 8192 /dev/urandom >"$store"
rm -f "$store-wal" "$store-shm"
hw -q
expect_exit "garbage store: the failing file still fails" 1
expect_stderr_has "garbage store: a warning" "state"
gets "garbage store: a full run" g "$ALL4"
check "garbage store: set aside" \
	test -n "$(find .git/hookwave -name 'state.sqlite.damaged-*' -print)"

finish
