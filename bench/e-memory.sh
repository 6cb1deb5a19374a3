#!/usr/bin/env bash
# e-memory.sh — peak memory of hookwave while a hook prints 1 GiB (E_BYTES).
#
#   bash bench/e-memory.sh              (knobs: RUNS, E_BYTES=1073741824)
#
# The hook is `yes '<a 62-byte lint message>' | head -c E_BYTES`: 1 GiB of
# lines into hookwave's pipe. hookwave keeps at most output_limit = 1 MiB of
# it (head and tail, and a line saying how many bytes were dropped). Rows:
#   hookwave, the hook passes   (output kept, then thrown away: -q)
#   hookwave, the hook fails    (the kept 1 MiB is printed, to /dev/null)
#   make / xargs                (for scale: they capture nothing, the hook
#                                writes straight to /dev/null)
# Peak RSS is GNU time's %M (maximum resident set, KiB) of the tool's process
# (wait4 reports the largest of it and its waited-for descendants: yes and
# head are ~1-2 MiB). The "median s" column is wall time (1 GiB through a
# pipe; the ratio is hookwave's (hook passes) over the row's); the note has
# the peak RSS, median and max over RUNS runs.
# Target: hookwave's peak RSS <= 8 MiB + 3 x output_limit = 11 MiB, in every
# run of both hookwave rows.
. "$(dirname "$0")/lib.sh"
BYTES=${E_BYTES:-1073741824}
LIMIT=1048576
BOUND_KIB=$(( 8 * 1024 + 3 * LIMIT / 1024 ))
begin e "memory: a hook prints $(awk -v b="$BYTES" 'BEGIN {printf "%.2f GiB", b / 1073741824}'), output_limit $LIMIT (target: peak RSS <= 8 MiB + 3 x output_limit = $((BOUND_KIB / 1024)) MiB)"
scratch e

MSG='src/pkg/module.py:120:80: E501 line too long (97 > 79 characters)'
SPEW="yes '$MSG' | head -c $BYTES"

if [ -z "$GNU_TIME" ]; then
    skip_row e "all rows" "GNU time (/usr/bin/time) not installed"
    target e SKIPPED "GNU time not installed"
    exit 0
fi

HW_MAX='' HW=''
if [ -n "$HOOKWAVE" ]; then
    printf '[settings]\njobs = 2\noutput_limit = %s\n[hook spew]\ncommand = %s\n' "$LIMIT" "$SPEW" > pass.ini
    printf '[settings]\njobs = 2\noutput_limit = %s\n[hook spew]\ncommand = %s; exit 1\n' "$LIMIT" "$SPEW" > fail.ini
    rss_row e "hookwave, hook passes" "output kept, not shown (-q)" "exec $HOOKWAVE -q -c pass.ini" ref
    HW_MAX=$RSS_MAX HW=$MED
    rss_row e "hookwave, hook fails" "kept output printed to /dev/null" "exec $HOOKWAVE -q -c fail.ini" "$HW"
    [ "$RSS_MAX" -gt "$HW_MAX" ] && HW_MAX=$RSS_MAX
    # what a failing run prints: the kept head and tail, and the dropped line
    "$HOOKWAVE" -q -c fail.ini > out.txt 2>&1
    printf '%9s   hook fails: hookwave printed %s bytes (output_limit %s); %s\n' "" "$(wc -c < out.txt)" "$LIMIT" \
        "$(grep -a -m1 -o '[0-9]* bytes dropped' out.txt || echo 'no "bytes dropped" line')"
    rm -f out.txt
else skip_row e hookwave "$(hw_note_missing)"; fi

if [ -n "$MAKE" ]; then
    printf 'all:\n\t@%s\n' "$SPEW" > Makefile
    rss_row e "make -s" "no capture: recipe writes to /dev/null" "exec $MAKE -s all" "$HW"
else skip_row e make "not installed"; fi
if [ -n "$XARGS" ]; then
    rss_row e "xargs -n1 sh -c" "no capture: writes to /dev/null" "echo x | exec $XARGS -n1 sh -c \"$SPEW\" sh" "$HW"
else skip_row e xargs "not installed"; fi

if [ -z "$HW_MAX" ]; then target e SKIPPED "hookwave not built"
else
    if [ "$HW_MAX" -le "$BOUND_KIB" ]; then v=MET; else v=MISSED; fi
    target e "$v" "hookwave peak RSS $(awk -v k="$HW_MAX" 'BEGIN {printf "%.1f", k / 1024}') MiB (max over both rows) <= bound $((BOUND_KIB / 1024)) MiB (8 MiB + 3 x $LIMIT B)"
fi
