/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd: the commands
 *
 * Every command prints what it did or found on stdout, in a fixed format
 * that scripts and tests may match, and reports failures through
 * cli_error(), which prints the reason on stderr; the MCD error string of
 * the server or client stub is passed on as it is.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "mcd-cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Longest memory dump or fill, to catch typos in lengths. */
#define MAX_MEM_LEN (1024 * 1024)

/* How long "wait" waits by default, in milliseconds. */
#define WAIT_DEFAULT_MS 10000

bool cli_quit;

/* The target of the last successful connect, for a later "connect". */
static char last_target[256];

const char *command_default_target(void)
{
    const char *env = getenv("MCD_TARGET");

    if (last_target[0]) {
        return last_target;
    }
    return env && *env ? env : MCD_CLI_DEFAULT_TARGET;
}

typedef struct Command {
    const char *name;
    const char *aliases[3];
    int (*fn)(int argc, char **argv);
    int min_args;
    int max_args;               /* -1: any number */
    const char *args;
    const char *summary;
    const char *help;
} Command;

static int cmd_help(int argc, char **argv);
static const Command *find_command(const char *name);

/* Helpers */

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static int usage_error(const Command *cmd)
{
    return cli_error("usage: %s%s%s", cmd->name, cmd->args[0] ? " " : "",
                     cmd->args);
}

static const char *addr_str(uint64_t addr)
{
    static char buf[200];

    snprintf(buf, sizeof(buf), "0x%llx%s", (unsigned long long)addr,
             symbol_suffix(addr));
    return buf;
}

/* A core number, checked against the cores of the server. */
static int parse_core(const char *s, uint32_t *index)
{
    if (!parse_u32(s, index)) {
        return cli_error("invalid core number '%s'", s);
    }
    if (*index >= target.num_cores) {
        return cli_error("no core %u (cores 0-%u exist)", *index,
                         target.num_cores - 1);
    }
    return 0;
}

/* "1.5" seconds -> 1500 ms */
static int parse_ms(const char *s, uint64_t *ms)
{
    char whole[32];
    const char *dot = strchr(s, '.');
    uint64_t sec = 0, frac = 0, scale = 100;
    size_t n = dot ? (size_t)(dot - s) : strlen(s);

    if (n >= sizeof(whole) || (n == 0 && !dot)) {
        return cli_error("invalid time '%s' (seconds)", s);
    }
    memcpy(whole, s, n);
    whole[n] = '\0';
    if (n && !parse_u64(whole, &sec)) {
        return cli_error("invalid time '%s' (seconds)", s);
    }
    if (dot) {
        for (const char *p = dot + 1; *p; p++) {
            if (*p < '0' || *p > '9') {
                return cli_error("invalid time '%s' (seconds)", s);
            }
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (sec > 86400 * 365) {
        return cli_error("time '%s' is too long", s);
    }
    *ms = sec * 1000 + frac;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/*
 * A value for @n bytes: decimal, 0x-hexadecimal (as long as the register
 * needs), or negative decimal (two's complement).
 */
static int parse_value(const char *s, uint8_t *out, uint32_t n, bool big)
{
    bool neg = s[0] == '-';
    const char *digits = neg ? s + 1 : s;
    uint64_t v;

    memset(out, 0, n);
    if (!neg && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') &&
        strlen(digits + 2) > 16) {
        /* Wider than 64 bits: hex digits straight into the bytes. */
        const char *end = digits + strlen(digits);
        uint32_t i = 0;

        for (const char *p = end; p > digits + 2; p -= 2, i++) {
            char pair[3] = { p - 1 > digits + 2 ? p[-2] : '0', p[-1], 0 };

            if (!parse_hex(pair, &v)) {
                return cli_error("invalid value '%s'", s);
            }
            if (i >= n) {
                if (v) {
                    return cli_error("value '%s' does not fit in %u %s",
                                     s, n, plural(n, "byte", "bytes"));
                }
                continue;
            }
            out[i] = v;
        }
    } else {
        if (!parse_u64(digits, &v)) {
            return cli_error("invalid value '%s'", s);
        }
        if (neg) {
            if (n < 8 && v > (1ULL << (8 * n - 1))) {
                return cli_error("value '%s' does not fit in %u %s", s,
                                 n, plural(n, "byte", "bytes"));
            }
            v = -v;
        } else if (n < 8 && (v >> (8 * n))) {
            return cli_error("value '%s' does not fit in %u %s", s, n,
                             plural(n, "byte", "bytes"));
        }
        for (uint32_t i = 0; i < n; i++) {
            out[i] = i < 8 ? v >> (8 * i) : (neg ? 0xff : 0);
        }
    }
    if (big) {
        for (uint32_t i = 0; i < n / 2; i++) {
            uint8_t t = out[i];

            out[i] = out[n - 1 - i];
            out[n - 1 - i] = t;
        }
    }
    return 0;
}

static uint64_t get_value(const uint8_t *data, uint32_t n, bool big)
{
    uint64_t v = 0;

    for (uint32_t i = 0; i < n && i < 8; i++) {
        v |= (uint64_t)data[big ? n - 1 - i : i] << (8 * i);
    }
    return v;
}

/* "u8", "u16", "u32", "u64" -> bytes, else 0 */
static uint32_t width_of(const char *s)
{
    static const struct {
        const char *name;
        uint32_t bytes;
    } widths[] = {
        { "u8", 1 }, { "u16", 2 }, { "u32", 4 }, { "u64", 8 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
        if (!strcasecmp(s, widths[i].name)) {
            return widths[i].bytes;
        }
    }
    return 0;
}

static const char *state_name(mcd_core_state_et state)
{
    static char buf[32];

    switch (state) {
    case MCD_CORE_STATE_UNKNOWN:
        return "unknown";
    case MCD_CORE_STATE_RUNNING:
        return "running";
    case MCD_CORE_STATE_HALTED:
        return "halted";
    case MCD_CORE_STATE_DEBUG:
        return "debug";
    default:
        snprintf(buf, sizeof(buf), "custom state 0x%x", state);
        return buf;
    }
}

static int query_state(Core *c, mcd_core_state_st *st)
{
    memset(st, 0, sizeof(*st));
    if (!MCD_CALL(c->core, mcd_qry_state_f(c->core, st))) {
        return -1;
    }
    st->stop_str[sizeof(st->stop_str) - 1] = '\0';
    st->info_str[sizeof(st->info_str) - 1] = '\0';
    return 0;
}

/* "stopped at 0x400010c0 <tick> (trigger 1)" */
static void print_stopped(Core *c, const mcd_core_state_st *st)
{
    uint64_t pc;

    printf("stopped");
    if (core_read_pc(c, &pc, true)) {
        printf(" at %s", addr_str(pc));
    }
    if (st->trig_id) {
        printf(" (trigger %u)", st->trig_id);
    }
    printf("\n");
}

/* Commands: session */

static int cmd_connect(int argc, char **argv)
{
    const char *config = argc > 1 ? argv[1] : command_default_target();

    /*
     * Scripts start with "connect" and leave the target to -t or
     * MCD_TARGET; a connection made by -t is then the one they mean.
     */
    if (argc == 1 && target_connected()) {
        printf("already connected to %s\n", target.config);
        return 0;
    }
    if (target_connect(config)) {
        return -1;
    }
    if (target.num_devices > 1) {
        printf("connected to %s: %s, %u devices, %u %s\n", config,
               target.system.system, target.num_devices, target.num_cores,
               plural(target.num_cores, "core", "cores"));
    } else {
        printf("connected to %s: %s, device %s, %u %s\n", config,
               target.system.system, target.device.device, target.num_cores,
               plural(target.num_cores, "core", "cores"));
    }
    if (config != last_target) {
        snprintf(last_target, sizeof(last_target), "%s", config);
    }
    return 0;
}

static int cmd_disconnect(int argc, char **argv)
{
    if (target_need_connection()) {
        return -1;
    }
    printf("disconnected from %s\n", target.config);
    target_disconnect();
    return 0;
}

static int cmd_quit(int argc, char **argv)
{
    cli_quit = true;
    return 0;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        printf("%s%s", i > 1 ? " " : "", argv[i]);
    }
    printf("\n");
    return 0;
}

static int cmd_sleep(int argc, char **argv)
{
    uint64_t ms;

    if (parse_ms(argv[1], &ms)) {
        return -1;
    }
    sleep_ms(ms);
    return 0;
}

static int cmd_symfile(int argc, char **argv)
{
    size_t before = symbols_count();

    if (symbols_load(argv[1])) {
        return -1;
    }
    printf("loaded %zu symbols from %s\n", symbols_count() - before,
           argv[1]);
    return 0;
}

static int cmd_syms(int argc, char **argv)
{
    size_t shown = 0;

    for (size_t i = 0; i < symbols_count(); i++) {
        const Symbol *s = symbol_at(i);

        if (argc > 1 && !strstr(s->name, argv[1])) {
            continue;
        }
        printf("0x%016llx  %s\n", (unsigned long long)s->addr, s->name);
        shown++;
    }
    if (!shown) {
        printf(symbols_count() ? "no matching symbols\n" :
               "no symbols loaded\n");
    }
    return 0;
}

/* Commands: systems, devices, cores */

/* mcd_qry_devices_f() on @system, or mcd_qry_systems_f() if NULL. */
static bool qry_con_infos(const mcd_core_con_info_st *system, uint32_t *n,
                          mcd_core_con_info_st *info)
{
    if (system) {
        return MCD_CALL(NULL, mcd_qry_devices_f(system, 0, n, info));
    }
    return MCD_CALL(NULL, mcd_qry_systems_f(0, n, info));
}

/*
 * The devices of @system, or the systems if NULL: an array of *@n
 * (free() it), or NULL after an error.
 */
static mcd_core_con_info_st *con_infos(const mcd_core_con_info_st *system,
                                       uint32_t *n)
{
    mcd_core_con_info_st *info;

    *n = 0;
    if (target_need_connection() || !qry_con_infos(system, n, NULL)) {
        return NULL;
    }
    info = calloc(*n ? *n : 1, sizeof(*info));
    if (!info) {
        cli_error("out of memory");
        return NULL;
    }
    if (*n && !qry_con_infos(system, n, info)) {
        free(info);
        return NULL;
    }
    return info;
}

static int cmd_systems(int argc, char **argv)
{
    uint32_t n;
    mcd_core_con_info_st *info = con_infos(NULL, &n);

    if (!info) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        printf("%3u  %s", i, info[i].system);
        if (info[i].system_instance[0]) {
            printf("  [%s]", info[i].system_instance);
        }
        printf("\n");
    }
    free(info);
    return 0;
}

static int cmd_devices(int argc, char **argv)
{
    uint32_t n;
    mcd_core_con_info_st *info = con_infos(&target.system, &n);

    if (!info) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        printf("%3u  %s  (device id %u, type %u)\n", i, info[i].device,
               info[i].device_id, info[i].device_type);
    }
    if (!n) {
        printf("no devices\n");
    }
    free(info);
    return 0;
}

static int cmd_cores(int argc, char **argv)
{
    if (target_need_connection()) {
        return -1;
    }
    bool devices = target.num_devices > 1;

    printf("  core  %-28s %7s %5s  %s%s\n", "name", "core-id", "type",
           devices ? "device                    " : "", "status");
    for (uint32_t i = 0; i < target.num_cores; i++) {
        const Core *c = &target.cores[i];

        printf("%c %4u  %-28s %7u %5u  ",
               (int)i == target.current ? '*' : ' ', i, core_name(c),
               c->info.core_id, c->info.core_type);
        if (devices) {
            printf("%-26.*s", (int)sizeof(c->info.device), c->info.device);
        }
        printf("%s\n", (int)i == target.current ? "open, current" :
                       c->core ? "open" : "-");
    }
    return 0;
}

/* "all" or a core number: the cores from *@first to *@last it names. */
static int parse_cores(const char *s, uint32_t *first, uint32_t *last)
{
    if (!strcmp(s, "all")) {
        *first = 0;
        *last = target.num_cores - 1;
        return 0;
    }
    if (parse_core(s, first)) {
        return -1;
    }
    *last = *first;
    return 0;
}

static int cmd_open(int argc, char **argv)
{
    uint32_t first, last;

    if (target_need_connection()) {
        return -1;
    }
    for (int a = 1; a < argc; a++) {
        if (parse_cores(argv[a], &first, &last)) {
            return -1;
        }
        for (uint32_t i = first; i <= last; i++) {
            bool was_open;

            if (target_open_core(i, &was_open)) {
                return -1;
            }
            if (was_open) {
                printf("core %u (%s) is already open\n", i,
                       core_name(&target.cores[i]));
                continue;
            }
            printf("opened core %u (%s)", i, core_name(&target.cores[i]));
            if (target.current < 0) {
                target.current = i;
                printf(", current");
            }
            printf("\n");
        }
    }
    return 0;
}

static int cmd_close(int argc, char **argv)
{
    uint32_t first, last;

    if (target_need_connection()) {
        return -1;
    }
    for (int a = 1; a < argc; a++) {
        bool all = !strcmp(argv[a], "all");

        if (parse_cores(argv[a], &first, &last)) {
            return -1;
        }
        for (uint32_t i = first; i <= last; i++) {
            if (all && !target.cores[i].core) {
                continue;
            }
            if (target_close_core(i)) {
                return -1;
            }
            printf("closed core %u (%s)\n", i, core_name(&target.cores[i]));
        }
    }
    return 0;
}

static int cmd_core(int argc, char **argv)
{
    uint32_t i;
    bool was_open;

    if (target_need_connection()) {
        return -1;
    }
    if (argc == 1) {
        if (target.current < 0) {
            return cli_error("no core selected (use 'open <core>' or "
                             "'core <n>')");
        }
        i = target.current;
    } else if (parse_core(argv[1], &i) || target_open_core(i, &was_open)) {
        return -1;
    }
    target.current = i;
    printf("current core: %u (%s)\n", i, core_name(&target.cores[i]));
    return 0;
}

/* Commands: memory spaces and memory */

static void mem_type_str(char *buf, size_t size, mcd_mem_type_et type)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        { MCD_MEM_SPACE_IS_REGISTERS, "registers" },
        { MCD_MEM_SPACE_IS_PROGRAM, "program" },
        { MCD_MEM_SPACE_IS_VIRTUAL, "virtual" },
        { MCD_MEM_SPACE_IS_CACHE, "cache" },
        { MCD_MEM_SPACE_IS_PHYSICAL, "physical" },
        { MCD_MEM_SPACE_IS_LOGICAL, "logical" },
    };
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
        if (type & bits[i].bit) {
            len += snprintf(buf + len, size - len, "%s%s", len ? "," : "",
                            bits[i].name);
            type &= ~bits[i].bit;
        }
        if (len >= size) {
            return;
        }
    }
    if (type) {
        snprintf(buf + len, size - len, "%s0x%x", len ? "," : "", type);
    } else if (!len) {
        snprintf(buf, size, "default");
    }
}

static int cmd_spaces(int argc, char **argv)
{
    static const char *const endian[] = { "default", "little", "big" };
    Core *c = target_need_core();

    if (!c || core_spaces(c)) {
        return -1;
    }
    if (!c->num_spaces) {
        printf("no memory spaces\n");
        return 0;
    }
    printf("  id  %-24s %-20s %-8s %s\n", "name", "type", "endian",
           "addresses");
    for (uint32_t i = 0; i < c->num_spaces; i++) {
        const mcd_memspace_st *s = &c->spaces[i];
        char type[64];

        mem_type_str(type, sizeof(type), s->mem_type);
        printf("%4u  %-24s %-20s %-8s 0x%llx-0x%llx\n", s->mem_space_id,
               s->mem_space_name, type,
               s->endian < ARRAY_SIZE(endian) ? endian[s->endian] : "?",
               (unsigned long long)s->min_addr,
               (unsigned long long)s->max_addr);
    }
    return 0;
}

static void hexdump(uint64_t addr, const uint8_t *data, uint32_t len)
{
    int width = addr + len - 1 > 0xffffffffULL ? 16 : 8;

    for (uint32_t off = 0; off < len; off += 16) {
        uint32_t n = len - off < 16 ? len - off : 16;

        printf("0x%0*llx: ", width, (unsigned long long)(addr + off));
        for (uint32_t i = 0; i < 16; i++) {
            if (i < n) {
                printf("%02x ", data[off + i]);
            } else {
                printf("   ");
            }
        }
        printf(" ");
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b = data[off + i];

            putchar(b >= 0x20 && b < 0x7f ? b : '.');
        }
        printf("\n");
    }
}

static int cmd_mem(int argc, char **argv)
{
    Core *c = target_need_core();
    const mcd_memspace_st *space;
    uint64_t addr, len = 64, count = 1;
    uint32_t width = 0;
    uint8_t *buf;
    bool big;

    if (!c) {
        return -1;
    }
    space = core_find_space(c, argv[1]);
    if (!space || parse_addr(argv[2], &addr, NULL)) {
        return -1;
    }
    if (argc > 3) {
        width = width_of(argv[3]);
        if (width) {
            if (argc > 4 && (!parse_u64(argv[4], &count) || !count)) {
                return cli_error("invalid count '%s'", argv[4]);
            }
            len = count * width;
        } else if (argc > 4) {
            return cli_error("usage: mem <space> <addr> [len | "
                             "u8|u16|u32|u64 [count]]");
        } else if (!parse_u64(argv[3], &len) || !len) {
            return cli_error("invalid length '%s' (or u8, u16, u32, u64)",
                             argv[3]);
        }
    }
    if (len > MAX_MEM_LEN) {
        return cli_error("at most %u bytes at once", MAX_MEM_LEN);
    }
    buf = calloc(len, 1);
    if (!buf) {
        return cli_error("out of memory");
    }
    if (mem_access(c, space->mem_space_id, addr, buf, len, false, width)) {
        free(buf);
        return -1;
    }
    big = space->endian == MCD_ENDIAN_BIG;
    if (!width) {
        hexdump(addr, buf, len);
    }
    for (uint64_t i = 0; width && i < count; i++) {
        uint64_t a = addr + i * width;
        uint64_t v = get_value(buf + i * width, width, big);

        printf("0x%0*llx%s: 0x%0*llx (%llu)\n",
               addr + len - 1 > 0xffffffffULL ? 16 : 8,
               (unsigned long long)a, symbol_suffix(a), (int)width * 2,
               (unsigned long long)v, (unsigned long long)v);
    }
    free(buf);
    return 0;
}

static int cmd_write(int argc, char **argv)
{
    Core *c = target_need_core();
    const mcd_memspace_st *space;
    uint32_t width, len;
    uint64_t addr;
    uint8_t *buf;
    int first, n;

    if (!c) {
        return -1;
    }
    space = core_find_space(c, argv[1]);
    if (!space || parse_addr(argv[2], &addr, NULL)) {
        return -1;
    }
    width = width_of(argv[3]);
    first = width ? 4 : 3;
    n = argc - first;
    if (n < 1) {
        return cli_error("no value to write");
    }
    len = n * (width ? width : 1);
    buf = calloc(len, 1);
    if (!buf) {
        return cli_error("out of memory");
    }
    for (int i = 0; i < n; i++) {
        const char *s = argv[first + i];
        uint64_t v;

        if (width) {
            if (parse_value(s, buf + i * width, width,
                            space->endian == MCD_ENDIAN_BIG)) {
                free(buf);
                return -1;
            }
        } else if (!parse_hex(s, &v) || v > 0xff) {
            free(buf);
            return cli_error("invalid byte '%s' (bytes are hexadecimal "
                             "00-ff; or give u8, u16, u32 or u64 first)", s);
        } else {
            buf[i] = v;
        }
    }
    if (mem_access(c, space->mem_space_id, addr, buf, len, true, width)) {
        free(buf);
        return -1;
    }
    printf("wrote %u %s at %s\n", len, plural(len, "byte", "bytes"),
           addr_str(addr));
    free(buf);
    return 0;
}

/* Commands: registers */

static int cmd_regs(int argc, char **argv)
{
    Core *c = target_need_core();
    const mcd_register_group_st *g;
    const mcd_register_info_st *regs = NULL;
    uint32_t n = 0, total = 0, name_width = 4;
    uint32_t *offsets;
    uint8_t *data;
    bool *ok;
    int ret = 0;

    if (!c || core_groups(c)) {
        return -1;
    }
    if (argc == 1) {
        if (!c->num_groups) {
            printf("no register groups\n");
            return 0;
        }
        printf("  id  %-30s %s\n", "group", "registers");
        for (uint32_t i = 0; i < c->num_groups; i++) {
            printf("%4u  %-30s %9u\n", c->groups[i].reg_group_id,
                   c->groups[i].reg_group_name, c->groups[i].n_registers);
        }
        return 0;
    }
    g = core_find_group(c, argv[1]);
    if (!g || core_regs(c)) {
        return -1;
    }
    /* The registers of a group are next to each other in the map. */
    for (uint32_t i = 0; i < c->num_regs; i++) {
        if (c->regs[i].reg_group_id == g->reg_group_id) {
            if (!n) {
                regs = &c->regs[i];
            }
            n++;
        } else if (n) {
            break;
        }
    }
    if (!n) {
        printf("no registers in group %s\n", g->reg_group_name);
        return 0;
    }
    offsets = calloc(n, sizeof(*offsets));
    ok = calloc(n, sizeof(*ok));
    data = NULL;
    if (!offsets || !ok) {
        ret = cli_error("out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        offsets[i] = total;
        total += reg_bytes(&regs[i]);
        if (strlen(regs[i].regname) > name_width) {
            name_width = strlen(regs[i].regname);
        }
    }
    data = calloc(total ? total : 1, 1);
    if (!data) {
        ret = cli_error("out of memory");
        goto out;
    }
    if (regs_read(c, regs, n, data, offsets, ok)) {
        ret = -1;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        char value[2 * 256 + 3];

        if (!ok[i]) {
            printf("%-*s  <unreadable>\n", (int)name_width, regs[i].regname);
            continue;
        }
        format_value(value, sizeof(value), data + offsets[i],
                     reg_bytes(&regs[i]),
                     core_big_endian(c, regs[i].addr.mem_space_id));
        printf("%-*s  %s\n", (int)name_width, regs[i].regname, value);
    }
out:
    free(offsets);
    free(ok);
    free(data);
    return ret;
}

static int cmd_reg(int argc, char **argv)
{
    Core *c = target_need_core();
    const mcd_register_info_st *r;
    uint32_t offset = 0, n;
    uint8_t data[256];
    char value[2 * sizeof(data) + 3];
    bool ok = false, big;

    if (!c) {
        return -1;
    }
    r = core_find_reg(c, argv[1]);
    if (!r) {
        return -1;
    }
    n = reg_bytes(r);
    if (n > sizeof(data)) {
        return cli_error("register %s has %u bytes, more than %zu",
                         r->regname, n, sizeof(data));
    }
    big = core_big_endian(c, r->addr.mem_space_id);
    if (argc == 3) {
        if (parse_value(argv[2], data, n, big) || reg_write(c, r, data)) {
            return -1;
        }
    }
    if (regs_read(c, r, 1, data, &offset, &ok)) {
        return -1;
    }
    format_value(value, sizeof(value), data, n, big);
    printf("%s = %s\n", r->regname, value);
    return 0;
}

/* Commands: triggers */

static int create_trigger(Core *c, mcd_trig_type_et type, uint64_t addr,
                          uint64_t range, uint32_t *id)
{
    mcd_trig_simple_core_st trig = {
        .struct_size = sizeof(trig),
        .type = type,
        .action = MCD_TRIG_ACTION_DBG_DEBUG,
        .addr_start = {
            .address = addr,
            .mem_space_id = core_trigger_space(c),
        },
        .addr_range = range,
    };

    *id = 0;
    return MCD_CALL(c->core, mcd_create_trig_f(c->core, &trig, id)) ? 0 : -1;
}

static int cmd_break(int argc, char **argv)
{
    Core *c = target_need_core();
    uint64_t addr;
    uint32_t id;

    if (!c || parse_addr(argv[1], &addr, NULL) ||
        create_trigger(c, MCD_TRIG_TYPE_IP, addr, 0, &id)) {
        return -1;
    }
    printf("breakpoint %u at %s\n", id, addr_str(addr));
    return 0;
}

static const struct {
    const char *name;
    mcd_trig_type_et type;
} watch_kinds[] = {
    { "read", MCD_TRIG_TYPE_READ },
    { "write", MCD_TRIG_TYPE_WRITE },
    { "access", MCD_TRIG_TYPE_RW },
};

static const char *trig_type_name(mcd_trig_type_et type)
{
    static char buf[32];

    if (type == MCD_TRIG_TYPE_IP) {
        return "breakpoint";
    }
    for (size_t i = 0; i < ARRAY_SIZE(watch_kinds); i++) {
        if (watch_kinds[i].type == type) {
            return watch_kinds[i].name;
        }
    }
    snprintf(buf, sizeof(buf), "type 0x%x", type);
    return buf;
}

static int cmd_watch(int argc, char **argv)
{
    Core *c = target_need_core();
    const Symbol *sym = NULL;
    mcd_trig_type_et type = 0;
    uint64_t addr, len = 1;
    uint32_t id;

    if (!c) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(watch_kinds); i++) {
        if (!strcmp(argv[1], watch_kinds[i].name)) {
            type = watch_kinds[i].type;
        }
    }
    if (!type) {
        return cli_error("watch what: read, write or access, not '%s'",
                         argv[1]);
    }
    if (parse_addr(argv[2], &addr, &sym)) {
        return -1;
    }
    /* A symbol of known size is watched whole. */
    if (sym && sym->size) {
        len = sym->size;
    }
    if (argc > 3 && (!parse_u64(argv[3], &len) || !len)) {
        return cli_error("invalid length '%s'", argv[3]);
    }
    if (create_trigger(c, type, addr, len, &id)) {
        return -1;
    }
    printf("watchpoint %u (%s, %llu %s) at %s\n", id, argv[1],
           (unsigned long long)len, plural(len, "byte", "bytes"),
           addr_str(addr));
    return 0;
}

static int cmd_delete(int argc, char **argv)
{
    Core *c = target_need_core();

    if (!c) {
        return -1;
    }
    for (int a = 1; a < argc; a++) {
        uint32_t id;

        if (!strcmp(argv[a], "all")) {
            if (!MCD_CALL(c->core, mcd_remove_trig_set_f(c->core))) {
                return -1;
            }
            printf("deleted all triggers\n");
            continue;
        }
        if (!parse_u32(argv[a], &id)) {
            return cli_error("invalid trigger id '%s'", argv[a]);
        }
        if (!MCD_CALL(c->core, mcd_remove_trig_f(c->core, id))) {
            return -1;
        }
        printf("deleted trigger %u\n", id);
    }
    return 0;
}

static int cmd_triggers(int argc, char **argv)
{
    Core *c = target_need_core();
    uint32_t n = 0, *ids;

    if (!c || !MCD_CALL(c->core, mcd_qry_trig_set_f(c->core, 0, &n, NULL))) {
        return -1;
    }
    if (!n) {
        printf("no triggers\n");
        return 0;
    }
    ids = calloc(n, sizeof(*ids));
    if (!ids) {
        return cli_error("out of memory");
    }
    if (!MCD_CALL(c->core, mcd_qry_trig_set_f(c->core, 0, &n, ids))) {
        free(ids);
        return -1;
    }
    printf("  id  %-10s %6s  %-12s %s\n", "type", "size", "state",
           "address");
    for (uint32_t i = 0; i < n; i++) {
        /* Big enough for either core trigger; both start alike. */
        union {
            mcd_trig_complex_core_st complex;
            mcd_trig_simple_core_st simple;
        } t;
        mcd_trig_state_st ts = { 0 };
        char size[24], state[32];

        memset(&t, 0, sizeof(t));
        if (!MCD_CALL(c->core, mcd_qry_trig_f(c->core, ids[i], sizeof(t),
                                              &t))) {
            free(ids);
            return -1;
        }
        if (t.simple.struct_size != sizeof(t.simple) &&
            t.simple.struct_size != sizeof(t.complex)) {
            printf("%4u  (not a core trigger: struct_size %u)\n", ids[i],
                   t.simple.struct_size);
            continue;
        }
        if (!MCD_CALL(c->core, mcd_qry_trig_state_f(c->core, ids[i], &ts))) {
            free(ids);
            return -1;
        }
        if (t.simple.type == MCD_TRIG_TYPE_IP) {
            snprintf(size, sizeof(size), "-");
        } else {
            snprintf(size, sizeof(size), "%llu",
                     (unsigned long long)t.simple.addr_range);
        }
        snprintf(state, sizeof(state), "%s%s",
                 ts.active ? "active" : "inactive",
                 ts.captured_valid && ts.captured ? ", hit" : "");
        printf("%4u  %-10s %6s  %-12s %s\n", ids[i],
               trig_type_name(t.simple.type), size, state,
               addr_str(t.simple.addr_start.address));
    }
    free(ids);
    return 0;
}

/* Commands: run control */

static bool global_arg(int argc, char **argv, bool *global)
{
    *global = false;
    if (argc < 2) {
        return true;
    }
    if (!strcmp(argv[1], "all")) {
        *global = true;
        return true;
    }
    cli_error("'%s': only 'all' (every core) may follow", argv[1]);
    return false;
}

static int cmd_run(int argc, char **argv)
{
    Core *c = target_need_core();
    bool global;

    if (!c || !global_arg(argc, argv, &global) ||
        !MCD_CALL(c->core, mcd_run_f(c->core, global))) {
        return -1;
    }
    printf(global ? "running (all cores)\n" : "running\n");
    return 0;
}

static int cmd_stop(int argc, char **argv)
{
    Core *c = target_need_core();
    mcd_core_state_st st;
    bool global;

    if (!c || !global_arg(argc, argv, &global) ||
        !MCD_CALL(c->core, mcd_stop_f(c->core, global)) ||
        query_state(c, &st)) {
        return -1;
    }
    print_stopped(c, &st);
    return 0;
}

static int cmd_step(int argc, char **argv)
{
    Core *c = target_need_core();
    mcd_core_state_st st;
    uint32_t n = 1;

    if (!c) {
        return -1;
    }
    if (argc > 1 && (!parse_u32(argv[1], &n) || !n)) {
        return cli_error("invalid number of steps '%s'", argv[1]);
    }
    if (!MCD_CALL(c->core, mcd_step_f(c->core, FALSE,
                                      MCD_CORE_STEP_TYPE_INSTR, n)) ||
        query_state(c, &st)) {
        return -1;
    }
    print_stopped(c, &st);
    return 0;
}

static void print_events(mcd_core_event_et ev)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } events[] = {
        { MCD_CORE_EVENT_MEMORY_CHANGE, "memory changed" },
        { MCD_CORE_EVENT_REGISTER_CHANGE, "registers changed" },
        { MCD_CORE_EVENT_TRACE_CHANGE, "trace changed" },
        { MCD_CORE_EVENT_TRIGGER_CHANGE, "triggers changed" },
        { MCD_CORE_EVENT_STOPPED, "stopped" },
        { MCD_CORE_EVENT_CHL_PENDING, "channel message pending" },
    };
    const char *sep = "";

    printf("events: ");
    for (size_t i = 0; i < ARRAY_SIZE(events); i++) {
        if (ev & events[i].bit) {
            printf("%s%s", sep, events[i].name);
            sep = ", ";
            ev &= ~events[i].bit;
        }
    }
    if (ev) {
        printf("%s0x%x", sep, ev);
    }
    printf("\n");
}

static int cmd_state(int argc, char **argv)
{
    Core *c = target_need_core();
    mcd_core_state_st st;
    uint64_t pc;

    if (!c || query_state(c, &st)) {
        return -1;
    }
    printf("state: %s\n", state_name(st.state));
    if (st.event) {
        print_events(st.event);
    }
    if (st.state != MCD_CORE_STATE_RUNNING && st.stop_str[0]) {
        printf("reason: %s\n", st.stop_str);
    }
    if (st.trig_id) {
        printf("trigger: %u\n", st.trig_id);
    }
    if (st.state == MCD_CORE_STATE_DEBUG && core_read_pc(c, &pc, true)) {
        printf("pc: %s\n", addr_str(pc));
    }
    if (st.info_str[0]) {
        printf("info: %s\n", st.info_str);
    }
    return 0;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = 1;
}

/*
 * Wait for the core to stop: to enter debug state.  A halted core (one
 * waiting for an interrupt, in QEMU) is not stopped: it goes on by itself
 * when the interrupt comes.
 */
static int cmd_wait(int argc, char **argv)
{
    Core *c = target_need_core();
    struct sigaction sa = { .sa_handler = on_interrupt }, old;
    uint64_t timeout = WAIT_DEFAULT_MS, start, delay = 1;
    mcd_core_state_st st;
    int ret = -1;

    if (!c || (argc > 1 && parse_ms(argv[1], &timeout))) {
        return -1;
    }
    interrupted = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    start = now_ms();
    for (;;) {
        if (query_state(c, &st)) {
            break;
        }
        if (st.state == MCD_CORE_STATE_DEBUG) {
            print_stopped(c, &st);
            ret = 0;
            break;
        }
        if (interrupted) {
            cli_error("interrupted; core %d is %s", target.current,
                      state_name(st.state));
            break;
        }
        if (now_ms() - start >= timeout) {
            cli_error("core %d did not stop within %llu.%03llu s (it is %s)",
                      target.current, (unsigned long long)timeout / 1000,
                      (unsigned long long)timeout % 1000,
                      state_name(st.state));
            break;
        }
        /* Poll quickly at first, then every 50 ms. */
        sleep_ms(delay);
        delay = delay * 2 > 50 ? 50 : delay * 2;
    }
    sigaction(SIGINT, &old, NULL);
    return ret;
}

/* Commands: reset */

static int cmd_resets(int argc, char **argv)
{
    Core *c = target_need_core();
    uint32_t vector = 0;

    if (!c || !MCD_CALL(c->core, mcd_qry_rst_classes_f(c->core, &vector))) {
        return -1;
    }
    if (!vector) {
        printf("no reset classes\n");
    }
    for (unsigned i = 0; i < 32; i++) {
        mcd_rst_info_st info;

        if (!(vector & (1u << i))) {
            continue;
        }
        memset(&info, 0, sizeof(info));
        if (!MCD_CALL(c->core, mcd_qry_rst_class_info_f(c->core, i,
                                                        &info))) {
            return -1;
        }
        info.info_str[sizeof(info.info_str) - 1] = '\0';
        printf("%3u  %s\n", i, info.info_str);
    }
    return 0;
}

static int cmd_reset(int argc, char **argv)
{
    Core *c = target_need_core();
    uint32_t available = 0, vector = 0;
    bool halt = false;
    mcd_core_state_st st;
    uint64_t pc;

    if (!c) {
        return -1;
    }
    for (int a = 1; a < argc; a++) {
        uint32_t cls;

        if (!strcmp(argv[a], "halt")) {
            halt = true;
        } else if (parse_u32(argv[a], &cls) && cls < 32) {
            vector |= 1u << cls;
        } else {
            return cli_error("'%s': give 'halt' and/or reset class numbers",
                             argv[a]);
        }
    }
    if (!MCD_CALL(c->core, mcd_qry_rst_classes_f(c->core, &available))) {
        return -1;
    }
    if (!vector) {
        vector = available;
    }
    if (!vector) {
        return cli_error("the core has no reset classes");
    }
    if (vector & ~available) {
        return cli_error("reset class vector 0x%x: the core has classes "
                         "0x%x (see 'resets')", vector, available);
    }
    if (!MCD_CALL(c->core, mcd_rst_f(c->core, vector, halt))) {
        return -1;
    }
    printf("reset (class vector 0x%x)", vector);
    if (!halt) {
        printf(", running\n");
        return 0;
    }
    if (query_state(c, &st)) {
        printf("\n");
        return -1;
    }
    printf(", %s", st.state == MCD_CORE_STATE_DEBUG ? "stopped" :
           state_name(st.state));
    if (core_read_pc(c, &pc, true)) {
        printf(" at %s", addr_str(pc));
    }
    printf("\n");
    return 0;
}

static const Command commands[] = {
    { "help", { "?" }, cmd_help, 0, 1, "[command]",
      "list the commands, or explain one", NULL },
    { "connect", { NULL }, cmd_connect, 0, 1, "[host:port|unix:path]",
      "connect to an MCD server",
      "  Opens the server; its first system's first device's cores are\n"
      "  then the cores.  Without argument: the last target, else -t's\n"
      "  or $MCD_TARGET, else " MCD_CLI_DEFAULT_TARGET "; does nothing\n"
      "  if already connected.\n" },
    { "disconnect", { NULL }, cmd_disconnect, 0, 0, "",
      "close the cores and the server", NULL },
    { "systems", { NULL }, cmd_systems, 0, 0, "",
      "list the systems of the server", NULL },
    { "devices", { NULL }, cmd_devices, 0, 0, "",
      "list the devices of the system", NULL },
    { "cores", { NULL }, cmd_cores, 0, 0, "",
      "list the cores ('*': current)", NULL },
    { "open", { NULL }, cmd_open, 1, -1, "<core...|all>",
      "open cores; the first becomes current", NULL },
    { "close", { NULL }, cmd_close, 1, -1, "<core...|all>",
      "close cores", NULL },
    { "core", { NULL }, cmd_core, 0, 1, "[n]",
      "select the current core (opening it), or show it", NULL },
    { "spaces", { NULL }, cmd_spaces, 0, 0, "",
      "list the memory spaces of the current core", NULL },
    { "regs", { NULL }, cmd_regs, 0, 1, "[group]",
      "list register groups, or show a group's registers",
      "  A group is given by id or name, or a unique start or part of a\n"
      "  name (\"core\", \"fpu\").\n" },
    { "reg", { NULL }, cmd_reg, 1, 2, "<name> [value]",
      "read a register, or write it and read it back",
      "  Values are decimal, 0x-hexadecimal (any width) or negative.\n" },
    { "mem", { NULL }, cmd_mem, 2, 4,
      "<space> <addr> [len | u8|u16|u32|u64 [count]]",
      "read memory: hex dump of len bytes (64), or count values",
      "  The space is an id or name from 'spaces', a unique start or part\n"
      "  of a name, or phys, logical, virt or regs (the first such space,\n"
      "  non-secure if there is a choice).\n" },
    { "write", { NULL }, cmd_write, 3, -1,
      "<space> <addr> <byte...> | <space> <addr> u8|u16|u32|u64 <value...>",
      "write bytes (hexadecimal) or values of a width",
      "  Values of a width are stored in the space's byte order, with\n"
      "  accesses of that width.\n" },
    { "break", { "b" }, cmd_break, 1, 1, "<addr|symbol>",
      "set a breakpoint (instruction address trigger)", NULL },
    { "watch", { NULL }, cmd_watch, 2, 3,
      "<read|write|access> <addr|symbol> [len]",
      "set a watchpoint (data access trigger)",
      "  The length defaults to the symbol's size if the symbol file\n"
      "  gives one (nm -S), else 1.\n" },
    { "delete", { "d" }, cmd_delete, 1, -1, "<id...|all>",
      "delete triggers", NULL },
    { "triggers", { NULL }, cmd_triggers, 0, 0, "",
      "list the triggers with their state", NULL },
    { "run", { "c", "cont", "continue" }, cmd_run, 0, 1, "[all]",
      "let the core (or all cores) run", NULL },
    { "stop", { "halt" }, cmd_stop, 0, 1, "[all]",
      "stop the core (or all cores)", NULL },
    { "step", { "s", "si", "stepi" }, cmd_step, 0, 1, "[n]",
      "execute n (1) instructions", NULL },
    { "trace", { NULL }, cmd_trace, 0, 3,
      "[on [data] [frames] | off | clear | show [n] | status]",
      "record what the core executes, and show it",
      "'trace on' records every instruction the core executes from now\n"
      "on, 'trace on data' its loads and stores too, into a buffer of\n"
      "[frames] frames (default: the server's, 65536 on QEMU) that keeps\n"
      "the newest.  'trace show [n]' lists the last n instructions\n"
      "(default 20) with symbols, disassembly and data accesses: how the\n"
      "core got where it stopped.  'trace off' stops recording and keeps\n"
      "the buffer, 'trace clear' empties it." },
    { "disas", { "x" }, cmd_disas, 0, 2, "[addr|symbol] [n]",
      "disassemble n instructions (default 8) at addr (default: the pc)",
      NULL },
    { "state", { NULL }, cmd_state, 0, 0, "",
      "show the core's state, stop reason and trigger", NULL },
    { "wait", { NULL }, cmd_wait, 0, 1, "[seconds]",
      "wait until the core stops (10 s at most)",
      "  Waits for debug state, as after a breakpoint, watchpoint, step\n"
      "  or stop; fails after the timeout.  A core that is halted waiting\n"
      "  for an interrupt is not stopped.\n" },
    { "reset", { NULL }, cmd_reset, 0, -1, "[halt] [class...]",
      "reset (all reset classes unless given); halt: stay stopped", NULL },
    { "resets", { NULL }, cmd_resets, 0, 0, "",
      "list the reset classes", NULL },
    { "symfile", { NULL }, cmd_symfile, 1, 1, "<file>",
      "load symbols (as -s does)", NULL },
    { "syms", { NULL }, cmd_syms, 0, 1, "[pattern]",
      "list the symbols (whose names contain pattern)", NULL },
    { "echo", { NULL }, cmd_echo, 0, -1, "[text...]",
      "print text", NULL },
    { "sleep", { NULL }, cmd_sleep, 1, 1, "<seconds>",
      "pause (e.g. 0.5)", NULL },
    { "quit", { "q", "exit" }, cmd_quit, 0, 0, "",
      "disconnect and leave", NULL },
};

static const size_t num_commands = ARRAY_SIZE(commands);

static const Command *find_command(const char *name)
{
    for (size_t i = 0; i < num_commands; i++) {
        const Command *cmd = &commands[i];

        if (!strcmp(cmd->name, name)) {
            return cmd;
        }
        for (int a = 0; a < 3 && cmd->aliases[a]; a++) {
            if (!strcmp(cmd->aliases[a], name)) {
                return cmd;
            }
        }
    }
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 2) {
        const Command *cmd = find_command(argv[1]);

        if (cmd) {
            printf("%s%s%s\n  %s\n", cmd->name, cmd->args[0] ? " " : "",
                   cmd->args, cmd->summary);
            if (cmd->help) {
                printf("%s", cmd->help);
            }
            if (cmd->aliases[0]) {
                printf("  Also:");
                for (int a = 0; a < 3 && cmd->aliases[a]; a++) {
                    printf(" %s", cmd->aliases[a]);
                }
                printf("\n");
            }
            return 0;
        }
        return cli_error("unknown command '%s' (try 'help')", argv[1]);
    }
    printf("Commands ('help COMMAND' for details):\n");
    for (size_t i = 0; i < num_commands; i++) {
        char head[128];

        snprintf(head, sizeof(head), "%s %s", commands[i].name,
                 commands[i].args);
        if (strlen(head) > 30) {
            printf("  %s\n  %-30s  %s\n", head, "", commands[i].summary);
        } else {
            printf("  %-30s  %s\n", head, commands[i].summary);
        }
    }
    printf("Addresses are numbers (decimal or 0x...) or symbols, "
           "optionally +/- N.\n");
    return 0;
}

const char *command_name(size_t index)
{
    return index < num_commands ? commands[index].name : NULL;
}

int command_run(int argc, char **argv)
{
    const Command *cmd = find_command(argv[0]);

    if (!cmd) {
        return cli_error("unknown command '%s' (try 'help')", argv[0]);
    }
    if (argc - 1 < cmd->min_args ||
        (cmd->max_args >= 0 && argc - 1 > cmd->max_args)) {
        return usage_error(cmd);
    }
    return cmd->fn(argc, argv);
}
