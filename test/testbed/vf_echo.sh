#!/bin/sh
# vf-echo, the C example of libvf's C API, under sriovd: three VFs on vfio-pci; vf-pktgen receives
# on VF 2, vf-echo on VF 1 sends everything it gets to VF 2's MAC, and vf-pktgen sends COUNT
# numbered frames from VF 0 to VF 1's MAC at RATE frames/s. VF 2 must receive every frame, in
# order (no sequence gaps), and vf-echo's counts must be COUNT received and COUNT echoed. Every
# ring holds 4095 frames, more than COUNT, so no frame may be lost however the guest schedules.
# First vf-echo is given a VF that does not exist and must say so. Then four rounds:
#   1. polling, stopped by SIGTERM once the receiver has all frames;
#   2. interrupt mode (adaptive coalescing), stopped by its idle timeout (--idle 8);
#   3. without --dst, back to each frame's sender: the kernel's igbvf on VF 3 pings PINGS times
#      an address whose neighbour entry is VF 1's MAC, and its rx_packets must grow by PINGS (the
#      echoed requests; IPv6 is off there so that it sends nothing else);
#   4. polling, without traffic, stopped by the kernel asking for the VF back (vfctl set PF
#      numvfs 1): vf-echo closes the VF, exits 0, and sriovd's change completes.
#
# Usage (in the guest): vf_echo.sh [COUNT] [RATE] [PINGS]
. /lib/testbed.sh

COUNT=${1:-2000}
RATE=${2:-1000}
PINGS=${3:-20}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
MAC2=02:11:22:33:44:77
MAC3=02:11:22:33:44:88
LOG=/tmp/sriovd.log
RXLOG=/tmp/recv.log
ECHOLOG=/tmp/echo.log
TOKEN=/run/sriovd.token
RINGS="--ring 4096 --buffers 8192"
pf=$(tb_pf_addr 0)

fail() {
    for f in "$LOG" "$RXLOG" "$ECHOLOG"; do
        echo "---- $f ----"
        cat "$f"
    done
    tb_fail "$*"
}

stat_of() {
    cat "/sys/class/net/$if3/statistics/$1"
}

tb_log "starting sriovd"
modprobe igbvf || tb_fail "cannot load igbvf"
tb_start_sriovd "$LOG" --pf "$pf" --vfs 4 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-mac 2=$MAC2 --vf-mac 3=$MAC3 \
    --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci --vf-driver 2=vfio-pci --vf-driver 3=igbvf \
    --token-file "$TOKEN" --state-dir /tmp/sriovd-state
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
vf2=$(tb_vf_addr "$pf" 2) || fail "no VF 2"
vf3=$(tb_vf_addr "$pf" 3) || fail "no VF 3"
for vf in "$vf0" "$vf1" "$vf2"; do
    tb_expect "$vf driver" "$(tb_driver "$vf")" vfio-pci
done
tb_wait_for 60 test -d "/sys/bus/pci/devices/$vf3/net" || fail "igbvf made no interface for VF 3"
if3=$(tb_netdev "$vf3")
echo 1 >"/proc/sys/net/ipv6/conf/$if3/disable_ipv6" 2>/dev/null
ip addr add 10.88.0.1/24 dev "$if3" || fail "cannot address $if3"
ip link set "$if3" up || fail "cannot bring $if3 up"
tb_wait_for 30 sh -c "[ \"\$(cat /sys/class/net/$if3/carrier)\" = 1 ]" || fail "$if3 has no carrier"
tb_expect "VF 3 MAC" "$(cat "/sys/class/net/$if3/address")" "$MAC3"

# A VF that does not exist: libvf's error through the C API, as install.libvf expects it on a
# machine with VFIO.
out=$(vf-echo --vf ffff:ee:1f.7 --token-file "$TOKEN" 2>&1)
tb_expect "vf-echo on a missing VF: exit status" "$?" 2
tb_expect "vf-echo on a missing VF" "$out" "vf-echo: cannot open the VF: ffff:ee:1f.7: no such PCI device"

# start_echo OPTIONS...: vf-echo on VF 1 in the background (echo_pid), once it is ready.
start_echo() {
    # shellcheck disable=SC2086 # RINGS is a list of options
    vf-echo --vf "$vf1" --token-file "$TOKEN" $RINGS "$@" >"$ECHOLOG" 2>&1 &
    echo_pid=$!
    tb_wait_for 60 grep -q "^ready" "$ECHOLOG" || fail "vf-echo on VF 1 did not get ready"
    grep -q "MAC $MAC1, link up" "$ECHOLOG" || fail "vf-echo did not get MAC $MAC1 from sriovd"
}

# stop_echo: waits for vf-echo to end; it must exit 0.
stop_echo() {
    tb_wait_for 30 tb_exited "$echo_pid" || fail "vf-echo did not stop"
    wait "$echo_pid"
    status=$?
    cat "$ECHOLOG"
    tb_expect "vf-echo exit status" "$status" 0
}

# traffic NAME ECHO_OPTIONS...: the receiver on VF 2, then vf-echo on VF 1 with ECHO_OPTIONS, then
# COUNT frames VF 0 -> VF 1 -> VF 2; every one must arrive in order.
traffic() {
    name=$1
    shift
    # shellcheck disable=SC2086
    vf-pktgen recv --vf "$vf2" --token-file "$TOKEN" --count "$COUNT" --idle 20 $RINGS >"$RXLOG" 2>&1 &
    recv_pid=$!
    tb_wait_for 60 grep -q "^ready" "$RXLOG" || fail "the receiver on VF 2 did not get ready"
    start_echo --dst "$MAC2" "$@"
    vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$COUNT" --rate "$RATE" ||
        fail "$name: the sender on VF 0 failed"
    tb_wait_for 60 tb_exited "$recv_pid" || fail "$name: the receiver did not finish"
    wait "$recv_pid"
    status=$?
    cat "$RXLOG"
    tb_expect "$name: receiver exit status" "$status" 0
    grep -q "^received $COUNT frames" "$RXLOG" || fail "$name: VF 2 did not receive the $COUNT frames"
    grep -q "sequence gaps 0," "$RXLOG" || fail "$name: frames arrived out of order or with gaps"
    tb_log "$name: VF 2 $(grep '^received [0-9]* frames' "$RXLOG")"
}

# echo_counts NAME [N]: vf-echo received and echoed N (default COUNT) frames, dropped none.
echo_counts() {
    n=${2:-$COUNT}
    grep -q "^received $n frames, echoed $n, dropped 0 " "$ECHOLOG" ||
        fail "$1: vf-echo's counts are not $n received and echoed"
    tb_log "$1: vf-echo $(grep '^received [0-9]* frames' "$ECHOLOG")"
}

tb_log "round 1: polling vf-echo, stopped by SIGTERM"
traffic "polling" --idle 60
kill -TERM "$echo_pid"
stop_echo
grep -q "^stopped: SIGTERM" "$ECHOLOG" || fail "vf-echo did not report SIGTERM"
echo_counts "polling"

# The idle time counts from vf-echo's start until the first frame: the sender must open its VF
# within it.
tb_log "round 2: vf-echo in interrupt mode, stopped by its idle timeout"
traffic "interrupts" --idle 8 --interrupts --coalesce adaptive --eitr-timing qemu
stop_echo
grep -q "^stopped: no frame for 8 s" "$ECHOLOG" || fail "vf-echo did not stop on its idle timeout"
grep -q "^interrupts [1-9]" "$ECHOLOG" || fail "vf-echo counted no interrupt"
echo_counts "interrupts"

tb_log "round 3: vf-echo without --dst sends igbvf's pings back to VF 3"
start_echo --idle 60
ip neigh replace 10.88.0.2 lladdr "$MAC1" dev "$if3" nud permanent || fail "cannot add a neighbour entry"
rx_before=$(stat_of rx_packets)
tx_before=$(stat_of tx_packets)
ping -c "$PINGS" -i 0.2 -W 1 10.88.0.2 >/tmp/ping.log 2>&1
all_back() { [ $(($(stat_of rx_packets) - rx_before)) -ge "$PINGS" ]; }
tb_wait_for 10 all_back
kill -TERM "$echo_pid"
stop_echo
tx_sent=$(($(stat_of tx_packets) - tx_before))
rx_got=$(($(stat_of rx_packets) - rx_before))
tb_log "igbvf ($if3) sent $tx_sent frames to $MAC1 and received $rx_got back"
tb_expect "frames igbvf sent" "$tx_sent" "$PINGS"
tb_expect "frames echoed back to igbvf" "$rx_got" "$PINGS"
echo_counts "back to the sender" "$PINGS"

tb_log "round 4: the kernel asks vf-echo for VF 1 back (vfctl set numvfs 1)"
start_echo --idle 600
vfctl set "$pf" numvfs 1 || fail "vfctl set numvfs 1 failed"
stop_echo
grep -q "^the kernel asks for the VF back: stopping" "$ECHOLOG" || fail "vf-echo did not get the request"
grep -q "^stopped: the kernel asked for the VF back" "$ECHOLOG" || fail "vf-echo did not say why it stopped"
tb_wait_for 60 sh -c "[ \"\$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)\" = 1 ]" ||
    fail "sriovd's change of the VF count did not complete"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid"
tb_expect "sriovd exit status" "$?" 0
tb_log "vf_echo scenario passed: $COUNT frames at $RATE/s through vf-echo, polling and in interrupt mode; $PINGS pings echoed back to igbvf"
