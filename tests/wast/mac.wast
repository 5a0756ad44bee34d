;; Interpreter fusion of f64 load-multiply-load-add-store into one op
;; (F64_MAC, interp.h): the shapes that fuse, and the near misses that must
;; not (a teed product or sum, another address, another offset), rounding,
;; aliasing and traps. Run by ctest as wast/interp.
(module
  (memory 1)
  ;; c[i] = x*b[i] + c[i] as clang emits it: the address teed, the product
  ;; first, the loaded c as the add's right operand
  (func $axpy (param $x f64) (param $c i32) (param $b i32) (param $n i32) (local $p i32)
    (loop $l
      (f64.store
        (local.tee $p (local.get $c))
        (f64.add (f64.mul (local.get $x) (f64.load (local.get $b))) (f64.load (local.get $p))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  ;; the same with b's address an add of a constant (the _AI form) and offsets
  (func $axpy_ai (param $x f64) (param $c i32) (param $b i32) (param $n i32)
    (loop $l
      (f64.store offset=16
        (local.get $c)
        (f64.add (f64.mul (local.get $x) (f64.load offset=8 (i32.add (local.get $b) (i32.const 8))))
                 (f64.load offset=16 (local.get $c))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  ;; the pointer bump joined to the MAC (F64_MAC_PRE): p += 8, then
  ;; c[p] += x * b[q + 8] as clang unrolls it
  (func $axpy_pre (param $x f64) (param $p i32) (param $q i32) (param $n i32)
    (loop $l
      (f64.store
        (local.tee $p (i32.add (local.get $p) (i32.const 8)))
        (f64.add (f64.mul (local.get $x) (f64.load (i32.add (local.get $q) (i32.const 8))))
                 (f64.load (local.get $p))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  ;; b is the stepped local itself, read after the step: c[i] += x * c[i+1]
  (func $axpy_pre_self (param $x f64) (param $p i32) (param $n i32)
    (loop $l
      (f64.store
        (local.tee $p (i32.add (local.get $p) (i32.const 8)))
        (f64.add (f64.mul (local.get $x) (f64.load (i32.add (local.get $p) (i32.const 8))))
                 (f64.load (local.get $p))))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  (func $axpy_pre2 (param $x f64) (param $p i32) (param $q i32) (param $n i32)
    (loop $l
      (f64.store
        (local.tee $p (i32.add (local.get $p) (i32.const 8)))
        (f64.add (f64.mul (local.get $x) (f64.load offset=8 (local.get $q)))
                 (f64.load (local.get $p))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  ;; both addresses computed by two adds of the index (F64_MAC_ADD2); with
  ;; $swap b's address is the first sum, c's the second (I32_ADD2, F64_MAC)
  (func $axpy_idx (param $x f64) (param $c i32) (param $b i32) (param $n i32) (param $swap i32)
    (local $i i32) (local $p i32) (local $q i32)
    (if (local.get $swap)
      (then
        (loop $l
          (local.set $q (i32.add (local.get $b) (local.get $i)))
          (f64.store (local.tee $p (i32.add (local.get $c) (local.get $i)))
            (f64.add (f64.mul (local.get $x) (f64.load (local.get $q)))
                     (f64.load (local.get $p))))
          (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (local.get $n)))))
      (else
        (loop $l
          (f64.store (local.tee $p (i32.add (local.get $c) (local.get $i)))
            (f64.add (f64.mul (local.get $x)
                              (f64.load offset=8 (local.tee $q (i32.add (local.get $b) (local.get $i)))))
                     (f64.load (local.get $p))))
          (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 8))) (local.get $n)))))))
  ;; clang's axpy unrolled by two (F64_MAC2): c + i and b + i, then the step
  ;; p += 8 with b read at q + 8
  (func $axpy_u2 (param $x f64) (param $c i32) (param $b i32) (param $n i32)
    (local $i i32) (local $p i32) (local $q i32)
    (loop $l
      (f64.store (local.tee $p (i32.add (local.get $c) (local.get $i)))
        (f64.add (f64.mul (local.get $x)
                          (f64.load (local.tee $q (i32.add (local.get $b) (local.get $i)))))
                 (f64.load (local.get $p))))
      (f64.store (local.tee $p (i32.add (local.get $p) (i32.const 8)))
        (f64.add (f64.mul (local.get $x) (f64.load (i32.add (local.get $q) (i32.const 8))))
                 (f64.load (local.get $p))))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $n)))))
  (func $fill (param $p i32) (param $n i32) (param $v f64) (param $step f64)
    (loop $l
      (f64.store (local.get $p) (local.get $v))
      (local.set $v (f64.add (local.get $v) (local.get $step)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
  (func $sum (param $p i32) (param $n i32) (result f64) (local $s f64)
    (loop $l
      (local.set $s (f64.add (local.get $s) (f64.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (local.get $s))

  ;; c = 1..4 at 0, b = 10..13 at 64: c + 0.5*b = 6, 7.5, 9, 10.5 -> 33
  (func (export "axpy") (result f64)
    (call $fill (i32.const 0) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $fill (i32.const 64) (i32.const 4) (f64.const 10) (f64.const 1))
    (call $axpy (f64.const 0.5) (i32.const 0) (i32.const 64) (i32.const 4))
    (call $sum (i32.const 0) (i32.const 4)))
  ;; c at 16 (offset 16 from 0), b at 64+16 (8 + offset 8): the same values
  (func (export "axpy_ai") (result f64)
    (call $fill (i32.const 16) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $fill (i32.const 80) (i32.const 4) (f64.const 10) (f64.const 1))
    (call $axpy_ai (f64.const 0.5) (i32.const 0) (i32.const 64) (i32.const 4))
    (call $sum (i32.const 16) (i32.const 4)))
  ;; c = 1..4 at 0 (p starts 8 below), b = 10..13 at 64 (q + 8): 33
  (func (export "pre") (result f64)
    (call $fill (i32.const 0) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $fill (i32.const 64) (i32.const 4) (f64.const 10) (f64.const 1))
    (call $axpy_pre (f64.const 0.5) (i32.const -8) (i32.const 56) (i32.const 4))
    (call $sum (i32.const 0) (i32.const 4)))
  (func (export "pre2") (result f64)
    (call $fill (i32.const 0) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $fill (i32.const 64) (i32.const 4) (f64.const 10) (f64.const 1))
    (call $axpy_pre2 (f64.const 0.5) (i32.const -8) (i32.const 56) (i32.const 4))
    (call $sum (i32.const 0) (i32.const 4)))
  ;; b read at the stepped p + 8: c[i] += 2 * c[i+1] from the left, with
  ;; c = 1..5: 1+4, 2+6, 3+8, 4+10 = 38, plus c[4] = 5
  (func (export "pre_self") (result f64)
    (call $fill (i32.const 0) (i32.const 5) (f64.const 1) (f64.const 1))
    (call $axpy_pre_self (f64.const 2) (i32.const -8) (i32.const 4))
    (call $sum (i32.const 0) (i32.const 5)))
  (func (export "idx") (param $swap i32) (result f64)
    (call $fill (i32.const 0) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $fill (i32.const 64) (i32.const 4) (f64.const 10) (f64.const 1))
    (call $axpy_idx (f64.const 0.5) (i32.const 0) (i32.sub (i32.const 64) (i32.mul (i32.eqz (local.get $swap)) (i32.const 8)))
                    (i32.const 32) (local.get $swap))
    (call $sum (i32.const 0) (i32.const 4)))
  (func (export "u2") (result f64)
    (call $fill (i32.const 0) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $fill (i32.const 64) (i32.const 4) (f64.const 10) (f64.const 1))
    (call $axpy_u2 (f64.const 0.5) (i32.const 0) (i32.const 64) (i32.const 32))
    (call $sum (i32.const 0) (i32.const 4)))
  ;; b one element behind c: each second step reads what the first stored
  ;; (mem[0] = 10, c = 1..4 at 8): 21, 2*21+2, 2*44+3, 2*91+4
  (func (export "u2_overlap") (result f64)
    (call $fill (i32.const 0) (i32.const 5) (f64.const 0) (f64.const 1))
    (f64.store (i32.const 0) (f64.const 10))
    (call $axpy_u2 (f64.const 2) (i32.const 8) (i32.const 0) (i32.const 32))
    (call $sum (i32.const 8) (i32.const 4)))
  ;; b and c the same array: c[i] = 2*c[i] + c[i]
  (func (export "alias") (result f64)
    (call $fill (i32.const 0) (i32.const 4) (f64.const 1) (f64.const 1))
    (call $axpy (f64.const 2) (i32.const 0) (i32.const 0) (i32.const 4))
    (call $sum (i32.const 0) (i32.const 4)))
  ;; two roundings, as the two Wasm ops: (1+2^-30)^2 rounds to 1+2^-29, so
  ;; the sum with -(1+2^-29) is 0; one fused rounding would leave 2^-60
  (func (export "rounding") (result f64)
    (f64.store (i32.const 8) (f64.const 0x1.00000004p+0))
    (f64.store (i32.const 16) (f64.const -0x1.00000008p+0))
    (f64.store (i32.const 16)
      (f64.add (f64.mul (f64.const 0x1.00000004p+0) (f64.load (i32.const 8)))
               (f64.load (i32.const 16))))
    (f64.store (i32.const 24) (f64.const -0x1.00000008p+0))
    (call $axpy (f64.const 0x1.00000004p+0) (i32.const 24) (i32.const 8) (i32.const 1))
    (f64.add (f64.load (i32.const 16)) (f64.load (i32.const 24))))
  ;; the product teed into a local: the local must be written
  (func (export "tee_product") (result f64) (local $t f64)
    (call $fill (i32.const 0) (i32.const 2) (f64.const 3) (f64.const 1))
    (f64.store (i32.const 0)
      (f64.add (local.tee $t (f64.mul (f64.const 2) (f64.load (i32.const 8)))) (f64.load (i32.const 0))))
    (f64.add (local.get $t) (f64.load (i32.const 0))))
  ;; the sum teed into a local
  (func (export "tee_sum") (param $a i32) (result f64) (local $t f64)
    (call $fill (i32.const 0) (i32.const 2) (f64.const 3) (f64.const 1))
    (f64.store (local.get $a)
      (local.tee $t (f64.add (f64.mul (f64.const 2) (f64.load (i32.const 8))) (f64.load (local.get $a)))))
    (f64.add (local.get $t) (f64.load (i32.const 0))))
  ;; stored to another address than the one loaded: c[1] = 2*b + c[0]
  (func (export "other_addr") (param $a i32) (param $s i32) (result f64)
    (call $fill (i32.const 0) (i32.const 3) (f64.const 3) (f64.const 1))
    (f64.store (local.get $s)
      (f64.add (f64.mul (f64.const 2) (f64.load (i32.const 16))) (f64.load (local.get $a))))
    (call $sum (i32.const 0) (i32.const 3)))
  ;; stored at another offset than the one loaded
  (func (export "other_offset") (param $a i32) (result f64)
    (call $fill (i32.const 0) (i32.const 3) (f64.const 3) (f64.const 1))
    (f64.store offset=8 (local.get $a)
      (f64.add (f64.mul (f64.const 2) (f64.load (i32.const 16))) (f64.load (local.get $a))))
    (call $sum (i32.const 0) (i32.const 3)))
  ;; out of bounds: b (nothing stored), or c
  (func (export "oob") (param $c i32) (param $b i32)
    (call $axpy (f64.const 1) (local.get $c) (local.get $b) (i32.const 1)))
  (func (export "peek") (param i32) (result f64) (f64.load (local.get 0)))
)
(assert_return (invoke "axpy") (f64.const 33))
(assert_return (invoke "axpy_ai") (f64.const 33))
(assert_return (invoke "alias") (f64.const 30))
(assert_return (invoke "pre") (f64.const 33))
(assert_return (invoke "u2") (f64.const 33))
(assert_return (invoke "u2_overlap") (f64.const 342))
(assert_return (invoke "idx" (i32.const 0)) (f64.const 33))
(assert_return (invoke "idx" (i32.const 1)) (f64.const 33))
(assert_return (invoke "pre2") (f64.const 33))
(assert_return (invoke "pre_self") (f64.const 43))
(assert_return (invoke "rounding") (f64.const 0))
;; t = 2*4 = 8; c[0] = 8+3 = 11; 8 + 11
(assert_return (invoke "tee_product") (f64.const 19))
(assert_return (invoke "tee_sum" (i32.const 0)) (f64.const 22))
;; c = 3, 4, 5; c[1] = 2*5 + 3 = 13 -> 3 + 13 + 5
(assert_return (invoke "other_addr" (i32.const 0) (i32.const 8)) (f64.const 21))
;; the same address: c[0] = 2*5 + 3 = 13 -> 13 + 4 + 5
(assert_return (invoke "other_addr" (i32.const 0) (i32.const 0)) (f64.const 22))
;; c[1] = 2*5 + c[0] = 13 -> 3 + 13 + 5
(assert_return (invoke "other_offset" (i32.const 0)) (f64.const 21))
(assert_trap (invoke "oob" (i32.const 0) (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 0)) (f64.const 3))
(assert_trap (invoke "oob" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "oob" (i32.const 65532) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65528)) (f64.const 0))
