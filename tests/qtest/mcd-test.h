/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: the parts of the suite, one file per concern
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef TESTS_QTEST_MCD_TEST_H
#define TESTS_QTEST_MCD_TEST_H

#include "mcd-util.h"

/* mcd-test-access.c: memory spaces, registers, transaction lists */
void mcd_access_tests_register(void);
/* mcd-test-runctl.c: run control, triggers, reset, multi-core */
void mcd_runctl_tests_register(void);
/*
 * The counting loop of mcd-test-runctl.c for AArch64 and AArch32: the
 * counter is the word 0x40 past the loop's first instruction.
 */
#define MCD_LOOP_LEN 20
extern const uint8_t mcd_loop_aarch64[MCD_LOOP_LEN];
extern const uint8_t mcd_loop_arm[MCD_LOOP_LEN];
/*
 * The counting loop for every target and the helpers that run it, for
 * mcd-test-runctl.c and mcd-test-trace.c.
 */
typedef struct RunArch {
    const char *arch;
    const char *pc;             /* name of the program counter */
    uint64_t base;              /* where the program goes */
    uint64_t data;              /* where its counter is */
    const uint8_t *code;
    size_t code_len;
    int prologue;               /* instructions before the loop */
    uint64_t loop[4];           /* offsets of the loop's instructions */
    uint64_t reset_pc;          /* where a reset leaves the core */
} RunArch;

typedef struct RunTest {
    MCDTest *t;
    const RunArch *a;
    uint32_t cores[4];
    int ncores;
    uint32_t phys, logical;
} RunTest;

/* The loop of this target, NULL if there is none. */
const RunArch *mcd_run_arch(void);
/* Where the program is after @steps instructions, and its counter. */
uint64_t mcd_run_expected_pc(const RunArch *a, uint64_t steps);
uint32_t mcd_run_expected_counter(const RunArch *a, uint64_t steps);
/* QEMU for this target, halted, with @smp cores open. */
RunTest *mcd_run_start(int smp, const char *extra);
void mcd_run_stop(RunTest *rt);
/* Put the program in place, zero its counter, point @core at its start. */
void mcd_run_load(RunTest *rt, int core);
uint32_t mcd_run_counter(RunTest *rt);
uint64_t mcd_run_pc(RunTest *rt, int core);
/* Wait for @core to stop; return its state (caller unrefs). */
QDict *mcd_run_wait_stopped(RunTest *rt, int core);
/* Command @cmd for @core with the arguments @more (or none); its status. */
uint32_t mcd_run_call(RunTest *rt, const char *cmd, int core,
                      const char *more);
void mcd_run_core(RunTest *rt, int core, bool global);
void mcd_run_stop_core(RunTest *rt, int core, bool global);
/* Step @core by @n instructions; the status. */
uint32_t mcd_run_step(RunTest *rt, int core, uint32_t n);
/* Create a simple trigger with @action; its ID, 0 if refused. */
uint32_t mcd_run_trig(RunTest *rt, int core, uint32_t type, uint32_t action,
                      uint32_t space, uint64_t addr, uint64_t range);

/* mcd-test-trace.c: instruction and data trace */
void mcd_trace_tests_register(void);
/* mcd-test-sessions.c: several debuggers, heterogeneous cores */
void mcd_sessions_tests_register(void);

#endif
