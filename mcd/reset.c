/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: reset classes and reset
 *
 * Class 0 resets the whole system, as at power-on; class 1 resets only
 * the addressed core.  With rst_and_halt the reset cores stay stopped at
 * their reset vector, in debug state; triggers stay armed either way.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "system/runstate.h"
#include "mcd-internal.h"
#include "trace.h"

enum {
    MCD_RST_SYSTEM = 0,
    MCD_RST_CORE = 1,
};

static const char *const mcd_rst_info[] = {
    [MCD_RST_SYSTEM] = "system reset: the whole machine restarts as at "
                       "power-on",
    [MCD_RST_CORE] = "core reset: only this core's state is reset",
};

mcd_return_et mcd_qry_rst_classes_f(const mcd_core_st *core,
                                    uint32_t *rst_class_vector)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup_out(core, rst_class_vector, &c);

    if (ret) {
        return ret;
    }
    *rst_class_vector = BIT(MCD_RST_SYSTEM) | BIT(MCD_RST_CORE);
    return mcd_ok(c);
}

mcd_return_et mcd_qry_rst_class_info_f(const mcd_core_st *core,
                                       uint8_t rst_class,
                                       mcd_rst_info_st *rst_info)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    if (rst_class >= ARRAY_SIZE(mcd_rst_info)) {
        return mcd_fail(c, MCD_ERR_PARAM, "no reset class %u (classes 0 and "
                        "1 exist)", rst_class);
    }
    if (!rst_info) {
        return mcd_fail(c, MCD_ERR_PARAM, "no result buffer given");
    }
    *rst_info = (mcd_rst_info_st) { .class_vector = BIT(rst_class) };
    mcd_strcpy(rst_info->info_str, mcd_rst_info[rst_class]);
    return mcd_ok(c);
}

mcd_return_et mcd_rst_f(const mcd_core_st *core, uint32_t rst_class_vector,
                        mcd_bool_t rst_and_halt)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    g_autoptr(GPtrArray) cores = g_ptr_array_new();

    if (ret) {
        return ret;
    }
    if (!rst_class_vector ||
        (rst_class_vector & ~(BIT(MCD_RST_SYSTEM) | BIT(MCD_RST_CORE)))) {
        return mcd_fail(c, MCD_ERR_PARAM, "reset class vector 0x%" PRIx32
                        ": classes 0 (system) and 1 (core) exist",
                        rst_class_vector);
    }
    trace_mcd_reset(c->id, rst_class_vector, rst_and_halt);
    if (rst_class_vector & BIT(MCD_RST_SYSTEM)) {
        /* A system reset includes every core's. */
        mcd_stop_all("stopped for a system reset");
        qemu_system_reset(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
        for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
            g_ptr_array_add(cores, &mcd_server.cores[i]);
        }
    } else {
        mcd_stop_core(c, "stopped for a core reset");
        cpu_reset(c->cpu);
        g_ptr_array_add(cores, c);
    }
    for (guint i = 0; i < cores->len; i++) {
        mcd_stopped_by_reset(g_ptr_array_index(cores, i));
    }
    if (!rst_and_halt) {
        ret = mcd_resume(c, cores);
    }
    return ret ? ret : mcd_ok(c);
}
