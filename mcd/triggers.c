/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: triggers (breakpoints and watchpoints)
 *
 * An instruction-address trigger is one QEMU breakpoint per possible
 * instruction address of its range; a read, write or read/write trigger
 * is one QEMU watchpoint over its range.  Both are inserted into the core's
 * CPU only, with BP_MCD, so that they stop that core and stay apart from
 * the gdbstub's.  Triggers are armed when they are created, stay armed
 * across run, stop, step and reset, and go away with their core.
 * Triggers whose actions start, stop or trigger the trace set no
 * breakpoint: the trace's instrumentation watches for them (trace.c).
 *
 * A running vCPU walks its breakpoint and watchpoint lists without a
 * lock, so they are changed in the vCPU's own thread (run_on_cpu()),
 * which lets go of the BQL meanwhile.  A trigger is in its core's list
 * whenever its breakpoints are (added before arming, removed after
 * disarming), so that the debug hook finds the trigger of every event.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "mcd-internal.h"
#include "trace.h"

/* Instruction triggers over a range get at most this many breakpoints. */
#define MCD_MAX_BP_PER_TRIG 64

/* The smallest instruction alignment of the target: x86 has none. */
static unsigned mcd_insn_align(void)
{
    const char *t = target_name();

    return !strcmp(t, "i386") || !strcmp(t, "x86_64") ? 1 : 2;
}

/* In the core's thread. */
static void mcd_trig_disarm_on_cpu(CPUState *cpu, run_on_cpu_data data)
{
    McdTrig *t = data.host_ptr;

    for (guint i = 0; t->bps && i < t->bps->len; i++) {
        cpu_breakpoint_remove_by_ref(cpu, g_ptr_array_index(t->bps, i));
    }
    g_clear_pointer(&t->bps, g_ptr_array_unref);
    if (t->wp) {
        if (cpu->watchpoint_hit == t->wp) {
            cpu->watchpoint_hit = NULL;
        }
        cpu_watchpoint_remove_by_ref(cpu, t->wp);
        t->wp = NULL;
    }
}

/* In the core's thread. */
static void mcd_trig_arm_on_cpu(CPUState *cpu, run_on_cpu_data data)
{
    static const int wp_flags[] = {
        [MCD_TRIG_TYPE_READ] = BP_MEM_READ,
        [MCD_TRIG_TYPE_WRITE] = BP_MEM_WRITE,
        [MCD_TRIG_TYPE_RW] = BP_MEM_ACCESS,
    };
    McdTrig *t = data.host_ptr;

    if (t->type == MCD_TRIG_TYPE_IP) {
        unsigned step = mcd_insn_align();
        GPtrArray *bps = g_ptr_array_new();

        for (uint64_t off = 0; off < t->len; off += step) {
            CPUBreakpoint *bp;

            cpu_breakpoint_insert(cpu, t->addr + off, BP_MCD, &bp);
            g_ptr_array_add(bps, bp);
        }
        t->bps = bps;
    } else {
        cpu_watchpoint_insert(cpu, t->addr, t->len,
                              wp_flags[t->type] | BP_MCD, &t->wp);
    }
}

static void mcd_trig_arm(McdCore *c, McdTrig *t)
{
    if (!t->trace && !t->bps && !t->wp) {
        run_on_cpu(c->cpu, mcd_trig_arm_on_cpu, RUN_ON_CPU_HOST_PTR(t));
    }
}

/* Disarm and free trigger @index of @c. */
static void mcd_trig_remove(McdCore *c, guint index)
{
    McdTrig *t = g_ptr_array_index(c->trigs, index);

    if (t->bps || t->wp) {
        run_on_cpu(c->cpu, mcd_trig_disarm_on_cpu, RUN_ON_CPU_HOST_PTR(t));
    }
    g_ptr_array_remove_index(c->trigs, index);
    if (t->trace) {
        mcd_trace_triggers_changed();
    }
    g_free(t);
}

void mcd_triggers_init(McdCore *c)
{
    c->trigs = g_ptr_array_new();
    c->next_trig_id = 1;
}

void mcd_triggers_release(McdCore *c)
{
    while (c->trigs && c->trigs->len) {
        mcd_trig_remove(c, c->trigs->len - 1);
    }
    g_clear_pointer(&c->trigs, g_ptr_array_unref);
}

static McdTrig *mcd_trig_find(McdCore *c, uint32_t id, guint *index)
{
    for (guint i = 0; i < c->trigs->len; i++) {
        McdTrig *t = g_ptr_array_index(c->trigs, i);

        if (t->id == id) {
            if (index) {
                *index = i;
            }
            return t;
        }
    }
    return NULL;
}

/* Look up the open core behind @core and its trigger @id. */
static mcd_return_et mcd_trig_lookup(const mcd_core_st *core, uint32_t id,
                                     McdCore **c, McdTrig **t, guint *index)
{
    mcd_return_et ret = mcd_core_lookup(core, c);

    if (ret) {
        return ret;
    }
    *t = mcd_trig_find(*c, id, index);
    if (!*t) {
        return mcd_fail(*c, MCD_ERR_TRIG_ACCESS, "no trigger %" PRIu32, id);
    }
    return MCD_RET_ACT_NONE;
}

McdTrig *mcd_trig_at_pc(McdCore *c, vaddr pc)
{
    for (guint i = 0; i < c->trigs->len; i++) {
        McdTrig *t = g_ptr_array_index(c->trigs, i);

        if (t->bps && pc >= t->addr && pc - t->addr < t->len) {
            return t;
        }
    }
    return NULL;
}

McdTrig *mcd_trig_watch_hit(McdCore *c)
{
    for (guint i = 0; i < c->trigs->len; i++) {
        McdTrig *t = g_ptr_array_index(c->trigs, i);

        if (t->wp && (t->wp->flags & BP_WATCHPOINT_HIT)) {
            return t;
        }
    }
    return NULL;
}

mcd_return_et mcd_qry_trig_info_f(const mcd_core_st *core,
                                  mcd_trig_info_st *trig_info)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup_out(core, trig_info, &c);

    if (ret) {
        return ret;
    }
    *trig_info = (mcd_trig_info_st) {
        .type = MCD_TRIG_TYPE_IP | MCD_TRIG_TYPE_READ | MCD_TRIG_TYPE_WRITE |
                MCD_TRIG_TYPE_RW,
        /* QEMU's breakpoints serve both as hardware and software ones. */
        .option = MCD_TRIG_OPT_IMPL_HARDWARE | MCD_TRIG_OPT_IMPL_SOFTWARE,
        .action = MCD_TRIG_ACTION_DBG_DEBUG | MCD_TRIG_ACTION_DBG_GLOBAL |
                  MCD_TRACE_TRIG_ACTIONS,
        .trig_number = MCD_MAX_TRIGS,
        .sw_breakpoints = true,
    };
    return mcd_ok(c);
}

mcd_return_et mcd_qry_ctrigs_f(const mcd_core_st *core, uint32_t start_index,
                               uint32_t *num_ctrigs,
                               mcd_ctrig_info_st *ctrig_info)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    /* QEMU defines no custom triggers. */
    mcd_qry_span(c, "custom triggers", 0, start_index, num_ctrigs,
                 ctrig_info, &ret);
    return ret;
}

/*
 * Check a trigger description and fill in what arming it needs; the
 * error is recorded on failure.
 */
static mcd_return_et mcd_trig_parse(McdCore *c, const McdTrigData *d,
                                    McdTrig *t)
{
    const mcd_trig_simple_core_st *s = &d->simple;
    McdMemSpace *space;
    uint32_t opts_ok = MCD_TRIG_OPT_IMPL_HARDWARE | MCD_TRIG_OPT_IMPL_SOFTWARE;

    if (d->struct_size == sizeof(mcd_trig_complex_core_st)) {
        const mcd_trig_complex_core_st *x = &d->complex;

        /* Only what a simple trigger can say, for now. */
        if (x->data_size || x->core_mode_mask) {
            return mcd_fail(c, MCD_ERR_TRIG_CREATE, "data and core mode "
                            "conditions are not supported by QEMU");
        }
    } else if (d->struct_size != sizeof(mcd_trig_simple_core_st)) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "QEMU supports simple and "
                        "complex core triggers only (struct_size %" PRIu32
                        ")", d->struct_size);
    }
    if (s->type != MCD_TRIG_TYPE_IP && s->type != MCD_TRIG_TYPE_READ &&
        s->type != MCD_TRIG_TYPE_WRITE && s->type != MCD_TRIG_TYPE_RW) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "trigger type 0x%" PRIx32
                        " is not supported: use IP, READ, WRITE or RW",
                        (uint32_t)s->type);
    }
    if (s->option & ~opts_ok) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "trigger options 0x%" PRIx32
                        " are not supported", (uint32_t)s->option);
    }
    if (s->action != MCD_TRIG_ACTION_DEFAULT &&
        s->action != MCD_TRIG_ACTION_DBG_DEBUG &&
        s->action != MCD_TRIG_ACTION_DBG_GLOBAL &&
        (!s->action || (s->action & ~MCD_TRACE_TRIG_ACTIONS))) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "trigger action 0x%" PRIx32
                        " is not supported: triggers stop the core, stop "
                        "all cores, or start, stop or trigger the trace",
                        (uint32_t)s->action);
    }
    if (s->state_mask) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "QEMU has no trigger state "
                        "machine");
    }
    /* QEMU's breakpoints and watchpoints work on virtual addresses. */
    space = mcd_space_find(c, s->addr_start.mem_space_id);
    if (s->addr_start.mem_space_id &&
        (!space || space->kind != MCD_SPACE_LOGICAL)) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "triggers take addresses of "
                        "a logical memory space, not of space %" PRIu32,
                        s->addr_start.mem_space_id);
    }
    t->type = s->type;
    t->action = s->action;
    t->trace = s->action & MCD_TRACE_TRIG_ACTIONS;
    t->addr = s->addr_start.address;
    t->len = MAX(s->addr_range, 1);
    if (t->addr + t->len - 1 < t->addr ||
        (space && t->addr + t->len - 1 > space->info.max_addr)) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "the range 0x%" PRIx64 "+0x%"
                        PRIx64 " leaves the address space", t->addr, t->len);
    }
    if (t->type == MCD_TRIG_TYPE_IP && !t->trace &&
        t->len > MCD_MAX_BP_PER_TRIG * mcd_insn_align()) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "instruction ranges are "
                        "limited to %u bytes",
                        MCD_MAX_BP_PER_TRIG * mcd_insn_align());
    }
    t->data = *d;
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcd_create_trig_f(const mcd_core_st *core, void *trig,
                                uint32_t *trig_id)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    const McdTrigData *d = trig;
    g_autofree McdTrig *t = NULL;

    if (ret) {
        return ret;
    }
    if (!trig || !trig_id) {
        return mcd_fail(c, MCD_ERR_PARAM, "no trigger or ID buffer given");
    }
    if (c->trigs->len >= MCD_MAX_TRIGS) {
        return mcd_fail(c, MCD_ERR_TRIG_CREATE, "all %d triggers of the core "
                        "are in use", MCD_MAX_TRIGS);
    }
    t = g_new0(McdTrig, 1);
    ret = mcd_trig_parse(c, d, t);
    if (ret) {
        return ret;
    }
    t->id = c->next_trig_id++;
    *trig_id = t->id;
    trace_mcd_trig_create(c->id, t->id, t->type, t->addr);
    g_ptr_array_add(c->trigs, t);
    if (t->trace) {
        g_steal_pointer(&t);
        mcd_trace_triggers_changed();
    } else {
        mcd_trig_arm(c, g_steal_pointer(&t));
    }
    return mcd_ok(c);
}

mcd_return_et mcd_qry_trig_f(const mcd_core_st *core, uint32_t trig_id,
                             uint32_t max_trig_size, void *trig)
{
    McdCore *c;
    McdTrig *t;
    mcd_return_et ret = mcd_trig_lookup(core, trig_id, &c, &t, NULL);

    if (ret) {
        return ret;
    }
    if (!trig || max_trig_size < t->data.struct_size) {
        return mcd_fail(c, MCD_ERR_PARAM, "trigger %" PRIu32 " needs %" PRIu32
                        " bytes", trig_id, t->data.struct_size);
    }
    memcpy(trig, &t->data, t->data.struct_size);
    return mcd_ok(c);
}

mcd_return_et mcd_remove_trig_f(const mcd_core_st *core, uint32_t trig_id)
{
    McdCore *c;
    McdTrig *t;
    guint i;
    mcd_return_et ret = mcd_trig_lookup(core, trig_id, &c, &t, &i);

    if (ret) {
        return ret;
    }
    trace_mcd_trig_remove(c->id, trig_id);
    mcd_trig_remove(c, i);
    return mcd_ok(c);
}

mcd_return_et mcd_qry_trig_state_f(const mcd_core_st *core, uint32_t trig_id,
                                   mcd_trig_state_st *trig_state)
{
    McdCore *c;
    McdTrig *t;
    mcd_return_et ret = mcd_trig_lookup(core, trig_id, &c, &t, NULL);

    if (ret) {
        return ret;
    }
    if (!trig_state) {
        return mcd_fail(c, MCD_ERR_PARAM, "no result buffer given");
    }
    /* Trace triggers act in the vCPU, which keeps no record of a hit. */
    *trig_state = (mcd_trig_state_st) {
        .active = t->trace || t->bps || t->wp,
        .captured = t->captured,
        .captured_valid = !t->trace,
    };
    return mcd_ok(c);
}

mcd_return_et mcd_activate_trig_set_f(const mcd_core_st *core)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    /* Triggers are armed on creation; this arms any that are not. */
    for (guint i = 0; i < c->trigs->len; i++) {
        mcd_trig_arm(c, g_ptr_array_index(c->trigs, i));
    }
    return mcd_ok(c);
}

mcd_return_et mcd_remove_trig_set_f(const mcd_core_st *core)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    mcd_triggers_release(c);
    mcd_triggers_init(c);
    return mcd_ok(c);
}

mcd_return_et mcd_qry_trig_set_f(const mcd_core_st *core, uint32_t start_index,
                                 uint32_t *num_trigs, uint32_t *trig_ids)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    if (!mcd_qry_span(c, "triggers", c->trigs->len, start_index, num_trigs,
                      trig_ids, &ret)) {
        return ret;
    }
    for (uint32_t i = 0; i < *num_trigs; i++) {
        trig_ids[i] = ((McdTrig *)g_ptr_array_index(c->trigs,
                                                    start_index + i))->id;
    }
    return mcd_ok(c);
}

mcd_return_et mcd_qry_trig_set_state_f(const mcd_core_st *core,
                                       mcd_trig_set_state_st *trig_state)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup_out(core, trig_state, &c);

    if (ret) {
        return ret;
    }
    /* No state machine, trigger bus, trace or analysis to report on. */
    *trig_state = (mcd_trig_set_state_st) { .active = c->trigs->len > 0 };
    return mcd_ok(c);
}
