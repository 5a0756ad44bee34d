/*
** exec.c: the interpreter's executor - interp_call, the dispatch loop and
** the per-store execution state (s->pExec).
**
** Dispatch is direct-threaded with computed goto (op words are handler
** offsets, see interp.h), or a switch when CAIRN_SWITCH_DISPATCH is defined;
** both run the same handler bodies. Wasm-to-Wasm calls stay in the loop: a
** frame record is pushed on an explicit stack, the callee's frame starts at
** the caller's argument slots. The C stack grows only when a host function
** re-enters Wasm (a nested interp_call, which continues on the same value
** and frame stacks). Traps leave the loop by returning false; guard-page
** faults arrive by siglongjmp at the TrapPad pushed in interp_call, which
** owns no memory on the way (the frame stacks belong to the store).
**
** Memory accesses: with guard regions (64-bit hosts, default build) a load
** or store computes base + (u64)addr + offset and relies on the fault; with
** CAIRN_BOUNDS_CHECK (or on 32-bit hosts) it checks against the size.
**
** It may not touch: modules and code (read only), other stores.
*/
#include <math.h>
#include <string.h>

#include "engine/interp/interp.h"
#include "engine/interp/numeric.h"
#include "engine/interp/simd.h"

#if defined(CAIRN_BOUNDS_CHECK) || UINTPTR_MAX <= 0xFFFFFFFFu
#define EXEC_CHECK 1
#else
#define EXEC_CHECK 0
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the interpreter's memory access assumes a little-endian host"
#endif

#define EXEC_STACK_SLOTS ((size_t)1 << 20) /* 8 MiB of value stack per store */
/* Host functions re-entering Wasm nest C frames (interp_call, the loop,
** rt_call_host: a few KiB each); past this many nested activations a call
** is "call stack exhausted" rather than a C stack overflow. */
#define EXEC_MAX_NEST 256

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* One active Wasm function. pc and fp are saved when it calls out. */
typedef struct ExecFrame {
  cairn_func *f;
  cairn_instance *inst;  /* f->inst, one load away on return */
  const uint32_t *pc;
  Slot *fp;
} ExecFrame;

typedef struct ExecState {
  Slot *aStack, *pEnd;     /* value stack: frames of all active functions */
  ExecFrame *aFrame;       /* nFrame active records, innermost last */
  uint32_t nFrame, nFrameAlloc;
  uint32_t nFrameCap;      /* min(nFrameAlloc, the store's call depth limit) */
  Slot *pFree;             /* first free slot while a host function runs */
  uint32_t nNest;          /* interp_call activations on the C stack */
} ExecState;

void interp_exec_free(cairn_store *s) {
  ExecState *ex = s->pExec;
  if (!ex) return;
  base_free(ex->aStack);
  base_free(ex->aFrame);
  base_free(ex);
  s->pExec = NULL;
}

/* Two consecutive code words in one load, word p[0] in the low half: a
** handler's operand fetches compete with its slot and memory accesses for
** the load ports, the bottleneck of the busiest handlers. */
static inline uint64_t exec_pair(const uint32_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  w = w << 32 | w >> 32;
#endif
  return w;
}

static ExecState *exec_state(cairn_store *s) {
  if (s->pExec) return s->pExec;
  ExecState *ex = base_calloc(1, sizeof *ex);
  if (!ex) return NULL;
  ex->aStack = base_malloc(EXEC_STACK_SLOTS * sizeof(Slot));
  if (!ex->aStack) {
    base_free(ex);
    return NULL;
  }
  ex->pEnd = ex->aStack + EXEC_STACK_SLOTS;
  ex->pFree = ex->aStack;
  s->pExec = ex;
  return ex;
}

/* Makes room for one more frame record (bounded by the call depth check). */
static bool exec_grow_frames(ExecState *ex) {
  if (ex->nFrame < ex->nFrameAlloc) return true;
  uint32_t nNew = ex->nFrameAlloc ? ex->nFrameAlloc * 2 : 256;
  ExecFrame *aNew = base_realloc(ex->aFrame, (size_t)nNew * sizeof *aNew);
  if (!aNew) return false;
  ex->aFrame = aNew;
  ex->nFrameAlloc = nNew;
  return true;
}

/* Sets ex->nFrameCap: a call below it needs no depth or allocation check. */
static void exec_frame_cap(ExecState *ex, const cairn_store *s) {
  ex->nFrameCap = ex->nFrameAlloc < s->maxCallDepth ? ex->nFrameAlloc : s->maxCallDepth;
}

/* Fills err's backtrace from the active frames, innermost first. */
static void exec_backtrace(const ExecState *ex, cairn_error *err) {
  int k = 0;
  for (uint32_t i = ex->nFrame; i-- > 0 && k < CAIRN_MAX_BACKTRACE;) {
    const cairn_func *f = ex->aFrame[i].f;
    const InterpCode *c = f->def->pCode;
    err->frames[k].func_index = f->idx;
    err->frames[k].func_name = c->zName;
    k++;
  }
  err->nframes = k;
}

static void exec_trap(const ExecState *ex, cairn_store *s, cairn_trapkind tk, cairn_error *err) {
  rt_trap(err, tk);
  /* an interruption is consumed by the trap it causes */
  if (tk == CAIRN_TRAP_INTERRUPT) {
    atomic_store(&s->interrupt, 0);
    atomic_fetch_and(&s->pending, ~RT_PENDING_INTERRUPT);
  }
  exec_backtrace(ex, err);
}

/* Profiling aid (build with -DCAIRN_SWITCH_DISPATCH=ON -DCMAKE_C_FLAGS=
** -DCAIRN_OPSTATS): counts every op and every pair of consecutive ops and
** writes them at exit to $OPSTATS (default /tmp/opstats.txt). The
** superinstructions were chosen from these counts. Not thread-safe. */
#ifdef CAIRN_OPSTATS
#include <stdio.h>
#include <stdlib.h>
static uint64_t aOpCnt[IOP_COUNT_], aPairCnt[IOP_COUNT_][IOP_COUNT_];
static uint32_t prevOp;
static void exec_opstat(uint32_t op) {
  aOpCnt[op]++;
  aPairCnt[prevOp][op]++;
  prevOp = op;
}
__attribute__((destructor)) static void exec_opstat_dump(void) {
  FILE *f = fopen(getenv("OPSTATS") ? getenv("OPSTATS") : "/tmp/opstats.txt", "w");
  if (!f) return;
  for (int i = 0; i < IOP_COUNT_; i++)
    if (aOpCnt[i])
      fprintf(f, "op %llu %s\n", (unsigned long long)aOpCnt[i], interp_op_name((IOp)i));
  for (int i = 0; i < IOP_COUNT_; i++)
    for (int j = 0; j < IOP_COUNT_; j++)
      if (aPairCnt[i][j])
        fprintf(f, "pair %llu %s %s\n", (unsigned long long)aPairCnt[i][j],
                interp_op_name((IOp)i), interp_op_name((IOp)j));
  fclose(f);
}
#endif

/* The loop keeps its labels' offsets in a static table; GCC must not clone
** or inline it (the offsets belong to one copy of the code). */
#if defined(__clang__)
#define EXEC_NOCLONE __attribute__((noinline))
#else
#define EXEC_NOCLONE __attribute__((noinline, noclone))
#endif

/* Runs from the innermost frame record until the frame stack is back to
** `base` records. With ex == NULL only stores the handler table in *pTable. */
static EXEC_NOCLONE bool exec_run(ExecState *ex, cairn_store *s, uint32_t base, cairn_error *err,
                                  const int32_t **pTable) {
#ifdef CAIRN_SWITCH_DISPATCH
#define OP(name) case IOP_##name:
#define NEXT() goto dispatch
  if (!ex) {
    *pTable = NULL;
    return true;
  }
#else
#define OP(name) L_##name:
#define NEXT() goto *(const void *)((const char *)&&L_UNREACHABLE + (int32_t)*pc++)
  static const int32_t aHandler[IOP_COUNT_] = {
#define HOFF(l) (int32_t)((const char *)&&l - (const char *)&&L_UNREACHABLE)
#define INTERP_OP(n, L) [IOP_##n] = HOFF(L_##n),
      INTERP_OP_TABLE
#undef INTERP_OP
#undef HOFF
  };
  if (!ex) {
    *pTable = aHandler;
    return true;
  }
#endif

  ExecFrame *fr = &ex->aFrame[ex->nFrame - 1];
  cairn_instance *inst = fr->f->inst;
  Slot *fp = fr->fp;
  const uint32_t *pc = ((const InterpCode *)fr->f->def->pCode)->aCode;
  const InterpCode *cc;
  cairn_memory *mem;
  uint8_t *mb;
  uint64_t msz;
  cairn_trapkind tk;
  cairn_func *callee;
  Slot *nfp;

#define LOAD_MEM()                                    \
  do {                                                \
    mem = inst->m->nMem ? inst->apMem[0] : NULL;      \
    mb = mem ? mem->base : NULL;                      \
    msz = mem ? mem->pages * WASM_PAGE_SIZE : 0;      \
  } while (0)
#define TRAP(k)  \
  do {           \
    tk = (k);    \
    goto trap;   \
  } while (0)

  LOAD_MEM();
  (void)msz;

  /* fuel and interruption: at function entry and on a loop's back edge, one
  ** test on the fast path (the work is at `limits`, which continues at pc) */
#define CHECK_LIMITS()                                                              \
  do {                                                                              \
    if (UNLIKELY(atomic_load_explicit(&s->pending, memory_order_relaxed)))          \
      goto limits;                                                                  \
  } while (0)

  /* operand access: k-th operand word as a slot */
#define S(k) fp[pc[k]]
#define U32(k) ((uint32_t)S(k))
#define I32(k) ((int32_t)(uint32_t)S(k))
#define U64(k) (S(k))
#define I64(k) ((int64_t)S(k))
#define F32(k) num_f32(S(k))
#define F64(k) num_f64(S(k))
#define IMM64(k) ((uint64_t)pc[k] | (uint64_t)pc[(k) + 1] << 32)
  /* operand words k and k+1 in one 64-bit load (halves: PAIR_LO, PAIR_HI) */
#define PAIR(k) exec_pair(pc + (k))
#define PAIR_LO(w) ((uint32_t)(w))
#define PAIR_HI(w) ((uint32_t)((w) >> 32))
  /* slot i as a typed value (S(k) is the slot named by operand word k) */
#define AT_U32(i) ((uint32_t)fp[i])
#define AT_U64(i) (fp[i])
#define AT_F32(i) num_f32(fp[i])
#define AT_F64(i) num_f64(fp[i])
  /* dispatches on w, the op word at pc[n - 1] already fetched with a PAIR */
#ifdef CAIRN_SWITCH_DISPATCH
#define NEXT_W(n, w)    \
  do {                  \
    (void)(w);          \
    pc += (n) - 1;      \
    NEXT();             \
  } while (0)
#else
#define NEXT_W(n, w)                                                              \
  do {                                                                            \
    pc += (n);                                                                    \
    goto *(const void *)((const char *)&&L_UNREACHABLE + (int32_t)(uint32_t)(w)); \
  } while (0)
#endif

  /* a taken branch to the target word at w; only a loop's back edge jumps
  ** backwards, so that is where loops check their limits (no extra op) */
#define JUMP(w)                 \
  do {                          \
    const uint32_t *w_ = (w);   \
    int32_t o_ = (int32_t)*w_;  \
    pc = w_ + o_;               \
    if (o_ < 0) CHECK_LIMITS(); \
    NEXT();                     \
  } while (0)

  CHECK_LIMITS();
#ifdef CAIRN_SWITCH_DISPATCH
dispatch:
#ifdef CAIRN_OPSTATS
  exec_opstat(*pc);
#endif
  switch ((IOp)*pc++) {
#else
  NEXT();
#endif

  /* ---- control ---- */
  OP(UNREACHABLE) { TRAP(CAIRN_TRAP_UNREACHABLE); }
  OP(BR) { JUMP(pc); }
  OP(BR_IF) {
    if (U32(0)) JUMP(pc + 1);
    pc += 2;
    NEXT();
  }
  OP(BR_UNLESS) {
    if (!U32(0)) JUMP(pc + 1);
    pc += 2;
    NEXT();
  }
  /* a loop counter's step and test (i32.add with a constant, maybe a
  ** local.tee, then br_if / if on the sum) */
  OP(I32_ADD_I_BR_IF) {
    uint32_t v = U32(1) + pc[2];
    S(0) = v;
    if (v) JUMP(pc + 3);
    pc += 4;
    NEXT();
  }
  OP(I32_ADD_I_BR_UNLESS) {
    uint32_t v = U32(1) + pc[2];
    S(0) = v;
    if (!v) JUMP(pc + 3);
    pc += 4;
    NEXT();
  }
  OP(BR_TABLE) {
    uint32_t i = U32(0), n = pc[1];
    JUMP(pc + 2 + (i < n ? i : n));
  }
  OP(RET) {
    if (UNLIKELY(--ex->nFrame == base)) return true;
    fr--;
    fp = fr->fp;
    pc = fr->pc;
    if (UNLIKELY(fr->inst != inst)) {
      inst = fr->inst;
      LOAD_MEM();
    }
    NEXT();
  }
  OP(CALL) {
    callee = inst->apFunc[pc[0]];
    nfp = fp + pc[1];
    pc += 2;
    goto do_call;
  }
  OP(CALL_DEF) {
    callee = &inst->aOwnFunc[pc[0]];
    nfp = fp + pc[1];
    pc += 2;
    fr->pc = pc;
    fr->fp = fp;
    cc = __atomic_load_n(&callee->def->pCode, __ATOMIC_ACQUIRE);
    if (UNLIKELY(ex->nFrame >= ex->nFrameCap || cc->frameSize > (size_t)(ex->pEnd - nfp)))
      goto call_slow;
    fr++;
    ex->nFrame++;
    fr->f = callee;
    fr->inst = inst;
    fp = nfp;
    pc = cc->aCode;
    if (cc->nLocal)
      for (Slot *p = fp + cc->nParam, *e = p + cc->nLocal; p < e; p++) *p = 0;
    CHECK_LIMITS();
    NEXT();
  }
  OP(CALL_INDIRECT) {
    cairn_table *tab = inst->apTable[pc[1]];
    uint32_t i = U32(3);
    if (UNLIKELY(i >= tab->size)) TRAP(CAIRN_TRAP_UNDEFINED_ELEMENT);
    callee = tab->aElem[i];
    if (UNLIKELY(!callee)) TRAP(CAIRN_TRAP_UNINITIALIZED_ELEMENT);
    if (UNLIKELY(callee->typeId != inst->aTypeId[pc[0]])) TRAP(CAIRN_TRAP_INDIRECT_MISMATCH);
    nfp = fp + pc[2];
    pc += 4;
    goto do_call;
  }

  /* ---- moves, constants, variables ---- */
  OP(MOV) {
    uint64_t ds = PAIR(0);
    fp[PAIR_LO(ds)] = fp[PAIR_HI(ds)];
    pc += 2;
    NEXT();
  }
  OP(CONST32) {
    S(0) = pc[1];
    pc += 2;
    NEXT();
  }
  OP(CONST64) {
    S(0) = (uint64_t)pc[1] | ((uint64_t)pc[2] << 32);
    pc += 3;
    NEXT();
  }
  OP(SELECT) {
    S(0) = U32(3) ? S(1) : S(2);
    pc += 4;
    NEXT();
  }
  OP(GLOBAL_GET) {
    S(0) = inst->apGlobal[pc[1]]->v[0];
    pc += 2;
    NEXT();
  }
  OP(GLOBAL_SET) {
    inst->apGlobal[pc[0]]->v[0] = S(1);
    pc += 2;
    NEXT();
  }
  OP(REF_FUNC) {
    S(0) = (Slot)(uintptr_t)inst->apFunc[pc[1]];
    pc += 2;
    NEXT();
  }
  /* v128 (two slots) variants */
  OP(SELECT_V) {
    const Slot *src = U32(3) ? &S(1) : &S(2);
    Slot lo = src[0], hi = src[1];
    (&S(0))[0] = lo;
    (&S(0))[1] = hi;
    pc += 4;
    NEXT();
  }
  OP(GLOBAL_GET_V) {
    const cairn_global *g = inst->apGlobal[pc[1]];
    (&S(0))[0] = g->v[0];
    (&S(0))[1] = g->v[1];
    pc += 2;
    NEXT();
  }
  OP(GLOBAL_SET_V) {
    cairn_global *g = inst->apGlobal[pc[0]];
    g->v[0] = (&S(1))[0];
    g->v[1] = (&S(1))[1];
    pc += 2;
    NEXT();
  }

  /* ---- tables ---- */
  OP(TABLE_GET) {
    cairn_table *tab = inst->apTable[pc[1]];
    uint32_t i = U32(2);
    if (UNLIKELY(i >= tab->size)) TRAP(CAIRN_TRAP_TABLE_OOB);
    S(0) = (Slot)(uintptr_t)tab->aElem[i];
    pc += 3;
    NEXT();
  }
  OP(TABLE_SET) {
    cairn_table *tab = inst->apTable[pc[0]];
    uint32_t i = U32(1);
    if (UNLIKELY(i >= tab->size)) TRAP(CAIRN_TRAP_TABLE_OOB);
    tab->aElem[i] = (void *)(uintptr_t)S(2);
    pc += 3;
    NEXT();
  }
  OP(TABLE_SIZE) {
    S(0) = inst->apTable[pc[1]]->size;
    pc += 2;
    NEXT();
  }
  OP(TABLE_GROW) {
    int64_t r = rt_table_grow(inst->apTable[pc[1]], U32(3), (void *)(uintptr_t)S(2));
    S(0) = (uint32_t)r;
    pc += 4;
    NEXT();
  }
  OP(TABLE_FILL) {
    tk = interp_table_fill(inst->apTable[pc[0]], U32(1), (void *)(uintptr_t)S(2), U32(3));
    if (UNLIKELY(tk)) goto trap;
    pc += 4;
    NEXT();
  }
  OP(TABLE_COPY) {
    tk = interp_table_copy(inst->apTable[pc[0]], inst->apTable[pc[1]], U32(2), U32(3), U32(4));
    if (UNLIKELY(tk)) goto trap;
    pc += 5;
    NEXT();
  }
  OP(TABLE_INIT) {
    if (UNLIKELY(!rt_table_init(inst, pc[0], pc[1], U32(2), U32(3), U32(4), err)))
      goto trap_err;
    pc += 5;
    NEXT();
  }
  OP(ELEM_DROP) {
    inst->aElemDropped[pc[0]] = true;
    pc += 1;
    NEXT();
  }

  /* ---- memory ---- */
  OP(MEMORY_SIZE) {
    S(0) = mem->pages;
    pc += 1;
    NEXT();
  }
  OP(MEMORY_GROW) {
    int64_t r = rt_memory_grow(mem, U32(1));
    S(0) = (uint32_t)r;
    LOAD_MEM();
    pc += 2;
    NEXT();
  }
  OP(MEMORY_FILL) {
    tk = interp_memory_fill(mem, U32(0), U32(1), U32(2));
    if (UNLIKELY(tk)) goto trap;
    pc += 3;
    NEXT();
  }
  OP(MEMORY_COPY) {
    tk = interp_memory_copy(mem, U32(0), U32(1), U32(2));
    if (UNLIKELY(tk)) goto trap;
    pc += 3;
    NEXT();
  }
  OP(MEMORY_INIT) {
    if (UNLIKELY(!rt_memory_init(inst, 0, pc[0], U32(1), U32(2), U32(3), err))) goto trap_err;
    pc += 4;
    NEXT();
  }
  OP(DATA_DROP) {
    inst->aDataDropped[pc[0]] = true;
    pc += 1;
    NEXT();
  }

#if EXEC_CHECK
#define MEM_CHK(ea, n) \
  if (UNLIKELY((ea) + (n) > msz)) TRAP(CAIRN_TRAP_MEMORY_OOB)
#else
#define MEM_CHK(ea, n)
#endif
  /* each load also comes as _AI / _AA, address (u32)(a + imm or b) (interp.h) */
  /* (dst, addr, offset); _AI (dst, a, imm, offset); _AA (dst, a, b, offset) */
#define LOAD_DO(T, conv, ea, next)     \
  do {                                 \
    MEM_CHK(ea, sizeof(T));            \
    T v;                               \
    memcpy(&v, mb + ea, sizeof(T));    \
    fp[PAIR_LO(da)] = conv;            \
    next;                              \
  } while (0)
#define LOAD(name, T, conv)                                                           \
  OP(name) {                                                                          \
    uint64_t da = PAIR(0), on = PAIR(2);                                              \
    uint64_t ea = (uint64_t)AT_U32(PAIR_HI(da)) + PAIR_LO(on);                        \
    LOAD_DO(T, conv, ea, NEXT_W(4, PAIR_HI(on)));                                     \
  }                                                                                   \
  OP(name##_AI) {                                                                     \
    uint64_t da = PAIR(0), io = PAIR(2);                                              \
    uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_HI(da)) + PAIR_LO(io)) + PAIR_HI(io); \
    LOAD_DO(T, conv, ea, pc += 4; NEXT());                                            \
  }                                                                                   \
  OP(name##_AA) {                                                                     \
    uint64_t da = PAIR(0), bo = PAIR(2);                                              \
    uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_HI(da)) + AT_U32(PAIR_LO(bo))) +   \
                  PAIR_HI(bo);                                                        \
    LOAD_DO(T, conv, ea, pc += 4; NEXT());                                            \
  }
  LOAD(I32_LOAD, uint32_t, v)
  LOAD(I64_LOAD, uint64_t, v)
  LOAD(F32_LOAD, uint32_t, v)
  LOAD(F64_LOAD, uint64_t, v)
  LOAD(I32_LOAD8_S, int8_t, (uint32_t)(int32_t)v)
  LOAD(I32_LOAD8_U, uint8_t, v)
  LOAD(I32_LOAD16_S, int16_t, (uint32_t)(int32_t)v)
  LOAD(I32_LOAD16_U, uint16_t, v)
  LOAD(I64_LOAD8_S, int8_t, (uint64_t)(int64_t)v)
  LOAD(I64_LOAD8_U, uint8_t, v)
  LOAD(I64_LOAD16_S, int16_t, (uint64_t)(int64_t)v)
  LOAD(I64_LOAD16_U, uint16_t, v)
  LOAD(I64_LOAD32_S, int32_t, (uint64_t)(int64_t)v)
  LOAD(I64_LOAD32_U, uint32_t, v)
  /* (addr, value, offset); _AI (a, imm, value, offset) */
#define STORE(name, T)                                                          \
  OP(name) {                                                                    \
    uint64_t av = PAIR(0), on = PAIR(2);                                        \
    uint64_t ea = (uint64_t)AT_U32(PAIR_LO(av)) + PAIR_LO(on);                  \
    MEM_CHK(ea, sizeof(T));                                                     \
    T v = (T)fp[PAIR_HI(av)];                                                   \
    memcpy(mb + ea, &v, sizeof(T));                                             \
    NEXT_W(4, PAIR_HI(on));                                                     \
  }                                                                             \
  OP(name##_AI) {                                                               \
    uint64_t ai = PAIR(0), vo = PAIR(2);                                        \
    uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_LO(ai)) + PAIR_HI(ai)) + PAIR_HI(vo); \
    MEM_CHK(ea, sizeof(T));                                                     \
    T v = (T)fp[PAIR_LO(vo)];                                                   \
    memcpy(mb + ea, &v, sizeof(T));                                             \
    pc += 4;                                                                    \
    NEXT();                                                                     \
  }
  STORE(I32_STORE, uint32_t)
  STORE(I64_STORE, uint64_t)
  STORE(F32_STORE, uint32_t)
  STORE(F64_STORE, uint64_t)
  STORE(I32_STORE8, uint8_t)
  STORE(I32_STORE16, uint16_t)
  STORE(I64_STORE8, uint8_t)
  STORE(I64_STORE16, uint16_t)
  STORE(I64_STORE32, uint32_t)

  /* ---- numeric ---- */
  /* the ten i32 comparisons, expanded by each family of handlers below
  ** (plain, compare-and-branch, add+compare+branch, select) */
#define I32_COMPARES(X)                     \
  X(I32_EQ, a == b)                         \
  X(I32_NE, a != b)                         \
  X(I32_LT_S, (int32_t)a < (int32_t)b)      \
  X(I32_LT_U, a < b)                        \
  X(I32_GT_S, (int32_t)a > (int32_t)b)      \
  X(I32_GT_U, a > b)                        \
  X(I32_LE_S, (int32_t)a <= (int32_t)b)     \
  X(I32_LE_U, a <= b)                       \
  X(I32_GE_S, (int32_t)a >= (int32_t)b)     \
  X(I32_GE_U, a >= b)
#define UN(name, expr)  \
  OP(name) {            \
    S(0) = (expr);      \
    pc += 2;            \
    NEXT();             \
  }
  /* a binary op on operands a (slot) and b (slot, or the immediate) */
#define BIN(name, Ta, get, expr)                             \
  OP(name) {                                                 \
    uint64_t da = PAIR(0), bn = PAIR(2);                     \
    Ta a = AT_##get(PAIR_HI(da)), b = AT_##get(PAIR_LO(bn)); \
    fp[PAIR_LO(da)] = (expr);                                \
    NEXT_W(4, PAIR_HI(bn));                                  \
  }
  /* i32 binary ops, also with an immediate right operand */
#define BIN32I(name, expr)                  \
  BIN(name, uint32_t, U32, (uint32_t)(expr)) \
  OP(name##_I) {                             \
    uint64_t da = PAIR(0), bn = PAIR(2);     \
    uint32_t a = AT_U32(PAIR_HI(da)), b = PAIR_LO(bn); \
    fp[PAIR_LO(da)] = (uint32_t)(expr);      \
    NEXT_W(4, PAIR_HI(bn));                  \
  }
  /* i64 binary ops, also with a 64-bit immediate right operand (2 words) */
#define BIN64I(name, expr)                           \
  BIN(name, uint64_t, U64, (uint64_t)(expr))         \
  OP(name##_I) {                                     \
    uint64_t da = PAIR(0), b = PAIR(2);              \
    uint64_t a = AT_U64(PAIR_HI(da));                \
    fp[PAIR_LO(da)] = (uint64_t)(expr);              \
    pc += 4;                                         \
    NEXT();                                          \
  }
#define BIN32(name, expr) BIN(name, uint32_t, U32, (uint32_t)(expr))
  /* integer division and remainder, i32 and i64 alike: the spec's traps
  ** (zero divisor; INT_MIN / -1 overflows, INT_MIN % -1 is 0) */
#define DIVREM(W, Ts, Tu, gets, getu, MIN)                                \
  OP(I##W##_DIV_S) {                                                   \
    Ts a = gets(1), b = gets(2);                                       \
    if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                   \
    if (UNLIKELY(a == MIN && b == -1)) TRAP(CAIRN_TRAP_INT_OVERFLOW);  \
    S(0) = (Tu)(a / b);                                                \
    pc += 3;                                                           \
    NEXT();                                                            \
  }                                                                    \
  OP(I##W##_DIV_U) {                                                   \
    Tu a = getu(1), b = getu(2);                                       \
    if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                   \
    S(0) = a / b;                                                      \
    pc += 3;                                                           \
    NEXT();                                                            \
  }                                                                    \
  OP(I##W##_REM_S) {                                                   \
    Ts a = gets(1), b = gets(2);                                       \
    if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                   \
    S(0) = b == -1 ? 0 : (Tu)(a % b);                                  \
    pc += 3;                                                           \
    NEXT();                                                            \
  }                                                                    \
  OP(I##W##_REM_U) {                                                   \
    Tu a = getu(1), b = getu(2);                                       \
    if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                   \
    S(0) = a % b;                                                      \
    pc += 3;                                                           \
    NEXT();                                                            \
  }
  /* f64 arithmetic, also with a constant right operand (2 words) */
#define BINF64I(name, expr)            \
  BIN(name, double, F64, (expr))       \
  OP(name##_I) {                       \
    uint64_t da = PAIR(0);             \
    double a = AT_F64(PAIR_HI(da)), b = num_f64(PAIR(2)); \
    fp[PAIR_LO(da)] = (expr);          \
    pc += 4;                           \
    NEXT();                            \
  }
#define BIN64(name, expr) BIN(name, uint64_t, U64, (uint64_t)(expr))
#define BINF32(name, expr) BIN(name, float, F32, (expr))
#define BINF64(name, expr) BIN(name, double, F64, (expr))

  I32_COMPARES(BIN32I)
  BIN64I(I64_EQ, a == b)
  BIN64I(I64_NE, a != b)
  BIN64I(I64_LT_S, (int64_t)a < (int64_t)b)
  BIN64I(I64_LT_U, a < b)
  BIN64I(I64_GT_S, (int64_t)a > (int64_t)b)
  BIN64I(I64_GT_U, a > b)
  BIN64I(I64_LE_S, (int64_t)a <= (int64_t)b)
  BIN64I(I64_LE_U, a <= b)
  BIN64I(I64_GE_S, (int64_t)a >= (int64_t)b)
  BIN64I(I64_GE_U, a >= b)
  BIN(F32_EQ, float, F32, (uint64_t)(a == b))
  BIN(F32_NE, float, F32, (uint64_t)(a != b))
  BIN(F32_LT, float, F32, (uint64_t)(a < b))
  BIN(F32_GT, float, F32, (uint64_t)(a > b))
  BIN(F32_LE, float, F32, (uint64_t)(a <= b))
  BIN(F32_GE, float, F32, (uint64_t)(a >= b))
  BIN(F64_EQ, double, F64, (uint64_t)(a == b))
  BIN(F64_NE, double, F64, (uint64_t)(a != b))
  BIN(F64_LT, double, F64, (uint64_t)(a < b))
  BIN(F64_GT, double, F64, (uint64_t)(a > b))
  BIN(F64_LE, double, F64, (uint64_t)(a <= b))
  BIN(F64_GE, double, F64, (uint64_t)(a >= b))

  BIN32I(I32_ADD, a + b)
  OP(I32_ADD2) {
    uint64_t da = PAIR(0), bd = PAIR(2), ab = PAIR(4);
    fp[PAIR_HI(bd)] = (uint32_t)(AT_U32(PAIR_LO(ab)) + AT_U32(PAIR_HI(ab)));
    fp[PAIR_LO(da)] = (uint32_t)(AT_U32(PAIR_HI(da)) + AT_U32(PAIR_LO(bd)));
    pc += 6;
    NEXT();
  }
  BIN32I(I32_SUB, a - b)
  BIN32I(I32_MUL, a * b)
  BIN32I(I32_AND, a & b)
  BIN32I(I32_OR, a | b)
  BIN32I(I32_XOR, a ^ b)
  BIN32I(I32_SHL, a << (b & 31))
  BIN32I(I32_SHR_S, num_shr_s32(a, b))
  BIN32I(I32_SHR_U, a >> (b & 31))
  BIN32(I32_ROTL, num_rotl32(a, b))
  BIN32(I32_ROTR, num_rotr32(a, b))
  DIVREM(32, int32_t, uint32_t, I32, U32, INT32_MIN)

  BIN64I(I64_ADD, a + b)
  BIN64I(I64_SUB, a - b)
  BIN64I(I64_MUL, a * b)
  BIN64I(I64_AND, a & b)
  BIN64I(I64_OR, a | b)
  BIN64I(I64_XOR, a ^ b)
  BIN64I(I64_SHL, a << (b & 63))
  BIN64I(I64_SHR_S, num_shr_s64(a, b))
  BIN64I(I64_SHR_U, a >> (b & 63))
  BIN64I(I64_ROTL, num_rotl64(a, b))
  BIN64I(I64_ROTR, num_rotr64(a, b))
  DIVREM(64, int64_t, uint64_t, I64, U64, INT64_MIN)

  BINF32(F32_ADD, num_bits32(a + b))
  BINF32(F32_SUB, num_bits32(a - b))
  BINF32(F32_MUL, num_bits32(a * b))
  BINF32(F32_DIV, num_bits32(a / b))
  BINF32(F32_MIN, num_bits32(num_fmin32(a, b)))
  BINF32(F32_MAX, num_bits32(num_fmax32(a, b)))
  BIN32(F32_COPYSIGN, (a & ~NUM_SIGN32) | (b & NUM_SIGN32))
  BINF64I(F64_ADD, num_bits64(a + b))
  BINF64I(F64_SUB, num_bits64(a - b))
  BINF64I(F64_MUL, num_bits64(a * b))
  /* ... and with the right operand loaded from memory (interp.h) */
  /* _M (dst, a, addr, offset), _MAI (dst, a, addr, imm, offset) */
#define BINF64M_DO(expr, ea, next)                   \
  do {                                               \
    MEM_CHK(ea, 8);                                  \
    uint64_t v;                                      \
    memcpy(&v, mb + ea, 8);                          \
    double a = AT_F64(PAIR_HI(da)), b = num_f64(v);  \
    fp[PAIR_LO(da)] = (expr);                        \
    next;                                            \
  } while (0)
#define BINF64M(name, expr)                                                     \
  OP(name##_M) {                                                                \
    uint64_t da = PAIR(0), ao = PAIR(2);                                        \
    uint64_t ea = (uint64_t)AT_U32(PAIR_LO(ao)) + PAIR_HI(ao);                  \
    BINF64M_DO(expr, ea, pc += 4; NEXT());                                      \
  }                                                                             \
  OP(name##_MAI) {                                                              \
    uint64_t da = PAIR(0), ai = PAIR(2), on = PAIR(4);                          \
    uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_LO(ai)) + PAIR_HI(ai)) + PAIR_LO(on); \
    BINF64M_DO(expr, ea, NEXT_W(6, PAIR_HI(on)));                               \
  }
  BINF64M(F64_ADD, num_bits64(a + b))
  BINF64M(F64_SUB, num_bits64(a - b))
  BINF64M(F64_MUL, num_bits64(a * b))
  /* ... and the axpy step, c[i] += x * b[j] (interp.h): at c's address ea,
  ** b's eb, the product and the sum each rounded */
#define F64_MAC_STEP(ea, eb, x)                                          \
  do {                                                                   \
    uint64_t ea_ = (ea), eb_ = (eb);                                     \
    MEM_CHK(eb_, 8);                                                     \
    MEM_CHK(ea_, 8);                                                     \
    uint64_t vb_, va_;                                                   \
    memcpy(&vb_, mb + eb_, 8);                                           \
    memcpy(&va_, mb + ea_, 8);                                           \
    uint64_t r_ = num_bits64((x) * num_f64(vb_) + num_f64(va_));         \
    memcpy(mb + ea_, &r_, 8);                                            \
  } while (0)
  /* F64_MAC and F64_MAC_PRE: c at A, then (x, b, ib, offA, offB) from word k */
#define F64_MAC_AT(A, k)                                                           \
  do {                                                                             \
    uint64_t xb = PAIR(k), io = PAIR(k + 2), ob = PAIR(k + 4);                     \
    F64_MAC_STEP((uint64_t)(A) + PAIR_HI(io),                                      \
                 (uint64_t)(uint32_t)(AT_U32(PAIR_HI(xb)) + PAIR_LO(io)) + PAIR_LO(ob), \
                 AT_F64(PAIR_LO(xb)));                                             \
    NEXT_W(k + 6, PAIR_HI(ob));                                                    \
  } while (0)
  /* F64_MAC_ADD2 and F64_MAC2: both address sums (A for c, B for b), then the
  ** first step; declares the operand pairs, A, B and x */
#define F64_MAC_SUMS_STEP()                                                         \
  uint64_t da = PAIR(0), bd = PAIR(2), ab = PAIR(4), xi = PAIR(6), oo = PAIR(8);    \
  uint32_t A = AT_U32(PAIR_HI(da)) + AT_U32(PAIR_LO(bd));                           \
  fp[PAIR_LO(da)] = A;                                                              \
  uint32_t B = AT_U32(PAIR_LO(ab)) + AT_U32(PAIR_HI(ab));                           \
  fp[PAIR_HI(bd)] = B;                                                              \
  double x = AT_F64(PAIR_LO(xi));                                                   \
  F64_MAC_STEP((uint64_t)A + PAIR_LO(oo), (uint64_t)(uint32_t)(B + PAIR_HI(xi)) + PAIR_HI(oo), x)
  OP(F64_MAC) { F64_MAC_AT(U32(0), 1); }
  OP(F64_MAC_ADD2) {
    F64_MAC_SUMS_STEP();
    pc += 10;
    NEXT();
  }
  OP(F64_MAC2) {
    F64_MAC_SUMS_STEP();
    /* the second step: c's local stepped, b from the same sum */
    uint64_t ii = PAIR(10), oo2 = PAIR(12);
    A += PAIR_LO(ii);
    fp[PAIR_LO(da)] = A;
    F64_MAC_STEP((uint64_t)A + PAIR_LO(oo2), (uint64_t)(uint32_t)(B + PAIR_HI(ii)) + PAIR_HI(oo2), x);
    pc += 14;
    NEXT();
  }
  OP(F64_MAC_PRE) {
    uint64_t da = PAIR(0);
    uint32_t A = (uint32_t)fp[PAIR_HI(da)] + pc[2];
    fp[PAIR_LO(da)] = A;
    F64_MAC_AT(A, 3);
  }
  BINF64I(F64_DIV, num_bits64(a / b))
  BINF64(F64_MIN, num_bits64(num_fmin64(a, b)))
  BINF64(F64_MAX, num_bits64(num_fmax64(a, b)))
  BIN64(F64_COPYSIGN, (a & ~NUM_SIGN64) | (b & NUM_SIGN64))

  UN(I32_EQZ, (uint64_t)(U32(1) == 0))
  UN(I64_EQZ, (uint64_t)(U64(1) == 0))
  UN(I32_CLZ, num_clz32(U32(1)))
  UN(I32_CTZ, num_ctz32(U32(1)))
  UN(I32_POPCNT, (uint64_t)__builtin_popcount(U32(1)))
  UN(I64_CLZ, num_clz64(U64(1)))
  UN(I64_CTZ, num_ctz64(U64(1)))
  UN(I64_POPCNT, (uint64_t)__builtin_popcountll(U64(1)))
  UN(F32_ABS, U32(1) & ~NUM_SIGN32)
  UN(F32_NEG, U32(1) ^ NUM_SIGN32)
  UN(F32_CEIL, num_bits32(num_round32(F32(1), ceilf)))
  UN(F32_FLOOR, num_bits32(num_round32(F32(1), floorf)))
  UN(F32_TRUNC, num_bits32(num_round32(F32(1), truncf)))
  UN(F32_NEAREST, num_bits32(num_nearest32(F32(1))))
  UN(F32_SQRT, num_bits32(sqrtf(F32(1))))
  UN(F64_ABS, U64(1) & ~NUM_SIGN64)
  UN(F64_NEG, U64(1) ^ NUM_SIGN64)
  UN(F64_CEIL, num_bits64(num_round64(F64(1), ceil)))
  UN(F64_FLOOR, num_bits64(num_round64(F64(1), floor)))
  UN(F64_TRUNC, num_bits64(num_round64(F64(1), trunc)))
  UN(F64_NEAREST, num_bits64(num_nearest64(F64(1))))
  UN(F64_SQRT, num_bits64(sqrt(F64(1))))
  UN(I32_WRAP_I64, (uint32_t)U64(1))
  UN(I64_EXTEND_I32_S, (uint64_t)(int64_t)I32(1))
  UN(I64_EXTEND_I32_U, (uint64_t)U32(1))
  UN(F32_CONVERT_I32_S, num_bits32((float)I32(1)))
  UN(F32_CONVERT_I32_U, num_bits32((float)U32(1)))
  UN(F32_CONVERT_I64_S, num_bits32((float)I64(1)))
  UN(F32_CONVERT_I64_U, num_bits32((float)U64(1)))
  UN(F32_DEMOTE_F64, num_bits32((float)F64(1)))
  UN(F64_CONVERT_I32_S, num_bits64((double)I32(1)))
  UN(F64_CONVERT_I32_U, num_bits64((double)U32(1)))
  UN(F64_CONVERT_I64_S, num_bits64((double)I64(1)))
  UN(F64_CONVERT_I64_U, num_bits64((double)U64(1)))
  UN(F64_PROMOTE_F32, num_bits64((double)F32(1)))
  UN(I32_EXTEND8_S, (uint32_t)(int32_t)(int8_t)U32(1))
  UN(I32_EXTEND16_S, (uint32_t)(int32_t)(int16_t)U32(1))
  UN(I64_EXTEND8_S, (uint64_t)(int64_t)(int8_t)U64(1))
  UN(I64_EXTEND16_S, (uint64_t)(int64_t)(int16_t)U64(1))
  UN(I64_EXTEND32_S, (uint64_t)(int64_t)(int32_t)U64(1))
  UN(I32_TRUNC_SAT_F32_S, (uint32_t)num_sat_i32(F32(1)))
  UN(I32_TRUNC_SAT_F32_U, num_sat_u32(F32(1)))
  UN(I32_TRUNC_SAT_F64_S, (uint32_t)num_sat_i32(F64(1)))
  UN(I32_TRUNC_SAT_F64_U, num_sat_u32(F64(1)))
  UN(I64_TRUNC_SAT_F32_S, (uint64_t)num_sat_i64(F32(1)))
  UN(I64_TRUNC_SAT_F32_U, num_sat_u64(F32(1)))
  UN(I64_TRUNC_SAT_F64_S, (uint64_t)num_sat_i64(F64(1)))
  UN(I64_TRUNC_SAT_F64_U, num_sat_u64(F64(1)))

  /* trapping truncation: x is the input widened to double (exact) */
#define TRUNC(name, get, in_range, T, R)                      \
  OP(name) {                                                  \
    double x = get(1);                                        \
    if (UNLIKELY(x != x)) TRAP(CAIRN_TRAP_BAD_CONVERSION);    \
    if (UNLIKELY(!in_range(x))) TRAP(CAIRN_TRAP_INT_OVERFLOW); \
    S(0) = (R)(T)x;                                           \
    pc += 2;                                                  \
    NEXT();                                                   \
  }
  TRUNC(I32_TRUNC_F32_S, F32, num_in_i32, int32_t, uint32_t)
  TRUNC(I32_TRUNC_F32_U, F32, num_in_u32, uint32_t, uint32_t)
  TRUNC(I32_TRUNC_F64_S, F64, num_in_i32, int32_t, uint32_t)
  TRUNC(I32_TRUNC_F64_U, F64, num_in_u32, uint32_t, uint32_t)
  TRUNC(I64_TRUNC_F32_S, F32, num_in_i64, int64_t, uint64_t)
  TRUNC(I64_TRUNC_F32_U, F32, num_in_u64, uint64_t, uint64_t)
  TRUNC(I64_TRUNC_F64_S, F64, num_in_i64, int64_t, uint64_t)
  TRUNC(I64_TRUNC_F64_U, F64, num_in_u64, uint64_t, uint64_t)

  /* ---- compare and branch: (a, b or imm, L) ----
  ** A compare whose only use is a br_if or an if: one dispatch, no i32
  ** result written and read back. */
#define BRCMP(name, T, get, nImm, expr)     \
  OP(BR_##name) {                           \
    uint64_t ab = PAIR(0);                  \
    T a = AT_##get(PAIR_LO(ab)), b = AT_##get(PAIR_HI(ab)); \
    if (expr) JUMP(pc + 2);                 \
    pc += 3;                                \
    NEXT();                                 \
  }                                         \
  OP(BR_##name##_I) {                       \
    uint64_t ab = PAIR(0);                  \
    T a = AT_##get(PAIR_LO(ab)), b = nImm == 1 ? PAIR_HI(ab) : IMM64(1); \
    if (expr) JUMP(pc + 1 + nImm);          \
    pc += 2 + nImm;                         \
    NEXT();                                 \
  }
#define BRCMP32(name, expr) BRCMP(name, uint32_t, U32, 1, expr)
#define BRCMP64(name, expr) BRCMP(name, uint64_t, U64, 2, expr)
  I32_COMPARES(BRCMP32)
  BRCMP64(I64_EQ, a == b)
  BRCMP64(I64_NE, a != b)
  BRCMP64(I64_LT_S, (int64_t)a < (int64_t)b)
  BRCMP64(I64_LT_U, a < b)
  BRCMP64(I64_GT_S, (int64_t)a > (int64_t)b)
  BRCMP64(I64_GT_U, a > b)
  BRCMP64(I64_LE_S, (int64_t)a <= (int64_t)b)
  BRCMP64(I64_LE_U, a <= b)
  BRCMP64(I64_GE_S, (int64_t)a >= (int64_t)b)
  BRCMP64(I64_GE_U, a >= b)

  /* add-constant, compare and branch (loop latches): (dst, a, imm, b or
  ** imm2, L); b is read after dst is written (it may be the same slot) */
#define ADDIBR(name, expr)                  \
  OP(ADDI_BR_##name) {                      \
    uint64_t da = PAIR(0), ib = PAIR(2);    \
    uint32_t a = AT_U32(PAIR_HI(da)) + PAIR_LO(ib); \
    fp[PAIR_LO(da)] = a;                    \
    uint32_t b = AT_U32(PAIR_HI(ib));       \
    if (expr) JUMP(pc + 4);                 \
    pc += 5;                                \
    NEXT();                                 \
  }                                         \
  OP(ADDI_BR_##name##_I) {                  \
    uint64_t da = PAIR(0), ib = PAIR(2);    \
    uint32_t a = AT_U32(PAIR_HI(da)) + PAIR_LO(ib), b = PAIR_HI(ib); \
    fp[PAIR_LO(da)] = a;                    \
    if (expr) JUMP(pc + 4);                 \
    pc += 5;                                \
    NEXT();                                 \
  }
  I32_COMPARES(ADDIBR)

  /* select fused with its compare */
  OP(SELECT_NZ64) {
    S(0) = U64(3) ? S(1) : S(2);
    pc += 4;
    NEXT();
  }
#define SELCMP(name, expr)                  \
  OP(SELECT_##name) {                       \
    uint32_t a = U32(3), b = U32(4);        \
    S(0) = (expr) ? S(1) : S(2);            \
    pc += 5;                                \
    NEXT();                                 \
  }
  I32_COMPARES(SELCMP)

  /* ---- SIMD ---- */
#include "engine/interp/exec_simd.h"

#ifdef CAIRN_SWITCH_DISPATCH
  default:
    TRAP(CAIRN_TRAP_UNREACHABLE);
  }
#endif

  /* ---- calls (rare work kept out of the handlers' straight line) ---- */
do_call:
  /* a Wasm callee with a free frame record and room on the value stack
  ** takes the straight path; the rest is at call_slow / call_host. A callee
  ** not translated yet has the lazy marker's huge frame size: call_slow. */
  fr->pc = pc;
  fr->fp = fp;
  if (UNLIKELY(callee->host != NULL)) goto call_host;
  cc = __atomic_load_n(&callee->def->pCode, __ATOMIC_ACQUIRE);
  if (UNLIKELY(ex->nFrame >= ex->nFrameCap || cc->frameSize > (size_t)(ex->pEnd - nfp)))
    goto call_slow;
call_enter:
  fr++;
  ex->nFrame++;
  fr->f = callee;
  fp = nfp;
  pc = cc->aCode;
  if (cc->nLocal) /* many small functions have no local to zero */
    for (Slot *p = fp + cc->nParam, *e = p + cc->nLocal; p < e; p++) *p = 0;
  fr->inst = callee->inst;
  if (UNLIKELY(inst != fr->inst)) {
    inst = fr->inst;
    LOAD_MEM();
  }
  CHECK_LIMITS();
  NEXT();

call_slow:
  if (interp_is_lazy(cc)) {
    cc = interp_translate(callee->inst->m, callee->idx, err);
    if (!cc) goto trap_err;
  }
  if (ex->nFrame >= s->maxCallDepth || cc->frameSize > (size_t)(ex->pEnd - nfp))
    TRAP(CAIRN_TRAP_STACK_EXHAUSTED);
  if (!exec_grow_frames(ex)) TRAP(CAIRN_TRAP_STACK_EXHAUSTED);
  exec_frame_cap(ex, s);
  fr = &ex->aFrame[ex->nFrame - 1];
  goto call_enter;

call_host: {
  /* a host function may re-enter Wasm: its nested interp_call continues
  ** above this frame; guard-page faults in host code are not traps */
  Slot *pSaved = ex->pFree;
  TrapPad *pad = rt_trap_pad;
  ex->pFree = fp + ((const InterpCode *)fr->f->def->pCode)->frameSize;
  rt_trap_pad = NULL;
  bool ok = rt_call_host(callee, nfp, err);
  rt_trap_pad = pad;
  ex->pFree = pSaved;
  fr = &ex->aFrame[ex->nFrame - 1]; /* a nested call may have moved the records */
  if (UNLIKELY(!ok)) goto trap_err;
  LOAD_MEM();
  NEXT();
}

limits:
  /* CHECK_LIMITS' slow path; pc is already where execution continues */
  if (atomic_load_explicit(&s->pending, memory_order_relaxed) & RT_PENDING_INTERRUPT)
    TRAP(CAIRN_TRAP_INTERRUPT);
  if (s->fuelOn) {
    if (s->fuel == 0) TRAP(CAIRN_TRAP_FUEL);
    s->fuel--;
  }
  NEXT();

trap:
  exec_trap(ex, s, tk, err);
  return false;
trap_err:
  /* err already filled (host trap, runtime helper); add the Wasm frames */
  if (err->nframes == 0) exec_backtrace(ex, err);
  return false;

#undef OP
#undef NEXT
}

/* Runs the loop under a trap landing pad for guard-page faults. Only
** volatile copies are used after sigsetjmp returns a second time. */
static bool exec_guarded(ExecState *ex0, cairn_store *s0, uint32_t base0, cairn_error *err0) {
  ExecState *volatile ex = ex0;
  cairn_store *volatile s = s0;
  volatile uint32_t base = base0;
  cairn_error *volatile err = err0;
  TrapPad pad;
  pad.prev = rt_trap_pad;
  if (sigsetjmp(pad.jb, 0)) {
    rt_trap_pad = pad.prev;
    exec_trap(ex, s, CAIRN_TRAP_MEMORY_OOB, err);
    return false;
  }
  rt_trap_pad = &pad;
  bool ok = exec_run(ex, s, base, err, NULL);
  rt_trap_pad = pad.prev;
  return ok;
}

uint32_t interp_op_word(IOp op) {
#ifdef CAIRN_SWITCH_DISPATCH
  return (uint32_t)op;
#else
  const int32_t *aHandler;
  exec_run(NULL, NULL, 0, NULL, &aHandler);
  return (uint32_t)aHandler[op];
#endif
}

bool interp_call(cairn_func *f, Slot *aSlot, cairn_error *err) {
  cairn_error errLocal;
  if (!err) err = &errLocal;
  cairn_store *s = f->store;
  ExecState *ex = exec_state(s);
  if (!ex) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory for the interpreter stack");
    return false;
  }
  const InterpCode *code = interp_translate(f->inst->m, f->idx, err);
  if (!code) return false;
  const uint32_t base = ex->nFrame;
  Slot *const pSavedFree = ex->pFree;
  Slot *const fp = base ? ex->pFree : ex->aStack;
  if (base >= s->maxCallDepth || (size_t)(ex->pEnd - fp) < code->frameSize ||
      ex->nNest >= EXEC_MAX_NEST || !exec_grow_frames(ex)) {
    exec_trap(ex, s, CAIRN_TRAP_STACK_EXHAUSTED, err);
    return false;
  }
  exec_frame_cap(ex, s);
  ExecFrame *fr = &ex->aFrame[ex->nFrame++];
  fr->f = f;
  fr->inst = f->inst;
  fr->fp = fp;
  fr->pc = NULL;
  memcpy(fp, aSlot, (size_t)code->nParam * sizeof(Slot));
  memset(fp + code->nParam, 0, (size_t)code->nLocal * sizeof(Slot));

  ex->nNest++;
  bool ok = exec_guarded(ex, s, base, err);
  ex->nNest--;
  if (ok) memcpy(aSlot, fp, (size_t)code->nResult * sizeof(Slot));
  ex->nFrame = base;
  ex->pFree = pSavedFree;
  return ok;
}
