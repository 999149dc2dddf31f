/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server stub: the QAPI commands of qapi/mcd.json, each turned into
 * one call of the mcd_api.h function of the same name
 *
 * The wire carries integer handles (server-uid, core-uid) instead of
 * pointers, lists instead of caller-provided arrays, and strings instead
 * of fixed-size character arrays.  Everything the client sends is bounded
 * here before anything is allocated for it.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qapi/qobject-output-visitor.h"
#include "mcd/mcd-qapi-commands.h"
#include "mcd/mcd-qapi-visit.h"
#include "mcd/mcd-qapi-introspect.h"
#include "mcd-internal.h"

/* Fixed-size C string to QAPI string, terminated or not. */
#define STR(field) g_strndup((field), sizeof(field))

/* Initialization */

MCDInitializeResult *qmp_mcd_initialize(MCDAPIVersion *version_req,
                                        Error **errp)
{
    MCDInitializeResult *res = g_new0(MCDInitializeResult, 1);
    mcd_api_version_st req = {
        .v_api_major = version_req->v_api_major,
        .v_api_minor = version_req->v_api_minor,
    };
    mcd_impl_version_info_st info;

    mcd_strcpy(req.author, version_req->author);
    res->return_status = mcd_initialize_f(&req, &info);
    /* The implementation details are useful even on a version mismatch. */
    res->impl_info = g_new(MCDImplVersionInfo, 1);
    *res->impl_info = (MCDImplVersionInfo) {
        .v_api = g_new(MCDAPIVersion, 1),
        .v_imp_major = info.v_imp_major,
        .v_imp_minor = info.v_imp_minor,
        .v_imp_build = info.v_imp_build,
        .vendor = STR(info.vendor),
        .date = STR(info.date),
    };
    *res->impl_info->v_api = (MCDAPIVersion) {
        .v_api_major = info.v_api.v_api_major,
        .v_api_minor = info.v_api.v_api_minor,
        .author = STR(info.v_api.author),
    };
    return res;
}

void qmp_mcd_exit(Error **errp)
{
    mcd_exit_f();
}

/* Server connection */

/*
 * Room for the entries a query may return: the server never answers more
 * than MCD_MAX_QRY_ENTRIES at once, so neither is more allocated.  NULL
 * for a count-only query.
 */
static void *stub_entries(uint32_t *num, size_t size)
{
    *num = MIN(*num, MCD_MAX_QRY_ENTRIES);
    return *num ? g_malloc0_n(*num, size) : NULL;
}

MCDQryServersResult *qmp_mcd_qry_servers(const char *host, bool running,
                                         uint32_t start_index,
                                         uint32_t num_servers, Error **errp)
{
    MCDQryServersResult *res = g_new0(MCDQryServersResult, 1);
    g_autofree mcd_server_info_st *info =
        stub_entries(&num_servers, sizeof(*info));
    MCDServerInfoList **tail = &res->server_info;

    res->return_status = mcd_qry_servers_f(host, running, start_index,
                                           &num_servers, info);
    if (res->return_status) {
        return res;
    }
    res->has_num_servers = true;
    res->num_servers = num_servers;
    res->has_server_info = info != NULL;
    for (uint32_t i = 0; info && i < num_servers; i++) {
        MCDServerInfo *q = g_new(MCDServerInfo, 1);

        *q = (MCDServerInfo) {
            .server = STR(info[i].server),
            .system_instance = STR(info[i].system_instance),
            .acc_hw = STR(info[i].acc_hw),
        };
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

MCDOpenServerResult *qmp_mcd_open_server(const char *system_key,
                                         const char *config_string,
                                         bool has_max_answer_size,
                                         uint32_t max_answer_size,
                                         Error **errp)
{
    MCDOpenServerResult *res = g_new0(MCDOpenServerResult, 1);
    mcd_server_st *server;

    if (has_max_answer_size && max_answer_size < MCD_MAX_ANSWER) {
        res->return_status = mcd_fail(NULL, MCD_ERR_PARAM,
                                      "max-answer-size %" PRIu32 ": at "
                                      "least %d", max_answer_size,
                                      MCD_MAX_ANSWER);
        return res;
    }
    res->return_status = mcd_open_server_f(system_key, config_string,
                                           &server);
    if (res->return_status) {
        return res;
    }
    res->has_server_uid = true;
    res->server_uid = mcd_session->uid;
    res->host = g_strdup(server->host);
    res->config_string = g_strdup(server->config_string);
    if (has_max_answer_size) {
        res->has_max_answer_size = true;
        res->max_answer_size = mcd_session_set_max_answer(mcd_session,
                                                          max_answer_size);
    }
    return res;
}

/* A server handle for @uid; an unknown one is passed on to be refused. */
static const mcd_server_st *stub_server(uint32_t uid)
{
    static const mcd_server_st unknown;
    const mcd_server_st *s = mcd_server_by_uid(uid);

    return s ? s : &unknown;
}

MCDCloseServerResult *qmp_mcd_close_server(uint32_t server_uid, Error **errp)
{
    MCDCloseServerResult *res = g_new0(MCDCloseServerResult, 1);

    res->return_status = mcd_close_server_f(stub_server(server_uid));
    return res;
}

MCDSetServerConfigResult *qmp_mcd_set_server_config(uint32_t server_uid,
                                                    const char *config_string,
                                                    Error **errp)
{
    MCDSetServerConfigResult *res = g_new0(MCDSetServerConfigResult, 1);

    res->return_status = mcd_set_server_config_f(stub_server(server_uid),
                                                 config_string);
    return res;
}

MCDQryServerConfigResult *qmp_mcd_qry_server_config(uint32_t server_uid,
                                                    uint32_t max_len,
                                                    Error **errp)
{
    MCDQryServerConfigResult *res = g_new0(MCDQryServerConfigResult, 1);
    g_autofree char *buf = NULL;

    max_len = MIN(max_len, MCD_MAX_PAYLOAD);
    buf = max_len ? g_malloc0(max_len) : NULL;
    res->return_status = mcd_qry_server_config_f(stub_server(server_uid),
                                                 &max_len, buf);
    if (res->return_status == MCD_RET_ACT_NONE ||
        mcd_session->error.error_code == MCD_ERR_RESULT_TOO_LONG) {
        res->has_max_len = true;
        res->max_len = max_len;
    }
    if (!res->return_status && buf) {
        res->config_string = g_strdup(buf);
    }
    return res;
}

/* Target system */

/* The open core behind @uid; if there is none, say so for the server. */
static bool stub_core(uint32_t uid, const mcd_core_st **core,
                      uint32_t *status)
{
    *core = mcd_core_by_uid(uid);
    if (!*core) {
        *status = mcd_fail(NULL, MCD_ERR_PARAM,
                           "core-uid %" PRIu32 " is not an open core", uid);
    }
    return *core;
}

static void con_info_from_qapi(mcd_core_con_info_st *c,
                               const MCDCoreConInfo *q)
{
    *c = (mcd_core_con_info_st) {
        .server_port = q->server_port,
        .device_type = q->device_type,
        .device_id = q->device_id,
        .core_type = q->core_type,
        .core_id = q->core_id,
    };
    mcd_strcpy(c->host, q->host);
    mcd_strcpy(c->server_key, q->server_key);
    mcd_strcpy(c->system_key, q->system_key);
    mcd_strcpy(c->device_key, q->device_key);
    mcd_strcpy(c->system, q->system);
    mcd_strcpy(c->system_instance, q->system_instance);
    mcd_strcpy(c->acc_hw, q->acc_hw);
    mcd_strcpy(c->device, q->device);
    mcd_strcpy(c->core, q->core);
}

static MCDCoreConInfo *con_info_to_qapi(const mcd_core_con_info_st *c)
{
    MCDCoreConInfo *q = g_new(MCDCoreConInfo, 1);

    *q = (MCDCoreConInfo) {
        .host = STR(c->host),
        .server_port = c->server_port,
        .server_key = STR(c->server_key),
        .system_key = STR(c->system_key),
        .device_key = STR(c->device_key),
        .system = STR(c->system),
        .system_instance = STR(c->system_instance),
        .acc_hw = STR(c->acc_hw),
        .device_type = c->device_type,
        .device = STR(c->device),
        .device_id = c->device_id,
        .core = STR(c->core),
        .core_type = c->core_type,
        .core_id = c->core_id,
    };
    return q;
}

static MCDCoreConInfoList *con_info_list(const mcd_core_con_info_st *c,
                                         uint32_t n)
{
    MCDCoreConInfoList *list = NULL, **tail = &list;

    for (uint32_t i = 0; i < n; i++) {
        QAPI_LIST_APPEND(tail, con_info_to_qapi(&c[i]));
    }
    return list;
}

MCDQrySystemsResult *qmp_mcd_qry_systems(uint32_t start_index,
                                         uint32_t num_systems, Error **errp)
{
    MCDQrySystemsResult *res = g_new0(MCDQrySystemsResult, 1);
    g_autofree mcd_core_con_info_st *info =
        stub_entries(&num_systems, sizeof(*info));

    res->return_status = mcd_qry_systems_f(start_index, &num_systems, info);
    if (!res->return_status) {
        res->has_num_systems = true;
        res->num_systems = num_systems;
        res->has_system_con_info = info != NULL;
        res->system_con_info = info ? con_info_list(info, num_systems) : NULL;
    }
    return res;
}

MCDQryDevicesResult *qmp_mcd_qry_devices(MCDCoreConInfo *system_con_info,
                                         uint32_t start_index,
                                         uint32_t num_devices, Error **errp)
{
    MCDQryDevicesResult *res = g_new0(MCDQryDevicesResult, 1);
    g_autofree mcd_core_con_info_st *info =
        stub_entries(&num_devices, sizeof(*info));
    mcd_core_con_info_st sys;

    con_info_from_qapi(&sys, system_con_info);
    res->return_status = mcd_qry_devices_f(&sys, start_index, &num_devices,
                                           info);
    if (!res->return_status) {
        res->has_num_devices = true;
        res->num_devices = num_devices;
        res->has_device_con_info = info != NULL;
        res->device_con_info = info ? con_info_list(info, num_devices) : NULL;
    }
    return res;
}

MCDQryCoresResult *qmp_mcd_qry_cores(MCDCoreConInfo *connection_info,
                                     uint32_t start_index, uint32_t num_cores,
                                     Error **errp)
{
    MCDQryCoresResult *res = g_new0(MCDQryCoresResult, 1);
    g_autofree mcd_core_con_info_st *info =
        stub_entries(&num_cores, sizeof(*info));
    mcd_core_con_info_st dev;

    con_info_from_qapi(&dev, connection_info);
    res->return_status = mcd_qry_cores_f(&dev, start_index, &num_cores, info);
    if (!res->return_status) {
        res->has_num_cores = true;
        res->num_cores = num_cores;
        res->has_core_con_info = info != NULL;
        res->core_con_info = info ? con_info_list(info, num_cores) : NULL;
    }
    return res;
}

MCDQryCoreModesResult *qmp_mcd_qry_core_modes(uint32_t core_uid,
                                              uint32_t start_index,
                                              uint32_t num_modes,
                                              Error **errp)
{
    MCDQryCoreModesResult *res = g_new0(MCDQryCoreModesResult, 1);
    g_autofree mcd_core_mode_info_st *modes =
        stub_entries(&num_modes, sizeof(*modes));
    MCDCoreModeInfoList **tail = &res->core_mode_info;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_core_modes_f(core, start_index, &num_modes,
                                              modes);
    if (res->return_status) {
        return res;
    }
    res->has_num_modes = true;
    res->num_modes = num_modes;
    res->has_core_mode_info = modes != NULL;
    for (uint32_t i = 0; modes && i < num_modes; i++) {
        MCDCoreModeInfo *q = g_new(MCDCoreModeInfo, 1);

        q->core_mode = modes[i].core_mode;
        q->name = STR(modes[i].name);
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

/* Core connection */

MCDOpenCoreResult *qmp_mcd_open_core(MCDCoreConInfo *core_con_info,
                                     Error **errp)
{
    MCDOpenCoreResult *res = g_new0(MCDOpenCoreResult, 1);
    mcd_core_con_info_st info;
    mcd_core_st *core;

    con_info_from_qapi(&info, core_con_info);
    res->return_status = mcd_open_core_f(&info, &core);
    if (!res->return_status) {
        res->has_core_uid = true;
        res->core_uid = ((McdCore *)core->instance)->uid;
        res->core_con_info = con_info_to_qapi(core->core_con_info);
    }
    return res;
}

MCDCloseCoreResult *qmp_mcd_close_core(uint32_t core_uid, Error **errp)
{
    MCDCloseCoreResult *res = g_new0(MCDCloseCoreResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_close_core_f(core);
    }
    return res;
}

MCDQryDeviceDescriptionResult *
qmp_mcd_qry_device_description(uint32_t core_uid, uint32_t url_length,
                               Error **errp)
{
    MCDQryDeviceDescriptionResult *res =
        g_new0(MCDQryDeviceDescriptionResult, 1);
    g_autofree char *url = NULL;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    url_length = MIN(url_length, MCD_INFO_STR_LEN);
    url = url_length ? g_malloc0(url_length) : NULL;
    res->return_status = mcd_qry_device_description_f(core, url, &url_length);
    if (!res->return_status) {
        res->has_url_length = true;
        res->url_length = url_length;
        res->url = url ? g_strndup(url, url_length) : NULL;
    }
    return res;
}

MCDQryMaxPayloadSizeResult *qmp_mcd_qry_max_payload_size(uint32_t core_uid,
                                                         Error **errp)
{
    MCDQryMaxPayloadSizeResult *res = g_new0(MCDQryMaxPayloadSizeResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_qry_max_payload_size_f(core,
                                                        &res->max_payload);
        res->has_max_payload = !res->return_status;
    }
    return res;
}

MCDQryInputHandleResult *qmp_mcd_qry_input_handle(uint32_t core_uid,
                                                  Error **errp)
{
    MCDQryInputHandleResult *res = g_new0(MCDQryInputHandleResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_qry_input_handle_f(core, &res->input_handle);
        res->has_input_handle = !res->return_status;
    }
    return res;
}

MCDQryErrorInfoResult *qmp_mcd_qry_error_info(bool has_core_uid,
                                              uint32_t core_uid,
                                              Error **errp)
{
    MCDQryErrorInfoResult *res = g_new0(MCDQryErrorInfoResult, 1);
    mcd_error_info_st e;

    mcd_qry_error_info_f(has_core_uid ? mcd_core_by_uid(core_uid) : NULL, &e);
    res->return_status = e.return_status;
    res->error_code = e.error_code;
    res->error_events = e.error_events;
    res->error_str = STR(e.error_str);
    return res;
}

/* Memory */

MCDQryMemSpacesResult *qmp_mcd_qry_mem_spaces(uint32_t core_uid,
                                              uint32_t start_index,
                                              uint32_t num_mem_spaces,
                                              Error **errp)
{
    MCDQryMemSpacesResult *res = g_new0(MCDQryMemSpacesResult, 1);
    g_autofree mcd_memspace_st *ms =
        stub_entries(&num_mem_spaces, sizeof(*ms));
    MCDMemspaceList **tail = &res->mem_spaces;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_mem_spaces_f(core, start_index,
                                              &num_mem_spaces, ms);
    if (res->return_status) {
        return res;
    }
    res->has_num_mem_spaces = true;
    res->num_mem_spaces = num_mem_spaces;
    res->has_mem_spaces = ms != NULL;
    for (uint32_t i = 0; ms && i < num_mem_spaces; i++) {
        MCDMemspace *q = g_new(MCDMemspace, 1);

        *q = (MCDMemspace) {
            .mem_space_id = ms[i].mem_space_id,
            .mem_space_name = STR(ms[i].mem_space_name),
            .mem_type = ms[i].mem_type,
            .bits_per_mau = ms[i].bits_per_mau,
            .invariance = ms[i].invariance,
            .endian = ms[i].endian,
            .min_addr = ms[i].min_addr,
            .max_addr = ms[i].max_addr,
            .num_mem_blocks = ms[i].num_mem_blocks,
            .supported_access_options = ms[i].supported_access_options,
            .core_mode_mask_read = ms[i].core_mode_mask_read,
            .core_mode_mask_write = ms[i].core_mode_mask_write,
        };
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

MCDQryMemBlocksResult *qmp_mcd_qry_mem_blocks(uint32_t core_uid,
                                              uint32_t mem_space_id,
                                              uint32_t start_index,
                                              uint32_t num_mem_blocks,
                                              Error **errp)
{
    MCDQryMemBlocksResult *res = g_new0(MCDQryMemBlocksResult, 1);
    g_autofree mcd_memblock_st *mb =
        stub_entries(&num_mem_blocks, sizeof(*mb));
    MCDMemblockList **tail = &res->mem_blocks;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_mem_blocks_f(core, mem_space_id, start_index,
                                              &num_mem_blocks, mb);
    if (res->return_status) {
        return res;
    }
    res->has_num_mem_blocks = true;
    res->num_mem_blocks = num_mem_blocks;
    res->has_mem_blocks = mb != NULL;
    for (uint32_t i = 0; mb && i < num_mem_blocks; i++) {
        MCDMemblock *q = g_new(MCDMemblock, 1);
        uint32List **au = &q->supported_au_sizes;

        *q = (MCDMemblock) {
            .mem_block_id = mb[i].mem_block_id,
            .mem_block_name = STR(mb[i].mem_block_name),
            .children = mb[i].has_children,
            .parent_id = mb[i].parent_id,
            .start_addr = mb[i].start_addr,
            .end_addr = mb[i].end_addr,
            .endian = mb[i].endian,
            .supported_access_options = mb[i].supported_access_options,
            .core_mode_mask_read = mb[i].core_mode_mask_read,
            .core_mode_mask_write = mb[i].core_mode_mask_write,
        };
        for (int j = 0; j < MCD_MEM_AUSIZE_NUM; j++) {
            QAPI_LIST_APPEND(au, mb[i].supported_au_sizes[j]);
        }
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

/* Answer a query for a list of 32-bit IDs (overlays, compounds, triggers). */
static uint32List *id_list(const uint32_t *ids, uint32_t n)
{
    uint32List *list = NULL, **tail = &list;

    for (uint32_t i = 0; ids && i < n; i++) {
        QAPI_LIST_APPEND(tail, ids[i]);
    }
    return list;
}

MCDQryActiveOverlaysResult *qmp_mcd_qry_active_overlays(uint32_t core_uid,
                                                        uint32_t start_index,
                                                        uint32_t num,
                                                        Error **errp)
{
    MCDQryActiveOverlaysResult *res = g_new0(MCDQryActiveOverlaysResult, 1);
    g_autofree uint32_t *ids = stub_entries(&num, sizeof(*ids));
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_active_overlays_f(core, start_index, &num,
                                                   ids);
    if (!res->return_status) {
        res->has_num_active_overlays = true;
        res->num_active_overlays = num;
        res->has_active_overlays = ids != NULL;
        res->active_overlays = id_list(ids, num);
    }
    return res;
}

/* Registers */

static MCDAddr *addr_to_qapi(const mcd_addr_st *a)
{
    MCDAddr *q = g_new(MCDAddr, 1);

    *q = (MCDAddr) {
        .address = a->address,
        .mem_space_id = a->mem_space_id,
        .addr_space_id = a->addr_space_id,
        .addr_space_type = a->addr_space_type,
    };
    return q;
}

MCDQryRegGroupsResult *qmp_mcd_qry_reg_groups(uint32_t core_uid,
                                              uint32_t start_index,
                                              uint32_t num_reg_groups,
                                              Error **errp)
{
    MCDQryRegGroupsResult *res = g_new0(MCDQryRegGroupsResult, 1);
    g_autofree mcd_register_group_st *rg =
        stub_entries(&num_reg_groups, sizeof(*rg));
    MCDRegisterGroupList **tail = &res->reg_groups;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_reg_groups_f(core, start_index,
                                              &num_reg_groups, rg);
    if (res->return_status) {
        return res;
    }
    res->has_num_reg_groups = true;
    res->num_reg_groups = num_reg_groups;
    res->has_reg_groups = rg != NULL;
    for (uint32_t i = 0; rg && i < num_reg_groups; i++) {
        MCDRegisterGroup *q = g_new(MCDRegisterGroup, 1);

        *q = (MCDRegisterGroup) {
            .reg_group_id = rg[i].reg_group_id,
            .reg_group_name = STR(rg[i].reg_group_name),
            .n_registers = rg[i].n_registers,
        };
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

MCDQryRegMapResult *qmp_mcd_qry_reg_map(uint32_t core_uid,
                                        uint32_t reg_group_id,
                                        uint32_t start_index,
                                        uint32_t num_regs, Error **errp)
{
    MCDQryRegMapResult *res = g_new0(MCDQryRegMapResult, 1);
    g_autofree mcd_register_info_st *ri =
        stub_entries(&num_regs, sizeof(*ri));
    MCDRegisterInfoList **tail = &res->reg_info;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_reg_map_f(core, reg_group_id, start_index,
                                           &num_regs, ri);
    if (res->return_status) {
        return res;
    }
    res->has_num_regs = true;
    res->num_regs = num_regs;
    res->has_reg_info = ri != NULL;
    for (uint32_t i = 0; ri && i < num_regs; i++) {
        MCDRegisterInfo *q = g_new(MCDRegisterInfo, 1);

        *q = (MCDRegisterInfo) {
            .addr = addr_to_qapi(&ri[i].addr),
            .reg_group_id = ri[i].reg_group_id,
            .regname = STR(ri[i].regname),
            .regsize = ri[i].regsize,
            .core_mode_mask_read = ri[i].core_mode_mask_read,
            .core_mode_mask_write = ri[i].core_mode_mask_write,
            .side_effects_read = ri[i].has_side_effects_read,
            .side_effects_write = ri[i].has_side_effects_write,
            .reg_type = ri[i].reg_type,
            .hw_thread_id = ri[i].hw_thread_id,
        };
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

MCDQryRegCompoundResult *qmp_mcd_qry_reg_compound(uint32_t core_uid,
                                                  uint32_t compound_reg_id,
                                                  uint32_t start_index,
                                                  uint32_t num_reg_ids,
                                                  Error **errp)
{
    MCDQryRegCompoundResult *res = g_new0(MCDQryRegCompoundResult, 1);
    g_autofree uint32_t *ids = stub_entries(&num_reg_ids, sizeof(*ids));
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_reg_compound_f(core, compound_reg_id,
                                                start_index, &num_reg_ids,
                                                ids);
    if (!res->return_status) {
        res->has_num_reg_ids = true;
        res->num_reg_ids = num_reg_ids;
        res->has_reg_id_array = ids != NULL;
        res->reg_id_array = id_list(ids, num_reg_ids);
    }
    return res;
}

/* Triggers */

static void addr_from_qapi(mcd_addr_st *a, const MCDAddr *q)
{
    *a = (mcd_addr_st) {
        .address = q->address,
        .mem_space_id = q->mem_space_id,
        .addr_space_id = q->addr_space_id,
        .addr_space_type = q->addr_space_type,
    };
}

/* Room for any of the trigger structures mcd_create_trig_f() accepts. */
typedef union StubTrig {
    uint32_t struct_size;
    mcd_trig_simple_core_st simple;
    mcd_trig_complex_core_st complex;
    mcd_trig_trig_bus_st bus;
    mcd_trig_counter_st counter;
    mcd_trig_custom_st custom;
} StubTrig;

/* The members every trigger structure starts with. */
#define TRIG_HEAD_FROM_QAPI(c, q) do {          \
        (c)->struct_size = sizeof(*(c));        \
        (c)->type = (q)->type;                  \
        (c)->option = (q)->option;              \
        (c)->action = (q)->action;              \
        (c)->action_param = (q)->action_param;  \
        (c)->modified = (q)->modified;          \
        (c)->state_mask = (q)->state_mask;      \
    } while (0)

#define TRIG_HEAD_TO_QAPI(q, c) do {            \
        (q)->type = (c)->type;                  \
        (q)->option = (c)->option;              \
        (q)->action = (c)->action;              \
        (q)->action_param = (c)->action_param;  \
        (q)->modified = (c)->modified;          \
        (q)->state_mask = (c)->state_mask;      \
    } while (0)

static bool trig_from_qapi(StubTrig *t, const MCDTrig *q)
{
    memset(t, 0, sizeof(*t));
    if (q->trig_simple_core) {
        TRIG_HEAD_FROM_QAPI(&t->simple, q->trig_simple_core);
        addr_from_qapi(&t->simple.addr_start, q->trig_simple_core->addr_start);
        t->simple.addr_range = q->trig_simple_core->addr_range;
    } else if (q->trig_complex_core) {
        const MCDTrigComplexCore *c = q->trig_complex_core;

        TRIG_HEAD_FROM_QAPI(&t->complex, c);
        addr_from_qapi(&t->complex.addr_start, c->addr_start);
        t->complex.addr_range = c->addr_range;
        t->complex.data_start = c->data_start;
        t->complex.data_range = c->data_range;
        t->complex.data_mask = c->data_mask;
        t->complex.data_size = c->data_size;
        t->complex.hw_thread_id = c->hw_thread_id;
        t->complex.sw_thread_id = c->sw_thread_id;
        t->complex.core_mode_mask = c->core_mode_mask;
    } else if (q->trig_trig_bus) {
        TRIG_HEAD_FROM_QAPI(&t->bus, q->trig_trig_bus);
        t->bus.trig_bus_value = q->trig_trig_bus->trig_bus_value;
        t->bus.trig_bus_mask = q->trig_trig_bus->trig_bus_mask;
    } else if (q->trig_counter) {
        TRIG_HEAD_FROM_QAPI(&t->counter, q->trig_counter);
        t->counter.count_value = q->trig_counter->count_value;
        t->counter.reload_value = q->trig_counter->reload_value;
    } else if (q->trig_custom) {
        uint32List *arg = q->trig_custom->ctrig_args;

        TRIG_HEAD_FROM_QAPI(&t->custom, q->trig_custom);
        t->custom.ctrig_id = q->trig_custom->ctrig_id;
        for (int i = 0; arg && i < ARRAY_SIZE(t->custom.ctrig_args); i++) {
            t->custom.ctrig_args[i] = arg->value;
            arg = arg->next;
        }
    } else {
        return false;
    }
    return true;
}

static MCDTrig *trig_to_qapi(const StubTrig *t)
{
    MCDTrig *q = g_new0(MCDTrig, 1);

    /* The type tells the structure, except simple versus complex. */
    switch (t->simple.type) {
    case MCD_TRIG_TYPE_TRIG_BUS:
        q->trig_trig_bus = g_new0(MCDTrigTrigBus, 1);
        TRIG_HEAD_TO_QAPI(q->trig_trig_bus, &t->bus);
        q->trig_trig_bus->trig_bus_value = t->bus.trig_bus_value;
        q->trig_trig_bus->trig_bus_mask = t->bus.trig_bus_mask;
        break;
    case MCD_TRIG_TYPE_COUNTER:
        q->trig_counter = g_new0(MCDTrigCounter, 1);
        TRIG_HEAD_TO_QAPI(q->trig_counter, &t->counter);
        q->trig_counter->count_value = t->counter.count_value;
        q->trig_counter->reload_value = t->counter.reload_value;
        break;
    case MCD_TRIG_TYPE_CUSTOM:
        q->trig_custom = g_new0(MCDTrigCustom, 1);
        TRIG_HEAD_TO_QAPI(q->trig_custom, &t->custom);
        q->trig_custom->ctrig_id = t->custom.ctrig_id;
        q->trig_custom->ctrig_args = id_list(t->custom.ctrig_args,
                                             ARRAY_SIZE(t->custom.ctrig_args));
        break;
    default:
        if (t->struct_size == sizeof(mcd_trig_complex_core_st)) {
            MCDTrigComplexCore *c = g_new0(MCDTrigComplexCore, 1);

            TRIG_HEAD_TO_QAPI(c, &t->complex);
            c->addr_start = addr_to_qapi(&t->complex.addr_start);
            c->addr_range = t->complex.addr_range;
            c->data_start = t->complex.data_start;
            c->data_range = t->complex.data_range;
            c->data_mask = t->complex.data_mask;
            c->data_size = t->complex.data_size;
            c->hw_thread_id = t->complex.hw_thread_id;
            c->sw_thread_id = t->complex.sw_thread_id;
            c->core_mode_mask = t->complex.core_mode_mask;
            q->trig_complex_core = c;
        } else {
            MCDTrigSimpleCore *c = g_new0(MCDTrigSimpleCore, 1);

            TRIG_HEAD_TO_QAPI(c, &t->simple);
            c->addr_start = addr_to_qapi(&t->simple.addr_start);
            c->addr_range = t->simple.addr_range;
            q->trig_simple_core = c;
        }
        break;
    }
    return q;
}

MCDQryTrigInfoResult *qmp_mcd_qry_trig_info(uint32_t core_uid, Error **errp)
{
    MCDQryTrigInfoResult *res = g_new0(MCDQryTrigInfoResult, 1);
    const mcd_core_st *core;
    mcd_trig_info_st ti;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_trig_info_f(core, &ti);
    if (!res->return_status) {
        res->trig_info = g_new(MCDTrigInfo, 1);
        *res->trig_info = (MCDTrigInfo) {
            .type = ti.type,
            .option = ti.option,
            .action = ti.action,
            .trig_number = ti.trig_number,
            .state_number = ti.state_number,
            .counter_number = ti.counter_number,
            .sw_breakpoints = ti.sw_breakpoints,
        };
    }
    return res;
}

MCDQryCtrigsResult *qmp_mcd_qry_ctrigs(uint32_t core_uid,
                                       uint32_t start_index,
                                       uint32_t num_ctrigs, Error **errp)
{
    MCDQryCtrigsResult *res = g_new0(MCDQryCtrigsResult, 1);
    g_autofree mcd_ctrig_info_st *ct = stub_entries(&num_ctrigs, sizeof(*ct));
    MCDCtrigInfoList **tail = &res->ctrig_info;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_ctrigs_f(core, start_index, &num_ctrigs, ct);
    if (res->return_status) {
        return res;
    }
    res->has_num_ctrigs = true;
    res->num_ctrigs = num_ctrigs;
    res->has_ctrig_info = ct != NULL;
    for (uint32_t i = 0; ct && i < num_ctrigs; i++) {
        MCDCtrigInfo *q = g_new(MCDCtrigInfo, 1);

        q->ctrig_id = ct[i].ctrig_id;
        q->info_str = STR(ct[i].info_str);
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

MCDCreateTrigResult *qmp_mcd_create_trig(uint32_t core_uid, MCDTrig *trig,
                                         Error **errp)
{
    MCDCreateTrigResult *res = g_new0(MCDCreateTrigResult, 1);
    const mcd_core_st *core;
    StubTrig t;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    if (!trig_from_qapi(&t, trig)) {
        res->return_status = mcd_fail(core->instance, MCD_ERR_PARAM,
                                      "the trigger has no structure");
        return res;
    }
    res->return_status = mcd_create_trig_f(core, &t, &res->trig_id);
    if (!res->return_status) {
        /* The trigger as created, which may differ (modified is set). */
        res->trig = trig_to_qapi(&t);
        res->has_trig_id = true;
    }
    return res;
}

MCDQryTrigResult *qmp_mcd_qry_trig(uint32_t core_uid, uint32_t trig_id,
                                   bool has_max_trig_size,
                                   uint32_t max_trig_size, Error **errp)
{
    MCDQryTrigResult *res = g_new0(MCDQryTrigResult, 1);
    const mcd_core_st *core;
    StubTrig t = { 0 };

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    if (!has_max_trig_size || max_trig_size > sizeof(t)) {
        max_trig_size = sizeof(t);
    }
    res->return_status = mcd_qry_trig_f(core, trig_id, max_trig_size, &t);
    if (!res->return_status) {
        res->trig = trig_to_qapi(&t);
    }
    return res;
}

MCDRemoveTrigResult *qmp_mcd_remove_trig(uint32_t core_uid, uint32_t trig_id,
                                         Error **errp)
{
    MCDRemoveTrigResult *res = g_new0(MCDRemoveTrigResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_remove_trig_f(core, trig_id);
    }
    return res;
}

MCDQryTrigStateResult *qmp_mcd_qry_trig_state(uint32_t core_uid,
                                              uint32_t trig_id, Error **errp)
{
    MCDQryTrigStateResult *res = g_new0(MCDQryTrigStateResult, 1);
    const mcd_core_st *core;
    mcd_trig_state_st ts;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_trig_state_f(core, trig_id, &ts);
    if (!res->return_status) {
        res->trig_state = g_new(MCDTrigState, 1);
        *res->trig_state = (MCDTrigState) {
            .active = ts.active,
            .captured = ts.captured,
            .captured_valid = ts.captured_valid,
            .count_value = ts.count_value,
            .count_valid = ts.count_valid,
        };
    }
    return res;
}

MCDActivateTrigSetResult *qmp_mcd_activate_trig_set(uint32_t core_uid,
                                                    Error **errp)
{
    MCDActivateTrigSetResult *res = g_new0(MCDActivateTrigSetResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_activate_trig_set_f(core);
    }
    return res;
}

MCDRemoveTrigSetResult *qmp_mcd_remove_trig_set(uint32_t core_uid,
                                                Error **errp)
{
    MCDRemoveTrigSetResult *res = g_new0(MCDRemoveTrigSetResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_remove_trig_set_f(core);
    }
    return res;
}

MCDQryTrigSetResult *qmp_mcd_qry_trig_set(uint32_t core_uid,
                                          uint32_t start_index,
                                          uint32_t num_trigs, Error **errp)
{
    MCDQryTrigSetResult *res = g_new0(MCDQryTrigSetResult, 1);
    g_autofree uint32_t *ids = stub_entries(&num_trigs, sizeof(*ids));
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_trig_set_f(core, start_index, &num_trigs,
                                            ids);
    if (!res->return_status) {
        res->has_num_trigs = true;
        res->num_trigs = num_trigs;
        res->has_trig_ids = ids != NULL;
        res->trig_ids = id_list(ids, num_trigs);
    }
    return res;
}

MCDQryTrigSetStateResult *qmp_mcd_qry_trig_set_state(uint32_t core_uid,
                                                     Error **errp)
{
    MCDQryTrigSetStateResult *res = g_new0(MCDQryTrigSetStateResult, 1);
    const mcd_core_st *core;
    mcd_trig_set_state_st ts;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_trig_set_state_f(core, &ts);
    if (!res->return_status) {
        res->trig_state = g_new(MCDTrigSetState, 1);
        *res->trig_state = (MCDTrigSetState) {
            .active = ts.active,
            .state = ts.state,
            .state_valid = ts.state_valid,
            .trig_bus = ts.trig_bus,
            .trig_bus_valid = ts.trig_bus_valid,
            .trace = ts.trace,
            .trace_valid = ts.trace_valid,
            .analysis = ts.analysis,
            .analysis_valid = ts.analysis_valid,
        };
    }
    return res;
}

/* Target access */

/*
 * Check the list against the payload limits before any buffer is
 * allocated for it; num-tx must match the transactions sent.
 */
static mcd_return_et txlist_check(McdCore *core, const MCDTxlist *q)
{
    uint64_t bytes = 0, shared = 0;
    uint32_t n = 0;

    for (MCDTxList *l = q->tx; l; l = l->next) {
        if (++n > MCD_TX_NUM_MAX) {
            break;
        }
        if (l->value->has_shared_offset) {
            shared += l->value->num_bytes;
        } else {
            bytes += l->value->num_bytes;
        }
    }
    if (n != q->num_tx) {
        return mcd_fail(core, MCD_ERR_PARAM,
                        "num-tx is %" PRIu32 " but %s%" PRIu32
                        " transactions were sent", q->num_tx,
                        n > MCD_TX_NUM_MAX ? "more than " : "",
                        MIN(n, MCD_TX_NUM_MAX));
    }
    /* Bounds the time one list keeps the main loop, as the payload does. */
    if (mcd_session->shared && shared > mcd_session->shared_size) {
        return mcd_fail(core, MCD_ERR_PARAM,
                        "%" PRIu64 " bytes through the shared buffer: at "
                        "most its size, %" PRIu64 ", per list", shared,
                        mcd_session->shared_size);
    }
    return mcd_txlist_limits(core, n, bytes);
}

/* The answer to @in, executed as @tl. */
static MCDTxlist *txlist_to_qapi(const mcd_txlist_st *tl,
                                 const MCDTxlist *in, bool hex)
{
    MCDTxlist *q = g_new0(MCDTxlist, 1);
    MCDTxList **tail = &q->tx;
    const MCDTxList *l = in->tx;

    q->num_tx = tl->num_tx;
    q->num_tx_ok = tl->num_tx_ok;
    for (uint32_t i = 0; i < tl->num_tx; i++, l = l->next) {
        const mcd_tx_st *tx = &tl->tx[i];
        MCDTx *t = g_new0(MCDTx, 1);
        /*
         * Only what was read comes back, and not what is in the shared
         * buffer already; a write is not echoed.
         */
        uint32_t n = mcd_tx_reads(tx->access_type) &&
                     !l->value->has_shared_offset ? tx->num_bytes_ok : 0;

        *t = (MCDTx) {
            .addr = addr_to_qapi(&tx->addr),
            .access_type = tx->access_type,
            .options = tx->options,
            .access_width = tx->access_width,
            .core_mode = tx->core_mode,
            .has_shared_offset = l->value->has_shared_offset,
            .shared_offset = l->value->shared_offset,
            .num_bytes = tx->num_bytes,
            .num_bytes_ok = tx->num_bytes_ok,
        };
        t->data = g_byte_array_new();
        if (hex) {
            static const char digit[] = "0123456789abcdef";

            t->data_hex = g_malloc(2 * n + 1);
            for (uint32_t j = 0; j < n; j++) {
                t->data_hex[2 * j] = digit[tx->data[j] >> 4];
                t->data_hex[2 * j + 1] = digit[tx->data[j] & 15];
            }
            t->data_hex[2 * n] = '\0';
        } else {
            g_byte_array_append(t->data, tx->data, n);
        }
        QAPI_LIST_APPEND(tail, t);
    }
    return q;
}

/* The bytes a transaction carries, from data-hex or data; their number. */
static uint32_t tx_data_from_qapi(const MCDTx *t, uint8_t *p, bool *bad)
{
    uint32_t j = 0;

    if (t->data_hex) {
        size_t len = strlen(t->data_hex);

        *bad = len % 2 != 0;
        for (; j < t->num_bytes && 2 * j + 1 < len && !*bad; j++) {
            int hi = g_ascii_xdigit_value(t->data_hex[2 * j]);
            int lo = g_ascii_xdigit_value(t->data_hex[2 * j + 1]);

            *bad = hi < 0 || lo < 0;
            p[j] = hi << 4 | lo;
        }
        return j;
    }
    j = MIN(t->data->len, t->num_bytes);
    /* An empty GByteArray may have no data at all. */
    if (j) {
        memcpy(p, t->data->data, j);
    }
    return j;
}

MCDSetSharedBufferResult *qmp_mcd_set_shared_buffer(uint32_t server_uid,
                                                    uint64_t size,
                                                    Error **errp)
{
    MCDSetSharedBufferResult *res = g_new0(MCDSetSharedBufferResult, 1);
    int fd = mcd_monitor_take_fd();

    res->return_status = mcd_shared_buffer_set(stub_server(server_uid), fd,
                                               size);
    /* A mapping outlives its descriptor. */
    if (fd >= 0) {
        close(fd);
    }
    return res;
}

MCDExecuteTxlistResult *qmp_mcd_execute_txlist(uint32_t core_uid,
                                               MCDTxlist *txlist,
                                               Error **errp)
{
    MCDExecuteTxlistResult *res = g_new0(MCDExecuteTxlistResult, 1);
    g_autofree mcd_tx_st *tx = NULL;
    g_autofree uint8_t *buf = NULL;
    mcd_txlist_st tl;
    const mcd_core_st *core;
    MCDTxList *l;
    uint8_t *p;
    uint32_t i;
    size_t bytes = 0;
    bool hex = false;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = txlist_check(core->instance, txlist);
    if (res->return_status) {
        return res;
    }
    for (l = txlist->tx; l; l = l->next) {
        bytes += l->value->has_shared_offset ? 0 : l->value->num_bytes;
        hex |= l->value->data_hex != NULL;
    }
    tx = g_new0(mcd_tx_st, txlist->num_tx);
    p = buf = g_malloc0(bytes ?: 1);
    for (l = txlist->tx, i = 0; l; l = l->next, i++) {
        const MCDTx *t = l->value;
        bool bad = false;
        uint8_t *data = p;
        uint32_t j;

        if (t->has_shared_offset) {
            data = mcd_shared_buffer_at(core->instance, i, t->shared_offset,
                                        t->num_bytes);
            if (!data) {
                res->return_status = MCD_RET_ACT_HANDLE_ERROR;
                return res;
            }
            j = t->num_bytes;
        } else {
            j = tx_data_from_qapi(t, p, &bad);
            p += t->num_bytes;
        }
        tx[i] = (mcd_tx_st) {
            .access_type = t->access_type,
            .options = t->options,
            .access_width = t->access_width,
            .core_mode = t->core_mode,
            .data = data,
            .num_bytes = t->num_bytes,
        };
        addr_from_qapi(&tx[i].addr, t->addr);
        if (bad || (j < t->num_bytes && mcd_tx_writes(t->access_type))) {
            res->return_status = mcd_fail(core->instance, MCD_ERR_PARAM,
                                          "transaction %" PRIu32 " writes %"
                                          PRIu32 " bytes but carries %s%"
                                          PRIu32, i, t->num_bytes,
                                          bad ? "malformed hex after " : "",
                                          j);
            return res;
        }
    }
    tl = (mcd_txlist_st) { .tx = tx, .num_tx = txlist->num_tx };
    res->return_status = mcd_execute_txlist_f(core, &tl);
    /* Partial results count too: num-tx-ok and num-bytes-ok tell. */
    res->txlist = txlist_to_qapi(&tl, txlist, hex);
    return res;
}

/* Run control */

MCDRunResult *qmp_mcd_run(uint32_t core_uid, bool global, Error **errp)
{
    MCDRunResult *res = g_new0(MCDRunResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_run_f(core, global);
    }
    return res;
}

MCDStopResult *qmp_mcd_stop(uint32_t core_uid, bool global, Error **errp)
{
    MCDStopResult *res = g_new0(MCDStopResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_stop_f(core, global);
    }
    return res;
}

MCDRunUntilResult *qmp_mcd_run_until(uint32_t core_uid, bool global,
                                     bool absolute_time,
                                     uint64_t run_until_time, Error **errp)
{
    MCDRunUntilResult *res = g_new0(MCDRunUntilResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_run_until_f(core, global, absolute_time,
                                             run_until_time);
    }
    return res;
}

MCDQryCurrentTimeResult *qmp_mcd_qry_current_time(uint32_t core_uid,
                                                  Error **errp)
{
    MCDQryCurrentTimeResult *res = g_new0(MCDQryCurrentTimeResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_qry_current_time_f(core, &res->current_time);
        res->has_current_time = !res->return_status;
    }
    return res;
}

/* The step has ended: the answer that mcd-step deferred. */
static void stub_step_done(mcd_return_et ret, void *opaque)
{
    MCDStepResult res = { .return_status = ret }, *p = &res;
    QObject *obj;
    Visitor *v = qobject_output_visitor_new(&obj);

    visit_type_MCDStepResult(v, NULL, &p, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    mcd_monitor_answer(opaque, obj);
}

MCDStepResult *qmp_mcd_step(uint32_t core_uid, bool global,
                            uint32_t step_type, uint32_t n_steps,
                            Error **errp)
{
    MCDStepResult *res = g_new0(MCDStepResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_step_start(core, global, step_type, n_steps,
                                            stub_step_done,
                                            mcd_monitor_waiter());
        if (!res->return_status && mcd_server.stepping) {
            mcd_monitor_defer();
        }
    }
    return res;
}

MCDSetGlobalResult *qmp_mcd_set_global(uint32_t core_uid, bool enable,
                                       Error **errp)
{
    MCDSetGlobalResult *res = g_new0(MCDSetGlobalResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_set_global_f(core, enable);
    }
    return res;
}

MCDQryStateResult *qmp_mcd_qry_state(uint32_t core_uid, Error **errp)
{
    MCDQryStateResult *res = g_new0(MCDQryStateResult, 1);
    const mcd_core_st *core;
    mcd_core_state_st st;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_state_f(core, &st);
    if (!res->return_status) {
        res->state = g_new(MCDCoreState, 1);
        *res->state = (MCDCoreState) {
            .state = st.state,
            .event = st.event,
            .hw_thread_id = st.hw_thread_id,
            .trig_id = st.trig_id,
            .stop_str = STR(st.stop_str),
            .info_str = STR(st.info_str),
        };
    }
    return res;
}

MCDExecuteCommandResult *qmp_mcd_execute_command(uint32_t core_uid,
                                                 const char *command_string,
                                                 uint32_t result_string_size,
                                                 Error **errp)
{
    MCDExecuteCommandResult *res = g_new0(MCDExecuteCommandResult, 1);
    g_autofree char *result = NULL;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    result_string_size = MIN(result_string_size, MCD_MAX_PAYLOAD);
    result = g_malloc0(result_string_size + 1);
    res->return_status = mcd_execute_command_f(core, command_string,
                                               result_string_size, result);
    if (!res->return_status) {
        res->result_string = g_strdup(result);
    }
    return res;
}

/* Reset */

MCDQryRstClassesResult *qmp_mcd_qry_rst_classes(uint32_t core_uid,
                                                Error **errp)
{
    MCDQryRstClassesResult *res = g_new0(MCDQryRstClassesResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_qry_rst_classes_f(core,
                                                   &res->rst_class_vector);
        res->has_rst_class_vector = !res->return_status;
    }
    return res;
}

MCDQryRstClassInfoResult *qmp_mcd_qry_rst_class_info(uint32_t core_uid,
                                                     uint8_t rst_class,
                                                     Error **errp)
{
    MCDQryRstClassInfoResult *res = g_new0(MCDQryRstClassInfoResult, 1);
    const mcd_core_st *core;
    mcd_rst_info_st ri;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_rst_class_info_f(core, rst_class, &ri);
    if (!res->return_status) {
        res->rst_info = g_new(MCDRstInfo, 1);
        res->rst_info->class_vector = ri.class_vector;
        res->rst_info->info_str = STR(ri.info_str);
    }
    return res;
}

MCDRstResult *qmp_mcd_rst(uint32_t core_uid, uint32_t rst_class_vector,
                          bool rst_and_halt, Error **errp)
{
    MCDRstResult *res = g_new0(MCDRstResult, 1);
    const mcd_core_st *core;

    if (stub_core(core_uid, &core, &res->return_status)) {
        res->return_status = mcd_rst_f(core, rst_class_vector, rst_and_halt);
    }
    return res;
}

/* Communication channels */

static void chl_from_qapi(mcd_chl_st *c, const MCDChl *q)
{
    *c = (mcd_chl_st) {
        .chl_id = q->chl_id,
        .type = q->type,
        .attributes = q->attributes,
        .max_msg_len = q->max_msg_len,
        .prio = q->prio,
    };
    addr_from_qapi(&c->msg_buffer_addr, q->msg_buffer_addr);
}

MCDChlOpenResult *qmp_mcd_chl_open(uint32_t core_uid, MCDChl *channel,
                                   Error **errp)
{
    MCDChlOpenResult *res = g_new0(MCDChlOpenResult, 1);
    const mcd_core_st *core;
    mcd_chl_st chl;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    chl_from_qapi(&chl, channel);
    res->return_status = mcd_chl_open_f(core, &chl);
    if (!res->return_status) {
        res->channel = g_new(MCDChl, 1);
        *res->channel = (MCDChl) {
            .chl_id = chl.chl_id,
            .type = chl.type,
            .attributes = chl.attributes,
            .max_msg_len = chl.max_msg_len,
            .msg_buffer_addr = addr_to_qapi(&chl.msg_buffer_addr),
            .prio = chl.prio,
        };
    }
    return res;
}

MCDSendMsgResult *qmp_mcd_send_msg(uint32_t core_uid, MCDChl *channel,
                                   uint32_t msg_len, uint8List *msg,
                                   Error **errp)
{
    MCDSendMsgResult *res = g_new0(MCDSendMsgResult, 1);
    g_autofree uint8_t *buf = NULL;
    const mcd_core_st *core;
    mcd_chl_st chl;
    uint32_t n = 0;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    /* The message is only as long as what was actually sent. */
    msg_len = MIN(msg_len, MCD_MAX_PAYLOAD);
    buf = g_malloc0(msg_len + 1);
    for (; msg && n < msg_len; msg = msg->next) {
        buf[n++] = msg->value;
    }
    chl_from_qapi(&chl, channel);
    res->return_status = mcd_send_msg_f(core, &chl, n, buf);
    return res;
}

MCDReceiveMsgResult *qmp_mcd_receive_msg(uint32_t core_uid, MCDChl *channel,
                                         uint32_t timeout, uint32_t msg_len,
                                         Error **errp)
{
    MCDReceiveMsgResult *res = g_new0(MCDReceiveMsgResult, 1);
    g_autofree uint8_t *buf = NULL;
    const mcd_core_st *core;
    mcd_chl_st chl;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    msg_len = MIN(msg_len, MCD_MAX_PAYLOAD);
    buf = g_malloc0(msg_len + 1);
    chl_from_qapi(&chl, channel);
    res->return_status = mcd_receive_msg_f(core, &chl, timeout, &msg_len,
                                           buf);
    if (!res->return_status) {
        uint8List **tail = &res->msg;

        res->has_msg_len = res->has_msg = true;
        res->msg_len = msg_len;
        for (uint32_t i = 0; i < msg_len; i++) {
            QAPI_LIST_APPEND(tail, buf[i]);
        }
    }
    return res;
}

MCDChlResetResult *qmp_mcd_chl_reset(uint32_t core_uid, MCDChl *channel,
                                     Error **errp)
{
    MCDChlResetResult *res = g_new0(MCDChlResetResult, 1);
    const mcd_core_st *core;
    mcd_chl_st chl;

    if (stub_core(core_uid, &core, &res->return_status)) {
        chl_from_qapi(&chl, channel);
        res->return_status = mcd_chl_reset_f(core, &chl);
    }
    return res;
}

MCDChlCloseResult *qmp_mcd_chl_close(uint32_t core_uid, MCDChl *channel,
                                     Error **errp)
{
    MCDChlCloseResult *res = g_new0(MCDChlCloseResult, 1);
    const mcd_core_st *core;
    mcd_chl_st chl;

    if (stub_core(core_uid, &core, &res->return_status)) {
        chl_from_qapi(&chl, channel);
        res->return_status = mcd_chl_close_f(core, &chl);
    }
    return res;
}

/* Trace */

static MCDTraceState *trace_state_to_qapi(const mcd_trace_state_st *s)
{
    MCDTraceState *q = g_new(MCDTraceState, 1);

    *q = (MCDTraceState) {
        .state = s->state,
        .mode = s->mode,
        .autoarm = s->autoarm,
        .wraparound = s->wraparound,
        .frames = s->frames,
        .count = s->count,
        .size = s->size,
        .trigger_delay = s->trigger_delay,
        .timestamp_accuracy = s->timestamp_accuracy,
        .timestamp_is_time = s->timestamp_is_time,
        .options = s->options,
        .modified = s->modified,
        .info_str = STR(s->info_str),
    };
    return q;
}

MCDQryTracesResult *qmp_mcd_qry_traces(uint32_t core_uid,
                                       uint32_t start_index,
                                       uint32_t num_traces, Error **errp)
{
    MCDQryTracesResult *res = g_new0(MCDQryTracesResult, 1);
    g_autofree mcd_trace_info_st *ti = stub_entries(&num_traces, sizeof(*ti));
    MCDTraceInfoList **tail = &res->trace_info;
    const mcd_core_st *core;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_traces_f(core, start_index, &num_traces, ti);
    if (res->return_status) {
        return res;
    }
    res->has_num_traces = true;
    res->num_traces = num_traces;
    res->has_trace_info = ti != NULL;
    for (uint32_t i = 0; ti && i < num_traces; i++) {
        MCDTraceInfo *q = g_new(MCDTraceInfo, 1);

        *q = (MCDTraceInfo) {
            .trace_id = ti[i].trace_id,
            .trace_name = STR(ti[i].trace_name),
            .trace_type = ti[i].trace_type,
            .trace_format = ti[i].trace_format,
            .trace_modes = ti[i].trace_modes,
            .trace_no_timestamps = ti[i].trace_no_timestamps,
            .trace_shared = ti[i].trace_shared,
            .trace_size_is_bytes = ti[i].trace_size_is_bytes,
        };
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

MCDQryTraceStateResult *qmp_mcd_qry_trace_state(uint32_t core_uid,
                                                uint32_t trace_id,
                                                Error **errp)
{
    MCDQryTraceStateResult *res = g_new0(MCDQryTraceStateResult, 1);
    const mcd_core_st *core;
    mcd_trace_state_st ts;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    res->return_status = mcd_qry_trace_state_f(core, trace_id, &ts);
    if (!res->return_status) {
        res->state = trace_state_to_qapi(&ts);
    }
    return res;
}

MCDSetTraceStateResult *qmp_mcd_set_trace_state(uint32_t core_uid,
                                                uint32_t trace_id,
                                                MCDTraceState *state,
                                                Error **errp)
{
    MCDSetTraceStateResult *res = g_new0(MCDSetTraceStateResult, 1);
    const mcd_core_st *core;
    mcd_trace_state_st ts;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    ts = (mcd_trace_state_st) {
        .state = state->state,
        .mode = state->mode,
        .autoarm = state->autoarm,
        .wraparound = state->wraparound,
        .frames = state->frames,
        .count = state->count,
        .size = state->size,
        .trigger_delay = state->trigger_delay,
        .timestamp_accuracy = state->timestamp_accuracy,
        .timestamp_is_time = state->timestamp_is_time,
        .options = state->options,
        .modified = state->modified,
    };
    mcd_strcpy(ts.info_str, state->info_str);
    res->return_status = mcd_set_trace_state_f(core, trace_id, &ts);
    if (!res->return_status) {
        res->state = trace_state_to_qapi(&ts);
    }
    return res;
}

/*
 * The most room a core trace frame takes in an answer: as a JSON object
 * with every member at its longest, or packed (40 bytes in base64).
 */
#define STUB_TRACE_JSON_FRAME 320
#define STUB_TRACE_PACKED_FRAME 56

static char *trace_frames_packed(const mcd_trace_data_core_st *f, uint32_t n)
{
    g_autofree uint8_t *buf = g_malloc0_n(n, 40);

    for (uint32_t i = 0; i < n; i++) {
        uint8_t *p = buf + (size_t)i * 40;

        stq_le_p(p, f[i].timestamp);
        stq_le_p(p + 8, f[i].addr.address);
        stq_le_p(p + 16, f[i].data);
        stl_le_p(p + 24, f[i].marker);
        stl_le_p(p + 28, f[i].cycle);
        stl_le_p(p + 32, f[i].addr.mem_space_id);
        p[36] = f[i].data_width;
        p[37] = f[i].data_mask;
        stw_le_p(p + 38, f[i].source);
    }
    return g_base64_encode(buf, (size_t)n * 40);
}

MCDReadTraceResult *qmp_mcd_read_trace(uint32_t core_uid, uint32_t trace_id,
                                       uint64_t start_index,
                                       uint32_t num_frames,
                                       uint32_t trace_data_size,
                                       bool has_packed, bool packed,
                                       Error **errp)
{
    MCDReadTraceResult *res = g_new0(MCDReadTraceResult, 1);
    g_autofree mcd_trace_data_core_st *f = NULL;
    const mcd_core_st *core;
    MCDTraceDataCoreList **tail;
    uint32_t room;

    if (!stub_core(core_uid, &core, &res->return_status)) {
        return res;
    }
    /* QEMU's only trace is a core trace: no other frames to carry. */
    room = (mcd_session_max_answer(mcd_session) - MCD_ANSWER_OVERHEAD) /
           (packed ? STUB_TRACE_PACKED_FRAME : STUB_TRACE_JSON_FRAME);
    num_frames = MIN(num_frames, room);
    if (num_frames && trace_data_size == sizeof(*f)) {
        f = g_new0(mcd_trace_data_core_st, num_frames);
    }
    res->return_status = mcd_read_trace_f(core, trace_id, start_index,
                                          &num_frames, trace_data_size, f);
    if (res->return_status) {
        return res;
    }
    res->has_num_frames = true;
    res->num_frames = num_frames;
    if (packed) {
        res->trace_data_packed = trace_frames_packed(f, num_frames);
        return res;
    }
    res->trace_data = g_new0(MCDTraceData, 1);
    res->trace_data->has_trace_data_core = true;
    tail = &res->trace_data->trace_data_core;
    for (uint32_t i = 0; i < num_frames; i++) {
        MCDTraceDataCore *q = g_new(MCDTraceDataCore, 1);

        *q = (MCDTraceDataCore) {
            .timestamp = f[i].timestamp,
            .marker = f[i].marker,
            .cycle = f[i].cycle,
            .addr = addr_to_qapi(&f[i].addr),
            .data = f[i].data,
            .data_width = f[i].data_width,
            .data_mask = f[i].data_mask,
            .source = f[i].source,
            .aux_info = f[i].aux_info,
        };
        QAPI_LIST_APPEND(tail, q);
    }
    return res;
}

/* Introspection */

QObject *qmp_query_mcd_schema(Error **errp)
{
    return qobject_from_qlit(&mcd_qmp_schema_qlit);
}
