;; call_indirect after every kind of table write: the native tier calls
;; through a copy of each element's code, context and type kept beside the
;; table's elements (cairn_aot.h, cairn_aot_table.calls; runtime.h, RtCall),
;; which every writer must bring in step: table.set (native code writes it
;; itself), table.grow, table.fill, table.copy, table.init, elem segments at
;; instantiation, another instance writing an imported table, and a write
;; from a host function (the spectest table through another module). Each
;; case fails if the copy goes stale: it calls the old function, misses a
;; null (uninitialized element) or a type mismatch. Run by ctest through the
;; interpreter (wast/interp), the native tier (wast/aot) and with explicit
;; bounds checks (wast/aot-checked).

(module $T
  (type $i (func (result i32)))
  (type $ii (func (param i32) (result i32)))
  (table $t (export "t") 4 funcref)
  (elem (i32.const 0) $one $two)
  (elem $seg func $three $four $neg)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func $three (result i32) (i32.const 3))
  (func $four (result i32) (i32.const 4))
  (func $neg (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (func (export "call") (param i32) (result i32)
    (call_indirect $t (type $i) (local.get 0)))
  (func (export "call1") (param i32 i32) (result i32)
    (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "set") (param i32 i32)
    ;; element a := the function at element b (or null if b is 3 and unset)
    (table.set $t (local.get 0) (table.get $t (local.get 1))))
  (func (export "set_null") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "set_three") (param i32) (table.set $t (local.get 0) (ref.func $three)))
  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.func $four) (local.get 0)))
  (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $two) (local.get 1)))
  (func (export "fill_null") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (table.init $t $seg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "size") (result i32) (table.size $t))
)
(register "T" $T)

;; elem segments at instantiation
(assert_return (invoke "call" (i32.const 0)) (i32.const 1))
(assert_return (invoke "call" (i32.const 1)) (i32.const 2))
(assert_trap (invoke "call" (i32.const 2)) "uninitialized element")
(assert_trap (invoke "call" (i32.const 4)) "undefined element")

;; table.set: a function, a copy of another element, null
(invoke "set_three" (i32.const 2))
(assert_return (invoke "call" (i32.const 2)) (i32.const 3))
(invoke "set" (i32.const 0) (i32.const 1))
(assert_return (invoke "call" (i32.const 0)) (i32.const 2))
(invoke "set_null" (i32.const 0))
(assert_trap (invoke "call" (i32.const 0)) "uninitialized element")
(invoke "set_three" (i32.const 0))
(assert_return (invoke "call" (i32.const 0)) (i32.const 3))

;; table.grow: new elements callable, the old ones unchanged after the move
(assert_return (invoke "grow" (i32.const 1000)) (i32.const 4))
(assert_return (invoke "size") (i32.const 1004))
(assert_return (invoke "call" (i32.const 1003)) (i32.const 4))
(assert_return (invoke "call" (i32.const 4)) (i32.const 4))
(assert_return (invoke "call" (i32.const 0)) (i32.const 3))
(assert_return (invoke "call" (i32.const 1)) (i32.const 2))
(assert_trap (invoke "call" (i32.const 1004)) "undefined element")

;; table.fill with a function and with null
(invoke "fill" (i32.const 10) (i32.const 20))
(assert_return (invoke "call" (i32.const 9)) (i32.const 4))
(assert_return (invoke "call" (i32.const 10)) (i32.const 2))
(assert_return (invoke "call" (i32.const 29)) (i32.const 2))
(assert_return (invoke "call" (i32.const 30)) (i32.const 4))
(invoke "fill_null" (i32.const 15) (i32.const 2))
(assert_trap (invoke "call" (i32.const 15)) "uninitialized element")
(assert_trap (invoke "call" (i32.const 16)) "uninitialized element")
(assert_return (invoke "call" (i32.const 17)) (i32.const 2))
;; a fill out of bounds writes nothing
(assert_trap (invoke "fill_null" (i32.const 1000) (i32.const 5)) "out of bounds table access")
(assert_return (invoke "call" (i32.const 1000)) (i32.const 4))

;; table.copy, overlapping both ways, nulls included
(invoke "copy" (i32.const 14) (i32.const 15) (i32.const 3))
(assert_trap (invoke "call" (i32.const 14)) "uninitialized element")
(assert_trap (invoke "call" (i32.const 15)) "uninitialized element")
(assert_return (invoke "call" (i32.const 16)) (i32.const 2))
(invoke "copy" (i32.const 1) (i32.const 0) (i32.const 3))
(assert_return (invoke "call" (i32.const 1)) (i32.const 3))
(assert_return (invoke "call" (i32.const 2)) (i32.const 2))
(assert_return (invoke "call" (i32.const 3)) (i32.const 3))

;; table.init from a passive segment, with a function of another type
(invoke "init" (i32.const 40) (i32.const 0) (i32.const 3))
(assert_return (invoke "call" (i32.const 40)) (i32.const 3))
(assert_return (invoke "call" (i32.const 41)) (i32.const 4))
(assert_trap (invoke "call" (i32.const 42)) "indirect call type mismatch")
(assert_return (invoke "call1" (i32.const 42) (i32.const 7)) (i32.const -7))
(assert_trap (invoke "call1" (i32.const 41) (i32.const 7)) "indirect call type mismatch")

;; another instance writes the table: its own functions, through its elem
;; segment at instantiation and its own table.set; calls from T reach them
(module $U
  (import "T" "t" (table $t 1 funcref))
  (elem (i32.const 50) $nine)
  (elem declare func $ten)
  (func $nine (result i32) (i32.const 9))
  (func $ten (result i32) (i32.const 10))
  (func (export "put_ten") (param i32) (table.set $t (local.get 0) (ref.func $ten)))
)
(register "U" $U)
(assert_return (invoke $T "call" (i32.const 50)) (i32.const 9))
(invoke $U "put_ten" (i32.const 51))
(assert_return (invoke $T "call" (i32.const 51)) (i32.const 10))

;; a host function in the table: spectest's print_i32 has type [i32] -> [],
;; so a call through it with type $i is a mismatch and with its own type works
(module $V
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "T" "t" (table $t 1 funcref))
  (type $p (func (param i32)))
  (elem (i32.const 60) $print)
  (func (export "call_print") (param i32)
    (call_indirect $t (type $p) (i32.const 5) (local.get 0)))
)
(invoke $V "call_print" (i32.const 60))
(assert_trap (invoke $T "call" (i32.const 60)) "indirect call type mismatch")
(assert_trap (invoke $V "call_print" (i32.const 61)) "indirect call type mismatch")
