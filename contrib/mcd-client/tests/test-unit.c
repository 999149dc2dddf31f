/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: unit tests, no QEMU needed
 *
 * The parts of the library on their own (config strings, marshalling,
 * splitting), then the API functions against the fake server of
 * fake-server.c, which can also misbehave: stay silent, hang up in the
 * middle of an answer, send garbage or too much.
 */

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "mcdc.h"
#include "tap.h"
#include "fake-server.h"

/* Config strings */

static McdcConfig parse_ok(const char *s)
{
    McdcConfig cfg;
    McdcFailure f;

    if (!mcdc_config_parse(s, &cfg, &f)) {
        tap_fail(__FILE__, __LINE__, "\"%s\" refused: %s", s, f.str);
        tap_abort();
    }
    return cfg;
}

static void parse_bad(const char *s, const char *why)
{
    McdcConfig cfg;
    McdcFailure f;

    if (mcdc_config_parse(s, &cfg, &f)) {
        tap_fail(__FILE__, __LINE__, "\"%s\" accepted", s);
        mcdc_config_clear(&cfg);
        return;
    }
    CHECK_EQ(f.code, MCD_ERR_PARAM);
    CHECK_HAS(f.str, why);
}

static void test_config_default(void)
{
    McdcConfig cfg;
    g_autofree char *ep = NULL;

    g_unsetenv(MCDC_ENV_CONNECT_TIMEOUT);
    g_unsetenv(MCDC_ENV_ANSWER_TIMEOUT);
    cfg = parse_ok("");
    CHECK_EQ(cfg.transport, MCDC_TRANSPORT_TCP);
    CHECK_STR(cfg.host, "127.0.0.1");
    CHECK_EQ(cfg.port, 1235);
    CHECK_EQ(cfg.connect_timeout_ms, 5000);
    CHECK_EQ(cfg.answer_timeout_ms, 30000);
    ep = mcdc_config_endpoint(&cfg);
    CHECK_STR(ep, "127.0.0.1:1235");
    mcdc_config_clear(&cfg);
    cfg = parse_ok(NULL);
    CHECK_STR(cfg.host, "127.0.0.1");
    CHECK_EQ(cfg.port, 1235);
    mcdc_config_clear(&cfg);
    cfg = parse_ok("  ");
    CHECK_STR(cfg.host, "127.0.0.1");
    mcdc_config_clear(&cfg);
}

static void test_config_tcp(void)
{
    McdcConfig cfg = parse_ok("localhost:4000");

    CHECK_STR(cfg.host, "localhost");
    CHECK_EQ(cfg.port, 4000);
    mcdc_config_clear(&cfg);
    cfg = parse_ok("tcp:10.0.0.1:99");
    CHECK_STR(cfg.host, "10.0.0.1");
    CHECK_EQ(cfg.port, 99);
    mcdc_config_clear(&cfg);
    cfg = parse_ok("somehost");
    CHECK_STR(cfg.host, "somehost");
    CHECK_EQ(cfg.port, 1235);
    mcdc_config_clear(&cfg);
    cfg = parse_ok(":77");
    CHECK_STR(cfg.host, "127.0.0.1");
    CHECK_EQ(cfg.port, 77);
    mcdc_config_clear(&cfg);
    cfg = parse_ok("[::1]:1236");
    CHECK_STR(cfg.host, "::1");
    CHECK_EQ(cfg.port, 1236);
    {
        g_autofree char *ep = mcdc_config_endpoint(&cfg);

        CHECK_STR(ep, "[::1]:1236");
    }
    mcdc_config_clear(&cfg);
    cfg = parse_ok("[fe80::1]");
    CHECK_STR(cfg.host, "fe80::1");
    CHECK_EQ(cfg.port, 1235);
    mcdc_config_clear(&cfg);
    parse_bad("::1:5", "IPv6");
    parse_bad("[::1", "[address]:port");
    parse_bad("h:0", "port");
    parse_bad("h:65536", "port");
    parse_bad("h:12x", "port");
    parse_bad("h:", "port");
    parse_bad("h:-1", "port");
}

static void test_config_unix(void)
{
    McdcConfig cfg = parse_ok("unix:/tmp/some dir/mcd.sock");
    g_autofree char *ep = mcdc_config_endpoint(&cfg);
    g_autofree char *longpath = g_strnfill(120, 'x');
    g_autofree char *s = g_strdup_printf("unix:/%s", longpath);

    CHECK_EQ(cfg.transport, MCDC_TRANSPORT_UNIX);
    CHECK_STR(cfg.path, "/tmp/some dir/mcd.sock");
    CHECK_STR(ep, "unix:/tmp/some dir/mcd.sock");
    mcdc_config_clear(&cfg);
    parse_bad("unix:", "path is missing");
    parse_bad(s, "longer than");
}

static void test_config_options(void)
{
    McdcConfig cfg;

    g_unsetenv(MCDC_ENV_CONNECT_TIMEOUT);
    g_unsetenv(MCDC_ENV_ANSWER_TIMEOUT);
    cfg = parse_ok("h:1,timeout=250,connect-timeout=100");
    CHECK_STR(cfg.host, "h");
    CHECK_EQ(cfg.answer_timeout_ms, 250);
    CHECK_EQ(cfg.connect_timeout_ms, 100);
    mcdc_config_clear(&cfg);
    cfg = parse_ok("unix:/p , timeout=5,");
    CHECK_STR(cfg.path, "/p");
    CHECK_EQ(cfg.answer_timeout_ms, 5);
    CHECK_EQ(cfg.connect_timeout_ms, 5000);
    mcdc_config_clear(&cfg);
    cfg = parse_ok(",timeout=7");
    CHECK_STR(cfg.host, "127.0.0.1");
    CHECK_EQ(cfg.answer_timeout_ms, 7);
    mcdc_config_clear(&cfg);
    parse_bad("h:1,speed=9", "unknown config option");
    parse_bad("h:1,timeout", "unknown config option");
    parse_bad("h:1,timeout=0", "milliseconds");
    parse_bad("h:1,timeout=abc", "milliseconds");
    parse_bad("h:1,connect-timeout=99999999999", "milliseconds");
}

static void test_config_env(void)
{
    McdcConfig cfg;

    g_setenv(MCDC_ENV_CONNECT_TIMEOUT, "77", true);
    g_setenv(MCDC_ENV_ANSWER_TIMEOUT, "1234", true);
    cfg = parse_ok("h:1");
    CHECK_EQ(cfg.connect_timeout_ms, 77);
    CHECK_EQ(cfg.answer_timeout_ms, 1234);
    mcdc_config_clear(&cfg);
    /* The config string wins over the environment. */
    cfg = parse_ok("h:1,timeout=99");
    CHECK_EQ(cfg.connect_timeout_ms, 77);
    CHECK_EQ(cfg.answer_timeout_ms, 99);
    mcdc_config_clear(&cfg);
    g_setenv(MCDC_ENV_ANSWER_TIMEOUT, "soon", true);
    parse_bad("h:1", MCDC_ENV_ANSWER_TIMEOUT);
    g_unsetenv(MCDC_ENV_CONNECT_TIMEOUT);
    g_unsetenv(MCDC_ENV_ANSWER_TIMEOUT);
}

/* Marshalling */

/* Fill every described member of @s with random, valid values. */
static void fill_random(const McdcStructDesc *d, void *s, GRand *r)
{
    for (const McdcField *fl = d->fields; fl->name; fl++) {
        uint8_t *p = (uint8_t *)s + fl->offset;
        size_t len;

        switch (fl->type) {
        case MCDC_F_UINT:
        case MCDC_F_UINT_ARRAY:
            for (size_t i = 0; i < fl->size; i++) {
                p[i] = g_rand_int(r);
            }
            break;
        case MCDC_F_BOOL:
            memset(p, 0, fl->size);
            p[0] = g_rand_boolean(r);
            break;
        case MCDC_F_STR:
            memset(p, 0, fl->size);
            len = g_rand_int_range(r, 0, fl->size);
            for (size_t i = 0; i < len; i++) {
                p[i] = g_rand_int_range(r, 0x20, 0x7f);
            }
            break;
        case MCDC_F_STRUCT:
            fill_random(fl->sub, p, r);
            break;
        }
    }
}

static char *to_text(JsonObject *o)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);

    json_node_set_object(root, o);
    json_generator_set_root(gen, root);
    return json_generator_to_data(gen, NULL);
}

static JsonObject *from_text(const char *text)
{
    g_autoptr(JsonParser) p = json_parser_new();
    JsonNode *root;

    if (!json_parser_load_from_data(p, text, -1, NULL)) {
        tap_fail(__FILE__, __LINE__, "cannot parse %s", text);
        tap_abort();
    }
    root = json_parser_get_root(p);
    REQUIRE(root && JSON_NODE_HOLDS_OBJECT(root));
    return json_object_ref(json_node_get_object(root));
}

static void test_marshal_roundtrip_all(void)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(4711);

    for (size_t k = 0; mcdc_all_descs[k]; k++) {
        const McdcStructDesc *d = mcdc_all_descs[k];

        for (int round = 0; round < 20; round++) {
            g_autofree void *a = g_malloc0(d->size);
            g_autofree void *b = g_malloc0(d->size);
            g_autoptr(JsonObject) o = NULL;
            g_autoptr(JsonObject) back = NULL;
            g_autofree char *text = NULL;
            McdcFailure f;
            size_t nfields = 0;

            fill_random(d, a, r);
            o = mcdc_struct_to_json(d, a);
            for (const McdcField *fl = d->fields; fl->name; fl++) {
                nfields++;
                CHECK(json_object_has_member(o, fl->name));
            }
            CHECK_EQ(json_object_get_size(o), nfields);
            text = to_text(o);
            back = from_text(text);
            if (!mcdc_struct_from_json(d, back, b, &f)) {
                tap_fail(__FILE__, __LINE__, "%s: %s", d->name, f.str);
                continue;
            }
            if (memcmp(a, b, d->size)) {
                tap_fail(__FILE__, __LINE__, "%s differs after a round "
                         "trip through %s", d->name, text);
            }
        }
    }
}

static void test_marshal_con_info(void)
{
    mcd_core_con_info_st ci = {
        .server_port = 1235, .device_type = 7, .device_id = 3,
        .core_type = 183, .core_id = 1,
    };
    mcd_core_con_info_st back = { 0 };
    static const char *const names[] = {
        "host", "server-port", "server-key", "system-key", "device-key",
        "system", "system-instance", "acc-hw", "device-type", "device",
        "device-id", "core", "core-type", "core-id",
    };
    g_autoptr(JsonObject) o = NULL;
    g_autoptr(JsonObject) q = NULL;
    McdcFailure f;

    strcpy(ci.host, "vm");
    strcpy(ci.system, "QEMU 10.0.13");
    strcpy(ci.device, "virt");
    strcpy(ci.core, "cortex-a53 #0");
    o = mcdc_struct_to_json(&mcdc_core_con_info_desc, &ci);
    CHECK_EQ(json_object_get_size(o), G_N_ELEMENTS(names));
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        CHECK(json_object_has_member(o, names[i]));
    }
    CHECK_STR(json_object_get_string_member(o, "core"), "cortex-a53 #0");
    CHECK_EQ(json_object_get_int_member(o, "core-type"), 183);
    /* As QEMU's MCD server sends it. */
    q = from_text("{\"host\": \"vm\", \"server-port\": 0, \"server-key\": "
                  "\"\", \"system-key\": \"\", \"device-key\": \"\", "
                  "\"system\": \"QEMU 10.0.13\", \"system-instance\": "
                  "\"qemu (pid 42)\", \"acc-hw\": \"\", \"device-type\": 0, "
                  "\"device\": \"virt\", \"device-id\": 0, \"core\": "
                  "\"rv64 #1\", \"core-type\": 243, \"core-id\": 1}");
    REQUIRE(mcdc_struct_from_json(&mcdc_core_con_info_desc, q, &back, &f));
    CHECK_STR(back.core, "rv64 #1");
    CHECK_STR(back.system_instance, "qemu (pid 42)");
    CHECK_EQ(back.core_type, 243);
    CHECK_EQ(back.core_id, 1);
}

static void test_marshal_txlist(void)
{
    uint8_t wdata[4] = { 1, 2, 3, 255 }, rdata[3] = { 0 }, rback[3];
    mcd_tx_st tx[2] = {
        {
            .addr = { .address = 0x80000000, .mem_space_id = 1 },
            .access_type = MCD_TX_AT_W, .access_width = 4,
            .data = wdata, .num_bytes = 4,
        }, {
            .addr = { .address = UINT64_MAX - 2, .mem_space_id = 3,
                      .addr_space_id = 9, .addr_space_type = 2 },
            .access_type = MCD_TX_AT_R, .options = MCD_TX_OPT_NOINCREMENT,
            .core_mode = 1, .data = rdata, .num_bytes = 3,
        },
    };
    mcd_txlist_st tl = { .tx = tx, .num_tx = 2 };
    mcd_tx_st tx2[2];
    mcd_txlist_st tl2 = { .tx = tx2, .num_tx = 2 };
    g_autoptr(JsonObject) o = mcdc_txlist_to_json(&tl);
    g_autoptr(JsonObject) ans = NULL;
    g_autofree char *text = to_text(o);
    JsonArray *a = json_object_get_array_member(o, "tx");
    JsonObject *t0 = json_array_get_object_element(a, 0);
    JsonObject *t1 = json_array_get_object_element(a, 1);
    McdcFailure f;

    CHECK_EQ(json_object_get_int_member(o, "num-tx"), 2);
    /* Written bytes go as hex, with an empty array. */
    CHECK_EQ(json_array_get_length(json_object_get_array_member(t0, "data")),
             0);
    CHECK_STR(json_object_get_string_member(t0, "data-hex"), "010203ff");
    /* Reads send no data, but data-hex, to get hex back. */
    CHECK_EQ(json_array_get_length(json_object_get_array_member(t1, "data")),
             0);
    CHECK_STR(json_object_get_string_member(t1, "data-hex"), "");
    CHECK_HAS(text, "\"data\":[],\"data-hex\":\"010203ff\"");
    CHECK_EQ((uint64_t)json_object_get_int_member(
                 json_object_get_object_member(t1, "addr"), "address"),
             UINT64_MAX - 2);
    CHECK_EQ(json_object_get_int_member(t1, "access-type"), MCD_TX_AT_R);
    CHECK_EQ(json_object_get_int_member(t1, "options"),
             MCD_TX_OPT_NOINCREMENT);
    CHECK_EQ(json_object_get_int_member(t0, "access-width"), 4);
    CHECK_HAS(text, "\"num-bytes\":3");

    /* The answer: data read, counts filled in. */
    memcpy(tx2, tx, sizeof(tx));
    tx2[1].data = rback;
    ans = from_text("{\"tx\": [{\"addr\": {\"address\": 2147483648, "
                    "\"mem-space-id\": 1, \"addr-space-id\": 0, "
                    "\"addr-space-type\": 0}, \"access-type\": 2, "
                    "\"options\": 0, \"access-width\": 4, \"core-mode\": 0, "
                    "\"data\": [], \"num-bytes\": 4, \"num-bytes-ok\": 4}, "
                    "{\"addr\": {\"address\": 18446744073709551613, "
                    "\"mem-space-id\": 3, \"addr-space-id\": 9, "
                    "\"addr-space-type\": 2}, \"access-type\": 1, "
                    "\"options\": 256, \"access-width\": 0, "
                    "\"core-mode\": 1, \"data\": [7, 8, 9], "
                    "\"num-bytes\": 3, \"num-bytes-ok\": 3}], "
                    "\"num-tx\": 2, \"num-tx-ok\": 2}");
    /* An older server: no data-hex, the bytes in the array. */
    REQUIRE(mcdc_txlist_from_json(ans, &tl2, &f));
    CHECK_EQ(tl2.num_tx_ok, 2);
    CHECK_EQ(tx2[0].num_bytes_ok, 4);
    CHECK_EQ(tx2[1].num_bytes_ok, 3);
    CHECK(rback[0] == 7 && rback[1] == 8 && rback[2] == 9);
    CHECK(wdata[3] == 255);

    /* QEMU's answer to data-hex: hex for every transaction, either case. */
    json_object_unref(ans);
    memset(rback, 0, sizeof(rback));
    tx2[0].num_bytes_ok = tx2[1].num_bytes_ok = 0;
    ans = from_text("{\"tx\": [{\"addr\": {\"address\": 2147483648, "
                    "\"mem-space-id\": 1, \"addr-space-id\": 0, "
                    "\"addr-space-type\": 0}, \"access-type\": 2, "
                    "\"options\": 0, \"access-width\": 4, \"core-mode\": 0, "
                    "\"data\": [], \"data-hex\": \"\", \"num-bytes\": 4, "
                    "\"num-bytes-ok\": 4}, "
                    "{\"addr\": {\"address\": 18446744073709551613, "
                    "\"mem-space-id\": 3, \"addr-space-id\": 9, "
                    "\"addr-space-type\": 2}, \"access-type\": 1, "
                    "\"options\": 256, \"access-width\": 0, "
                    "\"core-mode\": 1, \"data\": [], \"data-hex\": "
                    "\"0aFf80\", \"num-bytes\": 3, \"num-bytes-ok\": 3}], "
                    "\"num-tx\": 2, \"num-tx-ok\": 2}");
    REQUIRE(mcdc_txlist_from_json(ans, &tl2, &f));
    CHECK_EQ(tl2.num_tx_ok, 2);
    CHECK_EQ(tx2[0].num_bytes_ok, 4);
    CHECK_EQ(tx2[1].num_bytes_ok, 3);
    CHECK(rback[0] == 0x0a && rback[1] == 0xff && rback[2] == 0x80);
    CHECK(wdata[3] == 255);

    /* A slice of a transaction: its own address, size and data. */
    {
        g_autoptr(JsonObject) s = mcdc_tx_to_json(&tx[0], 2, 2);
        JsonArray *d = json_object_get_array_member(s, "data");

        CHECK_EQ(json_object_get_int_member(
                     json_object_get_object_member(s, "addr"), "address"),
                 0x80000002);
        CHECK_EQ(json_array_get_length(d), 0);
        CHECK_STR(json_object_get_string_member(s, "data-hex"), "03ff");
        CHECK_EQ(json_object_get_int_member(s, "num-bytes"), 2);
    }
    /* NOINCREMENT: every slice at the same address. */
    {
        g_autoptr(JsonObject) s = mcdc_tx_to_json(&tx[1], 2, 1);

        CHECK_EQ((uint64_t)json_object_get_int_member(
                     json_object_get_object_member(s, "addr"), "address"),
                 UINT64_MAX - 2);
    }
}

/* Every byte value, both cases, and the limits of the hex decoder. */
static void test_marshal_hex(void)
{
    uint8_t all[256], back[257];
    g_autofree char *hex = NULL;
    g_autofree char *upper = NULL;
    size_t len = 99;
    McdcFailure f;

    for (int i = 0; i < 256; i++) {
        all[i] = i;
    }
    hex = mcdc_hex_encode(all, 256);
    CHECK_EQ(strlen(hex), 512);
    CHECK(!strncmp(hex, "000102030405060708090a0b0c0d0e0f10", 34));
    CHECK_STR(hex + 500, "fafbfcfdfeff");
    REQUIRE(mcdc_hex_decode(hex, back, 256, &len, &f));
    CHECK_EQ(len, 256);
    CHECK(!memcmp(back, all, 256));
    upper = g_ascii_strup(hex, -1);
    memset(back, 0, sizeof(back));
    REQUIRE(mcdc_hex_decode(upper, back, 257, &len, &f));
    CHECK_EQ(len, 256);
    CHECK(!memcmp(back, all, 256));
    g_free(hex);
    hex = mcdc_hex_encode(all, 0);
    CHECK_STR(hex, "");
    CHECK(mcdc_hex_decode("", NULL, 0, &len, &f));
    CHECK_EQ(len, 0);
    /* Too long, odd, not hex: refused, the buffer untouched. */
    memset(back, 0xee, sizeof(back));
    CHECK(!mcdc_hex_decode("00112233", back, 3, &len, &f));
    CHECK_HAS(f.str, "4 data bytes where at most 3 fit");
    CHECK(!mcdc_hex_decode("001", back, 3, &len, &f));
    CHECK_HAS(f.str, "odd number of digits (3)");
    CHECK(!mcdc_hex_decode("00g1", back, 3, &len, &f));
    CHECK_HAS(f.str, "'g' (0x67) where a hex digit belongs (character 2)");
    CHECK(!mcdc_hex_decode("0x11", back, 3, &len, &f));
    CHECK(!mcdc_hex_decode("00 1", back, 3, &len, &f));
    CHECK(!mcdc_hex_decode("00\xc3\xa4", back, 3, &len, &f));
    CHECK_HAS(f.str, "(0xc3)");
    CHECK_EQ(f.code, MCD_ERR_CONNECTION);
    CHECK_HAS(f.str, "malformed answer");
    CHECK_EQ(back[0], 0xee);
    CHECK_EQ(len, 0);
}

/*
 * A transaction that writes and reads its data through the wire text
 * and back: what was sent as data-hex is what is read from the answer.
 */
static void test_marshal_tx_roundtrip(void)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(815);

    for (int round = 0; round < 50; round++) {
        uint32_t len = g_rand_int_range(r, 0, 3000);
        uint32_t off = len ? g_rand_int_range(r, 0, len) : 0;
        uint32_t ok = g_rand_int_range(r, 0, len - off + 1);
        g_autofree uint8_t *data = g_malloc(len + 1);
        g_autofree uint8_t *back = g_malloc0(len + 1);
        mcd_tx_st tx = {
            .addr = { .address = g_rand_int(r), .mem_space_id = 1 },
            .access_type = MCD_TX_AT_RW, .data = data, .num_bytes = len,
        };
        mcd_tx_st rd = tx;
        g_autoptr(JsonObject) o = NULL;
        g_autoptr(JsonObject) ans = NULL;
        g_autofree char *text = NULL;
        McdcFailure f;

        for (uint32_t i = 0; i < len; i++) {
            data[i] = g_rand_int(r);
        }
        o = mcdc_tx_to_json(&tx, off, len - off);
        text = to_text(o);
        CHECK(strstr(text, "\"data\":[]"));
        ans = from_text(text);
        /* The server did @ok bytes and sends back only those. */
        json_object_set_int_member(ans, "num-bytes-ok", ok);
        {
            g_autofree char *hex = g_strndup(
                json_object_get_string_member(ans, "data-hex"), 2 * ok);

            CHECK_EQ(strlen(json_object_get_string_member(ans, "data-hex")),
                     2 * (len - off));
            json_object_set_string_member(ans, "data-hex", hex);
        }
        rd.data = back;
        rd.num_bytes = len - off;
        rd.num_bytes_ok = 12345;
        REQUIRE(mcdc_tx_from_json(ans, &rd, &f));
        CHECK_EQ(rd.num_bytes_ok, ok);
        CHECK(!memcmp(back, data + off, ok));
        CHECK_EQ(back[ok], 0);
        if (tap_failed()) {
            tap_diag("round %d: %u bytes from %u, %u done", round, len, off,
                     ok);
            return;
        }
    }
}

static void test_marshal_txlist_bad(void)
{
    uint8_t buf[4];
    mcd_tx_st tx = {
        .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 4,
    };
    static const char *const bad[] = {
        /* more bytes done than asked for */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 5, \"data\": [1,2,3,4,5]}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 5, \"data\": [], "
        "\"data-hex\": \"0102030405\"}",
        /* a different size */
        "{\"num-bytes\": 3, \"num-bytes-ok\": 3, \"data\": [1,2,3]}",
        /* fewer bytes sent than read */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 4, \"data\": [1,2]}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 4, \"data\": [], "
        "\"data-hex\": \"0102\"}",
        /* data-hex wins, even over an array that would do */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 4, \"data\": [1,2,3,4], "
        "\"data-hex\": \"\"}",
        /* not a byte */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 1, \"data\": [256]}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 1, \"data\": [\"a\"]}",
        /* more bytes than fit */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 4, \"data\": [], "
        "\"data-hex\": \"0102030405\"}",
        /* malformed hex */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 4, \"data\": [], "
        "\"data-hex\": \"010203040\"}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 1, \"data\": [], "
        "\"data-hex\": \"0\"}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 4, \"data\": [], "
        "\"data-hex\": \"0102030g\"}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 2, \"data\": [], "
        "\"data-hex\": \"0x10\"}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 2, \"data\": [], "
        "\"data-hex\": \"-1 2\"}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 1, \"data\": [], "
        "\"data-hex\": \"\\u00e4\\u00e4\"}",
        /* data-hex not a string */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 1, \"data\": [], "
        "\"data-hex\": 17}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 0, \"data\": [], "
        "\"data-hex\": null}",
        "{\"num-bytes\": 4, \"num-bytes-ok\": 1, \"data\": [], "
        "\"data-hex\": [\"01\"]}",
        /* no data */
        "{\"num-bytes\": 4, \"num-bytes-ok\": 0}",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(JsonObject) o = from_text(bad[i]);
        McdcFailure f;

        tx.num_bytes_ok = 77;
        memset(buf, 0xee, sizeof(buf));
        if (mcdc_tx_from_json(o, &tx, &f)) {
            tap_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
        } else {
            CHECK_EQ(f.code, MCD_ERR_CONNECTION);
            CHECK_HAS(f.str, "malformed");
            /* Nothing counted; malformed hex is not stored either. */
            CHECK_EQ(tx.num_bytes_ok, 77);
            if (strstr(bad[i], "data-hex")) {
                CHECK_EQ(buf[0], 0xee);
            }
        }
    }
    /* data-hex alone will do; a write's answer may carry nothing. */
    {
        g_autoptr(JsonObject) o = from_text(
            "{\"num-bytes\": 4, \"num-bytes-ok\": 2, "
            "\"data-hex\": \"abCD\"}");
        McdcFailure f;

        REQUIRE(mcdc_tx_from_json(o, &tx, &f));
        CHECK_EQ(tx.num_bytes_ok, 2);
        CHECK(buf[0] == 0xab && buf[1] == 0xcd && buf[2] == 0xee);
        tx.access_type = MCD_TX_AT_W;
        json_object_set_string_member(o, "data-hex", "");
        json_object_set_int_member(o, "num-bytes-ok", 4);
        REQUIRE(mcdc_tx_from_json(o, &tx, &f));
        CHECK_EQ(tx.num_bytes_ok, 4);
        CHECK(buf[0] == 0xab);
    }
}

static void test_marshal_uint64(void)
{
    mcd_addr_st a = { .address = UINT64_MAX, .mem_space_id = UINT32_MAX };
    mcd_addr_st b = { 0 };
    mcd_memspace_st ms = { 0 };
    g_autoptr(JsonObject) o = mcdc_struct_to_json(&mcdc_addr_desc, &a);
    g_autofree char *text = to_text(o);
    g_autoptr(JsonObject) back = from_text(text);
    g_autoptr(JsonObject) q = NULL;
    McdcFailure f;

    REQUIRE(mcdc_struct_from_json(&mcdc_addr_desc, back, &b, &f));
    CHECK_EQ(b.address, UINT64_MAX);
    CHECK_EQ(b.mem_space_id, UINT32_MAX);
    /* QEMU prints uint64 members unsigned. */
    q = from_text("{\"mem-space-id\": 4, \"mem-space-name\": \"Logical\", "
                  "\"mem-type\": 32, \"bits-per-mau\": 8, \"invariance\": 1, "
                  "\"endian\": 1, \"min-addr\": 9223372036854775808, "
                  "\"max-addr\": 18446744073709551615, "
                  "\"num-mem-blocks\": 0, \"supported-access-options\": 0, "
                  "\"core-mode-mask-read\": 0, "
                  "\"core-mode-mask-write\": 4294967295}");
    REQUIRE(mcdc_struct_from_json(&mcdc_memspace_desc, q, &ms, &f));
    CHECK_EQ(ms.min_addr, UINT64_C(0x8000000000000000));
    CHECK_EQ(ms.max_addr, UINT64_MAX);
    CHECK_EQ(ms.core_mode_mask_write, UINT32_MAX);
    CHECK_STR(ms.mem_space_name, "Logical");
}

static void test_marshal_strings(void)
{
    mcd_error_info_st e = { 0 };
    mcd_api_version_st v;
    g_autofree char *longstr = g_strnfill(300, 'a');
    g_autoptr(GString) utf8 = g_string_new(NULL);
    g_autoptr(JsonObject) o = json_object_new();
    g_autoptr(JsonObject) vo = NULL;
    char small[6];
    McdcFailure f;

    json_object_set_int_member(o, "return-status", 3);
    json_object_set_int_member(o, "error-code", 0x102);
    json_object_set_int_member(o, "error-events", 0);
    json_object_set_string_member(o, "error-str", longstr);
    REQUIRE(mcdc_struct_from_json(&mcdc_error_info_desc, o, &e, &f));
    CHECK_EQ(strlen(e.error_str), MCD_INFO_STR_LEN - 1);
    /* "é" is two bytes: cut before it, not in the middle. */
    for (int i = 0; i < 3; i++) {
        g_string_append(utf8, "\xc3\xa9");
    }
    mcdc_copy_str(small, sizeof(small), utf8->str);
    CHECK_STR(small, "\xc3\xa9\xc3\xa9");
    mcdc_copy_str(small, sizeof(small), "abc");
    CHECK_STR(small, "abc");
    /* A field that fills its array has no terminator; it still goes. */
    memset(&v, 0, sizeof(v));
    memset(v.author, 'x', sizeof(v.author));
    vo = mcdc_struct_to_json(&mcdc_api_version_desc, &v);
    CHECK_EQ(strlen(json_object_get_string_member(vo, "author")),
             sizeof(v.author));
}

static void test_marshal_decode_errors(void)
{
    static const struct {
        const char *json;
        const char *why;
    } cases[] = {
        { "{\"reg-group-id\": 1, \"reg-group-name\": \"x\"}",
          "'n-registers' is missing" },
        { "{\"reg-group-id\": 4294967296, \"reg-group-name\": \"x\", "
          "\"n-registers\": 1}", "'reg-group-id' is not" },
        { "{\"reg-group-id\": -1, \"reg-group-name\": \"x\", "
          "\"n-registers\": 1}", "'reg-group-id' is not" },
        { "{\"reg-group-id\": 1.5, \"reg-group-name\": \"x\", "
          "\"n-registers\": 1}", "'reg-group-id' is not" },
        { "{\"reg-group-id\": 1, \"reg-group-name\": 5, "
          "\"n-registers\": 1}", "'reg-group-name' is not a string" },
    };
    mcd_register_group_st g;
    mcd_trig_info_st ti;
    mcd_memblock_st mb;
    g_autoptr(JsonObject) t = NULL;
    g_autoptr(JsonObject) m = NULL;
    McdcFailure f;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) o = from_text(cases[i].json);

        if (mcdc_struct_from_json(&mcdc_register_group_desc, o, &g, &f)) {
            tap_fail(__FILE__, __LINE__, "accepted %s", cases[i].json);
            continue;
        }
        CHECK_EQ(f.code, MCD_ERR_CONNECTION);
        CHECK_HAS(f.str, cases[i].why);
    }
    /* Booleans are booleans. */
    t = from_text("{\"type\": 1, \"option\": 0, \"action\": 0, "
                  "\"trig-number\": 1, \"state-number\": 0, "
                  "\"counter-number\": 0, \"sw-breakpoints\": 1}");
    CHECK(!mcdc_struct_from_json(&mcdc_trig_info_desc, t, &ti, &f));
    CHECK_HAS(f.str, "not a boolean");
    /* At most MCD_MEM_AUSIZE_NUM access unit sizes fit. */
    m = from_text("{\"mem-block-id\": 1, \"mem-block-name\": \"b\", "
                  "\"children\": false, \"parent-id\": 0, "
                  "\"start-addr\": 0, \"end-addr\": 9, \"endian\": 1, "
                  "\"supported-au-sizes\": [1,2,3,4,5,6,7,8,9], "
                  "\"supported-access-options\": 0, "
                  "\"core-mode-mask-read\": 0, "
                  "\"core-mode-mask-write\": 0}");
    CHECK(!mcdc_struct_from_json(&mcdc_memblock_desc, m, &mb, &f));
    CHECK_HAS(f.str, "9 elements");
}

static void test_marshal_triggers(void)
{
    mcd_trig_simple_core_st s = {
        .struct_size = sizeof(s), .type = MCD_TRIG_TYPE_IP,
        .addr_start = { .address = 0x80000000, .mem_space_id = 3 },
        .addr_range = 4,
    };
    mcd_trig_counter_st cnt = {
        .struct_size = sizeof(cnt), .type = MCD_TRIG_TYPE_COUNTER,
    };
    mcd_trig_custom_st cus = {
        .struct_size = sizeof(cus), .type = MCD_TRIG_TYPE_CUSTOM,
        .ctrig_args = { 1, 2, 3, 4 },
    };
    mcd_trig_complex_core_st cx = { .struct_size = sizeof(cx) };
    mcd_trig_trig_bus_st bus = { .struct_size = sizeof(bus) };
    mcd_trig_simple_core_st back, small_buf;
    uint32_t bogus[32] = { 12 };
    g_autoptr(JsonObject) o = NULL;
    McdcFailure f;

    CHECK_STR(mcdc_trig_kind_of(&s)->member, "trig-simple-core");
    CHECK_STR(mcdc_trig_kind_of(&cx)->member, "trig-complex-core");
    CHECK_STR(mcdc_trig_kind_of(&bus)->member, "trig-trig-bus");
    CHECK_STR(mcdc_trig_kind_of(&cnt)->member, "trig-counter");
    CHECK_STR(mcdc_trig_kind_of(&cus)->member, "trig-custom");
    CHECK(!mcdc_trig_kind_of(bogus));
    /* Same size as a counter, but no type to tell: refused. */
    cnt.type = MCD_TRIG_TYPE_IP;
    CHECK(!mcdc_trig_to_json(&cnt, &f));
    CHECK_EQ(f.code, MCD_ERR_PARAM);

    o = mcdc_trig_to_json(&s, &f);
    REQUIRE(o);
    CHECK(json_object_has_member(o, "trig-simple-core"));
    CHECK(!json_object_has_member(json_object_get_object_member(
                                      o, "trig-simple-core"),
                                  "struct-size"));
    memset(&back, 0xff, sizeof(back));
    REQUIRE(mcdc_trig_from_json(o, &back, sizeof(back), &f));
    CHECK(!memcmp(&back, &s, sizeof(s)));
    /* The buffer must hold the variant the server sends. */
    CHECK(!mcdc_trig_from_json(o, &small_buf, sizeof(bus), &f));
    CHECK_EQ(f.code, MCD_ERR_PARAM);
}

static void test_marshal_answers(void)
{
    static const struct {
        const char *line;
        McdcAnswerKind kind;
        mcd_error_code_et code;
        const char *why;
    } cases[] = {
        { "{\"return\": {\"return-status\": 0}}", MCDC_ANSWER_RETURN, 0,
          NULL },
        { "  {\"return\":{}}\r", MCDC_ANSWER_RETURN, 0, NULL },
        { "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter "
          "'core-uid' is missing\"}}", MCDC_ANSWER_ERROR, MCD_ERR_PARAM,
          "Parameter 'core-uid' is missing" },
        { "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The "
          "command mcd-x has not been found\"}}", MCDC_ANSWER_ERROR,
          MCD_ERR_FN_UNIMPLEMENTED, "mcd-x" },
        { "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"d\"}}",
          MCDC_ANSWER_ERROR, MCD_ERR_GENERAL, "DeviceNotFound" },
        { "{\"error\": {}}", MCDC_ANSWER_ERROR, MCD_ERR_GENERAL,
          "no description" },
        { "{\"event\": \"STOP\", \"timestamp\": {}}", MCDC_ANSWER_NOISE, 0,
          NULL },
        { "{\"QMP\": {\"version\": {}}}", MCDC_ANSWER_NOISE, 0, NULL },
        { "", MCDC_ANSWER_NOISE, 0, NULL },
        { " \r", MCDC_ANSWER_NOISE, 0, NULL },
        { "not json", MCDC_ANSWER_MALFORMED, MCD_ERR_CONNECTION,
          "malformed" },
        { "[1, 2]", MCDC_ANSWER_MALFORMED, MCD_ERR_CONNECTION,
          "not a JSON object" },
        { "{\"return\": 5}", MCDC_ANSWER_MALFORMED, MCD_ERR_CONNECTION,
          "neither" },
        { "{\"foo\": 1}", MCDC_ANSWER_MALFORMED, MCD_ERR_CONNECTION,
          "neither" },
        { "{\"return\": {}", MCDC_ANSWER_MALFORMED, MCD_ERR_CONNECTION,
          "malformed" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        JsonObject *ret = NULL;
        McdcFailure f = { 0 };
        McdcAnswerKind k = mcdc_answer_parse(cases[i].line, &ret, &f);

        if (k != cases[i].kind) {
            tap_fail(__FILE__, __LINE__, "\"%s\": kind %d, not %d",
                     cases[i].line, k, cases[i].kind);
        }
        CHECK(!ret == (k != MCDC_ANSWER_RETURN));
        if (ret) {
            json_object_unref(ret);
        }
        if (cases[i].why) {
            CHECK_EQ(f.code, cases[i].code);
            CHECK_HAS(f.str, cases[i].why);
        }
    }
}

static void test_marshal_request_line(void)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *line = NULL;
    g_autofree char *bare = NULL;
    g_autoptr(JsonObject) back = NULL;
    size_t len;

    json_object_set_string_member(args, "config-string", "a\nb\"c");
    json_object_set_int_member(args, "core-uid", 7);
    line = mcdc_request_line("mcd-open-server", args, &len);
    CHECK_EQ(len, strlen(line));
    CHECK(line[len - 1] == '\n');
    CHECK(!memchr(line, '\n', len - 1));
    back = from_text(line);
    CHECK_STR(json_object_get_string_member(back, "execute"),
              "mcd-open-server");
    CHECK_STR(json_object_get_string_member(
                  json_object_get_object_member(back, "arguments"),
                  "config-string"), "a\nb\"c");
    /* The caller keeps its arguments. */
    CHECK_EQ(json_object_get_int_member(args, "core-uid"), 7);
    bare = mcdc_request_line("mcd-exit", NULL, &len);
    CHECK_STR(bare, "{\"execute\":\"mcd-exit\"}\n");
}

/* Transaction list splitting */

typedef struct Split {
    GArray *pieces;
    GArray *requests;
} Split;

static Split split(const mcd_txlist_st *tl, uint32_t payload, uint32_t max)
{
    Split s = {
        g_array_new(false, false, sizeof(McdcTxPiece)),
        g_array_new(false, false, sizeof(McdcTxRequest)),
    };
    McdcFailure f;

    if (!mcdc_txlist_split(tl, payload, max, s.pieces, s.requests, &f)) {
        tap_fail(__FILE__, __LINE__, "split failed: %s", f.str);
        tap_abort();
    }
    return s;
}

static void split_free(Split *s)
{
    g_array_free(s->pieces, true);
    g_array_free(s->requests, true);
}

#define PIECE(s, i) g_array_index((s)->pieces, McdcTxPiece, i)
#define REQ(s, i) g_array_index((s)->requests, McdcTxRequest, i)

/* The invariants every split must keep. */
static void split_check(const mcd_txlist_st *tl, const Split *s,
                        uint32_t payload, uint32_t max)
{
    uint32_t next_tx = 0, next_off = 0, piece = 0;

    for (guint r = 0; r < s->requests->len; r++) {
        uint64_t bytes = 0;

        CHECK_EQ(REQ(s, r).first, piece);
        CHECK(REQ(s, r).count <= max);
        CHECK(REQ(s, r).count > 0 || tl->num_tx == 0);
        for (uint32_t j = 0; j < REQ(s, r).count; j++, piece++) {
            const McdcTxPiece *p = &PIECE(s, piece);
            const mcd_tx_st *tx = &tl->tx[p->tx];
            uint32_t unit = tx->access_width ? tx->access_width : 1;

            if (p->tx != next_tx || p->offset != next_off) {
                tap_fail(__FILE__, __LINE__, "piece %u: tx %u+%u, expected "
                         "tx %u+%u", piece, p->tx, p->offset, next_tx,
                         next_off);
                return;
            }
            bytes += p->len;
            /* Small transactions stay whole. */
            if (tx->num_bytes <= payload) {
                CHECK_EQ(p->len, tx->num_bytes);
            }
            /* Cuts are at whole accesses. */
            CHECK_EQ(p->offset % unit, 0);
            next_off += p->len;
            if (next_off == tx->num_bytes) {
                next_tx++;
                next_off = 0;
            }
        }
        CHECK(bytes <= payload);
        CHECK_EQ(bytes, REQ(s, r).bytes);
    }
    CHECK_EQ(piece, s->pieces->len);
    CHECK_EQ(next_tx, tl->num_tx);
}

static void test_split_small(void)
{
    uint8_t buf[8];
    mcd_tx_st tx = { .access_type = MCD_TX_AT_R, .data = buf,
                     .num_bytes = 8 };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    Split s = split(&tl, 12288, 64);

    CHECK_EQ(s.requests->len, 1);
    CHECK_EQ(s.pieces->len, 1);
    CHECK_EQ(PIECE(&s, 0).len, 8);
    split_check(&tl, &s, 12288, 64);
    split_free(&s);
}

static void test_split_64k(void)
{
    g_autofree uint8_t *buf = g_malloc(65536);
    mcd_tx_st tx = { .access_type = MCD_TX_AT_R, .data = buf,
                     .num_bytes = 65536 };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    Split s = split(&tl, 12288, 64);

    CHECK_EQ(s.requests->len, 6);
    CHECK_EQ(s.pieces->len, 6);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(PIECE(&s, i).offset, i * 12288);
        CHECK_EQ(PIECE(&s, i).len, 12288);
    }
    CHECK_EQ(PIECE(&s, 5).len, 65536 - 5 * 12288);
    split_check(&tl, &s, 12288, 64);
    split_free(&s);
}

static void test_split_many_tx(void)
{
    mcd_tx_st tx[100];
    uint8_t buf[10];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 100 };
    Split s;

    for (int i = 0; i < 100; i++) {
        tx[i] = (mcd_tx_st) { .access_type = MCD_TX_AT_R, .data = buf,
                              .num_bytes = 10 };
    }
    s = split(&tl, 12288, 64);
    CHECK_EQ(s.requests->len, 2);
    CHECK_EQ(REQ(&s, 0).count, 64);
    CHECK_EQ(REQ(&s, 1).count, 36);
    split_check(&tl, &s, 12288, 64);
    split_free(&s);
}

static void test_split_width(void)
{
    g_autofree uint8_t *buf = g_malloc(10000);
    mcd_tx_st tx = { .access_type = MCD_TX_AT_W, .access_width = 8,
                     .data = buf, .num_bytes = 10000 };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    Split s = split(&tl, 1001, 64);

    /* 1001 rounded down to whole 8-byte accesses. */
    CHECK_EQ(PIECE(&s, 0).len, 1000);
    CHECK_EQ(s.pieces->len, 10);
    split_check(&tl, &s, 1001, 64);
    split_free(&s);
    tx.access_width = 4;
    tx.num_bytes = 4096;
    s = split(&tl, 1002, 2);
    CHECK_EQ(PIECE(&s, 0).len, 1000);
    CHECK_EQ(s.requests->len, 5);
    split_check(&tl, &s, 1002, 2);
    split_free(&s);
}

static void test_split_whole_and_fill(void)
{
    g_autofree uint8_t *buf = g_malloc(30000);
    mcd_tx_st tx[3] = {
        { .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 8000 },
        { .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 8000 },
        { .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 30000 },
    };
    mcd_txlist_st tl = { .tx = tx, .num_tx = 3 };
    Split s = split(&tl, 12288, 64);

    /* The second one fits the payload: moved whole, not cut. */
    CHECK_EQ(REQ(&s, 0).count, 1);
    CHECK_EQ(PIECE(&s, 1).tx, 1);
    CHECK_EQ(PIECE(&s, 1).len, 8000);
    /* The big one fills the room left behind the second. */
    CHECK_EQ(PIECE(&s, 2).tx, 2);
    CHECK_EQ(PIECE(&s, 2).len, 12288 - 8000);
    CHECK_EQ(REQ(&s, 1).bytes, 12288);
    split_check(&tl, &s, 12288, 64);
    split_free(&s);
}

static void test_split_edges(void)
{
    uint8_t buf[64];
    mcd_tx_st tx[3] = {
        { .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 0 },
        { .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 16 },
        { .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 0 },
    };
    mcd_txlist_st tl = { .tx = tx, .num_tx = 3 };
    mcd_txlist_st empty = { 0 };
    Split s = split(&tl, 16, 1);
    McdcFailure f;
    GArray *p = g_array_new(false, false, sizeof(McdcTxPiece));
    GArray *r = g_array_new(false, false, sizeof(McdcTxRequest));

    /* Zero-byte transactions are transactions too. */
    CHECK_EQ(s.pieces->len, 3);
    CHECK_EQ(s.requests->len, 3);
    split_check(&tl, &s, 16, 1);
    split_free(&s);
    s = split(&empty, 16, 64);
    CHECK_EQ(s.requests->len, 1);
    CHECK_EQ(REQ(&s, 0).count, 0);
    split_free(&s);
    /* Accesses wider than the payload cannot be cut to fit. */
    tx[1].access_width = 8;
    tx[1].num_bytes = 64;
    CHECK(!mcdc_txlist_split(&tl, 4, 64, p, r, &f));
    CHECK_EQ(f.code, MCD_ERR_PARAM);
    CHECK(!mcdc_txlist_split(&tl, 0, 64, p, r, &f));
    g_array_free(p, true);
    g_array_free(r, true);
}

static void test_split_random(void)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(42);
    static uint8_t buf[1];

    for (int round = 0; round < 500; round++) {
        uint32_t n = g_rand_int_range(r, 0, 200);
        uint32_t payload = g_rand_int_range(r, 8, 5000);
        uint32_t max = g_rand_int_range(r, 1, 70);
        g_autofree mcd_tx_st *tx = g_new0(mcd_tx_st, n);
        mcd_txlist_st tl = { .tx = tx, .num_tx = n };
        Split s;

        for (uint32_t i = 0; i < n; i++) {
            static const uint8_t widths[] = { 0, 1, 2, 4, 8 };
            uint8_t w = widths[g_rand_int_range(r, 0, 5)];

            tx[i].access_width = w;
            tx[i].data = buf;
            tx[i].num_bytes = g_rand_int_range(r, 0, 3 * payload);
            if (w) {
                tx[i].num_bytes -= tx[i].num_bytes % w;
            }
        }
        s = split(&tl, payload, max);
        split_check(&tl, &s, payload, max);
        split_free(&s);
        if (tap_failed()) {
            tap_diag("round %d: %u transactions, payload %u, max %u", round,
                     n, payload, max);
            return;
        }
    }
}

/* The API against the fake server */

static FakeServer *fake(bool tcp)
{
    FakeServer *fs = fake_server_new();

    fake_server_start(fs, tcp);
    return fs;
}

static mcd_error_info_st error_of(const mcd_core_st *core)
{
    mcd_error_info_st e;

    memset(&e, 0x5a, sizeof(e));
    mcd_qry_error_info_f(core, &e);
    return e;
}

/* mcd_qry_error_info_f() shows @code and a message with @str. */
#define CHECK_ERROR(core, code, str) \
    do { \
        mcd_error_info_st e_ = error_of(core); \
        CHECK_EQ(e_.error_code, (code)); \
        CHECK_EQ(e_.return_status, MCD_RET_ACT_HANDLE_ERROR); \
        CHECK_HAS(e_.error_str, (str)); \
    } while (0)

static mcd_server_st *open_server(FakeServer *fs, const char *opts)
{
    g_autofree char *cs = fake_server_config(fs, opts);
    mcd_server_st *srv = NULL;
    mcd_return_et ret = mcd_open_server_f("", cs, &srv);

    if (ret != MCD_RET_ACT_NONE) {
        tap_fail(__FILE__, __LINE__, "mcd_open_server_f(%s): %s", cs,
                 error_of(NULL).error_str);
        tap_abort();
    }
    return srv;
}

static mcd_core_st *open_core(uint32_t id)
{
    mcd_core_con_info_st sys, dev, cores[4];
    uint32_t n = 1;
    mcd_core_st *core = NULL;

    REQUIRE(mcd_qry_systems_f(0, &n, &sys) == MCD_RET_ACT_NONE);
    n = 1;
    REQUIRE(mcd_qry_devices_f(&sys, 0, &n, &dev) == MCD_RET_ACT_NONE);
    n = 4;
    REQUIRE(mcd_qry_cores_f(&dev, 0, &n, cores) == MCD_RET_ACT_NONE);
    REQUIRE(id < n);
    REQUIRE(mcd_open_core_f(&cores[id], &core) == MCD_RET_ACT_NONE);
    return core;
}

static void test_api_initialize(void)
{
    mcd_api_version_st v11 = { 1, 1, "x" }, v10 = { 1, 0, "" };
    mcd_api_version_st v21 = { 2, 1, "" };
    mcd_impl_version_info_st info;

    memset(&info, 0, sizeof(info));
    CHECK_EQ(mcd_initialize_f(&v11, &info), MCD_RET_ACT_NONE);
    CHECK_EQ(info.v_api.v_api_major, 1);
    CHECK_EQ(info.v_api.v_api_minor, 1);
    CHECK_STR(info.vendor, MCDC_VENDOR);
    CHECK_STR(info.v_api.author, MCD_API_VER_AUTHOR);
    CHECK_EQ(error_of(NULL).error_code, MCD_ERR_NONE);
    CHECK_EQ(mcd_initialize_f(&v10, &info), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_GENERAL, "1.0 requested");
    CHECK_EQ(mcd_initialize_f(&v21, &info), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_GENERAL, "2.1");
    CHECK_EQ(mcd_initialize_f(NULL, &info), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "version_req");
    CHECK_EQ(mcd_initialize_f(&v11, NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "impl_info");
    /* No output, no crash. */
    mcd_qry_error_info_f(NULL, NULL);
    mcd_exit_f();
    mcd_exit_f();
}

static void test_api_not_open(void)
{
    mcd_core_con_info_st ci = { 0 };
    uint32_t n = 1, v;
    mcd_core_st *core = NULL;
    mcd_core_st fake_core = { 0 };
    mcd_server_st fake_srv = { 0 };
    mcd_txlist_st tl = { 0 };

    CHECK_EQ(mcd_qry_systems_f(0, &n, &ci), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "no MCD server is open");
    CHECK_EQ(mcd_open_core_f(&ci, &core), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "mcd_open_server_f");
    CHECK(core == NULL);
    /* Handles that are not ours are refused, not dereferenced. */
    CHECK_EQ(mcd_qry_max_payload_size_f(&fake_core, &v),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(&fake_core, MCD_ERR_PARAM, "unknown core handle");
    CHECK_EQ(mcd_execute_txlist_f((mcd_core_st *)0x10, &tl),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "unknown core handle");
    CHECK_EQ(mcd_close_core_f(NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "core is NULL");
    CHECK_EQ(mcd_close_server_f(&fake_srv), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "unknown server handle");
    CHECK_EQ(mcd_qry_server_config_f(NULL, &v, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_EQ(mcd_open_server_f("", "", NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "server is NULL");
    CHECK_EQ(mcd_open_server_f("", "h:1,bogus=1", (mcd_server_st **)&core),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "unknown config option");
}

static void test_api_session(bool tcp)
{
    FakeServer *fs = fake(tcp);
    mcd_server_st *srv = open_server(fs, NULL);
    mcd_core_st *core;
    mcd_memspace_st ms[4];
    mcd_register_group_st rg;
    uint32_t n, payload = 0, len;
    char cfg[64];

    CHECK_STR(srv->host, "fakehost");
    CHECK_HAS(srv->config_string, tcp ? "127.0.0.1:" : "unix:");
    len = sizeof(cfg);
    /* Refused by the fake as unknown: reported, not fatal. */
    CHECK_EQ(mcd_qry_server_config_f(srv, &len, cfg),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_FN_UNIMPLEMENTED, "mcd-qry-server-config");
    core = open_core(1);
    CHECK_STR(core->core_con_info->core, "fake-core #1");
    CHECK_EQ(core->core_con_info->core_id, 1);
    n = 0;
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, NULL), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 2);
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, ms), MCD_RET_ACT_NONE);
    CHECK_STR(ms[0].mem_space_name, "Physical");
    CHECK_EQ(ms[1].mem_type, MCD_MEM_SPACE_IS_REGISTERS);
    CHECK_EQ(ms[1].max_addr, UINT64_MAX);
    n = 1;
    CHECK_EQ(mcd_qry_reg_groups_f(core, 0, &n, &rg), MCD_RET_ACT_NONE);
    CHECK_EQ(rg.n_registers, 10);
    CHECK_EQ(mcd_qry_max_payload_size_f(core, &payload), MCD_RET_ACT_NONE);
    CHECK_EQ(payload, 12288);
    CHECK_EQ(error_of(core).error_code, MCD_ERR_NONE);
    CHECK_EQ(mcd_close_core_f(core), MCD_RET_ACT_NONE);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    CHECK_EQ(fake_server_count(fs, "mcd-close-core"), 1);
    CHECK_EQ(fake_server_count(fs, "mcd-close-server"), 1);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_session_unix(void)
{
    test_api_session(false);
}

static void test_api_session_tcp(void)
{
    test_api_session(true);
}

static void test_api_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("mcdc-XXXXXX", NULL);
    g_autofree char *cs = g_strdup_printf("unix:%s/none.sock", dir);
    struct sockaddr_in sin;
    g_autofree char *tcs = NULL;
    mcd_server_st *srv = NULL;
    gint64 t0;
    int fd;

    t0 = g_get_monotonic_time();
    CHECK_EQ(mcd_open_server_f("", cs, &srv), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "none.sock");
    /* A port bound but not listening refuses connections. */
    fd = tap_loopback_socket(&sin);
    tcs = g_strdup_printf("127.0.0.1:%u", ntohs(sin.sin_port));
    CHECK_EQ(mcd_open_server_f("", tcs, &srv), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "refused");
    CHECK(srv == NULL);
    CHECK(g_get_monotonic_time() - t0 < 2 * G_USEC_PER_SEC);
    close(fd);
    rmdir(dir);
}

/*
 * A listener that never accepts, its queue full: the kernel drops
 * further SYNs, so connecting hangs until the connect timeout.
 */
static void test_transport_connect_timeout(void)
{
    struct sockaddr_in sin;
    int fd = tap_loopback_socket(&sin);
    g_autofree char *cs = NULL;
    mcd_server_st *srv = NULL;
    gint64 t0, dt;

    REQUIRE(!listen(fd, 0));
    for (int i = 0; i < 3; i++) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

        REQUIRE(c >= 0);
        if (connect(c, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
            errno != EINPROGRESS) {
            tap_skip("cannot fill the listen queue: %s", g_strerror(errno));
        }
    }
    g_usleep(100000);
    cs = g_strdup_printf("127.0.0.1:%u,connect-timeout=300",
                         ntohs(sin.sin_port));
    t0 = g_get_monotonic_time();
    CHECK_EQ(mcd_open_server_f("", cs, &srv), MCD_RET_ACT_HANDLE_ERROR);
    dt = g_get_monotonic_time() - t0;
    CHECK_ERROR(NULL, MCD_ERR_TIMED_OUT, "timed out after 300 ms");
    CHECK(dt >= 290000 && dt < 2000000);
    CHECK(srv == NULL);
    close(fd);
}

/* Hooks that break the connection in all the ways a peer can. */

static const char *broken_cmd = "mcd-qry-mem-spaces";

static FakeEnd hook_silent(FakeReq *rq)
{
    return strcmp(rq->cmd, broken_cmd) ? FAKE_DEFAULT : FAKE_CONTINUE;
}

static FakeEnd hook_half(FakeReq *rq)
{
    if (strcmp(rq->cmd, broken_cmd)) {
        return FAKE_DEFAULT;
    }
    g_string_append(rq->out, "{\"return\": {\"return-st");
    return FAKE_CLOSE;
}

static FakeEnd hook_close(FakeReq *rq)
{
    return strcmp(rq->cmd, broken_cmd) ? FAKE_DEFAULT : FAKE_CLOSE;
}

static FakeEnd hook_reset(FakeReq *rq)
{
    return strcmp(rq->cmd, broken_cmd) ? FAKE_DEFAULT : FAKE_RESET;
}

static FakeEnd hook_oversized(FakeReq *rq)
{
    if (strcmp(rq->cmd, broken_cmd)) {
        return FAKE_DEFAULT;
    }
    g_string_append(rq->out, "{\"return\": {\"x\": \"");
    for (int i = 0; i < MCDC_MAX_LINE / 64 + 2; i++) {
        g_string_append(rq->out, "0123456789abcdef0123456789abcdef"
                        "0123456789abcdef0123456789abcdef");
    }
    return FAKE_CONTINUE;
}

static FakeEnd hook_garbage(FakeReq *rq)
{
    if (strcmp(rq->cmd, broken_cmd)) {
        return FAKE_DEFAULT;
    }
    g_string_append(rq->out, rq->fs->opaque);
    return FAKE_CONTINUE;
}

/*
 * Open a session on a fake server with @hook, make the broken call and
 * check the outcome; the connection must then be gone for good, and a
 * new session must work.
 */
static void broken_session(FakeHook hook, void *opaque, const char *opts,
                           mcd_error_code_et code, const char *why,
                           gint64 min_us, gint64 max_us)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv, *srv2;
    mcd_core_st *core, *core2;
    uint32_t n = 0;
    gint64 t0, dt;

    fs->hook = hook;
    fs->opaque = opaque;
    fake_server_start(fs, false);
    srv = open_server(fs, opts);
    core = open_core(0);
    t0 = g_get_monotonic_time();
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    dt = g_get_monotonic_time() - t0;
    CHECK_ERROR(core, code, why);
    if (dt < min_us || dt > max_us) {
        tap_fail(__FILE__, __LINE__, "took %" G_GINT64_FORMAT " us, not "
                 "%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, dt, min_us,
                 max_us);
    }
    /* The connection is gone: the handles say so, without waiting. */
    n = 0;
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_CONNECTION, "open the server and the core");
    n = 1;
    CHECK_EQ(mcd_qry_systems_f(0, &n, NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "was lost");
    /* Stale handles close quietly; then a new session works. */
    CHECK_EQ(mcd_close_core_f(core), MCD_RET_ACT_NONE);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    fs->hook = NULL;
    srv2 = open_server(fs, NULL);
    core2 = open_core(0);
    n = 0;
    CHECK_EQ(mcd_qry_mem_spaces_f(core2, 0, &n, NULL), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 2);
    CHECK_EQ(mcd_close_server_f(srv2), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_transport_timeout(void)
{
    broken_session(hook_silent, NULL, ",timeout=300", MCD_ERR_TIMED_OUT,
                   "no answer to mcd-qry-mem-spaces", 290000, 2000000);
}

static void test_transport_timeout_env(void)
{
    g_setenv(MCDC_ENV_ANSWER_TIMEOUT, "200", true);
    broken_session(hook_silent, NULL, NULL, MCD_ERR_TIMED_OUT,
                   "within 200 ms", 190000, 2000000);
}

static void test_transport_half_answer(void)
{
    broken_session(hook_half, NULL, NULL, MCD_ERR_CONNECTION,
                   "in the middle of an answer", 0, 2000000);
}

static void test_transport_eof(void)
{
    broken_session(hook_close, NULL, NULL, MCD_ERR_CONNECTION,
                   "closed the connection", 0, 2000000);
}

static void test_transport_reset(void)
{
    broken_session(hook_reset, NULL, NULL, MCD_ERR_CONNECTION,
                   "mcd-qry-mem-spaces", 0, 2000000);
}

static void test_transport_oversized(void)
{
    broken_session(hook_oversized, NULL, NULL, MCD_ERR_CONNECTION,
                   "longer than", 0, 5000000);
}

static void test_transport_garbage(void)
{
    broken_session(hook_garbage, (void *)"<html>Not Found</html>\n", NULL,
                   MCD_ERR_CONNECTION, "malformed answer", 0, 2000000);
}

static void test_transport_unexpected(void)
{
    broken_session(hook_garbage, (void *)"{\"result\": 1}\n", NULL,
                   MCD_ERR_CONNECTION, "neither", 0, 2000000);
}

static FakeEnd hook_errors(FakeReq *rq)
{
    if (!strcmp(rq->cmd, "mcd-qry-mem-spaces")) {
        g_string_append(rq->out, "{\"error\": {\"class\": \"GenericError\", "
                        "\"desc\": \"Parameter 'num-mem-spaces' expects "
                        "uint32\"}}\n");
        return FAKE_CONTINUE;
    }
    if (!strcmp(rq->cmd, "mcd-qry-reg-groups")) {
        /* Events and greetings in between are skipped. */
        g_string_append(rq->out, "{\"event\": \"RESUME\", \"timestamp\": "
                        "{\"seconds\": 1, \"microseconds\": 2}}\n"
                        "\n{\"QMP\": {\"version\": {}}}\n");
    }
    return FAKE_DEFAULT;
}

static void test_transport_error_answers(void)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_register_group_st rg;
    mcd_trace_state_st ts;
    uint32_t n = 0;

    fs->hook = hook_errors;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "expects uint32");
    /* The connection stays usable. */
    n = 1;
    CHECK_EQ(mcd_qry_reg_groups_f(core, 0, &n, &rg), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 1);
    CHECK_EQ(error_of(core).error_code, MCD_ERR_NONE);
    CHECK_EQ(mcd_qry_trace_state_f(core, 1, &ts), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_FN_UNIMPLEMENTED, "mcd-qry-trace-state");
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static FakeEnd hook_server_error(FakeReq *rq)
{
    if (!strcmp(rq->cmd, "mcd-qry-reg-map")) {
        rq->fs->err_code = MCD_ERR_REG_GROUP_ID;
        g_strlcpy(rq->fs->err_str, "no register group 9",
                  sizeof(rq->fs->err_str));
        fake_status(rq->out, MCD_RET_ACT_HANDLE_ERROR);
        return FAKE_CONTINUE;
    }
    if (!strcmp(rq->cmd, "mcd-qry-devices") &&
        !*json_object_get_string_member(
            json_object_get_object_member(rq->args, "system-con-info"),
            "system")) {
        rq->fs->err_code = MCD_ERR_PARAM;
        g_strlcpy(rq->fs->err_str, "no such system",
                  sizeof(rq->fs->err_str));
        fake_status(rq->out, MCD_RET_ACT_HANDLE_ERROR);
        return FAKE_CONTINUE;
    }
    if (!strcmp(rq->cmd, "mcd-qry-reg-groups")) {
        /* A failure, but the server has nothing to say about it. */
        rq->fs->err_code = 0;
        fake_status(rq->out, MCD_RET_ACT_HANDLE_ERROR);
        return FAKE_CONTINUE;
    }
    if (!strcmp(rq->cmd, "mcd-qry-core-modes")) {
        fake_status(rq->out, MCD_RET_ACT_AGAIN);
        return FAKE_CONTINUE;
    }
    return FAKE_DEFAULT;
}

static void test_api_server_errors(void)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_register_info_st ri;
    mcd_register_group_st rg;
    mcd_core_con_info_st sys = { 0 }, dev;
    mcd_core_mode_info_st mode;
    uint32_t n = 1;
    guint count;
    g_autofree char *req = NULL;

    fs->hook = hook_server_error;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(1);
    CHECK_EQ(mcd_qry_reg_map_f(core, 9, 0, &n, &ri),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_REG_GROUP_ID, "no register group 9");
    /* The details were asked for with the core's handle. */
    count = fake_server_count(fs, NULL);
    req = fake_server_request(fs, count - 1);
    CHECK_HAS(req, "\"execute\":\"mcd-qry-error-info\"");
    CHECK_HAS(req, "\"core-uid\":101");
    /* The core's error is its own; the library's is untouched. */
    CHECK_EQ(error_of(NULL).error_code, MCD_ERR_NONE);
    n = 1;
    CHECK_EQ(mcd_qry_devices_f(&sys, 0, &n, &dev), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "no such system");
    g_free(req);
    req = fake_server_request(fs, fake_server_count(fs, NULL) - 1);
    CHECK_HAS(req, "\"execute\":\"mcd-qry-error-info\"");
    CHECK(!strstr(req, "core-uid"));
    CHECK_ERROR(core, MCD_ERR_REG_GROUP_ID, "no register group 9");
    n = 1;
    CHECK_EQ(mcd_qry_reg_groups_f(core, 0, &n, &rg),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_GENERAL, "no details");
    /* Other statuses are passed on, with nothing to fetch. */
    n = 1;
    count = fake_server_count(fs, "mcd-qry-error-info");
    CHECK_EQ(mcd_qry_core_modes_f(core, 0, &n, &mode), MCD_RET_ACT_AGAIN);
    CHECK_EQ(fake_server_count(fs, "mcd-qry-error-info"), count);
    CHECK_EQ(error_of(core).return_status, MCD_RET_ACT_AGAIN);
    /* Client-side errors are recorded for the core too. */
    CHECK_EQ(mcd_qry_reg_map_f(core, 1, 0, NULL, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "no count given");
    n = 3;
    CHECK_EQ(mcd_qry_reg_map_f(core, 1, 0, &n, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "no buffer");
    CHECK_EQ(mcd_qry_trig_info_f(core, NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "mcd_trig_info_st");
    CHECK_EQ(mcd_qry_rst_classes_f(core, NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "NULL");
    CHECK_EQ(mcd_execute_txlist_f(core, NULL), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "txlist");
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_list_paging(void)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_register_info_st ri[20];
    uint32_t n;

    fs->max_entries = 3;
    fs->num_regs = 10;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    n = 0;
    CHECK_EQ(mcd_qry_reg_map_f(core, 0, 0, &n, NULL), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 10);
    memset(ri, 0, sizeof(ri));
    CHECK_EQ(mcd_qry_reg_map_f(core, 0, 0, &n, ri), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 10);
    for (int i = 0; i < 10; i++) {
        g_autofree char *name = g_strdup_printf("r%d", i);

        CHECK_STR(ri[i].regname, name);
        CHECK_EQ(ri[i].addr.address, i);
    }
    /* More asked for than there are: all of them, and the count. */
    n = 20;
    CHECK_EQ(mcd_qry_reg_map_f(core, 0, 0, &n, ri), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 10);
    n = 20;
    CHECK_EQ(mcd_qry_reg_map_f(core, 0, 4, &n, ri), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 6);
    CHECK_STR(ri[0].regname, "r4");
    CHECK_STR(ri[5].regname, "r9");
    n = 2;
    CHECK_EQ(mcd_qry_reg_map_f(core, 0, 8, &n, ri), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 2);
    n = 1;
    CHECK_EQ(mcd_qry_reg_map_f(core, 0, 10, &n, ri),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "past the end");
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void fill_pattern(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (i * 7 + seed + (i >> 8)) & 0xff;
    }
}

static void test_api_txlist_split(void)
{
    FakeServer *fs = fake_server_new();
    g_autofree uint8_t *out = g_malloc(65536);
    g_autofree uint8_t *in = g_malloc0(65536);
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_tx_st tx;
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };

    fs->max_payload = 1000;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    fill_pattern(out, 65536, 3);
    tx = (mcd_tx_st) {
        .addr = { .address = fs->mem_base + 16, .mem_space_id = 1 },
        .access_type = MCD_TX_AT_W, .data = out, .num_bytes = 65536,
    };
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    CHECK_EQ(tl.num_tx_ok, 1);
    CHECK_EQ(tx.num_bytes_ok, 65536);
    CHECK(!memcmp(fs->mem + 16, out, 65536));
    tx.access_type = MCD_TX_AT_R;
    tx.data = in;
    tx.num_bytes_ok = 12345;
    tl.num_tx_ok = 99;
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    CHECK_EQ(tl.num_tx_ok, 1);
    CHECK_EQ(tx.num_bytes_ok, 65536);
    CHECK(!memcmp(in, out, 65536));
    /* 66 requests each way, none over the limit; payload asked once. */
    CHECK_EQ(fs->txlists, 2 * 66);
    CHECK(fs->most_bytes <= 1000);
    CHECK_EQ(fake_server_count(fs, "mcd-qry-max-payload-size"), 1);
    /* Every one of them with data-hex only, writes and reads alike. */
    CHECK_EQ(fs->hex_txlists, 2 * 66);
    {
        guint n = fake_server_count(fs, NULL);
        g_autofree char *w = fake_server_request(fs, n - 67);
        g_autofree char *rd = fake_server_request(fs, n - 1);
        g_autofree char *hex = mcdc_hex_encode(out + 65000, 536);
        g_autofree char *want = g_strdup_printf(
            "\"data\":[],\"data-hex\":\"%s\"", hex);

        CHECK_HAS(w, "\"execute\":\"mcd-execute-txlist\"");
        CHECK_HAS(w, want);
        CHECK_HAS(rd, "\"data\":[],\"data-hex\":\"\",\"num-bytes\":536");
    }
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_txlist_many(void)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_tx_st tx[200];
    uint8_t data[200][4];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 200 };

    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    for (int i = 0; i < 200; i++) {
        memcpy(data[i], &i, 4);
        tx[i] = (mcd_tx_st) {
            .addr = { .address = fs->mem_base + 4 * i, .mem_space_id = 1 },
            .access_type = MCD_TX_AT_W, .access_width = 4, .data = data[i],
            .num_bytes = 4,
        };
    }
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    CHECK_EQ(tl.num_tx_ok, 200);
    CHECK_EQ(fs->txlists, 4);
    CHECK_EQ(fs->most_tx, 64);
    memset(data, 0, sizeof(data));
    for (int i = 0; i < 200; i++) {
        tx[i].access_type = MCD_TX_AT_R;
    }
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    for (int i = 0; i < 200; i++) {
        int v;

        memcpy(&v, data[i], 4);
        CHECK_EQ(v, i);
        CHECK_EQ(tx[i].num_bytes_ok, 4);
    }
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_txlist_failure(void)
{
    FakeServer *fs = fake_server_new();
    g_autofree uint8_t *buf = g_malloc0(5 * 2500);
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_tx_st tx[5];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 5 };
    uint64_t base;

    fs->max_payload = 1000;
    fake_server_start(fs, false);
    fill_pattern(fs->mem, fs->mem_size, 9);
    base = fs->mem_base + 100;
    /* A hole in the second slice of the third transaction. */
    fs->fail_addr = base + 2 * 2500 + 1000 + 123;
    srv = open_server(fs, NULL);
    core = open_core(0);
    for (int i = 0; i < 5; i++) {
        tx[i] = (mcd_tx_st) {
            .addr = { .address = base + 2500 * i, .mem_space_id = 1 },
            .access_type = MCD_TX_AT_R, .data = buf + 2500 * i,
            .num_bytes = 2500, .num_bytes_ok = 77,
        };
    }
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_TXLIST_READ, "no memory there");
    CHECK_EQ(tl.num_tx_ok, 2);
    CHECK_EQ(tx[0].num_bytes_ok, 2500);
    CHECK_EQ(tx[1].num_bytes_ok, 2500);
    CHECK_EQ(tx[2].num_bytes_ok, 1123);
    CHECK_EQ(tx[3].num_bytes_ok, 0);
    CHECK_EQ(tx[4].num_bytes_ok, 0);
    /* What was read is in place, nothing beyond. */
    CHECK(!memcmp(buf, fs->mem + 100, 2 * 2500 + 1123));
    CHECK_EQ(buf[2 * 2500 + 1123], 0);
    /* Nothing was asked for after the failure. */
    CHECK_EQ(fs->txlists, 7);
    CHECK_EQ(fs->hex_txlists, 7);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

/* A server that takes data-hex but answers byte arrays, like QEMU did. */
static void test_api_txlist_array_answers(void)
{
    FakeServer *fs = fake_server_new();
    g_autofree uint8_t *out = g_malloc(20000);
    g_autofree uint8_t *in = g_malloc0(20000);
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_tx_st tx[2];
    mcd_txlist_st tl = { .tx = tx, .num_tx = 2 };

    fs->no_hex_answers = true;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    fill_pattern(out, 20000, 5);
    tx[0] = (mcd_tx_st) {
        .addr = { .address = fs->mem_base, .mem_space_id = 1 },
        .access_type = MCD_TX_AT_W, .data = out, .num_bytes = 20000,
    };
    tx[1] = (mcd_tx_st) {
        .addr = { .address = fs->mem_base + 30000, .mem_space_id = 1 },
        .access_type = MCD_TX_AT_W, .data = out, .num_bytes = 100,
    };
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    CHECK(!memcmp(fs->mem, out, 20000));
    tx[0].access_type = tx[1].access_type = MCD_TX_AT_R;
    tx[0].data = in;
    tx[1].data = in + 20000 - 100;
    /* The last 100 bytes are read twice; both reads say the same. */
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    CHECK_EQ(tl.num_tx_ok, 2);
    CHECK_EQ(tx[0].num_bytes_ok, 20000);
    CHECK_EQ(tx[1].num_bytes_ok, 100);
    CHECK(!memcmp(in, out, 19900));
    CHECK(!memcmp(in + 19900, out, 100));
    CHECK_EQ(fs->hex_txlists, fs->txlists);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

typedef struct BadHex {
    const char *answer;         /* JSON value of data-hex */
    int seen;                   /* mcd-execute-txlist requests */
} BadHex;

/* The second mcd-execute-txlist gets a data-hex of BadHex.answer. */
static FakeEnd hook_bad_hex(FakeReq *rq)
{
    BadHex *bh = rq->fs->opaque;
    JsonObject *tl, *rl, *r;
    JsonArray *txs, *ra;

    if (strcmp(rq->cmd, "mcd-execute-txlist") || ++bh->seen != 2) {
        return FAKE_DEFAULT;
    }
    /* The request back, every byte done, the data as it says. */
    tl = json_object_get_object_member(rq->args, "txlist");
    txs = json_object_get_array_member(tl, "tx");
    ra = json_array_new();
    for (guint i = 0; i < json_array_get_length(txs); i++) {
        JsonObject *t = json_array_get_object_element(txs, i);
        g_autoptr(JsonParser) p = json_parser_new();
        g_autofree char *v = g_strdup_printf("{\"v\": %s}", bh->answer);
        JsonNode *hex;

        REQUIRE(json_parser_load_from_data(p, v, -1, NULL));
        hex = json_object_dup_member(
            json_node_get_object(json_parser_get_root(p)), "v");
        json_object_set_member(t, "data-hex", hex);
        json_object_set_int_member(t, "num-bytes-ok",
                                   json_object_get_int_member(t,
                                                              "num-bytes"));
        json_array_add_object_element(ra, json_object_ref(t));
    }
    rl = json_object_new();
    json_object_set_array_member(rl, "tx", ra);
    json_object_set_int_member(rl, "num-tx", json_array_get_length(ra));
    json_object_set_int_member(rl, "num-tx-ok", json_array_get_length(ra));
    r = json_object_new();
    json_object_set_int_member(r, "return-status", 0);
    json_object_set_object_member(r, "txlist", rl);
    fake_answer(rq->out, r);
    return FAKE_CONTINUE;
}

/*
 * Malformed data-hex in the answer to the second of three requests: an
 * error, the first request's bytes counted, nothing stored beyond them,
 * and the connection still good.
 */
static void test_api_txlist_bad_hex(void)
{
    /* data-hex: head, then pairs times "00", then tail. */
    static const struct {
        const char *head;
        int pairs;
        const char *tail;
        const char *why;
    } bad[] = {
        { "\"zz", 999, "\"", "'z' (0x7a) where a hex digit belongs "
          "(character 0)" },
        { "\"", 999, "0g\"", "'g' (0x67) where a hex digit belongs "
          "(character 1999)" },
        { "\"0x", 999, "\"", "hex digit" },
        { "\" 0", 999, "\"", "hex digit" },
        { "\"-1", 999, "\"", "hex digit" },
        { "\"\\u00e4", 999, "\"", "(0xc3)" },
        { "\"0", 1000, "\"", "odd number of digits (2001)" },
        { "\"0", 999, "\"", "1000 bytes read but only 999 sent back" },
        { "\"", 0, "\"", "only 0 sent back" },
        { "\"", 1000, "0\"", "odd number" },
        { "\"", 1001, "\"", "1001 data bytes where at most 1000 fit" },
        { "17", 0, "", "'data-hex' is not a string" },
        { "null", 0, "", "not a string" },
        { "[\"00\"]", 0, "", "not a string" },
        { "{}", 0, "", "not a string" },
    };
    g_autofree uint8_t *buf = g_malloc(3000);
    FakeServer *fs = fake_server_new();
    BadHex bh;
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_tx_st tx;
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };

    fs->max_payload = 1000;
    fs->hook = hook_bad_hex;
    fs->opaque = &bh;
    fake_server_start(fs, false);
    fill_pattern(fs->mem, 3000, 1);
    srv = open_server(fs, NULL);
    core = open_core(0);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GString) answer = g_string_new(bad[i].head);

        for (int j = 0; j < bad[i].pairs; j++) {
            g_string_append(answer, "00");
        }
        g_string_append(answer, bad[i].tail);
        bh = (BadHex) { .answer = answer->str };
        memset(buf, 0xee, 3000);
        tx = (mcd_tx_st) {
            .addr = { .address = fs->mem_base, .mem_space_id = 1 },
            .access_type = MCD_TX_AT_R, .data = buf, .num_bytes = 3000,
        };
        CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_HANDLE_ERROR);
        CHECK_ERROR(core, MCD_ERR_CONNECTION, "mcd-execute-txlist: "
                    "malformed answer");
        CHECK_ERROR(core, MCD_ERR_CONNECTION, bad[i].why);
        /* The first 1000 bytes count; nothing stored beyond them. */
        CHECK_EQ(tl.num_tx_ok, 0);
        CHECK_EQ(tx.num_bytes_ok, 1000);
        CHECK(!memcmp(buf, fs->mem, 1000));
        CHECK_EQ(buf[1000], 0xee);
        CHECK_EQ(buf[1999], 0xee);
        CHECK_EQ(buf[2999], 0xee);
        /* Nothing asked for after the bad answer. */
        CHECK_EQ(bh.seen, 2);
        if (tap_failed()) {
            tap_diag("data-hex %.40s...", answer->str);
            break;
        }
    }
    /* The connection is fine: the same list goes through. */
    bh = (BadHex) { .seen = 2 };
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_NONE);
    CHECK_EQ(tx.num_bytes_ok, 3000);
    CHECK(!memcmp(buf, fs->mem, 3000));
    CHECK_EQ(fs->connections, 1);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_txlist_args(void)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv;
    mcd_core_st *core;
    uint8_t b[16];
    mcd_tx_st tx = { .access_type = MCD_TX_AT_R, .access_width = 8,
                     .num_bytes = 16 };
    mcd_txlist_st tl = { .tx = &tx, .num_tx = 1 };
    mcd_txlist_st none = { .num_tx = 2 };

    fs->max_payload = 4;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "no data buffer");
    CHECK_EQ(mcd_execute_txlist_f(core, &none), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "txlist->tx");
    tx.data = b;
    CHECK_EQ(mcd_execute_txlist_f(core, &tl), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "payload limit");
    CHECK_EQ(fs->txlists, 0);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

typedef struct Hammer {
    mcd_core_st *core;
    int fails;
} Hammer;

static gpointer hammer(gpointer opaque)
{
    Hammer *h = opaque;

    for (int i = 0; i < 200; i++) {
        mcd_memspace_st ms[2];
        uint32_t n = 2;

        if (mcd_qry_mem_spaces_f(h->core, 0, &n, ms) != MCD_RET_ACT_NONE ||
            n != 2 || strcmp(ms[1].mem_space_name, "Registers")) {
            h->fails++;
        }
    }
    return NULL;
}

static void test_api_threads(void)
{
    FakeServer *fs = fake(false);
    mcd_server_st *srv = open_server(fs, NULL);
    mcd_core_st *cores[2] = { open_core(0), open_core(1) };
    Hammer h[4];
    GThread *t[4];

    for (int i = 0; i < 4; i++) {
        h[i] = (Hammer) { .core = cores[i % 2] };
        t[i] = g_thread_new("hammer", hammer, &h[i]);
    }
    for (int i = 0; i < 4; i++) {
        g_thread_join(t[i]);
        CHECK_EQ(h[i].fails, 0);
    }
    /* Every line reached the server whole. */
    CHECK_EQ(fake_server_count(fs, "mcd-qry-mem-spaces"), 800);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_exit(void)
{
    FakeServer *fs = fake(false);
    mcd_server_st *srv = open_server(fs, NULL);
    mcd_core_st *core = open_core(0);
    g_autofree char *last = NULL;
    uint32_t n = 0;

    mcd_exit_f();
    /* mcd-exit went out and the connection with it. */
    for (int i = 0; i < 200 && !fs->got_exit; i++) {
        g_usleep(10000);
    }
    CHECK(fs->got_exit);
    last = fake_server_request(fs, fake_server_count(fs, NULL) - 1);
    CHECK_STR(last, "{\"execute\":\"mcd-exit\"}");
    /* Handles of before are unknown now. */
    CHECK_EQ(mcd_qry_mem_spaces_f(core, 0, &n, NULL),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "unknown core handle");
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_HANDLE_ERROR);
    /* And a new session works. */
    srv = open_server(fs, NULL);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    CHECK_EQ(fs->connections, 2);
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_second_open(void)
{
    FakeServer *fs = fake(false);
    mcd_server_st *srv = open_server(fs, NULL), *srv2 = NULL;
    g_autofree char *cs = fake_server_config(fs, NULL);

    CHECK_EQ(mcd_open_server_f("", cs, &srv2), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_CONNECTION, "already open");
    CHECK(srv2 == NULL);
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    /* Closing twice: the handle is gone. */
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "unknown server handle");
    mcd_exit_f();
    fake_server_free(fs);
}

static void test_api_qry_servers(void)
{
    FakeServer *fs = fake(false);
    g_autofree char *cs = fake_server_config(fs, NULL);
    g_autofree char *dir = g_dir_make_tmp("mcdc-XXXXXX", NULL);
    g_autofree char *none = g_strdup_printf("unix:%s/none", dir);
    mcd_server_info_st info[2];
    mcd_server_st *srv;
    uint32_t n = 0;

    /* Not connected: a connection of its own, for this query only. */
    CHECK_EQ(mcd_qry_servers_f(cs, true, 0, &n, NULL), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 1);
    n = 2;
    CHECK_EQ(mcd_qry_servers_f(cs, true, 0, &n, info), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 1);
    CHECK_STR(info[0].server, "fake server");
    CHECK_EQ(fs->connections, 2);
    /* Nobody there: no servers. */
    n = 2;
    CHECK_EQ(mcd_qry_servers_f(none, true, 0, &n, info), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 0);
    /* Connected: over the open connection. */
    srv = open_server(fs, NULL);
    n = 2;
    CHECK_EQ(mcd_qry_servers_f("", true, 0, &n, info), MCD_RET_ACT_NONE);
    CHECK_EQ(n, 1);
    CHECK_EQ(fs->connections, 3);
    CHECK_EQ(mcd_qry_servers_f(NULL, true, 0, NULL, info),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(NULL, MCD_ERR_PARAM, "num_servers");
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
    rmdir(dir);
}

static FakeEnd hook_triggers(FakeReq *rq)
{
    JsonObject *r;

    if (!strcmp(rq->cmd, "mcd-create-trig")) {
        JsonObject *t = json_object_get_object_member(rq->args, "trig");
        JsonObject *s = json_object_get_object_member(t, "trig-simple-core");

        /* Adjusted by the server: a wider range. */
        json_object_set_boolean_member(s, "modified", true);
        json_object_set_int_member(s, "addr-range", 16);
        r = json_object_new();
        json_object_set_int_member(r, "return-status", 0);
        json_object_set_object_member(r, "trig", json_object_ref(t));
        json_object_set_int_member(r, "trig-id", 7);
        fake_answer(rq->out, r);
        return FAKE_CONTINUE;
    }
    if (!strcmp(rq->cmd, "mcd-read-trace")) {
        JsonArray *frames = json_array_new();
        JsonObject *td = json_object_new();

        for (int i = 0; i < 2; i++) {
            JsonObject *fr = json_object_new();
            JsonArray *d = json_array_new();

            for (int j = 0; j < 8; j++) {
                json_array_add_int_element(d, i * 10 + j);
            }
            json_object_set_int_member(fr, "timestamp", 1000 + i);
            json_object_set_int_member(fr, "marker", 0);
            json_object_set_array_member(fr, "data", d);
            json_array_add_object_element(frames, fr);
        }
        json_object_set_array_member(td, "trace-data-event", frames);
        r = json_object_new();
        json_object_set_int_member(r, "return-status", 0);
        json_object_set_int_member(r, "num-frames", 2);
        json_object_set_object_member(r, "trace-data", td);
        fake_answer(rq->out, r);
        return FAKE_CONTINUE;
    }
    if (!strcmp(rq->cmd, "mcd-receive-msg")) {
        g_string_append(rq->out, "{\"return\": {\"return-status\": 0, "
                        "\"msg-len\": 3, \"msg\": [1, 2, 3]}}\n");
        return FAKE_CONTINUE;
    }
    return FAKE_DEFAULT;
}

static void test_api_variants(void)
{
    FakeServer *fs = fake_server_new();
    mcd_server_st *srv;
    mcd_core_st *core;
    mcd_trig_simple_core_st t = {
        .struct_size = sizeof(t), .type = MCD_TRIG_TYPE_IP,
        .addr_start = { .address = 0x80000000, .mem_space_id = 3 },
        .addr_range = 4,
    };
    mcd_trace_data_event_st ev[4];
    mcd_chl_st chl = { .type = MCD_CHL_TYPE_COMMON };
    uint8_t msg[8];
    uint32_t id = 0, n = 4, len = 8;
    g_autofree char *req = NULL;

    fs->hook = hook_triggers;
    fake_server_start(fs, false);
    srv = open_server(fs, NULL);
    core = open_core(0);
    CHECK_EQ(mcd_create_trig_f(core, &t, &id), MCD_RET_ACT_NONE);
    CHECK_EQ(id, 7);
    CHECK(t.modified);
    CHECK_EQ(t.addr_range, 16);
    CHECK_EQ(t.struct_size, sizeof(t));
    req = fake_server_request(fs, fake_server_count(fs, NULL) - 1);
    CHECK_HAS(req, "\"address\":2147483648");
    memset(ev, 0, sizeof(ev));
    CHECK_EQ(mcd_read_trace_f(core, 1, 0, &n, sizeof(ev[0]), ev),
             MCD_RET_ACT_NONE);
    CHECK_EQ(n, 2);
    CHECK_EQ(ev[1].timestamp, 1001);
    CHECK_EQ(ev[1].data[7], 17);
    n = 4;
    CHECK_EQ(mcd_read_trace_f(core, 1, 0, &n, 8, ev),
             MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "trace_data_size is 8");
    CHECK_EQ(mcd_receive_msg_f(core, &chl, 10, &len, msg), MCD_RET_ACT_NONE);
    CHECK_EQ(len, 3);
    CHECK(msg[2] == 3);
    CHECK_EQ(mcd_create_trig_f(core, NULL, &id), MCD_RET_ACT_HANDLE_ERROR);
    CHECK_ERROR(core, MCD_ERR_PARAM, "trig");
    CHECK_EQ(mcd_close_server_f(srv), MCD_RET_ACT_NONE);
    mcd_exit_f();
    fake_server_free(fs);
}

/* The shared library exports the 54 functions by their names. */
static void test_abi_dlopen(void)
{
    static const char *const names[] = {
        "mcd_initialize_f", "mcd_exit_f", "mcd_qry_servers_f",
        "mcd_open_server_f", "mcd_close_server_f", "mcd_set_server_config_f",
        "mcd_qry_server_config_f", "mcd_qry_systems_f", "mcd_qry_devices_f",
        "mcd_qry_cores_f", "mcd_qry_core_modes_f", "mcd_open_core_f",
        "mcd_close_core_f", "mcd_qry_error_info_f",
        "mcd_qry_device_description_f", "mcd_qry_max_payload_size_f",
        "mcd_qry_input_handle_f", "mcd_qry_mem_spaces_f",
        "mcd_qry_mem_blocks_f", "mcd_qry_active_overlays_f",
        "mcd_qry_reg_groups_f", "mcd_qry_reg_map_f", "mcd_qry_reg_compound_f",
        "mcd_qry_trig_info_f", "mcd_qry_ctrigs_f", "mcd_create_trig_f",
        "mcd_qry_trig_f", "mcd_remove_trig_f", "mcd_qry_trig_state_f",
        "mcd_activate_trig_set_f", "mcd_remove_trig_set_f",
        "mcd_qry_trig_set_f", "mcd_qry_trig_set_state_f",
        "mcd_execute_txlist_f", "mcd_run_f", "mcd_stop_f", "mcd_run_until_f",
        "mcd_qry_current_time_f", "mcd_step_f", "mcd_set_global_f",
        "mcd_qry_state_f", "mcd_execute_command_f", "mcd_qry_rst_classes_f",
        "mcd_qry_rst_class_info_f", "mcd_rst_f", "mcd_chl_open_f",
        "mcd_send_msg_f", "mcd_receive_msg_f", "mcd_chl_reset_f",
        "mcd_chl_close_f", "mcd_qry_traces_f", "mcd_qry_trace_state_f",
        "mcd_set_trace_state_f", "mcd_read_trace_f",
    };
    const char *path = g_getenv("MCD_CLIENT_LIB");
    void *lib;
    mcd_return_et (*init)(const mcd_api_version_st *,
                          mcd_impl_version_info_st *);
    mcd_api_version_st v = { 1, 1, "" };
    mcd_impl_version_info_st info;

    if (!path) {
        tap_skip("MCD_CLIENT_LIB does not name libmcd_client.so");
    }
    CHECK_EQ(G_N_ELEMENTS(names), 54);
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        tap_fail(__FILE__, __LINE__, "dlopen: %s", dlerror());
        tap_abort();
    }
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (!dlsym(lib, names[i])) {
            tap_fail(__FILE__, __LINE__, "%s is not exported", names[i]);
        }
    }
    /* Internals stay inside. */
    CHECK(!dlsym(lib, "mcdc_config_parse"));
    CHECK(!dlsym(lib, "mcdc_txlist_split"));
    init = dlsym(lib, "mcd_initialize_f");
    REQUIRE(init);
    CHECK_EQ(init(&v, &info), MCD_RET_ACT_NONE);
    CHECK_STR(info.vendor, MCDC_VENDOR);
    dlclose(lib);
}

static const TapTest tests[] = {
    { "config: defaults", test_config_default },
    { "config: tcp host:port forms", test_config_tcp },
    { "config: unix socket", test_config_unix },
    { "config: timeout options", test_config_options },
    { "config: timeouts from the environment", test_config_env },
    { "marshal: every structure round-trips", test_marshal_roundtrip_all },
    { "marshal: mcd_core_con_info_st member names", test_marshal_con_info },
    { "marshal: mcd_txlist_st both ways", test_marshal_txlist },
    { "marshal: data-hex encoding", test_marshal_hex },
    { "marshal: transaction data round trips as hex",
      test_marshal_tx_roundtrip },
    { "marshal: malformed transaction answers", test_marshal_txlist_bad },
    { "marshal: uint64 extremes", test_marshal_uint64 },
    { "marshal: string truncation", test_marshal_strings },
    { "marshal: decode errors", test_marshal_decode_errors },
    { "marshal: trigger variants", test_marshal_triggers },
    { "marshal: answer lines classified", test_marshal_answers },
    { "marshal: request line", test_marshal_request_line },
    { "split: small list stays whole", test_split_small },
    { "split: 64 KiB read in 12 KiB requests", test_split_64k },
    { "split: 100 transactions in lists of 64", test_split_many_tx },
    { "split: cuts at access width", test_split_width },
    { "split: whole small, big fills the room", test_split_whole_and_fill },
    { "split: zero-byte, empty, impossible", test_split_edges },
    { "split: random lists keep the invariants", test_split_random },
    { "api: mcd_initialize_f version check", test_api_initialize },
    { "api: calls without an open server", test_api_not_open },
    { "api: session over a unix socket", test_api_session_unix },
    { "api: session over tcp", test_api_session_tcp },
    { "api: connection refused", test_api_refused },
    { "transport: connect timeout", test_transport_connect_timeout },
    { "transport: no answer times out", test_transport_timeout },
    { "transport: answer timeout from environment",
      test_transport_timeout_env },
    { "transport: server hangs up mid-answer", test_transport_half_answer },
    { "transport: server hangs up before answering", test_transport_eof },
    { "transport: connection reset", test_transport_reset },
    { "transport: oversized answer line", test_transport_oversized },
    { "transport: garbage answer", test_transport_garbage },
    { "transport: answer neither return nor error",
      test_transport_unexpected },
    { "transport: error answers and noise", test_transport_error_answers },
    { "api: server error details", test_api_server_errors },
    { "api: long lists come in pages", test_api_list_paging },
    { "api: 64 KiB transaction split and rejoined", test_api_txlist_split },
    { "api: 200 transactions in lists of 64", test_api_txlist_many },
    { "api: split list stops at the first failure",
      test_api_txlist_failure },
    { "api: answers in byte arrays still read", test_api_txlist_array_answers },
    { "api: malformed data-hex in an answer", test_api_txlist_bad_hex },
    { "api: transaction list arguments", test_api_txlist_args },
    { "api: concurrent callers", test_api_threads },
    { "api: mcd_exit_f", test_api_exit },
    { "api: second mcd_open_server_f", test_api_second_open },
    { "api: mcd_qry_servers_f", test_api_qry_servers },
    { "api: triggers, trace frames, messages", test_api_variants },
    { "abi: dlopen finds the 54 functions", test_abi_dlopen },
};

int main(int argc, char **argv)
{
    return tap_run(tests, G_N_ELEMENTS(tests), argc, argv);
}
