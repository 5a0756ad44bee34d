/*
** decode.c: binary module -> Module (decode_module) and module_free's
** decoder-owned parts. Reads every Wasm 2.0 section in the order the spec
** requires, checks sizes and counts with the reference decoder's wording, and
** runs the well-formedness walk (decode_expr) over every code body and
** constant expression. The "name" custom section is read last and leniently
** (decode_names.c). No validation here: indices are not range-checked.
*/
#include <string.h>

#include "decode_internal.h"

/* Section ids in the order the spec allows them (custom sections aside). */
static const int aSectionRank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

/* The decoder's state beyond the reader: the module being filled and what
** only the end-of-module checks need. */
typedef struct Decoder {
  DecReader r;
  Module *m;
  bool hasFuncSection;
  uint32_t nCode;        /* bodies in the code section */
  uint32_t nRecorded;    /* code entries read completely so far */
  Func *aCode;           /* the bodies, moved into m->aFunc at the end */
  bool usesData;         /* memory.init / data.drop in some body */
  const uint8_t *pNames; /* content of the "name" section, if any */
  const uint8_t *pNamesEnd;
} Decoder;

static bool dec_nomem(Decoder *d) {
  base_error(d->r.err, CAIRN_ERR_NOMEM, decode_off(&d->r, d->r.p), "out of memory");
  return false;
}

/* calloc of n elements that reports NOMEM. n == 0 yields NULL and success. */
static bool dec_alloc(Decoder *d, void **pp, size_t n, size_t size) {
  /* Empty arrays are allocated too: consumers may then index and offset
  ** every array without a NULL case (NULL + 0 is undefined behaviour). */
  *pp = base_calloc(n, size);
  return *pp ? true : dec_nomem(d);
}

/* Grows *pp from nOld to nNew elements, zeroing the new ones. */
static bool dec_grow(Decoder *d, void **pp, size_t nOld, size_t nNew, size_t size) {
  if (nNew == nOld) return true;
  void *p = base_realloc(*pp, nNew * size);
  if (!p) return dec_nomem(d);
  memset((uint8_t *)p + nOld * size, 0, (nNew - nOld) * size);
  *pp = p;
  return true;
}

static bool dec_name(Decoder *d, Name *out) {
  DecReader *r = &d->r;
  const uint8_t *at = r->p;
  uint32_t n;
  const uint8_t *z;
  if (!decode_len32(r, &n) || !decode_bytes(r, n, &z)) return false;
  if (!base_utf8_valid(z, n)) return decode_fail(r, at, "malformed UTF-8 encoding");
  out->z = (const char *)z;
  out->n = n;
  return true;
}

static bool dec_limits(Decoder *d, Limits *lim) {
  uint64_t flag;
  uint32_t v;
  if (!decode_uleb(&d->r, 1, &flag)) return false;
  if (!decode_u32(&d->r, &v)) return false;
  lim->min = v;
  lim->hasMax = flag == 1;
  if (lim->hasMax) {
    if (!decode_u32(&d->r, &v)) return false;
    lim->max = v;
  }
  return true;
}

static bool dec_tabletype(Decoder *d, TableType *t) {
  return decode_reftype(&d->r, &t->elem) && dec_limits(d, &t->lim);
}

static bool dec_globaltype(Decoder *d, GlobalType *t) {
  if (!decode_valtype(&d->r, &t->type)) return false;
  const uint8_t *at = d->r.p;
  uint8_t b;
  if (!decode_byte(&d->r, &b)) return false;
  if (b > 1) return decode_fail(&d->r, at, "malformed mutability");
  t->mut = b == 1;
  if (t->type == VT_V128) d->m->usesSimd = true;
  return true;
}

static bool dec_const(Decoder *d, ConstExpr *c) {
  const uint8_t *start = d->r.p;
  bool dummy = false;
  if (!decode_expr(&d->r, &dummy)) return false;
  if (d->r.usesSimd) d->m->usesSimd = true;
  c->p = start;
  c->n = (uint32_t)(d->r.p - start);
  c->offset = (uint32_t)decode_off(&d->r, start);
  return true;
}

/* ---- sections ---- */

static bool sec_type(Decoder *d) {
  DecReader *r = &d->r;
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(r, &n) || !dec_alloc(d, (void **)&m->aType, n, sizeof(FuncType)))
    return false;
  m->nType = n;
  for (uint32_t i = 0; i < n; i++) {
    FuncType *ft = &m->aType[i];
    const uint8_t *at = r->p;
    uint8_t b;
    if (!decode_byte(r, &b)) return false;
    if (b != 0x60) {
      if (b & 0x80) return decode_fail(r, at, "integer representation too long");
      return decode_fail(r, at, "malformed function type");
    }
    const uint8_t *aVec[2];
    uint32_t aN[2];
    for (int k = 0; k < 2; k++) {
      ValType t;
      if (!decode_len32(r, &aN[k])) return false;
      aVec[k] = r->p;
      for (uint32_t j = 0; j < aN[k]; j++) {
        if (!decode_valtype(r, &t)) return false;
        if (t == VT_V128) m->usesSimd = true;
      }
    }
    uint32_t nAll = aN[0] + aN[1];
    if (!dec_alloc(d, (void **)&ft->aType, nAll, 1) ||
        !dec_alloc(d, (void **)&ft->aPublic, nAll, sizeof(cairn_valtype)))
      return false;
    ft->nParam = aN[0];
    ft->nResult = aN[1];
    if (aN[0]) memcpy(ft->aType, aVec[0], aN[0]);
    if (aN[1]) memcpy(ft->aType + aN[0], aVec[1], aN[1]);
    for (uint32_t j = 0; j < nAll; j++) ft->aPublic[j] = (cairn_valtype)ft->aType[j];
  }
  return true;
}

static bool sec_import(Decoder *d) {
  DecReader *r = &d->r;
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(r, &n) || !dec_alloc(d, (void **)&m->aImport, n, sizeof(Import)))
    return false;
  m->nImport = n;
  for (uint32_t i = 0; i < n; i++) {
    Import *im = &m->aImport[i];
    if (!dec_name(d, &im->module) || !dec_name(d, &im->name)) return false;
    const uint8_t *at = r->p;
    uint8_t kind;
    if (!decode_byte(r, &kind)) return false;
    switch (kind) {
      case 0:
        if (!decode_u32(r, &im->u.typeIdx)) return false;
        m->nFuncImport++;
        break;
      case 1:
        if (!dec_tabletype(d, &im->u.table)) return false;
        m->nTableImport++;
        break;
      case 2:
        if (!dec_limits(d, &im->u.mem.lim)) return false;
        m->nMemImport++;
        break;
      case 3:
        if (!dec_globaltype(d, &im->u.global)) return false;
        m->nGlobalImport++;
        break;
      default:
        return decode_fail(r, at, "malformed import kind");
    }
    im->kind = (cairn_externkind)kind;
  }
  /* the import part of each index space */
  if (!dec_alloc(d, (void **)&m->aFunc, m->nFuncImport, sizeof(Func)) ||
      !dec_alloc(d, (void **)&m->aTable, m->nTableImport, sizeof(TableType)) ||
      !dec_alloc(d, (void **)&m->aMem, m->nMemImport, sizeof(MemType)) ||
      !dec_alloc(d, (void **)&m->aGlobal, m->nGlobalImport, sizeof(Global)))
    return false;
  uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
  for (uint32_t i = 0; i < n; i++) {
    Import *im = &m->aImport[i];
    switch (im->kind) {
      case CAIRN_EXTERN_FUNC:
        m->aFunc[nf].typeIdx = im->u.typeIdx;
        m->aFunc[nf++].imported = true;
        break;
      case CAIRN_EXTERN_TABLE:
        m->aTable[nt++] = im->u.table;
        break;
      case CAIRN_EXTERN_MEMORY:
        m->aMem[nm++] = im->u.mem;
        break;
      case CAIRN_EXTERN_GLOBAL:
        m->aGlobal[ng++].type = im->u.global;
        break;
    }
  }
  m->nFunc = nf;
  m->nTable = nt;
  m->nMem = nm;
  m->nGlobal = ng;
  return true;
}

static bool sec_func(Decoder *d) {
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(&d->r, &n)) return false;
  if (!dec_grow(d, (void **)&m->aFunc, m->nFunc, (size_t)m->nFunc + n, sizeof(Func)))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!decode_u32(&d->r, &m->aFunc[m->nFunc].typeIdx)) return false;
    m->nFunc++;
  }
  d->hasFuncSection = true;
  return true;
}

static bool sec_table(Decoder *d) {
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(&d->r, &n)) return false;
  if (!dec_grow(d, (void **)&m->aTable, m->nTable, (size_t)m->nTable + n, sizeof(TableType)))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!dec_tabletype(d, &m->aTable[m->nTable])) return false;
    m->nTable++;
  }
  return true;
}

static bool sec_memory(Decoder *d) {
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(&d->r, &n)) return false;
  if (!dec_grow(d, (void **)&m->aMem, m->nMem, (size_t)m->nMem + n, sizeof(MemType)))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!dec_limits(d, &m->aMem[m->nMem].lim)) return false;
    m->nMem++;
  }
  return true;
}

static bool sec_global(Decoder *d) {
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(&d->r, &n)) return false;
  if (!dec_grow(d, (void **)&m->aGlobal, m->nGlobal, (size_t)m->nGlobal + n, sizeof(Global)))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    Global *g = &m->aGlobal[m->nGlobal];
    if (!dec_globaltype(d, &g->type) || !dec_const(d, &g->init)) return false;
    m->nGlobal++;
  }
  return true;
}

static bool sec_export(Decoder *d) {
  DecReader *r = &d->r;
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(r, &n) || !dec_alloc(d, (void **)&m->aExport, n, sizeof(Export)))
    return false;
  m->nExport = n;
  for (uint32_t i = 0; i < n; i++) {
    Export *ex = &m->aExport[i];
    if (!dec_name(d, &ex->name)) return false;
    const uint8_t *at = r->p;
    uint8_t kind;
    if (!decode_byte(r, &kind)) return false;
    if (kind > 3) return decode_fail(r, at, "malformed export kind");
    ex->kind = (cairn_externkind)kind;
    if (!decode_u32(r, &ex->idx)) return false;
  }
  return true;
}

static bool sec_start(Decoder *d) {
  if (!decode_u32(&d->r, &d->m->startIdx)) return false;
  d->m->hasStart = true;
  return true;
}

static bool elem_kind(Decoder *d) {
  const uint8_t *at = d->r.p;
  uint8_t b;
  if (!decode_byte(&d->r, &b)) return false;
  if (b != 0) return decode_fail(&d->r, at, "malformed element kind");
  return true;
}

static bool sec_elem(Decoder *d) {
  DecReader *r = &d->r;
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(r, &n) || !dec_alloc(d, (void **)&m->aElem, n, sizeof(Elem))) return false;
  for (uint32_t i = 0; i < n; i++) {
    Elem *e = &m->aElem[i];
    m->nElem = i + 1; /* so module_free sees what was allocated */
    const uint8_t *at = r->p;
    uint32_t flags;
    if (!decode_u32(r, &flags)) return false;
    if (flags > 7) return decode_fail(r, at, "malformed elements segment kind");
    bool usesExprs = flags & 4;
    e->type = VT_FUNCREF;
    if (flags & 1) {
      e->mode = (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
    } else {
      e->mode = SEG_ACTIVE;
      if ((flags & 2) && !decode_u32(r, &e->tableIdx)) return false;
      if (!dec_const(d, &e->offset)) return false;
    }
    if (flags & 3) {
      if (usesExprs) {
        if (!decode_reftype(r, &e->type)) return false;
      } else if (!elem_kind(d)) {
        return false;
      }
    }
    uint32_t k;
    if (!decode_len32(r, &k)) return false;
    if (usesExprs) {
      if (!dec_alloc(d, (void **)&e->aInit, k, sizeof(ConstExpr))) return false;
      for (uint32_t j = 0; j < k; j++)
        if (!dec_const(d, &e->aInit[j])) return false;
    } else {
      if (!dec_alloc(d, (void **)&e->aFuncIdx, k, sizeof(uint32_t))) return false;
      for (uint32_t j = 0; j < k; j++)
        if (!decode_u32(r, &e->aFuncIdx[j])) return false;
    }
    e->nInit = k;
  }
  m->nElem = n;
  return true;
}

/* One code entry: size, locals, body. */
static bool code_entry(Decoder *d, Func *f) {
  DecReader *r = &d->r;
  uint32_t size;
  if (!decode_len32(r, &size)) return false;
  const uint8_t *start = r->p;
  const uint8_t *atLocals = r->p;
  uint32_t nGroup;
  if (!decode_len32(r, &nGroup)) return false;
  if (!dec_alloc(d, (void **)&f->aLocalGroup, nGroup, sizeof(Local))) return false;
  f->nLocalGroup = nGroup;
  uint64_t total = 0;
  for (uint32_t i = 0; i < nGroup; i++) {
    Local *l = &f->aLocalGroup[i];
    if (!decode_u32(r, &l->count) || !decode_valtype(r, &l->type)) return false;
    if (l->type == VT_V128) d->m->usesSimd = true;
    total += l->count;
  }
  /* The spec allows 2^32-1; like other engines we set a lower limit so a
  ** tiny module cannot make the translator allocate gigabytes of frame. */
  if (total > MODULE_MAX_FUNC_LOCALS) return decode_fail(r, atLocals, "too many locals");
  f->nLocal = (uint32_t)total;
  f->pBody = r->p;
  f->bodyOffset = (uint32_t)decode_off(r, r->p);
  f->entryOffset = (uint32_t)decode_off(r, start);
  if (r->p <= start + size) {
    /* the body is walked by the validator (see decode_check_bodies) */
    f->nBody = (uint32_t)(start + size - r->p);
    r->p = start + size;
    return true;
  }
  /* locals past the entry's end: walk now, for the reference's error */
  if (!decode_expr(r, &d->usesData)) return false;
  if (r->usesSimd) d->m->usesSimd = true;
  if (r->p != start + size) return decode_fail(r, start, "section size mismatch");
  f->nBody = (uint32_t)(r->p - f->pBody);
  return true;
}

/* One recorded body walked as code_entry used to: bounded by the module's
** end, then its end checked against the entry's size. */
static bool dec_walk_body(DecReader *r, const Func *f, bool *usesData) {
  r->p = f->pBody;
  if (!decode_expr(r, usesData)) return false;
  if (r->p != f->pBody + f->nBody) return decode_fail(r, r->base + f->entryOffset,
                                                     "section size mismatch");
  return true;
}

bool decode_check_bodies(const Module *m, uint32_t from, cairn_error *err) {
  cairn_error e;
  DecReader r = {m->aBytes, m->aBytes + m->nBytes, m->aBytes, &e, false};
  bool usesData = false;
  if (from < m->nFuncImport) from = m->nFuncImport;
  for (uint32_t i = from; i < m->nFunc; i++) {
    if (!dec_walk_body(&r, &m->aFunc[i], &usesData)) {
      if (err) *err = e;
      return true;
    }
  }
  if (!m->hasDataCount && usesData && m->nData > 0) {
    decode_fail(&r, r.end, "data count section required");
    if (err) *err = e;
    return true;
  }
  return false;
}

static bool sec_code(Decoder *d) {
  uint32_t n;
  if (!decode_len32(&d->r, &n) || !dec_alloc(d, (void **)&d->aCode, n, sizeof(Func)))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    d->nCode = i + 1;
    if (!code_entry(d, &d->aCode[i])) return false;
    d->nRecorded = i + 1;
  }
  d->nCode = n;
  return true;
}

static bool sec_data(Decoder *d) {
  DecReader *r = &d->r;
  Module *m = d->m;
  uint32_t n;
  if (!decode_len32(r, &n) || !dec_alloc(d, (void **)&m->aData, n, sizeof(Data))) return false;
  m->nData = n;
  for (uint32_t i = 0; i < n; i++) {
    Data *s = &m->aData[i];
    const uint8_t *at = r->p;
    uint32_t flags;
    if (!decode_u32(r, &flags)) return false;
    if (flags > 2) return decode_fail(r, at, "malformed data segment kind");
    if (flags == 1) {
      s->mode = SEG_PASSIVE;
    } else {
      s->mode = SEG_ACTIVE;
      if (flags == 2 && !decode_u32(r, &s->memIdx)) return false;
      if (!dec_const(d, &s->offset)) return false;
    }
    if (!decode_len32(r, &s->n) || !decode_bytes(r, s->n, &s->p)) return false;
  }
  return true;
}

static bool sec_datacount(Decoder *d) {
  if (!decode_u32(&d->r, &d->m->dataCount)) return false;
  d->m->hasDataCount = true;
  return true;
}

static bool sec_custom(Decoder *d, const uint8_t *secEnd) {
  Name name;
  if (!dec_name(d, &name)) return false;
  if (d->r.p > secEnd) return decode_fail(&d->r, d->r.end, DEC_EOS);
  if (name.n == 4 && memcmp(name.z, "name", 4) == 0 && !d->pNames) {
    d->pNames = d->r.p;
    d->pNamesEnd = secEnd;
  }
  d->r.p = secEnd;
  return true;
}

static bool dec_sections(Decoder *d) {
  DecReader *r = &d->r;
  int lastRank = 0;
  while (r->p < r->end) {
    const uint8_t *at = r->p;
    uint8_t id = *r->p;
    if (id > 12) return decode_fail(r, at, "malformed section id");
    r->p++;
    uint32_t size;
    if (!decode_len32(r, &size)) return false;
    const uint8_t *body = r->p, *secEnd = body + size;
    if (id != 0) {
      if (aSectionRank[id] <= lastRank)
        return decode_fail(r, at, "unexpected content after last section");
      lastRank = aSectionRank[id];
    }
    bool ok = true;
    switch (id) {
      case 0:
        ok = sec_custom(d, secEnd);
        break;
      case 1:
        ok = sec_type(d);
        break;
      case 2:
        ok = sec_import(d);
        break;
      case 3:
        ok = sec_func(d);
        break;
      case 4:
        ok = sec_table(d);
        break;
      case 5:
        ok = sec_memory(d);
        break;
      case 6:
        ok = sec_global(d);
        break;
      case 7:
        ok = sec_export(d);
        break;
      case 8:
        ok = sec_start(d);
        break;
      case 9:
        ok = sec_elem(d);
        break;
      case 10:
        ok = sec_code(d);
        break;
      case 11:
        ok = sec_data(d);
        break;
      case 12:
        ok = sec_datacount(d);
        break;
    }
    if (!ok) return false;
    if (r->p != secEnd) return decode_fail(r, body, "section size mismatch");
  }
  return true;
}

/* The checks the reference decoder makes once all sections are read. */
static bool dec_finish(Decoder *d) {
  DecReader *r = &d->r;
  Module *m = d->m;
  uint32_t nDefined = m->nFunc - m->nFuncImport;
  if (nDefined != d->nCode)
    return decode_fail(r, r->end, "function and code section have inconsistent lengths");
  if (m->hasDataCount && m->dataCount != m->nData)
    return decode_fail(r, r->end, "data count and data section have inconsistent lengths");
  if (!m->hasDataCount && d->usesData && m->nData > 0)
    return decode_fail(r, r->end, "data count section required");
  for (uint32_t i = 0; i < nDefined; i++) {
    Func *f = &m->aFunc[m->nFuncImport + i];
    uint32_t typeIdx = f->typeIdx;
    *f = d->aCode[i];
    f->typeIdx = typeIdx;
    f->imported = false;
  }
  base_free(d->aCode);
  d->aCode = NULL;
  d->nCode = 0;
  if (d->pNames) decode_names(m, d->pNames, d->pNamesEnd);
  return true;
}

Module *decode_module(const uint8_t *bytes, size_t len, cairn_error *err) {
  Module *m = base_calloc(1, sizeof *m);
  if (!m) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return NULL;
  }
  m->aBytes = base_malloc(len);
  if (!m->aBytes) {
    base_free(m);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return NULL;
  }
  if (len) memcpy(m->aBytes, bytes, len);
  m->nBytes = len;

  Decoder d;
  memset(&d, 0, sizeof d);
  d.m = m;
  d.r.p = d.r.base = m->aBytes;
  d.r.end = m->aBytes + len;
  d.r.err = err;

  static const uint8_t aMagic[4] = {0x00, 0x61, 0x73, 0x6D};
  static const uint8_t aVersion[4] = {0x01, 0x00, 0x00, 0x00};
  bool ok;
  if (len < 4) {
    ok = decode_fail(&d.r, d.r.end, "unexpected end");
  } else if (memcmp(m->aBytes, aMagic, 4) != 0) {
    ok = decode_fail(&d.r, d.r.base, "magic header not detected");
  } else if (len < 8) {
    ok = decode_fail(&d.r, d.r.end, "unexpected end");
  } else if (memcmp(m->aBytes + 4, aVersion, 4) != 0) {
    ok = decode_fail(&d.r, d.r.base + 4, "unknown binary version");
  } else {
    d.r.p += 8;
    ok = dec_sections(&d) && dec_finish(&d);
  }
  if (!ok && d.nRecorded) {
    /* bodies recorded before the failure come first in the file */
    cairn_error e;
    DecReader r = {m->aBytes, m->aBytes + len, m->aBytes, &e, false};
    bool usesData = false;
    for (uint32_t i = 0; i < d.nRecorded && d.aCode; i++) {
      if (!dec_walk_body(&r, &d.aCode[i], &usesData)) {
        if (err) *err = e;
        break;
      }
    }
  }
  if (!ok) {
    for (uint32_t i = 0; i < d.nCode; i++) base_free(d.aCode[i].aLocalGroup);
    base_free(d.aCode);
    module_free(m);
    return NULL;
  }
  return m;
}
