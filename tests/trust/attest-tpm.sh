#!/usr/bin/env bash
# attest-tpm.sh CAIRN: remote attestation with a TPM 2.0: the test starts
# its own swtpm (socket mode, temporary state, free loopback ports),
# provisions an EK and an AK with tpm2-tools (the AK made persistent at
# 0x81010002, its public key in PEM registered in the verifier's policy),
# then runs `cairn run --attest --tpm`: the good path, and the attacks a
# TPM answers: a PCR extended with an unexpected value between measurement
# and quote, a quote from an unregistered AK, a tampered module, evidence
# changed in transit, a malformed quote; AK files checked at the verifier's
# start (by cairn-tpm check-key), cairn-tpm found beside cairn or on PATH,
# an RSA AK. swtpm is stopped by its PID at exit.
set -u
. "$(dirname "$0")/attest-lib.sh" "$1"
for t in swtpm tpm2_createek tpm2_createak tpm2_evictcontrol tpm2_pcrextend openssl; do
  command -v $t >/dev/null || missing "$t" "swtpm, tpm2-tools, openssl"
done
[ -x "$(dirname "$CAIRN")/cairn-tpm" ] || missing "cairn-tpm" "built with libtss2-dev"
start_swtpm
if [ -n "$TCTI" ]; then ok "swtpm started, EK and AK provisioned (tpm2-tools)"
else bad "provisioning failed"; sed 's/^/      /' "$WORK/prov.log" | tail -5; finish; exit 1; fi
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$WORK/stranger.pem" 2>/dev/null

keygen "$WORK/verifier"
policy "$WORK/policy.json" '[ { "name": "node1", "type": "tpm2", "pem": "ak.pem" } ]'
policy "$WORK/policy-stranger.json" '[ { "name": "stranger", "type": "tpm2", "pem": "stranger.pem" } ]'
start_verifier "$WORK/policy.json"
run() { # run OUT PORT [options...] MODULE ARGS...
  local out=$1 port=$2; shift 2
  "$CAIRN" run --attest "http://127.0.0.1:$port" --verifier-pub "$WORK/verifier.pub" \
    --tpm "$TCTI" --attest-timeout 5000 "$@" >"$out" 2>&1
}
run "$WORK/good.out" "$VPORT" --attest-name sec "$WORK/sec.wasm" api_key TOKEN; rc=$?
want="file api_key: ${#SECRET_FILE_VALUE} bytes, fnv1a64 $(fnv "$SECRET_FILE_VALUE")"
expect "swtpm: the guest reads /run/secrets/api_key" 0 $rc "$WORK/good.out" "$want"
want="env TOKEN: ${#SECRET_ENV_VALUE} bytes, fnv1a64 $(fnv "$SECRET_ENV_VALUE")"
expect "swtpm: the guest gets TOKEN" 0 $rc "$WORK/good.out" "$want"
grep -q insecure "$WORK/good.out" && bad "a TPM result is marked insecure" || ok "a TPM result is not marked insecure"
grep -q "accepted 'sec' (tpm2 key 'node1')" "$WORK/verifier.log" && ok "the verifier logs the TPM release" ||
  bad "verifier log: $(tail -1 "$WORK/verifier.log")"
# The PCR now holds exactly the replayed log: read it back with tpm2-tools.
pcr=$(tpm2_pcrread sha256:23 2>/dev/null | grep -o '0x[0-9A-F]*' | tr -d x | tr A-F a-f | sed 's/^0//')
[ ${#pcr} = 64 ] && [ "$pcr" != "$(printf '0%.0s' $(seq 64))" ] && ok "PCR 23 holds the measurements ($pcr)" ||
  bad "PCR 23: [$pcr]"

start_proxy extend-pcr "$TCTI"
run "$WORK/x.out" "$PPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "a PCR extended with an unexpected value is refused" 2 $rc "$WORK/x.out" "PCR 23 does not match the event log"
grep -q "file api_key" "$WORK/x.out" && bad "released despite the PCR" || ok "PCR mismatch: nothing released"
stop_proxy

start_proxy flip
run "$WORK/f.out" "$PPORT" --attest-name sec "$WORK/sec.wasm"; rc=$?
expect "evidence modified in transit is refused (quote bound to it)" 2 $rc "$WORK/f.out" "the quote's qualifying data is not this evidence's digest"
stop_proxy

cp "$WORK/sec.wasm" "$WORK/tampered.wasm"
printf '\x01' | dd of="$WORK/tampered.wasm" bs=1 seek=$(( $(stat -c %s "$WORK/sec.wasm") - 1 )) conv=notrunc 2>/dev/null
run "$WORK/t.out" "$VPORT" --attest-name sec "$WORK/tampered.wasm"; rc=$?
expect "swtpm: a one-byte tamper is refused" 2 $rc "$WORK/t.out" "is not an allowed build of 'sec'"
stop_verifier

start_verifier "$WORK/policy-stranger.json"
run "$WORK/u.out" "$VPORT" --attest-name sec "$WORK/sec.wasm"; rc=$?
expect "a quote from an unregistered AK is refused" 2 $rc "$WORK/u.out" "the quote is not signed by any registered TPM attestation key"
run "$WORK/h.out" "$VPORT" --tpm-ak 0x81010077 --attest-name sec "$WORK/sec.wasm"; rc=$?
expect "no AK at the handle: a clear error" 2 $rc "$WORK/h.out" "no attestation key at that handle"
stop_verifier

# A malformed quote (the signature is checked by cairn-tpm verify-sig, the
# structure by the verifier): recorded evidence with its quote replaced.
start_verifier "$WORK/policy.json"
start_proxy record "$WORK/evidence.json"
run "$WORK/rec.out" "$PPORT" --attest-name sec "$WORK/sec.wasm"; rc=$?
stop_proxy
python3 -c 'import base64,json,struct,sys
m=json.load(open(sys.argv[1])); m["quote"]=base64.b64encode(struct.pack(">I",4)+b"abcd"+struct.pack(">I",2)+b"xy").decode()
open(sys.argv[1],"w").write(json.dumps(m))' "$WORK/evidence.json"
code=$(curl -s -o "$WORK/mq.out" -w '%{http_code}' --data-binary @"$WORK/evidence.json" "http://127.0.0.1:$VPORT/v1/attest")
expect "a malformed quote is refused" 403 "$code" "$WORK/mq.out" "the TPM quote is malformed"
grep -q sealed "$WORK/mq.out" && bad "a malformed quote got sealed secrets" || ok "malformed quote: nothing released"
stop_verifier

# Registered AK files are checked at start, by cairn-tpm check-key
bad_ak() { # NAME TEXT_WANTED: the policy in $WORK/policy-bad.json [env...]
  local name=$1 want=$2; shift 2
  env "$@" "$CAIRN" verifier --policy "$WORK/policy-bad.json" --key "$WORK/verifier" --listen 127.0.0.1:0 >"$WORK/ba.out" 2>&1
  expect "policy: $name" 2 $? "$WORK/ba.out" "$want"
}
echo "not a key" > "$WORK/junk.pem"
policy "$WORK/policy-bad.json" '[ { "name": "n", "type": "tpm2", "pem": "junk.pem" } ]'
bad_ak "an AK file that is not PEM" "attestation_keys[0] 'n': $WORK/junk.pem: not a PEM public key"
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -out "$WORK/ed.pem" 2>/dev/null
policy "$WORK/policy-bad.json" '[ { "name": "n", "type": "tpm2", "pem": "ed.pem" } ]'
bad_ak "an AK that is neither ECC nor RSA" "$WORK/ed.pem: an attestation key must be ECC or RSA"
policy "$WORK/policy-bad.json" '[ { "name": "n", "type": "tpm2", "pem": "ak.pem" } ]'
bad_ak "CAIRN_TPM_HELPER not a program" "the TPM helper /nonexistent (CAIRN_TPM_HELPER) is not an executable file" CAIRN_TPM_HELPER=/nonexistent
# cairn finds cairn-tpm next to itself, else on PATH
mkdir -p "$WORK/alone"; cp "$CAIRN" "$WORK/alone/cairn"
PATH=/usr/bin:/bin "$WORK/alone/cairn" verifier --policy "$WORK/policy-bad.json" --key "$WORK/verifier" --listen 127.0.0.1:0 >"$WORK/al.out" 2>&1
expect "a cairn without cairn-tpm beside it or on PATH: a clear error at start" 2 $? "$WORK/al.out" "the TPM helper cairn-tpm is neither next to this cairn nor on PATH"
policy "$WORK/policy-alone.json" '[ { "name": "node1", "type": "tpm2", "pem": "ak.pem" } ]'
OLDPATH=$PATH OLDCAIRN=$CAIRN; PATH="$(dirname "$CAIRN"):$PATH" CAIRN="$WORK/alone/cairn"
start_verifier "$WORK/policy-alone.json"
run "$WORK/path.out" "$VPORT" --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "cairn-tpm found on PATH (attester and verifier)" 0 $rc "$WORK/path.out" "file api_key"
stop_verifier
PATH=$OLDPATH CAIRN=$OLDCAIRN

# An RSA AK (RSASSA, SHA-256) at another handle, registered beside the ECC one
( tpm2_createak -C "$WORK/ek.ctx" -c "$WORK/rak.ctx" -G rsa -g sha256 -s rsassa \
    -u "$WORK/rak.pem" -f pem -n "$WORK/rak.name" && tpm2_flushcontext -t && tpm2_flushcontext -s &&
  tpm2_evictcontrol -C o -c "$WORK/rak.ctx" 0x81010003 && tpm2_flushcontext -t ) >"$WORK/prov-rsa.log" 2>&1
policy "$WORK/policy-rsa.json" '[ { "name": "node1", "type": "tpm2", "pem": "ak.pem" },
                                  { "name": "node1-rsa", "type": "tpm2", "pem": "rak.pem" } ]'
start_verifier "$WORK/policy-rsa.json"
run "$WORK/rsa.out" "$VPORT" --tpm-ak 0x81010003 --attest-name sec "$WORK/sec.wasm" api_key; rc=$?
expect "an RSA AK's quote is accepted" 0 $rc "$WORK/rsa.out" "file api_key"
grep -q "accepted 'sec' (tpm2 key 'node1-rsa')" "$WORK/verifier.log" && ok "  ... as the RSA key" ||
  bad "RSA AK: $(tail -1 "$WORK/verifier.log"); $(tail -2 "$WORK/prov-rsa.log")"
stop_verifier

"$CAIRN" run --attest "http://127.0.0.1:1" --verifier-pub "$WORK/verifier.pub" \
  --tpm "swtpm:host=127.0.0.1,port=1" "$WORK/sec.wasm" >"$WORK/nt.out" 2>&1; rc=$?
expect "an unreachable TPM fails closed" 2 $rc "$WORK/nt.out" "TPM (swtpm:host=127.0.0.1,port=1)"
finish
