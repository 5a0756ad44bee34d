/*
** cairn.h: Cairn's native public API.
**
** Flow: bytes -> cairn_module (decoded, validated, compiled once; immutable,
** shareable) -> cairn_instance in a cairn_store -> calls.
**
** Ownership: every *_new returns an object the caller frees with the matching
** *_free, except objects created inside a store (instances, host functions,
** tables, memories, globals), which the store owns and frees in
** cairn_store_free. Pointers into a store stay valid until the store is freed.
** Errors: functions that can fail take a cairn_error * (may be NULL) that is
** filled on failure; they return NULL / false then.
*/
#ifndef CAIRN_H
#define CAIRN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_VERSION "0.1.0"

/* CAIRN_API marks every function libcairn exports. The library is compiled
** with -fvisibility=hidden and CAIRN_BUILDING_LIBRARY defined, so these are
** the only symbols libcairn.so exports (besides its export list,
** src/libcairn.map; tests/embed/exports.sh checks both). For an embedder it
** expands to nothing. */
#if defined(CAIRN_BUILDING_LIBRARY) && defined(__GNUC__)
#define CAIRN_API __attribute__((visibility("default")))
#else
#define CAIRN_API
#endif

/* ---- errors ------------------------------------------------------------ */

typedef enum cairn_errkind {
  CAIRN_OK = 0,
  CAIRN_ERR_MALFORMED,   /* bad binary or text syntax (offset or line:col set) */
  CAIRN_ERR_INVALID,     /* fails validation (offset set) */
  CAIRN_ERR_LINK,        /* unknown import or incompatible import type */
  CAIRN_ERR_TRAP,        /* a trap while running Wasm code (trap set) */
  CAIRN_ERR_EXHAUSTION,  /* call stack exhausted (also a trap; trap set) */
  CAIRN_ERR_NOMEM,       /* out of memory (host allocation failed) */
  CAIRN_ERR_IO,          /* reading a file failed */
  CAIRN_ERR_ARG          /* a bad argument to an API function */
} cairn_errkind;

typedef enum cairn_trapkind {
  CAIRN_TRAP_NONE = 0,
  CAIRN_TRAP_UNREACHABLE,        /* "unreachable" */
  CAIRN_TRAP_MEMORY_OOB,         /* "out of bounds memory access" */
  CAIRN_TRAP_TABLE_OOB,          /* "out of bounds table access" */
  CAIRN_TRAP_DIV_ZERO,           /* "integer divide by zero" */
  CAIRN_TRAP_INT_OVERFLOW,       /* "integer overflow" */
  CAIRN_TRAP_BAD_CONVERSION,     /* "invalid conversion to integer" */
  CAIRN_TRAP_UNDEFINED_ELEMENT,  /* "undefined element" (call_indirect index >= size) */
  CAIRN_TRAP_UNINITIALIZED_ELEMENT, /* "uninitialized element" (null entry) */
  CAIRN_TRAP_INDIRECT_MISMATCH,  /* "indirect call type mismatch" */
  CAIRN_TRAP_STACK_EXHAUSTED,    /* "call stack exhausted" */
  CAIRN_TRAP_HOST,               /* raised by a host function (message from it) */
  CAIRN_TRAP_FUEL,               /* "fuel exhausted" */
  CAIRN_TRAP_INTERRUPT,          /* "interrupted" (deadline / epoch) */
  CAIRN_TRAP_EXIT                /* WASI proc_exit: not a failure; code in exit_code */
} cairn_trapkind;

#define CAIRN_MAX_BACKTRACE 16

typedef struct cairn_instance cairn_instance;

/* One frame of a trap's Wasm backtrace, innermost first. A frame located at
** an instruction (the one that trapped in the innermost frame, the call in
** the others) has module_offset, that instruction's offset in the module's
** bytes, and func_offset, its offset from the function's code entry (the
** entry's contents: its locals, then its instructions), which is then never
** 0. Where the instruction is not known, func_offset is 0 and module_offset
** is the offset of the code entry: the function only.
** The interpreter knows the instruction in every frame but for a memory
** access out of bounds caught by a guard page (the default on 64-bit hosts;
** builds with CAIRN_BOUNDS_CHECK know it too), fuel exhaustion and
** interruption (the function only). A fused internal instruction reports
** the first Wasm instruction of its group that can trap. Native code
** (.cwasm, `--aot`) locates functions only. */
typedef struct cairn_frame {
  uint32_t func_index;   /* index in its module's function space */
  const char *func_name; /* from the name section or an export; may be NULL */
  const cairn_instance *instance; /* the instance the function belongs to */
  uint32_t func_offset;  /* the instruction's offset from the code entry, or 0 */
  uint32_t module_offset; /* the instruction's (or the code entry's) module offset */
} cairn_frame;

typedef struct cairn_error {
  cairn_errkind kind;
  long offset;            /* byte offset in the binary, or -1 */
  int line, col;          /* 1-based position in a text source, or 0 */
  cairn_trapkind trap;    /* for CAIRN_ERR_TRAP / CAIRN_ERR_EXHAUSTION */
  int exit_code;          /* for CAIRN_TRAP_EXIT */
  int nframes;            /* backtrace length (<= CAIRN_MAX_BACKTRACE) */
  cairn_frame frames[CAIRN_MAX_BACKTRACE];
  char msg[256];          /* human-readable, NUL-terminated */
} cairn_error;

/* The spec's wording of a trap kind ("integer divide by zero", ...). */
CAIRN_API const char *cairn_trap_message(cairn_trapkind kind);

/* ---- allocation -------------------------------------------------------- */

/* An allocator hook, with the contract of Lua's lua_Alloc. ud is the user
** data given with the hook. nsize == 0: free ptr (osize bytes; ptr may not be
** NULL) and return NULL. ptr == NULL: return a new block of nsize bytes (osize
** is 0), or NULL on failure. Otherwise: resize ptr from osize to nsize bytes
** keeping its contents, returning the block (it may move) or NULL on failure,
** leaving ptr untouched. Blocks must be aligned as malloc's. osize is always
** the size the block was last given; sizes count a small header Cairn keeps
** in each block. The hook may be called from any thread that uses an object
** it serves (a store's hook: the thread using that store). */
typedef void *(*cairn_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Sets the process-wide default hook (fn NULL: back to malloc/realloc/free).
** It serves everything not owned by a store: modules (decoding, validation,
** translation, including lazy translation at a function's first call), the
** text parser, WAST scripts, and stores created without their own hook.
** Call it before any other Cairn call, or when no Cairn object exists: blocks
** remember the hook they came from and go back to it when freed, so ud must
** stay valid until the last of them is freed. Not thread-safe: never change
** it while another thread may be in Cairn. */
CAIRN_API void cairn_set_allocator(cairn_alloc_fn fn, void *ud);
/* The current default hook and its user data (either pointer may be NULL). */
CAIRN_API void cairn_get_allocator(cairn_alloc_fn *fn, void **ud);

/* Blocks for host code, from the default hook (cairn_malloc) or a store's
** (cairn_store_malloc; defined below). They go back to their own hook:
** free them only with cairn_free (never free()). cairn_realloc(NULL, n) is
** cairn_malloc(n); all return NULL on failure. Memory that Cairn hands to
** the caller (cairn_read_file, cairn_wat_to_wasm) is freed with cairn_free. */
CAIRN_API void *cairn_malloc(size_t n);
CAIRN_API void *cairn_realloc(void *p, size_t n);
CAIRN_API void cairn_free(void *p);

/* ---- values and types -------------------------------------------------- */

typedef enum cairn_valtype {
  CAIRN_I32 = 0x7F,
  CAIRN_I64 = 0x7E,
  CAIRN_F32 = 0x7D,
  CAIRN_F64 = 0x7C,
  CAIRN_V128 = 0x7B,
  CAIRN_FUNCREF = 0x70,
  CAIRN_EXTERNREF = 0x6F
} cairn_valtype;

typedef struct cairn_func cairn_func;

/* A value. Floats are carried as bit patterns so NaN payloads survive.
** funcref: a cairn_func * or NULL (null). externref: an opaque host pointer,
** NULL being the null reference. */
typedef struct cairn_val {
  cairn_valtype type;
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16];
    cairn_func *func;
    void *ext;
  } of;
} cairn_val;

/* A function type. The arrays are owned by whoever owns the type. */
typedef struct cairn_functype {
  uint32_t nparams, nresults;
  const cairn_valtype *params;
  const cairn_valtype *results;
} cairn_functype;

typedef struct cairn_limits {
  uint64_t min;
  uint64_t max;   /* meaningful only if has_max */
  bool has_max;
} cairn_limits;

typedef enum cairn_externkind {
  CAIRN_EXTERN_FUNC = 0,
  CAIRN_EXTERN_TABLE = 1,
  CAIRN_EXTERN_MEMORY = 2,
  CAIRN_EXTERN_GLOBAL = 3
} cairn_externkind;

typedef struct cairn_table cairn_table;
typedef struct cairn_memory cairn_memory;
typedef struct cairn_global cairn_global;

/* A reference to an external object (an import or an export). */
typedef struct cairn_extern {
  cairn_externkind kind;
  union {
    cairn_func *func;
    cairn_table *table;
    cairn_memory *memory;
    cairn_global *global;
  } of;
} cairn_extern;

/* ---- modules ----------------------------------------------------------- */

typedef struct cairn_module cairn_module;

/* Decodes, validates and compiles a binary module. The bytes are copied.
** Returns NULL and fills err (MALFORMED with offset, or INVALID) on failure.
** Free with cairn_module_free (after every instance using it is gone). */
CAIRN_API cairn_module *cairn_module_new(const uint8_t *bytes, size_t len, cairn_error *err);

/* Parses a text (WAT) module and compiles it as cairn_module_new does.
** Text errors are MALFORMED with line:col. */
CAIRN_API cairn_module *cairn_module_from_text(const char *src, size_t len, cairn_error *err);

/* Reads FILE (binary if it starts with "\0asm", otherwise text). */
CAIRN_API cairn_module *cairn_module_from_file(const char *path, cairn_error *err);

/* Only decodes and validates (no compilation). Returns true if valid. */
CAIRN_API bool cairn_module_validate(const uint8_t *bytes, size_t len, cairn_error *err);

CAIRN_API void cairn_module_free(cairn_module *m);

/* Describes import or export number i. Strings and types belong to the module
** (valid while it lives); names are not NUL-terminated, lengths are given. */
typedef struct cairn_externtype {
  cairn_externkind kind;
  const char *module; size_t module_len;  /* imports only */
  const char *name; size_t name_len;
  cairn_functype func;                     /* FUNC */
  cairn_valtype elemtype;                  /* TABLE: FUNCREF or EXTERNREF */
  cairn_limits limits;                     /* TABLE, MEMORY */
  cairn_valtype global_type;               /* GLOBAL */
  bool global_mutable;                     /* GLOBAL */
  uint32_t index;                          /* its index in the kind's index space */
} cairn_externtype;

CAIRN_API uint32_t cairn_module_import_count(const cairn_module *m);
CAIRN_API void cairn_module_import(const cairn_module *m, uint32_t i, cairn_externtype *out);
CAIRN_API uint32_t cairn_module_export_count(const cairn_module *m);
CAIRN_API void cairn_module_export(const cairn_module *m, uint32_t i, cairn_externtype *out);

/* ---- module details (for tools such as `cairn inspect`) ---------------- */

/* Counts and facts about a module. Strings belong to the module. */
typedef struct cairn_module_info {
  size_t size;                          /* bytes of the binary */
  uint32_t ntypes;
  uint32_t nfuncs, nfunc_imports;       /* index spaces count imports first */
  uint32_t ntables, ntable_imports;
  uint32_t nmemories, nmemory_imports;
  uint32_t nglobals, nglobal_imports;
  uint32_t nimports, nexports;
  uint32_t nelems, ndatas;
  bool has_start;
  uint32_t start;                       /* start function index if has_start */
  bool uses_simd;
  const char *name; size_t name_len;    /* name-section module name, or NULL, 0 */
} cairn_module_info;

CAIRN_API void cairn_module_get_info(const cairn_module *m, cairn_module_info *out);

/* Section number i of the binary, in file order. */
typedef struct cairn_section {
  uint8_t id;                           /* 0 custom, 1 type, ..., 12 data count */
  size_t offset;                        /* of the contents (after id and size) */
  size_t size;                          /* bytes of contents */
  const char *name; size_t name_len;    /* custom sections: their name */
} cairn_section;

CAIRN_API uint32_t cairn_module_section_count(const cairn_module *m);
CAIRN_API bool cairn_module_section(const cairn_module *m, uint32_t i, cairn_section *out);

/* Function / table / memory / global number idx of the module's index space
** (imports first). False if idx is out of range. type->params/results and
** *name belong to the module; *name is NULL when the function has no name in
** the name section. Any out pointer may be NULL. */
CAIRN_API bool cairn_module_func(const cairn_module *m, uint32_t idx, cairn_functype *type,
                                 const char **name, size_t *name_len);
CAIRN_API bool cairn_module_table(const cairn_module *m, uint32_t idx, cairn_valtype *elemtype,
                                  cairn_limits *limits);
CAIRN_API bool cairn_module_memory(const cairn_module *m, uint32_t idx, cairn_limits *limits);
CAIRN_API bool cairn_module_global(const cairn_module *m, uint32_t idx, cairn_valtype *type,
                                   bool *mutable_);

/* Prints the interpreter code of function func (an index of the function
** space; an imported function has none) to out, one internal instruction a
** line: word index, op, operands (sN a frame slot, vN a v128 in slots N and
** N+1, ->N a branch target's word index, +N a memory offset). The function
** is translated first if it has not run yet. A tool for debugging and
** performance work (`cairn inspect --code`); the format follows the engine
** and may change. False with err (CAIRN_ERR_ARG for a bad index,
** CAIRN_ERR_NOMEM) on failure. */
CAIRN_API bool cairn_module_disassemble(const cairn_module *m, uint32_t func, FILE *out,
                                        cairn_error *err);

/* ---- stores and instances ---------------------------------------------- */

typedef struct cairn_store cairn_store;

typedef struct cairn_store_config {
  uint64_t max_memory_pages;   /* cap on any memory's size in 64 KiB pages; 0 = spec limit */
  uint64_t max_table_elems;    /* cap on any table's size; 0 = spec limit (2^32-1) */
  uint64_t fuel;               /* budget of calls and loop iterations (each costs 1; calls of
                               ** small leaves without loops are free); 0 = unlimited */
  uint32_t max_call_depth;     /* Wasm call depth before "call stack exhausted"; 0 = default.
                               ** Native code (cairn compile) for x86-64 and AArch64 is
                               ** bounded by the thread's C stack instead (docs/aot.md) */
  /* Allocator hook for everything the store owns (the store itself,
  ** instances, functions, tables, heap memories, globals, call frames, and
  ** host state charged with cairn_store_malloc such as WASI's); NULL = the
  ** process default (cairn_set_allocator). alloc_ud must outlive every block
  ** so charged (it is passed back when they are freed, which for a WASI
  ** state may be after cairn_store_free). Guarded memories are reserved
  ** with mmap, not through the hook. */
  cairn_alloc_fn alloc;
  void *alloc_ud;
} cairn_store_config;

/* cfg may be NULL for defaults. Free with cairn_store_free. */
CAIRN_API cairn_store *cairn_store_new(const cairn_store_config *cfg);

/* A block from s's allocator hook (s NULL: the default), for host state that
** belongs with the store. Free with cairn_free. */
CAIRN_API void *cairn_store_malloc(cairn_store *s, size_t n);
/* Frees the store and everything it owns (instances, host objects). */
CAIRN_API void cairn_store_free(cairn_store *s);

/* Asks running Wasm code in this store to stop at its next loop head or call
** with CAIRN_TRAP_INTERRUPT. Safe from another thread or a signal handler. */
CAIRN_API void cairn_store_interrupt(cairn_store *s);
/* True while an interrupt is pending: set by cairn_store_interrupt, cleared
** by the trap it causes and by cairn_snapshot_restore. Host functions that
** block (WASI's poll_oneoff, reads, accept...) test it between bounded waits
** and then return a CAIRN_TRAP_INTERRUPT trap, which consumes it too. Safe
** from any thread. */
CAIRN_API bool cairn_store_interrupted(const cairn_store *s);

/* Which store limits refused a request since the store was created or last restored
** from a snapshot: CAIRN_LIMIT_MEMORY (a memory.grow or memory creation hit max_memory_pages),
** CAIRN_LIMIT_TABLE (likewise for tables and max_table_elems). Bit set. */
enum { CAIRN_LIMIT_MEMORY = 1, CAIRN_LIMIT_TABLE = 2 };
CAIRN_API unsigned cairn_store_limits_hit(const cairn_store *s);

/* Instantiates m in s with imports given in the module's import order.
** Checks each import's type (LINK error, message "incompatible import type"
** or "unknown import"), initialises globals, tables and memories in the spec's
** order and runs the start function. On a trap during initialisation returns
** NULL with a TRAP error (effects on imported objects persist, as the spec
** says). The instance is owned by the store. */
CAIRN_API cairn_instance *cairn_instance_new(cairn_store *s, const cairn_module *m,
                                             const cairn_extern *imports, size_t nimports,
                                             cairn_error *err);

/* Looks up an export by name (len bytes). Returns false if absent. */
CAIRN_API bool cairn_instance_export(const cairn_instance *inst, const char *name, size_t len,
                                     cairn_extern *out);

CAIRN_API const cairn_module *cairn_instance_module(const cairn_instance *inst);

/* ---- functions --------------------------------------------------------- */

/* A host function. args has type->nparams values, results type->nresults
** slots to fill (their .type is preset). Return true on success; to trap,
** fill trap (kind CAIRN_ERR_TRAP, trap CAIRN_TRAP_HOST or EXIT, msg) and
** return false. */
typedef bool (*cairn_host_fn)(void *env, const cairn_val *args, cairn_val *results,
                              cairn_error *trap);

/* Creates a host function owned by s; the type is copied. */
CAIRN_API cairn_func *cairn_func_new(cairn_store *s, const cairn_functype *type,
                                     cairn_host_fn fn, void *env);

/* The type of f (owned by f). */
CAIRN_API const cairn_functype *cairn_func_type(const cairn_func *f);

/* Calls f with nargs arguments, writing nresults results. Argument types must
** match (ARG error otherwise). On a trap returns false with a TRAP (or
** EXHAUSTION) error including a backtrace. */
CAIRN_API bool cairn_func_call(cairn_func *f, const cairn_val *args, size_t nargs,
                               cairn_val *results, size_t nresults, cairn_error *err);

/* ---- tables, memories, globals ----------------------------------------- */

/* Host-created objects, owned by s (for imports such as the spectest module). */
CAIRN_API cairn_table *cairn_table_new(cairn_store *s, cairn_valtype elemtype,
                                       cairn_limits limits, cairn_val init, cairn_error *err);
CAIRN_API cairn_memory *cairn_memory_new(cairn_store *s, cairn_limits limits, cairn_error *err);
CAIRN_API cairn_global *cairn_global_new(cairn_store *s, cairn_val val, bool mutable_,
                                         cairn_error *err);

CAIRN_API uint64_t cairn_table_size(const cairn_table *t);
CAIRN_API bool cairn_table_get(const cairn_table *t, uint64_t i, cairn_val *out);
CAIRN_API bool cairn_table_set(cairn_table *t, uint64_t i, cairn_val v);
/* Grows by delta elements set to init (of the table's element type); returns
** the old size, or -1 if the maximum (or the store's cap) refuses it, init
** has the wrong type, or memory runs out. */
CAIRN_API int64_t cairn_table_grow(cairn_table *t, uint64_t delta, cairn_val init);
/* The table's current type: element type, limits with min = current size. */
CAIRN_API void cairn_table_type(const cairn_table *t, cairn_valtype *elemtype,
                                cairn_limits *limits);

CAIRN_API uint64_t cairn_memory_pages(const cairn_memory *m);
/* Base of the linear memory (valid until the next grow) and its byte size. */
CAIRN_API uint8_t *cairn_memory_data(cairn_memory *m);
CAIRN_API uint64_t cairn_memory_size(const cairn_memory *m);
/* Grows by delta pages; returns the old size in pages or -1 on failure. */
CAIRN_API int64_t cairn_memory_grow(cairn_memory *m, uint64_t delta);
/* The memory's current type: limits in pages, min = current size. */
CAIRN_API void cairn_memory_type(const cairn_memory *m, cairn_limits *limits);

CAIRN_API cairn_val cairn_global_get(const cairn_global *g);
/* false if immutable or wrong type */
CAIRN_API bool cairn_global_set(cairn_global *g, cairn_val v);
/* The global's type; either out pointer may be NULL. */
CAIRN_API void cairn_global_type(const cairn_global *g, cairn_valtype *type, bool *mutable_);

/* ---- files ------------------------------------------------------------- */

/* Reads a whole file. *out is the caller's (free with cairn_free) and has a
** NUL byte one past *len, so text can be used as a C string. Returns false
** with an IO error naming the file. */
CAIRN_API bool cairn_read_file(const char *path, uint8_t **out, size_t *len, cairn_error *err);

/* ---- text format ------------------------------------------------------- */

/* Converts a text module to binary. *out is the caller's (free with cairn_free). */
CAIRN_API bool cairn_wat_to_wasm(const char *src, size_t len, uint8_t **out, size_t *out_len,
                                 cairn_error *err);

/* ---- instance snapshots (copy-on-write images; runtime/snapshot.c) ------
** For hosts that need a fresh instance per request (the serverless node):
** instantiate once, capture, then after each use restore in bulk instead of
** instantiating again. Restoring makes the instance indistinguishable from a
** new instantiation of the same module with the same imports: every memory,
** table and global the instance defines (not imported ones) and its dropped
** segments return to their captured state (memories and tables grown since
** are shrunk back, their extra pages and elements freed); the store's fuel is
** refilled to its configured budget, a pending interrupt is cleared and its
** limit flags (cairn_store_limits_hit) are reset. */

typedef struct cairn_snapshot cairn_snapshot;

/* Captures inst's current state (typically right after cairn_instance_new).
** Each defined memory's bytes go into an anonymous memory file (all-zero
** pages left as holes) which the live memory is then mapped from, privately
** (copy-on-write). The snapshot refers to inst: free it before the store.
** Free with cairn_snapshot_free. */
CAIRN_API cairn_snapshot *cairn_snapshot_new(cairn_instance *inst, cairn_error *err);

/* Puts the snapshot's instance back into the captured state. Must not be
** called while that instance's code runs. NOMEM error if a mapping fails. */
CAIRN_API bool cairn_snapshot_restore(cairn_snapshot *snap, cairn_error *err);

/* Bytes of memory image the snapshot holds (its non-zero pages). */
CAIRN_API size_t cairn_snapshot_image_bytes(const cairn_snapshot *snap);

CAIRN_API void cairn_snapshot_free(cairn_snapshot *snap);

/* Sets the store's fuel budget (0 = unlimited) and refills it now. */
CAIRN_API void cairn_store_set_fuel(cairn_store *s, uint64_t fuel);
/* Fuel left (0 if unlimited or exhausted). */
CAIRN_API uint64_t cairn_store_fuel_left(const cairn_store *s);

/* ---- native tier (ahead-of-time compilation) ----------------------------
** cairn_compile turns a module into native code: it emits C for it, runs
** the system C compiler (or a cross compiler) and packs the resulting shared
** object with the module into a .cwasm. A .cwasm is native code: loading one
** is as trusted as running a native binary. Its header (checked on load)
** records the module's SHA-256, the native code ABI version, the target and
** the compile options; a .cwasm for another target or ABI, or a truncated
** or altered one, is refused and never executed. */

typedef struct cairn_compile_options {
  const char *target;     /* target triple (cairn_host_target() if NULL) */
  const char *cc;         /* C compiler; NULL: "gcc" for the host, "TRIPLE-gcc" otherwise */
  int opt_level;          /* 0..3 */
  bool cpu_native;        /* -march=native (host target only) */
  bool bounds_checks;     /* explicit bounds checks (always on for 32-bit targets) */
  const char *keep_c_dir; /* keep the generated C there (NULL: a temporary folder) */
  int jobs;               /* compiler processes at once (0: one per online CPU) */
} cairn_compile_options;

/* Defaults: host target, gcc, -O2, generic CPU, guard pages, one job per CPU. */
CAIRN_API void cairn_compile_options_init(cairn_compile_options *o);

/* Compiles wasm (validated first: the same error as cairn_module_validate)
** into a .cwasm in *out (free with cairn_free). A compiler failure keeps
** the generated C and names its folder in the error (kind IO). */
CAIRN_API bool cairn_compile(const uint8_t *wasm, size_t len, const cairn_compile_options *o,
                             uint8_t **out, size_t *outLen, cairn_error *err);

/* True if bytes start like a .cwasm (nothing else checked). */
CAIRN_API bool cairn_is_cwasm(const uint8_t *bytes, size_t len);

/* What a .cwasm's header says (after its checks). */
typedef struct cairn_cwasm_info {
  uint32_t abi;
  char target[32];
  char options[128];
  uint8_t module_sha256[32];
  const uint8_t *wasm;    /* the module's binary, inside the given bytes */
  size_t wasm_bytes, code_bytes;
} cairn_cwasm_info;
CAIRN_API bool cairn_cwasm_info_get(const uint8_t *bytes, size_t len, cairn_cwasm_info *out,
                                    cairn_error *err);

/* Loads a .cwasm: checks its header and hashes, maps its code, and returns
** a module whose functions run as native code. The module inside is not
** validated again (it was when compiled; a .cwasm is trusted as native code,
** docs/aot.md). Refused (kind MALFORMED for a damaged file or an older
** format, LINK for another target or ABI) before any of its code runs. Free
** with cairn_module_free. */
CAIRN_API cairn_module *cairn_module_from_cwasm(const uint8_t *bytes, size_t len,
                                                cairn_error *err);

/* cairn_module_from_file that also accepts a .cwasm (by its header; loaded
** as cairn_module_from_cwasm does). For hosts that run whatever module file
** their operator names, native code included. */
CAIRN_API cairn_module *cairn_module_from_file_or_cwasm(const char *path, cairn_error *err);

/* The module compiled through a cache folder (dir, or $XDG_CACHE_HOME/cairn,
** or ~/.cache/cairn when NULL): a .cwasm keyed by module hash, ABI, target
** and options is loaded if present, else compiled and stored by atomic
** rename. The folder is created 0700 and must belong to the caller. *hit
** (may be NULL) tells whether the cache had it. A cache that cannot be
** written costs a compile, never a failure. */
CAIRN_API cairn_module *cairn_module_compile_cached(const uint8_t *wasm, size_t len,
                                                    const cairn_compile_options *o,
                                                    const char *dir, bool *hit,
                                                    cairn_error *err);

/* cairn_module_compile_cached for a module file: a .wasm or .wat is
** compiled through the cache; a .cwasm is loaded as it is (*hit true). */
CAIRN_API cairn_module *cairn_module_compile_file_cached(const char *path,
                                                         const cairn_compile_options *o,
                                                         const char *dir, bool *hit,
                                                         cairn_error *err);

/* "interp" or "native": the tier running the module's functions. */
CAIRN_API const char *cairn_module_tier(const cairn_module *m);

/* The triple this build of Cairn runs on, e.g. "x86_64-linux-gnu". */
CAIRN_API const char *cairn_host_target(void);

#ifdef __cplusplus
}
#endif
#endif
