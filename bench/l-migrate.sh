#!/usr/bin/env bash
# l-migrate.sh — `hookwave migrate` against the original tools: the same
# repository, a pre-commit config run by prek (pre-commit's rules,
# pre-commit's file) and a lefthook.yml run by lefthook, then each
# converted by `hookwave migrate` and run by hookwave. Every hook records
# the files it was given; the table says, hook by hook, whether hookwave
# gave the same files as the original tool, and times the whole run.
#
#   bash bench/l-migrate.sh        (knobs: RUNS, FAST_RUNS, L_FILES=300)
#
# The tree holds L_FILES files of each of a dozen kinds: Python with and
# without an extension (by shebang, executable or not), stubs, shell,
# C and headers, YAML, JSON, Markdown, binary, a vendored directory the
# configs exclude. Target: every hook gets exactly the original's files.
. "$(dirname "$0")/lib.sh"
N=${L_FILES:-300}
begin l "hookwave migrate: the same files as prek and lefthook give (target: every hook, exactly)"
scratch l git

mkdir -p pkg bin scripts vendor docs src web/app
i=0
while [ "$i" -lt "$N" ]; do
    echo "x = $i" > "pkg/m$i.py"
    echo "def f$i() -> int: ..." > "pkg/m$i.pyi"
    printf '#!/usr/bin/env python3\nprint(%d)\n' "$i" > "bin/tool$i"
    printf '#!/bin/sh\necho %d\n' "$i" > "scripts/run$i"
    printf '#!/bin/sh\necho %d\n' "$i" > "scripts/plain$i"
    echo "echo $i" > "scripts/s$i.sh"
    echo "int f$i(void) { return $i; }" > "src/c$i.c"
    echo "int f$i(void);" > "src/c$i.h"
    echo "v = $i" > "vendor/v$i.py"
    echo "# doc $i" > "docs/d$i.md"
    echo "{\"i\": $i}" > "web/app/d$i.json"
    echo "export const x$i = $i;" > "web/app/m$i.js"
    echo "let y$i: number = $i;" > "web/m$i.ts"
    echo "a: $i" > "docs/c$i.yaml"
    printf '\0\1\2%d' "$i" > "src/b$i.bin"
    i=$((i + 1))
done
chmod +x bin/tool* scripts/run*
cat > "$W/rec" <<'EOF'
#!/bin/sh
name=$1; shift
mkdir -p "$REC_DIR"
if [ $# -eq 0 ]; then echo '(none)' >> "$REC_DIR/$name"; fi
for f; do printf '%s\n' "$f" >> "$REC_DIR/$name"; done
EOF
chmod +x "$W/rec"
cat > .pre-commit-config.yaml <<EOF
exclude: ^vendor/
repos:
- repo: local
  hooks:
  - {id: py, name: py, entry: $W/rec py, language: system, types: [python]}
  - {id: pyish, name: pyish, entry: $W/rec pyish, language: system, types_or: [python, pyi], exclude: ^docs/}
  - {id: shell, name: shell, entry: $W/rec shell, language: system, types: [shell]}
  - {id: cfiles, name: cfiles, entry: $W/rec cfiles, language: system, files: '\.(c|h)$'}
  - {id: header, name: header, entry: $W/rec header, language: system, types: [header]}
  - {id: text-not-py, name: text-not-py, entry: $W/rec text-not-py, language: system, types: [text], exclude_types: [python, markdown, pyi]}
  - {id: exe-text, name: exe-text, entry: $W/rec exe-text, language: system, types: [text, executable]}
  - {id: binary, name: binary, entry: $W/rec binary, language: system, types: [binary]}
  - {id: js-or-ts, name: js-or-ts, entry: $W/rec js-or-ts, language: system, types_or: [javascript, ts]}
  - {id: json, name: json, entry: $W/rec json, language: system, types: [json]}
  - {id: once, name: once, entry: $W/rec once, language: system, pass_filenames: false, files: '\.json$'}
  - {id: always, name: always, entry: $W/rec always, language: system, always_run: true, pass_filenames: false, files: '\.none$'}
  - id: verbose
    name: verbose
    entry: $W/rec verbose
    language: system
    files: |
      (?x)^(
        src/c1\.c|     # one source
        docs/.*\.md
      )$
EOF
cat > lefthook.yml <<EOF
pre-commit:
  parallel: true
  commands:
    js:
      glob: "*.{js,ts}"
      run: $W/rec js {staged_files}
    md-mid:
      glob: "*.md"
      run: $W/rec md-mid {staged_files} && true
    web-root:
      root: web/
      glob: "*.js"
      run: $W/rec web-root {staged_files}
    json-excl:
      glob: "*.json"
      exclude: ["web/app/d1.json"]
      run: $W/rec json-excl {staged_files}
    nofiles:
      run: $W/rec nofiles
EOF
git add -A && git commit -qm tree
# prek's and lefthook's --all-files are git's tracked files; hookwave's is
# every file under the directory (what the bench writes included), so
# hookwave is given the tracked files by name.
git ls-files -z > "$W/tracked"
"$HOOKWAVE" migrate -o hookwave-pc.ini .pre-commit-config.yaml 2>/dev/null
"$HOOKWAVE" migrate -o hookwave-lh.ini lefthook.yml 2>/dev/null

# compare WHICH HOOKS...: the files each hook got under $WHICH-orig and
# $WHICH-hw, as a row per hook.
same=0 differ=0
compare() {
    local which=$1 h a b; shift
    for h in "$@"; do
        # lefthook spells a file under root as ./NAME: the same file.
        sed -i 's,^\./,,' "$W/got/$which-orig/$h" 2>/dev/null
        a=$(sort "$W/got/$which-orig/$h" 2>/dev/null | md5sum | cut -c1-8)
        b=$(sort "$W/got/$which-hw/$h" 2>/dev/null | md5sum | cut -c1-8)
        na=$(sort -u "$W/got/$which-orig/$h" 2>/dev/null | wc -l)
        nb=$(sort -u "$W/got/$which-hw/$h" 2>/dev/null | wc -l)
        if [ "$a" = "$b" ]; then
            same=$((same + 1)); printf '  %-10s %-12s same files (%s)\n' "$which" "$h" "$na"
        else
            differ=$((differ + 1)); printf '  %-10s %-12s DIFFERENT: original %s, hookwave %s\n' "$which" "$h" "$na" "$nb"
            diff <(sort "$W/got/$which-orig/$h" 2>/dev/null) <(sort "$W/got/$which-hw/$h" 2>/dev/null) | head -5 | sed 's/^/      /'
        fi
    done
}

pc_hooks="py pyish shell cfiles header text-not-py exe-text binary js-or-ts json once always verbose"
lh_hooks="js md-mid web-root json-excl nofiles"
if [ -n "$PREK" ]; then
    REC_DIR=$W/got/pc-orig "$PREK" run --all-files >/dev/null 2>&1
    REC_DIR=$W/got/pc-hw "$HOOKWAVE" -c hookwave-pc.ini -0 --files="$W/tracked" -q --no-history --no-cache >/dev/null 2>&1
    compare pc $pc_hooks
    rm -rf "$W/got/pc-orig" "$W/got/pc-hw"
    bench l "hookwave (migrated)" "the tracked files, $pc_hooks" "env REC_DIR=$W/got/x $HOOKWAVE -c hookwave-pc.ini -0 --files=$W/tracked -q --no-history --no-cache" ref
    hw=$MED
    bench l "prek run --all-files" "the original config" "env REC_DIR=$W/got/y $PREK run --all-files" "$hw"
else skip_row l prek "not installed (bench/install-peers.sh)"; fi
if [ -n "$LEFTHOOK" ]; then
    REC_DIR=$W/got/lh-orig "$LEFTHOOK" run pre-commit --all-files --no-auto-install >/dev/null 2>&1
    REC_DIR=$W/got/lh-hw "$HOOKWAVE" -c hookwave-lh.ini -0 --files="$W/tracked" -q --no-history --no-cache >/dev/null 2>&1
    compare lh $lh_hooks
    rm -rf "$W/got/lh-orig" "$W/got/lh-hw"
    bench l "hookwave (migrated)" "the tracked files, $lh_hooks" "env REC_DIR=$W/got/x $HOOKWAVE -c hookwave-lh.ini -0 --files=$W/tracked -q --no-history --no-cache" ref
    hw=$MED
    bench l "lefthook run --all-files" "the original config" "env REC_DIR=$W/got/y $LEFTHOOK run pre-commit --all-files --no-auto-install" "$hw"
else skip_row l lefthook "not installed (bench/install-peers.sh)"; fi
if [ $((same + differ)) -eq 0 ]; then
    target l SKIPPED "neither prek nor lefthook installed"
elif [ "$differ" -eq 0 ]; then
    target l MET "$same of $same hooks got exactly the original tool's files"
else
    target l MISSED "$differ of $((same + differ)) hooks got other files than the original tool"
fi
