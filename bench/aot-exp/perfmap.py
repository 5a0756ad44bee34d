#!/usr/bin/env python3
# perfmap.py PERF.DATA MODULE.cwasm [MODULE.wasm]: lets `perf report` name the native tier's
# functions. The loader maps a .cwasm's code itself, so perf sees it as anonymous memory
# ("[JIT] tid N"). This finds that mapping in PERF.DATA (the r-xp anonymous one whose size
# is the object's executable segment, rounded to pages), reads the symbols of the object
# inside the .cwasm with nm, and writes /tmp/perf-PID.map, which perf reads for [JIT]
# addresses; with MODULE.wasm, cairn_fN is followed by the Wasm function's name from the
# module's name section (cairn_f93:sqlite3VdbeExec). Then:
#   perf report -i PERF.DATA --sort sym --stdio
# Example (docs/benchmarks.md, "Where speedtest1's time goes"):
#   perf record -e cpu-clock -F 4000 -o /tmp/st.data build/cairn run st.cwasm --memdb --size 20
#   python3 bench/aot-exp/perfmap.py /tmp/st.data st.cwasm build/bench/wasm/speedtest1.wasm
import re, subprocess, sys, tempfile


def leb(d, i):
    r = s = 0
    while True:
        b = d[i]
        i += 1
        r |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return r, i


def wasm_names(path):
    """function index -> name, from the custom "name" section (subsection 1)."""
    d, i, out = open(path, "rb").read(), 8, {}
    while i < len(d):
        sid = d[i]
        n, i = leb(d, i + 1)
        end = i + n
        if sid == 0:
            ln, j = leb(d, i)
            if d[j:j + ln] == b"name":
                j += ln
                while j < end:
                    sub = d[j]
                    sl, j = leb(d, j + 1)
                    if sub == 1:
                        cnt, k = leb(d, j)
                        for _ in range(cnt):
                            idx, k = leb(d, k)
                            l2, k = leb(d, k)
                            out[idx] = d[k:k + l2].decode(errors="replace")
                            k += l2
                    j += sl
        i = end
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__ or "usage: perfmap.py PERF.DATA MODULE.cwasm [MODULE.wasm]")
    data, cwasm = sys.argv[1], sys.argv[2]
    names = wasm_names(sys.argv[3]) if len(sys.argv) > 3 else {}
    blob = open(cwasm, "rb").read()
    at = blob.find(b"\x7fELF")
    if at < 0:
        sys.exit("perfmap: no ELF object in " + cwasm)
    so = tempfile.NamedTemporaryFile(suffix=".so", delete=False)
    so.write(blob[at:])
    so.close()
    # the executable segment: its address in the object and its size
    seg = None
    for line in subprocess.run(["readelf", "-lW", so.name], capture_output=True, text=True).stdout.splitlines():
        f = line.split()
        if f and f[0] == "LOAD" and "E" in f[6:-1]:
            seg = (int(f[2], 16), int(f[5], 16))
    if not seg:
        sys.exit("perfmap: no executable segment")
    pages = (seg[1] + 4095) & ~4095
    mm = subprocess.run(["perf", "script", "-i", data, "--show-mmap-events"], capture_output=True,
                        text=True).stdout
    found = None
    for m in re.finditer(r" (\d+)/\d+: \[0x([0-9a-f]+)\(0x([0-9a-f]+)\) .*r-xp //anon", mm):
        if int(m.group(3), 16) == pages:
            found = (int(m.group(1)), int(m.group(2), 16))
    if not found:
        sys.exit("perfmap: no anonymous executable mapping of 0x%x bytes in %s" % (pages, data))
    pid, start = found
    rows = []
    for line in subprocess.run(["nm", "-S", "--defined-only", so.name], capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if len(f) != 4 or f[2] not in "tT":
            continue
        name = f[3]
        m = re.match(r"cairn_f(\d+)", name)
        if m and int(m.group(1)) in names:
            name += ":" + names[int(m.group(1))]
        rows.append("%x %x %s" % (start + int(f[0], 16) - seg[0], int(f[1], 16), name))
    out = "/tmp/perf-%d.map" % pid
    with open(out, "w") as fo:
        fo.write("\n".join(rows) + "\n")
    print("perfmap: %d symbols -> %s" % (len(rows), out))


main()
