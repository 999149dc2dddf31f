/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multi-Core Debug (MCD) server: entry point for system emulation
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef EXEC_MCDSTUB_H
#define EXEC_MCDSTUB_H

/**
 * mcd_server_start() - start the MCD monitor on a character device
 * @device: the device, in the forms -gdb accepts ("tcp::1235",
 *          "unix:path,server=on", "chardev:id", ...)
 * @errp: set when the device cannot be opened
 *
 * Returns: true on success.
 */
bool mcd_server_start(const char *device, Error **errp);

#endif /* EXEC_MCDSTUB_H */
