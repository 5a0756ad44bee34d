#!/bin/bash
# faults.sh CAIRN FUNCS_DIR [SECONDS] [REQUESTS]: `cairn serve` under every
# fault class at once, and its footprint over many mixed requests.
#  1. /hello measured with wrk alone, then while clients keep, all at once:
#     a trapping function, a spinning one (2 s deadline), a sleeping one
#     (sleep(100), cut by its 5 s deadline), a memory blow-up (64 MiB cap), a table
#     blow-up (table.grow until refused, 16 MiB budget), huge output (64 MiB against
#     a 1 MiB limit), huge input (2 MiB bodies against a 1 MiB limit: 413),
#     slowloris (heads sent a byte at a time: 408), and pipelined large
#     bodies (3 x 900 KB POSTs in one write). /hello must see 0 errors;
#     its p99 is printed beside its p99 alone.
#  2. RSS and open descriptors of the server before and after REQUESTS
#     (default 100,000) mixed requests (tests/serve/mixed.lua: hello, echo,
#     trap, crash, exit, huge output, 404, metrics, memory hog, loop).
# Prints the markdown rows for docs/serve.md. Loopback only, bounded.
set -u
CAIRN=$1; FUNCS=$2; SECS=${3:-5}; NREQ=${4:-100000}
. "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || { echo "wrk not installed (scripts/install-deps.sh)"; exit 1; }
# The table blow-up (wat/tablehog.wat), with a 16 MiB budget: failure kind memory.
TABLEHOG=$(cd "$(dirname "$0")" && pwd)/wat/tablehog.wat
sed "s|\"functions\": \[|\"functions\": [\n    { \"route\": \"/tablehog\", \"module\": \"$TABLEHOG\", \"limits\": { \"memory_mb\": 16 } },|" \
  "${SERVE_TEST_CONFIG:-$(dirname "$0")/pool-test.json}" > "$WORK/faults.json"
grep -q tablehog "$WORK/faults.json" || { echo "FAIL: could not add /tablehog to the config"; exit 1; }
SERVE_TEST_CONFIG="$WORK/faults.json" start_server "$CAIRN" "$FUNCS"
rss() { awk '/VmRSS/ {print $2}' /proc/$SERVE_PID/status; }
fds() { ls /proc/$SERVE_PID/fd | wc -l; }

# ---- 1. every fault class at once ----
wrk -t1 -c4 -d1s "$URL/hello" > /dev/null
wrk -t1 -c4 -d${SECS}s --timeout 5s --latency "$URL/hello" > "$WORK/alone.txt"
python3 - "$PORT" $((SECS + 2)) > "$WORK/faults.out" <<'PY' &
import socket, sys, threading, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + secs
counts, lock = {}, threading.Lock()
def note(kind, st):
    with lock: counts[(kind, st)] = counts.get((kind, st), 0) + 1
def status_of(data):
    try: return int(data.split(b" ", 2)[1])
    except Exception: return "none"
def exchange(payload, timeout=15):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(payload)
        out = b""
        while True:
            b = s.recv(1 << 20)
            if not b: break
            out += b
        return out
    except (socket.timeout, ConnectionError):
        return out if 'out' in dir() else b""
    finally:
        s.close()
def get(path):
    return b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode()
def simple(kind, path):
    while time.time() < end:
        note(kind, status_of(exchange(get(path))))
def huge_input():
    body = b"i" * (2 << 20)
    while time.time() < end:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
            try: s.sendall(body)
            except ConnectionError: pass
            note("huge input", status_of(s.recv(4096)))
            s.close()
        except Exception as e:
            note("huge input", "error")
def slowloris():
    while time.time() < end:
        socks = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /hello HTTP/1.1\r\n")
            socks.append(s)
        t0 = time.time()
        while time.time() - t0 < 3 and time.time() < end + 1:
            for s in socks:
                try: s.sendall(b"X")
                except Exception: pass
            time.sleep(0.25)
        for s in socks:
            try: note("slowloris", status_of(s.recv(4096)))
            except Exception: note("slowloris", "closed")
            s.close()
def pipelined():
    body = b"p" * 900000
    one = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    last = one.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")
    while time.time() < end:
        out = exchange(one + one + last)
        note("pipelined large bodies", "%d answers" % out.count(b"body-length: 900000"))
jobs = [(simple, ("trap", "/trap"))] * 2 + [(simple, ("loop", "/spin"))] * 2 + \
       [(simple, ("sleep", "/sleep"))] * 2 + [(simple, ("memory", "/hog"))] * 2 + \
       [(simple, ("table", "/tablehog"))] * 2 + \
       [(simple, ("huge output", "/bigout"))] * 2 + [(huge_input, ())] + [(slowloris, ())] + \
       [(pipelined, ())]
ts = [threading.Thread(target=f, args=a) for f, a in jobs]
for t in ts: t.start()
for t in ts: t.join()
for (k, st), v in sorted(counts.items(), key=str): print("%s|%s|%d" % (k, st, v))
PY
FP=$!
sleep 1.5
wrk -t1 -c4 -d${SECS}s --timeout 5s --latency "$URL/hello" > "$WORK/faults.txt"
wait $FP
a99=$(p99_ms "$WORK/alone.txt"); f99=$(p99_ms "$WORK/faults.txt")
echo "fault clients (class | status | count):"; sed 's/^/  /' "$WORK/faults.out"
echo "| /hello | requests | errors | p99 |"
echo "| --- | --- | --- | --- |"
echo "| alone | $(reqs "$WORK/alone.txt") | $(wrk_errors "$WORK/alone.txt") | ${a99} ms |"
echo "| under every fault class at once | $(reqs "$WORK/faults.txt") | $(wrk_errors "$WORK/faults.txt") | ${f99} ms |"
check "/hello under every fault class: no errors" 0 "$(wrk_errors "$WORK/faults.txt")"
if awk -v v="$f99" 'BEGIN { exit !(v < 1000) }'; then ok "/hello p99 under faults ${f99} ms < 1 s"; else bad "/hello p99 under faults ${f99} ms"; fi
for k in trap loop sleep memory table "huge output" "huge input" slowloris; do
  grep -q "^$k|" "$WORK/faults.out" && ok "fault class ran: $k" || bad "fault class did not run: $k"
done
grep -q '^trap|500|' "$WORK/faults.out" && ok "trap -> 500" || bad "trap statuses"
grep -q '^loop|504|' "$WORK/faults.out" && ok "loop -> 504" || bad "loop statuses"
grep -q '^sleep|504|' "$WORK/faults.out" && ok "sleep -> 504 (cut by its deadline)" || bad "sleep statuses"
grep -q '^memory|500|' "$WORK/faults.out" && ok "memory -> 500" || bad "memory statuses"
grep -q '^table|500|' "$WORK/faults.out" && ok "table blow-up -> 500" || bad "table statuses"
[ "$(curl -s --max-time 5 "$URL/metrics" | grep -F 'cairn_failures_total{function="tablehog",kind="memory"}' | awk '{print ($2 > 0)}')" = 1 ] &&
  ok "table blow-up counted as failure kind memory" || bad "table blow-up not counted as kind memory"
grep -q '^huge output|502|' "$WORK/faults.out" && ok "huge output -> 502" || bad "huge output statuses"
grep -q '^huge input|413|' "$WORK/faults.out" && ok "huge input -> 413" || bad "huge input statuses"
grep -q '^slowloris|408|' "$WORK/faults.out" && ok "slowloris -> 408" || bad "slowloris statuses"
grep -q '^pipelined large bodies|3 answers|' "$WORK/faults.out" && ok "pipelined large bodies answered" || bad "pipelined statuses"

# ---- 2. footprint over many mixed requests ----
sleep 2.5   # lingering connections of the fault clients close
L="$(dirname "$0")/mixed.lua"
mixed() { # mixed N: about N mixed requests, in 2 s wrk runs; prints the count
  local total=0 n
  while [ $total -lt $1 ]; do
    wrk -t2 -c16 -d2s --timeout 5s -s "$L" "$URL" > "$WORK/mixed.txt"
    n=$(reqs "$WORK/mixed.txt"); total=$((total + ${n:-0}))
    [ "${n:-0}" -gt 0 ] || break
    grep -q "Socket errors" "$WORK/mixed.txt" && cat "$WORK/mixed.txt" >> "$WORK/mixed-errors.txt"
  done
  echo $total
}
mixed $((NREQ / 10)) > /dev/null   # warm-up: every run thread gets its slots
sleep 0.5
rss0=$(rss); fd0=$(fds)
t0=$SECONDS
nmixed=$(mixed $NREQ)
sleep 2.5
rss1=$(rss); fd1=$(fds)
echo "| mixed requests | RSS before | RSS after | descriptors before | after |"
echo "| --- | --- | --- | --- | --- |"
echo "| $nmixed in $((SECONDS - t0)) s | $((rss0 / 1024)) MiB | $((rss1 / 1024)) MiB | $fd0 | $fd1 |"
check "no socket errors in the mixed requests" "" "$(cat "$WORK/mixed-errors.txt" 2>/dev/null)"
check "descriptors after $nmixed mixed requests" "$fd0" "$fd1"
if grep -q __asan_init "$CAIRN"; then
  # ASan's quarantine holds freed blocks (up to 256 MiB): RSS says nothing;
  # LeakSanitizer checks for leaks when the server exits (lib.sh fails on it).
  ok "RSS $rss0 kB -> $rss1 kB (ASan build: not compared)"
elif [ $((rss1 - rss0)) -lt "${CAIRN_RSS_SLACK_KB:-16384}" ]; then ok "RSS $rss0 kB -> $rss1 kB"
else bad "RSS grew: $rss0 kB -> $rss1 kB"; fi
check "server still answers" "Hello from Cairn!" "$(curl -s --max-time 5 "$URL/hello")"
finish
