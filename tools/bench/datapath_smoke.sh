#!/bin/sh
# The smoke test of bench-datapath (ctest bench.datapath_smoke, label unit): a tiny run of both
# passes must exit 0 (frames got through every step) and write a CSV with a row for every burst
# size, each with Mpps and instructions per packet above 0 for RX, TX and RX+TX through each
# subject: the queues, the plain Vf's calls and the failover port (issue 14). The output must say
# whether the failover port's goal is met; no figure is judged. Issue 17: bench-datapath first
# checks that the scalar and SSE4.1 data paths deliver the same frames (a difference is a non-zero
# exit), then measures both.
# Usage: datapath_smoke.sh BENCH_DATAPATH WORK_DIR
set -eu
bench=$1
csv=$2/datapath-smoke.csv
log=$2/datapath-smoke.txt
mkdir -p "$2"
rm -f "$csv" "$log"
status=0
"$bench" --packets 20000 --instruction-packets 1024 --csv "$csv" >"$log" || status=$?
cat "$log"
[ "$status" -eq 0 ] || { echo "bench-datapath smoke: bench-datapath exited with $status"; exit 1; }
# Issue 17: the data paths this CPU runs delivered the same frames (else the exit status above
# is already non-zero), and the four-at-a-time path, where there is one, has its verdict.
grep -q '^data paths: .* deliver the same frames$' "$log" ||
    { echo "bench-datapath smoke: no word that the data paths deliver the same frames (issue 17)"; exit 1; }
if grep -q '^data paths: scalar and SSE4.1' "$log"; then
    grep -Eq '^goal at burst 32 \(issue 17\): .*, (met|MISSED)$' "$log" ||
        { echo "bench-datapath smoke: no verdict on the SSE4.1 path's goal (issue 17)"; exit 1; }
fi
grep -Eq '^goal at burst 32 \(issue 14\): .*, (met|MISSED)$' "$log" ||
    { echo "bench-datapath smoke: no verdict on the failover port's goal (issue 14)"; exit 1; }
awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
        seen[$1] = 1
        split("rx tx rxtx", modes, " ")
        split("- vf_ port_", prefixes, " ")  # "-": the queues, whose columns have no prefix
        for (s = 1; s <= 3; s++)
            for (m = 1; m <= 3; m++)
                for (w = 1; w <= 2; w++) {
                    prefix = prefixes[s] == "-" ? "" : prefixes[s]
                    name = prefix modes[m] (w == 1 ? "_mpps" : "_instructions_per_packet")
                    if (!(name in col) || $(col[name]) + 0 <= 0) {
                        printf "burst %s: %s is %s, not above 0\n", $1, name, $(col[name]); bad = 1
                    }
                }
    }
    END {
        n = split("1 4 8 16 32 64", bursts, " ")
        for (i = 1; i <= n; i++)
            if (!(bursts[i] in seen)) { printf "no row for burst %s\n", bursts[i]; bad = 1 }
        if (bad) exit 1
        print "bench-datapath smoke: every burst size has Mpps and instructions per packet for each subject"
    }' "$csv"
