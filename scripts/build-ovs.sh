#!/usr/bin/env bash
# Builds Open vSwitch's lib/libopenvswitch from Debian's openvswitch-source into
# build/ovs/, the way OVN builds on it. Skipped when the library is already there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/ovs"
src="$out/src"
tarball=/usr/src/openvswitch/openvswitch.tar.gz
stamp="$out/.built"

if [[ -f "$stamp" && -f "$src/lib/.libs/libopenvswitch.a" ]]; then
    exit 0
fi
[[ -f "$tarball" ]] || { echo "build-ovs: $tarball missing (Debian package openvswitch-source)" >&2; exit 1; }

start=$(date +%s)
rm -rf "$out"
mkdir -p "$src"
echo "build-ovs: [1/4] unpacking $tarball"
tar -xzf "$tarball" -C "$src" --strip-components=1
cd "$src"
if [[ ! -x configure ]]; then
    echo "build-ovs: [1/4] no shipped configure, running boot.sh"
    ./boot.sh >"$out/boot.log" 2>&1
fi
echo "build-ovs: [2/4] configure (log: $out/configure.log)"
# Position-independent static archive: kovn links it into executables and
# sanitizer builds alike.
./configure --enable-ssl --disable-shared --enable-static --with-pic \
    CFLAGS="-O2 -g -fPIC" >"$out/configure.log" 2>&1 ||
    { tail -30 "$out/configure.log" >&2; exit 1; }
jobs=$(nproc)
echo "build-ovs: [3/4] generated sources (BUILT_SOURCES)"
built=$(make -s -f Makefile -f - print-built-sources <<<'print-built-sources: ; @echo $(BUILT_SOURCES)' 2>/dev/null)
make -j"$jobs" $built >"$out/built-sources.log" 2>&1 ||
    { tail -30 "$out/built-sources.log" >&2; exit 1; }
echo "build-ovs: [4/4] lib/libopenvswitch.la"
make -j"$jobs" lib/libopenvswitch.la >"$out/lib.log" 2>&1 ||
    { tail -30 "$out/lib.log" >&2; exit 1; }
touch "$stamp"
echo "build-ovs: done in $(( $(date +%s) - start ))s"
