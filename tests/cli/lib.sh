# lib.sh - shared helpers for hookwave's black-box tests.
#
# Source it first thing:   . "$(dirname "$0")/lib.sh"
#
# It provides:
#   $HOOKWAVE   absolute path of the binary (default: ../../hookwave from here)
#   $TESTDATA   absolute path of tests/data (default: ../data from here)
#   $tmp        a private directory, removed on exit; write only there
#   run CMD...  run CMD, stdout to $tmp/out, stderr to $tmp/err, exit in $status
#   check NAME CMD...            a check that passes when CMD succeeds
#   expect_exit NAME CODE        the last run exited with CODE
#   expect_stdout NAME TEXT      its stdout is exactly TEXT (plus a newline)
#   expect_stdout_match NAME RE  a line of its stdout matches RE (grep -E)
#   expect_stderr_line NAME RE   its stderr is exactly one line, matching RE
#   expect_stderr_has NAME TEXT  its stderr contains TEXT (fixed string)
#   expect_quiet NAME            it printed nothing at all
#   fail NAME [DETAIL...]        record a failed check
#   skip_all REASON              skip the whole script (exit 77)
#   finish                       print "# N checks, M failed"; exit 0 or 1
#
# Each check prints "ok N - NAME" or "not ok N - NAME" and, on failure,
# what went wrong as "# " lines.

set -u

_lib_dir=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd) || exit 1

# Make a path absolute (the directory must exist), so tests may cd.
_abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")" ;;
	esac
}

HOOKWAVE=${HOOKWAVE:-$_lib_dir/../../hookwave}
if ! test -x "$HOOKWAVE" || test -d "$HOOKWAVE"; then
	echo "lib.sh: no hookwave binary at '$HOOKWAVE' (set HOOKWAVE)" >&2
	exit 1
fi
HOOKWAVE=$(_abspath "$HOOKWAVE")
TESTDATA=${TESTDATA:-$_lib_dir/../data}
if ! test -d "$TESTDATA"; then
	echo "lib.sh: no test data directory '$TESTDATA' (set TESTDATA)" >&2
	exit 1
fi
TESTDATA=$(cd "$TESTDATA" && pwd)
export HOOKWAVE TESTDATA

# The environment must not choose a config, hooks or logs for us.
unset HOOKWAVE_CONFIG HOOKWAVE_SKIP SKIP HOOKWAVE_LOG

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hookwave-test.XXXXXX") || exit 1
# Durations a run remembers (history.h) stay in this test's own directory.
export XDG_CACHE_HOME="$tmp/cache"
_lib_hdir=
# lib_cleanup: remove what lib.sh made; a script with its own EXIT trap calls it.
lib_cleanup() {
	rm -rf "$tmp"
	test -n "$_lib_hdir" && rm -rf "$_lib_hdir"
	return 0
}
trap lib_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

checks=0
failed=0
status=0

_ok() {
	checks=$((checks + 1))
	echo "ok $checks - $1"
}

# fail NAME [DETAIL...]: record a failed check, each DETAIL a "# " line.
fail() {
	checks=$((checks + 1))
	failed=$((failed + 1))
	echo "not ok $checks - $1"
	shift
	for _line in "$@"; do
		printf '#   %s\n' "$_line"
	done
}

# Show the captured output of the last run after a failure.
_show_run() {
	echo "#   exit status: $status"
	if test -s "$tmp/out"; then
		echo "#   stdout:"
		head -n 20 "$tmp/out" | sed 's/^/#     /'
	fi
	if test -s "$tmp/err"; then
		echo "#   stderr:"
		head -n 20 "$tmp/err" | sed 's/^/#     /'
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

# need_helper: HELPER (absolute) and the exported HOOKWAVE_TEST_HELPER
# name tests/helper, built beside this script; skip the script without it.
need_helper() {
	HELPER=${HOOKWAVE_TEST_HELPER:-$_lib_dir/../helper}
	if ! test -x "$HELPER"; then
		skip_all "no test helper at '$HELPER' (set HOOKWAVE_TEST_HELPER)"
	fi
	HELPER=$(_abspath "$HELPER")
	# Hooks name the helper in config lines, which have a length limit
	# (199 bytes): a build deep in the file system (make distcheck under
	# a long path) must not make them too long, so hooks get a short link.
	_lib_hdir=$(mktemp -d "${TMPDIR:-/tmp}/hwh.XXXXXX") || exit 1
	chmod 755 "$_lib_hdir"
	ln -s "$HELPER" "$_lib_hdir/helper" || exit 1
	HELPER=$_lib_hdir/helper
	HOOKWAVE_TEST_HELPER=$HELPER
	export HOOKWAVE_TEST_HELPER
}

# isolate_git: git must see neither the user's configuration nor a
# repository above $tmp, nor one handed down by a calling git hook.
isolate_git() {
	unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
		GIT_COMMON_DIR GIT_PREFIX GIT_NAMESPACE
	export GIT_CONFIG_NOSYSTEM=1
	export GIT_CONFIG_GLOBAL=/dev/null
	export HOME=$tmp/home
	mkdir -p "$HOME"
	GIT_CEILING_DIRECTORIES=$(dirname "$tmp")
	export GIT_CEILING_DIRECTORIES
}

# run CMD...: run it with stdin from /dev/null and capture everything.
run() {
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1
	shift
	if "$@"; then
		_ok "$_name"
	else
		fail "$_name" "failed: $*"
	fi
}

expect_exit() {
	if test "$status" -eq "$2"; then
		_ok "$1"
	else
		fail "$1" "want exit status $2"
		_show_run
	fi
}

expect_stdout() {
	if printf '%s\n' "$2" | cmp -s - "$tmp/out"; then
		_ok "$1"
	else
		fail "$1" "want stdout:"
		printf '%s\n' "$2" | sed 's/^/#     /'
		_show_run
	fi
}

expect_stdout_match() {
	if LC_ALL=C grep -E -q -e "$2" "$tmp/out"; then
		_ok "$1"
	else
		fail "$1" "no line of stdout matches: $2"
		_show_run
	fi
}

# Exactly one line, newline-terminated, matching the extended regex.
expect_stderr_line() {
	if test "$(wc -l <"$tmp/err")" -eq 1 &&
	   test "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" = '\n' &&
	   LC_ALL=C grep -E -q -e "$2" "$tmp/err"; then
		_ok "$1"
	else
		fail "$1" "want stderr to be one line matching: $2"
		_show_run
	fi
}

expect_stderr_has() {
	if LC_ALL=C grep -F -q -e "$2" "$tmp/err"; then
		_ok "$1"
	else
		fail "$1" "stderr lacks: $2"
		_show_run
	fi
}

expect_quiet() {
	if ! test -s "$tmp/out" && ! test -s "$tmp/err"; then
		_ok "$1"
	else
		fail "$1" "want no output at all"
		_show_run
	fi
}

finish() {
	echo "1..$checks"
	echo "# $checks checks, $failed failed"
	test "$failed" -eq 0 && exit 0
	exit 1
}
