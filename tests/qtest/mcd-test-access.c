/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: memory spaces, registers and transaction lists
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qobject/qjson.h"
#include "qapi/error.h"
#include "qemu/memfd.h"
#include <sys/mman.h>
#include "mcd-util.h"
#include "mcd-test.h"

/* What the tests expect of each target's machine with -m 128M. */
typedef struct AccessArch {
    const char *arch;
    uint64_t ram;           /* a free spot of RAM */
    uint64_t ram_end;       /* first address after RAM */
    uint64_t va_max;        /* largest logical address */
    const char *regs[6];    /* registers that must be listed */
    const char *scratch;    /* a general purpose register to write */
    uint64_t dev;           /* a 32-bit device register of the machine */
} AccessArch;

static const AccessArch access_arches[] = {
    { "aarch64", 0x40100000, 0x48000000, UINT64_MAX,
      { "x0", "x30", "sp", "pc", "cpsr", "ESR_EL1" }, "x1",
      0x08000000 /* GICD_CTLR */ },
    { "arm", 0x40100000, 0x48000000, UINT32_MAX,
      { "r0", "sp", "lr", "pc", "cpsr", "MAIR0" }, "r1",
      0x08000000 /* GICD_CTLR */ },
    { "riscv64", 0x80100000, 0x88000000, UINT64_MAX,
      { "zero", "ra", "sp", "pc", "mstatus", "mepc" }, "a1",
      0x0c000004 /* PLIC source 1 priority */ },
    { "i386", 0x100000, 0x8000000, UINT32_MAX,
      { "eax", "esp", "eip", "eflags", "xmm0", "mxcsr" }, "ecx",
      0xfee00080 /* local APIC TPR */ },
    { "x86_64", 0x100000, 0x8000000, UINT64_MAX,
      { "rax", "rsp", "rip", "eflags", "xmm0", "mxcsr" }, "rcx",
      0xfee00080 /* local APIC TPR */ },
};

static const AccessArch *access_arch(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(access_arches); i++) {
        if (!strcmp(access_arches[i].arch, qtest_get_arch())) {
            return &access_arches[i];
        }
    }
    g_assert_not_reached();
}

static bool arch_has_trustzone(void)
{
    return !strcmp(qtest_get_arch(), "aarch64") ||
           !strcmp(qtest_get_arch(), "arm");
}

/* The test machine with TrustZone: "-M virt,secure=on -cpu ..." */
static MCDTest *start_secure(void)
{
    return mcd_test_start("-M virt,secure=on -cpu %s -m 128M -accel tcg -S",
                          strcmp(qtest_get_arch(), "arm") ? "cortex-a53" :
                                                            "cortex-a15");
}

static MCDTest *start_tcg(const char *extra)
{
    return mcd_test_start("%s -m 128M -accel tcg %s", mcd_test_machine(),
                          extra);
}

static QList *mem_spaces(MCDTest *t, uint32_t core)
{
    QDict *r = mcd_ret(t, "{'execute': 'mcd-qry-mem-spaces', 'arguments':"
                       " {'core-uid': %u, 'start-index': 0,"
                       " 'num-mem-spaces': 64}}", core);
    QList *l = qdict_get_qlist(r, "mem-spaces");

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qlist_size(l), ==, qdict_get_int(r, "num-mem-spaces"));
    qobject_ref(l);
    qobject_unref(r);
    return l;
}

/*
 * Physical spaces, then logical ones, then the register space; IDs from
 * 1; on TrustZone machines a secure twin of each memory space.
 */
static void check_spaces(MCDTest *t, uint32_t core, bool secure)
{
    const AccessArch *a = access_arch();
    QList *l = mem_spaces(t, core);
    int n = qlist_size(l), i = 0;
    int per_kind = (n - 1) / 2;
    const QListEntry *e;

    g_assert_cmpint(n % 2, ==, 1);
    if (secure) {
        g_assert_cmpint(per_kind, ==, 2);
    }
    QLIST_FOREACH_ENTRY(l, e) {
        QDict *m = qobject_to(QDict, qlist_entry_obj(e));
        uint32_t type = qdict_get_int(m, "mem-type");
        const char *name = qdict_get_str(m, "mem-space-name");
        bool is_secure = type & MCD_MEM_SPACE_CUSTOM_LO;

        g_assert_cmpint(qdict_get_int(m, "mem-space-id"), ==, i + 1);
        g_assert_cmpint(qdict_get_int(m, "endian"), ==, MCD_ENDIAN_LITTLE);
        g_assert_cmpint(qdict_get_int(m, "bits-per-mau"), ==, 8);
        if (i < per_kind) {
            g_assert_cmphex(type & 0xff, ==, MCD_MEM_SPACE_IS_PHYSICAL);
            g_assert_nonnull(strstr(name, "Physical"));
            g_assert_cmpint(qdict_get_int(m, "num-mem-blocks"), >, 0);
        } else if (i < 2 * per_kind) {
            g_assert_cmphex(type & 0xff, ==, MCD_MEM_SPACE_IS_LOGICAL);
            g_assert_nonnull(strstr(name, "Logical"));
            g_assert_cmphex(mcd_get_u64(m, "max-addr"), ==, a->va_max);
        } else {
            g_assert_cmphex(type, ==, MCD_MEM_SPACE_IS_REGISTERS);
            g_assert_nonnull(strstr(name, "Registers"));
        }
        /* The second space of each kind is the secure one. */
        g_assert(is_secure == (secure && i < 2 * per_kind && i % 2 == 1));
        g_assert(!is_secure || strstr(name, "Secure"));
        i++;
    }
    qobject_unref(l);
}

static void test_mem_spaces(void)
{
    MCDTest *t = start_tcg("-S");
    uint32_t core;
    QDict *r;

    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    check_spaces(t, core, false);

    /* RAM is a block of the physical space; logical spaces have none. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-mem-blocks', 'arguments':"
                " {'core-uid': %u, 'mem-space-id': 1, 'start-index': 0,"
                " 'num-mem-blocks': 64}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    {
        const QListEntry *e;
        bool ram = false;

        QLIST_FOREACH_ENTRY(qdict_get_qlist(r, "mem-blocks"), e) {
            QDict *b = qobject_to(QDict, qlist_entry_obj(e));

            ram |= mcd_get_u64(b, "start-addr") <= access_arch()->ram &&
                   mcd_get_u64(b, "end-addr") >= access_arch()->ram;
        }
        g_assert_true(ram);
    }
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-mem-blocks', 'arguments':"
                " {'core-uid': %u, 'mem-space-id': %u, 'start-index': 0,"
                " 'num-mem-blocks': 0}}", core,
                mcd_find_space(t, core, MCD_MEM_SPACE_IS_LOGICAL, NULL));
    g_assert_cmpint(qdict_get_int(r, "num-mem-blocks"), ==, 0);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-mem-blocks', 'arguments':"
                " {'core-uid': %u, 'mem-space-id': 99, 'start-index': 0,"
                " 'num-mem-blocks': 1}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, core, MCD_ERR_MEM_SPACE_ID);
    r = mcd_ret(t, "{'execute': 'mcd-qry-active-overlays', 'arguments':"
                " {'core-uid': %u, 'start-index': 0,"
                " 'num-active-overlays': 0}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qdict_get_int(r, "num-active-overlays"), ==, 0);
    qobject_unref(r);
    mcd_test_stop(t);

    if (arch_has_trustzone()) {
        t = start_secure();
        mcd_open_server(t);
        check_spaces(t, mcd_open_core(t, 0), true);
        mcd_test_stop(t);
    }
}

static void test_registers(void)
{
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    g_autoptr(GHashTable) addrs = g_hash_table_new(NULL, NULL);
    uint32_t core, total, sum = 0, reg_space;
    QDict *r;
    const QListEntry *e;

    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    reg_space = mcd_find_space(t, core, MCD_MEM_SPACE_IS_REGISTERS, NULL);

    r = mcd_ret(t, "{'execute': 'mcd-qry-reg-groups', 'arguments':"
                " {'core-uid': %u, 'start-index': 0,"
                " 'num-reg-groups': 128}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    QLIST_FOREACH_ENTRY(qdict_get_qlist(r, "reg-groups"), e) {
        QDict *g = qobject_to(QDict, qlist_entry_obj(e));
        uint32_t id = qdict_get_int(g, "reg-group-id");
        uint32_t n = qdict_get_int(g, "n-registers");
        QDict *m;
        const QListEntry *re;

        /* A whole group fits one answer. */
        g_assert_cmpuint(n, >, 0);
        g_assert_cmpuint(n, <=, 128);
        m = mcd_ret(t, "{'execute': 'mcd-qry-reg-map', 'arguments':"
                    " {'core-uid': %u, 'reg-group-id': %u,"
                    " 'start-index': 0, 'num-regs': %u}}", core, id, n);
        g_assert_cmpuint(qdict_get_int(m, "num-regs"), ==, n);
        QLIST_FOREACH_ENTRY(qdict_get_qlist(m, "reg-info"), re) {
            QDict *reg = qobject_to(QDict, qlist_entry_obj(re));
            QDict *addr = qdict_get_qdict(reg, "addr");
            uint64_t address = qdict_get_int(addr, "address");

            g_assert_cmpint(qdict_get_int(reg, "reg-group-id"), ==, id);
            g_assert_cmpint(qdict_get_int(addr, "mem-space-id"), ==,
                            reg_space);
            g_assert_cmpint(qdict_get_int(reg, "regsize"), >, 0);
            g_assert_cmpint(qdict_get_int(reg, "reg-type"), ==,
                            MCD_REG_TYPE_SIMPLE);
            g_assert_cmpstr(qdict_get_str(reg, "regname"), !=, "");
            /* Every register has an address of its own. */
            g_assert_false(g_hash_table_contains(addrs,
                                                 GUINT_TO_POINTER(address)));
            g_hash_table_add(addrs, GUINT_TO_POINTER(address));
        }
        qobject_unref(m);
        sum += n;
    }
    qobject_unref(r);

    /* Group 0 is all of them. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-reg-map', 'arguments':"
                " {'core-uid': %u, 'reg-group-id': 0, 'start-index': 0,"
                " 'num-regs': 0}}", core);
    total = qdict_get_int(r, "num-regs");
    g_assert_cmpuint(total, ==, sum);
    qobject_unref(r);

    for (int i = 0; i < ARRAY_SIZE(a->regs); i++) {
        QDict *reg = mcd_find_reg(t, core, a->regs[i]);

        g_assert_nonnull(reg);
        qobject_unref(reg);
    }

    r = mcd_ret(t, "{'execute': 'mcd-qry-reg-map', 'arguments':"
                " {'core-uid': %u, 'reg-group-id': 4242, 'start-index': 0,"
                " 'num-regs': 1}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, core, MCD_ERR_REG_GROUP_ID);
    r = mcd_ret(t, "{'execute': 'mcd-qry-reg-compound', 'arguments':"
                " {'core-uid': %u, 'compound-reg-id': 1, 'start-index': 0,"
                " 'num-reg-ids': 4}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, core, MCD_ERR_REG_NOT_COMPOUND);

    /* Registers read back what was written. */
    mcd_write_reg(t, core, a->scratch, 0x12345678);
    g_assert_cmphex(mcd_read_reg(t, core, a->scratch), ==, 0x12345678);
    mcd_test_stop(t);
}

static void test_txlist(void)
{
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    uint8_t pattern[256], buf[256];
    uint32_t core, phys, logical, regs;
    QDict *reg, *tx[4];
    MCDTxResult res;
    g_autofree char *hole = NULL;
    QDict *e;

    for (int i = 0; i < sizeof(pattern); i++) {
        pattern[i] = i * 7 + 3;
    }
    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    logical = mcd_find_space(t, core, MCD_MEM_SPACE_IS_LOGICAL, NULL);

    /* Written physically, read physically and through the (off) MMU. */
    mcd_write(t, core, phys, a->ram, pattern, sizeof(pattern));
    mcd_read(t, core, phys, a->ram, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));
    memset(buf, 0, sizeof(buf));
    mcd_read(t, core, logical, a->ram, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));

    /* QEMU's view agrees. */
    memset(buf, 0, sizeof(buf));
    qtest_memread(t->qts, a->ram, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));

    /* Memory and registers mixed in one list, with access widths. */
    reg = mcd_find_reg(t, core, a->scratch);
    regs = qdict_get_int(qdict_get_qdict(reg, "addr"), "mem-space-id");
    {
        uint32_t size = qdict_get_int(reg, "regsize") / 8;
        uint64_t raddr = qdict_get_int(qdict_get_qdict(reg, "addr"),
                                       "address");
        uint8_t value[8] = { 0x11, 0x22, 0x33, 0x44 };

        tx[0] = mcd_tx(phys, a->ram + 8, MCD_TX_AT_W, 4, pattern + 100, 8);
        tx[1] = mcd_tx(regs, raddr, MCD_TX_AT_W, 0, value, size);
        tx[2] = mcd_tx(logical, a->ram, MCD_TX_AT_R, 2, NULL, 16);
        tx[3] = mcd_tx(regs, raddr, MCD_TX_AT_R, 0, NULL, size);
        mcd_txlist(t, core, tx, 4, &res);
        g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
        g_assert_cmpuint(res.num_tx_ok, ==, 4);
        g_assert_cmpuint(res.num_bytes_ok[2], ==, 16);
        g_assert_cmpmem(res.data[2]->data, 8, pattern, 8);
        g_assert_cmpmem(res.data[2]->data + 8, 8, pattern + 100, 8);
        g_assert_cmpmem(res.data[3]->data, size, value, size);
        mcd_txresult_free(&res);
    }
    qobject_unref(reg);

    /* Swap: the old contents come back, the new ones are in memory. */
    tx[0] = mcd_tx(phys, a->ram, MCD_TX_AT_RW, 0, pattern + 200, 4);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    g_assert_cmpmem(res.data[0]->data, 4, pattern, 4);
    mcd_txresult_free(&res);
    mcd_read(t, core, phys, a->ram, buf, 4);
    g_assert_cmpmem(buf, 4, pattern + 200, 4);

    /*
     * A read that runs off the end of RAM: exact counts, the right error,
     * and nothing after it is executed.
     */
    tx[0] = mcd_tx(phys, a->ram, MCD_TX_AT_R, 0, NULL, 16);
    tx[1] = mcd_tx(phys, a->ram_end - 40, MCD_TX_AT_R, 0, NULL, 100);
    tx[2] = mcd_tx(phys, a->ram, MCD_TX_AT_W, 0, pattern, 16);
    mcd_txlist(t, core, tx, 3, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(res.num_tx_ok, ==, 1);
    g_assert_cmpuint(res.num_bytes_ok[1], ==, 40);
    g_assert_cmpuint(res.data[1]->len, ==, 40);
    mcd_txresult_free(&res);
    e = mcd_error_info(t, core);
    g_assert_cmphex(qdict_get_int(e, "error-code"), ==, MCD_ERR_TXLIST_READ);
    hole = g_strdup_printf("0x%" PRIx64, a->ram_end);
    g_assert_nonnull(strstr(qdict_get_str(e, "error-str"), "transaction 1"));
    g_assert_nonnull(strstr(qdict_get_str(e, "error-str"), hole));
    qobject_unref(e);
    mcd_read(t, core, phys, a->ram, buf, 4);
    g_assert_cmpmem(buf, 4, pattern + 200, 4);

    /* A write that runs off the end writes exactly what it reports. */
    tx[0] = mcd_tx(phys, a->ram_end - 24, MCD_TX_AT_W, 0, pattern, 64);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(res.num_tx_ok, ==, 0);
    g_assert_cmpuint(res.num_bytes_ok[0], ==, 24);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_TXLIST_WRITE);
    mcd_read(t, core, phys, a->ram_end - 24, buf, 24);
    g_assert_cmpmem(buf, 24, pattern, 24);

    /* Malformed transactions. */
    tx[0] = mcd_tx(phys, a->ram + 1, MCD_TX_AT_R, 4, NULL, 8);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_TXLIST_TX);
    tx[0] = mcd_tx(77, a->ram, MCD_TX_AT_R, 0, NULL, 8);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_TXLIST_TX);
    tx[0] = mcd_tx(regs, 0, MCD_TX_AT_R, 0, NULL, 3);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_TXLIST_TX);
    tx[0] = mcd_tx(regs, 99999, MCD_TX_AT_R, 0, NULL, 4);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_TXLIST_READ);
    mcd_test_stop(t);
}

/* Secure memory is not reachable through a non-secure space. */
static void test_secure_memory(void)
{
    MCDTest *t;
    uint32_t core, ns, s;
    uint8_t buf[16];
    QDict *tx;
    MCDTxResult res;

    if (!arch_has_trustzone()) {
        g_test_skip("no TrustZone on this target");
        return;
    }
    t = start_secure();
    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    ns = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, "Non-secure");
    s = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL |
                       MCD_MEM_SPACE_CUSTOM_LO, NULL);
    g_assert_cmpuint(ns, !=, 0);
    g_assert_cmpuint(s, !=, 0);

    /* virt's secure RAM is at 0x0e000000. */
    mcd_read(t, core, s, 0x0e000000, buf, sizeof(buf));
    mcd_read(t, core, s, 0x40000000, buf, sizeof(buf));
    mcd_read(t, core, ns, 0x40000000, buf, sizeof(buf));
    tx = mcd_tx(ns, 0x0e000000, MCD_TX_AT_R, 0, NULL, 16);
    mcd_txlist(t, core, &tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(res.num_bytes_ok[0], ==, 0);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_TXLIST_READ);
    mcd_test_stop(t);
}

/* The hex extension carries the same bytes, both ways. */
static void test_data_hex(void)
{
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    uint8_t buf[4];
    uint32_t core, phys;
    QDict *r, *tx;

    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);

    tx = mcd_tx(phys, a->ram, MCD_TX_AT_W, 0, NULL, 4);
    qdict_put_str(tx, "data-hex", "deadBEEF");
    r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                " {'core-uid': %u, 'txlist': {'tx': [%p], 'num-tx': 1,"
                " 'num-tx-ok': 0}}}", core, tx);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    mcd_read(t, core, phys, a->ram, buf, 4);
    g_assert_cmphex((uint32_t)ldl_be_p(buf), ==, 0xdeadbeef);

    tx = mcd_tx(phys, a->ram, MCD_TX_AT_R, 0, NULL, 0);
    qdict_put_int(tx, "num-bytes", 4);
    qdict_put_str(tx, "data-hex", "");
    r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                " {'core-uid': %u, 'txlist': {'tx': [%p], 'num-tx': 1,"
                " 'num-tx-ok': 0}}}", core, tx);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    {
        QDict *ans = qobject_to(QDict, qlist_peek(
            qdict_get_qlist(qdict_get_qdict(r, "txlist"), "tx")));

        g_assert_cmpstr(qdict_get_str(ans, "data-hex"), ==, "deadbeef");
        g_assert_cmpint(qlist_size(qdict_get_qlist(ans, "data")), ==, 0);
    }
    qobject_unref(r);

    tx = mcd_tx(phys, a->ram, MCD_TX_AT_W, 0, NULL, 0);
    qdict_put_int(tx, "num-bytes", 2);
    qdict_put_str(tx, "data-hex", "zz00");
    r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                " {'core-uid': %u, 'txlist': {'tx': [%p], 'num-tx': 1,"
                " 'num-tx-ok': 0}}}", core, tx);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, core, MCD_ERR_PARAM);
    mcd_read(t, core, phys, a->ram, buf, 4);
    g_assert_cmphex((uint32_t)ldl_be_p(buf), ==, 0xdeadbeef);
    mcd_test_stop(t);
}

/* Close server @srv, open it again and its first core: that core. */
static uint32_t reopen(MCDTest *t, uint32_t srv)
{
    QDict *r = mcd_ret(t, "{'execute': 'mcd-close-server', 'arguments':"
                       " {'server-uid': %u}}", srv);

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    mcd_open_server(t);
    return mcd_open_core(t, 0);
}

#ifdef CONFIG_LINUX
/* mcd-set-shared-buffer with @fd passed along (none if -1): its status. */
static uint32_t share(MCDTest *t, uint32_t srv, int fd, uint64_t size)
{
    g_autofree char *req = g_strdup_printf(
        "{\"execute\": \"mcd-set-shared-buffer\", \"arguments\": "
        "{\"server-uid\": %u, \"size\": %" PRIu64 "}}\n", srv, size);
    g_autofree char *line = NULL;
    QDict *rsp;
    uint32_t status;

    if (fd >= 0) {
        mcd_send_fd(t, req, fd);
    } else {
        mcd_send_raw(t, req);
    }
    line = mcd_recv_line(t);
    g_assert_nonnull(line);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    status = mcd_status(qdict_get_qdict(rsp, "return"));
    qobject_unref(rsp);
    return status;
}

/* A memfd of @size bytes, sealed against shrinking if @sealed. */
static int new_memfd(uint64_t size, bool sealed)
{
    int fd = memfd_create("mcd-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    if (sealed) {
        g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    }
    return fd;
}

/* A transaction of @len bytes through the shared buffer at @off. */
static QDict *shared_tx(uint32_t space, uint64_t addr, uint32_t type,
                        uint64_t off, uint32_t len)
{
    QDict *tx = mcd_tx(space, addr, type, 0, NULL, 0);

    qdict_put_int(tx, "num-bytes", len);
    qdict_put_int(tx, "shared-offset", off);
    return tx;
}

/*
 * Bulk transfers through a memfd shared over the UNIX socket: only a
 * sealed file of the size given is taken, the bytes move through it
 * and not through the answer, and nothing reaches beyond it.
 */
static void test_shared_buffer(void)
{
    enum { SIZE = 64 * 1024 };
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    g_autofree uint8_t *pattern = g_malloc(SIZE);
    uint8_t buf[16];
    uint32_t srv, core, phys;
    MCDTxResult res;
    QDict *tx[2];
    uint8_t *map;
    int fd;

    srv = mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    for (int i = 0; i < SIZE; i++) {
        pattern[i] = i * 13 + (i >> 8);
    }

    /* Refused: no descriptor, no seal, too small a file, too large. */
    g_assert_cmpuint(share(t, srv, -1, SIZE), ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);
    fd = new_memfd(SIZE, false);
    g_assert_cmpuint(share(t, srv, fd, SIZE), ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);
    close(fd);
    fd = new_memfd(SIZE, true);
    g_assert_cmpuint(share(t, srv, fd, 2 * SIZE), ==,
                     MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(share(t, srv, fd, 1ull << 40), ==,
                     MCD_RET_ACT_HANDLE_ERROR);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);
    /* ... and a transaction cannot use a buffer that is not there. */
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_R, 0, 16);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_PARAM);

    g_assert_cmpuint(share(t, srv, fd, SIZE), ==, MCD_RET_ACT_NONE);
    map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert(map != MAP_FAILED);
    close(fd);

    /* A write takes its bytes from the buffer... */
    memcpy(map, pattern, SIZE);
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_W, 0, SIZE);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(res.num_bytes_ok[0], ==, SIZE);
    mcd_txresult_free(&res);
    mcd_read(t, core, phys, a->ram + SIZE - 16, buf, 16);
    g_assert(!memcmp(buf, pattern + SIZE - 16, 16));

    /* ... a read puts them there, in place, and not in the answer. */
    memset(map, 0, SIZE);
    tx[0] = shared_tx(phys, a->ram + 100, MCD_TX_AT_R, 4096, 1000);
    tx[1] = shared_tx(phys, a->ram, MCD_TX_AT_R, 0, 16);
    mcd_txlist(t, core, tx, 2, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(res.num_tx_ok, ==, 2);
    g_assert_cmpuint(res.data[0]->len, ==, 0);
    mcd_txresult_free(&res);
    g_assert(!memcmp(map + 4096, pattern + 100, 1000));
    g_assert(!memcmp(map, pattern, 16));
    g_assert_cmpuint(map[16], ==, 0);

    /* A read that runs off the end of RAM counts what it got. */
    tx[0] = shared_tx(phys, a->ram_end - 100, MCD_TX_AT_R, 0, 200);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(res.num_bytes_ok[0], ==, 100);
    mcd_txresult_free(&res);

    /* Nothing beyond the buffer, and at most its size per list. */
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_R, SIZE - 8, 16);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_PARAM);
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_R, UINT64_MAX - 4, 16);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_R, 0, SIZE / 2 + 1);
    tx[1] = shared_tx(phys, a->ram, MCD_TX_AT_R, 0, SIZE / 2);
    mcd_txlist(t, core, tx, 2, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmpuint(res.num_tx_ok, ==, 0);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_PARAM);

    /* Size 0 releases the buffer; so does closing the server. */
    g_assert_cmpuint(share(t, srv, -1, 0), ==, MCD_RET_ACT_NONE);
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_R, 0, 16);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    munmap(map, SIZE);
    fd = new_memfd(SIZE, true);
    g_assert_cmpuint(share(t, srv, fd, SIZE), ==, MCD_RET_ACT_NONE);
    close(fd);
    core = reopen(t, srv);
    tx[0] = shared_tx(phys, a->ram, MCD_TX_AT_R, 0, 16);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_PARAM);
    mcd_test_stop(t);
}
#endif

static uint32_t max_payload(MCDTest *t, uint32_t core)
{
    QDict *r = mcd_ret(t, "{'execute': 'mcd-qry-max-payload-size',"
                       " 'arguments': {'core-uid': %u}}", core);
    uint32_t max = qdict_get_int(r, "max-payload");

    qobject_unref(r);
    return max;
}

/* Requests over the payload limits are refused; answers fit 64 KiB. */
static void test_payload_limits(void)
{
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    uint32_t core, phys, max;
    g_autofree uint8_t *ff = NULL;
    g_autofree char *line = NULL;
    QDict *r, *tx[8];
    MCDTxResult res;

    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    max = max_payload(t, core);

    /* The worst case answer: max bytes of 0xff, split in 8 lists. */
    ff = g_malloc(max);
    memset(ff, 0xff, max);
    mcd_write(t, core, phys, a->ram, ff, max / 2);
    mcd_write(t, core, phys, a->ram + max / 2, ff, max / 2);
    for (int i = 0; i < 8; i++) {
        tx[i] = mcd_tx(phys, a->ram + i * (max / 8), MCD_TX_AT_R, 0, NULL,
                       max / 8);
    }
    {
        QList *list = qlist_new();
        g_autofree char *req = NULL;
        g_autoptr(GString) json = NULL;

        for (int i = 0; i < 8; i++) {
            qlist_append(list, tx[i]);
        }
        r = qdict_from_jsonf_nofail("{'execute': 'mcd-execute-txlist',"
                                    " 'arguments': {'core-uid': %u,"
                                    " 'txlist': {'tx': %p, 'num-tx': 8,"
                                    " 'num-tx-ok': 0}}}", core, list);
        json = qobject_to_json(QOBJECT(r));
        req = g_strdup_printf("%s\n", json->str);
        qobject_unref(r);
        mcd_send_raw(t, req);
        line = mcd_recv_line(t);
        g_assert_nonnull(strstr(line, "\"return-status\":0"));
        g_assert_cmpuint(strlen(line) + 1, <=, 65535);
    }

    /* One byte over the limit: refused before anything happens. */
    tx[0] = mcd_tx(phys, a->ram, MCD_TX_AT_W, 0, NULL, max + 1);
    mcd_txlist(t, core, tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    mcd_assert_error(t, core, MCD_ERR_PARAM);
    r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                " {'core-uid': %u, 'txlist': {'tx': [{'addr': {'address': 0,"
                " 'mem-space-id': 1, 'addr-space-id': 0,"
                " 'addr-space-type': 0}, 'access-type': 1, 'options': 0,"
                " 'access-width': 0, 'core-mode': 0, 'data': [],"
                " 'num-bytes': 4294967295, 'num-bytes-ok': 0}], 'num-tx': 1,"
                " 'num-tx-ok': 0}}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, core, MCD_ERR_PARAM);

    /* num-tx must match what was sent, and at most 64 are allowed. */
    r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                " {'core-uid': %u, 'txlist': {'tx': [], 'num-tx': 3,"
                " 'num-tx-ok': 0}}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, core, MCD_ERR_PARAM);
    {
        QDict *many[65];
        QList *list = qlist_new();

        for (int i = 0; i < 65; i++) {
            many[i] = mcd_tx(phys, a->ram, MCD_TX_AT_R, 0, NULL, 1);
            qlist_append(list, many[i]);
        }
        r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                    " {'core-uid': %u, 'txlist': {'tx': %p, 'num-tx': 65,"
                    " 'num-tx-ok': 0}}}", core, list);
        g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
        qobject_unref(r);
        mcd_assert_error(t, core, MCD_ERR_PARAM);
    }
    mcd_test_stop(t);
}

/*
 * While the guest runs, memory can be read and written; registers are
 * refused with a reason rather than read racily.
 */
/* A client that takes longer answers gets a larger payload, nobody else. */
static void test_large_answers(void)
{
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    uint32_t srv, core, phys, max;
    g_autofree uint8_t *buf = NULL, *back = NULL;
    QDict *r;

    r = mcd_ret(t, "{'execute': 'mcd-open-server', 'arguments':"
                " {'system-key': '', 'config-string': '',"
                " 'max-answer-size': 1000}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_false(qdict_haskey(r, "server-uid"));
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-open-server', 'arguments':"
                " {'system-key': '', 'config-string': '',"
                " 'max-answer-size': 4294967295}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(qdict_get_int(r, "max-answer-size"), ==, 2105344);
    srv = qdict_get_int(r, "server-uid");
    qobject_unref(r);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    max = max_payload(t, core);
    g_assert_cmpuint(max, ==, 512 * 1024);

    /* The worst case both ways: a byte array of 0xff, over 1 MiB a line. */
    buf = g_malloc(max);
    back = g_malloc(max);
    memset(buf, 0xff, max);
    mcd_write(t, core, phys, a->ram, buf, max);
    mcd_read(t, core, phys, a->ram, back, max);
    g_assert(!memcmp(buf, back, max));

    /* A server opened again without asking is back to the default. */
    r = mcd_ret(t, "{'execute': 'mcd-close-core', 'arguments':"
                " {'core-uid': %u}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    core = reopen(t, srv);
    g_assert_cmpuint(max_payload(t, core), ==, 12 * 1024);
    mcd_test_stop(t);
}

static void test_running_guest(void)
{
    MCDTest *t = start_tcg("");
    const AccessArch *a = access_arch();
    uint8_t pattern[32], buf[32];
    uint32_t core, phys;
    QDict *reg, *tx, *e;
    MCDTxResult res;

    for (int i = 0; i < sizeof(pattern); i++) {
        pattern[i] = 0xa0 + i;
    }
    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    mcd_write(t, core, phys, a->ram, pattern, sizeof(pattern));
    mcd_read(t, core, phys, a->ram, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));

    reg = mcd_find_reg(t, core, a->scratch);
    tx = mcd_tx(qdict_get_int(qdict_get_qdict(reg, "addr"), "mem-space-id"),
                qdict_get_int(qdict_get_qdict(reg, "addr"), "address"),
                MCD_TX_AT_R, 0, NULL, qdict_get_int(reg, "regsize") / 8);
    qobject_unref(reg);
    mcd_txlist(t, core, &tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    mcd_txresult_free(&res);
    e = mcd_error_info(t, core);
    g_assert_cmphex(qdict_get_int(e, "error-code"), ==, MCD_ERR_TXLIST_READ);
    g_assert_nonnull(strstr(qdict_get_str(e, "error-str"), "running"));
    qobject_unref(e);
    mcd_test_stop(t);
}

/* Read and write a device register, with the core halted and running. */
static void device_access(MCDTest *t, uint32_t core, uint32_t phys,
                          uint64_t addr)
{
    uint8_t val[4];
    QDict *tx;
    MCDTxResult res;

    tx = mcd_tx(phys, addr, MCD_TX_AT_R, 4, NULL, 4);
    mcd_txlist(t, core, &tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(res.data[0]->len, ==, 4);
    memcpy(val, res.data[0]->data, 4);
    mcd_txresult_free(&res);
    tx = mcd_tx(phys, addr, MCD_TX_AT_W, 4, val, 4);
    mcd_txlist(t, core, &tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    mcd_txresult_free(&res);
}

/*
 * Device models are reached as from the core: this used to run the GIC
 * model without a current CPU and crash QEMU.
 */
static void test_device_memory(void)
{
    MCDTest *t = start_tcg("-S");
    const AccessArch *a = access_arch();
    uint32_t core, phys;
    QDict *r;

    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);
    device_access(t, core, phys, a->dev);
    r = mcd_ret(t, "{'execute': 'mcd-run', 'arguments': {'core-uid': %u,"
                " 'global': false}}", core);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    device_access(t, core, phys, a->dev);
    r = qtest_qmp(t->qts, "{'execute': 'query-status'}");
    g_assert_true(qdict_get_bool(qdict_get_qdict(r, "return"), "running"));
    qobject_unref(r);
    mcd_test_stop(t);
}

/* Parse GDB's hex into bytes. */
static GByteArray *from_hex(const char *hex)
{
    GByteArray *b = g_byte_array_new();

    for (; hex[0] && hex[1]; hex += 2) {
        uint8_t v = g_ascii_xdigit_value(hex[0]) << 4 |
                    g_ascii_xdigit_value(hex[1]);

        g_byte_array_append(b, &v, 1);
    }
    return b;
}

typedef struct GdbCompare {
    MCDTest *t;
    uint32_t core;
    int gdb;
    uint32_t compared;
} GdbCompare;

/* One register through MCD and through GDB's 'p' packet. */
static bool gdb_compare_reg(QDict *reg, void *opaque)
{
    GdbCompare *c = opaque;
    QDict *addr = qdict_get_qdict(reg, "addr");
    uint64_t num = qdict_get_int(addr, "address");
    uint32_t size = (qdict_get_int(reg, "regsize") + 7) / 8;
    g_autofree char *p = g_strdup_printf("p%" PRIx64, num);
    g_autofree char *hex = mcd_gdb_cmd(c->gdb, p);
    QDict *tx[2];
    MCDTxResult res;

    /* Read twice: a register that changes by itself is skipped. */
    tx[0] = mcd_tx(qdict_get_int(addr, "mem-space-id"), num, MCD_TX_AT_R, 0,
                   NULL, size);
    tx[1] = qdict_clone_shallow(tx[0]);
    mcd_txlist(c->t, c->core, tx, 2, &res);
    if (hex[0] == 'E' && strlen(hex) == 3) {
        g_assert_cmpuint(res.status, ==, MCD_RET_ACT_HANDLE_ERROR);
    } else if (!memcmp(res.data[0]->data, res.data[1]->data, size)) {
        g_autoptr(GByteArray) g = from_hex(hex);

        g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
        g_assert_cmpmem(res.data[0]->data, size, g->data, g->len);
        c->compared++;
    }
    mcd_txresult_free(&res);
    return false;
}

/*
 * With the GDB stub attached to the same halted machine, every register
 * and a block of RAM read through MCD equal what GDB reads, and what MCD
 * writes GDB sees.
 */
static void test_gdb_agrees(void)
{
    g_autofree char *gdb_path = NULL;
    const AccessArch *a = access_arch();
    MCDTest *t;
    uint32_t core, phys;
    uint8_t pattern[64], buf[64];
    g_autofree char *cmd = NULL, *reply = NULL;
    GdbCompare ctx;
    int gdb;

    gdb_path = g_strdup_printf("%s/gdb-%d.sock", g_get_tmp_dir(), getpid());
    t = mcd_test_start("%s -m 128M -accel tcg -S -gdb unix:%s,server=on,"
                       "wait=off", mcd_test_machine(), gdb_path);
    gdb = mcd_gdb_connect(gdb_path);
    mcd_open_server(t);
    core = mcd_open_core(t, 0);
    phys = mcd_find_space(t, core, MCD_MEM_SPACE_IS_PHYSICAL, NULL);

    ctx = (GdbCompare) { .t = t, .core = core, .gdb = gdb };
    mcd_foreach_reg(t, core, gdb_compare_reg, &ctx);
    g_assert_cmpuint(ctx.compared, >, 30);

    /* A block of RAM. */
    for (int i = 0; i < sizeof(pattern); i++) {
        pattern[i] = 0x5a ^ i;
    }
    qtest_memwrite(t->qts, a->ram, pattern, sizeof(pattern));
    mcd_read(t, core, phys, a->ram, buf, sizeof(buf));
    cmd = g_strdup_printf("m%" PRIx64 ",%zx", a->ram, sizeof(buf));
    reply = mcd_gdb_cmd(gdb, cmd);
    {
        g_autoptr(GByteArray) g = from_hex(reply);

        g_assert_cmpmem(buf, sizeof(buf), g->data, g->len);
    }

    /* MCD writes, GDB reads. */
    mcd_write(t, core, phys, a->ram, pattern + 32, 32);
    g_free(reply);
    reply = mcd_gdb_cmd(gdb, cmd);
    {
        g_autoptr(GByteArray) g = from_hex(reply);

        g_assert_cmpmem(g->data, 32, pattern + 32, 32);
    }
    mcd_write_reg(t, core, a->scratch, 0xcafe);
    {
        QDict *reg = mcd_find_reg(t, core, a->scratch);
        g_autofree char *p = g_strdup_printf(
            "p%" PRIx64, qdict_get_int(qdict_get_qdict(reg, "addr"),
                                       "address"));
        g_autofree char *hex = mcd_gdb_cmd(gdb, p);
        g_autoptr(GByteArray) g = from_hex(hex);

        g_assert_cmphex(g->data[0], ==, 0xfe);
        g_assert_cmphex(g->data[1], ==, 0xca);
        qobject_unref(reg);
    }
    close(gdb);
    mcd_test_stop(t);
    unlink(gdb_path);
}

void mcd_access_tests_register(void)
{
    qtest_add_func("/mcd/access/mem-spaces", test_mem_spaces);
    qtest_add_func("/mcd/access/registers", test_registers);
    qtest_add_func("/mcd/access/txlist", test_txlist);
    qtest_add_func("/mcd/access/secure-memory", test_secure_memory);
    qtest_add_func("/mcd/access/data-hex", test_data_hex);
#ifdef CONFIG_LINUX
    qtest_add_func("/mcd/access/shared-buffer", test_shared_buffer);
#endif
    qtest_add_func("/mcd/access/payload-limits", test_payload_limits);
    qtest_add_func("/mcd/access/large-answers", test_large_answers);
    qtest_add_func("/mcd/access/running-guest", test_running_guest);
    qtest_add_func("/mcd/access/device-memory", test_device_memory);
    qtest_add_func("/mcd/access/gdb-agrees", test_gdb_agrees);
}
