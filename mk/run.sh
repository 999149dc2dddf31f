#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Start QEMU halted with the MCD server listening, and say how to connect.
#
# usage: run.sh BUILD_DIR
set -euo pipefail
B=$(realpath -m "$1")
HOST=${MCD_HOST:-127.0.0.1}
PORT=${MCD_PORT:-1235}

cat <<TXT
QEMU (aarch64 virt, cortex-a53, halted) with its MCD server on $HOST:$PORT.
Point an MCD client stub at it with the config string "$HOST:$PORT".
Ctrl-a x quits QEMU.
TXT
exec "$B/qemu-build/qemu-system-aarch64" -M virt -cpu cortex-a53 -m 256M \
    -nographic -S -mcd "tcp:$HOST:$PORT,server=on,wait=off"
