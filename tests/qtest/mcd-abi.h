/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD API 1.1 binary layout check
 *
 * mcd_check_abi_layout() compares the types of mcd/mcd_api.h with the sizes,
 * alignments and member offsets produced by the published SPRINT MCD API 1.1
 * header on x86_64 Linux (an LP64 host).  Those numbers are hard-coded
 * below; they were measured by compiling the published header and are only
 * valid for that host, so on any other host the check does nothing.
 *
 * Include "qemu/osdep.h" (or <glib.h> and <stddef.h>) before this file.
 */

#ifndef TESTS_QTEST_MCD_ABI_H
#define TESTS_QTEST_MCD_ABI_H

#include "mcd/mcd_api.h"

#if defined(HOST_X86_64) && defined(CONFIG_LINUX)

#define MCD_ABI_SIZE(type, size) \
    g_assert_cmpuint(sizeof(type), ==, (size))
#define MCD_ABI_ALIGN(type, align) \
    g_assert_cmpuint(G_ALIGNOF(type), ==, (align))
#define MCD_ABI_OFFSET(type, member, off) \
    g_assert_cmpuint(offsetof(type, member), ==, (off))

static inline void mcd_check_abi_layout(void)
{
    /* scalar types */
    MCD_ABI_SIZE(mcd_bool_t, 1);
    MCD_ABI_SIZE(mcd_char_t, 1);
    MCD_ABI_SIZE(mcd_return_et, 4);
    MCD_ABI_SIZE(mcd_error_code_et, 4);
    MCD_ABI_SIZE(mcd_error_event_et, 4);
    MCD_ABI_SIZE(mcd_addr_space_type_et, 4);
    MCD_ABI_SIZE(mcd_mem_type_et, 4);
    MCD_ABI_SIZE(mcd_endian_et, 4);
    MCD_ABI_SIZE(mcd_reg_type_et, 4);
    MCD_ABI_SIZE(mcd_trig_type_et, 4);
    MCD_ABI_SIZE(mcd_trig_opt_et, 4);
    MCD_ABI_SIZE(mcd_trig_action_et, 4);
    MCD_ABI_SIZE(mcd_tx_access_type_et, 4);
    MCD_ABI_SIZE(mcd_tx_access_opt_et, 4);
    MCD_ABI_SIZE(mcd_core_step_type_et, 4);
    MCD_ABI_SIZE(mcd_core_state_et, 4);
    MCD_ABI_SIZE(mcd_core_event_et, 4);
    MCD_ABI_SIZE(mcd_chl_type_et, 4);
    MCD_ABI_SIZE(mcd_chl_attributes_et, 4);
    MCD_ABI_SIZE(mcd_trace_type_et, 4);
    MCD_ABI_SIZE(mcd_trace_format_et, 4);
    MCD_ABI_SIZE(mcd_trace_mode_et, 4);
    MCD_ABI_SIZE(mcd_trace_state_et, 4);
    MCD_ABI_SIZE(mcd_trace_marker_et, 4);
    MCD_ABI_SIZE(mcd_trace_cycle_et, 4);

    /* mcd_api_version_st */
    MCD_ABI_SIZE(mcd_api_version_st, 36);
    MCD_ABI_ALIGN(mcd_api_version_st, 2);
    MCD_ABI_OFFSET(mcd_api_version_st, v_api_major, 0);
    MCD_ABI_OFFSET(mcd_api_version_st, v_api_minor, 2);
    MCD_ABI_OFFSET(mcd_api_version_st, author, 4);

    /* mcd_impl_version_info_st */
    MCD_ABI_SIZE(mcd_impl_version_info_st, 90);
    MCD_ABI_ALIGN(mcd_impl_version_info_st, 2);
    MCD_ABI_OFFSET(mcd_impl_version_info_st, v_api, 0);
    MCD_ABI_OFFSET(mcd_impl_version_info_st, v_imp_major, 36);
    MCD_ABI_OFFSET(mcd_impl_version_info_st, v_imp_minor, 38);
    MCD_ABI_OFFSET(mcd_impl_version_info_st, v_imp_build, 40);
    MCD_ABI_OFFSET(mcd_impl_version_info_st, vendor, 42);
    MCD_ABI_OFFSET(mcd_impl_version_info_st, date, 74);

    /* mcd_error_info_st */
    MCD_ABI_SIZE(mcd_error_info_st, 268);
    MCD_ABI_ALIGN(mcd_error_info_st, 4);
    MCD_ABI_OFFSET(mcd_error_info_st, return_status, 0);
    MCD_ABI_OFFSET(mcd_error_info_st, error_code, 4);
    MCD_ABI_OFFSET(mcd_error_info_st, error_events, 8);
    MCD_ABI_OFFSET(mcd_error_info_st, error_str, 12);

    /* mcd_server_info_st */
    MCD_ABI_SIZE(mcd_server_info_st, 192);
    MCD_ABI_ALIGN(mcd_server_info_st, 1);
    MCD_ABI_OFFSET(mcd_server_info_st, server, 0);
    MCD_ABI_OFFSET(mcd_server_info_st, system_instance, 64);
    MCD_ABI_OFFSET(mcd_server_info_st, acc_hw, 128);

    /* mcd_server_st */
    MCD_ABI_SIZE(mcd_server_st, 24);
    MCD_ABI_ALIGN(mcd_server_st, 8);
    MCD_ABI_OFFSET(mcd_server_st, instance, 0);
    MCD_ABI_OFFSET(mcd_server_st, host, 8);
    MCD_ABI_OFFSET(mcd_server_st, config_string, 16);

    /* mcd_core_con_info_st */
    MCD_ABI_SIZE(mcd_core_con_info_st, 596);
    MCD_ABI_ALIGN(mcd_core_con_info_st, 4);
    MCD_ABI_OFFSET(mcd_core_con_info_st, host, 0);
    MCD_ABI_OFFSET(mcd_core_con_info_st, server_port, 64);
    MCD_ABI_OFFSET(mcd_core_con_info_st, server_key, 68);
    MCD_ABI_OFFSET(mcd_core_con_info_st, system_key, 132);
    MCD_ABI_OFFSET(mcd_core_con_info_st, device_key, 196);
    MCD_ABI_OFFSET(mcd_core_con_info_st, system, 260);
    MCD_ABI_OFFSET(mcd_core_con_info_st, system_instance, 324);
    MCD_ABI_OFFSET(mcd_core_con_info_st, acc_hw, 388);
    MCD_ABI_OFFSET(mcd_core_con_info_st, device_type, 452);
    MCD_ABI_OFFSET(mcd_core_con_info_st, device, 456);
    MCD_ABI_OFFSET(mcd_core_con_info_st, device_id, 520);
    MCD_ABI_OFFSET(mcd_core_con_info_st, core, 524);
    MCD_ABI_OFFSET(mcd_core_con_info_st, core_type, 588);
    MCD_ABI_OFFSET(mcd_core_con_info_st, core_id, 592);

    /* mcd_core_st */
    MCD_ABI_SIZE(mcd_core_st, 16);
    MCD_ABI_ALIGN(mcd_core_st, 8);
    MCD_ABI_OFFSET(mcd_core_st, instance, 0);
    MCD_ABI_OFFSET(mcd_core_st, core_con_info, 8);

    /* mcd_core_mode_info_st */
    MCD_ABI_SIZE(mcd_core_mode_info_st, 33);
    MCD_ABI_ALIGN(mcd_core_mode_info_st, 1);
    MCD_ABI_OFFSET(mcd_core_mode_info_st, core_mode, 0);
    MCD_ABI_OFFSET(mcd_core_mode_info_st, name, 1);

    /* mcd_addr_st */
    MCD_ABI_SIZE(mcd_addr_st, 24);
    MCD_ABI_ALIGN(mcd_addr_st, 8);
    MCD_ABI_OFFSET(mcd_addr_st, address, 0);
    MCD_ABI_OFFSET(mcd_addr_st, mem_space_id, 8);
    MCD_ABI_OFFSET(mcd_addr_st, addr_space_id, 12);
    MCD_ABI_OFFSET(mcd_addr_st, addr_space_type, 16);

    /* mcd_memspace_st */
    MCD_ABI_SIZE(mcd_memspace_st, 88);
    MCD_ABI_ALIGN(mcd_memspace_st, 8);
    MCD_ABI_OFFSET(mcd_memspace_st, mem_space_id, 0);
    MCD_ABI_OFFSET(mcd_memspace_st, mem_space_name, 4);
    MCD_ABI_OFFSET(mcd_memspace_st, mem_type, 36);
    MCD_ABI_OFFSET(mcd_memspace_st, bits_per_mau, 40);
    MCD_ABI_OFFSET(mcd_memspace_st, invariance, 44);
    MCD_ABI_OFFSET(mcd_memspace_st, endian, 48);
    MCD_ABI_OFFSET(mcd_memspace_st, min_addr, 56);
    MCD_ABI_OFFSET(mcd_memspace_st, max_addr, 64);
    MCD_ABI_OFFSET(mcd_memspace_st, num_mem_blocks, 72);
    MCD_ABI_OFFSET(mcd_memspace_st, supported_access_options, 76);
    MCD_ABI_OFFSET(mcd_memspace_st, core_mode_mask_read, 80);
    MCD_ABI_OFFSET(mcd_memspace_st, core_mode_mask_write, 84);

    /* mcd_memblock_st */
    MCD_ABI_SIZE(mcd_memblock_st, 112);
    MCD_ABI_ALIGN(mcd_memblock_st, 8);
    MCD_ABI_OFFSET(mcd_memblock_st, mem_block_id, 0);
    MCD_ABI_OFFSET(mcd_memblock_st, mem_block_name, 4);
    MCD_ABI_OFFSET(mcd_memblock_st, has_children, 36);
    MCD_ABI_OFFSET(mcd_memblock_st, parent_id, 40);
    MCD_ABI_OFFSET(mcd_memblock_st, start_addr, 48);
    MCD_ABI_OFFSET(mcd_memblock_st, end_addr, 56);
    MCD_ABI_OFFSET(mcd_memblock_st, endian, 64);
    MCD_ABI_OFFSET(mcd_memblock_st, supported_au_sizes, 68);
    MCD_ABI_OFFSET(mcd_memblock_st, supported_access_options, 100);
    MCD_ABI_OFFSET(mcd_memblock_st, core_mode_mask_read, 104);
    MCD_ABI_OFFSET(mcd_memblock_st, core_mode_mask_write, 108);

    /* mcd_register_group_st */
    MCD_ABI_SIZE(mcd_register_group_st, 40);
    MCD_ABI_ALIGN(mcd_register_group_st, 4);
    MCD_ABI_OFFSET(mcd_register_group_st, reg_group_id, 0);
    MCD_ABI_OFFSET(mcd_register_group_st, reg_group_name, 4);
    MCD_ABI_OFFSET(mcd_register_group_st, n_registers, 36);

    /* mcd_register_info_st */
    MCD_ABI_SIZE(mcd_register_info_st, 88);
    MCD_ABI_ALIGN(mcd_register_info_st, 8);
    MCD_ABI_OFFSET(mcd_register_info_st, addr, 0);
    MCD_ABI_OFFSET(mcd_register_info_st, reg_group_id, 24);
    MCD_ABI_OFFSET(mcd_register_info_st, regname, 28);
    MCD_ABI_OFFSET(mcd_register_info_st, regsize, 60);
    MCD_ABI_OFFSET(mcd_register_info_st, core_mode_mask_read, 64);
    MCD_ABI_OFFSET(mcd_register_info_st, core_mode_mask_write, 68);
    MCD_ABI_OFFSET(mcd_register_info_st, has_side_effects_read, 72);
    MCD_ABI_OFFSET(mcd_register_info_st, has_side_effects_write, 73);
    MCD_ABI_OFFSET(mcd_register_info_st, reg_type, 76);
    MCD_ABI_OFFSET(mcd_register_info_st, hw_thread_id, 80);

    /* mcd_trig_info_st */
    MCD_ABI_SIZE(mcd_trig_info_st, 28);
    MCD_ABI_ALIGN(mcd_trig_info_st, 4);
    MCD_ABI_OFFSET(mcd_trig_info_st, type, 0);
    MCD_ABI_OFFSET(mcd_trig_info_st, option, 4);
    MCD_ABI_OFFSET(mcd_trig_info_st, action, 8);
    MCD_ABI_OFFSET(mcd_trig_info_st, trig_number, 12);
    MCD_ABI_OFFSET(mcd_trig_info_st, state_number, 16);
    MCD_ABI_OFFSET(mcd_trig_info_st, counter_number, 20);
    MCD_ABI_OFFSET(mcd_trig_info_st, sw_breakpoints, 24);

    /* mcd_ctrig_info_st */
    MCD_ABI_SIZE(mcd_ctrig_info_st, 260);
    MCD_ABI_ALIGN(mcd_ctrig_info_st, 4);
    MCD_ABI_OFFSET(mcd_ctrig_info_st, ctrig_id, 0);
    MCD_ABI_OFFSET(mcd_ctrig_info_st, info_str, 4);

    /* mcd_trig_complex_core_st */
    MCD_ABI_SIZE(mcd_trig_complex_core_st, 112);
    MCD_ABI_ALIGN(mcd_trig_complex_core_st, 8);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, struct_size, 0);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, type, 4);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, option, 8);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, action, 12);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, action_param, 16);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, modified, 20);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, state_mask, 24);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, addr_start, 32);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, addr_range, 56);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, data_start, 64);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, data_range, 72);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, data_mask, 80);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, data_size, 88);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, hw_thread_id, 92);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, sw_thread_id, 96);
    MCD_ABI_OFFSET(mcd_trig_complex_core_st, core_mode_mask, 104);

    /* mcd_trig_simple_core_st */
    MCD_ABI_SIZE(mcd_trig_simple_core_st, 64);
    MCD_ABI_ALIGN(mcd_trig_simple_core_st, 8);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, struct_size, 0);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, type, 4);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, option, 8);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, action, 12);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, action_param, 16);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, modified, 20);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, state_mask, 24);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, addr_start, 32);
    MCD_ABI_OFFSET(mcd_trig_simple_core_st, addr_range, 56);

    /* mcd_trig_trig_bus_st */
    MCD_ABI_SIZE(mcd_trig_trig_bus_st, 36);
    MCD_ABI_ALIGN(mcd_trig_trig_bus_st, 4);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, struct_size, 0);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, type, 4);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, option, 8);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, action, 12);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, action_param, 16);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, modified, 20);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, state_mask, 24);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, trig_bus_value, 28);
    MCD_ABI_OFFSET(mcd_trig_trig_bus_st, trig_bus_mask, 32);

    /* mcd_trig_counter_st */
    MCD_ABI_SIZE(mcd_trig_counter_st, 48);
    MCD_ABI_ALIGN(mcd_trig_counter_st, 8);
    MCD_ABI_OFFSET(mcd_trig_counter_st, struct_size, 0);
    MCD_ABI_OFFSET(mcd_trig_counter_st, type, 4);
    MCD_ABI_OFFSET(mcd_trig_counter_st, option, 8);
    MCD_ABI_OFFSET(mcd_trig_counter_st, action, 12);
    MCD_ABI_OFFSET(mcd_trig_counter_st, action_param, 16);
    MCD_ABI_OFFSET(mcd_trig_counter_st, modified, 20);
    MCD_ABI_OFFSET(mcd_trig_counter_st, state_mask, 24);
    MCD_ABI_OFFSET(mcd_trig_counter_st, count_value, 32);
    MCD_ABI_OFFSET(mcd_trig_counter_st, reload_value, 40);

    /* mcd_trig_custom_st */
    MCD_ABI_SIZE(mcd_trig_custom_st, 48);
    MCD_ABI_ALIGN(mcd_trig_custom_st, 4);
    MCD_ABI_OFFSET(mcd_trig_custom_st, struct_size, 0);
    MCD_ABI_OFFSET(mcd_trig_custom_st, type, 4);
    MCD_ABI_OFFSET(mcd_trig_custom_st, option, 8);
    MCD_ABI_OFFSET(mcd_trig_custom_st, action, 12);
    MCD_ABI_OFFSET(mcd_trig_custom_st, action_param, 16);
    MCD_ABI_OFFSET(mcd_trig_custom_st, modified, 20);
    MCD_ABI_OFFSET(mcd_trig_custom_st, state_mask, 24);
    MCD_ABI_OFFSET(mcd_trig_custom_st, ctrig_id, 28);
    MCD_ABI_OFFSET(mcd_trig_custom_st, ctrig_args, 32);

    /* mcd_trig_state_st */
    MCD_ABI_SIZE(mcd_trig_state_st, 24);
    MCD_ABI_ALIGN(mcd_trig_state_st, 8);
    MCD_ABI_OFFSET(mcd_trig_state_st, active, 0);
    MCD_ABI_OFFSET(mcd_trig_state_st, captured, 1);
    MCD_ABI_OFFSET(mcd_trig_state_st, captured_valid, 2);
    MCD_ABI_OFFSET(mcd_trig_state_st, count_value, 8);
    MCD_ABI_OFFSET(mcd_trig_state_st, count_valid, 16);

    /* mcd_trig_set_state_st */
    MCD_ABI_SIZE(mcd_trig_set_state_st, 24);
    MCD_ABI_ALIGN(mcd_trig_set_state_st, 4);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, active, 0);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, state, 4);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, state_valid, 8);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, trig_bus, 12);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, trig_bus_valid, 16);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, trace, 17);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, trace_valid, 18);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, analysis, 19);
    MCD_ABI_OFFSET(mcd_trig_set_state_st, analysis_valid, 20);

    /* mcd_tx_st */
    MCD_ABI_SIZE(mcd_tx_st, 56);
    MCD_ABI_ALIGN(mcd_tx_st, 8);
    MCD_ABI_OFFSET(mcd_tx_st, addr, 0);
    MCD_ABI_OFFSET(mcd_tx_st, access_type, 24);
    MCD_ABI_OFFSET(mcd_tx_st, options, 28);
    MCD_ABI_OFFSET(mcd_tx_st, access_width, 32);
    MCD_ABI_OFFSET(mcd_tx_st, core_mode, 33);
    MCD_ABI_OFFSET(mcd_tx_st, data, 40);
    MCD_ABI_OFFSET(mcd_tx_st, num_bytes, 48);
    MCD_ABI_OFFSET(mcd_tx_st, num_bytes_ok, 52);

    /* mcd_txlist_st */
    MCD_ABI_SIZE(mcd_txlist_st, 16);
    MCD_ABI_ALIGN(mcd_txlist_st, 8);
    MCD_ABI_OFFSET(mcd_txlist_st, tx, 0);
    MCD_ABI_OFFSET(mcd_txlist_st, num_tx, 8);
    MCD_ABI_OFFSET(mcd_txlist_st, num_tx_ok, 12);

    /* mcd_core_state_st */
    MCD_ABI_SIZE(mcd_core_state_st, 528);
    MCD_ABI_ALIGN(mcd_core_state_st, 4);
    MCD_ABI_OFFSET(mcd_core_state_st, state, 0);
    MCD_ABI_OFFSET(mcd_core_state_st, event, 4);
    MCD_ABI_OFFSET(mcd_core_state_st, hw_thread_id, 8);
    MCD_ABI_OFFSET(mcd_core_state_st, trig_id, 12);
    MCD_ABI_OFFSET(mcd_core_state_st, stop_str, 16);
    MCD_ABI_OFFSET(mcd_core_state_st, info_str, 272);

    /* mcd_rst_info_st */
    MCD_ABI_SIZE(mcd_rst_info_st, 260);
    MCD_ABI_ALIGN(mcd_rst_info_st, 4);
    MCD_ABI_OFFSET(mcd_rst_info_st, class_vector, 0);
    MCD_ABI_OFFSET(mcd_rst_info_st, info_str, 4);

    /* mcd_chl_st */
    MCD_ABI_SIZE(mcd_chl_st, 48);
    MCD_ABI_ALIGN(mcd_chl_st, 8);
    MCD_ABI_OFFSET(mcd_chl_st, chl_id, 0);
    MCD_ABI_OFFSET(mcd_chl_st, type, 4);
    MCD_ABI_OFFSET(mcd_chl_st, attributes, 8);
    MCD_ABI_OFFSET(mcd_chl_st, max_msg_len, 12);
    MCD_ABI_OFFSET(mcd_chl_st, msg_buffer_addr, 16);
    MCD_ABI_OFFSET(mcd_chl_st, prio, 40);

    /* mcd_trace_info_st */
    MCD_ABI_SIZE(mcd_trace_info_st, 276);
    MCD_ABI_ALIGN(mcd_trace_info_st, 4);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_id, 0);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_name, 4);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_type, 260);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_format, 264);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_modes, 268);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_no_timestamps, 272);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_shared, 273);
    MCD_ABI_OFFSET(mcd_trace_info_st, trace_size_is_bytes, 274);

    /* mcd_trace_state_st */
    MCD_ABI_SIZE(mcd_trace_state_st, 320);
    MCD_ABI_ALIGN(mcd_trace_state_st, 8);
    MCD_ABI_OFFSET(mcd_trace_state_st, state, 0);
    MCD_ABI_OFFSET(mcd_trace_state_st, mode, 4);
    MCD_ABI_OFFSET(mcd_trace_state_st, autoarm, 8);
    MCD_ABI_OFFSET(mcd_trace_state_st, wraparound, 9);
    MCD_ABI_OFFSET(mcd_trace_state_st, frames, 16);
    MCD_ABI_OFFSET(mcd_trace_state_st, count, 24);
    MCD_ABI_OFFSET(mcd_trace_state_st, size, 32);
    MCD_ABI_OFFSET(mcd_trace_state_st, trigger_delay, 40);
    MCD_ABI_OFFSET(mcd_trace_state_st, timestamp_accuracy, 48);
    MCD_ABI_OFFSET(mcd_trace_state_st, timestamp_is_time, 49);
    MCD_ABI_OFFSET(mcd_trace_state_st, options, 52);
    MCD_ABI_OFFSET(mcd_trace_state_st, modified, 56);
    MCD_ABI_OFFSET(mcd_trace_state_st, info_str, 57);

    /* mcd_trace_data_core_st */
    MCD_ABI_SIZE(mcd_trace_data_core_st, 56);
    MCD_ABI_ALIGN(mcd_trace_data_core_st, 8);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, timestamp, 0);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, marker, 8);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, cycle, 12);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, addr, 16);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, data, 40);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, data_width, 48);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, data_mask, 49);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, source, 50);
    MCD_ABI_OFFSET(mcd_trace_data_core_st, aux_info, 52);

    /* mcd_trace_data_event_st */
    MCD_ABI_SIZE(mcd_trace_data_event_st, 48);
    MCD_ABI_ALIGN(mcd_trace_data_event_st, 8);
    MCD_ABI_OFFSET(mcd_trace_data_event_st, timestamp, 0);
    MCD_ABI_OFFSET(mcd_trace_data_event_st, marker, 8);
    MCD_ABI_OFFSET(mcd_trace_data_event_st, data, 12);

    /* mcd_trace_data_stat_st */
    MCD_ABI_SIZE(mcd_trace_data_stat_st, 80);
    MCD_ABI_ALIGN(mcd_trace_data_stat_st, 8);
    MCD_ABI_OFFSET(mcd_trace_data_stat_st, timestamp, 0);
    MCD_ABI_OFFSET(mcd_trace_data_stat_st, marker, 8);
    MCD_ABI_OFFSET(mcd_trace_data_stat_st, count, 16);
}

#undef MCD_ABI_SIZE
#undef MCD_ABI_ALIGN
#undef MCD_ABI_OFFSET

#else

static inline void mcd_check_abi_layout(void)
{
    /* Reference numbers exist only for x86_64 Linux. */
}

#endif

#endif /* TESTS_QTEST_MCD_ABI_H */
