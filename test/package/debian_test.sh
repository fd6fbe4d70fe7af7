#!/bin/sh
# package.debian (test/package/CMakeLists.txt): builds the Debian packages of this build tree with
# CPack into WORK_DIR, then checks what each holds (dpkg-deb -c), what it declares (dpkg-deb -f)
# and that lintian reports no error on any of them; lintian's warnings are printed, not failed.
#
# Usage: debian_test.sh BUILD_DIR WORK_DIR CPACK PREFIX LIBDIR VERSION
set -eu
build=$1 work=$2 cpack=$3 prefix=$4 libdir=$5 version=$6

fail() { echo "FAIL: $*"; exit 1; }

[ "$prefix" = /usr ] || {
    echo "SKIPPED: this tree installs into $prefix; packages need -DCMAKE_INSTALL_PREFIX=/usr (tools/run's build)"
    exit 77
}
command -v lintian >/dev/null || { echo "SKIPPED: lintian is not installed (tools/setup.sh installs it)"; exit 77; }

arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
[ "$libdir" = "lib/$multiarch" ] || fail "libvf would go to /usr/$libdir, not Debian's /usr/lib/$multiarch"

rm -rf "$work"
mkdir -p "$work"
# CPack writes the packages to packages/ under the directory it runs in.
(cd "$work" && "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work") >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; fail "cpack failed (are sriovd, vfctl and vf_shared built?)"; }

deb() { echo "$work/packages/$1_${version}_$arch.deb"; }
for p in sriovd vfctl libvf0 libvf-dev; do
    [ -f "$(deb "$p")" ] || { ls "$work/packages"; fail "no package $(basename "$(deb "$p")")"; }
done

# has PACKAGE PATH...: the package holds each path (as dpkg-deb -c lists it, without the ./).
has() {
    p=$1
    shift
    dpkg-deb -c "$(deb "$p")" | awk '{print $6}' | sed 's|^\./|/|' >"$work/$p.files"
    for f in "$@"; do
        grep -qx "$f" "$work/$p.files" || { cat "$work/$p.files"; fail "$p does not hold $f"; }
    done
}
has sriovd /usr/sbin/sriovd /lib/systemd/system/sriovd.service /lib/modprobe.d/sriovd.conf \
    /usr/share/man/man8/sriovd.8.gz /usr/share/doc/sriovd/examples/sriovd.toml \
    /usr/share/doc/sriovd/copyright /usr/share/doc/sriovd/changelog.gz
has vfctl /usr/bin/vfctl /usr/share/man/man8/vfctl.8.gz /usr/share/bash-completion/completions/vfctl \
    /usr/share/doc/vfctl/copyright
has libvf0 "/usr/$libdir/libvf.so.$version" /usr/share/doc/libvf0/copyright
has libvf-dev /usr/include/sriov/libvf.h /usr/include/sriov/libvf.hpp "/usr/$libdir/pkgconfig/libvf.pc" \
    "/usr/$libdir/cmake/libvf/libvfConfig.cmake" "/usr/$libdir/cmake/libvf/libvfTargets.cmake" \
    /usr/share/doc/libvf-dev/copyright
# The soname link is made by ldconfig on the installed system, the libvf.so link is libvf-dev's.
dpkg-deb -c "$(deb libvf0)" | grep "usr/$libdir/libvf.so.0 -> libvf.so.$version" >/dev/null ||
    fail "libvf0 has no libvf.so.0 link"
dpkg-deb -c "$(deb libvf-dev)" | grep "usr/$libdir/libvf.so -> libvf.so.0" >/dev/null ||
    fail "libvf-dev has no libvf.so link"
! grep -q '^/usr/local' "$work"/*.files || fail "a package holds files under /usr/local"

# The unit starts the packaged sriovd, and the modprobe.d file gives vfio-pci enable_sriov=1.
dpkg-deb --fsys-tarfile "$(deb sriovd)" | tar -xO ./lib/systemd/system/sriovd.service |
    grep -x 'ExecStart=/usr/sbin/sriovd .*' >/dev/null || fail "sriovd.service does not start /usr/sbin/sriovd"
dpkg-deb --fsys-tarfile "$(deb sriovd)" | tar -xO ./lib/modprobe.d/sriovd.conf |
    grep -x 'options vfio-pci enable_sriov=1' >/dev/null || fail "sriovd.conf does not set enable_sriov=1"

# field PACKAGE FIELD PATTERN: the control field matches the (grep -E) pattern.
field() {
    value=$(dpkg-deb -f "$(deb "$1")" "$2")
    echo "$1 $2: $value"
    echo "$value" | grep -Eq "$3" || fail "$1's $2 does not match $3"
}
field sriovd Depends 'libc6 \(>= '           # dpkg-shlibdeps saw what sriovd links
field sriovd Section '^admin$'
field vfctl Depends 'libc6 \(>= '
field libvf0 Depends 'libc6 \(>= '
field libvf0 Section '^libs$'
field libvf-dev Depends "(^|, )libvf0 \\(= $version\\)"
field libvf-dev Section '^libdevel$'
# Programs built against libvf get their dependency on libvf0 from its shlibs file.
dpkg-deb --ctrl-tarfile "$(deb libvf0)" | tar -xO ./shlibs | grep -x "libvf 0 libvf0 (= $version)" >/dev/null ||
    fail "libvf0 has no shlibs entry for libvf.so.0"

# lintian: errors fail, warnings are shown. It exits with 2 when it finds an error, and also when
# it fails itself: its E: lines tell the two apart. --no-cfg: the same judgement on every machine,
# whatever its lintianrc says.
status=0
lintian --no-cfg --fail-on error --display-level '>=warning' "$work"/packages/*.deb >"$work/lintian.log" 2>&1 ||
    status=$?
cat "$work/lintian.log"
! grep -q '^E: ' "$work/lintian.log" || fail "lintian reports errors"
[ "$status" -eq 0 ] || fail "lintian failed (exit status $status)"
echo "Debian packages of $version in $work/packages: contents, dependencies and lintian checked"
