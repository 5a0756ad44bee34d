#!/bin/bash
# inline.sh CAIRN FUNCS_DIR: the inline fast path. A function that ran
# within the inline budget 32 times in a row is run by the worker itself (no
# hand-off to the run pool); a request of it that then runs long is cut at
# the budget and run again on the pool from the start, with the right
# answer, while the worker keeps serving its other connections. The budget
# is 20 ms here (1 ms by default) so that sanitizer builds qualify too.
# Loopback only, bounded.
set -u
CAIRN=$1; FUNCS=$2
. "$(dirname "$0")/lib.sh"
metric() {
  local v
  v=$(curl -s --max-time 5 "$URL/metrics" | grep -F "$1 " | awk '{print $2}')
  echo "${v:-0}"
}
# compute gets a 60 s deadline: four of its long runs beside six /hello
# clients pass the default 10 s in a sanitizer build.
sed -e 's/"inline_budget_us": 1000/"inline_budget_us": 20000/' \
    -e 's|"module": "FUNCS/compute.wasm", "limits": { "memory_mb": 32 }|"module": "FUNCS/compute.wasm", "limits": { "memory_mb": 32, "timeout_ms": 60000 }|' \
    "$(dirname "$0")/pool-test.json" > "$WORK/inline.json"
grep -q '"inline_budget_us": 20000' "$WORK/inline.json" || { echo "pool-test.json has no inline_budget_us"; exit 1; }
grep -q '"timeout_ms": 60000' "$WORK/inline.json" || { echo "pool-test.json: no compute entry to extend"; exit 1; }
SERVE_TEST_CONFIG="$WORK/inline.json" start_server "$CAIRN" "$FUNCS"
for _ in $(seq 1 40); do curl -s --max-time 5 -o /dev/null "$URL/compute?n=10"; done
n=$(metric 'cairn_inline_runs_total{function="compute"}')
if [ "$n" -gt 0 ]; then ok "a fast function runs inline ($n of 40)"; else bad "no inline run"; fi
check "a slow function never runs inline" 0 "$(metric 'cairn_inline_runs_total{function="spin"}')"
python3 - "$PORT" > "$WORK/inline.out" <<'PY'
import http.client, sys, threading, time
port = int(sys.argv[1])
res, lat, stop = [], [], [False]
def slow():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/compute?n=3000000")
    r = c.getresponse(); res.append((r.status, r.read()))
def hello():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop[0]:
        t = time.time()
        c.request("GET", "/hello"); r = c.getresponse(); r.read()
        lat.append(time.time() - t)
hs = [threading.Thread(target=hello) for _ in range(6)]
for t in hs: t.start()
time.sleep(0.2)
ss = [threading.Thread(target=slow) for _ in range(4)]
for t in ss: t.start()
for t in ss: t.join()
stop[0] = True
for t in hs: t.join()
print("slow", " ".join("%d:%s" % (s, b.decode().strip()) for s, b in res))
print("hello", len(lat), "max_ms %.1f" % (max(lat) * 1000))
PY
cat "$WORK/inline.out"
check "long runs of a fast function answered right after the cut" \
  "slow 200:{\"n\":3000000,\"primes\":216816,\"largest\":2999999} 200:{\"n\":3000000,\"primes\":216816,\"largest\":2999999} 200:{\"n\":3000000,\"primes\":216816,\"largest\":2999999} 200:{\"n\":3000000,\"primes\":216816,\"largest\":2999999}" \
  "$(grep '^slow' "$WORK/inline.out")"
cut=$(metric 'cairn_inline_cut_total{function="compute"}')
if [ "$cut" -ge 1 ]; then ok "the inline run was cut at its budget ($cut)"; else bad "no inline cut"; fi
check "the cut runs are not failures" 0 "$(metric 'cairn_failures_total{function="compute",kind="cancelled"}')"
check "each slow request counted once" 4 "$(metric 'cairn_requests_total{function="compute",status="200"}' | awk '{print $1 - 40}')"
max=$(sed -n 's/.*max_ms \([0-9.]*\).*/\1/p' "$WORK/inline.out")
if awk -v v="$max" 'BEGIN { exit !(v < 500) }'; then ok "/hello beside the slow runs: max latency $max ms"
else bad "/hello was held: max latency $max ms"; fi
finish
