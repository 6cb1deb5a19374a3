# lib.sh — helpers shared by the bench/ workload scripts (sourced, not run).
# shellcheck shell=bash disable=SC2034  # MIN, MAX, HW_* are read by the workload scripts
#
# Tools: an explicit variable wins (HOOKWAVE=, MAKE=, NINJA=, XARGS=,
# GNU_PARALLEL=, LEFTHOOK=, PREK=, HYPERFINE=, GNU_TIME=), then the native
# binaries that install-peers.sh puts under $PEERS, then $PATH. A tool that
# is not found is printed as skipped, never faked.
#
# Knobs (environment):
#   RUNS=5          timed runs per row (rows that take 0.1 s or more)
#   FAST_RUNS=30    timed runs per row under 0.1 s (hyperfine or the loop)
#   WARMUP=3        hyperfine warm-up runs
#   SLACK=0         seconds of timer/sleep jitter allowed by the makespan
#                   targets (b, c, d); 0 = strict, e.g. SLACK=0.005 to forgive jitter
#   RESULTS_DIR     where the TSV results go (/tmp/hookwave-bench-results)
#   KEEP=1          keep the scratch directories
#   NO_HYPERFINE=1  time fast rows with the loop even if hyperfine exists

set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS=${PEERS:-/tmp/hookwave-peers}
RUNS=${RUNS:-5}
FAST_RUNS=${FAST_RUNS:-30}
WARMUP=${WARMUP:-3}
SLACK=${SLACK:-0}
RESULTS_DIR=${RESULTS_DIR:-/tmp/hookwave-bench-results}
mkdir -p "$RESULTS_DIR"
export LC_ALL=C NO_COLOR=1

_first_exe() {
    local c
    for c in "$@"; do [ -n "$c" ] && [ -x "$c" ] && [ ! -d "$c" ] && { echo "$c"; return 0; }; done
    return 1
}
_abs() { realpath -m -- "$1" 2>/dev/null || echo "$1"; }

HOOKWAVE=${HOOKWAVE-$BENCH_DIR/../hookwave}
HOOKWAVE=$(_abs "$HOOKWAVE")
[ -x "$HOOKWAVE" ] || HOOKWAVE=
# shellcheck disable=SC2086
LEFTHOOK=${LEFTHOOK-$(_first_exe $PEERS/lefthook/node_modules/lefthook-linux-*/bin/lefthook "$(command -v lefthook)" || true)}
# shellcheck disable=SC2086
PREK=${PREK-$(_first_exe $PEERS/prek/node_modules/@j178/prek-linux-*-gnu/prek $PEERS/prek/node_modules/@j178/prek-linux-*/prek "$(command -v prek)" || true)}
MAKE=${MAKE-$(command -v make || true)}
NINJA=${NINJA-$(_first_exe "$(command -v ninja)" "$(command -v ninja-build)" || true)}
XARGS=${XARGS-$(command -v xargs || true)}
GNU_PARALLEL=${GNU_PARALLEL-$(command -v parallel || true)}
HYPERFINE=${HYPERFINE-$(command -v hyperfine || true)}
[ "${NO_HYPERFINE:-0}" = 1 ] && HYPERFINE=
GNU_TIME=${GNU_TIME-$(_first_exe /usr/bin/time || true)}
# A tool given as a variable that is not an executable file counts as missing
# (so MAKE= , MAKE=none or PREK=/nonexistent skip their rows).
for _v in MAKE NINJA XARGS GNU_PARALLEL LEFTHOOK PREK HYPERFINE GNU_TIME; do
    _p=${!_v}
    case $_p in */*) ;; ?*) _p=$(command -v "$_p" || true) ;; esac
    if [ -n "$_p" ] && [ -x "$_p" ] && [ ! -d "$_p" ]; then printf -v "$_v" '%s' "$_p"; else printf -v "$_v" '%s' ''; fi
done
unset _v _p
# GNU parallel must be GNU's (moreutils ships another `parallel`).
if [ -n "$GNU_PARALLEL" ] && ! "$GNU_PARALLEL" --version 2>/dev/null | grep -q 'GNU parallel'; then
    GNU_PARALLEL=
fi
# /usr/bin/time must be GNU time (it understands -f %M).
if [ -n "$GNU_TIME" ] && ! "$GNU_TIME" -f %M true >/dev/null 2>&1; then GNU_TIME=; fi

tool_version() {
    case "$1" in
    hookwave)  [ -n "$HOOKWAVE" ] && "$HOOKWAVE" --version 2>/dev/null | head -1 | awk '{print $NF}' ;;
    lefthook)  [ -n "$LEFTHOOK" ] && "$LEFTHOOK" version 2>/dev/null | head -1 ;;
    prek)      [ -n "$PREK" ] && "$PREK" --version 2>/dev/null | head -1 | awk '{print $2}' ;;
    make)      [ -n "$MAKE" ] && "$MAKE" --version 2>/dev/null | head -1 | awk '{print $NF}' ;;
    ninja)     [ -n "$NINJA" ] && "$NINJA" --version 2>/dev/null ;;
    xargs)     [ -n "$XARGS" ] && "$XARGS" --version 2>/dev/null | head -1 | awk '{print $NF}' ;;
    parallel)  [ -n "$GNU_PARALLEL" ] && "$GNU_PARALLEL" --version 2>/dev/null | head -1 | awk '{print $3}' ;;
    hyperfine) [ -n "$HYPERFINE" ] && "$HYPERFINE" --version 2>/dev/null | awk '{print $2}' ;;
    time)      [ -n "$GNU_TIME" ] && { dpkg-query -W -f '${Version}' time 2>/dev/null ||
                   "$GNU_TIME" --version 2>&1 | head -1 | awk '{print $NF}'; } ;;
    esac
}

print_versions() {
    local t v p
    echo "# machine: $(nproc) CPUs, $(uname -sr), $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
    for t in hookwave make ninja xargs parallel lefthook prek hyperfine time; do
        v=$(tool_version "$t" || true)
        case $t in
        hookwave) p=$HOOKWAVE ;; make) p=$MAKE ;; ninja) p=$NINJA ;; xargs) p=$XARGS ;;
        parallel) p=$GNU_PARALLEL ;; lefthook) p=$LEFTHOOK ;; prek) p=$PREK ;;
        hyperfine) p=$HYPERFINE ;; time) p=$GNU_TIME ;;
        esac
        if [ -n "$v" ]; then printf '# %-10s %-10s %s\n' "$t" "$v" "$p"
        else printf '# %-10s NOT FOUND (rows skipped)\n' "$t"; fi
    done
    if hw_has_history; then echo "# history:  hookwave has --no-history: b and c run with and without history"
    else echo "# history:  not available yet (hookwave --help has no --no-history)"; fi
}

# hw_has_history: does this hookwave know --no-history?
hw_has_history() {
    [ -n "$HOOKWAVE" ] && "$HOOKWAVE" --help 2>&1 | grep -q -- '--no-history'
}

# ---------------------------------------------------------------- scratch
# scratch NAME [git] -> W = a fresh mktemp -d directory, removed on exit;
# cd into it. With "git": a repository with one commit (lefthook and prek
# need one). Tool caches and hookwave's history stay inside W.
scratch() {
    W=$(mktemp -d "${TMPDIR:-/tmp}/hookwave-bench.$1.XXXXXX")
    if [ "${KEEP:-0}" = 1 ]; then
        echo "# scratch: $W (kept)"
    else
        trap 'cd /; rm -rf "$W"' EXIT
        trap 'cd /; rm -rf "$W"; trap - INT; kill -INT $$' INT
        trap 'cd /; rm -rf "$W"; exit 143' TERM
    fi
    cd "$W" || exit 2
    export XDG_CACHE_HOME=$W/cache PREK_HOME=$W/prek-home LEFTHOOK_OUTPUT=
    mkdir -p "$XDG_CACHE_HOME" "$PREK_HOME"
    if [ "${2:-}" = git ]; then
        git init -q . &&
        git config user.email bench@example.invalid &&
        git config user.name bench &&
        git config commit.gpgsign false &&
        echo hello > README && git add README && git commit -qm init ||
            { echo "bench: cannot make a git repository in $W" >&2; exit 2; }
    fi
}

# write_probe -> $W/probe NAME SECONDS: sleeps, then appends
# "NAME start_us end_us" to $PROBE_LOG. Used by b and c to see what ran
# when, and how many hooks were alive at once (conc).
write_probe() {
    PROBE=$W/probe
    PROBE_LOG=$W/probe.log
    cat > "$PROBE" <<EOF
#!/bin/sh
s=\$(date +%s%N)
sleep "\$2"
e=\$(date +%s%N)
echo "\$1 \$s \$e" >> "$PROBE_LOG"
EOF
    chmod +x "$PROBE"
}

# max_concurrency LOG -> most probes alive at one instant
max_concurrency() {
    [ -s "$1" ] || { echo 0; return; }
    awk '{print $2, 1; print $3, -1}' "$1" | sort -k1,1n -k2,2n |
        awk '{c += $2; if (c > m) m = c} END {print m + 0}'
}

# schedule_of LOG -> the probes of the last run by start time: name@start-end
schedule_of() {
    [ -s "$1" ] || { echo "-"; return; }
    sort -k2,2n "$1" | awk 'NR == 1 {t0 = $2}
        {printf "%s%s@%.2f-%.2f", (NR > 1 ? " " : ""), $1, ($2 - t0) / 1e9, ($3 - t0) / 1e9} END {print ""}'
}

# deps_ok LOG "a:b c:d" -> yes when, in LOG, every b started after its a
# ended (and both ran), else no
deps_ok() {
    awk -v pairs="$2" '{s[$1] = $2; e[$1] = $3}
        END {
            n = split(pairs, p, " "); ok = "yes"
            for (i = 1; i <= n; i++) {
                split(p[i], ab, ":")
                if (!(ab[1] in e) || !(ab[2] in s) || s[ab[2]] < e[ab[1]]) ok = "no"
            }
            print ok
        }' "$1"
}

# ---------------------------------------------------------------- timing
# _stamp VAR: microseconds since the epoch into VAR, without a fork when bash
# has EPOCHREALTIME (bash >= 5), else with `date +%s%N`.
if [ -n "${EPOCHREALTIME:-}" ]; then
    _stamp() { local t=${EPOCHREALTIME//[.,]/}; printf -v "$1" '%s' "$((10#$t))"; }
else
    _stamp() { local t; t=$(date +%s%N); printf -v "$1" '%s' "$((t / 1000))"; }
fi

# _stats US... -> "median min max" in seconds (%.4f)
_stats() {
    printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1}
        END {
            if (NR == 0) { print "nan nan nan"; exit }
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            f = (m < 100000) ? "%.5f %.5f %.5f\n" : "%.4f %.4f %.4f\n"
            printf f, m / 1e6, a[1] / 1e6, a[NR] / 1e6
        }'
}

_HF_NOSHELL=
_hf_noshell_ok() { # does this hyperfine have -N (--shell=none, 1.13+)?
    if [ -z "$_HF_NOSHELL" ]; then
        if "$HYPERFINE" -N --runs 2 --style none true >/dev/null 2>&1; then _HF_NOSHELL=yes; else _HF_NOSHELL=no; fi
    fi
    [ "$_HF_NOSHELL" = yes ]
}

# measure CMD -> MED MIN MAX (seconds), RC (exit status of the first run),
# CONC (most probes alive at once, when PROBE_LOG is set), SCHED (the last
# run's probe schedule), HOW (how it was timed), DEPS (with DEPS_CHECK set
# to "a:b ..." pairs: "ok" when every run kept b after a, else "BROKEN").
# CMD is a shell string run in the current directory (the scratch dir),
# output to /dev/null. A first run checks the exit status and the time:
# under 0.1 s, the row is timed by hyperfine (FAST_RUNS runs, WARMUP
# warm-ups; -N when CMD is a plain argv, else sh -c with the shell's start
# subtracted) or, without hyperfine, by FAST_RUNS runs of the loop; else by
# RUNS runs of the loop (the first run is then a warm-up). The loop stamps
# the time just before and after running CMD in this shell (no subshell).
measure() {
    local cmd=$1 t0 t1 i n ts=() c csv
    CONC=0 SCHED=- HOW='' DEPS=ok
    [ -n "${PROBE_LOG:-}" ] && : > "$PROBE_LOG"
    _stamp t0; eval "$cmd" >/dev/null 2>&1; RC=$?; _stamp t1
    if [ $((t1 - t0)) -lt 100000 ]; then
        n=$FAST_RUNS
        if [ -n "$HYPERFINE" ]; then
            csv=$(mktemp "${TMPDIR:-/tmp}/hookwave-bench.hf.XXXXXX")
            if [[ $cmd != *[\|\&\;\<\>\(\)\$\`\'\"\\=*?~]* ]] && _hf_noshell_ok; then
                "$HYPERFINE" -N -i --style none --warmup "$WARMUP" --runs "$n" --export-csv "$csv" "$cmd" >/dev/null 2>&1
                HOW="hyperfine -N, $n runs"
            else
                "$HYPERFINE" -i --style none --warmup "$WARMUP" --runs "$n" --export-csv "$csv" "$cmd" >/dev/null 2>&1
                HOW="hyperfine, $n runs"
            fi
            # command,mean,stddev,median,user,system,min,max (command may hold commas)
            read -r MED MIN MAX < <(awk -F, 'NR == 2 {f = ($(NF - 4) < 0.1) ? "%.5f %.5f %.5f\n" : "%.4f %.4f %.4f\n"; printf f, $(NF - 4), $(NF - 1), $NF}' "$csv")
            rm -f "$csv"
            [ -n "${MED:-}" ] && return 0
        fi
        HOW="loop, $n runs"
    else
        # A slow row: the first run counts as one of the RUNS.
        n=$RUNS
        HOW="loop, $n runs"
        ts+=("$((t1 - t0))")
        if [ -n "${PROBE_LOG:-}" ]; then
            CONC=$(max_concurrency "$PROBE_LOG")
            [ -n "${DEPS_CHECK:-}" ] && [ "$(deps_ok "$PROBE_LOG" "$DEPS_CHECK")" = no ] && DEPS=BROKEN
        fi
        n=$((n - 1))
    fi
    for ((i = 0; i < n; i++)); do
        [ -n "${PROBE_LOG:-}" ] && : > "$PROBE_LOG"
        _stamp t0; eval "$cmd" >/dev/null 2>&1; _stamp t1
        ts+=("$((t1 - t0))")
        if [ -n "${PROBE_LOG:-}" ]; then
            c=$(max_concurrency "$PROBE_LOG"); [ "$c" -gt "$CONC" ] && CONC=$c
            [ -n "${DEPS_CHECK:-}" ] && [ "$(deps_ok "$PROBE_LOG" "$DEPS_CHECK")" = no ] && DEPS=BROKEN
        fi
    done
    [ -n "${PROBE_LOG:-}" ] && SCHED=$(schedule_of "$PROBE_LOG")
    [ "${#ts[@]}" -gt 0 ] || ts=("$((t1 - t0))")
    read -r MED MIN MAX < <(_stats "${ts[@]}")
}

# ---------------------------------------------------------------- table
TABLE_FMT='%-9s | %-38s | %9s | %8s | %s\n'
table_header() {
    printf "$TABLE_FMT" "workload" "tool" "median s" "hw/tool" "note"
    printf "$TABLE_FMT" "---------" "--------------------------------------" "---------" "--------" "----"
}

# ratio A B -> A / B to 2 decimals, or "-" when either is missing
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
        if (a == "" || b == "" || a == "-" || b == "-" || a == "nan" || b == "nan" || b + 0 == 0) print "-"
        else printf "%.2f\n", a / b }'
}

# row WORKLOAD TOOL MEDIAN RATIO NOTE: print a table row and keep it as TSV.
row() {
    printf "$TABLE_FMT" "$1" "$2" "$3" "$4" "$5"
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$RESULTS_DIR/$WL.tsv"
}
skip_row() { row "$1" "$2" "-" "-" "SKIPPED: $3"; }

# bench WORKLOAD TOOL NOTE CMD [HW_MEDIAN]
# measure CMD and print its row; with HW_MEDIAN the ratio column is
# HW_MEDIAN / this row's median, with "ref" it says "ref" (the hookwave row
# whose median the other rows are divided into), without it "-". The note gets the exit
# status when it is not 0, the concurrency seen (probe rows) and how the
# row was timed. Leaves MED, RC, CONC, SCHED set for the caller.
bench() {
    local wl=$1 tool=$2 note=$3 cmd=$4 hw=${5:-} extra=""
    measure "$cmd"
    [ "$RC" -ne 0 ] && extra="EXIT $RC; "
    [ -n "${PROBE_LOG:-}" ] && extra="${extra}conc $CONC; "
    [ -n "${DEPS_CHECK:-}" ] && extra="${extra}deps $DEPS; "
    local r=-
    if [ "$hw" = ref ]; then r=ref; elif [ -n "$hw" ]; then r=$(ratio "$hw" "$MED"); fi
    row "$wl" "$tool" "$MED" "$r" "$extra$note${note:+; }$HOW"
    if [ -n "${PROBE_LOG:-}" ] && [ "${SHOW_SCHEDULE:-1}" = 1 ]; then
        printf '%9s   schedule: %s\n' "" "$SCHED"
    fi
}

# ---------------------------------------------------------------- targets
# le A B -> true when A <= B (floating point)
le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a + 0 <= b + 0)}'; }
fadd() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f\n", a + b}'; }
fmul() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f\n", a * b}'; }

# target LETTER VERDICT TEXT: VERDICT is MET, MISSED or SKIPPED. Printed now
# and kept in $RESULTS_DIR/$WL.targets for bench/run's summary.
target() {
    printf 'target %s: %-7s %s\n' "$1" "$2" "$3"
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS_DIR/$WL.targets"
}

# begin WL TITLE [NOTES]: start a workload's section (WL = the script's
# letter name); NOTES (reference figures) are printed under the title.
begin() {
    WL=$1
    : > "$RESULTS_DIR/$WL.tsv"
    : > "$RESULTS_DIR/$WL.targets"
    echo
    echo "== $WL: $2"
    [ -n "${3:-}" ] && echo "$3"
    [ "${BENCH_QUIET_VERSIONS:-0}" = 1 ] || print_versions
    table_header
}

hw_note_missing() { echo "hookwave not built (run make -j2 in the top directory, or set HOOKWAVE=)"; }

# hw_schedule_rows WL LABEL CMD: hookwave's rows for b and c, CMD being the
# hookwave command line without a schedule (its config says waves).
# When hookwave has a duration history (--no-history in --help): the row
# "eager, --no-history" first, then one untimed
# warm-up run so that the history exists (it lives in this scratch dir:
# .git/hookwave/ or $XDG_CACHE_HOME), then "waves, history" and "eager,
# history" (waves is the schedule the config names). Without a history:
# "waves" and "eager" only, and a note saying so. (A "waves, --no-history"
# row is left out to keep the bench short: without history, waves is
# config-order greedy inside each wave, like make.)
# Sets HW_WAVES HW_EAGER (with history when there is one) and HW_EAGER_NH
# (without: the eager row itself when there is no history), plus
# HW_CONC_MAX (most hooks seen alive at once over every hookwave row).
hw_schedule_rows() {
    local wl=$1 label=$2 cmd=$3
    HW_WAVES='' HW_EAGER='' HW_EAGER_NH='' HW_CONC_MAX=0
    if [ -z "$HOOKWAVE" ]; then skip_row "$wl" hookwave "$(hw_note_missing)"; return; fi
    _hw_conc() { [ "$CONC" -gt "$HW_CONC_MAX" ] && HW_CONC_MAX=$CONC; return 0; }
    if hw_has_history; then
        rm -rf .git/hookwave "$XDG_CACHE_HOME/hookwave"
        bench "$wl" "$label eager, --no-history" "longest chain first, ties config order" "$cmd --no-history --schedule=eager"
        HW_EAGER_NH=$MED; _hw_conc
        eval "$cmd" >/dev/null 2>&1     # warm-up: writes the history
        bench "$wl" "$label waves, history" "after 1 warm-up run" "$cmd"
        HW_WAVES=$MED; _hw_conc
        bench "$wl" "$label eager, history" "after 1 warm-up run" "$cmd --schedule=eager" ref
        HW_EAGER=$MED; _hw_conc
    else
        printf '%9s   history: not available yet (no --no-history in hookwave --help)\n' ""
        bench "$wl" "$label waves" "no history" "$cmd"
        HW_WAVES=$MED; _hw_conc
        bench "$wl" "$label eager" "no history" "$cmd --schedule=eager" ref
        HW_EAGER=$MED HW_EAGER_NH=$MED; _hw_conc
    fi
}

# rss_row WL TOOL NOTE CMD [HW_MEDIAN|ref]: RUNS runs under GNU time (in the
# scratch directory: it writes rss.txt there); prints
# the row (ratio = hookwave's wall time / this row's), sets RSS_MED RSS_MAX
# (KiB) and RC (of the last run).
rss_row() {
    local wl=$1 tool=$2 note=$3 cmd=$4 hw=${5:-} i t0 t1 ts=() rss=() r ra=-
    for ((i = 0; i < RUNS; i++)); do
        _stamp t0
        "$GNU_TIME" -f %M -o rss.txt sh -c "$cmd" >/dev/null 2>&1; RC=$?
        _stamp t1
        ts+=("$((t1 - t0))")
        r=$(tail -1 rss.txt)
        # `sh -c` adds a shell whose RSS is ~1 MiB: the largest process wins
        rss+=("$r")
    done
    read -r MED _ _ < <(_stats "${ts[@]}")
    RSS_MED=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    RSS_MAX=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
    if [ "$hw" = ref ]; then ra=ref; elif [ -n "$hw" ]; then ra=$(ratio "$hw" "$MED"); fi
    row "$wl" "$tool" "$MED" "$ra" "$( [ "$RC" -ne 0 ] && echo "EXIT $RC; ")peak RSS median $(awk -v k="$RSS_MED" 'BEGIN {printf "%.1f", k / 1024}') MiB, max $(awk -v k="$RSS_MAX" 'BEGIN {printf "%.1f", k / 1024}') MiB; $note; $RUNS runs"
}
