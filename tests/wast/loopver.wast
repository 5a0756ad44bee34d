;; Loops the native tier versions (emit_loop.c): a fast copy taken when an
;; entry check proves it exact, the original loop otherwise. Every result
;; here must be the interpreter's whichever copy runs: exits by !=, <, <=,
;; >, >= on i32 and i64 counters, negative steps, steps that do not divide
;; the distance, addresses that wrap past 2^32, an access that leaves the
;; memory on the last iteration, counters and temporaries read after the
;; loop; an early exit (br_if out of the loop, also carrying a value, out
;; of two loops) looked ahead, and loops with exits that are not versioned
;; (two exits, a store, a late or a carried local). Run by ctest as
;; wast/interp and wast/aot (also at -O2 and with bounds checks:
;; wast/aot-loopver*).
(module
  (memory (export "mem") 1)
  ;; y[i] += a * x[i] over n doubles: x at $x, y at $y (matmul's loop)
  (func (export "daxpy") (param $x i32) (param $y i32) (param $n i32) (param $a f64)
    (local $i i32) (local $end i32) (local $p i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (loop $l
      (local.set $p (i32.add (local.get $y) (local.get $i)))
      (f64.store (local.get $p)
        (f64.add (f64.load (local.get $p))
                 (f64.mul (local.get $a) (f64.load (i32.add (local.get $x) (local.get $i))))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8)))
                        (local.get $end)))))
  ;; [base, base + 4n) := i32 v, v+1, ...; returns the counter's final value
  ;; plus the last address written (read after the loop)
  (func (export "iota") (param $base i32) (param $n i32) (param $v i32) (result i32)
    (local $i i32) (local $a i32)
    (loop $l
      (local.set $a (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2))))
      (i32.store (local.get $a) (i32.add (local.get $v) (local.get $i)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n))))
    (i32.add (i32.mul (local.get $i) (i32.const 0x10000)) (local.get $a)))
  ;; sum of the n i32 at base, base + step, ... (step in bytes, a constant
  ;; per function: 4 and -4)
  (func $sum_up (export "sum_up") (param $base i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.load (i32.add (local.get $base) (i32.mul (local.get $i) (i32.const 4))))))
      (br_if $l (i32.le_s (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  ;; downwards: i from 4n to 4 by -4, exit when 0 (br_if on the counter)
  (func (export "sum_down") (param $base i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (local.set $i (i32.shl (local.get $n) (i32.const 2)))
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.load offset=4 (i32.add (local.get $base) (i32.sub (local.get $i) (i32.const 8))))))
      (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 4)))))
    (local.get $s))
  ;; signed > exit with a negative step, bound in a local
  (func (export "sum_gt") (param $base i32) (param $from i32) (param $to i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $base) (local.get $from)))))
      (br_if $l (i32.gt_s (local.tee $from (i32.sub (local.get $from) (i32.const 1)))
                          (local.get $to))))
    (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $from)))
  ;; the bound on the left: to <= i goes on (>= by the mirror), unsigned
  (func (export "sum_ge") (param $base i32) (param $from i32) (param $to i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $base) (local.get $from)))))
      (br_if $l (i32.le_u (local.get $to)
                          (local.tee $from (i32.sub (local.get $from) (i32.const 1))))))
    (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $from)))
  ;; an i64 counter, addresses through i32.wrap_i64 and i64.extend_i32_u
  (func (export "sum64") (param $base i32) (param $n i64) (result i64)
    (local $i i64) (local $s i64)
    (loop $l
      (local.set $s (i64.add (local.get $s)
        (i64.load32_u (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get $base))
                                             (i64.shl (local.get $i) (i64.const 2)))))))
      (br_if $l (i64.lt_s (local.tee $i (i64.add (local.get $i) (i64.const 1)))
                          (local.get $n))))
    (i64.add (i64.mul (local.get $s) (i64.const 1000)) (local.get $i)))
  ;; a != exit the step does not divide: 0, 0x40000001, 0x80000002,
  ;; 0xc0000003, then 4 after wrapping; marks byte j at 512 each time
  (func (export "wrapstep") (result i32) (local $i i32) (local $j i32)
    (loop $l
      (i32.store8 offset=512 (local.get $j) (i32.add (local.get $j) (i32.const 1)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 0x40000001)))
                        (i32.const 4))))
    (i32.add (i32.mul (local.get $j) (i32.const 100)) (i32.load (i32.const 512))))
  ;; (base + i) + k: with base = -16 and k = 16 the address is i, past 2^32
  ;; in 64 bits (the original loop runs); with base = -8 and k = 8 base + i
  ;; also wraps in the middle of the trip
  (func (export "wrapconst") (param $n i32) (result i32) (local $i i32) (local $s i32)
    ;; -8 + i wraps in the middle of the trip, the address i does not: exact
    ;; in the fast copy (add is exact modulo 2^32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.load (i32.add (i32.add (i32.const -8) (local.get $i)) (i32.const 8)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4)))
                          (local.get $n))))
    (local.get $s))
  (func (export "wrapaddr") (param $base i32) (param $k i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.load (i32.add (i32.add (local.get $base) (local.get $i)) (local.get $k)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4)))
                          (local.get $n))))
    (local.get $s))
  ;; stores 4-byte words up to base + 4n: traps where it leaves memory,
  ;; after the earlier iterations' stores
  (func (export "fill") (param $base i32) (param $n i32) (param $v i32) (local $i i32)
    (loop $l
      (i32.store (i32.add (local.get $base) (local.get $i)) (local.get $v))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4)))
                        (i32.shl (local.get $n) (i32.const 2))))))
  ;; a loop that clang guards: zero trips skip it
  (func (export "guarded") (param $n i32) (result i32) (local $i i32)
    (block $skip
      (br_if $skip (i32.eqz (local.get $n)))
      (loop $l
        (i32.store8 offset=1024 (local.get $i) (i32.const 7))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n)))))
    (local.get $i))
  ;; division by a constant stays; a temporary's last value is read after
  (func (export "divs") (param $n i32) (result i32) (local $i i32) (local $t i32) (local $s i32)
    (loop $l
      (local.set $t (i32.div_s (i32.load8_u offset=2048 (local.get $i)) (i32.const 3)))
      (local.set $s (i32.add (local.get $s) (i32.rem_u (local.get $t) (i32.const 5))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.add (i32.mul (local.get $s) (i32.const 100)) (local.get $t)))
  ;; [p, p + 8n) := f64 v, v+1, ...
  (func (export "ramp") (param $p i32) (param $n i32) (param $v f64) (local $i i32)
    (loop $l
      (f64.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3)))
                 (f64.add (local.get $v) (f64.convert_i32_u (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n)))))
  ;; three accesses whose addresses differ by constants share one entry
  ;; check (emit_loop.c, LvGroup): a word at p + i - 4, a byte at
  ;; p + i + 3 and a word stored at p + i + 4; the group is in bounds only
  ;; if the lowest address is and the highest byte is
  (func (export "stencil") (param $p i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 4)))
                 (i32.load8_u offset=3 (i32.add (local.get $p) (local.get $i))))))
      (i32.store offset=4 (i32.add (local.get $p) (local.get $i)) (local.get $s))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n))))
    (local.get $s))
  ;; early exits (br_if out of the loop): memcmp's loop, the difference of
  ;; the first bytes that differ, 0 if none
  (func (export "cmp") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $x i32) (local $y i32)
    (block $eq
      (block $ne
        (br_if $eq (i32.eqz (local.get $n)))
        (loop $l
          (br_if $ne (i32.ne (local.tee $x (i32.load8_u (local.get $a)))
                             (local.tee $y (i32.load8_u (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (br $eq))
      (return (i32.add (i32.mul (i32.sub (local.get $x) (local.get $y)) (i32.const 0x10000))
                       (local.get $n))))
    (i32.const 0))
  ;; the index of the first byte c in [p, p + n) or -1: the exit carries
  ;; a value
  (func (export "index") (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $i i32)
    (block $found (result i32)
      (loop $l
        (drop (br_if $found (local.get $i)
          (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (local.get $c))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                            (local.get $n))))
      (i32.const -1)))
  ;; loops with an exit that are not versioned, all exact: "find" has two
  ;; exits and a store, "range" two exits, "late" a local written after
  ;; the exit, "carried" one carried from the last iteration.
  ;; find: the index of the first byte c in [p, p + n) or -1; the exit
  ;; carries a value, a second exit stops at a 0 byte (-2 - its index), and
  ;; a store after the exits marks each byte passed (at p + 0x4000)
  (func (export "find") (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $i i32) (local $v i32)
    (block $found (result i32)
      (loop $l
        (drop (br_if $found (local.get $i)
          (i32.eq (local.tee $v (i32.load8_u (i32.add (local.get $p) (local.get $i))))
                  (local.get $c))))
        (drop (br_if $found (i32.sub (i32.const -2) (local.get $i)) (i32.eqz (local.get $v))))
        (i32.store8 offset=0x4000 (i32.add (local.get $p) (local.get $i)) (i32.const 1))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                            (local.get $n))))
      (i32.const -1)))
  ;; an exit out of two loops: the first row (of n rows of 32 bytes at p)
  ;; holding byte c, its index * 100 + the column
  (func (export "rows") (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $r i32) (local $j i32)
    (block $done
      (loop $outer
        (local.set $j (i32.const 0))
        (loop $inner
          (br_if $done (i32.eq (i32.load8_u (i32.add (local.get $p)
                                 (i32.add (i32.shl (local.get $r) (i32.const 5)) (local.get $j))))
                               (local.get $c)))
          (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                  (i32.const 32))))
        (br_if $outer (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1)))
                                (local.get $n))))
      (return (i32.const -1)))
    (i32.add (i32.mul (local.get $r) (i32.const 100)) (local.get $j)))
  ;; trailing spaces (32) of [p, p + n): the length without them (a
  ;; downward scan with an exit, looked ahead 16 bytes at a time)
  (func (export "trim") (param $p i32) (param $n i32) (result i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $l
        (br_if $done (i32.ne (i32.load8_u offset=7 (i32.add (local.get $p) (local.get $n)))
                             (i32.const 32)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (local.get $n))
  ;; an i64 counter and two exits: the first byte of [p, p + n) above hi or
  ;; below lo, as (index << 8) | byte
  (func (export "range") (param $p i32) (param $n i64) (param $lo i32) (param $hi i32) (result i64)
    (local $i i64) (local $v i32)
    (block $out
      (loop $l
        (local.set $v (i32.load8_u (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get $p))
                                                          (local.get $i)))))
        (br_if $out (i32.gt_u (local.get $v) (local.get $hi)))
        (br_if $out (i32.lt_u (local.get $v) (local.get $lo)))
        (br_if $l (i64.lt_u (local.tee $i (i64.add (local.get $i) (i64.const 1)))
                            (local.get $n))))
      (return (i64.const -1)))
    (i64.or (i64.shl (local.get $i) (i64.const 8)) (i64.extend_i32_u (local.get $v))))
  ;; a local written after the exit ($last) and one carried from the last
  ;; iteration ($sum): what the exit sees must be the original's, so these
  ;; do not look ahead
  (func (export "late") (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $i i32) (local $last i32)
    (block $out
      (loop $l
        (br_if $out (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (local.get $c)))
        (local.set $last (i32.load8_u offset=1 (i32.add (local.get $p) (local.get $i))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                            (local.get $n))))
      (return (i32.const -1)))
    (i32.add (i32.mul (local.get $last) (i32.const 1000)) (local.get $i)))
  (func (export "carried") (param $p i32) (param $n i32) (param $max i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $out
      (loop $l
        (br_if $out (i32.gt_u (local.tee $sum (i32.add (local.get $sum)
                                (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
                              (local.get $max)))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                            (local.get $n))))
      (return (i32.const -1)))
    (i32.add (i32.mul (local.get $sum) (i32.const 1000)) (local.get $i)))
  ;; [p, p + n) := bytes 1, 2, ..., n
  (func (export "ramp8") (param $p i32) (param $n i32) (local $i i32)
    (loop $l
      (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n)))))
  (func (export "st8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "ld") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "ld8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "ldd") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "std") (param i32 f64) (f64.store (local.get 0) (local.get 1))))

;; The fast copy runs trips of 16 and more (LV_MIN_TRIP); shorter ones and
;; those whose check fails run the original loop: both are here.
(assert_return (invoke "iota" (i32.const 4096) (i32.const 100) (i32.const 0))
  (i32.const 0x64118c))
;; daxpy: x[i] = i at 0, y[i] = 100 + i at 800; y[i] += 2 * x[i]
(invoke "ramp" (i32.const 0) (i32.const 21) (f64.const 0))
(invoke "ramp" (i32.const 800) (i32.const 21) (f64.const 100))
(invoke "daxpy" (i32.const 0) (i32.const 800) (i32.const 20) (f64.const 2))
(assert_return (invoke "ldd" (i32.const 800)) (f64.const 100))
(assert_return (invoke "ldd" (i32.const 824)) (f64.const 109))
(assert_return (invoke "ldd" (i32.const 952)) (f64.const 157))
(assert_return (invoke "ldd" (i32.const 960)) (f64.const 120))
;; a short trip
(invoke "daxpy" (i32.const 0) (i32.const 800) (i32.const 2) (f64.const 1))
(assert_return (invoke "ldd" (i32.const 808)) (f64.const 104))
(assert_return (invoke "ldd" (i32.const 816)) (f64.const 106))
;; overlapping (y = x + 8): each iteration reads what the previous one
;; wrote, so x[k] becomes 0 + 1 + ... + k
(invoke "daxpy" (i32.const 0) (i32.const 8) (i32.const 20) (f64.const 1))
(assert_return (invoke "ldd" (i32.const 8)) (f64.const 1))
(assert_return (invoke "ldd" (i32.const 16)) (f64.const 3))
(assert_return (invoke "ldd" (i32.const 80)) (f64.const 55))
(assert_return (invoke "ldd" (i32.const 160)) (f64.const 210))
(assert_return (invoke "ldd" (i32.const 168)) (f64.const 0))

;; words 0..99 at 4096
(assert_return (invoke "sum_up" (i32.const 4096) (i32.const 100)) (i32.const 4950))
(assert_return (invoke "sum_up" (i32.const 4096) (i32.const 1)) (i32.const 0))
;; n = 0: one trip all the same (i <= -1 is false at once)
(assert_return (invoke "sum_up" (i32.const 4100) (i32.const 0)) (i32.const 1))
(assert_return (invoke "sum_down" (i32.const 4096) (i32.const 100)) (i32.const 4950))
(assert_return (invoke "sum_down" (i32.const 4096) (i32.const 1)) (i32.const 0))
;; bytes of the words: byte 4096 + 4k is k for k < 100
(assert_return (invoke "sum_gt" (i32.const 4096) (i32.const 40) (i32.const 0)) (i32.const 55000))
(assert_return (invoke "sum_gt" (i32.const 4096) (i32.const 40) (i32.const 50)) (i32.const 10039))
(assert_return (invoke "sum_gt" (i32.const 4096) (i32.const 40) (i32.const -5)) (i32.const 54995))
(assert_return (invoke "sum_ge" (i32.const 4096) (i32.const 40) (i32.const 1)) (i32.const 55000))
(assert_return (invoke "sum_ge" (i32.const 4096) (i32.const 40) (i32.const 2)) (i32.const 55001))
(assert_return (invoke "sum64" (i32.const 4096) (i64.const 100)) (i64.const 4950100))
(assert_return (invoke "sum64" (i32.const 4096) (i64.const -3)) (i64.const 1))
(assert_return (invoke "wrapstep") (i32.const 67306385))
;; words 10, 11, ..., 25 at 0
(assert_return (invoke "iota" (i32.const 0) (i32.const 16) (i32.const 10)) (i32.const 0x10003c))
(assert_return (invoke "wrapaddr" (i32.const -16) (i32.const 16) (i32.const 64)) (i32.const 280))
(assert_return (invoke "wrapaddr" (i32.const -8) (i32.const 8) (i32.const 64)) (i32.const 280))
(assert_return (invoke "wrapaddr" (i32.const 0) (i32.const 0) (i32.const 64)) (i32.const 280))
(assert_return (invoke "wrapconst" (i32.const 64)) (i32.const 280))
(assert_return (invoke "wrapconst" (i32.const 16)) (i32.const 46))
;; reads past the end on the last iteration: a trap
(assert_trap (invoke "wrapaddr" (i32.const 65472) (i32.const 0) (i32.const 68))
  "out of bounds memory access")
;; the last store leaves memory: the ones before it are done
(invoke "fill" (i32.const 65472) (i32.const 16) (i32.const 0))
(assert_trap (invoke "fill" (i32.const 65476) (i32.const 16) (i32.const 9))
  "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 65472)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 65476)) (i32.const 9))
(assert_return (invoke "ld" (i32.const 65504)) (i32.const 9))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 9))
(assert_trap (invoke "fill" (i32.const 65532) (i32.const 2) (i32.const 8))
  "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 8))
;; in bounds up to the last byte
(invoke "fill" (i32.const 65472) (i32.const 16) (i32.const 5))
(assert_return (invoke "ld" (i32.const 65472)) (i32.const 5))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 5))
;; the first store already out: nothing written
(assert_trap (invoke "fill" (i32.const 65536) (i32.const 20) (i32.const 6))
  "out of bounds memory access")
(assert_return (invoke "guarded" (i32.const 0)) (i32.const 0))
(assert_return (invoke "ld8" (i32.const 1024)) (i32.const 0))
(assert_return (invoke "guarded" (i32.const 1)) (i32.const 1))
(assert_return (invoke "ld8" (i32.const 1024)) (i32.const 7))
(assert_return (invoke "ld8" (i32.const 1025)) (i32.const 0))
(assert_return (invoke "guarded" (i32.const 40)) (i32.const 40))
(assert_return (invoke "ld8" (i32.const 1063)) (i32.const 7))
(assert_return (invoke "ld8" (i32.const 1064)) (i32.const 0))
;; bytes at 2048: ten words of 44, then 0
(invoke "fill" (i32.const 2048) (i32.const 10) (i32.const 44))
(assert_return (invoke "divs" (i32.const 1)) (i32.const 414))
(assert_return (invoke "divs" (i32.const 40)) (i32.const 4000))
;; stencil: words 0..99 at 4096 (iota above), 16 trips in bounds (the
;; fast copy), each trip reads the word the one before stored
(invoke "iota" (i32.const 4096) (i32.const 100) (i32.const 0))
(assert_return (invoke "stencil" (i32.const 4100) (i32.const 64)) (i32.const 610))
(assert_return (invoke "ld" (i32.const 4104)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 4164)) (i32.const 610))
(assert_return (invoke "ld" (i32.const 4168)) (i32.const 18))
;; the lowest address is -4 on the first trip: a trap before any store
(invoke "fill" (i32.const 0) (i32.const 20) (i32.const 3))
(assert_trap (invoke "stencil" (i32.const 0) (i32.const 64)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 4)) (i32.const 3))
;; up to the last byte of memory: the store of the last trip ends at 65536
(invoke "fill" (i32.const 65404) (i32.const 33) (i32.const 1))
(assert_return (invoke "stencil" (i32.const 65468) (i32.const 64)) (i32.const 1597))
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 1597))
;; 4 bytes further only the last trip's store leaves memory: the original
;; loop stores the trips before it, then traps
(invoke "fill" (i32.const 65404) (i32.const 33) (i32.const 1))
(assert_trap (invoke "stencil" (i32.const 65472) (i32.const 64)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 65532)) (i32.const 987))
;; Early exits: bytes 0..99 at 8192 and at 12288 are i + 1 (the same),
;; 200 bytes at 16384 are 7; the copy leaves where the original would,
;; with the same locals (n counts down) and stack.
(invoke "ramp8" (i32.const 8192) (i32.const 100))
(invoke "ramp8" (i32.const 12288) (i32.const 100))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 0)) (i32.const 0))
(invoke "st8" (i32.const 12288) (i32.const 9))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100))
  (i32.const 0xfff80064))
(invoke "st8" (i32.const 12288) (i32.const 1))
(invoke "st8" (i32.const 12293) (i32.const 200))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100))
  (i32.const 0xff3e005f))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 5)) (i32.const 0))
(invoke "st8" (i32.const 12293) (i32.const 6))
(invoke "st8" (i32.const 12387) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100))
  (i32.const 0x640001))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 99)) (i32.const 0))
(invoke "st8" (i32.const 12387) (i32.const 100))
(invoke "st8" (i32.const 12303) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8193) (i32.const 12289) (i32.const 40))
  (i32.const 0x10001a))
;; one operand at the end of memory: the check fails, the original loop
;; runs and traps there, or stops at a difference before the end
(invoke "st8" (i32.const 65534) (i32.const 1))
(invoke "st8" (i32.const 65535) (i32.const 2))
(assert_trap (invoke "cmp" (i32.const 8192) (i32.const 65534) (i32.const 20))
  "out of bounds memory access")
(invoke "st8" (i32.const 65535) (i32.const 9))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 65534) (i32.const 20))
  (i32.const 0xfff90013))
;; find: 1 .. 100 at 8192, no 0 before 8292
(assert_return (invoke "find" (i32.const 8192) (i32.const 100) (i32.const 50)) (i32.const 49))
(assert_return (invoke "ld8" (i32.const 24624)) (i32.const 1))
(assert_return (invoke "ld8" (i32.const 24625)) (i32.const 0))
(assert_return (invoke "find" (i32.const 8192) (i32.const 100) (i32.const 100)) (i32.const 99))
(assert_return (invoke "find" (i32.const 8192) (i32.const 100) (i32.const 1)) (i32.const 0))
(assert_return (invoke "find" (i32.const 8192) (i32.const 100) (i32.const 101)) (i32.const -1))
(assert_return (invoke "ld8" (i32.const 24675)) (i32.const 1))
(assert_return (invoke "find" (i32.const 8192) (i32.const 120) (i32.const 101)) (i32.const -102))
(assert_return (invoke "find" (i32.const 8192) (i32.const 20) (i32.const 101)) (i32.const -1))
;; near the end of memory (bytes 1 .. 40 at 49120): the store at p + 0x4000
;; would leave it on the last iteration; an exit before it keeps the
;; original loop exact, else it traps after the stores before (byte 65524
;; set first: the stencil tests above leave their own values up there)
(invoke "st8" (i32.const 65524) (i32.const 5))
(invoke "ramp8" (i32.const 49120) (i32.const 40))
(assert_return (invoke "find" (i32.const 49120) (i32.const 40) (i32.const 21)) (i32.const 20))
(assert_return (invoke "ld8" (i32.const 65523)) (i32.const 1))
(assert_return (invoke "ld8" (i32.const 65524)) (i32.const 5)) ;; fill's, not passed
(assert_trap (invoke "find" (i32.const 49120) (i32.const 40) (i32.const 41))
  "out of bounds memory access")
(assert_return (invoke "ld8" (i32.const 65535)) (i32.const 1))
(invoke "st8" (i32.const 49125) (i32.const 0))
(assert_return (invoke "find" (i32.const 49120) (i32.const 40) (i32.const 30)) (i32.const -7))
;; rows of 32 at 16384 (200 bytes of 7, then 0)
(invoke "fill" (i32.const 16384) (i32.const 50) (i32.const 0x07070707))
(invoke "st8" (i32.const 16484) (i32.const 9))
(assert_return (invoke "rows" (i32.const 16384) (i32.const 6) (i32.const 9)) (i32.const 304))
(assert_return (invoke "rows" (i32.const 16384) (i32.const 6) (i32.const 7)) (i32.const 0))
(assert_return (invoke "rows" (i32.const 16384) (i32.const 3) (i32.const 9)) (i32.const -1))
;; Look-ahead (16 iterations at a time, then a jump to the first exit or
;; past them): 100 equal bytes at 8192 and 12288 (1 .. 100), compared with
;; one difference at each place relative to those blocks: first, last and
;; right after one, in the short tail (under 17 iterations left), none
(invoke "ramp8" (i32.const 8192) (i32.const 100))
(invoke "ramp8" (i32.const 12288) (i32.const 100))
(invoke "st8" (i32.const 12288) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x10064))
(invoke "st8" (i32.const 12288) (i32.const 1))
(invoke "st8" (i32.const 12303) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x100055))
(invoke "st8" (i32.const 12303) (i32.const 16))
(invoke "st8" (i32.const 12304) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x110054))
(invoke "st8" (i32.const 12304) (i32.const 17))
(invoke "st8" (i32.const 12305) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x120053))
(invoke "st8" (i32.const 12305) (i32.const 18))
(invoke "st8" (i32.const 12320) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x210044))
(invoke "st8" (i32.const 12320) (i32.const 33))
(invoke "st8" (i32.const 12321) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x220043))
(invoke "st8" (i32.const 12321) (i32.const 34))
(invoke "st8" (i32.const 12371) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x540011))
(invoke "st8" (i32.const 12371) (i32.const 84))
(invoke "st8" (i32.const 12372) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x550010))
(invoke "st8" (i32.const 12372) (i32.const 85))
(invoke "st8" (i32.const 12380) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0x5d0008))
(invoke "st8" (i32.const 12380) (i32.const 93))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 100)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 17)) (i32.const 0))
(assert_return (invoke "cmp" (i32.const 8192) (i32.const 12288) (i32.const 33)) (i32.const 0))
;; trim: the string at 20481 is bytes 2 .. 10, 40 spaces, 0 (the scan goes
;; down from its end)
(invoke "ramp8" (i32.const 20480) (i32.const 10))
(invoke "fill" (i32.const 20490) (i32.const 10) (i32.const 0x20202020))
(invoke "st8" (i32.const 20530) (i32.const 0))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 49)) (i32.const 9))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 29)) (i32.const 9))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 16)) (i32.const 9))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 5)) (i32.const 5))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 50)) (i32.const 50))
(invoke "st8" (i32.const 20506) (i32.const 65))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 49)) (i32.const 26))
(invoke "st8" (i32.const 20506) (i32.const 32))
(invoke "fill" (i32.const 20480) (i32.const 3) (i32.const 0x20202020))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 49)) (i32.const 0))
(assert_return (invoke "trim" (i32.const 20473) (i32.const 0)) (i32.const 0))
;; index over 1 .. 100 at 8192: at the first byte, inside the first and a
;; later look-ahead, the last, none
(assert_return (invoke "index" (i32.const 8192) (i32.const 100) (i32.const 1)) (i32.const 0))
(assert_return (invoke "index" (i32.const 8192) (i32.const 100) (i32.const 10)) (i32.const 9))
(assert_return (invoke "index" (i32.const 8192) (i32.const 100) (i32.const 40)) (i32.const 39))
(assert_return (invoke "index" (i32.const 8192) (i32.const 100) (i32.const 100)) (i32.const 99))
(assert_return (invoke "index" (i32.const 8192) (i32.const 100) (i32.const 101)) (i32.const -1))
(assert_return (invoke "index" (i32.const 8192) (i32.const 39) (i32.const 40)) (i32.const -1))
;; range over 1 .. 100 at 8192
(assert_return (invoke "range" (i32.const 8192) (i64.const 100) (i32.const 1) (i32.const 100))
  (i64.const -1))
(assert_return (invoke "range" (i32.const 8192) (i64.const 100) (i32.const 1) (i32.const 40))
  (i64.const 0x2829))
(assert_return (invoke "range" (i32.const 8193) (i64.const 99) (i32.const 3) (i32.const 100))
  (i64.const 2))
(assert_return (invoke "range" (i32.const 8192) (i64.const 100) (i32.const 1) (i32.const 99))
  (i64.const 0x6364))
;; late and carried over 1 .. 100 at 8192
(assert_return (invoke "late" (i32.const 8192) (i32.const 100) (i32.const 50)) (i32.const 50049))
(assert_return (invoke "late" (i32.const 8192) (i32.const 100) (i32.const 18)) (i32.const 18017))
(assert_return (invoke "late" (i32.const 8192) (i32.const 100) (i32.const 1)) (i32.const 0))
(assert_return (invoke "late" (i32.const 8192) (i32.const 99) (i32.const 0)) (i32.const -1))
(assert_return (invoke "carried" (i32.const 8192) (i32.const 100) (i32.const 1000)) (i32.const 1035044))
(assert_return (invoke "carried" (i32.const 8192) (i32.const 100) (i32.const 5050)) (i32.const -1))
(assert_return (invoke "carried" (i32.const 8192) (i32.const 100) (i32.const 5049)) (i32.const 5050099))
