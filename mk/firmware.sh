#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Make the firmware that the +ds tarball strips reachable: Debian ships it
# in seabios, ipxe-qemu, opensbi and qemu-system-data.  QEMU is configured
# with those directories as its firmware path; a binary run from the build
# tree looks them up below qemu-bundle/, so mirror them there as links.
# Debian's opensbi has another file name than the one QEMU looks for.
#
# usage: firmware.sh BUILD_DIR [QEMU_BUILD_DIR]
set -euo pipefail
B=$(realpath -m "$1")
bundle=$(realpath -m "${2:-$B/qemu-build}")/qemu-bundle

mkdir -p "$B/firmware"
ln -sfn /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin \
    "$B/firmware/opensbi-riscv64-generic-fw_dynamic.bin"
for d in "$B/firmware" /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
    mkdir -p "$(dirname "$bundle$d")"
    ln -sfn "$d" "$bundle$d"
done
