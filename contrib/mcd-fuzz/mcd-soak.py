#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Disconnect soak test for QEMU's MCD debug server.
#
# One QEMU runs Debian's U-Boot.  Over and over, a client connects, checks
# that it finds a clean server (the server opens, every core opens, no
# triggers are left, no core stays parked while the machine runs), does a
# random part of a debugging session, and vanishes at a random point: FIN
# or RST, between requests, in the middle of a line, with answers unread,
# during a step.  Now and then, and at the end, the guest must still run:
# its virtual clock advances, its PC moves and U-Boot answers on the
# console.

import argparse
import collections
import os
import random
import re
import shutil
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mcdwire as w                                     # noqa: E402

U32 = 2 ** 32 - 1


class Console:
    """The guest's serial line, on a UNIX socket; read without blocking."""

    def __init__(self, path, logpath):
        self.path = path
        self.sock = None
        self.data = b''
        self.log = open(logpath, 'ab')
        self.n = 0

    def connect(self, timeout=10):
        deadline = w.now() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                s.setblocking(False)
                self.sock = s
                return
            except OSError:
                s.close()
                if w.now() > deadline:
                    raise
                time.sleep(0.05)

    def poll(self):
        """Read what the guest printed; an unread console would stall it."""
        if not self.sock:
            return
        while True:
            try:
                d = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                d = b''
            if not d:
                self.sock.close()
                self.sock = None
                return
            self.log.write(d)
            self.log.flush()
            self.data = (self.data + d)[-65536:]

    def send(self, text):
        try:
            self.sock.sendall(text)
        except (OSError, AttributeError):
            pass

    def wait_for(self, pattern, timeout, poke=None):
        deadline = w.now() + timeout
        rx = re.compile(pattern)
        while w.now() < deadline:
            self.poll()
            if rx.search(self.data):
                return True
            if poke:
                self.send(poke)
            time.sleep(0.2)
        return False

    def echo(self, timeout=5):
        """Does U-Boot run commands?  Ask it to echo a fresh word."""
        self.n += 1
        word = b'mcdsoak%d' % self.n
        self.data = b''
        self.send(b'echo ' + word + b'\r')
        return self.wait_for(rb'[\r\n]' + word + rb'\r?\n', timeout)

    def close(self):
        if self.sock:
            self.sock.close()
        self.log.close()


class Soak:
    def __init__(self, o, arch, workdir):
        self.o = o
        self.arch = arch
        self.workdir = workdir
        self.rng = random.Random(o.seed)
        self.c = collections.Counter()
        self.failures = []
        self.fail_seen = collections.Counter()
        self.notes = collections.Counter()
        self.log = w.ReplayLog()
        self.qemu = None
        self.console = None
        self.instances = 0
        self.reg_cache = {}
        self.last_time = 0
        self.prev = 'start'
        self.prev_step = False
        self.rss_before = None
        self.rss_after = None
        self.guest_ok = None
        self.t_end = w.now() + o.time_limit if o.time_limit else None

    # QEMU and its guest

    def start(self):
        self.instances += 1
        tag = 'soak-q%d' % self.instances
        con = os.path.join(self.workdir, tag + '.console.sock')
        if os.path.exists(con):
            os.unlink(con)
        extra = ['-smp', str(self.o.smp),
                 '-chardev', 'socket,id=con,path=%s,server=on,wait=off' % con,
                 '-serial', 'chardev:con'] + self.arch.guest
        binary = os.path.join(self.o.qemu_dir,
                              'qemu-system-' + self.arch.name)
        self.qemu = w.Qemu(binary, self.arch, extra, self.workdir, tag,
                           tcp=not self.o.unix, wrapper=w.wrapper_of(self.o),
                           env=self.o.env_extra,
                           sanitizer_env=not self.o.no_sanitizer_env)
        self.qemu.start()
        self.console = Console(con, os.path.join(self.workdir,
                                                 tag + '.console'))
        self.console.connect()
        self.reg_cache = {}
        self.last_time = 0
        self.prev = 'start'
        self.prev_step = False
        # A key stops autoboot; the prompt says U-Boot is up.
        if not self.console.wait_for(rb'=> ', 90, poke=b'\r'):
            self.fail('guest', 'no U-Boot prompt on the console',
                      self.console.data[-500:].decode('latin-1'))

    def stop(self):
        if self.console:
            self.console.close()
            self.console = None
        if self.qemu:
            q, self.qemu = self.qemu, None
            q.stop(grace=30 if not self.o.no_sanitizer_env else 10)
            self.scan(q)

    def scan(self, q=None):
        q = q or self.qemu
        for line in q.watch.scan():
            self.c['sanitizer'] += 1
            # Addresses and pids differ between reports of one bug.
            key = re.sub(r'0x[0-9a-f]+', '0x...',
                         re.sub(r'==\d+==', '', line)).strip()
            self.fail('sanitizer', key, q.watch.tail(80))

    def fail(self, kind, summary, details='', files=()):
        self.c['failures'] += 1
        self.fail_seen[(kind, summary)] += 1
        if self.fail_seen[(kind, summary)] <= 3:
            files = list(files) or self.save(kind)
            self.failures.append((kind, summary, details, files))
        if self.o.verbose:
            print('[soak] %s: %s' % (kind, summary), file=sys.stderr)

    def save(self, kind):
        if not self.o.log:
            return []
        path = os.path.join(self.workdir, 'soak-%03d-%s.replay' %
                            (self.c['failures'], kind))
        self.log.dump(path, {'arch': self.arch.name, 'seed': self.o.seed,
                             'kind': kind, 'cmdline': self.qemu.cmdline
                             if self.qemu else None})
        return [path]

    def violation(self, msg, line):
        self.fail('violation', re.sub(r'\d+', 'N', msg.split(':')[0]),
                  msg + '\nline: ' + w.preview(line, 500))

    def client(self):
        self.log.new_conn('unix' if self.o.unix else 'tcp')
        conn = w.Conn(self.qemu.connect(), self.log, self.qemu.alive)
        return w.Client(conn, self.o.timeout_answer, self.violation, self.c)

    def out_of_time(self):
        return self.t_end is not None and w.now() > self.t_end

    # the soak

    def run(self):
        self.start()
        try:
            cl = self.client()
            s = self.verify(cl)
            self.rss_before = self.qemu.rss_kb()
            self.health(cl, s)
            cl.conn.close('fin')
            i = 0
            while i < self.o.drops and not self.out_of_time():
                i += 1
                try:
                    self.cycle()
                except w.ServerGone as e:
                    self.gone(e)
                except w.Hang as e:
                    self.hang(e)
                self.console.poll()
                if i % self.o.check_every == 0:
                    self.checkpoint()
            self.c['cycles'] = i
            self.final()
        finally:
            self.stop()
        return self

    def checkpoint(self):
        try:
            cl = self.client()
            s = self.verify(cl)
            self.health(cl, s)
            cl.conn.close('fin')
        except w.ServerGone as e:
            self.gone(e)
        except w.Hang as e:
            self.hang(e)
        self.scan()

    def final(self):
        ok = False
        try:
            cl = self.client()
            s = self.verify(cl)
            ok = self.health(cl, s, final=True)
            self.rss_after = self.qemu.rss_kb()
            cl.conn.close('fin')
        except w.ServerGone as e:
            self.gone(e)
        except w.Hang as e:
            self.hang(e)
        self.guest_ok = ok

    def verify(self, cl):
        """The next client must find a clean server."""
        s, problems = w.open_session(cl, self.reg_cache)
        if s.cores:
            states = {i: w.core_state(cl, u) for i, u in s.cores.items()}
            debug = [i for i, st in states.items() if st == w.STATE_DEBUG]
            # A core the debugger parked while the machine runs is let go;
            # only a client that left during a step leaves cores stopped.
            if debug and len(debug) < len(states) and not self.prev_step:
                problems.append('core(s) %s left stopped while the machine '
                                'runs' % debug)
            r = cl.ret('mcd-qry-current-time', {'core-uid': s.cores[0]})
            t = r.get('current-time') if r and not r['return-status'] \
                else None
            if t is not None:
                if t < self.last_time:
                    problems.append('virtual clock went back: %d < %d' %
                                    (t, self.last_time))
                self.last_time = t
        if problems:
            self.c['unclean'] += 1
            self.fail('unclean', problems[0] + ' (previous client: %s)' %
                      self.prev, '\n'.join(problems))
            # Tidy up as a debugger would, so that the soak goes on.
            cl.submit_line(w.encode({'execute': 'mcd-exit'}),
                           cmd='mcd-exit', lo=0, hi=1, hang=False)
            cl.sync()
            s, problems = w.open_session(cl, self.reg_cache)
            if problems:
                raise w.Hang('server stays unusable: ' + problems[0])
        self.resume(cl, s)
        return s

    def resume(self, cl, s):
        """Let the guest run, as a debugger that found it stopped would."""
        if not s.cores:
            return
        uid = s.cores[0]
        if any(w.core_state(cl, u) == w.STATE_DEBUG
               for u in s.cores.values()):
            self.notes['machine found stopped'] += 1
            r = cl.ret('mcd-run', {'core-uid': uid, 'global': True})
            if not r or r['return-status']:
                self.fail('run', 'global run refused: ' +
                          w.error_str(cl, uid))
        # Nothing of the last client may stop the guest again: no trigger,
        # no step, no timer.
        r = cl.ret('mcd-qry-state', {'core-uid': uid})
        st = (r or {}).get('state') or {}
        if st.get('state') == w.STATE_DEBUG:
            stop = re.sub(r'0x[0-9a-f]+', '0x...', st.get('stop-str', ''))
            self.fail('stale', 'core 0 stopped again right after a run: %s'
                      ' (previous client: %s)' % (
                          stop, re.sub(r'\d+', 'N', self.prev)))
            cl.ret('mcd-run', {'core-uid': uid, 'global': True})

    def health(self, cl, s, final=False):
        """Is the guest alive: clock, PC, console?"""
        uid = s.cores.get(0)
        if uid is None:
            self.fail('guest', 'core 0 did not open')
            return False
        problems = []
        r = cl.ret('mcd-qry-current-time', {'core-uid': uid})
        t0 = r.get('current-time', 0) if r else 0
        pcs = set()
        for _ in range(4):
            time.sleep(0.05)
            cl.ret('mcd-stop', {'core-uid': uid, 'global': False})
            v = w.read_reg(cl, s, 0, self.arch.pc)
            if v is not None:
                pcs.add(v)
            cl.ret('mcd-run', {'core-uid': uid, 'global': False})
        time.sleep(0.2)
        r = cl.ret('mcd-qry-current-time', {'core-uid': uid})
        t1 = r.get('current-time', 0) if r else 0
        if t1 <= t0:
            problems.append('virtual clock stands still (%d ps)' % t1)
        st = w.core_state(cl, uid)
        if st != w.STATE_RUNNING:
            problems.append('core 0 is in state %s, not running' % st)
        echo = self.console.echo()
        if not echo:
            problems.append('U-Boot does not answer on the console')
        # U-Boot's prompt polls the UART in a loop of one translation
        # block, where every stop lands on the same PC: a changing PC is
        # only asked for when the console cannot tell.
        if len(pcs) < 2 and not echo:
            problems.append('PC does not change: %s' %
                            ', '.join('0x%x' % p for p in pcs))
        for p in problems:
            self.fail('guest', p)
        return not problems

    def gone(self, e):
        q = self.qemu
        q.wait_exit(5)
        if q.alive():
            self.fail('violation', 'QEMU closed the connection (%s)' % e)
            return
        self.c['crashes'] += 1
        last = self.log.last_sent(3)
        self.fail('crash', 'QEMU %s' % q.exit_desc(),
                  'previous client: %s\nlast sent:\n%s\nstderr:\n%s' %
                  (self.prev, '\n'.join('  ' + w.preview(l, 400)
                                        for l in last), q.watch.tail(60)))
        self.scan()
        self.stop()
        self.start()

    def hang(self, e):
        q = self.qemu
        self.c['hangs'] += 1
        first = self.fail_seen[('hang', str(e))] < 3
        bt = q.backtrace() if first else '(seen before)'
        files = self.save('hang') if first else []
        if files:
            path = os.path.join(self.workdir, 'soak-%03d-hang.backtrace' %
                                self.c['failures'])
            with open(path, 'w') as f:
                f.write(bt)
            files.append(path)
        self.fail('hang', str(e), 'request: %s\nprevious client: %s\n%s' %
                  (w.preview(e.line, 400), self.prev, bt[-4000:]), files)
        q.kill()
        self.scan()
        self.stop()
        self.start()

    # one client's life

    def cycle(self):
        cl = self.client()
        s = self.verify(cl)
        self.c['verified'] += 1
        ops = [self.rng.choice(OPS) for _ in range(self.rng.randint(0, 12))]
        cut = self.rng.randint(0, len(ops))
        for op in ops[:cut]:
            getattr(self, 'op_' + op)(cl, s)
        cl.drain()
        self.drop(cl, s)

    def core(self, s):
        i = self.rng.choice(list(s.cores)) if s.cores else None
        return i, s.cores.get(i)

    def op_query(self, cl, s):
        i, uid = self.core(s)
        cmd, args = self.rng.choice([
            ('mcd-qry-state', {'core-uid': uid}),
            ('mcd-qry-mem-spaces', {'core-uid': uid, 'start-index': 0,
                                    'num-mem-spaces': 16}),
            ('mcd-qry-reg-groups', {'core-uid': uid, 'start-index': 0,
                                    'num-reg-groups': 16}),
            ('mcd-qry-current-time', {'core-uid': uid}),
            ('mcd-qry-trig-info', {'core-uid': uid}),
            ('mcd-qry-error-info', {'core-uid': uid}),
            ('mcd-qry-trig-set', {'core-uid': uid, 'start-index': 0,
                                  'num-trigs': 8}),
            ('mcd-qry-servers', {'host': '', 'running': True,
                                 'start-index': 0, 'num-servers': 1}),
        ])
        cl.submit(cmd, args)

    def op_stop(self, cl, s):
        i, uid = self.core(s)
        cl.ret('mcd-stop', {'core-uid': uid, 'global': self.rng.random() <
                            0.4})

    def op_run(self, cl, s):
        i, uid = self.core(s)
        cl.ret('mcd-run', {'core-uid': uid, 'global': self.rng.random() <
                           0.5})

    def op_step(self, cl, s):
        i, uid = self.core(s)
        cl.ret('mcd-stop', {'core-uid': uid, 'global': False})
        n = self.rng.choice([1, 1, 10, 100, 1000, 50000])
        cl.ret('mcd-step', {'core-uid': uid, 'global': False,
                            'step-type': w.STEP_INSTR, 'n-steps': n},
               allow=self.o.timeout_answer + 5 + 1e-5 * n)

    def op_trig_ip(self, cl, s):
        """A breakpoint where U-Boot runs: it is hit at once."""
        cl.ret('mcd-stop', {'core-uid': s.cores[0], 'global': False})
        pc = w.read_reg(cl, s, 0, self.arch.pc)
        if pc is None:
            return
        self.trig(cl, s, w.TRIG_IP, pc + 4 * self.rng.randint(0, 4), 0)
        cl.ret('mcd-run', {'core-uid': s.cores[0], 'global': False})

    def op_trig_watch(self, cl, s):
        """A watchpoint on U-Boot's stack."""
        cl.ret('mcd-stop', {'core-uid': s.cores[0], 'global': False})
        sp = w.read_reg(cl, s, 0, self.arch.sp)
        if sp is None:
            return
        typ = self.rng.choice([w.TRIG_READ, w.TRIG_WRITE, w.TRIG_RW])
        self.trig(cl, s, typ, (sp - self.rng.choice([0, 8, 16, 64])) & ~7,
                  self.rng.choice([4, 8, 64]))
        cl.ret('mcd-run', {'core-uid': s.cores[0], 'global': False})

    def op_trig_scratch(self, cl, s):
        self.trig(cl, s, self.rng.choice([w.TRIG_IP, w.TRIG_WRITE]),
                  self.arch.scratch + self.rng.randrange(0, 0x1000, 8), 8)

    def trig(self, cl, s, typ, addr, rng):
        space = s.space(0, w.MEM_LOGICAL, not_bits=0x10000)
        if space is None:
            return None
        r = cl.ret('mcd-create-trig', {'core-uid': s.cores[0], 'trig': {
            'trig-simple-core': {
                'type': typ, 'option': 0, 'action': 0, 'action-param': 0,
                'modified': False, 'state-mask': 0,
                'addr-start': {'address': addr, 'mem-space-id': space,
                               'addr-space-id': 0, 'addr-space-type': 0},
                'addr-range': rng}}})
        return r.get('trig-id') if r else None

    def op_mem(self, cl, s):
        i, uid = self.core(s)
        phys = s.space(i, w.MEM_PHYSICAL, not_bits=0x10000)
        if phys is None:
            return
        addr = self.arch.scratch + self.rng.randrange(0, 0x10000, 8)
        n = self.rng.choice([4, 64, 1024, 4096])
        txs = [w.tx(phys, addr, w.TX_W, n, bytes([self.rng.getrandbits(8)])
                    * n), w.tx(phys, addr, w.TX_R, n)]
        cl.submit('mcd-execute-txlist', w.txlist_args(uid, txs))

    def op_regs(self, cl, s):
        i, uid = self.core(s)
        regs = s.regs.get(i) or []
        if not regs:
            return
        txs = []
        for reg in self.rng.sample(regs, min(len(regs), 8)):
            a = reg['addr']
            txs.append(w.tx(a['mem-space-id'], a['address'], w.TX_R,
                            (reg['regsize'] + 7) // 8))
        cl.submit('mcd-execute-txlist', w.txlist_args(uid, txs))

    def op_run_until(self, cl, s):
        i, uid = self.core(s)
        cl.ret('mcd-run-until', {'core-uid': uid, 'global':
                                 self.rng.random() < 0.5,
                                 'absolute-time': False,
                                 'run-until-time':
                                 self.rng.choice([1000000, 100000000,
                                                  10000000000])})

    def op_set_global(self, cl, s):
        i, uid = self.core(s)
        cl.ret('mcd-set-global', {'core-uid': uid, 'enable':
                                  self.rng.random() < 0.6})

    def op_reopen(self, cl, s):
        i, uid = self.core(s)
        r = cl.ret('mcd-close-core', {'core-uid': uid})
        if r and r['return-status'] == 0:
            r = cl.ret('mcd-open-core', {'core-con-info': s.core_infos[i]})
            if r and r['return-status'] == 0:
                s.cores[i] = r['core-uid']

    def op_command(self, cl, s):
        i, uid = self.core(s)
        cl.ret('mcd-execute-command', {'core-uid': uid, 'command-string':
                                       self.rng.choice(['info status',
                                                        'info cpus',
                                                        'info registers']),
                                       'result-string-size': 65535})

    # vanishing

    def drop(self, cl, s):
        i, uid = self.core(s)
        kind = self.rng.choice(DROPS)
        how = self.rng.choice(['fin', 'rst'])
        self.prev_step = False
        conn = cl.conn
        detail = kind
        if uid is None:
            kind = 'plain'
        if kind == 'midline':
            line = w.encode({'execute': 'mcd-create-trig', 'arguments': {
                'core-uid': uid, 'trig': {}}})
            cut = self.rng.randint(1, len(line) - 2)
            conn.send(line[:cut], w.now() + 5)
        elif kind == 'unread':
            n = self.rng.choice([1, 5, 50, 500])
            line = w.encode({'execute': 'mcd-qry-reg-map',
                             'arguments': {'core-uid': uid,
                                           'reg-group-id': 0,
                                           'start-index': 0,
                                           'num-regs': 128}})
            detail = 'unread (%d of %d requests sent)' % (
                conn.send_unread([line] * n), n)
        elif kind in ('step', 'step-stop'):
            cl.ret('mcd-stop', {'core-uid': uid, 'global': False})
            n = self.rng.choice([1, 100, 10000, 1000000, 20000000, U32])
            glob = self.rng.random() < 0.3
            conn.send(w.encode({'execute': 'mcd-step', 'arguments': {
                'core-uid': uid, 'global': glob, 'step-type': w.STEP_INSTR,
                'n-steps': n}}), w.now() + 5)
            if kind == 'step-stop':
                conn.send(w.encode({'execute': 'mcd-stop', 'arguments': {
                    'core-uid': uid, 'global': True}}), w.now() + 5)
            time.sleep(self.rng.choice([0, 0, 0.001, 0.01, 0.05]))
            self.prev_step = True
            detail = '%s of %d (global %s)' % (kind, n, glob)
        elif kind == 'run':
            conn.send(w.encode({'execute': 'mcd-run', 'arguments': {
                'core-uid': uid, 'global': True}}), w.now() + 5)
        elif kind == 'exit':
            conn.send(w.encode({'execute': 'mcd-exit'}), w.now() + 5)
        conn.close(how)
        self.c['drops'] += 1
        self.prev = '%s, %s' % (detail, how)


OPS = ['query', 'query', 'stop', 'run', 'run', 'step', 'trig_ip',
       'trig_watch', 'trig_scratch', 'mem', 'regs', 'run_until',
       'set_global', 'reopen', 'command']
DROPS = ['plain', 'plain', 'midline', 'unread', 'step', 'step', 'step-stop',
         'run', 'exit']


def main():
    p = argparse.ArgumentParser(description='MCD disconnect soak test')
    w.add_common_options(p)
    p.add_argument('--drops', type=int, default=10000,
                   help='clients that vanish (default 10000)')
    p.add_argument('--seed', type=int, default=None)
    p.add_argument('--arch', default='aarch64',
                   choices=[a for a in w.ARCHES if w.ARCHES[a].guest])
    p.add_argument('--smp', type=int, default=2)
    p.add_argument('--check-every', type=int, default=250,
                   help='check the guest after this many drops')
    o = p.parse_args()
    w.on_sigterm()
    o.qemu_dir = o.qemu_dir or w.default_qemu_dir(HERE)
    o.env_extra = w.parse_env(o.env)
    if o.seed is None:
        o.seed = random.randrange(10 ** 6)
    arch = w.ARCHES[o.arch]
    for f in arch.guest[1::2]:
        if not os.path.exists(f):
            raise SystemExit('guest firmware %s is missing' % f)
    workdir, temp = w.make_workdir(o.log)
    tap = w.Tap(o.tap, 2)
    tap.comment('mcd-soak: %s, seed %d, %d drops' % (o.arch, o.seed,
                                                      o.drops))
    t0 = w.now()
    soak = Soak(o, arch, workdir)
    try:
        soak.run()
    except KeyboardInterrupt:
        tap.comment('interrupted')
    except RuntimeError as e:
        soak.fail('crash', 'QEMU did not start', str(e))
    c = soak.c
    elapsed = w.now() - t0
    rss = lambda v: '%d kB' % v if v else 'n/a'         # noqa: E731
    lines = [
        'drops: %d in %.0f s (%.1f/s), %d clients verified' %
        (c['drops'], elapsed, c['drops'] / max(elapsed, 1e-9),
         c['verified']),
        'failures: %d (crashes %d, hangs %d, unclean %d, sanitizer %d)' %
        (c['failures'], c['crashes'], c['hangs'], c['unclean'],
         c['sanitizer']),
        'guest running: %s' % ('yes' if soak.guest_ok else 'no'),
        'QEMU RSS before: %s, after: %s' % (rss(soak.rss_before),
                                            rss(soak.rss_after)),
        'QEMU instances: %d, requests %d, answers %d' %
        (soak.instances, c['sent'], c['answered']),
    ]
    diag = []
    for kind, summary, details, files in soak.failures:
        diag.append('%s: %s' % (kind, summary))
        for f in files:
            diag.append('  log: %s' % f)
        if o.verbose and details:
            diag.extend('  ' + l for l in details.splitlines()[:30])
    for k, v in soak.notes.items():
        diag.append('note: %s (%d times)' % (k, v))
    if o.tap:
        tap.result(c['failures'] == 0, lines[0], [lines[1]] + diag)
        tap.result(bool(soak.guest_ok), lines[2], lines[3:])
    else:
        for l in lines + diag:
            print(l)
    if temp:
        shutil.rmtree(workdir, ignore_errors=True)
    elif soak.failures:
        tap.comment('logs in %s' % workdir)
    return 0 if c['failures'] == 0 and soak.guest_ok else 1


if __name__ == '__main__':
    sys.exit(main())
