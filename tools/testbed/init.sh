#!/bin/sh
# /init of the testbed guest (busybox sh, PID 1). Built into the initramfs by testbed.py.
#
# It mounts the usual filesystems, loads the VFIO stack (vfio-pci with enable_sriov=1, bound to
# nothing), runs /scenario.sh with the arguments given to `testbed.py run`, prints
#     @@testbed-exit <status>
# on the console for the harness, and powers the machine off. PID 1 must never exit (the
# kernel would panic), so nothing here uses `set -e` and the last step is `exec poweroff -f`.
#
# In the Debian guest (testbed.py --systemd) systemd is PID 1 and starts this as the service
# testbed-scenario.service once multi-user.target is reached: systemd has mounted everything and
# udev has loaded the drivers, so this only runs the scenario, reports and powers off.

export PATH=/opt/sriov/bin:/sbin:/usr/sbin:/bin:/usr/bin
export LD_LIBRARY_PATH=/opt/sriov/lib
export HOME=/root TERM=dumb

# The serial port is still sending what was written when the write returned; poweroff -f would
# cut the last lines (the exit marker among them). Wait until its transmit count stops moving (at
# most 2 s).
drain_console() {
    _last="" _i=0
    while [ "$_i" -lt 40 ]; do
        _now=$(grep -o 'tx:[0-9]*' /proc/tty/driver/serial 2>/dev/null | head -n 1)
        [ -z "$_now" ] && { sleep 0.2; return; }
        [ "$_now" = "$_last" ] && return
        _last=$_now _i=$((_i + 1))
        sleep 0.05
    done
}

tb_init_fail() {
    echo "testbed-init: $*"
    echo "@@testbed-exit 125"
    drain_console
    exec poweroff -f
}

# Options the harness chose (TB_PFS, TB_WIRE, TB_MONITOR, TB_SYSTEMD, ...) and the scenario's arguments.
. /etc/testbed.conf
. /etc/testbed.args

if [ "${TB_SYSTEMD:-0}" != 1 ]; then
    mount -t proc proc /proc || tb_init_fail "cannot mount /proc"
    mount -t sysfs sysfs /sys || tb_init_fail "cannot mount /sys"
    mount -t devtmpfs devtmpfs /dev || tb_init_fail "cannot mount /dev"
    mkdir -p /dev/pts /dev/shm
    mount -t devpts devpts /dev/pts
    mount -t tmpfs tmpfs /dev/shm
    mount -t tmpfs tmpfs /tmp
    mount -t tmpfs tmpfs /run
    mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
    # `ip netns add` bind-mounts namespace files under /run/netns and needs / to propagate mounts.
    mount --make-rshared /
    hostname testbed
fi

echo "@@testbed-init $(cut -d' ' -f1 /proc/uptime)"

# The harness answers monitor requests by typing on the serial console; do not echo them back.
[ "${TB_SHELL:-0}" = 1 ] || stty -echo </dev/console 2>/dev/null

# The VFIO stack. vfio_iommu_type1 is not a dependency of vfio-pci but is what the
# group/container API needs. igb and igbvf are left unloaded: scenarios load them if they want
# the kernel's drivers (there is no udev, so nothing loads a driver by itself).
# Under systemd what loads vfio-pci is what the host has: the scenario's to set up. udev may still
# be loading drivers for the devices found at boot (multi-user.target does not wait for it): the
# scenario starts once it is done, as on a host that has finished booting.
if [ "${TB_SYSTEMD:-0}" = 1 ]; then
    udevadm settle --timeout=120 || tb_init_fail "udev did not finish with the devices of boot"
else
    modprobe vfio_iommu_type1 || tb_init_fail "cannot load vfio_iommu_type1"
    modprobe vfio-pci enable_sriov=1 || tb_init_fail "cannot load vfio-pci"
    /sbin/ip link set lo up
fi

if [ "${TB_SHELL:-0}" = 1 ]; then
    # `testbed.py shell`: an interactive shell on the console instead of a scenario.
    echo "testbed: interactive shell (helpers from /lib/testbed.sh loaded); leave with exit or Ctrl-D"
    if [ "${TB_SYSTEMD:-0}" = 1 ]; then
        bash --rcfile /lib/testbed.sh -i    # systemd made the console this shell's terminal
    else
        ENV=/lib/testbed.sh setsid cttyhack sh
    fi
    status=$?
else
    cd /tmp || true
    boot_messages=$(dmesg | wc -l)
    /scenario.sh "$@"
    status=$?
fi

if [ "$status" -ne 0 ]; then
    # On failure, what the kernel said while the scenario ran (it may be why).
    echo "---- testbed: kernel messages during the scenario (last 30) ----"
    dmesg | tail -n +$((${boot_messages:-0} + 1)) | tail -n 30
    echo "---- end of kernel messages ----"
fi
# Keep the kernel quiet while the marker goes out, so that no message splits its line.
echo 1 >/proc/sys/kernel/printk
echo "@@testbed-exit $status"
drain_console
exec poweroff -f
