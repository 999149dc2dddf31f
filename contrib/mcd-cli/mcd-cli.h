/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd: a command-line debugger for MCD API 1.1 servers (internals)
 *
 * The debugger talks to its target only through the MCD API functions of
 * mcd_api.h, as provided by an MCD client stub library such as
 * libmcd_client.so.  Its parts:
 *
 *   main.c      options, input (interactive, -c, script files, stdin),
 *               splitting input into commands and words, error reports
 *   commands.c  the commands and their help
 *   target.c    the connection, cores, memory spaces, registers and
 *               memory accesses on top of the MCD API
 *   symbols.c   the symbol table (-s) and number and address parsing
 */

#ifndef MCD_CLI_H
#define MCD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mcd_api.h"

#define MCD_CLI_VERSION "1.0"

/* Where "connect" goes without an argument, as the client stub does. */
#define MCD_CLI_DEFAULT_TARGET "127.0.0.1:1235"

/*
 * QEMU marks the memory spaces of the Arm secure world with the first
 * custom memory type bit; other servers may use it for something else,
 * so it only decides which space is preferred, never what is allowed.
 */
#define MCD_CLI_MEM_SPACE_SECURE MCD_MEM_SPACE_CUSTOM_LO

/* main.c */

/* Report an error in the current command; always returns -1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* While positive, cli_error() reports nothing (a quiet attempt). */
extern int cli_silence;

/* Print a note on stderr (not an error). */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* symbols.c */

typedef struct Symbol {
    uint64_t addr;
    uint64_t size;          /* 0: unknown */
    char *name;
} Symbol;

/* Load "address name" lines (or nm output); -1 after an error. */
int symbols_load(const char *path);
const Symbol *symbol_by_name(const char *name);
/* The symbol that contains @addr, or NULL. */
const Symbol *symbol_by_addr(uint64_t addr, uint64_t *offset);
size_t symbols_count(void);
const Symbol *symbol_at(size_t index);
void symbols_free(void);

/* " <name>" or " <name+off>" for @addr, or "" (static buffer). */
const char *symbol_suffix(uint64_t addr);

/* Decimal or 0x-hexadecimal unsigned number; false if malformed. */
bool parse_u64(const char *s, uint64_t *value);
bool parse_u32(const char *s, uint32_t *value);
/* A number, a symbol, or either with +N or -N; reports errors. */
int parse_addr(const char *s, uint64_t *addr, const Symbol **sym);
/* Hexadecimal digits, "0x" optional; false if malformed. */
bool parse_hex(const char *s, uint64_t *value);

/* target.c */

typedef struct Core {
    mcd_core_con_info_st info;
    mcd_core_st *core;                  /* NULL while not open */

    /* Looked up when first needed, kept while the core is open. */
    bool have_spaces;
    uint32_t num_spaces;
    mcd_memspace_st *spaces;
    bool have_groups;
    uint32_t num_groups;
    mcd_register_group_st *groups;
    bool have_regs;
    uint32_t num_regs;
    mcd_register_info_st *regs;
    uint32_t max_payload;               /* 0: not asked yet */
} Core;

typedef struct Target {
    bool initialized;
    mcd_server_st *server;
    char *config;
    mcd_core_con_info_st system;
    mcd_core_con_info_st device;        /* the first one */
    uint32_t num_devices;
    uint32_t num_cores;                 /* of all devices */
    Core *cores;
    int current;                        /* index into cores, -1: none */
} Target;

extern Target target;

/*
 * Check the result of an MCD call on @core (NULL for calls not bound to a
 * core) and report its error; @call is the call's source text.
 */
bool mcd_ok(const mcd_core_st *core, const char *call, mcd_return_et ret);

/*
 * Make an MCD call and repeat it while the implementation asks for that
 * (MCD_RET_ACT_AGAIN); the value is what it returned last.
 */
#define MCD_RETRY(expr) \
    ({ \
        mcd_return_et ret_; \
        int tries_ = 0; \
        while ((ret_ = (expr)) == MCD_RET_ACT_AGAIN && tries_++ < 500) { \
            mcd_again_delay(); \
        } \
        ret_; \
    })

/* MCD_RETRY(), and report the call's error if it fails; true on success. */
#define MCD_CALL(core, expr) mcd_ok((core), #expr, MCD_RETRY(expr))

void mcd_again_delay(void);

const char *mcd_error_name(mcd_error_code_et code);

int target_connect(const char *config);
void target_disconnect(void);
bool target_connected(void);
int target_need_connection(void);
/* The current core, opened; reports an error and returns NULL if none. */
Core *target_need_core(void);
int target_open_core(uint32_t index, bool *was_open);
int target_close_core(uint32_t index);
const char *core_name(const Core *c);

int core_spaces(Core *c);
int core_groups(Core *c);
int core_regs(Core *c);
int core_payload(Core *c, uint32_t *payload);

/* A memory space by ID, name, alias or unique name prefix. */
const mcd_memspace_st *core_find_space(Core *c, const char *name);
/* The space in which breakpoints and watchpoints take addresses. */
uint32_t core_trigger_space(Core *c);
const mcd_register_group_st *core_find_group(Core *c, const char *name);
const mcd_register_info_st *core_find_reg(Core *c, const char *name);
/* The program counter register, or NULL if the core has no such name. */
const mcd_register_info_st *core_pc_reg(Core *c);
bool core_big_endian(Core *c, uint32_t mem_space_id);

/* Read or write @len bytes of a memory space. */
int mem_access(Core *c, uint32_t mem_space_id, uint64_t addr,
               uint8_t *buf, uint32_t len, bool write, uint8_t width);

/*
 * Read the @n registers of @regs: register i's reg_bytes() bytes go to
 * @data + @offsets[i], and @ok[i] tells whether it could be read.  A
 * register that cannot be read does not stop the others; the call fails
 * (and reports why) only if none could be read.
 */
int regs_read(Core *c, const mcd_register_info_st *regs, uint32_t n,
              uint8_t *data, const uint32_t *offsets, bool *ok);
int reg_write(Core *c, const mcd_register_info_st *reg, uint8_t *data);
uint32_t reg_bytes(const mcd_register_info_st *reg);

/* Read the program counter; false if the core has none or it fails. */
bool core_read_pc(Core *c, uint64_t *pc, bool quiet);

/* Format @n bytes of @endianness as a 0x-prefixed hex number. */
void format_value(char *out, size_t size, const uint8_t *data, uint32_t n,
                  bool big_endian);

/* commands.c */

/* Run one command given as words; 0 on success, -1 after an error. */
int command_run(int argc, char **argv);

/* trace.c: the core trace and disassembly commands */
int cmd_trace(int argc, char **argv);
int cmd_disas(int argc, char **argv);
/* Set by "quit". */
extern bool cli_quit;
/* Where "connect" goes without argument. */
const char *command_default_target(void);
/* Command names, NULL-terminated, for completion. */
const char *command_name(size_t index);

#endif /* MCD_CLI_H */
