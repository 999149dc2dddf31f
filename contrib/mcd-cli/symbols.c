/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd: symbol table, numbers and addresses
 *
 * A symbol file has one symbol per line, in any of the forms nm prints,
 * so that "nm prog.elf > prog.syms" works as well as a file made for us:
 *
 *   ADDRESS NAME               (what contrib/mcd-demo's Makefile writes)
 *   ADDRESS TYPE NAME          (nm)
 *   ADDRESS SIZE TYPE NAME     (nm -S)
 *
 * Addresses and sizes are hexadecimal, with or without "0x".  Blank lines
 * and lines starting with '#' are skipped; nm's undefined symbols (no
 * address) are skipped too.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mcd-cli.h"

static Symbol *syms;
static size_t num_syms;
static size_t cap_syms;

static bool parse_digits(const char *s, unsigned base, uint64_t *value)
{
    uint64_t v = 0;

    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        unsigned d;

        if (isdigit((unsigned char)*s)) {
            d = *s - '0';
        } else if (isxdigit((unsigned char)*s)) {
            d = tolower((unsigned char)*s) - 'a' + 10;
        } else {
            return false;
        }
        if (d >= base || v > (UINT64_MAX - d) / base) {
            return false;
        }
        v = v * base + d;
    }
    *value = v;
    return true;
}

bool parse_u64(const char *s, uint64_t *value)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        return parse_digits(s + 2, 16, value);
    }
    return parse_digits(s, 10, value);
}

bool parse_u32(const char *s, uint32_t *value)
{
    uint64_t v;

    if (!parse_u64(s, &v) || v > UINT32_MAX) {
        return false;
    }
    *value = v;
    return true;
}

bool parse_hex(const char *s, uint64_t *value)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
    }
    return parse_digits(s, 16, value);
}

static int symbol_cmp(const void *a, const void *b)
{
    const Symbol *x = a, *y = b;

    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

/* nm's symbol types are one letter (or '?' and '-'). */
static bool is_nm_type(const char *s)
{
    return s[0] && !s[1] && (isalpha((unsigned char)s[0]) || s[0] == '?' ||
                             s[0] == '-');
}

static int symbols_add(uint64_t addr, uint64_t size, const char *name)
{
    if (num_syms == cap_syms) {
        size_t cap = cap_syms ? cap_syms * 2 : 256;
        Symbol *n = realloc(syms, cap * sizeof(*syms));

        if (!n) {
            return cli_error("out of memory for symbols");
        }
        syms = n;
        cap_syms = cap;
    }
    syms[num_syms] = (Symbol) {
        .addr = addr,
        .size = size,
        .name = strdup(name),
    };
    if (!syms[num_syms].name) {
        return cli_error("out of memory for symbols");
    }
    num_syms++;
    return 0;
}

int symbols_load(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    unsigned lineno = 0;
    size_t before = num_syms;
    int ret = 0;

    if (!f) {
        return cli_error("cannot open symbol file %s: %s", path,
                         strerror(errno));
    }
    while (fgets(line, sizeof(line), f)) {
        char *w[5];
        int n = 0;
        uint64_t addr, size = 0;
        char *save = NULL, *tok;

        lineno++;
        for (tok = strtok_r(line, " \t\r\n", &save); tok && n < 5;
             tok = strtok_r(NULL, " \t\r\n", &save)) {
            w[n++] = tok;
        }
        if (n == 0 || w[0][0] == '#') {
            continue;
        }
        /* nm lists undefined symbols as "U name", without address. */
        if (n == 2 && is_nm_type(w[0])) {
            continue;
        }
        if (n < 2 || n > 4 || !parse_hex(w[0], &addr) ||
            (n == 3 && !is_nm_type(w[1])) ||
            (n == 4 && (!parse_hex(w[1], &size) || !is_nm_type(w[2])))) {
            ret = cli_error("%s:%u: not a symbol line (expected "
                            "\"ADDRESS NAME\" or nm output)", path, lineno);
            break;
        }
        ret = symbols_add(addr, size, w[n - 1]);
        if (ret) {
            break;
        }
    }
    fclose(f);
    if (ret) {
        return ret;
    }
    if (num_syms == before) {
        cli_note("%s: no symbols", path);
    }
    qsort(syms, num_syms, sizeof(*syms), symbol_cmp);
    return 0;
}

const Symbol *symbol_by_name(const char *name)
{
    for (size_t i = 0; i < num_syms; i++) {
        if (!strcmp(syms[i].name, name)) {
            return &syms[i];
        }
    }
    return NULL;
}

/*
 * A symbol without a size is taken to reach up to the next symbol, but
 * not beyond 64 KiB: past the last function of a program lies memory that
 * belongs to nothing.
 */
#define SYMBOL_MAX_GUESSED_SIZE 0x10000

const Symbol *symbol_by_addr(uint64_t addr, uint64_t *offset)
{
    size_t lo = 0, hi = num_syms;
    const Symbol *s;
    uint64_t end;

    /* Find the last symbol at or below addr. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (syms[mid].addr <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    s = &syms[lo - 1];
    /* Of several symbols at one address, prefer the first sorted name. */
    while (s > syms && s[-1].addr == s->addr) {
        s--;
    }
    if (s->size) {
        end = s->addr + s->size;
    } else {
        end = s->addr + SYMBOL_MAX_GUESSED_SIZE;
        if (lo < num_syms && syms[lo].addr < end) {
            end = syms[lo].addr;
        }
    }
    if (addr >= end && !(s->size == 0 && addr == s->addr)) {
        return NULL;
    }
    *offset = addr - s->addr;
    return s;
}

const char *symbol_suffix(uint64_t addr)
{
    static char buf[160];
    uint64_t off;
    const Symbol *s = symbol_by_addr(addr, &off);

    if (!s) {
        return "";
    }
    if (off) {
        snprintf(buf, sizeof(buf), " <%s+%llu>", s->name,
                 (unsigned long long)off);
    } else {
        snprintf(buf, sizeof(buf), " <%s>", s->name);
    }
    return buf;
}

size_t symbols_count(void)
{
    return num_syms;
}

const Symbol *symbol_at(size_t index)
{
    return index < num_syms ? &syms[index] : NULL;
}

void symbols_free(void)
{
    for (size_t i = 0; i < num_syms; i++) {
        free(syms[i].name);
    }
    free(syms);
    syms = NULL;
    num_syms = cap_syms = 0;
}

int parse_addr(const char *s, uint64_t *addr, const Symbol **sym)
{
    char base[256];
    const char *op = NULL;
    uint64_t off = 0, v;
    const Symbol *found = NULL;

    /* An operator after the first character: "counter+8", "0x100-4". */
    for (const char *p = s + 1; *p; p++) {
        if (*p == '+' || *p == '-') {
            op = p;
            break;
        }
    }
    if (strlen(s) >= sizeof(base)) {
        return cli_error("address too long: %s", s);
    }
    strcpy(base, s);
    if (op) {
        base[op - s] = '\0';
        if (!parse_u64(op + 1, &off)) {
            return cli_error("invalid offset in '%s'", s);
        }
    }
    if (isdigit((unsigned char)base[0])) {
        if (!parse_u64(base, &v)) {
            return cli_error("invalid address '%s' (use decimal or 0x...)",
                             base);
        }
    } else {
        found = symbol_by_name(base);
        if (!found) {
            return cli_error(num_syms ? "unknown symbol '%s'" :
                             "unknown symbol '%s' (no symbols loaded: "
                             "use -s FILE or 'symbols FILE')", base);
        }
        v = found->addr;
    }
    if (op && *op == '-') {
        v -= off;
    } else {
        v += off;
    }
    *addr = v;
    if (sym) {
        *sym = op ? NULL : found;
    }
    return 0;
}
