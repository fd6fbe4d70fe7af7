#!/bin/sh
# Our VF-side mailbox code against the kernel's igb PF (see vf_under_igb.cpp).
. /lib/testbed.sh
MAC=02:11:22:33:44:55
pf=$(tb_pf_addr 0)
tb_bind "$pf" igb || tb_fail "cannot bind $pf to igb"
tb_wait_for 10 tb_netdev "$pf" || tb_fail "igb made no interface for $pf"
dev=$(tb_netdev "$pf")
# The kernel's PF serves the mailbox from its interrupt handler, which exists while it is up.
ip link set "$dev" up || tb_fail "cannot bring $dev up"
tb_set_numvfs "$pf" 1 || tb_fail "cannot enable a VF on $pf"
vf=$(tb_vf_addr "$pf" 0)
ip link set "$dev" vf 0 mac "$MAC" || tb_fail "cannot set VF 0's MAC"
tb_bind "$vf" vfio-pci || tb_fail "cannot bind $vf to vfio-pci"
# Enabling VFs made igb reset the PF; let its link come back before the VF talks to it.
tb_wait_for 30 tb_has_carrier "$dev" || tb_fail "$dev has no link"
export TB_VF="$vf" TB_MAC="$MAC"

tb_log "VF $vf untrusted"
tb_vf_under_igb "[untrusted]" || tb_fail "untrusted phase failed"
ip link set "$dev" vf 0 trust on || tb_fail "cannot trust VF 0"
tb_log "VF $vf trusted"
tb_vf_under_igb "[trusted]" || tb_fail "trusted phase failed"
# The kernel's PF logs what it refused; show it for the record.
dmesg | grep -i "vf 0\|VF 0" | tail -5
