#!/usr/bin/env bash
# d-batching.sh — one hook over 4,000 files (D_FILES), at most 4 (D_JOBS)
# processes at once: how each tool turns a file list into processes.
#
#   bash bench/d-batching.sh            (knobs: RUNS, D_FILES=4000, D_JOBS=4)
#
# The files are src/dNN/module_with_a_fairly_long_name_NNNN.py, 1 KiB each
# (~180 KB of paths, more than one 128 KiB command line), committed to a
# scratch git repository; hookwave, lefthook and prek list them themselves,
# xargs and GNU parallel get them from `git ls-files`.
# d1: the hook is a script whose cost is 0.2 ms per file argument (it sleeps
#     $# x 200 us), so 4,000 files are 0.8 s of work: 0.2 s on 4 slots when
#     split evenly. It logs its argument count: the line under each row
#     shows processes, files per process (COUNTxFILES) and files seen in all
#     (must be 4000).
# d2: the hook is `wc -c` over the same files: the cost is spawning and
#     argv handling.
# d3: cost-skewed: the 100 files of src/d0 (together in the list) grow to
#     40 KiB, and the hook costs 0.1 us per byte of its files (it stats
#     them and sleeps), so 7.9 MB are 0.79 s of work, 0.2 s on 4 slots.
#     Splitting by count puts the big files in one batch (0.49 s);
#     hookwave packs by size (and, with history, by what each file took).
# make and ninja cannot split a list; they get 4 targets of 1,000 files
# written by hand (noted). Target: d1 hookwave <= 1.0 x xargs -P4 -n1000
# (+ SLACK).
. "$(dirname "$0")/lib.sh"
NFILES=${D_FILES:-4000}; J=${D_JOBS:-4}
PER=$(( (NFILES + J - 1) / J ))
begin d "batching: 1 hook over $NFILES files, cap $J (target: d1 hookwave <= 1.0 x xargs -P$J -n$PER)" \
    "# d1: hook costs 0.2 ms per file (sleep): $(awk -v n="$NFILES" 'BEGIN {print n * 0.0002}') s of work, $(awk -v n="$NFILES" -v j="$J" 'BEGIN {print n * 0.0002 / j}') s on $J slots | d2: wc -c over the files"
scratch d git

# the files (1 KiB each) and two that do not match
awk 'BEGIN {for (i = 0; i < 40; i++) print "src/d" i}' | xargs mkdir -p
head -c 1024 /dev/zero | tr '\0' x > one-kib
awk -v n="$NFILES" 'BEGIN {for (i = 0; i < n; i++) printf "src/d%d/module_with_a_fairly_long_name_%d.py\n", i % 40, i}' |
    xargs -n 1000 sh -c 'for f; do cp one-kib "$f"; done' sh
rm -f one-kib
printf 'x\n' > notes.txt; printf '{}\n' > src/data.json
git add -A && git commit -qm files

# the d1 hook: sleeps 200 us per argument, logs "nARGC start end"
PROBE=$W/cost; PROBE_LOG=$W/cost.log
{
    echo '#!/bin/sh'
    echo 's=$(date +%s%N)'
    echo 't=$(($# * 200))'
    echo 'sleep "$((t / 1000000)).$(printf %06d $((t % 1000000)))"'
    echo 'e=$(date +%s%N)'
    echo "echo \"n\$# \$s \$e\" >> \"$PROBE_LOG\""
} > "$PROBE"
chmod +x "$PROBE"
SHOW_SCHEDULE=0

batches() { # the last run: processes, files per process, files in all
    local n sizes total bytes
    n=$(wc -l < "$PROBE_LOG")
    sizes=$(awk '{print substr($1, 2)}' "$PROBE_LOG" | sort -n | uniq -c | awk '{printf "%s%sx%s", (NR > 1 ? "," : ""), $1, $2}')
    total=$(awk '{s += substr($1, 2)} END {print s + 0}' "$PROBE_LOG")
    # d3 logs each process's bytes: the heaviest sets the hook's time
    bytes=$(awk 'NF >= 4 {printf "%s%.0f", (n++ ? "+" : " bytes(KiB)="), $4 / 1024}' "$PROBE_LOG")
    printf '%9s   batches: procs=%s sizes=%s files=%s%s%s\n' "" "$n" "$sizes" "$total" "$bytes" \
        "$([ "$total" -eq "$NFILES" ] || echo '  <-- NOT ALL FILES')"
}

hand_batches() { # Makefile and build.ninja in the scratch dir: J targets of PER files, command $1
    git ls-files '*.py' | split -l "$PER" -d - batch.
    { printf '.PHONY: all'; for b in batch.*; do printf ' %s' "$b-run"; done; printf '\n'
      printf 'all:'; for b in batch.*; do printf ' %s' "$b-run"; done; printf '\n'
      for b in batch.*; do printf '%s-run:\n\t@%s ' "$b" "$1"; tr '\n' ' ' < "$b"; printf '\n'; done
    } > "$W/Makefile"
    { printf 'rule r\n  command = $cmd\n'
      for b in batch.*; do printf 'build %s-run: r\n  cmd = %s ' "$b" "$1"; tr '\n' ' ' < "$b"; printf '\n'; done
    } > "$W/build.ninja"
    rm -f batch.* .ninja_log
}

declare -A HW_D XARGS_D
run_rows() { # $1 = d1|d2, $2 = hook command
    local wl=$1 cmd=$2 hw=
    local show=:; [ "$wl" != d2 ] && show=batches
    if [ -n "$HOOKWAVE" ]; then
        printf '[settings]\njobs = %s\n[hook lint]\ncommand = %s\nfiles = *.py\n' "$J" "$cmd" > hookwave.ini
        bench "$wl" "hookwave -j$J" "batch_size = 0 (auto)" "$HOOKWAVE -q --no-cache -c hookwave.ini -j $J" ref
        hw=$MED; HW_D[$wl]=$MED; $show
    else skip_row "$wl" hookwave "$(hw_note_missing)"; fi
    if [ -n "$XARGS" ]; then
        bench "$wl" "xargs -P$J -n$PER" "n = files / cap" "git ls-files -z '*.py' | $XARGS -0 -P$J -n$PER $cmd" "$hw"
        XARGS_D[$wl]=$MED; $show
        bench "$wl" "xargs -P$J" "default: fills each command line" "git ls-files -z '*.py' | $XARGS -0 -P$J $cmd" "$hw"; $show
    else skip_row "$wl" xargs "not installed"; fi
    if [ -n "$GNU_PARALLEL" ]; then
        bench "$wl" "parallel -X -j$J" "spreads the files over the slots" "git ls-files '*.py' | $GNU_PARALLEL --will-cite -X -j$J $cmd" "$hw"; $show
    else skip_row "$wl" "GNU parallel" "not installed"; fi
    hand_batches "$cmd"
    if [ -n "$MAKE" ]; then
        bench "$wl" "make -j$J" "$J targets of $PER files, by hand" "$MAKE -s -j$J all" "$hw"; $show
    else skip_row "$wl" make "not installed"; fi
    if [ -n "$NINJA" ]; then
        bench "$wl" "ninja -j$J" "$J edges of $PER files, by hand" "$NINJA -j$J" "$hw"; $show
    else skip_row "$wl" ninja "not installed"; fi
    if [ -n "$LEFTHOOK" ]; then
        printf 'output: false\nbench:\n  jobs:\n    - name: lint\n      glob: "*.py"\n      run: %s {all_files}\n' "$cmd" > lefthook.yml
        bench "$wl" "lefthook {all_files}" "splits the list, runs the pieces in turn" "$LEFTHOOK run bench --no-auto-install" "$hw"; $show
        rm -f lefthook.yml
    else skip_row "$wl" lefthook "not installed (bench/install-peers.sh)"; fi
    if [ -n "$PREK" ]; then
        printf 'repos:\n- repo: local\n  hooks:\n  - id: lint\n    name: lint\n    entry: %s\n    language: system\n    files: \\.py$\n' "$cmd" > prek.yaml
        bench "$wl" "prek" "PREK_CONCURRENT_BATCHES=$J" "PREK_CONCURRENT_BATCHES=$J $PREK run --all-files -c prek.yaml" "$hw"; $show
    else skip_row "$wl" prek "not installed (bench/install-peers.sh)"; fi
}

echo "-- d1: 0.2 ms per file"
run_rows d1 "$PROBE"
echo "-- d2: wc -c"
saved=$PROBE_LOG; PROBE_LOG=
run_rows d2 "wc -c"
PROBE_LOG=$saved

# d3: the files of src/d0 grow to 40 KiB; the hook sleeps 0.1 us per byte
head -c 40960 /dev/zero | tr '\0' x > forty-kib
for f in src/d0/*.py; do cp forty-kib "$f"; done
rm -f forty-kib
git add -A && git commit -qm big
SIZED=$W/sized
{
    echo '#!/bin/sh'
    echo 's=$(date +%s%N)'
    echo 'b=$(stat -c %s "$@" | awk '"'"'{t += $1} END {print t + 0}'"'"')'
    echo 't=$((b / 10))'
    echo 'sleep "$((t / 1000000)).$(printf %06d $((t % 1000000)))"'
    echo 'e=$(date +%s%N)'
    echo "echo \"n\$# \$s \$e \$b\" >> \"$PROBE_LOG\""
} > "$SIZED"
chmod +x "$SIZED"
echo "-- d3: cost-skewed: 0.1 us per byte, 100 files of 40 KiB together in the list"
run_rows d3 "$SIZED"
if [ -n "$HOOKWAVE" ]; then
    printf '[settings]\njobs = %s\n[hook lint]\ncommand = %s\nfiles = *.py\n' "$J" "$SIZED" > hookwave.ini
    bench d3 "hookwave -j$J --no-history" "packed by size alone" "$HOOKWAVE -q --no-cache -c hookwave.ini -j $J --no-history" "${HW_D[d3]}"
    batches
fi

if [ -z "${HW_D[d1]:-}" ]; then target d SKIPPED "hookwave not built"
elif [ -z "${XARGS_D[d1]:-}" ]; then target d SKIPPED "xargs not installed"
else
    r=$(ratio "${HW_D[d1]}" "${XARGS_D[d1]}")
    if le "${HW_D[d1]}" "$(fadd "${XARGS_D[d1]}" "$SLACK")"; then v=MET; else v=MISSED; fi
    target d "$v" "d1: hookwave ${HW_D[d1]}s = $r x xargs -P$J -n$PER ${XARGS_D[d1]}s (target <= 1.0 x, slack ${SLACK}s); d2 (wc -c): $(ratio "${HW_D[d2]:-}" "${XARGS_D[d2]:-}") x; d3 (cost-skewed): $(ratio "${HW_D[d3]:-}" "${XARGS_D[d3]:-}") x"
fi
