#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TAP checks of what goes upstream: make series succeeds (its last
# patch is the tree just built and tested), checkpatch.pl reports no
# error and no warning for any patch, and the HTML reference of the MCD
# schema was built.  make series-check builds every step; this is the
# quick part, run by make check.
#
# usage: check-series.sh BUILD_DIR
set -uo pipefail
B=$(realpath -m "$1")
cd "$(dirname "$0")/.."
n=0

tap() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
    fi
}

python3 mk/series.py "$B" >&2
tap $? "make series: the last patch gives the tree that was built"
for p in "$B"/series/[0-9]*.patch; do
    case $p in */0000-cover-letter.patch) continue;; esac
    out=$(perl "$B/qemu-src/scripts/checkpatch.pl" --no-tree -q "$p" 2>&1)
    printf '%s\n' "$out" | grep -E '^(ERROR|WARNING)' >&2
    ! printf '%s\n' "$out" | grep -qE '^(ERROR|WARNING)'
    tap $? "checkpatch: $(basename "$p")"
done
html=$B/qemu-build/docs/manual
grep -q 'mcd-qry-cores' "$html/interop/qemu-mcd-ref.html" 2>/dev/null &&
    [ -f "$html/qapi-mcd-index.html" ]
tap $? "docs: the MCD schema reference and its index are built"
echo "1..$n"
