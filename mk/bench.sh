#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# usage: bench.sh BUILD_DIR -- run the benchmarks (mk/bench.py)
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/bench.py" "$1"
