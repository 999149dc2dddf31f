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
import json
import os
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mcdwire as w  # noqa: E402


class Session:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile('rb')

    def call(self, cmd, args=None):
        req = {'execute': cmd}
        if args is not None:
            req['arguments'] = args
        self.s.sendall(json.dumps(req).encode() + b'\n')
        line = self.f.readline()
        if not line:
            raise SystemExit('QEMU closed the connection during ' + cmd)
        ans = json.loads(line)
        if 'return' not in ans:
            raise SystemExit('%s: %s' % (cmd, ans))
        return ans['return']

    def close(self):
        self.f.close()
        self.s.close()


def connect(path):
    """A new session; the sessions of the loop before may still be ending."""
    deadline = time.monotonic() + 5
    while True:
        s = Session(path)
        try:
            s.s.sendall(json.dumps({'execute': 'mcd-initialize',
                                    'arguments': {'version-req':
                                                  w.VERSION_REQ}}).encode() +
                        b'\n')
            ans = json.loads(s.f.readline() or '{}')
        except OSError as e:
            ans = {'error': str(e)}
        if 'return' in ans:
            return s
        s.close()
        if time.monotonic() > deadline:
            raise SystemExit('refused: %s' % ans)
        time.sleep(0.01)


def one_session(path, core):
    """A debugger's whole life; returns the open session to close."""
    s = connect(path)
    s.call('mcd-open-server', {'system-key': '', 'config-string': ''})
    sys_ = s.call('mcd-qry-systems', {'start-index': 0,
                                      'num-systems': 1})['system-con-info']
    dev = s.call('mcd-qry-devices', {'system-con-info': sys_[0],
                                     'start-index': 0,
                                     'num-devices': 1})['device-con-info']
    cores = s.call('mcd-qry-cores', {'connection-info': dev[0],
                                     'start-index': core,
                                     'num-cores': 1})['core-con-info']
    uid = s.call('mcd-open-core', {'core-con-info': cores[0]})['core-uid']
    s.call('mcd-qry-state', {'core-uid': uid})
    s.call('mcd-qry-reg-groups', {'core-uid': uid, 'start-index': 0,
                                  'num-reg-groups': 8})
    s.call('mcd-close-core', {'core-uid': uid})
    return s


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
    q.first.close()
    rss = {}
    t = time.monotonic()
    try:
        for i in range(1, o.loops + 1):
            sessions = [one_session(q.addr, k) for k in range(o.parallel)]
            for s in sessions:
                s.close()
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
