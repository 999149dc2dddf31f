/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD test helpers
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "qapi/error.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "mcd-util.h"

#define MCD_TEST_TIMEOUT_MS 30000

const char *mcd_test_machine(void)
{
    const char *arch = qtest_get_arch();

    if (!strcmp(arch, "aarch64")) {
        return "-M virt -cpu cortex-a53";
    }
    if (!strcmp(arch, "arm")) {
        return "-M virt -cpu cortex-a15";
    }
    if (!strcmp(arch, "riscv64")) {
        return "-M virt -cpu rv64";
    }
    if (!strcmp(arch, "i386") || !strcmp(arch, "x86_64")) {
        return "-M q35 -cpu IvyBridge";
    }
    return NULL;
}

MCDTest *mcd_test_start(const char *extra_fmt, ...)
{
    MCDTest *t = g_new0(MCDTest, 1);
    g_autofree char *extra = NULL;
    va_list ap;

    va_start(ap, extra_fmt);
    extra = g_strdup_vprintf(extra_fmt, ap);
    va_end(ap);
    t->dir = g_dir_make_tmp("mcd-test-XXXXXX", NULL);
    g_assert(t->dir);
    t->path = g_strdup_printf("%s/mcd.sock", t->dir);
    t->fd = -1;
    t->in = g_string_new(NULL);
    t->qts = qtest_initf("-mcd unix:%s,server=on,wait=off %s", t->path,
                         extra);
    mcd_connect(t);
    return t;
}

void mcd_test_stop(MCDTest *t)
{
    mcd_disconnect(t);
    qtest_quit(t->qts);
    unlink(t->path);
    rmdir(t->dir);
    g_string_free(t->in, true);
    g_free(t->path);
    g_free(t->dir);
    g_free(t);
}

void mcd_connect(MCDTest *t)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert(fd >= 0);
    g_assert(strlen(t->path) < sizeof(addr.sun_path));
    strcpy(addr.sun_path, t->path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    t->fd = fd;
    g_string_truncate(t->in, 0);
}

MCDTest *mcd_test_attach(MCDTest *t, bool connect)
{
    MCDTest *c = g_new0(MCDTest, 1);

    c->qts = t->qts;
    c->path = g_strdup(t->path);
    c->fd = -1;
    c->in = g_string_new(NULL);
    if (connect) {
        mcd_connect(c);
    }
    return c;
}

void mcd_test_detach(MCDTest *c)
{
    mcd_disconnect(c);
    g_string_free(c->in, true);
    g_free(c->path);
    g_free(c);
}

void mcd_disconnect(MCDTest *t)
{
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
}

void mcd_send_raw(MCDTest *t, const char *text)
{
    size_t len = strlen(text);

    while (len) {
        ssize_t n = send(t->fd, text, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        text += n;
        len -= n;
    }
}

void mcd_send_fd(MCDTest *t, const char *text, int fd)
{
    union {
        struct cmsghdr hdr;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl = { 0 };
    struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    ssize_t n;

    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    do {
        n = sendmsg(t->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    g_assert_cmpint(n, >, 0);
    mcd_send_raw(t, text + n);
}

/* Read more input; false on end of file. */
static bool mcd_fill(MCDTest *t, int timeout_ms)
{
    struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
    char buf[4096];
    ssize_t n;
    int r;

    do {
        r = poll(&pfd, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    g_assert_cmpint(r, >=, 0);
    if (r == 0) {
        return true;
    }
    do {
        n = recv(t->fd, buf, sizeof(buf), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return false;
    }
    g_string_append_len(t->in, buf, n);
    return true;
}

bool mcd_line_pending(MCDTest *t, int ms)
{
    if (!strchr(t->in->str, '\n')) {
        mcd_fill(t, ms);
    }
    return strchr(t->in->str, '\n') != NULL;
}

char *mcd_recv_line(MCDTest *t)
{
    gint64 deadline = g_get_monotonic_time() + MCD_TEST_TIMEOUT_MS * 1000;
    char *nl;
    char *line;

    while (!(nl = strchr(t->in->str, '\n'))) {
        if (!mcd_fill(t, 1000)) {
            return NULL;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    }
    line = g_strndup(t->in->str, nl - t->in->str);
    g_string_erase(t->in, 0, nl - t->in->str + 1);
    return line;
}

static G_GNUC_PRINTF(2, 0)
QDict *mcd_vreq(MCDTest *t, const char *fmt, va_list ap)
{
    QObject *req = qobject_from_vjsonf_nofail(fmt, ap);
    g_autoptr(GString) json = qobject_to_json(req);
    g_autofree char *line = NULL;
    QDict *rsp;

    g_string_append_c(json, '\n');
    mcd_send_raw(t, json->str);
    qobject_unref(req);
    line = mcd_recv_line(t);
    g_assert_nonnull(line);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    g_assert_nonnull(rsp);
    return rsp;
}

QDict *mcd_req(MCDTest *t, const char *fmt, ...)
{
    va_list ap;
    QDict *rsp;

    va_start(ap, fmt);
    rsp = mcd_vreq(t, fmt, ap);
    va_end(ap);
    return rsp;
}

QDict *mcd_ret(MCDTest *t, const char *fmt, ...)
{
    va_list ap;
    QDict *rsp, *ret;

    va_start(ap, fmt);
    rsp = mcd_vreq(t, fmt, ap);
    va_end(ap);
    g_assert(qdict_haskey(rsp, "return"));
    ret = qdict_get_qdict(rsp, "return");
    qobject_ref(ret);
    qobject_unref(rsp);
    return ret;
}

QDict *mcd_ret_text(MCDTest *t, const char *json)
{
    g_autoptr(GString) line = g_string_new(json);

    /* Requests are lines: the test's text must not break them. */
    g_assert_null(strchr(json, '\n'));
    for (char *p = line->str; *p; p++) {
        *p = *p == '\'' ? '"' : *p;
    }
    g_string_append_c(line, '\n');
    mcd_send_raw(t, line->str);
    {
        g_autofree char *ans = mcd_recv_line(t);
        QDict *rsp, *ret;

        g_assert_nonnull(ans);
        rsp = qobject_to(QDict, qobject_from_json(ans, &error_abort));
        g_assert(qdict_haskey(rsp, "return"));
        ret = qdict_get_qdict(rsp, "return");
        qobject_ref(ret);
        qobject_unref(rsp);
        return ret;
    }
}

uint64_t mcd_get_u64(QDict *d, const char *key)
{
    return qnum_get_uint(qobject_to(QNum, qdict_get(d, key)));
}

uint32_t mcd_status(QDict *ret)
{
    return qdict_get_int(ret, "return-status");
}

QDict *mcd_error_info(MCDTest *t, uint32_t core_uid)
{
    if (core_uid) {
        return mcd_ret(t, "{'execute': 'mcd-qry-error-info',"
                       " 'arguments': {'core-uid': %u}}", core_uid);
    }
    return mcd_ret(t, "{'execute': 'mcd-qry-error-info'}");
}

void mcd_assert_error(MCDTest *t, uint32_t core_uid, uint32_t code)
{
    QDict *e = mcd_error_info(t, core_uid);

    g_assert_cmpuint(qdict_get_int(e, "return-status"), ==,
                     MCD_RET_ACT_HANDLE_ERROR);
    g_assert_cmphex(qdict_get_int(e, "error-code"), ==, code);
    /* Every error explains itself. */
    g_assert_cmpstr(qdict_get_str(e, "error-str"), !=, "");
    qobject_unref(e);
}

uint32_t mcd_open_server(MCDTest *t)
{
    QDict *r = mcd_ret(t, "{'execute': 'mcd-open-server', 'arguments':"
                       " {'system-key': '', 'config-string': ''}}");
    uint32_t uid;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    uid = qdict_get_int(r, "server-uid");
    g_assert_cmpuint(uid, !=, 0);
    qobject_unref(r);
    return uid;
}

QDict *mcd_device_info_at(MCDTest *t, uint32_t index)
{
    QDict *r = mcd_ret(t, "{'execute': 'mcd-qry-systems', 'arguments':"
                       " {'start-index': 0, 'num-systems': 1}}");
    QDict *sys, *dev;
    QList *l;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    l = qdict_get_qlist(r, "system-con-info");
    sys = qobject_to(QDict, qlist_peek(l));
    qobject_ref(sys);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-devices', 'arguments':"
                " {'system-con-info': %p, 'start-index': %u,"
                " 'num-devices': 1}}", sys, index);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    l = qdict_get_qlist(r, "device-con-info");
    dev = qobject_to(QDict, qlist_peek(l));
    qobject_ref(dev);
    qobject_unref(r);
    return dev;
}

QDict *mcd_core_info_at(MCDTest *t, uint32_t dev, uint32_t index)
{
    QDict *d = mcd_device_info_at(t, dev);
    QDict *r = mcd_ret(t, "{'execute': 'mcd-qry-cores', 'arguments':"
                       " {'connection-info': %p, 'start-index': %u,"
                       " 'num-cores': 1}}", d, index);
    QDict *core;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    core = qobject_to(QDict, qlist_peek(qdict_get_qlist(r,
                                                        "core-con-info")));
    qobject_ref(core);
    qobject_unref(r);
    return core;
}

uint32_t mcd_open_core_at(MCDTest *t, uint32_t dev, uint32_t index)
{
    QDict *info = mcd_core_info_at(t, dev, index);
    QDict *r = mcd_ret(t, "{'execute': 'mcd-open-core', 'arguments':"
                       " {'core-con-info': %p}}", info);
    uint32_t uid;

    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    uid = qdict_get_int(r, "core-uid");
    g_assert_cmpuint(uid, !=, 0);
    qobject_unref(r);
    return uid;
}

QDict *mcd_device_info(MCDTest *t)
{
    return mcd_device_info_at(t, 0);
}

QDict *mcd_core_info(MCDTest *t, uint32_t index)
{
    return mcd_core_info_at(t, 0, index);
}

uint32_t mcd_open_core(MCDTest *t, uint32_t index)
{
    return mcd_open_core_at(t, 0, index);
}

QDict *mcd_tx(uint32_t space, uint64_t addr, uint32_t type, uint8_t width,
              const uint8_t *data, uint32_t len)
{
    QList *bytes = qlist_new();
    QDict *tx;

    for (uint32_t i = 0; i < len; i++) {
        qlist_append_int(bytes, data ? data[i] : 0);
    }
    tx = qdict_from_jsonf_nofail("{'addr': {'address': %" PRIu64 ","
                                 " 'mem-space-id': %u, 'addr-space-id': 0,"
                                 " 'addr-space-type': 0},"
                                 " 'access-type': %u, 'options': 0,"
                                 " 'access-width': %u, 'core-mode': 0,"
                                 " 'num-bytes': %u, 'num-bytes-ok': 0}",
                                 addr, space, type, width, len);
    qdict_put(tx, "data", bytes);
    return tx;
}

void mcd_txlist(MCDTest *t, uint32_t core_uid, QDict **tx, int n,
                MCDTxResult *res)
{
    QList *list = qlist_new();
    QDict *r, *txlist;
    const QListEntry *e;
    int i = 0;

    g_assert_cmpint(n, <=, ARRAY_SIZE(res->data));
    for (int j = 0; j < n; j++) {
        qlist_append(list, tx[j]);
    }
    r = mcd_ret(t, "{'execute': 'mcd-execute-txlist', 'arguments':"
                " {'core-uid': %u, 'txlist': {'tx': %p, 'num-tx': %d,"
                " 'num-tx-ok': 0}}}", core_uid, list, n);
    memset(res, 0, sizeof(*res));
    res->status = mcd_status(r);
    txlist = qdict_get_qdict(r, "txlist");
    if (txlist) {
        res->num_tx_ok = qdict_get_int(txlist, "num-tx-ok");
        QLIST_FOREACH_ENTRY(qdict_get_qlist(txlist, "tx"), e) {
            QDict *d = qobject_to(QDict, qlist_entry_obj(e));
            const QListEntry *b;

            res->num_bytes_ok[i] = qdict_get_int(d, "num-bytes-ok");
            res->data[i] = g_byte_array_new();
            QLIST_FOREACH_ENTRY(qdict_get_qlist(d, "data"), b) {
                uint8_t v = qnum_get_uint(qobject_to(QNum,
                                                     qlist_entry_obj(b)));

                g_byte_array_append(res->data[i], &v, 1);
            }
            i++;
        }
    }
    qobject_unref(r);
}

void mcd_txresult_free(MCDTxResult *res)
{
    for (int i = 0; i < ARRAY_SIZE(res->data); i++) {
        if (res->data[i]) {
            g_byte_array_free(res->data[i], true);
        }
    }
}

void mcd_read(MCDTest *t, uint32_t core_uid, uint32_t space, uint64_t addr,
              uint8_t *buf, uint32_t len)
{
    QDict *tx = mcd_tx(space, addr, MCD_TX_AT_R, 0, NULL, len);
    MCDTxResult res;

    mcd_txlist(t, core_uid, &tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(res.num_bytes_ok[0], ==, len);
    g_assert_cmpuint(res.data[0]->len, ==, len);
    memcpy(buf, res.data[0]->data, len);
    mcd_txresult_free(&res);
}

void mcd_write(MCDTest *t, uint32_t core_uid, uint32_t space, uint64_t addr,
               const uint8_t *buf, uint32_t len)
{
    QDict *tx = mcd_tx(space, addr, MCD_TX_AT_W, 0, buf, len);
    MCDTxResult res;

    mcd_txlist(t, core_uid, &tx, 1, &res);
    g_assert_cmpuint(res.status, ==, MCD_RET_ACT_NONE);
    g_assert_cmpuint(res.num_bytes_ok[0], ==, len);
    mcd_txresult_free(&res);
}

uint32_t mcd_find_space(MCDTest *t, uint32_t core_uid, uint32_t type,
                        const char *name_part)
{
    QDict *r = mcd_ret(t, "{'execute': 'mcd-qry-mem-spaces', 'arguments':"
                       " {'core-uid': %u, 'start-index': 0,"
                       " 'num-mem-spaces': 64}}", core_uid);
    const QListEntry *e;
    uint32_t id = 0;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(r, "mem-spaces"), e) {
        QDict *m = qobject_to(QDict, qlist_entry_obj(e));

        if ((qdict_get_int(m, "mem-type") & type) == type &&
            (!name_part || strstr(qdict_get_str(m, "mem-space-name"),
                                  name_part)) && !id) {
            id = qdict_get_int(m, "mem-space-id");
        }
    }
    qobject_unref(r);
    return id;
}

void mcd_foreach_reg(MCDTest *t, uint32_t core_uid,
                     bool (*fn)(QDict *reg, void *opaque), void *opaque)
{
    uint32_t start = 0;

    /* Page through group 0, all registers, as a client must. */
    for (;;) {
        QDict *r = mcd_ret(t, "{'execute': 'mcd-qry-reg-map', 'arguments':"
                           " {'core-uid': %u, 'reg-group-id': 0,"
                           " 'start-index': %u, 'num-regs': 100}}",
                           core_uid, start);
        const QListEntry *e;
        bool stop = false;

        if (mcd_status(r)) {
            qobject_unref(r);
            return;
        }
        QLIST_FOREACH_ENTRY(qdict_get_qlist(r, "reg-info"), e) {
            stop = stop || fn(qobject_to(QDict, qlist_entry_obj(e)), opaque);
        }
        start += qdict_get_int(r, "num-regs");
        qobject_unref(r);
        if (stop) {
            return;
        }
    }
}

typedef struct FindReg {
    const char *name;
    QDict *found;
} FindReg;

static bool find_reg(QDict *reg, void *opaque)
{
    FindReg *f = opaque;

    if (strcmp(qdict_get_str(reg, "regname"), f->name)) {
        return false;
    }
    f->found = reg;
    qobject_ref(reg);
    return true;
}

QDict *mcd_find_reg(MCDTest *t, uint32_t core_uid, const char *name)
{
    FindReg f = { .name = name };

    mcd_foreach_reg(t, core_uid, find_reg, &f);
    return f.found;
}

uint64_t mcd_read_reg(MCDTest *t, uint32_t core_uid, const char *name)
{
    QDict *reg = mcd_find_reg(t, core_uid, name);
    QDict *addr;
    uint8_t buf[8];
    uint64_t v = 0;
    uint32_t size;

    g_assert_nonnull(reg);
    size = qdict_get_int(reg, "regsize") / 8;
    g_assert_cmpuint(size, <=, 8);
    addr = qdict_get_qdict(reg, "addr");
    mcd_read(t, core_uid, qdict_get_int(addr, "mem-space-id"),
             qdict_get_int(addr, "address"), buf, size);
    for (int i = size - 1; i >= 0; i--) {
        v = (v << 8) | buf[i];
    }
    qobject_unref(reg);
    return v;
}

void mcd_write_reg(MCDTest *t, uint32_t core_uid, const char *name,
                   uint64_t value)
{
    QDict *reg = mcd_find_reg(t, core_uid, name);
    QDict *addr;
    uint8_t buf[8];
    uint32_t size;

    g_assert_nonnull(reg);
    size = qdict_get_int(reg, "regsize") / 8;
    g_assert_cmpuint(size, <=, 8);
    for (int i = 0; i < size; i++) {
        buf[i] = value >> (8 * i);
    }
    addr = qdict_get_qdict(reg, "addr");
    mcd_write(t, core_uid, qdict_get_int(addr, "mem-space-id"),
              qdict_get_int(addr, "address"), buf, size);
    qobject_unref(reg);
}

int mcd_gdb_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert(fd >= 0);
    strcpy(addr.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    return fd;
}

static char mcd_gdb_getc(int fd)
{
    char c;

    g_assert_cmpint(recv(fd, &c, 1, 0), ==, 1);
    return c;
}

char *mcd_gdb_cmd(int fd, const char *cmd)
{
    g_autofree char *pkt = NULL;
    GString *reply = g_string_new(NULL);
    uint8_t sum = 0;
    char c;

    for (const char *p = cmd; *p; p++) {
        sum += *p;
    }
    pkt = g_strdup_printf("$%s#%02x", cmd, sum);
    g_assert_cmpint(send(fd, pkt, strlen(pkt), 0), ==, strlen(pkt));
    /* Skip acks and anything else up to the reply packet. */
    while ((c = mcd_gdb_getc(fd)) != '$') {
        continue;
    }
    while ((c = mcd_gdb_getc(fd)) != '#') {
        g_string_append_c(reply, c);
    }
    mcd_gdb_getc(fd);
    mcd_gdb_getc(fd);
    g_assert_cmpint(send(fd, "+", 1, 0), ==, 1);
    return g_string_free(reply, false);
}
