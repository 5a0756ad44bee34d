/*
** cairn_aot.h: the native code ABI - the one header of Cairn's that C
** emitted by `cairn compile` includes (with <stdint.h>). It fixes how
** compiled functions see the runtime: the instance context, the prefixes of
** the runtime's objects they read, the runtime's helper table, calling
** conventions, and the checks every function makes. CAIRN_AOT_ABI changes
** with anything here; a .cwasm built for another ABI is refused.
**
** The compiled object is freestanding: no libc, no symbol imports. Everything
** it needs from Cairn comes through cairn_aot_ctx.rt; what the C compiler
** may call by itself (memcpy, memset, memmove) is defined in unit 0
** (CAIRN_AOT_UNIT0), and libgcc is linked in.
**
** Calling convention (canonical, so code of two modules can call each
** other through funcrefs):
**   - value types: i32 uint32_t, i64 uint64_t, f32 float, f64 double,
**     v128 cairn_v128, funcref / externref void * (a cairn_aot_func * or
**     NULL; an externref is the host's pointer);
**   - defined function N (module function index, imports first) is
**         R cairn_fN(cairn_aot_ctx *ctx, P0 p0, P1 p1, ...)
**     with R the single result type, void for none, and for two or more
**     results void plus a last parameter uint64_t *res that receives them
**     as slots (runtime.h's layout: i32 zero-extended, f32/f64 bits,
**     references as pointers, v128 two slots low half first);
**   - entry thunk: void cairn_eN(void *code, cairn_aot_ctx *ctx,
**     uint64_t *slots) reads the arguments from slots, calls code and
**     writes the results back to slots (one per function type is enough;
**     desc->entry maps every defined function to one).
**
** Every function starts with CAIRN_ENTER and leaves through CAIRN_LEAVE;
** loops check CAIRN_POLL on their back edge. Memory bases are cached in
** locals and reloaded after anything that may grow or move a memory: a
** call of any kind, memory.grow, and rt helpers.
*/
#ifndef CAIRN_AOT_H
#define CAIRN_AOT_H

#include <stdint.h>

#define CAIRN_AOT_ABI 1

#if !defined(__GNUC__)
#error "C emitted by cairn compile needs GCC or Clang (vector extensions, builtins)"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the native tier assumes a little-endian target (as Wasm memory is)"
#endif

#define CAIRN_LIKELY(x) __builtin_expect(!!(x), 1)
#define CAIRN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CAIRN_HIDDEN __attribute__((visibility("hidden")))

typedef uint64_t cairn_v128 __attribute__((vector_size(16), aligned(16)));

/* ---- prefixes of the runtime's objects (runtime.h keeps them first) ---- */

typedef struct cairn_aot_ctx cairn_aot_ctx;

/* A function instance: code is its typed native code (NULL for host and
** interpreted functions: call them through rt->call), ctx the context of
** its instance, type_id the store-wide id of its type (call_indirect
** compares it with ctx->type_ids[typeidx]). */
typedef struct cairn_aot_func {
  void *code;
  cairn_aot_ctx *ctx;
  uint32_t type_id;
} cairn_aot_func;

/* A linear memory: base moves only without guard pages (checked mode);
** bytes is the current size (pages * 65536). */
typedef struct cairn_aot_memory {
  uint8_t *base;
  uint64_t bytes;
} cairn_aot_memory;

/* A table: elems moves when the table grows. */
typedef struct cairn_aot_table {
  void **elems;
  uint32_t size;
} cairn_aot_table;

/* A global: its value as slots (v128 uses both). */
typedef struct cairn_aot_global {
  uint64_t v[2];
} cairn_aot_global;

/* Per store, shared by the native code of every instance in it. */
typedef struct cairn_aot_exec {
  const volatile int *pending;  /* nonzero: an interrupt or fuel to account: rt->poll */
  uintptr_t stack_limit;        /* a frame below this address: stack exhausted */
  void **sp, **sp_end;          /* shadow call stack: the cairn_aot_func of each frame */
} cairn_aot_exec;

/* Trap kinds (the values of cairn.h's cairn_trapkind). */
enum {
  CAIRN_AOT_TRAP_UNREACHABLE = 1,
  CAIRN_AOT_TRAP_MEMORY_OOB = 2,
  CAIRN_AOT_TRAP_TABLE_OOB = 3,
  CAIRN_AOT_TRAP_DIV_ZERO = 4,
  CAIRN_AOT_TRAP_INT_OVERFLOW = 5,
  CAIRN_AOT_TRAP_BAD_CONVERSION = 6,
  CAIRN_AOT_TRAP_UNDEFINED_ELEMENT = 7,
  CAIRN_AOT_TRAP_UNINITIALIZED_ELEMENT = 8,
  CAIRN_AOT_TRAP_INDIRECT_MISMATCH = 9,
  CAIRN_AOT_TRAP_STACK_EXHAUSTED = 10
};

/* The runtime's helpers. Every one may trap (it does not return then);
** indices are memory, table, data or element segment indices of ctx's
** module. */
typedef struct cairn_aot_rt {
  void (*trap)(cairn_aot_ctx *ctx, uint32_t kind);
  /* interrupt (traps) and fuel (one unit; traps when none is left) */
  void (*poll)(cairn_aot_ctx *ctx);
  /* calls f (any tier or a host function) with arguments and results in
  ** slots; a trap in f continues as a trap here */
  void (*call)(cairn_aot_ctx *ctx, cairn_aot_func *f, uint64_t *slots);
  /* returns the old size in pages, or 0xFFFFFFFF */
  uint32_t (*memory_grow)(cairn_aot_ctx *ctx, uint32_t mem, uint32_t delta);
  void (*memory_fill)(cairn_aot_ctx *ctx, uint32_t mem, uint32_t d, uint32_t val, uint32_t n);
  void (*memory_copy)(cairn_aot_ctx *ctx, uint32_t dmem, uint32_t smem, uint32_t d, uint32_t s,
                      uint32_t n);
  void (*memory_init)(cairn_aot_ctx *ctx, uint32_t mem, uint32_t seg, uint32_t d, uint32_t s,
                      uint32_t n);
  void (*data_drop)(cairn_aot_ctx *ctx, uint32_t seg);
  /* returns the old size, or 0xFFFFFFFF */
  uint32_t (*table_grow)(cairn_aot_ctx *ctx, uint32_t table, void *init, uint32_t delta);
  void (*table_fill)(cairn_aot_ctx *ctx, uint32_t table, uint32_t i, void *val, uint32_t n);
  void (*table_copy)(cairn_aot_ctx *ctx, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                     uint32_t n);
  void (*table_init)(cairn_aot_ctx *ctx, uint32_t table, uint32_t seg, uint32_t d, uint32_t s,
                     uint32_t n);
  void (*elem_drop)(cairn_aot_ctx *ctx, uint32_t seg);
  /* a SIMD instruction by its opcode (engine/opcodes.h WasmOp, fixed by
  ** CAIRN_AOT_ABI) on in[0..2]; a scalar operand travels in the low lane
  ** (bits) of its v128, a scalar result in out's low lane; imm is the lane
  ** index or the shuffle's 16 bytes' address cast to uint64_t */
  void (*simd)(cairn_aot_ctx *ctx, uint32_t op, cairn_v128 *out, const cairn_v128 *in,
               uint64_t imm);
} cairn_aot_rt;

/* One per instance of a compiled module; arrays are the instance's own
** (index spaces with imports first). */
struct cairn_aot_ctx {
  cairn_aot_memory **mems;
  cairn_aot_global **globals;
  cairn_aot_table **tables;
  cairn_aot_func **funcs;
  const uint32_t *type_ids;  /* store-wide id of each module type */
  cairn_aot_exec *exec;
  const cairn_aot_rt *rt;
  void *instance;            /* the cairn_instance (opaque here) */
};

typedef void (*cairn_aot_entry_fn)(void *code, cairn_aot_ctx *ctx, uint64_t *slots);

/* Returned by the object's ELF entry point, cairn_aot_get(). */
typedef struct cairn_aot_desc {
  uint32_t abi;               /* CAIRN_AOT_ABI */
  uint32_t flags;             /* CAIRN_AOT_F_* */
  uint32_t nfunc_import;      /* imported functions: defined function i is index nfunc_import + i */
  uint32_t nfunc;             /* defined functions */
  void *const *code;          /* nfunc typed entry points (cairn_fN) */
  const cairn_aot_entry_fn *entry; /* nfunc entry thunks */
  uint8_t module_sha256[32];  /* of the Wasm module the code was emitted for */
} cairn_aot_desc;

#define CAIRN_AOT_F_CHECKED 1u  /* explicit bounds checks (no guard pages assumed) */

/* ---- what every function does ---- */

static inline __attribute__((noreturn, cold)) void cairn_trap(cairn_aot_ctx *ctx, uint32_t kind) {
  ctx->rt->trap(ctx, kind);
  __builtin_unreachable();
}

/* Entry of function index IDX whose frame takes about FRAME bytes: the C
** stack and the shadow stack must have room, the frame is recorded for
** backtraces, then limits are polled. Declares the locals CAIRN_LEAVE uses. */
#define CAIRN_ENTER(ctx, IDX, FRAME)                                                        \
  cairn_aot_exec *const cairn_ex_ = (ctx)->exec;                                            \
  void **const cairn_sp_ = cairn_ex_->sp;                                                   \
  if (CAIRN_UNLIKELY(cairn_sp_ == cairn_ex_->sp_end ||                                      \
                     (uintptr_t)__builtin_frame_address(0) <                                \
                         cairn_ex_->stack_limit + (uintptr_t)(FRAME)))                      \
    cairn_trap((ctx), CAIRN_AOT_TRAP_STACK_EXHAUSTED);                                      \
  *cairn_sp_ = (ctx)->funcs[IDX];                                                           \
  cairn_ex_->sp = cairn_sp_ + 1;                                                            \
  if (CAIRN_UNLIKELY(*cairn_ex_->pending)) (ctx)->rt->poll(ctx)

/* Before every return of a function that used CAIRN_ENTER. */
#define CAIRN_LEAVE() (cairn_ex_->sp = cairn_sp_)

/* A loop's back edge. */
#define CAIRN_POLL(ctx)                                              \
  do {                                                               \
    if (CAIRN_UNLIKELY(*cairn_ex_->pending)) (ctx)->rt->poll(ctx);   \
  } while (0)

/* ---- memory access (unaligned, any type at any address) ---- */
#define CAIRN_LOAD(T, p) ({ T cairn_v_; __builtin_memcpy(&cairn_v_, (p), sizeof(T)); cairn_v_; })
#define CAIRN_STORE(T, p, v)                    \
  do {                                          \
    T cairn_v_ = (v);                           \
    __builtin_memcpy((p), &cairn_v_, sizeof(T)); \
  } while (0)

/* ---- numeric helpers (semantics the C operators do not give) ---- */
/* (the emitter's section: traps of division and conversion, min/max,
** nearest, copysign by bits, saturating conversions, ...) */

/* ---- unit 0: what the C compiler may call by itself ---- */
#ifdef CAIRN_AOT_UNIT0
/* GCC must not turn these loops back into calls of themselves */
#if defined(__clang__)
#define CAIRN_NOLIBCALL __attribute__((used, no_builtin))
#else
#define CAIRN_NOLIBCALL __attribute__((used, optimize("no-tree-loop-distribute-patterns")))
#endif
CAIRN_HIDDEN CAIRN_NOLIBCALL void *memcpy(void *d, const void *s, __SIZE_TYPE__ n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}
CAIRN_HIDDEN CAIRN_NOLIBCALL void *memmove(void *d, const void *s, __SIZE_TYPE__ n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  if (dp < sp)
    while (n--) *dp++ = *sp++;
  else
    while (n--) dp[n] = sp[n];
  return d;
}
CAIRN_HIDDEN CAIRN_NOLIBCALL void *memset(void *d, int c, __SIZE_TYPE__ n) {
  unsigned char *dp = d;
  while (n--) *dp++ = (unsigned char)c;
  return d;
}
#endif

#endif
