#!/bin/sh
# The fault-injection soak (issue 16): prepares the guest for sriov-soak (tools/soak) and runs it.
# One sriovd owns two PFs: PF 0 has VF 0 and VF 1 on igbvf, which exchange traffic (VF 1 in network
# namespace vf1, neighbours fixed so that ARP plays no part in the recovery times), and VF 2 on
# vfio-pci, from which tb_hostile_vf bursts; PF 1's VF count is what the operator changes (2 <-> 3),
# and its VFs take any setting. sriovd is started here once to create the VFs and bring the
# interfaces up, stopped (its VFs stay), and from then on sriov-soak runs it. sriov-soak's own
# output says what each cycle did and checked; its CSV, if asked for, is printed after a "csv:" line.
#
# Usage (in the guest): soak.sh CYCLES LEAK_CYCLES SEED [RESTART_DELAY_MS [WARMUP [FROM_CYCLE]]]
# (FROM_CYCLE: the number of the first cycle, so that a long soak can run in parts, each in a guest
# of its own: the same seed draws the same cycles whatever part they are in.)
. /lib/testbed.sh

CYCLES=${1:-20}
LEAK_CYCLES=${2:-8}
SEED=${3:-1}
DELAY_MS=${4:-0}
WARMUP=${5:-3}
FROM=${6:-1}
MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
STATE=/var/lib/sriovd
CONFIG=/etc/sriovd/sriovd.toml
LOG=/tmp/sriovd.setup.log
pf0=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)

fail() {
    tb_show_logs -n 60 /tmp/sriovd.*.log
    tb_fail "$*"
}

modprobe igbvf || tb_fail "cannot load igbvf"
mkdir -p /etc/sriovd
{
    printf '[daemon]\nstate_dir = "%s"\n' "$STATE"
    tb_config_pf "$pf0" 3
    tb_config_vf 0 "$MAC0" igbvf
    tb_config_vf 1 "$MAC1" igbvf
    tb_config_vf 2 02:11:22:33:44:77
    tb_config_pf "$pf1" 2
    tb_config_vf 0 02:11:22:33:55:00
    tb_config_vf 1 02:11:22:33:55:01
} >"$CONFIG"

tb_start_sriovd "$LOG" --config "$CONFIG"
tb_wait_for 60 sh -c "[ \$(grep -c 'ready:' $LOG) -ge 2 ]" || fail "sriovd did not report both PFs ready"
vf0=$(tb_vf_addr "$pf0" 0) && vf1=$(tb_vf_addr "$pf0" 1) || fail "PF 0 has no VF 0 or 1"
tb_wait_for 60 sh -c "test -d /sys/bus/pci/devices/$vf0/net && test -d /sys/bus/pci/devices/$vf1/net" ||
    fail "igbvf made no interfaces"
if0=$(tb_netdev "$vf0")
tb_vf_in_ns "$pf0" 1 "$MAC1" 10.77.0.2 || fail "VF 1 is not up in namespace vf1"
if1=$tb_vf_if
ip addr add 10.77.0.1/24 dev "$if0" && ip link set "$if0" up || fail "cannot bring $if0 up"
ip neigh replace 10.77.0.2 lladdr "$MAC1" dev "$if0" nud permanent || fail "cannot fix VF 1's neighbour"
ip -n vf1 neigh replace 10.77.0.1 lladdr "$MAC0" dev "$if1" nud permanent || fail "cannot fix VF 0's neighbour"
tb_wait_for 30 sh -c "ping -c 1 -W 1 10.77.0.2 >/dev/null" || fail "VF 0 ($if0) cannot reach VF 1 ($if1)"
kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "the first sriovd did not stop"
tb_log "ok: VF 0 ($if0) and VF 1 ($if1, namespace vf1) reach each other; the soak begins"

sriov-soak --seed "$SEED" --cycles "$CYCLES" --from-cycle "$FROM" --leak-cycles "$LEAK_CYCLES" --warmup "$WARMUP" \
    --restart-delay-ms "$DELAY_MS" \
    --csv /tmp/soak.csv --config "$CONFIG" --state-dir "$STATE" --traffic-pf "$pf0" --count-pf "$pf1" \
    --vf0 "$if0" 10.77.0.1 --vf1 "$if1" 10.77.0.2 vf1 \
    --hostile-command "tb_hostile_vf storm \"\$1\" $STATE/vf-token 200" || status=$?
sed 's/^/csv:/' /tmp/soak.csv
[ "${status:-0}" = 0 ] || fail "the soak failed (status $status)"
tb_log "soak passed"
