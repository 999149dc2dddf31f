#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Configure QEMU in BUILD_DIR/qemu-build, again only when the options
# changed.  Debian's python is used because it sees Debian's meson.
#
# usage: configure.sh BUILD_DIR
set -euo pipefail
B=$(realpath -m "$1")
TARGETS=${TARGETS:-aarch64-softmmu,arm-softmmu,riscv64-softmmu,i386-softmmu}
FWPATH=$B/firmware:/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu

opts="--python=/usr/bin/python3 --disable-install-blobs --enable-mcd
      --disable-docs --target-list=$TARGETS --firmwarepath=$FWPATH
      ${EXTRA_CONFIGURE:-}"
if [ "$(cat "$B/.configured" 2>/dev/null)" = "$opts" ] &&
   [ -f "$B/qemu-build/build.ninja" ]; then
    exit 0
fi
rm -rf "$B/qemu-build"
mkdir -p "$B/qemu-build"
cd "$B/qemu-build"
# shellcheck disable=SC2086
../qemu-src/configure $opts
echo "$opts" > "$B/.configured"
