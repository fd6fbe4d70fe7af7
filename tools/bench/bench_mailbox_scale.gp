# bench-mailbox-scale's plot, against the number of VFs (7 per PF) served on sriovd's one event
# loop: the answer time of VF requests, end to end (request written to answer read: p50, p99) and
# on the PF side alone (request written to answer written: p50, p99), and requests answered per
# second. Reads the CSV that `bench-mailbox-scale --csv` writes (columns: pfs, vfs, requests,
# seconds, requests_per_s, p50_us, p95_us, p99_us, max_us, ..., pf_side_p50_us (17),
# pf_side_p99_us (18), ...).
#   gnuplot -e "csv='mailbox-scale.csv'; svg='mailbox-scale.svg'" tools/bench/bench_mailbox_scale.gp
if (!exists("csv")) csv = 'mailbox-scale.csv'
if (!exists("svg")) svg = 'mailbox-scale.svg'

set terminal svg size 1100,480 dynamic font "sans,12" background rgb "white"
set output svg
set termoption noenhanced
set datafile separator ","
set grid xtics ytics mytics lc rgb "#dddddd"
set logscale x
set xrange [5:350]
set xtics (7, 14, 28, 56, 112, 252)
set xlabel "VFs (7 per PF), one event loop"

set multiplot layout 1,2 title "sriovd's mailbox service on the 82576 model, every VF at once (bench-mailbox-scale)"

set title "answer time"
set key top left
set logscale y
set ylabel "microseconds"
plot csv using 2:6 every ::1 with linespoints lw 2 pt 7 lc rgb "#1b9e77" title "end to end p50", \
     csv using 2:8 every ::1 with linespoints lw 2 pt 7 lc rgb "#d95f02" title "end to end p99", \
     csv using 2:17 every ::1 with linespoints lw 2 dt 2 pt 6 lc rgb "#1b9e77" title "PF side p50", \
     csv using 2:18 every ::1 with linespoints lw 2 dt 2 pt 6 lc rgb "#d95f02" title "PF side p99", \
     1000 with lines lw 1 dt 3 lc rgb "#888888" title "1 ms"

set title "requests answered per second (VF_RESET included)"
unset logscale y
set yrange [0:*]
set ylabel "requests/s"
set key off
plot csv using 2:5 every ::1 with linespoints lw 2 pt 7 lc rgb "#e7298a"

unset multiplot
