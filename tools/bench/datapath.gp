# bench-datapath's plot: against the burst size, libvf's Mpps per core (left) and instructions per
# packet counted by callgrind (right), for RX, TX and RX+TX (forwarding), with the goals of issue 7
# at burst 32 as dashed lines. Reads the CSV that `bench-datapath --csv` writes (columns: burst,
# rx/tx/rxtx_mpps, rx/tx/rxtx_wall_mpps, rx/tx/rxtx_instructions_per_packet).
#   gnuplot -e "csv='datapath.csv'; svg='datapath.svg'" tools/bench/datapath.gp
if (!exists("csv")) csv = 'datapath.csv'
if (!exists("svg")) svg = 'datapath.svg'

set terminal svg size 1100,480 dynamic font "sans,12" background rgb "white"
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

set multiplot layout 1,2 title "libvf's data path against the 82576 model (bench-datapath)"

set title "million packets per second, one core (TSC-timed full bursts; noisy)"
set ylabel "Mpps"
set yrange [0:*]
plot for [i=1:3] csv using 1:(column(1+i)) skip 1 with linespoints lw 2 pt 7 ps 0.7 lc rgb colour(i) title name(i), \
     25 with lines dt 2 lc rgb "#888888" title "goal: > 25 Mpps at burst 32"

set title "instructions per packet, libvf's side (callgrind)"
set ylabel "instructions/packet"
set yrange [0:*]
plot for [i=1:3] csv using 1:(column(7+i)) skip 1 with linespoints lw 2 pt 7 ps 0.7 lc rgb colour(i) title name(i), \
     100 with lines dt 2 lc rgb "#888888" title "goal: RX+TX < 100 at burst 32"

unset multiplot
