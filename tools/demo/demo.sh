#!/bin/sh
# The README's demo, run inside the testbed guest (see tools/run demo).
# Today: sriov-probe takes the emulated 82576 under VFIO, enables 4 VFs and opens one of them.
. /lib/testbed.sh
tb_log "demo: an Intel 82576 PF at $(tb_pf_addr 0); vfio-pci is loaded with enable_sriov=1"
sriov-probe --vfs 4
