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
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
[ -n "${KEEP_WORK:-}" ] && trap stop_server EXIT
# start_server CAIRN FUNCS [extra args...]: sets PORT and SERVE_PID.
start_server() {
  local cairn=$1 funcs=$2; shift 2
  sed "s|FUNCS|$funcs|g" "$(dirname "$0")/serve-test.json" > "$WORK/serve.json"
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
finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
