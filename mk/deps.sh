#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install what building and testing QEMU with the MCD series needs on
# Debian 12.  Idempotent: packages already present are not touched.
# Backports are reached through a private apt state directory so the
# system's own apt sources stay as they are.
set -euo pipefail

STATE=${MCD_APT_STATE:-/var/cache/qemu-mcd-apt}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Base packages from bookworm itself.
BASE="ninja-build libglib2.0-dev libfdt-dev libpixman-1-dev zlib1g-dev
      flex bison python3-venv python3-pytest dpkg-dev pkg-config
      seabios ipxe-qemu gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
      libjson-glib-dev libreadline-dev u-boot-qemu gnuplot-nox
      libcapstone-dev python3-sphinx python3-sphinx-rtd-theme"
# Packages that must come from bookworm-backports.
BPO="meson python3-pycotap opensbi qemu-system-data"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

export DEBIAN_FRONTEND=noninteractive

missing() {
    local p out=
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed' || out="$out $p"
    done
    echo "$out"
}

# meson must be >= 1.5: bookworm's 1.0 is too old for QEMU 10.
meson_ok() {
    local v
    v=$(dpkg-query -W -f='${Version}' meson 2>/dev/null) || return 1
    dpkg --compare-versions "$v" ge 1.5
}

apt_private() {
    $SUDO apt-get -o Dir::State="$STATE" \
        -o Dir::Etc::SourceList="$STATE/sources.list" \
        -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::Cache="$STATE/cache" \
        -o APT::Get::List-Cleanup=0 "$@"
}

private_update() {
    $SUDO mkdir -p "$STATE/lists/partial" "$STATE/cache/archives/partial"
    $SUDO touch "$STATE/status"
    $SUDO tee "$STATE/sources.list" >/dev/null <<SRC
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $MIRROR bookworm-backports main
deb-src $MIRROR trixie main
deb-src $MIRROR bookworm-backports main
SRC
    # Refresh at most once a day.
    if [ -z "$(find "$STATE/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
        apt_private update -qq
    fi
}

need=$(missing $BASE $BPO)
if [ -n "$need" ] || ! meson_ok; then
    private_update
    # dpkg's real status is used, only the package lists are private.
    apt_private install -y -qq --no-install-recommends \
        -o Dir::State::status=/var/lib/dpkg/status $(missing $BASE) || {
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq --no-install-recommends $(missing $BASE)
    }
    apt_private install -y -qq --no-install-recommends \
        -o Dir::State::status=/var/lib/dpkg/status \
        -t bookworm-backports $BPO
fi
meson_ok || { echo "deps: meson >= 1.5 could not be installed" >&2; exit 1; }
