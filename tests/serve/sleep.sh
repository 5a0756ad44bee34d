#!/usr/bin/env bash
# sleep.sh CAIRN FUNCS_DIR: a function blocked in a WASI call (sleep(100),
# i.e. poll_oneoff with a 100 s clock; FUNCS_DIR/wasi_sleep.wasm, built from
# tests/wasi/programs/sleep.c) is cut by its deadline: with timeout_ms 1000 the
# request answers 504 within about 2 s, two such requests at once do not keep
# /hello waiting, and SIGTERM stops the server promptly while one runs.
# Starts its own server on a free loopback port and stops it by its PID.
set -u
CAIRN=${1:?usage: sleep.sh CAIRN FUNCS_DIR}
FUNCS=${2:?usage: sleep.sh CAIRN FUNCS_DIR}
FUNCS=$(cd "$FUNCS" && pwd)
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "FAIL: curl is required (scripts/install-deps.sh)"; exit 1; }
for f in wasi_sleep hello; do
  [ -f "$FUNCS/$f.wasm" ] || { echo "FAIL: no $FUNCS/$f.wasm"; exit 1; }
done
ms_now() { date +%s%3N; }

cat >"$WORK/sleep.json" <<'EOF'
{
  "listen": "127.0.0.1:0",
  "workers": 2,
  "access_log": "off",
  "functions": [
    { "route": "/sleep", "module": "FUNCS/wasi_sleep.wasm", "limits": { "timeout_ms": 1000 } },
    { "route": "/hello", "module": "FUNCS/hello.wasm" }
  ]
}
EOF
C="curl -s --max-time 20 -o /dev/null -w %{http_code}"

SERVE_TEST_CONFIG="$WORK/sleep.json" start_server "$CAIRN" "$FUNCS"
# One sleeping request: 504 at the deadline, not 100 s later.
t0=$(ms_now)
code=$($C "$URL/sleep")
dt=$(( $(ms_now) - t0 ))
if [ "$code" = 504 ] && [ "$dt" -lt 2500 ]; then ok "sleep(100) with a 1 s deadline: $code after $dt ms"
else bad "sleep(100) with a 1 s deadline: $code after $dt ms (want 504 within 2.5 s)"; fi

# Two at once (one per worker): /hello is answered once the deadlines cut them.
$C "$URL/sleep" >"$WORK/a.code" &
pa=$!
$C "$URL/sleep" >"$WORK/b.code" &
pb=$!
sleep 0.2
t0=$(ms_now)
code=$($C "$URL/hello")
dt=$(( $(ms_now) - t0 ))
wait $pa $pb
if [ "$code" = 200 ] && [ "$dt" -lt 3000 ]; then ok "/hello during two sleeping requests: $code after $dt ms"
else bad "/hello during two sleeping requests: $code after $dt ms (want 200 within 3 s)"; fi
if [ "$(cat "$WORK/a.code")" = 504 ] && [ "$(cat "$WORK/b.code")" = 504 ]; then ok "both sleeping requests: 504"
else bad "sleeping requests answered $(cat "$WORK/a.code") and $(cat "$WORK/b.code"), want 504"; fi

# SIGTERM while a request sleeps: the server stops within a few seconds.
$C "$URL/sleep" >"$WORK/c.code" &
pc=$!
sleep 0.3
t0=$(ms_now)
kill -TERM "$SERVE_PID"
for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.05; done
dt=$(( $(ms_now) - t0 ))
if kill -0 "$SERVE_PID" 2>/dev/null; then
  bad "server still running 5 s after SIGTERM with a sleeping request"
  stop_server
else
  wait "$SERVE_PID"
  status=$?
  SERVE_PID=""
  if [ "$status" = 0 ]; then ok "SIGTERM with a sleeping request: stopped after $dt ms"
  else bad "SIGTERM with a sleeping request: exit status $status"; fi
fi
wait $pc
case "$(cat "$WORK/c.code")" in
  504|000) ok "the request in flight at SIGTERM ended ($(cat "$WORK/c.code"))" ;;
  *) bad "the request in flight at SIGTERM answered $(cat "$WORK/c.code")" ;;
esac

finish
