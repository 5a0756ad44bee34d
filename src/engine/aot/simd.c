/*
** simd.c: rt->simd, the SIMD instructions the emitted C does not inline.
**
** Dispatches a WasmOp (its number is part of CAIRN_AOT_ABI) to the
** interpreter's SIMD semantics (interp/simd.h), so both tiers compute the
** same bits. Operands and the result travel as v128s: a scalar operand in
** the low lane, a scalar result in out's low lane (the rest zero); the
** v128.loadNxM_s/u widenings get their 8 loaded bytes in in[0]. imm is the
** lane index, or for i8x16.shuffle the address of its 16 lane bytes.
**
** It may not touch: the runtime's state (it computes values only).
*/
#include <string.h>

#include "engine/aot/aot.h"
#include "engine/interp/simd.h"

/* the instructions by signature: X(OP, semantics function) */
#define AOT_SIMD_UNARY(X) \
  X(V128_NOT, simd_not)\
  X(F32X4_DEMOTE_F64X2_ZERO, simd_f32x4_demote_f64x2_zero)\
  X(F64X2_PROMOTE_LOW_F32X4, simd_f64x2_promote_low_f32x4)\
  X(I8X16_ABS, simd_i8x16_abs)\
  X(I8X16_NEG, simd_i8x16_neg)\
  X(I8X16_POPCNT, simd_i8x16_popcnt)\
  X(F32X4_CEIL, simd_f32x4_ceil)\
  X(F32X4_FLOOR, simd_f32x4_floor)\
  X(F32X4_TRUNC, simd_f32x4_trunc)\
  X(F32X4_NEAREST, simd_f32x4_nearest)\
  X(F64X2_CEIL, simd_f64x2_ceil)\
  X(F64X2_FLOOR, simd_f64x2_floor)\
  X(F64X2_TRUNC, simd_f64x2_trunc)\
  X(I16X8_EXTADD_PAIRWISE_I8X16_S, simd_i16x8_extadd_pairwise_i8x16_s)\
  X(I16X8_EXTADD_PAIRWISE_I8X16_U, simd_i16x8_extadd_pairwise_i8x16_u)\
  X(I32X4_EXTADD_PAIRWISE_I16X8_S, simd_i32x4_extadd_pairwise_i16x8_s)\
  X(I32X4_EXTADD_PAIRWISE_I16X8_U, simd_i32x4_extadd_pairwise_i16x8_u)\
  X(I16X8_ABS, simd_i16x8_abs)\
  X(I16X8_NEG, simd_i16x8_neg)\
  X(I16X8_EXTEND_LOW_I8X16_S, simd_i16x8_extend_low_i8x16_s)\
  X(I16X8_EXTEND_HIGH_I8X16_S, simd_i16x8_extend_high_i8x16_s)\
  X(I16X8_EXTEND_LOW_I8X16_U, simd_i16x8_extend_low_i8x16_u)\
  X(I16X8_EXTEND_HIGH_I8X16_U, simd_i16x8_extend_high_i8x16_u)\
  X(F64X2_NEAREST, simd_f64x2_nearest)\
  X(I32X4_ABS, simd_i32x4_abs)\
  X(I32X4_NEG, simd_i32x4_neg)\
  X(I32X4_EXTEND_LOW_I16X8_S, simd_i32x4_extend_low_i16x8_s)\
  X(I32X4_EXTEND_HIGH_I16X8_S, simd_i32x4_extend_high_i16x8_s)\
  X(I32X4_EXTEND_LOW_I16X8_U, simd_i32x4_extend_low_i16x8_u)\
  X(I32X4_EXTEND_HIGH_I16X8_U, simd_i32x4_extend_high_i16x8_u)\
  X(I64X2_ABS, simd_i64x2_abs)\
  X(I64X2_NEG, simd_i64x2_neg)\
  X(I64X2_EXTEND_LOW_I32X4_S, simd_i64x2_extend_low_i32x4_s)\
  X(I64X2_EXTEND_HIGH_I32X4_S, simd_i64x2_extend_high_i32x4_s)\
  X(I64X2_EXTEND_LOW_I32X4_U, simd_i64x2_extend_low_i32x4_u)\
  X(I64X2_EXTEND_HIGH_I32X4_U, simd_i64x2_extend_high_i32x4_u)\
  X(F32X4_ABS, simd_f32x4_abs)\
  X(F32X4_NEG, simd_f32x4_neg)\
  X(F32X4_SQRT, simd_f32x4_sqrt)\
  X(F64X2_ABS, simd_f64x2_abs)\
  X(F64X2_NEG, simd_f64x2_neg)\
  X(F64X2_SQRT, simd_f64x2_sqrt)\
  X(I32X4_TRUNC_SAT_F32X4_S, simd_i32x4_trunc_sat_f32x4_s)\
  X(I32X4_TRUNC_SAT_F32X4_U, simd_i32x4_trunc_sat_f32x4_u)\
  X(F32X4_CONVERT_I32X4_S, simd_f32x4_convert_i32x4_s)\
  X(F32X4_CONVERT_I32X4_U, simd_f32x4_convert_i32x4_u)\
  X(I32X4_TRUNC_SAT_F64X2_S_ZERO, simd_i32x4_trunc_sat_f64x2_s_zero)\
  X(I32X4_TRUNC_SAT_F64X2_U_ZERO, simd_i32x4_trunc_sat_f64x2_u_zero)\
  X(F64X2_CONVERT_LOW_I32X4_S, simd_f64x2_convert_low_i32x4_s)\
  X(F64X2_CONVERT_LOW_I32X4_U, simd_f64x2_convert_low_i32x4_u)\

#define AOT_SIMD_BINARY(X) \
  X(I8X16_SWIZZLE, simd_swizzle)\
  X(I8X16_EQ, simd_i8x16_eq)\
  X(I8X16_NE, simd_i8x16_ne)\
  X(I8X16_LT_S, simd_i8x16_lt_s)\
  X(I8X16_LT_U, simd_i8x16_lt_u)\
  X(I8X16_GT_S, simd_i8x16_gt_s)\
  X(I8X16_GT_U, simd_i8x16_gt_u)\
  X(I8X16_LE_S, simd_i8x16_le_s)\
  X(I8X16_LE_U, simd_i8x16_le_u)\
  X(I8X16_GE_S, simd_i8x16_ge_s)\
  X(I8X16_GE_U, simd_i8x16_ge_u)\
  X(I16X8_EQ, simd_i16x8_eq)\
  X(I16X8_NE, simd_i16x8_ne)\
  X(I16X8_LT_S, simd_i16x8_lt_s)\
  X(I16X8_LT_U, simd_i16x8_lt_u)\
  X(I16X8_GT_S, simd_i16x8_gt_s)\
  X(I16X8_GT_U, simd_i16x8_gt_u)\
  X(I16X8_LE_S, simd_i16x8_le_s)\
  X(I16X8_LE_U, simd_i16x8_le_u)\
  X(I16X8_GE_S, simd_i16x8_ge_s)\
  X(I16X8_GE_U, simd_i16x8_ge_u)\
  X(I32X4_EQ, simd_i32x4_eq)\
  X(I32X4_NE, simd_i32x4_ne)\
  X(I32X4_LT_S, simd_i32x4_lt_s)\
  X(I32X4_LT_U, simd_i32x4_lt_u)\
  X(I32X4_GT_S, simd_i32x4_gt_s)\
  X(I32X4_GT_U, simd_i32x4_gt_u)\
  X(I32X4_LE_S, simd_i32x4_le_s)\
  X(I32X4_LE_U, simd_i32x4_le_u)\
  X(I32X4_GE_S, simd_i32x4_ge_s)\
  X(I32X4_GE_U, simd_i32x4_ge_u)\
  X(F32X4_EQ, simd_f32x4_eq)\
  X(F32X4_NE, simd_f32x4_ne)\
  X(F32X4_LT, simd_f32x4_lt)\
  X(F32X4_GT, simd_f32x4_gt)\
  X(F32X4_LE, simd_f32x4_le)\
  X(F32X4_GE, simd_f32x4_ge)\
  X(F64X2_EQ, simd_f64x2_eq)\
  X(F64X2_NE, simd_f64x2_ne)\
  X(F64X2_LT, simd_f64x2_lt)\
  X(F64X2_GT, simd_f64x2_gt)\
  X(F64X2_LE, simd_f64x2_le)\
  X(F64X2_GE, simd_f64x2_ge)\
  X(V128_AND, simd_and)\
  X(V128_ANDNOT, simd_andnot)\
  X(V128_OR, simd_or)\
  X(V128_XOR, simd_xor)\
  X(I8X16_NARROW_I16X8_S, simd_i8x16_narrow_i16x8_s)\
  X(I8X16_NARROW_I16X8_U, simd_i8x16_narrow_i16x8_u)\
  X(I8X16_ADD, simd_i8x16_add)\
  X(I8X16_ADD_SAT_S, simd_i8x16_add_sat_s)\
  X(I8X16_ADD_SAT_U, simd_i8x16_add_sat_u)\
  X(I8X16_SUB, simd_i8x16_sub)\
  X(I8X16_SUB_SAT_S, simd_i8x16_sub_sat_s)\
  X(I8X16_SUB_SAT_U, simd_i8x16_sub_sat_u)\
  X(I8X16_MIN_S, simd_i8x16_min_s)\
  X(I8X16_MIN_U, simd_i8x16_min_u)\
  X(I8X16_MAX_S, simd_i8x16_max_s)\
  X(I8X16_MAX_U, simd_i8x16_max_u)\
  X(I8X16_AVGR_U, simd_i8x16_avgr_u)\
  X(I16X8_Q15MULR_SAT_S, simd_i16x8_q15mulr_sat_s)\
  X(I16X8_NARROW_I32X4_S, simd_i16x8_narrow_i32x4_s)\
  X(I16X8_NARROW_I32X4_U, simd_i16x8_narrow_i32x4_u)\
  X(I16X8_ADD, simd_i16x8_add)\
  X(I16X8_ADD_SAT_S, simd_i16x8_add_sat_s)\
  X(I16X8_ADD_SAT_U, simd_i16x8_add_sat_u)\
  X(I16X8_SUB, simd_i16x8_sub)\
  X(I16X8_SUB_SAT_S, simd_i16x8_sub_sat_s)\
  X(I16X8_SUB_SAT_U, simd_i16x8_sub_sat_u)\
  X(I16X8_MUL, simd_i16x8_mul)\
  X(I16X8_MIN_S, simd_i16x8_min_s)\
  X(I16X8_MIN_U, simd_i16x8_min_u)\
  X(I16X8_MAX_S, simd_i16x8_max_s)\
  X(I16X8_MAX_U, simd_i16x8_max_u)\
  X(I16X8_AVGR_U, simd_i16x8_avgr_u)\
  X(I16X8_EXTMUL_LOW_I8X16_S, simd_i16x8_extmul_low_i8x16_s)\
  X(I16X8_EXTMUL_HIGH_I8X16_S, simd_i16x8_extmul_high_i8x16_s)\
  X(I16X8_EXTMUL_LOW_I8X16_U, simd_i16x8_extmul_low_i8x16_u)\
  X(I16X8_EXTMUL_HIGH_I8X16_U, simd_i16x8_extmul_high_i8x16_u)\
  X(I32X4_ADD, simd_i32x4_add)\
  X(I32X4_SUB, simd_i32x4_sub)\
  X(I32X4_MUL, simd_i32x4_mul)\
  X(I32X4_MIN_S, simd_i32x4_min_s)\
  X(I32X4_MIN_U, simd_i32x4_min_u)\
  X(I32X4_MAX_S, simd_i32x4_max_s)\
  X(I32X4_MAX_U, simd_i32x4_max_u)\
  X(I32X4_DOT_I16X8_S, simd_i32x4_dot_i16x8_s)\
  X(I32X4_EXTMUL_LOW_I16X8_S, simd_i32x4_extmul_low_i16x8_s)\
  X(I32X4_EXTMUL_HIGH_I16X8_S, simd_i32x4_extmul_high_i16x8_s)\
  X(I32X4_EXTMUL_LOW_I16X8_U, simd_i32x4_extmul_low_i16x8_u)\
  X(I32X4_EXTMUL_HIGH_I16X8_U, simd_i32x4_extmul_high_i16x8_u)\
  X(I64X2_ADD, simd_i64x2_add)\
  X(I64X2_SUB, simd_i64x2_sub)\
  X(I64X2_MUL, simd_i64x2_mul)\
  X(I64X2_EQ, simd_i64x2_eq)\
  X(I64X2_NE, simd_i64x2_ne)\
  X(I64X2_LT_S, simd_i64x2_lt_s)\
  X(I64X2_GT_S, simd_i64x2_gt_s)\
  X(I64X2_LE_S, simd_i64x2_le_s)\
  X(I64X2_GE_S, simd_i64x2_ge_s)\
  X(I64X2_EXTMUL_LOW_I32X4_S, simd_i64x2_extmul_low_i32x4_s)\
  X(I64X2_EXTMUL_HIGH_I32X4_S, simd_i64x2_extmul_high_i32x4_s)\
  X(I64X2_EXTMUL_LOW_I32X4_U, simd_i64x2_extmul_low_i32x4_u)\
  X(I64X2_EXTMUL_HIGH_I32X4_U, simd_i64x2_extmul_high_i32x4_u)\
  X(F32X4_ADD, simd_f32x4_add)\
  X(F32X4_SUB, simd_f32x4_sub)\
  X(F32X4_MUL, simd_f32x4_mul)\
  X(F32X4_DIV, simd_f32x4_div)\
  X(F32X4_MIN, simd_f32x4_min)\
  X(F32X4_MAX, simd_f32x4_max)\
  X(F32X4_PMIN, simd_f32x4_pmin)\
  X(F32X4_PMAX, simd_f32x4_pmax)\
  X(F64X2_ADD, simd_f64x2_add)\
  X(F64X2_SUB, simd_f64x2_sub)\
  X(F64X2_MUL, simd_f64x2_mul)\
  X(F64X2_DIV, simd_f64x2_div)\
  X(F64X2_MIN, simd_f64x2_min)\
  X(F64X2_MAX, simd_f64x2_max)\
  X(F64X2_PMIN, simd_f64x2_pmin)\
  X(F64X2_PMAX, simd_f64x2_pmax)\

#define AOT_SIMD_TEST(X) \
  X(V128_ANY_TRUE, simd_any_true)\
  X(I8X16_ALL_TRUE, simd_i8x16_all_true)\
  X(I8X16_BITMASK, simd_i8x16_bitmask)\
  X(I16X8_ALL_TRUE, simd_i16x8_all_true)\
  X(I16X8_BITMASK, simd_i16x8_bitmask)\
  X(I32X4_ALL_TRUE, simd_i32x4_all_true)\
  X(I32X4_BITMASK, simd_i32x4_bitmask)\
  X(I64X2_ALL_TRUE, simd_i64x2_all_true)\
  X(I64X2_BITMASK, simd_i64x2_bitmask)\

#define AOT_SIMD_SHIFT(X) \
  X(I8X16_SHL, simd_i8x16_shl)\
  X(I8X16_SHR_S, simd_i8x16_shr_s)\
  X(I8X16_SHR_U, simd_i8x16_shr_u)\
  X(I16X8_SHL, simd_i16x8_shl)\
  X(I16X8_SHR_S, simd_i16x8_shr_s)\
  X(I16X8_SHR_U, simd_i16x8_shr_u)\
  X(I32X4_SHL, simd_i32x4_shl)\
  X(I32X4_SHR_S, simd_i32x4_shr_s)\
  X(I32X4_SHR_U, simd_i32x4_shr_u)\
  X(I64X2_SHL, simd_i64x2_shl)\
  X(I64X2_SHR_S, simd_i64x2_shr_s)\
  X(I64X2_SHR_U, simd_i64x2_shr_u)\

void aot_rt_simd(cairn_aot_ctx *ctx, uint32_t op, cairn_v128 *out, const cairn_v128 *in,
                 uint64_t imm) {
  V128 a, b, c, r = simd_zero();
  memcpy(&a, &in[0], 16);
  memcpy(&b, &in[1], 16);
  memcpy(&c, &in[2], 16);
  uint32_t lane = (uint32_t)imm;
  switch ((WasmOp)op) {
#define UN(OPN, fn) \
  case OP_##OPN:    \
    r = fn(a);      \
    break;
#define BIN(OPN, fn) \
  case OP_##OPN:     \
    r = fn(a, b);    \
    break;
#define TEST(OPN, fn)  \
  case OP_##OPN:       \
    r.u32[0] = fn(a);  \
    break;
#define SHIFT(OPN, fn)                \
  case OP_##OPN:                      \
    r = fn(a, (uint32_t)b.u64[0]);    \
    break;
    AOT_SIMD_UNARY(UN)
    AOT_SIMD_BINARY(BIN)
    AOT_SIMD_TEST(TEST)
    AOT_SIMD_SHIFT(SHIFT)
#undef UN
#undef BIN
#undef TEST
#undef SHIFT
    case OP_V128_BITSELECT: r = simd_bitselect(a, b, c); break;
    case OP_I8X16_SHUFFLE: r = simd_shuffle(a, b, (const uint8_t *)(uintptr_t)imm); break;
    case OP_I8X16_SPLAT: r = simd_i8x16_splat(a.u64[0]); break;
    case OP_I16X8_SPLAT: r = simd_i16x8_splat(a.u64[0]); break;
    case OP_I32X4_SPLAT: case OP_F32X4_SPLAT: r = simd_i32x4_splat(a.u64[0]); break;
    case OP_I64X2_SPLAT: case OP_F64X2_SPLAT: r = simd_i64x2_splat(a.u64[0]); break;
    /* the loaded bytes are in a */
    case OP_V128_LOAD8X8_S: r = simd_load8x8_s(a.u8); break;
    case OP_V128_LOAD8X8_U: r = simd_load8x8_u(a.u8); break;
    case OP_V128_LOAD16X4_S: r = simd_load16x4_s(a.u8); break;
    case OP_V128_LOAD16X4_U: r = simd_load16x4_u(a.u8); break;
    case OP_V128_LOAD32X2_S: r = simd_load32x2_s(a.u8); break;
    case OP_V128_LOAD32X2_U: r = simd_load32x2_u(a.u8); break;
    /* lanes (the emitted C inlines them; here for completeness) */
    case OP_I8X16_EXTRACT_LANE_S: r.u32[0] = (uint32_t)(int32_t)a.i8[lane & 15]; break;
    case OP_I8X16_EXTRACT_LANE_U: r.u32[0] = a.u8[lane & 15]; break;
    case OP_I16X8_EXTRACT_LANE_S: r.u32[0] = (uint32_t)(int32_t)a.i16[lane & 7]; break;
    case OP_I16X8_EXTRACT_LANE_U: r.u32[0] = a.u16[lane & 7]; break;
    case OP_I32X4_EXTRACT_LANE: case OP_F32X4_EXTRACT_LANE: r.u32[0] = a.u32[lane & 3]; break;
    case OP_I64X2_EXTRACT_LANE: case OP_F64X2_EXTRACT_LANE: r.u64[0] = a.u64[lane & 1]; break;
    case OP_I8X16_REPLACE_LANE: r = a; r.u8[lane & 15] = (uint8_t)b.u64[0]; break;
    case OP_I16X8_REPLACE_LANE: r = a; r.u16[lane & 7] = (uint16_t)b.u64[0]; break;
    case OP_I32X4_REPLACE_LANE: case OP_F32X4_REPLACE_LANE: r = a; r.u32[lane & 3] = (uint32_t)b.u64[0]; break;
    case OP_I64X2_REPLACE_LANE: case OP_F64X2_REPLACE_LANE: r = a; r.u64[lane & 1] = b.u64[0]; break;
    default:
      /* the emitter sends no other instruction: an engine bug */
      ctx->rt->trap(ctx, CAIRN_AOT_TRAP_UNREACHABLE);
      return;
  }
  memcpy(out, &r, 16);
}
