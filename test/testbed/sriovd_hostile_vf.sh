#!/bin/sh
# A hostile VF against sriovd (issue 4's policing acceptance, issue 8's attacks). VF 0 runs
# tb_hostile_vf attack: requests before any reset handshake and after a VF reset without one,
# forbidden requests, a seeded random phase, the mailbox lock held for 2 s, malformed messages, a
# flood, its own reset, and last the lock held for ever. Meanwhile VF 1 sends VLAN requests at a
# polite rate and vfctl asks for the status again and again. Checked by counting answers, never by
# sleeping:
#   - nothing asked before the reset handshake is granted (the VF's answers, and vfctl show);
#   - nothing forbidden is granted in the random phase; VF 0's MAC stays the administrator's;
#     of 12 VLANs VF 0 asks for, the 8 of sriovd's default max_vlans are joined, 4 refused;
#   - every one of VF 1's requests and every vfctl call is answered (vfctl within 5 s), also
#     while VF 0 holds its mailbox lock for ever, and sriovd takes that lock back each time it
#     must write to VF 0;
#   - VF 0 is quarantined (vfctl and an event say so), its requests after its own reset are refused;
#   - sriovd's log stays bounded however much VF 0 sends;
#   - VF 0's frames do not reach VF 1 while it is quarantined, and do once it is released (so
#     what stopped them was the quarantine, not the emulator).
# Argument: the seed of the random phase (default: the time); the log says which one ran.
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
EVENTS=/tmp/events
TOKEN=/run/sriovd.token
SEED=${1:-$(date +%s)}
RANDOM_COUNT=150
pf=$(tb_pf_addr 0)

fail() {
    tb_show_logs /tmp/attack.log /tmp/polite.log /tmp/polite2.log /tmp/recv.log "$EVENTS" "$LOG"
    tb_fail "$*"
}

# The longest vfctl status call so far, in hundredths of a second (/proc/uptime's resolution).
longest=0
status_call() {
    _t0=$(sed 's/\.//; s/ .*//' /proc/uptime)
    timeout 5 vfctl status >/dev/null 2>&1
    _rc=$?
    _t1=$(sed 's/\.//; s/ .*//' /proc/uptime)
    [ $((_t1 - _t0)) -gt "$longest" ] && longest=$((_t1 - _t0))
    return $_rc
}

# How many VF buffer locks sriovd has taken back by force.
recoveries() { vfctl -j status | sed -n 's/.*"lock_recoveries":\([0-9]*\).*/\1/p'; }

tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-driver 0=vfio-pci \
    --vf-driver 1=vfio-pci --token-file "$TOKEN" --state-dir /tmp/sriovd-state
vf0=$(tb_vf_addr "$pf" 0)
vf1=$(tb_vf_addr "$pf" 1)
vfctl -j monitor >"$EVENTS" 2>&1 &
monitor_pid=$!

# The attacker stops at two checkpoints until the scenario writes a line into its stdin.
mkfifo /tmp/attack.go
tb_log "random phase: seed $SEED, $RANDOM_COUNT messages"
tb_hostile_vf attack "$vf0" "$TOKEN" "$SEED" "$RANDOM_COUNT" </tmp/attack.go >/tmp/attack.log 2>&1 &
attack_pid=$!
exec 3>/tmp/attack.go

# expect_nothing_granted WHEN: at a checkpoint, sriovd holds nothing VF 0 asked for.
expect_nothing_granted() {
    tb_wait_for 30 grep -q "checkpoint: $1" /tmp/attack.log || fail "the attacker did not reach: $1"
    grep "^$1: " /tmp/attack.log
    grep -q "^$1: sent 8, acked 0, refused 8" /tmp/attack.log || fail "VF 0's requests $1 were not all refused"
    vfctl -j show "$pf" vf 0 >/tmp/show0
    grep -q '"clear_to_send":false' /tmp/show0 || fail "VF 0 is clear to send $1"
    grep -q '"granted":{"all_multicast":false,"max_frame":0,"multicast_hashes":0,"vlans":\[\]}' /tmp/show0 ||
        fail "sriovd granted VF 0 something $1: $(grep -o '"granted":{[^}]*}' /tmp/show0)"
    grep -q "\"mac\":\"$MAC0\"" /tmp/show0 || fail "VF 0's MAC changed $1"
    tb_log "ok: $1, VF 0's 8 requests were refused and sriovd holds none of them"
    echo go >&3
}
expect_nothing_granted "before its first reset"
expect_nothing_granted "after a VF reset without VF_RESET"

tb_hostile_vf polite "$vf1" "$TOKEN" 40 >/tmp/polite.log 2>&1 &
polite_pid=$!

# While VF 0 holds the lock, an operator resets it: sriovd must write to it, and takes the lock
# back by force (RVFU) rather than wait.
tb_wait_for 60 grep -q "lock: held for 2 s" /tmp/attack.log || fail "the attacker did not take the lock"
vfctl reset "$pf" vf 0 || fail "vfctl reset vf 0 was not answered while VF 0 held the lock"

answered=0
failed=0
while ! grep -q "lock: held forever" /tmp/attack.log; do
    tb_exited "$attack_pid" && fail "the attacker program ended early"
    if status_call; then answered=$((answered + 1)); else failed=$((failed + 1)); fi
done
tb_wait_for 60 tb_exited "$polite_pid" || fail "the polite VF did not finish"
wait "$polite_pid" || fail "sriovd did not answer every request of the polite VF 1"
cat /tmp/attack.log /tmp/polite.log
grep -q FORBIDDEN /tmp/attack.log && fail "sriovd granted VF 0 something forbidden: $(grep FORBIDDEN /tmp/attack.log)"
grep -q "^random: .*forbidden grants 0$" /tmp/attack.log || fail "the random phase did not complete"
grep -q "^vlans beyond max_vlans: sent 12, acked 8, refused 4," /tmp/attack.log ||
    fail "VF 0 was not refused the VLANs beyond max_vlans 8: $(grep '^vlans beyond' /tmp/attack.log)"
vfctl -j show "$pf" vf 0 | grep -q "\"mac\":\"$MAC0\"" || fail "VF 0's MAC is no longer the administrator's"
tb_expect "vfctl calls refused during the attack" "$failed" 0
[ "$answered" -gt 0 ] || fail "vfctl was never answered during the attack"
tb_log "ok: during the attack sriovd answered all 40 requests of VF 1 and $answered vfctl calls (the longest took $((longest * 10)) ms)"
tb_log "ok: sriovd granted nothing forbidden: $(grep '^random: ' /tmp/attack.log)"
tb_log "ok: VF 0 joined 8 VLANs (max_vlans) and was refused the rest: $(grep '^vlans beyond' /tmp/attack.log)"

# VF 0 now holds its mailbox lock and takes it again whenever it is taken back. sriovd must go on
# serving VF 1 and vfctl, and take the lock back each time it must write to VF 0 (here: for an
# operator's reset of VF 0, once now and once after VF 1's 30 requests, so more than the second
# sriovd waits for VF 0's acknowledgement apart).
taken_before=$(recoveries)
tb_hostile_vf polite "$vf1" "$TOKEN" 30 >/tmp/polite2.log 2>&1 &
polite_pid=$!
vfctl reset "$pf" vf 0 || fail "vfctl reset vf 0 was not answered while VF 0 held the lock for ever"
tb_wait_for 30 grep -q "lock: taken back by the PF (1 times)" /tmp/attack.log ||
    fail "sriovd did not take back the lock VF 0 holds for ever when it wrote to it"
answered=0
failed=0
longest=0
while ! tb_exited "$polite_pid"; do
    if status_call; then answered=$((answered + 1)); else failed=$((failed + 1)); fi
done
wait "$polite_pid" || fail "sriovd did not answer every request of VF 1 while VF 0 held its lock"
cat /tmp/polite2.log
vfctl reset "$pf" vf 0 || fail "the second vfctl reset vf 0 was not answered"
tb_wait_for 30 grep -q "lock: taken back by the PF (2 times)" /tmp/attack.log ||
    fail "sriovd did not take back the lock VF 0 holds for ever a second time"
tb_exited "$attack_pid" && fail "the attacker program ended while holding the lock"
taken=$(($(recoveries) - taken_before))
tb_expect "vfctl calls refused while VF 0 held its lock" "$failed" 0
[ "$taken" -ge 2 ] || fail "sriovd counts $taken locks taken back, VF 0 saw 2"
tb_log "ok: while VF 0 held its lock for ever sriovd answered VF 1's 30 requests and $answered vfctl calls (the longest took $((longest * 10)) ms), and took the lock back $taken times"
kill -KILL "$attack_pid"
wait "$attack_pid"
exec 3>&-
status_call || fail "sriovd did not answer once the attacker was killed"

vfctl -j show "$pf" vf 0 | grep -q '"quarantined":true' || fail "VF 0 is not shown quarantined"
grep -q '"event":"quarantine".*"vf":0' "$EVENTS" || fail "no quarantine event for VF 0"
grep -q "after its own reset: .*refused 1" /tmp/attack.log || fail "VF 0's request after its reset was not refused"
vfctl -j show "$pf" vf 1 | grep -q '"quarantined":false' || fail "VF 1 is quarantined too"
vfctl -s show
vfctl -s -j show "$pf" vf 0 >/tmp/stats0
counter() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" /tmp/stats0; }
tb_log "sriovd about VF 0: $(counter mailbox_requests) requests, of which $(counter refused) refused, $(counter malformed) malformed (NACKed), $(counter dropped) dropped over its rate; $(counter quarantines) quarantine(s)"
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
grep -q "lock: after 2 s, taken back by the PF: yes" /tmp/attack.log ||
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
