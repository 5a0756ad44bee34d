/*
** emit_int.h: the emitter's private parts, shared by emit.c (module, units,
** descriptor, thunks), emit_func.c (function bodies, control flow, calls,
** variables), emit_ops.c (numeric, memory, table ops) and emit_simd.c.
**
** The emitted C keeps Wasm's operand stack as C variables named by depth
** and kind (s<depth><kind>: kind i i32, l i64, f f32, d f64, v v128, r a
** reference), so the value at depth d is always in the same variable: a
** block's results are where its branches and its fallthrough both leave
** them, and a branch only moves values when it leaves a deeper stack.
** Locals are l<index> (parameters included). The C compiler turns all of
** them into SSA values, so the copies cost nothing at -O1 and up.
**
** It may not touch: the module (read only), the runtime.
*/
#ifndef CAIRN_AOT_EMIT_INT_H
#define CAIRN_AOT_EMIT_INT_H

#include "engine/aot/aot.h"

/* A control frame of the function being emitted. */
typedef enum EmitCtlKind { EC_FUNC, EC_BLOCK, EC_LOOP, EC_IF } EmitCtlKind;

typedef struct EmitCtl {
  uint8_t kind;
  bool live;             /* entered while reachable (else nothing is emitted inside) */
  bool hasElse;
  bool endUsed;          /* some branch goes to the end label */
  bool versioned;        /* a loop with a fast copy that jumps to V<id> at its end */
  uint32_t id;           /* labels B<id> (end), L<id> (loop head), E<id> (else) */
  uint32_t height;       /* stack depth below the block's parameters */
  uint32_t nParam, nResult;
  const ValType *aParam, *aResult;
  ValType one;           /* the single result of a BT_VAL block (aResult points here) */
} EmitCtl;

/* A value on the operand stack: in its stack variable, or not written yet
** because it is a local's value (until that local changes) or a constant
** (the consumer reads the local or the constant itself, which keeps the C
** short; emit_materialize writes it to the variable where one is needed). */
typedef enum EmitValKind { EV_VAR, EV_LOCAL, EV_CONST } EmitValKind;

typedef struct EmitVal {
  uint8_t kind;
  uint32_t local;        /* EV_LOCAL */
  uint64_t bits;         /* EV_CONST (f32 bits in the low half) */
  const uint8_t *pVec;   /* EV_CONST v128: its 16 bytes, into the module */
} EmitVal;

/* Longest operand text (a v128 constant) plus room */
#define EMIT_NAME 80

/* Variable kinds (the suffix letter of stack variables) */
enum { EK_I32, EK_I64, EK_F32, EK_F64, EK_V128, EK_REF, EK_COUNT };

/* The analysis of a loop being copied (emit_loop.c). */
typedef struct EmitLoopPlan EmitLoopPlan;

typedef struct Emit {
  const Module *m;
  const AotEmitOpts *o;
  bool oom;
  /* the unit being emitted */
  uint8_t *aRef;         /* per function index: called directly from this unit */
  uint8_t *aCallType;    /* per type index: called through a cairn_aot_func in this unit */
  /* the module */
  uint8_t *aGlobalLocal; /* per global: its value lives in a C local g<idx> (emit_globals.c) */
  uint8_t *aRecursive;   /* per function index: on a cycle of direct calls (CAIRN_ENTER_R) */
  /* per table, type and global: fidx + 1 when the function being emitted
  ** declared its entry local t<idx>, ty<idx> or g<idx> (no reset per function) */
  uint32_t *aTableSeen, *aTypeSeen, *aGlobalSeen;
  /* per table and type: how the current function's call_indirects read it
  ** (emit_globals_decl): EMIT_AT_SITE (one site, outside any loop: read
  ** there, on the path that uses it) or else an entry local */
  uint8_t *aTableUse, *aTypeUse;
  /* the mutable globals in C locals that the function uses (reloaded after calls) */
  uint32_t *aFnGlobal, nFnGlobal, nFnGlobalAlloc;
  /* the function being emitted */
  uint32_t fidx;
  const FuncType *ft;
  Buf body;              /* its statements */
  Buf decl;              /* extra declarations (temporaries of if-with-params) */
  uint32_t nLocal;       /* params + declared locals */
  ValType *aLocType;
  ValType *aStk;         /* operand stack types */
  EmitVal *aVal;         /* where each stack value is */
  uint32_t nStk, nStkAlloc;
  uint32_t aMaxDepth[EK_COUNT]; /* stack variables s0..s<max-1> to declare, per kind */
  EmitCtl *aCtl;
  uint32_t nCtl, nCtlAlloc;
  uint32_t nextId;
  bool unreach;          /* after br, return, unreachable: skip to the block's end */
  /* the last statement "  s<d><k> = expr;" (emit_result): local.set right
  ** after it renames its destination instead of copying */
  size_t lastStart, lastEnd;
  uint32_t lastDepth;
  /* emitting a loop's fast copy (emit_loop.c): its plan, the next access */
  const EmitLoopPlan *lv;
  uint32_t lvAccess;
  bool lvSpec;           /* its speculative look-ahead: exits only set lvx_ */
  /* variable names for the current statement (a small ring, see emit_var) */
  char aName[8][EMIT_NAME];
  uint32_t iName;
} Emit;

/* ---- output (emit.c) ---- */
void emit_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void emit_str(Buf *b, const char *z);
/* The C type of a value type ("uint32_t", "float", "cairn_v128", "void *"). */
const char *emit_ctype(ValType t);
int emit_kind(ValType t);
/* Slots a value takes in a uint64_t slot array (v128: 2). */
uint32_t emit_slots(ValType t);
/* Writes `expr` converting slot expression z (an lvalue uint64_t, e.g.
** "r_[2]") to a value of t; and the statement storing value v into it. */
void emit_from_slot(Buf *b, ValType t, const char *zSlot);
void emit_to_slot(Buf *b, ValType t, const char *zSlot, const char *zVal);
/* The C prototype's parameter list "(cairn_aot_ctx *ctx, uint32_t l0, ...)"
** and return type of a function type. */
void emit_proto(Buf *b, const FuncType *ft, const char *zName, bool names);

/* ---- the operand stack (emit_func.c) ---- */
/* The C operand for the value at depth d: its variable, local or constant
** (valid for the next few calls: copy it to keep it). */
const char *emit_var(Emit *e, uint32_t d);
/* The same for the k-th value from the top (0 = top). */
const char *emit_top(Emit *e, uint32_t k);
/* Pushes a value of type t that the caller writes to its variable. */
void emit_push(Emit *e, ValType t);
/* Pushes a local's value or a constant without writing anything. */
void emit_push_local(Emit *e, ValType t, uint32_t x);
void emit_push_const(Emit *e, ValType t, uint64_t bits, const uint8_t *pVec);
/* Writes the value at depth d to its variable if it is not there. */
void emit_materialize(Emit *e, uint32_t d);
void emit_pop(Emit *e, uint32_t n);
/* Pushes a t and starts the statement computing it ("  s3i = "); the
** caller writes the expression and emit_result_end the ";\n". */
void emit_result(Emit *e, ValType t);
void emit_result_end(Emit *e);
/* Statements after anything that may move a memory or change its size. */
void emit_reload_mems(Emit *e);
/* Statements after a call of Wasm code (which may change any of them):
** memory bases where they move, globals kept in C locals. */
void emit_after_call(Emit *e);
/* Marks the rest of the block unreachable. */
void emit_set_unreach(Emit *e);

/* ---- instructions (emit_ops.c, emit_simd.c) ---- */
/* Each returns true if it handled in (the stack updated, code emitted). */
bool emit_numeric(Emit *e, const Instr *in);
bool emit_memory(Emit *e, const Instr *in);
bool emit_table(Emit *e, const Instr *in);
bool emit_simd(Emit *e, const Instr *in);
/* The bytes a scalar load or store op accesses and the C type it reads or
** writes them as ("uint8_t" for i32.store8); 0 for other ops. */
uint32_t emit_mem_access(WasmOp op, const char **pzType);
/* Whether numeric instruction op is emitted as an expression that cannot
** trap (no call that takes ctx): division and trapping conversions are not. */
bool emit_numeric_pure(WasmOp op);
/* Emits "dst = expansion;" of template zT ($0.. the operands, bottom first)
** for an instruction with a fixed signature (opinfo letters). */
void emit_template(Emit *e, WasmOp op, const char *zT);
ValType emit_letter_type(char c);
/* The address expression of a memory access of n bytes at the i32 address
** on top (popped): "m0 + ((uint64_t)s3i + 16u)", with the bounds check
** emitted before it in checked mode. Written into zOut. */
void emit_address(Emit *e, const Instr *in, uint32_t n, char *zOut, size_t nOut);

/* The load of a zType at zAddr: one the C compiler keeps even when its
** value is unused, unless the access was checked explicitly. */
void emit_load_expr(Emit *e, const char *zType, const char *zAddr, char *zOut, size_t nOut);

/* ---- entry locals and globals (emit_globals.c) ---- */
/* Per module: which globals live in C locals (e->aGlobalLocal). */
bool emit_globals_init(Emit *e);
/* The table object of `table` / the store-wide id of `type` for a
** call_indirect of the current function: the entry local "t<table>" /
** "ty<type>", declared on first use, or for a table or type that the
** function's only call_indirect of it reads outside any loop,
** "ctx->tables[table]" / "ctx->type_ids[type]" read there. */
#define EMIT_AT_SITE 1
const char *emit_table_local(Emit *e, uint32_t table, char *z, size_t n);
const char *emit_type_local(Emit *e, uint32_t type, char *z, size_t n);
/* global.get / global.set of global g. */
void emit_global_get(Emit *e, uint32_t g);
void emit_global_set(Emit *e, uint32_t g);
/* The declarations of the globals function fidx uses (a scan of its body),
** into out, before its body is emitted. */
bool emit_globals_decl(Emit *e, uint32_t fidx, Buf *out);
/* Reloads of the globals kept in locals that a call may change. */
void emit_globals_reload(Emit *e);
/* ---- loops (emit_loop.c) ---- */
/* At the head of live loop c whose body starts at p: emits an entry check
** and a fast copy of the loop, if the loop can be versioned; true if the
** copy jumps to V<id> (the loop's end) when done, which the caller then
** emits there. */
bool emit_loop_version(Emit *e, EmitCtl *c, const uint8_t *p, const uint8_t *end);
/* In the fast copy: the address of the next memory access (its operand is
** already popped). */
void emit_loop_address(Emit *e, char *zOut, size_t nOut);
/* In its look-ahead (e->lvSpec): a br_if out of the loop on zCond. */
void emit_loop_spec_exit(Emit *e, const char *zCond);

/* ---- read-modify-write (emit_rmw.c) ---- */
/* At load ld, with *pp just after it: emits ld and the instructions up to a
** store of the loaded location as one CAIRN_RMW when they have that shape,
** advancing *pp past the store; false (nothing emitted) otherwise. */
bool emit_rmw(Emit *e, const Instr *ld, const uint8_t **pp, const uint8_t *end);

/* ---- shift then mask (emit_shiftmask.c) ---- */
/* At shr_u in by a constant, with *pp just after it: emits it and a
** following `const M; and` that keeps the shifted bits minus the k lowest
** as one shift right and one shift left by k, advancing *pp past the and;
** false (nothing emitted) otherwise. */
bool emit_shift_mask(Emit *e, const Instr *in, const uint8_t **pp, const uint8_t *end);

/* ---- cycles of direct calls (emit_cycles.c) ---- */
/* Sets e->aRecursive: the defined functions that lie on a cycle of direct
** calls (calling themselves, or through others). False when out of memory. */
bool emit_find_recursive(Emit *e);

/* ---- functions (emit_func.c) ---- */
/* Decodes the instruction at *pp (a validated body) into in and steps past
** it; false at end. For the look-ahead of the peepholes and loop analysis. */
bool emit_next_instr(const Emit *e, const uint8_t **pp, const uint8_t *end, Instr *in);
/* One reachable instruction that is not a block, loop, if, else or end. */
void emit_instruction(Emit *e, const Instr *in);
/* Emits the definition of defined function fidx into out. */
bool emit_function(Emit *e, uint32_t fidx, Buf *out);

#endif
