#!/usr/bin/env bash
# Installs every Debian package sriov-stack needs on a Debian 12 (bookworm) machine.
# Safe to run again: it only adds what is missing. Needs root (or sudo).
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "run as root, or install sudo"
    SUDO="sudo"
fi

# Packages from bookworm itself.
BASE_PKGS=(
    build-essential cmake ninja-build pkg-config git
    linux-libc-dev libpci-dev pciutils libnl-route-3-dev
    libboost-dev libspdlog-dev libfmt-dev
    nlohmann-json3-dev libtoml11-dev libcli11-dev libsystemd-dev libcap-ng-dev
    busybox-static cpio kmod xz-utils iproute2 ethtool ca-certificates python3
    clang libclang-rt-dev   # the fuzz targets: libFuzzer and clang's sanitizer runtimes
    gnuplot-nox             # the benchmarks' plots (SVG)
    valgrind                # bench-datapath counts libvf's instructions with callgrind (and valgrind/callgrind.h)
    dpkg-dev lintian        # the Debian packages: dpkg-shlibdeps for their dependencies, lintian checks them
    prometheus              # promtool, which checks what sriovd serves as metrics (testbed.sriovd_metrics)
    mmdebstrap eatmydata    # the testbed's Debian root file system for guests with systemd (testbed.py fetch-root)
)
# Packages that must come from bookworm-backports (QEMU with the igb device, Catch2 v3).
BACKPORT_PKGS=(qemu-system-x86 libcatch2-dev)

missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

# The suite must come from the Debian mirror the machine already uses.
debian_mirror() { sh "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh"; }

. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || \
    echo "setup: warning: this script is written for Debian 12 (bookworm), found ${PRETTY_NAME:-unknown}" >&2

BACKPORTS_LIST=/etc/apt/sources.list.d/sriov-stack-backports.list
need_update=0
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    step "Adding bookworm-backports from $(debian_mirror)"
    echo "deb $(debian_mirror) bookworm-backports main" | $SUDO tee "$BACKPORTS_LIST" >/dev/null
    need_update=1
fi

mapfile -t want_base < <(missing "${BASE_PKGS[@]}")
mapfile -t want_bp < <(missing "${BACKPORT_PKGS[@]}")
# Catch2 in bookworm itself is v2; the project needs v3.
if [ ${#want_bp[@]} -eq 0 ] && ! dpkg-query -W -f='${Version}' libcatch2-dev | grep -q '^3'; then
    want_bp+=(libcatch2-dev)
fi

if [ ${#want_base[@]} -gt 0 ] || [ ${#want_bp[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
    step "Refreshing the package lists"
    $SUDO apt-get update -q || fail "apt-get update failed (network or mirror problem?)"
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#want_base[@]} -gt 0 ]; then
    step "Installing ${want_base[*]}"
    $SUDO apt-get install -y -q --no-install-recommends "${want_base[@]}" || fail "could not install ${want_base[*]}"
    # Only promtool is wanted from the prometheus package, not the server it enables and starts
    # (listening on port 9090). Stopped and disabled when this script installed it, never otherwise.
    if printf '%s\n' "${want_base[@]}" | grep -qx prometheus; then
        if [ -d /run/systemd/system ]; then
            step "Stopping and disabling prometheus.service (the project needs only promtool)"
            $SUDO systemctl disable --now prometheus.service || echo "setup: warning: could not stop prometheus" >&2
        elif [ -x /etc/init.d/prometheus ]; then
            step "Stopping and disabling the prometheus server (the project needs only promtool)"
            $SUDO /etc/init.d/prometheus stop >/dev/null 2>&1 || true
            $SUDO update-rc.d prometheus disable >/dev/null 2>&1 || echo "setup: warning: could not disable prometheus" >&2
        fi
    fi
fi
if [ ${#want_bp[@]} -gt 0 ]; then
    step "Installing from bookworm-backports: ${want_bp[*]}"
    $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports "${want_bp[@]}" \
        || fail "could not install ${want_bp[*]} from bookworm-backports"
fi

qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"' || \
    fail "qemu-system-x86_64 has no igb device; it must come from bookworm-backports (QEMU >= 8)"
step "All packages present"
