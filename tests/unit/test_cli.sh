#!/bin/bash
# Checks the `cairn` program end to end: help/version, run, validate,
# inspect and wast (with spectest imports, register, traps, NaN patterns).
# usage: test_cli.sh CAIRN
set -u
cairn=${1:?usage: test_cli.sh CAIRN}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0

check() {  # check NAME EXPECTED_STATUS EXPECTED_OUTPUT_REGEX -- COMMAND...
  local name=$1 want=$2 re=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -eq "$want" ] && printf '%s\n' "$out" | grep -qE -- "$re"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $rc (want $want), output:"
    printf '%s\n' "$out" | head -10 | sed 's/^/  /'
  fi
}

check "--version" 0 "^cairn [0-9]" -- "$cairn" --version
check "--help" 0 "wast" -- "$cairn" --help
check "no command" 2 "usage" -- "$cairn"
check "unknown command" 2 "unknown command" -- "$cairn" frobnicate
check "run --help" 0 "--invoke" -- "$cairn" run --help
check "run fib" 0 "^75025:i32$" -- "$cairn" run "$root/examples/fib.wat" --invoke fib 25
check "run fib hex" 0 "^55:i32$" -- "$cairn" run "$root/examples/fib.wat" --invoke fib 0xa
check "run bad arg" 2 "not a valid i32" -- "$cairn" run "$root/examples/fib.wat" --invoke fib x
check "run missing export" 2 "exports no" -- "$cairn" run "$root/examples/fib.wat" --invoke nope
check "run missing file" 2 "error" -- "$cairn" run "$work/none.wasm"

cat >"$work/t.wat" <<'W'
(module
  (func $boom (export "boom") unreachable)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "f") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 2))))
W
check "run trap" 134 "^error: wasm trap: unreachable$" -- "$cairn" run "$work/t.wat" --invoke boom
check "run trap backtrace" 134 "at func\[0\]" -- "$cairn" run "$work/t.wat" --invoke boom
# the instruction: unreachable right after the locals byte (+0x1)
check "run trap backtrace offsets" 134 "^  at func\[0\].* \+0x1 \(module offset 0x[0-9a-f]+\)$" -- \
  "$cairn" run "$work/t.wat" --invoke boom
cat >"$work/oob.wat" <<'W'
(module (memory 1)
  (func (export "oob") (result i32) (i32.load (i32.const 65536)))
  (table $t 1 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0))))
W
check "run OOB is a Wasm trap" 134 "^error: wasm trap: out of bounds memory access$" -- "$cairn" run "$work/oob.wat" --invoke oob
# with guard pages the function only, with bounds checks its i32.load (+0x5)
check "run OOB backtrace" 134 "^  at func\[0\]( \+0x5 \(module offset 0x[0-9a-f]+\))?$" -- \
  "$cairn" run "$work/oob.wat" --invoke oob
check "run --max-table default refuses 2^28" 0 "^-1:i32$" -- timeout 5 "$cairn" run "$work/oob.wat" --invoke grow 268435456
check "run --max-table default allows 10^7" 0 "^1:i32$" -- "$cairn" run "$work/oob.wat" --invoke grow 9999999
check "run --max-table N" 0 "^-1:i32$" -- "$cairn" run --max-table 100 "$work/oob.wat" --invoke grow 100
check "run --max-table 0: no cap" 0 "^1:i32$" -- "$cairn" run --max-table 0 "$work/oob.wat" --invoke grow 10000000
check "run --help documents the table cap" 0 "default 10000000" -- "$cairn" run --help
check "run negative" 0 "^-3:i32$" -- "$cairn" run "$work/t.wat" --invoke div -9 3
check "run f64" 0 "^3:f64$" -- "$cairn" run "$work/t.wat" --invoke f 1.5

check "validate ok" 0 ": valid$" -- "$cairn" validate "$work/t.wat"
printf '(module (func (result i32)))' >"$work/bad.wat"
check "validate invalid" 1 "error" -- "$cairn" validate "$work/bad.wat"
printf '(module (func (i32.frob)))' >"$work/bad2.wat"
check "validate malformed text" 1 ":1:[0-9]+: error" -- "$cairn" validate "$work/bad2.wat"
printf '\0asm\1\0\0\0\1' >"$work/bad.wasm"
check "validate malformed binary" 1 "offset 0x[0-9a-f]+: error" -- "$cairn" validate "$work/bad.wasm"
check "inspect" 0 "func +\"div\" \(i32, i32\) -> i32" -- "$cairn" inspect "$work/t.wat"
check "inspect --help" 0 "--code FUNC" -- "$cairn" inspect --help
check "inspect --code export" 0 "I32_DIV_S +s0, s0, s1" -- "$cairn" inspect --code div "$work/t.wat"
check "inspect --code index" 0 "^func\[1\]: [0-9]+ words" -- "$cairn" inspect --code 1 "$work/t.wat"
check "inspect --code \$name" 0 "^func\[0\] \"boom\".*" -- "$cairn" inspect --code '$boom' "$work/t.wat"
check "inspect --code f64 const" 0 "F64_MUL(_I)? +s0, s0, " -- "$cairn" inspect "$work/t.wat" --code f
check "inspect --code unknown" 2 "no function nope" -- "$cairn" inspect --code nope "$work/t.wat"
check "inspect --code out of range" 2 "out of range" -- "$cairn" inspect --code 9 "$work/t.wat"
printf '(module (import "m" "f" (func)) (func (export "g") call 0))' >"$work/imp.wat"
check "inspect --code import" 2 "imported" -- "$cairn" inspect --code 0 "$work/imp.wat"
check "inspect --code call" 0 "CALL +func\[0\], args@s0" -- "$cairn" inspect --code g "$work/imp.wat"

cat >"$work/s.wast" <<'W'
(module $M
  (import "spectest" "print_i32" (func $p (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (global (export "g") i32 (global.get $g))
  (func (export "id") (param i32) (result i32) (call $p (local.get 0)) (local.get 0))
  (func (export "nan") (result f32) (f32.const nan))
  (func (export "trap") (result i32) (i32.div_u (i32.const 1) (i32.const 0))))
(register "M" $M)
(module (import "M" "id" (func $id (param i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (call $id (call $id (local.get 0)))))
(assert_return (invoke "twice" (i32.const 7)) (i32.const 7))
(assert_return (invoke $M "nan") (f32.const nan:canonical))
(assert_return (get $M "g") (i32.const 666))
(assert_trap (invoke $M "trap") "integer divide by zero")
(assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.frob))") "unknown operator")
W
check "wast all pass" 0 "^wast: 9 passed, 0 failed$" -- "$cairn" wast "$work/s.wast"
printf '(module (func (export "one") (result i32) (i32.const 1)))\n(assert_return (invoke "one") (i32.const 2))\n' >"$work/f.wast"
check "wast failure" 1 "^wast: 1 passed, 1 failed$" -- "$cairn" wast "$work/f.wast"
check "wast -v" 1 "f.wast:2: assert_return" -- "$cairn" wast -v "$work/f.wast"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
