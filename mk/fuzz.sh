#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzz the MCD server of the AddressSanitizer + UBSan build, and soak the
# server with clients that vanish while U-Boot runs.  Two fuzzers run at
# once, each over half of the architectures and requests.
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
LOG=${FUZZ_LOG:-$LOG}
rm -rf "$LOG"
mkdir -p "$LOG"

half=$(( (${#archs[@]} + 1) / 2 ))
groups=("$(IFS=,; echo "${archs[*]:0:$half}")")
[ "${#archs[@]}" -gt "$half" ] &&
    groups+=("$(IFS=,; echo "${archs[*]:$half}")")
per=$((REQUESTS / ${#groups[@]}))

# The soak runs beside the fuzzers, on the build without sanitizers:
# under ASan a drop costs four times as long, and what the soak checks
# (the guest survives, the next client finds a clean server) does not
# need the sanitizers, which the fuzzers have.
soak=
if [ "$DROPS" -gt 0 ]; then
    /usr/bin/python3 contrib/mcd-fuzz/mcd-soak.py --qemu-dir "$B/qemu-build" \
        --drops "$DROPS" --tap --log "$LOG/soak" > "$LOG/soak.out" 2>&1 &
    soak=$!
fi
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

if [ -n "$soak" ]; then
    echo "== soak"
    wait "$soak" || rc=1
    tail -n 15 "$LOG/soak.out"
fi
echo
[ "$rc" -eq 0 ] && echo "fuzz and soak: no failures" ||
    echo "fuzz and soak: FAILURES (logs in $LOG)"
exit "$rc"
