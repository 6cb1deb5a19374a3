#!/bin/bash
# githooks.sh - hookwave as a repository's git hooks, through real git
# commands in repositories made here: install and uninstall (foreign
# hooks refused, kept and chained, put back; idempotent; the fallback
# path and "not found"), what each git hook's run sees (pre-commit the
# staged files, pre-push the pushed range, new and deleted branches,
# commit-msg the message file), a plain repository, a linked worktree
# and core.hooksPath; HOOKWAVE=0 and HOOKWAVE_SKIP in a git hook;
# --from-ref/--to-ref and --changed.
. "$(dirname "$0")/lib.sh"
isolate_git
command -v git >/dev/null 2>&1 || skip_all "no git"

# hookwave on PATH, as users have it; PATH without it for the fallback.
mkdir -p "$tmp/bin"
ln -s "$HOOKWAVE" "$tmp/bin/hookwave"
BASEPATH=$(dirname "$(command -v git)"):/usr/bin:/bin
export PATH="$tmp/bin:$BASEPATH"

# A hook that records its arguments, one per line, in log.STRATEGY.
cat >"$tmp/rec" <<'EOS'
#!/bin/sh
for a; do printf '%s\n' "$a"; done >>"$LOGDIR/log.$HOOKWAVE_STRATEGY"
EOS
# A hook that fails while $LOGDIR/fail exists.
cat >"$tmp/gate" <<'EOS'
#!/bin/sh
test ! -e "$LOGDIR/fail"
EOS
chmod +x "$tmp/rec" "$tmp/gate"
export LOGDIR=$tmp/logs
mkdir -p "$LOGDIR"

write_config() {
	cat >"$1/hookwave.ini" <<EOI
[settings]
jobs = 1
history = no
# The hooks record what they are given; a cached pass would give nothing.
cache = no

[strategy pc]
git_hooks = pre-commit
[strategy pp]
git_hooks = pre-push
[strategy cm]
git_hooks = commit-msg

[hook rec-pc]
strategy = pc
command = $tmp/rec
files = *

[hook gate]
strategy = pc
command = $tmp/gate

[hook rec-pp]
strategy = pp
command = $tmp/rec
files = *

[hook rec-cm]
strategy = cm
command = $tmp/rec
files = *.nothing-matches-this

[hook rec-cm-shell]
strategy = cm
command = test -n "\$HOOKWAVE_HOOK" && $tmp/rec
EOI
}

# newrepo DIR: a repository with a first commit holding hookwave.ini.
newrepo() {
	mkdir -p "$1" && git init -q -b main "$1" &&
	git -C "$1" config user.email t@example.com &&
	git -C "$1" config user.name t &&
	git -C "$1" config commit.gpgsign false &&
	write_config "$1" &&
	git -C "$1" add hookwave.ini &&
	git -C "$1" commit -q --no-verify -m init
}

# logged NAME: the sorted lines of log.NAME ("" when it does not exist).
logged() {
	test -f "$LOGDIR/log.$1" && LC_ALL=C sort "$LOGDIR/log.$1" | tr '\n' ' ' | sed 's/ $//'
}
clear_logs() { rm -f "$LOGDIR"/log.* "$LOGDIR/fail"; }

# expect_logged CHECK NAME WANT
expect_logged() {
	got=$(logged "$2")
	if test "$got" = "$3"; then
		_ok "$1"
	else
		fail "$1" "want: '$3'" "got:  '$got'"
	fi
}

commits() { git -C "$1" rev-list --count HEAD; }

# --- install in a plain repository -------------------------------------
repo=$tmp/plain
newrepo "$repo" || exit 1
cd "$repo" || exit 1
run "$HOOKWAVE" install
expect_exit "install: exit status 0" 0
check "install: the git hooks the strategies name" \
	test "$(cat "$tmp/out")" = "pre-commit: installed
commit-msg: installed
pre-push: installed"
check "install: pre-commit is executable" test -x .git/hooks/pre-commit
check "install: pre-push is executable" test -x .git/hooks/pre-push
check "install: no other hook" test ! -e .git/hooks/post-commit
cp .git/hooks/pre-commit "$tmp/pc.1"
run "$HOOKWAVE" install
expect_exit "install twice: exit status 0" 0
expect_stdout_match "install twice: already installed" '^pre-commit: already installed$'
check "install twice: the same bytes" cmp -s .git/hooks/pre-commit "$tmp/pc.1"
run "$HOOKWAVE" install post-checkout nope
expect_exit "install of an unknown git hook: exit status 2" 2
expect_stderr_has "install of an unknown git hook: names it" "'nope'"
check "install of an unknown git hook: nothing written" test ! -e .git/hooks/post-checkout

# --- pre-commit: the staged files; commit-msg: the message file ------------
printf 'a\n' >a.txt; printf 'b\n' >b.txt; printf 'c\n' >c.txt
git add a.txt c.txt && git commit -q --no-verify -m c
clear_logs
printf 'b2\n' >b.txt; printf 'c2\n' >c.txt; printf 'u\n' >untracked.txt
printf 'a2\n' >a.txt
git add a.txt b.txt
run git commit -q -m "second"
expect_exit "commit: exit status 0" 0
expect_logged "pre-commit: the staged files only" pc "a.txt b.txt"
expect_logged "commit-msg: the message file to every hook, whatever the patterns" cm ".git/COMMIT_EDITMSG .git/COMMIT_EDITMSG"
check "commit: committed" test "$(git log -1 --format=%s)" = second

# A failing hook refuses the commit.
clear_logs
n=$(commits .)
printf 'c3\n' >c.txt; git add c.txt
touch "$LOGDIR/fail"
run git commit -q -m refused
check "failing hook: git commit fails" test "$status" -ne 0
check "failing hook: nothing committed" test "$(commits .)" = "$n"
expect_stderr_has "failing hook: hookwave's report says which failed (git sends it to stderr)" 'pc/gate'

# HOOKWAVE=0 and HOOKWAVE_SKIP, in a git hook as on the command line.
rm -f "$LOGDIR"/log.*
HOOKWAVE=0 run git commit -q -m skipped-all
expect_exit "HOOKWAVE=0: the commit goes through" 0
check "HOOKWAVE=0: committed" test "$(commits .)" = "$((n + 1))"
expect_logged "HOOKWAVE=0: no hook ran" pc ""
printf 'c4\n' >c.txt; git add c.txt
HOOKWAVE_SKIP=gate run git commit -q -m skipped-gate
expect_exit "HOOKWAVE_SKIP=gate: the commit goes through" 0
expect_logged "HOOKWAVE_SKIP=gate: the other hooks ran" pc "c.txt"
printf 'c5\n' >c.txt; git add c.txt
HOOKWAVE_SKIP=rec-pc run git commit -q -m refused-again
check "HOOKWAVE_SKIP=rec-pc: the gate still refuses" test "$status" -ne 0
HOOKWAVE=0 run "$HOOKWAVE" --staged
expect_exit "HOOKWAVE=0 on the command line: exit status 0" 0
expect_quiet "HOOKWAVE=0 on the command line: nothing printed"
rm -f "$LOGDIR/fail"
git commit -q -m c5 >/dev/null 2>&1

# --- pre-push: the pushed range ------------------------------------------
git init -q --bare "$tmp/remote.git"
git remote add origin "$tmp/remote.git"
clear_logs
run git push -q origin main
expect_exit "push of a new branch: exit status 0" 0
expect_logged "push of a new branch, no remote ref yet: every file of its commits" \
	pp "a.txt b.txt c.txt hookwave.ini"
printf 'a3\n' >a.txt; git rm -q b.txt; git add a.txt
git commit -q -m three >/dev/null 2>&1
clear_logs
run git push -q origin main
expect_exit "push: exit status 0" 0
expect_logged "push: the files changed since the remote sha; the deleted one left out" \
	pp "a.txt"
git checkout -q -b feature
mkdir -p d; printf 'f\n' >d/f.txt; git add d/f.txt
git commit -q -m feature >/dev/null 2>&1
clear_logs
run git push -q origin feature
expect_exit "push of a new branch: exit status 0" 0
expect_logged "push of a new branch: the commits no remote ref has" pp "d/f.txt"
clear_logs
run git push -q origin :feature
expect_exit "push deleting a branch: exit status 0" 0
expect_logged "push deleting a branch: nothing" pp ""
git checkout -q main

# --- a foreign hook: refused, kept and chained with --force, put back -----
cat >.git/hooks/pre-commit.mine <<EOS
#!/bin/sh
echo ran >>"$LOGDIR/log.foreign"
test ! -e "$LOGDIR/foreign-fails"
EOS
cat >.git/hooks/pre-push.mine <<EOS
#!/bin/sh
cat >"$LOGDIR/foreign-stdin"
EOS
"$HOOKWAVE" uninstall >/dev/null
check "uninstall: hookwave's scripts gone" test ! -e .git/hooks/pre-commit
check "uninstall: pre-push gone" test ! -e .git/hooks/pre-push
run "$HOOKWAVE" uninstall
expect_exit "uninstall twice: exit status 0" 0
cp .git/hooks/pre-commit.mine .git/hooks/pre-commit
cp .git/hooks/pre-push.mine .git/hooks/pre-push
chmod +x .git/hooks/pre-commit .git/hooks/pre-push
run "$HOOKWAVE" install
expect_exit "foreign hook: install exits 2" 2
expect_stderr_has "foreign hook: named" ".git/hooks/pre-commit"
check "foreign hook: untouched, byte for byte" cmp -s .git/hooks/pre-commit .git/hooks/pre-commit.mine
check "foreign hook: nothing else written either" test ! -e .git/hooks/commit-msg
run "$HOOKWAVE" install --force
expect_exit "install --force: exit status 0" 0
check "install --force: the foreign hook kept" cmp -s .git/hooks/pre-commit.hookwave-old .git/hooks/pre-commit.mine
check "install --force: hookwave's script in its place" grep -q 'hookwave --git-hook=pre-commit' .git/hooks/pre-commit
cp .git/hooks/pre-commit "$tmp/pc.force"
run "$HOOKWAVE" install --force
check "install --force twice: the same bytes" cmp -s .git/hooks/pre-commit "$tmp/pc.force"
check "install --force twice: the kept hook too" cmp -s .git/hooks/pre-commit.hookwave-old .git/hooks/pre-commit.mine
clear_logs
printf 'a4\n' >a.txt; git add a.txt
run git commit -q -m chained
expect_exit "chained: commit exit status 0" 0
expect_logged "chained: the kept hook ran" foreign "ran"
expect_logged "chained: then hookwave" pc "a.txt"
n=$(commits .)
printf 'a5\n' >a.txt; git add a.txt
touch "$LOGDIR/foreign-fails"
clear_logs; touch "$LOGDIR/foreign-fails"
run git commit -q -m refused
check "chained: the kept hook's failure refuses the commit" test "$status" -ne 0
check "chained: nothing committed" test "$(commits .)" = "$n"
expect_logged "chained: hookwave did not run after it" pc ""
rm -f "$LOGDIR/foreign-fails"
git commit -q -m a5 >/dev/null 2>&1
clear_logs
run git push -q origin main
expect_exit "chained pre-push: exit status 0" 0
check "chained pre-push: the kept hook read git's ref line" \
	grep -q '^refs/heads/main [0-9a-f]* refs/heads/main [0-9a-f]*$' "$LOGDIR/foreign-stdin"
expect_logged "chained pre-push: hookwave read it too" pp "a.txt"
run "$HOOKWAVE" uninstall
expect_exit "uninstall: exit status 0" 0
check "uninstall: the foreign hook back, byte for byte" cmp -s .git/hooks/pre-commit .git/hooks/pre-commit.mine
check "uninstall: pre-push back" cmp -s .git/hooks/pre-push .git/hooks/pre-push.mine
check "uninstall: no .hookwave-old left" test ! -e .git/hooks/pre-commit.hookwave-old
check "uninstall: commit-msg gone" test ! -e .git/hooks/commit-msg
run "$HOOKWAVE" uninstall pre-commit
expect_exit "uninstall of a foreign hook: exit status 0" 0
check "uninstall of a foreign hook: left alone" cmp -s .git/hooks/pre-commit .git/hooks/pre-commit.mine
rm -f .git/hooks/pre-commit .git/hooks/pre-push

# --- finding hookwave: PATH, the fallback, neither ------------------------
"$HOOKWAVE" install >/dev/null
clear_logs
printf 'a6\n' >a.txt; git add a.txt
PATH=$BASEPATH run git commit -q -m fallback
expect_exit "no hookwave in PATH: the installed path is used" 0
expect_logged "no hookwave in PATH: the hooks ran" pc "a.txt"
mkdir -p "$tmp/gone"
cp "$HOOKWAVE" "$tmp/gone/hookwave"
PATH=$BASEPATH "$tmp/gone/hookwave" install pre-commit >/dev/null
check "fallback: the script holds the installing path" grep -q "^fb='$tmp/gone/hookwave'\$" .git/hooks/pre-commit
rm -f "$tmp/gone/hookwave"
n=$(commits .)
printf 'a7\n' >a.txt; git add a.txt
PATH=$BASEPATH run git commit -q -m notfound
check "hookwave nowhere: the commit is refused" test "$status" -ne 0
check "hookwave nowhere: nothing committed" test "$(commits .)" = "$n"
expect_stderr_has "hookwave nowhere: says so" "hookwave: not found in PATH nor at $tmp/gone/hookwave"
PATH=$BASEPATH HOOKWAVE=0 run git commit -q -m skipped
expect_exit "hookwave nowhere, HOOKWAVE=0: the commit goes through" 0
"$HOOKWAVE" install pre-commit >/dev/null

# --- a linked worktree ---------------------------------------------------
git push -q origin main >/dev/null 2>&1
git worktree add -q -b wt "$tmp/linked" main >/dev/null 2>&1
cd "$tmp/linked" || exit 1
run "$HOOKWAVE" install
expect_exit "linked worktree: install exit status 0" 0
expect_stdout_match "linked worktree: the hooks are the repository's" '^pre-commit: already installed$'
clear_logs
printf 'w\n' >w.txt; git add w.txt
run git commit -q -m linked
expect_exit "linked worktree: commit exit status 0" 0
expect_logged "linked worktree: pre-commit saw its staged file" pc "w.txt"
m="$(cd "$repo" && git rev-parse --absolute-git-dir)/worktrees/linked/COMMIT_EDITMSG"
expect_logged "linked worktree: commit-msg got the message file" cm "$m $m"
clear_logs
run git push -q origin wt
expect_exit "linked worktree: push exit status 0" 0
expect_logged "linked worktree: pre-push saw the new branch's file" pp "w.txt"

# --- core.hooksPath ------------------------------------------------------
hp=$tmp/hookspath
newrepo "$hp" || exit 1
cd "$hp" || exit 1
git config core.hooksPath .githooks
run "$HOOKWAVE" install
expect_exit "core.hooksPath: install exit status 0" 0
check "core.hooksPath: written where git looks" test -x .githooks/pre-commit
check "core.hooksPath: not in .git/hooks" test ! -e .git/hooks/pre-commit
clear_logs
printf 'h\n' >h.txt; git add h.txt
touch "$LOGDIR/fail"
run git commit -q -m refused
check "core.hooksPath: the hook runs (and refuses)" test "$status" -ne 0
clear_logs
run git commit -q -m hp
expect_exit "core.hooksPath: commit exit status 0" 0
expect_logged "core.hooksPath: pre-commit saw the staged file" pc "h.txt"
git init -q --bare "$tmp/remote2.git"
git remote add origin "$tmp/remote2.git"
clear_logs
run git push -q origin main
expect_exit "core.hooksPath: push exit status 0" 0
expect_logged "core.hooksPath: pre-push saw the branch" pp "h.txt hookwave.ini"

# --- --git-hook by hand --------------------------------------------------
clear_logs
run "$HOOKWAVE" --git-hook=post-checkout a b c
expect_exit "--git-hook with no strategy for it: exit status 0" 0
expect_quiet "--git-hook with no strategy for it: nothing printed"
run "$HOOKWAVE" --git-hook=pre-comit
expect_exit "--git-hook=unknown: exit status 2" 2
run "$HOOKWAVE" --git-hook=commit-msg
expect_exit "--git-hook=commit-msg without a file: exit status 2" 2
run "$HOOKWAVE" --git-hook=pre-commit --all-files
expect_exit "--git-hook with --all-files: exit status 2" 2
run "$HOOKWAVE" --to-ref=main
expect_exit "--to-ref alone: exit status 2" 2

# --- --from-ref / --to-ref: merge-base semantics ---------------------------
rr=$tmp/range
newrepo "$rr" || exit 1
cd "$rr" || exit 1
cat >>hookwave.ini <<EOI

[hook all]
command = $tmp/rec
files = *
EOI
git add hookwave.ini && git commit -q -m cfg
printf 'base\n' >base.txt && git add base.txt && git commit -q -m base
git checkout -q -b topic
printf 't\n' >t1.txt; printf 'x\n' >gone.txt; git add t1.txt gone.txt
git commit -q -m t1
printf 'base2\n' >base.txt; git rm -q gone.txt; git add base.txt
git commit -q -m t2
git checkout -q main
printf 'm\n' >m1.txt && git add m1.txt && git commit -q -m m1
clear_logs
run "$HOOKWAVE" -s default --from-ref=main --to-ref=topic
expect_exit "--from-ref=main --to-ref=topic: exit status 0" 0
# main is checked out: t1.txt is not in the work tree, so not passed.
expect_logged "--from-ref=main --to-ref=topic: what topic changed since the merge base, in the work tree" \
	default "base.txt"
clear_logs
run "$HOOKWAVE" -s default --from-ref=topic --to-ref=main
expect_logged "--from-ref=topic --to-ref=main: what main changed since" default "m1.txt"
git checkout -q topic
clear_logs
run "$HOOKWAVE" -s default --from-ref=main
expect_exit "--from-ref=main, HEAD topic: exit status 0" 0
expect_logged "--from-ref=main: --to-ref defaults to HEAD" default "base.txt t1.txt"
run "$HOOKWAVE" -s default --from-ref=no-such-ref
expect_exit "--from-ref=unknown: exit status 2" 2
expect_stderr_has "--from-ref=unknown: named" "'no-such-ref'"
run "$HOOKWAVE" -s default --from-ref=--output=x
expect_exit "--from-ref=--option: refused" 2
check "--from-ref=--option: never given to git as an option" test ! -e x
mkdir -p sub && printf 's\n' >sub/s.txt && git add sub/s.txt && git commit -q -m sub
clear_logs
run "$HOOKWAVE" -C sub -c ../hookwave.ini -s default --from-ref=main
expect_logged "--from-ref in a subdirectory: its files, relative to it" default "s.txt"

# --- --changed -------------------------------------------------------------
printf '*.log\n' >.gitignore
printf 'r\n' >r_old.txt; printf 'q\n' >q_old.txt; printf 'd\n' >d.txt
printf 'm\n' >mod.txt; printf 's\n' >staged.txt
git add . && git commit -q -m changed-base
printf 'm2\n' >mod.txt
printf 's2\n' >staged.txt && git add staged.txt
printf 'u\n' >untracked.txt
printf 'i\n' >ignored.log
rm d.txt
git mv r_old.txt r_new.txt
mv q_old.txt q_new.txt
printf 'n\n' >sub/new.txt
clear_logs
run "$HOOKWAVE" -s default --changed
expect_exit "--changed: exit status 0" 0
expect_logged "--changed: modified, staged, renamed, untracked; not ignored, not deleted" \
	default "mod.txt q_new.txt r_new.txt staged.txt sub/new.txt untracked.txt"
clear_logs
run "$HOOKWAVE" -C sub -c ../hookwave.ini -s default --changed
expect_logged "--changed in a subdirectory: its files, relative to it" default "new.txt"

# --- git commit with unstaged changes and a stage_fixed fixer ---------------
# Through the installed hook: the checker sees exactly the staged content,
# the fixer's fix goes into the commit, and the user's unstaged line is
# still in the work tree afterwards, on top of the fix.
mkdir -p "$tmp/e2e" && git init -q -b main "$tmp/e2e" && cd "$tmp/e2e" || exit 1
git config user.email t@example.com && git config user.name t &&
	git config commit.gpgsign false
cat >hookwave.ini <<EOI
[settings]
history = no
[hook saw]
files = *.txt
command = sh -c 'for f; do cp "\$f" "$LOGDIR/saw.\$f"; done' sh
[hook fix]
depends = saw
files = *.txt
modifies = yes
stage_fixed = yes
command = sed -i 's/^tab	/tab /'
EOI
printf 'one\ntwo\nthree\nfour\nfive\n' >a.txt
git add . && git commit -q --no-verify -m base
run "$HOOKWAVE" install
expect_exit "e2e: install" 0
printf 'tab	one\ntwo\nthree\nfour\nfive\n' >a.txt
git add a.txt
printf 'tab	one\ntwo\nthree\nfour\nfive\nunstaged\n' >a.txt
rm -f "$LOGDIR"/saw.*
run git commit -q -m fixed
expect_exit "e2e: git commit through the hook: exit 0" 0
check "e2e: the checker saw the staged content, not the unstaged line" \
	cmp -s "$LOGDIR/saw.a.txt" <(printf 'tab	one\ntwo\nthree\nfour\nfive\n')
check "e2e: the commit holds the fixer's fix" \
	cmp -s <(git show HEAD:a.txt) <(printf 'tab one\ntwo\nthree\nfour\nfive\n')
check "e2e: the work tree holds the fix and the unstaged line" \
	cmp -s a.txt <(printf 'tab one\ntwo\nthree\nfour\nfive\nunstaged\n')
check "e2e: the unstaged line is still unstaged" \
	test "$(git diff --name-only)" = a.txt
check "e2e: nothing left set aside" test ! -e .git/hookwave/aside
cd "$tmp" || exit 1

finish
