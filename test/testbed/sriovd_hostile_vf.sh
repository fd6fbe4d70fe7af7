#!/bin/sh
# A hostile VF against sriovd (issue 4's policing acceptance). VF 0 runs tb_hostile_vf attack:
# forbidden requests, the mailbox lock held for 2 s, malformed messages, a flood, then its own
# reset. Meanwhile VF 1 sends VLAN requests at a polite rate and vfctl asks for the status again
# and again. Checked by counting answers, never by sleeping:
#   - every one of VF 1's requests and every vfctl call is answered;
#   - VF 0 is quarantined (vfctl and an event say so), its requests after its own reset are refused;
#   - sriovd's log stays bounded however much VF 0 sends;
#   - VF 0's frames do not reach VF 1 while it is quarantined, and do once it is released (so
#     what stopped them was the quarantine, not the emulator).
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
EVENTS=/tmp/events
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

fail() {
    for f in /tmp/attack.log /tmp/polite.log /tmp/recv.log "$EVENTS" "$LOG"; do
        echo "---- $f ----"
        cat "$f"
    done
    tb_fail "$*"
}

sriovd --foreground --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-driver 0=vfio-pci \
    --vf-driver 1=vfio-pci --token-file "$TOKEN" --state-dir /tmp/sriovd-state >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
vf0=$(tb_vf_addr "$pf" 0)
vf1=$(tb_vf_addr "$pf" 1)
vfctl -j monitor >"$EVENTS" 2>&1 &
monitor_pid=$!

tb_hostile_vf attack "$vf0" "$TOKEN" >/tmp/attack.log 2>&1 &
attack_pid=$!
tb_hostile_vf polite "$vf1" "$TOKEN" 40 >/tmp/polite.log 2>&1 &
polite_pid=$!

# While VF 0 holds the lock, an operator resets it: sriovd must write to it, and takes the lock
# back by force (RVFU) rather than wait.
tb_wait_for 30 grep -q "lock: held" /tmp/attack.log || fail "the attacker did not take the lock"
vfctl reset "$pf" vf 0 || fail "vfctl reset vf 0 was not answered while VF 0 held the lock"

answered=0
failed=0
while ! tb_exited "$attack_pid"; do
    if vfctl status >/dev/null 2>&1; then answered=$((answered + 1)); else failed=$((failed + 1)); fi
done
wait "$attack_pid" || fail "the attacker program failed"
tb_wait_for 60 tb_exited "$polite_pid" || fail "the polite VF did not finish"
wait "$polite_pid" || fail "sriovd did not answer every request of the polite VF 1"
cat /tmp/attack.log /tmp/polite.log
tb_expect "vfctl calls refused during the attack" "$failed" 0
[ "$answered" -gt 0 ] || fail "vfctl was never answered during the attack"
tb_log "ok: during the attack sriovd answered all 40 requests of VF 1 and $answered vfctl calls"

vfctl -j show "$pf" vf 0 | grep -q '"quarantined":true' || fail "VF 0 is not shown quarantined"
grep -q '"event":"quarantine".*"vf":0' "$EVENTS" || fail "no quarantine event for VF 0"
grep -q "after its own reset: .*refused 1" /tmp/attack.log || fail "VF 0's request after its reset was not refused"
vfctl -j show "$pf" vf 1 | grep -q '"quarantined":false' || fail "VF 1 is quarantined too"
vfctl -s show
vfctl -j status >/tmp/status
cat /tmp/status
# Served by interrupts alone: every wake-up of sriovd's mailbox service was an interrupt the
# kernel delivered on the PF's MSI-X vector 0 (a polling timer would add wake-ups of its own).
wakeups=$(sed -n 's/.*"interrupts":\([0-9]*\).*/\1/p' /tmp/status)
irqs=$(grep "vfio-msix\[0\]($pf)" /proc/interrupts | awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n }')
tb_log "sriovd woke $wakeups times; the kernel delivered $irqs interrupts on the PF's vector 0"
[ "${wakeups:-0}" -gt 0 ] || fail "sriovd's mailbox service never woke"
[ "$wakeups" -le "${irqs:-0}" ] || fail "sriovd woke more often ($wakeups) than interrupts arrived (${irqs:-0})"
vf0_lines=$(grep -c "VF 0" "$LOG")
tb_log "sriovd logged $vf0_lines lines about VF 0"
[ "$vf0_lines" -le 120 ] || fail "sriovd's log about VF 0 is not bounded ($vf0_lines lines)"
grep -q "VF 0: quarantined: " "$LOG" || fail "sriovd did not log the quarantine"
grep -q "VF 0: held the mailbox lock .*taken back by force" "$LOG" ||
    fail "sriovd did not take back the lock VF 0 held when it had to write to it"
grep -q '"lock_recoveries":[1-9]' /tmp/status || fail "vfctl status counts no lock taken back"
tb_log "ok: VF 0 quarantined: $(grep -o 'VF 0: quarantined: [^;]*' "$LOG")"

# traffic FRAMES EXPECTED: VF 0 sends FRAMES to VF 1, which must receive EXPECTED.
traffic() {
    vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count "$2" --idle 5 >/tmp/recv.log 2>&1 &
    _recv=$!
    tb_wait_for 60 grep -q "^ready" /tmp/recv.log || fail "the receiver on VF 1 did not get ready"
    vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$1" --idle 5 --link-timeout 5 \
        >/tmp/send.log 2>&1
    tb_log "sender: $(tail -1 /tmp/send.log)"
    tb_wait_for 60 tb_exited "$_recv" || fail "the receiver did not finish"
    wait "$_recv"
    grep -q "^received $2 frames" /tmp/recv.log || fail "VF 1 received $(grep -o 'received [0-9]* frames' /tmp/recv.log), not $2"
}
traffic 100 0
tb_log "ok: quarantined VF 0, reset by its new driver, sent nothing that arrived"
vfctl release "$pf" vf 0 || fail "vfctl release vf 0 failed"
traffic 100 100
tb_log "ok: released, VF 0's 100 frames reach VF 1"

kill "$monitor_pid"
kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
tb_log "hostile VF scenario passed"
