#!/bin/sh
# The kernel asks a libvf program for its VF back: sriovd owns the PF with two VFs on vfio-pci, a
# vf-pktgen receiver holds VF 1 (no frame coming, no count, a long idle limit), then an operator
# lowers the VF count to 1 (vfctl set PF numvfs 1). sriovd removes the VFs first, which makes the
# kernel send VF 1's VFIO user the request interrupt and wait until it closes the device. The
# receiver must get libvf's callback, say so, close the VF and exit 0; sriovd's change must then
# complete (sriov_numvfs 1, vfctl shows 1 VF, "ready:" logged again) well within its timeout
# (sriovd's default, 30 s): LIMIT_S seconds at most. With MODE "interrupts" the receiver sleeps
# in libvf's wait() instead of polling, for up to 60 s a call: only the request's eventfd, which
# wait() watches too, can wake it in time. With MODE "failover" the receiver runs on a failover
# port without a standby (vf-pktgen --failover), which must behave as the plain VF does.
#
# Usage (in the guest): vf_release.sh [LIMIT_S] [MODE]
. /lib/testbed.sh

LIMIT_S=${1:-10}
MODE=${2:-polling}
if [ "$MODE" = failover ]; then
    rx_mode="--failover"
else
    rx_mode=$(tb_recv_mode "$MODE") || tb_fail "bad MODE"
fi
[ "$MODE" = interrupts ] && rx_mode="$rx_mode --wait-ms 60000"
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
RXLOG=/tmp/recv.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)
sys=/sys/bus/pci/devices/$pf

fail() {
    tb_show_logs "$LOG" "$RXLOG"
    tb_fail "$*"
}

# Uptime in hundredths of a second.
now_cs() {
    awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

tb_log "starting sriovd"
tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --token-file "$TOKEN" --state-dir /tmp/sriovd-state
tb_expect "sriov_numvfs" "$(cat "$sys/sriov_numvfs")" 2
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
tb_expect "VF 1 driver" "$(tb_driver "$vf1")" vfio-pci

# The receiver waits for frames that never come: only the kernel's request can end it in time.
# shellcheck disable=SC2086 # rx_mode is a list of options
vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count 0 --idle 600 $rx_mode >"$RXLOG" 2>&1 &
recv_pid=$!
tb_wait_for 60 grep -q "^ready" "$RXLOG" || fail "the receiver on VF 1 did not get ready"
tb_log "receiver holds VF 1 ($vf1)"
readies=$(grep -c "ready:" "$LOG")

t0=$(now_cs)
vfctl set "$pf" numvfs 1 || fail "vfctl set numvfs 1 failed"
tb_wait_for 60 tb_exited "$recv_pid" || fail "the receiver did not let VF 1 go within 60 s"
t_recv=$(now_cs)
wait "$recv_pid"
status=$?
cat "$RXLOG"
tb_expect "receiver exit status" "$status" 0
grep -q "^the kernel asks for the VF back: stopping" "$RXLOG" || fail "the receiver did not report the kernel's request"
grep -q "^received 0 frames" "$RXLOG" || fail "the receiver did not print its counts"

numvfs_done() {
    [ "$(grep -c "ready:" "$LOG")" -gt "$readies" ] && vfctl -j show >/tmp/json && grep -q '"num_vfs":1' /tmp/json
}
tb_wait_for 60 numvfs_done || fail "sriovd's change of the VF count did not complete"
t_done=$(now_cs)
tb_expect "sriov_numvfs after vfctl set numvfs 1" "$(cat "$sys/sriov_numvfs")" 1
vfctl -j show >/tmp/json
vfs=$(grep -o '"vf":[0-9]*' /tmp/json | wc -l)
tb_log "vfctl -j show: $(cat /tmp/json)"
grep -q "changing the VF count: " "$LOG" && fail "sriovd reported a failure changing the VF count"
recv_ms=$(((t_recv - t0) * 10))
done_ms=$(((t_done - t0) * 10))
tb_log "the receiver exited $recv_ms ms after vfctl set numvfs 1; sriovd was ready with 1 VF after $done_ms ms"
[ "$done_ms" -le $((LIMIT_S * 1000)) ] || fail "the change took $done_ms ms (limit $LIMIT_S s)"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
grep "ready:" "$LOG" | tail -1
tb_log "vf_release scenario passed (VF entries in vfctl -j show: $vfs)"
