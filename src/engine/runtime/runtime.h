/*
** runtime.h: store, instances and runtime objects, shared by runtime/ and the
** execution tiers (interp/, later aot/). Both tiers see objects through these
** structs, so the runtime never cares which tier produced a function.
**
** Global state, all of it (DESIGN.md: named in one place):
**   - the SIGSEGV/SIGBUS handler installed once by rt_signals_init() (with
**     the handlers it replaced, chained to when no pad is set, and a pthread
**     key that frees each thread's alternate signal stack; all in trap.c);
**   - rt_trap_pad, a thread-local pointer to the innermost landing pad of
**     Wasm code running on this thread (NULL when none runs);
**   - rt_in_guest, a thread-local flag: 1 while this thread executes guest
**     (Wasm) code itself, 0 in the engine's own work (translation,
**     allocation, growth) and in host functions.
*/
#ifndef CAIRN_RUNTIME_H
#define CAIRN_RUNTIME_H

#include <setjmp.h>
#include <stdatomic.h>

#include "engine/module.h"

/* One operand-stack / local slot. i32 is stored zero-extended in the low 32
** bits, f32 as its bit pattern in the low 32 bits, f64 as its bits, a
** reference as a pointer (NULL = null). A v128 takes two consecutive slots
** (low half first). */
typedef uint64_t Slot;

#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u        /* 4 GiB for 32-bit memories */

/* The first members of cairn_func, cairn_memory, cairn_table and
** cairn_global are the prefixes the native code ABI (aot/cairn_aot.h)
** reads; aot/ checks their offsets at compile time. */

/* Tiers (RtTier below): slots of cairn_store.apExec. */
#define RT_TIER_INTERP 0
#define RT_TIER_NATIVE 1
#define RT_NTIER 2

/* A funcref table's call entry (cairn_table.aCall; cairn_aot.h's
** cairn_aot_func): a copy of its element's first four fields, so that
** native code reaches an element's context and type in one load from the
** table (its code also sits alone in cairn_table.aCode). A null element's
** entry has no code and no type. */
typedef struct RtCall {
  void *aotCode;
  void *aotCtx;
  uint32_t typeId;
  struct cairn_func *func;
} RtCall;
#define RT_NO_TYPE UINT32_MAX /* a null entry's typeId: no type id has it */

/* A function instance. Its first four fields are an RtCall's. */
struct cairn_func {
  void *aotCode;               /* typed native code (cairn_aot.h), NULL for other tiers and host */
  void *aotCtx;                /* the native context of inst (aot/), with aotCode */
  uint32_t typeId;             /* store-wide canonical type id (type equality = id equality) */
  struct cairn_func *self;     /* itself: the func of the RtCall this prefix is */
  const struct RtTier *tier;   /* the tier running it; NULL for host functions */
  cairn_store *store;
  const FuncType *type;        /* the module's, or hostType for host functions */
  /* Wasm functions: */
  cairn_instance *inst;        /* owning instance; NULL for host functions */
  uint32_t idx;                /* index in the module's function space */
  const Func *def;             /* module definition (def->pCode is the compiled code) */
  /* Host functions: */
  cairn_host_fn host;
  void *hostEnv;
  FuncType hostType;           /* owned copy for host functions */
  cairn_functype pubType;      /* the public view of `type` (arrays owned by the type) */
};

struct cairn_table {
  void **aElem;                /* size entries; a cairn_func * or an externref pointer */
  uint32_t size;               /* current number of elements */
  RtCall *aCall;               /* funcref: nAlloc call entries, in step with aElem
                               ** (rt_table_sync after every write); externref: NULL */
  void **aCode;                /* funcref: nAlloc copies of aCall[i].aotCode, kept with
                               ** aCall: call_indirect's target is one scaled load away */
  ValType elem;                /* VT_FUNCREF or VT_EXTERNREF */
  uint64_t max;                /* maximum (declared max, store cap, or 2^32-1) */
  bool hasMax;
  uint32_t nAlloc;
  uint64_t declMax;            /* declared maximum if hasMax (for import matching) */
  uint64_t ownMax;             /* maximum without the store cap (declared or 2^32-1) */
  cairn_store *store;          /* owner: its limit flags and interrupt */
};

struct cairn_memory {
  uint8_t *base;               /* start of linear memory */
  uint64_t bytes;              /* current size in bytes: pages * WASM_PAGE_SIZE */
  uint64_t pages;              /* current size in pages */
  uint64_t maxPages;           /* effective maximum (declared, store cap, spec limit) */
  bool hasMax;                 /* declared maximum present (for import matching) */
  uint64_t declMax;            /* declared maximum if hasMax */
  size_t reserved;             /* bytes of address space reserved at base */
  void *map;                   /* guarded: the reservation's mapping (base is aligned in it) */
  bool guarded;                /* true: accesses need no bounds check (guard region) */
  uint64_t ownMax;             /* maximum without the store cap (declared or spec limit) */
  cairn_store *store;          /* owner: its limit flags */
};

struct cairn_global {
  Slot v[2];                   /* value; v128 uses both */
  ValType type;
  bool mut;
};

struct cairn_instance {
  cairn_store *store;
  const Module *m;
  cairn_func **apFunc;         /* m->nFunc entries (imports first) */
  cairn_table **apTable;       /* m->nTable */
  cairn_memory **apMem;        /* m->nMem */
  cairn_global **apGlobal;     /* m->nGlobal */
  uint32_t *aTypeId;           /* m->nType: canonical id of each module type */
  bool *aElemDropped;          /* m->nElem */
  bool *aDataDropped;          /* m->nData */
  cairn_func *aOwnFunc;        /* the defined functions' objects (m->nFunc - nFuncImport) */
  void *pTier;                 /* the tier's per-instance state (RtTier.instance_init) */
};

/* A store: owns every object created in it. Not thread-safe: one thread at a
** time uses a store (many stores may run in parallel). */
struct cairn_store {
  cairn_store_config cfg;
  uint32_t maxCallDepth;       /* cfg value or the default */
  /* canonical function types */
  uint32_t nTypeId, nTypeIdAlloc;
  FuncType *aTypeId;           /* owned copies, indexed by type id */
  /* everything owned, freed in reverse order */
  uint32_t nOwned, nOwnedAlloc;
  struct RtOwned *aOwned;
  /* limits */
  bool fuelOn;
  uint64_t fuel;               /* remaining when fuelOn */
  atomic_int interrupt;        /* set by cairn_store_interrupt */
  /* RT_PENDING_INTERRUPT | RT_PENDING_FUEL as interrupt / fuelOn are set:
  ** the interpreter tests this one word per call and loop back edge. Kept
  ** in step by every writer of interrupt and fuelOn. */
  atomic_int pending;
  /* the native tier's entry word (cairn_aot.h, exec->limit) once the tier
  ** has run in this store, else NULL: rt_pending_set stores
  ** CAIRN_AOT_PENDING (UINTPTR_MAX) there after setting a bit of pending */
  _Atomic(atomic_uintptr_t *) pEntryLimit;
  /* CAIRN_LIMIT_* bits: store caps that refused a request since creation or
  ** the last snapshot restore (cairn_store_limits_hit) */
  unsigned limitsHit;
  /* execution state of each tier (RtTier.idx; the tier allocates and
  ** frees it) */
  void *apExec[RT_NTIER];
  /* the hook for everything the store owns (cfg.alloc; base.h) */
  BaseAlloc alloc;
};

/* Store-owned blocks: from the store's hook (freed with base_free). */
#define RT_MALLOC(s, n) base_malloc_in(&(s)->alloc, (n))
#define RT_CALLOC(s, n, size) base_calloc_in(&(s)->alloc, (n), (size))

#define RT_PENDING_INTERRUPT 1
#define RT_PENDING_FUEL 2

/* ---- store helpers for the tiers ---- */

/* Canonical id of a function type in store s (interned on first use).
** Returns UINT32_MAX on allocation failure. */
uint32_t rt_type_id(cairn_store *s, const FuncType *t);

/* Grows memory by delta pages. Returns the old size in pages, or -1 if the
** result would exceed the maximum or memory cannot be committed. */
int64_t rt_memory_grow(cairn_memory *mem, uint64_t delta);

/* Grows a table by delta entries filled with init. Returns old size or -1
** (past the maximum, out of memory, or the store was interrupted while a
** large growth was being filled: the interrupt stays pending and traps at
** the guest's next check). */
int64_t rt_table_grow(cairn_table *t, uint64_t delta, void *init);
/* Resizes t's arrays (elements, call entries, code pointers) to n entries
** (a block of 1 for 0). False when a growth fails: nAlloc stays and every
** block still holds it. A shrink sets nAlloc to n once the elements shrank
** (a call entry or code block that failed to shrink is larger, which is
** harmless); when the elements fail to shrink nothing changes. */
bool rt_table_realloc(cairn_table *t, uint32_t n);
/* Brings t->aCall[i, i + n) and t->aCode[i, i + n) in step with t->aElem after a write there
** (nothing for an externref table). Every writer of aElem calls it. */
void rt_table_sync(cairn_table *t, uint32_t i, uint32_t n);

/* Evaluates constant expression e of inst (the globals it reads and the
** functions it names must be set in inst). out[0] (and out[1] for v128)
** receives the value; *type (may be NULL) its type. Returns false with an
** INVALID error on an instruction that is not constant. */
bool rt_const_eval(cairn_instance *inst, const ConstExpr *e, Slot out[2], ValType *type,
                   cairn_error *err);

/* The reference held by item i (< nInit) of element segment elemIdx of inst. */
void *rt_elem_ref(cairn_instance *inst, uint32_t elemIdx, uint32_t i);

/* table.init / memory.init: copy n items of segment elemIdx / dataIdx from
** src to dst of the instance's table / memory. A dropped segment has length
** 0. Returns false with an "out of bounds table/memory access" trap. */
bool rt_table_init(cairn_instance *inst, uint32_t tableIdx, uint32_t elemIdx, uint64_t dst,
                   uint64_t src, uint64_t n, cairn_error *err);
bool rt_memory_init(cairn_instance *inst, uint32_t memIdx, uint32_t dataIdx, uint64_t dst,
                    uint64_t src, uint64_t n, cairn_error *err);

/* ---- bulk.c: memory.fill/copy, table.fill/copy for both tiers ----
** Each returns CAIRN_TRAP_NONE or the trap to raise; none writes anything
** when it traps (the spec checks bounds first). table.init and memory.init
** are rt_table_init / rt_memory_init above. */
cairn_trapkind rt_memory_fill(cairn_memory *mem, uint32_t d, uint32_t val, uint32_t n);
cairn_trapkind rt_memory_copy(cairn_memory *dm, cairn_memory *sm, uint32_t d, uint32_t s,
                              uint32_t n);
cairn_trapkind rt_table_fill(cairn_table *t, uint32_t i, void *val, uint32_t n);
cairn_trapkind rt_table_copy(cairn_table *dt, cairn_table *st, uint32_t d, uint32_t s,
                             uint32_t n);

/* ---- traps ---- */

/* Landing pad for traps raised by a signal (guard-page faults) while Wasm runs
** on this thread. The tier pushes one around its execution loop:
**     TrapPad pad;
**     rt_pad_init(&pad, store);
**     if (sigsetjmp(pad.jb, 0)) { rt_pad_pop(&pad); ...out of bounds trap...; }
**     rt_pad_push(&pad);   (enters guest state)
**     ... run ...;
**     rt_pad_pop(&pad);
** and leaves guest state (rt_guest_leave / rt_guest_enter) around everything
** that is not guest code: translation, allocation, growth, host calls.
** The handler (trap.c) jumps to rt_trap_pad->jb with value 1 only for a fault
** raised by the kernel for an access (SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR)
** whose address lies in the reservation of a guarded memory of pad->store
** while rt_in_guest is set. Every other SIGSEGV/SIGBUS (an engine or host
** bug, a signal sent by kill) goes to the previous handler or kills the
** process with the signal, as it would without Cairn. */
typedef struct TrapPad {
  sigjmp_buf jb;
  struct TrapPad *prev;
  cairn_store *store;          /* the store whose Wasm code runs under the pad */
  int prevGuest;               /* rt_in_guest when the pad was pushed */
  /* Called by the handler just before it jumps to jb (NULL: nothing), on
  ** the signal stack: the faulting instruction's address and its frame and
  ** stack pointers (0 on hosts where trap.c does not read them). Must be
  ** async-signal-safe. The native tier records its backtrace here, while
  ** the frames are still intact. */
  void (*onFault)(struct TrapPad *pad, uintptr_t pc, uintptr_t fp, uintptr_t sp);
} TrapPad;

extern _Thread_local TrapPad *rt_trap_pad;
extern _Thread_local volatile int rt_in_guest;

/* The flag is read by a signal handler on this thread: the fences keep the
** compiler from moving the engine's work across the change. */
static inline void rt_guest_enter(void) {
  atomic_signal_fence(memory_order_seq_cst);
  rt_in_guest = 1;
  atomic_signal_fence(memory_order_seq_cst);
}
static inline void rt_guest_leave(void) {
  atomic_signal_fence(memory_order_seq_cst);
  rt_in_guest = 0;
  atomic_signal_fence(memory_order_seq_cst);
}

/* Fills pad before sigsetjmp (its fields must not change between sigsetjmp
** and the jump). */
static inline void rt_pad_init(TrapPad *pad, cairn_store *s) {
  pad->prev = rt_trap_pad;
  pad->store = s;
  pad->prevGuest = rt_in_guest;
  pad->onFault = NULL;
}
/* Makes pad the innermost one and enters guest state. */
static inline void rt_pad_push(TrapPad *pad) {
  rt_trap_pad = pad;
  rt_guest_enter();
}
/* Restores the state before rt_pad_push (also after the jump). */
static inline void rt_pad_pop(TrapPad *pad) {
  atomic_signal_fence(memory_order_seq_cst);
  rt_in_guest = pad->prevGuest;
  rt_trap_pad = pad->prev;
  atomic_signal_fence(memory_order_seq_cst);
}

/* Installs the signal handlers and this thread's alternate signal stack
** (idempotent per process / per thread). Called by cairn_store_new. */
void rt_signals_init(void);

/* Fills err with a trap of the given kind and its spec message. */
void rt_trap(cairn_error *err, cairn_trapkind kind);

/* Fills one backtrace frame for Wasm function f (both tiers' backtraces) at
** the instruction at module offset `offset`; 0 (or an offset outside f's
** body) locates the function only (cairn.h). */
void rt_frame_fill(cairn_frame *fr, const cairn_func *f, const char *name, uint32_t offset);

/* Sets bits (RT_PENDING_*) in s->pending, then the native tier's entry
** word, so that compiled code sees them at its next entry or back edge
** (from any thread). Clearing needs no such step: the tier restores its
** word when it finds nothing pending. */
void rt_pending_set(cairn_store *s, int bits);

/* Clears a pending interrupt (cairn_store_interrupt's inverse, keeping
** interrupt and pending in step): the trap it caused consumes it, and so
** does a snapshot restore. */
void rt_interrupt_clear(cairn_store *s);

/* ---- tiers ----
** A tier runs the Wasm functions of the modules it compiled. The runtime
** reaches a tier only through its table of operations (module->tier,
** func->tier), so stores, instances, imports and exports, tables, globals,
** host functions and snapshots are the same for every tier, and functions
** of different tiers call each other through rt_invoke. */
typedef struct RtTier {
  const char *zName;   /* "interp", "native" */
  uint32_t idx;        /* its slot in cairn_store.apExec */
  /* Runs Wasm function f of this tier. aSlot holds the arguments on entry
  ** (slot layout as above) and receives the results; it has room for
  ** max(params, results) values. Returns false with a trap in err. */
  bool (*call)(cairn_func *f, Slot *aSlot, cairn_error *err);
  /* Called once the instance's objects exist, before segments are applied
  ** and the start function runs; may set inst->pTier (a block freed with
  ** base_free when the store goes) and fields of its functions. NULL: none. */
  bool (*instance_init)(cairn_instance *inst, cairn_error *err);
  /* Frees the store's execution state of this tier (s->apExec[idx]). */
  void (*store_free)(cairn_store *s);
  /* Frees what the tier attached to module m (code, m->pTier). */
  void (*module_free)(Module *m);
} RtTier;

extern const RtTier interp_tier;   /* interp/exec.c */
extern const RtTier aot_tier;      /* aot/tier.c */

/* Calls a host function with slots, converting to and from cairn_val. */
bool rt_call_host(cairn_func *f, Slot *aSlot, cairn_error *err);

/* Calls any function with slots: its tier's call for Wasm functions,
** rt_call_host for host functions. */
bool rt_invoke(cairn_func *f, Slot *aSlot, cairn_error *err);

/* Number of slots a value of type t takes (2 for v128, else 1). */
static inline uint32_t rt_slots(ValType t) { return t == VT_V128 ? 2 : 1; }

#endif
