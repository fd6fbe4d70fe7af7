#!/bin/sh
# sriov_netlink's RtnlSocket (through tb_netlink_vf) against the kernel's igb PF. Every setting is
# checked by the kernel's own view, iproute2's `ip -d link show` (never by asking tb_netlink_vf);
# every refusal must exit 1 with a line naming the setting and the kernel's answer, and leave
# the kernel's view of the VF unchanged. Needs the QEMU monitor (the wire is taken down once).
. /lib/testbed.sh
TB=/opt/sriov/bin/tb_netlink_vf
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
pf=$(tb_pf_addr 0)
tb_bind "$pf" igb || tb_fail "cannot bind $pf to igb"
tb_wait_for 10 tb_netdev "$pf" || tb_fail "igb made no interface for $pf"
dev=$(tb_netdev "$pf")
ip link set "$dev" up || tb_fail "cannot bring $dev up"
tb_set_numvfs "$pf" 2 || tb_fail "cannot enable 2 VFs on $pf"
# Enabling VFs made igb reset the PF: its link drops and comes back. igb takes a rate only while
# the link is up, so wait for carrier, give the reset time to drop it, and wait again.
tb_wait_for 30 tb_has_carrier "$dev" || tb_fail "$dev has no link"
sleep 2
tb_wait_for 30 tb_has_carrier "$dev" || tb_fail "$dev has no link after the VFs' reset"

# The kernel's view of VF $1: its line in `ip -d link show` (real iproute2).
vf_line() { tb_vf_line "$dev" "$1"; }
# kernel_has VF TEXT WHAT: the kernel's view of VF shows TEXT.
kernel_has() {
    line=$(vf_line "$1")
    case "$line" in
        *"$2"*) tb_log "ok: kernel's view of vf $1 shows $3 ('$2')" ;;
        *) tb_fail "kernel's view of vf $1 lacks $3 ('$2'): $line" ;;
    esac
}
apply() {
    tb_log "tb_netlink_vf set $dev $*"
    $TB set "$dev" "$@" || tb_fail "tb_netlink_vf set $dev $* failed"
}
# refused WHAT VF KEY VALUE...: tb_netlink_vf must exit 1 with a line naming the setting, and the
# kernel's view of VF must not change. The line is kept in $refusal.
refused() {
    what=$1
    shift
    before=$(vf_line "$1")
    refusal=$($TB set "$dev" "$@" 2>&1)
    rc=$?
    after=$(vf_line "$1")
    tb_log "$what: exit $rc: $refusal"
    [ "$rc" = 1 ] || tb_fail "$what: tb_netlink_vf exited $rc, not 1"
    case "$refusal" in
        "refused: $dev (igb) vf $1: setting "*) ;;
        *) tb_fail "$what: the line does not start with 'refused: $dev (igb) vf $1: setting'" ;;
    esac
    [ "$before" = "$after" ] || tb_fail "$what: the kernel's view changed: before '$before', after '$after'"
    tb_log "ok: $what refused, kernel's view unchanged"
}

tb_log "--- settings through RtnlSocket, checked by ip -d link show"
ip -d link show "$dev"
apply 0 mac "$MAC0"
kernel_has 0 "link/ether $MAC0" "the MAC"
apply 1 mac "$MAC1"
kernel_has 1 "link/ether $MAC1" "the MAC"
apply 0 vlan 10 qos 3
kernel_has 0 "vlan 10, qos 3" "vlan 10 qos 3"
apply 0 spoofchk off
kernel_has 0 "spoof checking off" "spoofchk off"
apply 0 trust on
kernel_has 0 "trust on" "trust on"
apply 0 max_tx_rate 100
kernel_has 0 "max_tx_rate 100Mbps" "max_tx_rate 100"
# What was set before is still there (one request changes only what it carries).
kernel_has 0 "link/ether $MAC0" "the MAC"
kernel_has 0 "vlan 10, qos 3" "vlan 10 qos 3"
kernel_has 1 "spoof checking on" "spoofchk on (untouched)"
kernel_has 1 "trust off" "trust off (untouched)"
ip -d link show "$dev"

tb_log "--- tb_netlink_vf show against ip -d link show"
$TB show "$dev" || tb_fail "tb_netlink_vf show failed"
# Our keyword form of what iproute2 printed for VF $1 (iproute2 leaves out a zero vlan, qos or rate).
from_ip() {
    l=$(vf_line "$1")
    mac=$(echo "$l" | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
    vlan=$(echo "$l" | sed -n 's|.*, vlan \([0-9]*\).*|\1|p')
    qos=$(echo "$l" | sed -n 's|.*, qos \([0-9]*\).*|\1|p')
    max=$(echo "$l" | sed -n 's|.*max_tx_rate \([0-9]*\)Mbps.*|\1|p')
    min=$(echo "$l" | sed -n 's|.*min_tx_rate \([0-9]*\)Mbps.*|\1|p')
    spoof=$(echo "$l" | sed -n 's|.*spoof checking \([a-z]*\).*|\1|p')
    trust=$(echo "$l" | sed -n 's|.*trust \([a-z]*\).*|\1|p')
    echo "vf $1: mac $mac vlan ${vlan:-0} qos ${qos:-0} max_tx_rate ${max:-0} min_tx_rate ${min:-0} spoofchk $spoof trust $trust"
}
for n in 0 1; do
    want=$(from_ip $n)
    got=$($TB show "$dev" | grep "^vf $n: ")
    case "$got" in
        "$want "*) tb_log "ok: show agrees with iproute2 for vf $n: $want" ;;
        *) tb_fail "show disagrees with iproute2 for vf $n: show '$got', iproute2 '$want'" ;;
    esac
    # igb has no VF counters (no ndo_get_vf_stats), yet the kernel sends IFLA_VF_STATS anyway,
    # all zero (rtnl_fill_vfinfo fills them unless RTEXT_FILTER_SKIP_STATS): netlink cannot tell
    # "none" from "zero". Nothing has crossed these VFs, so zero is also the truth here.
    case "$got" in
        *"| counters: rx_packets 0 tx_packets 0 rx_bytes 0 tx_bytes 0 broadcast 0 multicast 0 rx_dropped 0 tx_dropped 0")
            tb_log "ok: vf $n's counters all zero, as the kernel sends them for igb" ;;
        *) tb_fail "vf $n: counters not the kernel's zeros: $got" ;;
    esac
done

tb_log "--- the kernel's RTM_NEWLINK answer, raw (fixture for test/netlink)"
$TB dump "$dev" || tb_fail "tb_netlink_vf dump failed"

tb_log "--- igb's refusals"
# igb (6.12) gives no extended-ack message for any of them; a line with "(kernel: ...)" would
# fail these exact matches and show that a newer kernel says more.
refused "state disable" 0 state disable
case "$refusal" in *"setting state disable: Operation not supported [unsupported]") ;; *) tb_fail "the line does not name 'state disable' and EOPNOTSUPP" ;; esac
refused "min_tx_rate 10" 0 min_tx_rate 10
case "$refusal" in *"setting min_tx_rate 10: Invalid argument [invalid_argument]") ;; *) tb_fail "the line does not name 'min_tx_rate 10' and EINVAL" ;; esac
refused "vlan 20 proto 802.1ad" 0 vlan 20 proto 802.1ad
case "$refusal" in *"setting vlan 20 qos 0 proto 802.1ad: Protocol not supported [unsupported]") ;; *) tb_fail "the line does not name the 802.1ad VLAN and EPROTONOSUPPORT" ;; esac
refused "vlan 10 proto 802.1ad" 1 vlan 10 proto 802.1ad
kernel_has 0 "max_tx_rate 100Mbps" "max_tx_rate 100 (after the refusals)"

tb_log "--- the wire down: igb refuses a rate"
tb_monitor set_link n0 off
tb_wait_for 20 sh -c "[ \"\$(cat /sys/class/net/$dev/carrier)\" = 0 ]" || tb_fail "$dev kept its carrier"
refused "max_tx_rate 200 with the wire down" 0 max_tx_rate 200
case "$refusal" in *"setting max_tx_rate 200: Invalid argument [invalid_argument]") ;; *) tb_fail "the line does not name 'max_tx_rate 200' and EINVAL" ;; esac
kernel_has 0 "max_tx_rate 100Mbps" "max_tx_rate 100 (the refused 200 not applied)"
tb_monitor set_link n0 on
tb_wait_for 30 tb_has_carrier "$dev" || tb_fail "$dev did not get its link back"
apply 0 max_tx_rate 200
kernel_has 0 "max_tx_rate 200Mbps" "max_tx_rate 200 once the wire is back"

dmesg | grep -i "igb" | tail -8
tb_log "done"
