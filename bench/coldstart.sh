#!/usr/bin/env bash
# coldstart.sh [CAIRN] [RUNS]
# Cold start of a WASI "hello world": the whole process `CAIRN run hello.wasm`
# side by side with the native build of the same program (bench/hello.c, built
# with clang --target=wasm32-wasi -O2 and gcc -O2), and, when `CAIRN compile`
# works here (AOT=0 turns it off), `CAIRN run hello.cwasm` (the native tier:
# hello.wasm compiled once with `CAIRN compile -O2`, compile not timed). Prints a table of wall
# time (median, mean, min over RUNS runs after warm-up; hyperfine -N when
# installed, else a Python timing loop) and peak RSS (GNU time's "Maximum
# resident set size", median of 20 runs), plus the machine.
# Needs: clang with wasi-libc (scripts/install-deps.sh), gcc, /usr/bin/time;
# hyperfine optional (apt-get install hyperfine).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CAIRN=${1:-$HERE/../build/cairn}
RUNS=${2:-1000}
CAIRN=$(cd "$(dirname "$CAIRN")" && pwd)/$(basename "$CAIRN")
[ -x "$CAIRN" ] || { echo "coldstart: no cairn program at $CAIRN (make build first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "coldstart: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cold.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
clang --target=wasm32-wasi -O2 "$HERE/hello.c" -o hello.wasm
gcc -O2 "$HERE/hello.c" -o hello.native
[ "$("$CAIRN" run hello.wasm)" = "$(./hello.native)" ] || { echo "coldstart: outputs differ" >&2; exit 1; }
cmds=("$CAIRN run hello.wasm" "./hello.native")
if [ "${AOT:-1}" != 0 ] && "$CAIRN" compile -O2 hello.wasm -o hello.cwasm 2>compile.log; then
  [ "$("$CAIRN" run hello.cwasm)" = "$(./hello.native)" ] || { echo "coldstart: hello.cwasm's output differs" >&2; exit 1; }
  cmds+=("$CAIRN run hello.cwasm")
elif [ "${AOT:-1}" != 0 ]; then
  echo "coldstart: native tier skipped: cairn compile failed: $(tail -1 compile.log)" >&2
fi

# Wall time: prints "median mean min" in ms for each command, one line each.
if command -v hyperfine >/dev/null; then
  tool="hyperfine -N --warmup 100 --runs $RUNS"
  hyperfine -N --warmup 100 --runs "$RUNS" --export-json times.json "${cmds[@]}" >/dev/null 2>&1
  python3 - times.json >times.txt <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.3f %.3f %.3f" % (r["median"] * 1e3, r["mean"] * 1e3, r["min"] * 1e3))
PY
else
  tool="python3 subprocess loop ($RUNS runs, includes Python's fork cost)"
  python3 - "$RUNS" "${cmds[@]}" >times.txt <<'PY'
import os, statistics, subprocess, sys, time
runs = int(sys.argv[1])
null = open(os.devnull, "w")
for cmd in (c.split() for c in sys.argv[2:]):
    for _ in range(100): subprocess.run(cmd, stdout=null)
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); subprocess.run(cmd, stdout=null); ts.append(time.perf_counter() - t)
    print("%.3f %.3f %.3f" % (statistics.median(ts) * 1e3, statistics.mean(ts) * 1e3, min(ts) * 1e3))
PY
fi

# Peak RSS in KB: median of 20 runs.
rss() {
  for _ in $(seq 1 20); do
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 10p
}
rss_cairn=$(rss "$CAIRN" run hello.wasm)
rss_native=$(rss ./hello.native)
[ ${#cmds[@]} -gt 2 ] && rss_aot=$(rss "$CAIRN" run hello.cwasm)

read -r c_med c_mean c_min < <(sed -n 1p times.txt)
read -r n_med n_mean n_min < <(sed -n 2p times.txt)
echo "WASI hello world cold start (whole process), $RUNS runs, $tool"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"
echo "hello.wasm: $(stat -c %s hello.wasm) bytes$([ -f hello.cwasm ] && echo "; hello.cwasm: $(stat -c %s hello.cwasm) bytes"); cairn: $(stat -c %s "$CAIRN") bytes ($(file -b "$CAIRN" | grep -o 'statically linked\|dynamically linked'))"
printf '\n| %-26s | %11s | %9s | %8s | %13s |\n' "command" "median (ms)" "mean (ms)" "min (ms)" "peak RSS (MB)"
printf '| %-26s | %11s | %9s | %8s | %13s |\n' "--------------------------" "-----------" "---------" "--------" "-------------"
printf '| %-26s | %11s | %9s | %8s | %13.2f |\n' "cairn run hello.wasm" "$c_med" "$c_mean" "$c_min" "$(awk "BEGIN{print $rss_cairn/1024}")"
printf '| %-26s | %11s | %9s | %8s | %13.2f |\n' "./hello.native (gcc -O2)" "$n_med" "$n_mean" "$n_min" "$(awk "BEGIN{print $rss_native/1024}")"
if [ ${#cmds[@]} -gt 2 ]; then
  read -r a_med a_mean a_min < <(sed -n 3p times.txt)
  printf '| %-26s | %11s | %9s | %8s | %13.2f |\n' "cairn run hello.cwasm" "$a_med" "$a_mean" "$a_min" "$(awk "BEGIN{print $rss_aot/1024}")"
fi
