/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd-bench-lib: bulk memory transfers through an MCD client library.
 *
 * One mcd_execute_txlist_f() reads BYTES of memory at ADDR, one writes
 * them back, as a debugger loading or saving an image would; the
 * library cuts them to the server's payload.  Prints the read and the
 * write throughput in MiB/s, and fails if what was read back differs.
 *
 * usage: mcd-bench-lib CONFIG_STRING ADDR BYTES
 *   e.g. mcd-bench-lib unix:/tmp/mcd.sock 0x44000000 67108864
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mcd_api.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(mcd_return_et ret, const mcd_core_st *core, const char *f)
{
    mcd_error_info_st e;

    if (ret == MCD_RET_ACT_NONE) {
        return;
    }
    mcd_qry_error_info_f(core, &e);
    fprintf(stderr, "mcd-bench-lib: %s: %s\n", f, e.error_str);
    exit(1);
}

static double transfer(const mcd_core_st *core, mcd_tx_access_type_et type,
                       uint64_t addr, uint8_t *buf, uint32_t len)
{
    mcd_tx_st tx = {
        .addr = { .address = addr, .mem_space_id = 1 },
        .access_type = type,
        .data = buf,
        .num_bytes = len,
    };
    mcd_txlist_st txlist = { .tx = &tx, .num_tx = 1 };
    double t0 = now();

    check(mcd_execute_txlist_f(core, &txlist), core, "mcd_execute_txlist_f");
    if (txlist.num_tx_ok != 1 || tx.num_bytes_ok != len) {
        fprintf(stderr, "mcd-bench-lib: %u of %u bytes\n", tx.num_bytes_ok,
                len);
        exit(1);
    }
    return len / (now() - t0) / (1 << 20);
}

int main(int argc, char **argv)
{
    mcd_api_version_st req = {
        .v_api_major = MCD_API_VER_MAJOR,
        .v_api_minor = MCD_API_VER_MINOR,
        .author = MCD_API_VER_AUTHOR,
    };
    mcd_impl_version_info_st impl;
    mcd_server_st *server;
    mcd_core_con_info_st sys, dev, info;
    mcd_core_st *core;
    uint32_t n = 1, len;
    uint64_t addr;
    uint8_t *buf, *back;
    double rd, wr;

    if (argc != 4) {
        fprintf(stderr, "usage: mcd-bench-lib CONFIG_STRING ADDR BYTES\n");
        return 1;
    }
    if (sscanf(argv[2], "%" SCNi64, &addr) != 1 ||
        sscanf(argv[3], "%" SCNi32, &len) != 1) {
        fprintf(stderr, "mcd-bench-lib: ADDR and BYTES are numbers\n");
        return 1;
    }
    buf = malloc(len);
    back = malloc(len);
    check(mcd_initialize_f(&req, &impl), NULL, "mcd_initialize_f");
    check(mcd_open_server_f("", argv[1], &server), NULL, "mcd_open_server_f");
    check(mcd_qry_systems_f(0, &n, &sys), NULL, "mcd_qry_systems_f");
    n = 1;
    check(mcd_qry_devices_f(&sys, 0, &n, &dev), NULL, "mcd_qry_devices_f");
    n = 1;
    check(mcd_qry_cores_f(&dev, 0, &n, &info), NULL, "mcd_qry_cores_f");
    check(mcd_open_core_f(&info, &core), NULL, "mcd_open_core_f");

    for (uint32_t i = 0; i < len; i++) {
        buf[i] = i * 7 + (i >> 12);
    }
    wr = transfer(core, MCD_TX_AT_W, addr, buf, len);
    rd = transfer(core, MCD_TX_AT_R, addr, back, len);
    if (memcmp(buf, back, len)) {
        fprintf(stderr, "mcd-bench-lib: read back differs\n");
        return 1;
    }
    printf("%.6g %.6g\n", rd, wr);
    mcd_close_core_f(core);
    mcd_close_server_f(server);
    mcd_exit_f();
    return 0;
}
