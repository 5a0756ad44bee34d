/*
** constexpr.c: evaluation of constant expressions (global initialisers,
** segment offsets, element items) against an instance being built. The
** validator has checked them; this evaluator still refuses anything it does
** not know rather than guessing. Covers Wasm 2.0 (t.const, ref.null,
** ref.func, global.get, v128.const) and the extended-const arithmetic.
*/
#include <string.h>

#include "engine/runtime/rtint.h"

#define CE_MAX_STACK 16

typedef struct CeVal {
  ValType t;
  Slot v[2];
} CeVal;

static bool ce_bad(const ConstExpr *e, const uint8_t *p, cairn_error *err, const char *what) {
  base_error(err, CAIRN_ERR_INVALID, (long)e->offset + (long)(p - e->p), "%s", what);
  return false;
}

bool rt_const_eval(cairn_instance *inst, const ConstExpr *e, Slot out[2], ValType *type,
                   cairn_error *err) {
  CeVal st[CE_MAX_STACK];
  int n = 0;
  const uint8_t *p = e->p, *end = e->p + e->n;
  while (p < end) {
    const uint8_t *at = p;
    uint8_t op = *p++;
    if (op == 0x0B) {
      if (n != 1) return ce_bad(e, at, err, "type mismatch");
      out[0] = st[0].v[0];
      out[1] = st[0].v[1];
      if (type) *type = st[0].t;
      return true;
    }
    if (op >= 0x6A && op <= 0x6C) { /* i32.add/sub/mul */
      if (n < 2 || st[n - 1].t != VT_I32 || st[n - 2].t != VT_I32)
        return ce_bad(e, at, err, "type mismatch");
      uint32_t b = (uint32_t)st[--n].v[0], a = (uint32_t)st[n - 1].v[0];
      uint32_t r = op == 0x6A ? a + b : op == 0x6B ? a - b : a * b;
      st[n - 1].v[0] = r;
      continue;
    }
    if (op >= 0x7C && op <= 0x7E) { /* i64.add/sub/mul */
      if (n < 2 || st[n - 1].t != VT_I64 || st[n - 2].t != VT_I64)
        return ce_bad(e, at, err, "type mismatch");
      uint64_t b = st[--n].v[0], a = st[n - 1].v[0];
      st[n - 1].v[0] = op == 0x7C ? a + b : op == 0x7D ? a - b : a * b;
      continue;
    }
    if (n == CE_MAX_STACK) return ce_bad(e, at, err, "constant expression too deep");
    CeVal *v = &st[n];
    v->v[0] = v->v[1] = 0;
    int len;
    int64_t sv;
    uint64_t uv;
    switch (op) {
      case 0x41: /* i32.const */
        if ((len = leb_read_s(p, end, 32, &sv)) <= 0) return ce_bad(e, at, err, "bad immediate");
        p += len;
        v->t = VT_I32;
        v->v[0] = (uint32_t)sv;
        break;
      case 0x42: /* i64.const */
        if ((len = leb_read_s(p, end, 64, &sv)) <= 0) return ce_bad(e, at, err, "bad immediate");
        p += len;
        v->t = VT_I64;
        v->v[0] = (uint64_t)sv;
        break;
      case 0x43: /* f32.const */
      case 0x44: { /* f64.const */
        unsigned nb = op == 0x43 ? 4 : 8;
        if ((size_t)(end - p) < nb) return ce_bad(e, at, err, "bad immediate");
        uint64_t bits = 0;
        for (unsigned i = 0; i < nb; i++) bits |= (uint64_t)p[i] << (8 * i);
        p += nb;
        v->t = op == 0x43 ? VT_F32 : VT_F64;
        v->v[0] = bits;
        break;
      }
      case 0xD0: /* ref.null t */
        if (p >= end || !vt_is_ref(*p)) return ce_bad(e, at, err, "bad immediate");
        v->t = *p++;
        break;
      case 0xD2: /* ref.func x */
        if ((len = leb_read_u(p, end, 32, &uv)) <= 0) return ce_bad(e, at, err, "bad immediate");
        p += len;
        if (uv >= inst->m->nFunc || !inst->apFunc[uv]) return ce_bad(e, at, err, "unknown function");
        v->t = VT_FUNCREF;
        v->v[0] = (Slot)(uintptr_t)inst->apFunc[uv];
        break;
      case 0x23: { /* global.get x */
        if ((len = leb_read_u(p, end, 32, &uv)) <= 0) return ce_bad(e, at, err, "bad immediate");
        p += len;
        if (uv >= inst->m->nGlobal || !inst->apGlobal[uv]) return ce_bad(e, at, err, "unknown global");
        const cairn_global *g = inst->apGlobal[uv];
        v->t = g->type;
        v->v[0] = g->v[0];
        v->v[1] = g->v[1];
        break;
      }
      case 0xFD: /* v128.const (sub-opcode 12) */
        if ((len = leb_read_u(p, end, 32, &uv)) <= 0 || uv != 12 || (size_t)(end - p - len) < 16)
          return ce_bad(e, at, err, "constant expression required");
        p += len;
        memcpy(v->v, p, 16);
        p += 16;
        v->t = VT_V128;
        break;
      default:
        return ce_bad(e, at, err, "constant expression required");
    }
    n++;
  }
  return ce_bad(e, p, err, "unexpected end");
}
