#!/usr/bin/env python3
# inlines.py FILE.cwasm: the inline table of a .cwasm (src/engine/aot/
# inlines.c), one line per distinct chain of inlined Wasm functions
# ("0,1,2": function 0 inlined into 1 inlined into 2), then "cold N": how
# many segments lie in a .cold part of a function (from the object's symbols).
import struct, sys

b = open(sys.argv[1], 'rb').read()
n_inl, = struct.unpack_from('<I', b, 20)
n_wasm, n_obj = struct.unpack_from('<QQ', b, 248)
H = 304  # the header (format 3, src/engine/aot/cwasm.c)
obj = b[H + n_wasm:H + n_wasm + n_obj]
t = b[H + n_wasm + n_obj:H + n_wasm + n_obj + n_inl]
n_seg, n_pool = struct.unpack_from('<II', t, 0)
pool = struct.unpack_from('<%dI' % n_pool, t, 8 + 16 * n_seg)
segs = [struct.unpack_from('<IIII', t, 8 + 16 * i) for i in range(n_seg)]

# the .cold symbols of the object (ELF64: section headers, SHT_SYMTAB)
shoff, = struct.unpack_from('<Q', obj, 40)
shnum, = struct.unpack_from('<H', obj, 60)
cold = []
for i in range(shnum):
    _, typ, _, _, off, size, link, _, _, ent = struct.unpack_from('<IIQQQQIIQQ', obj, shoff + 64 * i)
    if typ != 2:
        continue
    soff, = struct.unpack_from('<Q', obj, shoff + 64 * link + 24)
    for k in range(size // 24):
        name, info, _, _, value, sz = struct.unpack_from('<IBBHQQ', obj, off + 24 * k)
        z = obj[soff + name:obj.index(b'\0', soff + name)].decode()
        if z.startswith('cairn_f') and '.cold' in z:
            cold.append((value, value + sz))
for c in sorted({','.join(map(str, pool[f:f + n])) for _, _, f, n in segs}):
    print(c)
print('cold', sum(1 for lo, hi, _, _ in segs if any(a <= lo and hi <= b for a, b in cold)))
