/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server internals shared by the files of mcd/
 *
 * The server implements the C functions of mcd_api.h on QEMU's state; the
 * stub (stub.c) translates the QAPI commands of qapi/mcd.json into calls
 * of those functions.  One file per concern: server.c (initialization,
 * server, system), cores.c, memory.c, registers.c, access.c, shared.c
 * (bulk transfers through shared memory), triggers.c, runctl.c, reset.c,
 * channels.c, trace.c.
 *
 * Who runs what, with the BQL held unless said otherwise:
 *  - the main loop runs the monitor (monitor.c), the stub and every
 *    mcd_*_f() function, bottom halves and timers; never a coroutine,
 *    so main-loop-only calls (vm_stop(), vm_start()) are safe there;
 *  - a vCPU thread runs the guest debug hook (runctl.c) for its own
 *    core, and, through run_on_cpu(), changes to that core's
 *    breakpoints, watchpoints and pause state; run_on_cpu() lets go of
 *    the BQL while it waits, so the hook may run meanwhile;
 *  - the one exception to the BQL: a vCPU thread in single-step mode
 *    runs the step hook (runctl.c) inside TCG's loop without it, to
 *    count an instruction of a long step; it only exchanges step_left
 *    of its own core atomically, which is why step_left is read and
 *    written with qatomic_*() everywhere;
 *  - nothing waits for the target: a step is answered later from the
 *    main loop (mcd_step_start(), mcd_monitor_answer()).
 *
 * Several debuggers may be connected at once, each in a session of its
 * own (McdSession): requests of different sessions interleave only
 * between requests, all in the main loop, so there is no locking beyond
 * the BQL.  A core belongs to the session that opened it; run control
 * is the target's and acts on cores whoever owns them.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef MCD_INTERNAL_H
#define MCD_INTERNAL_H

#include "qemu/cutils.h"
#include "hw/core/cpu.h"
#include "system/runstate.h"
#include "mcd_api.h"

/*
 * Largest transaction list payload in bytes.  An answer must fit the
 * 65535-byte receive buffer of the reference client; a data byte costs up
 * to four characters ("255,") and a transaction's other members up to
 * about 250, so 12 KiB of data in at most MCD_TX_NUM_MAX transactions fit.
 */
#define MCD_MAX_PAYLOAD (12 * 1024)

/* Most entries a query answers at once, again for the answer's size. */
#define MCD_MAX_QRY_ENTRIES 128

/*
 * Longest server configuration string: it comes back in answers, where
 * JSON may spend six characters on one of its bytes.
 */
#define MCD_MAX_CONFIG_STRING 4096

/* Longest answer line, newline included, unless the client said more. */
#define MCD_MAX_ANSWER 65535

/*
 * A client that takes longer answers lines (mcd-open-server's
 * max-answer-size, an extension of the wire) gets a payload to match:
 * four characters a byte plus room for the rest of the answer.  The
 * payload stays below what the JSON parser takes in one request, two
 * tokens a byte of a byte array and at most 2M tokens.
 */
#define MCD_ANSWER_OVERHEAD 8192
#define MCD_MAX_PAYLOAD_LARGE (512 * 1024)
#define MCD_MAX_ANSWER_LARGE (4 * MCD_MAX_PAYLOAD_LARGE + MCD_ANSWER_OVERHEAD)

/* Largest buffer a client may share for bulk transfers (shared.c). */
#define MCD_SHARED_MAX (256 * 1024 * 1024)

/*
 * The core trace (trace.c): every core has one, of at most
 * MCD_TRACE_MAX_FRAMES frames (48 bytes each: a frame and a run of
 * instructions), MCD_TRACE_DEFAULT_FRAMES unless the client sets a size.
 * Option bit MCD_TRACE_OPT_DATA records loads and stores too.
 */
#define MCD_TRACE_ID 1
#define MCD_TRACE_DEFAULT_FRAMES (64 * 1024)
#define MCD_TRACE_MAX_FRAMES (4u * 1024 * 1024)
#define MCD_TRACE_OPT_DATA 0x1
#define MCD_TRACE_TRIG_ACTIONS (MCD_TRIG_ACTION_TRACE_START | \
                                MCD_TRIG_ACTION_TRACE_STOP | \
                                MCD_TRIG_ACTION_TRACE_TRIGGER)

/* Custom memory space type bit: the space is TrustZone secure. */
#define MCD_MEM_SPACE_IS_SECURE MCD_MEM_SPACE_CUSTOM_LO

typedef enum McdSpaceKind {
    MCD_SPACE_PHYSICAL,
    MCD_SPACE_LOGICAL,
    MCD_SPACE_REGISTERS,
} McdSpaceKind;

typedef struct McdMemSpace {
    mcd_memspace_st info;
    McdSpaceKind kind;
    int asidx;                  /* CPU address space, -1 for registers */
    bool secure_attrs;          /* accessed with MemTxAttrs.secure set */
} McdMemSpace;

typedef struct McdReg {
    int num;                    /* GDB number: address in register space */
    const char *name;           /* owned by the GDB feature */
    uint32_t bits;
    uint32_t group;             /* reg_group_id */
} McdReg;

typedef struct McdRegGroup {
    uint32_t first;             /* index of the first register in regs */
    uint32_t count;
    char name[MCD_REG_NAME_LEN];
} McdRegGroup;

/* Any trigger structure mcd_create_trig_f() accepts. */
typedef union McdTrigData {
    uint32_t struct_size;
    mcd_trig_simple_core_st simple;
    mcd_trig_complex_core_st complex;
} McdTrigData;

typedef struct McdTrig {
    uint32_t id;
    McdTrigData data;           /* as created, for mcd_qry_trig_f() */
    uint32_t type;              /* MCD_TRIG_TYPE_IP, _READ, _WRITE, _RW */
    uint32_t action;
    uint64_t addr, len;         /* logical address range */
    bool captured;              /* hit since it was created */
    bool trace;                 /* a trace action: no breakpoint, trace.c */
    GPtrArray *bps;             /* CPUBreakpoint *, for IP triggers */
    CPUWatchpoint *wp;          /* for data triggers */
} McdTrig;

/* Why a core stopped, for mcd_qry_state_f(). */
typedef struct McdStop {
    bool valid;                 /* false once the core ran again */
    uint32_t trig_id;
    char str[MCD_INFO_STR_LEN];
} McdStop;

typedef struct McdCore McdCore;
typedef struct McdTraceCpu McdTraceCpu;

/*
 * One debugger's connection: its server handle, its error and, through
 * McdCore.owner, its cores with their triggers.  Everything else (the
 * cores' run state, the step in progress, the debug hook) is the
 * target's, in McdServer.
 */
typedef struct McdSession {
    uint32_t num;               /* 1, 2, ...: names it in messages */
    uint32_t uid;               /* server handle on the wire, 0 while closed */
    mcd_server_st handle;
    char host[MCD_HOSTNAME_LEN];
    char *config_string;
    char system_key[MCD_KEY_LEN];
    mcd_error_info_st error;    /* of the last call not bound to a core */
    uint32_t max_answer;        /* longest answer line; 0: MCD_MAX_ANSWER */
    uint8_t *shared;            /* mapped by mcd-set-shared-buffer, shared.c */
    uint64_t shared_size;
} McdSession;

/*
 * The session whose request runs.  The MCD monitor sets it before it
 * calls into the API functions (mcd_session_enter()); they act on its
 * server and its cores only.
 */
extern McdSession *mcd_session;
McdSession *mcd_session_enter(McdSession *s);
/* The longest answer line and the transaction list payload of @s. */
uint32_t mcd_session_max_answer(const McdSession *s);
uint32_t mcd_session_max_payload(const McdSession *s);
/* Let @s take answers of up to @bytes; what it gets, or 0 if too few. */
uint32_t mcd_session_set_max_answer(McdSession *s, uint64_t bytes);

/* A group of cores, as the machine groups them (its CPU clusters). */
typedef struct McdDevice {
    char name[MCD_UNIQUE_NAME_LEN];
    int cluster;                /* CPUState.cluster_index */
    uint32_t num_cores;
} McdDevice;

struct McdCore {
    uint32_t uid;               /* handle on the wire, 0 while closed */
    McdSession *owner;          /* that opened it, NULL while closed */
    uint32_t id;                /* MCD core_id: index in mcd_server.cores */
    uint32_t device;            /* index in mcd_server.devices */
    CPUState *cpu;
    char name[MCD_UNIQUE_NAME_LEN];
    uint32_t type;              /* ELF machine */
    mcd_core_con_info_st info;  /* as given to mcd_open_core_f() */
    mcd_core_st handle;         /* what API callers hold; instance = us */
    mcd_error_info_st error;    /* of the last call on this core */

    /* Built when the core is opened, freed when it is closed. */
    GArray *spaces;             /* McdMemSpace, index = mem_space_id - 1 */
    GArray *regs;               /* McdReg, sorted by num */
    GArray *groups;             /* McdRegGroup, index = reg_group_id - 1 */
    unsigned addr_bits;         /* width of a logical address */
    GPtrArray *trigs;           /* McdTrig * */
    uint32_t next_trig_id;

    /* Run control, for every core of an open server. */
    bool global;                /* takes part in global run and stop */
    uint32_t step_left;         /* instructions still to step */
    uint32_t steps_done;
    bool step_over;             /* stepping over a breakpoint, then run */
    bool sstep;                 /* in single-step mode for us */
    bool in_step;               /* one of the cores of mcd_step_start() */
    McdStop stop;
    bool stopped_event;         /* stopped since the last mcd_qry_state_f */

    McdTraceCpu *trace;         /* for QEMU's lifetime, see trace.c */
};

/* Tells the client that the step it asked for has ended with @ret. */
typedef void McdStepDone(mcd_return_et ret, void *opaque);

typedef struct McdServer {
    McdCore *cores;             /* one per vCPU, for QEMU's lifetime */
    uint32_t num_cores;
    McdDevice *devices;
    uint32_t num_devices;
    uint32_t next_uid;          /* handles of every session, never reused */

    /* Run control */
    QEMUBH *bh;                 /* main loop side of the debug hook */
    VMChangeStateEntry *vmse;
    QEMUTimer *until;           /* for mcd_run_until_f() */
    uint32_t until_core;
    bool until_global;
    bool until_fired;
    bool resuming;              /* our own vm_prepare_start() */
    uint32_t stop_global_core;  /* 1 + core whose trigger stops all */

    /* The step in progress, answered through step_done when it ends. */
    bool stepping;
    McdSession *step_session;   /* that asked for it */
    uint32_t step_core;         /* the core it was asked for */
    uint32_t step_n;
    McdStepDone *step_done;
    void *step_opaque;
    QEMUTimer *step_timer;      /* gives up on a step that does not end */
} McdServer;

extern McdServer mcd_server;

/*
 * Record an error for @core, or for the server when @core is NULL, and
 * return its status.  Every failing API function ends in one of these.
 */
mcd_return_et mcd_fail(McdCore *core, mcd_error_code_et code,
                       const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Record success for @core (or the server) and return MCD_RET_ACT_NONE. */
mcd_return_et mcd_ok(McdCore *core);
/* An honest answer for what QEMU cannot do. */
#define mcd_unimplemented(core, what) \
    mcd_fail(core, MCD_ERR_FN_UNIMPLEMENTED, \
             "%s is not implemented by the QEMU MCD server", \
             what)

/* Look up @handle and answer that QEMU cannot do @what. */
mcd_return_et mcd_core_unimplemented(const mcd_core_st *handle,
                                     const char *what);

/* Copy a string into a fixed-size MCD field, always terminated. */
#define mcd_strcpy(field, str) pstrcpy((field), sizeof(field), (str))

/*
 * Resolve an API core handle to an open core.  On failure the error is
 * recorded for the server and its status returned.
 */
mcd_return_et mcd_core_lookup(const mcd_core_st *handle, McdCore **core);

/* As mcd_core_lookup(), and also refuse a NULL result buffer @out. */
mcd_return_et mcd_core_lookup_out(const mcd_core_st *handle, const void *out,
                                  McdCore **core);

/* The open core or server with wire handle @uid, NULL if none. */
const mcd_core_st *mcd_core_by_uid(uint32_t uid);
const mcd_server_st *mcd_server_by_uid(uint32_t uid);

/*
 * The common shape of MCD queries: @total entries exist.  When *@num is 0
 * the caller only wants @total.  Otherwise @start must be valid, @out
 * non-NULL, and *@num is clamped to what is left and to
 * MCD_MAX_QRY_ENTRIES.  Returns true when the caller should now fill *@num
 * entries from @start; false when the answer is complete or the query
 * failed, with *@ret set to the status to return either way.
 */
bool mcd_qry_span(McdCore *core, const char *what, uint32_t total,
                  uint32_t start, uint32_t *num, const void *out,
                  mcd_return_et *ret);

/* Check that @server is the open server of this session. */
mcd_return_et mcd_server_check(const mcd_server_st *server);

/*
 * shared.c: map @size bytes of @fd, a memfd sealed against shrinking,
 * as the session's shared buffer (none if @size is 0); unmap it.
 */
mcd_return_et mcd_shared_buffer_set(const mcd_server_st *server, int fd,
                                    uint64_t size);
void mcd_shared_buffer_release(McdSession *s);
/*
 * The @len bytes at @offset of the shared buffer, for transaction
 * @index of a list on @core; NULL, with the error recorded, if they
 * are not all in it.
 */
uint8_t *mcd_shared_buffer_at(McdCore *core, uint32_t index,
                              uint64_t offset, uint32_t len);
/* Whether @p points into the shared buffer. */
bool mcd_shared_buffer_holds(const uint8_t *p);

/* monitor.c: the file descriptor that came with the request, or -1. */
int mcd_monitor_take_fd(void);

/* Refuse a transaction list over the payload limits. */
mcd_return_et mcd_txlist_limits(McdCore *core, uint32_t num_tx,
                                uint64_t num_bytes);

/* Transaction types that read from, or write to, the target. */
static inline bool mcd_tx_reads(uint32_t type)
{
    return type == MCD_TX_AT_R || type == MCD_TX_AT_RW || type == MCD_TX_AT_WR;
}

static inline bool mcd_tx_writes(uint32_t type)
{
    return type == MCD_TX_AT_W || type == MCD_TX_AT_RW || type == MCD_TX_AT_WR;
}

/* The error code for a failed transaction of @type. */
static inline mcd_error_code_et mcd_tx_error(uint32_t type)
{
    return mcd_tx_writes(type) ? MCD_ERR_TXLIST_WRITE : MCD_ERR_TXLIST_READ;
}

/* Once, when the MCD monitor starts: the cores and their devices. */
void mcd_server_setup(void);
/* Per-concern hooks for opening and closing a core. */
void mcd_cores_init(void);
void mcd_core_release(McdCore *core);
void mcd_registers_init(McdCore *core);
void mcd_registers_release(McdCore *core);
void mcd_memory_init(McdCore *core);
void mcd_memory_release(McdCore *core);

void mcd_triggers_init(McdCore *core);
void mcd_triggers_release(McdCore *core);
/*
 * Trace (trace.c): set up once; a core stopped (in its vCPU thread, or
 * with every vCPU paused); its trace triggers changed; it was closed.
 */
void mcd_trace_setup(void);
void mcd_trace_core_stopped(McdCore *core);
void mcd_trace_triggers_changed(void);
void mcd_trace_release(McdCore *core);

/* Once, when the MCD monitor starts: install the guest debug hook. */
void mcd_runctl_init(void);
void mcd_runctl_release(McdCore *core);

/* Triggers at the core's program counter, or whose watchpoint was hit. */
McdTrig *mcd_trig_at_pc(McdCore *core, vaddr pc);
McdTrig *mcd_trig_watch_hit(McdCore *core);

/* Run control for the other concerns (reset). */
bool mcd_core_running(McdCore *core);
void mcd_stop_core(McdCore *core, const char *reason);
void mcd_stop_all(const char *reason);
void mcd_stopped_by_reset(McdCore *core);
mcd_return_et mcd_resume(McdCore *origin, GPtrArray *cores);

/* Memory spaces of an open core. */
McdMemSpace *mcd_space_find(McdCore *core, uint32_t mem_space_id);
uint32_t mcd_register_space_id(McdCore *core);

/* One register transaction of a list; the error is recorded on failure. */
mcd_return_et mcd_reg_access(McdCore *core, uint32_t index, mcd_tx_st *tx);

/*
 * Start stepping; when the step has ended, @done is called with its
 * status from the main loop (unless mcd_step_abandon() came first).
 * On failure nothing was started and @done is not called.
 */
mcd_return_et mcd_step_start(const mcd_core_st *core, mcd_bool_t global,
                             mcd_core_step_type_et step_type,
                             uint32_t n_steps, McdStepDone *done,
                             void *opaque);
/*
 * A stop for @core_uid (or a global one) arrived while a step is in
 * progress: if it is for a core of the step, stop the step's cores and
 * end it now.  Returns whether it did.
 */
bool mcd_step_interrupt(uint32_t core_uid, bool global);
/* Stop the step in progress, if any, without telling anyone. */
void mcd_step_abandon(void);

/* The client of the current session went away: close what it had open. */
void mcd_server_client_gone(void);

/*
 * For a command of the MCD monitor: its answer comes later.  The monitor
 * drops what the command returns; mcd_monitor_answer() sends @ret as the
 * answer to @waiter, the mcd_monitor_waiter() of the request, and
 * nothing if the client has gone meanwhile.  A session that goes away
 * first ends what it waits for (mcd_step_abandon()), so @waiter stays
 * valid.
 */
void *mcd_monitor_waiter(void);
void mcd_monitor_defer(void);
void mcd_monitor_answer(void *waiter, QObject *ret);

#endif /* MCD_INTERNAL_H */
