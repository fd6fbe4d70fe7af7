#!/bin/sh
# install.libvf (test/install/CMakeLists.txt): libvf installed into a fresh prefix, then used by
# a C program built with pkg-config and by a CMake project with find_package(libvf). Nothing is
# looked up outside the prefix (no /usr/local): PKG_CONFIG_LIBDIR and CMake's search are limited
# to it, and ldd must show the prefix's libvf.so. Each program opens a VF that does not exist and
# must print libvf's error about it.
#
# Usage: install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR CMAKE GENERATOR MAKE_PROGRAM CC CXX
set -eu
build=$1 src=$2 work=$3 cmake=$4 generator=$5 make_program=$6 cc=$7 cxx=$8
address=ffff:ee:1f.7
# What libvf says: the device does not exist (it looks for the device before it opens VFIO).
expected_device="not_found: $address: no such PCI device"

fail() { echo "FAIL: $*"; exit 1; }

# check NAME PROGRAM: runs it, which must print one of the expected lines and exit 0, with the
# prefix's libvf.
check() {
    ldd "$2" | grep -q "=> $libdir/libvf.so.0 " || { ldd "$2"; fail "$1 does not load $libdir/libvf.so.0"; }
    out=$("$2" "$address") || fail "$1 exited with $?: $out"
    echo "$1: $out"
    [ "$out" = "$expected_device" ] ||
        fail "$1 printed \"$out\", not libvf's error for a missing VF"
}

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
# Both of libvf's components, as the packages libvf0 and libvf-dev would be installed.
for component in libvf libvf-dev; do
    "$cmake" --install "$build" --prefix "$prefix" --component $component >>"$work/install.log" 2>&1 ||
        { cat "$work/install.log"; fail "cmake --install of $component failed (is vf_shared built?)"; }
done

# (a) pkg-config, as a C program's Makefile would use it.
pc=$(find "$prefix" -name libvf.pc)
[ -n "$pc" ] || fail "no libvf.pc installed"
PKG_CONFIG_LIBDIR=$(dirname "$pc")
export PKG_CONFIG_LIBDIR
unset PKG_CONFIG_PATH || true
echo "pkg-config libvf $(pkg-config --modversion libvf): $(pkg-config --cflags --libs libvf)"
libdir=$(pkg-config --variable=libdir libvf)
libdir=$(cd "$libdir" && pwd)
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$work/open_missing_pc" "$src/open_missing.c" \
    $(pkg-config --cflags --libs libvf) || fail "the C program does not build with pkg-config"
LD_LIBRARY_PATH=$libdir check "C program (pkg-config)" "$work/open_missing_pc"

# (b) find_package(libvf) from CMake, searching only the prefix.
"$cmake" -S "$src/consumer" -B "$work/consumer" -G "$generator" -DCMAKE_MAKE_PROGRAM="$make_program" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF -DCMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH=OFF \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/consumer.log" 2>&1 ||
    { cat "$work/consumer.log"; fail "find_package(libvf) failed"; }
grep "libvf .* from $prefix/" "$work/consumer.log" || fail "CMake found libvf outside $prefix"
"$cmake" --build "$work/consumer" >>"$work/consumer.log" 2>&1 ||
    { cat "$work/consumer.log"; fail "the CMake project does not build"; }
check "C program (CMake)" "$work/consumer/open_missing_c"
check "C++ program (CMake)" "$work/consumer/open_missing_cxx"
echo "libvf installs and links: pkg-config and find_package(libvf) both work"
