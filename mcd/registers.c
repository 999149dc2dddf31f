/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: register groups, the register map and register access
 *
 * Registers are the ones the gdbstub exposes, grouped by GDB feature
 * (core, FP/SIMD, system registers, CSRs, ...) in the order and with the
 * names gdb_get_register_list() gives; a register's size is what a read of
 * it produces.  A register's address in the register space is its GDB
 * register number.  A feature with more registers than one answer may
 * carry is split into several groups, so that any group can be queried in
 * one request.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "exec/gdbstub.h"
#include "hw/core/cpu.h"
#include "system/hw_accel.h"
#include "mcd-internal.h"

/* "org.gnu.gdb.aarch64.core" -> "aarch64.core" */
static const char *mcd_feature_short_name(const char *name)
{
    const char *p = g_str_has_prefix(name, "org.") ? strstr(name, ".gdb.") :
                                                     NULL;

    return p ? p + strlen(".gdb.") : name;
}

static void mcd_add_groups(McdCore *c, const char *feature, uint32_t first)
{
    uint32_t n = c->regs->len - first;
    uint32_t parts = DIV_ROUND_UP(n, MCD_MAX_QRY_ENTRIES);

    for (uint32_t p = 0; p < parts; p++) {
        McdRegGroup g = {
            .first = first + p * MCD_MAX_QRY_ENTRIES,
            .count = MIN(MCD_MAX_QRY_ENTRIES, n - p * MCD_MAX_QRY_ENTRIES),
        };

        if (parts == 1) {
            mcd_strcpy(g.name, mcd_feature_short_name(feature));
        } else {
            snprintf(g.name, sizeof(g.name), "%s (%" PRIu32 "/%" PRIu32 ")",
                     mcd_feature_short_name(feature), p + 1, parts);
        }
        for (uint32_t i = 0; i < g.count; i++) {
            g_array_index(c->regs, McdReg, g.first + i).group =
                c->groups->len + 1;
        }
        g_array_append_val(c->groups, g);
    }
}

void mcd_registers_init(McdCore *c)
{
    g_autoptr(GArray) list = gdb_get_register_list(c->cpu);
    g_autoptr(GByteArray) buf = g_byte_array_new();
    const char *feature = NULL;
    uint32_t first = 0;
    bool core_feature = true;

    c->regs = g_array_new(false, true, sizeof(McdReg));
    c->groups = g_array_new(false, true, sizeof(McdRegGroup));
    c->addr_bits = 64;
    for (guint i = 0; i < list->len; i++) {
        GDBRegDesc *d = &g_array_index(list, GDBRegDesc, i);
        const char *name = d->feature_name ?: "registers";
        McdReg r = { .num = d->gdb_reg, .name = d->name };

        if (!feature || strcmp(name, feature)) {
            if (feature) {
                mcd_add_groups(c, feature, first);
                core_feature = false;
            }
            feature = name;
            first = c->regs->len;
        }
        if (!r.name) {
            continue;
        }
        /* A read gives the size the feature XML declares. */
        g_byte_array_set_size(buf, 0);
        r.bits = gdb_read_register(c->cpu, buf, r.num) * 8;
        /* The program counter's width is the width of an address. */
        if (core_feature &&
            (!strcmp(r.name, "pc") || !strcmp(r.name, "eip"))) {
            c->addr_bits = r.bits;
        }
        g_array_append_val(c->regs, r);
    }
    if (feature) {
        mcd_add_groups(c, feature, first);
    }
}

void mcd_registers_release(McdCore *c)
{
    g_clear_pointer(&c->regs, g_array_unref);
    g_clear_pointer(&c->groups, g_array_unref);
}

/* The register at @num in the register space; regs are sorted by num. */
static McdReg *mcd_reg_find(McdCore *c, uint64_t num)
{
    uint32_t lo = 0, hi = c->regs->len;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        McdReg *r = &g_array_index(c->regs, McdReg, mid);

        if (r->num == num) {
            return r;
        }
        if (r->num < num) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

mcd_return_et mcd_qry_reg_groups_f(const mcd_core_st *core,
                                   uint32_t start_index,
                                   uint32_t *num_reg_groups,
                                   mcd_register_group_st *reg_groups)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    if (!c->groups->len) {
        return mcd_fail(c, MCD_ERR_NO_REG_GROUPS, "the core has no registers");
    }
    if (!mcd_qry_span(c, "register groups", c->groups->len, start_index,
                      num_reg_groups, reg_groups, &ret)) {
        return ret;
    }
    for (uint32_t i = 0; i < *num_reg_groups; i++) {
        McdRegGroup *g = &g_array_index(c->groups, McdRegGroup,
                                        start_index + i);

        reg_groups[i] = (mcd_register_group_st) {
            .reg_group_id = start_index + i + 1,
            .n_registers = g->count,
        };
        mcd_strcpy(reg_groups[i].reg_group_name, g->name);
    }
    return mcd_ok(c);
}

mcd_return_et mcd_qry_reg_map_f(const mcd_core_st *core, uint32_t reg_group_id,
                                uint32_t start_index, uint32_t *num_regs,
                                mcd_register_info_st *reg_info)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    uint32_t first = 0, count;

    if (ret) {
        return ret;
    }
    /* Group 0 stands for all registers. */
    count = c->regs->len;
    if (reg_group_id) {
        McdRegGroup *g;

        if (reg_group_id > c->groups->len) {
            return mcd_fail(c, MCD_ERR_REG_GROUP_ID,
                            "no register group %" PRIu32, reg_group_id);
        }
        g = &g_array_index(c->groups, McdRegGroup, reg_group_id - 1);
        first = g->first;
        count = g->count;
    }
    if (!mcd_qry_span(c, "registers", count, start_index, num_regs, reg_info,
                      &ret)) {
        return ret;
    }
    for (uint32_t i = 0; i < *num_regs; i++) {
        McdReg *r = &g_array_index(c->regs, McdReg, first + start_index + i);

        reg_info[i] = (mcd_register_info_st) {
            .addr = {
                .address = r->num,
                .mem_space_id = mcd_register_space_id(c),
            },
            .reg_group_id = r->group,
            .regsize = r->bits,
            .reg_type = MCD_REG_TYPE_SIMPLE,
        };
        mcd_strcpy(reg_info[i].regname, r->name);
    }
    return mcd_ok(c);
}

mcd_return_et mcd_qry_reg_compound_f(const mcd_core_st *core,
                                     uint32_t compound_reg_id,
                                     uint32_t start_index,
                                     uint32_t *num_reg_ids,
                                     uint32_t *reg_id_array)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    /* Every register the gdbstub exposes is a simple one. */
    return mcd_fail(c, MCD_ERR_REG_NOT_COMPOUND,
                    "register %" PRIu32 " is not a compound register",
                    compound_reg_id);
}

mcd_return_et mcd_reg_access(McdCore *c, uint32_t index, mcd_tx_st *tx)
{
    McdReg *r = mcd_reg_find(c, tx->addr.address);
    mcd_error_code_et code = mcd_tx_error(tx->access_type);
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint32_t type = tx->access_type;
    uint32_t size;

    if (!r) {
        return mcd_fail(c, code, "transaction %" PRIu32 ": no register at "
                        "address %" PRIu64 " of the register space", index,
                        tx->addr.address);
    }
    size = DIV_ROUND_UP(r->bits, 8);
    if (tx->num_bytes != size) {
        return mcd_fail(c, MCD_ERR_TXLIST_TX, "transaction %" PRIu32
                        ": register %s has %" PRIu32 " bytes, not %" PRIu32,
                        index, r->name, size, tx->num_bytes);
    }
    /*
     * A running core's registers change under our feet and may live in
     * host registers of the vCPU thread: refuse rather than guess.
     */
    if (!cpu_is_stopped(c->cpu)) {
        return mcd_fail(c, code, "transaction %" PRIu32 ": register %s: the "
                        "core is running; stop it first", index, r->name);
    }
    cpu_synchronize_state(c->cpu);
    if ((type == MCD_TX_AT_R || type == MCD_TX_AT_RW) &&
        gdb_read_register(c->cpu, buf, r->num) != size) {
        return mcd_fail(c, MCD_ERR_TXLIST_READ, "transaction %" PRIu32
                        ": register %s cannot be read", index, r->name);
    }
    if (mcd_tx_writes(type)) {
        /*
         * Target writers may load more than the register's size (aarch64
         * loads 64 bits for its 32-bit CPSR): give them slack.
         */
        g_autofree uint8_t *in = g_malloc0(size + 16);

        memcpy(in, tx->data, size);
        if (gdb_write_register(c->cpu, in, r->num) != size) {
            return mcd_fail(c, MCD_ERR_TXLIST_WRITE, "transaction %" PRIu32
                            ": register %s cannot be written", index,
                            r->name);
        }
    }
    if (type == MCD_TX_AT_WR &&
        gdb_read_register(c->cpu, buf, r->num) != size) {
        return mcd_fail(c, MCD_ERR_TXLIST_READ, "transaction %" PRIu32
                        ": register %s cannot be read back", index, r->name);
    }
    if (buf->len) {
        memcpy(tx->data, buf->data, size);
    }
    tx->num_bytes_ok = size;
    return MCD_RET_ACT_NONE;
}
