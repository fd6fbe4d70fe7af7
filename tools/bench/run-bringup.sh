#!/usr/bin/env bash
# The bring-up benchmark of issue 7: builds sriovd and vfctl, runs the testbed scenario
# test/testbed/bench_bringup.sh in a QEMU guest (tools/testbed/testbed.py), and from the "csv:"
# lines it prints writes bringup.csv and plots it as bringup.svg (gnuplot), with the guest's
# console in bringup.txt, all in BUILD_DIR/bench-results/ (inside the build directory, which git
# ignores).
#
# Usage: tools/bench/run-bringup.sh [BUILD_DIR] [BOUND]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet); BOUND is the
#   scenario's limit in seconds for one VF's handshake or carrier (default 60).
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-bringup "${1:-build}" sriovd vfctl
bound=${2:-60}
status=0
python3 "$root/tools/testbed/testbed.py" run --timeout 300 \
    --bin "$build/tools/sriovd/sriovd" --bin "$build/tools/vfctl/vfctl" \
    "$root/test/testbed/bench_bringup.sh" "$bound" >"$out/bringup.txt" 2>&1 || status=$?
tr -d '\r' <"$out/bringup.txt" | grep -E 'bring-up: |FAIL' || true
if [ "$status" -ne 0 ]; then
    echo "run-bringup: the scenario failed (status $status); the console is in $out/bringup.txt" >&2
    exit "$status"
fi
tr -d '\r' <"$out/bringup.txt" | sed -n 's/^.*csv://p' >"$out/bringup.csv"
[ "$(wc -l <"$out/bringup.csv")" -gt 1 ] || { echo "run-bringup: the scenario printed no CSV" >&2; exit 1; }
gnuplot -e "csv='$out/bringup.csv'; svg='$out/bringup.svg'" "$here/bringup.gp"
echo
column -s, -t <"$out/bringup.csv"
echo "run-bringup: $out/bringup.csv, bringup.svg, bringup.txt"
