#!/usr/bin/env bash
# attest-soft.sh CAIRN: remote attestation with the software (Ed25519)
# device key, end to end through `cairn verifier` and `cairn run --attest`:
# the good path (a guest prints digests of its released secrets), then
# every attack and failure, each refused with its own message and nothing
# released (the guest never runs: exit 2), and hostile input to the
# verifier. The secret values must appear in no log or file.
set -u
. "$(dirname "$0")/attest-lib.sh" "$1"
keygen "$WORK/verifier" "$WORK/device" "$WORK/intruder" "$WORK/impostor" "$WORK/signer"
# "signed": allowed by its signer, not by hash. plain.wasm is another build
# (in no hash list), signed.wasm the same signed by signer.pub, foreign.wasm
# signed by a key the policy does not name.
clang --target=wasm32-wasi -O1 "$HERE/programs/attest_secret.c" -o "$WORK/plain.wasm"
"$CAIRN" sign --key "$WORK/signer" "$WORK/plain.wasm" -o "$WORK/signed.wasm" >/dev/null &&
  "$CAIRN" sign --key "$WORK/intruder" "$WORK/plain.wasm" -o "$WORK/foreign.wasm" >/dev/null ||
  { echo "cairn sign failed"; exit 1; }
SIGNED='"signed": { "signers": ["signer.pub"], "secrets": [
      { "name": "api_key", "file": "api_key.txt", "deliver": "file" } ] }'
DEV='[ { "name": "dev", "type": "ed25519", "pub": "device.pub" } ]'
policy "$WORK/policy.json" "$DEV" '"allow_insecure": true, ' "$SIGNED"
start_verifier "$WORK/policy.json"
run() { # run OUT URL_PORT [extra options...] MODULE ARGS...
  local out=$1 port=$2; shift 2
  "$CAIRN" run --attest "http://127.0.0.1:$port" --verifier-pub "$WORK/verifier.pub" \
    --device-key "$WORK/device" --attest-timeout 3000 "$@" >"$out" 2>&1
}

# ---- good path ----
run "$WORK/good.out" "$VPORT" --attest-name sec "$WORK/sec.wasm" api_key TOKEN; rc=$?
want="file api_key: ${#SECRET_FILE_VALUE} bytes, fnv1a64 $(fnv "$SECRET_FILE_VALUE")"
expect "software key: the guest reads /run/secrets/api_key" 0 $rc "$WORK/good.out" "$want"
want="env TOKEN: ${#SECRET_ENV_VALUE} bytes, fnv1a64 $(fnv "$SECRET_ENV_VALUE")"
expect "software key: the guest gets TOKEN in its environment" 0 $rc "$WORK/good.out" "$want"
expect "/run/secrets is read-only" 0 $rc "$WORK/good.out" "create in /run/secrets: refused"
expect "/run/secrets lists its one file" 0 $rc "$WORK/good.out" "entries in /run/secrets: 1"
expect "software key results are marked insecure" 0 $rc "$WORK/good.out" "insecure"
grep -q "accepted 'sec' (ed25519 key 'dev', insecure): released 2 secrets" "$WORK/verifier.log" &&
  ok "the verifier logs the release (names, not values)" || bad "verifier log: $(tail -2 "$WORK/verifier.log")"

# ---- attacks: each its own error, the guest never runs ----
cp "$WORK/sec.wasm" "$WORK/tampered.wasm"
printf '\x01' | dd of="$WORK/tampered.wasm" bs=1 seek=$(( $(stat -c %s "$WORK/sec.wasm") - 1 )) conv=notrunc 2>/dev/null
run "$WORK/t.out" "$VPORT" --attest-name sec "$WORK/tampered.wasm" api_key; rc=$?
expect "one-byte tamper of the module is refused" 2 $rc "$WORK/t.out" "is not an allowed build of 'sec' (tampered or unknown module)"
grep -q "file api_key" "$WORK/t.out" && bad "tampered module got its secret" || ok "tampered module: nothing released"

run "$WORK/o.out" "$VPORT" --attest-name sec "$WORK/other.wasm" api_key; rc=$?
expect "evidence for another module is refused" 2 $rc "$WORK/o.out" "the evidence is for module 'other', not 'sec'"

start_proxy record "$WORK/evidence.json"
run "$WORK/r.out" "$PPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "through a recording proxy the first run succeeds" 0 $rc "$WORK/r.out" "file api_key"
stop_proxy
code=$(curl -s -o "$WORK/replay.out" -w '%{http_code}' --data-binary @"$WORK/evidence.json" "http://127.0.0.1:$VPORT/v1/attest")
expect "replayed evidence (an old nonce) is refused" 403 "$code" "$WORK/replay.out" "the nonce is unknown or was already used (replayed evidence)"
grep -q sealed "$WORK/replay.out" && bad "replay got sealed secrets" || ok "replay: nothing released"

start_proxy flip
run "$WORK/f.out" "$PPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "evidence modified in transit is refused" 2 $rc "$WORK/f.out" "the evidence signature is invalid (evidence modified in transit, or forged)"
stop_proxy

"$CAIRN" run --attest "http://127.0.0.1:$VPORT" --verifier-pub "$WORK/verifier.pub" \
  --device-key "$WORK/intruder" --attest-name sec "$WORK/sec.wasm" >"$WORK/u.out" 2>&1; rc=$?
expect "evidence from an unregistered device key is refused" 2 $rc "$WORK/u.out" "the evidence is signed by an unregistered device key"

"$CAIRN" run --attest "http://127.0.0.1:$VPORT" --verifier-pub "$WORK/impostor.pub" \
  --device-key "$WORK/device" --attest-name sec "$WORK/sec.wasm" >"$WORK/i.out" 2>&1; rc=$?
expect "a result not signed by the verifier's key is refused" 2 $rc "$WORK/i.out" "the attestation result is not signed by the verifier's key"

run "$WORK/m.out" "$VPORT" --attest-name nosuch "$WORK/sec.wasm"; rc=$?
expect "a module the policy does not name is refused" 2 $rc "$WORK/m.out" "the policy has no module 'nosuch'"

# ---- signer policies: "signed" is allowed by its signer's key ----
want="file api_key: ${#SECRET_FILE_VALUE} bytes, fnv1a64 $(fnv "$SECRET_FILE_VALUE")"
run "$WORK/sg.out" "$VPORT" --attest-name signed "$WORK/signed.wasm" api_key; rc=$?
expect "a module signed by an allowed signer is attested and gets its secret" 0 $rc "$WORK/sg.out" "$want"
grep -q "accepted 'signed'" "$WORK/verifier.log" && ok "  ... accepted by signer" || bad "no acceptance of 'signed' logged"
run "$WORK/sg2.out" "$VPORT" --require-signature "$WORK/signer.pub" --attest-name signed "$WORK/signed.wasm" api_key; rc=$?
expect "--require-signature with --attest: the signed module runs with its secret" 0 $rc "$WORK/sg2.out" "$want"
run "$WORK/sf.out" "$VPORT" --attest-name signed "$WORK/foreign.wasm" api_key; rc=$?
expect "a module signed by an unknown key is refused" 2 $rc "$WORK/sf.out" "module 'signed' is signed only by keys the policy does not allow"
grep -q "file api_key" "$WORK/sf.out" && bad "foreign-signed module got its secret" || ok "foreign signer: nothing released"
run "$WORK/ss.out" "$VPORT" --attest-name signed "$WORK/plain.wasm" api_key; rc=$?
expect "a module whose signature was stripped is refused" 2 $rc "$WORK/ss.out" "module 'signed' carries no signature (unsigned, or the signature was stripped)"
grep -q "file api_key" "$WORK/ss.out" && bad "stripped module got its secret" || ok "stripped signature: nothing released"
# a tampered signed module: the runtime measures no signer from a broken
# signature and stops before sending anything
cp "$WORK/signed.wasm" "$WORK/signed-t.wasm"
printf '\x01' | dd of="$WORK/signed-t.wasm" bs=1 seek=$(( $(stat -c %s "$WORK/plain.wasm") / 2 )) conv=notrunc 2>/dev/null
nlog=$(wc -l < "$WORK/verifier.log")
run "$WORK/st.out" "$VPORT" --attest-name signed "$WORK/signed-t.wasm" api_key; rc=$?
expect "a tampered signed module is refused" 2 $rc "$WORK/st.out" "the file was altered after it was signed"
grep -q "file api_key" "$WORK/st.out" && bad "tampered signed module got its secret" || ok "tampered signed module: nothing released"
[ "$(wc -l < "$WORK/verifier.log")" = "$nlog" ] && ok "  ... and no evidence was sent" || bad "evidence sent for a tampered signed module"
run "$WORK/sr.out" "$VPORT" --require-signature "$WORK/signer.pub" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "--require-signature with --attest: an unsigned module is refused" 2 $rc "$WORK/sr.out" "signature required: unsigned"
[ "$(wc -l < "$WORK/verifier.log")" = "$nlog" ] && ok "  ... before any evidence is sent" || bad "evidence sent for a module --require-signature refused"

# short windows: a result held back past its expiry; evidence held past the nonce's
stop_verifier
policy "$WORK/policy-short.json" "$DEV" '"allow_insecure": true, "freshness_seconds": 1, "result_ttl_seconds": 1, '
start_verifier "$WORK/policy-short.json"
start_proxy delay-result 2.2
run "$WORK/e.out" "$PPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "an expired attestation result is refused" 2 $rc "$WORK/e.out" "the attestation result expired"
stop_proxy
start_proxy delay-evidence 2.2
run "$WORK/n.out" "$PPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "evidence on an expired nonce is refused" 2 $rc "$WORK/n.out" "the nonce expired"
stop_proxy
stop_verifier

policy "$WORK/policy-strict.json" "$DEV"
start_verifier "$WORK/policy-strict.json"
run "$WORK/s.out" "$VPORT" --attest-name sec "$WORK/sec.wasm"; rc=$?
expect "software keys refused without allow_insecure" 2 $rc "$WORK/s.out" "software device keys are not accepted"
stop_verifier

# ---- unreachable and silent verifiers fail closed ----
run "$WORK/x.out" "$VPORT" --attest-name sec "$WORK/sec.wasm"; rc=$?
expect "an unreachable verifier fails closed" 2 $rc "$WORK/x.out" "cannot reach the verifier"
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8)
open(sys.argv[1],"w").write(str(s.getsockname()[1])); time.sleep(30)' "$WORK/silent" & PIDS="$PIDS $!"
for _ in $(seq 100); do [ -s "$WORK/silent" ] && break; sleep 0.05; done
start=$(date +%s%N)
"$CAIRN" run --attest "http://127.0.0.1:$(cat "$WORK/silent")" --verifier-pub "$WORK/verifier.pub" \
  --device-key "$WORK/device" --attest-timeout 500 --attest-name sec "$WORK/sec.wasm" >"$WORK/sl.out" 2>&1; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "a silent verifier fails closed at --attest-timeout" 2 $rc "$WORK/sl.out" "no answer in time"
[ "$ms" -lt 3000 ] && ok "  ... within ${ms} ms" || bad "silent verifier took ${ms} ms"
"$CAIRN" run --attest "https://example.invalid/" --verifier-pub "$WORK/verifier.pub" \
  --device-key "$WORK/device" "$WORK/sec.wasm" >"$WORK/u2.out" 2>&1; rc=$?
expect "a URL that is not http://HOST:PORT is refused" 2 $rc "$WORK/u2.out" "only http://HOST:PORT"
"$CAIRN" run --attest "http://127.0.0.1:1" --verifier-pub "$WORK/verifier.pub" "$WORK/sec.wasm" >"$WORK/nk.out" 2>&1; rc=$?
expect "--attest without a device key or TPM is a usage error" 2 $rc "$WORK/nk.out" "one of --device-key FILE or --tpm TCTI"

# ---- malformed policies: a clear error at start ----
bad_policy() { # NAME TEXT_WANTED: the policy in $WORK/bad.json
  "$CAIRN" verifier --policy "$WORK/bad.json" --key "$WORK/verifier" --listen 127.0.0.1:0 >"$WORK/bp.out" 2>&1
  expect "malformed policy: $1" 2 $? "$WORK/bp.out" "$2"
}
printf '{ "runtimes": [\n  "abc",\n  }\n' > "$WORK/bad.json"; bad_policy "JSON syntax, with line:column" "bad.json:3:3:"
policy "$WORK/bad.json" "$DEV" '"alow_insecure": true, '; bad_policy "unknown key" "alow_insecure"
sed 's/"runtimes": \["[0-9a-f]*"\]/"runtimes": ["xyz"]/' "$WORK/policy.json" > "$WORK/bad.json"; bad_policy "bad runtime hash" "runtimes[0]: not a SHA-256"
sed 's/"deliver": "env"/"deliver": "disk"/' "$WORK/policy.json" > "$WORK/bad.json"; bad_policy "bad delivery" "deliver must be \"file\" or \"env\""
sed 's/"file": "api_key.txt"/"file": "nothere.txt"/' "$WORK/policy.json" > "$WORK/bad.json"; bad_policy "missing secret file" "nothere.txt: cannot open"
sed 's/"name": "api_key"/"name": "..\/etc"/' "$WORK/policy.json" > "$WORK/bad.json"; bad_policy "secret name with a slash" "bad name"
sed 's/device.pub/verifier/' "$WORK/policy.json" > "$WORK/bad.json"; bad_policy "a secret key given as a device key" "a public key is needed"
: > "$WORK/bad.json"; bad_policy "empty file" "bad.json:"

# ---- hostile requests to the verifier ----
start_verifier "$WORK/policy.json"
code=$(curl -s -o "$WORK/h1" -w '%{http_code}' --data 'not json' "http://127.0.0.1:$VPORT/v1/attest")
expect "verifier: garbage evidence -> 400" 400 "$code" "$WORK/h1" "malformed request"
head -c 2000000 /dev/zero | tr '\0' a > "$WORK/big"
code=$(curl -s -o "$WORK/h2" -w '%{http_code}' --data-binary @"$WORK/big" "http://127.0.0.1:$VPORT/v1/attest")
[ "$code" = 413 ] && ok "verifier: a 2 MB body -> 413" || bad "verifier: 2 MB body -> $code"
code=$(curl -s -o "$WORK/h3" -w '%{http_code}' "http://127.0.0.1:$VPORT/v1/secrets")
expect "verifier: unknown endpoint -> 404" 404 "$code" "$WORK/h3" "no such endpoint"
ev=$(python3 -c 'import base64,json;print(json.dumps({"evidence":base64.b64encode(b"{\"v\":1}").decode(),"quote":""}))')
code=$(curl -s -o "$WORK/h4" -w '%{http_code}' --data "$ev" "http://127.0.0.1:$VPORT/v1/attest")
expect "verifier: evidence missing fields -> 400" 400 "$code" "$WORK/h4" "malformed evidence"
# slow clients hold no one up: 20 idle connections, then a handshake
for k in $(seq 20); do (exec 3<>/dev/tcp/127.0.0.1/$VPORT; sleep 3) & PIDS="$PIDS $!"; done
sleep 0.2
run "$WORK/c.out" "$VPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "a handshake succeeds beside 20 idle connections" 0 $rc "$WORK/c.out" "file api_key"
# concurrent handshakes
runs=""
for k in $(seq 8); do run "$WORK/p$k.out" "$VPORT" --attest-name sec "$WORK/sec.wasm" api_key & runs="$runs $!"; done
wait $runs
n=0; for k in $(seq 8); do grep -q "file api_key" "$WORK/p$k.out" && n=$((n+1)); done
[ "$n" = 8 ] && ok "8 concurrent handshakes all succeed" || bad "concurrent handshakes: $n of 8"
stop_verifier
grep -q "rejected 'sec': the nonce is unknown or was already used" "$WORK/verifier.log" &&
  ok "the verifier logs each rejection with its reason" || bad "rejections not logged"
finish
