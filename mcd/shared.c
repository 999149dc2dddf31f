/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD server: a buffer shared with a client on the same host
 *
 * JSON costs a bulk transfer two to four characters a byte, each of
 * them lexed, parsed or printed.  A client on a UNIX socket can instead
 * hand over a memfd with mcd-set-shared-buffer; transactions that give
 * an offset in it (shared-offset) read memory straight into the
 * mapping and write memory straight from it, and only the request and
 * its counts travel as JSON.
 *
 * A file that shrank while mapped would turn the next access into a
 * SIGBUS in QEMU, so only files sealed against shrinking are taken.
 * The buffer belongs to the open server: closing it, or the client
 * going away, unmaps it.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/memfd.h"
#include <sys/mman.h>
#include "mcd-internal.h"

void mcd_shared_buffer_release(McdSession *s)
{
    if (s->shared) {
        munmap(s->shared, s->shared_size);
        s->shared = NULL;
        s->shared_size = 0;
    }
}

/* Whether @fd is sealed so that it cannot shrink while mapped. */
static bool mcd_fd_cannot_shrink(int fd)
{
    int seals = fcntl(fd, F_GET_SEALS);

    return seals >= 0 && (seals & F_SEAL_SHRINK);
}

/* Map @size bytes of @fd for the session; the error is recorded. */
static mcd_return_et mcd_shared_buffer_map(int fd, uint64_t size)
{
    struct stat st;
    void *p;

    if (!mcd_fd_cannot_shrink(fd)) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "the shared buffer must be a "
                        "memfd sealed against shrinking (F_SEAL_SHRINK)");
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size < size) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "the file given is smaller "
                        "than the %" PRIu64 " bytes to share", size);
    }
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        return mcd_fail(NULL, MCD_ERR_GENERAL, "cannot map the shared "
                        "buffer: %s", strerror(errno));
    }
    mcd_shared_buffer_release(mcd_session);
    mcd_session->shared = p;
    mcd_session->shared_size = size;
    return mcd_ok(NULL);
}

mcd_return_et mcd_shared_buffer_set(const mcd_server_st *server, int fd,
                                    uint64_t size)
{
    mcd_return_et ret = mcd_server_check(server);

    if (ret) {
        return ret;
    }
    if (!size) {
        mcd_shared_buffer_release(mcd_session);
        return mcd_ok(NULL);
    }
    if (size > MCD_SHARED_MAX) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "a shared buffer of %" PRIu64
                        " bytes: at most %d", size, MCD_SHARED_MAX);
    }
    if (fd < 0) {
        return mcd_fail(NULL, MCD_ERR_PARAM, "no file descriptor came with "
                        "the request (shared buffers need a UNIX socket)");
    }
    return mcd_shared_buffer_map(fd, size);
}

uint8_t *mcd_shared_buffer_at(McdCore *core, uint32_t index,
                              uint64_t offset, uint32_t len)
{
    if (!mcd_session->shared) {
        mcd_fail(core, MCD_ERR_PARAM, "transaction %" PRIu32 " has a "
                 "shared-offset, but no buffer is shared", index);
        return NULL;
    }
    if (offset > mcd_session->shared_size ||
        len > mcd_session->shared_size - offset) {
        mcd_fail(core, MCD_ERR_PARAM, "transaction %" PRIu32 ": %" PRIu32
                 " bytes at offset %" PRIu64 " are beyond the shared "
                 "buffer of %" PRIu64 " bytes", index, len, offset,
                 mcd_session->shared_size);
        return NULL;
    }
    return mcd_session->shared + offset;
}

bool mcd_shared_buffer_holds(const uint8_t *p)
{
    const uint8_t *base = mcd_session->shared;

    return base && p >= base && p < base + mcd_session->shared_size;
}
