#!/bin/sh
# libvf and sriovd's restarts and PF resets: sriovd owns the PF with two VFs on vfio-pci;
# vf-pktgen receives on VF 1 and a paced sender on VF 0 sends numbered frames to it (both look at
# libvf's control path every 10 ms, poll_events). In the middle, sriovd is killed (kill -9) and
# started again with the same state directory and token: it takes the PF back without resetting it
# (its grants file), so neither program may see a PF reset and the receiver's count must keep
# rising. Then an operator resets the PF (vfctl reset PF): both VFs see RSTI then RSTD and must
# redo the reset handshake and set their queues up again without being reopened; both programs
# must report that recovery, and the run must end with frames received after it. Frames lost
# during the reset are allowed; the scenario prints how many. With MODE "interrupts" the receiver
# sleeps in libvf's wait() (adaptive coalescing) instead of polling, so the PF reset reaches it
# through the interrupt path: wait() looks at the mailbox whenever a vector fires or its timeout
# ends.
#
# Usage (in the guest): vf_pf_reset.sh [RATE] [SECONDS] [RESTART_AFTER_S] [MODE]
. /lib/testbed.sh

RATE=${1:-2000}
SECONDS_=${2:-16}
RESTART_AFTER=${3:-5}
MODE=${4:-polling}
COUNT=$((RATE * SECONDS_))
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
STATE=/tmp/sriovd-state
TOKEN=/run/sriovd.token
RXLOG=/tmp/recv.log
TXLOG=/tmp/send.log
pf=$(tb_pf_addr 0)
run=0

fail() {
    for f in /tmp/sriovd.*.log "$RXLOG" "$TXLOG"; do
        echo "---- $f ----"
        cat "$f"
    done
    tb_fail "$*"
}

start_sriovd() {
    run=$((run + 1))
    LOG=/tmp/sriovd.$run.log
    tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 \
        --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --state-dir "$STATE" --token-file "$TOKEN"
}

# The receiver's last running count.
received() {
    grep '^received [0-9]*$' "$RXLOG" | tail -1 | sed 's/received //'
}

start_sriovd
token=$(cat "$TOKEN")
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"

rx_mode=$(tb_recv_mode "$MODE") || tb_fail "bad MODE"
# shellcheck disable=SC2086 # rx_mode is a list of options
vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count 0 --idle 8 --ring 4096 --buffers 8192 $rx_mode \
    >"$RXLOG" 2>&1 &
recv_pid=$!
tb_wait_for 60 grep -q "^ready" "$RXLOG" || fail "the receiver on VF 1 did not get ready"
vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$COUNT" --rate "$RATE" --idle 30 \
    >"$TXLOG" 2>&1 &
send_pid=$!
sleep "$RESTART_AFTER"
before=$(received)
[ -n "$before" ] && [ "$before" -gt 0 ] || fail "no frames arrived before the restart"
tb_log "receiver at $before frames; killing sriovd (kill -9)"
kill -KILL "$sriovd_pid"
tb_wait_for 30 tb_exited "$sriovd_pid" || fail "sriovd did not die"
wait "$sriovd_pid"
at_restart=$(received)
start_sriovd
grep -q "keeping the 2 VFs" "$LOG" || fail "the new sriovd did not keep the VFs"
tb_expect "VF token after the restart" "$(cat "$TOKEN")" "$token"
tb_log "sriovd restarted; the receiver was at $at_restart frames"

grep -q "taken back as they were" "$LOG" || fail "the new sriovd did not take the VFs back as they were"

# The receiver's count goes on rising, within 15 s, and nobody saw a PF reset.
rising() {
    _now=$(received)
    [ -n "$_now" ] && [ "$_now" -gt "$at_restart" ]
}
tb_wait_for 15 rising || fail "the receiver's count did not rise after the restart (still $(received))"
grep -q "^PF reset recovered" "$RXLOG" "$TXLOG" && fail "a VF saw a PF reset when sriovd restarted"
tb_log "receiver went on through the restart: now at $(received) frames, no PF reset seen"

# An operator's PF reset, a few seconds later.
sleep 3
at_reset=$(received)
vfctl reset "$pf" || fail "vfctl reset PF failed"
tb_log "vfctl reset $pf with the receiver at $at_reset frames"
rising_again() {
    _now=$(received)
    [ -n "$_now" ] && [ "$_now" -gt "$at_reset" ] && grep -q '^PF reset recovered' "$RXLOG"
}
tb_wait_for 15 rising_again || fail "the receiver's count did not rise after vfctl reset PF (still $(received))"
tb_log "receiver recovered: $(grep '^PF reset recovered' "$RXLOG" | tail -1); now at $(received) frames"

tb_wait_for 120 tb_exited "$send_pid" || fail "the sender did not finish"
wait "$send_pid"
send_status=$?
tb_wait_for 60 tb_exited "$recv_pid" || fail "the receiver did not finish"
wait "$recv_pid"
recv_status=$?
echo "---- sender ----"
cat "$TXLOG"
echo "---- receiver ----"
cat "$RXLOG"
tb_expect "sender exit status" "$send_status" 0
tb_expect "receiver exit status" "$recv_status" 0
grep -q "^PF reset recovered" "$TXLOG" || fail "the sender did not report recovering from the PF reset"
grep -q "^PF resets 1 " "$RXLOG" || fail "the receiver did not count exactly 1 PF reset"
grep -q "^PF resets 1 " "$TXLOG" || fail "the sender did not count exactly 1 PF reset"
after=$(sed -n 's/.*counted after the last PF reset \([0-9]*\),.*/\1/p' "$RXLOG")
total=$(sed -n 's/^received \([0-9]*\) frames.*/\1/p' "$RXLOG")
sent=$(sed -n 's/^sent \([0-9]*\) frames.*/\1/p' "$TXLOG")
[ -n "$after" ] && [ "$after" -gt 0 ] || fail "no frames were received after the PF reset"
tb_log "sent $sent frames at $RATE/s; received $total ($after after the PF reset was recovered); lost $((sent - total))"
tb_log "sender: $(grep '^PF resets' "$TXLOG")"
tb_log "receiver: $(grep '^PF resets' "$RXLOG"); $(grep '^other frames' "$RXLOG")"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
if [ "$MODE" = interrupts ]; then
    grep -q "^interrupts [1-9]" "$RXLOG" || fail "the receiver in interrupt mode took no interrupt"
    tb_log "receiver: $(grep '^interrupts' "$RXLOG")"
fi
tb_log "vf_pf_reset scenario passed ($MODE)"
