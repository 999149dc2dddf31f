#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check that the series in BUILD_DIR/series (make series) is bisectable:
# apply it with git am, one patch at a time, to a clean copy of the
# baseline, and after each patch build qemu-system-aarch64 incrementally,
# run mcd-test once a patch has added it, and run checkpatch.pl on the
# patch.  After the last patch all four emulators are built, in a build
# of their own, and mcd-test runs on each.  Prints one row per patch and
# fails if any patch does not build, fails a test or has a checkpatch
# error or warning.
#
# usage: series-check.sh BUILD_DIR
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=$(realpath -m "$1")
W=$B/series-check
SRC=$W/qemu-src
FWPATH=$B/firmware:/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
ARCHS="aarch64 arm riscv64 i386"
OPTS="--python=/usr/bin/python3 --disable-install-blobs --disable-docs
      --disable-tools --firmwarepath=$FWPATH"
[ -f "$B/series/0000-cover-letter.patch" ] ||
    { echo "series-check: no series; run make series" >&2; exit 1; }

# A clean copy of the baseline.  A build directory of an earlier check
# is kept if MCD was never enabled in it, so that the first build is
# incremental; the patches are copied, so that make series may run.
mkdir -p "$W"
base=$(git -C "$B/qemu-src" rev-list --max-parents=0 HEAD)
if [ ! -d "$SRC/.git" ]; then
    git clone -q "$B/qemu-src" "$SRC"
fi
git -C "$SRC" am --abort > /dev/null 2>&1
git -C "$SRC" checkout -q -f -B series "$base"
git -C "$SRC" clean -q -fdx
git -C "$SRC" config user.name "series-check"
git -C "$SRC" config user.email "series-check@localhost"
for d in "$W/build" "$W/build-all"; do
    if [ -f "$d.mcd" ]; then
        rm -rf "$d" "$d.mcd"
    fi
    rm -f "$d.build.log" "$d.configure.log"
done
rm -rf "$W/build-all" "$W/patches"
cp -r "$B/series" "$W/patches"
patches=$(ls "$W"/patches/[0-9]*.patch | grep -v /0000-cover-letter.patch)

# $1: build dir, $2..: targets (aarch64 ...).  Configures once; enables
# MCD as soon as the tree has the option.
build() {
    local dir=$1 list mcd=
    shift
    list=$(printf '%s-softmmu,' "$@")
    grep -q "option('mcd'" "$SRC/meson_options.txt" && mcd=--enable-mcd
    if [ ! -f "$dir/build.ninja" ]; then
        mkdir -p "$dir"
        [ -n "$mcd" ] && touch "$dir.mcd"
        # shellcheck disable=SC2086
        (cd "$dir" && "$SRC/configure" $OPTS $mcd --target-list="${list%,}") \
            > "$dir.configure.log" 2>&1 || return 1
        bash "$top/mk/firmware.sh" "$B" "$dir"
    elif [ -n "$mcd" ] && [ ! -f "$dir.mcd" ]; then
        (cd "$dir" && ./pyvenv/bin/meson configure -Dmcd=enabled) \
            >> "$dir.configure.log" 2>&1 || return 1
        touch "$dir.mcd"
    fi
    local targets=""
    for a in "$@"; do
        targets="$targets qemu-system-$a"
    done
    if [ -f "$SRC/tests/qtest/mcd-test.c" ]; then
        targets="$targets tests/qtest/mcd-test"
    fi
    # shellcheck disable=SC2086
    ninja -C "$dir" $targets >> "$dir.build.log" 2>&1
}

# $1: build dir, $2..: targets.  Prints "passed/failed" or "-".
tests() {
    local dir=$1 pass=0 fail=0 out
    shift
    if [ ! -x "$dir/tests/qtest/mcd-test" ]; then
        echo "-"
        return
    fi
    for a in "$@"; do
        out=$(cd "$dir" && QTEST_QEMU_BINARY=./qemu-system-$a \
              timeout 900 tests/qtest/mcd-test --tap -k 2>&1)
        pass=$((pass + $(grep -c '^ok ' <<<"$out")))
        fail=$((fail + $(grep -c '^not ok ' <<<"$out")))
        grep -q '^1\.\.[0-9]' <<<"$out" || fail=$((fail + 1))
    done
    echo "$pass/$fail"
}

bad=0
printf '%-62s %-6s %-10s %s\n' "patch" "builds" "tests p/f" "checkpatch e/w"
last=$(echo "$patches" | tail -1)
for p in $patches; do
    name=$(basename "$p" .patch)
    if ! git -C "$SRC" am -q "$p" > "$W/am.log" 2>&1; then
        printf '%-62s %s\n' "${name:0:62}" "does not apply"
        bad=1
        break
    fi
    cp=$(perl "$SRC/scripts/checkpatch.pl" --no-tree -q "$p" 2>&1)
    errs=$(grep -c '^ERROR' <<<"$cp")
    warns=$(grep -c '^WARNING' <<<"$cp")
    if [ "$p" = "$last" ]; then
        dir=$W/build-all
        archs=$ARCHS
    else
        dir=$W/build
        archs=aarch64
    fi
    # shellcheck disable=SC2086
    if build "$dir" $archs; then
        ok=yes
        # shellcheck disable=SC2086
        t=$(tests "$dir" $archs)
    else
        ok=no
        t="-"
        tail -20 "$dir.build.log" > "$W/$name.failed.log"
    fi
    case $ok/$t/$errs/$warns in
    yes/*/0/0) case $t in *"/0"|-) ;; *) bad=1;; esac ;;
    *) bad=1 ;;
    esac
    printf '%-62s %-6s %-10s %s/%s\n' "${name:0:62}" "$ok" "$t" "$errs" "$warns"
done | tee "$W/table.txt"
grep -q " no \|does not apply" "$W/table.txt" && bad=1
awk 'NR > 1 && ($3 ~ /\/[1-9]/ || $4 != "0/0") {exit 1}' "$W/table.txt" || bad=1
if [ "$bad" = 0 ]; then
    echo "series-check: every patch builds, passes and is checkpatch-clean"
else
    echo "series-check: FAILED (logs in $W)" >&2
fi
exit $bad
