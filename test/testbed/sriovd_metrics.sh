#!/bin/sh
# sriovd's metrics with VFs up and traffic counted. sriovd owns PF 0 with two igbvf VFs, each in a
# network namespace of its own, and serves metrics on loopback. VF 0 sends a counted burst of
# echo requests to VF 1, which answers every one. With the burst over, vfctl's counters
# (`vfctl -j -s show PF`, `vfctl -j status`) and a scrape of /metrics are taken back to back, and
# again until vfctl's counters did not move around the scrape (a stray frame or mailbox message
# in between would make the two disagree for a reason that is not sriovd's). Both are printed on
# the console between "==== sriovd_metrics: ... ====" lines, where the host's check
# (check_metrics.py) compares them figure by figure and runs promtool on the scrape.
#
# Usage (in the guest): sriovd_metrics.sh PINGS SIZE (echo requests, and their payload in bytes)
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
PINGS=${1:?the number of echo requests}
SIZE=${2:?the payload of each echo request in bytes}
ADDR=127.0.0.1:9469
LOG=/tmp/sriovd.log
pf=$(tb_pf_addr 0)

fail() {
    tb_show_logs -n 50 "$LOG"
    tb_fail "$*"
}

# reading: vfctl's counters, without the status's uptime (it moves by itself).
reading() {
    vfctl -j -s show "$pf" && vfctl -j status | sed 's/"uptime_s":[0-9]*,\{0,1\}//'
}

# section NAME FILE: FILE on the console between lines the host's check looks for, with the
# kernel kept quiet meanwhile so that none of its messages lands inside.
section() {
    _level=$(cut -f1 /proc/sys/kernel/printk)
    echo 1 >/proc/sys/kernel/printk
    echo "==== sriovd_metrics: begin $1 ===="
    cat "$2"
    echo "==== sriovd_metrics: end $1 ===="
    echo "$_level" >/proc/sys/kernel/printk
}

modprobe igbvf || tb_fail "cannot load igbvf"
tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 \
    --vf-driver 0=igbvf --vf-driver 1=igbvf --metrics "$ADDR" --state-dir /tmp/sriovd-state
grep -q "metrics on http://$ADDR/metrics" "$LOG" || fail "sriovd does not say that it serves metrics on $ADDR"
tb_vf_in_ns "$pf" 0 $MAC0 10.77.0.1 || fail "VF 0 is not up"
tb_vf_in_ns "$pf" 1 $MAC1 10.77.0.2 || fail "VF 1 is not up"
tb_wait_for 30 ip netns exec vf0 ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "VF 0 cannot reach VF 1"

# The burst: each request sent once the previous answer came (-A), so none is lost to a full ring.
ip netns exec vf0 ping -A -q -c "$PINGS" -s "$SIZE" -W 5 10.77.0.2 >/tmp/ping 2>&1
cat /tmp/ping
grep -q "$PINGS packets transmitted, $PINGS packets received" /tmp/ping ||
    fail "VF 1 did not answer all $PINGS echo requests of VF 0"
tb_log "ok: VF 1 answered $PINGS echo requests of $SIZE bytes from VF 0; the traffic has stopped"

tries=0
while :; do
    reading >/tmp/before || fail "vfctl failed"
    wget -q -O /tmp/scrape "http://$ADDR/metrics" || fail "cannot fetch http://$ADDR/metrics"
    reading >/tmp/after || fail "vfctl failed"
    cmp -s /tmp/before /tmp/after && break
    tries=$((tries + 1))
    [ "$tries" -lt 20 ] || fail "vfctl's counters moved around each of 20 scrapes"
done
tb_log "ok: vfctl's counters did not move around the scrape ($tries earlier tries where they did)"
vfctl -s show "$pf"
sed -n 1p /tmp/after >/tmp/stats
sed -n 2p /tmp/after >/tmp/status
section stats /tmp/stats
section status /tmp/status
section scrape /tmp/scrape

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd exited with status $?"
tb_log "sriovd metrics scenario passed (the host compares and runs promtool)"
