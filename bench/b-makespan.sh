#!/usr/bin/env bash
# b-makespan.sh — 8 independent hooks that sleep 0.1 .. 0.8 s (3.6 s of work),
# at most J (4) at once, listed ascending and then descending.
#
#   bash bench/b-makespan.sh            (knobs: RUNS, B_JOBS=4)
#
# Reference makespans at J=4: one at a time 3.6 s; no cap 0.8 s; greedy list
# scheduling in config order 1.2 s ascending, 0.9 s descending; optimum 0.9 s
# (= 3.6 / 4: longest first, h8+h1, h7+h2, h6+h3, h5+h4). Every hook is the
# probe script, which logs its own start and end: "conc" is the most hooks
# seen alive at once over all runs (does the tool honour the cap?), and the
# schedule line shows the last run (name@start-end, seconds).
# Targets: with history, hookwave <= 1.05 x 0.9 s in both orders; without
# history, no worse than greedy (make -jJ in the same order, + SLACK).
. "$(dirname "$0")/lib.sh"
J=${B_JOBS:-4}
OPT=0.9
begin b "makespan: 8 sleeps 0.1..0.8 s, cap $J, ascending and descending (optimum $OPT s)" \
    "# reference (J=4): sequential 3.6 | no cap 0.8 | greedy asc 1.2, desc 0.9 | optimum 0.9"
scratch b git
write_probe

ASC="h1:0.1 h2:0.2 h3:0.3 h4:0.4 h5:0.5 h6:0.6 h7:0.7 h8:0.8"
DESC="h8:0.8 h7:0.7 h6:0.6 h5:0.5 h4:0.4 h3:0.3 h2:0.2 h1:0.1"
declare -A WITH NOHIST GREEDY

for order in asc desc; do
    [ $order = asc ] && L=$ASC || L=$DESC
    wl="b $order"
    echo "-- listed $order: $(echo $L | tr ' ' ',')"

    # hookwave: one strategy, no dependencies
    { printf '[settings]\njobs = %s\n' "$J"
      for hd in $L; do printf '[hook %s]\ncommand = %s %s %s\n' "${hd%%:*}" "$PROBE" "${hd%%:*}" "${hd##*:}"; done
    } > hookwave.ini
    hw_schedule_rows "$wl" "hookwave -j$J" "$HOOKWAVE -q -c hookwave.ini -j $J"
    WITH[$order]=$HW_EAGER NOHIST[$order]=$HW_EAGER_NH
    HW=$HW_EAGER

    if [ -n "$MAKE" ]; then
        { printf '.PHONY: all'; for hd in $L; do printf ' %s' "${hd%%:*}"; done; printf '\n'
          printf 'all:'; for hd in $L; do printf ' %s' "${hd%%:*}"; done; printf '\n'
          for hd in $L; do printf '%s:\n\t@%s %s %s\n' "${hd%%:*}" "$PROBE" "${hd%%:*}" "${hd##*:}"; done
        } > Makefile
        bench "$wl" "make -j$J" "greedy, config order" "$MAKE -s -j$J all" "$HW"
        GREEDY[$order]=$MED
    else skip_row "$wl" make "not installed"; fi

    if [ -n "$NINJA" ]; then
        { printf 'rule p\n  command = %s $name $secs\n' "$PROBE"
          for hd in $L; do printf 'build %s: p\n  name = %s\n  secs = %s\n' "${hd%%:*}" "${hd%%:*}" "${hd##*:}"; done
        } > build.ninja
        rm -f .ninja_log .ninja_deps   # ninja would learn nothing from it here, but start clean
        bench "$wl" "ninja -j$J" "" "$NINJA -j$J" "$HW"
    else skip_row "$wl" ninja "not installed"; fi

    for hd in $L; do echo "${hd%%:*} ${hd##*:}"; done > jobs.txt
    if [ -n "$XARGS" ]; then
        bench "$wl" "xargs -P$J -n2" "" "$XARGS -P$J -n2 $PROBE < jobs.txt" "$HW"
    else skip_row "$wl" xargs "not installed"; fi

    if [ -n "$GNU_PARALLEL" ]; then
        bench "$wl" "parallel -j$J" "" "$GNU_PARALLEL --will-cite -j$J --colsep ' ' $PROBE {1} {2} :::: jobs.txt" "$HW"
    else skip_row "$wl" "GNU parallel" "not installed"; fi

    if [ -n "$LEFTHOOK" ]; then
        { echo "output: false"; echo "bench:"; echo "  parallel: true"; echo "  jobs:"
          for hd in $L; do printf '    - name: %s\n      run: %s %s %s\n' "${hd%%:*}" "$PROBE" "${hd%%:*}" "${hd##*:}"; done
        } > lefthook.yml
        bench "$wl" "lefthook parallel: true" "NO cap setting exists" "$LEFTHOOK run bench --no-auto-install" "$HW"
        rm -f lefthook.yml
    else skip_row "$wl" lefthook "not installed (bench/install-peers.sh)"; fi

    if [ -n "$PREK" ]; then
        { echo "repos:"; echo "- repo: local"; echo "  hooks:"
          for hd in $L; do
              printf '  - id: %s\n    name: %s\n    entry: %s %s %s\n    language: system\n    pass_filenames: false\n    always_run: true\n    priority: 0\n' \
                  "${hd%%:*}" "${hd%%:*}" "$PROBE" "${hd%%:*}" "${hd##*:}"
          done
        } > prek.yaml
        bench "$wl" "prek (priority 0)" "PREK_CONCURRENT_HOOKS=$J" "PREK_CONCURRENT_HOOKS=$J $PREK run --all-files -c prek.yaml" "$HW"
    else skip_row "$wl" prek "not installed (bench/install-peers.sh)"; fi
done

# --- targets
if [ -z "$HOOKWAVE" ]; then
    target b SKIPPED "hookwave not built"
else
    bound=$(fmul 1.05 "$OPT")
    if hw_has_history; then what="eager, history"; else what="eager, NO history (not available yet)"; fi
    if le "${WITH[asc]}" "$bound" && le "${WITH[desc]}" "$bound"; then v=MET; else v=MISSED; fi
    target "b hist" "$v" "hookwave ($what): asc ${WITH[asc]}s, desc ${WITH[desc]}s; bound 1.05 x $OPT = ${bound}s"
    g_asc=${GREEDY[asc]:-1.2} g_desc=${GREEDY[desc]:-0.9}
    src="make"; [ -n "${GREEDY[asc]:-}" ] || src="theory (make missing)"
    if le "${NOHIST[asc]}" "$(fadd "$g_asc" "$SLACK")" && le "${NOHIST[desc]}" "$(fadd "$g_desc" "$SLACK")"; then v=MET; else v=MISSED; fi
    target "b nohist" "$v" "hookwave (eager, no history): asc ${NOHIST[asc]}s vs greedy ${g_asc}s, desc ${NOHIST[desc]}s vs greedy ${g_desc}s (greedy = $src, slack ${SLACK}s)"
fi
