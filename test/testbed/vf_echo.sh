#!/bin/sh
# vf-echo, the C example of libvf's C API, under sriovd: three VFs on vfio-pci; vf-pktgen receives
# on VF 2, vf-echo on VF 1 sends everything it gets to VF 2's MAC, and vf-pktgen sends COUNT
# numbered frames from VF 0 to VF 1's MAC at RATE frames/s. VF 2 must receive every frame, in
# order (no sequence gaps), and vf-echo's counts must be COUNT received and COUNT echoed. Every
# ring holds 4095 frames, more than COUNT, so no frame may be lost however the guest schedules.
# Three rounds, one for each way vf-echo stops:
#   1. polling, stopped by SIGTERM once the receiver has all frames;
#   2. interrupt mode (adaptive coalescing), stopped by its idle timeout (--idle 8);
#   3. polling, without traffic, stopped by the kernel asking for the VF back (vfctl set PF
#      numvfs 1): vf-echo closes the VF, exits 0, and sriovd's change completes.
#
# Usage (in the guest): vf_echo.sh [COUNT] [RATE]
. /lib/testbed.sh

COUNT=${1:-2000}
RATE=${2:-1000}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
MAC2=02:11:22:33:44:77
LOG=/tmp/sriovd.log
RXLOG=/tmp/recv.log
ECHOLOG=/tmp/echo.log
TOKEN=/run/sriovd.token
RINGS="--ring 4096 --buffers 8192"
pf=$(tb_pf_addr 0)

fail() {
    for f in "$LOG" "$RXLOG" "$ECHOLOG"; do
        echo "---- $f ----"
        cat "$f"
    done
    tb_fail "$*"
}

tb_log "starting sriovd"
sriovd --foreground --pf "$pf" --vfs 3 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-mac 2=$MAC2 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --vf-driver 2=vfio-pci --token-file "$TOKEN" \
    --state-dir /tmp/sriovd-state >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
vf2=$(tb_vf_addr "$pf" 2) || fail "no VF 2"
for vf in "$vf0" "$vf1" "$vf2"; do
    tb_expect "$vf driver" "$(tb_driver "$vf")" vfio-pci
done

# start_echo OPTIONS...: vf-echo on VF 1 in the background (echo_pid), once it is ready.
start_echo() {
    # shellcheck disable=SC2086 # RINGS is a list of options
    vf-echo --vf "$vf1" --token-file "$TOKEN" $RINGS "$@" >"$ECHOLOG" 2>&1 &
    echo_pid=$!
    tb_wait_for 60 grep -q "^ready" "$ECHOLOG" || fail "vf-echo on VF 1 did not get ready"
    grep -q "MAC $MAC1, link up" "$ECHOLOG" || fail "vf-echo did not get MAC $MAC1 from sriovd"
}

# stop_echo: waits for vf-echo to end; it must exit 0.
stop_echo() {
    tb_wait_for 30 tb_exited "$echo_pid" || fail "vf-echo did not stop"
    wait "$echo_pid"
    status=$?
    cat "$ECHOLOG"
    tb_expect "vf-echo exit status" "$status" 0
}

# traffic NAME ECHO_OPTIONS...: the receiver on VF 2, then vf-echo on VF 1 with ECHO_OPTIONS, then
# COUNT frames VF 0 -> VF 1 -> VF 2; every one must arrive in order.
traffic() {
    name=$1
    shift
    # shellcheck disable=SC2086
    vf-pktgen recv --vf "$vf2" --token-file "$TOKEN" --count "$COUNT" --idle 20 $RINGS >"$RXLOG" 2>&1 &
    recv_pid=$!
    tb_wait_for 60 grep -q "^ready" "$RXLOG" || fail "the receiver on VF 2 did not get ready"
    start_echo --dst "$MAC2" "$@"
    vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$COUNT" --rate "$RATE" ||
        fail "$name: the sender on VF 0 failed"
    tb_wait_for 60 tb_exited "$recv_pid" || fail "$name: the receiver did not finish"
    wait "$recv_pid"
    status=$?
    cat "$RXLOG"
    tb_expect "$name: receiver exit status" "$status" 0
    grep -q "^received $COUNT frames" "$RXLOG" || fail "$name: VF 2 did not receive the $COUNT frames"
    grep -q "sequence gaps 0," "$RXLOG" || fail "$name: frames arrived out of order or with gaps"
    tb_log "$name: VF 2 $(grep '^received [0-9]* frames' "$RXLOG")"
}

# echo_counts NAME: vf-echo received and echoed COUNT frames, dropped none.
echo_counts() {
    grep -q "^received $COUNT frames, echoed $COUNT, dropped 0 " "$ECHOLOG" ||
        fail "$1: vf-echo's counts are not $COUNT received and echoed"
    tb_log "$1: vf-echo $(grep '^received [0-9]* frames' "$ECHOLOG")"
}

tb_log "round 1: polling vf-echo, stopped by SIGTERM"
traffic "polling" --idle 60
kill -TERM "$echo_pid"
stop_echo
grep -q "^stopped: SIGTERM" "$ECHOLOG" || fail "vf-echo did not report SIGTERM"
echo_counts "polling"

# The idle time counts from vf-echo's start until the first frame: the sender must open its VF
# within it.
tb_log "round 2: vf-echo in interrupt mode, stopped by its idle timeout"
traffic "interrupts" --idle 8 --interrupts --coalesce adaptive --eitr-timing qemu
stop_echo
grep -q "^stopped: no frame for 8 s" "$ECHOLOG" || fail "vf-echo did not stop on its idle timeout"
grep -q "^interrupts [1-9]" "$ECHOLOG" || fail "vf-echo counted no interrupt"
echo_counts "interrupts"

tb_log "round 3: the kernel asks vf-echo for VF 1 back (vfctl set numvfs 1)"
start_echo --idle 600
vfctl set "$pf" numvfs 1 || fail "vfctl set numvfs 1 failed"
stop_echo
grep -q "^the kernel asks for the VF back: stopping" "$ECHOLOG" || fail "vf-echo did not get the request"
grep -q "^stopped: the kernel asked for the VF back" "$ECHOLOG" || fail "vf-echo did not say why it stopped"
tb_wait_for 60 sh -c "[ \"\$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)\" = 1 ]" ||
    fail "sriovd's change of the VF count did not complete"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
tb_log "vf_echo scenario passed: $COUNT frames at $RATE/s through vf-echo, polling and in interrupt mode"
