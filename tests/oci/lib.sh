# lib.sh: sourced by the OCI tests. Starts a private containerd (Debian's)
# in a temporary directory, with its own config, root, state, sockets and a
# runc root for the shim, and tears everything down on exit: containers,
# shims (found by our temp dir in their command line, stopped by PID),
# containerd (by PID), mounts below the temp dir, the cgroups of our
# namespace, and the temp dir itself. Then checks that nothing is left.
#
# Needs: CAIRN (the cairn program; cairn-oci beside it), OCI_WASM (folder
# of the test programs built for wasm32-wasi).
set -u
OCI_NS=cairntest$$
OCI_FAILS=0
OCI_PASSES=0

oci_need() {
  for t in "$@"; do
    if ! command -v "$t" >/dev/null 2>&1; then
      exec "$(dirname "$0")/../missing-tool.sh" "$OCI_TEST" "$t is not installed"
    fi
  done
}

ok()   { echo "ok: $*"; OCI_PASSES=$((OCI_PASSES + 1)); }
fail() { echo "FAIL: $*"; OCI_FAILS=$((OCI_FAILS + 1)); }
not() { ! "$@"; }
check() { # check DESCRIPTION COMMAND...
  local d=$1; shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}

OCI_T=$(mktemp -d /tmp/cairn-oci.XXXXXX)
OCI_SOCK=$OCI_T/c.sock
OCI_CD_PID=
OCI_RUN_DIR_EXISTED=0
[ -d /run/containerd ] && OCI_RUN_DIR_EXISTED=1
CAIRN_OCI=$(dirname "$CAIRN")/cairn-oci

ctr_() { ctr --address "$OCI_SOCK" -n "$OCI_NS" "$@"; }
# ctr run through cairn-oci, the shim's runc root in our temp dir.
ctr_run() { ctr_ run --runtime io.containerd.runc.v2 --runc-binary "$CAIRN_OCI" \
  --runc-root "$OCI_T/runc" --fifo-dir "$OCI_T/fifo" "$@"; }

oci_start_containerd() {
  mkdir -p "$OCI_T/root" "$OCI_T/state" "$OCI_T/runc"
  cat > "$OCI_T/config.toml" <<CFG
version = 2
root = "$OCI_T/root"
state = "$OCI_T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$OCI_SOCK"
[ttrpc]
  address = "$OCI_SOCK.ttrpc"
[debug]
  address = "$OCI_T/debug.sock"
[metrics]
  address = ""
CFG
  containerd --config "$OCI_T/config.toml" > "$OCI_T/containerd.log" 2>&1 &
  OCI_CD_PID=$!
  for _ in $(seq 1 100); do
    ctr --address "$OCI_SOCK" version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "containerd did not start:"; tail -20 "$OCI_T/containerd.log"
  return 1
}

# PIDs of processes whose command line mentions our temp dir (the shims).
oci_our_pids() {
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "$OCI_T" && echo "${p#/proc/}"
  done
}

oci_cgroup_dirs() {
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$OCI_NS" ] && echo "$h$OCI_NS"
  done
}

oci_teardown() {
  local rc=$?
  set +e
  if [ -n "$OCI_CD_PID" ]; then
    for c in $(ctr_ task ls -q 2>/dev/null); do
      ctr_ task kill -s SIGKILL "$c" >/dev/null 2>&1
    done
    sleep 0.2
    for c in $(ctr_ task ls -q 2>/dev/null); do ctr_ task delete -f "$c" >/dev/null 2>&1; done
    for c in $(ctr_ container ls -q 2>/dev/null); do ctr_ container delete "$c" >/dev/null 2>&1; done
    kill "$OCI_CD_PID" 2>/dev/null
    wait "$OCI_CD_PID" 2>/dev/null
  fi
  for p in $(oci_our_pids); do kill -9 "$p" 2>/dev/null; done
  sleep 0.1
  # leftovers: processes, mounts, cgroups, the shim socket dir we created
  local left
  left=$(oci_our_pids)
  [ -z "$left" ] || { echo "FAIL: processes left: $left"; rc=1; }
  left=$(grep -c " $OCI_T" /proc/self/mountinfo)
  if [ "$left" != 0 ]; then
    echo "FAIL: $left mounts left below $OCI_T"; rc=1
    grep " $OCI_T" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m"; done
  fi
  for d in $(oci_cgroup_dirs); do
    # the namespace's own folder (ctr's cgroup parent) is ours to remove;
    # a container's folder still in it is a leftover
    if [ -n "$(find "$d" -mindepth 1 -type d 2>/dev/null)" ]; then
      echo "FAIL: cgroups left in $d: $(find "$d" -mindepth 1 -type d | tr '\n' ' ')"; rc=1
      find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
    fi
    rmdir "$d" 2>/dev/null
  done
  if [ "$OCI_RUN_DIR_EXISTED" = 0 ] && [ -d /run/containerd ]; then
    rmdir /run/containerd/s /run/containerd/fifo 2>/dev/null
    rmdir /run/containerd 2>/dev/null || { echo "FAIL: /run/containerd not empty: $(ls -R /run/containerd | head)"; rc=1; }
  fi
  rm -rf "$OCI_T"
  [ -n "${OCI_BENCH:-}" ] || echo "$OCI_PASSES passed, $OCI_FAILS failed"
  [ "$OCI_FAILS" = 0 ] && [ "$rc" = 0 ] || exit 1
  exit 0
}
trap oci_teardown EXIT
trap 'exit 1' INT TERM

# oci_image NAME PROGRAM [cairn image build options...]: builds and imports.
oci_image() {
  local name=$1 prog=$2; shift 2
  "$CAIRN" image build "$OCI_WASM/$prog.wasm" -o "$OCI_T/$prog.tar" --name "$name" "$@" >/dev/null &&
    ctr_ image import "$OCI_T/$prog.tar" >/dev/null
}
