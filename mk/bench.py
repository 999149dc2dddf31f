#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmarks of the MCD server against the GDB stub and QMP of the same
# QEMU process: request latency, memory read throughput and single-step
# rate, on a halted machine over UNIX sockets.  The three protocols are
# driven by the same minimal Python code, so the client costs the same.
# QEMU and this client share one CPU: on a virtual machine a wake-up
# across CPUs costs more than any protocol, and varies from run to run.
#
# usage: bench.py BUILD_DIR

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

B = os.path.abspath(sys.argv[1])
QB = os.path.join(B, 'qemu-build')


class Line:
    """One JSON object per line each way (MCD and QMP)."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile('rb')

    def call(self, cmd, args=None):
        req = {'execute': cmd}
        if args is not None:
            req['arguments'] = args
        self.s.sendall(json.dumps(req, separators=(',', ':')).encode() +
                       b'\n')
        while True:
            ans = json.loads(self.f.readline())
            if 'return' in ans or 'error' in ans:
                return ans


class Gdb:
    """The GDB remote protocol, without acknowledgements after setup."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = b''
        self.cmd('QStartNoAckMode', ack=True)
        self.noack = True

    def packet(self, data):
        return b'$%s#%02x' % (data, sum(data) & 0xff)

    def cmd(self, data, ack=False):
        self.s.sendall(self.packet(data.encode()))
        while True:
            start = self.buf.find(b'$')
            end = self.buf.find(b'#', start + 1) if start >= 0 else -1
            if end >= 0 and len(self.buf) >= end + 3:
                reply = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                if ack:
                    self.s.sendall(b'+')
                return reply
            self.buf += self.s.recv(65536)


def times(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def median_us(fn, n):
    return statistics.median(times(fn, n)) * 1e6


def rate(fn, seconds):
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        fn()
        n += 1
    return n / seconds


def bench(arch, machine, extra):
    d = tempfile.mkdtemp(prefix='mcd-bench-')
    paths = {k: os.path.join(d, k) for k in ('mcd', 'gdb', 'qmp')}
    qemu = subprocess.Popen(
        ['taskset', '-c', '0', os.path.join(QB, 'qemu-system-' + arch)] +
        machine.split() +
        extra + ['-m', '128M', '-display', 'none', '-S', '-monitor', 'none',
                 '-serial', 'none',
                 '-mcd', 'unix:%s,server=on,wait=off' % paths['mcd'],
                 '-gdb', 'unix:%s,server=on,wait=off' % paths['gdb'],
                 '-qmp', 'unix:%s,server=on,wait=off' % paths['qmp']],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if all(os.path.exists(p) for p in paths.values()):
                break
            time.sleep(0.05)
        time.sleep(0.2)
        res = {}
        qmp = Line(paths['qmp'])
        qmp.f.readline()
        qmp.call('qmp_capabilities')
        gdb = Gdb(paths['gdb'])
        mcd = Line(paths['mcd'])
        mcd.call('mcd-open-server', {'system-key': '', 'config-string': ''})
        sys_ = mcd.call('mcd-qry-systems', {'start-index': 0,
                                            'num-systems': 1})
        dev = sys_['return']['system-con-info'][0]
        core = mcd.call('mcd-qry-cores', {'connection-info': dev,
                                          'start-index': 0,
                                          'num-cores': 1})
        info = core['return']['core-con-info'][0]
        uid = mcd.call('mcd-open-core', {'core-con-info': info})
        uid = uid['return']['core-uid']
        payload = mcd.call('mcd-qry-max-payload-size',
                           {'core-uid': uid})['return']['max-payload']
        ram = 0x40000000 if arch != 'riscv64' else 0x80000000

        res['gdb ?'] = median_us(lambda: gdb.cmd('?'), 2000)
        res['qmp query-status'] = median_us(
            lambda: qmp.call('query-status'), 2000)
        # A second debugger, connected with its server open but idle,
        # must cost the first one nothing.  Alternate the two cases in
        # short rounds, so that the machine's drift hits both alike.
        alone, beside = [], []
        for _ in range(10):
            alone += times(lambda: mcd.call('mcd-qry-state',
                                            {'core-uid': uid}), 200)
            idle = Line(paths['mcd'])
            idle.call('mcd-open-server', {'system-key': '',
                                          'config-string': ''})
            beside += times(lambda: mcd.call('mcd-qry-state',
                                             {'core-uid': uid}), 200)
            idle.s.close()
        res['mcd qry-state'] = statistics.median(alone) * 1e6
        res['mcd qry-state, 2nd session idle'] = \
            statistics.median(beside) * 1e6

        mib = 1 << 20
        t = time.perf_counter()
        for a in range(ram, ram + mib, 2040):
            gdb.cmd('m%x,%x' % (a, min(2040, ram + mib - a)))
        res['gdb m MiB/s'] = 1 / (time.perf_counter() - t)

        def mcd_read(a, n, hex_):
            tx = {'addr': {'address': a, 'mem-space-id': 1,
                           'addr-space-id': 0, 'addr-space-type': 0},
                  'access-type': 1, 'options': 0, 'access-width': 0,
                  'core-mode': 0, 'data': [], 'num-bytes': n,
                  'num-bytes-ok': 0}
            if hex_:
                tx['data-hex'] = ''
            r = mcd.call('mcd-execute-txlist', {
                'core-uid': uid,
                'txlist': {'tx': [tx], 'num-tx': 1, 'num-tx-ok': 0}})
            assert r['return']['return-status'] == 0
            tx = r['return']['txlist']['tx'][0]
            got = bytes.fromhex(tx['data-hex']) if hex_ else tx['data']
            assert len(got) == n
        for hex_, name in ((False, 'byte array'), (True, 'data-hex')):
            t = time.perf_counter()
            for a in range(ram, ram + mib, payload):
                mcd_read(a, min(payload, ram + mib - a), hex_)
            res['mcd txlist %s MiB/s' % name] = 1 / (time.perf_counter() - t)

        res['gdb s steps/s'] = rate(lambda: gdb.cmd('s'), 2)
        res['mcd step steps/s'] = rate(
            lambda: mcd.call('mcd-step', {'core-uid': uid, 'global': False,
                                          'step-type': 2, 'n-steps': 1}), 2)
        n = 200000
        t = time.perf_counter()
        r = mcd.call('mcd-step', {'core-uid': uid, 'global': False,
                                  'step-type': 2, 'n-steps': n})
        assert r['return']['return-status'] == 0
        res['mcd step n=200000 steps/s'] = n / (time.perf_counter() - t)
        return res
    finally:
        qemu.kill()
        qemu.wait()


def main():
    os.sched_setaffinity(0, {0})
    demo = os.path.join(B, 'mcd-demo', 'demo.elf')
    runs = [('aarch64', '-M virt -cpu cortex-a53', ['-kernel', demo]),
            ('riscv64', '-M virt -cpu rv64', [])]
    results = {arch: bench(arch, m, e) for arch, m, e in runs}
    keys = list(results['aarch64'])
    print('| measure | ' + ' | '.join(a for a, _, _ in runs) + ' |')
    print('|---|' + '---|' * len(runs))
    for k in keys:
        unit = '' if '/s' in k else ' us'
        print('| %s | %s |' % (k, ' | '.join(
            '%.1f%s' % (results[a][k], unit) for a, _, _ in runs)))


main()
