#!/bin/bash
# stall.sh CAIRN FUNCS_DIR [SECONDS]: one tenant cannot stall the others.
# /hello is measured with wrk alone, then while 4 clients keep a spinning
# function (infinite loop, 2 s deadline) running and 2 clients keep a
# memory-growing one (64 MiB cap) running, all at once. /hello must see 0
# errors and a p99 well under the spinner's deadline (runs are handed to a
# pool of run threads; a function holds at most half of them while others
# wait). Prints /hello's p99 alone and under load. Loopback only, bounded.
set -u
CAIRN=$1; FUNCS=$2; SECS=${3:-4}
. "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || { echo "wrk not installed (scripts/install-deps.sh)"; exit 1; }
SERVE_TEST_CONFIG="$(dirname "$0")/pool-test.json" start_server "$CAIRN" "$FUNCS"
wrk -t1 -c4 -d1s "$URL/hello" > /dev/null
wrk -t1 -c4 -d${SECS}s --timeout 3s --latency "$URL/hello" > "$WORK/alone.txt"

# the bad tenants: 4 spinning + 2 memory-growing requests at all times
python3 - "$PORT" $((SECS + 2)) > "$WORK/bad.out" <<'PY' &
import http.client, sys, threading, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
end = time.time() + secs
counts = {}
lock = threading.Lock()
def client(path):
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", path)
            st = c.getresponse().status
            c.close()
        except Exception as e:
            st = "error"
        with lock:
            counts[(path, st)] = counts.get((path, st), 0) + 1
ts = [threading.Thread(target=client, args=(p,)) for p in ["/spin"] * 4 + ["/hog"] * 2]
for t in ts: t.start()
for t in ts: t.join()
for k, v in sorted(counts.items(), key=str): print(k[0], k[1], v)
PY
BAD=$!
sleep 1   # the spinners hold their run threads now
wrk -t1 -c4 -d${SECS}s --timeout 3s --latency "$URL/hello" > "$WORK/load.txt"
wait $BAD
# after the bad tenants are done: a hog that reaches its cap slowly (sanitizers,
# a loaded machine) is counted all the same
m=$(curl -s --max-time 5 "$URL/metrics")
a99=$(p99_ms "$WORK/alone.txt"); l99=$(p99_ms "$WORK/load.txt")
echo "/hello alone:            $(reqs "$WORK/alone.txt") requests, p99 ${a99} ms, errors $(wrk_errors "$WORK/alone.txt")"
echo "/hello under spin + hog: $(reqs "$WORK/load.txt") requests, p99 ${l99} ms, errors $(wrk_errors "$WORK/load.txt")"
echo "bad tenants (path status count):"; sed 's/^/  /' "$WORK/bad.out"
check "/hello alone: no errors" 0 "$(wrk_errors "$WORK/alone.txt")"
check "/hello under spin + hog: no errors" 0 "$(wrk_errors "$WORK/load.txt")"
if [ "$(reqs "$WORK/load.txt")" -gt 100 ]; then ok "/hello kept being served ($(reqs "$WORK/load.txt") requests)"
else bad "/hello was stalled: $(reqs "$WORK/load.txt") requests"; fi
# The spinner's deadline is 2 s: a stalled /hello would show it in its p99.
if awk -v v="$l99" 'BEGIN { exit !(v < 500) }'; then ok "/hello p99 under load ${l99} ms < 500 ms"
else bad "/hello p99 under load ${l99} ms"; fi
case "$m" in *'cairn_failures_total{function="spin",kind="deadline"} '[1-9]*) ok "spinners were cut by their deadline";; *) bad "no spin deadline counted";; esac
case "$m" in *'cairn_failures_total{function="hog",kind="memory"} '[1-9]*) ok "hogs hit their memory cap";; *) bad "no hog memory failure counted";; esac
grep -q "error" "$WORK/bad.out" && bad "a bad tenant's request got no answer" || ok "every bad tenant request was answered"
finish
