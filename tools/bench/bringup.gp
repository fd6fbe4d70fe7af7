# The bring-up benchmark's plot: seconds from the VF-count change (the PF brought up for N VFs,
# just before sriov_numvfs is written) until the VFs exist, until sriovd has answered every VF's
# VF_RESET, and until every igbvf interface has carrier, against the number of VFs. Reads the CSV
# that tools/bench/run-bringup.sh extracts (columns: vfs, removal_s, created_s, handshake_s,
# carrier_s).
#   gnuplot -e "csv='bringup.csv'; svg='bringup.svg'" tools/bench/bringup.gp
if (!exists("csv")) csv = 'bringup.csv'
if (!exists("svg")) svg = 'bringup.svg'

set terminal svg size 800,500 dynamic font "sans,12" background rgb "white"
set output svg
set termoption noenhanced
set datafile separator ","
set key top left
set grid xtics ytics lc rgb "#dddddd"
set title "VF bring-up under sriovd, igbvf on every VF (QEMU 10 igb, TCG)"
set xlabel "VFs"
set ylabel "seconds from the VF-count change"
set xrange [0.5:7.5]
set xtics 1
set yrange [0:*]
plot csv using 1:3 every ::1 with linespoints lw 2 pt 7 lc rgb "#7570b3" title "VFs created (sriov_numvfs written)", \
     csv using 1:4 every ::1 with linespoints lw 2 pt 7 lc rgb "#1b9e77" title "every VF_RESET served", \
     csv using 1:5 every ::1 with linespoints lw 2 pt 7 lc rgb "#d95f02" title "every interface with carrier", \
     csv using 1:2 every ::1 with linespoints lw 1 dt 2 pt 6 lc rgb "#555555" title "removal of the previous VFs (before)"
