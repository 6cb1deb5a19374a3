#!/usr/bin/env bash
# k-shard-sim.sh — how evenly --shard=K/N splits a large run: the
# simulation bench/k-shard-sim (src/shard.c's split on a synthetic
# history; bench/k-shard-sim.c says how it is made) for N = 2, 4, 8, 16,
# against the ideal max(total / N, longest unit), beside count-based and
# round-robin splits of the same units.
#
#   bash bench/k-shard-sim.sh        (knobs: K_HOOKS=3000, K_SEED=1)
#
# The program is built by `make check` or `make bench/k-shard-sim` in the
# top build directory (K_SIM= names another). Nothing is timed: the
# figures are the simulated parts' work in seconds.
# Target: every part within 10 % of the ideal whenever no unit is longer
# than total / N; count-based splitting shown beside it.
. "$(dirname "$0")/lib.sh"
HOOKS=${K_HOOKS:-3000}
SEED=${K_SEED:-1}
SIM=${K_SIM:-$BENCH_DIR/k-shard-sim}
begin k "shard split: $HOOKS hooks, N = 2, 4, 8, 16 (target: within 10 % of the ideal)"

if ! [ -x "$SIM" ]; then
    make -C "$BENCH_DIR/.." bench/k-shard-sim >/dev/null 2>&1 || true
fi
if ! [ -x "$SIM" ]; then
    skip_row k "all rows" "no $SIM (run make bench/k-shard-sim in the top build directory)"
    target k SKIPPED "nothing to simulate"
    exit 0
fi
out=$("$SIM" "$HOOKS" "$SEED")
rc=$?
printf '%s\n' "$out"
# N jobs units ideal hookwave x count x rrobin x verdict
printf '%s\n' "$out" | awk 'NR > 1 && $1 ~ /^[0-9]+$/' | while read -r n jobs units ideal hw x cnt xc rr xr verdict; do
    row k "hookwave split, N=$n" "$hw" "$x" "ideal $ideal s; $jobs jobs, $units units"
    row k "count-based, N=$n" "$cnt" "$xc" "x ideal"
    row k "round-robin, N=$n" "$rr" "$xr" "x ideal"
done
summary=$(printf '%s\n' "$out" | tail -n 1)
if [ "$rc" -eq 0 ]; then
    target k MET "$summary"
else
    target k MISSED "$summary"
fi
exit 0
