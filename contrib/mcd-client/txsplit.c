/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: cutting a transaction list to the server's limits
 *
 * A server accepts at most max_payload data bytes and MCD_TX_NUM_MAX
 * transactions per list (mcd_qry_max_payload_size_f()).  A caller may
 * hand over more in one mcd_execute_txlist_f(); the list then goes out as
 * several requests.  Transactions are packed greedily in their order.
 * One that fits the payload is never cut, because a device register
 * access split in two is not the access the caller asked for.  One that
 * does not fit is sliced at multiples of its access width, so that every
 * slice still consists of whole accesses at aligned addresses.
 */

#include "mcdc.h"

/* Unit a transaction may be sliced at: its access width, or bytes. */
static uint32_t slice_unit(const mcd_tx_st *tx)
{
    return tx->access_width ? tx->access_width : 1;
}

bool mcdc_txlist_split(const mcd_txlist_st *tl, uint32_t max_payload,
                       uint32_t max_tx, GArray *pieces, GArray *requests,
                       McdcFailure *f)
{
    McdcTxRequest req = { 0 };

    g_array_set_size(pieces, 0);
    g_array_set_size(requests, 0);
    if (!max_payload || !max_tx) {
        mcdc_fail(f, MCD_ERR_PARAM, "the server allows no transactions "
                  "(max payload %u, at most %u per list)", max_payload,
                  max_tx);
        return false;
    }
    for (uint32_t i = 0; i < tl->num_tx; i++) {
        const mcd_tx_st *tx = &tl->tx[i];
        uint32_t unit = slice_unit(tx);
        uint32_t done = 0;

        if (tx->num_bytes > max_payload && unit > max_payload) {
            mcdc_fail(f, MCD_ERR_PARAM, "transaction %u: %u bytes cannot be "
                      "split into accesses of %u bytes within the server's "
                      "payload limit of %u bytes", i, tx->num_bytes, unit,
                      max_payload);
            return false;
        }
        for (;;) {
            uint64_t room = max_payload - req.bytes;
            uint32_t left = tx->num_bytes - done;
            McdcTxPiece p = { .tx = i, .offset = done };

            if (left <= room) {
                p.len = left;
            } else if (tx->num_bytes > max_payload && room >= unit) {
                p.len = room - room % unit;
            }
            /* No room (left but nothing taken): start the next request. */
            if (req.count == max_tx || (!p.len && left)) {
                g_array_append_val(requests, req);
                req = (McdcTxRequest) { .first = pieces->len };
                continue;
            }
            g_array_append_val(pieces, p);
            req.count++;
            req.bytes += p.len;
            done += p.len;
            if (done >= tx->num_bytes) {
                break;
            }
        }
    }
    if (req.count || !requests->len) {
        g_array_append_val(requests, req);
    }
    return true;
}
