#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run every MCD test and end with "N passed, M failed"; exit non-zero
# when anything failed.  Each qtest binary speaks TAP; every "ok" and
# "not ok" line counts as one test.
#
# usage: check.sh BUILD_DIR   (SANITIZE=1 adds the sanitizer runs)
set -uo pipefail

B=$(realpath -m "$1")
cd "$(dirname "$0")/.."
QB=$B/qemu-build
LOG=$B/check-logs
TARGETS=${MCD_TEST_TARGETS:-aarch64 arm riscv64 i386}
mkdir -p "$LOG"

pass=0
fail=0
failed=()

# run NAME COMMAND...: run one TAP-speaking suite, count its results.
run() {
    local name=$1 log=$LOG/$1.log p f
    shift
    echo "== $name"
    "$@" > "$log" 2>&1
    local rc=$?
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    grep -E '^(not )?ok ' "$log" | sed 's/^/   /'
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # A crash or abort before TAP could say so.
        f=1
        echo "   not ok - $name exited with status $rc (see $log)"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    [ "$f" -eq 0 ] || failed+=("$name")
}

for arch in $TARGETS; do
    run "mcd-test-$arch" env QTEST_QEMU_BINARY="$QB/qemu-system-$arch" \
        "$QB/tests/qtest/mcd-test" --tap -k
done

# The same tests under AddressSanitizer and UBSan: any report fails them.
# Leaks are left to the fuzzer, which looks for those of mcd/ only.
AB=$B/qemu-build-asan
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if [ "${SANITIZE:-0}" = 1 ]; then
    for arch in ${ASAN_ARCHS:-aarch64}; do
        run "mcd-test-asan-$arch" env ASAN_OPTIONS=detect_leaks=0 \
            QTEST_QEMU_BINARY="$AB/qemu-system-$arch" \
            "$AB/tests/qtest/mcd-test" --tap -k
    done
fi

run mcd-nomcd-build sh -c '
    out=$("$1" -M virt -display none -mcd tcp::1 2>&1)
    case $?:$out in
    0:*) echo "not ok 1 - -mcd accepted by a build without MCD";;
    *"built without MCD support"*) echo "ok 1 - -mcd refused without MCD";;
    *) echo "not ok 1 - unexpected refusal: $out";;
    esac' sh "$B/qemu-build-nomcd/qemu-system-aarch64"
# A bounded fuzz run on all four machines and a short disconnect soak
# while U-Boot runs; make fuzz runs the long ones under the sanitizers.
run mcd-fuzz /usr/bin/python3 contrib/mcd-fuzz/mcd-fuzz.py --qemu-dir "$QB" \
    --qemu-src "$B/qemu-src" --arch "${TARGETS// /,}" \
    --requests "${FUZZ_REQUESTS:-50000}" --seed 1 --tap --log "$LOG/fuzz"
run mcd-soak /usr/bin/python3 contrib/mcd-fuzz/mcd-soak.py --qemu-dir "$QB" \
    --drops "${SOAK_DROPS:-500}" --seed 1 --tap --log "$LOG/soak"
if [ "${SANITIZE:-0}" = 1 ]; then
    run mcd-fuzz-asan /usr/bin/python3 contrib/mcd-fuzz/mcd-fuzz.py \
        --qemu-dir "$AB" --qemu-src "$B/qemu-src" \
        --arch "$(echo ${ASAN_ARCHS:-aarch64} | tr ' ' ,)" \
        --requests "${FUZZ_REQUESTS:-50000}" --seed 2 --tap \
        --log "$LOG/fuzz-asan"
fi
run mcd-series bash mk/check-series.sh "$B"
run mcd-client-unit env MCD_CLIENT_LIB="$B/mcd-client/libmcd_client.so" \
    "$B/mcd-client/test-unit"
run mcd-client-e2e env QEMU_DIR="$QB" "$B/mcd-client/test-e2e"
run mcd-client-exports sh contrib/mcd-client/tests/check-exports.sh \
    "$B/mcd-client/libmcd_client.so" mcd/mcd_api.h
run mcd-cli env MCD="$B/mcd-cli/mcd" QEMU_DIR="$QB" DEMO_DIR="$B/mcd-demo" \
    sh contrib/mcd-cli/tests/run-tests.sh

echo
[ ${#failed[@]} -eq 0 ] || echo "failed suites: ${failed[*]} (logs in $LOG)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
