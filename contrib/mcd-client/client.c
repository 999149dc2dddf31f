/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: the 54 functions of the MCD API 1.1
 *
 * Every function that needs the target sends one request to the MCD
 * server (qapi/mcd.json) and waits for its answer; a few (version check,
 * error details) are answered here.  Large transaction lists and long
 * query answers take several requests, see mcd_execute_txlist_f() and
 * call_list().
 *
 * Connections: one at a time, owned by the open server.
 * mcd_open_server_f() connects, mcd_close_server_f() and mcd_exit_f()
 * disconnect.  When the connection breaks (server gone, timeout,
 * garbage on the line) it is closed at once, because the next line
 * could belong to the request that failed; the server and core handles
 * of that connection then fail with MCD_ERR_CONNECTION until they are
 * closed, and mcd_open_server_f() may connect again.
 *
 * Handles: the pointers handed out are checked against the lists of
 * live handles before anything is read through them, so a stale or
 * foreign pointer is an error, not a crash.
 *
 * Errors: every call records its outcome, for its core or, for calls
 * not bound to a core, for the library.  When the server answers
 * MCD_RET_ACT_HANDLE_ERROR, its error details are fetched right away
 * (mcd-qry-error-info), so that mcd_qry_error_info_f() can report them
 * even after the connection is gone.
 *
 * Threads: one mutex serializes all calls, so requests and answers of
 * concurrent callers never interleave on the socket.
 */

#define _GNU_SOURCE             /* memfd_create() */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#define MCD_BUILD_LIBRARY
#include "mcdc.h"

typedef struct McdcServer {
    mcd_server_st handle;       /* what the caller holds */
    uint32_t uid;               /* server-uid on the wire */
    uint64_t gen;               /* connection it belongs to */
    char *host;
    char *config_string;
} McdcServer;

typedef struct McdcCore {
    mcd_core_st handle;         /* what the caller holds */
    mcd_core_con_info_st info;  /* handle.core_con_info points here */
    uint32_t uid;               /* core-uid on the wire */
    uint64_t gen;               /* connection it belongs to */
    uint32_t max_payload;       /* per transaction list, 0: not asked */
    mcd_error_info_st error;    /* outcome of the last call on the core */
} McdcCore;

static pthread_mutex_t mcdc_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    McdcConn *conn;             /* NULL while disconnected */
    McdcConfig cfg;             /* of conn */
    uint64_t gen;               /* counts connections */
    McdcServer *server;         /* the server open on conn */
    bool lost;                  /* conn broke while a server was open */
    GPtrArray *servers;         /* McdcServer handed out, not closed */
    GPtrArray *cores;           /* McdcCore handed out, not closed */
    mcd_error_info_st error;    /* outcome of the last call without core */
    uint8_t *shared;            /* buffer shared with the server, or NULL */
    bool shared_tried;          /* asked to share one on this connection */
} mcdc;

/* The context of one API call. */
typedef struct McdcCall {
    McdcConn *conn;             /* where its requests go */
    unsigned timeout_ms;        /* how long an answer may take there */
    McdcCore *core;             /* the core it is bound to, or NULL */
    mcd_error_info_st *err;     /* where its outcome is recorded */
} McdcCall;

/* A query whose answer is a counted list, see call_list(). */
typedef struct McdcList {
    const char *cmd;
    const char *num;            /* member with the count */
    const char *array;          /* member with the entries */
    const McdcStructDesc *desc; /* of an entry; NULL for uint32_t */
} McdcList;

static void call_begin(McdcCall *c)
{
    pthread_mutex_lock(&mcdc_lock);
    if (!mcdc.servers) {
        mcdc.servers = g_ptr_array_new();
        mcdc.cores = g_ptr_array_new();
    }
    *c = (McdcCall) { .err = &mcdc.error };
}

static mcd_return_et call_end(McdcCall *c, mcd_return_et ret)
{
    /* Without the lock the connection may go any moment. */
    c->conn = NULL;
    pthread_mutex_unlock(&mcdc_lock);
    return ret;
}

/* Send the call's requests over @conn. */
static void call_use(McdcCall *c, McdcConn *conn, unsigned timeout_ms)
{
    c->conn = conn;
    c->timeout_ms = timeout_ms;
}

/* ... over the connection of the open server. */
static void call_use_main(McdcCall *c)
{
    call_use(c, mcdc.conn, mcdc.cfg.answer_timeout_ms);
}

static mcd_return_et call_record(McdcCall *c, mcd_return_et ret,
                                 mcd_error_code_et code, const char *str)
{
    *c->err = (mcd_error_info_st) {
        .return_status = ret,
        .error_code = code,
        .error_events = MCD_ERR_EVT_NONE,
    };
    mcdc_copy_str(c->err->error_str, sizeof(c->err->error_str), str);
    return ret;
}

static mcd_return_et call_ok(McdcCall *c)
{
    return call_record(c, MCD_RET_ACT_NONE, MCD_ERR_NONE, "");
}

static mcd_return_et call_failure(McdcCall *c, const McdcFailure *f)
{
    return call_record(c, MCD_RET_ACT_HANDLE_ERROR, f->code, f->str);
}

static mcd_return_et G_GNUC_PRINTF(3, 0)
call_vfail(McdcCall *c, mcd_error_code_et code, const char *fmt, va_list ap)
{
    char str[MCD_INFO_STR_LEN];

    vsnprintf(str, sizeof(str), fmt, ap);
    return call_record(c, MCD_RET_ACT_HANDLE_ERROR, code, str);
}

static mcd_return_et G_GNUC_PRINTF(3, 4)
call_fail(McdcCall *c, mcd_error_code_et code, const char *fmt, ...)
{
    mcd_return_et ret;
    va_list ap;

    va_start(ap, fmt);
    ret = call_vfail(c, code, fmt, ap);
    va_end(ap);
    return ret;
}

/*
 * Check an argument of the call: unless @ok, fail the call with
 * MCD_ERR_PARAM, the message made from @fmt, in *@ret.
 */
static bool G_GNUC_PRINTF(4, 5)
call_arg(McdcCall *c, mcd_return_et *ret, bool ok, const char *fmt, ...)
{
    va_list ap;

    if (ok) {
        return true;
    }
    va_start(ap, fmt);
    *ret = call_vfail(c, MCD_ERR_PARAM, fmt, ap);
    va_end(ap);
    return false;
}

/* An answer that does not match the schema; the line itself was fine. */
static mcd_return_et call_bad_answer(McdcCall *c, const char *cmd,
                                     const McdcFailure *f)
{
    return call_fail(c, MCD_ERR_CONNECTION, "%s: %s", cmd, f->str);
}

static void conn_drop(void)
{
    /* The server unmaps its side when the connection goes. */
    if (mcdc.shared) {
        munmap(mcdc.shared, MCDC_SHARED_SIZE);
        mcdc.shared = NULL;
    }
    mcdc.shared_tried = false;
    mcdc_conn_close(mcdc.conn);
    mcdc_config_clear(&mcdc.cfg);
    mcdc.conn = NULL;
    mcdc.server = NULL;
}

static bool conn_alive(uint64_t gen)
{
    return mcdc.conn && gen == mcdc.gen;
}

/* The entry of @live whose member at @offset is @handle, or NULL. */
static void *find_live(GPtrArray *live, const void *handle, size_t offset)
{
    for (guint i = 0; handle && i < live->len; i++) {
        char *p = g_ptr_array_index(live, i);

        if (p + offset == handle) {
            return p;
        }
    }
    return NULL;
}

static McdcServer *find_server(const mcd_server_st *handle)
{
    return find_live(mcdc.servers, handle, offsetof(McdcServer, handle));
}

static McdcCore *find_core(const mcd_core_st *handle)
{
    return find_live(mcdc.cores, handle, offsetof(McdcCore, handle));
}

static void server_free(McdcServer *s)
{
    g_ptr_array_remove(mcdc.servers, s);
    if (mcdc.server == s) {
        mcdc.server = NULL;
    }
    g_free(s->host);
    g_free(s->config_string);
    g_free(s);
}

static void core_free(McdcCore *co)
{
    g_ptr_array_remove(mcdc.cores, co);
    g_free(co);
}

static mcd_return_et not_connected(McdcCall *c)
{
    if (mcdc.lost) {
        return call_fail(c, MCD_ERR_CONNECTION, "the connection to the MCD "
                         "server was lost; close the server and open it "
                         "again");
    }
    return call_fail(c, MCD_ERR_CONNECTION, "no MCD server is open; call "
                     "mcd_open_server_f() first");
}

/* Calls that need the open server's connection but no core. */
static bool call_server(McdcCall *c, mcd_return_et *ret)
{
    if (!mcdc.conn || !mcdc.server) {
        *ret = not_connected(c);
        return false;
    }
    call_use_main(c);
    return true;
}

/* Look up a core handle for a call. */
static McdcCore *call_core_handle(McdcCall *c, const mcd_core_st *handle,
                                  mcd_return_et *ret)
{
    McdcCore *co = find_core(handle);

    if (!co) {
        *ret = call_fail(c, MCD_ERR_PARAM, handle ?
                         "unknown core handle (not opened by "
                         "mcd_open_core_f(), or closed)" :
                         "no core given (core is NULL)");
    }
    return co;
}

/*
 * Calls bound to @handle, which must be a live core.  @args (may be
 * NULL) gets the core-uid added.
 */
static bool call_core(McdcCall *c, const mcd_core_st *handle,
                      JsonObject *args, mcd_return_et *ret)
{
    McdcCore *co = call_core_handle(c, handle, ret);

    if (!co) {
        return false;
    }
    c->core = co;
    c->err = &co->error;
    if (!conn_alive(co->gen)) {
        *ret = call_fail(c, MCD_ERR_CONNECTION, "the core's connection to "
                         "the MCD server is gone; open the server and the "
                         "core again");
        return false;
    }
    call_use_main(c);
    if (args) {
        json_object_set_int_member(args, "core-uid", co->uid);
    }
    return true;
}

/* Refuse a core-bound call for a bad argument; a bad core comes first. */
static mcd_return_et G_GNUC_PRINTF(2, 3)
core_refuse(const mcd_core_st *core, const char *fmt, ...)
{
    char str[MCD_INFO_STR_LEN];
    mcd_return_et ret;
    McdcCall c;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(str, sizeof(str), fmt, ap);
    va_end(ap);
    call_begin(&c);
    if (call_core(&c, core, NULL, &ret)) {
        call_arg(&c, &ret, false, "%s", str);
    }
    return call_end(&c, ret);
}

/*
 * A send-and-receive on the call's connection, passing the file
 * descriptor @fd unless it is -1; see call_exec().
 */
static JsonObject *call_roundtrip(McdcCall *c, const char *cmd,
                                  JsonObject *args, int fd,
                                  unsigned extra_ms, McdcFailure *f)
{
    unsigned timeout = c->timeout_ms + MIN(extra_ms, MCDC_MAX_TIMEOUT_MS);
    McdcBroken broken;
    JsonObject *r;

    if (!c->conn) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "the connection to the MCD server "
                  "was lost");
        return NULL;
    }
    r = mcdc_conn_call_fd(c->conn, cmd, args, fd, timeout, true, f,
                          &broken);
    if (!r && broken == MCDC_CONN_BROKEN && c->conn == mcdc.conn) {
        mcdc.lost = mcdc.server != NULL;
        conn_drop();
        c->conn = NULL;
    }
    return r;
}

/*
 * After @cmd answered MCD_RET_ACT_HANDLE_ERROR: fetch the details of
 * the failure from the server and record them.
 */
static void call_fetch_error(McdcCall *c, const char *cmd)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_error_info_st e = { 0 };
    McdcFailure f;

    if (c->core) {
        json_object_set_int_member(args, "core-uid", c->core->uid);
    }
    r = call_roundtrip(c, "mcd-qry-error-info", args, -1, 0, &f);
    if (!r) {
        call_fail(c, f.code, "%s failed; its error details are unknown: "
                  "%s", cmd, f.str);
        return;
    }
    if (!mcdc_struct_from_json(&mcdc_error_info_desc, r, &e, &f)) {
        call_bad_answer(c, "mcd-qry-error-info", &f);
        return;
    }
    if (e.error_code == MCD_ERR_NONE) {
        call_fail(c, MCD_ERR_GENERAL, "%s failed, but the MCD server has no "
                  "details", cmd);
        return;
    }
    e.return_status = MCD_RET_ACT_HANDLE_ERROR;
    *c->err = e;
}

/*
 * Send @cmd with @args and wait for its answer, @extra_ms longer than
 * usual.  Returns the answer (unref it) with its return-status in *@ret,
 * the outcome recorded; NULL if there was no usable answer, with the
 * failure in *@ret and recorded.
 */
static JsonObject *call_exec(McdcCall *c, const char *cmd, JsonObject *args,
                             unsigned extra_ms, mcd_return_et *ret)
{
    McdcFailure f;
    JsonObject *r = call_roundtrip(c, cmd, args, -1, extra_ms, &f);
    uint32_t status;

    if (!r) {
        *ret = call_failure(c, &f);
        return NULL;
    }
    if (!mcdc_get_u32(r, "return-status", &status, &f)) {
        *ret = call_bad_answer(c, cmd, &f);
        json_object_unref(r);
        return NULL;
    }
    *ret = status;
    if (status == MCD_RET_ACT_NONE) {
        call_ok(c);
    } else if (status == MCD_RET_ACT_HANDLE_ERROR) {
        call_fetch_error(c, cmd);
    } else {
        /* AGAIN, HANDLE_EVENT, custom: no error, nothing to fetch. */
        call_record(c, status, MCD_ERR_NONE, "");
    }
    return r;
}

/*
 * A counted-list query.  *@num == 0 asks for the number of entries;
 * otherwise up to *@num entries from @start are stored in @out and *@num
 * gets how many.  A server may answer fewer entries than asked for at
 * once (QEMU: 128); the rest is then asked for until the list ends.
 */
static mcd_return_et call_list(McdcCall *c, const McdcList *q,
                               JsonObject *args, uint32_t start,
                               uint32_t *num, void *out)
{
    size_t elem = q->desc ? q->desc->size : sizeof(uint32_t);
    uint32_t want, got = 0;
    int64_t total = -1;
    mcd_return_et ret;
    McdcFailure f;

    if (!num) {
        return call_fail(c, MCD_ERR_PARAM, "no count given (the %s pointer "
                         "is NULL)", q->num);
    }
    if (*num && !out) {
        return call_fail(c, MCD_ERR_PARAM, "%u entries asked for, but no "
                         "buffer given for them", *num);
    }
    want = *num;
    for (;;) {
        g_autoptr(JsonObject) r = NULL;
        JsonArray *a = NULL;
        uint32_t n, len;
        bool count_only = total < 0 && got > 0;

        json_object_set_int_member(args, "start-index",
                                   count_only ? start : (uint64_t)start + got);
        json_object_set_int_member(args, q->num,
                                   count_only ? 0 : want - got);
        r = call_exec(c, q->cmd, args, 0, &ret);
        if (ret != MCD_RET_ACT_NONE) {
            return ret;
        }
        if (!mcdc_get_u32(r, q->num, &n, &f)) {
            return call_bad_answer(c, q->cmd, &f);
        }
        if (!want) {
            *num = n;
            return ret;
        }
        if (count_only) {
            total = n;
            if ((uint64_t)start + got >= (uint64_t)total) {
                break;
            }
            continue;
        }
        len = 0;
        if (n) {
            a = mcdc_get_array(r, q->array, &f);
            if (!a) {
                return call_bad_answer(c, q->cmd, &f);
            }
            len = json_array_get_length(a);
        }
        if (n > want - got || len != n) {
            return call_fail(c, MCD_ERR_CONNECTION, "%s: malformed answer: "
                             "%u entries asked for, %u announced, %u sent",
                             q->cmd, want - got, n, len);
        }
        for (uint32_t i = 0; i < n; i++) {
            JsonNode *e = json_array_get_element(a, i);
            char *dst = (char *)out + (size_t)(got + i) * elem;
            uint64_t v;

            if (q->desc) {
                if (!JSON_NODE_HOLDS_OBJECT(e)) {
                    return call_fail(c, MCD_ERR_CONNECTION, "%s: malformed "
                                     "answer: entry %u is not an object",
                                     q->cmd, i);
                }
                if (!mcdc_struct_from_json(q->desc, json_node_get_object(e),
                                           dst, &f)) {
                    return call_bad_answer(c, q->cmd, &f);
                }
                continue;
            }
            if (!JSON_NODE_HOLDS_VALUE(e) ||
                json_node_get_value_type(e) != G_TYPE_INT64 ||
                json_node_get_int(e) < 0 ||
                json_node_get_int(e) > UINT32_MAX) {
                return call_fail(c, MCD_ERR_CONNECTION, "%s: malformed "
                                 "answer: entry %u is not a uint32", q->cmd,
                                 i);
            }
            v = json_node_get_int(e);
            memcpy(dst, &(uint32_t){ v }, sizeof(uint32_t));
        }
        got += n;
        if (got == want || !n ||
            (total >= 0 && (uint64_t)start + got >= (uint64_t)total)) {
            break;
        }
    }
    *num = got;
    return call_ok(c);
}

static void set_str(JsonObject *o, const char *name, const char *s)
{
    g_autofree char *valid = g_utf8_make_valid(s ? s : "", -1);

    json_object_set_string_member(o, name, valid);
}

static void set_struct(JsonObject *o, const char *name,
                       const McdcStructDesc *d, const void *s)
{
    json_object_set_object_member(o, name, mcdc_struct_to_json(d, s));
}

/* An optional string member of an answer. */
static const char *opt_str(JsonObject *o, const char *name, const char *dflt)
{
    McdcFailure f;

    if (!json_object_has_member(o, name)) {
        return dflt;
    }
    return mcdc_get_str(o, name, &f);
}

/* Store the optional string member @name of @o ("" if none) in @buf. */
static void copy_opt_str(JsonObject *o, const char *name, char *buf,
                         size_t size)
{
    const char *s = opt_str(o, name, "");

    mcdc_copy_str(buf, size, s ? s : "");
}

/* A reference to @args, or new empty arguments if NULL. */
static JsonObject *args_ref(JsonObject *args)
{
    return args ? json_object_ref(args) : json_object_new();
}

/*
 * The common shapes of core-bound calls.  @args (may be NULL) gets the
 * core-uid added; the caller keeps its reference.
 */
static mcd_return_et core_cmd(const mcd_core_st *core, const char *cmd,
                              JsonObject *args)
{
    g_autoptr(JsonObject) own = args_ref(args);
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcCall c;

    call_begin(&c);
    if (call_core(&c, core, own, &ret)) {
        r = call_exec(&c, cmd, own, 0, &ret);
    }
    return call_end(&c, ret);
}

/* A core-bound query whose result is structure @d in member @member. */
static mcd_return_et core_qry_struct(const mcd_core_st *core,
                                     const char *cmd, JsonObject *args,
                                     const char *member,
                                     const McdcStructDesc *d, void *out)
{
    g_autoptr(JsonObject) own = args_ref(args);
    g_autoptr(JsonObject) r = NULL;
    g_autofree void *tmp = g_malloc0(d->size);
    mcd_return_et ret;
    McdcFailure f;
    JsonObject *o;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, own, &ret) ||
        !call_arg(&c, &ret, out, "no buffer given for the %s (NULL)",
                  d->name)) {
        return call_end(&c, ret);
    }
    r = call_exec(&c, cmd, own, 0, &ret);
    if (ret == MCD_RET_ACT_NONE) {
        o = mcdc_get_obj(r, member, &f);
        if (!o || !mcdc_struct_from_json(d, o, tmp, &f)) {
            ret = call_bad_answer(&c, cmd, &f);
        } else {
            memcpy(out, tmp, d->size);
        }
    }
    return call_end(&c, ret);
}

/*
 * A core-bound query whose result is the number in member @member, at
 * most @max: stored in *@out, which is named @what in the error if it
 * is NULL.  Within call_begin() and call_end().
 */
static mcd_return_et core_qry_uint(McdcCall *c, const mcd_core_st *core,
                                   const char *cmd, const char *member,
                                   uint64_t max, uint64_t *out,
                                   const char *what)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcFailure f;

    if (!call_core(c, core, args, &ret) ||
        !call_arg(c, &ret, out, "no place for the result (%s)", what)) {
        return ret;
    }
    r = call_exec(c, cmd, args, 0, &ret);
    if (ret == MCD_RET_ACT_NONE &&
        !mcdc_get_uint(r, member, max, out, &f)) {
        ret = call_bad_answer(c, cmd, &f);
    }
    return ret;
}

static mcd_return_et core_qry_u32(const mcd_core_st *core, const char *cmd,
                                  const char *member, uint32_t *out)
{
    mcd_return_et ret;
    uint64_t v;
    McdcCall c;

    call_begin(&c);
    ret = core_qry_uint(&c, core, cmd, member, UINT32_MAX, out ? &v : NULL,
                        "NULL");
    if (ret == MCD_RET_ACT_NONE) {
        *out = v;
    }
    return call_end(&c, ret);
}

/* A core-bound counted-list query, see call_list(). */
static mcd_return_et core_list(const mcd_core_st *core, const McdcList *q,
                               JsonObject *args, uint32_t start,
                               uint32_t *num, void *out)
{
    g_autoptr(JsonObject) own = args_ref(args);
    mcd_return_et ret;
    McdcCall c;

    call_begin(&c);
    if (call_core(&c, core, own, &ret)) {
        ret = call_list(&c, q, own, start, num, out);
    }
    return call_end(&c, ret);
}

/* Initialization */

mcd_return_et mcd_initialize_f(const mcd_api_version_st *version_req,
                               mcd_impl_version_info_st *impl_info)
{
    mcd_return_et ret;
    McdcCall c;

    call_begin(&c);
    if (!version_req || !impl_info) {
        return call_end(&c, call_fail(&c, MCD_ERR_PARAM, "mcd_initialize_f: "
                                      "%s is NULL", version_req ?
                                      "impl_info" : "version_req"));
    }
    *impl_info = (mcd_impl_version_info_st) {
        .v_api = {
            .v_api_major = MCD_API_VER_MAJOR,
            .v_api_minor = MCD_API_VER_MINOR,
            .author = MCD_API_VER_AUTHOR,
        },
        .v_imp_major = MCDC_VERSION_MAJOR,
        .v_imp_minor = MCDC_VERSION_MINOR,
        .v_imp_build = MCDC_VERSION_BUILD,
        .vendor = MCDC_VENDOR,
        .date = MCDC_DATE,
    };
    /* 1.1 changed structures of 1.0: only an exact match is safe. */
    if (version_req->v_api_major != MCD_API_VER_MAJOR ||
        version_req->v_api_minor != MCD_API_VER_MINOR) {
        ret = call_fail(&c, MCD_ERR_GENERAL, "MCD API %u.%u requested; this "
                        "client implements MCD API %u.%u only",
                        version_req->v_api_major, version_req->v_api_minor,
                        MCD_API_VER_MAJOR, MCD_API_VER_MINOR);
    } else {
        ret = call_ok(&c);
    }
    return call_end(&c, ret);
}

void mcd_exit_f(void)
{
    McdcCall c;

    call_begin(&c);
    if (mcdc.conn) {
        McdcFailure f;
        McdcBroken broken;

        /* The server sends no answer to mcd-exit. */
        mcdc_conn_call(mcdc.conn, "mcd-exit", NULL,
                       mcdc.cfg.answer_timeout_ms, false, &f, &broken);
        conn_drop();
    }
    while (mcdc.cores->len) {
        core_free(g_ptr_array_index(mcdc.cores, 0));
    }
    while (mcdc.servers->len) {
        server_free(g_ptr_array_index(mcdc.servers, 0));
    }
    mcdc.lost = false;
    call_ok(&c);
    call_end(&c, MCD_RET_ACT_NONE);
}

void mcd_qry_error_info_f(const mcd_core_st *core,
                          mcd_error_info_st *error_info)
{
    McdcCall c;
    McdcCore *co;

    call_begin(&c);
    if (error_info) {
        co = find_core(core);
        /* A handle that is no core got its error recorded globally. */
        *error_info = co ? co->error : mcdc.error;
    }
    call_end(&c, MCD_RET_ACT_NONE);
}

/* Servers */

static const McdcList servers_list = {
    "mcd-qry-servers", "num-servers", "server-info", &mcdc_server_info_desc
};

/* Whether @host names the endpoint of the open connection. */
static bool host_is_current(const char *host)
{
    g_autofree char *ep = NULL;

    if (!host || !*host) {
        return true;
    }
    ep = mcdc_config_endpoint(&mcdc.cfg);
    return !strcmp(host, ep) ||
           (mcdc.cfg.host && !strcmp(host, mcdc.cfg.host));
}

mcd_return_et mcd_qry_servers_f(const mcd_char_t *host, mcd_bool_t running,
                                uint32_t start_index, uint32_t *num_servers,
                                mcd_server_info_st *server_info)
{
    g_autoptr(JsonObject) args = json_object_new();
    McdcConn *temp = NULL;
    mcd_return_et ret;
    McdcConfig cfg;
    McdcFailure f;
    McdcCall c;

    call_begin(&c);
    if (!num_servers || (*num_servers && !server_info)) {
        return call_end(&c, call_fail(&c, MCD_ERR_PARAM, "%s is NULL",
                                      num_servers ? "server_info" :
                                      "num_servers"));
    }
    if (mcdc.conn && mcdc.server && host_is_current(host)) {
        call_use_main(&c);
    } else {
        /* The host string names the server like a config string does. */
        if (!mcdc_config_parse(host, &cfg, &f)) {
            return call_end(&c, call_failure(&c, &f));
        }
        temp = mcdc_conn_open(&cfg, &f);
        call_use(&c, temp, cfg.answer_timeout_ms);
        mcdc_config_clear(&cfg);
        if (!temp && mcdc_conn_refused(&f)) {
            /* Nobody listens there: that host runs no server. */
            *num_servers = 0;
            return call_end(&c, call_ok(&c));
        }
        if (!temp) {
            return call_end(&c, call_failure(&c, &f));
        }
    }
    set_str(args, "host", host);
    json_object_set_boolean_member(args, "running", running);
    ret = call_list(&c, &servers_list, args, start_index, num_servers,
                    server_info);
    mcdc_conn_close(temp);
    return call_end(&c, ret);
}

mcd_return_et mcd_open_server_f(const mcd_char_t *system_key,
                                const mcd_char_t *config_string,
                                mcd_server_st **server)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    g_autofree char *endpoint = NULL;
    const char *host, *cs;
    McdcServer *s;
    McdcConfig cfg;
    McdcFailure f;
    McdcConn *conn;
    mcd_return_et ret;
    uint32_t uid;
    McdcCall c;

    call_begin(&c);
    if (!server) {
        return call_end(&c, call_fail(&c, MCD_ERR_PARAM, "no place for the "
                                      "server handle (server is NULL)"));
    }
    if (mcdc.conn && mcdc.server) {
        return call_end(&c, call_fail(&c, MCD_ERR_CONNECTION, "a server is "
                                      "already open on this connection; "
                                      "close it first"));
    }
    if (!mcdc_config_parse(config_string, &cfg, &f)) {
        return call_end(&c, call_failure(&c, &f));
    }
    conn = mcdc_conn_open(&cfg, &f);
    if (!conn) {
        mcdc_config_clear(&cfg);
        return call_end(&c, call_failure(&c, &f));
    }
    if (mcdc.conn) {
        conn_drop();
    }
    mcdc.conn = conn;
    mcdc.cfg = cfg;
    mcdc.gen++;
    mcdc.lost = false;
    call_use_main(&c);

    set_str(args, "system-key", system_key);
    set_str(args, "config-string", config_string);
    json_object_set_int_member(args, "max-answer-size", MCDC_MAX_LINE);
    r = call_exec(&c, "mcd-open-server", args, 0, &ret);
    if (ret == MCD_RET_ACT_NONE && !mcdc_get_u32(r, "server-uid", &uid, &f)) {
        ret = call_bad_answer(&c, "mcd-open-server", &f);
    }
    if (ret != MCD_RET_ACT_NONE) {
        /* No server on this connection: nothing to keep it for. */
        if (mcdc.conn == conn) {
            conn_drop();
        }
        return call_end(&c, ret);
    }
    endpoint = mcdc_config_endpoint(&mcdc.cfg);
    host = opt_str(r, "host", NULL);
    cs = opt_str(r, "config-string", NULL);
    s = g_new0(McdcServer, 1);
    s->uid = uid;
    s->gen = mcdc.gen;
    s->host = g_strdup(host ? host : mcdc.cfg.host ? mcdc.cfg.host :
                       endpoint);
    s->config_string = g_strdup(cs ? cs : config_string ? config_string :
                                "");
    s->handle = (mcd_server_st) {
        .instance = s,
        .host = s->host,
        .config_string = s->config_string,
    };
    g_ptr_array_add(mcdc.servers, s);
    mcdc.server = s;
    *server = &s->handle;
    return call_end(&c, call_ok(&c));
}

/* Look up a server handle for a call. */
static McdcServer *call_server_handle(McdcCall *c,
                                      const mcd_server_st *server,
                                      mcd_return_et *ret)
{
    McdcServer *s = find_server(server);

    if (!s) {
        *ret = call_fail(c, MCD_ERR_PARAM, server ?
                         "unknown server handle (not opened by "
                         "mcd_open_server_f(), or closed)" :
                         "no server given (server is NULL)");
    }
    return s;
}

mcd_return_et mcd_close_server_f(const mcd_server_st *server)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcServer *s;
    McdcCall c;

    call_begin(&c);
    s = call_server_handle(&c, server, &ret);
    if (!s) {
        return call_end(&c, ret);
    }
    if (s != mcdc.server || !conn_alive(s->gen)) {
        /* Its connection is gone, and the server forgot it with it. */
        server_free(s);
        return call_end(&c, call_ok(&c));
    }
    call_use_main(&c);
    json_object_set_int_member(args, "server-uid", s->uid);
    r = call_exec(&c, "mcd-close-server", args, 0, &ret);
    if (ret == MCD_RET_ACT_NONE) {
        conn_drop();
        server_free(s);
    }
    return call_end(&c, ret);
}

/* Calls on an open server handle; @args gets its server-uid added. */
static bool call_on_server(McdcCall *c, const mcd_server_st *server,
                           JsonObject *args, mcd_return_et *ret)
{
    McdcServer *s = call_server_handle(c, server, ret);

    if (!s) {
        return false;
    }
    if (s != mcdc.server || !conn_alive(s->gen)) {
        *ret = not_connected(c);
        return false;
    }
    call_use_main(c);
    json_object_set_int_member(args, "server-uid", s->uid);
    return true;
}

mcd_return_et mcd_set_server_config_f(const mcd_server_st *server,
                                      const mcd_char_t *config_string)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcCall c;

    call_begin(&c);
    if (!call_on_server(&c, server, args, &ret) ||
        !call_arg(&c, &ret, config_string, "no configuration given "
                  "(config_string is NULL)")) {
        return call_end(&c, ret);
    }
    set_str(args, "config-string", config_string);
    r = call_exec(&c, "mcd-set-server-config", args, 0, &ret);
    return call_end(&c, ret);
}

mcd_return_et mcd_qry_server_config_f(const mcd_server_st *server,
                                      uint32_t *max_len,
                                      mcd_char_t *config_string)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcFailure f;
    uint32_t len;
    McdcCall c;

    call_begin(&c);
    if (!call_on_server(&c, server, args, &ret) ||
        !call_arg(&c, &ret, max_len, "no length given (max_len is NULL)")) {
        return call_end(&c, ret);
    }
    json_object_set_int_member(args, "max-len",
                               config_string ? *max_len : 0);
    r = call_exec(&c, "mcd-qry-server-config", args, 0, &ret);
    if (!r) {
        return call_end(&c, ret);
    }
    /* The needed length comes back even when the buffer is too small. */
    if (json_object_has_member(r, "max-len")) {
        if (!mcdc_get_u32(r, "max-len", &len, &f)) {
            return call_end(&c, call_bad_answer(&c, "mcd-qry-server-config",
                                                &f));
        }
        if (ret == MCD_RET_ACT_NONE && config_string && *max_len) {
            copy_opt_str(r, "config-string", config_string, *max_len);
        }
        *max_len = len;
    } else if (ret == MCD_RET_ACT_NONE) {
        mcdc_fail(&f, MCD_ERR_CONNECTION, "malformed answer: member "
                  "'max-len' is missing");
        ret = call_bad_answer(&c, "mcd-qry-server-config", &f);
    }
    return call_end(&c, ret);
}

/* Target system */

static const McdcList systems_list = {
    "mcd-qry-systems", "num-systems", "system-con-info",
    &mcdc_core_con_info_desc
};
static const McdcList devices_list = {
    "mcd-qry-devices", "num-devices", "device-con-info",
    &mcdc_core_con_info_desc
};
static const McdcList cores_list = {
    "mcd-qry-cores", "num-cores", "core-con-info", &mcdc_core_con_info_desc
};

/* A counted-list query on the open server, @what given if non-NULL. */
static mcd_return_et server_list(const McdcList *q, const char *what_name,
                                 const mcd_core_con_info_st *what,
                                 uint32_t start, uint32_t *num, void *out)
{
    g_autoptr(JsonObject) args = json_object_new();
    mcd_return_et ret;
    McdcCall c;

    call_begin(&c);
    if (!call_arg(&c, &ret, !what_name || what, "no %s given (NULL)",
                  what_name) ||
        !call_server(&c, &ret)) {
        return call_end(&c, ret);
    }
    if (what_name) {
        set_struct(args, what_name, &mcdc_core_con_info_desc, what);
    }
    return call_end(&c, call_list(&c, q, args, start, num, out));
}

mcd_return_et mcd_qry_systems_f(uint32_t start_index, uint32_t *num_systems,
                                mcd_core_con_info_st *system_con_info)
{
    return server_list(&systems_list, NULL, NULL, start_index, num_systems,
                       system_con_info);
}

mcd_return_et mcd_qry_devices_f(const mcd_core_con_info_st *system_con_info,
                                uint32_t start_index, uint32_t *num_devices,
                                mcd_core_con_info_st *device_con_info)
{
    return server_list(&devices_list, "system-con-info", system_con_info,
                       start_index, num_devices, device_con_info);
}

mcd_return_et mcd_qry_cores_f(const mcd_core_con_info_st *connection_info,
                              uint32_t start_index, uint32_t *num_cores,
                              mcd_core_con_info_st *core_con_info)
{
    return server_list(&cores_list, "connection-info", connection_info,
                       start_index, num_cores, core_con_info);
}

static const McdcList core_modes_list = {
    "mcd-qry-core-modes", "num-modes", "core-mode-info",
    &mcdc_core_mode_info_desc
};

mcd_return_et mcd_qry_core_modes_f(const mcd_core_st *core,
                                   uint32_t start_index, uint32_t *num_modes,
                                   mcd_core_mode_info_st *core_mode_info)
{
    return core_list(core, &core_modes_list, NULL, start_index, num_modes,
                     core_mode_info);
}

/* Core connections */

mcd_return_et mcd_open_core_f(const mcd_core_con_info_st *core_con_info,
                              mcd_core_st **core)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_core_con_info_st info;
    mcd_return_et ret;
    McdcFailure f;
    McdcCore *co;
    uint32_t uid;
    JsonObject *o;
    McdcCall c;

    call_begin(&c);
    if (!call_arg(&c, &ret, core_con_info && core, "mcd_open_core_f: %s is "
                  "NULL", core ? "core_con_info" : "core") ||
        !call_server(&c, &ret)) {
        return call_end(&c, ret);
    }
    set_struct(args, "core-con-info", &mcdc_core_con_info_desc,
               core_con_info);
    r = call_exec(&c, "mcd-open-core", args, 0, &ret);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    info = *core_con_info;
    if (!mcdc_get_u32(r, "core-uid", &uid, &f)) {
        return call_end(&c, call_bad_answer(&c, "mcd-open-core", &f));
    }
    if (json_object_has_member(r, "core-con-info")) {
        o = mcdc_get_obj(r, "core-con-info", &f);
        if (!o || !mcdc_struct_from_json(&mcdc_core_con_info_desc, o, &info,
                                         &f)) {
            return call_end(&c, call_bad_answer(&c, "mcd-open-core", &f));
        }
    }
    co = g_new0(McdcCore, 1);
    co->info = info;
    co->uid = uid;
    co->gen = mcdc.gen;
    co->handle = (mcd_core_st) {
        .instance = co,
        .core_con_info = &co->info,
    };
    g_ptr_array_add(mcdc.cores, co);
    *core = &co->handle;
    return call_end(&c, ret);
}

mcd_return_et mcd_close_core_f(const mcd_core_st *core)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcCore *co;
    McdcCall c;

    call_begin(&c);
    co = call_core_handle(&c, core, &ret);
    if (!co) {
        return call_end(&c, ret);
    }
    if (!conn_alive(co->gen)) {
        /* The server closed it when the connection went. */
        core_free(co);
        return call_end(&c, call_ok(&c));
    }
    call_use_main(&c);
    c.core = co;
    c.err = &co->error;
    json_object_set_int_member(args, "core-uid", co->uid);
    r = call_exec(&c, "mcd-close-core", args, 0, &ret);
    if (ret == MCD_RET_ACT_NONE) {
        c.err = &mcdc.error;
        core_free(co);
    }
    return call_end(&c, ret);
}

mcd_return_et mcd_qry_device_description_f(const mcd_core_st *core,
                                           mcd_char_t *url,
                                           uint32_t *url_length)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcFailure f;
    uint32_t len;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, args, &ret) ||
        !call_arg(&c, &ret, url_length, "no length given (url_length is "
                  "NULL)")) {
        return call_end(&c, ret);
    }
    json_object_set_int_member(args, "url-length", url ? *url_length : 0);
    r = call_exec(&c, "mcd-qry-device-description", args, 0, &ret);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    if (!mcdc_get_u32(r, "url-length", &len, &f)) {
        return call_end(&c, call_bad_answer(&c, "mcd-qry-device-description",
                                            &f));
    }
    if (url && *url_length) {
        copy_opt_str(r, "url", url, *url_length);
    }
    *url_length = len;
    return call_end(&c, ret);
}

mcd_return_et mcd_qry_max_payload_size_f(const mcd_core_st *core,
                                         uint32_t *max_payload)
{
    mcd_return_et ret;
    uint64_t v;
    McdcCall c;

    call_begin(&c);
    ret = core_qry_uint(&c, core, "mcd-qry-max-payload-size", "max-payload",
                        UINT32_MAX, max_payload ? &v : NULL,
                        "max_payload is NULL");
    if (ret == MCD_RET_ACT_NONE) {
        *max_payload = v;
        c.core->max_payload = v;
    }
    return call_end(&c, ret);
}

mcd_return_et mcd_qry_input_handle_f(const mcd_core_st *core,
                                     uint32_t *input_handle)
{
    return core_qry_u32(core, "mcd-qry-input-handle", "input-handle",
                        input_handle);
}

/* Memory and register maps */

static const McdcList mem_spaces_list = {
    "mcd-qry-mem-spaces", "num-mem-spaces", "mem-spaces",
    &mcdc_memspace_desc
};
static const McdcList mem_blocks_list = {
    "mcd-qry-mem-blocks", "num-mem-blocks", "mem-blocks",
    &mcdc_memblock_desc
};
static const McdcList active_overlays_list = {
    "mcd-qry-active-overlays", "num-active-overlays", "active-overlays",
    NULL
};
static const McdcList reg_groups_list = {
    "mcd-qry-reg-groups", "num-reg-groups", "reg-groups",
    &mcdc_register_group_desc
};
static const McdcList reg_map_list = {
    "mcd-qry-reg-map", "num-regs", "reg-info", &mcdc_register_info_desc
};
static const McdcList reg_compound_list = {
    "mcd-qry-reg-compound", "num-reg-ids", "reg-id-array", NULL
};

/* Arguments of one unsigned member, for the list queries. */
static JsonObject *arg_uint(const char *name, uint64_t v)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, name, v);
    return o;
}

mcd_return_et mcd_qry_mem_spaces_f(const mcd_core_st *core,
                                   uint32_t start_index,
                                   uint32_t *num_mem_spaces,
                                   mcd_memspace_st *mem_spaces)
{
    return core_list(core, &mem_spaces_list, NULL, start_index,
                     num_mem_spaces, mem_spaces);
}

mcd_return_et mcd_qry_mem_blocks_f(const mcd_core_st *core,
                                   uint32_t mem_space_id, uint32_t start_index,
                                   uint32_t *num_mem_blocks,
                                   mcd_memblock_st *mem_blocks)
{
    g_autoptr(JsonObject) args = arg_uint("mem-space-id", mem_space_id);

    return core_list(core, &mem_blocks_list, args, start_index,
                     num_mem_blocks, mem_blocks);
}

mcd_return_et mcd_qry_active_overlays_f(const mcd_core_st *core,
                                        uint32_t start_index,
                                        uint32_t *num_active_overlays,
                                        uint32_t *active_overlays)
{
    return core_list(core, &active_overlays_list, NULL, start_index,
                     num_active_overlays, active_overlays);
}

mcd_return_et mcd_qry_reg_groups_f(const mcd_core_st *core,
                                   uint32_t start_index,
                                   uint32_t *num_reg_groups,
                                   mcd_register_group_st *reg_groups)
{
    return core_list(core, &reg_groups_list, NULL, start_index,
                     num_reg_groups, reg_groups);
}

mcd_return_et mcd_qry_reg_map_f(const mcd_core_st *core, uint32_t reg_group_id,
                                uint32_t start_index, uint32_t *num_regs,
                                mcd_register_info_st *reg_info)
{
    g_autoptr(JsonObject) args = arg_uint("reg-group-id", reg_group_id);

    return core_list(core, &reg_map_list, args, start_index, num_regs,
                     reg_info);
}

mcd_return_et mcd_qry_reg_compound_f(const mcd_core_st *core,
                                     uint32_t compound_reg_id,
                                     uint32_t start_index,
                                     uint32_t *num_reg_ids,
                                     uint32_t *reg_id_array)
{
    g_autoptr(JsonObject) args = arg_uint("compound-reg-id", compound_reg_id);

    return core_list(core, &reg_compound_list, args, start_index,
                     num_reg_ids, reg_id_array);
}

/* Triggers */

static const McdcList ctrigs_list = {
    "mcd-qry-ctrigs", "num-ctrigs", "ctrig-info", &mcdc_ctrig_info_desc
};
static const McdcList trig_set_list = {
    "mcd-qry-trig-set", "num-trigs", "trig-ids", NULL
};

mcd_return_et mcd_qry_trig_info_f(const mcd_core_st *core,
                                  mcd_trig_info_st *trig_info)
{
    return core_qry_struct(core, "mcd-qry-trig-info", NULL, "trig-info",
                           &mcdc_trig_info_desc, trig_info);
}

mcd_return_et mcd_qry_ctrigs_f(const mcd_core_st *core, uint32_t start_index,
                               uint32_t *num_ctrigs,
                               mcd_ctrig_info_st *ctrig_info)
{
    return core_list(core, &ctrigs_list, NULL, start_index, num_ctrigs,
                     ctrig_info);
}

mcd_return_et mcd_create_trig_f(const mcd_core_st *core, void *trig,
                                uint32_t *trig_id)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    JsonObject *t, *o;
    mcd_return_et ret;
    McdcFailure f;
    uint32_t id, size;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, args, &ret) ||
        !call_arg(&c, &ret, trig && trig_id, "mcd_create_trig_f: %s is "
                  "NULL", trig ? "trig_id" : "trig")) {
        return call_end(&c, ret);
    }
    t = mcdc_trig_to_json(trig, &f);
    if (!t) {
        return call_end(&c, call_failure(&c, &f));
    }
    json_object_set_object_member(args, "trig", t);
    r = call_exec(&c, "mcd-create-trig", args, 0, &ret);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    if (!mcdc_get_u32(r, "trig-id", &id, &f)) {
        return call_end(&c, call_bad_answer(&c, "mcd-create-trig", &f));
    }
    /* The server may have adjusted the trigger; it says how. */
    if (json_object_has_member(r, "trig")) {
        memcpy(&size, trig, sizeof(size));
        o = mcdc_get_obj(r, "trig", &f);
        if (!o || !mcdc_trig_from_json(o, trig, size, &f)) {
            return call_end(&c, call_bad_answer(&c, "mcd-create-trig", &f));
        }
    }
    *trig_id = id;
    return call_end(&c, ret);
}

mcd_return_et mcd_qry_trig_f(const mcd_core_st *core, uint32_t trig_id,
                             uint32_t max_trig_size, void *trig)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcFailure f;
    JsonObject *o;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, args, &ret) ||
        !call_arg(&c, &ret, trig, "no buffer given for the trigger (trig "
                  "is NULL)")) {
        return call_end(&c, ret);
    }
    json_object_set_int_member(args, "trig-id", trig_id);
    json_object_set_int_member(args, "max-trig-size", max_trig_size);
    r = call_exec(&c, "mcd-qry-trig", args, 0, &ret);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    o = mcdc_get_obj(r, "trig", &f);
    if (!o) {
        return call_end(&c, call_bad_answer(&c, "mcd-qry-trig", &f));
    }
    if (!mcdc_trig_from_json(o, trig, max_trig_size, &f)) {
        ret = f.code == MCD_ERR_PARAM ? call_failure(&c, &f) :
                                        call_bad_answer(&c, "mcd-qry-trig",
                                                        &f);
    }
    return call_end(&c, ret);
}

mcd_return_et mcd_remove_trig_f(const mcd_core_st *core, uint32_t trig_id)
{
    g_autoptr(JsonObject) args = arg_uint("trig-id", trig_id);

    return core_cmd(core, "mcd-remove-trig", args);
}

mcd_return_et mcd_qry_trig_state_f(const mcd_core_st *core, uint32_t trig_id,
                                   mcd_trig_state_st *trig_state)
{
    g_autoptr(JsonObject) args = arg_uint("trig-id", trig_id);

    return core_qry_struct(core, "mcd-qry-trig-state", args, "trig-state",
                           &mcdc_trig_state_desc, trig_state);
}

mcd_return_et mcd_activate_trig_set_f(const mcd_core_st *core)
{
    return core_cmd(core, "mcd-activate-trig-set", NULL);
}

mcd_return_et mcd_remove_trig_set_f(const mcd_core_st *core)
{
    return core_cmd(core, "mcd-remove-trig-set", NULL);
}

mcd_return_et mcd_qry_trig_set_f(const mcd_core_st *core, uint32_t start_index,
                                 uint32_t *num_trigs, uint32_t *trig_ids)
{
    return core_list(core, &trig_set_list, NULL, start_index, num_trigs,
                     trig_ids);
}

mcd_return_et mcd_qry_trig_set_state_f(const mcd_core_st *core,
                                       mcd_trig_set_state_st *trig_state)
{
    return core_qry_struct(core, "mcd-qry-trig-set-state", NULL,
                           "trig-state", &mcdc_trig_set_state_desc,
                           trig_state);
}

/* Target access */

/* The payload limit of the call's core, asked for once. */
static mcd_return_et core_payload(McdcCall *c, uint32_t *payload)
{
    g_autoptr(JsonObject) args = NULL;
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcFailure f;

    if (c->core->max_payload) {
        *payload = c->core->max_payload;
        return MCD_RET_ACT_NONE;
    }
    args = arg_uint("core-uid", c->core->uid);
    r = call_exec(c, "mcd-qry-max-payload-size", args, 0, &ret);
    if (!r) {
        return ret;
    }
    if (ret == MCD_RET_ACT_NONE &&
        mcdc_get_u32(r, "max-payload", payload, &f) && *payload) {
        c->core->max_payload = *payload;
        return ret;
    }
    /* No answer to go by: every server takes the guaranteed minimum. */
    *payload = MCD_GUARANTEED_MIN_PAYLOAD;
    c->core->max_payload = *payload;
    return MCD_RET_ACT_NONE;
}

/*
 * Share a buffer with the server for the bulk of large transfers, once
 * per connection; whether one is shared.  Only a server on this host,
 * on a UNIX socket, can map it; one that cannot (another MCD server, an
 * older QEMU) answers with an error, and the data goes as JSON.
 */
static bool shared_buffer(McdcCall *c)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    void *p = MAP_FAILED;
    uint32_t status = MCD_RET_ACT_HANDLE_ERROR;
    McdcFailure f;
    int fd;

    if (mcdc.shared || mcdc.shared_tried || !mcdc.server ||
        mcdc.cfg.transport != MCDC_TRANSPORT_UNIX || c->conn != mcdc.conn) {
        return mcdc.shared != NULL;
    }
    mcdc.shared_tried = true;
    fd = memfd_create("mcd-shared", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        return false;
    }
    /* Sealed, so that the server need not fear a SIGBUS. */
    if (ftruncate(fd, MCDC_SHARED_SIZE) == 0 &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL) == 0) {
        p = mmap(NULL, MCDC_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
    }
    if (p != MAP_FAILED) {
        json_object_set_int_member(args, "server-uid", mcdc.server->uid);
        json_object_set_int_member(args, "size", MCDC_SHARED_SIZE);
        r = call_roundtrip(c, "mcd-set-shared-buffer", args, fd, 0, &f);
    }
    close(fd);
    if (r && mcdc_get_u32(r, "return-status", &status, &f) &&
        status == MCD_RET_ACT_NONE && c->conn) {
        mcdc.shared = p;
        return true;
    }
    if (p != MAP_FAILED) {
        munmap(p, MCDC_SHARED_SIZE);
    }
    return false;
}

/*
 * Account the answer to one request of a split list: piece by piece,
 * up to and including the first one that failed.  With @shared the
 * bytes read are there, one piece after the other.
 */
static bool txlist_account(mcd_txlist_st *tl, const McdcTxPiece *pieces,
                           uint32_t count, JsonObject *answer,
                           const uint8_t *shared, uint32_t *pieces_ok,
                           McdcFailure *f)
{
    JsonObject *o = mcdc_get_obj(answer, "txlist", f);
    JsonArray *a = o ? mcdc_get_array(o, "tx", f) : NULL;
    uint32_t ok;

    if (!a || !mcdc_get_u32(o, "num-tx-ok", &ok, f)) {
        return false;
    }
    if (json_array_get_length(a) != count || ok > count) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: %u transactions "
                  "sent, %u came back, %u done", count,
                  json_array_get_length(a), ok);
        return false;
    }
    for (uint32_t j = 0; j < count && j <= ok; j++) {
        const McdcTxPiece *p = &pieces[j];
        mcd_tx_st *tx = &tl->tx[p->tx];
        mcd_tx_st part = *tx;
        JsonNode *n = json_array_get_element(a, j);

        /* A view of the slice, reading into the caller's buffer. */
        part.data = tx->data ? tx->data + p->offset : NULL;
        part.num_bytes = p->len;
        part.num_bytes_ok = 0;
        if (!JSON_NODE_HOLDS_OBJECT(n)) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: transaction "
                      "%u is not an object", j);
            return false;
        }
        if (!mcdc_tx_from_json_shared(json_node_get_object(n), &part,
                                      shared, f)) {
            return false;
        }
        shared = shared ? shared + p->len : NULL;
        if (j < ok && part.num_bytes_ok != p->len) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: transaction "
                      "%u counts as done with %u of %u bytes", j,
                      part.num_bytes_ok, p->len);
            return false;
        }
        tx->num_bytes_ok += part.num_bytes_ok;
        if (j < ok && p->offset + p->len == tx->num_bytes) {
            tl->num_tx_ok++;
        }
    }
    *pieces_ok = ok;
    return true;
}

mcd_return_et mcd_execute_txlist_f(const mcd_core_st *core,
                                   mcd_txlist_st *txlist)
{
    g_autoptr(GArray) pieces = g_array_new(false, false,
                                           sizeof(McdcTxPiece));
    g_autoptr(GArray) requests = g_array_new(false, false,
                                             sizeof(McdcTxRequest));
    mcd_return_et ret;
    uint32_t payload;
    uint64_t total = 0;
    bool shared;
    McdcFailure f;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, NULL, &ret) ||
        !call_arg(&c, &ret, txlist && (!txlist->num_tx || txlist->tx),
                  "no transaction list given (%s is NULL)", txlist ?
                  "txlist->tx" : "txlist")) {
        return call_end(&c, ret);
    }
    for (uint32_t i = 0; i < txlist->num_tx; i++) {
        if (!call_arg(&c, &ret, !txlist->tx[i].num_bytes ||
                      txlist->tx[i].data, "transaction %u: %u bytes but no "
                      "data buffer", i, txlist->tx[i].num_bytes)) {
            return call_end(&c, ret);
        }
        total += txlist->tx[i].num_bytes;
    }
    ret = core_payload(&c, &payload);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    /* What takes more than one request goes through shared memory. */
    shared = total > payload && shared_buffer(&c);
    if (shared) {
        payload = MCDC_SHARED_SIZE;
    }
    if (!mcdc_txlist_split(txlist, payload, MCD_TX_NUM_MAX, pieces, requests,
                           &f)) {
        return call_end(&c, call_failure(&c, &f));
    }
    txlist->num_tx_ok = 0;
    for (uint32_t i = 0; i < txlist->num_tx; i++) {
        txlist->tx[i].num_bytes_ok = 0;
    }
    for (guint i = 0; i < requests->len; i++) {
        const McdcTxRequest *req = &g_array_index(requests, McdcTxRequest, i);
        const McdcTxPiece *p = &g_array_index(pieces, McdcTxPiece,
                                              req->first);
        g_autoptr(JsonObject) args = arg_uint("core-uid", c.core->uid);
        g_autoptr(JsonObject) r = NULL;
        JsonObject *list = json_object_new();
        JsonArray *a = json_array_new();
        uint64_t off = 0;
        uint32_t ok = 0;

        /*
         * Data goes through the shared buffer, piece after piece, or as
         * data-hex, so that the answer brings it as hex too.
         */
        for (uint32_t j = 0; j < req->count; j++) {
            const mcd_tx_st *tx = &txlist->tx[p[j].tx];

            json_array_add_object_element(
                a, shared ? mcdc_tx_to_json_shared(tx, p[j].offset, p[j].len,
                                                   mcdc.shared, off) :
                            mcdc_tx_to_json(tx, p[j].offset, p[j].len));
            off += p[j].len;
        }
        json_object_set_array_member(list, "tx", a);
        json_object_set_int_member(list, "num-tx", req->count);
        json_object_set_int_member(list, "num-tx-ok", 0);
        json_object_set_object_member(args, "txlist", list);
        r = call_exec(&c, "mcd-execute-txlist", args, 0, &ret);
        if (!r) {
            break;
        }
        if (shared && !mcdc.shared) {
            /* Fetching the error details lost the connection. */
            ret = call_fail(&c, MCD_ERR_CONNECTION, "mcd-execute-txlist: "
                            "the connection to the MCD server was lost");
            break;
        }
        /* Even a failed list tells how far it got, if it got started. */
        if ((ret == MCD_RET_ACT_NONE || json_object_has_member(r, "txlist"))
            && !txlist_account(txlist, p, req->count, r,
                               shared ? mcdc.shared : NULL, &ok, &f)) {
            ret = call_bad_answer(&c, "mcd-execute-txlist", &f);
            break;
        }
        if (ret != MCD_RET_ACT_NONE) {
            break;
        }
        if (ok < req->count) {
            ret = call_fail(&c, MCD_ERR_CONNECTION, "mcd-execute-txlist: "
                            "malformed answer: success with only %u of %u "
                            "transactions done", ok, req->count);
            break;
        }
    }
    return call_end(&c, ret);
}

/* Execution control */

static JsonObject *arg_bool(const char *name, bool v)
{
    JsonObject *o = json_object_new();

    json_object_set_boolean_member(o, name, v);
    return o;
}

mcd_return_et mcd_run_f(const mcd_core_st *core, mcd_bool_t global)
{
    g_autoptr(JsonObject) args = arg_bool("global", global);

    return core_cmd(core, "mcd-run", args);
}

mcd_return_et mcd_stop_f(const mcd_core_st *core, mcd_bool_t global)
{
    g_autoptr(JsonObject) args = arg_bool("global", global);

    return core_cmd(core, "mcd-stop", args);
}

mcd_return_et mcd_run_until_f(const mcd_core_st *core, mcd_bool_t global,
                              mcd_bool_t absolute_time,
                              uint64_t run_until_time)
{
    g_autoptr(JsonObject) args = arg_bool("global", global);

    json_object_set_boolean_member(args, "absolute-time", absolute_time);
    json_object_set_int_member(args, "run-until-time", run_until_time);
    return core_cmd(core, "mcd-run-until", args);
}

mcd_return_et mcd_qry_current_time_f(const mcd_core_st *core,
                                     uint64_t *current_time)
{
    McdcCall c;

    call_begin(&c);
    return call_end(&c, core_qry_uint(&c, core, "mcd-qry-current-time",
                                      "current-time", UINT64_MAX,
                                      current_time, "current_time is NULL"));
}

mcd_return_et mcd_step_f(const mcd_core_st *core, mcd_bool_t global,
                         mcd_core_step_type_et step_type, uint32_t n_steps)
{
    g_autoptr(JsonObject) args = arg_bool("global", global);

    json_object_set_int_member(args, "step-type", step_type);
    json_object_set_int_member(args, "n-steps", n_steps);
    return core_cmd(core, "mcd-step", args);
}

mcd_return_et mcd_set_global_f(const mcd_core_st *core, mcd_bool_t enable)
{
    g_autoptr(JsonObject) args = arg_bool("enable", enable);

    return core_cmd(core, "mcd-set-global", args);
}

mcd_return_et mcd_qry_state_f(const mcd_core_st *core,
                              mcd_core_state_st *state)
{
    return core_qry_struct(core, "mcd-qry-state", NULL, "state",
                           &mcdc_core_state_desc, state);
}

mcd_return_et mcd_execute_command_f(const mcd_core_st *core,
                                    const mcd_char_t *command_string,
                                    uint32_t result_string_size,
                                    mcd_char_t *result_string)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, args, &ret) ||
        !call_arg(&c, &ret, command_string &&
                  (!result_string_size || result_string),
                  "mcd_execute_command_f: %s is NULL", command_string ?
                  "result_string" : "command_string")) {
        return call_end(&c, ret);
    }
    set_str(args, "command-string", command_string);
    json_object_set_int_member(args, "result-string-size",
                               result_string_size);
    r = call_exec(&c, "mcd-execute-command", args, 0, &ret);
    if (ret == MCD_RET_ACT_NONE && result_string_size) {
        copy_opt_str(r, "result-string", result_string, result_string_size);
    }
    return call_end(&c, ret);
}

/* Resets */

mcd_return_et mcd_qry_rst_classes_f(const mcd_core_st *core,
                                    uint32_t *rst_class_vector)
{
    return core_qry_u32(core, "mcd-qry-rst-classes", "rst-class-vector",
                        rst_class_vector);
}

mcd_return_et mcd_qry_rst_class_info_f(const mcd_core_st *core,
                                       uint8_t rst_class,
                                       mcd_rst_info_st *rst_info)
{
    g_autoptr(JsonObject) args = arg_uint("rst-class", rst_class);

    return core_qry_struct(core, "mcd-qry-rst-class-info", args, "rst-info",
                           &mcdc_rst_info_desc, rst_info);
}

mcd_return_et mcd_rst_f(const mcd_core_st *core, uint32_t rst_class_vector,
                        mcd_bool_t rst_and_halt)
{
    g_autoptr(JsonObject) args = arg_uint("rst-class-vector",
                                          rst_class_vector);

    json_object_set_boolean_member(args, "rst-and-halt", rst_and_halt);
    return core_cmd(core, "mcd-rst", args);
}

/* Communication channels */

/* A channel call: NULL channels are refused before anything is sent. */
static mcd_return_et chl_cmd(const mcd_core_st *core, const char *cmd,
                             const mcd_chl_st *channel)
{
    g_autoptr(JsonObject) args = json_object_new();

    if (!channel) {
        return core_refuse(core, "no channel given (NULL)");
    }
    set_struct(args, "channel", &mcdc_chl_desc, channel);
    return core_cmd(core, cmd, args);
}

mcd_return_et mcd_chl_open_f(const mcd_core_st *core, mcd_chl_st *channel)
{
    g_autoptr(JsonObject) args = json_object_new();

    if (!channel) {
        return chl_cmd(core, "mcd-chl-open", NULL);
    }
    set_struct(args, "channel", &mcdc_chl_desc, channel);
    /* The server fills in the channel ID: read the setup back. */
    return core_qry_struct(core, "mcd-chl-open", args, "channel",
                           &mcdc_chl_desc, channel);
}

mcd_return_et mcd_send_msg_f(const mcd_core_st *core,
                             const mcd_chl_st *channel, uint32_t msg_len,
                             const uint8_t *msg)
{
    g_autoptr(JsonObject) args = json_object_new();

    if (!channel || (msg_len && !msg)) {
        return core_refuse(core, "mcd_send_msg_f: %s is NULL",
                           channel ? "msg" : "channel");
    }
    set_struct(args, "channel", &mcdc_chl_desc, channel);
    json_object_set_int_member(args, "msg-len", msg_len);
    json_object_set_array_member(args, "msg",
                                 mcdc_bytes_to_json(msg, msg_len));
    return core_cmd(core, "mcd-send-msg", args);
}

mcd_return_et mcd_receive_msg_f(const mcd_core_st *core,
                                const mcd_chl_st *channel, uint32_t timeout,
                                uint32_t *msg_len, uint8_t *msg)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    mcd_return_et ret;
    McdcFailure f;
    JsonArray *a;
    size_t got = 0;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, args, &ret) ||
        !call_arg(&c, &ret, channel && msg_len && (!*msg_len || msg),
                  "mcd_receive_msg_f: %s is NULL", !channel ? "channel" :
                  !msg_len ? "msg_len" : "msg")) {
        return call_end(&c, ret);
    }
    set_struct(args, "channel", &mcdc_chl_desc, channel);
    json_object_set_int_member(args, "timeout", timeout);
    json_object_set_int_member(args, "msg-len", *msg_len);
    /* The server may wait @timeout ms for a message before it answers. */
    r = call_exec(&c, "mcd-receive-msg", args, timeout, &ret);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    if (json_object_has_member(r, "msg")) {
        a = mcdc_get_array(r, "msg", &f);
        if (!a || !mcdc_bytes_from_json(a, msg, *msg_len, &got, &f)) {
            return call_end(&c, call_bad_answer(&c, "mcd-receive-msg", &f));
        }
    }
    *msg_len = got;
    return call_end(&c, ret);
}

mcd_return_et mcd_chl_reset_f(const mcd_core_st *core,
                              const mcd_chl_st *channel)
{
    return chl_cmd(core, "mcd-chl-reset", channel);
}

mcd_return_et mcd_chl_close_f(const mcd_core_st *core,
                              const mcd_chl_st *channel)
{
    return chl_cmd(core, "mcd-chl-close", channel);
}

/* Traces */

static const McdcList traces_list = {
    "mcd-qry-traces", "num-traces", "trace-info", &mcdc_trace_info_desc
};

mcd_return_et mcd_qry_traces_f(const mcd_core_st *core, uint32_t start_index,
                               uint32_t *num_traces,
                               mcd_trace_info_st *trace_info)
{
    return core_list(core, &traces_list, NULL, start_index, num_traces,
                     trace_info);
}

mcd_return_et mcd_qry_trace_state_f(const mcd_core_st *core,
                                    uint32_t trace_id,
                                    mcd_trace_state_st *state)
{
    g_autoptr(JsonObject) args = arg_uint("trace-id", trace_id);

    return core_qry_struct(core, "mcd-qry-trace-state", args, "state",
                           &mcdc_trace_state_desc, state);
}

mcd_return_et mcd_set_trace_state_f(const mcd_core_st *core,
                                    uint32_t trace_id,
                                    mcd_trace_state_st *state)
{
    g_autoptr(JsonObject) args = arg_uint("trace-id", trace_id);

    if (!state) {
        return core_refuse(core, "no trace state given (NULL)");
    }
    set_struct(args, "state", &mcdc_trace_state_desc, state);
    /* The answer carries the state the trace ended up in. */
    return core_qry_struct(core, "mcd-set-trace-state", args, "state",
                           &mcdc_trace_state_desc, state);
}

/* The frame kinds of mcd_read_trace_f(), by wire member. */
static const struct {
    const char *member;
    const McdcStructDesc *desc;
} trace_frames[] = {
    { "trace-data-core", &mcdc_trace_data_core_desc },
    { "trace-data-event", &mcdc_trace_data_event_desc },
    { "trace-data-stat", &mcdc_trace_data_stat_desc },
};

/* Store the @n frames of @td in @out, @stride bytes apart. */
static bool trace_frames_from_json(JsonObject *td, uint32_t n,
                                   uint32_t stride, void *out,
                                   McdcFailure *f)
{
    for (size_t k = 0; k < G_N_ELEMENTS(trace_frames); k++) {
        const McdcStructDesc *d = trace_frames[k].desc;
        g_autofree void *tmp = NULL;
        JsonArray *a;

        if (!json_object_has_member(td, trace_frames[k].member)) {
            continue;
        }
        a = mcdc_get_array(td, trace_frames[k].member, f);
        if (!a) {
            return false;
        }
        if (json_array_get_length(a) != n) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: %u frames "
                      "announced, %u sent", n, json_array_get_length(a));
            return false;
        }
        if (n && stride < d->size) {
            mcdc_fail(f, MCD_ERR_PARAM, "the trace frames are %s of %zu "
                      "bytes, but trace_data_size is %u", d->name, d->size,
                      stride);
            return false;
        }
        tmp = g_malloc0(d->size);
        for (uint32_t i = 0; i < n; i++) {
            JsonNode *e = json_array_get_element(a, i);

            if (!JSON_NODE_HOLDS_OBJECT(e)) {
                mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: frame "
                          "%u is not an object", i);
                return false;
            }
            if (!mcdc_struct_from_json(d, json_node_get_object(e), tmp, f)) {
                return false;
            }
            memcpy((char *)out + (size_t)i * stride, tmp, d->size);
        }
        return true;
    }
    if (n) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: frames of no "
                  "known kind");
        return false;
    }
    return true;
}

/* The @n-byte little-endian number at @p. */
static uint64_t le_get(const guchar *p, int n)
{
    uint64_t v = 0;

    while (n--) {
        v = v << 8 | p[n];
    }
    return v;
}

/*
 * Store the @n packed core trace frames of @b64 in @out, @stride bytes
 * apart (the layout is in qapi/mcd.json, MCDReadTraceResult).
 */
static bool trace_frames_from_packed(const char *b64, uint32_t n,
                                     uint32_t stride, void *out,
                                     McdcFailure *f)
{
    gsize len;
    g_autofree guchar *b = g_base64_decode(b64, &len);

    if (len != (gsize)n * 40) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: %zu bytes of "
                  "packed frames for %u frames", (size_t)len, n);
        return false;
    }
    if (n && stride < sizeof(mcd_trace_data_core_st)) {
        mcdc_fail(f, MCD_ERR_PARAM, "the trace frames are "
                  "mcd_trace_data_core_st of %zu bytes, but trace_data_size "
                  "is %u", sizeof(mcd_trace_data_core_st), stride);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const guchar *p = b + (size_t)i * 40;

        *(mcd_trace_data_core_st *)((char *)out + (size_t)i * stride) =
            (mcd_trace_data_core_st) {
                .timestamp = le_get(p, 8),
                .addr = { .address = le_get(p + 8, 8),
                          .mem_space_id = le_get(p + 32, 4) },
                .data = le_get(p + 16, 8),
                .marker = le_get(p + 24, 4),
                .cycle = le_get(p + 28, 4),
                .data_width = p[36],
                .data_mask = p[37],
                .source = le_get(p + 38, 2),
            };
    }
    return true;
}

mcd_return_et mcd_read_trace_f(const mcd_core_st *core, uint32_t trace_id,
                               uint64_t start_index, uint32_t *num_frames,
                               uint32_t trace_data_size, void *trace_data)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonObject) r = NULL;
    JsonObject *td = NULL;
    mcd_return_et ret;
    McdcFailure f;
    uint32_t n;
    McdcCall c;

    call_begin(&c);
    if (!call_core(&c, core, args, &ret) ||
        !call_arg(&c, &ret, num_frames && (!*num_frames || trace_data),
                  "mcd_read_trace_f: %s is NULL", num_frames ?
                  "trace_data" : "num_frames")) {
        return call_end(&c, ret);
    }
    json_object_set_int_member(args, "trace-id", trace_id);
    json_object_set_int_member(args, "start-index", start_index);
    json_object_set_int_member(args, "num-frames", *num_frames);
    json_object_set_int_member(args, "trace-data-size", trace_data_size);
    /* A fifth of the JSON frames' size: more frames per answer. */
    json_object_set_boolean_member(args, "packed", true);
    r = call_exec(&c, "mcd-read-trace", args, 0, &ret);
    if (ret != MCD_RET_ACT_NONE) {
        return call_end(&c, ret);
    }
    if (!mcdc_get_u32(r, "num-frames", &n, &f)) {
        return call_end(&c, call_bad_answer(&c, "mcd-read-trace", &f));
    }
    if (n > *num_frames) {
        return call_end(&c, call_fail(&c, MCD_ERR_CONNECTION, "mcd-read-trace"
                                      ": malformed answer: %u frames for %u "
                                      "asked for", n, *num_frames));
    }
    if (json_object_has_member(r, "trace-data")) {
        td = mcdc_get_obj(r, "trace-data", &f);
        if (!td) {
            return call_end(&c, call_bad_answer(&c, "mcd-read-trace", &f));
        }
    }
    if (json_object_has_member(r, "trace-data-packed")) {
        const char *b64 = mcdc_get_str(r, "trace-data-packed", &f);

        if (!b64 || !trace_frames_from_packed(b64, n, trace_data_size,
                                              trace_data, &f)) {
            return call_end(&c, f.code == MCD_ERR_PARAM ?
                            call_failure(&c, &f) :
                            call_bad_answer(&c, "mcd-read-trace", &f));
        }
        *num_frames = n;
        return call_end(&c, ret);
    }
    if (n && !td) {
        return call_end(&c, call_fail(&c, MCD_ERR_CONNECTION, "mcd-read-trace"
                                      ": malformed answer: %u frames "
                                      "announced, none sent", n));
    }
    if (td && !trace_frames_from_json(td, n, trace_data_size, trace_data,
                                      &f)) {
        return call_end(&c, f.code == MCD_ERR_PARAM ? call_failure(&c, &f) :
                        call_bad_answer(&c, "mcd-read-trace", &f));
    }
    *num_frames = n;
    return call_end(&c, ret);
}

/* A library unloaded while connected should not leak its socket. */
static void __attribute__((destructor)) mcdc_unload(void)
{
    if (mcdc.conn) {
        conn_drop();
    }
}
