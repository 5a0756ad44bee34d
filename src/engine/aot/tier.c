/*
** tier.c: the native tier's side of the runtime - its tier table
** (aot_tier: call, instance set-up, per-store state, module code), the
** helper table emitted code calls (cairn_aot_rt), and traps.
**
** A call from the runtime enters compiled code through the function's
** entry thunk under a TrapPad (runtime.h), in guest state. Compiled code
** leaves by returning, or by a trap: a helper (rt->trap, rt->poll, a
** failed rt->call) or a guard-page fault jumps to the pad. Nothing between
** the pad and the trap owns memory.
**
** Backtraces (cairn_aot.h). With the frame chain (x86-64, AArch64), the
** chain of frame records is recorded as raw code addresses just before the
** jump - by aot_out for a helper, by the pad's onFault hook in the signal
** handler for a fault - because after the jump the native frames are dead
** stack that the next call overwrites. The walk reads only records inside
** this activation's stack, between the trapping frame and the pad's frame,
** each above the one before, and allocates nothing (it may run in a signal
** handler). After the jump, the addresses are mapped to Wasm functions
** through the code ranges of the store's native modules: leading runtime
** frames (the helpers, compiled with frame pointers, see CMakeLists.txt)
** and native frames of no Wasm function (entry thunks, helpers GCC did not
** inline) are skipped, and the first address outside native code (the
** runtime that called the entry thunk) ends the activation's frames.
** Otherwise a shadow call stack holds the frames; it belongs to the store
** and is reset to the pad's depth.
**
** It may not touch: other stores; modules and code are read only.
*/
#define _GNU_SOURCE 1 /* pthread_getattr_np */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "engine/aot/aot.h"
#include "engine/aot/aot_module.h"
#include "engine/runtime/runtime.h"

/* The runtime's objects start with the prefixes cairn_aot.h declares. */
_Static_assert(offsetof(cairn_func, aotCode) == offsetof(cairn_aot_func, code), "func prefix");
_Static_assert(offsetof(cairn_func, aotCtx) == offsetof(cairn_aot_func, ctx), "func prefix");
_Static_assert(offsetof(cairn_func, typeId) == offsetof(cairn_aot_func, type_id), "func prefix");
_Static_assert(offsetof(cairn_func, self) == offsetof(cairn_aot_func, func), "func prefix");
_Static_assert(offsetof(RtCall, aotCode) == offsetof(cairn_aot_func, code), "call entry");
_Static_assert(offsetof(RtCall, aotCtx) == offsetof(cairn_aot_func, ctx), "call entry");
_Static_assert(offsetof(RtCall, typeId) == offsetof(cairn_aot_func, type_id), "call entry");
_Static_assert(offsetof(RtCall, func) == offsetof(cairn_aot_func, func), "call entry");
_Static_assert(sizeof(RtCall) == sizeof(cairn_aot_func), "call entry");
_Static_assert(RT_NO_TYPE == CAIRN_AOT_NO_TYPE, "null entry");
_Static_assert(offsetof(cairn_memory, base) == offsetof(cairn_aot_memory, base), "mem prefix");
_Static_assert(offsetof(cairn_memory, bytes) == offsetof(cairn_aot_memory, bytes), "mem prefix");
_Static_assert(offsetof(cairn_table, aElem) == offsetof(cairn_aot_table, elems), "table prefix");
_Static_assert(offsetof(cairn_table, size) == offsetof(cairn_aot_table, size), "table prefix");
_Static_assert(offsetof(cairn_table, aCall) == offsetof(cairn_aot_table, calls), "table prefix");
_Static_assert(offsetof(cairn_table, aCode) == offsetof(cairn_aot_table, codes), "table prefix");
_Static_assert(offsetof(cairn_global, v) == offsetof(cairn_aot_global, v), "global prefix");
_Static_assert(sizeof(atomic_uintptr_t) == sizeof(uintptr_t), "entry word");
_Static_assert(CAIRN_AOT_PENDING == UINTPTR_MAX, "rt_pending_set's value");
_Static_assert((int)CAIRN_AOT_TRAP_STACK_EXHAUSTED == (int)CAIRN_TRAP_STACK_EXHAUSTED &&
                   (int)CAIRN_AOT_TRAP_INDIRECT_MISMATCH == (int)CAIRN_TRAP_INDIRECT_MISMATCH &&
                   (int)CAIRN_AOT_TRAP_BAD_CONVERSION == (int)CAIRN_TRAP_BAD_CONVERSION &&
                   (int)CAIRN_AOT_TRAP_MEMORY_OOB == (int)CAIRN_TRAP_MEMORY_OOB &&
                   (int)CAIRN_AOT_TRAP_UNREACHABLE == (int)CAIRN_TRAP_UNREACHABLE,
               "trap kinds");

/* Host functions re-entering compiled code nest C frames; past this many
** activations a call is "call stack exhausted" (as in the interpreter). */
#define AOT_MAX_NEST 256
/* C stack kept free below compiled code: host functions (WASI) called from
** it and the runtime's own frames run there. */
#define AOT_STACK_MARGIN ((uintptr_t)256 * 1024)

/* Ways out of compiled code through the pad (sigsetjmp's value). */
#define AOT_OUT_FAULT 1  /* a guard-page fault (trap.c) */
#define AOT_OUT_TRAP 2   /* ex->trapKind */
#define AOT_OUT_ERR 3    /* ex->err, from a function called through rt->call */

#ifdef CAIRN_AOT_FRAME_CHAIN
/* Code addresses recorded at a trap: CAIRN_MAX_BACKTRACE Wasm frames with
** room for runtime and helper frames between them. */
#define AOT_RAW_MAX 64
#endif

/* Per store (s->apExec[RT_TIER_NATIVE]). */
typedef struct AotExec {
  cairn_aot_exec pub;     /* what compiled code reads: first, ctx->exec points here */
#ifdef CAIRN_AOT_FRAME_CHAIN
  uintptr_t aRaw[AOT_RAW_MAX]; /* the chain at the last trap, innermost first */
  uint32_t nRaw;
  bool rawFault;          /* aRaw[0] is a faulting instruction, not a return address */
  cairn_instance **apInst; /* the store's instances of native modules */
  uint32_t nInst, nInstAlloc;
#else
  void **aFrame;          /* the shadow stack: s->maxCallDepth entries */
#endif
  uint32_t nNest;         /* aot_call activations on the C stack */
  cairn_trapkind trapKind;
  cairn_error err;
} AotExec;

/* The pad of one aot_call activation. */
typedef struct AotPad {
  TrapPad pad;            /* first: rt_trap_pad points here while the code runs */
  AotExec *ex;
  uintptr_t hi;           /* aot_guarded's frame address: the activation's frames lie below */
} AotPad;

/* The entry word (exec->limit) as the atomic the runtime writes. */
static atomic_uintptr_t *aot_limit_word(AotExec *ex) {
  return (atomic_uintptr_t *)(uintptr_t)&ex->pub.limit;
}

/* Sets the entry word to the stack limit, or leaves it CAIRN_AOT_PENDING
** if something is pending. A bit set meanwhile by another thread is not
** lost: rt_pending_set stores CAIRN_AOT_PENDING after setting it, and this
** stores the limit before reading pending again (sequentially consistent:
** one of the two reads sees the other's write). */
static void aot_limit_reset(cairn_store *s, AotExec *ex) {
  atomic_uintptr_t *w = aot_limit_word(ex);
  if (atomic_load_explicit(&s->pending, memory_order_relaxed)) {
    atomic_store_explicit(w, CAIRN_AOT_PENDING, memory_order_relaxed);
    return;
  }
  atomic_store(w, ex->pub.stack_limit);
  if (atomic_load(&s->pending)) atomic_store(w, CAIRN_AOT_PENDING);
}

static AotExec *aot_exec(cairn_store *s) {
  AotExec *ex = s->apExec[RT_TIER_NATIVE];
  if (ex) return ex;
  ex = RT_CALLOC(s, 1, sizeof *ex);
  if (!ex) return NULL;
#ifndef CAIRN_AOT_FRAME_CHAIN
  void **aFrame = RT_MALLOC(s, (size_t)s->maxCallDepth * sizeof(void *));
  if (!aFrame) {
    base_free(ex);
    return NULL;
  }
  ex->aFrame = aFrame;
  ex->pub.sp = aFrame;
  ex->pub.sp_end = aFrame + s->maxCallDepth;
#endif
  ex->pub.limit = CAIRN_AOT_PENDING; /* until aot_call sets the stack limit */
  s->apExec[RT_TIER_NATIVE] = ex;
  atomic_store(&s->pEntryLimit, aot_limit_word(ex));
  return ex;
}

static void aot_store_free(cairn_store *s) {
  AotExec *ex = s->apExec[RT_TIER_NATIVE];
  if (!ex) return;
  atomic_store(&s->pEntryLimit, NULL);
#ifdef CAIRN_AOT_FRAME_CHAIN
  base_free(ex->apInst);
#else
  base_free(ex->aFrame);
#endif
  base_free(ex);
  s->apExec[RT_TIER_NATIVE] = NULL;
}

/* The lowest address compiled code may use on this thread's stack. */
static uintptr_t aot_stack_limit(void) {
  static _Thread_local uintptr_t limit;
  if (limit) return limit;
  pthread_attr_t attr;
  void *lo = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    if (pthread_attr_getstack(&attr, &lo, &size) != 0) lo = NULL;
    pthread_attr_destroy(&attr);
  }
  if (!lo || size <= 2 * AOT_STACK_MARGIN) {
    /* unknown or tiny: allow 256 KiB below the current frame */
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    limit = here > 2 * AOT_STACK_MARGIN ? here - AOT_STACK_MARGIN : 1;
  } else {
    limit = (uintptr_t)lo + AOT_STACK_MARGIN;
  }
  return limit;
}

/* ---- traps ---- */

static AotExec *ctx_exec(cairn_aot_ctx *ctx) { return (AotExec *)ctx->exec; }

static cairn_store *ctx_store(cairn_aot_ctx *ctx) {
  return ((cairn_instance *)ctx->instance)->store;
}

#ifdef CAIRN_AOT_FRAME_CHAIN
/* Records the chain of frame records from fp on into ex->aRaw, after pc
** unless 0 (see the top of the file). A record is read only if it lies in
** [lo, hi), aligned and above the one before. Async-signal-safe. Not
** instrumented: it reads frames that compiled code wrote. */
__attribute__((no_sanitize("address"))) static void aot_chain_record(AotExec *ex, uintptr_t pc, uintptr_t fp, uintptr_t lo,
                             uintptr_t hi) {
  uint32_t n = 0;
  if (pc) ex->aRaw[n++] = pc;
  while (n < AOT_RAW_MAX && fp >= lo && fp % sizeof(uintptr_t) == 0 &&
         fp <= hi - 2 * sizeof(uintptr_t)) {
    const uintptr_t *rec = (const uintptr_t *)fp; /* [0] the caller's fp, [1] the return address */
    ex->aRaw[n++] = rec[1];
    if (rec[0] <= fp) break;
    fp = rec[0];
  }
  ex->nRaw = n;
}

/* The pad's hook (trap.c): a guard-page fault at pc. */
static void aot_on_fault(TrapPad *pad, uintptr_t pc, uintptr_t fp, uintptr_t sp) {
  AotPad *ap = (AotPad *)pad;
  aot_chain_record(ap->ex, pc, fp, sp, ap->hi);
  ap->ex->rawFault = true;
}
#endif

/* noinline: its frame record starts the chain (and it must have one:
** this file is compiled with frame pointers). */
static _Noreturn __attribute__((noinline)) void aot_out(AotExec *ex, int how) {
  /* the innermost pad is the aot_call activation that ran this code: a
  ** nested call through rt->call has popped its own before returning */
#ifdef CAIRN_AOT_FRAME_CHAIN
  uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
  aot_chain_record(ex, 0, fp, fp, ((AotPad *)rt_trap_pad)->hi);
  ex->rawFault = false;
#else
  (void)ex;
#endif
  siglongjmp(rt_trap_pad->jb, how);
}

static _Noreturn void rt_h_trap(cairn_aot_ctx *ctx, uint32_t kind) {
  ctx_exec(ctx)->trapKind = (cairn_trapkind)kind;
  aot_out(ctx_exec(ctx), AOT_OUT_TRAP);
}

/* The entry word was CAIRN_AOT_PENDING (cairn_aot.h): an interrupt traps,
** fuel is accounted (one unit), and with nothing left pending the word is
** the stack limit again. */
static void rt_h_poll(cairn_aot_ctx *ctx) {
  cairn_store *s = ctx_store(ctx);
  if (atomic_load_explicit(&s->pending, memory_order_relaxed) & RT_PENDING_INTERRUPT) {
    rt_interrupt_clear(s); /* the trap consumes it, as in the interpreter */
    rt_h_trap(ctx, CAIRN_TRAP_INTERRUPT);
  }
  if (s->fuelOn) {
    if (s->fuel == 0) rt_h_trap(ctx, CAIRN_TRAP_FUEL);
    s->fuel--;
  } else {
    /* cleared since (rt_interrupt_clear, cairn_store_set_fuel) */
    aot_limit_reset(s, ctx_exec(ctx));
  }
}

/* A function entry failed its compare: the frame would reach down to low
** (below the stack limit: stack exhausted), or the word was
** CAIRN_AOT_PENDING. The stack is checked first (as before ABI 3, when
** the two were separate checks). */
static void rt_h_enter(cairn_aot_ctx *ctx, uintptr_t low) {
  AotExec *ex = ctx_exec(ctx);
  if (low < ex->pub.stack_limit) {
#ifndef CAIRN_AOT_FRAME_CHAIN
    ex->pub.sp--; /* the refused frame is not part of the trace */
#endif
    rt_h_trap(ctx, CAIRN_TRAP_STACK_EXHAUSTED);
  }
  rt_h_poll(ctx);
}

#ifdef CAIRN_AOT_FRAME_CHAIN
/* The address a frame record holds, without an AArch64 pointer
** authentication code (xpaclri is a no-op on cores without it). */
static uintptr_t code_address(uintptr_t a) {
#if defined(__aarch64__)
  register uintptr_t x30 __asm__("x30") = a;
  __asm__("hint #7" : "+r"(x30)); /* xpaclri */
  return x30;
#else
  return a;
#endif
}

/* The module of the store's native code that holds pc, or NULL. */
static const Module *aot_module_at(const AotExec *ex, uintptr_t pc) {
  for (uint32_t i = 0; i < ex->nInst; i++) {
    const AotModule *am = ex->apInst[i]->m->pTier;
    if (pc >= am->img.codeLo && pc < am->img.codeHi) return ex->apInst[i]->m;
  }
  return NULL;
}

/* The instance a frame of function idx of module m runs in, given the
** instance of its caller (the next frame out). A code address names only
** the module (its instances share the code): a call stays in the caller's
** instance unless it goes to another module; then the instance is the one
** the caller imports that function from, else the store's first instance
** of m. Only when two instances of one module call each other (through an
** import or a table) may a frame name its caller's instance. */
static cairn_instance *aot_frame_instance(const AotExec *ex, cairn_instance *caller,
                                          const Module *m, uint32_t idx) {
  if (caller && caller->m == m) return caller;
  for (uint32_t j = 0; caller && j < caller->m->nFuncImport; j++) {
    cairn_func *f = caller->apFunc[j];
    if (f->inst && f->inst->m == m && f->idx == idx) return f->inst;
  }
  for (uint32_t i = 0; i < ex->nInst; i++)
    if (ex->apInst[i]->m == m) return ex->apInst[i];
  return NULL; /* not reached: m was found among them */
}

/* Appends the Wasm frames of the recorded chain of the activation entered
** in instance entry to err's backtrace (after the frames already there:
** those of a callee), skipping the innermost if skipFirst (a call refused
** at entry: that function never ran). */
static void aot_backtrace(const AotExec *ex, cairn_instance *entry, bool skipFirst,
                          cairn_error *err) {
  const Module *aMod[CAIRN_MAX_BACKTRACE];
  uint32_t aIdx[CAIRN_MAX_BACKTRACE];
  int n = 0, room = CAIRN_MAX_BACKTRACE - err->nframes;
  bool seen = false; /* past the runtime's frames, in native code */
  for (uint32_t i = 0; i < ex->nRaw && n < room; i++) {
    uintptr_t pc = code_address(ex->aRaw[i]);
    /* a return address may follow a call that ends its function: look
    ** up the call itself */
    if (!(i == 0 && ex->rawFault)) pc--;
    const Module *m = aot_module_at(ex, pc);
    if (!m) {
      if (seen) break;
      continue;
    }
    seen = true;
    const AotModule *am = m->pTier;
    const AotFuncRange *r = aot_image_func(&am->img, pc);
    if (!r) continue; /* an entry thunk or a helper */
    /* the functions inlined at pc, innermost first, then r's own */
    const uint32_t *chain = NULL;
    uint32_t nChain = aot_inlines_at(&am->inl, (uint32_t)(pc - (uintptr_t)am->img.base), &chain);
    for (uint32_t j = 0; j <= nChain && n < room; j++) {
      if (skipFirst) {
        skipFirst = false;
        continue;
      }
      aMod[n] = m;
      aIdx[n++] = j < nChain ? chain[j] : r->idx;
    }
  }
  /* instances from the outermost frame in (aot_frame_instance) */
  cairn_instance *aInst[CAIRN_MAX_BACKTRACE], *cur = entry;
  for (int k = n; k-- > 0;) cur = aInst[k] = aot_frame_instance(ex, cur, aMod[k], aIdx[k]);
  for (int k = 0; k < n; k++) {
    const AotModule *amk = aMod[k]->pTier;
    /* the function only: native code keeps no map back to instructions */
    rt_frame_fill(&err->frames[err->nframes++], aInst[k]->apFunc[aIdx[k]],
                  amk->azName[aIdx[k] - aMod[k]->nFuncImport], 0);
  }
}

/* Makes inst's code known to backtraces in store s. */
static bool aot_instance_add(cairn_store *s, AotExec *ex, cairn_instance *inst) {
  if (ex->nInst == ex->nInstAlloc) {
    uint32_t n = ex->nInstAlloc ? 2 * ex->nInstAlloc : 4;
    cairn_instance **a = ex->apInst ? base_realloc(ex->apInst, n * sizeof *a)
                                    : RT_MALLOC(s, n * sizeof *a);
    if (!a) return false;
    ex->apInst = a;
    ex->nInstAlloc = n;
  }
  ex->apInst[ex->nInst++] = inst;
  return true;
}
#else
/* Appends the frames of the shadow stack from top down to base to err's
** backtrace (after the frames already there: those of a callee). */
static void aot_backtrace(void **base, void **top, cairn_error *err) {
  int k = err->nframes;
  for (void **p = top; p-- > base && k < CAIRN_MAX_BACKTRACE;) {
    const cairn_func *f = *p;
    const AotModule *am = f->inst->m->pTier;
    rt_frame_fill(&err->frames[k], f, am->azName[f->idx - f->inst->m->nFuncImport], 0);
    k++;
  }
  err->nframes = k;
}
#endif

/* ---- calls out of compiled code ---- */

static void rt_h_call(cairn_aot_ctx *ctx, cairn_aot_func *fa, uint64_t *slots) {
  AotExec *ex = ctx_exec(ctx);
  base_error_clear(&ex->err);
  rt_guest_leave(); /* host code and other tiers are not this code */
  bool ok = rt_invoke((cairn_func *)fa, slots, &ex->err);
  rt_guest_enter();
  if (!ok) aot_out(ex, AOT_OUT_ERR);
}

/* ---- memories and tables ---- */

static cairn_instance *ctx_inst(cairn_aot_ctx *ctx) { return ctx->instance; }

static uint32_t rt_h_memory_grow(cairn_aot_ctx *ctx, uint32_t mem, uint32_t delta) {
  rt_guest_leave(); /* committing memory is the engine's work */
  int64_t r = rt_memory_grow(ctx_inst(ctx)->apMem[mem], delta);
  rt_guest_enter();
  return r < 0 ? UINT32_MAX : (uint32_t)r;
}

static void trap_if(cairn_aot_ctx *ctx, cairn_trapkind tk) {
  if (tk != CAIRN_TRAP_NONE) rt_h_trap(ctx, tk);
}

static void rt_h_memory_fill(cairn_aot_ctx *ctx, uint32_t mem, uint32_t d, uint32_t val,
                             uint32_t n) {
  trap_if(ctx, rt_memory_fill(ctx_inst(ctx)->apMem[mem], d, val, n));
}

static void rt_h_memory_copy(cairn_aot_ctx *ctx, uint32_t dmem, uint32_t smem, uint32_t d,
                             uint32_t s, uint32_t n) {
  cairn_instance *inst = ctx_inst(ctx);
  trap_if(ctx, rt_memory_copy(inst->apMem[dmem], inst->apMem[smem], d, s, n));
}

/* A runtime helper that failed with err: leave as that trap. */
static void err_out(cairn_aot_ctx *ctx, const cairn_error *err) {
  AotExec *ex = ctx_exec(ctx);
  ex->err = *err;
  aot_out(ex, AOT_OUT_ERR);
}

static void rt_h_memory_init(cairn_aot_ctx *ctx, uint32_t mem, uint32_t seg, uint32_t d,
                             uint32_t s, uint32_t n) {
  cairn_error err;
  base_error_clear(&err);
  if (!rt_memory_init(ctx_inst(ctx), mem, seg, d, s, n, &err)) err_out(ctx, &err);
}

static void rt_h_data_drop(cairn_aot_ctx *ctx, uint32_t seg) {
  ctx_inst(ctx)->aDataDropped[seg] = true;
}

static uint32_t rt_h_table_grow(cairn_aot_ctx *ctx, uint32_t table, void *init, uint32_t delta) {
  rt_guest_leave();
  int64_t r = rt_table_grow(ctx_inst(ctx)->apTable[table], delta, init);
  rt_guest_enter();
  return r < 0 ? UINT32_MAX : (uint32_t)r;
}

static void rt_h_table_fill(cairn_aot_ctx *ctx, uint32_t table, uint32_t i, void *val,
                            uint32_t n) {
  trap_if(ctx, rt_table_fill(ctx_inst(ctx)->apTable[table], i, val, n));
}

static void rt_h_table_copy(cairn_aot_ctx *ctx, uint32_t dt, uint32_t st, uint32_t d,
                            uint32_t s, uint32_t n) {
  cairn_instance *inst = ctx_inst(ctx);
  trap_if(ctx, rt_table_copy(inst->apTable[dt], inst->apTable[st], d, s, n));
}

static void rt_h_table_init(cairn_aot_ctx *ctx, uint32_t table, uint32_t seg, uint32_t d,
                            uint32_t s, uint32_t n) {
  cairn_error err;
  base_error_clear(&err);
  if (!rt_table_init(ctx_inst(ctx), table, seg, d, s, n, &err)) err_out(ctx, &err);
}

static void rt_h_elem_drop(cairn_aot_ctx *ctx, uint32_t seg) {
  ctx_inst(ctx)->aElemDropped[seg] = true;
}

static const cairn_aot_rt aot_rt = {
    .trap = rt_h_trap,
    .poll = rt_h_poll,
    .enter = rt_h_enter,
    .call = rt_h_call,
    .memory_grow = rt_h_memory_grow,
    .memory_fill = rt_h_memory_fill,
    .memory_copy = rt_h_memory_copy,
    .memory_init = rt_h_memory_init,
    .data_drop = rt_h_data_drop,
    .table_grow = rt_h_table_grow,
    .table_fill = rt_h_table_fill,
    .table_copy = rt_h_table_copy,
    .table_init = rt_h_table_init,
    .elem_drop = rt_h_elem_drop,
    .simd = aot_rt_simd,
};

/* ---- the tier's operations ---- */

/* Runs entry(code, ctx, aSlot) under a pad. Only volatile copies are used
** after sigsetjmp returns a second time. */
static bool aot_guarded(AotExec *ex0, cairn_store *s, cairn_aot_entry_fn entry, void *code,
                        cairn_aot_ctx *ctx, Slot *aSlot, cairn_error *err0) {
  AotExec *volatile ex = ex0;
  cairn_error *volatile err = err0;
  AotPad ap;
#ifdef CAIRN_AOT_FRAME_CHAIN
  cairn_instance *volatile inst = ctx->instance;
#endif
  rt_pad_init(&ap.pad, s);
  ap.ex = ex0;
  /* this frame's own address: never a sanitizer's fake stack */
  ap.hi = (uintptr_t)__builtin_frame_address(0);
#ifdef CAIRN_AOT_FRAME_CHAIN
  ap.pad.onFault = aot_on_fault;
#else
  void **volatile base = ex0->pub.sp;
#endif
  int how = sigsetjmp(ap.pad.jb, 0);
  if (how) {
    rt_pad_pop(&ap.pad);
    cairn_trapkind tk = how == AOT_OUT_FAULT ? CAIRN_TRAP_MEMORY_OOB : ex->trapKind;
    if (how == AOT_OUT_ERR)
      *err = ex->err;
    else
      rt_trap(err, tk);
#ifdef CAIRN_AOT_FRAME_CHAIN
    /* the entry check refuses a call before the callee runs: that frame
    ** is not part of the trace (as with the interpreter) */
    aot_backtrace(ex, inst, how == AOT_OUT_TRAP && tk == CAIRN_TRAP_STACK_EXHAUSTED,
                  err);
#else
    aot_backtrace(base, ex->pub.sp, err);
    ex->pub.sp = base;
#endif
    return false;
  }
  rt_pad_push(&ap.pad);
  entry(code, ctx, aSlot);
  rt_pad_pop(&ap.pad);
  return true;
}

static bool aot_call(cairn_func *f, Slot *aSlot, cairn_error *err) {
  cairn_error errLocal;
  if (!err) err = &errLocal;
  cairn_store *s = f->store;
  AotExec *ex = aot_exec(s);
  if (!ex) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory for the native call stack");
    return false;
  }
  if (ex->nNest >= AOT_MAX_NEST) {
    rt_trap(err, CAIRN_TRAP_STACK_EXHAUSTED);
    return false;
  }
  if (ex->nNest == 0) {
    ex->pub.stack_limit = aot_stack_limit();
    aot_limit_reset(s, ex);
  }
  const Module *m = f->inst->m;
  const AotModule *am = m->pTier;
  cairn_aot_entry_fn entry = am->desc->entry[f->idx - m->nFuncImport];
  ex->nNest++;
  bool ok = aot_guarded(ex, s, entry, f->aotCode, f->aotCtx, aSlot, err);
  ex->nNest--;
  return ok;
}

static bool aot_instance_init(cairn_instance *inst, cairn_error *err) {
  cairn_store *s = inst->store;
  AotExec *ex = aot_exec(s);
  const Module *m = inst->m;
  cairn_aot_ctx *ctx =
      RT_CALLOC(s, 1, sizeof *ctx + (size_t)m->nMem * sizeof ctx->bases[0]);
  bool known = ex != NULL;
#ifdef CAIRN_AOT_FRAME_CHAIN
  known = known && aot_instance_add(s, ex, inst);
#endif
  if (!known || !ctx) {
    base_free(ctx);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory instantiating a module");
    return false;
  }
  const AotModule *am = m->pTier;
  ctx->mems = (cairn_aot_memory **)inst->apMem;
  ctx->globals = (cairn_aot_global **)inst->apGlobal;
  ctx->tables = (cairn_aot_table **)inst->apTable;
  ctx->funcs = (cairn_aot_func **)inst->apFunc;
  ctx->type_ids = inst->aTypeId;
  ctx->exec = &ex->pub;
  ctx->rt = &aot_rt;
  ctx->instance = inst;
  for (uint32_t i = 0; i < m->nMem; i++) ctx->bases[i] = ctx->mems[i]->base;
  for (uint32_t j = 0; j < m->nFunc - m->nFuncImport; j++) {
    inst->aOwnFunc[j].aotCode = am->desc->code[j];
    inst->aOwnFunc[j].aotCtx = ctx;
  }
  inst->pTier = ctx;
  return true;
}

const RtTier aot_tier = {
    .zName = "native",
    .idx = RT_TIER_NATIVE,
    .call = aot_call,
    .instance_init = aot_instance_init,
    .store_free = aot_store_free,
    .module_free = aot_module_free,
};
