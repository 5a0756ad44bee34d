/*
** module.h: the decoded module, shared inside the engine.
**
** The decoder (decode/) fills a Module from bytes; the validator (validate/)
** checks it; the compiler (interp/) adds translated code; the runtime
** (runtime/) instantiates it. Once validated a Module is immutable and may be
** shared by many instances and threads. Services never see this header: they
** use include/cairn/cairn.h.
**
** Index spaces (functions, tables, memories, globals) put imports first, as
** the spec does: aFunc[0 .. nFuncImport-1] are the imported functions.
** All strings point into the module's own copy of the bytes (aBytes) and are
** not NUL-terminated. Everything is freed by module_free().
*/
#ifndef CAIRN_MODULE_H
#define CAIRN_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "cairn/cairn.h"
#include "engine/opcodes.h"

/* Value types use the binary encoding: 0x7F i32, 0x7E i64, 0x7D f32, 0x7C f64,
** 0x7B v128, 0x70 funcref, 0x6F externref (same numbers as cairn_valtype). */
typedef uint8_t ValType;

#define VT_I32 0x7F
#define VT_I64 0x7E
#define VT_F32 0x7D
#define VT_F64 0x7C
#define VT_V128 0x7B
#define VT_FUNCREF 0x70
#define VT_EXTERNREF 0x6F

static inline bool vt_is_ref(ValType t) { return t == VT_FUNCREF || t == VT_EXTERNREF; }

typedef struct Name {
  const char *z;  /* into Module.aBytes (or owned by a Module built in memory) */
  uint32_t n;
} Name;

typedef struct FuncType {
  uint32_t nParam, nResult;
  ValType *aType;   /* nParam params then nResult results; owned by the module */
  /* The same types as cairn_valtype arrays, for the public API (owned too). */
  cairn_valtype *aPublic;
} FuncType;

typedef struct Limits {
  uint64_t min, max;
  bool hasMax;
} Limits;

typedef struct TableType {
  ValType elem;   /* VT_FUNCREF or VT_EXTERNREF */
  Limits lim;
} TableType;

typedef struct MemType {
  Limits lim;     /* in 64 KiB pages */
  bool is64;      /* memory64 (not in Wasm 2.0; always false for now) */
  bool shared;    /* threads (not in Wasm 2.0; always false for now) */
} MemType;

typedef struct GlobalType {
  ValType type;
  bool mut;
} GlobalType;

/* A constant expression, kept as its raw bytes including the final 0x0B
** end; validated by validate/, evaluated at instantiation by runtime/. */
typedef struct ConstExpr {
  const uint8_t *p;   /* first instruction byte, into aBytes */
  uint32_t n;         /* byte length including the terminating 0x0B */
  uint32_t offset;    /* offset of p in the module bytes, for errors */
} ConstExpr;

typedef struct Import {
  Name module, name;
  cairn_externkind kind;
  union {
    uint32_t typeIdx;   /* FUNC: index into aType */
    TableType table;
    MemType mem;
    GlobalType global;
  } u;
} Import;

typedef struct Export {
  Name name;
  cairn_externkind kind;
  uint32_t idx;         /* index in the kind's index space */
} Export;

typedef struct Global {
  GlobalType type;
  ConstExpr init;       /* unused for imported globals */
} Global;

/* Implementation limit on declared locals per function (V8 and wasmtime
** use the same figure); the spec's own limit is 2^32-1. */
#define MODULE_MAX_FUNC_LOCALS 50000

typedef struct Local {
  uint32_t count;
  ValType type;
} Local;

/* A function: imported (no body) or defined. */
typedef struct Func {
  uint32_t typeIdx;
  bool imported;
  /* defined functions only: */
  uint32_t nLocalGroup;  /* run-length groups as in the binary */
  Local *aLocalGroup;
  uint32_t nLocal;       /* total declared locals (not counting params) */
  const uint8_t *pBody;  /* first instruction byte (after the locals), into aBytes */
  uint32_t nBody;        /* bytes up to and including the final 0x0B end */
  uint32_t bodyOffset;   /* offset of pBody in the module bytes */
  uint32_t entryOffset;  /* offset of the code entry's contents (its locals) */
  Name name;             /* from the name section, n == 0 if none */
  void *pCode;           /* translated code (interp/), owned by the module */
} Func;

typedef enum SegMode {
  SEG_ACTIVE,
  SEG_PASSIVE,
  SEG_DECLARATIVE       /* elements only */
} SegMode;

typedef struct Elem {
  SegMode mode;
  ValType type;          /* VT_FUNCREF or VT_EXTERNREF */
  uint32_t tableIdx;     /* active only */
  ConstExpr offset;      /* active only */
  uint32_t nInit;
  /* Either a list of function indices (the elemkind encodings 0..3) or a
  ** list of constant expressions (encodings 4..7): exactly one is non-NULL
  ** (or both NULL when nInit == 0). */
  uint32_t *aFuncIdx;
  ConstExpr *aInit;
} Elem;

typedef struct Data {
  SegMode mode;          /* SEG_ACTIVE or SEG_PASSIVE */
  uint32_t memIdx;
  ConstExpr offset;      /* active only */
  const uint8_t *p;      /* into aBytes */
  uint32_t n;
} Data;

/* The public cairn_module is this struct (cairn.h keeps it opaque). */
typedef struct cairn_module {
  uint8_t *aBytes;       /* owned copy of the binary */
  size_t nBytes;

  uint32_t nType;
  FuncType *aType;

  uint32_t nImport;
  Import *aImport;

  uint32_t nFunc, nFuncImport;
  Func *aFunc;

  uint32_t nTable, nTableImport;
  TableType *aTable;

  uint32_t nMem, nMemImport;
  MemType *aMem;

  uint32_t nGlobal, nGlobalImport;
  Global *aGlobal;

  uint32_t nExport;
  Export *aExport;

  bool hasStart;
  uint32_t startIdx;

  uint32_t nElem;
  Elem *aElem;

  uint32_t nData;
  Data *aData;
  bool hasDataCount;
  uint32_t dataCount;

  Name name;             /* module name from the name section, if any */

  /* Set by the validator: functions referenced outside function bodies
  ** (exports, element segments, global initialisers) - the set `ref.func`
  ** may name inside bodies. One flag per function index. */
  bool *aFuncDeclared;

  bool usesSimd;         /* any v128 type or SIMD instruction (for inspect) */

  /* The tier that runs this module's functions (runtime.h), set when the
  ** module is compiled: the interpreter by cairn_module_new, the native
  ** tier when a .cwasm is loaded; pTier is that tier's module-wide code. */
  const struct RtTier *tier;
  void *pTier;
} Module;

/* ---- decode/: one instruction reader for every pass ----
** decode_instr is the single place that knows immediate encodings; the
** decoder's well-formedness pass, the validator and the interpreter's
** translator all walk code with it. */
typedef enum BlockTypeKind { BT_EMPTY, BT_VAL, BT_TYPE } BlockTypeKind;

typedef struct Instr {
  WasmOp op;
  uint32_t len;          /* bytes of the whole instruction, opcode included */
  /* immediates, by ImmKind (opinfo_table[op].imm): */
  BlockTypeKind btKind;  /* BLOCKTYPE */
  ValType btVal;         /* BLOCKTYPE when BT_VAL */
  uint32_t a;            /* LABEL, FUNC, LOCAL, GLOBAL, TABLE, DATA, ELEM: the index;
                         ** CALL_INDIRECT: type index; MEMARG: align (log2);
                         ** BLOCKTYPE when BT_TYPE: type index; ELEM_TABLE: elem index;
                         ** DATA_MEM: data index; TABLE_TABLE: dst table;
                         ** BR_TABLE: number of labels (without the default);
                         ** SELECT_T: number of types; REFTYPE: the type byte;
                         ** LANE / MEMARG_LANE: the lane */
  uint32_t b;            /* CALL_INDIRECT: table index; ELEM_TABLE: table index;
                         ** TABLE_TABLE: src table; BR_TABLE: default label;
                         ** MEMIDX / MEM_MEM / DATA_MEM: memory index */
  uint64_t offset;       /* MEMARG / MEMARG_LANE: the offset */
  uint64_t bits;         /* I32 (sign-extended to 64), I64, F32 (low 32), F64 */
  const uint8_t *pVec;   /* BR_TABLE: first label LEB; SELECT_T: first type byte;
                         ** V128 / SHUFFLE: the 16 bytes */
} Instr;

/* Reads the instruction at p (p < end). Returns true and fills *out; on a
** malformed encoding returns false with a MALFORMED error whose offset is
** (p - base) + the fault's position (base: start of the module bytes). */
bool decode_instr(const uint8_t *p, const uint8_t *end, const uint8_t *base, Instr *out,
                  cairn_error *err);

/* Reads label k (0-based, k <= nLabels: k == nLabels is the default) of a
** BR_TABLE instruction already accepted by decode_instr. */
uint32_t decode_br_table_label(const Instr *in, uint32_t k);

/* Whether defined function f runs a bounded number of instructions in a
** small frame: no loop, no call of any kind, at most MODULE_BOUNDED_BODY
** bytes of code and MODULE_BOUNDED_SLOTS params and locals (a body that
** does not decode is not). Neither tier checks limits at such a function's
** entry: fuel charges nothing for it and an interrupt waits for its
** caller's next check, as for a block of straight-line code in any
** function; native code makes no stack check there either, its frame
** fitting in the margin kept below the checked limit. Both tiers ask this
** one function, so fuel counts the same in both. (module_bounded.c) */
#define MODULE_BOUNDED_BODY 1024
#define MODULE_BOUNDED_SLOTS 64
bool module_func_bounded(const Module *m, uint32_t f);

/* ---- decode/ ---- */
/* Decodes bytes (copied) into a new Module. Returns NULL with a MALFORMED error
** (message as in the spec's assert_malformed, offset of the fault) on bad
** input, NOMEM on allocation failure. Every code body is checked to be a
** well-formed instruction sequence here (known opcodes, immediates, zero
** bytes, balanced blocks ending at the body's end), so that a malformed body
** is always reported as malformed, before any validation. Free with
** module_free. */
Module *decode_module(const uint8_t *bytes, size_t len, cairn_error *err);

/* decode_module does not walk code bodies: it records their ranges, and the
** validator, which reads every instruction anyway, rejects a malformed one.
** A malformed body must still win over every validation error, and over any
** later decoding error: whoever is about to report an error calls this
** first. It walks the bodies of functions from..nFunc-1 (module function
** indices; imported ones skipped) as the decoder would have, then checks
** "data count section required"; if one of them is malformed it overwrites
** *err with that MALFORMED error and returns true. Returns false (err
** untouched) if they are all well-formed. */
bool decode_check_bodies(const Module *m, uint32_t from, cairn_error *err);

/* ---- validate/ ---- */
/* Validates a decoded m per the spec. Returns false with an INVALID error
** (message as in assert_invalid, offset of the offending instruction) if not
** valid. Fills m->aFuncDeclared. */
bool validate_module(Module *m, cairn_error *err);

/* ---- interp/ ---- */
/* Prepares a validated module for the interpreter (functions are
** translated lazily, on first call, into Func.pCode) and sets m->tier.
** Returns false with NOMEM (or an internal limit error). */
bool interp_compile_module(Module *m, cairn_error *err);

/* Frees m and everything it owns. NULL is allowed. */
void module_free(Module *m);

/* The function type of function index f. */
static inline const FuncType *module_func_type(const Module *m, uint32_t f) {
  return &m->aType[m->aFunc[f].typeIdx];
}

#endif
