/*
** tier.c: the native tier's side of the runtime - its tier table
** (aot_tier: call, instance set-up, per-store state, module code), the
** helper table emitted code calls (cairn_aot_rt), and traps.
**
** A call from the runtime enters compiled code through the function's
** entry thunk under a TrapPad (runtime.h), in guest state. Compiled code
** leaves by returning, or by a trap: a helper (rt->trap, rt->poll, a
** failed rt->call) or a guard-page fault jumps to the pad. Nothing between
** the pad and the trap owns memory: the shadow call stack (the frames of
** backtraces) belongs to the store and is reset to the pad's depth.
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
_Static_assert(offsetof(cairn_memory, base) == offsetof(cairn_aot_memory, base), "mem prefix");
_Static_assert(offsetof(cairn_memory, bytes) == offsetof(cairn_aot_memory, bytes), "mem prefix");
_Static_assert(offsetof(cairn_table, aElem) == offsetof(cairn_aot_table, elems), "table prefix");
_Static_assert(offsetof(cairn_table, size) == offsetof(cairn_aot_table, size), "table prefix");
_Static_assert(offsetof(cairn_global, v) == offsetof(cairn_aot_global, v), "global prefix");
_Static_assert(sizeof(atomic_int) == sizeof(int), "pending word");
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

/* Per store (s->apExec[RT_TIER_NATIVE]). */
typedef struct AotExec {
  cairn_aot_exec pub;     /* what compiled code reads: first, ctx->exec points here */
  void **aFrame;          /* the shadow stack: s->maxCallDepth entries */
  uint32_t nNest;         /* aot_call activations on the C stack */
  cairn_trapkind trapKind;
  cairn_error err;
} AotExec;

static AotExec *aot_exec(cairn_store *s) {
  AotExec *ex = s->apExec[RT_TIER_NATIVE];
  if (ex) return ex;
  ex = RT_CALLOC(s, 1, sizeof *ex);
  void **aFrame = RT_MALLOC(s, (size_t)s->maxCallDepth * sizeof(void *));
  if (!ex || !aFrame) {
    base_free(ex);
    base_free(aFrame);
    return NULL;
  }
  ex->aFrame = aFrame;
  ex->pub.pending = (const volatile int *)&s->pending;
  ex->pub.sp = aFrame;
  ex->pub.sp_end = aFrame + s->maxCallDepth;
  s->apExec[RT_TIER_NATIVE] = ex;
  return ex;
}

static void aot_store_free(cairn_store *s) {
  AotExec *ex = s->apExec[RT_TIER_NATIVE];
  if (!ex) return;
  base_free(ex->aFrame);
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

static _Noreturn void aot_out(int how) {
  /* the innermost pad is the aot_call activation that ran this code: a
  ** nested call through rt->call has popped its own before returning */
  siglongjmp(rt_trap_pad->jb, how);
}

static _Noreturn void rt_h_trap(cairn_aot_ctx *ctx, uint32_t kind) {
  ctx_exec(ctx)->trapKind = (cairn_trapkind)kind;
  aot_out(AOT_OUT_TRAP);
}

static void rt_h_poll(cairn_aot_ctx *ctx) {
  cairn_store *s = ctx_store(ctx);
  if (atomic_load_explicit(&s->pending, memory_order_relaxed) & RT_PENDING_INTERRUPT) {
    rt_interrupt_clear(s); /* the trap consumes it, as in the interpreter */
    rt_h_trap(ctx, CAIRN_TRAP_INTERRUPT);
  }
  if (s->fuelOn) {
    if (s->fuel == 0) rt_h_trap(ctx, CAIRN_TRAP_FUEL);
    s->fuel--;
  }
}

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

/* ---- calls out of compiled code ---- */

static void rt_h_call(cairn_aot_ctx *ctx, cairn_aot_func *fa, uint64_t *slots) {
  AotExec *ex = ctx_exec(ctx);
  base_error_clear(&ex->err);
  rt_guest_leave(); /* host code and other tiers are not this code */
  bool ok = rt_invoke((cairn_func *)fa, slots, &ex->err);
  rt_guest_enter();
  if (!ok) aot_out(AOT_OUT_ERR);
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
  aot_out(AOT_OUT_ERR);
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
  void **volatile base = ex0->pub.sp;
  TrapPad pad;
  rt_pad_init(&pad, s);
  int how = sigsetjmp(pad.jb, 0);
  if (how) {
    rt_pad_pop(&pad);
    void **top = ex->pub.sp;
    if (how == AOT_OUT_ERR) {
      *err = ex->err;
    } else {
      cairn_trapkind tk = how == AOT_OUT_FAULT ? CAIRN_TRAP_MEMORY_OOB : ex->trapKind;
      rt_trap(err, tk);
    }
    aot_backtrace(base, top, err);
    ex->pub.sp = base;
    return false;
  }
  rt_pad_push(&pad);
  entry(code, ctx, aSlot);
  rt_pad_pop(&pad);
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
  if (ex->nNest == 0) ex->pub.stack_limit = aot_stack_limit();
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
  cairn_aot_ctx *ctx = RT_CALLOC(s, 1, sizeof *ctx);
  if (!ex || !ctx) {
    base_free(ctx);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory instantiating a module");
    return false;
  }
  const Module *m = inst->m;
  const AotModule *am = m->pTier;
  ctx->mems = (cairn_aot_memory **)inst->apMem;
  ctx->globals = (cairn_aot_global **)inst->apGlobal;
  ctx->tables = (cairn_aot_table **)inst->apTable;
  ctx->funcs = (cairn_aot_func **)inst->apFunc;
  ctx->type_ids = inst->aTypeId;
  ctx->exec = &ex->pub;
  ctx->rt = &aot_rt;
  ctx->instance = inst;
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
