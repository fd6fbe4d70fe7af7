#!/usr/bin/env bash
# The mailbox-at-scale benchmark of issue 7: builds bench-mailbox-scale, runs it (the table on
# stdout and in mailbox-scale.txt), writes mailbox-scale.csv and plots it as mailbox-scale.svg
# (gnuplot), all in BUILD_DIR/bench-results/ (inside the build directory, which git ignores).
#
# Usage: tools/bench/bench_mailbox_scale.sh [BUILD_DIR] [bench-mailbox-scale option...]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
shift || true
case $build in /*) ;; *) build=$root/$build ;; esac

command -v gnuplot >/dev/null || { echo "bench_mailbox_scale: gnuplot is missing (tools/setup.sh installs gnuplot-nox)" >&2; exit 1; }
[ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target bench-mailbox-scale -j2 >/dev/null

out=$build/bench-results
mkdir -p "$out"
"$build/tools/bench/bench-mailbox-scale" --csv "$out/mailbox-scale.csv" "$@" | tee "$out/mailbox-scale.txt"
gnuplot -e "csv='$out/mailbox-scale.csv'; svg='$out/mailbox-scale.svg'" "$here/bench_mailbox_scale.gp"
echo "bench_mailbox_scale: $out/mailbox-scale.csv, mailbox-scale.svg, mailbox-scale.txt"
