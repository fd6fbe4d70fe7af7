#!/usr/bin/env bash
# The vfctl program itself, without a daemon: help for the program and each command (exit 0, every
# command named), usage mistakes (exit 2, one line), no sriovd (exit 1, says how to start it).
# Usage: vfctl_program_test.sh PATH/TO/vfctl
set -uo pipefail

vfctl=${1:?usage: $0 vfctl}
commands="show set reset release monitor status"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Runs vfctl with the given arguments; checks its exit status and that its output names $want.
check_help()
{
    local out rc c
    out=$("$vfctl" "$@" 2>&1)
    rc=$?
    [ "$rc" -eq 0 ] || { fail "vfctl $* exits $rc"; return; }
    for c in $commands numvfs; do
        grep -qw -- "$c" <<<"$out" || fail "vfctl $* does not mention $c"
    done
    echo "ok: vfctl $* (exit 0, every command named)"
}

check_help --help
check_help -h
check_help help
for c in $commands; do
    check_help "$c" --help
done
check_help set 0000:00:02.0 vf 0 --help
check_help -j status --help

sock=$(mktemp -u /tmp/vfctl-test-XXXXXX.sock)
err=$("$vfctl" --socket "$sock" shwo 2>&1)
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q 'did you mean "show"' <<<"$err" ||
    fail "a misspelt command: exit $rc, '$err'"
err=$("$vfctl" --socket "$sock" status 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q "sriovd is not running" <<<"$err" && grep -q "start it" <<<"$err" ||
    fail "no sriovd: exit $rc, '$err'"
echo "ok: usage mistakes exit 2, no sriovd exits 1"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
