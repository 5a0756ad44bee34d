#!/usr/bin/env bash
# attest-serve.sh CAIRN: `cairn serve` with an attested function: it is
# loaded (and its route served) only after the verifier accepted its
# evidence, and every run finds the released secrets in /run/secrets and
# its environment. A rejected attestation or an unreachable verifier keeps
# serve from starting (the route is never served), with the reason.
set -u
. "$(dirname "$0")/attest-lib.sh" "$1"
clang --target=wasm32-wasi -O2 -DWAGI "$HERE/programs/attest_secret.c" -o "$WORK/fn.wasm"
keygen "$WORK/verifier"; keygen "$WORK/device"
DEV='[ { "name": "dev", "type": "ed25519", "pub": "device.pub" } ]'
policy "$WORK/policy.json" "$DEV" '"allow_insecure": true, '
# the function's module under the policy's name "sec"
python3 - "$WORK/policy.json" "$(sha "$WORK/fn.wasm")" <<'EOP'
import json, sys
p = json.load(open(sys.argv[1])); p["modules"]["sec"]["sha256"].append(sys.argv[2])
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
serve_conf "$WORK/serve.json" "$VPORT" fn.wasm
"$CAIRN" serve --config "$WORK/serve.json" --listen 127.0.0.1:0 --access-log off >"$WORK/serve.out" 2>"$WORK/serve.err" &
SPID=$!; PIDS="$PIDS $SPID"; SPORT=""
for _ in $(seq 100); do
  SPORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/serve.err"); [ -n "$SPORT" ] && break
  kill -0 $SPID 2>/dev/null || break; sleep 0.05
done
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
