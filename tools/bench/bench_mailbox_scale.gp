# bench-mailbox-scale's plot: the answer time of VF requests (p50, p95, p99, max) and the requests
# answered per second, against the number of PFs served on sriovd's one event loop (7 VFs each).
# Reads the CSV that `bench-mailbox-scale --csv` writes (columns: pfs, vfs, requests, seconds,
# requests_per_s, p50_us, p95_us, p99_us, max_us, ...).
#   gnuplot -e "csv='mailbox-scale.csv'; svg='mailbox-scale.svg'" tools/bench/bench_mailbox_scale.gp
if (!exists("csv")) csv = 'mailbox-scale.csv'
if (!exists("svg")) svg = 'mailbox-scale.svg'

set terminal svg size 1100,480 dynamic font "sans,12" background rgb "white"
set output svg
set termoption noenhanced
set datafile separator ","
set grid xtics ytics mytics lc rgb "#dddddd"
set logscale x
set xrange [0.8:50]
set xtics (1, 2, 6, 12, 36)
set xlabel "PFs (7 VFs each), one event loop"

set multiplot layout 1,2 title "sriovd's mailbox service on the 82576 model, every VF at once (bench-mailbox-scale)"

set title "answer time, request written to answer read"
set key top left
set logscale y
set ylabel "microseconds"
plot csv using 1:6 every ::1 with linespoints lw 2 pt 7 lc rgb "#1b9e77" title "p50", \
     csv using 1:7 every ::1 with linespoints lw 2 pt 7 lc rgb "#7570b3" title "p95", \
     csv using 1:8 every ::1 with linespoints lw 2 pt 7 lc rgb "#d95f02" title "p99", \
     csv using 1:9 every ::1 with linespoints lw 1 dt 2 pt 6 lc rgb "#555555" title "max"

set title "requests answered per second (VF_RESET included)"
unset logscale y
set yrange [0:*]
set ylabel "requests/s"
set key off
plot csv using 1:5 every ::1 with linespoints lw 2 pt 7 lc rgb "#e7298a"

unset multiplot
