#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Start the demo guest in qemu-system-aarch64 -M virt, halted, with the
# MCD server on 127.0.0.1:1235, and attach the mcd debugger: at its
# prompt in a terminal, else for the scripted tour.  QEMU stops when the
# debugger exits.
#
# usage: run.sh BUILD_DIR
set -euo pipefail
B=$(realpath -m "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
HOST=${MCD_HOST:-127.0.0.1}
PORT=${MCD_PORT:-1235}
LOG=$B/demo-qemu.log

"$B/qemu-build/qemu-system-aarch64" -M virt -cpu cortex-a53 -m 128M \
    -display none -serial "file:$B/demo-serial.log" -monitor none -S \
    -kernel "$B/mcd-demo/demo.elf" \
    -mcd "tcp:$HOST:$PORT,server=on,wait=off" > "$LOG" 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null; wait $qemu 2>/dev/null || true' EXIT

# Wait for the MCD server to listen.
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
        break
    fi
    kill -0 $qemu 2>/dev/null || { cat "$LOG" >&2; exit 1; }
    sleep 0.1
done

cat <<TXT
QEMU (aarch64 virt, cortex-a53, demo guest, halted) has its MCD server on
$HOST:$PORT; any MCD debugger connects with the config string "$HOST:$PORT".
Guest console: $B/demo-serial.log
TXT
mcd="$B/mcd-cli/mcd -t $HOST:$PORT -s $B/mcd-demo/demo.syms"
if [ -t 0 ] && [ -t 1 ]; then
    echo "Type 'help' for the commands, 'quit' to leave (QEMU stops too)."
    $mcd
else
    echo "No terminal: running the tour in contrib/mcd-demo/tour.mcd."
    $mcd -x "$top/contrib/mcd-demo/tour.mcd"
fi
