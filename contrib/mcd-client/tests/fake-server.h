/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub tests: an MCD server in a thread of the test process
 *
 * It speaks the wire protocol of qapi/mcd.json well enough for the
 * library's unit tests: one system, one device, a few cores, memory
 * spaces, a register map and a memory that transaction lists read and
 * write, with their data in byte arrays or, as QEMU does on request, in
 * "data-hex" strings.  A hook sees every request first and can answer
 * it in any way, broken ones included.
 */

#ifndef MCDC_FAKE_SERVER_H
#define MCDC_FAKE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct FakeServer FakeServer;

/* What the server does once the answer text is sent. */
typedef enum FakeEnd {
    FAKE_DEFAULT,       /* hook only: let the simulated server answer */
    FAKE_CONTINUE,      /* read the next request */
    FAKE_CLOSE,         /* close the connection */
    FAKE_RESET,         /* close it with a TCP/UNIX reset (no linger) */
} FakeEnd;

/* A request as a hook sees it. */
typedef struct FakeReq {
    FakeServer *fs;
    const char *cmd;
    JsonObject *args;           /* NULL if there are none */
    GString *out;               /* append the answer, '\n' included */
} FakeReq;

typedef FakeEnd (*FakeHook)(FakeReq *rq);

struct FakeServer {
    /* Set before fake_server_start(), read-only afterwards. */
    FakeHook hook;
    void *opaque;               /* for the hook */
    uint32_t num_cores;
    uint32_t num_regs;
    uint32_t max_entries;       /* per query answer */
    uint32_t max_payload;
    uint32_t max_tx;
    uint64_t mem_base;
    uint32_t mem_size;
    uint64_t fail_addr;         /* accesses stop here; 0: never */
    bool no_hex_answers;        /* answer byte arrays even to data-hex */

    /* State, under @lock. */
    GMutex lock;
    uint8_t *mem;
    GPtrArray *requests;        /* every request line received */
    uint32_t connections;
    uint32_t txlists;           /* mcd-execute-txlist requests */
    uint32_t hex_txlists;       /* ... with data-hex only, in every tx */
    uint32_t most_tx;           /* most transactions in one of them */
    uint64_t most_bytes;        /* most payload in one of them */
    bool got_exit;
    uint32_t err_code;          /* last error of the simulated server */
    char err_str[256];

    /* Private. */
    char *dir;
    char *path;
    int listen_fd;
    uint16_t port;
    bool tcp;
    gint stop;
    GThread *thread;
};

/* A server with defaults for every setting, not started yet. */
FakeServer *fake_server_new(void);
/* Listen on a UNIX socket, or on 127.0.0.1 with @tcp; serve in a thread. */
void fake_server_start(FakeServer *fs, bool tcp);
/* The config string for mcd_open_server_f(); g_free() it. */
char *fake_server_config(FakeServer *fs, const char *options);
void fake_server_free(FakeServer *fs);

/* Requests received so far, and the command of the n-th one. */
guint fake_server_count(FakeServer *fs, const char *cmd);
char *fake_server_request(FakeServer *fs, guint n);

/* Answer helpers for hooks. */
void fake_answer(GString *out, JsonObject *ret);
void fake_status(GString *out, uint32_t status);

#endif /* MCDC_FAKE_SERVER_H */
