#!/bin/sh
# A reload of sriovd's configuration (kill -HUP, what `systemctl reload sriovd` sends), each change
# checked by its effect or by the kernel's own view, never by reading sriovd back alone. Every
# reload is a config_reloaded event for vfctl monitor.
#
# sriovd_reload.sh user
#   PF 0 owned by sriovd from user space, both VFs on igbvf, VF 1 in a network namespace of its own:
#    - a new MAC and a port VLAN for both VFs in the file: igbvf on VF 0 takes the new MAC without
#      being reloaded, and the VFs still reach each other, now both on VLAN 100;
#    - VF 1's MAC was changed with vfctl before: the file's new MAC for it is not applied (igbvf
#      keeps the run-time one, vfctl shows its origin "runtime") and the log says it was kept;
#    - VF 1's vlan removed from the file: back to no port VLAN, so VF 0 (VLAN 100) no longer
#      reaches it; VF 0's driver changed in the file: reported as needing a restart, VF 0 stays on
#      igbvf;
#    - a file with a TOML error, then one with a value out of range: nothing changes (VF 0's MAC,
#      VLAN and traffic), sriovd runs on and answers vfctl, and the log says why with file:line.
#
# sriovd_reload.sh kernel
#   PF 0 kept by the kernel's igb (owner "kernel"), checked by `ip -d link show`:
#    - the file's new MAC and VLAN for VF 0 reach the kernel; VF 1's VLAN set with vfctl before
#      stays though the file gives another; VF 1's trust removed from the file goes back to off;
#    - the file's num_vfs 3 (it was 2, never changed at run time): sriov_numvfs becomes 3, and the
#      VFs keep their settings, the run-time one included;
#    - [metrics] listen added: reported as needing a restart, and nothing listens on its port;
#    - a value out of range: the kernel's view does not change, sriovd answers on.
. /lib/testbed.sh
[ "$1" = user ] || [ "$1" = kernel ] || tb_fail "usage: sriovd_reload.sh user|kernel"

CONFIG=/etc/sriovd/sriovd.toml
LOG=/tmp/sriovd.log
EVENTS=/tmp/events
pf=$(tb_pf_addr 0)
dev=
mkdir -p /etc/sriovd

fail() {
    tb_show_logs "$EVENTS" "$LOG"
    [ -n "$dev" ] && ip -d link show "$dev"
    tb_fail "$*"
}

reloads_done() { grep -cE "configuration reloaded: |configuration reload refused: " "$LOG"; }
# reload: SIGHUP, then wait until sriovd logged the reload's outcome.
reload() {
    _before=$(reloads_done)
    kill -HUP "$sriovd_pid" || fail "sriovd is gone"
    tb_wait_for 20 sh -c "[ \$(grep -cE 'configuration reloaded: |configuration reload refused: ' $LOG) -gt $_before ]" ||
        fail "sriovd logged no outcome of the reload"
}
# refused WHAT: the last reload was refused, its log line names the file (and a line, unless WHAT
# is toml) and says that the old configuration stays; sriovd still answers vfctl.
refused() {
    line=$(grep "configuration reload refused: " "$LOG" | tail -1)
    case "$line" in
        *"$CONFIG"*"the old configuration stays in force"*) ;;
        *) fail "the refusal of the broken file ($1) does not name the file or say the old configuration stays: $line" ;;
    esac
    [ "$1" = toml ] || echo "$line" | grep -q "$CONFIG:[0-9]" || fail "the refusal ($1) names no line: $line"
    kill -0 "$sriovd_pid" || fail "sriovd stopped on a broken file"
    vfctl -j show >/tmp/show || fail "sriovd does not answer vfctl after a broken file"
}
stop_sriovd() {
    grep -q '"event":"config_reloaded".*refused' "$EVENTS" || fail "no config_reloaded event said a file was refused"
    kill "$sriovd_pid"
    tb_wait_for 30 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
}

if [ "$1" = user ]; then
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
MAC0_FILE=02:11:22:33:44:77
MAC1_RUN=02:11:22:33:44:88
MAC1_FILE=02:11:22:33:44:99

# write_config VF0_LINES VF1_LINES [VF0_DRIVER]: the configuration, each VF's extra lines given.
write_config() {
    cat >"$CONFIG" <<EOF
[daemon]
state_dir = "/tmp/sriovd-state"
remove_vfs_on_exit = true

[[pf]]
pci = "$pf"
num_vfs = 2

[[pf.vf]]
index = 0
driver = "${3:-igbvf}"
$1

[[pf.vf]]
index = 1
driver = "igbvf"
$2
EOF
}

mac_of() {  # mac_of IFACE [NETNS]
    ip ${2:+-n "$2"} -o link show dev "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}
vf0_mac_is() { [ "$(mac_of "$if0")" = "$1" ]; }
vf1_mac_is() { [ "$(mac_of "$if1" vf1)" = "$1" ]; }
# reaches: VF 0 pings VF 1, its neighbour entry forgotten first (a stale one would skip ARP).
reaches() {
    ip neigh flush dev "$if0"
    ping -c 1 -W 2 10.77.0.2 >/dev/null
}

modprobe igbvf || tb_fail "cannot load igbvf"
write_config "mac = \"$MAC0\"" "mac = \"$MAC1\""
tb_start_sriovd "$LOG" --config "$CONFIG"
vfctl -j monitor >"$EVENTS" 2>&1 &

vf0=$(tb_vf_addr "$pf" 0)
tb_vf_in_ns "$pf" 1 $MAC1 10.77.0.2 || fail "VF 1 cannot be brought up in its namespace"
if1=$tb_vf_if
tb_wait_for 60 test -d "/sys/bus/pci/devices/$vf0/net" || fail "igbvf made no interface for VF 0"
if0=$(tb_netdev "$vf0")
ip addr add 10.77.0.1/24 dev "$if0"
ip link set "$if0" up
tb_wait_for 30 tb_has_carrier "$if0" || fail "$if0 has no carrier"
tb_wait_for 30 reaches || fail "VF 0 cannot ping VF 1 to begin with"
tb_log "ok: VF 0 ($if0, $(mac_of "$if0")) and VF 1 ($if1) ping each other"

# --- a run-time change first: it must outlive the file's change of the same key ---
vfctl set "$pf" vf 1 mac $MAC1_RUN || fail "vfctl set vf 1 mac failed"
tb_wait_for 40 vf1_mac_is $MAC1_RUN || fail "igbvf on VF 1 did not take $MAC1_RUN"

# --- new MACs and a port VLAN in the file ---
write_config "mac = \"$MAC0_FILE\"
vlan = 100" "mac = \"$MAC1_FILE\"
vlan = 100"
reload
tb_wait_for 40 vf0_mac_is $MAC0_FILE || fail "igbvf on VF 0 did not take the file's $MAC0_FILE: it has $(mac_of "$if0")"
tb_wait_for 30 tb_has_carrier "$if0" || fail "VF 0 has no carrier after its MAC changed"
tb_wait_for 30 reaches || fail "VF 0 cannot reach VF 1 with both on VLAN 100"
tb_expect "VF 1's MAC (changed at run time, the file changed it too)" "$(mac_of "$if1" vf1)" $MAC1_RUN
grep -q "VF 1: mac stays $MAC1_RUN (changed at run time" "$LOG" || fail "the log does not say VF 1's run-time MAC was kept"
vfctl -j show "$pf" vf 1 | grep -q "\"mac\":\"runtime\"" || fail "vfctl does not show VF 1's MAC as a run-time value"
vfctl -j show "$pf" vf 0 | grep -q '"vlan":100' || fail "vfctl does not show VF 0's VLAN 100"
grep -q '"event":"config_reloaded".*VF 0: mac' "$EVENTS" || fail "no config_reloaded event said VF 0's MAC changed"
tb_log "ok: VF 0 took $MAC0_FILE and VLAN 100 from the file, VF 1 kept its run-time $MAC1_RUN; they reach each other"

# --- VF 1's VLAN removed (back to none), VF 0's driver changed (needs a restart) ---
write_config "mac = \"$MAC0_FILE\"
vlan = 100" "mac = \"$MAC1_FILE\"" vfio-pci
reload
grep -q "VF 1: vlan 100 -> none" "$LOG" || fail "the log does not say VF 1's VLAN went back to none"
reaches && fail "VF 0 (VLAN 100) still reaches VF 1 after VF 1's VLAN was removed"
grep -q "PF $pf VF 0 driver changed from igbvf to vfio-pci: .*restart sriovd" "$LOG" ||
    fail "the log does not say VF 0's driver needs a restart"
tb_expect "VF 0's driver (the file's change needs a restart)" "$(tb_driver "$vf0")" igbvf
tb_log "ok: VF 1 left VLAN 100 (VF 0 no longer reaches it); VF 0's new driver is reported, not applied"

# Back on one VLAN for the checks below: traffic must keep flowing through the refusals.
write_config "mac = \"$MAC0_FILE\"
vlan = 100" "mac = \"$MAC1_FILE\"
vlan = 100"
reload
tb_wait_for 20 reaches || fail "VF 1 back on VLAN 100 is not reached"

# --- broken files: nothing changes ---
for broken in toml value; do
    if [ $broken = toml ]; then
        write_config "mac = \"$MAC0\"
vlan = " "mac = \"$MAC1\""
    else
        write_config "mac = \"$MAC0\"
vlan = 5000" "mac = \"$MAC1\""
    fi
    reload
    refused $broken
    vfctl -j show "$pf" vf 0 >/tmp/show
    if ! grep -q "\"mac\":\"$MAC0_FILE\"" /tmp/show || ! grep -q '"vlan":100' /tmp/show; then
        fail "VF 0 changed after a broken file: $(cat /tmp/show)"
    fi
    tb_expect "VF 0's MAC after a broken file" "$(mac_of "$if0")" $MAC0_FILE
    reaches || fail "traffic stopped after a broken file"
    tb_log "ok: broken file ($broken) refused, nothing changed: $line"
done
stop_sriovd
tb_log "ok: reloads applied by effect, run-time change kept, restart-only change reported, broken files refused"
exit 0
fi

# --- kernel: PF 0 kept by igb ---
K0=02:00:00:00:16:00
K1=02:00:00:00:16:01
K0_FILE=02:00:00:00:16:10
K1_FILE=02:00:00:00:16:11
kernel_has() {  # kernel_has VF TEXT: the kernel's view of VF shows TEXT (within 10 s)
    tb_wait_for 10 tb_vf_shows "$dev" "$1" "$2" || fail "the kernel's view of vf $1 lacks '$2': $(tb_vf_line "$dev" "$1")"
    tb_log "ok: the kernel's view of vf $1 shows '$2'"
}
# write_config NUM_VFS VF0_LINES VF1_LINES [MORE]: MORE goes before [[pf]].
write_config() {
    cat >"$CONFIG" <<EOF
[daemon]
state_dir = "/tmp/sriovd-state"
$4

[[pf]]
interface = "$dev"
owner = "kernel"
num_vfs = $1

[[pf.vf]]
index = 0
$2

[[pf.vf]]
index = 1
$3
EOF
}

tb_bind "$pf" igb || tb_fail "cannot bind $pf to igb"
tb_wait_for 10 tb_netdev "$pf" >/dev/null || tb_fail "igb made no interface for $pf"
dev=$(tb_netdev "$pf")
ip link set "$dev" up || tb_fail "cannot bring $dev up"
write_config 2 "mac = \"$K0\"
vlan = 10" "mac = \"$K1\"
trust = true"
tb_start_sriovd "$LOG" --config "$CONFIG"
vfctl -j monitor >"$EVENTS" 2>&1 &
kernel_has 0 "link/ether $K0"
kernel_has 0 "vlan 10"
kernel_has 1 "trust on"

vfctl set "$dev" vf 1 vlan 30 || fail "vfctl set vf 1 vlan 30 failed"
kernel_has 1 "vlan 30"

# --- new values, a count of 3, and [metrics] (needs a restart) ---
write_config 3 "mac = \"$K0_FILE\"
vlan = 11" "mac = \"$K1_FILE\"
vlan = 20" '
[metrics]
listen = "127.0.0.1:9469"'
reload
kernel_has 0 "link/ether $K0_FILE"
kernel_has 0 "vlan 11"
kernel_has 1 "link/ether $K1_FILE"
kernel_has 1 "vlan 30"
kernel_has 1 "trust off"
grep -q "VF 1: vlan stays 30 (changed at run time" "$LOG" || fail "the log does not say VF 1's run-time VLAN was kept"
grep -q "\[metrics\] listen changed from none to 127.0.0.1:9469: .*restart sriovd" "$LOG" ||
    fail "the log does not say [metrics] listen needs a restart"
# 9469 is 24FD: no socket listens on it (state 0A) in /proc/net/tcp.
grep -q ":24FD [0-9A-F:]* 0A" /proc/net/tcp && fail "something listens on 127.0.0.1:9469 after the reload"
tb_wait_for 30 grep -qx 3 "/sys/bus/pci/devices/$pf/sriov_numvfs" ||
    fail "sriov_numvfs is $(cat "/sys/bus/pci/devices/$pf/sriov_numvfs"), not the file's 3"
grep -q '"event":"config_reloaded".*num_vfs 2 -> 3' "$EVENTS" || fail "no config_reloaded event said num_vfs 2 -> 3"
# The count is still the file's (origin config): the state file does not mark it as run-time.
grep -q '"num_vfs_origin"' /tmp/sriovd-state/state-"$pf".json && fail "the file's VF count was kept as a run-time change"
kernel_has 0 "link/ether $K0_FILE"
kernel_has 1 "vlan 30"
tb_log "ok: the kernel took the file's MAC, VLAN, trust and VF count; VF 1's run-time VLAN stayed; [metrics] reported"

# --- a value out of range: nothing changes ---
write_config 3 "mac = \"$K0\"
vlan = 5000" "mac = \"$K1\""
reload
refused value
kernel_has 0 "link/ether $K0_FILE"
kernel_has 0 "vlan 11"
tb_expect "sriov_numvfs after a broken file" "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" 3
tb_log "ok: the broken file was refused, the kernel's view did not change: $line"
stop_sriovd
tb_log "ok: reloads on a kernel-owned PF checked in the kernel's view"
