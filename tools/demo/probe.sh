#!/bin/sh
# sriov-probe in the testbed guest: what the VFIO layer sees of the emulated 82576 and its VFs.
. /lib/testbed.sh
tb_log "an Intel 82576 PF at $(tb_pf_addr 0); vfio-pci is loaded with enable_sriov=1"
sriov-probe --vfs 4
