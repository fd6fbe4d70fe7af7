#!/bin/sh
# sriovd on a PF its kernel driver keeps (issue 13), in two parts that share the set-up below (the
# kernel's igb on PF 0, its interface up with an address, igbvf loaded):
#
# Everything is checked by its effect or by the kernel's own view (`ip -d link show`, the igbvf
# interfaces, ping, the kernel log), never by asking sriovd.
#
# sriovd_kernel_pf.sh settings
#   sriovd, named the PF by its interface, creates 3 VFs, sets them through rtnetlink and binds
#   igbvf. The same sriovd owns PF 1 from user space (owner "sriovd", taken from igb with
#   --take-over, which leaves PF 0 alone).
#    - the PF keeps igb, its interface stays up with its address;
#    - the igbvf interfaces come up with the configured MACs; VFs 0 and 1 (VLAN 10) reach each
#      other, VF 2 (VLAN 20) reaches neither;
#    - all or none: with the wire down, `vfctl set ... mac X max_tx_rate 100` fails with igb's
#      refusal of the rate and the kernel's view keeps the old MAC; `state disable` is refused with
#      a line naming igb and the setting;
#    - drift: `ip link set PF vf 1 mac X` and `... vlan 7` behind sriovd's back are reported as
#      drift events and put back within 2 s, and VF 0 reaches VF 1 again;
#    - an untrusted VF's own MAC change fails; after `vfctl set ... trust on` it succeeds and is kept;
#    - `vfctl -s show` says the counters are not reported by igb.
#   Needs the QEMU monitor (the wire is taken down once).
#
# sriovd_kernel_pf.sh life
#   The PF over time: what sriovd leaves alone, what it only reports, its own restarts, and the PF
#   driver's reload. The config lists VF 0 and VF 1 (igbvf, VF 1 with on_drift = "report") and
#   leaves VF 2 out.
#    - report: VF 1's MAC changed behind sriovd's back is a drift event, is left as it is, and
#      `vfctl show` marks it; `vfctl reset PF vf 1` puts the desired MAC back;
#    - unmanaged: VF 2 changed the same way keeps the change and raises no event;
#    - restart: across SIGTERM and kill -9 of sriovd and its restart, VF 0 pings VF 1 without a
#      loss, sriov_numvfs is never written (no SR-IOV line in the kernel log), the igbvf interfaces
#      keep their ifindex and the PF's carrier never drops;
#    - reload: igb unbound from the PF and bound again, its interface brought up as the host's
#      network configuration would: within 10 s the VF count, the settings and igbvf are back, and
#      VF 0 pings VF 1 again;
#    - `vfctl set PF numvfs 2`: the count changes, VFs 0 and 1 come back with their settings.
. /lib/testbed.sh
[ "$1" = settings ] || [ "$1" = life ] || tb_fail "usage: sriovd_kernel_pf.sh settings|life"

CONFIG=/etc/sriovd/sriovd.toml
LOG=/tmp/sriovd.log
EVENTS=/tmp/events.log
NET=10.78.0
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
no_carrier() { [ "$(cat "/sys/class/net/$1/carrier")" = 0 ]; }
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
ip addr add 192.0.2.1/24 dev "$dev" || tb_fail "cannot address $dev"
ifindex=$(cat "/sys/class/net/$dev/ifindex")
mkdir -p /etc/sriovd

if [ "$1" = settings ]; then
MAC0=02:00:00:00:13:00
MAC1=02:00:00:00:13:01
MAC2=02:00:00:00:13:02
pf1=$(tb_pf_addr 1)
cat >"$CONFIG" <<EOF
[[pf]]
interface = "$dev"
num_vfs = 3

[[pf.vf]]
index = 0
mac = "$MAC0"
vlan = 10
driver = "igbvf"

[[pf.vf]]
index = 1
mac = "$MAC1"
vlan = 10
driver = "igbvf"

[[pf.vf]]
index = 2
mac = "$MAC2"
vlan = 20
driver = "igbvf"

[[pf]]
pci = "$pf1"
owner = "sriovd"
num_vfs = 1
EOF
tb_log "--- sriovd on $dev (igb), 3 VFs"
tb_start_sriovd "$LOG" --verbose --take-over --config "$CONFIG"
vfctl monitor >"$EVENTS" 2>&1 &
monitor_pid=$!

# Run as root with no group: what it keeps is CAP_NET_ADMIN alone (bit 12), for rtnetlink.
grep -q "privileges: kept net_admin alone" "$LOG" || tb_wait_for 10 grep -q "privileges: kept net_admin alone" "$LOG" ||
    fail "sriovd does not say it kept CAP_NET_ADMIN alone"
for status in /proc/"$sriovd_pid"/task/*/status; do
    for set in CapEff CapPrm CapBnd; do
        value=$(sed -n "s/^$set:[[:space:]]*//p" "$status")
        [ "$value" = 0000000000001000 ] || fail "sriovd thread $status: $set $value, not CAP_NET_ADMIN alone"
    done
done
tb_log "ok: every sriovd thread holds CAP_NET_ADMIN alone (effective, permitted, bounding)"
tb_expect "PF 0's driver" "$(tb_driver "$pf")" igb
tb_expect "PF 1's driver (owned by sriovd)" "$(tb_driver "$pf1")" vfio-pci
tb_expect "PF 1's VF count" "$(cat "/sys/bus/pci/devices/$pf1/sriov_numvfs")" 1
vfctl -j show | grep -q '"owner":"kernel"' || fail "vfctl show lacks the kernel-owned PF"
vfctl -j show | grep -q '"owner":"sriovd"' || fail "vfctl show lacks the PF sriovd owns"
vfctl show
tb_expect "the PF's interface" "$(tb_netdev "$pf")" "$dev"
tb_expect "its ifindex" "$(cat "/sys/class/net/$dev/ifindex")" "$ifindex"
ip link show "$dev" | grep -q "<.*UP.*>" || fail "$dev is no longer administratively up"
ip addr show "$dev" | grep -q "192.0.2.1/24" || fail "$dev lost its address"
tb_expect "sriov_numvfs" "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" 3
ip -d link show "$dev"
kernel_has 0 "link/ether $MAC0"
kernel_has 0 "vlan 10"
kernel_has 2 "vlan 20"

tb_log "--- the VFs as igbvf sees them, and who reaches whom"
up_in_ns 0 "$MAC0"
up_in_ns 1 "$MAC1"
up_in_ns 2 "$MAC2"
tb_wait_for 20 reaches 0 1 || fail "VF 0 does not reach VF 1 on VLAN 10"
tb_log "ok: VF 0 reaches VF 1 (VLAN 10)"
if reaches 0 2 || reaches 2 1; then fail "VF 2 (VLAN 20) is reached from VLAN 10"; fi
tb_log "ok: VF 2 (VLAN 20) reaches neither"

tb_log "--- all or none, with the wire down"
tb_monitor set_link n0 off || fail "the harness cannot take the wire down"
tb_wait_for 20 no_carrier "$dev" || fail "$dev still has carrier"
if out=$(vfctl set "$dev" vf 0 mac 02:00:00:00:13:aa max_tx_rate 100 2>&1); then
    fail "vfctl set mac + max_tx_rate succeeded with the wire down: $out"
fi
tb_log "vfctl: $out"
case "$out" in *igb*max_tx_rate*) ;; *) fail "the refusal does not name igb and the rate: $out" ;; esac
kernel_has 0 "link/ether $MAC0"
if out=$(vfctl set "$dev" vf 0 state disable 2>&1); then fail "igb took a VF link state: $out"; fi
tb_log "vfctl: $out"
case "$out" in *igb*state*) ;; *) fail "the refusal does not name igb and the setting: $out" ;; esac
tb_monitor set_link n0 on || fail "the harness cannot bring the wire back"
tb_wait_for 30 tb_has_carrier "$dev" || fail "$dev has no link after the wire came back"

tb_log "--- drift: VF 1 changed behind sriovd's back"
ip link set "$dev" vf 1 mac 02:00:00:00:13:bb || fail "ip link set vf 1 mac failed"
tb_wait_for 3 vf_shows 1 "link/ether $MAC1" ||
    fail "VF 1's MAC was not put back within 3 s: $(vf_line 1)"
kernel_has 1 "link/ether $MAC1"
ip link set "$dev" vf 1 vlan 7 || fail "ip link set vf 1 vlan failed"
tb_wait_for 3 vf_shows 1 "vlan 10" ||
    fail "VF 1's VLAN was not put back within 3 s: $(vf_line 1)"
tb_wait_for 5 grep -q 'drift' "$EVENTS" || fail "no drift event in vfctl monitor"
tb_log "ok: drift reported: $(grep drift "$EVENTS" | head -2)"
tb_wait_for 20 reaches 0 1 || fail "VF 0 does not reach VF 1 after the drift was put back"
tb_log "ok: VF 0 reaches VF 1 again"

tb_log "--- an untrusted VF picks its own MAC"
if in_ns vf2 ip link set "$vf2_if" address 02:00:00:00:13:cc 2>/dev/null &&
    sleep 2 && vf_line 2 | grep -q 02:00:00:00:13:cc; then
    fail "untrusted VF 2 changed its MAC"
fi
kernel_has 2 "link/ether $MAC2"
vfctl set "$dev" vf 2 trust on || fail "vfctl set trust on failed"
kernel_has 2 "trust on"
in_ns vf2 ip link set "$vf2_if" address 02:00:00:00:13:cc || fail "trusted VF 2 cannot change its MAC"
tb_wait_for 5 vf_shows 2 02:00:00:00:13:cc ||
    fail "the kernel does not show VF 2's own MAC: $(vf_line 2)"
sleep 3
kernel_has 2 "link/ether 02:00:00:00:13:cc"
tb_log "ok: a trusted VF's own MAC is kept, not put back"

tb_log "--- counters"
out=$(vfctl -s show "$dev" 2>&1) || fail "vfctl -s show failed: $out"
echo "$out"
echo "$out" | grep -q "not reported by igb" || fail "vfctl -s show does not say igb reports no counters"
vfctl -j -s show "$dev" | grep -q '"traffic":"not_reported"' || fail "vfctl -j -s show lacks the marker"

kill "$monitor_pid" 2>/dev/null
kill "$sriovd_pid"
tb_wait_for 30 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
tb_expect "sriov_numvfs after sriovd stopped" "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" 3
tb_log "PASS"
exit 0
fi

MAC0=02:00:00:00:14:00
MAC1=02:00:00:00:14:01
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
