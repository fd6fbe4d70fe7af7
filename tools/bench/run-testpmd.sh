#!/usr/bin/env bash
# libvf's sender against DPDK's testpmd on the same VF (issue 17): boots the testbed with
# test/testbed/bench_testpmd.sh, keeps its console in testpmd.txt and its "csv:" lines in
# testpmd.csv, in BUILD_DIR/bench-results/. Repeats it RUNS times: the rates move from run to run
# on a shared machine, and the ratio within one run is the figure to compare.
#
# Usage: tools/bench/run-testpmd.sh [BUILD_DIR] [SECONDS] [RUNS]
#   defaults: build, a 5 s window per sender, 3 runs. Needs Debian's dpdk-testpmd and the igbvf PMD
#   on the host (apt-get install dpdk-dev librte-net-e1000-23): the harness copies them, with their
#   libraries, into the guest.
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-testpmd "${1:-build}" sriovd vfctl vf-pktgen
window=${2:-5}
runs=${3:-3}
testpmd=$(command -v dpdk-testpmd || true)
pmds=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
[ -n "$testpmd" ] && [ -f "$pmds/librte_net_e1000.so.23" ] || {
    echo "run-testpmd: needs dpdk-testpmd and DPDK's e1000 PMD (apt-get install dpdk-dev librte-net-e1000-23)" >&2
    exit 1
}
: >"$out/testpmd.txt"
echo "run,sender,frames_per_s" >"$out/testpmd.csv"
for run in $(seq 1 "$runs"); do
    echo "run-testpmd: run $run of $runs (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    python3 "$root/tools/testbed/testbed.py" run --timeout 300 --mem 2048 \
        --bin "$build/tools/sriovd/sriovd" --bin "$build/tools/vfctl/vfctl" \
        --bin "$build/tools/vf-examples/vf-pktgen" --bin "$testpmd" \
        --bin "$pmds/librte_mempool_ring.so.23" \
        --bin "$pmds/librte_net_e1000.so.23" \
        "$root/test/testbed/bench_testpmd.sh" "$window" | tr -d '\r' | tee -a "$out/testpmd.txt" |
        grep -E "frames/s|FAIL|passed" || true
    tr -d '\r' <"$out/testpmd.txt" | sed -n 's/^csv:\(libvf\|dpdk\),/'"$run"',\1,/p' | tail -2 >>"$out/testpmd.csv"
done
echo
awk -F, 'NR > 1 { r[$1 "," $2] = $3; if ($1 > n) n = $1 }
         END { for (i = 1; i <= n; ++i) if (r[i ",dpdk"] > 0)
                   printf "run %d: libvf %d frames/s, DPDK %d frames/s, libvf / DPDK %.2f\n", i, r[i ",libvf"],
                          r[i ",dpdk"], r[i ",libvf"] / r[i ",dpdk"] }' "$out/testpmd.csv"
echo "run-testpmd: $out/testpmd.csv, testpmd.txt"
