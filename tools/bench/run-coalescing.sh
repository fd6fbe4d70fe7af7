#!/usr/bin/env bash
# The interrupt coalescing study of issue 7: builds coalescing-sim, runs it (the table on stdout
# and in coalescing.txt), writes coalescing.csv and plots it as coalescing.svg (gnuplot), all in
# BUILD_DIR/bench-results/ (inside the build directory, which git ignores). Then what the
# simulation predicts for testbed.vf_interrupts (QEMU 10.0 timing), in coalescing-testbed.txt.
#
# Usage: tools/bench/run-coalescing.sh [BUILD_DIR] [coalescing-sim option...]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
shift || true
case $build in /*) ;; *) build=$root/$build ;; esac

command -v gnuplot >/dev/null || { echo "run-coalescing: gnuplot is missing (tools/setup.sh installs gnuplot-nox)" >&2; exit 1; }
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target coalescing-sim -j2 >/dev/null

out=$build/bench-results
mkdir -p "$out"
"$build/tools/bench/coalescing-sim" --csv "$out/coalescing.csv" "$@" | tee "$out/coalescing.txt"
gnuplot -e "csv='$out/coalescing.csv'; svg='$out/coalescing.svg'" "$here/coalescing_sim.gp"
echo
"$build/tools/bench/coalescing-sim" --testbed | tee "$out/coalescing-testbed.txt"
echo
echo "run-coalescing: $out/coalescing.csv, coalescing.svg, coalescing.txt, coalescing-testbed.txt"
