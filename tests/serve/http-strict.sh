#!/bin/bash
# http-strict.sh CAIRN FUNCS_DIR: request heads that must survive their
# buffer growing (large bodies, pipelined large bodies, large chunked
# trailers: the head once dangled into freed memory there), bare LF line
# ends refused (400: a smuggling risk behind proxies), and routing on the
# normalised path (%2e decoded, dot segments resolved or refused). Run under
# ASan by `make asan`, where a use-after-free aborts the server.
set -u
CAIRN=$1; FUNCS=$2
. "$(dirname "$0")/lib.sh"
start_server "$CAIRN" "$FUNCS"
python3 - "$PORT" "$(dirname "$0")" <<'PY' > "$WORK/strict.out"
import socket, sys, time
port = int(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import rawhttp
ask = lambda data, wait=20.0: rawhttp.ask(port, data, wait)
status = rawhttp.status
fails = 0
def report(ok, what):
    global fails
    print(("ok   - " if ok else "FAIL - ") + what)
    fails += not ok
MB = 1 << 20
body = bytes((i * 7 + 3) % 26 + 97 for i in range(MB))
# One 1 MB POST: the input buffer grows many times while the body arrives.
r = ask(b"POST /bigecho/one HTTP/1.1\r\nHost: x\r\nX-Tag: first\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % MB + body)
report(status(r) == 200 and b"body-length: %d" % MB in r and body[-1000:] in r and b"HTTP_X_TAG=first" in r,
       "1 MB POST answered with its body and headers intact (status %d)" % status(r))
# Two pipelined 1 MB POSTs in one write (a fresh server died of this).
req = lambda tag, close: (b"POST /bigecho/%s HTTP/1.1\r\nHost: x\r\nX-Tag: %s\r\nContent-Length: %d\r\n%s\r\n"
                          % (tag, tag, MB, b"Connection: close\r\n" if close else b"")) + body
r = ask(req(b"p1", False) + req(b"p2", True))
n = r.count(b"body-length: %d" % MB)
report(n == 2 and b"HTTP_X_TAG=p1" in r and b"HTTP_X_TAG=p2" in r and r.index(b"path: /p1") < r.index(b"path: /p2"),
       "two pipelined 1 MB POSTs answered in order (%d/2)" % n)
# Chunked body with 60 KB of trailers (many lines, each under the line limit).
trailers = b"".join(b"X-T%d: %s\r\n" % (i, b"t" * 990) for i in range(60))
r = ask(b"POST /bigecho/tr HTTP/1.1\r\nHost: x\r\nX-Tag: trailers\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n" + trailers + b"\r\n")
report(status(r) == 200 and b"body: hello world" in r and b"HTTP_X_TAG=trailers" in r,
       "chunked body with 60 KB of trailers (status %d)" % status(r))
# A large chunked body in many chunks, then a pipelined GET.
chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 50000]), body[i:i + 50000]) for i in range(0, MB, 50000))
r = ask(b"POST /bigecho/ch HTTP/1.1\r\nHost: x\r\nX-Tag: chunks\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
        + b"0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
report(b"body-length: %d" % MB in r and b"HTTP_X_TAG=chunks" in r and b"Hello from Cairn!" in r,
       "1 MB chunked POST then a pipelined GET")
# Bare LF line ends are refused everywhere.
bare = [
  ("request line", b"GET /hello HTTP/1.1\nHost: x\r\n\r\n"),
  ("header line", b"GET /hello HTTP/1.1\r\nHost: x\n\r\n"),
  ("blank line", b"GET /hello HTTP/1.1\r\nHost: x\r\n\n"),
  ("all LF", b"GET /hello HTTP/1.1\nHost: x\n\n"),
  ("leading empty line", b"\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
  ("chunk size line", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n"),
  ("chunk data end", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n"),
  ("chunk extension", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\nabc\r\n0\r\n\r\n"),
  ("last chunk", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\n\r\n"),
  ("trailer line", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\n\r\n"),
  ("final CRLF", b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\n"),
]
for name, data in bare:
    got = status(ask(data, wait=5))
    report(got == 400, "bare LF in the %s: %d (want 400)" % (name, got))
report(b"Hello" in ask(b"\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", wait=5),
       "an empty CRLF line before the request line is tolerated")
# Routing on the normalised path.
def get(path):
    return ask(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", wait=5)
paths = [
  (b"/hello/../echo/x", 200, b"path: /x"),
  (b"/hello/%2e%2e/echo/x", 200, b"path: /x"),
  (b"/hello/%2E%2e/echo/./y/", 200, b"path: /y/"),
  (b"/echo/a/b/../c", 200, b"path: /a/c"),
  (b"/echo/%7euser/%41", 200, b"path: /~user/A"),
  (b"/echo/sp%20ace", 200, b"path: /sp ace"),
  (b"/hello/../echo/../../../etc/passwd", 400, None),
  (b"/..", 400, None),
  (b"/echo/%2e%2e/%2e%2e/x", 400, None),
  (b"/echo/..%2f..%2fetc", 400, None),
  (b"/echo/a%5cb", 400, None),
  (b"/echo/a%00b", 400, None),
  (b"/echo/a%zz", 400, None),
  (b"/echo/a%4", 400, None),
  (b"/ech%6f/z", 200, b"path: /z"),
]
for path, want, needle in paths:
    r = get(path)
    ok = status(r) == want and (needle is None or needle in r)
    report(ok, "%s -> %d%s" % (path.decode(), status(r), "" if ok else " (want %d with %r)" % (want, needle)))
r = get(b"/echo/x%3fy?q=%2e")
report(b"path: /x?y" in r and b"query: q=%2e" in r, "an escaped '?' stays in the path, the query is not normalised")
print("FAILS=%d" % fails)
PY
cat "$WORK/strict.out"
PASS=$((PASS + $(grep -c '^ok' "$WORK/strict.out"))); FAIL=$((FAIL + $(grep -c '^FAIL -' "$WORK/strict.out")))
grep -q "^FAILS=" "$WORK/strict.out" || bad "the client script did not finish"
check "server still answers" "Hello from Cairn!" "$(curl -s --max-time 5 $URL/hello)"
kill -0 "$SERVE_PID" 2>/dev/null && ok "server alive" || { bad "server died"; tail -30 "$WORK/err.log"; }
finish
