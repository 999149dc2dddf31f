/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: the core trace
 *
 * The counting loop of mcd-test-runctl.c runs with its core's trace
 * armed; the trace must hold exactly the instructions it executed, and
 * its loads and stores with their values.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qobject/qlist.h"
#include "mcd-util.h"
#include "mcd-test.h"

#define TRACE_ID 1
#define OPT_DATA 1

/* The core whose trace the helpers below act on. */
static int trace_core;

typedef struct Frame {
    uint64_t timestamp, addr, data;
    uint32_t marker, cycle, width;
} Frame;

static uint32_t trace_set(RunTest *rt, uint32_t state, uint32_t mode,
                          uint64_t size, uint32_t options)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-set-trace-state',"
                       " 'arguments': {'core-uid': %u, 'trace-id': %d,"
                       " 'state': {'state': %u, 'mode': %u,"
                       " 'autoarm': false, 'wraparound': false,"
                       " 'frames': 0, 'count': 0, 'size': %" PRIu64 ","
                       " 'trigger-delay': 0, 'timestamp-accuracy': 0,"
                       " 'timestamp-is-time': false, 'options': %u,"
                       " 'modified': false, 'info-str': ''}}}",
                       rt->cores[trace_core], TRACE_ID, state, mode, size,
                       options);
    uint32_t st = mcd_status(r);

    qobject_unref(r);
    return st;
}

static void trace_arm(RunTest *rt, uint64_t size, uint32_t options)
{
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_INIT, MCD_TRACE_MODE_FIFO,
                               size, options), ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_FIFO,
                               size, options), ==, MCD_RET_ACT_NONE);
}

/* The trace's state (caller unrefs). */
static QDict *trace_state(RunTest *rt)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trace-state',"
                       " 'arguments': {'core-uid': %u, 'trace-id': %d}}",
                       rt->cores[trace_core], TRACE_ID);
    QDict *s = qdict_get_qdict(r, "state");

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_ref(s);
    qobject_unref(r);
    return s;
}

static uint64_t trace_count(RunTest *rt)
{
    QDict *s = trace_state(rt);
    uint64_t n = mcd_get_u64(s, "count");

    qobject_unref(s);
    return n;
}

/* Up to @n frames from @start, in either encoding; how many came. */
static uint32_t trace_read_some(RunTest *rt, uint64_t start, uint32_t n,
                                bool packed, Frame *out)
{
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-read-trace', 'arguments':"
                       " {'core-uid': %u, 'trace-id': %d, 'start-index': %"
                       PRIu64 ", 'num-frames': %u, 'trace-data-size': %u,"
                       " 'packed': %i}}", rt->cores[trace_core], TRACE_ID,
                       start, n,
                       (unsigned)sizeof(mcd_trace_data_core_st),
                       packed);
    uint32_t got;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    got = qdict_get_int(r, "num-frames");
    g_assert_cmpuint(got, <=, n);
    if (packed) {
        gsize len;
        g_autofree uint8_t *b = g_base64_decode(
            qdict_get_str(r, "trace-data-packed"), &len);

        g_assert_cmpuint(len, ==, got * 40);
        for (uint32_t i = 0; i < got; i++) {
            const uint8_t *p = b + i * 40;

            out[i] = (Frame) {
                .timestamp = ldq_le_p(p), .addr = ldq_le_p(p + 8),
                .data = ldq_le_p(p + 16), .marker = ldl_le_p(p + 24),
                .cycle = ldl_le_p(p + 28), .width = p[36],
            };
            g_assert_cmpuint(ldl_le_p(p + 32), ==, rt->logical);
        }
    } else {
        QList *l = qdict_get_qlist(qdict_get_qdict(r, "trace-data"),
                                   "trace-data-core");
        uint32_t i = 0;

        g_assert_cmpuint(qlist_size(l), ==, got);
        for (const QListEntry *e = qlist_first(l); e; e = qlist_next(e), i++) {
            QDict *f = qobject_to(QDict, qlist_entry_obj(e));
            QDict *a = qdict_get_qdict(f, "addr");

            out[i] = (Frame) {
                .timestamp = mcd_get_u64(f, "timestamp"),
                .addr = mcd_get_u64(a, "address"),
                .data = mcd_get_u64(f, "data"),
                .marker = qdict_get_int(f, "marker"),
                .cycle = qdict_get_int(f, "cycle"),
                .width = qdict_get_int(f, "data-width"),
            };
            g_assert_cmpuint(qdict_get_int(a, "mem-space-id"), ==,
                             rt->logical);
        }
    }
    qobject_unref(r);
    return got;
}

/*
 * The whole trace, read in as many requests as it takes, in JSON and
 * packed, which must agree; sets *@n.
 */
static Frame *trace_read(RunTest *rt, uint64_t *n)
{
    QDict *s = trace_state(rt);
    uint64_t frames = mcd_get_u64(s, "frames");
    Frame *all = g_new0(Frame, frames + 1);
    g_autofree Frame *other = g_new0(Frame, frames + 1);

    qobject_unref(s);
    for (int packed = 0; packed < 2; packed++) {
        Frame *dst = packed ? other : all;
        uint64_t at = 0;

        while (at < frames) {
            uint32_t got = trace_read_some(rt, at, 100000, packed, dst + at);

            g_assert_cmpuint(got, >, 0);
            at += got;
        }
    }
    g_assert_cmpmem(all, frames * sizeof(Frame), other,
                    frames * sizeof(Frame));
    *n = frames;
    return all;
}

static RunTest *trace_start(void)
{
    RunTest *rt = mcd_run_start(1, "");

    mcd_run_load(rt, 0);
    return rt;
}

static void test_trace_sources(void)
{
    RunTest *rt = mcd_run_start(1, "");
    QDict *r = mcd_ret(rt->t, "{'execute': 'mcd-qry-traces', 'arguments':"
                       " {'core-uid': %u, 'start-index': 0,"
                       " 'num-traces': 8}}", rt->cores[0]);
    QDict *info, *s;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qdict_get_int(r, "num-traces"), ==, 1);
    info = qobject_to(QDict, qlist_peek(qdict_get_qlist(r, "trace-info")));
    g_assert_cmpint(qdict_get_int(info, "trace-id"), ==, TRACE_ID);
    g_assert_cmpint(qdict_get_int(info, "trace-type"), ==,
                    MCD_TRACE_TYPE_CORE);
    g_assert_cmpint(qdict_get_int(info, "trace-format"), ==,
                    MCD_TRACE_FORMAT_CORE_EXECUTE);
    g_assert_cmpint(qdict_get_int(info, "trace-modes"), ==,
                    MCD_TRACE_MODE_FIFO | MCD_TRACE_MODE_STACK);
    qobject_unref(r);

    s = trace_state(rt);
    g_assert_cmpint(qdict_get_int(s, "state"), ==, MCD_TRACE_STATE_OFF);
    g_assert_cmpint(mcd_get_u64(s, "count"), ==, 0);
    g_assert_cmpint(mcd_get_u64(s, "size"), ==, 65536);
    qobject_unref(s);

    /* Refused before anything is allocated or changed. */
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_FIFO,
                               UINT64_C(1) << 40, 0), ==,
                     MCD_RET_ACT_HANDLE_ERROR);
    mcd_assert_error(rt->t, rt->cores[0], MCD_ERR_PARAM);
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_LEACH,
                               0, 0), ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_ARM, MCD_TRACE_MODE_FIFO,
                               0, 6), ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(trace_set(rt, 0x77, MCD_TRACE_MODE_FIFO, 0, 0), ==,
                     MCD_RET_ACT_HANDLE_ERROR);
    r = mcd_ret(rt->t, "{'execute': 'mcd-qry-trace-state', 'arguments':"
                " {'core-uid': %u, 'trace-id': 7}}", rt->cores[0]);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    r = mcd_ret(rt->t, "{'execute': 'mcd-read-trace', 'arguments':"
                " {'core-uid': %u, 'trace-id': 1, 'start-index': 0,"
                " 'num-frames': 4294967295, 'trace-data-size': 64}}",
                rt->cores[0]);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    s = trace_state(rt);
    g_assert_cmpint(qdict_get_int(s, "state"), ==, MCD_TRACE_STATE_OFF);
    g_assert_cmpint(mcd_get_u64(s, "size"), ==, 65536);
    qobject_unref(s);
    mcd_run_stop(rt);
}

/* Single steps and one long step record exactly what they executed. */
static void test_trace_step(void)
{
    RunTest *rt = trace_start();
    const RunArch *a = rt->a;
    uint64_t pcs[40], n;
    g_autofree Frame *f = NULL;

    trace_arm(rt, 0, 0);
    for (int i = 0; i < 40; i++) {
        pcs[i] = mcd_run_pc(rt, 0);
        g_assert_cmphex(pcs[i], ==, mcd_run_expected_pc(a, i));
        g_assert_cmpuint(mcd_run_step(rt, 0, 1), ==, MCD_RET_ACT_NONE);
        g_free(mcd_run_wait_stopped(rt, 0));
    }
    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, 40);
    for (int i = 0; i < 40; i++) {
        g_assert_cmpuint(f[i].cycle, ==, MCD_TRACE_CYCLE_EXECUTE);
        g_assert_cmphex(f[i].addr, ==, pcs[i]);
        g_assert_cmpuint(f[i].timestamp, ==, i);
        /* Every step stops the core, and the next one runs it. */
        g_assert_cmphex(f[i].marker, ==, MCD_TRACE_MARKER_DEBUG |
                        (i ? MCD_TRACE_MARKER_RUN : 0));
    }
    g_clear_pointer(&f, g_free);

    /* 5000 in one step, after a new start of the trace. */
    trace_arm(rt, 0, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 5000), ==, MCD_RET_ACT_NONE);
    g_free(mcd_run_wait_stopped(rt, 0));
    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, 5000);
    for (int i = 0; i < 5000; i++) {
        g_assert_cmphex(f[i].addr, ==, mcd_run_expected_pc(a, 40 + i));
        g_assert_cmpuint(f[i].timestamp, ==, i);
    }
    g_assert_cmphex(f[4999].marker, ==, MCD_TRACE_MARKER_DEBUG);
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, mcd_run_expected_pc(a, 5040));
    mcd_run_stop(rt);
}

/*
 * Data triggers: TRACE_START on the store to the counter, TRACE_STOP on
 * its load.  A data trigger acts on the access, after its instruction
 * was recorded (or not), so each round records the store's data, the
 * branch and the load instruction.  A breakpoint on the add ends each
 * round.
 */
static void test_trace_data_triggers(void)
{
    RunTest *rt = trace_start();
    const RunArch *a = rt->a;
    g_autofree Frame *f = NULL;
    uint64_t n;

    g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_WRITE,
                                  MCD_TRIG_ACTION_TRACE_START, rt->logical,
                                  a->data, 4), !=, 0);
    g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_READ,
                                  MCD_TRIG_ACTION_TRACE_STOP, rt->logical,
                                  a->data, 4), !=, 0);
    g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_IP, 0, rt->logical,
                                  a->base + a->loop[1], 0), !=, 0);
    trace_arm(rt, 0, OPT_DATA);
    for (int round = 0; round < 4; round++) {
        mcd_run_core(rt, 0, false);
        g_free(mcd_run_wait_stopped(rt, 0));
        g_assert_cmphex(mcd_run_pc(rt, 0), ==, a->base + a->loop[1]);
    }
    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, 9);
    for (int i = 0; i < 9; i += 3) {
        g_assert_cmpuint(f[i].cycle, ==, MCD_TRACE_CYCLE_WRITE);
        g_assert_cmpuint(f[i].data, ==, i / 3 + 1);
        g_assert_true(f[i].marker & MCD_TRACE_MARKER_START);
        g_assert_cmphex(f[i + 1].addr, ==, a->base + a->loop[3]);
        g_assert_cmphex(f[i + 2].addr, ==, a->base + a->loop[0]);
        g_assert_cmpuint(f[i + 2].cycle, ==, MCD_TRACE_CYCLE_EXECUTE);
        g_assert_true(f[i + 2].marker & MCD_TRACE_MARKER_STOP);
    }
    mcd_run_stop(rt);
}

/* Which instruction of the loop is at @addr. */
static int loop_index(const RunArch *a, uint64_t addr)
{
    for (int k = 0; k < 4; k++) {
        if (a->base + a->loop[k] == addr) {
            return k;
        }
    }
    g_assert_not_reached();
}

/*
 * Running freely through chained blocks, then stopped at any point: a
 * small buffer wraps around, and what it keeps is still the loop in
 * order, every load and store with its value.
 */
static void test_trace_run_data(void)
{
    RunTest *rt = trace_start();
    const RunArch *a = rt->a;
    uint64_t n, counter;
    g_autofree Frame *f = NULL;
    QDict *s;
    int k = -1;

    trace_arm(rt, 4096, OPT_DATA);
    mcd_run_core(rt, 0, false);
    while (trace_count(rt) < 100000) {
        g_usleep(1000);
    }
    mcd_run_stop_core(rt, 0, false);
    g_free(mcd_run_wait_stopped(rt, 0));
    counter = mcd_run_counter(rt);

    s = trace_state(rt);
    g_assert_true(qdict_get_bool(s, "wraparound"));
    g_assert_cmpuint(mcd_get_u64(s, "frames"), ==, 4096);
    g_assert_cmpuint(mcd_get_u64(s, "count"), >=, 100000);
    qobject_unref(s);
    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, 4096);
    g_assert_true(f[0].marker & MCD_TRACE_MARKER_GAP);
    g_assert_true(f[n - 1].marker & MCD_TRACE_MARKER_DEBUG);

    for (uint64_t i = 0; i < n; i++) {
        if (f[i].cycle != MCD_TRACE_CYCLE_EXECUTE) {
            continue;
        }
        if (k < 0) {
            k = loop_index(a, f[i].addr);
        }
        g_assert_cmphex(f[i].addr, ==, a->base + a->loop[k]);
        /* The load and the store come right after their instruction. */
        if (k == 0 && i + 1 < n) {
            g_assert_cmpuint(f[i + 1].cycle, ==, MCD_TRACE_CYCLE_READ);
            g_assert_cmphex(f[i + 1].addr, ==, a->data);
            g_assert_cmpuint(f[i + 1].width, ==, 4);
            g_assert_cmpuint(f[i + 1].timestamp, ==, f[i].timestamp);
        }
        if (k == 2 && i + 1 < n) {
            g_assert_cmpuint(f[i + 1].cycle, ==, MCD_TRACE_CYCLE_WRITE);
            g_assert_cmphex(f[i + 1].addr, ==, a->data);
            if (i > 1 && f[i - 2].cycle == MCD_TRACE_CYCLE_READ) {
                g_assert_cmpuint(f[i + 1].data, ==, f[i - 2].data + 1);
            }
        }
        if (i + 1 < n && f[i + 1].cycle == MCD_TRACE_CYCLE_EXECUTE) {
            g_assert_cmpuint(f[i + 1].timestamp, ==, f[i].timestamp + 1);
        }
        k = (k + 1) % 4;
    }
    /* The last store in the trace is the counter's value. */
    for (uint64_t i = n; i-- > 0;) {
        if (f[i].cycle == MCD_TRACE_CYCLE_WRITE) {
            g_assert_cmpuint(f[i].data, ==, counter);
            break;
        }
    }
    mcd_run_stop(rt);
}

/*
 * Program flow only, running freely: runs of blocks are recorded and
 * expanded into frames at the stop.  Trace triggers added meanwhile (on
 * an address the loop never reaches) flush the code cache under the
 * running core, which expands what the old blocks ran.  A buffer of an
 * odd size keeps exactly the newest frames: the loop in order, with
 * timestamps that count every instruction.
 */
static void test_trace_run(void)
{
    RunTest *rt = trace_start();
    const RunArch *a = rt->a;
    uint64_t n, count, want = 20000;
    g_autofree Frame *f = NULL;
    QDict *s;
    int k;

    trace_arm(rt, 999, 0);
    mcd_run_core(rt, 0, false);
    for (int i = 0; i < 3; i++) {
        while (trace_count(rt) < want) {
            g_usleep(1000);
        }
        g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_IP,
                                      MCD_TRIG_ACTION_TRACE_START,
                                      rt->logical, a->base + 0x800 + i * 4,
                                      0), !=, 0);
        want *= 2;
    }
    mcd_run_stop_core(rt, 0, false);
    g_free(mcd_run_wait_stopped(rt, 0));

    s = trace_state(rt);
    g_assert_true(qdict_get_bool(s, "wraparound"));
    g_assert_cmpuint(mcd_get_u64(s, "frames"), ==, 999);
    count = mcd_get_u64(s, "count");
    g_assert_cmpuint(count, >=, want / 2);
    qobject_unref(s);
    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, 999);
    g_assert_true(f[0].marker & MCD_TRACE_MARKER_GAP);
    g_assert_true(f[n - 1].marker & MCD_TRACE_MARKER_DEBUG);
    /* Nothing was left out: the newest frame is instruction count - 1. */
    g_assert_cmpuint(f[n - 1].timestamp, ==, count - 1);
    k = loop_index(a, f[0].addr);
    for (uint64_t i = 0; i < n; i++, k = (k + 1) % 4) {
        g_assert_cmpuint(f[i].cycle, ==, MCD_TRACE_CYCLE_EXECUTE);
        g_assert_cmphex(f[i].addr, ==, a->base + a->loop[k]);
        g_assert_cmpuint(f[i].timestamp, ==, count - n + i);
    }
    /* The core stopped before the instruction after the newest frame. */
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, a->base + a->loop[k]);
    mcd_run_stop(rt);
}

/*
 * TRACE_START on the loop's add, TRACE_STOP on its branch: only the add
 * and the store are recorded, each time round.  A breakpoint on the
 * load ends each round.
 */
static void test_trace_triggers(void)
{
    RunTest *rt = trace_start();
    const RunArch *a = rt->a;
    g_autofree Frame *f = NULL;
    uint32_t bp;
    uint64_t n;

    g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_IP,
                                  MCD_TRIG_ACTION_TRACE_START, rt->logical,
                                  a->base + a->loop[1], 0), !=, 0);
    g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_IP,
                                  MCD_TRIG_ACTION_TRACE_STOP, rt->logical,
                                  a->base + a->loop[3], 0), !=, 0);
    bp = mcd_run_trig(rt, 0, MCD_TRIG_TYPE_IP, 0, rt->logical,
                      a->base + a->loop[0], 0);
    g_assert_cmpuint(bp, !=, 0);
    trace_arm(rt, 0, 0);
    for (int round = 0; round < 4; round++) {
        mcd_run_core(rt, 0, false);
        g_free(mcd_run_wait_stopped(rt, 0));
        g_assert_cmphex(mcd_run_pc(rt, 0), ==, a->base + a->loop[0]);
    }
    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, 6);
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(f[i].addr, ==, a->base + a->loop[1 + i % 2]);
        g_assert_cmphex(f[i].marker & (MCD_TRACE_MARKER_START |
                                       MCD_TRACE_MARKER_STOP), ==,
                        i % 2 ? MCD_TRACE_MARKER_STOP :
                                MCD_TRACE_MARKER_START);
    }
    /* Timestamps count what was not recorded too: four a round. */
    g_assert_cmpuint(f[2].timestamp, ==, f[0].timestamp + 4);
    g_assert_cmpuint(mcd_run_counter(rt), ==, 3);
    mcd_run_stop(rt);
}

/*
 * Programs that take an exception (a system call) and a timer interrupt,
 * at the loop's base; each handler is "nop; branch to itself" at
 * @handler.  The exception program's instructions at @flow lead to the
 * trap, the last of them.  The interrupt program's lead to enabling the
 * interrupt, and then it loops over the two instructions at @loop.
 * Assembled with llvm-mc from the sources in the comments.
 */

/* adr x0, vec; msr vbar_el1, x0; isb; svc #0; nop */
static const uint8_t aarch64_exc_code[] = {
    0x00, 0x40, 0x00, 0x10, 0x00, 0xc0, 0x18, 0xd5, 0xdf, 0x3f, 0x03, 0xd5,
    0x01, 0x00, 0x00, 0xd4, 0x1f, 0x20, 0x03, 0xd5,
};

/*
 * adr x0, vec; msr vbar_el1, x0; isb
 * GICD_CTLR = 1, GICD_ISENABLER0 = PPI 14 (EL1 physical timer)
 * GICC_CTLR = 1, GICC_PMR = 0xff
 * cntp_tval_el0 = 60000; cntp_ctl_el0 = 1; msr daifclr, #2
 * loop: nop; b loop
 */
static const uint8_t aarch64_irq_code[] = {
    0x00, 0x40, 0x00, 0x10, 0x00, 0xc0, 0x18, 0xd5, 0xdf, 0x3f, 0x03, 0xd5,
    0x01, 0x00, 0xa1, 0xd2, 0x22, 0x00, 0x80, 0x52, 0x22, 0x00, 0x00, 0xb9,
    0x02, 0x00, 0xa8, 0x52, 0x22, 0x00, 0x01, 0xb9, 0x23, 0x00, 0xa1, 0xd2,
    0x22, 0x00, 0x80, 0x52, 0x62, 0x00, 0x00, 0xb9, 0xe2, 0x1f, 0x80, 0x52,
    0x62, 0x04, 0x00, 0xb9, 0x02, 0x4c, 0x9d, 0xd2, 0x02, 0xe2, 0x1b, 0xd5,
    0x22, 0x00, 0x80, 0xd2, 0x22, 0xe2, 0x1b, 0xd5, 0xff, 0x42, 0x03, 0xd5,
    0x1f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17,
};

/* movw/movt r0, vec; mcr VBAR; isb; svc #0; nop */
static const uint8_t arm_exc_code[] = {
    0x00, 0x08, 0x01, 0xe3, 0x00, 0x00, 0x44, 0xe3, 0x10, 0x0f, 0x0c, 0xee,
    0x6f, 0xf0, 0x7f, 0xf5, 0x00, 0x00, 0x00, 0xef, 0x00, 0xf0, 0x20, 0xe3,
};

/*
 * movw/movt r0, vec; mcr VBAR; isb; the GIC as for AArch64;
 * CNTP_TVAL = 60000; CNTP_CTL = 1; cpsie i; loop: nop; b loop
 */
static const uint8_t arm_irq_code[] = {
    0x00, 0x08, 0x01, 0xe3, 0x00, 0x00, 0x44, 0xe3, 0x10, 0x0f, 0x0c, 0xee,
    0x6f, 0xf0, 0x7f, 0xf5, 0x00, 0x10, 0x00, 0xe3, 0x00, 0x18, 0x40, 0xe3,
    0x01, 0x20, 0xa0, 0xe3, 0x00, 0x20, 0x81, 0xe5, 0x01, 0x21, 0xa0, 0xe3,
    0x00, 0x21, 0x81, 0xe5, 0x00, 0x30, 0x00, 0xe3, 0x01, 0x38, 0x40, 0xe3,
    0x01, 0x20, 0xa0, 0xe3, 0x00, 0x20, 0x83, 0xe5, 0xff, 0x20, 0xa0, 0xe3,
    0x04, 0x20, 0x83, 0xe5, 0x60, 0x2a, 0x0e, 0xe3, 0x12, 0x2f, 0x0e, 0xee,
    0x01, 0x20, 0xa0, 0xe3, 0x32, 0x2f, 0x0e, 0xee, 0x80, 0x00, 0x08, 0xf1,
    0x00, 0xf0, 0x20, 0xe3, 0xfd, 0xff, 0xff, 0xea,
};

/* auipc t0, 0; addi t0, t0, 0x100; csrw mtvec, t0; ecall; nop */
static const uint8_t riscv64_exc_code[] = {
    0x97, 0x02, 0x00, 0x00, 0x93, 0x82, 0x02, 0x10, 0x73, 0x90, 0x52, 0x30,
    0x73, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00,
};

/*
 * mtvec as for the exception; mtimecmp = mtime + 2000;
 * csrw mie, MTIE; csrsi mstatus, MIE; loop: nop; j loop
 */
static const uint8_t riscv64_irq_code[] = {
    0x97, 0x02, 0x00, 0x00, 0x93, 0x82, 0x02, 0x10, 0x73, 0x90, 0x52, 0x30,
    0x37, 0x43, 0x00, 0x02, 0x37, 0xce, 0x00, 0x02, 0x83, 0x33, 0x8e, 0xff,
    0x93, 0x83, 0x03, 0x7d, 0x23, 0x30, 0x73, 0x00, 0x93, 0x0e, 0x00, 0x08,
    0x73, 0x90, 0x4e, 0x30, 0x73, 0x60, 0x04, 0x30, 0x13, 0x00, 0x00, 0x00,
    0x6f, 0xf0, 0xdf, 0xff,
};

/* mov $0x7000, %sp; IVT[0x80] = 0:0x8100; int $0x80; nop */
static const uint8_t i386_exc_code[] = {
    0xbc, 0x00, 0x70, 0xc7, 0x06, 0x00, 0x02, 0x00, 0x81, 0xc7, 0x06, 0x02,
    0x02, 0x00, 0x00, 0xcd, 0x80, 0x90,
};

/*
 * mov $0x7000, %sp; the local APIC disabled in IA32_APIC_BASE, so that
 * the 8259 interrupts the CPU directly (QEMU resets LINT0 masked);
 * IVT[8] = 0:0x8100; 8259 initialized with vector
 * base 8, all but IRQ 0 masked; 8254 counter 0 = 0x200, rate generator;
 * sti; loop: nop; jmp loop
 */
static const uint8_t i386_irq_code[] = {
    0xbc, 0x00, 0x70, 0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00, 0x0f, 0x32, 0x66,
    0x25, 0xff, 0xf7, 0xff, 0xff, 0x0f, 0x30, 0xc7, 0x06, 0x20, 0x00, 0x00,
    0x81, 0xc7, 0x06, 0x22, 0x00, 0x00, 0x00, 0xb0, 0x11, 0xe6, 0x20, 0xb0,
    0x08, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, 0xb0,
    0xfe, 0xe6, 0x21, 0xb0, 0x34, 0xe6, 0x43, 0xb0, 0x00, 0xe6, 0x40, 0xb0,
    0x02, 0xe6, 0x40, 0xfb, 0x90, 0xeb, 0xfd,
};

/* nop; branch to itself */
static const uint8_t aarch64_handler[] = {
    0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14,
};
static const uint8_t arm_handler[] = {
    0x00, 0xf0, 0x20, 0xe3, 0xfe, 0xff, 0xff, 0xea,
};
static const uint8_t riscv64_handler[] = {
    0x13, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00,
};
static const uint8_t i386_handler[] = { 0x90, 0xeb, 0xfe };

typedef struct TrapProg {
    const char *arch;
    const uint8_t *code;
    size_t len;
    const uint8_t *handler;
    size_t handler_len;
    uint64_t handler_at;        /* offsets from the program's base */
    uint64_t handler_next;      /* the handler's second instruction */
    uint16_t flow[24];
    int nflow;
    uint16_t loop[2];           /* interrupt programs only */
    uint16_t ret;               /* exception: where it returns to */
} TrapProg;

static const TrapProg trap_progs[] = {
    { "aarch64", aarch64_exc_code, sizeof(aarch64_exc_code),
      aarch64_handler, sizeof(aarch64_handler), 0xa00, 4,
      { 0, 4, 8, 12 }, 4, {}, 16 },
    { "arm", arm_exc_code, sizeof(arm_exc_code),
      arm_handler, sizeof(arm_handler), 0x808, 4,
      { 0, 4, 8, 12, 16 }, 5, {}, 20 },
    { "riscv64", riscv64_exc_code, sizeof(riscv64_exc_code),
      riscv64_handler, sizeof(riscv64_handler), 0x100, 4,
      { 0, 4, 8, 12 }, 4, {}, 12 },
    { "i386", i386_exc_code, sizeof(i386_exc_code),
      i386_handler, sizeof(i386_handler), 0x100, 1,
      { 0, 3, 9, 15 }, 4, {}, 17 },
};

static const TrapProg irq_progs[] = {
    { "aarch64", aarch64_irq_code, sizeof(aarch64_irq_code),
      aarch64_handler, sizeof(aarch64_handler), 0xa80, 4,
      { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64,
        68 }, 18, { 72, 76 } },
    { "arm", arm_irq_code, sizeof(arm_irq_code),
      arm_handler, sizeof(arm_handler), 0x818, 4,
      { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64,
        68, 72, 76, 80 }, 21, { 84, 88 } },
    { "riscv64", riscv64_irq_code, sizeof(riscv64_irq_code),
      riscv64_handler, sizeof(riscv64_handler), 0x100, 4,
      { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40 }, 11, { 44, 48 } },
    { "i386", i386_irq_code, sizeof(i386_irq_code),
      i386_handler, sizeof(i386_handler), 0x100, 1,
      { 0, 3, 9, 11, 17, 19, 25, 31, 33, 35, 37, 39, 41, 43, 45, 47, 49,
        51, 53, 55, 57, 59, 61, 63 }, 24, { 64, 65 } },
};

static const TrapProg *trap_prog(const TrapProg *progs)
{
    for (int i = 0; i < 4; i++) {
        if (!strcmp(progs[i].arch, qtest_get_arch())) {
            return &progs[i];
        }
    }
    g_assert_not_reached();
}

/*
 * Run @p with the trace armed until the handler's second instruction;
 * return the trace, with *@n frames.
 */
static Frame *trap_run(RunTest *rt, const TrapProg *p, uint64_t *n)
{
    uint64_t base = rt->a->base;

    /* The loop's registers and pc, then this program over it. */
    mcd_run_load(rt, 0);
    mcd_write(rt->t, rt->cores[0], rt->phys, base, p->code, p->len);
    mcd_write(rt->t, rt->cores[0], rt->phys, base + p->handler_at,
              p->handler, p->handler_len);
    g_assert_cmpuint(mcd_run_trig(rt, 0, MCD_TRIG_TYPE_IP, 0, rt->logical,
                                  base + p->handler_at + p->handler_next,
                                  0), !=, 0);
    trace_arm(rt, 0, 0);
    mcd_run_core(rt, 0, false);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_assert_cmphex(mcd_run_pc(rt, 0), ==,
                    base + p->handler_at + p->handler_next);
    return trace_read(rt, n);
}

/* Where the interrupted or trapping code resumes, from the handler. */
static uint64_t trap_return(RunTest *rt)
{
    const char *arch = rt->a->arch;
    uint8_t ip[2];

    if (!strcmp(arch, "aarch64")) {
        return mcd_read_reg(rt->t, rt->cores[0], "ELR_EL1");
    }
    if (!strcmp(arch, "arm")) {
        /* An exception's LR is the return address plus 4. */
        return mcd_read_reg(rt->t, rt->cores[0], "lr") - 4;
    }
    if (!strcmp(arch, "riscv64")) {
        return mcd_read_reg(rt->t, rt->cores[0], "mepc");
    }
    /* Real mode, CS = 0: the IP pushed last, under FLAGS and CS. */
    mcd_read(rt->t, rt->cores[0], rt->phys, 0x7000 - 6, ip, 2);
    return lduw_le_p(ip);
}

/* A system call: the trace goes from the trap into its handler. */
static void test_trace_exception(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const TrapProg *p = trap_prog(trap_progs);
    uint64_t base = rt->a->base, n, ret;
    g_autofree Frame *f = trap_run(rt, p, &n);

    g_assert_cmpuint(n, ==, p->nflow + 1);
    for (int i = 0; i < p->nflow; i++) {
        g_assert_cmphex(f[i].addr, ==, base + p->flow[i]);
    }
    g_assert_cmphex(f[p->nflow].addr, ==, base + p->handler_at);
    ret = trap_return(rt);
    if (strcmp(rt->a->arch, "arm")) {
        g_assert_cmphex(ret, ==, base + p->ret);
    } else {
        /* For SVC, LR is the next instruction itself. */
        g_assert_cmphex(ret + 4, ==, base + p->ret);
    }
    mcd_run_stop(rt);
}

/*
 * A timer interrupt taken in a loop: the trace is the loop in order up
 * to the last instruction that executed, which the interrupt returns
 * after, and then the handler.
 */
static void test_trace_interrupt(void)
{
    RunTest *rt = mcd_run_start(1, "");
    const TrapProg *p = trap_prog(irq_progs);
    uint64_t base = rt->a->base, n, last;
    g_autofree Frame *f = trap_run(rt, p, &n);

    QDict *s = trace_state(rt);
    /*
     * A timer the host delivers late lets the loop fill the buffer:
     * then only the loop is left, from either of its instructions.
     */
    bool wrapped = qdict_get_bool(s, "wraparound");
    uint64_t skip = wrapped ? 0 : p->nflow;
    int phase = wrapped && f[0].addr == base + p->loop[1];

    qobject_unref(s);
    g_assert_cmpuint(n, >, p->nflow + 1);
    for (uint64_t i = 0; i < n - 1; i++) {
        uint64_t want = i < skip ? p->flow[i] :
                        p->loop[(i - skip + phase) % 2];

        g_assert_cmphex(f[i].addr, ==, base + want);
    }
    g_assert_cmphex(f[n - 1].addr, ==, base + p->handler_at);
    last = f[n - 2].addr - base;
    g_assert_cmphex(trap_return(rt), ==,
                    base + (last == p->loop[0] ? p->loop[1] : p->loop[0]));
    mcd_run_stop(rt);
}

/* At 0x200 past the loop: nop; branch back to the nop. */
static const uint8_t spin_aarch64[] = {
    0x1f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17,
};
static const uint8_t spin_riscv64[] = {
    0x13, 0x00, 0x00, 0x00, 0x6f, 0xf0, 0xdf, 0xff,
};

/*
 * At 0x300 past the loop: PSCI CPU_ON of core 1 at 0x200 (x0 =
 * 0xc4000003, x1 = 1, x2 = 0x200 past the loop, x3 = 0, hvc #0), then
 * b loop.
 */
static const uint8_t psci_aarch64[] = {
    0x60, 0x00, 0x80, 0xd2, 0x00, 0x80, 0xb8, 0xf2, 0x21, 0x00, 0x80, 0xd2,
    0xa2, 0xf7, 0xff, 0x10, 0x03, 0x00, 0x80, 0xd2, 0x02, 0x00, 0x00, 0xd4,
    0x3a, 0xff, 0xff, 0x17,
};

/*
 * Two cores traced at once in one thread, which round-robin TCG runs
 * from one code cache: core 0 counts, core 1 spins in code only it
 * translates, and each trace holds its own core's instructions.  On
 * aarch64, where core 0 starts core 1 through PSCI, and on riscv64,
 * whose harts all run from reset.
 */
static void test_trace_two_cores(void)
{
    RunTest *rt = mcd_run_start(2, "-accel tcg,thread=single");
    const RunArch *a = rt->a;
    bool a64 = !strcmp(a->arch, "aarch64");
    uint64_t spin = a->base + 0x200, n;

    mcd_run_load(rt, 0);
    mcd_write(rt->t, rt->cores[0], rt->phys, spin,
              a64 ? spin_aarch64 : spin_riscv64, 8);
    if (a64) {
        mcd_write(rt->t, rt->cores[0], rt->phys, a->base + 0x300,
                  psci_aarch64, sizeof(psci_aarch64));
        mcd_write_reg(rt->t, rt->cores[0], a->pc, a->base + 0x300);
    } else {
        mcd_write_reg(rt->t, rt->cores[1], a->pc, spin);
    }
    for (trace_core = 0; trace_core < 2; trace_core++) {
        trace_arm(rt, 1024, OPT_DATA);
    }
    mcd_run_core(rt, 0, true);
    for (trace_core = 0; trace_core < 2; trace_core++) {
        while (trace_count(rt) < 100000) {
            g_usleep(1000);
        }
    }
    mcd_run_stop_core(rt, 0, true);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_free(mcd_run_wait_stopped(rt, 1));

    for (trace_core = 0; trace_core < 2; trace_core++) {
        g_autofree Frame *f = trace_read(rt, &n);

        g_assert_cmpuint(n, ==, 1024);
        for (uint64_t i = 0; i < n; i++) {
            if (trace_core) {
                g_assert_cmphex(f[i].addr, ==, spin + 4 * ((i & 1) ^
                                (f[0].addr != spin)));
            } else if (f[i].cycle == MCD_TRACE_CYCLE_EXECUTE) {
                loop_index(a, f[i].addr);
            } else {
                g_assert_cmphex(f[i].addr, ==, a->data);
            }
        }
    }
    trace_core = 0;
    mcd_run_stop(rt);
}

/*
 * Code the debugger rewrote, and a reset: the trace follows the new
 * code, and then the core from its reset vector.
 */
static void test_trace_rewrite_reset(void)
{
    static const uint8_t nop_a64[] = { 0x1f, 0x20, 0x03, 0xd5 };
    static const uint8_t nop_arm[] = { 0x00, 0xf0, 0x20, 0xe3 };
    static const uint8_t nop_rv[] = { 0x13, 0x00, 0x00, 0x00 };
    static const uint8_t nop_x86[] = { 0x90, 0x90 };
    RunTest *rt = trace_start();
    const RunArch *a = rt->a;
    bool x86 = !strcmp(a->arch, "i386");
    const uint8_t *nop = !strcmp(a->arch, "aarch64") ? nop_a64 :
                         !strcmp(a->arch, "arm") ? nop_arm :
                         x86 ? nop_x86 : nop_rv;
    uint64_t branch = a->base + a->loop[3], n, at;
    int steps = a->prologue + 3;
    g_autofree Frame *f = NULL;

    trace_arm(rt, 0, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, steps), ==, MCD_RET_ACT_NONE);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_assert_cmphex(mcd_run_pc(rt, 0), ==, branch);
    /* The loop's branch becomes a nop: the core falls through. */
    mcd_write(rt->t, rt->cores[0], rt->phys, branch, nop, x86 ? 2 : 4);
    g_assert_cmpuint(mcd_run_step(rt, 0, 2), ==, MCD_RET_ACT_NONE);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_assert_cmpuint(mcd_run_call(rt, "mcd-rst", 0, "'rst-class-vector': 1,"
                                  " 'rst-and-halt': true"), ==,
                     MCD_RET_ACT_NONE);
    at = mcd_run_pc(rt, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 1), ==, MCD_RET_ACT_NONE);
    g_free(mcd_run_wait_stopped(rt, 0));

    f = trace_read(rt, &n);
    g_assert_cmpuint(n, ==, steps + 3);
    for (int i = 0; i < steps; i++) {
        g_assert_cmphex(f[i].addr, ==, mcd_run_expected_pc(a, i));
    }
    g_assert_cmphex(f[steps].addr, ==, branch);
    g_assert_cmphex(f[steps + 1].addr, ==, branch + (x86 ? 1 : 4));
    /* Real mode after a reset: CS has base 0xffff0000. */
    g_assert_cmphex(f[steps + 2].addr, ==, at + (x86 ? 0xffff0000 : 0));
    g_assert_cmpuint(f[steps + 2].timestamp, ==, steps + 2);
    mcd_run_stop(rt);
}

/* A trace that is not armed records nothing, and a stopped one keeps. */
static void test_trace_off(void)
{
    RunTest *rt = trace_start();
    uint64_t n;

    mcd_run_core(rt, 0, false);
    g_usleep(20000);
    mcd_run_stop_core(rt, 0, false);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_assert_cmpuint(trace_count(rt), ==, 0);

    trace_arm(rt, 0, 0);
    g_assert_cmpuint(mcd_run_step(rt, 0, 10), ==, MCD_RET_ACT_NONE);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_OFF,
                               MCD_TRACE_MODE_NOCHANGE, 0, 0), ==,
                     MCD_RET_ACT_NONE);
    mcd_run_core(rt, 0, false);
    g_usleep(20000);
    mcd_run_stop_core(rt, 0, false);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_free(trace_read(rt, &n));
    g_assert_cmpuint(n, ==, 10);

    /* STACK: recording stops when the buffer is full. */
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_INIT,
                               MCD_TRACE_MODE_STACK, 16, 0), ==,
                     MCD_RET_ACT_NONE);
    g_assert_cmpuint(trace_set(rt, MCD_TRACE_STATE_ARM,
                               MCD_TRACE_MODE_NOCHANGE, 16, 0), ==,
                     MCD_RET_ACT_NONE);
    g_assert_cmpuint(mcd_run_step(rt, 0, 100), ==, MCD_RET_ACT_NONE);
    g_free(mcd_run_wait_stopped(rt, 0));
    g_assert_cmpuint(trace_count(rt), ==, 16);
    mcd_run_stop(rt);
}

void mcd_trace_tests_register(void)
{
    if (!mcd_run_arch()) {
        return;
    }
    qtest_add_func("/mcd/trace/sources", test_trace_sources);
    qtest_add_func("/mcd/trace/step", test_trace_step);
    qtest_add_func("/mcd/trace/run", test_trace_run);
    qtest_add_func("/mcd/trace/run-data", test_trace_run_data);
    qtest_add_func("/mcd/trace/triggers", test_trace_triggers);
    qtest_add_func("/mcd/trace/data-triggers", test_trace_data_triggers);
    qtest_add_func("/mcd/trace/exception", test_trace_exception);
    qtest_add_func("/mcd/trace/interrupt", test_trace_interrupt);
    qtest_add_func("/mcd/trace/rewrite-reset", test_trace_rewrite_reset);
    qtest_add_func("/mcd/trace/off", test_trace_off);
    if (!strcmp(qtest_get_arch(), "aarch64") ||
        !strcmp(qtest_get_arch(), "riscv64")) {
        qtest_add_func("/mcd/trace/two-cores", test_trace_two_cores);
    }
}
