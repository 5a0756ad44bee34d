#!/usr/bin/env python3
"""gen-large-module.py: writes a large, valid Wasm module for load-time tests.

The module holds many functions with realistic bodies (locals of four types,
loops, if/else, loads and stores, direct and indirect calls, br_table,
globals, select, i64 and f64 arithmetic), written directly in the binary
format with the standard library only. The output is deterministic for a
given --seed and --size-mb.

  python3 tests/perf/gen-large-module.py [--size-mb 30] [--seed 1] OUT.wasm

Check a result with `wasm-validate OUT.wasm` (wabt) or
`load_bench --validate OUT.wasm`.
"""
import argparse
import random
import struct
import sys


def uleb(v):
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        if v:
            out.append(c | 0x80)
        else:
            out.append(c)
            return bytes(out)


def sleb(v):
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        done = (v == 0 and not c & 0x40) or (v == -1 and c & 0x40)
        out.append(c if done else c | 0x80)
        if done:
            return bytes(out)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


I32, I64, F32, F64 = 0x7F, 0x7E, 0x7D, 0x7C

# function types
T_II_I = 0  # (i32 i32) -> i32   the generated functions
T_I_V = 1   # (i32) -> ()        imported "env" "sink"
T_V_I = 2   # () -> i32          block type with a result via type index
TYPES = [
    ([I32, I32], [I32]),
    ([I32], []),
    ([], [I32]),
]

# locals of a generated function: params 0,1 (i32); then
# 2..5 i32, 6..7 i64, 8..9 f64, 10 f32
L_I32 = [0, 1, 2, 3, 4, 5]
L_I64 = [6, 7]
L_F64 = [8, 9]
L_F32 = [10]
LOCAL_DECLS = [(4, I32), (2, I64), (2, F64), (1, F32)]

TABLE_SIZE = 256


class Gen:
    def __init__(self, rnd, n_funcs, n_import):
        self.r = rnd
        self.n_funcs = n_funcs
        self.n_import = n_import

    # ---- expressions leaving one value ----
    def i32_expr(self, depth=0):
        r = self.r
        k = r.randrange(12 if depth < 2 else 4)
        if k == 0:
            return b"\x41" + sleb(r.randrange(-5000, 100000))
        if k in (1, 2, 3):
            return b"\x20" + uleb(r.choice(L_I32))
        if k == 4:  # binary op
            op = r.choice([0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x76])
            return self.i32_expr(depth + 1) + self.i32_expr(depth + 1) + bytes([op])
        if k == 5:  # load
            op, align = r.choice([(0x28, 2), (0x2D, 0), (0x2F, 1)])
            return (self.addr() + bytes([op]) + uleb(align) + uleb(r.randrange(0, 4096)))
        if k == 6:  # compare
            op = r.choice([0x46, 0x47, 0x48, 0x49, 0x4C, 0x4E])
            return self.i32_expr(depth + 1) + self.i32_expr(depth + 1) + bytes([op])
        if k == 7:  # wrap of i64
            return self.i64_expr(depth + 1) + b"\xA7"
        if k == 8:  # global
            return b"\x23\x00"
        if k == 9:  # select
            return (self.i32_expr(depth + 1) + self.i32_expr(depth + 1) +
                    self.i32_expr(depth + 1) + b"\x1B")
        if k == 10:  # f64 compare
            return self.f64_expr(depth + 1) + self.f64_expr(depth + 1) + b"\x63"
        return b"\x20" + uleb(r.choice(L_I32)) + b"\x45"  # eqz

    def addr(self):
        return (b"\x20" + uleb(self.r.choice(L_I32)) + b"\x41" + sleb(0xFFF0) + b"\x71")

    def i64_expr(self, depth=0):
        r = self.r
        k = r.randrange(5 if depth < 2 else 2)
        if k == 0:
            return b"\x42" + sleb(r.randrange(-(1 << 40), 1 << 40))
        if k == 1:
            return b"\x20" + uleb(r.choice(L_I64))
        if k == 2:
            op = r.choice([0x7C, 0x7D, 0x7E, 0x83, 0x85, 0x86])
            return self.i64_expr(depth + 1) + self.i64_expr(depth + 1) + bytes([op])
        if k == 3:
            return self.i32_expr(depth + 1) + b"\xAD"  # i64.extend_i32_u
        return self.addr() + b"\x29\x03" + uleb(r.randrange(0, 4096))  # i64.load

    def f64_expr(self, depth=0):
        r = self.r
        k = r.randrange(5 if depth < 2 else 2)
        if k == 0:
            return b"\x44" + struct.pack("<d", r.random() * 100.0)
        if k == 1:
            return b"\x20" + uleb(r.choice(L_F64))
        if k == 2:
            op = r.choice([0xA0, 0xA1, 0xA2, 0xA3, 0xA4])
            return self.f64_expr(depth + 1) + self.f64_expr(depth + 1) + bytes([op])
        if k == 3:
            return self.i32_expr(depth + 1) + b"\xB7"  # f64.convert_i32_s
        return b"\x20" + uleb(L_F32[0]) + b"\xBB"  # f64.promote_f32

    # ---- statements (stack neutral) ----
    def stmt(self, depth):
        r = self.r
        k = r.randrange(16 if depth < 3 else 9)
        if k in (0, 1, 2):
            return self.i32_expr() + b"\x21" + uleb(r.choice(L_I32[2:]))
        if k == 3:
            op, align = r.choice([(0x36, 2), (0x3A, 0), (0x3B, 1)])
            return (self.addr() + self.i32_expr() + bytes([op]) + uleb(align) +
                    uleb(r.randrange(0, 4096)))
        if k == 4:
            return self.i64_expr() + b"\x21" + uleb(r.choice(L_I64))
        if k == 5:
            return self.f64_expr() + b"\x21" + uleb(r.choice(L_F64))
        if k == 6:
            return self.i32_expr() + b"\x24\x00"  # global.set
        if k == 7:  # direct call
            f = self.n_import + r.randrange(self.n_funcs)
            return (self.i32_expr() + self.i32_expr() + b"\x10" + uleb(f) + b"\x22" +
                    uleb(r.choice(L_I32[2:])) + b"\x1A")  # local.tee; drop
        if k == 8:  # call the import
            return self.i32_expr() + b"\x10\x00"
        if k == 9:  # indirect call
            return (self.i32_expr() + self.i32_expr() + b"\x41" +
                    sleb(r.randrange(TABLE_SIZE)) + b"\x11" + uleb(T_II_I) + b"\x00" +
                    b"\x21" + uleb(r.choice(L_I32[2:])))
        if k in (10, 11):  # counted loop
            i = r.choice(L_I32[2:])
            body = b"".join(self.stmt(depth + 1) for _ in range(r.randrange(1, 5)))
            return (b"\x41" + sleb(r.randrange(1, 50)) + b"\x21" + uleb(i) +
                    b"\x02\x40\x03\x40" +
                    b"\x20" + uleb(i) + b"\x45\x0D\x01" +          # br_if 1 (i == 0)
                    body +
                    b"\x20" + uleb(i) + b"\x41\x01\x6B\x21" + uleb(i) +
                    b"\x0C\x00\x0B\x0B")
        if k in (12, 13):  # if/else
            a = b"".join(self.stmt(depth + 1) for _ in range(r.randrange(1, 4)))
            b = b"".join(self.stmt(depth + 1) for _ in range(r.randrange(0, 3)))
            return (self.i32_expr() + b"\x04\x40" + a + (b"\x05" + b if b else b"") + b"\x0B")
        if k == 14:  # br_table over 4 cases
            out = b"\x02\x40" * 4
            out += self.i32_expr() + b"\x41\x03\x71" + b"\x0E\x03\x00\x01\x02\x03\x0B"
            for case in range(3):
                out += self.stmt(depth + 1) + b"\x0C" + uleb(2 - case) + b"\x0B"
            return out
        # a block with a value (type index block type)
        return (b"\x02" + sleb(T_V_I) + self.i32_expr() + b"\x20" + uleb(0) + b"\x0D\x00" +
                b"\x1A" + self.i32_expr() + b"\x0B" + b"\x21" + uleb(r.choice(L_I32[2:])))

    def body(self, n_stmts):
        locals_ = vec([uleb(n) + bytes([t]) for n, t in LOCAL_DECLS])
        code = b"".join(self.stmt(0) for _ in range(n_stmts))
        code += self.i32_expr() + b"\x0B"
        entry = locals_ + code
        return uleb(len(entry)) + entry


def build(size_mb, seed):
    rnd = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    n_import = 1
    # estimate the average body size from a sample, then generate exactly
    # that many functions (every call target must exist)
    sample = Gen(random.Random(seed + 1), 1000, n_import)
    avg = sum(len(sample.body(rnd.randrange(4, 14))) for _ in range(500)) / 500.0
    n_funcs = max(1, int(target / avg))
    g = Gen(rnd, n_funcs, n_import)
    bodies = [g.body(rnd.randrange(4, 14)) for _ in range(n_funcs)]

    n_funcs = len(bodies)
    out = bytearray(b"\x00asm\x01\x00\x00\x00")
    out += section(1, vec([b"\x60" + vec([bytes([t]) for t in p]) + vec([bytes([t]) for t in r])
                           for p, r in TYPES]))
    out += section(2, vec([vec([b"e", b"n", b"v"]) + vec([b"s", b"i", b"n", b"k"]) +
                           b"\x00" + uleb(T_I_V)]))
    out += section(3, uleb(n_funcs) + uleb(T_II_I) * n_funcs)
    out += section(4, vec([b"\x70\x00" + uleb(TABLE_SIZE)]))
    out += section(5, vec([b"\x00" + uleb(2)]))
    out += section(6, vec([bytes([I32, 1]) + b"\x41\x00\x0B"]))
    out += section(7, vec([vec([b"r", b"u", b"n"]) + b"\x00" + uleb(n_import),
                           vec([b"m", b"e", b"m"]) + b"\x02\x00"]))
    elems = [uleb(n_import + rnd.randrange(n_funcs)) for _ in range(TABLE_SIZE)]
    out += section(9, vec([b"\x00\x41\x00\x0B" + vec(elems)]))
    out += section(10, uleb(n_funcs) + b"".join(bodies))
    out += section(11, vec([b"\x00\x41\x00\x0B" + vec([bytes([c]) for c in b"large module"])]))
    return bytes(out), n_funcs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    data, n = build(a.size_mb, a.seed)
    with open(a.out, "wb") as f:
        f.write(data)
    print(f"{a.out}: {len(data)} bytes, {n} functions", file=sys.stderr)


if __name__ == "__main__":
    main()
