#!/bin/sh
# Port VLANs given by sriovd: three igbvf VFs, each in a network namespace of its own with an
# address in one subnet. VF 0 and VF 1 share a port VLAN and must reach each other through the
# 82576's internal switch; VF 2 is on another VLAN and must not be reachable from VF 0, nor reach
# VF 0, by broadcast (ARP) or by unicast (with the neighbour entered by hand). vfctl then moves VF 2
# to VF 0's VLAN at run time (VF 0 reaches it) and back (it does not).
#
# So that those failures mean VLAN isolation and not a broken VF 2 or a dead switch, a peer on the
# wire (PF 1 under the kernel's igb, cabled to PF 0) has an address only on VF 2's VLAN: VF 2 and
# the peer must ping each other (VF 2 works, and its frames leave tagged with its VLAN), and the
# peer must not reach VF 0. For every unicast that must not arrive, the receiver's count of ICMP
# echo requests (InEchos, per namespace) must not move: the request itself was dropped on the way
# in, not merely its answer. The reachable pairs are pinged again at the end, after the negative
# checks. QEMU's igb applies VFTA/VLVF filtering and VMVIR insertion, also to VF-to-VF traffic, so
# none of this passes merely because the emulator ignores VLANs.
#
# Each VF sends broadcasts (ARP requests) that also leave by PF 0's wire, which the harness records;
# once the guest has passed, the host reads the recording (pcap_vlan_tags.py, the CHECK of this
# scenario): every frame a VF put on the wire must carry its port VLAN's tag with the configured
# priority, broadcasts included.
#
# Usage (in the guest): sriovd_port_vlan.sh MAC0=VID0/PCP0 MAC1=VID1/PCP1 MAC2=VID2/PCP2
#   VF n gets MACn, port VLAN VIDn and priority PCPn. VID0 and VID1 are meant to be equal and
#   VID2 another; the scenario fails if VF 0 can reach VF 2.
# Needs --pfs 2 --wire.
. /lib/testbed.sh

[ $# -eq 3 ] || tb_fail "usage: sriovd_port_vlan.sh MAC0=VID0/PCP0 MAC1=VID1/PCP1 MAC2=VID2/PCP2"
[ "$TB_WIRE" = 1 ] || tb_fail "this scenario needs PF 0 cabled to PF 1 (--pfs 2 --wire)"

CONFIG=/etc/sriovd/sriovd.toml
LOG=/tmp/sriovd.log
NET=10.77.0
PEER_ADDR=$NET.4
pf=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)
sys=/sys/bus/pci/devices/$pf

fail() {
    echo "---- sriovd log ----"
    cat "$LOG"
    echo "---- end of sriovd log ----"
    tb_fail "$*"
}

# The VFs' settings from the arguments (MAC=VID/PCP).
setting_mac() { echo "${1%%=*}"; }
setting_vid() { _t=${1#*=}; echo "${_t%%/*}"; }
setting_pcp() { echo "${1##*/}"; }
for spec in "$@"; do
    case "$spec" in
        *=*/*) ;;
        *) tb_fail "'$spec' is not MAC=VID/PCP" ;;
    esac
done
mac0=$(setting_mac "$1") vid0=$(setting_vid "$1") pcp0=$(setting_pcp "$1")
mac1=$(setting_mac "$2") vid1=$(setting_vid "$2") pcp1=$(setting_pcp "$2")
mac2=$(setting_mac "$3") vid2=$(setting_vid "$3") pcp2=$(setting_pcp "$3")

# The namespace of VF n is vfn, its address $NET.(n+1); the peer's namespace is "peer".
# in_ns NS COMMAND...: COMMAND in namespace NS.
in_ns() {
    ip netns exec "$@"
}

# answers NS ADDR: one echo request from NS to ADDR gets its reply within 2 s.
answers() {
    in_ns "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1
}

# reach NS ADDR WHAT: NS gets an answer from ADDR within 30 s (the first may wait for ARP).
reach() {
    tb_wait_for 30 answers "$1" "$2" || fail "$3: no echo reply from $2 in namespace $1"
    tb_log "ok: $3"
}

# in_echos NS: how many ICMP echo requests the IP stack of namespace NS has received.
in_echos() {
    in_ns "$1" awk '/^Icmp:/ { if (!col) { for (i = 1; i <= NF; i++) if ($i == "InEchos") col = i }
                               else { print $col; exit } }' /proc/net/snmp
}

# unreachable NS ADDR TO_NS WHAT: NS sends 3 echo requests to ADDR (whose neighbour entry is
# static, so no ARP is involved), one a second, and waits 1 s more; none may be answered, and the
# stack of TO_NS (where ADDR lives) must not have received any of them.
unreachable() {
    _before=$(in_echos "$3")
    _out=$(in_ns "$1" ping -c 3 -W 1 -w 4 "$2" 2>&1)
    _after=$(in_echos "$3")
    _sent=$(echo "$_out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
    _got=$(echo "$_out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
    [ "${_sent:-0}" -ge 1 ] || fail "$4: ping sent nothing: $_out"
    [ "$_got" = 0 ] || fail "$4: $_got of $_sent echo requests from namespace $1 to $2 were answered"
    [ "$_after" = "$_before" ] ||
        fail "$4: namespace $3 received $((_after - _before)) echo requests (InEchos $_before -> $_after)"
    tb_log "ok: $4 ($_sent echo requests, none answered; InEchos of $3 stayed at $_after)"
}

# up_in_ns N MAC VID: wait for VF N's igbvf interface, check that it has MAC, move it into
# namespace vfN with address $NET.(N+1)/24 and bring it up with carrier there. Sets vf_if to the
# interface's name.
up_in_ns() {
    tb_vf_in_ns "$pf" "$1" "$2" "$NET.$(($1 + 1))" || fail "VF $1 cannot be brought up in namespace vf$1"
    vf_if=$tb_vf_if
    tb_log "ok: VF $1 ($vf_if) is up in namespace vf$1 as $NET.$(($1 + 1)), port VLAN $3"
}

modprobe igbvf || tb_fail "cannot load igbvf"
modprobe 8021q || tb_fail "cannot load 8021q"

# The peer: PF 1 under igb, in namespace "peer", with an address only on VF 2's VLAN.
tb_bind "$pf1" igb || tb_fail "cannot bind $pf1 to igb"
tb_wait_for 10 tb_netdev "$pf1" >/dev/null || tb_fail "no interface for $pf1"
peer_if=$(tb_netdev "$pf1")
ip netns add peer || tb_fail "cannot create namespace peer"
ip link set "$peer_if" netns peer || tb_fail "cannot move $peer_if into namespace peer"
ip -n peer link set lo up
ip -n peer link set "$peer_if" up || tb_fail "cannot bring $peer_if up"
ip -n peer link add link "$peer_if" name "peer.$vid2" type vlan id "$vid2" ||
    tb_fail "cannot add VLAN $vid2 on $peer_if"
ip -n peer addr add "$PEER_ADDR/24" dev "peer.$vid2"
ip -n peer link set "peer.$vid2" up || tb_fail "cannot bring peer.$vid2 up"

mkdir -p "$(dirname "$CONFIG")"
cat >"$CONFIG" <<EOF
[daemon]
state_dir = "/tmp/sriovd-state"
remove_vfs_on_exit = true

[[pf]]
pci = "$pf"
owner = "sriovd"
num_vfs = 3

[[pf.vf]]
index = 0
mac = "$mac0"
vlan = $vid0
qos = $pcp0
driver = "igbvf"

[[pf.vf]]
index = 1
mac = "$mac1"
vlan = $vid1
qos = $pcp1
driver = "igbvf"

[[pf.vf]]
index = 2
mac = "$mac2"
vlan = $vid2
qos = $pcp2
driver = "igbvf"
EOF
tb_log "starting sriovd: VF 0 on VLAN $vid0 priority $pcp0, VF 1 on VLAN $vid1 priority $pcp1," \
       "VF 2 on VLAN $vid2 priority $pcp2"
# Loading igb for the peer bound PF 0 to it too. Without --take-over sriovd leaves it there and
# says why; with it, sriovd takes the PF, as an operator would ask.
if sriovd --foreground --config "$CONFIG" >/tmp/refused.log 2>&1; then
    fail "sriovd took PF 0 from igb without --take-over"
fi
grep -q "bound to igb (network interface .*--take-over" /tmp/refused.log ||
    fail "sriovd's refusal does not say why: $(cat /tmp/refused.log)"
tb_expect "PF 0's driver after the refusal" "$(tb_driver "$pf")" igb
sriovd --foreground --verbose --take-over --config "$CONFIG" >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
tb_expect "sriov_numvfs" "$(cat "$sys/sriov_numvfs")" 3

up_in_ns 0 "$mac0" "$vid0"
if0=$vf_if
up_in_ns 1 "$mac1" "$vid1"
if1=$vf_if
up_in_ns 2 "$mac2" "$vid2"
if2=$vf_if
tb_wait_for 30 in_ns peer grep -qx 1 "/sys/class/net/$peer_if/carrier" ||
    fail "the peer ($peer_if) has no link"

# Same VLAN: VF 0 and VF 1 reach each other, by unicast and by broadcast (each arping broadcasts
# its ARP requests: they also go out by the wire, for the host's check of the tags).
reach vf0 "$NET.2" "VF 0 pings VF 1 (both on VLAN $vid0)"
reach vf1 "$NET.1" "VF 1 pings VF 0"
in_ns vf0 arping -f -c 3 -w 5 -I "$if0" "$NET.2" >/dev/null ||
    fail "VF 0's ARP broadcast got no answer from VF 1"
in_ns vf1 arping -f -c 3 -w 5 -I "$if1" "$NET.1" >/dev/null ||
    fail "VF 1's ARP broadcast got no answer from VF 0"
tb_log "ok: VF 0 and VF 1 answer each other's ARP broadcasts"

# VF 2 works on its own VLAN: it and the peer, which listens only on that VLAN, ping each other,
# and the peer's echo requests are counted by VF 2's stack.
reach vf2 "$PEER_ADDR" "VF 2 pings the peer on the wire (VLAN $vid2)"
before=$(in_echos vf2)
reach peer "$NET.3" "the peer pings VF 2"
[ "$(in_echos vf2)" -gt "$before" ] || fail "VF 2 answered echo requests that its InEchos did not count"

# Across VLANs. A broadcast first: VF 0's ARP requests for VF 2 must go unanswered.
arp_out=$(in_ns vf0 arping -c 2 -w 3 -I "$if0" "$NET.3" 2>&1) &&
    fail "VF 0's ARP broadcast for VF 2 (VLAN $vid2) was answered: $arp_out"
echo "$arp_out" | grep -q "Received 0 response" || fail "arping from VF 0 failed: $arp_out"
tb_log "ok: VF 0's ARP broadcasts for VF 2 went unanswered"
# Then unicast, with the neighbours entered by hand so that no ARP is needed.
in_ns vf0 ip neigh replace "$NET.3" lladdr "$mac2" dev "$if0" nud permanent
in_ns vf2 ip neigh replace "$NET.1" lladdr "$mac0" dev "$if2" nud permanent
in_ns peer ip neigh replace "$NET.1" lladdr "$mac0" dev "peer.$vid2" nud permanent
unreachable vf0 "$NET.3" vf2 "VF 0 (VLAN $vid0) does not reach VF 2 (VLAN $vid2)"
unreachable vf2 "$NET.1" vf0 "VF 2 (VLAN $vid2) does not reach VF 0 (VLAN $vid0)"
unreachable peer "$NET.1" vf0 "the peer on the wire (VLAN $vid2) does not reach VF 0"

# vfctl moves VF 2 to VF 0's VLAN at run time: now VF 0 reaches it (the neighbours are static, so
# VF 2 sends no broadcast while it is there, and the wire's tags stay as the host's check expects).
# Moved back, it is cut off from VF 0 again.
vfctl set "$pf" vf 2 vlan "$vid0" qos "$pcp0" || fail "vfctl set vf 2 vlan $vid0 failed"
reach vf0 "$NET.3" "VF 0 reaches VF 2 once vfctl moved it to VLAN $vid0"
vfctl set "$pf" vf 2 vlan "$vid2" qos "$pcp2" || fail "vfctl set vf 2 vlan $vid2 failed"
unreachable vf0 "$NET.3" vf2 "VF 0 no longer reaches VF 2, moved back to VLAN $vid2 by vfctl"

# The switch and VF 2 still work after all that.
reach vf0 "$NET.2" "VF 0 still pings VF 1"
reach vf2 "$PEER_ADDR" "VF 2 still pings the peer"

tb_log "stopping sriovd with SIGTERM"
kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop within 60 s of SIGTERM"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
echo "---- sriovd log ----"
cat "$LOG"
tb_log "port VLAN scenario passed in the guest; the host checks the tags on PF 0's wire next"
