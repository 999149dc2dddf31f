/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: transaction lists: memory and register accesses
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "exec/memory.h"
#include "exec/target_page.h"
#include "qemu/rcu.h"
#include "hw/core/cpu.h"
#include "mcd-internal.h"

mcd_return_et mcd_txlist_limits(McdCore *core, uint32_t num_tx,
                                uint64_t num_bytes)
{
    if (num_tx > MCD_TX_NUM_MAX) {
        return mcd_fail(core, MCD_ERR_PARAM,
                        "%" PRIu32 " transactions: at most %d per list",
                        num_tx, MCD_TX_NUM_MAX);
    }
    if (num_bytes > mcd_session_max_payload(mcd_session)) {
        return mcd_fail(core, MCD_ERR_PARAM,
                        "%" PRIu64 " bytes: at most %" PRIu32 " per list "
                        "(see mcd_qry_max_payload_size_f)", num_bytes,
                        mcd_session_max_payload(mcd_session));
    }
    return MCD_RET_ACT_NONE;
}

/*
 * How many bytes of [addr, addr + len) a debug access of @unit bytes at a
 * time can reach before the first hole, found without touching the target
 * (address_space_access_valid() has no side effects).
 */
static uint32_t mcd_valid_prefix(AddressSpace *as, hwaddr addr, uint32_t len,
                                 uint32_t unit, bool is_write,
                                 MemTxAttrs attrs)
{
    uint32_t lo = 0, hi = len / unit;

    if (address_space_access_valid(as, addr, len, is_write, attrs)) {
        return len;
    }
    /* Validity of a prefix only shrinks as it grows: bisect. */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;

        if (address_space_access_valid(as, addr, mid * unit, is_write,
                                       attrs)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo * unit;
}

/*
 * Does [addr, addr + len) reach anything but RAM?  (Only RAM sections
 * tell their length; anything else counts as a device.)
 */
static bool mcd_reaches_device(AddressSpace *as, hwaddr addr, hwaddr len,
                               MemTxAttrs attrs)
{
    RCU_READ_LOCK_GUARD();

    while (len) {
        hwaddr xlat, l = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &l,
                                                   false, attrs);

        if (!memory_region_is_ram(mr)) {
            return true;
        }
        addr += l;
        len -= l;
    }
    return false;
}

typedef struct McdPhysAccess {
    AddressSpace *as;
    hwaddr addr;
    MemTxAttrs attrs;
    uint8_t *buf;
    uint32_t len, unit;
    bool block, is_write;
    uint32_t done;
} McdPhysAccess;

/* Do @a; count the bytes done before the first failure. */
static void mcd_phys_do(McdPhysAccess *a)
{
    if (a->block && address_space_rw(a->as, a->addr, a->attrs, a->buf,
                                     a->len, a->is_write) == MEMTX_OK) {
        a->done = a->len;
        return;
    }
    /* Unit by unit, to know exactly where a device said no. */
    for (a->done = 0; a->done < a->len; a->done += a->unit) {
        if (address_space_rw(a->as, a->addr + a->done, a->attrs,
                             a->buf + a->done, a->unit,
                             a->is_write) != MEMTX_OK) {
            break;
        }
    }
}

static void mcd_phys_do_on_cpu(CPUState *cpu, run_on_cpu_data data)
{
    mcd_phys_do(data.host_ptr);
}

/*
 * Read or write physical memory; return the number of bytes done before
 * the first failure.  With a width, every access has that size, so that
 * device registers see the accesses the debugger asked for.  Device
 * models expect their accesses from a vCPU (current_cpu, banked
 * registers), so accesses that reach devices are done in the core's own
 * thread, as if the core made them; RAM is accessed in place.
 */
static uint32_t mcd_phys_rw(CPUState *cpu, AddressSpace *as, hwaddr addr,
                            MemTxAttrs attrs, uint8_t *buf, uint32_t len,
                            uint32_t width, bool is_write)
{
    uint32_t unit = width ?: 1;
    McdPhysAccess a = {
        .as = as, .addr = addr, .attrs = attrs, .buf = buf, .unit = unit,
        .len = mcd_valid_prefix(as, addr, len, unit, is_write, attrs),
        .block = !width, .is_write = is_write,
    };

    if (a.len && mcd_reaches_device(as, addr, a.len, attrs)) {
        run_on_cpu(cpu, mcd_phys_do_on_cpu, RUN_ON_CPU_HOST_PTR(&a));
    } else {
        mcd_phys_do(&a);
    }
    return a.done;
}

/*
 * One access of a memory transaction: physical, or logical through the
 * core's current translation regime, page by page.  Returns the bytes
 * done; *@why says why it stopped short.
 */
static uint32_t mcd_mem_rw(McdCore *c, McdMemSpace *s, uint64_t addr,
                           uint8_t *buf, uint32_t len, uint32_t width,
                           bool is_write, const char **why)
{
    AddressSpace *as = cpu_get_address_space(c->cpu, s->asidx);
    MemTxAttrs attrs = { .secure = s->secure_attrs, .debug = 1 };
    uint64_t page_size = qemu_target_page_size();
    uint32_t done = 0;

    *why = "no memory there";
    if (s->kind == MCD_SPACE_PHYSICAL) {
        return mcd_phys_rw(c->cpu, as, addr, attrs, buf, len, width,
                           is_write);
    }
    while (done < len) {
        uint64_t va = addr + done;
        uint64_t page = va & ~(page_size - 1);
        uint32_t chunk = MIN(len - done, page + page_size - va);
        MemTxAttrs tattrs;
        hwaddr pa = cpu_get_phys_page_attrs_debug(c->cpu, page, &tattrs);
        uint32_t n;

        if (pa == -1) {
            *why = "no translation for the virtual address";
            break;
        }
        /* The space decides the security world of the access. */
        tattrs.secure = attrs.secure;
        tattrs.debug = 1;
        n = mcd_phys_rw(c->cpu, as, pa + (va - page), tattrs, buf + done,
                        chunk, width, is_write);
        done += n;
        if (n < chunk) {
            break;
        }
    }
    return done;
}

static mcd_return_et mcd_mem_access(McdCore *c, McdMemSpace *s,
                                    uint32_t index, mcd_tx_st *tx)
{
    uint32_t type = tx->access_type;
    uint32_t width = tx->access_width;
    g_autofree uint8_t *old = NULL;
    const char *why;
    uint32_t n;

    /* A width equal to the size asks for one access: a block. */
    if (width == tx->num_bytes) {
        width = 0;
    }
    if (width && (!is_power_of_2(width) || width > 8 ||
                  tx->num_bytes % width || tx->addr.address % width)) {
        return mcd_fail(c, MCD_ERR_TXLIST_TX, "transaction %" PRIu32
                        ": %" PRIu32 " bytes at 0x%" PRIx64 " cannot be "
                        "accessed %" PRIu32 " bytes at a time", index,
                        tx->num_bytes, tx->addr.address, width);
    }
    if (tx->addr.address + (uint64_t)tx->num_bytes - 1 > s->info.max_addr ||
        (tx->num_bytes && tx->addr.address + tx->num_bytes - 1 <
         tx->addr.address)) {
        return mcd_fail(c, mcd_tx_error(type), "transaction %" PRIu32
                        ": 0x%" PRIx64 "+%" PRIu32 " is outside %s", index,
                        tx->addr.address, tx->num_bytes,
                        s->info.mem_space_name);
    }
    if (type == MCD_TX_AT_RW) {
        /* Swap: the old contents come back in the data buffer. */
        old = g_malloc(tx->num_bytes);
        n = mcd_mem_rw(c, s, tx->addr.address, old, tx->num_bytes, width,
                       false, &why);
        if (n < tx->num_bytes) {
            goto read_failed;
        }
    }
    if (mcd_tx_writes(type)) {
        n = mcd_mem_rw(c, s, tx->addr.address, tx->data, tx->num_bytes,
                       width, true, &why);
        tx->num_bytes_ok = n;
        if (n < tx->num_bytes) {
            return mcd_fail(c, MCD_ERR_TXLIST_WRITE, "transaction %" PRIu32
                            ": write to %s failed at 0x%" PRIx64 " after %"
                            PRIu32 " of %" PRIu32 " bytes: %s", index,
                            s->info.mem_space_name, tx->addr.address + n, n,
                            tx->num_bytes, why);
        }
    }
    if (type == MCD_TX_AT_R || type == MCD_TX_AT_WR) {
        n = mcd_mem_rw(c, s, tx->addr.address, tx->data, tx->num_bytes,
                       width, false, &why);
        if (n < tx->num_bytes) {
            goto read_failed;
        }
    }
    if (old) {
        memcpy(tx->data, old, tx->num_bytes);
    }
    tx->num_bytes_ok = tx->num_bytes;
    return MCD_RET_ACT_NONE;

read_failed:
    tx->num_bytes_ok = type == MCD_TX_AT_R ? n : 0;
    return mcd_fail(c, MCD_ERR_TXLIST_READ, "transaction %" PRIu32
                    ": read from %s failed at 0x%" PRIx64 " after %" PRIu32
                    " of %" PRIu32 " bytes: %s", index,
                    s->info.mem_space_name, tx->addr.address + n, n,
                    tx->num_bytes, why);
}

mcd_return_et mcd_execute_txlist_f(const mcd_core_st *core,
                                   mcd_txlist_st *txlist)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    uint64_t bytes = 0;

    if (ret) {
        return ret;
    }
    if (!txlist || (txlist->num_tx && !txlist->tx)) {
        return mcd_fail(c, MCD_ERR_PARAM, "no transaction list given");
    }
    for (uint32_t i = 0; i < txlist->num_tx && i <= MCD_TX_NUM_MAX; i++) {
        /* No answer carries what goes through the shared buffer. */
        if (!mcd_shared_buffer_holds(txlist->tx[i].data)) {
            bytes += txlist->tx[i].num_bytes;
        }
    }
    ret = mcd_txlist_limits(c, txlist->num_tx, bytes);
    if (ret) {
        return ret;
    }
    txlist->num_tx_ok = 0;
    for (uint32_t i = 0; i < txlist->num_tx; i++) {
        mcd_tx_st *tx = &txlist->tx[i];
        McdMemSpace *s = mcd_space_find(c, tx->addr.mem_space_id);

        tx->num_bytes_ok = 0;
        if (!s) {
            return mcd_fail(c, MCD_ERR_TXLIST_TX, "transaction %" PRIu32
                            ": no memory space %" PRIu32, i,
                            tx->addr.mem_space_id);
        }
        if (!mcd_tx_reads(tx->access_type) &&
            !mcd_tx_writes(tx->access_type)) {
            return mcd_fail(c, MCD_ERR_TXLIST_TX, "transaction %" PRIu32
                            ": unknown access type %" PRIu32, i,
                            (uint32_t)tx->access_type);
        }
        if (tx->num_bytes && !tx->data) {
            return mcd_fail(c, MCD_ERR_TXLIST_TX, "transaction %" PRIu32
                            ": no data buffer", i);
        }
        ret = s->kind == MCD_SPACE_REGISTERS ? mcd_reg_access(c, i, tx) :
                                               mcd_mem_access(c, s, i, tx);
        if (ret) {
            return ret;
        }
        txlist->num_tx_ok++;
    }
    return mcd_ok(c);
}
