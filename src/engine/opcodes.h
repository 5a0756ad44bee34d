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
  X(TABLE_FILL, "table.fill", 0xFC0011, IMM_TABLE, 0, "*", "*")

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

/* Maps a text mnemonic (len bytes, not NUL-terminated) to its WasmOp, or -1.
** "select" maps to OP_SELECT; the text parser picks OP_SELECT_T when a
** (result ...) follows. */
int opinfo_lookup_name(const char *z, size_t len);

#endif
