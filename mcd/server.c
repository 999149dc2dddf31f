/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: initialization, errors, server connection and the target
 * system (one system; one device per CPU cluster, see cores.c)
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu-version.h"
#include "hw/boards.h"
#include "hw/core/cpu.h"
#include "mcd-internal.h"
#include "trace.h"

McdServer mcd_server;

/* Where errors go when no session's request runs (timers, teardown). */
static McdSession mcd_no_session;
McdSession *mcd_session = &mcd_no_session;

McdSession *mcd_session_enter(McdSession *s)
{
    McdSession *old = mcd_session;

    mcd_session = s ?: &mcd_no_session;
    return old;
}

uint32_t mcd_session_max_answer(const McdSession *s)
{
    return s->max_answer ?: MCD_MAX_ANSWER;
}

uint32_t mcd_session_max_payload(const McdSession *s)
{
    if (!s->max_answer) {
        return MCD_MAX_PAYLOAD;
    }
    return MIN(MCD_MAX_PAYLOAD_LARGE,
               MAX(MCD_MAX_PAYLOAD,
                   (s->max_answer - MCD_ANSWER_OVERHEAD) / 4));
}

uint32_t mcd_session_set_max_answer(McdSession *s, uint64_t bytes)
{
    if (bytes < MCD_MAX_ANSWER) {
        return 0;
    }
    s->max_answer = MIN(bytes, MCD_MAX_ANSWER_LARGE);
    return s->max_answer;
}

mcd_return_et mcd_fail(McdCore *core, mcd_error_code_et code,
                       const char *fmt, ...)
{
    mcd_error_info_st *e = core ? &core->error : &mcd_session->error;
    va_list ap;

    e->return_status = MCD_RET_ACT_HANDLE_ERROR;
    e->error_code = code;
    e->error_events = MCD_ERR_EVT_NONE;
    va_start(ap, fmt);
    vsnprintf(e->error_str, sizeof(e->error_str), fmt, ap);
    va_end(ap);
    trace_mcd_error(core ? (int)core->id : -1, code, e->error_str);
    return e->return_status;
}

mcd_return_et mcd_ok(McdCore *core)
{
    mcd_error_info_st *e = core ? &core->error : &mcd_session->error;

    *e = (mcd_error_info_st) { .return_status = MCD_RET_ACT_NONE };
    return MCD_RET_ACT_NONE;
}

bool mcd_qry_span(McdCore *core, const char *what, uint32_t total,
                  uint32_t start, uint32_t *num, const void *out,
                  mcd_return_et *ret)
{
    if (!num) {
        *ret = mcd_fail(core, MCD_ERR_PARAM, "no count given for %s", what);
        return false;
    }
    if (*num == 0) {
        *num = total;
        *ret = mcd_ok(core);
        return false;
    }
    if (start >= total) {
        *ret = mcd_fail(core, MCD_ERR_PARAM,
                        "start index %" PRIu32 " is past the %" PRIu32
                        " %s", start, total, what);
        return false;
    }
    if (!out) {
        *ret = mcd_fail(core, MCD_ERR_PARAM, "no buffer given for %s", what);
        return false;
    }
    *num = MIN(MIN(*num, total - start), MCD_MAX_QRY_ENTRIES);
    *ret = MCD_RET_ACT_NONE;
    return true;
}

static bool mcd_server_is_open(void)
{
    return mcd_session->uid != 0;
}

/* The core behind @handle, open in this session, checked without trust. */
static McdCore *mcd_core_find(const mcd_core_st *handle)
{
    McdCore *c;

    if (!handle || !mcd_server_is_open()) {
        return NULL;
    }
    c = handle->instance;
    if (c < mcd_server.cores || c >= mcd_server.cores + mcd_server.num_cores ||
        &c->handle != handle || !c->uid || c->owner != mcd_session) {
        return NULL;
    }
    return c;
}

mcd_return_et mcd_core_lookup(const mcd_core_st *handle, McdCore **core)
{
    *core = mcd_core_find(handle);
    if (!*core) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "the core is not open");
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcd_core_lookup_out(const mcd_core_st *handle, const void *out,
                                  McdCore **core)
{
    mcd_return_et ret = mcd_core_lookup(handle, core);

    if (!ret && !out) {
        ret = mcd_fail(*core, MCD_ERR_PARAM, "no result buffer given");
    }
    return ret;
}

mcd_return_et mcd_core_unimplemented(const mcd_core_st *handle,
                                     const char *what)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(handle, &c);

    return ret ? ret : mcd_unimplemented(c, what);
}

const mcd_core_st *mcd_core_by_uid(uint32_t uid)
{
    for (uint32_t i = 0; uid && i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];

        /* Another session's core is not one of ours, whatever its uid. */
        if (c->uid == uid && c->owner == mcd_session) {
            return &c->handle;
        }
    }
    return NULL;
}

const mcd_server_st *mcd_server_by_uid(uint32_t uid)
{
    return uid && uid == mcd_session->uid ? &mcd_session->handle : NULL;
}

mcd_return_et mcd_initialize_f(const mcd_api_version_st *version_req,
                               mcd_impl_version_info_st *impl_info)
{
    if (!version_req || !impl_info) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no version given");
    }
    *impl_info = (mcd_impl_version_info_st) {
        .v_api = {
            .v_api_major = MCD_API_VER_MAJOR,
            .v_api_minor = MCD_API_VER_MINOR,
            .author = MCD_API_VER_AUTHOR,
        },
        .v_imp_major = QEMU_VERSION_MAJOR,
        .v_imp_minor = QEMU_VERSION_MINOR,
        .v_imp_build = QEMU_VERSION_MICRO,
        .vendor = "QEMU",
    };
    mcd_strcpy(impl_info->date, __DATE__);
    /* 1.1 changed structures of 1.0, so only an exact match is safe. */
    if (version_req->v_api_major != MCD_API_VER_MAJOR ||
        version_req->v_api_minor != MCD_API_VER_MINOR) {
        return mcd_fail(NULL, MCD_ERR_GENERAL,
                        "MCD API %u.%u requested, QEMU implements %u.%u",
                        version_req->v_api_major, version_req->v_api_minor,
                        MCD_API_VER_MAJOR, MCD_API_VER_MINOR);
    }
    return mcd_ok(NULL);
}

void mcd_exit_f(void)
{
    if (mcd_server_is_open()) {
        mcd_close_server_f(&mcd_session->handle);
    }
    mcd_ok(NULL);
}

void mcd_server_client_gone(void)
{
    mcd_exit_f();
}

static void mcd_fill_system(mcd_core_con_info_st *info)
{
    *info = (mcd_core_con_info_st) { 0 };
    mcd_strcpy(info->host, mcd_session->host);
    mcd_strcpy(info->system_key, mcd_session->system_key);
    mcd_strcpy(info->system, "QEMU " QEMU_VERSION);
    snprintf(info->system_instance, sizeof(info->system_instance),
             "%s (pid %d)", g_get_prgname() ?: "qemu", (int)getpid());
}

mcd_return_et mcd_qry_servers_f(const mcd_char_t *host, mcd_bool_t running,
                                uint32_t start_index, uint32_t *num_servers,
                                mcd_server_info_st *server_info)
{
    mcd_core_con_info_st sys;
    mcd_return_et ret;

    /* This QEMU process is the one server, running or merely installed. */
    if (!mcd_qry_span(NULL, "servers", 1, start_index, num_servers,
                      server_info, &ret)) {
        return ret;
    }
    mcd_fill_system(&sys);
    *server_info = (mcd_server_info_st) { 0 };
    mcd_strcpy(server_info->server, "QEMU MCD server");
    mcd_strcpy(server_info->system_instance, sys.system_instance);
    return mcd_ok(NULL);
}

void mcd_server_setup(void)
{
    CPUState *cpu;
    uint32_t n = 0;

    CPU_FOREACH(cpu) {
        n++;
    }
    mcd_server.cores = g_new0(McdCore, n);
    mcd_server.num_cores = n;
    n = 0;
    CPU_FOREACH(cpu) {
        mcd_server.cores[n++].cpu = cpu;
    }
    mcd_cores_init();
    mcd_trace_setup();
}

mcd_return_et mcd_open_server_f(const mcd_char_t *system_key,
                                const mcd_char_t *config_string,
                                mcd_server_st **server)
{
    if (!server) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no server handle given");
    }
    if (mcd_server_is_open()) {
        return mcd_fail(NULL, MCD_ERR_CONNECTION,
                        "the server is already open; close it first");
    }
    if (config_string && strlen(config_string) > MCD_MAX_CONFIG_STRING) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "a configuration string of "
                        "%zu bytes: at most %d", strlen(config_string),
                        MCD_MAX_CONFIG_STRING);
    }
    mcd_strcpy(mcd_session->system_key, system_key ?: "");
    mcd_strcpy(mcd_session->host, g_get_host_name());
    mcd_session->config_string = g_strdup(config_string ?: "");
    mcd_session->handle = (mcd_server_st) {
        .instance = mcd_session,
        .host = mcd_session->host,
        .config_string = mcd_session->config_string,
    };
    /* Handles are never reused, so a stale one cannot alias a new one. */
    mcd_session->uid = ++mcd_server.next_uid;
    *server = &mcd_session->handle;
    return mcd_ok(NULL);
}

mcd_return_et mcd_server_check(const mcd_server_st *server)
{
    if (!mcd_server_is_open()) {
        return mcd_fail(NULL, MCD_ERR_CONNECTION, "the server is not open");
    }
    if (server != &mcd_session->handle) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "unknown server handle");
    }
    return MCD_RET_ACT_NONE;
}

mcd_return_et mcd_close_server_f(const mcd_server_st *server)
{
    mcd_return_et ret = mcd_server_check(server);

    if (ret) {
        return ret;
    }
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        if (mcd_server.cores[i].owner == mcd_session) {
            mcd_close_core_f(&mcd_server.cores[i].handle);
        }
    }
    mcd_shared_buffer_release(mcd_session);
    g_clear_pointer(&mcd_session->config_string, g_free);
    mcd_session->system_key[0] = '\0';
    mcd_session->uid = 0;
    mcd_session->max_answer = 0;
    return mcd_ok(NULL);
}

mcd_return_et mcd_set_server_config_f(const mcd_server_st *server,
                                      const mcd_char_t *config_string)
{
    mcd_return_et ret = mcd_server_check(server);

    if (ret) {
        return ret;
    }
    return mcd_unimplemented(NULL, "changing the server configuration");
}

mcd_return_et mcd_qry_server_config_f(const mcd_server_st *server,
                                      uint32_t *max_len,
                                      mcd_char_t *config_string)
{
    mcd_return_et ret = mcd_server_check(server);
    size_t len;

    if (ret) {
        return ret;
    }
    if (!max_len) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no length given");
    }
    len = strlen(mcd_session->config_string) + 1;
    if (*max_len == 0 || !config_string) {
        *max_len = len;
        return mcd_ok(NULL);
    }
    if (*max_len < len) {
        *max_len = len;
        return mcd_fail(NULL, MCD_ERR_RESULT_TOO_LONG,
                        "the configuration needs %zu characters", len);
    }
    memcpy(config_string, mcd_session->config_string, len);
    *max_len = len;
    return mcd_ok(NULL);
}

mcd_return_et mcd_qry_systems_f(uint32_t start_index, uint32_t *num_systems,
                                mcd_core_con_info_st *system_con_info)
{
    mcd_return_et ret;

    if (!mcd_qry_span(NULL, "systems", 1, start_index, num_systems,
                      system_con_info, &ret)) {
        return ret;
    }
    mcd_fill_system(system_con_info);
    return mcd_ok(NULL);
}

mcd_return_et mcd_qry_devices_f(const mcd_core_con_info_st *system_con_info,
                                uint32_t start_index, uint32_t *num_devices,
                                mcd_core_con_info_st *device_con_info)
{
    mcd_return_et ret;

    if (!system_con_info) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no system given");
    }
    if (!mcd_qry_span(NULL, "devices", mcd_server.num_devices, start_index,
                      num_devices, device_con_info, &ret)) {
        return ret;
    }
    for (uint32_t i = 0; i < *num_devices; i++) {
        mcd_core_con_info_st *d = &device_con_info[i];

        mcd_fill_system(d);
        mcd_strcpy(d->device_key, system_con_info->device_key);
        mcd_strcpy(d->device, mcd_server.devices[start_index + i].name);
        d->device_id = start_index + i;
    }
    return mcd_ok(NULL);
}

void mcd_qry_error_info_f(const mcd_core_st *core,
                          mcd_error_info_st *error_info)
{
    McdCore *c = mcd_core_find(core);

    /* A handle that is not an open core gets the server's error. */
    if (error_info) {
        *error_info = c ? c->error : mcd_session->error;
    }
}
