#!/usr/bin/env bash
# The interrupt coalescing study of issue 7: builds coalescing-sim, runs it (the table on stdout
# and in coalescing.txt), writes coalescing.csv and plots it as coalescing.svg (gnuplot), all in
# BUILD_DIR/bench-results/ (inside the build directory, which git ignores). Then what the
# simulation predicts for testbed.vf_interrupts (QEMU 10.0 timing), in coalescing-testbed.txt.
#
# Usage: tools/bench/run-coalescing.sh [BUILD_DIR] [coalescing-sim option...]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet).
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-coalescing "${1:-build}" coalescing-sim
shift || true
"$build/tools/bench/coalescing-sim" --csv "$out/coalescing.csv" "$@" | tee "$out/coalescing.txt"
gnuplot -e "csv='$out/coalescing.csv'; svg='$out/coalescing.svg'" "$here/coalescing_sim.gp"
echo
"$build/tools/bench/coalescing-sim" --testbed | tee "$out/coalescing-testbed.txt"
echo
echo "run-coalescing: $out/coalescing.csv, coalescing.svg, coalescing.txt, coalescing-testbed.txt"
