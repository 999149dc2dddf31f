/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: C structures to JSON and back (json-glib)
 *
 * Each MCD structure is described once by a table of its members: JSON
 * name, kind, offset and size.  One generic encoder and one decoder walk
 * those tables, so a member cannot be forgotten in one direction only.
 * Member names follow qapi/mcd.json: the C name with '-' for '_'; the
 * few that differ (has_children -> children, ...) are spelled out.
 *
 * Numbers: json-glib keeps integers as gint64.  Values of uint64 members
 * above INT64_MAX therefore travel as their two's complement, which
 * QEMU's input visitor accepts for uint64 arguments; on the way back
 * json-glib wraps unsigned numbers the same way, and the cast to
 * uint64_t restores them exactly.
 *
 * Transaction data: QEMU's MCD server takes and gives the bytes of a
 * transaction as "data-hex", two hex digits per byte, when a request
 * asks for it (qapi/mcd.json, MCDTx); a number per byte costs it about
 * ten times as much.  Every transaction sent carries "data-hex" and an
 * empty "data", so the answer carries its bytes as hex too; an answer
 * without "data-hex" is read from "data".
 */

#include <string.h>
#include "mcdc.h"

#define FIELD(st, m, name, type, elem, sub) \
    { (name), (type), offsetof(st, m), G_SIZEOF_MEMBER(st, m), (elem), (sub) }
#define F_UINT(st, m, name) FIELD(st, m, name, MCDC_F_UINT, 0, NULL)
#define F_BOOL(st, m, name) FIELD(st, m, name, MCDC_F_BOOL, 0, NULL)
#define F_STR(st, m, name) FIELD(st, m, name, MCDC_F_STR, 0, NULL)
#define F_STRUCT(st, m, name, d) FIELD(st, m, name, MCDC_F_STRUCT, 0, &(d))
#define F_ARRAY(st, m, name) \
    FIELD(st, m, name, MCDC_F_UINT_ARRAY, G_SIZEOF_MEMBER(st, m[0]), NULL)
#define F_END { NULL, 0, 0, 0, 0, NULL }

#define DESC(st, fields) { #st, sizeof(st), (fields) }

static const McdcField api_version_fields[] = {
    F_UINT(mcd_api_version_st, v_api_major, "v-api-major"),
    F_UINT(mcd_api_version_st, v_api_minor, "v-api-minor"),
    F_STR(mcd_api_version_st, author, "author"),
    F_END
};
const McdcStructDesc mcdc_api_version_desc =
    DESC(mcd_api_version_st, api_version_fields);

static const McdcField impl_version_info_fields[] = {
    F_STRUCT(mcd_impl_version_info_st, v_api, "v-api",
             mcdc_api_version_desc),
    F_UINT(mcd_impl_version_info_st, v_imp_major, "v-imp-major"),
    F_UINT(mcd_impl_version_info_st, v_imp_minor, "v-imp-minor"),
    F_UINT(mcd_impl_version_info_st, v_imp_build, "v-imp-build"),
    F_STR(mcd_impl_version_info_st, vendor, "vendor"),
    F_STR(mcd_impl_version_info_st, date, "date"),
    F_END
};
const McdcStructDesc mcdc_impl_version_info_desc =
    DESC(mcd_impl_version_info_st, impl_version_info_fields);

static const McdcField error_info_fields[] = {
    F_UINT(mcd_error_info_st, return_status, "return-status"),
    F_UINT(mcd_error_info_st, error_code, "error-code"),
    F_UINT(mcd_error_info_st, error_events, "error-events"),
    F_STR(mcd_error_info_st, error_str, "error-str"),
    F_END
};
const McdcStructDesc mcdc_error_info_desc =
    DESC(mcd_error_info_st, error_info_fields);

static const McdcField server_info_fields[] = {
    F_STR(mcd_server_info_st, server, "server"),
    F_STR(mcd_server_info_st, system_instance, "system-instance"),
    F_STR(mcd_server_info_st, acc_hw, "acc-hw"),
    F_END
};
const McdcStructDesc mcdc_server_info_desc =
    DESC(mcd_server_info_st, server_info_fields);

static const McdcField core_con_info_fields[] = {
    F_STR(mcd_core_con_info_st, host, "host"),
    F_UINT(mcd_core_con_info_st, server_port, "server-port"),
    F_STR(mcd_core_con_info_st, server_key, "server-key"),
    F_STR(mcd_core_con_info_st, system_key, "system-key"),
    F_STR(mcd_core_con_info_st, device_key, "device-key"),
    F_STR(mcd_core_con_info_st, system, "system"),
    F_STR(mcd_core_con_info_st, system_instance, "system-instance"),
    F_STR(mcd_core_con_info_st, acc_hw, "acc-hw"),
    F_UINT(mcd_core_con_info_st, device_type, "device-type"),
    F_STR(mcd_core_con_info_st, device, "device"),
    F_UINT(mcd_core_con_info_st, device_id, "device-id"),
    F_STR(mcd_core_con_info_st, core, "core"),
    F_UINT(mcd_core_con_info_st, core_type, "core-type"),
    F_UINT(mcd_core_con_info_st, core_id, "core-id"),
    F_END
};
const McdcStructDesc mcdc_core_con_info_desc =
    DESC(mcd_core_con_info_st, core_con_info_fields);

static const McdcField core_mode_info_fields[] = {
    F_UINT(mcd_core_mode_info_st, core_mode, "core-mode"),
    F_STR(mcd_core_mode_info_st, name, "name"),
    F_END
};
const McdcStructDesc mcdc_core_mode_info_desc =
    DESC(mcd_core_mode_info_st, core_mode_info_fields);

static const McdcField addr_fields[] = {
    F_UINT(mcd_addr_st, address, "address"),
    F_UINT(mcd_addr_st, mem_space_id, "mem-space-id"),
    F_UINT(mcd_addr_st, addr_space_id, "addr-space-id"),
    F_UINT(mcd_addr_st, addr_space_type, "addr-space-type"),
    F_END
};
const McdcStructDesc mcdc_addr_desc = DESC(mcd_addr_st, addr_fields);

static const McdcField memspace_fields[] = {
    F_UINT(mcd_memspace_st, mem_space_id, "mem-space-id"),
    F_STR(mcd_memspace_st, mem_space_name, "mem-space-name"),
    F_UINT(mcd_memspace_st, mem_type, "mem-type"),
    F_UINT(mcd_memspace_st, bits_per_mau, "bits-per-mau"),
    F_UINT(mcd_memspace_st, invariance, "invariance"),
    F_UINT(mcd_memspace_st, endian, "endian"),
    F_UINT(mcd_memspace_st, min_addr, "min-addr"),
    F_UINT(mcd_memspace_st, max_addr, "max-addr"),
    F_UINT(mcd_memspace_st, num_mem_blocks, "num-mem-blocks"),
    F_UINT(mcd_memspace_st, supported_access_options,
           "supported-access-options"),
    F_UINT(mcd_memspace_st, core_mode_mask_read, "core-mode-mask-read"),
    F_UINT(mcd_memspace_st, core_mode_mask_write, "core-mode-mask-write"),
    F_END
};
const McdcStructDesc mcdc_memspace_desc =
    DESC(mcd_memspace_st, memspace_fields);

static const McdcField memblock_fields[] = {
    F_UINT(mcd_memblock_st, mem_block_id, "mem-block-id"),
    F_STR(mcd_memblock_st, mem_block_name, "mem-block-name"),
    F_BOOL(mcd_memblock_st, has_children, "children"),
    F_UINT(mcd_memblock_st, parent_id, "parent-id"),
    F_UINT(mcd_memblock_st, start_addr, "start-addr"),
    F_UINT(mcd_memblock_st, end_addr, "end-addr"),
    F_UINT(mcd_memblock_st, endian, "endian"),
    F_ARRAY(mcd_memblock_st, supported_au_sizes, "supported-au-sizes"),
    F_UINT(mcd_memblock_st, supported_access_options,
           "supported-access-options"),
    F_UINT(mcd_memblock_st, core_mode_mask_read, "core-mode-mask-read"),
    F_UINT(mcd_memblock_st, core_mode_mask_write, "core-mode-mask-write"),
    F_END
};
const McdcStructDesc mcdc_memblock_desc =
    DESC(mcd_memblock_st, memblock_fields);

static const McdcField register_group_fields[] = {
    F_UINT(mcd_register_group_st, reg_group_id, "reg-group-id"),
    F_STR(mcd_register_group_st, reg_group_name, "reg-group-name"),
    F_UINT(mcd_register_group_st, n_registers, "n-registers"),
    F_END
};
const McdcStructDesc mcdc_register_group_desc =
    DESC(mcd_register_group_st, register_group_fields);

static const McdcField register_info_fields[] = {
    F_STRUCT(mcd_register_info_st, addr, "addr", mcdc_addr_desc),
    F_UINT(mcd_register_info_st, reg_group_id, "reg-group-id"),
    F_STR(mcd_register_info_st, regname, "regname"),
    F_UINT(mcd_register_info_st, regsize, "regsize"),
    F_UINT(mcd_register_info_st, core_mode_mask_read, "core-mode-mask-read"),
    F_UINT(mcd_register_info_st, core_mode_mask_write,
           "core-mode-mask-write"),
    F_BOOL(mcd_register_info_st, has_side_effects_read, "side-effects-read"),
    F_BOOL(mcd_register_info_st, has_side_effects_write,
           "side-effects-write"),
    F_UINT(mcd_register_info_st, reg_type, "reg-type"),
    F_UINT(mcd_register_info_st, hw_thread_id, "hw-thread-id"),
    F_END
};
const McdcStructDesc mcdc_register_info_desc =
    DESC(mcd_register_info_st, register_info_fields);

static const McdcField trig_info_fields[] = {
    F_UINT(mcd_trig_info_st, type, "type"),
    F_UINT(mcd_trig_info_st, option, "option"),
    F_UINT(mcd_trig_info_st, action, "action"),
    F_UINT(mcd_trig_info_st, trig_number, "trig-number"),
    F_UINT(mcd_trig_info_st, state_number, "state-number"),
    F_UINT(mcd_trig_info_st, counter_number, "counter-number"),
    F_BOOL(mcd_trig_info_st, sw_breakpoints, "sw-breakpoints"),
    F_END
};
const McdcStructDesc mcdc_trig_info_desc =
    DESC(mcd_trig_info_st, trig_info_fields);

static const McdcField ctrig_info_fields[] = {
    F_UINT(mcd_ctrig_info_st, ctrig_id, "ctrig-id"),
    F_STR(mcd_ctrig_info_st, info_str, "info-str"),
    F_END
};
const McdcStructDesc mcdc_ctrig_info_desc =
    DESC(mcd_ctrig_info_st, ctrig_info_fields);

/*
 * Triggers: the members every variant starts with come first, except
 * struct_size: that one says which C structure is meant and does not
 * travel.
 */
static const McdcField trig_simple_core_fields[] = {
    F_UINT(mcd_trig_simple_core_st, type, "type"),
    F_UINT(mcd_trig_simple_core_st, option, "option"),
    F_UINT(mcd_trig_simple_core_st, action, "action"),
    F_UINT(mcd_trig_simple_core_st, action_param, "action-param"),
    F_BOOL(mcd_trig_simple_core_st, modified, "modified"),
    F_UINT(mcd_trig_simple_core_st, state_mask, "state-mask"),
    F_STRUCT(mcd_trig_simple_core_st, addr_start, "addr-start",
             mcdc_addr_desc),
    F_UINT(mcd_trig_simple_core_st, addr_range, "addr-range"),
    F_END
};
const McdcStructDesc mcdc_trig_simple_core_desc =
    DESC(mcd_trig_simple_core_st, trig_simple_core_fields);

static const McdcField trig_complex_core_fields[] = {
    F_UINT(mcd_trig_complex_core_st, type, "type"),
    F_UINT(mcd_trig_complex_core_st, option, "option"),
    F_UINT(mcd_trig_complex_core_st, action, "action"),
    F_UINT(mcd_trig_complex_core_st, action_param, "action-param"),
    F_BOOL(mcd_trig_complex_core_st, modified, "modified"),
    F_UINT(mcd_trig_complex_core_st, state_mask, "state-mask"),
    F_STRUCT(mcd_trig_complex_core_st, addr_start, "addr-start",
             mcdc_addr_desc),
    F_UINT(mcd_trig_complex_core_st, addr_range, "addr-range"),
    F_UINT(mcd_trig_complex_core_st, data_start, "data-start"),
    F_UINT(mcd_trig_complex_core_st, data_range, "data-range"),
    F_UINT(mcd_trig_complex_core_st, data_mask, "data-mask"),
    F_UINT(mcd_trig_complex_core_st, data_size, "data-size"),
    F_UINT(mcd_trig_complex_core_st, hw_thread_id, "hw-thread-id"),
    F_UINT(mcd_trig_complex_core_st, sw_thread_id, "sw-thread-id"),
    F_UINT(mcd_trig_complex_core_st, core_mode_mask, "core-mode-mask"),
    F_END
};
const McdcStructDesc mcdc_trig_complex_core_desc =
    DESC(mcd_trig_complex_core_st, trig_complex_core_fields);

static const McdcField trig_trig_bus_fields[] = {
    F_UINT(mcd_trig_trig_bus_st, type, "type"),
    F_UINT(mcd_trig_trig_bus_st, option, "option"),
    F_UINT(mcd_trig_trig_bus_st, action, "action"),
    F_UINT(mcd_trig_trig_bus_st, action_param, "action-param"),
    F_BOOL(mcd_trig_trig_bus_st, modified, "modified"),
    F_UINT(mcd_trig_trig_bus_st, state_mask, "state-mask"),
    F_UINT(mcd_trig_trig_bus_st, trig_bus_value, "trig-bus-value"),
    F_UINT(mcd_trig_trig_bus_st, trig_bus_mask, "trig-bus-mask"),
    F_END
};
const McdcStructDesc mcdc_trig_trig_bus_desc =
    DESC(mcd_trig_trig_bus_st, trig_trig_bus_fields);

static const McdcField trig_counter_fields[] = {
    F_UINT(mcd_trig_counter_st, type, "type"),
    F_UINT(mcd_trig_counter_st, option, "option"),
    F_UINT(mcd_trig_counter_st, action, "action"),
    F_UINT(mcd_trig_counter_st, action_param, "action-param"),
    F_BOOL(mcd_trig_counter_st, modified, "modified"),
    F_UINT(mcd_trig_counter_st, state_mask, "state-mask"),
    F_UINT(mcd_trig_counter_st, count_value, "count-value"),
    F_UINT(mcd_trig_counter_st, reload_value, "reload-value"),
    F_END
};
const McdcStructDesc mcdc_trig_counter_desc =
    DESC(mcd_trig_counter_st, trig_counter_fields);

static const McdcField trig_custom_fields[] = {
    F_UINT(mcd_trig_custom_st, type, "type"),
    F_UINT(mcd_trig_custom_st, option, "option"),
    F_UINT(mcd_trig_custom_st, action, "action"),
    F_UINT(mcd_trig_custom_st, action_param, "action-param"),
    F_BOOL(mcd_trig_custom_st, modified, "modified"),
    F_UINT(mcd_trig_custom_st, state_mask, "state-mask"),
    F_UINT(mcd_trig_custom_st, ctrig_id, "ctrig-id"),
    F_ARRAY(mcd_trig_custom_st, ctrig_args, "ctrig-args"),
    F_END
};
const McdcStructDesc mcdc_trig_custom_desc =
    DESC(mcd_trig_custom_st, trig_custom_fields);

static const McdcField trig_state_fields[] = {
    F_BOOL(mcd_trig_state_st, active, "active"),
    F_BOOL(mcd_trig_state_st, captured, "captured"),
    F_BOOL(mcd_trig_state_st, captured_valid, "captured-valid"),
    F_UINT(mcd_trig_state_st, count_value, "count-value"),
    F_BOOL(mcd_trig_state_st, count_valid, "count-valid"),
    F_END
};
const McdcStructDesc mcdc_trig_state_desc =
    DESC(mcd_trig_state_st, trig_state_fields);

static const McdcField trig_set_state_fields[] = {
    F_BOOL(mcd_trig_set_state_st, active, "active"),
    F_UINT(mcd_trig_set_state_st, state, "state"),
    F_BOOL(mcd_trig_set_state_st, state_valid, "state-valid"),
    F_UINT(mcd_trig_set_state_st, trig_bus, "trig-bus"),
    F_BOOL(mcd_trig_set_state_st, trig_bus_valid, "trig-bus-valid"),
    F_BOOL(mcd_trig_set_state_st, trace, "trace"),
    F_BOOL(mcd_trig_set_state_st, trace_valid, "trace-valid"),
    F_BOOL(mcd_trig_set_state_st, analysis, "analysis"),
    F_BOOL(mcd_trig_set_state_st, analysis_valid, "analysis-valid"),
    F_END
};
const McdcStructDesc mcdc_trig_set_state_desc =
    DESC(mcd_trig_set_state_st, trig_set_state_fields);

static const McdcField core_state_fields[] = {
    F_UINT(mcd_core_state_st, state, "state"),
    F_UINT(mcd_core_state_st, event, "event"),
    F_UINT(mcd_core_state_st, hw_thread_id, "hw-thread-id"),
    F_UINT(mcd_core_state_st, trig_id, "trig-id"),
    F_STR(mcd_core_state_st, stop_str, "stop-str"),
    F_STR(mcd_core_state_st, info_str, "info-str"),
    F_END
};
const McdcStructDesc mcdc_core_state_desc =
    DESC(mcd_core_state_st, core_state_fields);

static const McdcField rst_info_fields[] = {
    F_UINT(mcd_rst_info_st, class_vector, "class-vector"),
    F_STR(mcd_rst_info_st, info_str, "info-str"),
    F_END
};
const McdcStructDesc mcdc_rst_info_desc =
    DESC(mcd_rst_info_st, rst_info_fields);

static const McdcField chl_fields[] = {
    F_UINT(mcd_chl_st, chl_id, "chl-id"),
    F_UINT(mcd_chl_st, type, "type"),
    F_UINT(mcd_chl_st, attributes, "attributes"),
    F_UINT(mcd_chl_st, max_msg_len, "max-msg-len"),
    F_STRUCT(mcd_chl_st, msg_buffer_addr, "msg-buffer-addr", mcdc_addr_desc),
    F_UINT(mcd_chl_st, prio, "prio"),
    F_END
};
const McdcStructDesc mcdc_chl_desc = DESC(mcd_chl_st, chl_fields);

static const McdcField trace_info_fields[] = {
    F_UINT(mcd_trace_info_st, trace_id, "trace-id"),
    F_STR(mcd_trace_info_st, trace_name, "trace-name"),
    F_UINT(mcd_trace_info_st, trace_type, "trace-type"),
    F_UINT(mcd_trace_info_st, trace_format, "trace-format"),
    F_UINT(mcd_trace_info_st, trace_modes, "trace-modes"),
    F_BOOL(mcd_trace_info_st, trace_no_timestamps, "trace-no-timestamps"),
    F_BOOL(mcd_trace_info_st, trace_shared, "trace-shared"),
    F_BOOL(mcd_trace_info_st, trace_size_is_bytes, "trace-size-is-bytes"),
    F_END
};
const McdcStructDesc mcdc_trace_info_desc =
    DESC(mcd_trace_info_st, trace_info_fields);

static const McdcField trace_state_fields[] = {
    F_UINT(mcd_trace_state_st, state, "state"),
    F_UINT(mcd_trace_state_st, mode, "mode"),
    F_BOOL(mcd_trace_state_st, autoarm, "autoarm"),
    F_BOOL(mcd_trace_state_st, wraparound, "wraparound"),
    F_UINT(mcd_trace_state_st, frames, "frames"),
    F_UINT(mcd_trace_state_st, count, "count"),
    F_UINT(mcd_trace_state_st, size, "size"),
    F_UINT(mcd_trace_state_st, trigger_delay, "trigger-delay"),
    F_UINT(mcd_trace_state_st, timestamp_accuracy, "timestamp-accuracy"),
    F_BOOL(mcd_trace_state_st, timestamp_is_time, "timestamp-is-time"),
    F_UINT(mcd_trace_state_st, options, "options"),
    F_BOOL(mcd_trace_state_st, modified, "modified"),
    F_STR(mcd_trace_state_st, info_str, "info-str"),
    F_END
};
const McdcStructDesc mcdc_trace_state_desc =
    DESC(mcd_trace_state_st, trace_state_fields);

static const McdcField trace_data_core_fields[] = {
    F_UINT(mcd_trace_data_core_st, timestamp, "timestamp"),
    F_UINT(mcd_trace_data_core_st, marker, "marker"),
    F_UINT(mcd_trace_data_core_st, cycle, "cycle"),
    F_STRUCT(mcd_trace_data_core_st, addr, "addr", mcdc_addr_desc),
    F_UINT(mcd_trace_data_core_st, data, "data"),
    F_UINT(mcd_trace_data_core_st, data_width, "data-width"),
    F_UINT(mcd_trace_data_core_st, data_mask, "data-mask"),
    F_UINT(mcd_trace_data_core_st, source, "source"),
    F_UINT(mcd_trace_data_core_st, aux_info, "aux-info"),
    F_END
};
const McdcStructDesc mcdc_trace_data_core_desc =
    DESC(mcd_trace_data_core_st, trace_data_core_fields);

static const McdcField trace_data_event_fields[] = {
    F_UINT(mcd_trace_data_event_st, timestamp, "timestamp"),
    F_UINT(mcd_trace_data_event_st, marker, "marker"),
    F_ARRAY(mcd_trace_data_event_st, data, "data"),
    F_END
};
const McdcStructDesc mcdc_trace_data_event_desc =
    DESC(mcd_trace_data_event_st, trace_data_event_fields);

static const McdcField trace_data_stat_fields[] = {
    F_UINT(mcd_trace_data_stat_st, timestamp, "timestamp"),
    F_UINT(mcd_trace_data_stat_st, marker, "marker"),
    F_ARRAY(mcd_trace_data_stat_st, count, "count"),
    F_END
};
const McdcStructDesc mcdc_trace_data_stat_desc =
    DESC(mcd_trace_data_stat_st, trace_data_stat_fields);

const McdcStructDesc *const mcdc_all_descs[] = {
    &mcdc_api_version_desc, &mcdc_impl_version_info_desc,
    &mcdc_error_info_desc, &mcdc_server_info_desc, &mcdc_core_con_info_desc,
    &mcdc_core_mode_info_desc, &mcdc_addr_desc, &mcdc_memspace_desc,
    &mcdc_memblock_desc, &mcdc_register_group_desc,
    &mcdc_register_info_desc, &mcdc_trig_info_desc, &mcdc_ctrig_info_desc,
    &mcdc_trig_simple_core_desc, &mcdc_trig_complex_core_desc,
    &mcdc_trig_trig_bus_desc, &mcdc_trig_counter_desc,
    &mcdc_trig_custom_desc, &mcdc_trig_state_desc, &mcdc_trig_set_state_desc,
    &mcdc_core_state_desc, &mcdc_rst_info_desc, &mcdc_chl_desc,
    &mcdc_trace_info_desc, &mcdc_trace_state_desc,
    &mcdc_trace_data_core_desc, &mcdc_trace_data_event_desc,
    &mcdc_trace_data_stat_desc, NULL
};

/* Unsigned integers of 1, 2, 4 or 8 bytes, wherever they sit. */
static uint64_t load_uint(const void *p, size_t size)
{
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;

    switch (size) {
    case 1:
        memcpy(&u8, p, 1);
        return u8;
    case 2:
        memcpy(&u16, p, 2);
        return u16;
    case 4:
        memcpy(&u32, p, 4);
        return u32;
    default:
        memcpy(&u64, p, 8);
        return u64;
    }
}

static void store_uint(void *p, size_t size, uint64_t v)
{
    uint8_t u8 = v;
    uint16_t u16 = v;
    uint32_t u32 = v;

    switch (size) {
    case 1:
        memcpy(p, &u8, 1);
        break;
    case 2:
        memcpy(p, &u16, 2);
        break;
    case 4:
        memcpy(p, &u32, 4);
        break;
    default:
        memcpy(p, &v, 8);
        break;
    }
}

static uint64_t uint_max(size_t size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

/* A C string field that may fill its array without a terminator. */
static void set_str_member(JsonObject *o, const char *name, const char *s,
                           size_t size)
{
    g_autofree char *valid = g_utf8_make_valid(s, strnlen(s, size));

    json_object_set_string_member(o, name, valid);
}

JsonObject *mcdc_struct_to_json(const McdcStructDesc *d, const void *s)
{
    JsonObject *o = json_object_new();

    for (const McdcField *fl = d->fields; fl->name; fl++) {
        const char *p = (const char *)s + fl->offset;

        switch (fl->type) {
        case MCDC_F_UINT:
            json_object_set_int_member(o, fl->name, load_uint(p, fl->size));
            break;
        case MCDC_F_BOOL:
            json_object_set_boolean_member(o, fl->name,
                                           load_uint(p, fl->size) != 0);
            break;
        case MCDC_F_STR:
            set_str_member(o, fl->name, p, fl->size);
            break;
        case MCDC_F_STRUCT:
            json_object_set_object_member(o, fl->name,
                                          mcdc_struct_to_json(fl->sub, p));
            break;
        case MCDC_F_UINT_ARRAY: {
            JsonArray *a = json_array_new();

            for (size_t i = 0; i < fl->size / fl->elem_size; i++) {
                json_array_add_int_element(
                    a, load_uint(p + i * fl->elem_size, fl->elem_size));
            }
            json_object_set_array_member(o, fl->name, a);
            break;
        }
        }
    }
    return o;
}

/* An integer element or member value within 0..@max. */
static bool node_uint(JsonNode *n, uint64_t max, uint64_t *val)
{
    gint64 v;

    if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_INT64) {
        return false;
    }
    v = json_node_get_int(n);
    if (max != UINT64_MAX && (v < 0 || (uint64_t)v > max)) {
        return false;
    }
    *val = (uint64_t)v;
    return true;
}

/* Record that member @name, @n (NULL: missing), is not @what. */
static void member_fail(McdcFailure *f, const char *name, JsonNode *n,
                        const char *what)
{
    mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: member '%s' is %s",
              name, !n ? "missing" : what);
}

/*
 * Member @name of @o if it is a node of @type, of @vtype for values;
 * else NULL, with a failure that says it is not @what.
 */
static JsonNode *get_member(JsonObject *o, const char *name,
                            JsonNodeType type, GType vtype,
                            const char *what, McdcFailure *f)
{
    JsonNode *n = json_object_get_member(o, name);

    if (!n || JSON_NODE_TYPE(n) != type ||
        (type == JSON_NODE_VALUE && json_node_get_value_type(n) != vtype)) {
        member_fail(f, name, n, what);
        return NULL;
    }
    return n;
}

bool mcdc_get_uint(JsonObject *o, const char *name, uint64_t max,
                   uint64_t *val, McdcFailure *f)
{
    JsonNode *n = json_object_get_member(o, name);

    if (!node_uint(n, max, val)) {
        member_fail(f, name, n, "not an unsigned integer of the expected "
                    "size");
        return false;
    }
    return true;
}

bool mcdc_get_u32(JsonObject *o, const char *name, uint32_t *val,
                  McdcFailure *f)
{
    uint64_t v;

    if (!mcdc_get_uint(o, name, UINT32_MAX, &v, f)) {
        return false;
    }
    *val = v;
    return true;
}

bool mcdc_get_u64(JsonObject *o, const char *name, uint64_t *val,
                  McdcFailure *f)
{
    return mcdc_get_uint(o, name, UINT64_MAX, val, f);
}

static bool get_bool(JsonObject *o, const char *name, bool *val,
                     McdcFailure *f)
{
    JsonNode *n = get_member(o, name, JSON_NODE_VALUE, G_TYPE_BOOLEAN,
                             "not a boolean", f);

    if (n) {
        *val = json_node_get_boolean(n);
    }
    return n != NULL;
}

const char *mcdc_get_str(JsonObject *o, const char *name, McdcFailure *f)
{
    JsonNode *n = get_member(o, name, JSON_NODE_VALUE, G_TYPE_STRING,
                             "not a string", f);

    return n ? json_node_get_string(n) : NULL;
}

JsonObject *mcdc_get_obj(JsonObject *o, const char *name, McdcFailure *f)
{
    JsonNode *n = get_member(o, name, JSON_NODE_OBJECT, G_TYPE_INVALID,
                             "not an object", f);

    return n ? json_node_get_object(n) : NULL;
}

JsonArray *mcdc_get_array(JsonObject *o, const char *name, McdcFailure *f)
{
    JsonNode *n = get_member(o, name, JSON_NODE_ARRAY, G_TYPE_INVALID,
                             "not an array", f);

    return n ? json_node_get_array(n) : NULL;
}

static bool array_from_json(JsonArray *a, const McdcField *fl, char *p,
                            McdcFailure *f)
{
    size_t n = fl->size / fl->elem_size;
    size_t len = json_array_get_length(a);

    if (len > n) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: member '%s' has "
                  "%zu elements, at most %zu fit", fl->name, len, n);
        return false;
    }
    memset(p, 0, fl->size);
    for (size_t i = 0; i < len; i++) {
        uint64_t v;

        if (!node_uint(json_array_get_element(a, i),
                       uint_max(fl->elem_size), &v)) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: element %zu "
                      "of member '%s' is not an unsigned integer of the "
                      "expected size", i, fl->name);
            return false;
        }
        store_uint(p + i * fl->elem_size, fl->elem_size, v);
    }
    return true;
}

bool mcdc_struct_from_json(const McdcStructDesc *d, JsonObject *o, void *s,
                           McdcFailure *f)
{
    for (const McdcField *fl = d->fields; fl->name; fl++) {
        char *p = (char *)s + fl->offset;
        uint64_t v;
        bool b;
        const char *str;
        JsonObject *sub;
        JsonArray *a;

        switch (fl->type) {
        case MCDC_F_UINT:
            if (!mcdc_get_uint(o, fl->name, uint_max(fl->size), &v, f)) {
                return false;
            }
            store_uint(p, fl->size, v);
            break;
        case MCDC_F_BOOL:
            if (!get_bool(o, fl->name, &b, f)) {
                return false;
            }
            store_uint(p, fl->size, b);
            break;
        case MCDC_F_STR:
            str = mcdc_get_str(o, fl->name, f);
            if (!str) {
                return false;
            }
            mcdc_copy_str(p, fl->size, str);
            break;
        case MCDC_F_STRUCT:
            sub = mcdc_get_obj(o, fl->name, f);
            if (!sub || !mcdc_struct_from_json(fl->sub, sub, p, f)) {
                return false;
            }
            break;
        case MCDC_F_UINT_ARRAY:
            a = mcdc_get_array(o, fl->name, f);
            if (!a || !array_from_json(a, fl, p, f)) {
                return false;
            }
            break;
        }
    }
    return true;
}

const McdcTrigKind mcdc_trig_kinds[] = {
    { "trig-simple-core", &mcdc_trig_simple_core_desc, 0 },
    { "trig-complex-core", &mcdc_trig_complex_core_desc, 0 },
    { "trig-trig-bus", &mcdc_trig_trig_bus_desc, 0 },
    { "trig-counter", &mcdc_trig_counter_desc, MCD_TRIG_TYPE_COUNTER },
    { "trig-custom", &mcdc_trig_custom_desc, MCD_TRIG_TYPE_CUSTOM },
    { NULL, NULL, 0 }
};

const McdcTrigKind *mcdc_trig_kind_of(const void *trig)
{
    const McdcTrigKind *found = NULL;
    uint32_t size, type;
    int matches = 0;

    memcpy(&size, trig, sizeof(size));
    memcpy(&type, (const char *)trig + offsetof(mcd_trig_counter_st, type),
           sizeof(type));
    for (const McdcTrigKind *k = mcdc_trig_kinds; k->member; k++) {
        if (k->desc->size == size) {
            matches++;
            found = k;
        }
    }
    if (matches <= 1) {
        return found;
    }
    /*
     * Counters and custom triggers have the same size on common ABIs;
     * their type tells them apart.
     */
    for (const McdcTrigKind *k = mcdc_trig_kinds; k->member; k++) {
        if (k->desc->size == size && k->type && (type & k->type)) {
            return k;
        }
    }
    return NULL;
}

JsonObject *mcdc_trig_to_json(const void *trig, McdcFailure *f)
{
    const McdcTrigKind *k = mcdc_trig_kind_of(trig);
    JsonObject *o;
    uint32_t size;

    if (!k) {
        memcpy(&size, trig, sizeof(size));
        mcdc_fail(f, MCD_ERR_PARAM, "the trigger's struct_size %u matches "
                  "no mcd_trig_*_st structure (or its type does not tell "
                  "which)", size);
        return NULL;
    }
    o = json_object_new();
    json_object_set_object_member(o, k->member,
                                  mcdc_struct_to_json(k->desc, trig));
    return o;
}

bool mcdc_trig_from_json(JsonObject *o, void *trig, size_t size,
                         McdcFailure *f)
{
    for (const McdcTrigKind *k = mcdc_trig_kinds; k->member; k++) {
        JsonNode *n = json_object_get_member(o, k->member);
        g_autofree void *tmp = NULL;
        uint32_t struct_size = k->desc->size;

        if (!n) {
            continue;
        }
        if (!JSON_NODE_HOLDS_OBJECT(n)) {
            member_fail(f, k->member, n, "not an object");
            return false;
        }
        if (size < k->desc->size) {
            mcdc_fail(f, MCD_ERR_PARAM, "the trigger is a %s of %zu bytes; "
                      "the buffer holds only %zu", k->desc->name,
                      k->desc->size, size);
            return false;
        }
        /* Decode aside, so that a malformed answer leaves @trig alone. */
        tmp = g_malloc0(k->desc->size);
        if (!mcdc_struct_from_json(k->desc, json_node_get_object(n), tmp,
                                   f)) {
            return false;
        }
        memcpy(tmp, &struct_size, sizeof(struct_size));
        memcpy(trig, tmp, k->desc->size);
        return true;
    }
    mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: the trigger has no "
              "known kind");
    return false;
}

JsonArray *mcdc_bytes_to_json(const uint8_t *buf, size_t len)
{
    JsonArray *a = json_array_sized_new(len);

    for (size_t i = 0; i < len; i++) {
        json_array_add_int_element(a, buf[i]);
    }
    return a;
}

bool mcdc_bytes_from_json(JsonArray *a, uint8_t *buf, size_t max,
                          size_t *len, McdcFailure *f)
{
    size_t n = json_array_get_length(a);

    if (n > max) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: %zu data bytes "
                  "where at most %zu fit", n, max);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t v;

        if (!node_uint(json_array_get_element(a, i), UINT8_MAX, &v)) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: data byte "
                      "%zu is not a number from 0 to 255", i);
            return false;
        }
        buf[i] = v;
    }
    *len = n;
    return true;
}

char *mcdc_hex_encode(const uint8_t *buf, size_t len)
{
    static const char digit[] = "0123456789abcdef";
    char *hex = g_malloc(2 * len + 1);

    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digit[buf[i] >> 4];
        hex[2 * i + 1] = digit[buf[i] & 15];
    }
    hex[2 * len] = '\0';
    return hex;
}

/* The value of a character known to be a hex digit. */
static inline uint8_t xdigit(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

bool mcdc_hex_decode(const char *hex, uint8_t *buf, size_t max, size_t *len,
                     McdcFailure *f)
{
    size_t n = strlen(hex);
    size_t good = strspn(hex, "0123456789abcdefABCDEF");

    /* Checked first, so that a malformed answer leaves @buf alone. */
    if (good < n) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: data-hex has "
                  "'%c' (0x%02x) where a hex digit belongs (character %zu)",
                  g_ascii_isprint(hex[good]) ? hex[good] : '?',
                  (uint8_t)hex[good], good);
        return false;
    }
    if (n % 2) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: data-hex has an "
                  "odd number of digits (%zu)", n);
        return false;
    }
    if (n / 2 > max) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: %zu data bytes "
                  "where at most %zu fit", n / 2, max);
        return false;
    }
    for (size_t i = 0; i < n / 2; i++) {
        buf[i] = xdigit(hex[2 * i]) << 4 | xdigit(hex[2 * i + 1]);
    }
    *len = n / 2;
    return true;
}

static bool tx_writes(mcd_tx_access_type_et type)
{
    return type == MCD_TX_AT_W || type == MCD_TX_AT_RW ||
           type == MCD_TX_AT_WR;
}

static bool tx_reads(mcd_tx_access_type_et type)
{
    return type == MCD_TX_AT_R || type == MCD_TX_AT_RW ||
           type == MCD_TX_AT_WR;
}

/*
 * A transaction's members, its data at @shared_offset of @shared if
 * that is not NULL, else as data-hex.
 */
static JsonObject *tx_to_json(const mcd_tx_st *tx, uint32_t offset,
                              uint32_t len, uint8_t *shared,
                              uint64_t shared_offset)
{
    JsonObject *o = json_object_new();
    mcd_addr_st addr = tx->addr;
    bool whole = offset == 0 && len == tx->num_bytes;
    bool writes = tx_writes(tx->access_type) && tx->data;

    /* Without increment every slice goes to the same address. */
    if (!(tx->options & MCD_TX_OPT_NOINCREMENT)) {
        addr.address += offset;
    }
    json_object_set_object_member(o, "addr",
                                  mcdc_struct_to_json(&mcdc_addr_desc, &addr));
    json_object_set_int_member(o, "access-type", tx->access_type);
    json_object_set_int_member(o, "options", tx->options);
    json_object_set_int_member(o, "access-width", tx->access_width);
    json_object_set_int_member(o, "core-mode", tx->core_mode);
    json_object_set_array_member(o, "data", json_array_new());
    if (shared) {
        if (writes) {
            memcpy(shared + shared_offset, tx->data + offset, len);
        }
        json_object_set_int_member(o, "shared-offset", shared_offset);
    } else {
        /*
         * The bytes go as hex, and only data to be written is worth
         * sending; a data-hex even when empty makes the answer use hex
         * as well.
         */
        g_autofree char *hex = writes ?
            mcdc_hex_encode(tx->data + offset, len) : NULL;

        json_object_set_string_member(o, "data-hex", hex ?: "");
    }
    json_object_set_int_member(o, "num-bytes", len);
    json_object_set_int_member(o, "num-bytes-ok",
                               whole ? MIN(tx->num_bytes_ok, len) : 0);
    return o;
}

JsonObject *mcdc_tx_to_json(const mcd_tx_st *tx, uint32_t offset,
                            uint32_t len)
{
    return tx_to_json(tx, offset, len, NULL, 0);
}

JsonObject *mcdc_tx_to_json_shared(const mcd_tx_st *tx, uint32_t offset,
                                   uint32_t len, uint8_t *shared,
                                   uint64_t shared_offset)
{
    return tx_to_json(tx, offset, len, shared, shared_offset);
}

JsonObject *mcdc_txlist_to_json(const mcd_txlist_st *tl)
{
    JsonObject *o = json_object_new();
    JsonArray *a = json_array_new();

    for (uint32_t i = 0; i < tl->num_tx; i++) {
        json_array_add_object_element(
            a, mcdc_tx_to_json(&tl->tx[i], 0, tl->tx[i].num_bytes));
    }
    json_object_set_array_member(o, "tx", a);
    json_object_set_int_member(o, "num-tx", tl->num_tx);
    json_object_set_int_member(o, "num-tx-ok", MIN(tl->num_tx_ok, tl->num_tx));
    return o;
}

/* ... the bytes read from @shared if not NULL, else from the answer. */
static bool tx_from_json(JsonObject *o, mcd_tx_st *tx, const uint8_t *shared,
                         McdcFailure *f)
{
    uint32_t num_bytes, ok;
    JsonArray *data = NULL;
    const char *hex = NULL;
    size_t got = 0;
    size_t room = tx->data ? tx->num_bytes : 0;

    if (!mcdc_get_u32(o, "num-bytes", &num_bytes, f) ||
        !mcdc_get_u32(o, "num-bytes-ok", &ok, f)) {
        return false;
    }
    if (num_bytes != tx->num_bytes || ok > num_bytes) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: a transaction "
                  "of %u bytes came back as %u bytes, %u of them done",
                  tx->num_bytes, num_bytes, ok);
        return false;
    }
    /* Hex if the server sent it, else (an older server) the array. */
    if (shared) {
        /* Nothing to parse: the bytes are in place. */
    } else if (json_object_has_member(o, "data-hex")) {
        hex = mcdc_get_str(o, "data-hex", f);
        if (!hex) {
            return false;
        }
    } else {
        data = mcdc_get_array(o, "data", f);
        if (!data) {
            return false;
        }
    }
    if (tx_reads(tx->access_type)) {
        if (!tx->data && ok) {
            mcdc_fail(f, MCD_ERR_PARAM, "a transaction reads into a NULL "
                      "data buffer");
            return false;
        }
        if (shared) {
            memcpy(tx->data, shared, ok);
            got = ok;
        } else if (hex) {
            /* Too few is refused before anything is stored, too. */
            got = strlen(hex) / 2;
            if (got >= ok && !mcdc_hex_decode(hex, tx->data, room, &got, f)) {
                return false;
            }
        } else if (!mcdc_bytes_from_json(data, tx->data, room, &got, f)) {
            return false;
        }
        if (got < ok) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: %u bytes "
                      "read but only %zu sent back", ok, got);
            return false;
        }
    }
    tx->num_bytes_ok = ok;
    return true;
}

bool mcdc_tx_from_json(JsonObject *o, mcd_tx_st *tx, McdcFailure *f)
{
    return tx_from_json(o, tx, NULL, f);
}

bool mcdc_tx_from_json_shared(JsonObject *o, mcd_tx_st *tx,
                              const uint8_t *shared, McdcFailure *f)
{
    return tx_from_json(o, tx, shared, f);
}

bool mcdc_txlist_from_json(JsonObject *o, mcd_txlist_st *tl, McdcFailure *f)
{
    JsonArray *a = mcdc_get_array(o, "tx", f);
    uint32_t num_tx, ok;

    if (!a || !mcdc_get_u32(o, "num-tx", &num_tx, f) ||
        !mcdc_get_u32(o, "num-tx-ok", &ok, f)) {
        return false;
    }
    if (num_tx != tl->num_tx || json_array_get_length(a) != num_tx ||
        ok > num_tx) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: a list of %u "
                  "transactions came back with %u (%u listed), %u done",
                  tl->num_tx, num_tx, json_array_get_length(a), ok);
        return false;
    }
    for (uint32_t i = 0; i < num_tx; i++) {
        JsonNode *n = json_array_get_element(a, i);

        if (!JSON_NODE_HOLDS_OBJECT(n)) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer: transaction "
                      "%u is not an object", i);
            return false;
        }
        if (!mcdc_tx_from_json(json_node_get_object(n), &tl->tx[i], f)) {
            return false;
        }
    }
    tl->num_tx_ok = ok;
    return true;
}

char *mcdc_request_line(const char *cmd, JsonObject *args, size_t *len)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    JsonObject *o = json_object_new();
    gsize n;
    char *text, *line;

    json_object_set_string_member(o, "execute", cmd);
    if (args) {
        json_object_set_object_member(o, "arguments", json_object_ref(args));
    }
    json_node_take_object(root, o);
    json_generator_set_root(gen, root);
    /* Compact output: strings escape their newlines, so one line. */
    text = json_generator_to_data(gen, &n);
    line = g_realloc(text, n + 2);
    line[n] = '\n';
    line[n + 1] = '\0';
    *len = n + 1;
    return line;
}

/* The first bytes of a line, printable, for messages. */
static char *excerpt(const char *line)
{
    char *s = g_strndup(line, 40);

    for (char *p = s; *p; p++) {
        if (!g_ascii_isprint(*p)) {
            *p = '?';
        }
    }
    return s;
}

/* A string member, or @dflt if there is none. */
static const char *str_member(JsonObject *o, const char *name,
                              const char *dflt)
{
    JsonNode *n = json_object_get_member(o, name);

    if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        return dflt;
    }
    return json_node_get_string(n);
}

static mcd_error_code_et error_class_code(const char *cls)
{
    /*
     * The dispatcher answers unknown commands with CommandNotFound and
     * bad arguments with GenericError; anything else is unexpected.
     */
    if (!g_strcmp0(cls, "CommandNotFound")) {
        return MCD_ERR_FN_UNIMPLEMENTED;
    }
    if (!g_strcmp0(cls, "GenericError")) {
        return MCD_ERR_PARAM;
    }
    return MCD_ERR_GENERAL;
}

McdcAnswerKind mcdc_answer_parse(const char *line, JsonObject **ret,
                                 McdcFailure *f)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *start = excerpt(line);
    JsonNode *root, *n;
    JsonObject *o;

    *ret = NULL;
    if (!line[strspn(line, " \t\r")]) {
        return MCDC_ANSWER_NOISE;
    }
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer from the MCD "
                  "server (%s): \"%s\"", err->message, start);
        return MCDC_ANSWER_MALFORMED;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer from the MCD "
                  "server (not a JSON object): \"%s\"", start);
        return MCDC_ANSWER_MALFORMED;
    }
    o = json_node_get_object(root);
    n = json_object_get_member(o, "return");
    if (n && JSON_NODE_HOLDS_OBJECT(n)) {
        *ret = json_object_ref(json_node_get_object(n));
        return MCDC_ANSWER_RETURN;
    }
    n = json_object_get_member(o, "error");
    if (n && JSON_NODE_HOLDS_OBJECT(n)) {
        JsonObject *e = json_node_get_object(n);
        const char *cls = str_member(e, "class", "unknown");
        const char *desc = str_member(e, "desc", "no description");

        mcdc_fail(f, error_class_code(cls), "the MCD server rejected the "
                  "request: %s (%s)", desc, cls);
        return MCDC_ANSWER_ERROR;
    }
    if (!n && (json_object_has_member(o, "event") ||
               json_object_has_member(o, "QMP"))) {
        /* Asynchronous QMP-style traffic, not an answer: skip it. */
        return MCDC_ANSWER_NOISE;
    }
    mcdc_fail(f, MCD_ERR_CONNECTION, "malformed answer from the MCD server "
              "(neither \"return\" nor \"error\"): \"%s\"", start);
    return MCDC_ANSWER_MALFORMED;
}
