#!/bin/bash
# bench.sh CAIRN FUNCS_DIR [SECONDS] [CONNS]: side-by-side throughput and
# latency of `cairn serve` (hello, a fresh instance per request, access log
# off) and Debian's nginx answering the same static body (access log off,
# one worker per core), with the same wrk settings, on loopback. Also the
# in-process instantiation microbenchmark when bench_instantiate is beside
# CAIRN's tests/ folder. Prints a markdown table for docs/benchmarks.md.
# With CAIRN_BASE=/path/to/other/cairn, that binary is measured the same way
# right after CAIRN (a before/after comparison in one run).
# Native tier (on when `CAIRN compile` works; AOT=0 turns it off): hello and
# compute (COMPUTE_QUERY, default n=100000) compiled once with `CAIRN
# compile -O2`, then one server serves each from its .wasm (interpreter) and
# from its .cwasm (native tier, as a function whose "tier": "aot" has tiered
# up), measured one after the other with the same wrk settings.
set -u
CAIRN=$1; FUNCS=$2; SECS=${3:-10}; CONNS=${4:-64}
. "$(dirname "$0")/lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
start_server "$CAIRN" "$FUNCS"
wrk -t2 -c$CONNS -d2s "$URL/hello" > /dev/null   # warm-up
wrk -t2 -c$CONNS -d${SECS}s --latency "$URL/hello" > "$WORK/cairn.txt"
rss_serve=$(awk '/VmRSS/ {print $2}' /proc/$SERVE_PID/status)
stop_server
if [ -n "${CAIRN_BASE:-}" ]; then
  start_server "$CAIRN_BASE" "$FUNCS"
  wrk -t2 -c$CONNS -d2s "$URL/hello" > /dev/null
  wrk -t2 -c$CONNS -d${SECS}s --latency "$URL/hello" > "$WORK/cairn-base.txt"
  stop_server
fi
if [ -x "$NGINX" ]; then
NPORT=$((PORT + 1))
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NG
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NPORT; location / { default_type text/plain; return 200 "Hello from Cairn!\n"; } }
}
NG
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NG_PID=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/" && break; sleep 0.1; done
wrk -t2 -c$CONNS -d2s "http://127.0.0.1:$NPORT/" > /dev/null
wrk -t2 -c$CONNS -d${SECS}s --latency "http://127.0.0.1:$NPORT/" > "$WORK/nginx.txt"
kill -TERM $NG_PID; wait $NG_PID 2>/dev/null
fi
# Interpreter against native tier, hello and compute, one server.
AOT_ROWS=""
if [ "${AOT:-1}" != 0 ] && mkdir -p "$WORK/aot" &&
   "$CAIRN" compile -O2 "$FUNCS/hello.wasm" -o "$WORK/aot/hello.cwasm" 2> "$WORK/aot/compile.log" &&
   "$CAIRN" compile -O2 "$FUNCS/compute.wasm" -o "$WORK/aot/compute.cwasm" 2>> "$WORK/aot/compile.log"; then
  CQ=${COMPUTE_QUERY:-n=100000}
  cat > "$WORK/tiers.json" <<JS
{ "listen": "127.0.0.1:0", "workers": 2, "access_log": "off",
  "functions": [
    { "route": "/hello", "module": "FUNCS/hello.wasm" },
    { "route": "/hello-aot", "name": "hello-aot", "module": "$WORK/aot/hello.cwasm" },
    { "route": "/compute", "module": "FUNCS/compute.wasm", "limits": { "memory_mb": 32 } },
    { "route": "/compute-aot", "name": "compute-aot", "module": "$WORK/aot/compute.cwasm", "limits": { "memory_mb": 32 } } ] }
JS
  SERVE_TEST_CONFIG="$WORK/tiers.json" start_server "$CAIRN" "$FUNCS"
  for r in hello hello-aot compute compute-aot; do
    q=""; case $r in compute*) q="?$CQ" ;; esac
    [ "$(curl -s "$URL/${r%-aot}$q")" = "$(curl -s "$URL/$r$q")" ] || echo "bench: /$r answers differently from /${r%-aot}"
    wrk -t2 -c$CONNS -d2s "$URL/$r$q" > /dev/null
    wrk -t2 -c$CONNS -d${SECS}s --latency "$URL/$r$q" > "$WORK/tier-$r.txt"
  done
  stop_server
  AOT_ROWS=1
elif [ "${AOT:-1}" != 0 ]; then
  echo "bench: native tier skipped: cairn compile failed: $(tail -1 "$WORK/aot/compile.log" 2>/dev/null)"
fi
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$1"; }
pct() { sed -n "s/^ *$2% *\([0-9.]*[a-z]*\)/\1/p" "$1"; }
rc=$(rps "$WORK/cairn.txt"); rn=$( [ -f "$WORK/nginx.txt" ] && rps "$WORK/nginx.txt")
echo "| server | requests/s | p50 | p99 | errors |"
echo "| --- | --- | --- | --- | --- |"
for s in cairn cairn-base nginx; do
  f="$WORK/$s.txt"
  [ -f "$f" ] || continue
  echo "| $s | $(rps $f) | $(pct $f 50) | $(pct $f 99) | $(grep -E 'Socket errors|Non-2xx' $f | tr -s ' ' | tr '\n' ' ' || true) |"
done
echo
[ -n "$rn" ] && echo "cairn/nginx throughput ratio: $(python3 -c "print(round($rc/$rn, 2))")  (wrk -t2 -c$CONNS -d${SECS}s, $(nproc) cores, both on this machine)"
[ -n "${CAIRN_BASE:-}" ] && echo "cairn/cairn-base throughput ratio: $(python3 -c "print(round($rc/$(rps "$WORK/cairn-base.txt"), 2))")"
echo "cairn serve RSS after the run: ${rss_serve} kB"
if [ -n "$AOT_ROWS" ]; then
  echo
  echo "| function | tier | requests/s | p50 | p99 | errors |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for r in hello hello-aot compute compute-aot; do
    f="$WORK/tier-$r.txt"; t=interpreter; case $r in *-aot) t="native (.cwasm)" ;; esac
    q=""; case $r in compute*) q=" ($CQ)" ;; esac
    echo "| ${r%-aot}$q | $t | $(rps $f) | $(pct $f 50) | $(pct $f 99) | $(wrk_errors $f) |"
  done
  for fn in hello compute; do
    echo "$fn native/interpreter throughput: $(python3 -c "print(round($(rps "$WORK/tier-$fn-aot.txt")/$(rps "$WORK/tier-$fn.txt"), 2))")"
  done
fi
B=$(dirname "$CAIRN")/tests/bench_instantiate
[ -x "$B" ] && "$B" "$FUNCS/hello.wasm" 20000
[ -x "$B" ] && [ -n "$AOT_ROWS" ] && "$B" "$WORK/aot/hello.cwasm" 20000
exit 0
