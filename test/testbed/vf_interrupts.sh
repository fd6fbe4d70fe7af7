#!/bin/sh
# libvf's interrupt mode through the 82576's internal switch: sriovd owns the PF with two VFs on
# vfio-pci; vf-pktgen receives on VF 1 in interrupt mode (it sleeps in wait() until an MSI-X
# interrupt, polls the ring empty, re-arms; no thread polls) while VF 0 sends COUNT numbered
# frames paced at RATE frames/s, well within what the receiver's ring absorbs, so this is not a
# ring-overflow test. It runs twice at the same offered load:
#   adaptive: every frame must arrive, in order; EITR follows IF = max(pps / (bufs * r), lif);
#   off:      EITR 0, an interrupt for every frame the device writes while the vector is armed.
# Adaptive must carry at least MARGIN times as many frames per interrupt as off (interrupts are
# the eventfd counts vf-pktgen prints). QEMU 10.0 times EITR in 4.096 us units and fires again
# when the interval ends (fact sheet 2.8): the receiver says so with --eitr-timing qemu.
#
# Usage (in the guest): vf_interrupts.sh [COUNT] [RATE] [MARGIN]
. /lib/testbed.sh

COUNT=${1:-20000}
RATE=${2:-10000}
MARGIN=${3:-3}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

# fail MESSAGE: show the logs, then fail.
fail() {
    for f in "$LOG" /tmp/recv-*.log; do
        echo "---- $f ----"
        cat "$f"
    done
    tb_fail "$*"
}

tb_log "starting sriovd"
sriovd --foreground --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --token-file "$TOKEN" >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
[ -s "$TOKEN" ] || fail "no VF token in $TOKEN"
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
tb_expect "VF 1 driver" "$(tb_driver "$vf1")" vfio-pci

# run COALESCE: one receiver in interrupt mode and one paced sender; every frame must arrive.
# Leaves the receiver's log in /tmp/recv-COALESCE.log.
run() {
    rxlog=/tmp/recv-$1.log
    vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count "$COUNT" --idle 20 --ring 4096 --buffers 8192 \
        --interrupts --coalesce "$1" --eitr-timing qemu >"$rxlog" 2>&1 &
    recv_pid=$!
    tb_wait_for 60 grep -q "^ready" "$rxlog" || fail "the receiver ($1) on VF 1 did not get ready"
    vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$COUNT" --rate "$RATE" ||
        fail "the sender on VF 0 failed"
    tb_wait_for 120 tb_exited "$recv_pid" || fail "the receiver ($1) did not finish"
    wait "$recv_pid"
    status=$?
    cat "$rxlog"
    tb_expect "receiver exit status ($1)" "$status" 0
    grep -q "^received $COUNT frames" "$rxlog" || fail "VF 1 ($1) did not receive all $COUNT frames"
    grep -q "sequence gaps 0," "$rxlog" || fail "frames arrived out of order or with gaps ($1)"
}

# The frames per interrupt a receiver's log reports.
per_interrupt() {
    sed -n 's/.*frames per interrupt \([0-9.]*\),.*/\1/p' "/tmp/recv-$1.log"
}
interrupts() {
    sed -n 's/^interrupts \([0-9]*\) .*/\1/p' "/tmp/recv-$1.log"
}

run adaptive
run off

a=$(per_interrupt adaptive)
o=$(per_interrupt off)
ia=$(interrupts adaptive)
io=$(interrupts off)
[ -n "$a" ] && [ -n "$o" ] || fail "a receiver did not report its interrupts"
tb_log "at $RATE frames/s: adaptive $ia interrupts, $a frames per interrupt; off (EITR 0) $io interrupts, $o frames per interrupt"
[ "$ia" -gt 0 ] || fail "the adaptive receiver took no interrupt at all"
[ "$io" -gt 0 ] || fail "the receiver with EITR 0 took no interrupt at all"
awk -v a="$a" -v o="$o" -v m="$MARGIN" 'BEGIN { exit !(a >= m * o) }' ||
    fail "adaptive coalescing carried $a frames per interrupt, not at least $MARGIN times off's $o"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
tb_log "vf_interrupts scenario passed: adaptive $a vs off $o frames per interrupt ($COUNT frames at $RATE/s)"
