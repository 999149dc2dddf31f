#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzz the MCD server of the AddressSanitizer + UBSan build, then soak it
# with clients that vanish while U-Boot runs.  Two fuzzers run at once
# (one per CPU), each over half of the architectures and requests.
#
#   FUZZ_REQUESTS   requests in all (default 1000000)
#   FUZZ_SEEDS      comma-separated seeds (default 1,2,3)
#   FUZZ_ARCHS      architectures (default: all four)
#   SOAK_DROPS      disconnects of the soak (default 10000)
#
# usage: fuzz.sh BUILD_DIR
set -uo pipefail
B=$(realpath -m "$1")
cd "$(dirname "$0")/.."
AB=$B/qemu-build-asan
LOG=$B/fuzz-logs
REQUESTS=${FUZZ_REQUESTS:-1000000}
SEEDS=${FUZZ_SEEDS:-1,2,3}
read -r -a archs <<<"${FUZZ_ARCHS:-aarch64 arm riscv64 i386}"
DROPS=${SOAK_DROPS:-10000}
rm -rf "$LOG"
mkdir -p "$LOG"

half=$(( (${#archs[@]} + 1) / 2 ))
groups=("$(IFS=,; echo "${archs[*]:0:$half}")")
[ "${#archs[@]}" -gt "$half" ] &&
    groups+=("$(IFS=,; echo "${archs[*]:$half}")")
per=$((REQUESTS / ${#groups[@]}))

pids=()
for i in "${!groups[@]}"; do
    /usr/bin/python3 contrib/mcd-fuzz/mcd-fuzz.py --qemu-dir "$AB" \
        --qemu-src "$B/qemu-src" --arch "${groups[$i]}" --requests "$per" \
        --seed "$SEEDS" --log "$LOG/fuzz-$i" > "$LOG/fuzz-$i.out" 2>&1 &
    pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
    wait "$p" || rc=1
done
for i in "${!groups[@]}"; do
    echo "== fuzz ${groups[$i]}"
    grep -E '^(not )?ok |^#? *(requests sent|answers|connections|crashes|hangs|sanitizer|protocol|unclean|QEMU RSS|total)' \
        "$LOG/fuzz-$i.out"
done

echo "== soak"
/usr/bin/python3 contrib/mcd-fuzz/mcd-soak.py --qemu-dir "$AB" \
    --drops "$DROPS" --log "$LOG/soak" > "$LOG/soak.out" 2>&1 || rc=1
tail -n 15 "$LOG/soak.out"
echo
[ "$rc" -eq 0 ] && echo "fuzz and soak: no failures" ||
    echo "fuzz and soak: FAILURES (logs in $LOG)"
exit "$rc"
