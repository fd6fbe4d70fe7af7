# coalescing-sim's plots: interrupts/s and p95 latency against the offered rate, one line per
# scheme (solid: Poisson arrivals, dashed: constant spacing), log scales. Reads the CSV that
# `coalescing-sim --csv` writes (columns: arrivals, rate, scheme, interrupts_per_s, throughput,
# p50_us, p95_us, ...).
#   gnuplot -e "csv='coalescing.csv'; svg='coalescing.svg'" tools/bench/coalescing_sim.gp
if (!exists("csv")) csv = 'coalescing.csv'
if (!exists("svg")) svg = 'coalescing.svg'

set terminal svg size 1100,520 dynamic font "sans,12" background rgb "white"
set output svg
set datafile separator ","
set key outside below horizontal maxrows 2 font ",10" height 1
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set xlabel "offered messages/s" offset 0,0.6
set xrange [700:2.2e6]
set xtics ("1K" 1000, "2K" 2000, "4K" 4000, "8K" 8000, "16K" 16000, "1.488M" 1488095)

schemes = "off fixed adaptive dim"
colour(i) = word("#555555 #d95f02 #1b9e77 #7570b3", i)
# The rows of one arrivals kind and one scheme (so that each line joins its own points).
rows(kind, s) = sprintf("< grep '^%s,[^,]*,%s,' '%s'", kind, s, csv)

set multiplot layout 1,2 title "RX interrupt coalescing, simulated (coalescing-sim; 82576 EITR timing)"

set title "interrupts per second"
set ylabel "interrupts/s"
plot for [i=1:4] rows("poisson", word(schemes, i)) using 2:4 with linespoints \
         lw 2 pt 7 ps 0.6 lc rgb colour(i) title word(schemes, i)." (Poisson)", \
     for [i=1:4] rows("constant", word(schemes, i)) using 2:4 with linespoints \
         lw 1 dt 2 pt 6 ps 0.6 lc rgb colour(i) title word(schemes, i)." (constant)"

set title "95th percentile latency"
set ylabel "p95 latency (us)"
set yrange [1:5000]
plot for [i=1:4] rows("poisson", word(schemes, i)) using 2:7 with linespoints \
         lw 2 pt 7 ps 0.6 lc rgb colour(i) title word(schemes, i)." (Poisson)", \
     for [i=1:4] rows("constant", word(schemes, i)) using 2:7 with linespoints \
         lw 1 dt 2 pt 6 ps 0.6 lc rgb colour(i) title word(schemes, i)." (constant)"

unset multiplot
