#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmarks of the MCD server against the GDB stub (and QMP) of the
# same QEMU process, on aarch64 and riscv64: round trips over UNIX and
# TCP sockets, memory throughput in both encodings, bulk transfers
# through libmcd_client.so, single steps, long steps, the guest's speed
# with a debugger attached, with breakpoints and with the core trace
# armed, how fast trace frames are read, and QEMU's memory after
# 1,000,000 requests.
#
# The client side is build/mcd-bench/mcd-bench, one small C program for
# all three protocols, so that the client costs the same for each and the
# figures compare the servers.  QEMU and the client share one CPU: on a
# virtual machine a wake-up across CPUs costs more than any protocol,
# and varies from run to run.  Figures are medians, the GDB stub's and
# MCD's taken in turns so that drift hits both alike; ratios come from
# one run, as the machine's speed drifts between runs.
#
# Prints a table and writes BUILD_DIR/bench/bench.svg (gnuplot).
#
# usage: bench.py BUILD_DIR
#   BENCH_RSS_REQUESTS=N   requests of the memory measure (1000000)

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

B = os.path.abspath(sys.argv[1])
QB = os.path.join(B, 'qemu-build')
TOOL = os.path.join(B, 'mcd-bench', 'mcd-bench')
LIBTOOL = os.path.join(B, 'mcd-bench', 'mcd-bench-lib')
DEMO = os.path.join(B, 'mcd-demo', 'demo.elf')
OUT = os.path.join(B, 'bench')
RSS_REQUESTS = int(os.environ.get('BENCH_RSS_REQUESTS', 1000000))
MIB = 1 << 20

ARCHS = {
    'aarch64': {'machine': ['-M', 'virt', '-cpu', 'cortex-a53',
                            '-kernel', DEMO],
                'ram': 0x40000000, 'bps': 0x40000800},
    # No firmware: a two-instruction counting loop (see riscv_loop()).
    'riscv64': {'machine': ['-M', 'virt', '-cpu', 'rv64', '-bios', 'none',
                            '-kernel', os.path.join(OUT, 'loop-riscv64.bin')],
                'ram': 0x80000000, 'bps': 0x80010000},
}


def riscv_loop():
    """
    auipc t0, 1; 1: ld t1, 0(t0); addi t1, t1, 1; sd t1, 0(t0); j 1b
    -- a counter at 0x80001000, off the code's page, to step through and
    to time.
    """
    with open(os.path.join(OUT, 'loop-riscv64.bin'), 'wb') as f:
        f.write(bytes.fromhex('9712000003b302001303130023b062006ff05fff'))


def counter_addr(arch):
    if arch == 'riscv64':
        return ARCHS[arch]['ram'] + 0x1000
    with open(os.path.join(B, 'mcd-demo', 'demo.syms')) as f:
        for line in f:
            addr, name = line.split()
            if name == 'counter':
                return int(addr, 16)
    raise RuntimeError('no counter in demo.syms')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Qemu:
    """One halted QEMU with the GDB stub, QMP and MCD on @transport."""

    def __init__(self, arch, transport='unix', mcd=True, extra=(),
                 cpus='0'):
        self.dir = tempfile.mkdtemp(prefix='mcd-bench-')
        self.addr = {}
        args = ['taskset', '-c', cpus,
                os.path.join(QB, 'qemu-system-' + arch)]
        args += ARCHS[arch]['machine'] + list(extra)
        args += ['-m', '128M', '-display', 'none', '-S', '-monitor', 'none',
                 '-serial', 'none']
        for proto in ('mcd', 'gdb', 'qmp') if mcd else ('gdb', 'qmp'):
            if transport == 'unix':
                self.addr[proto] = os.path.join(self.dir, proto)
                dev = 'unix:' + self.addr[proto]
            else:
                self.addr[proto] = '127.0.0.1:%d' % free_port()
                dev = 'tcp:' + self.addr[proto]
            args += ['-' + proto, dev + ',server=on,wait=off']
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.wait_ready(transport)

    def wait_ready(self, transport):
        for _ in range(200):
            try:
                for a in self.addr.values():
                    if transport == 'unix':
                        if not os.path.exists(a):
                            raise OSError
                    else:
                        host, port = a.split(':')
                        socket.create_connection((host, int(port)),
                                                 0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('QEMU did not start')

    def rss_kib(self):
        # The QEMU child of taskset, which exec'd it: the same process.
        with open('/proc/%d/status' % self.proc.pid) as f:
            return int(re.search(r'VmRSS:\s+(\d+)', f.read()).group(1))

    def cpu_seconds(self):
        with open('/proc/%d/stat' % self.proc.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def close(self):
        self.proc.kill()
        self.proc.wait()


def tool(*args):
    out = subprocess.run(['taskset', '-c', '0', TOOL] + [str(a) for a in args],
                         check=True, capture_output=True, text=True,
                         timeout=300).stdout
    return float(out.split()[-1])


class Qmp:
    def __init__(self, addr):
        if ':' in addr and '/' not in addr:
            host, port = addr.split(':')
            self.s = socket.create_connection((host, int(port)))
        else:
            self.s = socket.socket(socket.AF_UNIX)
            self.s.connect(addr)
        self.f = self.s.makefile('rb')
        self.f.readline()
        self.call('qmp_capabilities')

    def call(self, cmd, **args):
        req = {'execute': cmd}
        if args:
            req['arguments'] = args
        self.s.sendall(json.dumps(req).encode() + b'\n')
        while True:
            ans = json.loads(self.f.readline())
            if 'return' in ans or 'error' in ans:
                return ans

    def read64(self, addr):
        ans = self.call('human-monitor-command',
                        **{'command-line': 'xp /1gx 0x%x' % addr})
        return int(ans['return'].split()[-1], 16)


def median_of(fn, runs=3):
    return statistics.median(fn() for _ in range(runs))


def in_turns(fns, runs=5):
    """
    The median of each of @fns, run in turns rather than one after the
    other, so that the machine's drift hits them alike: their ratios are
    what the table reports.
    """
    vals = [[] for _ in fns]
    for _ in range(runs):
        for v, fn in zip(vals, fns):
            v.append(fn())
    return [statistics.median(v) for v in vals]


def round_trips(arch, transport, res):
    q = Qemu(arch, transport)
    try:
        protos = ('gdb', 'qmp', 'mcd')
        for proto, v in zip(protos, in_turns(
                [lambda p=p: tool(p, q.addr[p], 'rt', 2000) for p in protos])):
            res['rt %s %s' % (transport, proto)] = v
        if transport != 'unix':
            return
        # A second debugger, connected with its server open but idle,
        # must cost the first one nothing.  Alternate the two cases, so
        # that the machine's drift hits both alike.
        alone, beside = [], []
        for _ in range(3):
            alone.append(tool('mcd', q.addr['mcd'], 'rt', 2000))
            idle = subprocess.Popen([TOOL, 'mcd', q.addr['mcd'], 'idle', '60'],
                                    stdout=subprocess.PIPE, text=True)
            assert idle.stdout.readline().strip() == 'ready'
            beside.append(tool('mcd', q.addr['mcd'], 'rt', 2000))
            idle.kill()
            idle.wait()
        res['rt alone'] = statistics.median(alone)
        res['rt beside'] = statistics.median(beside)
    finally:
        q.close()


def transfers(arch, res):
    ram = ARCHS[arch]['ram']
    q = Qemu(arch)
    try:
        for op in ('read', 'write'):
            # Writes go well above the guest's code and data.
            base = ram + (0 if op == 'read' else 0x2000000)
            (res['%s gdb' % op], res['%s mcd' % op],
             res['%s mcd-hex' % op]) = in_turns([
                 lambda: tool('gdb', q.addr['gdb'], op, base, 4 * MIB),
                 lambda: tool('mcd', q.addr['mcd'], op, base, 2 * MIB),
                 lambda: tool('mcd', q.addr['mcd'], op, base, 8 * MIB,
                              'hex')])
        # Bulk: 64 MiB in one call each way, above the guest's code; the
        # median of three runs, as for the others, so that touching the
        # guest's RAM for the first time is not all that is measured.
        runs = [subprocess.run(['taskset', '-c', '0', LIBTOOL,
                                'unix:' + q.addr['mcd'], hex(ram + 0x4000000),
                                str(64 * MIB)], check=True,
                               capture_output=True, text=True,
                               timeout=300).stdout.split() for _ in range(3)]
        res['read lib'] = statistics.median(float(r[0]) for r in runs)
        res['write lib'] = statistics.median(float(r[1]) for r in runs)
        res['step gdb'], res['step mcd'] = in_turns([
            lambda: tool('gdb', q.addr['gdb'], 'step', 1),
            lambda: tool('mcd', q.addr['mcd'], 'step', 1)], runs=3)
        res['nstep mcd'] = median_of(
            lambda: tool('mcd', q.addr['mcd'], 'nstep', 1000000))
    finally:
        q.close()


def guest_speed(arch, res, rounds=7, window=1.0):
    """
    The guest's counter increments per second with no debugger, with one
    attached and idle, with 64 breakpoints armed (two cores: MCD allows
    32 triggers a core, MCD_MAX_TRIGS), with the core trace of both cores
    armed and with it armed and switched off again.  All in one QEMU, in
    short windows taken in turn, because this virtual machine's speed
    drifts by a third over seconds; the ratios are medians of the
    rounds'.  One thread runs both vCPUs, so that they share the CPU alike
    every time.
    """
    counter = counter_addr(arch)
    q = Qemu(arch, extra=['-smp', '2', '-accel', 'tcg,thread=single'])
    try:
        qmp = Qmp(q.addr['qmp'])
        qmp.call('cont')
        time.sleep(0.3)

        def rate(mode):
            hold = None
            if mode == 'idle':
                args = [TOOL, 'mcd', q.addr['mcd'], 'hold', 60]
            elif mode == 'bps':
                # A page the loop does not run in: its exception vectors.
                args = [TOOL, 'mcd', q.addr['mcd'], 'hold', 60, 32,
                        ARCHS[arch]['bps'], 2]
            elif mode in ('trace on', 'trace off'):
                args = [TOOL, 'mcd', q.addr['mcd'], 'trace', 60,
                        mode.split()[1], 2]
            if mode != 'none':
                hold = subprocess.Popen([str(a) for a in args],
                                        stdout=subprocess.PIPE, text=True)
                assert hold.stdout.readline().strip() == 'ready'
            time.sleep(0.1)
            c0, t0 = qmp.read64(counter), time.perf_counter()
            time.sleep(window)
            c1, t1 = qmp.read64(counter), time.perf_counter()
            if hold:
                hold.kill()
                hold.wait()
            return (c1 - c0) / (t1 - t0)

        modes = ('idle', 'bps', 'trace on', 'trace off')
        ratios = {m: [] for m in modes}
        for _ in range(rounds):
            base = rate('none')
            for m in modes:
                ratios[m].append(rate(m) / base)
        for m in modes:
            res['guest ' + m] = statistics.median(ratios[m])
    finally:
        q.close()


def trace_read(arch, res, frames=1000000):
    """Frames per second read from a full trace, packed and as JSON."""
    q = Qemu(arch)
    try:
        res['trace read packed'] = tool('mcd', q.addr['mcd'], 'traceread',
                                        frames, 'packed')
        res['trace read json'] = tool('mcd', q.addr['mcd'], 'traceread',
                                      frames // 10)
    finally:
        q.close()


def memory(arch, res):
    q = Qemu(arch)
    try:
        first = 1000
        tool('mcd', q.addr['mcd'], 'rt', first)
        res['rss first'] = q.rss_kib() / 1024
        reads = RSS_REQUESTS // 100
        tool('mcd', q.addr['mcd'], 'read', ARCHS[arch]['ram'],
             reads * 12 * 1024)
        tool('mcd', q.addr['mcd'], 'rt', RSS_REQUESTS - first - reads)
        res['rss last'] = q.rss_kib() / 1024
    finally:
        q.close()


# name, unit, GDB stub key, QMP key, MCD key, better, target
ROWS = [
    ('round trip, UNIX socket', 'us', 'rt unix gdb', 'rt unix qmp',
     'rt unix mcd', 'lower', 1.0),
    ('round trip, TCP', 'us', 'rt tcp gdb', 'rt tcp qmp', 'rt tcp mcd',
     'lower', 1.0),
    ('read, JSON byte arrays', 'MiB/s', 'read gdb', None, 'read mcd',
     'higher', 1.0),
    ('write, JSON byte arrays', 'MiB/s', 'write gdb', None, 'write mcd',
     'higher', 1.0),
    ('read, data-hex', 'MiB/s', 'read gdb', None, 'read mcd-hex',
     'higher', None),
    ('write, data-hex', 'MiB/s', 'write gdb', None, 'write mcd-hex',
     'higher', None),
    ('read 64 MiB, libmcd_client', 'MiB/s', 'read gdb', None, 'read lib',
     'higher', 5.0),
    ('write 64 MiB, libmcd_client', 'MiB/s', 'write gdb', None, 'write lib',
     'higher', 5.0),
    ('single steps', '/s', 'step gdb', None, 'step mcd', 'higher', 2.0),
]


def met(value, better, target):
    if target is None:
        return ''
    ok = value <= target if better == 'lower' else value >= target
    return 'yes' if ok else 'NO'


def fmt(v):
    return '%.3g' % v if v < 100 else '%.0f' % v


def main():
    os.sched_setaffinity(0, {0})
    os.makedirs(OUT, exist_ok=True)
    riscv_loop()
    results = {}
    for arch in ARCHS:
        res = results[arch] = {}
        for transport in ('unix', 'tcp'):
            round_trips(arch, transport, res)
        transfers(arch, res)
        guest_speed(arch, res)
        trace_read(arch, res)
        if arch == 'aarch64':
            memory(arch, res)

    print('| measure | arch | GDB stub | QMP | MCD | MCD / GDB stub | target '
          '| met |')
    print('|---|---|---|---|---|---|---|---|')
    chart = []
    for name, unit, gdb, qmp, mcd, better, target in ROWS:
        for arch, res in results.items():
            r = res[mcd] / res[gdb]
            tgt = '' if target is None else \
                ('<= %.2g' if better == 'lower' else '>= %.2g') % target
            print('| %s (%s) | %s | %s | %s | %s | %.2f | %s | %s |' % (
                name, unit, arch, fmt(res[gdb]),
                fmt(res[qmp]) if qmp else '', fmt(res[mcd]), r, tgt,
                met(r, better, target)))
            # The chart shows speed: above 1 is faster than the GDB stub.
            chart.append((name, arch, 1 / r if better == 'lower' else r,
                          target))
    a = results['aarch64']
    extra = []
    for arch, r in results.items():
        extra += [
            ('n-step of 1M instructions (insn/s)', arch, r['nstep mcd'],
             '>= 1e7', r['nstep mcd'] >= 1e7),
            ('guest speed, client attached and idle (x none attached)',
             arch, r['guest idle'], '>= 0.99', r['guest idle'] >= 0.99),
            ('guest speed, 64 breakpoints armed (x none attached)', arch,
             r['guest bps'], '>= 0.95', r['guest bps'] >= 0.95),
            ('guest speed, trace armed on both cores (x none attached)',
             arch, r['guest trace on'], '>= 0.33',
             r['guest trace on'] >= 1 / 3),
            ('guest speed, trace armed and off again (x none attached)',
             arch, r['guest trace off'], '>= 0.99',
             r['guest trace off'] >= 0.99),
            ('trace frames read per second, packed', arch,
             r['trace read packed'], '', None),
            ('trace frames read per second, JSON objects', arch,
             r['trace read json'], '', None),
        ]
    extra += [
        ('round trip with a 2nd MCD session idle (x without)', 'aarch64',
         a['rt beside'] / a['rt alone'], '<= 1.05',
         a['rt beside'] / a['rt alone'] <= 1.05),
        ('QEMU RSS after 1,000 requests (MiB)', 'aarch64', a['rss first'],
         '', None),
        ('QEMU RSS after %d requests (MiB)' % RSS_REQUESTS, 'aarch64',
         a['rss last'], '<= +4 MiB', a['rss last'] - a['rss first'] <= 4),
    ]
    for name, arch, v, tgt, ok in extra:
        print('| %s | %s | | | %s | | %s | %s |' % (
            name, arch, '%.4g' % v, tgt,
            '' if ok is None else 'yes' if ok else 'NO'))
    draw(chart)


def draw(chart):
    data = os.path.join(OUT, 'bench.dat')
    svg = os.path.join(OUT, 'bench.svg')
    with open(data, 'w') as f:
        for i in range(0, len(chart), 2):
            name = chart[i][0]
            f.write('"%s" %.4f %.4f %s\n' % (
                name, chart[i][2], chart[i + 1][2],
                chart[i][3] if chart[i][3] else 'NaN'))
    script = '''
set terminal svg size 900,480 font "sans,11" background "white" noenhanced
set output "%s"
set title "MCD server against the GDB stub of the same QEMU (make bench)"
set ylabel "MCD speed / GDB stub speed (log scale)"
set logscale y
set yrange [0.05:40]
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 scale 0 font "sans,9"
set grid ytics
set key top center horizontal
plot "%s" using 2:xtic(1) title "aarch64" lc rgb "#3b6ea8", \\
     "" using 3 title "riscv64" lc rgb "#d08c2f", \\
     "" using 4 with points pt 7 ps 1 lc rgb "#b22222" title "target", \\
     1 with lines lc rgb "black" dt 2 notitle
''' % (svg, data)
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
        print('\nchart: %s' % svg)
    except FileNotFoundError:
        print('\n(no gnuplot: chart not drawn)')


if __name__ == '__main__':
    main()
