#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Configure QEMU in BUILD_DIR/qemu-build, or with "nomcd" a build without
# MCD in BUILD_DIR/qemu-build-nomcd, or with "asan" one with AddressSanitizer
# and UBSan in BUILD_DIR/qemu-build-asan; again only when the options
# changed.  Debian's python is used because it sees Debian's meson.
#
# usage: configure.sh BUILD_DIR [nomcd|asan]
set -euo pipefail
B=$(realpath -m "$1")
TARGETS=${TARGETS:-aarch64-softmmu,arm-softmmu,riscv64-softmmu,i386-softmmu}
FWPATH=$B/firmware:/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu

case ${2:-} in
nomcd)
    # Proves the series builds, and refuses -mcd, without --enable-mcd.
    dir=$B/qemu-build-nomcd
    opts="--python=/usr/bin/python3 --disable-install-blobs --disable-mcd
          --disable-docs --disable-tools --target-list=aarch64-softmmu"
    ;;
asan)
    # For the tests and the fuzzer under AddressSanitizer and UBSan; the
    # Makefile builds only the emulators it needs.  gcc's flow analysis
    # of instrumented code gives false maybe-uninitialized warnings in
    # QEMU's own files (target/riscv), so they are not errors here; the
    # normal build keeps -Werror.
    dir=$B/qemu-build-asan
    opts="--python=/usr/bin/python3 --disable-install-blobs --enable-mcd
          --disable-docs --disable-tools --enable-asan --enable-ubsan
          --disable-werror --target-list=$TARGETS --firmwarepath=$FWPATH"
    ;;
*)
    # Docs: the MCD document and the reference of the MCD schema are
    # built as HTML with the rest of QEMU's manual.
    dir=$B/qemu-build
    opts="--python=/usr/bin/python3 --disable-install-blobs --enable-mcd
          --enable-docs --target-list=$TARGETS --firmwarepath=$FWPATH
          ${EXTRA_CONFIGURE:-}"
    ;;
esac
stamp=$dir.configured
if [ "$(cat "$stamp" 2>/dev/null)" = "$opts" ] &&
   [ -f "$dir/build.ninja" ]; then
    exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
# shellcheck disable=SC2086
../qemu-src/configure $opts
echo "$opts" > "$stamp"
