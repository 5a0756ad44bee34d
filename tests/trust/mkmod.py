#!/usr/bin/env python3
"""mkmod.py OUT [--custom-mb N]: writes a small WASI command module (binary
Wasm, no toolchain needed) whose _start calls proc_exit(42), so a test can
tell that guest code ran (exit status 42). --custom-mb adds a custom
section "pad" of N MiB before the code (a large module to sign)."""
import struct
import sys


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name(s):
    return leb(len(s)) + s.encode()


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


def module(custom_bytes):
    types = leb(2) + b"\x60\x01\x7f\x00" + b"\x60\x00\x00"
    imports = leb(1) + name("wasi_snapshot_preview1") + name("proc_exit") + b"\x00" + leb(0)
    funcs = leb(1) + leb(1)
    memory = leb(1) + b"\x00\x01"
    exports = leb(2) + name("_start") + b"\x00" + leb(1) + name("memory") + b"\x02" + leb(0)
    body = b"\x00" + b"\x41" + leb(42) + b"\x10" + leb(0) + b"\x0b"
    code = leb(1) + leb(len(body)) + body
    m = b"\x00asm" + struct.pack("<I", 1)
    m += section(1, types) + section(2, imports) + section(3, funcs) + section(5, memory)
    m += section(7, exports)
    if custom_bytes:
        m += section(0, name("pad") + bytes(custom_bytes))
    m += section(10, code)
    return m


def main():
    args = sys.argv[1:]
    mb = 0.0
    if "--custom-mb" in args:
        i = args.index("--custom-mb")
        mb = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    with open(args[0], "wb") as f:
        f.write(module(int(mb * 1024 * 1024)))


main()
