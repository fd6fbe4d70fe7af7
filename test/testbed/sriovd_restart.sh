#!/bin/sh
# sriovd restarted under running igbvf VFs: two igbvf interfaces, one in a network namespace of
# its own, ping each other through the 82576's switch; sriovd, started from a configuration file,
# is killed (kill -9, then SIGTERM) and started again with the same configuration. Each time the
# VFs must still exist, igbvf must not be reloaded (same interfaces, same MACs), the new sriovd
# must take the VFs back rather than create them, and ping must resume within 10 s of the restart.
# VF 1 is trusted and changes its own MAC before the first kill: the change must survive both
# restarts (the state file).
#
# igbvf resets itself (which is how it resynchronises with a new PF manager) at most once every
# 10 s; the second restart therefore waits until 10 s have passed since the first recovery, as
# restarts in production are further apart than that.
#
# Usage (in the guest): sriovd_restart.sh
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
MAC1_NEW=02:11:22:33:44:77
STATE=/var/lib/sriovd
CONFIG=/etc/sriovd/sriovd.toml
RESUME_LIMIT_S=10
pf=$(tb_pf_addr 0)
sys=/sys/bus/pci/devices/$pf
run=0

fail() {
    for _l in /tmp/sriovd.*.log; do
        echo "---- $_l ----"
        cat "$_l"
    done
    tb_fail "$*"
}

mac_of() {
    ip -o link show dev "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# Uptime in hundredths of a second.
now_cs() {
    awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# start_sriovd: starts sriovd (log /tmp/sriovd.<run>.log), waits for it to report ready.
start_sriovd() {
    run=$((run + 1))
    LOG=/tmp/sriovd.$run.log
    sriovd --foreground --config "$CONFIG" >"$LOG" 2>&1 &
    sriovd_pid=$!
    tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd (run $run) did not report ready"
}

# gone PID: the process has exited (or is a zombie waiting to be collected).
gone() {
    tb_exited "$1"
}

pings() {
    ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && ip netns exec vf1 ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1
}

# restart_after SIGNAL: stop sriovd with SIGNAL, start it again, check that the VFs were kept
# and that ping resumes in time.
restart_after() {
    tb_log "stopping sriovd with SIG$1"
    kill -"$1" "$sriovd_pid"
    tb_wait_for 60 gone "$sriovd_pid" || fail "sriovd did not stop within 60 s of SIG$1"
    wait "$sriovd_pid"
    _status=$?
    [ "$1" = TERM ] && tb_expect "sriovd exit status after SIGTERM" "$_status" 0
    tb_expect "sriov_numvfs with sriovd gone (SIG$1)" "$(cat "$sys/sriov_numvfs")" 2
    tb_expect "VF 0's driver with sriovd gone" "$(tb_driver "$vf0")" igbvf
    _t0=$(now_cs)
    start_sriovd
    grep -q "keeping the 2 VFs" "$LOG" || fail "sriovd (run $run) did not keep the VFs"
    grep -q "VFs created" "$LOG" && fail "sriovd (run $run) created the VFs again"
    tb_wait_for 30 pings || fail "ping did not resume within 30 s of restarting sriovd after SIG$1"
    _t1=$(now_cs)
    last_resume_cs=$_t1
    _ms=$(((_t1 - _t0) * 10))
    tb_log "ping resumed $_ms ms after sriovd was restarted (after SIG$1)"
    [ "$_ms" -le $((RESUME_LIMIT_S * 1000)) ] ||
        fail "ping resumed only after $_ms ms (limit ${RESUME_LIMIT_S} s)"
    tb_expect "VF 0 interface after the restart" "$(tb_netdev "$vf0")" "$if0"
    tb_expect "VF 0 MAC after the restart" "$(mac_of "$if0")" "$MAC0"
    _mac1=$(ip netns exec vf1 cat "/sys/class/net/$if1/address")
    tb_expect "VF 1 MAC after the restart" "$_mac1" "$MAC1_NEW"
    _vf_resets=$(grep -c "VF_RESET -> ACK" "$LOG")
    tb_log "ok: restart after SIG$1: VFs kept, $_vf_resets VF resets served, ping resumed"
}

modprobe igbvf || tb_fail "cannot load igbvf"
mkdir -p "$(dirname "$CONFIG")"
cat >"$CONFIG" <<EOF
[daemon]
state_dir = "$STATE"

[[pf]]
pci = "$pf"
num_vfs = 2

[[pf.vf]]
index = 0
mac = "$MAC0"
driver = "igbvf"

[[pf.vf]]
index = 1
mac = "$MAC1"
trust = true
driver = "igbvf"
EOF
start_sriovd
tb_expect "sriov_numvfs" "$(cat "$sys/sriov_numvfs")" 2
[ -s "$STATE/vf-token" ] || fail "no VF token in $STATE/vf-token"
tb_expect "VF token file mode" "$(stat -c %a "$STATE/vf-token")" 640
token=$(cat "$STATE/vf-token")
grep -q '"format": "sriovd-state"' "$STATE/state-$pf.json" || fail "no state file in $STATE"
tb_expect "state file mode" "$(stat -c %a "$STATE/state-$pf.json")" 640

vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
tb_wait_for 60 sh -c "test -d /sys/bus/pci/devices/$vf0/net && test -d /sys/bus/pci/devices/$vf1/net" ||
    fail "igbvf made no interfaces"
if0=$(tb_netdev "$vf0")
if1=$(tb_netdev "$vf1")
tb_expect "VF 0 MAC" "$(mac_of "$if0")" "$MAC0"
tb_expect "VF 1 MAC" "$(mac_of "$if1")" "$MAC1"
ip netns add vf1 || fail "cannot create a network namespace"
ip link set "$if1" netns vf1 || fail "cannot move $if1 into namespace vf1"
ip addr add 10.77.0.1/24 dev "$if0" || fail "cannot address $if0"
ip link set "$if0" up || fail "cannot bring $if0 up"
ip -n vf1 addr add 10.77.0.2/24 dev "$if1" || fail "cannot address $if1"
ip -n vf1 link set "$if1" up || fail "cannot bring $if1 up in vf1"
ip -n vf1 link set lo up
tb_wait_for 30 pings || fail "VF 0 ($if0) and VF 1 ($if1) cannot ping each other"
tb_log "ok: VF 0 and VF 1 ping each other"

# VF 1 (trusted) picks another MAC; sriovd must allow it and keep it in its state file.
ip -n vf1 link set "$if1" address "$MAC1_NEW" || fail "VF 1 could not change its MAC"
ip neigh flush dev "$if0"
tb_wait_for 30 pings || fail "no ping after VF 1 changed its MAC"
tb_wait_for 10 grep -q "$MAC1_NEW" "$STATE/state-$pf.json" || fail "VF 1's new MAC is not in the state file"
tb_log "ok: VF 1 changed its MAC to $MAC1_NEW; it is in the state file"

# uptime_past CS: the guest has been up for CS hundredths of a second or more.
uptime_past() {
    [ "$(now_cs)" -ge "$1" ]
}

restart_after KILL
tb_wait_for 15 uptime_past $((last_resume_cs + 1000)) || fail "the guest clock stands still"
restart_after TERM
tb_expect "VF token after two restarts" "$(cat "$STATE/vf-token")" "$token"

tb_log "stopping the last sriovd"
kill -TERM "$sriovd_pid"
tb_wait_for 60 gone "$sriovd_pid" || fail "the last sriovd did not stop"
wait "$sriovd_pid" || fail "the last sriovd exited with status $?"
echo "---- last sriovd log ----"
cat "$LOG"
tb_log "sriovd restart scenario passed"
