#!/usr/bin/env bash
# sriovd's man page: it documents exactly the options `sriovd --help` lists (each long option, both
# ways), and groff formats it without a warning (when groff is installed; tools/setup.sh's
# build-essential brings groff-base).
# Usage: sriovd_man_page_test.sh PATH/TO/sriovd PATH/TO/sriovd.8
set -uo pipefail

sriovd=${1:?usage: $0 sriovd sriovd.8}
page=${2:?usage: $0 sriovd sriovd.8}
[ -f "$page" ] || { echo "FAIL: no file $page"; exit 1; }

help=$("$sriovd" --help) || { echo "FAIL: sriovd --help exited with $?"; exit 1; }
from_help=$(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
# In troff a minus is written \-; the options are the words that begin with two of them.
from_page=$(sed 's/\\-/-/g' "$page" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
[ -n "$from_help" ] || { echo "FAIL: no options in sriovd --help"; exit 1; }
missing=$(comm -23 <(echo "$from_help") <(echo "$from_page"))
extra=$(comm -13 <(echo "$from_help") <(echo "$from_page"))
[ -z "$missing" ] || { echo "FAIL: options of sriovd --help not in $page: ${missing//$'\n'/ }"; exit 1; }
[ -z "$extra" ] || { echo "FAIL: options in $page that sriovd does not have: ${extra//$'\n'/ }"; exit 1; }
echo "ok: the page documents the $(wc -l <<<"$from_help") options of sriovd --help"

if command -v groff >/dev/null; then
    warnings=$(groff -man -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || { echo "FAIL: groff -man -ww:"; echo "$warnings"; exit 1; }
    echo "ok: groff -man -ww: no warnings"
fi
