#!/usr/bin/env python3
"""oci-direct.py RUNTIME ROOT BUNDLE N PAR: containers per second of an OCI
runtime alone, driven as containerd's shim drives it (the shim's part
played here: a child subreaper that calls create --pid-file, start, reaps
the init and calls delete), PAR at a time. Prints the rate."""
import ctypes, os, subprocess, sys, threading, time

runtime, root, bundle, n, par = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
devnull = open(os.devnull, "w")
fails = []


def one(i):
    cid = "d%d-%d" % (par, i)
    pidfile = "%s/%s.pid" % (root, cid)
    r = subprocess.run([runtime, "--root", root, "create", "--bundle", bundle, "--pid-file", pidfile, cid],
                       stdout=devnull, stderr=devnull)
    if r.returncode != 0:
        fails.append(cid)
        return
    pid = int(open(pidfile).read())
    subprocess.run([runtime, "--root", root, "start", cid], stdout=devnull, stderr=devnull)
    _, st = os.waitpid(pid, 0)
    subprocess.run([runtime, "--root", root, "delete", cid], stdout=devnull, stderr=devnull)
    os.unlink(pidfile)
    if os.waitstatus_to_exitcode(st) != 0:
        fails.append(cid)


t0 = time.time()
for base in range(0, n, par):
    ts = [threading.Thread(target=one, args=(i,)) for i in range(base, min(n, base + par))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
t1 = time.time()
if fails:
    print("%d failed" % len(fails), file=sys.stderr)
    sys.exit(1)
print("%.1f" % (n / (t1 - t0)))
