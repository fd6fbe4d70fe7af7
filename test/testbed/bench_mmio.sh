#!/bin/sh
# Benchmark (issue 7, part 2): MMIO per packet on the emulated 82576, and libvf's frame rate
# beside the kernel's igbvf on the same device in the same guest. sriovd owns the PF with four
# VFs: 0 and 1 on vfio-pci for libvf (vf-pktgen-mmio, which prints the register accesses of its
# queue's data path), 2 and 3 on igbvf, each in a network namespace of its own.
#   1. libvf, windowed: COUNT frames VF 0 -> VF 1, at most 2048 unacknowledged (the receiver's
#      ring holds 4095), so none may be lost. Register reads per packet and doorbell writes per
#      burst, for sender (TX) and receiver (RX).
#   2. libvf, as fast as possible: COUNT frames of 60 bytes VF 0 -> VF 1, no window.
#   3. igbvf: COUNT frames of 60 bytes VF 2 -> VF 3, afpacket-pktgen (AF_PACKET raw sockets, the
#      kernel's network stack and igbvf) on both ends, likewise as fast as possible.
# Prints sent and received frames and rates of each run, the ratios libvf / igbvf of 2 and 3, and
# "csv:" lines for tools/bench/run-mmio.sh. The device drops frames for a receiver that falls
# behind, so runs 2 and 3 may lose some: they are reported, not failed. It fails on functional
# errors only: a frame lost or out of order in run 1, a run that moved nothing, and any register
# read on libvf's data path (there is none in the code, whatever the timing).
#
# Usage (in the guest): bench_mmio.sh [COUNT]
. /lib/testbed.sh

COUNT=${1:-100000}
MAC0=02:11:22:33:44:50
MAC1=02:11:22:33:44:51
MAC2=02:11:22:33:44:52
MAC3=02:11:22:33:44:53
LOG=/tmp/sriovd.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

fail() {
    for f in "$LOG" /tmp/run*.log; do
        [ -f "$f" ] || continue
        echo "---- $f ----"
        cat "$f"
    done
    tb_fail "$*"
}

# summary_field LOG WHAT N: from vf-pktgen's (and afpacket-pktgen's) line
# "WHAT N frames, B bytes in S s: R frames/s, M Mbit/s": 1 = N, 2 = S, 3 = R.
summary_field() {
    sed -n "s/^$2 \([0-9]*\) frames, [0-9]* bytes in \([0-9.]*\) s: \([0-9]*\) frames\/s.*/\\$3/p" "$1" | tail -1
}
# mmio_field LOG N: from "mmio: reads R (per packet X), doorbell writes W (per burst Y), other
# writes O, B bursts of F frames": 1 = R, 2 = X, 3 = W, 4 = Y, 5 = O, 6 = B, 7 = F.
mmio_field() {
    sed -n "s/^mmio: reads \([0-9]*\) (per packet \([0-9.]*\)), doorbell writes \([0-9]*\) (per burst \([0-9.]*\)), other writes \([0-9]*\), \([0-9]*\) bursts of \([0-9.]*\) frames.*/\\$2/p" "$1"
}
# csv_libvf RUN SIDE LOG WHAT: a csv line of a vf-pktgen-mmio run (WHAT: sent or received).
csv_libvf() {
    echo "csv:$1,$2,$(summary_field "$3" "$4" 1),$(summary_field "$3" "$4" 2),$(summary_field "$3" "$4" 3)," \
        "$(mmio_field "$3" 1),$(mmio_field "$3" 2),$(mmio_field "$3" 3),$(mmio_field "$3" 4),$(mmio_field "$3" 7)" |
        tr -d ' '
}
# check_mmio LOG WHO: libvf's data path read no register and wrote the doorbell at most once per
# burst (the per-burst figure is printed, not checked: it is what the code does).
check_mmio() {
    r=$(mmio_field "$1" 1)
    [ -n "$r" ] || fail "$2 printed no mmio line (not a vf-pktgen built with SRIOV_COUNT_MMIO?)"
    tb_log "$2: $(grep '^mmio:' "$1")"
    tb_expect "$2: register reads on the data path" "$r" 0
    tb_expect "$2: other register writes on the data path" "$(mmio_field "$1" 5)" 0
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

modprobe igbvf || fail "cannot load igbvf"
tb_log "starting sriovd: VFs 0 and 1 on vfio-pci (libvf), 2 and 3 on igbvf"
tb_start_sriovd "$LOG" --pf "$pf" --vfs 4 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-mac 2=$MAC2 --vf-mac 3=$MAC3 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --vf-driver 2=igbvf --vf-driver 3=igbvf \
    --token-file "$TOKEN"
vf0=$(tb_vf_addr "$pf" 0) && vf1=$(tb_vf_addr "$pf" 1) && vf2=$(tb_vf_addr "$pf" 2) && vf3=$(tb_vf_addr "$pf" 3) ||
    fail "sriovd did not create four VFs"

# run_libvf NAME SEND_OPTS RECV_OPTS: COUNT frames from VF 0 to VF 1 through libvf.
run_libvf() {
    # shellcheck disable=SC2086
    vf-pktgen-mmio recv --vf "$vf1" --token-file "$TOKEN" --count "$COUNT" --idle 5 --ring 4096 --buffers 8192 \
        $3 >"/tmp/run-$1-recv.log" 2>&1 &
    recv_pid=$!
    tb_wait_for 60 grep -q "^ready" "/tmp/run-$1-recv.log" || fail "$1: the receiver on VF 1 did not get ready"
    # shellcheck disable=SC2086
    vf-pktgen-mmio send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$COUNT" --size 60 $2 \
        >"/tmp/run-$1-send.log" 2>&1 || fail "$1: the sender on VF 0 failed"
    tb_wait_for 120 tb_exited "$recv_pid" || fail "$1: the receiver did not finish"
    wait "$recv_pid"
    cat "/tmp/run-$1-send.log" "/tmp/run-$1-recv.log"
    check_mmio "/tmp/run-$1-send.log" "$1 sender (TX queue)"
    check_mmio "/tmp/run-$1-recv.log" "$1 receiver (RX queue)"
}

tb_log "1. libvf, window 2048: $COUNT frames VF 0 -> VF 1"
run_libvf libvf_window "--window 2048" "--ack-every 256"
got=$(summary_field /tmp/run-libvf_window-recv.log received 1)
tb_expect "run 1: frames received" "$got" "$COUNT"
grep -q "sequence gaps 0," /tmp/run-libvf_window-recv.log || fail "run 1: frames arrived out of order or with gaps"

tb_log "2. libvf, as fast as possible: $COUNT frames VF 0 -> VF 1"
run_libvf libvf "" ""
l_sent=$(summary_field /tmp/run-libvf-send.log sent 1)
l_got=$(summary_field /tmp/run-libvf-recv.log received 1)
[ "${l_got:-0}" -gt 0 ] || fail "run 2: VF 1 received nothing"

tb_log "3. igbvf: $COUNT frames VF 2 -> VF 3 through AF_PACKET sockets"
tb_wait_for 60 test -d "/sys/bus/pci/devices/$vf2/net" || fail "igbvf made no interface for VF 2"
tb_wait_for 60 test -d "/sys/bus/pci/devices/$vf3/net" || fail "igbvf made no interface for VF 3"
if2=$(tb_netdev "$vf2")
if3=$(tb_netdev "$vf3")
ip netns add bench_tx && ip netns add bench_rx || fail "cannot make network namespaces"
ip link set "$if2" netns bench_tx && ip link set "$if3" netns bench_rx || fail "cannot move $if2 and $if3"
for pair in "bench_tx $if2" "bench_rx $if3"; do
    set -- $pair
    # Nothing but the benchmark's frames: no IPv6 (router solicitations), no address.
    ip netns exec "$1" sh -c "echo 1 >/proc/sys/net/ipv6/conf/$2/disable_ipv6" 2>/dev/null
    ip netns exec "$1" /sbin/ip link set "$2" up || fail "cannot bring $2 up"
    tb_wait_for 30 ip netns exec "$1" sh -c "[ \"\$(cat /sys/class/net/$2/carrier)\" = 1 ]" ||
        fail "$2 has no carrier"
done
tb_expect "VF 3 MAC" "$(ip netns exec bench_rx cat "/sys/class/net/$if3/address")" "$MAC3"
stat_of() {
    ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}
tx_before=$(stat_of bench_tx "$if2" tx_packets)
rx_before=$(stat_of bench_rx "$if3" rx_packets)
ip netns exec bench_rx afpacket-pktgen recv --if "$if3" --count "$COUNT" --idle 5 >/tmp/run-igbvf-recv.log 2>&1 &
recv_pid=$!
tb_wait_for 30 grep -q "^ready" /tmp/run-igbvf-recv.log || fail "run 3: the AF_PACKET receiver did not get ready"
ip netns exec bench_tx afpacket-pktgen send --if "$if2" --dst "$MAC3" --count "$COUNT" --size 60 \
    >/tmp/run-igbvf-send.log 2>&1 || fail "run 3: the AF_PACKET sender failed"
tb_wait_for 120 tb_exited "$recv_pid" || fail "run 3: the AF_PACKET receiver did not finish"
wait "$recv_pid"
cat /tmp/run-igbvf-send.log /tmp/run-igbvf-recv.log
k_sent=$(summary_field /tmp/run-igbvf-send.log sent 1)
k_got=$(summary_field /tmp/run-igbvf-recv.log received 1)
tb_log "run 3: igbvf $if2 tx_packets +$(($(stat_of bench_tx "$if2" tx_packets) - tx_before)), $if3 rx_packets" \
    "+$(($(stat_of bench_rx "$if3" rx_packets) - rx_before)), AF_PACKET sent $k_sent, received $k_got"
[ "${k_got:-0}" -gt 0 ] || fail "run 3: VF 3 received nothing through igbvf"

l_tx=$(summary_field /tmp/run-libvf-send.log sent 3)
l_rx=$(summary_field /tmp/run-libvf-recv.log received 3)
k_tx=$(summary_field /tmp/run-igbvf-send.log sent 3)
k_rx=$(summary_field /tmp/run-igbvf-recv.log received 3)
tb_log "MMIO: run 1 sender $(mmio_field /tmp/run-libvf_window-send.log 2) reads/packet," \
    "$(mmio_field /tmp/run-libvf_window-send.log 4) doorbell writes/burst; receiver" \
    "$(mmio_field /tmp/run-libvf_window-recv.log 2) reads/packet, $(mmio_field /tmp/run-libvf_window-recv.log 4)" \
    "doorbell writes/burst"
w_rx=$(summary_field /tmp/run-libvf_window-recv.log received 3)
tb_log "libvf: sent $l_sent at $l_tx frames/s, received $l_got at $l_rx frames/s;" \
    "igbvf: sent $k_sent at $k_tx frames/s, received $k_got at $k_rx frames/s;" \
    "libvf/igbvf: sending $(ratio "$l_tx" "$k_tx"), receiving $(ratio "$l_rx" "$k_rx")"
# Without a window a libvf sender can outrun its receiver by far, which then loses most frames;
# the windowed run is libvf's rate without losses (the window only slows libvf down).
tb_log "libvf with the window received $COUNT at $w_rx frames/s: $(ratio "$w_rx" "$k_rx") times igbvf's receiving rate"
echo "csv:run,side,frames,seconds,frames_per_s,mmio_reads,reads_per_packet,doorbell_writes,writes_per_burst,frames_per_burst"
csv_libvf libvf_window sender /tmp/run-libvf_window-send.log sent
csv_libvf libvf_window receiver /tmp/run-libvf_window-recv.log received
csv_libvf libvf sender /tmp/run-libvf-send.log sent
csv_libvf libvf receiver /tmp/run-libvf-recv.log received
for side in sender:send:sent receiver:recv:received; do
    IFS=: read -r name file what <<EOF
$side
EOF
    f=/tmp/run-igbvf-$file.log
    echo "csv:igbvf_afpacket,$name,$(summary_field "$f" "$what" 1),$(summary_field "$f" "$what" 2),$(summary_field "$f" "$what" 3),,,,,"
done

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_log "bench_mmio passed"
