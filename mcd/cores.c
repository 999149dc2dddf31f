/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: the cores of the system (one per vCPU), the devices that
 * group them, and core connections
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/core/cpu.h"
#include "hw/boards.h"
#include "hw/cpu/cluster.h"
#include "elf.h"
#include "mcd-internal.h"
#include "trace.h"

/*
 * The ELF machine of a core, which MCD uses as the core type.  It comes
 * from the CPU, not from the binary: qemu-system-aarch64 also runs
 * AArch32-only cores (the Cortex-R5F of xlnx-zcu102), whose GDB
 * architecture is "arm".
 */
static uint32_t mcd_core_type(CPUState *cpu)
{
    static const struct {
        const char *arch;           /* GDB architecture, or its prefix */
        uint32_t machine;
    } types[] = {
        { "aarch64", EM_AARCH64 },
        { "arm", EM_ARM },
        { "iwmmxt", EM_ARM },
        { "i386:x86-64", EM_X86_64 },
        { "i386", EM_386 },
        { "riscv", EM_RISCV },
    };
    const char *arch = cpu->cc->gdb_arch_name ?
                       cpu->cc->gdb_arch_name(cpu) : target_name();

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        if (g_str_has_prefix(arch, types[i].arch)) {
            return types[i].machine;
        }
    }
    return EM_NONE;
}

/*
 * Group the cores into devices as the machine groups them: one device
 * per CPU cluster (the gdbstub's inferiors), named after the cluster.
 * A machine without clusters is one device, named after the machine.
 */
static uint32_t mcd_core_device(McdCore *c)
{
    const char *machine = MACHINE_GET_CLASS(current_machine)->name;
    Object *parent = OBJECT(c->cpu)->parent;
    McdDevice *d;

    for (uint32_t i = 0; i < mcd_server.num_devices; i++) {
        if (mcd_server.devices[i].cluster == c->cpu->cluster_index) {
            mcd_server.devices[i].num_cores++;
            return i;
        }
    }
    mcd_server.devices = g_renew(McdDevice, mcd_server.devices,
                                 mcd_server.num_devices + 1);
    d = &mcd_server.devices[mcd_server.num_devices];
    *d = (McdDevice) { .cluster = c->cpu->cluster_index, .num_cores = 1 };
    if (c->cpu->cluster_index != UNASSIGNED_CLUSTER_INDEX && parent &&
        object_dynamic_cast(parent, TYPE_CPU_CLUSTER)) {
        snprintf(d->name, sizeof(d->name), "%s %s", machine,
                 object_get_canonical_path_component(parent));
    } else {
        mcd_strcpy(d->name, machine);
    }
    return mcd_server.num_devices++;
}

/*
 * The CPU model as users name it on the command line: the QOM type
 * without its "-<arch>-cpu" suffix ("cortex-a53-arm-cpu" -> "cortex-a53").
 */
static void mcd_cpu_model(CPUState *cpu, char *buf, size_t len)
{
    const char *type = object_get_typename(OBJECT(cpu));
    const char *end = g_str_has_suffix(type, "-cpu") ?
                      type + strlen(type) - 4 : type + strlen(type);
    const char *dash = end;

    while (dash > type && dash[-1] != '-') {
        dash--;
    }
    if (dash > type + 1) {
        end = dash - 1;
    }
    snprintf(buf, len, "%.*s", (int)(end - type), type);
}

void mcd_cores_init(void)
{
    for (uint32_t i = 0; i < mcd_server.num_cores; i++) {
        McdCore *c = &mcd_server.cores[i];
        char model[MCD_UNIQUE_NAME_LEN - 16];

        c->id = i;
        c->type = mcd_core_type(c->cpu);
        c->device = mcd_core_device(c);
        c->global = true;
        mcd_cpu_model(c->cpu, model, sizeof(model));
        snprintf(c->name, sizeof(c->name), "%s #%d", model,
                 c->cpu->cpu_index);
        mcd_ok(c);
    }
}

/* A device's connection info, narrowed down to @core. */
static void mcd_core_con_info(McdCore *core,
                              const mcd_core_con_info_st *device,
                              mcd_core_con_info_st *info)
{
    *info = *device;
    mcd_strcpy(info->core, core->name);
    info->core_type = core->type;
    info->core_id = core->id;
}

mcd_return_et mcd_qry_cores_f(const mcd_core_con_info_st *connection_info,
                              uint32_t start_index, uint32_t *num_cores,
                              mcd_core_con_info_st *core_con_info)
{
    mcd_return_et ret;
    uint32_t dev, n = 0;

    if (!mcd_session->uid) {
        return mcd_fail(NULL, MCD_ERR_CONNECTION, "the server is not open");
    }
    if (!connection_info) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no device given");
    }
    dev = connection_info->device_id;
    if (dev >= mcd_server.num_devices) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no device %" PRIu32 ": the "
                        "system has %" PRIu32, dev, mcd_server.num_devices);
    }
    if (!mcd_qry_span(NULL, "cores", mcd_server.devices[dev].num_cores,
                      start_index, num_cores, core_con_info, &ret)) {
        return ret;
    }
    /* The device's cores in order; core_id stays unique in the system. */
    for (uint32_t i = 0, k = 0; i < mcd_server.num_cores && n < *num_cores;
         i++) {
        if (mcd_server.cores[i].device == dev && k++ >= start_index) {
            mcd_core_con_info(&mcd_server.cores[i], connection_info,
                              &core_con_info[n++]);
        }
    }
    return mcd_ok(NULL);
}

mcd_return_et mcd_open_core_f(const mcd_core_con_info_st *core_con_info,
                              mcd_core_st **core)
{
    McdCore *c;

    if (!mcd_session->uid) {
        return mcd_fail(NULL, MCD_ERR_CONNECTION, "the server is not open");
    }
    if (!core_con_info || !core) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no core given");
    }
    if (core_con_info->core_id >= mcd_server.num_cores) {
        return mcd_fail(NULL, MCD_ERR_PARAM,
                        "no core %" PRIu32 ": the system has %" PRIu32,
                        core_con_info->core_id, mcd_server.num_cores);
    }
    c = &mcd_server.cores[core_con_info->core_id];
    if (c->owner == mcd_session) {
        return mcd_fail(NULL, MCD_ERR_CONNECTION,
                        "core %" PRIu32 " is already open",
                        core_con_info->core_id);
    }
    if (c->owner) {
        return mcd_fail(NULL, MCD_ERR_DEVICE_LOCKED, "core %" PRIu32 " (%s) "
                        "is in use by another debugger (MCD session %"
                        PRIu32 ")", c->id, c->name, c->owner->num);
    }
    mcd_core_con_info(c, core_con_info, &c->info);
    mcd_registers_init(c);
    mcd_memory_init(c);
    mcd_triggers_init(c);
    c->handle = (mcd_core_st) { .instance = c, .core_con_info = &c->info };
    c->uid = ++mcd_server.next_uid;
    c->owner = mcd_session;
    c->stopped_event = false;
    *core = &c->handle;
    trace_mcd_core_open(mcd_session->num, c->id);
    mcd_ok(c);
    return mcd_ok(NULL);
}

mcd_return_et mcd_close_core_f(const mcd_core_st *core)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    trace_mcd_core_close(c->id);
    mcd_core_release(c);
    c->uid = 0;
    c->owner = NULL;
    return mcd_ok(NULL);
}

mcd_return_et mcd_qry_core_modes_f(const mcd_core_st *core,
                                   uint32_t start_index, uint32_t *num_modes,
                                   mcd_core_mode_info_st *core_mode_info)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    if (ret) {
        return ret;
    }
    /*
     * Debug accesses go through QEMU's debug paths, which work whatever
     * the core's privilege level: one mode covers every access.
     */
    if (!mcd_qry_span(c, "core modes", 1, start_index, num_modes,
                      core_mode_info, &ret)) {
        return ret;
    }
    core_mode_info[0] = (mcd_core_mode_info_st) { .core_mode = 1 };
    mcd_strcpy(core_mode_info[0].name, "debug");
    return mcd_ok(c);
}

mcd_return_et mcd_qry_device_description_f(const mcd_core_st *core,
                                           mcd_char_t *url,
                                           uint32_t *url_length)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    return ret ? ret : mcd_unimplemented(c, "a device description file");
}

mcd_return_et mcd_qry_max_payload_size_f(const mcd_core_st *core,
                                         uint32_t *max_payload)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup_out(core, max_payload, &c);

    if (ret) {
        return ret;
    }
    *max_payload = mcd_session_max_payload(mcd_session);
    return mcd_ok(c);
}

mcd_return_et mcd_qry_input_handle_f(const mcd_core_st *core,
                                     uint32_t *input_handle)
{
    McdCore *c;
    mcd_return_et ret = mcd_core_lookup(core, &c);

    return ret ? ret : mcd_unimplemented(c, "an event input handle");
}

void mcd_core_release(McdCore *core)
{
    mcd_triggers_release(core);
    mcd_trace_release(core);
    mcd_runctl_release(core);
    mcd_memory_release(core);
    mcd_registers_release(core);
}
