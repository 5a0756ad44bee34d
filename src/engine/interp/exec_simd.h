/*
** exec_simd.h: the interpreter's SIMD handlers. Not a normal header: it is
** included once, inside exec_run (exec.c), between the other handlers, and
** uses that function's locals and macros (pc, fp, mb, S(k), U32(k), OP,
** NEXT, MEM_CHK, TRAP). Operand layout: interp.h (INTERP_SIMD_OPS); the
** semantics are simd.h's. Every handler reads all its operands before it
** writes its result (the result slots may be an operand's).
*/

#define VGET(k) simd_get(&S(k))
#define VPUT(k, v) simd_put(&S(k), (v))

/* v128 -> v128 and (v128, v128) -> v128 */
#define VUN(name, fn)         \
  OP(name) {                  \
    V128 r_ = fn(VGET(1));    \
    VPUT(0, r_);              \
    pc += 2;                  \
    NEXT();                   \
  }
#define VBIN(name, fn)                 \
  OP(name) {                           \
    V128 r_ = fn(VGET(1), VGET(2));    \
    VPUT(0, r_);                       \
    pc += 3;                           \
    NEXT();                            \
  }
/* (v128, i32 count) -> v128 */
#define VSHIFT(name, fn)               \
  OP(name) {                           \
    V128 r_ = fn(VGET(1), U32(2));     \
    VPUT(0, r_);                       \
    pc += 3;                           \
    NEXT();                            \
  }
/* v128 -> i32 */
#define VTEST(name, fn)                \
  OP(name) {                           \
    S(0) = fn(VGET(1));                \
    pc += 2;                           \
    NEXT();                            \
  }
/* scalar -> v128 */
#define VSPLAT(name, fn)               \
  OP(name) {                           \
    V128 r_ = fn(S(1));                \
    VPUT(0, r_);                       \
    pc += 2;                           \
    NEXT();                            \
  }
/* v128[lane] -> scalar: dst, v, lane */
#define VEXTRACT(name, expr)           \
  OP(name) {                           \
    V128 a_ = VGET(1);                 \
    uint32_t l_ = pc[2];               \
    S(0) = (expr);                     \
    pc += 3;                           \
    NEXT();                            \
  }
/* dst, v, scalar, lane */
#define VREPLACE(name, L, T, N)        \
  OP(name) {                           \
    V128 a_ = VGET(1);                 \
    a_.L[pc[3] & ((N)-1)] = (T)S(2);   \
    VPUT(0, a_);                       \
    pc += 4;                           \
    NEXT();                            \
  }
/* loads: dst, addr, offset; n bytes read from mb + ea by fn */
#define VLOAD(name, n, fn)                      \
  OP(name) {                                    \
    uint64_t ea = (uint64_t)U32(1) + pc[2];     \
    MEM_CHK(ea, n);                             \
    V128 r_ = fn(mb + ea);                      \
    VPUT(0, r_);                                \
    pc += 3;                                    \
    NEXT();                                     \
  }
/* dst, addr, v, offset, lane */
#define VLOAD_LANE(name, n)                     \
  OP(name) {                                    \
    uint64_t ea = (uint64_t)U32(1) + pc[3];     \
    MEM_CHK(ea, n);                             \
    V128 a_ = VGET(2);                          \
    memcpy(&a_.u8[(pc[4] & (16 / (n)-1)) * (n)], mb + ea, n); \
    VPUT(0, a_);                                \
    pc += 5;                                    \
    NEXT();                                     \
  }
/* addr, v, offset, lane */
#define VSTORE_LANE(name, n)                    \
  OP(name) {                                    \
    uint64_t ea = (uint64_t)U32(0) + pc[2];     \
    STORE_CHK(ea, n);                           \
    V128 a_ = VGET(1);                          \
    memcpy(mb + ea, &a_.u8[(pc[3] & (16 / (n)-1)) * (n)], n); \
    pc += 4;                                    \
    NEXT();                                     \
  }

/* ---- memory ---- */
VLOAD(V128_LOAD, 16, simd_load128)
VLOAD(V128_LOAD8X8_S, 8, simd_load8x8_s)
VLOAD(V128_LOAD8X8_U, 8, simd_load8x8_u)
VLOAD(V128_LOAD16X4_S, 8, simd_load16x4_s)
VLOAD(V128_LOAD16X4_U, 8, simd_load16x4_u)
VLOAD(V128_LOAD32X2_S, 8, simd_load32x2_s)
VLOAD(V128_LOAD32X2_U, 8, simd_load32x2_u)
VLOAD(V128_LOAD8_SPLAT, 1, simd_load8_splat)
VLOAD(V128_LOAD16_SPLAT, 2, simd_load16_splat)
VLOAD(V128_LOAD32_SPLAT, 4, simd_load32_splat)
VLOAD(V128_LOAD64_SPLAT, 8, simd_load64_splat)
VLOAD(V128_LOAD32_ZERO, 4, simd_load32_zero)
VLOAD(V128_LOAD64_ZERO, 8, simd_load64_zero)
OP(V128_STORE) {
  uint64_t ea = (uint64_t)U32(0) + pc[2];
  STORE_CHK(ea, 16);
  memcpy(mb + ea, &S(1), 16);
  pc += 3;
  NEXT();
}
VLOAD_LANE(V128_LOAD8_LANE, 1)
VLOAD_LANE(V128_LOAD16_LANE, 2)
VLOAD_LANE(V128_LOAD32_LANE, 4)
VLOAD_LANE(V128_LOAD64_LANE, 8)
VSTORE_LANE(V128_STORE8_LANE, 1)
VSTORE_LANE(V128_STORE16_LANE, 2)
VSTORE_LANE(V128_STORE32_LANE, 4)
VSTORE_LANE(V128_STORE64_LANE, 8)

/* ---- lanes ---- */
OP(I8X16_SHUFFLE) {
  uint8_t lanes_[16];
  memcpy(lanes_, pc + 3, 16);
  V128 r_ = simd_shuffle(VGET(1), VGET(2), lanes_);
  VPUT(0, r_);
  pc += 7;
  NEXT();
}
VBIN(I8X16_SWIZZLE, simd_swizzle)
VSPLAT(I8X16_SPLAT, simd_i8x16_splat)
VSPLAT(I16X8_SPLAT, simd_i16x8_splat)
VSPLAT(I32X4_SPLAT, simd_i32x4_splat)
VSPLAT(I64X2_SPLAT, simd_i64x2_splat)
VSPLAT(F32X4_SPLAT, simd_i32x4_splat)
VSPLAT(F64X2_SPLAT, simd_i64x2_splat)
VEXTRACT(I8X16_EXTRACT_LANE_S, (uint32_t)(int32_t)a_.i8[l_ & 15])
VEXTRACT(I8X16_EXTRACT_LANE_U, a_.u8[l_ & 15])
VEXTRACT(I16X8_EXTRACT_LANE_S, (uint32_t)(int32_t)a_.i16[l_ & 7])
VEXTRACT(I16X8_EXTRACT_LANE_U, a_.u16[l_ & 7])
VEXTRACT(I32X4_EXTRACT_LANE, a_.u32[l_ & 3])
VEXTRACT(I64X2_EXTRACT_LANE, a_.u64[l_ & 1])
VEXTRACT(F32X4_EXTRACT_LANE, a_.u32[l_ & 3])
VEXTRACT(F64X2_EXTRACT_LANE, a_.u64[l_ & 1])
VREPLACE(I8X16_REPLACE_LANE, u8, uint8_t, 16)
VREPLACE(I16X8_REPLACE_LANE, u16, uint16_t, 8)
VREPLACE(I32X4_REPLACE_LANE, u32, uint32_t, 4)
VREPLACE(I64X2_REPLACE_LANE, u64, uint64_t, 2)
VREPLACE(F32X4_REPLACE_LANE, u32, uint32_t, 4)
VREPLACE(F64X2_REPLACE_LANE, u64, uint64_t, 2)

/* ---- comparisons ---- */
VBIN(I8X16_EQ, simd_i8x16_eq)
VBIN(I8X16_NE, simd_i8x16_ne)
VBIN(I8X16_LT_S, simd_i8x16_lt_s)
VBIN(I8X16_LT_U, simd_i8x16_lt_u)
VBIN(I8X16_GT_S, simd_i8x16_gt_s)
VBIN(I8X16_GT_U, simd_i8x16_gt_u)
VBIN(I8X16_LE_S, simd_i8x16_le_s)
VBIN(I8X16_LE_U, simd_i8x16_le_u)
VBIN(I8X16_GE_S, simd_i8x16_ge_s)
VBIN(I8X16_GE_U, simd_i8x16_ge_u)
VBIN(I16X8_EQ, simd_i16x8_eq)
VBIN(I16X8_NE, simd_i16x8_ne)
VBIN(I16X8_LT_S, simd_i16x8_lt_s)
VBIN(I16X8_LT_U, simd_i16x8_lt_u)
VBIN(I16X8_GT_S, simd_i16x8_gt_s)
VBIN(I16X8_GT_U, simd_i16x8_gt_u)
VBIN(I16X8_LE_S, simd_i16x8_le_s)
VBIN(I16X8_LE_U, simd_i16x8_le_u)
VBIN(I16X8_GE_S, simd_i16x8_ge_s)
VBIN(I16X8_GE_U, simd_i16x8_ge_u)
VBIN(I32X4_EQ, simd_i32x4_eq)
VBIN(I32X4_NE, simd_i32x4_ne)
VBIN(I32X4_LT_S, simd_i32x4_lt_s)
VBIN(I32X4_LT_U, simd_i32x4_lt_u)
VBIN(I32X4_GT_S, simd_i32x4_gt_s)
VBIN(I32X4_GT_U, simd_i32x4_gt_u)
VBIN(I32X4_LE_S, simd_i32x4_le_s)
VBIN(I32X4_LE_U, simd_i32x4_le_u)
VBIN(I32X4_GE_S, simd_i32x4_ge_s)
VBIN(I32X4_GE_U, simd_i32x4_ge_u)
VBIN(I64X2_EQ, simd_i64x2_eq)
VBIN(I64X2_NE, simd_i64x2_ne)
VBIN(I64X2_LT_S, simd_i64x2_lt_s)
VBIN(I64X2_GT_S, simd_i64x2_gt_s)
VBIN(I64X2_LE_S, simd_i64x2_le_s)
VBIN(I64X2_GE_S, simd_i64x2_ge_s)
VBIN(F32X4_EQ, simd_f32x4_eq)
VBIN(F32X4_NE, simd_f32x4_ne)
VBIN(F32X4_LT, simd_f32x4_lt)
VBIN(F32X4_GT, simd_f32x4_gt)
VBIN(F32X4_LE, simd_f32x4_le)
VBIN(F32X4_GE, simd_f32x4_ge)
VBIN(F64X2_EQ, simd_f64x2_eq)
VBIN(F64X2_NE, simd_f64x2_ne)
VBIN(F64X2_LT, simd_f64x2_lt)
VBIN(F64X2_GT, simd_f64x2_gt)
VBIN(F64X2_LE, simd_f64x2_le)
VBIN(F64X2_GE, simd_f64x2_ge)

/* ---- bitwise ---- */
VUN(V128_NOT, simd_not)
VBIN(V128_AND, simd_and)
VBIN(V128_ANDNOT, simd_andnot)
VBIN(V128_OR, simd_or)
VBIN(V128_XOR, simd_xor)
OP(V128_BITSELECT) {
  V128 r_ = simd_bitselect(VGET(1), VGET(2), VGET(3));
  VPUT(0, r_);
  pc += 4;
  NEXT();
}
VTEST(V128_ANY_TRUE, simd_any_true)

/* ---- integer ---- */
VUN(I8X16_ABS, simd_i8x16_abs)
VUN(I8X16_NEG, simd_i8x16_neg)
VUN(I8X16_POPCNT, simd_i8x16_popcnt)
VTEST(I8X16_ALL_TRUE, simd_i8x16_all_true)
VTEST(I8X16_BITMASK, simd_i8x16_bitmask)
VBIN(I8X16_NARROW_I16X8_S, simd_i8x16_narrow_i16x8_s)
VBIN(I8X16_NARROW_I16X8_U, simd_i8x16_narrow_i16x8_u)
VSHIFT(I8X16_SHL, simd_i8x16_shl)
VSHIFT(I8X16_SHR_S, simd_i8x16_shr_s)
VSHIFT(I8X16_SHR_U, simd_i8x16_shr_u)
VBIN(I8X16_ADD, simd_i8x16_add)
VBIN(I8X16_ADD_SAT_S, simd_i8x16_add_sat_s)
VBIN(I8X16_ADD_SAT_U, simd_i8x16_add_sat_u)
VBIN(I8X16_SUB, simd_i8x16_sub)
VBIN(I8X16_SUB_SAT_S, simd_i8x16_sub_sat_s)
VBIN(I8X16_SUB_SAT_U, simd_i8x16_sub_sat_u)
VBIN(I8X16_MIN_S, simd_i8x16_min_s)
VBIN(I8X16_MIN_U, simd_i8x16_min_u)
VBIN(I8X16_MAX_S, simd_i8x16_max_s)
VBIN(I8X16_MAX_U, simd_i8x16_max_u)
VBIN(I8X16_AVGR_U, simd_i8x16_avgr_u)

VUN(I16X8_EXTADD_PAIRWISE_I8X16_S, simd_i16x8_extadd_pairwise_i8x16_s)
VUN(I16X8_EXTADD_PAIRWISE_I8X16_U, simd_i16x8_extadd_pairwise_i8x16_u)
VUN(I32X4_EXTADD_PAIRWISE_I16X8_S, simd_i32x4_extadd_pairwise_i16x8_s)
VUN(I32X4_EXTADD_PAIRWISE_I16X8_U, simd_i32x4_extadd_pairwise_i16x8_u)

VUN(I16X8_ABS, simd_i16x8_abs)
VUN(I16X8_NEG, simd_i16x8_neg)
VBIN(I16X8_Q15MULR_SAT_S, simd_i16x8_q15mulr_sat_s)
VTEST(I16X8_ALL_TRUE, simd_i16x8_all_true)
VTEST(I16X8_BITMASK, simd_i16x8_bitmask)
VBIN(I16X8_NARROW_I32X4_S, simd_i16x8_narrow_i32x4_s)
VBIN(I16X8_NARROW_I32X4_U, simd_i16x8_narrow_i32x4_u)
VUN(I16X8_EXTEND_LOW_I8X16_S, simd_i16x8_extend_low_i8x16_s)
VUN(I16X8_EXTEND_HIGH_I8X16_S, simd_i16x8_extend_high_i8x16_s)
VUN(I16X8_EXTEND_LOW_I8X16_U, simd_i16x8_extend_low_i8x16_u)
VUN(I16X8_EXTEND_HIGH_I8X16_U, simd_i16x8_extend_high_i8x16_u)
VSHIFT(I16X8_SHL, simd_i16x8_shl)
VSHIFT(I16X8_SHR_S, simd_i16x8_shr_s)
VSHIFT(I16X8_SHR_U, simd_i16x8_shr_u)
VBIN(I16X8_ADD, simd_i16x8_add)
VBIN(I16X8_ADD_SAT_S, simd_i16x8_add_sat_s)
VBIN(I16X8_ADD_SAT_U, simd_i16x8_add_sat_u)
VBIN(I16X8_SUB, simd_i16x8_sub)
VBIN(I16X8_SUB_SAT_S, simd_i16x8_sub_sat_s)
VBIN(I16X8_SUB_SAT_U, simd_i16x8_sub_sat_u)
VBIN(I16X8_MUL, simd_i16x8_mul)
VBIN(I16X8_MIN_S, simd_i16x8_min_s)
VBIN(I16X8_MIN_U, simd_i16x8_min_u)
VBIN(I16X8_MAX_S, simd_i16x8_max_s)
VBIN(I16X8_MAX_U, simd_i16x8_max_u)
VBIN(I16X8_AVGR_U, simd_i16x8_avgr_u)
VBIN(I16X8_EXTMUL_LOW_I8X16_S, simd_i16x8_extmul_low_i8x16_s)
VBIN(I16X8_EXTMUL_HIGH_I8X16_S, simd_i16x8_extmul_high_i8x16_s)
VBIN(I16X8_EXTMUL_LOW_I8X16_U, simd_i16x8_extmul_low_i8x16_u)
VBIN(I16X8_EXTMUL_HIGH_I8X16_U, simd_i16x8_extmul_high_i8x16_u)

VUN(I32X4_ABS, simd_i32x4_abs)
VUN(I32X4_NEG, simd_i32x4_neg)
VTEST(I32X4_ALL_TRUE, simd_i32x4_all_true)
VTEST(I32X4_BITMASK, simd_i32x4_bitmask)
VUN(I32X4_EXTEND_LOW_I16X8_S, simd_i32x4_extend_low_i16x8_s)
VUN(I32X4_EXTEND_HIGH_I16X8_S, simd_i32x4_extend_high_i16x8_s)
VUN(I32X4_EXTEND_LOW_I16X8_U, simd_i32x4_extend_low_i16x8_u)
VUN(I32X4_EXTEND_HIGH_I16X8_U, simd_i32x4_extend_high_i16x8_u)
VSHIFT(I32X4_SHL, simd_i32x4_shl)
VSHIFT(I32X4_SHR_S, simd_i32x4_shr_s)
VSHIFT(I32X4_SHR_U, simd_i32x4_shr_u)
VBIN(I32X4_ADD, simd_i32x4_add)
VBIN(I32X4_SUB, simd_i32x4_sub)
VBIN(I32X4_MUL, simd_i32x4_mul)
VBIN(I32X4_MIN_S, simd_i32x4_min_s)
VBIN(I32X4_MIN_U, simd_i32x4_min_u)
VBIN(I32X4_MAX_S, simd_i32x4_max_s)
VBIN(I32X4_MAX_U, simd_i32x4_max_u)
VBIN(I32X4_DOT_I16X8_S, simd_i32x4_dot_i16x8_s)
VBIN(I32X4_EXTMUL_LOW_I16X8_S, simd_i32x4_extmul_low_i16x8_s)
VBIN(I32X4_EXTMUL_HIGH_I16X8_S, simd_i32x4_extmul_high_i16x8_s)
VBIN(I32X4_EXTMUL_LOW_I16X8_U, simd_i32x4_extmul_low_i16x8_u)
VBIN(I32X4_EXTMUL_HIGH_I16X8_U, simd_i32x4_extmul_high_i16x8_u)

VUN(I64X2_ABS, simd_i64x2_abs)
VUN(I64X2_NEG, simd_i64x2_neg)
VTEST(I64X2_ALL_TRUE, simd_i64x2_all_true)
VTEST(I64X2_BITMASK, simd_i64x2_bitmask)
VUN(I64X2_EXTEND_LOW_I32X4_S, simd_i64x2_extend_low_i32x4_s)
VUN(I64X2_EXTEND_HIGH_I32X4_S, simd_i64x2_extend_high_i32x4_s)
VUN(I64X2_EXTEND_LOW_I32X4_U, simd_i64x2_extend_low_i32x4_u)
VUN(I64X2_EXTEND_HIGH_I32X4_U, simd_i64x2_extend_high_i32x4_u)
VSHIFT(I64X2_SHL, simd_i64x2_shl)
VSHIFT(I64X2_SHR_S, simd_i64x2_shr_s)
VSHIFT(I64X2_SHR_U, simd_i64x2_shr_u)
VBIN(I64X2_ADD, simd_i64x2_add)
VBIN(I64X2_SUB, simd_i64x2_sub)
VBIN(I64X2_MUL, simd_i64x2_mul)
VBIN(I64X2_EXTMUL_LOW_I32X4_S, simd_i64x2_extmul_low_i32x4_s)
VBIN(I64X2_EXTMUL_HIGH_I32X4_S, simd_i64x2_extmul_high_i32x4_s)
VBIN(I64X2_EXTMUL_LOW_I32X4_U, simd_i64x2_extmul_low_i32x4_u)
VBIN(I64X2_EXTMUL_HIGH_I32X4_U, simd_i64x2_extmul_high_i32x4_u)

/* ---- float ---- */
VUN(F32X4_CEIL, simd_f32x4_ceil)
VUN(F32X4_FLOOR, simd_f32x4_floor)
VUN(F32X4_TRUNC, simd_f32x4_trunc)
VUN(F32X4_NEAREST, simd_f32x4_nearest)
VUN(F64X2_CEIL, simd_f64x2_ceil)
VUN(F64X2_FLOOR, simd_f64x2_floor)
VUN(F64X2_TRUNC, simd_f64x2_trunc)
VUN(F64X2_NEAREST, simd_f64x2_nearest)
VUN(F32X4_ABS, simd_f32x4_abs)
VUN(F32X4_NEG, simd_f32x4_neg)
VUN(F32X4_SQRT, simd_f32x4_sqrt)
VBIN(F32X4_ADD, simd_f32x4_add)
VBIN(F32X4_SUB, simd_f32x4_sub)
VBIN(F32X4_MUL, simd_f32x4_mul)
VBIN(F32X4_DIV, simd_f32x4_div)
VBIN(F32X4_MIN, simd_f32x4_min)
VBIN(F32X4_MAX, simd_f32x4_max)
VBIN(F32X4_PMIN, simd_f32x4_pmin)
VBIN(F32X4_PMAX, simd_f32x4_pmax)
VUN(F64X2_ABS, simd_f64x2_abs)
VUN(F64X2_NEG, simd_f64x2_neg)
VUN(F64X2_SQRT, simd_f64x2_sqrt)
VBIN(F64X2_ADD, simd_f64x2_add)
VBIN(F64X2_SUB, simd_f64x2_sub)
VBIN(F64X2_MUL, simd_f64x2_mul)
VBIN(F64X2_DIV, simd_f64x2_div)
VBIN(F64X2_MIN, simd_f64x2_min)
VBIN(F64X2_MAX, simd_f64x2_max)
VBIN(F64X2_PMIN, simd_f64x2_pmin)
VBIN(F64X2_PMAX, simd_f64x2_pmax)

/* ---- conversions ---- */
VUN(I32X4_TRUNC_SAT_F32X4_S, simd_i32x4_trunc_sat_f32x4_s)
VUN(I32X4_TRUNC_SAT_F32X4_U, simd_i32x4_trunc_sat_f32x4_u)
VUN(F32X4_CONVERT_I32X4_S, simd_f32x4_convert_i32x4_s)
VUN(F32X4_CONVERT_I32X4_U, simd_f32x4_convert_i32x4_u)
VUN(I32X4_TRUNC_SAT_F64X2_S_ZERO, simd_i32x4_trunc_sat_f64x2_s_zero)
VUN(I32X4_TRUNC_SAT_F64X2_U_ZERO, simd_i32x4_trunc_sat_f64x2_u_zero)
VUN(F64X2_CONVERT_LOW_I32X4_S, simd_f64x2_convert_low_i32x4_s)
VUN(F64X2_CONVERT_LOW_I32X4_U, simd_f64x2_convert_low_i32x4_u)
VUN(F32X4_DEMOTE_F64X2_ZERO, simd_f32x4_demote_f64x2_zero)
VUN(F64X2_PROMOTE_LOW_F32X4, simd_f64x2_promote_low_f32x4)

#undef VGET
#undef VPUT
#undef VUN
#undef VBIN
#undef VSHIFT
#undef VTEST
#undef VSPLAT
#undef VEXTRACT
#undef VREPLACE
#undef VLOAD
#undef VLOAD_LANE
#undef VSTORE_LANE
