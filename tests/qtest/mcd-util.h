/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD test helpers: a QEMU with an MCD monitor, and a JSON client for it
 *
 * The client is deliberately independent of QMP: it speaks the MCD wire
 * format (one compact JSON object per line, no greeting) on its own
 * socket, while the QEMU under test is still driven by libqtest.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef TESTS_QTEST_MCD_UTIL_H
#define TESTS_QTEST_MCD_UTIL_H

#include "libqtest.h"
#include "qobject/qdict.h"
#include "mcd/mcd_api.h"

typedef struct MCDTest {
    QTestState *qts;
    char *dir;
    char *path;         /* of the MCD unix socket */
    int fd;             /* MCD connection, -1 while disconnected */
    GString *in;        /* received, not yet consumed */
} MCDTest;

/* Machine and CPU options the suite uses for this target, or NULL. */
const char *mcd_test_machine(void);

/*
 * Start QEMU for this target with "-mcd unix:..." and @extra_fmt, and
 * connect to the MCD monitor.
 */
MCDTest *mcd_test_start(const char *extra_fmt, ...) G_GNUC_PRINTF(1, 2);
void mcd_test_stop(MCDTest *t);

void mcd_connect(MCDTest *t);
void mcd_disconnect(MCDTest *t);

/*
 * Another client of @t's QEMU, connected to the same MCD endpoint;
 * mcd_test_detach() closes it.  @connect false leaves it unconnected.
 */
MCDTest *mcd_test_attach(MCDTest *t, bool connect);
void mcd_test_detach(MCDTest *client);

/* Send text as is. */
void mcd_send_raw(MCDTest *t, const char *text);
/* ... with the file descriptor @fd passed along (SCM_RIGHTS). */
void mcd_send_fd(MCDTest *t, const char *text, int fd);
/*
 * The next line QEMU sends, without its newline; NULL when QEMU closed
 * the connection.  Fails the test after a timeout of 30 s.
 */
char *mcd_recv_line(MCDTest *t);
/* True if a line arrives within @ms milliseconds. */
bool mcd_line_pending(MCDTest *t, int ms);

/* Send a request built with qobject_from_jsonf_nofail(), return the answer. */
QDict *mcd_req(MCDTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* As mcd_req(), but return the "return" member, asserting there is one. */
QDict *mcd_ret(MCDTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* An unsigned member of any size (qdict_get_int() stops at INT64_MAX). */
uint64_t mcd_get_u64(QDict *d, const char *key);

/* As mcd_ret(), for a request given as JSON text (single quotes allowed). */
QDict *mcd_ret_text(MCDTest *t, const char *json);

/* Return status of an answer's "return" member. */
uint32_t mcd_status(QDict *ret);

/* mcd-qry-error-info for @core_uid (0: the server's) */
QDict *mcd_error_info(MCDTest *t, uint32_t core_uid);
/* Assert the last call on @core_uid (0: server) failed with @code. */
void mcd_assert_error(MCDTest *t, uint32_t core_uid, uint32_t code);

/* Open the server; return its uid. */
uint32_t mcd_open_server(MCDTest *t);
/* Device @dev of the one system (mcd-qry-devices), caller unrefs. */
QDict *mcd_device_info_at(MCDTest *t, uint32_t dev);
/* Core connection info of core @index of device @dev, caller unrefs. */
QDict *mcd_core_info_at(MCDTest *t, uint32_t dev, uint32_t index);
/* Open core @index of device @dev; return its uid. */
uint32_t mcd_open_core_at(MCDTest *t, uint32_t dev, uint32_t index);
/* The same on the first device. */
QDict *mcd_device_info(MCDTest *t);
QDict *mcd_core_info(MCDTest *t, uint32_t index);
uint32_t mcd_open_core(MCDTest *t, uint32_t index);

/* Transaction list helpers. */
typedef struct MCDTxResult {
    uint32_t status;            /* return-status */
    uint32_t num_tx_ok;
    uint32_t num_bytes_ok[8];
    GByteArray *data[8];        /* what each transaction read */
} MCDTxResult;

/*
 * A transaction as a JSON object: @type is MCD_TX_AT_*, @data (for
 * writes) holds @len bytes, NULL for reads.
 */
QDict *mcd_tx(uint32_t space, uint64_t addr, uint32_t type, uint8_t width,
              const uint8_t *data, uint32_t len);
/* Execute a list of transactions built with mcd_tx(); fills @res. */
void mcd_txlist(MCDTest *t, uint32_t core_uid, QDict **tx, int n,
                MCDTxResult *res);
void mcd_txresult_free(MCDTxResult *res);
/* Read or write @len bytes in one transaction; assert success. */
void mcd_read(MCDTest *t, uint32_t core_uid, uint32_t space, uint64_t addr,
              uint8_t *buf, uint32_t len);
void mcd_write(MCDTest *t, uint32_t core_uid, uint32_t space, uint64_t addr,
               const uint8_t *buf, uint32_t len);

/* A memory space of an open core by type bits (and name part), 0 if none. */
uint32_t mcd_find_space(MCDTest *t, uint32_t core_uid, uint32_t type,
                        const char *name_part);
/* Call @fn for every register of the map, until it returns true. */
void mcd_foreach_reg(MCDTest *t, uint32_t core_uid,
                     bool (*fn)(QDict *reg, void *opaque), void *opaque);
/* The register map entry of register @name, caller unrefs; NULL if none. */
QDict *mcd_find_reg(MCDTest *t, uint32_t core_uid, const char *name);
/* Read or write a register of up to 8 bytes, as a little-endian value. */
uint64_t mcd_read_reg(MCDTest *t, uint32_t core_uid, const char *name);
void mcd_write_reg(MCDTest *t, uint32_t core_uid, const char *name,
                   uint64_t value);

/* A minimal GDB remote protocol client for cross-checks with -gdb. */
int mcd_gdb_connect(const char *path);
/* Send @cmd as a packet, return the reply's payload. */
char *mcd_gdb_cmd(int fd, const char *cmd);

#endif
