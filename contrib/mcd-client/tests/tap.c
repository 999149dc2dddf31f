/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub tests: a small TAP harness, see tap.h
 */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "tap.h"

/* Exit status of a child whose test skipped itself. */
#define TAP_SKIP_STATUS 77
/* A test that takes longer than this is killed: TAP_TIMEOUT overrides. */
#define TAP_DEFAULT_TIMEOUT_S 120

static bool failed;
static int msg_fd = -1;         /* child: where the skip reason goes */

void tap_diag(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_auto(GStrv) lines = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    lines = g_strsplit(msg, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        printf("# %s\n", lines[i]);
    }
    fflush(stdout);
}

void tap_fail(const char *file, int line, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    tap_diag("%s:%d: %s", file, line, msg);
    failed = true;
}

bool tap_failed(void)
{
    return failed;
}

void tap_abort(void)
{
    fflush(stdout);
    _exit(1);
}

void tap_skip(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (msg_fd >= 0 && write(msg_fd, msg, strlen(msg)) < 0) {
        tap_diag("cannot report the skip reason: %s", g_strerror(errno));
    }
    fflush(stdout);
    _exit(TAP_SKIP_STATUS);
}

static bool selected(const char *name, int argc, char **argv)
{
    if (argc < 2) {
        return true;
    }
    for (int i = 1; i < argc; i++) {
        if (strstr(name, argv[i])) {
            return true;
        }
    }
    return false;
}

static unsigned timeout_s(void)
{
    const char *s = g_getenv("TAP_TIMEOUT");
    guint64 v;

    if (s && g_ascii_string_to_unsigned(s, 10, 1, 86400, &v, NULL)) {
        return v;
    }
    return TAP_DEFAULT_TIMEOUT_S;
}

/* Run one test in a child; 0 passed, 1 failed, 2 skipped. */
static int run_one(const TapTest *t, char **why)
{
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)timeout_s() * G_USEC_PER_SEC;
    char buf[512];
    int fds[2], status = 0;
    ssize_t n;
    pid_t pid, w;

    *why = NULL;
    if (pipe(fds) < 0) {
        *why = g_strdup_printf("pipe: %s", g_strerror(errno));
        return 1;
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        *why = g_strdup_printf("fork: %s", g_strerror(errno));
        return 1;
    }
    if (pid == 0) {
        /* Own process group: a timeout kills what the test started. */
        setpgid(0, 0);
        close(fds[0]);
        msg_fd = fds[1];
        failed = false;
        t->fn();
        fflush(stdout);
        _exit(failed ? 1 : 0);
    }
    setpgid(pid, pid);
    close(fds[1]);
    for (;;) {
        w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            break;
        }
        if (g_get_monotonic_time() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            close(fds[0]);
            *why = g_strdup_printf("timed out after %u s", timeout_s());
            return 1;
        }
        g_usleep(5000);
    }
    /* Whatever the test started and left behind goes with it. */
    kill(-pid, SIGKILL);
    n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    if (WIFSIGNALED(status)) {
        *why = g_strdup_printf("killed by signal %d (%s)", WTERMSIG(status),
                               strsignal(WTERMSIG(status)));
        return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS) {
        *why = g_strndup(buf, n > 0 ? n : 0);
        return 2;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int tap_loopback_socket(struct sockaddr_in *sin)
{
    socklen_t len = sizeof(*sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    *sin = (struct sockaddr_in) {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    REQUIRE(fd >= 0);
    REQUIRE(!bind(fd, (struct sockaddr *)sin, sizeof(*sin)));
    REQUIRE(!getsockname(fd, (struct sockaddr *)sin, &len));
    return fd;
}

int tap_run(const TapTest *tests, size_t n, int argc, char **argv)
{
    size_t planned = 0, num = 0;
    int bad = 0;

    /* A vanished peer must be an error return, not the end of a test. */
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < n; i++) {
        planned += selected(tests[i].name, argc, argv);
    }
    printf("1..%zu\n", planned);
    fflush(stdout);
    for (size_t i = 0; i < n; i++) {
        g_autofree char *why = NULL;
        int res;

        if (!selected(tests[i].name, argc, argv)) {
            continue;
        }
        num++;
        res = run_one(&tests[i], &why);
        if (res == 1 && why) {
            tap_diag("%s: %s", tests[i].name, why);
        }
        if (res == 2) {
            printf("ok %zu - %s # SKIP %s\n", num, tests[i].name,
                   why && *why ? why : "skipped");
        } else {
            printf("%sok %zu - %s\n", res ? "not " : "", num,
                   tests[i].name);
        }
        fflush(stdout);
        bad += res == 1;
    }
    return bad ? 1 : 0;
}
