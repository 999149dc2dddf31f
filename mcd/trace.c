/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: instruction and data trace, recorded through TCG plugins
 *
 * Every core has one core trace (MCD_TRACE_ID): each executed instruction
 * as an EXECUTE frame and, with MCD_TRACE_OPT_DATA, each load and store
 * as a READ or WRITE frame after its instruction.  Timestamps count the
 * instructions the core executed while its trace was armed.
 *
 * The trace is a plugin built into QEMU (qemu_plugin_install_builtin()),
 * installed the first time a trace is armed.  While no trace is armed it
 * translates nothing, so the generated code has no instrumentation.
 * While one is armed, translation keeps the address and index of each
 * instruction of a block (freed with the code cache), and the generated
 * code stages the trace inline: each block takes the next slot of its
 * vCPU's stage (a scoreboard), each instruction stores its McdTraceInsn
 * there before it executes.  A full stage is drained into runs by a
 * conditional callback, once every MCD_TRACE_STAGE_SLOTS blocks; a plain
 * FIFO trace keeps the runs and expands them into frames only when the
 * core stops or a setting changes, and only as many as the buffer holds.
 * An instruction that raised an exception has stored its slot, so the
 * trace holds exactly the instructions that started, across exceptions,
 * interrupts (taken between blocks), code that modifies itself and
 * resets.  Data frames come from memory callbacks, which drain the stage
 * first.
 *
 * Threads: a core's McdTraceCpu is written by its vCPU thread while the
 * core runs (the callbacks, and run_on_cpu() for settings), and by the
 * main loop only while the core is stopped.  What translation reads (is
 * a trace armed, are loads and stores recorded, which trace triggers
 * exist) is one McdTraceCfg, replaced under RCU; the vCPUs translate and
 * execute inside an RCU read section.  After it changed every vCPU
 * flushes the code cache, so that all code is translated again.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/rcu.h"
#include "qemu/atomic.h"
#include "qapi/error.h"
#include "hw/core/cpu.h"
#include "system/tcg.h"
#include "exec/tb-flush.h"
#include "mcd-internal.h"
#include "trace.h"
#ifdef CONFIG_PLUGIN
#include "qemu/plugin.h"
#endif

typedef struct McdTraceFrame {
    uint64_t timestamp;
    uint64_t addr;
    uint64_t data;
    uint32_t marker;
    uint8_t cycle;
    uint8_t width;
} McdTraceFrame;

/* An instruction of a translated block, as the trace refers to it. */
typedef struct McdTraceInsn {
    uint64_t pc;
    uint64_t index;             /* in its block, < TCG_MAX_INSNS */
} McdTraceInsn;

/* A run: instructions @first to @last of a block, executed in a row. */
typedef struct McdTraceRun {
    const McdTraceInsn *last;
    uint64_t first;
} McdTraceRun;

/*
 * A buffer of n frames comes with n + 1 runs: runs are never empty, so
 * that they hold at least the n frames the buffer keeps.
 */
#define MCD_TRACE_BYTES_PER_FRAME (sizeof(McdTraceFrame) + sizeof(McdTraceRun))

/*
 * A vCPU's stage, its element of the scoreboard: every block adds 8 to
 * @offset at its start, and every instruction stores its McdTraceInsn
 * at the byte @offset of the stage, so that the slot of a block holds
 * the last of its instructions that started.  No plugin code runs until
 * the stage is full; then it is drained into the runs.  Slot 0 takes the
 * rest of a block that was drained while it executed.
 */
#define MCD_TRACE_STAGE_SLOTS 1023

typedef struct McdTraceStage {
    uint64_t offset;            /* of the current slot, from &offset */
    const McdTraceInsn *slot[MCD_TRACE_STAGE_SLOTS];
} McdTraceStage;

#define MCD_TRACE_SLOT0 offsetof(McdTraceStage, slot)
#define MCD_TRACE_SLOT_LAST (MCD_TRACE_SLOT0 + \
                             8 * (MCD_TRACE_STAGE_SLOTS - 1))

/* What translation and the callbacks need to know of all cores. */
typedef struct McdTraceTrig {
    int cpu_index;
    uint32_t type;
    uint32_t action;
    uint64_t addr, len;
} McdTraceTrig;

typedef struct McdTraceCfg {
    struct rcu_head rcu;
    bool active;                /* some core's trace is armed */
    bool data;                  /* ... and records loads and stores */
    bool data_trigs;            /* some trace trigger is a data trigger */
    uint32_t num_trigs;
    McdTraceTrig trigs[];
} McdTraceCfg;

struct McdTraceCpu {
    /* Settings: changed by the main loop, see mcd_trace_apply(). */
    uint32_t state;             /* MCD_TRACE_STATE_... */
    uint32_t mode;              /* MCD_TRACE_MODE_FIFO or _STACK */
    uint32_t options;
    uint64_t size;              /* capacity in frames */
    uint64_t trigger_delay;

    /* Recording: the vCPU's while it runs. */
    McdTraceFrame *ring;        /* size frames, NULL until first armed */
    McdTraceRun *runs;          /* size + 1, not yet expanded to frames */
    uint64_t count;             /* frames recorded since initialized */
    uint64_t head;              /* where the next frame goes */
    uint64_t num_runs;          /* recorded since they were expanded */
    uint64_t run_next;          /* where the next run goes */
    uint64_t run_frames;        /* ... and the frames they hold */
    McdTraceStage *stage;       /* the vCPU's, in the scoreboard */
    uint64_t slot0_first;       /* where the rest of the block in slot 0 is */
    uint64_t icount;            /* instructions executed while armed */
    uint64_t delay_left;        /* frames still to record after TRIGGER */
    bool armed;                 /* state ARM or TRIGGER */
    bool recording;             /* armed and not stopped by a trigger */
    bool data;                  /* records loads and stores */
    bool ran;                   /* a frame was recorded since the last stop */
    uint32_t marker;            /* for the next frame */
    int cpu_index;
};

static struct {
    bool installed;
    McdTraceCfg *cfg;           /* RCU */
    McdTraceCpu **by_vcpu;      /* indexed by cpu_index */
    unsigned int num_vcpus;     /* of by_vcpu: a vCPU added later has none */
#ifdef CONFIG_PLUGIN
    qemu_plugin_id_t id;
    struct qemu_plugin_scoreboard *stages;
    QemuMutex lock;             /* for blocks */
    GPtrArray *blocks;          /* a block's addresses, until its code goes */
#endif
} mcd_trace;

static bool mcd_trace_available(void)
{
#ifdef CONFIG_PLUGIN
    return tcg_enabled();
#else
    return false;
#endif
}

/* Once, when the MCD server starts: a trace for every core. */
void mcd_trace_setup(void)
{
    int num_vcpus = 0;

    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        num_vcpus = MAX(num_vcpus, mcd_server.cores[i].cpu->cpu_index + 1);
    }
    mcd_trace.by_vcpu = g_new0(McdTraceCpu *, num_vcpus);
    mcd_trace.num_vcpus = num_vcpus;
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        c->trace = g_new(McdTraceCpu, 1);
        *c->trace = (McdTraceCpu) {
            .state = MCD_TRACE_STATE_OFF,
            .mode = MCD_TRACE_MODE_FIFO,
            .size = MCD_TRACE_DEFAULT_FRAMES,
            .cpu_index = c->cpu->cpu_index,
        };
        mcd_trace.by_vcpu[c->cpu->cpu_index] = c->trace;
    }
#ifdef CONFIG_PLUGIN
    qemu_mutex_init(&mcd_trace.lock);
    mcd_trace.blocks = g_ptr_array_new_with_free_func(g_free);
#endif
}

/* The newest frame, which exists. */
static McdTraceFrame *mcd_trace_last(McdTraceCpu *tc)
{
    return &tc->ring[(tc->head ? tc->head : tc->size) - 1];
}

#ifdef CONFIG_PLUGIN

/* Recording, in the vCPU thread or while the core is stopped. */

static void mcd_trace_put(McdTraceCpu *tc, uint8_t cycle, uint64_t addr,
                          uint64_t data, uint8_t width, uint64_t timestamp)
{
    McdTraceFrame *f;

    if (tc->mode == MCD_TRACE_MODE_STACK && tc->count >= tc->size) {
        tc->recording = false;
        qatomic_set(&tc->state, MCD_TRACE_STATE_STOP);
        return;
    }
    f = &tc->ring[tc->head];
    *f = (McdTraceFrame) {
        .timestamp = timestamp,
        .addr = addr,
        .data = data,
        .marker = tc->marker,
        .cycle = cycle,
        .width = width,
    };
    if (++tc->head == tc->size) {
        tc->head = 0;
    }
    tc->marker = 0;
    tc->ran = true;
    qatomic_set(&tc->count, tc->count + 1);
    if (tc->state == MCD_TRACE_STATE_TRIGGER && !--tc->delay_left) {
        tc->recording = false;
        qatomic_set(&tc->state, MCD_TRACE_STATE_STOP);
    }
}

/* Runs are turned into frames at once: mcd_trace_put() may stop. */
static bool mcd_trace_frame_by_frame(McdTraceCpu *tc)
{
    return tc->mode != MCD_TRACE_MODE_FIFO || tc->data ||
           tc->state != MCD_TRACE_STATE_ARM;
}

static uint64_t mcd_trace_run_frames(const McdTraceRun *run)
{
    return run->last->index + 1 - run->first;
}

static uint64_t mcd_trace_run_pc(const McdTraceRun *run, uint64_t i)
{
    return (run->last - run->last->index + run->first + i)->pc;
}

/*
 * The runs kept since the last expansion as frames: only the newest size
 * of them, the rest would be overwritten.  Their timestamps are the last
 * ones before icount.
 */
static void mcd_trace_expand(McdTraceCpu *tc)
{
    uint64_t total = tc->run_frames, keep = MIN(total, tc->size);
    uint64_t have = 0, r = tc->run_next, skip, pos, ts;
    uint64_t runs = MIN(tc->num_runs, tc->size + 1);

    if (!total) {
        return;
    }
    /* Runs are never empty: size + 1 of them hold the frames kept. */
    for (; have < keep && runs; runs--) {
        r = r ? r - 1 : tc->size;
        have += mcd_trace_run_frames(&tc->runs[r]);
    }
    keep = MIN(keep, have);
    skip = have - keep;
    pos = (tc->count + total - keep) % tc->size;
    ts = tc->icount - keep;
    for (uint64_t left = keep; left; r = r == tc->size ? 0 : r + 1) {
        const McdTraceRun *run = &tc->runs[r];
        uint64_t n = mcd_trace_run_frames(run);

        for (uint64_t i = skip; i < n && left; i++, left--) {
            tc->ring[pos] = (McdTraceFrame) {
                .timestamp = ts++,
                .addr = mcd_trace_run_pc(run, i),
                .marker = keep == total && left == keep ? tc->marker : 0,
                .cycle = MCD_TRACE_CYCLE_EXECUTE,
            };
            if (++pos == tc->size) {
                pos = 0;
            }
        }
        skip = 0;
    }
    tc->marker = 0;
    tc->ran = true;
    qatomic_set(&tc->count, tc->count + total);
    tc->head = tc->count % tc->size;
    tc->num_runs = tc->run_next = 0;
    qatomic_set(&tc->run_frames, 0);
}

/* Record the run @run, which is not kept: frame by frame, or not at all. */
static void mcd_trace_record(McdTraceCpu *tc, const McdTraceRun *run)
{
    uint64_t n = mcd_trace_run_frames(run);

    for (uint64_t i = 0; i < n; i++) {
        if (tc->recording) {
            mcd_trace_put(tc, MCD_TRACE_CYCLE_EXECUTE,
                          mcd_trace_run_pc(run, i), 0, 0, tc->icount);
        }
        tc->icount++;
    }
}

/* Empty @st: the next block takes slot 1, the rest of this one slot 0. */
static void mcd_trace_stage_reset(McdTraceStage *st)
{
    uint64_t used = MIN(st->offset / 8, MCD_TRACE_STAGE_SLOTS);

    memset(st->slot, 0, used * sizeof(st->slot[0]));
    st->offset = MCD_TRACE_SLOT0;
}

/*
 * Record what the stage holds, and empty it.  This runs every
 * MCD_TRACE_STAGE_SLOTS blocks: a plain FIFO trace copies the runs in a
 * loop of its own.
 */
static void mcd_trace_drain(McdTraceCpu *tc)
{
    McdTraceStage *st = tc->stage;
    uint64_t used = MIN(st->offset / 8, MCD_TRACE_STAGE_SLOTS);
    const McdTraceInsn *cur = used ? st->slot[used - 1] : NULL;
    uint64_t first = tc->slot0_first;

    if (tc->recording && !mcd_trace_frame_by_frame(tc)) {
        /* Locals: the runs written could alias @tc's members. */
        McdTraceRun *runs = tc->runs;
        uint64_t next = tc->run_next, size = tc->size, frames = 0, n = 0;

        for (uint64_t k = 0; k < used; k++, first = 0) {
            const McdTraceInsn *last = st->slot[k];

            if (last && last->index >= first) {
                runs[next] = (McdTraceRun) { .last = last, .first = first };
                next = next == size ? 0 : next + 1;
                frames += last->index + 1 - first;
                n++;
            }
        }
        tc->run_next = next;
        tc->num_runs += n;
        tc->icount += frames;
        qatomic_set(&tc->run_frames, tc->run_frames + frames);
    } else {
        for (uint64_t k = 0; k < used; k++, first = 0) {
            McdTraceRun run = { .last = st->slot[k], .first = first };

            if (run.last && run.last->index >= first) {
                mcd_trace_record(tc, &run);
            }
        }
    }
    /* If the current block goes on, slot 0 takes the rest of it. */
    tc->slot0_first = cur ? cur->index + 1 : 0;
    mcd_trace_stage_reset(st);
}

/* Record every instruction started so far, as frames. */
static void mcd_trace_commit(McdTraceCpu *tc)
{
    mcd_trace_drain(tc);
    mcd_trace_expand(tc);
}

/* The trace of vCPU @vcpu, NULL for a vCPU that is no MCD core. */
static McdTraceCpu *mcd_trace_vcpu(unsigned int vcpu)
{
    return vcpu < mcd_trace.num_vcpus ? mcd_trace.by_vcpu[vcpu] : NULL;
}

/* A trace trigger @t of @tc's core was hit. */
static void mcd_trace_trig_hit(McdTraceCpu *tc, const McdTraceTrig *t)
{
    mcd_trace_commit(tc);
    if (t->action & MCD_TRIG_ACTION_TRACE_START && !tc->recording &&
        tc->state == MCD_TRACE_STATE_ARM) {
        tc->recording = true;
        tc->marker |= MCD_TRACE_MARKER_START;
    }
    if (t->action & MCD_TRIG_ACTION_TRACE_STOP && tc->recording) {
        tc->recording = false;
        if (tc->count) {
            mcd_trace_last(tc)->marker |= MCD_TRACE_MARKER_STOP;
        }
    }
    if (t->action & MCD_TRIG_ACTION_TRACE_TRIGGER &&
        tc->state == MCD_TRACE_STATE_ARM) {
        if (tc->trigger_delay) {
            tc->delay_left = tc->trigger_delay;
            qatomic_set(&tc->state, MCD_TRACE_STATE_TRIGGER);
        } else {
            tc->recording = false;
            qatomic_set(&tc->state, MCD_TRACE_STATE_STOP);
        }
    }
}

static bool mcd_trace_trig_covers(const McdTraceTrig *t, uint64_t addr)
{
    return addr >= t->addr && addr - t->addr < t->len;
}

/* At the start of a block, when the stage of vCPU @vcpu is full. */
static void mcd_trace_stage_full(unsigned int vcpu, void *udata)
{
    McdTraceCpu *tc = mcd_trace_vcpu(vcpu);

    if (tc && tc->armed) {
        mcd_trace_drain(tc);
    } else {
        /* Not recorded, but it must not overflow either. */
        mcd_trace_stage_reset(qemu_plugin_scoreboard_find(mcd_trace.stages,
                                                          vcpu));
    }
}

/* Before an instruction that an instruction trace trigger covers. */
static void mcd_trace_insn_trig(unsigned int vcpu, void *udata)
{
    McdTraceCpu *tc = mcd_trace_vcpu(vcpu);
    McdTraceCfg *cfg = qatomic_rcu_read(&mcd_trace.cfg);

    if (!tc || !tc->armed) {
        return;
    }
    for (uint32_t i = 0; i < cfg->num_trigs; i++) {
        const McdTraceTrig *t = &cfg->trigs[i];

        if (t->cpu_index == tc->cpu_index && t->type == MCD_TRIG_TYPE_IP &&
            mcd_trace_trig_covers(t, (uintptr_t)udata)) {
            mcd_trace_trig_hit(tc, t);
        }
    }
}

static void mcd_trace_mem(unsigned int vcpu, qemu_plugin_meminfo_t info,
                          uint64_t vaddr, void *udata)
{
    McdTraceCpu *tc = mcd_trace_vcpu(vcpu);
    McdTraceCfg *cfg = qatomic_rcu_read(&mcd_trace.cfg);
    bool store = qemu_plugin_mem_is_store(info);
    uint8_t cycle = store ? MCD_TRACE_CYCLE_WRITE : MCD_TRACE_CYCLE_READ;
    qemu_plugin_mem_value v;
    unsigned width;
    uint64_t ts;

    if (!tc || !tc->armed) {
        return;
    }
    for (uint32_t i = 0; cfg->data_trigs && i < cfg->num_trigs; i++) {
        const McdTraceTrig *t = &cfg->trigs[i];

        if (t->cpu_index == tc->cpu_index && t->type != MCD_TRIG_TYPE_IP &&
            (t->type == MCD_TRIG_TYPE_RW ||
             t->type == (store ? MCD_TRIG_TYPE_WRITE : MCD_TRIG_TYPE_READ)) &&
            mcd_trace_trig_covers(t, vaddr)) {
            mcd_trace_trig_hit(tc, t);
        }
    }
    if (!tc->data || !tc->recording) {
        return;
    }
    /* After the access's instruction, with its timestamp. */
    mcd_trace_commit(tc);
    ts = tc->icount - 1;
    v = qemu_plugin_mem_get_value(info);
    width = 1 << qemu_plugin_mem_size_shift(info);
    if (v.type == QEMU_PLUGIN_MEM_VALUE_U128) {
        /* A frame holds 64 bits of data: two frames, low half first. */
        mcd_trace_put(tc, cycle, vaddr, v.data.u128.low, 8, ts);
        mcd_trace_put(tc, cycle, vaddr + 8, v.data.u128.high, 8, ts);
        return;
    }
    mcd_trace_put(tc, cycle, vaddr,
                  v.type == QEMU_PLUGIN_MEM_VALUE_U8 ? v.data.u8 :
                  v.type == QEMU_PLUGIN_MEM_VALUE_U16 ? v.data.u16 :
                  v.type == QEMU_PLUGIN_MEM_VALUE_U32 ? v.data.u32 :
                  v.data.u64, width, ts);
}

static void mcd_trace_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    McdTraceCfg *cfg = qatomic_rcu_read(&mcd_trace.cfg);
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_u64 offset = { .score = mcd_trace.stages };
    McdTraceInsn *insns;

    if (!cfg || !cfg->active || !n) {
        return;
    }
    insns = g_new(McdTraceInsn, n);
    qemu_mutex_lock(&mcd_trace.lock);
    g_ptr_array_add(mcd_trace.blocks, insns);
    qemu_mutex_unlock(&mcd_trace.lock);
    /* The block takes the next slot, after draining a full stage. */
    qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, mcd_trace_stage_full,
                                              QEMU_PLUGIN_CB_NO_REGS,
                                              QEMU_PLUGIN_COND_GE, offset,
                                              MCD_TRACE_SLOT_LAST, NULL);
    qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
        tb, QEMU_PLUGIN_INLINE_ADD_U64, offset, 8);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);

        insns[i] = (McdTraceInsn) { .pc = pc, .index = i };
        for (uint32_t k = 0; k < cfg->num_trigs; k++) {
            if (cfg->trigs[k].type == MCD_TRIG_TYPE_IP &&
                mcd_trace_trig_covers(&cfg->trigs[k], pc)) {
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn, mcd_trace_insn_trig, QEMU_PLUGIN_CB_NO_REGS,
                    (void *)(uintptr_t)pc);
                break;
            }
        }
        /* After the trigger, which acts before the instruction. */
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_STORE_U64_INDEXED, offset,
            (uintptr_t)&insns[i]);
        if (cfg->data || cfg->data_trigs) {
            qemu_plugin_register_vcpu_mem_cb(insn, mcd_trace_mem,
                                             QEMU_PLUGIN_CB_NO_REGS,
                                             QEMU_PLUGIN_MEM_RW, NULL);
        }
    }
}

/*
 * The code cache was flushed, with every vCPU out of its code (or a vCPU
 * was added, and the scoreboard moved).  Nothing executes the blocks of
 * the old code any more: record what they executed, and free them.
 */
static void mcd_trace_flushed(qemu_plugin_id_t id)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdTraceCpu *tc = mcd_server.cores[i].trace;

        tc->stage = qemu_plugin_scoreboard_find(mcd_trace.stages,
                                                tc->cpu_index);
        if (tc->armed) {
            mcd_trace_commit(tc);
        } else {
            mcd_trace_stage_reset(tc->stage);
        }
        /* The rest of the current block is in the old code. */
        tc->slot0_first = 0;
    }
    qemu_mutex_lock(&mcd_trace.lock);
    g_ptr_array_set_size(mcd_trace.blocks, 0);
    qemu_mutex_unlock(&mcd_trace.lock);
}

static int mcd_trace_plugin_install(qemu_plugin_id_t id,
                                    const qemu_info_t *info,
                                    int argc, char **argv)
{
    mcd_trace.id = id;
    mcd_trace.stages = qemu_plugin_scoreboard_new(sizeof(McdTraceStage));
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdTraceCpu *tc = mcd_server.cores[i].trace;

        tc->stage = qemu_plugin_scoreboard_find(mcd_trace.stages,
                                                tc->cpu_index);
    }
    qemu_plugin_register_flush_cb(id, mcd_trace_flushed);
    return 0;
}

static bool mcd_trace_install(Error **errp)
{
    if (!mcd_trace.installed &&
        !qemu_plugin_install_builtin("mcd-trace", mcd_trace_plugin_install,
                                     errp)) {
        mcd_trace.installed = true;
    }
    return mcd_trace.installed;
}

/* In every vCPU, after its plugin event mask changed: retranslate. */
static void mcd_trace_flush_on_cpu(CPUState *cpu, run_on_cpu_data data)
{
    tb_flush(cpu);
}

/* Publish what translation needs to know now, and retranslate. */
static void mcd_trace_update(void)
{
    g_autoptr(GArray) trigs = g_array_new(false, false, sizeof(McdTraceTrig));
    McdTraceCfg *cfg, *old = mcd_trace.cfg;
    bool active = false, data = false, data_trigs = false;
    CPUState *cpu;

    if (!mcd_trace.installed) {
        return;
    }
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        if (!c->trace->armed) {
            continue;
        }
        active = true;
        data |= c->trace->data;
        for (guint k = 0; c->trigs && k < c->trigs->len; k++) {
            McdTrig *t = g_ptr_array_index(c->trigs, k);
            McdTraceTrig tt = {
                .cpu_index = c->cpu->cpu_index,
                .type = t->type, .action = t->action,
                .addr = t->addr, .len = t->len,
            };

            if (t->trace) {
                g_array_append_val(trigs, tt);
                data_trigs |= t->type != MCD_TRIG_TYPE_IP;
            }
        }
    }
    if (old && old->active == active && old->data == data &&
        old->data_trigs == data_trigs && old->num_trigs == trigs->len &&
        (!trigs->len || !memcmp(old->trigs, trigs->data,
                                trigs->len * sizeof(McdTraceTrig)))) {
        return;
    }
    cfg = g_malloc0(sizeof(*cfg) + trigs->len * sizeof(McdTraceTrig));
    cfg->active = active;
    cfg->data = data;
    cfg->data_trigs = data_trigs;
    cfg->num_trigs = trigs->len;
    if (trigs->len) {
        /* An empty GArray's data is NULL. */
        memcpy(cfg->trigs, trigs->data, trigs->len * sizeof(McdTraceTrig));
    }
    qatomic_rcu_set(&mcd_trace.cfg, cfg);
    if (old) {
        g_free_rcu(old, rcu);
    }
    /*
     * Only translation needs the plugin event, so nothing of it is left
     * in the generated code once no trace is armed.  Each vCPU flushes
     * after its event mask has changed (queued before, by the plugin
     * core), so no block is left translated under the old mask.
     */
    if (!old || old->active != active) {
        qemu_plugin_register_vcpu_tb_trans_cb(mcd_trace.id, active ?
                                              mcd_trace_tb_trans : NULL);
    }
    CPU_FOREACH(cpu) {
        async_run_on_cpu(cpu, mcd_trace_flush_on_cpu, RUN_ON_CPU_NULL);
    }
}

/* Armed again: what was staged meanwhile is not the trace's. */
static void mcd_trace_restart(McdTraceCpu *tc)
{
    mcd_trace_stage_reset(tc->stage);
    tc->slot0_first = 0;
    tc->num_runs = tc->run_next = 0;
    tc->run_frames = 0;
}

/* Frames recorded, also while the core runs: runs kept count too. */
static uint64_t mcd_trace_count(McdTraceCpu *tc)
{
    return qatomic_read(&tc->count) + qatomic_read(&tc->run_frames);
}

#else /* !CONFIG_PLUGIN */

static void mcd_trace_commit(McdTraceCpu *tc)
{
}

static void mcd_trace_restart(McdTraceCpu *tc)
{
}

static uint64_t mcd_trace_count(McdTraceCpu *tc)
{
    return tc->count;
}

static bool mcd_trace_install(Error **errp)
{
    error_setg(errp, "QEMU was built without TCG plugins");
    return false;
}

static void mcd_trace_update(void)
{
}

#endif /* CONFIG_PLUGIN */

/* The core stopped: in its vCPU thread, or with every vCPU paused. */
void mcd_trace_core_stopped(McdCore *c)
{
    McdTraceCpu *tc = c->trace;

    if (!tc->armed) {
        return;
    }
    mcd_trace_commit(tc);
    if (tc->ran) {
        tc->ran = false;
        mcd_trace_last(tc)->marker |= MCD_TRACE_MARKER_DEBUG;
        tc->marker |= MCD_TRACE_MARKER_RUN;
    }
}

/* Settings, applied in the core's own thread. */

typedef struct McdTraceSet {
    McdTraceCpu *tc;
    uint32_t state, mode, options;
    uint64_t size, trigger_delay;
    bool init;                  /* empty the buffer */
    bool start_stopped;         /* a TRACE_START trigger will start it */
    McdTraceFrame *ring;        /* the buffer to use from now on */
    McdTraceFrame *old;         /* out: the buffer no longer used */
} McdTraceSet;

static void mcd_trace_apply(CPUState *cpu, run_on_cpu_data data)
{
    McdTraceSet *s = data.host_ptr;
    McdTraceCpu *tc = s->tc;
    bool was_armed = tc->armed;

    if (was_armed) {
        mcd_trace_commit(tc);
    }
    if (s->init || s->ring != tc->ring) {
        tc->count = 0;
        tc->head = 0;
        tc->icount = 0;
        tc->marker = 0;
        tc->ran = false;
    }
    s->old = s->ring != tc->ring ? tc->ring : NULL;
    tc->ring = s->ring;
    /* The runs follow the frames, in the same allocation. */
    tc->runs = s->ring ? (McdTraceRun *)(s->ring + s->size) : NULL;
    tc->size = s->size;
    tc->mode = s->mode;
    tc->options = s->options;
    tc->trigger_delay = s->trigger_delay;
    tc->data = s->options & MCD_TRACE_OPT_DATA;
    tc->armed = s->state == MCD_TRACE_STATE_ARM ||
                s->state == MCD_TRACE_STATE_TRIGGER;
    if (tc->armed && !was_armed) {
        tc->recording = !s->start_stopped;
    } else if (!tc->armed) {
        tc->recording = false;
    }
    if (tc->armed) {
        mcd_trace_restart(tc);
    }
    if (s->state == MCD_TRACE_STATE_TRIGGER) {
        tc->delay_left = MAX(s->trigger_delay, 1);
    }
    qatomic_set(&tc->state, s->state);
}

static void mcd_trace_set(McdCore *c, McdTraceSet *s)
{
    s->tc = c->trace;
    run_on_cpu(c->cpu, mcd_trace_apply, RUN_ON_CPU_HOST_PTR(s));
    g_free(s->old);
    mcd_trace_update();
}

static bool mcd_has_start_trig(McdCore *c)
{
    for (guint i = 0; c->trigs && i < c->trigs->len; i++) {
        McdTrig *t = g_ptr_array_index(c->trigs, i);

        if (t->trace && (t->action & MCD_TRIG_ACTION_TRACE_START)) {
            return true;
        }
    }
    return false;
}

void mcd_trace_triggers_changed(void)
{
    mcd_trace_update();
}

/* The core is closed: its trace goes, as its triggers do. */
void mcd_trace_release(McdCore *c)
{
    McdTraceSet s = {
        .state = MCD_TRACE_STATE_DISABLE,
        .mode = MCD_TRACE_MODE_FIFO,
        .size = MCD_TRACE_DEFAULT_FRAMES,
    };

    if (c->trace->ring || c->trace->armed) {
        mcd_trace_set(c, &s);
    }
}

/* The API */

/* Look up @core and its trace @trace_id; the error is recorded. */
static mcd_return_et mcd_trace_lookup(const mcd_core_st *core,
                                      uint32_t trace_id, McdCore **c)
{
    mcd_return_et ret = mcd_core_lookup(core, c);

    if (ret) {
        return ret;
    }
    if (!mcd_trace_available()) {
        return mcd_fail(*c, MCD_ERR_PARAM, "no trace %" PRIu32 ": QEMU "
                        "records traces with TCG and its plugins only",
                        trace_id);
    }
    if (trace_id != MCD_TRACE_ID) {
        return mcd_fail(*c, MCD_ERR_PARAM, "no trace %" PRIu32 ": the core "
                        "trace is trace %d", trace_id, MCD_TRACE_ID);
    }
    return MCD_RET_ACT_NONE;
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
    if (!mcd_qry_span(c, "trace sources", mcd_trace_available() ? 1 : 0,
                      start_index, num_traces, trace_info, &ret)) {
        return ret;
    }
    trace_info[0] = (mcd_trace_info_st) {
        .trace_id = MCD_TRACE_ID,
        .trace_type = MCD_TRACE_TYPE_CORE,
        .trace_format = MCD_TRACE_FORMAT_CORE_EXECUTE,
        .trace_modes = MCD_TRACE_MODE_FIFO | MCD_TRACE_MODE_STACK,
    };
    mcd_strcpy(trace_info[0].trace_name, "core trace (program flow, "
               "loads and stores)");
    return mcd_ok(c);
}

static void mcd_trace_state_of(McdCore *c, mcd_trace_state_st *state)
{
    McdTraceCpu *tc = c->trace;
    uint64_t count = mcd_trace_count(tc);

    *state = (mcd_trace_state_st) {
        .state = qatomic_read(&tc->state),
        .mode = tc->mode,
        .wraparound = count > tc->size,
        .frames = MIN(count, tc->size),
        .count = count,
        .size = tc->size,
        .trigger_delay = tc->trigger_delay,
        .timestamp_accuracy = 100,
        .options = tc->options,
    };
    snprintf(state->info_str, sizeof(state->info_str),
             "timestamps: instructions executed while armed (%" PRIu64 "); "
             "options bit 0: loads and stores; at most %u frames",
             qatomic_read(&tc->icount), MCD_TRACE_MAX_FRAMES);
}

mcd_return_et mcd_qry_trace_state_f(const mcd_core_st *core, uint32_t trace_id,
                                    mcd_trace_state_st *state)
{
    McdCore *c;
    mcd_return_et ret = mcd_trace_lookup(core, trace_id, &c);

    if (ret) {
        return ret;
    }
    if (!state) {
        return mcd_fail(c, MCD_ERR_PARAM, "no result buffer given");
    }
    if (cpu_is_stopped(c->cpu)) {
        mcd_trace_core_stopped(c);
    }
    mcd_trace_state_of(c, state);
    return mcd_ok(c);
}

mcd_return_et mcd_set_trace_state_f(const mcd_core_st *core, uint32_t trace_id,
                                    mcd_trace_state_st *state)
{
    McdCore *c;
    mcd_return_et ret = mcd_trace_lookup(core, trace_id, &c);
    McdTraceCpu *tc;
    McdTraceSet s;
    bool modified = false;
    Error *err = NULL;

    if (ret) {
        return ret;
    }
    if (!state) {
        return mcd_fail(c, MCD_ERR_PARAM, "no trace state given");
    }
    tc = c->trace;
    s = (McdTraceSet) {
        .state = qatomic_read(&tc->state),
        .mode = tc->mode,
        .options = state->options,
        .size = state->size ? state->size : tc->size,
        .trigger_delay = state->trigger_delay,
        .ring = tc->ring,
    };
    switch (state->state) {
    case MCD_TRACE_STATE_NOCHANGE:
        break;
    case MCD_TRACE_STATE_INIT:
        s.init = true;
        s.state = MCD_TRACE_STATE_OFF;
        break;
    case MCD_TRACE_STATE_DISABLE:
    case MCD_TRACE_STATE_OFF:
    case MCD_TRACE_STATE_ARM:
    case MCD_TRACE_STATE_TRIGGER:
    case MCD_TRACE_STATE_STOP:
        s.state = state->state;
        break;
    default:
        return mcd_fail(c, MCD_ERR_PARAM, "trace state 0x%" PRIx32 " is not "
                        "one of NOCHANGE, DISABLE, OFF, ARM, TRIGGER, STOP "
                        "or INIT", (uint32_t)state->state);
    }
    if (state->mode != MCD_TRACE_MODE_NOCHANGE) {
        if (state->mode != MCD_TRACE_MODE_FIFO &&
            state->mode != MCD_TRACE_MODE_STACK) {
            return mcd_fail(c, MCD_ERR_PARAM, "trace mode 0x%" PRIx32 " is "
                            "not supported: use FIFO or STACK",
                            (uint32_t)state->mode);
        }
        s.mode = state->mode;
    }
    if (state->options & ~MCD_TRACE_OPT_DATA) {
        return mcd_fail(c, MCD_ERR_PARAM, "trace options 0x%" PRIx32 " are "
                        "not supported: bit 0 records loads and stores",
                        state->options);
    }
    if (s.size > MCD_TRACE_MAX_FRAMES) {
        return mcd_fail(c, MCD_ERR_PARAM, "a trace buffer holds at most %u "
                        "frames, not %" PRIu64, MCD_TRACE_MAX_FRAMES, s.size);
    }
    if ((s.state == MCD_TRACE_STATE_ARM ||
         s.state == MCD_TRACE_STATE_TRIGGER) && !mcd_trace_install(&err)) {
        mcd_fail(c, MCD_ERR_GENERAL, "cannot record a trace: %s",
                 error_get_pretty(err));
        error_free(err);
        return MCD_RET_ACT_HANDLE_ERROR;
    }
    if (s.state == MCD_TRACE_STATE_DISABLE) {
        s.ring = NULL;
    } else if (!tc->ring || s.size != tc->size) {
        s.ring = g_try_malloc(s.size * MCD_TRACE_BYTES_PER_FRAME +
                              sizeof(McdTraceRun));
        if (!s.ring) {
            return mcd_fail(c, MCD_ERR_GENERAL, "no memory for a trace of "
                            "%" PRIu64 " frames", s.size);
        }
    }
    /* Arming and switching off follow the client, not the run state. */
    if (state->autoarm) {
        modified = true;
    }
    s.start_stopped = mcd_has_start_trig(c);
    trace_mcd_trace_state(c->id, s.state, s.mode);
    mcd_trace_set(c, &s);
    mcd_trace_state_of(c, state);
    state->modified = modified;
    return mcd_ok(c);
}

mcd_return_et mcd_read_trace_f(const mcd_core_st *core, uint32_t trace_id,
                               uint64_t start_index, uint32_t *num_frames,
                               uint32_t trace_data_size, void *trace_data)
{
    McdCore *c;
    mcd_return_et ret = mcd_trace_lookup(core, trace_id, &c);
    mcd_trace_data_core_st *out = trace_data;
    McdTraceCpu *tc;
    uint64_t frames, oldest;
    uint32_t space = 0;

    if (ret) {
        return ret;
    }
    if (trace_data_size != sizeof(mcd_trace_data_core_st)) {
        return mcd_fail(c, MCD_ERR_PARAM, "the core trace has frames of %zu "
                        "bytes (mcd_trace_data_core_st), not %" PRIu32,
                        sizeof(mcd_trace_data_core_st), trace_data_size);
    }
    if (!num_frames || (*num_frames && !trace_data)) {
        return mcd_fail(c, MCD_ERR_PARAM, "no frame buffer given");
    }
    tc = c->trace;
    if (!cpu_is_stopped(c->cpu) && tc->armed) {
        return mcd_fail(c, MCD_ERR_GENERAL, "the trace of a running core is "
                        "still being recorded: stop the core or the trace "
                        "first");
    }
    mcd_trace_core_stopped(c);
    frames = MIN(tc->count, tc->size);
    oldest = tc->count - frames;
    if (start_index > frames || (*num_frames && start_index == frames)) {
        return mcd_fail(c, MCD_ERR_PARAM, "frame %" PRIu64 " does not exist: "
                        "the trace holds %" PRIu64, start_index, frames);
    }
    *num_frames = MIN(*num_frames, frames - start_index);
    for (guint i = 0; c->spaces && i < c->spaces->len; i++) {
        McdMemSpace *s = &g_array_index(c->spaces, McdMemSpace, i);

        if (s->kind == MCD_SPACE_LOGICAL) {
            space = s->info.mem_space_id;
            break;
        }
    }
    for (uint32_t i = 0; i < *num_frames; i++) {
        uint64_t k = oldest + start_index + i;
        const McdTraceFrame *f = &tc->ring[k % tc->size];

        out[i] = (mcd_trace_data_core_st) {
            .timestamp = f->timestamp,
            .marker = f->marker,
            .cycle = f->cycle,
            .addr = { .address = f->addr, .mem_space_id = space },
            .data = f->data,
            .data_width = f->width,
            .data_mask = f->width >= 8 ? 0xff : (1u << f->width) - 1,
        };
        /* Frames before the oldest one were lost to the wraparound. */
        if (k == oldest && oldest) {
            out[i].marker |= MCD_TRACE_MARKER_GAP;
        }
    }
    return mcd_ok(c);
}
