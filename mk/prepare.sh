#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prepare the QEMU tree for building with the MCD series:
#   1. fetch the baseline (mk/fetch-qemu.sh), a git repository;
#   2. apply patches/series to it (again only when a patch changed, and
#      then rewriting only the files whose result changed);
#   3. copy the files listed in overlay.manifest into it, only those whose
#      content changed, so that ninja rebuilds just what was edited.
# Afterwards `git -C BUILD/qemu-src diff` shows exactly the series.
#
# usage: prepare.sh BUILD_DIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=$(realpath -m "$1")
SRC=$B/qemu-src

"$top/mk/fetch-qemu.sh" "$B"

series=$(grep -v '^\s*\(#\|$\)' "$top/patches/series")
sum=$( (cd "$top/patches" && cat series $series) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$B/.patches-applied" 2>/dev/null)" != "$sum" ]; then
    echo "prepare: applying patches/series"
    # Apply the series to pristine copies of the files it touches, then
    # copy over only what changed, so that ninja rebuilds only that.
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    files=$( (cd "$top/patches" &&
              sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' $series) | sort -u)
    old=$(cat "$B/.patched-files" 2>/dev/null || true)
    for f in $files $old; do
        mkdir -p "$scratch/$(dirname "$f")"
        git -C "$SRC" show "HEAD:$f" > "$scratch/$f"
    done
    for p in $series; do
        (cd "$scratch" && git apply --whitespace=nowarn "$top/patches/$p") ||
            { echo "prepare: $p does not apply" >&2; exit 1; }
    done
    for f in $(printf '%s\n' $files $old | sort -u); do
        cmp -s "$scratch/$f" "$SRC/$f" || cp "$scratch/$f" "$SRC/$f"
    done
    echo "$files" > "$B/.patched-files"
    echo "$sum" > "$B/.patches-applied"
fi

# Overlay: new files of the series.  Remove the ones dropped from the
# manifest since the last run, then refresh the rest.
manifest=$(grep -v '^\s*\(#\|$\)' "$top/overlay.manifest")
if [ -f "$B/.overlay-installed" ]; then
    for f in $(cat "$B/.overlay-installed"); do
        grep -qxF "$f" <<<"$manifest" || rm -f "$SRC/$f"
    done
fi
for f in $manifest; do
    [ -f "$top/$f" ] || { echo "prepare: $f is in overlay.manifest but missing" >&2; exit 1; }
    if ! cmp -s "$top/$f" "$SRC/$f"; then
        mkdir -p "$(dirname "$SRC/$f")"
        cp "$top/$f" "$SRC/$f"
    fi
done
# Intent-to-add, so that `git diff` in the tree shows the new files too.
(cd "$SRC" && git add -N $manifest)
echo "$manifest" > "$B/.overlay-installed"
