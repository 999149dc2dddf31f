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
} MonitorMCD;

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

static void mcd_monitor_request(void *opaque, QObject *req, Error *err)
{
    MonitorMCD *mon = opaque;
    QDict *rsp;

    if (err) {
        /*
         * Malformed JSON: answer it and keep the connection usable.  The
         * parser may trip more than once over one bad line; the client
         * sent one request, so it gets one answer.
         */
        if (mon->line_has_error) {
            error_free(err);
            return;
        }
        mon->line_has_error = true;
        rsp = qmp_error_response(err);
    } else {
        rsp = qmp_dispatch(&mcd_commands, req, false, &mon->common);
    }
    qobject_unref(req);
    if (rsp) {
        mcd_monitor_send(mon, rsp);
        qobject_unref(rsp);
    }
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
    return 4096;
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
        /*
         * The client is gone: drop its half-read request and everything
         * it held, so that the next client finds the server closed.
         */
        mcd_monitor_parser_reset(mon);
        mcd_server_client_gone();
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
    /* A QMP-style monitor: error_report() goes to stderr, not to us. */
    monitor_data_init(&mcd_mon.common, true, false, false);
    mcd_monitor_parser_reset(&mcd_mon);
    qemu_chr_fe_set_handlers(&mcd_mon.common.chr, mcd_monitor_can_read,
                             mcd_monitor_read, mcd_monitor_event, NULL,
                             &mcd_mon, NULL, true);
    return true;
}
