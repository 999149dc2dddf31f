/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD monitor: JSON requests on a character device, dispatched through
 * the QMP framework to the commands generated from qapi/mcd.json.
 *
 * Unlike QMP there is no greeting, no capabilities negotiation and no
 * I/O thread: a request is parsed and dispatched in the chardev read
 * handler on the main loop, as the gdbstub does, so a round trip costs
 * no thread or coroutine hop.  The command list is our own, so MCD
 * commands are unknown to QMP and QMP commands unknown here.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp-registry.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/json-parser.h"
#include "qemu/coroutine.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "hw/core/cpu.h"
#include "monitor/monitor-internal.h"
#include "exec/mcdstub.h"
#include "mcd/mcd-qapi-init-commands.h"
#include "mcd-internal.h"

typedef struct MonitorMCD {
    Monitor common;
    JSONMessageParser parser;
    bool parser_live;
    bool line_has_error;    /* a parse error was answered on this line */
    /*
     * A request that waits for the target (a step) runs in a coroutine;
     * until it has answered, later requests wait in @pending, so that
     * answers keep the order of requests.
     */
    bool busy;
    bool gone;              /* the client left while busy */
    GQueue pending;         /* McdRequest */
} MonitorMCD;

typedef struct McdRequest {
    QObject *req;
    Error *err;
} McdRequest;

static MonitorMCD mcd_mon;
static QmpCommandList mcd_commands;

static void mcd_monitor_send(MonitorMCD *mon, QDict *rsp)
{
    g_autoptr(GString) json = qobject_to_json_compact(QOBJECT(rsp));

    /* One compact line per answer, written as a whole. */
    QEMU_LOCK_GUARD(&mon->common.mon_lock);
    g_string_append_len(mon->common.outbuf, json->str, json->len);
    g_string_append_c(mon->common.outbuf, '\n');
    monitor_flush_locked(&mon->common);
}

static void mcd_monitor_dispatch(MonitorMCD *mon, QObject *req, Error *err)
{
    QDict *rsp;

    rsp = err ? qmp_error_response(err) :
                qmp_dispatch(&mcd_commands, req, false, &mon->common);
    qobject_unref(req);
    if (rsp) {
        mcd_monitor_send(mon, rsp);
        qobject_unref(rsp);
    }
}

/* Does @req name a command that must run in a coroutine? */
static bool mcd_monitor_needs_coroutine(QObject *req)
{
    QDict *dict = qobject_to(QDict, req);
    const char *name = dict ? qdict_get_try_str(dict, "execute") : NULL;
    const QmpCommand *cmd = name ? qmp_find_command(&mcd_commands, name) :
                                   NULL;

    return cmd && (cmd->options & QCO_COROUTINE);
}

static void mcd_monitor_drain(MonitorMCD *mon);

static void coroutine_fn mcd_monitor_co(void *opaque)
{
    McdRequest *r = opaque;
    MonitorMCD *mon = &mcd_mon;

    mcd_monitor_dispatch(mon, r->req, NULL);
    g_free(r);
    mon->busy = false;
    if (mon->gone) {
        mon->gone = false;
        mcd_server_client_gone();
    }
    mcd_monitor_drain(mon);
    qemu_chr_fe_accept_input(&mon->common.chr);
}

/* Dispatch queued requests until one has to wait. */
static void mcd_monitor_drain(MonitorMCD *mon)
{
    McdRequest *r;

    while (!mon->busy && (r = g_queue_pop_head(&mon->pending))) {
        if (!r->err && mcd_monitor_needs_coroutine(r->req)) {
            mon->busy = true;
            qemu_coroutine_enter(qemu_coroutine_create(mcd_monitor_co, r));
        } else {
            mcd_monitor_dispatch(mon, r->req, r->err);
            g_free(r);
        }
    }
}

static void mcd_monitor_request(void *opaque, QObject *req, Error *err)
{
    MonitorMCD *mon = opaque;
    McdRequest *r;

    /*
     * Malformed JSON: answer it and keep the connection usable.  The
     * parser may trip more than once over one bad line; the client sent
     * one request, so it gets one answer.
     */
    if (err && mon->line_has_error) {
        error_free(err);
        return;
    }
    mon->line_has_error |= err != NULL;
    r = g_new(McdRequest, 1);
    *r = (McdRequest) { .req = req, .err = err };
    g_queue_push_tail(&mon->pending, r);
    mcd_monitor_drain(mon);
}

static void mcd_monitor_parser_reset(MonitorMCD *mon)
{
    if (mon->parser_live) {
        json_message_parser_destroy(&mon->parser);
    }
    json_message_parser_init(&mon->parser, mcd_monitor_request, mon, NULL);
    mon->parser_live = true;
    mon->line_has_error = false;
}

static int mcd_monitor_can_read(void *opaque)
{
    MonitorMCD *mon = opaque;

    /* While a request waits, leave the rest unread in the socket. */
    return mon->busy ? 0 : 4096;
}

static void mcd_monitor_read(void *opaque, const uint8_t *buf, int size)
{
    MonitorMCD *mon = opaque;
    const char *p = (const char *)buf, *end = p + size;

    /* Requests are lines: each one may earn one parse error answer. */
    while (p < end) {
        const char *nl = memchr(p, '\n', end - p);
        const char *stop = nl ? nl + 1 : end;

        json_message_parser_feed(&mon->parser, p, stop - p);
        if (nl) {
            mon->line_has_error = false;
        }
        p = stop;
    }
}

static void mcd_monitor_event(void *opaque, QEMUChrEvent event)
{
    MonitorMCD *mon = opaque;

    if (event == CHR_EVENT_CLOSED) {
        McdRequest *r;

        /*
         * The client is gone: drop its unanswered requests and everything
         * it held, so that the next client finds the server closed.  A
         * request still waiting is told to give up; it releases things
         * when it has finished.
         */
        mcd_monitor_parser_reset(mon);
        while ((r = g_queue_pop_head(&mon->pending))) {
            qobject_unref(r->req);
            error_free(r->err);
            g_free(r);
        }
        if (mon->busy) {
            mon->gone = true;
            mcd_server_abort_wait();
        } else {
            mcd_server_client_gone();
        }
        QEMU_LOCK_GUARD(&mon->common.mon_lock);
        g_string_truncate(mon->common.outbuf, 0);
    }
}

bool mcd_server_start(const char *device, Error **errp)
{
    g_autoptr(GString) cs = g_string_new(device);
    Chardev *chr;

    if (!first_cpu) {
        error_setg(errp, "mcd: a machine without CPUs cannot be debugged");
        return false;
    }
    if (mcd_mon.parser_live) {
        error_setg(errp, "mcd: only one -mcd device is supported");
        return false;
    }
    if (g_str_has_prefix(cs->str, "tcp:")) {
        /* As for -gdb: listen, do not wait, and answer without delay. */
        g_string_append(cs, ",wait=off,nodelay=on,server=on");
    }
    chr = qemu_chr_new_noreplay("mcd", cs->str, true, NULL);
    if (!chr) {
        error_setg(errp, "mcd: could not open character device '%s'",
                   device);
        return false;
    }
    if (!qemu_chr_fe_init(&mcd_mon.common.chr, chr, errp)) {
        return false;
    }

    mcd_qmp_init_marshal(&mcd_commands);
    g_queue_init(&mcd_mon.pending);
    /* A QMP-style monitor: error_report() goes to stderr, not to us. */
    monitor_data_init(&mcd_mon.common, true, false, false);
    mcd_monitor_parser_reset(&mcd_mon);
    qemu_chr_fe_set_handlers(&mcd_mon.common.chr, mcd_monitor_can_read,
                             mcd_monitor_read, mcd_monitor_event, NULL,
                             &mcd_mon, NULL, true);
    return true;
}
