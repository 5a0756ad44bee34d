#!/usr/bin/env python3
# exp.py VARIANTS KERNELS RUNS: measurement tool for the native tier's costs (docs/benchmarks.md,
# "Why the native tier is below target"). Compiles each program of bench.py's work folder
# (build/bench: wasm/NAME.wasm, native/NAME) once per variant through `cairn compile --cc
# cc.sh` (cc.sh applies patch.py's edits to the generated C and cairn_aot.h, then runs gcc),
# then times native, the unchanged .cwasm and every variant interleaved (CPU time, best of
# RUNS). VARIANTS: colon-separated, each a comma-separated set of patch.py's edits (pend,
# globals, mem, fp, noshadow, nopoll, noloadk, static, inl, nosnan) or O3. Some variants drop
# safety checks: they size costs, they are not code to ship.
# patch.py's edits were written for CAIRN_AOT_ABI 1's cairn_aot.h (shadow call stack,
# CAIRN_HIDDEN functions): run them on a checkout from before the frame chain (ec3fe77).
# Example: python3 bench/aot-exp/exp.py "pend,globals,mem,fp:noshadow" recursion,matmul 2
import os, subprocess, sys, math
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
B = os.environ.get("BENCH_WORK", os.path.join(ROOT, "build", "bench"))   # built by bench.py
CAIRN = os.environ.get("CAIRN", os.path.join(ROOT, "build", "cairn"))
OUT = os.environ.get("OUT", "/tmp/cairn-aot-exp")
variants = ["base"] + [v for v in sys.argv[1].split(":") if v]
kernels = sys.argv[2].split(",")
runs = int(sys.argv[3])
os.makedirs(OUT, exist_ok=True)
def cw(k, v):
    out = "%s/%s-%s.cwasm" % (OUT, k, v.replace(",", "+"))
    if not os.path.exists(out):
        env = dict(os.environ, VARIANT="" if v == "base" else v)
        subprocess.run([CAIRN, "compile", "-O3" if v.startswith("O3") else "-O2", "-j", "2", "--cc", os.path.join(HERE, "cc.sh"), "%s/wasm/%s.wasm" % (B, k), "-o", out],
                       env=env, check=True)
    return out
def cpu(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = p.stdout.read()
    _, st, ru = os.wait4(p.pid, 0)
    return ru.ru_utime + ru.ru_stime, out.strip().splitlines()[-1]
for k in kernels:
    cmds = {"native": ["%s/native/%s" % (B, k)] + (["--memdb", "--verify", "--size", "20"] if k == "speedtest1" else [])}
    for v in variants:
        cmds[v] = [CAIRN, "run", cw(k, v)] + (["--memdb", "--verify", "--size", "20"] if k == "speedtest1" else [])
    best = {}
    ref = None
    for r in range(runs):
        for name, cmd in cmds.items():
            t, out = cpu(cmd)
            if ref is None: ref = out
            if out != ref: print("MISMATCH", k, name, out); 
            best[name] = min(best.get(name, 1e9), t)
    line = "%-13s native %.3f" % (k, best["native"])
    for v in variants:
        line += " | %s %.3f (%.3f)" % (v, best[v], best["native"] / best[v])
    print(line, flush=True)
