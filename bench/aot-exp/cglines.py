#!/usr/bin/env python3
# cglines.py CALLGRIND.OUT WORKDIR [BASE]: where a .cwasm's instructions go, by the kind of
# generated C each comes from. Run `valgrind --tool=callgrind --dump-instr=yes
# --callgrind-out-file=CALLGRIND.OUT cairn run M.cwasm ...` on a .cwasm compiled with
# `cairn compile --keep-c WORKDIR`: each executed instruction of the loader-mapped code is
# mapped (BASE: the load address; found from the symbols when not given) to its address
# in WORKDIR/code-debug.so, whose line tables name the line of unitN.c (or cairn_aot.h)
# it comes from; the line's text gives the kind (entry check, poll, prologue, call_indirect,
# ...). Costs of calls (inclusive) are left out: each instruction counts once.
# Example: docs/benchmarks.md, "Where speedtest1's time goes, after the sqlgap branch".
import collections, re, subprocess, sys

cg, work = sys.argv[1], sys.argv[2]
so = work + "/code-debug.so"
syms = {}
for line in subprocess.run(["nm", so], capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[1] in "tT":
        syms[int(f[0], 16)] = f[2]
cost = collections.Counter()
addr, incall, fnaddrs = 0, False, []
for line in open(cg):
    if line.startswith("fn="):
        m = re.search(r"0x([0-9a-f]+)", line)
        if m and len(fnaddrs) < 200:
            fnaddrs.append(int(m.group(1), 16))
        continue
    if line.startswith("calls="):
        incall = True
        continue
    m = re.match(r"(0x[0-9a-f]+|\+\d+|-\d+|\*)\s+\S+\s+(\d+)", line)
    if not m:
        continue
    p = m.group(1)
    if p.startswith("0x"):
        addr = int(p, 16)
    elif p[0] in "+-":
        addr += int(p)
    if incall:
        incall = False
        continue
    cost[addr] += int(m.group(2))
if len(sys.argv) > 3:
    base = int(sys.argv[3], 16)
else:  # the offset that puts the most function addresses on symbols
    base = collections.Counter(a - s for a in fnaddrs for s in syms).most_common(1)[0][0]
src = {}


def kind(path, n):
    if path not in src:
        src[path] = open(path).read().split("\n")
    lines = src[path]
    t = lines[n - 1] if 0 < n <= len(lines) else ""
    if path.endswith(".h"):  # inside a helper of cairn_aot.h: the helper's name
        j = n - 1
        while j > 0 and not re.match(r"(static inline|#define)", lines[j]):
            j -= 1
        for key, k in (("cairn_indirect", "call_indirect"), ("cairn_memory", "memory.copy/fill"),
                       ("CAIRN_ENTER", "entry check"), ("cairn_stack_pointer", "entry check"),
                       ("cairn_lv", "versioned copies"), ("CAIRN_POLL", "back-edge poll")):
            if key in lines[j]:
                return k
        return "cairn_aot.h: " + lines[j].strip()[:40]
    for key, k in (("CAIRN_ENTER", "entry check"), ("CAIRN_POLL", "back-edge poll"),
                   ("cairn_indirect(", "call_indirect"), ("cairn_memory_", "memory.copy/fill")):
        if key in t:
            return k
    if t.startswith(("CAIRN_FUNC", "CAIRN_HIDDEN")):
        return "prologue"
    if "CAIRN_LEAVE" in t or t.strip() == "}":
        return "epilogue/return"
    if re.search(r"cairn_f\d+\(ctx", t):
        return "direct call"
    if "ctx->bases" in t:
        return "entry: memory base"
    if "ctx->type_ids" in t:
        return "entry: type id"
    if "ctx->tables" in t:
        return "entry: table"
    if re.match(r"\s*uint\d+_t g\d+ = ", t):
        return "entry: global"
    if "ctx->globals" in t:
        return "global.set / reload"
    if "CAIRN_LOADV" in t or "CAIRN_STOREV" in t or re.search(r"\blv\w*_", t):
        return "versioned copies"
    return "the functions' own code"


out = subprocess.run(["objdump", "-dl", "--no-show-raw-insn", so], capture_output=True,
                     text=True).stdout
where, by, total = None, collections.Counter(), 0
for line in out.splitlines():
    m = re.match(r"(/\S+\.[ch]):(\d+)", line)
    if m:
        where = (m.group(1), int(m.group(2)))
        continue
    m = re.match(r"\s+([0-9a-f]+):\s", line)
    if m and where:
        c = cost.get(int(m.group(1), 16) + base, 0)
        if c:
            by[kind(*where)] += c
            total += c
print("instructions of the mapped code: %.1f M (base 0x%x)" % (total / 1e6, base))
for k, c in by.most_common():
    print("%-28s %9.1f M %5.1f %%" % (k, c / 1e6, 100.0 * c / total))
