/*
** emit_loop.c: loop versioning - a second, vectorizable copy of a simple
** Wasm loop, taken when a check at the loop's entry proves it exact.
**
** The C compiler cannot vectorize the emitted loops as they are: addresses
** are 32-bit wrapping sums zero-extended, loads are kept alive by an empty
** asm (the guard pages are the bounds check), and every back edge polls.
** For a loop whose body is straight-line code ending in `br_if 0` on a
** comparison of an induction variable (a local stepped by a constant once
** per iteration) with an invariant (then possibly a `br` out of the loop,
** its way out after the last trip), with or without one early exit (a
** `br_if` to a label outside the loop: a search loop such as memcmp's),
** the analysis here writes every value
** of the body that addresses memory as an affine function of the iteration
** number k: c + step*k + sum coef*entry(local), over the loop-entry values
** of locals. Wasm's i32/i64 add, sub, mul and shl are exact modulo 2^32 /
** 2^64, so such a value is congruent to the Wasm value; it equals it when it
** lies in the value's range. Affine values are monotone in k, so checking
** k = 0 and k = T-1 covers the whole trip. The entry check computes, in
** 64-bit arithmetic with overflow detection:
**   - T, the exact trip count, from the exit test (refused when the
**     induction variable would wrap before the test fails, or when T is
**     below LV_MIN_TRIP: short trips gain nothing);
**   - for every memory access, that [addr + offset, addr + offset + size)
**     lies inside the memory at both ends (nothing in the body can grow it);
**     accesses whose addresses differ by a constant share one check, of
**     their lowest address and their highest byte (lv_group);
**   - for every i64.extend_i32 of an affine value, that it is in range;
**   - that the pending word is clear (fuel keeps it set, so metered code
**     always runs the original loop and counts exactly as before).
** Then the copy runs k = 0..T-1 with addresses m + base + k*stride, plain
** unaligned loads and stores, no exit test and a poll only every
** LV_CHUNK iterations; it runs the body's statements on the same locals,
** so they end as the original loop would leave them. An early exit is
** the body's own br_if in the copy: it leaves in iteration k with the
** locals and operand stack the original has there (T is then an upper
** bound of the trip, and the check covers accesses that may not run,
** which is only conservative). The C compiler does not vectorize a loop
** with an exit: the copy looks ahead (lv_emit_spec), the exit conditions
** of the next LV_SPEC iterations as a loop without exits, then a jump to
** the first iteration that exits; a loop with an exit is versioned only if
** it can (no stores, no local carried from one iteration to the next). Otherwise the
** original loop runs unchanged. No access of the copy can fault, and the
** body has no other operation that can trap (division only by a constant
** that cannot trap), so the copy is observably the original loop.
**
** It may not touch: the module (read only), the runtime.
*/
#include <stdio.h>
#include <string.h>

#include "engine/aot/emit_int.h"

#define LV_MAX_INSTR 256
#define LV_MAX_STACK 32
#define LV_MAX_TERM 4
#define LV_MAX_WRITTEN 32
#define LV_MAX_ACCESS 32
#define LV_MAX_RANGE 8
#define LV_CHUNK 65536
/* Shorter trips run the original loop: the rest of the check and a
** vectorized loop's set-up would cost more than they save (strings.c's
** loops over words of 2 to 11 bytes ran 15 % slower with every trip
** versioned). */
#define LV_MIN_TRIP 16
/* Iterations of a speculative look-ahead (lv_emit_spec): 16 bytes of a
** byte loop, one SSE vector; its exit flags are read as two 8-byte words. */
#define LV_SPEC 16

enum { LV_UNKNOWN, LV_AFFINE, LV_CMP };
/* exit relations: the loop goes on while value REL bound */
enum { LV_NE, LV_LT, LV_LE, LV_GT, LV_GE };

typedef struct LvTerm {
  uint32_t local;
  int64_t coef;
} LvTerm;

/* A value of the body: unknown, affine in k, or a comparison of two
** affine values (the exit test). */
typedef struct LvVal {
  uint8_t kind;
  uint8_t nTerm;
  int64_t c, step;
  LvTerm aTerm[LV_MAX_TERM];
  uint16_t iCmp;           /* LV_CMP: index into Lv.aCmp */
} LvVal;

typedef struct LvCmp {
  WasmOp op;
  LvVal lhs, rhs;
} LvCmp;

/* A local the body writes */
typedef struct LvWritten {
  uint32_t local;
  uint32_t nWrite;
  int64_t step;            /* pass 2: nonzero for an induction variable */
  bool hasCur;             /* written already in this iteration */
  LvVal cur;
} LvWritten;

typedef struct LvRange {
  LvVal v;
  int64_t lo, hi;
} LvRange;

typedef struct LvAccess {
  LvVal addr;
  uint64_t offset;
  uint32_t size;
} LvAccess;

/* Accesses whose addresses differ only by a constant (the same terms and
** step): their lowest address cMin and the end of their highest byte,
** span bytes above it, bound the whole group, so one check covers it. */
typedef struct LvGroup {
  uint32_t first;          /* an access of the group (its terms and step) */
  int64_t cMin;
  uint64_t span;
} LvGroup;

struct EmitLoopPlan {
  Instr aIn[LV_MAX_INSTR];
  uint32_t nIn;            /* the body without its final br_if */
  LvVal aStk[LV_MAX_STACK];
  uint32_t nStk;
  LvWritten aW[LV_MAX_WRITTEN];
  uint32_t nW;
  LvCmp aCmp[8];
  uint32_t nCmp;
  LvAccess aAcc[LV_MAX_ACCESS];
  uint32_t nAcc;
  LvGroup aGroup[LV_MAX_ACCESS];
  LvRange aRange[LV_MAX_RANGE];
  uint32_t nRange;
  uint32_t nExit;          /* early exits: br_if out of the loop */
  uint32_t nStore;         /* stores and global.set in the body */
  bool carried;            /* a local other than an induction variable is read
                           ** before it is written in the body */
  bool late;               /* ... or first written after an early exit */
  bool hasTail;            /* the body ends br_if 0, then br to an outer label */
  Instr tail;              /* that br (the way out after the last trip) */
  /* the exit test */
  LvVal iv, bound;
  int rel;
  int64_t lo, hi;
};

typedef EmitLoopPlan Lv;

/* ---- affine arithmetic (compile time; an overflow gives unknown) ---- */

static const LvVal lvUnknown = {.kind = LV_UNKNOWN};

static LvVal lv_const(int64_t c) { return (LvVal){.kind = LV_AFFINE, .c = c}; }

static bool lv_is_const(const LvVal *v) {
  return v->kind == LV_AFFINE && v->nTerm == 0 && v->step == 0;
}

/* a + f*b */
static LvVal lv_madd(const LvVal *a, int64_t f, const LvVal *b) {
  if (a->kind != LV_AFFINE || b->kind != LV_AFFINE) return lvUnknown;
  LvVal r = *a;
  int64_t t;
  if (__builtin_mul_overflow(f, b->c, &t) || __builtin_add_overflow(r.c, t, &r.c))
    return lvUnknown;
  if (__builtin_mul_overflow(f, b->step, &t) || __builtin_add_overflow(r.step, t, &r.step))
    return lvUnknown;
  for (uint32_t i = 0; i < b->nTerm; i++) {
    if (__builtin_mul_overflow(f, b->aTerm[i].coef, &t)) return lvUnknown;
    uint32_t j = 0;
    while (j < r.nTerm && r.aTerm[j].local != b->aTerm[i].local) j++;
    if (j == r.nTerm) {
      if (r.nTerm == LV_MAX_TERM) return lvUnknown;
      r.aTerm[r.nTerm++] = (LvTerm){b->aTerm[i].local, 0};
    }
    if (__builtin_add_overflow(r.aTerm[j].coef, t, &r.aTerm[j].coef)) return lvUnknown;
  }
  /* drop terms that cancelled */
  uint32_t n = 0;
  for (uint32_t j = 0; j < r.nTerm; j++)
    if (r.aTerm[j].coef) r.aTerm[n++] = r.aTerm[j];
  r.nTerm = (uint8_t)n;
  return r;
}

static LvVal lv_scale(const LvVal *a, int64_t f) {
  LvVal zero = lv_const(0);
  return lv_madd(&zero, f, a);
}

static bool lv_equal(const LvVal *a, const LvVal *b) {
  LvVal d = lv_madd(a, -1, b);
  return d.kind == LV_AFFINE && lv_is_const(&d) && d.c == 0;
}

/* ---- the symbolic pass over the body ---- */

static LvWritten *lv_written(Lv *lv, uint32_t x) {
  for (uint32_t i = 0; i < lv->nW; i++)
    if (lv->aW[i].local == x) return &lv->aW[i];
  return NULL;
}

static bool lv_push(Lv *lv, LvVal v) {
  if (lv->nStk == LV_MAX_STACK) return false;
  lv->aStk[lv->nStk++] = v;
  return true;
}

static LvVal lv_pop(Lv *lv) { return lv->nStk ? lv->aStk[--lv->nStk] : lvUnknown; }

/* local.get x in pass 1 (ivKnown false: a written local read before its
** write is its own start-of-iteration value, to find the induction
** variables) or pass 2 (an induction variable is entry + step*k, any other
** written local read before its write is the last iteration's: unknown). */
static LvVal lv_local(Emit *e, Lv *lv, uint32_t x, bool ivKnown) {
  ValType t = e->aLocType[x];
  if (t != VT_I32 && t != VT_I64) {
    LvWritten *w = lv_written(lv, x);
    if (w && !w->hasCur && ivKnown) lv->carried = true;
    return lvUnknown;
  }
  LvVal v = {.kind = LV_AFFINE, .nTerm = 1, .aTerm = {{x, 1}}};
  LvWritten *w = lv_written(lv, x);
  if (!w) return v;
  if (w->hasCur) return w->cur;
  if (!ivKnown) return v;
  if (!w->step) {
    lv->carried = true; /* the last iteration's value: speculation cannot see it */
    return lvUnknown;
  }
  v.step = w->step;
  return v;
}

/* Stack effect of an instruction with a fixed signature: unknown results. */
static bool lv_generic(Lv *lv, WasmOp op) {
  const OpInfo *oi = &opinfo_table[op];
  if (oi->zParams[0] == '*' || oi->zResults[0] == '*') return false;
  for (const char *z = oi->zParams; *z; z++) lv_pop(lv);
  for (const char *z = oi->zResults; *z; z++)
    if (!lv_push(lv, lvUnknown)) return false;
  return true;
}

static bool lv_is_compare(WasmOp op) {
  return (op >= OP_I32_EQ && op <= OP_I32_GE_U) || (op >= OP_I64_EQ && op <= OP_I64_GE_U);
}

/* The bytes a scalar load or store accesses (0: not one). */
static uint32_t lv_access_size(WasmOp op) {
  switch (op) {
    case OP_I32_LOAD8_S: case OP_I32_LOAD8_U: case OP_I64_LOAD8_S: case OP_I64_LOAD8_U:
    case OP_I32_STORE8: case OP_I64_STORE8:
      return 1;
    case OP_I32_LOAD16_S: case OP_I32_LOAD16_U: case OP_I64_LOAD16_S: case OP_I64_LOAD16_U:
    case OP_I32_STORE16: case OP_I64_STORE16:
      return 2;
    case OP_I32_LOAD: case OP_F32_LOAD: case OP_I64_LOAD32_S: case OP_I64_LOAD32_U:
    case OP_I32_STORE: case OP_F32_STORE: case OP_I64_STORE32:
      return 4;
    case OP_I64_LOAD: case OP_F64_LOAD: case OP_I64_STORE: case OP_F64_STORE:
      return 8;
    default:
      return 0;
  }
}

static bool lv_range(Lv *lv, const LvVal *v, int64_t lo, int64_t hi) {
  if (v->kind != LV_AFFINE || lv->nRange == LV_MAX_RANGE) return false;
  lv->aRange[lv->nRange++] = (LvRange){*v, lo, hi};
  return true;
}

/* One instruction of the body; false if the loop cannot be versioned. */
static bool lv_step(Emit *e, Lv *lv, const Instr *in, bool ivKnown) {
  LvVal a, b;
  uint32_t size = lv_access_size(in->op);
  if (size) {
    if (opinfo_table[in->op].zResults[0]) { /* load */
      a = lv_pop(lv);
      if (a.kind != LV_AFFINE || lv->nAcc == LV_MAX_ACCESS) return false;
      lv->aAcc[lv->nAcc++] = (LvAccess){a, in->offset, size};
      return lv_push(lv, lvUnknown);
    }
    lv_pop(lv); /* the stored value */
    a = lv_pop(lv);
    if (a.kind != LV_AFFINE || lv->nAcc == LV_MAX_ACCESS) return false;
    lv->aAcc[lv->nAcc++] = (LvAccess){a, in->offset, size};
    lv->nStore++;
    return true;
  }
  switch (in->op) {
    case OP_NOP:
      return true;
    case OP_BR_IF:
      /* an early exit: a branch out of the loop leaves the copy as it
      ** leaves the original, with the same locals and stack; the exit test
      ** at the end bounds the trip (a continue to the loop head is not
      ** one of these) */
      if (in->a == 0) return false;
      lv_pop(lv);
      lv->nExit++;
      return true;
    case OP_UNREACHABLE:
    case OP_RETURN:
    case OP_BR:
    case OP_BR_TABLE:
    case OP_CALL:
    case OP_CALL_INDIRECT:
      return false;
    case OP_LOCAL_GET:
      return lv_push(lv, lv_local(e, lv, in->a, ivKnown));
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE: {
      a = lv_pop(lv);
      if (a.kind == LV_CMP) a = lvUnknown;
      LvWritten *w = lv_written(lv, in->a);
      if (!w) {
        if (lv->nW == LV_MAX_WRITTEN) return false;
        w = &lv->aW[lv->nW++];
        memset(w, 0, sizeof *w);
        w->local = in->a;
      }
      if (!ivKnown) w->nWrite++;
      /* at an exit before it, it holds the last iteration's value */
      if (ivKnown && !w->hasCur && !w->step && lv->nExit) lv->late = true;
      w->hasCur = true;
      w->cur = a;
      return in->op == OP_LOCAL_SET || lv_push(lv, a);
    }
    case OP_I32_CONST:
    case OP_I64_CONST:
      return lv_push(lv, lv_const((int64_t)in->bits)); /* i32: sign-extended */
    case OP_I32_ADD:
    case OP_I64_ADD:
    case OP_I32_SUB:
    case OP_I64_SUB: {
      b = lv_pop(lv);
      a = lv_pop(lv);
      bool sub = in->op == OP_I32_SUB || in->op == OP_I64_SUB;
      return lv_push(lv, lv_madd(&a, sub ? -1 : 1, &b));
    }
    case OP_I32_MUL:
    case OP_I64_MUL:
      b = lv_pop(lv);
      a = lv_pop(lv);
      if (lv_is_const(&b)) return lv_push(lv, lv_scale(&a, b.c));
      if (lv_is_const(&a)) return lv_push(lv, lv_scale(&b, a.c));
      return lv_push(lv, lvUnknown);
    case OP_I32_SHL:
    case OP_I64_SHL: {
      b = lv_pop(lv);
      a = lv_pop(lv);
      int64_t sh = b.c & (in->op == OP_I32_SHL ? 31 : 63);
      if (!lv_is_const(&b) || sh >= 62) return lv_push(lv, lvUnknown);
      return lv_push(lv, lv_scale(&a, (int64_t)1 << sh));
    }
    case OP_I32_WRAP_I64:
      return true; /* congruent modulo 2^32 as it is modulo 2^64 */
    case OP_I64_EXTEND_I32_U:
    case OP_I64_EXTEND_I32_S: {
      /* exact only where the value is the i32's own: checked at entry */
      a = lv_pop(lv);
      bool s = in->op == OP_I64_EXTEND_I32_S;
      if (a.kind == LV_AFFINE && !lv_range(lv, &a, s ? INT32_MIN : 0, s ? INT32_MAX : UINT32_MAX))
        a = lvUnknown;
      return lv_push(lv, a.kind == LV_AFFINE ? a : lvUnknown);
    }
    case OP_I32_DIV_S: case OP_I32_DIV_U: case OP_I32_REM_S: case OP_I32_REM_U:
    case OP_I64_DIV_S: case OP_I64_DIV_U: case OP_I64_REM_S: case OP_I64_REM_U: {
      /* may trap unless by a constant other than 0 (and -1 when signed) */
      b = lv_pop(lv);
      lv_pop(lv);
      bool is32 = in->op == OP_I32_DIV_S || in->op == OP_I32_DIV_U || in->op == OP_I32_REM_S ||
                  in->op == OP_I32_REM_U;
      uint64_t d = is32 ? (uint32_t)b.c : (uint64_t)b.c;
      uint64_t minus1 = is32 ? UINT32_MAX : UINT64_MAX;
      bool sgn = in->op == OP_I32_DIV_S || in->op == OP_I32_REM_S || in->op == OP_I64_DIV_S ||
                 in->op == OP_I64_REM_S;
      if (!lv_is_const(&b) || d == 0 || (sgn && d == minus1)) return false;
      return lv_push(lv, lvUnknown);
    }
    case OP_I32_EQZ:
    case OP_I64_EQZ:
      lv_pop(lv);
      return lv_push(lv, lvUnknown);
    case OP_DROP:
      lv_pop(lv);
      return true;
    case OP_SELECT:
    case OP_SELECT_T:
      lv_pop(lv);
      lv_pop(lv);
      lv_pop(lv);
      return lv_push(lv, lvUnknown);
    case OP_GLOBAL_GET:
      return lv_push(lv, lvUnknown);
    case OP_GLOBAL_SET:
      lv_pop(lv);
      lv->nStore++;
      return true;
    case OP_MEMORY_SIZE:
      return lv_push(lv, lvUnknown);
    case OP_REF_NULL:
    case OP_REF_FUNC:
      return lv_push(lv, lvUnknown);
    case OP_REF_IS_NULL:
      lv_pop(lv);
      return lv_push(lv, lvUnknown);
    case OP_I32_TRUNC_F32_S: case OP_I32_TRUNC_F32_U: case OP_I32_TRUNC_F64_S:
    case OP_I32_TRUNC_F64_U: case OP_I64_TRUNC_F32_S: case OP_I64_TRUNC_F32_U:
    case OP_I64_TRUNC_F64_S: case OP_I64_TRUNC_F64_U:
      return false; /* may trap */
    default:
      break;
  }
  if (lv_is_compare(in->op)) {
    b = lv_pop(lv);
    a = lv_pop(lv);
    if (a.kind != LV_AFFINE || b.kind != LV_AFFINE || lv->nCmp == 8) return lv_push(lv, lvUnknown);
    lv->aCmp[lv->nCmp] = (LvCmp){in->op, a, b};
    return lv_push(lv, (LvVal){.kind = LV_CMP, .iCmp = (uint16_t)lv->nCmp++});
  }
  /* what is left and cannot trap: numeric and SIMD operations without memory */
  ImmKind imm = opinfo_table[in->op].imm;
  if (imm != IMM_NONE && imm != IMM_LANE && imm != IMM_V128 && imm != IMM_SHUFFLE &&
      imm != IMM_F32 && imm != IMM_F64)
    return false;
  if (opinfo_table[in->op].align) return false; /* a memory access not handled above */
  return lv_generic(lv, in->op);
}

/* One pass over the body; leaves the exit condition on the stack. */
static bool lv_pass(Emit *e, Lv *lv, bool ivKnown) {
  lv->nStk = lv->nCmp = lv->nAcc = lv->nRange = lv->nExit = lv->nStore = 0;
  lv->carried = lv->late = false;
  for (uint32_t i = 0; i < lv->nW; i++) lv->aW[i].hasCur = false;
  for (uint32_t i = 0; i < lv->nIn; i++)
    if (!lv_step(e, lv, &lv->aIn[i], ivKnown)) return false;
  return lv->nStk == 1;
}

/* The exit test from the condition br_if 0 takes. */
static bool lv_exit(Lv *lv, const LvVal *cond) {
  WasmOp op;
  LvVal a, b;
  if (cond->kind == LV_AFFINE) { /* br_if on the value itself: != 0 */
    op = OP_I32_NE; /* i64 values are not branched on directly */
    a = *cond;
    b = lv_const(0);
  } else if (cond->kind == LV_CMP) {
    op = lv->aCmp[cond->iCmp].op;
    a = lv->aCmp[cond->iCmp].lhs;
    b = lv->aCmp[cond->iCmp].rhs;
  } else {
    return false;
  }
  bool mirror = false;
  if (a.step == 0 && b.step != 0) {
    LvVal t = a;
    a = b;
    b = t;
    mirror = true;
  }
  if (a.step == 0 || b.step != 0) return false;
  /* steps beyond this cannot be a useful loop and keep the helper's
  ** arithmetic clear of INT64_MIN */
  if (a.step > ((int64_t)1 << 40) || a.step < -((int64_t)1 << 40)) return false;
  bool is64 = op >= OP_I64_EQ;
  int rel;
  bool sgn = false;
  switch (is64 ? op - (OP_I64_EQ - OP_I32_EQ) : op) {
    case OP_I32_NE: rel = LV_NE; break;
    case OP_I32_LT_S: sgn = true; /* fallthrough */
    case OP_I32_LT_U: rel = mirror ? LV_GT : LV_LT; break;
    case OP_I32_GT_S: sgn = true; /* fallthrough */
    case OP_I32_GT_U: rel = mirror ? LV_LT : LV_GT; break;
    case OP_I32_LE_S: sgn = true; /* fallthrough */
    case OP_I32_LE_U: rel = mirror ? LV_GE : LV_LE; break;
    case OP_I32_GE_S: sgn = true; /* fallthrough */
    case OP_I32_GE_U: rel = mirror ? LV_LE : LV_GE; break;
    default: return false; /* eq: goes on only while equal */
  }
  /* the interval one period wide in which the representative is the
  ** value itself (i64 unsigned: only its lower half) */
  if (!is64) {
    lv->lo = sgn ? INT32_MIN : 0;
    lv->hi = sgn ? INT32_MAX : UINT32_MAX;
  } else {
    lv->lo = sgn || rel == LV_NE ? INT64_MIN : 0;
    lv->hi = INT64_MAX;
  }
  lv->iv = a;
  lv->bound = b;
  lv->rel = rel;
  return true;
}

/* Reads the body after `loop` at p: straight-line code, then br_if 0,
** possibly followed by a br out of the loop (clang's loops inside a block
** that they leave by that br), then the loop's end. */
static bool lv_read_body(Emit *e, Lv *lv, const uint8_t *p, const uint8_t *end) {
  lv->nIn = 0;
  for (;;) {
    Instr in;
    if (!emit_next_instr(e, &p, end, &in)) return false;
    if (in.op == OP_END) break;
    if (lv->nIn == LV_MAX_INSTR) return false;
    lv->aIn[lv->nIn++] = in;
  }
  lv->hasTail = false;
  if (lv->nIn >= 3 && lv->aIn[lv->nIn - 1].op == OP_BR && lv->aIn[lv->nIn - 1].a >= 1) {
    lv->tail = lv->aIn[--lv->nIn];
    lv->hasTail = true;
  }
  if (lv->nIn < 2) return false;
  const Instr *last = &lv->aIn[lv->nIn - 1];
  if (last->op != OP_BR_IF || last->a != 0) return false;
  lv->nIn--;
  /* control flow, calls and traps are refused by lv_step (but for br_if
  ** out of the loop); blocks here */
  for (uint32_t i = 0; i < lv->nIn; i++) {
    ImmKind imm = opinfo_table[lv->aIn[i].op].imm;
    if (imm == IMM_BLOCKTYPE || imm == IMM_BR_TABLE) return false;
    if (imm == IMM_LABEL && lv->aIn[i].op != OP_BR_IF) return false;
  }
  return true;
}

static bool lv_analyze(Emit *e, Lv *lv, const EmitCtl *c, const uint8_t *p, const uint8_t *end) {
  if (c->nParam || c->nResult || e->m->nMem != 1) return false;
  if (!lv_read_body(e, lv, p, end)) return false;
  lv->nW = 0;
  if (!lv_pass(e, lv, false)) return false;
  /* induction variables: written once, to their own value plus a constant */
  bool any = false;
  for (uint32_t i = 0; i < lv->nW; i++) {
    LvWritten *w = &lv->aW[i];
    LvVal self = {.kind = LV_AFFINE, .nTerm = 1, .aTerm = {{w->local, 1}}};
    LvVal d = lv_madd(&w->cur, -1, &self);
    w->step = 0;
    if (w->nWrite == 1 && d.kind == LV_AFFINE && lv_is_const(&d) && d.c) {
      w->step = d.c;
      any = true;
    }
  }
  if (!any || !lv_pass(e, lv, true)) return false;
  /* each induction variable ends the iteration one step further */
  for (uint32_t i = 0; i < lv->nW; i++) {
    LvWritten *w = &lv->aW[i];
    if (!w->step) continue;
    LvVal want = {.kind = LV_AFFINE, .nTerm = 1, .c = w->step, .step = w->step,
                  .aTerm = {{w->local, 1}}};
    if (!lv_equal(&w->cur, &want)) return false;
  }
  LvVal cond = lv->aStk[0];
  if (!lv_exit(lv, &cond)) return false;
  /* A loop with an exit may leave long before T: it pays only with a
  ** look-ahead, and one whose conditions GCC vectorizes well. Measured
  ** (docs/benchmarks.md, "Early exits and look-ahead"): one exit on bytes
  ** compiles to a 16-byte compare (memcmp: 10 instructions for 16 bytes);
  ** two on the same byte (strings.c's word scan, ' ' or '\n') are widened to
  ** 32-bit lanes (about 100), and with words of 6 bytes the kernel ran 7 %
  ** more instructions. So: one exit, and a body that may look ahead. */
  if (lv->nExit && (lv->nExit > 1 || lv->nStore || lv->carried || lv->late)) return false;
  return true;
}

/* ---- the emitted check and copy ---- */

/* "int64_t zDst = value at k = 0;": plain arithmetic where no sum can
** overflow (i32 locals, small coefficients), else with overflow into
** lvbad_. The plain form keeps the check cheap for short trips. */
static void lv_emit_eval(Emit *e, const char *zDst, const LvVal *v) {
  const int64_t big = (int64_t)1 << 40;
  bool plain = v->c > -big && v->c < big;
  for (uint32_t i = 0; i < v->nTerm; i++)
    plain = plain && e->aLocType[v->aTerm[i].local] == VT_I32 && v->aTerm[i].coef > -(1 << 20) &&
            v->aTerm[i].coef < (1 << 20);
  emit_printf(&e->body, "  int64_t %s = (int64_t)0x%llxull", zDst, (unsigned long long)v->c);
  if (plain) {
    for (uint32_t i = 0; i < v->nTerm; i++)
      emit_printf(&e->body, " + (int64_t)%lld * (int64_t)(uint32_t)l%u",
                  (long long)v->aTerm[i].coef, v->aTerm[i].local);
    emit_str(&e->body, ";\n");
    return;
  }
  emit_str(&e->body, ";\n");
  for (uint32_t i = 0; i < v->nTerm; i++) {
    uint32_t x = v->aTerm[i].local;
    /* one representative per local: an i32 as unsigned, an i64 as signed */
    emit_printf(&e->body, "  %s = cairn_lv_mad_(%s, (int64_t)0x%llxull, (int64_t)%sl%u, &lvbad_);\n",
                zDst, zDst, (unsigned long long)v->aTerm[i].coef,
                e->aLocType[x] == VT_I32 ? "(uint32_t)" : "", x);
  }
}

/* Groups the accesses (LvGroup): aGroup[j] is access j's group in
** lv->aGroup; returns the number of groups. Constants further apart than
** 2^40 stay in groups of their own, so no span can overflow. For every
** access j of group g, with v its address at k = 0 and c its constant,
** v = base + (c - cMin) where base is the group's address at cMin, so
** 0 <= v and v + offset + size <= bytes hold for all of them exactly when
** 0 <= base and base + span <= bytes; the same at k = T-1 (one step). */
static uint32_t lv_group(Lv *lv, uint32_t *aGroup) {
  const int64_t far = (int64_t)1 << 40;
  uint32_t n = 0;
  for (uint32_t j = 0; j < lv->nAcc; j++) {
    const LvAccess *a = &lv->aAcc[j];
    uint32_t g = 0;
    for (; g < n; g++) {
      const LvAccess *f = &lv->aAcc[lv->aGroup[g].first];
      LvVal d = lv_madd(&a->addr, -1, &f->addr);
      if (d.kind == LV_AFFINE && lv_is_const(&d) && d.c > -far && d.c < far) break;
    }
    if (g == n) lv->aGroup[n++] = (LvGroup){.first = j, .cMin = a->addr.c};
    LvGroup *gr = &lv->aGroup[g];
    aGroup[j] = g;
    if (a->addr.c < gr->cMin) gr->cMin = a->addr.c;
  }
  /* spans once every group's lowest constant is known */
  for (uint32_t j = 0; j < lv->nAcc; j++) {
    const LvAccess *a = &lv->aAcc[j];
    LvGroup *gr = &lv->aGroup[aGroup[j]];
    uint64_t end = (uint64_t)(a->addr.c - gr->cMin) + a->offset + a->size;
    if (end > gr->span) gr->span = end;
  }
  return n;
}

static void lv_emit_in(Emit *e, const char *zV, int64_t step, const char *zLo, const char *zHi) {
  emit_printf(&e->body, "  lvbad_ |= !cairn_lv_in_(%s, (int64_t)0x%llxull, lvT_, %s, %s);\n", zV,
              (unsigned long long)step, zLo, zHi);
}

void emit_loop_address(Emit *e, char *zOut, size_t nOut) {
  const Lv *lv = e->lv;
  uint32_t j = e->lvAccess++;
  if (j >= lv->nAcc) j = lv->nAcc - 1; /* not reached: the analysis saw the same body */
  int64_t s = lv->aAcc[j].addr.step;
  if (s)
    snprintf(zOut, nOut, "m0 + (lvp%u_ + %s * 0x%llxull)", j,
             e->lvSpec ? "(lvk_ + lvj_)" : "lvk_", (unsigned long long)s);
  else
    snprintf(zOut, nOut, "m0 + lvp%u_", j);
}

void emit_loop_spec_exit(Emit *e, const char *zCond) {
  emit_printf(&e->body, "  lvx_ |= (uint8_t)((%s) != 0);\n", zCond);
}

/* The speculative look-ahead of a copy with early exits (see the top of the
** file): which of iterations lvk_ .. lvk_ + LV_SPEC - 1 would take an exit,
** a byte each, computed as a loop without exits (which the C compiler
** vectorizes) on copies of the locals; then a jump to the first that
** would, or past all of them: the induction variables and lvk_ move on,
** and that iteration runs as usual (and takes its exit). Every other local
** the body writes is written before it is read and before the first exit
** in every iteration (else no look-ahead), so the iteration that runs as
** usual gives it the value the original has wherever that iteration
** leaves; and the last iteration of a trip always runs as usual. Only a
** body without stores looks ahead. */
static void lv_emit_spec(Emit *e, Lv *lv, uint32_t height) {
  emit_printf(&e->body,
              "  if (lvend_ - lvk_ > %uu) {\n"
              "  uint8_t lvm_[%u];\n",
              LV_SPEC, LV_SPEC);
  for (uint32_t i = 0; i < lv->nW; i++)
    if (lv->aW[i].step)
      emit_printf(&e->body, "  const %s lvs%u_ = l%u;\n", emit_ctype(e->aLocType[lv->aW[i].local]),
                  lv->aW[i].local, lv->aW[i].local);
  emit_printf(&e->body,
              "  for (uint64_t lvj_ = 0; lvj_ < %uu; lvj_++) {\n"
              "  uint8_t lvx_ = 0;\n",
              LV_SPEC);
  /* every local the body writes has its own copy here: an induction
  ** variable at iteration lvk_ + lvj_, any other starts unset (the body
  ** writes it before reading it), and the real ones keep their values */
  for (uint32_t i = 0; i < lv->nW; i++) {
    uint32_t x = lv->aW[i].local;
    ValType t = e->aLocType[x];
    const char *zT = emit_ctype(t);
    if (lv->aW[i].step)
      emit_printf(&e->body, "  %s l%u = lvs%u_ + (%s)lvj_ * (%s)0x%llxull;\n", zT, x, x, zT, zT,
                  (unsigned long long)lv->aW[i].step);
    else
      emit_printf(&e->body, "  %s%s__attribute__((unused)) l%u = %s;\n", zT,
                  vt_is_ref(t) ? "" : " ", x, t == VT_V128 ? "{0}" : "0");
  }
  e->lvSpec = true;
  e->lvAccess = 0;
  e->lastEnd = SIZE_MAX;
  for (uint32_t i = 0; i < lv->nIn && !e->oom; i++) emit_instruction(e, &lv->aIn[i]);
  e->lvSpec = false;
  e->lastEnd = SIZE_MAX;
  e->nStk = height;
  /* the first iteration that exits: its byte is 1 (little-endian words) */
  emit_printf(&e->body,
              "  lvm_[lvj_] = lvx_;\n"
              "  }\n"
              "  uint64_t lvw0_, lvw1_;\n"
              "  __builtin_memcpy(&lvw0_, lvm_, 8);\n"
              "  __builtin_memcpy(&lvw1_, lvm_ + 8, 8);\n"
              "  uint64_t lvi_ = lvw0_ ? (uint64_t)__builtin_ctzll(lvw0_) >> 3\n"
              "                : lvw1_ ? 8u + ((uint64_t)__builtin_ctzll(lvw1_) >> 3) : %uu;\n",
              LV_SPEC);
  for (uint32_t i = 0; i < lv->nW; i++) {
    if (!lv->aW[i].step) continue;
    uint32_t x = lv->aW[i].local;
    const char *zT = emit_ctype(e->aLocType[x]);
    emit_printf(&e->body, "  l%u = l%u + (%s)lvi_ * (%s)0x%llxull;\n", x, x, zT, zT,
                (unsigned long long)lv->aW[i].step);
  }
  emit_str(&e->body,
           "  lvk_ += lvi_;\n"
           "  }\n");
}

bool emit_loop_version(Emit *e, EmitCtl *c, const uint8_t *p, const uint8_t *end) {
  Lv *lv = base_malloc(sizeof *lv);
  if (!lv) return false; /* the original loop alone is still right */
  if (!lv_analyze(e, lv, c, p, end)) {
    base_free(lv);
    return false;
  }
  char zA[48], zB[48];
  /* a loop with an exit looks ahead (lv_analyze took it only then) */
  bool spec = lv->nExit > 0;
  emit_printf(&e->body, "  { /* loop L%u, versioned (emit_loop.c)%s */\n", c->id,
              spec ? ", early exit, look-ahead" : "");
  emit_str(&e->body, "  int lvbad_ = 0;\n");
  lv_emit_eval(e, "lvu_", &lv->iv);
  lv_emit_eval(e, "lvn_", &lv->bound);
  /* first a cheap filter: far enough from the bound for LV_MIN_TRIP steps
  ** (a trip that short runs the original loop; the exact count follows) */
  int64_t s = lv->iv.step, far = (LV_MIN_TRIP - 1) * s;
  emit_printf(&e->body,
              "  int64_t lvT_ = 0, lvd_;\n"
              "  if (!lvbad_ && !__builtin_sub_overflow(lvn_, lvu_, &lvd_) && "
              "lvd_ %s (int64_t)0x%llxull && !CAIRN_PENDING())\n"
              "  lvT_ = cairn_lv_trip_(lvu_, lvn_, (int64_t)0x%llxull, %d, "
              "(int64_t)0x%llxull, (int64_t)0x%llxull);\n"
              "  if (lvT_ >= %d) {\n",
              s > 0 ? ">=" : "<=", (unsigned long long)far, (unsigned long long)s, lv->rel,
              (unsigned long long)lv->lo, (unsigned long long)lv->hi, LV_MIN_TRIP);
  for (uint32_t j = 0; j < lv->nRange; j++) {
    snprintf(zA, sizeof zA, "lvr%u_", j);
    lv_emit_eval(e, zA, &lv->aRange[j].v);
    char zLo[40], zHi[40];
    snprintf(zLo, sizeof zLo, "(int64_t)0x%llxull", (unsigned long long)lv->aRange[j].lo);
    snprintf(zHi, sizeof zHi, "(int64_t)0x%llxull", (unsigned long long)lv->aRange[j].hi);
    lv_emit_in(e, zA, lv->aRange[j].v.step, zLo, zHi);
  }
  /* one check per group of accesses whose addresses differ by a constant */
  uint32_t aGroup[LV_MAX_ACCESS];
  uint32_t nGroup = lv_group(lv, aGroup);
  if (nGroup) emit_str(&e->body, "  int64_t lvm_ = (int64_t)ctx->mems[0]->bytes;\n");
  for (uint32_t g = 0; g < nGroup; g++) {
    const LvGroup *gr = &lv->aGroup[g];
    LvVal base = lv->aAcc[gr->first].addr;
    base.c = gr->cMin;
    snprintf(zA, sizeof zA, "lva%u_", g);
    lv_emit_eval(e, zA, &base);
    snprintf(zB, sizeof zB, "lvm_ - %llu", (unsigned long long)gr->span);
    lv_emit_in(e, zA, base.step, "0", zB);
  }
  for (uint32_t j = 0; j < lv->nAcc; j++) {
    const LvAccess *a = &lv->aAcc[j];
    const LvGroup *gr = &lv->aGroup[aGroup[j]];
    emit_printf(&e->body, "  uint64_t lvp%u_ = (uint64_t)lva%u_ + %lluu;\n", j, aGroup[j],
                (unsigned long long)((uint64_t)(a->addr.c - gr->cMin) + a->offset));
  }
  emit_printf(&e->body,
              "  if (!lvbad_) {\n"
              "  uint64_t lvk_ = 0;\n"
              "  for (;;) {\n"
              "  uint64_t lvend_ = (uint64_t)lvT_ - lvk_ > %uu ? lvk_ + %uu : (uint64_t)lvT_;\n"
              "  for (; lvk_ < lvend_; lvk_++) {\n",
              LV_CHUNK, LV_CHUNK);
  uint32_t height = e->nStk;
  e->lv = lv;
  if (spec) lv_emit_spec(e, lv, height);
  /* the body's own statements on the same locals, accesses rewritten */
  e->lvAccess = 0;
  e->lastEnd = SIZE_MAX;
  for (uint32_t i = 0; i < lv->nIn && !e->oom; i++) emit_instruction(e, &lv->aIn[i]);
  emit_pop(e, 1); /* the exit condition: the count replaces it */
  e->lastEnd = SIZE_MAX;
  emit_str(&e->body,
           "  }\n"
           "  if (lvk_ == (uint64_t)lvT_) break;\n"
           "  CAIRN_POLL(ctx);\n"
           "  }\n");
  /* after the last trip: the loop's own way out (its br, on the stack the
  ** body left), else its end */
  bool needV = !lv->hasTail;
  if (lv->hasTail) {
    emit_instruction(e, &lv->tail);
    e->unreach = false;
  } else {
    emit_printf(&e->body, "  goto V%u;\n", c->id);
  }
  e->lv = NULL;
  e->lastEnd = SIZE_MAX;
  e->nStk = height;
  emit_str(&e->body,
           "  }\n"
           "  }\n"
           "  }\n");
  base_free(lv);
  return needV;
}
