/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: the socket to the server
 *
 * One JSON object per line each way.  Every wait is bounded by a
 * deadline, so a server that stops answering costs a timeout, never a
 * hang.  The socket is non-blocking throughout; poll() does the waiting.
 */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "mcdc.h"

struct McdcConn {
    int fd;
    char *endpoint;             /* for messages */
    GString *in;                /* received, not yet consumed */
    size_t scanned;             /* bytes of @in known to hold no '\n' */
};

/* Milliseconds left until @deadline, for poll(); 0 once it passed. */
static int ms_left(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    if (left <= 0) {
        return 0;
    }
    return MIN((left + 999) / 1000, G_MAXINT);
}

/* Wait for @events on @fd; false on timeout, with errno = ETIMEDOUT. */
static bool wait_fd(int fd, short events, gint64 deadline)
{
    struct pollfd p = { .fd = fd, .events = events };
    int ret;

    for (;;) {
        int ms = ms_left(deadline);

        if (!ms) {
            errno = ETIMEDOUT;
            return false;
        }
        ret = poll(&p, 1, ms);
        if (ret > 0) {
            return true;
        }
        if (ret < 0 && errno != EINTR) {
            return false;
        }
    }
}

/* Connect the non-blocking socket @fd to @sa within @deadline. */
static int connect_fd(int fd, const struct sockaddr *sa, socklen_t len,
                      gint64 deadline)
{
    int err = 0;
    socklen_t errlen = sizeof(err);

    if (connect(fd, sa, len) == 0) {
        return 0;
    }
    if (errno != EINPROGRESS && errno != EINTR) {
        return errno;
    }
    if (!wait_fd(fd, POLLOUT, deadline)) {
        return errno;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0) {
        return errno;
    }
    return err;
}

static int new_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    return fd;
}

static McdcConn *conn_new(int fd, const McdcConfig *cfg)
{
    McdcConn *conn = g_new0(McdcConn, 1);

    conn->fd = fd;
    conn->endpoint = mcdc_config_endpoint(cfg);
    conn->in = g_string_new(NULL);
    return conn;
}

static void fail_connect(McdcFailure *f, const McdcConfig *cfg, int err)
{
    g_autofree char *ep = mcdc_config_endpoint(cfg);

    if (err == ETIMEDOUT) {
        mcdc_fail(f, MCD_ERR_TIMED_OUT,
                  "connecting to the MCD server at %s timed out after %u ms",
                  ep, cfg->connect_timeout_ms);
    } else {
        mcdc_fail(f, MCD_ERR_CONNECTION,
                  "cannot connect to the MCD server at %s: %s", ep,
                  g_strerror(err));
    }
    f->errnum = err;
}

static McdcConn *open_unix(const McdcConfig *cfg, gint64 deadline,
                           McdcFailure *f)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd, err;

    mcdc_copy_str(sun.sun_path, sizeof(sun.sun_path), cfg->path);
    fd = new_socket(AF_UNIX);
    if (fd < 0) {
        fail_connect(f, cfg, errno);
        return NULL;
    }
    err = connect_fd(fd, (struct sockaddr *)&sun, sizeof(sun), deadline);
    if (err) {
        close(fd);
        fail_connect(f, cfg, err);
        return NULL;
    }
    return conn_new(fd, cfg);
}

static McdcConn *open_tcp(const McdcConfig *cfg, gint64 deadline,
                          McdcFailure *f)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_ADDRCONFIG,
    };
    struct addrinfo *res, *ai;
    char port[8];
    int fd = -1, err = ECONNREFUSED, gai;

    snprintf(port, sizeof(port), "%u", cfg->port);
    gai = getaddrinfo(cfg->host, port, &hints, &res);
    if (gai) {
        g_autofree char *ep = mcdc_config_endpoint(cfg);

        mcdc_fail(f, MCD_ERR_CONNECTION, "cannot resolve the MCD server "
                  "address %s: %s", ep, gai_strerror(gai));
        return NULL;
    }
    /* Try every address, as a host name may stand for v4 and v6 ones. */
    for (ai = res; ai; ai = ai->ai_next) {
        fd = new_socket(ai->ai_family);
        if (fd < 0) {
            err = errno;
            continue;
        }
        err = connect_fd(fd, ai->ai_addr, ai->ai_addrlen, deadline);
        if (!err) {
            break;
        }
        close(fd);
        fd = -1;
        if (err == ETIMEDOUT) {
            break;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fail_connect(f, cfg, err);
        return NULL;
    }
    /* Requests are small and answered at once: do not batch them. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    return conn_new(fd, cfg);
}

McdcConn *mcdc_conn_open(const McdcConfig *cfg, McdcFailure *f)
{
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)cfg->connect_timeout_ms * 1000;

    if (cfg->transport == MCDC_TRANSPORT_UNIX) {
        return open_unix(cfg, deadline, f);
    }
    return open_tcp(cfg, deadline, f);
}

bool mcdc_conn_refused(const McdcFailure *f)
{
    return f->errnum == ECONNREFUSED || f->errnum == ENOENT;
}

void mcdc_conn_close(McdcConn *conn)
{
    if (!conn) {
        return;
    }
    close(conn->fd);
    g_free(conn->endpoint);
    g_string_free(conn->in, true);
    g_free(conn);
}

/*
 * After a send() (@events POLLOUT) or recv() (POLLIN) on @conn returned
 * @n < 1: whether to try again, because it was interrupted or the socket
 * got ready before @deadline.  If not, the failure is in @f.
 */
static bool io_again(McdcConn *conn, ssize_t n, short events,
                     gint64 deadline, McdcFailure *f)
{
    if (n < 0 && errno == EINTR) {
        return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (wait_fd(conn->fd, events, deadline)) {
            return true;
        }
        if (errno == ETIMEDOUT) {
            mcdc_fail(f, MCD_ERR_TIMED_OUT, events == POLLOUT ?
                      "the MCD server at %s does not take the request" :
                      "no answer from the MCD server at %s in time",
                      conn->endpoint);
            return false;
        }
    }
    mcdc_fail(f, MCD_ERR_CONNECTION, "%s the MCD server at %s failed: %s",
              events == POLLOUT ? "sending to" : "receiving from",
              conn->endpoint, g_strerror(errno));
    return false;
}

bool mcdc_conn_send(McdcConn *conn, const char *buf, size_t len,
                    gint64 deadline, McdcFailure *f)
{
    while (len) {
        /* MSG_NOSIGNAL: a vanished server is an error, not a SIGPIPE. */
        ssize_t n = send(conn->fd, buf, len, MSG_NOSIGNAL);

        if (n > 0) {
            buf += n;
            len -= n;
            continue;
        }
        if (!io_again(conn, n, POLLOUT, deadline, f)) {
            return false;
        }
    }
    return true;
}

/* Send @buf, its first bytes together with the descriptor @fd. */
static bool conn_send_fd(McdcConn *conn, const char *buf, size_t len,
                         int fd, gint64 deadline, McdcFailure *f)
{
    union {
        struct cmsghdr hdr;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl = { 0 };
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    ssize_t n;

    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    do {
        n = sendmsg(conn->fd, &msg, MSG_NOSIGNAL);
    } while (n < 1 && io_again(conn, n, POLLOUT, deadline, f));
    if (n < 1) {
        return false;
    }
    return mcdc_conn_send(conn, buf + n, len - n, deadline, f);
}

char *mcdc_conn_recv_line(McdcConn *conn, gint64 deadline, McdcFailure *f)
{
    char buf[16384];

    for (;;) {
        char *nl = memchr(conn->in->str + conn->scanned, '\n',
                          conn->in->len - conn->scanned);
        ssize_t n;

        if (nl) {
            size_t len = nl - conn->in->str;
            char *line = g_strndup(conn->in->str, len);

            g_string_erase(conn->in, 0, len + 1);
            conn->scanned = 0;
            return line;
        }
        conn->scanned = conn->in->len;
        if (conn->in->len > MCDC_MAX_LINE) {
            mcdc_fail(f, MCD_ERR_CONNECTION, "the MCD server at %s sent a "
                      "line longer than %d bytes", conn->endpoint,
                      MCDC_MAX_LINE);
            return NULL;
        }
        n = recv(conn->fd, buf, sizeof(buf), 0);
        if (n > 0) {
            g_string_append_len(conn->in, buf, n);
            continue;
        }
        if (n == 0) {
            mcdc_fail(f, MCD_ERR_CONNECTION, conn->in->len ?
                      "the MCD server at %s closed the connection in the "
                      "middle of an answer" :
                      "the MCD server at %s closed the connection",
                      conn->endpoint);
            return NULL;
        }
        if (!io_again(conn, n, POLLIN, deadline, f)) {
            return NULL;
        }
    }
}

/* Say which request a failure was about. */
static void add_context(McdcFailure *f, const char *cmd)
{
    char what[MCD_INFO_STR_LEN];
    int errnum = f->errnum;

    memcpy(what, f->str, sizeof(what));
    mcdc_fail(f, f->code, "%s (waiting for the answer to %s)", what, cmd);
    f->errnum = errnum;
}

JsonObject *mcdc_conn_call_fd(McdcConn *conn, const char *cmd,
                              JsonObject *args, int fd, unsigned timeout_ms,
                              bool want_answer, McdcFailure *f,
                              McdcBroken *broken)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    size_t len;
    g_autofree char *req = mcdc_request_line(cmd, args, &len);

    *broken = MCDC_CONN_BROKEN;
    if (fd >= 0 ? !conn_send_fd(conn, req, len, fd, deadline, f) :
        !mcdc_conn_send(conn, req, len, deadline, f)) {
        return NULL;
    }
    if (!want_answer) {
        *broken = MCDC_CONN_OK;
        return NULL;
    }
    for (;;) {
        g_autofree char *line = mcdc_conn_recv_line(conn, deadline, f);
        JsonObject *ret = NULL;

        if (!line) {
            if (f->code == MCD_ERR_TIMED_OUT) {
                mcdc_fail(f, MCD_ERR_TIMED_OUT, "no answer to %s from the "
                          "MCD server at %s within %u ms", cmd,
                          conn->endpoint, timeout_ms);
            } else {
                add_context(f, cmd);
            }
            return NULL;
        }
        switch (mcdc_answer_parse(line, &ret, f)) {
        case MCDC_ANSWER_RETURN:
            *broken = MCDC_CONN_OK;
            return ret;
        case MCDC_ANSWER_ERROR:
            *broken = MCDC_CONN_OK;
            return NULL;
        case MCDC_ANSWER_NOISE:
            continue;
        case MCDC_ANSWER_MALFORMED:
            add_context(f, cmd);
            return NULL;
        }
    }
}

JsonObject *mcdc_conn_call(McdcConn *conn, const char *cmd, JsonObject *args,
                           unsigned timeout_ms, bool want_answer,
                           McdcFailure *f, McdcBroken *broken)
{
    return mcdc_conn_call_fd(conn, cmd, args, -1, timeout_ms, want_answer,
                             f, broken);
}
