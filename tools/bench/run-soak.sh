#!/usr/bin/env bash
# The soak as a benchmark (issue 16): runs test/testbed/soak.sh in QEMU guests for CYCLES cycles
# of random faults, then LEAK_CYCLES without a restart of sriovd, and from the "csv:" lines they
# print writes soak.csv (one line per cycle) and plots the recovery times as soak.svg (gnuplot),
# with the guests' consoles in soak.txt, all in BUILD_DIR/bench-results/.
#
# The cycles run in parts of PART cycles, each in a guest of its own (soak.sh's FROM_CYCLE: the
# seed draws the same cycles whichever part they fall in), and the leak cycles in a last guest.
# One guest for 500 cycles of about 7 s is over an hour of emulation, and QEMU's TCG now and then
# stops a vCPU's timers within that: twice in one try on 2026-12-07 (a guest kernel's RCU stall
# after 220 cycles; a guest that went silent, both vCPUs halted, after 131). The harness boots a
# guest again after a timer stall it recognises; a part that runs out of time (a silent guest) is
# run again here, once. A part whose soak fails ends the benchmark: that is a finding.
#
# Usage: tools/bench/run-soak.sh [BUILD_DIR] [CYCLES] [SEED] [LEAK_CYCLES] [RESTART_DELAY_MS] [PART]
#                                [FIRST]
#   defaults: build, 500 cycles, seed 1, 50 leak cycles (the first 5 the warm-up), sriovd started
#   again 250 ms after it ended (sriovd.service's RestartSec), parts of 50 cycles, from cycle 1.
#   FIRST continues a soak: cycles FIRST to CYCLES (then the leak cycles) of the same seed. A part's
#   time limit is 12 s per cycle (for a loaded machine; a cycle takes about 5 to 7 s) plus 120 s.
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-soak "${1:-build}" sriovd vfctl sriov-soak tb_hostile_vf
cycles=${2:-500}
seed=${3:-1}
leak=${4:-50}
delay=${5:-250}
part=${6:-50}
first=${7:-1}
: >"$out/soak.txt"
: >"$out/soak.csv"

# run_part FROM COUNT LEAK: one guest; appends its console to soak.txt and its CSV rows to
# soak.csv; returns the harness's status.
run_part() {
    local status=0 console="$out/soak-part.txt"
    python3 "$root/tools/testbed/testbed.py" run --pfs 2 --monitor --timeout $((120 + 12 * ($2 + $3))) \
        --bin "$build/tools/sriovd/sriovd" --bin "$build/tools/vfctl/vfctl" --bin "$build/tools/soak/sriov-soak" \
        --bin "$build/test/testbed/tb_hostile_vf" \
        "$root/test/testbed/soak.sh" "$2" "$3" "$seed" "$delay" 5 "$1" >"$console" 2>&1 || status=$?
    tr -d '\r' <"$console" >>"$out/soak.txt"
    if [ "$status" -eq 0 ]; then
        local rows
        rows=$(tr -d '\r' <"$console" | sed -n 's/^csv://p')
        [ -s "$out/soak.csv" ] || echo "$rows" | head -1 >"$out/soak.csv"
        echo "$rows" | tail -n +2 >>"$out/soak.csv"
    fi
    return "$status"
}

status=0
from=$first
while [ "$status" -eq 0 ] && { [ "$from" -le "$cycles" ] || [ "$leak" -gt 0 ]; }; do
    if [ "$from" -le "$cycles" ]; then
        n=$((cycles - from + 1 < part ? cycles - from + 1 : part))
        l=0
    else
        n=0
        l=$leak
    fi
    what="cycles $from to $((from + n - 1))"
    [ "$n" -gt 0 ] || what="$l leak cycles from cycle $from"
    echo "run-soak: $what ($(date +%H:%M:%S))"
    run_part "$from" "$n" "$l" || status=$?
    if [ "$status" -eq 124 ]; then
        echo "run-soak: $what ran out of time (the guest went silent?); once more"
        status=0
        run_part "$from" "$n" "$l" || status=$?
    fi
    from=$((from + n))
    [ "$n" -gt 0 ] || leak=0
done

# The recovery table over all parts: per fault, p50 / p99 / max of the recovery and, after a
# restart, of sriovd being ready again (nearest rank).
summarise() {
    python3 - "$out/soak.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def rank(v, p):
    v = sorted(v)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]
print(f"soak: {len(rows)} cycles, {sum(r['ok'] != '1' for r in rows)} failed")
print(f"{'fault':15} {'cycles':>6}  recovery p50/p99/max (ms)  ready again p50/p99/max (ms)")
for fault in dict.fromkeys(r["fault"] for r in rows):
    rec = [float(r["recovery_ms"]) for r in rows if r["fault"] == fault]
    ready = [float(r["restart_ms"]) for r in rows if r["fault"] == fault and float(r["restart_ms"]) > 0]
    line = f"{fault:15} {len(rec):6}  {rank(rec, 50):7.0f} {rank(rec, 99):7.0f} {max(rec):7.0f}"
    if ready:
        line += f"      {rank(ready, 50):7.0f} {rank(ready, 99):7.0f} {max(ready):7.0f}"
    print(line)
fds = sorted({r["fds"] for r in rows})
print(f"fds open after each cycle: {', '.join(fds)}; VmRSS {min(int(r['rss_kb']) for r in rows)} to "
      f"{max(int(r['rss_kb']) for r in rows)} kB")
PY
}
sed -n '/^leaks: /p;/FAIL/p' "$out/soak.txt"
if [ "$(wc -l <"$out/soak.csv")" -gt 1 ]; then
    summarise
    gnuplot -e "csv='$out/soak.csv'; svg='$out/soak.svg'" "$here/soak.gp"
    echo "run-soak: $out/soak.csv, soak.svg, soak.txt"
fi
if [ "$status" -ne 0 ]; then
    echo "run-soak: the soak failed (status $status); the consoles are in $out/soak.txt" >&2
    exit "$status"
fi
