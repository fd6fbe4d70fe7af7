# bench-mailbox-rtt's plot: a VF's mailbox round trip under each PF (sriovd, the kernel's igb),
# as grouped bars of p50, p95 and p99 on a log scale. Reads the CSV run-mailbox-rtt.sh writes
# (columns: pf, count, min_us, p50_us, p95_us, p99_us, max_us, mean_us).
#   gnuplot -e "csv='mailbox-rtt.csv'; svg='mailbox-rtt.svg'" tools/bench/mailbox_rtt.gp
if (!exists("csv")) csv = 'mailbox-rtt.csv'
if (!exists("svg")) svg = 'mailbox-rtt.svg'

set terminal svg size 700,420 dynamic font "sans,12" background rgb "white"
set output svg
set datafile separator ","
set key autotitle columnhead
set title "VF mailbox round trip in the testbed (bench-mailbox-rtt, emulated 82576)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set ylabel "microseconds (log scale)"
set grid ytics lc rgb "#dddddd"
set key top left
plot csv using 4:xtic(1) title "p50" lc rgb "#1b9e77", \
     '' using 5 title "p95" lc rgb "#d95f02", \
     '' using 6 title "p99" lc rgb "#7570b3"
