#!/bin/bash
# staged.sh - a staged run (--staged) shows hooks exactly the staged
# content and never loses a line of uncommitted work (aside.h): the
# work tree and the index compared byte for byte before and after a run,
# a run killed (SIGKILL) at every point of setting aside and putting
# back, killed or interrupted while hooks run, then any hookwave command;
# no unstaged change: nothing written; a merge in progress: nothing set
# aside; a change made during the run merged or saved as a patch.
#
# Kill points come from HOOKWAVE_TEST_DIE_AT (aside.h), and hooks that
# wait on beacons; never from sleeps.

# This script needs bash; automake may start it with sh.
if test -z "${BASH_VERSION:-}"; then
	command -v bash >/dev/null 2>&1 || { echo "1..0 # SKIP no bash"; exit 77; }
	exec bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

for _tool in git sha256sum find stat timeout; do
	command -v "$_tool" >/dev/null 2>&1 || skip_all "no $_tool"
done
need_helper
isolate_git
export LC_ALL=C
H=$HELPER
export H

# snap DIR: every path of the work tree but .git (type, mode, content
# or link target), the index file's bytes, and what git says of it.
snap() {
	(
		cd "$1" || exit 1
		find . -path ./.git -prune -o -print | sort | while IFS= read -r f; do
			if test -L "$f"; then
				printf 'L %s -> %s\n' "$f" "$(readlink "$f")"
			elif test -d "$f"; then
				printf 'D %s %s\n' "$f" "$(stat -c %a "$f")"
			else
				printf 'F %s %s %s\n' "$f" "$(stat -c %a "$f")" \
					"$(sha256sum <"$f" | cut -c1-64)"
			fi
		done
		printf 'index %s\n' "$(sha256sum <.git/index | cut -c1-64)"
		git ls-files -s --debug
		git diff --cached --binary
		git diff --binary
	)
}

# same NAME A B: two snapshots are equal (B may be a pipe: read once).
same() {
	cat "$3" >"$tmp/after"
	if cmp -s "$2" "$tmp/after"; then
		check "$1" true
	else
		fail "$1" "work tree or index differ:" \
			"$(diff "$2" "$tmp/after" | head -n 20)"
	fi
}

# The hook: the files it is given, and every tracked path as it sees it.
cat >"$tmp/see.sh" <<'EOF'
#!/bin/sh
out=$1
shift
printf '%s\n' "$@" >>"$out.args"     # one line per file, every batch
git ls-files -z | xargs -0 sh -c 'for f; do
	test "$f" = ita && continue
	if test -L "$f"; then
		printf "%s 120000 %s\n" "$f" "$(readlink "$f" | tr -d "\n" | sha256sum | cut -c1-64)"
	elif test -f "$f"; then
		m=100644; test -x "$f" && m=100755
		printf "%s %s %s\n" "$f" "$m" "$(sha256sum <"$f" | cut -c1-64)"
	else
		printf "%s missing\n" "$f"
	fi
done' sh | sort >"$out"
EOF
chmod +x "$tmp/see.sh"

# want_index DIR: what the hook must see: every non-intent-to-add
# entry's index content (filters applied) and mode.
want_index() {
	(
		cd "$1" || exit 1
		git ls-files -s -z | tr '\0' '\n' | while IFS= read -r l; do
			mode=${l%% *}
			path=${l#*	}
			test "$path" = ita && continue
			if test "$mode" = 120000; then
				sum=$(git cat-file blob ":0:$path" | sha256sum | cut -c1-64)
			else
				sum=$(git cat-file --filters ":0:$path" | sha256sum | cut -c1-64)
			fi
			printf '%s %s %s\n' "$path" "$mode" "$sum"
		done | sort
	)
}

# make_repo DIR: every kind of unstaged change item 3 names.
make_repo() {
	mkdir -p "$1" && cd "$1" || exit 1
	git init -q . && git config user.email t@t && git config user.name t
	git config filter.up.clean 'tr a-z A-Z'
	git config filter.up.smudge cat
	printf '*.crlf text eol=crlf\n*.up filter=up\n' >.gitattributes
	printf 'one\ntwo\n' >a
	printf 'bin\000ary\001\002\n' >bin
	printf 'l1\nl2\n' >t.crlf
	printf 'UPPER\n' >f.up
	printf '#!/bin/sh\n' >x
	chmod +x x
	printf 'y\n' >y
	mkdir -p d e/g && printf 'dd\n' >d/f && printf 'hh\n' >e/g/h
	printf 'r\n' >r1
	printf 'sp\n' >'sp ace'
	printf 'dash\n' >./-dash
	ln -s a link
	printf 'same\n' >same
	git add . && git commit -qm init || exit 1
	printf 'staged\n' >>a && git add a && printf 'unstaged\n' >>a
	printf 'bin\000ary\003\n' >bin
	printf 'l1\r\nl2\r\nl3\r\n' >t.crlf
	printf 'lower\n' >f.up
	chmod -x x
	printf 'y2\n' >y && chmod 755 y
	rm d/f
	rm -r e
	mv r1 r2
	printf 'sp2\n' >'sp ace'
	printf 'dash2\n' >./-dash
	rm link && ln -s y link
	printf 'ita\n' >ita && git add -N ita
	printf 'nf\n' >nf && git add nf && rm nf
	printf 'untracked\n' >u
	cat >hookwave.ini <<EOF2
[hook see]
command = "$tmp/see.sh" "$tmp/saw"
files = *
EOF2
	printf 'hookwave.ini\nsaw*\n' >>.git/info/exclude
	cd "$tmp" || exit 1
}

# --- a plain staged run ------------------------------------------------------

make_repo "$tmp/r1"
cd "$tmp/r1" || exit 1
snap . >"$tmp/before"
want_index . >"$tmp/want"
rm -f "$tmp/saw.args"
run timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "staged run passes" 0
expect_quiet "staged run says nothing with -q"
same "after a staged run the work tree and index are as before" "$tmp/before" \
	<(snap .)
if cmp -s "$tmp/want" "$tmp/saw"; then
	check "the hook saw the index content and mode of every path" true
else
	fail "the hook saw the index content and mode of every path" \
		"$(diff "$tmp/want" "$tmp/saw" | head -n 20)"
fi
check "the intent-to-add file is not passed to hooks" \
	sh -c '! grep -qx ita "$1"' sh "$tmp/saw.args"
check "a file staged, then deleted in the work tree, is passed (the index has it)" \
	grep -qx nf "$tmp/saw.args"
check "nothing is left under GIT_DIR/hookwave/aside" test ! -e .git/hookwave/aside

# The same, from a subdirectory and with core.autocrlf.
git config core.autocrlf true
git config core.safecrlf false
mkdir -p sub && snap . >"$tmp/before"
run timeout -k 5 60 "$HOOKWAVE" -C sub -c ../hookwave.ini --staged -q
expect_exit "staged run from a subdirectory with core.autocrlf passes" 0
same "after it the work tree and index are as before" "$tmp/before" <(snap .)
git config --unset core.autocrlf

# --- no unstaged change: nothing touched, nothing written ---------------------

mkdir "$tmp/r2" && cd "$tmp/r2" || exit 1
git init -q . && git config user.email t@t && git config user.name t
printf 'a\n' >a && git add a && git commit -qm i
printf 'b\n' >b && git add b
printf 'u\n' >u
cat >hookwave.ini <<EOF
[hook see]
command = "$tmp/see.sh" "$tmp/saw2"
files = *
EOF
printf 'hookwave.ini\n' >>.git/info/exclude
snap . >"$tmp/before"
_mt=$(stat -c %Y.%y a b u)
run timeout -k 5 60 "$HOOKWAVE" --staged -q --no-history
expect_exit "no unstaged change: the run passes" 0
check "no unstaged change: nothing under GIT_DIR/hookwave but the state store" \
	test -z "$(ls -A .git/hookwave 2>/dev/null | grep -v -x state.sqlite)"
check "no unstaged change: no file was rewritten (mtimes)" \
	test "$_mt" = "$(stat -c %Y.%y a b u)"
same "no unstaged change: work tree and index as before" "$tmp/before" <(snap .)

# --- a merge in progress: nothing set aside ------------------------------------

mkdir "$tmp/r3" && cd "$tmp/r3" || exit 1
git init -q -b main . && git config user.email t@t && git config user.name t
printf '1\n2\n3\n' >a && printf 'b\n' >b && git add . && git commit -qm i
git checkout -q -b side && printf 'c\n' >c && git add c && git commit -qm c
git checkout -q main && printf 'b2\n' >b && git commit -qam b
git merge -q --no-commit side >/dev/null 2>&1
printf '1\n2\n3\nmine\n' >a
cat >hookwave.ini <<EOF
[hook see]
command = cat a >"$tmp/saw3"
EOF
printf 'hookwave.ini\n' >>.git/info/exclude
check "merge in progress (MERGE_HEAD)" test -e .git/MERGE_HEAD
run timeout -k 5 60 "$HOOKWAVE" --staged -q --log-level=info
expect_exit "merge in progress: the run passes" 0
expect_stderr_has "merge in progress: said at level info" "nothing set aside"
expect_stderr_has "merge in progress: names the merge" "during=merge"
check "merge in progress: the hook saw the work tree" grep -qx mine "$tmp/saw3"
check "merge in progress: nothing under GIT_DIR/hookwave/aside" \
	test ! -e .git/hookwave/aside

# --- killed while setting aside or putting back --------------------------------

n=0
for point in recorded checkout restoring restored; do
	for next in restore run list check skip; do
		n=$((n + 1))
		make_repo "$tmp/k$n"
		cd "$tmp/k$n" || exit 1
		snap . >"$tmp/before"
		run env HOOKWAVE_TEST_DIE_AT=$point timeout -k 5 60 "$HOOKWAVE" --staged -q
		expect_exit "killed at '$point': hookwave died of SIGKILL" 137
		case $next in
		restore) run timeout -k 5 60 "$HOOKWAVE" restore ;;
		run) run timeout -k 5 60 "$HOOKWAVE" -q ;;
		list) run timeout -k 5 60 "$HOOKWAVE" -l ;;
		check) run timeout -k 5 60 "$HOOKWAVE" --check-config ;;
		skip) run env HOOKWAVE=0 timeout -k 5 60 "$HOOKWAVE" -q ;;
		esac
		expect_exit "killed at '$point', then $next: exit 0" 0
		expect_stderr_has "killed at '$point', then $next: says restored" restored
		same "killed at '$point', then $next: work tree and index back" \
			"$tmp/before" <(snap .)
		check "killed at '$point', then $next: the set-aside is gone" \
			test ! -e .git/hookwave/aside
		run timeout -k 5 60 "$HOOKWAVE" restore
		expect_quiet "killed at '$point', then $next: a second restore says nothing"
		expect_exit "killed at '$point', then $next: a second restore exits 0" 0
		cd "$tmp" && rm -rf "$tmp/k$n"
	done
done

# Killed half-way through the checkout, then a staged run: it restores
# first, and only then looks for unstaged changes (what it saw before the
# restore is stale), so its hook still sees the index content.
make_repo "$tmp/kst"
cd "$tmp/kst" || exit 1
snap . >"$tmp/before"
want_index . >"$tmp/want"
run env HOOKWAVE_TEST_DIE_AT=checkout timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "killed at 'checkout', then --staged: the first died" 137
rm -f "$tmp/saw"
run timeout -k 5 60 "$HOOKWAVE" --staged
expect_exit "killed at 'checkout', then --staged: exit 0" 0
expect_stderr_has "killed at 'checkout', then --staged: says restored" restored
if cmp -s "$tmp/want" "$tmp/saw"; then
	check "killed at 'checkout', then --staged: its hook saw the index content" true
else
	fail "killed at 'checkout', then --staged: its hook saw the index content" \
		"$(diff "$tmp/want" "$tmp/saw" | head -n 20)"
fi
same "killed at 'checkout', then --staged: work tree and index back" \
	"$tmp/before" <(snap .)
cd "$tmp" && rm -rf "$tmp/kst"

# A dead run's set-aside that cannot be put back (d/f's directory is now
# a file) is kept, and a staged run never sets anything aside over it.
make_repo "$tmp/kept"
cd "$tmp/kept" || exit 1
snap . >"$tmp/before"
run env HOOKWAVE_TEST_DIE_AT=recorded timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "unrestorable set-aside: the first run died" 137
rmdir d && printf 'in the way\n' >d
run timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "unrestorable set-aside: a staged run exits 2" 2
expect_stderr_has "unrestorable set-aside: says what is still set aside" \
	"still set aside"
check "unrestorable set-aside: the record is kept" \
	test -e .git/hookwave/aside/record
rm d && mkdir d
run timeout -k 5 60 "$HOOKWAVE" restore
expect_exit "unrestorable set-aside, the way cleared: restore exits 0" 0
expect_stderr_has "unrestorable set-aside, the way cleared: says restored" restored
same "unrestorable set-aside, the way cleared: work tree and index back" \
	"$tmp/before" <(snap .)
cd "$tmp" && rm -rf "$tmp/kept"

# A file with a second (hard) link is not written in place: the other
# name, untracked, keeps the user's bytes while the hooks run.
mkdir "$tmp/hl" && cd "$tmp/hl" || exit 1
git init -q . && git config user.email t@t && git config user.name t
printf 'one\n' >f && printf 'two\n' >g && git add f g && git commit -qm i
printf 'mine\n' >>f && ln f f.link && printf 'mine\n' >>g
printf 'f.link\nhookwave.ini\n' >>.git/info/exclude
cat >hookwave.ini <<EOF
[hook look]
command = cat f.link f g >"$tmp/hl.saw"
EOF
snap . >"$tmp/before"
run timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "hard link: the run passes" 0
check "hard link: the hook saw the index content, the other name its own" \
	test "$(cat "$tmp/hl.saw")" = "$(printf 'one\nmine\none\ntwo\n')"
same "hard link: work tree and index back" "$tmp/before" <(snap .)
cd "$tmp" || exit 1

# --- killed or interrupted while hooks run -------------------------------------

# hold_repo DIR: a repo whose hook writes a beacon, then waits for "go".
hold_repo() {
	make_repo "$1"
	cat >"$1/hookwave.ini" <<EOF
[hook hold]
command = "$H" beacon "$1/up"; "$H" wait "$1/go" 60
EOF
}

for sig in KILL INT TERM HUP; do
	hold_repo "$tmp/s$sig"
	cd "$tmp/s$sig" || exit 1
	snap . >"$tmp/before"
	want_index . >"$tmp/want"
	timeout -k 5 60 "$HOOKWAVE" --staged -q </dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	"$H" wait up 30 || fail "SIG$sig: the hook started"
	"$tmp/see.sh" "$tmp/mid" </dev/null
	if cmp -s "$tmp/want" "$tmp/mid"; then
		check "SIG$sig: while hooks run the work tree holds the index content" true
	else
		fail "SIG$sig: while hooks run the work tree holds the index content" \
			"$(diff "$tmp/want" "$tmp/mid" | head -n 10)"
	fi
	if test "$sig" = KILL; then
		# timeout's child is hookwave: kill it, not timeout.
		hw=$(pgrep -P "$pid" -x hookwave || pgrep -P "$pid" | head -n 1)
		kill -KILL "$hw"
		wait "$pid" 2>/dev/null
		# A live run is never "recovered": this one is dead.
		run timeout -k 5 60 "$HOOKWAVE" -l
		expect_exit "SIGKILL during hooks, then -l: exit 0" 0
		expect_stderr_has "SIGKILL during hooks, then -l: says restored" restored
	else
		hw=$(pgrep -P "$pid" -x hookwave || pgrep -P "$pid" | head -n 1)
		kill "-$sig" "$hw"
		wait "$pid"
		status=$?
		case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
		expect_exit "SIG$sig during hooks: hookwave exits $want" "$want"
	fi
	touch go
	rm -f up go
	same "SIG$sig during hooks: work tree and index back" "$tmp/before" \
		<(snap . | grep -v -e ' ./up ' -e ' ./go ')
	check "SIG$sig during hooks: the set-aside is gone" test ! -e .git/hookwave/aside
	cd "$tmp" && rm -rf "$tmp/s$sig"
done

# --- a live run's set-aside is not "recovered" by another run -----------------

hold_repo "$tmp/live"
cd "$tmp/live" || exit 1
snap . >"$tmp/before"
want_index . >"$tmp/want"
timeout -k 5 60 "$HOOKWAVE" --staged -q </dev/null >"$tmp/out.live" 2>&1 &
pid=$!
"$H" wait up 30 || fail "live: the hook started"
run timeout -k 5 60 "$HOOKWAVE" restore
expect_quiet "live: restore while another run has set work aside says nothing"
expect_exit "live: and exits 0" 0
"$tmp/see.sh" "$tmp/mid" </dev/null
check "live: the running hook still sees the index content" cmp -s "$tmp/want" "$tmp/mid"
run timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "live: a second staged run is refused" 2
expect_stderr_has "live: and says why" "another run has unstaged changes set aside"
touch go
wait "$pid"
status=$?
expect_exit "live: the first run then passes" 0
rm -f up go
same "live: work tree and index back" "$tmp/before" <(snap .)

# --- a change made during the run --------------------------------------------

# merge_repo DIR CMD: a 10-line file, the user's change on line 10, and a
# hook that runs CMD on it.
merge_repo() {
	mkdir "$1" && cd "$1" || exit 1
	git init -q . && git config user.email t@t && git config user.name t
	seq 1 10 >f && git add f && git commit -qm i
	sed -i 's/^10$/ten (mine)/' f
	cat >hookwave.ini <<EOF
[hook change]
command = $2
EOF
	printf 'hookwave.ini\n' >>.git/info/exclude
}

merge_repo "$tmp/m1" "sed -i 's/^1\$/one (hook)/' f"
run timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "a hook's change that merges: the run passes" 0
check "a hook's change that merges: both are kept" \
	sh -c 'grep -qx "one (hook)" f && grep -qx "ten (mine)" f'
check "a hook's change that merges: the index is untouched" \
	sh -c 'test "$(git show :f)" = "$(seq 1 10)"'

merge_repo "$tmp/m2" "sed -i 's/^10\$/ten (hook)/' f"
cp f "$tmp/mine"
run timeout -k 5 60 "$HOOKWAVE" --staged -q
expect_exit "a hook's change that conflicts: the run fails" 1
expect_stderr_has "a hook's change that conflicts: the patch is named" \
	"$tmp/m2/.git/hookwave/not-kept-"
check "a hook's change that conflicts: the user's change wins" cmp -s f "$tmp/mine"
_patch=$(ls .git/hookwave/not-kept-*.patch 2>/dev/null | head -n 1)
check "a hook's change that conflicts: the patch holds the hook's change" \
	grep -q '^+ten (hook)' "${_patch:-/nonexistent}"
check "a hook's change that conflicts: the patch applies to the index" \
	git apply --cached --check "${_patch:-/nonexistent}"

finish
