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
/* mcd-test-sessions.c: several debuggers, heterogeneous cores */
void mcd_sessions_tests_register(void);

#endif
