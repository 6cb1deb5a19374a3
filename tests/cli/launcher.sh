#!/bin/bash
# launcher.sh - black-box tests of `launcher` and `launcher_shell`
# (hookwave.ini(5)): the launcher's words come before the hook's own
# argv, a hook's launcher wins over its strategy's, exit codes are the
# launcher's, a timeout ends the launcher's process group with
# everything in it, and launcher_shell hands a remote shell (here
# `sh -c`, standing in for ssh) one line that it splits back into the
# hook's exact words, file names with spaces and quotes included.

if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v pgrep >/dev/null 2>&1 || skip_all "no pgrep(1)"
need_helper
export LC_ALL=C

hw() {
	run timeout -k 5 60 "$HOOKWAVE" "$@"
}

newcase() {
	mkdir "$tmp/$1" && cd "$tmp/$1" || exit 1
	cat >hookwave.ini
}

# A launcher that notes its arguments, one a line, in argv.HOOK, then
# runs them as its child (as srun does) and passes their status on.
cat >"$tmp/rec" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"argv.$HOOKWAVE_HOOK"
"$@"
exit $?
EOF
chmod +x "$tmp/rec"
REC=$tmp/rec

# --- words before the argv, hook over strategy ----------------------------

newcase words <<EOF
[strategy far]
launcher = env LAUNCHED=1
[hook env]
strategy = far
command = sh -c 'echo "launched=\$LAUNCHED"'
[hook own]
strategy = far
launcher = $REC --opt 'two words'
command = wc -c
files = *.txt
[hook shell]
strategy = far
launcher = $REC
command = test -n "\$HOOKWAVE_HOOK" && exit 3
[hook bare]
command = echo "bare=\${LAUNCHED-unset}"
EOF
printf 'abc' >'a b.txt'
printf 'de' >"it's.txt"
# rec runs "--opt" "two words" wc -c FILES: "--opt" is not a program,
# so the argv file is what is checked; the hook fails with 127.
hw -v -j 1
expect_exit "words: a failing hook through a launcher fails the run" 1
expect_stdout_match "words: env LAUNCHED=1 before the hook's argv" '^launched=1$'
expect_stdout_match "words: a hook without a launcher runs as before" '^bare=unset$'
check "words: the hook's own launcher wins over its strategy's" \
	test "$(cat argv.own)" = "$(printf '%s\n' --opt 'two words' wc -c "a b.txt" "it's.txt")"
check "words: a shell command runs as /bin/sh -c after the launcher" \
	test "$(cat argv.shell)" = "$(printf '%s\n' /bin/sh -c 'test -n "$HOOKWAVE_HOOK" && exit 3')"
expect_stdout_match "words: the exit code is the launcher's" '^failed +far/shell .*exit 3$'
check "words: the strategy's launcher is env, not rec" test ! -e argv.env

newcase files <<EOF
[hook count]
launcher = $REC
command = wc -c
files = *.txt
EOF
printf 'abc' >'a b.txt'
printf 'de' >"it's.txt"
hw -v
expect_exit "files: exit status 0" 0
expect_stdout_match "files: a file with a space through the launcher" '^ *3 a b.txt$'
expect_stdout_match "files: a file with a quote through the launcher" "^ *2 it's.txt\$"

# --- a timeout ends the launcher's whole group ----------------------------

mark=1000.${$}07
newcase timeout <<EOF
[settings]
kill_grace = 1
[hook slow]
launcher = $REC
command = sleep $mark
timeout = 1
EOF
hw
expect_exit "timeout: exit status 1" 1
expect_stdout_match "timeout: the hook timed out through its launcher" '^timeout +default/slow'
gone() {
	local i=0
	while pgrep -f "^sleep $mark\$" >/dev/null; do
		i=$((i + 1))
		test "$i" -ge 50 && return 1
		"$HELPER" sleep 0.1
	done
}
check "timeout: the command under the launcher is gone" gone

# --- launcher_shell: one line a shell splits back --------------------------

newcase shell <<'EOF'
[strategy remote]
launcher = sh -c
launcher_shell = yes
[hook args]
strategy = remote
command = printf '<%s>\n' "a b" "it's" '$HOME'
[hook files]
strategy = remote
command = printf '[%s]\n'
files = *.txt
[hook plain]
strategy = remote
launcher_shell = no
launcher = env
command = printf '(%s)\n' x
EOF
printf x >'sp ace.txt'
printf x >"quo'te.txt"
printf x >'dq"$x.txt'
hw -v -j 1
expect_exit "shell: exit status 0" 0
expect_stdout_match "shell: an argument with a space" '^<a b>$'
expect_stdout_match "shell: an argument with a quote" "^<it's>\$"
expect_stdout_match "shell: \$ is not expanded by the remote shell" '^<\$HOME>$'
expect_stdout_match "shell: a file with a space" '^\[sp ace.txt\]$'
expect_stdout_match "shell: a file with a quote" "^\\[quo'te.txt\\]\$"
expect_stdout_match "shell: a file with \" and \$" '^\[dq"\$x.txt\]$'
expect_stdout_match "shell: a hook's launcher_shell = no wins" '^\(x\)$'

# --- a bad launcher is a config error at its line --------------------------

newcase bad <<'EOF'
[hook a]
command = true
launcher = ssh $HOST
EOF
hw
expect_exit "bad: exit status 2" 2
expect_stderr_line "bad: FILE:LINE and why" \
	"^hookwave: hookwave.ini:3: bad value for 'launcher': '\\\$' needs a shell"

finish
