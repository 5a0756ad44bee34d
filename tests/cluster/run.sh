#!/bin/bash
# run.sh CAIRN OCI_WASM_DIR K8S_DIR: the Kubernetes path, end to end, on
# this machine alone: etcd (Debian's etcd-server), kube-apiserver and
# kubelet built from Debian's kubernetes source (build-k8s.sh, cached in
# K8S_DIR), kubectl from kubernetes-client, and Debian's containerd with its
# CRI plugin, a runtime handler `cairn` (the runc shim with cairn-oci as its
# binary) and a RuntimeClass `cairn`. Everything runs from a temporary
# directory, on loopback, and is stopped by PID and removed afterwards; the
# sysctls kubelet rewrites are restored. Pods use hostNetwork (no CNI) and
# nodeName (no scheduler), without service account tokens (no controller
# manager).
# Checks: a Wasm pod reaches Running and `kubectl logs` shows its output; an
# HTTP pod answers; `kubectl delete pod` stops it; a pod's memory limit
# holds; times from `kubectl apply` to Running and to the first log line.
set -u
CAIRN=$(readlink -f "$1"); W=$(readlink -f "$2"); K=$(readlink -f "$3")
CAIRN_OCI=$(dirname "$CAIRN")/cairn-oci
HERE=$(cd "$(dirname "$0")" && pwd)
PASS=0; FAILS=0
ok()   { echo "ok: $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
not() { ! "$@"; }
quiet() { "$@" > /dev/null 2>&1; }
for t in containerd etcd openssl curl gcc "$K/bin/kube-apiserver" "$K/bin/kubelet" "$K/bin/kubectl"; do
  command -v "$t" >/dev/null 2>&1 ||
    exec "$HERE/../missing-tool.sh" cluster "$t (make test-cluster builds it: tests/cluster/build-k8s.sh)"
done

T=$(mktemp -d /tmp/cairn-k8s.XXXXXX)
SOCK=$T/c.sock
PIDS=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
EP=$(free_port); PP=$(free_port); AP=$(free_port); KP=$(free_port); HP=$(free_port)
SYSCTLS="vm.overcommit_memory kernel.panic kernel.panic_on_oops"
for s in $SYSCTLS; do echo "$s=$(sysctl -n "$s")"; done > "$T/sysctl.saved"
PRE_RUN=0; [ -d /run/containerd ] && PRE_RUN=1
PRE_PODLOG=0; [ -d /var/log/pods ] && PRE_PODLOG=1
PRE_DP=0; [ -d /var/lib/kubelet ] && PRE_DP=1
PRE_K8SIO=""; for h in /sys/fs/cgroup/*/; do [ -d "${h}k8s.io" ] && PRE_K8SIO="$PRE_K8SIO $h"; done

ours() { # PIDs whose command line names our temp dir
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "$T" && echo "${p#/proc/}"
  done
}
teardown() {
  set +e
  kc delete pod --all --grace-period=0 --force > /dev/null 2>&1
  for p in $PIDS; do kill "$p" 2>/dev/null; done        # kubelet, apiserver, etcd, containerd
  for p in $PIDS; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  for p in $(ours); do kill -9 "$p" 2>/dev/null; done  # shims and their containers
  sleep 0.3
  local left
  left=$(ours); [ -z "$left" ] || { echo "FAIL: processes left: $left"; FAILS=$((FAILS + 1)); }
  grep " $T" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m"; done
  grep "/run/netns/cni-" /proc/self/mountinfo | awk '{print $5}' | while read -r m; do umount -l "$m"; rm -f "$m"; done
  while read -r line; do sysctl -q -w "$line" > /dev/null; done < "$T/sysctl.saved"
  for h in /sys/fs/cgroup/*/; do
    case " $PRE_K8SIO " in *" $h "*) continue ;; esac
    if [ -d "${h}k8s.io" ]; then
      find "${h}k8s.io" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
      rmdir "${h}k8s.io" 2>/dev/null || { echo "FAIL: cgroup ${h}k8s.io busy"; FAILS=$((FAILS + 1)); }
    fi
  done
  [ "$PRE_PODLOG" = 1 ] || rm -rf /var/log/pods
  [ "$PRE_DP" = 1 ] || rm -rf /var/lib/kubelet
  if [ "$PRE_RUN" = 0 ]; then rm -rf /run/containerd; fi
  rm -rf "$T"
  echo "$PASS passed, $FAILS failed"
  [ "$FAILS" = 0 ]
  exit $?
}
trap teardown EXIT
trap 'exit 1' INT TERM

# ---- etcd ----
etcd --name default --data-dir "$T/etcd" --listen-client-urls "http://127.0.0.1:$EP" \
  --advertise-client-urls "http://127.0.0.1:$EP" --listen-peer-urls "http://127.0.0.1:$PP" \
  --initial-advertise-peer-urls "http://127.0.0.1:$PP" --initial-cluster "default=http://127.0.0.1:$PP" \
  > "$T/etcd.log" 2>&1 &
PIDS="$PIDS $!"

# ---- kube-apiserver: a static admin token, no authorization, no service accounts ----
mkdir -p "$T/apiserver"
openssl genrsa -out "$T/sa.key" 2048 2> /dev/null
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN,admin,admin,\"system:masters\"" > "$T/tokens.csv"
"$K/bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$EP" --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 --secure-port="$AP" --cert-dir="$T/apiserver" \
  --token-auth-file="$T/tokens.csv" --authorization-mode=AlwaysAllow \
  --service-cluster-ip-range=10.254.0.0/24 --service-account-key-file="$T/sa.key" \
  --service-account-signing-key-file="$T/sa.key" --service-account-issuer=https://kubernetes.default.svc \
  --disable-admission-plugins=ServiceAccount --allow-privileged=true --insecure-port=0 \
  > "$T/apiserver.log" 2>&1 &
PIDS="$PIDS $!"
cat > "$T/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:$AP", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: "$TOKEN"}
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
KC
kc() { "$K/bin/kubectl" --kubeconfig "$T/kubeconfig" "$@"; }

# ---- containerd with the CRI plugin and the cairn handler ----
mkdir -p "$T/root" "$T/state" "$T/cni/bin" "$T/cni/conf"
cat > "$T/containerd.toml" <<CFG
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = "$T/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "cairn.test/pause:1"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$T/cni/bin"
    conf_dir = "$T/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$T/runc-root"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cairn]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cairn.options]
        BinaryName = "$CAIRN_OCI"
        Root = "$T/cairn-root"
CFG
containerd --config "$T/containerd.toml" > "$T/containerd.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do ctr --address "$SOCK" version > /dev/null 2>&1 && break; sleep 0.1; done
ctr_() { ctr --address "$SOCK" -n k8s.io "$@"; }

# images: the sandbox's pause (static, native) and the Wasm programs
gcc -static -O2 -o "$T/pause" "$HERE/pause.c"
python3 "$HERE/native-image.py" "$T/pause" "$T/pause.tar" cairn.test/pause:1
ctr_ image import "$T/pause.tar" > /dev/null
"$CAIRN" image build "$W/hello.wasm" -o "$T/hello.tar" --name cairn.test/hello:1 --arg from-k8s > /dev/null
"$CAIRN" image build "$W/http.wasm" -o "$T/http.tar" --name cairn.test/http:1 \
  --env "CAIRN_TCPLISTEN=127.0.0.1:$HP" > /dev/null
"$CAIRN" image build "$W/memhog.wasm" -o "$T/memhog.tar" --name cairn.test/memhog:1 > /dev/null
for i in hello http memhog; do ctr_ image import "$T/$i.tar" > /dev/null; done
check "images imported into the k8s.io namespace" [ "$(ctr_ image ls -q | grep -c cairn.test)" = 4 ]

for _ in $(seq 1 150); do kc get --raw /readyz > /dev/null 2>&1 && break; sleep 0.2; done
check "kube-apiserver is ready" quiet kc get --raw /readyz

# ---- kubelet ----
mkdir -p "$T/kubelet"
cat > "$T/kubelet.yaml" <<KL
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $KP
readOnlyPort: 0
healthzPort: 0
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
makeIPTablesUtilChains: false
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
evictionHard: {memory.available: "0%", nodefs.available: "0%", imagefs.available: "0%"}
imageGCHighThresholdPercent: 100
serializeImagePulls: false
KL
"$K/bin/kubelet" --config "$T/kubelet.yaml" --kubeconfig "$T/kubeconfig" --root-dir "$T/kubelet" \
  --cert-dir "$T/kubelet/pki" --container-runtime=remote --container-runtime-endpoint="unix://$SOCK" \
  --hostname-override=127.0.0.1 --pod-infra-container-image=cairn.test/pause:1 \
  > "$T/kubelet.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 150); do kc get node 127.0.0.1 > /dev/null 2>&1 && break; sleep 0.2; done
check "the kubelet registered its node" quiet kc get node 127.0.0.1

kc apply -f - > /dev/null <<YAML
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: cairn}
handler: cairn
YAML
check "RuntimeClass cairn" quiet kc get runtimeclass cairn

pod() { # pod NAME IMAGE [MEMORY] [ARGS_JSON]
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  runtimeClassName: cairn
  nodeName: 127.0.0.1
  hostNetwork: true
  automountServiceAccountToken: false
  restartPolicy: Never
  containers:
  - name: main
    image: $2
    imagePullPolicy: Never
YAML
  [ -z "${4:-}" ] || echo "    args: $4"
  [ -z "${3:-}" ] || echo "    resources: {limits: {memory: $3}}"
}
phase() { kc get pod "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
wait_phase() { # wait_phase POD PHASE SECONDS
  for _ in $(seq 1 $(($3 * 10))); do [ "$(phase "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "  $1 is $(phase "$1"): $(kc get pod "$1" -o jsonpath='{.status.containerStatuses[0].state}' 2>&1)"
  return 1
}
now() { date +%s.%N; }
secs() { python3 -c "print('%.2f' % ($2 - $1))"; }

# a Wasm pod: Succeeded, logs through the kubelet
pod hello cairn.test/hello:1 | kc apply -f - > /dev/null
check "a Wasm pod (runtimeClassName: cairn) completes" wait_phase hello Succeeded 90
kc logs hello > "$T/hello.log" 2>&1
check "kubectl logs shows its output: $(head -1 "$T/hello.log")" grep -q "hello from a wasm container" "$T/hello.log"
check "with its image's Cmd" grep -q "arg 1: from-k8s" "$T/hello.log"

# an HTTP pod: Running, answers, stops on delete; times to Running and first log line
t0=$(now)
pod web cairn.test/http:1 64Mi | kc apply -f - > /dev/null
check "an HTTP Wasm pod reaches Running" wait_phase web Running 60
t1=$(now)
for _ in $(seq 1 200); do kc logs web 2> /dev/null | grep -q serving && break; sleep 0.05; done
t2=$(now)
echo "timing: kubectl apply -> Running $(secs "$t0" "$t1") s, -> first log line $(secs "$t0" "$t2") s"
body=$(curl -s --max-time 3 "http://127.0.0.1:$HP/k8s")
check "it answers: '$body'" [ "${body#hello from wasm http: GET /k8s}" != "$body" ]
cg=$(ls -d /sys/fs/cgroup/memory/k8s.io/*/ 2>/dev/null | while read -r d; do
  [ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ] && echo "$d"; done | head -1)
check "its cgroup carries the pod's 64 MiB limit: ${cg:-none}" [ -n "$cg" ]
kc delete pod web --wait=true --timeout=60s > /dev/null 2>&1
check "kubectl delete pod stops it (port closed)" not curl -s --max-time 1 "http://127.0.0.1:$HP/" -o /dev/null
check "and its processes are gone" [ -z "$(ls "$T/cairn-root/k8s.io" 2>/dev/null)" ]

# the memory limit holds inside the guest
pod hog cairn.test/memhog:1 32Mi '["64"]' | kc apply -f - > /dev/null
check "a pod allocating 64 MiB under a 32 MiB limit fails" wait_phase hog Failed 60
code=$(kc get pod hog -o jsonpath='{.status.containerStatuses[0].state.terminated.exitCode}')
check "with the guest's exit status 3 (malloc failed), not an OOM kill: $code" [ "$code" = 3 ]
kc logs hog > "$T/hog.log" 2>&1
check "its log: $(cat "$T/hog.log")" grep -q "out of memory after" "$T/hog.log"
