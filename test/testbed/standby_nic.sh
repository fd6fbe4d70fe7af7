#!/bin/sh
# The harness's standby NIC and libvf's standby path (issue 14): with --standby 0 the guest has a
# virtio-net NIC on PF 0's wire, the path libvf's failover port takes while its VF is away. Shown
# by traffic with the kernel's igb on PF 1 (cabled to PF 0, in namespace peer):
#  - the standby interface (in namespace sb) and PF 1 ping each other;
#  - libvf's StandbyPath (tb_standby) refuses the interface until it has the VF's MAC, and says how;
#  - then 1000 numbered frames go each way through StandbyPath on the virtio-net, to and from a
#    StandbyPath on igb's interface, all of them, in order;
#  - and 1000 more from the standby path while a qdisc on the virtio-net loses every frame (netem
#    loss 100%): the path's frames bypass it, where the kernel's own ping gets nothing through.
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

VF_MAC=02:00:00:00:16:01
PEER_MAC=$(ip netns exec peer cat "/sys/class/net/$peer/address")
if out=$(ip netns exec sb tb_standby recv "$sb" "$VF_MAC" 1 1 2>&1); then
    tb_fail "the standby path opened on $sb without the VF's MAC: $out"
fi
case "$out" in *"ip link set $sb address $VF_MAC"*"promisc on"*) ;; *) tb_fail "the refusal does not say how: $out" ;; esac
tb_log "ok: refused: $out"
ip -n sb link set "$sb" address "$VF_MAC" || tb_fail "cannot give $sb the VF's MAC"

# exchange WHAT FROM_NS FROM_IF FROM_MAC TO_NS TO_IF TO_MAC: 1000 numbered frames through a
# StandbyPath on FROM_IF to one on TO_IF; all must arrive, in order.
exchange() {
    ip netns exec "$5" tb_standby recv "$6" "$7" 1000 60 >/tmp/recv.txt 2>&1 &
    recv_pid=$!
    sleep 1
    ip netns exec "$2" tb_standby send "$3" "$4" "$7" 1000 || tb_fail "$1: sending failed"
    wait "$recv_pid" || tb_fail "$1: not every frame arrived in order: $(cat /tmp/recv.txt)"
    tb_log "ok: $1: $(head -1 /tmp/recv.txt)"
}
exchange "standby -> PF 1" sb "$sb" "$VF_MAC" peer "$peer" "$PEER_MAC"
exchange "PF 1 -> standby" peer "$peer" "$PEER_MAC" sb "$sb" "$VF_MAC"

# The standby path hands its frames to the driver, past the interface's queueing discipline,
# which may drop frames and still report them sent (fq_codel, most distributions' default, when
# they wait too long). Here a discipline that loses every frame: the kernel's own traffic on $sb
# no longer reaches PF 1, the standby path's still does, all of it.
modprobe sch_netem || tb_fail "cannot load sch_netem"
out=$(ip netns exec sb /sbin/tc qdisc replace dev "$sb" root netem loss 100% 2>&1) ||
    tb_fail "cannot give $sb a netem qdisc: $out"
if ip netns exec sb ping -c 3 -i 0.2 -W 1 10.80.0.2 >/dev/null; then
    tb_fail "ping went through a qdisc that loses every frame (the check below would prove nothing)"
fi
tb_log "ok: with netem loss 100% on $sb the kernel's ping gets no answer"
exchange "standby -> PF 1 past the qdisc" sb "$sb" "$VF_MAC" peer "$peer" "$PEER_MAC"
tb_log "PASS"
