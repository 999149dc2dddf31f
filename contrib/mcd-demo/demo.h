/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD demo guest: what start.S and demo.c call of each other.
 */

#ifndef MCD_DEMO_H
#define MCD_DEMO_H

#include <stdint.h>

/* start.S */
void secondary_entry(void);
void park(void) __attribute__((noreturn));

/* demo.c */
int main(void);
void secondary_main(unsigned cpu) __attribute__((noreturn));
void demo_exception(uint64_t vector, uint64_t esr, uint64_t elr)
    __attribute__((noreturn));

#endif /* MCD_DEMO_H */
