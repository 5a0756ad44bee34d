#!/bin/bash
# serve.sh CAIRN: cairn serve's "require_signature" (docs/signing.md): with a
# global key list, a signed function is loaded; an unsigned, tampered or
# foreign-signed one is not (its route answers 404) and the log says why;
# a function's own list replaces the global one; a bad key file fails the
# start; a reload (SIGHUP) after the module was tampered with unloads it.
set -u
CAIRN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "FAIL - $tool not installed (scripts/install-deps.sh)"; exit 1; }
done
PASS=0; FAIL=0; PID=""
ok()  { PASS=$((PASS+1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
W=$(mktemp -d /tmp/cairn-trust-serve.XXXXXX)
stop() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
    wait "$PID" 2>/dev/null
  fi
  PID=""
}
trap 'stop; rm -rf "$W"' EXIT
cd "$W" || exit 1
status() { curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$1"; }
logged() { # logged NAME PATTERN
  if grep -qF -- "$2" err.log; then ok "$1"; else bad "$1: no [$2] in: $(cat err.log)"; fi
}

python3 "$HERE/mkmod.py" m.wasm
"$CAIRN" keygen -o k >/dev/null && "$CAIRN" keygen -o k2 >/dev/null || { echo "FAIL - keygen"; exit 1; }
"$CAIRN" sign --key k m.wasm -o good.wasm >/dev/null
"$CAIRN" sign --key k2 m.wasm -o foreign.wasm >/dev/null
cp good.wasm tampered.wasm
printf '\x01' | dd of=tampered.wasm bs=1 seek=40 conv=notrunc 2>/dev/null
cat > serve.json <<J
{ "listen": "127.0.0.1:0", "workers": 1, "access_log": "off",
  "require_signature": ["k.pub"],
  "functions": [
    { "route": "/good", "module": "good.wasm" },
    { "route": "/unsigned", "module": "m.wasm" },
    { "route": "/tampered", "module": "tampered.wasm" },
    { "route": "/foreign", "module": "foreign.wasm" },
    { "route": "/own", "name": "own", "module": "foreign.wasm", "require_signature": ["k2.pub"] }
  ] }
J
"$CAIRN" serve --config serve.json > out.log 2> err.log &
PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' err.log)
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "FAIL - server did not start: $(cat err.log)"; exit 1; }

s=$(status /good); [ "$s" != 404 ] && ok "signed function loaded (HTTP $s)" || bad "/good: 404"
for r in unsigned tampered foreign; do
  s=$(status /$r); [ "$s" = 404 ] && ok "/$r not loaded (404)" || bad "/$r: HTTP $s"
done
s=$(status /own); [ "$s" != 404 ] && ok "a function's own require_signature replaces the global one (HTTP $s)" || bad "/own: 404"
logged "log: unsigned" "function m (route /unsigned) not loaded: module m.wasm: signature required: unsigned"
logged "log: tampered" "function tampered (route /tampered) not loaded: module tampered.wasm: signature required: signature 1 at offset"
logged "log: foreign" "function foreign (route /foreign) not loaded: module foreign.wasm: signature required: signed only by unknown keys"

# reload after the module was tampered with: its route goes
cp tampered.wasm good.wasm
: > err.log
kill -HUP "$PID"
for _ in $(seq 1 100); do grep -q "reloaded" err.log && break; sleep 0.05; done
s=$(status /good); [ "$s" = 404 ] && ok "after a reload the tampered module is not loaded" || bad "/good after reload: HTTP $s"
logged "log on reload" "function good (route /good) not loaded"
stop

# a bad key file is a configuration error at start, not a silent skip
sed 's|"k.pub"|"k"|' serve.json > badkey.json
out=$(timeout 20 "$CAIRN" serve --config badkey.json 2>&1); rc=$?
[ "$rc" = 1 ] && case "$out" in *"require_signature: k: this is a secret key"*) true;; *) false;; esac &&
  ok "a secret key as require_signature fails the start" || bad "bad key: rc $rc: $out"
sed 's|\["k.pub"\]|[]|' serve.json > empty.json
out=$(timeout 20 "$CAIRN" serve --config empty.json 2>&1); rc=$?
case "$out" in *'"require_signature" must be a non-empty array'*) ok "an empty key list is refused";; *) bad "empty list: rc $rc: $out";; esac
out=$(timeout 20 "$CAIRN" serve --require-signature k.pub, --route /x=m.wasm 2>&1); rc=$?
case "$out" in *"expected KEY.pub[,KEY2.pub...]"*) ok "--require-signature with an empty item is refused";; *) bad "cli list: rc $rc: $out";; esac

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
