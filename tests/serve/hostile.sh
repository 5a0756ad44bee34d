#!/bin/bash
# hostile.sh CAIRN FUNCS_DIR: malformed and hostile HTTP against `cairn
# serve` (loopback): bad request lines, bad headers, smuggling shapes, bad
# chunking, oversized heads, slow clients, pipelining; then checks the
# server still answers and holds no leaked descriptors.
set -u
CAIRN=$1; FUNCS=$2
. "$(dirname "$0")/lib.sh"
start_server "$CAIRN" "$FUNCS"
fds_before=$(ls /proc/$SERVE_PID/fd | wc -l)
python3 - "$PORT" "$(dirname "$0")" <<'PY' > "$WORK/hostile.out"
import socket, sys, time
port = int(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import rawhttp
ask = lambda data, wait=3.0, chunks=None: rawhttp.ask(port, data, wait, chunks)
status = rawhttp.status
cases = [
  ("garbage request line", b"HELLO\r\n\r\n", 400),
  ("no version", b"GET /hello\r\n\r\n", 400),
  ("bad version", b"GET /hello HTTP/2.0\r\n\r\n", 505),
  ("bad target", b"GET hello HTTP/1.1\r\n\r\n", 400),
  ("space before colon", b"GET /hello HTTP/1.1\r\nHost : x\r\n\r\n", 400),
  ("obs-fold", b"GET /hello HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400),
  ("control char in value", b"GET /hello HTTP/1.1\r\nX: a\x01b\r\n\r\n", 400),
  ("CL and TE", b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
  ("two different CL", b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
  ("bad CL", b"POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
  ("unknown TE", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
  ("bad chunk size", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
  ("chunk missing CRLF", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n", 400),
  ("huge chunk", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffff\r\n", 413),
  ("chunk size overflow", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"f"*40 + b"\r\n", 400),
  ("huge header", b"GET /hello HTTP/1.1\r\nX: " + b"a"*20000 + b"\r\n\r\n", 431),
  ("too many headers", b"GET /hello HTTP/1.1\r\n" + b"".join(b"X%d: y\r\n" % i for i in range(150)) + b"\r\n", 431),
  ("long URI", b"GET /" + b"a"*10000 + b" HTTP/1.1\r\n\r\n", 414),
  ("expect bad", b"GET /hello HTTP/1.1\r\nExpect: magic\r\n\r\n", 417),
]
fails = 0
for name, data, want in cases:
    got = status(ask(data))
    print(("ok  " if got == want else "FAIL") + " - %s: %d (want %d)" % (name, got, want))
    fails += got != want
# slow client: header never completes -> 408 within header_timeout (1.5 s)
t = time.time()
got = status(ask(b"GET /hello HTTP/1.1\r\nX-Slow: ", wait=5))
ok = got == 408 and time.time() - t < 4
print(("ok  " if ok else "FAIL") + " - slow header gets 408 (%d in %.1fs)" % (got, time.time() - t))
fails += not ok
# slow body
got = status(ask(b"POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc", wait=5))
print(("ok  " if got == 408 else "FAIL") + " - slow body gets 408 (%d)" % got); fails += got != 408
# pipelining: three requests in one write
resp = ask(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" * 2 + b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
n = resp.count(b"Hello from Cairn!")
print(("ok  " if n == 3 else "FAIL") + " - pipelined requests answered in order (%d/3)" % n); fails += n != 3
# request split in tiny pieces
resp = ask(None, chunks=[b"GE", b"T /hel", b"lo HTTP/1.1\r", b"\nHost: x\r\nConnection: close\r\n", b"\r\n"])
ok = b"Hello from Cairn!" in resp
print(("ok  " if ok else "FAIL") + " - request in pieces"); fails += not ok
# chunked with extension and trailer
resp = ask(b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n")
ok = b"body: abcde" in resp
print(("ok  " if ok else "FAIL") + " - chunked with extension and trailer"); fails += not ok
# abrupt disconnects mid-request
for i in range(50):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\nab"); s.close()
print("ok   - 50 abrupt disconnects sent")
print("FAILS=%d" % fails)
PY
grep -E "^(ok|FAIL) " "$WORK/hostile.out"
PASS=$((PASS + $(grep -c '^ok' "$WORK/hostile.out"))); FAIL=$((FAIL + $(grep -c '^FAIL -' "$WORK/hostile.out")))
check "server still answers" "Hello from Cairn!" "$(curl -s --max-time 5 $URL/hello)"
sleep 2.5   # lingering and aborted connections time out (linger 2 s)
fds_after=$(ls /proc/$SERVE_PID/fd | wc -l)
check "no descriptor leak ($fds_before before, $fds_after after)" "$fds_before" "$fds_after"
finish
