#!/usr/bin/env bash
# i-cache.sh — the nightly audit: every hook over every file of a
# repository of I_FILES (10,000) tracked files, when almost nothing changed.
#
#   bash bench/i-cache.sh          (knobs: RUNS, FAST_RUNS, I_FILES=10000)
#
# Four per-file hooks (`cache = files`): cksum, wc -l, grep -c and md5sum of
# their files. Rows, all `hookwave -q --no-history --all-files`:
#   git status          the floor: reading the index and stat-ing the tree
#   --no-cache          every run as the first: all four hooks on all files
#   cold cache          the store removed before each run (what the first
#                       cached run costs: the hooks, plus writing the cache)
#   new keys            the store kept, every hook's env changed before each
#                       run (a cache gone cold: a changed command or env)
#   warm, unchanged     the second run with nothing changed: nothing runs
#   warm, one changed   one file's content changed before each run
#   hooks on one file   the four hooks' commands on that one file, no tool
# and, when installed, prek and lefthook running the same four commands on
# every file (neither caches results: each run is a first run).
# Targets: warm unchanged < 5 % of --no-cache and <= 2 x git status; one
# changed file: what it adds to the unchanged run <= 1.1 x the hooks on that
# file alone; cold cache <= 1.03 x --no-cache.
. "$(dirname "$0")/lib.sh"
N=${I_FILES:-10000}
begin i "a cached audit: $N files, 4 per-file hooks (targets: unchanged < 5 % of uncached and <= 2 x git status; one file <= 1.1 x its hooks; cold <= 1.03 x uncached)"
scratch i git

cat > hookwave.ini <<'EOF'
[settings]
cache = files
[hook cksum]
files = *.txt
command = cksum
env = BENCH_RUN=0
[hook lines]
files = *.txt
command = wc -l
env = BENCH_RUN=0
[hook fox]
files = *.txt
command = grep -c fox
env = BENCH_RUN=0
[hook md5]
files = *.txt
command = md5sum
env = BENCH_RUN=0
EOF
printf 'repos:\n- repo: local\n  hooks:\n' > prek.yaml
for h in "cksum:cksum" "lines:wc -l" "fox:grep -c fox" "md5:md5sum"; do
    printf '  - id: %s\n    name: %s\n    entry: %s\n    language: system\n    files: '"'"'\\.txt$'"'"'\n' \
        "${h%%:*}" "${h%%:*}" "${h#*:}" >> prek.yaml
done
cat > lefthook.yml <<'EOF'
audit:
  parallel: true
  jobs:
    - name: cksum
      glob: "*.txt"
      run: cksum {all_files} >/dev/null
    - name: lines
      glob: "*.txt"
      run: wc -l {all_files} >/dev/null
    - name: fox
      glob: "*.txt"
      run: grep -c fox {all_files} >/dev/null
    - name: md5
      glob: "*.txt"
      run: md5sum {all_files} >/dev/null
EOF
d=0
while [ "$d" -lt $(( (N + 99) / 100 )) ]; do
    mkdir -p "src/d$d"
    d=$((d + 1))
done
awk -v n="$N" 'BEGIN {
    for (i = 0; i < n; i++) {
        f = sprintf("src/d%d/f%05d.txt", int(i / 100), i)
        for (l = 0; l < 10; l++) printf "file %d line %d: the quick brown fox\n", i, l > f
        close(f)
    }
}'
git add -A && git commit -qm files || { echo "bench i: cannot commit" >&2; exit 2; }
ONE=src/d0/f00000.txt
STORE=.git/hookwave/state.sqlite
HW="$HOOKWAVE -q --no-history --all-files"

bench i "git status" "the floor: the index read, the tree stat'ed" "git status --porcelain"
GS=$MED
if [ -z "$HOOKWAVE" ]; then
    skip_row i hookwave "$(hw_note_missing)"
    target i SKIPPED "hookwave not built"
    exit 0
fi
if ! "$HOOKWAVE" --help 2>&1 | grep -q -- '--no-cache'; then
    skip_row i hookwave "this hookwave has no result cache (--no-cache)"
    target i SKIPPED "hookwave has no result cache"
    exit 0
fi
bench i "hookwave --no-cache" "all 4 hooks on all $N files, every run" "$HW --no-cache" ref
NC=$MED
bench i "hookwave, cold cache" "the store removed before each run" "rm -f $STORE $STORE-wal $STORE-shm; $HW" "$NC"
COLD=$MED
# A cache gone cold in a store that stays (a changed command or env, a tool
# upgraded): every hook's env changed before each run, so no key is known.
bench i "hookwave, new keys" "each hook's env changed before each run, the store kept" \
    "sed -i \"s/^env = BENCH_RUN=.*/env = BENCH_RUN=\$(date +%s%N)/\" hookwave.ini; $HW" "$NC"
EMPTIED=$MED
sed -i "s/^env = BENCH_RUN=.*/env = BENCH_RUN=0/" hookwave.ini
$HW >/dev/null 2>&1
bench i "hookwave, warm, unchanged" "nothing changed: nothing runs" "$HW" "$NC"
WARM=$MED
bench i "hookwave, warm, one file changed" "$ONE changed before each run" "echo changed >> $ONE; $HW" "$NC"
ONE_MED=$MED
bench i "the 4 hooks on that file alone" "no tool" "cksum $ONE; wc -l $ONE; grep -c fox $ONE; md5sum $ONE"
ALONE=$MED
git checkout -q -- src
if [ -n "$PREK" ]; then
    bench i "prek run --all-files" "no result cache: every run is a first run" "$PREK run -c prek.yaml --all-files" "$NC"
else skip_row i prek "not installed (bench/install-peers.sh)"; fi
if [ -n "$LEFTHOOK" ]; then
    bench i "lefthook run --all-files" "no result cache: every run is a first run" "$LEFTHOOK run audit --all-files --no-auto-install" "$NC"
else skip_row i lefthook "not installed (bench/install-peers.sh)"; fi
size=$(stat -c %s "$STORE" 2>/dev/null || echo 0)
echo "store after the runs: $size bytes ($STORE)"

pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b * 100}'; }
r_nc=$(awk -v a="$WARM" -v b="$NC" 'BEGIN {printf "%.4f", a / b}')
r_gs=$(awk -v a="$WARM" -v b="$GS" 'BEGIN {printf "%.2f", a / b}')
added=$(awk -v a="$ONE_MED" -v b="$WARM" 'BEGIN {printf "%.4f", a - b}')
r_one=$(awk -v a="$added" -v b="$ALONE" 'BEGIN {printf "%.2f", a / b}')
r_cold=$(awk -v a="$COLD" -v b="$NC" 'BEGIN {printf "%.3f", a / b}')
r_emptied=$(awk -v a="$EMPTIED" -v b="$NC" 'BEGIN {printf "%.3f", a / b}')
if le "$r_nc" 0.05 && le "$r_gs" 2 && le "$r_one" 1.1 && le "$r_cold" 1.03; then v=MET; else v=MISSED; fi
target i "$v" "unchanged $(pct "$WARM" "$NC") % of uncached (< 5 %), ${r_gs} x git status (<= 2); one changed file adds ${r_one} x its hooks alone (<= 1.1); cold ${r_cold} x uncached (<= 1.03), ${r_emptied} x with new keys in a kept store"
