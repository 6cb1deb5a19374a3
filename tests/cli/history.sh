#!/bin/bash
# history.sh - black-box tests of the duration history in the state
# store (hookwave(1), "Priorities and the duration history", FILES, and
# the text format's note on slow hooks): where the store is kept (the
# cache outside git, GITDIR/hookwave/state.sqlite inside, a linked work
# tree's own git dir, a bare repository's, GIT_DIR from a git hook,
# never a refused repository; a subdirectory's rows apart in the same
# store), that durations are written only after a run in which a hook
# passed or failed, --no-history and `history = no` (no durations read
# or written; the results still kept), a damaged store (warned about,
# set aside, made afresh; the run goes on), an old history file (version
# 1 or 2: imported once and removed; one that does not parse just
# removed), what is dropped and kept when it is saved (hooks gone from
# the config, a changed command), that a run directory or git dir a
# hook removed is not made again, that two runs at once both count, the
# priorities it gives with jobs = 1, and the slow-hook note. The store
# is read with sqlite3(1).
#
# Every hookwave run is bounded by timeout(1). Orders are read from a
# log the hooks append to when they start; with jobs = 1 that is their
# start order. Where a check depends on what the history predicts, the
# test writes the durations into the store itself (setdur) after a run
# has made the rows: what a hook's sleep measures on a loaded machine
# (a sanitizer's build on two busy cores) is no ground for an order.
# No check asserts how fast anything is.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v awk >/dev/null 2>&1 || skip_all "no awk"
command -v sqlite3 >/dev/null 2>&1 || skip_all "no sqlite3"

need_helper

export LC_ALL=C
unset NO_COLOR

isolate_git

# Which repository a run directory is in is git's answer (gitdir.c), and
# isolate_git keeps git from looking above $tmp: the outside-git cases
# are outside git wherever $tmp is.

# hw ARGS...: run hookwave here, bounded; output in $tmp/out, $tmp/err.
hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

gitc() {
	git -c user.name=t -c user.email=t@t commit -q --allow-empty -m x
}

# newcase NAME: a fresh run directory $tmp/NAME, hookwave.ini from
# stdin, and a cache directory of its own ($tmp/NAME.cache, not yet
# created) in XDG_CACHE_HOME. Leaves us in the run directory.
newcase() {
	cd "$tmp" || exit 1
	mkdir "$tmp/$1" || exit 1
	cd "$tmp/$1" || exit 1
	cat >hookwave.ini
	XDG_CACHE_HOME=$tmp/$1.cache
	export XDG_CACHE_HOME
}

# conf: replace hookwave.ini in the current directory with stdin.
conf() {
	cat >hookwave.ini
}

# hdir: where the history is kept outside git.
hdir() {
	echo "$XDG_CACHE_HOME/hookwave"
}

# histfile [DIR]: the state store in DIR (default: hdir).
histfile() {
	local f
	for f in "${1:-$(hdir)}"/state*.sqlite; do
		test -f "$f" && { echo "$f"; return 0; }
	done
	return 1
}

# only_history DIR: DIR holds exactly one entry, the state store
# (state-<16 hex>.sqlite in the cache, state.sqlite in a git dir).
only_history() {
	test -d "$1" || return 1
	test "$(ls -A "$1" | wc -l)" -eq 1 &&
		ls -A "$1" | grep -qE '^state(-[0-9a-f]{16})?\.sqlite$'
}

# nothing_in DIR: DIR does not exist or holds nothing at all.
nothing_in() {
	! test -e "$1" || test -z "$(ls -A "$1")"
}

# sql QUERY [FILE]: what sqlite3 says of the store (the tests' own
# literals only: hook names without quotes).
sql() {
	sqlite3 "${2:-$hist}" "$1" 2>/dev/null
}

# key_of HOOK [FILE]: the key (HOOK/8hex) HOOK's durations are under.
key_of() {
	sql "SELECT hook FROM durations WHERE substr(hook, 1, length('$1/')) = '$1/'" "${2:-$hist}"
}

# durs STRATEGY KEY [FILE]: its durations, "d1,d2,...".
durs() {
	sql "SELECT seconds FROM durations WHERE strategy = '$1' AND hook = '$2'" "${3:-$hist}"
}

# ndurs STRATEGY KEY [FILE]: how many durations it has.
ndurs() {
	durs "$@" | awk -F , 'NF { print NF; n = 1 } END { if (!n) print 0 }'
}

# setdur HOOK SECONDS [HOOK SECONDS]...: each HOOK's durations (every
# row of it) become SECONDS ("d1,d2,...") and no batch rate is known,
# so the history predicts their median whatever the runs measured.
# Fails unless every HOOK had a row to change.
setdur() {
	while test $# -ge 2; do
		sqlite3 "$hist" "UPDATE durations SET seconds = '$2', rate = 0 WHERE substr(hook, 1, length('$1/')) = '$1/'" || return 1
		test "$(sql "SELECT count(*) FROM durations WHERE substr(hook, 1, length('$1/')) = '$1/' AND seconds = '$2'")" -ge 1 || return 1
		shift 2
	done
}

# lines_for HOOK [FILE]: the rows (durations and factors) for HOOK.
lines_for() {
	sql "SELECT (SELECT count(*) FROM durations WHERE substr(hook, 1, length('$1/')) = '$1/') + (SELECT count(*) FROM factors WHERE substr(hook, 1, length('$1/')) = '$1/')" "${2:-$hist}"
}

# hlines [FILE]: how many hooks have durations.
hlines() {
	sql "SELECT count(*) FROM durations WHERE seconds != ''" "${1:-$hist}"
}

# hcheck NAME CMD...: like check, but shows the durations on failure.
hcheck() {
	local name=$1
	shift
	if "$@"; then
		_ok "$name"
	else
		fail "$name" "failed: $*"
		if test -n "${hist:-}" && test -f "$hist"; then
			echo "#   durations in $hist:"
			sql "SELECT dir, strategy, hook, seconds FROM durations" |
				head -n 20 | sed 's/^/#     /'
		else
			echo "#   no store (${hist:-unset})"
		fi
		_show_run
	fi
}

# ours FILE: a state store of our schema, sound.
ours() {
	test "$(sql 'PRAGMA user_version' "$1")" = 3 &&
		test "$(sql 'PRAGMA quick_check' "$1")" = ok
}

# well_formed FILE: ours, and every hook has 1 to 5 durations, numbers.
well_formed() {
	ours "$1" && sql "SELECT seconds FROM durations" "$1" | awk -F , '
		NF < 1 || NF > 5 { bad = 1 }
		{ for (i = 1; i <= NF; i++) if ($i !~ /^[0-9]+\.[0-9]+$/) bad = 1 }
		END { exit bad }'
}

# legacy FILE: where an earlier hookwave kept the history that the
# store FILE (outside git) took over: history-HASH beside it.
legacy() {
	local f=${1##*/}
	f=${f#state-}
	echo "${1%/*}/history-${f%.sqlite}"
}

# --- outside git: the cache directory ---------------------------------------

newcase plain <<'EOF'
[hook one]
command = true
[hook two]
command = echo two
[hook nofiles]
command = true
files = *.zzz
EOF
hw
expect_exit "outside git: first run exits 0" 0
check "outside git: first run prints nothing on stderr" test ! -s "$tmp/err"
hcheck "outside git: exactly one file, state-<16 hex>.sqlite, in the cache dir" \
	only_history "$(hdir)"
hist=$(histfile) || hist=
hcheck "outside git: it is a store of schema version 3" ours "$hist"
hcheck "outside git: every row is well formed" well_formed "$hist"
hcheck "outside git: durations for hook one, one duration" \
	test "$(ndurs default "$(key_of one)")" -eq 1
hcheck "outside git: durations for hook two, one duration" \
	test "$(ndurs default "$(key_of two)")" -eq 1
hcheck "outside git: no row for the hook skipped for no files" \
	test "$(lines_for nofiles)" -eq 0
hcheck "outside git: exactly two hooks with durations" \
	test "$(hlines)" -eq 2
first=$hist
hw
expect_exit "outside git: second run exits 0" 0
hist=$(histfile) || hist=
hcheck "outside git: the second run keeps the same file" test "$hist" = "$first"
hcheck "outside git: still only that file (no temporary left)" \
	only_history "$(hdir)"
hcheck "outside git: the second run adds a duration (2 now)" \
	test "$(ndurs default "$(key_of one)")" -eq 2
check "outside git: the run directory gets no history file" \
	test "$(ls -A)" = hookwave.ini

# Five durations at most, the newest last.
for _i in 1 2 3 4; do hw; done
hcheck "outside git: after 6 runs, 5 durations kept" \
	test "$(ndurs default "$(key_of one)")" -eq 5
hcheck "outside git: after 6 runs, still well formed" well_formed "$hist"

# Another run directory has a history of its own.
mkdir sub && cp hookwave.ini sub/
hw -C sub
expect_exit "outside git, -C sub: exit 0" 0
check "outside git, -C sub: a second store beside the first" \
	test "$(ls -A "$(hdir)" | grep -cE '^state-[0-9a-f]{16}\.sqlite$')" -eq 2
check "outside git, -C sub: and nothing else in the cache dir" \
	test "$(ls -A "$(hdir)" | wc -l)" -eq 2

# A failed hook is recorded, one that could not start is not.
newcase statuses <<'EOF'
[hook ok]
command = true
[hook bad]
command = exit 3
[hook missing]
command = no-such-command-hookwave-history-test
EOF
hw
expect_exit "statuses: exit 1 (a hook failed)" 1
hist=$(histfile) || hist=
hcheck "statuses: the passed hook has durations" \
	test "$(ndurs default "$(key_of ok)")" -eq 1
hcheck "statuses: the failed hook has durations" \
	test "$(ndurs default "$(key_of bad)")" -eq 1
hcheck "statuses: the hook in error has none" \
	test "$(lines_for missing)" -eq 0

# Nothing passed or failed: no durations (the results are kept).
newcase allskipped <<'EOF'
[hook nofiles]
command = true
files = *.zzz
EOF
hw
expect_exit "only skipped hooks: exit 0" 0
hist=$(histfile) || hist=
check "only skipped hooks: no durations written" test "$(hlines)" -eq 0
newcase dryrun <<'EOF'
[hook a]
command = true
EOF
hw -n
expect_exit "-n: exit 0" 0
check "-n: no history written" nothing_in "$(hdir)"
hw -l
check "-l: no history written" nothing_in "$(hdir)"

# XDG_CACHE_HOME not absolute: $HOME/.cache/hookwave.
newcase homecache <<'EOF'
[hook a]
command = true
EOF
XDG_CACHE_HOME=relative/cache
HOME=$tmp/home2
mkdir "$HOME"
hw
expect_exit "relative XDG_CACHE_HOME: exit 0" 0
check "relative XDG_CACHE_HOME: the history is under \$HOME/.cache/hookwave" \
	only_history "$HOME/.cache/hookwave"
check "relative XDG_CACHE_HOME: nothing under the relative path" \
	test ! -e relative
# Neither usable: nowhere, and no error.
mkdir "$tmp/nowhere" && cp hookwave.ini "$tmp/nowhere/" && cd "$tmp/nowhere" || exit 1
run env -u HOME -u XDG_CACHE_HOME timeout -k 5 60 "$HOOKWAVE"
expect_exit "no HOME, no XDG_CACHE_HOME: exit 0" 0
check "no HOME, no XDG_CACHE_HOME: nothing on stderr" test ! -s "$tmp/err"
check "no HOME, no XDG_CACHE_HOME: nothing written in the run directory" \
	test "$(ls -A)" = hookwave.ini
export HOME=$tmp/home

# A history that cannot be saved (its directory is a plain file) is no
# error: the run's exit status stands.
newcase unsaved <<'EOF'
[hook a]
command = true
EOF
mkdir -p "$XDG_CACHE_HOME" && : >"$(hdir)"
hw
expect_exit "history cannot be saved: exit 0 all the same" 0
check "history cannot be saved: the run is reported" \
	grep -q '^passed  *default/a ' "$tmp/out"

# --- inside git: GITDIR/hookwave ---------------------------------------------

if command -v git >/dev/null 2>&1; then
	newcase repo <<'EOF'
[hook a]
command = true
[hook b]
command = true
EOF
	git init -q && git add hookwave.ini && gitc || exit 1
	hw
	expect_exit "in git: exit 0" 0
	hcheck "in git: exactly one history file in .git/hookwave" \
		only_history .git/hookwave
	hist=$(histfile .git/hookwave) || hist=
	hcheck "in git: it is a store of schema version 3" ours "$hist"
	hcheck "in git: durations for each hook" \
		test "$(sql "SELECT count(*) FROM durations WHERE strategy = 'default' AND (hook LIKE 'a/%' OR hook LIKE 'b/%')")" -eq 2
	check "in git: nothing written in XDG_CACHE_HOME" nothing_in "$XDG_CACHE_HOME"
	check "in git: git sees no new file in the work tree" \
		test -z "$(git status --porcelain)"

	# From a subdirectory: the same store, rows of its own.
	mkdir -p deep/er && cp hookwave.ini deep/er/
	hw -C deep/er
	expect_exit "in git, subdirectory: exit 0" 0
	check "in git, subdirectory: still one store in the top .git/hookwave" \
		only_history .git/hookwave
	hcheck "in git, subdirectory: its durations under its own directory" \
		test "$(sql "SELECT count(*) FROM durations WHERE dir = 'deep/er/'")" -eq 2
	check "in git, subdirectory: nothing in the subdirectory" \
		test "$(ls -A deep/er)" = hookwave.ini
	check "in git, subdirectory: still nothing in XDG_CACHE_HOME" \
		nothing_in "$XDG_CACHE_HOME"

	# A linked work tree: the git dir its .git file names.
	if git worktree add -q "$tmp/linked" >/dev/null 2>&1 &&
	   test -f "$tmp/linked/.git"; then
		gd=$(cd "$tmp/linked" && git rev-parse --absolute-git-dir)
		hw -C "$tmp/linked"
		expect_exit "linked work tree: exit 0" 0
		check "linked work tree: the history is in its own git dir" \
			only_history "$gd/hookwave"
		check "linked work tree: no .git/hookwave inside the work tree" \
			test ! -e "$tmp/linked/hookwave"
		check "linked work tree: still nothing in XDG_CACHE_HOME" \
			nothing_in "$XDG_CACHE_HOME"
	else
		echo "# skip: linked work tree: git worktree add failed"
	fi
	cd "$tmp" || exit 1

	# A bare repository (a server-side hook's run directory): its own
	# git dir, as git says; not the cache.
	newcase barerun <<'EOF'
[hook a]
command = true
EOF
	cd "$tmp" && git init -q --bare bare.git &&
		cp barerun/hookwave.ini bare.git/ && cd bare.git || exit 1
	hw
	expect_exit "bare repository: exit 0" 0
	check "bare repository: the history is in its git dir" \
		only_history hookwave
	check "bare repository: nothing in XDG_CACHE_HOME" \
		nothing_in "$XDG_CACHE_HOME"

	# As in a git hook: GIT_DIR and GIT_WORK_TREE in the environment.
	newcase hookenv <<'EOF'
[hook a]
command = true
EOF
	git init -q && mkdir sub && cp hookwave.ini sub/ || exit 1
	GIT_DIR=$PWD/.git GIT_WORK_TREE=$PWD hw -C sub
	expect_exit "GIT_DIR and GIT_WORK_TREE set: exit 0" 0
	check "GIT_DIR and GIT_WORK_TREE set: the history is in that git dir" \
		only_history .git/hookwave
	check "GIT_DIR and GIT_WORK_TREE set: nothing in XDG_CACHE_HOME" \
		nothing_in "$XDG_CACHE_HOME"

	# A repository git refuses (another user's: safe.directory) is none,
	# for the history as for the file listing: nothing is written in it.
	newcase refused <<'EOF'
[hook a]
command = true
EOF
	git init -q || exit 1
	GIT_TEST_ASSUME_DIFFERENT_OWNER=1 hw
	expect_exit "a refused repository: exit 0" 0
	check "a refused repository: nothing written in its .git" \
		test ! -e .git/hookwave
	check "a refused repository: the history is in the cache instead" \
		only_history "$(hdir)"
	cd "$tmp" || exit 1
else
	echo "# skip: inside git: no git"
fi

# --- a hook that removes the run directory ---------------------------------

# Saving the history must not make it again (nor the git dir in it).
gone_case() {    # gone_case LABEL SETUP-COMMAND
	newcase "gone-$1" <<'EOF'
[hook rm]
command = cd / && rm -rf "$RUN"
EOF
	RUN=$PWD
	export RUN
	eval "$2" || exit 1
	hw
	expect_exit "hook removes the run directory ($1): exit 0" 0
	check "hook removes the run directory ($1): it stays gone" \
		test ! -e "$RUN"
	cd "$tmp" || exit 1
}
gone_case cache 'XDG_CACHE_HOME=$RUN/cache'
if command -v git >/dev/null 2>&1; then
	gone_case git 'git init -q'
	# Only the git dir removed: it is not made again either.
	newcase gitdirgone <<'EOF'
[hook rm]
command = rm -rf .git
EOF
	git init -q || exit 1
	hw
	expect_exit "hook removes .git: exit 0" 0
	check "hook removes .git: .git is not made again" test ! -e .git
	check "hook removes .git: nor is the history written elsewhere" \
		nothing_in "$XDG_CACHE_HOME"
	cd "$tmp" || exit 1
fi

# --- --no-history and history = no ---------------------------------------

newcase nohist <<'EOF'
[hook a]
command = true
[hook b]
command = echo b
EOF
hw --no-history
expect_exit "--no-history, no store yet: exit 0" 0
hist=$(histfile) || hist=
check "--no-history, no store yet: no durations written" test "$(hlines)" -eq 0
check "--no-history: the results are kept, without durations" \
	test "$(sql "SELECT count(*) FROM results WHERE duration IS NULL")" -eq 2
hw
sql "SELECT * FROM durations" >"$tmp/nohist.before"
hw --no-history
expect_exit "--no-history, existing store: exit 0" 0
hcheck "--no-history, existing store: the durations as they were" \
	test "$(sql "SELECT * FROM durations")" = "$(cat "$tmp/nohist.before")"
hcheck "--no-history: no other file in the cache dir" only_history "$(hdir)"

newcase settingno <<'EOF'
[settings]
history = no
[hook a]
command = true
[hook b]
command = echo b
EOF
hw
expect_exit "history = no, no store yet: exit 0" 0
hist=$(histfile) || hist=
check "history = no, no store yet: no durations written" test "$(hlines)" -eq 0
# Make one with the setting on, then turn it off again.
sed 's/^history = no$/history = yes/' hookwave.ini >h.ini && mv h.ini hookwave.ini
hw
hist=$(histfile) || hist=
hcheck "history = yes: durations are written" test "$(hlines)" -eq 2
sql "SELECT * FROM durations" >"$tmp/settingno.before"
sed 's/^history = yes$/history = no/' hookwave.ini >h.ini && mv h.ini hookwave.ini
hw
expect_exit "history = no, existing store: exit 0" 0
hcheck "history = no, existing store: the durations as they were" \
	test "$(sql "SELECT * FROM durations")" = "$(cat "$tmp/settingno.before")"

# --- a corrupt file ----------------------------------------------------------

newcase corrupt <<'EOF'
[hook a]
command = true
[hook b]
command = echo b
EOF
hw
expect_exit "corrupt: a clean first run exits 0" 0
hist=$(histfile) || hist=
printf 'garbage\n' >"$hist"
hw
expect_exit "corrupt: exit 0, as for a normal run" 0
if grep -F -- "$hist" "$tmp/err" | grep -q 'damaged.*set aside'; then
	_ok "corrupt: a warning names the store and says it is set aside"
else
	fail "corrupt: a warning names the store and says it is set aside"
	_show_run
fi
expect_stdout_match "corrupt: the hooks still run and pass" '^passed +default/a '
hcheck "corrupt: made afresh" ours "$hist"
hcheck "corrupt: rewritten well formed" well_formed "$hist"
hcheck "corrupt: the old content is gone (1 duration per hook)" \
	test "$(ndurs default "$(key_of a)")" -eq 1
hcheck "corrupt: the damaged one kept beside it, for a look" \
	test "$(ls -A "$(hdir)" | grep -c '\.sqlite\.damaged-')" -eq 1
hw
expect_exit "corrupt, second run: exit 0" 0
check "corrupt, second run: no warning (stderr empty)" test ! -s "$tmp/err"

# Other kinds of damage, each warned about and replaced.
key_a=$(key_of a)
damage() {       # damage LABEL PRINTF-FORMAT
	printf "$2" "$key_a" >"$hist"
	hw
	expect_exit "corrupt ($1): exit 0" 0
	if grep -F -- "$hist" "$tmp/err" | grep -q damaged; then
		_ok "corrupt ($1): warned"
	else
		fail "corrupt ($1): warned"
		_show_run
	fi
	hcheck "corrupt ($1): made afresh" well_formed "$hist"
}
damage "unknown version" 'hookwave-history 9\nh\tdefault\t%s\t0.1\n'
damage "a duration that is no number" 'hookwave-history 2\nh\tdefault\t%s\tx\n'
damage "a negative duration" 'hookwave-history 2\nh\tdefault\t%s\t-1\n'
damage "six durations" 'hookwave-history 2\nh\tdefault\t%s\t1,2,3,4,5,6\n'
damage "a torn last line" 'hookwave-history 2\nh\tdefault\t%s\t0.1'
# An empty file is an empty database: made into a store without a word.
: >"$hist"
hw
expect_exit "empty file: exit 0" 0
check "empty file: no warning" test ! -s "$tmp/err"
hcheck "empty file: made into a store" well_formed "$hist"
# A large file of garbage: set aside like any other.
head -c 8388608 /dev/zero | tr '\0' x >"$hist"
hw
expect_exit "large garbage: exit 0" 0
check "large garbage: warned" grep -q damaged "$tmp/err"
hcheck "large garbage: made afresh, small" test "$(wc -c <"$hist")" -lt 200000
hw
check "large garbage, next run: no warning" test ! -s "$tmp/err"
# A history file of earlier versions is imported, once, and removed.
old=$(legacy "$hist")
sql "DELETE FROM durations"
printf 'hookwave-history 2\nh\tdefault\t%s\t0.25\n' "$key_a" >"$old"
hw
check "an old version 2 file: no warning" test ! -s "$tmp/err"
check "an old version 2 file: removed" test ! -e "$old"
hcheck "an old version 2 file: its duration kept, first of 2" \
	awk -v d="$(durs default "$key_a")" \
	'BEGIN { n = split(d, x, ","); exit !(n == 2 && x[1] == "0.250000") }'
# Once: a store that has durations keeps them; the file just goes.
printf 'hookwave-history 2\nh\tdefault\t%s\t9\n' "$key_a" >"$old"
hw
check "an old file when the store has durations: removed" test ! -e "$old"
hcheck "an old file when the store has durations: not imported" \
	test "$(durs default "$key_a" | grep -c '9\.000000')" -eq 0
printf 'garbage\n' >"$old"
hw
check "an old file that does not parse: no warning" test ! -s "$tmp/err"
check "an old file that does not parse: removed" test ! -e "$old"

# --- a version 1 file --------------------------------------------------------

newcase v1 <<'EOF'
[hook a]
command = true
[hook b]
command = echo b
EOF
hw
hist=$(histfile) || hist=
key_a=$(key_of a)
hcheck "version 1: a key for hook a from the store" \
	test -n "$key_a"
rm -f "$hist"
printf 'hookwave-history 1\ndefault\t%s\t0.5\ndefault\tgone/0123abcd\t0.7\n' \
	"$key_a" >"$(legacy "$hist")"
hw
expect_exit "version 1: exit 0" 0
check "version 1: read without any warning" test ! -s "$tmp/err"
check "version 1: the old file is gone" test ! -e "$(legacy "$hist")"
hcheck "version 1: imported into a store" well_formed "$hist"
hcheck "version 1: hook a's old duration kept: 2 durations, first 0.500000" \
	awk -v d="$(durs default "$key_a")" \
	'BEGIN { n = split(d, x, ","); exit !(n == 2 && x[1] == "0.500000") }'
hcheck "version 1: hook b, absent from it, starts afresh (1 duration)" \
	test "$(ndurs default "$(key_of b)")" -eq 1
hcheck "version 1: a hook no longer configured is dropped" \
	test "$(lines_for gone)" -eq 0

# --- what is dropped and kept when the file is saved -------------------------

newcase prune <<'EOF'
[hook a]
command = true
[hook b]
command = true
EOF
hw
hist=$(histfile) || hist=
hcheck "prune: a and b recorded" \
	test "$(lines_for a)" -ge 1 -a "$(lines_for b)" -ge 1
conf <<'EOF'
[hook a]
command = true
EOF
hw
expect_exit "prune: with b removed from the config, exit 0" 0
hcheck "prune: no row at all for b" test "$(lines_for b)" -eq 0
hcheck "prune: a kept, 2 durations" \
	test "$(ndurs default "$(key_of a)")" -eq 2
old_key=$(key_of a)
conf <<'EOF'
[hook a]
command = true # changed
EOF
hw
new_key=$(key_of a)
hcheck "prune: a changed command gives a new key" \
	test -n "$new_key" -a "$new_key" != "$old_key"
hcheck "prune: the old key is dropped" \
	test "$(sql "SELECT count(*) FROM durations WHERE hook = '$old_key'")" -eq 0
hcheck "prune: the new key starts afresh (1 duration)" \
	test "$(ndurs default "$new_key")" -eq 1
hcheck "prune: one row for a" \
	test "$(sql "SELECT count(*) FROM durations WHERE hook LIKE 'a/%'")" -eq 1

# A hook that did not run this time but is still configured is kept.
newcase keep <<'EOF'
[hook x]
strategy = s1
command = true
[hook y]
strategy = s2
command = true
[hook t]
strategy = s1
command = true
files = *.txt
EOF
: >a.txt
hw
expect_exit "keep: all strategies: exit 0" 0
hist=$(histfile) || hist=
y_line=$(sql "SELECT seconds FROM durations WHERE strategy = 's2' AND hook LIKE 'y/%'")
t_line=$(sql "SELECT seconds FROM durations WHERE strategy = 's1' AND hook LIKE 't/%'")
hcheck "keep: x, y and t recorded" \
	test -n "$y_line" -a -n "$t_line" -a "$(lines_for x)" -ge 1
hw -s s1
expect_exit "keep: -s s1: exit 0" 0
hcheck "keep: -s s1 keeps y's durations as they were" \
	test "$(sql "SELECT seconds FROM durations WHERE strategy = 's2' AND hook LIKE 'y/%'")" = "$y_line"
hcheck "keep: -s s1 records x again (2 durations)" \
	test "$(ndurs s1 "$(key_of x)")" -eq 2
t_line=$(sql "SELECT seconds FROM durations WHERE strategy = 's1' AND hook LIKE 't/%'")
rm a.txt
hw -s s1
expect_exit "keep: t without files: exit 0" 0
expect_stdout_match "keep: t is skipped for no files" '^skipped +s1/t .*no files'
hcheck "keep: a hook skipped for no files keeps its durations" \
	test "$(sql "SELECT seconds FROM durations WHERE strategy = 's1' AND hook LIKE 't/%'")" = "$t_line"
hcheck "keep: y still kept" test "$(sql "SELECT seconds FROM durations WHERE strategy = 's2' AND hook LIKE 'y/%'")" = "$y_line"

# --- two runs at once in one directory --------------------------------------

# Run A starts, and its hook waits; run B runs whole and saves; then A
# ends and saves. A loaded the history before B saved, yet B's duration
# must survive A's save.
newcase overlap <<'EOF'
[hook a]
command = if test -n "${HW_WAIT:-}"; then "$HOOKWAVE_TEST_HELPER" beacon "$HW_WAIT.started" && "$HOOKWAVE_TEST_HELPER" wait "$HW_WAIT.go" 60; fi
EOF
HW_WAIT=$tmp/overlap timeout -k 5 90 "$HOOKWAVE" </dev/null \
	>"$tmp/overlap.out" 2>&1 &
overlap_pid=$!
"$HOOKWAVE_TEST_HELPER" wait "$tmp/overlap.started" 60
hw
expect_exit "two runs at once: the second exits 0" 0
hist=$(histfile) || hist=
hcheck "two runs at once: the second saved one duration" \
	test "$(ndurs default "$(key_of a)")" -eq 1
"$HOOKWAVE_TEST_HELPER" beacon "$tmp/overlap.go"
wait "$overlap_pid"
status=$?
expect_exit "two runs at once: the first exits 0" 0
hcheck "two runs at once: both durations kept (2)" \
	test "$(ndurs default "$(key_of a)")" -eq 2
hcheck "two runs at once: still well formed" well_formed "$hist"
hcheck "two runs at once: no temporary file left" only_history "$(hdir)"

# --- priorities with jobs = 1 ------------------------------------------------

# Each hook appends its name to $ORDER when it starts; with one job at
# a time, the log is the start order.
ORDER=$tmp/order
export ORDER
order_is() {     # order_is NAME WORD...
	local want
	want=$(printf '%s ' "${@:2}")
	if test -f "$ORDER" && test "$(tr '\n' ' ' <"$ORDER")" = "$want"; then
		_ok "$1"
	else
		fail "$1" "want order: $want" \
			"got order:  $(tr '\n' ' ' <"$ORDER" 2>/dev/null)"
		_show_run
	fi
	rm -f "$ORDER"
}

newcase prio <<'EOF'
[settings]
jobs = 1
[hook quick]
command = echo quick >>"$ORDER"
[hook slow]
command = echo slow >>"$ORDER"
EOF
rm -f "$ORDER"
hw
expect_exit "priority: first run exits 0" 0
order_is "priority: first run, no history: config order (quick, slow)" quick slow
hist=$(histfile) || hist=
hcheck "priority: durations written (quick 0.001 s, slow 0.4 s)" \
	setdur quick 0.001000 slow 0.400000
hw
expect_exit "priority: second run exits 0" 0
order_is "priority: with history, the slow hook first (slow, quick)" slow quick
sql "SELECT * FROM durations" >"$tmp/prio.before"
hw --no-history
order_is "priority: --no-history, config order again (quick, slow)" quick slow
hcheck "priority: --no-history left the durations alone" \
	test "$(sql "SELECT * FROM durations")" = "$(cat "$tmp/prio.before")"
hcheck "priority: durations written again" \
	setdur quick 0.001000 slow 0.400000
hw
order_is "priority: with history again, slow first" slow quick

# Without history the chain length decides; with it, the predicted
# remaining path does: `big` (0.4 s by its history, last in the file)
# beats the chain head -> tail of two hooks of a millisecond each.
newcase chain <<'EOF'
[settings]
jobs = 1
[hook head]
command = echo head >>"$ORDER"
[hook tail]
depends = head
command = echo tail >>"$ORDER"
[hook big]
command = echo big >>"$ORDER"
EOF
rm -f "$ORDER"
hw
expect_exit "chain: first run exits 0" 0
order_is "chain: no history: the longer chain first (head, big, tail)" \
	head big tail
hist=$(histfile) || hist=
hcheck "chain: durations written (head, tail 0.001 s, big 0.4 s)" \
	setdur head 0.001000 tail 0.001000 big 0.400000
hw
order_is "chain: with history: the longest predicted path first (big, head, tail)" \
	big head tail
hw --no-history
order_is "chain: --no-history: chain length again (head, big, tail)" \
	head big tail

# Eager: the path counts, not the hook's own time: `solo` (0.2 s by its
# history) loses to `lead` (a millisecond) whose dependent `after` takes
# 0.6 s.
newcase path <<'EOF'
[settings]
jobs = 1
schedule = eager
[hook solo]
command = echo solo >>"$ORDER"
[hook lead]
command = echo lead >>"$ORDER"
[hook after]
depends = lead
command = echo after >>"$ORDER"
EOF
rm -f "$ORDER"
hw
expect_exit "path: first run exits 0" 0
order_is "path: no history: the longer chain first (lead, solo, after)" \
	lead solo after
hist=$(histfile) || hist=
hcheck "path: durations written (solo 0.2 s, lead 0.001 s, after 0.6 s)" \
	setdur solo 0.200000 lead 0.001000 after 0.600000
hw
expect_exit "path: second run exits 0" 0
order_is "path: own time + chain after it: lead (0.6 s path) before solo (0.2 s)" \
	lead after solo

# Waves: `after` waits for the whole first wave whichever of its hooks
# ends first, so inside a wave the longest hook goes first: solo, then
# lead (without a history the chain length decides).
sed -i '/^schedule = eager$/d' hookwave.ini
hw --no-history
expect_exit "waves: --no-history exits 0" 0
order_is "waves: without history, the longer chain first (lead, solo, after)" \
	lead solo after
hcheck "waves: durations written again" \
	setdur solo 0.200000 lead 0.001000 after 0.600000
hw
expect_exit "waves: with history exits 0" 0
order_is "waves: with history, the longest hook of the wave first (solo, lead, after)" \
	solo lead after

# --- the note on slow hooks ---------------------------------------------------

# Both hooks take 0.1 s. Before each run that must name nothing, their
# medians are written as 10 s, which no run of theirs comes near; before
# the run that must name `varies`, its median is written as 0.02 s (five
# times less than its sleep, and over the 0.01 s floor below which
# report_text.c names no hook, as its times are mostly noise) and
# `steady`'s stays 10 s.
newcase slownote <<'EOF'
[hook varies]
command = "$HOOKWAVE_TEST_HELPER" sleep 0.1
[hook steady]
command = "$HOOKWAVE_TEST_HELPER" sleep 0.1
EOF
slow_re='^hookwave: slow: '
for _i in 1 2 3; do
	if test "$_i" -gt 1; then
		hcheck "slow note: durations written before run $_i (10 s each)" \
			setdur varies 10.000000 steady 10.000000
	fi
	hw
	expect_exit "slow note: fast run $_i exits 0" 0
	if grep -q "$slow_re" "$tmp/out"; then
		fail "slow note: fast run $_i names no hook as slow"
		_show_run
	else
		_ok "slow note: fast run $_i names no hook as slow"
	fi
	hist=$(histfile) || hist=
done
hcheck "slow note: durations written (varies 0.02 s, steady 10 s)" \
	setdur varies 0.020000 steady 10.000000
hw --no-history
expect_exit "slow note: slow run with --no-history exits 0" 0
if grep -q "$slow_re" "$tmp/out"; then
	fail "slow note: --no-history, no median, no note"
	_show_run
else
	_ok "slow note: --no-history, no median, no note"
fi
hcheck "slow note: --no-history left the durations alone" \
	test "$(durs default "$(key_of varies)")" = 0.020000
hw
expect_exit "slow note: slow run exits 0" 0
expect_stdout_match "slow note: names varies, its time, ratio and median" \
	'^hookwave: slow: default/varies took [0-9]+\.[0-9]{2}s, [0-9]+\.[0-9]x its median [0-9]+\.[0-9]{2}s$'
check "slow note: just before the summary line" \
	grep -q '^hookwave: slow: default/varies ' <(tail -n 2 "$tmp/out" | head -n 1)
check "slow note: the summary is still the last line" \
	grep -q '^hookwave: 2 passed, 0 failed' <(tail -n 1 "$tmp/out")
if grep -q '^hookwave: slow: default/steady ' "$tmp/out"; then
	fail "slow note: steady is not named"
	_show_run
else
	_ok "slow note: steady is not named"
fi
check "slow note: one note only" test "$(grep -c "$slow_re" "$tmp/out")" -eq 1
hw -q
expect_exit "slow note: -q, all pass: exit 0" 0
expect_quiet "slow note: -q prints no note (nothing at all)"

cd "$tmp" || exit 1
finish
