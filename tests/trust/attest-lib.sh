# attest-lib.sh: helpers of tests/trust/attest-*.sh: a work folder, checks,
# keys, the guest program, policies, `cairn verifier` and the test proxy
# started on free loopback ports and stopped by their PIDs (trap EXIT).
# Usage: . attest-lib.sh CAIRN   (sets CAIRN, WORK, HERE)
CAIRN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-attest.XXXXXX")
PASS=0; FAIL=0; PIDS=""
ok()  { PASS=$((PASS+1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
# expect NAME RC_WANTED RC OUTPUT_FILE TEXT: rc and a message in the output
expect() {
  if [ "$3" = "$2" ] && grep -qF -- "$5" "$4"; then ok "$1"
  else bad "$1: rc $3 (want $2), want text [$5] in:"; sed 's/^/      /' "$4" | head -8; fi
}
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
# missing TOOL WHY: fails under CI=true, else skips (77).
missing() {
  echo "cannot run: $1 missing ($2; scripts/install-deps.sh installs it)"
  if [ "${CI:-}" = true ]; then echo "FAIL (CI=true: a missing tool is a failure)"; exit 1; fi
  echo "SKIP"; exit 77
}
for t in curl python3 clang; do command -v $t >/dev/null || missing $t "the attestation tests"; done
clang --target=wasm32-wasi -O2 "$HERE/programs/attest_secret.c" -o "$WORK/sec.wasm" 2>"$WORK/cc.err" ||
  missing "a wasm32-wasi toolchain" "clang, lld, wasi-libc"
# the module that the policy calls "other" (a different build)
clang --target=wasm32-wasi -O0 "$HERE/programs/attest_secret.c" -o "$WORK/other.wasm"

# keygen FILE...: key pairs made by the cairn under test (FILE, FILE.pub)
keygen() {
  local k
  for k in "$@"; do "$CAIRN" keygen -o "$k" >/dev/null || { echo "cairn keygen -o $k failed"; exit 1; }; done
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
fnv() { python3 -c 'import sys
h=0xcbf29ce484222325
for c in sys.argv[1].encode(): h=((h^c)*0x100000001b3)&0xffffffffffffffff
print("%016x"%h)' "$1"; }
SECRET_FILE_VALUE="file-secret-$$-$RANDOM-0123456789"
SECRET_ENV_VALUE="env-secret-$$-$RANDOM"
printf '%s' "$SECRET_FILE_VALUE" > "$WORK/api_key.txt"

# policy FILE KEYS_JSON [EXTRA_TOP_LEVEL_JSON [EXTRA_MODULES_JSON]]: sec.wasm
# as "sec" with two secrets, other.wasm as "other" with none, then the
# extra "NAME": {...} entries.
policy() {
  cat > "$1" <<EOP
{ ${3:-} "runtimes": ["$(sha "$CAIRN")"],
  "attestation_keys": $2,
  "modules": {
    "sec": { "sha256": ["$(sha "$WORK/sec.wasm")"], "secrets": [
      { "name": "api_key", "file": "api_key.txt", "deliver": "file" },
      { "name": "TOKEN", "value": "$SECRET_ENV_VALUE", "deliver": "env" } ] },
    "other": { "sha256": ["$(sha "$WORK/other.wasm")"] } ${4:+, $4} } }
EOP
}
# start_verifier POLICY [LOG]: sets VPORT, VPID.
start_verifier() {
  rm -f "$WORK/vport"
  "$CAIRN" verifier --policy "$1" --key "$WORK/verifier" --listen 127.0.0.1:0 \
    --port-file "$WORK/vport" 2>>"${2:-$WORK/verifier.log}" &
  VPID=$!; PIDS="$PIDS $VPID"
  for _ in $(seq 100); do [ -s "$WORK/vport" ] && break; sleep 0.05; done
  VPORT=$(cat "$WORK/vport")
}
stop_verifier() { kill "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null; }
# start_proxy MODE [ARG]: sets PPORT, PPID_.
start_proxy() {
  rm -f "$WORK/pport"
  python3 "$HERE/attest-proxy.py" "$WORK/pport" "$VPORT" "$@" 2>>"$WORK/proxy.log" &
  PPID_=$!; PIDS="$PIDS $PPID_"
  for _ in $(seq 100); do [ -s "$WORK/pport" ] && break; sleep 0.05; done
  PPORT=$(cat "$WORK/pport")
}
stop_proxy() { kill "$PPID_" 2>/dev/null; wait "$PPID_" 2>/dev/null; }
# The secrets must never reach a file or a log: checked at the end of each
# test over the work folder (the policy's own source file aside) and logs.
check_no_leak() {
  local hits
  hits=$(grep -rlaF -e "$SECRET_FILE_VALUE" -e "$SECRET_ENV_VALUE" "$WORK" 2>/dev/null |
         grep -v -e '/api_key.txt$' -e '/policy[^/]*\.json$' || true)
  if [ -z "$hits" ]; then ok "no secret value in any log or file (only in the policy)"
  else bad "secret value found in: $hits"; fi
}
finish() {
  check_no_leak
  echo "$(basename "$0" .sh): $PASS passed, $FAIL failed"
  [ "$FAIL" = 0 ]
}
# start_swtpm: a swtpm on free loopback ports (state in $WORK/tpm), an EK
# and an AK provisioned with tpm2-tools, the AK persistent at 0x81010002 and
# its public key in $WORK/ak.pem. Sets TCTI (empty if provisioning failed;
# $WORK/prov.log says why) and exports TPM2TOOLS_TCTI.
start_swtpm() {
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  mkdir -p "$WORK/tpm"
  for try in 1 2 3; do
    P1=$(free_port); P2=$((P1 + 1))   # the swtpm TCTI finds the control port at port+1
    swtpm socket --tpm2 --tpmstate dir="$WORK/tpm" --flags not-need-init,startup-clear \
      --server type=tcp,port=$P1,bindaddr=127.0.0.1 --ctrl type=tcp,port=$P2,bindaddr=127.0.0.1 \
      >"$WORK/swtpm.log" 2>&1 &
    SWPID=$!
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$P1) 2>/dev/null && break; sleep 0.05; done
    kill -0 $SWPID 2>/dev/null && break
  done
  PIDS="$PIDS $SWPID"
  TCTI="swtpm:host=127.0.0.1,port=$P1"
  export TPM2TOOLS_TCTI=$TCTI
  # swtpm has no resource manager: flush transient objects after each step
  ( tpm2_createek -c "$WORK/ek.ctx" -G ecc -u "$WORK/ek.pub" && tpm2_flushcontext -t &&
    tpm2_createak -C "$WORK/ek.ctx" -c "$WORK/ak.ctx" -G ecc -g sha256 -s ecdsa \
      -u "$WORK/ak.pem" -f pem -n "$WORK/ak.name" && tpm2_flushcontext -t && tpm2_flushcontext -s &&
    tpm2_evictcontrol -C o -c "$WORK/ak.ctx" 0x81010002 && tpm2_flushcontext -t ) >"$WORK/prov.log" 2>&1
  [ $? = 0 ] && [ -s "$WORK/ak.pem" ] || TCTI=""
}
