#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate the diff part of every patch in patches/series from the
# prepared tree, keeping each patch's header (subject and body).  Run it
# after editing an upstream file in the prepared tree.
#
# usage: refresh-patches.sh PREPARED_TREE
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1
# A file that two patches touch cannot be split between them from one
# diff against the baseline: edit such patches by hand.
shared=$(cd "$top/patches" &&
         grep -v '^\s*\(#\|$\)' series | while read -r p; do
             sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$p" | sort -u
         done | sort | uniq -d)
if [ -n "$shared" ]; then
    echo "refresh-patches: touched by more than one patch, left alone:" \
         $shared >&2
fi
while read -r p; do
    case $p in ''|'#'*) continue;; esac
    f=$top/patches/$p
    files=$(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$f")
    if [ -n "$shared" ] && grep -qxF -f <(printf '%s\n' $shared) <<<"$files"; then
        continue
    fi
    head=$(sed '/^diff --git /,$d' "$f")
    { printf '%s\n' "$head"; git -C "$tree" diff -- $files; } > "$f.tmp"
    mv "$f.tmp" "$f"
done < "$top/patches/series"
