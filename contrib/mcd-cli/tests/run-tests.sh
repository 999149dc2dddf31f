#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tests of the mcd command-line debugger against real QEMU processes: the
# MCD demo guest on qemu-system-aarch64 -M virt, and an empty
# qemu-system-riscv64 -M virt.  Each test runs mcd with a few commands and
# matches its output and exit status.  Output is TAP: "ok N - name",
# "not ok N - name" (followed by mcd's output as "# " lines), and the plan
# "1..N" at the end; the exit status is 1 if any test failed.
#
# Run-control tests (run, stop, step, breakpoints, watchpoints, reset) are
# skipped, not failed, while the server answers them with
# MCD_ERR_FN_UNIMPLEMENTED.  Tests of a missing QEMU are skipped as well.
#
# Environment:
#   MCD       the mcd binary (default: build/mcd-cli/mcd)
#   QEMU_DIR  where qemu-system-aarch64 and -riscv64 are
#             (default: build/qemu-build)
#   DEMO_DIR  where demo.elf and demo.syms are (default: build/mcd-demo);
#             built into a temporary directory if they are not there

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(cd "$SRC/../.." && pwd)
MCD=${MCD:-$TOP/build/mcd-cli/mcd}
QEMU_DIR=${QEMU_DIR:-$TOP/build/qemu-build}
DEMO_DIR=${DEMO_DIR:-$TOP/build/mcd-demo}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mcd-cli-test.XXXXXX") || exit 1
pids=""

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

n=0
failed=0
out=$tmp/out
rc=0

pass() {
    n=$((n + 1))
    echo "ok $n - $1"
}

fail() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    if [ -n "${2:-}" ]; then
        echo "# $2"
    fi
    sed 's/^/#   /' "$out"
}

skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# Run mcd with the given arguments; output (stdout and stderr) in $out.
mcd() {
    "$MCD" "$@" > "$out" 2>&1 < /dev/null
    rc=$?
}

# check NAME STATUS PATTERN...: STATUS is 0 or !0 (failure); each PATTERN
# must occur in the output (fixed string), or must not if it starts
# with '!'.
check() {
    name=$1
    want=$2
    shift 2
    why=""
    if [ "$want" = 0 ] && [ "$rc" -ne 0 ]; then
        why="exit status $rc, expected 0"
    elif [ "$want" = "!0" ] && [ "$rc" -eq 0 ]; then
        why="exit status 0, expected failure"
    fi
    for p in "$@"; do
        case $p in
        !*)
            if grep -qF -- "${p#!}" "$out"; then
                why="${why:+$why; }unexpected: ${p#!}"
            fi
            ;;
        *)
            if ! grep -qF -- "$p" "$out"; then
                why="${why:+$why; }missing: $p"
            fi
            ;;
        esac
    done
    if [ -z "$why" ]; then
        pass "$name"
    else
        fail "$name" "$why"
    fi
}

# Start QEMU NAME with the MCD server on $tmp/NAME.sock; its serial
# output goes to $tmp/NAME.serial.  Fails if the socket does not appear.
start_qemu() {
    name=$1
    shift
    "$@" -display none -monitor none -serial "file:$tmp/$name.serial" \
        -mcd "unix:$tmp/$name.sock,server=on,wait=off" \
        > "$tmp/$name.log" 2>&1 &
    pids="$pids $!"
    i=0
    while [ ! -S "$tmp/$name.sock" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 $! 2>/dev/null; then
            sed 's/^/# qemu: /' "$tmp/$name.log"
            return 1
        fi
        sleep 0.1
    done
}

# The unsigned decimal values "mcd ... u64" printed, one per line.
values() {
    sed -n 's/.*: 0x[0-9a-f]* (\([0-9]*\))$/\1/p' "$out"
}

echo "# mcd: $MCD"
echo "# QEMU: $QEMU_DIR"
if [ ! -x "$MCD" ]; then
    echo "Bail out! no mcd binary at $MCD"
    exit 1
fi

# Tests without a target

mcd --version
check "version" 0 "mcd "

mcd -c "help"
check "help lists the commands" 0 "break <addr|symbol>" \
    "watch <read|write|access> <addr|symbol> [len]" "wait [seconds]"

mcd -c "connect 127.0.0.1:1"
check "connection refused: error string, non-zero exit" "!0" \
    "error: " "refused" "(MCD_ERR_CONNECTION)" "!connected to"

mcd -c "connect unix:$tmp/nothing.sock"
check "missing UNIX socket: error string, non-zero exit" "!0" \
    "error: " "(MCD_ERR_CONNECTION)"

mcd -c "echo one; frobnicate 1 2; echo two"
check "unknown command: error, stops the script" "!0" \
    "one" "error: unknown command 'frobnicate'" "!two"

mcd -c "cores"
check "command that needs a connection" "!0" "error: not connected"

mcd -c "mem"
check "missing arguments: usage" "!0" "error: usage: mem <space> <addr>"

mcd --no-such-option
if [ "$rc" -eq 2 ]; then
    pass "bad option: exit status 2"
else
    fail "bad option: exit status 2" "exit status $rc"
fi

# The aarch64 demo guest

QEMU_A64=$QEMU_DIR/qemu-system-aarch64
DEMO=""
if [ -f "$DEMO_DIR/demo.elf" ] && [ -f "$DEMO_DIR/demo.syms" ]; then
    DEMO=$DEMO_DIR
elif make -s -C "$TOP/contrib/mcd-demo" O="$tmp/demo" \
        > "$tmp/demo-build.log" 2>&1; then
    DEMO=$tmp/demo
else
    sed 's/^/# demo build: /' "$tmp/demo-build.log"
fi

A64=""
if [ ! -x "$QEMU_A64" ]; then
    why_a64="no $QEMU_A64"
elif [ -z "$DEMO" ]; then
    why_a64="no demo guest (see contrib/mcd-demo)"
elif ! start_qemu a64 "$QEMU_A64" -M virt -cpu cortex-a53 -smp 2 -S \
        -kernel "$DEMO/demo.elf"; then
    why_a64="QEMU did not start"
else
    A64="unix:$tmp/a64.sock"
fi

a64() {
    mcd -t "$A64" -s "$DEMO/demo.syms" "$@"
}

if [ -n "$A64" ]; then
    a64 -c "systems; devices; cores"
    check "aarch64: systems, devices and cores" 0 \
        "connected to $A64: QEMU " "device virt" "2 cores" \
        "cortex-a53 #0" "cortex-a53 #1"

    a64 -c "open 1 0; cores"
    check "aarch64: open cores, the first becomes current" 0 \
        "opened core 1 (cortex-a53 #1), current" \
        "opened core 0 (cortex-a53 #0)" \
        "*    1  cortex-a53 #1"

    a64 -c "open 0; spaces; regs"
    check "aarch64: memory spaces and register groups" 0 \
        "Physical" "Logical" "aarch64.core" "aarch64.fpu"

    a64 -c "open 0; regs aarch64.core"
    check "aarch64: registers of a group" 0 \
        "x0    0x0000000000000000" "pc    0x0000000040000000" "cpsr  0x"

    a64 -c "open 0; reg pc"
    check "aarch64: reading a register" 0 "pc = 0x0000000040000000"

    a64 -c "open 0; reg x5 0x1122334455667788; reg x5; reg w5"
    check "aarch64: writing a register, unknown register" "!0" \
        "x5 = 0x1122334455667788" "error: no register 'w5'"

    a64 -c "open 0; reg v1 0x00112233445566778899aabbccddeeff"
    check "aarch64: writing a 128-bit register" 0 \
        "v1 = 0x00112233445566778899aabbccddeeff"

    a64 -c "open 0; reg x6 -1; reg x7 0x1ffffffffffffffff"
    check "aarch64: register values: negative, too large" "!0" \
        "x6 = 0xffffffffffffffff" "error: value '0x1ffffffffffffffff'"

    a64 -c "open 0; write phys 0x40100000 de ad be ef 01; \
        mem phys 0x40100000 5"
    check "aarch64: writing and reading memory bytes" 0 \
        "wrote 5 bytes at 0x40100000" \
        "0x40100000: de ad be ef 01 "

    a64 -c "open 0; write phys 0x40100010 u32 0x11223344 5; \
        mem phys 0x40100010 8; mem logical 0x40100010 u32 2"
    check "aarch64: values of a width, little endian, logical space" 0 \
        "wrote 8 bytes" "0x40100010: 44 33 22 11 05 00 00 00" \
        "0x40100010: 0x11223344 (287454020)" "0x40100014: 0x00000005 (5)"

    a64 -c "open 0; write phys counter u64 42; mem phys counter u64; \
        mem 1 counter 8"
    check "aarch64: symbols and memory space ids" 0 \
        "wrote 8 bytes at 0x" "<counter>: 0x000000000000002a (42)" \
        ": 2a 00 00 00 00 00 00 00"

    a64 -c "open 0; mem nowhere 0x40000000"
    check "aarch64: unknown memory space" "!0" \
        "error: no memory space 'nowhere'"

    a64 -c "open 0; break no_such_symbol"
    check "aarch64: unknown symbol" "!0" \
        "error: unknown symbol 'no_such_symbol'"

    a64 -c "open 0; write phys 0x40100000 u8 256"
    check "aarch64: value too large for its width" "!0" \
        "error: value '256' does not fit in 1 byte"

    printf 'open 0\nreg pc\nbogus\nreg pc\n' > "$tmp/stdin.mcd"
    "$MCD" -t "$A64" < "$tmp/stdin.mcd" > "$out" 2>&1
    rc=$?
    check "aarch64: commands on stdin, error with its line" "!0" \
        "pc = 0x0000000040000000" "<stdin>:3: error: unknown command"
    if [ "$(grep -c 'pc = ' "$out")" -ne 1 ]; then
        fail "aarch64: stdin script stops at the error" "went on"
    else
        pass "aarch64: stdin script stops at the error"
    fi

    printf '# a script\nconnect\nopen 0\n\nmem phys 0x40000000 4 # _start\n' \
        > "$tmp/script.mcd"
    echo 'reg nosuchreg' >> "$tmp/script.mcd"
    MCD_TARGET=$A64 mcd "$tmp/script.mcd"
    check "aarch64: script file, MCD_TARGET, error location" "!0" \
        "connected to $A64" "0x40000000: " \
        "script.mcd:6: error: no register 'nosuchreg'"
else
    for t in "systems, devices and cores" \
             "open cores, the first becomes current" \
             "memory spaces and register groups" "registers of a group" \
             "reading a register" "writing a register, unknown register" \
             "writing a 128-bit register" \
             "register values: negative, too large" \
             "writing and reading memory bytes" \
             "values of a width, little endian, logical space" \
             "symbols and memory space ids" "unknown memory space" \
             "unknown symbol" "value too large for its width" \
             "commands on stdin, error with its line" \
             "stdin script stops at the error" \
             "script file, MCD_TARGET, error location"; do
        skip "aarch64: $t" "$why_a64"
    done
fi

# Run control on the aarch64 demo guest

RUNCTL=""
if [ -n "$A64" ]; then
    a64 -c "open 0; run; stop"
    if grep -q "MCD_ERR_FN_UNIMPLEMENTED" "$out"; then
        why_runctl="run control not implemented by the server"
        skip "aarch64: run and stop" "$why_runctl"
    elif [ "$rc" -ne 0 ]; then
        fail "aarch64: run and stop" "neither works nor is unimplemented"
        why_runctl="run and stop failed"
    else
        check "aarch64: run and stop" 0 "running" "stopped at 0x"
        RUNCTL=yes
    fi
else
    why_runctl=$why_a64
    skip "aarch64: run and stop" "$why_runctl"
fi

if [ -n "$RUNCTL" ]; then
    a64 -c "open 0; reset halt; break tick; run; wait; state"
    check "aarch64: breakpoint on tick, run to it" 0 \
        "breakpoint 1 at 0x" "<tick>" \
        "stopped at 0x" "<tick> (trigger 1)" \
        "state: debug" "trigger: 1" "reason: breakpoint at 0x"

    a64 -c "open 0; break tick; run; wait; step; step 2"
    check "aarch64: single steps" 0 "<tick+4>" "<tick+12>"

    a64 -c "open 0; trace on data; break tick; run; wait; step 4; \
        trace show 6; trace off; trace; trace clear; trace"
    check "aarch64: trace of instructions and data, shown with symbols" 0 \
        "trace on: instructions, loads and stores, 65536 frames" \
        "<tick>              adrp" "<tick+4>            ldr      x0" \
        "    read  0x" "<tick+12>           str      x0" "    write 0x" \
        "--- core stopped" "6 instructions shown" "trace off: " \
        "trace off: 0 of 65536 frames kept"

    a64 -c "open 0; disas tick 3"
    check "aarch64: disassembly at a symbol" 0 \
        "0x00000000400010c0 <tick>" "adrp" "<tick+8>" "add      x0, x0, #1"

    a64 -c "open 0; break tick; triggers; delete 1; triggers"
    check "aarch64: list and delete triggers" 0 \
        "breakpoint      -  active" "<tick>" "deleted trigger 1" \
        "no triggers"

    a64 -c "open 0; mem phys counter u64; watch write counter 8; run; \
        wait; state; mem phys counter u64; delete all"
    vals=$(values | tr '\n' ' ')
    check "aarch64: write watchpoint on counter" 0 \
        "watchpoint 1 (write, 8 bytes) at 0x" "<counter>" \
        "(trigger 1)" "reason: write watchpoint"
    # shellcheck disable=SC2086  # one argument per value
    set -- $vals
    if [ $# -eq 2 ] && [ "$2" -gt "$1" ]; then
        pass "aarch64: counter written at the watchpoint"
    else
        fail "aarch64: counter written at the watchpoint" "values: $vals"
    fi

    a64 -c "open 0; reset halt; run all; mem phys counter u64; sleep 0.3; \
        mem phys counter u64; mem phys worker_count+8 u64; stop all"
    vals=$(values | tr '\n' ' ')
    # shellcheck disable=SC2086  # one argument per value
    set -- $vals
    if [ "$rc" -eq 0 ] && [ $# -eq 3 ] && [ "$2" -gt "$1" ] &&
       [ "$3" -gt 0 ]; then
        pass "aarch64: the guest counts while running, on both cores"
    else
        fail "aarch64: the guest counts while running, on both cores" \
            "values: $vals"
    fi

    a64 -c "open 0; run; wait 0.3"
    check "aarch64: wait times out while the core runs" "!0" \
        "error: core 0 did not stop within 0.300 s (it is running)"

    a64 -c "open 0; stop; reset halt; state; mem phys counter u64"
    check "aarch64: reset and halt at the entry point" 0 \
        "reset (class vector 0x" "stopped at 0x40000000 <_start>" \
        "pc: 0x40000000 <_start>" "<counter>: 0x0000000000000000 (0)"

    MCD_TARGET=$A64 mcd -s "$DEMO/demo.syms" "$TOP/contrib/mcd-demo/tour.mcd"
    check "aarch64: the demo tour" 0 "(trigger 1)" "(trigger 2)" \
        "reset (class vector"
else
    for t in "breakpoint on tick, run to it" "single steps" \
             "trace of instructions and data, shown with symbols" \
             "disassembly at a symbol" "list and delete triggers" \
             "write watchpoint on counter" \
             "counter written at the watchpoint" \
             "the guest counts while running, on both cores" \
             "wait times out while the core runs" \
             "reset and halt at the entry point" "the demo tour"; do
        skip "aarch64: $t" "$why_runctl"
    done
fi

if [ -n "$A64" ] && grep -q "mcd-demo: counting" "$tmp/a64.serial"; then
    pass "aarch64: the demo guest's banner on the UART"
elif [ -n "$RUNCTL" ]; then
    fail "aarch64: the demo guest's banner on the UART" "no banner"
else
    skip "aarch64: the demo guest's banner on the UART" "guest never ran"
fi

# riscv64 virt, without firmware: halted at the reset vector 0x1000

QEMU_RV=$QEMU_DIR/qemu-system-riscv64
RV=""
if [ ! -x "$QEMU_RV" ]; then
    why_rv="no $QEMU_RV"
elif ! start_qemu rv "$QEMU_RV" -M virt -smp 2 -bios none -S; then
    why_rv="QEMU did not start"
else
    RV="unix:$tmp/rv.sock"
fi

if [ -n "$RV" ]; then
    mcd -t "$RV" -c "cores"
    check "riscv64: cores" 0 "2 cores" "rv64 #0" "rv64 #1"

    mcd -t "$RV" -c "core 1; reg pc; reg a0 0xfeedface; reg a0; reg zero 7"
    check "riscv64: select a core, registers" 0 \
        "current core: 1 (rv64 #1)" "pc = 0x0000000000001000" \
        "a0 = 0x00000000feedface" "zero = 0x0000000000000000"

    mcd -t "$RV" -c "open 0; write phys 0x80000000 u64 0x0123456789abcdef; \
        mem phys 0x80000000 8; mem phys 0x80000000 u16 4"
    check "riscv64: memory" 0 "0x80000000: ef cd ab 89 67 45 23 01" \
        "0x80000000: 0xcdef (52719)" "0x80000006: 0x0123 (291)"
else
    for t in "cores" "select a core, registers" "memory"; do
        skip "riscv64: $t" "$why_rv"
    done
fi

if [ -n "$RV" ]; then
    # Two debuggers at once, one per core: the second is refused the
    # first one's core, and both work on their own.
    "$MCD" -t "$RV" -c "open 0; sleep 2; reg a0 0x1111; reg a0" \
        > "$tmp/first.out" 2>&1 < /dev/null &
    first=$!
    sleep 0.5
    mcd -t "$RV" -c "open 1; reg a0 0x2222; reg a0; open 0"
    wait $first
    first_rc=$?
    check "riscv64: a second debugger, refused the first one's core" "!0" \
        "opened core 1 (rv64 #1), current" "a0 = 0x0000000000002222" \
        "in use by another debugger" "MCD_ERR_DEVICE_LOCKED"
    cp "$tmp/first.out" "$out"
    rc=$first_rc
    check "riscv64: the first debugger, undisturbed" 0 \
        "opened core 0 (rv64 #0), current" "a0 = 0x0000000000001111"
else
    for t in "a second debugger, refused the first one's core" \
             "the first debugger, undisturbed"; do
        skip "riscv64: $t" "$why_rv"
    done
fi

if [ -n "$RV" ] && [ -n "$RUNCTL" ]; then
    mcd -t "$RV" -c "open 0; step; step 2; break 0x1000; reset halt; \
        triggers"
    check "riscv64: step and reset" 0 "stopped at 0x1004" \
        "stopped at 0x100c" "breakpoint 1 at 0x1000" \
        "stopped at 0x1000"
else
    skip "riscv64: step and reset" "${why_rv:-$why_runctl}"
fi

echo "1..$n"
if [ "$failed" -ne 0 ]; then
    echo "# $failed of $n tests failed"
    exit 1
fi
exit 0
