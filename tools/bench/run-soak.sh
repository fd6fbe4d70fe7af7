#!/usr/bin/env bash
# The soak as a benchmark (issue 16): runs test/testbed/soak.sh in a QEMU guest for CYCLES cycles
# of random faults and LEAK_CYCLES without a restart of sriovd, and from the "csv:" lines it prints
# writes soak.csv (one line per cycle) and plots the recovery times as soak.svg (gnuplot), with
# the guest's console in soak.txt, all in BUILD_DIR/bench-results/.
#
# Usage: tools/bench/run-soak.sh [BUILD_DIR] [CYCLES] [SEED] [LEAK_CYCLES] [RESTART_DELAY_MS]
#   defaults: build, 500 cycles, seed 1, 50 leak cycles (the first 5 the warm-up), sriovd started
#   again 250 ms after it ended (sriovd.service's RestartSec). The guest's time limit grows with the
#   cycles (12 s each, for a loaded machine; a cycle takes about 7 s).
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-soak "${1:-build}" sriovd vfctl sriov-soak tb_hostile_vf
cycles=${2:-500}
seed=${3:-1}
leak=${4:-50}
delay=${5:-250}
status=0
python3 "$root/tools/testbed/testbed.py" run --pfs 2 --monitor --timeout $((120 + 12 * (cycles + leak))) \
    --bin "$build/tools/sriovd/sriovd" --bin "$build/tools/vfctl/vfctl" --bin "$build/tools/soak/sriov-soak" \
    --bin "$build/test/testbed/tb_hostile_vf" \
    "$root/test/testbed/soak.sh" "$cycles" "$leak" "$seed" "$delay" 5 >"$out/soak.txt" 2>&1 || status=$?
tr -d '\r' <"$out/soak.txt" | sed -n '/^recovery, fault/,/^soak: /p;/FAIL/p'
tr -d '\r' <"$out/soak.txt" | sed -n 's/^csv://p' >"$out/soak.csv"
if [ "$(wc -l <"$out/soak.csv")" -gt 1 ]; then
    gnuplot -e "csv='$out/soak.csv'; svg='$out/soak.svg'" "$here/soak.gp"
    echo "run-soak: $out/soak.csv, soak.svg, soak.txt"
fi
if [ "$status" -ne 0 ]; then
    echo "run-soak: the soak failed (status $status); the console is in $out/soak.txt" >&2
    exit "$status"
fi
