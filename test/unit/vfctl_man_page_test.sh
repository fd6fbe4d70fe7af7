#!/usr/bin/env bash
# vfctl's man page: formatted without a single warning by groff (and by man, if installed).
# Exits 77 (skipped) when neither is installed; tools/setup.sh installs groff-base for it.
# Usage: vfctl_man_page_test.sh PATH/TO/vfctl.8
set -uo pipefail

page=${1:?usage: $0 vfctl.8}
[ -f "$page" ] || { echo "FAIL: no file $page"; exit 1; }
checked=0
if command -v groff >/dev/null; then
    warnings=$(groff -man -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || { echo "FAIL: groff -man -ww:"; echo "$warnings"; exit 1; }
    # The page must really be formatted, to more than its header.
    lines=$(groff -man -Tutf8 "$page" 2>/dev/null | grep -c .)
    [ "$lines" -gt 100 ] || { echo "FAIL: groff formats $page to only $lines lines"; exit 1; }
    echo "ok: groff -man -ww: no warnings, $lines lines"
    checked=1
fi
if command -v man >/dev/null; then
    warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
    [ -z "$warnings" ] || { echo "FAIL: man --warnings:"; echo "$warnings"; exit 1; }
    echo "ok: man --warnings: none"
    checked=1
fi
[ "$checked" -eq 1 ] || { echo "SKIPPED: neither groff nor man is installed"; exit 77; }
