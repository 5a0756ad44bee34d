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
** Every function starts with CAIRN_ENTER (small recursive ones with
** CAIRN_ENTER_R, the same check made once per C frame) and leaves through
** CAIRN_LEAVE;
** loops check CAIRN_POLL on their back edge. Both read one word,
** exec->limit: the C stack's limit, which the runtime replaces with
** CAIRN_AOT_PENDING while an interrupt or fuel is pending, so that an
** entry makes one compare for both (rt->enter tells them apart). Memory
** bases are cached in locals: from ctx->bases with guard pages, where they
** never move; in checked mode from mems[i], reloaded after anything that
** may grow or move a memory (a call of any kind, memory.grow, rt helpers).
** Functions also read at entry the objects of the tables, type ids and
** globals they use, and the values of globals only their instance can
** change (emit_globals.c).
**
** Backtraces (which Wasm functions were running when a trap struck) come
** from one of two mechanisms, fixed per target by CAIRN_AOT_FRAME_CHAIN
** and recorded in the descriptor (CAIRN_AOT_F_FRAME_CHAIN):
**   - frame chain (x86-64, AArch64): functions cost nothing for it at run
**     time. Code is compiled with frame pointers, without sibling calls,
**     shrink-wrapped prologues or identical-code folding, so that every
**     active Wasm function that was not inlined has a frame record ([fp]
**     the caller's fp, [fp + 8] the return address) and every return
**     address lies in the code of the function that made the call. At a
**     trap the runtime walks the chain and maps each address to a function
**     through the object's symbol table (cairn_fN and its GCC parts
**     cairn_fN.cold, .constprop.K, ...), after the Wasm functions inlined
**     there (the .cwasm's inline table, read from the object's debug
**     information at compile time). Without CAIRN_AOT_INLINE, cairn_fN are
**     never inlined (CAIRN_FUNC).
**   - shadow call stack (32-bit Arm, RISC-V): CAIRN_ENTER pushes the
**     function's cairn_aot_func on exec->sp, which CAIRN_LEAVE pops.
*/
#ifndef CAIRN_AOT_H
#define CAIRN_AOT_H

#include <stdint.h>

#define CAIRN_AOT_ABI 8

#if !defined(__GNUC__)
#error "C emitted by cairn compile needs GCC or Clang (vector extensions, builtins)"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the native tier assumes a little-endian target (as Wasm memory is)"
#endif

#define CAIRN_LIKELY(x) __builtin_expect(!!(x), 1)
#define CAIRN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CAIRN_HIDDEN __attribute__((visibility("hidden")))

/* The backtrace mechanism of this target (see the top of the file). */
#if defined(__x86_64__) || defined(__aarch64__)
#define CAIRN_AOT_FRAME_CHAIN 1
#endif

/* The definition of a Wasm function cairn_fN: with the frame chain, a
** Wasm call stays a call with its own frame unless the compile driver
** recovers inlined calls from debug information (CAIRN_AOT_INLINE). */
#if defined(CAIRN_AOT_FRAME_CHAIN) && !defined(CAIRN_AOT_INLINE)
#define CAIRN_FUNC CAIRN_HIDDEN __attribute__((noinline))
#else
#define CAIRN_FUNC CAIRN_HIDDEN
#endif

typedef uint64_t cairn_v128 __attribute__((vector_size(16), aligned(16)));

/* ---- prefixes of the runtime's objects (runtime.h keeps them first) ---- */

typedef struct cairn_aot_ctx cairn_aot_ctx;

/* A function instance: code is its typed native code (NULL for host and
** interpreted functions: call them through rt->call), ctx the context of
** its instance, type_id the store-wide id of its type (call_indirect
** compares it with ctx->type_ids[typeidx]), func the function itself.
** A funcref table keeps a copy of each element's (cairn_aot_table.calls);
** there func is the element, and a null element's copy has no code, no
** func and type_id CAIRN_AOT_NO_TYPE. */
typedef struct cairn_aot_func {
  void *code;
  cairn_aot_ctx *ctx;
  uint32_t type_id;
  struct cairn_aot_func *func;
} cairn_aot_func;
#define CAIRN_AOT_NO_TYPE UINT32_MAX

/* A linear memory: base moves only without guard pages (checked mode);
** bytes is the current size (pages * 65536). */
typedef struct cairn_aot_memory {
  uint8_t *base;
  uint64_t bytes;
} cairn_aot_memory;

/* A table: elems moves when the table grows; so do calls, a funcref
** table's copy of each element's cairn_aot_func (NULL for externref), and
** codes, a copy of each call entry's code alone, both kept in step with
** elems by the runtime and by cairn_table_set_. call_indirect reaches the
** code in one load from the table instead of two, and that load is of an
** 8-byte slot (a scaled index) rather than a 32-byte entry (a shift and an
** add first): the target of a call the CPU mispredicts is known sooner. */
typedef struct cairn_aot_table {
  void **elems;
  uint32_t size;
  cairn_aot_func *calls;
  void **codes;
} cairn_aot_table;

/* A global: its value as slots (v128 uses both). */
typedef struct cairn_aot_global {
  uint64_t v[2];
} cairn_aot_global;

/* Per store, shared by the native code of every instance in it. */
typedef struct cairn_aot_exec {
  /* the one word function entries and loop back edges read: the lowest
  ** address a frame may reach (the C stack's limit), or CAIRN_AOT_PENDING
  ** while an interrupt or fuel accounting is pending, so that the entry's
  ** single compare fails and rt->enter sorts out which it was */
  uintptr_t limit;              /* read volatile where it must be read again
                                ** (CAIRN_PENDING), plain at an entry */
  uintptr_t stack_limit;        /* the runtime's: the C stack's limit itself */
  void **sp, **sp_end;          /* shadow call stack (unused with CAIRN_AOT_FRAME_CHAIN):
                                ** the cairn_aot_func of each frame */
} cairn_aot_exec;

/* exec->limit while an interrupt or fuel accounting is pending. */
#define CAIRN_AOT_PENDING UINTPTR_MAX

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
  /* a function entry whose frame reaches down to low failed the compare
  ** with exec->limit: stack exhausted (traps) if low is below the stack
  ** limit, else what poll does */
  void (*enter)(cairn_aot_ctx *ctx, uintptr_t low);
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
  uint8_t *bases[];          /* each memory's base, which never moves with guard
                             ** pages (stale in checked mode: mems[i]->base there) */
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
#define CAIRN_AOT_F_FRAME_CHAIN 2u  /* backtraces from frame records (CAIRN_AOT_FRAME_CHAIN) */
#ifdef CAIRN_AOT_FRAME_CHAIN
#define CAIRN_AOT_F_TARGET_ CAIRN_AOT_F_FRAME_CHAIN
#else
#define CAIRN_AOT_F_TARGET_ 0u
#endif

/* ---- what every function does ---- */

static inline __attribute__((noreturn, cold)) void cairn_trap(cairn_aot_ctx *ctx, uint32_t kind) {
  ctx->rt->trap(ctx, kind);
  __builtin_unreachable();
}

/* The stack pointer, read without making the function keep a frame
** pointer (which __builtin_frame_address(0) forces). */
static inline __attribute__((always_inline)) uintptr_t cairn_stack_pointer_(void) {
  uintptr_t sp;
#if defined(__x86_64__)
  __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ volatile("mov %0, sp" : "=r"(sp));
#elif defined(__riscv)
  __asm__ volatile("mv %0, sp" : "=r"(sp));
#else
  sp = (uintptr_t)__builtin_frame_address(0);
#endif
  return sp;
}

/* The entry check of a function whose frame takes about FRAME bytes: one
** load and one compare. It fails when the frame would reach below the C
** stack's limit, and always while exec->limit is CAIRN_AOT_PENDING (an
** interrupt or fuel): rt->enter then traps or polls. (sp - FRAME, not
** limit + FRAME: the pending value must not wrap around.)
** The word is read as a plain load, which the compiler folds into the
** compare: an entry reads it once, and where inlining puts two entries in
** one function without a store or call between them, reusing the first
** read is the same as checking both at the first (same frame, same
** limit; loops poll with a fresh read, CAIRN_PENDING). The compiler may
** also hoist the read of an entry inlined into a loop that makes no store
** and no call out of that loop: its stack answer is the frame's anyway,
** and an interrupt is seen by the loop's own poll; only fuel turned on by
** another thread during such a loop then misses the inlined entries' units
** (fuel set before the call, or by a host function, is seen at once). */
#define CAIRN_ENTER_CHECK_(ctx, FRAME)                                                      \
  const uintptr_t cairn_low_ = CAIRN_STACK_LOW_(FRAME);                                     \
  if (CAIRN_UNLIKELY(cairn_low_ < cairn_ex_->limit)) CAIRN_RT_ENTER_((ctx), cairn_low_)

/* The stack pointer minus the constant FRAME: one lea on x86-64 (whose
** displacement is 32 bits: a frame estimate above 1 GiB counts as 1 GiB,
** more than any C stack has, so the check fails all the same). */
#if defined(__x86_64__)
#define CAIRN_STACK_LOW_(FRAME)                                                             \
  ({                                                                                        \
    uintptr_t cairn_sl_;                                                                    \
    __asm__ volatile("lea %c1(%%rsp), %0"                                                   \
                     : "=r"(cairn_sl_)                                                      \
                     : "i"(-(int64_t)((FRAME) > (1u << 30) ? (1u << 30) : (FRAME))));       \
    cairn_sl_;                                                                              \
  })
#else
#define CAIRN_STACK_LOW_(FRAME) (cairn_stack_pointer_() - (uintptr_t)(FRAME))
#endif

/* The cold calls of the entry check and of the back-edge poll. x86-64:
** through a stub of unit 0 (cairn_aot_enter_stub_, cairn_aot_poll_stub_,
** below) that keeps every register the C compiler may use (integer,
** vector, mask) and calls rt->enter or rt->poll with ctx from rdi and low
** from rax (not rsi: the function's second argument may stay where it
** is). To the compiler the call is an asm that changes only memory and
** flags, so values live across it need no callee-saved register (traps
** need none either: they do not return). The asm steps
** over the red zone (128 bytes below rsp a leaf may use) before it calls;
** the stub aligns the stack itself and has a frame record, so a trap in
** rt->enter or rt->poll walks from the helper through the stub (native
** code of no Wasm function, skipped) to the function that polled. The
** asm takes the frame address as an (unused) operand: GCC sets up no frame
** record in a function it believes makes no call, even with
** -mno-omit-leaf-frame-pointer, and that function's caller would be
** missing from the chain of a fault in it.
** Elsewhere a plain call of the helper. */
#if defined(__x86_64__)
#define CAIRN_AOT_STUB_CALLS_ 1
#define CAIRN_STUB_CALL_(STUB, ctx, ...)                                                    \
  do {                                                                                      \
    register cairn_aot_ctx *cairn_rdi_ __asm__("rdi") = (ctx);                              \
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\tcall " STUB "\n\tlea 128(%%rsp), %%rsp"      \
                     :                                                                      \
                     : "r"(cairn_rdi_), "r"(__builtin_frame_address(0)) __VA_ARGS__         \
                     : "memory", "cc");                                                     \
  } while (0)
#define CAIRN_RT_ENTER_(ctx, low)                                                           \
  CAIRN_STUB_CALL_("cairn_aot_enter_stub_", ctx, , "a"((uintptr_t)(low)))
#define CAIRN_RT_POLL_(ctx) CAIRN_STUB_CALL_("cairn_aot_poll_stub_", ctx, )
#else
#define CAIRN_RT_ENTER_(ctx, low) (ctx)->rt->enter((ctx), (low))
#define CAIRN_RT_POLL_(ctx) (ctx)->rt->poll(ctx)
#endif

#ifdef CAIRN_AOT_FRAME_CHAIN
/* Entry of function index IDX whose frame takes about FRAME bytes: the C
** stack must have room, then limits are polled (both CAIRN_ENTER_CHECK_).
** The frame record is the function's own (compiled with frame pointers).
** Declares the local CAIRN_POLL uses. */
#define CAIRN_ENTER(ctx, IDX, FRAME)                                                        \
  cairn_aot_exec *const cairn_ex_ = (ctx)->exec;                                            \
  CAIRN_ENTER_CHECK_(ctx, FRAME)

/* Before every return of a function that used CAIRN_ENTER. */
#define CAIRN_LEAVE() ((void)0)

/* Entry of a bounded function (module_func_bounded: a small leaf without
** loops): no check. Its run is bounded by its size, an interrupt waits
** for its caller's next check, fuel charges nothing for it (the
** interpreter's rule too), and its frame fits in the margin the runtime
** keeps below the limit for host functions. The empty asm takes the frame
** address so that the function keeps its frame record: GCC sets up none in
** a function that makes no call, and a fault there would lose its caller
** from the backtrace. */
#define CAIRN_ENTER_B(ctx, IDX, FRAME)                                                      \
  cairn_aot_exec *const cairn_ex_ = (ctx)->exec;                                            \
  (void)cairn_ex_;                                                                          \
  __asm__ volatile("" : : "r"(__builtin_frame_address(0)))

#ifdef CAIRN_AOT_INLINE
/* The entry check sampled once per C frame, for functions that call
** themselves (directly or through a cycle of direct calls), which the C
** compiler inlines into themselves several levels deep. cairn_frame_check_
** reads the stack pointer and exec->limit and returns exec with bit 0 set
** when the check fails (its own stack pointer lies just below its caller's
** frame, which is allocated by then). It is declared const: the compiler
** calls it once per C frame and every inlined level reuses that result, so
** an inlined level costs a test of a register instead of two loads and a
** compare. That is exact for the stack (an inlined level runs on the frame
** that was checked, with the same limit) and polls at every real entry and
** loop back edge, so an interrupt or fuel accounting is still seen in any
** unbounded recursion or loop; while the word is CAIRN_AOT_PENDING at the
** sample (fuel on), every inlined level calls rt->enter, one unit each, as
** before. Room: the frame estimate rounded up to a KiB, at least 1 KiB, so
** that the levels of different small functions share one sample. The
** failed path passes rt->enter its own low end 32 bytes lower, as the
** sample was taken up to 16 bytes (return address, frame record) below the
** caller's stack pointer. */
#if defined(__clang__)
#define CAIRN_FRAME_CHECK_ATTR_ __attribute__((const, noinline))
#else
#define CAIRN_FRAME_CHECK_ATTR_ __attribute__((const, noinline, noclone))
#endif
static CAIRN_FRAME_CHECK_ATTR_ uintptr_t cairn_frame_check_(cairn_aot_ctx *ctx, uintptr_t room) {
  cairn_aot_exec *const ex = ctx->exec;
  return (uintptr_t)ex | (uintptr_t)(cairn_stack_pointer_() - room < ex->limit);
}
#define CAIRN_ROOM_(FRAME) ((FRAME) <= 1024 ? (uintptr_t)1024 : ((uintptr_t)(FRAME) + 1023) & ~(uintptr_t)1023)
#define CAIRN_ENTER_R(ctx, IDX, FRAME)                                                      \
  const uintptr_t cairn_chk_ = cairn_frame_check_((ctx), CAIRN_ROOM_(FRAME));               \
  cairn_aot_exec *const cairn_ex_ = (cairn_aot_exec *)(cairn_chk_ & ~(uintptr_t)1);         \
  if (CAIRN_UNLIKELY(cairn_chk_ & 1))                                                       \
  CAIRN_RT_ENTER_((ctx), cairn_stack_pointer_() - CAIRN_ROOM_(FRAME) - 32)
#else
#define CAIRN_ENTER_R(ctx, IDX, FRAME) CAIRN_ENTER(ctx, IDX, FRAME)
#endif
#else
/* Entry of function index IDX whose frame takes about FRAME bytes: the C
** stack and the shadow stack must have room, the frame is recorded for
** backtraces, then limits are polled (rt->enter pops the frame again when
** the C stack is exhausted). Declares the locals CAIRN_LEAVE uses. */
#define CAIRN_ENTER(ctx, IDX, FRAME)                                                        \
  cairn_aot_exec *const cairn_ex_ = (ctx)->exec;                                            \
  void **const cairn_sp_ = cairn_ex_->sp;                                                   \
  if (CAIRN_UNLIKELY(cairn_sp_ == cairn_ex_->sp_end))                                       \
    cairn_trap((ctx), CAIRN_AOT_TRAP_STACK_EXHAUSTED);                                      \
  *cairn_sp_ = (ctx)->funcs[IDX];                                                           \
  cairn_ex_->sp = cairn_sp_ + 1;                                                            \
  CAIRN_ENTER_CHECK_(ctx, FRAME)

/* Before every return of a function that used CAIRN_ENTER. */
#define CAIRN_LEAVE() (cairn_ex_->sp = cairn_sp_)

/* Entry of a bounded function (see the frame-chain CAIRN_ENTER_B): the
** frame is recorded for backtraces, nothing is checked but the shadow
** stack's room. */
#define CAIRN_ENTER_B(ctx, IDX, FRAME)                                                      \
  cairn_aot_exec *const cairn_ex_ = (ctx)->exec;                                            \
  void **const cairn_sp_ = cairn_ex_->sp;                                                   \
  if (CAIRN_UNLIKELY(cairn_sp_ == cairn_ex_->sp_end))                                       \
    cairn_trap((ctx), CAIRN_AOT_TRAP_STACK_EXHAUSTED);                                      \
  *cairn_sp_ = (ctx)->funcs[IDX];                                                           \
  cairn_ex_->sp = cairn_sp_ + 1
/* the shadow stack's push is per Wasm frame: no sampled entry here */
#define CAIRN_ENTER_R(ctx, IDX, FRAME) CAIRN_ENTER(ctx, IDX, FRAME)
#endif

/* Whether an interrupt or fuel accounting is pending: one load of the same
** word (through the exec pointer in a local, which stores to linear memory
** cannot change). */
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__)
/* x86-64: one compare of the word in memory with the constant (a volatile
** load is not folded into the compare: a load, then a compare); the asm is
** volatile, so every back edge reads the word again. */
#define CAIRN_PENDING()                                                                     \
  ({                                                                                        \
    _Bool cairn_pd_;                                                                        \
    __asm__ volatile("cmpq $-1, %1" : "=@cce"(cairn_pd_) : "m"(cairn_ex_->limit));          \
    cairn_pd_;                                                                              \
  })
#else
#define CAIRN_PENDING() (*(const volatile uintptr_t *)&cairn_ex_->limit == CAIRN_AOT_PENDING)
#endif

/* A loop's back edge. */
#define CAIRN_POLL(ctx)                                      \
  do {                                                       \
    if (CAIRN_UNLIKELY(CAIRN_PENDING())) CAIRN_RT_POLL_(ctx); \
  } while (0)

/* ---- memory access (unaligned, any type at any address) ---- */
#define CAIRN_LOAD(T, p) ({ T cairn_v_; __builtin_memcpy(&cairn_v_, (p), sizeof(T)); cairn_v_; })
/* A store that runs past the end of memory must write nothing, but a store
** may tear: Arm and RISC-V may split an unaligned store at a page boundary
** (GCC even stores byte by byte where alignment is unknown on RISC-V), and
** GCC writes a 16-byte value as two 8-byte stores on x86-64. Reading the
** last byte first makes the fault come before any write, as the spec
** requires. One x86 instruction storing up to 8 bytes never tears. */
#if defined(__x86_64__) || defined(__i386__)
#define CAIRN_STORE_PROBE_(T, p) \
  ((void)(sizeof(T) > 8 ? *(const volatile uint8_t *)((p) + sizeof(T) - 1) : 0))
#else
#define CAIRN_STORE_PROBE_(T, p) ((void)*(const volatile uint8_t *)((p) + sizeof(T) - 1))
#endif
#define CAIRN_STORE(T, p, v)                     \
  do {                                           \
    T cairn_v_ = (v);                            \
    uint8_t *cairn_p_ = (p);                     \
    CAIRN_STORE_PROBE_(T, cairn_p_);             \
    __builtin_memcpy(cairn_p_, &cairn_v_, sizeof(T)); \
  } while (0)

/* Read-modify-write of one location, *p = *p OP y in type T (emit_rmw.c,
** for `x = load(p); store(p, x | y)`; INSN is the x86 mnemonic with its
** size suffix, "orl"): on x86-64 one instruction on memory
** in a volatile asm, which the compiler neither drops nor splits (the read
** in it is the bounds check; one that faults writes nothing); elsewhere the
** kept load and the store. */
#if defined(__x86_64__)
#define CAIRN_RMW(T, p, y, INSN, OP)                                                       \
  do {                                                                                     \
    typedef T __attribute__((may_alias, aligned(1))) cairn_ua_;                            \
    __asm__ volatile(INSN " %1, %0" : "+m"(*(cairn_ua_ *)(p)) : "er"((T)(y)) : "cc");    \
  } while (0)
#else
#define CAIRN_RMW(T, p, y, INSN, OP)                            \
  do {                                                          \
    uint8_t *cairn_q_ = (p);                                    \
    T cairn_w_ = (T)(CAIRN_LOADK(T, cairn_q_) OP (T)(y));       \
    CAIRN_STORE(T, cairn_q_, cairn_w_);                         \
  } while (0)
#endif

/* A load whose value is dropped must still fault when out of bounds (with
** guard pages, the fault is the bounds check), but C may delete an unused
** load: CAIRN_LOADK (integers) and CAIRN_LOADKF (float, double, v128) keep
** it by giving its value to an empty asm, in a register where the target
** has a constraint for one, else through a stack copy. */
#define CAIRN_LOADK(T, p)                   \
  ({                                        \
    T cairn_k_ = CAIRN_LOAD(T, p);          \
    __asm__("" : : "r"(cairn_k_));          \
    cairn_k_;                               \
  })
#if defined(__x86_64__) || defined(__i386__)
#define CAIRN_FREG_ "x"
#elif defined(__aarch64__)
#define CAIRN_FREG_ "w"
#else
#define CAIRN_FREG_ "m"
#endif
#define CAIRN_LOADKF(T, p)                  \
  ({                                        \
    T cairn_k_ = CAIRN_LOAD(T, p);          \
    __asm__("" : : CAIRN_FREG_(cairn_k_));  \
    cairn_k_;                               \
  })

/* Loads and stores of a loop's fast copy (emit_loop.c), whose accesses
** were all proved in bounds at the loop's entry: plain unaligned accesses
** that the C compiler may vectorize. */
#define CAIRN_LOADV(T, p)                                              \
  ({                                                                   \
    typedef T __attribute__((may_alias, aligned(1))) cairn_ua_;        \
    *(const cairn_ua_ *)(p);                                           \
  })
#define CAIRN_STOREV(T, p, v)                                          \
  do {                                                                 \
    typedef T __attribute__((may_alias, aligned(1))) cairn_ua_;        \
    *(cairn_ua_ *)(p) = (v);                                           \
  } while (0)

/* ---- loop versioning: the entry check (emit_loop.c) ----
** Values are 64-bit representatives of Wasm values; an overflow sets *bad
** or makes the answer "no", never undefined behaviour. */
static inline int64_t cairn_lv_mad_(int64_t acc, int64_t coef, int64_t x, int *bad) {
  int64_t p;
  if (__builtin_mul_overflow(coef, x, &p) || __builtin_add_overflow(acc, p, &acc)) *bad = 1;
  return acc;
}

/* Whether v + step*k stays in [lo, hi] for k = 0 .. t-1 (t >= 1; affine,
** so the ends decide). */
static inline int cairn_lv_in_(int64_t v, int64_t step, int64_t t, int64_t lo, int64_t hi) {
  int64_t d, last;
  if (t < 1 || __builtin_mul_overflow(step, t - 1, &d) || __builtin_add_overflow(v, d, &last))
    return 0;
  return v >= lo && v <= hi && last >= lo && last <= hi;
}

/* The trip count of a loop whose exit test after iteration k goes on while
** u + s*k REL n (rel: 0 !=, 1 <, 2 <=, 3 >, 4 >=), values in [lo, hi]
** where the representatives are the Wasm values themselves; 0 when u or n
** is outside it or the value would leave it (wrap) before the test fails.
** |s| <= 2^40 (emit_loop.c). */
static inline int64_t cairn_lv_trip_(int64_t u, int64_t n, int64_t s, int rel, int64_t lo,
                                     int64_t hi) {
  int64_t d, q, r, last;
  if (u < lo || u > hi || n < lo || n > hi || s == 0) return 0;
  switch (rel) {
    case 0:
      if (u == n) return 1;
      if (__builtin_sub_overflow(n, u, &d) || d == INT64_MIN || (d > 0) != (s > 0) || d % s)
        return 0;
      q = d / s;
      last = n;
      break;
    case 1:
    case 2:
      if (rel == 2) {
        if (n == hi) return 0; /* never false without wrapping */
        n++;
      }
      if (u >= n) return 1;
      if (s < 0 || __builtin_sub_overflow(n, u, &d)) return 0;
      q = d / s;
      r = d % s;
      q += r != 0;
      /* the first value >= n */
      if (__builtin_add_overflow(n, r ? s - r : 0, &last)) return 0;
      break;
    case 3:
    case 4:
      if (rel == 4) {
        if (n == lo) return 0;
        n--;
      }
      if (u <= n) return 1;
      if (s > 0 || __builtin_sub_overflow(u, n, &d)) return 0;
      q = d / -s;
      r = d % -s;
      q += r != 0;
      if (__builtin_sub_overflow(n, r ? -s - r : 0, &last)) return 0;
      break;
    default:
      return 0;
  }
  /* the value the last test sees must not have wrapped */
  if (q >= INT64_MAX - 1 || last < lo || last > hi) return 0;
  return q + 1;
}

/* ---- numeric helpers (semantics the C operators do not give) ----
** Values travel as the ABI's C types; integers are unsigned (wrapping) and
** made signed only where an operation needs it. Floats stay in float (no
** double rounding; the C is compiled with -ffp-contract=off). Operations
** that must keep a NaN's bits (abs, neg, copysign, reinterpret) work on the
** bits. Rounding and sqrt use the builtins, which GCC inlines where the
** target has the instruction; where it does not, the call goes to the
** bit-exact versions unit 0 defines (below), as memcpy does. */

typedef int8_t cairn_i8x16 __attribute__((vector_size(16)));
typedef uint8_t cairn_u8x16 __attribute__((vector_size(16)));
typedef int16_t cairn_i16x8 __attribute__((vector_size(16)));
typedef uint16_t cairn_u16x8 __attribute__((vector_size(16)));
typedef int32_t cairn_i32x4 __attribute__((vector_size(16)));
typedef uint32_t cairn_u32x4 __attribute__((vector_size(16)));
typedef int64_t cairn_i64x2 __attribute__((vector_size(16)));
typedef float cairn_f32x4 __attribute__((vector_size(16)));
typedef double cairn_f64x2 __attribute__((vector_size(16)));

static inline uint32_t cairn_f32_bits(float x) {
  uint32_t b;
  __builtin_memcpy(&b, &x, 4);
  return b;
}
static inline float cairn_f32_from_bits(uint32_t b) {
  float x;
  __builtin_memcpy(&x, &b, 4);
  return x;
}
static inline uint64_t cairn_f64_bits(double x) {
  uint64_t b;
  __builtin_memcpy(&b, &x, 8);
  return b;
}
static inline double cairn_f64_from_bits(uint64_t b) {
  double x;
  __builtin_memcpy(&x, &b, 8);
  return x;
}

/* division and remainder: traps on zero, div_s traps on INT_MIN / -1,
** rem_s of INT_MIN by -1 is 0 (C leaves both undefined) */
static inline uint32_t cairn_i32_div_s(cairn_aot_ctx *ctx, uint32_t a, uint32_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  if (CAIRN_UNLIKELY(a == 0x80000000u && b == 0xFFFFFFFFu))
    cairn_trap(ctx, CAIRN_AOT_TRAP_INT_OVERFLOW);
  return (uint32_t)((int32_t)a / (int32_t)b);
}
static inline uint32_t cairn_i32_div_u(cairn_aot_ctx *ctx, uint32_t a, uint32_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  return a / b;
}
static inline uint32_t cairn_i32_rem_s(cairn_aot_ctx *ctx, uint32_t a, uint32_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  if (CAIRN_UNLIKELY(b == 0xFFFFFFFFu)) return 0;
  return (uint32_t)((int32_t)a % (int32_t)b);
}
static inline uint32_t cairn_i32_rem_u(cairn_aot_ctx *ctx, uint32_t a, uint32_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  return a % b;
}
static inline uint64_t cairn_i64_div_s(cairn_aot_ctx *ctx, uint64_t a, uint64_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  if (CAIRN_UNLIKELY(a == 0x8000000000000000ull && b == 0xFFFFFFFFFFFFFFFFull))
    cairn_trap(ctx, CAIRN_AOT_TRAP_INT_OVERFLOW);
  return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t cairn_i64_div_u(cairn_aot_ctx *ctx, uint64_t a, uint64_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  return a / b;
}
static inline uint64_t cairn_i64_rem_s(cairn_aot_ctx *ctx, uint64_t a, uint64_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  if (CAIRN_UNLIKELY(b == 0xFFFFFFFFFFFFFFFFull)) return 0;
  return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint64_t cairn_i64_rem_u(cairn_aot_ctx *ctx, uint64_t a, uint64_t b) {
  if (CAIRN_UNLIKELY(b == 0)) cairn_trap(ctx, CAIRN_AOT_TRAP_DIV_ZERO);
  return a % b;
}

/* bit counts (libgcc calls where the target lacks the instruction) */
static inline uint32_t cairn_i32_clz(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t cairn_i32_ctz(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint32_t cairn_i32_popcnt(uint32_t x) { return (uint32_t)__builtin_popcount(x); }
static inline uint64_t cairn_i64_clz(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t cairn_i64_ctz(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }
static inline uint64_t cairn_i64_popcnt(uint64_t x) { return (uint64_t)__builtin_popcountll(x); }

/* rotations (GCC and Clang recognise the pattern as one instruction) */
static inline uint32_t cairn_i32_rotl(uint32_t x, uint32_t k) {
  return (x << (k & 31)) | (x >> ((32 - k) & 31));
}
static inline uint32_t cairn_i32_rotr(uint32_t x, uint32_t k) {
  return (x >> (k & 31)) | (x << ((32 - k) & 31));
}
static inline uint64_t cairn_i64_rotl(uint64_t x, uint64_t k) {
  return (x << (k & 63)) | (x >> ((64 - k) & 63));
}
static inline uint64_t cairn_i64_rotr(uint64_t x, uint64_t k) {
  return (x >> (k & 63)) | (x << ((64 - k) & 63));
}

/* abs, neg, copysign on the bits: a NaN keeps its payload */
static inline float cairn_f32_abs(float x) { return cairn_f32_from_bits(cairn_f32_bits(x) & 0x7FFFFFFFu); }
static inline float cairn_f32_neg(float x) { return cairn_f32_from_bits(cairn_f32_bits(x) ^ 0x80000000u); }
static inline float cairn_f32_copysign(float x, float y) {
  return cairn_f32_from_bits((cairn_f32_bits(x) & 0x7FFFFFFFu) | (cairn_f32_bits(y) & 0x80000000u));
}
static inline double cairn_f64_abs(double x) {
  return cairn_f64_from_bits(cairn_f64_bits(x) & 0x7FFFFFFFFFFFFFFFull);
}
static inline double cairn_f64_neg(double x) {
  return cairn_f64_from_bits(cairn_f64_bits(x) ^ 0x8000000000000000ull);
}
static inline double cairn_f64_copysign(double x, double y) {
  return cairn_f64_from_bits((cairn_f64_bits(x) & 0x7FFFFFFFFFFFFFFFull) |
                             (cairn_f64_bits(y) & 0x8000000000000000ull));
}

/* min/max: NaN if either is (a + b quiets it), -0 below +0 */
static inline float cairn_f32_min(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return cairn_f32_from_bits(cairn_f32_bits(a) | cairn_f32_bits(b));
  return a < b ? a : b;
}
static inline float cairn_f32_max(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return cairn_f32_from_bits(cairn_f32_bits(a) & cairn_f32_bits(b));
  return a > b ? a : b;
}
static inline double cairn_f64_min(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return cairn_f64_from_bits(cairn_f64_bits(a) | cairn_f64_bits(b));
  return a < b ? a : b;
}
static inline double cairn_f64_max(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return cairn_f64_from_bits(cairn_f64_bits(a) & cairn_f64_bits(b));
  return a > b ? a : b;
}

/* rounding (nearest: ties to even, the rounding mode Cairn never changes)
** and sqrt; a NaN input gives a quiet NaN (an inlined ceil may return a
** signalling NaN unchanged) */
static inline float cairn_f32_ceil(float x) { return x != x ? x + x : __builtin_ceilf(x); }
static inline float cairn_f32_floor(float x) { return x != x ? x + x : __builtin_floorf(x); }
static inline float cairn_f32_trunc(float x) { return x != x ? x + x : __builtin_truncf(x); }
static inline float cairn_f32_nearest(float x) { return x != x ? x + x : __builtin_rintf(x); }
static inline float cairn_f32_sqrt(float x) { return __builtin_sqrtf(x); }
static inline double cairn_f64_ceil(double x) { return x != x ? x + x : __builtin_ceil(x); }
static inline double cairn_f64_floor(double x) { return x != x ? x + x : __builtin_floor(x); }
static inline double cairn_f64_trunc(double x) { return x != x ? x + x : __builtin_trunc(x); }
static inline double cairn_f64_nearest(double x) { return x != x ? x + x : __builtin_rint(x); }
static inline double cairn_f64_sqrt(double x) { return __builtin_sqrt(x); }

/* f64.promote_f32: opaque to the C compiler, which folds demote(promote(x))
** into x even with -fsignaling-nans, where Wasm quiets a signalling NaN */
static inline double cairn_f64_promote_f32(float x) {
  double d = (double)x;
  __asm__("" : "+" CAIRN_FREG_(d));
  return d;
}

/* float -> int: NaN is "invalid conversion to integer", a value whose
** truncation does not fit is "integer overflow" (bounds exact in each
** source type) */
#define CAIRN_TRUNC(NAME, F, T, ST, LO_OK, HI)                                  \
  static inline T NAME(cairn_aot_ctx *ctx, F x) {                               \
    if (CAIRN_UNLIKELY(!((LO_OK) && x < (HI))))                                 \
      cairn_trap(ctx, x != x ? CAIRN_AOT_TRAP_BAD_CONVERSION : CAIRN_AOT_TRAP_INT_OVERFLOW); \
    return (T)(ST)x;                                                             \
  }
CAIRN_TRUNC(cairn_i32_trunc_f32_s, float, uint32_t, int32_t, x >= -2147483648.0f, 2147483648.0f)
CAIRN_TRUNC(cairn_i32_trunc_f32_u, float, uint32_t, uint32_t, x > -1.0f, 4294967296.0f)
CAIRN_TRUNC(cairn_i32_trunc_f64_s, double, uint32_t, int32_t, x > -2147483649.0, 2147483648.0)
CAIRN_TRUNC(cairn_i32_trunc_f64_u, double, uint32_t, uint32_t, x > -1.0, 4294967296.0)
CAIRN_TRUNC(cairn_i64_trunc_f32_s, float, uint64_t, int64_t, x >= -9223372036854775808.0f,
            9223372036854775808.0f)
CAIRN_TRUNC(cairn_i64_trunc_f32_u, float, uint64_t, uint64_t, x > -1.0f, 18446744073709551616.0f)
CAIRN_TRUNC(cairn_i64_trunc_f64_s, double, uint64_t, int64_t, x >= -9223372036854775808.0,
            9223372036854775808.0)
CAIRN_TRUNC(cairn_i64_trunc_f64_u, double, uint64_t, uint64_t, x > -1.0, 18446744073709551616.0)
#undef CAIRN_TRUNC

/* saturating float -> int: NaN is 0, out of range the nearest bound */
#define CAIRN_TRUNC_SAT(NAME, F, T, ST, LO_OUT, LO, HI_OUT, HI)                 \
  static inline T NAME(F x) {                                                    \
    if (x != x) return 0;                                                        \
    if (LO_OUT) return (T)(LO);                                                  \
    if (HI_OUT) return (T)(HI);                                                  \
    return (T)(ST)x;                                                             \
  }
CAIRN_TRUNC_SAT(cairn_i32_trunc_sat_f32_s, float, uint32_t, int32_t, x < -2147483648.0f,
                0x80000000u, x >= 2147483648.0f, 0x7FFFFFFFu)
CAIRN_TRUNC_SAT(cairn_i32_trunc_sat_f32_u, float, uint32_t, uint32_t, x <= -1.0f, 0,
                x >= 4294967296.0f, 0xFFFFFFFFu)
CAIRN_TRUNC_SAT(cairn_i32_trunc_sat_f64_s, double, uint32_t, int32_t, x <= -2147483649.0,
                0x80000000u, x >= 2147483648.0, 0x7FFFFFFFu)
CAIRN_TRUNC_SAT(cairn_i32_trunc_sat_f64_u, double, uint32_t, uint32_t, x <= -1.0, 0,
                x >= 4294967296.0, 0xFFFFFFFFu)
CAIRN_TRUNC_SAT(cairn_i64_trunc_sat_f32_s, float, uint64_t, int64_t,
                x < -9223372036854775808.0f, 0x8000000000000000ull, x >= 9223372036854775808.0f,
                0x7FFFFFFFFFFFFFFFull)
CAIRN_TRUNC_SAT(cairn_i64_trunc_sat_f32_u, float, uint64_t, uint64_t, x <= -1.0f, 0,
                x >= 18446744073709551616.0f, 0xFFFFFFFFFFFFFFFFull)
CAIRN_TRUNC_SAT(cairn_i64_trunc_sat_f64_s, double, uint64_t, int64_t,
                x < -9223372036854775808.0, 0x8000000000000000ull, x >= 9223372036854775808.0,
                0x7FFFFFFFFFFFFFFFull)
CAIRN_TRUNC_SAT(cairn_i64_trunc_sat_f64_u, double, uint64_t, uint64_t, x <= -1.0, 0,
                x >= 18446744073709551616.0, 0xFFFFFFFFFFFFFFFFull)
#undef CAIRN_TRUNC_SAT

/* i8x16.shuffle: lanes of a (0-15) and b (16-31), constants */
#if defined(__clang__)
#define CAIRN_SHUFFLE(a, b, ...) \
  ((cairn_v128)__builtin_shufflevector((cairn_u8x16)(a), (cairn_u8x16)(b), __VA_ARGS__))
#else
#define CAIRN_SHUFFLE(a, b, ...) \
  ((cairn_v128)__builtin_shuffle((cairn_u8x16)(a), (cairn_u8x16)(b), (cairn_u8x16){__VA_ARGS__}))
#endif

/* call_indirect's checks: the code of element i of t (the table object),
** of the type whose store-wide id is type_id, once i is in bounds and its
** call entry (&t->calls[i], which the caller takes without reading it) has
** that type. A null element's entry matches no type. */
static inline void *cairn_indirect(cairn_aot_ctx *ctx, cairn_aot_table *t, uint32_t i,
                                   uint32_t type_id) {
  if (CAIRN_UNLIKELY(i >= t->size)) cairn_trap(ctx, CAIRN_AOT_TRAP_UNDEFINED_ELEMENT);
  cairn_aot_func *f = &t->calls[i];
  if (CAIRN_UNLIKELY(f->type_id != type_id))
    cairn_trap(ctx, f->func ? CAIRN_AOT_TRAP_INDIRECT_MISMATCH
                            : CAIRN_AOT_TRAP_UNINITIALIZED_ELEMENT);
  return t->codes[i];
}

/* table.set of element i (in bounds) of t to v: the element and, in a
** funcref table, its call entry. */
static inline void cairn_table_set_(cairn_aot_table *t, uint32_t i, void *v) {
  t->elems[i] = v;
  if (t->calls) {
    static const cairn_aot_func none = {0, 0, CAIRN_AOT_NO_TYPE, 0};
    t->calls[i] = v ? *(const cairn_aot_func *)v : none;
    t->codes[i] = t->calls[i].code;
  }
}

/* memory.copy and memory.fill of 0 to 64 bytes inline, longer ones through
** rt (as is any that leaves the memory: rt traps). Bounds are checked
** before anything is written, so an out-of-bounds operation goes to rt and
** traps having written nothing; a length of 0 writes nothing but its bounds
** still count. A copy reads every source byte before it writes one, so
** overlapping ranges behave as memmove. m is memory mem's base. A length
** is two to four possibly overlapping loads and stores of the widest
** power of two not above it (16 bytes at most, four of them from 33 on). */
#define CAIRN_MOVE_(K, d, s, n)                                          \
  do {                                                                   \
    uint##K##_t a_, b_;                                                  \
    __builtin_memcpy(&a_, (s), K / 8);                                   \
    __builtin_memcpy(&b_, (s) + (n) - K / 8, K / 8);                     \
    __builtin_memcpy((d), &a_, K / 8);                                   \
    __builtin_memcpy((d) + (n) - K / 8, &b_, K / 8);                     \
  } while (0)
static inline __attribute__((always_inline)) void cairn_memory_copy(cairn_aot_ctx *ctx, uint32_t mem, uint8_t *m, uint32_t d,
                                     uint32_t s, uint32_t n) {
  uint64_t size = ctx->mems[mem]->bytes;
  if (CAIRN_LIKELY(n <= 64u && (uint64_t)d + n <= size && (uint64_t)s + n <= size)) {
    uint8_t *dp = m + d;
    const uint8_t *sp = m + s;
    if (n > 32) {
      cairn_v128 a, b, c, e;
      __builtin_memcpy(&a, sp, 16);
      __builtin_memcpy(&b, sp + 16, 16);
      __builtin_memcpy(&c, sp + n - 32, 16);
      __builtin_memcpy(&e, sp + n - 16, 16);
      __builtin_memcpy(dp, &a, 16);
      __builtin_memcpy(dp + 16, &b, 16);
      __builtin_memcpy(dp + n - 32, &c, 16);
      __builtin_memcpy(dp + n - 16, &e, 16);
    } else if (n >= 16) {
      cairn_v128 a, b;
      __builtin_memcpy(&a, sp, 16);
      __builtin_memcpy(&b, sp + n - 16, 16);
      __builtin_memcpy(dp, &a, 16);
      __builtin_memcpy(dp + n - 16, &b, 16);
    } else if (n >= 8) {
      CAIRN_MOVE_(64, dp, sp, n);
    } else if (n >= 4) {
      CAIRN_MOVE_(32, dp, sp, n);
    } else if (n >= 2) {
      CAIRN_MOVE_(16, dp, sp, n);
    } else if (n) {
      *dp = *sp;
    }
    return;
  }
  ctx->rt->memory_copy(ctx, mem, mem, d, s, n);
}
#undef CAIRN_MOVE_
static inline __attribute__((always_inline)) void cairn_memory_fill(cairn_aot_ctx *ctx, uint32_t mem, uint8_t *m, uint32_t d,
                                     uint32_t val, uint32_t n) {
  uint64_t size = ctx->mems[mem]->bytes;
  if (CAIRN_LIKELY(n <= 64u && (uint64_t)d + n <= size)) {
    uint8_t *dp = m + d;
    uint64_t v = 0x0101010101010101ull * (uint8_t)val;
    uint32_t v4 = (uint32_t)v;
    uint16_t v2 = (uint16_t)v;
    if (n >= 16) {
      cairn_v128 w = {v, v};
      __builtin_memcpy(dp, &w, 16);
      if (n > 32) {
        __builtin_memcpy(dp + 16, &w, 16);
        __builtin_memcpy(dp + n - 32, &w, 16);
      }
      __builtin_memcpy(dp + n - 16, &w, 16);
    } else if (n >= 8) {
      __builtin_memcpy(dp, &v, 8);
      __builtin_memcpy(dp + n - 8, &v, 8);
    } else if (n >= 4) {
      __builtin_memcpy(dp, &v4, 4);
      __builtin_memcpy(dp + n - 4, &v4, 4);
    } else if (n >= 2) {
      __builtin_memcpy(dp, &v2, 2);
      __builtin_memcpy(dp + n - 2, &v2, 2);
    } else if (n) {
      *dp = (uint8_t)val;
    }
    return;
  }
  ctx->rt->memory_fill(ctx, mem, d, val, n);
}

/* a v128 in slots (unaligned uint64_t pairs) */
static inline cairn_v128 cairn_v128_load(const uint64_t *p) {
  cairn_v128 v;
  __builtin_memcpy(&v, p, 16);
  return v;
}
static inline void cairn_v128_store(uint64_t *p, cairn_v128 v) { __builtin_memcpy(p, &v, 16); }

/* an rt->simd call: op on up to three operands */
static inline cairn_v128 cairn_simd(cairn_aot_ctx *ctx, uint32_t op, cairn_v128 a, cairn_v128 b,
                                    cairn_v128 c, uint64_t imm) {
  cairn_v128 in[3] = {a, b, c}, out;
  ctx->rt->simd(ctx, op, &out, in, imm);
  return out;
}

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
#if defined(CAIRN_AOT_STUB_CALLS_)
/* The stubs of CAIRN_RT_ENTER_ and CAIRN_RT_POLL_ (x86-64): a frame record,
** every register the System V ABI lets a call change that this unit's
** code may hold a value in (rax, rcx, rdx, rsi, rdi, r8-r11; xmm0-15, or
** ymm0-15 with AVX, or zmm0-31 and k0-7 with AVX-512: all units are built
** with the same flags), the stack aligned to 64, then rt->enter(ctx, low)
** or rt->poll(ctx) through ctx->rt (offsets checked below); low comes in
** rax. */
_Static_assert(__builtin_offsetof(cairn_aot_ctx, rt) == 48, "the stubs' ctx->rt");
_Static_assert(__builtin_offsetof(cairn_aot_rt, poll) == 8 &&
                   __builtin_offsetof(cairn_aot_rt, enter) == 16,
               "the stubs' rt->poll, rt->enter");
#if defined(__AVX512F__)
/* k0-7: 64 bits each with AVX512BW, else 16 */
#if defined(__AVX512BW__)
#define CAIRN_STUB_KMOV_ "kmovq"
#else
#define CAIRN_STUB_KMOV_ "kmovw"
#endif
#define CAIRN_STUB_VSAVE_                                                                   \
  "sub $2112, %rsp\n"                                                                       \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"   \
  "vmovdqu64 %zmm\\r, \\r*64(%rsp)\n.endr\n"                                               \
  ".irp r,0,1,2,3,4,5,6,7\n" CAIRN_STUB_KMOV_ " %k\\r, 2048+\\r*8(%rsp)\n.endr\n"
#define CAIRN_STUB_VLOAD_                                                                   \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"   \
  "vmovdqu64 \\r*64(%rsp), %zmm\\r\n.endr\n"                                               \
  ".irp r,0,1,2,3,4,5,6,7\n" CAIRN_STUB_KMOV_ " 2048+\\r*8(%rsp), %k\\r\n.endr\n"
#elif defined(__AVX__)
#define CAIRN_STUB_VSAVE_ \
  "sub $512, %rsp\n.irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\nvmovdqu %ymm\\r, \\r*32(%rsp)\n.endr\n"
#define CAIRN_STUB_VLOAD_ \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\nvmovdqu \\r*32(%rsp), %ymm\\r\n.endr\n"
#else
#define CAIRN_STUB_VSAVE_ \
  "sub $256, %rsp\n.irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\nmovups %xmm\\r, \\r*16(%rsp)\n.endr\n"
#define CAIRN_STUB_VLOAD_ \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\nmovups \\r*16(%rsp), %xmm\\r\n.endr\n"
#endif
#define CAIRN_STUB_(NAME, OFF)                                                              \
  ".text\n.p2align 4\n.globl " NAME "\n.hidden " NAME "\n.type " NAME ", @function\n" NAME   \
  ":\n"                                                                                     \
  "push %rbp\nmov %rsp, %rbp\n"                                                           \
  "push %rax\npush %rcx\npush %rdx\npush %rsi\npush %rdi\n"                                 \
  "push %r8\npush %r9\npush %r10\npush %r11\n"                                              \
  "and $-64, %rsp\n" CAIRN_STUB_VSAVE_                                                      \
  "mov %rax, %rsi\nmov 48(%rdi), %rax\ncall *" OFF "(%rax)\n" CAIRN_STUB_VLOAD_             \
  "lea -72(%rbp), %rsp\n"                                                                   \
  "pop %r11\npop %r10\npop %r9\npop %r8\n"                                                  \
  "pop %rdi\npop %rsi\npop %rdx\npop %rcx\npop %rax\n"                                      \
  "pop %rbp\nret\n.size " NAME ", .-" NAME "\n"
__asm__(CAIRN_STUB_("cairn_aot_enter_stub_", "16") CAIRN_STUB_("cairn_aot_poll_stub_", "8"));
#endif
#if defined(__arm__)
/* 32-bit ARM: libgcc's division routines report a zero divisor through
** these, whose libgcc versions call raise(); the helpers trap before
** dividing by zero, so they are never reached */
CAIRN_HIDDEN CAIRN_NOLIBCALL int __aeabi_idiv0(int r) { return r; }
CAIRN_HIDDEN CAIRN_NOLIBCALL long long __aeabi_ldiv0(long long r) { return r; }
#endif
/* The libm functions the rounding and sqrt builtins fall back to where the
** target has no instruction for them (riscv64 rounding, armhf, sqrt's
** errno path for a negative input, -O0): bit-exact, without libm. They
** must not use the builtins they stand in for. */
static inline float cairn_sw_truncf_(float x) {
  uint32_t b = cairn_f32_bits(x);
  int e = (int)((b >> 23) & 0xFF) - 127;
  if (e >= 23) return e == 128 ? x + x : x; /* integral, inf, NaN */
  if (e < 0) return cairn_f32_from_bits(b & 0x80000000u);
  return cairn_f32_from_bits(b & ~(0x007FFFFFu >> e));
}
static inline double cairn_sw_trunc_(double x) {
  uint64_t b = cairn_f64_bits(x);
  int e = (int)((b >> 52) & 0x7FF) - 1023;
  if (e >= 52) return e == 1024 ? x + x : x;
  if (e < 0) return cairn_f64_from_bits(b & 0x8000000000000000ull);
  return cairn_f64_from_bits(b & ~(0x000FFFFFFFFFFFFFull >> e));
}
CAIRN_HIDDEN CAIRN_NOLIBCALL float truncf(float x) { return cairn_sw_truncf_(x); }
CAIRN_HIDDEN CAIRN_NOLIBCALL double trunc(double x) { return cairn_sw_trunc_(x); }
CAIRN_HIDDEN CAIRN_NOLIBCALL float floorf(float x) {
  float t = cairn_sw_truncf_(x);
  return x < 0 && t != x ? t - 1.0f : t;
}
CAIRN_HIDDEN CAIRN_NOLIBCALL double floor(double x) {
  double t = cairn_sw_trunc_(x);
  return x < 0 && t != x ? t - 1.0 : t;
}
CAIRN_HIDDEN CAIRN_NOLIBCALL float ceilf(float x) {
  float t = cairn_sw_truncf_(x);
  return x > 0 && t != x ? t + 1.0f : t;
}
CAIRN_HIDDEN CAIRN_NOLIBCALL double ceil(double x) {
  double t = cairn_sw_trunc_(x);
  return x > 0 && t != x ? t + 1.0 : t;
}
/* below 2^23 (2^52) adding and removing that power rounds |x| to an integer
** in the current mode; the sign goes back by bits (-0.25 -> -0) */
CAIRN_HIDDEN CAIRN_NOLIBCALL float rintf(float x) {
  uint32_t b = cairn_f32_bits(x);
  if ((b & 0x7FFFFFFFu) >= 0x4B000000u) return x != x ? x + x : x;
  float a = cairn_f32_from_bits(b & 0x7FFFFFFFu);
  a = (a + 8388608.0f) - 8388608.0f;
  return cairn_f32_from_bits(cairn_f32_bits(a) | (b & 0x80000000u));
}
CAIRN_HIDDEN CAIRN_NOLIBCALL double rint(double x) {
  uint64_t b = cairn_f64_bits(x);
  if ((b & 0x7FFFFFFFFFFFFFFFull) >= 0x4330000000000000ull) return x != x ? x + x : x;
  double a = cairn_f64_from_bits(b & 0x7FFFFFFFFFFFFFFFull);
  a = (a + 4503599627370496.0) - 4503599627370496.0;
  return cairn_f64_from_bits(cairn_f64_bits(a) | (b & 0x8000000000000000ull));
}
CAIRN_HIDDEN CAIRN_NOLIBCALL float nearbyintf(float x) { return rintf(x); }
CAIRN_HIDDEN CAIRN_NOLIBCALL double nearbyint(double x) { return rint(x); }
/* sqrt digit by digit: q = floor(sqrt(m * 2^56)) for the significand m
** scaled to [2^52, 2^54) with an even exponent, 55 bits; the two below the
** result's 53 and the remainder round it to nearest (a tie cannot occur) */
static double cairn_sw_sqrt_(double x) {
  uint64_t b = cairn_f64_bits(x);
  if (x != x) return x + x;
  if (x == 0) return x;                         /* +-0 */
  if (b >> 63) return (x - x) / (x - x);        /* negative: NaN */
  if (b == 0x7FF0000000000000ull) return x;     /* +inf */
  int e = (int)(b >> 52);
  uint64_t m = b & 0x000FFFFFFFFFFFFFull;
  if (e == 0) { /* subnormal: normalise */
    e = 1;
    while (!(m >> 52)) {
      m <<= 1;
      e--;
    }
  } else {
    m |= 1ull << 52;
  }
  int E = e - 1075;                             /* x = m * 2^E */
  if (E & 1) {
    m <<= 1;
    E--;
  }
  uint64_t r = 0, q = 0;
  for (int i = 0; i < 55; i++) {
    /* the next two bits of m * 2^56 (m has 54 bits: 27 pairs) */
    uint64_t d = i < 27 ? (m >> (52 - 2 * i)) & 3 : 0;
    r = (r << 2) | d;
    uint64_t t = (q << 2) | 1;
    if (r >= t) {
      r -= t;
      q = (q << 1) | 1;
    } else {
      q <<= 1;
    }
  }
  uint64_t mant = q >> 2, low = q & 3;
  if (low > 2 || (low == 2 && (r != 0 || (mant & 1)))) mant++;
  int re = E / 2 - 26;                          /* value = mant * 2^re */
  if (mant >> 53) {
    mant >>= 1;
    re++;
  }
  return cairn_f64_from_bits((uint64_t)(re + 1075) << 52 | (mant & 0x000FFFFFFFFFFFFFull));
}
CAIRN_HIDDEN CAIRN_NOLIBCALL double sqrt(double x) { return cairn_sw_sqrt_(x); }
/* a double result rounded to float is the correctly rounded float sqrt (not
** written as sqrt((double)x), which GCC turns back into sqrtf) */
CAIRN_HIDDEN CAIRN_NOLIBCALL float sqrtf(float x) { return (float)cairn_sw_sqrt_((double)x); }
#endif

#endif
