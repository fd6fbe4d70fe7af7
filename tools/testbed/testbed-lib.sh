# Helpers for testbed scenarios, installed in the guest as /lib/testbed.sh.
# Use:  . /lib/testbed.sh
# Busybox sh only. Functions that check something return non-zero on failure (after saying
# why on stderr); tb_fail ends the scenario.

# Options the harness chose: TB_PFS (number of PFs), TB_WIRE (1 if PF0 and PF1 are cabled),
# TB_MONITOR (1 if tb_monitor works), TB_KERNEL (guest kernel version).
[ -r /etc/testbed.conf ] && . /etc/testbed.conf

# The guest's busybox sh runs its own applets before looking at PATH, so a bare `ip` would be
# busybox's cut-down one. This makes `ip` the real iproute2 in scenarios that source this file
# (in `sh -c "..."` strings, write /sbin/ip).
ip() {
    /sbin/ip "$@"
}

# tb_log MESSAGE...: a progress line, stamped with the guest's uptime in seconds.
tb_log() {
    echo "[$(cut -d' ' -f1 /proc/uptime)] $*"
}

# tb_fail MESSAGE...: report a failure and end the scenario with status 1.
tb_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# tb_expect WHAT ACTUAL EXPECTED: log a check, fail the scenario if ACTUAL != EXPECTED.
tb_expect() {
    if [ "$2" = "$3" ]; then
        tb_log "ok: $1 = $2"
    else
        tb_fail "$1: found '$2', expected '$3'"
    fi
}

# tb_pci DEV: the full PCI address (adds the 0000: domain when missing).
tb_pci() {
    case "$1" in
        ????:??:??.?) echo "$1" ;;
        *) echo "0000:$1" ;;
    esac
}

# tb_pf_addr N: the PCI address of PF number N (0-based): slots 2, 4, 6 on bus 0.
tb_pf_addr() {
    printf '0000:00:%02x.0\n' $((2 + 2 * $1))
}

# tb_vf_addr PF_DEV I: the PCI address of VF number I of PF_DEV, read from sysfs (VFs must
# exist). With the testbed's placement, VF i of PF 00:0s.0 is 00:(s+0x10).(2i) for i < 4 and
# 00:(s+0x11).(2(i-4)) above.
tb_vf_addr() {
    _l=$(readlink "/sys/bus/pci/devices/$(tb_pci "$1")/virtfn$2") || {
        echo "tb_vf_addr: $1 has no VF $2" >&2
        return 1
    }
    basename "$_l"
}

# tb_driver DEV: the name of the driver bound to DEV, or nothing.
tb_driver() {
    _l=$(readlink "/sys/bus/pci/devices/$(tb_pci "$1")/driver" 2>/dev/null) && basename "$_l"
    return 0
}

# tb_iommu_group DEV: DEV's IOMMU group number.
tb_iommu_group() {
    _l=$(readlink "/sys/bus/pci/devices/$(tb_pci "$1")/iommu_group") || {
        echo "tb_iommu_group: $1 has no IOMMU group" >&2
        return 1
    }
    basename "$_l"
}

# tb_netdev DEV: the network interface name(s) of DEV (needs a network driver bound).
tb_netdev() {
    ls "/sys/bus/pci/devices/$(tb_pci "$1")/net" 2>/dev/null
}

# tb_bind DEV DRIVER: bind DEV to DRIVER: driver_override, unbind from the current driver,
# drivers_probe. Loads DRIVER's module if the driver is not registered yet.
tb_bind() {
    _d=$(tb_pci "$1")
    [ -d "/sys/bus/pci/drivers/$2" ] || modprobe "$2" || return 1
    echo "$2" >"/sys/bus/pci/devices/$_d/driver_override" || return 1
    [ -e "/sys/bus/pci/devices/$_d/driver" ] && echo "$_d" >"/sys/bus/pci/devices/$_d/driver/unbind"
    echo "$_d" >/sys/bus/pci/drivers_probe
    if [ "$(tb_driver "$_d")" != "$2" ]; then
        echo "tb_bind: $_d did not bind to $2 (driver now: '$(tb_driver "$_d")')" >&2
        return 1
    fi
}

# tb_unbind DEV: unbind DEV from its driver and clear its driver_override.
tb_unbind() {
    _d=$(tb_pci "$1")
    [ -e "/sys/bus/pci/devices/$_d/driver" ] && echo "$_d" >"/sys/bus/pci/devices/$_d/driver/unbind"
    echo >"/sys/bus/pci/devices/$_d/driver_override"
}

# tb_set_numvfs DEV N [TIMEOUT]: write N to DEV's sriov_numvfs. The write blocks in the kernel
# while a VF is held open through VFIO, and no signal ends it, so the write runs in the
# background; after TIMEOUT seconds (default 30) this gives up and leaves the writer blocked.
tb_set_numvfs() {
    _d=$(tb_pci "$1")
    _st=/tmp/.tb_numvfs.$$
    rm -f $_st
    (echo "$2" >"/sys/bus/pci/devices/$_d/sriov_numvfs"; echo $? >$_st) &
    if ! tb_wait_for "${3:-30}" test -s $_st; then
        echo "tb_set_numvfs: writing $2 to $_d/sriov_numvfs still blocked after ${3:-30} s" \
             "(is a VF held open through VFIO?)" >&2
        return 1
    fi
    return "$(cat $_st)"
}

# tb_wait_for TIMEOUT COMMAND...: run COMMAND every 0.1 s until it succeeds; fail after
# TIMEOUT seconds. Example: tb_wait_for 10 grep -q 1 /sys/class/net/eth0/carrier
tb_wait_for() {
    _n=$(($1 * 10))
    shift
    while ! "$@" 2>/dev/null; do
        _n=$((_n - 1))
        [ $_n -le 0 ] && { echo "tb_wait_for: gave up waiting for: $*" >&2; return 1; }
        sleep 0.1
    done
}

# tb_exited PID: the process has ended (gone, or a zombie waiting to be collected). For
# `tb_wait_for T tb_exited PID`: `wait` alone could block for ever on a process that hangs.
tb_exited() {
    ! grep -q '^State:[^Z]*$' "/proc/$1/status" 2>/dev/null
}

# tb_show_logs [-n N] FILE...: print each FILE under a "---- FILE ----" line, whole or its last N
# lines; for a scenario's fail(), e.g.  fail() { tb_show_logs "$LOG" /tmp/recv.log; tb_fail "$*"; }
tb_show_logs() {
    _n=
    [ "$1" = -n ] && { _n=$2; shift 2; }
    for _f in "$@"; do
        echo "---- $_f ----"
        if [ -n "$_n" ]; then tail -n "$_n" "$_f"; else cat "$_f"; fi
    done
}

# tb_start_sriovd [-t SECONDS] LOG ARGS...: start `sriovd --foreground ARGS` in the background,
# its output (stdout and stderr) in LOG, its PID in sriovd_pid, and wait up to SECONDS (60) for it
# to log "ready:". If it does not, print LOG's last 50 lines and fail the scenario.
tb_start_sriovd() {
    _ready_s=60
    [ "$1" = -t ] && { _ready_s=$2; shift 2; }
    _log=$1
    shift
    sriovd --foreground "$@" >"$_log" 2>&1 &
    sriovd_pid=$!
    tb_wait_for "$_ready_s" grep -q "ready:" "$_log" && return 0
    tb_show_logs -n 50 "$_log"
    tb_fail "sriovd did not report ready"
}

# tb_config_pf PCI NUM_VFS and tb_config_vf INDEX MAC [DRIVER]: a [[pf]] table and a [[pf.vf]]
# table of sriovd's configuration, printed, for scenarios that write a configuration file:
#   { echo '[daemon]'; tb_config_pf "$pf" 2; tb_config_vf 0 02:11:22:33:44:55 igbvf; } >"$CONFIG"
tb_config_pf() {
    printf '\n[[pf]]\npci = "%s"\nnum_vfs = %s\n' "$1" "$2"
}
tb_config_vf() {
    printf '\n[[pf.vf]]\nindex = %s\nmac = "%s"\n' "$1" "$2"
    [ -z "${3:-}" ] || printf 'driver = "%s"\n' "$3"
}

# tb_recv_mode MODE: the vf-pktgen recv options for MODE, polling (none) or interrupts (libvf's
# interrupt mode, adaptive coalescing, QEMU 10.0's EITR timing); fails for any other MODE.
tb_recv_mode() {
    case "$1" in
        polling) echo "" ;;
        interrupts) echo "--interrupts --coalesce adaptive --eitr-timing qemu" ;;
        *) echo "MODE must be polling or interrupts, not $1" >&2; return 1 ;;
    esac
}

# tb_has_carrier IFACE: IFACE has link now.
tb_has_carrier() {
    [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]
}

# tb_wait_file PATH [TIMEOUT]: wait until PATH exists (default 10 s).
tb_wait_file() {
    tb_wait_for "${2:-10}" test -e "$1"
}

# tb_monitor COMMAND...: have the harness run a QEMU monitor (HMP) command, such as
# `set_link n0 off` (netdevs are n0, n1, ... for PF0, PF1, ...). Needs `testbed.py run --monitor`.
# Waits for the harness to answer (up to 30 s), prints the monitor's reply, and returns non-zero
# if the command could not be delivered. The request travels as a console line
# "@@monitor COMMAND"; the harness types the answer back on the console as
# "@@monitor-reply TEXT" lines and a final "@@monitor-done STATUS".
# The effect inside the guest may lag behind: wait for it (tb_wait_for on sysfs).
tb_monitor() {
    # Drop anything left over from an earlier request that timed out.
    while read -r -t 0.05 _line </dev/console; do :; done
    echo "@@monitor $*" >/dev/console
    while read -r -t 30 _tag _rest </dev/console; do
        case "$_tag" in
            @@monitor-reply) echo "$_rest" ;;
            @@monitor-done) return "$_rest" ;;
        esac
    done
    echo "tb_monitor: no answer from the harness for: $*" >&2
    return 1
}

# tb_vf_line DEV N: VF N's line in `ip -d link show DEV`, the kernel's own view of it (iproute2).
tb_vf_line() {
    ip -d link show "$1" | awk -v n="$2" '$1 == "vf" && $2 == n'
}

# tb_vf_shows DEV N TEXT: the kernel's view of VF N of DEV shows TEXT now (for tb_wait_for).
tb_vf_shows() {
    tb_vf_line "$1" "$2" | grep -q "$3"
}

# tb_vf_in_ns PF N MAC ADDR: wait for VF N of PF to have its driver's network interface, check that
# it has MAC, move it into namespace vfN (made anew) with ADDR/24, bring it up and wait for carrier.
# Sets tb_vf_if to the interface's name. On failure prints why on stderr and returns 1.
tb_vf_in_ns() {
    _vf=$(tb_vf_addr "$1" "$2") || { echo "no VF $2 of $1" >&2; return 1; }
    tb_wait_for 60 test -d "/sys/bus/pci/devices/$_vf/net" || { echo "no interface for VF $2 ($_vf)" >&2; return 1; }
    tb_vf_if=$(tb_netdev "$_vf")
    tb_expect "VF $2 ($_vf, $tb_vf_if) MAC" "$(cat "/sys/class/net/$tb_vf_if/address")" "$3"
    ip netns del "vf$2" 2>/dev/null
    ip netns add "vf$2" || { echo "cannot create namespace vf$2" >&2; return 1; }
    ip link set "$tb_vf_if" netns "vf$2" || { echo "cannot move $tb_vf_if into namespace vf$2" >&2; return 1; }
    ip -n "vf$2" link set lo up
    ip -n "vf$2" addr add "$4/24" dev "$tb_vf_if" || { echo "cannot address $tb_vf_if" >&2; return 1; }
    ip -n "vf$2" link set "$tb_vf_if" up || { echo "cannot bring $tb_vf_if up in namespace vf$2" >&2; return 1; }
    tb_wait_for 30 ip netns exec "vf$2" grep -qx 1 "/sys/class/net/$tb_vf_if/carrier" ||
        { echo "$tb_vf_if has no carrier in namespace vf$2: its driver saw no link" >&2; return 1; }
}

# tb_standby_netdev: the network interface of the harness's standby NIC (--standby N: a virtio-net
# NIC on PF N's wire, at 00:1e.0), its driver loaded first. Fails without --standby.
tb_standby_netdev() {
    [ -n "$TB_STANDBY" ] || { echo "no standby NIC: run the harness with --standby N" >&2; return 1; }
    modprobe virtio_pci 2>/dev/null
    modprobe virtio_net 2>/dev/null
    tb_wait_for 10 _tb_standby_ls >/dev/null || { echo "virtio_net made no interface for 00:1e.0" >&2; return 1; }
    _tb_standby_ls
}
_tb_standby_ls() {
    ls /sys/bus/pci/devices/0000:00:1e.0/virtio*/net 2>/dev/null | grep .
}
