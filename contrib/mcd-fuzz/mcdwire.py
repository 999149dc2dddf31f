# SPDX-License-Identifier: GPL-2.0-or-later
#
# Pieces shared by mcd-fuzz.py and mcd-soak.py: starting and watching a
# QEMU with an MCD server, the MCD wire protocol (one JSON object per
# line each way), answer checking, failure logs and TAP output.

import collections
import faulthandler
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

# MCD constants used by both tools (mcd/mcd_api.h).
RET_OK = 0
ERR_CONNECTION = 0x200
ERR_DEVICE_LOCKED = 0x1901
# How long a new client may find the cores of the one before still locked:
# QEMU first finishes what it had read of that client's requests.
LOCKED_WAIT = 30.0
STATE_RUNNING = 1
STATE_HALTED = 2
STATE_DEBUG = 3
TRIG_IP, TRIG_READ, TRIG_WRITE, TRIG_RW = 1, 2, 4, 8
TX_R, TX_W, TX_RW, TX_WR = 1, 2, 3, 4
MEM_REGISTERS, MEM_PHYSICAL, MEM_LOGICAL = 0x1, 0x10, 0x20
STEP_INSTR = 2

ANSWER_MAX = 65535          # receive buffer of the reference client stub
RAM_SIZE = 128 << 20


class Arch:
    def __init__(self, name, machine, ram, scratch, pc, sp, guest,
                 firmware=()):
        self.name = name
        # Debian's firmware, named explicitly: a build tree may not have
        # its qemu-bundle links yet.
        self.firmware = []
        for opt, path in firmware:
            if os.path.exists(path):
                self.firmware += [opt, path]
        self.machine = machine      # -M/-cpu options
        self.ram = ram              # start of RAM
        self.scratch = scratch      # RAM no firmware of ours uses
        self.pc = pc                # register names in the reg map
        self.sp = sp
        self.guest = guest          # options booting Debian's firmware


ARCHES = {
    'aarch64': Arch('aarch64', ['-M', 'virt', '-cpu', 'cortex-a53'],
                    0x40000000, 0x42000000, 'pc', 'sp',
                    ['-bios', '/usr/lib/u-boot/qemu_arm64/u-boot.bin']),
    'arm': Arch('arm', ['-M', 'virt', '-cpu', 'cortex-a15'],
                0x40000000, 0x42000000, 'pc', 'sp',
                ['-bios', '/usr/lib/u-boot/qemu_arm/u-boot.bin']),
    'riscv64': Arch('riscv64', ['-M', 'virt'],
                    0x80000000, 0x84000000, 'pc', 'sp',
                    ['-kernel',
                     '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'],
                    [('-bios', '/usr/lib/riscv64-linux-gnu/opensbi/generic/'
                      'fw_dynamic.bin')]),
    # SeaBIOS, QEMU's default firmware, is the i386 guest.
    'i386': Arch('i386', ['-M', 'q35', '-cpu', 'IvyBridge'],
                 0x0, 0x2000000, 'eip', 'esp', [],
                 [('-L', '/usr/share/seabios'), ('-L', '/usr/share/qemu'),
                  ('-L', '/usr/lib/ipxe/qemu')]),
}

# Appended to every QEMU command line: nothing that talks to the host.
COMMON_ARGS = ['-accel', 'tcg', '-m', '128M', '-display', 'none',
               '-monitor', 'none', '-nodefaults', '-no-user-config']

SAN_ENV = {
    # For leak stacks past glib add fast_unwind_on_malloc=0 (and a longer
    # --timeout-answer: every allocation gets 40 times slower).
    'ASAN_OPTIONS': 'detect_leaks=1:abort_on_error=0:halt_on_error=0:'
                    'handle_segv=1:print_summary=1',
    'UBSAN_OPTIONS': 'print_stacktrace=1:halt_on_error=0',
    'LSAN_OPTIONS': 'print_suppressions=0',
}


class ServerGone(Exception):
    """The connection ended from QEMU's side, or QEMU exited."""


class Hang(Exception):
    """A request got no answer (or was not read) in its allowance."""

    def __init__(self, msg, line=b''):
        super().__init__(msg)
        self.line = line


def now():
    return time.monotonic()


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
    finally:
        s.close()


def signame(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return 'signal %d' % n


def preview(data, limit=300):
    """A printable excerpt of bytes for reports."""
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogatepass')
    text = data[:limit].decode('latin-1').encode('unicode_escape').decode()
    if len(data) > limit:
        text += '...(%d bytes)' % len(data)
    return text


# --- sanitizer reports ----------------------------------------------------

SAN_ERROR = re.compile(rb'ERROR: (AddressSanitizer|LeakSanitizer)'
                       rb'|runtime error:|WARNING: ThreadSanitizer')
SAN_SUMMARY = re.compile(rb'SUMMARY: \w*Sanitizer')


class StderrWatch:
    """Reads what QEMU wrote to stderr so far; finds sanitizer reports."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.reports = []       # first line of each report

    def scan(self):
        try:
            with open(self.path, 'rb') as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return []
        end = data.rfind(b'\n') + 1
        data = data[:end]
        self.offset += end
        new = []
        lines = data.split(b'\n')
        errors = [l for l in lines if SAN_ERROR.search(l)]
        # A SUMMARY line only counts when its report had no ERROR line.
        if not errors:
            errors = [l for l in lines if SAN_SUMMARY.search(l)]
        for l in errors:
            new.append(l.decode('utf-8', 'replace').strip())
        self.reports.extend(new)
        return new

    def tail(self, nlines=60):
        try:
            with open(self.path, 'rb') as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - 64 * 1024))
                data = f.read()
        except OSError:
            return ''
        return '\n'.join(data.decode('utf-8', 'replace')
                         .splitlines()[-nlines:])


# --- QEMU processes -------------------------------------------------------

class Qemu:
    """One QEMU process with an MCD server, in a process group of its own."""

    def __init__(self, binary, arch, extra, workdir, tag, tcp=True,
                 wrapper=None, env=None, sanitizer_env=True):
        self.binary = binary
        self.arch = arch
        self.extra = list(extra)
        self.workdir = workdir
        self.tag = tag
        self.tcp = tcp
        self.wrapper = shlex.split(wrapper) if wrapper else []
        self.env = dict(os.environ)
        if sanitizer_env:
            for k, v in SAN_ENV.items():
                self.env.setdefault(k, v)
        self.env.update(env or {})
        self.proc = None
        self.first = None       # the socket that proved QEMU listens
        self.stderr_path = os.path.join(workdir, tag + '.stderr')
        self.watch = StderrWatch(self.stderr_path)
        self.dev = None
        self.addr = None
        self.cmdline = None
        self.started = None

    def start(self, timeout=60):
        last = ''
        for _ in range(5):
            if self.tcp:
                port = free_port()
                self.addr = ('127.0.0.1', port)
                self.dev = 'tcp:127.0.0.1:%d' % port
            else:
                self.addr = os.path.join(self.workdir, self.tag + '.sock')
                if os.path.exists(self.addr):
                    os.unlink(self.addr)
                self.dev = 'unix:%s,server=on,wait=off' % self.addr
            cmd = (self.wrapper + [self.binary] + self.arch.machine +
                   self.arch.firmware + COMMON_ARGS + self.extra +
                   ['-mcd', self.dev])
            self.cmdline = cmd
            err = open(self.stderr_path, 'ab')
            err.write(('### %s\n' % ' '.join(shlex.quote(c) for c in cmd))
                      .encode())
            err.flush()
            self.watch.offset = err.tell()
            try:
                self.proc = self._spawn(cmd, err)
            finally:
                err.close()
            self.started = now()
            deadline = now() + timeout
            while now() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    self.first = self._connect_once()
                    return
                except OSError:
                    time.sleep(0.05)
            last = self.watch.tail(10)
            self.stop()
            if 'in use' not in last:
                break
        raise RuntimeError('QEMU did not start: %s\n%s' %
                           (' '.join(self.cmdline), last))

    def _spawn(self, cmd, err):
        # The binary may be relinked under us by a build: wait for it.
        for _ in range(90):
            try:
                return subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                        stdout=err, stderr=err,
                                        env=self.env, start_new_session=True)
            except OSError as e:
                last = e
                time.sleep(2)
        raise RuntimeError('cannot run %s: %s' % (cmd[0], last))

    def _connect_once(self):
        if self.tcp:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect(self.addr)
        except OSError:
            s.close()
            raise
        return s

    def connect(self, timeout=10):
        if self.first:
            s, self.first = self.first, None
            return s
        deadline = now() + timeout
        while True:
            try:
                return self._connect_once()
            except OSError:
                if not self.alive():
                    raise ServerGone('QEMU exited')
                if now() > deadline:
                    raise
                time.sleep(0.02)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def exit_desc(self):
        rc = self.proc.returncode if self.proc else None
        m = re.search(r'received signal (SIG\w+)', self.watch.tail(400))
        if m and rc is not None:
            return 'killed by %s (under gdb)' % m.group(1)
        if rc is None:
            return 'running'
        if rc < 0:
            return 'killed by %s' % signame(-rc)
        if rc > 128 and self.wrapper:
            return 'exited with status %d (%s?)' % (rc, signame(rc - 128))
        return 'exited with status %d' % rc

    def qemu_pid(self):
        """The QEMU process itself, also when it runs under a wrapper."""
        if not self.proc:
            return None
        if not self.wrapper:
            return self.proc.pid
        for d in os.listdir('/proc'):
            if not d.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % d) as f:
                    st = f.read()
            except OSError:
                continue
            comm = st[st.find('(') + 1:st.rfind(')')]
            fields = st[st.rfind(')') + 2:].split()
            if int(fields[2]) == self.proc.pid and \
               comm.startswith('qemu-system'):
                return int(d)
        return self.proc.pid

    def rss_kb(self):
        pid = self.qemu_pid()
        try:
            with open('/proc/%d/status' % pid) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        return int(line.split()[1])
        except (OSError, TypeError):
            pass
        return None

    def backtrace(self, timeout=90):
        """All threads' stacks of a live QEMU, for hang reports."""
        gdb = shutil.which('gdb')
        pid = self.qemu_pid()
        if not gdb or not pid or not self.alive():
            return '(no backtrace: gdb missing or QEMU gone)'
        try:
            out = subprocess.run(
                [gdb, '-nx', '-batch', '-p', str(pid),
                 '-ex', 'set pagination off',
                 '-ex', 'thread apply all bt'],
                stdin=subprocess.DEVNULL, capture_output=True,
                timeout=timeout)
            return out.stdout.decode('utf-8', 'replace')
        except (subprocess.TimeoutExpired, OSError) as e:
            return '(gdb failed: %s)' % e

    def stop(self, grace=10):
        """End QEMU: SIGTERM first, so that LeakSanitizer gets to report."""
        if self.first:
            self.first.close()
            self.first = None
        if not self.proc:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self.wait_exit(grace):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        else:
            # Whatever the wrapper left behind goes too.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()


# --- the wire -------------------------------------------------------------

NOID = object()     # an entry sent without "id"


class Entry:
    """
    What was sent and what may come back for it: @lo to @hi answers.
    @idless_ok: 1 if a JSON parse error without id may stand for the
    answer (the parser could not read the id), 2 if any error may.
    @hang: a missing answer is a hang (else it only may come).
    """
    __slots__ = ('rid', 'lo', 'hi', 'got', 'idless_ok', 'hang', 't',
                 'allow', 'line', 'cmd', 'answer', 'cb', 'req')

    def __init__(self, rid, line, cmd, allow, lo=1, hi=1, idless_ok=False,
                 hang=True, cb=None, req=None):
        self.rid = rid
        self.line = line
        self.cmd = cmd
        self.allow = allow
        self.lo = lo
        self.hi = hi
        self.idless_ok = idless_ok
        self.hang = hang
        self.cb = cb
        self.req = req
        self.got = 0
        self.answer = None
        self.t = 0.0


class ReplayLog:
    """The last events of the last few connections, to reproduce failures."""

    def __init__(self, per_conn=400, conns=3):
        self.conns = collections.deque(maxlen=conns)
        self.per_conn = per_conn
        self.n = 0
        self.t0 = now()

    def new_conn(self, how='tcp'):
        self.n += 1
        self.conns.append(collections.deque(maxlen=self.per_conn))
        self.add('connect', how.encode())

    def add(self, op, data=b''):
        if self.conns:
            self.conns[-1].append((self.n, now() - self.t0, op, data))

    def dump(self, path, header):
        first = self.n - len(self.conns) + 1
        with open(path, 'w') as f:
            f.write(json.dumps(dict(header, op='header')) + '\n')
            for i, events in enumerate(self.conns):
                if events and events[0][2] != 'connect':
                    # Older events fell out: the connection still starts.
                    f.write(json.dumps({'conn': first + i, 'op': 'connect',
                                        't': events[0][1],
                                        'note': 'earlier events dropped'})
                            + '\n')
                for conn, t, op, data in events:
                    rec = {'conn': conn, 't': round(t, 4), 'op': op}
                    if op == 'recv':
                        rec['data'] = preview(data, 400)
                    else:
                        rec['data'] = data.decode('latin-1')
                    f.write(json.dumps(rec) + '\n')

    def last_sent(self, n=5):
        out = []
        if self.conns:
            for ev in reversed(self.conns[-1]):
                if ev[2] == 'send':
                    out.append(ev[3])
                    if len(out) == n:
                        break
        return out[::-1]


class Conn:
    """A client socket: line splitting, select()-based waits."""

    def __init__(self, sock, log=None, alive=None, stats=None):
        self.sock = sock
        sock.setblocking(False)
        self.tcp = sock.family == socket.AF_INET
        self.buf = b''
        self.lines = collections.deque()
        self.eof = False
        self.log = log
        self.alive = alive
        self.stats = stats
        self.closed = False
        self.partial_at_eof = b''

    def fileno(self):
        return self.sock.fileno()

    def _fill(self):
        try:
            data = self.sock.recv(1 << 18)
        except (BlockingIOError, InterruptedError):
            return
        except (ConnectionResetError, OSError):
            data = b''
        if not data:
            self.eof = True
            self.partial_at_eof = self.buf
            return
        if b'\n' in data:
            parts = (self.buf + data).split(b'\n')
            self.buf = parts.pop()
            self.lines.extend(parts)
        else:
            self.buf += data

    def send(self, data, deadline):
        """Send all of @data; keep reading meanwhile, so nobody blocks."""
        if self.log:
            self.log.add('send', data)
        view = memoryview(data)
        while view:
            try:
                n = self.sock.send(view)
                view = view[n:]
                continue
            except (BlockingIOError, InterruptedError):
                pass
            except (BrokenPipeError, ConnectionResetError, OSError) as e:
                raise ServerGone('send failed: %s' % e)
            left = deadline - now()
            if left <= 0:
                raise Hang('QEMU stopped reading: %d of %d bytes unsent'
                           % (len(view), len(data)), bytes(data[:4096]))
            r, wr, _ = select.select([self.sock], [self.sock], [],
                                     min(left, 0.25))
            if r:
                self._fill()
                if self.eof:
                    raise ServerGone('connection closed while sending')
            if not r and not wr and self.alive and not self.alive():
                raise ServerGone('QEMU exited')

    def recv_line(self, deadline):
        """The next answer line; None once @deadline has passed."""
        while not self.lines:
            if self.eof:
                raise ServerGone('connection closed by QEMU')
            left = deadline - now()
            r, _, _ = select.select([self.sock], [], [],
                                    max(0, min(left, 0.25)))
            if r:
                self._fill()
                continue
            if left <= 0:
                return None
            if self.alive and not self.alive():
                raise ServerGone('QEMU exited')
        line = self.lines.popleft()
        if self.log:
            self.log.add('recv', line[:400])
        return line

    def send_unread(self, lines, stall=0.2):
        """
        Send without reading any answer, as a client that stopped reading
        does; give up on a line QEMU does not take within @stall seconds.
        Returns how many lines went out whole.
        """
        sent = 0
        for data in lines:
            if self.log:
                self.log.add('send', data)
            view = memoryview(data)
            deadline = now() + stall
            while view and now() < deadline:
                try:
                    view = view[self.sock.send(view):]
                except (BlockingIOError, InterruptedError):
                    time.sleep(0.005)
                except OSError:
                    return sent
            if view:
                break
            sent += 1
        return sent

    def close(self, how='fin'):
        """End the connection: 'fin' is a plain close, 'rst' a reset."""
        if self.closed:
            return
        self.closed = True
        if self.log:
            self.log.add('drop', how.encode())
        try:
            if how == 'rst' and self.tcp:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack('ii', 1, 0))
            elif how == 'shut':
                self.sock.shutdown(socket.SHUT_WR)
                return
        except OSError:
            pass
        self.sock.close()

    def finish(self):
        if not self.closed:
            self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass


def encode(obj):
    return json.dumps(obj, separators=(',', ':')).encode() + b'\n'


class Client:
    """MCD requests with ids, pipelined; checks every answer line."""

    def __init__(self, conn, timeout, on_violation=None, counters=None):
        self.conn = conn
        self.timeout = timeout
        self.pending = collections.deque()
        self.next_id = 1
        self.last_progress = now()
        self.on_violation = on_violation or (lambda msg, line: None)
        self.counters = counters if counters is not None else \
            collections.Counter()
        self.extras = 0
        self.extra_sample = None
        self.slow = []          # (seconds, command, line) of the slowest

    # sending

    def submit_line(self, line, rid=NOID, cmd='', allow=None, lo=1, hi=1,
                    idless_ok=False, hang=True, cb=None, req=None):
        e = Entry(rid, line, cmd, allow or self.timeout, lo, hi, idless_ok,
                  hang, cb, req)
        e.t = now()
        if not self.pending:
            self.last_progress = e.t
        self.pending.append(e)
        self.conn.send(line, e.t + max(e.allow, self.timeout))
        self.counters['sent'] += 1
        return e

    def submit(self, cmd, args=None, allow=None, cb=None, use_id=True):
        req = {'execute': cmd}
        if args is not None:
            req['arguments'] = args
        rid = NOID
        if use_id:
            rid = self.next_id
            self.next_id += 1
            req['id'] = rid
        return self.submit_line(encode(req), rid, cmd, allow, cb=cb,
                                req=req)

    # receiving

    def _head(self):
        for e in self.pending:
            if e.hang and e.got < e.lo:
                return e
        return None

    def pump(self, block=True):
        """Handle the answers that are there; with @block wait for one."""
        got = 0
        while True:
            head = self._head() if block and not got else None
            if head is not None:
                deadline = max(head.t, self.last_progress) + head.allow
            else:
                deadline = 0
            line = self.conn.recv_line(deadline)
            if line is None:
                if head is not None:
                    raise Hang('no answer to %s within %.1f s' %
                               (head.cmd or 'request', head.allow),
                               head.line)
                return got
            self.last_progress = now()
            self.counters['answered'] += 1
            self._deliver(line)
            got += 1

    def wait(self, e):
        while e.got < e.lo and e in self.pending:
            if not self.pump(True) and self._head() is None:
                break
        return e.answer

    def drain(self):
        """Wait for every answer that is due."""
        while self._head() is not None:
            self.pump(True)
        self.pump(False)

    def call(self, cmd, args=None, allow=None):
        e = self.submit(cmd, args, allow)
        return self.wait(e)

    def ret(self, cmd, args=None, allow=None):
        """The 'return' member of the answer, or None after an error."""
        a = self.call(cmd, args, allow)
        if isinstance(a, dict) and isinstance(a.get('return'), dict):
            return a['return']
        return None

    def _finish(self, e):
        if e.got < e.lo:
            self._violation('no answer to %s before later answers'
                            % (e.cmd or 'request'), e.line)
        if e.cb:
            e.cb(e)

    def _violation(self, msg, line):
        self.counters['violations'] += 1
        self.on_violation(msg, line)

    def _deliver(self, line):
        obj = check_answer(line, self._violation)
        if obj is None:
            # Not an answer we can attribute: charge it to the head.
            if self.pending:
                e = self.pending[0]
                e.got += 1
                if e.got >= e.hi:
                    self.pending.popleft()
                    self._finish(e)
            return
        idx = None
        if 'id' in obj:
            rid = obj['id']
            for i, e in enumerate(self.pending):
                if e.rid is not NOID and e.got < e.hi and \
                   type(e.rid) is type(rid) and e.rid == rid:
                    idx = i
                    break
            if idx is None:
                self._violation('answer with an id nobody asked for', line)
                return
        else:
            # A request with an id may only be answered without one when
            # the parser could not read it (and so its id).
            parse_error = is_parse_error(obj)
            is_error = 'error' in obj
            for i, e in enumerate(self.pending):
                if e.got < e.hi and (e.rid is NOID or
                                     (e.idless_ok == 1 and parse_error) or
                                     (e.idless_ok == 2 and is_error)):
                    idx = i
                    break
                if e.got < e.lo and e.hang:
                    break
            if idx is None:
                # Counted once per burst, reported with the next answer.
                self.extras += 1
                self.extra_sample = self.extra_sample or line
                return
        self.flush_extras()
        for _ in range(idx):
            self._finish(self.pending.popleft())
        e = self.pending[0]
        e.got += 1
        e.answer = obj
        lat = now() - e.t
        if lat > 0.05 and (len(self.slow) < 5 or lat > self.slow[0][0]):
            self.slow.append((lat, e.cmd, e.line[:300]))
            self.slow.sort(key=lambda x: x[0])
            del self.slow[:-5]
        if e.got >= e.hi:
            self.pending.popleft()
            self._finish(e)

    def flush_extras(self):
        if self.extras:
            n, line = self.extras, self.extra_sample
            self.extras, self.extra_sample = 0, None
            self._violation('%d answer(s) without id that no request '
                            'accounts for' % n, line)

    def sync(self):
        """A harmless request whose answer proves the stream is in step."""
        return self.call('mcd-qry-systems',
                         {'start-index': 0, 'num-systems': 0})


def check_answer(line, violation):
    """Parse one answer line; report what breaks the wire format."""
    if len(line) + 1 > ANSWER_MAX:
        violation('answer of %d bytes exceeds %d' % (len(line) + 1,
                                                     ANSWER_MAX), line)
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        violation('answer line is not one JSON value: %s' % e, line)
        return None
    if not isinstance(obj, dict):
        violation('answer is not a JSON object', line)
        return None
    keys = set(obj) - {'id'}
    if keys == {'return'}:
        r = obj['return']
        # query-mcd-schema, not an MCD function, answers SchemaInfo list.
        if isinstance(r, list) and r and \
           all(isinstance(i, dict) and 'meta-type' in i for i in r):
            pass
        elif not isinstance(r, dict) or \
                not isinstance(r.get('return-status'), int):
            violation('"return" without an integer return-status', line)
    elif keys == {'error'}:
        e = obj['error']
        if not isinstance(e, dict) or not isinstance(e.get('desc'), str) \
           or not isinstance(e.get('class'), str):
            violation('"error" without class and desc', line)
    else:
        violation('answer has members %s' % sorted(keys), line)
    return obj


def is_parse_error(obj):
    """An error answer of the JSON parser (its messages start "JSON")."""
    e = obj.get('error') if isinstance(obj, dict) else None
    return isinstance(e, dict) and str(e.get('desc', '')).startswith('JSON')


def status(answer):
    """return-status of an answer; None for error answers."""
    if isinstance(answer, dict):
        r = answer.get('return')
        if isinstance(r, dict):
            return r.get('return-status')
    return None


# --- a debugger's session -------------------------------------------------

class Session:
    """What a client knows after opening the server and cores."""

    def __init__(self):
        self.server_uid = None
        self.system = None
        self.device = None
        self.core_infos = []
        self.cores = {}         # core index -> core-uid
        self.spaces = {}        # core index -> [MCDMemspace]
        self.groups = {}        # core index -> [MCDRegisterGroup]
        self.regs = {}          # core index -> [MCDRegisterInfo]
        self.reg_by_name = {}   # core index -> {name: MCDRegisterInfo}

    def space(self, idx, want, name_part=None, not_bits=0):
        for m in self.spaces.get(idx, []):
            t = m.get('mem-type', 0)
            if t & want == want and not t & not_bits and \
               (name_part is None or name_part in m.get('mem-space-name',
                                                        '')):
                return m['mem-space-id']
        return None


VERSION_REQ = {'v-api-major': 1, 'v-api-minor': 1, 'author': 'mcd-fuzz'}


def error_str(client, core_uid=None):
    args = {'core-uid': core_uid} if core_uid else None
    r = client.ret('mcd-qry-error-info', args)
    if r is None:
        return '(error info refused)'
    return '0x%x %s' % (r.get('error-code', 0), r.get('error-str', ''))


def open_session(client, cache=None, regs=True):
    """
    Open the server and every core as a debugger does; return the session
    and the problems a clean server must not have (empty if clean).
    @cache keeps register maps between connections to the same QEMU.
    """
    s = Session()
    problems = []

    def get(cmd, args, key):
        # The member @key of a successful answer, else None and a problem.
        r = client.ret(cmd, args)
        if not r or r['return-status'] or key not in r:
            problems.append('%s failed: %s' % (cmd, error_str(client)))
            return None
        return r[key]

    r = client.ret('mcd-initialize', {'version-req': VERSION_REQ})
    if not r or r['return-status']:
        problems.append('mcd-initialize failed: %s' % error_str(client))
    s.server_uid = get('mcd-open-server',
                       {'system-key': '', 'config-string': ''}, 'server-uid')
    if s.server_uid is None:
        return s, problems
    systems = get('mcd-qry-systems', {'start-index': 0, 'num-systems': 1},
                  'system-con-info')
    if not systems:
        return s, problems
    s.system = systems[0]
    devices = get('mcd-qry-devices', {'system-con-info': s.system,
                                      'start-index': 0, 'num-devices': 1},
                  'device-con-info')
    if not devices:
        return s, problems
    s.device = devices[0]
    s.core_infos = get('mcd-qry-cores', {'connection-info': s.device,
                                         'start-index': 0, 'num-cores': 128},
                       'core-con-info')
    if s.core_infos is None:
        s.core_infos = []
        return s, problems
    for i, info in enumerate(s.core_infos):
        # The session of the client before may not have been torn down
        # yet: its cores are locked until QEMU has seen it close.
        start = now()
        while True:
            r = client.ret('mcd-open-core', {'core-con-info': info})
            if r and not r['return-status'] and 'core-uid' in r:
                break
            why = error_str(client)
            if not why.startswith('0x%x ' % ERR_DEVICE_LOCKED) or \
               now() > start + LOCKED_WAIT:
                break
            time.sleep(0.01)
        waited = now() - start
        client.counters['locked_wait_ms'] = max(
            client.counters['locked_wait_ms'], int(waited * 1000))
        if not r or r['return-status'] or 'core-uid' not in r:
            problems.append('mcd-open-core %d refused: %s' % (i, why))
            continue
        uid = r['core-uid']
        s.cores[i] = uid
        r = client.ret('mcd-qry-trig-set', {'core-uid': uid,
                                            'start-index': 0,
                                            'num-trigs': 0})
        if not r or r['return-status']:
            problems.append('mcd-qry-trig-set on core %d failed: %s' %
                            (i, error_str(client, uid)))
        elif r.get('num-trigs'):
            problems.append('core %d has %d triggers left from an earlier '
                            'client' % (i, r['num-trigs']))
        load_core_maps(client, s, i, cache if regs else None, regs)
    return s, problems


def load_core_maps(client, s, i, cache, regs=True):
    uid = s.cores[i]
    r = client.ret('mcd-qry-mem-spaces', {'core-uid': uid, 'start-index': 0,
                                          'num-mem-spaces': 128})
    if r and not r['return-status']:
        s.spaces[i] = r.get('mem-spaces', [])
    if not regs:
        return
    if cache is not None and i in cache:
        s.groups[i], s.regs[i] = cache[i]
    else:
        r = client.ret('mcd-qry-reg-groups', {'core-uid': uid,
                                              'start-index': 0,
                                              'num-reg-groups': 128})
        s.groups[i] = r.get('reg-groups', []) if r else []
        allregs = []
        while True:
            r = client.ret('mcd-qry-reg-map', {'core-uid': uid,
                                               'reg-group-id': 0,
                                               'start-index': len(allregs),
                                               'num-regs': 128})
            if not r or r['return-status'] or not r.get('reg-info'):
                break
            allregs.extend(r['reg-info'])
            if len(allregs) > 100000:
                break
        s.regs[i] = allregs
        if cache is not None:
            cache[i] = (s.groups[i], allregs)
    s.reg_by_name[i] = {g['regname']: g for g in s.regs.get(i, [])}


def tx(space, addr, access, nbytes, data=None, width=0):
    return {'addr': {'address': addr, 'mem-space-id': space,
                     'addr-space-id': 0, 'addr-space-type': 0},
            'access-type': access, 'options': 0, 'access-width': width,
            'core-mode': 0, 'data': list(data) if data is not None else [],
            'num-bytes': nbytes, 'num-bytes-ok': 0}


def txlist_args(uid, txs):
    return {'core-uid': uid,
            'txlist': {'tx': txs, 'num-tx': len(txs), 'num-tx-ok': 0}}


def read_reg(client, s, idx, name):
    """A register's value (little-endian), or None if it cannot be read."""
    reg = s.reg_by_name.get(idx, {}).get(name)
    if not reg or idx not in s.cores:
        return None
    size = (reg['regsize'] + 7) // 8
    a = reg['addr']
    r = client.ret('mcd-execute-txlist', txlist_args(
        s.cores[idx], [tx(a['mem-space-id'], a['address'], TX_R, size)]))
    if not r or r['return-status']:
        return None
    data = r['txlist']['tx'][0].get('data', [])
    return int.from_bytes(bytes(data[:size]), 'little') if data else None


def core_state(client, uid):
    r = client.ret('mcd-qry-state', {'core-uid': uid})
    if not r or r['return-status'] or not isinstance(r.get('state'), dict):
        return None
    return r['state'].get('state')


# --- reports --------------------------------------------------------------

class Tap:
    def __init__(self, enabled, total):
        self.enabled = enabled
        self.n = 0
        if enabled:
            print('TAP version 13')
            print('1..%d' % total)
            sys.stdout.flush()

    def result(self, ok, desc, diag=()):
        self.n += 1
        if self.enabled:
            print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, desc))
            for line in diag:
                print('# ' + line)
            sys.stdout.flush()

    def comment(self, line):
        print(('# ' if self.enabled else '') + line)
        sys.stdout.flush()


def add_common_options(p):
    p.add_argument('--qemu-dir', default=None,
                   help='directory holding qemu-system-* (default: '
                   'build/qemu-build of this repository)')
    p.add_argument('--timeout-answer', type=float, default=5.0,
                   help='seconds an answer may take (default 5)')
    p.add_argument('--time-limit', type=float, default=None,
                   help='stop after this many seconds in all')
    p.add_argument('--tap', action='store_true', help='TAP output')
    p.add_argument('--log', default=None,
                   help='keep QEMU stderr and replay logs of failures here')
    p.add_argument('--unix', action='store_true',
                   help='UNIX socket instead of TCP on 127.0.0.1 (no real '
                   'RST then)')
    p.add_argument('--wrapper', default=os.environ.get('MCD_FUZZ_WRAPPER'),
                   help='command prefix for QEMU, e.g. "valgrind -q" '
                   '(default: $MCD_FUZZ_WRAPPER)')
    p.add_argument('--env', action='append', default=[],
                   metavar='NAME=VALUE', help='extra environment for QEMU')
    p.add_argument('--no-sanitizer-env', action='store_true',
                   help='do not set ASAN_OPTIONS/UBSAN_OPTIONS defaults')
    p.add_argument('--gdb', action='store_true',
                   help='run QEMU under gdb, for a backtrace of crashes')
    p.add_argument('--verbose', '-v', action='store_true')


GDB_WRAPPER = ('gdb -nx -batch -ex "set pagination off" '
               '-ex "handle SIGUSR1 SIGUSR2 SIGPIPE nostop noprint pass" '
               '-ex run -ex "thread apply all bt" --args')


def wrapper_of(opts):
    """The command QEMU runs under: --gdb, --wrapper, or nothing."""
    if getattr(opts, 'gdb', False):
        return GDB_WRAPPER + (' ' + opts.wrapper if opts.wrapper else '')
    return opts.wrapper


def on_sigterm():
    """Let SIGTERM unwind like Ctrl-C, so that every QEMU is killed."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)
    # SIGUSR1 shows where the tool is, should it ever seem stuck.
    faulthandler.register(signal.SIGUSR1, all_threads=False)


def parse_env(items):
    env = {}
    for item in items:
        k, sep, v = item.partition('=')
        if not sep:
            raise SystemExit('--env wants NAME=VALUE, got %r' % item)
        env[k] = v
    return env


def default_qemu_dir(here):
    return os.path.normpath(os.path.join(here, '..', '..', 'build',
                                         'qemu-build'))


def make_workdir(log):
    if log:
        os.makedirs(log, exist_ok=True)
        return log, False
    return tempfile.mkdtemp(prefix='mcd-fuzz-'), True
