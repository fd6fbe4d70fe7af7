#!/bin/sh
# libvf's data path through the 82576's internal switch: sriovd owns the PF with two VFs on
# vfio-pci; vf-pktgen receives on VF 1 and, once that receiver is ready, sends COUNT numbered
# frames from VF 0 to VF 1's MAC. Every frame must arrive, in order, none lost.
#
# Usage (in the guest): vf_pktgen.sh COUNT [MODE]
#   plain (default): the sender sends as fast as it can. Nothing in the device holds it back when
#     the receiver falls behind, so this is only loss-free when COUNT fits in the receiver's ring
#     (4095 slots) or the receiver keeps up, which a loaded host does not promise.
#   window: the sender keeps at most 2048 frames unacknowledged, the receiver acknowledges every
#     256: with a window below the ring size, no frame may be lost whatever the scheduling.
#   slow: the receiver (RX ring of 512) sleeps 5 s after it is ready while the sender sends COUNT
#     frames; the frames that do not fit in its ring must be lost, and only those: the receiver
#     gets exactly the first 511 (one slot always stays empty). This shows the device does drop
#     when the receiver falls behind, so a run without losses means no frame met a full ring.
. /lib/testbed.sh

COUNT=${1:-1000}
MODE=${2:-plain}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
RXLOG=/tmp/recv.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

# fail MESSAGE: show the logs, then fail.
fail() {
    tb_show_logs "$LOG" "$RXLOG"
    tb_fail "$*"
}

tb_log "starting sriovd"
tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --token-file "$TOKEN"
[ -s "$TOKEN" ] || fail "no VF token in $TOKEN"
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
tb_expect "VF 0 driver" "$(tb_driver "$vf0")" vfio-pci
tb_expect "VF 1 driver" "$(tb_driver "$vf1")" vfio-pci

# The receiver stops after COUNT frames, or after 20 s without any.
SEND_OPTS=""
if [ "$MODE" = slow ]; then
    EXPECT=511
    vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count 0 --idle 5 --pause 5 --ring 512 --buffers 1024 \
        >"$RXLOG" 2>&1 &
else
    EXPECT=$COUNT
    RECV_OPTS=""
    if [ "$MODE" = window ]; then
        SEND_OPTS="--window 2048"
        RECV_OPTS="--ack-every 256"
    fi
    # shellcheck disable=SC2086
    vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count "$COUNT" --idle 20 --ring 4096 --buffers 8192 \
        $RECV_OPTS >"$RXLOG" 2>&1 &
fi
recv_pid=$!
tb_wait_for 60 grep -q "^ready" "$RXLOG" || fail "the receiver on VF 1 did not get ready"
grep -q "MAC $MAC1" "$RXLOG" || fail "VF 1 did not get MAC $MAC1 from sriovd"
tb_log "receiver ready on VF 1 ($vf1)"

# shellcheck disable=SC2086
vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$COUNT" $SEND_OPTS ||
    fail "the sender on VF 0 failed"

tb_wait_for 120 tb_exited "$recv_pid" || fail "the receiver did not finish"
wait "$recv_pid"
status=$?
cat "$RXLOG"
tb_expect "receiver exit status" "$status" 0
grep -q "^received $EXPECT frames" "$RXLOG" || fail "VF 1 did not receive $EXPECT of the $COUNT frames"
grep -q "sequence gaps 0," "$RXLOG" || fail "frames arrived out of order or with gaps"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
tb_log "vf_pktgen scenario ($COUNT frames, $MODE) passed: $(grep '^received [0-9]* frames' "$RXLOG")"
