#!/usr/bin/env bash
# h-precommit.sh — a git pre-commit run: what each tool adds to the hooks'
# own time, in a repository of H_FILES (1,000) tracked files.
#
#   bash bench/h-precommit.sh          (knobs: RUNS, FAST_RUNS, H_FILES=1000)
#
# Two cases, each with the same hook under every tool:
#   clean    10 files staged, nothing unstaged: nothing to set aside.
#            The hook is `cat` of the staged files.
#   partial  every file staged with a change and changed again after: the
#            unstaged changes of all H_FILES files are set aside before the
#            hook and put back after it. The hook works file by file, as
#            linters run per file do: a shell loop running one small
#            process (`cksum`) per staged file. What the
#            set-aside costs hookwave is its row minus hookwave's own run of
#            the same hook over a copy of the index (nothing to set aside).
# The "hook alone" row runs the hook's command on the same files with no
# tool; a tool's overhead is its row minus that one. After each tool's rows
# the work tree and the index are compared with what they were before: a
# tool that did not put them back gets "CHANGED THE WORK TREE" in its note.
# hookwave runs as the installed pre-commit hook would (--staged), prek as
# `prek run` (staged files, unstaged changes stashed), lefthook as
# `lefthook run pre-commit` ({staged_files}).
# Targets: clean overhead < 20 ms; the set-aside of the partial case < 10 %
# of the hook alone.
. "$(dirname "$0")/lib.sh"
N=${H_FILES:-1000}
begin h "git pre-commit: $N files (targets: overhead < 20 ms with nothing to set aside, < 10 % with $N partially staged)"
scratch h git

# The configurations are committed: prek, like pre-commit, refuses to run
# with its configuration unstaged.
cat > hookwave.ini <<'EOF'
[hook clean]
files = *.txt
command = cat >/dev/null
[hook partial]
files = *.txt
command = sh -c 'for f; do cksum "$f" >/dev/null; done' sh
EOF
mk_prek() {
    printf 'repos:\n- repo: local\n  hooks:\n  - id: %s\n    name: %s\n    entry: %s\n    language: system\n    files: '"'"'\\.txt$'"'"'\n' "$1" "$1" "$2" > "prek-$1.yaml"
}
mk_prek clean "sh -c 'cat \"\$@\" >/dev/null' sh"
mk_prek partial "sh -c 'for f; do cksum \"\$f\" >/dev/null; done' sh"
cat > lefthook.yml <<'EOF'
clean:
  jobs:
    - name: clean
      glob: "*.txt"
      run: cat {staged_files} >/dev/null
partial:
  jobs:
    - name: partial
      glob: "*.txt"
      run: for f in {staged_files}; do cksum "$f" >/dev/null; done
EOF
mkdir -p src
for i in $(seq -w 1 "$N"); do
    awk -v i="$i" 'BEGIN { for (l = 0; l < 100; l++) printf "file %s line %d: the quick brown fox jumps over the lazy dog\n", i, l }' > "src/f$i.txt"
done
git add -A && git commit -qm files || { echo "bench h: cannot commit" >&2; exit 2; }

# state: the work tree (content and mode of every file) and the index
# (mode, blob and stage of every entry; not its stat data, which a tool
# that rewrites the index may change without changing anything the user has)
state() {
    { git ls-files -s -- src; git status --porcelain=v1 -z --untracked-files=all -- src | tr '\0' '\n'
      find src -type f -printf '%m %p\n' | sort; cat src/*.txt | sha256sum; } | sha256sum
}
# check_state BEFORE TOOL: print a row when the tool left the tree changed
check_state() {
    local after; after=$(state)
    if [ "$after" != "$1" ]; then
        row h "$2" "-" "-" "CHANGED THE WORK TREE OR THE INDEX"
        git checkout -q -- . 2>/dev/null
        return 1
    fi
}

# tools CASE HOOK_ALONE_MEDIAN FILES_EXPR: one row per tool for CASE
tools() {
    local c=$1 before hw=
    before=$(state)
    if [ -n "$HOOKWAVE" ]; then
        bench h "hookwave --staged ($c)" "as the installed pre-commit hook runs it" "$HOOKWAVE -q --no-history --no-cache --staged $c" ref
        hw=$MED; HW_MED[$c]=$MED
        check_state "$before" "hookwave ($c)"
    else skip_row h hookwave "$(hw_note_missing)"; fi
    if [ -n "$PREK" ]; then
        bench h "prek run ($c)" "staged files, unstaged stashed" "$PREK run -c prek-$c.yaml" "$hw"
        check_state "$before" "prek ($c)"
    else skip_row h prek "not installed (bench/install-peers.sh)"; fi
    if [ -n "$LEFTHOOK" ]; then
        bench h "lefthook run ($c)" "{staged_files}" "$LEFTHOOK run $c --no-auto-install" "$hw"
        check_state "$before" "lefthook ($c)"
    else skip_row h lefthook "not installed (bench/install-peers.sh)"; fi
}
declare -A HW_MED ALONE

# --- clean: 10 files staged, nothing unstaged
for f in $(find src -name '*.txt' | sort | head -n 10); do echo "staged change" >> "$f"; done
git add src
STAGED=$(git diff --cached --name-only | tr '\n' ' ')
# shellcheck disable=SC2086
bench h "hook alone (clean)" "cat of the $(echo $STAGED | wc -w) staged files, no tool" "cat $STAGED >/dev/null"
ALONE[clean]=$MED
tools clean
git commit -qm clean

# --- partial: every file staged, then changed again
for f in src/*.txt; do echo "staged change" >> "$f"; done
git add src
for f in src/*.txt; do echo "unstaged change" >> "$f"; done
# The hook alone sees the staged content, as the tools' hooks should.
# Commands that cd run in a subshell: measure evals them in this shell, and
# the tools must run at the top of the repository, as git runs hooks.
mkdir -p "$W/alone" && git checkout-index -a --prefix="$W/alone/" &&
bench h "hook alone (partial)" "cksum of the $N staged files, one process each, no tool" "(cd '$W/alone' && sh -c 'for f; do cksum \"\$f\" >/dev/null; done' sh src/*.txt)"
ALONE[partial]=$MED
tools partial
# What setting aside and putting back cost hookwave: the same run over
# the same staged content with nothing to set aside (a copy of the index).
HW_PLAIN=
if [ -n "$HOOKWAVE" ]; then
    bench h "hookwave, nothing set aside (partial)" "the same hook and files in a copy of the index" "(cd '$W/alone' && $HOOKWAVE -q --no-history --no-cache --all-files partial)" "${HW_MED[partial]}"
    HW_PLAIN=$MED
fi

# --- targets
ms() { awk -v s="$1" 'BEGIN {printf "%.1f ms", s * 1000}'; }
if [ -z "${HW_MED[clean]:-}" ]; then target h SKIPPED "hookwave not built"
else
    oc=$(awk -v a="${HW_MED[clean]}" -v b="${ALONE[clean]}" 'BEGIN {printf "%.4f", a - b}')
    op=$(awk -v a="${HW_MED[partial]}" -v p="$HW_PLAIN" -v b="${ALONE[partial]}" 'BEGIN {printf "%.4f", (a - p) / b}')
    if le "$oc" 0.020 && le "$op" 0.10; then v=MET; else v=MISSED; fi
    target h "$v" "overhead with nothing to set aside $(ms "$oc") (target < 20 ms); with $N partially staged files $(awk -v p="$op" 'BEGIN {printf "%.1f", p * 100}') % of the hook alone (target < 10 %)"
fi
