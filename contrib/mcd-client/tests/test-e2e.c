/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: end-to-end tests against QEMU
 *
 * Each test starts its own qemu-system-aarch64 or qemu-system-riscv64
 * with -S and -mcd on a UNIX socket (or a free TCP port) and drives it
 * through libmcd_client.so, linked as a debugger would use it.  QEMU is
 * taken from $QEMU_DIR (default: the top-level build/qemu-build); tests
 * whose QEMU is missing are skipped.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib.h>
#include "../../../mcd/mcd_api.h"
#include "tap.h"

#define DEFAULT_QEMU_DIR "/work/main/build/qemu-build"
/* How long QEMU may take to come up and to go away. */
#define START_TIMEOUT_US (20 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * G_USEC_PER_SEC)

/* aarch64 virt: RAM from 1 GiB, 128 MiB by default. */
#define A64_RAM 0x40000000ULL
#define A64_RAM_END (A64_RAM + 128 * 1024 * 1024)
/* riscv64 virt: RAM from 2 GiB. */
#define RV_RAM 0x80000000ULL

typedef struct Vm {
    pid_t pid;
    char *dir;
    char *config;               /* for mcd_open_server_f() */
    char *log;
} Vm;

static const char *qemu_dir(void)
{
    const char *d = g_getenv("QEMU_DIR");

    return d && *d ? d : DEFAULT_QEMU_DIR;
}

static char *qemu_binary(const char *arch)
{
    char *bin = g_strdup_printf("%s/qemu-system-%s", qemu_dir(), arch);

    if (access(bin, X_OK)) {
        tap_skip("%s not found (set QEMU_DIR)", bin);
    }
    return bin;
}

static uint16_t free_port(void)
{
    struct sockaddr_in sin;

    close(tap_loopback_socket(&sin));
    return ntohs(sin.sin_port);
}

static void show_log(Vm *q)
{
    g_autofree char *text = NULL;

    if (q->log && g_file_get_contents(q->log, &text, NULL, NULL) && *text) {
        tap_diag("QEMU said:\n%s", text);
    }
}

/*
 * Start QEMU for @arch with the machine options @opts (space separated),
 * halted, with the MCD server on a UNIX socket or, with @tcp, on a free
 * TCP port of 127.0.0.1.
 */
static Vm *qemu_start(const char *arch, const char *opts, bool tcp)
{
    g_autofree char *bin = qemu_binary(arch);
    g_autofree char *mcd = NULL;
    g_auto(GStrv) extra = g_strsplit(opts, " ", -1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    Vm *q = g_new0(Vm, 1);

    q->dir = g_dir_make_tmp("mcdc-e2e-XXXXXX", NULL);
    REQUIRE(q->dir);
    q->log = g_build_filename(q->dir, "qemu.log", NULL);
    if (tcp) {
        uint16_t port = free_port();

        mcd = g_strdup_printf("tcp:127.0.0.1:%u", port);
        q->config = g_strdup_printf("127.0.0.1:%u", port);
    } else {
        g_autofree char *path = g_build_filename(q->dir, "mcd.sock", NULL);

        mcd = g_strdup_printf("unix:%s,server=on,wait=off", path);
        q->config = g_strdup_printf("unix:%s", path);
    }
    g_ptr_array_add(argv, bin);
    for (size_t i = 0; extra[i]; i++) {
        if (*extra[i]) {
            g_ptr_array_add(argv, extra[i]);
        }
    }
    g_ptr_array_add(argv, (char *)"-S");
    g_ptr_array_add(argv, (char *)"-nodefaults");
    g_ptr_array_add(argv, (char *)"-display");
    g_ptr_array_add(argv, (char *)"none");
    g_ptr_array_add(argv, (char *)"-mcd");
    g_ptr_array_add(argv, mcd);
    g_ptr_array_add(argv, NULL);

    fflush(stdout);
    q->pid = fork();
    REQUIRE(q->pid >= 0);
    if (q->pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(q->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        dup2(in, 0);
        dup2(out, 1);
        dup2(out, 2);
        execv(bin, (char **)argv->pdata);
        _exit(127);
    }
    return q;
}

static bool qemu_alive(Vm *q)
{
    int status;

    return q->pid > 0 && waitpid(q->pid, &status, WNOHANG) == 0;
}

/* Kill QEMU hard, as a crash would. */
static void qemu_kill(Vm *q)
{
    if (q->pid > 0) {
        kill(q->pid, SIGKILL);
        waitpid(q->pid, NULL, 0);
        q->pid = 0;
    }
}

static void qemu_stop(Vm *q)
{
    gint64 deadline = g_get_monotonic_time() + STOP_TIMEOUT_US;

    if (q->pid > 0) {
        kill(q->pid, SIGTERM);
        while (qemu_alive(q) && g_get_monotonic_time() < deadline) {
            g_usleep(10000);
        }
        qemu_kill(q);
    }
    if (q->log) {
        unlink(q->log);
    }
    if (q->config && g_str_has_prefix(q->config, "unix:")) {
        unlink(q->config + 5);
    }
    rmdir(q->dir);
    g_free(q->dir);
    g_free(q->config);
    g_free(q->log);
    g_free(q);
}

static mcd_error_info_st error_of(const mcd_core_st *core)
{
    mcd_error_info_st e;

    memset(&e, 0, sizeof(e));
    mcd_qry_error_info_f(core, &e);
    return e;
}

#define CHECK_OK(call) \
    do { \
        mcd_return_et r_ = (call); \
        if (r_ != MCD_RET_ACT_NONE) { \
            tap_fail(__FILE__, __LINE__, "%s: status %u: %s", #call, r_, \
                     error_of(NULL).error_str); \
        } \
    } while (0)

#define CHECK_CORE_OK(core, call) \
    do { \
        mcd_return_et r_ = (call); \
        if (r_ != MCD_RET_ACT_NONE) { \
            tap_fail(__FILE__, __LINE__, "%s: status %u: %s", #call, r_, \
                     error_of(core).error_str); \
        } \
    } while (0)

/* The error code and text mcd_qry_error_info_f() gives for @core. */
#define CHECK_ERROR(core, code, str) \
    do { \
        mcd_error_info_st e_ = error_of(core); \
        CHECK_EQ(e_.error_code, (code)); \
        CHECK_EQ(e_.return_status, MCD_RET_ACT_HANDLE_ERROR); \
        CHECK_HAS(e_.error_str, (str)); \
    } while (0)

/* Open the server of @q, waiting for QEMU to listen. */
static mcd_server_st *open_server(Vm *q)
{
    gint64 deadline = g_get_monotonic_time() + START_TIMEOUT_US;
    mcd_api_version_st v = { 1, 1, "" };
    mcd_impl_version_info_st info;
    mcd_server_st *srv = NULL;

    REQUIRE(mcd_initialize_f(&v, &info) == MCD_RET_ACT_NONE);
    for (;;) {
        if (mcd_open_server_f("", q->config, &srv) == MCD_RET_ACT_NONE) {
            return srv;
        }
        if (error_of(NULL).error_code != MCD_ERR_CONNECTION ||
            !qemu_alive(q) || g_get_monotonic_time() > deadline) {
            tap_fail(__FILE__, __LINE__, "mcd_open_server_f(%s): %s",
                     q->config, error_of(NULL).error_str);
            show_log(q);
            tap_abort();
        }
        g_usleep(20000);
    }
}

static uint32_t query_cores(mcd_core_con_info_st *cores, uint32_t max)
{
    mcd_core_con_info_st sys, dev;
    uint32_t n = 1;

    CHECK_OK(mcd_qry_systems_f(0, &n, &sys));
    REQUIRE(n == 1);
    n = 1;
    CHECK_OK(mcd_qry_devices_f(&sys, 0, &n, &dev));
    REQUIRE(n == 1);
    n = max;
    CHECK_OK(mcd_qry_cores_f(&dev, 0, &n, cores));
    return n;
}

static mcd_core_st *open_core(uint32_t id)
{
    mcd_core_con_info_st cores[8];
    mcd_core_st *core = NULL;

    REQUIRE(query_cores(cores, 8) > id);
    CHECK_OK(mcd_open_core_f(&cores[id], &core));
    REQUIRE(core);
    return core;
}

/* The first memory space with all @with and none of @without bits. */
static uint32_t find_space(mcd_core_st *core, uint32_t with,
                           uint32_t without)
{
    mcd_memspace_st ms[32];
    uint32_t n = 32;

    CHECK_CORE_OK(core, mcd_qry_mem_spaces_f(core, 0, &n, ms));
    for (uint32_t i = 0; i < n; i++) {
        if ((ms[i].mem_type & with) == with && !(ms[i].mem_type & without)) {
            return ms[i].mem_space_id;
        }
    }
    tap_fail(__FILE__, __LINE__, "no memory space of type 0x%x", with);
    tap_abort();
}

/* All registers of the core (group 0). */
static mcd_register_info_st *all_registers(mcd_core_st *core, uint32_t *n)
{
    mcd_register_info_st *regs;
    uint32_t total = 0;

    CHECK_CORE_OK(core, mcd_qry_reg_map_f(core, 0, 0, &total, NULL));
    REQUIRE(total > 0);
    regs = g_new0(mcd_register_info_st, total);
    *n = total;
    CHECK_CORE_OK(core, mcd_qry_reg_map_f(core, 0, 0, n, regs));
    CHECK_EQ(*n, total);
    return regs;
}

static const mcd_register_info_st *find_reg(const mcd_register_info_st *r,
                                            uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!strcmp(r[i].regname, name)) {
            return &r[i];
        }
    }
    tap_fail(__FILE__, __LINE__, "no register %s", name);
    tap_abort();
}

/* One transaction; returns its status, with num_bytes_ok in *@ok. */
static mcd_return_et xfer(mcd_core_st *core, mcd_tx_access_type_et type,
                          uint32_t space, uint64_t addr, void *buf,
                          uint32_t len, uint32_t *ok)
{
    mcd_tx_st tx = {
        .addr = { .address = addr, .mem_space_id = space },
        .access_type = type, .data = buf, .num_bytes = len,
    };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    mcd_return_et ret = mcd_execute_txlist_f(core, &tl);

    if (ok) {
        *ok = tx.num_bytes_ok;
    }
    if (ret == MCD_RET_ACT_NONE && (tl.num_tx_ok != 1 ||
                                    tx.num_bytes_ok != len)) {
        tap_fail(__FILE__, __LINE__, "done %u of 1, %u of %u bytes",
                 tl.num_tx_ok, tx.num_bytes_ok, len);
    }
    return ret;
}

static void fill_pattern(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (i * 13 + seed + (i >> 9)) & 0xff;
    }
}

static void test_a64_discovery(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_con_info_st sys, dev, cores[4];
    mcd_server_info_st si;
    mcd_core_mode_info_st mode;
    mcd_core_st *core;
    uint32_t n, payload = 0;

    CHECK(srv->host && *srv->host);
    CHECK_STR(srv->config_string, q->config);
    n = 1;
    CHECK_OK(mcd_qry_servers_f("", true, 0, &n, &si));
    CHECK_EQ(n, 1);
    CHECK_HAS(si.server, "QEMU");
    n = 0;
    CHECK_OK(mcd_qry_systems_f(0, &n, NULL));
    CHECK_EQ(n, 1);
    CHECK_OK(mcd_qry_systems_f(0, &n, &sys));
    CHECK(g_str_has_prefix(sys.system, "QEMU "));
    n = 1;
    CHECK_OK(mcd_qry_devices_f(&sys, 0, &n, &dev));
    CHECK_HAS(dev.device, "virt");
    n = 4;
    CHECK_OK(mcd_qry_cores_f(&dev, 0, &n, cores));
    CHECK_EQ(n, 1);
    CHECK_STR(cores[0].core, "cortex-a53 #0");
    CHECK_EQ(cores[0].core_type, 183);
    CHECK_OK(mcd_open_core_f(&cores[0], &core));
    CHECK_STR(core->core_con_info->core, "cortex-a53 #0");
    n = 1;
    CHECK_CORE_OK(core, mcd_qry_core_modes_f(core, 0, &n, &mode));
    CHECK_EQ(n, 1);
    CHECK_CORE_OK(core, mcd_qry_max_payload_size_f(core, &payload));
    CHECK(payload >= 1024);
    tap_diag("max payload %u bytes", payload);
    CHECK_CORE_OK(core, mcd_close_core_f(core));
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_maps(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    g_autofree mcd_register_info_st *regs = NULL;
    g_autofree mcd_register_group_st *groups = NULL;
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    mcd_memspace_st ms[16];
    uint32_t n = 0, nregs, sum = 0;

    CHECK_CORE_OK(core, mcd_qry_mem_spaces_f(core, 0, &n, NULL));
    REQUIRE(n > 0 && n <= 16);
    CHECK_CORE_OK(core, mcd_qry_mem_spaces_f(core, 0, &n, ms));
    for (uint32_t i = 0; i < n; i++) {
        tap_diag("memory space %u: %s, type 0x%x", ms[i].mem_space_id,
                 ms[i].mem_space_name, ms[i].mem_type);
        CHECK(*ms[i].mem_space_name);
    }
    n = 0;
    CHECK_CORE_OK(core, mcd_qry_reg_groups_f(core, 0, &n, NULL));
    REQUIRE(n > 0);
    groups = g_new0(mcd_register_group_st, n);
    CHECK_CORE_OK(core, mcd_qry_reg_groups_f(core, 0, &n, groups));
    for (uint32_t i = 0; i < n; i++) {
        sum += groups[i].n_registers;
    }
    /* More registers than one answer holds: the rest came in pages. */
    regs = all_registers(core, &nregs);
    tap_diag("%u register groups, %u registers", n, nregs);
    CHECK_EQ(sum, nregs);
    CHECK(nregs > 128);
    for (uint32_t i = 0; i < nregs; i++) {
        CHECK(*regs[i].regname);
        CHECK(regs[i].regsize > 0);
        g_hash_table_add(names, regs[i].regname);
    }
    CHECK(g_hash_table_contains(names, "x0"));
    CHECK(g_hash_table_contains(names, "pc"));
    CHECK(g_hash_table_contains(names, "cpsr"));
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_registers(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    g_autofree mcd_register_info_st *regs = NULL;
    const mcd_register_info_st *x0, *pc;
    uint64_t v = 0x1122334455667788ULL, back = 0;
    mcd_tx_st tx[31];
    uint64_t xs[31];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 31 };
    uint32_t nregs;

    regs = all_registers(core, &nregs);
    x0 = find_reg(regs, nregs, "x0");
    pc = find_reg(regs, nregs, "pc");
    CHECK_EQ(x0->regsize, 64);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, x0->addr.mem_space_id,
                             x0->addr.address, &v, 8, NULL));
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, x0->addr.mem_space_id,
                             x0->addr.address, &back, 8, NULL));
    CHECK_EQ(back, v);
    v = A64_RAM + 0x1000;
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, pc->addr.mem_space_id,
                             pc->addr.address, &v, 8, NULL));
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, pc->addr.mem_space_id,
                             pc->addr.address, &back, 8, NULL));
    CHECK_EQ(back, A64_RAM + 0x1000);
    /* x0..x30 in one list. */
    for (int i = 0; i < 31; i++) {
        g_autofree char *name = g_strdup_printf("x%d", i);
        const mcd_register_info_st *r = find_reg(regs, nregs, name);

        xs[i] = 0;
        tx[i] = (mcd_tx_st) {
            .addr = r->addr, .access_type = MCD_TX_AT_R,
            .data = (uint8_t *)&xs[i], .num_bytes = 8,
        };
    }
    CHECK_CORE_OK(core, mcd_execute_txlist_f(core, &tl));
    CHECK_EQ(tl.num_tx_ok, 31);
    CHECK_EQ(xs[0], 0x1122334455667788ULL);
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_memory(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    g_autofree uint8_t *out = g_malloc(65536);
    g_autofree uint8_t *in = g_malloc0(65536);
    uint8_t small[16] = "mcd client test", sback[16] = { 0 };
    mcd_tx_st tx[100];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 100 };

    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, A64_RAM, small, 16,
                             NULL));
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys, A64_RAM, sback, 16,
                             NULL));
    CHECK(!memcmp(small, sback, 16));
    /* 64 KiB each way, more than one answer carries: split and joined. */
    fill_pattern(out, 65536, 5);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, A64_RAM + 0x10000,
                             out, 65536, NULL));
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys, A64_RAM + 0x10000,
                             in, 65536, NULL));
    CHECK(!memcmp(in, out, 65536));
    /* 100 transactions of 640 bytes: more than fit in one list. */
    memset(in, 0, 65536);
    for (int i = 0; i < 100; i++) {
        tx[i] = (mcd_tx_st) {
            .addr = { .address = A64_RAM + 0x10000 + 640 * i,
                      .mem_space_id = phys },
            .access_type = MCD_TX_AT_R, .data = in + 640 * i,
            .num_bytes = 640,
        };
    }
    CHECK_CORE_OK(core, mcd_execute_txlist_f(core, &tl));
    CHECK_EQ(tl.num_tx_ok, 100);
    CHECK(!memcmp(in, out, 64000));
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_partial_read(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    uint32_t logical = find_space(core, MCD_MEM_SPACE_IS_LOGICAL,
                                  MCD_MEM_SPACE_CUSTOM_LO);
    g_autofree uint8_t *buf = g_malloc0(20000);
    uint32_t ok = 0;
    uint8_t b[4];

    /* The end of RAM in the second slice: exactly what was there. */
    CHECK_EQ(xfer(core, MCD_TX_AT_R, phys, A64_RAM_END - 15000, buf,
                  20000, &ok), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_EQ(ok, 15000);
    CHECK_ERROR(core, MCD_ERR_TXLIST_READ, "read");
    tap_diag("%s", error_of(core).error_str);
    /*
     * An address above 2^63 travels as a uint64 (json-glib writes it
     * negative): the server must take it and fail the access, not the
     * arguments.
     */
    CHECK_EQ(xfer(core, MCD_TX_AT_R, logical, 0xffff000000001000ULL, b, 4,
                  &ok), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_EQ(ok, 0);
    CHECK(error_of(core).error_code != MCD_ERR_PARAM);
    tap_diag("%s", error_of(core).error_str);
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_tcp(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", true);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    g_autofree uint8_t *out = g_malloc(30000);
    g_autofree uint8_t *in = g_malloc0(30000);

    fill_pattern(out, 30000, 77);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, A64_RAM + 0x3000,
                             out, 30000, NULL));
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys, A64_RAM + 0x3000,
                             in, 30000, NULL));
    CHECK(!memcmp(in, out, 30000));
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

/* Whether this process maps a buffer it shares with the server. */
static bool maps_shared_buffer(void)
{
    g_autofree char *maps = NULL;

    return g_file_get_contents("/proc/self/maps", &maps, NULL, NULL) &&
           strstr(maps, "/memfd:mcd-shared");
}

static void test_a64_shared(void)
{
    enum { LEN = 20 * 1024 * 1024, SHORT = 1000 };
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    g_autofree uint8_t *out = g_malloc(LEN);
    g_autofree uint8_t *in = g_malloc0(LEN);
    uint8_t first[16];
    uint32_t ok = 0;

    /* What one request holds goes as JSON... */
    fill_pattern(out, LEN, 3);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, A64_RAM + 0x100000,
                             out, 4096, NULL));
    CHECK(!maps_shared_buffer());
    /* ... more goes through the shared buffer, 16 MiB at a time. */
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, A64_RAM + 0x100000,
                             out, LEN, NULL));
    CHECK(maps_shared_buffer());
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys, A64_RAM + 0x100000,
                             in, LEN, NULL));
    CHECK(!memcmp(in, out, LEN));
    /* A read off the end of RAM is exact across the pieces, too. */
    memset(in, 0, LEN);
    CHECK_EQ(xfer(core, MCD_TX_AT_R, phys, A64_RAM_END - (LEN - SHORT), in,
                  LEN, &ok), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_EQ(ok, LEN - SHORT);
    CHECK_ERROR(core, MCD_ERR_TXLIST_READ, "read");
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys,
                             A64_RAM_END - (LEN - SHORT), first, 16, NULL));
    CHECK(!memcmp(in, first, 16));
    CHECK_EQ(in[LEN - SHORT], 0);
    /* The buffer goes with the server. */
    CHECK_OK(mcd_close_server_f(srv));
    CHECK(!maps_shared_buffer());
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_server_errors(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    mcd_register_info_st ri;
    mcd_chl_st chl = { .type = MCD_CHL_TYPE_COMMON };
    char url[64], cfg[2];
    uint32_t n = 1, len = sizeof(url);

    CHECK_EQ(mcd_qry_reg_map_f(core, 999, 0, &n, &ri),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_REG_GROUP_ID, "999");
    CHECK_EQ(mcd_qry_device_description_f(core, url, &len),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_FN_UNIMPLEMENTED, "not implemented");
    CHECK_EQ(mcd_chl_open_f(core, &chl), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_EQ(error_of(core).error_code, MCD_ERR_CHL_TARGET_NOT_SUPPORTED);
    /* A server-level failure: its length comes back all the same. */
    len = sizeof(cfg);
    CHECK_EQ(mcd_qry_server_config_f(srv, &len, cfg),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_RESULT_TOO_LONG, "characters");
    CHECK_EQ(len, strlen(q->config) + 1);
    len = 0;
    CHECK_OK(mcd_qry_server_config_f(srv, &len, NULL));
    CHECK_EQ(len, strlen(q->config) + 1);
    /* The core's own error outlives the server-level one. */
    CHECK_EQ(error_of(core).error_code, MCD_ERR_CHL_TARGET_NOT_SUPPORTED);
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_reopen(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q), *srv2 = NULL;
    mcd_core_st *core = open_core(0);
    uint32_t n = 0;

    CHECK_EQ(mcd_open_server_f("", q->config, &srv2),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "already open");
    /* mcd_exit_f() closes everything, server side included. */
    mcd_exit_f();
    srv = open_server(q);
    core = open_core(0);
    CHECK_CORE_OK(core, mcd_qry_mem_spaces_f(core, 0, &n, NULL));
    CHECK(n > 0);
    /* Close and open again, this time with mcd_close_server_f(). */
    CHECK_OK(mcd_close_server_f(srv));
    CHECK_EQ(mcd_close_core_f(core), MCD_RET_ACT_NONE);
    srv = open_server(q);
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_a64_killed(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    uint32_t n = 0;
    uint8_t b[64];
    gint64 t0;

    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys, A64_RAM, b, 64,
                             NULL));
    qemu_kill(q);
    t0 = g_get_monotonic_time();
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_CONNECTION, "MCD server");
    tap_diag("%s", error_of(core).error_str);
    CHECK_EQ(xfer(core, MCD_TX_AT_R, phys, A64_RAM, b, 64, NULL),
           MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_CONNECTION, "gone");
    CHECK(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC);
    /* Closing what was open works; then a new QEMU, a new session. */
    CHECK_EQ(mcd_close_core_f(core), MCD_RET_ACT_NONE);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    qemu_stop(q);
    q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    srv = open_server(q);
    core = open_core(0);
    phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                      MCD_MEM_SPACE_CUSTOM_LO);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, phys, A64_RAM, b, 64,
                             NULL));
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static gpointer killer(gpointer opaque)
{
    Vm *q = opaque;

    g_usleep(150000);
    kill(q->pid, SIGKILL);
    return NULL;
}

static void test_a64_killed_mid_transfer(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    g_autofree uint8_t *buf = g_malloc(1024 * 1024);
    GThread *t = g_thread_new("killer", killer, q);
    gint64 t0 = g_get_monotonic_time();
    mcd_return_et ret = MCD_RET_ACT_NONE;
    int rounds = 0;

    /* Megabyte reads until the server is gone under our feet. */
    while (ret == MCD_RET_ACT_NONE &&
           g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC) {
        ret = xfer(core, MCD_TX_AT_R, phys, A64_RAM, buf, 1024 * 1024,
                   NULL);
        rounds++;
    }
    g_thread_join(t);
    tap_diag("%d reads, then: %s", rounds, error_of(core).error_str);
    CHECK_EQ(ret, MCD_RET_ACT_HANDLE_ERROR);
    CHECK_EQ(error_of(core).error_code, MCD_ERR_CONNECTION);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    waitpid(q->pid, NULL, 0);
    q->pid = 0;
    qemu_stop(q);
}

typedef struct Reader {
    mcd_core_st *core;
    uint32_t space;
    const uint8_t *expect;
    int bad;
} Reader;

static gpointer reader(gpointer opaque)
{
    Reader *r = opaque;
    uint8_t buf[4096];

    for (int i = 0; i < 50; i++) {
        uint32_t off = (i * 4096) % 16384;

        if (xfer(r->core, MCD_TX_AT_R, r->space, A64_RAM + off, buf, 4096,
                 NULL) != MCD_RET_ACT_NONE ||
          memcmp(buf, r->expect + off, 4096)) {
            r->bad++;
        }
    }
    return NULL;
}

static void test_a64_threads(void)
{
    Vm *q = qemu_start("aarch64", "-M virt -cpu cortex-a53", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    uint32_t phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL,
                               MCD_MEM_SPACE_CUSTOM_LO);
    g_autofree uint8_t *pattern = g_malloc(16384);
    Reader r[4];
    GThread *t[4];

    fill_pattern(pattern, 16384, 1);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, A64_RAM, pattern,
                             16384, NULL));
    for (int i = 0; i < 4; i++) {
        r[i] = (Reader) { core, phys, pattern, 0 };
        t[i] = g_thread_new("reader", reader, &r[i]);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(t[i]);
        CHECK_EQ(r[i].bad, 0);
    }
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_rv64_session(void)
{
    Vm *q = qemu_start("riscv64", "-M virt -cpu rv64 -smp 2 -bios none",
                         false);
    mcd_server_st *srv = open_server(q);
    mcd_core_con_info_st cores[4];
    mcd_core_st *c0, *c1;
    g_autofree mcd_register_info_st *regs = NULL;
    g_autofree uint8_t *out = g_malloc(65536);
    g_autofree uint8_t *in = g_malloc0(65536);
    const mcd_register_info_st *pc;
    uint64_t v = RV_RAM + 0x100, back = 0;
    uint32_t n, nregs, phys;

    n = query_cores(cores, 4);
    CHECK_EQ(n, 2);
    CHECK_STR(cores[1].core, "rv64 #1");
    CHECK_EQ(cores[0].core_type, 243);
    CHECK_OK(mcd_open_core_f(&cores[0], &c0));
    CHECK_OK(mcd_open_core_f(&cores[1], &c1));
    /* The count alone, as debuggers ask first. */
    n = 0;
    CHECK_CORE_OK(c1, mcd_qry_mem_spaces_f(c1, 0, &n, NULL));
    CHECK(n > 0);
    regs = all_registers(c1, &nregs);
    tap_diag("%u registers", nregs);
    pc = find_reg(regs, nregs, "pc");
    CHECK_CORE_OK(c1, xfer(c1, MCD_TX_AT_W, pc->addr.mem_space_id,
                           pc->addr.address, &v, 8, NULL));
    CHECK_CORE_OK(c1, xfer(c1, MCD_TX_AT_R, pc->addr.mem_space_id,
                           pc->addr.address, &back, 8, NULL));
    CHECK_EQ(back, RV_RAM + 0x100);
    phys = find_space(c0, MCD_MEM_SPACE_IS_PHYSICAL, 0);
    fill_pattern(out, 65536, 11);
    CHECK_CORE_OK(c0, xfer(c0, MCD_TX_AT_W, phys, RV_RAM + 0x100000, out,
                           65536, NULL));
    /* Written through one core, read through the other. */
    phys = find_space(c1, MCD_MEM_SPACE_IS_PHYSICAL, 0);
    CHECK_CORE_OK(c1, xfer(c1, MCD_TX_AT_R, phys, RV_RAM + 0x100000, in,
                           65536, NULL));
    CHECK(!memcmp(in, out, 65536));
    CHECK_CORE_OK(c0, mcd_close_core_f(c0));
    CHECK_CORE_OK(c1, mcd_close_core_f(c1));
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

/* Skip the test if the server answered that it cannot do @what. */
static void need(mcd_core_st *core, mcd_return_et ret, const char *what)
{
    if (ret != MCD_RET_ACT_NONE &&
        error_of(core).error_code == MCD_ERR_FN_UNIMPLEMENTED) {
        tap_skip("the MCD server does not implement %s yet", what);
    }
}

/* Wait until the core is in debug state; its state in *@st. */
static bool wait_debug(mcd_core_st *core, mcd_core_state_st *st)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        memset(st, 0, sizeof(*st));
        CHECK_CORE_OK(core, mcd_qry_state_f(core, st));
        if (st->state == MCD_CORE_STATE_DEBUG) {
            return true;
        }
        g_usleep(10000);
    }
    tap_fail(__FILE__, __LINE__, "the core did not stop: %s", st->info_str);
    return false;
}

static void test_rv64_run_control(void)
{
    Vm *q = qemu_start("riscv64", "-M virt -cpu rv64 -bios none", false);
    mcd_server_st *srv = open_server(q);
    mcd_core_st *core = open_core(0);
    g_autofree mcd_register_info_st *regs = NULL;
    const mcd_register_info_st *pc;
    /* Three times addi x1, x1, 1, then jal x0, 0: a tight loop. */
    uint32_t prog[] = { 0x00108093, 0x00108093, 0x00108093, 0x0000006f };
    mcd_trig_info_st ti;
    mcd_trig_simple_core_st t, tq;
    mcd_trig_state_st ts;
    mcd_core_state_st st;
    uint32_t nregs, phys, logical, id = 0, n;
    uint64_t v = RV_RAM;
    char result[256];

    memset(&ti, 0, sizeof(ti));
    need(core, mcd_qry_trig_info_f(core, &ti), "triggers");
    CHECK(ti.type & MCD_TRIG_TYPE_IP);
    regs = all_registers(core, &nregs);
    pc = find_reg(regs, nregs, "pc");
    phys = find_space(core, MCD_MEM_SPACE_IS_PHYSICAL, 0);
    logical = find_space(core, MCD_MEM_SPACE_IS_LOGICAL, 0);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, phys, RV_RAM, prog,
                             sizeof(prog), NULL));
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_W, pc->addr.mem_space_id,
                             pc->addr.address, &v, 8, NULL));
    t = (mcd_trig_simple_core_st) {
        .struct_size = sizeof(t), .type = MCD_TRIG_TYPE_IP,
        .addr_start = { .address = RV_RAM + 8, .mem_space_id = logical },
        .addr_range = 4,
    };
    need(core, mcd_create_trig_f(core, &t, &id), "triggers");
    memset(&tq, 0, sizeof(tq));
    CHECK_CORE_OK(core, mcd_qry_trig_f(core, id, sizeof(tq), &tq));
    CHECK_EQ(tq.struct_size, sizeof(tq));
    CHECK_EQ(tq.addr_start.address, RV_RAM + 8);
    n = 0;
    CHECK_CORE_OK(core, mcd_qry_trig_set_f(core, 0, &n, NULL));
    CHECK_EQ(n, 1);
    need(core, mcd_run_f(core, true), "run control");
    if (wait_debug(core, &st)) {
        CHECK_EQ(st.trig_id, id);
        tap_diag("stopped: %s, %s", st.stop_str, st.info_str);
    }
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, pc->addr.mem_space_id,
                             pc->addr.address, &v, 8, NULL));
    CHECK_EQ(v, RV_RAM + 8);
    CHECK_CORE_OK(core, mcd_qry_trig_state_f(core, id, &ts));
    CHECK(ts.captured);
    CHECK_CORE_OK(core, mcd_remove_trig_f(core, id));
    /* One instruction on, to the loop. */
    need(core, mcd_step_f(core, false, MCD_CORE_STEP_TYPE_INSTR, 1),
         "stepping");
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, pc->addr.mem_space_id,
                             pc->addr.address, &v, 8, NULL));
    CHECK_EQ(v, RV_RAM + 12);
    /* Let it spin, then stop it. */
    CHECK_CORE_OK(core, mcd_run_f(core, true));
    g_usleep(50000);
    CHECK_CORE_OK(core, mcd_qry_state_f(core, &st));
    CHECK_EQ(st.state, MCD_CORE_STATE_RUNNING);
    CHECK_CORE_OK(core, mcd_stop_f(core, true));
    wait_debug(core, &st);
    CHECK_CORE_OK(core, xfer(core, MCD_TX_AT_R, pc->addr.mem_space_id,
                             pc->addr.address, &v, 8, NULL));
    CHECK_EQ(v, RV_RAM + 12);
    /* Commands run in the server; their output comes back. */
    memset(result, 0, sizeof(result));
    if (mcd_execute_command_f(core, "info version", sizeof(result),
                              result) == MCD_RET_ACT_NONE) {
        CHECK_HAS(result, "10.");
    } else {
        tap_diag("mcd_execute_command_f: %s", error_of(core).error_str);
    }
    CHECK_OK(mcd_close_server_f(srv));
    mcd_exit_f();
    qemu_stop(q);
}

static void test_qry_servers_unconnected(void)
{
    Vm *q = qemu_start("riscv64", "-M virt -cpu rv64 -bios none", false);
    mcd_server_st *srv = open_server(q);
    mcd_server_info_st si[2];
    uint32_t n = 2;

    /* Once QEMU listens, ask it without an open server. */
    CHECK_OK(mcd_close_server_f(srv));
    CHECK_OK(mcd_qry_servers_f(q->config, true, 0, &n, si));
    CHECK_EQ(n, 1);
    CHECK_HAS(si[0].system_instance, "pid");
    mcd_exit_f();
    qemu_stop(q);
}

static const TapTest tests[] = {
    { "aarch64: servers, systems, devices, cores", test_a64_discovery },
    { "aarch64: memory spaces, register groups and map", test_a64_maps },
    { "aarch64: registers read and written", test_a64_registers },
    { "aarch64: memory, 64 KiB split, 100 transactions", test_a64_memory },
    { "aarch64: partial read exact, uint64 addresses",
      test_a64_partial_read },
    { "aarch64: over tcp", test_a64_tcp },
    { "aarch64: 20 MiB through a shared buffer", test_a64_shared },
    { "aarch64: server errors reach mcd_qry_error_info_f",
      test_a64_server_errors },
    { "aarch64: reopen after exit and close", test_a64_reopen },
    { "aarch64: server killed, then reconnect", test_a64_killed },
    { "aarch64: server killed mid-transfer", test_a64_killed_mid_transfer },
    { "aarch64: concurrent readers", test_a64_threads },
    { "riscv64: two cores, registers, memory", test_rv64_session },
    { "riscv64: breakpoint, run, step, stop", test_rv64_run_control },
    { "riscv64: mcd_qry_servers_f without a session",
      test_qry_servers_unconnected },
};

int main(int argc, char **argv)
{
    return tap_run(tests, G_N_ELEMENTS(tests), argc, argv);
}
