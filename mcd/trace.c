/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: trace
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "mcd-internal.h"

/* QEMU records no instruction or data trace that MCD could hand out. */
static mcd_return_et mcd_no_trace(const mcd_core_st *core, uint32_t trace_id)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    return ret ? ret : mcd_fail(c, MCD_ERR_PARAM,
                                "no trace %" PRIu32 ": QEMU's cores have "
                                "no trace sources", trace_id);
}

mcd_return_et mcd_qry_traces_f(const mcd_core_st *core, uint32_t start_index,
                               uint32_t *num_traces,
                               mcd_trace_info_st *trace_info)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    mcd_qry_span(c, "trace sources", 0, start_index, num_traces, trace_info,
                 &ret);
    return ret;
}

mcd_return_et mcd_qry_trace_state_f(const mcd_core_st *core, uint32_t trace_id,
                                    mcd_trace_state_st *state)
{
    return mcd_no_trace(core, trace_id);
}

mcd_return_et mcd_set_trace_state_f(const mcd_core_st *core, uint32_t trace_id,
                                    mcd_trace_state_st *state)
{
    return mcd_no_trace(core, trace_id);
}

mcd_return_et mcd_read_trace_f(const mcd_core_st *core, uint32_t trace_id,
                               uint64_t start_index, uint32_t *num_frames,
                               uint32_t trace_data_size, void *trace_data)
{
    return mcd_no_trace(core, trace_id);
}
