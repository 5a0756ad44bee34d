#!/bin/bash
# tierup.sh CAIRN: `cairn serve` with "tier": "aot" functions. They answer
# at once (the interpreter serves them while the native code compiles), then
# tier up: /metrics shows cairn_tier 1 and counts native runs. In native
# code the node's limits hold exactly as in the interpreter: a deadline, a
# fuel budget and a memory cap each fail that request only, with the same
# failure kind. A .cwasm module is native from the start; a module the
# compiler cannot build keeps being served by the interpreter. A reload of
# an unchanged module tiers up again from the cache. The modules are WAT
# text written here.
set -u
CAIRN=$1
. "$(dirname "$0")/lib.sh"
C="curl -s --max-time 20"
command -v curl >/dev/null || { echo "curl is missing"; exit 1; }

W=$WORK/mods
mkdir -p "$W"
cat > "$W/hello.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasm\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
W
# the deadline and the fuel budget strike 500 calls deep
cat > "$W/spin.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $down (param i32)
    (if (i32.eqz (local.get 0)) (then (loop $l (br $l))))
    (call $down (i32.sub (local.get 0) (i32.const 1))))
  (func (export "_start") (call $down (i32.const 500))))
W
cat > "$W/deeptrap.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $boom unreachable)
  (func $down (param i32)
    (if (i32.eqz (local.get 0)) (then (call $boom)))
    (call $down (i32.sub (local.get 0) (i32.const 1))))
  (func (export "_start") (call $down (i32.const 500))))
W
cat > "$W/memhog.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable))
W
cp "$W/spin.wat" "$W/fuel.wat"
"$CAIRN" compile "$W/hello.wat" -o "$W/hello.cwasm" || bad "compile hello.cwasm"
# a module whose native build fails: a compiler that always fails is named
# through a config folder that has no gcc... instead the cache is a file,
# which cairn refuses: the interpreter keeps serving
printf 'not a folder' > "$WORK/notadir"

cat > "$WORK/tier.json" <<J
{ "listen": "127.0.0.1:0", "workers": 1, "access_log": "-", "aot_cache": "$WORK/cache",
  "functions": [
    { "route": "/hello", "module": "$W/hello.wat", "tier": "aot" },
    { "route": "/interp", "module": "$W/hello.wat", "name": "interp" },
    { "route": "/native", "module": "$W/hello.cwasm", "name": "native" },
    { "route": "/spin", "module": "$W/spin.wat", "tier": "aot", "limits": { "timeout_ms": 300 } },
    { "route": "/fuel", "module": "$W/fuel.wat", "tier": "aot", "limits": { "fuel": 100000 } },
    { "route": "/memhog", "module": "$W/memhog.wat", "tier": "aot", "limits": { "memory_mb": 8 } },
    { "route": "/deeptrap", "module": "$W/deeptrap.wat", "tier": "aot" }
  ] }
J
SERVE_TEST_CONFIG=$WORK/tier.json start_server "$CAIRN" "$W"

# at once, before any compile can have finished
check "aot function answers at once" 200 "$($C -o /dev/null -w '%{http_code}' $URL/hello)"
check ".cwasm function" "hello from wasm" "$($C $URL/native)"
m=$($C $URL/metrics)
case "$m" in *'cairn_tier{function="native"} 1'*) ok "a .cwasm is native from the start";; *) bad "native tier: $(echo "$m" | grep 'cairn_tier')";; esac
case "$m" in *'cairn_tier{function="interp"} 0'*) ok "an interp function stays interp";; *) bad "interp tier";; esac

# wait for the tier-up of the five aot functions
up=0
for _ in $(seq 1 600); do
  m=$($C $URL/metrics)
  n=$(echo "$m" | grep -cE 'cairn_tier\{function="(hello|spin|fuel|memhog|deeptrap)"\} 1')
  [ "$n" -eq 5 ] && { up=1; break; }
  sleep 0.1
done
[ "$up" -eq 1 ] && ok "the aot functions tiered up" || bad "tier-up: $(echo "$m" | grep cairn_tier); $(cat "$WORK/err.log")"
grep -q "function hello: native code ready" "$WORK/err.log" && ok "tier-up logged" || bad "tier-up log: $(cat "$WORK/err.log")"

check "native hello" "hello from wasm" "$($C $URL/hello)"
check "native deadline -> 504" 504 "$($C -o /dev/null -w '%{http_code}' $URL/spin)"
check "native fuel -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/fuel)"
check "native memory cap -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/memhog)"
check "native trap 500 calls deep -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/deeptrap)"
for _ in $(seq 1 50); do grep -q "deeptrap" "$WORK/out.log" && break; sleep 0.1; done
grep -q "trap: unreachable in boom" "$WORK/out.log" && ok "the access log names the trapping function" ||
  bad "deeptrap log: $(grep deeptrap "$WORK/out.log")"
check "the node still serves" "hello from wasm" "$($C $URL/hello)"
m=$($C $URL/metrics)
for f in hello spin fuel memhog deeptrap; do
  n=$(echo "$m" | sed -n "s/^cairn_runs_total{function=\"$f\",tier=\"native\"} \([0-9]*\)$/\1/p")
  [ "${n:-0}" -ge 1 ] && ok "$f ran as native code ($n)" || bad "$f native runs: $(echo "$m" | grep "runs_total{function=\"$f\"")"
done
case "$m" in *'cairn_failures_total{function="spin",kind="deadline"} 1'*) ok "native deadline is kind deadline";; *) bad "spin: $(echo "$m" | grep 'function="spin"' | grep failures)";; esac
case "$m" in *'cairn_failures_total{function="fuel",kind="fuel"} 1'*) ok "native fuel is kind fuel";; *) bad "fuel: $(echo "$m" | grep 'function="fuel"' | grep failures)";; esac
case "$m" in *'cairn_failures_total{function="memhog",kind="memory"} 1'*) ok "native memory cap is kind memory";; *) bad "memhog: $(echo "$m" | grep 'function="memhog"' | grep failures)";; esac
mode=$(stat -c %a "$WORK/cache")
check "the cache folder is 0700" 700 "$mode"

# reload: the cache makes the new set native again
kill -HUP "$SERVE_PID"
up=0
for _ in $(seq 1 300); do
  grep -c "native code ready (from the cache" "$WORK/err.log" | grep -q '^[5-9]' && { up=1; break; }
  sleep 0.1
done
[ "$up" -eq 1 ] && ok "reload tiers up from the cache" || bad "reload: $(cat "$WORK/err.log")"
check "hello after reload" "hello from wasm" "$($C $URL/hello)"
stop_server

# a cache that cannot be used: the interpreter keeps serving, with the reason
sed "s|\"aot_cache\": \"$WORK/cache\"|\"aot_cache\": \"$WORK/notadir\"|" "$WORK/tier.json" > "$WORK/tier2.json"
SERVE_TEST_CONFIG=$WORK/tier2.json start_server "$CAIRN" "$W"
for _ in $(seq 1 100); do grep -q "function hello: no native code" "$WORK/err.log" && break; sleep 0.1; done
grep -q "function hello: no native code, the interpreter keeps serving it" "$WORK/err.log" &&
  ok "no native code: reason logged" || bad "no-native log: $(cat "$WORK/err.log")"
check "still served by the interpreter" "hello from wasm" "$($C $URL/hello)"
m=$($C $URL/metrics)
case "$m" in *'cairn_tier{function="hello"} 0'*) ok "tier stays interp";; *) bad "tier: $(echo "$m" | grep 'cairn_tier{function="hello"')";; esac
stop_server
finish
