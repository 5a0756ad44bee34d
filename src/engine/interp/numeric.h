/*
** numeric.h: Wasm numeric semantics the C operators do not give directly
** (float min/max/nearest, bit-level abs/neg/copysign, trapping and
** saturating float-to-int truncation, shifts and rotations). Pure inline
** functions on values; no state. Used by exec.c.
*/
#ifndef CAIRN_INTERP_NUMERIC_H
#define CAIRN_INTERP_NUMERIC_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline float num_f32(uint64_t s) {
  uint32_t b = (uint32_t)s;
  float f;
  memcpy(&f, &b, 4);
  return f;
}
static inline double num_f64(uint64_t s) {
  double d;
  memcpy(&d, &s, 8);
  return d;
}
static inline uint64_t num_bits32(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}
static inline uint64_t num_bits64(double d) {
  uint64_t b;
  memcpy(&b, &d, 8);
  return b;
}

/* ---- integer ---- */
static inline uint32_t num_rotl32(uint32_t x, uint32_t k) {
  k &= 31;
  return (x << k) | (x >> ((32 - k) & 31));
}
static inline uint32_t num_rotr32(uint32_t x, uint32_t k) {
  k &= 31;
  return (x >> k) | (x << ((32 - k) & 31));
}
static inline uint64_t num_rotl64(uint64_t x, uint64_t k) {
  k &= 63;
  return (x << k) | (x >> ((64 - k) & 63));
}
static inline uint64_t num_rotr64(uint64_t x, uint64_t k) {
  k &= 63;
  return (x >> k) | (x << ((64 - k) & 63));
}
static inline uint32_t num_shr_s32(uint32_t x, uint32_t k) {
  int32_t v = (int32_t)x;
  k &= 31;
  /* arithmetic shift written without implementation-defined behaviour */
  return v < 0 ? ~(~x >> k) : x >> k;
}
static inline uint64_t num_shr_s64(uint64_t x, uint64_t k) {
  int64_t v = (int64_t)x;
  k &= 63;
  return v < 0 ? ~(~x >> k) : x >> k;
}
static inline uint32_t num_clz32(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t num_ctz32(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint64_t num_clz64(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t num_ctz64(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }

/* ---- float bit operations (NaN payloads preserved) ---- */
#define NUM_SIGN32 0x80000000u
#define NUM_SIGN64 0x8000000000000000ull

/* min/max: NaN if either is NaN; -0 < +0. */
static inline float num_fmin32(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return num_f32(num_bits32(a) | num_bits32(b)); /* -0 wins */
  return a < b ? a : b;
}
static inline float num_fmax32(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return num_f32(num_bits32(a) & num_bits32(b)); /* +0 wins */
  return a > b ? a : b;
}
static inline double num_fmin64(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return num_f64(num_bits64(a) | num_bits64(b));
  return a < b ? a : b;
}
static inline double num_fmax64(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return num_f64(num_bits64(a) & num_bits64(b));
  return a > b ? a : b;
}

/* Round to nearest, ties to even (the default rounding mode, which Cairn
** never changes). */
static inline float num_nearest32(float a) { return a != a ? a + a : __builtin_rintf(a); }
static inline double num_nearest64(double a) { return a != a ? a + a : __builtin_rint(a); }
/* ceil/floor/trunc/sqrt with a NaN input give a quiet NaN (some libm
** versions return a signalling input unchanged) */
static inline float num_round32(float a, float (*fn)(float)) { return a != a ? a + a : fn(a); }
static inline double num_round64(double a, double (*fn)(double)) {
  return a != a ? a + a : fn(a);
}

/* ---- float to int ----
** num_trunc_ok_*: true if truncating x fits the integer type; NaN is
** reported separately (it is "invalid conversion to integer", an
** out-of-range value is "integer overflow"). */
static inline bool num_in_i32(double x) { return x > -2147483649.0 && x < 2147483648.0; }
static inline bool num_in_u32(double x) { return x > -1.0 && x < 4294967296.0; }
static inline bool num_in_i64(double x) {
  return x >= -9223372036854775808.0 && x < 9223372036854775808.0;
}
static inline bool num_in_u64(double x) { return x > -1.0 && x < 18446744073709551616.0; }

/* Saturating truncations (NaN -> 0). f32 inputs are widened to double
** exactly, so one set serves both widths. */
static inline int32_t num_sat_i32(double x) {
  if (x != x) return 0;
  if (x <= -2147483648.0) return INT32_MIN;
  if (x >= 2147483647.0) return INT32_MAX;
  return (int32_t)x;
}
static inline uint32_t num_sat_u32(double x) {
  if (x != x || x <= 0.0) return 0;
  if (x >= 4294967295.0) return UINT32_MAX;
  return (uint32_t)x;
}
static inline int64_t num_sat_i64(double x) {
  if (x != x) return 0;
  if (x < -9223372036854775808.0) return INT64_MIN;
  if (x >= 9223372036854775808.0) return INT64_MAX;
  return (int64_t)x;
}
static inline uint64_t num_sat_u64(double x) {
  if (x != x || x <= 0.0) return 0;
  if (x >= 18446744073709551616.0) return UINT64_MAX;
  return (uint64_t)x;
}

#endif
