#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stateful, schema-driven protocol fuzzer for QEMU's MCD debug server.
#
# The commands and their argument types come from qapi/mcd.json, read with
# QEMU's own QAPI parser.  Most requests are well-formed and fit the state
# of the connection (real core handles, memory spaces, register numbers,
# trigger IDs, addresses), so that deep paths run; a share is hostile
# (boundary integers, wrong types, missing and extra members, odd strings,
# huge lists, raw garbage lines).  Connections are dropped at random
# points; the next client must find a clean server.  QEMU crashes, hangs,
# sanitizer reports and wire format violations are counted and logged.

import argparse
import collections
import copy
import json
import os
import random
import re
import shutil
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mcdwire as w                                     # noqa: E402

U32 = 2 ** 32 - 1
U64 = 2 ** 64 - 1

# --- schema model ---------------------------------------------------------

INT_RANGES = {
    'int': (-2 ** 63, 2 ** 63 - 1), 'int8': (-2 ** 7, 2 ** 7 - 1),
    'int16': (-2 ** 15, 2 ** 15 - 1), 'int32': (-2 ** 31, 2 ** 31 - 1),
    'int64': (-2 ** 63, 2 ** 63 - 1), 'uint8': (0, 2 ** 8 - 1),
    'uint16': (0, 2 ** 16 - 1), 'uint32': (0, U32), 'uint64': (0, U64),
    'size': (0, U64),
}


class Ty:
    """A QAPI type reduced to what generation and validation need."""

    def __init__(self, kind, name):
        self.kind = kind        # int bool str number null any enum struct
        self.name = name        # list alt
        self.lo = self.hi = None
        self.values = []
        self.members = []       # (name, Ty, optional)
        self.elem = None
        self.alts = []
        self.tag = None
        self.branches = {}      # tag value -> [(name, Ty, optional)]

    def __repr__(self):
        return '<Ty %s %s>' % (self.kind, self.name)


class Command:
    def __init__(self, name, args, coroutine, success_response):
        self.name = name
        self.args = args        # struct Ty or None
        self.coroutine = coroutine
        self.success_response = success_response


class Model:
    def __init__(self, commands, types):
        self.commands = commands
        self.types = types


def load_model(schema_path, qemu_src):
    """Walk the schema with QEMU's QAPI parser; keep commands and types."""
    sys.path.insert(0, os.path.join(qemu_src, 'scripts'))
    try:
        from qapi import schema as qs
    except ImportError as e:
        raise SystemExit('cannot import QEMU\'s QAPI parser from %s/scripts:'
                         ' %s' % (qemu_src, e))
    schema = qs.QAPISchema(schema_path)
    memo = {}

    def members(ms):
        return [(m.name, conv(m.type), m.optional) for m in ms]

    def conv(qt):
        if qt.name in memo:
            return memo[qt.name]
        if isinstance(qt, qs.QAPISchemaBuiltinType) and qt.name == 'bytes':
            # On the wire a list of uint8.
            t = Ty('list', qt.name)
            memo[qt.name] = t
            t.elem = conv(schema.lookup_type('uint8'))
        elif isinstance(qt, qs.QAPISchemaBuiltinType):
            jt = qt.json_type()
            kind = {'int': 'int', 'number': 'number', 'string': 'str',
                    'boolean': 'bool', 'null': 'null', 'value': 'any'}[jt]
            t = Ty(kind, qt.name)
            if kind == 'int':
                t.lo, t.hi = INT_RANGES.get(qt.name, INT_RANGES['int'])
            memo[qt.name] = t
        elif isinstance(qt, qs.QAPISchemaEnumType):
            t = Ty('enum', qt.name)
            t.values = [m.name for m in qt.members]
            memo[qt.name] = t
        elif isinstance(qt, qs.QAPISchemaArrayType):
            t = Ty('list', qt.name)
            memo[qt.name] = t
            t.elem = conv(qt.element_type)
        elif isinstance(qt, qs.QAPISchemaAlternateType):
            t = Ty('alt', qt.name)
            memo[qt.name] = t
            variants = getattr(qt, 'alternatives', None) or qt.variants
            t.alts = [conv(v.type) for v in variants.variants]
        elif isinstance(qt, qs.QAPISchemaObjectType):
            t = Ty('struct', qt.name)
            memo[qt.name] = t
            t.members = members(qt.members)
            br = getattr(qt, 'branches', None) or getattr(qt, 'variants',
                                                          None)
            if br:
                t.tag = br.tag_member.name
                for v in br.variants:
                    t.branches[v.name] = members(v.type.members)
        else:
            raise SystemExit('unexpected QAPI type %r' % qt)
        return t

    class Visitor(qs.QAPISchemaVisitor):
        def __init__(self):
            self.commands = {}

        def visit_command(self, name, info, ifcond, features, arg_type,
                          ret_type, *rest):
            ent = schema.lookup_entity(name)
            self.commands[name] = Command(
                name, conv(arg_type) if arg_type else None,
                bool(getattr(ent, 'coroutine', False)),
                bool(getattr(ent, 'success_response', True)))

    v = Visitor()
    schema.visit(v)
    return Model(v.commands, memo)


def validate(t, v, path='', out=None):
    """Problems of value @v against type @t (for the self test)."""
    out = [] if out is None else out
    k = t.kind
    if k == 'int':
        if not isinstance(v, int) or isinstance(v, bool) or \
           not t.lo <= v <= t.hi:
            out.append('%s: %r is no %s' % (path, v, t.name))
    elif k == 'bool':
        if not isinstance(v, bool):
            out.append('%s: %r is no bool' % (path, v))
    elif k == 'str':
        if not isinstance(v, str):
            out.append('%s: %r is no str' % (path, v))
    elif k == 'number':
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            out.append('%s: %r is no number' % (path, v))
    elif k == 'enum':
        if v not in t.values:
            out.append('%s: %r not in %s' % (path, v, t.name))
    elif k == 'list':
        if not isinstance(v, list):
            out.append('%s: %r is no list' % (path, v))
        else:
            for i, e in enumerate(v):
                validate(t.elem, e, '%s[%d]' % (path, i), out)
    elif k == 'alt':
        if all(validate(a, v, path) for a in t.alts):
            out.append('%s: %r fits no alternative' % (path, v))
    elif k == 'struct':
        if not isinstance(v, dict):
            out.append('%s: %r is no object' % (path, v))
            return out
        ms = list(t.members)
        if t.tag is not None and v.get(t.tag) in t.branches:
            ms += t.branches[v[t.tag]]
        names = {m[0] for m in ms}
        for name, mt, opt in ms:
            if name in v:
                validate(mt, v[name], path + '.' + name, out)
            elif not opt:
                out.append('%s: %s missing' % (path, name))
        for name in v:
            if name not in names:
                out.append('%s: %s unexpected' % (path, name))
    return out


# --- what the monitor may run ---------------------------------------------

def hmp_allowed(arch):
    return ['info registers', 'info registers -a', 'info mtree',
            'info mtree -f', 'info cpus', 'help info', 'info status',
            'info version', 'info qtree', 'info mem', 'info tlb',
            'info irq', 'info roms', 'info name', 'info chardev',
            'info jit', 'info history', 'x /4xw 0',
            'xp /16xb 0x%x' % arch.scratch, 'p $pc', 'print 1+2', 'help',
            'stop', 'cont', 'system_reset', 'info registers -c 1',
            'gva2gpa 0x%x' % arch.scratch]


# Never to be run, whatever a generator comes up with.
HMP_DENY = re.compile(
    r'^(q|quit|exit|system_powerdown|migrate.*|savevm|loadvm|delvm|'
    r'drive_.*|dump-guest-memory|pmemsave|memsave|screendump|logfile|log|'
    r'trace.*|gdbserver|chardev.*|netdev.*|device_add|device_del|'
    r'object_add|object_del|o|commit|block.*|snapshot.*|nbd_.*|'
    r'dumpdtb|wavcapture|getfd|closefd|add-fd|remove-fd|ringbuf_.*|'
    r'change|eject|host.*|qom-set|replay_.*|watchdog_action|boot_set|'
    r'one-insn-per-tb|singlestep|mce|nmi|sendkey|set_password|'
    r'expire_password|x_colo.*|balloon|cpu|calc_dirty_rate|set_link|'
    r'sync-profile|announce_self|usb.*|pcie_aer_inject_error|'
    r'cxl.*|exit_preconfig|stopcapture|acl.*|mouse.*|i)$')

HMP_START_OK = '#%@^~=+,;:\'"<>!$&*()[]{}|`.\\ \t'


def hmp_first_word(s):
    s = s.split('\0', 1)[0].lstrip(' \t\n\r\v\f')
    return re.match(r'[^/\s]*', s).group(0)


def hmp_safe(s, allowed):
    """May @s be run as an HMP command?  Only known or nonsense commands."""
    if s in allowed:
        return True
    word = hmp_first_word(s)
    if not word:
        return True
    if HMP_DENY.match(word):
        return False
    # Every HMP command name starts with a letter (or is "?", help).
    return not re.match(r'[A-Za-z0-9_\-]', word[0])


# --- values ---------------------------------------------------------------

class Raw:
    """Bytes put into a request as they are (invalid UTF-8, odd numbers)."""

    def __init__(self, data, quoted=False):
        self.data = data
        self.quoted = quoted


def serialize(obj):
    """Compact JSON of @obj, with Raw pieces spliced in."""
    raws = []

    def default(o):
        # json calls this for what it cannot encode: only Raw here.
        if not isinstance(o, Raw):
            raise TypeError(repr(o))
        raws.append(o)
        return '@@RAW%d@@' % (len(raws) - 1)

    text = json.dumps(obj, separators=(',', ':'), default=default).encode()
    for i, r in enumerate(raws):
        piece = b'"' + r.data + b'"' if r.quoted else r.data
        text = text.replace(b'"@@RAW%d@@"' % i, piece, 1)
    return text + b'\n'


INT_EDGES = [0, 1, -1, 2, 127, 128, 255, 256, 4095, 4096, 65535, 65536,
             2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32,
             2 ** 32 + 1, 2 ** 53, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1,
             2 ** 64, 2 ** 64 + 1, -2 ** 31, -2 ** 63, -2 ** 63 - 1,
             10 ** 30, -10 ** 30, 10 ** 400]
NUM_EDGES = [b'1.5', b'-0.0', b'0.0', b'1e400', b'-1e400', b'1e-400',
             b'4294967295.0', b'1E2', b'18446744073709551616.5',
             b'-0', b'0e0']


class State:
    """What the fuzzer knows on one connection."""

    def __init__(self):
        self.s = w.Session()
        self.trigs = collections.defaultdict(set)       # uid -> trig IDs
        self.stale = set()                              # closed handles
        self.pc = {}
        self.sp = {}
        self.cstate = {}
        self.time = 0
        self.mem_blocks = {}                            # idx -> blocks

    def uid_index(self, uid):
        for i, u in self.s.cores.items():
            if u == uid:
                return i
        return None


# i386 registers that do not steer the guest's code (see Gen.tx()).
I386_DATA_REGS = ('eax', 'ecx', 'edx', 'ebx', 'esi', 'edi')


def reg_unsafe(arch, name):
    """
    Registers that get no random values, for targets of QEMU 10.0 that
    abort on states their gdbstub register writers let in (see Gen.tx()).
    """
    if arch == 'i386':
        return name not in I386_DATA_REGS
    # A random CPSR may name an exception level the CPU lacks (EL3 on
    # virt without secure=on); TCG then asserts in cpu_asidx_from_attrs().
    return arch in ('aarch64', 'arm') and name == 'cpsr'


class Gen:
    """Generates requests from the schema, shaped by the state."""

    def __init__(self, model, rng, arch, hmp_allow):
        self.model = model
        self.rng = rng
        self.arch = arch
        self.st = State()
        self.hmp_allow = hmp_allow
        self.cur = None         # core index the current request is for
        self.no_mmio = False

    # small helpers

    def chance(self, p):
        return self.rng.random() < p

    def count(self, hi=128):
        r = self.rng.random()
        if r < 0.15:
            return 0
        if r < 0.75:
            return self.rng.randint(1, 8)
        if r < 0.95:
            return self.rng.randint(9, hi)
        return self.rng.choice([hi + 1, 1000, 65535, 2 ** 31, U32])

    def index(self):
        r = self.rng.random()
        if r < 0.7:
            return 0
        if r < 0.9:
            return self.rng.randint(1, 5)
        return self.rng.choice([127, 128, 1000, 2 ** 31, U32])

    def int_in(self, t):
        r = self.rng.random()
        lo, hi = t.lo, t.hi
        if r < 0.4:
            v = 0
        elif r < 0.6:
            v = self.rng.randint(1, 16)
        elif r < 0.8:
            v = self.rng.randint(17, 0xffff)
        elif r < 0.9:
            v = self.rng.choice([lo, hi])
        else:
            v = self.rng.randint(lo, hi)
        return min(max(v, lo), hi)

    def text(self, n=None):
        n = self.rng.randint(0, 12) if n is None else n
        return ''.join(self.rng.choice('abcdefghijklmnopqrstuvwxyz0123456789'
                                       ' -_:/.') for _ in range(n))

    def open_uids(self):
        return list(self.st.s.cores.values())

    def pick_core(self):
        """A core index with an open handle, or None."""
        cores = self.st.s.cores
        if not cores:
            return None
        return self.rng.choice(list(cores))

    def uid(self):
        uids = self.open_uids()
        r = self.rng.random()
        if uids and r < 0.9:
            if self.cur is not None and self.cur in self.st.s.cores:
                return self.st.s.cores[self.cur]
            return self.rng.choice(uids)
        if self.st.stale and r < 0.95:
            return self.rng.choice(sorted(self.st.stale))
        return self.rng.choice([0, 1, 4242, U32, self.rng.randint(0, 100)])

    def hmp(self):
        r = self.rng.random()
        if r < 0.7:
            s = self.rng.choice(self.hmp_allow)
        elif r < 0.9:
            s = self.hmp_garbage()
        else:
            s = self.rng.choice(['info ', 'help ', 'info registers ']) + \
                self.hmp_garbage()
        if not hmp_safe(s, self.hmp_allow):
            s = '#' + s
        return s

    def hmp_garbage(self):
        n = self.rng.choice([0, 1, 5, 40, 300, 5000])
        body = ''.join(chr(self.rng.choice([self.rng.randint(0x20, 0x7e),
                                            self.rng.randint(1, 0x1f),
                                            self.rng.randint(0x80, 0x2fff)]))
                       for _ in range(n))
        return self.rng.choice(HMP_START_OK) + body

    def steps(self):
        r = self.rng.random()
        if r < 0.35:
            return 1
        if r < 0.6:
            return self.rng.randint(2, 20)
        if r < 0.88:
            return self.rng.randint(21, 1000)
        if r < 0.95:
            return self.rng.randint(1001, 50000)
        if r < 0.999:
            return 0
        return 20000000

    def ram_addr(self, width=1, size=1):
        a = self.arch
        r = self.rng.random()
        al = max(width, 1)
        if r < 0.55:
            v = a.scratch + self.rng.randrange(0, 0x10000)
        elif r < 0.7:
            v = a.ram + self.rng.randrange(0, w.RAM_SIZE)
        elif r < 0.8 and self.cur in self.st.pc:
            v = self.st.pc[self.cur] + self.rng.randint(-64, 64)
        elif r < 0.85 and self.cur in self.st.sp:
            v = self.st.sp[self.cur] + self.rng.randint(-256, 64)
        elif r < 0.9:
            v = a.ram + w.RAM_SIZE - self.rng.randint(0, 2 * size + 16)
        elif r < 0.94:
            blocks = self.st.mem_blocks.get(self.cur) or []
            if blocks:
                b = self.rng.choice(blocks)
                v = self.rng.choice([b.get('start-addr', 0),
                                     b.get('end-addr', 0),
                                     b.get('end-addr', 0) - size + 1])
            else:
                v = 0
        else:
            v = self.rng.choice([0, 0xfff, 2 ** 32 - al, 2 ** 32,
                                 2 ** 63, U64 - al + 1, U64,
                                 a.ram - 1])
        v &= U64
        if self.no_mmio and not a.ram <= v < a.ram + w.RAM_SIZE - size:
            v = a.scratch + (v % 0x10000)
        if self.chance(0.9):
            v -= v % al
        return v

    def space_ids(self, idx):
        return [m['mem-space-id'] for m in self.st.s.spaces.get(idx, [])]

    def space(self, idx, kind):
        """A memory space ID of @kind ('phys', 'log', 'regs', 'any')."""
        spaces = self.st.s.spaces.get(idx, [])
        bits = {'phys': w.MEM_PHYSICAL, 'log': w.MEM_LOGICAL,
                'regs': w.MEM_REGISTERS}.get(kind)
        cand = [m['mem-space-id'] for m in spaces
                if bits is None or m.get('mem-type', 0) & 0xff == bits]
        if cand:
            # The first of a kind is the non-secure one: favour it.
            return cand[0] if self.chance(0.75) else self.rng.choice(cand)
        return self.rng.choice([0, 1, 2, 3, 99, U32])

    # generic, schema-driven

    def value(self, t, path=()):
        name = next((p for p in reversed(path) if isinstance(p, str)), '')
        b = STRUCT_BUILDERS.get(t.name)
        if b and self.chance(0.97):
            return b(self, t, path)
        if t.kind in ('int', 'str', 'bool'):
            h = LEAF_HINTS.get(name)
            if h:
                v = h(self)
                if v is not NOHINT:
                    return v
        k = t.kind
        if k == 'int':
            return self.int_in(t)
        if k == 'bool':
            return self.chance(0.5)
        if k == 'str':
            return '' if self.chance(0.5) else self.text()
        if k == 'number':
            return self.rng.choice([0, 1.5, -2.25, 1e10])
        if k == 'null':
            return None
        if k == 'any':
            return self.rng.choice([0, 'x', [], {}, None, True])
        if k == 'enum':
            return self.rng.choice(t.values)
        if k == 'list':
            n = self.rng.choice([0, 1, 1, 2, 3])
            return [self.value(t.elem, path + (i,)) for i in range(n)]
        if k == 'alt':
            return self.value(self.rng.choice(t.alts), path)
        return self.struct(t, path)

    def struct(self, t, path, over=None):
        out = {}
        for name, mt, opt in t.members:
            if over and name in over:
                out[name] = over[name]
            elif not opt or self.chance(0.5):
                out[name] = self.value(mt, path + (name,))
        if t.tag is not None and out.get(t.tag) in t.branches:
            for name, mt, opt in t.branches[out[t.tag]]:
                if not opt or self.chance(0.5):
                    out[name] = self.value(mt, path + (name,))
        return out

    def args(self, cmd):
        c = self.model.commands[cmd]
        self.cur = self.pick_core()
        if c.args is None:
            return None
        return self.struct(c.args, (cmd,))

    # state-shaped structures

    def con_info(self, t, path):
        s = self.st.s
        name = path[-1] if path else ''
        if name == 'system-con-info':
            base = s.system
        elif name == 'connection-info':
            base = self.rng.choice([s.device, s.device, s.device, s.system] +
                                   s.core_infos[:1])
        else:
            base = self.rng.choice(s.core_infos) if s.core_infos else None
        if base is None or self.chance(0.05):
            return self.struct(t, path)
        v = dict(base)
        if self.chance(0.08):
            m = self.rng.choice(t.members)
            v[m[0]] = self.value(m[1], path + (m[0],))
        if self.chance(0.03):
            v['core-id'] = self.rng.choice([2, 7, 255, U32])
        return v

    def version(self, t, path):
        if self.chance(0.9):
            return dict(w.VERSION_REQ)
        return {'v-api-major': self.rng.choice([0, 1, 2, 65535]),
                'v-api-minor': self.rng.choice([0, 1, 2, 65535]),
                'author': self.text()}

    def txlist(self, t, path):
        r = self.rng.random()
        n = 1 if r < 0.5 else self.rng.randint(2, 4) if r < 0.8 else \
            self.rng.randint(5, 16) if r < 0.95 else self.rng.randint(17, 64)
        budget = 12 * 1024 if self.chance(0.9) else 64 * 1024
        txs = []
        for _ in range(n):
            txs.append(self.tx(max(1, budget // n)))
        return {'tx': txs, 'num-tx': len(txs), 'num-tx-ok': 0}

    def tx(self, budget):
        idx = self.cur
        rng = self.rng
        r = rng.random()
        kind = 'phys' if r < 0.4 else 'log' if r < 0.65 else \
            'regs' if r < 0.92 else 'any'
        space = self.space(idx, kind) if rng.random() < 0.96 else \
            rng.choice([0, 99, U32])
        r = rng.random()
        at = w.TX_R if r < 0.45 else w.TX_W if r < 0.75 else \
            w.TX_RW if r < 0.85 else w.TX_WR if r < 0.95 else \
            rng.choice([0, 5, 7, 2 ** 31, U32])
        r = rng.random()
        width = 0 if r < 0.5 else rng.choice([1, 2, 4, 8]) if r < 0.92 else \
            rng.choice([3, 16, 255])
        regs = self.st.s.regs.get(idx) or []
        if kind == 'regs' and regs and rng.random() < 0.88:
            reg = rng.choice(regs)
            # QEMU 10.0's i386 translator aborts on code that wraps at
            # the end of a segment or of the 4 GiB space (translator_ld(),
            # gen_update_eip_next() assertions), which a guest reaches
            # alone too.  A guest whose code, stack or control registers
            # are random jumps there soon, so on i386 only registers that
            # do not steer the code get random values.
            while reg_unsafe(self.arch.name, reg.get('regname')):
                reg = rng.choice(regs)
            addr = reg['addr']['address']
            space = reg['addr']['mem-space-id']
            nbytes = (reg['regsize'] + 7) // 8
            if rng.random() < 0.05:
                nbytes = rng.choice([0, 1, 3, nbytes + 1, 2 * nbytes])
            width = 0 if rng.random() < 0.9 else width
        elif kind == 'regs':
            addr = rng.choice([0, 1, 99999, U32, U64, rng.randint(0, 400)])
            nbytes = rng.choice([1, 2, 4, 8, 16, 3])
            if addr in [r['addr']['address'] for r in regs
                        if reg_unsafe(self.arch.name, r.get('regname'))]:
                addr = 0        # as above
        else:
            # Mostly small: large transfers cost milliseconds of JSON.
            r = rng.random()
            nbytes = rng.randint(1, 16) if r < 0.6 else \
                rng.randint(17, 256) if r < 0.9 else \
                rng.randint(257, 4096) if r < 0.98 else \
                rng.randint(4097, max(4097, min(budget, 12 * 1024)))
            if width and rng.random() < 0.9:
                nbytes = max(width, nbytes - nbytes % width)
            addr = self.ram_addr(width, nbytes)
        rw = at in (w.TX_W, w.TX_RW, w.TX_WR)
        if self.arch.name == 'i386' and rw and kind != 'regs':
            # As above: random bytes stay out of the guest's code and stack.
            a = self.arch
            if not a.scratch <= addr < a.scratch + 0x10000 - nbytes:
                addr = a.scratch + addr % (0x10000 - min(nbytes, 0x8000))
        data = []
        hexdata = None
        if rw:
            if kind == 'regs' and idx in self.st.pc and \
               rng.random() < 0.5:
                payload = bytes(nbytes)
            else:
                payload = bytes(rng.getrandbits(8) for _ in range(nbytes)) \
                    if nbytes <= 64 else \
                    (bytes([rng.getrandbits(8)]) * nbytes)
            if rng.random() < (0.7 if nbytes > 64 else 0.3):
                hexdata = payload.hex()
                if rng.random() < 0.2:
                    hexdata = hexdata.upper()
            else:
                data = list(payload)
        else:
            r = rng.random()
            if r < 0.5:
                data = [0] * nbytes
            elif r < 0.9:
                data = []
            else:
                hexdata = ''
        tx = {'addr': {'address': addr, 'mem-space-id': space,
                       'addr-space-id': 0 if rng.random() < 0.95 else
                       rng.choice([1, U32]),
                       'addr-space-type': 0 if rng.random() < 0.95 else
                       rng.choice([1, 2, U32])},
              'access-type': at,
              'options': 0 if rng.random() < 0.85 else
              rng.choice([1, 2, 4, 0x100, 0x200, rng.getrandbits(32)]),
              'access-width': width,
              'core-mode': 0 if rng.random() < 0.95 else rng.randint(1, 255),
              'data': data, 'num-bytes': nbytes,
              'num-bytes-ok': 0 if rng.random() < 0.95 else nbytes}
        if hexdata is not None:
            tx['data-hex'] = hexdata
        return tx

    def trig(self, t, path):
        rng = self.rng
        idx = self.cur
        r = rng.random()
        typ = w.TRIG_IP if r < 0.35 else w.TRIG_READ if r < 0.5 else \
            w.TRIG_WRITE if r < 0.7 else w.TRIG_RW if r < 0.85 else \
            rng.choice([0, 0x10, 0x20, 0x40, 0x80, 3, 5, 0xf, 0x10000,
                        U32])
        r = rng.random()
        space = self.space(idx, 'log') if r < 0.8 else \
            self.space(idx, 'phys') if r < 0.9 else \
            self.space(idx, 'regs') if r < 0.95 else rng.choice([0, 99])
        pc = self.st.pc.get(idx)
        sp = self.st.sp.get(idx)
        r = rng.random()
        if typ == w.TRIG_IP and pc is not None and r < 0.7:
            addr = pc + 4 * rng.randint(0, 8) if r < 0.6 else pc
        elif typ != w.TRIG_IP and sp is not None and r < 0.3:
            addr = (sp + rng.randint(-128, 64)) & ~7
        else:
            addr = self.ram_addr(4, 8)
        addr &= U64
        if typ == w.TRIG_IP:
            rngv = 0 if rng.random() < 0.85 else rng.choice([1, 4, 4096])
        else:
            r = rng.random()
            rngv = rng.choice([1, 2, 4, 8]) if r < 0.6 else \
                rng.randint(9, 4096) if r < 0.85 else \
                rng.choice([0, 3, 2 ** 32, U64])
        common = {'type': typ,
                  'option': 0 if rng.random() < 0.85 else
                  rng.choice([1, 2, 4, 8, 0x80000, rng.getrandbits(32)]),
                  'action': 0 if rng.random() < 0.7 else
                  rng.choice([1, 2, 4, 0x10, rng.getrandbits(32)]),
                  'action-param': 0 if rng.random() < 0.9 else
                  rng.getrandbits(32),
                  'modified': rng.random() < 0.05,
                  'state-mask': 0 if rng.random() < 0.9 else
                  rng.getrandbits(32)}
        a = {'address': addr, 'mem-space-id': space, 'addr-space-id': 0,
             'addr-space-type': 0}
        r = rng.random()
        out = {}
        kinds = ['trig-simple-core'] if r < 0.6 else \
            ['trig-complex-core'] if r < 0.85 else \
            [rng.choice(['trig-trig-bus', 'trig-counter', 'trig-custom'])] \
            if r < 0.95 else \
            rng.sample(['trig-simple-core', 'trig-complex-core',
                        'trig-trig-bus', 'trig-counter', 'trig-custom'],
                       rng.choice([0, 2, 3]))
        for k in kinds:
            if k == 'trig-simple-core':
                out[k] = dict(common, **{'addr-start': a,
                                         'addr-range': rngv})
            elif k == 'trig-complex-core':
                out[k] = dict(common, **{
                    'addr-start': a, 'addr-range': rngv,
                    'data-start': 0 if rng.random() < 0.7 else
                    rng.getrandbits(64),
                    'data-range': rng.choice([0, 0, 1, 255, U64]),
                    'data-mask': rng.choice([0, 0, 0xff, U64]),
                    'data-size': rng.choice([0, 0, 1, 2, 4, 8, 3, U32]),
                    'hw-thread-id': rng.choice([0, 0, 1, U32]),
                    'sw-thread-id': rng.choice([0, 0, 1, U64]),
                    'core-mode-mask': rng.choice([0, 0, 1, U32])})
            elif k == 'trig-trig-bus':
                out[k] = dict(common, **{'trig-bus-value':
                                         rng.getrandbits(32),
                                         'trig-bus-mask':
                                         rng.getrandbits(32)})
            elif k == 'trig-counter':
                out[k] = dict(common, **{'count-value': rng.getrandbits(64),
                                         'reload-value':
                                         rng.getrandbits(64)})
            else:
                out[k] = dict(common, **{
                    'ctrig-id': rng.choice([0, 1, 2, U32]),
                    'ctrig-args': [rng.getrandbits(32) for _ in
                                   range(rng.choice([0, 1, 4, 16]))]})
        return out


NOHINT = object()


def _core_uid(g):
    return g.uid()


def _server_uid(g):
    if g.st.s.server_uid is not None and g.chance(0.92):
        return g.st.s.server_uid
    return g.rng.choice([0, 1, 2, U32, g.rng.randint(0, 50)])


def _space_id(g):
    ids = g.space_ids(g.cur)
    if ids and g.chance(0.9):
        return g.rng.choice(ids)
    return g.rng.choice([0, len(ids) + 1, 99, U32])


def _group_id(g):
    groups = g.st.s.groups.get(g.cur) or []
    r = g.rng.random()
    if r < 0.35:
        return 0
    if groups and r < 0.9:
        return g.rng.choice(groups)['reg-group-id']
    return g.rng.choice([4242, U32, len(groups) + 1])


def _trig_id(g):
    uid = g.st.s.cores.get(g.cur)
    ids = sorted(g.st.trigs.get(uid, ()))
    if ids and g.chance(0.85):
        return g.rng.choice(ids)
    return g.rng.choice([0, 1, 4242, U32, g.rng.randint(1, 200)])


def _rst_vector(g):
    r = g.rng.random()
    return 1 if r < 0.35 else 2 if r < 0.7 else 3 if r < 0.8 else \
        g.rng.choice([0, 4, 8, 0xff, U32])


def _until(g):
    r = g.rng.random()
    if r < 0.8:
        return g.rng.choice([1000000, 100000000, 1000000000, 5000000000])
    return g.rng.choice([0, 1, U64, g.st.time + 1000000000])


def _result_size(g):
    r = g.rng.random()
    return g.rng.choice([0, 1, 4]) if r < 0.1 else \
        g.rng.randint(64, 1024) if r < 0.4 else \
        g.rng.randint(4096, 65535) if r < 0.95 else g.rng.choice([65536, U32])


LEAF_HINTS = {
    'core-uid': _core_uid,
    'server-uid': _server_uid,
    'mem-space-id': _space_id,
    'reg-group-id': _group_id,
    'trig-id': _trig_id,
    'start-index': lambda g: g.index(),
    'n-steps': lambda g: g.steps(),
    'step-type': lambda g: w.STEP_INSTR if g.chance(0.88) else
    g.rng.choice([1, 0, 3, 0x100, U32]),
    'rst-class-vector': _rst_vector,
    'rst-class': lambda g: g.rng.choice([0, 1, 0, 1, 2, 3, 31, 255]),
    'rst-and-halt': lambda g: g.chance(0.7),
    'run-until-time': _until,
    'absolute-time': lambda g: g.chance(0.15),
    'global': lambda g: g.chance(0.3),
    'enable': lambda g: g.chance(0.7),
    'command-string': lambda g: g.hmp(),
    'result-string-size': _result_size,
    'max-len': _result_size,
    'url-length': _result_size,
    'host': lambda g: g.rng.choice(['', '', 'localhost', '127.0.0.1']),
    'system-key': lambda g: '' if g.chance(0.9) else g.text(),
    'config-string': lambda g: '' if g.chance(0.7) else g.text(40),
    'address': lambda g: g.ram_addr(),
    'timeout': lambda g: g.rng.choice([0, 1, 10]),
    'max-trig-size': lambda g: g.rng.choice([0, 64, 1024, 65535, U32]),
    'trace-id': lambda g: g.rng.choice([0, 1, 2, U32]),
    'trace-data-size': lambda g: g.rng.choice([0, 48, 64, 4096, U32]),
}
for _n in ('num-servers', 'num-systems', 'num-devices', 'num-cores',
           'num-modes', 'num-mem-spaces', 'num-mem-blocks',
           'num-active-overlays', 'num-reg-groups', 'num-regs',
           'num-reg-ids', 'num-ctrigs', 'num-trigs', 'num-traces',
           'num-frames', 'msg-len'):
    LEAF_HINTS[_n] = lambda g: g.count()

STRUCT_BUILDERS = {
    'MCDCoreConInfo': Gen.con_info,
    'MCDAPIVersion': Gen.version,
    'MCDTxlist': Gen.txlist,
    'MCDTrig': Gen.trig,
}

# How often each command is chosen for a well-formed request; commands the
# schema has and this table lacks get 0.5.
WEIGHTS = {
    'mcd-initialize': 1, 'mcd-exit': 0.3, 'mcd-qry-servers': 1,
    'mcd-open-server': 1, 'mcd-close-server': 0.3,
    'mcd-set-server-config': 0.5, 'mcd-qry-server-config': 1,
    'mcd-qry-systems': 1, 'mcd-qry-devices': 1, 'mcd-qry-cores': 1,
    'mcd-qry-core-modes': 1, 'mcd-open-core': 1, 'mcd-close-core': 0.4,
    'mcd-qry-error-info': 2, 'mcd-qry-device-description': 0.5,
    'mcd-qry-max-payload-size': 0.5, 'mcd-qry-input-handle': 0.3,
    'mcd-qry-mem-spaces': 2, 'mcd-qry-mem-blocks': 2,
    'mcd-qry-active-overlays': 0.5, 'mcd-qry-reg-groups': 1.5,
    'mcd-qry-reg-map': 2, 'mcd-qry-reg-compound': 0.5,
    'mcd-qry-trig-info': 1, 'mcd-qry-ctrigs': 0.5, 'mcd-create-trig': 5,
    'mcd-qry-trig': 2, 'mcd-remove-trig': 2, 'mcd-qry-trig-state': 2,
    'mcd-activate-trig-set': 1, 'mcd-remove-trig-set': 0.5,
    'mcd-qry-trig-set': 1.5, 'mcd-qry-trig-set-state': 1,
    'mcd-execute-txlist': 14, 'mcd-run': 3, 'mcd-stop': 3.5,
    'mcd-run-until': 1, 'mcd-qry-current-time': 1, 'mcd-step': 6,
    'mcd-set-global': 1, 'mcd-qry-state': 4, 'mcd-execute-command': 0.6,
    'mcd-qry-rst-classes': 0.5, 'mcd-qry-rst-class-info': 0.5,
    'mcd-rst': 1.5, 'mcd-chl-open': 0.3, 'mcd-send-msg': 0.3,
    'mcd-receive-msg': 0.3, 'mcd-chl-reset': 0.2, 'mcd-chl-close': 0.2,
    'mcd-qry-traces': 0.3, 'mcd-qry-trace-state': 0.3,
    'mcd-set-trace-state': 0.3, 'mcd-read-trace': 0.3,
}

# Requests whose answer the next ones depend on, or that take long: they
# are waited for instead of pipelined.
BARRIER = {'mcd-open-server', 'mcd-close-server', 'mcd-open-core',
           'mcd-close-core', 'mcd-step', 'mcd-rst', 'mcd-execute-command',
           'mcd-exit'}


# --- hostile requests -----------------------------------------------------

def walk(t, v, path=()):
    """(path, type, value) of every node of @v that matches @t."""
    yield path, t, v
    if t is None:
        return
    if t.kind == 'struct' and isinstance(v, dict):
        ms = {m[0]: m[1] for m in t.members}
        if t.tag is not None and v.get(t.tag) in t.branches:
            ms.update({m[0]: m[1] for m in t.branches[v[t.tag]]})
        for k, sub in v.items():
            if k in ms:
                yield from walk(ms[k], sub, path + (k,))
    elif t.kind == 'list' and isinstance(v, list):
        for i, sub in enumerate(v[:32]):
            yield from walk(t.elem, sub, path + (i,))
    elif t.kind == 'alt':
        for a in t.alts:
            if not validate(a, v):
                yield from list(walk(a, v, path))[1:]
                break


def set_at(root, path, value):
    node = root
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def get_at(root, path):
    for p in path:
        root = root[p]
    return root


class Hostile:
    """Turns a well-formed request into a hostile one."""

    def __init__(self, gen):
        self.g = gen
        self.rng = gen.rng

    def string(self):
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            return 'A' * rng.choice([64, 65, 128, 255, 256, 1024, 10240])
        if r < 0.35:
            return ''.join(chr(rng.randint(1, 0x1f)) for _ in
                           range(rng.randint(1, 64)))
        if r < 0.45:
            return 'x\0y' * rng.randint(1, 20)
        if r < 0.55:
            return rng.choice(['\ud800', '\udfff', '\ud83d', 'a\udc00b'])
        if r < 0.65:
            # Non-ASCII text, astral planes included (no lone surrogates).
            return ''.join(chr(rng.choice([rng.randint(0x80, 0x7ff),
                                           rng.randint(0xe000, 0xffff),
                                           rng.randint(0x10000, 0x10ffff)]))
                           for _ in range(rng.randint(1, 300)))
        if r < 0.75:
            return rng.choice(['%s%s%s%n', '%x' * 100, '\\', '"', '{}',
                               '../../../../etc/passwd', '$(id)'])
        if r < 0.85:
            return Raw(bytes(rng.choice([0xff, 0xfe, 0xc0, 0x80, 0xed,
                                         0xf8, 0x41])
                             for _ in range(rng.randint(1, 40))),
                       quoted=True)
        chunk = ''.join(chr(rng.randint(0x20, 0x7e)) for _ in range(256))
        return chunk * (rng.choice([10240, 10240, 100000]) // 256)

    def wrong(self, t):
        rng = self.rng
        opts = ['str', -1, 1.5, True, None, [], [1, 2], {}, {'a': 1},
                Raw(b'[' * 100 + b']' * 100), 'x' * 1000, U64 + 1]
        if t is not None and t.kind == 'int':
            opts += ['0', '1', False]
        return rng.choice(opts)

    def big_list(self, t, path):
        """A list of up to 100000 entries, bounded to a few MiB of JSON."""
        g = self.g
        one = g.value(t.elem, path + (0,)) if t.elem else 0
        item = serialize(one)[:-1]
        n = min(100000, max(1, (6 << 20) // max(len(item), 1)))
        # Serialized now: later mutations must not reach into it.
        return Raw(b'[' + b','.join([item] * n) + b']')

    def mutate(self, cmd, args):
        """Apply one to three mutations; returns the request object."""
        rng = self.rng
        c = self.g.model.commands.get(cmd)
        t = c.args if c else None
        req = {'execute': cmd}
        if args is not None:
            req['arguments'] = copy.deepcopy(args)
        what = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            what.append(self.mutate_once(req, t))
        return req, what

    def mutate_once(self, req, t):
        rng = self.rng
        args = req.get('arguments')
        nodes = list(walk(t, args)) if (t is not None and
                                        isinstance(args, dict)) else []
        r = rng.random()
        if r < 0.08 or not nodes:
            return self.top(req)
        ints = [n for n in nodes if n[1] is not None and n[1].kind == 'int'
                and n[0]]
        strs = [n for n in nodes if n[1] is not None and n[1].kind == 'str'
                and n[0]]
        structs = [n for n in nodes if n[1] is not None and
                   n[1].kind == 'struct' and isinstance(n[2], dict)]
        lists = [n for n in nodes if n[1] is not None and
                 n[1].kind == 'list' and n[0]]
        leaves = [n for n in nodes if n[0]]
        r = rng.random()
        if r < 0.3 and ints:
            path, ty, v = rng.choice(ints)
            if rng.random() < 0.15:
                val = Raw(rng.choice(NUM_EDGES))
            else:
                val = rng.choice(INT_EDGES + [ty.lo - 1, ty.hi, ty.hi + 1])
            set_at(args, path, val)
            return 'int %s=%s' % ('.'.join(map(str, path)),
                                  val.data.decode() if isinstance(val, Raw)
                                  else val)
        if r < 0.45 and leaves:
            path, ty, v = rng.choice(leaves)
            set_at(args, path, self.wrong(ty))
            return 'type %s' % '.'.join(map(str, path))
        if r < 0.58 and structs:
            path, ty, v = rng.choice(structs)
            node = get_at(args, path) if path else args
            present = [k for k in node]
            if present:
                k = rng.choice(present)
                del node[k]
                return 'missing %s' % '.'.join(map(str, path + (k,)))
        if r < 0.68 and structs:
            path, ty, v = rng.choice(structs)
            node = get_at(args, path) if path else args
            k = rng.choice(['extra', 'id', 'core_uid', 'x' * 300, '',
                            'data-hex', 'core-uid', 'trig-id'])
            if k in node:
                k += '-extra'
            node[k] = rng.choice([1, 'x', None, [], {}])
            return 'extra %s' % '.'.join(map(str, path + (k[:20],)))
        if r < 0.8 and strs:
            path, ty, v = rng.choice(strs)
            if path[-1] == 'command-string':
                s = self.g.hmp_garbage()
                s = s if hmp_safe(s, self.g.hmp_allow) else '#' + s
            else:
                s = self.string()
            set_at(args, path, s)
            return 'string %s' % '.'.join(map(str, path))
        if r < 0.82 and lists:
            path, ty, v = rng.choice(lists)
            set_at(args, path, self.big_list(ty, path))
            return 'big list %s' % '.'.join(map(str, path))
        if r < 0.95 or not leaves:
            return self.counts(args)
        path, ty, v = rng.choice(leaves)
        depth = rng.choice([100, 1000, 1100])
        set_at(args, path, Raw(b'[' * depth + b']' * depth))
        return 'nest %d at %s' % (depth, '.'.join(map(str, path)))

    def counts(self, args):
        """Counts that disagree with what is sent."""
        rng = self.rng
        tl = args.get('txlist') if isinstance(args, dict) else None
        if isinstance(tl, dict) and isinstance(tl.get('tx'), list):
            r = rng.random()
            if r < 0.3:
                tl['num-tx'] = rng.choice([0, len(tl['tx']) + 1, 65, 100000,
                                           U32])
                return 'num-tx=%s' % tl['num-tx']
            if tl['tx'] and isinstance(tl['tx'][0], dict):
                tx = tl['tx'][0]
                if r < 0.6:
                    tx['num-bytes'] = rng.choice([0, 12289, 65536, 100000,
                                                  U32])
                    return 'num-bytes=%s' % tx['num-bytes']
                if r < 0.8:
                    tx['data'] = [rng.getrandbits(8)] * \
                        rng.choice([1, 12288, 12289, 100000])
                    tx['access-type'] = w.TX_W
                    return 'data of %d bytes' % len(tx['data'])
                tx['data-hex'] = rng.choice(['0', 'zz', 'abc', '00' * 12289,
                                             'G0', ' 00', '0x00'])
                return 'data-hex %r' % tx['data-hex'][:8]
        for k in ('n-steps', 'num-regs', 'num-trigs', 'msg-len',
                  'num-frames', 'result-string-size'):
            if isinstance(args, dict) and k in args:
                args[k] = rng.choice([U32, 2 ** 31, 100000])
                return '%s=%s' % (k, args[k])
        return 'none'

    def top(self, req):
        """Mutations of the request object itself."""
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            req['execute'] = rng.choice(
                ['mcd-no-such-command', 'mcd-', '', 'MCD-QRY-SYSTEMS',
                 'mcd_qry_systems', 'query-status', 'qmp_capabilities',
                 'mcd-qry-systems\0', 'mcd-' + 'x' * 5000,
                 'x-' + self.g.text(8)])
            return 'execute=%r' % req['execute'][:20]
        if r < 0.4:
            req['execute'] = rng.choice([42, None, [], {}, True])
            return 'execute of wrong type'
        if r < 0.55:
            req['arguments'] = rng.choice([[], 'x', 1, None, True, [{}]])
            return 'arguments of wrong type'
        if r < 0.65:
            req.pop('arguments', None)
            return 'no arguments'
        if r < 0.75:
            req.pop('execute', None)
            return 'no execute'
        if r < 0.85:
            req[rng.choice(['exec-oob', 'control', 'extra', 'ID'])] = 1
            return 'extra top-level member'
        base = req.get('arguments')
        req['arguments'] = dict(base if isinstance(base, dict) else {},
                                **{'x' * 10: Raw(b'{' * 500 + b'}' * 500)})
        return 'nested extra member'


# --- garbage lines --------------------------------------------------------

class Garbage:
    """
    Raw lines and their expected answers: (data, parts).  A part is
    ('err', lo, hi) for id-less error answers, or ('req', id) for a
    request embedded in the line that must be answered.
    """

    def __init__(self, gen, hostile):
        self.g = gen
        self.h = hostile
        self.rng = gen.rng

    def valid_line(self, rid):
        g = self.g
        cmd = g.rng.choice(['mcd-qry-systems', 'mcd-qry-servers',
                            'mcd-qry-error-info', 'mcd-qry-state',
                            'mcd-qry-mem-spaces'])
        args = g.args(cmd)
        req = {'execute': cmd, 'id': rid}
        if args is not None:
            req['arguments'] = args
        return serialize(req)[:-1]

    def make(self, next_id):
        """Returns (data, parts, what); ids are taken from @next_id()."""
        rng = self.rng
        r = rng.random()
        if r < 0.15:
            n = rng.choice([1, 10, 100, 1000, 20000])
            body = bytes(rng.choice([rng.randint(0, 9), rng.randint(11, 255)])
                         for _ in range(min(n, 4096)))
            body = (body * (n // max(len(body), 1) + 1))[:n]
            return b'@' + body + b'\n', [('err', 1, 1)], 'random bytes'
        if r < 0.25:
            d = rng.choice([1025, 2000, 5000])
            ch = rng.choice([b'[', b'{"a":', b'[{"a":'])
            close = b''
            if rng.random() < 0.5:
                close = {b'[': b']', b'{"a":': b'1}',
                         b'[{"a":': b'1}]'}[ch] * d
            return ch * d + close + b'\n', [('err', 1, 1)], \
                'nesting %d' % d
        if r < 0.4:
            rid = next_id()
            line = self.valid_line(rid)
            cut = rng.randint(1, len(line) - 1)
            return line[:cut] + b'\x01' + line[cut:] + b'\n', \
                [('err', 1, 1)], 'control byte inside a request'
        if r < 0.55:
            ids = [next_id() for _ in range(rng.randint(2, 5))]
            sep = rng.choice([b'', b' ', b'\t', b'  '])
            return sep.join(self.valid_line(i) for i in ids) + b'\n', \
                [('req', i) for i in ids], '%d requests on a line' % len(ids)
        if r < 0.62:
            a, b = next_id(), next_id()
            return self.valid_line(a) + b'@@@' + self.valid_line(b) + \
                b'\n', [('req', a), ('err', 1, 1), ('req', b, 0)], \
                'garbage between requests'
        if r < 0.7:
            return rng.choice([b'\n', b'   \n', b'\r\n', b'\t\n']), [], \
                'empty line'
        if r < 0.78:
            return rng.choice([b'[1, 2, 3]', b'42', b'"x"', b'null',
                               b'true', b'[]', b'{}',
                               b'{"execute": "mcd-qry-systems"}']) + \
                b'\n', [('err', 1, 1)], 'not a request'
        if r < 0.84:
            rid = next_id()
            n = rng.choice([2, 4, 8]) << 20
            req = {'execute': 'mcd-qry-systems', 'id': rid,
                   'arguments': {'start-index': 0, 'num-systems': 0,
                                 'pad': 'p' * n}}
            # Lines over 1 MiB may be refused without being parsed.
            return serialize(req), [('any', rid, 2)], \
                'line of %d MiB' % (n >> 20)
        if r < 0.9:
            n = rng.choice([2, 4]) << 20
            return b'"' + b'q' * n + b'"\n', [('err', 1, 1)], \
                'string of %d MiB' % (n >> 20)
        if r < 0.95:
            rid = next_id()
            line = self.valid_line(rid)
            line = line.replace(b'{', b'{"execute":"mcd-qry-systems",', 1)
            return line + b'\n', [('any', rid)], 'duplicate key'
        rid = next_id()
        line = self.valid_line(rid)
        pos = rng.randint(1, len(line) - 1)
        bad = bytes([rng.choice([0x80, 0xc0, 0xff, 0xed, 0xa0])])
        return line[:pos] + bad + line[pos:] + b'\n', [('any', rid)], \
            'invalid UTF-8 byte'


# --- the fuzzing run ------------------------------------------------------

class Failure:
    def __init__(self, kind, summary, details='', files=()):
        self.kind = kind            # crash hang sanitizer violation unclean
        self.summary = summary
        self.details = details
        self.files = list(files)


class Run:
    """One architecture and seed: one QEMU at a time, many connections."""

    def __init__(self, opts, model, arch, seed, budget, deadline, workdir):
        self.o = opts
        self.model = model
        self.arch = arch
        self.seed = seed
        self.budget = budget
        self.deadline = deadline
        self.workdir = workdir
        self.rng = random.Random('%s:%s' % (seed, arch.name))
        self.hmp_allow = hmp_allowed(arch)
        self.gen = Gen(model, self.rng, arch, self.hmp_allow)
        self.gen.no_mmio = opts.no_mmio
        self.hostile = Hostile(self.gen)
        self.garbage = Garbage(self.gen, self.hostile)
        self.c = collections.Counter()
        self.failures = []
        self.warnings = collections.Counter()
        self.log = w.ReplayLog()
        self.qemu = None
        self.instances = 0
        self.reg_cache = {}
        self.rss_1000 = None
        self.rss_end = None
        self.client = None
        self.prev_drop = None
        self.fails_seen = collections.Counter()
        self.deferred = []
        self.slow = []
        names = list(model.commands)
        self.cmd_names = names
        self.cmd_weights = [WEIGHTS.get(n, 0.5) for n in names]
        self.t0 = w.now()

    # QEMU

    def binary(self):
        return os.path.join(self.o.qemu_dir, 'qemu-system-' + self.arch.name)

    def start_qemu(self):
        self.instances += 1
        extra = ['-smp', '2', '-serial', 'null']
        if self.o.guest:
            extra += self.arch.guest
        else:
            extra += ['-S']
        tag = '%s-s%s-q%d' % (self.arch.name, self.seed, self.instances)
        self.qemu = w.Qemu(self.binary(), self.arch, extra, self.workdir,
                           tag, tcp=not self.o.unix,
                           wrapper=w.wrapper_of(self.o),
                           env=self.o.env_extra,
                           sanitizer_env=not self.o.no_sanitizer_env)
        self.qemu.start()
        self.reg_cache = {}

    def stop_qemu(self):
        if not self.qemu:
            return
        q = self.qemu
        self.qemu = None
        q.stop(grace=30 if not self.o.no_sanitizer_env else 10)
        self.scan_sanitizer(q, final=True)

    def scan_sanitizer(self, q=None, final=False):
        q = q or self.qemu
        if not q:
            return
        new = q.watch.scan()
        if new:
            self.c['sanitizer'] += len(new)
            for line in new:
                # Addresses and pids differ between reports of one bug.
                key = re.sub(r'0x[0-9a-f]+', '0x...',
                             re.sub(r'==\d+==', '', line)).strip()
                self.fail('sanitizer', key, q.watch.tail(80),
                          self.save_replay('sanitizer', key))

    # bookkeeping

    def fail(self, kind, summary, details='', files=()):
        self.fails_seen[(kind, summary)] += 1
        if self.fails_seen[(kind, summary)] <= 3:
            self.failures.append(Failure(kind, summary, details, files))
        if self.o.verbose:
            print('[%s] %s: %s' % (self.arch.name, kind, summary),
                  file=sys.stderr)

    def save_replay(self, kind, summary=None):
        """Keep the replay log; the first three of a kind are enough."""
        if not self.o.log or self.fails_seen[(kind, summary)] >= 3:
            return []
        n = sum(self.fails_seen.values()) + 1
        path = os.path.join(self.workdir, '%s-s%s-%03d-%s.replay' %
                            (self.arch.name, self.seed, n, kind))
        self.log.dump(path, {'arch': self.arch.name, 'seed': self.seed,
                             'kind': kind,
                             'cmdline': self.qemu.cmdline if self.qemu
                             else None})
        return [path]

    def violation(self, msg, line):
        # Counted by the client; the failure list wants one per kind.
        key = re.sub(r'\d+', 'N', msg.split(':')[0])
        self.fail('violation', key, msg + '\nline: ' + w.preview(line, 600))

    def time_left(self):
        return self.deadline - w.now()

    def done(self):
        return self.c['sent'] >= self.budget or self.time_left() <= 0

    def note_rss(self):
        if self.rss_1000 is None and self.c['sent'] >= 1000 and self.qemu:
            self.rss_1000 = self.qemu.rss_kb()

    # main loop

    def run(self):
        self.start_qemu()
        try:
            while not self.done():
                try:
                    self.connection()
                except w.ServerGone as e:
                    self.server_gone(e)
                except w.Hang as e:
                    self.hang(e)
                except (KeyboardInterrupt, RuntimeError):
                    raise
                except Exception:
                    # A bug of this tool: say so, and go on with a new
                    # connection rather than lose the run.
                    self.c['tool errors'] += 1
                    self.fail('tool error', traceback.format_exc()
                              .strip().splitlines()[-1],
                              traceback.format_exc())
                    if self.client:
                        self.client.conn.finish()
                        self.client = None
            if self.qemu:
                self.rss_end = self.qemu.rss_kb()
                # The last client leaves cleanly, so that exit is orderly.
        finally:
            if self.client:
                self.slow.extend(self.client.slow)
                self.client.conn.finish()
            self.stop_qemu()
        return self

    def new_client(self):
        self.deferred = []
        sock = self.qemu.connect()
        self.log.new_conn('unix' if self.o.unix else 'tcp')
        conn = w.Conn(sock, self.log, self.qemu.alive)
        if self.client:
            self.slow = sorted(self.slow + self.client.slow)[-10:]
        self.client = w.Client(conn, self.o.timeout_answer,
                               self.violation, self.c)
        self.gen.st = State()
        return self.client

    def connection(self):
        cl = self.new_client()
        st = self.gen.st
        s, problems = w.open_session(cl, self.reg_cache)
        st.s = s
        if problems:
            self.c['unclean'] += 1
            prev = self.prev_drop or 'start'
            key = problems[0] + ' (previous client: %s)' % prev
            self.fail('unclean', key, '\n'.join(problems),
                      self.save_replay('unclean', key))
            self.recover_server(cl)
        self.refresh(cl)
        lifetime = self.rng.choice([5, 20, 50, 100, 300, 1000, 3000])
        for _ in range(lifetime):
            if self.done():
                break
            self.action(cl)
            self.note_rss()
        cl.drain()
        cl.flush_extras()
        self.scan_sanitizer()
        self.drop(cl)

    def recover_server(self, cl):
        """After an unclean start: close what is open, as a debugger would."""
        cl.submit_line(w.encode({'execute': 'mcd-exit'}), cmd='mcd-exit',
                       lo=0, hi=1, hang=False)
        cl.sync()
        s, problems = w.open_session(cl, self.reg_cache)
        self.gen.st.s = s
        if problems:
            raise w.Hang('server stays unusable: ' + problems[0])

    def refresh(self, cl):
        st = self.gen.st
        arch = self.arch
        for i, uid in st.s.cores.items():
            names = st.s.reg_by_name.get(i, {})
            for reg, store in ((arch.pc, st.pc), (arch.sp, st.sp)):
                if reg in names:
                    v = w.read_reg(cl, st.s, i, reg)
                    if v is not None:
                        store[i] = v
            r = cl.ret('mcd-qry-mem-blocks', {'core-uid': uid,
                                              'mem-space-id':
                                              st.s.space(i, w.MEM_PHYSICAL)
                                              or 1,
                                              'start-index': 0,
                                              'num-mem-blocks': 64})
            if r and not r['return-status']:
                st.mem_blocks[i] = r.get('mem-blocks', [])

    # failures

    def server_gone(self, e):
        q = self.qemu
        q.wait_exit(5)
        if self.client:
            self.client.conn.finish()
        if q.alive():
            self.c['violations'] += 1
            key = 'QEMU closed the connection (%s)' % e
            self.fail('violation', key, '', self.save_replay('violation',
                                                               key))
            return
        self.c['crashes'] += 1
        key = 'QEMU %s' % q.exit_desc()
        files = self.save_replay('crash', key)
        last = self.log.last_sent(3)
        self.fail('crash', key,
                  'last requests sent:\n' +
                  '\n'.join('  ' + w.preview(l, 500) for l in last) +
                  '\nstderr:\n' + q.watch.tail(60), files)
        self.scan_sanitizer(q)
        self.qemu = None
        q.stop()
        if not self.done():
            self.start_qemu()

    def hang(self, e):
        q = self.qemu
        # Is QEMU stuck, or only this connection?
        probe = 'no answer on a new connection either'
        bt = ''
        try:
            if self.client:
                self.client.conn.close('rst')
            sock = q.connect(timeout=2)
            conn = w.Conn(sock, None, q.alive)
            pc = w.Client(conn, 3)
            pc.sync()
            probe = 'a new connection is answered'
            conn.finish()
        except (w.Hang, w.ServerGone, OSError):
            bt = q.backtrace() if self.fails_seen[('hang', str(e))] < 3 \
                else '(no backtrace: this hang was seen before)'
        self.c['hangs'] += 1
        files = self.save_replay('hang', str(e))
        if bt and files:
            path = files[0].replace('.replay', '.backtrace') if files else \
                os.path.join(self.workdir, 'hang.backtrace')
            with open(path, 'w') as f:
                f.write(bt)
            files.append(path)
        self.fail('hang', str(e), 'request: %s\nprevious client: %s\n%s\n%s'
                  % (w.preview(e.line, 500), self.prev_drop, probe,
                     bt[-4000:]), files)
        self.qemu = None
        q.kill()
        self.scan_sanitizer(q)
        if not self.done():
            self.start_qemu()

    # actions

    def action(self, cl):
        r = self.rng.random()
        o = self.o
        if r < o.garbage_share:
            self.do_garbage(cl)
        elif r < o.garbage_share + o.hostile_share:
            self.do_hostile(cl)
        elif r < o.garbage_share + o.hostile_share + 0.04:
            self.do_special(cl)
        else:
            self.do_request(cl)
        while self.deferred:
            cl.drain()
            self.deferred.pop(0)(cl)

    def choose(self):
        st = self.gen.st
        if st.s.server_uid is None and self.rng.random() < 0.7:
            return 'mcd-open-server'
        if st.s.server_uid is not None and not st.s.cores and \
           self.rng.random() < 0.6:
            return 'mcd-open-core'
        return self.rng.choices(self.cmd_names, self.cmd_weights)[0]

    def allowance(self, cmd, args):
        a = self.o.timeout_answer
        if cmd == 'mcd-step' and isinstance(args, dict):
            n = args.get('n-steps', 0)
            if isinstance(n, int) and n > 0:
                a += 5 + 1e-5 * min(n, U32) + 2
        return a

    def do_request(self, cl):
        cmd = self.choose()
        if cmd == 'mcd-exit':
            self.do_exit(cl)
            return
        args = self.gen.args(cmd)
        if cmd == 'mcd-step' and args.get('n-steps', 0) > 50000 and \
           self.allowance(cmd, args) > self.time_left():
            args['n-steps'] = 50000
        e = cl.submit(cmd, args, self.allowance(cmd, args), self.on_answer)
        if cmd in BARRIER or len(cl.pending) >= self.o.pipeline:
            if cmd in BARRIER:
                cl.wait(e)
            else:
                cl.pump(True)

    def do_exit(self, cl):
        cl.drain()
        cl.submit_line(w.encode({'execute': 'mcd-exit'}), cmd='mcd-exit',
                       lo=0, hi=0, hang=False)
        cl.sync()
        self.forget_all()

    def forget_all(self):
        st = self.gen.st
        st.stale.update(st.s.cores.values())
        st.s.cores.clear()
        st.trigs.clear()
        st.s.server_uid = None

    def on_answer(self, e):
        """Keep the state in step with what the server did."""
        ans = e.answer
        if not isinstance(ans, dict) or not isinstance(ans.get('return'),
                                                       dict):
            return
        r = ans['return']
        if r.get('return-status') != 0:
            return
        st = self.gen.st
        args = (e.req or {}).get('arguments') or {}
        cmd = e.cmd
        uid = args.get('core-uid') if isinstance(args, dict) else None
        if cmd == 'mcd-open-server' and 'server-uid' in r:
            st.s.server_uid = r['server-uid']
        elif cmd == 'mcd-close-server':
            self.forget_all()
        elif cmd == 'mcd-open-core' and 'core-uid' in r:
            info = args.get('core-con-info') or {}
            idx = info.get('core-id')
            if isinstance(idx, int) and idx < len(st.s.core_infos):
                st.s.cores[idx] = r['core-uid']
                if idx not in st.s.spaces:
                    # No I/O from inside an answer callback.
                    self.deferred.append(
                        lambda cl, i=idx: w.load_core_maps(cl, st.s, i,
                                                           self.reg_cache))
        elif cmd == 'mcd-close-core':
            idx = st.uid_index(uid)
            if idx is not None:
                del st.s.cores[idx]
                st.stale.add(uid)
                st.trigs.pop(uid, None)
        elif cmd == 'mcd-create-trig' and 'trig-id' in r:
            st.trigs[uid].add(r['trig-id'])
        elif cmd == 'mcd-remove-trig':
            st.trigs[uid].discard(args.get('trig-id'))
        elif cmd == 'mcd-remove-trig-set':
            st.trigs.pop(uid, None)
        elif cmd == 'mcd-qry-trig-set' and isinstance(r.get('trig-ids'),
                                                      list):
            if args.get('start-index') == 0:
                st.trigs[uid] = set(r['trig-ids'])
        elif cmd == 'mcd-qry-state' and isinstance(r.get('state'), dict):
            idx = st.uid_index(uid)
            st.cstate[idx] = r['state'].get('state')
        elif cmd == 'mcd-qry-current-time':
            st.time = r.get('current-time', st.time)
        elif cmd == 'mcd-execute-txlist':
            self.learn_regs(args, r)

    def learn_regs(self, args, r):
        st = self.gen.st
        idx = st.uid_index(args.get('core-uid'))
        names = st.s.reg_by_name.get(idx)
        if not names:
            return
        try:
            sent = args['txlist']['tx']
            got = r['txlist']['tx']
        except (KeyError, TypeError):
            return
        for reg, store in ((self.arch.pc, st.pc), (self.arch.sp, st.sp)):
            info = names.get(reg)
            if not info:
                continue
            for s_tx, g_tx in zip(sent, got):
                try:
                    if s_tx['addr']['mem-space-id'] == \
                       info['addr']['mem-space-id'] and \
                       s_tx['addr']['address'] == \
                       info['addr']['address'] and \
                       s_tx['access-type'] == w.TX_R and g_tx.get('data'):
                        store[idx] = int.from_bytes(bytes(g_tx['data'][:8]),
                                                    'little')
                except (KeyError, TypeError, ValueError):
                    pass

    def do_hostile(self, cl):
        r = self.rng.random()
        if r < 0.75:
            cmd = self.rng.choice(self.cmd_names)
        else:
            cmd = self.choose()
        if cmd == 'mcd-exit':
            cmd = 'mcd-qry-servers'
        args = self.gen.args(cmd)
        req, what = self.hostile.mutate(cmd, args)
        self.send_hostile(cl, req, what)

    def send_hostile(self, cl, req, what):
        args = req.get('arguments')
        if req.get('execute') == 'mcd-execute-command' and \
           isinstance(args, dict):
            s = args.get('command-string')
            if isinstance(s, str) and not hmp_safe(s, self.hmp_allow):
                args['command-string'] = '#' + s
            elif isinstance(s, Raw):
                args['command-string'] = '#'
        rid = cl.next_id
        cl.next_id += 1
        odd_id = self.rng.random() < 0.05
        if odd_id:
            req['id'] = self.rng.choice(['x' * 100, [1, 'a'], {'n': rid},
                                         None, 'id-%d' % rid, ''])
        else:
            req['id'] = rid
        line = serialize(req)
        n = args.get('n-steps') if isinstance(args, dict) else None
        if req.get('execute') == 'mcd-step' and isinstance(n, int) and \
           n > 50000:
            # A step that long is only sent right before a drop.
            req['arguments']['n-steps'] = 50000
            line = serialize(req)
        cl.drain()
        allow = self.allowance(req.get('execute'), args) + \
            len(line) / (1 << 20)
        e = cl.submit_line(line, req['id'], str(req.get('execute'))[:40],
                           allow, idless_ok=1 if len(line) < 1 << 20 else 2,
                           cb=self.on_answer, req=req)
        cl.wait(e)
        if req.get('execute') == 'mcd-exit' and e.answer is None:
            # It may have closed everything: start over, as a client must.
            self.forget_all()
            self.reopen_session(cl)

    def do_garbage(self, cl):
        cl.drain()

        def next_id():
            cl.next_id += 1
            return cl.next_id - 1

        data, parts, what = self.garbage.make(next_id)
        if b'execute-command' in data:
            return
        # The line goes out as one send; its expectations become entries.
        entries = []
        first = True
        for p in parts:
            if p[0] == 'err':
                entries.append(w.Entry(w.NOID, data if first else b'',
                                       'garbage: ' + what,
                                       self.o.timeout_answer, p[1], p[2],
                                       False, False))
            elif p[0] == 'req':
                lo = p[2] if len(p) > 2 else 1
                entries.append(w.Entry(p[1], data if first else b'',
                                       'request in garbage: ' + what,
                                       self.o.timeout_answer, lo, 1,
                                       lo == 0, lo > 0))
            else:
                entries.append(w.Entry(p[1], data, what,
                                       self.o.timeout_answer + 5, 1, 1,
                                       p[2] if len(p) > 2 else 1, True))
            first = False
        t = w.now()
        for e in entries:
            e.t = t
            cl.pending.append(e)
        cl.last_progress = t
        cl.conn.send(data, t + self.o.timeout_answer + len(data) / (1 << 20))
        cl.counters['sent'] += 1
        try:
            # A trivial request: it needs no long allowance.
            e = cl.submit('mcd-qry-systems', {'start-index': 0,
                                              'num-systems': 0},
                          allow=min(self.o.timeout_answer, 2.0))
            cl.wait(e)
        except w.Hang as e:
            raise w.Hang('no answer after a line with %s: %s' % (what, e),
                         data[:2000])
        # Errors the line should have earned and did not.
        self.check_garbage(entries, what, data)

    def check_garbage(self, entries, what, data):
        for e in entries:
            if e.lo == 1 and e.got == 0 and not e.hang:
                self.c['violations'] += 1
                self.fail('violation', 'no error answer for a malformed '
                          'line (%s)' % what, w.preview(data, 300))

    # special sequences

    def do_special(self, cl):
        cl.drain()
        st = self.gen.st
        idx = self.gen.pick_core()
        if idx is None:
            self.do_request(cl)
            return
        uid = st.s.cores[idx]
        k = self.rng.choice(['run-stop', 'step-check', 'trig-run',
                             'rst-check', 'burst', 'split', 'mem-check',
                             'reopen', 'exit', 'stop-all', 'step-stop',
                             'step-stop'])
        getattr(self, 'sp_' + k.replace('-', '_'))(cl, idx, uid)

    def sp_run_stop(self, cl, idx, uid):
        glob = self.rng.random() < 0.4
        cl.ret('mcd-run', {'core-uid': uid, 'global': glob})
        time.sleep(self.rng.choice([0, 0, 0.0005, 0.003]))
        cl.ret('mcd-qry-state', {'core-uid': uid})
        r = cl.ret('mcd-stop', {'core-uid': uid, 'global': glob})
        if r and r['return-status'] == 0:
            s = w.core_state(cl, uid)
            if s != w.STATE_DEBUG:
                self.warnings['state after a successful stop is %s' % s] += 1

    def sp_step_check(self, cl, idx, uid):
        n = self.rng.choice([1, 2, 3, 10, 100, 1000, 20000])
        r = cl.ret('mcd-step', {'core-uid': uid, 'global': False,
                                'step-type': w.STEP_INSTR, 'n-steps': n},
                   self.allowance('mcd-step', {'n-steps': n}))
        if r and r['return-status'] == 0:
            q = cl.ret('mcd-qry-state', {'core-uid': uid})
            s = (q or {}).get('state') or {}
            if s.get('state') != w.STATE_DEBUG:
                self.warnings['core not in debug state after a step'] += 1
        self.refresh_pc(cl, idx)

    def sp_step_stop(self, cl, idx, uid):
        """A long step ended by mcd-stop: both are answered at once."""
        glob = self.rng.random() < 0.3
        cl.ret('mcd-stop', {'core-uid': uid, 'global': glob})
        n = self.rng.choice([1000000, 20000000, U32])
        step = cl.submit('mcd-step', {'core-uid': uid, 'global': glob,
                                      'step-type': w.STEP_INSTR,
                                      'n-steps': n})
        time.sleep(self.rng.choice([0, 0, 0.0005, 0.002, 0.01]))
        others = [cl.submit(c, self.gen.args(c)) for c in
                  self.rng.sample(['mcd-qry-state', 'mcd-qry-current-time',
                                   'mcd-execute-txlist'],
                                  self.rng.randint(0, 2))]
        # Only a stop of the stepping core, or a global one, ends the step.
        stop_uid = uid
        if self.rng.random() < 0.3:
            stop_uid = self.rng.choice(list(self.gen.st.s.cores.values()))
        stop = cl.submit('mcd-stop', {'core-uid': stop_uid, 'global':
                                      stop_uid != uid or
                                      self.rng.random() < 0.5})
        cl.wait(stop)
        for e in [step] + others:
            cl.wait(e)
        self.refresh_pc(cl, idx)

    def refresh_pc(self, cl, idx):
        st = self.gen.st
        v = w.read_reg(cl, st.s, idx, self.arch.pc)
        if v is not None:
            st.pc[idx] = v

    def sp_trig_run(self, cl, idx, uid):
        st = self.gen.st
        self.gen.cur = idx
        trig = self.gen.trig(self.model.types.get('MCDTrig'), ('trig',))
        r = cl.ret('mcd-create-trig', {'core-uid': uid, 'trig': trig})
        tid = r.get('trig-id') if r and r['return-status'] == 0 else None
        if tid is not None:
            st.trigs[uid].add(tid)
        cl.ret('mcd-run', {'core-uid': uid, 'global':
                           self.rng.random() < 0.3})
        for _ in range(self.rng.choice([1, 3, 10])):
            s = w.core_state(cl, uid)
            if s == w.STATE_DEBUG:
                break
            time.sleep(0.0005)
        cl.ret('mcd-stop', {'core-uid': uid, 'global': True})
        if tid is not None and self.rng.random() < 0.7:
            cl.ret('mcd-remove-trig', {'core-uid': uid, 'trig-id': tid})
            st.trigs[uid].discard(tid)
        self.refresh_pc(cl, idx)

    def sp_rst_check(self, cl, idx, uid):
        vec = self.rng.choice([1, 2])
        r = cl.ret('mcd-rst', {'core-uid': uid, 'rst-class-vector': vec,
                               'rst-and-halt': True})
        if r and r['return-status'] == 0:
            if w.core_state(cl, uid) != w.STATE_DEBUG:
                self.warnings['core not halted after rst-and-halt'] += 1
        self.refresh_pc(cl, idx)

    def sp_burst(self, cl, idx, uid):
        cmds = ['mcd-qry-state', 'mcd-qry-mem-spaces', 'mcd-qry-trig-set',
                'mcd-qry-current-time', 'mcd-qry-error-info',
                'mcd-execute-txlist', 'mcd-qry-reg-map']
        for _ in range(self.rng.choice([16, 64, 200])):
            cmd = self.rng.choice(cmds)
            args = self.gen.args(cmd)
            cl.submit(cmd, args, cb=self.on_answer)
        cl.drain()

    def sp_split(self, cl, idx, uid):
        cmd = self.rng.choice(['mcd-qry-state', 'mcd-execute-txlist',
                               'mcd-create-trig', 'mcd-qry-reg-map'])
        args = self.gen.args(cmd)
        rid = cl.next_id
        cl.next_id += 1
        line = serialize({'execute': cmd, 'arguments': args, 'id': rid})
        cuts = sorted(self.rng.sample(range(1, len(line)),
                                      min(len(line) - 1,
                                          self.rng.randint(1, 5))))
        e = w.Entry(rid, line, cmd, self.o.timeout_answer, cb=self.on_answer,
                    req={'arguments': args})
        e.t = w.now()
        cl.pending.append(e)
        prev = 0
        for c in cuts + [len(line)]:
            cl.conn.send(line[prev:c], w.now() + self.o.timeout_answer)
            prev = c
            time.sleep(self.rng.choice([0, 0.0005, 0.002]))
        e.t = w.now()
        cl.counters['sent'] += 1
        cl.wait(e)

    def sp_mem_check(self, cl, idx, uid):
        st = self.gen.st
        phys = st.s.space(idx, w.MEM_PHYSICAL, not_bits=0x10000)
        if not phys:
            return
        n = self.rng.choice([1, 4, 64, 4096])
        addr = self.arch.scratch + self.rng.randrange(0, 0x8000)
        data = bytes(self.rng.getrandbits(8) for _ in range(min(n, 64))) * \
            (n // min(n, 64))
        r = cl.ret('mcd-execute-txlist', w.txlist_args(uid, [
            w.tx(phys, addr, w.TX_W, len(data), data),
            w.tx(phys, addr, w.TX_R, len(data))]))
        if r and r['return-status'] == 0:
            back = bytes(r['txlist']['tx'][1].get('data', []))
            stopped = all(w.core_state(cl, u) == w.STATE_DEBUG
                          for u in st.s.cores.values())
            if back != data and stopped:
                self.warnings['read-back differs from what was written'] += 1

    def sp_reopen(self, cl, idx, uid):
        st = self.gen.st
        if self.rng.random() < 0.6:
            r = cl.ret('mcd-close-core', {'core-uid': uid})
            if r and r['return-status'] == 0:
                del st.s.cores[idx]
                st.stale.add(uid)
                st.trigs.pop(uid, None)
            info = st.s.core_infos[idx] if idx < len(st.s.core_infos) \
                else None
            if info:
                r = cl.ret('mcd-open-core', {'core-con-info': info})
                if r and r['return-status'] == 0:
                    st.s.cores[idx] = r['core-uid']
                    r = cl.ret('mcd-qry-trig-set',
                               {'core-uid': r['core-uid'], 'start-index': 0,
                                'num-trigs': 0})
                    if r and r.get('num-trigs'):
                        self.c['unclean'] += 1
                        self.fail('unclean', 'reopened core has triggers')
        else:
            r = cl.ret('mcd-close-server', {'server-uid': st.s.server_uid})
            self.forget_all()
            self.reopen_session(cl)

    def reopen_session(self, cl):
        s, problems = w.open_session(cl, self.reg_cache)
        self.gen.st.s = s
        if problems:
            self.c['unclean'] += 1
            key = 'after close within a connection: ' + problems[0]
            self.fail('unclean', key, '\n'.join(problems),
                      self.save_replay('unclean', key))
            self.recover_server(cl)

    def sp_exit(self, cl, idx, uid):
        self.do_exit(cl)
        self.reopen_session(cl)

    def sp_stop_all(self, cl, idx, uid):
        cl.ret('mcd-stop', {'core-uid': uid, 'global': True})
        for i, u in self.gen.st.s.cores.items():
            cl.ret('mcd-qry-state', {'core-uid': u})
            self.refresh_pc(cl, i)

    def send_unread(self, cl, n):
        """Requests without reading answers, until QEMU stops reading."""
        def lines():
            for _ in range(n):
                cmd = self.rng.choice(['mcd-qry-reg-map',
                                       'mcd-execute-txlist', 'mcd-qry-state',
                                       'mcd-qry-mem-spaces'])
                yield serialize({'execute': cmd,
                                 'arguments': self.gen.args(cmd)})
        return cl.conn.send_unread(lines())

    # dropping the connection

    DROPS = [('fin', 18), ('rst', 18), ('midline', 14), ('after-step', 16),
             ('after-run', 6), ('after-rst', 5), ('unread', 9), ('exit', 5),
             ('shut', 4), ('after-garbage', 5)]

    def drop(self, cl):
        kinds, weights = zip(*self.DROPS)
        kind = self.rng.choices(kinds, weights)[0]
        how = self.rng.choice(['fin', 'rst'])
        st = self.gen.st
        uids = list(st.s.cores.values())
        uid = self.rng.choice(uids) if uids else 1
        detail = kind
        try:
            if kind in ('fin', 'rst'):
                how = kind
            elif kind == 'midline':
                cmd = self.rng.choice(['mcd-step', 'mcd-execute-txlist',
                                       'mcd-open-server', 'mcd-create-trig'])
                line = serialize({'execute': cmd,
                                  'arguments': self.gen.args(cmd)})
                cut = self.rng.randint(1, len(line) - 2)
                cl.conn.send(line[:cut], w.now() + 5)
                detail = 'midline (%d of %d bytes of %s)' % (cut, len(line),
                                                             cmd)
            elif kind == 'after-step':
                n = self.rng.choice([1, 1000, 50000, 1000000, 20000000,
                                     U32])
                glob = self.rng.random() < 0.3
                cl.ret('mcd-stop', {'core-uid': uid, 'global': glob})
                cl.conn.send(w.encode({'execute': 'mcd-step', 'arguments': {
                    'core-uid': uid, 'global': glob,
                    'step-type': w.STEP_INSTR, 'n-steps': n}}), w.now() + 5)
                time.sleep(self.rng.choice([0, 0, 0.001, 0.02]))
                detail = 'after step of %d (global %s)' % (n, glob)
            elif kind == 'after-run':
                cl.conn.send(w.encode({'execute': 'mcd-run', 'arguments': {
                    'core-uid': uid, 'global': self.rng.random() < 0.5}}),
                    w.now() + 5)
            elif kind == 'after-rst':
                cl.conn.send(w.encode({'execute': 'mcd-rst', 'arguments': {
                    'core-uid': uid, 'rst-class-vector':
                    self.rng.choice([1, 2]), 'rst-and-halt':
                    self.rng.random() < 0.5}}), w.now() + 5)
            elif kind == 'unread':
                n = self.rng.choice([5, 50, 500, 5000])
                sent = self.send_unread(cl, n)
                detail = 'with %d of %d requests unread' % (sent, n)
            elif kind == 'exit':
                cl.conn.send(w.encode({'execute': 'mcd-exit'}), w.now() + 5)
            elif kind == 'shut':
                cl.conn.send(w.encode({'execute': 'mcd-qry-state',
                                       'arguments': {'core-uid': uid}}),
                             w.now() + 5)
                how = 'shut'
            elif kind == 'after-garbage':
                cl.conn.send(self.rng.choice([
                    b'{"execute": ', b'[' * 1500, b'{"execute":"mcd-run",',
                    b'"unterminated', b'{' * 3000 + b'\n']), w.now() + 5)
            self.c['sent'] += 1
        finally:
            pass
        if kind == 'shut':
            cl.conn.close('shut')
            try:
                deadline = w.now() + 1
                while cl.conn.recv_line(deadline) is not None:
                    pass
            except w.ServerGone:
                pass
            cl.conn.finish()
            detail = 'shutdown(SHUT_WR)'
        else:
            cl.conn.close(how)
        self.c['dropped'] += 1
        self.prev_drop = '%s, %s' % (detail, how)
        self.client = None


# --- replaying a log ------------------------------------------------------

def replay(opts, path):
    """Send a replay log to a fresh QEMU; say what happened."""
    with open(path) as f:
        recs = [json.loads(l) for l in f if l.strip()]
    head = recs[0]
    arch = w.ARCHES[opts.arch.split(',')[0] if opts.arch_given else
                    head['arch']]
    workdir, temp = w.make_workdir(opts.log)
    extra = ['-smp', '2', '-serial', 'null']
    extra += arch.guest if opts.guest else ['-S']
    binary = os.path.join(opts.qemu_dir, 'qemu-system-' + arch.name)
    wrapper = w.wrapper_of(opts)
    if opts.replay_gdb:
        wrapper = w.GDB_WRAPPER
    q = w.Qemu(binary, arch, extra, workdir, 'replay', tcp=not opts.unix,
               wrapper=wrapper, env=opts.env_extra,
               sanitizer_env=not opts.no_sanitizer_env)
    q.start(timeout=120 if opts.replay_gdb else 60)
    conn = None
    result = 'no failure reproduced'
    missing = 0
    try:
        for r in recs[1:]:
            op = r['op']
            if op == 'connect':
                if conn:
                    conn.finish()
                conn = w.Conn(q.connect(), None, q.alive)
            elif op == 'send':
                conn.send(r['data'].encode('latin-1'), w.now() + 30)
            elif op == 'recv':
                # The state may differ from the logged run: do not insist.
                if conn.recv_line(w.now() + 2) is None:
                    missing += 1
            elif op == 'drop':
                conn.close(r['data'] if r['data'] in ('fin', 'rst', 'shut')
                           else 'fin')
                if r['data'] == 'shut':
                    conn.finish()
                conn = None
        time.sleep(1)
        if conn:
            conn.finish()
            conn = None
        # A last client proves the server still answers.
        c2 = w.Client(w.Conn(q.connect(), None, q.alive),
                      opts.timeout_answer + 5)
        c2.sync()
        c2.conn.finish()
    except w.ServerGone as e:
        q.wait_exit(10)
        if not q.alive():
            result = 'CRASH: QEMU %s (%s)' % (q.exit_desc(), e)
        else:
            result = 'QEMU closed the connection: %s' % e
    except w.Hang as e:
        result = 'HANG: %s' % e
    finally:
        if conn:
            conn.finish()
        if opts.replay_gdb and q.alive():
            time.sleep(2)
        q.stop()
    if missing:
        result += ' (%d answers of the log did not come)' % missing
    print(result)
    print('stderr (%s):' % q.stderr_path)
    print(q.watch.tail(80))
    san = q.watch.scan()
    if san:
        print('sanitizer reports: %d' % len(san))
    if temp:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if result.startswith('no failure') and not san else 1


# --- self test ------------------------------------------------------------

def self_test(model, opts):
    """Generate from the schema and check the generator against it."""
    arch = w.ARCHES['aarch64']
    rng = random.Random(1)
    g = Gen(model, rng, arch, hmp_allowed(arch))
    st = g.st
    st.s.server_uid = 1
    info = {'host': 'h', 'server-port': 0, 'server-key': '',
            'system-key': '', 'device-key': '', 'system': 'QEMU',
            'system-instance': 'x', 'acc-hw': '', 'device-type': 0,
            'device': 'virt', 'device-id': 0, 'core': 'c #0',
            'core-type': 183, 'core-id': 0}
    st.s.system = st.s.device = info
    st.s.core_infos = [info, dict(info, **{'core-id': 1})]
    st.s.cores = {0: 2, 1: 3}
    st.s.spaces = {0: [{'mem-space-id': 1, 'mem-type': 0x10},
                       {'mem-space-id': 2, 'mem-type': 0x20},
                       {'mem-space-id': 3, 'mem-type': 0x1}]}
    st.s.regs = {0: [{'addr': {'address': 32, 'mem-space-id': 3},
                      'regsize': 64, 'regname': 'pc'}]}
    st.pc[0] = 0x40001000
    problems = collections.Counter()
    n = 0
    for cmd, c in sorted(model.commands.items()):
        for _ in range(300):
            args = g.args(cmd)
            n += 1
            if c.args is None:
                continue
            # Hints may leave a type's range on purpose; the schema may not.
            for p in validate(c.args, args, cmd):
                if 'is no uint' in p or 'is no int' in p:
                    problems['range: ' + p.split(':')[0]] += 1
                else:
                    problems[p.split(':')[0] + ': ' +
                             p.split(':', 1)[1][:60]] += 1
            line = serialize({'execute': cmd, 'arguments': args})
            json.loads(line)
    structural = [p for p in problems if not p.startswith('range')]
    print('generated %d well-formed requests for %d commands' %
          (n, len(model.commands)))
    for p in sorted(structural)[:20]:
        print('  schema mismatch: %s (%d)' % (p, problems[p]))
    h = Hostile(g)
    invalid = 0
    total = 0
    for cmd, c in sorted(model.commands.items()):
        for _ in range(200):
            args = g.args(cmd)
            req, what = h.mutate(cmd, args)
            line = serialize(req)
            total += 1
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                invalid += 1
                continue
            a = obj.get('arguments') if isinstance(obj, dict) else None
            if c.args is None or not isinstance(a, dict) or \
               obj.get('execute') != cmd or validate(c.args, a):
                invalid += 1
    print('hostile: %d of %d mutated requests break the schema' %
          (invalid, total))
    bad = 0
    for _ in range(20000):
        s = g.hmp()
        if not hmp_safe(s, g.hmp_allow) or \
           (HMP_DENY.match(hmp_first_word(s)) and s not in g.hmp_allow):
            bad += 1
    for s in ('quit', 'q', ' quit', 'q\0x', 'system_powerdown', 'migrate x',
              'savevm a', 'o 0 0', 'dump-guest-memory /tmp/x', 'QUIT',
              'pmemsave 0 1 /tmp/x', 'quit/', '\tq'):
        if hmp_safe(s, g.hmp_allow):
            print('  unsafe HMP command considered safe: %r' % s)
            bad += 1
    print('HMP strings: %d unsafe' % bad)
    gb = Garbage(g, h)
    ids = iter(range(1, 10 ** 9))
    for _ in range(300):
        data, parts, what = gb.make(lambda: next(ids))
        assert data.endswith(b'\n'), what
        assert data.count(b'\n') == 1, what
    print('garbage lines: ok')
    ok = not structural and bad == 0 and invalid > total * 0.5
    print('self test %s' % ('passed' if ok else 'FAILED'))
    return 0 if ok else 1


# --- main -----------------------------------------------------------------

def report_lines(run, elapsed):
    c = run.c
    rate = c['sent'] / elapsed if elapsed > 0 else 0
    rss = lambda v: '%d kB' % v if v else 'n/a'       # noqa: E731
    return [
        'arch %s seed %s: %.1f s, %.0f requests/s, %d QEMU instance(s)'
        % (run.arch.name, run.seed, elapsed, rate, run.instances),
        '  requests sent: %d' % c['sent'],
        '  answers received: %d' % c['answered'],
        '  connections dropped: %d' % c['dropped'],
        '  crashes: %d' % c['crashes'],
        '  hangs: %d' % c['hangs'],
        '  sanitizer reports: %d' % c['sanitizer'],
        '  protocol violations: %d' % c['violations'],
        '  unclean servers after reconnect: %d' % c['unclean'],
        '  longest wait for a departed client\'s cores: %d ms'
        % c['locked_wait_ms'],
        '  errors of this tool: %d' % c['tool errors'],
        '  QEMU RSS after 1000 requests: %s' % rss(run.rss_1000),
        '  QEMU RSS at the end: %s' % rss(run.rss_end),
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__ or
                                'MCD protocol fuzzer')
    w.add_common_options(p)
    p.add_argument('--qemu-src', default=None,
                   help='QEMU source tree with scripts/qapi (default: '
                   'QEMU_DIR/../qemu-src)')
    p.add_argument('--schema', default=os.path.normpath(
        os.path.join(HERE, '..', '..', 'qapi', 'mcd.json')))
    p.add_argument('--arch', default='aarch64,arm,riscv64,i386')
    p.add_argument('--requests', type=int, default=20000,
                   help='requests in all, shared by every arch and seed')
    p.add_argument('--seed', default=None,
                   help='seed, or several separated by commas')
    p.add_argument('--guest', action='store_true',
                   help='boot Debian\'s U-Boot (SeaBIOS on i386) and let it '
                   'run')
    p.add_argument('--pipeline', type=int, default=16,
                   help='requests in flight at most (default 16)')
    p.add_argument('--hostile-share', type=float, default=0.12)
    p.add_argument('--garbage-share', type=float, default=0.03)
    p.add_argument('--no-mmio', action='store_true',
                   help='keep memory accesses and triggers in RAM (to get '
                   'past a known crash in device emulation)')
    p.add_argument('--self-test', action='store_true',
                   help='check the generators against the schema; no QEMU')
    p.add_argument('--replay', metavar='FILE',
                   help='send a replay log to a fresh QEMU')
    p.add_argument('--replay-gdb', action='store_true',
                   help='with --replay: run QEMU under gdb for a backtrace')
    o = p.parse_args()
    w.on_sigterm()
    o.arch_given = '--arch' in sys.argv
    o.qemu_dir = o.qemu_dir or w.default_qemu_dir(HERE)
    o.qemu_src = o.qemu_src or os.path.normpath(
        os.path.join(o.qemu_dir, '..', 'qemu-src'))
    o.env_extra = w.parse_env(o.env)

    if o.replay:
        return replay(o, o.replay)
    model = load_model(o.schema, o.qemu_src)
    if o.self_test:
        return self_test(model, o)

    archs = [a for a in o.arch.split(',') if a]
    for a in archs:
        if a not in w.ARCHES:
            raise SystemExit('unknown arch %s' % a)
        if not os.access(os.path.join(o.qemu_dir, 'qemu-system-' + a),
                         os.X_OK):
            raise SystemExit('no qemu-system-%s in %s' % (a, o.qemu_dir))
    seeds = o.seed.split(',') if o.seed else [str(random.randrange(10 ** 6))]
    runs = [(a, s) for s in seeds for a in archs]
    workdir, temp = w.make_workdir(o.log)
    tap = w.Tap(o.tap, len(runs))
    tap.comment('mcd-fuzz: %d commands from %s; seeds %s; %d requests'
                % (len(model.commands), o.schema, ','.join(seeds),
                   o.requests))
    t_end = w.now() + o.time_limit if o.time_limit else None
    failed = False
    all_failures = []
    totals = collections.Counter()
    try:
        for i, (a, s) in enumerate(runs):
            left = len(runs) - i
            budget = max(1, (o.requests - totals['sent']) // left)
            deadline = w.now() + ((t_end - w.now()) / left if t_end
                                  else 10 ** 9)
            t0 = w.now()
            run = Run(o, model, w.ARCHES[a], s, budget, deadline, workdir)
            try:
                run.run()
            except RuntimeError as e:
                run.fail('crash', 'QEMU did not start', str(e))
                run.c['crashes'] += 1
            elapsed = w.now() - t0
            totals.update(run.c)
            bad = run.c['crashes'] + run.c['hangs'] + run.c['sanitizer'] + \
                run.c['violations'] + run.c['unclean'] + run.c['tool errors']
            failed |= bool(bad)
            lines = report_lines(run, elapsed)
            diag = lines[1:]
            for f in run.failures:
                diag.append('%s: %s' % (f.kind, f.summary))
                for fn in f.files:
                    diag.append('  log: %s' % fn)
            for k, v in run.warnings.items():
                diag.append('warning: %s (%d)' % (k, v))
            if o.verbose:
                for lat, cmd, line in sorted(run.slow, reverse=True)[:5]:
                    diag.append('slow: %.2f s %s %s' % (lat, cmd,
                                                        w.preview(line, 120)))
            if o.tap:
                tap.result(not bad, lines[0], diag)
            else:
                print(lines[0])
                for l in diag:
                    print('  ' + l if not l.startswith('  ') else l)
            all_failures.extend((a, s, f) for f in run.failures)
    except KeyboardInterrupt:
        tap.comment('interrupted')
        failed = True
    finally:
        pass
    tap.comment('total: %d requests sent, %d answered, %d dropped, '
                '%d crashes, %d hangs, %d sanitizer reports, '
                '%d violations, %d unclean'
                % (totals['sent'], totals['answered'], totals['dropped'],
                   totals['crashes'], totals['hangs'], totals['sanitizer'],
                   totals['violations'], totals['unclean']))
    if all_failures and o.verbose:
        for a, s, f in all_failures:
            print('--- %s seed %s: %s: %s' % (a, s, f.kind, f.summary))
            print(f.details)
    if temp:
        shutil.rmtree(workdir, ignore_errors=True)
    elif all_failures:
        tap.comment('logs in %s' % workdir)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
