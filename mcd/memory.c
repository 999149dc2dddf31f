/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: memory spaces and memory blocks
 *
 * Each core gets a physical and a logical memory space per CPU address
 * space a debugger cares about (on Arm with TrustZone: non-secure and
 * secure; on x86 with SMM: normal and SMM), all physical spaces first, then
 * the logical ones, then one register space.  IDs start at 1 and stay the
 * same while the core is open.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/rcu.h"
#include "exec/memory.h"
#include "exec/tswap.h"
#include "hw/core/cpu.h"
#include "mcd-internal.h"

static mcd_endian_et mcd_target_endian(void)
{
    return target_words_bigendian() ? MCD_ENDIAN_BIG : MCD_ENDIAN_LITTLE;
}

static void mcd_add_space(McdCore *c, McdSpaceKind kind, int asidx,
                          bool secure_attrs, bool secure, const char *prefix,
                          uint64_t max_addr)
{
    static const char *const kind_name[] = {
        [MCD_SPACE_PHYSICAL] = "Physical",
        [MCD_SPACE_LOGICAL] = "Logical",
        [MCD_SPACE_REGISTERS] = "GDB Registers",
    };
    static const mcd_mem_type_et kind_type[] = {
        [MCD_SPACE_PHYSICAL] = MCD_MEM_SPACE_IS_PHYSICAL,
        [MCD_SPACE_LOGICAL] = MCD_MEM_SPACE_IS_LOGICAL,
        [MCD_SPACE_REGISTERS] = MCD_MEM_SPACE_IS_REGISTERS,
    };
    McdMemSpace s = {
        .kind = kind,
        .asidx = asidx,
        .secure_attrs = secure_attrs,
        .info = {
            .mem_space_id = c->spaces->len + 1,
            .mem_type = kind_type[kind] |
                        (secure ? MCD_MEM_SPACE_IS_SECURE : 0),
            .bits_per_mau = 8,
            .invariance = 1,
            .endian = mcd_target_endian(),
            .max_addr = max_addr,
        },
    };

    snprintf(s.info.mem_space_name, sizeof(s.info.mem_space_name), "%s%s",
             prefix, kind_name[kind]);
    g_array_append_val(c->spaces, s);
}

void mcd_memory_init(McdCore *c)
{
    CPUState *cpu = c->cpu;
    int ns = cpu_asidx_from_attrs(cpu, (MemTxAttrs) { .secure = 0 });
    /* Only a CPU with several address spaces may be asked for another. */
    int s = cpu->num_ases > 1 ?
            cpu_asidx_from_attrs(cpu, (MemTxAttrs) { .secure = 1 }) : ns;
    int asidx[2] = { ns, s };
    int n = ns == s ? 1 : 2;
    uint64_t va_max = c->addr_bits >= 64 ? UINT64_MAX :
                      (1ULL << c->addr_bits) - 1;

    /* x86's second address space is SMM, Arm's is TrustZone secure. */
    bool smm = n == 2 &&
               strstr(cpu_get_address_space(cpu, s)->name, "smm") != NULL;
    static const char *const prefix[][2] = {
        { "", "SMM " }, { "Non-secure ", "Secure " },
    };

    c->spaces = g_array_new(false, true, sizeof(McdMemSpace));
    for (int kind = MCD_SPACE_PHYSICAL; kind <= MCD_SPACE_LOGICAL; kind++) {
        for (int i = 0; i < n; i++) {
            mcd_add_space(c, kind, asidx[i], i == 1, i == 1 && !smm,
                          n == 1 ? "" : prefix[!smm][i],
                          kind == MCD_SPACE_LOGICAL ? va_max : UINT64_MAX);
        }
    }
    mcd_add_space(c, MCD_SPACE_REGISTERS, -1, false, false, "",
                  c->regs->len ? g_array_index(c->regs, McdReg,
                                               c->regs->len - 1).num : 0);
}

void mcd_memory_release(McdCore *c)
{
    g_clear_pointer(&c->spaces, g_array_unref);
}

McdMemSpace *mcd_space_find(McdCore *c, uint32_t mem_space_id)
{
    if (mem_space_id == 0 || mem_space_id > c->spaces->len) {
        return NULL;
    }
    return &g_array_index(c->spaces, McdMemSpace, mem_space_id - 1);
}

uint32_t mcd_register_space_id(McdCore *c)
{
    /* The register space comes last. */
    return c->spaces->len;
}

/*
 * The memory blocks of a physical space: RAM, ROM and flash (ROM device)
 * regions of the address space as the core sees it now.  A region that
 * appears in several pieces of the flat view is one block per piece.
 */
typedef struct McdBlockWalk {
    GArray *blocks;
    mcd_endian_et endian;
} McdBlockWalk;

static bool mcd_block_cb(Int128 start, Int128 len, const MemoryRegion *mr,
                         hwaddr offset_in_region, void *opaque)
{
    McdBlockWalk *w = opaque;
    mcd_memblock_st b = {
        .mem_block_id = w->blocks->len + 1,
        .parent_id = MCD_MEM_BLOCK_NOPARENT,
        .start_addr = int128_get64(start),
        .end_addr = int128_get64(int128_sub(int128_add(start, len),
                                            int128_one())),
        .endian = w->endian,
        .supported_au_sizes = { 1, 2, 4, 8 },
    };

    /* RAM, ROM and flash in read mode (the accessors want non-const). */
    if (!mr->ram && !(mr->rom_device && mr->romd_mode)) {
        return false;
    }
    pstrcpy(b.mem_block_name, sizeof(b.mem_block_name),
            memory_region_name(mr));
    g_array_append_val(w->blocks, b);
    return false;
}

static GArray *mcd_blocks(McdCore *c, McdMemSpace *s)
{
    McdBlockWalk w = {
        .blocks = g_array_new(false, true, sizeof(mcd_memblock_st)),
        .endian = s->info.endian,
    };

    if (s->kind == MCD_SPACE_PHYSICAL) {
        AddressSpace *as = cpu_get_address_space(c->cpu, s->asidx);

        RCU_READ_LOCK_GUARD();
        flatview_for_each_range(address_space_to_flatview(as), mcd_block_cb,
                                &w);
    }
    return w.blocks;
}

mcd_return_et mcd_qry_mem_spaces_f(const mcd_core_st *core,
                                   uint32_t start_index,
                                   uint32_t *num_mem_spaces,
                                   mcd_memspace_st *mem_spaces)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    if (!mcd_qry_span(c, "memory spaces", c->spaces->len, start_index,
                      num_mem_spaces, mem_spaces, &ret)) {
        return ret;
    }
    for (uint32_t i = 0; i < *num_mem_spaces; i++) {
        McdMemSpace *s = &g_array_index(c->spaces, McdMemSpace,
                                        start_index + i);
        g_autoptr(GArray) blocks = mcd_blocks(c, s);

        mem_spaces[i] = s->info;
        mem_spaces[i].num_mem_blocks = blocks->len;
    }
    return mcd_ok(c);
}

mcd_return_et mcd_qry_mem_blocks_f(const mcd_core_st *core,
                                   uint32_t mem_space_id, uint32_t start_index,
                                   uint32_t *num_mem_blocks,
                                   mcd_memblock_st *mem_blocks)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    g_autoptr(GArray) blocks = NULL;
    McdMemSpace *s;

    if (ret) {
        return ret;
    }
    s = mcd_space_find(c, mem_space_id);
    if (!s) {
        return mcd_fail(c, MCD_ERR_MEM_SPACE_ID,
                        "no memory space %" PRIu32, mem_space_id);
    }
    blocks = mcd_blocks(c, s);
    if (!blocks->len && num_mem_blocks && *num_mem_blocks) {
        return mcd_fail(c, MCD_ERR_NO_MEM_BLOCKS,
                        "memory space %s has no memory blocks",
                        s->info.mem_space_name);
    }
    if (!mcd_qry_span(c, "memory blocks", blocks->len, start_index,
                      num_mem_blocks, mem_blocks, &ret)) {
        return ret;
    }
    memcpy(mem_blocks, &g_array_index(blocks, mcd_memblock_st, start_index),
           *num_mem_blocks * sizeof(*mem_blocks));
    return mcd_ok(c);
}

mcd_return_et mcd_qry_active_overlays_f(const mcd_core_st *core,
                                        uint32_t start_index,
                                        uint32_t *num_active_overlays,
                                        uint32_t *active_overlays)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    /* No memory block of QEMU's is an overlay, so none is active. */
    mcd_qry_span(c, "active overlays", 0, start_index, num_active_overlays,
                 active_overlays, &ret);
    return ret;
}
