;; memory.copy and memory.fill of every length from 0 to 72 (the native tier
;; does 0 to 64 bytes inline, the rest through the runtime), overlapping
;; both ways by up to 20 bytes, at the end of memory, and out of bounds: a
;; trap that writes nothing. Run by ctest as wast/interp and wast/aot.
(module
  (memory 1)
  ;; bytes [0, 128) := i, [65408, 65536) := i
  (func $init (local $i i32)
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 128)))
        (i32.store8 (local.get $i) (local.get $i))
        (i32.store8 (i32.add (local.get $i) (i32.const 65408)) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  ;; a checksum of [base, base + 128): sum of byte * (position + 1)
  (func $sum (param $base i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 128)))
        (local.set $s (i32.add (local.get $s)
          (i32.mul (i32.load8_u (i32.add (local.get $base) (local.get $i)))
                   (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))
  ;; the same copy done byte by byte with memmove's semantics, on a second
  ;; 128 bytes at 256 (init copied there first), for comparison
  (func $ref_copy (param $d i32) (param $s i32) (param $n i32) (local $i i32)
    (if (i32.le_u (local.get $d) (local.get $s))
      (then
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store8 (i32.add (local.get $d) (local.get $i))
              (i32.load8_u (i32.add (local.get $s) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next))))
      (else
        (local.set $i (local.get $n))
        (block $done
          (loop $next
            (br_if $done (i32.eqz (local.get $i)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (i32.store8 (i32.add (local.get $d) (local.get $i))
              (i32.load8_u (i32.add (local.get $s) (local.get $i))))
            (br $next))))))
  ;; for every n in [0, 72] and shifts -20..20: copy [32+k, ...) to [32, ...)
  ;; with memory.copy at 0 and byte by byte at 256; returns the first n whose
  ;; results differ (times 100, plus the shift + 50), or -1
  (func (export "copy_all") (result i32) (local $n i32) (local $k i32)
    (block $done
      (loop $ln
        (br_if $done (i32.gt_u (local.get $n) (i32.const 72)))
        (local.set $k (i32.const -20))
        (block $kdone
          (loop $lk
            (br_if $kdone (i32.gt_s (local.get $k) (i32.const 20)))
            (call $init)
            (memory.copy (i32.const 256) (i32.const 0) (i32.const 128))
            (memory.copy (i32.const 32) (i32.add (i32.const 32) (local.get $k)) (local.get $n))
            (call $ref_copy (i32.const 288) (i32.add (i32.const 288) (local.get $k)) (local.get $n))
            (if (i32.ne (call $sum (i32.const 0)) (call $sum (i32.const 256)))
              (then (return (i32.add (i32.mul (local.get $n) (i32.const 100))
                                     (i32.add (local.get $k) (i32.const 50))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $lk)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $ln)))
    (i32.const -1))
  ;; for every n in [0, 72]: fill [40, 40 + n) with n, check it and its
  ;; neighbours; returns the first failing n, or -1
  (func (export "fill_all") (result i32) (local $n i32) (local $i i32)
    (block $done
      (loop $ln
        (br_if $done (i32.gt_u (local.get $n) (i32.const 72)))
        (call $init)
        (memory.fill (i32.const 40) (i32.add (local.get $n) (i32.const 0x300)) (local.get $n))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $li
            (br_if $idone (i32.ge_u (local.get $i) (i32.const 128)))
            (if (i32.ne (i32.load8_u (local.get $i))
                  (select (local.get $n) (local.get $i)
                    (i32.and (i32.ge_u (local.get $i) (i32.const 40))
                             (i32.lt_u (local.get $i) (i32.add (i32.const 40) (local.get $n))))))
              (then (return (local.get $n))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $li)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $ln)))
    (i32.const -1))
  (func (export "init") (call $init))
  (func (export "sum") (param i32) (result i32) (call $sum (local.get 0)))
  (func (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill") (param i32 i32 i32)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
(assert_return (invoke "copy_all") (i32.const -1))
(assert_return (invoke "fill_all") (i32.const -1))

;; the end of memory: up to it is fine, one byte past traps and writes nothing
(invoke "init")
(assert_return (invoke "copy" (i32.const 65520) (i32.const 0) (i32.const 16)))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 15))
(assert_return (invoke "copy" (i32.const 0) (i32.const 65528) (i32.const 8)))
(assert_return (invoke "load8" (i32.const 7)) (i32.const 15))
(assert_return (invoke "copy" (i32.const 65472) (i32.const 0) (i32.const 64)))
(assert_return (invoke "load8" (i32.const 65535)) (i32.const 63))
(assert_return (invoke "copy" (i32.const 0) (i32.const 65488) (i32.const 48)))
(assert_return (invoke "load8" (i32.const 47)) (i32.const 63))
(invoke "init")
(assert_return (invoke "copy" (i32.const 65536) (i32.const 0) (i32.const 0)))
(assert_return (invoke "copy" (i32.const 0) (i32.const 65536) (i32.const 0)))
(assert_return (invoke "fill" (i32.const 65536) (i32.const 7) (i32.const 0)))
(assert_trap (invoke "copy" (i32.const 65537) (i32.const 0) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65537) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65537) (i32.const 7) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 65521) (i32.const 0) (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65529) (i32.const 8)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 65535) (i32.const 0) (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const -1) (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const -1) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65505) (i32.const 7) (i32.const 32)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 65473) (i32.const 0) (i32.const 64)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 65489) (i32.const 48)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65473) (i32.const 7) (i32.const 64)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65490) (i32.const 7) (i32.const 47)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65535) (i32.const 7) (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const -1) (i32.const 7) (i32.const 1)) "out of bounds memory access")
;; nothing was written by the traps: the tail still holds init's bytes
(assert_return (invoke "sum" (i32.const 65408)) (i32.const 699008))
(assert_return (invoke "sum" (i32.const 0)) (i32.const 699008))
