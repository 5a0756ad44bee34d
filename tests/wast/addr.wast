;; Deferred `local + constant` (V_ADDI in translate.c): the add is emitted
;; only where its value is needed, or joins a load or store as its address
;; (the _AI forms). Each case below would read a stale or wrong value if the
;; deferral were wrong. Run by ctest as wast/interp.
(module
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
  ;; the address pushed, then its local changed before the store: the store
  ;; must use the old p + 4
  (func (export "store_then_set") (param $p i32) (result i32)
    (i32.store
      (i32.add (local.get $p) (i32.const 4))
      (block (result i32) (local.set $p (i32.const 100)) (i32.const 77)))
    (i32.add (i32.load (i32.const 4)) (local.get $p)))
  ;; the same through local.tee inside the value
  (func (export "store_then_tee") (param $p i32) (result i32)
    (i32.store
      (i32.add (local.get $p) (i32.const 8))
      (local.tee $p (i32.const 55)))
    (i32.add (i32.load (i32.const 8)) (local.get $p)))
  ;; wrapping: (p + k) is taken mod 2^32, then the offset is added without
  ;; wrapping (the spec's effective address is 33 bits)
  (func (export "wrap_load") (param $p i32) (result i32)
    (i32.load offset=4 (i32.add (local.get $p) (i32.const 8))))
  (func (export "wrap_store") (param $p i32) (param $v i32)
    (i32.store offset=4 (i32.add (local.get $p) (i32.const 8)) (local.get $v)))
  ;; constants folded: ((p + 8) - 4) + 2
  (func (export "fold") (param $p i32) (result i32)
    (i32.add (i32.sub (i32.add (local.get $p) (i32.const 8)) (i32.const 4)) (i32.const 2)))
  (func (export "fold_load") (param $p i32) (result i32)
    (i32.load (i32.sub (i32.add (local.get $p) (i32.const 12)) (i32.const 4))))
  ;; as a branch condition, a result, a call argument, a block result
  (func (export "cond") (param $p i32) (result i32)
    (block $b (br_if $b (i32.add (local.get $p) (i32.const -3))) (return (i32.const 1)))
    (i32.const 2))
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "arg") (param $p i32) (result i32) (call $id (i32.add (local.get $p) (i32.const 5))))
  (func (export "blk") (param $p i32) (result i32)
    (block (result i32) (i32.add (local.get $p) (i32.const 6))))
  ;; teed into its own local, then read below and after
  (func (export "tee_self") (param $p i32) (result i32)
    (local.get $p)
    (local.tee $p (i32.add (local.get $p) (i32.const 10)))
    (i32.add)
    (local.get $p)
    (i32.mul (i32.const 1000))
    (i32.add))
  ;; deferred value kept under a call that cannot change the local, then stored
  (func (export "under_call") (param $p i32) (result i32)
    (i32.store (i32.add (local.get $p) (i32.const 12)) (call $id (i32.const 9)))
    (i32.load (i32.const 12)))
  ;; a deferred address below an `if` that sets the local on one arm
  (func (export "under_if") (param $p i32) (param $c i32) (result i32)
    (i32.add (local.get $p) (i32.const 1))
    (if (local.get $c) (then (local.set $p (i32.const 1000))))
    (local.get $p)
    (i32.add))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  ;; out of bounds through a store_AI
  (func (export "oob_store") (param $p i32)
    (i32.store (i32.add (local.get $p) (i32.const 65535)) (i32.const 1)))
)
(assert_return (invoke "store_then_set" (i32.const 0)) (i32.const 177))
(assert_return (invoke "store_then_tee" (i32.const 0)) (i32.const 110))
(assert_return (invoke "wrap_load" (i32.const -8)) (i32.const 77))
(assert_return (invoke "wrap_store" (i32.const -8) (i32.const 42)))
(assert_return (invoke "wrap_load" (i32.const -8)) (i32.const 42))
(assert_trap (invoke "wrap_load" (i32.const -12)) "out of bounds memory access")
(assert_trap (invoke "wrap_store" (i32.const -12) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "wrap_load" (i32.const 65524)) "out of bounds memory access")
(assert_return (invoke "fold" (i32.const 1)) (i32.const 7))
(assert_return (invoke "fold" (i32.const -6)) (i32.const 0))
(assert_return (invoke "fold_load" (i32.const 0)) (i32.const 55))
(assert_return (invoke "cond" (i32.const 3)) (i32.const 1))
(assert_return (invoke "cond" (i32.const 4)) (i32.const 2))
(assert_return (invoke "arg" (i32.const 1)) (i32.const 6))
(assert_return (invoke "blk" (i32.const 1)) (i32.const 7))
(assert_return (invoke "tee_self" (i32.const 1)) (i32.const 11012))
(assert_return (invoke "under_call" (i32.const 0)) (i32.const 9))
(assert_return (invoke "under_if" (i32.const 5) (i32.const 0)) (i32.const 11))
(assert_return (invoke "under_if" (i32.const 5) (i32.const 1)) (i32.const 1006))
(assert_trap (invoke "oob_store" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "oob_store" (i32.const 2)) "out of bounds memory access")
;; p + 65535 wraps to 0: in bounds
(assert_return (invoke "oob_store" (i32.const -65535)))
(assert_return (invoke "peek" (i32.const 0)) (i32.const 1))
