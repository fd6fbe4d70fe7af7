#!/bin/sh
# The smoke test of bench-datapath (ctest bench.datapath_smoke, label unit): a tiny run of both
# passes must write a CSV with a row for every burst size, each with Mpps and instructions per
# packet above 0 for RX, TX and RX+TX. No timing is judged.
# Usage: datapath_smoke.sh BENCH_DATAPATH WORK_DIR
set -eu
bench=$1
csv=$2/datapath-smoke.csv
mkdir -p "$2"
rm -f "$csv"
"$bench" --packets 20000 --instruction-packets 1024 --csv "$csv"
awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
        seen[$1] = 1
        split("rx tx rxtx", modes, " ")
        for (m = 1; m <= 3; m++)
            for (w = 1; w <= 2; w++) {
                name = modes[m] (w == 1 ? "_mpps" : "_instructions_per_packet")
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
        print "bench-datapath smoke: every burst size has Mpps and instructions per packet"
    }' "$csv"
