#!/bin/sh
# Smoke test of the testbed itself: are the guest's devices where the harness says they are,
# and do VFIO, SR-IOV, network namespaces and the wires behave as the other scenarios assume?
#
# Usage (in the guest): smoke.sh [PROGRAM [ARGS...]]
#   With a PROGRAM, also run it (it must succeed): proves that --bin programs and their shared
#   libraries work in the guest.
# Checks every PF the harness created (TB_PFS). With TB_WIRE=1, pings from PF0 to PF1 over the
# cable; otherwise checks that PF0's isolated port has link. With TB_MONITOR=1, pulls PF0's cable
# through the QEMU monitor and plugs it back.
. /lib/testbed.sh

# check_pf N: PF N's identity, then VFIO and SR-IOV: 4 VFs at the expected addresses, each
# bound to vfio-pci with a group device of its own, gone again after writing 0.
check_pf() {
    pf=$(tb_pf_addr "$1")
    sys=/sys/bus/pci/devices/$pf
    tb_log "PF $1 is expected at $pf"
    [ -d "$sys" ] || tb_fail "no PCI device $pf; devices: $(ls /sys/bus/pci/devices | tr '\n' ' ')"
    tb_expect "$pf vendor" "$(cat "$sys/vendor")" 0x8086
    tb_expect "$pf device" "$(cat "$sys/device")" 0x10c9
    tb_expect "$pf sriov_totalvfs" "$(cat "$sys/sriov_totalvfs")" 8

    tb_bind "$pf" vfio-pci || tb_fail "cannot bind $pf to vfio-pci"
    tb_expect "$pf driver" "$(tb_driver "$pf")" vfio-pci
    group=$(tb_iommu_group "$pf") || tb_fail "$pf has no IOMMU group"
    tb_wait_file "/dev/vfio/$group" 5 || tb_fail "no /dev/vfio/$group for $pf"
    tb_log "ok: $pf is in IOMMU group $group, /dev/vfio/$group exists"

    tb_set_numvfs "$pf" 4 || tb_fail "cannot enable 4 VFs on $pf"
    tb_expect "$pf sriov_numvfs" "$(cat "$sys/sriov_numvfs")" 4
    # VF i sits at devfn(PF) + 0x80 + 2i: PF 00:0s.0 has its VFs at 00:(s+0x10).{0,2,4,6}.
    vf_slot=$(printf '%02x' $((2 + 2 * $1 + 0x10)))
    groups=" $group "
    for i in 0 1 2 3; do
        want=0000:00:$vf_slot.$((2 * i))
        tb_expect "$pf VF $i address" "$(tb_vf_addr "$pf" $i)" "$want"
        tb_expect "$want device" "$(cat "/sys/bus/pci/devices/$want/device")" 0x10ca
        tb_wait_for 5 test -e "/sys/bus/pci/devices/$want/driver"
        tb_expect "$want driver" "$(tb_driver "$want")" vfio-pci
        g=$(tb_iommu_group "$want") || tb_fail "$want has no IOMMU group"
        case "$groups" in *" $g "*) tb_fail "$want shares IOMMU group $g";; esac
        groups="$groups$g "
        tb_wait_file "/dev/vfio/$g" 5 || tb_fail "no /dev/vfio/$g for $want"
        tb_log "ok: $want is in IOMMU group $g of its own, /dev/vfio/$g exists"
    done

    tb_set_numvfs "$pf" 0 || tb_fail "cannot disable the VFs of $pf"
    for i in 0 2 4 6; do
        [ -e "/sys/bus/pci/devices/0000:00:$vf_slot.$i" ] && tb_fail "VF 00:$vf_slot.$i is still there"
    done
    tb_log "ok: the VFs of $pf are gone after writing 0"
}

# check_netns: the real iproute2 makes namespaces and veth pairs (veth is loaded on demand).
check_netns() {
    ip -V | grep -q iproute2 || tb_fail "ip is not iproute2's: $(ip -V 2>&1)"
    ip netns add smoke || tb_fail "ip netns add failed"
    ip link add smoke0 type veth peer name smoke1 || tb_fail "cannot create a veth pair"
    ip link set smoke1 netns smoke || tb_fail "cannot move a veth into the namespace"
    tb_expect "interfaces in namespace smoke" "$(ip -n smoke -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')" "lo smoke1 "
    ip netns exec smoke true || tb_fail "ip netns exec failed"
    ip link del smoke0
    ip netns del smoke
    tb_log "ok: network namespaces and veth work"
}

# igb_up N: bind PF N to the kernel's igb, bring its interface up; prints the interface name.
igb_up() {
    _pf=$(tb_pf_addr "$1")
    tb_bind "$_pf" igb >&2 || tb_fail "cannot bind $_pf to igb"
    tb_wait_for 10 test -d "/sys/bus/pci/devices/$_pf/net" || tb_fail "$_pf has no interface"
    _if=$(tb_netdev "$_pf")
    ip link set "$_if" up || tb_fail "cannot bring $_if up"
    echo "$_if"
}

carrier_is() {
    [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = "$2" ]
}

tb_log "guest kernel $TB_KERNEL, $TB_PFS PF(s), wire=$TB_WIRE, monitor=$TB_MONITOR"
[ -d /sys/kernel/iommu_groups ] || tb_fail "no /sys/kernel/iommu_groups: is the IOMMU on?"
tb_log "ok: /sys/kernel/iommu_groups has $(ls /sys/kernel/iommu_groups | wc -l) groups"

n=0
while [ $n -lt "$TB_PFS" ]; do
    check_pf $n
    n=$((n + 1))
done

check_netns

if [ "$TB_WIRE" = 1 ]; then
    # PF0 and PF1 each in a namespace of its own, one subnet: a ping must cross the cable.
    if0=$(igb_up 0)
    if1=$(igb_up 1)
    ip netns add side0 && ip netns add side1 || tb_fail "cannot create namespaces"
    ip link set "$if0" netns side0 && ip link set "$if1" netns side1 || tb_fail "cannot move PFs"
    ip -n side0 addr add 10.99.0.1/24 dev "$if0" && ip -n side0 link set "$if0" up
    ip -n side1 addr add 10.99.0.2/24 dev "$if1" && ip -n side1 link set "$if1" up
    tb_wait_for 20 ip netns exec side0 sh -c "grep -qx 1 /sys/class/net/$if0/carrier" ||
        tb_fail "no carrier on PF0 ($if0)"
    tb_log "ok: PF0 ($if0) and PF1 ($if1) have link"
    ip netns exec side0 ping -c 2 -W 5 10.99.0.2 || tb_fail "PF0 cannot ping PF1 over the wire"
    tb_log "ok: PF0 pings PF1 over the wire"
else
    if0=$(igb_up 0)
    tb_wait_for 20 carrier_is "$if0" 1 || tb_fail "no carrier on PF0 ($if0) on its own port"
    tb_log "ok: PF0 ($if0) has link on its own port"
fi

if [ "$TB_MONITOR" = 1 ] && [ "$TB_WIRE" != 1 ]; then
    tb_monitor set_link n0 off || tb_fail "monitor command set_link n0 off failed"
    tb_wait_for 20 carrier_is "$if0" 0 || tb_fail "PF0 kept its carrier after set_link n0 off"
    tb_log "ok: PF0 lost its carrier after the monitor pulled the cable"
    tb_monitor set_link n0 on || tb_fail "monitor command set_link n0 on failed"
    tb_wait_for 20 carrier_is "$if0" 1 || tb_fail "PF0 did not get its carrier back"
    tb_log "ok: PF0 has its carrier back"
    tb_monitor info network | grep -q 'igb' || tb_fail "no igb in the monitor's 'info network'"
    tb_log "ok: the monitor answers with text ('info network' lists the igb NIC)"
fi

if [ $# -gt 0 ]; then
    tb_log "running $*"
    "$@" || tb_fail "$* exited with status $?"
    tb_log "ok: $1 ran in the guest"
fi

tb_log "smoke test passed"
