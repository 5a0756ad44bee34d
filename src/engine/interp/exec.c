/*
** exec.c: the interpreter's executor - interp_call, the dispatch loop and
** the per-store execution state (s->apExec[RT_TIER_INTERP]), and the tier
** table interp_tier.
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

/* One active Wasm function. pc and fp are saved when it calls out; pc is
** also saved when it traps (NULL where the trap has no instruction: a guard
** page fault, fuel or an interruption), for the backtrace. */
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
  ExecState *ex = s->apExec[RT_TIER_INTERP];
  if (!ex) return;
  base_free(ex->aStack);
  base_free(ex->aFrame);
  base_free(ex);
  s->apExec[RT_TIER_INTERP] = NULL;
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
  if (s->apExec[RT_TIER_INTERP]) return s->apExec[RT_TIER_INTERP];
  ExecState *ex = RT_CALLOC(s, 1, sizeof *ex);
  if (!ex) return NULL;
  ex->aStack = RT_MALLOC(s, EXEC_STACK_SLOTS * sizeof(Slot));
  /* The first frames from the store's hook too: growth reallocs that block. */
  ex->aFrame = RT_MALLOC(s, 256 * sizeof *ex->aFrame);
  if (!ex->aStack || !ex->aFrame) {
    base_free(ex->aStack);
    base_free(ex->aFrame);
    base_free(ex);
    return NULL;
  }
  ex->nFrameAlloc = 256;
  ex->pEnd = ex->aStack + EXEC_STACK_SLOTS;
  ex->pFree = ex->aStack;
  s->apExec[RT_TIER_INTERP] = ex;
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

/* Fills err's backtrace from the active frames, innermost first: each at
** the instruction its saved pc is in (the trapping one, then the calls). */
static void exec_backtrace(const ExecState *ex, cairn_error *err) {
  int k = 0;
  for (uint32_t i = ex->nFrame; i-- > 0 && k < CAIRN_MAX_BACKTRACE;) {
    const cairn_func *f = ex->aFrame[i].f;
    const InterpCode *c = f->def->pCode;
    rt_frame_fill(&err->frames[k], f, c->zName, interp_code_offset(c, ex->aFrame[i].pc));
    k++;
  }
  err->nframes = k;
}

static void exec_trap(const ExecState *ex, cairn_store *s, cairn_trapkind tk, cairn_error *err) {
  rt_trap(err, tk);
  /* an interruption is consumed by the trap it causes */
  if (tk == CAIRN_TRAP_INTERRUPT) rt_interrupt_clear(s);
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
  ** test on the fast path (the work is at `limits`, which continues at pc);
  ** at the entry of a bounded function (module_func_bounded) none, which
  ** the slow path alone sorts out */
#define CHECK_LIMITS()                                                              \
  do {                                                                              \
    if (UNLIKELY(atomic_load_explicit(&s->pending, memory_order_relaxed)))          \
      goto limits;                                                                  \
  } while (0)
#define CHECK_LIMITS_AT_ENTRY(code)                                                 \
  do {                                                                              \
    if (UNLIKELY(atomic_load_explicit(&s->pending, memory_order_relaxed)) &&        \
        !(code)->bounded)                                                           \
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

  CHECK_LIMITS_AT_ENTRY((const InterpCode *)fr->f->def->pCode);
#ifdef CAIRN_SWITCH_DISPATCH
dispatch:
#ifdef CAIRN_OPSTATS
  exec_opstat(*pc);
#endif
  switch ((IOp)*pc++) {
#else
  NEXT();
#endif

  /* ---- control, calls, moves and variables ---- */
#include "engine/interp/exec_control.h"

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
    rt_table_sync(tab, i, 1);
    pc += 3;
    NEXT();
  }
  OP(TABLE_SIZE) {
    S(0) = inst->apTable[pc[1]]->size;
    pc += 2;
    NEXT();
  }
  OP(TABLE_GROW) {
    rt_guest_leave(); /* allocation is the engine's work, not guest code */
    int64_t r = rt_table_grow(inst->apTable[pc[1]], U32(3), (void *)(uintptr_t)S(2));
    rt_guest_enter();
    S(0) = (uint32_t)r;
    pc += 4;
    NEXT();
  }
  OP(TABLE_FILL) {
    tk = rt_table_fill(inst->apTable[pc[0]], U32(1), (void *)(uintptr_t)S(2), U32(3));
    if (UNLIKELY(tk)) goto trap;
    pc += 4;
    NEXT();
  }
  OP(TABLE_COPY) {
    tk = rt_table_copy(inst->apTable[pc[0]], inst->apTable[pc[1]], U32(2), U32(3), U32(4));
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
    rt_guest_leave();
    int64_t r = rt_memory_grow(mem, U32(1));
    rt_guest_enter();
    S(0) = (uint32_t)r;
    LOAD_MEM();
    pc += 2;
    NEXT();
  }
  OP(MEMORY_FILL) {
    tk = rt_memory_fill(mem, U32(0), U32(1), U32(2));
    if (UNLIKELY(tk)) goto trap;
    pc += 3;
    NEXT();
  }
  OP(MEMORY_COPY) {
    tk = rt_memory_copy(mem, mem, U32(0), U32(1), U32(2));
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

  /* ---- loads and stores ---- */
#include "engine/interp/exec_memory.h"

  /* ---- numeric ---- */
#include "engine/interp/exec_numeric.h"

  /* ---- fused compares: compare and branch, loop latches, select ---- */
#include "engine/interp/exec_fused.h"

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
  if (UNLIKELY(callee->tier != &interp_tier)) goto call_host;
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
  CHECK_LIMITS_AT_ENTRY(cc);
  NEXT();

call_slow:
  if (interp_is_lazy(cc)) {
    rt_guest_leave(); /* translation and allocation are not guest code */
    cc = interp_translate(callee->inst->m, callee->idx, err);
    rt_guest_enter();
    if (!cc) goto trap_err;
  }
  if (ex->nFrame >= s->maxCallDepth || cc->frameSize > (size_t)(ex->pEnd - nfp))
    TRAP(CAIRN_TRAP_STACK_EXHAUSTED);
  rt_guest_leave();
  bool grown = exec_grow_frames(ex);
  rt_guest_enter();
  if (!grown) TRAP(CAIRN_TRAP_STACK_EXHAUSTED);
  exec_frame_cap(ex, s);
  fr = &ex->aFrame[ex->nFrame - 1];
  goto call_enter;

call_host: {
  /* a host function (or a function of another tier) may re-enter Wasm:
  ** its nested interp_call continues above this frame; faults in host code
  ** are never traps */
  Slot *pSaved = ex->pFree;
  ex->pFree = fp + ((const InterpCode *)fr->f->def->pCode)->frameSize;
  rt_guest_leave();
  bool ok = rt_invoke(callee, nfp, err);
  rt_guest_enter();
  ex->pFree = pSaved;
  fr = &ex->aFrame[ex->nFrame - 1]; /* a nested call may have moved the records */
  if (UNLIKELY(!ok)) goto trap_err;
  LOAD_MEM();
  NEXT();
}

limits:
  /* CHECK_LIMITS' slow path; pc is already where execution continues (a
  ** function's start or a loop's head: no instruction of the offset map) */
  tk = CAIRN_TRAP_INTERRUPT;
  if (atomic_load_explicit(&s->pending, memory_order_relaxed) & RT_PENDING_INTERRUPT)
    goto trap_limits;
  if (s->fuelOn) {
    tk = CAIRN_TRAP_FUEL;
    if (s->fuel == 0) goto trap_limits;
    s->fuel--;
  }
  NEXT();

  /* the trap paths save pc for the backtrace: it is past the op word of the
  ** instruction that trapped (or of the call, for a trap in a callee) */
trap_limits:
  pc = NULL;
trap:
  fr->pc = pc;
  exec_trap(ex, s, tk, err);
  return false;
trap_err:
  /* err already filled (host trap, runtime helper); add the Wasm frames */
  fr->pc = pc;
  if (err->nframes == 0) exec_backtrace(ex, err);
  return false;

#undef OP
#undef NEXT
}

/* Runs the loop under a trap landing pad for guard-page faults, in guest
** state (runtime.h). Only volatile copies are used after sigsetjmp returns
** a second time. */
static bool exec_guarded(ExecState *ex0, cairn_store *s0, uint32_t base0, cairn_error *err0) {
  ExecState *volatile ex = ex0;
  cairn_store *volatile s = s0;
  volatile uint32_t base = base0;
  cairn_error *volatile err = err0;
  TrapPad pad;
  rt_pad_init(&pad, s0);
  if (sigsetjmp(pad.jb, 0)) {
    rt_pad_pop(&pad);
    ex->aFrame[ex->nFrame - 1].pc = NULL; /* a fault: which instruction is unknown */
    exec_trap(ex, s, CAIRN_TRAP_MEMORY_OOB, err);
    return false;
  }
  rt_pad_push(&pad);
  bool ok = exec_run(ex, s, base, err, NULL);
  rt_pad_pop(&pad);
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

const RtTier interp_tier = {
    .zName = "interp",
    .idx = RT_TIER_INTERP,
    .call = interp_call,
    .instance_init = NULL,
    .store_free = interp_exec_free,
    .module_free = interp_free_module_code,
};
