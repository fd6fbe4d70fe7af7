#!/bin/sh
# libvf's failover port (issue 14), planned switch-over: sriovd owns PF 0 with one VF on vfio-pci;
# the guest's virtio-net NIC on PF 0's wire is the standby, given the VF's MAC by the operator (this
# script). vf-pktgen sends COUNT numbered frames at RATE frames/s from a failover port (VF 0 plus
# the standby) to the kernel's igb on PF 1 (cabled to PF 0), where a raw socket (afpacket-pktgen)
# checks the numbers. Meanwhile `vfctl set PF0 numvfs 0` takes the VF away (the kernel asks the
# port for it) and, seconds later, `vfctl set PF0 numvfs 1` gives it back.
#
# Checked: the receiver gets every number exactly once and in order (COUNT frames, no gap: a
# duplicate or a reordering would be a gap); the port reports both switches; and, by counters
# outside the port, the virtio interface's kernel TX counter and the 82576's per-VF TX counter
# (read through sriovd, vfctl -s) add up to the frames sent plus the port's two announcements,
# with the virtio share matching the time the VF was away.
#
# Usage (in the guest): failover.sh [COUNT] [RATE]
. /lib/testbed.sh
[ "$TB_STANDBY" = 0 ] || tb_fail "this scenario needs --standby 0"
[ "$TB_WIRE" = 1 ] || tb_fail "this scenario needs PF 0 cabled to PF 1 (--pfs 2 --wire)"

COUNT=${1:-16000}
RATE=${2:-2000}
VF_MAC=02:00:00:00:14:01
LOG=/tmp/sriovd.log
TXLOG=/tmp/send.log
RXLOG=/tmp/recv.log
TOKEN=/run/sriovd.token
pf0=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)

fail() {
    tb_show_logs "$LOG" "$TXLOG" "$RXLOG"
    tb_fail "$*"
}

# Uptime in hundredths of a second.
now_cs() {
    awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# The standby: the VF's MAC, no IPv6 (its own neighbour discovery would add frames to its counter).
sb=$(tb_standby_netdev) || tb_fail "no standby interface"
sysctl -qw "net.ipv6.conf.$sb.disable_ipv6=1" 2>/dev/null
ip link set "$sb" address "$VF_MAC" && ip link set "$sb" up || tb_fail "cannot set up the standby $sb"

# sriovd first: it binds PF 0 to vfio-pci, so that loading igb for the receiver leaves PF 0 alone.
tb_start_sriovd "$LOG" --pf "$pf0" --vfs 1 --vf-mac 0=$VF_MAC --vf-driver 0=vfio-pci --token-file "$TOKEN" \
    --state-dir /tmp/sriovd-state
# The receiver: the kernel's igb on PF 1.
tb_bind "$pf1" igb || tb_fail "cannot bind $pf1 to igb"
tb_wait_for 10 tb_netdev "$pf1" >/dev/null || tb_fail "igb made no interface for $pf1"
peer=$(tb_netdev "$pf1")
sysctl -qw "net.ipv6.conf.$peer.disable_ipv6=1" 2>/dev/null
ip link set "$peer" up || tb_fail "cannot bring up $peer"
PEER_MAC=$(cat "/sys/class/net/$peer/address")

vf0=$(tb_vf_addr "$pf0" 0) || fail "no VF 0"
tb_wait_for 30 tb_has_carrier "$peer" || fail "$peer has no link"
tb_wait_for 30 tb_has_carrier "$sb" || fail "the standby $sb has no link"

afpacket-pktgen recv --if "$peer" --count "$COUNT" --idle 20 >"$RXLOG" 2>&1 &
recv_pid=$!
tb_wait_for 30 grep -q "^ready" "$RXLOG" || fail "the receiver on $peer did not get ready"
sb_tx0=$(cat "/sys/class/net/$sb/statistics/tx_packets")

vf-pktgen send --vf "$vf0" --standby "$sb" --token-file "$TOKEN" --dst "$PEER_MAC" --count "$COUNT" \
    --rate "$RATE" --idle 20 >"$TXLOG" 2>&1 &
send_pid=$!
tb_wait_for 60 grep -q "^sent [1-9]" "$TXLOG" || fail "the sender did not get going"
sleep 1

t0=$(now_cs)
vfctl set "$pf0" numvfs 0 || fail "vfctl set $pf0 numvfs 0 failed"
tb_wait_for 20 grep -q "^switch: vf -> standby (released)" "$TXLOG" ||
    fail "the port did not report its switch to the standby"
tb_wait_for 20 grep -qx 0 "/sys/bus/pci/devices/$pf0/sriov_numvfs" || fail "the VF was not removed"
t_away=$(now_cs)
tb_log "VF taken away $(((t_away - t0) * 10)) ms after vfctl set numvfs 0; $(grep '^switch' "$TXLOG")"
sleep 2
vfctl set "$pf0" numvfs 1 || fail "vfctl set $pf0 numvfs 1 failed"
t_back=$(now_cs)
tb_wait_for 20 grep -q "^switch: standby -> vf (vf_back)" "$TXLOG" || fail "the port did not go back to the VF"
tb_log "VF given back; the port was on it again $(( ($(now_cs) - t_back) * 10)) ms (at most) after vfctl returned"

tb_wait_for 120 tb_exited "$send_pid" || fail "the sender did not finish"
wait "$send_pid" || fail "the sender failed"
tb_wait_for 60 tb_exited "$recv_pid" || fail "the receiver did not finish"
wait "$recv_pid" || fail "the receiver failed"
cat "$TXLOG" "$RXLOG"

grep -q "^received $COUNT frames" "$RXLOG" || fail "the receiver did not get all $COUNT frames"
grep -q "^sequence gaps 0," "$RXLOG" || fail "frames were lost, repeated or reordered"
tb_log "ok: $COUNT frames, every number once and in order"

# Evidence outside the port: the kernel's counter of the virtio NIC and the 82576's of the VF.
sb_tx=$(($(cat "/sys/class/net/$sb/statistics/tx_packets") - sb_tx0))
# sriovd logs what a VF counted when the VF count changes (its counters start again).
vf_tx_before=$(sed -n 's/.* VF 0: traffic until the VF count changed: .* tx \([0-9]*\) frames.*/\1/p' "$LOG" | head -1)
[ -n "$vf_tx_before" ] || fail "sriovd did not log VF 0's counters at its removal"
vfctl -s -j show "$pf0" vf 0 >/tmp/stats0 || fail "vfctl -s show failed"
vf_tx_after=$(sed -n 's/.*"tx_packets":\([0-9]*\).*/\1/p' /tmp/stats0)
vf_tx=$((vf_tx_before + vf_tx_after))
line=$(grep "^failover:" "$TXLOG")
announcements=$(echo "$line" | sed -n 's/.*announcements \([0-9]*\).*/\1/p')
standby_s=$(echo "$line" | sed -n 's/.*standby tx [0-9]* rx [0-9]* (\([0-9.]*\) s).*/\1/p')
tb_log "virtio $sb sent $sb_tx frames, the VF (PVFGPTC through sriovd) $vf_tx ($vf_tx_before before its removal," \
    "$vf_tx_after after its return); the port announced $announcements" \
    "times and was $standby_s s on the standby"
tb_expect "virtio + VF frames" "$((sb_tx + vf_tx))" "$((COUNT + announcements))"
expected_sb=$(awk -v s="$standby_s" -v r="$RATE" 'BEGIN { printf "%d", s * r }')
tb_log "frames the standby should have carried at $RATE/s: about $expected_sb"
awk -v a="$sb_tx" -v e="$expected_sb" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(d <= e / 5 + 100) }' ||
    fail "the virtio share ($sb_tx) does not match the time away ($expected_sb)"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
tb_log "PASS"
