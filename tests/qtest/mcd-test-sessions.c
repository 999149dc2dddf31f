/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: several debuggers on one machine
 *
 * xlnx-zcu102 with -smp 6 has two CPU clusters, four Cortex-A53 and two
 * Cortex-R5F cores: one debugger session takes an A53, another an R5F,
 * as AMP debugging does.  QEMU starts every core but one powered off;
 * with the R5F as boot core, its PSCI emulation is on.  The A53
 * debugger releases its core from reset by writing the CRF's
 * RST_FPD_APU register, as a debugger script on the board would, and
 * the A53's program, at EL3, powers the R5F on through PSCI in AArch32.
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

#define ZCU102 "-M xlnx-zcu102,secure=on -smp 6 -m 128M -accel tcg -S " \
               "-global xlnx-zynqmp.boot-cpu=rpu-cpu[0]"

#define ELF_ARM 40
#define ELF_AARCH64 183

#define CRF_RST_FPD_APU 0xfd1a0104ULL
#define SESSIONS_MAX 16

/* Before the A53's counting loop: start the R5F. */
static const uint8_t prologue_a53[] = {
    0x1f, 0x11, 0x1e, 0xd5,     /* msr scr_el3, xzr: AArch32 below */
    0x60, 0x00, 0x80, 0xd2,     /* mov x0, #3 */
    0x00, 0x80, 0xb0, 0xf2,     /* movk x0, #0x8400, lsl #16: CPU_ON */
    0x81, 0x00, 0x80, 0xd2,     /* mov x1, #4: the first R5F */
    0x02, 0x04, 0xa0, 0xd2,     /* mov x2, #0x200000: R5F_BASE */
    0x03, 0x00, 0x80, 0xd2,     /* mov x3, #0 */
    0x03, 0x00, 0x00, 0xd4,     /* smc #0 */
    0x1f, 0x20, 0x03, 0xd5,     /* nop */
};

#define A53_BASE 0x100000ULL
#define A53_PROLOGUE 8          /* instructions of prologue_a53 */
#define A53_LOOP (A53_BASE + 4 * A53_PROLOGUE)
#define R5F_BASE 0x200000ULL
#define R5F_LOOP R5F_BASE

/* One debugger: a connection with its server and one open core. */
typedef struct Debugger {
    MCDTest *t;
    uint32_t core;
    uint32_t phys, logical;
} Debugger;

typedef struct Amp {
    MCDTest *t;                 /* owns QEMU; its connection is unused */
    Debugger a53, r5f;
} Amp;

static void debugger_open(Debugger *d, MCDTest *t, uint32_t dev)
{
    d->t = t;
    mcd_open_server(t);
    d->core = mcd_open_core_at(t, dev, 0);
    d->phys = mcd_find_space(t, d->core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    d->logical = mcd_find_space(t, d->core, MCD_MEM_SPACE_IS_LOGICAL, NULL);
}

static uint32_t call(Debugger *d, const char *cmd, const char *more)
{
    g_autofree char *req = g_strdup_printf(
        "{'execute': '%s', 'arguments': {'core-uid': %u%s%s}}", cmd,
        d->core, more ? ", " : "", more ?: "");
    QDict *r = mcd_ret_text(d->t, req);
    uint32_t st = mcd_status(r);

    qobject_unref(r);
    return st;
}

static QDict *state(Debugger *d)
{
    QDict *r = mcd_ret(d->t, "{'execute': 'mcd-qry-state', 'arguments':"
                       " {'core-uid': %u}}", d->core);
    QDict *s = qdict_get_qdict(r, "state");

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_ref(s);
    qobject_unref(r);
    return s;
}

/* Wait until @d's core has stopped; its state (caller unrefs). */
static QDict *wait_stopped(Debugger *d)
{
    for (int i = 0; i < 10000; i++) {
        QDict *s = state(d);

        if (qdict_get_int(s, "state") == MCD_CORE_STATE_DEBUG) {
            return s;
        }
        qobject_unref(s);
        g_usleep(1000);
    }
    g_assert_not_reached();
}

/* The counting loop at @loop, after @prologue_len bytes at @base. */
static void load(Debugger *d, uint64_t base, const uint8_t *prologue,
                 size_t prologue_len, const uint8_t *code, uint64_t loop)
{
    uint8_t zero[4] = { 0 };

    if (prologue_len) {
        mcd_write(d->t, d->core, d->phys, base, prologue, prologue_len);
    }
    mcd_write(d->t, d->core, d->phys, loop, code, MCD_LOOP_LEN);
    mcd_write(d->t, d->core, d->phys, loop + 0x40, zero, 4);
    mcd_write_reg(d->t, d->core, "pc", base);
}

/* The counter of the loop at @loop. */
static uint32_t counter(Debugger *d, uint64_t loop)
{
    uint8_t b[4];

    mcd_read(d->t, d->core, d->phys, loop + 0x40, b, 4);
    return ldl_le_p(b);
}

/* A breakpoint that stops every core in global run control. */
static uint32_t global_breakpoint(Debugger *d, uint64_t addr)
{
    QDict *r = mcd_ret(d->t, "{'execute': 'mcd-create-trig', 'arguments':"
                       " {'core-uid': %u, 'trig': {'trig-simple-core':"
                       " {'type': %u, 'option': 0, 'action': %u,"
                       " 'action-param': 0, 'modified': false,"
                       " 'state-mask': 0, 'addr-start': {'address': %"
                       PRIu64 ", 'mem-space-id': %u, 'addr-space-id': 0,"
                       " 'addr-space-type': 0}, 'addr-range': 1}}}}",
                       d->core, MCD_TRIG_TYPE_IP, MCD_TRIG_ACTION_DBG_GLOBAL,
                       addr, d->logical);
    uint32_t id;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    id = qdict_get_int(r, "trig-id");
    qobject_unref(r);
    return id;
}

static void remove_trig(Debugger *d, uint32_t id)
{
    g_autofree char *args = g_strdup_printf("'trig-id': %u", id);

    g_assert_cmpuint(call(d, "mcd-remove-trig", args), ==, MCD_RET_ACT_NONE);
}

static void run(Debugger *d)
{
    g_assert_cmpuint(call(d, "mcd-run", "'global': false"), ==,
                     MCD_RET_ACT_NONE);
}

static uint32_t step(Debugger *d, uint32_t n)
{
    g_autofree char *args = g_strdup_printf(
        "'global': false, 'step-type': %d, 'n-steps': %u",
        MCD_CORE_STEP_TYPE_INSTR, n);

    return call(d, "mcd-step", args);
}

/* A core leaves reset in its own thread; then it can step. */
static void wait_powered_on(Debugger *d)
{
    int i;

    for (i = 0; i < 1000 && step(d, 0) != MCD_RET_ACT_NONE; i++) {
        g_usleep(1000);
    }
    g_assert_cmpint(i, <, 1000);
}

/* Release A53 #0 from reset, as a board script would. */
static void power_on_a53(Debugger *d)
{
    uint8_t b[4];

    mcd_read(d->t, d->core, d->phys, CRF_RST_FPD_APU, b, 4);
    stl_le_p(b, ldl_le_p(b) & ~1u);
    mcd_write(d->t, d->core, d->phys, CRF_RST_FPD_APU, b, 4);
    wait_powered_on(d);
}

/* Both cores powered on and at their loops, each in its own session. */
static Amp *amp_start(void)
{
    Amp *amp = g_new0(Amp, 1);

    amp->t = mcd_test_start(ZCU102);
    debugger_open(&amp->a53, mcd_test_attach(amp->t, true), 0);
    debugger_open(&amp->r5f, mcd_test_attach(amp->t, true), 1);
    power_on_a53(&amp->a53);
    load(&amp->a53, A53_BASE, prologue_a53, sizeof(prologue_a53),
         mcd_loop_aarch64, A53_LOOP);
    g_assert_cmpuint(step(&amp->a53, A53_PROLOGUE), ==, MCD_RET_ACT_NONE);
    g_assert_cmphex(mcd_read_reg(amp->a53.t, amp->a53.core, "pc"), ==,
                    A53_LOOP);
    wait_powered_on(&amp->r5f);
    load(&amp->r5f, R5F_BASE, NULL, 0, mcd_loop_arm, R5F_LOOP);
    return amp;
}

static void amp_stop(Amp *amp)
{
    if (amp->a53.t) {
        mcd_test_detach(amp->a53.t);
    }
    if (amp->r5f.t) {
        mcd_test_detach(amp->r5f.t);
    }
    mcd_test_stop(amp->t);
    g_free(amp);
}

/* Two clusters, two devices, and each core's own architecture. */
static void test_hierarchy(void)
{
    MCDTest *t = mcd_test_start(ZCU102);
    QDict *r, *dev, *sys, *core;

    mcd_open_server(t);
    dev = mcd_device_info_at(t, 0);
    g_assert_nonnull(strstr(qdict_get_str(dev, "device"), "apu-cluster"));
    qobject_unref(dev);
    dev = mcd_device_info_at(t, 1);
    g_assert_nonnull(strstr(qdict_get_str(dev, "device"), "rpu-cluster"));

    r = mcd_ret(t, "{'execute': 'mcd-qry-cores', 'arguments':"
                " {'connection-info': %p, 'start-index': 0,"
                " 'num-cores': 0}}", dev);
    g_assert_cmpint(qdict_get_int(r, "num-cores"), ==, 2);
    qobject_unref(r);

    core = mcd_core_info_at(t, 0, 3);
    g_assert_cmpint(qdict_get_int(core, "core-type"), ==, ELF_AARCH64);
    g_assert_cmpint(qdict_get_int(core, "core-id"), ==, 3);
    qobject_unref(core);
    core = mcd_core_info_at(t, 1, 1);
    g_assert_cmpint(qdict_get_int(core, "core-type"), ==, ELF_ARM);
    g_assert_cmpint(qdict_get_int(core, "core-id"), ==, 5);
    g_assert_nonnull(strstr(qdict_get_str(core, "core"), "cortex-r5f"));
    qobject_unref(core);

    /* The system has two devices, not three. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-systems', 'arguments':"
                " {'start-index': 0, 'num-systems': 1}}");
    sys = qobject_to(QDict, qlist_peek(qdict_get_qlist(r,
                                                       "system-con-info")));
    qobject_ref(sys);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-devices', 'arguments':"
                " {'system-con-info': %p, 'start-index': 0,"
                " 'num-devices': 0}}", sys);
    g_assert_cmpint(qdict_get_int(r, "num-devices"), ==, 2);
    qobject_unref(r);
    mcd_test_stop(t);
}

/* A core open in one session is refused to the others. */
static void test_ownership(void)
{
    MCDTest *t = mcd_test_start(ZCU102);
    MCDTest *b = mcd_test_attach(t, true);
    QDict *info, *r, *e;
    uint32_t a_core, b_core;

    mcd_open_server(t);
    mcd_open_server(b);
    a_core = mcd_open_core_at(t, 0, 0);

    info = mcd_core_info_at(b, 0, 0);
    r = mcd_ret(b, "{'execute': 'mcd-open-core', 'arguments':"
                " {'core-con-info': %p}}", qobject_ref(info));
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    e = mcd_error_info(b, 0);
    g_assert_cmpint(qdict_get_int(e, "error-code"), ==,
                    MCD_ERR_DEVICE_LOCKED);
    g_assert_nonnull(strstr(qdict_get_str(e, "error-str"), "in use"));
    qobject_unref(e);

    /* Nor does another session reach the core through its uid. */
    r = mcd_ret(b, "{'execute': 'mcd-qry-state', 'arguments':"
                " {'core-uid': %u}}", a_core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);

    /* Once A leaves, the core is B's for the asking. */
    b_core = mcd_open_core_at(b, 1, 0);
    mcd_disconnect(t);
    for (int i = 0; i < 100; i++) {
        r = mcd_ret(b, "{'execute': 'mcd-open-core', 'arguments':"
                    " {'core-con-info': %p}}", qobject_ref(info));
        if (!mcd_status(r)) {
            break;
        }
        qobject_unref(r);
        r = NULL;
        g_usleep(10000);
    }
    g_assert_nonnull(r);
    g_assert_cmpuint(qdict_get_int(r, "core-uid"), !=, b_core);
    qobject_unref(r);
    qobject_unref(info);
    mcd_test_detach(b);
    mcd_test_stop(t);
}

/*
 * A global breakpoint of one debugger stops the other debugger's core,
 * which says who stopped it; and the other way round.
 */
static void test_cross_trigger(void)
{
    Amp *amp = amp_start();
    struct {
        Debugger *hit, *other;
        uint64_t at, other_loop;
        const char *who;
    } dirs[] = {
        { &amp->r5f, &amp->a53, R5F_LOOP + 12, A53_LOOP, "core 4" },
        { &amp->a53, &amp->r5f, A53_LOOP + 12, R5F_LOOP, "core 0" },
    };

    for (int i = 0; i < ARRAY_SIZE(dirs); i++) {
        Debugger *hit = dirs[i].hit, *other = dirs[i].other;
        uint32_t id = global_breakpoint(hit, dirs[i].at);
        uint32_t before = counter(other, dirs[i].other_loop);
        gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        QDict *s;

        /* The other core counts before the breakpoint stops it too. */
        run(other);
        while (counter(other, dirs[i].other_loop) == before) {
            g_assert_cmpint(g_get_monotonic_time(), <, end);
            g_usleep(1000);
        }
        run(hit);
        s = wait_stopped(hit);
        g_assert_cmpint(qdict_get_int(s, "trig-id"), ==, id);
        qobject_unref(s);
        g_assert_cmphex(mcd_read_reg(hit->t, hit->core, "pc"), ==,
                        dirs[i].at);

        s = wait_stopped(other);
        g_assert_nonnull(strstr(qdict_get_str(s, "stop-str"), dirs[i].who));
        qobject_unref(s);
        remove_trig(hit, id);
    }
    /* Both programs ran: each counted. */
    g_assert_cmpuint(counter(&amp->a53, A53_LOOP), >, 0);
    g_assert_cmpuint(counter(&amp->r5f, R5F_LOOP), >, 0);

    /* A core taken out of global run control is not stopped. */
    g_assert_cmpuint(call(&amp->a53, "mcd-set-global", "'enable': false"),
                     ==, MCD_RET_ACT_NONE);
    {
        uint32_t id = global_breakpoint(&amp->r5f, R5F_LOOP + 12);
        QDict *s;

        run(&amp->a53);
        run(&amp->r5f);
        s = wait_stopped(&amp->r5f);
        qobject_unref(s);
        g_usleep(50000);
        s = state(&amp->a53);
        g_assert_cmpint(qdict_get_int(s, "state"), ==, MCD_CORE_STATE_RUNNING);
        qobject_unref(s);
        g_assert_cmpuint(call(&amp->a53, "mcd-stop", "'global': false"), ==,
                         MCD_RET_ACT_NONE);
        remove_trig(&amp->r5f, id);
    }
    amp_stop(amp);
}

/* The A53 debugger leaves while the R5F sits at a breakpoint. */
static void test_leave_while_other_stopped(void)
{
    Amp *amp = amp_start();
    uint32_t id = global_breakpoint(&amp->r5f, R5F_LOOP + 12);
    uint32_t before;
    QDict *s;

    run(&amp->a53);
    run(&amp->r5f);
    s = wait_stopped(&amp->r5f);
    qobject_unref(s);
    before = counter(&amp->r5f, R5F_LOOP);

    mcd_test_detach(amp->a53.t);
    amp->a53.t = NULL;
    g_usleep(100000);

    /* Still stopped where it was, and still B's. */
    s = state(&amp->r5f);
    g_assert_cmpint(qdict_get_int(s, "state"), ==, MCD_CORE_STATE_DEBUG);
    g_assert_cmpint(qdict_get_int(s, "trig-id"), ==, id);
    qobject_unref(s);
    g_assert_cmphex(mcd_read_reg(amp->r5f.t, amp->r5f.core, "pc"), ==,
                    R5F_LOOP + 12);
    g_assert_cmpuint(counter(&amp->r5f, R5F_LOOP), ==, before);

    /* And it goes on to its next hit. */
    run(&amp->r5f);
    s = wait_stopped(&amp->r5f);
    qobject_unref(s);
    g_assert_cmpuint(counter(&amp->r5f, R5F_LOOP), ==, before + 1);
    amp_stop(amp);
}

/* Sessions that drop mid-request do not disturb another's step. */
static void test_drop_while_other_steps(void)
{
    Amp *amp = amp_start();
    MCDTest *c = mcd_test_attach(amp->t, true);
    const uint32_t n = 20000;
    g_autofree char *req = g_strdup_printf(
        "{\"execute\": \"mcd-step\", \"arguments\": {\"core-uid\": %u, "
        "\"global\": false, \"step-type\": %d, \"n-steps\": %u}}\n",
        amp->a53.core, MCD_CORE_STEP_TYPE_INSTR, n);
    g_autofree char *line = NULL;
    uint32_t counted;
    QDict *rsp;

    /* The R5F debugger leaves with a reset, C with a FIN, both mid-line. */
    mcd_send_raw(amp->r5f.t, "{\"execute\": \"mcd-step\", \"arguments\": ");
    mcd_send_raw(c, "{\"execute\": \"mcd-qry-sys");
    setsockopt(amp->r5f.t->fd, SOL_SOCKET, SO_LINGER,
               &(struct linger) { .l_onoff = 1, .l_linger = 0 },
               sizeof(struct linger));
    mcd_send_raw(amp->a53.t, req);
    mcd_test_detach(amp->r5f.t);
    amp->r5f.t = NULL;
    mcd_test_detach(c);

    line = mcd_recv_line(amp->a53.t);
    g_assert_nonnull(line);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    g_assert_cmpuint(mcd_status(qdict_get_qdict(rsp, "return")), ==,
                     MCD_RET_ACT_NONE);
    qobject_unref(rsp);

    /* All n steps ran: the counter went up once per four. */
    counted = counter(&amp->a53, A53_LOOP);
    g_assert_cmpuint(counted, >=, n / 4 - 1);
    g_assert_cmpuint(counted, <=, n / 4 + 1);
    g_assert_cmpuint(step(&amp->a53, 4), ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(counter(&amp->a53, A53_LOOP), ==, counted + 1);
    amp_stop(amp);
}

/* 16 debuggers at once; the 17th is told so and let go. */
static void test_session_limit(void)
{
    MCDTest *t = mcd_test_start(ZCU102);
    MCDTest *c[SESSIONS_MAX + 1];
    g_autofree char *line = NULL;
    QDict *rsp;

    c[0] = t;
    mcd_open_server(t);
    for (int i = 1; i < SESSIONS_MAX; i++) {
        c[i] = mcd_test_attach(t, true);
        mcd_open_server(c[i]);
    }
    /* Each session is whole: an own server handle, a core of its own. */
    mcd_open_core_at(c[SESSIONS_MAX - 1], 1, 1);

    c[SESSIONS_MAX] = mcd_test_attach(t, true);
    line = mcd_recv_line(c[SESSIONS_MAX]);
    g_assert_nonnull(line);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "at most 16"));
    qobject_unref(rsp);
    g_assert_null(mcd_recv_line(c[SESSIONS_MAX]));
    mcd_test_detach(c[SESSIONS_MAX]);

    /* When one leaves, the next one is served. */
    mcd_test_detach(c[1]);
    for (int i = 0; i < 100; i++) {
        MCDTest *n = mcd_test_attach(t, true);
        QDict *r = mcd_req(n, "{'execute': 'mcd-open-server', 'arguments':"
                           " {'system-key': '', 'config-string': ''}}");
        bool served = qdict_haskey(r, "return");

        qobject_unref(r);
        mcd_test_detach(n);
        if (served) {
            break;
        }
        g_assert_cmpint(i, <, 99);
        g_usleep(10000);
    }
    for (int i = 2; i < SESSIONS_MAX; i++) {
        mcd_test_detach(c[i]);
    }
    mcd_test_stop(t);
}

void mcd_sessions_tests_register(void)
{
    if (strcmp(qtest_get_arch(), "aarch64") ||
        !qtest_has_machine("xlnx-zcu102")) {
        return;
    }
    qtest_add_func("/mcd/sessions/hierarchy", test_hierarchy);
    qtest_add_func("/mcd/sessions/ownership", test_ownership);
    qtest_add_func("/mcd/sessions/cross-trigger", test_cross_trigger);
    qtest_add_func("/mcd/sessions/leave-while-other-stopped",
                   test_leave_while_other_stopped);
    qtest_add_func("/mcd/sessions/drop-while-other-steps",
                   test_drop_while_other_steps);
    qtest_add_func("/mcd/sessions/limit", test_session_limit);
}
