#!/usr/bin/env bash
# cli.sh CAIRN: the native tier from the command line - cairn compile,
# running .cwasm files, cairn run --aot and its cache, traps and limits in
# native code, and bad input: a module that does not validate, a damaged,
# truncated, foreign or altered .cwasm, a missing or failing C compiler, an
# unsafe, damaged, racing or full cache.
set -u
CAIRN=${1:?usage: cli.sh CAIRN}
CAIRN=$(cd "$(dirname "$CAIRN")" && pwd)/$(basename "$CAIRN")
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-aot-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -20; fail=$((fail + 1)); }
# expect NAME WANT_EXIT PATTERN -- COMMAND...: exit status and stderr+stdout pattern
expect() {
  local name=$1 want=$2 pat=$3; shift 4
  "$@" >"$work/out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" "$work/out"; }; then ok "$name"; else
    echo "    exit $rc (want $want), pattern: $pat" >>"$work/out"; bad "$name" "$work/out"; fi
}

cat >"$work/m.wat" <<'EOF'
(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 7))
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $inner (unreachable))
  (func $outer (export "boom") (call $inner))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "spin") (loop $l (br $l)))
  (func (export "oob") (result i32) (i32.load (i32.const 70000)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "glob") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
EOF
cat >"$work/bad.wat" <<'EOF'
(module (func (result i32) (i64.const 1)))
EOF

expect "compile --help tells the trust model" 0 "TRUST: a .cwasm is native code" -- "$CAIRN" compile --help
expect "run --help mentions --aot" 0 "--aot" -- "$CAIRN" run --help
expect "compile" 0 "" -- "$CAIRN" compile "$work/m.wat" -o "$work/m.cwasm"
expect "compile -j2 (make's spelling of -j 2)" 0 "" -- "$CAIRN" compile -j2 "$work/m.wat" -o "$work/mj.cwasm"
expect "compile -j0 refused" 2 "-j needs a number from 1 to 64" -- "$CAIRN" compile -j0 "$work/m.wat" -o "$work/mj.cwasm"
expect "compile -jx refused" 2 "-j needs a number from 1 to 64" -- "$CAIRN" compile -jx "$work/m.wat" -o "$work/mj.cwasm"
expect "run a .cwasm" 0 "^5:i32" -- "$CAIRN" run "$work/m.cwasm" --invoke add 2 3
expect "globals in native code" 0 "^8:i32" -- "$CAIRN" run "$work/m.cwasm" --invoke glob
# a mutable global only the module sees: its value in a C local, its slot's
# address in another (read once at entry), written through at global.set
expect "compile with globals kept" 0 "" -- "$CAIRN" compile --keep-c "$work/mglob" "$work/m.wat" -o "$work/mg.cwasm"
if grep -q 'uint64_t \*const gs0 = ctx->globals\[0\]->v;' "$work/mglob/unit0.c" &&
  grep -q 'gs0\[0\] = (uint64_t)g0;' "$work/mglob/unit0.c" && ! grep -q 'ctx->globals\[0\]->v\[0\]' "$work/mglob/unit0.c"; then
  ok "a global's slot address in an entry local"; else bad "a global's slot address in an entry local" "$work/mglob/unit0.c"; fi
expect "trap with a Wasm backtrace" 134 "unreachable" -- "$CAIRN" run "$work/m.cwasm" --invoke boom
if grep -q "inner" "$work/out" && grep -q "outer" "$work/out"; then ok "backtrace names both frames"; else
  bad "backtrace names both frames" "$work/out"; fi
expect "stack exhaustion is a trap" 134 "call stack exhausted" -- "$CAIRN" run "$work/m.cwasm" --invoke rec 0
expect "out of bounds is a trap" 134 "out of bounds memory access" -- "$CAIRN" run "$work/m.cwasm" --invoke oob
expect "division by zero" 134 "integer divide by zero" -- "$CAIRN" run "$work/m.cwasm" --invoke div 1 0
expect "signed overflow" 134 "integer overflow" -- "$CAIRN" run "$work/m.cwasm" --invoke div -2147483648 -1
expect "fuel in native code" 134 "fuel" -- "$CAIRN" run --fuel 100000 "$work/m.cwasm" --invoke spin
expect "timeout in native code" 134 "interrupted" -- "$CAIRN" run --timeout 200 "$work/m.cwasm" --invoke spin

# Cold calls (cairn_aot.h, CAIRN_RT_ENTER_ and CAIRN_RT_POLL_): on x86-64
# the entry check and the back-edge poll call rt->enter and rt->poll through
# stubs that keep every register, so that values live across them need no
# callee-saved register. With fuel every
# entry and back edge goes through a stub: the values the loop keeps in
# registers (integers, floats, a v128) must come out as the interpreter's,
# and a fault in a function that makes no call keeps its caller's frame.
cat >"$work/live.wat" <<'EOF'
(module
  (memory 1)
  (func $mix (export "mix") (param $n i32) (result i64)
    (local $i i32) (local $a i64) (local $b i64)
    (local $x f64) (local $y f64) (local $f f32) (local $v v128)
    (local.set $a (i64.const 1)) (local.set $x (f64.const 0.5)) (local.set $f (f32.const 0.25))
    (loop $l
      (local.set $a (i64.add (i64.mul (local.get $a) (i64.const 6364136223846793005))
                             (i64.extend_i32_u (local.get $i))))
      (local.set $b (i64.xor (local.get $b) (i64.rotl (local.get $a) (i64.const 13))))
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 1.0001))
                             (f64.convert_i32_u (local.get $i))))
      (local.set $y (f64.add (local.get $y) (f64.sqrt (local.get $x))))
      (local.set $f (f32.add (local.get $f) (f32.const 1.5)))
      (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $i))))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 1023))) (then (local.set $b (i64.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i64.xor (i64.xor (local.get $a) (local.get $b))
      (i64.xor (i64.reinterpret_f64 (local.get $y))
        (i64.add (i64.extend_i32_u (i32.reinterpret_f32 (local.get $f)))
                 (i64x2.extract_lane 1 (local.get $v))))))
  (func $leaf (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "fault") (param i32) (result i32)
    (i32.add (call $leaf (local.get 0)) (i32.const 1))))
EOF
want=$("$CAIRN" run "$work/live.wat" --invoke mix 5000 2>&1)
expect "compile a loop with many live values" 0 "" -- \
  "$CAIRN" compile --keep-c "$work/livec" "$work/live.wat" -o "$work/live.cwasm"
expect "many live values across the loop, no fuel" 0 "^$want\$" -- "$CAIRN" run "$work/live.cwasm" --invoke mix 5000
expect "many live values across a poll on every back edge (fuel)" 0 "^$want\$" -- \
  "$CAIRN" run --fuel 100000000 "$work/live.cwasm" --invoke mix 5000
expect "a fault in a function that makes no call" 134 "out of bounds" -- \
  "$CAIRN" run "$work/live.cwasm" --invoke fault 65534
if grep -q "func\[1\]" "$work/out" && grep -q "func\[2\]" "$work/out"; then
  ok "... names it and its caller"; else bad "a fault in a function that makes no call: both frames" "$work/out"; fi
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
  objdump -d --no-show-raw-insn "$work/livec/code-debug.so" |
    awk '/<cairn_f0>:/ { p = 1; next } p && /^$/ { exit } p' >"$work/mix.s"
  # (with plain calls of the helpers GCC 12 pushes 5 callee-saved registers here)
  if grep -q 'call.*cairn_aot_poll_stub_' "$work/mix.s" && grep -q 'call.*cairn_aot_enter_stub_' "$work/mix.s" &&
    [ "$(grep -cE 'push +%r(bx|1[2-5])' "$work/mix.s")" -le 1 ]; then
    ok "x86-64: the loop's cold calls through the stubs, at most one callee-saved register pushed"; else
    bad "x86-64: cold calls through the stubs" "$work/mix.s"; fi
  # the entry check in two instructions before its branch (rsp - FRAME by one
  # lea, the word compared in memory), the poll in one (a compare of the word
  # in memory with -1; the timeouts above show it is still read every time)
  if grep -A1 -E 'lea +-0x[0-9a-f]+\(%rsp\),%r' "$work/mix.s" | grep -qE 'cmp +\(%r[0-9a-z]+\),%r' &&
    grep -qE 'cmpq +\$0xffffffffffffffff,\(%r[0-9a-z]+\)' "$work/mix.s"; then
    ok "x86-64: entry check by lea and a compare with memory, poll by one compare with memory"; else
    bad "x86-64: entry check and poll compare the word in memory" "$work/mix.s"; fi
fi

# call_indirect reads its target from the table's array of code pointers
# (cairn_aot_table.codes), which must follow every change to the table made
# by native code: table.grow (a larger block), table.set, table.fill,
# table.copy, table.init, a null element (a trap, not a call of nothing).
# The sum is of each call's result in base 4; the interpreter computes it
# too. The element indices come from memory, as a C program's function
# pointers do; on x86-64 the target is then one load with an index scaled
# by 8.
cat >"$work/ci.wat" <<'EOF'
(module
  (type $i (func (result i32)))
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
  (data (i32.const 4016) "\ec\03\00\00")
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $a $b)
  (elem $e func $c $a)
  (func $a (result i32) (i32.const 1))
  (func $b (result i32) (i32.const 2))
  (func $c (result i32) (i32.const 3))
  (func $sum (param $from i32) (param $to i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 4))
                             (call_indirect (type $i) (i32.load (i32.shl (local.get $from) (i32.const 2))))))
      (br_if $l (i32.lt_u (local.tee $from (i32.add (local.get $from) (i32.const 1))) (local.get $to))))
    (local.get $s))
  (func (export "run") (result i32)
    (drop (table.grow $t (ref.func $c) (i32.const 3)))
    (table.set $t (i32.const 3) (ref.func $b))
    (table.fill $t (i32.const 4) (ref.func $a) (i32.const 1))
    (table.copy $t $t (i32.const 0) (i32.const 2) (i32.const 2))
    (table.init $t $e (i32.const 1) (i32.const 0) (i32.const 2))
    (drop (table.grow $t (ref.func $b) (i32.const 1000)))
    (i32.add (i32.mul (call $sum (i32.const 0) (i32.const 5)) (i32.const 4))
             (call $sum (i32.const 1004) (i32.const 1005))))
  (func (export "null") (result i32)
    (table.set $t (i32.const 1) (ref.null func))
    (call $sum (i32.const 0) (i32.const 2))))
EOF
"$CAIRN" compile --keep-c "$work/cic" "$work/ci.wat" -o "$work/ci.cwasm"
want=$("$CAIRN" run "$work/ci.wat" --invoke run 2>&1)
if [ "$want" = "3942:i32" ]; then ok "interpreter: call_indirect after table changes"; else
  echo "$want" >"$work/out"; bad "interpreter: call_indirect after table changes" "$work/out"; fi
expect "native: call_indirect after table.grow/set/fill/copy/init" 0 "^$want\$" -- \
  "$CAIRN" run "$work/ci.cwasm" --invoke run
expect "native: call_indirect of an element set to null" 134 "uninitialized element" -- \
  "$CAIRN" run "$work/ci.cwasm" --invoke null
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
  objdump -d --no-show-raw-insn "$work/cic/code-debug.so" |
    awk '/<cairn_f3>:/ { p = 1; next } p && /^$/ { exit } p' >"$work/sum.s"
  # the register the call goes through was loaded as base + index * 8
  r=$(grep -oE 'call +\*%[a-z0-9]+' "$work/sum.s" | head -1 | sed 's/.*\*//')
  if [ -n "$r" ] && grep -qE "mov +\(%[a-z0-9]+,%[a-z0-9]+,8\),$r\$" "$work/sum.s"; then
    ok "x86-64: call_indirect's target is one load scaled by 8"; else
    bad "x86-64: call_indirect's target is one load scaled by 8" "$work/sum.s"; fi
fi

# Read-modify-write (emit_rmw.c): sieve's `bits[j >> 5] |= 1 << j` is one
# CAIRN_RMW, on x86-64 one `or` on memory (tests/wast/rmw.wast checks its
# results and traps in every tier, tests/wast/shiftmask.wast the index).
cat >"$work/rmw.wat" <<'EOF'
(module
  (memory 1)
  (func (export "mark") (param $bits i32) (param $j i32) (param $n i32) (param $p i32)
    (local $a i32)
    (loop $l
      (i32.store
        (local.tee $a (i32.add (local.get $bits)
                               (i32.and (i32.shr_u (local.get $j) (i32.const 3)) (i32.const 0x1ffffffc))))
        (i32.or (i32.load (local.get $a)) (i32.shl (i32.const 1) (local.get $j))))
      (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $p))) (local.get $n)))))
  (func (export "run") (result i32) (local $s i32) (local $i i32)
    (call 0 (i32.const 64) (i32.const 3) (i32.const 4096) (i32.const 7))
    (loop $l
      (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (i32.load (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 640))))
    (local.get $s)))
EOF
"$CAIRN" compile --keep-c "$work/rmwc" "$work/rmw.wat" -o "$work/rmw.cwasm"
want=$("$CAIRN" run "$work/rmw.wat" --invoke run 2>&1)
expect "native: read-modify-write loop as the interpreter" 0 "^$want\$" -- \
  "$CAIRN" run "$work/rmw.cwasm" --invoke run
if grep -q 'CAIRN_RMW(uint32_t, m0 + l4, .*"orl", |);' "$work/rmwc/unit0.c"; then
  ok "load, or, store of one location is one CAIRN_RMW"; else
  grep -n "CAIRN_LOADK\|CAIRN_STORE" "$work/rmwc/unit0.c" >"$work/out"
  bad "load, or, store of one location is one CAIRN_RMW" "$work/out"; fi
# a tenant that loops: fuel runs out in the read-modify-write loop at the
# interpreter's unit (the least fuel the interpreter needs, by bisection)
lo=1 hi=1000000
while [ $((hi - lo)) -gt 1 ]; do
  mid=$(((lo + hi) / 2))
  if "$CAIRN" run --fuel $mid "$work/rmw.wat" --invoke run >/dev/null 2>&1; then hi=$mid; else lo=$mid; fi
done
expect "read-modify-write loop: fuel $hi runs it natively" 0 "^$want\$" -- \
  "$CAIRN" run --fuel $hi "$work/rmw.cwasm" --invoke run
expect "read-modify-write loop: fuel $lo runs out natively" 134 "fuel" -- \
  "$CAIRN" run --fuel $lo "$work/rmw.cwasm" --invoke run
# emit_shiftmask.c: its word offset (j >> 3) & 0x1ffffffc is (j >> 5) << 2
if grep -qE '= \(l1 >> 5u\) << 2u;' "$work/rmwc/unit0.c"; then
  ok "shift then mask is one shift each way"; else
  grep -n ">>" "$work/rmwc/unit0.c" >"$work/out"; bad "shift then mask is one shift each way" "$work/out"; fi
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
  objdump -d --no-show-raw-insn "$work/rmwc/code-debug.so" |
    awk '/<cairn_f0>:/ { p = 1; next } p && /^$/ { exit } p' >"$work/mark.s"
  if grep -qE 'or +%[a-z0-9]+,\(%' "$work/mark.s"; then
    ok "x86-64: the update is one or on memory"; else
    bad "x86-64: the update is one or on memory" "$work/mark.s"; fi
fi

# Loop versioning (emit_loop.c): a counted loop over memory gets a fast copy
# (matmul's inner loop shape: y[i] += a * x[i]); fuel keeps the original
# loop, so it runs out at the interpreter's count to the unit; a deadline
# stops the copy (it polls between chunks of iterations).
cat >"$work/lv.wat" <<'EOF'
(module
  (memory 1)
  (func (export "daxpy") (param $x i32) (param $y i32) (param $n i32) (param $a f64)
    (local $i i32) (local $p i32)
    (loop $l
      (local.set $p (i32.add (local.get $y) (local.get $i)))
      (f64.store (local.get $p)
        (f64.add (f64.load (local.get $p))
                 (f64.mul (local.get $a) (f64.load (i32.add (local.get $x) (local.get $i))))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8)))
                        (i32.shl (local.get $n) (i32.const 3))))))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
  (func (export "find") (param $p i32) (param $n i32) (param $c i32) (result i32) (local $i i32)
    (block $found
      (loop $l
        (br_if $found (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (local.get $c)))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (return (i32.const -1)))
    (local.get $i))
  (func (export "forever") (local $i i64)
    (loop $l
      (i64.store (i32.const 8) (local.get $i))
      (br_if $l (i64.ne (local.tee $i (i64.add (local.get $i) (i64.const 1)))
                        (i64.const 0x100000000000))))))
EOF
expect "compile loops to version" 0 "" -- "$CAIRN" compile --keep-c "$work/lvc" "$work/lv.wat" -o "$work/lv.cwasm"
if [ "$(cat "$work/lvc"/unit*.c | grep -c 'versioned (emit_loop.c)')" -eq 4 ] &&
   [ "$(cat "$work/lvc"/unit*.c | grep -c 'early exit, look-ahead')" -eq 1 ] &&
   cat "$work/lvc"/unit*.c | grep -q '__builtin_ctzll(lvw0_)' &&
   cat "$work/lvc"/unit*.c | grep -q 'CAIRN_LOADV(double' &&
   cat "$work/lvc"/unit*.c | grep -q 'CAIRN_STOREV(double'; then
  ok "every counted loop has a fast copy"; else bad "fast copies in the generated C"; fi
expect "versioned loop: result" 0 "^4950:i32" -- "$CAIRN" run "$work/lv.cwasm" --invoke run 100
for f in 99 100; do
  "$CAIRN" run --fuel $f "$work/lv.wat" --invoke run 100 >"$work/fi" 2>&1; ri=$?
  "$CAIRN" run --fuel $f "$work/lv.cwasm" --invoke run 100 >"$work/fa" 2>&1; ra=$?
  if [ "$ri" -eq "$ra" ] && [ "$(head -1 "$work/fi")" = "$(head -1 "$work/fa")" ]; then
    ok "fuel $f: the interpreter's outcome ($ri)"; else
    cat "$work/fi" "$work/fa" >"$work/out"; bad "fuel $f: interp $ri, native $ra" "$work/out"; fi
done
expect "fuel 99 runs out" 134 "fuel" -- "$CAIRN" run --fuel 99 "$work/lv.cwasm" --invoke run 100
expect "a deadline stops a versioned loop" 134 "interrupted" -- "$CAIRN" run --timeout 200 "$work/lv.cwasm" --invoke forever
# the copy is taken at run time: a compiler wrapper makes its exit a trap
printf '#!/bin/sh\nfor a in "$@"; do case "$a" in *.c) sed -i "s/^  goto V\\([0-9]*\\);/  cairn_trap(ctx, CAIRN_AOT_TRAP_UNREACHABLE); goto V\\1;/" "$a";; esac; done\nexec gcc "$@"\n' >"$work/trapcc"
chmod +x "$work/trapcc"
expect "compile with the copy's exit trapping" 0 "" -- "$CAIRN" compile --cc "$work/trapcc" "$work/lv.wat" -o "$work/lvt.cwasm"
expect "a long trip runs the fast copy" 134 "unreachable" -- "$CAIRN" run "$work/lvt.cwasm" --invoke daxpy 0 800 20 2
expect "a short trip runs the original loop" 0 "" -- "$CAIRN" run "$work/lvt.cwasm" --invoke daxpy 0 800 15 2
expect "an access out of bounds at the end runs the original loop" 134 "out of bounds" -- \
  "$CAIRN" run "$work/lvt.cwasm" --invoke daxpy 0 65400 20 2
expect "fuel runs the original loop" 0 "^4950:i32" -- "$CAIRN" run --fuel 1000 "$work/lvt.cwasm" --invoke run 100
expect "without fuel, the fast copy" 134 "unreachable" -- "$CAIRN" run "$work/lvt.cwasm" --invoke run 100
# accesses whose addresses differ by constants share one entry check (a
# word at p+i-4, a byte at p+i+3, a word stored at p+i+4): exactly one
# check, the copy taken up to the last byte of memory, not one byte past
cat >"$work/st.wat" <<'EOF'
(module
  (memory 1)
  (func (export "stencil") (param $p i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 4)))
                 (i32.load8_u offset=3 (i32.add (local.get $p) (local.get $i))))))
      (i32.store offset=4 (i32.add (local.get $p) (local.get $i)) (local.get $s))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
    (local.get $s)))
EOF
expect "compile a loop with three accesses of one group" 0 "" -- \
  "$CAIRN" compile --keep-c "$work/stc" "$work/st.wat" -o "$work/st.cwasm"
if [ "$(cat "$work/stc"/unit*.c | grep -c 'cairn_lv_in_(lva')" -eq 1 ] &&
   cat "$work/stc"/unit*.c | grep -q 'lvp2_ = (uint64_t)lva0_ + 8u'; then
  ok "one entry check for the group"; else bad "one entry check for the group"; fi
expect "compile the group with the copy's exit trapping" 0 "" -- \
  "$CAIRN" compile --cc "$work/trapcc" "$work/st.wat" -o "$work/stt.cwasm"
expect "group in bounds: the fast copy" 134 "unreachable" -- "$CAIRN" run "$work/stt.cwasm" --invoke stencil 4100 64
expect "group up to the last byte: the fast copy" 134 "unreachable" -- \
  "$CAIRN" run "$work/stt.cwasm" --invoke stencil 65468 64
expect "group's highest byte past the end: the original loop" 134 "out of bounds" -- \
  "$CAIRN" run "$work/stt.cwasm" --invoke stencil 65469 64
expect "group's lowest address below 0: the original loop" 134 "out of bounds" -- \
  "$CAIRN" run "$work/stt.cwasm" --invoke stencil 0 64
# call_indirect reads its table object and the type's id where it runs when
# no loop of the function holds one of its call_indirects of that table or
# type (emit_globals.c), from entry locals read once otherwise; the results
# and traps are the interpreter's either way
cat >"$work/ci.wat" <<'EOF2'
(module
  (type $ii (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $inc $dbl)
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
  (func (export "two") (param $i i32) (param $x i32) (result i32)
    (if (i32.eqz (local.get $x)) (then (return (i32.const -1))))
    (call_indirect (type $ii) (call_indirect (type $ii) (local.get $x) (local.get $i)) (local.get $i)))
  (func (export "loop") (param $i i32) (param $n i32) (result i32) (local $x i32)
    (loop $l
      (local.set $x (call_indirect (type $ii) (local.get $x) (local.get $i)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $x)))
EOF2
expect "compile call_indirects in and out of loops" 0 "" -- \
  "$CAIRN" compile --keep-c "$work/cic" "$work/ci.wat" -o "$work/ci.cwasm"
awk '/^CAIRN_FUNC .* cairn_f2\(/ { p = 1 } p { print } p && /^}/ { exit }' "$work/cic"/unit*.c >"$work/ci2.c"
awk '/^CAIRN_FUNC .* cairn_f3\(/ { p = 1 } p { print } p && /^}/ { exit }' "$work/cic"/unit*.c >"$work/ci3.c"
if [ "$(grep -c 'cairn_indirect(ctx, ctx->tables\[0\], [a-z0-9]*, ctx->type_ids\[0\])' "$work/ci2.c")" -eq 2 ] &&
  ! grep -qE '(ty|t)0 = ' "$work/ci2.c" && grep -q 'const uint32_t ty0 = ctx->type_ids\[0\];' "$work/ci3.c" &&
  grep -q 'cairn_aot_table \*const t0 = ctx->tables\[0\];' "$work/ci3.c" &&
  grep -q 'cairn_indirect(ctx, t0, [a-z0-9]*, ty0)' "$work/ci3.c"; then
  ok "call_indirect: table and type id read at the sites outside loops, at entry for a loop"; else
  bad "call_indirect: table and type id read at the sites outside loops, at entry for a loop" "$work/ci2.c"; fi
for a in "0 5" "1 5" "0 0" "1 7" "3 5" "4 5" "2 5"; do
  want=$("$CAIRN" run "$work/ci.wat" --invoke two $a 2>&1 | grep -v '^ *at\|backtrace')
  got=$("$CAIRN" run "$work/ci.cwasm" --invoke two $a 2>&1 | grep -v '^ *at\|backtrace')
  if [ "$got" = "$want" ]; then ok "call_indirect read at its site: two $a as the interpreter"; else
    echo "$got / $want" >"$work/out"; bad "call_indirect read at its site: two $a" "$work/out"; fi
done
for a in "1 10" "0 3" "2 1"; do
  want=$("$CAIRN" run "$work/ci.wat" --invoke loop $a 2>&1 | grep -v '^ *at\|backtrace')
  got=$("$CAIRN" run "$work/ci.cwasm" --invoke loop $a 2>&1 | grep -v '^ *at\|backtrace')
  if [ "$got" = "$want" ]; then ok "call_indirect in a loop: loop $a as the interpreter"; else
    echo "$got / $want" >"$work/out"; bad "call_indirect in a loop: loop $a" "$work/out"; fi
done
# a call of a function without native code (here a WASI import, through the
# table) goes through rt->call with the values in slots, out of line in
# cairn_slow<type>: the caller's frame holds no slot array
cat >"$work/cs.wat" <<'EOF2'
(module
  (type $ii_i (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (type $ii_i)))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $asg $add)
  (func $add (type $ii_i) (i32.add (local.get 0) (local.get 1)))
  (func (export "ind") (param i32 i32 i32) (result i32)
    (call_indirect (type $ii_i) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "argc") (param i32) (result i32)
    (i32.add (i32.mul (call_indirect (type $ii_i) (i32.const 16) (i32.const 32) (local.get 0)) (i32.const 100))
             (i32.load (i32.const 16)))))
EOF2
expect "compile calls through rt->call" 0 "" -- "$CAIRN" compile --keep-c "$work/csc" "$work/cs.wat" -o "$work/cs.cwasm"
for a in 0 1 2; do
  want=$("$CAIRN" run "$work/cs.wat" --invoke argc $a 2>&1 | grep -v '^ *at\|backtrace')
  got=$("$CAIRN" run "$work/cs.cwasm" --invoke argc $a 2>&1 | grep -v '^ *at\|backtrace')
  if [ "$got" = "$want" ]; then ok "call through rt->call out of line: argc $a as the interpreter"; else
    echo "$got / $want" >"$work/out"; bad "call through rt->call out of line: argc $a" "$work/out"; fi
done
if grep -q 'cairn_slow0(ctx, f_, l0, l1)' "$work/csc/unit0.c"; then ok "rt->call's slots out of line (cairn_slow0)"; else
  bad "rt->call's slots out of line (cairn_slow0)" "$work/csc/unit0.c"; fi
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
  objdump -d --no-show-raw-insn "$work/csc/code-debug.so" |
    awk '/<cairn_f2>:/ { p = 1; next } p && /^$/ { exit } p' >"$work/ind.s"
  if grep -q 'call' "$work/ind.s" && ! grep -qE 'sub +\$0x[0-9a-f]+,%rsp' "$work/ind.s"; then
    ok "x86-64: a call_indirect allocates no stack for rt->call's slots"; else
    bad "x86-64: a call_indirect allocates no stack for rt->call's slots" "$work/ind.s"; fi
fi
# a search loop (an early exit, a look-ahead of 16 iterations): a full trip
# is the copy's, an exit found leaves it where the original would
expect "a search that finds nothing runs the fast copy" 134 "unreachable" -- \
  "$CAIRN" run "$work/lvt.cwasm" --invoke find 0 100 1
expect "a search leaves the copy by its exit" 0 "^0:i32" -- "$CAIRN" run "$work/lvt.cwasm" --invoke find 0 100 0
expect "a search with fuel runs the original loop" 0 "^-1:i32" -- \
  "$CAIRN" run --fuel 1000 "$work/lvt.cwasm" --invoke find 0 100 1

# Loop placement (compile.c, code_align_flags): on x86-64 GCC at -O2 pads
# loop heads so that a loop's first 48 bytes lie in one 64-byte block; not
# at -O0, not with Clang (no n:m form)
printf '#!/bin/sh\necho "$*" >>"%s"\nexec "${REALCC:-gcc}" "$@"\n' "$work/ccargs" >"$work/logcc"
chmod +x "$work/logcc"
if [ "$(uname -m)" = x86_64 ]; then
  : >"$work/ccargs"
  expect "compile through a logging compiler" 0 "" -- "$CAIRN" compile --cc "$work/logcc" "$work/lv.wat" -o "$work/lvl.cwasm"
  if grep -q -- '-falign-loops=64:48' "$work/ccargs"; then
    ok "x86-64 -O2: loop heads aligned"; else bad "x86-64 -O2: alignment flag" "$work/ccargs"; fi
  : >"$work/ccargs"
  expect "compile -O0 through a logging compiler" 0 "" -- \
    "$CAIRN" compile -O0 --cc "$work/logcc" "$work/lv.wat" -o "$work/lvl0.cwasm"
  if grep -q -- '-c ' "$work/ccargs" && ! grep -q -- '-falign-' "$work/ccargs"; then
    ok "-O0: no alignment flags"; else bad "-O0: no alignment flags" "$work/ccargs"; fi
  if command -v clang >/dev/null; then
    : >"$work/ccargs"
    REALCC=clang "$CAIRN" compile --cc "$work/logcc" "$work/lv.wat" -o "$work/lvlc.cwasm" >"$work/out" 2>&1
    if grep -q -- '-c ' "$work/ccargs" && ! grep -q -- '-falign-' "$work/ccargs"; then
      ok "clang: no alignment flags"; else bad "clang: no alignment flags" "$work/ccargs"; fi
  fi
fi

# Backtraces in native code are rebuilt from the frame records at the trap
# (x86-64, AArch64) or come from a shadow stack: either way they must be the
# interpreter's, line for line, for a trap of every kind 50 calls deep
# through a cycle of three functions ($trap picks the kind; $leaf and
# $store_leaf make no call), at -O2 and -O0 (and with Clang).
cat >"$work/bt.wat" <<'EOF'
(module
  (memory 1)
  (table 3 funcref)
  (elem (i32.const 0) $nop $nop)
  (type $v (func))
  (type $ii (func (param i32) (result i32)))
  (func $nop)
  (func $leaf (param i32) (result i32) (i32.load (local.get 0)))
  (func $store_leaf (param i32) (i64.store (local.get 0) (i64.const 1)))
  (func $trap (param $k i32)
    (block $spin (block $conv (block $ovf (block $store (block $fill (block $tab
      (block $mismatch (block $null (block $div (block $oob (block $unr
        (br_table $unr $oob $div $null $mismatch $tab $fill $store $ovf $conv $spin (local.get $k)))
        unreachable)
      (drop (call $leaf (i32.const -4))) return)
      (drop (i32.div_u (i32.const 1) (i32.sub (local.get $k) (i32.const 2)))) return)
      (call_indirect (type $v) (i32.const 2)) return)
      (drop (call_indirect (type $ii) (i32.const 7) (i32.const 0))) return)
      (call_indirect (type $v) (i32.const 9)) return)
      (memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000)) return)
      (call $store_leaf (i32.const 65532)) return)
      (drop (i32.div_s (i32.const 0x80000000) (i32.sub (i32.const 7) (local.get $k)))) return)
      (drop (i32.trunc_f32_s (f32.div (f32.const 0) (f32.sub (f32.convert_i32_s (local.get $k)) (f32.const 9))))) return)
    (loop $l (br $l)))
  (func $a (param $n i32) (param $k i32)
    (if (i32.eqz (local.get $n)) (then (call $trap (local.get $k)) (return)))
    (call $b (i32.sub (local.get $n) (i32.const 1)) (local.get $k)))
  (func $b (param $n i32) (param $k i32) (call $c (local.get $n) (local.get $k)))
  (func $c (param $n i32) (param $k i32) (call $a (local.get $n) (local.get $k)))
  (func $self (param i32) (result i32) (i32.add (call $self (local.get 0)) (i32.const 1)))
  (func (export "t") (param i32 i32) (call $a (local.get 0) (local.get 1)))
  (func (export "self") (result i32) (call $self (i32.const 0))))
EOF
"$CAIRN" compile "$work/bt.wat" -o "$work/bt2.cwasm" && "$CAIRN" compile -O0 "$work/bt.wat" -o "$work/bt0.cwasm" ||
  bad "compile bt.wat"
bt_cw="bt2.cwasm bt0.cwasm"
bt_clang=""
# with Clang too, when it is installed and makes code for this machine (its
# flags for frame records differ; under qemu the host's clang does not)
if command -v clang >/dev/null; then
  if ! "$CAIRN" compile --cc clang "$work/bt.wat" -o "$work/btc.cwasm"; then
    bad "compile bt.wat with clang"
  elif "$CAIRN" run "$work/btc.cwasm" --invoke t 0 0 >/dev/null 2>&1; [ $? -eq 134 ]; then
    bt_cw="$bt_cw btc.cwasm"
    bt_clang=1
  else
    echo "SKIP clang's code does not load here (another machine's)"
  fi
fi
# same_trace NAME ARGS...: `cairn run` with @M for the module prints the same
# trap and backtrace for the interpreter (bt.wat) and each .cwasm file, but
# for the instruction offsets only the interpreter knows (cairn.h)
# (the interpreter collapses repeated frames at one instruction, native code
# repeated frames of one function: both are expanded before comparing)
st_src=bt.wat
expand_repeats() {
  sed -E 's/ \+0x[0-9a-f]+ \(module offset 0x[0-9a-f]+\)$//' "$1" | awk '
    /^  \.\.\. func\[[0-9]+\] repeated [0-9]+ more times$/ { for (i = 0; i < $4 + 0; i++) print last; next }
    { print; if ($1 == "at") last = $0 }'
}
same_trace() {
  local name=$1 good=1 m rc rcw x; shift
  for m in $st_src $bt_cw; do
    local a=()
    for x in "$@"; do if [ "$x" = @M ]; then a+=("$work/$m"); else a+=("$x"); fi; done
    "$CAIRN" run "${a[@]}" >"$work/got" 2>&1
    rc=$?
    if [ "$m" = "$st_src" ]; then
      rcw=$rc
      expand_repeats "$work/got" >"$work/want"
      continue
    fi
    expand_repeats "$work/got" >"$work/got.x"
    if [ "$rc" -ne "$rcw" ] || ! cmp -s "$work/want" "$work/got.x"; then
      { echo "$m: exit $rc, interpreter $rcw"; diff "$work/want" "$work/got.x"; } >"$work/out"; good=0
    fi
  done
  if [ "$good" -eq 1 ] && [ "$rcw" -eq 134 ] && grep -q "at func" "$work/want"; then ok "$name"; else
    [ "$good" -eq 1 ] && cp "$work/want" "$work/out"; bad "$name" "$work/out"; fi
}
n=0
for kind in unreachable "out of bounds load in a leaf" "divide by zero" "null call_indirect" \
  "call_indirect type mismatch" "call_indirect out of table" "memory.fill out of bounds (a helper)" \
  "out of bounds store in a leaf" "integer overflow" "invalid conversion"; do
  same_trace "backtrace 50 deep: $kind" @M --invoke t 50 $n
  n=$((n + 1))
done
same_trace "backtrace 50 deep: fuel" --fuel 1000000 @M --invoke t 50 10
same_trace "backtrace 50 deep: timeout" --timeout 1000 @M --invoke t 50 10
same_trace "backtrace 1 deep: unreachable" @M --invoke t 0 0
same_trace "backtrace: stack exhausted" @M --invoke self

# Inlined Wasm functions (x86-64, AArch64): the C compiler inlines small
# functions into each other and the backtrace gets their frames back from
# the inline table (from DWARF). For each trap kind a leaf $L_K that traps,
# $K1 calling it, $K2 calling $K1, and exports e_K_D calling the chain D
# deep, so the leaf runs inlined 1, 2 and 3 levels deep; and recursion that
# inlines itself (fib, and endless recursion). inlines.py checks from the
# .cwasm's table that the inlining really happened (leaf in $K1 in $K2, fib
# in fib, inlined code in a .cold part), then the traces must be the
# interpreter's.
kinds="unr div oob mis fill spin"
{
  echo '(module (memory 1) (table 1 funcref) (elem (i32.const 0) $L_div) (type $v (func))'
  echo '  (func $L_unr (param i32) (result i32) (if (i32.eqz (local.get 0)) (then unreachable)) (local.get 0))'
  echo '  (func $L_div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))'
  echo '  (func $L_oob (param i32) (result i32) (i32.load (i32.sub (local.get 0) (i32.const 4))))'
  echo '  (func $L_mis (param i32) (result i32) (call_indirect (type $v) (local.get 0)) (i32.const 0))'
  echo '  (func $L_fill (param i32) (result i32) (memory.fill (i32.const 65000) (local.get 0) (i32.const 1000)) (i32.const 0))'
  echo '  (func $L_spin (param i32) (result i32) (loop $l (br_if $l (i32.eqz (local.get 0)))) (local.get 0))'
  for k in $kinds; do
    echo "  (func \$${k}1 (param i32) (result i32) (i32.add (call \$L_$k (local.get 0)) (i32.const 1)))"
    echo "  (func \$${k}2 (param i32) (result i32) (i32.mul (call \$${k}1 (local.get 0)) (i32.const 3)))"
    echo "  (func (export \"${k}_1\") (param i32) (result i32) (i32.add (call \$L_$k (local.get 0)) (i32.const 5)))"
    echo "  (func (export \"${k}_2\") (param i32) (result i32) (i32.add (call \$${k}1 (local.get 0)) (i32.const 5)))"
    echo "  (func (export \"${k}_3\") (param i32) (result i32) (i32.add (call \$${k}2 (local.get 0)) (i32.const 5)))"
  done
  echo '  (func $fib (export "fib") (param i32) (result i32)'
  echo '    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (i32.div_u (i32.const 1) (local.get 0)))'
  echo '      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))'
  echo '  (func $rec (export "rec") (param i32) (result i32) (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (local.get 0)))'
  echo '  (func $fibc (export "fibc") (param i32) (result i32)'
  echo '    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))'
  echo '      (else (i32.add (call $fibc (i32.sub (local.get 0) (i32.const 1))) (call $fibc (i32.sub (local.get 0) (i32.const 2)))))))'
  echo '  (func $ev (export "even") (param i32) (result i32)'
  echo '    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (call $od (i32.sub (local.get 0) (i32.const 1))))))'
  echo '  (func $od (param i32) (result i32)'
  echo '    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (call $ev (i32.sub (local.get 0) (i32.const 1))))))'
  for c in 1 2 3; do
    echo "  (func \$c$c (param i32) (result i32)"
    echo "    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const $c)) (else (call \$c$((c % 3 + 1)) (i32.sub (local.get 0) (i32.const 1))))))"
  done
  echo '  (func (export "cycle3") (param i32) (result i32) (call $c1 (local.get 0)))'
  printf '  (func $big (export "big") (param i32) (result i32) (if (i32.eqz (local.get 0)) (then (return (i32.const 0))))\n'
  printf '    (call $big (i32.sub (local.get 0) (i32.const 1)))'
  for i in $(seq 100); do printf ' (i32.add (i32.const %d))' "$i"; done
  printf ')\n)\n'
} >"$work/inl.wat"
# function indices: the six leaves 0-5, then per kind K1, K2 and three
# exports. GCC inlines all of it (and fib into itself, and moves traps to
# .cold parts); Clang 14 inlines the leaves but $L_mis into $K1 only, and
# has no .cold.
nk=6; want_gcc=""; want_clang=""; i=0
for k in $kinds; do
  want_gcc="$want_gcc $i,$((nk + 5 * i)),$((nk + 5 * i + 1))"
  [ $k = mis ] || want_clang="$want_clang $i,$((nk + 5 * i))"
  i=$((i + 1))
done
fib=$((nk + 5 * nk))
want_gcc="$want_gcc $fib,$fib"
st_src=inl.wat
bt_cw=""
for v in "gcc inl2.cwasm" "clang inlc.cwasm"; do
  set -- $v
  [ "$1" = clang ] && ! printf '%s' "$bt_clang" | grep -q . && continue
  if ! "$CAIRN" compile --cc "$1" "$work/inl.wat" -o "$work/$2" >"$work/out" 2>&1; then
    bad "compile inl.wat with $1" "$work/out"; continue
  fi
  case "$(uname -m)" in x86_64 | aarch64) ;; *) bt_cw="$bt_cw $2"; continue ;; esac
  python3 "$(dirname "$0")/inlines.py" "$work/$2" >"$work/chains" 2>&1
  missing=""
  if [ "$1" = gcc ]; then want=$want_gcc; else want=$want_clang; fi
  for c in $want; do grep -qx "$c" "$work/chains" || missing="$missing $c"; done
  if [ "$1" = gcc ] && ! grep -qE '^cold [1-9]' "$work/chains"; then missing="$missing cold"; fi
  if [ -z "$missing" ]; then
    ok "$1 inlined the test's functions (gcc: 1-3 levels deep, fib into itself, .cold parts)"; else
    echo "missing chains:$missing" >>"$work/chains"; bad "$1 inlined the test's functions" "$work/chains"; fi
  bt_cw="$bt_cw $2"
done
# DWARF 4 (.debug_ranges, no index forms) gives the same table as GCC 12's DWARF 5
case "$(uname -m)" in x86_64 | aarch64)
  printf '#!/bin/sh\nexec gcc "$@" -gdwarf-4\n' >"$work/gcc-dwarf4"
  chmod +x "$work/gcc-dwarf4"
  if "$CAIRN" compile --cc "$work/gcc-dwarf4" "$work/inl.wat" -o "$work/inl4.cwasm" >"$work/out" 2>&1 &&
     python3 "$(dirname "$0")/inlines.py" "$work/inl4.cwasm" >"$work/chains4" &&
     python3 "$(dirname "$0")/inlines.py" "$work/inl2.cwasm" >"$work/chains5" &&
     cmp -s "$work/chains4" "$work/chains5"; then ok "DWARF 4: the same inline chains as DWARF 5"; else
    bad "DWARF 4: the same inline chains" "$work/out"; fi ;;
esac
for k in unr div oob mis fill; do
  for d in 1 2 3; do same_trace "inlined $d deep: $k" @M --invoke ${k}_$d 0; done
done
for d in 1 2 3; do
  same_trace "inlined $d deep: timeout in a loop" --timeout 300 @M --invoke spin_$d 0
  same_trace "inlined $d deep: fuel in a loop" --fuel 100000 @M --invoke spin_$d 0
done
same_trace "inlined into itself: fib" @M --invoke fib 12
same_trace "inlined into itself: stack exhausted" @M --invoke rec 0

# Functions on a cycle of direct calls (fib, rec, fibc; even and odd through
# each other) take the entry check sampled once per C frame (CAIRN_ENTER_R,
# cairn_aot.h); the others the plain one (or none: bounded leaves, below).
# On x86-64 and AArch64 with GCC,
# fibc inlined into itself calls the sampling helper once in its frame,
# and polls stay exact: fuel runs out at the interpreter's call, a deadline
# stops a recursion that has no loop, deep recursion still exhausts the
# stack as a trap.
if "$CAIRN" compile --keep-c "$work/inlk" "$work/inl.wat" -o "$work/inlk.cwasm" >"$work/out" 2>&1; then
  rec_fns=""
  for f in $(grep -o 'CAIRN_ENTER_R(ctx, [0-9]*' "$work/inlk/unit0.c" | grep -o '[0-9]*$'); do rec_fns="$rec_fns $f"; done
  nplain=$(grep -c 'CAIRN_ENTER(ctx, \|CAIRN_ENTER_B(ctx, ' "$work/inlk/unit0.c")
  # fib, rec, fibc, even, odd, the three of a cycle; not the export that
  # enters the cycle, nor $big (recursive, but over 256 bytes)
  want_rec=""; for i in 0 1 2 3 4 5 6 7; do want_rec="$want_rec $((fib + i))"; done
  if [ "$rec_fns" = "$want_rec" ] && [ "$nplain" -eq $((fib + 2)) ]; then
    ok "recursive functions take the sampled entry check ($rec_fns)"; else
    echo "CAIRN_ENTER_R in:$rec_fns; CAIRN_ENTER: $nplain" >"$work/out"; bad "recursive functions take the sampled entry check" "$work/out"; fi
  case "$(uname -m)" in x86_64 | aarch64)
    if command -v objdump >/dev/null 2>&1 && python3 "$(dirname "$0")/inlines.py" "$work/inlk.cwasm" | grep -qx "$((fib + 2)),$((fib + 2))"; then
      objdump -d "$work/inlk/code-debug.so" | awk -v f="<cairn_f$((fib + 2))>:" '$2 == f {on = 1; next} /^$/ {on = 0} on' >"$work/fibc.s"
      nchk=$(grep -c 'cairn_frame_check_' "$work/fibc.s")
      if [ "$nchk" -eq 1 ]; then ok "fibc inlined into itself samples its entry check once"; else
        bad "fibc inlined into itself samples its entry check once ($nchk calls)" "$work/fibc.s"; fi
    fi ;;
  esac
else
  bad "compile inl.wat with --keep-c" "$work/out"
fi
same_trace "inlined into itself: fuel runs out" --fuel 2000 @M --invoke fibc 20
same_trace "mutual recursion: fuel runs out" --fuel 500 @M --invoke even 1000
same_trace "mutual recursion: stack exhausted" @M --invoke even 100000000
same_trace "a cycle of three: fuel runs out" --fuel 300 @M --invoke cycle3 1000
same_trace "a large recursive function: stack exhausted" @M --invoke big 100000000
fuel_bad=""
for f in 170 171 172 173 174 175 176 177 178 179 180; do
  "$CAIRN" run --fuel $f "$work/inl.wat" --invoke fibc 10 >"$work/fi" 2>&1; ri=$?
  for m in $bt_cw; do
    "$CAIRN" run --fuel $f "$work/$m" --invoke fibc 10 >"$work/fa" 2>&1; ra=$?
    [ "$ri" -eq "$ra" ] || fuel_bad="$fuel_bad $m:$f($ri/$ra)"
  done
done
if [ -z "$fuel_bad" ]; then ok "fuel 170-180 for fibc 10 (177 calls): the interpreter's outcome"; else
  echo "differs:$fuel_bad" >"$work/out"; bad "fuel for fibc 10: the interpreter's outcome" "$work/out"; fi
expect "a deadline stops a recursion without loops" 134 "interrupted" -- \
  "$CAIRN" run --timeout 200 "$work/inl2.cwasm" --invoke fibc 45

# Bounded functions (module_func_bounded: no loop, no call, at most 1024
# bytes of code and 64 params and locals) make no limits check at entry, in
# either tier: fuel charges nothing for them, so it must run out at the
# same call in both; an interrupt is seen at the caller's next check; a
# trap in one keeps its frame in the backtrace; recursion that calls one at
# every level still ends in a stack-exhaustion trap.
{
  echo '(module (memory 1)'
  echo '  (func $leaf (param i32) (result i32) (i32.add (i32.load (local.get 0)) (i32.const 1)))'
  echo '  (func $withloop (param i32) (result i32) (loop) (i32.add (local.get 0) (i32.const 1)))'
  echo '  (func $withcall (param i32) (result i32) (call $leaf (local.get 0)))'
  printf '  (func $big (param i32) (result i32) (local.get 0)'
  for i in $(seq 300); do printf ' (i32.add (i32.const %d))' "$i"; done
  printf ')\n'
  printf '  (func $many (param i32) (result i32) (local'
  for i in $(seq 64); do printf ' i32'; done
  printf ') (local.get 0))\n'
  echo '  (func (export "run") (param $n i32) (result i32) (local $s i32)'
  echo '    (loop $l'
  echo '      (local.set $s (i32.add (local.get $s) (call $leaf (i32.const 0))))'
  echo '      (local.set $s (i32.add (local.get $s) (call $withloop (local.get $s))))'
  echo '      (local.set $s (i32.add (local.get $s) (call $withcall (i32.const 0))))'
  echo '      (local.set $s (i32.add (local.get $s) (call $big (local.get $s))))'
  echo '      (local.set $s (i32.add (local.get $s) (call $many (local.get $s))))'
  echo '      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))'
  echo '    (local.get $s))'
  echo '  (func (export "spin") (loop $l (drop (call $leaf (i32.const 0))) (br $l)))'
  echo '  (type $t (func (param i32) (result i32)))'
  echo '  (table 1 funcref) (elem (i32.const 0) $leaf)'
  echo '  (func $mid (param i32) (result i32) (call_indirect (type $t) (local.get 0) (i32.const 0)))'
  echo '  (func (export "oob") (result i32) (call $leaf (i32.const 65535)))'
  echo '  (func (export "oobi") (result i32) (call $mid (i32.const 65535)))'
  echo '  (func $deep (export "deep") (param i32) (result i32)'
  echo '    (i32.add (call $leaf (i32.const 0)) (call $deep (local.get 0)))))'
} >"$work/bd.wat"
if "$CAIRN" compile --keep-c "$work/bdc" "$work/bd.wat" -o "$work/bd.cwasm" >"$work/out" 2>&1; then
  got=$(grep -o 'CAIRN_ENTER_B(ctx, [0-9]*' "$work/bdc/unit0.c" | grep -o '[0-9]*$' | tr '\n' ' ')
  if [ "$got" = "0 " ]; then ok "only the small leaf without loops is bounded (no loop, call, 1 KiB, 64 locals)"; else
    echo "CAIRN_ENTER_B in: $got" >"$work/out"; bad "which functions are bounded" "$work/out"; fi
else
  bad "compile bd.wat" "$work/out"
fi
fuel_bad=""
# 1 unit for the entry, 4 charged calls per trip (not $leaf, twice per
# trip), 19 back edges: 20 trips take exactly 100 units in both tiers
for f in 96 97 98 99 100 101 102; do
  "$CAIRN" run --fuel $f "$work/bd.wat" --invoke run 20 >"$work/fi" 2>&1; ri=$?
  "$CAIRN" run --fuel $f "$work/bd.cwasm" --invoke run 20 >"$work/fa" 2>&1; ra=$?
  if [ $f -ge 100 ]; then want=0; else want=134; fi
  [ "$ri" -eq $want ] && [ "$ra" -eq $want ] && [ "$(head -1 "$work/fi")" = "$(head -1 "$work/fa")" ] ||
    fuel_bad="$fuel_bad $f($ri/$ra)"
done
if [ -z "$fuel_bad" ]; then
  ok "fuel with bounded calls: 100 units run it in both tiers, 99 do not"; else
  echo "fuel(interpreter/native):$fuel_bad" >"$work/out"; bad "fuel with bounded calls" "$work/out"; fi
st_src=bd.wat bt_cw=bd.cwasm
same_trace "a trap in a bounded function: the interpreter's backtrace" @M --invoke oob
# (not inlined: called through the table, it needs its own frame record)
same_trace "a trap in a bounded function called indirectly: the interpreter's backtrace" @M --invoke oobi
same_trace "recursion calling a bounded function: stack exhausted" @M --invoke deep 0
expect "a deadline stops a loop of bounded calls" 134 "interrupted" -- \
  "$CAIRN" run --timeout 200 "$work/bd.cwasm" --invoke spin

# a module that does not validate: the same message as cairn validate
"$CAIRN" validate "$work/bad.wat" >"$work/v.out" 2>&1
"$CAIRN" compile "$work/bad.wat" -o "$work/bad.cwasm" >"$work/c.out" 2>&1
rc=$?
vmsg=$(grep -o "error: .*" "$work/v.out" | head -1)
cmsg=$(grep -o "error: .*" "$work/c.out" | head -1)
if [ "$rc" -eq 1 ] && [ -n "$vmsg" ] && [ "$vmsg" = "$cmsg" ] && [ ! -e "$work/bad.cwasm" ]; then
  ok "invalid module: the validator's error ($vmsg)"; else bad "invalid module" "$work/c.out"; fi

# damaged, truncated, altered, foreign .cwasm files are refused (exit 2)
size=$(stat -c %s "$work/m.cwasm")
head -c 100 "$work/m.cwasm" >"$work/trunc1.cwasm"
head -c $((size - 1)) "$work/m.cwasm" >"$work/trunc2.cwasm"
expect "truncated header refused" 2 "refused: truncated header" -- "$CAIRN" run "$work/trunc1.cwasm" --invoke add 1 2
expect "truncated code refused" 2 "refused: truncated" -- "$CAIRN" run "$work/trunc2.cwasm" --invoke add 1 2
flip() { # FILE OFFSET OUT: copy with one byte changed
  cp "$1" "$3"
  printf '%s' "$(printf '\\%03o' $(( ($(od -An -tu1 -j "$2" -N1 "$1") + 1) % 256 )))" |
    dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}
flip "$work/m.cwasm" 30 "$work/hdr.cwasm"
flip "$work/m.cwasm" $((size - 100)) "$work/code.cwasm"
flip "$work/m.cwasm" 310 "$work/mod.cwasm"
expect "altered header refused" 2 "header checksum mismatch" -- "$CAIRN" run "$work/hdr.cwasm" --invoke add 1 2
expect "altered code refused" 2 "code checksum mismatch" -- "$CAIRN" run "$work/code.cwasm" --invoke add 1 2
expect "altered module refused" 2 "module checksum mismatch" -- "$CAIRN" run "$work/mod.cwasm" --invoke add 1 2
# a consistent header that names another target or ABI (checksum recomputed)
rehash() { # IN OUT FIELD VALUE
  python3 - "$@" <<'EOF'
import hashlib, struct, sys
src, dst, field, value = sys.argv[1:5]
b = bytearray(open(src, 'rb').read())
if field == 'target':
    b[24:56] = value.encode().ljust(32, b'\0')
elif field == 'format':
    b[8:12] = struct.pack('<I', int(value))
else:
    b[12:16] = struct.pack('<I', int(value))
b[272:304] = hashlib.sha256(bytes(b[:272])).digest()
open(dst, 'wb').write(bytes(b))
EOF
}
rehash "$work/m.cwasm" "$work/foreign.cwasm" target riscv64-linux-gnu
rehash "$work/m.cwasm" "$work/abi.cwasm" abi 999
expect "foreign target refused" 2 "compiled for riscv64-linux-gnu" -- "$CAIRN" run "$work/foreign.cwasm" --invoke add 1 2
expect "other ABI refused" 2 "native code ABI 999" -- "$CAIRN" run "$work/abi.cwasm" --invoke add 1 2
# a .cwasm of format 1 (before the inline table) or 2 (before the module
# facts) is refused as such
rehash "$work/m.cwasm" "$work/fmt1.cwasm" format 1
expect "format 1 refused" 2 "unknown container format version 1 " -- "$CAIRN" run "$work/fmt1.cwasm" --invoke add 1 2
rehash "$work/m.cwasm" "$work/fmt2.cwasm" format 2
expect "format 2 refused" 2 "unknown container format version 2 \(this cairn reads 3: recompile it\)" -- "$CAIRN" run "$work/fmt2.cwasm" --invoke add 1 2
printf 'not wasm at all' >"$work/junk.cwasm"
expect "junk file refused" 2 "error" -- "$CAIRN" run "$work/junk.cwasm"

# compilers: missing (names the Debian package), failing (keeps the C)
mkdir -p "$work/emptybin"
expect "missing host compiler names gcc" 2 "install the Debian package gcc\b" -- \
  env PATH="$work/emptybin" "$CAIRN" compile "$work/m.wat" -o "$work/x.cwasm"
expect "missing cross compiler names its package" 2 "install the Debian package gcc-aarch64-linux-gnu" -- \
  env PATH="$work/emptybin" "$CAIRN" compile --target aarch64-linux-gnu "$work/m.wat" -o "$work/x.cwasm"
expect "unknown target" 2 "unknown target 'mips-linux-gnu'" -- \
  "$CAIRN" compile --target mips-linux-gnu "$work/m.wat" -o "$work/x.cwasm"
printf '#!/bin/sh\necho "cc: error: this compiler always fails" >&2\nexit 3\n' >"$work/badcc"
chmod +x "$work/badcc"
expect "failing compiler keeps the C" 1 "kept in " -- "$CAIRN" compile --cc "$work/badcc" "$work/m.wat" -o "$work/x.cwasm"
kept=$(grep -o "kept in [^ ]*" "$work/out" | head -1 | cut -d' ' -f3)
if [ -n "$kept" ] && [ -f "$kept/unit0.c" ] && [ -f "$kept/cairn_aot.h" ] && grep -q "always fails" "$work/out"; then
  ok "the kept folder holds the C and the compiler's message is shown"; rm -rf "$kept"; else
  bad "kept folder ($kept)" "$work/out"; fi
expect "--keep-c" 0 "" -- "$CAIRN" compile --keep-c "$work/keep" -O0 "$work/m.wat" -o "$work/k.cwasm"
if grep -q '#include "cairn_aot.h"' "$work/keep/unit0.c" 2>/dev/null &&
   ! grep -h "#include" "$work/keep"/unit*.c | grep -vqE '"cairn_aot.h"|<stdint.h>'; then
  ok "generated C includes only cairn_aot.h and stdint.h"; else bad "generated C includes" ; fi

# cairn run --aot: the cache
expect "run --aot" 0 "^5:i32" -- "$CAIRN" run --aot "$work/m.wat" --invoke add 2 3
entries=$(ls "$XDG_CACHE_HOME/cairn"/*.cwasm 2>/dev/null | wc -l)
mode=$(stat -c %a "$XDG_CACHE_HOME/cairn")
if [ "$entries" -eq 1 ] && [ "$mode" = 700 ]; then ok "one cache entry, folder 0700"; else
  echo "entries $entries mode $mode" >"$work/out"; bad "cache entry" "$work/out"; fi
entry=$(ls "$XDG_CACHE_HOME/cairn"/*.cwasm)
t0=$(date +%s%N); "$CAIRN" run --aot "$work/m.wat" --invoke add 2 3 >/dev/null; t1=$(date +%s%N)
t2=$(date +%s%N); "$CAIRN" compile "$work/m.wat" -o "$work/again.cwasm"; t3=$(date +%s%N)
if [ $(( (t1 - t0) * 2 )) -lt $((t3 - t2)) ]; then ok "a cache hit does not compile ($(( (t1-t0)/1000000 )) ms vs $(( (t3-t2)/1000000 )) ms)"; else
  echo "hit $(( (t1-t0)/1000000 )) ms, compile $(( (t3-t2)/1000000 )) ms" >"$work/out"; bad "cache hit" "$work/out"; fi
printf 'garbage' >"$entry"
expect "a damaged cache entry is compiled again" 0 "^5:i32" -- "$CAIRN" run --aot "$work/m.wat" --invoke add 2 3
if cmp -s "$entry" "$work/m.cwasm" || [ "$(stat -c %s "$entry")" -gt 1000 ]; then ok "damaged entry replaced"; else bad "damaged entry replaced"; fi
chmod 777 "$XDG_CACHE_HOME/cairn"
expect "a cache others can write is refused" 2 "writable by others" -- "$CAIRN" run --aot "$work/m.wat" --invoke add 2 3
chmod 700 "$XDG_CACHE_HOME/cairn"
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$XDG_CACHE_HOME/cairn"
  expect "a cache of another user is refused" 2 "belongs to uid" -- "$CAIRN" run --aot "$work/m.wat" --invoke add 2 3
  chown 0 "$XDG_CACHE_HOME/cairn"
fi
# The cache key holds the code generator's revision (scripts/aot-rev.cmake, a
# hash of src/engine/aot): cairn must carry its own sources' revision (a
# stale one would let an upgraded cairn run an older generator's cached code),
# and any change to a source must change it.
src_root=$(cd "$(dirname "$0")/../.." && pwd)
rev_of() { cmake -DDIR="$1" -DOUT="$2" -P "$src_root/scripts/aot-rev.cmake" && sed -n 's/.*"\(.*\)".*/\1/p' "$2"; }
rev=$(rev_of "$src_root/src/engine/aot" "$work/rev.h")
if [ ${#rev} -eq 16 ] && grep -qa "$rev" "$CAIRN"; then ok "cairn carries its generator's revision ($rev)"; else
  echo "revision '$rev' of the sources is not in $CAIRN" >"$work/out"; bad "generator revision" "$work/out"; fi
cp -r "$src_root/src/engine/aot" "$work/gen"
same=$(rev_of "$work/gen" "$work/rev2.h")
printf '\n' >>"$work/gen/emit_ops.c"
changed=$(rev_of "$work/gen" "$work/rev3.h")
if [ "$same" = "$rev" ] && [ -n "$changed" ] && [ "$changed" != "$rev" ]; then
  ok "a changed generator source changes the revision"; else
  echo "rev $rev, copy $same, changed $changed" >"$work/out"; bad "revision change" "$work/out"; fi
# concurrent first runs: all succeed, one whole entry, no temporary left
rm -rf "$XDG_CACHE_HOME"
for i in 1 2 3 4 5 6 7 8; do
  "$CAIRN" run --aot "$work/m.wat" --invoke add $i 1 >"$work/c$i.out" 2>&1 &
done
wait
okc=0
for i in 1 2 3 4 5 6 7 8; do grep -q "^$((i + 1)):i32" "$work/c$i.out" && okc=$((okc + 1)); done
left=$(ls -A "$XDG_CACHE_HOME/cairn" | grep -vc '\.cwasm$')
if [ "$okc" -eq 8 ] && [ "$left" -eq 0 ] && [ "$(ls "$XDG_CACHE_HOME/cairn"/*.cwasm | wc -l)" -eq 1 ]; then
  ok "8 concurrent first runs"; else echo "ok $okc, leftovers $left" >"$work/out"; bad "concurrent runs" "$work/out"; fi
# a full disk costs a compile, never a failure (a 16 KiB tmpfs in a private mount namespace)
if command -v unshare >/dev/null && [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$work/full"
  expect "a full cache disk still runs" 0 "^5:i32" -- unshare -m sh -c \
    "mount -t tmpfs -o size=16k,mode=700 tmpfs '$work/full' && XDG_CACHE_HOME='$work/full' '$CAIRN' run --aot '$work/m.wat' --invoke add 2 3"
else
  bad "full disk test needs root and unshare"
fi

echo "aot-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
