#!/usr/bin/env bash
# Runs each fuzz target for a bounded time on a copy of its seed corpus (corpus/<name>/) with its
# dictionary, and fails if any target finds a crash, a leak, undefined behaviour, a timeout
# (an input taking over 10 s) or an input needing over 2 GB.
#
#   test/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]     (default: every target, one after another)
#
# BUILD_DIR is the fuzz build (see CMakeLists.txt here). Each run leaves BUILD_DIR/fuzz-runs/<target>/:
# its log, the corpus it grew, and what it found (crash-*, leak-*, timeout-*, oom-*), which
# `BUILD_DIR/test/fuzz/<target> FILE` replays.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 2 ] || { sed -n '6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2; }
build=$(cd "$1" && pwd)
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_mailbox fuzz_control fuzz_config fuzz_state)

# Sanitizer reports with their stack, and the first report is fatal (as -fno-sanitize-recover).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for target in "${targets[@]}"; do
    work=$build/fuzz-runs/$target
    rm -rf "$work"
    mkdir -p "$work/corpus"
    cp "$here/corpus/${target#fuzz_}/"* "$work/corpus/"
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1
             -print_final_stats=1 -print_funcs=0 -artifact_prefix="$work/")
    [ -f "$here/$target.dict" ] && options+=(-dict="$here/$target.dict")

    if "$build/test/fuzz/$target" "${options[@]}" "$work/corpus" >"$work/log" 2>&1; then
        verdict=passed
    else
        verdict=FAILED
        failed+=("$target")
    fi
    # libFuzzer's last status line: "#<runs> DONE cov: <edges> ft: <features> corp: <n>/<size> ..."
    # (DONE when it ran its time; after a crash, the last line before it).
    done_line=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$work/log" | tail -1 || true)
    runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$work/log" | grep -oE '[0-9]+$' || echo '?')
    cov=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo '?')
    ft=$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo '?')
    corp=$(grep -oE 'corp: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo '?')
    printf '%-13s %s: %s runs in %s s, coverage %s edges, %s features, corpus %s inputs\n' \
        "$target" "$verdict" "$runs" "$seconds" "$cov" "$ft" "$corp"
    if [ "$verdict" = FAILED ]; then
        grep -E 'ERROR|SUMMARY|runtime error|fuzz_[a-z]+:|Test unit written' "$work/log" | head -20 | sed 's/^/    /'
        echo "    full log: $work/log"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
