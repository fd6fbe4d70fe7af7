#!/bin/sh
# libvf under the kernel's igb PF with a port VLAN: PF 0 (igb) gives VF 0 a MAC and VLAN 100;
# PF 1 (igb), cabled back to back with PF 0, is the peer on the wire. Frames the peer sends on
# VLAN 200 or untagged must not reach the VF; frames on VLAN 100 must. Frames the VF sends leave
# the wire tagged 100: the peer's VLAN-100 device counts them.
. /lib/testbed.sh
MAC=02:11:22:33:44:55
COUNT=5

pf0=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)
tb_bind "$pf0" igb || tb_fail "cannot bind $pf0 to igb"
tb_bind "$pf1" igb || tb_fail "cannot bind $pf1 to igb"
tb_wait_for 10 tb_netdev "$pf0" || tb_fail "no interface for $pf0"
tb_wait_for 10 tb_netdev "$pf1" || tb_fail "no interface for $pf1"
dev0=$(tb_netdev "$pf0")
dev1=$(tb_netdev "$pf1")
ip link set "$dev0" up && ip link set "$dev1" up || tb_fail "cannot bring the PFs up"
tb_set_numvfs "$pf0" 1 || tb_fail "cannot enable a VF on $pf0"
ip link set "$dev0" vf 0 mac "$MAC" vlan 100 || tb_fail "cannot give VF 0 its MAC and VLAN"
vf=$(tb_vf_addr "$pf0" 0)
tb_bind "$vf" vfio-pci || tb_fail "cannot bind $vf to vfio-pci"
modprobe 8021q || tb_fail "cannot load 8021q"

# The peer: untagged, VLAN 100 and VLAN 200, each with an address and the VF's MAC as neighbour.
ip addr add 10.0.0.1/24 dev "$dev1"
for v in 100 200; do
    ip link add link "$dev1" name "$dev1.$v" type vlan id "$v" || tb_fail "cannot add VLAN $v"
    ip addr add "10.0.$v.1/24" dev "$dev1.$v"
    ip link set "$dev1.$v" up
done
ip neigh add 10.0.0.2 lladdr "$MAC" dev "$dev1" nud permanent
ip neigh add 10.0.200.2 lladdr "$MAC" dev "$dev1.200" nud permanent
ip neigh add 10.0.100.2 lladdr "$MAC" dev "$dev1.100" nud permanent
for d in "$dev0" "$dev1"; do
    tb_wait_for 30 tb_has_carrier "$d" || tb_fail "no link on $d"
done
peer_mac=$(cat "/sys/class/net/$dev1/address")

export TB_VF="$vf"
tb_vlan_under_igb "$MAC" "$peer_mac" "$COUNT" >/tmp/vf.log 2>&1 &
vf_pid=$!
tb_wait_for 60 grep -q "^ready" /tmp/vf.log || { cat /tmp/vf.log; tb_fail "libvf did not come up"; }
cat /tmp/vf.log

before=$(cat "/sys/class/net/$dev1.100/statistics/rx_packets")
# Wrong VLAN and untagged first, then the right VLAN: the wire keeps them in order.
ping -c "$COUNT" -i 0.2 -W 1 10.0.200.2 >/dev/null 2>&1
ping -c "$COUNT" -i 0.2 -W 1 10.0.0.2 >/dev/null 2>&1
ping -c "$COUNT" -i 0.2 -W 1 10.0.100.2 >/dev/null 2>&1
wait "$vf_pid"
status=$?
cat /tmp/vf.log
tb_expect "libvf program exit status" "$status" 0
after=$(cat "/sys/class/net/$dev1.100/statistics/rx_packets")
tb_log "the peer's VLAN-100 device received $((after - before)) frames while libvf sent $COUNT"
[ $((after - before)) -ge "$COUNT" ] || tb_fail "libvf's frames did not arrive tagged 100 at the peer"
