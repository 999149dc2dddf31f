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
while read -r p; do
    case $p in ''|'#'*) continue;; esac
    f=$top/patches/$p
    files=$(sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$f")
    head=$(sed '/^diff --git /,$d' "$f")
    { printf '%s\n' "$head"; git -C "$tree" diff -- $files; } > "$f.tmp"
    mv "$f.tmp" "$f"
done < "$top/patches/series"
