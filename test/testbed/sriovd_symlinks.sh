#!/bin/sh
# Symbolic links planted where sriovd writes as root (issue 15). mallory, an ordinary user, plants
# links in a directory everyone may write in, sticky as /tmp is (1777), pointing to a victim file
# of root's; sriovd, run as root with that directory for its state directory, its control socket or
# its --token-file, must never write, chmod or chown through them:
#   1. the state directory is a link: sriovd refuses before touching anything;
#   2. the control socket's path is a link: refused, the victim keeps its mode and owner;
#   3. the token's path is a link: refused, the victim keeps its contents and the link stays;
#   4. links at every temporary name one could guess (<path>.tmp and the like), the real paths
#      free: sriovd runs, the token and the socket are its own regular file and socket (0640 and
#      0660, root:sriov), the VF's /dev/vfio file is the group's, the victim is untouched, and
#      vfctl works.
# After each run the victim's checksum, mode and owner are compared with what they were.
. /lib/testbed.sh

LOG=/tmp/sriovd.log
CONF=/tmp/sriovd.toml
SHARED=/tmp/shared          # world-writable, sticky
VICTIM=/etc/victim          # root's file, what a followed link would overwrite
pf=$(tb_pf_addr 0)

fail() {
    [ -e "$LOG" ] && { echo "---- $LOG ----"; cat "$LOG"; }
    echo "---- $SHARED ----"
    ls -la "$SHARED"
    tb_fail "$*"
}

as() {
    su -s /bin/sh "$1" -c "$2"
}

# victim_state: what must never change: checksum, mode, owner.
victim_state() {
    echo "$(sha256sum "$VICTIM" | cut -d' ' -f1) $(stat -c '%a %U:%G' "$VICTIM")"
}

check_victim() {
    [ "$(victim_state)" = "$VICTIM_BEFORE" ] || fail "the victim changed after $1: $(victim_state), was $VICTIM_BEFORE"
    tb_log "ok: after $1, $VICTIM is untouched ($VICTIM_BEFORE)"
}

# plant NAME [TARGET]: mallory makes $SHARED/NAME a symbolic link to TARGET (the victim).
plant() {
    as mallory "ln -s ${2:-$VICTIM} $SHARED/$1" || fail "mallory cannot plant $SHARED/$1"
}

# exited_or_ready PID: sriovd (PID) has stopped, or has come up.
exited_or_ready() {
    tb_exited "$1" || grep -q "ready:" "$LOG"
}

# expect_refusal WHAT TEXT ARGS...: sriovd, started with ARGS, stops with status 1 and logs TEXT.
# One that comes up instead (it followed the link) is stopped, and the scenario fails.
expect_refusal() {
    _what=$1 _text=$2
    shift 2
    sriovd --foreground --config "$CONF" "$@" >"$LOG" 2>&1 &
    _pid=$!
    tb_wait_for 60 exited_or_ready "$_pid" || fail "$_what: sriovd neither stopped nor came up"
    if ! tb_exited "$_pid"; then
        kill -TERM "$_pid"
        tb_wait_for 60 tb_exited "$_pid"
        wait "$_pid"
        check_victim "$_what (sriovd came up)"
        fail "$_what: sriovd came up instead of refusing"
    fi
    wait "$_pid" && fail "$_what: sriovd exited with status 0"
    grep -q "$_text" "$LOG" || fail "$_what: sriovd did not say '$_text'"
    tb_log "ok: $_what: $(grep -o 'critical: .*' "$LOG")"
    check_victim "$_what"
}

cat >>/etc/passwd <<'EOF2'
mallory:x:1003:1003:plants symbolic links:/tmp:/bin/sh
EOF2
cat >>/etc/group <<'EOF2'
mallory:x:1003:
sriov:x:990:
EOF2
# The kernel's own guard (fs.protected_symlinks: no following another user's link in a sticky
# world-writable directory) is off, as on systems without systemd's sysctl defaults, so that only
# sriovd's own care protects the victim here.
echo 0 >/proc/sys/fs/protected_symlinks
echo 0 >/proc/sys/fs/protected_regular
printf 'root was here\n' >"$VICTIM"
chmod 0644 "$VICTIM"
VICTIM_BEFORE=$(victim_state)
mkdir -p "$SHARED" && chmod 1777 "$SHARED"
tb_log "victim $VICTIM: $VICTIM_BEFORE; $SHARED: $(stat -c '%a %U:%G' "$SHARED")"

cat >"$CONF" <<EOF2
[daemon]
state_dir = "/tmp/sriovd-state"
remove_vfs_on_exit = true
group = "sriov"

[[pf]]
device = "8086:10c9"
num_vfs = 1

[[pf.vf]]
index = 0
driver = "vfio-pci"
EOF2

# 1. A state directory that is a link mallory planted (to a directory of root's).
ETC_BEFORE=$(stat -c '%a %U:%G' /etc)
plant state /etc
expect_refusal "a symbolic link as the state directory" "$SHARED/state: is a symbolic link" \
    --state-dir "$SHARED/state"
[ -e /etc/vf-token ] && fail "sriovd wrote the token into the link's target"
tb_expect "/etc after sriovd refused" "$(stat -c '%a %U:%G' /etc)" "$ETC_BEFORE"
[ -L "$SHARED/state" ] || fail "the link at $SHARED/state is gone"

# 2. The control socket's path.
plant sriovd.sock
expect_refusal "a symbolic link at the control socket's path" "$SHARED/sriovd.sock: is a symbolic link" \
    --socket "$SHARED/sriovd.sock"
[ -L "$SHARED/sriovd.sock" ] || fail "the link at $SHARED/sriovd.sock was replaced"

# 3. The token's path (the defect as reported: a link at <path>.tmp made sriovd overwrite the
# victim with the token and leave <path> a link to it).
plant vf-token
for name in vf-token.tmp vf-token.tmp.0 vf-token.new vf-token~ sriovd.sock.tmp sriovd.sock.new; do
    plant "$name"
done
expect_refusal "a symbolic link at the token's path" "$SHARED/vf-token: is a symbolic link" \
    --socket /run/sriovd/sriovd.sock --token-file "$SHARED/vf-token"
[ -L "$SHARED/vf-token" ] || fail "the link at $SHARED/vf-token was replaced"

# 4. mallory takes her links at the real names back (the sticky bit lets her, and only her); those
# at the temporary names stay. sriovd now writes its own files beside them.
as mallory "rm $SHARED/vf-token $SHARED/sriovd.sock" || fail "mallory cannot remove her links"
sriovd --foreground --config "$CONF" --socket "$SHARED/sriovd.sock" --token-file "$SHARED/vf-token" >"$LOG" 2>&1 &
sriovd_pid=$!
tb_wait_for 60 grep -q "ready:" "$LOG" || fail "sriovd did not report ready"
tb_log "sriovd is up: $(grep -o 'VF token written to .*' "$LOG")"
check_victim "sriovd wrote its token and socket beside mallory's links"
[ -f "$SHARED/vf-token" ] && [ ! -L "$SHARED/vf-token" ] || fail "$SHARED/vf-token is not a regular file"
[ -S "$SHARED/sriovd.sock" ] && [ ! -L "$SHARED/sriovd.sock" ] || fail "$SHARED/sriovd.sock is not a socket"
tb_expect "token $SHARED/vf-token" "$(stat -c '%a %U:%G' "$SHARED/vf-token")" "640 root:sriov"
tb_expect "socket $SHARED/sriovd.sock" "$(stat -c '%a %U:%G' "$SHARED/sriovd.sock")" "660 root:sriov"
tb_expect "the token copy" "$(cat "$SHARED/vf-token")" "$(cat /tmp/sriovd-state/vf-token)"
tb_expect "state directory" "$(stat -c '%a %U:%G' /tmp/sriovd-state)" "750 root:sriov"
vf0=$(tb_vf_addr "$pf" 0) || fail "no VF 0"
g0=$(tb_iommu_group "$vf0")
tb_expect "VF 0's /dev/vfio/$g0 (changed through an O_PATH descriptor)" "$(stat -c '%a %U:%G' /dev/vfio/"$g0")" "660 root:sriov"
for name in vf-token.tmp vf-token.tmp.0 vf-token.new vf-token~ sriovd.sock.tmp sriovd.sock.new; do
    [ "$(readlink "$SHARED/$name")" = "$VICTIM" ] || fail "mallory's link $SHARED/$name was changed"
done
tb_log "ok: mallory's links at the temporary names are as she left them"
leftovers=$(ls -A "$SHARED" | grep -v -x -e vf-token -e sriovd.sock -e state \
    -e vf-token.tmp -e vf-token.tmp.0 -e vf-token.new -e 'vf-token~' -e sriovd.sock.tmp -e sriovd.sock.new)
[ -z "$leftovers" ] || fail "sriovd left files behind in $SHARED: $leftovers"
vfctl --socket "$SHARED/sriovd.sock" status >/tmp/out 2>&1 || fail "vfctl status failed: $(cat /tmp/out)"
tb_log "ok: vfctl status: $(head -n 1 /tmp/out)"

kill -TERM "$sriovd_pid"
tb_wait_for 60 tb_exited "$sriovd_pid" || fail "sriovd did not stop"
wait "$sriovd_pid" || fail "sriovd did not exit cleanly"
check_victim "sriovd stopped"
tb_log "sriovd_symlinks scenario passed"
