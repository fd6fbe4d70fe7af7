#!/usr/bin/env bash
# The data-path benchmark of issues 7 and 14: builds bench-datapath, runs its timing pass (libvf's
# thread and the model's device thread pinned to two cores) and its callgrind pass (instructions
# per packet), each through libvf's queues, a plain Vf's calls and a failover port, prints the
# tables and the failover port's comparison with the plain Vf (also in datapath.txt), writes
# datapath.csv and plots it as datapath.svg (gnuplot; the failover port dashed, and its
# instructions relative to the Vf's), all in BUILD_DIR/bench-results/ (inside the build directory,
# which git ignores). Run it when the machine is as idle as it gets: `uptime` is printed first.
#
# Usage: tools/bench/run-datapath.sh [BUILD_DIR] [bench-datapath option...]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet); options go to
#   bench-datapath, e.g. --packets 20000000 or --libvf-core 0 --device-core 1.
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-datapath "${1:-build}" bench-datapath
command -v valgrind >/dev/null || { echo "run-datapath: valgrind is missing (tools/setup.sh installs it)" >&2; exit 1; }
shift || true
echo "load: $(uptime)" | tee "$out/datapath.txt"
"$build/tools/bench/bench-datapath" --csv "$out/datapath.csv" "$@" | tee -a "$out/datapath.txt"
gnuplot -e "csv='$out/datapath.csv'; svg='$out/datapath.svg'" "$here/datapath.gp"
echo "run-datapath: $out/datapath.csv, datapath.svg, datapath.txt"
