/*
** simd.h: Wasm fixed-width SIMD (v128) semantics as pure inline functions
** on a V128 value. Used by exec_simd.h (the interpreter's SIMD handlers).
**
** Two implementations of the lane-wise operations:
**   - GCC/Clang vector extensions (vector_size(16)) for the operations whose
**     C vector semantics are exactly the spec's (wrapping integer
**     arithmetic, bitwise ops, compares, shifts by a masked count, IEEE
**     float add/sub/mul/div, bit-level abs/neg, selects by mask);
**   - a portable scalar path (one loop per lane), used for everything when
**     CAIRN_SIMD_SCALAR is defined or the compiler has no vector extensions,
**     and always for the operations with no exact vector form (float
**     min/max/rounding/sqrt, saturation, conversions, narrowing, ...).
** Both give bit-identical results except for the payload of NaNs produced
** by arithmetic, which the spec leaves open.
**
** A v128 lives in two consecutive Slots (low 8 bytes first); simd_get and
** simd_put move it between slots and a V128 (the host is little endian).
*/
#ifndef CAIRN_INTERP_SIMD_H
#define CAIRN_INTERP_SIMD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/interp/numeric.h"

#if !defined(CAIRN_SIMD_SCALAR) && (defined(__GNUC__) || defined(__clang__))
#define SIMD_VEC 1
typedef int8_t simd_i8 __attribute__((vector_size(16)));
typedef uint8_t simd_u8 __attribute__((vector_size(16)));
typedef int16_t simd_i16 __attribute__((vector_size(16)));
typedef uint16_t simd_u16 __attribute__((vector_size(16)));
typedef int32_t simd_i32 __attribute__((vector_size(16)));
typedef uint32_t simd_u32 __attribute__((vector_size(16)));
typedef int64_t simd_i64 __attribute__((vector_size(16)));
typedef uint64_t simd_u64 __attribute__((vector_size(16)));
typedef float simd_f32 __attribute__((vector_size(16)));
typedef double simd_f64 __attribute__((vector_size(16)));
#else
#define SIMD_VEC 0
#endif

typedef union V128 {
  uint8_t u8[16];
  int8_t i8[16];
  uint16_t u16[8];
  int16_t i16[8];
  uint32_t u32[4];
  int32_t i32[4];
  uint64_t u64[2];
  int64_t i64[2];
  float f32[4];
  double f64[2];
#if SIMD_VEC
  simd_i8 vi8;
  simd_u8 vu8;
  simd_i16 vi16;
  simd_u16 vu16;
  simd_i32 vi32;
  simd_u32 vu32;
  simd_i64 vi64;
  simd_u64 vu64;
  simd_f32 vf32;
  simd_f64 vf64;
#endif
} V128;

static inline V128 simd_get(const uint64_t *p) {
  V128 v;
  memcpy(&v, p, 16);
  return v;
}
static inline void simd_put(uint64_t *p, V128 v) { memcpy(p, &v, 16); }
static inline V128 simd_zero(void) {
  V128 v;
  memset(&v, 0, sizeof v);
  return v;
}

/* ---- generators ----
** SIMD_MAP1/2: r.L[i] = expr for each of N lanes (a, b, i in scope).
** SIMD_V1/V2: the vector expression `vexpr` assigned to r.VL on the vector
** path, else the lane loop. */
#define SIMD_MAP1(name, L, N, expr)         \
  static inline V128 name(V128 a) {         \
    V128 r;                                 \
    for (int i = 0; i < (N); i++) r.L[i] = (expr); \
    return r;                               \
  }
#define SIMD_MAP2(name, L, N, expr)                \
  static inline V128 name(V128 a, V128 b) {        \
    V128 r;                                        \
    for (int i = 0; i < (N); i++) r.L[i] = (expr); \
    return r;                                      \
  }
#if SIMD_VEC
#define SIMD_V1(name, L, N, VL, vexpr, expr) \
  static inline V128 name(V128 a) {          \
    V128 r;                                  \
    r.VL = (vexpr);                          \
    return r;                                \
  }
#define SIMD_V2(name, L, N, VL, vexpr, expr) \
  static inline V128 name(V128 a, V128 b) {  \
    V128 r;                                  \
    r.VL = (vexpr);                          \
    return r;                                \
  }
#else
#define SIMD_V1(name, L, N, VL, vexpr, expr) SIMD_MAP1(name, L, N, expr)
#define SIMD_V2(name, L, N, VL, vexpr, expr) SIMD_MAP2(name, L, N, expr)
#endif

/* ---- bitwise ---- */
SIMD_V1(simd_not, u64, 2, vu64, ~a.vu64, ~a.u64[i])
SIMD_V2(simd_and, u64, 2, vu64, a.vu64 & b.vu64, a.u64[i] & b.u64[i])
SIMD_V2(simd_andnot, u64, 2, vu64, a.vu64 & ~b.vu64, a.u64[i] & ~b.u64[i])
SIMD_V2(simd_or, u64, 2, vu64, a.vu64 | b.vu64, a.u64[i] | b.u64[i])
SIMD_V2(simd_xor, u64, 2, vu64, a.vu64 ^ b.vu64, a.u64[i] ^ b.u64[i])
static inline V128 simd_bitselect(V128 a, V128 b, V128 c) {
  V128 r;
#if SIMD_VEC
  r.vu64 = (a.vu64 & c.vu64) | (b.vu64 & ~c.vu64);
#else
  for (int i = 0; i < 2; i++) r.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i]);
#endif
  return r;
}
static inline uint32_t simd_any_true(V128 a) { return (a.u64[0] | a.u64[1]) != 0; }

/* ---- integer arithmetic (wrapping: done on unsigned lanes) ---- */
#define SIMD_INT_ARITH(P, L, VL, N, T)                                            \
  SIMD_V2(simd_##P##_add, L, N, VL, a.VL + b.VL, (T)(a.L[i] + b.L[i]))             \
  SIMD_V2(simd_##P##_sub, L, N, VL, a.VL - b.VL, (T)(a.L[i] - b.L[i]))             \
  SIMD_V1(simd_##P##_neg, L, N, VL, -a.VL, (T)(0u - a.L[i]))
SIMD_INT_ARITH(i8x16, u8, vu8, 16, uint8_t)
SIMD_INT_ARITH(i16x8, u16, vu16, 8, uint16_t)
SIMD_INT_ARITH(i32x4, u32, vu32, 4, uint32_t)
SIMD_INT_ARITH(i64x2, u64, vu64, 2, uint64_t)
SIMD_V2(simd_i16x8_mul, u16, 8, vu16, a.vu16 * b.vu16, (uint16_t)((uint32_t)a.u16[i] * b.u16[i]))
SIMD_V2(simd_i32x4_mul, u32, 4, vu32, a.vu32 * b.vu32, a.u32[i] * b.u32[i])
SIMD_V2(simd_i64x2_mul, u64, 2, vu64, a.vu64 * b.vu64, a.u64[i] * b.u64[i])

/* abs: (x ^ m) - m with m the sign mask; abs(min) = min as the spec says */
#define SIMD_ABS(P, L, SL, VL, VSL, N, T, BITS)                                       \
  SIMD_V1(simd_##P##_abs, L, N, VL,                                                  \
          (a.VL ^ (__typeof__(a.VL))(a.VSL >> (BITS - 1))) -                          \
              (__typeof__(a.VL))(a.VSL >> (BITS - 1)),                                \
          a.SL[i] < 0 ? (T)(0u - a.L[i]) : a.L[i])
SIMD_ABS(i8x16, u8, i8, vu8, vi8, 16, uint8_t, 8)
SIMD_ABS(i16x8, u16, i16, vu16, vi16, 8, uint16_t, 16)
SIMD_ABS(i32x4, u32, i32, vu32, vi32, 4, uint32_t, 32)
SIMD_ABS(i64x2, u64, i64, vu64, vi64, 2, uint64_t, 64)

/* min/max by mask: m = a < b (all ones or zeros), r = (a & m) | (b & ~m) */
#define SIMD_SEL_MIN(name, L, VL, VU, N, cmp)                                          \
  SIMD_V2(name, L, N, VL,                                                             \
          (__typeof__(a.VL))(((__typeof__(a.VU))(a.VL cmp b.VL) & (__typeof__(a.VU))a.VL) | \
                             (~(__typeof__(a.VU))(a.VL cmp b.VL) & (__typeof__(a.VU))b.VL)), \
          a.L[i] cmp b.L[i] ? a.L[i] : b.L[i])
SIMD_SEL_MIN(simd_i8x16_min_s, i8, vi8, vu8, 16, <)
SIMD_SEL_MIN(simd_i8x16_min_u, u8, vu8, vu8, 16, <)
SIMD_SEL_MIN(simd_i8x16_max_s, i8, vi8, vu8, 16, >)
SIMD_SEL_MIN(simd_i8x16_max_u, u8, vu8, vu8, 16, >)
SIMD_SEL_MIN(simd_i16x8_min_s, i16, vi16, vu16, 8, <)
SIMD_SEL_MIN(simd_i16x8_min_u, u16, vu16, vu16, 8, <)
SIMD_SEL_MIN(simd_i16x8_max_s, i16, vi16, vu16, 8, >)
SIMD_SEL_MIN(simd_i16x8_max_u, u16, vu16, vu16, 8, >)
SIMD_SEL_MIN(simd_i32x4_min_s, i32, vi32, vu32, 4, <)
SIMD_SEL_MIN(simd_i32x4_min_u, u32, vu32, vu32, 4, <)
SIMD_SEL_MIN(simd_i32x4_max_s, i32, vi32, vu32, 4, >)
SIMD_SEL_MIN(simd_i32x4_max_u, u32, vu32, vu32, 4, >)

/* saturating add/sub, rounding average (scalar: widen, clamp) */
static inline int32_t simd_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : x > hi ? hi : x;
}
SIMD_MAP2(simd_i8x16_add_sat_s, i8, 16, (int8_t)simd_clamp(a.i8[i] + b.i8[i], INT8_MIN, INT8_MAX))
SIMD_MAP2(simd_i8x16_add_sat_u, u8, 16, (uint8_t)simd_clamp(a.u8[i] + b.u8[i], 0, UINT8_MAX))
SIMD_MAP2(simd_i8x16_sub_sat_s, i8, 16, (int8_t)simd_clamp(a.i8[i] - b.i8[i], INT8_MIN, INT8_MAX))
SIMD_MAP2(simd_i8x16_sub_sat_u, u8, 16, (uint8_t)simd_clamp(a.u8[i] - b.u8[i], 0, UINT8_MAX))
SIMD_MAP2(simd_i16x8_add_sat_s, i16, 8,
          (int16_t)simd_clamp(a.i16[i] + b.i16[i], INT16_MIN, INT16_MAX))
SIMD_MAP2(simd_i16x8_add_sat_u, u16, 8, (uint16_t)simd_clamp(a.u16[i] + b.u16[i], 0, UINT16_MAX))
SIMD_MAP2(simd_i16x8_sub_sat_s, i16, 8,
          (int16_t)simd_clamp(a.i16[i] - b.i16[i], INT16_MIN, INT16_MAX))
SIMD_MAP2(simd_i16x8_sub_sat_u, u16, 8, (uint16_t)simd_clamp(a.u16[i] - b.u16[i], 0, UINT16_MAX))
SIMD_MAP2(simd_i8x16_avgr_u, u8, 16, (uint8_t)((a.u8[i] + b.u8[i] + 1) >> 1))
SIMD_MAP2(simd_i16x8_avgr_u, u16, 8, (uint16_t)(((uint32_t)a.u16[i] + b.u16[i] + 1) >> 1))
SIMD_MAP2(simd_i16x8_q15mulr_sat_s, i16, 8,
          (int16_t)simd_clamp((a.i16[i] * b.i16[i] + 0x4000) >> 15, INT16_MIN, INT16_MAX))
SIMD_MAP1(simd_i8x16_popcnt, u8, 16, (uint8_t)__builtin_popcount(a.u8[i]))

/* dot product: the sum of two products may be 2^31, which wraps */
static inline V128 simd_i32x4_dot_i16x8_s(V128 a, V128 b) {
  V128 r;
  for (int i = 0; i < 4; i++)
    r.u32[i] = (uint32_t)((int64_t)a.i16[2 * i] * b.i16[2 * i] +
                          (int64_t)a.i16[2 * i + 1] * b.i16[2 * i + 1]);
  return r;
}

/* ---- shifts (count modulo the lane width) ---- */
#if SIMD_VEC
#define SIMD_SHIFT(name, L, VL, N, BITS, op, T)       \
  static inline V128 name(V128 a, uint32_t n) {       \
    V128 r;                                           \
    r.VL = a.VL op(int)(n & (BITS - 1));              \
    return r;                                         \
  }
#else
#define SIMD_SHIFT(name, L, VL, N, BITS, op, T)                                  \
  static inline V128 name(V128 a, uint32_t n) {                                  \
    V128 r;                                                                      \
    for (int i = 0; i < (N); i++) r.L[i] = (T)(a.L[i] op(int)(n & (BITS - 1))); \
    return r;                                                                    \
  }
#endif
SIMD_SHIFT(simd_i8x16_shl, u8, vu8, 16, 8, <<, uint8_t)
SIMD_SHIFT(simd_i8x16_shr_s, i8, vi8, 16, 8, >>, int8_t)
SIMD_SHIFT(simd_i8x16_shr_u, u8, vu8, 16, 8, >>, uint8_t)
SIMD_SHIFT(simd_i16x8_shl, u16, vu16, 8, 16, <<, uint16_t)
SIMD_SHIFT(simd_i16x8_shr_s, i16, vi16, 8, 16, >>, int16_t)
SIMD_SHIFT(simd_i16x8_shr_u, u16, vu16, 8, 16, >>, uint16_t)
SIMD_SHIFT(simd_i32x4_shl, u32, vu32, 4, 32, <<, uint32_t)
SIMD_SHIFT(simd_i32x4_shr_s, i32, vi32, 4, 32, >>, int32_t)
SIMD_SHIFT(simd_i32x4_shr_u, u32, vu32, 4, 32, >>, uint32_t)
SIMD_SHIFT(simd_i64x2_shl, u64, vu64, 2, 64, <<, uint64_t)
SIMD_SHIFT(simd_i64x2_shr_s, i64, vi64, 2, 64, >>, int64_t)
SIMD_SHIFT(simd_i64x2_shr_u, u64, vu64, 2, 64, >>, uint64_t)

/* ---- comparisons: all ones where true ---- */
#define SIMD_CMP(name, RL, RVL, L, VL, N, op) \
  SIMD_V2(name, RL, N, RVL, (__typeof__(r.RVL))(a.VL op b.VL), a.L[i] op b.L[i] ? -1 : 0)
#define SIMD_ICMPS(P, S, U, VS, VU, N)                 \
  SIMD_CMP(simd_##P##_eq, S, VS, U, VU, N, ==)        \
  SIMD_CMP(simd_##P##_ne, S, VS, U, VU, N, !=)        \
  SIMD_CMP(simd_##P##_lt_s, S, VS, S, VS, N, <)       \
  SIMD_CMP(simd_##P##_lt_u, S, VS, U, VU, N, <)       \
  SIMD_CMP(simd_##P##_gt_s, S, VS, S, VS, N, >)       \
  SIMD_CMP(simd_##P##_gt_u, S, VS, U, VU, N, >)       \
  SIMD_CMP(simd_##P##_le_s, S, VS, S, VS, N, <=)      \
  SIMD_CMP(simd_##P##_le_u, S, VS, U, VU, N, <=)      \
  SIMD_CMP(simd_##P##_ge_s, S, VS, S, VS, N, >=)      \
  SIMD_CMP(simd_##P##_ge_u, S, VS, U, VU, N, >=)
SIMD_ICMPS(i8x16, i8, u8, vi8, vu8, 16)
SIMD_ICMPS(i16x8, i16, u16, vi16, vu16, 8)
SIMD_ICMPS(i32x4, i32, u32, vi32, vu32, 4)
SIMD_CMP(simd_i64x2_eq, i64, vi64, i64, vi64, 2, ==)
SIMD_CMP(simd_i64x2_ne, i64, vi64, i64, vi64, 2, !=)
SIMD_CMP(simd_i64x2_lt_s, i64, vi64, i64, vi64, 2, <)
SIMD_CMP(simd_i64x2_gt_s, i64, vi64, i64, vi64, 2, >)
SIMD_CMP(simd_i64x2_le_s, i64, vi64, i64, vi64, 2, <=)
SIMD_CMP(simd_i64x2_ge_s, i64, vi64, i64, vi64, 2, >=)
#define SIMD_FCMPS(P, S, VS, F, VF, N)              \
  SIMD_CMP(simd_##P##_eq, S, VS, F, VF, N, ==)     \
  SIMD_CMP(simd_##P##_ne, S, VS, F, VF, N, !=)     \
  SIMD_CMP(simd_##P##_lt, S, VS, F, VF, N, <)      \
  SIMD_CMP(simd_##P##_gt, S, VS, F, VF, N, >)      \
  SIMD_CMP(simd_##P##_le, S, VS, F, VF, N, <=)     \
  SIMD_CMP(simd_##P##_ge, S, VS, F, VF, N, >=)
SIMD_FCMPS(f32x4, i32, vi32, f32, vf32, 4)
SIMD_FCMPS(f64x2, i64, vi64, f64, vf64, 2)

/* ---- lane tests ---- */
#define SIMD_ALL_TRUE(name, L, N)                  \
  static inline uint32_t name(V128 a) {           \
    for (int i = 0; i < (N); i++)                 \
      if (!a.L[i]) return 0;                      \
    return 1;                                     \
  }
SIMD_ALL_TRUE(simd_i8x16_all_true, u8, 16)
SIMD_ALL_TRUE(simd_i16x8_all_true, u16, 8)
SIMD_ALL_TRUE(simd_i32x4_all_true, u32, 4)
SIMD_ALL_TRUE(simd_i64x2_all_true, u64, 2)
#define SIMD_BITMASK(name, S, N)                   \
  static inline uint32_t name(V128 a) {           \
    uint32_t m = 0;                               \
    for (int i = 0; i < (N); i++)                 \
      if (a.S[i] < 0) m |= 1u << i;               \
    return m;                                     \
  }
SIMD_BITMASK(simd_i8x16_bitmask, i8, 16)
SIMD_BITMASK(simd_i16x8_bitmask, i16, 8)
SIMD_BITMASK(simd_i32x4_bitmask, i32, 4)
SIMD_BITMASK(simd_i64x2_bitmask, i64, 2)

/* ---- narrowing, widening ---- */
#define SIMD_NARROW(name, RL, L, NH, lo, hi, RT)                                      \
  static inline V128 name(V128 a, V128 b) {                                           \
    V128 r;                                                                           \
    for (int i = 0; i < (NH); i++) {                                                  \
      r.RL[i] = (RT)simd_clamp(a.L[i], lo, hi);                                       \
      r.RL[i + (NH)] = (RT)simd_clamp(b.L[i], lo, hi);                                \
    }                                                                                 \
    return r;                                                                         \
  }
SIMD_NARROW(simd_i8x16_narrow_i16x8_s, i8, i16, 8, INT8_MIN, INT8_MAX, int8_t)
SIMD_NARROW(simd_i8x16_narrow_i16x8_u, u8, i16, 8, 0, UINT8_MAX, uint8_t)
SIMD_NARROW(simd_i16x8_narrow_i32x4_s, i16, i32, 4, INT16_MIN, INT16_MAX, int16_t)
SIMD_NARROW(simd_i16x8_narrow_i32x4_u, u16, i32, 4, 0, UINT16_MAX, uint16_t)

/* extend lanes [off, off + N) of a to the wider lanes RL */
#define SIMD_EXTEND(name, RL, L, N, off) SIMD_MAP1(name, RL, N, a.L[i + (off)])
SIMD_EXTEND(simd_i16x8_extend_low_i8x16_s, i16, i8, 8, 0)
SIMD_EXTEND(simd_i16x8_extend_high_i8x16_s, i16, i8, 8, 8)
SIMD_EXTEND(simd_i16x8_extend_low_i8x16_u, u16, u8, 8, 0)
SIMD_EXTEND(simd_i16x8_extend_high_i8x16_u, u16, u8, 8, 8)
SIMD_EXTEND(simd_i32x4_extend_low_i16x8_s, i32, i16, 4, 0)
SIMD_EXTEND(simd_i32x4_extend_high_i16x8_s, i32, i16, 4, 4)
SIMD_EXTEND(simd_i32x4_extend_low_i16x8_u, u32, u16, 4, 0)
SIMD_EXTEND(simd_i32x4_extend_high_i16x8_u, u32, u16, 4, 4)
SIMD_EXTEND(simd_i64x2_extend_low_i32x4_s, i64, i32, 2, 0)
SIMD_EXTEND(simd_i64x2_extend_high_i32x4_s, i64, i32, 2, 2)
SIMD_EXTEND(simd_i64x2_extend_low_i32x4_u, u64, u32, 2, 0)
SIMD_EXTEND(simd_i64x2_extend_high_i32x4_u, u64, u32, 2, 2)

SIMD_MAP1(simd_i16x8_extadd_pairwise_i8x16_s, i16, 8, (int16_t)(a.i8[2 * i] + a.i8[2 * i + 1]))
SIMD_MAP1(simd_i16x8_extadd_pairwise_i8x16_u, u16, 8, (uint16_t)(a.u8[2 * i] + a.u8[2 * i + 1]))
SIMD_MAP1(simd_i32x4_extadd_pairwise_i16x8_s, i32, 4, a.i16[2 * i] + a.i16[2 * i + 1])
SIMD_MAP1(simd_i32x4_extadd_pairwise_i16x8_u, u32, 4, (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1])

/* extended multiply of lanes [off, off + N) */
#define SIMD_EXTMUL(name, RL, L, N, off, WT) \
  SIMD_MAP2(name, RL, N, (WT)a.L[i + (off)] * (WT)b.L[i + (off)])
SIMD_EXTMUL(simd_i16x8_extmul_low_i8x16_s, i16, i8, 8, 0, int16_t)
SIMD_EXTMUL(simd_i16x8_extmul_high_i8x16_s, i16, i8, 8, 8, int16_t)
SIMD_EXTMUL(simd_i16x8_extmul_low_i8x16_u, u16, u8, 8, 0, uint32_t)
SIMD_EXTMUL(simd_i16x8_extmul_high_i8x16_u, u16, u8, 8, 8, uint32_t)
SIMD_EXTMUL(simd_i32x4_extmul_low_i16x8_s, i32, i16, 4, 0, int32_t)
SIMD_EXTMUL(simd_i32x4_extmul_high_i16x8_s, i32, i16, 4, 4, int32_t)
SIMD_EXTMUL(simd_i32x4_extmul_low_i16x8_u, u32, u16, 4, 0, uint32_t)
SIMD_EXTMUL(simd_i32x4_extmul_high_i16x8_u, u32, u16, 4, 4, uint32_t)
SIMD_EXTMUL(simd_i64x2_extmul_low_i32x4_s, i64, i32, 2, 0, int64_t)
SIMD_EXTMUL(simd_i64x2_extmul_high_i32x4_s, i64, i32, 2, 2, int64_t)
SIMD_EXTMUL(simd_i64x2_extmul_low_i32x4_u, u64, u32, 2, 0, uint64_t)
SIMD_EXTMUL(simd_i64x2_extmul_high_i32x4_u, u64, u32, 2, 2, uint64_t)

/* ---- float ---- */
#define SIMD_FARITH(P, F, VF, N)                                   \
  SIMD_V2(simd_##P##_add, F, N, VF, a.VF + b.VF, a.F[i] + b.F[i])  \
  SIMD_V2(simd_##P##_sub, F, N, VF, a.VF - b.VF, a.F[i] - b.F[i])  \
  SIMD_V2(simd_##P##_mul, F, N, VF, a.VF * b.VF, a.F[i] * b.F[i])  \
  SIMD_V2(simd_##P##_div, F, N, VF, a.VF / b.VF, a.F[i] / b.F[i])
SIMD_FARITH(f32x4, f32, vf32, 4)
SIMD_FARITH(f64x2, f64, vf64, 2)
SIMD_V1(simd_f32x4_abs, u32, 4, vu32, a.vu32 & 0x7FFFFFFFu, a.u32[i] & 0x7FFFFFFFu)
SIMD_V1(simd_f32x4_neg, u32, 4, vu32, a.vu32 ^ 0x80000000u, a.u32[i] ^ 0x80000000u)
SIMD_V1(simd_f64x2_abs, u64, 2, vu64, a.vu64 & ~NUM_SIGN64, a.u64[i] & ~NUM_SIGN64)
SIMD_V1(simd_f64x2_neg, u64, 2, vu64, a.vu64 ^ NUM_SIGN64, a.u64[i] ^ NUM_SIGN64)
SIMD_MAP1(simd_f32x4_sqrt, f32, 4, sqrtf(a.f32[i]))
SIMD_MAP1(simd_f64x2_sqrt, f64, 2, sqrt(a.f64[i]))
SIMD_MAP1(simd_f32x4_ceil, f32, 4, num_round32(a.f32[i], ceilf))
SIMD_MAP1(simd_f32x4_floor, f32, 4, num_round32(a.f32[i], floorf))
SIMD_MAP1(simd_f32x4_trunc, f32, 4, num_round32(a.f32[i], truncf))
SIMD_MAP1(simd_f32x4_nearest, f32, 4, num_nearest32(a.f32[i]))
SIMD_MAP1(simd_f64x2_ceil, f64, 2, num_round64(a.f64[i], ceil))
SIMD_MAP1(simd_f64x2_floor, f64, 2, num_round64(a.f64[i], floor))
SIMD_MAP1(simd_f64x2_trunc, f64, 2, num_round64(a.f64[i], trunc))
SIMD_MAP1(simd_f64x2_nearest, f64, 2, num_nearest64(a.f64[i]))
SIMD_MAP2(simd_f32x4_min, f32, 4, num_fmin32(a.f32[i], b.f32[i]))
SIMD_MAP2(simd_f32x4_max, f32, 4, num_fmax32(a.f32[i], b.f32[i]))
SIMD_MAP2(simd_f64x2_min, f64, 2, num_fmin64(a.f64[i], b.f64[i]))
SIMD_MAP2(simd_f64x2_max, f64, 2, num_fmax64(a.f64[i], b.f64[i]))
/* pmin: b < a ? b : a, pmax: a < b ? b : a (the chosen operand's bits) */
#define SIMD_PMINMAX(name, U, VU, F, VF, N, c1, c2, t, e)                          \
  SIMD_V2(name, U, N, VU,                                                         \
          ((__typeof__(a.VU))(c1.VF < c2.VF) & t.VU) |                            \
              (~(__typeof__(a.VU))(c1.VF < c2.VF) & e.VU),                        \
          c1.F[i] < c2.F[i] ? t.U[i] : e.U[i])
SIMD_PMINMAX(simd_f32x4_pmin, u32, vu32, f32, vf32, 4, b, a, b, a)
SIMD_PMINMAX(simd_f32x4_pmax, u32, vu32, f32, vf32, 4, a, b, b, a)
SIMD_PMINMAX(simd_f64x2_pmin, u64, vu64, f64, vf64, 2, b, a, b, a)
SIMD_PMINMAX(simd_f64x2_pmax, u64, vu64, f64, vf64, 2, a, b, b, a)

/* ---- conversions ---- */
SIMD_MAP1(simd_i32x4_trunc_sat_f32x4_s, i32, 4, num_sat_i32(a.f32[i]))
SIMD_MAP1(simd_i32x4_trunc_sat_f32x4_u, u32, 4, num_sat_u32(a.f32[i]))
SIMD_MAP1(simd_f32x4_convert_i32x4_s, f32, 4, (float)a.i32[i])
SIMD_MAP1(simd_f32x4_convert_i32x4_u, f32, 4, (float)a.u32[i])
static inline V128 simd_i32x4_trunc_sat_f64x2_s_zero(V128 a) {
  V128 r = simd_zero();
  r.i32[0] = num_sat_i32(a.f64[0]);
  r.i32[1] = num_sat_i32(a.f64[1]);
  return r;
}
static inline V128 simd_i32x4_trunc_sat_f64x2_u_zero(V128 a) {
  V128 r = simd_zero();
  r.u32[0] = num_sat_u32(a.f64[0]);
  r.u32[1] = num_sat_u32(a.f64[1]);
  return r;
}
SIMD_MAP1(simd_f64x2_convert_low_i32x4_s, f64, 2, (double)a.i32[i])
SIMD_MAP1(simd_f64x2_convert_low_i32x4_u, f64, 2, (double)a.u32[i])
static inline V128 simd_f32x4_demote_f64x2_zero(V128 a) {
  V128 r = simd_zero();
  r.f32[0] = (float)a.f64[0];
  r.f32[1] = (float)a.f64[1];
  return r;
}
SIMD_MAP1(simd_f64x2_promote_low_f32x4, f64, 2, (double)a.f32[i])

/* ---- lanes ---- */
static inline V128 simd_i8x16_splat(uint64_t x) {
  V128 r;
  memset(r.u8, (int)(uint8_t)x, 16);
  return r;
}
static inline V128 simd_i16x8_splat(uint64_t x) {
  V128 r;
  for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)x;
  return r;
}
static inline V128 simd_i32x4_splat(uint64_t x) {
  V128 r;
  for (int i = 0; i < 4; i++) r.u32[i] = (uint32_t)x;
  return r;
}
static inline V128 simd_i64x2_splat(uint64_t x) {
  V128 r;
  r.u64[0] = r.u64[1] = x;
  return r;
}
/* f32x4 / f64x2 splat copy the bits: the i32x4 / i64x2 ones */

static inline V128 simd_swizzle(V128 a, V128 s) {
  V128 r;
  for (int i = 0; i < 16; i++) r.u8[i] = s.u8[i] < 16 ? a.u8[s.u8[i]] : 0;
  return r;
}
/* lanes: 16 indices < 32 (validated); masked so no index can escape */
static inline V128 simd_shuffle(V128 a, V128 b, const uint8_t *lanes) {
  uint8_t ab[32];
  memcpy(ab, a.u8, 16);
  memcpy(ab + 16, b.u8, 16);
  V128 r;
  for (int i = 0; i < 16; i++) r.u8[i] = ab[lanes[i] & 31];
  return r;
}

/* ---- loads: from n bytes at p (unaligned) ---- */
#define SIMD_LOAD_EXT(name, RL, T, N)      \
  static inline V128 name(const uint8_t *p) { \
    T v[N];                                 \
    memcpy(v, p, sizeof v);                 \
    V128 r;                                 \
    for (int i = 0; i < (N); i++) r.RL[i] = v[i]; \
    return r;                               \
  }
SIMD_LOAD_EXT(simd_load8x8_s, i16, int8_t, 8)
SIMD_LOAD_EXT(simd_load8x8_u, u16, uint8_t, 8)
SIMD_LOAD_EXT(simd_load16x4_s, i32, int16_t, 4)
SIMD_LOAD_EXT(simd_load16x4_u, u32, uint16_t, 4)
SIMD_LOAD_EXT(simd_load32x2_s, i64, int32_t, 2)
SIMD_LOAD_EXT(simd_load32x2_u, u64, uint32_t, 2)

static inline V128 simd_load128(const uint8_t *p) {
  V128 r;
  memcpy(&r, p, 16);
  return r;
}
static inline V128 simd_load8_splat(const uint8_t *p) { return simd_i8x16_splat(*p); }
static inline V128 simd_load16_splat(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return simd_i16x8_splat(v);
}
static inline V128 simd_load32_splat(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return simd_i32x4_splat(v);
}
static inline V128 simd_load64_splat(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return simd_i64x2_splat(v);
}
static inline V128 simd_load32_zero(const uint8_t *p) {
  V128 r = simd_zero();
  memcpy(r.u32, p, 4);
  return r;
}
static inline V128 simd_load64_zero(const uint8_t *p) {
  V128 r = simd_zero();
  memcpy(r.u64, p, 8);
  return r;
}

#endif
