/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd-bench: the client side of the MCD benchmarks.
 *
 * Drives the GDB stub, QMP and the MCD server of one QEMU with the same
 * small C code, so that the client costs the same for all three and
 * the figures compare the servers.  Each protocol's data is taken apart
 * as its debuggers do: hex digits for gdb, a JSON array of numbers
 * ("data", the encoding of every existing MCD client) or a hex string
 * ("data-hex") for MCD.
 *
 * usage: mcd-bench PROTOCOL SOCKET TEST [ARG...]
 *   gdb|qmp|mcd SOCKET rt N                median round trip, in us
 *   gdb|mcd SOCKET read|write ADDR BYTES [hex]
 *                                          memory throughput, in MiB/s
 *   gdb|mcd SOCKET step SECONDS            single steps per second
 *   mcd SOCKET nstep N                     instructions per second of
 *                                          one N-instruction step
 *   mcd SOCKET idle SECONDS                open the server, print "ready"
 *                                          and stay idle: a second
 *                                          debugger that costs nothing
 *   mcd SOCKET hold SECONDS [N ADDR [CORES]]
 *                                          attach, arm N breakpoints at
 *                                          ADDR, ADDR + 4, ... on each of
 *                                          CORES cores (1); print "ready"
 *                                          and stay idle
 *   mcd SOCKET trace SECONDS on|off [CORES]
 *                                          arm the core trace of CORES
 *                                          cores (1), and with off switch
 *                                          it off again; print "ready"
 *                                          and stay idle
 *   mcd SOCKET traceread FRAMES [packed]   run core 0 until its trace
 *                                          holds FRAMES frames, stop it,
 *                                          read them: frames per second
 * SOCKET is a UNIX socket path or HOST:PORT.  The result is printed as
 * one number.  MCD_BENCH_MAX_ANSWER=N asks the MCD server for answers of
 * up to N bytes, and so for its larger payload.
 */

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* gdb's packet size for memory, as QEMU's stub announces it. */
#define GDB_CHUNK 2040

static int fd;
static char *in;
static size_t in_len, in_size;

static void die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("mcd-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A number in C notation (0x... for hex), as strtoull() with base 0. */
static uint64_t number(const char *s)
{
    uint64_t v = 0;

    if (sscanf(s, "%" SCNi64, &v) != 1) {
        die("not a number: %.40s", s);
    }
    return v;
}

static void connect_to(const char *where)
{
    const char *colon = strrchr(where, ':');

    if (!colon || strchr(where, '/')) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", where);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            die("connect %s: %s", where, strerror(errno));
        }
    } else {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
        char host[256];
        int one = 1;

        snprintf(host, sizeof(host), "%.*s", (int)(colon - where), where);
        if (getaddrinfo(host, colon + 1, &hints, &ai)) {
            die("bad address %s", where);
        }
        fd = socket(ai->ai_family, SOCK_STREAM, 0);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            die("connect %s: %s", where, strerror(errno));
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        freeaddrinfo(ai);
    }
}

static void send_all(const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n <= 0) {
            die("write: %s", n ? strerror(errno) : "closed");
        }
        p += n;
        len -= n;
    }
}

/* Make room for, and read, more input. */
static void fill(void)
{
    ssize_t n;

    if (in_size - in_len < 65536) {
        in_size = in_size * 2 + 65536;
        in = realloc(in, in_size);
    }
    n = read(fd, in + in_len, in_size - in_len);
    if (n <= 0) {
        die("read: %s", n ? strerror(errno) : "closed");
    }
    in_len += n;
}

static void consume(size_t n)
{
    memmove(in, in + n, in_len - n);
    in_len -= n;
}

/* The next input line, NUL-terminated; valid until the next read. */
static size_t line_len;
static char *read_line(void)
{
    char *nl;

    if (line_len) {
        consume(line_len);
        line_len = 0;
    }
    while (!(nl = memchr(in, '\n', in_len))) {
        fill();
    }
    *nl = '\0';
    line_len = nl - in + 1;
    return in;
}

/* A JSON answer (skipping events); die on an error answer. */
static char *json_answer(void)
{
    for (;;) {
        char *l = read_line();

        if (!strncmp(l, "{\"return\"", 9)) {
            return l;
        }
        if (strstr(l, "\"error\"")) {
            die("error answer: %.300s", l);
        }
    }
}

static char *json_call(const char *req)
{
    send_all(req, strlen(req));
    return json_answer();
}

static char *json_callf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *json_callf(const char *fmt, ...)
{
    char *req, *ans;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&req, fmt, ap);
    va_end(ap);
    if (n < 0) {
        die("out of memory");
    }
    ans = json_call(req);
    free(req);
    return ans;
}

static uint64_t json_uint(const char *ans, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(ans, pat);
    if (!p) {
        die("no %s in %.300s", key, ans);
    }
    return number(p + strlen(pat));
}

/* Element @n of the array @key, a JSON object, copied; NULL past its end. */
static char *json_nth_object(const char *ans, const char *key, int n)
{
    char pat[64];
    const char *p, *q, *start = NULL;
    int depth = 0;
    bool str = false;

    snprintf(pat, sizeof(pat), "\"%s\":[", key);
    p = strstr(ans, pat);
    if (!p) {
        die("no %s in %.300s", key, ans);
    }
    for (q = p + strlen(pat); *q; q++) {
        if (str) {
            if (*q == '\\') {
                q++;
            } else if (*q == '"') {
                str = false;
            }
        } else if (*q == '"') {
            str = true;
        } else if (*q == '{' && !depth++) {
            start = q;
        } else if (*q == '}' && !--depth && !n--) {
            return strndup(start, q - start + 1);
        } else if (*q == ']' && !depth) {
            return NULL;
        }
    }
    die("truncated %s", key);
}

static char *json_first_object(const char *ans, const char *key)
{
    char *o = json_nth_object(ans, key, 0);

    if (!o) {
        die("empty %s", key);
    }
    return o;
}

/* --- gdb --- */

static char *gdb_cmd(const char *cmd)
{
    static char pkt[GDB_CHUNK * 2 + 64];
    unsigned sum = 0;
    size_t n = strlen(cmd);
    char *start, *hash;

    for (size_t i = 0; i < n; i++) {
        sum += (unsigned char)cmd[i];
    }
    n = snprintf(pkt, sizeof(pkt), "$%s#%02x", cmd, sum & 0xff);
    send_all(pkt, n);
    if (line_len) {
        consume(line_len);
        line_len = 0;
    }
    for (;;) {
        start = memchr(in, '$', in_len);
        hash = start ? memchr(start, '#', in + in_len - start) : NULL;
        if (hash && hash + 3 <= in + in_len) {
            *hash = '\0';
            line_len = hash + 3 - in;
            return start + 1;
        }
        fill();
    }
}

static void gdb_open(void)
{
    gdb_cmd("QStartNoAckMode");
    send_all("+", 1);
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static void gdb_read(uint64_t addr, uint32_t len, uint8_t *buf)
{
    char cmd[64];
    const char *r;

    snprintf(cmd, sizeof(cmd), "m%llx,%x", (unsigned long long)addr, len);
    r = gdb_cmd(cmd);
    if (strlen(r) != 2 * len) {
        die("gdb m: %.100s", r);
    }
    for (uint32_t i = 0; i < len; i++) {
        buf[i] = hexval(r[2 * i]) << 4 | hexval(r[2 * i + 1]);
    }
}

static void gdb_write(uint64_t addr, uint32_t len, const uint8_t *buf)
{
    static char cmd[GDB_CHUNK * 2 + 64];
    static const char digit[] = "0123456789abcdef";
    int n = snprintf(cmd, sizeof(cmd), "M%llx,%x:",
                     (unsigned long long)addr, len);

    for (uint32_t i = 0; i < len; i++) {
        cmd[n++] = digit[buf[i] >> 4];
        cmd[n++] = digit[buf[i] & 15];
    }
    cmd[n] = '\0';
    if (strcmp(gdb_cmd(cmd), "OK")) {
        die("gdb M failed");
    }
}

/* --- MCD --- */

static uint64_t mcd_uid;
static uint32_t mcd_payload;
static uint32_t mcd_logical;        /* the logical memory space's ID */

static char *mcd_device;

/* Open core @index of the first device, for the requests that follow. */
static void mcd_open_core(int index)
{
    char *ans, *core, *space;

    ans = json_callf("{\"execute\":\"mcd-qry-cores\",\"arguments\":"
                     "{\"connection-info\":%s,\"start-index\":%d,"
                     "\"num-cores\":1}}\n", mcd_device, index);
    core = json_first_object(ans, "core-con-info");
    mcd_uid = json_uint(json_callf("{\"execute\":\"mcd-open-core\","
                                   "\"arguments\":{\"core-con-info\":%s}}\n",
                                   core), "core-uid");
    free(core);
    mcd_payload = json_uint(json_callf("{\"execute\":"
                                       "\"mcd-qry-max-payload-size\","
                                       "\"arguments\":{\"core-uid\":%" PRIu64
                                       "}}\n", mcd_uid), "max-payload");

    /* Breakpoints go to the logical memory space. */
    ans = json_callf("{\"execute\":\"mcd-qry-mem-spaces\",\"arguments\":"
                     "{\"core-uid\":%" PRIu64 ",\"start-index\":0,"
                     "\"num-mem-spaces\":32}}\n", mcd_uid);
    mcd_logical = 0;
    for (int i = 0; (space = json_nth_object(ans, "mem-spaces", i)); i++) {
        if (json_uint(space, "mem-type") & 0x20 && !mcd_logical) {
            mcd_logical = json_uint(space, "mem-space-id");
        }
        free(space);
    }
}

static void mcd_open(void)
{
    const char *max = getenv("MCD_BENCH_MAX_ANSWER");
    char *ans;

    /* Longer answers, so a larger payload, if asked for. */
    json_callf("{\"execute\":\"mcd-open-server\",\"arguments\":"
               "{\"system-key\":\"\",\"config-string\":\"\"%s%s}}\n",
               max ? ",\"max-answer-size\":" : "", max ? max : "");
    ans = json_call("{\"execute\":\"mcd-qry-systems\",\"arguments\":"
                    "{\"start-index\":0,\"num-systems\":1}}\n");
    mcd_device = json_first_object(ans, "system-con-info");
    mcd_open_core(0);
}

/* The start of a one-transaction list request, up to its data. */
static size_t mcd_tx_head(char *buf, size_t size, uint64_t addr,
                          uint32_t len, bool write)
{
    return snprintf(buf, size,
                    "{\"execute\":\"mcd-execute-txlist\",\"arguments\":"
                    "{\"core-uid\":%llu,\"txlist\":{\"num-tx\":1,"
                    "\"num-tx-ok\":0,\"tx\":[{\"addr\":{\"address\":%llu,"
                    "\"mem-space-id\":1,\"addr-space-id\":0,"
                    "\"addr-space-type\":0},\"access-type\":%d,"
                    "\"options\":0,\"access-width\":0,\"core-mode\":0,"
                    "\"num-bytes\":%u,\"num-bytes-ok\":0,",
                    (unsigned long long)mcd_uid, (unsigned long long)addr,
                    write ? 2 : 1, len);
}

static void mcd_check_tx(const char *ans, uint32_t len)
{
    if (json_uint(ans, "return-status") ||
        json_uint(ans, "num-bytes-ok") != len) {
        die("transaction failed: %.300s", ans);
    }
}

static void mcd_read(uint64_t addr, uint32_t len, uint8_t *buf, bool hex)
{
    static char req[1024];
    size_t n = mcd_tx_head(req, sizeof(req), addr, len, false);
    const char *ans, *p;

    snprintf(req + n, sizeof(req) - n, "%s}]}}}\n",
             hex ? "\"data\":[],\"data-hex\":\"\"" : "\"data\":[]");
    ans = json_call(req);
    mcd_check_tx(ans, len);
    if (hex) {
        p = strstr(ans, "\"data-hex\":\"");
        if (!p) {
            die("no data-hex");
        }
        p += 12;
        for (uint32_t i = 0; i < len; i++, p += 2) {
            buf[i] = hexval(p[0]) << 4 | hexval(p[1]);
        }
        if (*p != '"') {
            die("data-hex of the wrong length");
        }
        return;
    }
    p = strstr(ans, "\"data\":[");
    if (!p) {
        die("no data");
    }
    p += 8;
    for (uint32_t i = 0; i < len; i++) {
        unsigned v = 0;

        while (*p >= '0' && *p <= '9') {
            v = v * 10 + *p++ - '0';
        }
        if (v > 255 || *p != (i + 1 < len ? ',' : ']')) {
            die("bad data array at byte %u", i);
        }
        buf[i] = v;
        p++;
    }
}

static void mcd_write(uint64_t addr, uint32_t len, const uint8_t *buf,
                      bool hex)
{
    static const char digit[] = "0123456789abcdef";
    size_t size = 1024 + 4 * (size_t)len, n;
    char *req = malloc(size), *p;

    n = mcd_tx_head(req, size, addr, len, true);
    p = req + n;
    if (hex) {
        p += sprintf(p, "\"data\":[],\"data-hex\":\"");
        for (uint32_t i = 0; i < len; i++) {
            *p++ = digit[buf[i] >> 4];
            *p++ = digit[buf[i] & 15];
        }
        *p++ = '"';
    } else {
        p += sprintf(p, "\"data\":[");
        for (uint32_t i = 0; i < len; i++) {
            unsigned v = buf[i];

            if (v >= 100) {
                *p++ = '0' + v / 100;
            }
            if (v >= 10) {
                *p++ = '0' + v / 10 % 10;
            }
            *p++ = '0' + v % 10;
            *p++ = ',';
        }
        p[-1] = ']';
    }
    strcpy(p, "}]}}}\n");
    mcd_check_tx(json_call(req), len);
    free(req);
}

static void mcd_step(uint32_t n)
{
    char req[256];

    snprintf(req, sizeof(req), "{\"execute\":\"mcd-step\",\"arguments\":"
             "{\"core-uid\":%llu,\"global\":false,\"step-type\":2,"
             "\"n-steps\":%u}}\n", (unsigned long long)mcd_uid, n);
    if (json_uint(json_call(req), "return-status")) {
        die("step failed");
    }
}

/* Breakpoints at @addr, @addr + 4, ...: armed, but never to be hit. */
static void mcd_breakpoints(uint32_t n, uint64_t addr)
{
    char req[1024];

    for (uint32_t i = 0; i < n; i++) {
        snprintf(req, sizeof(req), "{\"execute\":\"mcd-create-trig\","
                 "\"arguments\":{\"core-uid\":%llu,\"trig\":"
                 "{\"trig-simple-core\":{\"type\":1,\"option\":0,"
                 "\"action\":0,\"action-param\":0,\"modified\":false,"
                 "\"state-mask\":0,\"addr-start\":{\"address\":%llu,"
                 "\"mem-space-id\":%u,\"addr-space-id\":0,"
                 "\"addr-space-type\":0},\"addr-range\":0}}}}\n",
                 (unsigned long long)mcd_uid,
                 (unsigned long long)(addr + 4 * i), mcd_logical);
        if (json_uint(json_call(req), "return-status")) {
            die("breakpoint %u refused", i);
        }
    }
    snprintf(req, sizeof(req), "{\"execute\":\"mcd-activate-trig-set\","
             "\"arguments\":{\"core-uid\":%llu}}\n",
             (unsigned long long)mcd_uid);
    if (json_uint(json_call(req), "return-status")) {
        die("trigger set refused");
    }
}

/* --- the tests --- */

/* Set the core trace of the current core to @state (MCD_TRACE_STATE_*). */
static void mcd_trace_set(unsigned state, uint64_t frames)
{
    if (json_uint(json_callf("{\"execute\":\"mcd-set-trace-state\","
                             "\"arguments\":{\"core-uid\":%llu,"
                             "\"trace-id\":1,\"state\":{\"state\":%u,"
                             "\"mode\":0,\"autoarm\":false,"
                             "\"wraparound\":false,\"frames\":0,"
                             "\"count\":0,\"size\":%llu,"
                             "\"trigger-delay\":0,"
                             "\"timestamp-accuracy\":0,"
                             "\"timestamp-is-time\":false,"
                             "\"options\":0,\"modified\":false,"
                             "\"info-str\":\"\"}}}\n",
                             (unsigned long long)mcd_uid, state,
                             (unsigned long long)frames),
                  "return-status")) {
        die("trace state %u refused", state);
    }
}

static uint64_t mcd_trace_count(void)
{
    return json_uint(json_callf("{\"execute\":\"mcd-qry-trace-state\","
                                "\"arguments\":{\"core-uid\":%llu,"
                                "\"trace-id\":1}}\n",
                                (unsigned long long)mcd_uid), "count");
}

static void mcd_core_call(const char *cmd)
{
    if (json_uint(json_callf("{\"execute\":\"%s\",\"arguments\":"
                             "{\"core-uid\":%llu,\"global\":false}}\n",
                             cmd, (unsigned long long)mcd_uid),
                  "return-status")) {
        die("%s refused", cmd);
    }
}

/* Fill core 0's trace with @frames frames, then read them all. */
static double test_traceread(uint64_t frames, bool packed)
{
    uint64_t done = 0;
    double t0;

    mcd_trace_set(0x10, frames);        /* INIT */
    mcd_trace_set(3, frames);           /* ARM */
    mcd_core_call("mcd-run");
    while (mcd_trace_count() < frames) {
        usleep(10000);
    }
    mcd_core_call("mcd-stop");
    t0 = now();
    while (done < frames) {
        uint64_t n = json_uint(json_callf(
            "{\"execute\":\"mcd-read-trace\",\"arguments\":"
            "{\"core-uid\":%llu,\"trace-id\":1,\"start-index\":%llu,"
            "\"num-frames\":%llu,\"trace-data-size\":56,"
            "\"packed\":%s}}\n", (unsigned long long)mcd_uid,
            (unsigned long long)done, (unsigned long long)(frames - done),
            packed ? "true" : "false"), "num-frames");

        if (!n) {
            die("no frames read");
        }
        done += n;
    }
    return frames / (now() - t0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double test_rt(const char *proto, long n)
{
    double *t = calloc(n, sizeof(*t));
    char req[256];

    if (!strcmp(proto, "mcd")) {
        snprintf(req, sizeof(req), "{\"execute\":\"mcd-qry-state\","
                 "\"arguments\":{\"core-uid\":%llu}}\n",
                 (unsigned long long)mcd_uid);
    } else {
        snprintf(req, sizeof(req), "{\"execute\":\"query-status\"}\n");
    }
    for (long i = 0; i < n; i++) {
        double t0 = now();

        if (!strcmp(proto, "gdb")) {
            if (gdb_cmd("?")[0] != 'T') {
                die("gdb ?: unexpected reply");
            }
        } else {
            json_call(req);
        }
        t[i] = now() - t0;
    }
    qsort(t, n, sizeof(*t), cmp_double);
    return t[n / 2] * 1e6;
}

static double test_mem(const char *proto, bool write, uint64_t addr,
                       uint64_t bytes, bool hex)
{
    bool gdb = !strcmp(proto, "gdb");
    uint32_t chunk = gdb ? GDB_CHUNK : mcd_payload;
    uint8_t *buf = malloc(chunk);
    double t0;

    for (uint32_t i = 0; i < chunk; i++) {
        buf[i] = i * 7;
    }
    t0 = now();
    for (uint64_t done = 0; done < bytes; done += chunk) {
        uint32_t len = bytes - done < chunk ? bytes - done : chunk;

        if (gdb && write) {
            gdb_write(addr + done, len, buf);
        } else if (gdb) {
            gdb_read(addr + done, len, buf);
        } else if (write) {
            mcd_write(addr + done, len, buf, hex);
        } else {
            mcd_read(addr + done, len, buf, hex);
        }
    }
    return bytes / (now() - t0) / (1 << 20);
}

static double test_step(const char *proto, double seconds)
{
    double t0 = now(), t;
    long n = 0;

    do {
        if (!strcmp(proto, "gdb")) {
            if (gdb_cmd("s")[0] != 'T') {
                die("gdb s: unexpected reply");
            }
        } else {
            mcd_step(1);
        }
        n++;
        t = now() - t0;
    } while (t < seconds);
    return n / t;
}

int main(int argc, char **argv)
{
    const char *proto, *test;
    double r;

    if (argc < 5) {
        die("usage: mcd-bench gdb|qmp|mcd SOCKET TEST ARG...");
    }
    proto = argv[1];
    test = argv[3];
    connect_to(argv[2]);
    if (!strcmp(proto, "gdb")) {
        gdb_open();
    } else if (!strcmp(proto, "qmp")) {
        read_line();
        json_call("{\"execute\":\"qmp_capabilities\"}\n");
    } else if (!strcmp(proto, "mcd") && !strcmp(test, "idle")) {
        json_call("{\"execute\":\"mcd-open-server\",\"arguments\":"
                  "{\"system-key\":\"\",\"config-string\":\"\"}}\n");
        printf("ready\n");
        fflush(stdout);
        usleep(atof(argv[4]) * 1e6);
        return 0;
    } else if (!strcmp(proto, "mcd")) {
        mcd_open();
    } else {
        die("unknown protocol %s", proto);
    }
    if (!strcmp(test, "rt")) {
        r = test_rt(proto, atol(argv[4]));
    } else if ((!strcmp(test, "read") || !strcmp(test, "write")) &&
               argc >= 6) {
        r = test_mem(proto, !strcmp(test, "write"),
                     number(argv[4]), number(argv[5]),
                     argc > 6 && !strcmp(argv[6], "hex"));
    } else if (!strcmp(test, "step")) {
        r = test_step(proto, atof(argv[4]));
    } else if (!strcmp(test, "hold") && !strcmp(proto, "mcd")) {
        int cores = argc >= 8 ? atoi(argv[7]) : 1;

        for (int i = 0; argc >= 7 && i < cores; i++) {
            if (i) {
                mcd_open_core(i);
            }
            mcd_breakpoints(atoi(argv[5]), number(argv[6]));
        }
        printf("ready\n");
        fflush(stdout);
        usleep(atof(argv[4]) * 1e6);
        return 0;
    } else if (!strcmp(test, "trace") && !strcmp(proto, "mcd") &&
               argc >= 6) {
        int cores = argc >= 7 ? atoi(argv[6]) : 1;

        for (int i = 0; i < cores; i++) {
            if (i) {
                mcd_open_core(i);
            }
            mcd_trace_set(3, 0);
            if (!strcmp(argv[5], "off")) {
                mcd_trace_set(2, 0);
            }
        }
        printf("ready\n");
        fflush(stdout);
        usleep(atof(argv[4]) * 1e6);
        return 0;
    } else if (!strcmp(test, "traceread") && !strcmp(proto, "mcd")) {
        r = test_traceread(number(argv[4]),
                           argc > 5 && !strcmp(argv[5], "packed"));
    } else if (!strcmp(test, "nstep") && !strcmp(proto, "mcd")) {
        long n = atol(argv[4]);
        double t0 = now();

        mcd_step(n);
        r = n / (now() - t0);
    } else {
        die("unknown test %s for %s", test, proto);
    }
    printf("%.6g\n", r);
    return 0;
}
