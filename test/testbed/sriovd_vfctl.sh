#!/bin/sh
# vfctl against a running sriovd: the table, the JSON, a VF in detail, the status, and a clear
# line for each thing that cannot be done (an unknown VF or PF, a change sriovd does not make at
# run time yet, a bad VLAN, no daemon).
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

sriovd --foreground --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-trust 1 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --state-dir /tmp/sriovd-state --remove-vfs-on-exit \
    >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
vf1=$(tb_vf_addr "$pf" 1)

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

vfctl status >/tmp/status || fail "vfctl status failed"
grep -q '"vf_resets"' /tmp/status || fail "the status has no mailbox counters"

expect_failure 1 "VF 5: does not exist: $pf has 2 VFs (0..1)" vfctl set "$pf" vf 5 trust on
expect_failure 1 "not a PF this sriovd manages" vfctl show 0000:00:04.0
expect_failure 1 "not available yet" vfctl set "$pf" vf 0 trust on
expect_failure 2 "VLAN 5000 is out of range 0..4095" vfctl set "$pf" vf 0 vlan 5000

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
[ -e /run/sriovd/sriovd.sock ] && fail "sriovd left its control socket behind"
expect_failure 1 "sriovd is not running" vfctl status
tb_log "vfctl scenario passed"
