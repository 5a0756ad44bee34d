#!/usr/bin/env python3
# bench-lock.py BENCH.PY WORK: bench.py refuses a second run on one work folder (its
# modules and outputs would be rebuilt and overwritten under the first run's feet). Holds
# the folder's lock the way a running bench.py does, then checks that bench.py stops at
# once with exit 1 and names the folder; after the lock is released, that it gets past
# the lock (it then fails on a cairn that does not exist, which it reports as such).
import fcntl, os, subprocess, sys, time

bench, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
cmd = [sys.executable, bench, "--smoke", "--work", work, "--cairn", os.path.join(work, "no-such-cairn")]
held = open(os.path.join(work, ".lock"), "w")
fcntl.flock(held, fcntl.LOCK_EX)
t = time.monotonic()
r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
took = time.monotonic() - t
bad = 0
if r.returncode != 1 or "another bench.py is using " + os.path.abspath(work) not in r.stderr:
    print("FAIL locked: exit %d, stderr %r" % (r.returncode, r.stderr[-300:])); bad += 1
elif took > 10:
    print("FAIL locked: took %.1f s, not at once" % took); bad += 1
else:
    print("ok   a second run on a locked work folder stops: %s" % r.stderr.strip())
held.close()  # releases the lock
r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
if "another bench.py" in r.stderr:
    print("FAIL unlocked: still refused: %r" % r.stderr[-300:]); bad += 1
else:
    print("ok   with the lock released it goes on (exit %d: %s)" % (r.returncode, r.stderr.strip()[-120:]))
sys.exit(1 if bad else 0)
