/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD demo guest: a tiny bare-metal program for qemu-system-aarch64
 * -M virt that a debugger can break in, step through and watch.
 *
 * The boot CPU counts forever: main() calls tick(), which increments
 * counter, and every 16 ticks (see demo_step_mask) demo_step(), which
 * records the counter in a small ring buffer.  Any further CPUs (-smp N)
 * are started through PSCI and count in worker_count[] instead.  The
 * functions are kept out of line under their own names so that
 * breakpoints on them always hit, and the variables are volatile so that
 * every update is a real store that a write watchpoint sees.
 *
 * The only device used is the PL011 UART, for a start-up banner; the
 * program does not depend on it.
 */

#include <stdint.h>
#include "demo.h"

#define DEMO_ARRAY_LEN 8
#define DEMO_MAX_CPUS 8

/*
 * What a debugger reads and watches.  All of it is volatile so that the
 * compiler keeps every load and store: a debugger must find each update
 * in memory, and a write watchpoint must catch each one.
 */

/* Incremented by tick(), once per iteration of main()'s loop (volatile) */
volatile uint64_t counter;
/*
 * main() calls demo_step() when counter & demo_step_mask is 0; a debugger
 * may change it.  Initialized, so the program has a data segment with
 * contents, which QEMU reloads on reset, clearing .bss behind it too
 * (volatile).
 */
volatile uint64_t demo_step_mask = 15;
/* Ring buffer of counter values, written by demo_step() (volatile) */
volatile uint32_t demo_array[DEMO_ARRAY_LEN];
/* Next entry of demo_array[] that demo_step() writes (volatile) */
volatile uint32_t demo_index;
/* Number of demo_step() calls (volatile) */
volatile uint64_t demo_steps;
/* Per CPU: 1 once it runs (volatile) */
volatile uint8_t cpu_online[DEMO_MAX_CPUS];
/* Per secondary CPU: its counter, incremented by worker_tick() (volatile) */
volatile uint64_t worker_count[DEMO_MAX_CPUS];
/* Syndrome of an unexpected exception, see demo_exception() (volatile) */
volatile uint64_t exception_esr;
/* Address of an unexpected exception, see demo_exception() (volatile) */
volatile uint64_t exception_elr;

#define NOINLINE __attribute__((noinline, noipa))

/* PL011 of the virt machine. */
#define UART_BASE   0x09000000UL
#define UART_DR     0x000
#define UART_FR     0x018
#define UART_CR     0x030
#define UART_FR_TXFF (1u << 5)
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE (1u << 8)

/* Device registers: volatile, so that each access really happens. */
static inline void mmio_write32(uintptr_t addr, uint32_t val)
{
    /* volatile: a device register */
    *(volatile uint32_t *)addr = val;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
    /* volatile: a device register */
    return *(volatile uint32_t *)addr;
}

static void uart_init(void)
{
    mmio_write32(UART_BASE + UART_CR, UART_CR_UARTEN | UART_CR_TXE);
}

static void uart_putc(char c)
{
    /*
     * Wait a bounded time for room in the FIFO: a UART whose output goes
     * nowhere must not stop the program, it only loses characters.
     */
    for (int i = 0; i < 100000; i++) {
        if (!(mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)) {
            break;
        }
    }
    mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}

static void uart_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            uart_putc('\r');
        }
        uart_putc(*s);
    }
}

static void uart_puthex(uint64_t v)
{
    uart_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
    }
}

static unsigned current_el(void)
{
    uint64_t el;

    asm volatile("mrs %0, CurrentEL" : "=r"(el));
    return (el >> 2) & 3;
}

/*
 * PSCI call through the conduit QEMU uses for this exception level: HVC
 * when the machine has no EL2, SMC when it has one (and we then run
 * there).  SMCCC lets the callee clobber x0-x17.
 */
static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 asm("x0") = fn;
    register uint64_t x1 asm("x1") = a1;
    register uint64_t x2 asm("x2") = a2;
    register uint64_t x3 asm("x3") = a3;

    if (current_el() == 1) {
        asm volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    } else {
        asm volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    }
    return (int64_t)x0;
}

#define PSCI_CPU_ON_64 0xc4000003UL

/*
 * Start CPUs 1, 2, ... until PSCI says there is no such CPU.  At EL3 there
 * is no PSCI emulation to ask (a firmware would provide it), so the boot
 * CPU counts alone.  virt numbers CPUs 0-7 with affinity 0.0.<index>.
 */
static void start_secondaries(void)
{
    unsigned el = current_el();

    cpu_online[0] = 1;
    if (el != 1 && el != 2) {
        return;
    }
    for (uint64_t cpu = 1; cpu < DEMO_MAX_CPUS; cpu++) {
        if (psci_call(PSCI_CPU_ON_64, cpu, (uintptr_t)secondary_entry,
                      cpu) != 0) {
            break;
        }
    }
}

/* Breakpoint target: one call per iteration of main()'s loop. */
NOINLINE void tick(void)
{
    counter++;
}

/* Record the counter in the ring buffer demo_array[]. */
NOINLINE void demo_step(void)
{
    uint32_t i = demo_index;

    demo_array[i] = (uint32_t)counter;
    demo_index = (i + 1) % DEMO_ARRAY_LEN;
    demo_steps++;
}

NOINLINE void worker_tick(unsigned cpu)
{
    worker_count[cpu]++;
}

/* Called from start.S on every secondary CPU, with its index. */
void __attribute__((noreturn)) secondary_main(unsigned cpu)
{
    /* A flag per CPU: atomics would need libgcc's helpers. */
    cpu_online[cpu] = 1;
    for (;;) {
        worker_tick(cpu);
    }
}

/* Called from start.S's exception vectors; never returns. */
void __attribute__((noreturn)) demo_exception(uint64_t vector, uint64_t esr,
                                              uint64_t elr)
{
    exception_esr = esr;
    exception_elr = elr;
    uart_puts("mcd-demo: unexpected exception, vector ");
    uart_puthex(vector);
    uart_puts(" ESR ");
    uart_puthex(esr);
    uart_puts(" ELR ");
    uart_puthex(elr);
    uart_puts("\n");
    park();
}

int main(void)
{
    uart_init();
    uart_puts("mcd-demo: counting at EL");
    uart_putc('0' + current_el());
    uart_puts("\n");
    start_secondaries();
    for (;;) {
        tick();
        if ((counter & demo_step_mask) == 0) {
            demo_step();
        }
    }
}
