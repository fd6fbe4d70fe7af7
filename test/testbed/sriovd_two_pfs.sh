#!/bin/sh
# One sriovd managing two PFs from one configuration file: each PF brought up with its own VFs and
# drivers (one VF with a MAC generated from its PF's), both listed by vfctl, each served on its own (igbvf on PF 1's VF gets its MAC and link
# from sriovd, and loses the link when vfctl disables it), requests routed to the PF they name,
# a state file per PF.
. /lib/testbed.sh

MAC_A=02:11:22:33:44:a0
MAC_B=02:11:22:33:44:b0
CONFIG=/etc/sriovd/sriovd.toml
LOG=/tmp/sriovd.log
pf0=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)

fail() {
    echo "---- sriovd log ----"
    cat "$LOG"
    tb_fail "$*"
}

modprobe igbvf || tb_fail "cannot load igbvf"
mkdir -p /etc/sriovd
cat >"$CONFIG" <<EOF2
[daemon]
state_dir = "/tmp/sriovd-state"
remove_vfs_on_exit = true

[[pf]]
pci = "$pf0"
num_vfs = 2

[[pf.vf]]
index = 0
mac = "$MAC_A"

[[pf.vf]]
index = 1
mac = "auto"

[[pf]]
pci = "$pf1"
num_vfs = 1

[[pf.vf]]
index = 0
mac = "$MAC_B"
driver = "igbvf"
EOF2

tb_start_sriovd "$LOG" --config "$CONFIG"
tb_wait_for 60 sh -c "[ \$(grep -c 'ready:' $LOG) -ge 2 ]" || fail "sriovd did not report both PFs ready"
tb_expect "PF 0's sriov_numvfs" "$(cat /sys/bus/pci/devices/$pf0/sriov_numvfs)" 2
tb_expect "PF 1's sriov_numvfs" "$(cat /sys/bus/pci/devices/$pf1/sriov_numvfs)" 1

vfctl show >/tmp/table || fail "vfctl show failed"
cat /tmp/table
grep -q "^$pf0  *0 .*$MAC_A" /tmp/table || fail "the table has no row for PF 0's VF 0"
# VF 1's MAC is made from PF 0's (QEMU gives it 52:54:00:5a:00:00): FNV-1a 64 of the PF's MAC and
# the VF's number, worked out apart (test/pf/generated_mac_test.cpp).
grep -q "^$pf0  *1 .*9e:8c:bd:77:86:d0" /tmp/table || fail "PF 0's VF 1 does not have its generated MAC"
grep -q "^$pf1  *0 .*igbvf  *$MAC_B" /tmp/table || fail "the table has no row for PF 1's VF 0 on igbvf"

# PF 1's VF, served by the second PF manager: igbvf comes up with the MAC and link from sriovd.
vf=$(tb_vf_addr "$pf1" 0)
tb_wait_for 60 test -d "/sys/bus/pci/devices/$vf/net" || fail "igbvf made no interface for PF 1's VF 0"
ifname=$(tb_netdev "$vf")
tb_expect "PF 1's VF 0 MAC" "$(cat /sys/class/net/$ifname/address)" "$MAC_B"
ip link set "$ifname" up
tb_wait_for 30 tb_has_carrier "$ifname" || fail "PF 1's VF 0 ($ifname) got no link from sriovd"
vfctl set "$pf1" vf 0 state disable || fail "vfctl set on PF 1 failed"
tb_wait_for 20 sh -c "! grep -qx 1 /sys/class/net/$ifname/carrier" || fail "PF 1's VF 0 kept its link when disabled"
vfctl -j show "$pf0" vf 0 | grep -q '"state":"auto"' || fail "the change for PF 1 reached PF 0"
tb_log "ok: PF 1's VF served and disabled through vfctl; PF 0's VFs untouched"

vfctl show 0000:00:08.0 2>/tmp/err && fail "vfctl show of an unknown PF succeeded"
grep -q "it manages $pf0, $pf1" /tmp/err || fail "the refusal does not list both PFs: $(cat /tmp/err)"
vfctl -j status | grep -q '"pfs":2' || fail "vfctl status does not count two PFs"
[ -s "/tmp/sriovd-state/state-$pf0.json" ] && [ -s "/tmp/sriovd-state/state-$pf1.json" ] ||
    fail "no state file per PF: $(ls /tmp/sriovd-state)"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
tb_expect "PF 0's sriov_numvfs after sriovd stopped" "$(cat /sys/bus/pci/devices/$pf0/sriov_numvfs)" 0
tb_expect "PF 1's sriov_numvfs after sriovd stopped" "$(cat /sys/bus/pci/devices/$pf1/sriov_numvfs)" 0
tb_log "two-PF scenario passed"
