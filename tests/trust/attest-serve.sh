#!/usr/bin/env bash
# attest-serve.sh CAIRN: `cairn serve` with an attested function: it is
# loaded (and its route served) only after the verifier accepted its
# evidence, and every run finds the released secrets in /run/secrets and
# its environment. A rejected attestation or an unreachable verifier keeps
# serve from starting (the route is never served), with the reason.
set -u
. "$(dirname "$0")/attest-lib.sh" "$1"
clang --target=wasm32-wasi -O2 -DWAGI "$HERE/programs/attest_secret.c" -o "$WORK/fn.wasm"
keygen "$WORK/verifier" "$WORK/device" "$WORK/signer"
"$CAIRN" sign --key "$WORK/signer" "$WORK/fn.wasm" -o "$WORK/fn-signed.wasm" >/dev/null ||
  { echo "cairn sign failed"; exit 1; }
DEV='[ { "name": "dev", "type": "ed25519", "pub": "device.pub" } ]'
policy "$WORK/policy.json" "$DEV" '"allow_insecure": true, '
# the function's module under the policy's name "sec"
python3 - "$WORK/policy.json" "$(sha "$WORK/fn.wasm")" "$(sha "$WORK/fn-signed.wasm")" <<'EOP'
import json, sys
p = json.load(open(sys.argv[1])); p["modules"]["sec"]["sha256"] += sys.argv[2:]
json.dump(p, open(sys.argv[1], "w"))
EOP
start_verifier "$WORK/policy.json"
serve_conf() { # FILE VERIFIER_PORT MODULE
  cat > "$1" <<EOC
{ "functions": [ { "name": "fn", "route": "/fn", "module": "$3",
    "attest": { "url": "http://127.0.0.1:$2", "verifier_pub": "verifier.pub",
                "device_key": "device", "name": "sec" } } ] }
EOC
}
start_serve() { # CONFIG ERR_LOG: sets SPID, and SPORT once it listens (empty if it did not start)
  "$CAIRN" serve --config "$1" --listen 127.0.0.1:0 --access-log off >/dev/null 2>"$2" &
  SPID=$!; PIDS="$PIDS $SPID"; SPORT=""
  for _ in $(seq 100); do
    SPORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$2"); [ -n "$SPORT" ] && break
    kill -0 $SPID 2>/dev/null || break; sleep 0.05
  done
}
serve_conf "$WORK/serve.json" "$VPORT" fn.wasm
start_serve "$WORK/serve.json" "$WORK/serve.err"
if [ -n "$SPORT" ]; then
  body=$(curl -s --max-time 10 "http://127.0.0.1:$SPORT/fn")
  want="file api_key: ${#SECRET_FILE_VALUE} bytes, fnv1a64 $(fnv "$SECRET_FILE_VALUE")"
  case "$body" in *"$want"*) ok "serve: the function reads its released file secret";; *) bad "serve body: $body";; esac
  want="env TOKEN: ${#SECRET_ENV_VALUE} bytes, fnv1a64 $(fnv "$SECRET_ENV_VALUE")"
  case "$body" in *"$want"*) ok "serve: the function gets its env secret";; *) bad "serve env: $body";; esac
  body2=$(curl -s --max-time 10 "http://127.0.0.1:$SPORT/fn")
  [ "$body2" = "$body" ] && ok "serve: a second request (fresh instance) sees the same secrets" || bad "second request: $body2"
  grep -q "accepted 'sec'" "$WORK/verifier.log" && ok "serve: attested before it served" || bad "no attestation logged"
else
  bad "serve did not start: $(cat "$WORK/serve.err")"
fi
kill $SPID; wait $SPID 2>/dev/null

# "require_signature" and "attest" together: the signed function is attested
# and served; the unsigned one is refused before any evidence is sent, its
# route left unloaded (the other is served)
cat > "$WORK/serve-s.json" <<EOC
{ "require_signature": ["signer.pub"],
  "functions": [
  { "name": "fn", "route": "/fn", "module": "fn-signed.wasm",
    "attest": { "url": "http://127.0.0.1:$VPORT", "verifier_pub": "verifier.pub",
                "device_key": "device", "name": "sec" } },
  { "name": "un", "route": "/un", "module": "fn.wasm",
    "attest": { "url": "http://127.0.0.1:$VPORT", "verifier_pub": "verifier.pub",
                "device_key": "device", "name": "sec" } } ] }
EOC
nacc=$(grep -c "accepted 'sec'" "$WORK/verifier.log")
start_serve "$WORK/serve-s.json" "$WORK/serve-s.err"
if [ -n "$SPORT" ]; then
  body=$(curl -s --max-time 10 "http://127.0.0.1:$SPORT/fn")
  want="file api_key: ${#SECRET_FILE_VALUE} bytes, fnv1a64 $(fnv "$SECRET_FILE_VALUE")"
  case "$body" in *"$want"*) ok "serve: a signed, attested function gets its secret";; *) bad "signed fn body: $body";; esac
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$SPORT/un")
  [ "$code" = 404 ] && ok "serve: the unsigned attested function's route is not served" || bad "/un -> $code"
  expect "serve: the unsigned function is refused with its reason" 0 0 "$WORK/serve-s.err" "function un (route /un) not loaded: module $WORK/fn.wasm: signature required: unsigned"
  [ "$(grep -c "accepted 'sec'" "$WORK/verifier.log")" = $((nacc + 1)) ] &&
    ok "serve: only the signed function was attested" || bad "attestations: $(grep -c "accepted 'sec'" "$WORK/verifier.log") (want $((nacc + 1)))"
else
  bad "serve (signed + attested) did not start: $(cat "$WORK/serve-s.err")"
fi
kill $SPID; wait $SPID 2>/dev/null

# "tier": "aot": native code is compiled from the bytes attested, not from
# the file read again (here replaced by garbage once the route is served)
cp "$WORK/fn.wasm" "$WORK/fn-aot.wasm"
cat > "$WORK/serve-a.json" <<EOC
{ "aot_cache": "cache", "functions": [ { "name": "fn", "route": "/fn", "module": "fn-aot.wasm", "tier": "aot",
    "attest": { "url": "http://127.0.0.1:$VPORT", "verifier_pub": "verifier.pub",
                "device_key": "device", "name": "sec" } } ] }
EOC
start_serve "$WORK/serve-a.json" "$WORK/serve-a.err"
echo garbage > "$WORK/fn-aot.wasm"
for _ in $(seq 1200); do grep -q "native code" "$WORK/serve-a.err" && break; sleep 0.1; done
grep -q "function fn: native code ready" "$WORK/serve-a.err" &&
  ok "serve: an attested aot function tiers up from the bytes attested" ||
  bad "attested tier-up: $(grep "native code" "$WORK/serve-a.err")"
body=$([ -n "$SPORT" ] && curl -s --max-time 10 "http://127.0.0.1:$SPORT/fn")
want="file api_key: ${#SECRET_FILE_VALUE} bytes, fnv1a64 $(fnv "$SECRET_FILE_VALUE")"
case "$body" in *"$want"*) ok "serve: ... and its native code gets the secret";; *) bad "aot body: $body";; esac
kill $SPID; wait $SPID 2>/dev/null

# a tampered module: serve refuses to start, the route is never served
cp "$WORK/fn.wasm" "$WORK/fn-t.wasm"
printf '\x01' | dd of="$WORK/fn-t.wasm" bs=1 seek=$(( $(stat -c %s "$WORK/fn.wasm") - 1 )) conv=notrunc 2>/dev/null
serve_conf "$WORK/serve-t.json" "$VPORT" fn-t.wasm
timeout 20 "$CAIRN" serve --config "$WORK/serve-t.json" --listen 127.0.0.1:0 >"$WORK/t.out" 2>&1; rc=$?
expect "serve: a tampered function is not loaded (serve does not start)" 1 $rc "$WORK/t.out" "function fn: attestation failed: the verifier refused (HTTP 403): module sha256:"
stop_verifier
timeout 20 "$CAIRN" serve --config "$WORK/serve.json" --listen 127.0.0.1:0 >"$WORK/u.out" 2>&1; rc=$?
expect "serve: an unreachable verifier fails closed" 1 $rc "$WORK/u.out" "function fn: attestation failed: cannot reach the verifier"
printf '{ "functions": [ { "route": "/x", "module": "fn.wasm", "attest": { "url": "http://127.0.0.1:1" } } ] }' > "$WORK/bad.json"
timeout 20 "$CAIRN" serve --config "$WORK/bad.json" >"$WORK/b.out" 2>&1; rc=$?
expect "serve: an incomplete \"attest\" section is a config error" 1 $rc "$WORK/b.out" "\"attest\""
finish
