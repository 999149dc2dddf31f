#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check that the client stub exports the MCD API functions and nothing
# else, as a debugger that dlopen()s it expects:
#
#   sh check-exports.sh libmcd_client.so mcd_api.h
#
# Prints TAP; exits 1 if a check failed.

lib=$1
hdr=$2
if [ ! -f "$lib" ] || [ ! -f "$hdr" ]; then
    echo "usage: $0 libmcd_client.so mcd_api.h" >&2
    exit 2
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
grep -o '\bmcd_[a-z0-9_]*_f(' "$hdr" | tr -d '(' | sort -u > "$tmp/want"
nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sort -u \
    > "$tmp/have"

rc=0
check() {   # number, description, status
    if [ "$3" -eq 0 ]; then
        echo "ok $1 - exports: $2"
    else
        echo "not ok $1 - exports: $2"
        rc=1
    fi
}

echo "1..3"
n=$(wc -l < "$tmp/want")
[ "$n" -eq 54 ]
check 1 "mcd_api.h declares 54 functions (found $n)" $?
missing=$(comm -23 "$tmp/want" "$tmp/have")
for s in $missing; do echo "# not exported: $s"; done
[ -z "$missing" ]
check 2 "every API function is exported" $?
extra=$(comm -13 "$tmp/want" "$tmp/have")
for s in $extra; do echo "# exported but not API: $s"; done
[ -z "$extra" ]
check 3 "nothing else is exported" $?
exit $rc
