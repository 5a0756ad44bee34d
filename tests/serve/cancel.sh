#!/bin/bash
# cancel.sh CAIRN FUNCS_DIR: a request whose client is gone is cancelled.
#  1. a client sends a request to a function that spins (60 s deadline),
#     with a pipelined request behind it, and closes: the run is
#     interrupted within a second (cairn_failures_total kind "cancelled")
#     and the pipelined request is never run;
#  2. with one run thread busy, a queued request whose client closes is
#     dropped without running.
# Loopback only; every wait is bounded.
set -u
CAIRN=$1; FUNCS=$2
. "$(dirname "$0")/lib.sh"
metric() { # metric NAME{labels} -> value (0 if absent)
  local v
  v=$(curl -s --max-time 5 "$URL/metrics" | grep -F "$1 " | awk '{print $2}')
  echo "${v:-0}"
}
SERVE_TEST_CONFIG="$(dirname "$0")/pool-test.json" start_server "$CAIRN" "$FUNCS" --access-log "$WORK/access.log"
python3 - "$PORT" > "$WORK/c1.out" <<'PY'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
def metric(name):
    m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
    for l in m.splitlines():
        if l.startswith(name + " "): return int(float(l.split()[1]))
    return 0
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /longspin HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(0.5)   # it runs now
running = metric('cairn_in_flight{function="longspin"}')
t = time.time()
s.close()
took = None
while time.time() - t < 5:
    if metric('cairn_failures_total{function="longspin",kind="cancelled"}') == 1:
        took = time.time() - t; break
    time.sleep(0.02)
print("running", running)
print("cancelled_after", "%.3f" % took if took is not None else "never")
PY
cat "$WORK/c1.out"
check "the long run was running" "running 1" "$(grep running "$WORK/c1.out")"
took=$(sed -n 's/cancelled_after //p' "$WORK/c1.out")
if [ "$took" != never ] && awk -v v="$took" 'BEGIN { exit !(v < 1.0) }'; then
  ok "client gone: run cancelled ${took} s after the close (deadline 60 s)"
else bad "client gone: run not cancelled ($took)"; fi
check "it runs no more" 0 "$(metric 'cairn_in_flight{function="longspin"}')"
sleep 0.3
check "the pipelined request after it was not run" 0 "$(metric 'cairn_requests_total{function="after",status="200"}')"
check "the hello function still answers" "Hello from Cairn!" "$(curl -s --max-time 5 "$URL/hello")"
stop_server
if grep -q '"function":"longspin".*"failure":"cancelled","detail":"cancelled: the client closed the connection"' "$WORK/access.log"; then
  ok "access log names the cancellation"; else bad "access log: $(grep longspin "$WORK/access.log")"; fi

# 2. one run thread: a queued request from a closed connection never runs
SERVE_TEST_CONFIG="$(dirname "$0")/pool-test.json" start_server "$CAIRN" "$FUNCS" --run-threads 1
python3 - "$PORT" > "$WORK/c2.out" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port))
a.sendall(b"GET /longspin HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(0.4)
b = socket.create_connection(("127.0.0.1", port))
b.sendall(b"GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(0.4)
b.close()
time.sleep(0.4)
a.close()
print("done")
PY
sleep 0.5
check "queued request dropped (cancelled, not run)" 1 "$(metric 'cairn_failures_total{function="after",kind="cancelled"}')"
check "the dropped request never ran" 0 "$(metric 'cairn_requests_total{function="after",status="200"}')"
check "the running one was cancelled" 1 "$(metric 'cairn_failures_total{function="longspin",kind="cancelled"}')"
check "the single run thread serves again" "Hello from Cairn!" "$(curl -s --max-time 5 "$URL/hello")"
finish
