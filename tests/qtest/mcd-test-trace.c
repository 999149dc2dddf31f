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
                       rt->cores[0], TRACE_ID, state, mode, size, options);
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
                       rt->cores[0], TRACE_ID);
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
                       " 'packed': %i}}", rt->cores[0], TRACE_ID, start, n,
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
    qtest_add_func("/mcd/trace/run-data", test_trace_run_data);
    qtest_add_func("/mcd/trace/triggers", test_trace_triggers);
    qtest_add_func("/mcd/trace/off", test_trace_off);
}
