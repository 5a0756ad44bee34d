#!/usr/bin/env python3
# ab.py KERNELS RUNS NAME=CAIRN...: native tier before/after comparison (docs/benchmarks.md,
# "Native tier"). Compiles each kernel of bench.py's work folder (BENCH_WORK, default
# build/bench: wasm/NAME.wasm, native/NAME) with every CAIRN given (`cairn compile -O2`, kept
# in OUT as NAME-KERNEL.cwasm; a .cwasm named "before", or of a variant named in REUSE=N1,N2,
# is reused when present), then times
# the native build and `CAIRN run` of each .cwasm interleaved, RUNS rounds, and prints the
# best CPU time (user + system of the process) and native / that per variant.
# bzip2 and speedtest1 run as bench.py runs them (bzip2 -9 -c with BENCH_WORK/bzip2-input.txt
# on stdin, its output compared by SHA-256; speedtest1 --memdb --verify --size 20, compared by
# its verification hash).
# Example: python3 bench/aot-exp/ab.py indirect,recursion 3 before=/work/main/build/cairn after=build/cairn
import hashlib, os, re, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
B = os.environ.get("BENCH_WORK", os.path.join(ROOT, "build", "bench"))
OUT = os.environ.get("OUT", "/tmp/cairn-aot-ab")
kernels = sys.argv[1].split(",")
runs = int(sys.argv[2])
variants = [a.split("=", 1) for a in sys.argv[3:]]
os.makedirs(OUT, exist_ok=True)

def cwasm(kernel, name, cairn):
    out = os.path.join(OUT, "%s-%s.cwasm" % (name, kernel))
    if name not in ("before",) + tuple(os.environ.get("REUSE", "").split(",")) or not os.path.exists(out):
        subprocess.run([cairn, "compile", "-O2", "-j", "2", os.path.join(B, "wasm", kernel + ".wasm"),
                        "-o", out], check=True)
    return out

# programs that are not kernels: arguments, stdin and what of the output must match
# (bench.py's build_bzip2 and build_sqlite)
def last_line(out):
    out = out.strip()
    return out.splitlines()[-1] if out else b""

def verification_hash(out):
    m = re.search(rb"Verification Hash: (.*)", out)
    return m.group(1).strip() if m else b"(no verification hash)"

REAL = {"bzip2": (["-9", "-c"], os.path.join(B, "bzip2-input.txt"),
                  lambda out: hashlib.sha256(out).hexdigest()[:16]),
        "speedtest1": (["--memdb", "--verify", "--size", "20"], None, verification_hash)}

def cpu(cmd, stdin, digest):
    with open(stdin or os.devnull, "rb") as f:
        p = subprocess.Popen(cmd, stdin=f, stdout=subprocess.PIPE)
        out = p.stdout.read()
    _, _, ru = os.wait4(p.pid, 0)
    return ru.ru_utime + ru.ru_stime, digest(out)

for k in kernels:
    args, stdin, digest = REAL.get(k, ([], None, last_line))
    cmds = {"native": [os.path.join(B, "native", k)] + args}
    for name, cairn in variants:
        cmds[name] = [cairn, "run", cwasm(k, name, cairn)] + args
    best, ref = {}, None
    for _ in range(runs):
        for name, cmd in cmds.items():
            t, out = cpu(cmd, stdin, digest)
            if ref is None:
                ref = out
            if out != ref:
                print("MISMATCH", k, name, out)
            best[name] = min(best.get(name, 1e9), t)
    line = "%-13s native %.3f" % (k, best["native"])
    for name, _ in variants:
        line += " | %s %.3f (%.3f)" % (name, best[name], best["native"] / best[name])
    print(line, flush=True)
