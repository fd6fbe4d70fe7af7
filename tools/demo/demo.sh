#!/bin/sh
# The README's demo, run inside the testbed guest (tools/run demo): sriovd brings up two VFs of the
# emulated 82576; vfctl gives them their MACs and shows them; a libvf program on VF 1 receives what
# a libvf program on VF 0 sends through the 82576's internal switch; vfctl shows the counters; then
# sriovd stops and says what it served.
. /lib/testbed.sh
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
FRAMES=${1:-20000}
TOKEN=/run/sriovd.token
pf=$(tb_pf_addr 0)

say() { printf '\n== %s\n' "$*"; }
fail() {
    for f in /tmp/sriovd.log /tmp/recv.log; do
        [ -f "$f" ] && { echo "---- $f ----"; cat "$f"; }
    done
    tb_fail "$*"
}

say "1. sriovd takes the PF $pf through VFIO and creates 2 VFs for user-space drivers"
sriovd --foreground --pf "$pf" --vfs 2 --vf-driver 0=vfio-pci --vf-driver 1=vfio-pci \
    --state-dir /tmp/sriovd-state --token-file "$TOKEN" >/tmp/sriovd.log 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" /tmp/sriovd.log || fail "sriovd did not get ready"
grep "ready:" /tmp/sriovd.log | sed 's/.*sriovd info: /   /'
vf0=$(tb_vf_addr "$pf" 0) && vf1=$(tb_vf_addr "$pf" 1) || fail "the VFs did not appear"
echo "   VF 0 is $vf0, VF 1 is $vf1, both on $(tb_driver "$vf0"); the VF token is in $TOKEN"

say "   vfctl gives each VF its MAC, and VF 1 a limit of 100 Mb/s (the emulator ignores limits):"
for cmd in "vf 0 mac $MAC0" "vf 1 mac $MAC1 max_tx_rate 100"; do
    echo "   \$ vfctl set $pf $cmd"
    # shellcheck disable=SC2086
    vfctl set "$pf" $cmd || fail "vfctl set $pf $cmd failed"
done
say "   vfctl asks sriovd what it manages:"
vfctl show | sed 's/^/   /' || fail "vfctl show failed"

say "2. a libvf receiver opens VF 1 with the token; sriovd answers its reset with MAC $MAC1"
vf-pktgen recv --vf "$vf1" --token-file "$TOKEN" --count "$FRAMES" --idle 20 --ring 4096 --buffers 8192 \
    --ack-every 256 >/tmp/recv.log 2>&1 &
recv_pid=$!
tb_wait_for 60 grep -q "^ready" /tmp/recv.log || fail "the receiver did not get ready"
sed 's/^/   /' /tmp/recv.log

say "3. a libvf sender on VF 0 sends $FRAMES frames to $MAC1 through the 82576's internal switch"
vf-pktgen send --vf "$vf0" --token-file "$TOKEN" --dst "$MAC1" --count "$FRAMES" --window 2048 2>&1 |
    sed 's/^/   /' || fail "the sender failed"
tb_wait_for 120 tb_exited "$recv_pid" || fail "the receiver did not finish"
wait "$recv_pid" || fail "the receiver failed"

say "4. what the receiver on VF 1 counted, and what the 82576 counted for each VF (vfctl -s show)"
grep -E "^(received|sequence)" /tmp/recv.log | sed 's/^/   /'
vfctl -s show | sed 's/^/   /' || fail "vfctl -s show failed"

say "5. what sriovd did for the VFs (from its log)"
grep -E "VF [01]: (VF_RESET|SET_)" /tmp/sriovd.log | sed 's/.*sriovd info: /   /' | head -8
kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
grep -E "served" /tmp/sriovd.log | sed 's/.*sriovd info: /   /'
grep -q "^received $FRAMES frames" /tmp/recv.log || fail "frames were lost"
say "done: $FRAMES frames sent from VF 0 arrived at VF 1, none lost"
