#!/bin/sh
# The harness's standby NIC (issue 14): with --standby 0 the guest has a virtio-net NIC on PF 0's
# wire, the path libvf's failover port takes while its VF is away. Shown by traffic: the standby
# interface (in namespace sb) and the kernel's igb on PF 1 (cabled to PF 0, in namespace peer)
# ping each other, and the standby's MAC is the harness's.
. /lib/testbed.sh
[ "$TB_STANDBY" = 0 ] || tb_fail "this scenario needs --standby 0"
[ "$TB_WIRE" = 1 ] || tb_fail "this scenario needs PF 0 cabled to PF 1 (--pfs 2 --wire)"

sb=$(tb_standby_netdev) || tb_fail "no standby interface"
tb_log "standby NIC: $sb ($(cat "/sys/class/net/$sb/device/../uevent" 2>/dev/null | grep PCI_SLOT_NAME))"
tb_expect "the standby's MAC" "$(cat "/sys/class/net/$sb/address")" 52:54:00:5b:00:00
pf1=$(tb_pf_addr 1)
tb_bind "$pf1" igb || tb_fail "cannot bind $pf1 to igb"
tb_wait_for 10 tb_netdev "$pf1" >/dev/null || tb_fail "igb made no interface for $pf1"
peer=$(tb_netdev "$pf1")

for ns in sb peer; do ip netns add "$ns" || tb_fail "cannot create namespace $ns"; done
ip link set "$sb" netns sb && ip link set "$peer" netns peer || tb_fail "cannot move the interfaces"
ip -n sb addr add 10.80.0.1/24 dev "$sb" && ip -n sb link set "$sb" up || tb_fail "cannot set up $sb"
ip -n peer addr add 10.80.0.2/24 dev "$peer" && ip -n peer link set "$peer" up || tb_fail "cannot set up $peer"
tb_wait_for 30 ip netns exec peer grep -qx 1 "/sys/class/net/$peer/carrier" || tb_fail "$peer has no link"
tb_wait_for 20 ip netns exec sb ping -c 1 -W 1 10.80.0.2 >/dev/null || tb_fail "the standby does not reach PF 1's wire"
out=$(ip netns exec sb ping -c 5 -i 0.2 10.80.0.2) || tb_fail "ping over the standby failed: $out"
tb_log "ok: $(echo "$out" | grep 'packets transmitted')"
tb_log "PASS"
