#!/bin/sh
# libvf's failover port (issue 14). sriovd owns PF 0 with one VF on vfio-pci; the guest's
# virtio-net NIC on PF 0's wire is the standby, given the VF's MAC by the operator (this script).
# The peer is the kernel's igb on PF 1 (cabled to PF 0) with a raw socket (afpacket-pktgen).
# COUNT numbered frames go at RATE frames/s between a failover port (vf-pktgen --standby: VF 0
# plus the standby) and the peer while the VF goes away and comes back:
#
#   send: the port sends. `vfctl set PF0 numvfs 0` takes the VF away (the kernel asks the port for
#     it), `vfctl set PF0 numvfs 1` gives it back 2 s later. The peer must get every number exactly
#     once and in order (a lost, repeated or reordered frame is a gap). By counters outside the
#     port: the virtio NIC's kernel TX counter and the 82576's per-VF TX counter (through sriovd:
#     its log at the removal plus vfctl -s after the return) add up to COUNT plus the port's
#     announcements, and the virtio share matches the time the VF was away.
#     First, a standby that does not exist, has not the VF's MAC, or is down is refused in one
#     line that names it and says what to do.
#   recv: the same, the peer sending and the port receiving: every number exactly once, in order.
#   echo: the same through libvf's C API: vf-echo --standby sends every frame back to the peer,
#     which must get every number back exactly once, in order.
#   link: unplanned. The port sends; PF 0's wire goes down (QEMU monitor: set_link n0 off) and,
#     2 s later, up. The port must move to the standby by itself and back to the VF; the peer's
#     largest gap must stay under 100 ms of traffic (RATE / 10 frames), no number may come twice
#     or out of order.
#   state: the same with `vfctl set PF0 vf 0 state disable`, then `state auto`.
#
# Usage (in the guest): failover.sh MODE [COUNT] [RATE]
. /lib/testbed.sh
[ "$TB_STANDBY" = 0 ] || tb_fail "this scenario needs --standby 0"
[ "$TB_WIRE" = 1 ] || tb_fail "this scenario needs PF 0 cabled to PF 1 (--pfs 2 --wire)"

MODE=${1:-send}
COUNT=${2:-16000}
RATE=${3:-2000}
VF_MAC=02:00:00:00:14:01
LOG=/tmp/sriovd.log
TXLOG=/tmp/send.log
RXLOG=/tmp/recv.log
TOKEN=/run/sriovd.token
pf0=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)
case "$MODE" in
    send | link | state) PORTLOG=$TXLOG ;;
    recv) PORTLOG=$RXLOG ;;
    echo) PORTLOG=/tmp/echo.log ;;
    *) tb_fail "MODE must be send, recv, echo, link or state" ;;
esac

fail() {
    tb_show_logs "$LOG" "$TXLOG" "$RXLOG" /tmp/echo.log
    # The kernel's counters of the peer and the standby (frames their rings could not take).
    for dev in $peer $sb; do ip -s -s link show dev "$dev"; done
    tb_fail "$*"
}

# Uptime in hundredths of a second.
now_cs() {
    awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# The standby: the VF's MAC, no IPv6 (its own neighbour discovery would add frames to its counter).
sb=$(tb_standby_netdev) || tb_fail "no standby interface"
sysctl -qw "net.ipv6.conf.$sb.disable_ipv6=1" 2>/dev/null

# sriovd first: it binds PF 0 to vfio-pci, so that loading igb for the peer leaves PF 0 alone.
tb_start_sriovd "$LOG" --pf "$pf0" --vfs 1 --vf-mac 0=$VF_MAC --vf-driver 0=vfio-pci --token-file "$TOKEN" \
    --state-dir /tmp/sriovd-state
vf0=$(tb_vf_addr "$pf0" 0) || fail "no VF 0"

# refused WHAT STANDBY TEXT: a failover port on STANDBY is refused in one line containing TEXT.
refused() {
    if out=$(vf-pktgen send --vf "$vf0" --standby "$2" --token-file "$TOKEN" --dst 02:00:00:00:00:01 \
        --count 1 --link-timeout 5 2>&1); then
        fail "a failover port opened with $1"
    fi
    case "$out" in *"$3"*) ;; *) fail "the refusal of $1 does not say '$3': $out" ;; esac
    [ "$(echo "$out" | wc -l)" = 1 ] || fail "the refusal of $1 is not one line: $out"
    tb_log "ok: $1 refused: $out"
}
if [ "$MODE" = send ]; then
    refused "a standby that does not exist" nosuch0 "standby nosuch0: no network interface of that name"
    refused "a standby without the VF's MAC" "$sb" "(ip link set $sb address $VF_MAC)"
    ip link set "$sb" address "$VF_MAC" || tb_fail "cannot give $sb the VF's MAC"
    refused "a standby that is down" "$sb" "(ip link set $sb up)"
fi
ip link set "$sb" address "$VF_MAC" && ip link set "$sb" up || tb_fail "cannot set up the standby $sb"
tb_bind "$pf1" igb || tb_fail "cannot bind $pf1 to igb"
tb_wait_for 10 tb_netdev "$pf1" >/dev/null || tb_fail "igb made no interface for $pf1"
peer=$(tb_netdev "$pf1")
sysctl -qw "net.ipv6.conf.$peer.disable_ipv6=1" 2>/dev/null
# The peer's receive ring at igb's largest (4096, 2 s of traffic) instead of 256 (128 ms): on a
# busy host the guest's CPU that serves it can stall for longer than that, and the emulated 82576
# then drops what its ring cannot take without counting it.
ethtool -G "$peer" rx 4096 || tb_fail "cannot give $peer 4096 receive descriptors"
ip link set "$peer" up || tb_fail "cannot bring up $peer"
PEER_MAC=$(cat "/sys/class/net/$peer/address")
tb_wait_for 30 tb_has_carrier "$peer" || fail "$peer has no link"
tb_wait_for 30 tb_has_carrier "$sb" || fail "the standby $sb has no link"
sb_tx0=$(cat "/sys/class/net/$sb/statistics/tx_packets")

# The receiver first, then the sender. A receiving port gets rings of 2048 (1 s of traffic, not
# libvf's default 512) for the same reason as the peer.
PORT_RINGS="--ring 2048 --buffers 8192"
if [ "$MODE" = echo ]; then
    vf-echo --vf "$vf0" --standby "$sb" --token-file "$TOKEN" $PORT_RINGS >"$PORTLOG" 2>&1 &
    echo_pid=$!
    tb_wait_for 60 grep -q "^ready" "$PORTLOG" || fail "vf-echo did not get ready"
    afpacket-pktgen recv --if "$peer" --count "$COUNT" --idle 20 >"$RXLOG" 2>&1 &
    recv_pid=$!
    tb_wait_for 30 grep -q "^ready" "$RXLOG" || fail "the receiver on $peer did not get ready"
    afpacket-pktgen send --if "$peer" --dst "$VF_MAC" --count "$COUNT" --rate "$RATE" >"$TXLOG" 2>&1 &
    send_pid=$!
    sleep 1
elif [ "$MODE" = recv ]; then
    vf-pktgen recv --vf "$vf0" --standby "$sb" --token-file "$TOKEN" --count "$COUNT" --idle 20 $PORT_RINGS \
        >"$RXLOG" 2>&1 &
    recv_pid=$!
    tb_wait_for 60 grep -q "^ready" "$RXLOG" || fail "the port did not get ready to receive"
    afpacket-pktgen send --if "$peer" --dst "$VF_MAC" --count "$COUNT" --rate "$RATE" >"$TXLOG" 2>&1 &
    send_pid=$!
    tb_wait_for 60 grep -q "^received [1-9]" "$RXLOG" || fail "the port receives nothing"
else
    # Where frames may be lost (link, state) the receiver stops 5 s after the last one.
    idle=20
    [ "$MODE" = send ] || idle=5
    afpacket-pktgen recv --if "$peer" --count "$COUNT" --idle "$idle" >"$RXLOG" 2>&1 &
    recv_pid=$!
    tb_wait_for 30 grep -q "^ready" "$RXLOG" || fail "the receiver on $peer did not get ready"
    vf-pktgen send --vf "$vf0" --standby "$sb" --token-file "$TOKEN" --dst "$PEER_MAC" --count "$COUNT" \
        --rate "$RATE" --idle 20 >"$TXLOG" 2>&1 &
    send_pid=$!
    tb_wait_for 60 grep -q "^sent [1-9]" "$TXLOG" || fail "the sender did not get going"
fi
sleep 1

# wait_switch FROM TO REASON: the port reports that switch within 20 s.
wait_switch() {
    tb_wait_for 20 grep -q "^switch: $1 -> $2 ($3)" "$PORTLOG" || fail "the port did not switch from $1 to $2 ($3)"
}

t0=$(now_cs)
if [ "$MODE" = state ]; then
    vfctl set "$pf0" vf 0 state disable || fail "vfctl set vf 0 state disable failed"
    tb_wait_for 20 grep -q "^switch: vf -> standby" "$PORTLOG" || fail "the port did not move to the standby"
    tb_log "VF 0 disabled: the port was on the standby $(((($(now_cs) - t0)) * 10)) ms (at most) later:" \
        "$(grep '^switch' "$PORTLOG")"
    sleep 2
    t1=$(now_cs)
    vfctl set "$pf0" vf 0 state auto || fail "vfctl set vf 0 state auto failed"
    tb_wait_for 20 grep -q "^switch: standby -> vf" "$PORTLOG" || fail "the port did not go back to the VF"
    tb_log "VF 0 enabled: the port was on the VF again $(((($(now_cs) - t1)) * 10)) ms (at most) later"
elif [ "$MODE" = link ]; then
    tb_monitor set_link n0 off || fail "set_link n0 off failed"
    wait_switch vf standby link_down
    tb_log "PF 0's wire down: the port was on the standby $(((($(now_cs) - t0)) * 10)) ms (at most) later"
    sleep 2
    t1=$(now_cs)
    tb_monitor set_link n0 on || fail "set_link n0 on failed"
    wait_switch standby vf link_back
    tb_log "PF 0's wire up: the port was on the VF again $(((($(now_cs) - t1)) * 10)) ms (at most) later"
else
    vfctl set "$pf0" numvfs 0 || fail "vfctl set $pf0 numvfs 0 failed"
    wait_switch vf standby released
    tb_wait_for 20 grep -qx 0 "/sys/bus/pci/devices/$pf0/sriov_numvfs" || fail "the VF was not removed"
    tb_log "VF taken away $(((($(now_cs) - t0)) * 10)) ms after vfctl set numvfs 0"
    sleep 2
    vfctl set "$pf0" numvfs 1 || fail "vfctl set $pf0 numvfs 1 failed"
    t1=$(now_cs)
    wait_switch standby vf vf_back
    tb_log "VF given back; the port was on it again $(((($(now_cs) - t1)) * 10)) ms (at most) after vfctl returned"
fi

tb_wait_for 120 tb_exited "$send_pid" || fail "the sender did not finish"
wait "$send_pid" || fail "the sender failed"
tb_wait_for 60 tb_exited "$recv_pid" || fail "the receiver did not finish"
wait "$recv_pid"
if [ "$MODE" = echo ]; then
    kill -TERM "$echo_pid"
    tb_wait_for 20 tb_exited "$echo_pid" || fail "vf-echo did not stop"
    wait "$echo_pid" || fail "vf-echo failed"
    cat "$PORTLOG"
fi
cat "$TXLOG" "$RXLOG"
grep "^switch" "$PORTLOG"

if [ "$MODE" = link ] || [ "$MODE" = state ]; then
    gap=$(sed -n 's/^largest gap \([0-9]*\) frames.*/\1/p' "$RXLOG")
    back=$(sed -n 's/.*numbers going backwards \([0-9]*\).*/\1/p' "$RXLOG")
    got=$(sed -n 's/^received \([0-9]*\) frames.*/\1/p' "$RXLOG")
    tb_log "the peer received $got of $COUNT frames; largest gap $gap frames ($((gap * 1000 / RATE)) ms of traffic)"
    tb_expect "numbers going backwards (repeated or reordered)" "$back" 0
    [ "$gap" -lt $((RATE / 10)) ] || fail "a gap of $gap frames: more than 100 ms of traffic lost"
    tb_log "PASS"
    exit 0
fi

grep -q "^received $COUNT frames" "$RXLOG" || fail "the receiver did not get all $COUNT frames"
grep -q "sequence gaps 0," "$RXLOG" || fail "frames were lost, repeated or reordered"
tb_log "ok: $COUNT frames, every number once and in order"
line=$(grep "^failover:" "$PORTLOG")
if [ "$MODE" = recv ] || [ "$MODE" = echo ]; then
    tb_log "the port's view: $line"
    tb_log "PASS"
    exit 0
fi

# Evidence outside the port: the kernel's counter of the virtio NIC and the 82576's of the VF.
sb_tx=$(($(cat "/sys/class/net/$sb/statistics/tx_packets") - sb_tx0))
# sriovd logs what a VF counted when the VF count changes (its counters start again).
vf_tx_before=$(sed -n 's/.* VF 0: traffic until the VF count changed: .* tx \([0-9]*\) frames.*/\1/p' "$LOG" | head -1)
[ -n "$vf_tx_before" ] || fail "sriovd did not log VF 0's counters at its removal"
vfctl -s -j show "$pf0" vf 0 >/tmp/stats0 || fail "vfctl -s show failed"
vf_tx_after=$(sed -n 's/.*"tx_packets":\([0-9]*\).*/\1/p' /tmp/stats0)
vf_tx=$((vf_tx_before + vf_tx_after))
announcements=$(echo "$line" | sed -n 's/.*announcements \([0-9]*\).*/\1/p')
standby_s=$(echo "$line" | sed -n 's/.*standby tx [0-9]* rx [0-9]* (\([0-9.]*\) s).*/\1/p')
tb_log "virtio $sb sent $sb_tx frames, the VF (PVFGPTC through sriovd) $vf_tx ($vf_tx_before before its removal," \
    "$vf_tx_after after its return); the port announced $announcements times and was $standby_s s on the standby"
tb_expect "virtio + VF frames" "$((sb_tx + vf_tx))" "$((COUNT + announcements))"
expected_sb=$(awk -v s="$standby_s" -v r="$RATE" 'BEGIN { printf "%d", s * r }')
tb_log "frames the standby should have carried at $RATE/s: about $expected_sb"
awk -v a="$sb_tx" -v e="$expected_sb" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(d <= e / 5 + 100) }' ||
    fail "the virtio share ($sb_tx) does not match the time away ($expected_sb)"
tb_log "PASS"
