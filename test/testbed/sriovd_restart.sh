#!/bin/sh
# sriovd restarted under running igbvf VFs: two igbvf interfaces, one in a network namespace of
# its own, ping each other through the 82576's switch, with pings running in the background in both
# directions. sriovd, started from a configuration file, is stopped KILLS times (kill -9, and
# SIGTERM every fourth time) and started again at once with the same configuration; some stops
# come right after an operator's change (vfctl set), some right after VF 0's driver reset the VF
# (its interface taken down and up): a VF driver that must reset again so soon would wait for
# igbvf's 10 s between two resets of its own. Each time:
#   - the VFs must still exist and igbvf must not be reloaded (same interfaces, same MACs), and the
#     new sriovd must take the VFs back as they were (its grants file), not create them again;
#   - each igbvf VF reports its link up within 1 s of sriovd being ready, by the guest kernel's
#     log (a VF that never reported it down counts as up: its carrier is checked too);
#   - ping resumes, both ways, within RESUME_LIMIT_S of the kill, restart included.
# VF 1 is trusted and changes its own MAC before the first stop: the change must survive every
# restart (the state file). The figures (time from each kill to ping, link changes seen) are
# printed at the end.
#
# Usage (in the guest): sriovd_restart.sh [KILLS]
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
MAC1_NEW=02:11:22:33:44:77
STATE=/var/lib/sriovd
CONFIG=/etc/sriovd/sriovd.toml
RESUME_LIMIT_S=5
KILLS=${1:-10}
LINK_LIMIT_CS=100  # link up within 1 s of ready
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
    echo "sriovd_restart: ready $run" >/dev/kmsg
}

# kmsg_time PATTERN [AFTER]: the kernel-log time (seconds, as printed) of the first line matching
# PATTERN that comes after the first line containing AFTER (or anywhere); nothing if none.
kmsg_time() {
    dmesg | awk -v pat="$1" -v after="${2:-}" '
        after != "" && !seen { if (index($0, after)) seen = 1; next }
        $0 ~ pat { sub(/^\[ */, ""); sub(/\].*/, ""); print; exit }'
}

# kmsg_last_time PATTERN AFTER: as kmsg_time, but the last such line.
kmsg_last_time() {
    dmesg | awk -v pat="$1" -v after="$2" '
        !seen { if (index($0, after)) seen = 1; next }
        $0 ~ pat { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t) }
        END { if (t != "") print t }'
}

# cs SECONDS: hundredths of a second, from a kernel-log time such as 123.456789.
cs() {
    echo "$1" | awk '{ printf "%d", $1 * 100 }'
}

# gone PID: the process has exited (or is a zombie waiting to be collected).
gone() {
    tb_exited "$1"
}

pings() {
    ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && ip netns exec vf1 ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1
}

# vf_link_ok N ADDR IFACE [NETNS]: after stop N, VF ADDR's link is up: if igbvf reported it down
# since the stop, it reported it up again within LINK_LIMIT_CS of sriovd's ready marker. Sets
# link_note to what was seen.
vf_link_ok() {
    _ready=$(kmsg_time "sriovd_restart: ready $run\$" "sriovd_restart: stop $1")
    [ -n "$_ready" ] || fail "no ready marker for run $run in the kernel log"
    _down=$(kmsg_last_time "igbvf $2: Link is Down" "sriovd_restart: stop $1")
    if [ -z "$_down" ]; then
        link_note="never down"
    else
        _up=$(dmesg | awk -v after="sriovd_restart: stop $1" -v vf="igbvf $2: Link is" -v down="$_down" '
            !seen { if (index($0, after)) seen = 1; next }
            index($0, vf) { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
                            if (t + 0 >= down + 0 && index($0, "Up")) { print t; exit } }')
        [ -n "$_up" ] || fail "VF $2 reported its link down at $_down s and not up again (ready at $_ready s)"
        _late=$(($(cs "$_up") - $(cs "$_ready")))
        link_note="down at +$(($(cs "$_down") - $(cs "$_ready")))0 ms, up at +${_late}0 ms"
        [ "$_late" -le "$LINK_LIMIT_CS" ] ||
            fail "VF $2 reported its link up only ${_late}0 ms after sriovd was ready (limit ${LINK_LIMIT_CS}0 ms)"
    fi
    if [ -n "${4:-}" ]; then
        _carrier=$(ip netns exec "$4" cat "/sys/class/net/$3/carrier")
    else
        _carrier=$(cat "/sys/class/net/$3/carrier")
    fi
    tb_expect "VF $2 carrier after restart $run" "$_carrier" 1
}

# restart N SIGNAL WHY: stop sriovd (the Nth time) with SIGNAL, start it again at once, check that
# the VFs were kept as they were, their links and the time until ping resumed.
restart() {
    tb_log "stop $1: SIG$2 ($3)"
    echo "sriovd_restart: stop $1" >/dev/kmsg
    _t0=$(now_cs)
    kill -"$2" "$sriovd_pid"
    tb_wait_for 60 gone "$sriovd_pid" || fail "sriovd did not stop within 60 s of SIG$2"
    wait "$sriovd_pid"
    _status=$?
    [ "$2" = TERM ] && tb_expect "sriovd exit status after SIGTERM" "$_status" 0
    tb_expect "sriov_numvfs with sriovd gone (SIG$2)" "$(cat "$sys/sriov_numvfs")" 2
    tb_expect "VF 0's driver with sriovd gone" "$(tb_driver "$vf0")" igbvf
    start_sriovd
    grep -q "keeping the 2 VFs" "$LOG" || fail "sriovd (run $run) did not keep the VFs"
    grep -q "VFs created" "$LOG" && fail "sriovd (run $run) created the VFs again"
    grep -q "taken back as they were" "$LOG" || fail "sriovd (run $run) did not take the VFs back as they were"
    tb_wait_for 30 pings || fail "ping did not resume within 30 s of stop $1 (SIG$2)"
    _t1=$(now_cs)
    _ms=$(((_t1 - _t0) * 10))
    vf_link_ok "$1" "$vf0" "$if0"
    _l0=$link_note
    vf_link_ok "$1" "$vf1" "$if1" vf1
    _l1=$link_note
    figures="$figures
  stop $1 (SIG$2, $3): ping back ${_ms} ms after the kill; VF 0 link $_l0; VF 1 link $_l1"
    tb_log "stop $1: ping resumed $_ms ms after the kill; VF 0 link $_l0; VF 1 link $_l1"
    [ "$_ms" -le $((RESUME_LIMIT_S * 1000)) ] ||
        fail "ping resumed only $_ms ms after stop $1 (limit ${RESUME_LIMIT_S} s)"
    tb_expect "VF 0 interface after the restart" "$(tb_netdev "$vf0")" "$if0"
    tb_expect "VF 0 MAC after the restart" "$(mac_of "$if0")" "$MAC0"
    _mac1=$(ip netns exec vf1 cat "/sys/class/net/$if1/address")
    tb_expect "VF 1 MAC after the restart" "$_mac1" "$MAC1_NEW"
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

# Traffic all along: both VFs ping each other five times a second in the background.
ping -i 0.2 10.77.0.2 >/dev/null 2>&1 &
ping0=$!
ip netns exec vf1 ping -i 0.2 10.77.0.1 >/dev/null 2>&1 &
ping1=$!
figures=""
n=1
while [ "$n" -le "$KILLS" ]; do
    sig=KILL
    [ $((n % 4)) = 0 ] && sig=TERM
    case $((n % 3)) in
        0)
            why="right after vfctl set"
            trust=on
            [ $((n % 2)) = 0 ] && trust=off
            vfctl set "$pf" vf 0 trust "$trust" spoofchk on || fail "vfctl set vf 0 trust $trust failed"
            ;;
        1)
            # igbvf resets the VF (VF_RESET through the mailbox) whenever its interface goes down.
            why="right after VF 0's driver reset the VF"
            echo "sriovd_restart: vf reset $n" >/dev/kmsg
            ip link set "$if0" down && ip link set "$if0" up || fail "cannot take $if0 down and up"
            tb_wait_for 30 sh -c "dmesg | sed -n '/sriovd_restart: vf reset $n\$/,\$p' | grep -q 'igbvf $vf0: Link is Up'" ||
                fail "VF 0's driver did not come back up after its interface went down and up"
            ;;
        *)
            why="in traffic"
            ;;
    esac
    restart "$n" "$sig" "$why"
    n=$((n + 1))
done
kill "$ping0" "$ping1" 2>/dev/null
tb_expect "VF token after $KILLS restarts" "$(cat "$STATE/vf-token")" "$token"
tb_log "figures, time from each kill:$figures"
tb_log "stopping the last sriovd"
kill -TERM "$sriovd_pid"
tb_wait_for 60 gone "$sriovd_pid" || fail "the last sriovd did not stop"
wait "$sriovd_pid" || fail "the last sriovd exited with status $?"
echo "---- last sriovd log ----"
cat "$LOG"
tb_log "sriovd restart scenario passed"
