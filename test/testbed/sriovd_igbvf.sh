#!/bin/sh
# sriovd as the PF of the kernel's igbvf: the user-space PF answers igbvf's reset handshake with
# the MAC it was told to give, serves igbvf's requests, and stops cleanly on SIGTERM.
#
# Usage (in the guest): sriovd_igbvf.sh [ping]
#   Without an argument: VF 0 on igbvf (VF 1 on vfio-pci). igbvf must come up with exactly the
#   MAC given to sriovd, get link (which needs a PF message carrying CTS) and sriovd's log must
#   show VF 0's reset answered; after SIGTERM sriovd must exit 0, have seen interrupts (it has no
#   other way to learn of mailbox events) and have removed the VFs.
#   With "ping": both VFs on igbvf, VF 1 in a network namespace of its own; they ping each other
#   through the 82576's internal switch.
. /lib/testbed.sh

MODE=${1:-mac}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)
sys=/sys/bus/pci/devices/$pf

# fail MESSAGE: show sriovd's log, then fail.
fail() {
    echo "---- sriovd log ----"
    cat "$LOG"
    echo "---- end of sriovd log ----"
    tb_fail "$*"
}

# mac_of IFACE: the MAC address the real iproute2 shows for IFACE.
mac_of() {
    ip -o link show dev "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

carrier_is() {
    [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = "$2" ]
}

# up_with_mac VF_INDEX MAC: wait for VF n's igbvf interface, check its MAC, bring it up, wait for
# carrier. Prints the interface name.
up_with_mac() {
    _vf=$(tb_vf_addr "$pf" "$1") || fail "no VF $1"
    tb_wait_for 60 test -d "/sys/bus/pci/devices/$_vf/net" || fail "igbvf made no interface for VF $1 ($_vf)"
    _if=$(tb_netdev "$_vf")
    tb_expect "VF $1 ($_vf, $_if) MAC shown by ip link" "$(mac_of "$_if")" "$2" >&2
    ip link set "$_if" up || fail "cannot bring $_if up"
    tb_wait_for 30 carrier_is "$_if" 1 || fail "$_if has no carrier: igbvf saw no link or no CTS from the PF"
    tb_log "ok: VF $1 ($_if) is up with carrier" >&2
    echo "$_if"
}

modprobe igbvf || tb_fail "cannot load igbvf"

if [ "$MODE" = ping ]; then
    drivers="--vf-driver 0=igbvf --vf-driver 1=igbvf"
else
    drivers="--vf-driver 0=igbvf"
fi
tb_log "starting sriovd"
# shellcheck disable=SC2086
tb_start_sriovd "$LOG" --verbose --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 $drivers --token-file "$TOKEN" \
    --state-dir /tmp/sriovd-state --remove-vfs-on-exit

tb_log "sriovd is ready: $(grep 'ready:' "$LOG" | sed 's/.*ready: //')"
tb_expect "PF driver" "$(tb_driver "$pf")" vfio-pci
tb_expect "sriov_numvfs" "$(cat "$sys/sriov_numvfs")" 2
[ -s "$TOKEN" ] || fail "no VF token in $TOKEN"

if0=$(up_with_mac 0 "$MAC0")
grep -q "VF 0: VF_RESET -> ACK: MAC $MAC0" "$LOG" || fail "sriovd's log shows no VF_RESET answered for VF 0"
tb_log "ok: sriovd answered VF 0's VF_RESET with $MAC0"

if [ "$MODE" = ping ]; then
    if1=$(up_with_mac 1 "$MAC1")
    ip netns add vf1 || fail "cannot create a network namespace"
    ip link set "$if1" netns vf1 || fail "cannot move $if1 into namespace vf1"
    ip addr add 10.77.0.1/24 dev "$if0" || fail "cannot address $if0"
    ip -n vf1 addr add 10.77.0.2/24 dev "$if1" || fail "cannot address $if1"
    ip -n vf1 link set "$if1" up || fail "cannot bring $if1 up in vf1"
    ip -n vf1 link set lo up
    tb_wait_for 30 ip netns exec vf1 sh -c "grep -qx 1 /sys/class/net/$if1/carrier" ||
        fail "$if1 lost its carrier in namespace vf1"
    ping -c 3 -W 5 10.77.0.2 || fail "VF 0 ($if0) cannot ping VF 1 ($if1) through the internal switch"
    ip netns exec vf1 ping -c 3 -W 5 10.77.0.1 || fail "VF 1 ($if1) cannot ping VF 0 ($if0)"
    tb_log "ok: VF 0 and VF 1 ping each other through the 82576's switch"
fi

tb_log "stopping sriovd with SIGTERM"
kill -TERM "$sriovd_pid"
# Stopped: gone, or a zombie waiting for us to collect its status.
tb_wait_for 60 tb_exited "$sriovd_pid" ||
    fail "sriovd did not stop within 60 s of SIGTERM"
wait "$sriovd_pid"
status=$?
tb_expect "sriovd exit status" "$status" 0
tb_expect "sriov_numvfs after sriovd stopped" "$(cat "$sys/sriov_numvfs")" 0
[ -e "$TOKEN" ] && fail "sriovd left its VF token file $TOKEN behind"
interrupts=$(sed -n 's/.*served \([0-9]*\) interrupts.*/\1/p' "$LOG")
[ "${interrupts:-0}" -gt 0 ] || fail "sriovd reports no interrupts"
tb_log "ok: sriovd stopped cleanly; $(grep 'served' "$LOG" | sed 's/.*: served/served/')"
echo "---- sriovd log ----"
cat "$LOG"
tb_log "sriovd/igbvf scenario ($MODE) passed"
