/*
** exec_numeric.h: the interpreter's numeric handlers: unary and binary ops,
** their forms with a constant right operand (_I), integer division and
** trapping truncation, and the f64 arithmetic fused with a load (_M, _MAI)
** and the axpy steps (F64_MAC*), with I32_ADD2. Those fused handlers stay
** here, after the plain ops they extend, because the handlers' order is the
** code's placement (docs/design-notes.md): moving one shifts the kernels.
** Not a normal header: included once inside exec_run (exec.c), whose locals
** and macros it uses. Defines I32_COMPARES for exec_fused.h.
*/

/* ---- numeric ---- */
/* the ten i32 comparisons, expanded by each family of handlers below
** (plain, compare-and-branch, add+compare+branch, select) */
#define I32_COMPARES(X)                     \
X(I32_EQ, a == b)                           \
X(I32_NE, a != b)                           \
X(I32_LT_S, (int32_t)a < (int32_t)b)        \
X(I32_LT_U, a < b)                          \
X(I32_GT_S, (int32_t)a > (int32_t)b)        \
X(I32_GT_U, a > b)                          \
X(I32_LE_S, (int32_t)a <= (int32_t)b)       \
X(I32_LE_U, a <= b)                         \
X(I32_GE_S, (int32_t)a >= (int32_t)b)       \
X(I32_GE_U, a >= b)
#define UN(name, expr)  \
OP(name) {              \
  S(0) = (expr);        \
  pc += 2;              \
  NEXT();               \
}
/* a binary op on operands a (slot) and b (slot, or the immediate) */
#define BIN(name, Ta, get, expr)                             \
OP(name) {                                                   \
  uint64_t da = PAIR(0), bn = PAIR(2);                       \
  Ta a = AT_##get(PAIR_HI(da)), b = AT_##get(PAIR_LO(bn));   \
  fp[PAIR_LO(da)] = (expr);                                  \
  NEXT_W(4, PAIR_HI(bn));                                    \
}
/* i32 binary ops, also with an immediate right operand */
#define BIN32I(name, expr)                  \
BIN(name, uint32_t, U32, (uint32_t)(expr))   \
OP(name##_I) {                               \
  uint64_t da = PAIR(0), bn = PAIR(2);       \
  uint32_t a = AT_U32(PAIR_HI(da)), b = PAIR_LO(bn);   \
  fp[PAIR_LO(da)] = (uint32_t)(expr);        \
  NEXT_W(4, PAIR_HI(bn));                    \
}
/* i64 binary ops, also with a 64-bit immediate right operand (2 words) */
#define BIN64I(name, expr)                           \
BIN(name, uint64_t, U64, (uint64_t)(expr))           \
OP(name##_I) {                                       \
  uint64_t da = PAIR(0), b = PAIR(2);                \
  uint64_t a = AT_U64(PAIR_HI(da));                  \
  fp[PAIR_LO(da)] = (uint64_t)(expr);                \
  pc += 4;                                           \
  NEXT();                                            \
}
#define BIN32(name, expr) BIN(name, uint32_t, U32, (uint32_t)(expr))
/* integer division and remainder, i32 and i64 alike: the spec's traps
** (zero divisor; INT_MIN / -1 overflows, INT_MIN % -1 is 0) */
#define DIVREM(W, Ts, Tu, gets, getu, MIN)                                \
OP(I##W##_DIV_S) {                                                     \
  Ts a = gets(1), b = gets(2);                                         \
  if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                     \
  if (UNLIKELY(a == MIN && b == -1)) TRAP(CAIRN_TRAP_INT_OVERFLOW);    \
  S(0) = (Tu)(a / b);                                                  \
  pc += 3;                                                             \
  NEXT();                                                              \
}                                                                      \
OP(I##W##_DIV_U) {                                                     \
  Tu a = getu(1), b = getu(2);                                         \
  if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                     \
  S(0) = a / b;                                                        \
  pc += 3;                                                             \
  NEXT();                                                              \
}                                                                      \
OP(I##W##_REM_S) {                                                     \
  Ts a = gets(1), b = gets(2);                                         \
  if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                     \
  S(0) = b == -1 ? 0 : (Tu)(a % b);                                    \
  pc += 3;                                                             \
  NEXT();                                                              \
}                                                                      \
OP(I##W##_REM_U) {                                                     \
  Tu a = getu(1), b = getu(2);                                         \
  if (UNLIKELY(b == 0)) TRAP(CAIRN_TRAP_DIV_ZERO);                     \
  S(0) = a % b;                                                        \
  pc += 3;                                                             \
  NEXT();                                                              \
}
/* f64 arithmetic, also with a constant right operand (2 words) */
#define BINF64I(name, expr)            \
BIN(name, double, F64, (expr))         \
OP(name##_I) {                         \
  uint64_t da = PAIR(0);               \
  double a = AT_F64(PAIR_HI(da)), b = num_f64(PAIR(2));   \
  fp[PAIR_LO(da)] = (expr);            \
  pc += 4;                             \
  NEXT();                              \
}
#define BIN64(name, expr) BIN(name, uint64_t, U64, (uint64_t)(expr))
#define BINF32(name, expr) BIN(name, float, F32, (expr))
#define BINF64(name, expr) BIN(name, double, F64, (expr))

I32_COMPARES(BIN32I)
BIN64I(I64_EQ, a == b)
BIN64I(I64_NE, a != b)
BIN64I(I64_LT_S, (int64_t)a < (int64_t)b)
BIN64I(I64_LT_U, a < b)
BIN64I(I64_GT_S, (int64_t)a > (int64_t)b)
BIN64I(I64_GT_U, a > b)
BIN64I(I64_LE_S, (int64_t)a <= (int64_t)b)
BIN64I(I64_LE_U, a <= b)
BIN64I(I64_GE_S, (int64_t)a >= (int64_t)b)
BIN64I(I64_GE_U, a >= b)
BIN(F32_EQ, float, F32, (uint64_t)(a == b))
BIN(F32_NE, float, F32, (uint64_t)(a != b))
BIN(F32_LT, float, F32, (uint64_t)(a < b))
BIN(F32_GT, float, F32, (uint64_t)(a > b))
BIN(F32_LE, float, F32, (uint64_t)(a <= b))
BIN(F32_GE, float, F32, (uint64_t)(a >= b))
BIN(F64_EQ, double, F64, (uint64_t)(a == b))
BIN(F64_NE, double, F64, (uint64_t)(a != b))
BIN(F64_LT, double, F64, (uint64_t)(a < b))
BIN(F64_GT, double, F64, (uint64_t)(a > b))
BIN(F64_LE, double, F64, (uint64_t)(a <= b))
BIN(F64_GE, double, F64, (uint64_t)(a >= b))

BIN32I(I32_ADD, a + b)
OP(I32_ADD2) {
  uint64_t da = PAIR(0), bd = PAIR(2), ab = PAIR(4);
  fp[PAIR_HI(bd)] = (uint32_t)(AT_U32(PAIR_LO(ab)) + AT_U32(PAIR_HI(ab)));
  fp[PAIR_LO(da)] = (uint32_t)(AT_U32(PAIR_HI(da)) + AT_U32(PAIR_LO(bd)));
  pc += 6;
  NEXT();
}
BIN32I(I32_SUB, a - b)
BIN32I(I32_MUL, a * b)
BIN32I(I32_AND, a & b)
BIN32I(I32_OR, a | b)
BIN32I(I32_XOR, a ^ b)
BIN32I(I32_SHL, a << (b & 31))
BIN32I(I32_SHR_S, num_shr_s32(a, b))
BIN32I(I32_SHR_U, a >> (b & 31))
BIN32(I32_ROTL, num_rotl32(a, b))
BIN32(I32_ROTR, num_rotr32(a, b))
DIVREM(32, int32_t, uint32_t, I32, U32, INT32_MIN)

BIN64I(I64_ADD, a + b)
BIN64I(I64_SUB, a - b)
BIN64I(I64_MUL, a * b)
BIN64I(I64_AND, a & b)
BIN64I(I64_OR, a | b)
BIN64I(I64_XOR, a ^ b)
BIN64I(I64_SHL, a << (b & 63))
BIN64I(I64_SHR_S, num_shr_s64(a, b))
BIN64I(I64_SHR_U, a >> (b & 63))
BIN64I(I64_ROTL, num_rotl64(a, b))
BIN64I(I64_ROTR, num_rotr64(a, b))
DIVREM(64, int64_t, uint64_t, I64, U64, INT64_MIN)

BINF32(F32_ADD, num_bits32(a + b))
BINF32(F32_SUB, num_bits32(a - b))
BINF32(F32_MUL, num_bits32(a * b))
BINF32(F32_DIV, num_bits32(a / b))
BINF32(F32_MIN, num_bits32(num_fmin32(a, b)))
BINF32(F32_MAX, num_bits32(num_fmax32(a, b)))
BIN32(F32_COPYSIGN, (a & ~NUM_SIGN32) | (b & NUM_SIGN32))
BINF64I(F64_ADD, num_bits64(a + b))
BINF64I(F64_SUB, num_bits64(a - b))
BINF64I(F64_MUL, num_bits64(a * b))
/* ... and with the right operand loaded from memory (interp.h) */
/* _M (dst, a, addr, offset), _MAI (dst, a, addr, imm, offset) */
#define BINF64M_DO(expr, ea, next)                   \
do {                                                 \
  MEM_CHK(ea, 8);                                    \
  uint64_t v;                                        \
  memcpy(&v, mb + ea, 8);                            \
  double a = AT_F64(PAIR_HI(da)), b = num_f64(v);    \
  fp[PAIR_LO(da)] = (expr);                          \
  next;                                              \
} while (0)
#define BINF64M(name, expr)                                                     \
OP(name##_M) {                                                                  \
  uint64_t da = PAIR(0), ao = PAIR(2);                                          \
  uint64_t ea = (uint64_t)AT_U32(PAIR_LO(ao)) + PAIR_HI(ao);                    \
  BINF64M_DO(expr, ea, pc += 4; NEXT());                                        \
}                                                                               \
OP(name##_MAI) {                                                                \
  uint64_t da = PAIR(0), ai = PAIR(2), on = PAIR(4);                            \
  uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_LO(ai)) + PAIR_HI(ai)) + PAIR_LO(on);   \
  BINF64M_DO(expr, ea, NEXT_W(6, PAIR_HI(on)));                                 \
}
BINF64M(F64_ADD, num_bits64(a + b))
BINF64M(F64_SUB, num_bits64(a - b))
BINF64M(F64_MUL, num_bits64(a * b))
/* ... and the axpy step, c[i] += x * b[j] (interp.h): at c's address ea,
** b's eb, the product and the sum each rounded */
#define F64_MAC_STEP(ea, eb, x)                                          \
do {                                                                     \
  uint64_t ea_ = (ea), eb_ = (eb);                                       \
  MEM_CHK(eb_, 8);                                                       \
  MEM_CHK(ea_, 8);                                                       \
  uint64_t vb_, va_;                                                     \
  memcpy(&vb_, mb + eb_, 8);                                             \
  memcpy(&va_, mb + ea_, 8);                                             \
  uint64_t r_ = num_bits64((x) * num_f64(vb_) + num_f64(va_));           \
  memcpy(mb + ea_, &r_, 8);                                              \
} while (0)
/* F64_MAC and F64_MAC_PRE: c at A, then (x, b, ib, offA, offB) from word k */
#define F64_MAC_AT(A, k)                                                           \
do {                                                                               \
  uint64_t xb = PAIR(k), io = PAIR(k + 2), ob = PAIR(k + 4);                       \
  F64_MAC_STEP((uint64_t)(A) + PAIR_HI(io),                                        \
               (uint64_t)(uint32_t)(AT_U32(PAIR_HI(xb)) + PAIR_LO(io)) + PAIR_LO(ob),   \
               AT_F64(PAIR_LO(xb)));                                               \
  NEXT_W(k + 6, PAIR_HI(ob));                                                      \
} while (0)
/* F64_MAC_ADD2 and F64_MAC2: both address sums (A for c, B for b), then the
** first step; declares the operand pairs, A, B and x */
#define F64_MAC_SUMS_STEP()                                                         \
uint64_t da = PAIR(0), bd = PAIR(2), ab = PAIR(4), xi = PAIR(6), oo = PAIR(8);      \
uint32_t A = AT_U32(PAIR_HI(da)) + AT_U32(PAIR_LO(bd));                             \
fp[PAIR_LO(da)] = A;                                                                \
uint32_t B = AT_U32(PAIR_LO(ab)) + AT_U32(PAIR_HI(ab));                             \
fp[PAIR_HI(bd)] = B;                                                                \
double x = AT_F64(PAIR_LO(xi));                                                     \
F64_MAC_STEP((uint64_t)A + PAIR_LO(oo), (uint64_t)(uint32_t)(B + PAIR_HI(xi)) + PAIR_HI(oo), x)
OP(F64_MAC) { F64_MAC_AT(U32(0), 1); }
OP(F64_MAC_ADD2) {
  F64_MAC_SUMS_STEP();
  pc += 10;
  NEXT();
}
OP(F64_MAC2) {
  F64_MAC_SUMS_STEP();
  /* the second step: c's local stepped, b from the same sum */
  uint64_t ii = PAIR(10), oo2 = PAIR(12);
  A += PAIR_LO(ii);
  fp[PAIR_LO(da)] = A;
  F64_MAC_STEP((uint64_t)A + PAIR_LO(oo2), (uint64_t)(uint32_t)(B + PAIR_HI(ii)) + PAIR_HI(oo2), x);
  pc += 14;
  NEXT();
}
OP(F64_MAC_PRE) {
  uint64_t da = PAIR(0);
  uint32_t A = (uint32_t)fp[PAIR_HI(da)] + pc[2];
  fp[PAIR_LO(da)] = A;
  F64_MAC_AT(A, 3);
}
BINF64I(F64_DIV, num_bits64(a / b))
BINF64(F64_MIN, num_bits64(num_fmin64(a, b)))
BINF64(F64_MAX, num_bits64(num_fmax64(a, b)))
BIN64(F64_COPYSIGN, (a & ~NUM_SIGN64) | (b & NUM_SIGN64))

UN(I32_EQZ, (uint64_t)(U32(1) == 0))
UN(I64_EQZ, (uint64_t)(U64(1) == 0))
UN(I32_CLZ, num_clz32(U32(1)))
UN(I32_CTZ, num_ctz32(U32(1)))
UN(I32_POPCNT, (uint64_t)__builtin_popcount(U32(1)))
UN(I64_CLZ, num_clz64(U64(1)))
UN(I64_CTZ, num_ctz64(U64(1)))
UN(I64_POPCNT, (uint64_t)__builtin_popcountll(U64(1)))
UN(F32_ABS, U32(1) & ~NUM_SIGN32)
UN(F32_NEG, U32(1) ^ NUM_SIGN32)
UN(F32_CEIL, num_bits32(num_round32(F32(1), ceilf)))
UN(F32_FLOOR, num_bits32(num_round32(F32(1), floorf)))
UN(F32_TRUNC, num_bits32(num_round32(F32(1), truncf)))
UN(F32_NEAREST, num_bits32(num_nearest32(F32(1))))
UN(F32_SQRT, num_bits32(sqrtf(F32(1))))
UN(F64_ABS, U64(1) & ~NUM_SIGN64)
UN(F64_NEG, U64(1) ^ NUM_SIGN64)
UN(F64_CEIL, num_bits64(num_round64(F64(1), ceil)))
UN(F64_FLOOR, num_bits64(num_round64(F64(1), floor)))
UN(F64_TRUNC, num_bits64(num_round64(F64(1), trunc)))
UN(F64_NEAREST, num_bits64(num_nearest64(F64(1))))
UN(F64_SQRT, num_bits64(sqrt(F64(1))))
UN(I32_WRAP_I64, (uint32_t)U64(1))
UN(I64_EXTEND_I32_S, (uint64_t)(int64_t)I32(1))
UN(I64_EXTEND_I32_U, (uint64_t)U32(1))
UN(F32_CONVERT_I32_S, num_bits32((float)I32(1)))
UN(F32_CONVERT_I32_U, num_bits32((float)U32(1)))
UN(F32_CONVERT_I64_S, num_bits32((float)I64(1)))
UN(F32_CONVERT_I64_U, num_bits32((float)U64(1)))
UN(F32_DEMOTE_F64, num_bits32((float)F64(1)))
UN(F64_CONVERT_I32_S, num_bits64((double)I32(1)))
UN(F64_CONVERT_I32_U, num_bits64((double)U32(1)))
UN(F64_CONVERT_I64_S, num_bits64((double)I64(1)))
UN(F64_CONVERT_I64_U, num_bits64((double)U64(1)))
UN(F64_PROMOTE_F32, num_bits64((double)F32(1)))
UN(I32_EXTEND8_S, (uint32_t)(int32_t)(int8_t)U32(1))
UN(I32_EXTEND16_S, (uint32_t)(int32_t)(int16_t)U32(1))
UN(I64_EXTEND8_S, (uint64_t)(int64_t)(int8_t)U64(1))
UN(I64_EXTEND16_S, (uint64_t)(int64_t)(int16_t)U64(1))
UN(I64_EXTEND32_S, (uint64_t)(int64_t)(int32_t)U64(1))
UN(I32_TRUNC_SAT_F32_S, (uint32_t)num_sat_i32(F32(1)))
UN(I32_TRUNC_SAT_F32_U, num_sat_u32(F32(1)))
UN(I32_TRUNC_SAT_F64_S, (uint32_t)num_sat_i32(F64(1)))
UN(I32_TRUNC_SAT_F64_U, num_sat_u32(F64(1)))
UN(I64_TRUNC_SAT_F32_S, (uint64_t)num_sat_i64(F32(1)))
UN(I64_TRUNC_SAT_F32_U, num_sat_u64(F32(1)))
UN(I64_TRUNC_SAT_F64_S, (uint64_t)num_sat_i64(F64(1)))
UN(I64_TRUNC_SAT_F64_U, num_sat_u64(F64(1)))

/* trapping truncation: x is the input widened to double (exact) */
#define TRUNC(name, get, in_range, T, R)                      \
OP(name) {                                                    \
  double x = get(1);                                          \
  if (UNLIKELY(x != x)) TRAP(CAIRN_TRAP_BAD_CONVERSION);      \
  if (UNLIKELY(!in_range(x))) TRAP(CAIRN_TRAP_INT_OVERFLOW);   \
  S(0) = (R)(T)x;                                             \
  pc += 2;                                                    \
  NEXT();                                                     \
}
TRUNC(I32_TRUNC_F32_S, F32, num_in_i32, int32_t, uint32_t)
TRUNC(I32_TRUNC_F32_U, F32, num_in_u32, uint32_t, uint32_t)
TRUNC(I32_TRUNC_F64_S, F64, num_in_i32, int32_t, uint32_t)
TRUNC(I32_TRUNC_F64_U, F64, num_in_u32, uint32_t, uint32_t)
TRUNC(I64_TRUNC_F32_S, F32, num_in_i64, int64_t, uint64_t)
TRUNC(I64_TRUNC_F32_U, F32, num_in_u64, uint64_t, uint64_t)
TRUNC(I64_TRUNC_F64_S, F64, num_in_i64, int64_t, uint64_t)
TRUNC(I64_TRUNC_F64_U, F64, num_in_u64, uint64_t, uint64_t)
