#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Does QEMU's memory stay flat while debuggers come and go?  Runs LOOPS
# session loops against one QEMU: connect (a new session each time),
# open the server and a core, query, close, disconnect.  With --parallel
# N, N sessions are open at once in each loop.  Prints QEMU's RSS after
# the first loop, the thousandth and the last.
#
# usage: mcd-rss.py [--qemu-dir DIR] [--arch ARCH] [--loops N]
#                   [--parallel N]

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mcdwire as w  # noqa: E402


def call(cl, cmd, args=None):
    r = cl.ret(cmd, args)
    if r is None:
        raise SystemExit('%s failed' % cmd)
    return r


def connect(q):
    """A new session; the sessions of the loop before may still be ending."""
    deadline = time.monotonic() + 5
    while True:
        cl = w.Client(w.Conn(q.connect(), alive=q.alive), 10)
        try:
            if cl.ret('mcd-initialize', {'version-req': w.VERSION_REQ}):
                return cl
        except (w.ServerGone, OSError):
            pass
        cl.conn.close()
        if time.monotonic() > deadline:
            raise SystemExit('QEMU keeps refusing new sessions')
        time.sleep(0.01)


def one_session(q, core):
    """A debugger's whole life; returns the open session to close."""
    cl = connect(q)
    call(cl, 'mcd-open-server', {'system-key': '', 'config-string': ''})
    sys_ = call(cl, 'mcd-qry-systems', {'start-index': 0,
                                        'num-systems': 1})['system-con-info']
    dev = call(cl, 'mcd-qry-devices', {'system-con-info': sys_[0],
                                       'start-index': 0,
                                       'num-devices': 1})['device-con-info']
    cores = call(cl, 'mcd-qry-cores', {'connection-info': dev[0],
                                       'start-index': core,
                                       'num-cores': 1})['core-con-info']
    uid = call(cl, 'mcd-open-core', {'core-con-info': cores[0]})['core-uid']
    call(cl, 'mcd-qry-state', {'core-uid': uid})
    call(cl, 'mcd-qry-reg-groups', {'core-uid': uid, 'start-index': 0,
                                    'num-reg-groups': 8})
    call(cl, 'mcd-close-core', {'core-uid': uid})
    return cl


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--qemu-dir', default=w.default_qemu_dir(HERE))
    p.add_argument('--arch', default='aarch64')
    p.add_argument('--loops', type=int, default=100000)
    p.add_argument('--parallel', type=int, default=1)
    o = p.parse_args()

    arch = w.ARCHES[o.arch]
    workdir = tempfile.mkdtemp(prefix='mcd-rss-')
    q = w.Qemu(os.path.join(o.qemu_dir, 'qemu-system-' + o.arch), arch,
               ['-smp', str(o.parallel), '-S'], workdir, 'rss', tcp=False,
               sanitizer_env=False)
    q.start()
    rss = {}
    t = time.monotonic()
    try:
        for i in range(1, o.loops + 1):
            sessions = [one_session(q, k) for k in range(o.parallel)]
            for cl in sessions:
                cl.conn.close()
            if i in (1, 1000, o.loops):
                # Let the teardown of the last sessions run first.
                time.sleep(0.2)
                rss[i] = q.rss_kb()
    finally:
        q.stop()
    print('%d session loops of %d session(s) in %.0f s' %
          (o.loops, o.parallel, time.monotonic() - t))
    for i, kb in sorted(rss.items()):
        print('  RSS after loop %d: %d kB' % (i, kb))


main()
