#!/usr/bin/env bash
# MMIO per packet on the emulated device, and libvf beside the kernel's igbvf (issue 7, part 2):
# builds what testbed.bench_mmio needs, boots the testbed with test/testbed/bench_mmio.sh, keeps
# its console in mmio.txt, its "csv:" lines in mmio.csv and a bar chart of the frame rates in
# mmio.svg (gnuplot), all in BUILD_DIR/bench-results/ (inside the build directory, which git
# ignores).
#
# Usage: tools/bench/run-mmio.sh [BUILD_DIR] [COUNT]
#   BUILD_DIR defaults to build (configured with cmake -G Ninja if it is not yet); COUNT, the
#   frames of each run, to 100000. The guest kernel must have been fetched
#   (tools/testbed/testbed.py fetch, or any testbed ctest run).
set -euo pipefail

. "$(dirname "$0")/bench-lib.sh"
bench_prepare run-mmio "${1:-build}" sriovd vf-pktgen-mmio afpacket-pktgen
count=${2:-100000}
"$root/tools/testbed/testbed.py" run --timeout 420 \
    --bin "$build/tools/sriovd/sriovd" --bin "$build/tools/bench/vf-pktgen-mmio" \
    --bin "$build/tools/bench/afpacket-pktgen" \
    "$root/test/testbed/bench_mmio.sh" "$count" | tr -d '\r' | tee "$out/mmio.txt"

sed -n 's/^csv://p' "$out/mmio.txt" >"$out/mmio.csv"
[ "$(wc -l <"$out/mmio.csv")" -gt 1 ] || { echo "run-mmio: the scenario printed no csv lines" >&2; exit 1; }

# One row per run: its name, the sender's and the receiver's frames/s.
awk -F, 'NR > 1 { fps[$1 "," $2] = $5; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
         END { for (i = 1; i <= n; ++i) print order[i], fps[order[i] ",sender"], fps[order[i] ",receiver"] }' \
    "$out/mmio.csv" >"$out/mmio-rates.dat"
reads=$(awk -F, '$1 == "libvf_window" { r += $6 } END { print r + 0 }' "$out/mmio.csv")
gnuplot <<EOF
set terminal svg size 800,480 font "sans,12" noenhanced
set output "$out/mmio.svg"
set title "$count frames of 60 bytes VF to VF on QEMU's 82576 (libvf data path: $reads register reads)"
set ylabel "frames per second (log scale)"
set logscale y
set yrange [1000:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
plot "$out/mmio-rates.dat" using 2:xtic(1) title "sender", '' using 3 title "receiver"
EOF
echo
echo "run-mmio: $out/mmio.csv, mmio.svg, mmio.txt"
