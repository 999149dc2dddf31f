/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: run control, triggers, reset and multi-core
 *
 * Each target runs a small program the test writes into RAM:
 *
 *     prologue: point r1 at the counter
 *     loop:     r2 = [r1]       <- read watchpoints stop after this
 *               r2 = r2 + 1
 *               [r1] = r2       <- write watchpoints stop after this
 *               goto loop
 *
 * so every stop has a PC and a counter value the test can predict.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "mcd-util.h"
#include "mcd-test.h"


const uint8_t mcd_loop_aarch64[MCD_LOOP_LEN] = {
    0x01, 0x02, 0x00, 0x10,     /* adr x1, data */
    0x22, 0x00, 0x40, 0xb9,     /* ldr w2, [x1] */
    0x42, 0x04, 0x00, 0x11,     /* add w2, w2, #1 */
    0x22, 0x00, 0x00, 0xb9,     /* str w2, [x1] */
    0xfd, 0xff, 0xff, 0x17,     /* b loop */
};

const uint8_t mcd_loop_arm[MCD_LOOP_LEN] = {
    0x38, 0x10, 0x8f, 0xe2,     /* add r1, pc, #56 */
    0x00, 0x20, 0x91, 0xe5,     /* ldr r2, [r1] */
    0x01, 0x20, 0x82, 0xe2,     /* add r2, r2, #1 */
    0x00, 0x20, 0x81, 0xe5,     /* str r2, [r1] */
    0xfb, 0xff, 0xff, 0xea,     /* b loop */
};

static const uint8_t code_riscv64[] = {
    0x97, 0x00, 0x00, 0x00,     /* auipc ra, 0 */
    0x93, 0x80, 0x00, 0x04,     /* addi ra, ra, 64 */
    0x03, 0xa1, 0x00, 0x00,     /* lw sp, 0(ra) */
    0x13, 0x01, 0x11, 0x00,     /* addi sp, sp, 1 */
    0x23, 0xa0, 0x20, 0x00,     /* sw sp, 0(ra) */
    0x6f, 0xf0, 0x5f, 0xff,     /* j loop */
};

/* Real mode, CS = DS = 0: the counter is at 0x8040. */
static const uint8_t code_i386[] = {
    0xbb, 0x40, 0x80,           /* mov $0x8040, %bx */
    0x66, 0x8b, 0x07,           /* mov (%bx), %eax */
    0x66, 0x40,                 /* inc %eax */
    0x66, 0x89, 0x07,           /* mov %eax, (%bx) */
    0xeb, 0xf6,                 /* jmp loop */
};

static const RunArch run_arches[] = {
    { "aarch64", "pc", 0x40001000, 0x40001040, mcd_loop_aarch64,
      MCD_LOOP_LEN, 1, { 4, 8, 12, 16 }, 0 },
    { "arm", "pc", 0x40001000, 0x40001040, mcd_loop_arm,
      MCD_LOOP_LEN, 1, { 4, 8, 12, 16 }, 0 },
    { "riscv64", "pc", 0x80200000, 0x80200040, code_riscv64,
      sizeof(code_riscv64), 2, { 8, 12, 16, 20 }, 0x1000 },
    { "i386", "eip", 0x8000, 0x8040, code_i386,
      sizeof(code_i386), 1, { 3, 6, 8, 11 }, 0xfff0 },
};

const RunArch *mcd_run_arch(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(run_arches); i++) {
        if (!strcmp(run_arches[i].arch, qtest_get_arch())) {
            return &run_arches[i];
        }
    }
    return NULL;
}

/* Where the program is after @steps instructions, and its counter. */
uint64_t mcd_run_expected_pc(const RunArch *a, uint64_t steps)
{
    /* The prologue's instructions are 4 bytes each. */
    if (steps < a->prologue) {
        return a->base + 4 * steps;
    }
    return a->base + a->loop[(steps - a->prologue) % 4];
}

uint32_t mcd_run_expected_counter(const RunArch *a, uint64_t steps)
{
    uint64_t m = steps < a->prologue ? 0 : steps - a->prologue;

    return m / 4 + (m % 4 >= 3);
}


RunTest *mcd_run_start(int smp, const char *extra)
{
    RunTest *rt = g_new0(RunTest, 1);

    rt->a = mcd_run_arch();
    /* The first -accel wins: @extra may choose its own TCG options. */
    rt->t = mcd_test_start("%s -m 128M %s -S -smp %d %s",
                           mcd_test_machine(),
                           strstr(extra, "-accel") ? "" : "-accel tcg",
                           smp, extra);
    rt->ncores = smp;
    mcd_open_server(rt->t);
    for (int i = 0; i < smp; i++) {
        rt->cores[i] = mcd_open_core(rt->t, i);
    }
    rt->phys = mcd_find_space(rt->t, rt->cores[0],
                              MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    rt->logical = mcd_find_space(rt->t, rt->cores[0],
                                 MCD_MEM_SPACE_IS_LOGICAL, NULL);
    return rt;
}

void mcd_run_stop(RunTest *rt)
{
    mcd_test_stop(rt->t);
    g_free(rt);
}

/* Put the program in place, zero its counter, point @core at its start. */
void mcd_run_load(RunTest *rt, int core)
{
    uint8_t zero[4] = { 0 };

    mcd_write(rt->t, rt->cores[core], rt->phys, rt->a->base, rt->a->code,
              rt->a->code_len);
    mcd_write(rt->t, rt->cores[core], rt->phys, rt->a->data, zero, 4);
    if (!strcmp(rt->a->arch, "i386")) {
        mcd_write_reg(rt->t, rt->cores[core], "cs", 0);
        mcd_write_reg(rt->t, rt->cores[core], "ds", 0);
    }
    mcd_write_reg(rt->t, rt->cores[core], rt->a->pc, rt->a->base);
}

uint32_t mcd_run_counter(RunTest *rt)
{
    uint8_t b[4];

    mcd_read(rt->t, rt->cores[0], rt->phys, rt->a->data, b, 4);
    return ldl_le_p(b);
}

uint64_t mcd_run_pc(RunTest *rt, int core)
{
    return mcd_read_reg(rt->t, rt->cores[core], rt->a->pc);
}

static QDict *state(RunTest *rt, int core)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-qry-state', 'arguments':"
                       " {'core-uid': %u}}", rt->cores[core]);
    QDict *s = qdict_get_qdict(r, "state");

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_ref(s);
    qobject_unref(r);
    return s;
}

static uint32_t state_of(RunTest *rt, int core)
{
    QDict *s = state(rt, core);
    uint32_t v = qdict_get_int(s, "state");

    qobject_unref(s);
    return v;
}

/* Wait for @core to stop; return its state (caller unrefs). */
QDict *mcd_run_wait_stopped(RunTest *rt, int core)
{
    for (int i = 0; i < 20000; i++) {
        QDict *s = state(rt, core);

        if (qdict_get_int(s, "state") == MCD_CORE_STATE_DEBUG) {
            return s;
        }
        qobject_unref(s);
        g_usleep(1000);
    }
    g_assert_not_reached();
}

uint32_t mcd_run_call(RunTest *rt, const char *cmd, int core,
                      const char *more)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': '%s', 'arguments': {'core-uid': %u%s%s}}", cmd,
        rt->cores[core], more ? ", " : "", more ?: "");
    QDict *r = mcd_ret_text(rt->t, req);
    uint32_t st = mcd_status(r);

    qobject_unref(r);
    return st;
}

void mcd_run_core(RunTest *rt, int core, bool global)
{
    g_assert_cmpuint(mcd_run_call(rt, "mcd-run", core,
                                 global ? "'global': true" :
                                          "'global': false"),
                     ==, MCD_RET_ACT_NONE);
}

void mcd_run_stop_core(RunTest *rt, int core, bool global)
{
    g_assert_cmpuint(mcd_run_call(rt, "mcd-stop", core,
                                 global ? "'global': true" :
                                          "'global': false"),
                     ==, MCD_RET_ACT_NONE);
}

uint32_t mcd_run_step(RunTest *rt, int core, uint32_t n)
{
    g_autofree char *args = g_strdup_printf(
        "'global': false, 'step-type': %d, 'n-steps': %u",
        MCD_CORE_STEP_TYPE_INSTR, n);

    return mcd_run_call(rt, "mcd-step", core, args);
}

uint32_t mcd_run_trig(RunTest *rt, int core, uint32_t type, uint32_t action,
                      uint32_t space, uint64_t addr, uint64_t range)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-create-trig', 'arguments':"
                       " {'core-uid': %u, 'trig': {'trig-simple-core':"
                       " {'type': %u, 'option': 0, 'action': %u,"
                       " 'action-param': 0, 'modified': false,"
                       " 'state-mask': 0, 'addr-start': {'address': %"
                       PRIu64 ", 'mem-space-id': %u, 'addr-space-id': 0,"
                       " 'addr-space-type': 0}, 'addr-range': %" PRIu64
                       "}}}}", rt->cores[core], type, action, addr, space,
                       range);
    uint32_t id = mcd_status(r) ? 0 : qdict_get_int(r, "trig-id");

    qobject_unref(r);
    return id;
}

/* Create a simple trigger that stops the core; its ID, 0 if refused. */
static uint32_t create_trig(RunTest *rt, int core, uint32_t type,
                            uint32_t space, uint64_t addr, uint64_t range)
{
    return mcd_run_trig(rt, core, type, 0, space, addr, range);
}

static bool trig_captured(RunTest *rt, int core, uint32_t id)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig-state',"
                       " 'arguments': {'core-uid': %u, 'trig-id': %u}}",
                       rt->cores[core], id);
    bool captured;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    captured = qdict_get_bool(qdict_get_qdict(r, "trig-state"), "captured");
    qobject_unref(r);
    return captured;
}

static void remove_trig(RunTest *rt, int core, uint32_t id)
{
    g_autofree char *args = g_strdup_printf("'trig-id': %u", id);

    g_assert_cmpuint(mcd_run_call(rt, "mcd-remove-trig", core, args), ==,
                     MCD_RET_ACT_NONE);
}

/* Check where and why the core stopped. */
static void assert_stop(RunTest *rt, int core, uint32_t trig_id,
                        const char *why, uint64_t at)
{
    QDict *s = mcd_run_wait_stopped(rt, core);

    g_assert_cmpint(qdict_get_int(s, "trig-id"), ==, trig_id);
    g_assert_nonnull(strstr(qdict_get_str(s, "stop-str"), why));
    qobject_unref(s);
    g_assert_cmphex(mcd_run_pc(rt, core), ==, at);
}

static void test_breakpoint(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;
    uint64_t store = a->base + a->loop[2];
    g_autofree char *at = g_strdup_printf("breakpoint at 0x%" PRIx64, store);
    uint32_t id, c;
    QDict *r;

    mcd_run_load(rt, 0);
    id = create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->logical, store, 0);
    g_assert_cmpuint(id, !=, 0);
    g_assert_false(trig_captured(rt, 0, id));

    /* The trigger reads back as created. */
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig', 'arguments':"
                " {'core-uid': %u, 'trig-id': %u}}", rt->cores[0], id);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    {
        QDict *s = qdict_get_qdict(qdict_get_qdict(r, "trig"),
                                   "trig-simple-core");

        g_assert_cmpint(qdict_get_int(s, "type"), ==, MCD_TRIG_TYPE_IP);
        g_assert_cmphex(mcd_get_u64(qdict_get_qdict(s, "addr-start"),
                                    "address"), ==, store);
        g_assert_false(qdict_get_bool(s, "modified"));
    }
    qobject_unref(r);

    mcd_run_core(rt, 0, false);
    assert_stop(rt, 0, id, at, store);
    g_assert_true(trig_captured(rt, 0, id));
    c = mcd_run_counter(rt);
    g_assert_cmpuint(c, ==, 0);

    /* Going on steps over the breakpoint and stops there next time. */
    mcd_run_core(rt, 0, false);
    assert_stop(rt, 0, id, at, store);
    g_assert_cmpuint(mcd_run_counter(rt), ==, c + 1);

    /* Without it the core runs until stopped. */
    remove_trig(rt, 0, id);
    mcd_run_core(rt, 0, false);
    g_usleep(20000);
    g_assert_cmpuint(state_of(rt, 0), !=, MCD_CORE_STATE_DEBUG);
    mcd_run_stop_core(rt, 0, false);
    r = mcd_run_wait_stopped(rt, 0);
    g_assert_cmpstr(qdict_get_str(r, "stop-str"), ==,
                    "stopped by the debugger");
    g_assert_cmpint(qdict_get_int(r, "trig-id"), ==, 0);
    g_assert_cmpint(qdict_get_int(r, "event") & MCD_CORE_EVENT_STOPPED, !=,
                    0);
    qobject_unref(r);
    g_assert_cmpuint(mcd_run_counter(rt), >, c + 1);
    mcd_run_stop(rt);
}

static void test_watchpoints(void)
{
    static const struct {
        uint32_t type;
        int after;              /* loop instruction the core stops at */
        const char *why;
    } cases[] = {
        { MCD_TRIG_TYPE_READ, 1, "read watchpoint" },
        { MCD_TRIG_TYPE_WRITE, 3, "write watchpoint" },
        { MCD_TRIG_TYPE_RW, 1, "read/write watchpoint" },
    };
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;

    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *data = g_strdup_printf("0x%" PRIx64, a->data);
        uint32_t id;
        QDict *s;

        mcd_run_load(rt, 0);
        id = create_trig(rt, 0, cases[i].type, rt->logical, a->data, 4);
        g_assert_cmpuint(id, !=, 0);
        mcd_run_core(rt, 0, false);
        s = mcd_run_wait_stopped(rt, 0);
        g_assert_cmpint(qdict_get_int(s, "trig-id"), ==, id);
        g_assert_nonnull(strstr(qdict_get_str(s, "stop-str"),
                                cases[i].why));
        g_assert_nonnull(strstr(qdict_get_str(s, "stop-str"), data));
        qobject_unref(s);
        /* Stopped right after the accessing instruction. */
        g_assert_cmphex(mcd_run_pc(rt, 0), ==,
                        a->base + a->loop[cases[i].after]);
        g_assert_true(trig_captured(rt, 0, id));
        remove_trig(rt, 0, id);
    }

    /* A write watchpoint is not hit by reads: first stop is the store. */
    mcd_run_load(rt, 0);
    mcd_write_reg(rt->t, rt->cores[0], a->pc, a->base);
    {
        uint32_t id = create_trig(rt, 0, MCD_TRIG_TYPE_WRITE, rt->logical,
                                  a->data, 4);

        mcd_run_core(rt, 0, false);
        assert_stop(rt, 0, id, "hit by a write", a->base + a->loop[3]);
        g_assert_cmpuint(mcd_run_counter(rt), ==, 1);
        /* And it stays armed: next time round, the counter is 2. */
        mcd_run_core(rt, 0, false);
        assert_stop(rt, 0, id, "write watchpoint", a->base + a->loop[3]);
        g_assert_cmpuint(mcd_run_counter(rt), ==, 2);
    }
    mcd_run_stop(rt);
}

static void test_step(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;
    uint64_t done = 0;
    static const uint32_t steps[] = { 1, 1, 5, 1000 };
    QDict *s, *e;

    mcd_run_load(rt, 0);
    for (int i = 0; i < ARRAY_SIZE(steps); i++) {
        g_assert_cmpuint(mcd_run_step(rt, 0, steps[i]), ==, MCD_RET_ACT_NONE);
        done += steps[i];
        /* mcd-step returns when the steps are done. */
        g_assert_cmphex(mcd_run_pc(rt, 0), ==, mcd_run_expected_pc(a, done));
        g_assert_cmpuint(mcd_run_counter(rt), ==,
                         mcd_run_expected_counter(a, done));
        s = state(rt, 0);
        g_assert_cmpint(qdict_get_int(s, "state"), ==, MCD_CORE_STATE_DEBUG);
        g_assert_nonnull(strstr(qdict_get_str(s, "stop-str"),
                                "step completed"));
        qobject_unref(s);
    }

    /* Stepping onto a breakpoint stops there and says so. */
    {
        uint64_t next = mcd_run_expected_pc(a, done + 2);
        uint32_t id = create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->logical,
                                  next, 0);

        g_assert_cmpuint(mcd_run_step(rt, 0, 10), ==, MCD_RET_ACT_NONE);
        assert_stop(rt, 0, id, "breakpoint", next);
        remove_trig(rt, 0, id);
    }

    /* A running core is not stepped. */
    mcd_run_core(rt, 0, false);
    g_assert_cmpuint(mcd_run_step(rt, 0, 1), ==, MCD_RET_ACT_HANDLE_ERROR);
    e = mcd_error_info(rt->t, rt->cores[0]);
    g_assert_nonnull(strstr(qdict_get_str(e, "error-str"), "running"));
    qobject_unref(e);

    /* Nor are cycles: QEMU has none. */
    mcd_run_stop_core(rt, 0, false);
    s = mcd_ret(rt->t, "{'execute': 'mcd-step', 'arguments': {'core-uid':"
                " %u, 'global': false, 'step-type': %d, 'n-steps': 1}}",
                rt->cores[0], MCD_CORE_STEP_TYPE_CYCLES);
    g_assert_cmpuint(mcd_status(s), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(s);
    mcd_run_stop(rt);
}

static void test_reset(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;
    uint64_t store = a->base + a->loop[2];
    uint32_t id;
    QDict *r;

    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-rst-classes', 'arguments':"
                " {'core-uid': %u}}", rt->cores[0]);
    g_assert_cmphex(qdict_get_int(r, "rst-class-vector"), ==, 3);
    qobject_unref(r);
    for (int i = 0; i < 3; i++) {
        r = mcd_ret(rt->t, "{'execute': 'mcd-qry-rst-class-info',"
                    " 'arguments': {'core-uid': %u, 'rst-class': %d}}",
                    rt->cores[0], i);
        g_assert_cmpuint(mcd_status(r), ==,
                         i < 2 ? MCD_RET_ACT_NONE : MCD_RET_ACT_HANDLE_ERROR);
        qobject_unref(r);
    }

    mcd_run_load(rt, 0);
    id = create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->logical, store, 0);
    mcd_run_core(rt, 0, false);
    assert_stop(rt, 0, id, "breakpoint", store);
    mcd_run_core(rt, 0, false);
    g_usleep(10000);

    /* Reset and halt: at the reset vector, in debug state. */
    g_assert_cmpuint(mcd_run_call(rt, "mcd-rst", 0, "'rst-class-vector': 1,"
                                 " 'rst-and-halt': true"), ==,
                     MCD_RET_ACT_NONE);
    r = state(rt, 0);
    g_assert_cmpint(qdict_get_int(r, "state"), ==, MCD_CORE_STATE_DEBUG);
    g_assert_nonnull(strstr(qdict_get_str(r, "stop-str"), "reset"));
    qobject_unref(r);
    if (strcmp(a->arch, "aarch64") && strcmp(a->arch, "arm")) {
        g_assert_cmphex(mcd_run_pc(rt, 0), ==, a->reset_pc);
    }

    /* The trigger is still armed. */
    mcd_run_load(rt, 0);
    mcd_run_core(rt, 0, false);
    assert_stop(rt, 0, id, "breakpoint", store);

    /* A core reset of just this core. */
    g_assert_cmpuint(mcd_run_call(rt, "mcd-rst", 0, "'rst-class-vector': 2,"
                                 " 'rst-and-halt': true"), ==,
                     MCD_RET_ACT_NONE);
    g_assert_cmpuint(state_of(rt, 0), ==, MCD_CORE_STATE_DEBUG);
    g_assert_cmpuint(mcd_run_call(rt, "mcd-rst", 0, "'rst-class-vector': 8,"
                                 " 'rst-and-halt': true"), ==,
                     MCD_RET_ACT_HANDLE_ERROR);
    mcd_assert_error(rt->t, rt->cores[0], MCD_ERR_PARAM);
    mcd_run_stop(rt);
}

/*
 * Four cores: per-core and global run, stop and step.  Secondary cores
 * may be powered off or waiting for a start-up IPI: "running" then shows
 * as HALTED, which is still not stopped under debug control.
 */
static bool is_stopped(RunTest *rt, int core)
{
    return state_of(rt, core) == MCD_CORE_STATE_DEBUG;
}

static void test_smp(void)
{
    RunTest *rt = mcd_run_start(4, "");
    uint64_t at;

    for (int i = 0; i < 4; i++) {
        mcd_run_load(rt, i);
    }
    mcd_run_core(rt, 0, true);
    g_assert_cmpuint(state_of(rt, 0), ==, MCD_CORE_STATE_RUNNING);
    for (int i = 0; i < 4; i++) {
        g_assert_false(is_stopped(rt, i));
    }

    /* One core stops, the others go on. */
    mcd_run_stop_core(rt, 2, false);
    g_assert_true(is_stopped(rt, 2));
    mcd_run_stop_core(rt, 0, false);
    g_assert_true(is_stopped(rt, 0));
    g_assert_false(is_stopped(rt, 1));
    g_assert_false(is_stopped(rt, 3));

    /* A stopped core can be stepped while others run. */
    at = mcd_run_pc(rt, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 1), ==, MCD_RET_ACT_NONE);
    g_assert_cmphex(mcd_run_pc(rt, 0), !=, at);
    g_assert_false(is_stopped(rt, 1));
    g_assert_true(is_stopped(rt, 2));

    /* A global stop stops them all, in one request. */
    mcd_run_core(rt, 0, false);
    mcd_run_stop_core(rt, 1, true);
    for (int i = 0; i < 4; i++) {
        g_assert_true(is_stopped(rt, i));
    }

    /* One core runs alone; another is stepped meanwhile. */
    mcd_run_core(rt, 1, false);
    g_assert_false(is_stopped(rt, 1));
    at = mcd_run_pc(rt, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 2), ==, MCD_RET_ACT_NONE);
    g_assert_cmphex(mcd_run_pc(rt, 0), !=, at);
    g_assert_true(is_stopped(rt, 0));
    g_assert_true(is_stopped(rt, 3));
    g_assert_false(is_stopped(rt, 1));
    mcd_run_stop_core(rt, 1, false);

    /* A core taken out of global run control stays as it is. */
    g_assert_cmpuint(mcd_run_call(rt, "mcd-set-global", 3, "'enable': false"),
                     ==, MCD_RET_ACT_NONE);
    mcd_run_core(rt, 0, true);
    g_assert_true(is_stopped(rt, 3));
    for (int i = 0; i < 3; i++) {
        g_assert_false(is_stopped(rt, i));
    }
    mcd_run_core(rt, 3, false);
    mcd_run_stop_core(rt, 0, true);
    g_assert_false(is_stopped(rt, 3));
    for (int i = 0; i < 3; i++) {
        g_assert_true(is_stopped(rt, i));
    }
    mcd_run_stop_core(rt, 3, false);
    mcd_run_stop(rt);
}

/* The GDB stub attached at the same time keeps working, and so do we. */
static void test_with_gdb(void)
{
    g_autofree char *gdb_path = g_strdup_printf("%s/gdb-rc-%d.sock",
                                                g_get_tmp_dir(), getpid());
    g_autofree char *extra = g_strdup_printf("-gdb unix:%s,server=on,"
                                             "wait=off", gdb_path);
    RunTest *rt = mcd_run_start(1, extra);
    const RunArch *a = rt->a;
    uint64_t store = a->base + a->loop[2];
    uint64_t add = a->base + a->loop[1];
    g_autofree char *z0 = g_strdup_printf("Z0,%" PRIx64 ",4", add);
    g_autofree char *z0_off = g_strdup_printf("z0,%" PRIx64 ",4", add);
    uint32_t id;
    char *reply;
    int gdb;

    mcd_run_load(rt, 0);
    id = create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->logical, store, 0);

    /* A gdb that connects clears its breakpoints, not ours. */
    gdb = mcd_gdb_connect(gdb_path);
    g_free(mcd_gdb_cmd(gdb, "?"));
    mcd_run_core(rt, 0, false);
    assert_stop(rt, 0, id, "breakpoint", store);

    /* gdb sees the same stopped core. */
    reply = mcd_gdb_cmd(gdb, "qC");
    g_assert_nonnull(reply);
    g_free(reply);

    /*
     * gdb's own breakpoint stops the machine, gdb is told, we know.  (A
     * gdb continue does not step over our breakpoint, so step off it.)
     */
    g_assert_cmpuint(mcd_run_step(rt, 0, 1), ==, MCD_RET_ACT_NONE);
    reply = mcd_gdb_cmd(gdb, z0);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    reply = mcd_gdb_cmd(gdb, "c");
    g_assert_cmpint(reply[0], ==, 'T');
    g_free(reply);
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, add);
    g_assert_cmpuint(state_of(rt, 0), ==, MCD_CORE_STATE_DEBUG);
    reply = mcd_gdb_cmd(gdb, z0_off);
    g_free(reply);

    /* And our trigger still fires after gdb let the machine go. */
    mcd_run_core(rt, 0, false);
    assert_stop(rt, 0, id, "breakpoint", store);
    close(gdb);
    mcd_run_stop(rt);
    unlink(gdb_path);
}

static void test_triggers_misc(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;
    uint32_t ids[3];
    QDict *r;

    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig-info', 'arguments':"
                " {'core-uid': %u}}", rt->cores[0]);
    {
        QDict *ti = qdict_get_qdict(r, "trig-info");
        uint32_t type = qdict_get_int(ti, "type");

        g_assert_cmphex(type & MCD_TRIG_TYPE_IP, !=, 0);
        g_assert_cmphex(type & MCD_TRIG_TYPE_READ, !=, 0);
        g_assert_cmphex(type & MCD_TRIG_TYPE_WRITE, !=, 0);
        g_assert_cmphex(type & MCD_TRIG_TYPE_RW, !=, 0);
        g_assert_cmpint(qdict_get_int(ti, "trig-number"), >, 0);
    }
    qobject_unref(r);
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-ctrigs', 'arguments':"
                " {'core-uid': %u, 'start-index': 0, 'num-ctrigs': 0}}",
                rt->cores[0]);
    g_assert_cmpint(qdict_get_int(r, "num-ctrigs"), ==, 0);
    qobject_unref(r);

    /* Refused: physical addresses, unknown types, wrapping ranges. */
    g_assert_cmpuint(create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->phys,
                                 a->base, 0), ==, 0);
    mcd_assert_error(rt->t, rt->cores[0], MCD_ERR_TRIG_CREATE);
    g_assert_cmpuint(create_trig(rt, 0, MCD_TRIG_TYPE_NOCYCLE, rt->logical,
                                 a->base, 0), ==, 0);
    mcd_assert_error(rt->t, rt->cores[0], MCD_ERR_TRIG_CREATE);
    g_assert_cmpuint(create_trig(rt, 0, MCD_TRIG_TYPE_WRITE, rt->logical,
                                 UINT64_MAX - 1, 64), ==, 0);
    mcd_assert_error(rt->t, rt->cores[0], MCD_ERR_TRIG_CREATE);

    /* The trigger set lists, removes, and is gone with its core. */
    for (int i = 0; i < 3; i++) {
        ids[i] = create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->logical,
                             a->base + 4 * i, 0);
        g_assert_cmpuint(ids[i], !=, 0);
    }
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig-set', 'arguments':"
                " {'core-uid': %u, 'start-index': 0, 'num-trigs': 8}}",
                rt->cores[0]);
    g_assert_cmpint(qdict_get_int(r, "num-trigs"), ==, 3);
    qobject_unref(r);
    remove_trig(rt, 0, ids[1]);
    g_assert_cmpuint(mcd_run_call(rt, "mcd-remove-trig", 0, "'trig-id': 4242"),
                     ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(mcd_run_call(rt, "mcd-activate-trig-set", 0, NULL), ==,
                     MCD_RET_ACT_NONE);
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig-set-state', 'arguments':"
                " {'core-uid': %u}}", rt->cores[0]);
    g_assert_true(qdict_get_bool(qdict_get_qdict(r, "trig-state"), "active"));
    qobject_unref(r);
    g_assert_cmpuint(mcd_run_call(rt, "mcd-remove-trig-set", 0, NULL), ==,
                     MCD_RET_ACT_NONE);
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig-set', 'arguments':"
                " {'core-uid': %u, 'start-index': 0, 'num-trigs': 0}}",
                rt->cores[0]);
    g_assert_cmpint(qdict_get_int(r, "num-trigs"), ==, 0);
    qobject_unref(r);

    create_trig(rt, 0, MCD_TRIG_TYPE_IP, rt->logical, a->base, 0);
    g_assert_cmpuint(mcd_run_call(rt, "mcd-close-core", 0, NULL), ==,
                     MCD_RET_ACT_NONE);
    rt->cores[0] = mcd_open_core(rt->t, 0);
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trig-set', 'arguments':"
                " {'core-uid': %u, 'start-index': 0, 'num-trigs': 0}}",
                rt->cores[0]);
    g_assert_cmpint(qdict_get_int(r, "num-trigs"), ==, 0);
    qobject_unref(r);
    /* Nothing is left in the CPU either: the program runs through. */
    mcd_run_load(rt, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 3), ==, MCD_RET_ACT_NONE);
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, mcd_run_expected_pc(a, 3));
    mcd_run_stop(rt);
}

/* Core 0's virtual time, in picoseconds. */
static uint64_t current_time(RunTest *rt)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-qry-current-time',"
                       " 'arguments': {'core-uid': %u}}", rt->cores[0]);
    uint64_t t = mcd_get_u64(r, "current-time");

    qobject_unref(r);
    return t;
}

static void test_time_and_commands(void)
{
    RunTest *rt = mcd_run_start(1, "");
    uint64_t t0, t1;
    QDict *r;

    mcd_run_load(rt, 0);
    /*
     * Run for 5 ms of virtual time, in picoseconds, until the guest has
     * counted: on a loaded host the vCPU thread may get no CPU in 5 ms.
     */
    for (int i = 0; i < 400 && !mcd_run_counter(rt); i++) {
        t0 = current_time(rt);
        r = mcd_ret(rt->t, "{'execute': 'mcd-run-until', 'arguments':"
                    " {'core-uid': %u, 'global': false, 'absolute-time':"
                    " false, 'run-until-time': 5000000000}}", rt->cores[0]);
        g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
        qobject_unref(r);
        r = mcd_run_wait_stopped(rt, 0);
        g_assert_nonnull(strstr(qdict_get_str(r, "stop-str"), "run-until"));
        qobject_unref(r);
        t1 = current_time(rt);
        g_assert_cmpuint(t1 - t0, >=, 5000000000ULL);
    }
    g_assert_cmpuint(mcd_run_counter(rt), >, 0);

    /* A time in the past is refused. */
    r = mcd_ret(rt->t, "{'execute': 'mcd-run-until', 'arguments':"
                " {'core-uid': %u, 'global': false, 'absolute-time': true,"
                " 'run-until-time': 1}}", rt->cores[0]);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);

    /* Commands are monitor commands. */
    r = mcd_ret(rt->t, "{'execute': 'mcd-execute-command', 'arguments':"
                " {'core-uid': %u, 'command-string': 'info status',"
                " 'result-string-size': 1024}}", rt->cores[0]);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_nonnull(strstr(qdict_get_str(r, "result-string"), "VM status"));
    qobject_unref(r);
    r = mcd_ret(rt->t, "{'execute': 'mcd-execute-command', 'arguments':"
                " {'core-uid': %u, 'command-string': 'info status',"
                " 'result-string-size': 4}}", rt->cores[0]);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(rt->t, rt->cores[0], MCD_ERR_RESULT_TOO_LONG);
    mcd_run_stop(rt);
}

/* A client that leaves a running, triggered core does not hang it. */
static void test_disconnect_running(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;
    uint32_t c;

    mcd_run_load(rt, 0);
    create_trig(rt, 0, MCD_TRIG_TYPE_WRITE, rt->logical, a->data, 4);
    mcd_run_core(rt, 0, false);
    mcd_run_wait_stopped(rt, 0);
    mcd_disconnect(rt->t);
    mcd_connect(rt->t);
    mcd_open_server(rt->t);
    rt->cores[0] = mcd_open_core(rt->t, 0);
    c = mcd_run_counter(rt);
    /* Its trigger went away with the old client. */
    mcd_run_core(rt, 0, false);
    g_usleep(20000);
    g_assert_cmpuint(state_of(rt, 0), ==, MCD_CORE_STATE_RUNNING);
    g_assert_cmpuint(mcd_run_counter(rt), >, c);
    mcd_run_stop(rt);
}

static char *step_request(RunTest *rt, uint32_t n)
{
    return g_strdup_printf("{\"execute\": \"mcd-step\", \"arguments\": "
                           "{\"core-uid\": %u, \"global\": false, "
                           "\"step-type\": %d, \"n-steps\": %u}}\n",
                           rt->cores[0], MCD_CORE_STEP_TYPE_INSTR, n);
}

/* The return status of the next answer, which must be one. */
static uint32_t next_status(RunTest *rt)
{
    g_autofree char *line = mcd_recv_line(rt->t);
    QDict *rsp, *ret;
    uint32_t status;

    g_assert_nonnull(line);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    ret = qdict_get_qdict(rsp, "return");
    g_assert_nonnull(ret);
    status = mcd_status(ret);
    qobject_unref(rsp);
    return status;
}

/*
 * A client that leaves during a long step, at any point of it, leaves
 * QEMU running, the server released and the core stopped, not stepping.
 * (This used to abort QEMU in a coroutine, or crash in the gdbstub.)
 */
static void test_disconnect_stepping(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const RunArch *a = rt->a;
    QDict *r;

    mcd_run_load(rt, 0);
    for (int i = 0; i < 12; i++) {
        g_autofree char *req = step_request(rt, 20000000);

        mcd_send_raw(rt->t, req);
        g_usleep((i % 4) * 3000);
        mcd_disconnect(rt->t);
        mcd_connect(rt->t);
        mcd_open_server(rt->t);
        rt->cores[0] = mcd_open_core(rt->t, 0);
        g_assert_cmpuint(state_of(rt, 0), ==, MCD_CORE_STATE_DEBUG);
    }
    /* The core still steps exactly. */
    mcd_run_load(rt, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 5), ==, MCD_RET_ACT_NONE);
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, mcd_run_expected_pc(a, 5));
    r = qtest_qmp(rt->t->qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    mcd_run_stop(rt);
}

/*
 * A step is answered when it ends; requests sent meanwhile wait behind
 * it in order, and an mcd-stop ends it at once.
 */
static void test_step_interrupted(void)
{
    RunTest *rt = mcd_run_start(1, "");
    g_autofree char *step = step_request(rt, 20000000);
    g_autofree char *rest = g_strdup_printf(
        "{\"execute\": \"mcd-qry-current-time\", \"arguments\": "
        "{\"core-uid\": %u}}\n"
        "{\"execute\": \"mcd-stop\", \"arguments\": "
        "{\"core-uid\": %u, \"global\": false}}\n",
        rt->cores[0], rt->cores[0]);
    g_autofree char *line = NULL;
    QDict *rsp, *s;

    mcd_run_load(rt, 0);
    mcd_send_raw(rt->t, step);
    g_usleep(50000);
    /* Still stepping: nothing answered yet. */
    g_assert_false(mcd_line_pending(rt->t, 0));
    mcd_send_raw(rt->t, rest);
    g_assert_cmpuint(next_status(rt), ==, MCD_RET_ACT_NONE);
    line = mcd_recv_line(rt->t);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    g_assert_true(qdict_haskey(qdict_get_qdict(rsp, "return"),
                               "current-time"));
    qobject_unref(rsp);
    g_assert_cmpuint(next_status(rt), ==, MCD_RET_ACT_NONE);

    s = state(rt, 0);
    g_assert_cmpint(qdict_get_int(s, "state"), ==, MCD_CORE_STATE_DEBUG);
    g_assert_nonnull(strstr(qdict_get_str(s, "stop-str"), "during a step"));
    qobject_unref(s);

    /* And the core steps again. */
    g_assert_cmpuint(mcd_run_step(rt, 0, 1), ==, MCD_RET_ACT_NONE);
    mcd_run_stop(rt);
}

/*
 * RISC-V: execute triggers the guest programmed itself, one of them on
 * its trap vector.  Stepping onto either must not loop in the vCPU, and
 * a core spinning through its breakpoint traps still stops.
 */
static void test_guest_triggers(void)
{
    RunTest *rt = mcd_run_start(1, "");
    uint64_t base = rt->a->base;
    /* mcontrol: type 2, execute in M, S and U mode, action: breakpoint */
    const uint64_t exec_trigger = (2ULL << 60) | 0x5c;
    QDict *s;

    mcd_run_load(rt, 0);
    mcd_write_reg(rt->t, rt->cores[0], "mtvec", base + 8);
    for (int i = 0; i < 2; i++) {
        mcd_write_reg(rt->t, rt->cores[0], "tselect", i);
        mcd_write_reg(rt->t, rt->cores[0], "tdata1", exec_trigger);
        mcd_write_reg(rt->t, rt->cores[0], "tdata2", base + 12 - 4 * i);
    }

    /* Single-stepping overrides breakpoints: the steps just go on. */
    g_assert_cmpuint(mcd_run_step(rt, 0, 3), ==, MCD_RET_ACT_NONE);
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, mcd_run_expected_pc(rt->a, 3));

    /* Running, the trigger at +12 traps to +8, which traps again. */
    mcd_run_core(rt, 0, false);
    g_usleep(100000);
    mcd_run_stop_core(rt, 0, false);
    s = mcd_run_wait_stopped(rt, 0);
    qobject_unref(s);
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, base + 8);
    g_assert_cmpuint(mcd_read_reg(rt->t, rt->cores[0], "mcause"), ==, 3);
    mcd_run_stop(rt);
}

/*
 * i386: a write watchpoint on the stack that an interrupt entry pushes
 * to.  TCG delivers the "int" with the BQL held; the watchpoint, hit
 * again on the replayed push, must not take it a second time.
 */
static void test_watch_interrupt_entry(void)
{
    RunTest *rt = mcd_run_start(1, "");
    static const uint8_t code[] = { 0xcd, 0x20, 0xeb, 0xfe }; /* int; jmp $ */
    static const uint8_t vector[] = { 0x00, 0x81, 0x00, 0x00 }; /* 0:8100 */
    static const uint8_t iret = 0xcf;
    uint32_t id;
    QDict *s;

    mcd_write(rt->t, rt->cores[0], rt->phys, 0x8000, code, sizeof(code));
    mcd_write(rt->t, rt->cores[0], rt->phys, 0x20 * 4, vector, 4);
    mcd_write(rt->t, rt->cores[0], rt->phys, 0x8100, &iret, 1);
    mcd_write_reg(rt->t, rt->cores[0], "cs", 0);
    mcd_write_reg(rt->t, rt->cores[0], "ss", 0);
    mcd_write_reg(rt->t, rt->cores[0], "esp", 0x7000);
    mcd_write_reg(rt->t, rt->cores[0], "eip", 0x8000);
    id = create_trig(rt, 0, MCD_TRIG_TYPE_WRITE, rt->logical, 0x6ffa, 6);
    g_assert_cmpuint(id, !=, 0);

    mcd_run_core(rt, 0, false);
    s = mcd_run_wait_stopped(rt, 0);
    g_assert_cmpint(qdict_get_int(s, "trig-id"), ==, id);
    qobject_unref(s);
    /* Stopped in the handler, the entry's three words pushed. */
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, 0x8100);
    g_assert_cmphex(mcd_read_reg(rt->t, rt->cores[0], "esp"), ==, 0x6ffa);
    mcd_run_stop(rt);
}

/* RISC-V: a core reset in VS mode leaves virtualization mode. */
static void test_reset_leaves_virt(void)
{
    RunTest *rt = mcd_run_start(1, "");

    mcd_write_reg(rt->t, rt->cores[0], "priv", 5);       /* VS */
    g_assert_cmpuint(mcd_read_reg(rt->t, rt->cores[0], "priv"), ==, 5);
    g_assert_cmpuint(mcd_run_call(rt, "mcd-rst", 0, "'rst-class-vector': 2,"
                                 " 'rst-and-halt': true"), ==,
                     MCD_RET_ACT_NONE);
    g_assert_cmpuint(mcd_read_reg(rt->t, rt->cores[0], "priv"), ==, 3);
    /* The next mode change finds a consistent hart. */
    mcd_write_reg(rt->t, rt->cores[0], "priv", 1);
    g_assert_cmpuint(mcd_read_reg(rt->t, rt->cores[0], "priv"), ==, 1);
    mcd_run_stop(rt);
}

void mcd_runctl_tests_register(void)
{
    if (!mcd_run_arch()) {
        return;
    }
    qtest_add_func("/mcd/runctl/breakpoint", test_breakpoint);
    qtest_add_func("/mcd/runctl/watchpoints", test_watchpoints);
    qtest_add_func("/mcd/runctl/step", test_step);
    qtest_add_func("/mcd/runctl/reset", test_reset);
    qtest_add_func("/mcd/runctl/smp", test_smp);
    qtest_add_func("/mcd/runctl/with-gdb", test_with_gdb);
    qtest_add_func("/mcd/runctl/triggers", test_triggers_misc);
    qtest_add_func("/mcd/runctl/time-and-commands", test_time_and_commands);
    qtest_add_func("/mcd/runctl/disconnect-running", test_disconnect_running);
    qtest_add_func("/mcd/runctl/disconnect-stepping",
                   test_disconnect_stepping);
    qtest_add_func("/mcd/runctl/step-interrupted", test_step_interrupted);
    if (!strcmp(mcd_run_arch()->arch, "riscv64")) {
        qtest_add_func("/mcd/runctl/guest-triggers", test_guest_triggers);
        qtest_add_func("/mcd/runctl/reset-leaves-virt",
                       test_reset_leaves_virt);
    }
    if (!strcmp(mcd_run_arch()->arch, "i386")) {
        qtest_add_func("/mcd/runctl/watch-interrupt-entry",
                       test_watch_interrupt_entry);
    }
}
