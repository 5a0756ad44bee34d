/*
** instance.c: instantiation as the spec defines it (import matching,
** allocation, global initialisers, element and data segments, the start
** function), segment initialisation shared with the tiers (table.init,
** memory.init), and export lookup. Every object made here is owned by the
** store at once, so a failure half-way leaks nothing and leaves effects on
** imported objects in place, as the spec requires.
*/
#include <string.h>

#include "engine/runtime/rtint.h"

void rt_instance_destroy(cairn_instance *inst) {
  if (!inst) return;
  base_free(inst->apFunc);
  base_free(inst->apTable);
  base_free(inst->apMem);
  base_free(inst->apGlobal);
  base_free(inst->aTypeId);
  base_free(inst->aElemDropped);
  base_free(inst->aDataDropped);
  base_free(inst->aOwnFunc);
  base_free(inst->pTier);
  base_free(inst);
}

/* ---- import matching ---- */

static bool link_fail(cairn_error *err, const char *what) {
  base_error(err, CAIRN_ERR_LINK, -1, "%s", what);
  return false;
}

/* Limits subtyping: actual {min: current size, max: declared max} against
** the import's declared limits. */
static bool limits_match(uint64_t size, bool hasMax, uint64_t max, const Limits *want) {
  if (size < want->min) return false;
  if (want->hasMax && (!hasMax || max > want->max)) return false;
  return true;
}

static bool import_match(cairn_instance *inst, const Import *imp, const cairn_extern *ex,
                         cairn_error *err) {
  if (ex->kind != imp->kind) return link_fail(err, "incompatible import type");
  switch (imp->kind) {
    case CAIRN_EXTERN_FUNC: {
      const cairn_func *f = ex->of.func;
      if (!f || f->store != inst->store) break;
      if (f->typeId != inst->aTypeId[imp->u.typeIdx])
        return link_fail(err, "incompatible import type");
      return true;
    }
    case CAIRN_EXTERN_TABLE: {
      const cairn_table *t = ex->of.table;
      if (!t) break;
      if (t->elem != imp->u.table.elem ||
          !limits_match(t->size, t->hasMax, t->declMax, &imp->u.table.lim))
        return link_fail(err, "incompatible import type");
      return true;
    }
    case CAIRN_EXTERN_MEMORY: {
      const cairn_memory *m = ex->of.memory;
      if (!m) break;
      if (imp->u.mem.is64 || !limits_match(m->pages, m->hasMax, m->declMax, &imp->u.mem.lim))
        return link_fail(err, "incompatible import type");
      return true;
    }
    case CAIRN_EXTERN_GLOBAL: {
      const cairn_global *g = ex->of.global;
      if (!g) break;
      if (g->type != imp->u.global.type || g->mut != imp->u.global.mut)
        return link_fail(err, "incompatible import type");
      return true;
    }
  }
  base_error(err, CAIRN_ERR_ARG, -1, "import %.*s.%.*s: null object or one from another store",
             (int)imp->module.n, imp->module.z, (int)imp->name.n, imp->name.z);
  return false;
}

/* ---- segments ---- */

void *rt_elem_ref(cairn_instance *inst, uint32_t elemIdx, uint32_t i) {
  const Elem *e = &inst->m->aElem[elemIdx];
  if (e->aFuncIdx) return inst->apFunc[e->aFuncIdx[i]];
  if (!e->aInit) return NULL;
  Slot v[2] = {0, 0};
  /* Validated: ref.null, ref.func or global.get of an immutable global, so
  ** evaluating on use gives the value instantiation would have. */
  if (!rt_const_eval(inst, &e->aInit[i], v, NULL, NULL)) return NULL;
  return (void *)(uintptr_t)v[0];
}

bool rt_table_init(cairn_instance *inst, uint32_t tableIdx, uint32_t elemIdx, uint64_t dst,
                   uint64_t src, uint64_t n, cairn_error *err) {
  cairn_table *t = inst->apTable[tableIdx];
  uint64_t segLen = inst->aElemDropped[elemIdx] ? 0 : inst->m->aElem[elemIdx].nInit;
  if (src > segLen || n > segLen - src || dst > t->size || n > t->size - dst) {
    rt_trap(err, CAIRN_TRAP_TABLE_OOB);
    return false;
  }
  for (uint64_t k = 0; k < n; k++)
    t->aElem[dst + k] = rt_elem_ref(inst, elemIdx, (uint32_t)(src + k));
  rt_table_sync(t, (uint32_t)dst, (uint32_t)n);
  return true;
}

bool rt_memory_init(cairn_instance *inst, uint32_t memIdx, uint32_t dataIdx, uint64_t dst,
                    uint64_t src, uint64_t n, cairn_error *err) {
  cairn_memory *mem = inst->apMem[memIdx];
  const Data *d = &inst->m->aData[dataIdx];
  uint64_t segLen = inst->aDataDropped[dataIdx] ? 0 : d->n;
  uint64_t size = mem->pages * WASM_PAGE_SIZE;
  if (src > segLen || n > segLen - src || dst > size || n > size - dst) {
    rt_trap(err, CAIRN_TRAP_MEMORY_OOB);
    return false;
  }
  if (n) memcpy(mem->base + dst, d->p + src, (size_t)n);
  return true;
}

/* An active segment's offset: i32 (or i64 for a 64-bit memory) as unsigned. */
static bool seg_offset(cairn_instance *inst, const ConstExpr *e, uint64_t *out,
                       cairn_error *err) {
  Slot v[2];
  ValType t;
  if (!rt_const_eval(inst, e, v, &t, err)) return false;
  *out = t == VT_I64 ? v[0] : (uint32_t)v[0];
  return true;
}

/* ---- instantiation ---- */

static bool nomem(cairn_error *err) {
  base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory instantiating a module");
  return false;
}

/* Allocates the instance's arrays and resolves imports. */
static bool inst_alloc(cairn_instance *inst, const cairn_extern *imports, cairn_error *err) {
  const Module *m = inst->m;
  cairn_store *s = inst->store;
  uint32_t nOwn = m->nFunc - m->nFuncImport;
  inst->apFunc = RT_CALLOC(s, m->nFunc, sizeof(cairn_func *));
  inst->apTable = RT_CALLOC(s, m->nTable, sizeof(cairn_table *));
  inst->apMem = RT_CALLOC(s, m->nMem, sizeof(cairn_memory *));
  inst->apGlobal = RT_CALLOC(s, m->nGlobal, sizeof(cairn_global *));
  inst->aTypeId = RT_CALLOC(s, m->nType, sizeof(uint32_t));
  inst->aElemDropped = RT_CALLOC(s, m->nElem, sizeof(bool));
  inst->aDataDropped = RT_CALLOC(s, m->nData, sizeof(bool));
  inst->aOwnFunc = RT_CALLOC(s, nOwn, sizeof(cairn_func));
  if (!inst->apFunc || !inst->apTable || !inst->apMem || !inst->apGlobal || !inst->aTypeId ||
      !inst->aElemDropped || !inst->aDataDropped || !inst->aOwnFunc)
    return nomem(err);
  for (uint32_t i = 0; i < m->nType; i++) {
    if ((inst->aTypeId[i] = rt_type_id(s, &m->aType[i])) == UINT32_MAX) return nomem(err);
  }
  uint32_t nF = 0, nT = 0, nM = 0, nG = 0;
  for (uint32_t i = 0; i < m->nImport; i++) {
    const Import *imp = &m->aImport[i];
    if (!import_match(inst, imp, &imports[i], err)) return false;
    switch (imp->kind) {
      case CAIRN_EXTERN_FUNC: inst->apFunc[nF++] = imports[i].of.func; break;
      case CAIRN_EXTERN_TABLE: inst->apTable[nT++] = imports[i].of.table; break;
      case CAIRN_EXTERN_MEMORY: inst->apMem[nM++] = imports[i].of.memory; break;
      case CAIRN_EXTERN_GLOBAL: inst->apGlobal[nG++] = imports[i].of.global; break;
    }
  }
  if (nF != m->nFuncImport || nT != m->nTableImport || nM != m->nMemImport ||
      nG != m->nGlobalImport) {
    base_error(err, CAIRN_ERR_ARG, -1, "module import counts are inconsistent");
    return false;
  }
  for (uint32_t j = 0; j < nOwn; j++) {
    uint32_t idx = m->nFuncImport + j;
    cairn_func *f = &inst->aOwnFunc[j];
    const Func *def = &m->aFunc[idx];
    f->store = s;
    f->self = f;
    f->typeId = inst->aTypeId[def->typeIdx];
    f->type = &m->aType[def->typeIdx];
    f->inst = inst;
    f->idx = idx;
    f->def = def;
    f->tier = m->tier;
    /* The interned copy always has aPublic, and its arrays never move. */
    rt_functype_public(rt_type_of(s, f->typeId), &f->pubType);
    inst->apFunc[idx] = f;
  }
  return true;
}

static bool inst_define(cairn_instance *inst, cairn_error *err) {
  const Module *m = inst->m;
  cairn_store *s = inst->store;
  for (uint32_t i = m->nTableImport; i < m->nTable; i++) {
    const TableType *tt = &m->aTable[i];
    if (!(inst->apTable[i] = rt_table_create(s, tt->elem, &tt->lim, NULL, err))) return false;
  }
  for (uint32_t i = m->nMemImport; i < m->nMem; i++) {
    if (!(inst->apMem[i] = rt_memory_create(s, &m->aMem[i].lim, err))) return false;
  }
  for (uint32_t i = m->nGlobalImport; i < m->nGlobal; i++) {
    const Global *g = &m->aGlobal[i];
    Slot v[2] = {0, 0};
    if (!rt_const_eval(inst, &g->init, v, NULL, err)) return false;
    if (!(inst->apGlobal[i] = rt_global_create(s, g->type.type, g->type.mut, v, err)))
      return false;
  }
  return true;
}

static bool inst_segments(cairn_instance *inst, cairn_error *err) {
  const Module *m = inst->m;
  for (uint32_t i = 0; i < m->nElem; i++) {
    const Elem *e = &m->aElem[i];
    if (e->mode == SEG_ACTIVE) {
      uint64_t off;
      if (!seg_offset(inst, &e->offset, &off, err)) return false;
      if (!rt_table_init(inst, e->tableIdx, i, off, 0, e->nInit, err)) return false;
      inst->aElemDropped[i] = true;
    } else if (e->mode == SEG_DECLARATIVE) {
      inst->aElemDropped[i] = true;
    }
  }
  for (uint32_t i = 0; i < m->nData; i++) {
    const Data *d = &m->aData[i];
    if (d->mode != SEG_ACTIVE) continue;
    uint64_t off;
    if (!seg_offset(inst, &d->offset, &off, err)) return false;
    if (!rt_memory_init(inst, d->memIdx, i, off, 0, d->n, err)) return false;
    inst->aDataDropped[i] = true;
  }
  return true;
}

cairn_instance *cairn_instance_new(cairn_store *s, const cairn_module *m,
                                   const cairn_extern *imports, size_t nimports,
                                   cairn_error *err) {
  if (!s || !m || (nimports && !imports)) {
    base_error(err, CAIRN_ERR_ARG, -1, "null store, module or imports");
    return NULL;
  }
  if (nimports < m->nImport) {
    base_error(err, CAIRN_ERR_LINK, -1, "unknown import");
    return NULL;
  }
  if (nimports > m->nImport) {
    base_error(err, CAIRN_ERR_ARG, -1, "%zu imports given, the module has %u", nimports,
               m->nImport);
    return NULL;
  }
  rt_signals_init();
  cairn_instance *inst = RT_CALLOC(s, 1, sizeof *inst);
  if (!inst || !rt_own(s, RT_INSTANCE, inst)) {
    base_free(inst);
    nomem(err);
    return NULL;
  }
  inst->store = s;
  inst->m = m;
  if (!inst_alloc(inst, imports, err) || !inst_define(inst, err) ||
      (m->tier->instance_init && !m->tier->instance_init(inst, err)) ||
      !inst_segments(inst, err))
    return NULL;
  if (m->hasStart) {
    Slot slot[2] = {0, 0};  /* the start function has type [] -> [] */
    if (!rt_invoke(inst->apFunc[m->startIdx], slot, err)) return NULL;
  }
  return inst;
}

bool cairn_instance_export(const cairn_instance *inst, const char *name, size_t len,
                           cairn_extern *out) {
  const Module *m = inst->m;
  for (uint32_t i = 0; i < m->nExport; i++) {
    const Export *x = &m->aExport[i];
    if (x->name.n != len || (len && memcmp(x->name.z, name, len) != 0)) continue;
    out->kind = x->kind;
    switch (x->kind) {
      case CAIRN_EXTERN_FUNC: out->of.func = inst->apFunc[x->idx]; break;
      case CAIRN_EXTERN_TABLE: out->of.table = inst->apTable[x->idx]; break;
      case CAIRN_EXTERN_MEMORY: out->of.memory = inst->apMem[x->idx]; break;
      case CAIRN_EXTERN_GLOBAL: out->of.global = inst->apGlobal[x->idx]; break;
    }
    return true;
  }
  return false;
}

const cairn_module *cairn_instance_module(const cairn_instance *inst) { return inst->m; }
