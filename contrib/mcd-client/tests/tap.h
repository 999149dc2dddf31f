/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub tests: a small TAP harness
 *
 * Each test runs in a child process of its own, so that a crash, a hang
 * or leftover global state in the library cannot affect the next test.
 * The harness prints "1..N" and one "ok N - name", "not ok N - name" or
 * "ok N - name # SKIP why" line per test; diagnostics start with "#".
 * Arguments select the tests whose names contain one of them.
 */

#ifndef MCDC_TAP_H
#define MCDC_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <netinet/in.h>

typedef struct TapTest {
    const char *name;
    void (*fn)(void);
} TapTest;

/* Run @tests; returns the exit status for main(). */
int tap_run(const TapTest *tests, size_t n, int argc, char **argv);

/* Inside a test. */
void tap_fail(const char *file, int line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void tap_diag(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void tap_skip(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;
/* End the test now, failed. */
void tap_abort(void) G_GNUC_NORETURN;
/* Whether the test has failed so far. */
bool tap_failed(void);

/*
 * A TCP socket bound to a free port of the loopback address, which
 * *@sin gets; the test ends if there is none.
 */
int tap_loopback_socket(struct sockaddr_in *sin);

/* Record a failure and go on. */
#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            tap_fail(__FILE__, __LINE__, "check failed: %s", #cond); \
        } \
    } while (0)

/* Record a failure and end the test. */
#define REQUIRE(cond) \
    do { \
        if (!(cond)) { \
            tap_fail(__FILE__, __LINE__, "requirement failed: %s", #cond); \
            tap_abort(); \
        } \
    } while (0)

/* Compare unsigned numbers, showing both on failure. */
#define CHECK_EQ(a, b) \
    do { \
        unsigned long long a_ = (a), b_ = (b); \
        if (a_ != b_) { \
            tap_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", \
                     #a, #b, a_, b_); \
        } \
    } while (0)

#define CHECK_STR(a, b) \
    do { \
        const char *a_ = (a), *b_ = (b); \
        if (g_strcmp0(a_, b_)) { \
            tap_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
                     #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
        } \
    } while (0)

/* @hay contains @needle. */
#define CHECK_HAS(hay, needle) \
    do { \
        const char *h_ = (hay), *n_ = (needle); \
        if (!h_ || !strstr(h_, n_)) { \
            tap_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"", \
                     h_ ? h_ : "(null)", n_); \
        } \
    } while (0)

#endif /* MCDC_TAP_H */
