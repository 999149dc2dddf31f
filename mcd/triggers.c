/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: triggers: breakpoints and watchpoints
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "mcd-internal.h"

mcd_return_et mcd_qry_trig_info_f(const mcd_core_st *core,
                                  mcd_trig_info_st *trig_info)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_qry_ctrigs_f(const mcd_core_st *core, uint32_t start_index,
                               uint32_t *num_ctrigs,
                               mcd_ctrig_info_st *ctrig_info)
{
    return mcd_core_unimplemented(core, "custom triggers");
}

mcd_return_et mcd_create_trig_f(const mcd_core_st *core, void *trig,
                                uint32_t *trig_id)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_qry_trig_f(const mcd_core_st *core, uint32_t trig_id,
                             uint32_t max_trig_size, void *trig)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_remove_trig_f(const mcd_core_st *core, uint32_t trig_id)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_qry_trig_state_f(const mcd_core_st *core, uint32_t trig_id,
                                   mcd_trig_state_st *trig_state)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_activate_trig_set_f(const mcd_core_st *core)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_remove_trig_set_f(const mcd_core_st *core)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_qry_trig_set_f(const mcd_core_st *core, uint32_t start_index,
                                 uint32_t *num_trigs, uint32_t *trig_ids)
{
    return mcd_core_unimplemented(core, "triggers");
}

mcd_return_et mcd_qry_trig_set_state_f(const mcd_core_st *core,
                                       mcd_trig_set_state_st *trig_state)
{
    return mcd_core_unimplemented(core, "triggers");
}
