/*
** emit_shiftmask.c: `x >>u c` then `& M`, where M keeps exactly the bits
** the shift left minus the k lowest, as `(x >> (c + k)) << k`.
**
** clang writes the byte offset of `a[i >> 5]` in a uint32_t array as
** `(i >> 3) & 0x1ffffffc`. GCC keeps that form, so the address costs a
** shift, an and, the 32-bit add and a zero extension; written as
** `(i >> 5) << 2` it becomes a shift and one `lea` with a scaled index,
** whose 32-bit result needs no extension (sieve: 5 % of its time,
** docs/benchmarks.md). The two forms are equal for every x: both are the
** bits c + k and up of x, moved down by c.
**
** It may not touch: the module (read only), the runtime.
*/
#include "engine/aot/emit_int.h"

bool emit_shift_mask(Emit *e, const Instr *in, const uint8_t **pp, const uint8_t *end) {
  bool i64 = in->op == OP_I64_SHR_U;
  if ((!i64 && in->op != OP_I32_SHR_U) || e->nStk < 2) return false;
  const EmitVal *c = &e->aVal[e->nStk - 1];
  if (c->kind != EV_CONST) return false;
  uint32_t bits = i64 ? 64 : 32;
  uint64_t all = i64 ? UINT64_MAX : UINT32_MAX;
  uint32_t sh = (uint32_t)(c->bits & (bits - 1));
  if (sh == 0) return false;

  Instr k, and;
  const uint8_t *p = *pp;
  if (!emit_next_instr(e, &p, end, &k) || k.op != (i64 ? OP_I64_CONST : OP_I32_CONST) ||
      !emit_next_instr(e, &p, end, &and) || and.op != (i64 ? OP_I64_AND : OP_I32_AND))
    return false;
  uint64_t mask = k.bits & all;
  if (mask == 0) return false;
  uint32_t low = (uint32_t)__builtin_ctzll(mask);
  if (sh + low >= bits || mask != ((all >> sh) & (all << low))) return false;

  char zX[EMIT_NAME];
  snprintf(zX, sizeof zX, "%s", emit_var(e, e->nStk - 2));
  emit_pop(e, 2);
  emit_result(e, i64 ? VT_I64 : VT_I32);
  emit_printf(&e->body, "(%s >> %uu) << %uu", zX, sh + low, low);
  emit_result_end(e);
  *pp = p;
  return true;
}
