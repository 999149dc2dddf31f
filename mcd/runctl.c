/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: run control (run, stop, step, state, time, commands)
 *
 * Cores run and stop one by one.  A core is parked in its own thread: a
 * trigger hit or the end of a step stops only that core (through the
 * guest debug hook), and mcd_stop_f() on one core stops only that core,
 * while the others go on.  "global" operations act on every core that
 * takes part in global run control (all, unless mcd_set_global_f() took
 * one out) in one main loop iteration.  When no core is left running, the
 * whole machine is stopped, so that its clocks stand still too.
 *
 * A step is started here and answered later, from the main loop, when
 * its cores have parked (as the gdbstub answers "s" from its stop
 * handler): nothing waits, so a client that leaves or a request to stop
 * can end a step at any point.
 *
 * Everything here runs with the BQL held: in the main loop, or in a vCPU
 * thread for mcd_debug_event().  Only a vCPU's own thread turns its
 * single-step mode off while it runs (see mcd_step_forget()), so that a
 * step event already on its way is still recognised as ours.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-misc.h"
#include "qapi/qapi-types-run-state.h"
#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "system/runstate.h"
#include "mcd-internal.h"
#include "trace.h"

/* As the gdbstub steps: without interrupts and timers in between. */
#define MCD_SSTEP_FLAGS (SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER)

/* A step must finish in this time, plus 10 us per instruction. */
#define MCD_STEP_TIMEOUT_NS (5 * NANOSECONDS_PER_SECOND)
#define MCD_STEP_NS_PER_INSN 10000

static McdCore *mcd_core_of(CPUState *cpu)
{
    /*
     * The cores are in CPU_FOREACH() order, that of cpu_index: look
     * there first, as the step hook asks for every instruction.
     */
    if ((unsigned)cpu->cpu_index < mcd_server.num_cores &&
        mcd_server.cores[cpu->cpu_index].cpu == cpu) {
        return &mcd_server.cores[cpu->cpu_index];
    }
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        if (mcd_server.cores[i].cpu == cpu) {
            return &mcd_server.cores[i];
        }
    }
    return NULL;
}

static vaddr mcd_pc(McdCore *c)
{
    return c->cpu->cc->get_pc(c->cpu);
}

static void G_GNUC_PRINTF(3, 4)
mcd_set_stop(McdCore *c, uint32_t trig_id, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->stop.str, sizeof(c->stop.str), fmt, ap);
    va_end(ap);
    c->stop.trig_id = trig_id;
    c->stop.valid = true;
    c->stopped_event = true;
    trace_mcd_core_stopped(c->id, trig_id, c->stop.str);
}

bool mcd_core_running(McdCore *c)
{
    return !cpu_is_stopped(c->cpu) && !c->cpu->stop;
}

/* In the core's thread: stop it alone, and tell the main loop. */
static void mcd_park(McdCore *c)
{
    mcd_trace_core_stopped(c);
    c->cpu->stop = true;
    qemu_bh_schedule(mcd_server.bh);
}

/* Note why watchpoint trigger @t stopped @c, and clear the hit. */
static void mcd_watch_stopped(McdCore *c, McdTrig *t, vaddr pc)
{
    static const char *const kind[] = {
        [MCD_TRIG_TYPE_READ] = "read", [MCD_TRIG_TYPE_WRITE] = "write",
        [MCD_TRIG_TYPE_RW] = "read/write",
    };
    int hit = t->wp->flags & BP_WATCHPOINT_HIT;

    mcd_set_stop(c, t->id, "%s watchpoint at 0x%" PRIx64 " hit by a %s "
                 "of 0x%" VADDR_PRIx " (stopped at 0x%" VADDR_PRIx ")",
                 kind[t->type], t->addr,
                 hit == BP_WATCHPOINT_HIT_READ ? "read" :
                 hit == BP_WATCHPOINT_HIT_WRITE ? "write" : "access",
                 t->wp->hitaddr, pc);
    t->wp->flags &= ~BP_WATCHPOINT_HIT;
    if (c->cpu->watchpoint_hit == t->wp) {
        c->cpu->watchpoint_hit = NULL;
    }
    t->captured = true;
}

/* One instruction of our step is done: go on, or park the core. */
static bool mcd_step_event(McdCore *c, vaddr pc)
{
    McdTrig *w = mcd_trig_watch_hit(c);
    McdTrig *t = mcd_trig_at_pc(c, pc);

    c->steps_done++;
    if (qatomic_fetch_dec(&c->step_left) > 1 && !t && !w) {
        return true;            /* on to the next instruction */
    }
    cpu_single_step(c->cpu, 0);
    c->sstep = false;
    qatomic_set(&c->step_left, 0);
    if (c->step_over && !t && !w) {
        c->step_over = false;
        return true;            /* over the breakpoint: now run */
    }
    c->step_over = false;
    if (w) {
        mcd_watch_stopped(c, w, pc);
    } else if (t) {
        t->captured = true;
        mcd_set_stop(c, t->id, "breakpoint at 0x%" VADDR_PRIx, pc);
    } else {
        mcd_set_stop(c, 0, "step completed: %" PRIu32 " instruction%s, "
                     "now at 0x%" VADDR_PRIx, c->steps_done,
                     c->steps_done == 1 ? "" : "s", pc);
    }
    mcd_park(c);
    return true;
}

/*
 * The step hook, in @cpu's thread inside TCG's loop without the BQL:
 * count an instruction of a long step and go on at once.  Only where
 * mcd_step_event() would go on without looking further: not the last
 * instruction, and no breakpoint on the core whose address it would
 * have to check the new pc against (breakpoints change only in this
 * thread, through run_on_cpu()).  A step called off meanwhile has set
 * step_left to 0, which the exchange sees.
 */
static bool mcd_step_continues(CPUState *cpu)
{
    McdCore *c = mcd_core_of(cpu);
    uint32_t left;

    if (!c || !qatomic_read(&c->sstep) || !QTAILQ_EMPTY(&cpu->breakpoints)) {
        return false;
    }
    left = qatomic_read(&c->step_left);
    if (left < 2 || qatomic_cmpxchg(&c->step_left, left, left - 1) != left) {
        return false;
    }
    qatomic_set(&c->steps_done, c->steps_done + 1);
    return true;
}

/*
 * The guest debug hook: claim the events of our steps and triggers.  A
 * breakpoint the gdbstub also has there is left to the gdbstub (after
 * noting ours), so that a gdb waiting for it is told.
 */
/* Is this debug event the gdbstub's: its step, breakpoint or watchpoint? */
static bool mcd_gdb_event(CPUState *cpu)
{
    CPUWatchpoint *wp;

    if (cpu->singlestep_enabled ||
        cpu_breakpoint_test(cpu, cpu->cc->get_pc(cpu), BP_GDB)) {
        return true;
    }
    /* Only through the list: a removed watchpoint leaves a stale hit. */
    QTAILQ_FOREACH(wp, &cpu->watchpoints, entry) {
        if (wp == cpu->watchpoint_hit && (wp->flags & BP_GDB)) {
            return true;
        }
    }
    return false;
}

static bool mcd_debug_event(CPUState *cpu)
{
    McdCore *c = mcd_core_of(cpu);
    McdTrig *t;
    vaddr pc;

    /*
     * An event of neither debugger is one of ours that outlived its
     * trigger or step (a watchpoint's debug interrupt still pending when
     * the trigger went): drop it rather than stop the whole machine.
     */
    if (!c || (!c->uid && !c->sstep)) {
        return !mcd_gdb_event(cpu);
    }
    if (c->sstep && !qatomic_read(&c->step_left)) {
        /*
         * Our step, called off while this event was on its way: whoever
         * called it off has also asked the core to stop, if it should.
         */
        cpu_single_step(cpu, 0);
        c->sstep = false;
        return true;
    }
    pc = mcd_pc(c);
    if (c->sstep) {
        return mcd_step_event(c, pc);
    }
    t = mcd_trig_watch_hit(c);
    if (t) {
        mcd_watch_stopped(c, t, pc);
    } else {
        t = mcd_trig_at_pc(c, pc);
        if (!t) {
            return !mcd_gdb_event(cpu);
        }
        t->captured = true;
        mcd_set_stop(c, t->id, "breakpoint at 0x%" VADDR_PRIx, pc);
    }
    if (cpu_breakpoint_test(cpu, pc, BP_GDB)) {
        return false;
    }
    if (t->action == MCD_TRIG_ACTION_DBG_GLOBAL) {
        mcd_server.stop_global_core = c->id + 1;
    }
    mcd_park(c);
    return true;
}

/* Why a core stopped that we did not stop ourselves. */
static const char *mcd_runstate_reason(RunState state)
{
    switch (state) {
    case RUN_STATE_DEBUG:
        return "stopped with the machine by a debug event";
    case RUN_STATE_PAUSED:
        return "stopped: the machine was paused";
    case RUN_STATE_PRELAUNCH:
    case RUN_STATE_INMIGRATE:
        return "halted: the machine has not started yet";
    case RUN_STATE_SHUTDOWN:
        return "stopped: the machine shut down";
    case RUN_STATE_GUEST_PANICKED:
        return "stopped: the guest panicked";
    case RUN_STATE_INTERNAL_ERROR:
        return "stopped: emulation error";
    default:
        return "stopped by QEMU";
    }
}

static void mcd_vm_state_change(void *opaque, bool running, RunState state)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        if (running) {
            /* Resumed by someone else (QMP cont, gdb): every core runs. */
            if (!mcd_server.resuming) {
                c->stop.valid = false;
            }
        } else {
            mcd_trace_core_stopped(c);
            if (!c->stop.valid) {
                mcd_set_stop(c, 0, "%s", mcd_runstate_reason(state));
            }
        }
    }
}

/* Stop the machine once nothing runs any more, so its clocks stop too. */
static void mcd_freeze_if_idle(void)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        if (mcd_core_running(&mcd_server.cores[i])) {
            return;
        }
    }
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_DEBUG);
    }
}

static void mcd_park_self(CPUState *cpu, run_on_cpu_data data)
{
    mcd_trace_core_stopped(mcd_core_of(cpu));
    cpu_pause(cpu);
}

static void mcd_sstep_on(McdCore *c)
{
    c->sstep = true;
    cpu_single_step(c->cpu, MCD_SSTEP_FLAGS);
}

/*
 * Forget @c's step.  A stopped core leaves single-step mode now; a
 * running one in its own thread at its next step event, which the debug
 * hook then still knows to be ours, instead of passing it on.
 */
static void mcd_step_forget(McdCore *c)
{
    qatomic_set(&c->step_left, 0);
    c->step_over = false;
    if (c->sstep && cpu_is_stopped(c->cpu)) {
        cpu_single_step(c->cpu, 0);
        c->sstep = false;
    }
}

/* Stop one core and wait until it has stopped; the others go on. */
void mcd_stop_core(McdCore *c, const char *reason)
{
    if (mcd_core_running(c)) {
        mcd_set_stop(c, 0, "%s", reason);
        qatomic_set(&c->step_left, 0);
        run_on_cpu(c->cpu, mcd_park_self, RUN_ON_CPU_NULL);
    }
    mcd_step_forget(c);
}

static bool mcd_in_global(McdCore *c, McdCore *origin)
{
    return c->global || c == origin;
}

/*
 * Stop every global core in one go: stop the machine, then let the cores
 * that do not take part in global run control go on.
 */
static void mcd_stop_global(McdCore *origin, const char *reason)
{
    g_autoptr(GPtrArray) keep = g_ptr_array_new();

    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        if (!mcd_core_running(c)) {
            continue;
        }
        if (mcd_in_global(c, origin)) {
            mcd_set_stop(c, 0, "%s", reason);
            qatomic_set(&c->step_left, 0);
        } else {
            g_ptr_array_add(keep, c);
        }
    }
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_DEBUG);
    }
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        if (!qatomic_read(&mcd_server.cores[i].step_left)) {
            mcd_step_forget(&mcd_server.cores[i]);
        }
    }
    if (keep->len) {
        mcd_resume(origin, keep);
    }
}

void mcd_stop_all(const char *reason)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        if (mcd_core_running(c)) {
            mcd_set_stop(c, 0, "%s", reason);
        }
        qatomic_set(&c->step_left, 0);
    }
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_DEBUG);
    }
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        mcd_step_forget(&mcd_server.cores[i]);
    }
}

void mcd_stopped_by_reset(McdCore *c)
{
    mcd_set_stop(c, 0, "reset: at the reset vector 0x%" VADDR_PRIx,
                 mcd_pc(c));
}

/* Main loop side of mcd_debug_event(). */
static void mcd_until_reached(void);
static void mcd_step_check(void);
static void mcd_step_timeout(void *opaque);

static void mcd_event_bh(void *opaque)
{
    if (mcd_server.until_fired) {
        mcd_until_reached();
    }
    if (mcd_server.stop_global_core) {
        McdCore *c = &mcd_server.cores[mcd_server.stop_global_core - 1];
        g_autofree char *why = g_strdup_printf("stopped with core %" PRIu32
                                               ": %s", c->id, c->stop.str);

        mcd_server.stop_global_core = 0;
        mcd_stop_global(c, why);
    }
    mcd_freeze_if_idle();
    mcd_step_check();
}

/*
 * A virtual clock timer cannot stop the machine itself: stopping waits
 * for the running timers to finish.  Leave it to the bottom half.
 */
static void mcd_until_timer(void *opaque)
{
    mcd_server.until_fired = true;
    qemu_bh_schedule(mcd_server.bh);
}

static void mcd_until_reached(void)
{
    McdCore *c = &mcd_server.cores[mcd_server.until_core];
    g_autofree char *why =
        g_strdup_printf("run-until time reached (%" PRId64 " ps)",
                        qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) * 1000);

    mcd_server.until_fired = false;
    if (mcd_server.until_global) {
        mcd_stop_global(c, why);
    } else {
        mcd_stop_core(c, why);
    }
}

/*
 * Once, for QEMU's lifetime: run control is the target's, whichever
 * sessions come and go.
 */
void mcd_runctl_init(void)
{
    RunState state = runstate_get();

    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        if (!mcd_core_running(c)) {
            mcd_set_stop(c, 0, "%s", mcd_runstate_reason(state));
        }
    }
    mcd_server.bh = qemu_bh_new(mcd_event_bh, NULL);
    mcd_server.until = timer_new_ns(QEMU_CLOCK_VIRTUAL, mcd_until_timer, NULL);
    mcd_server.step_timer = timer_new_ns(QEMU_CLOCK_REALTIME,
                                         mcd_step_timeout, NULL);
    mcd_server.vmse = qemu_add_vm_change_state_handler(mcd_vm_state_change,
                                                       NULL);
    cpu_set_guest_debug_handler(mcd_debug_event);
    cpu_set_guest_step_handler(mcd_step_continues);
}

void mcd_runctl_release(McdCore *c)
{
    /*
     * A step this core's session asked for has nobody left to answer.
     * A step of another session goes on, with this core in it if it is
     * a global one.  A core the debugger parked while the machine runs
     * would stay parked with no one left to run it: let it go.  A
     * stopped machine stays stopped, as the debugger left it.
     */
    if (mcd_server.stepping && mcd_server.step_session == c->owner) {
        mcd_step_abandon();
    }
    if (mcd_server.until_core == c->id && timer_pending(mcd_server.until)) {
        timer_del(mcd_server.until);
    }
    c->global = true;
    if (c->in_step) {
        return;
    }
    if (c->sstep && mcd_core_running(c)) {
        /* Leave single-step mode parked, where no step event is due. */
        qatomic_set(&c->step_left, 0);
        run_on_cpu(c->cpu, mcd_park_self, RUN_ON_CPU_NULL);
    }
    mcd_step_forget(c);
    if (runstate_is_running() && cpu_is_stopped(c->cpu)) {
        c->stop.valid = false;
        cpu_resume(c->cpu);
    }
}

mcd_return_et mcd_resume(McdCore *origin, GPtrArray *cores)
{
    if (!runstate_is_running()) {
        if (runstate_needs_reset()) {
            return mcd_fail(origin, MCD_ERR_GENERAL, "the machine is %s: "
                            "reset it first", RunState_str(runstate_get()));
        }
        /* Our own resume: the cores left stopped keep their reasons. */
        mcd_server.resuming = true;
        vm_prepare_start(false);
        mcd_server.resuming = false;
    }
    for (guint i = 0; i < cores->len; i++) {
        McdCore *c = g_ptr_array_index(cores, i);

        if (!cpu_is_stopped(c->cpu) && !c->cpu->stop) {
            continue;
        }
        c->stop.valid = false;
        if (!qatomic_read(&c->step_left)) {
            mcd_step_forget(c);
        }
        /* Going on from a breakpoint: step over it first. */
        if (!qatomic_read(&c->step_left) && c->trigs &&
            mcd_trig_at_pc(c, mcd_pc(c))) {
            qatomic_set(&c->step_left, 1);
            c->step_over = true;
            c->steps_done = 0;
            mcd_sstep_on(c);
        }
        trace_mcd_core_resume(c->id, c->step_over);
        cpu_resume(c->cpu);
    }
    qemu_clock_enable(QEMU_CLOCK_VIRTUAL, true);
    return MCD_RET_ACT_NONE;
}

/* The cores an operation on @c acts on: @c, or all global ones. */
static GPtrArray *mcd_cores_for(McdCore *c, bool global, bool open_only)
{
    GPtrArray *cores = g_ptr_array_new();

    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *o = &mcd_server.cores[i];

        if (o == c || (global && o->global && (o->uid || !open_only))) {
            g_ptr_array_add(cores, o);
        }
    }
    return cores;
}

mcd_return_et mcd_run_f(const mcd_core_st *core, mcd_bool_t global)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    g_autoptr(GPtrArray) cores = NULL;

    if (ret) {
        return ret;
    }
    cores = mcd_cores_for(c, global, false);
    ret = mcd_resume(c, cores);
    return ret ? ret : mcd_ok(c);
}

mcd_return_et mcd_stop_f(const mcd_core_st *core, mcd_bool_t global)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    if (global) {
        mcd_stop_global(c, "stopped by the debugger (global stop)");
    } else {
        mcd_stop_core(c, "stopped by the debugger");
        mcd_freeze_if_idle();
    }
    return mcd_ok(c);
}

mcd_return_et mcd_run_until_f(const mcd_core_st *core, mcd_bool_t global,
                              mcd_bool_t absolute_time,
                              uint64_t run_until_time)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint64_t ns = run_until_time / 1000;
    int64_t deadline;

    if (ret) {
        return ret;
    }
    if (ns > INT64_MAX - now) {
        return mcd_fail(c, MCD_ERR_PARAM, "%" PRIu64 " ps is too far ahead",
                        run_until_time);
    }
    /* Time is QEMU's virtual clock, in picoseconds since start-up. */
    deadline = absolute_time ? ns : now + ns;
    if (deadline <= now) {
        return mcd_fail(c, MCD_ERR_PARAM, "%" PRIu64 " ps has passed: the "
                        "time is %" PRId64 " ps", run_until_time, now * 1000);
    }
    mcd_server.until_core = c->id;
    mcd_server.until_global = global;
    timer_mod(mcd_server.until, deadline);
    return mcd_run_f(core, global);
}

mcd_return_et mcd_qry_current_time_f(const mcd_core_st *core,
                                     uint64_t *current_time)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup_out(core, current_time, &c);

    if (ret) {
        return ret;
    }
    *current_time = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) * 1000;
    return mcd_ok(c);
}

/* Is a core of the step in progress still stepping? */
static bool mcd_step_busy(void)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        if (c->in_step &&
            (qatomic_read(&c->step_left) || mcd_core_running(c))) {
            return true;
        }
    }
    return false;
}

/* End the step in progress: answer @ret, if anyone still waits. */
static void mcd_step_end(mcd_return_et ret)
{
    McdStepDone *done = mcd_server.step_done;
    void *opaque = mcd_server.step_opaque;

    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        mcd_server.cores[i].in_step = false;
    }
    timer_del(mcd_server.step_timer);
    mcd_server.stepping = false;
    mcd_server.step_session = NULL;
    mcd_server.step_done = NULL;
    mcd_server.step_opaque = NULL;
    if (done) {
        done(ret, opaque);
    }
}

/* Stop every core of the step; the machine too if nothing else runs. */
static void mcd_step_stop_cores(const char *reason)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        if (mcd_server.cores[i].in_step) {
            mcd_stop_core(&mcd_server.cores[i], reason);
        }
    }
    mcd_freeze_if_idle();
}

/* From the bottom half: has the step in progress ended? */
static void mcd_step_check(void)
{
    if (mcd_server.stepping && !mcd_step_busy()) {
        mcd_step_end(mcd_ok(&mcd_server.cores[mcd_server.step_core]));
    }
}

static void mcd_step_timeout(void *opaque)
{
    McdCore *c = &mcd_server.cores[mcd_server.step_core];
    uint32_t done = c->steps_done;
    g_autofree char *why = g_strdup_printf("stopped: the step did not "
                                           "complete after %" PRIu32 " of %"
                                           PRIu32 " instructions", done,
                                           mcd_server.step_n);

    mcd_step_stop_cores(why);
    mcd_step_end(mcd_fail(c, MCD_ERR_GENERAL, "the step did not complete "
                          "after %" PRIu32 " of %" PRIu32 " instructions "
                          "(waiting for an interrupt?); the core is stopped "
                          "at 0x%" VADDR_PRIx, done, mcd_server.step_n,
                          mcd_pc(c)));
}

bool mcd_step_interrupt(uint32_t core_uid, bool global)
{
    const mcd_core_st *handle = mcd_core_by_uid(core_uid);
    McdCore *c = handle ? handle->instance : NULL;
    McdCore *origin;
    g_autofree char *why = NULL;

    if (!mcd_server.stepping || !c || !(global || c->in_step)) {
        return false;
    }
    origin = &mcd_server.cores[mcd_server.step_core];
    why = g_strdup_printf("stopped by the debugger during a step, after %"
                          PRIu32 " of %" PRIu32 " instructions",
                          origin->steps_done, mcd_server.step_n);
    mcd_step_stop_cores(why);
    mcd_step_end(mcd_ok(origin));
    return true;
}

void mcd_step_abandon(void)
{
    if (mcd_server.stepping) {
        mcd_server.step_done = NULL;
        mcd_step_stop_cores("stopped: the debugger left during a step");
        mcd_step_end(MCD_RET_ACT_NONE);
    }
}

mcd_return_et mcd_step_start(const mcd_core_st *core, mcd_bool_t global,
                             mcd_core_step_type_et step_type,
                             uint32_t n_steps, McdStepDone *done,
                             void *opaque)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    g_autoptr(GPtrArray) cores = NULL;

    if (ret) {
        return ret;
    }
    if (step_type != MCD_CORE_STEP_TYPE_INSTR) {
        return mcd_fail(c, MCD_ERR_FN_UNIMPLEMENTED, "step type %" PRIu32
                        ": QEMU does not model cycles; step instructions",
                        (uint32_t)step_type);
    }
    if (mcd_server.stepping) {
        return mcd_fail(c, MCD_ERR_GENERAL, "a step is in progress%s",
                        mcd_server.step_session == mcd_session ? "" :
                        " for another debugger");
    }
    cores = mcd_cores_for(c, global, true);
    for (guint i = 0; i < cores->len; i++) {
        McdCore *o = g_ptr_array_index(cores, i);

        if (mcd_core_running(o)) {
            return mcd_fail(c, MCD_ERR_GENERAL, "core %" PRIu32 " is running:"
                            " stop it before stepping", o->id);
        }
        /* It would not execute an instruction before an interrupt. */
        if (o->cpu->halted) {
            return mcd_fail(c, MCD_ERR_GENERAL, "core %" PRIu32 " is halted "
                            "(waiting for an interrupt or powered off): it "
                            "cannot step", o->id);
        }
    }
    if (!n_steps) {
        return mcd_ok(c);
    }
    trace_mcd_step_start(c->id, global, n_steps);
    for (guint i = 0; i < cores->len; i++) {
        McdCore *o = g_ptr_array_index(cores, i);

        qatomic_set(&o->step_left, n_steps);
        o->steps_done = 0;
        o->step_over = false;
        o->in_step = true;
        mcd_sstep_on(o);
    }
    ret = mcd_resume(c, cores);
    if (ret) {
        for (guint i = 0; i < cores->len; i++) {
            McdCore *o = g_ptr_array_index(cores, i);

            o->in_step = false;
            mcd_step_forget(o);
        }
        return ret;
    }
    mcd_server.step_core = c->id;
    mcd_server.step_n = n_steps;
    mcd_server.stepping = true;
    mcd_server.step_session = mcd_session;
    mcd_server.step_done = done;
    mcd_server.step_opaque = opaque;
    timer_mod(mcd_server.step_timer, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) +
              MCD_STEP_TIMEOUT_NS + (int64_t)n_steps * MCD_STEP_NS_PER_INSN);
    return mcd_ok(c);
}

/*
 * MCD's step returns when the steps are done.  Inside QEMU nothing may
 * wait for that, so this only starts them; the MCD monitor answers the
 * request through mcd_step_start() when they have ended.
 */
mcd_return_et mcd_step_f(const mcd_core_st *core, mcd_bool_t global,
                         mcd_core_step_type_et step_type, uint32_t n_steps)
{
    return mcd_step_start(core, global, step_type, n_steps, NULL, NULL);
}

mcd_return_et mcd_set_global_f(const mcd_core_st *core, mcd_bool_t enable)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    c->global = enable;
    return mcd_ok(c);
}

mcd_return_et mcd_qry_state_f(const mcd_core_st *core,
                              mcd_core_state_st *state)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup_out(core, state, &c);

    if (ret) {
        return ret;
    }
    *state = (mcd_core_state_st) {
        .event = c->stopped_event ? MCD_CORE_EVENT_STOPPED : 0,
    };
    c->stopped_event = false;
    if (!mcd_core_running(c)) {
        /* Stopped cores are under debug control: accesses work. */
        state->state = MCD_CORE_STATE_DEBUG;
        state->trig_id = c->stop.trig_id;
        mcd_strcpy(state->stop_str, c->stop.valid ? c->stop.str : "stopped");
        snprintf(state->info_str, sizeof(state->info_str),
                 "stopped at 0x%" VADDR_PRIx, mcd_pc(c));
    } else if (c->cpu->halted) {
        state->state = MCD_CORE_STATE_HALTED;
        mcd_strcpy(state->info_str, "halted: waiting for an interrupt, or "
                   "powered off");
    } else {
        state->state = MCD_CORE_STATE_RUNNING;
        mcd_strcpy(state->info_str, "running");
    }
    return mcd_ok(c);
}

mcd_return_et mcd_execute_command_f(const mcd_core_st *core,
                                    const mcd_char_t *command_string,
                                    uint32_t result_string_size,
                                    mcd_char_t *result_string)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);
    g_autofree char *out = NULL;
    Error *err = NULL;

    if (ret) {
        return ret;
    }
    if (!command_string || !result_string || !result_string_size) {
        return mcd_fail(c, MCD_ERR_PARAM, "no command or result buffer");
    }
    /* Commands are QEMU monitor (HMP) commands, run for this core. */
    out = qmp_human_monitor_command(command_string, true,
                                    c->cpu->cpu_index, &err);
    if (err) {
        ret = mcd_fail(c, MCD_ERR_GENERAL, "%s", error_get_pretty(err));
        error_free(err);
        return ret;
    }
    if (strlen(out) >= result_string_size) {
        return mcd_fail(c, MCD_ERR_RESULT_TOO_LONG, "the result has %zu "
                        "characters", strlen(out));
    }
    strcpy(result_string, out);
    return mcd_ok(c);
}
