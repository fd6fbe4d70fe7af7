#!/bin/sh
# Bring-up benchmark (issue 7, part 4): how long a change of the VF count takes, for 1..7 VFs,
# with sriovd as PF and the kernel's igbvf on every VF.
#
# sriovd starts with 7 VFs on igbvf; then `vfctl set PF numvfs N` for N = 7, 6, ..., 1 (a change
# removes every VF and creates N; the VFs keep their driver only when the count goes down, so the
# counts are run downwards). For each N, from sriovd's log (millisecond time stamps; the events of
# `vfctl -j monitor` carry none) and the kernel's link messages (`ip -ts monitor link`, microseconds,
# same wall clock). sriovd runs with --verbose: its info lines about one VF are rate-limited, and
# igbvf's requests at start-up exhaust that, but the debug line with each request's words is not.
#   t_cmd        sriovd takes the command ("changing the VF count ... removing the VFs")
#   t0           the PF is brought up for N VFs, just before sriov_numvfs is written
#   created      the sriov_numvfs write has returned ("N VFs created"); sriovd then binds the
#                VFs to igbvf one after the other, and each igbvf resets its VF as it probes
#   handshake    sriovd has read the first VF_RESET of each of the N VFs (the last of them); it
#                writes the answer in the same handler, before it looks at anything else
#   carrier      the last igbvf interface has carrier (the script sets each one up as soon as
#                sriovd reports the VFs ready; that reaction, about 0.1 s, is included)
# each in seconds from t0; removal is t0 - t_cmd. One line per N, then a CSV block of "csv:" lines
# (tools/bench/run-bringup.sh extracts it).
#
# Fails only when something does not work: a VF whose handshake or carrier does not come within
# BOUND seconds (default 60), an interface without the MAC sriovd gave (its VF_RESET was not
# granted), sriovd failing. Never on speed.
#
# Usage (in the guest): bench_bringup.sh [BOUND]
. /lib/testbed.sh

BOUND=${1:-60}
LOG=/tmp/sriovd.log
LINKS=/tmp/links.log
pf=$(tb_pf_addr 0)

fail() {
    echo "---- sriovd log ----"
    cat "$LOG"
    echo "---- link messages ----"
    cat "$LINKS"
    tb_fail "$*"
}

# seconds LINE: the time of day in LINE (the first HH:MM:SS.fraction in it) in seconds.
# (A run across midnight would come out wrong; the guest starts at its host's time.)
seconds() {
    echo "$1" | awk 'match($0, /[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+/) {
        split(substr($0, RSTART, RLENGTH), t, ":"); printf "%.6f\n", t[1] * 3600 + t[2] * 60 + t[3] }'
}
# since FILE MARK PATTERN: the first line of FILE after line MARK that has PATTERN (grep -E).
since() {
    tail -n "+$(($2 + 1))" "$1" | grep -E -m 1 -- "$3"
}
# elapsed FROM TO: TO - FROM, both in seconds, to the millisecond.
elapsed() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'
}
# later A B: the later of two times in seconds.
later() {
    awk -v a="$1" -v b="$2" 'BEGIN { print (b > a ? b : a) }'
}

modprobe igbvf || tb_fail "cannot load igbvf"
/sbin/ip -ts monitor link >"$LINKS" 2>&1 &
monitor_pid=$!

args=""
vf=0
while [ "$vf" -lt 7 ]; do
    args="$args --vf-driver $vf=igbvf --vf-mac $vf=02:00:5e:10:00:1$vf"
    vf=$((vf + 1))
done
tb_log "starting sriovd with 7 VFs on igbvf"
# shellcheck disable=SC2086
tb_start_sriovd -t 120 "$LOG" --verbose --pf "$pf" --vfs 7 $args --state-dir /tmp/sriovd-state --remove-vfs-on-exit

results=""
for n in 7 6 5 4 3 2 1; do
    mark=$(wc -l <"$LOG")
    vfctl set "$pf" numvfs "$n" >/dev/null || fail "vfctl set numvfs $n failed"
    tb_wait_for "$BOUND" sh -c "tail -n +$((mark + 1)) $LOG | grep -q -e 'ready:' -e 'changing the VF count: '" ||
        fail "the change to $n VFs did not end within $BOUND s"
    since "$LOG" "$mark" "changing the VF count: " && fail "the change to $n VFs failed"

    # Every igbvf interface up at once, then wait for carrier on each.
    links_mark=$(wc -l <"$LINKS")
    ifaces=""
    vf=0
    while [ "$vf" -lt "$n" ]; do
        addr=$(tb_vf_addr "$pf" "$vf") || fail "no VF $vf"
        [ "$(tb_driver "$addr")" = igbvf ] || fail "VF $vf ($addr) is on '$(tb_driver "$addr")', not igbvf"
        iface=$(tb_netdev "$addr")
        [ -n "$iface" ] || fail "igbvf made no interface for VF $vf ($addr)"
        mac=$(ip -o link show dev "$iface" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
        [ "$mac" = "02:00:5e:10:00:1$vf" ] || fail "VF $vf ($iface) has MAC '$mac', not the one sriovd gave"
        ip link set "$iface" up || fail "cannot bring $iface up"
        ifaces="$ifaces $iface"
        vf=$((vf + 1))
    done
    for iface in $ifaces; do
        tb_wait_for "$BOUND" sh -c "[ \"\$(cat /sys/class/net/$iface/carrier 2>/dev/null)\" = 1 ]" ||
            fail "$iface has no carrier within $BOUND s ($n VFs)"
    done

    # igbvf also resets its VF when the old interfaces go down: only what follows t0 counts.
    up_line=$(tail -n "+$((mark + 1))" "$LOG" | grep -n -m 1 "brought up again for $n VFs" | cut -d: -f1)
    [ -n "$up_line" ] || fail "sriovd's log does not show the PF brought up for $n VFs"
    up_line=$((mark + up_line - 1))
    t_cmd=$(seconds "$(since "$LOG" "$mark" "changing the VF count from")")
    t0=$(seconds "$(since "$LOG" "$up_line" "brought up again for $n VFs")")
    t_created=$(seconds "$(since "$LOG" "$up_line" ": $n VFs created")")
    [ -n "$t_cmd" ] && [ -n "$t0" ] && [ -n "$t_created" ] || fail "sriovd's log lacks a step of the change to $n VFs"
    t_reset=$t0
    vf=0
    while [ "$vf" -lt "$n" ]; do
        line=$(since "$LOG" "$up_line" " VF $vf: message words 0x00000001( |\$)")
        [ -n "$line" ] || fail "VF $vf never completed its reset handshake ($n VFs)"
        t_reset=$(later "$t_reset" "$(seconds "$line")")
        vf=$((vf + 1))
    done
    t_carrier=$t0
    for iface in $ifaces; do
        # Carrier: LOWER_UP without NO-CARRIER (which igbvf shows first, while its link is not up).
        line=$(since "$LINKS" "$links_mark" " $iface: <BROADCAST,[^>]*LOWER_UP>")
        [ -n "$line" ] || fail "no carrier message for $iface in 'ip -ts monitor link'"
        t_carrier=$(later "$t_carrier" "$(seconds "$line")")
    done
    removal=$(elapsed "$t_cmd" "$t0")
    created=$(elapsed "$t0" "$t_created")
    handshake=$(elapsed "$t0" "$t_reset")
    carrier=$(elapsed "$t0" "$t_carrier")
    tb_log "bring-up: $n VFs: removal of the old VFs $removal s; from the count change: VFs created" \
        "$created s, every VF_RESET answered $handshake s, every interface with carrier $carrier s"
    results="$n,$removal,$created,$handshake,$carrier
$results"
done

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
kill "$monitor_pid" 2>/dev/null

echo "csv:vfs,removal_s,created_s,handshake_s,carrier_s"
printf '%s' "$results" | sed 's/^/csv:/'
tb_log "bring-up benchmark done"
