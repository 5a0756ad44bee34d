/*
** exec_fused.h: the interpreter's compare-and-branch handlers (BR_<cmp>,
** BR_<cmp>_I), loop latches (ADDI_BR_<cmp>) and selects fused with their
** compare (interp.h). Not a normal header: included once inside exec_run
** (exec.c), after exec_numeric.h (it expands its I32_COMPARES), and uses
** exec_run's locals and macros.
*/

/* ---- compare and branch: (a, b or imm, L) ----
** A compare whose only use is a br_if or an if: one dispatch, no i32
** result written and read back. */
#define BRCMP(name, T, get, nImm, expr)     \
OP(BR_##name) {                             \
  uint64_t ab = PAIR(0);                    \
  T a = AT_##get(PAIR_LO(ab)), b = AT_##get(PAIR_HI(ab));   \
  if (expr) JUMP(pc + 2);                   \
  pc += 3;                                  \
  NEXT();                                   \
}                                           \
OP(BR_##name##_I) {                         \
  uint64_t ab = PAIR(0);                    \
  T a = AT_##get(PAIR_LO(ab)), b = nImm == 1 ? PAIR_HI(ab) : IMM64(1);   \
  if (expr) JUMP(pc + 1 + nImm);            \
  pc += 2 + nImm;                           \
  NEXT();                                   \
}
#define BRCMP32(name, expr) BRCMP(name, uint32_t, U32, 1, expr)
#define BRCMP64(name, expr) BRCMP(name, uint64_t, U64, 2, expr)
I32_COMPARES(BRCMP32)
BRCMP64(I64_EQ, a == b)
BRCMP64(I64_NE, a != b)
BRCMP64(I64_LT_S, (int64_t)a < (int64_t)b)
BRCMP64(I64_LT_U, a < b)
BRCMP64(I64_GT_S, (int64_t)a > (int64_t)b)
BRCMP64(I64_GT_U, a > b)
BRCMP64(I64_LE_S, (int64_t)a <= (int64_t)b)
BRCMP64(I64_LE_U, a <= b)
BRCMP64(I64_GE_S, (int64_t)a >= (int64_t)b)
BRCMP64(I64_GE_U, a >= b)

/* add-constant, compare and branch (loop latches): (dst, a, imm, b or
** imm2, L); b is read after dst is written (it may be the same slot) */
#define ADDIBR(name, expr)                  \
OP(ADDI_BR_##name) {                        \
  uint64_t da = PAIR(0), ib = PAIR(2);      \
  uint32_t a = AT_U32(PAIR_HI(da)) + PAIR_LO(ib);   \
  fp[PAIR_LO(da)] = a;                      \
  uint32_t b = AT_U32(PAIR_HI(ib));         \
  if (expr) JUMP(pc + 4);                   \
  pc += 5;                                  \
  NEXT();                                   \
}                                           \
OP(ADDI_BR_##name##_I) {                    \
  uint64_t da = PAIR(0), ib = PAIR(2);      \
  uint32_t a = AT_U32(PAIR_HI(da)) + PAIR_LO(ib), b = PAIR_HI(ib);   \
  fp[PAIR_LO(da)] = a;                      \
  if (expr) JUMP(pc + 4);                   \
  pc += 5;                                  \
  NEXT();                                   \
}
I32_COMPARES(ADDIBR)

/* select fused with its compare */
OP(SELECT_NZ64) {
  S(0) = U64(3) ? S(1) : S(2);
  pc += 4;
  NEXT();
}
#define SELCMP(name, expr)                  \
OP(SELECT_##name) {                         \
  uint32_t a = U32(3), b = U32(4);          \
  S(0) = (expr) ? S(1) : S(2);              \
  pc += 5;                                  \
  NEXT();                                   \
}
I32_COMPARES(SELCMP)
