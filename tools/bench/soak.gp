# The soak's plot: each cycle's recovery time (from the fault to traffic flowing both ways again
# between the two igbvf VFs), one colour per kind of fault, with the 5 s goal for kill -9. Reads the
# CSV that tools/bench/run-soak.sh extracts (columns: cycle, fault, recovery_ms, restart_ms, fds,
# rss_kb, ok, change).
#   gnuplot -e "csv='soak.csv'; svg='soak.svg'" tools/bench/soak.gp
if (!exists("csv")) csv = 'soak.csv'
if (!exists("svg")) svg = 'soak.svg'

set terminal svg size 900,500 dynamic font "sans,12" background rgb "white"
set output svg
set termoption noenhanced
set datafile separator ","
set key outside right top
set grid xtics ytics lc rgb "#dddddd"
set title "sriovd soak: recovery per fault (QEMU 10 igb, TCG, 2 igbvf VFs)"
set xlabel "cycle"
set ylabel "seconds from the fault to traffic both ways"
set yrange [0:*]
kinds = "kill kill_in_set kill_in_count sigterm pf_reset vf_flr link_flap hostile_burst"
colours = "#d95f02 #e7298a #a6761d #7570b3 #1b9e77 #66a61e #e6ab02 #666666"
pick(k) = (strcol(2) eq word(kinds, k)) ? column(3) / 1000.0 : NaN
set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lc rgb "#d95f02"
set label "kill -9 goal: 5 s" at graph 0.01, first 5.2 tc rgb "#d95f02"
plot for [k=1:words(kinds)] csv using 1:(pick(k)) every ::1 with points pt 7 ps 0.6 lc rgb word(colours, k) \
     title word(kinds, k)
