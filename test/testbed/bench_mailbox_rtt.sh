#!/bin/sh
# Benchmark (issue 7, part 3): a VF's mailbox round trip with sriovd as PF and with the kernel's
# igb as PF, in the same guest on the same emulated 82576. bench-mailbox-rtt (libvf's VF side)
# times COUNT requests (VLAN 100 added and removed in turn) on VF 0, bound to vfio-pci:
#   1. under sriovd (it serves the mailbox from a VFIO MSI-X eventfd in user space), with its
#      request policing raised far above COUNT per second so that the benchmark is not throttled;
#   2. sriovd stopped (it removes its VFs), the PF bound to igb, the interface up, one VF with an
#      administrative MAC, VF 0 on vfio-pci: under the kernel's PF (its interrupt handler).
# Prints both runs' percentiles and the ratios sriovd / igb of the medians and of p99, the CPU
# time each PF side spent per request (sriovd's event loop; the kernel's interrupt time), and
# "csv:" lines for tools/bench/run-mailbox-rtt.sh. Fails only when a run fails (a request refused
# or unanswered), never on the numbers.
#
# Usage (in the guest): bench_mailbox_rtt.sh [COUNT]
. /lib/testbed.sh

COUNT=${1:-2000}
MAC=02:11:22:33:44:55
LOG=/tmp/sriovd.log
CONF=/tmp/sriovd.toml
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

fail() {
    tb_show_logs "$LOG" /tmp/rtt-*.log
    tb_fail "$*"
}

cat >"$CONF" <<EOF
[daemon]
state_dir = "/tmp/sriovd-state"
remove_vfs_on_exit = true

[policing]
requests_per_s = 100000
burst = 100000

[[pf]]
pci = "$pf"
num_vfs = 1

[[pf.vf]]
index = 0
mac = "$MAC"
driver = "vfio-pci"
EOF

# What each PF spends per request besides the round trip: sriovd's event loop (its main thread:
# time on a CPU from schedstat, in ns, and context switches), the kernel's interrupt time for igb
# (the irq and softirq columns of /proc/stat, all CPUs, in 10 ms ticks: coarse).
loop_ns() { cut -d' ' -f1 "/proc/$sriovd_pid/schedstat"; }
loop_switches() { awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ {n += $2} END {print n}' "/proc/$sriovd_pid/status"; }
irq_ticks() { awk '/^cpu / {print $7 + $8}' /proc/stat; }

tb_log "1. sriovd as PF"
tb_start_sriovd "$LOG" --config "$CONF" --token-file "$TOKEN"
vf=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
ns0=$(loop_ns)
cs0=$(loop_switches)
bench-mailbox-rtt --vf "$vf" --token-file "$TOKEN" --count "$COUNT" --label sriovd >/tmp/rtt-sriovd.log 2>&1 ||
    fail "the benchmark under sriovd failed"
ns1=$(loop_ns)
cs1=$(loop_switches)
cat /tmp/rtt-sriovd.log
sriovd_cpu=$(awk -v a="$ns0" -v b="$ns1" -v n="$COUNT" 'BEGIN { printf "%.1f", (b - a) / n / 1000 }')
sriovd_switches=$(awk -v a="$cs0" -v b="$cs1" -v n="$COUNT" 'BEGIN { printf "%.2f", (b - a) / n }')
tb_log "sriovd's event loop: $sriovd_cpu us of CPU and $sriovd_switches context switches per request"
kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0

tb_log "2. the kernel's igb as PF"
tb_bind "$pf" igb || fail "cannot bind $pf to igb"
tb_wait_for 10 tb_netdev "$pf" || fail "igb made no interface for $pf"
dev=$(tb_netdev "$pf")
ip link set "$dev" up || fail "cannot bring $dev up"
tb_set_numvfs "$pf" 1 || fail "cannot enable a VF on $pf"
vf=$(tb_vf_addr "$pf" 0) || fail "no VF 0 under igb"
ip link set "$dev" vf 0 mac "$MAC" || fail "cannot set VF 0's MAC"
tb_bind "$vf" vfio-pci || fail "cannot bind $vf to vfio-pci"
# Enabling VFs made igb reset the PF; its mailbox answers once the link is back.
tb_wait_for 30 tb_has_carrier "$dev" || fail "$dev has no link"
irq0=$(irq_ticks)
bench-mailbox-rtt --vf "$vf" --count "$COUNT" --label igb >/tmp/rtt-igb.log 2>&1 ||
    fail "the benchmark under igb failed"
irq1=$(irq_ticks)
cat /tmp/rtt-igb.log
igb_cpu=$(awk -v a="$irq0" -v b="$irq1" -v n="$COUNT" 'BEGIN { printf "%.1f", (b - a) * 10000 / n }')
tb_log "the kernel's interrupt time under igb: $igb_cpu us per request (all CPUs, 10 ms ticks)"

# Field N (1-based, after "csv:label,count,") of a run's csv line.
field() {
    sed -n 's/^csv://p' "/tmp/rtt-$1.log" | cut -d, -f"$2"
}
s50=$(field sriovd 4)
s99=$(field sriovd 6)
k50=$(field igb 4)
k99=$(field igb 6)
[ -n "$s50" ] && [ -n "$k50" ] || fail "a run printed no csv line"
tb_log "mailbox round trip, $COUNT requests: sriovd p50 $s50 us, p99 $s99 us; igb p50 $k50 us, p99 $k99 us;" \
    "$(awk -v a="$s50" -v b="$k50" -v c="$s99" -v d="$k99" 'BEGIN { printf "sriovd/igb: median %.2f, p99 %.2f", a / b, c / d }')"
sed -n 's/^csv:/csv:/p' /tmp/rtt-sriovd.log /tmp/rtt-igb.log
tb_log "bench_mailbox_rtt passed"
