/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd: the core trace (trace on|off|clear|show) and disassembly (disas)
 *
 * Disassembly comes from Capstone.  Debian 12's Capstone 4 knows ARM,
 * AArch64 and x86 but not RISC-V, whose instructions are shown as words.
 * AArch32 code is disassembled as A32 or T32 by the core's CPSR.T now.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>

#include "mcd-cli.h"

/* The core trace of QEMU's MCD server, and its option bit for data. */
#define TRACE_ID 1
#define TRACE_OPT_DATA 1

#define EM_386 3
#define EM_ARM 40
#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243

/* Longest instruction of any target. */
#define MAX_INSN 15

typedef struct Disas {
    csh handle;
    bool open;
    uint32_t machine;
} Disas;

static bool arm_thumb(Core *c)
{
    const mcd_register_info_st *cpsr;
    const uint32_t offset = 0;
    uint8_t v[4] = { 0 };
    bool ok = false;

    cli_silence++;
    cpsr = core_find_reg(c, "cpsr");
    if (cpsr) {
        regs_read(c, cpsr, 1, v, &offset, &ok);
    }
    cli_silence--;
    return ok && (v[0] & 0x20);
}

static void disas_open(Disas *d, Core *c)
{
    cs_arch arch;
    cs_mode mode;

    d->machine = c->info.core_type;
    switch (d->machine) {
    case EM_AARCH64:
        arch = CS_ARCH_ARM64;
        mode = CS_MODE_ARM;
        break;
    case EM_ARM:
        arch = CS_ARCH_ARM;
        mode = arm_thumb(c) ? CS_MODE_THUMB : CS_MODE_ARM;
        break;
    case EM_386:
        arch = CS_ARCH_X86;
        /* Real mode, as the cores of QEMU start in it. */
        mode = CS_MODE_16;
        break;
    case EM_X86_64:
        arch = CS_ARCH_X86;
        mode = CS_MODE_64;
        break;
    default:
        d->open = false;
        return;
    }
    d->open = cs_open(arch, mode, &d->handle) == CS_ERR_OK;
}

static void disas_close(Disas *d)
{
    if (d->open) {
        cs_close(&d->handle);
    }
}

/*
 * Disassemble the instruction at @addr from the @len bytes at @code into
 * @out; return its length, 0 if it is not one.
 */
static size_t disas_one(Disas *d, const uint8_t *code, size_t len,
                        uint64_t addr, char *out, size_t size)
{
    cs_insn *insn;
    size_t n;

    if (d->open) {
        n = cs_disasm(d->handle, code, len, addr, 1, &insn);
        if (n) {
            snprintf(out, size, "%-8s %s", insn->mnemonic, insn->op_str);
            n = insn->size;
            cs_free(insn, 1);
            return n;
        }
        snprintf(out, size, "(bad)");
        return 0;
    }
    if (d->machine == EM_RISCV && len >= 2) {
        /* Without a RISC-V disassembler: the instruction word. */
        if ((code[0] & 3) != 3) {
            snprintf(out, size, ".half    0x%04x", code[0] | code[1] << 8);
            return 2;
        }
        if (len >= 4) {
            snprintf(out, size, ".word    0x%08" PRIx32,
                     (uint32_t)code[0] | (uint32_t)code[1] << 8 |
                     (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24);
            return 4;
        }
    }
    snprintf(out, size, "(no disassembler for this core)");
    return 0;
}

/* The instruction at @addr, read from the core's logical space. */
static void disas_at(Disas *d, Core *c, uint64_t addr, char *out,
                     size_t size)
{
    uint8_t code[MAX_INSN];
    uint32_t space = core_trigger_space(c);

    cli_silence++;
    if (!space || mem_access(c, space, addr, code, sizeof(code), false, 0)) {
        /* Near the end of mapped memory: try a word only. */
        if (!space || mem_access(c, space, addr, code, 4, false, 0)) {
            cli_silence--;
            snprintf(out, size, "(not readable)");
            return;
        }
        memset(code + 4, 0, sizeof(code) - 4);
    }
    cli_silence--;
    disas_one(d, code, sizeof(code), addr, out, size);
}

int cmd_disas(int argc, char **argv)
{
    Core *c = target_need_core();
    uint64_t addr, pc = 0, n = 8;
    bool have_pc;
    uint32_t space;
    uint8_t *buf;
    size_t off = 0;
    Disas d;

    if (!c) {
        return -1;
    }
    have_pc = core_read_pc(c, &pc, true);
    if (argc > 1) {
        if (parse_addr(argv[1], &addr, NULL)) {
            return -1;
        }
    } else if (have_pc) {
        addr = pc;
    } else {
        return cli_error("no address given and the pc cannot be read");
    }
    if (argc > 2 && (!parse_u64(argv[2], &n) || !n || n > 1000)) {
        return cli_error("invalid count '%s' (1-1000)", argv[2]);
    }
    space = core_trigger_space(c);
    if (!space) {
        return cli_error("the core has no logical memory space");
    }
    buf = calloc(n, MAX_INSN);
    if (!buf) {
        return cli_error("out of memory");
    }
    if (mem_access(c, space, addr, buf, n * MAX_INSN, false, 0)) {
        free(buf);
        return -1;
    }
    disas_open(&d, c);
    for (uint64_t i = 0; i < n; i++) {
        char text[256];
        size_t len = disas_one(&d, buf + off, n * MAX_INSN - off,
                               addr + off, text, sizeof(text));

        printf("%s 0x%016" PRIx64 "%-20s %s\n",
               have_pc && addr + off == pc ? "=>" : "  ", addr + off,
               symbol_suffix(addr + off), text);
        if (!len) {
            break;
        }
        off += len;
    }
    disas_close(&d);
    free(buf);
    return 0;
}

static int trace_state(Core *c, mcd_trace_state_st *st)
{
    memset(st, 0, sizeof(*st));
    return MCD_CALL(c->core, mcd_qry_trace_state_f(c->core, TRACE_ID, st)) ?
           0 : -1;
}

static int trace_set(Core *c, uint32_t state, uint32_t options,
                     uint64_t size)
{
    mcd_trace_state_st st = {
        .state = state,
        .mode = MCD_TRACE_MODE_NOCHANGE,
        .options = options,
        .size = size,
    };

    return MCD_CALL(c->core, mcd_set_trace_state_f(c->core, TRACE_ID, &st)) ?
           0 : -1;
}

static void print_frame(Disas *d, Core *c, const mcd_trace_data_core_st *f)
{
    char text[256];

    if (f->marker & MCD_TRACE_MARKER_GAP) {
        printf("   ... older frames were overwritten\n");
    }
    if (f->marker & MCD_TRACE_MARKER_START) {
        printf("   --- recording started by a trigger\n");
    }
    if (f->cycle == MCD_TRACE_CYCLE_EXECUTE) {
        disas_at(d, c, f->addr.address, text, sizeof(text));
        printf("%10" PRIu64 "  0x%016" PRIx64 "%-20s %s\n", f->timestamp,
               f->addr.address, symbol_suffix(f->addr.address), text);
    } else {
        printf("%10s    %-5s 0x%" PRIx64 "%s = 0x%0*" PRIx64 " (%u byte%s)\n",
               "", f->cycle == MCD_TRACE_CYCLE_WRITE ? "write" : "read",
               f->addr.address, symbol_suffix(f->addr.address),
               f->data_width * 2, f->data, f->data_width,
               f->data_width == 1 ? "" : "s");
    }
    if (f->marker & MCD_TRACE_MARKER_STOP) {
        printf("   --- recording stopped by a trigger\n");
    }
    if (f->marker & MCD_TRACE_MARKER_DEBUG) {
        printf("   --- core stopped\n");
    }
}

/* The last @n instructions of the trace, with their loads and stores. */
static int trace_show(Core *c, uint64_t n)
{
    mcd_trace_state_st st;
    mcd_trace_data_core_st *f;
    uint64_t start, got = 0, shown = 0, first;
    Disas d;

    if (trace_state(c, &st)) {
        return -1;
    }
    if (!st.frames) {
        printf("the trace is empty\n");
        return 0;
    }
    /* An instruction brings at most a few data frames. */
    start = st.frames > n * 4 ? st.frames - n * 4 : 0;
    f = calloc(st.frames - start, sizeof(*f));
    if (!f) {
        return cli_error("out of memory");
    }
    while (start + got < st.frames) {
        uint32_t num = st.frames - start - got > UINT32_MAX ?
                       UINT32_MAX : st.frames - start - got;

        if (!MCD_CALL(c->core, mcd_read_trace_f(c->core, TRACE_ID,
                                                start + got, &num,
                                                sizeof(*f), f + got))) {
            free(f);
            return -1;
        }
        if (!num) {
            break;
        }
        got += num;
    }
    first = got;
    while (first > 0 && shown < n) {
        first--;
        shown += f[first].cycle == MCD_TRACE_CYCLE_EXECUTE;
    }
    printf("%10s  %-18s\n", "insn", "address");
    disas_open(&d, c);
    for (uint64_t i = first; i < got; i++) {
        print_frame(&d, c, &f[i]);
    }
    disas_close(&d);
    printf("%" PRIu64 " instruction%s shown; %" PRIu64 " of %" PRIu64
           " frames kept%s\n", shown, shown == 1 ? "" : "s",
           (uint64_t)st.frames, (uint64_t)st.count,
           st.wraparound ? " (wrapped around)" : "");
    free(f);
    return 0;
}

static const char *trace_state_name(uint32_t state)
{
    switch (state) {
    case MCD_TRACE_STATE_DISABLE:
        return "disabled";
    case MCD_TRACE_STATE_OFF:
        return "off";
    case MCD_TRACE_STATE_ARM:
        return "on";
    case MCD_TRACE_STATE_TRIGGER:
        return "triggered";
    case MCD_TRACE_STATE_STOP:
        return "stopped";
    default:
        return "unknown";
    }
}

int cmd_trace(int argc, char **argv)
{
    Core *c = target_need_core();
    mcd_trace_state_st st;
    const char *sub = argc > 1 ? argv[1] : "status";
    uint64_t n = 20, size = 0;
    uint32_t options = 0;

    if (!c) {
        return -1;
    }
    if (!strcmp(sub, "on")) {
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "data")) {
                options |= TRACE_OPT_DATA;
            } else if (!parse_u64(argv[i], &size) || !size) {
                return cli_error("usage: trace on [data] [frames]");
            }
        }
        if (trace_set(c, MCD_TRACE_STATE_ARM, options, size) ||
            trace_state(c, &st)) {
            return -1;
        }
        printf("trace on: instructions%s, %" PRIu64 " frames\n",
               options ? ", loads and stores" : "", (uint64_t)st.size);
        return 0;
    }
    if (!strcmp(sub, "off") || !strcmp(sub, "clear")) {
        if (argc > 2 || trace_state(c, &st)) {
            return argc > 2 ? cli_error("usage: trace %s", sub) : -1;
        }
        if (!strcmp(sub, "off")) {
            if (trace_set(c, MCD_TRACE_STATE_OFF, st.options, 0)) {
                return -1;
            }
            printf("trace off: %" PRIu64 " frames kept\n",
                   (uint64_t)st.frames);
            return 0;
        }
        /* Empty the buffer, and record again if it was recording. */
        if (trace_set(c, MCD_TRACE_STATE_INIT, st.options, 0) ||
            (st.state == MCD_TRACE_STATE_ARM &&
             trace_set(c, MCD_TRACE_STATE_ARM, st.options, 0))) {
            return -1;
        }
        printf("trace cleared\n");
        return 0;
    }
    if (!strcmp(sub, "show")) {
        if (argc > 3 || (argc == 3 && (!parse_u64(argv[2], &n) || !n))) {
            return cli_error("usage: trace show [n]");
        }
        return trace_show(c, n);
    }
    if (!strcmp(sub, "status") && argc <= 2) {
        if (trace_state(c, &st)) {
            return -1;
        }
        printf("trace %s: %" PRIu64 " of %" PRIu64 " frames kept, %" PRIu64
               " recorded%s%s\n", trace_state_name(st.state),
               (uint64_t)st.frames, (uint64_t)st.size, (uint64_t)st.count,
               st.options & TRACE_OPT_DATA ? ", with loads and stores" : "",
               st.wraparound ? ", wrapped around" : "");
        return 0;
    }
    return cli_error("usage: trace [on [data] [frames] | off | clear | "
                     "show [n] | status]");
}
