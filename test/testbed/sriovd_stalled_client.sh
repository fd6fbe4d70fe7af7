#!/bin/sh
# Clients of the control socket that do not read (issue 15, item 3). A subscriber that reads
# nothing (tb_stalled_client subscribe) stays connected while a hostile VF resets itself thousands
# of times and asks for what it may not have (tb_hostile_vf storm) and operators change VF 1 again
# and again (vfctl set), each an event; a client that sends requests and never reads the answers
# (tb_stalled_client requests) comes and goes meanwhile. A `vfctl -j monitor` that reads counts the
# events sriovd made. Checked:
#   - sriovd's resident memory (VmRSS) grows by less than RSS_GROWTH_KB (1 MiB) while the
#     subscriber holds everything up: sriovd keeps at most 128 KiB of events per connection
#     (ServerOptions::max_output) and as many of answers, so the three clients that do not keep up
#     account for at most 384 KiB, and the rest of the margin is the allocator's and first use of
#     code. At least MIN_EVENTS events must be made for this to mean something: with no bound each
#     costs sriovd about 235 bytes (1560 kB for 6638 events, measured), so 5000 would be 1.1 MiB;
#     the figures are printed;
#   - every vfctl call during the storm is answered (within 5 s);
#   - the client that does not read its answers is disconnected, and sriovd says so in its log;
#   - the subscriber, once it reads, is told how many events it missed, and what it got plus what
#     it missed is exactly what the reading monitor counted; sriovd logged that it fell behind.
# Arguments: the number of VF resets (default 15000) and of vfctl set calls (default 300).
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
EVENTS=/tmp/events
TOKEN=/run/sriovd.token
SOCKET=/run/sriovd/sriovd.sock
RESETS=${1:-15000}
SETS=${2:-300}
RSS_GROWTH_KB=1024
MIN_EVENTS=5000
pf=$(tb_pf_addr 0)

fail() {
    tb_show_logs -n 50 /tmp/storm.log /tmp/stalled.log /tmp/requests.log "$LOG"
    tb_fail "$*"
}

tb_start_sriovd "$LOG" --pf "$pf" --vfs 2 --vf-mac 0=$MAC0 --vf-mac 1=$MAC1 --vf-driver 0=vfio-pci \
    --vf-driver 1=vfio-pci --token-file "$TOKEN" --state-dir /tmp/sriovd-state
vf0=$(tb_vf_addr "$pf" 0)
status_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$sriovd_pid/status"; }

# The reading monitor first; it is subscribed once it has printed an event of ours.
vfctl -j monitor >"$EVENTS" 2>&1 &
monitor_pid=$!
tb_wait_for 30 sh -c "vfctl set $pf vf 1 trust off && grep -q vf_changed $EVENTS" ||
    fail "vfctl monitor shows no event"
# Then the subscriber that reads nothing until it gets a line on its stdin.
mkfifo /tmp/stalled.go
tb_stalled_client "$SOCKET" subscribe </tmp/stalled.go >/tmp/stalled.log 2>&1 &
stalled_pid=$!
exec 3>/tmp/stalled.go
tb_wait_for 30 grep -q "^subscribed" /tmp/stalled.log || fail "the stalled client did not subscribe"
# The first event both subscribers get, and the last: events are counted from here (sriovd may
# publish others before, such as the PF's link coming up).
MARK='"event":"vf_changed".*"vf":0}'
vfctl set "$pf" vf 0 spoofchk on
# Warm up what the storm will use, so that the first figure is sriovd at work.
for i in 1 2 3 4 5 6 7 8 9 10; do vfctl set "$pf" vf 1 trust on && vfctl set "$pf" vf 1 trust off; done
vfctl status >/dev/null
rss_before=$(status_kb VmRSS)
anon_before=$(status_kb RssAnon)
tb_log "sriovd before the storm: VmRSS $rss_before kB (RssAnon $anon_before kB)"

tb_hostile_vf storm "$vf0" "$TOKEN" "$RESETS" >/tmp/storm.log 2>&1 &
storm_pid=$!
tb_stalled_client "$SOCKET" requests >/tmp/requests.log 2>&1 &
requests_pid=$!
answered=0
failed=0
call() { if timeout 5 "$@" >/dev/null 2>&1; then answered=$((answered + 1)); else failed=$((failed + 1)); fi; }
i=0
while [ $i -lt "$SETS" ]; do
    call vfctl set "$pf" vf 1 trust "$([ $((i % 2)) = 0 ] && echo on || echo off)"
    [ $((i % 10)) = 0 ] && call vfctl status
    i=$((i + 1))
done
while ! tb_exited "$storm_pid"; do call vfctl status; done
wait "$storm_pid" || fail "the storm ended with an error: $(cat /tmp/storm.log)"
tb_log "$(cat /tmp/storm.log)"
tb_wait_for 30 tb_exited "$requests_pid" || fail "the client that never reads its answers is still connected"
wait "$requests_pid" || fail "the client that never reads its answers: $(cat /tmp/requests.log)"
tb_log "the client that never read its answers: $(cat /tmp/requests.log)"
grep -q "does not read the answers" "$LOG" || fail "sriovd did not log why it disconnected that client"
tb_expect "vfctl calls not answered during the storm" "$failed" 0
tb_log "ok: during the storm sriovd answered all $answered vfctl calls ($SETS of them changes)"

# The last event: once the monitor has it, sriovd has published everything.
vfctl set "$pf" vf 0 spoofchk on
tb_wait_for 30 sh -c "[ \$(grep -c '$MARK' $EVENTS) = 2 ]" || fail "the monitor did not get the last event"
rss_after=$(status_kb VmRSS)
anon_after=$(status_kb RssAnon)
growth=$((rss_after - rss_before))
tb_log "sriovd's resident memory with the stalled client behind: VmRSS $rss_before kB before, $rss_after kB after ($growth kB); RssAnon $anon_before kB before, $anon_after kB after ($((anon_after - anon_before)) kB)"
tb_exited "$stalled_pid" && fail "the stalled client was disconnected"

echo go >&3
tb_wait_for 60 tb_exited "$stalled_pid" || fail "the stalled client did not finish reading"
wait "$stalled_pid" || fail "the stalled client: $(cat /tmp/stalled.log)"
kill "$monitor_pid"
wait "$monitor_pid"
# counted FILE: "EVENTS MISSED NOTICES" of the events in FILE from the first mark on.
counted() {
    tail -n +"$(grep -n "$MARK" "$1" | head -1 | cut -d: -f1)" "$1" | awk '
        /"event":"events_missed"/ { n++; sub(/.*"count":/, ""); sub(/,.*/, ""); m += $0; next }
        /"event":/ { e++ }
        END { print e + 0, m + 0, n + 0 }'
}
set -- $(counted "$EVENTS")
made=$(($1 + $2))
tb_log "events sriovd made from the first mark to the last: $made (the reading monitor got $1, missed $2)"
set -- $(counted /tmp/stalled.log)
got=$1 missed=$2 notices=$3
tb_log "the stalled client, once it read: $got events, $missed missed in $notices events_missed notice(s) ($(grep '^read: ' /tmp/stalled.log))"
[ "$made" -ge "$MIN_EVENTS" ] || fail "only $made events were made, fewer than $MIN_EVENTS: the memory figures prove nothing"
[ "$missed" -gt 0 ] || fail "the stalled client was told of no missed events"
tb_expect "events the stalled client got plus those it was told it missed" $((got + missed)) "$made"
grep -q "does not read its events" "$LOG" || fail "sriovd did not log the subscriber that fell behind"
grep -q "caught up; told it that" "$LOG" || fail "sriovd did not log that the subscriber caught up"
tb_log "sriovd's log: $(grep -c 'control socket: ' "$LOG") lines about clients that do not read:"
grep 'control socket: ' "$LOG"

[ "$growth" -lt "$RSS_GROWTH_KB" ] || fail "sriovd's VmRSS grew by $growth kB (limit $RSS_GROWTH_KB kB)"
tb_log "ok: sriovd's VmRSS grew by $growth kB (less than $RSS_GROWTH_KB kB) while it made $made events, of which the stalled client missed $missed (told in $notices notice(s))"
exec 3>&-

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
tb_log "stalled client scenario passed"
