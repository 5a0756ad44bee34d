;; Large memories in huge pages (src/engine/runtime/memory.c, mem_huge_ahead):
;; past 4 MiB, a grow that ends inside a 2 MiB chunk makes the whole chunk
;; resident and its part past the end inaccessible again. The bytes past the
;; end must still trap, for loads and stores, up to and past the chunk's end;
;; a later grow into the chunk must read zero there (nothing could write it).
;; Grows of one page, of several pages, ending on a chunk boundary and across
;; chunks; a memory whose initial size is already past 4 MiB. Run by ctest in
;; every tier (wast/interp, wast/aot, wast/aot-checked, ...).
(module
  (memory 64) ;; 4 MiB: exactly on a chunk boundary
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "ld") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "ld64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "st") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "st64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
)

(assert_return (invoke "ld" (i32.const 4194303)) (i32.const 0))
(assert_trap (invoke "ld" (i32.const 4194304)) "out of bounds memory access")

;; 4 MiB + 64 KiB: the chunk [4 MiB, 6 MiB) is entered
(assert_return (invoke "grow" (i32.const 1)) (i32.const 64))
(assert_return (invoke "size") (i32.const 65))
(assert_return (invoke "ld" (i32.const 4259839)) (i32.const 0))
(invoke "st" (i32.const 4259839) (i32.const 7))
(assert_return (invoke "ld" (i32.const 4259839)) (i32.const 7))
(assert_trap (invoke "ld" (i32.const 4259840)) "out of bounds memory access")
(assert_trap (invoke "st" (i32.const 4259840) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "ld" (i32.const 5000000)) "out of bounds memory access")
(assert_trap (invoke "st" (i32.const 5000000) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "ld" (i32.const 6291455)) "out of bounds memory access")
(assert_trap (invoke "st" (i32.const 6291455) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "ld" (i32.const 6291456)) "out of bounds memory access")
;; an 8-byte access straddling the end writes nothing
(assert_trap (invoke "st64" (i32.const 4259836) (i64.const -1)) "out of bounds memory access")
(assert_return (invoke "ld" (i32.const 4259836)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 4259839)) (i32.const 7))

;; one more page inside the same chunk: the store that trapped wrote nothing
(assert_return (invoke "grow" (i32.const 1)) (i32.const 65))
(assert_return (invoke "ld" (i32.const 4259840)) (i32.const 0))
(assert_return (invoke "ld64" (i32.const 4325368)) (i64.const 0))
(assert_trap (invoke "ld64" (i32.const 4325369)) "out of bounds memory access")
(assert_trap (invoke "ld" (i32.const 5000000)) "out of bounds memory access")
(assert_trap (invoke "ld" (i32.const 6291455)) "out of bounds memory access")

;; up to the chunk's end exactly (6 MiB): the stores that trapped wrote nothing
(assert_return (invoke "grow" (i32.const 30)) (i32.const 66))
(assert_return (invoke "ld" (i32.const 5000000)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 6291455)) (i32.const 0))
(invoke "st" (i32.const 5000000) (i32.const 9))
(assert_return (invoke "ld" (i32.const 5000000)) (i32.const 9))
(assert_trap (invoke "ld" (i32.const 6291456)) "out of bounds memory access")
(assert_trap (invoke "st" (i32.const 6291456) (i32.const 1)) "out of bounds memory access")

;; across a whole chunk into the next: 8 MiB + 64 KiB
(assert_return (invoke "grow" (i32.const 33)) (i32.const 96))
(assert_return (invoke "ld" (i32.const 6291456)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 8454143)) (i32.const 0))
(invoke "st64" (i32.const 8454136) (i64.const 0x0102030405060708))
(assert_return (invoke "ld64" (i32.const 8454136)) (i64.const 0x0102030405060708))
(assert_trap (invoke "ld" (i32.const 8454144)) "out of bounds memory access")
(assert_trap (invoke "ld" (i32.const 10485759)) "out of bounds memory access")
(assert_trap (invoke "st" (i32.const 10485759) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "ld64" (i32.const 8454137)) "out of bounds memory access")
(assert_return (invoke "size") (i32.const 129))

;; an initial size past 4 MiB, not on a chunk boundary (70 pages)
(module
  (memory 70)
  (data (i32.const 4587519) "\2a")
  (func (export "ld") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "st") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
(assert_return (invoke "ld" (i32.const 4587519)) (i32.const 42))
(assert_trap (invoke "ld" (i32.const 4587520)) "out of bounds memory access")
(assert_trap (invoke "st" (i32.const 6000000) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const 70))
(assert_return (invoke "ld" (i32.const 4587520)) (i32.const 0))
(assert_return (invoke "ld" (i32.const 4653055)) (i32.const 0))
(assert_trap (invoke "ld" (i32.const 4653056)) "out of bounds memory access")
