#!/usr/bin/env python3
"""Cairn benchmark harness (python3 standard library only).

`make bench` runs:   bench.py --cairn build/cairn --work build/bench
`make bench-smoke`:  bench.py --smoke --cairn build/cairn --work build/bench-smoke

Full run: builds every kernel in bench/kernels natively (gcc -O2) and for
wasm32-wasi (clang -O2), plus two real-world programs from Debian source
packages (bzip2, SQLite's speedtest1; fetched with `apt-get source` into the
work directory, never into the repository), runs each natively, under
`cairn run` and under Node.js's WASI (V8, the JIT reference), best of N
wall-clock runs, checks that every run prints the same checksum as native,
and writes the "Compute kernels" section of docs/benchmarks.md and the chart
docs/benchmarks-kernels.svg (gnuplot).

Native tier (--aot, on by default when `cairn compile` works): each module is
compiled once with `cairn compile -O2` (timed apart, never in the run time)
and run as `cairn run NAME.cwasm ARGS` (whole process, loading the .cwasm
included), in the same run as the other columns. The report adds the compile
time at -O0 and -O2 per MB of Wasm code (the kernels, bzip2, speedtest1 and a
module from tests/perf/gen-large-module.py, --large-mb) and .cwasm sizes.

Smoke run: every kernel once at scale 1, native and cairn outputs compared,
no timing; with the native tier, each kernel's .cwasm (cairn compile -O2) is
run too and must print native's checksum. Prints SKIP and exits 0 when no wasm32-wasi C compiler is found,
unless $CI is "true" (then that is a failure).

Environment: CAIRN_RUN overrides the cairn command (e.g. "/tmp/wrun" or
"build/cairn run"); CC (native compiler, default gcc), WASM_CC (default
clang), NODE (default node).
"""
import argparse
import datetime
import fcntl
import glob
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
KDIR = os.path.join(BENCH, "kernels")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
CHART = os.path.join(ROOT, "docs", "benchmarks-kernels.svg")
SECTION = "## Compute kernels"
CLOCK = "cpu"   # set from --clock
WORK = None     # set from --work

# One line per kernel for the table (the files' header comments say more).
KERNELS = {
    "intarith": "Collatz chains, gcd, 64-bit mul/div/mod",
    "nbody": "40-body gravity, doubles and sqrt",
    "memstream": "STREAM-like copy/scale/add/triad, 24 MiB",
    "ptrchase": "dependent loads round a random 256 Ki-node cycle",
    "recursion": "fib, Ackermann, 3000-deep descent",
    "indirect": "function-pointer VM and method tables",
    "statemachine": "lexer state machine over generated C-like text",
    "hash": "FNV-1a, 64-bit block hash, open-addressing table",
    "compress": "LZ77 hash chains + Huffman lengths, round trip",
    "sort": "quicksort and mergesort of 64 Ki keys",
    "matmul": "128x128 double matrix multiply",
    "strings": "split, reverse, Horspool search, itoa/atoi",
    "sieve": "bit-array sieve of Eratosthenes to 4 Mi",
    "bignum": "base-10^9 factorials, spigot digits of e",
}

KERNEL_CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror"]
# The Wasm features every current toolchain's default target enables (LLVM's
# "generic" wasm CPU since LLVM 20; wasi-sdk 25 and later), all of them Wasm
# 2.0. Debian's clang 14 leaves them off, so memcpy/memset become calls to
# wasi-libc's byte loops instead of memory.copy/memory.fill, and float to int
# conversions and sign extensions take several instructions. Multi-value and
# reference types are also in that set but change nothing this C compiles to.
# With bulk memory on, clang 14 keeps C11 thread-locals (errno) and accepts
# only the local-exec model for them (later versions drop them in a module
# without threads); the checksums compared on every run catch a wrong errno.
WASM_FEATURES = ["-mbulk-memory", "-mnontrapping-fptoint", "-msign-ext", "-mmutable-globals",
                 "-ftls-model=local-exec"]
WASM_LDFLAGS = ["-Wl,-z,stack-size=1048576"]

# Real-world programs (full runs only).
BZIP2_SOURCES = ["blocksort.c", "huffman.c", "crctable.c", "randtable.c", "compress.c",
                 "decompress.c", "bzlib.c", "bzip2.c"]
# WASI has no signals or process clocks (emulated by wasi-libc's extra
# libraries) and no fchmod/fchown; bzip2 calls those only when it writes a
# named output file, and the benchmark pipes stdin to stdout.
BZIP2_WASI = ["-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS",
              "-Dfchmod(f,m)=0", "-Dfchown(f,u,g)=0"]
BZIP2_WASI_LIBS = ["-lwasi-emulated-signal", "-lwasi-emulated-process-clocks"]
BZIP2_INPUT_BYTES = 8 << 20
# SQLite: single-threaded, no extension loading, temp storage and statement
# journals in memory. For wasm32-wasi the unix VFS (file locks, fchown,
# mmap...) does not build, so SQLITE_OS_OTHER plus bench/real/sqlite-wasi-vfs.c.
SQLITE_DEFS = ["-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_TEMP_STORE=3",
               "-DSQLITE_STMTJRNL_SPILL=-1", "-DSQLITE_OMIT_WAL", "-DSQLITE_OMIT_SHARED_CACHE"]
SQLITE_WASI = ["-DSQLITE_OS_OTHER=1", "-D_WASI_EMULATED_PROCESS_CLOCKS"]
SQLITE_WASI_LIBS = ["-lwasi-emulated-process-clocks"]
SQLITE_ARGS = ["--memdb", "--verify", "--size", "20"]


def log(msg):
    print(msg, flush=True)


def die(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def lock_work(work):
    """Holds an exclusive lock on WORK/.lock for the rest of the process: two runs on one
    work folder rebuild and overwrite each other's modules and outputs (wrong checksums,
    mixed timings), so a second one stops at once with a clear message."""
    os.makedirs(work, exist_ok=True)
    f = open(os.path.join(work, ".lock"), "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        die("another bench.py is using %s (wait for it, or give this one --work DIR)" % work)
    return f   # the lock lives as long as this file object


def run(cmd, **kw):
    """Runs a build command, failing loudly with its output."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    if r.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (
            r.returncode, " ".join(shlex.quote(c) for c in cmd), r.stdout.decode(errors="replace")[-4000:]))
    return r.stdout.decode(errors="replace")


def stale(target, sources):
    if not os.path.exists(target):
        return True
    t = os.path.getmtime(target)
    return any(os.path.getmtime(s) > t for s in sources)


def wasm_build(wasm_cc, cflags, srcs, link, out):
    """Compiles srcs for wasm32-wasi with cflags, each into an object, then
    links them with link (linker flags and libraries) and no -O: at an
    optimizing link clang 14 runs binaryen's wasm-opt whenever one is on PATH,
    and the benchmark's modules would then differ between machines (and lose
    their name section)."""
    objdir = out + ".objs"
    os.makedirs(objdir, exist_ok=True)
    objs = []
    for i, src in enumerate(srcs):
        obj = os.path.join(objdir, "%d-%s.o" % (i, os.path.splitext(os.path.basename(src))[0]))
        run(wasm_cc + ["--target=wasm32-wasi"] + cflags + ["-c", src, "-o", obj])
        objs.append(obj)
    run(wasm_cc + ["--target=wasm32-wasi", "-o", out] + objs + link)


def wasm_flags_stamp(work):
    """The file whose content is the wasm build's feature flags, rewritten
    (and so newer than every module) when they change: modules list it among
    their sources, so a flag change rebuilds them."""
    path = os.path.join(work, "wasm", "features.txt")
    want = " ".join(WASM_FEATURES) + "\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        with open(path) as f:
            if f.read() == want:
                return path
    except OSError:
        pass
    with open(path, "w") as f:
        f.write(want)
    return path


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20).stdout
        return out.decode(errors="replace").strip().splitlines()[0]
    except Exception:
        return "unknown"


# ---------------------------------------------------------------- toolchain

def find_wasm_cc(work):
    """Returns the wasm32-wasi compiler command, or None if none works."""
    cand = [os.environ["WASM_CC"]] if os.environ.get("WASM_CC") else ["clang", "clang-14", "clang-15", "clang-16"]
    os.makedirs(work, exist_ok=True)
    probe = os.path.join(work, "probe.c")
    with open(probe, "w") as f:
        f.write("#include <stdio.h>\nint main(void){puts(\"ok\");return 0;}\n")
    for cc in cand:
        if not shutil.which(cc.split()[0]):
            continue
        cmd = shlex.split(cc) + ["--target=wasm32-wasi", "-O2", "-o", os.path.join(work, "probe.wasm"), probe]
        if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return shlex.split(cc)
    return None


def cairn_exe(args):
    return args.cairn or os.path.join(ROOT, "build", "cairn")


def cairn_cmd(args):
    if os.environ.get("CAIRN_RUN"):
        return shlex.split(os.environ["CAIRN_RUN"])
    exe = args.cairn or os.path.join(ROOT, "build", "cairn")
    return [exe, "run"]


def node_cmd():
    node = os.environ.get("NODE", "node")
    if not shutil.which(node):
        return None
    return [node, "--experimental-wasi-unstable-preview1", "--no-warnings",
            os.path.join(BENCH, "node-wasi.mjs")]


def aot_works(exe, work, wasm_cc):
    """True if `cairn compile` can compile and `cairn run` run a module here
    (a C compiler is installed and the native tier supports this machine)."""
    probe = os.path.join(work, "probe.wasm")
    out = os.path.join(work, "probe.cwasm")
    if not os.path.exists(probe):
        return False
    r = subprocess.run([exe, "compile", "-O0", probe, "-o", out], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        log("bench: native tier off: cairn compile failed: " +
            r.stdout.decode(errors="replace").strip()[-300:])
        return False
    r = subprocess.run([exe, "run", out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode == 0 and r.stdout.strip() == b"ok"


def wasm_code_bytes(path):
    """Size of a module's code section (id 10): what compile time is per."""
    with open(path, "rb") as f:
        b = f.read()
    i = 8
    while i < len(b):
        sid = b[i]
        i += 1
        n = shift = 0
        while True:
            c = b[i]
            i += 1
            n |= (c & 0x7f) << shift
            shift += 7
            if not c & 0x80:
                break
        if sid == 10:
            return n
        i += n
    return 0


def aot_compile(exe, wasm, out, level, jobs=None):
    """cairn compile -O<level>; returns (cpu seconds of the compile and its C
    compiler processes, wall seconds), or raises with the compiler's output."""
    cmd = [exe, "compile", "-O%d" % level] + (["-j", str(jobs)] if jobs else []) + [wasm, "-o", out]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("cairn compile failed: %s\n%s" % (" ".join(cmd), text.decode(errors="replace")[-2000:]))
    # wait4's usage of a child includes its waited-for children (the C compilers)
    return ru.ru_utime + ru.ru_stime, wall


# ---------------------------------------------------------------- programs

class Program:
    """One benchmark: a native command, a wasm module and its arguments,
    an optional stdin file, and how to reduce output to a checksum."""

    def __init__(self, name, desc, native, wasm, args, stdin=None, digest=None, kind="kernel"):
        self.name, self.desc, self.native, self.wasm = name, desc, native, wasm
        self.args, self.stdin, self.kind = args, stdin, kind
        self.cwasm = None   # set when the native tier compiled it
        self.digest = digest or (lambda out: out.decode(errors="replace").strip())


def build_kernels(names, work, cc, wasm_cc):
    progs = []
    os.makedirs(os.path.join(work, "native"), exist_ok=True)
    os.makedirs(os.path.join(work, "wasm"), exist_ok=True)
    hdr = os.path.join(KDIR, "bench.h")
    for n in names:
        src = os.path.join(KDIR, n + ".c")
        nat = os.path.join(work, "native", n)
        wasm = os.path.join(work, "wasm", n + ".wasm")
        if stale(nat, [src, hdr]):
            run(cc + KERNEL_CFLAGS + ["-o", nat, src, "-lm"])
        if stale(wasm, [src, hdr, wasm_flags_stamp(work)]):
            wasm_build(wasm_cc, KERNEL_CFLAGS + WASM_FEATURES, [src], WASM_LDFLAGS, wasm)
        progs.append(Program(n, KERNELS.get(n, ""), [nat], wasm, []))
    return progs


def ensure_deb_src():
    """Adds a deb-src entry for bookworm if apt has none, then apt-get update."""
    have = False
    files = ["/etc/apt/sources.list"] + glob.glob("/etc/apt/sources.list.d/*")
    for p in files:
        try:
            with open(p) as f:
                for line in f:
                    s = line.strip()
                    if s.startswith("#"):
                        continue
                    if s.startswith("deb-src ") or (s.startswith("Types:") and "deb-src" in s.split()):
                        have = True
        except OSError:
            pass
    if have:
        return
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if sudo is None:
        raise RuntimeError("apt has no deb-src entry and we are not root (no sudo) to add one")
    entry = deb_src_entries()
    if not entry:
        raise RuntimeError("apt has neither a deb-src entry nor a deb entry to derive one from")
    path = "/etc/apt/sources.list.d/cairn-bench-src.sources"
    log("bench: adding deb-src entries (the machine's deb entries as source) in " + path)
    subprocess.run(sudo + ["tee", path], input=entry.encode(), stdout=subprocess.DEVNULL, check=True)
    run(sudo + ["apt-get", "update", "-q"])


def deb_src_entries():
    """The machine's own binary apt sources as deb-src stanzas (deb822): every
    stanza of /etc/apt/sources.list.d/*.sources whose Types has deb, and
    every one-line `deb URI SUITE COMPONENTS` of /etc/apt/sources.list, with
    Types deb-src. No archive address of our own: the mirror is the machine's."""
    stanzas = []
    for p in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        try:
            text = open(p).read()
        except OSError:
            continue
        for block in text.split("\n\n"):
            fields = {}
            for line in block.splitlines():
                if line.startswith("#") or ":" not in line:
                    continue
                k, v = line.split(":", 1)
                fields[k.strip()] = v.strip()
            if "deb" in fields.get("Types", "").split() and fields.get("URIs"):
                keep = [k for k in ("URIs", "Suites", "Components", "Signed-By") if k in fields]
                stanzas.append("Types: deb-src\n" + "".join("%s: %s\n" % (k, fields[k]) for k in keep))
    try:
        for line in open("/etc/apt/sources.list"):
            w = line.split()
            if len(w) >= 4 and w[0] == "deb" and not w[1].startswith("["):
                stanzas.append("Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n"
                               % (w[1], w[2], " ".join(w[3:])))
    except OSError:
        pass
    return "\n".join(stanzas)


def fetch_source(pkg, srcdir):
    """apt-get source PKG into srcdir (once); returns the unpacked tree."""
    found = sorted(d for d in glob.glob(os.path.join(srcdir, pkg + "-*")) if os.path.isdir(d))
    if found:
        return found[-1]
    ensure_deb_src()
    os.makedirs(srcdir, exist_ok=True)
    log("bench: apt-get source " + pkg)
    run(["apt-get", "source", "-q", pkg], cwd=srcdir)
    found = sorted(d for d in glob.glob(os.path.join(srcdir, pkg + "-*")) if os.path.isdir(d))
    if not found:
        raise RuntimeError("apt-get source %s unpacked nothing in %s" % (pkg, srcdir))
    return found[-1]


def gen_bzip2_input(path):
    """8 MiB of deterministic text: lines of words from a fixed vocabulary
    with numbers, compressible but not trivially."""
    if os.path.exists(path) and os.path.getsize(path) == BZIP2_INPUT_BYTES:
        return
    r = random.Random(20240601)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(r.choice(letters) for _ in range(r.randint(2, 9))) for _ in range(2000)]
    parts, n = [], 0
    while n < BZIP2_INPUT_BYTES:
        line = " ".join(r.choice(vocab) for _ in range(r.randint(3, 14))) + " %d\n" % r.randint(0, 10 ** 6)
        parts.append(line)
        n += len(line)
    with open(path, "w") as f:
        f.write("".join(parts)[:BZIP2_INPUT_BYTES])


def build_bzip2(work, cc, wasm_cc):
    tree = fetch_source("bzip2", os.path.join(work, "src"))
    srcs = [os.path.join(tree, s) for s in BZIP2_SOURCES]
    nat = os.path.join(work, "native", "bzip2")
    wasm = os.path.join(work, "wasm", "bzip2.wasm")
    if stale(nat, srcs):
        log("bench: building bzip2 (native)")
        run(cc + ["-O2", "-w", "-o", nat] + srcs)
    if stale(wasm, srcs + [wasm_flags_stamp(work)]):
        log("bench: building bzip2 (wasm32-wasi)")
        wasm_build(wasm_cc, ["-O2", "-w"] + WASM_FEATURES + BZIP2_WASI, srcs, BZIP2_WASI_LIBS, wasm)
    inp = os.path.join(work, "bzip2-input.txt")
    gen_bzip2_input(inp)
    import hashlib
    return Program("bzip2", "bzip2 1.0.8 -9 compressing 8 MiB of generated text (Debian source)",
                   [nat], wasm, ["-9", "-c"], stdin=inp,
                   digest=lambda out: hashlib.sha256(out).hexdigest()[:16], kind="real")


def build_sqlite(work, cc, wasm_cc):
    tree = fetch_source("sqlite3", os.path.join(work, "src"))
    bld = os.path.join(tree, "bld")
    amal = os.path.join(bld, "sqlite3.c")
    if not os.path.exists(amal):
        if not shutil.which("tclsh"):
            log("bench: installing tcl (SQLite's amalgamation generator needs tclsh)")
            run((["sudo", "-n"] if os.geteuid() != 0 else []) + ["apt-get", "install", "-y", "-q", "tcl"])
        log("bench: generating the SQLite amalgamation")
        os.makedirs(bld, exist_ok=True)
        run(["../configure", "--disable-tcl"], cwd=bld)
        run(["make", "sqlite3.c"], cwd=bld)
    speed = os.path.join(tree, "test", "speedtest1.c")
    vfs = os.path.join(BENCH, "real", "sqlite-wasi-vfs.c")
    nat = os.path.join(work, "native", "speedtest1")
    wasm = os.path.join(work, "wasm", "speedtest1.wasm")
    if stale(nat, [amal, speed]):
        log("bench: building speedtest1 (native)")
        run(cc + ["-O2", "-w"] + SQLITE_DEFS + ["-I", bld, "-o", nat, speed, amal, "-lm"])
    if stale(wasm, [amal, speed, vfs, wasm_flags_stamp(work)]):
        log("bench: building speedtest1 (wasm32-wasi)")
        wasm_build(wasm_cc, ["-O2", "-w"] + WASM_FEATURES + SQLITE_DEFS + SQLITE_WASI + ["-I", bld],
                   [speed, amal, vfs], SQLITE_WASI_LIBS, wasm)

    def digest(out):
        m = re.search(rb"Verification Hash: (.*)", out)
        return m.group(1).decode().strip() if m else "(no verification hash)"
    return Program("sqlite", "SQLite 3.40.1 speedtest1 --memdb --size 20 (Debian source)",
                   [nat], wasm, SQLITE_ARGS, digest=digest, kind="real")


# ---------------------------------------------------------------- running

def run_once(cmd, stdin, timeout, work=None):
    """Returns (seconds, exit code, stdout bytes, stderr text); seconds is
    the clock chosen by --clock: CPU time (user + system, all threads) or
    wall-clock time."""
    work = work or WORK
    fout = open(os.path.join(work, "stdout.tmp"), "w+b")
    ferr = open(os.path.join(work, "stderr.tmp"), "w+b")
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                return timeout, -1, b"", "timed out after %ds" % timeout
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read(), ferr.read().decode(errors="replace")
    finally:
        fout.close()
        ferr.close()
        if stdin:
            fin.close()
    cpu = ru.ru_utime + ru.ru_stime
    return (cpu if CLOCK == "cpu" else wall), p.returncode, out, err


def measure(prog, runtime, cmd, ref, runs, max_seconds, timeout):
    """Best-of-runs time of one program on one runtime. ref is the native
    checksum (None when measuring native itself). Returns a result dict."""
    best, note, digest = None, "", None
    for i in range(runs):
        dt, rc, out, err = run_once(cmd, prog.stdin, timeout)
        if rc != 0:
            note = "exit %d: %s" % (rc, (err.strip().splitlines() or [""])[-1][:120])
            best = None
            break
        digest = prog.digest(out)
        if ref is not None and digest != ref:
            note = "checksum mismatch: %s vs native %s" % (digest, ref)
            best = None
            break
        best = dt if best is None else min(best, dt)
        if dt > max_seconds:   # long runs: one is enough, the noise is small
            break
    log("  %-13s %-7s %s" % (prog.name, runtime, ("%.3f s" % best) if best is not None else "FAILED " + note))
    return {"time": best, "note": note, "digest": digest}


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


# ---------------------------------------------------------------- report

def machine_info():
    model, cores = "unknown CPU", os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = "%.1f GiB RAM" % (kb / 1048576)
    except (OSError, ValueError, IndexError):
        pass
    return model, cores, mem


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
        return rev + (" with local changes" if dirty else "") if rev else "unknown"
    except OSError:
        return "unknown"


def fmt_t(r):
    return "%.3f" % r["time"] if r and r["time"] is not None else "—"


def fmt_ratio(nat, r):
    if not r or r["time"] is None or nat["time"] is None:
        return "fail" if r else "—"
    return "%.3f" % (nat["time"] / r["time"])


def ratio(nat, r):
    if not r or r["time"] is None or nat["time"] is None:
        return None
    return nat["time"] / r["time"]


def make_chart(rows, work, nk, aot=False):
    """Clustered bars of the ratios, log scale; rows = (name, cairn, native
    tier, node) for the kernels, geomean, real programs (nk = number of
    kernels, for the separators around geomean)."""
    gp = shutil.which("gnuplot")
    if not gp and os.geteuid() == 0:
        log("bench: installing gnuplot-nox for the chart")
        subprocess.run(["apt-get", "install", "-y", "-q", "gnuplot-nox"], stdout=subprocess.DEVNULL)
        gp = shutil.which("gnuplot")
    if not gp:
        log("bench: gnuplot not found (apt-get install gnuplot-nox): no chart")
        return False
    dat = os.path.join(work, "chart.dat")
    with open(dat, "w") as f:
        for name, c, a, n in rows:
            f.write('"%s" %s %s %s\n' % (name, ("%.5f" % c) if c else "NaN", ("%.5f" % a) if a else "NaN",
                                        ("%.5f" % n) if n else "NaN"))
    script = os.path.join(work, "chart.gp")
    with open(script, "w") as f:
        f.write("""set terminal svg size 960,520 font "Helvetica,13" background rgb "white"
set output "%(out)s"
set title "Speed relative to native code (native time / runtime time, higher is better)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set yrange [0.01:4]
set ytics ("0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.07" 0.07, "0.12" 0.12, "0.25" 0.25, "0.5" 0.5, "1 = native" 1)
set grid ytics lc rgb "#dddddd"
set xtics rotate by -35 nomirror
set key outside top center horizontal
set arrow 1 from graph 0, first 0.12 to graph 1, first 0.12 nohead lc rgb "#d62728" lw 2 dt 2 front
set rmargin 17
set label 1 "target 0.12" at graph 1.01, first 0.12 left tc rgb "#d62728" noenhanced
set arrow 2 from graph 0, first 0.07 to graph 1, first 0.07 nohead lc rgb "#ff7f0e" lw 1 dt 3 front
set label 2 "best interpreters\\ntoday: ~0.07" at graph 1.01, first 0.066 left tc rgb "#ff7f0e" noenhanced
set arrow 3 from first %(sep)g, graph 0 to first %(sep)g, graph 1 nohead lc rgb "#888888" dt 4
set arrow 4 from first %(sep2)g, graph 0 to first %(sep2)g, graph 1 nohead lc rgb "#888888" dt 4
%(aotline)splot "%(dat)s" using 2:xtic(1) title "cairn run (interpreter)" lc rgb "#1f77b4", \\
%(aotplot)s     "" using 4 title "Node.js WASI (V8 JIT)" lc rgb "#aaaaaa"
""" % {"out": CHART, "dat": dat, "sep": nk - 0.5, "sep2": nk + 0.5,
       "aotline": ('set arrow 5 from graph 0, first 0.95 to graph 1, first 0.95 nohead lc rgb "#2ca02c" lw 2 dt 2 front\n'
                   'set label 5 "native tier\\ntarget 0.95" at graph 1.01, first 0.95 left tc rgb "#2ca02c" noenhanced\n'
                   if aot else ""),
       "aotplot": '     "" using 3 title "cairn native tier (.cwasm)" lc rgb "#2ca02c", \\\n' if aot else ""})
    r = subprocess.run([gp, script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        log("bench: gnuplot failed: " + r.stdout.decode(errors="replace")[-500:])
        return False
    return True


def compile_report(ctable, args):
    """The compile-time table: per module, CPU time of `cairn compile` (its C
    compiler processes included) and MB of Wasm code per CPU second."""
    lv = args.compile_levels
    out = ["Native tier compile time (`cairn compile -O<n> M.wasm -o M.cwasm`, one module at a time, "
           "`-j %d`): CPU seconds of `cairn compile` and its C compiler processes (wall time on this "
           "shared machine is noisy; with `-j` the C units of a large module compile in parallel), and CPU "
           "seconds per MB (10^6 bytes) of the module's code section. .cwasm = size of the output at that "
           "level.\n\n" % (os.cpu_count() or 1)]
    head = "| module | .wasm bytes | code bytes |"
    sep = "|---|--:|--:|"
    for l in lv:
        head += " -O%d CPU s | -O%d wall s | -O%d CPU s/MB | -O%d .cwasm bytes |" % (l, l, l, l)
        sep += "--:|--:|--:|--:|"
    out.append(head + "\n" + sep + "\n")
    tot = {l: [0.0, 0] for l in lv}
    for name, wb, cb, per in ctable:
        line = "| %s | %d | %d |" % (name, wb, cb)
        for l in lv:
            if l in per:
                cpu, wall, cw = per[l]
                tot[l][0] += cpu
                tot[l][1] += cb
                line += " %.2f | %.2f | %.1f | %d (%.1fx) |" % (cpu, wall, cpu / (cb / 1e6) if cb else 0, cw,
                                                                cw / wb)
            else:
                line += " fail | | | |"
        out.append(line + "\n")
    line = "| **all** | | |"
    for l in lv:
        c, b = tot[l]
        line += " %.2f | | **%.1f** | |" % (c, c / (b / 1e6) if b else 0)
    out.append(line + "\n\n")
    out.append("The kernels' modules are mostly wasi-libc (printf and friends): each holds 25 to 30 KB of code "
               "whatever the kernel. The `.cwasm` holds the module itself (its .wasm bytes) and the "
               "shared object; at -O0 the object is larger.\n\n")
    return "".join(out)


def write_doc(section):
    os.makedirs(os.path.dirname(DOC), exist_ok=True)
    text = open(DOC).read() if os.path.exists(DOC) else ""
    if not text.strip():
        text = ("# Benchmarks\n\nFigures measured on this project's machines; each section says how "
                "to regenerate it.\n\n")
    lines = text.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.rstrip() == SECTION), None)
    if start is None:
        if not text.endswith("\n"):
            text += "\n"
        text += "\n" + section
    else:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
        text = "".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    with open(DOC, "w") as f:
        f.write(text)


def report(results, progs, args, cairn, node, chart_ok, cc, wasm_cc, elapsed, aot=False, ctable=None):
    model, cores, mem = machine_info()
    krows = [p for p in progs if p.kind == "kernel"]
    rrows = [p for p in progs if p.kind == "real"]
    out = [SECTION + "\n\n"]
    out.append("Generated by `make bench` (`bench/bench.py`) on %s, Cairn commit %s.\n\n" % (
        datetime.date.today().isoformat(), git_rev()))
    out.append("- Machine: %s, %d cores%s, %s %s (load average %.2f when the run started)\n" % (
        model, cores, (", " + mem) if mem else "", platform.system(), platform.release(), args.load))
    out.append("- Command: `make bench` (`python3 bench/bench.py --runs %d --clock %s`); the cairn command was `%s`\n" % (
        args.runs, CLOCK, " ".join(os.path.relpath(c, ROOT) if os.path.isabs(c) and c.startswith(ROOT) else c
                            for c in cairn)))
    out.append("- Compilers: native `%s -O2` (%s); wasm32-wasi `%s --target=wasm32-wasi -O2 %s` (%s, wasi-libc; "
               "the features LLVM 20 and later enable by default, which clang 14 leaves off)\n" % (
        cc[0], tool_version(cc + ["--version"]), wasm_cc[0], " ".join(WASM_FEATURES),
        tool_version(wasm_cc + ["--version"])))
    out.append("- JIT reference: Node.js %s WASI (`bench/node-wasi.mjs`)\n" % (
        tool_version([node[0], "--version"]) if node else "(not found)"))
    if aot:
        out.append("- Native tier: each module compiled once with `cairn compile -O%d` (the system C compiler, "
                   "%s; compile time is not in the run time, see the compile table below), then run as "
                   "`cairn run NAME.cwasm ARGS`: the whole process, loading the .cwasm included\n" % (
                       args.aot_opt, tool_version(["gcc", "--version"])))
    clock = ("CPU time (user + system, all threads) of the whole process: start, load, run, exit. "
             "CPU time rather than elapsed time because this machine is shared (see the load average); "
             "for Node.js it includes its background compiler threads" if CLOCK == "cpu" else
             "wall-clock time of the whole process (start, load, run, exit)")
    out.append("- Method: " + clock + ("; best of %d runs "
               "(one run when a run takes over %g s). Ratio = native time / runtime time: 1 is native "
               "speed, higher is better. Every run must print the same checksum as the native build, "
               "or the cell reads *fail*. The whole run took %.0f s.\n\n") % (args.runs, args.max_seconds, elapsed))
    if chart_ok:
        out.append("![Speed relative to native per kernel: cairn run (interpreter)%s and Node.js]"
                   "(benchmarks-kernels.svg)\n\n" % (", the native tier" if aot else ""))
    if aot:
        out.append("| program | what it does | native s | cairn s | cairn ratio | cairn native s "
                   "| cairn native ratio | node s | node ratio |\n")
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
    else:
        out.append("| program | what it does | native s | cairn s | cairn ratio | node s | node ratio |\n")
        out.append("|---|---|--:|--:|--:|--:|--:|\n")

    def row(p):
        r = results[p.name]
        mid = ("%s | %s | " % (fmt_t(r.get("aot")), fmt_ratio(r["native"], r.get("aot")))) if aot else ""
        return "| %s | %s | %s | %s | %s | %s%s | %s |\n" % (
            p.name, p.desc, fmt_t(r["native"]), fmt_t(r.get("cairn")), fmt_ratio(r["native"], r.get("cairn")),
            mid, fmt_t(r.get("node")), fmt_ratio(r["native"], r.get("node")))
    for p in krows:
        out.append(row(p))
    gc = geomean([ratio(results[p.name]["native"], results[p.name].get("cairn")) for p in krows])
    ga = geomean([ratio(results[p.name]["native"], results[p.name].get("aot")) for p in krows])
    gn = geomean([ratio(results[p.name]["native"], results[p.name].get("node")) for p in krows])
    f3 = lambda x: "%.3f" % x if x else "—"
    out.append("| **geometric mean** | %d kernels | | | **%s** | %s| **%s** |\n" % (
        len(krows), f3(gc), (" | **%s** | " % f3(ga)) if aot else "", f3(gn)))
    for p in rrows:
        out.append(row(p))
    out.append("\n")
    if aot:
        ar = [(p.name, ratio(results[p.name]["native"], results[p.name].get("aot"))) for p in krows]
        ar = [x for x in ar if x[1]]
        low = min(ar, key=lambda x: x[1]) if ar else None
        reals = ", ".join("%s %s" % (p.name, f3(ratio(results[p.name]["native"], results[p.name].get("aot"))))
                          for p in rrows)
        out.append("Native tier against the issue's targets (geometric mean >= 0.95, no kernel below 0.80, "
                   "bzip2 and speedtest1 >= 0.85): geometric mean **%s**; lowest kernel %s; %s%s.\n\n" % (
                       f3(ga), ("%s %s" % (low[0], f3(low[1]))) if low else "—",
                       "below 0.80: " + (", ".join("%s %s" % (n, f3(x)) for n, x in ar if x < 0.80) or "none"),
                       ("; " + reals) if reals else ""))
    if ctable:
        out.append(compile_report(ctable, args))
    fails = [(p.name, rt, results[p.name][rt]["note"]) for p in progs for rt in ("cairn", "aot", "node")
             if results[p.name].get(rt) and results[p.name][rt]["note"]]
    if fails:
        out.append("Failures:\n\n")
        for name, rt, note in fails:
            out.append("- %s under %s: %s\n" % (name, rt, note))
        out.append("\n")
    if rrows:
        out.append("The real-world programs are not in the geometric mean (the issue's figure is over the "
                   "kernels). Their sources come from Debian (`apt-get source bzip2 sqlite3`) at bench time "
                   "and are not in the repository. bzip2 needs `-D_WASI_EMULATED_SIGNAL "
                   "-D_WASI_EMULATED_PROCESS_CLOCKS` and two no-op defines for `fchmod`/`fchown` (only "
                   "used when writing a named file; the benchmark pipes stdin to stdout). speedtest1 is "
                   "built single-threaded with temp storage in memory; SQLite's unix VFS does not build "
                   "for WASI (no `fcntl` locks, `fchown`, `geteuid`...), so the wasm build uses "
                   "`SQLITE_OS_OTHER` with `bench/real/sqlite-wasi-vfs.c`, a minimal VFS with only what an "
                   "in-memory database needs; the native build uses the stock unix VFS.\n\n")
    out.append("Smoke test: `make bench-smoke` (also a ctest) runs every kernel once at scale 1 under "
               "`cairn run`, and its `cairn compile -O2` .cwasm under `cairn run`, and compares their output "
               "with the native build's.\n")
    write_doc("".join(out))
    return gc, gn


def compile_for_runs(progs, args, work, exe_mtime):
    """Compiles every program's module at --aot-opt into WORK/cwasm (kept
    while newer than the module and the cairn program); sets p.cwasm. Small
    modules are compiled two at a time (one C unit each)."""
    from concurrent.futures import ThreadPoolExecutor
    exe = cairn_exe(args)
    os.makedirs(os.path.join(work, "cwasm"), exist_ok=True)

    def one(p):
        out = os.path.join(work, "cwasm", "%s.cwasm" % p.name)
        p.cwasm_error = ""
        try:
            if not os.path.exists(out) or os.path.getmtime(out) < max(os.path.getmtime(p.wasm), exe_mtime):
                aot_compile(exe, p.wasm, out, args.aot_opt, jobs=1)
            p.cwasm = out
        except RuntimeError as e:
            p.cwasm_error = str(e).splitlines()[0]
            log("bench: %s" % e)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, progs))


def compile_table(progs, args, work):
    """Compile time of each module at every --compile-levels level (one at a
    time, -j = cores), the large generated module included; returns rows
    (name, wasm bytes, code bytes, {level: (cpu s, wall s, cwasm bytes)})."""
    exe = cairn_exe(args)
    mods = [(p.name, p.wasm) for p in progs]
    if args.large_mb > 0:
        big = os.path.join(work, "large-%gmb.wasm" % args.large_mb)
        if not os.path.exists(big):
            run([sys.executable, os.path.join(ROOT, "tests", "perf", "gen-large-module.py"),
                 "--size-mb", "%g" % args.large_mb, big])
        mods.append(("generated %g MB" % args.large_mb, big))
    rows = []
    for name, wasm in mods:
        per = {}
        for lvl in args.compile_levels:
            out = os.path.join(work, "cwasm", "ct-%s-O%d.cwasm" % (name.replace(" ", "_"), lvl))
            try:
                cpu, wall = aot_compile(exe, wasm, out, lvl)
                per[lvl] = (cpu, wall, os.path.getsize(out))
                log("  compile %-18s -O%d  %.2f s CPU, %.2f s wall, %d bytes" % (name, lvl, cpu, wall,
                                                                             per[lvl][2]))
            except RuntimeError as e:
                log("bench: %s" % str(e).splitlines()[0])
            if os.path.exists(out):
                os.unlink(out)
        rows.append((name, os.path.getsize(wasm), wasm_code_bytes(wasm), per))
    return rows


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="each kernel once at scale 1, checksums only")
    ap.add_argument("--cairn", help="path of the cairn executable (default build/cairn; $CAIRN_RUN wins)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"), help="build/work directory")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")), help="best of N (default 3)")
    ap.add_argument("--max-seconds", type=float, default=30.0,
                    help="after a run longer than this, do not repeat it (default 30)")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="cpu: user+system time of the process (default; steady on a shared machine), "
                         "wall: elapsed time")
    ap.add_argument("--timeout", type=int, default=600, help="per-run timeout in seconds")
    ap.add_argument("--only", help="comma-separated program names")
    ap.add_argument("--no-node", action="store_true")
    ap.add_argument("--no-real", action="store_true", help="skip bzip2 and speedtest1")
    ap.add_argument("--no-doc", action="store_true", help="print results, do not write docs/")
    ap.add_argument("--aot", dest="aot", action="store_true", default=None,
                    help="native tier column (cairn compile, then cairn run NAME.cwasm): the default "
                         "when cairn compile works here; fail if it does not")
    ap.add_argument("--no-aot", dest="aot", action="store_false", help="no native tier column")
    ap.add_argument("--aot-opt", type=int, default=2, choices=(0, 1, 2, 3),
                    help="cairn compile level of the .cwasm that is run (default 2)")
    ap.add_argument("--compile-levels", default="0,2",
                    help="levels of the compile-time table (default 0,2; empty: no table)")
    ap.add_argument("--large-mb", type=float, default=1.0,
                    help="size of the generated module in the compile-time table (default 1; 0: none)")
    args = ap.parse_args()
    args.compile_levels = [int(x) for x in args.compile_levels.split(",") if x.strip()]
    args.load = os.getloadavg()[0]
    work = os.path.abspath(args.work)
    global CLOCK, WORK
    CLOCK, WORK = args.clock, work
    lock = lock_work(work)  # noqa: F841 (held until exit)
    cc = shlex.split(os.environ.get("CC", "gcc"))
    wasm_cc = find_wasm_cc(work)
    if wasm_cc is None:
        msg = "no wasm32-wasi C compiler (clang with wasi-libc: apt-get install clang wasi-libc lld-14 " \
              "libclang-rt-14-dev-wasm32)"
        if args.smoke and os.environ.get("CI") != "true":
            print("SKIP: bench-smoke: " + msg)
            return 0
        die(msg)
    cairn = cairn_cmd(args)
    if not shutil.which(cairn[0]):
        die("cairn not found: %s (build it, or set CAIRN_RUN)" % cairn[0])
    only = set(args.only.split(",")) if args.only else None
    names = [n for n in KERNELS if not only or n in only]
    t_start = time.perf_counter()
    progs = build_kernels(names, work, cc, wasm_cc)

    aot = args.aot
    if aot is None or aot:
        works = aot_works(cairn_exe(args), work, wasm_cc)
        if not works and (aot or (args.smoke and os.environ.get("CI") == "true")):
            die("the native tier does not work here (cairn compile failed)")
        aot = works
    if aot:
        compile_for_runs(progs, args, work, exe_mtime=os.path.getmtime(cairn_exe(args)))

    if args.smoke:
        bad = 0
        for p in progs:
            _, rc, out, err = run_once(p.native + ["1"], None, 60)
            ref = p.digest(out) if rc == 0 else None
            _, rc2, out2, err2 = run_once(cairn + [p.wasm, "1"], None, 120)
            got = p.digest(out2) if rc2 == 0 else "exit %d: %s" % (rc2, err2.strip()[-200:])
            ok = ref is not None and got == ref
            bad += not ok
            shown = got.splitlines()[-1] if ok and got else got
            log("%-4s %-13s %s" % ("ok" if ok else "FAIL", p.name, shown if ok else "native %r, cairn %r" % (ref, got)))
            if aot:
                if p.cwasm:
                    _, rc3, out3, err3 = run_once(cairn + [p.cwasm, "1"], None, 120)
                    got3 = p.digest(out3) if rc3 == 0 else "exit %d: %s" % (rc3, err3.strip()[-200:])
                else:
                    got3 = "not compiled: " + p.cwasm_error
                ok3 = ref is not None and got3 == ref
                bad += not ok3
                log("%-4s %-13s %s" % ("ok" if ok3 else "FAIL", p.name + ".cwasm",
                                       "native tier agrees" if ok3 else "native %r, cwasm %r" % (ref, got3)))
        n = len(progs) * (2 if aot else 1)
        log("bench-smoke: %d of %d runs agree (%d kernels, %s; %.1f s)" % (
            n - bad, n, len(progs), "interpreter and native tier" if aot else "interpreter; native tier off",
            time.perf_counter() - t_start))
        return 1 if bad else 0

    if not args.no_real:
        for name, build in (("bzip2", build_bzip2), ("sqlite", build_sqlite)):
            if only and name not in only:
                continue
            try:
                progs.append(build(work, cc, wasm_cc))
            except Exception as e:   # report and go on with the others
                log("bench: %s skipped: %s" % (name, e))
        if aot:
            compile_for_runs(progs, args, work, exe_mtime=os.path.getmtime(cairn_exe(args)))
    ctable = None
    if aot and args.compile_levels:
        log("bench: compile times (cairn compile -O%s, one module at a time)" %
            "/-O".join(str(x) for x in args.compile_levels))
        ctable = compile_table(progs, args, work)
    node = None if args.no_node else node_cmd()
    results = {}
    log("bench: best of %d; cairn = %s" % (args.runs, " ".join(cairn)))
    for p in progs:
        r = results[p.name] = {}
        r["native"] = measure(p, "native", p.native + p.args, None, args.runs, args.max_seconds, args.timeout)
        ref = r["native"]["digest"]
        if r["native"]["time"] is None:
            continue
        r["cairn"] = measure(p, "cairn", cairn + [p.wasm] + p.args, ref, args.runs, args.max_seconds, args.timeout)
        if aot:
            if p.cwasm:
                r["aot"] = measure(p, "native-tier", cairn + [p.cwasm] + p.args, ref, args.runs,
                                   args.max_seconds, args.timeout)
            else:
                r["aot"] = {"time": None, "note": "cairn compile failed: " + p.cwasm_error, "digest": None}
        if node:
            r["node"] = measure(p, "node", node + [p.wasm] + p.args, ref, args.runs, args.max_seconds,
                                args.timeout)
    elapsed = time.perf_counter() - t_start
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"results": results, "cairn": cairn, "runs": args.runs, "compile": ctable}, f, indent=1,
                  default=str)
    rows = []
    krows = [p for p in progs if p.kind == "kernel"]
    for p in krows:
        r = results[p.name]
        rows.append((p.name, ratio(r["native"], r.get("cairn")), ratio(r["native"], r.get("aot")),
                     ratio(r["native"], r.get("node"))))
    rows.append(("geomean (kernels)",) + tuple(geomean([x[i] for x in rows]) for i in (1, 2, 3)))
    for p in progs:
        if p.kind == "real":
            r = results[p.name]
            rows.append((p.name, ratio(r["native"], r.get("cairn")), ratio(r["native"], r.get("aot")),
                         ratio(r["native"], r.get("node"))))
    f3 = lambda x: "%.3f" % x if x else "-"
    for name, c, a, n in rows:
        log("%-17s cairn %s native-tier %s node %s" % (name, f3(c), f3(a), f3(n)))
    if args.no_doc:
        return 0
    chart_ok = make_chart(rows, work, len(krows), aot)
    gc, gn = report(results, progs, args, cairn, node, chart_ok, cc, wasm_cc, elapsed, aot, ctable)
    log("bench: geometric mean native/cairn %s, native/node %s; wrote %s" % (
        "%.3f" % gc if gc else "-", "%.3f" % gn if gn else "-", os.path.relpath(DOC, ROOT)))
    failed = any(results[p.name].get(rt) is not None and results[p.name][rt]["time"] is None
                 for p in progs for rt in ("native", "cairn", "aot", "node"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
