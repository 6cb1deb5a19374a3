#!/bin/bash
# commands.sh - black-box tests of how a hook's command is run: which
# commands take the hook's files (`sh -c 'COMMAND "$@"'`) and which are
# refused at their line, which run without a shell and which through
# it (the shell's builtins), and what the hook sees of its directory.
#
# Every hookwave run is bounded by timeout(1); hooks print what they
# see and the checks read hookwave's -v output.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"

export LC_ALL=C

hw() {
	run timeout -k 5 120 "$HOOKWAVE" "$@"
}

# A run directory with a few files, outside git; $top_p is its
# physical path (with no symlink on the way).
top=$tmp/top
mkdir -p "$top/sub/inner" "$top/bin" || exit 1
top_p=$(cd "$top" && pwd -P) || exit 1
: >"$top/a.c"; : >"$top/sub/b.c"; : >"$top/sub/inner/c.c"
cd "$top" || exit 1

# args: print each argument in brackets, one per line.
cat >"$top/bin/args" <<'EOF'
#!/bin/sh
for a; do printf '[%s]\n' "$a"; done
EOF
chmod +x "$top/bin/args"
PATH=$top/bin:$PATH
export PATH

# --- commands that cannot take the files are refused -------------------

bad_command() {	# NAME COMMAND PART-OF-MESSAGE
	printf '[hook h]\nfiles = *.c\ncommand = %s\n' "$2" >"$tmp/bad.ini"
	rm -f "$tmp/ran"
	hw -c "$tmp/bad.ini" --all-files
	expect_exit "$1: exit status 2" 2
	expect_stderr_line "$1: one line, at the command's line" \
		"^hookwave: .*bad\.ini:3: hook 'h' has files, but its command "
	expect_stderr_has "$1: says why" "$3"
	check "$1: nothing ran" test ! -e "$tmp/ran"
}

bad_command "trailing ;" "touch $tmp/ran;" \
	"ends with ';', so the first file would run as a command"
bad_command "trailing &&" "touch $tmp/ran &&" "ends with '&&'"
bad_command "trailing |" "touch $tmp/ran |" "ends with '|'"
bad_command "comment" "touch $tmp/ran # the files would go here" \
	"ends with a comment, '# the files would go here', which would swallow the files"
bad_command "then" "if true; then" "ends with 'then'"
bad_command "redirection" "args >" \
	"ends with a redirection, '>', so the first file would be its target"
bad_command "assignment only" "X=1" "has no command word"
bad_command "trailing backslash" 'args \' "ends with a backslash"
bad_command "done" 'for f; do args "$f"; done' "ends with 'done'"
check "refused commands: no file was made or clobbered" \
	test ! -s "$top/a.c" -a ! -s "$top/sub/b.c"

# The same commands without files are the shell's business.
printf '[hook h]\ncommand = touch %s;\n' "$tmp/ran" >"$tmp/nofiles.ini"
hw -c "$tmp/nofiles.ini"
expect_exit "trailing ; without files: runs" 0
check "trailing ; without files: it ran" test -e "$tmp/ran"

# --- ordinary commands take the files as arguments ---------------------

good_command() {	# NAME COMMAND EXPECTED-LINE...
	_n=$1 _c=$2
	shift 2
	printf '[hook h]\nfiles = a.c\ncommand = %s\n' "$_c" >"$tmp/good.ini"
	hw -c "$tmp/good.ini" --all-files -v
	expect_exit "$_n: passes" 0
	for _l; do
		check "$_n: prints $_l" grep -qxF -- "$_l" "$tmp/out"
	done
}

good_command "negated grep" "! grep -nE 'zzz'"
good_command "&& list" "true && args x" "[x]" "[a.c]"
good_command "quoted ;" "args --opt='a;b'" "[--opt=a;b]" "[a.c]"
good_command "# in a quoted string" "sh -c 'args \"\$@\" # a note' sh" "[a.c]"
good_command "# inside a word" "args a#b" "[a#b]" "[a.c]"
good_command "pipe" "true | args" "[a.c]"
good_command "plain words" "args -x --" "[-x]" "[--]" "[a.c]"

# --- the shell's own commands run in the shell ---------------------------

# dash's echo takes no options: an echo from PATH would take -e.
printf '[hook e]\ncommand = echo -e x\n' >"$tmp/echo.ini"
hw -c "$tmp/echo.ini" -v
expect_exit "echo -e: passes" 0
check "echo -e: the shell's echo prints -e x" grep -qx -- '-e x' "$tmp/out"

# A builtin of the same name earlier in PATH is not what runs.
for b in echo printf test true kill pwd; do
	printf '#!/bin/sh\necho "PATH %s"\n' "$b" >"$top/bin/$b"
	chmod +x "$top/bin/$b"
done
printf '[hook t]\ncommand = true\n[hook p]\ncommand = printf x\n[hook k]\ncommand = kill -0 %s\n' \
	"$$" >"$tmp/builtins.ini"
hw -c "$tmp/builtins.ini" -v
expect_exit "builtins: pass" 0
check "builtins: none ran from PATH" eval '! grep -q "^PATH " "$tmp/out"'
rm -f "$top/bin/echo" "$top/bin/printf" "$top/bin/test" "$top/bin/true" \
	"$top/bin/kill" "$top/bin/pwd"

# --- the hook's directory: cwd and PWD ------------------------------------

# Every spelling of a directory under the run directory gives the hook
# the files under it, relative to it (its physical directory, then the
# files, in one batch).
ln -s sub "$top/linksub"
ln -s "$tmp" "$top/uplink"
cwd_case() {	# CWD EXPECTED-OUTPUT
	printf '[hook h]\nfiles = *.c\nbatch_size = 100\ncommand = printf "%%s\\n" "$(pwd -P)"\ncwd = %s\n' \
		"$1" >"$tmp/cwd.ini"
	hw -c "$tmp/cwd.ini" --all-files -f json -v
	if test "$status" -eq 0 &&
	   test "$(jq -r 'select(.type == "hook") | .output' "$tmp/out")" = "$2"; then
		_ok "cwd = $1: the files under it, relative to it"
	else
		fail "cwd = $1: the files under it, relative to it" "want: $2"
		_show_run
	fi
}
sub_out="$top_p/sub
b.c
inner/c.c"
for c in sub sub/ ./sub sub/. sub//. sub/inner/.. sub/../sub ./sub/./ \
	 "$top/sub" "$top//sub/." ../top/sub linksub linksub/; do
	cwd_case "$c" "$sub_out"
done
cwd_case sub//inner "$top_p/sub/inner
c.c"
cwd_case . "$top_p
a.c
sub/b.c
sub/inner/c.c"
cwd_case "$top" "$top_p
a.c
sub/b.c
sub/inner/c.c"

# Outside the run directory: no files, whatever it holds. "link/.." is
# where chdir(2) goes: the parent of the link's target, outside here.
mkdir -p "$tmp/out-dir" && : >"$tmp/out-dir/z.c"
for c in .. ../out-dir "$tmp/out-dir" uplink/out-dir uplink/out-dir/..; do
	printf '[hook h]\nfiles = *.c\ncommand = printf "%%s\\n"\ncwd = %s\n' "$c" >"$tmp/cwd.ini"
	hw -c "$tmp/cwd.ini" --all-files -f json
	check "cwd = $c (outside): skipped, no files" \
		jq -e -s 'map(select(.type == "hook")) | .[0].status == "skipped" and .[0].reason == "no files"' "$tmp/out"
done

# PWD names the hook's directory, with or without a shell, whatever
# PWD hookwave was given and whatever an env line says.
cat >"$tmp/pwd.ini" <<'EOF'
[hook direct]
command = printenv PWD
[hook shell]
command = echo "$PWD"
[hook direct-cwd]
command = printenv PWD
cwd = sub/inner/..
[hook shell-cwd]
command = echo "$PWD"
cwd = ./sub/
[hook env-line]
command = printenv PWD
env = PWD=/nonsense
EOF
pwd_check() {	# LABEL WANT-TOP
	if test "$status" -eq 0 &&
	   jq -e -s --arg t "$2" 'map(select(.type == "hook") | {(.name): .output}) | add |
		.direct == "\($t)\n" and .shell == "\($t)\n" and
		."direct-cwd" == "\($t)/sub\n" and ."shell-cwd" == "\($t)/sub\n" and
		."env-line" == "\($t)\n"' "$tmp/out" >/dev/null; then
		_ok "PWD: $1"
	else
		fail "PWD: $1" "want $2"
		_show_run
	fi
}
PWD=$top hw -c "$tmp/pwd.ini" -f json -v
pwd_check "in the run directory" "$top"
PWD=/ hw -C "$top" -c "$tmp/pwd.ini" -f json -v
pwd_check "with -C, hookwave's PWD being elsewhere" "$top_p"
PWD=/nonsense hw -c "$tmp/pwd.ini" -f json -v
pwd_check "hookwave's PWD names no directory" "$top_p"
# A run directory reached through a symlink keeps its name, as in sh.
ln -s "$top" "$tmp/toplink"
cd "$tmp/toplink" || exit 1
PWD=$tmp/toplink hw -c "$tmp/pwd.ini" -f json -v
pwd_check "through a symlink, as the shell had it" "$tmp/toplink"
cd "$top" || exit 1

finish
