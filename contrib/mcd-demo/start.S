/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start code of the MCD demo guest (AArch64, bare metal, MMU off).
 *
 * QEMU's -kernel releases the boot CPU at _start, at the highest exception
 * level the machine has (EL1 on a plain -M virt).  Other CPUs are either
 * held powered off (QEMU's PSCI emulation, the usual case) and started
 * later by demo.c through PSCI CPU_ON at secondary_entry, or, on machines
 * without PSCI emulation, released here too: those park forever.
 *
 * Floating point is never enabled; the C code is built with
 * -mgeneral-regs-only so that it needs none.
 */

#define STACK_SIZE  8192
#define MAX_CPUS    8

    .section .text.boot, "ax"
    .global _start
_start:
    /* Only the CPU with affinity 0.0.0 boots; others wait forever. */
    mrs     x0, mpidr_el1
    and     x0, x0, #0xffffff
    cbnz    x0, park

    mov     x19, #0
    bl      setup_cpu

    /* Clear .bss (stacks included: nothing is on the stack yet). */
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    stp     xzr, xzr, [x0], #16
    b       1b
2:
    bl      main
    b       park

/*
 * Entry of a CPU started by PSCI CPU_ON; x0 is the context ID, which
 * demo.c sets to the CPU's index.
 */
    .global secondary_entry
secondary_entry:
    mov     x19, x0
    cmp     x19, #MAX_CPUS
    b.hs    park
    bl      setup_cpu
    mov     x0, x19
    bl      secondary_main
    b       park

/*
 * Stack and exception vectors of the CPU with index x19.  Must not touch
 * memory: on the boot CPU, .bss is not cleared yet.
 */
setup_cpu:
    adrp    x0, stacks
    add     x0, x0, :lo12:stacks
    add     x1, x19, #1
    mov     x2, #STACK_SIZE
    madd    x0, x1, x2, x0
    mov     sp, x0

    adrp    x0, vectors
    add     x0, x0, :lo12:vectors
    mrs     x1, CurrentEL
    lsr     x1, x1, #2
    cmp     x1, #2
    b.eq    3f
    b.hi    4f
    msr     vbar_el1, x0
    b       5f
3:  msr     vbar_el2, x0
    b       5f
4:  msr     vbar_el3, x0
5:  isb
    ret

    .global park
park:
    wfe
    b       park

/*
 * Exception vectors: nothing here expects an exception, so each entry
 * reports which one it was to demo_exception(), which never returns.  A
 * debugger finds the guest there instead of lost in unmapped memory.
 */
    .macro vector num
    .balign 0x80
    mov     x0, #\num
    b       exception_common
    .endm

    .balign 0x800
vectors:
    .irp num, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    vector  \num
    .endr

exception_common:
    mrs     x3, CurrentEL
    lsr     x3, x3, #2
    cmp     x3, #2
    b.eq    6f
    b.hi    7f
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    b       8f
6:  mrs     x1, esr_el2
    mrs     x2, elr_el2
    b       8f
7:  mrs     x1, esr_el3
    mrs     x2, elr_el3
8:  bl      demo_exception
    b       park

    .section .bss.stacks, "aw", %nobits
    .balign 16
stacks:
    .space  STACK_SIZE * MAX_CPUS
