#!/bin/sh
# Local users and sriovd's operators' group. sriovd runs from a configuration with
# `[daemon] group = "sriov"` and two VFs on vfio-pci; alice is in the group, bob is not.
#   - The control socket, the copy of the VF token and each VF's /dev/vfio/<group> belong to
#     root:sriov (0660, 0640, 0660).
#   - bob: vfctl is refused by the socket's file mode, and, with the file mode opened up by
#     hand, by sriovd's check of his peer credentials; he cannot read the token, and his libvf
#     program fails, with the token (a leaked copy) as well, at the VF's device file.
#   - alice: vfctl status works, and libvf's vf-pktgen receives on VF 1 what it sends on VF 0;
#     she changes the VF count, and the new VF's device file is the group's too; she resets the
#     PF, and her frames flow again.
#   - Once up, every thread of sriovd holds CAP_CHOWN alone (effective, permitted; the bounding
#     set keeps the unit's CAP_NET_ADMIN too, which needs CAP_SETPCAP to remove),
#     nothing inheritable or ambient, and no_new_privs: it dropped the rest itself, and the run-time
#     work above (the VF count, the PF reset, removing the VFs at exit) needs no more.
# Both run through busybox `su` from root (no password asked), with the rlimits root has.
# sriovd runs with the capability bounding set of tools/sriovd/sriovd.service (CAP_CHOWN, CAP_NET_ADMIN)
# and no_new_privs, through util-linux's setpriv (busybox's cannot set a bounding set), and finds
# its PF by vendor:device (libpci discovery without CAP_SYS_ADMIN sees 64 bytes of config space).
. /lib/testbed.sh

MAC0=02:11:22:33:44:55
MAC1=02:11:22:33:44:66
LOG=/tmp/sriovd.log
CONF=/tmp/sriovd.toml
TOKEN=/run/sriovd/vf-token
SOCKET=/run/sriovd/sriovd.sock
COUNT=200   # fits in the receiver's RX ring (256), so none may be lost however it is scheduled
# Small rings and few buffers: 512 buffers of 2 KiB and the rings pin about 1.1 MiB, below the
# kernel's default RLIMIT_MEMLOCK of 8 MiB that an ordinary user has (libvf's defaults need more).
SIZES="--ring 256 --buffers 512"
pf=$(tb_pf_addr 0)

fail() {
    for f in "$LOG" /tmp/recv.log /tmp/send.log; do
        [ -e "$f" ] && { echo "---- $f ----"; cat "$f"; }
    done
    tb_fail "$*"
}

# as USER COMMAND: run the shell command COMMAND as USER, as a login from root would (busybox su
# asks root for no password; it sets the user's groups from /etc/group).
as() {
    su -s /bin/sh "$1" -c "$2"
}

# expect_refusal USER TEXT COMMAND: COMMAND, run as USER, fails and says TEXT on stderr.
expect_refusal() {
    as "$1" "$3" >/tmp/out 2>/tmp/err && fail "$1: '$3' succeeded: $(cat /tmp/out)"
    grep -q "$2" /tmp/err || fail "$1: '$3' said '$(cat /tmp/err)', not '$2'"
    tb_log "ok: $1: '$3' refused: $(cat /tmp/err)"
}

# mode_of FILE: "MODE OWNER:GROUP", e.g. "660 root:sriov".
mode_of() {
    stat -c '%a %U:%G' "$1"
}

# The users and the group, as useradd/groupadd would write them.
cat >>/etc/passwd <<'EOF'
alice:x:1001:1001:in the operators' group:/tmp:/bin/sh
bob:x:1002:1002:not in it:/tmp:/bin/sh
EOF
cat >>/etc/group <<'EOF'
alice:x:1001:
bob:x:1002:
sriov:x:990:alice
EOF
tb_log "users: alice is $(as alice id), bob is $(as bob id)"

cat >"$CONF" <<EOF
[daemon]
state_dir = "/tmp/sriovd-state"
remove_vfs_on_exit = true
group = "sriov"

[[pf]]
device = "8086:10c9"
num_vfs = 2

[[pf.vf]]
index = 0
mac = "$MAC0"
driver = "vfio-pci"

[[pf.vf]]
index = 1
mac = "$MAC1"
driver = "vfio-pci"
EOF

# The unit's CapabilityBoundingSet= and NoNewPrivileges=; keep them in step.
UNIT_CAPS="-all,+chown,+net_admin"
[ -x /opt/sriov/bin/setpriv ] || tb_fail "no util-linux setpriv in /opt/sriov/bin"
/opt/sriov/bin/setpriv --bounding-set "$UNIT_CAPS" --no-new-privs -- \
    /opt/sriov/bin/sriovd --foreground --config "$CONF" --token-file "$TOKEN" >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
tb_wait_for 30 grep -q "privileges: " "$LOG" || fail "sriovd did not say which privileges it kept"
tb_log "sriovd: $(grep -o 'privileges: .*' "$LOG")"
# Capabilities belong to threads: every thread of sriovd is checked. CAP_CHOWN is bit 0,
# CAP_NET_ADMIN bit 12: with no kernel-owned PF it is dropped, but without CAP_SETPCAP it stays in
# the bounding set (not permitted, and no_new_privs keeps it so).
sriovd_proc=$(pidof sriovd) || fail "no sriovd process"
threads=0
for status in /proc/"$sriovd_proc"/task/*/status; do
    tid=$(basename "$(dirname "$status")")
    field() { sed -n "s/^$1:[[:space:]]*//p" "$status"; }
    for set in CapEff CapPrm; do
        [ "$(field $set)" = 0000000000000001 ] || fail "sriovd thread $tid: $set $(field $set), not CAP_CHOWN alone"
    done
    [ "$(field CapBnd)" = 0000000000001001 ] || fail "sriovd thread $tid: CapBnd $(field CapBnd), not the unit's"
    for set in CapInh CapAmb; do
        [ "$(field $set)" = 0000000000000000 ] || fail "sriovd thread $tid: $set $(field $set), not empty"
    done
    [ "$(field NoNewPrivs)" = 1 ] || fail "sriovd thread $tid: no_new_privs not set"
    threads=$((threads + 1))
done
tb_log "ok: each of sriovd's $threads threads: CapEff and CapPrm 0000000000000001 (CAP_CHOWN), CapBnd the unit's 0000000000001001, CapInh and CapAmb 0, NoNewPrivs 1"
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
vf1=$(tb_vf_addr "$pf" 1) || fail "no VF 1"
tb_expect "VF 0 driver" "$(tb_driver "$vf0")" vfio-pci
tb_expect "VF 1 driver" "$(tb_driver "$vf1")" vfio-pci

# What belongs to the group, and what stays root's.
tb_expect "control socket $SOCKET" "$(mode_of "$SOCKET")" "660 root:sriov"
tb_expect "VF token copy $TOKEN" "$(mode_of "$TOKEN")" "640 root:sriov"
tb_expect "VF token /tmp/sriovd-state/vf-token" "$(mode_of /tmp/sriovd-state/vf-token)" "640 root:sriov"
g0=$(tb_iommu_group "$vf0") g1=$(tb_iommu_group "$vf1") gpf=$(tb_iommu_group "$pf")
tb_expect "VF 0's /dev/vfio/$g0" "$(mode_of /dev/vfio/"$g0")" "660 root:sriov"
tb_expect "VF 1's /dev/vfio/$g1" "$(mode_of /dev/vfio/"$g1")" "660 root:sriov"
tb_expect "the PF's /dev/vfio/$gpf" "$(mode_of /dev/vfio/"$gpf")" "600 root:root"
tb_expect "the VFIO container /dev/vfio/vfio" "$(mode_of /dev/vfio/vfio)" "666 root:root"

# bob, outside the group.
expect_refusal bob "permission denied.*group 'sriov'" "vfctl status"
tb_expect "bob: exit status of vfctl status" "$(as bob 'vfctl status >/dev/null 2>&1; echo $?')" 1
expect_refusal bob "Permission denied" "cat $TOKEN"
expect_refusal bob "cannot read the VF token: permission denied (owner uid 0, group .sriov., mode 0640)" "vf-pktgen recv --vf $vf1 --token-file $TOKEN $SIZES --count 1 --idle 2"
# A token that leaked to bob does not help him: the VF's device file is the group's.
cp "$TOKEN" /tmp/leaked-token && chmod 0644 /tmp/leaked-token
expect_refusal bob "/dev/vfio/$g1.*no permission to open it" \
    "vf-pktgen recv --vf $vf1 --token-file /tmp/leaked-token $SIZES --count 1 --idle 2"
rm -f /tmp/leaked-token
# The second lock on the socket: sriovd checks the peer's credentials itself, so even a socket
# file opened to everyone (here by hand) lets bob in no further.
chmod 0666 "$SOCKET"
expect_refusal bob "permission denied: run as root or as a member of the socket's group" "vfctl status"
chmod 0660 "$SOCKET"
grep -q "control socket: refused pid [0-9]* (uid 1002)" "$LOG" || fail "sriovd did not log bob's refusal"
tb_log "ok: sriovd logged: $(grep -o 'control socket: refused.*' "$LOG" | head -n 1)"

# alice, in the group.
as alice "vfctl status" >/tmp/out 2>&1 || fail "alice: vfctl status failed: $(cat /tmp/out)"
tb_log "ok: alice: vfctl status: $(head -n 1 /tmp/out)"
as alice "cat $TOKEN" >/dev/null || fail "alice cannot read the VF token"
tb_log "ok: alice reads the VF token"
tb_log "alice's RLIMIT_MEMLOCK: $(as alice 'ulimit -l') KiB (not raised)"
# libvf's default sizes (4096 buffers of 2 KiB, two rings of 512) pin more than that; VFIO
# charges pinned memory to the user's RLIMIT_MEMLOCK, and libvf's error says so.
expect_refusal alice "RLIMIT_MEMLOCK" "vf-pktgen recv --vf $vf1 --token-file $TOKEN --count 1 --idle 2"
# alice_traffic: alice's libvf receiver on VF 1 gets the COUNT frames her sender sends on VF 0.
alice_traffic() {
    as alice "vf-pktgen recv --vf $vf1 --token-file $TOKEN $SIZES --count $COUNT --idle 20" >/tmp/recv.log 2>&1 &
    recv_pid=$!
    tb_wait_for 60 grep -q "^ready" /tmp/recv.log || fail "alice's receiver on VF 1 did not get ready"
    grep -q "MAC $MAC1" /tmp/recv.log || fail "VF 1 did not get MAC $MAC1 from sriovd"
    tb_log "ok: alice's receiver ready on VF 1 ($vf1): $(grep '^ready' /tmp/recv.log)"
    as alice "vf-pktgen send --vf $vf0 --token-file $TOKEN $SIZES --dst $MAC1 --count $COUNT" >/tmp/send.log 2>&1 ||
        fail "alice's sender on VF 0 failed"
    tb_wait_for 60 tb_exited "$recv_pid" || fail "alice's receiver did not finish"
    wait "$recv_pid" || fail "alice's receiver failed"
    grep -q "^received $COUNT frames" /tmp/recv.log || fail "VF 1 did not receive the $COUNT frames"
    grep -q "sequence gaps 0," /tmp/recv.log || fail "frames arrived out of order or with gaps"
    tb_log "ok: alice: $(grep '^received' /tmp/recv.log)"
}
alice_traffic

# A member may change the VF count too; the new VF's device file is the group's as well.
as alice "vfctl set $pf numvfs 3" >/tmp/out 2>&1 || fail "alice: vfctl set numvfs 3 failed: $(cat /tmp/out)"
tb_wait_for 60 grep -q "ready: .*VF 2 " "$LOG" || fail "the VF count did not become 3"
vf2=$(tb_vf_addr "$pf" 2) || fail "no VF 2"
g2=$(tb_iommu_group "$vf2")
tb_expect "VF 2's /dev/vfio/$g2 after alice's vfctl set numvfs 3" "$(mode_of /dev/vfio/"$g2")" "660 root:sriov"

# A PF reset, by a member too: sriovd resets the PF and writes every VF's state back, with the
# privileges it kept; alice's frames flow again.
as alice "vfctl reset $pf" >/tmp/out 2>&1 || fail "alice: vfctl reset $pf failed: $(cat /tmp/out)"
tb_wait_for 30 grep -q "PF $pf: reset by an operator" "$LOG" || fail "sriovd did not reset the PF"
tb_log "ok: alice reset the PF"
alice_traffic

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
tb_log "sriovd_group scenario passed"
