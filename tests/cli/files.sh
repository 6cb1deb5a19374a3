#!/bin/bash
# files.sh - black-box tests of the files tier (hookwave(1), FILES AND
# BATCHES): which files a run sees (tracked, --staged,
# --all-files, outside git, --files, -C), that any file name reaches a
# hook as exactly one argument, pattern matching, how files are cut into
# batches, serial batches, and 100,000 files with a large environment.
#
# Hooks log their arguments NUL-separated into $LOGDIR/HOOK.PID, one log
# per batch (process); the tests compare the union of those logs with
# the expected set and count the logs to count batches. Every hookwave
# run is bounded by timeout(1). Synchronisation is on files, never on
# sleeps, and no test asserts how fast anything is.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v git >/dev/null 2>&1 || skip_all "no git"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"

need_helper

export LC_ALL=C

isolate_git

# Every hookwave run is bounded. These tests are about what hooks are
# given, run after run over the same files: the result cache, which would
# spare the reruns, is off (tests/cli/cache.sh tests it).
hw() {
	timeout -k 5 120 "$HOOKWAVE" --no-cache "$@"
}

gitc() {
	git -c user.name=t -c user.email=t@t commit -qm x
}

# Hook scripts live in $tmp/bin; configs in $tmp/conf (outside every
# tree whose files are listed).
bin=$tmp/bin
conf=$tmp/conf
mkdir "$bin" "$conf" || exit 1

# logargs FILE...: log the arguments, NUL-separated, one log per process.
cat >"$bin/logargs" <<'EOF'
#!/bin/sh
printf '%s\0' "$@" >>"$LOGDIR/$HOOKWAVE_HOOK.$$"
EOF
chmod +x "$bin/logargs"

# A fresh, empty log directory in $LOGDIR.
newlog() {
	LOGDIR=$(mktemp -d "$tmp/log.XXXXXX") || exit 1
	export LOGDIR
}

# The union of HOOK's logs, NUL-separated and sorted (duplicates kept).
logged() {
	local f
	for f in "$LOGDIR/$1".*; do
		test -e "$f" && cat "$f"
	done | sort -z
}

# Number of processes (batches) that logged for HOOK.
nlogs() {
	local f n=0
	for f in "$LOGDIR/$1".*; do
		test -e "$f" && n=$((n + 1))
	done
	echo "$n"
}

# Show a NUL-separated list as "# " lines, bytes made visible.
_show_nul() {
	tr '\0' '\n' <"$1" | sed -n l | sed 's/^/#     /' | head -n 60
}

# expect_set NAME HOOK FILE...: HOOK's batches together got exactly
# these files, each exactly once (byte for byte).
expect_set() {
	local name=$1 hook=$2
	shift 2
	if test $# -gt 0; then
		printf '%s\0' "$@" | sort -z >"$tmp/want"
	else
		: >"$tmp/want"
	fi
	logged "$hook" >"$tmp/got"
	if cmp -s "$tmp/want" "$tmp/got"; then
		_ok "$name"
	else
		fail "$name" "want (sorted):"
		_show_nul "$tmp/want"
		echo "#   got (sorted):"
		_show_nul "$tmp/got"
		_show_run
	fi
	uniq -zd <"$tmp/got" >"$tmp/dups"
	if test -s "$tmp/dups"; then
		fail "$name: no file twice" "given more than once:"
		_show_nul "$tmp/dups"
	else
		_ok "$name: no file twice"
	fi
}

# expect_nlogs NAME HOOK N: HOOK ran as N processes.
expect_nlogs() {
	local n
	n=$(nlogs "$2")
	if test "$n" -eq "$3"; then
		_ok "$1"
	else
		fail "$1" "want $3 batches (processes), got $n"
		_show_run
	fi
}

# The JSON line of hook NAME from the last run (-f json).
json_hook() {
	grep -F "\"type\":\"hook\",\"name\":\"$1\"," "$tmp/out"
}

# expect_json NAME HOOK FRAGMENT: its JSON object holds FRAGMENT.
expect_json() {
	if json_hook "$2" | grep -q -F -e "$3"; then
		_ok "$1"
	else
		fail "$1" "hook $2: JSON lacks $3"
		_show_run
	fi
}

# write_conf FILE LINE...: write a config, one LINE a line, to $conf/FILE.
write_conf() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$conf/$f"
}

# make_files DIR NAME...: create empty files (and their directories).
make_files() {
	local d=$1 f
	shift
	for f in "$@"; do
		mkdir -p "$d/$(dirname "$f")" && : >"$d/$f" || exit 1
	done
}

# --- tracked, staged, all files --------------------------------------------

write_conf all.ini \
	'[hook all]' \
	"command = $bin/logargs" \
	'files = *'

repo=$(mktemp -d "$tmp/repo.XXXXXX") || exit 1
cd "$repo" || exit 1
git init -q
make_files . a.txt dir/b.txt gone.txt mod.txt unstaged.txt old.txt rm.txt \
	'with space.txt'
git add -A && gitc
printf 'changed\n' >mod.txt && git add mod.txt           # staged change
printf 'changed\n' >unstaged.txt                         # not staged
rm gone.txt                                              # tracked, missing
git rm -q rm.txt                                         # staged deletion
git mv old.txt renamed.txt                               # staged rename
make_files . new.txt && git add new.txt                  # staged addition
make_files . untracked.txt .hidden/u.txt                 # not tracked
printf 'y\n' >new2.txt && git add new2.txt && printf 'z\n' >>new2.txt

newlog
run hw -c "$conf/all.ini"
expect_exit "default in git: exit 0" 0
expect_set "default in git: the tracked files that exist" all \
	a.txt dir/b.txt mod.txt unstaged.txt renamed.txt new.txt new2.txt \
	'with space.txt'

newlog
run hw -c "$conf/all.ini" --staged
expect_exit "--staged: exit 0" 0
expect_set "--staged: added, modified and renamed in the index only" all \
	mod.txt renamed.txt new.txt new2.txt

newlog
run hw -c "$conf/all.ini" --all-files
expect_exit "--all-files: exit 0" 0
expect_set "--all-files: every file but .git" all \
	a.txt dir/b.txt mod.txt unstaged.txt renamed.txt new.txt new2.txt \
	'with space.txt' untracked.txt .hidden/u.txt

# Nothing staged: --staged sees no files; the hook is skipped, exit 0.
clean=$(mktemp -d "$tmp/clean.XXXXXX") || exit 1
cd "$clean" && git init -q && make_files . a b && git add -A && gitc
newlog
run hw -c "$conf/all.ini" --staged
expect_exit "--staged with nothing staged: exit 0" 0
expect_stdout_match "--staged with nothing staged: skipped, no files" \
	'^skipped +default/all .*no files'
check "--staged with nothing staged: the hook did not run" \
	test "$(nlogs all)" -eq 0

# A repository with no commit yet: --staged lists the index.
unborn=$(mktemp -d "$tmp/unborn.XXXXXX") || exit 1
cd "$unborn" && git init -q && make_files . a sub/b c && git add a sub/b
newlog
run hw -c "$conf/all.ini" --staged
expect_exit "--staged before the first commit: exit 0" 0
expect_set "--staged before the first commit: the index" all a sub/b
newlog
run hw -c "$conf/all.ini"
expect_exit "default before the first commit: exit 0" 0
expect_set "default before the first commit: the index" all a sub/b

# A merge conflict: git ls-files names the unmerged path once per
# stage; the hook still gets it once.
conflict=$(mktemp -d "$tmp/conflict.XXXXXX") || exit 1
cd "$conflict" && git init -q || exit 1
printf 'base\n' >c.txt && make_files . other.txt && git add -A && gitc
git checkout -q -b side && printf 'side\n' >c.txt && git add c.txt && gitc
git checkout -q - && printf 'mine\n' >c.txt && git add c.txt && gitc
git -c user.name=t -c user.email=t@t merge -q side >/dev/null 2>&1
if test "$(git ls-files -z | tr -cd '\0' | wc -c)" -gt 2; then
	newlog
	run hw -c "$conf/all.ini"
	expect_exit "unmerged path: exit 0" 0
	expect_set "unmerged path: once, whatever its stages" all c.txt other.txt
else
	fail "unmerged path: set up a merge conflict" "$(git ls-files -s)"
fi

# --- -C into a subdirectory -------------------------------------------------

sub=$(mktemp -d "$tmp/sub.XXXXXX") || exit 1
cd "$sub" && git init -q
make_files . top.txt s/x.txt s/deep/y.txt s2/z.txt
git add -A && gitc
make_files . s/staged.txt top-staged.txt && git add s/staged.txt top-staged.txt
make_files . s/untracked.txt
cd "$tmp" || exit 1

newlog
run hw -C "$sub/s" -c "$conf/all.ini"
expect_exit "-C subdir: exit 0" 0
expect_set "-C subdir: tracked files under it, relative to it" all \
	x.txt deep/y.txt staged.txt
newlog
run hw -C "$sub/s" -c "$conf/all.ini" --staged
expect_exit "-C subdir --staged: exit 0" 0
expect_set "-C subdir --staged: staged files under it, relative" all \
	staged.txt
newlog
run hw -C "$sub/s" -c "$conf/all.ini" --all-files
expect_exit "-C subdir --all-files: exit 0" 0
expect_set "-C subdir --all-files: every file under it, relative" all \
	x.txt deep/y.txt staged.txt untracked.txt
# A relative -C, too; and never a "./" in front.
newlog
run hw -C "${sub#"$tmp/"}/s" -c "$conf/all.ini"
expect_set "-C relative subdir: same files" all x.txt deep/y.txt staged.txt
if logged all | tr '\0' '\n' | grep -q '^\./\|^/'; then
	fail "-C subdir: no path starts with ./ or /"
else
	_ok "-C subdir: no path starts with ./ or /"
fi

# --- outside git --------------------------------------------------------------

plain=$(mktemp -d "$tmp/plain.XXXXXX") || exit 1
if git -C "$plain" rev-parse --git-dir >/dev/null 2>&1; then
	fail "outside git: $plain is not in a repository"
fi
make_files "$plain" a b/c .h/d 'e f'
ln -s a "$plain/link-to-a"
cd "$plain" || exit 1
newlog
run hw -c "$conf/all.ini"
expect_exit "outside git, default: exit 0" 0
expect_set "outside git, default: all files" all a b/c .h/d 'e f' link-to-a
newlog
run hw -c "$conf/all.ini" --staged
expect_exit "outside git, --staged: exit 2" 2
expect_stderr_has "outside git, --staged: says why" "git"
check "outside git, --staged: no hook ran" test "$(nlogs all)" -eq 0

# --- --files -------------------------------------------------------------------

listdir=$(mktemp -d "$tmp/list.XXXXXX") || exit 1
cd "$listdir" || exit 1
make_files . a 'b c' sub/d other
printf 'a\nb c\nsub/d\n' >"$tmp/list.txt"
newlog
run hw -c "$conf/all.ini" --files="$tmp/list.txt"
expect_exit "--files=FILE: exit 0" 0
expect_set "--files=FILE: newline-separated list, as given" all a 'b c' sub/d

newlog
printf 'a\0b c\0' | hw -c "$conf/all.ini" --files=- -0 >"$tmp/out" 2>"$tmp/err"
status=$?
expect_exit "--files=- -0: exit 0" 0
expect_set "--files=- -0: NUL-separated stdin" all a 'b c'

newlog
printf 'a\nb c\n' | hw -c "$conf/all.ini" --files=- >"$tmp/out" 2>"$tmp/err"
status=$?
expect_exit "--files=-: exit 0" 0
expect_set "--files=-: newline-separated stdin" all a 'b c'

# A name with a newline only travels in a NUL-separated list.
newlog
printf 'x\ny\0z\0' | hw -c "$conf/all.ini" --files=- --null >"$tmp/out" 2>"$tmp/err"
status=$?
expect_exit "--files=- --null: exit 0" 0
expect_set "--files=- --null: a newline stays in the name" all $'x\ny' z

# The same name twice is one file; no trailing newline is needed.
newlog
printf 'a\na\n./a\nb c' >"$tmp/list2.txt"
run hw -c "$conf/all.ini" --files="$tmp/list2.txt"
expect_exit "--files with a repeated name: exit 0" 0
expect_set "--files with a repeated name: each file once" all a 'b c'

# An empty list: the hook has no files, which is no failure.
newlog
: >"$tmp/empty.txt"
run hw -c "$conf/all.ini" --files="$tmp/empty.txt"
expect_exit "--files with an empty list: exit 0" 0
expect_stdout_match "--files with an empty list: skipped, no files" \
	'^skipped +default/all .*no files'
check "--files with an empty list: the hook did not run" \
	test "$(nlogs all)" -eq 0

newlog
run hw -c "$conf/all.ini" -0
expect_exit "-0 without --files: exit 2" 2
expect_stderr_line "-0 without --files: one line on stderr" '^hookwave: '
check "-0 without --files: no hook ran" test "$(nlogs all)" -eq 0
run hw -c "$conf/all.ini" -0 --all-files
expect_exit "-0 with --all-files: exit 2" 2

run hw -c "$conf/all.ini" --staged --all-files
expect_exit "--staged --all-files: exit 2" 2
expect_stderr_has "--staged --all-files: says they exclude each other" \
	"exclude each other"
run hw -c "$conf/all.ini" --files="$tmp/list.txt" --staged
expect_exit "--files with --staged: exit 2" 2
run hw -c "$conf/all.ini" --all-files --files="$tmp/list.txt"
expect_exit "--all-files with --files: exit 2" 2

run hw -c "$conf/all.ini" --files="$tmp/no-such-list"
expect_exit "--files=MISSING: exit 2" 2

# --- hostile names ------------------------------------------------------------

hostile=(
	'with space'
	"it's"
	'say "hi"'
	$'new\nline'
	$'tab\there'
	'-n'
	'--help'
	'-leading'
	'$(touch pwned)'
	'`touch pwned2`'
	'; touch pwned3'
	'*'
	'?'
	'[a]'
	$'\xff'
	$'caf\xe9.txt'
	'back\slash'
	'$HOME'
	'a b/ c d'
	' '
)

hostile_check() {         # hostile_check LABEL
	local label=$1
	expect_exit "$label: exit 0" 0
	expect_set "$label: every name is exactly one argument" all \
		"${hostile[@]}"
	if test -n "$(find "$tmp" -name 'pwned*' -print)"; then
		fail "$label: no command ran from a file name" \
			"found: $(find "$tmp" -name 'pwned*' -print)"
	else
		_ok "$label: no command ran from a file name"
	fi
}

hgit=$(mktemp -d "$tmp/hgit.XXXXXX") || exit 1
cd "$hgit" && git init -q || exit 1
for f in "${hostile[@]}"; do
	mkdir -p "./$(dirname -- "$f")" && : >"./$f" || exit 1
done
git add -A && gitc
for j in 1 3; do
	newlog
	run hw -j "$j" -c "$conf/all.ini"
	hostile_check "hostile names, git, -j $j"
done
newlog
run hw -c "$conf/all.ini" --all-files
hostile_check "hostile names, --all-files"

hplain=$(mktemp -d "$tmp/hplain.XXXXXX") || exit 1
cd "$hplain" || exit 1
for f in "${hostile[@]}"; do
	mkdir -p "./$(dirname -- "$f")" && : >"./$f" || exit 1
done
newlog
run hw -c "$conf/all.ini"
hostile_check "hostile names, outside git"
newlog
printf '%s\0' "${hostile[@]}" |
	hw -c "$conf/all.ini" --files=- -0 >"$tmp/out" 2>"$tmp/err"
status=$?
hostile_check "hostile names, --files=- -0"

# --- patterns -----------------------------------------------------------------

write_conf pat.ini \
	'[settings]' 'jobs = 3' \
	'[hook py]' "command = $bin/logargs" 'files = *.py' \
	'[hook pyx]' "command = $bin/logargs" 'files = *.py' 'exclude = tests/**' \
	'[hook c]' "command = $bin/logargs" 'files = src/**/*.c' \
	'[hook mixed]' "command = $bin/logargs" \
	'files = *.py src/**/*.c  *.h' 'exclude = tests/** *.h' \
	'[hook dstar]' "command = $bin/logargs" 'files = **/*.c' \
	'[hook flat]' "command = $bin/logargs" 'files = src/*.c' \
	'[hook anchored]' "command = $bin/logargs" 'files = /a.py' \
	'[hook blank]' "command = $bin/logargs" 'files = sp[ ]ace.c' \
	'[hook none]' "command = $bin/logargs" 'files = *.zzz' \
	'[hook after-none]' "command = $bin/logargs; touch \"\$LOGDIR/after-none-ran\"" \
	'depends = none'

pat=$(mktemp -d "$tmp/pat.XXXXXX") || exit 1
cd "$pat" && git init -q || exit 1
make_files . a.py .hidden.py x/y/z.py x/.h.py a.c b.h src/a.c src/x/y/b.c \
	src/x/b.h src/tests/k.c src/a.cc tests/t.py tests/sub/u.c tests/v.py \
	srcx/a.c lib/src/a.c 'sp ace.c'
git add -A && gitc
newlog
run hw -c "$conf/pat.ini"
expect_exit "patterns: exit 0 (a hook with no files does not fail the run)" 0
expect_set "patterns: *.py at any depth, .hidden.py too" py \
	a.py .hidden.py x/y/z.py x/.h.py tests/t.py tests/v.py
expect_set "patterns: exclude = tests/** wins over files" pyx \
	a.py .hidden.py x/y/z.py x/.h.py
expect_set "patterns: src/**/*.c is src/a.c and src/x/y/b.c, not a.c" c \
	src/a.c src/x/y/b.c src/tests/k.c
expect_set "patterns: several files and exclude patterns" mixed \
	a.py .hidden.py x/y/z.py x/.h.py src/a.c src/x/y/b.c src/tests/k.c
expect_set "patterns: **/*.c includes the top level" dstar \
	a.c src/a.c src/x/y/b.c src/tests/k.c tests/sub/u.c srcx/a.c \
	lib/src/a.c 'sp ace.c'
expect_set "patterns: * never crosses a / in a path pattern" flat src/a.c
expect_set "patterns: /a.py is the top level only" anchored a.py
expect_set "patterns: [ ] is a blank inside a pattern" blank 'sp ace.c'
expect_stdout_match "patterns: matching nothing is skipped, no files" \
	'^skipped +default/none .*no files'
check "patterns: the hook with no files never ran" test "$(nlogs none)" -eq 0
check "patterns: its dependent ran (no files counts as passed)" \
	test -e "$LOGDIR/after-none-ran"
expect_stdout_match "patterns: its dependent passed" \
	'^passed +default/after-none '
run hw -c "$conf/pat.ini" -f json
expect_json "patterns JSON: none is skipped: no files" none \
	'"status":"skipped","reason":"no files"'
expect_json "patterns JSON: none has batches 0, files 0" none \
	'"batches":0,"files":0,'
expect_json "patterns JSON: py counts its files" py '"files":6,'
expect_json "patterns JSON: after-none passed" after-none '"status":"passed"'
check "patterns JSON: exit_code 0 in the summary" \
	grep -q '"type":"summary".*"exit_code":0' "$tmp/out"

# --- batches ------------------------------------------------------------------

bat=$(mktemp -d "$tmp/bat.XXXXXX") || exit 1
forty=()
for i in $(seq -w 1 40); do
	forty+=("f$i.txt")
done
make_files "$bat" "${forty[@]}"
cd "$bat" || exit 1

# batch_test LABEL CONF WANT_BATCHES DRYRUN_TEXT
batch_test() {
	local label=$1 cf=$2 want=$3 text=$4
	newlog
	run hw -c "$conf/$cf"
	expect_exit "$label: exit 0" 0
	expect_set "$label: every file once" h "${forty[@]}"
	expect_nlogs "$label: $want batches" h "$want"
	echo "# measured: $label: $(nlogs h) batches, files per batch:" \
		"$(for f in "$LOGDIR"/h.*; do tr -cd '\0' <"$f" | wc -c; done |
		sort -n | tr '\n' ' ')"
	run hw -c "$conf/$cf" -f json
	expect_json "$label JSON: batches $want, files 40" h \
		"\"batches\":$want,\"files\":40,"
	# Without history: what the runs above took (a loaded machine makes
	# some batches slow) must not reorder the batches by learned cost.
	run hw -c "$conf/$cf" -n --no-history
	expect_exit "$label -n: exit 0" 0
	expect_stdout_match "$label -n: $text" "^    h .*: $text\$"
	echo "# measured: $label -n: $(grep '^    h ' "$tmp/out")"
}

write_conf b0.ini '[settings]' 'jobs = 4' \
	'[hook h]' "command = $bin/logargs" 'files = *.txt'
batch_test "jobs 4, batch_size 0" b0.ini 4 \
	'40 files in 4 batches of 10\+10\+10\+10'

write_conf b7.ini '[settings]' 'jobs = 4' \
	'[hook h]' "command = $bin/logargs" 'files = *.txt' 'batch_size = 7'
batch_test "batch_size 7" b7.ini 6 \
	'40 files in 6 batches of 7\+7\+7\+7\+7\+5'

write_conf bw.ini '[settings]' 'jobs = 4' \
	'[strategy s]' 'max_workers = 2' \
	'[hook h]' "command = $bin/logargs" 'files = *.txt' 'strategy = s'
batch_test "jobs 4, max_workers 2" bw.ini 2 \
	'40 files in 2 batches of 20\+20'

# -j on the command line beats jobs in the config.
newlog
run hw -c "$conf/b0.ini" -j 3
expect_nlogs "-j 3 over jobs = 4: 3 batches" h 3
expect_set "-j 3: every file once" h "${forty[@]}"
newlog
run hw -c "$conf/b0.ini" -j 1
expect_nlogs "-j 1: 1 batch" h 1

# Fewer files than slots: one batch per file.
write_conf b3.ini '[settings]' 'jobs = 4' \
	'[hook h]' "command = $bin/logargs" 'files = f01.txt f02.txt f03.txt'
newlog
run hw -c "$conf/b3.ini"
expect_nlogs "3 files, jobs 4: 3 batches" h 3
expect_set "3 files, jobs 4: every file once" h f01.txt f02.txt f03.txt

# serial = yes: the batches never overlap. Each holds $SERIAL/lock (a
# mkdir, atomic) for its whole life and checks that every batch started
# before it has ended; the short pause only widens the window in which
# an overlap would be caught, nothing waits on it.
cat >"$bin/serial" <<'EOF'
#!/bin/sh
mkdir "$SERIAL/started/$$" || exit 1
mkdir "$SERIAL/lock" 2>/dev/null || { echo "lock held: overlap"; exit 1; }
started=$(ls "$SERIAL/started" | wc -l)
done=$(ls "$SERIAL/done" | wc -l)
test "$started" -eq $((done + 1)) || { echo "$started started, $done done"; exit 1; }
printf '%s\0' "$@" >>"$LOGDIR/$HOOKWAVE_HOOK.$$"
"$HOOKWAVE_TEST_HELPER" sleep 0.2
mkdir "$SERIAL/done/$$" || exit 1
rmdir "$SERIAL/lock" || exit 1
EOF
chmod +x "$bin/serial"
write_conf serial.ini '[settings]' 'jobs = 4' \
	'[hook h]' "command = $bin/serial" 'files = *.txt' 'serial = yes'
newlog
SERIAL=$(mktemp -d "$tmp/serial.XXXXXX") && mkdir "$SERIAL/started" "$SERIAL/done" || exit 1
export SERIAL
run hw -c "$conf/serial.ini" -f json
expect_exit "serial = yes: exit 0 (no two batches overlapped)" 0
expect_json "serial = yes: passed with 4 batches" h \
	'"status":"passed"'
expect_json "serial = yes: 4 batches" h '"batches":4,"files":40,'
expect_nlogs "serial = yes: 4 processes ran" h 4
expect_set "serial = yes: every file once" h "${forty[@]}"
check "serial = yes: lock released at the end" test ! -e "$SERIAL/lock"
run hw -c "$conf/serial.ini" -n
expect_stdout_match "serial = yes -n: says serial" \
	'^    h .*: 40 files in 4 batches of 10\+10\+10\+10, serial$'

# serial = no: the two batches do overlap. Each claims an identity with
# an atomic mkdir, drops its beacon and waits for the other's: if they
# ran one after the other, the first would give up after 30 seconds and
# the hook would fail.
cat >"$bin/meet" <<'EOF'
#!/bin/sh
if mkdir "$MEET/slot1" 2>/dev/null; then
	me=1 other=2
elif mkdir "$MEET/slot2" 2>/dev/null; then
	me=2 other=1
else
	echo "a third batch"; exit 1
fi
"$HOOKWAVE_TEST_HELPER" beacon "$MEET/beacon$me" || exit 1
"$HOOKWAVE_TEST_HELPER" wait "$MEET/beacon$other" 30 || {
	echo "batch $me: batch $other never ran alongside"; exit 1; }
printf '%s\0' "$@" >>"$LOGDIR/$HOOKWAVE_HOOK.$$"
EOF
chmod +x "$bin/meet"
write_conf meet.ini '[settings]' 'jobs = 2' \
	'[hook h]' "command = $bin/meet" 'files = *.txt'
newlog
MEET=$(mktemp -d "$tmp/meet.XXXXXX") || exit 1
export MEET
run hw -c "$conf/meet.ini" -f json
expect_exit "serial = no: the two batches ran at the same time" 0
expect_json "serial = no: passed with 2 batches" h \
	'"status":"passed"'
expect_json "serial = no: 2 batches" h '"batches":2,"files":40,'
expect_set "serial = no: every file once" h "${forty[@]}"

# One failing batch fails the hook; the others still ran.
write_conf bad.ini '[settings]' 'jobs = 2' \
	'[hook h]' "command = $bin/logbad" 'files = *' \
	'[hook dep]' 'command = true' 'depends = h'
cat >"$bin/logbad" <<'EOF'
#!/bin/sh
printf '%s\0' "$@" >>"$LOGDIR/$HOOKWAVE_HOOK.$$"
for f; do
	test "$f" = bad && { echo "bad file"; exit 1; }
done
exit 0
EOF
chmod +x "$bin/logbad"
badd=$(mktemp -d "$tmp/bad.XXXXXX") || exit 1
make_files "$badd" a1 a2 a3 bad
cd "$badd" || exit 1
newlog
run hw -c "$conf/bad.ini" -f json
expect_exit "a failing batch: exit 1" 1
expect_json "a failing batch: the hook failed" h '"status":"failed"'
expect_json "a failing batch: exit_code 1" h '"exit_code":1,'
expect_json "a failing batch: batches 2" h '"batches":2,"files":4,'
expect_nlogs "a failing batch: both batches ran" h 2
expect_set "a failing batch: every file once" h a1 a2 a3 bad
expect_json "a failing batch: its dependent is skipped" dep \
	'"status":"skipped","reason":"dependency h failed"'
run hw -c "$conf/bad.ini"
expect_exit "a failing batch, text: exit 1" 1
expect_stdout_match "a failing batch, text: failed line" '^failed +default/h '
expect_stdout_match "a failing batch, text: its output is shown" '^bad file$'

# --- 100,000 files and 1.5 MB of environment ---------------------------------

big=$(mktemp -d "$tmp/big.XXXXXX") || exit 1
cd "$big" && git init -q || exit 1
mkdir d && (cd d && seq -f 'f%06g.txt' 1 100000 | xargs touch) || exit 1
t0=$(date +%s.%N)
git add -A && gitc
t1=$(date +%s.%N)
echo "# measured: git add + commit of 100000 files: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')s"

write_conf big.ini \
	'[hook count]' 'command = f() { echo $# >>"$LOGDIR/count"; }; f' \
	'files = *.txt' \
	'[hook exec]' 'command = /bin/true' 'files = *.txt' \
	'[hook execsh]' "command = $bin/logargs" 'files = *.txt'
newlog
(
	for i in $(seq 15); do
		export BIG$i="$(head -c 100000 /dev/zero | tr '\0' x)"
	done
	env | wc -c >"$tmp/envsize"
	run hw -c "$conf/big.ini" -f json
	echo "$status" >"$tmp/big-status"
	cp "$tmp/out" "$tmp/big-out"
	cp "$tmp/err" "$tmp/big-err"
	t0=$(date +%s.%N)
	hw -c "$conf/big.ini" -n >"$tmp/big-n" 2>&1
	echo "$?" >"$tmp/big-n-status"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$tmp/big-n-time"
)
echo "# measured: environment of the 100000-file run: $(cat "$tmp/envsize") bytes"
status=$(cat "$tmp/big-status")
cp "$tmp/big-out" "$tmp/out"
cp "$tmp/big-err" "$tmp/err"
expect_exit "100000 files, 1.5 MB env: exit 0" 0
if grep -q -i -e 'argument list too long' -e 'E2BIG' "$tmp/out" "$tmp/err"; then
	fail "100000 files: no 'Argument list too long'"
	_show_run
else
	_ok "100000 files: no 'Argument list too long'"
fi
for h in count exec execsh; do
	expect_json "100000 files: $h passed" "$h" '"status":"passed"'
	expect_json "100000 files: $h got 100000 files" "$h" '"files":100000,'
done
sum=0
nb=0
if test -f "$LOGDIR/count"; then
	while read -r n; do
		sum=$((sum + n))
		nb=$((nb + 1))
	done <"$LOGDIR/count"
fi
check "100000 files: the arguments add up to 100000 (got $sum)" \
	test "$sum" -eq 100000
echo "# measured: 100000 files: hook 'count' ran as $nb batches:" \
	"$(tr '\n' ' ' <"$LOGDIR/count" 2>/dev/null)"
echo "# measured: 100000 files: JSON batches: $(grep -o '"name":"[a-z]*"\|"batches":[0-9]*' "$tmp/out" | tr '\n' ' ')"
expect_set "100000 files: every file exactly once through an exec" execsh \
	$(seq -f 'd/f%06g.txt' 1 100000)
check "100000 files -n: exit 0" test "$(cat "$tmp/big-n-status")" -eq 0
check "100000 files -n: counts the files" \
	grep -q '^    count .*: 100000 files in ' "$tmp/big-n"
echo "# measured: hookwave -n, 100000 files, 1.5 MB env: $(cat "$tmp/big-n-time")s"
echo "# measured: $(grep '^    count ' "$tmp/big-n")"

# A hook with cwd sees the files under cwd, relative to it.
cwdt=$(mktemp -d "$tmp/cwd.XXXXXX")
mkdir -p "$cwdt/sub/d"
: >"$cwdt/top.txt"; : >"$cwdt/sub/x.txt"; : >"$cwdt/sub/d/y.txt"
cat >"$cwdt/hookwave.ini" <<'INI'
[hook ls]
command = ls -d
cwd = ./sub/
files = *.txt
INI
run timeout -k 5 120 "$HOOKWAVE" -C "$cwdt" -v --all-files
expect_exit "cwd + files: passes (the hook can open its files)" 0
check "cwd + files: only the files under cwd, relative to it" \
	test "$(grep -c 'txt$' "$tmp/out")" -eq 2
check "cwd + files: x.txt as given relative to cwd" grep -qx 'x.txt' "$tmp/out"
check "cwd + files: d/y.txt" grep -qx 'd/y.txt' "$tmp/out"

# --- batches packed by cost ------------------------------------------------
# 40 empty files cost 4 KiB each (the per-file base); f07.txt holds 36 KiB
# more, ten times one empty file. Four batches, longest processing time
# first: f07 and three more (13 units), then 12 + 12 + 12.
cost=$(mktemp -d "$tmp/cost.XXXXXX")
mkdir -p "$cost/cache"
for i in $(seq -w 1 40); do : >"$cost/f$i.txt"; done
head -c 36864 /dev/zero >"$cost/f07.txt"
cat >"$cost/hookwave.ini" <<INI
[settings]
jobs = 4
[hook pack]
command = $bin/logargs
files = *.txt
INI
saved_cache=$XDG_CACHE_HOME
export XDG_CACHE_HOME="$cost/cache"
run hw -C "$cost" --all-files -n
expect_exit "cost: -n exit 0" 0
expect_stdout_match "cost: the big file's batch first, with 3 more" \
	'^    pack .*: 40 files in 4 batches of 4\+12\+12\+12$'
newlog
run hw -C "$cost" --all-files
expect_exit "cost: run exit 0" 0
expect_nlogs "cost: 4 batches" pack 4
expect_set "cost: every file once" pack $(cd "$cost" && echo f*.txt)
hist=$(ls "$cost/cache/hookwave/"state-*.sqlite 2>/dev/null | head -1)
check "cost: a history was written" test -s "$hist"
if command -v sqlite3 >/dev/null 2>&1; then
check "cost: it holds the batches' rate" test "$(sqlite3 "$hist" \
	"SELECT count(*) FROM durations WHERE strategy = 'default' AND hook LIKE 'pack/%' AND rate > 0")" -eq 1

# A factor learned for a file weighs it: f33.txt at 20 units goes alone
# and first; f07 (10) takes 6 more, the other 32 share 16 + 16 (ties go
# by first file: f01's batch, f02's, then f07's).
key=$(sqlite3 "$hist" "SELECT hook FROM durations")
check "cost: the hook has a key" test -n "$key"
sqlite3 "$hist" "DELETE FROM factors; INSERT INTO factors SELECT dir, strategy, hook, CAST('f33.txt' AS BLOB), 20, seen FROM durations"
run hw -C "$cost" --all-files -n
expect_stdout_match "cost: a learned factor sends a slow file alone" \
	'^    pack .*: 40 files in 4 batches of 1\+16\+16\+7$'
run hw -C "$cost" --all-files -n --no-history
expect_stdout_match "cost: --no-history packs by size alone" \
	'^    pack .*: 40 files in 4 batches of 4\+12\+12\+12$'
else
	echo "# skip: cost: the factors in the store: no sqlite3"
fi

# Learning end to end: a hook that takes 2 s for f33.txt and next to
# nothing for the rest. After one run the files of f33's batch weigh
# more than the others, so the next packing gives its batch fewer files
# (the margin is 2 s against the start-up of a process, which a loaded
# machine stretches to a few hundred milliseconds at worst: not a race).
rm -rf "$cost/cache"
mkdir -p "$cost/cache"
printf '#!/bin/sh\nfor f; do [ "$f" = f33.txt ] && sleep 2; done\nexec %s "$@"\n' \
	"$bin/logargs" >"$cost/slow33"
chmod +x "$cost/slow33"
cat >"$cost/hookwave.ini" <<INI
[settings]
jobs = 4
[hook pack]
command = $cost/slow33
files = *.txt
INI
rm -f "$cost/f07.txt" && : >"$cost/f07.txt"
run hw -C "$cost" --all-files -n
expect_stdout_match "learn: first, 4 equal batches" \
	'^    pack .*: 40 files in 4 batches of 10\+10\+10\+10$'
run hw -C "$cost" --all-files
expect_exit "learn: run exit 0" 0
hist=$(ls "$cost/cache/hookwave/"state-*.sqlite 2>/dev/null | head -1)
if command -v sqlite3 >/dev/null 2>&1; then
	check "learn: f33.txt got a factor over 1" test "$(sqlite3 "$hist" \
		"SELECT count(*) FROM factors WHERE path = CAST('f33.txt' AS BLOB) AND factor > 1")" -eq 1
fi
newlog
run hw -C "$cost" --all-files
expect_exit "learn: second run exit 0" 0
n33=$(for f in "$LOGDIR"/pack.*; do
	if tr '\0' '\n' <"$f" | grep -qx f33.txt; then
		tr -cd '\0' <"$f" | wc -c
	fi
done)
check "learn: then f33.txt's batch has fewer files ($n33 < 10)" \
	test "${n33:-99}" -lt 10
run hw -C "$cost" --all-files -n
echo "# measured: learned packing: $(grep '^    pack ' "$tmp/out")"
export XDG_CACHE_HOME="$saved_cache"

cd "$tmp" || exit 1
finish
