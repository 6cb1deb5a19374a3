#!/usr/bin/env bash
# j-findings.sh — peak memory and time of hookwave while a hook prints
# J_FINDINGS (100,000) diagnostics in the gcc form, read as findings.
#
#   bash bench/j-findings.sh            (knobs: RUNS, J_FINDINGS=100000)
#
# The hook prints J_FINDINGS lines such as
#   src/pkg/module_123.py:4567:8: warning: line too long (97 > 79) [E501]
# Rows, on the same output:
#   hookwave, output only        (findings not read: the engine's bound)
#   hookwave, findings = gcc     (-q: read, fingerprinted, not printed)
#   hookwave, findings, -f json  (and every finding written to /dev/null)
# Peak RSS is GNU time's %M of hookwave (the hook's awk is ~2 MiB). The
# findings' own size is what their strings and structs take as data:
# per finding 64 bytes of struct, file, rule, message and a 65-byte
# fingerprint, each with a 16-byte allocation header.
# Target: the findings = gcc rows stay within the engine's bound (8 MiB +
# 3 x output_limit, as e-memory) plus the findings' own size.
. "$(dirname "$0")/lib.sh"
N=${J_FINDINGS:-100000}
LIMIT=1048576
BOUND_KIB=$(( 8 * 1024 + 3 * LIMIT / 1024 ))
begin j "findings: a hook prints $N diagnostics (target: peak RSS <= 8 MiB + 3 x output_limit + the findings' own size)"
scratch j

SPEW="awk 'BEGIN { for (i = 1; i <= $N; i++) printf \"src/pkg/module_%d.py:%d:%d: warning: line too long (97 > 79) [E%d]\\n\", i % 997, i, i % 80 + 1, i % 900 }'"

if [ -z "$GNU_TIME" ] || [ -z "$HOOKWAVE" ]; then
    skip_row j "all rows" "$( [ -z "$HOOKWAVE" ] && hw_note_missing || echo 'GNU time (/usr/bin/time) not installed')"
    target j SKIPPED "nothing to measure"
    exit 0
fi

printf '[settings]\noutput_limit = %s\n[hook spew]\ncommand = %s\n' "$LIMIT" "$SPEW" > plain.ini
printf '[settings]\noutput_limit = %s\n[hook spew]\nfindings = gcc\ncommand = %s\n' "$LIMIT" "$SPEW" > find.ini
"$HOOKWAVE" --no-cache --no-history -f json -c find.ini > out.json 2>/dev/null
GOT=$(jq -r 'select(.type == "summary") | .findings' out.json 2>/dev/null || echo '?')
# The findings' own size, from what was read: strings with their NULs,
# a 64-byte struct, 4 allocations of 16 bytes of header each.
OWN=$(jq -r 'select(.type == "hook") | .findings[] | "\(.file | length) \(.rule | length) \(.message | length)"' out.json |
    awk '{ s += 64 + ($1 + 1) + ($2 + 1) + ($3 + 1) + 65 + 4 * 16 } END { printf "%d", s / 1024 }')
rm -f out.json
printf '%9s   %s findings read of %s printed; their own size %s KiB (%.0f bytes each)\n' "" "$GOT" "$N" "$OWN" \
    "$(awk -v k="$OWN" -v n="$N" 'BEGIN {print k * 1024 / n}')"

rss_row j "hookwave, output only" "findings not read (-q)" "exec $HOOKWAVE --no-cache --no-history -q -c plain.ini" ref
HW=$MED PLAIN_MAX=$RSS_MAX
rss_row j "hookwave, findings = gcc" "read and fingerprinted (-q)" "exec $HOOKWAVE --no-cache --no-history -q -c find.ini" "$HW"
FIND_MAX=$RSS_MAX
rss_row j "hookwave, findings, -f json" "every finding written to /dev/null" "exec $HOOKWAVE --no-cache --no-history -f json -c find.ini" "$HW"
JSON_MAX=$RSS_MAX

LIMIT_KIB=$(( BOUND_KIB + OWN ))
printf '%9s   peak RSS over the output-only row: findings %+.1f MiB, with JSON %+.1f MiB\n' "" \
    "$(awk -v a="$FIND_MAX" -v b="$PLAIN_MAX" 'BEGIN {print (a - b) / 1024}')" \
    "$(awk -v a="$JSON_MAX" -v b="$PLAIN_MAX" 'BEGIN {print (a - b) / 1024}')"
if [ "$GOT" != "$N" ]; then
    target j MISSED "read $GOT findings of $N"
elif [ "$FIND_MAX" -le "$LIMIT_KIB" ]; then
    target j MET "findings = gcc peak RSS $(awk -v k="$FIND_MAX" 'BEGIN {printf "%.1f", k / 1024}') MiB <= $((BOUND_KIB / 1024)) MiB + findings $(awk -v k="$OWN" 'BEGIN {printf "%.1f", k / 1024}') MiB (with -f json: $(awk -v k="$JSON_MAX" 'BEGIN {printf "%.1f", k / 1024}') MiB)"
else
    target j MISSED "findings = gcc peak RSS $(awk -v k="$FIND_MAX" 'BEGIN {printf "%.1f", k / 1024}') MiB > $((BOUND_KIB / 1024)) MiB + findings $(awk -v k="$OWN" 'BEGIN {printf "%.1f", k / 1024}') MiB"
fi
