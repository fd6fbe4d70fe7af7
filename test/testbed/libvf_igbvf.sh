#!/bin/sh
# A libvf VF and a kernel igbvf VF exchange unicast frames addressed to each other, both ways,
# under sriovd (VF 0 on igbvf, VF 1 on vfio-pci for libvf), counted on both ends:
#   libvf -> igbvf: vf-pktgen sends COUNT numbered frames from VF 1 to VF 0's MAC; igbvf's
#     rx_packets (/sys/class/net/IF/statistics) must grow by COUNT.
#   igbvf -> libvf: ping sends PINGS ICMP echo requests from VF 0 to an address whose neighbour
#     entry is VF 1's MAC (no ARP needed); vf-pktgen recv on VF 1 must count PINGS frames (it counts
#     frames that are not its own as "other"), and igbvf's tx_packets must grow by PINGS.
# IPv6 is off on the igbvf interface so that it sends nothing but the pings.
#
# Usage (in the guest): libvf_igbvf.sh [COUNT] [PINGS]
. /lib/testbed.sh

COUNT=${1:-1000}
PINGS=${2:-20}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

fail() {
    tb_show_logs "$LOG" /tmp/send.log /tmp/recv.log
    tb_fail "$*"
}
stat_of() {
    cat "/sys/class/net/$if0/statistics/$1"
}

modprobe igbvf || tb_fail "cannot load igbvf"
tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 \
    --vf-driver 0=igbvf --vf-driver 1=vfio-pci --token-file "$TOKEN"
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
tb_wait_for 60 test -d "/sys/bus/pci/devices/$vf0/net" || fail "igbvf made no interface for VF 0"
if0=$(tb_netdev "$vf0")
echo 1 >"/proc/sys/net/ipv6/conf/$if0/disable_ipv6" 2>/dev/null
ip addr add 10.88.0.1/24 dev "$if0" || fail "cannot address $if0"
ip link set "$if0" up || fail "cannot bring $if0 up"
tb_wait_for 30 sh -c "[ \"\$(cat /sys/class/net/$if0/carrier)\" = 1 ]" || fail "$if0 has no carrier"
tb_expect "VF 0 MAC" "$(cat "/sys/class/net/$if0/address")" "$MAC0"
sleep 1

# libvf -> igbvf.
rx_before=$(stat_of rx_packets)
vf-pktgen send --vf "$vf1" --token-file "$TOKEN" --dst "$MAC0" --count "$COUNT" --rate 2000 >/tmp/send.log 2>&1 ||
    fail "the libvf sender on VF 1 failed"
sleep 1
rx_got=$(($(stat_of rx_packets) - rx_before))
cat /tmp/send.log
tb_log "libvf (VF 1) sent $COUNT frames to $MAC0; igbvf ($if0) counted $rx_got"
tb_expect "frames igbvf received from libvf" "$rx_got" "$COUNT"

# igbvf -> libvf.
vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count 0 --idle 4 >/tmp/recv.log 2>&1 &
recv_pid=$!
tb_wait_for 60 grep -q "^ready" /tmp/recv.log || fail "the libvf receiver on VF 1 did not get ready"
ip neigh replace 10.88.0.2 lladdr "$MAC1" dev "$if0" nud permanent || fail "cannot add a neighbour entry"
tx_before=$(stat_of tx_packets)
ping -c "$PINGS" -i 0.2 -W 1 10.88.0.2 >/tmp/ping.log 2>&1
tx_sent=$(($(stat_of tx_packets) - tx_before))
tb_wait_for 30 tb_exited "$recv_pid" || fail "the libvf receiver did not finish"
wait "$recv_pid"
cat /tmp/recv.log
other=$(sed -n 's/^other frames \([0-9]*\),.*/\1/p' /tmp/recv.log)
tb_log "igbvf ($if0) sent $tx_sent frames to $MAC1 (ping: $(grep transmitted /tmp/ping.log)); libvf (VF 1) counted $other"
tb_expect "frames igbvf sent" "$tx_sent" "$PINGS"
tb_expect "frames libvf received from igbvf" "$other" "$PINGS"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_log "libvf_igbvf scenario passed"
