#!/bin/bash
# build-k8s.sh OUT: kube-apiserver and kubelet built from Debian's kubernetes
# source package (golang-go, CGO_ENABLED=0), and kubectl unpacked from the
# kubernetes-client package, into OUT/bin (cached: nothing is done when the
# three are there). The deb-src entry, if apt has none, is derived from the
# machine's own apt sources (bench/bench.py's ensure_deb_src).
set -e
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")/../.." && pwd)
if [ -x "$OUT/bin/kube-apiserver" ] && [ -x "$OUT/bin/kubelet" ] && [ -x "$OUT/bin/kubectl" ]; then
  echo "build-k8s: cached in $OUT/bin"; exit 0
fi
need=""
for p in golang-go rsync dpkg-dev etcd-server; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need
fi
mkdir -p "$OUT/bin" "$OUT/src"
if [ ! -x "$OUT/bin/kubectl" ]; then
  (cd "$OUT/src" && rm -f kubernetes-client_*.deb && apt-get download kubernetes-client &&
    rm -rf kubectl-root && dpkg-deb -x kubernetes-client_*.deb kubectl-root)
  cp "$OUT/src/kubectl-root/usr/bin/kubectl" "$OUT/bin/kubectl"
fi
if [ ! -x "$OUT/bin/kube-apiserver" ] || [ ! -x "$OUT/bin/kubelet" ]; then
  python3 -c "import sys; sys.path.insert(0, '$HERE/bench'); import bench; bench.ensure_deb_src()"
  src=$(ls -d "$OUT"/src/kubernetes-*/ 2>/dev/null | head -1)
  if [ -z "$src" ]; then
    (cd "$OUT/src" && apt-get source --download-only kubernetes &&
      dpkg-source -x kubernetes_*.dsc >/dev/null)
    src=$(ls -d "$OUT"/src/kubernetes-*/ | head -1)
  fi
  echo "build-k8s: building kube-apiserver and kubelet in $src (several minutes)"
  (cd "$src" && CGO_ENABLED=0 nice make WHAT="cmd/kube-apiserver cmd/kubelet")
  cp "$src/_output/bin/kube-apiserver" "$src/_output/bin/kubelet" "$OUT/bin/"
fi
# the binaries are the cache: the unpacked source and its build (2.5 GB) go
rm -rf "$OUT/src"
ls -la "$OUT/bin"
