/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server tests: the parts of the suite, one file per concern
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef TESTS_QTEST_MCD_TEST_H
#define TESTS_QTEST_MCD_TEST_H

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
/* mcd-test-sessions.c: several debuggers, heterogeneous cores */
void mcd_sessions_tests_register(void);

#endif
