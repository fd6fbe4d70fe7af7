#!/bin/sh
# A kernel-owned PF over time (issue 13): what sriovd leaves alone, what it only reports, its own
# restarts, and the PF driver's reload. igb keeps PF 0; the config lists VF 0 and VF 1 (igbvf,
# VF 1 with on_drift = "report") and leaves VF 2 out. Checked by the kernel's view and by traffic:
#  - report: VF 1's MAC changed behind sriovd's back is a drift event, is left as it is, and
#    `vfctl show` marks it; `vfctl reset PF vf 1` puts the desired MAC back;
#  - unmanaged: VF 2 changed the same way keeps the change and raises no event;
#  - restart: across SIGTERM and kill -9 of sriovd and its restart, VF 0 pings VF 1 without a
#    loss, sriov_numvfs is never written (no SR-IOV line in the kernel log), the igbvf interfaces
#    keep their ifindex and the PF's carrier never drops;
#  - reload: igb unbound from the PF and bound again, its interface brought up as the host's
#    network configuration would: within 10 s the VF count, the settings and igbvf are back, and
#    VF 0 pings VF 1 again;
#  - `vfctl set PF numvfs 2`: the count changes, VFs 0 and 1 come back with their settings.
. /lib/testbed.sh

CONFIG=/etc/sriovd/sriovd.toml
LOG=/tmp/sriovd.log
EVENTS=/tmp/events.log
NET=10.79.0
MAC0=02:00:00:00:14:00
MAC1=02:00:00:00:14:01
pf=$(tb_pf_addr 0)
sys=/sys/bus/pci/devices/$pf

fail() {
    tb_show_logs "$LOG" "$EVENTS"
    ip -d link show "$dev" 2>/dev/null
    tb_fail "$*"
}
in_ns() { ip netns exec "$@"; }
vf_line() { tb_vf_line "$dev" "$1"; }
vf_shows() { tb_vf_shows "$dev" "$1" "$2"; }
kernel_has() {
    vf_shows "$1" "$2" || fail "the kernel's view of vf $1 lacks '$2': $(vf_line "$1")"
    tb_log "ok: the kernel's view of vf $1 shows '$2'"
}
# up_in_ns VF MAC: VF's interface has MAC; in namespace vfN as NET.(N+1); its name in vfN_if.
up_in_ns() {
    tb_vf_in_ns "$pf" "$1" "$2" "$NET.$(($1 + 1))" || fail "VF $1 cannot be brought up in its namespace"
    eval "vf$1_if=$tb_vf_if"
}
reaches() { in_ns "vf$1" ping -c 1 -W 1 "$NET.$(($2 + 1))" >/dev/null 2>&1; }
ifindex_in() { in_ns "vf$1" cat "/sys/class/net/$2/ifindex"; }

modprobe igbvf || tb_fail "cannot load igbvf"
tb_bind "$pf" igb || tb_fail "cannot bind $pf to igb"
tb_wait_for 10 tb_netdev "$pf" >/dev/null || tb_fail "igb made no interface for $pf"
dev=$(tb_netdev "$pf")
ip link set "$dev" up || tb_fail "cannot bring $dev up"

mkdir -p /etc/sriovd
cat >"$CONFIG" <<EOF
[[pf]]
interface = "$dev"
owner = "kernel"
num_vfs = 3

[[pf.vf]]
index = 0
mac = "$MAC0"
driver = "igbvf"

[[pf.vf]]
index = 1
mac = "$MAC1"
driver = "igbvf"
on_drift = "report"
EOF
tb_start_sriovd "$LOG" --verbose --config "$CONFIG"
vfctl monitor >"$EVENTS" 2>&1 &
up_in_ns 0 "$MAC0"
up_in_ns 1 "$MAC1"
tb_wait_for 20 reaches 0 1 || fail "VF 0 does not reach VF 1"
tb_log "ok: VF 0 reaches VF 1"

tb_log "--- on_drift = report: VF 1's MAC changed behind sriovd's back"
ip link set "$dev" vf 1 mac 02:00:00:00:14:bb || fail "ip link set vf 1 mac failed"
tb_wait_for 5 grep -q "vf 1 drift" "$EVENTS" || fail "no drift event for VF 1"
tb_log "ok: $(grep "vf 1 drift" "$EVENTS" | head -1)"
sleep 2
kernel_has 1 "link/ether 02:00:00:00:14:bb"
vfctl show "$dev" | tee /tmp/show.txt
grep -q "drift: mac 02:00:00:00:14:bb" /tmp/show.txt || fail "vfctl show does not mark VF 1's drift"
vfctl reset "$dev" vf 1 || fail "vfctl reset vf 1 failed"
kernel_has 1 "link/ether $MAC1"

tb_log "--- VF 2 is not listed: sriovd leaves it as others set it"
ip link set "$dev" vf 2 mac 02:00:00:00:14:cc vlan 5 || fail "ip link set vf 2 failed"
sleep 3
kernel_has 2 "link/ether 02:00:00:00:14:cc"
kernel_has 2 "vlan 5"
grep -q "vf 2 drift" "$EVENTS" && fail "a drift event for unlisted VF 2"
tb_log "ok: no drift event for VF 2"
vfctl set "$dev" vf 2 trust on 2>/tmp/refused.txt && fail "vfctl changed unlisted VF 2"
tb_log "ok: vfctl refuses VF 2: $(cat /tmp/refused.txt)"

tb_log "--- restarts: SIGTERM, then kill -9"
tb_wait_for 20 reaches 0 1 || fail "VF 0 does not reach VF 1 after VF 1's reset"
echo "sriovd_kernel_pf_life: restarts" >/dev/kmsg
ifindex0=$(ifindex_in 0 "$vf0_if")
ifindex1=$(ifindex_in 1 "$vf1_if")
carrier_changes=$(cat "/sys/class/net/$dev/carrier_changes")
in_ns vf0 ping -i 0.2 -c 60 "$NET.2" >/tmp/ping.txt 2>&1 &
ping_pid=$!
sleep 2
for signal in TERM KILL; do
    kill -"$signal" "$sriovd_pid"
    tb_wait_for 30 tb_exited "$sriovd_pid" || fail "sriovd did not stop on SIG$signal"
    wait "$sriovd_pid" 2>/dev/null
    tb_log "sriovd stopped by SIG$signal; starting it again"
    tb_start_sriovd "$LOG.$signal" --verbose --config "$CONFIG"
    grep -q "VF count" "$LOG.$signal" && fail "the restarted sriovd wrote the VF count"
    grep -q "setting(s) applied" "$LOG.$signal" && fail "the restarted sriovd rewrote settings that matched"
    sleep 2
done
wait "$ping_pid"
tb_log "ping: $(tail -2 /tmp/ping.txt | tr '\n' ' ')"
grep -q " 0% packet loss" /tmp/ping.txt || fail "VF 0 lost pings to VF 1 across the restarts"
tb_expect "VF 0's ifindex" "$(ifindex_in 0 "$vf0_if")" "$ifindex0"
tb_expect "VF 1's ifindex" "$(ifindex_in 1 "$vf1_if")" "$ifindex1"
tb_expect "$dev's carrier changes" "$(cat "/sys/class/net/$dev/carrier_changes")" "$carrier_changes"
# igb logs "N VFs allocated" when VFs are enabled and "IOV Disabled" when they are removed: the
# first start did the one, the restarts must do neither.
dmesg | sed -n '1,/sriovd_kernel_pf_life: restarts/p' | grep -q "VFs allocated" ||
    fail "the kernel log never showed igb allocating the VFs: this check would see nothing"
dmesg | sed -n '/sriovd_kernel_pf_life: restarts/,$p' | grep "VFs allocated\|IOV Disabled" &&
    fail "the kernel log shows a VF count change across the restarts"
tb_log "ok: igb allocated the VFs once, at the first start, and not across the restarts"
LOG=$LOG.KILL
# vfctl monitor ended with the sriovd it watched.
vfctl monitor >>"$EVENTS" 2>&1 &
sleep 1

tb_log "--- the PF's driver reloaded"
echo "$pf" >/sys/bus/pci/drivers/igb/unbind || fail "cannot unbind igb"
tb_wait_for 10 grep -q "pf_reloaded" "$EVENTS" || fail "no event said the PF went away"
tb_bind "$pf" igb || fail "cannot bind $pf to igb again"
tb_wait_for 10 tb_netdev "$pf" >/dev/null || fail "igb made no interface for $pf"
dev=$(tb_netdev "$pf")
ip link set "$dev" up || fail "cannot bring $dev up"
start=$(date +%s)
tb_wait_for 10 grep -qx 3 "$sys/sriov_numvfs" || fail "the VF count is not back within 10 s"
tb_wait_for 10 vf_shows 1 "link/ether $MAC1" || fail "VF 1's MAC is not back within 10 s"
kernel_has 0 "link/ether $MAC0"
for n in 0 1; do
    vf=$(tb_vf_addr "$pf" "$n") || fail "no VF $n"
    tb_wait_for 10 test "$(tb_driver "$vf")" = igbvf || fail "VF $n is not on igbvf again"
done
tb_log "ok: VF count, settings and igbvf back $(($(date +%s) - start)) s after $dev came up"
tb_wait_for 10 grep -q "pf_reloaded.*back" "$EVENTS" || fail "no event said the VFs were re-applied"
up_in_ns 0 "$MAC0"
up_in_ns 1 "$MAC1"
tb_wait_for 20 reaches 0 1 || fail "VF 0 does not reach VF 1 after the reload"
tb_log "ok: VF 0 reaches VF 1 after the reload"

tb_log "--- the VF count changed at run time: 3 -> 2"
vfctl set "$dev" numvfs 2 || fail "vfctl set numvfs 2 failed"
tb_wait_for 30 grep -q "now 2 VFs" "$EVENTS" || fail "no event said the count changed"
tb_expect "sriov_numvfs" "$(cat "$sys/sriov_numvfs")" 2
kernel_has 0 "link/ether $MAC0"
kernel_has 1 "link/ether $MAC1"
up_in_ns 0 "$MAC0"
up_in_ns 1 "$MAC1"
tb_wait_for 20 reaches 0 1 || fail "VF 0 does not reach VF 1 after the count changed"
tb_log "ok: VF 0 reaches VF 1 with 2 VFs"
tb_log "PASS"
