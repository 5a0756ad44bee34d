/*
** opcodes.h: the one table of Wasm instructions.
**
** Every part of the engine that knows instructions (decoder, validator, text
** parser, disassembler, interpreter translator) expands this X-macro, so adding
** an instruction touches this table and its semantics only.
**
**   X(ID, "text name", CODE, IMM, ALIGN, "params", "results")
**
** ID      suffix of the enum constant OP_<ID> (see enum WasmOp below)
** CODE    the binary opcode: one byte (0x00..0xFB), or (prefix << 16) | sub
**         for prefixed instructions (0xFC misc, 0xFD SIMD), sub being the
**         LEB128 u32 that follows the prefix byte
** IMM     the immediate kind (enum ImmKind below)
** ALIGN   log2 of the natural alignment for memory instructions, else 0
** params / results
**         the stack signature for instructions whose typing is fixed:
**         one letter per value, i=i32 l=i64 f=f32 d=f64 v=v128 r=funcref
**         e=externref; "*" means the validator types it by hand (control,
**         variables, polymorphic and index-dependent instructions).
*/
#ifndef CAIRN_OPCODES_H
#define CAIRN_OPCODES_H

#include <stddef.h>
#include <stdint.h>

/* Immediate kinds: what follows the opcode in the binary format. */
typedef enum ImmKind {
  IMM_NONE,        /* nothing */
  IMM_BLOCKTYPE,   /* s33 block type: 0x40, a value type, or a type index */
  IMM_LABEL,       /* u32 label index */
  IMM_BR_TABLE,    /* vec(u32 label) then u32 default label */
  IMM_FUNC,        /* u32 function index */
  IMM_CALL_INDIRECT, /* u32 type index, u32 table index */
  IMM_LOCAL,       /* u32 local index */
  IMM_GLOBAL,      /* u32 global index */
  IMM_TABLE,       /* u32 table index */
  IMM_MEMARG,      /* u32 align, u32 offset */
  IMM_MEMIDX,      /* one byte, must be 0x00 (memory.size, memory.grow, memory.fill) */
  IMM_I32,         /* s32 */
  IMM_I64,         /* s64 */
  IMM_F32,         /* 4 bytes little endian */
  IMM_F64,         /* 8 bytes little endian */
  IMM_SELECT_T,    /* vec(valtype), length must be 1 */
  IMM_REFTYPE,     /* one byte: 0x70 funcref or 0x6F externref */
  IMM_DATA_MEM,    /* u32 data index, then memory byte 0x00 (memory.init) */
  IMM_DATA,        /* u32 data index (data.drop) */
  IMM_MEM_MEM,     /* two memory bytes 0x00 0x00 (memory.copy) */
  IMM_ELEM_TABLE,  /* u32 elem index, u32 table index (table.init) */
  IMM_ELEM,        /* u32 elem index (elem.drop) */
  IMM_TABLE_TABLE, /* u32 dst table, u32 src table (table.copy) */
  IMM_V128,        /* 16 bytes (v128.const) */
  IMM_SHUFFLE,     /* 16 lane bytes, each < 32 (i8x16.shuffle) */
  IMM_LANE,        /* one lane byte (extract/replace lane) */
  IMM_MEMARG_LANE  /* memarg then one lane byte (v128.loadN_lane/storeN_lane) */
} ImmKind;

#define WASM_OPCODES(X)                                                          \
  /* control */                                                                  \
  X(UNREACHABLE, "unreachable", 0x00, IMM_NONE, 0, "*", "*")                   \
  X(NOP, "nop", 0x01, IMM_NONE, 0, "", "")                                      \
  X(BLOCK, "block", 0x02, IMM_BLOCKTYPE, 0, "*", "*")                          \
  X(LOOP, "loop", 0x03, IMM_BLOCKTYPE, 0, "*", "*")                            \
  X(IF, "if", 0x04, IMM_BLOCKTYPE, 0, "*", "*")                                \
  X(ELSE, "else", 0x05, IMM_NONE, 0, "*", "*")                                 \
  X(END, "end", 0x0B, IMM_NONE, 0, "*", "*")                                   \
  X(BR, "br", 0x0C, IMM_LABEL, 0, "*", "*")                                    \
  X(BR_IF, "br_if", 0x0D, IMM_LABEL, 0, "*", "*")                              \
  X(BR_TABLE, "br_table", 0x0E, IMM_BR_TABLE, 0, "*", "*")                     \
  X(RETURN, "return", 0x0F, IMM_NONE, 0, "*", "*")                             \
  X(CALL, "call", 0x10, IMM_FUNC, 0, "*", "*")                                 \
  X(CALL_INDIRECT, "call_indirect", 0x11, IMM_CALL_INDIRECT, 0, "*", "*")      \
  /* parametric */                                                               \
  X(DROP, "drop", 0x1A, IMM_NONE, 0, "*", "*")                                 \
  X(SELECT, "select", 0x1B, IMM_NONE, 0, "*", "*")                             \
  X(SELECT_T, "select", 0x1C, IMM_SELECT_T, 0, "*", "*")                       \
  /* variables */                                                                \
  X(LOCAL_GET, "local.get", 0x20, IMM_LOCAL, 0, "*", "*")                      \
  X(LOCAL_SET, "local.set", 0x21, IMM_LOCAL, 0, "*", "*")                      \
  X(LOCAL_TEE, "local.tee", 0x22, IMM_LOCAL, 0, "*", "*")                      \
  X(GLOBAL_GET, "global.get", 0x23, IMM_GLOBAL, 0, "*", "*")                   \
  X(GLOBAL_SET, "global.set", 0x24, IMM_GLOBAL, 0, "*", "*")                   \
  X(TABLE_GET, "table.get", 0x25, IMM_TABLE, 0, "*", "*")                      \
  X(TABLE_SET, "table.set", 0x26, IMM_TABLE, 0, "*", "*")                      \
  /* memory */                                                                   \
  X(I32_LOAD, "i32.load", 0x28, IMM_MEMARG, 2, "i", "i")                       \
  X(I64_LOAD, "i64.load", 0x29, IMM_MEMARG, 3, "i", "l")                       \
  X(F32_LOAD, "f32.load", 0x2A, IMM_MEMARG, 2, "i", "f")                       \
  X(F64_LOAD, "f64.load", 0x2B, IMM_MEMARG, 3, "i", "d")                       \
  X(I32_LOAD8_S, "i32.load8_s", 0x2C, IMM_MEMARG, 0, "i", "i")                 \
  X(I32_LOAD8_U, "i32.load8_u", 0x2D, IMM_MEMARG, 0, "i", "i")                 \
  X(I32_LOAD16_S, "i32.load16_s", 0x2E, IMM_MEMARG, 1, "i", "i")               \
  X(I32_LOAD16_U, "i32.load16_u", 0x2F, IMM_MEMARG, 1, "i", "i")               \
  X(I64_LOAD8_S, "i64.load8_s", 0x30, IMM_MEMARG, 0, "i", "l")                 \
  X(I64_LOAD8_U, "i64.load8_u", 0x31, IMM_MEMARG, 0, "i", "l")                 \
  X(I64_LOAD16_S, "i64.load16_s", 0x32, IMM_MEMARG, 1, "i", "l")               \
  X(I64_LOAD16_U, "i64.load16_u", 0x33, IMM_MEMARG, 1, "i", "l")               \
  X(I64_LOAD32_S, "i64.load32_s", 0x34, IMM_MEMARG, 2, "i", "l")               \
  X(I64_LOAD32_U, "i64.load32_u", 0x35, IMM_MEMARG, 2, "i", "l")               \
  X(I32_STORE, "i32.store", 0x36, IMM_MEMARG, 2, "ii", "")                     \
  X(I64_STORE, "i64.store", 0x37, IMM_MEMARG, 3, "il", "")                     \
  X(F32_STORE, "f32.store", 0x38, IMM_MEMARG, 2, "if", "")                     \
  X(F64_STORE, "f64.store", 0x39, IMM_MEMARG, 3, "id", "")                     \
  X(I32_STORE8, "i32.store8", 0x3A, IMM_MEMARG, 0, "ii", "")                   \
  X(I32_STORE16, "i32.store16", 0x3B, IMM_MEMARG, 1, "ii", "")                 \
  X(I64_STORE8, "i64.store8", 0x3C, IMM_MEMARG, 0, "il", "")                   \
  X(I64_STORE16, "i64.store16", 0x3D, IMM_MEMARG, 1, "il", "")                 \
  X(I64_STORE32, "i64.store32", 0x3E, IMM_MEMARG, 2, "il", "")                 \
  X(MEMORY_SIZE, "memory.size", 0x3F, IMM_MEMIDX, 0, "", "i")                  \
  X(MEMORY_GROW, "memory.grow", 0x40, IMM_MEMIDX, 0, "i", "i")                 \
  /* constants */                                                                \
  X(I32_CONST, "i32.const", 0x41, IMM_I32, 0, "", "i")                         \
  X(I64_CONST, "i64.const", 0x42, IMM_I64, 0, "", "l")                         \
  X(F32_CONST, "f32.const", 0x43, IMM_F32, 0, "", "f")                         \
  X(F64_CONST, "f64.const", 0x44, IMM_F64, 0, "", "d")                         \
  /* i32 comparisons */                                                          \
  X(I32_EQZ, "i32.eqz", 0x45, IMM_NONE, 0, "i", "i")                           \
  X(I32_EQ, "i32.eq", 0x46, IMM_NONE, 0, "ii", "i")                            \
  X(I32_NE, "i32.ne", 0x47, IMM_NONE, 0, "ii", "i")                            \
  X(I32_LT_S, "i32.lt_s", 0x48, IMM_NONE, 0, "ii", "i")                        \
  X(I32_LT_U, "i32.lt_u", 0x49, IMM_NONE, 0, "ii", "i")                        \
  X(I32_GT_S, "i32.gt_s", 0x4A, IMM_NONE, 0, "ii", "i")                        \
  X(I32_GT_U, "i32.gt_u", 0x4B, IMM_NONE, 0, "ii", "i")                        \
  X(I32_LE_S, "i32.le_s", 0x4C, IMM_NONE, 0, "ii", "i")                        \
  X(I32_LE_U, "i32.le_u", 0x4D, IMM_NONE, 0, "ii", "i")                        \
  X(I32_GE_S, "i32.ge_s", 0x4E, IMM_NONE, 0, "ii", "i")                        \
  X(I32_GE_U, "i32.ge_u", 0x4F, IMM_NONE, 0, "ii", "i")                        \
  /* i64 comparisons */                                                          \
  X(I64_EQZ, "i64.eqz", 0x50, IMM_NONE, 0, "l", "i")                           \
  X(I64_EQ, "i64.eq", 0x51, IMM_NONE, 0, "ll", "i")                            \
  X(I64_NE, "i64.ne", 0x52, IMM_NONE, 0, "ll", "i")                            \
  X(I64_LT_S, "i64.lt_s", 0x53, IMM_NONE, 0, "ll", "i")                        \
  X(I64_LT_U, "i64.lt_u", 0x54, IMM_NONE, 0, "ll", "i")                        \
  X(I64_GT_S, "i64.gt_s", 0x55, IMM_NONE, 0, "ll", "i")                        \
  X(I64_GT_U, "i64.gt_u", 0x56, IMM_NONE, 0, "ll", "i")                        \
  X(I64_LE_S, "i64.le_s", 0x57, IMM_NONE, 0, "ll", "i")                        \
  X(I64_LE_U, "i64.le_u", 0x58, IMM_NONE, 0, "ll", "i")                        \
  X(I64_GE_S, "i64.ge_s", 0x59, IMM_NONE, 0, "ll", "i")                        \
  X(I64_GE_U, "i64.ge_u", 0x5A, IMM_NONE, 0, "ll", "i")                        \
  /* float comparisons */                                                        \
  X(F32_EQ, "f32.eq", 0x5B, IMM_NONE, 0, "ff", "i")                            \
  X(F32_NE, "f32.ne", 0x5C, IMM_NONE, 0, "ff", "i")                            \
  X(F32_LT, "f32.lt", 0x5D, IMM_NONE, 0, "ff", "i")                            \
  X(F32_GT, "f32.gt", 0x5E, IMM_NONE, 0, "ff", "i")                            \
  X(F32_LE, "f32.le", 0x5F, IMM_NONE, 0, "ff", "i")                            \
  X(F32_GE, "f32.ge", 0x60, IMM_NONE, 0, "ff", "i")                            \
  X(F64_EQ, "f64.eq", 0x61, IMM_NONE, 0, "dd", "i")                            \
  X(F64_NE, "f64.ne", 0x62, IMM_NONE, 0, "dd", "i")                            \
  X(F64_LT, "f64.lt", 0x63, IMM_NONE, 0, "dd", "i")                            \
  X(F64_GT, "f64.gt", 0x64, IMM_NONE, 0, "dd", "i")                            \
  X(F64_LE, "f64.le", 0x65, IMM_NONE, 0, "dd", "i")                            \
  X(F64_GE, "f64.ge", 0x66, IMM_NONE, 0, "dd", "i")                            \
  /* i32 arithmetic */                                                           \
  X(I32_CLZ, "i32.clz", 0x67, IMM_NONE, 0, "i", "i")                           \
  X(I32_CTZ, "i32.ctz", 0x68, IMM_NONE, 0, "i", "i")                           \
  X(I32_POPCNT, "i32.popcnt", 0x69, IMM_NONE, 0, "i", "i")                     \
  X(I32_ADD, "i32.add", 0x6A, IMM_NONE, 0, "ii", "i")                          \
  X(I32_SUB, "i32.sub", 0x6B, IMM_NONE, 0, "ii", "i")                          \
  X(I32_MUL, "i32.mul", 0x6C, IMM_NONE, 0, "ii", "i")                          \
  X(I32_DIV_S, "i32.div_s", 0x6D, IMM_NONE, 0, "ii", "i")                      \
  X(I32_DIV_U, "i32.div_u", 0x6E, IMM_NONE, 0, "ii", "i")                      \
  X(I32_REM_S, "i32.rem_s", 0x6F, IMM_NONE, 0, "ii", "i")                      \
  X(I32_REM_U, "i32.rem_u", 0x70, IMM_NONE, 0, "ii", "i")                      \
  X(I32_AND, "i32.and", 0x71, IMM_NONE, 0, "ii", "i")                          \
  X(I32_OR, "i32.or", 0x72, IMM_NONE, 0, "ii", "i")                            \
  X(I32_XOR, "i32.xor", 0x73, IMM_NONE, 0, "ii", "i")                          \
  X(I32_SHL, "i32.shl", 0x74, IMM_NONE, 0, "ii", "i")                          \
  X(I32_SHR_S, "i32.shr_s", 0x75, IMM_NONE, 0, "ii", "i")                      \
  X(I32_SHR_U, "i32.shr_u", 0x76, IMM_NONE, 0, "ii", "i")                      \
  X(I32_ROTL, "i32.rotl", 0x77, IMM_NONE, 0, "ii", "i")                        \
  X(I32_ROTR, "i32.rotr", 0x78, IMM_NONE, 0, "ii", "i")                        \
  /* i64 arithmetic */                                                           \
  X(I64_CLZ, "i64.clz", 0x79, IMM_NONE, 0, "l", "l")                           \
  X(I64_CTZ, "i64.ctz", 0x7A, IMM_NONE, 0, "l", "l")                           \
  X(I64_POPCNT, "i64.popcnt", 0x7B, IMM_NONE, 0, "l", "l")                     \
  X(I64_ADD, "i64.add", 0x7C, IMM_NONE, 0, "ll", "l")                          \
  X(I64_SUB, "i64.sub", 0x7D, IMM_NONE, 0, "ll", "l")                          \
  X(I64_MUL, "i64.mul", 0x7E, IMM_NONE, 0, "ll", "l")                          \
  X(I64_DIV_S, "i64.div_s", 0x7F, IMM_NONE, 0, "ll", "l")                      \
  X(I64_DIV_U, "i64.div_u", 0x80, IMM_NONE, 0, "ll", "l")                      \
  X(I64_REM_S, "i64.rem_s", 0x81, IMM_NONE, 0, "ll", "l")                      \
  X(I64_REM_U, "i64.rem_u", 0x82, IMM_NONE, 0, "ll", "l")                      \
  X(I64_AND, "i64.and", 0x83, IMM_NONE, 0, "ll", "l")                          \
  X(I64_OR, "i64.or", 0x84, IMM_NONE, 0, "ll", "l")                            \
  X(I64_XOR, "i64.xor", 0x85, IMM_NONE, 0, "ll", "l")                          \
  X(I64_SHL, "i64.shl", 0x86, IMM_NONE, 0, "ll", "l")                          \
  X(I64_SHR_S, "i64.shr_s", 0x87, IMM_NONE, 0, "ll", "l")                      \
  X(I64_SHR_U, "i64.shr_u", 0x88, IMM_NONE, 0, "ll", "l")                      \
  X(I64_ROTL, "i64.rotl", 0x89, IMM_NONE, 0, "ll", "l")                        \
  X(I64_ROTR, "i64.rotr", 0x8A, IMM_NONE, 0, "ll", "l")                        \
  /* f32 arithmetic */                                                           \
  X(F32_ABS, "f32.abs", 0x8B, IMM_NONE, 0, "f", "f")                           \
  X(F32_NEG, "f32.neg", 0x8C, IMM_NONE, 0, "f", "f")                           \
  X(F32_CEIL, "f32.ceil", 0x8D, IMM_NONE, 0, "f", "f")                         \
  X(F32_FLOOR, "f32.floor", 0x8E, IMM_NONE, 0, "f", "f")                       \
  X(F32_TRUNC, "f32.trunc", 0x8F, IMM_NONE, 0, "f", "f")                       \
  X(F32_NEAREST, "f32.nearest", 0x90, IMM_NONE, 0, "f", "f")                   \
  X(F32_SQRT, "f32.sqrt", 0x91, IMM_NONE, 0, "f", "f")                         \
  X(F32_ADD, "f32.add", 0x92, IMM_NONE, 0, "ff", "f")                          \
  X(F32_SUB, "f32.sub", 0x93, IMM_NONE, 0, "ff", "f")                          \
  X(F32_MUL, "f32.mul", 0x94, IMM_NONE, 0, "ff", "f")                          \
  X(F32_DIV, "f32.div", 0x95, IMM_NONE, 0, "ff", "f")                          \
  X(F32_MIN, "f32.min", 0x96, IMM_NONE, 0, "ff", "f")                          \
  X(F32_MAX, "f32.max", 0x97, IMM_NONE, 0, "ff", "f")                          \
  X(F32_COPYSIGN, "f32.copysign", 0x98, IMM_NONE, 0, "ff", "f")                \
  /* f64 arithmetic */                                                           \
  X(F64_ABS, "f64.abs", 0x99, IMM_NONE, 0, "d", "d")                           \
  X(F64_NEG, "f64.neg", 0x9A, IMM_NONE, 0, "d", "d")                           \
  X(F64_CEIL, "f64.ceil", 0x9B, IMM_NONE, 0, "d", "d")                         \
  X(F64_FLOOR, "f64.floor", 0x9C, IMM_NONE, 0, "d", "d")                       \
  X(F64_TRUNC, "f64.trunc", 0x9D, IMM_NONE, 0, "d", "d")                       \
  X(F64_NEAREST, "f64.nearest", 0x9E, IMM_NONE, 0, "d", "d")                   \
  X(F64_SQRT, "f64.sqrt", 0x9F, IMM_NONE, 0, "d", "d")                         \
  X(F64_ADD, "f64.add", 0xA0, IMM_NONE, 0, "dd", "d")                          \
  X(F64_SUB, "f64.sub", 0xA1, IMM_NONE, 0, "dd", "d")                          \
  X(F64_MUL, "f64.mul", 0xA2, IMM_NONE, 0, "dd", "d")                          \
  X(F64_DIV, "f64.div", 0xA3, IMM_NONE, 0, "dd", "d")                          \
  X(F64_MIN, "f64.min", 0xA4, IMM_NONE, 0, "dd", "d")                          \
  X(F64_MAX, "f64.max", 0xA5, IMM_NONE, 0, "dd", "d")                          \
  X(F64_COPYSIGN, "f64.copysign", 0xA6, IMM_NONE, 0, "dd", "d")                \
  /* conversions */                                                              \
  X(I32_WRAP_I64, "i32.wrap_i64", 0xA7, IMM_NONE, 0, "l", "i")                 \
  X(I32_TRUNC_F32_S, "i32.trunc_f32_s", 0xA8, IMM_NONE, 0, "f", "i")           \
  X(I32_TRUNC_F32_U, "i32.trunc_f32_u", 0xA9, IMM_NONE, 0, "f", "i")           \
  X(I32_TRUNC_F64_S, "i32.trunc_f64_s", 0xAA, IMM_NONE, 0, "d", "i")           \
  X(I32_TRUNC_F64_U, "i32.trunc_f64_u", 0xAB, IMM_NONE, 0, "d", "i")           \
  X(I64_EXTEND_I32_S, "i64.extend_i32_s", 0xAC, IMM_NONE, 0, "i", "l")         \
  X(I64_EXTEND_I32_U, "i64.extend_i32_u", 0xAD, IMM_NONE, 0, "i", "l")         \
  X(I64_TRUNC_F32_S, "i64.trunc_f32_s", 0xAE, IMM_NONE, 0, "f", "l")           \
  X(I64_TRUNC_F32_U, "i64.trunc_f32_u", 0xAF, IMM_NONE, 0, "f", "l")           \
  X(I64_TRUNC_F64_S, "i64.trunc_f64_s", 0xB0, IMM_NONE, 0, "d", "l")           \
  X(I64_TRUNC_F64_U, "i64.trunc_f64_u", 0xB1, IMM_NONE, 0, "d", "l")           \
  X(F32_CONVERT_I32_S, "f32.convert_i32_s", 0xB2, IMM_NONE, 0, "i", "f")       \
  X(F32_CONVERT_I32_U, "f32.convert_i32_u", 0xB3, IMM_NONE, 0, "i", "f")       \
  X(F32_CONVERT_I64_S, "f32.convert_i64_s", 0xB4, IMM_NONE, 0, "l", "f")       \
  X(F32_CONVERT_I64_U, "f32.convert_i64_u", 0xB5, IMM_NONE, 0, "l", "f")       \
  X(F32_DEMOTE_F64, "f32.demote_f64", 0xB6, IMM_NONE, 0, "d", "f")             \
  X(F64_CONVERT_I32_S, "f64.convert_i32_s", 0xB7, IMM_NONE, 0, "i", "d")       \
  X(F64_CONVERT_I32_U, "f64.convert_i32_u", 0xB8, IMM_NONE, 0, "i", "d")       \
  X(F64_CONVERT_I64_S, "f64.convert_i64_s", 0xB9, IMM_NONE, 0, "l", "d")       \
  X(F64_CONVERT_I64_U, "f64.convert_i64_u", 0xBA, IMM_NONE, 0, "l", "d")       \
  X(F64_PROMOTE_F32, "f64.promote_f32", 0xBB, IMM_NONE, 0, "f", "d")           \
  X(I32_REINTERPRET_F32, "i32.reinterpret_f32", 0xBC, IMM_NONE, 0, "f", "i")   \
  X(I64_REINTERPRET_F64, "i64.reinterpret_f64", 0xBD, IMM_NONE, 0, "d", "l")   \
  X(F32_REINTERPRET_I32, "f32.reinterpret_i32", 0xBE, IMM_NONE, 0, "i", "f")   \
  X(F64_REINTERPRET_I64, "f64.reinterpret_i64", 0xBF, IMM_NONE, 0, "l", "d")   \
  /* sign extension */                                                           \
  X(I32_EXTEND8_S, "i32.extend8_s", 0xC0, IMM_NONE, 0, "i", "i")               \
  X(I32_EXTEND16_S, "i32.extend16_s", 0xC1, IMM_NONE, 0, "i", "i")             \
  X(I64_EXTEND8_S, "i64.extend8_s", 0xC2, IMM_NONE, 0, "l", "l")               \
  X(I64_EXTEND16_S, "i64.extend16_s", 0xC3, IMM_NONE, 0, "l", "l")             \
  X(I64_EXTEND32_S, "i64.extend32_s", 0xC4, IMM_NONE, 0, "l", "l")             \
  /* reference types */                                                          \
  X(REF_NULL, "ref.null", 0xD0, IMM_REFTYPE, 0, "*", "*")                      \
  X(REF_IS_NULL, "ref.is_null", 0xD1, IMM_NONE, 0, "*", "*")                   \
  X(REF_FUNC, "ref.func", 0xD2, IMM_FUNC, 0, "*", "*")                         \
  /* 0xFC prefix: saturating truncation, bulk memory and tables */               \
  X(I32_TRUNC_SAT_F32_S, "i32.trunc_sat_f32_s", 0xFC0000, IMM_NONE, 0, "f", "i") \
  X(I32_TRUNC_SAT_F32_U, "i32.trunc_sat_f32_u", 0xFC0001, IMM_NONE, 0, "f", "i") \
  X(I32_TRUNC_SAT_F64_S, "i32.trunc_sat_f64_s", 0xFC0002, IMM_NONE, 0, "d", "i") \
  X(I32_TRUNC_SAT_F64_U, "i32.trunc_sat_f64_u", 0xFC0003, IMM_NONE, 0, "d", "i") \
  X(I64_TRUNC_SAT_F32_S, "i64.trunc_sat_f32_s", 0xFC0004, IMM_NONE, 0, "f", "l") \
  X(I64_TRUNC_SAT_F32_U, "i64.trunc_sat_f32_u", 0xFC0005, IMM_NONE, 0, "f", "l") \
  X(I64_TRUNC_SAT_F64_S, "i64.trunc_sat_f64_s", 0xFC0006, IMM_NONE, 0, "d", "l") \
  X(I64_TRUNC_SAT_F64_U, "i64.trunc_sat_f64_u", 0xFC0007, IMM_NONE, 0, "d", "l") \
  X(MEMORY_INIT, "memory.init", 0xFC0008, IMM_DATA_MEM, 0, "iii", "")          \
  X(DATA_DROP, "data.drop", 0xFC0009, IMM_DATA, 0, "", "")                     \
  X(MEMORY_COPY, "memory.copy", 0xFC000A, IMM_MEM_MEM, 0, "iii", "")           \
  X(MEMORY_FILL, "memory.fill", 0xFC000B, IMM_MEMIDX, 0, "iii", "")            \
  X(TABLE_INIT, "table.init", 0xFC000C, IMM_ELEM_TABLE, 0, "iii", "")          \
  X(ELEM_DROP, "elem.drop", 0xFC000D, IMM_ELEM, 0, "", "")                     \
  X(TABLE_COPY, "table.copy", 0xFC000E, IMM_TABLE_TABLE, 0, "iii", "")         \
  X(TABLE_GROW, "table.grow", 0xFC000F, IMM_TABLE, 0, "*", "*")                \
  X(TABLE_SIZE, "table.size", 0xFC0010, IMM_TABLE, 0, "", "i")                 \
  X(TABLE_FILL, "table.fill", 0xFC0011, IMM_TABLE, 0, "*", "*")                \
  /* 0xFD prefix: fixed-width SIMD (v128) */                                    \
  X(V128_LOAD, "v128.load", 0xFD0000, IMM_MEMARG, 4, "i", "v")                  \
  X(V128_LOAD8X8_S, "v128.load8x8_s", 0xFD0001, IMM_MEMARG, 3, "i", "v")        \
  X(V128_LOAD8X8_U, "v128.load8x8_u", 0xFD0002, IMM_MEMARG, 3, "i", "v")        \
  X(V128_LOAD16X4_S, "v128.load16x4_s", 0xFD0003, IMM_MEMARG, 3, "i", "v")      \
  X(V128_LOAD16X4_U, "v128.load16x4_u", 0xFD0004, IMM_MEMARG, 3, "i", "v")      \
  X(V128_LOAD32X2_S, "v128.load32x2_s", 0xFD0005, IMM_MEMARG, 3, "i", "v")      \
  X(V128_LOAD32X2_U, "v128.load32x2_u", 0xFD0006, IMM_MEMARG, 3, "i", "v")      \
  X(V128_LOAD8_SPLAT, "v128.load8_splat", 0xFD0007, IMM_MEMARG, 0, "i", "v")    \
  X(V128_LOAD16_SPLAT, "v128.load16_splat", 0xFD0008, IMM_MEMARG, 1, "i", "v")  \
  X(V128_LOAD32_SPLAT, "v128.load32_splat", 0xFD0009, IMM_MEMARG, 2, "i", "v")  \
  X(V128_LOAD64_SPLAT, "v128.load64_splat", 0xFD000A, IMM_MEMARG, 3, "i", "v")  \
  X(V128_STORE, "v128.store", 0xFD000B, IMM_MEMARG, 4, "iv", "")                \
  X(V128_CONST, "v128.const", 0xFD000C, IMM_V128, 0, "", "v")                   \
  X(I8X16_SHUFFLE, "i8x16.shuffle", 0xFD000D, IMM_SHUFFLE, 0, "vv", "v")        \
  X(I8X16_SWIZZLE, "i8x16.swizzle", 0xFD000E, IMM_NONE, 0, "vv", "v")           \
  X(I8X16_SPLAT, "i8x16.splat", 0xFD000F, IMM_NONE, 0, "i", "v")                \
  X(I16X8_SPLAT, "i16x8.splat", 0xFD0010, IMM_NONE, 0, "i", "v")                \
  X(I32X4_SPLAT, "i32x4.splat", 0xFD0011, IMM_NONE, 0, "i", "v")                \
  X(I64X2_SPLAT, "i64x2.splat", 0xFD0012, IMM_NONE, 0, "l", "v")                \
  X(F32X4_SPLAT, "f32x4.splat", 0xFD0013, IMM_NONE, 0, "f", "v")                \
  X(F64X2_SPLAT, "f64x2.splat", 0xFD0014, IMM_NONE, 0, "d", "v")                \
  X(I8X16_EXTRACT_LANE_S, "i8x16.extract_lane_s", 0xFD0015, IMM_LANE, 0, "v", "i") \
  X(I8X16_EXTRACT_LANE_U, "i8x16.extract_lane_u", 0xFD0016, IMM_LANE, 0, "v", "i") \
  X(I8X16_REPLACE_LANE, "i8x16.replace_lane", 0xFD0017, IMM_LANE, 0, "vi", "v") \
  X(I16X8_EXTRACT_LANE_S, "i16x8.extract_lane_s", 0xFD0018, IMM_LANE, 0, "v", "i") \
  X(I16X8_EXTRACT_LANE_U, "i16x8.extract_lane_u", 0xFD0019, IMM_LANE, 0, "v", "i") \
  X(I16X8_REPLACE_LANE, "i16x8.replace_lane", 0xFD001A, IMM_LANE, 0, "vi", "v") \
  X(I32X4_EXTRACT_LANE, "i32x4.extract_lane", 0xFD001B, IMM_LANE, 0, "v", "i")  \
  X(I32X4_REPLACE_LANE, "i32x4.replace_lane", 0xFD001C, IMM_LANE, 0, "vi", "v") \
  X(I64X2_EXTRACT_LANE, "i64x2.extract_lane", 0xFD001D, IMM_LANE, 0, "v", "l")  \
  X(I64X2_REPLACE_LANE, "i64x2.replace_lane", 0xFD001E, IMM_LANE, 0, "vl", "v") \
  X(F32X4_EXTRACT_LANE, "f32x4.extract_lane", 0xFD001F, IMM_LANE, 0, "v", "f")  \
  X(F32X4_REPLACE_LANE, "f32x4.replace_lane", 0xFD0020, IMM_LANE, 0, "vf", "v") \
  X(F64X2_EXTRACT_LANE, "f64x2.extract_lane", 0xFD0021, IMM_LANE, 0, "v", "d")  \
  X(F64X2_REPLACE_LANE, "f64x2.replace_lane", 0xFD0022, IMM_LANE, 0, "vd", "v") \
  X(I8X16_EQ, "i8x16.eq", 0xFD0023, IMM_NONE, 0, "vv", "v")                     \
  X(I8X16_NE, "i8x16.ne", 0xFD0024, IMM_NONE, 0, "vv", "v")                     \
  X(I8X16_LT_S, "i8x16.lt_s", 0xFD0025, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_LT_U, "i8x16.lt_u", 0xFD0026, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_GT_S, "i8x16.gt_s", 0xFD0027, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_GT_U, "i8x16.gt_u", 0xFD0028, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_LE_S, "i8x16.le_s", 0xFD0029, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_LE_U, "i8x16.le_u", 0xFD002A, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_GE_S, "i8x16.ge_s", 0xFD002B, IMM_NONE, 0, "vv", "v")                 \
  X(I8X16_GE_U, "i8x16.ge_u", 0xFD002C, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_EQ, "i16x8.eq", 0xFD002D, IMM_NONE, 0, "vv", "v")                     \
  X(I16X8_NE, "i16x8.ne", 0xFD002E, IMM_NONE, 0, "vv", "v")                     \
  X(I16X8_LT_S, "i16x8.lt_s", 0xFD002F, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_LT_U, "i16x8.lt_u", 0xFD0030, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_GT_S, "i16x8.gt_s", 0xFD0031, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_GT_U, "i16x8.gt_u", 0xFD0032, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_LE_S, "i16x8.le_s", 0xFD0033, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_LE_U, "i16x8.le_u", 0xFD0034, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_GE_S, "i16x8.ge_s", 0xFD0035, IMM_NONE, 0, "vv", "v")                 \
  X(I16X8_GE_U, "i16x8.ge_u", 0xFD0036, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_EQ, "i32x4.eq", 0xFD0037, IMM_NONE, 0, "vv", "v")                     \
  X(I32X4_NE, "i32x4.ne", 0xFD0038, IMM_NONE, 0, "vv", "v")                     \
  X(I32X4_LT_S, "i32x4.lt_s", 0xFD0039, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_LT_U, "i32x4.lt_u", 0xFD003A, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_GT_S, "i32x4.gt_s", 0xFD003B, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_GT_U, "i32x4.gt_u", 0xFD003C, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_LE_S, "i32x4.le_s", 0xFD003D, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_LE_U, "i32x4.le_u", 0xFD003E, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_GE_S, "i32x4.ge_s", 0xFD003F, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_GE_U, "i32x4.ge_u", 0xFD0040, IMM_NONE, 0, "vv", "v")                 \
  X(F32X4_EQ, "f32x4.eq", 0xFD0041, IMM_NONE, 0, "vv", "v")                     \
  X(F32X4_NE, "f32x4.ne", 0xFD0042, IMM_NONE, 0, "vv", "v")                     \
  X(F32X4_LT, "f32x4.lt", 0xFD0043, IMM_NONE, 0, "vv", "v")                     \
  X(F32X4_GT, "f32x4.gt", 0xFD0044, IMM_NONE, 0, "vv", "v")                     \
  X(F32X4_LE, "f32x4.le", 0xFD0045, IMM_NONE, 0, "vv", "v")                     \
  X(F32X4_GE, "f32x4.ge", 0xFD0046, IMM_NONE, 0, "vv", "v")                     \
  X(F64X2_EQ, "f64x2.eq", 0xFD0047, IMM_NONE, 0, "vv", "v")                     \
  X(F64X2_NE, "f64x2.ne", 0xFD0048, IMM_NONE, 0, "vv", "v")                     \
  X(F64X2_LT, "f64x2.lt", 0xFD0049, IMM_NONE, 0, "vv", "v")                     \
  X(F64X2_GT, "f64x2.gt", 0xFD004A, IMM_NONE, 0, "vv", "v")                     \
  X(F64X2_LE, "f64x2.le", 0xFD004B, IMM_NONE, 0, "vv", "v")                     \
  X(F64X2_GE, "f64x2.ge", 0xFD004C, IMM_NONE, 0, "vv", "v")                     \
  X(V128_NOT, "v128.not", 0xFD004D, IMM_NONE, 0, "v", "v")                      \
  X(V128_AND, "v128.and", 0xFD004E, IMM_NONE, 0, "vv", "v")                     \
  X(V128_ANDNOT, "v128.andnot", 0xFD004F, IMM_NONE, 0, "vv", "v")               \
  X(V128_OR, "v128.or", 0xFD0050, IMM_NONE, 0, "vv", "v")                       \
  X(V128_XOR, "v128.xor", 0xFD0051, IMM_NONE, 0, "vv", "v")                     \
  X(V128_BITSELECT, "v128.bitselect", 0xFD0052, IMM_NONE, 0, "vvv", "v")        \
  X(V128_ANY_TRUE, "v128.any_true", 0xFD0053, IMM_NONE, 0, "v", "i")            \
  X(V128_LOAD8_LANE, "v128.load8_lane", 0xFD0054, IMM_MEMARG_LANE, 0, "iv", "v") \
  X(V128_LOAD16_LANE, "v128.load16_lane", 0xFD0055, IMM_MEMARG_LANE, 1, "iv", "v") \
  X(V128_LOAD32_LANE, "v128.load32_lane", 0xFD0056, IMM_MEMARG_LANE, 2, "iv", "v") \
  X(V128_LOAD64_LANE, "v128.load64_lane", 0xFD0057, IMM_MEMARG_LANE, 3, "iv", "v") \
  X(V128_STORE8_LANE, "v128.store8_lane", 0xFD0058, IMM_MEMARG_LANE, 0, "iv", "") \
  X(V128_STORE16_LANE, "v128.store16_lane", 0xFD0059, IMM_MEMARG_LANE, 1, "iv", "") \
  X(V128_STORE32_LANE, "v128.store32_lane", 0xFD005A, IMM_MEMARG_LANE, 2, "iv", "") \
  X(V128_STORE64_LANE, "v128.store64_lane", 0xFD005B, IMM_MEMARG_LANE, 3, "iv", "") \
  X(V128_LOAD32_ZERO, "v128.load32_zero", 0xFD005C, IMM_MEMARG, 2, "i", "v")    \
  X(V128_LOAD64_ZERO, "v128.load64_zero", 0xFD005D, IMM_MEMARG, 3, "i", "v")    \
  X(F32X4_DEMOTE_F64X2_ZERO, "f32x4.demote_f64x2_zero", 0xFD005E, IMM_NONE, 0, "v", "v") \
  X(F64X2_PROMOTE_LOW_F32X4, "f64x2.promote_low_f32x4", 0xFD005F, IMM_NONE, 0, "v", "v") \
  X(I8X16_ABS, "i8x16.abs", 0xFD0060, IMM_NONE, 0, "v", "v")                    \
  X(I8X16_NEG, "i8x16.neg", 0xFD0061, IMM_NONE, 0, "v", "v")                    \
  X(I8X16_POPCNT, "i8x16.popcnt", 0xFD0062, IMM_NONE, 0, "v", "v")              \
  X(I8X16_ALL_TRUE, "i8x16.all_true", 0xFD0063, IMM_NONE, 0, "v", "i")          \
  X(I8X16_BITMASK, "i8x16.bitmask", 0xFD0064, IMM_NONE, 0, "v", "i")            \
  X(I8X16_NARROW_I16X8_S, "i8x16.narrow_i16x8_s", 0xFD0065, IMM_NONE, 0, "vv", "v") \
  X(I8X16_NARROW_I16X8_U, "i8x16.narrow_i16x8_u", 0xFD0066, IMM_NONE, 0, "vv", "v") \
  X(F32X4_CEIL, "f32x4.ceil", 0xFD0067, IMM_NONE, 0, "v", "v")                  \
  X(F32X4_FLOOR, "f32x4.floor", 0xFD0068, IMM_NONE, 0, "v", "v")                \
  X(F32X4_TRUNC, "f32x4.trunc", 0xFD0069, IMM_NONE, 0, "v", "v")                \
  X(F32X4_NEAREST, "f32x4.nearest", 0xFD006A, IMM_NONE, 0, "v", "v")            \
  X(I8X16_SHL, "i8x16.shl", 0xFD006B, IMM_NONE, 0, "vi", "v")                   \
  X(I8X16_SHR_S, "i8x16.shr_s", 0xFD006C, IMM_NONE, 0, "vi", "v")               \
  X(I8X16_SHR_U, "i8x16.shr_u", 0xFD006D, IMM_NONE, 0, "vi", "v")               \
  X(I8X16_ADD, "i8x16.add", 0xFD006E, IMM_NONE, 0, "vv", "v")                   \
  X(I8X16_ADD_SAT_S, "i8x16.add_sat_s", 0xFD006F, IMM_NONE, 0, "vv", "v")       \
  X(I8X16_ADD_SAT_U, "i8x16.add_sat_u", 0xFD0070, IMM_NONE, 0, "vv", "v")       \
  X(I8X16_SUB, "i8x16.sub", 0xFD0071, IMM_NONE, 0, "vv", "v")                   \
  X(I8X16_SUB_SAT_S, "i8x16.sub_sat_s", 0xFD0072, IMM_NONE, 0, "vv", "v")       \
  X(I8X16_SUB_SAT_U, "i8x16.sub_sat_u", 0xFD0073, IMM_NONE, 0, "vv", "v")       \
  X(F64X2_CEIL, "f64x2.ceil", 0xFD0074, IMM_NONE, 0, "v", "v")                  \
  X(F64X2_FLOOR, "f64x2.floor", 0xFD0075, IMM_NONE, 0, "v", "v")                \
  X(I8X16_MIN_S, "i8x16.min_s", 0xFD0076, IMM_NONE, 0, "vv", "v")               \
  X(I8X16_MIN_U, "i8x16.min_u", 0xFD0077, IMM_NONE, 0, "vv", "v")               \
  X(I8X16_MAX_S, "i8x16.max_s", 0xFD0078, IMM_NONE, 0, "vv", "v")               \
  X(I8X16_MAX_U, "i8x16.max_u", 0xFD0079, IMM_NONE, 0, "vv", "v")               \
  X(F64X2_TRUNC, "f64x2.trunc", 0xFD007A, IMM_NONE, 0, "v", "v")                \
  X(I8X16_AVGR_U, "i8x16.avgr_u", 0xFD007B, IMM_NONE, 0, "vv", "v")             \
  X(I16X8_EXTADD_PAIRWISE_I8X16_S, "i16x8.extadd_pairwise_i8x16_s", 0xFD007C, IMM_NONE, 0, "v", "v") \
  X(I16X8_EXTADD_PAIRWISE_I8X16_U, "i16x8.extadd_pairwise_i8x16_u", 0xFD007D, IMM_NONE, 0, "v", "v") \
  X(I32X4_EXTADD_PAIRWISE_I16X8_S, "i32x4.extadd_pairwise_i16x8_s", 0xFD007E, IMM_NONE, 0, "v", "v") \
  X(I32X4_EXTADD_PAIRWISE_I16X8_U, "i32x4.extadd_pairwise_i16x8_u", 0xFD007F, IMM_NONE, 0, "v", "v") \
  X(I16X8_ABS, "i16x8.abs", 0xFD0080, IMM_NONE, 0, "v", "v")                    \
  X(I16X8_NEG, "i16x8.neg", 0xFD0081, IMM_NONE, 0, "v", "v")                    \
  X(I16X8_Q15MULR_SAT_S, "i16x8.q15mulr_sat_s", 0xFD0082, IMM_NONE, 0, "vv", "v") \
  X(I16X8_ALL_TRUE, "i16x8.all_true", 0xFD0083, IMM_NONE, 0, "v", "i")          \
  X(I16X8_BITMASK, "i16x8.bitmask", 0xFD0084, IMM_NONE, 0, "v", "i")            \
  X(I16X8_NARROW_I32X4_S, "i16x8.narrow_i32x4_s", 0xFD0085, IMM_NONE, 0, "vv", "v") \
  X(I16X8_NARROW_I32X4_U, "i16x8.narrow_i32x4_u", 0xFD0086, IMM_NONE, 0, "vv", "v") \
  X(I16X8_EXTEND_LOW_I8X16_S, "i16x8.extend_low_i8x16_s", 0xFD0087, IMM_NONE, 0, "v", "v") \
  X(I16X8_EXTEND_HIGH_I8X16_S, "i16x8.extend_high_i8x16_s", 0xFD0088, IMM_NONE, 0, "v", "v") \
  X(I16X8_EXTEND_LOW_I8X16_U, "i16x8.extend_low_i8x16_u", 0xFD0089, IMM_NONE, 0, "v", "v") \
  X(I16X8_EXTEND_HIGH_I8X16_U, "i16x8.extend_high_i8x16_u", 0xFD008A, IMM_NONE, 0, "v", "v") \
  X(I16X8_SHL, "i16x8.shl", 0xFD008B, IMM_NONE, 0, "vi", "v")                   \
  X(I16X8_SHR_S, "i16x8.shr_s", 0xFD008C, IMM_NONE, 0, "vi", "v")               \
  X(I16X8_SHR_U, "i16x8.shr_u", 0xFD008D, IMM_NONE, 0, "vi", "v")               \
  X(I16X8_ADD, "i16x8.add", 0xFD008E, IMM_NONE, 0, "vv", "v")                   \
  X(I16X8_ADD_SAT_S, "i16x8.add_sat_s", 0xFD008F, IMM_NONE, 0, "vv", "v")       \
  X(I16X8_ADD_SAT_U, "i16x8.add_sat_u", 0xFD0090, IMM_NONE, 0, "vv", "v")       \
  X(I16X8_SUB, "i16x8.sub", 0xFD0091, IMM_NONE, 0, "vv", "v")                   \
  X(I16X8_SUB_SAT_S, "i16x8.sub_sat_s", 0xFD0092, IMM_NONE, 0, "vv", "v")       \
  X(I16X8_SUB_SAT_U, "i16x8.sub_sat_u", 0xFD0093, IMM_NONE, 0, "vv", "v")       \
  X(F64X2_NEAREST, "f64x2.nearest", 0xFD0094, IMM_NONE, 0, "v", "v")            \
  X(I16X8_MUL, "i16x8.mul", 0xFD0095, IMM_NONE, 0, "vv", "v")                   \
  X(I16X8_MIN_S, "i16x8.min_s", 0xFD0096, IMM_NONE, 0, "vv", "v")               \
  X(I16X8_MIN_U, "i16x8.min_u", 0xFD0097, IMM_NONE, 0, "vv", "v")               \
  X(I16X8_MAX_S, "i16x8.max_s", 0xFD0098, IMM_NONE, 0, "vv", "v")               \
  X(I16X8_MAX_U, "i16x8.max_u", 0xFD0099, IMM_NONE, 0, "vv", "v")               \
  X(I16X8_AVGR_U, "i16x8.avgr_u", 0xFD009B, IMM_NONE, 0, "vv", "v")             \
  X(I16X8_EXTMUL_LOW_I8X16_S, "i16x8.extmul_low_i8x16_s", 0xFD009C, IMM_NONE, 0, "vv", "v") \
  X(I16X8_EXTMUL_HIGH_I8X16_S, "i16x8.extmul_high_i8x16_s", 0xFD009D, IMM_NONE, 0, "vv", "v") \
  X(I16X8_EXTMUL_LOW_I8X16_U, "i16x8.extmul_low_i8x16_u", 0xFD009E, IMM_NONE, 0, "vv", "v") \
  X(I16X8_EXTMUL_HIGH_I8X16_U, "i16x8.extmul_high_i8x16_u", 0xFD009F, IMM_NONE, 0, "vv", "v") \
  X(I32X4_ABS, "i32x4.abs", 0xFD00A0, IMM_NONE, 0, "v", "v")                    \
  X(I32X4_NEG, "i32x4.neg", 0xFD00A1, IMM_NONE, 0, "v", "v")                    \
  X(I32X4_ALL_TRUE, "i32x4.all_true", 0xFD00A3, IMM_NONE, 0, "v", "i")          \
  X(I32X4_BITMASK, "i32x4.bitmask", 0xFD00A4, IMM_NONE, 0, "v", "i")            \
  X(I32X4_EXTEND_LOW_I16X8_S, "i32x4.extend_low_i16x8_s", 0xFD00A7, IMM_NONE, 0, "v", "v") \
  X(I32X4_EXTEND_HIGH_I16X8_S, "i32x4.extend_high_i16x8_s", 0xFD00A8, IMM_NONE, 0, "v", "v") \
  X(I32X4_EXTEND_LOW_I16X8_U, "i32x4.extend_low_i16x8_u", 0xFD00A9, IMM_NONE, 0, "v", "v") \
  X(I32X4_EXTEND_HIGH_I16X8_U, "i32x4.extend_high_i16x8_u", 0xFD00AA, IMM_NONE, 0, "v", "v") \
  X(I32X4_SHL, "i32x4.shl", 0xFD00AB, IMM_NONE, 0, "vi", "v")                   \
  X(I32X4_SHR_S, "i32x4.shr_s", 0xFD00AC, IMM_NONE, 0, "vi", "v")               \
  X(I32X4_SHR_U, "i32x4.shr_u", 0xFD00AD, IMM_NONE, 0, "vi", "v")               \
  X(I32X4_ADD, "i32x4.add", 0xFD00AE, IMM_NONE, 0, "vv", "v")                   \
  X(I32X4_SUB, "i32x4.sub", 0xFD00B1, IMM_NONE, 0, "vv", "v")                   \
  X(I32X4_MUL, "i32x4.mul", 0xFD00B5, IMM_NONE, 0, "vv", "v")                   \
  X(I32X4_MIN_S, "i32x4.min_s", 0xFD00B6, IMM_NONE, 0, "vv", "v")               \
  X(I32X4_MIN_U, "i32x4.min_u", 0xFD00B7, IMM_NONE, 0, "vv", "v")               \
  X(I32X4_MAX_S, "i32x4.max_s", 0xFD00B8, IMM_NONE, 0, "vv", "v")               \
  X(I32X4_MAX_U, "i32x4.max_u", 0xFD00B9, IMM_NONE, 0, "vv", "v")               \
  X(I32X4_DOT_I16X8_S, "i32x4.dot_i16x8_s", 0xFD00BA, IMM_NONE, 0, "vv", "v")   \
  X(I32X4_EXTMUL_LOW_I16X8_S, "i32x4.extmul_low_i16x8_s", 0xFD00BC, IMM_NONE, 0, "vv", "v") \
  X(I32X4_EXTMUL_HIGH_I16X8_S, "i32x4.extmul_high_i16x8_s", 0xFD00BD, IMM_NONE, 0, "vv", "v") \
  X(I32X4_EXTMUL_LOW_I16X8_U, "i32x4.extmul_low_i16x8_u", 0xFD00BE, IMM_NONE, 0, "vv", "v") \
  X(I32X4_EXTMUL_HIGH_I16X8_U, "i32x4.extmul_high_i16x8_u", 0xFD00BF, IMM_NONE, 0, "vv", "v") \
  X(I64X2_ABS, "i64x2.abs", 0xFD00C0, IMM_NONE, 0, "v", "v")                    \
  X(I64X2_NEG, "i64x2.neg", 0xFD00C1, IMM_NONE, 0, "v", "v")                    \
  X(I64X2_ALL_TRUE, "i64x2.all_true", 0xFD00C3, IMM_NONE, 0, "v", "i")          \
  X(I64X2_BITMASK, "i64x2.bitmask", 0xFD00C4, IMM_NONE, 0, "v", "i")            \
  X(I64X2_EXTEND_LOW_I32X4_S, "i64x2.extend_low_i32x4_s", 0xFD00C7, IMM_NONE, 0, "v", "v") \
  X(I64X2_EXTEND_HIGH_I32X4_S, "i64x2.extend_high_i32x4_s", 0xFD00C8, IMM_NONE, 0, "v", "v") \
  X(I64X2_EXTEND_LOW_I32X4_U, "i64x2.extend_low_i32x4_u", 0xFD00C9, IMM_NONE, 0, "v", "v") \
  X(I64X2_EXTEND_HIGH_I32X4_U, "i64x2.extend_high_i32x4_u", 0xFD00CA, IMM_NONE, 0, "v", "v") \
  X(I64X2_SHL, "i64x2.shl", 0xFD00CB, IMM_NONE, 0, "vi", "v")                   \
  X(I64X2_SHR_S, "i64x2.shr_s", 0xFD00CC, IMM_NONE, 0, "vi", "v")               \
  X(I64X2_SHR_U, "i64x2.shr_u", 0xFD00CD, IMM_NONE, 0, "vi", "v")               \
  X(I64X2_ADD, "i64x2.add", 0xFD00CE, IMM_NONE, 0, "vv", "v")                   \
  X(I64X2_SUB, "i64x2.sub", 0xFD00D1, IMM_NONE, 0, "vv", "v")                   \
  X(I64X2_MUL, "i64x2.mul", 0xFD00D5, IMM_NONE, 0, "vv", "v")                   \
  X(I64X2_EQ, "i64x2.eq", 0xFD00D6, IMM_NONE, 0, "vv", "v")                     \
  X(I64X2_NE, "i64x2.ne", 0xFD00D7, IMM_NONE, 0, "vv", "v")                     \
  X(I64X2_LT_S, "i64x2.lt_s", 0xFD00D8, IMM_NONE, 0, "vv", "v")                 \
  X(I64X2_GT_S, "i64x2.gt_s", 0xFD00D9, IMM_NONE, 0, "vv", "v")                 \
  X(I64X2_LE_S, "i64x2.le_s", 0xFD00DA, IMM_NONE, 0, "vv", "v")                 \
  X(I64X2_GE_S, "i64x2.ge_s", 0xFD00DB, IMM_NONE, 0, "vv", "v")                 \
  X(I64X2_EXTMUL_LOW_I32X4_S, "i64x2.extmul_low_i32x4_s", 0xFD00DC, IMM_NONE, 0, "vv", "v") \
  X(I64X2_EXTMUL_HIGH_I32X4_S, "i64x2.extmul_high_i32x4_s", 0xFD00DD, IMM_NONE, 0, "vv", "v") \
  X(I64X2_EXTMUL_LOW_I32X4_U, "i64x2.extmul_low_i32x4_u", 0xFD00DE, IMM_NONE, 0, "vv", "v") \
  X(I64X2_EXTMUL_HIGH_I32X4_U, "i64x2.extmul_high_i32x4_u", 0xFD00DF, IMM_NONE, 0, "vv", "v") \
  X(F32X4_ABS, "f32x4.abs", 0xFD00E0, IMM_NONE, 0, "v", "v")                    \
  X(F32X4_NEG, "f32x4.neg", 0xFD00E1, IMM_NONE, 0, "v", "v")                    \
  X(F32X4_SQRT, "f32x4.sqrt", 0xFD00E3, IMM_NONE, 0, "v", "v")                  \
  X(F32X4_ADD, "f32x4.add", 0xFD00E4, IMM_NONE, 0, "vv", "v")                   \
  X(F32X4_SUB, "f32x4.sub", 0xFD00E5, IMM_NONE, 0, "vv", "v")                   \
  X(F32X4_MUL, "f32x4.mul", 0xFD00E6, IMM_NONE, 0, "vv", "v")                   \
  X(F32X4_DIV, "f32x4.div", 0xFD00E7, IMM_NONE, 0, "vv", "v")                   \
  X(F32X4_MIN, "f32x4.min", 0xFD00E8, IMM_NONE, 0, "vv", "v")                   \
  X(F32X4_MAX, "f32x4.max", 0xFD00E9, IMM_NONE, 0, "vv", "v")                   \
  X(F32X4_PMIN, "f32x4.pmin", 0xFD00EA, IMM_NONE, 0, "vv", "v")                 \
  X(F32X4_PMAX, "f32x4.pmax", 0xFD00EB, IMM_NONE, 0, "vv", "v")                 \
  X(F64X2_ABS, "f64x2.abs", 0xFD00EC, IMM_NONE, 0, "v", "v")                    \
  X(F64X2_NEG, "f64x2.neg", 0xFD00ED, IMM_NONE, 0, "v", "v")                    \
  X(F64X2_SQRT, "f64x2.sqrt", 0xFD00EF, IMM_NONE, 0, "v", "v")                  \
  X(F64X2_ADD, "f64x2.add", 0xFD00F0, IMM_NONE, 0, "vv", "v")                   \
  X(F64X2_SUB, "f64x2.sub", 0xFD00F1, IMM_NONE, 0, "vv", "v")                   \
  X(F64X2_MUL, "f64x2.mul", 0xFD00F2, IMM_NONE, 0, "vv", "v")                   \
  X(F64X2_DIV, "f64x2.div", 0xFD00F3, IMM_NONE, 0, "vv", "v")                   \
  X(F64X2_MIN, "f64x2.min", 0xFD00F4, IMM_NONE, 0, "vv", "v")                   \
  X(F64X2_MAX, "f64x2.max", 0xFD00F5, IMM_NONE, 0, "vv", "v")                   \
  X(F64X2_PMIN, "f64x2.pmin", 0xFD00F6, IMM_NONE, 0, "vv", "v")                 \
  X(F64X2_PMAX, "f64x2.pmax", 0xFD00F7, IMM_NONE, 0, "vv", "v")                 \
  X(I32X4_TRUNC_SAT_F32X4_S, "i32x4.trunc_sat_f32x4_s", 0xFD00F8, IMM_NONE, 0, "v", "v") \
  X(I32X4_TRUNC_SAT_F32X4_U, "i32x4.trunc_sat_f32x4_u", 0xFD00F9, IMM_NONE, 0, "v", "v") \
  X(F32X4_CONVERT_I32X4_S, "f32x4.convert_i32x4_s", 0xFD00FA, IMM_NONE, 0, "v", "v") \
  X(F32X4_CONVERT_I32X4_U, "f32x4.convert_i32x4_u", 0xFD00FB, IMM_NONE, 0, "v", "v") \
  X(I32X4_TRUNC_SAT_F64X2_S_ZERO, "i32x4.trunc_sat_f64x2_s_zero", 0xFD00FC, IMM_NONE, 0, "v", "v") \
  X(I32X4_TRUNC_SAT_F64X2_U_ZERO, "i32x4.trunc_sat_f64x2_u_zero", 0xFD00FD, IMM_NONE, 0, "v", "v") \
  X(F64X2_CONVERT_LOW_I32X4_S, "f64x2.convert_low_i32x4_s", 0xFD00FE, IMM_NONE, 0, "v", "v") \
  X(F64X2_CONVERT_LOW_I32X4_U, "f64x2.convert_low_i32x4_u", 0xFD00FF, IMM_NONE, 0, "v", "v")

/* OP_<ID>: a dense internal number for each instruction (not the binary code). */
typedef enum WasmOp {
#define X(id, name, code, imm, align, params, results) OP_##id,
  WASM_OPCODES(X)
#undef X
  OP_COUNT_
} WasmOp;

/* Static facts about one instruction, indexed by WasmOp. */
typedef struct OpInfo {
  const char *zName;    /* text-format mnemonic */
  uint32_t code;        /* binary code, (prefix << 16) | sub for prefixed ones */
  ImmKind imm;
  uint8_t align;        /* natural alignment, log2 (memory instructions) */
  const char *zParams;  /* signature letters, or "*" when typed by hand */
  const char *zResults;
} OpInfo;

extern const OpInfo opinfo_table[OP_COUNT_];

/* Maps a binary opcode to its WasmOp; returns -1 for an unknown opcode.
** byte is the first opcode byte; sub is the LEB128 sub-opcode for prefixes
** 0xFC/0xFD (ignored otherwise). */
int opinfo_lookup(uint32_t byte, uint32_t sub);

/* The table behind opinfo_lookup, for decoders' inline fast paths:
** opinfo_index[k] is WasmOp + 1 (0: no instruction) where k is the byte for
** one-byte codes (< 0xFC), OPINFO_FC_BASE + sub for 0xFC-prefixed ones and
** OPINFO_FD_BASE + sub for 0xFD-prefixed ones (sub < OPINFO_FD_BASE -
** OPINFO_FC_BASE and < OPINFO_INDEX_SIZE - OPINFO_FD_BASE respectively). */
#define OPINFO_FC_BASE 0x100
#define OPINFO_FD_BASE 0x120
#define OPINFO_INDEX_SIZE 0x220
extern const uint16_t opinfo_index[OPINFO_INDEX_SIZE];

/* Maps a text mnemonic (len bytes, not NUL-terminated) to its WasmOp, or -1.
** "select" maps to OP_SELECT; the text parser picks OP_SELECT_T when a
** (result ...) follows. */
int opinfo_lookup_name(const char *z, size_t len);

#endif
