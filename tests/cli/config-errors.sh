#!/bin/bash
# config-errors.sh - black-box tests of configuration errors: every
# golden file in tests/data/bad makes hookwave exit 2 with one line,
# "hookwave: FILE:LINE: message", before it runs anything. Also config
# files that are missing, directories, pipes, BOM + CRLF, empty.
#
# The table below must match tests/unit/check_conf.c (bad_cases).

# This script needs bash (process substitution); automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

bad=$TESTDATA/bad

# name|line|part of the message
cases='
no-equals|3|cannot parse this line
unterminated-section|1|cannot parse this line
long-line|3|line too long (200 bytes, the limit is 199)
nul-byte|3|NUL byte
unknown-key-suggest|3|unknown key '\''comand'\'' in [hook a] (did you mean '\''command'\''?)
unknown-key|3|unknown key '\''zzzzzzzz'\'' in [hook a]
unknown-section-suggest|4|unknown section [hooks b] (did you mean [hook b]?)
unknown-section|4|unknown section [zzzzzz]
key-outside-section|2|'\''command'\'' is outside any section
duplicate-hook|7|duplicate hook '\''a'\''
duplicate-strategy|8|duplicate section [strategy x]
duplicate-settings|3|duplicate section [settings]
repeated-key|5|'\''timeout'\'' is set twice in [hook a]
missing-command|4|hook '\''b'\'' has no '\''command'\''
missing-command-last|4|hook '\''b'\'' has no '\''command'\''
empty-value|3|'\''cwd'\'' has an empty value
unknown-dependency|6|hook '\''b'\'' depends on unknown hook '\''c'\''
cross-strategy|8|depends on '\''a'\'' of another strategy (fast)
self-dependency|6|hook '\''b'\'' depends on itself
cycle-2|3|dependency cycle: a -> b -> a
cycle-3|3|dependency cycle: a -> b -> c -> a
cycle-order|9|dependency cycle: c -> a -> b -> c
number-negative|2|bad value '\''-1'\'' for '\''timeout'\''
number-hex|2|bad value '\''0x10'\'' for '\''kill_grace'\''
number-exponent|2|bad value '\''1e3'\'' for '\''output_limit'\''
number-unit|3|bad value '\''10s'\'' for '\''timeout'\''
number-overflow|3|bad value '\''99999999999999999999'\'' for '\''batch_size'\''
number-continued|3|bad value '\''1 2'\'' for '\''timeout'\''
jobs-zero|2|bad value '\''0'\'' for '\''jobs'\''
max-workers-zero|2|bad value '\''0'\'' for '\''max_workers'\''
max-concurrent-zero|2|bad value '\''0'\'' for '\''max_concurrent_strategies'\''
bad-boolean|3|bad value '\''maybe'\'' for '\''critical'\''
bad-schedule|2|bad value '\''parallel'\'' for '\''schedule'\''
bad-cache|5|bad value '\''yes'\'' for '\''cache'\'': want whole, files or no
bad-settings-cache|3|bad value '\''per-file'\'' for '\''cache'\'': want whole, files or no
git-hooks-unknown|3|unknown git hook '\''pre-comit'\'' in '\''git_hooks'\''
name-slash|4|bad hook name '\''lint/ruff'\'': it contains '\''/'\''
name-comma|1|bad hook name '\''a,b'\'': it contains '\'','\''
name-too-long|4|is longer than 64 bytes
name-utf8|1|is not valid UTF-8
name-control|1|contains a control character
strategy-name|3|bad strategy name '\''fast/slow'\''
section-no-name|4|section [hook] needs a name
text-after-header|1|unexpected text after the section header
env-no-equals|4|bad value '\''PATH'\'' for '\''env'\''
depends-empty|3|'\''depends'\'' names no hook
first-error-wins|1|hook '\''a'\'' has no '\''command'\''
command-no-equals|2|cannot parse this line
strategy-typo|6|strategy '\''fsat'\'' has no section (did you mean '\''fast'\''?)
files-command-operator|2|hook '\''secrets'\'' has files, but its command ends with '\'';'\'', so the first file would run as a command
files-command-comment|3|its command ends with a comment, '\''# fast'\'', which would swallow the files
bad-type|4|unknown type '\''pyhton'\'' in '\''types'\''
bad-regex|3|bad value for '\''files_regex'\'': 
exclude-types-alone|7|hook '\''bin'\'' has '\''exclude_types'\'' but no '\''files'\'', '\''files_regex'\'' or '\''types'\'' to narrow
yaml-pre-commit|3|this is a pre-commit config, not hookwave'\''s INI: convert it with '\''hookwave migrate 
yaml-lefthook|1|this is a lefthook config, not hookwave'\''s INI: convert it with '\''hookwave migrate 
'

# Escape a string for use in an extended regular expression.
ere_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

work=$tmp/work
mkdir "$work" && cd "$work" || exit 1

# check_bad NAME LINE MESSAGE FILE: hookwave -c FILE fails as it should.
check_bad() {
	_n=$1 _l=$2 _m=$3 _f=$4
	rm -f ran
	run "$HOOKWAVE" -c "$_f"
	expect_exit "$_n: exit status 2" 2
	expect_stderr_line "$_n: one line naming $_n.ini:$_l" \
		"^hookwave: .*$(ere_quote "$(basename "$_f")"):$_l: "
	expect_stderr_has "$_n: message" "$_m"
	check "$_n: nothing on stdout" test ! -s "$tmp/out"
	check "$_n: nothing ran" test ! -e ran
	cp "$tmp/err" "$tmp/err.run"
	# The validating modes report it the same way.
	for _mode in --check-config -l -n; do
		run "$HOOKWAVE" -c "$_f" "$_mode"
		if test "$status" -eq 2 && cmp -s "$tmp/err" "$tmp/err.run" &&
		   ! test -s "$tmp/out"; then
			check "$_n: same error with $_mode" true
		else
			fail "$_n: same error with $_mode" "first: $(cat "$tmp/err.run")"
			_show_run
		fi
	done
	check "$_n: nothing ran at all" test ! -e ran
}

listed=' '
while IFS='|' read -r name line msg; do
	test -n "$name" || continue
	listed="$listed$name.ini "
	if ! test -f "$bad/$name.ini"; then
		fail "$name: golden file exists" "no $bad/$name.ini"
		continue
	fi
	check_bad "$name" "$line" "$msg" "$bad/$name.ini"
done <<EOF
$cases
EOF

# Every golden file is in the table.
for f in "$bad"/*.ini; do
	b=$(basename "$f")
	case $listed in
	*" $b "*) ;;
	*) fail "$b is in the table of config-errors.sh" ;;
	esac
done

# A 1 MB line, generated rather than kept in the tree.
{
	printf '[hook a]\ncommand = touch ran\n\n[hook b]\ncommand = '
	head -c 1000000 /dev/zero | tr '\0' x
	printf '\n'
} >"$tmp/one-mb.ini"
check_bad one-mb 5 "line too long (1000010 bytes, the limit is 199)" "$tmp/one-mb.ini"

# A missing file: exit 2, and the message names it.
run "$HOOKWAVE" -c "$tmp/no-such.ini"
expect_exit "missing -c file: exit status 2" 2
expect_stderr_line "missing -c file: one line naming the file" \
	"^hookwave: $(ere_quote "$tmp/no-such.ini"): "
check "missing -c file: nothing ran" test ! -e ran

run "$HOOKWAVE" -c no-such.ini --check-config
expect_exit "missing relative -c file: exit status 2" 2
expect_stderr_line "missing relative -c file: named" "^hookwave: no-such\.ini: "

HOOKWAVE_CONFIG=$tmp/env-missing.ini run "$HOOKWAVE" --check-config
expect_exit "missing HOOKWAVE_CONFIG file: exit status 2" 2
expect_stderr_line "missing HOOKWAVE_CONFIG file: named" "env-missing\.ini"

# A directory.
mkdir "$tmp/dir.ini"
run "$HOOKWAVE" -c "$tmp/dir.ini"
expect_exit "directory as config: exit status 2" 2
expect_stderr_line "directory as config: one line naming it" \
	"^hookwave: $(ere_quote "$tmp/dir.ini"): "

# An unreadable file (not as root: root reads anything).
if test "$(id -u)" -ne 0; then
	printf '[hook a]\ncommand = touch ran\n' >"$tmp/secret.ini"
	chmod 000 "$tmp/secret.ini"
	run "$HOOKWAVE" -c "$tmp/secret.ini"
	expect_exit "unreadable config: exit status 2" 2
	expect_stderr_line "unreadable config: named" "secret\.ini"
	check "unreadable config: nothing ran" test ! -e ran
fi

# A pipe, as with <(...).
run "$HOOKWAVE" -c <(printf '[hook piped]\ncommand = touch ran\n') -l
expect_exit "-c <(...): exit status 0" 0
expect_stdout_match "-c <(...): the hook is listed" '^piped +default +1 +-$'
run "$HOOKWAVE" -c <(printf '[hook piped]\ncommand = touch ran\n') --check-config
expect_exit "-c <(...) --check-config: exit status 0" 0
expect_quiet "-c <(...) --check-config: silent"
run "$HOOKWAVE" -c <(printf '[hook a]\ncommand = touch ran\nbogus = 1\n')
expect_exit "-c <(bad): exit status 2" 2
expect_stderr_line "-c <(bad): error at line 3 of /dev/fd/N" \
	"^hookwave: /(dev|proc/self)/fd/[0-9]+:3: unknown key 'bogus'"
check "-c <(bad): nothing ran" test ! -e ran

# A BOM and CRLF line ends are accepted.
printf '\357\273\277; made on Windows\r\n[settings]\r\njobs = 2\r\n\r\n[hook crlf]\r\ncommand = touch ran\r\n  --long-option\r\ndepends = other\r\n[hook other]\r\ncommand = touch ran\r\n' \
	>"$tmp/bom-crlf.ini"
run "$HOOKWAVE" -c "$tmp/bom-crlf.ini" --check-config
expect_exit "BOM + CRLF: --check-config exits 0" 0
expect_quiet "BOM + CRLF: --check-config prints nothing"
run "$HOOKWAVE" -c "$tmp/bom-crlf.ini" -l
expect_exit "BOM + CRLF: -l exits 0" 0
expect_stdout_match "BOM + CRLF: no CR in names or dependencies" '^crlf +default +2 +other$'
check "BOM + CRLF: nothing ran" test ! -e ran

# An empty file is a valid config with no hooks.
: >"$tmp/empty.ini"
run "$HOOKWAVE" -c "$tmp/empty.ini" --check-config
expect_exit "empty file: --check-config exits 0" 0
expect_quiet "empty file: --check-config prints nothing"
run "$HOOKWAVE" -c "$tmp/empty.ini" -n
expect_exit "empty file: -n exits 0" 0
check "empty file: -n is silent on stderr" test ! -s "$tmp/err"
run "$HOOKWAVE" -c "$tmp/empty.ini" -l
expect_exit "empty file: -l exits 0" 0
printf '; nothing but a comment\n\n[settings]\n' >"$tmp/comment.ini"
run "$HOOKWAVE" -c "$tmp/comment.ini" --check-config
expect_exit "comments and [settings] only: valid" 0
expect_quiet "comments and [settings] only: silent"

# The locale changes nothing: not messages, not listings.
for args in "-c $bad/name-utf8.ini" "-c $bad/unknown-key-suggest.ini" \
	    "-c $bad/cycle-order.ini -l" "-c $tmp/bom-crlf.ini -l" \
	    "-c $tmp/bom-crlf.ini -n" "-c $tmp/no-such.ini" "-j abc"; do
	# shellcheck disable=SC2086
	LC_ALL=C "$HOOKWAVE" $args >"$tmp/c.out" 2>&1
	c_status=$?
	# shellcheck disable=SC2086
	LC_ALL=C.UTF-8 "$HOOKWAVE" $args >"$tmp/u.out" 2>&1
	u_status=$?
	if test "$c_status" = "$u_status" && cmp -s "$tmp/c.out" "$tmp/u.out"; then
		check "LC_ALL=C and C.UTF-8 agree: $args" true
	else
		fail "LC_ALL=C and C.UTF-8 agree: $args" \
			"C ($c_status): $(head -c 300 "$tmp/c.out")" \
			"C.UTF-8 ($u_status): $(head -c 300 "$tmp/u.out")"
	fi
done

finish
