/*
** interp.h: private interface of the interpreter tier (translate.c; exec.c
** with its handler families exec_control.h, exec_memory.h, exec_numeric.h,
** exec_fused.h and exec_simd.h; bulk.c; code.c, the disassembler and
** verifier; SIMD semantics in simd.h). Nothing outside interp/ includes it;
** the runtime sees the tier through interp_compile_module (module.h) and
** the tier table interp_tier (runtime.h).
**
** ---- Code layout ----
** translate.c turns each defined function, once, into an InterpCode: a
** header and an array of 32-bit words. An instruction is one op word
** followed by its operand words:
**
**     [op] [operand] [operand] ...
**
** The op word is, with computed goto, the handler's address as a byte
** offset from a base label inside the executor (so code stays 32-bit and is
** direct-threaded: dispatch is one load, one add, one indirect jump); with
** CAIRN_SWITCH_DISPATCH it is the IOP_* number below. interp_op_word()
** gives the word for an op; code is only valid in the process that made it.
**
** Each op's operands are declared in the format table (INTERP_OP_TABLE,
** below): the op's layout names its fields and their kinds (IKind):
**   SLOT   a frame slot index: the function's frame is an array of Slots,
**      fp[0 .. nParam)         parameters (then results on return),
**      fp[nParam .. nLocal0)   declared locals (zeroed on entry),
**      fp[nLocal0 .. frameSize) the operand stack, one slot per height;
**      so "i32.add" becomes  I32_ADD dst, a, b  with fp[dst] = fp[a] + fp[b].
**      A v128 takes two consecutive slots (low half first) wherever it is
**      (params, locals, stack, results); its operand (VSLOT) is the first.
**      All counts (nParam, nLocal, heights, arities) are in slots.
**   I32, I64, OFF, ...  immediates (a 64-bit one in two words, low first)
**   TARGET a branch target: signed word distance from this operand word to
**      the target instruction (pc-relative, so no code base register)
** The translator emits and patches instructions through the table's
** emitters and field offsets (tr_emit_<LAYOUT>, IOFF); code.c prints and
** verifies code with it; exec.c's handler table is generated from it.
** BR_TABLE is variable length: idx, n, then n+1 targets (the last is the
** default). A branch carrying values has had MOV/CONST copies emitted in
** front of it (or in a stub for br_table / br_if) that put the values in
** the target label's slots, so branches themselves never move values.
**
** Calls: CALL f, base. The arguments are in fp[base ..]; the callee's
** frame starts there (its params are the caller's argument slots, as in
** Lua), and it leaves its results at its fp[0 ..] = caller fp[base ..].
** Wasm-to-Wasm calls do not recurse in C: exec.c keeps a frame stack.
*/
#ifndef CAIRN_INTERP_H
#define CAIRN_INTERP_H

#include <stdio.h>

#include "engine/runtime/runtime.h"

/* The translated code of one function (Func.pCode). Owned by the module. */
typedef struct InterpCode {
  uint32_t nParam, nResult;   /* slots of params and results */
  uint32_t nLocal;            /* slots zeroed on entry, right after the params: the
                              ** locals that may be read before written */
  uint32_t frameSize;         /* slots: params + locals + max operand stack */
  uint32_t funcIdx;           /* index in the module's function space */
  bool bounded;               /* module_func_bounded: no limits check at entry */
  char *zName;                /* NUL-terminated name-section name or NULL; owned */
  uint32_t nMap;              /* entries of the offset map aMap */
  const uint32_t *aMap;       /* nMap pairs (word index, module offset), ascending */
  uint32_t nCode;
  uint32_t aCode[];           /* nCode words, then aMap's 2 * nMap words */
} InterpCode;

/* The offset map: for each instruction that can trap or call
** (interp_op_locates), the index of its op word and the offset in the
** module's bytes of the Wasm instruction it comes from. A fused instruction
** that took in a trapping one (F64_ADD_M took in an f64.load, F64_MAC its
** two loads and the store) has the offset of the first trapping Wasm
** instruction of the group. Built by the translator, read only when a
** trap's backtrace is made (interp_code_offset). */

/* Numeric instructions that map 1:1 onto a handler: unary (dst, src) and
** binary (dst, a, b). Named as the Wasm op (OP_<name>) so translate.c maps
** them by name. */
#define INTERP_UNOPS(X)                                                              \
  X(I32_EQZ) X(I64_EQZ) X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I64_CLZ) X(I64_CTZ)      \
  X(I64_POPCNT) X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC)           \
  X(F32_NEAREST) X(F32_SQRT) X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR)           \
  X(F64_TRUNC) X(F64_NEAREST) X(F64_SQRT) X(I32_WRAP_I64) X(I32_TRUNC_F32_S)          \
  X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) X(I32_TRUNC_F64_U) X(I64_EXTEND_I32_S)        \
  X(I64_EXTEND_I32_U) X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S)        \
  X(I64_TRUNC_F64_U) X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S)   \
  X(F32_CONVERT_I64_U) X(F32_DEMOTE_F64) X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U)    \
  X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U) X(F64_PROMOTE_F32) X(I32_EXTEND8_S)       \
  X(I32_EXTEND16_S) X(I64_EXTEND8_S) X(I64_EXTEND16_S) X(I64_EXTEND32_S)              \
  X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S)                \
  X(I32_TRUNC_SAT_F64_U) X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U)                \
  X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U)

#define INTERP_BINOPS(X)                                                             \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) X(I32_LE_S)     \
  X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U)     \
  X(I64_GT_S) X(I64_GT_U) X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U) X(F32_EQ)   \
  X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) X(F64_EQ) X(F64_NE) X(F64_LT)     \
  X(F64_GT) X(F64_LE) X(F64_GE) X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_DIV_S)         \
  X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL)   \
  X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR) X(I64_ADD) X(I64_SUB) X(I64_MUL)  \
  X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) X(I64_AND) X(I64_OR) X(I64_XOR) \
  X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR) X(F32_ADD) X(F32_SUB)  \
  X(F32_MUL) X(F32_DIV) X(F32_MIN) X(F32_MAX) X(F32_COPYSIGN) X(F64_ADD) X(F64_SUB)   \
  X(F64_MUL) X(F64_DIV) X(F64_MIN) X(F64_MAX) X(F64_COPYSIGN)

/* Loads (dst, addr, offset) and stores (addr, value, offset). */
#define INTERP_LOADS(X)                                                              \
  X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U)       \
  X(I32_LOAD16_S) X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S)       \
  X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U)
#define INTERP_STORES(X)                                                             \
  X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE) X(I32_STORE8) X(I32_STORE16)    \
  X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)

/* Binary i32 ops fused with a constant right operand: (dst, a, imm). */
#define INTERP_I32_IMMOPS(X)                                                         \
  X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL)         \
  X(I32_SHR_S) X(I32_SHR_U) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S)   \
  X(I32_GT_U) X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)

/* Binary i64 ops fused with a constant right operand: (dst, a, imm64),
** the immediate in two words (clang's hashes and PRNGs multiply, add and
** shift by 64-bit constants in their inner loops). */
#define INTERP_I64_IMMOPS(X)                                                         \
  X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_AND) X(I64_OR) X(I64_XOR) X(I64_SHL)         \
  X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR) X(I64_EQ) X(I64_NE) X(I64_LT_S)   \
  X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)

/* f64 arithmetic with a constant right operand: (dst, a, imm64). */
#define INTERP_F64_IMMOPS(X) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV)

/* Integer compares fused with br_if / if: BR_<cmp> (a, b, L) and
** BR_<cmp>_I (a, imm, L), the immediate one word for i32, two for i64. An
** `if` or a br_if over eqz uses the inverse compare. */
#define INTERP_I32_CMPS(X)                                                           \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) X(I32_LE_S)     \
  X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)
#define INTERP_I64_CMPS(X)                                                           \
  X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) X(I64_LE_S)     \
  X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)

/* SIMD instructions (all of Wasm 2.0's but v128.const, which the translator
** turns into constants), named as the Wasm op. Operands, generic for all:
** [dst slot if a result] [operand slots in order] [immediates]; a v128
** operand or result is its first slot (the value is in it and the next);
** immediates: memarg -> offset; lane -> lane; memarg+lane -> offset, lane;
** shuffle -> 4 words holding the 16 lane bytes. Semantics in simd.h,
** handlers in exec_simd.h. */
#define INTERP_SIMD_OPS(X)                                                           \
  X(V128_LOAD) X(V128_LOAD8X8_S) X(V128_LOAD8X8_U) X(V128_LOAD16X4_S)                 \
  X(V128_LOAD16X4_U) X(V128_LOAD32X2_S) X(V128_LOAD32X2_U) X(V128_LOAD8_SPLAT)        \
  X(V128_LOAD16_SPLAT) X(V128_LOAD32_SPLAT) X(V128_LOAD64_SPLAT) X(V128_STORE)        \
  X(I8X16_SHUFFLE) X(I8X16_SWIZZLE) X(I8X16_SPLAT) X(I16X8_SPLAT) X(I32X4_SPLAT)      \
  X(I64X2_SPLAT) X(F32X4_SPLAT) X(F64X2_SPLAT) X(I8X16_EXTRACT_LANE_S)               \
  X(I8X16_EXTRACT_LANE_U) X(I8X16_REPLACE_LANE) X(I16X8_EXTRACT_LANE_S)               \
  X(I16X8_EXTRACT_LANE_U) X(I16X8_REPLACE_LANE) X(I32X4_EXTRACT_LANE)                 \
  X(I32X4_REPLACE_LANE) X(I64X2_EXTRACT_LANE) X(I64X2_REPLACE_LANE)                   \
  X(F32X4_EXTRACT_LANE) X(F32X4_REPLACE_LANE) X(F64X2_EXTRACT_LANE)                   \
  X(F64X2_REPLACE_LANE)                                                              \
  X(I8X16_EQ) X(I8X16_NE) X(I8X16_LT_S) X(I8X16_LT_U) X(I8X16_GT_S) X(I8X16_GT_U)     \
  X(I8X16_LE_S) X(I8X16_LE_U) X(I8X16_GE_S) X(I8X16_GE_U)                            \
  X(I16X8_EQ) X(I16X8_NE) X(I16X8_LT_S) X(I16X8_LT_U) X(I16X8_GT_S) X(I16X8_GT_U)     \
  X(I16X8_LE_S) X(I16X8_LE_U) X(I16X8_GE_S) X(I16X8_GE_U)                            \
  X(I32X4_EQ) X(I32X4_NE) X(I32X4_LT_S) X(I32X4_LT_U) X(I32X4_GT_S) X(I32X4_GT_U)     \
  X(I32X4_LE_S) X(I32X4_LE_U) X(I32X4_GE_S) X(I32X4_GE_U)                            \
  X(F32X4_EQ) X(F32X4_NE) X(F32X4_LT) X(F32X4_GT) X(F32X4_LE) X(F32X4_GE)             \
  X(F64X2_EQ) X(F64X2_NE) X(F64X2_LT) X(F64X2_GT) X(F64X2_LE) X(F64X2_GE)             \
  X(V128_NOT) X(V128_AND) X(V128_ANDNOT) X(V128_OR) X(V128_XOR) X(V128_BITSELECT)     \
  X(V128_ANY_TRUE) X(V128_LOAD8_LANE) X(V128_LOAD16_LANE) X(V128_LOAD32_LANE)         \
  X(V128_LOAD64_LANE) X(V128_STORE8_LANE) X(V128_STORE16_LANE) X(V128_STORE32_LANE)   \
  X(V128_STORE64_LANE) X(V128_LOAD32_ZERO) X(V128_LOAD64_ZERO)                        \
  X(F32X4_DEMOTE_F64X2_ZERO) X(F64X2_PROMOTE_LOW_F32X4)                              \
  X(I8X16_ABS) X(I8X16_NEG) X(I8X16_POPCNT) X(I8X16_ALL_TRUE) X(I8X16_BITMASK)        \
  X(I8X16_NARROW_I16X8_S) X(I8X16_NARROW_I16X8_U) X(F32X4_CEIL) X(F32X4_FLOOR)        \
  X(F32X4_TRUNC) X(F32X4_NEAREST) X(I8X16_SHL) X(I8X16_SHR_S) X(I8X16_SHR_U)          \
  X(I8X16_ADD) X(I8X16_ADD_SAT_S) X(I8X16_ADD_SAT_U) X(I8X16_SUB) X(I8X16_SUB_SAT_S)  \
  X(I8X16_SUB_SAT_U) X(F64X2_CEIL) X(F64X2_FLOOR) X(I8X16_MIN_S) X(I8X16_MIN_U)       \
  X(I8X16_MAX_S) X(I8X16_MAX_U) X(F64X2_TRUNC) X(I8X16_AVGR_U)                        \
  X(I16X8_EXTADD_PAIRWISE_I8X16_S) X(I16X8_EXTADD_PAIRWISE_I8X16_U)                   \
  X(I32X4_EXTADD_PAIRWISE_I16X8_S) X(I32X4_EXTADD_PAIRWISE_I16X8_U)                   \
  X(I16X8_ABS) X(I16X8_NEG) X(I16X8_Q15MULR_SAT_S) X(I16X8_ALL_TRUE)                  \
  X(I16X8_BITMASK) X(I16X8_NARROW_I32X4_S) X(I16X8_NARROW_I32X4_U)                    \
  X(I16X8_EXTEND_LOW_I8X16_S) X(I16X8_EXTEND_HIGH_I8X16_S) X(I16X8_EXTEND_LOW_I8X16_U) \
  X(I16X8_EXTEND_HIGH_I8X16_U) X(I16X8_SHL) X(I16X8_SHR_S) X(I16X8_SHR_U)             \
  X(I16X8_ADD) X(I16X8_ADD_SAT_S) X(I16X8_ADD_SAT_U) X(I16X8_SUB) X(I16X8_SUB_SAT_S)  \
  X(I16X8_SUB_SAT_U) X(F64X2_NEAREST) X(I16X8_MUL) X(I16X8_MIN_S) X(I16X8_MIN_U)      \
  X(I16X8_MAX_S) X(I16X8_MAX_U) X(I16X8_AVGR_U) X(I16X8_EXTMUL_LOW_I8X16_S)           \
  X(I16X8_EXTMUL_HIGH_I8X16_S) X(I16X8_EXTMUL_LOW_I8X16_U) X(I16X8_EXTMUL_HIGH_I8X16_U) \
  X(I32X4_ABS) X(I32X4_NEG) X(I32X4_ALL_TRUE) X(I32X4_BITMASK)                        \
  X(I32X4_EXTEND_LOW_I16X8_S) X(I32X4_EXTEND_HIGH_I16X8_S) X(I32X4_EXTEND_LOW_I16X8_U) \
  X(I32X4_EXTEND_HIGH_I16X8_U) X(I32X4_SHL) X(I32X4_SHR_S) X(I32X4_SHR_U)             \
  X(I32X4_ADD) X(I32X4_SUB) X(I32X4_MUL) X(I32X4_MIN_S) X(I32X4_MIN_U) X(I32X4_MAX_S) \
  X(I32X4_MAX_U) X(I32X4_DOT_I16X8_S) X(I32X4_EXTMUL_LOW_I16X8_S)                     \
  X(I32X4_EXTMUL_HIGH_I16X8_S) X(I32X4_EXTMUL_LOW_I16X8_U) X(I32X4_EXTMUL_HIGH_I16X8_U) \
  X(I64X2_ABS) X(I64X2_NEG) X(I64X2_ALL_TRUE) X(I64X2_BITMASK)                        \
  X(I64X2_EXTEND_LOW_I32X4_S) X(I64X2_EXTEND_HIGH_I32X4_S) X(I64X2_EXTEND_LOW_I32X4_U) \
  X(I64X2_EXTEND_HIGH_I32X4_U) X(I64X2_SHL) X(I64X2_SHR_S) X(I64X2_SHR_U)             \
  X(I64X2_ADD) X(I64X2_SUB) X(I64X2_MUL) X(I64X2_EQ) X(I64X2_NE) X(I64X2_LT_S)        \
  X(I64X2_GT_S) X(I64X2_LE_S) X(I64X2_GE_S) X(I64X2_EXTMUL_LOW_I32X4_S)               \
  X(I64X2_EXTMUL_HIGH_I32X4_S) X(I64X2_EXTMUL_LOW_I32X4_U) X(I64X2_EXTMUL_HIGH_I32X4_U) \
  X(F32X4_ABS) X(F32X4_NEG) X(F32X4_SQRT) X(F32X4_ADD) X(F32X4_SUB) X(F32X4_MUL)      \
  X(F32X4_DIV) X(F32X4_MIN) X(F32X4_MAX) X(F32X4_PMIN) X(F32X4_PMAX)                  \
  X(F64X2_ABS) X(F64X2_NEG) X(F64X2_SQRT) X(F64X2_ADD) X(F64X2_SUB) X(F64X2_MUL)      \
  X(F64X2_DIV) X(F64X2_MIN) X(F64X2_MAX) X(F64X2_PMIN) X(F64X2_PMAX)                  \
  X(I32X4_TRUNC_SAT_F32X4_S) X(I32X4_TRUNC_SAT_F32X4_U) X(F32X4_CONVERT_I32X4_S)      \
  X(F32X4_CONVERT_I32X4_U) X(I32X4_TRUNC_SAT_F64X2_S_ZERO)                           \
  X(I32X4_TRUNC_SAT_F64X2_U_ZERO) X(F64X2_CONVERT_LOW_I32X4_S)                       \
  X(F64X2_CONVERT_LOW_I32X4_U)

/* The other internal ops with their layouts (operands: the format table
** below). */
#define INTERP_CTL_OPS(X)                                                            \
  X(UNREACHABLE, NONE)                                                               \
  X(BR, BR)                                                                          \
  X(BR_IF, BRC)          /* branch if fp[cond] (i32) != 0 */                         \
  X(BR_UNLESS, BRC)      /* branch if fp[cond] == 0 */                               \
  X(I32_ADD_I_BR_IF, DAIL)     /* fp[dst] = a + imm, branch if != 0 */               \
  X(I32_ADD_I_BR_UNLESS, DAIL) /* fp[dst] = a + imm, branch if == 0 */               \
  X(BR_TABLE, BRTAB)     /* then n+1 targets (the last is the default) */            \
  X(RET, NONE)           /* results already in fp[0 ..] */                           \
  X(CALL, CALL)                                                                      \
  X(CALL_DEF, CALLDEF)   /* a callee of the caller's own module, so no host         \
                         ** function and no change of instance */                   \
  X(CALL_INDIRECT, CALLI)                                                            \
  X(MOV, DA)                                                                         \
  X(CONST32, DI)         /* zero-extended */                                         \
  X(CONST64, DQ)                                                                     \
  X(SELECT, SEL)                                                                     \
  X(GLOBAL_GET, GGET)                                                                \
  X(GLOBAL_SET, GSET)                                                                \
  X(TABLE_GET, TGET)                                                                 \
  X(TABLE_SET, TSET)                                                                 \
  X(TABLE_SIZE, TSIZE)                                                               \
  X(TABLE_GROW, TGROW)                                                               \
  X(TABLE_FILL, TFILL)                                                               \
  X(TABLE_COPY, TCOPY)                                                               \
  X(TABLE_INIT, TINIT)                                                               \
  X(ELEM_DROP, EDROP)                                                                \
  X(MEMORY_SIZE, D)                                                                  \
  X(MEMORY_GROW, DA)                                                                 \
  X(MEMORY_FILL, MBULK)                                                              \
  X(MEMORY_COPY, MBULK)                                                              \
  X(MEMORY_INIT, MINIT)                                                              \
  X(DATA_DROP, DDROP)                                                                \
  X(REF_FUNC, RFUNC)                                                                 \
  X(SELECT_V, SELV)      /* v128 (two slots) */                                      \
  X(GLOBAL_GET_V, GGETV)                                                             \
  X(GLOBAL_SET_V, GSETV)                                                             \
  X(I32_ADD2, ADD2)      /* fp[d1] = a1 + b1, then fp[dst] = a + b (an i32.add      \
                         ** kept in a local, then another: the two address          \
                         ** computations of a loop over two arrays) */

/* Loads whose address is an i32.add just computed: <load>_AI (dst, a, imm,
** offset) and <load>_AA (dst, a, b, offset) read at (u32)(a + imm or b) +
** offset. Array and struct-field accesses are mostly this shape: clang
** cannot fold the add into the offset (the add wraps, the offset does not). */

/* f64 arithmetic whose right operand is an f64.load just emitted:
** <op>_M (dst, a, addr, offset) and <op>_MAI (dst, a, addr, imm, offset),
** the load's address as in F64_LOAD / F64_LOAD_AI. Numeric loops (n-body,
** matrices, stencils) combine a value with one loaded from an array. */
#define INTERP_F64_MEMOPS(X) X(F64_ADD) X(F64_SUB) X(F64_MUL)

/* A loop latch: i32.add with a constant whose sum a compare and br_if test
** (directly or through the local it was set / teed into):
** ADDI_BR_<cmp> (dst, a, imm, b, L) and ADDI_BR_<cmp>_I (dst, a, imm, imm2,
** L): fp[dst] = a + imm, then branch if (fp[dst] cmp b or imm2). One pair
** per compare of INTERP_I32_CMPS. */

/* select on a compare just computed (and used only by it): SELECT_NZ64
** (dst, a, b, s): fp[dst] = (i64 fp[s] != 0) ? a : b (an i64.eqz swaps a and
** b); SELECT_<cmp> (dst, a, b, x, y): fp[dst] = (x cmp y) ? a : b, one per
** compare of INTERP_I32_CMPS. */

/* The axpy step c[i] += x * b[j] of matrix products, filters and stencils:
** an f64.store of F64_ADD_M (adding the value at the stored address) of
** F64_MUL_M / _MAI. F64_MAC (a, x, b, ib, offA, offB): mem[a + offA] =
** x * mem[(u32)(b + ib) + offB] + mem[a + offA], rounded after the multiply
** and after the add as the two Wasm ops are (ib is 0 for a plain F64_MUL_M).
** F64_MAC_PRE (d, a, ia, x, b, ib, offA, offB) also takes in the i32.add of
** a constant that just stepped the stored address's local (a pointer bump,
** `p += 8; *p += x * b[j]`): fp[d] = (u32)(a + ia) first, then F64_MAC at
** fp[d]. F64_MAC_ADD2 (d1, a1, b1, d, a, b, x, ib, offA, offB) takes in the
** I32_ADD2 that just computed both addresses (c's into d1, b's into d, as
** `c + i` and `b + i` in a loop over two arrays): its two sums, then
** F64_MAC at fp[d1] with b = fp[d].
** F64_MAC2 (d1, a1, b1, d, a, b, x, ib, offA, offB, ia2, ib2, offA2, offB2)
** is an F64_MAC_ADD2 and the F64_MAC_PRE after it that steps d1 by ia2 and
** reads b at fp[d] + ib2 with the same x: an axpy unrolled by two, its sums
** kept in registers across both steps. */
#define INTERP_F64_MAC_OPS(X) \
  X(F64_MAC, MAC) X(F64_MAC_PRE, MACPRE) X(F64_MAC_ADD2, MACADD2) X(F64_MAC2, MAC2)

/* Stores whose address is a local plus a constant: <store>_AI (a, imm,
** value, offset) write at (u32)(a + imm) + offset; one per INTERP_STORES. */

/* ---- The format table ----
** Every internal op with its layout, in IOp order:
**
**     INTERP_OP(ID, LAYOUT)
**
** for IOP_<ID> with operands INTERP_LAYOUT_<LAYOUT>. Define INTERP_OP,
** then expand INTERP_OP_TABLE (the families above are listed through the
** INTERP_OPS_* helpers, which call INTERP_OP). The executor's handler table,
** the disassembler, the verifier and the translator's emitters and
** accessors all come from it. */
#define INTERP_OPS_L(n, L) INTERP_OP(n, L)
#define INTERP_OPS_UN(n) INTERP_OP(n, DA)
#define INTERP_OPS_BIN(n) INTERP_OP(n, DAB)
#define INTERP_OPS_LOAD(n) INTERP_OP(n, LOAD)
#define INTERP_OPS_STORE(n) INTERP_OP(n, STORE)
#define INTERP_OPS_SIMD(n) INTERP_OP(n, SIMD)
#define INTERP_OPS_I32I(n) INTERP_OP(n##_I, DAI)
#define INTERP_OPS_I64I(n) INTERP_OP(n##_I, DAQ)
#define INTERP_OPS_BR32(n) INTERP_OP(BR_##n, ABL) INTERP_OP(BR_##n##_I, AIL)
#define INTERP_OPS_BR64(n) INTERP_OP(BR_##n, ABL) INTERP_OP(BR_##n##_I, AQL)
#define INTERP_OPS_LOADA(n) INTERP_OP(n##_AI, LOADAI) INTERP_OP(n##_AA, LOADAA)
#define INTERP_OPS_MEMOP(n) INTERP_OP(n##_M, DAM) INTERP_OP(n##_MAI, DAMI)
#define INTERP_OPS_ADDIBR(n) INTERP_OP(ADDI_BR_##n, DAIBL) INTERP_OP(ADDI_BR_##n##_I, DAIIL)
#define INTERP_OPS_SELCMP(n) INTERP_OP(SELECT_##n, SELCMP)
#define INTERP_OPS_STOREAI(n) INTERP_OP(n##_AI, STOREAI)
#define INTERP_OP_TABLE                                                              \
  INTERP_CTL_OPS(INTERP_OPS_L) INTERP_UNOPS(INTERP_OPS_UN) INTERP_BINOPS(INTERP_OPS_BIN) \
  INTERP_LOADS(INTERP_OPS_LOAD) INTERP_STORES(INTERP_OPS_STORE)                     \
  INTERP_SIMD_OPS(INTERP_OPS_SIMD) INTERP_I32_IMMOPS(INTERP_OPS_I32I)                 \
  INTERP_I64_IMMOPS(INTERP_OPS_I64I) INTERP_F64_IMMOPS(INTERP_OPS_I64I)               \
  INTERP_I32_CMPS(INTERP_OPS_BR32) INTERP_I64_CMPS(INTERP_OPS_BR64)                   \
  INTERP_LOADS(INTERP_OPS_LOADA) INTERP_F64_MEMOPS(INTERP_OPS_MEMOP)                  \
  INTERP_I32_CMPS(INTERP_OPS_ADDIBR)                                                 \
  INTERP_OP(SELECT_NZ64, SEL) INTERP_I32_CMPS(INTERP_OPS_SELCMP)                     \
  INTERP_F64_MAC_OPS(INTERP_OPS_L) INTERP_STORES(INTERP_OPS_STOREAI)

/* Operand kinds: F(name, KIND) in a layout below; each kind is one code
** word but I64 (two, low first) and SHUF (four).
**   SLOT   a frame slot: < frameSize
**   VSLOT  a v128's first slot: it and the next < frameSize
**   BASE   a call's argument base slot: the callee's frame starts there
**   I32, I64  constants;  OFF  a memory offset;  LANE  a lane index
**   TARGET a branch target (pc-relative, see "Code layout")
**   COUNT  BR_TABLE's n (n+1 targets follow)
**   FUNC   a function index;  DEF  an index among the defined functions
**   GLOBAL, TABLE, TYPE, ELEM, DATA  indices of the module's spaces
**   SHUF   i8x16.shuffle's 16 lane bytes */
#define INTERP_KINDS(K)                                                              \
  K(SLOT, 's', 1) K(VSLOT, 'v', 1) K(BASE, 'b', 1) K(I32, 'i', 1) K(I64, 'q', 2)       \
  K(OFF, 'o', 1) K(LANE, 'l', 1) K(TARGET, 'L', 1) K(COUNT, 'n', 1) K(FUNC, 'f', 1)    \
  K(DEF, 'F', 1) K(GLOBAL, 'g', 1) K(TABLE, 't', 1) K(TYPE, 'y', 1) K(ELEM, 'e', 1)     \
  K(DATA, 'd', 1) K(SHUF, 'x', 4)

/* Layouts: the operand words after the op word, F(name, KIND) each. An op
** with a result has it first, named dst (tr_simple relies on it). */
#define INTERP_LAYOUT_NONE(F)
#define INTERP_LAYOUT_BR(F) F(target, TARGET)
#define INTERP_LAYOUT_BRC(F) F(cond, SLOT) F(target, TARGET)
#define INTERP_LAYOUT_DAIL(F) F(dst, SLOT) F(a, SLOT) F(imm, I32) F(target, TARGET)
#define INTERP_LAYOUT_BRTAB(F) F(idx, SLOT) F(n, COUNT)
#define INTERP_LAYOUT_CALL(F) F(func, FUNC) F(base, BASE)
#define INTERP_LAYOUT_CALLDEF(F) F(def, DEF) F(base, BASE)
#define INTERP_LAYOUT_CALLI(F) F(type, TYPE) F(table, TABLE) F(base, BASE) F(idx, SLOT)
#define INTERP_LAYOUT_D(F) F(dst, SLOT)
#define INTERP_LAYOUT_DA(F) F(dst, SLOT) F(a, SLOT)
#define INTERP_LAYOUT_DAB(F) F(dst, SLOT) F(a, SLOT) F(b, SLOT)
#define INTERP_LAYOUT_DI(F) F(dst, SLOT) F(imm, I32)
#define INTERP_LAYOUT_DQ(F) F(dst, SLOT) F(imm, I64)
#define INTERP_LAYOUT_DAI(F) F(dst, SLOT) F(a, SLOT) F(imm, I32)
#define INTERP_LAYOUT_DAQ(F) F(dst, SLOT) F(a, SLOT) F(imm, I64)
#define INTERP_LAYOUT_SEL(F) F(dst, SLOT) F(a, SLOT) F(b, SLOT) F(cond, SLOT)
#define INTERP_LAYOUT_SELV(F) F(dst, VSLOT) F(a, VSLOT) F(b, VSLOT) F(cond, SLOT)
#define INTERP_LAYOUT_SELCMP(F) F(dst, SLOT) F(a, SLOT) F(b, SLOT) F(x, SLOT) F(y, SLOT)
#define INTERP_LAYOUT_GGET(F) F(dst, SLOT) F(global, GLOBAL)
#define INTERP_LAYOUT_GSET(F) F(global, GLOBAL) F(src, SLOT)
#define INTERP_LAYOUT_GGETV(F) F(dst, VSLOT) F(global, GLOBAL)
#define INTERP_LAYOUT_GSETV(F) F(global, GLOBAL) F(src, VSLOT)
#define INTERP_LAYOUT_TGET(F) F(dst, SLOT) F(table, TABLE) F(idx, SLOT)
#define INTERP_LAYOUT_TSET(F) F(table, TABLE) F(idx, SLOT) F(val, SLOT)
#define INTERP_LAYOUT_TSIZE(F) F(dst, SLOT) F(table, TABLE)
#define INTERP_LAYOUT_TGROW(F) F(dst, SLOT) F(table, TABLE) F(init, SLOT) F(n, SLOT)
#define INTERP_LAYOUT_TFILL(F) F(table, TABLE) F(i, SLOT) F(val, SLOT) F(n, SLOT)
#define INTERP_LAYOUT_TCOPY(F) \
  F(dtable, TABLE) F(stable, TABLE) F(d, SLOT) F(s, SLOT) F(n, SLOT)
#define INTERP_LAYOUT_TINIT(F) F(table, TABLE) F(elem, ELEM) F(d, SLOT) F(s, SLOT) F(n, SLOT)
#define INTERP_LAYOUT_EDROP(F) F(elem, ELEM)
#define INTERP_LAYOUT_MBULK(F) F(d, SLOT) F(s, SLOT) F(n, SLOT)
#define INTERP_LAYOUT_MINIT(F) F(data, DATA) F(d, SLOT) F(s, SLOT) F(n, SLOT)
#define INTERP_LAYOUT_DDROP(F) F(data, DATA)
#define INTERP_LAYOUT_RFUNC(F) F(dst, SLOT) F(func, FUNC)
#define INTERP_LAYOUT_ADD2(F) \
  F(dst, SLOT) F(a, SLOT) F(b, SLOT) F(d1, SLOT) F(a1, SLOT) F(b1, SLOT)
#define INTERP_LAYOUT_LOAD(F) F(dst, SLOT) F(addr, SLOT) F(off, OFF)
#define INTERP_LAYOUT_LOADAI(F) F(dst, SLOT) F(a, SLOT) F(imm, I32) F(off, OFF)
#define INTERP_LAYOUT_LOADAA(F) F(dst, SLOT) F(a, SLOT) F(b, SLOT) F(off, OFF)
#define INTERP_LAYOUT_STORE(F) F(addr, SLOT) F(val, SLOT) F(off, OFF)
#define INTERP_LAYOUT_STOREAI(F) F(a, SLOT) F(imm, I32) F(val, SLOT) F(off, OFF)
#define INTERP_LAYOUT_ABL(F) F(a, SLOT) F(b, SLOT) F(target, TARGET)
#define INTERP_LAYOUT_AIL(F) F(a, SLOT) F(imm, I32) F(target, TARGET)
#define INTERP_LAYOUT_AQL(F) F(a, SLOT) F(imm, I64) F(target, TARGET)
#define INTERP_LAYOUT_DAM(F) F(dst, SLOT) F(a, SLOT) F(addr, SLOT) F(off, OFF)
#define INTERP_LAYOUT_DAMI(F) F(dst, SLOT) F(a, SLOT) F(addr, SLOT) F(imm, I32) F(off, OFF)
#define INTERP_LAYOUT_DAIBL(F) \
  F(dst, SLOT) F(a, SLOT) F(imm, I32) F(b, SLOT) F(target, TARGET)
#define INTERP_LAYOUT_DAIIL(F) \
  F(dst, SLOT) F(a, SLOT) F(imm, I32) F(imm2, I32) F(target, TARGET)
#define INTERP_LAYOUT_MAC(F) \
  F(a, SLOT) F(x, SLOT) F(b, SLOT) F(ib, I32) F(offA, OFF) F(offB, OFF)
#define INTERP_LAYOUT_MACPRE(F)                                                      \
  F(d, SLOT) F(a, SLOT) F(ia, I32) F(x, SLOT) F(b, SLOT) F(ib, I32) F(offA, OFF)      \
  F(offB, OFF)
#define INTERP_LAYOUT_MACADD2(F)                                                     \
  F(d1, SLOT) F(a1, SLOT) F(b1, SLOT) F(d, SLOT) F(a, SLOT) F(b, SLOT) F(x, SLOT)     \
  F(ib, I32) F(offA, OFF) F(offB, OFF)
#define INTERP_LAYOUT_MAC2(F)                                                        \
  INTERP_LAYOUT_MACADD2(F) F(ia2, I32) F(ib2, I32) F(offA2, OFF) F(offB2, OFF)
/* SIMD ops: [dst if a result] [operand slots] [immediates] from the Wasm
** op's signature in opcodes.h (INTERP_SIMD_OPS): built at run time. */
#define INTERP_LAYOUT_SIMD(F)

#define INTERP_LAYOUTS(L)                                                            \
  L(NONE) L(BR) L(BRC) L(DAIL) L(BRTAB) L(CALL) L(CALLDEF) L(CALLI) L(D) L(DA) L(DAB)  \
  L(DI) L(DQ) L(DAI) L(DAQ) L(SEL) L(SELV) L(SELCMP) L(GGET) L(GSET) L(GGETV) L(GSETV) \
  L(TGET) L(TSET) L(TSIZE) L(TGROW) L(TFILL) L(TCOPY) L(TINIT) L(EDROP) L(MBULK)       \
  L(MINIT) L(DDROP) L(RFUNC) L(ADD2) L(LOAD) L(LOADAI) L(LOADAA) L(STORE) L(STOREAI)   \
  L(ABL) L(AIL) L(AQL) L(DAM) L(DAMI) L(DAIBL) L(DAIIL) L(MAC) L(MACPRE) L(MACADD2)    \
  L(MAC2) L(SIMD)

typedef enum IKind {
#define K(name, ch, words) IK_##name,
  INTERP_KINDS(K)
#undef K
  IK_COUNT_
} IKind;

typedef enum ILayout {
#define L(name) IL_##name,
  INTERP_LAYOUTS(L)
#undef L
  IL_COUNT_
} ILayout;

/* One struct per layout, only to name word offsets (never used to access
** code: IOFF gives the index of a field's word in an instruction). */
#define INTERP_FIELD_SLOT(n) uint32_t n;
#define INTERP_FIELD_VSLOT(n) uint32_t n;
#define INTERP_FIELD_BASE(n) uint32_t n;
#define INTERP_FIELD_I32(n) uint32_t n;
#define INTERP_FIELD_I64(n) uint32_t n[2];
#define INTERP_FIELD_OFF(n) uint32_t n;
#define INTERP_FIELD_LANE(n) uint32_t n;
#define INTERP_FIELD_TARGET(n) uint32_t n;
#define INTERP_FIELD_COUNT(n) uint32_t n;
#define INTERP_FIELD_FUNC(n) uint32_t n;
#define INTERP_FIELD_DEF(n) uint32_t n;
#define INTERP_FIELD_GLOBAL(n) uint32_t n;
#define INTERP_FIELD_TABLE(n) uint32_t n;
#define INTERP_FIELD_TYPE(n) uint32_t n;
#define INTERP_FIELD_ELEM(n) uint32_t n;
#define INTERP_FIELD_DATA(n) uint32_t n;
#define INTERP_FIELD_SHUF(n) uint32_t n[4];
#define INTERP_FIELD(n, kind) INTERP_FIELD_##kind(n)
#define L(name)                         \
  typedef struct IFmt_##name {          \
    uint32_t op;                        \
    INTERP_LAYOUT_##name(INTERP_FIELD)  \
  } IFmt_##name;
INTERP_LAYOUTS(L)
#undef L

/* Word index of field f in an instruction of layout L (the op word is 0),
** and the instruction's length in words (SIMD and BR_TABLE: see
** interp_instr_len). */
#define IOFF(L, f) ((uint32_t)(offsetof(IFmt_##L, f) / sizeof(uint32_t)))
#define ILEN(L) ((uint32_t)(sizeof(IFmt_##L) / sizeof(uint32_t)))

typedef enum IOp {
#define INTERP_OP(n, L) IOP_##n,
  INTERP_OP_TABLE
#undef INTERP_OP
  IOP_COUNT_
} IOp;

/* The op word for op (see "Code layout"). */
uint32_t interp_op_word(IOp op);

/* ---- translate.c: lazy translation ----
** interp_compile_module only marks the functions; each is translated on its
** first call. Func.pCode then goes from the shared "lazy" marker to its code
** once (published with compare-and-swap: modules are shared by threads). */
/* True if code is the marker of a function not translated yet. */
bool interp_is_lazy(const InterpCode *code);
/* The code of defined function fidx of m, translating it if needed. NULL
** with err (NOMEM) on failure. The code is owned by the module. */
const InterpCode *interp_translate(const Module *m, uint32_t fidx, cairn_error *err);

/* ---- code.c: the format table at work ----
** Names and layouts of ops, the disassembler and the verifier. */
/* True if op can trap or call: it has an entry in the offset map. */
bool interp_op_locates(IOp op);
/* The module offset of the instruction that pc (a pointer into code's
** words, past the instruction's op word and at most at its end) is in, or 0
** if it has no entry in the offset map. */
uint32_t interp_code_offset(const InterpCode *code, const uint32_t *pc);
/* The op's name ("I32_ADD_I") and layout. */
const char *interp_op_name(IOp op);
ILayout interp_op_layout(IOp op);
/* The op whose op word is w; false if none is. */
bool interp_op_of_word(uint32_t w, IOp *pOp);
/* Fills aKind with the kinds of op's operand fields, in order (at most 16;
** BR_TABLE's targets not included); returns their number. */
uint32_t interp_op_kinds(IOp op, IKind *aKind);
/* Prints code's instructions to out, one a line ("  12  I32_ADD_I  s3, s1,
** 7"); an unknown op word or a truncated instruction is printed as such and
** ends the listing. m is the module the code belongs to. */
void interp_disassemble(const Module *m, const InterpCode *code, FILE *out);
/* Checks code against the format table: every op word known, every
** instruction whole, every slot operand within the frame (a v128 and a
** call's arguments and results too), every index within the module's
** spaces, every branch target the start of an instruction, the last word
** UNREACHABLE. True if it holds; else false with the reason and the word
** index in zWhy (nWhy bytes). */
bool interp_verify(const Module *m, const InterpCode *code, char *zWhy, size_t nWhy);
/* interp_verify, and on failure an engine bug: prints the reason and the
** disassembly to stderr and aborts. Run after every translation when
** INTERP_VERIFY is 1 (Debug and fuzz builds, or CAIRN_VERIFY_CODE). */
void interp_verify_or_die(const Module *m, const InterpCode *code);
#if defined(CAIRN_VERIFY_CODE)
#define INTERP_VERIFY 1
#else
#define INTERP_VERIFY 0
#endif


/* ---- the tier's operations (interp_tier, exec.c) ---- */
bool interp_call(cairn_func *f, Slot *aSlot, cairn_error *err);
void interp_exec_free(cairn_store *s);
/* Frees the code translated for m's functions (translate.c). */
void interp_free_module_code(Module *m);

#endif
