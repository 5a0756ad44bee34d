/*
** valid_module.c: module-level validation (validate_module): types of
** imports and functions, limits, the single memory, constant expressions,
** element and data segments, the start function, exports, and the set of
** declared function references; then each body through valid_code.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "valid_internal.h"

bool valid_fail(cairn_error *err, long off, const char *fmt, ...) {
  if (!err) return false;
  char msg[sizeof err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  base_error(err, CAIRN_ERR_INVALID, off, "%s", msg);
  return false;
}

static long valid_name_off(const Module *m, Name n) {
  return n.z ? (long)((const uint8_t *)n.z - m->aBytes) : -1;
}

static bool valid_limits(const Limits *l, uint64_t range, const char *zRange, long off,
                         cairn_error *err) {
  if (l->min > range) return valid_fail(err, off, "%s", zRange);
  if (l->hasMax) {
    if (l->max > range) return valid_fail(err, off, "%s", zRange);
    if (l->min > l->max)
      return valid_fail(err, off, "size minimum must not be greater than maximum");
  }
  return true;
}

static bool valid_table_type(const TableType *t, long off, cairn_error *err) {
  return valid_limits(&t->lim, 0xFFFFFFFFull, "table size must be at most 2^32-1", off, err);
}

static bool valid_mem_type(const MemType *t, long off, cairn_error *err) {
  return valid_limits(&t->lim, 65536, "memory size must be at most 65536 pages (4GiB)", off,
                      err);
}

/* A constant expression of type t: only *.const (v128.const too), ref.null, ref.func and
** global.get of an imported immutable global (Wasm 2.0). */
static bool valid_const_expr(const Module *m, const ConstExpr *c, ValType t, cairn_error *err) {
  const uint8_t *p = c->p, *end = c->p + c->n;
  ValType aStk[4];
  uint32_t nStk = 0; /* only the count matters past 4 values: they mismatch anyway */
  Instr in;
  while (p < end) {
    long off = (long)(p - m->aBytes);
    if (!decode_instr(p, end, m->aBytes, &in, err)) return false;
    p += in.len;
    ValType vt;
    switch (in.op) {
      case OP_I32_CONST:
        vt = VT_I32;
        break;
      case OP_I64_CONST:
        vt = VT_I64;
        break;
      case OP_F32_CONST:
        vt = VT_F32;
        break;
      case OP_F64_CONST:
        vt = VT_F64;
        break;
      case OP_V128_CONST:
        vt = VT_V128;
        break;
      case OP_REF_NULL:
        vt = (ValType)in.a;
        break;
      case OP_REF_FUNC:
        if (in.a >= m->nFunc) return valid_fail(err, off, "unknown function %u", in.a);
        vt = VT_FUNCREF;
        break;
      case OP_GLOBAL_GET:
        if (in.a >= m->nGlobalImport) return valid_fail(err, off, "unknown global %u", in.a);
        if (m->aGlobal[in.a].type.mut)
          return valid_fail(err, off, "constant expression required");
        vt = m->aGlobal[in.a].type.type;
        break;
      case OP_END:
        if (p != end) return valid_fail(err, off, "constant expression required");
        if (nStk != 1 || aStk[0] != t) return valid_fail(err, off, "type mismatch");
        return true;
      default:
        return valid_fail(err, off, "constant expression required");
    }
    if (nStk < 4) aStk[nStk] = vt;
    nStk++;
  }
  return valid_fail(err, c->offset, "type mismatch");
}

/* Marks the ref.func targets of a constant expression as declared. */
static void valid_declare_refs(const Module *m, const ConstExpr *c, bool *aDecl) {
  const uint8_t *p = c->p, *end = c->p + c->n;
  Instr in;
  while (p < end && decode_instr(p, end, m->aBytes, &in, NULL)) {
    if (in.op == OP_REF_FUNC && in.a < m->nFunc) aDecl[in.a] = true;
    p += in.len;
  }
}

static bool valid_elem(const Module *m, const Elem *e, cairn_error *err) {
  long off = e->offset.p ? (long)e->offset.offset : -1L;
  if (e->mode == SEG_ACTIVE) {
    if (e->tableIdx >= m->nTable) return valid_fail(err, off, "unknown table %u", e->tableIdx);
    if (!valid_const_expr(m, &e->offset, VT_I32, err)) return false;
    if (m->aTable[e->tableIdx].elem != e->type) return valid_fail(err, off, "type mismatch");
  }
  for (uint32_t j = 0; j < e->nInit; j++) {
    if (e->aInit) {
      if (!valid_const_expr(m, &e->aInit[j], e->type, err)) return false;
    } else if (e->aFuncIdx[j] >= m->nFunc) {
      return valid_fail(err, off, "unknown function %u", e->aFuncIdx[j]);
    }
  }
  return true;
}

static bool valid_data(const Module *m, const Data *d, cairn_error *err) {
  if (d->mode != SEG_ACTIVE) return true;
  if (d->memIdx >= m->nMem)
    return valid_fail(err, d->offset.offset, "unknown memory %u", d->memIdx);
  return valid_const_expr(m, &d->offset, VT_I32, err);
}

static bool valid_export_idx(const Module *m, const Export *ex, cairn_error *err) {
  long off = valid_name_off(m, ex->name);
  switch (ex->kind) {
    case CAIRN_EXTERN_FUNC:
      if (ex->idx >= m->nFunc) return valid_fail(err, off, "unknown function %u", ex->idx);
      break;
    case CAIRN_EXTERN_TABLE:
      if (ex->idx >= m->nTable) return valid_fail(err, off, "unknown table %u", ex->idx);
      break;
    case CAIRN_EXTERN_MEMORY:
      if (ex->idx >= m->nMem) return valid_fail(err, off, "unknown memory %u", ex->idx);
      break;
    case CAIRN_EXTERN_GLOBAL:
      if (ex->idx >= m->nGlobal) return valid_fail(err, off, "unknown global %u", ex->idx);
      break;
  }
  return true;
}

static int valid_cmp_export(const void *pa, const void *pb) {
  const Export *a = *(const Export *const *)pa, *b = *(const Export *const *)pb;
  uint32_t n = a->name.n < b->name.n ? a->name.n : b->name.n;
  int c = n ? memcmp(a->name.z, b->name.z, n) : 0;
  if (c) return c;
  return a->name.n < b->name.n ? -1 : a->name.n > b->name.n;
}

static bool valid_exports(const Module *m, cairn_error *err) {
  for (uint32_t i = 0; i < m->nExport; i++)
    if (!valid_export_idx(m, &m->aExport[i], err)) return false;
  if (m->nExport < 2) return true;
  const Export **ap = base_malloc(m->nExport * sizeof *ap);
  if (!ap) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return false;
  }
  for (uint32_t i = 0; i < m->nExport; i++) ap[i] = &m->aExport[i];
  qsort(ap, m->nExport, sizeof *ap, valid_cmp_export);
  bool ok = true;
  for (uint32_t i = 1; i < m->nExport && ok; i++) {
    if (valid_cmp_export(&ap[i - 1], &ap[i]) == 0) {
      const Export *later = ap[i] > ap[i - 1] ? ap[i] : ap[i - 1];
      ok = valid_fail(err, valid_name_off(m, later->name), "duplicate export name");
    }
  }
  base_free(ap);
  return ok;
}

/* *pChecked: the first function whose body has not been read yet. */
static bool valid_module_parts(Module *m, uint32_t *pChecked, cairn_error *err) {
  *pChecked = m->nFuncImport;
  for (uint32_t i = 0; i < m->nImport; i++) {
    const Import *im = &m->aImport[i];
    long off = valid_name_off(m, im->module);
    if (im->kind == CAIRN_EXTERN_FUNC && im->u.typeIdx >= m->nType)
      return valid_fail(err, off, "unknown type %u", im->u.typeIdx);
    if (im->kind == CAIRN_EXTERN_TABLE && !valid_table_type(&im->u.table, off, err))
      return false;
    if (im->kind == CAIRN_EXTERN_MEMORY && !valid_mem_type(&im->u.mem, off, err)) return false;
  }
  for (uint32_t i = m->nFuncImport; i < m->nFunc; i++)
    if (m->aFunc[i].typeIdx >= m->nType)
      return valid_fail(err, m->aFunc[i].bodyOffset, "unknown type %u", m->aFunc[i].typeIdx);
  for (uint32_t i = m->nTableImport; i < m->nTable; i++)
    if (!valid_table_type(&m->aTable[i], -1, err)) return false;
  for (uint32_t i = m->nMemImport; i < m->nMem; i++)
    if (!valid_mem_type(&m->aMem[i], -1, err)) return false;
  for (uint32_t i = m->nGlobalImport; i < m->nGlobal; i++)
    if (!valid_const_expr(m, &m->aGlobal[i].init, m->aGlobal[i].type.type, err)) return false;
  for (uint32_t i = 0; i < m->nElem; i++)
    if (!valid_elem(m, &m->aElem[i], err)) return false;
  for (uint32_t i = 0; i < m->nData; i++)
    if (!valid_data(m, &m->aData[i], err)) return false;

  /* declared function references: exports, element segments, globals */
  base_free(m->aFuncDeclared);
  m->aFuncDeclared = base_calloc(m->nFunc ? m->nFunc : 1, sizeof(bool));
  if (!m->aFuncDeclared) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return false;
  }
  for (uint32_t i = 0; i < m->nExport; i++)
    if (m->aExport[i].kind == CAIRN_EXTERN_FUNC && m->aExport[i].idx < m->nFunc)
      m->aFuncDeclared[m->aExport[i].idx] = true;
  for (uint32_t i = 0; i < m->nElem; i++) {
    const Elem *e = &m->aElem[i];
    for (uint32_t j = 0; j < e->nInit; j++) {
      if (e->aInit)
        valid_declare_refs(m, &e->aInit[j], m->aFuncDeclared);
      else if (e->aFuncIdx[j] < m->nFunc)
        m->aFuncDeclared[e->aFuncIdx[j]] = true;
    }
  }
  for (uint32_t i = m->nGlobalImport; i < m->nGlobal; i++)
    valid_declare_refs(m, &m->aGlobal[i].init, m->aFuncDeclared);

  bool usesSimd = false;
  bool ok = valid_code_range(m, m->nFuncImport, m->nFunc, pChecked, &usesSimd, err);
  if (usesSimd) m->usesSimd = true;
  if (!ok) return false;

  if (m->hasStart) {
    if (m->startIdx >= m->nFunc) return valid_fail(err, -1, "unknown function %u", m->startIdx);
    const FuncType *ft = module_func_type(m, m->startIdx);
    if (ft->nParam || ft->nResult) return valid_fail(err, -1, "start function");
  }
  if (!valid_exports(m, err)) return false;
  if (m->nMem > 1) return valid_fail(err, -1, "multiple memories");
  return true;
}

bool validate_module(Module *m, cairn_error *err) {
  uint32_t checked;
  if (valid_module_parts(m, &checked, err)) return true;
  /* a malformed body, found or not yet read, is reported before any
  ** validation error (the decoder only recorded the bodies' ranges) */
  decode_check_bodies(m, checked, err);
  return false;
}
