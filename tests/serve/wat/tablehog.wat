;; A table blow-up: grows its table by 100,000 elements until refused, then
;; exits with status 3. Used by limits.sh and faults.sh.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "_start")
    (loop $l
      (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 100000)) (i32.const -1))))
    (call $exit (i32.const 3))))
