/*
** valid_code.c: the spec's validation algorithm for one function body: an
** operand stack whose entries may be "unknown" in unreachable code, and a
** control stack of blocks with their parameter and result types. Ordinary
** instructions are typed from opinfo_table's signature letters; the ones
** marked "*" (control, variables, references, tables, ...) by hand.
*/
#include <string.h>

#include "valid_internal.h"

#define VT_UNKNOWN 0 /* an operand of any type, in unreachable code */

typedef struct Ctrl {
  WasmOp op; /* BLOCK, LOOP, IF, ELSE, or END for the function itself */
  BlockTypeKind bt;
  ValType btVal;    /* BT_VAL */
  uint32_t typeIdx; /* BT_TYPE (and the function frame) */
  uint32_t height;  /* operand stack height at entry */
  bool unreachable;
} Ctrl;

typedef struct VCode {
  const Module *m;
  cairn_error *err;
  long off; /* offset of the instruction being checked */
  ValType *aStk;
  uint32_t nStk, nStkAlloc;
  Ctrl *aCtrl;
  uint32_t nCtrl, nCtrlAlloc;
  const FuncType *ft;
  const Func *f;
  ValType *aLocal;     /* type of every local, params first */
  uint32_t nLocal, nLocalAlloc;
  bool usesSimd; /* a 0xFD instruction was read */
  bool oom;
} VCode;

static bool vc_mismatch(VCode *v) {
  return valid_fail(v->err, v->off, "type mismatch");
}

static bool vc_nomem(VCode *v) {
  v->oom = true;
  base_error(v->err, CAIRN_ERR_NOMEM, v->off, "out of memory");
  return false;
}

static const ValType *ctrl_params(const VCode *v, const Ctrl *c, uint32_t *n) {
  if (c->bt == BT_TYPE && c->op != OP_END) {
    *n = v->m->aType[c->typeIdx].nParam;
    return v->m->aType[c->typeIdx].aType;
  }
  *n = 0;
  return NULL;
}

static const ValType *ctrl_results(const VCode *v, const Ctrl *c, uint32_t *n) {
  if (c->bt == BT_TYPE) {
    const FuncType *ft = &v->m->aType[c->typeIdx];
    *n = ft->nResult;
    return ft->aType ? ft->aType + ft->nParam : NULL; /* [] -> [] has no array */
  }
  *n = c->bt == BT_VAL;
  return &c->btVal;
}

static const ValType *ctrl_labels(const VCode *v, const Ctrl *c, uint32_t *n) {
  return c->op == OP_LOOP ? ctrl_params(v, c, n) : ctrl_results(v, c, n);
}

static bool vc_grow(VCode *v) {
  uint32_t nNew = v->nStkAlloc ? v->nStkAlloc * 2 : 64;
  ValType *a = base_realloc(v->aStk, nNew);
  if (!a) return vc_nomem(v);
  v->aStk = a;
  v->nStkAlloc = nNew;
  return true;
}

static inline bool vc_push(VCode *v, ValType t) {
  if (__builtin_expect(v->nStk == v->nStkAlloc, 0) && !vc_grow(v)) return false;
  v->aStk[v->nStk++] = t;
  return true;
}

static inline bool vc_pop(VCode *v, ValType *out) {
  *out = VT_UNKNOWN;
  Ctrl *c = &v->aCtrl[v->nCtrl - 1];
  if (v->nStk == c->height) {
    if (c->unreachable) return true;
    return vc_mismatch(v);
  }
  *out = v->aStk[--v->nStk];
  return true;
}

static inline bool vc_pop_expect(VCode *v, ValType want) {
  const Ctrl *c = &v->aCtrl[v->nCtrl - 1];
  if (v->nStk > c->height) {
    ValType t = v->aStk[--v->nStk];
    if (t != want && t != VT_UNKNOWN && want != VT_UNKNOWN) return vc_mismatch(v);
    return true;
  }
  if (c->unreachable) return true;
  return vc_mismatch(v);
}

static bool vc_pop_vals(VCode *v, const ValType *a, uint32_t n) {
  for (uint32_t i = n; i-- > 0;)
    if (!vc_pop_expect(v, a[i])) return false;
  return true;
}

static bool vc_push_vals(VCode *v, const ValType *a, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (!vc_push(v, a[i])) return false;
  return true;
}

static bool vc_push_ctrl(VCode *v, WasmOp op, const Instr *in) {
  if (v->nCtrl == v->nCtrlAlloc) {
    uint32_t nNew = v->nCtrlAlloc ? v->nCtrlAlloc * 2 : 16;
    Ctrl *a = base_realloc(v->aCtrl, nNew * sizeof *a);
    if (!a) return vc_nomem(v);
    v->aCtrl = a;
    v->nCtrlAlloc = nNew;
  }
  Ctrl *c = &v->aCtrl[v->nCtrl++];
  memset(c, 0, sizeof *c);
  c->op = op;
  c->bt = in->btKind;
  c->btVal = in->btVal;
  c->typeIdx = in->a;
  c->height = v->nStk;
  uint32_t n;
  const ValType *a = ctrl_params(v, c, &n);
  return vc_push_vals(v, a, n);
}

/* Pops the top frame after checking its results; *out receives a copy. */
static bool vc_pop_ctrl(VCode *v, Ctrl *out) {
  Ctrl *c = &v->aCtrl[v->nCtrl - 1];
  uint32_t n;
  const ValType *a = ctrl_results(v, c, &n);
  if (!vc_pop_vals(v, a, n)) return false;
  if (v->nStk != c->height) return vc_mismatch(v);
  *out = *c;
  v->nCtrl--;
  return true;
}

static void vc_unreachable(VCode *v) {
  Ctrl *c = &v->aCtrl[v->nCtrl - 1];
  v->nStk = c->height;
  c->unreachable = true;
}

/* Signature letter (opcodes.h) -> value type; other bytes map to VT_UNKNOWN. */
static const ValType aLetterType[128] = {
    ['i'] = VT_I32,     ['l'] = VT_I64,     ['f'] = VT_F32,       ['d'] = VT_F64,
    ['v'] = VT_V128,    ['r'] = VT_FUNCREF, ['e'] = VT_EXTERNREF,
};

static inline ValType vc_letter(char c) {
  return aLetterType[(unsigned char)c & 0x7F];
}

static inline bool vc_local(VCode *v, uint32_t idx, ValType *out) {
  if (idx >= v->nLocal) {
    *out = VT_UNKNOWN;
    return valid_fail(v->err, v->off, "unknown local %u", idx);
  }
  *out = v->aLocal[idx];
  return true;
}

static bool vc_memory(VCode *v, uint32_t idx) {
  if (idx >= v->m->nMem) return valid_fail(v->err, v->off, "unknown memory %u", idx);
  return true;
}

static bool vc_table(VCode *v, uint32_t idx) {
  if (idx >= v->m->nTable) return valid_fail(v->err, v->off, "unknown table %u", idx);
  return true;
}

static bool vc_data(VCode *v, uint32_t idx) {
  if (idx >= v->m->nData) return valid_fail(v->err, v->off, "unknown data segment %u", idx);
  return true;
}

static bool vc_elem(VCode *v, uint32_t idx) {
  if (idx >= v->m->nElem) return valid_fail(v->err, v->off, "unknown elem segment %u", idx);
  return true;
}

static bool vc_label(VCode *v, uint32_t depth, const Ctrl **out) {
  *out = NULL;
  if (depth >= v->nCtrl) return valid_fail(v->err, v->off, "unknown label %u", depth);
  *out = &v->aCtrl[v->nCtrl - 1 - depth];
  return true;
}

/* Lane count of a lane instruction, from its shape prefix ("i8x16." ...). */
static uint32_t vc_lane_count(const OpInfo *oi) {
  const char *z = oi->zName;
  if (z[1] == '8') return 16;
  if (z[1] == '1') return 8;
  if (z[1] == '3') return 4;
  return 2; /* i64x2, f64x2 */
}

/* Checks the immediates of an instruction typed by its signature letters. */
static bool vc_immediates(VCode *v, const Instr *in) {
  const Module *m = v->m;
  const OpInfo *oi = &opinfo_table[in->op];
  switch (oi->imm) {
    case IMM_MEMARG:
      if (!vc_memory(v, 0)) return false;
      if (in->a > oi->align)
        return valid_fail(v->err, v->off, "alignment must not be larger than natural");
      return true;
    case IMM_MEMARG_LANE: /* align in b, lane in a */
      if (!vc_memory(v, 0)) return false;
      if (in->b > oi->align)
        return valid_fail(v->err, v->off, "alignment must not be larger than natural");
      if (in->a >= 16u >> oi->align) return valid_fail(v->err, v->off, "invalid lane index");
      return true;
    case IMM_LANE:
      if (in->a >= vc_lane_count(oi)) return valid_fail(v->err, v->off, "invalid lane index");
      return true;
    case IMM_SHUFFLE:
      for (int i = 0; i < 16; i++)
        if (in->pVec[i] >= 32) return valid_fail(v->err, v->off, "invalid lane index");
      return true;
    case IMM_MEMIDX:
    case IMM_MEM_MEM:
      return vc_memory(v, 0);
    case IMM_DATA_MEM:
    case IMM_DATA:
      /* a decoding rule the decoder left to us (it does not walk bodies) */
      if (!m->hasDataCount && m->nData > 0) {
        base_error(v->err, CAIRN_ERR_MALFORMED, v->off, "data count section required");
        return false;
      }
      if (oi->imm == IMM_DATA_MEM && !vc_memory(v, 0)) return false;
      return vc_data(v, in->a);
    case IMM_ELEM:
      return vc_elem(v, in->a);
    case IMM_TABLE:
      return vc_table(v, in->a);
    case IMM_ELEM_TABLE:
      if (!vc_table(v, in->b) || !vc_elem(v, in->a)) return false;
      if (m->aTable[in->b].elem != m->aElem[in->a].type) return vc_mismatch(v);
      return true;
    case IMM_TABLE_TABLE:
      if (!vc_table(v, in->a) || !vc_table(v, in->b)) return false;
      if (m->aTable[in->a].elem != m->aTable[in->b].elem) return vc_mismatch(v);
      return true;
    default:
      return true;
  }
}

static inline bool vc_signature(VCode *v, const OpInfo *oi) {
  const char *zp = oi->zParams, *zr = oi->zResults;
  /* at most 3 params (v128.bitselect, select-like SIMD ops) */
  size_t n = 0;
  while (zp[n]) n++;
  while (n-- > 0)
    if (!vc_pop_expect(v, vc_letter(zp[n]))) return false;
  for (; *zr; zr++)
    if (!vc_push(v, vc_letter(*zr))) return false;
  return true;
}

static bool vc_br_table(VCode *v, const Instr *in) {
  if (!vc_pop_expect(v, VT_I32)) return false;
  const Ctrl *dflt = NULL;
  if (!vc_label(v, in->b, &dflt)) return false;
  uint32_t arity;
  ctrl_labels(v, dflt, &arity);
  const Ctrl *top = &v->aCtrl[v->nCtrl - 1];
  uint32_t avail = v->nStk - top->height;
  const uint8_t *q = in->pVec;
  for (uint32_t k = 0; k < in->a; k++) {
    uint64_t depth;
    q += leb_read_u(q, q + 5, 32, &depth); /* accepted by decode_instr */
    const Ctrl *c = NULL;
    if (!vc_label(v, (uint32_t)depth, &c)) return false;
    uint32_t n;
    const ValType *a = ctrl_labels(v, c, &n);
    if (n != arity) return vc_mismatch(v);
    /* the top n operands must match, without being consumed; below the
    ** frame's height only an unreachable frame's unknown operands exist */
    for (uint32_t i = 0; i < n; i++) {
      if (i >= avail) {
        if (!top->unreachable) return vc_mismatch(v);
        break;
      }
      ValType t = v->aStk[v->nStk - 1 - i], want = a[n - 1 - i];
      if (t != want && t != VT_UNKNOWN) return vc_mismatch(v);
    }
  }
  uint32_t n;
  const ValType *a = ctrl_labels(v, dflt, &n);
  if (!vc_pop_vals(v, a, n)) return false;
  vc_unreachable(v);
  return true;
}

static bool vc_instr(VCode *v, const Instr *in, bool *done) {
  const Module *m = v->m;
  const OpInfo *oi = &opinfo_table[in->op];
  if (oi->zParams[0] != '*') return vc_immediates(v, in) && vc_signature(v, oi);
  ValType t = VT_UNKNOWN, t2 = VT_UNKNOWN;
  uint32_t n = 0;
  const ValType *a = NULL;
  const Ctrl *lab = NULL;
  Ctrl c;
  switch (in->op) {
    case OP_UNREACHABLE:
      vc_unreachable(v);
      return true;
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF:
      if (in->btKind == BT_TYPE && in->a >= m->nType)
        return valid_fail(v->err, v->off, "unknown type %u", in->a);
      if (in->op == OP_IF && !vc_pop_expect(v, VT_I32)) return false;
      if (in->btKind == BT_TYPE) {
        const FuncType *ft = &m->aType[in->a];
        if (!vc_pop_vals(v, ft->aType, ft->nParam)) return false;
      }
      return vc_push_ctrl(v, in->op, in);
    case OP_ELSE: {
      /* the decoder left the nesting to us (decode_check_bodies words it) */
      if (v->aCtrl[v->nCtrl - 1].op != OP_IF) {
        base_error(v->err, CAIRN_ERR_MALFORMED, v->off, "END opcode expected");
        return false;
      }
      if (!vc_pop_ctrl(v, &c)) return false;
      Instr bt;
      memset(&bt, 0, sizeof bt);
      bt.btKind = c.bt;
      bt.btVal = c.btVal;
      bt.a = c.typeIdx;
      return vc_push_ctrl(v, OP_ELSE, &bt);
    }
    case OP_END:
      if (!vc_pop_ctrl(v, &c)) return false;
      if (c.op == OP_IF) {
        /* no else: the empty else must turn the params into the results */
        uint32_t np, nr;
        const ValType *ap = ctrl_params(v, &c, &np);
        const ValType *ar = ctrl_results(v, &c, &nr);
        if (np != nr || (np && memcmp(ap, ar, np) != 0)) return vc_mismatch(v);
      }
      if (v->nCtrl == 0) {
        *done = true;
        return true;
      }
      a = ctrl_results(v, &c, &n);
      return vc_push_vals(v, a, n);
    case OP_BR:
      if (!vc_label(v, in->a, &lab)) return false;
      a = ctrl_labels(v, lab, &n);
      if (!vc_pop_vals(v, a, n)) return false;
      vc_unreachable(v);
      return true;
    case OP_BR_IF:
      if (!vc_label(v, in->a, &lab)) return false;
      if (!vc_pop_expect(v, VT_I32)) return false;
      a = ctrl_labels(v, lab, &n);
      return vc_pop_vals(v, a, n) && vc_push_vals(v, a, n);
    case OP_BR_TABLE:
      return vc_br_table(v, in);
    case OP_RETURN:
      a = ctrl_results(v, &v->aCtrl[0], &n);
      if (!vc_pop_vals(v, a, n)) return false;
      vc_unreachable(v);
      return true;
    case OP_CALL: {
      if (in->a >= m->nFunc) return valid_fail(v->err, v->off, "unknown function %u", in->a);
      const FuncType *ft = module_func_type(m, in->a);
      return vc_pop_vals(v, ft->aType, ft->nParam) &&
             vc_push_vals(v, ft->aType + ft->nParam, ft->nResult);
    }
    case OP_CALL_INDIRECT: {
      if (!vc_table(v, in->b)) return false;
      if (in->a >= m->nType) return valid_fail(v->err, v->off, "unknown type %u", in->a);
      if (m->aTable[in->b].elem != VT_FUNCREF) return vc_mismatch(v);
      const FuncType *ft = &m->aType[in->a];
      return vc_pop_expect(v, VT_I32) && vc_pop_vals(v, ft->aType, ft->nParam) &&
             vc_push_vals(v, ft->aType + ft->nParam, ft->nResult);
    }
    case OP_DROP:
      return vc_pop(v, &t);
    case OP_SELECT: {
      if (!vc_pop_expect(v, VT_I32) || !vc_pop(v, &t) || !vc_pop(v, &t2)) return false;
      bool num1 = t == VT_UNKNOWN || !vt_is_ref(t), num2 = t2 == VT_UNKNOWN || !vt_is_ref(t2);
      if (!num1 || !num2) return vc_mismatch(v);
      if (t != t2 && t != VT_UNKNOWN && t2 != VT_UNKNOWN) return vc_mismatch(v);
      return vc_push(v, t == VT_UNKNOWN ? t2 : t);
    }
    case OP_SELECT_T:
      if (in->a != 1) return valid_fail(v->err, v->off, "invalid result arity");
      t = in->pVec[0];
      return vc_pop_expect(v, VT_I32) && vc_pop_expect(v, t) && vc_pop_expect(v, t) &&
             vc_push(v, t);
    case OP_LOCAL_GET:
      return vc_local(v, in->a, &t) && vc_push(v, t);
    case OP_LOCAL_SET:
      return vc_local(v, in->a, &t) && vc_pop_expect(v, t);
    case OP_LOCAL_TEE:
      return vc_local(v, in->a, &t) && vc_pop_expect(v, t) && vc_push(v, t);
    case OP_GLOBAL_GET:
      if (in->a >= m->nGlobal) return valid_fail(v->err, v->off, "unknown global %u", in->a);
      return vc_push(v, m->aGlobal[in->a].type.type);
    case OP_GLOBAL_SET:
      if (in->a >= m->nGlobal) return valid_fail(v->err, v->off, "unknown global %u", in->a);
      if (!m->aGlobal[in->a].type.mut) return valid_fail(v->err, v->off, "global is immutable");
      return vc_pop_expect(v, m->aGlobal[in->a].type.type);
    case OP_TABLE_GET:
      return vc_table(v, in->a) && vc_pop_expect(v, VT_I32) &&
             vc_push(v, m->aTable[in->a].elem);
    case OP_TABLE_SET:
      return vc_table(v, in->a) && vc_pop_expect(v, m->aTable[in->a].elem) &&
             vc_pop_expect(v, VT_I32);
    case OP_TABLE_GROW:
      return vc_table(v, in->a) && vc_pop_expect(v, VT_I32) &&
             vc_pop_expect(v, m->aTable[in->a].elem) && vc_push(v, VT_I32);
    case OP_TABLE_FILL:
      return vc_table(v, in->a) && vc_pop_expect(v, VT_I32) &&
             vc_pop_expect(v, m->aTable[in->a].elem) && vc_pop_expect(v, VT_I32);
    case OP_REF_NULL:
      return vc_push(v, (ValType)in->a);
    case OP_REF_IS_NULL:
      if (!vc_pop(v, &t)) return false;
      if (t != VT_UNKNOWN && !vt_is_ref(t)) return vc_mismatch(v);
      return vc_push(v, VT_I32);
    case OP_REF_FUNC:
      if (in->a >= m->nFunc) return valid_fail(v->err, v->off, "unknown function %u", in->a);
      if (!m->aFuncDeclared || !m->aFuncDeclared[in->a])
        return valid_fail(v->err, v->off, "undeclared function reference");
      return vc_push(v, VT_FUNCREF);
    default:
      return valid_fail(v->err, v->off, "unsupported instruction %s", oi->zName);
  }
}

/* Types one body with the buffers of v (kept between functions). */
static bool vc_function(VCode *v, const Module *m, uint32_t funcIdx, cairn_error *err) {
  const Func *f = &m->aFunc[funcIdx];
  v->m = m;
  v->err = err;
  v->f = f;
  v->ft = module_func_type(m, funcIdx);
  v->off = f->bodyOffset;
  v->nStk = v->nCtrl = 0;
  /* locals: the decoder bounds their count by MODULE_MAX_FUNC_LOCALS */
  uint64_t nLocal = (uint64_t)v->ft->nParam + f->nLocal;
  if (nLocal > v->nLocalAlloc) {
    ValType *a = base_realloc(v->aLocal, nLocal);
    if (!a) return vc_nomem(v);
    v->aLocal = a;
    v->nLocalAlloc = (uint32_t)nLocal;
  }
  v->nLocal = (uint32_t)nLocal;
  if (v->ft->nParam) memcpy(v->aLocal, v->ft->aType, v->ft->nParam);
  uint32_t k = v->ft->nParam;
  for (uint32_t i = 0; i < f->nLocalGroup; i++) {
    uint32_t n = f->aLocalGroup[i].count;
    if (n == 0) continue; /* aLocal may still be NULL */
    memset(v->aLocal + k, f->aLocalGroup[i].type, n);
    k += n;
  }
  Instr frame;
  memset(&frame, 0, sizeof frame);
  frame.btKind = BT_TYPE;
  frame.a = f->typeIdx;
  if (!vc_push_ctrl(v, OP_END, &frame)) return false;
  const uint8_t *p = f->pBody, *pEnd = f->pBody + f->nBody;
  bool done = false;
  Instr in;
  while (!done) {
    if (p >= pEnd) return valid_fail(err, (long)(p - m->aBytes), "unexpected end of function");
    v->off = (long)(p - m->aBytes);
    if (*p == 0xFD) v->usesSimd = true;
    if (!decode_instr(p, pEnd, m->aBytes, &in, err)) return false;
    p += in.len;
    if (!vc_instr(v, &in, &done)) return false;
  }
  /* the final end must close the body exactly (decode_check_bodies words it) */
  if (p != pEnd) {
    base_error(err, CAIRN_ERR_MALFORMED, (long)f->entryOffset, "section size mismatch");
    return false;
  }
  return true;
}

bool valid_code(const Module *m, uint32_t funcIdx, cairn_error *err) {
  uint32_t failed;
  bool usesSimd;
  return valid_code_range(m, funcIdx, funcIdx + 1, &failed, &usesSimd, err);
}

bool valid_code_range(const Module *m, uint32_t from, uint32_t to, uint32_t *pFailed,
                      bool *pUsesSimd, cairn_error *err) {
  VCode v;
  memset(&v, 0, sizeof v);
  bool ok = true;
  uint32_t i;
  for (i = from; i < to && ok; i++) ok = vc_function(&v, m, i, err);
  *pFailed = ok ? to : i - 1;
  *pUsesSimd = v.usesSimd;
  base_free(v.aLocal);
  base_free(v.aStk);
  base_free(v.aCtrl);
  return ok;
}
