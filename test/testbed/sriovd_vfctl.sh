#!/bin/sh
# vfctl against a running sriovd: the table, the JSON, a VF in detail, the status, and a clear
# line for each thing that cannot be done (an unknown VF or PF, a change sriovd does not make at
# run time yet, a bad VLAN, no daemon); a change of several settings at once, kept in the state
# file, all or none; counters; a VF reset.
. /lib/testbed.sh
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
pf=$(tb_pf_addr 0)

fail() {
    echo "---- sriovd log ----"
    cat "$LOG"
    tb_fail "$*"
}
# expect_failure STATUS TEXT COMMAND...: COMMAND exits with STATUS and says TEXT on stderr.
expect_failure() {
    _want=$1 _text=$2
    shift 2
    "$@" >/tmp/out 2>/tmp/err
    _status=$?
    tb_expect "exit status of '$*'" "$_status" "$_want"
    grep -q "$_text" /tmp/err || fail "'$*' said '$(cat /tmp/err)', not '$_text'"
    tb_log "ok: '$*' -> $(cat /tmp/err)"
}

expect_failure 1 "sriovd is not running" vfctl show

tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-trust 1 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --state-dir /tmp/sriovd-state --remove-vfs-on-exit
vf1=$(tb_vf_addr "$pf" 1)
# Started as root with every capability and no operators' group, sriovd keeps none once it is up
# (capabilities belong to threads: each is checked); what follows is done without them.
tb_wait_for 30 grep -q "privileges: " "$LOG" || fail "sriovd did not say which privileges it kept"
for status in /proc/$(pidof sriovd)/task/*/status; do
    for set in CapEff CapPrm CapInh CapBnd CapAmb; do
        tb_expect "sriovd thread $(basename "$(dirname "$status")") $set" \
            "$(sed -n "s/^$set:[[:space:]]*//p" "$status")" 0000000000000000
    done
    tb_expect "sriovd thread $(basename "$(dirname "$status")") NoNewPrivs" \
        "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "$status")" 1
done

vfctl show >/tmp/table || fail "vfctl show failed"
cat /tmp/table
grep -q "^$pf  *0  .*$MAC0" /tmp/table || fail "the table has no row for VF 0 with $MAC0"
grep -q "^$pf  *1  *$vf1  *vfio-pci  *$MAC1 .* on  *auto" /tmp/table || fail "the table's row for VF 1 is wrong"

vfctl -j show >/tmp/json || fail "vfctl -j show failed"
grep -q "\"mac\":\"$MAC1\"" /tmp/json || fail "the JSON has no $MAC1"
grep -q "\"trust\":true" /tmp/json || fail "the JSON does not show VF 1 trusted"

vfctl show "$pf" vf 1 >/tmp/detail || fail "vfctl show PF vf 1 failed"
cat /tmp/detail
grep -q "trust  *on  *(config)" /tmp/detail || fail "VF 1's trust is not shown as coming from the config"

vfctl -j status >/tmp/status || fail "vfctl status failed"
grep -q '"vf_resets"' /tmp/status || fail "the status has no mailbox counters"

expect_failure 1 "VF 5: does not exist: $pf has 2 VFs (0..1)" vfctl set "$pf" vf 5 trust on
expect_failure 1 "not a PF this sriovd manages" vfctl show 0000:00:04.0
expect_failure 2 "VLAN 5000 is out of range 0..4095" vfctl set "$pf" vf 0 vlan 5000
expect_failure 2 "qos needs a vlan" vfctl set "$pf" vf 0 qos 3
expect_failure 1 "is not quarantined" vfctl release "$pf" vf 0
expect_failure 1 "at most 7" vfctl set "$pf" numvfs 8

# A change of several settings at once, kept in the state file with origin "runtime".
vfctl set "$pf" vf 0 trust on vlan 10 qos 2 max_tx_rate 100 || fail "vfctl set vf 0 ... failed"
vfctl show "$pf" vf 0 >/tmp/detail || fail "vfctl show PF vf 0 failed"
cat /tmp/detail
grep -q "trust  *on  *(runtime)" /tmp/detail || fail "VF 0's trust is not shown as a run-time change"
tr -d ' \n' </tmp/sriovd-state/state-$pf.json >/tmp/state
grep -q '"trust":{"origin":"runtime","value":true}' /tmp/state ||
    fail "the state file does not keep VF 0's trust: $(cat /tmp/sriovd-state/state-$pf.json)"
grep -q '"vlan":{"origin":"runtime","value":10}' /tmp/state || fail "the state file does not keep VF 0's VLAN"
# A bad MAC in the same command as a good VLAN changes nothing.
expect_failure 2 "not a unicast MAC address" vfctl set "$pf" vf 0 vlan 20 mac 01:00:5e:00:00:01
vfctl -j show "$pf" vf 0 | grep -q '"vlan":10' || fail "a refused change changed VF 0's VLAN"
vfctl set "$pf" vf 0 vlan 0 || fail "vfctl set vf 0 vlan 0 failed"
vfctl -j show "$pf" vf 0 | grep -q '"vlan":0[,}]' || fail "vlan 0 did not remove VF 0's port VLAN"

vfctl -s show >/tmp/stats || fail "vfctl -s show failed"
cat /tmp/stats
grep -q "MAILBOX REQUESTS" /tmp/stats || fail "vfctl -s show has no mailbox counters"
vfctl -j -s show "$pf" vf 1 | grep -q '"rx_packets":' || fail "the JSON stats have no rx_packets"
vfctl reset "$pf" vf 1 || fail "vfctl reset vf 1 failed"
tb_wait_for 10 grep -q "VF 1: reset by an operator" "$LOG" || fail "sriovd did not log the VF reset"

# The VF count at run time: the kernel's count follows, the new VFs get vfio-pci and the defaults,
# VF 0 keeps its run-time trust, and the state file keeps the count for a restart.
vfctl set "$pf" numvfs 3 || fail "vfctl set numvfs 3 failed"
numvfs_done() {
    vfctl -j show >/tmp/json3 && grep -q '"num_vfs":3' /tmp/json3 && grep -q "ready: .*VF 2 " "$LOG"
}
tb_wait_for 60 numvfs_done || fail "the VF count did not become 3"
tb_expect "sriov_numvfs after vfctl set numvfs 3" "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)" 3
vf2=$(tb_vf_addr "$pf" 2) || fail "no VF 2"
tb_expect "VF 2's driver" "$(tb_driver "$vf2")" vfio-pci
vfctl show "$pf" vf 0 | grep -q "trust  *on  *(runtime)" || fail "VF 0 lost its run-time trust with the new count"
tr -d ' \n' </tmp/sriovd-state/state-$pf.json | grep -q '"num_vfs":3,"num_vfs_origin":"runtime"' ||
    fail "the state file does not keep the VF count: $(cat /tmp/sriovd-state/state-$pf.json)"
tb_log "ok: the VF count changed to 3 at run time: $(grep 'ready:' "$LOG" | tail -1 | sed 's/.*ready: //')"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
[ -e /run/sriovd/sriovd.sock ] && fail "sriovd left its control socket behind"
expect_failure 1 "sriovd is not running" vfctl status

# The kernel asks for the PF back (vfio-pci unbound from it by hand): sriovd lets it go and stops,
# and the unbind, which waits for that, completes.
LOG2=/tmp/sriovd2.log
sriovd --foreground --pf "$pf" --vfs 1 --state-dir /tmp/sriovd-state2 >"$LOG2" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG2" || { cat "$LOG2"; fail "the second sriovd did not report ready"; }
echo "$pf" >/sys/bus/pci/drivers/vfio-pci/unbind &
unbind_pid=$!
tb_wait_for 30 tb_exited "$sriovd_pid" || { cat "$LOG2"; fail "sriovd did not let the PF go when the kernel asked"; }
wait "$sriovd_pid"
tb_wait_for 30 tb_exited "$unbind_pid" || fail "the unbind of the PF did not complete"
[ -e "/sys/bus/pci/devices/$pf/driver" ] && fail "the PF is still bound to $(tb_driver "$pf")"
grep -q "the kernel asks for it back" "$LOG2" || { cat "$LOG2"; fail "sriovd did not log the kernel's request"; }
tb_log "ok: the kernel's request for the PF made sriovd let it go: $(grep 'asks for' "$LOG2" | head -1)"
tb_log "vfctl scenario passed"
