#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch the QEMU 10.0.x baseline as Debian's source package and unpack it
# with Debian's own patches applied (the +ds tarball needs two of them to
# build).  Result: $OUT/qemu-src, a git repository whose only commit is the
# pristine baseline.  The downloaded package is cached under $OUT/dl.
#
# usage: fetch-qemu.sh OUTDIR
set -euo pipefail

OUT=$(realpath -m "$1")
PIN=${QEMU_DEB_VERSION:-1:10.0.13+ds-0+deb13u1}
STATE=${MCD_APT_STATE:-/var/cache/qemu-mcd-apt}
SRC=$OUT/qemu-src

[ -f "$SRC/.mcd-baseline" ] && exit 0

apt_opts() {
    echo -o Dir::State="$STATE" \
        -o Dir::Etc::SourceList="$STATE/sources.list" \
        -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::Cache="$STATE/cache"
}

mkdir -p "$OUT/dl"
cd "$OUT/dl"
if ! ls qemu_*.dsc >/dev/null 2>&1; then
    # mk/deps.sh wrote the private sources list (deb-src trixie and
    # bookworm-backports); pick the pinned version, else the newest 10.0.x.
    versions=$(apt-cache $(apt_opts) showsrc qemu 2>/dev/null |
               sed -n 's/^Version: //p' | sort -u)
    ver=
    if grep -qxF "$PIN" <<<"$versions"; then
        ver=$PIN
    else
        for v in $versions; do
            case $v in
            *:10.0.*)
                if [ -z "$ver" ] || dpkg --compare-versions "$v" gt "$ver"; then
                    ver=$v
                fi;;
            esac
        done
    fi
    [ -n "$ver" ] || { echo "fetch-qemu: no QEMU 10.0.x source in the archive" >&2; exit 1; }
    echo "fetch-qemu: qemu $ver"
    apt-get $(apt_opts) -qq --download-only source "qemu=$ver"
fi

dsc=$(ls qemu_*.dsc | head -1)
rm -rf "$SRC.tmp"
dpkg-source --no-check -x "$dsc" "$SRC.tmp" >/dev/null
cd "$SRC.tmp"
# Debian's packaging directory is not part of the baseline tree.
rm -rf debian .pc
git init -q
git add -A -f
git -c user.name=baseline -c user.email=baseline@localhost \
    commit -q -m "QEMU baseline ${dsc#qemu_}"
touch .mcd-baseline
echo ".mcd-baseline" >> .git/info/exclude
cd "$OUT"
rm -rf "$SRC"
mv "$SRC.tmp" "$SRC"
