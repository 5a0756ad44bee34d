/*
** test_interp.c: unit tests of the interpreter tier (interp/): translation
** to register-style code (operands resolved to frame slots, fused forms),
** control flow (loops, br_table, multi-value blocks, br_if with values),
** calls (recursion, call_indirect and its three traps, deep recursion ->
** "call stack exhausted", then normal calls again), numeric traps, memory
** (loads/stores, out-of-bounds, grow, fill/copy), SIMD (v128 values in
** params, results, locals, globals, blocks, select; lane, float and
** saturation rules; memory bounds), host functions that
** re-enter Wasm or trap, fuel and interruption, and trap backtraces.
** Modules are written in the text format. Prints each check; exits
** non-zero on a failure.
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/interp/interp.h"
#include "engine/runtime/runtime.h"
#include "check.h"


static cairn_val vi32(int32_t x) {
  cairn_val v;
  memset(&v, 0, sizeof v);
  v.type = CAIRN_I32;
  v.of.i32 = x;
  return v;
}
static cairn_module *load(const char *wat) {
  cairn_error err;
  cairn_module *m = cairn_module_from_text(wat, strlen(wat), &err);
  if (!m) printf("     (module error: %s)\n", err.msg);
  return m;
}

static cairn_func *export_func(cairn_instance *inst, const char *name) {
  cairn_extern ex;
  if (!cairn_instance_export(inst, name, strlen(name), &ex) || ex.kind != CAIRN_EXTERN_FUNC)
    return NULL;
  return ex.of.func;
}

/* Calls export `name` with n i32 args; returns true and the first result. */
static bool call_i32(cairn_instance *inst, const char *name, const int32_t *aArg, size_t n,
                     int32_t *pRes, cairn_error *err) {
  cairn_func *f = export_func(inst, name);
  if (!f) return false;
  cairn_val args[8], res[4];
  for (size_t i = 0; i < n; i++) args[i] = vi32(aArg[i]);
  const cairn_functype *ft = cairn_func_type(f);
  if (!cairn_func_call(f, args, n, res, ft->nresults, err)) return false;
  if (pRes && ft->nresults) *pRes = res[0].of.i32;
  return true;
}

static bool expect_i32(cairn_instance *inst, const char *name, const int32_t *aArg, size_t n,
                       int32_t want) {
  cairn_error err;
  int32_t got = 0;
  if (!call_i32(inst, name, aArg, n, &got, &err)) {
    printf("     (%s trapped: %s)\n", name, err.msg);
    return false;
  }
  if (got != want) printf("     (%s: got %d, want %d)\n", name, got, want);
  return got == want;
}

static bool expect_trap(cairn_instance *inst, const char *name, const int32_t *aArg, size_t n,
                        cairn_trapkind kind, const char *msg) {
  cairn_error err;
  memset(&err, 0, sizeof err);
  if (call_i32(inst, name, aArg, n, NULL, &err)) {
    printf("     (%s: no trap)\n", name);
    return false;
  }
  bool ok = err.trap == kind && strcmp(err.msg, msg) == 0;
  if (!ok) printf("     (%s: trap %d \"%s\")\n", name, (int)err.trap, err.msg);
  return ok;
}

/* ---- translation ---- */

static void test_translation(void) {
  cairn_module *m = load(
      "(module (func (export \"add\") (param i32 i32) (result i32)"
      "  local.get 0 local.get 1 i32.add)"
      " (func (param i32) (local i32)"
      "  local.get 0 i32.const 7 i32.add local.set 1))");
  CHECK(m != NULL, "translate: module compiles");
  if (!m) return;
  cairn_error err;
  const InterpCode *c = interp_translate(m, 0, &err);
  /* I32_ADD 0, 0, 1 (4 words: operands straight from the params, the
  ** result straight to the result slot) + RET + the closing UNREACHABLE */
#ifndef CAIRN_NO_FUSION
  CHECK(c && c->nCode == 4 + 1 + 1, "translate: local.get x2 + i32.add is one instruction");
#endif
  CHECK(c && c->frameSize <= 4, "translate: frame = 2 params + operand stack");
  c = interp_translate(m, 1, &err);
  /* I32_ADD_I 1, 0, 7 (the const is an operand, the result goes to the local) + RET
  ** + UNREACHABLE */
#ifndef CAIRN_NO_FUSION
  CHECK(c && c->nCode == 4 + 1 + 1, "translate: i32.const folded, local.set fused into the add");
#else
  CHECK(c != NULL, "translate: without fusion");
#endif
  cairn_module_free(m);
}

/* ---- the code format: disassembler and verifier ---- */

static const char *zFib =
    "(module (func $fib (export \"fib\") (param $n i32) (result i32)"
    "  (local $a i32) (local $b i32) (local $t i32)"
    "  (local.set $b (i32.const 1))"
    "  (block $done (loop $next"
    "    (br_if $done (i32.eqz (local.get $n)))"
    "    (local.set $t (i32.add (local.get $a) (local.get $b)))"
    "    (local.set $a (local.get $b))"
    "    (local.set $b (local.get $t))"
    "    (local.set $n (i32.sub (local.get $n) (i32.const 1)))"
    "    (br $next)))"
    "  (local.get $a)))";

#ifndef CAIRN_NO_FUSION
static const char *zFibCode =
    "func[0] \"fib\": 30 words; slots: 1 params, 1 results, 2 zeroed locals, frame 6\n"
    "     0  CONST32               s3, 1\n"
    "     3  BR_UNLESS             s0, ->22\n"
    "     6  I32_ADD               s2, s1, s3\n"
    "    10  MOV                   s1, s3\n"
    "    13  MOV                   s3, s2\n"
    "    16  I32_ADD_I             s0, s0, -1\n"
    "    20  BR                    ->3\n"
    "    22  MOV                   s4, s1\n"
    "    25  MOV                   s0, s4\n"
    "    28  RET\n"
    "    29  UNREACHABLE\n";
#else
static const char *zFibCode =
    "func[0] \"fib\": 42 words; slots: 1 params, 1 results, 2 zeroed locals, frame 6\n"
    "     0  CONST32               s3, 1\n"
    "     3  I32_EQZ               s4, s0\n"
    "     6  BR_IF                 s4, ->34\n"
    "     9  I32_ADD               s4, s1, s3\n"
    "    13  MOV                   s2, s4\n"
    "    16  MOV                   s1, s3\n"
    "    19  MOV                   s3, s2\n"
    "    22  CONST32               s5, 1\n"
    "    25  I32_SUB               s4, s0, s5\n"
    "    29  MOV                   s0, s4\n"
    "    32  BR                    ->3\n"
    "    34  MOV                   s4, s1\n"
    "    37  MOV                   s0, s4\n"
    "    40  RET\n"
    "    41  UNREACHABLE\n";
#endif

/* The disassembly of c as a string (caller frees). */
static char *disasm(const cairn_module *m, const InterpCode *c) {
  char *z = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&z, &n);
  if (!f) return NULL;
  interp_disassemble(m, c, f);
  fclose(f);
  return z;
}

/* A private copy of c, to corrupt. */
static InterpCode *code_copy(const InterpCode *c) {
  size_t n = sizeof *c + (size_t)c->nCode * sizeof(uint32_t);
  InterpCode *p = malloc(n);
  if (p) memcpy(p, c, n);
  return p;
}

/* Word index of the first instruction with op, or UINT32_MAX. */
static uint32_t find_op(const InterpCode *c, IOp want) {
  for (uint32_t pos = 0; pos < c->nCode;) {
    IOp op;
    IKind ak[16];
    if (!interp_op_of_word(c->aCode[pos], &op)) return UINT32_MAX;
    if (op == want) return pos;
    uint32_t n = interp_op_kinds(op, ak), len = 1;
    for (uint32_t k = 0; k < n; k++) len += ak[k] == IK_I64 ? 2 : ak[k] == IK_SHUF ? 4 : 1;
    pos += len;
  }
  return UINT32_MAX;
}

/* True if interp_verify rejects c with a reason containing zWant. */
static bool rejects(const cairn_module *m, const InterpCode *c, const char *zWant) {
  char zWhy[256];
  bool ok = interp_verify(m, c, zWhy, sizeof zWhy);
  if (ok || !strstr(zWhy, zWant)) printf("     (verify: %s)\n", ok ? "accepted" : zWhy);
  return !ok && strstr(zWhy, zWant) != NULL;
}

/* Every defined function of the module text zWat translates to code that
** interp_verify accepts. */
static bool verify_all(const char *zWat) {
  cairn_module *m = load(zWat);
  if (!m) return false;
  bool ok = true;
  for (uint32_t i = m->nFuncImport; i < m->nFunc; i++) {
    cairn_error err;
    char zWhy[256];
    const InterpCode *c = interp_translate(m, i, &err);
    if (!c || !interp_verify(m, c, zWhy, sizeof zWhy)) {
      printf("     (func %u: %s)\n", i, c ? zWhy : err.msg);
      ok = false;
    }
  }
  cairn_module_free(m);
  return ok;
}

static void test_code_format(void) {
  cairn_module *m = load(zFib);
  CHECK(m != NULL, "code: module compiles");
  if (!m) return;
  cairn_error err;
  const InterpCode *c = interp_translate(m, 0, &err);
  CHECK(c != NULL, "code: fib translates");
  if (!c) return;
  char *z = disasm(m, c);
  CHECK(z && strcmp(z, zFibCode) == 0, "code: disassembly of fib");
  if (z && strcmp(z, zFibCode) != 0) printf("%s", z);
  free(z);
  char zWhy[256];
  CHECK(interp_verify(m, c, zWhy, sizeof zWhy), "code: the verifier accepts fib");

  /* public entry point: same text; bad indices are errors */
  z = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&z, &n);
  bool ok = f && cairn_module_disassemble(m, 0, f, &err);
  if (f) fclose(f);
  CHECK(ok && z && strcmp(z, zFibCode) == 0, "code: cairn_module_disassemble prints the same");
  free(z);
  CHECK(!cairn_module_disassemble(m, 1, stdout, &err) && err.kind == CAIRN_ERR_ARG,
        "code: cairn_module_disassemble of a function out of range fails");

  /* hand-corrupted code */
  InterpCode *bad = code_copy(c);
  uint32_t at = find_op(c, IOP_CONST32);
  CHECK(bad && at != UINT32_MAX, "code: fib has a CONST32");
  if (!bad || at == UINT32_MAX) return;
  bad->aCode[at + IOFF(DI, dst)] = c->frameSize;
  CHECK(rejects(m, bad, "past the frame"), "code: verifier rejects a slot past the frame");
  memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
  bad->aCode[0] = 0xdeadbeefu;
  CHECK(rejects(m, bad, "unknown op word"), "code: verifier rejects an unknown op");
  memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
  uint32_t br = find_op(c, IOP_BR);
  CHECK(br != UINT32_MAX, "code: fib has a BR");
  if (br != UINT32_MAX) {
    /* the loop's back edge one word late: into the middle of the first
    ** instruction after the loop head */
    bad->aCode[br + IOFF(BR, target)] += 1;
    CHECK(rejects(m, bad, "not the start of an instruction"),
          "code: verifier rejects a branch into the middle of an instruction");
    memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
    bad->aCode[br + IOFF(BR, target)] = (uint32_t)(int32_t)(c->nCode + 5 - br);
    CHECK(rejects(m, bad, "not the start of an instruction"),
          "code: verifier rejects a branch past the end");
  }
  memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
  bad->nCode = at + 2;
  CHECK(rejects(m, bad, "runs past the end"), "code: verifier rejects a truncated instruction");
  memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
  bad->nCode = c->nCode - 1;
  CHECK(rejects(m, bad, "UNREACHABLE"), "code: verifier wants the closing UNREACHABLE");
  memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
  bad->frameSize = 2;
  CHECK(rejects(m, bad, "past the frame"), "code: verifier rejects locals past the frame");

  /* a failure in a Debug build: abort with the reason and the disassembly */
  memcpy(bad, c, sizeof *c + c->nCode * sizeof(uint32_t));
  bad->aCode[at + IOFF(DI, dst)] = 1000;
  int fd[2];
  if (pipe(fd) == 0) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fd[1], 2);
      close(fd[0]);
      interp_verify_or_die(m, bad);
      _exit(0);
    }
    close(fd[1]);
    char zOut[4096];
    size_t nOut = 0;
    ssize_t r;
    while (nOut < sizeof zOut - 1 && (r = read(fd[0], zOut + nOut, sizeof zOut - 1 - nOut)) > 0)
      nOut += (size_t)r;
    zOut[nOut] = 0;
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "code: a bad translation aborts");
    CHECK(strstr(zOut, "slot 1000 past the frame") &&
              strstr(zOut, "CONST32               s1000, 1"),
          "code: ... printing the reason and the disassembly");
  }
  free(bad);
  cairn_module_free(m);
}

/* ---- control flow and calls ---- */

static const char *zControl =
    "(module"
    " (func $fac (export \"fac\") (param i32) (result i32)"
    "  (if (result i32) (i32.le_s (local.get 0) (i32.const 1))"
    "   (then (i32.const 1))"
    "   (else (i32.mul (local.get 0) (call $fac (i32.sub (local.get 0) (i32.const 1)))))))"
    " (func (export \"fib\") (param i32) (result i32) (local i32 i32 i32)"
    "  (local.set 1 (i32.const 0)) (local.set 2 (i32.const 1))"
    "  (block $done (loop $l"
    "   (br_if $done (i32.eqz (local.get 0)))"
    "   (local.set 3 (i32.add (local.get 1) (local.get 2)))"
    "   (local.set 1 (local.get 2)) (local.set 2 (local.get 3))"
    "   (local.set 0 (i32.sub (local.get 0) (i32.const 1)))"
    "   (br $l)))"
    "  (local.get 1))"
    " (func (export \"switch\") (param i32) (result i32)"
    "  (block $d (block $c (block $b (block $a"
    "   (br_table $a $b $c $d (local.get 0)))"
    "   (return (i32.const 100)))"
    "   (return (i32.const 101)))"
    "   (return (i32.const 102)))"
    "  (i32.const 103))"
    " (func (export \"brvals\") (param i32) (result i32)"
    "  (i32.add (i32.const 1000)"
    "   (block (result i32) (br_if 0 (i32.const 7) (local.get 0)) (drop) (i32.const 9))))"
    " (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))"
    " (func (export \"multi\") (param i32 i32) (result i32)"
    "  (local.get 0) (local.get 1) (block (param i32 i32) (result i32 i32) (call $swap))"
    "  (i32.sub))"
    " (func (export \"stale\") (param i32) (result i32)"
    "  (local.get 0) (local.set 0 (i32.const 5)) (local.get 0) (i32.sub))"
    " (func (export \"tee\") (param i32) (result i32)"
    "  (i32.add (local.tee 0 (i32.mul (local.get 0) (i32.const 3))) (local.get 0)))"
    " (func (export \"sum\") (param i32) (result i32) (local i32)"
    "  (loop $l (local.set 1 (i32.add (local.get 1) (local.get 0)))"
    "   (br_if $l (i32.ne (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))"
    "  (local.get 1))"
    " (func $rec (export \"rec\") (param i32) (result i32)"
    "  (if (result i32) (local.get 0) (then (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))"
    "   (else (i32.const 0))))"
    " (func (export \"inf\") (call 10))"
    " (func $inf2 (call $inf2))"
    ")";

static void test_control(cairn_store *s) {
  cairn_module *m = load(zControl);
  CHECK(m != NULL, "control: module compiles");
  if (!m) return;
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, NULL, 0, &err);
  CHECK(inst != NULL, "control: instantiates");
  if (!inst) {
    cairn_module_free(m);
    return;
  }
  int32_t a;
  a = 10; CHECK(expect_i32(inst, "fac", &a, 1, 3628800), "fac(10) = 3628800 (recursion)");
  a = 30; CHECK(expect_i32(inst, "fib", &a, 1, 832040), "fib(30) = 832040 (loop, br_if)");
  bool sw = true;
  for (int i = -1; i < 6; i++) {
    int32_t want = i >= 0 && i < 3 ? 100 + i : 103;
    if (!expect_i32(inst, "switch", &i, 1, want)) sw = false;
  }
  CHECK(sw, "br_table: every case and the default");
  a = 1; CHECK(expect_i32(inst, "brvals", &a, 1, 1007), "br_if taken carries its value");
  a = 0; CHECK(expect_i32(inst, "brvals", &a, 1, 1009), "br_if not taken keeps the stack");
  int32_t two[2] = {3, 10};
  CHECK(expect_i32(inst, "multi", two, 2, 7), "multi-value call and block params");
  a = 9; CHECK(expect_i32(inst, "stale", &a, 1, 4), "local.get before local.set keeps the old value");
  a = 5; CHECK(expect_i32(inst, "tee", &a, 1, 30), "local.tee fused with its producer");
  a = 100; CHECK(expect_i32(inst, "sum", &a, 1, 5050), "loop with compare+br_if fusion");
  a = 5000; CHECK(expect_i32(inst, "rec", &a, 1, 5000), "recursion 5000 deep");
  a = 1000000;
  cairn_error e2;
  memset(&e2, 0, sizeof e2);
  bool ok = call_i32(inst, "rec", &a, 1, NULL, &e2);
  CHECK(!ok && e2.kind == CAIRN_ERR_EXHAUSTION && e2.trap == CAIRN_TRAP_STACK_EXHAUSTED &&
            strcmp(e2.msg, "call stack exhausted") == 0,
        "deep recursion -> \"call stack exhausted\" (EXHAUSTION)");
  CHECK(!ok && e2.nframes == CAIRN_MAX_BACKTRACE && e2.frames[0].func_index == 9,
        "exhaustion backtrace names the recursive function");
  CHECK(expect_trap(inst, "inf", NULL, 0, CAIRN_TRAP_STACK_EXHAUSTED, "call stack exhausted"),
        "infinite recursion traps");
  a = 12; CHECK(expect_i32(inst, "fac", &a, 1, 479001600), "calls work again after exhaustion");
  cairn_module_free(m);
}

/* ---- call_indirect and traps ---- */

static const char *zTraps =
    "(module"
    " (type $ii (func (param i32) (result i32)))"
    " (type $v (func))"
    " (table 4 funcref)"
    " (elem (i32.const 0) $dbl $nop)"
    " (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))"
    " (func $nop (type $v))"
    " (func (export \"ci\") (param i32 i32) (result i32)"
    "  (call_indirect (type $ii) (local.get 1) (local.get 0)))"
    " (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"
    " (func (export \"rem\") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))"
    " (func (export \"trunc\") (param i32) (result i32)"
    "  (i32.trunc_f32_s (f32.div (f32.convert_i32_s (local.get 0)) (f32.const 0))))"
    " (func (export \"sat\") (param i32) (result i32)"
    "  (i32.trunc_sat_f32_s (f32.div (f32.convert_i32_s (local.get 0)) (f32.const 0))))"
    " (func $inner (unreachable))"
    " (func $outer (export \"unr\") (call $inner))"
    " (func (export \"minz\") (result i32)"
    "  (i32.reinterpret_f32 (f32.min (f32.const 0) (f32.const -0))))"
    " (func (export \"nearest\") (result i32)"
    "  (i32.trunc_f64_s (f64.nearest (f64.const 2.5))))"
    ")";

static void test_traps(cairn_store *s) {
  cairn_module *m = load(zTraps);
  CHECK(m != NULL, "traps: module compiles");
  if (!m) return;
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, NULL, 0, &err);
  CHECK(inst != NULL, "traps: instantiates");
  if (!inst) {
    cairn_module_free(m);
    return;
  }
  int32_t a2[2] = {0, 21};
  CHECK(expect_i32(inst, "ci", a2, 2, 42), "call_indirect through the table");
  a2[0] = 1;
  CHECK(expect_trap(inst, "ci", a2, 2, CAIRN_TRAP_INDIRECT_MISMATCH, "indirect call type mismatch"),
        "call_indirect: type mismatch");
  a2[0] = 2;
  CHECK(expect_trap(inst, "ci", a2, 2, CAIRN_TRAP_UNINITIALIZED_ELEMENT, "uninitialized element"),
        "call_indirect: null entry");
  a2[0] = 4;
  CHECK(expect_trap(inst, "ci", a2, 2, CAIRN_TRAP_UNDEFINED_ELEMENT, "undefined element"),
        "call_indirect: index out of the table");
  int32_t d[2] = {7, 0};
  CHECK(expect_trap(inst, "div", d, 2, CAIRN_TRAP_DIV_ZERO, "integer divide by zero"),
        "i32.div_s by zero");
  d[0] = INT32_MIN, d[1] = -1;
  CHECK(expect_trap(inst, "div", d, 2, CAIRN_TRAP_INT_OVERFLOW, "integer overflow"),
        "i32.div_s overflow");
  CHECK(expect_i32(inst, "rem", d, 2, 0), "i32.rem_s INT_MIN % -1 = 0");
  int32_t x = 1;
  CHECK(expect_trap(inst, "trunc", &x, 1, CAIRN_TRAP_INT_OVERFLOW, "integer overflow"),
        "i32.trunc_f32_s of +inf");
  x = 0;
  CHECK(expect_trap(inst, "trunc", &x, 1, CAIRN_TRAP_BAD_CONVERSION,
                    "invalid conversion to integer"),
        "i32.trunc_f32_s of NaN");
  x = -1;
  CHECK(expect_i32(inst, "sat", &x, 1, INT32_MIN), "i32.trunc_sat_f32_s of -inf");
  CHECK(expect_i32(inst, "minz", NULL, 0, (int32_t)0x80000000), "f32.min(0, -0) = -0");
  CHECK(expect_i32(inst, "nearest", NULL, 0, 2), "f64.nearest(2.5) = 2 (ties to even)");
  memset(&err, 0, sizeof err);
  bool ok = call_i32(inst, "unr", NULL, 0, NULL, &err);
  CHECK(!ok && err.trap == CAIRN_TRAP_UNREACHABLE && strcmp(err.msg, "unreachable") == 0,
        "unreachable traps");
  CHECK(!ok && err.nframes == 2 && err.frames[0].func_index == 7 &&
            err.frames[1].func_index == 8,
        "backtrace: innermost first");
  cairn_module_free(m);
}

/* ---- trap locations: the instruction's offset in each frame ---- */

static const char *zOffsets =
    "(module"
    " (type $ii (func (param i32) (result i32)))"
    " (memory 1)"
    " (table 2 funcref)"
    " (elem (i32.const 0) $c)"
    " (func $div (export \"div\") (param i32) (result i32)"           /* 0 */
    "  nop (i32.div_u (i32.const 7) (local.get 0)))"
    " (func $ovf (export \"ovf\") (param i32) (result i32)"           /* 1 */
    "  (i32.div_s (i32.const 0x80000000) (local.get 0)))"
    " (func $conv (export \"conv\") (param i32) (result i32)"         /* 2 */
    "  (i32.trunc_f32_s (f32.div (f32.convert_i32_s (local.get 0)) (f32.const 0))))"
    " (func $unr (export \"unr\") (param i32) (result i32) nop unreachable)" /* 3 */
    " (func $ci (export \"ci\") (param i32) (result i32)"             /* 4 */
    "  (call_indirect (type $ii) (i32.const 0) (local.get 0)))"
    " (func $tget (export \"tget\") (param i32) (result i32)"         /* 5 */
    "  (drop (table.get (local.get 0))) (i32.const 0))"
    " (func $fill (export \"fill\") (param i32) (result i32)"         /* 6 */
    "  (memory.fill (local.get 0) (i32.const 0) (i32.const 16)) (i32.const 0))"
    " (func $load (export \"load\") (param i32) (result i32)"         /* 7: I32_LOAD_AI */
    "  (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))"
    " (func $fload (export \"fload\") (param i32) (result i32) (local f64)" /* 8: F64_ADD_M */
    "  (i32.trunc_f64_s (f64.add (local.get 1) (f64.load (local.get 0)))))"
    " (func $c (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))" /* 9 */
    " (func $b (param i32) (result i32) (i32.add (i32.const 1) (call $c (local.get 0))))"
    " (func $a (export \"deep\") (param i32) (result i32) nop (call $b (local.get 0)))"
    ")";

/* The module offset of the first instruction `op` in defined function fidx
** (no imports), read from the binary. */
static uint32_t op_offset(const cairn_module *m, uint32_t fidx, WasmOp op) {
  const Func *f = &m->aFunc[fidx];
  for (const uint8_t *p = f->pBody, *end = p + f->nBody; p < end;) {
    Instr in;
    cairn_error err;
    if (!decode_instr(p, end, m->aBytes, &in, &err)) return 0;
    if (in.op == op) return (uint32_t)(p - m->aBytes);
    p += in.len;
  }
  return 0;
}

/* Frame k of err is function fidx at the instruction `op` of its body. */
static bool frame_at(const cairn_module *m, const cairn_error *err, int k, uint32_t fidx,
                     WasmOp op) {
  uint32_t off = op_offset(m, fidx, op), entry = m->aFunc[fidx].entryOffset;
  const cairn_frame *fr = &err->frames[k];
  bool ok = k < err->nframes && off && fr->func_index == fidx && fr->module_offset == off &&
            fr->func_offset == off - entry;
  if (!ok)
    printf("     (frame %d: func %u +0x%x at 0x%x, want func %u +0x%x at 0x%x)\n", k,
           fr->func_index, fr->func_offset, fr->module_offset, fidx, off - entry, off);
  return ok;
}

/* A memory access past the end: with guard pages the fault does not say
** which instruction it was (the function only); with bounds checks it does. */
static bool frame_at_memory(const cairn_module *m, const cairn_error *err, uint32_t fidx,
                            WasmOp op) {
#if defined(CAIRN_BOUNDS_CHECK) || UINTPTR_MAX <= 0xFFFFFFFFu
  return frame_at(m, err, 0, fidx, op);
#else
  (void)op;
  return err->nframes == 1 && err->frames[0].func_index == fidx &&
         err->frames[0].func_offset == 0 &&
         err->frames[0].module_offset == m->aFunc[fidx].entryOffset;
#endif
}

static bool trap_in(cairn_instance *inst, const char *name, int32_t arg, cairn_trapkind kind,
                    cairn_error *err) {
  memset(err, 0, sizeof *err);
  bool ok = !call_i32(inst, name, &arg, 1, NULL, err) && err->trap == kind;
  if (!ok) printf("     (%s: trap %d, want %d)\n", name, (int)err->trap, (int)kind);
  return ok;
}

static void test_offsets(cairn_store *s) {
  cairn_module *m = load(zOffsets);
  CHECK(m != NULL, "offsets: module compiles");
  if (!m) return;
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, NULL, 0, &err);
  CHECK(inst != NULL, "offsets: instantiates");
  if (!inst) {
    cairn_module_free(m);
    return;
  }
  CHECK(trap_in(inst, "div", 0, CAIRN_TRAP_DIV_ZERO, &err) && err.nframes == 1 &&
            frame_at(m, &err, 0, 0, OP_I32_DIV_U),
        "offsets: divide by zero at the i32.div_u");
  CHECK(trap_in(inst, "ovf", -1, CAIRN_TRAP_INT_OVERFLOW, &err) &&
            frame_at(m, &err, 0, 1, OP_I32_DIV_S),
        "offsets: overflow at the i32.div_s");
  CHECK(trap_in(inst, "conv", 0, CAIRN_TRAP_BAD_CONVERSION, &err) &&
            frame_at(m, &err, 0, 2, OP_I32_TRUNC_F32_S),
        "offsets: invalid conversion at the i32.trunc_f32_s");
  CHECK(trap_in(inst, "unr", 0, CAIRN_TRAP_UNREACHABLE, &err) &&
            frame_at(m, &err, 0, 3, OP_UNREACHABLE),
        "offsets: unreachable after a nop");
  CHECK(trap_in(inst, "ci", 5, CAIRN_TRAP_UNDEFINED_ELEMENT, &err) &&
            frame_at(m, &err, 0, 4, OP_CALL_INDIRECT),
        "offsets: undefined element at the call_indirect");
  CHECK(trap_in(inst, "ci", 1, CAIRN_TRAP_UNINITIALIZED_ELEMENT, &err) &&
            frame_at(m, &err, 0, 4, OP_CALL_INDIRECT),
        "offsets: uninitialized element at the call_indirect");
  CHECK(trap_in(inst, "ci", 0, CAIRN_TRAP_DIV_ZERO, &err) && err.nframes == 2 &&
            frame_at(m, &err, 0, 9, OP_I32_DIV_U) && frame_at(m, &err, 1, 4, OP_CALL_INDIRECT),
        "offsets: a trap in a callee of call_indirect, the caller at the call");
  CHECK(trap_in(inst, "tget", 2, CAIRN_TRAP_TABLE_OOB, &err) &&
            frame_at(m, &err, 0, 5, OP_TABLE_GET),
        "offsets: table out of bounds at the table.get");
  CHECK(trap_in(inst, "fill", 65530, CAIRN_TRAP_MEMORY_OOB, &err) &&
            frame_at(m, &err, 0, 6, OP_MEMORY_FILL),
        "offsets: memory.fill out of bounds at the memory.fill");
  CHECK(trap_in(inst, "load", 65530, CAIRN_TRAP_MEMORY_OOB, &err) &&
            frame_at_memory(m, &err, 7, OP_I32_LOAD),
        "offsets: a load (fused with its address's add) out of bounds");
  CHECK(trap_in(inst, "fload", 65530, CAIRN_TRAP_MEMORY_OOB, &err) &&
            frame_at_memory(m, &err, 8, OP_F64_LOAD),
        "offsets: an f64.load fused into the f64.add, out of bounds, at the load");
  CHECK(trap_in(inst, "deep", 0, CAIRN_TRAP_DIV_ZERO, &err) && err.nframes == 3 &&
            frame_at(m, &err, 0, 9, OP_I32_DIV_U) && frame_at(m, &err, 1, 10, OP_CALL) &&
            frame_at(m, &err, 2, 11, OP_CALL),
        "offsets: three deep, each caller at its call");
  cairn_module_free(m);
}

/* ---- memory ---- */

static const char *zMemory =
    "(module"
    " (memory 1 3)"
    " (data (i32.const 16) \"\\01\\02\\03\\04\")"
    " (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))"
    " (func (export \"load8\") (param i32) (result i32) (i32.load8_s offset=1 (local.get 0)))"
    " (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))"
    " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
    " (func (export \"size\") (result i32) (memory.size))"
    " (func (export \"fill\") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))"
    " (func (export \"copy\") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))"
    " (func (export \"big\") (result i64) (i64.load offset=4294967295 (i32.const -1)))"
    ")";

static void test_memory(cairn_store *s) {
  cairn_module *m = load(zMemory);
  CHECK(m != NULL, "memory: module compiles");
  if (!m) return;
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, NULL, 0, &err);
  CHECK(inst != NULL, "memory: instantiates");
  if (!inst) {
    cairn_module_free(m);
    return;
  }
  int32_t a = 16;
  CHECK(expect_i32(inst, "load", &a, 1, 0x04030201), "i32.load of a data segment");
  int32_t st[2] = {65532, -2};
  CHECK(call_i32(inst, "store", st, 2, NULL, &err), "i32.store at the last word");
  a = 65531;
  CHECK(expect_i32(inst, "load8", &a, 1, -2), "i32.load8_s with offset sign-extends");
  a = 65533;
  CHECK(expect_trap(inst, "load", &a, 1, CAIRN_TRAP_MEMORY_OOB, "out of bounds memory access"),
        "i32.load across the end traps");
  CHECK(expect_trap(inst, "big", NULL, 0, CAIRN_TRAP_MEMORY_OOB, "out of bounds memory access"),
        "address + offset beyond 4 GiB traps");
  a = 1;
  CHECK(expect_i32(inst, "grow", &a, 1, 1), "memory.grow returns the old size");
  CHECK(expect_i32(inst, "size", NULL, 0, 2), "memory.size after grow");
  a = 65536;
  CHECK(expect_i32(inst, "load", &a, 1, 0), "new page is readable and zero");
  a = 5;
  CHECK(expect_i32(inst, "grow", &a, 1, -1), "memory.grow beyond the maximum gives -1");
  int32_t f[3] = {100, 0xAB, 8};
  CHECK(call_i32(inst, "fill", f, 3, NULL, &err), "memory.fill");
  a = 104;
  CHECK(expect_i32(inst, "load", &a, 1, (int32_t)0xABABABAB), "memory.fill wrote");
  int32_t c[3] = {200, 16, 4};
  CHECK(call_i32(inst, "copy", c, 3, NULL, &err), "memory.copy");
  a = 200;
  CHECK(expect_i32(inst, "load", &a, 1, 0x04030201), "memory.copy wrote");
  int32_t bad[3] = {131070, 0, 3};
  CHECK(expect_trap(inst, "fill", bad, 3, CAIRN_TRAP_MEMORY_OOB, "out of bounds memory access"),
        "memory.fill out of bounds traps");
  a = 131068;
  CHECK(expect_i32(inst, "load", &a, 1, 0), "... and wrote nothing");
  cairn_module_free(m);
}

/* ---- host functions, fuel, interruption ---- */

static cairn_func *gReenter;

static bool host_twice(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  /* re-enters Wasm: results = reenter(arg) * 2 */
  cairn_val r;
  cairn_val a = vi32(args[0].of.i32);
  if (!cairn_func_call(gReenter, &a, 1, &r, 1, trap)) return false;
  results[0] = vi32(r.of.i32 * 2);
  return true;
}

static cairn_func *gPing;

static bool host_pong(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  /* mutual recursion through the host: pong(n) = n ? ping(n - 1) + 1 : 0 */
  if (args[0].of.i32 == 0) {
    results[0] = vi32(0);
    return true;
  }
  cairn_val a = vi32(args[0].of.i32 - 1), r;
  if (!cairn_func_call(gPing, &a, 1, &r, 1, trap)) return false;
  results[0] = vi32(r.of.i32 + 1);
  return true;
}

static bool host_fail(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  trap->kind = CAIRN_ERR_TRAP;
  trap->trap = CAIRN_TRAP_HOST;
  snprintf(trap->msg, sizeof trap->msg, "host says no");
  return false;
}

static const char *zHost =
    "(module"
    " (import \"env\" \"twice\" (func $twice (param i32) (result i32)))"
    " (import \"env\" \"fail\" (func $fail))"
    " (import \"env\" \"pong\" (func $pong (param i32) (result i32)))"
    " (func (export \"ping\") (param i32) (result i32) (call $pong (local.get 0)))"
    " (func (export \"inc\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))"
    " (func (export \"outer\") (param i32) (result i32)"
    "  (i32.add (i32.const 1000) (call $twice (local.get 0))))"
    " (func (export \"fails\") (result i32) (call $fail) (i32.const 1))"
    " (func (export \"spin\") (loop $l (br $l)))"
    ")";

static void test_host(void) {
  cairn_store *s = cairn_store_new(NULL);
  cairn_module *m = load(zHost);
  CHECK(m != NULL, "host: module compiles");
  if (!m || !s) return;
  cairn_valtype i32 = CAIRN_I32;
  cairn_functype t1 = {1, 1, &i32, &i32}, t0 = {0, 0, NULL, NULL};
  cairn_extern imp[3];
  imp[0].kind = CAIRN_EXTERN_FUNC;
  imp[0].of.func = cairn_func_new(s, &t1, host_twice, NULL);
  imp[1].kind = CAIRN_EXTERN_FUNC;
  imp[1].of.func = cairn_func_new(s, &t0, host_fail, NULL);
  imp[2].kind = CAIRN_EXTERN_FUNC;
  imp[2].of.func = cairn_func_new(s, &t1, host_pong, NULL);
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, imp, 3, &err);
  CHECK(inst != NULL, "host: instantiates with host imports");
  if (inst) {
    gReenter = export_func(inst, "inc");
    int32_t a = 20;
    CHECK(expect_i32(inst, "outer", &a, 1, 1042), "host function re-enters Wasm (nested call)");
    memset(&err, 0, sizeof err);
    bool ok = call_i32(inst, "fails", NULL, 0, NULL, &err);
    CHECK(!ok && err.trap == CAIRN_TRAP_HOST && strcmp(err.msg, "host says no") == 0 &&
              err.nframes == 1 && err.frames[0].func_index == 6,
          "host trap propagates with a Wasm backtrace");
    gPing = export_func(inst, "ping");
    a = 100;
    CHECK(expect_i32(inst, "ping", &a, 1, 100), "Wasm -> host -> Wasm recursion 100 deep");
    a = 100000;
    CHECK(expect_trap(inst, "ping", &a, 1, CAIRN_TRAP_STACK_EXHAUSTED, "call stack exhausted"),
          "unbounded host re-entry -> call stack exhausted, not a crash");
    a = 3;
    CHECK(expect_i32(inst, "ping", &a, 1, 3), "re-entry works after exhaustion");
    cairn_store_interrupt(s);
    CHECK(expect_trap(inst, "spin", NULL, 0, CAIRN_TRAP_INTERRUPT, "interrupted"),
          "interrupt stops a loop");
    a = 1;
    CHECK(expect_i32(inst, "inc", &a, 1, 2), "store usable after an interruption");
  }
  cairn_store_free(s);
  cairn_module_free(m);

  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.fuel = 1000;
  s = cairn_store_new(&cfg);
  m = load(zHost);
  if (s && m) {
    imp[0].of.func = cairn_func_new(s, &t1, host_twice, NULL);
    imp[1].of.func = cairn_func_new(s, &t0, host_fail, NULL);
    imp[2].of.func = cairn_func_new(s, &t1, host_pong, NULL);
    inst = cairn_instance_new(s, m, imp, 3, &err);
    CHECK(inst && expect_trap(inst, "spin", NULL, 0, CAIRN_TRAP_FUEL, "fuel exhausted"),
          "fuel runs out in an infinite loop");
  }
  cairn_store_free(s);
  cairn_module_free(m);
}

/* ---- SIMD: v128 values take two slots everywhere ---- */
static const char *zSimd =
    "(module"
    " (memory 1)"
    " (data (i32.const 0) \"\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10\")"
    " (global $g (mut v128) (v128.const i32x4 1 2 3 4))"
    /* mixed i32 / v128 params and results: slot offsets past a v128 */
    " (func $mix (param i32 v128 i32) (result v128 i32)"
    "   (i32x4.add (local.get 1) (i32x4.splat (local.get 0))) (local.get 2))"
    " (func (export \"mix\") (param i32) (result i32)"
    "   (local v128) (local $k i32)"
    "   (call $mix (local.get 0) (v128.const i32x4 10 20 30 40) (i32.const 5))"
    "   (local.set $k) (local.set 1)"
    "   (i32.add (i32x4.extract_lane 3 (local.get 1)) (local.get $k)))"
    /* block results and branches carrying a v128 */
    " (func (export \"brv\") (param i32) (result i32)"
    "   (i32x4.extract_lane 0"
    "     (block (result v128)"
    "       (v128.const i32x4 7 0 0 0)"
    "       (br_if 0 (local.get 0))"
    "       (drop) (v128.const i32x4 9 0 0 0))))"
    /* select of v128, globals, local.tee */
    " (func (export \"sel\") (param i32) (result i32) (local v128)"
    "   (local.set 1 (select (global.get $g) (v128.const i64x2 -1 -1) (local.get 0)))"
    "   (global.set $g (i32x4.mul (local.get 1) (local.get 1)))"
    "   (i32x4.extract_lane 2 (global.get $g)))"
    /* memory: load, lane store, shuffle, swizzle */
    " (func (export \"mem\") (param i32) (result i32)"
    "   (v128.store32_lane offset=32 1 (i32.const 0)"
    "     (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0"
    "       (v128.load (local.get 0)) (v128.load (local.get 0))))"
    "   (i32.load offset=32 (i32.const 0)))"
    " (func (export \"oob\") (param i32) (result i32)"
    "   (v128.any_true (v128.load (local.get 0))))"
    /* float rules: min with -0 and NaN, saturating truncation, bitmask */
    " (func (export \"fmin\") (result i32)"
    "   (i32x4.bitmask (f32x4.min (v128.const f32x4 0 -0 nan 1) (v128.const f32x4 -0 0 1 nan))))"
    " (func (export \"sat\") (result i32)"
    "   (i32x4.extract_lane 1 (i32x4.trunc_sat_f32x4_s (v128.const f32x4 nan -inf 1e10 2.7))))"
    " (func (export \"narrow\") (result i32)"
    "   (i8x16.extract_lane_u 1 (i8x16.narrow_i16x8_u (v128.const i16x8 300 -5 0 0 0 0 0 0)"
    "     (v128.const i16x8 0 0 0 0 0 0 0 0))))"
    " (func (export \"shift\") (param i32) (result i32)"
    "   (i16x8.extract_lane_s 0 (i16x8.shr_s (v128.const i16x8 -256 0 0 0 0 0 0 0) (local.get 0))))"
    " (func (export \"id\") (param v128) (result v128) (local.get 0))"
    /* local.tee fused with its producer; a pending local.get of a v128
    ** local saved before local.set overwrites it */
    " (func (export \"tee\") (param i32) (result i32) (local v128)"
    "   (i32x4.extract_lane 1 (i32x4.add (local.tee 1 (i32x4.splat (local.get 0))) (local.get 1))))"
    " (func (export \"stale\") (param i32) (result i32) (local v128)"
    "   local.get 0 i32x4.splat local.set 1"
    "   local.get 1 v128.const i32x4 100 100 100 100 local.set 1 local.get 1 i32x4.sub"
    "   i32x4.extract_lane 3)"
    ")";

static void test_simd(cairn_store *s) {
  cairn_module *m = load(zSimd);
  CHECK(m != NULL, "simd: module compiles");
  if (!m) return;
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, NULL, 0, &err);
  CHECK(inst != NULL, "simd: instantiates");
  if (!inst) {
    cairn_module_free(m);
    return;
  }
  int32_t a = 3;
  CHECK(expect_i32(inst, "mix", &a, 1, 48), "call with (i32 v128 i32) params, (v128 i32) results");
  a = 1;
  CHECK(expect_i32(inst, "brv", &a, 1, 7), "br_if carries a v128 out of a block");
  a = 0;
  CHECK(expect_i32(inst, "brv", &a, 1, 9), "v128 block result on fallthrough");
  a = 1;
  CHECK(expect_i32(inst, "sel", &a, 1, 9), "select v128, local.set, global.get/set of v128");
  a = 0;
  CHECK(expect_i32(inst, "sel", &a, 1, 1), "select v128 other arm, global kept its update");
  a = 0;
  CHECK(expect_i32(inst, "mem", &a, 1, 0x090a0b0c), "v128.load, i8x16.shuffle, store32_lane");
  a = 65536 - 16;
  CHECK(expect_i32(inst, "oob", &a, 1, 0), "v128.load of the last 16 bytes");
  a = 65536 - 15;
  CHECK(expect_trap(inst, "oob", &a, 1, CAIRN_TRAP_MEMORY_OOB, "out of bounds memory access"),
        "v128.load one byte past the end traps");
  CHECK(expect_i32(inst, "fmin", NULL, 0, 0x3), "f32x4.min: -0 < +0 both ways, NaN wins");
  CHECK(expect_i32(inst, "sat", NULL, 0, INT32_MIN), "i32x4.trunc_sat_f32x4_s of -inf");
  CHECK(expect_i32(inst, "narrow", NULL, 0, 0), "i8x16.narrow_i16x8_u saturates -5 to 0");
  a = 20; /* count modulo 16 = 4 */
  CHECK(expect_i32(inst, "shift", &a, 1, -16), "i16x8.shr_s count taken modulo 16");

  a = 21;
  CHECK(expect_i32(inst, "tee", &a, 1, 42), "local.tee of a v128 fused with its producer");
  a = 7;
  CHECK(expect_i32(inst, "stale", &a, 1, -93), "v128 local.get before local.set keeps the old value");

  cairn_func *id = export_func(inst, "id");
  cairn_val arg, res;
  memset(&arg, 0, sizeof arg);
  arg.type = CAIRN_V128;
  for (int i = 0; i < 16; i++) arg.of.v128[i] = (uint8_t)(0xA0 + i);
  memset(&res, 0, sizeof res);
  bool ok = id && cairn_func_call(id, &arg, 1, &res, 1, &err);
  CHECK(ok && res.type == CAIRN_V128 && memcmp(res.of.v128, arg.of.v128, 16) == 0,
        "v128 param and result through cairn_func_call");
  cairn_module_free(m);
}

int main(void) {
  test_translation();
  cairn_store *s = cairn_store_new(NULL);
  test_control(s);
  test_traps(s);
  test_offsets(s);
  test_memory(s);
  test_simd(s);
  cairn_store_free(s);
  test_code_format();
  CHECK(verify_all(zControl) && verify_all(zTraps) && verify_all(zMemory) && verify_all(zSimd) &&
            verify_all(zOffsets),
        "code: the verifier accepts every function of the test modules");
  test_host();
  printf("test_interp: %d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
