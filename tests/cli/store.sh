#!/bin/bash
# store.sh - black-box tests of what the state store keeps of each run
# (hookwave(1), --failed, the history command, FILES): the results of
# every run, two runs at once both recorded, a garbage store (a
# warning, a normal run, a failing hook still fails), --failed rerunning
# exactly the hooks that did not pass with the files they had and the
# hooks after them (each hook records in a file what it was given), and
# `hookwave history` in text and JSON (read with jq).
#
# Every hookwave run is bounded by timeout(1); no check asserts how fast
# anything is. Runs that overlap are held by beacons the hooks write.

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

# The hooks here pass or fail on $BAD, outside their files: the result
# cache would spare their reruns, so it is off (tests/cli/cache.sh).
hw() {
	case ${1:-} in
	history) run timeout -k 5 60 "$HOOKWAVE" "$@" ;;
	*) run timeout -k 5 60 "$HOOKWAVE" --no-cache "$@" ;;
	esac
}

# newrepo NAME: a fresh repository $tmp/NAME with hookwave.ini from
# stdin and files a.txt, b.txt, c.txt; leaves us in it.
newrepo() {
	cd "$tmp" || exit 1
	mkdir "$tmp/$1" && cd "$tmp/$1" || exit 1
	git init -q || exit 1
	cat >hookwave.ini
	echo a >a.txt && echo b >b.txt && echo c >c.txt
	git add . || exit 1
	store=$PWD/.git/hookwave/state.sqlite
}

# got HOOK: the files HOOK was given since got.* was removed ("-" for none),
# sorted, space-separated; "" when it did not run.
got() {
	test -f "got.$1" || return 0
	tr ' ' '\n' <"got.$1" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# The hooks write what they got; `lint` fails for the files listed in
# $tmp/bad.
CONF='[hook lint]
command = sh -c '\''echo "$*" >>got.lint; for f; do grep -qx "$f" "$BAD" && exit 1; done; exit 0'\'' lint
files = *.txt
[hook types]
command = sh -c '\''echo "$*" >>got.types'\'' types
files = *.txt
depends = lint
[hook docs]
command = sh -c '\''echo - >got.docs'\''
[hook after-docs]
command = sh -c '\''echo - >got.after-docs'\''
depends = docs
[hook off]
command = sh -c '\''echo - >got.off'\''
enabled = no'
BAD=$tmp/bad
export BAD

# --- results recorded, --failed ------------------------------------------

newrepo failed <<EOF
$CONF
EOF
printf 'b.txt\n' >"$BAD"
hw
expect_exit "failing run: exit 1" 1
check "failing run: the store is in .git/hookwave" test -f "$store"
check "failing run: one result per hook that ran (4)" \
	test "$(sqlite3 "$store" 'SELECT count(*) FROM results')" -eq 4
check "failing run: lint's three files are recorded" \
	test "$(sqlite3 "$store" "SELECT length(files) FROM results WHERE name = 'lint'")" -eq 18
check "failing run: the passing hooks' files are not" \
	test "$(sqlite3 "$store" "SELECT count(*) FROM results WHERE files IS NOT NULL")" -eq 2
rm -f got.*
hw --failed
expect_exit "--failed: lint still fails: exit 1" 1
check "--failed: lint ran with the files it had" \
	test "$(got lint)" = "a.txt b.txt c.txt"
check "--failed: types (skipped for lint) ran again" \
	test ! -e got.types
expect_stdout_match "--failed: types is skipped for lint again" \
	'^skipped +default/types .*dependency lint failed'
check "--failed: docs (passed) did not run" test ! -e got.docs
check "--failed: after-docs (passed) did not run" test ! -e got.after-docs
check "--failed: the disabled hook did not run" test ! -e got.off
check "--failed: hooks not rerun are left out of the report" \
	sh -c "! grep -E 'docs|off' '$tmp/out'"
# Fixed: lint and types run, then nothing is left to rerun.
: >"$BAD"
echo d >d.txt                   # a new file: not one lint had
git add d.txt
rm -f got.*
hw --failed
expect_exit "--failed, fixed: exit 0" 0
check "--failed, fixed: lint got exactly the files it had" \
	test "$(got lint)" = "a.txt b.txt c.txt"
check "--failed, fixed: types (skipped with three files) ran with those" \
	test "$(got types)" = "a.txt b.txt c.txt"
check "--failed, fixed: docs did not run" test ! -e got.docs
rm -f got.*
hw --failed
expect_exit "--failed, nothing to rerun: exit 0" 0
check "--failed, nothing to rerun: no hook ran" \
	test -z "$(ls got.* 2>/dev/null)"
check "--failed, nothing to rerun: no hook in the report" \
	sh -c "! grep -E '^(passed|failed|skipped)' '$tmp/out'"

# A hook with no earlier result counts as not passed; so does a file it
# had that is gone (it gets the rest).
newrepo noresult <<EOF
$CONF
EOF
rm -f got.*
hw --failed
expect_exit "--failed, no earlier result: exit 0" 0
check "--failed, no earlier result: every enabled hook ran" \
	test -e got.lint -a -e got.types -a -e got.docs -a -e got.after-docs
check "--failed, no earlier result: not the disabled one" test ! -e got.off
printf 'a.txt\n' >"$BAD"
hw
git rm -q --cached a.txt && rm a.txt
: >"$BAD"
rm -f got.*
hw --failed
expect_exit "--failed, a file gone: exit 0" 0
check "--failed, a file gone: lint got the others" \
	test "$(got lint)" = "b.txt c.txt"
: >"$BAD"

# A dependent whose own last result was a pass runs with the listing.
newrepo dependent <<EOF
$CONF
EOF
hw
expect_exit "dependent: all pass: exit 0" 0
printf 'a.txt\n' >"$BAD"
hw --skip types
expect_exit "dependent: lint fails, types left out: exit 1" 1
: >"$BAD"
echo d >d.txt && git add d.txt
rm -f got.*
hw --failed
expect_exit "dependent: --failed: exit 0" 0
check "dependent: lint got the files it had" \
	test "$(got lint)" = "a.txt b.txt c.txt"
check "dependent: types, after it, got the listing" \
	test "$(got types)" = "a.txt b.txt c.txt d.txt"
check "dependent: docs did not run" test ! -e got.docs

# A failed hook with its dependents: docs fails, after-docs is skipped.
newrepo chain <<EOF
$CONF
EOF
sed 's/^command = sh -c .echo - >got.docs.$/command = sh -c '\''echo - >got.docs; test -e ok'\''/' \
	hookwave.ini >h && mv h hookwave.ini
hw
expect_exit "chain: docs fails: exit 1" 1
touch ok
rm -f got.*
hw --failed
expect_exit "chain: --failed: exit 0" 0
check "chain: --failed: docs and after-docs ran" \
	test -e got.docs -a -e got.after-docs
check "chain: --failed: lint and types did not" \
	test ! -e got.lint -a ! -e got.types

# --- a garbage store -----------------------------------------------------

newrepo garbage <<EOF
$CONF
EOF
hw
printf 'b.txt\n' >"$BAD"
head -c 5000 /dev/urandom >"$store"
hw
expect_exit "garbage store: the run goes on; lint fails: exit 1" 1
expect_stderr_has "garbage store: a warning says it is set aside" "set aside"
expect_stdout_match "garbage store: a failing file still fails" \
	'^failed +default/lint '
check "garbage store: set aside beside it" \
	test "$(ls .git/hookwave | grep -c 'state\.sqlite\.damaged-')" -eq 1
check "garbage store: a new one holds this run" \
	test "$(sqlite3 "$store" 'SELECT count(*) FROM results')" -eq 4
: >"$BAD"
hw
check "garbage store: next run, no warning" test ! -s "$tmp/err"

# --- two runs at once ----------------------------------------------------

newrepo overlap <<'EOF'
[hook a]
command = if test -n "${HW_WAIT:-}"; then "$HOOKWAVE_TEST_HELPER" beacon "$HW_WAIT.started" && "$HOOKWAVE_TEST_HELPER" wait "$HW_WAIT.go" 60; fi
EOF
HW_WAIT=$tmp/overlap timeout -k 5 90 "$HOOKWAVE" </dev/null \
	>"$tmp/overlap.out" 2>&1 &
overlap_pid=$!
"$HOOKWAVE_TEST_HELPER" wait "$tmp/overlap.started" 60
hw
expect_exit "two runs at once: the second exits 0" 0
"$HOOKWAVE_TEST_HELPER" beacon "$tmp/overlap.go"
wait "$overlap_pid"
status=$?
expect_exit "two runs at once: the first exits 0" 0
check "two runs at once: both results recorded" \
	test "$(sqlite3 "$store" 'SELECT count(*) FROM results')" -eq 2
check "two runs at once: the store is sound" \
	test "$(sqlite3 "$store" 'PRAGMA quick_check')" = ok

# --- hookwave history ----------------------------------------------------

newrepo hist <<EOF
$CONF
EOF
hw history
expect_exit "history, no store yet: exit 0" 0
check "history, no store yet: none is made" test ! -e "$store"
expect_stdout_match "history, no store yet: a header" \
	'^HOOK +STRATEGY +RUNS +LAST +WHEN +MEDIAN +P90 +TREND$'
expect_stdout_match "history, no store yet: lint with 0 runs" \
	'^lint +default +0 +- +- +- +- +-$'
for _i in 1 2 3 4 5 6; do hw; done
printf 'b.txt\n' >"$BAD"
hw
: >"$BAD"
hw history
expect_exit "history: exit 0" 0
expect_stdout_match "history: lint, 7 runs, failed last" \
	'^lint +default +7 +failed +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +[0-9.]+s +[0-9.]+s +(faster|steady|slower)$'
expect_stdout_match "history: types, skipped last, no trend without durations of its last run" \
	'^types +default +7 +skipped '
check "history: one line per hook and a header (6)" \
	test "$(wc -l <"$tmp/out")" -eq 6
# The columns line up: every line has its RUNS column at one place.
check "history: aligned" \
	test "$(awk '{ print index($0, $3 " ") }' "$tmp/out" | sort -u | wc -l)" -le 2
hw history -f json lint
expect_exit "history -f json lint: exit 0" 0
check "history -f json lint: one object" test "$(wc -l <"$tmp/out")" -eq 1
check "history -f json: the fields and their types" \
	jq -e 'select(.type == "history" and .name == "lint" and
		.strategy == "default" and .runs == 7 and
		.last_status == "failed" and
		(.last_run | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and
		(.median | type) == "number" and (.p90 | type) == "number" and
		.p90 >= .median and
		(.trend == "faster" or .trend == "steady" or .trend == "slower"))' \
	"$tmp/out"
hw history -f json
check "history -f json: one object per hook (5)" \
	test "$(jq -s length "$tmp/out")" -eq 5
check "history -f json: a hook never run has nulls" \
	jq -e -s '.[] | select(.name == "off") | .runs == 0 and
		.last_status == null and .last_run == null and
		.median == null and .p90 == null and .trend == null' "$tmp/out"
hw history nosuchhook
expect_exit "history of an unknown hook: exit 2" 2
hw history -f tap
expect_exit "history -f tap: exit 2" 2

cd "$tmp" || exit 1
finish
