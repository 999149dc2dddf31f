/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub for QEMU's MCD server: internals
 *
 * The library (libmcd_client.so) implements the 54 functions of the MCD
 * API 1.1 by sending one JSON request per call to the MCD server built
 * into QEMU (qapi/mcd.json).  This header is shared by its parts and by
 * the unit tests, which exercise the parts without a QEMU:
 *
 *   config.c     the configuration string of mcd_open_server_f()
 *   transport.c  sockets: connect, send a line, receive a line, timeouts
 *   marshal.c    C structures to JSON and back, requests and answers
 *   txsplit.c    cutting transaction lists to the server's payload limit
 *   client.c     the API functions, handles and error bookkeeping
 */

#ifndef MCDC_H
#define MCDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include "../../mcd/mcd_api.h"

/* What mcd_initialize_f() reports about this implementation. */
#define MCDC_VERSION_MAJOR 1
#define MCDC_VERSION_MINOR 0
#define MCDC_VERSION_BUILD 0
#define MCDC_VENDOR "QEMU MCD client stub"
#define MCDC_DATE "2026-11-25"

/* Where mcd_open_server_f() connects when the config string is empty. */
#define MCDC_DEFAULT_HOST "127.0.0.1"
#define MCDC_DEFAULT_PORT 1235

/*
 * Timeouts in milliseconds; the environment variables and the config
 * string options "connect-timeout=" and "timeout=" override them.
 */
#define MCDC_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define MCDC_DEFAULT_ANSWER_TIMEOUT_MS 30000
#define MCDC_ENV_CONNECT_TIMEOUT "MCD_CONNECT_TIMEOUT_MS"
#define MCDC_ENV_ANSWER_TIMEOUT "MCD_ANSWER_TIMEOUT_MS"
/* Longest timeout accepted anywhere: one day. */
#define MCDC_MAX_TIMEOUT_MS (24u * 60 * 60 * 1000)

/*
 * Longest answer line accepted, and asked for at mcd-open-server
 * (max-answer-size): QEMU answers longer lines only to a client that
 * asks, and then lets it move larger transaction lists (its payload).
 * The bound is against a runaway peer.
 */
#define MCDC_MAX_LINE (4 * 1024 * 1024)

/*
 * Transfers larger than one JSON request carries go through a buffer of
 * this size shared with the server (mcd-set-shared-buffer), when the
 * server is on a UNIX socket and takes it.
 */
#define MCDC_SHARED_SIZE (16 * 1024 * 1024)

/* A failure: the MCD error code to report and a readable reason. */
typedef struct McdcFailure {
    mcd_error_code_et code;
    int errnum;                 /* errno behind it, 0 if none */
    char str[MCD_INFO_STR_LEN];
} McdcFailure;

void mcdc_fail(McdcFailure *f, mcd_error_code_et code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/*
 * Copy @src into the fixed-size MCD string field @dst of @size bytes,
 * always terminated, cut at a UTF-8 character boundary if too long.
 */
void mcdc_copy_str(char *dst, size_t size, const char *src);

/*
 * config.c: "host:port", "[v6addr]:port", "tcp:host:port" or
 * "unix:/path", each optionally followed by ",timeout=MS" and/or
 * ",connect-timeout=MS".  Empty or NULL means 127.0.0.1:1235.
 */
typedef enum McdcTransport {
    MCDC_TRANSPORT_TCP,
    MCDC_TRANSPORT_UNIX,
} McdcTransport;

typedef struct McdcConfig {
    McdcTransport transport;
    char *host;                 /* TCP: host name or address */
    uint16_t port;              /* TCP */
    char *path;                 /* UNIX: socket path */
    unsigned connect_timeout_ms;
    unsigned answer_timeout_ms;
} McdcConfig;

bool mcdc_config_parse(const char *str, McdcConfig *cfg, McdcFailure *f);
void mcdc_config_clear(McdcConfig *cfg);
/* "host:port" or "unix:/path", for messages; g_free() the result. */
char *mcdc_config_endpoint(const McdcConfig *cfg);

/* transport.c */
typedef struct McdcConn McdcConn;

/* Outcome of mcdc_conn_call() when it returns no answer. */
typedef enum McdcBroken {
    MCDC_CONN_OK,               /* error answer: the connection is fine */
    MCDC_CONN_BROKEN,           /* the connection is of no further use */
} McdcBroken;

McdcConn *mcdc_conn_open(const McdcConfig *cfg, McdcFailure *f);
void mcdc_conn_close(McdcConn *conn);
/* Whether the failure of mcdc_conn_open() means "nobody listens". */
bool mcdc_conn_refused(const McdcFailure *f);
/* Raw line I/O; @deadline is in g_get_monotonic_time() microseconds. */
bool mcdc_conn_send(McdcConn *conn, const char *buf, size_t len,
                    gint64 deadline, McdcFailure *f);
char *mcdc_conn_recv_line(McdcConn *conn, gint64 deadline, McdcFailure *f);
/*
 * Send @cmd with @args (not consumed, may be NULL) and wait up to
 * @timeout_ms for its answer.  Returns the "return" object (unref it
 * when done); NULL on failure, described in @f, with *@broken telling
 * whether the connection must be dropped.  Without @want_answer only
 * the request is sent and NULL is returned with *@broken clear.
 */
JsonObject *mcdc_conn_call(McdcConn *conn, const char *cmd, JsonObject *args,
                           unsigned timeout_ms, bool want_answer,
                           McdcFailure *f, McdcBroken *broken);
/* ... with the file descriptor @fd passed along (UNIX sockets only). */
JsonObject *mcdc_conn_call_fd(McdcConn *conn, const char *cmd,
                              JsonObject *args, int fd, unsigned timeout_ms,
                              bool want_answer, McdcFailure *f,
                              McdcBroken *broken);

/* marshal.c: table-driven conversion of the MCD structures */
typedef enum McdcFieldType {
    MCDC_F_UINT,                /* unsigned integer of the member's size */
    MCDC_F_BOOL,                /* mcd_bool_t */
    MCDC_F_STR,                 /* fixed-size character array */
    MCDC_F_STRUCT,              /* nested structure, see sub */
    MCDC_F_UINT_ARRAY,          /* fixed-size array of unsigned integers */
} McdcFieldType;

typedef struct McdcStructDesc McdcStructDesc;

typedef struct McdcField {
    const char *name;           /* JSON member name */
    McdcFieldType type;
    size_t offset;
    size_t size;                /* of the whole member */
    size_t elem_size;           /* MCDC_F_UINT_ARRAY: of one element */
    const McdcStructDesc *sub;  /* MCDC_F_STRUCT */
} McdcField;

struct McdcStructDesc {
    const char *name;           /* C type, for messages */
    size_t size;
    const McdcField *fields;    /* ends with a NULL name */
};

extern const McdcStructDesc mcdc_api_version_desc;
extern const McdcStructDesc mcdc_impl_version_info_desc;
extern const McdcStructDesc mcdc_error_info_desc;
extern const McdcStructDesc mcdc_server_info_desc;
extern const McdcStructDesc mcdc_core_con_info_desc;
extern const McdcStructDesc mcdc_core_mode_info_desc;
extern const McdcStructDesc mcdc_addr_desc;
extern const McdcStructDesc mcdc_memspace_desc;
extern const McdcStructDesc mcdc_memblock_desc;
extern const McdcStructDesc mcdc_register_group_desc;
extern const McdcStructDesc mcdc_register_info_desc;
extern const McdcStructDesc mcdc_trig_info_desc;
extern const McdcStructDesc mcdc_ctrig_info_desc;
extern const McdcStructDesc mcdc_trig_simple_core_desc;
extern const McdcStructDesc mcdc_trig_complex_core_desc;
extern const McdcStructDesc mcdc_trig_trig_bus_desc;
extern const McdcStructDesc mcdc_trig_counter_desc;
extern const McdcStructDesc mcdc_trig_custom_desc;
extern const McdcStructDesc mcdc_trig_state_desc;
extern const McdcStructDesc mcdc_trig_set_state_desc;
extern const McdcStructDesc mcdc_core_state_desc;
extern const McdcStructDesc mcdc_rst_info_desc;
extern const McdcStructDesc mcdc_chl_desc;
extern const McdcStructDesc mcdc_trace_info_desc;
extern const McdcStructDesc mcdc_trace_state_desc;
extern const McdcStructDesc mcdc_trace_data_core_desc;
extern const McdcStructDesc mcdc_trace_data_event_desc;
extern const McdcStructDesc mcdc_trace_data_stat_desc;

/* Every descriptor above, NULL-terminated, for the unit tests. */
extern const McdcStructDesc *const mcdc_all_descs[];

JsonObject *mcdc_struct_to_json(const McdcStructDesc *d, const void *s);
bool mcdc_struct_from_json(const McdcStructDesc *d, JsonObject *o, void *s,
                           McdcFailure *f);

/* The trigger variants: wire member name and C layout. */
typedef struct McdcTrigKind {
    const char *member;         /* "trig-simple-core", ... */
    const McdcStructDesc *desc;
    mcd_trig_type_et type;      /* 0, or the type that tells it apart */
} McdcTrigKind;

extern const McdcTrigKind mcdc_trig_kinds[];
/* The variant a trigger passed by pointer is, from its size and type. */
const McdcTrigKind *mcdc_trig_kind_of(const void *trig);
/* {"trig-...": {...}} for a trigger passed by pointer, or NULL. */
JsonObject *mcdc_trig_to_json(const void *trig, McdcFailure *f);
/*
 * Store the trigger of container @o in @trig, a buffer of @size bytes,
 * with struct_size set.
 */
bool mcdc_trig_from_json(JsonObject *o, void *trig, size_t size,
                         McdcFailure *f);

/* Members of an answer, checked for type and range. */
bool mcdc_get_uint(JsonObject *o, const char *name, uint64_t max,
                   uint64_t *val, McdcFailure *f);
bool mcdc_get_u32(JsonObject *o, const char *name, uint32_t *val,
                  McdcFailure *f);
bool mcdc_get_u64(JsonObject *o, const char *name, uint64_t *val,
                  McdcFailure *f);
const char *mcdc_get_str(JsonObject *o, const char *name, McdcFailure *f);
JsonObject *mcdc_get_obj(JsonObject *o, const char *name, McdcFailure *f);
JsonArray *mcdc_get_array(JsonObject *o, const char *name, McdcFailure *f);

/* Byte buffers travel as arrays of integers (messages, older servers). */
JsonArray *mcdc_bytes_to_json(const uint8_t *buf, size_t len);
/* Store at most @max bytes of @a in @buf; *@len gets the count. */
bool mcdc_bytes_from_json(JsonArray *a, uint8_t *buf, size_t max,
                          size_t *len, McdcFailure *f);
/* ... or as "data-hex" strings, transaction data; g_free() the result. */
char *mcdc_hex_encode(const uint8_t *buf, size_t len);
/*
 * Store the bytes of @hex (two hex digits per byte, either case), at
 * most @max, in @buf; *@len gets the count.  Malformed or too long
 * strings fail with MCD_ERR_CONNECTION and leave @buf alone.
 */
bool mcdc_hex_decode(const char *hex, uint8_t *buf, size_t max, size_t *len,
                     McdcFailure *f);

/*
 * One transaction, or the part [@offset, @offset + @len) of it, with
 * its data as "data-hex" (an empty "data"): the bytes to write, or ""
 * for a read, so that the answer brings the bytes read as hex.
 */
JsonObject *mcdc_tx_to_json(const mcd_tx_st *tx, uint32_t offset,
                            uint32_t len);
/*
 * ... with its data at @shared_offset of the buffer @shared shares with
 * the server (mcd-set-shared-buffer): the bytes to write are copied
 * there, and the answer will have the bytes read there.
 */
JsonObject *mcdc_tx_to_json_shared(const mcd_tx_st *tx, uint32_t offset,
                                   uint32_t len, uint8_t *shared,
                                   uint64_t shared_offset);
JsonObject *mcdc_txlist_to_json(const mcd_txlist_st *tl);
/*
 * Read back an answered transaction into @tx, whose data buffer holds
 * tx->num_bytes bytes; the address, type and sizes must be the ones
 * that were sent.  The bytes read come from "data-hex", or from "data"
 * if the answer has no "data-hex".
 */
bool mcdc_tx_from_json(JsonObject *o, mcd_tx_st *tx, McdcFailure *f);
/* ... taking the bytes read from @shared, where the server put them. */
bool mcdc_tx_from_json_shared(JsonObject *o, mcd_tx_st *tx,
                              const uint8_t *shared, McdcFailure *f);
bool mcdc_txlist_from_json(JsonObject *o, mcd_txlist_st *tl, McdcFailure *f);

/* One request line, '\n' included; g_free() it. */
char *mcdc_request_line(const char *cmd, JsonObject *args, size_t *len);

/* What a line received from the server is. */
typedef enum McdcAnswerKind {
    MCDC_ANSWER_RETURN,         /* {"return": {...}} */
    MCDC_ANSWER_ERROR,          /* {"error": {...}}: the request failed */
    MCDC_ANSWER_NOISE,          /* an event or greeting: skip it */
    MCDC_ANSWER_MALFORMED,      /* anything else */
} McdcAnswerKind;

/*
 * Classify @line; for MCDC_ANSWER_RETURN *@ret gets the return object
 * (unref it), for ERROR and MALFORMED @f says what went wrong.
 */
McdcAnswerKind mcdc_answer_parse(const char *line, JsonObject **ret,
                                 McdcFailure *f);

/* txsplit.c */

/* A transaction, or a slice of one, as it goes into a request. */
typedef struct McdcTxPiece {
    uint32_t tx;                /* index in the caller's list */
    uint32_t offset;            /* of the slice within the transaction */
    uint32_t len;               /* bytes in the slice */
} McdcTxPiece;

/* A request: @count pieces starting at piece @first. */
typedef struct McdcTxRequest {
    uint32_t first;
    uint32_t count;
    uint64_t bytes;
} McdcTxRequest;

/*
 * Cut @tl into requests of at most @max_tx transactions and
 * @max_payload bytes.  Transactions that fit are never cut; larger ones
 * are sliced at multiples of their access width.  Fills @pieces
 * (McdcTxPiece) and @requests (McdcTxRequest); false if a transaction
 * cannot be cut that fine.
 */
bool mcdc_txlist_split(const mcd_txlist_st *tl, uint32_t max_payload,
                       uint32_t max_tx, GArray *pieces, GArray *requests,
                       McdcFailure *f);

#endif /* MCDC_H */
