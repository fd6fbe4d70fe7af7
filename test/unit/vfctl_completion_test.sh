#!/usr/bin/env bash
# vfctl's bash completion: valid bash, and what it offers at each place of a command line, with a
# stand-in vfctl that answers `-j show` as sriovd would (and one that cannot reach sriovd).
# Usage: vfctl_completion_test.sh PATH/TO/vfctl.bash-completion
set -uo pipefail

completion=${1:?usage: $0 vfctl.bash-completion}
[ -f "$completion" ] || { echo "FAIL: no file $completion"; exit 1; }
bash -n "$completion" || { echo "FAIL: bash -n $completion"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/up" "$work/down"
# A vfctl that sriovd answers: a PF with three VFs and a kernel-owned one (eth0); it records the
# socket it was given.
cat >"$work/up/vfctl" <<'STUB'
#!/bin/sh
echo "$*" >>"$(dirname "$0")/calls"
case "$*" in
*"show 0000:00:02.0") echo '{"pfs":[{"pf":"0000:00:02.0","num_vfs":3,"vfs":[{"vf":0},{"vf":1},{"vf":2}]}]}' ;;
*"show eth0") echo '{"pfs":[{"pf":"0000:81:00.1","interface":"eth0","owner":"kernel","num_vfs":2,"vfs":[{"vf":0},{"vf":1}]}]}' ;;
*show) echo '{"pfs":[{"pf":"0000:00:02.0","num_vfs":3,"vfs":[{"vf":0},{"vf":1},{"vf":2}]},{"pf":"0000:81:00.1","interface":"eth0","owner":"kernel","num_vfs":0,"vfs":[]}]}' ;;
*) exit 1 ;;
esac
STUB
# A vfctl without a daemon.
printf '#!/bin/sh\necho "vfctl: sriovd is not running" >&2\nexit 1\n' >"$work/down/vfctl"
chmod +x "$work/up/vfctl" "$work/down/vfctl"

# shellcheck source=/dev/null
source "$completion"
failures=0

# What completing the end of LINE offers, sorted byte by byte (802.1Q before 802.1ad), one line, as bash
# would insert it.
offers()
{
    COMP_LINE=$1
    COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<<"$COMP_LINE"
    COMP_CWORD=${#COMP_WORDS[@]}
    [[ $COMP_LINE =~ [[:space:]]$ ]] || COMP_CWORD=$((COMP_CWORD - 1))
    COMPREPLY=()
    _vfctl vfctl "" ""
    printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

expect()
{
    local line=$1 want=$2 got
    got=$(offers "$line")
    if [ "$got" = "$want" ]; then
        echo "ok: '$line' -> '$got'"
    else
        echo "FAIL: '$line' offers '$got', expected '$want'"
        failures=$((failures + 1))
    fi
}

complete -p vfctl | grep -q -- '-F _vfctl' || { echo "FAIL: no completion registered for vfctl"; failures=$((failures + 1)); }

PATH="$work/up:$PATH"
expect "vfctl " "help monitor release reset set show status"
expect "vfctl s" "set show status"
expect "vfctl -" "--help --json --socket --stats -h -j -s"
expect "vfctl -j s" "set show status"
expect "vfctl show " "0000:00:02.0 0000:81:00.1 eth0"
expect "vfctl show e" "eth0"
expect "vfctl set eth0 vf " "0 1"
expect "vfctl -s show 0000:8" "81:00.1"
expect "vfctl show 0000:00:" "02.0"   # bash puts back only what follows the last colon
expect "vfctl show 0000:00:02.0 " "vf"
expect "vfctl show 0000:00:02.0 vf " "0 1 2"
expect "vfctl show 0000:00:02.0 vf 1 " ""
expect "vfctl set " "0000:00:02.0 0000:81:00.1 eth0"
expect "vfctl set 0000:00:02.0 " "numvfs vf"
expect "vfctl set 0000:00:02.0 numvfs " ""
expect "vfctl set 0000:00:02.0 vf " "0 1 2"
expect "vfctl set 0000:00:02.0 vf 0 " "mac max_frame max_multicast max_tx_rate max_vlans min_tx_rate proto qos query_rss spoofchk state trust vlan"
expect "vfctl set 0000:00:02.0 vf 0 tr" "trust"
expect "vfctl set 0000:00:02.0 vf 0 trust " "off on"
expect "vfctl set 0000:00:02.0 vf 0 spoofchk o" "off on"
expect "vfctl set 0000:00:02.0 vf 0 state " "auto disable enable"
expect "vfctl set 0000:00:02.0 vf 0 mac " ""
expect "vfctl set 0000:00:02.0 vf 0 trust on vlan 10 " "mac max_frame max_multicast max_tx_rate max_vlans min_tx_rate proto qos query_rss spoofchk state"
expect "vfctl set 0000:00:02.0 vf 0 vlan 10 proto " "802.1Q 802.1ad"
expect "vfctl set 0000:00:02.0 vf 0 query_rss " "off on"
expect "vfctl reset 0000:00:02.0 vf " "0 1 2"
expect "vfctl release 0000:00:02.0 " "vf"
expect "vfctl monitor " ""
expect "vfctl status " ""
expect "vfctl help " "monitor release reset set show status"
expect "vfctl set --" "--help"

# The socket named on the line is the one asked.
rm -f "$work/up/calls"
offers "vfctl --socket /tmp/other.sock show " >/dev/null
grep -q -- "--socket /tmp/other.sock show" "$work/up/calls" ||
    { echo "FAIL: the PFs were not asked of --socket /tmp/other.sock: $(cat "$work/up/calls" 2>/dev/null)"; failures=$((failures + 1)); }
expect "vfctl --socket $work/up/vf" "$work/up/vfctl"

# Without a daemon: the words still, no addresses, no error text.
PATH="$work/down:${PATH#"$work/up:"}"
expect "vfctl show " ""
expect "vfctl set 0000:00:02.0 vf 0 state e" "enable"

[ "$failures" -eq 0 ] || { echo "$failures completion check(s) failed"; exit 1; }
echo "all completion checks passed"
