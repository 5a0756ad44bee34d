#!/usr/bin/env bash
# attest-latency.sh CAIRN [N]: the cost of remote attestation at start, end
# to end: N runs (default 30) of `cairn run` of the same small WASI guest
# without attestation, with --attest and a software device key, and with
# --attest and a TPM 2.0 (a swtpm on loopback, as tests/trust/attest-tpm.sh
# sets up), interleaved so that all three see the same machine state.
# Prints the mean and median wall time of each and the handshake cost (the
# difference). Results: docs/benchmarks.md.
set -u
N=${2:-30}
. "$(dirname "$0")/../tests/trust/attest-lib.sh" "$1"
keygen "$WORK/verifier" "$WORK/device"
start_swtpm
[ -n "$TCTI" ] || { echo "swtpm provisioning failed"; cat "$WORK/prov.log"; exit 1; }
policy "$WORK/policy.json" '[ { "name": "dev", "type": "ed25519", "pub": "device.pub" },
  { "name": "node1", "type": "tpm2", "pem": "ak.pem" } ]' '"allow_insecure": true, '
start_verifier "$WORK/policy.json" /dev/null
A="--attest http://127.0.0.1:$VPORT --verifier-pub $WORK/verifier.pub --attest-name sec"
ms() { local t=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "run failed: $*" >&2; echo $(( ($(date +%s%N) - t) / 1000 )); }
for i in $(seq "$N"); do
  ms "$CAIRN" run "$WORK/sec.wasm" api_key >>"$WORK/plain"
  ms "$CAIRN" run $A --device-key "$WORK/device" "$WORK/sec.wasm" api_key >>"$WORK/soft"
  ms "$CAIRN" run $A --tpm "$TCTI" "$WORK/sec.wasm" api_key >>"$WORK/tpm.ms"
done
stat() { sort -n "$1" | awk '{a[NR]=$1; s+=$1} END {printf "%.2f %.2f", s/NR/1000, a[int((NR+1)/2)]/1000}'; }
read pm pmed < <(stat "$WORK/plain"); read sm smed < <(stat "$WORK/soft"); read tm tmed < <(stat "$WORK/tpm.ms")
printf '%-28s %10s %10s %12s\n' "cairn run ($N runs)" "mean ms" "median ms" "handshake ms"
printf '%-28s %10s %10s %12s\n' "no attestation" "$pm" "$pmed" "-"
diff() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a - b}'; }
printf '%-28s %10s %10s %12s\n' "--attest, software key" "$sm" "$smed" "$(diff "$smed" "$pmed")"
printf '%-28s %10s %10s %12s\n' "--attest, TPM 2.0 (swtpm)" "$tm" "$tmed" "$(diff "$tmed" "$pmed")"
