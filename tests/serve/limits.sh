#!/bin/bash
# limits.sh CAIRN: `cairn serve` memory budgets from the engine's side.
# Tables count in memory_mb and are capped by default, so a table.grow of
# 2^28 elements is refused at once (no seconds, no gigabytes); a tenant that
# grows memory or a table into the store's cap and then fails is reported
# as failure kind "memory" (metrics and access log), from the engine's
# limit flags; a refusal by the module's own declared maximum is not; a run
# that meets the cap and copes with it succeeds. The modules are WAT text
# written here (no C toolchain needed).
set -u
CAIRN=$1
. "$(dirname "$0")/lib.sh"
C="curl -s --max-time 10"
command -v curl >/dev/null || { echo "curl is missing"; exit 1; }

W=$WORK/mods
TABLEHOG=$(cd "$(dirname "$0")" && pwd)/wat/tablehog.wat
mkdir -p "$W"
# grows memory a page at a time until refused, then traps
cat > "$W/memhog.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable))
W
# the same against its own declared maximum (4 pages), far below the cap
cat > "$W/ownmax.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 4)
  (func (export "_start")
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable))
W
# one table.grow of 2^28 elements, then a trap
cat > "$W/tablebig.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "_start")
    (drop (table.grow $t (ref.null func) (i32.const 268435456)))
    unreachable))
W
# grows memory until refused, then writes one byte per page it has and exits 0
# (the response body's length is the page cap it met)
cat > "$W/pages.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "_start")
    (local $n i32)
    (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (local.set $n (memory.size))
    (memory.fill (i32.const 64) (i32.const 120) (local.get $n))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
W
sed 's/(table \$t 1 funcref)/(table $t 1 1 funcref)/' "$W/pages.wat" > "$W/pages_fixed.wat"

cat > "$WORK/limits.json" <<J
{ "listen": "127.0.0.1:0", "workers": 1, "access_log": "-",
  "functions": [
    { "route": "/memhog", "module": "$W/memhog.wat", "limits": { "memory_mb": 8 } },
    { "route": "/ownmax", "module": "$W/ownmax.wat", "limits": { "memory_mb": 8 } },
    { "route": "/tablehog", "module": "$TABLEHOG" },
    { "route": "/tablebig", "module": "$W/tablebig.wat", "limits": { "timeout_ms": 10000 } },
    { "route": "/pages", "module": "$W/pages.wat",
      "limits": { "memory_mb": 8, "max_table_elems": 524288 } },
    { "route": "/pagesfixed", "module": "$W/pages_fixed.wat", "name": "pagesfixed",
      "limits": { "memory_mb": 8, "max_table_elems": 524288 } },
    { "route": "/pagesdefault", "module": "$W/pages.wat", "name": "pagesdefault", "limits": { "memory_mb": 8 } }
  ] }
J
printf '{ "functions": [ { "route": "/x", "module": "%s", "limits": { "memory_mb": 1, "max_table_elems": 1000000 } } ] }' \
  "$W/pages.wat" > "$WORK/toosmall.json"
out=$("$CAIRN" serve --config "$WORK/toosmall.json" 2>&1); rc=$?
check "tables larger than memory_mb fail the start" 1 "$rc"
case "$out" in *"raise memory_mb or lower max_table_elems"*) ok "budget message";; *) bad "budget message: $out";; esac

SERVE_TEST_CONFIG=$WORK/limits.json start_server "$CAIRN" "$W"

check "memory hog -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/memhog)"
check "own declared max -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/ownmax)"
check "table hog -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/tablehog)"
t0=$(date +%s%N)
check "table.grow 2^28 -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/tablebig)"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$ms" -lt 2000 ]; then ok "table.grow 2^28 refused in $ms ms"; else bad "table.grow 2^28 took $ms ms"; fi
rss=$(awk '/VmRSS/ {print $2}' /proc/$SERVE_PID/status)
if [ "$rss" -lt 262144 ]; then ok "server RSS after table.grow 2^28: $rss kB"; else bad "server RSS $rss kB"; fi
# memory_mb 8 = 128 pages; a table without a maximum capped at 524288
# elements takes 4 MiB = 64 pages of it; a table of one element, 1 page
check "tables count in memory_mb (uncapped table)" 64 "$($C -o /dev/null -w '%{size_download}' $URL/pages)"
check "tables count in memory_mb (table max 1)" 127 "$($C -o /dev/null -w '%{size_download}' $URL/pagesfixed)"
# default table cap for 8 MiB: an eighth of it (131072 elements = 1 MiB = 16 pages)
check "default table cap derived from memory_mb" 112 "$($C -o /dev/null -w '%{size_download}' $URL/pagesdefault)"
check "a run that copes with the cap succeeds" 200 "$($C -o /dev/null -w '%{http_code}' $URL/pages)"
# the flags are per run: after a restore, a second run is judged afresh
check "memory hog again -> 500" 500 "$($C -o /dev/null -w '%{http_code}' $URL/memhog)"

m=$($C $URL/metrics)
case "$m" in *'cairn_failures_total{function="memhog",kind="memory"} 2'*) ok "metrics: memory hog is kind memory";; *) bad "metrics memhog: $(echo "$m" | grep memhog)";; esac
case "$m" in *'cairn_failures_total{function="tablehog",kind="memory"} 1'*) ok "metrics: table hog is kind memory";; *) bad "metrics tablehog: $(echo "$m" | grep tablehog)";; esac
case "$m" in *'cairn_failures_total{function="tablebig",kind="memory"} 1'*) ok "metrics: table.grow 2^28 is kind memory";; *) bad "metrics tablebig: $(echo "$m" | grep tablebig)";; esac
case "$m" in *'cairn_failures_total{function="ownmax",kind="trap"} 1'*) ok "metrics: own declared max is a trap, not memory";; *) bad "metrics ownmax: $(echo "$m" | grep ownmax)";; esac
case "$m" in *'cairn_failures_total{function="ownmax",kind="memory"} 0'*) ok "metrics: own declared max not counted as memory";; *) bad "metrics ownmax memory: $(echo "$m" | grep ownmax)";; esac
case "$m" in *'cairn_failures_total{function="pages",kind="memory"} 0'*) ok "metrics: coping run not counted";; *) bad "metrics pages: $(echo "$m" | grep pages)";; esac

sleep 0.4  # the access log is flushed every 200 ms
grep '"function":"memhog"' "$WORK/out.log" | grep -q '"failure":"memory".*memory limit of memory_mb reached' &&
  ok "access log: memory hog failure and detail" || bad "access log memhog: $(grep memhog "$WORK/out.log" | head -2)"
grep '"function":"tablehog"' "$WORK/out.log" | grep -q '"failure":"memory".*table limit of memory_mb reached' &&
  ok "access log: table hog failure and detail" || bad "access log tablehog: $(grep tablehog "$WORK/out.log" | head -2)"
stop_server
finish
