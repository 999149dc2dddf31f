/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: transaction lists: memory and register accesses
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "mcd-internal.h"

mcd_return_et mcd_txlist_limits(McdCore *core, uint32_t num_tx,
                                uint64_t num_bytes)
{
    if (num_tx > MCD_TX_NUM_MAX) {
        return mcd_fail(core, MCD_ERR_PARAM,
                        "%" PRIu32 " transactions: at most %d per list",
                        num_tx, MCD_TX_NUM_MAX);
    }
    if (num_bytes > MCD_MAX_PAYLOAD) {
        return mcd_fail(core, MCD_ERR_PARAM,
                        "%" PRIu64 " bytes: at most %d per list (see "
                        "mcd_qry_max_payload_size_f)", num_bytes,
                        MCD_MAX_PAYLOAD);
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcd_execute_txlist_f(const mcd_core_st *core,
                                   mcd_txlist_st *txlist)
{
    return mcd_core_unimplemented(core, "target access");
}
