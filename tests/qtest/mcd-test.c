/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: a real QEMU per test, driven over its MCD socket
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qobject/qjson.h"
#include "mcd-util.h"
#include "mcd-abi.h"
#include "mcd-test.h"

/* The ELF machine each target reports as its core type. */
static uint32_t expected_core_type(void)
{
    const char *arch = qtest_get_arch();

    return !strcmp(arch, "aarch64") ? 183 :
           !strcmp(arch, "arm") ? 40 :
           !strcmp(arch, "riscv64") ? 243 :
           !strcmp(arch, "i386") ? 3 :
           !strcmp(arch, "x86_64") ? 62 : 0;
}

static MCDTest *start(const char *extra)
{
    return mcd_test_start("%s %s", mcd_test_machine(), extra);
}

static void test_abi_layout(void)
{
    mcd_check_abi_layout();
}

/* Answers are compact single lines, and nothing comes unasked. */
static void test_wire_format(void)
{
    MCDTest *t = start("");
    g_autofree char *line = NULL;

    g_assert_false(mcd_line_pending(t, 200));
    mcd_send_raw(t, "{\"execute\": \"mcd-qry-systems\", \"arguments\":"
                 " {\"start-index\": 0, \"num-systems\": 0}}\n");
    line = mcd_recv_line(t);
    /* Compact: no optional white space, members in any order. */
    g_assert_null(strchr(line, ' '));
    g_assert_cmpint(strlen(line), ==,
                    strlen("{\"return\":{\"return-status\":0,"
                           "\"num-systems\":1}}"));
    g_assert_nonnull(strstr(line, "\"return-status\":0"));
    g_assert_nonnull(strstr(line, "\"num-systems\":1"));
    g_assert_false(mcd_line_pending(t, 100));
    mcd_test_stop(t);
}

/* Bad input gets an error answer and the connection stays usable. */
static void test_bad_requests(void)
{
    static const char *const bad[] = {
        "{\"execute\": \"mcd-qry-systems\", \"arguments\": {]}\n",
        "[1, 2, 3]\n",
        "{\"execute\": 42}\n",
        "{\"execute\": \"mcd-qry-systems\", \"arguments\":"
        " {\"start-index\": \"zero\", \"num-systems\": 0}}\n",
        "{\"execute\": \"mcd-qry-systems\", \"arguments\":"
        " {\"start-index\": -1, \"num-systems\": 0}}\n",
        "{\"execute\": \"mcd-qry-systems\"}\n",
        "{\"execute\": \"mcd-open-core\", \"arguments\":"
        " {\"core-con-info\": {\"core-id\": 0}}}\n",
        "{\"execute\": \"mcd-no-such-command\"}\n",
    };
    MCDTest *t = start("");

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *line = NULL;
        QDict *rsp;

        mcd_send_raw(t, bad[i]);
        line = mcd_recv_line(t);
        g_assert_nonnull(line);
        rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
        g_assert(qdict_haskey(rsp, "error"));
        g_assert_nonnull(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                       "desc"));
        qobject_unref(rsp);
    }
    /* Still usable. */
    mcd_open_server(t);
    mcd_test_stop(t);
}

/* QMP does not know MCD commands, and MCD does not know QMP's. */
static void test_separate_from_qmp(void)
{
    MCDTest *t = start("");
    QDict *rsp;
    g_autoptr(GString) schema = NULL;

    rsp = qtest_qmp(t->qts, "{'execute': 'mcd-qry-systems', 'arguments':"
                    " {'start-index': 0, 'num-systems': 0}}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "class"),
                    ==, "CommandNotFound");
    qobject_unref(rsp);

    rsp = qtest_qmp(t->qts, "{'execute': 'query-qmp-schema'}");
    schema = qobject_to_json(qdict_get(rsp, "return"));
    g_assert_null(strstr(schema->str, "mcd-"));
    qobject_unref(rsp);

    rsp = mcd_req(t, "{'execute': 'query-status'}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "class"),
                    ==, "CommandNotFound");
    qobject_unref(rsp);
    rsp = mcd_req(t, "{'execute': 'qmp_capabilities'}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    mcd_test_stop(t);
}

/* query-mcd-schema describes the MCD commands, and only those. */
static void test_schema(void)
{
    MCDTest *t = start("");
    QDict *rsp = mcd_req(t, "{'execute': 'query-mcd-schema'}");
    QList *list = qdict_get_qlist(rsp, "return");
    g_autoptr(GHashTable) commands = g_hash_table_new(g_str_hash,
                                                      g_str_equal);
    QListEntry *e;

    g_assert_nonnull(list);
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *info = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(info, "meta-type"), "command")) {
            g_hash_table_add(commands, (char *)qdict_get_str(info, "name"));
        }
    }
    /* The 54 functions of the MCD API, shared buffers and this command. */
    g_assert_cmpuint(g_hash_table_size(commands), ==, 56);
    g_assert_true(g_hash_table_contains(commands, "mcd-set-shared-buffer"));
    g_assert_true(g_hash_table_contains(commands, "mcd-qry-cores"));
    g_assert_true(g_hash_table_contains(commands, "mcd-read-trace"));
    g_assert_true(g_hash_table_contains(commands, "query-mcd-schema"));
    g_assert_false(g_hash_table_contains(commands, "query-qmp-schema"));
    g_assert_false(g_hash_table_contains(commands, "query-status"));
    g_hash_table_remove_all(commands);
    qobject_unref(rsp);
    mcd_test_stop(t);
}

static void test_initialize(void)
{
    MCDTest *t = start("");
    QDict *r, *impl;

    r = mcd_ret(t, "{'execute': 'mcd-initialize', 'arguments':"
                " {'version-req': {'v-api-major': 1, 'v-api-minor': 1,"
                " 'author': 'test'}}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    impl = qdict_get_qdict(r, "impl-info");
    g_assert_cmpstr(qdict_get_str(impl, "vendor"), ==, "QEMU");
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(impl, "v-api"),
                                  "v-api-major"), ==, 1);
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(impl, "v-api"),
                                  "v-api-minor"), ==, 1);
    g_assert_cmpstr(qdict_get_str(impl, "date"), !=, "");
    qobject_unref(r);

    r = mcd_ret(t, "{'execute': 'mcd-initialize', 'arguments':"
                " {'version-req': {'v-api-major': 1, 'v-api-minor': 0,"
                " 'author': 'test'}}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_GENERAL);

    r = mcd_ret(t, "{'execute': 'mcd-initialize', 'arguments':"
                " {'version-req': {'v-api-major': 2, 'v-api-minor': 1,"
                " 'author': 'test'}}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_GENERAL);

    /* A later success clears the error. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-systems', 'arguments':"
                " {'start-index': 0, 'num-systems': 0}}");
    qobject_unref(r);
    r = mcd_error_info(t, 0);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    mcd_test_stop(t);
}

static void test_servers(void)
{
    MCDTest *t = start("");
    uint32_t uid, uid2;
    QDict *r;
    QList *l;

    r = mcd_ret(t, "{'execute': 'mcd-qry-servers', 'arguments':"
                " {'host': '', 'running': true, 'start-index': 0,"
                " 'num-servers': 0}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qdict_get_int(r, "num-servers"), ==, 1);
    g_assert_false(qdict_haskey(r, "server-info"));
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-servers', 'arguments':"
                " {'host': '', 'running': true, 'start-index': 0,"
                " 'num-servers': 5}}");
    g_assert_cmpint(qdict_get_int(r, "num-servers"), ==, 1);
    l = qdict_get_qlist(r, "server-info");
    g_assert_cmpint(qlist_size(l), ==, 1);
    g_assert_nonnull(strstr(qdict_get_str(qobject_to(QDict, qlist_peek(l)),
                                          "system-instance"), "pid"));
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-servers', 'arguments':"
                " {'host': '', 'running': true, 'start-index': 1,"
                " 'num-servers': 1}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);

    /* The configuration comes back in answers, so its size is bounded. */
    {
        g_autofree char *big = g_strnfill(4097, 'c');

        r = mcd_ret(t, "{'execute': 'mcd-open-server', 'arguments':"
                    " {'system-key': '', 'config-string': %s}}", big);
        g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
        qobject_unref(r);
        mcd_assert_error(t, 0, MCD_ERR_PARAM);
    }

    uid = mcd_open_server(t);
    r = mcd_ret(t, "{'execute': 'mcd-open-server', 'arguments':"
                " {'system-key': '', 'config-string': ''}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_false(qdict_haskey(r, "server-uid"));
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_CONNECTION);

    r = mcd_ret(t, "{'execute': 'mcd-close-server', 'arguments':"
                " {'server-uid': %u}}", uid + 100);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-close-server', 'arguments':"
                " {'server-uid': %u}}", uid);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-close-server', 'arguments':"
                " {'server-uid': %u}}", uid);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_CONNECTION);

    /* Handles are not reused. */
    uid2 = mcd_open_server(t);
    g_assert_cmpuint(uid2, !=, uid);
    mcd_test_stop(t);
}

static void test_system_and_cores(void)
{
    MCDTest *t = start("-smp 2");
    QDict *r, *core;
    QList *l;

    /* Cores need an open server. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-cores', 'arguments':"
                " {'connection-info': %p, 'start-index': 0,"
                " 'num-cores': 0}}", mcd_device_info(t));
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_CONNECTION);
    r = mcd_ret(t, "{'execute': 'mcd-open-core', 'arguments':"
                " {'core-con-info': %p}}", mcd_device_info(t));
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_CONNECTION);
    mcd_open_server(t);

    r = mcd_ret(t, "{'execute': 'mcd-qry-systems', 'arguments':"
                " {'start-index': 0, 'num-systems': 4}}");
    l = qdict_get_qlist(r, "system-con-info");
    g_assert_cmpint(qlist_size(l), ==, 1);
    g_assert_nonnull(strstr(qdict_get_str(qobject_to(QDict, qlist_peek(l)),
                                          "system"), "QEMU"));
    qobject_unref(r);

    r = mcd_ret(t, "{'execute': 'mcd-qry-cores', 'arguments':"
                " {'connection-info': %p, 'start-index': 0,"
                " 'num-cores': 0}}", mcd_core_info(t, 0));
    g_assert_cmpint(qdict_get_int(r, "num-cores"), ==, 2);
    qobject_unref(r);

    for (int i = 0; i < 2; i++) {
        g_autofree char *suffix = g_strdup_printf(" #%d", i);

        core = mcd_core_info(t, i);
        g_assert_cmpint(qdict_get_int(core, "core-id"), ==, i);
        g_assert_cmpint(qdict_get_int(core, "core-type"), ==,
                        expected_core_type());
        g_assert_true(g_str_has_suffix(qdict_get_str(core, "core"),
                                       suffix));
        g_assert_null(strstr(qdict_get_str(core, "core"), "-cpu"));
        qobject_unref(core);
    }

    /* A huge request is answered with what exists, and no more. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-cores', 'arguments':"
                " {'connection-info': %p, 'start-index': 1,"
                " 'num-cores': 4294967295}}", mcd_core_info(t, 0));
    g_assert_cmpint(qdict_get_int(r, "num-cores"), ==, 1);
    g_assert_cmpint(qlist_size(qdict_get_qlist(r, "core-con-info")), ==, 1);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-cores', 'arguments':"
                " {'connection-info': %p, 'start-index': 2,"
                " 'num-cores': 1}}", mcd_core_info(t, 0));
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);
    mcd_test_stop(t);
}

static void test_open_close_core(void)
{
    MCDTest *t = start("-smp 2");
    uint32_t c0, c1;
    QDict *r, *info;

    mcd_open_server(t);
    c0 = mcd_open_core(t, 0);
    c1 = mcd_open_core(t, 1);
    g_assert_cmpuint(c0, !=, c1);

    /* The second open of a core fails, and says why. */
    r = mcd_ret(t, "{'execute': 'mcd-open-core', 'arguments':"
                " {'core-con-info': %p}}", mcd_core_info(t, 0));
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_CONNECTION);

    /* A core that does not exist. */
    info = mcd_core_info(t, 0);
    qdict_put_int(info, "core-id", 7);
    r = mcd_ret(t, "{'execute': 'mcd-open-core', 'arguments':"
                " {'core-con-info': %p}}", info);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);

    /* Core modes and payload limits of an open core. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-core-modes', 'arguments':"
                " {'core-uid': %u, 'start-index': 0, 'num-modes': 8}}", c0);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qdict_get_int(r, "num-modes"), ==, 1);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-qry-max-payload-size', 'arguments':"
                " {'core-uid': %u}}", c1);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qdict_get_int(r, "max-payload"), >=, 4096);
    g_assert_cmpint(qdict_get_int(r, "max-payload"), <=, 16384);
    qobject_unref(r);

    /* Unknown core handles fail with a server-level error. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-max-payload-size', 'arguments':"
                " {'core-uid': 4242}}");
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, 4242, MCD_ERR_PARAM);
    mcd_assert_error(t, 0, MCD_ERR_PARAM);

    /* Errors of a core stay with that core. */
    r = mcd_ret(t, "{'execute': 'mcd-qry-core-modes', 'arguments':"
                " {'core-uid': %u, 'start-index': 3, 'num-modes': 1}}", c1);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, c1, MCD_ERR_PARAM);
    r = mcd_error_info(t, c0);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);

    r = mcd_ret(t, "{'execute': 'mcd-close-core', 'arguments':"
                " {'core-uid': %u}}", c0);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-close-core', 'arguments':"
                " {'core-uid': %u}}", c0);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    /* Reopening gives a fresh handle. */
    g_assert_cmpuint(mcd_open_core(t, 0), !=, c0);
    mcd_test_stop(t);
}

/*
 * What QEMU cannot do is refused with an error code and a reason, never
 * a pretended success.
 */
static void test_refusals(void)
{
    MCDTest *t = start("");
    uint32_t c;
    QDict *r;

    mcd_open_server(t);
    c = mcd_open_core(t, 0);
    r = mcd_ret(t, "{'execute': 'mcd-qry-input-handle', 'arguments':"
                " {'core-uid': %u}}", c);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    g_assert_false(qdict_haskey(r, "input-handle"));
    qobject_unref(r);
    mcd_assert_error(t, c, MCD_ERR_FN_UNIMPLEMENTED);

    r = mcd_ret(t, "{'execute': 'mcd-chl-open', 'arguments':"
                " {'core-uid': %u, 'channel': {'chl-id': 0, 'type': 1,"
                " 'attributes': 0, 'max-msg-len': 64, 'msg-buffer-addr':"
                " {'address': 0, 'mem-space-id': 0, 'addr-space-id': 0,"
                " 'addr-space-type': 0}, 'prio': 0}}}", c);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, c, MCD_ERR_CHL_TARGET_NOT_SUPPORTED);

    r = mcd_ret(t, "{'execute': 'mcd-qry-traces', 'arguments':"
                " {'core-uid': %u, 'start-index': 0, 'num-traces': 0}}", c);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_NONE);
    g_assert_cmpint(qdict_get_int(r, "num-traces"), ==, 0);
    qobject_unref(r);
    r = mcd_ret(t, "{'execute': 'mcd-read-trace', 'arguments':"
                " {'core-uid': %u, 'trace-id': 1, 'start-index': 0,"
                " 'num-frames': 4294967295, 'trace-data-size': 64}}", c);
    g_assert_cmpuint(mcd_status(r), ==, MCD_RET_ACT_HANDLE_ERROR);
    qobject_unref(r);
    mcd_assert_error(t, c, MCD_ERR_PARAM);
    mcd_test_stop(t);
}

/* A client that goes away releases the server and its cores. */
static void test_disconnect(void)
{
    MCDTest *t = start("");
    QDict *r;

    mcd_open_server(t);
    mcd_open_core(t, 0);
    mcd_disconnect(t);
    mcd_connect(t);
    mcd_open_server(t);
    mcd_open_core(t, 0);

    /* Vanishing in the middle of a request leaves nothing behind. */
    mcd_send_raw(t, "{\"execute\": \"mcd-open-server\", \"argum");
    mcd_disconnect(t);
    mcd_connect(t);
    mcd_open_server(t);

    /* mcd-exit gets no answer but releases everything as well. */
    mcd_send_raw(t, "{\"execute\": \"mcd-exit\"}\n");
    g_assert_false(mcd_line_pending(t, 200));
    mcd_open_server(t);
    mcd_open_core(t, 0);

    /* The guest was never disturbed. */
    r = qtest_qmp(t->qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(r, "return"));
    qobject_unref(r);
    mcd_test_stop(t);
}

/* Exactly one answer line arrives, and it is an error. */
static void assert_one_error(MCDTest *t)
{
    g_autofree char *line = mcd_recv_line(t);
    QDict *rsp;

    g_assert_nonnull(line);
    rsp = qobject_to(QDict, qobject_from_json(line, &error_abort));
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    g_assert_false(mcd_line_pending(t, 100));
}

/*
 * A parse error drops the rest of its line, whatever is left in it, and
 * the next line is served.  (Too deep a nesting used to leave the parser
 * stuck for the rest of the connection.)
 */
static void test_resync(void)
{
    MCDTest *t = start("");
    g_autofree char *deep = g_strnfill(2000, '[');
    g_autofree char *junk = g_strnfill(2 * 1024 * 1024, 'a');

    mcd_send_raw(t, deep);
    mcd_send_raw(t, "\n");
    assert_one_error(t);
    mcd_open_server(t);

    /* A bad start, then a good request on the same line: one answer. */
    mcd_send_raw(t, "}{\"execute\": \"mcd-qry-servers\", \"arguments\":"
                 " {\"host\": \"\", \"running\": true, \"start-index\": 0,"
                 " \"num-servers\": 0}}\n");
    assert_one_error(t);

    /* An unterminated string does not swallow the next line. */
    mcd_send_raw(t, "{\"execute\": \"mcd-qry\\u00\n");
    assert_one_error(t);

    /* A line too long for any request. */
    mcd_send_raw(t, "{\"execute\": \"");
    mcd_send_raw(t, junk);
    mcd_send_raw(t, "\"}\n");
    assert_one_error(t);
    mcd_open_core(t, 0);
    mcd_test_stop(t);
}

/*
 * A client that drops in the middle of a request, and one that connects
 * at once: the new one is answered and finds the server closed.
 */
static void test_reconnect_race(void)
{
    MCDTest *t = start("");

    for (int i = 0; i < 100; i++) {
        mcd_open_server(t);
        mcd_open_core(t, 0);
        mcd_send_raw(t, i % 2 ? "{\"execute\": \"mcd-qry-sys" :
                     "{\"execute\": \"mcd-qry-servers\"}\n{\"exec");
        mcd_disconnect(t);
        mcd_connect(t);
    }
    mcd_open_server(t);
    mcd_test_stop(t);
}

/* Run QEMU with "-mcd @dev" until it is told to quit; its stderr. */
static char *mcd_startup_stderr(const char *dev)
{
    g_autofree char *out = NULL;
    g_autofree char *cmd = g_strdup_printf(
        "sh -c 'echo quit | %s %s -S -display none -monitor stdio "
        "-mcd %s'", getenv("QTEST_QEMU_BINARY"), mcd_test_machine(), dev);
    char *err = NULL;
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return err;
}

/* Listening where other hosts can connect is worth a warning. */
static void test_exposed_warning(void)
{
    g_autofree char *all = mcd_startup_stderr("tcp::0");
    g_autofree char *lo = mcd_startup_stderr("tcp:localhost:0,server=on");

    g_assert_nonnull(strstr(all, "accepts connections from other hosts"));
    g_assert_null(strstr(lo, "accepts connections"));
}

/* QEMU's stderr when it refuses to start with @args. */
static char *mcd_refused_stderr(const char *args)
{
    g_autofree char *out = NULL;
    g_autofree char *cmd = g_strdup_printf(
        "%s %s -display none %s", getenv("QTEST_QEMU_BINARY"),
        mcd_test_machine(), args);
    char *err = NULL;
    int status;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return err;
}

/* A -mcd device that cannot be opened stops QEMU, naming the device. */
static void test_bad_device(void)
{
    g_autofree char *missing = mcd_refused_stderr(
        "-mcd unix:/nonexistent-dir/mcd.sock");
    g_autofree char *option = mcd_refused_stderr(
        "-mcd tcp:127.0.0.1:0,telnet=on");
    g_autofree char *twice = mcd_refused_stderr(
        "-mcd tcp:127.0.0.1:0 -mcd tcp:127.0.0.1:0");

    g_assert_nonnull(strstr(missing, "unix:/nonexistent-dir/mcd.sock"));
    g_assert_nonnull(strstr(option, "option 'telnet=on'"));
    g_assert_nonnull(strstr(twice, "only one -mcd"));
}

/* Like -gdb, -mcd refuses an accelerator whose guest it cannot debug. */
static void test_accelerator(void)
{
    g_autofree char *kvm = NULL;

    if (!qtest_has_accel("kvm")) {
        g_test_skip("KVM is not available to test a refused accelerator");
        return;
    }
    kvm = mcd_refused_stderr("-accel kvm -mcd tcp:127.0.0.1:0");
    g_assert_nonnull(strstr(kvm, "accelerator cannot be debugged through MCD"));
}

/* -mcd chardev:ID serves on a character device defined elsewhere. */
static void test_chardev_device(void)
{
    MCDTest *t = g_new0(MCDTest, 1);

    t->dir = g_dir_make_tmp("mcd-test-XXXXXX", NULL);
    t->path = g_strdup_printf("%s/mcd.sock", t->dir);
    t->fd = -1;
    t->in = g_string_new(NULL);
    t->qts = qtest_initf("%s -chardev socket,id=dbg,path=%s,server=on,"
                         "wait=off -mcd chardev:dbg", mcd_test_machine(),
                         t->path);
    mcd_connect(t);
    mcd_open_server(t);
    mcd_test_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/mcd/abi-layout", test_abi_layout);
    if (!mcd_test_machine()) {
        g_test_skip("no MCD test machine for this target");
        return g_test_run();
    }
    qtest_add_func("/mcd/wire-format", test_wire_format);
    qtest_add_func("/mcd/bad-requests", test_bad_requests);
    qtest_add_func("/mcd/separate-from-qmp", test_separate_from_qmp);
    qtest_add_func("/mcd/schema", test_schema);
    qtest_add_func("/mcd/initialize", test_initialize);
    qtest_add_func("/mcd/servers", test_servers);
    qtest_add_func("/mcd/system-and-cores", test_system_and_cores);
    qtest_add_func("/mcd/open-close-core", test_open_close_core);
    qtest_add_func("/mcd/refusals", test_refusals);
    qtest_add_func("/mcd/disconnect", test_disconnect);
    qtest_add_func("/mcd/resync", test_resync);
    qtest_add_func("/mcd/reconnect-race", test_reconnect_race);
    qtest_add_func("/mcd/exposed-warning", test_exposed_warning);
    qtest_add_func("/mcd/bad-device", test_bad_device);
    qtest_add_func("/mcd/accelerator", test_accelerator);
    qtest_add_func("/mcd/chardev-device", test_chardev_device);
    mcd_access_tests_register();
    mcd_runctl_tests_register();
    mcd_sessions_tests_register();
    mcd_trace_tests_register();
    return g_test_run();
}
