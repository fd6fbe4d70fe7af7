#!/usr/bin/env bash
# The mailbox-at-scale benchmark of issue 7: builds bench-mailbox-scale, runs it (the table on
# stdout and in mailbox-scale.txt), writes mailbox-scale.csv and plots it as mailbox-scale.svg
# (gnuplot), all in BUILD_DIR/bench-results/ (inside the build directory, which git ignores).
#
# Usage: tools/bench/run-mailbox-scale.sh [BUILD_DIR] [bench-mailbox-scale option...]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet).
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-mailbox-scale "${1:-build}" bench-mailbox-scale
shift || true
"$build/tools/bench/bench-mailbox-scale" --csv "$out/mailbox-scale.csv" "$@" | tee "$out/mailbox-scale.txt"
gnuplot -e "csv='$out/mailbox-scale.csv'; svg='$out/mailbox-scale.svg'" "$here/bench_mailbox_scale.gp"
echo "bench_mailbox_scale: $out/mailbox-scale.csv, mailbox-scale.svg, mailbox-scale.txt"
