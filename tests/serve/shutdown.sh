#!/bin/bash
# shutdown.sh CAIRN FUNCS_DIR: SIGTERM is graceful, then hard.
#  1. a short in-flight request finishes and gets its answer;
#  2. with a run spinning on a 60 s deadline and one sleeping (sleep(100)
#     in WASI, 5 s deadline), SIGTERM ends the server within the grace
#     period (1.5 s here) + 1 s, and not before the grace period is over;
#  3. a second SIGTERM ends it at once (< 1 s);
#  4. --shutdown-grace-ms overrides the config.
# Loopback only; every wait is bounded; every process is stopped by PID.
set -u
CAIRN=$1; FUNCS=$2
. "$(dirname "$0")/lib.sh"
export SERVE_TEST_CONFIG="$(dirname "$0")/pool-test.json"
# wait_exit SECONDS: waits for SERVE_PID to exit; prints the time taken
wait_exit() {
  local t0=$(date +%s.%N)
  for _ in $(seq 1 $(( $1 * 50 ))); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.02; done
  if kill -0 "$SERVE_PID" 2>/dev/null; then echo never; return; fi
  wait "$SERVE_PID" 2>/dev/null
  echo "$(date +%s.%N) $t0" | awk '{printf "%.2f", $1 - $2}'
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "never" && a < b) }'; }
# wait_running FUNCTION [N]: waits (at most 5 s) until /metrics shows N (1)
# requests of FUNCTION in flight, so that a signal finds it running even on a loaded
# machine (a fixed sleep raced with curl's start there)
wait_running() {
  for _ in $(seq 1 250); do
    n=$(curl -s --max-time 2 "$URL/metrics" | grep -F "cairn_in_flight{function=\"$1\"} " | awk '{print $2}')
    [ "${n:-0}" -ge "${2:-1}" ] 2>/dev/null && return 0
    sleep 0.02
  done
  bad "not ${2:-1} $1 request(s) in flight after 5 s"
}

# 1 + 2: graceful, then hard after the grace period
start_server "$CAIRN" "$FUNCS"
curl -s --max-time 10 -o "$WORK/spin.body" -w '%{http_code}' "$URL/longspin" > "$WORK/spin.code" &
C1=$!
curl -s --max-time 10 "$URL/sleep?1" > "$WORK/short.body" &
C2=$!
curl -s --max-time 10 -o /dev/null "$URL/sleep" &
C3=$!
wait_running longspin
wait_running sleep 2
kill -TERM "$SERVE_PID"
took=$(wait_exit 5)
wait $C1 $C2 $C3
check "in-flight short request answered during the grace period" "slept 1 s" "$(cat "$WORK/short.body")"
if lt "$took" 2.5 && ! lt "$took" 1.4; then ok "SIGTERM with a spinning and a sleeping run: exit after ${took} s (grace 1.5 s)"
else bad "SIGTERM with a spinning and a sleeping run: exit after ${took} s (want 1.5 to 2.5)"; fi
grep -q "abandoned" "$WORK/err.log" && bad "a run did not return when interrupted" || ok "every run returned when interrupted"
grep -q "grace period over" "$WORK/err.log" && ok "log says the grace period ended" || bad "no grace message"
grep -q "cairn serve: stopped" "$WORK/err.log" && ok "clean stop" || bad "stop message: $(tail -2 "$WORK/err.log")"
SERVE_PID=""; san_check

# 3: a second SIGTERM is a hard stop now
start_server "$CAIRN" "$FUNCS"
curl -s --max-time 10 -o /dev/null "$URL/longspin" &
C1=$!
wait_running longspin
kill -TERM "$SERVE_PID"
sleep 0.2
kill -TERM "$SERVE_PID"
took=$(wait_exit 5)
wait $C1
if lt "$took" 1.0; then ok "second SIGTERM: exit after ${took} s"; else bad "second SIGTERM: exit after ${took} s"; fi
grep -q "again: stopping now" "$WORK/err.log" && ok "log says stopping now" || bad "no second-signal message"
SERVE_PID=""; san_check

# 4: the flag overrides the config's grace period
start_server "$CAIRN" "$FUNCS" --shutdown-grace-ms 200
curl -s --max-time 10 -o /dev/null "$URL/longspin" &
C1=$!
wait_running longspin
kill -TERM "$SERVE_PID"
took=$(wait_exit 5)
wait $C1
if lt "$took" 1.2; then ok "--shutdown-grace-ms 200: exit after ${took} s"; else bad "--shutdown-grace-ms 200: exit after ${took} s"; fi
SERVE_PID=""; san_check
finish
