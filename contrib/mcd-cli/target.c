/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd: the target, through the MCD API
 *
 * One server connection with its first system and device, and the cores
 * of that device.  What a core describes about itself (memory spaces,
 * register groups and registers) is asked for once, when first needed,
 * and kept while the core is open: it does not change in between.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "mcd-cli.h"

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

Target target = { .current = -1 };

static const struct {
    mcd_error_code_et code;
    const char *name;
} error_names[] = {
    { MCD_ERR_NONE, "MCD_ERR_NONE" },
    { MCD_ERR_FN_UNIMPLEMENTED, "MCD_ERR_FN_UNIMPLEMENTED" },
    { MCD_ERR_USAGE, "MCD_ERR_USAGE" },
    { MCD_ERR_PARAM, "MCD_ERR_PARAM" },
    { MCD_ERR_CONNECTION, "MCD_ERR_CONNECTION" },
    { MCD_ERR_TIMED_OUT, "MCD_ERR_TIMED_OUT" },
    { MCD_ERR_GENERAL, "MCD_ERR_GENERAL" },
    { MCD_ERR_RESULT_TOO_LONG, "MCD_ERR_RESULT_TOO_LONG" },
    { MCD_ERR_COULD_NOT_START_SERVER, "MCD_ERR_COULD_NOT_START_SERVER" },
    { MCD_ERR_SERVER_LOCKED, "MCD_ERR_SERVER_LOCKED" },
    { MCD_ERR_NO_MEM_SPACES, "MCD_ERR_NO_MEM_SPACES" },
    { MCD_ERR_NO_MEM_BLOCKS, "MCD_ERR_NO_MEM_BLOCKS" },
    { MCD_ERR_MEM_SPACE_ID, "MCD_ERR_MEM_SPACE_ID" },
    { MCD_ERR_NO_REG_GROUPS, "MCD_ERR_NO_REG_GROUPS" },
    { MCD_ERR_REG_GROUP_ID, "MCD_ERR_REG_GROUP_ID" },
    { MCD_ERR_REG_NOT_COMPOUND, "MCD_ERR_REG_NOT_COMPOUND" },
    { MCD_ERR_OVERLAYS, "MCD_ERR_OVERLAYS" },
    { MCD_ERR_DEVICE_ACCESS, "MCD_ERR_DEVICE_ACCESS" },
    { MCD_ERR_DEVICE_LOCKED, "MCD_ERR_DEVICE_LOCKED" },
    { MCD_ERR_TXLIST_READ, "MCD_ERR_TXLIST_READ" },
    { MCD_ERR_TXLIST_WRITE, "MCD_ERR_TXLIST_WRITE" },
    { MCD_ERR_TXLIST_TX, "MCD_ERR_TXLIST_TX" },
    { MCD_ERR_CHL_TYPE_NOT_SUPPORTED, "MCD_ERR_CHL_TYPE_NOT_SUPPORTED" },
    { MCD_ERR_CHL_TARGET_NOT_SUPPORTED, "MCD_ERR_CHL_TARGET_NOT_SUPPORTED" },
    { MCD_ERR_CHL_SETUP, "MCD_ERR_CHL_SETUP" },
    { MCD_ERR_CHL_MESSAGE_FAILED, "MCD_ERR_CHL_MESSAGE_FAILED" },
    { MCD_ERR_TRIG_CREATE, "MCD_ERR_TRIG_CREATE" },
    { MCD_ERR_TRIG_ACCESS, "MCD_ERR_TRIG_ACCESS" },
};

const char *mcd_error_name(mcd_error_code_et code)
{
    static char buf[32];

    for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]);
         i++) {
        if (error_names[i].code == code) {
            return error_names[i].name;
        }
    }
    snprintf(buf, sizeof(buf), "MCD error 0x%x", code);
    return buf;
}

void mcd_again_delay(void)
{
    usleep(10000);
}

/* The function name at the start of a call's source text. */
static void call_name(char *buf, size_t size, const char *call)
{
    size_t n = strcspn(call, " (");

    snprintf(buf, size, "%.*s", (int)n, call);
}

/* The error of the last failed call on @core, without reporting it. */
static mcd_error_info_st last_error(const mcd_core_st *core)
{
    mcd_error_info_st ei = { 0 };

    mcd_qry_error_info_f(core, &ei);
    ei.error_str[sizeof(ei.error_str) - 1] = '\0';
    return ei;
}

static void report(const mcd_error_info_st *ei, const char *what)
{
    if (ei->error_str[0]) {
        cli_error("%s (%s)", ei->error_str, mcd_error_name(ei->error_code));
    } else {
        cli_error("%s failed (%s)", what, mcd_error_name(ei->error_code));
    }
}

bool mcd_ok(const mcd_core_st *core, const char *call, mcd_return_et ret)
{
    mcd_error_info_st ei;
    char fn[64];

    /* HANDLE_EVENT: done, and the core has news (see "state"). */
    if (ret == MCD_RET_ACT_NONE || ret == MCD_RET_ACT_HANDLE_EVENT) {
        return true;
    }
    call_name(fn, sizeof(fn), call);
    if (ret != MCD_RET_ACT_HANDLE_ERROR) {
        cli_error("%s: unexpected return action 0x%x", fn, ret);
        return false;
    }
    ei = last_error(core);
    report(&ei, fn);
    return false;
}

bool target_connected(void)
{
    return target.server != NULL;
}

int target_need_connection(void)
{
    if (!target.server) {
        return cli_error("not connected (use 'connect [host:port|unix:path]')");
    }
    return 0;
}

const char *core_name(const Core *c)
{
    return c->info.core;
}

static void core_forget(Core *c)
{
    free(c->spaces);
    free(c->groups);
    free(c->regs);
    c->spaces = NULL;
    c->groups = NULL;
    c->regs = NULL;
    c->have_spaces = c->have_groups = c->have_regs = false;
    c->num_spaces = c->num_groups = c->num_regs = 0;
    c->max_payload = 0;
    c->core = NULL;
}

static void free_cores(void)
{
    for (uint32_t i = 0; i < target.num_cores; i++) {
        core_forget(&target.cores[i]);
    }
    free(target.cores);
    target.cores = NULL;
    target.num_cores = 0;
    target.current = -1;
}

/* Close what is open; failures are reported but do not stop us. */
void target_disconnect(void)
{
    for (uint32_t i = 0; i < target.num_cores; i++) {
        if (target.cores[i].core) {
            MCD_CALL(target.cores[i].core,
                     mcd_close_core_f(target.cores[i].core));
        }
    }
    free_cores();
    if (target.server) {
        MCD_CALL(NULL, mcd_close_server_f(target.server));
        target.server = NULL;
    }
    free(target.config);
    target.config = NULL;
}

/*
 * Add the cores of a device (or of the system, if it has no devices) to
 * target.cores: core numbers of the CLI run over all devices.
 */
static int query_cores(const mcd_core_con_info_st *where)
{
    mcd_core_con_info_st *info;
    Core *cores;
    uint32_t n = 0;

    if (!MCD_CALL(NULL, mcd_qry_cores_f(where, 0, &n, NULL))) {
        return -1;
    }
    if (!n) {
        return 0;
    }
    info = calloc(n, sizeof(*info));
    cores = realloc(target.cores, (target.num_cores + n) * sizeof(*cores));
    if (!info || !cores) {
        free(info);
        return cli_error("out of memory");
    }
    target.cores = cores;
    memset(cores + target.num_cores, 0, n * sizeof(*cores));
    if (!MCD_CALL(NULL, mcd_qry_cores_f(where, 0, &n, info))) {
        free(info);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        cores[target.num_cores + i].info = info[i];
    }
    free(info);
    target.num_cores += n;
    return 0;
}

int target_connect(const char *config)
{
    uint32_t n;

    if (target.server) {
        return cli_error("already connected to %s (use 'disconnect' first)",
                         target.config);
    }
    if (!target.initialized) {
        mcd_api_version_st req = {
            .v_api_major = MCD_API_VER_MAJOR,
            .v_api_minor = MCD_API_VER_MINOR,
            .author = MCD_API_VER_AUTHOR,
        };
        mcd_impl_version_info_st impl;

        memset(&impl, 0, sizeof(impl));
        if (!MCD_CALL(NULL, mcd_initialize_f(&req, &impl))) {
            return -1;
        }
        target.initialized = true;
    }
    if (!MCD_CALL(NULL, mcd_open_server_f("", config, &target.server))) {
        target.server = NULL;
        return -1;
    }
    target.config = strdup(config);

    n = 0;
    if (!MCD_CALL(NULL, mcd_qry_systems_f(0, &n, NULL))) {
        goto fail;
    }
    if (!n) {
        cli_error("the server reports no systems");
        goto fail;
    }
    n = 1;
    if (!MCD_CALL(NULL, mcd_qry_systems_f(0, &n, &target.system))) {
        goto fail;
    }
    n = 0;
    if (!MCD_CALL(NULL, mcd_qry_devices_f(&target.system, 0, &n, NULL))) {
        goto fail;
    }
    target.num_devices = n;
    if (!n) {
        target.device = target.system;
        if (query_cores(&target.device)) {
            goto fail;
        }
    }
    /* A device per cluster of cores, for instance: take them all. */
    for (uint32_t i = 0; i < target.num_devices; i++) {
        mcd_core_con_info_st dev;

        n = 1;
        if (!MCD_CALL(NULL, mcd_qry_devices_f(&target.system, i, &n, &dev))) {
            goto fail;
        }
        if (i == 0) {
            target.device = dev;
        }
        if (query_cores(&dev)) {
            goto fail;
        }
    }
    if (!target.num_cores) {
        cli_error("the server reports no cores");
        goto fail;
    }
    return 0;

fail:
    target_disconnect();
    return -1;
}

/* Core @index of the connection; NULL after an error. */
static Core *core_at(uint32_t index)
{
    if (target_need_connection()) {
        return NULL;
    }
    if (index >= target.num_cores) {
        cli_error("no core %u (cores 0-%u exist)", index,
                  target.num_cores - 1);
        return NULL;
    }
    return &target.cores[index];
}

int target_open_core(uint32_t index, bool *was_open)
{
    Core *c = core_at(index);

    if (!c) {
        return -1;
    }
    *was_open = c->core != NULL;
    if (c->core) {
        return 0;
    }
    if (!MCD_CALL(NULL, mcd_open_core_f(&c->info, &c->core))) {
        c->core = NULL;
        return -1;
    }
    return 0;
}

int target_close_core(uint32_t index)
{
    Core *c = core_at(index);
    bool ok;

    if (!c) {
        return -1;
    }
    if (!c->core) {
        return cli_error("core %u is not open", index);
    }
    ok = MCD_CALL(c->core, mcd_close_core_f(c->core));
    /* Closed or not, the handle is of no further use. */
    core_forget(c);
    if (target.current == (int)index) {
        target.current = -1;
    }
    return ok ? 0 : -1;
}

Core *target_need_core(void)
{
    if (target_need_connection()) {
        return NULL;
    }
    if (target.current < 0) {
        cli_error("no core selected (use 'open <core>' or 'core <n>')");
        return NULL;
    }
    return &target.cores[target.current];
}

/* A counted-list query of a core, from its start, the entry type erased. */
typedef mcd_return_et CoreListQuery(const mcd_core_st *core, uint32_t *num,
                                    void *out);

static mcd_return_et qry_mem_spaces(const mcd_core_st *core, uint32_t *num,
                                    void *out)
{
    return mcd_qry_mem_spaces_f(core, 0, num, out);
}

static mcd_return_et qry_reg_groups(const mcd_core_st *core, uint32_t *num,
                                    void *out)
{
    return mcd_qry_reg_groups_f(core, 0, num, out);
}

/*
 * All the entries, of @size bytes each, that @qry (MCD function @fn)
 * lists for @c: *@list gets them (NULL if none), *@num their number.
 * Error @none means that there are none.
 */
static int core_list(Core *c, CoreListQuery *qry, const char *fn,
                     mcd_error_code_et none, size_t size, void **list,
                     uint32_t *num)
{
    uint32_t n = 0;
    mcd_error_info_st ei;
    void *all = NULL;

    if (qry(c->core, &n, NULL) != MCD_RET_ACT_NONE) {
        ei = last_error(c->core);
        if (ei.error_code != none) {
            report(&ei, fn);
            return -1;
        }
        n = 0;
    }
    if (n) {
        all = calloc(n, size);
        if (!all) {
            return cli_error("out of memory");
        }
        if (!mcd_ok(c->core, fn, MCD_RETRY(qry(c->core, &n, all)))) {
            free(all);
            return -1;
        }
    }
    *list = all;
    *num = n;
    return 0;
}

int core_spaces(Core *c)
{
    void *list;

    if (c->have_spaces) {
        return 0;
    }
    if (core_list(c, qry_mem_spaces, "mcd_qry_mem_spaces_f",
                  MCD_ERR_NO_MEM_SPACES, sizeof(*c->spaces), &list,
                  &c->num_spaces)) {
        return -1;
    }
    c->spaces = list;
    c->have_spaces = true;
    return 0;
}

int core_groups(Core *c)
{
    void *list;

    if (c->have_groups) {
        return 0;
    }
    if (core_list(c, qry_reg_groups, "mcd_qry_reg_groups_f",
                  MCD_ERR_NO_REG_GROUPS, sizeof(*c->groups), &list,
                  &c->num_groups)) {
        return -1;
    }
    c->groups = list;
    c->have_groups = true;
    return 0;
}

int core_regs(Core *c)
{
    mcd_register_info_st *all = NULL;
    uint32_t total = 0;

    if (c->have_regs) {
        return 0;
    }
    if (core_groups(c)) {
        return -1;
    }
    for (uint32_t g = 0; g < c->num_groups; g++) {
        uint32_t id = c->groups[g].reg_group_id;
        uint32_t n = 0;
        mcd_register_info_st *more;

        if (!MCD_CALL(c->core, mcd_qry_reg_map_f(c->core, id, 0, &n,
                                                 NULL))) {
            goto fail;
        }
        if (!n) {
            continue;
        }
        more = realloc(all, (total + n) * sizeof(*all));
        if (!more) {
            cli_error("out of memory");
            goto fail;
        }
        all = more;
        memset(all + total, 0, n * sizeof(*all));
        if (!MCD_CALL(c->core, mcd_qry_reg_map_f(c->core, id, 0, &n,
                                                 all + total))) {
            goto fail;
        }
        total += n;
    }
    c->regs = all;
    c->num_regs = total;
    c->have_regs = true;
    return 0;

fail:
    free(all);
    return -1;
}

int core_payload(Core *c, uint32_t *payload)
{
    if (!c->max_payload) {
        uint32_t p = 0;

        if (!MCD_CALL(c->core, mcd_qry_max_payload_size_f(c->core, &p))) {
            return -1;
        }
        /* Whole 8-byte units, so that no access is cut in two. */
        c->max_payload = p >= 16 ? p & ~7u : 8;
    }
    *payload = c->max_payload;
    return 0;
}

static bool name_is(const char *a, const char *b)
{
    return !strcasecmp(a, b);
}

static bool name_starts(const char *name, const char *prefix)
{
    return !strncasecmp(name, prefix, strlen(prefix));
}

static bool name_contains(const char *name, const char *part)
{
    return strcasestr(name, part) != NULL;
}

/*
 * Of the @n entries at @base, @stride bytes apart, with a name @name_off
 * bytes into each: the only one whose name starts with @name, else the
 * only one whose name contains it.  NULL if none or (*@matches > 1)
 * several do.
 */
static const void *find_abbrev(const void *base, uint32_t n, size_t stride,
                               size_t name_off, const char *name,
                               int *matches)
{
    const char *found = NULL;

    *matches = 0;
    for (int pass = 0; pass < 2 && !*matches; pass++) {
        for (uint32_t i = 0; i < n; i++) {
            const char *e = (const char *)base + i * stride;

            if (pass ? name_contains(e + name_off, name) :
                name_starts(e + name_off, name)) {
                found = e;
                (*matches)++;
            }
        }
    }
    return *matches == 1 ? found : NULL;
}

/* The first non-secure space with any of @types, else the first one. */
static const mcd_memspace_st *space_of_type(Core *c, uint32_t types)
{
    const mcd_memspace_st *any = NULL;

    for (uint32_t i = 0; i < c->num_spaces; i++) {
        const mcd_memspace_st *s = &c->spaces[i];

        if (!(s->mem_type & types)) {
            continue;
        }
        if (!(s->mem_type & MCD_CLI_MEM_SPACE_SECURE)) {
            return s;
        }
        if (!any) {
            any = s;
        }
    }
    return any;
}

const mcd_memspace_st *core_find_space(Core *c, const char *name)
{
    static const struct {
        const char *alias;
        uint32_t types;
    } aliases[] = {
        { "phys", MCD_MEM_SPACE_IS_PHYSICAL },
        { "physical", MCD_MEM_SPACE_IS_PHYSICAL },
        { "log", MCD_MEM_SPACE_IS_LOGICAL },
        { "logical", MCD_MEM_SPACE_IS_LOGICAL },
        { "virt", MCD_MEM_SPACE_IS_LOGICAL | MCD_MEM_SPACE_IS_VIRTUAL },
        { "virtual", MCD_MEM_SPACE_IS_LOGICAL | MCD_MEM_SPACE_IS_VIRTUAL },
        { "regs", MCD_MEM_SPACE_IS_REGISTERS },
        { "registers", MCD_MEM_SPACE_IS_REGISTERS },
    };
    const mcd_memspace_st *found;
    uint32_t id;
    int matches;

    if (core_spaces(c)) {
        return NULL;
    }
    if (parse_u32(name, &id)) {
        for (uint32_t i = 0; i < c->num_spaces; i++) {
            if (c->spaces[i].mem_space_id == id) {
                return &c->spaces[i];
            }
        }
        cli_error("no memory space %u (see 'spaces')", id);
        return NULL;
    }
    for (uint32_t i = 0; i < c->num_spaces; i++) {
        if (name_is(c->spaces[i].mem_space_name, name)) {
            return &c->spaces[i];
        }
    }
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (name_is(aliases[i].alias, name)) {
            found = space_of_type(c, aliases[i].types);
            if (found) {
                return found;
            }
        }
    }
    /* A unique start of a name, else a unique part of one. */
    found = find_abbrev(c->spaces, c->num_spaces, sizeof(*c->spaces),
                        offsetof(mcd_memspace_st, mem_space_name), name,
                        &matches);
    if (found) {
        return found;
    }
    cli_error(matches ? "memory space '%s' is ambiguous (see 'spaces')" :
              "no memory space '%s' (see 'spaces')", name);
    return NULL;
}

uint32_t core_trigger_space(Core *c)
{
    const mcd_memspace_st *s;

    if (core_spaces(c)) {
        return 0;
    }
    s = space_of_type(c, MCD_MEM_SPACE_IS_LOGICAL);
    return s ? s->mem_space_id : 0;
}

const mcd_register_group_st *core_find_group(Core *c, const char *name)
{
    const mcd_register_group_st *found;
    uint32_t id;
    int matches;

    if (core_groups(c)) {
        return NULL;
    }
    if (parse_u32(name, &id)) {
        for (uint32_t i = 0; i < c->num_groups; i++) {
            if (c->groups[i].reg_group_id == id) {
                return &c->groups[i];
            }
        }
        cli_error("no register group %u (see 'regs')", id);
        return NULL;
    }
    for (uint32_t i = 0; i < c->num_groups; i++) {
        if (name_is(c->groups[i].reg_group_name, name)) {
            return &c->groups[i];
        }
    }
    /* A unique start of a name, else a unique part of one ("fpu"). */
    found = find_abbrev(c->groups, c->num_groups, sizeof(*c->groups),
                        offsetof(mcd_register_group_st, reg_group_name),
                        name, &matches);
    if (found) {
        return found;
    }
    cli_error(matches ? "register group '%s' is ambiguous (see 'regs')" :
              "no register group '%s' (see 'regs')", name);
    return NULL;
}

const mcd_register_info_st *core_find_reg(Core *c, const char *name)
{
    if (core_regs(c)) {
        return NULL;
    }
    for (uint32_t i = 0; i < c->num_regs; i++) {
        if (name_is(c->regs[i].regname, name)) {
            return &c->regs[i];
        }
    }
    cli_error("no register '%s' (see 'regs GROUP')", name);
    return NULL;
}

const mcd_register_info_st *core_pc_reg(Core *c)
{
    static const char *const names[] = { "pc", "rip", "eip" };

    if (core_regs(c)) {
        return NULL;
    }
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        for (uint32_t i = 0; i < c->num_regs; i++) {
            if (name_is(c->regs[i].regname, names[n]) &&
                reg_bytes(&c->regs[i]) <= 8) {
                return &c->regs[i];
            }
        }
    }
    return NULL;
}

bool core_big_endian(Core *c, uint32_t mem_space_id)
{
    if (core_spaces(c)) {
        return false;
    }
    for (uint32_t i = 0; i < c->num_spaces; i++) {
        if (c->spaces[i].mem_space_id == mem_space_id) {
            return c->spaces[i].endian == MCD_ENDIAN_BIG;
        }
    }
    return false;
}

uint32_t reg_bytes(const mcd_register_info_st *reg)
{
    return DIV_ROUND_UP(reg->regsize, 8);
}

int mem_access(Core *c, uint32_t mem_space_id, uint64_t addr,
               uint8_t *buf, uint32_t len, bool write, uint8_t width)
{
    uint32_t payload, done = 0;

    if (core_payload(c, &payload)) {
        return -1;
    }
    while (done < len) {
        uint32_t n = len - done < payload ? len - done : payload;
        mcd_tx_st tx = {
            .addr = {
                .address = addr + done,
                .mem_space_id = mem_space_id,
            },
            .access_type = write ? MCD_TX_AT_W : MCD_TX_AT_R,
            .access_width = width,
            .data = buf + done,
            .num_bytes = n,
        };
        mcd_txlist_st txlist = { .tx = &tx, .num_tx = 1 };

        if (!MCD_CALL(c->core, mcd_execute_txlist_f(c->core, &txlist))) {
            return -1;
        }
        if (txlist.num_tx_ok != 1 || tx.num_bytes_ok != n) {
            return cli_error("only %u of %u bytes at 0x%llx could be %s",
                             done + tx.num_bytes_ok, len,
                             (unsigned long long)addr,
                             write ? "written" : "read");
        }
        done += n;
    }
    return 0;
}

/* Give up on a register read after this many failures and no success. */
#define REG_READ_MAX_FAILURES 4

int regs_read(Core *c, const mcd_register_info_st *regs, uint32_t n,
              uint8_t *data, const uint32_t *offsets, bool *ok)
{
    uint32_t payload, next = 0, failures = 0, good = 0;
    mcd_error_info_st first_error = { 0 };
    mcd_tx_st tx[MCD_TX_NUM_MAX];

    if (core_payload(c, &payload)) {
        return -1;
    }
    while (next < n) {
        mcd_txlist_st txlist = { .tx = tx };
        uint32_t bytes = 0;
        mcd_return_et ret;

        /* As many registers as one transaction list may carry. */
        while (next + txlist.num_tx < n && txlist.num_tx < MCD_TX_NUM_MAX) {
            const mcd_register_info_st *r = &regs[next + txlist.num_tx];
            uint32_t size = reg_bytes(r);

            if (txlist.num_tx && bytes + size > payload) {
                break;
            }
            tx[txlist.num_tx] = (mcd_tx_st) {
                .addr = r->addr,
                .access_type = MCD_TX_AT_R,
                .data = data + offsets[next + txlist.num_tx],
                .num_bytes = size,
            };
            bytes += size;
            txlist.num_tx++;
        }
        do {
            ret = mcd_execute_txlist_f(c->core, &txlist);
        } while (ret == MCD_RET_ACT_AGAIN && (mcd_again_delay(), true));
        if (ret == MCD_RET_ACT_NONE || ret == MCD_RET_ACT_HANDLE_EVENT) {
            for (uint32_t i = 0; i < txlist.num_tx; i++) {
                ok[next + i] = true;
            }
            good += txlist.num_tx;
            next += txlist.num_tx;
            continue;
        }
        /*
         * The list stops at the first failing transaction: keep what came
         * before it, mark that register unreadable, go on after it.
         */
        if (txlist.num_tx_ok > txlist.num_tx) {
            txlist.num_tx_ok = 0;
        }
        for (uint32_t i = 0; i < txlist.num_tx_ok; i++) {
            ok[next + i] = true;
        }
        good += txlist.num_tx_ok;
        next += txlist.num_tx_ok;
        ok[next++] = false;
        if (!failures++) {
            first_error = last_error(c->core);
        }
        if (!good && failures >= REG_READ_MAX_FAILURES) {
            break;
        }
    }
    if (!good) {
        report(&first_error, "mcd_execute_txlist_f");
        return -1;
    }
    return 0;
}

int reg_write(Core *c, const mcd_register_info_st *reg, uint8_t *data)
{
    mcd_tx_st tx = {
        .addr = reg->addr,
        .access_type = MCD_TX_AT_W,
        .data = data,
        .num_bytes = reg_bytes(reg),
    };
    mcd_txlist_st txlist = { .tx = &tx, .num_tx = 1 };

    if (!MCD_CALL(c->core, mcd_execute_txlist_f(c->core, &txlist))) {
        return -1;
    }
    if (txlist.num_tx_ok != 1) {
        return cli_error("register %s was not written", reg->regname);
    }
    return 0;
}

bool core_read_pc(Core *c, uint64_t *pc, bool quiet)
{
    const mcd_register_info_st *r;
    uint8_t data[8] = { 0 };
    mcd_tx_st tx;
    mcd_txlist_st txlist = { .tx = &tx, .num_tx = 1 };
    mcd_return_et ret;
    uint32_t n;
    bool big;

    cli_silence += quiet;
    r = core_pc_reg(c);
    cli_silence -= quiet;
    if (!r) {
        if (!quiet) {
            cli_error("the core has no register named pc");
        }
        return false;
    }
    n = reg_bytes(r);
    tx = (mcd_tx_st) {
        .addr = r->addr,
        .access_type = MCD_TX_AT_R,
        .data = data,
        .num_bytes = n,
    };
    ret = mcd_execute_txlist_f(c->core, &txlist);
    if (ret != MCD_RET_ACT_NONE || txlist.num_tx_ok != 1) {
        if (!quiet) {
            mcd_error_info_st ei = last_error(c->core);

            report(&ei, "mcd_execute_txlist_f");
        }
        return false;
    }
    big = core_big_endian(c, r->addr.mem_space_id);
    *pc = 0;
    for (uint32_t i = 0; i < n; i++) {
        *pc |= (uint64_t)data[big ? n - 1 - i : i] << (8 * i);
    }
    return true;
}

void format_value(char *out, size_t size, const uint8_t *data, uint32_t n,
                  bool big_endian)
{
    size_t pos;

    if (!out || size < 3) {
        return;
    }
    strcpy(out, "0x");
    pos = 2;
    for (uint32_t i = 0; i < n && pos + 3 <= size; i++) {
        uint8_t b = data[big_endian ? i : n - 1 - i];

        snprintf(out + pos, size - pos, "%02x", b);
        pos += 2;
    }
}
