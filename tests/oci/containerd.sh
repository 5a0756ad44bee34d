#!/bin/bash
# containerd.sh CAIRN WASM_DIR CASE: cairn-oci driven by Debian's real
# containerd and ctr (a private containerd per run: tests/oci/lib.sh).
# CASE: hello | http | kill | trap | many | busybox | memory
CAIRN=$(readlink -f "$1"); OCI_WASM=$2; CASE=$3
OCI_TEST=oci/containerd-$CASE
. "$(dirname "$0")/lib.sh"
oci_need containerd ctr runc containerd-shim-runc-v2 curl
oci_start_containerd || exit 1

port() { # a free loopback port
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
has() { grep -q -- "$2" "$1"; }
# wait_status ID STATUS: until `ctr task ls` shows it (5 s)
wait_status() {
  for _ in $(seq 1 100); do
    ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}' | grep -qx "$2" && return 0
    sleep 0.05
  done
  return 1
}

case $CASE in
hello)
  oci_image cairn.test/hello:1 hello --env GREETING=hi-there --arg first
  ctr_run --rm cairn.test/hello:1 h1 > "$OCI_T/out" 2>&1; rc=$?
  check "WASI program from an imported image exits 0" [ "$rc" = 0 ]
  check "its stdout reaches ctr" has "$OCI_T/out" "hello from a wasm container"
  check "image Cmd is its argument" has "$OCI_T/out" "arg 1: first"
  check "image Env is its environment" has "$OCI_T/out" "GREETING=hi-there"
  ctr_run --rm --env GREETING=from-ctr cairn.test/hello:1 h2 /hello.wasm exit=7 > "$OCI_T/out" 2>&1; rc=$?
  check "the container's exit status is the guest's (7): got $rc" [ "$rc" = 7 ]
  check "ctr run args replace Cmd" has "$OCI_T/out" "arg 1: exit=7"
  check "ctr run --env overrides the image's" has "$OCI_T/out" "GREETING=from-ctr"
  # the runtime's own view while created: state through cairn-oci
  ctr_run -d cairn.test/hello:1 h3 >/dev/null 2>&1
  wait_status h3 STOPPED
  "$CAIRN_OCI" --root "$OCI_T/runc/$OCI_NS" state h3 > "$OCI_T/st.json" 2>&1
  cat "$OCI_T/st.json"; check "cairn-oci state knows the container (stopped after exit)" has "$OCI_T/st.json" '"status": "stopped"'
  ctr_ task delete h3 >/dev/null 2>&1; ctr_ container delete h3 >/dev/null 2>&1
  check "delete removes the state directory" [ ! -e "$OCI_T/runc/$OCI_NS/h3" ]
  ;;
http)
  P=$(port)
  oci_image cairn.test/http:1 http --env CAIRN_TCPLISTEN=127.0.0.1:$P
  ctr_run -d --net-host cairn.test/http:1 web >/dev/null 2>&1
  check "an HTTP module runs detached" wait_status web RUNNING
  body=
  for _ in $(seq 1 100); do
    body=$(curl -s --max-time 2 "http://127.0.0.1:$P/hi") && break
    sleep 0.05
  done
  check "it answers on loopback: '$body'" [ "${body#hello from wasm http: GET /hi}" != "$body" ]
  body=$(curl -s --max-time 2 "http://127.0.0.1:$P/again")
  check "and keeps serving: '$body'" [ "${body#hello from wasm http: GET /again}" != "$body" ]
  ctr_ task ps web > "$OCI_T/ps" 2>&1
  pid=$(awk 'NR==2 {print $1}' "$OCI_T/ps")
  check "ctr task ps (cairn-oci ps --format json) lists the init: $pid" [ -n "$pid" -a -d "/proc/$pid" ]
  ctr_ task kill -s SIGKILL web
  check "kill -9 stops it" wait_status web STOPPED
  check "the port is closed after kill" not curl -s --max-time 1 "http://127.0.0.1:$P/" -o /dev/null
  ctr_ task delete web >/dev/null 2>&1; ctr_ container delete web >/dev/null 2>&1
  check "delete leaves no state directory" [ ! -e "$OCI_T/runc/$OCI_NS/web" ]
  ;;
kill)
  P=$(port)
  oci_image cairn.test/http:1 http --env CAIRN_TCPLISTEN=127.0.0.1:$P
  # a private network namespace: it listens there, not on the host
  ctr_run --memory-limit 67108864 cairn.test/http:1 k1 > "$OCI_T/k1.out" 2>&1 &
  run1=$!
  check "a long-running module starts in its own network namespace" wait_status k1 RUNNING
  check "it is not reachable from the host's loopback" not curl -s --max-time 1 "http://127.0.0.1:$P/" -o /dev/null
  lim=$(cat /sys/fs/cgroup/memory/$OCI_NS/k1/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/$OCI_NS/k1/memory.max 2>/dev/null)
  check "its cgroup has the memory limit (64 MiB): $lim" [ "$lim" = 67108864 ]
  "$CAIRN_OCI" --root "$OCI_T/runc/$OCI_NS" events --stats k1 > "$OCI_T/ev" 2>&1
  cat "$OCI_T/ev"; check "cairn-oci events --stats reports the cgroup" has "$OCI_T/ev" '"memory":{"usage":{"limit":67108864'
  ctr_ task kill k1
  wait $run1; rc=$?
  check "SIGTERM ends it with status 143: $rc" [ "$rc" = 143 ]
  "$CAIRN_OCI" --root "$OCI_T/runc/$OCI_NS" kill k1 KILL > "$OCI_T/kill2" 2>&1; rc=$?
  check "kill after exit: exit status 1 ($rc), 'container not running' or gone" \
    [ "$rc" = 1 ]
  ctr_ container delete k1 >/dev/null 2>&1
  check "task and container gone" [ -z "$(ctr_ container ls -q)" ]
  ;;
trap)
  oci_image cairn.test/trap:1 trap
  ctr_run --rm cairn.test/trap:1 t1 > "$OCI_T/out" 2> "$OCI_T/err"; rc=$?
  check "a trapping module's exit status is 134: $rc" [ "$rc" = 134 ]
  check "its output before the trap arrives" has "$OCI_T/out" "about to trap"
  check "the trap is on its stderr" has "$OCI_T/err" "wasm trap: unreachable"
  ;;
many)
  oci_image cairn.test/hello:1 hello
  N=50
  start=$(date +%s.%N)
  pids=
  for i in $(seq 1 $N); do
    ( ctr_run --rm cairn.test/hello:1 m$i /hello.wasm exit=$((i % 4)) > "$OCI_T/m$i.out" 2>&1
      echo $? > "$OCI_T/m$i.rc" ) &
    pids="$pids $!"
  done
  wait $pids
  end=$(date +%s.%N)
  good=0
  for i in $(seq 1 $N); do
    [ "$(cat "$OCI_T/m$i.rc")" = $((i % 4)) ] && grep -q "hello from a wasm container" "$OCI_T/m$i.out" &&
      good=$((good + 1))
  done
  check "$N containers started at once all ran with their own exit status: $good/$N in $(python3 -c "print(round($end - $start, 2))") s" [ "$good" = $N ]
  check "no task left" [ -z "$(ctr_ task ls -q)" ]
  ;;
busybox)
  oci_need busybox
  mkdir -p "$OCI_T/bb/bin"
  cp "$(command -v busybox)" "$OCI_T/bb/bin/busybox"
  file -L "$OCI_T/bb/bin/busybox" 2>/dev/null | grep -q static || ldd "$OCI_T/bb/bin/busybox" 2>&1 | grep -q "not a dynamic" ||
    fail "busybox is not static (install busybox-static)"
  oci_image cairn.test/http:1 http --env CAIRN_TCPLISTEN=127.0.0.1:$(port)
  ctr_run -d cairn.test/http:1 w1 >/dev/null 2>&1
  check "a Wasm container runs" wait_status w1 RUNNING
  ctr_run --rm --rootfs "$OCI_T/bb" n1 /bin/busybox echo native-hello > "$OCI_T/out" 2>&1; rc=$?
  check "a native busybox container through cairn-oci (handed to runc) beside it: rc $rc" [ "$rc" = 0 ]
  check "its output" has "$OCI_T/out" native-hello
  ctr_run --rm --rootfs "$OCI_T/bb" n2 /bin/busybox sh -c 'exit 5' > /dev/null 2>&1; rc=$?
  check "its exit status (5): $rc" [ "$rc" = 5 ]
  check "the native container's state was runc's" [ ! -e "$OCI_T/runc/$OCI_NS/n1/cairn.json" ]
  check "the Wasm one still runs" wait_status w1 RUNNING
  ctr_ task kill -s SIGKILL w1; wait_status w1 STOPPED
  ctr_ task delete w1 >/dev/null 2>&1; ctr_ container delete w1 >/dev/null 2>&1
  ;;
memory)
  oci_image cairn.test/memhog:1 memhog
  ctr_run --rm --memory-limit 33554432 cairn.test/memhog:1 mh1 /memhog.wasm 64 > "$OCI_T/out" 2>&1; rc=$?
  got=$(grep -o "out of memory after [0-9]*" "$OCI_T/out" | awk '{print $5}')
  check "with a 32 MiB limit, allocating 64 MiB fails in the guest (status 3): rc $rc" [ "$rc" = 3 ]
  # the runtime's own footprint comes off the limit; a sanitizer build's
  # (make asan sets CAIRN_RSS_SLACK_KB) is larger, so less is left
  min=16; [ -n "${CAIRN_RSS_SLACK_KB:-}" ] && min=8
  check "it got less than 32 MiB, at least $min: ${got:-none}" [ "${got:-0}" -lt 32 -a "${got:-0}" -ge "$min" ]
  ctr_run --rm cairn.test/memhog:1 mh2 /memhog.wasm 64 > "$OCI_T/out" 2>&1; rc=$?
  check "without a limit it allocates 64 MiB: rc $rc" [ "$rc" = 0 ]
  check "and says so" has "$OCI_T/out" "allocated 64 MiB"
  ;;
*)
  echo "unknown case $CASE"; exit 2 ;;
esac
