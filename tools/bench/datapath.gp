# bench-datapath's plot: against the burst size, libvf's Mpps per core (left) and instructions per
# packet counted by callgrind (middle), for RX, TX and RX+TX (forwarding), through the queues
# (solid, with the goals of issue 7 at burst 32 as dashed grey lines) and through a failover port
# (dashed, issue 14); and (right) the failover port's instructions per packet relative to the
# plain Vf's, with issue 14's 5% limit. Reads the CSV that `bench-datapath --csv` writes (columns:
# burst; for the queues rx/tx/rxtx_mpps, rx/tx/rxtx_wall_mpps, rx/tx/rxtx_instructions_per_packet
# (2-10); the same with vf_ (11-19) and port_ (20-28) before each name).
#   gnuplot -e "csv='datapath.csv'; svg='datapath.svg'" tools/bench/datapath.gp
if (!exists("csv")) csv = 'datapath.csv'
if (!exists("svg")) svg = 'datapath.svg'

set terminal svg size 1500,480 dynamic font "sans,12" background rgb "white"
set output svg
set datafile separator ","
set key top left font ",10"
set logscale x 2
set grid xtics ytics lc rgb "#dddddd"
set xlabel "burst (frames per rx\\_burst / tx\\_burst)" offset 0,0.6
set xrange [0.8:80]
set xtics (1, 4, 8, 16, 32, 64)
colour(i) = word("#1b9e77 #d95f02 #7570b3", i)
name(i) = word("RX TX RX+TX", i)
queues = 0   # column offsets of the subjects
vf = 9
port = 18

set multiplot layout 1,3 title "libvf's data path against the 82576 model (bench-datapath)"

set title "million packets per second, one core (TSC-timed full bursts; noisy)"
set ylabel "Mpps"
set yrange [0:*]
plot for [i=1:3] csv using 1:(column(queues+1+i)) skip 1 with linespoints lw 2 pt 7 ps 0.7 lc rgb colour(i) \
         title name(i), \
     for [i=1:3] csv using 1:(column(port+1+i)) skip 1 with linespoints lw 1.5 dt 2 pt 6 ps 0.7 lc rgb colour(i) \
         title name(i)." (failover port)", \
     25 with lines dt 2 lc rgb "#888888" title "goal: > 25 Mpps at burst 32"

set title "instructions per packet, libvf's side (callgrind)"
set ylabel "instructions/packet"
set yrange [0:*]
plot for [i=1:3] csv using 1:(column(queues+7+i)) skip 1 with linespoints lw 2 pt 7 ps 0.7 lc rgb colour(i) \
         title name(i), \
     for [i=1:3] csv using 1:(column(port+7+i)) skip 1 with linespoints lw 1.5 dt 2 pt 6 ps 0.7 lc rgb colour(i) \
         title name(i)." (failover port)", \
     100 with lines dt 2 lc rgb "#888888" title "goal: RX+TX < 100 at burst 32"

set title "failover port against the plain Vf, instructions per packet"
set ylabel "port / Vf - 1 (%)"
set yrange [-1:6]
set key center right
plot for [i=1:3] csv using 1:((column(port+7+i) / column(vf+7+i) - 1) * 100) skip 1 with linespoints lw 2 pt 7 \
         ps 0.7 lc rgb colour(i) title name(i), \
     5 with lines dt 2 lc rgb "#888888" title "goal: RX+TX within 5% at burst 32"

unset multiplot
