#!/usr/bin/env bash
# hookwave under valgrind: no memory error and no fd left open at exit,
# through passing, failing, timed-out, batched and reported runs.
# Skipped (77) when valgrind is not installed.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null 2>&1 || skip_all "valgrind is not installed"
test -z "${HOOKWAVE_SANITIZED:-}" || skip_all "a sanitizer build does not run under valgrind"
vg=$tmp/vg
mkdir -p "$vg" "$tmp/w" && cd "$tmp/w" || exit 99
for i in 1 2 3 4 5 6; do : >"f$i.txt"; done
cat >hookwave.ini <<'INI'
[settings]
jobs = 3
kill_grace = 1
[hook ok]
command = true
[hook fail]
command = echo failing; exit 3
[hook slow]
command = sleep 1000.931
timeout = 1
[hook files]
command = wc -c
files = *.txt
[hook after]
command = echo after
depends = ok
[hook bg]
command = sleep 1000.932 & echo up
INI

# Only fds 0-2 open when valgrind starts, so any other fd at exit is ours.
vgrun() {
	(
		for fd in $(ls /proc/$BASHPID/fd); do
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec timeout -k 5 120 valgrind -q --track-fds=yes --error-exitcode=99 \
			--log-file="$vg/vg.%p" "$HOOKWAVE" "$@"
	) </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
}

vgrun --all-files --no-history -o r.json --timeline t.json
expect_exit "under valgrind: the run ends with exit 1 (a hook failed)" 1
check "under valgrind: the report was written" test -s r.json
# The logs of hookwave itself (not of hooks: valgrind does not follow them).
errs=$(grep -h -E '== (Invalid|Conditional|Use of|Syscall param|Mismatched|[0-9,]+ bytes in)' "$vg"/vg.* | head -5)
check "under valgrind: no memory error${errs:+: $errs}" test -z "$errs"
# Valgrind's own log is the one fd it may list besides 0-2.
leaked=$(grep -h 'Open file descriptor' "$vg"/vg.* | grep -v "$vg/vg\.")
check "under valgrind: only 0, 1, 2 open at exit${leaked:+: $leaked}" \
	test -z "$leaked"
sleep 0.2
check "under valgrind: no hook process left" sh -c '! pgrep -f "[s]leep 1000.93" >/dev/null'
finish
