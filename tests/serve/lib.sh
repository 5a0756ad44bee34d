# lib.sh: helpers shared by the `cairn serve` test scripts: start a server on
# a free loopback port from tests/serve/serve-test.json (FUNCS replaced by
# the functions folder), stop it by its PID, count checks.
# Every wait is bounded; every process started is stopped by its PID.
for tool in curl python3; do   # a missing tool fails the test, never skips it
  command -v "$tool" >/dev/null || { echo "FAIL - $tool not installed (scripts/install-deps.sh)"; exit 1; }
done
PASS=0; FAIL=0
SERVE_PID=""
WORK=$(mktemp -d /tmp/cairn-serve-test.XXXXXX)
ok()   { PASS=$((PASS+1)); echo "ok   - $*"; }
bad()  { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi
}
stop_server() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -TERM "$SERVE_PID"
    for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVE_PID" 2>/dev/null && kill -KILL "$SERVE_PID"
    wait "$SERVE_PID" 2>/dev/null
  fi
  SERVE_PID=""
  san_check
}
# A sanitizer report in the server's stderr fails the test (ASan builds).
SAN_FAIL=""
san_check() {
  if grep -qE "ERROR: [A-Za-z]+Sanitizer|runtime error:" "$WORK/err.log" 2>/dev/null; then
    grep -E -A3 "ERROR: [A-Za-z]+Sanitizer|runtime error:" "$WORK/err.log" | head -20
    bad "sanitizer report in the server's stderr"
    SAN_FAIL=1
    : > "$WORK/err.log"
  fi
}
cleanup() { stop_server; rm -rf "$WORK"; [ -z "$SAN_FAIL" ] || exit 1; }
trap cleanup EXIT
[ -n "${KEEP_WORK:-}" ] && trap stop_server EXIT
# start_server CAIRN FUNCS [extra args...]: sets PORT and SERVE_PID. The
# config is serve-test.json unless SERVE_TEST_CONFIG names another.
start_server() {
  local cairn=$1 funcs=$2; shift 2
  sed "s|FUNCS|$funcs|g" "${SERVE_TEST_CONFIG:-$(dirname "$0")/serve-test.json}" > "$WORK/serve.json"
  # The background job truncates err.log only once it runs: remove the last
  # server's log first, or the loop below can read its (closed) port.
  rm -f "$WORK/out.log" "$WORK/err.log"
  "$cairn" serve --config "$WORK/serve.json" "$@" > "$WORK/out.log" 2> "$WORK/err.log" &
  SERVE_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/err.log")
    [ -n "$PORT" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$PORT" ]; then echo "server did not start:"; cat "$WORK/err.log"; exit 1; fi
  URL="http://127.0.0.1:$PORT"
}
# wrk output (--latency): p99_ms FILE, wrk_errors FILE (socket errors plus
# non-2xx responses), reqs FILE (requests completed).
p99_ms() {
  sed -n 's/^ *99% *\([0-9.]*\)\([a-z]*\)$/\1 \2/p' "$1" |
    awk '{v=$1; if ($2=="us") v/=1000; else if ($2=="s") v*=1000; printf "%.2f", v}'
}
wrk_errors() {
  local e n
  e=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$1" |
      awk '{print $1+$2+$3+$4}')
  n=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$1")
  echo $(( ${e:-0} + ${n:-0} ))
}
reqs() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$1"; }
finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
