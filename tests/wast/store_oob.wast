;; A store that runs past the end of memory traps without writing any byte,
;; for every store width and form: plain, with a constant address (_AI),
;; v128 and the v128 lane stores. memory_trap.wast and align.wast check a few
;; scalar stores; this covers the rest. On Arm and RISC-V the guard page
;; alone does not give this (exec_memory.h, STORE_CHK): make test-cross runs
;; this script under qemu for aarch64 and riscv64. Run by ctest as wast/interp.
(module
  (memory 1)
  (func (export "fill") (memory.fill (i32.const 65504) (i32.const 0xaa) (i32.const 32)))
  ;; the sum of the last 32 bytes: 32 * 0xaa = 5440 while none was written
  (func (export "tail") (result i32) (local $i i32) (local $s i32)
    (local.set $i (i32.const 65504))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 65536)))
        (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func (export "i32.store") (param i32) (i32.store (local.get 0) (i32.const -1)))
  (func (export "i32.store16") (param i32) (i32.store16 (local.get 0) (i32.const -1)))
  (func (export "i64.store") (param i32) (i64.store (local.get 0) (i64.const -1)))
  (func (export "i64.store32") (param i32) (i64.store32 (local.get 0) (i64.const -1)))
  (func (export "i64.store16") (param i32) (i64.store16 (local.get 0) (i64.const -1)))
  (func (export "f32.store") (param i32) (f32.store (local.get 0) (f32.const -1)))
  (func (export "f64.store") (param i32) (f64.store (local.get 0) (f64.const -1)))
  ;; address + constant: the fused _AI forms
  (func (export "i64.store+3") (param i32)
    (i64.store (i32.add (local.get 0) (i32.const 3)) (i64.const -1)))
  (func (export "i32.store+1") (param i32)
    (i32.store (i32.add (local.get 0) (i32.const 1)) (i32.const -1)))
  (func (export "i64.store off=5") (param i32) (i64.store offset=5 (local.get 0) (i64.const -1)))
  (func (export "v128.store") (param i32) (v128.store (local.get 0) (v128.const i64x2 -1 -1)))
  (func (export "v128.store off=9") (param i32)
    (v128.store offset=9 (local.get 0) (v128.const i64x2 -1 -1)))
  (func (export "v128.store64_lane") (param i32)
    (v128.store64_lane 1 (local.get 0) (v128.const i64x2 -1 -1)))
  (func (export "v128.store32_lane") (param i32)
    (v128.store32_lane 3 (local.get 0) (v128.const i64x2 -1 -1)))
  (func (export "v128.store16_lane") (param i32)
    (v128.store16_lane 5 (local.get 0) (v128.const i64x2 -1 -1))))

(invoke "fill")
(assert_return (invoke "tail") (i32.const 5440))
(assert_trap (invoke "i32.store" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "i32.store" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "i32.store16" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "i64.store" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke "i64.store" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "i64.store32" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "i64.store16" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "f32.store" (i32.const 65534)) "out of bounds memory access")
(assert_trap (invoke "f64.store" (i32.const 65530)) "out of bounds memory access")
(assert_trap (invoke "i64.store+3" (i32.const 65527)) "out of bounds memory access")
(assert_trap (invoke "i32.store+1" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "i64.store off=5" (i32.const 65526)) "out of bounds memory access")
(assert_trap (invoke "v128.store" (i32.const 65521)) "out of bounds memory access")
(assert_trap (invoke "v128.store" (i32.const 65528)) "out of bounds memory access")
(assert_trap (invoke "v128.store off=9" (i32.const 65512)) "out of bounds memory access")
(assert_trap (invoke "v128.store64_lane" (i32.const 65530)) "out of bounds memory access")
(assert_trap (invoke "v128.store32_lane" (i32.const 65534)) "out of bounds memory access")
(assert_trap (invoke "v128.store16_lane" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "tail") (i32.const 5440))
;; the same stores just in bounds write all their bytes
(invoke "i64.store" (i32.const 65528))
(invoke "v128.store" (i32.const 65520))
(assert_return (invoke "tail") (i32.const 6800))
