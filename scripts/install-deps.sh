#!/bin/sh
# Installs (only if missing) the Debian packages Cairn's build and tests need.
set -e
# wasi-libc, lld-14 and libclang-rt-14-dev-wasm32: clang --target=wasm32-wasi for
# tests/wasi/programs; jq: the WASI test suite runner; time: bench/coldstart.sh.
PKGS="gcc clang make cmake libc6-dev wasi-libc lld-14 libclang-rt-14-dev-wasm32 jq time"
# libsodium-dev: SHA-256 of modules and compiled code (the native tier's
# .cwasm header and cache keys); later signatures (trust).
PKGS="$PKGS libsodium-dev"
# cairn serve: libjansson-dev (config parser), curl, wrk and python3 (tests).
PKGS="$PKGS libjansson-dev curl wrk python3"
# make install and its test (tests/embed/): man-db (man -l renders the man
# pages) and pkg-config (a program built against the installed cairn.pc).
PKGS="$PKGS man-db pkg-config"
# nodejs: V8, the reference of the differential fuzz test (tests/fuzz/diff/)
# and of the benchmarks (the JIT). A node already on PATH (another
# distribution's package) is accepted.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
# The OCI runtime: its tests drive Debian's containerd (with ctr and the runc
# shim) and runc, and run a native busybox-static container beside Wasm ones
# (libsodium-dev, above, also hashes image blobs).
PKGS="$PKGS containerd runc busybox-static"
# Attestation (src/trust/attest_*, docs/trust.md): the helper cairn-tpm
# links libtss2-dev (tpm2-tss ESAPI: the attester's TPM commands) and
# libssl-dev (libcrypto: the verifier's check of a TPM attestation key's
# ECDSA/RSA quote signature; `cairn` itself links neither), and for
# tests/trust/attest-tpm.sh a software TPM (swtpm, swtpm-tools) provisioned
# with tpm2-tools.
PKGS="$PKGS libssl-dev libtss2-dev swtpm swtpm-tools tpm2-tools"
# Installed without their recommended packages (below).
NORECS=""
for opt in "$@"; do
  case "$opt" in
  # --bench: what the benchmarks need beyond the tests: nginx-light (the
  # throughput comparison in tests/serve/bench.sh), gnuplot (charts),
  # hyperfine (cold start).
  --bench) PKGS="$PKGS nginx-light gnuplot-nox hyperfine" ;;
  # --cross: make test-cross (tests/cross/run-cross.sh): Debian's cross
  # compilers for aarch64, riscv64 and 32-bit armhf with their C libraries,
  # and qemu-user to run the results (about 500 MB installed). Without
  # recommends: qemu-user's would register binfmt handlers with the kernel,
  # and the harness names the emulator itself. dpkg-dev, autoconf, automake
  # and libtool: scripts/cross-libsodium.sh builds libsodium for each target
  # from Debian's source package (none for riscv64 in bookworm).
  --cross)
    NORECS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-riscv64-linux-gnu libc6-dev-riscv64-cross"
    NORECS="$NORECS gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user"
    NORECS="$NORECS dpkg-dev autoconf automake libtool" ;;
  *) echo "install-deps: unknown option '$opt' (--bench, --cross)" >&2; exit 2 ;;
  esac
done
not_installed() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf ' %s' "$p"
  done
}
missing=$(not_installed $PKGS)
missing_norecs=$(not_installed $NORECS)
if [ -n "$missing$missing_norecs" ]; then
  echo "install-deps: installing$missing$missing_norecs"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  [ -z "$missing" ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
  [ -z "$missing_norecs" ] ||
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing_norecs
fi
