#!/bin/sh
# Benchmark (issue 17): libvf's sender against DPDK's on the same VF, in the same guest. sriovd
# owns the PF with one VF on vfio-pci. First vf-pktgen (libvf), then dpdk-testpmd (Debian's DPDK
# 22.11, the igbvf PMD, --forward-mode=txonly) send 60-byte frames to a MAC nobody has, as fast as
# each can, bursts of 32 both. Each is measured the same way, at the sender and by the device:
# once the VF's TX counter (the 82576's PVFGPTC, read through sriovd: vfctl -s) moves, it is read,
# SECONDS later read again. Neither program's own count is used. DPDK receives nothing on QEMU's VF
# (see the testbed notes), which is why the comparison is of transmitting only. Under TCG this
# measures the emulator plus each driver's accesses to the device, not what silicon would do.
#
# Prints both rates, their ratio, and "csv:" lines (tools/bench/run-testpmd.sh). Fails only on
# functional errors: a sender that does not start or moves nothing.
#
# Usage (in the guest): bench_testpmd.sh [SECONDS] [PMD_DIR]
#   PMD_DIR: where the harness put DPDK's driver plugins (librte_net_e1000,
#   librte_mempool_ring; default /opt/sriov/bin).
. /lib/testbed.sh

WINDOW=${1:-5}
PMDS=${2:-/opt/sriov/bin}
MAC0=02:11:22:33:44:70
PEER=02:11:22:33:44:7f
LOG=/tmp/sriovd.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

fail() {
    tb_show_logs -n 40 "$LOG" /tmp/pktgen.log /tmp/testpmd.log
    tb_fail "$*"
}

# Uptime in hundredths of a second.
now_cs() {
    awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# The VF's TX frames as the device counts them.
tx_frames() {
    vfctl -s -j show "$pf" vf 0 | sed -n 's/.*"tx_packets":\([0-9]*\).*/\1/p'
}

# measure NAME PID: waits (60 s at most, while PID runs) until the VF's TX counter moves, then
# counts WINDOW seconds of it; sets `rate` (frames/s) and prints it.
measure() {
    start=$(tx_frames)
    [ -n "$start" ] || fail "$1: vfctl -s shows no tx_packets for VF 0"
    i=0
    while [ "$(tx_frames)" = "$start" ]; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "$1: the VF sent nothing in 60 s"
        tb_exited "$2" && fail "$1: the sender ended before the VF sent anything"
        sleep 0.2
    done
    a=$(tx_frames)
    ta=$(now_cs)
    sleep "$WINDOW"
    b=$(tx_frames)
    tb=$(now_cs)
    rate=$(((b - a) * 100 / (tb - ta)))
    tb_log "$1: $((b - a)) frames in $(((tb - ta) * 10)) ms by the VF's TX counter: $rate frames/s"
}

tb_start_sriovd "$LOG" --pf "$pf" --vfs 1 --vf-mac 0=$MAC0 --vf-driver 0=vfio-pci --token-file "$TOKEN"
vf=$(tb_vf_addr "$pf" 0) || fail "no VF 0"

tb_log "1. libvf: vf-pktgen send, 60-byte frames, bursts of 32"
vf-pktgen send --vf "$vf" --token-file "$TOKEN" --dst "$PEER" --count 1000000000 --size 60 \
    >/tmp/pktgen.log 2>&1 &
pktgen_pid=$!
measure libvf "$pktgen_pid"
libvf_rate=$rate
kill -TERM "$pktgen_pid"  # (a background job of a script ignores SIGINT)
tb_wait_for 30 tb_exited "$pktgen_pid" || fail "vf-pktgen did not stop"

tb_log "2. DPDK: dpdk-testpmd --forward-mode=txonly, 60-byte frames, bursts of 32"
mkdir -p /dev/hugepages
mount -t hugetlbfs nodev /dev/hugepages || fail "cannot mount hugetlbfs"
echo 128 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
[ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)" -ge 64 ] || fail "no 2 MiB pages for DPDK"
# DPDK refuses a plugin in a directory that anyone may write to, or under one (the initramfs's / is
# world-writable).
chmod go-w / /opt /opt/sriov "$PMDS"
plugins=""
for p in librte_mempool_ring librte_net_e1000; do  # (librte_bus_pci comes with testpmd itself)
    f=$(ls "$PMDS/$p.so"* 2>/dev/null | head -1)
    [ -n "$f" ] || fail "no $p in $PMDS (the harness's --bin)"
    plugins="$plugins -d $f"
done
# stdin stays open (a pipe from sleep) so that testpmd does not quit at once; it sends until killed.
# shellcheck disable=SC2086
sleep 600 | dpdk-testpmd -l 0-1 -n 1 -m 128 --file-prefix tb --no-telemetry $plugins -a "$vf" \
    --vfio-vf-token="$(cat "$TOKEN")" -- --forward-mode=txonly --txpkts=60 --burst=32 --eth-peer=0,"$PEER" \
    --nb-cores=1 --rxd=512 --txd=512 --total-num-mbufs=8192 --auto-start >/tmp/testpmd.log 2>&1 &
measure dpdk $!
dpdk_rate=$rate
pkill -TERM -f dpdk-testpmd
tb_wait_for 30 sh -c '! pgrep -f dpdk-testpmd >/dev/null' || fail "dpdk-testpmd did not stop"
pkill -f "sleep 600" 2>/dev/null
tail -n 20 /tmp/testpmd.log

ratio=$(awk -v a="$libvf_rate" -v b="$dpdk_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
tb_log "libvf $libvf_rate frames/s, DPDK $dpdk_rate frames/s: libvf / DPDK $ratio (TCG: the emulator's cost per access dominates)"
echo "csv:sender,frames_per_s"
echo "csv:libvf,$libvf_rate"
echo "csv:dpdk,$dpdk_rate"
tb_log "bench_testpmd passed"
