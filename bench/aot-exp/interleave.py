#!/usr/bin/env python3
# interleave.py ROUNDS NAME=COMMAND...: CPU time (user + system of the process) of whole
# commands run in turn, ROUNDS rounds, the first command being the reference (native).
# Prints best and median per command, native / that by the best, and the ratio per round
# (same round, so drift of the machine between rounds cancels): median and quartiles.
# A command that prints "Verification Hash:" when given --verify (speedtest1) is run once
# with it first and the hashes compared.
# Example (docs/benchmarks.md, "Where speedtest1's time goes, after the sqlgap branch"):
#   python3 bench/aot-exp/interleave.py 25 native="build/bench/native/speedtest1 --memdb --size 20" \
#       new="build/cairn run st.cwasm --memdb --size 20"
import os, re, shlex, statistics, subprocess, sys

rounds = int(sys.argv[1])
cmds = [(a.split("=", 1)[0], shlex.split(a.split("=", 1)[1])) for a in sys.argv[2:]]
hashes = {}
for name, c in cmds:
    out = subprocess.run(c + ["--verify"], capture_output=True).stdout
    m = re.search(rb"Verification Hash: (.+)", out)
    hashes[name] = m.group(1).strip().decode() if m else None
times = {name: [] for name, _ in cmds}
for _ in range(rounds):
    for name, c in cmds:
        p = subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        if status:
            sys.exit("%s failed (status %d)" % (name, status))
        times[name].append(ru.ru_utime + ru.ru_stime)
ref = cmds[0][0]
for name, _ in cmds:
    t = times[name]
    line = "%-10s best %.3f s  median %.3f s  native/this %.3f" % (
        name, min(t), statistics.median(t), min(times[ref]) / min(t))
    if name != ref:
        r = sorted(times[ref][i] / t[i] for i in range(rounds))
        line += "  per round %.3f (%.3f .. %.3f)" % (statistics.median(r), r[rounds // 4],
                                                      r[(3 * rounds) // 4])
    print(line + ("  hash " + hashes[name] if hashes[name] else ""))
if any(hashes.values()):
    print("hashes equal" if len(set(hashes.values())) == 1 else "HASHES DIFFER")
