#!/usr/bin/env bash
# c-dag.sh — the mission's DAG: gitleaks -> bandit, zuban -> refurb, and two
# independent hooks, at caps 4 and 2 (C_CAPS="4 2").
#
#   bash bench/c-dag.sh                 (knobs: RUNS, C_CAPS)
#
# Each tool is simulated by the probe sleeping a plausible duration — about a
# tenth of what these tools take on a mid-size Python repository, keeping
# their proportions (the scheduling problem is the same, the bench is short):
#   gitleaks 0.3 s -> bandit 0.9 s     (secret scan, then security lint)
#   zuban    0.6 s -> refurb 0.8 s     (type check, then refurb, which needs it)
#   ruff     0.4 s, pyright 0.5 s      (independent)
# Config order: gitleaks bandit zuban refurb ruff pyright. Work 3.5 s;
# critical path zuban+refurb 1.4 s.
# Reference makespans:
#   cap 4: eager = optimum 1.4 | waves (barrier) 0.6 + 0.9 = 1.5
#   cap 2: lower bound max(1.4, 3.5/2) = 1.75; optimum 1.8 (durations are
#          tenths: no 1.75/1.75 split) = eager longest-chain-first | eager in
#          config order (make) 1.9 | waves in config order 1.1 + 0.9 = 2.0
# How the peers express it: make and ninja with real prerequisites (eager);
# prek with priority 0/1 (waves with a barrier); lefthook with two
# `piped: true` groups inside a `parallel: true` hook (chains only, and no
# cap at all: not run at cap 2, where it would run 4 at once); xargs and GNU
# parallel as two waves written by hand (two calls).
# Target: hookwave (eager, with history) at or under every peer that kept
# the cap (conc <= cap), at both caps (+ SLACK for timer jitter).
. "$(dirname "$0")/lib.sh"
CAPS=${C_CAPS:-"4 2"}
begin c "DAG: gitleaks->bandit, zuban->refurb, ruff, pyright; caps $CAPS" \
    "# durations (s): gitleaks 0.3 bandit 0.9 zuban 0.6 refurb 0.8 ruff 0.4 pyright 0.5
# reference: cap 4 eager/optimum 1.4, waves 1.5 | cap 2 optimum 1.8, make-style eager 1.9, waves 2.0"
scratch c git
write_probe

HOOKS="gitleaks:0.3 bandit:0.9 zuban:0.6 refurb:0.8 ruff:0.4 pyright:0.5"
DEPS_CHECK="gitleaks:bandit zuban:refurb"        # a:b = b depends on a
dep_of() { case $1 in bandit) echo gitleaks ;; refurb) echo zuban ;; esac; }
secs() { local hd; for hd in $HOOKS; do [ "${hd%%:*}" = "$1" ] && echo "${hd##*:}"; done; }
pcmd() { echo "$PROBE $1 $(secs "$1")"; }

# configs that do not depend on the cap
{ printf '[settings]\nschedule = waves\n'
  for hd in $HOOKS; do n=${hd%%:*}; d=$(dep_of "$n")
      printf '[hook %s]\ncommand = %s\n' "$n" "$(pcmd "$n")"
      [ -n "$d" ] && printf 'depends = %s\n' "$d"
  done
} > hookwave.ini
{ printf '.PHONY: all'; for hd in $HOOKS; do printf ' %s' "${hd%%:*}"; done; printf '\n'
  printf 'all:'; for hd in $HOOKS; do printf ' %s' "${hd%%:*}"; done; printf '\n'
  for hd in $HOOKS; do n=${hd%%:*}; printf '%s: %s\n\t@%s\n' "$n" "$(dep_of "$n")" "$(pcmd "$n")"; done
} > Makefile
{ printf 'rule p\n  command = $cmd\n'
  for hd in $HOOKS; do n=${hd%%:*}; d=$(dep_of "$n")
      printf 'build %s: p%s\n  cmd = %s\n' "$n" "${d:+ | $d}" "$(pcmd "$n")"
  done
} > build.ninja
{ echo "repos:"; echo "- repo: local"; echo "  hooks:"
  for hd in $HOOKS; do n=${hd%%:*}; p=0; [ -n "$(dep_of "$n")" ] && p=1
      printf '  - id: %s\n    name: %s\n    entry: %s\n    language: system\n    pass_filenames: false\n    always_run: true\n    priority: %s\n' \
          "$n" "$n" "$(pcmd "$n")" "$p"
  done
} > prek.yaml
cat > lefthook.yml <<EOF2
output: false
bench:
  parallel: true
  jobs:
    - name: chain-gitleaks-bandit
      group:
        piped: true
        jobs:
          - name: gitleaks
            run: $(pcmd gitleaks)
          - name: bandit
            run: $(pcmd bandit)
    - name: chain-zuban-refurb
      group:
        piped: true
        jobs:
          - name: zuban
            run: $(pcmd zuban)
          - name: refurb
            run: $(pcmd refurb)
    - name: ruff
      run: $(pcmd ruff)
    - name: pyright
      run: $(pcmd pyright)
EOF2
: > wave1.txt; : > wave2.txt
for hd in $HOOKS; do n=${hd%%:*}
    if [ -n "$(dep_of "$n")" ]; then echo "$n ${hd##*:}" >> wave2.txt; else echo "$n ${hd##*:}" >> wave1.txt; fi
done

declare -A WITH NOHIST WAVES VERDICT DETAIL
for J in $CAPS; do
    wl="c cap $J"
    echo "-- cap $J"
    declare -A PEER=()
    hw_schedule_rows "$wl" "hookwave -j$J" "$HOOKWAVE -q -c hookwave.ini -j $J"
    WITH[$J]=$HW_EAGER NOHIST[$J]=$HW_EAGER_NH WAVES[$J]=$HW_WAVES
    HW=$HW_EAGER
    keep() { [ "$RC" -eq 0 ] && [ "$CONC" -le "$J" ] && PEER[$1]=$MED; return 0; }

    if [ -n "$MAKE" ]; then
        bench "$wl" "make -j$J" "prerequisites, eager, config order" "$MAKE -s -j$J all" "$HW"; keep "make -j$J"
    else skip_row "$wl" make "not installed"; fi
    if [ -n "$NINJA" ]; then
        rm -f .ninja_log .ninja_deps
        bench "$wl" "ninja -j$J" "implicit deps, eager" "$NINJA -j$J" "$HW"; keep "ninja -j$J"
    else skip_row "$wl" ninja "not installed"; fi
    if [ -n "$XARGS" ]; then
        bench "$wl" "xargs -P$J, 2 waves by hand" "no deps: 2 calls = barrier" \
            "$XARGS -P$J -n2 $PROBE < wave1.txt && $XARGS -P$J -n2 $PROBE < wave2.txt" "$HW"; keep "xargs -P$J"
    else skip_row "$wl" xargs "not installed"; fi
    if [ -n "$GNU_PARALLEL" ]; then
        bench "$wl" "parallel -j$J, 2 waves by hand" "no deps: 2 calls = barrier" \
            "$GNU_PARALLEL --will-cite -j$J --colsep ' ' $PROBE {1} {2} :::: wave1.txt && $GNU_PARALLEL --will-cite -j$J --colsep ' ' $PROBE {1} {2} :::: wave2.txt" "$HW"
        keep "parallel -j$J"
    else skip_row "$wl" "GNU parallel" "not installed"; fi
    if [ -z "$LEFTHOOK" ]; then skip_row "$wl" lefthook "not installed (bench/install-peers.sh)"
    elif [ "$J" -ge 4 ]; then
        bench "$wl" "lefthook piped groups" "chains only; NO cap (4 chains)" "$LEFTHOOK run bench --no-auto-install" "$HW"; keep lefthook
    else
        skip_row "$wl" lefthook "has no cap: would run the 4 chains at once (see the cap-4 row)"
    fi
    if [ -n "$PREK" ]; then
        bench "$wl" "prek priority 0/1" "waves via priority; PREK_CONCURRENT_HOOKS=$J" \
            "PREK_CONCURRENT_HOOKS=$J $PREK run --all-files -c prek.yaml" "$HW"; keep prek
    else skip_row "$wl" prek "not installed (bench/install-peers.sh)"; fi

    # verdict for this cap: hookwave eager (history) vs every peer that kept the cap
    lost=""
    for p in "${!PEER[@]}"; do
        le "$HW" "$(fadd "${PEER[$p]}" "$SLACK")" || lost="$lost, $p ${PEER[$p]}s"
    done
    if [ -z "$HW" ]; then VERDICT[$J]=SKIPPED
    elif [ ${#PEER[@]} -eq 0 ]; then VERDICT[$J]=SKIPPED; DETAIL[$J]="no peer found"
    elif [ -z "$lost" ]; then VERDICT[$J]=MET; DETAIL[$J]="<= all ${#PEER[@]} capped peers"
    else VERDICT[$J]=MISSED; DETAIL[$J]="slower than${lost#,}"
    fi
    unset PEER
done

# --- target
if [ -z "$HOOKWAVE" ]; then target c SKIPPED "hookwave not built"
else
    if hw_has_history; then what="eager, history"; else what="eager, NO history (not available yet)"; fi
    v=MET; text=""
    for J in $CAPS; do
        [ "${VERDICT[$J]}" = MET ] || v=${VERDICT[$J]}
        [ "${VERDICT[$J]}" = MISSED ] && v=MISSED
        text="$text; cap $J: ${WITH[$J]}s (${DETAIL[$J]:-}; no history ${NOHIST[$J]}s, waves ${WAVES[$J]}s)"
    done
    # MISSED wins over SKIPPED
    for J in $CAPS; do [ "${VERDICT[$J]}" = MISSED ] && v=MISSED; done
    target c "$v" "hookwave ($what)${text}; slack ${SLACK}s"
fi
