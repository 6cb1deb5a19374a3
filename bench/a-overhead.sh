#!/usr/bin/env bash
# a-overhead.sh — what each tool adds per hook: N (500) independent hooks
# that each run `true`, at most J (2) at once.
#
#   bash bench/a-overhead.sh            (knobs: RUNS, A_HOOKS=500, A_JOBS=2)
#
# Every row spawns N processes; the differences between rows are what each
# tool costs per hook (config, fork/exec, a shell or not, output capture,
# bookkeeping). hookwave runs each hook as /bin/sh -c 'true' (its contract);
# make execs a simple recipe directly, without a shell; ninja, lefthook and
# GNU parallel go through a shell; xargs and prek exec `true` directly.
# Target: hookwave <= 1.0 x make -jJ (median wall time).
. "$(dirname "$0")/lib.sh"
N=${A_HOOKS:-500}; J=${A_JOBS:-2}
begin a "overhead: $N hooks of 'true', cap $J (target: hookwave <= 1.0 x make -j$J)"
scratch a git
seqN() { seq -w 1 "$N"; }

# --- hookwave
HW=
if [ -n "$HOOKWAVE" ]; then
    { printf '[settings]\njobs = %s\n' "$J"
      for i in $(seqN); do printf '[hook h%s]\ncommand = true\n' "$i"; done
    } > hookwave.ini
    bench a "hookwave -j$J" "$N hooks, one strategy, sh -c true each" "$HOOKWAVE -q -c hookwave.ini -j $J" ref
    HW=$MED
    if hw_has_history; then
        bench a "hookwave -j$J --no-history" "no duration history read or written" \
            "$HOOKWAVE -q --no-history -c hookwave.ini -j $J" "$HW"
    fi
else skip_row a hookwave "$(hw_note_missing)"; fi

# --- floors: no tool, one process after another
bench a "floor: sh loop, $N x /bin/true" "sequential fork+exec, no tool" \
    "i=0; while [ \$i -lt $N ]; do /bin/true; i=\$((i+1)); done" "$HW"
bench a "floor: sh loop, $N x sh -c true" "sequential, through a shell" \
    "i=0; while [ \$i -lt $N ]; do /bin/sh -c true; i=\$((i+1)); done" "$HW"

# --- make: N phony targets
MAKE_MED=
if [ -n "$MAKE" ]; then
    { printf '.PHONY: all'; for i in $(seqN); do printf ' h%s' "$i"; done; printf '\n'
      printf 'all:'; for i in $(seqN); do printf ' h%s' "$i"; done; printf '\n'
      for i in $(seqN); do printf 'h%s:\n\t@true\n' "$i"; done
    } > Makefile
    bench a "make -j$J" "phony targets; recipe exec'd without a shell" "$MAKE -s -j$J all" "$HW"
    MAKE_MED=$MED
else skip_row a make "not installed"; fi

# --- ninja: N edges whose outputs never appear (always dirty)
if [ -n "$NINJA" ]; then
    { printf 'rule t\n  command = true\n'
      for i in $(seqN); do printf 'build h%s: t\n' "$i"; done
    } > build.ninja
    bench a "ninja -j$J" "always-dirty edges; sh -c true" "$NINJA -j$J" "$HW"
else skip_row a ninja "not installed"; fi

# --- xargs
if [ -n "$XARGS" ]; then
    bench a "xargs -P$J -n1" "one process per input line; exec, no shell" "seq $N | $XARGS -P$J -n1 true" "$HW"
else skip_row a xargs "not installed"; fi

# --- GNU parallel
if [ -n "$GNU_PARALLEL" ]; then
    bench a "parallel -j$J" "perl; \$SHELL -c per job" "seq $N | $GNU_PARALLEL --will-cite -j$J true" "$HW"
else skip_row a "GNU parallel" "not installed"; fi

# --- lefthook: no cap exists; parallel: true starts every job at once
if [ -n "$LEFTHOOK" ]; then
    for mode in parallel sequential; do
        { echo "output: false"
          echo "bench-$mode:"
          [ $mode = parallel ] && echo "  parallel: true"
          echo "  jobs:"
          for i in $(seqN); do printf '    - name: h%s\n      run: "true"\n' "$i"; done
        } > "lefthook-$mode.yml"
    done
    cp lefthook-parallel.yml lefthook.yml
    bench a "lefthook parallel: true" "NO cap: all $N at once" "$LEFTHOOK run bench-parallel --no-auto-install" "$HW"
    cp lefthook-sequential.yml lefthook.yml
    bench a "lefthook (sequential)" "its only capped mode: cap 1" "$LEFTHOOK run bench-sequential --no-auto-install" "$HW"
    rm -f lefthook.yml
else skip_row a lefthook "not installed (bench/install-peers.sh)"; fi

# --- prek: local system hooks, all priority 0, PREK_CONCURRENT_HOOKS=J
if [ -n "$PREK" ]; then
    { echo "repos:"; echo "- repo: local"; echo "  hooks:"
      for i in $(seqN); do
          printf '  - id: h%s\n    name: h%s\n    entry: "true"\n    language: system\n    pass_filenames: false\n    always_run: true\n    priority: 0\n' "$i" "$i"
      done
    } > prek.yaml
    bench a "prek (priority 0)" "PREK_CONCURRENT_HOOKS=$J" "PREK_CONCURRENT_HOOKS=$J $PREK run --all-files -c prek.yaml" "$HW"
else skip_row a prek "not installed (bench/install-peers.sh)"; fi

# --- target
if [ -z "$HW" ]; then target a SKIPPED "hookwave not built"
elif [ -z "$MAKE_MED" ]; then target a SKIPPED "make not installed"
else
    r=$(ratio "$HW" "$MAKE_MED")
    if le "$r" 1.0; then v=MET; else v=MISSED; fi
    target a "$v" "hookwave ${HW}s = ${r} x make -j$J ${MAKE_MED}s (target <= 1.0 x)"
fi
