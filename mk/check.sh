#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run every MCD test and end with "N passed, M failed"; exit non-zero
# when anything failed.  Each qtest binary speaks TAP; every "ok" and
# "not ok" line counts as one test.
#
# usage: check.sh BUILD_DIR
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
