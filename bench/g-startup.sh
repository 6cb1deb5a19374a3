#!/usr/bin/env bash
# g-startup.sh — what a tool costs before it does anything: `--version`, and
# an empty run (a config with no hooks; make: one phony target with an empty
# recipe; ninja: "no work to do"), in a scratch git repository with one file.
#
#   bash bench/g-startup.sh             (knobs: FAST_RUNS, WARMUP)
#
# Timed by hyperfine -N (no shell in between) when it is installed, else by
# FAST_RUNS runs of the loop (which includes bash's fork+exec: compare with
# the /bin/true floor row). The ratio is hookwave's --version over the tool's
# --version, and hookwave's empty run over the tool's empty run.
# Target: hookwave --version <= 2 ms median (make and ninja are ~1 ms).
. "$(dirname "$0")/lib.sh"
begin g "start-up: --version and an empty run (target: hookwave --version <= 2 ms median)"
scratch g git

bench g "floor: /bin/true" "fork+exec, nothing else" "/bin/true"
HWV='' HWE=''
if [ -n "$HOOKWAVE" ]; then
    printf '[settings]\njobs = 2\n' > empty.ini
    bench g "hookwave --version" "" "$HOOKWAVE --version" ref
    HWV=$MED
    bench g "hookwave empty run" "config with no hooks" "$HOOKWAVE -q -c empty.ini" ref
    HWE=$MED
else skip_row g hookwave "$(hw_note_missing)"; fi

MAKEV='' NINJAV=''
if [ -n "$MAKE" ]; then
    printf '.PHONY: all\nall: ;\n' > Makefile
    bench g "make --version" "" "$MAKE --version" "$HWV"; MAKEV=$MED
    bench g "make empty run" "one phony target, empty recipe" "$MAKE -s all" "$HWE"
else skip_row g make "not installed"; fi
if [ -n "$NINJA" ]; then
    printf 'build all: phony\ndefault all\n' > build.ninja
    bench g "ninja --version" "" "$NINJA --version" "$HWV"; NINJAV=$MED
    bench g "ninja empty run" "no work to do" "$NINJA" "$HWE"
else skip_row g ninja "not installed"; fi
if [ -n "$XARGS" ]; then
    bench g "xargs --version" "" "$XARGS --version" "$HWV"
    bench g "xargs empty run" "-r, empty stdin" "$XARGS -r true < /dev/null" "$HWE"
else skip_row g xargs "not installed"; fi
if [ -n "$GNU_PARALLEL" ]; then
    bench g "parallel --version" "perl start" "$GNU_PARALLEL --version" "$HWV"
    bench g "parallel empty run" "empty stdin" "$GNU_PARALLEL --will-cite true < /dev/null" "$HWE"
else skip_row g "GNU parallel" "not installed"; fi
if [ -n "$LEFTHOOK" ]; then
    printf 'output: false\nbench:\n  jobs:\n    - name: nothing\n      glob: "*.nomatch"\n      run: true {all_files}\n' > lefthook.yml
    bench g "lefthook version" "native binary" "$LEFTHOOK version" "$HWV"
    bench g "lefthook empty run" "1 job, glob matches nothing" "$LEFTHOOK run bench --no-auto-install" "$HWE"
else skip_row g lefthook "not installed (bench/install-peers.sh)"; fi
if [ -n "$PREK" ]; then
    printf 'repos:\n- repo: local\n  hooks:\n  - id: nothing\n    name: nothing\n    entry: "true"\n    language: system\n    files: '"'"'\\.nomatch$'"'"'\n' > prek.yaml
    bench g "prek --version" "native binary" "$PREK --version" "$HWV"
    bench g "prek empty run" "1 hook, files match nothing" "$PREK run --all-files -c prek.yaml" "$HWE"
    # (prek refuses an empty repos: list with exit 1, so it gets one hook whose files match nothing)
else skip_row g prek "not installed (bench/install-peers.sh)"; fi

if [ -z "$HWV" ]; then target g SKIPPED "hookwave not built"
else
    if le "$HWV" 0.002; then v=MET; else v=MISSED; fi
    ms() { awk -v s="$1" 'BEGIN {printf "%.2f ms", s * 1000}'; }
    target g "$v" "hookwave --version $(ms "$HWV") (make $( [ -n "$MAKEV" ] && ms "$MAKEV" || echo -), ninja $( [ -n "$NINJAV" ] && ms "$NINJAV" || echo -)); empty run $(ms "$HWE") (target --version <= 2 ms)"
fi
