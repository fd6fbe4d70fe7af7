#!/bin/sh
# Checks tools/sriovd/sriovd.service with `systemd-analyze verify`: unknown keys, bad values and
# sections, a missing program. ExecStart is pointed at the sriovd just built, since verify wants
# the program to exist. Any message about the unit fails the test; without systemd-analyze on the
# machine the test is skipped (exit 77). verify also looks up the man pages of Documentation=: the
# page sriovd's package installs is given to it through MANPATH.
#
# Usage: sriovd_unit_verify.sh UNIT SRIOVD MAN_PAGE
unit=$1
sriovd=$2
page=$3
command -v systemd-analyze >/dev/null 2>&1 || {
    echo "systemd-analyze is not installed: skipped"
    exit 77
}
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=/usr/sbin/sriovd |ExecStart=$sriovd |" "$unit" >"$dir/sriovd.service" || exit 1
grep -q "^ExecStart=$sriovd " "$dir/sriovd.service" || {
    echo "$unit: no 'ExecStart=/usr/sbin/sriovd ...' line to point at $sriovd"
    exit 1
}
mkdir -p "$dir/man/man8" && cp "$page" "$dir/man/man8/" || exit 1
out=$(MANPATH=$dir/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$dir/sriovd.service" 2>&1)
status=$?
echo "$out"
[ "$status" -eq 0 ] || { echo "systemd-analyze verify failed (status $status)"; exit 1; }
if echo "$out" | grep -q "sriovd.service"; then
    echo "systemd-analyze verify has something to say about the unit"
    exit 1
fi
echo "systemd-analyze verify: $unit is clean"
