#!/bin/bash
# functional.sh CAIRN FUNCS_DIR: `cairn serve` end to end with curl on
# loopback: the example functions (hello, echo, JSON, compute), WAGI
# variables, failures isolated to their request (trap, exit, OOB, deadline,
# fuel, memory, response size, body size, concurrency), /metrics, access
# log, startup errors, SIGHUP reload and SIGTERM shutdown.
set -u
CAIRN=$1; FUNCS=$2
. "$(dirname "$0")/lib.sh"
C="curl -s --max-time 10"

# ---- startup errors ----
out=$("$CAIRN" serve --route /x=/nonexistent.wasm 2>&1); rc=$?
check "missing module fails to start" 1 "$rc"
case "$out" in *"cannot load module /nonexistent.wasm"*) ok "missing module message";; *) bad "missing module message: $out";; esac
printf '{ "functions": [ { "route": "/a", "module": "m.wasm" }, ]\n}' > "$WORK/bad.json"
out=$("$CAIRN" serve --config "$WORK/bad.json" 2>&1); rc=$?
check "bad config fails to start" 1 "$rc"
case "$out" in *"bad.json:1:"*) ok "bad config names file and line";; *) bad "bad config message: $out";; esac
printf '{ "functions": [ { "route": "/a", "modul": "m.wasm" } ] }' > "$WORK/bad2.json"
out=$("$CAIRN" serve --config "$WORK/bad2.json" 2>&1)
case "$out" in *'functions[0]: unknown key "modul"'*) ok "unknown key named";; *) bad "unknown key message: $out";; esac

start_server "$CAIRN" "$FUNCS" --access-log "$WORK/access.log"

# port in use
out=$("$CAIRN" serve --listen 127.0.0.1:$PORT --route /h=$FUNCS/hello.wasm 2>&1); rc=$?
check "port in use fails to start" 1 "$rc"
case "$out" in *"port in use"*) ok "port in use message";; *) bad "port in use message: $out";; esac

# ---- functions ----
check "hello body" "Hello from Cairn!" "$($C $URL/hello)"
check "hello status" 200 "$($C -o /dev/null -w '%{http_code}' $URL/hello)"
check "hello content-type" "text/plain" "$($C -o /dev/null -w '%{content_type}' $URL/hello)"
check "HEAD has no body" "" "$($C -I -X HEAD $URL/hello -o /dev/null -w '%{size_download}' | tr -d 0)"
echo_out=$($C -X PUT -H 'X-Custom: v1' -H 'Content-Type: text/x-test' "$URL/echo/sub/path?a=1&b=2" --data-binary 'the body')
case "$echo_out" in *"method: PUT"*) ok "echo method";; *) bad "echo method: $echo_out";; esac
case "$echo_out" in *"path: /sub/path"*) ok "echo PATH_INFO";; *) bad "echo path: $echo_out";; esac
case "$echo_out" in *"query: a=1&b=2"*) ok "echo QUERY_STRING";; *) bad "echo query";; esac
case "$echo_out" in *"header: HTTP_X_CUSTOM=v1"*) ok "echo HTTP_ header";; *) bad "echo header";; esac
case "$echo_out" in *"body: the body"*"body-length: 8"*) ok "echo body on stdin";; *) bad "echo body";; esac
case "$echo_out" in *"url: http://127.0.0.1:$PORT/echo/sub/path?a=1&b=2"*) ok "echo X_FULL_URL";; *) bad "echo url";; esac
check "echo custom response header" "X-Echo-Method: PUT" "$($C -D - -o /dev/null -X PUT $URL/echo | tr -d '\r' | grep X-Echo)"
chunked=$($C -H 'Transfer-Encoding: chunked' --data-binary @- $URL/echo <<< "chunked data")
case "$chunked" in *"body: chunked data"*) ok "chunked request body";; *) bad "chunked body: $chunked";; esac
head -c 70000 /dev/zero | tr '\0' a > "$WORK/big"
check "body over max_body -> 413" 413 "$($C -o /dev/null -w '%{http_code}' --data-binary @$WORK/big $URL/echo)"
check "json transform" '{"a":"BC","n":[2,5],"t":true}' "$($C $URL/json -d '{"a":"bc","n":[1,2.5],"t":true}')"
check "json invalid -> 400 from function" 400 "$($C -o /dev/null -w '%{http_code}' $URL/json -d '{"a":')"
check "compute" '{"n":100000,"primes":9592,"largest":99991}' "$($C "$URL/compute?n=100000")"
check "unknown route 404" 404 "$($C -o /dev/null -w '%{http_code}' $URL/nope)"

# ---- failures stay in their request ----
check "trap -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/trap)"
check "OOB crash -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/crash)"
check "exit 3 -> 500" 500 "$($C -o /dev/null -w '%{http_code}' "$URL/crash?exit")"
check "loop -> 504 (deadline)" 504 "$($C -o /dev/null -w '%{http_code}' $URL/loop)"
check "fuel -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/fuel)"
check "memory hog -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/hog)"
check "huge output -> 502" 502 "$($C -o /dev/null -w '%{http_code}' $URL/bigout)"
check "hello still fine after failures" "Hello from Cairn!" "$($C $URL/hello)"
# concurrency 1: while one run of /one is in progress, a request that lands
# on another worker gets 503 (probes landing on the busy worker time out and
# are retried on a new connection: up to 10 probes).
$C -o /dev/null -w '%{http_code}' $URL/one > "$WORK/one1.code" &
P1=$!
sleep 0.05
got=""
for _ in $(seq 1 10); do
  code=$(curl -s --max-time 0.12 -o /dev/null -w '%{http_code}' $URL/one)
  if [ "$code" = 503 ]; then got=503; break; fi
done
check "concurrency limit -> 503" 503 "$got"
wait $P1
check "first concurrent request ran (504 by its deadline)" 504 "$(cat $WORK/one1.code)"

# ---- keep-alive: several requests on one connection ----
n=$($C -v $URL/hello $URL/hello $URL/hello 2>&1 | grep -c 'Re-using existing connection')
check "keep-alive reuses the connection" 2 "$n"

# ---- metrics ----
m=$($C $URL/metrics)
case "$m" in *'cairn_requests_total{function="hello",status="200"}'*) ok "metrics: requests by status";; *) bad "metrics requests";; esac
case "$m" in *'cairn_failures_total{function="loop",kind="deadline"} 1'*) ok "metrics: deadline counted";; *) bad "metrics deadline";; esac
case "$m" in *'cairn_failures_total{function="hog",kind="memory"} 1'*) ok "metrics: memory counted";; *) bad "metrics memory: $(echo "$m" | grep hog)";; esac
case "$m" in *'cairn_failures_total{function="loopfuel",kind="fuel"} 1'*) ok "metrics: fuel counted";; *) bad "metrics fuel";; esac
case "$m" in *'cairn_failures_total{function="bigout",kind="response_size"} 1'*) ok "metrics: response size counted";; *) bad "metrics response size";; esac
case "$m" in *'cairn_failures_total{function="echo",kind="body_size"} 1'*) ok "metrics: body size counted";; *) bad "metrics body size";; esac
case "$m" in *'cairn_failures_total{function="one",kind="concurrency"} '[1-9]*) ok "metrics: concurrency counted";; *) bad "metrics concurrency";; esac
case "$m" in *'cairn_instantiate_seconds_count{function="hello"}'*) ok "metrics: instantiation histogram";; *) bad "metrics inst";; esac
case "$m" in *'cairn_request_duration_seconds_bucket{function="hello",le="+Inf"}'*) ok "metrics: latency histogram";; *) bad "metrics latency";; esac
case "$m" in *'cairn_live_instances{function="hello"}'*) ok "metrics: live instances";; *) bad "metrics live";; esac

# ---- reload (SIGHUP): a new route appears, old ones keep working ----
sed -i 's|"functions": \[|"functions": [ { "route": "/hello2", "module": "'"$FUNCS"'/hello.wasm", "name": "hello2" },|' "$WORK/serve.json"
kill -HUP "$SERVE_PID"
for _ in $(seq 1 50); do grep -q reloaded "$WORK/err.log" && break; sleep 0.1; done
check "reload adds a route" "Hello from Cairn!" "$($C $URL/hello2)"
check "reload keeps old routes" "Hello from Cairn!" "$($C $URL/hello)"
echo '{ broken' > "$WORK/serve.json"
kill -HUP "$SERVE_PID"
for _ in $(seq 1 50); do grep -q "reload failed" "$WORK/err.log" && break; sleep 0.1; done
check "bad reload keeps the running config" "Hello from Cairn!" "$($C $URL/hello2)"

# ---- access log (JSON lines) ----
sleep 0.4
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/access.log" 2>/dev/null &&
   grep -q '"failure":"deadline"' "$WORK/access.log"; then ok "access log is JSON with failures"; else bad "access log"; fi

# ---- SIGTERM: an in-flight request finishes ----
$C -o /dev/null -w '%{http_code}' "$URL/compute?n=5000000" > "$WORK/inflight.code" &
P2=$!
# SIGTERM only once the request runs: on a loaded machine curl may not even
# have connected 50 ms later (CI saw 000 once).
seen=no
for _ in $(seq 1 250); do
  case "$($C $URL/metrics)" in *'cairn_in_flight{function="compute"} 1'*) seen=yes; break;; esac
  sleep 0.02
done
kill -TERM "$SERVE_PID"
check "request in flight when SIGTERM came" yes "$seen"
wait $P2
check "in-flight request finishes during shutdown" 200 "$(cat $WORK/inflight.code)"
for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVE_PID" 2>/dev/null; then bad "server exits after SIGTERM"; else ok "server exits after SIGTERM"; fi
wait "$SERVE_PID"; check "exit status 0 after SIGTERM" 0 "$?"
SERVE_PID=""
finish
