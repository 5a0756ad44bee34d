#!/usr/bin/env python3
"""gen.py: random VALID WebAssembly modules for the differential harness.

Each module is a pure function of its seed (random.Random(seed)). Code is
built from typed expression trees and statements, so every module validates
by construction; the harness treats a module either engine rejects as a
finding. What the modules use: i32/i64/f32/f64 numeric instructions
(sign extension and saturating truncation included), locals and globals,
blocks, ifs, counted loops, br/br_if/br_table, direct calls, call_indirect
through a funcref table, select, loads and stores of every width, memory
size/grow/fill/copy/init and data.drop, table get/set/size/grow/fill/copy/
init and elem.drop, multi-value results, unreachable and return.

Rules that keep the two engines comparable:
- Termination by construction: a loop runs a counted number of times (its
  counter local is reserved, and no branch targets a loop label except the
  counter's own br_if); function i calls only functions j < i directly, and
  call_indirect only reaches the "leaf" functions 0..K-1 from functions >= K
  (the table only ever holds those). A static cost bound per function keeps
  every call small.
- NaN payloads and NaN signs are nondeterministic in the spec: every float
  that reaches an integer view (reinterpret, store) or copysign's sign
  operand is first canonicalised (NaN -> one fixed NaN constant, by select).
- Memories and tables declare a maximum, so memory.grow/table.grow results
  do not depend on host limits.
- Exports: every function as f<i>:<params>:<results> (letters i I f F for
  i32 i64 f32 f64; the JS driver has no type reflection), memory "mem",
  globals g<i>:<letter>.

usage: gen.py OUTDIR SEED COUNT   -> OUTDIR/m<seed>.wasm for seeds SEED..SEED+COUNT-1
"""
import os
import random
import struct
import sys

I32, I64, F32, F64, V128, FUNCREF = 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70
NUM = [I32, I64, F32, F64]
LETTER = {I32: "i", I64: "I", F32: "f", F64: "F"}
NAN_BITS = {F32: 0x7FC00000, F64: 0x7FF8000000000000}


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def name(s):
    b = s.encode()
    return uleb(len(b)) + b


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


def signed32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def signed64(v):
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


I32_SPECIAL = [0, 1, 2, 3, 7, 8, 16, 31, 32, 33, 63, 64, 255, 256, 0x7FFF, 0x8000, 0xFFFF,
               0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000001, 65536, 65535]
I64_SPECIAL = [0, 1, 2, 63, 64, 65, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
               0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF, 0x8000000000000001]
F32_SPECIAL = [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x3F000000, 0x7F800000,
               0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FA00001, 0x7F7FFFFF, 0x00000001,
               0x80000001, 0x00800000, 0x4F000000, 0xCF000000, 0x4F800000, 0x5F000000,
               0xDF000000, 0x3FC00000, 0x40200000, 0xC0200000, 0x3EFFFFFF, 0x4B000001]
F64_SPECIAL = [0x0, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
               0x3FE0000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
               0xFFF8000000000000, 0x7FF4000000000001, 0x7FEFFFFFFFFFFFFF, 0x1, 0x8000000000000001,
               0x0010000000000000, 0x41E0000000000000, 0xC1E0000000000000, 0x41F0000000000000,
               0x43E0000000000000, 0xC3E0000000000000, 0x3FF8000000000000, 0x4004000000000000,
               0xC004000000000000, 0x3FDFFFFFFFFFFFFF, 0x4330000000000001, 0x41DFFFFFFFC00000]

# (opcode bytes, result type, operand types)
UNOPS = {
    I32: [(b"\x67", [I32]), (b"\x68", [I32]), (b"\x69", [I32]), (b"\x45", [I32]),
          (b"\xc0", [I32]), (b"\xc1", [I32]), (b"\x50", [I64]), (b"\xa7", [I64]),
          (b"\xa8", [F32]), (b"\xa9", [F32]), (b"\xaa", [F64]), (b"\xab", [F64]),
          (b"\xfc\x00", [F32]), (b"\xfc\x01", [F32]), (b"\xfc\x02", [F64]), (b"\xfc\x03", [F64]),
          ("reinterpret", [F32])],
    I64: [(b"\x79", [I64]), (b"\x7a", [I64]), (b"\x7b", [I64]), (b"\xc2", [I64]),
          (b"\xc3", [I64]), (b"\xc4", [I64]), (b"\xac", [I32]), (b"\xad", [I32]),
          (b"\xae", [F32]), (b"\xaf", [F32]), (b"\xb0", [F64]), (b"\xb1", [F64]),
          (b"\xfc\x04", [F32]), (b"\xfc\x05", [F32]), (b"\xfc\x06", [F64]), (b"\xfc\x07", [F64]),
          ("reinterpret", [F64])],
    F32: [(bytes([op]), [F32]) for op in range(0x8B, 0x92)] +
         [(b"\xb2", [I32]), (b"\xb3", [I32]), (b"\xb4", [I64]), (b"\xb5", [I64]),
          (b"\xb6", [F64]), (b"\xbe", [I32])],
    F64: [(bytes([op]), [F64]) for op in range(0x99, 0xA0)] +
         [(b"\xb7", [I32]), (b"\xb8", [I32]), (b"\xb9", [I64]), (b"\xba", [I64]),
          (b"\xbb", [F32]), (b"\xbf", [I64])],
}
BINOPS = {
    I32: [(bytes([op]), I32) for op in range(0x6A, 0x79)] +
         [(bytes([op]), I32) for op in range(0x46, 0x50)] +
         [(bytes([op]), I64) for op in range(0x51, 0x5B)] +
         [(bytes([op]), F32) for op in range(0x5B, 0x61)] +
         [(bytes([op]), F64) for op in range(0x61, 0x67)],
    I64: [(bytes([op]), I64) for op in range(0x7C, 0x8B)],
    F32: [(bytes([op]), F32) for op in range(0x92, 0x99)],
    F64: [(bytes([op]), F64) for op in range(0xA0, 0xA7)],
}
COPYSIGN = {b"\x98", b"\xa6"}
# loads: opcode, result type, natural alignment log2
LOADS = {
    I32: [(0x28, 2), (0x2C, 0), (0x2D, 0), (0x2E, 1), (0x2F, 1)],
    I64: [(0x29, 3), (0x30, 0), (0x31, 0), (0x32, 1), (0x33, 1), (0x34, 2), (0x35, 2)],
    F32: [(0x2A, 2)],
    F64: [(0x2B, 3)],
}
STORES = {
    I32: [(0x36, 2), (0x3A, 0), (0x3B, 1)],
    I64: [(0x37, 3), (0x3C, 0), (0x3D, 1), (0x3E, 2)],
    F32: [(0x38, 2)],
    F64: [(0x39, 3)],
}


# ---- SIMD (0xFD prefix); v128 stays inside functions (JS cannot pass it) ----
def simd(op):
    return b"\xfd" + uleb(op)


# v128 -> v128, integer lanes (deterministic on bits)
V_UN = [0x4D, 0x60, 0x61, 0x62, 0x7C, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0x87, 0x88, 0x89, 0x8A,
        0xA0, 0xA1, 0xA7, 0xA8, 0xA9, 0xAA, 0xC0, 0xC1, 0xC7, 0xC8, 0xC9, 0xCA,
        0xE0, 0xE1, 0xEC, 0xED,                      # float abs/neg: bit operations
        0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF]   # trunc_sat, convert (no NaN out)
# v128 v128 -> v128, integer lanes / bitwise / comparisons
V_BIN = [0x0E] + list(range(0x23, 0x4D)) + [0x4E, 0x4F, 0x50, 0x51, 0x65, 0x66,
         0x6E, 0x6F, 0x70, 0x71, 0x72, 0x73, 0x76, 0x77, 0x78, 0x79, 0x7B,
         0x82, 0x85, 0x86, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x95, 0x96, 0x97, 0x98, 0x99,
         0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xAE, 0xB1, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA,
         0xBC, 0xBD, 0xBE, 0xBF, 0xCE, 0xD1, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB,
         0xDC, 0xDD, 0xDE, 0xDF, 0xEA, 0xEB, 0xF6, 0xF7]
# float-lane arithmetic that may make a NaN: (op, shape of the result, unary?)
V_FLOAT = [(0x67, F32, 1), (0x68, F32, 1), (0x69, F32, 1), (0x6A, F32, 1), (0xE3, F32, 1),
           (0xE4, F32, 0), (0xE5, F32, 0), (0xE6, F32, 0), (0xE7, F32, 0), (0xE8, F32, 0),
           (0xE9, F32, 0), (0x74, F64, 1), (0x75, F64, 1), (0x7A, F64, 1), (0x94, F64, 1),
           (0xEF, F64, 1), (0xF0, F64, 0), (0xF1, F64, 0), (0xF2, F64, 0), (0xF3, F64, 0),
           (0xF4, F64, 0), (0xF5, F64, 0), (0x5E, F32, 1), (0x5F, F64, 1)]
V_SHIFT = [0x6B, 0x6C, 0x6D, 0x8B, 0x8C, 0x8D, 0xAB, 0xAC, 0xAD, 0xCB, 0xCC, 0xCD]
V_TEST = [0x53, 0x63, 0x64, 0x83, 0x84, 0xA3, 0xA4, 0xC3, 0xC4]   # v128 -> i32
# v128 loads: op, natural alignment
V_LOADS = [(0x00, 4), (0x01, 3), (0x02, 3), (0x03, 3), (0x04, 3), (0x05, 3), (0x06, 3),
           (0x07, 0), (0x08, 1), (0x09, 2), (0x0A, 3), (0x5C, 2), (0x5D, 3)]
# extract_lane: op, lanes, scalar type;  replace_lane: op, lanes, scalar type
V_EXTRACT = [(0x15, 16, I32), (0x16, 16, I32), (0x18, 8, I32), (0x19, 8, I32), (0x1B, 4, I32),
             (0x1D, 2, I64), (0x1F, 4, F32), (0x21, 2, F64)]
V_REPLACE = [(0x17, 16, I32), (0x1A, 8, I32), (0x1C, 4, I32), (0x1E, 2, I64), (0x20, 4, F32),
             (0x22, 2, F64)]
V_SPLAT = [(0x0F, I32), (0x10, I32), (0x11, I32), (0x12, I64), (0x13, F32), (0x14, F64)]
# load_lane / store_lane: op, natural alignment, lanes
V_LOAD_LANE = [(0x54, 0, 16), (0x55, 1, 8), (0x56, 2, 4), (0x57, 3, 2)]
V_STORE_LANE = [(0x58, 0, 16), (0x59, 1, 8), (0x5A, 2, 4), (0x5B, 3, 2)]


class Func:
    def __init__(self, idx, params, results):
        self.idx, self.params, self.results = idx, params, results
        self.cost = 0


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.types = []

    def typeidx(self, params, results):
        key = (tuple(params), tuple(results))
        if key not in self.types:
            self.types.append(key)
        return self.types.index(key)

    # ---- values ----
    def const(self, t):
        r = self.r
        if t == I32:
            v = r.choice(I32_SPECIAL) if r.random() < 0.5 else r.choice(
                [r.getrandbits(32), r.randrange(0, 100), r.randrange(0, 70000)])
            if r.random() < 0.2:
                v = -v
            return b"\x41" + sleb(signed32(v))
        if t == I64:
            v = r.choice(I64_SPECIAL) if r.random() < 0.5 else r.choice(
                [r.getrandbits(64), r.randrange(0, 100), r.getrandbits(33)])
            if r.random() < 0.2:
                v = -v
            return b"\x42" + sleb(signed64(v))
        if t == F32:
            if r.random() < 0.6:
                bits = r.choice(F32_SPECIAL)
            elif r.random() < 0.5:
                bits = struct.unpack("<I", struct.pack("<f", r.uniform(-1e6, 1e6)))[0]
            else:
                bits = r.getrandbits(32)
            return b"\x43" + struct.pack("<I", bits)
        if t == F64:
            if r.random() < 0.6:
                bits = r.choice(F64_SPECIAL)
            elif r.random() < 0.5:
                bits = struct.unpack("<Q", struct.pack("<d", r.uniform(-1e9, 1e9)))[0]
            else:
                bits = r.getrandbits(64)
            return b"\x44" + struct.pack("<Q", bits)
        raise ValueError(t)

    # ---- per-function state ----
    def new_local(self, t):
        self.locals.append(t)
        return len(self.fn.params) + len(self.locals) - 1

    def local_type(self, i):
        np = len(self.fn.params)
        return self.fn.params[i] if i < np else self.locals[i - np]

    def tick(self, n=1):
        self.fn.cost += self.mult * n

    def canon(self, t):
        """Code replacing the float on the stack by itself or, if NaN, a fixed NaN."""
        tmp = self.scratch[t]
        if t == F32:
            nan = b"\x43" + struct.pack("<I", NAN_BITS[F32])
            eq = b"\x5b"
        else:
            nan = b"\x44" + struct.pack("<Q", NAN_BITS[F64])
            eq = b"\x61"
        g = b"\x20" + uleb(tmp)
        # x==x ? x : NaN   ->  select(x, NaN, x==x)
        return b"\x22" + uleb(tmp) + nan + g + g + eq + b"\x1b"

    def addr(self):
        r = self.r
        x = r.random()
        limit = self.mem_min * 65536
        if x < 0.72:
            return b"\x41" + sleb(signed32(r.randrange(0, max(1, limit - 80))))
        if x < 0.87:
            return self.idx_addr()
        if x < 0.97:
            return self.expr(I32, 1) + b"\x41" + sleb(0x7FFF) + b"\x71"   # e & 0x7fff
        if x < 0.985:
            return b"\x41" + sleb(signed32(limit - r.randrange(0, 12)))
        if x < 0.993:   # the far end of the 32-bit space (guard-page reservations)
            return b"\x41" + sleb(signed32(r.choice([0xFFFFFFFF, 0xFFFFFFF8, 0x80000000, 0x7FFFFFFF,
                                                     0xFFFF0000, 0x100000000 - limit])))
        return self.expr(I32, 1)

    def idx_addr(self):
        """An address as compiled code forms it: local (+ const) or local << s + const,
        from a loop counter or an i32 local (often small), which the
        interpreter fuses with the load or store."""
        r = self.r
        ls = list(self.loop_stack) or [i for i in range(self.nlocals_visible())
                                       if self.local_type(i) == I32]
        if not ls:
            return b"\x41" + sleb(r.randrange(0, 1024))
        g = b"\x20" + uleb(r.choice(ls))
        if r.random() < 0.5:
            g += b"\x41" + sleb(r.randrange(0, 4)) + b"\x74"       # i32.shl
        if r.random() < 0.8:
            g += b"\x41" + sleb(r.randrange(0, 2048)) + b"\x6a"    # i32.add
        return g

    def memarg(self, natural):
        r = self.r
        align = r.randrange(0, natural + 1)
        off = r.choice([0, 0, 0, r.randrange(0, 64)]) if r.random() < 0.99 else r.choice(
            [r.randrange(0, 65536), 0xFFFFFFFF, 0xFFFFFFF0, 0x80000000, self.mem_min * 65536 - 1])
        return uleb(align) + uleb(off)

    # ---- expressions ----
    def expr(self, t, depth):
        r = self.r
        self.tick()
        if depth <= 0 or r.random() < 0.25:
            return self.leaf(t)
        x = r.random()
        if x < 0.30:
            op, ot = r.choice(BINOPS[t])
            a = self.expr(ot, depth - 1)
            b = self.expr(ot, depth - 1)
            if op in COPYSIGN:
                b += self.canon(ot)
            return a + b + op
        if x < 0.50:
            op, (ot,) = r.choice(UNOPS[t])
            a = self.expr(ot, depth - 1)
            if op == "reinterpret":
                return a + self.canon(ot) + (b"\xbc" if t == I32 else b"\xbd")
            return a + op
        if x < 0.60 and self.mem_min:
            op, nat = r.choice(LOADS[t])
            return self.addr() + bytes([op]) + self.memarg(nat)
        if x < 0.66:
            a = self.expr(t, depth - 1)
            b = self.expr(t, depth - 1)
            c = self.expr(I32, depth - 1)
            return a + b + c + (b"\x1b" if r.random() < 0.5 else b"\x1c\x01" + bytes([t]))
        if x < 0.71:
            c = self.expr(I32, depth - 1)
            self.labels.append("val")
            a = self.stmts(2, depth - 1) + self.expr(t, depth - 1)
            b = self.stmts(2, depth - 1) + self.expr(t, depth - 1)
            self.labels.pop()
            return c + b"\x04" + bytes([t]) + a + b"\x05" + b + b"\x0b"
        if x < 0.76:
            # block (result t): stmts; v1; cond; br_if 0; drop; stmts; v2
            self.labels.append("val")
            body = self.stmts(2, depth - 1)
            body += self.expr(t, depth - 1) + self.expr(I32, depth - 1) + b"\x0d\x00\x1a"
            body += self.stmts(1, depth - 1) + self.expr(t, depth - 1)
            self.labels.pop()
            return b"\x02" + bytes([t]) + body + b"\x0b"
        if x < 0.82:
            cands = [f for f in self.funcs[:self.fn.idx] if f.results == [t]
                     and self.fn.cost + self.mult * (f.cost + 1) < self.budget]
            if cands:
                f = r.choice(cands)
                self.tick(f.cost + 1)
                return b"".join(self.expr(p, depth - 1) for p in f.params) + b"\x10" + uleb(f.idx)
        if x < 0.85 and self.can_indirect() and (
                r.random() < 0.1 or any(f.results == [t] for f in self.funcs[:self.nleaf])):
            return self.call_indirect([t], depth)
        if x < 0.88:
            ls = [i for i in range(self.nlocals_visible()) if self.local_type(i) == t
                  and i not in self.counters]
            if ls:
                return self.expr(t, depth - 1) + b"\x22" + uleb(r.choice(ls))
        if x < 0.90 and t == I32 and self.mem_min:
            if r.random() < 0.5:
                return b"\x3f\x00"
            return self.expr(I32, depth - 1) + b"\x40\x00"
        if x < 0.915 and self.simd:
            ops = [o for o in V_EXTRACT if o[2] == t]
            if t == I32 and r.random() < 0.4:
                return self.vexpr(depth - 1) + simd(r.choice(V_TEST))
            if ops:
                op, lanes, _ = r.choice(ops)
                return self.vexpr(depth - 1) + simd(op) + bytes([r.randrange(0, lanes)])
        if x < 0.92 and t == I32 and self.table:
            y = r.random()
            if y < 0.3:
                return b"\xfc\x10\x00"
            if y < 0.6:
                return self.ref() + self.expr(I32, depth - 1) + b"\xfc\x0f\x00"
            return self.tab_index(depth) + b"\x25\x00\xd1"   # ref.is_null(table.get)
        return self.leaf(t)

    def vconst(self):
        r = self.r
        if r.random() < 0.5:
            lanes = [r.choice(I32_SPECIAL + F32_SPECIAL) for _ in range(4)]
            return simd(0x0C) + b"".join(struct.pack("<I", v & 0xFFFFFFFF) for v in lanes)
        return simd(0x0C) + bytes(r.getrandbits(8) for _ in range(16))

    def canon_v(self, shape):
        """Float lanes: NaN -> a fixed NaN (bitselect with an eq mask)."""
        tmp = b"\x20" + uleb(self.vscratch)
        if shape == F32:
            nan = simd(0x0C) + struct.pack("<I", NAN_BITS[F32]) * 4
            eq = simd(0x41)
        else:
            nan = simd(0x0C) + struct.pack("<Q", NAN_BITS[F64]) * 2
            eq = simd(0x47)
        return b"\x22" + uleb(self.vscratch) + nan + tmp + tmp + eq + simd(0x52)

    def vexpr(self, depth):
        r = self.r
        self.tick()
        if depth <= 0 or r.random() < 0.2:
            vs = [i for i in range(self.nlocals_visible()) if self.local_type(i) == V128
                  and i != self.vscratch]
            if vs and r.random() < 0.6:
                return b"\x20" + uleb(r.choice(vs))
            return self.vconst()
        x = r.random()
        if x < 0.25:
            return self.vexpr(depth - 1) + self.vexpr(depth - 1) + simd(r.choice(V_BIN))
        if x < 0.40:
            return self.vexpr(depth - 1) + simd(r.choice(V_UN))
        if x < 0.55:
            op, shape, un = r.choice(V_FLOAT)
            a = self.vexpr(depth - 1)
            if not un:
                a += self.vexpr(depth - 1)
            return a + simd(op) + self.canon_v(shape)
        if x < 0.62:
            return self.vexpr(depth - 1) + self.expr(I32, depth - 1) + simd(r.choice(V_SHIFT))
        if x < 0.68:
            return (self.vexpr(depth - 1) + self.vexpr(depth - 1) + self.vexpr(depth - 1) +
                    simd(0x52))
        if x < 0.74:
            return (self.vexpr(depth - 1) + self.vexpr(depth - 1) + simd(0x0D) +
                    bytes(r.randrange(0, 32) for _ in range(16)))
        if x < 0.82:
            op, t = r.choice(V_SPLAT)
            a = self.expr(t, depth - 1)
            if t in (F32, F64):
                a += self.canon(t)
            return a + simd(op)
        if x < 0.88:
            op, lanes, t = r.choice(V_REPLACE)
            a = self.expr(t, depth - 1)
            if t in (F32, F64):
                a += self.canon(t)
            return self.vexpr(depth - 1) + a + simd(op) + bytes([r.randrange(0, lanes)])
        if x < 0.96 and self.mem_min:
            if r.random() < 0.8:
                op, nat = r.choice(V_LOADS)
                return self.addr() + simd(op) + self.memarg(nat)
            op, nat, lanes = r.choice(V_LOAD_LANE)
            return (self.addr() + self.vexpr(depth - 1) + simd(op) + self.memarg(nat) +
                    bytes([r.randrange(0, lanes)]))
        vs = [i for i in range(self.nlocals_visible()) if self.local_type(i) == V128
              and i != self.vscratch]
        if vs:
            return self.vexpr(depth - 1) + b"\x22" + uleb(r.choice(vs))
        return self.vconst()

    def vstmt(self, depth):
        r = self.r
        x = r.random()
        vs = [i for i in range(self.nlocals_visible()) if self.local_type(i) == V128
              and i != self.vscratch]
        if x < 0.4 and vs:
            return self.vexpr(depth) + b"\x21" + uleb(r.choice(vs))
        if x < 0.8 and self.mem_min:
            if r.random() < 0.7:
                return self.addr() + self.vexpr(depth) + simd(0x0B) + self.memarg(4)
            op, nat, lanes = r.choice(V_STORE_LANE)
            return (self.addr() + self.vexpr(depth) + simd(op) + self.memarg(nat) +
                    bytes([r.randrange(0, lanes)]))
        return self.vexpr(depth) + b"\x1a"

    def nlocals_visible(self):
        return len(self.fn.params) + len(self.locals)

    def leaf(self, t):
        r = self.r
        x = r.random()
        if x < 0.45:
            ls = [i for i in range(self.nlocals_visible()) if self.local_type(i) == t]
            if ls:
                return b"\x20" + uleb(r.choice(ls))
        if x < 0.6:
            gs = [i for i, (gt, _) in enumerate(self.globals) if gt == t]
            if gs:
                return b"\x23" + uleb(r.choice(gs))
        return self.const(t)

    def ref(self):
        if self.r.random() < 0.1:
            return b"\xd0\x70"
        return b"\xd2" + uleb(self.r.randrange(0, self.nleaf))

    def tab_index(self, depth):
        x = self.r.random()
        if x < 0.92:
            return b"\x41" + sleb(self.r.randrange(0, self.table[0]))
        if x < 0.97:
            return b"\x41" + sleb(self.r.randrange(self.table[0], self.table[0] + 3))
        return self.expr(I32, depth - 1)

    def can_indirect(self):
        return self.table and self.fn.idx >= self.nleaf and \
            self.fn.cost + self.mult * (self.leaf_cost + 1) < self.budget

    def call_indirect(self, results, depth):
        r = self.r
        leafs = self.funcs[:self.nleaf]
        match = [f for f in leafs if f.results == results]
        slot = None
        if match and r.random() < 0.9:
            f = r.choice(match)
            params = f.params
            if r.random() < 0.85:
                slot = b"\x41" + sleb(self.elem_off + self.leaf_order.index(f.idx))
        else:
            params = [r.choice(NUM) for _ in range(r.randrange(0, 3))]
        ti = self.typeidx(params, results)
        self.tick(self.leaf_cost + 1)
        args = b"".join(self.expr(p, depth - 1) for p in params)
        return args + (slot or self.tab_index(depth)) + b"\x11" + uleb(ti) + b"\x00"

    # ---- statements ----
    def br_targets(self):
        """Depths of enclosing labels that take no values and are not loops."""
        return [d for d, k in enumerate(reversed(self.labels)) if k == "void"]

    def stmts(self, n, depth):
        return b"".join(self.stmt(depth) for _ in range(self.r.randrange(0, n + 1)))

    def stmt(self, depth):
        r = self.r
        self.tick()
        x = r.random()
        if depth <= 0:
            x = r.random() * 0.3
        if x < 0.04 and self.mem_min and self.loop_stack:
            return self.mac_idiom()
        if 0.04 <= x < 0.10 and self.simd:
            return self.vstmt(depth)
        if 0.10 <= x < 0.13 and depth > 0:
            return self.multi_block(depth)
        if x < 0.15:
            ls = [i for i in range(self.nlocals_visible()) if i not in self.counters]
            if ls:
                i = r.choice(ls)
                if self.local_type(i) == V128:
                    return self.vexpr(depth) + b"\x21" + uleb(i)
                return self.expr(self.local_type(i), depth) + b"\x21" + uleb(i)
        if x < 0.22:
            gs = [i for i, (_, mut) in enumerate(self.globals) if mut]
            if gs:
                i = r.choice(gs)
                return self.expr(self.globals[i][0], depth) + b"\x24" + uleb(i)
        if x < 0.35 and self.mem_min:
            t = r.choice(NUM)
            op, nat = r.choice(STORES[t])
            v = self.expr(t, depth)
            if t in (F32, F64):
                v += self.canon(t)
            return self.addr() + v + bytes([op]) + self.memarg(nat)
        if x < 0.40:
            return self.expr(r.choice(NUM), depth) + b"\x1a"
        if x < 0.48:
            c = self.expr(I32, depth - 1)
            self.labels.append("void")
            a = self.stmts(3, depth - 1)
            b = self.stmts(3, depth - 1)
            self.labels.pop()
            return c + b"\x04\x40" + a + (b"\x05" + b if b else b"") + b"\x0b"
        if x < 0.54:
            self.labels.append("void")
            body = self.stmts(4, depth - 1)
            self.labels.pop()
            return b"\x02\x40" + body + b"\x0b"
        if x < 0.62 and self.mult < 64:
            n = r.randrange(1, 9)
            while self.mult * n > 64:
                n //= 2
            c = self.new_local(I32)
            self.counters.add(c)
            self.loop_stack.append(c)
            self.mult *= n
            self.labels.append("void")    # block: br_if targets may leave the loop
            self.labels.append("loop")
            body = self.stmts(4, depth - 1)
            self.labels.pop()
            self.labels.pop()
            self.loop_stack.pop()
            self.mult //= n
            # block loop body; c = c - 1; br_if 0 (c != 0) end end
            g = uleb(c)
            return (b"\x41" + sleb(n) + b"\x21" + g + b"\x02\x40\x03\x40" + body +
                    b"\x20" + g + b"\x41\x01\x6b\x22" + g + b"\x0d\x00\x0b\x0b")
        if x < 0.68:
            ts = self.br_targets()
            if ts:
                d = r.choice(ts)
                if r.random() < 0.3:
                    return self.cmp_idiom() + b"\x0d" + uleb(d)
                if r.random() < 0.8:
                    return self.expr(I32, depth - 1) + b"\x0d" + uleb(d)
                if r.random() < 0.5:
                    return b"\x0c" + uleb(d)
                tgt = [r.choice(ts) for _ in range(r.randrange(0, 4))]
                return self.expr(I32, depth - 1) + b"\x0e" + vec([uleb(t) for t in tgt]) + uleb(d)
        if x < 0.74:
            cands = [f for f in self.funcs[:self.fn.idx]
                     if self.fn.cost + self.mult * (f.cost + 1) < self.budget]
            if cands:
                f = r.choice(cands)
                self.tick(f.cost + 1)
                code = b"".join(self.expr(p, depth - 1) for p in f.params) + b"\x10" + uleb(f.idx)
                return code + self.sink(f.results)
        if x < 0.77 and self.can_indirect():
            results = r.choice([[], [r.choice(NUM)], [r.choice(NUM), r.choice(NUM)]])
            if r.random() < 0.85:
                results = r.choice(self.funcs[:self.nleaf]).results
            return self.call_indirect(results, depth) + self.sink(results)
        if x < 0.83 and self.mem_min:
            y = r.random()
            a = self.addr()
            if y < 0.35:   # memory.fill d v n
                return a + self.expr(I32, depth - 1) + self.small_len() + b"\xfc\x0b\x00"
            if y < 0.7:    # memory.copy d s n
                return a + self.addr() + self.small_len() + b"\xfc\x0a\x00\x00"
            if y < 0.93 and self.ndata:   # memory.init seg d s n
                seg = r.randrange(0, self.ndata)
                n = len(self.data[seg][1])
                s = r.randrange(0, n + 1) if r.random() < 0.95 else r.randrange(0, n + 4)
                ln = r.randrange(0, max(1, n - s + 1)) if r.random() < 0.95 else r.randrange(0, 8)
                return (a + b"\x41" + sleb(s) + b"\x41" + sleb(ln) +
                        b"\xfc\x08" + uleb(seg) + b"\x00")
            if self.ndata:
                return b"\xfc\x09" + uleb(r.randrange(0, self.ndata))
        if x < 0.88 and self.table:
            y = r.random()
            if y < 0.3:
                return self.tab_index(depth) + self.ref() + b"\x26\x00"
            if y < 0.5:
                return self.tab_index(depth) + self.ref() + self.tab_len() + b"\xfc\x11\x00"
            if y < 0.7:
                return self.tab_index(depth) + self.tab_index(depth) + self.tab_len() + b"\xfc\x0e\x00\x00"
            if y < 0.9:
                n = len(self.passive)
                s = r.randrange(0, n + 1) if r.random() < 0.95 else r.randrange(0, n + 3)
                ln = r.randrange(0, max(1, n - s + 1)) if r.random() < 0.95 else r.randrange(0, 5)
                return (self.tab_index(depth) + b"\x41" + sleb(s) + b"\x41" + sleb(ln) +
                        b"\xfc\x0c\x01\x00")   # table.init from passive elem 1
            return b"\xfc\x0d\x01"
        if 0.88 <= x < 0.885:
            return b"\x00"    # unreachable
        if 0.885 <= x < 0.895:
            return b"".join(self.expr(t, depth - 1) for t in self.fn.results) + b"\x0f"
        return b"\x01"

    def multi_block(self, depth):
        """block / loop / if with a type index: params taken from the stack,
        several results, a br_if carrying the results out."""
        r = self.r
        params = [r.choice(NUM) for _ in range(r.randrange(0, 3))]
        results = [r.choice(NUM) for _ in range(r.randrange(0, 3))]
        ti = self.typeidx(params, results)
        kind = r.choice(["block", "block", "loop", "if"])
        code = b"".join(self.expr(p, depth - 1) for p in params)
        if kind == "if":
            code += self.expr(I32, depth - 1) + b"\x04"
        else:
            code += b"\x02" if kind == "block" else b"\x03"
        code += sleb(ti)
        # a loop's label takes its params: never a branch target here
        self.labels.append("multi" if kind != "loop" else "loop")
        arms = []
        for _ in range(2 if kind == "if" else 1):
            body = self.sink(params) + self.stmts(2, depth - 1)
            if kind != "loop" and r.random() < 0.5:
                body += b"".join(self.expr(t, depth - 1) for t in results)
                body += self.expr(I32, depth - 1) + b"\x0d\x00" + self.sink(results)
            body += b"".join(self.expr(t, depth - 1) for t in results)
            arms.append(body)
        self.labels.pop()
        code += arms[0]
        if kind == "if":
            code += b"\x05" + arms[1]
        return code + b"\x0b" + self.sink(results)

    def cmp_idiom(self):
        """local (op const) compared with a local or constant, as loops test."""
        r = self.r
        t = r.choice([I32, I32, I64])
        ls = [i for i in range(self.nlocals_visible()) if self.local_type(i) == t]
        if not ls:
            return self.expr(I32, 1)
        code = b"\x20" + uleb(r.choice(ls))
        if r.random() < 0.4:
            code += self.const(t) + (b"\x6a" if t == I32 else b"\x7c")
            free = [i for i in ls if i not in self.counters]
            if free and r.random() < 0.5:
                code += b"\x22" + uleb(r.choice(free))
        code += (b"\x20" + uleb(r.choice(ls))) if r.random() < 0.4 else self.const(t)
        lo, hi = (0x46, 0x50) if t == I32 else (0x51, 0x5B)
        return code + bytes([r.randrange(lo, hi)])

    def mac_idiom(self):
        """acc = acc + load(a) * load(b) (or -, or f32/i32/i64), a multiply-add
        over loop-indexed addresses, as compiled dot products look."""
        r = self.r
        t = r.choice([F64, F64, F32, I32, I64])
        accs = [i for i in range(self.nlocals_visible()) if self.local_type(i) == t
                and i not in self.counters]
        acc = r.choice(accs) if accs else self.new_local(t)
        mul = {F64: 0xA2, F32: 0x94, I32: 0x6C, I64: 0x7E}[t]
        add = {F64: 0xA0, F32: 0x92, I32: 0x6A, I64: 0x7C}[t]
        sub = {F64: 0xA1, F32: 0x93, I32: 0x6B, I64: 0x7D}[t]
        ld, nat = LOADS[t][0]
        code = b"\x20" + uleb(acc)
        code += self.idx_addr() + bytes([ld]) + self.memarg(nat)
        code += self.idx_addr() + bytes([ld]) + self.memarg(nat)
        code += bytes([mul, add if r.random() < 0.8 else sub])
        if r.random() < 0.3:
            return code + b"\x22" + uleb(acc) + b"\x1a"
        return code + b"\x21" + uleb(acc)

    def small_len(self):
        r = self.r
        if r.random() < 0.97:
            return b"\x41" + sleb(r.randrange(0, 300))
        return b"\x41" + sleb(signed32(r.choice([65536, 0x7FFFFFFF, 0xFFFFFFFF, r.getrandbits(20)])))

    def tab_len(self):
        return b"\x41" + sleb(self.r.randrange(0, 3) if self.r.random() < 0.9 else self.r.randrange(0, 8))

    def sink(self, results):
        """Consumes values of types results (last on top): local.set or drop."""
        code = b""
        for t in reversed(results):
            ls = [i for i in range(self.nlocals_visible()) if self.local_type(i) == t
                  and i not in self.counters]
            if ls and self.r.random() < 0.7:
                code += b"\x21" + uleb(self.r.choice(ls))
            else:
                code += b"\x1a"
        return code

    # ---- module ----
    def module(self):
        r = self.r
        nfuncs = r.randrange(1, 9)
        self.nleaf = min(nfuncs, r.randrange(1, 4))
        self.funcs = []
        for i in range(nfuncs):
            params = [r.choice(NUM) for _ in range(r.randrange(0, 4) if r.random() < 0.9
                                                   else r.randrange(4, 12))]
            results = [r.choice(NUM) for _ in range(r.choice([0, 1, 1, 1, 2, 3]))]
            self.funcs.append(Func(i, params, results))
        self.mem_min = r.choice([0, 1, 1, 1, 2])
        self.simd = r.random() < 0.3
        mem_max = self.mem_min + r.randrange(0, 3) if self.mem_min else 0
        self.ndata = r.randrange(0, 3) if self.mem_min else 0
        self.data = []
        for i in range(self.ndata):
            data = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 24)))
            off = r.randrange(0, self.mem_min * 65536 - len(data)) if r.random() < 0.5 else None
            self.data.append((off, data))
        self.table = None
        if r.random() < 0.7:
            tmin = self.nleaf + r.randrange(0, 4)
            self.table = (tmin, tmin + r.randrange(0, 8))
            self.passive = [r.randrange(0, self.nleaf) for _ in range(r.randrange(0, 4))]
            self.leaf_order = list(range(self.nleaf))
            r.shuffle(self.leaf_order)
            self.elem_off = r.randrange(0, tmin - self.nleaf + 1)
        self.globals = [(r.choice(NUM), r.random() < 0.8) for _ in range(r.randrange(0, 5))]
        self.budget = 30000
        self.leaf_cost = 0
        bodies = []
        for f in self.funcs:
            self.fn = f
            nloc = r.randrange(0, 5) if r.random() < 0.95 else r.randrange(20, 400)
            self.locals = [r.choice(NUM) for _ in range(nloc)]
            self.scratch = {F32: self.new_local(F32), F64: self.new_local(F64)}
            if self.simd:
                self.vscratch = self.new_local(V128)
                for _ in range(r.randrange(0, 3)):
                    self.new_local(V128)
            self.counters = set()
            self.loop_stack = []
            self.labels = ["void"]       # the function body: br 0 returns (only if no results)
            if f.results:
                self.labels = ["val"]
            self.mult = 1
            code = self.stmts(8, 4)
            code += b"".join(self.expr(t, 3) for t in f.results) + b"\x0b"
            if f.idx < self.nleaf:
                self.leaf_cost = max(self.leaf_cost, f.cost)
            locs = vec([uleb(1) + bytes([t]) for t in self.locals])
            body = locs + code
            bodies.append(uleb(len(body)) + body)
        for f in self.funcs:
            f.type = self.typeidx(f.params, f.results)

        out = b"\x00asm\x01\x00\x00\x00"
        out += section(1, vec([b"\x60" + vec([bytes([t]) for t in p]) + vec([bytes([t]) for t in res])
                               for p, res in self.types]))
        out += section(3, vec([uleb(f.type) for f in self.funcs]))
        if self.table:
            out += section(4, vec([b"\x70\x01" + uleb(self.table[0]) + uleb(self.table[1])]))
        if self.mem_min:
            out += section(5, vec([b"\x01" + uleb(self.mem_min) + uleb(mem_max)]))
        if self.globals:
            out += section(6, vec([bytes([t, 1 if mut else 0]) + self.const(t) + b"\x0b"
                                   for t, mut in self.globals]))
        exps = []
        for f in self.funcs:
            nm = "f%d:%s:%s" % (f.idx, "".join(LETTER[t] for t in f.params),
                                "".join(LETTER[t] for t in f.results))
            exps.append(name(nm) + b"\x00" + uleb(f.idx))
        if self.mem_min:
            exps.append(name("mem") + b"\x02\x00")
        for i, (t, _) in enumerate(self.globals):
            exps.append(name("g%d:%s" % (i, LETTER[t])) + b"\x03" + uleb(i))
        out += section(7, vec(exps))
        if self.table:
            leafs = [uleb(i) for i in self.leaf_order]
            active = b"\x00\x41" + sleb(self.elem_off) + b"\x0b" + vec(leafs)
            passive = b"\x01\x00" + vec([uleb(i) for i in self.passive])
            out += section(9, vec([active, passive]))
        if self.mem_min:
            out += section(12, uleb(self.ndata))
        out += section(10, vec(bodies))
        if self.mem_min:
            segs = []
            for off, data in self.data:
                if off is not None:
                    segs.append(b"\x00\x41" + sleb(off) + b"\x0b" + vec([bytes([c]) for c in data]))
                else:
                    segs.append(b"\x01" + vec([bytes([c]) for c in data]))
            out += section(11, vec(segs))
        return out


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: gen.py OUTDIR SEED COUNT\n")
        sys.exit(2)
    outdir, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    for s in range(seed, seed + count):
        with open(os.path.join(outdir, "m%d.wasm" % s), "wb") as f:
            f.write(Gen(s).module())


if __name__ == "__main__":
    main()
