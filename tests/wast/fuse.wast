;; Interpreter fusion edge cases (add-constant + br_if/if, latches, select
;; fused with compares): expected values checked against an independent
;; interpreter when written. Run by ctest as wast/interp.
(module
  ;; count down with tee + br_if
  (func (export "loop1") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 2)))
      (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
    (local.get 1))
  ;; value below reads the teed local, then if
  (func (export "if1") (param i32) (result i32)
    (local.get 0)
    (if (result i32) (local.tee 0 (i32.add (local.get 0) (i32.const 1)))
      (then (i32.const 100)) (else (i32.const 200)))
    (i32.add))
  ;; set then get below, if on same local
  (func (export "if2") (param i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (local.get 0)
    (local.get 0)
    (if (param i32) (result i32) (then (i32.const 10) (i32.add)) (else (i32.const 20) (i32.add))))
  ;; br_if to function level, results overlap param slot
  (func (export "ret1") (param i32) (result i32)
    (local.get 0)
    (br_if 0 (local.tee 0 (i32.add (local.get 0) (i32.const 5))))
    (drop) (i32.const 77))
  (func (export "ret2") (param i32) (result i32)
    (i32.const 9)
    (br_if 0 (i32.add (local.get 0) (i32.const 5)))
    (drop) (local.get 0))
  ;; add + compare + br_if latch
  (func (export "loop2") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (br_if $l (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
    (local.get 2))
  (func (export "loop3") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 3)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get 1) (i32.const 10))))
    (i32.add (local.get 2) (local.get 1)))
  ;; compare against the same local
  (func (export "self") (param i32) (result i32)
    (block $b
      (br_if $b (i32.eq (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (local.get 0)))
      (return (i32.const 0)))
    (local.get 0))
  ;; latch with stack add result compared to imm
  (func (export "loop4") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (i32.add (local.get 0) (local.get 1)) (i32.const 20))))
    (local.get 1))
)
(assert_return (invoke "loop1" (i32.const 5)) (i32.const 10))
(assert_return (invoke "if1" (i32.const 3)) (i32.const 103))
(assert_return (invoke "if1" (i32.const -1)) (i32.const 199))
(assert_return (invoke "if2" (i32.const 3)) (i32.const 14))
(assert_return (invoke "if2" (i32.const -1)) (i32.const 20))
(assert_return (invoke "ret1" (i32.const 3)) (i32.const 3))
(assert_return (invoke "ret1" (i32.const -5)) (i32.const 77))
(assert_return (invoke "ret2" (i32.const 3)) (i32.const 9))
(assert_return (invoke "ret2" (i32.const -5)) (i32.const -5))
(assert_return (invoke "loop2" (i32.const 5)) (i32.const 10))
(assert_return (invoke "loop3" (i32.const 0)) (i32.const 40))
(assert_return (invoke "self" (i32.const 4)) (i32.const 5))
(assert_return (invoke "loop4" (i32.const 0)) (i32.const 20))
(assert_return (invoke "loop4" (i32.const 30)) (i32.const 1))

;; two i32.adds, the first kept in a local (I32_ADD2): the second reads the
;; first's new value, or the local it overwrites
(module
  (memory 1)
  (data (i32.const 40) "\2a\00\00\00")
  (func (export "add2") (param i32 i32 i32) (result i32) (local i32 i32)
    (local.set 3 (i32.add (local.get 0) (local.get 1)))
    (local.set 4 (i32.add (local.get 3) (local.get 2)))
    (i32.add (i32.mul (local.get 3) (i32.const 1000)) (local.get 4)))
  (func (export "fib_step") (param i32 i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (local.get 1)))
    (local.set 1 (i32.add (local.get 0) (local.get 1)))
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))
  ;; the second sum teed and used as an address
  (func (export "add2_load") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.add (local.get 0) (local.get 1)))
    (i32.load (local.tee 3 (i32.add (local.get 2) (local.get 1)))))
  (func (export "add2_wrap") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.add (local.get 0) (local.get 1)))
    (i32.add (local.get 2) (local.get 2)))
)
(assert_return (invoke "add2" (i32.const 1) (i32.const 2) (i32.const 4)) (i32.const 3007))
(assert_return (invoke "fib_step" (i32.const 3) (i32.const 5)) (i32.const 8013))
(assert_return (invoke "add2_load" (i32.const 20) (i32.const 10)) (i32.const 42))
(assert_return (invoke "add2_wrap" (i32.const 0x7fffffff) (i32.const 0x7fffffff)) (i32.const -4))
