#!/bin/sh
# testbed.systemd_sriovd: sriovd as a Debian host runs it. The guest boots Debian with systemd and
# udev (testbed.py --systemd); the project's packages are installed with apt from the local
# repository the harness made (our .debs and the Debian packages they declare they need, no
# network); sriovd.service then runs as installed. Every check is made by effect or by what the
# kernel, systemd or journald show, never by asking sriovd:
#   - udev binds igb to both PFs at boot; a PF not handed to sriovd keeps igb (sriovd refuses it);
#     driverctl hands PF 0 to vfio-pci, PF 1 stays with igb as a kernel-owned PF;
#   - `systemctl enable --now` returns once the VFs exist and igbvf drives them (Type=notify);
#   - the sandbox lets sriovd do its work: VFs made, igbvf bound, two VFs ping each other; the
#     kernel shows the capability bounding set and no_new_privs the unit asks for;
#   - systemd made /var/lib/sriovd and /run/sriovd with the unit's modes;
#   - journald has sriovd's lines with their priorities (a drift warning under -p warning, the
#     info lines not);
#   - vfctl talks to sriovd through the socket;
#   - `systemctl reload` applies a MAC changed in the file, without a restart;
#   - `systemctl stop` leaves the VFs with igbvf; after kill -9 Restart=on-failure brings sriovd
#     back (a new main PID, active) and the VFs still ping.
. /lib/testbed.sh

pf0=$(tb_pf_addr 0)
pf1=$(tb_pf_addr 1)

fail() {
    journalctl -u sriovd --no-pager -n 40
    tb_fail "$*"
}

# bound_to DEV DRIVER: DEV's driver is DRIVER now.
bound_to() {
    [ "$(tb_driver "$1")" = "$2" ]
}

# numvfs PF: the kernel's VF count of PF; vf_driver PF N: the driver of PF's VF N.
numvfs() { cat "/sys/bus/pci/devices/$1/sriov_numvfs"; }
vf_driver() { tb_driver "$(tb_vf_addr "$1" "$2")"; }
# VF 0 (namespace vf0) reaches VF 1 through the 82576's switch within 20 s.
vf0_pings_vf1() { tb_wait_for 20 ip netns exec vf0 ping -c 1 -W 1 10.9.0.2 >/dev/null; }

tb_expect "PID 1" "$(cat /proc/1/comm)" systemd

# --- udev at boot: the kernel's igb on both PFs ---
tb_expect "PF 0's driver after boot" "$(tb_driver "$pf0")" igb
tb_expect "PF 1's driver after boot" "$(tb_driver "$pf1")" igb
pf1_if=$(tb_netdev "$pf1")
[ -n "$pf1_if" ] || tb_fail "PF 1 ($pf1) has no interface under igb"

# --- the packages, from the local repository only ---
tb_log "apt-get install sriovd vfctl libvf0"
apt-get update -q >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; tb_fail "apt-get update failed"; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sriovd vfctl libvf0 \
    >>/tmp/apt.log 2>&1 || { cat /tmp/apt.log; tb_fail "apt-get install failed (undeclared dependency?)"; }
for p in sriovd vfctl libvf0; do
    tb_expect "package $p" "$(dpkg-query -W -f='${Status}' "$p")" "install ok installed"
done
tb_expect "sriovd.service after installation" "$(systemctl is-enabled sriovd)" disabled
[ -x /usr/sbin/sriovd ] || tb_fail "no /usr/sbin/sriovd"

mkdir -p /etc/sriovd
cat >/etc/sriovd/sriovd.toml <<EOF
[[pf]]
pci = "$pf0"
owner = "sriovd"
num_vfs = 2

[[pf.vf]]
index = 0
mac = "02:00:00:00:00:10"
driver = "igbvf"

[[pf.vf]]
index = 1
mac = "02:00:00:00:00:11"
driver = "igbvf"

[[pf]]
pci = "$pf1"
owner = "kernel"
num_vfs = 1

[[pf.vf]]
index = 0
mac = "02:00:00:00:01:10"
EOF

# --- a PF still bound to igb is not taken: the start fails and says why ---
if systemctl start sriovd 2>/dev/null; then
    fail "sriovd started with PF 0 still bound to igb"
fi
tb_expect "PF 0's driver after the refused start" "$(tb_driver "$pf0")" igb
[ -n "$(tb_netdev "$pf0")" ] || fail "PF 0 lost its interface"
# Said as an error: journalctl -p err shows it.
journalctl -u sriovd -p err -o cat --no-pager | grep -q "$pf0.*bound to igb" ||
    fail "journalctl -u sriovd -p err does not say that PF 0 is bound to igb"
tb_log "ok: sriovd refused PF 0 while igb has it (interface kept), and logged why as an error"
# Restart=on-failure would try again and again; the failures may have hit the start limit, which
# would refuse the next start too, as it would the operator's.
systemctl stop sriovd
systemctl reset-failed sriovd 2>/dev/null || true    # nothing to reset once systemd dropped the unit

# --- the operator hands PF 0 to vfio-pci for good (driverctl: a udev rule at every boot) ---
driverctl set-override "$pf0" vfio-pci || tb_fail "driverctl set-override failed"
tb_expect "PF 0's driver after driverctl" "$(tb_driver "$pf0")" vfio-pci
tb_expect "PF 1's driver" "$(tb_driver "$pf1")" igb
tb_expect "vfio-pci's enable_sriov (sriovd's modprobe.d file)" \
    "$(cat /sys/module/vfio_pci/parameters/enable_sriov)" Y

# --- Type=notify: the VFs are there when systemctl returns ---
tb_log "systemctl enable --now sriovd"
systemctl enable --now sriovd || fail "systemctl enable --now sriovd failed"
tb_expect "PF 0's sriov_numvfs when systemctl returned" "$(numvfs "$pf0")" 2
tb_expect "PF 1's sriov_numvfs when systemctl returned" "$(numvfs "$pf1")" 1
for i in 0 1; do
    tb_expect "PF 0 VF $i's driver when systemctl returned" "$(vf_driver "$pf0" "$i")" igbvf
done
tb_expect "sriovd.service" "$(systemctl is-active sriovd)" active
tb_expect "PF 1's driver with sriovd" "$(tb_driver "$pf1")" igb
tb_vf_shows "$pf1_if" 0 "02:00:00:00:01:10" || fail "PF 1's VF 0 has not the configured MAC"
tb_log "ok: PF 1's VF 0 has its MAC (ip link)"
# No driver configured for it: the kernel's choice, igbvf loaded by udev.
pf1_vf0=$(tb_vf_addr "$pf1" 0)
tb_wait_for 30 bound_to "$pf1_vf0" igbvf || fail "PF 1's VF 0 is on '$(tb_driver "$pf1_vf0")', not igbvf"
tb_log "ok: PF 1's VF 0 bound to igbvf"

# --- the sandbox as the kernel sees it ---
pid=$(systemctl show -p MainPID --value sriovd)
tb_expect "sriovd's capability bounding set (CAP_CHOWN CAP_NET_ADMIN)" \
    "$(awk '/^CapBnd/ {print $2}' "/proc/$pid/status")" 0000000000001001
tb_expect "sriovd's no_new_privs" "$(awk '/^NoNewPrivs/ {print $2}' "/proc/$pid/status")" 1

# --- directories made by systemd with the unit's modes ---
tb_expect "/var/lib/sriovd" "$(stat -c '%a %U' /var/lib/sriovd)" "750 root"
tb_expect "/run/sriovd" "$(stat -c '%a %U' /run/sriovd)" "755 root"
[ -S /run/sriovd/sriovd.sock ] || fail "no control socket /run/sriovd/sriovd.sock"

# --- vfctl through the socket ---
vfctl show "$pf0" >/tmp/vfctl.out 2>&1 || { cat /tmp/vfctl.out; fail "vfctl show failed"; }
grep -q "02:00:00:00:00:11" /tmp/vfctl.out || { cat /tmp/vfctl.out; fail "vfctl show lacks VF 1's MAC"; }
tb_log "ok: vfctl show lists the VFs"

# --- traffic between two VFs through the 82576's switch ---
tb_vf_in_ns "$pf0" 0 02:00:00:00:00:10 10.9.0.1 || fail "VF 0 not usable"
tb_vf_in_ns "$pf0" 1 02:00:00:00:00:11 10.9.0.2 || fail "VF 1 not usable"
vf0_pings_vf1 || fail "VF 0 cannot ping VF 1"
tb_log "ok: VF 0 pings VF 1"

# --- journald: priorities from sriovd's lines ---
# A change behind sriovd's back on the kernel-owned PF is a drift, logged as a warning.
ip link set "$pf1_if" vf 0 mac 02:00:00:00:01:99
tb_wait_for 20 sh -c 'journalctl -u sriovd -p warning -o cat --no-pager | grep -q "behind sriovd"' ||
    fail "no warning about the drift in journalctl -u sriovd -p warning"
journalctl -u sriovd -p warning -o cat --no-pager | grep -q "ready" &&
    fail "journalctl -p warning shows info lines: the priorities are lost"
journalctl -u sriovd -p info -o cat --no-pager | grep -q "ready" || fail "no info line in the journal"
journalctl -u sriovd -o cat --no-pager | grep -q '^<[0-7]>' && fail "priority prefixes left in the text"
tb_log "ok: the drift warning is under -p warning, the info lines only under -p info"

# --- systemctl reload: the file's new MAC applies, sriovd keeps running ---
pid=$(systemctl show -p MainPID --value sriovd)
sed -i 's/02:00:00:00:01:10/02:00:00:00:01:20/' /etc/sriovd/sriovd.toml
systemctl reload sriovd || fail "systemctl reload sriovd failed"
tb_wait_for 20 tb_vf_shows "$pf1_if" 0 "02:00:00:00:01:20" || fail "PF 1's VF 0 did not take the reloaded MAC"
tb_wait_for 20 sh -c '[ "$(systemctl is-active sriovd)" = active ]' || fail "sriovd.service not active after reload"
tb_expect "sriovd's main PID after the reload" "$(systemctl show -p MainPID --value sriovd)" "$pid"
journalctl -u sriovd -o cat --no-pager | grep -q "configuration reloaded" || fail "no 'configuration reloaded' line"
tb_log "ok: systemctl reload applied the file's new MAC (ip link), same process, unit active"

# --- systemctl stop leaves the VFs ---
systemctl stop sriovd
tb_expect "sriovd.service after stop" "$(systemctl is-active sriovd)" inactive
tb_expect "PF 0's sriov_numvfs after stop" "$(numvfs "$pf0")" 2
for i in 0 1; do
    tb_expect "VF $i's driver after stop" "$(vf_driver "$pf0" "$i")" igbvf
done

# --- kill -9: Restart=on-failure brings it back, the VFs still there ---
systemctl start sriovd || fail "systemctl start sriovd failed"
old=$(systemctl show -p MainPID --value sriovd)
tb_log "kill -9 sriovd ($old)"
kill -9 "$old"
new_active() {
    _p=$(systemctl show -p MainPID --value sriovd)
    [ "$_p" != 0 ] && [ "$_p" != "$old" ] && [ "$(systemctl is-active sriovd)" = active ]
}
tb_wait_for 60 new_active || fail "sriovd did not come back after kill -9"
tb_log "ok: sriovd is back with main PID $(systemctl show -p MainPID --value sriovd)"
tb_expect "restarts counted by systemd" "$(systemctl show -p NRestarts --value sriovd)" 1
tb_expect "PF 0's sriov_numvfs after the restart" "$(numvfs "$pf0")" 2
vf0_pings_vf1 || fail "VF 0 cannot ping VF 1 after the restart"
tb_log "ok: VF 0 pings VF 1 after the restart"
