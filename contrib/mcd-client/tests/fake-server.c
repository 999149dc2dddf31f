/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub tests: an MCD server in a thread, see fake-server.h
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "fake-server.h"

#define ERR_PARAM 0x102
#define ERR_TXLIST_READ 0x2100
#define ERR_TXLIST_WRITE 0x2101

FakeServer *fake_server_new(void)
{
    FakeServer *fs = g_new0(FakeServer, 1);

    fs->num_cores = 2;
    fs->num_regs = 10;
    fs->max_entries = 128;
    fs->max_payload = 12288;
    fs->max_tx = 64;
    fs->mem_base = 0x10000;
    fs->mem_size = 256 * 1024;
    fs->listen_fd = -1;
    g_mutex_init(&fs->lock);
    fs->requests = g_ptr_array_new_with_free_func(g_free);
    return fs;
}

void fake_answer(GString *out, JsonObject *ret)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    JsonObject *o = json_object_new();
    g_autofree char *text = NULL;

    json_object_set_object_member(o, "return", ret);
    json_node_take_object(root, o);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    g_string_append(out, text);
    g_string_append_c(out, '\n');
}

void fake_status(GString *out, uint32_t status)
{
    JsonObject *r = json_object_new();

    json_object_set_int_member(r, "return-status", status);
    fake_answer(out, r);
}

static JsonObject *ok_ret(void)
{
    JsonObject *r = json_object_new();

    json_object_set_int_member(r, "return-status", 0);
    return r;
}

static FakeEnd fail(FakeServer *fs, GString *out, uint32_t code,
                    const char *str)
{
    fs->err_code = code;
    g_strlcpy(fs->err_str, str, sizeof(fs->err_str));
    fake_status(out, 3);
    return FAKE_CONTINUE;
}

static FakeEnd ok(FakeServer *fs, GString *out, JsonObject *r)
{
    fs->err_code = 0;
    fs->err_str[0] = '\0';
    fake_answer(out, r ? r : ok_ret());
    return FAKE_CONTINUE;
}

static int64_t arg_int(JsonObject *args, const char *name)
{
    JsonNode *n = args ? json_object_get_member(args, name) : NULL;

    return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : -1;
}

static JsonObject *con_info(FakeServer *fs, uint32_t core)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "host", "fakehost");
    json_object_set_int_member(o, "server-port", 1235);
    json_object_set_string_member(o, "server-key", "");
    json_object_set_string_member(o, "system-key", "");
    json_object_set_string_member(o, "device-key", "");
    json_object_set_string_member(o, "system", "Fake System");
    json_object_set_string_member(o, "system-instance", "fake #1");
    json_object_set_string_member(o, "acc-hw", "");
    json_object_set_int_member(o, "device-type", 0);
    json_object_set_string_member(o, "device", "fake-device");
    json_object_set_int_member(o, "device-id", 0);
    if (core < fs->num_cores) {
        g_autofree char *name = g_strdup_printf("fake-core #%u", core);

        json_object_set_string_member(o, "core", name);
        json_object_set_int_member(o, "core-type", 183);
        json_object_set_int_member(o, "core-id", core);
    } else {
        json_object_set_string_member(o, "core", "");
        json_object_set_int_member(o, "core-type", 0);
        json_object_set_int_member(o, "core-id", 0);
    }
    return o;
}

static JsonObject *addr(uint64_t a, uint32_t space)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "address", a);
    json_object_set_int_member(o, "mem-space-id", space);
    json_object_set_int_member(o, "addr-space-id", 0);
    json_object_set_int_member(o, "addr-space-type", 0);
    return o;
}

static JsonObject *entry(FakeServer *fs, const char *what, uint32_t i)
{
    JsonObject *o;
    g_autofree char *name = NULL;

    if (!strcmp(what, "server-info")) {
        o = json_object_new();
        json_object_set_string_member(o, "server", "fake server");
        json_object_set_string_member(o, "system-instance", "fake #1");
        json_object_set_string_member(o, "acc-hw", "");
        return o;
    }
    if (!strcmp(what, "core-con-info")) {
        return con_info(fs, i);
    }
    if (strstr(what, "con-info")) {
        return con_info(fs, UINT32_MAX);
    }
    o = json_object_new();
    if (!strcmp(what, "mem-spaces")) {
        json_object_set_int_member(o, "mem-space-id", i + 1);
        json_object_set_string_member(o, "mem-space-name",
                                      i ? "Registers" : "Physical");
        json_object_set_int_member(o, "mem-type", i ? 1 : 0x10);
        json_object_set_int_member(o, "bits-per-mau", 8);
        json_object_set_int_member(o, "invariance", 1);
        json_object_set_int_member(o, "endian", 1);
        json_object_set_int_member(o, "min-addr", 0);
        /* json-glib writes UINT64_MAX as -1; the client takes either. */
        json_object_set_int_member(o, "max-addr", -1);
        json_object_set_int_member(o, "num-mem-blocks", 0);
        json_object_set_int_member(o, "supported-access-options", 0);
        json_object_set_int_member(o, "core-mode-mask-read", 0);
        json_object_set_int_member(o, "core-mode-mask-write", 0);
    } else if (!strcmp(what, "reg-groups")) {
        json_object_set_int_member(o, "reg-group-id", 1);
        json_object_set_string_member(o, "reg-group-name", "all");
        json_object_set_int_member(o, "n-registers", fs->num_regs);
    } else if (!strcmp(what, "reg-info")) {
        name = g_strdup_printf("r%u", i);
        json_object_set_object_member(o, "addr", addr(i, 2));
        json_object_set_int_member(o, "reg-group-id", 1);
        json_object_set_string_member(o, "regname", name);
        json_object_set_int_member(o, "regsize", 64);
        json_object_set_int_member(o, "core-mode-mask-read", 0);
        json_object_set_int_member(o, "core-mode-mask-write", 0);
        json_object_set_boolean_member(o, "side-effects-read", false);
        json_object_set_boolean_member(o, "side-effects-write", false);
        json_object_set_int_member(o, "reg-type", 0);
        json_object_set_int_member(o, "hw-thread-id", 0);
    }
    return o;
}

static FakeEnd list(FakeServer *fs, JsonObject *args, const char *num_name,
                    const char *array, uint32_t total, GString *out)
{
    int64_t start = arg_int(args, "start-index");
    int64_t num = arg_int(args, num_name);
    JsonObject *r;
    JsonArray *a;
    uint32_t n;

    if (start < 0 || num < 0) {
        return fail(fs, out, ERR_PARAM, "bad list arguments");
    }
    r = ok_ret();
    if (!num) {
        json_object_set_int_member(r, num_name, total);
        return ok(fs, out, r);
    }
    if (start >= total) {
        json_object_unref(r);
        return fail(fs, out, ERR_PARAM, "start index past the end");
    }
    n = MIN(MIN((uint64_t)num, (uint64_t)(total - start)),
            fs->max_entries);
    a = json_array_new();
    for (uint32_t i = 0; i < n; i++) {
        json_array_add_object_element(a, entry(fs, array, start + i));
    }
    json_object_set_int_member(r, num_name, n);
    json_object_set_array_member(r, array, a);
    return ok(fs, out, r);
}

static bool tx_reads(int64_t t)
{
    return t == 1 || t == 3 || t == 4;
}

static bool tx_writes(int64_t t)
{
    return t == 2 || t == 3 || t == 4;
}

/* Bytes of [a, a + n) the memory has before the first hole. */
static uint32_t mem_ok(FakeServer *fs, uint64_t a, uint32_t n)
{
    uint64_t end = fs->mem_base + fs->mem_size;
    uint64_t stop = a + n;

    if (a < fs->mem_base || a >= end) {
        return 0;
    }
    stop = MIN(stop, end);
    if (fs->fail_addr && fs->fail_addr >= a && fs->fail_addr < stop) {
        stop = fs->fail_addr;
    }
    return stop - a;
}

/* The bytes of a transaction's "data", 0 if it has none. */
static uint32_t data_len(JsonObject *tx)
{
    JsonNode *n = json_object_get_member(tx, "data");

    return n && JSON_NODE_HOLDS_ARRAY(n) ?
           json_array_get_length(json_node_get_array(n)) : 0;
}

/*
 * The bytes transaction @tx carries, at most @max, into @buf: from
 * data-hex if it has one (the extension of QEMU's server, see MCDTx in
 * qapi/mcd.json), else from data.  Their number; -1 if data-hex is not
 * a string of hex digit pairs.
 */
static int64_t tx_data(JsonObject *tx, uint8_t *buf, uint32_t max)
{
    JsonNode *n = json_object_get_member(tx, "data-hex");
    JsonArray *data;
    uint32_t j = 0, len;

    if (n) {
        const char *hex;
        size_t digits;

        if (!JSON_NODE_HOLDS_VALUE(n) ||
            json_node_get_value_type(n) != G_TYPE_STRING) {
            return -1;
        }
        hex = json_node_get_string(n);
        digits = strlen(hex);
        if (digits % 2) {
            return -1;
        }
        for (; j < digits / 2; j++) {
            int hi = g_ascii_xdigit_value(hex[2 * j]);
            int lo = g_ascii_xdigit_value(hex[2 * j + 1]);

            if (hi < 0 || lo < 0) {
                return -1;
            }
            if (j < max) {
                buf[j] = hi << 4 | lo;
            }
        }
        return MIN(j, max);
    }
    len = MIN(data_len(tx), max);
    data = len ? json_object_get_array_member(tx, "data") : NULL;
    for (; j < len; j++) {
        buf[j] = json_array_get_int_element(data, j);
    }
    return j;
}

static FakeEnd txlist(FakeServer *fs, JsonObject *args, GString *out)
{
    JsonObject *tl = json_object_get_object_member(args, "txlist");
    JsonArray *txs = json_object_get_array_member(tl, "tx");
    uint32_t n = json_array_get_length(txs), done = 0;
    g_autofree uint8_t *buf = NULL;
    JsonObject *r, *rl;
    JsonArray *ra;
    uint64_t bytes = 0, pos = 0;
    uint32_t code = 0, hex_tx = 0, array_bytes = 0;
    bool hex;

    for (uint32_t i = 0; i < n; i++) {
        JsonObject *tx = json_array_get_object_element(txs, i);

        bytes += json_object_get_int_member(tx, "num-bytes");
        hex_tx += json_object_has_member(tx, "data-hex");
        array_bytes += data_len(tx);
    }
    fs->txlists++;
    fs->hex_txlists += n && hex_tx == n && !array_bytes;
    fs->most_tx = MAX(fs->most_tx, n);
    fs->most_bytes = MAX(fs->most_bytes, bytes);
    if (n != json_object_get_int_member(tl, "num-tx") || n > fs->max_tx ||
        bytes > fs->max_payload) {
        return fail(fs, out, ERR_PARAM, "transaction list over the limits");
    }
    /* Like QEMU: what is to be written is checked before anything runs. */
    buf = g_malloc0(bytes ?: 1);
    for (uint32_t i = 0; i < n; i++) {
        JsonObject *tx = json_array_get_object_element(txs, i);
        uint32_t len = json_object_get_int_member(tx, "num-bytes");
        int64_t got = tx_data(tx, buf + pos, len);

        if (got < 0 || (got < len && tx_writes(json_object_get_int_member(
                                           tx, "access-type")))) {
            g_autofree char *why = g_strdup_printf(
                "transaction %u writes %u bytes but carries %s", i, len,
                got < 0 ? "malformed hex" : "fewer");

            return fail(fs, out, ERR_PARAM, why);
        }
        pos += len;
    }
    /* Any data-hex asks for hex answers, unless the server knows none. */
    hex = hex_tx && !fs->no_hex_answers;
    ra = json_array_new();
    pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        JsonObject *tx = json_array_get_object_element(txs, i);
        JsonObject *a = json_object_get_object_member(tx, "addr");
        uint64_t at = json_object_get_int_member(a, "address");
        int64_t type = json_object_get_int_member(tx, "access-type");
        uint32_t len = json_object_get_int_member(tx, "num-bytes");
        uint32_t nok = code ? 0 : mem_ok(fs, at, len);
        uint32_t nread = !code && tx_reads(type) ? nok : 0;
        uint8_t *mem = nok ? fs->mem + (at - fs->mem_base) : NULL;
        JsonObject *rt = json_object_new();
        JsonArray *rd = json_array_new();

        if (!code && tx_writes(type) && nok) {
            memcpy(mem, buf + pos, nok);
        }
        if (hex) {
            static const char digit[] = "0123456789abcdef";
            g_autofree char *s = g_malloc(2 * nread + 1);

            for (uint32_t j = 0; j < nread; j++) {
                s[2 * j] = digit[mem[j] >> 4];
                s[2 * j + 1] = digit[mem[j] & 15];
            }
            s[2 * nread] = '\0';
            json_object_set_string_member(rt, "data-hex", s);
        } else {
            for (uint32_t j = 0; j < nread; j++) {
                json_array_add_int_element(rd, mem[j]);
            }
        }
        json_object_set_object_member(rt, "addr", json_object_ref(a));
        json_object_set_int_member(rt, "access-type", type);
        json_object_set_int_member(rt, "options", 0);
        json_object_set_int_member(rt, "access-width", 0);
        json_object_set_int_member(rt, "core-mode", 0);
        json_object_set_array_member(rt, "data", rd);
        json_object_set_int_member(rt, "num-bytes", len);
        json_object_set_int_member(rt, "num-bytes-ok", nok);
        json_array_add_object_element(ra, rt);
        if (!code && nok < len) {
            code = tx_writes(type) ? ERR_TXLIST_WRITE : ERR_TXLIST_READ;
        } else if (!code) {
            done++;
        }
        pos += len;
    }
    rl = json_object_new();
    json_object_set_array_member(rl, "tx", ra);
    json_object_set_int_member(rl, "num-tx", n);
    json_object_set_int_member(rl, "num-tx-ok", done);
    r = json_object_new();
    json_object_set_int_member(r, "return-status", code ? 3 : 0);
    json_object_set_object_member(r, "txlist", rl);
    if (code) {
        fs->err_code = code;
        g_strlcpy(fs->err_str, "no memory there", sizeof(fs->err_str));
        fake_answer(out, r);
        return FAKE_CONTINUE;
    }
    return ok(fs, out, r);
}

static FakeEnd fake_default(FakeServer *fs, const char *cmd,
                            JsonObject *args, GString *out)
{
    JsonObject *r;

    if (!strcmp(cmd, "mcd-exit")) {
        fs->got_exit = true;
        return FAKE_CONTINUE;
    }
    if (!strcmp(cmd, "mcd-qry-error-info")) {
        r = json_object_new();
        json_object_set_int_member(r, "return-status", fs->err_code ? 3 : 0);
        json_object_set_int_member(r, "error-code", fs->err_code);
        json_object_set_int_member(r, "error-events", 0);
        json_object_set_string_member(r, "error-str", fs->err_str);
        fake_answer(out, r);
        return FAKE_CONTINUE;
    }
    if (!strcmp(cmd, "mcd-open-server")) {
        r = ok_ret();
        json_object_set_int_member(r, "server-uid", 1);
        json_object_set_string_member(r, "host", "fakehost");
        json_object_set_string_member(
            r, "config-string",
            json_object_get_string_member(args, "config-string"));
        return ok(fs, out, r);
    }
    if (!strcmp(cmd, "mcd-close-server") || !strcmp(cmd, "mcd-close-core")) {
        return ok(fs, out, NULL);
    }
    if (!strcmp(cmd, "mcd-qry-servers")) {
        return list(fs, args, "num-servers", "server-info", 1, out);
    }
    if (!strcmp(cmd, "mcd-qry-systems")) {
        return list(fs, args, "num-systems", "system-con-info", 1, out);
    }
    if (!strcmp(cmd, "mcd-qry-devices")) {
        return list(fs, args, "num-devices", "device-con-info", 1, out);
    }
    if (!strcmp(cmd, "mcd-qry-cores")) {
        return list(fs, args, "num-cores", "core-con-info", fs->num_cores,
                    out);
    }
    if (!strcmp(cmd, "mcd-qry-mem-spaces")) {
        return list(fs, args, "num-mem-spaces", "mem-spaces", 2, out);
    }
    if (!strcmp(cmd, "mcd-qry-reg-groups")) {
        return list(fs, args, "num-reg-groups", "reg-groups", 1, out);
    }
    if (!strcmp(cmd, "mcd-qry-reg-map")) {
        return list(fs, args, "num-regs", "reg-info", fs->num_regs, out);
    }
    if (!strcmp(cmd, "mcd-open-core")) {
        JsonObject *ci = json_object_get_object_member(args, "core-con-info");
        int64_t id = json_object_get_int_member(ci, "core-id");

        if (id < 0 || id >= fs->num_cores) {
            return fail(fs, out, ERR_PARAM, "no such core");
        }
        r = ok_ret();
        json_object_set_int_member(r, "core-uid", 100 + id);
        json_object_set_object_member(r, "core-con-info", con_info(fs, id));
        return ok(fs, out, r);
    }
    if (!strcmp(cmd, "mcd-qry-max-payload-size")) {
        r = ok_ret();
        json_object_set_int_member(r, "max-payload", fs->max_payload);
        return ok(fs, out, r);
    }
    if (!strcmp(cmd, "mcd-execute-txlist")) {
        return txlist(fs, args, out);
    }
    g_string_append_printf(out, "{\"error\": {\"class\": \"CommandNotFound\", "
                           "\"desc\": \"The command %s has not been "
                           "found\"}}\n", cmd);
    return FAKE_CONTINUE;
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        buf += n;
        len -= n;
    }
}

/* Handle one request line; false when the connection is to end. */
static bool serve_line(FakeServer *fs, int fd, const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GString) out = g_string_new(NULL);
    JsonObject *req, *args = NULL;
    const char *cmd;
    FakeEnd end = FAKE_DEFAULT;
    JsonNode *root;

    g_mutex_lock(&fs->lock);
    g_ptr_array_add(fs->requests, g_strdup(line));
    root = json_parser_load_from_data(parser, line, -1, NULL) ?
           json_parser_get_root(parser) : NULL;
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_string_append(out, "{\"error\": {\"class\": \"GenericError\", "
                        "\"desc\": \"JSON parse error\"}}\n");
        end = FAKE_CONTINUE;
    } else {
        req = json_node_get_object(root);
        cmd = json_object_get_string_member_with_default(req, "execute", "");
        if (json_object_has_member(req, "arguments")) {
            args = json_object_get_object_member(req, "arguments");
        }
        if (fs->hook) {
            FakeReq rq = { fs, cmd, args, out };

            end = fs->hook(&rq);
        }
        if (end == FAKE_DEFAULT) {
            end = fake_default(fs, cmd, args, out);
        }
    }
    g_mutex_unlock(&fs->lock);
    send_all(fd, out->str, out->len);
    if (end == FAKE_RESET) {
        struct linger l = { .l_onoff = 1, .l_linger = 0 };

        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
    return end == FAKE_CONTINUE;
}

static void serve_conn(FakeServer *fs, int fd)
{
    g_autoptr(GString) in = g_string_new(NULL);
    char buf[65536];

    while (!g_atomic_int_get(&fs->stop)) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char *nl;
        ssize_t n;

        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            return;
        }
        g_string_append_len(in, buf, n);
        while ((nl = memchr(in->str, '\n', in->len))) {
            g_autofree char *line = g_strndup(in->str, nl - in->str);

            g_string_erase(in, 0, nl - in->str + 1);
            if (!serve_line(fs, fd, line)) {
                return;
            }
        }
    }
}

static gpointer serve(gpointer opaque)
{
    FakeServer *fs = opaque;

    while (!g_atomic_int_get(&fs->stop)) {
        struct pollfd p = { .fd = fs->listen_fd, .events = POLLIN };
        int fd;

        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        fd = accept(fs->listen_fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        g_mutex_lock(&fs->lock);
        fs->connections++;
        g_mutex_unlock(&fs->lock);
        serve_conn(fs, fd);
        close(fd);
    }
    return NULL;
}

void fake_server_start(FakeServer *fs, bool tcp)
{
    fs->mem = g_malloc0(fs->mem_size);
    fs->tcp = tcp;
    if (tcp) {
        struct sockaddr_in sin = {
            .sin_family = AF_INET,
            .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
        };
        socklen_t len = sizeof(sin);

        fs->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
        g_assert(fs->listen_fd >= 0);
        g_assert(!bind(fs->listen_fd, (struct sockaddr *)&sin, sizeof(sin)));
        g_assert(!getsockname(fs->listen_fd, (struct sockaddr *)&sin, &len));
        fs->port = ntohs(sin.sin_port);
    } else {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };

        fs->dir = g_dir_make_tmp("mcdc-fake-XXXXXX", NULL);
        g_assert(fs->dir);
        fs->path = g_build_filename(fs->dir, "mcd.sock", NULL);
        g_strlcpy(sun.sun_path, fs->path, sizeof(sun.sun_path));
        fs->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
        g_assert(fs->listen_fd >= 0);
        g_assert(!bind(fs->listen_fd, (struct sockaddr *)&sun, sizeof(sun)));
    }
    g_assert(!listen(fs->listen_fd, 4));
    fs->thread = g_thread_new("fake-mcd", serve, fs);
}

char *fake_server_config(FakeServer *fs, const char *options)
{
    if (fs->tcp) {
        return g_strdup_printf("127.0.0.1:%u%s", fs->port,
                               options ? options : "");
    }
    return g_strdup_printf("unix:%s%s", fs->path, options ? options : "");
}

void fake_server_free(FakeServer *fs)
{
    g_atomic_int_set(&fs->stop, 1);
    if (fs->thread) {
        g_thread_join(fs->thread);
    }
    if (fs->listen_fd >= 0) {
        close(fs->listen_fd);
    }
    if (fs->path) {
        unlink(fs->path);
        rmdir(fs->dir);
    }
    g_free(fs->path);
    g_free(fs->dir);
    g_free(fs->mem);
    g_ptr_array_free(fs->requests, true);
    g_mutex_clear(&fs->lock);
    g_free(fs);
}

guint fake_server_count(FakeServer *fs, const char *cmd)
{
    g_autofree char *needle = g_strdup_printf("\"execute\":\"%s\"", cmd);
    guint n = 0;

    g_mutex_lock(&fs->lock);
    for (guint i = 0; i < fs->requests->len; i++) {
        n += !cmd || strstr(g_ptr_array_index(fs->requests, i), needle);
    }
    g_mutex_unlock(&fs->lock);
    return n;
}

char *fake_server_request(FakeServer *fs, guint n)
{
    char *s = NULL;

    g_mutex_lock(&fs->lock);
    if (n < fs->requests->len) {
        s = g_strdup(g_ptr_array_index(fs->requests, n));
    }
    g_mutex_unlock(&fs->lock);
    return s;
}
