/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD monitor: JSON requests on a character device, dispatched through
 * the QMP framework to the commands generated from qapi/mcd.json.
 *
 * A "tcp:" or "unix:" -mcd listens itself and serves every connection
 * in a session of its own: each accepted socket becomes a socket
 * character device with a monitor (MonitorMCD) and an McdSession, both
 * freed when the client leaves.  Any other device (chardev:ID, stdio)
 * is one session that the next client of the device takes over.
 *
 * Unlike QMP there is no greeting, no capabilities negotiation and no
 * I/O thread: a request is parsed and dispatched in the chardev read
 * handler on the main loop, as the gdbstub does, so a round trip costs
 * no thread or coroutine hop.  The command list is our own, so MCD
 * commands are unknown to QMP and QMP commands unknown here.
 *
 * Everything here runs in the main loop with the BQL held, and never in
 * a coroutine.  A request that waits for the target (a step) does not
 * wait here: its command defers the answer, later requests queue behind
 * it, and the answer comes from the main loop when the target is done
 * (mcd_monitor_answer()).  A client that goes away is noticed in the
 * chardev event handler, which may run inside a write to the chardev
 * with its locks held, so it only schedules the teardown.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp-registry.h"
#include "qapi/qapi-types-sockets.h"
#include "qapi/qapi-types-char.h"
#include "io/net-listener.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"
#include "qobject/json-parser.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/sockets.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "hw/core/cpu.h"
#include "qemu/accel.h"
#include "system/qtest.h"
#include "system/tcg.h"
#include "monitor/monitor-internal.h"
#include "exec/mcdstub.h"
#include "mcd/mcd-qapi-init-commands.h"
#include "mcd-internal.h"
#include "trace.h"

/*
 * Longest request line.  The largest request the schema allows (a full
 * transaction list with its data as JSON numbers) is below 64 KiB; the
 * limit bounds what a client can make the parser hold.
 */
#define MCD_MONITOR_LINE_MAX (1024 * 1024)

/* Most bytes taken from the chardev at once. */
#define MCD_MONITOR_READ_MAX (64 * 1024)

/* Requests queued behind a deferred answer before reading pauses. */
#define MCD_MONITOR_QUEUE_MAX 64

/* Unsent answers after which reading pauses until the client reads. */
#define MCD_MONITOR_OUTBUF_MAX (1024 * 1024)

/* Connections served at once; the next one gets an error and a close. */
#define MCD_MONITOR_SESSIONS_MAX 16

typedef struct McdRequest {
    QObject *req;
    Error *err;
} McdRequest;

typedef struct MonitorMCD {
    Monitor common;
    McdSession session;
    bool accepted;          /* a connection of our listener: freed at its end */
    QTAILQ_ENTRY(MonitorMCD) next;
    JSONMessageParser parser;
    bool parser_live;
    bool skip_line;         /* a bad line: ignore it up to its newline */
    size_t line_len;        /* bytes of the current line so far */
    GQueue pending;         /* McdRequest, behind a deferred answer */
    bool deferred;          /* the request being served answers later */
    QObject *deferred_id;   /* its "id", if it had one */
    bool draining;          /* in mcd_monitor_drain() */
    bool read_paused;       /* mcd_monitor_can_read() has refused input */
    bool closing;           /* the client left; teardown_bh cleans up */
    QEMUBH *teardown_bh;
} MonitorMCD;

static QTAILQ_HEAD(, MonitorMCD) mcd_monitors =
    QTAILQ_HEAD_INITIALIZER(mcd_monitors);
static unsigned mcd_num_accepted;
static uint32_t mcd_next_session;
static QIONetListener *mcd_listener;
static QmpCommandList mcd_commands;

static void mcd_monitor_send(MonitorMCD *mon, QDict *rsp)
{
    g_autoptr(GString) json = qobject_to_json_compact(QOBJECT(rsp));

    /* A client that has left gets nothing, not even a partial line. */
    if (mon->closing) {
        return;
    }
    /*
     * The commands bound what they answer; should one still not fit the
     * client's receive buffer, it gets an error in its place rather than
     * a line it cannot take.
     */
    if (json->len >= mcd_session_max_answer(&mon->session)) {
        Error *err = NULL;
        QDict *small;

        error_setg(&err, "the answer would take %zu bytes, more than the "
                   "%" PRIu32 " an answer may have", json->len + 1,
                   mcd_session_max_answer(&mon->session));
        small = qmp_error_response(err);
        if (qdict_haskey(rsp, "id")) {
            qdict_put_obj(small, "id", qobject_ref(qdict_get(rsp, "id")));
        }
        g_string_free(json, true);
        json = qobject_to_json_compact(QOBJECT(small));
        qobject_unref(small);
    }
    /* One compact line per answer, written as a whole. */
    QEMU_LOCK_GUARD(&mon->common.mon_lock);
    g_string_append_len(mon->common.outbuf, json->str, json->len);
    g_string_append_c(mon->common.outbuf, '\n');
    monitor_flush_locked(&mon->common);
}

static void mcd_monitor_send_error(MonitorMCD *mon, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void mcd_monitor_send_error(MonitorMCD *mon, const char *fmt, ...)
{
    Error *err = NULL;
    g_autofree char *msg = NULL;
    va_list ap;
    QDict *rsp;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(&err, "%s", msg);
    rsp = qmp_error_response(err);
    mcd_monitor_send(mon, rsp);
    qobject_unref(rsp);
}

static void mcd_monitor_dispatch(MonitorMCD *mon, McdRequest *r)
{
    QDict *dict = qobject_to(QDict, r->req);
    QDict *rsp;

    if (r->err) {
        rsp = qmp_error_response(r->err);
    } else {
        if (trace_event_get_state_backends(TRACE_MCD_REQUEST)) {
            trace_mcd_request(mon->session.num,
                              dict ? qdict_get_try_str(dict, "execute") :
                                     NULL);
        }
        rsp = qmp_dispatch(&mcd_commands, r->req, false, &mon->common);
        if (mon->deferred) {
            /* The command answers later; keep what the answer needs. */
            mon->deferred_id = dict ? qobject_ref(qdict_get(dict, "id")) :
                                      NULL;
            qobject_unref(rsp);
            rsp = NULL;
        }
    }
    qobject_unref(r->req);
    g_free(r);
    if (rsp) {
        mcd_monitor_send(mon, rsp);
        qobject_unref(rsp);
    }
}

static void mcd_monitor_drop_pending(MonitorMCD *mon)
{
    McdRequest *r;

    while ((r = g_queue_pop_head(&mon->pending))) {
        qobject_unref(r->req);
        error_free(r->err);
        g_free(r);
    }
}

/*
 * An mcd-stop ends a step in progress instead of waiting behind it.  Is
 * @r one, and does it end the step?
 */
static bool mcd_monitor_interrupts(McdRequest *r)
{
    QDict *dict = qobject_to(QDict, r->req);
    QDict *args;
    QNum *uid;
    QBool *global;
    uint64_t core_uid;

    if (r->err || !dict ||
        g_strcmp0(qdict_get_try_str(dict, "execute"), "mcd-stop")) {
        return false;
    }
    args = qdict_get_qdict(dict, "arguments");
    uid = args ? qobject_to(QNum, qdict_get(args, "core-uid")) : NULL;
    global = args ? qobject_to(QBool, qdict_get(args, "global")) : NULL;
    if (!uid || !qnum_get_try_uint(uid, &core_uid) || core_uid > UINT32_MAX) {
        return false;
    }
    return mcd_step_interrupt(core_uid, global && qbool_get_bool(global));
}

/*
 * Reading may have paused for a full queue.  Waking the main loop costs
 * two system calls and a loop iteration, so only do it when it did.
 */
static void mcd_monitor_resume_read(MonitorMCD *mon)
{
    if (mon->read_paused) {
        mon->read_paused = false;
        qemu_chr_fe_accept_input(&mon->common.chr);
    }
}

/* Dispatch queued requests until one defers its answer. */
static void mcd_monitor_drain(MonitorMCD *mon)
{
    McdRequest *r;

    if (mon->draining) {
        return;
    }
    mon->draining = true;
    while (!mon->closing && !mon->deferred &&
           (r = g_queue_pop_head(&mon->pending))) {
        mcd_monitor_dispatch(mon, r);
        /* A stop already waiting behind a new step ends it at once. */
        for (GList *l = mon->pending.head; mon->deferred && l; l = l->next) {
            if (mcd_monitor_interrupts(l->data)) {
                break;
            }
        }
    }
    mon->draining = false;
    mcd_monitor_resume_read(mon);
}

void *mcd_monitor_waiter(void)
{
    return container_of(monitor_cur(), MonitorMCD, common);
}

/*
 * Only the read that brought a request holds its file descriptor, so
 * this finds it for a request served at once, not for one that waited
 * behind a step.
 */
int mcd_monitor_take_fd(void)
{
    MonitorMCD *mon = mcd_monitor_waiter();

    return qemu_chr_fe_get_msgfd(&mon->common.chr);
}

void mcd_monitor_defer(void)
{
    MonitorMCD *mon = mcd_monitor_waiter();

    mon->deferred = true;
}

void mcd_monitor_answer(void *waiter, QObject *ret)
{
    MonitorMCD *mon = waiter;
    McdSession *old;
    QDict *rsp;

    if (!mon->deferred) {
        /* Its client has gone: nobody to tell. */
        qobject_unref(ret);
        return;
    }
    rsp = qdict_new();
    qdict_put_obj(rsp, "return", ret);
    if (mon->deferred_id) {
        qdict_put_obj(rsp, "id", g_steal_pointer(&mon->deferred_id));
    }
    mon->deferred = false;
    mcd_monitor_send(mon, rsp);
    qobject_unref(rsp);
    old = mcd_session_enter(&mon->session);
    mcd_monitor_drain(mon);
    mcd_session_enter(old);
}

static void mcd_monitor_request(void *opaque, QObject *req, Error *err)
{
    MonitorMCD *mon = opaque;
    McdRequest *r;

    /*
     * After a parse error the rest of the line is garbage to us: the
     * client sent one bad request and gets one answer, and the next line
     * starts afresh.
     */
    if (mon->closing || mon->skip_line) {
        qobject_unref(req);
        error_free(err);
        return;
    }
    mon->skip_line = err != NULL;
    r = g_new(McdRequest, 1);
    *r = (McdRequest) { .req = req, .err = err };
    g_queue_push_tail(&mon->pending, r);
    if (mon->deferred) {
        mcd_monitor_interrupts(r);
    }
    mcd_monitor_drain(mon);
}

static void mcd_monitor_parser_reset(MonitorMCD *mon)
{
    if (mon->parser_live) {
        json_message_parser_destroy(&mon->parser);
    }
    json_message_parser_init(&mon->parser, mcd_monitor_request, mon, NULL);
    mon->parser_live = true;
    mon->skip_line = false;
    mon->line_len = 0;
}

static int mcd_monitor_can_read(void *opaque)
{
    MonitorMCD *mon = opaque;
    /*
     * Without the monitor lock: the chardev asks from inside a write,
     * which holds it.  Only the main loop touches this monitor's output.
     */
    size_t unsent = mon->common.outbuf->len;

    /*
     * Leave input in the socket while the old client is torn down, while
     * the queue behind a deferred answer is full, and while the client
     * does not read its answers.
     */
    if (mon->closing || unsent > MCD_MONITOR_OUTBUF_MAX ||
        g_queue_get_length(&mon->pending) >= MCD_MONITOR_QUEUE_MAX) {
        mon->read_paused = true;
        return 0;
    }
    /*
     * A transaction list of byte arrays is a 45 KiB line: taking it in
     * one read rather than eleven saves as many main loop iterations
     * (socket chardevs read up to 64 KiB at once).
     */
    return MCD_MONITOR_READ_MAX;
}

/*
 * Longest request line: a client that takes long answers may also send
 * a transaction list of its larger payload, and may spend a space after
 * each comma of its byte arrays.
 */
static size_t mcd_monitor_line_max(MonitorMCD *mon)
{
    return MAX(MCD_MONITOR_LINE_MAX,
               2 * (size_t)mcd_session_max_answer(&mon->session));
}

/* Feed one piece of a line, @nl if it ends the line. */
static void mcd_monitor_feed(MonitorMCD *mon, const char *p, size_t len,
                             bool nl)
{
    if (!mon->skip_line) {
        size_t max = mcd_monitor_line_max(mon);

        mon->line_len += len;
        if (mon->line_len > max) {
            mcd_monitor_send_error(mon, "request line longer than %zu bytes",
                                   max);
            mon->skip_line = true;
        } else {
            json_message_parser_feed(&mon->parser, p, len);
        }
    }
    if (nl) {
        /* Whatever a bad line left in the parser goes with the line. */
        if (mon->skip_line) {
            mcd_monitor_parser_reset(mon);
        }
        mon->line_len = 0;
    }
}

static void mcd_monitor_read(void *opaque, const uint8_t *buf, int size)
{
    MonitorMCD *mon = opaque;
    const char *p = (const char *)buf, *end = p + size;
    McdSession *old = mcd_session_enter(&mon->session);

    while (p < end && !mon->closing) {
        const char *nl = memchr(p, '\n', end - p);
        const char *stop = nl ? nl + 1 : end;

        mcd_monitor_feed(mon, p, stop - p, nl);
        p = stop;
    }
    mcd_session_enter(old);
}

/* A connection of the listener has ended: nothing of it is left. */
static void mcd_monitor_free(MonitorMCD *mon)
{
    QTAILQ_REMOVE(&mcd_monitors, mon, next);
    mcd_num_accepted--;
    qemu_bh_delete(mon->teardown_bh);
    qemu_chr_fe_deinit(&mon->common.chr, true);
    json_message_parser_destroy(&mon->parser);
    g_string_free(mon->common.outbuf, true);
    qemu_mutex_destroy(&mon->common.mon_lock);
    g_free(mon->common.mon_cpu_path);
    g_free(mon);
}

/*
 * The client has gone: drop its unanswered requests, end what it left
 * running and close everything it held, so that the next client finds
 * the server closed.  Runs from a bottom half, or before a new client
 * is served.
 */
static void mcd_monitor_teardown(void *opaque)
{
    MonitorMCD *mon = opaque;
    McdSession *old;

    if (!mon->closing) {
        return;
    }
    qemu_bh_cancel(mon->teardown_bh);
    mcd_monitor_parser_reset(mon);
    mcd_monitor_drop_pending(mon);
    mon->deferred = false;
    qobject_unref(mon->deferred_id);
    mon->deferred_id = NULL;
    trace_mcd_session_close(mon->session.num);
    old = mcd_session_enter(&mon->session);
    mcd_server_client_gone();
    mcd_session_enter(old);
    if (mon->accepted) {
        mcd_monitor_free(mon);
        return;
    }
    WITH_QEMU_LOCK_GUARD(&mon->common.mon_lock) {
        g_string_truncate(mon->common.outbuf, 0);
        if (mon->common.out_watch) {
            g_source_remove(mon->common.out_watch);
            mon->common.out_watch = 0;
        }
    }
    mon->closing = false;
    mcd_monitor_resume_read(mon);
}

static void mcd_monitor_event(void *opaque, QEMUChrEvent event)
{
    MonitorMCD *mon = opaque;

    switch (event) {
    case CHR_EVENT_CLOSED:
        /* May be inside a write, with the chardev's write lock held. */
        mon->closing = true;
        qemu_bh_schedule(mon->teardown_bh);
        break;
    case CHR_EVENT_OPENED:
        /* A new client: finish with the old one first. */
        mcd_monitor_teardown(mon);
        break;
    default:
        break;
    }
}

static bool mcd_addr_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
               (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
                in6->sin6_addr.s6_addr[12] == 127);
    }
    return false;
}

/*
 * A client of the MCD server controls the guest and, through
 * mcd-execute-command, the QEMU monitor: say so when anyone but this
 * host could connect.
 */
static void mcd_warn_if_exposed(const char *device)
{
    InetSocketAddress *addr = g_new0(InetSocketAddress, 1);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    /* host:port, without chardev options such as ",server" */
    g_autofree char *hostport = g_strndup(device + strlen("tcp:"),
                                          strcspn(device + strlen("tcp:"),
                                                  ","));
    bool exposed = true;

    if (inet_parse(addr, hostport, NULL) == 0 &&
        addr->host[0] && !getaddrinfo(addr->host, NULL, &hints, &res)) {
        exposed = false;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            exposed |= !mcd_addr_is_loopback(ai->ai_addr);
        }
        freeaddrinfo(res);
    }
    if (exposed) {
        warn_report("mcd: '%s' accepts connections from other hosts; an MCD "
                    "client controls the guest and can run QEMU monitor "
                    "commands: listen on 127.0.0.1 or a unix socket unless "
                    "the network is trusted", device);
    }
    qapi_free_InetSocketAddress(addr);
}

/* Serve the client on @chr in a new session. */
static MonitorMCD *mcd_monitor_new(Chardev *chr, bool accepted, Error **errp)
{
    MonitorMCD *mon = g_new0(MonitorMCD, 1);

    if (!qemu_chr_fe_init(&mon->common.chr, chr, errp)) {
        g_free(mon);
        return NULL;
    }
    mon->accepted = accepted;
    mon->session.num = ++mcd_next_session;
    g_queue_init(&mon->pending);
    mon->teardown_bh = qemu_bh_new(mcd_monitor_teardown, mon);
    /* A QMP-style monitor: error_report() goes to stderr, not to us. */
    monitor_data_init(&mon->common, true, false, false);
    mcd_monitor_parser_reset(mon);
    QTAILQ_INSERT_TAIL(&mcd_monitors, mon, next);
    mcd_num_accepted += accepted;
    trace_mcd_session_open(mon->session.num, accepted);
    qemu_chr_fe_set_handlers(&mon->common.chr, mcd_monitor_can_read,
                             mcd_monitor_read, mcd_monitor_event, NULL,
                             mon, NULL, true);
    return mon;
}

/* Past the session limit: one error line, then the connection closes. */
static void mcd_refuse(QIOChannelSocket *sioc)
{
    g_autofree char *line = g_strdup_printf(
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"the MCD "
        "server serves at most %d debuggers at once; try again when one "
        "has left\"}}\n", MCD_MONITOR_SESSIONS_MAX);

    /* A fresh socket takes a line this short without blocking. */
    qio_channel_write_all(QIO_CHANNEL(sioc), line, strlen(line), NULL);
    qio_channel_close(QIO_CHANNEL(sioc), NULL);
}

/*
 * A new connection on the listener: hand its socket to a socket
 * character device of its own, so that it is served exactly as a
 * -chardev socket would be.
 */
static void mcd_accept(QIONetListener *listener, QIOChannelSocket *sioc,
                       gpointer opaque)
{
    ChardevBackend backend = { .type = CHARDEV_BACKEND_KIND_SOCKET };
    ChardevSocket sock = {
        .has_server = true, .server = false,
        .has_nodelay = true, .nodelay = true,
    };
    FdSocketAddress fd_addr;
    SocketAddressLegacy addr = { .type = SOCKET_ADDRESS_TYPE_FD };
    g_autofree char *fd_str = NULL;
    Error *err = NULL;
    Chardev *chr;
    int fd;

    if (mcd_num_accepted >= MCD_MONITOR_SESSIONS_MAX) {
        mcd_refuse(sioc);
        return;
    }
    fd = qemu_dup(sioc->fd);
    if (fd < 0) {
        warn_report("mcd: cannot serve a new connection: %s",
                    strerror(errno));
        return;
    }
    fd_str = g_strdup_printf("%d", fd);
    fd_addr.str = fd_str;
    addr.u.fd.data = &fd_addr;
    sock.addr = &addr;
    backend.u.socket.data = &sock;
    chr = qemu_chardev_new(NULL, TYPE_CHARDEV_SOCKET, &backend, NULL, &err);
    if (!chr) {
        close(fd);
    } else if (!mcd_monitor_new(chr, true, &err)) {
        object_unparent(OBJECT(chr));
    }
    if (err) {
        warn_report_err(err);
    }
}

/* The address of a "tcp:" or "unix:" device; chardev options are ours. */
static SocketAddress *mcd_listen_address(const char *device, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(device, ",", -1);

    for (int i = 1; parts[i]; i++) {
        /* What -gdb-style devices are usually given: we do that anyway. */
        if (strcmp(parts[i], "server=on") && strcmp(parts[i], "server") &&
            strcmp(parts[i], "wait=off") && strcmp(parts[i], "nowait") &&
            strcmp(parts[i], "nodelay=on") && strcmp(parts[i], "nodelay")) {
            error_setg(errp, "mcd: option '%s' of '%s' is not supported: "
                       "define the device with -chardev and use "
                       "-mcd chardev:ID", parts[i], device);
            return NULL;
        }
    }
    return socket_parse(parts[0], errp);
}

static bool mcd_listen(const char *device, Error **errp)
{
    g_autoptr(SocketAddress) addr = mcd_listen_address(device, errp);

    if (!addr) {
        return false;
    }
    mcd_listener = qio_net_listener_new();
    qio_net_listener_set_name(mcd_listener, "mcd-listener");
    if (qio_net_listener_open_sync(mcd_listener, addr,
                                   MCD_MONITOR_SESSIONS_MAX, errp) < 0) {
        error_prepend(errp, "mcd: cannot listen on '%s': ", device);
        object_unref(OBJECT(mcd_listener));
        mcd_listener = NULL;
        return false;
    }
    qio_net_listener_set_client_func(mcd_listener, mcd_accept, NULL, NULL);
    return true;
}

bool mcd_server_start(const char *device, Error **errp)
{
    Chardev *chr;

    if (!first_cpu) {
        error_setg(errp, "mcd: a machine without CPUs cannot be debugged");
        return false;
    }
    /* Breakpoints, watchpoints, steps and the trace are TCG's. */
    if (!tcg_enabled() && !qtest_enabled()) {
        error_setg(errp, "mcd: the %s accelerator cannot be debugged "
                   "through MCD: use -accel tcg", current_accel_name());
        return false;
    }
    if (mcd_listener || !QTAILQ_EMPTY(&mcd_monitors)) {
        error_setg(errp, "mcd: only one -mcd device is supported; it "
                   "serves several debuggers at once");
        return false;
    }
    if (g_str_has_prefix(device, "tcp:")) {
        mcd_warn_if_exposed(device);
    }
    if (g_str_has_prefix(device, "tcp:") || g_str_has_prefix(device, "unix:")) {
        if (!mcd_listen(device, errp)) {
            return false;
        }
    } else {
        chr = qemu_chr_new_noreplay("mcd", device, true, NULL);
        if (!chr) {
            error_setg(errp, "mcd: could not open character device '%s'",
                       device);
            return false;
        }
        if (!mcd_monitor_new(chr, false, errp)) {
            return false;
        }
    }

    trace_mcd_server_start(device);
    mcd_server_setup();
    mcd_runctl_init();
    mcd_qmp_init_marshal(&mcd_commands);
    return true;
}
