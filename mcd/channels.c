/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: target communication channels
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "mcd-internal.h"

/*
 * An emulated core has no debug communication channel hardware a debugger
 * could reach (semihosting and DCC are serviced by QEMU itself), so every
 * channel request is refused with the error MCD defines for that.
 */
static mcd_return_et mcd_no_channels(const mcd_core_st *core)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    return ret ? ret : mcd_fail(c, MCD_ERR_CHL_TARGET_NOT_SUPPORTED,
                                "QEMU's cores have no communication "
                                "channels");
}

mcd_return_et mcd_chl_open_f(const mcd_core_st *core, mcd_chl_st *channel)
{
    return mcd_no_channels(core);
}

mcd_return_et mcd_send_msg_f(const mcd_core_st *core, const mcd_chl_st *channel,
                             uint32_t msg_len, const uint8_t *msg)
{
    return mcd_no_channels(core);
}

mcd_return_et mcd_receive_msg_f(const mcd_core_st *core,
                                const mcd_chl_st *channel, uint32_t timeout,
                                uint32_t *msg_len, uint8_t *msg)
{
    return mcd_no_channels(core);
}

mcd_return_et mcd_chl_reset_f(const mcd_core_st *core,
                              const mcd_chl_st *channel)
{
    return mcd_no_channels(core);
}

mcd_return_et mcd_chl_close_f(const mcd_core_st *core,
                              const mcd_chl_st *channel)
{
    return mcd_no_channels(core);
}
