/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: run control: run, stop, step and core state
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "mcd-internal.h"

mcd_return_et mcd_run_f(const mcd_core_st *core, mcd_bool_t global)
{
    return mcd_core_unimplemented(core, "run control");
}

mcd_return_et mcd_stop_f(const mcd_core_st *core, mcd_bool_t global)
{
    return mcd_core_unimplemented(core, "run control");
}

mcd_return_et mcd_run_until_f(const mcd_core_st *core, mcd_bool_t global,
                              mcd_bool_t absolute_time, uint64_t run_until_time)
{
    return mcd_core_unimplemented(core, "running until a time");
}

mcd_return_et mcd_qry_current_time_f(const mcd_core_st *core,
                                     uint64_t *current_time)
{
    return mcd_core_unimplemented(core, "a target time base");
}

mcd_return_et mcd_step_f(const mcd_core_st *core, mcd_bool_t global,
                         mcd_core_step_type_et step_type, uint32_t n_steps)
{
    return mcd_core_unimplemented(core, "stepping");
}

mcd_return_et mcd_set_global_f(const mcd_core_st *core, mcd_bool_t enable)
{
    return mcd_core_unimplemented(core, "run control");
}

mcd_return_et mcd_qry_state_f(const mcd_core_st *core, mcd_core_state_st *state)
{
    return mcd_core_unimplemented(core, "core state");
}

mcd_return_et mcd_execute_command_f(const mcd_core_st *core,
                                    const mcd_char_t *command_string,
                                    uint32_t result_string_size,
                                    mcd_char_t *result_string)
{
    return mcd_core_unimplemented(core, "command strings");
}
