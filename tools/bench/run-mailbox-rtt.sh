#!/usr/bin/env bash
# The mailbox round-trip benchmark of issue 7: builds sriovd and bench-mailbox-rtt, boots the
# testbed once with test/testbed/bench_mailbox_rtt.sh (sriovd as PF, then the kernel's igb), and
# writes BUILD_DIR/bench-results/mailbox-rtt.csv, mailbox-rtt.svg (gnuplot) and mailbox-rtt.txt
# (the scenario's output).
#
# Usage: tools/bench/run-mailbox-rtt.sh [BUILD_DIR] [COUNT]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet); COUNT to 2000.
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-mailbox-rtt "${1:-build}" sriovd bench-mailbox-rtt
count=${2:-2000}
"$root/tools/testbed/testbed.py" fetch >/dev/null
"$root/tools/testbed/testbed.py" run --bin "$build/tools/sriovd/sriovd" --bin "$build/tools/bench/bench-mailbox-rtt" \
    "$root/test/testbed/bench_mailbox_rtt.sh" "$count" | tee "$out/mailbox-rtt.txt"
{
    echo "pf,count,min_us,p50_us,p95_us,p99_us,max_us,mean_us"
    grep -o '^csv:.*' "$out/mailbox-rtt.txt" | sed 's/^csv://' | sort -u -t, -k1,1
} >"$out/mailbox-rtt.csv"
gnuplot -e "csv='$out/mailbox-rtt.csv'; svg='$out/mailbox-rtt.svg'" "$here/mailbox_rtt.gp"
echo "run-mailbox-rtt: $out/mailbox-rtt.csv, mailbox-rtt.svg, mailbox-rtt.txt"
