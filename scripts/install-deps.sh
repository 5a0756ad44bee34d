#!/bin/sh
# Installs (only if missing) the Debian packages Cairn's build and tests need.
set -e
# wasi-libc, lld-14 and libclang-rt-14-dev-wasm32: clang --target=wasm32-wasi for
# tests/wasi/programs; jq: the WASI test suite runner; time: bench/coldstart.sh.
PKGS="gcc clang make cmake libc6-dev wasi-libc lld-14 libclang-rt-14-dev-wasm32 jq time"
# cairn serve: libjansson-dev (config parser), curl, wrk and python3 (tests).
PKGS="$PKGS libjansson-dev curl wrk python3"
# nodejs: V8, the reference of the differential fuzz test (tests/fuzz/diff/)
# and of the benchmarks (the JIT). A node already on PATH (another
# distribution's package) is accepted.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
# The OCI runtime: libsodium-dev (SHA-256 of image blobs); its tests drive
# Debian's containerd (with ctr and the runc shim) and runc, and run a native
# busybox-static container beside Wasm ones.
PKGS="$PKGS libsodium-dev containerd runc busybox-static"
# --bench: what the benchmarks need beyond the tests: nginx-light (the
# throughput comparison in tests/serve/bench.sh), gnuplot (charts), hyperfine
# (cold start).
if [ "${1:-}" = "--bench" ]; then
  PKGS="$PKGS nginx-light gnuplot-nox hyperfine"
fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
