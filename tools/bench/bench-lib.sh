# Sourced by the benchmarks' run scripts (tools/bench/run-*.sh): what each does before it runs.
#
# bench_prepare NAME BUILD_DIR TARGET...: sets here (tools/bench), root (the source tree), build
# (BUILD_DIR made absolute, relative to root) and out (BUILD_DIR/bench-results, inside the build
# directory, which git ignores, created); checks that gnuplot is there for the plots; configures
# BUILD_DIR with cmake -G Ninja if it is not yet, and builds the TARGETs. NAME is how errors name
# the script.
bench_prepare() {
    local name=$1
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    root=$(cd "$here/../.." && pwd)
    build=$2
    shift 2
    case $build in /*) ;; *) build=$root/$build ;; esac
    command -v gnuplot >/dev/null || { echo "$name: gnuplot is missing (tools/setup.sh installs gnuplot-nox)" >&2; exit 1; }
    [ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build" --target "$@" -j2 >/dev/null
    out=$build/bench-results
    mkdir -p "$out"
}
