/*
** types.c: wasm.h's type representations: value, function, global, table,
** memory and extern types, import and export types. Plain data, owned by
** whoever made them. Value types are shared constants (one per kind), so
** making and deleting them costs nothing.
*/
#include <string.h>

#include "capi/capi.h"

/* ---- value types ---- */

static wasm_valtype_t kValtypes[] = {
    {WASM_I32}, {WASM_I64}, {WASM_F32}, {WASM_F64}, {WASM_V128}, {WASM_EXTERNREF}, {WASM_FUNCREF},
};

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t k) {
  for (size_t i = 0; i < sizeof kValtypes / sizeof *kValtypes; i++)
    if (kValtypes[i].kind == k) return &kValtypes[i];
  return NULL;
}

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t->kind; }

void wasm_valtype_delete(wasm_valtype_t *t) { (void)t; }

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) {
  return t ? wasm_valtype_new(t->kind) : NULL;
}

/* ---- function types ---- */

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results) {
  wasm_functype_t *ft = capi_alloc(sizeof *ft);
  if (!ft) {
    wasm_valtype_vec_delete(params);
    wasm_valtype_vec_delete(results);
    return NULL;
  }
  ft->ext.kind = WASM_EXTERN_FUNC;
  ft->params = *params;
  ft->results = *results;
  wasm_valtype_vec_new_empty(params);
  wasm_valtype_vec_new_empty(results);
  return ft;
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *ft) { return &ft->params; }
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *ft) {
  return &ft->results;
}

void wasm_functype_delete(wasm_functype_t *ft) {
  if (!ft) return;
  wasm_valtype_vec_delete(&ft->params);
  wasm_valtype_vec_delete(&ft->results);
  capi_free(ft);
}

wasm_functype_t *wasm_functype_copy(const wasm_functype_t *ft) {
  if (!ft) return NULL;
  wasm_valtype_vec_t p, r;
  wasm_valtype_vec_copy(&p, &ft->params);
  wasm_valtype_vec_copy(&r, &ft->results);
  return wasm_functype_new(&p, &r);
}

/* ---- global, table and memory types ---- */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mut) {
  if (!content) return NULL;
  wasm_globaltype_t *gt = capi_alloc(sizeof *gt);
  if (!gt) return NULL;
  gt->ext.kind = WASM_EXTERN_GLOBAL;
  gt->content = content;
  gt->mut = mut;
  return gt;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *gt) { return gt->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *gt) { return gt->mut; }
void wasm_globaltype_delete(wasm_globaltype_t *gt) { capi_free(gt); }
wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *gt) {
  return gt ? wasm_globaltype_new(gt->content, gt->mut) : NULL;
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *elem, const wasm_limits_t *limits) {
  if (!elem || !limits) return NULL;
  wasm_tabletype_t *tt = capi_alloc(sizeof *tt);
  if (!tt) return NULL;
  tt->ext.kind = WASM_EXTERN_TABLE;
  tt->elem = elem;
  tt->limits = *limits;
  return tt;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *tt) { return tt->elem; }
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *tt) { return &tt->limits; }
void wasm_tabletype_delete(wasm_tabletype_t *tt) { capi_free(tt); }
wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *tt) {
  return tt ? wasm_tabletype_new(tt->elem, &tt->limits) : NULL;
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits) {
  if (!limits) return NULL;
  wasm_memorytype_t *mt = capi_alloc(sizeof *mt);
  if (!mt) return NULL;
  mt->ext.kind = WASM_EXTERN_MEMORY;
  mt->limits = *limits;
  return mt;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *mt) { return &mt->limits; }
void wasm_memorytype_delete(wasm_memorytype_t *mt) { capi_free(mt); }
wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *mt) {
  return mt ? wasm_memorytype_new(&mt->limits) : NULL;
}

/* ---- extern types ---- */

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *et) { return et->kind; }

void wasm_externtype_delete(wasm_externtype_t *et) {
  if (!et) return;
  switch (et->kind) {
  case WASM_EXTERN_FUNC: wasm_functype_delete((wasm_functype_t *)et); break;
  case WASM_EXTERN_GLOBAL: wasm_globaltype_delete((wasm_globaltype_t *)et); break;
  case WASM_EXTERN_TABLE: wasm_tabletype_delete((wasm_tabletype_t *)et); break;
  default: wasm_memorytype_delete((wasm_memorytype_t *)et); break;
  }
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *et) {
  if (!et) return NULL;
  switch (et->kind) {
  case WASM_EXTERN_FUNC: return &wasm_functype_copy((const wasm_functype_t *)et)->ext;
  case WASM_EXTERN_GLOBAL: return &wasm_globaltype_copy((const wasm_globaltype_t *)et)->ext;
  case WASM_EXTERN_TABLE: return &wasm_tabletype_copy((const wasm_tabletype_t *)et)->ext;
  default: return &wasm_memorytype_copy((const wasm_memorytype_t *)et)->ext;
  }
}

/* The casts between the four kinds and extern types (NULL for another kind;
** ext is the first member, so a NULL type maps to NULL). */
#define CAPI_EXTERNTYPE_CASTS(name, KIND)                                                 \
  wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) {                    \
    return (wasm_externtype_t *)t;                                                        \
  }                                                                                       \
  const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t) {  \
    return (const wasm_externtype_t *)t;                                                  \
  }                                                                                       \
  wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *et) {                     \
    return et && et->kind == KIND ? (wasm_##name##_t *)et : NULL;                         \
  }                                                                                       \
  const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *et) { \
    return et && et->kind == KIND ? (const wasm_##name##_t *)et : NULL;                   \
  }

CAPI_EXTERNTYPE_CASTS(functype, WASM_EXTERN_FUNC)
CAPI_EXTERNTYPE_CASTS(globaltype, WASM_EXTERN_GLOBAL)
CAPI_EXTERNTYPE_CASTS(tabletype, WASM_EXTERN_TABLE)
CAPI_EXTERNTYPE_CASTS(memorytype, WASM_EXTERN_MEMORY)

/* ---- import and export types ---- */

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type) {
  wasm_importtype_t *it = capi_alloc(sizeof *it);
  if (!it || !module || !name || !type) {
    capi_free(it);
    wasm_name_delete(module);
    wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  it->module = *module;
  it->name = *name;
  it->type = type;
  return it;
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *it) { return &it->module; }
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *it) { return &it->name; }
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *it) { return it->type; }

void wasm_importtype_delete(wasm_importtype_t *it) {
  if (!it) return;
  wasm_name_delete(&it->module);
  wasm_name_delete(&it->name);
  wasm_externtype_delete(it->type);
  capi_free(it);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *it) {
  if (!it) return NULL;
  wasm_name_t m, n;
  wasm_name_copy(&m, &it->module);
  wasm_name_copy(&n, &it->name);
  return wasm_importtype_new(&m, &n, wasm_externtype_copy(it->type));
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type) {
  wasm_exporttype_t *et = capi_alloc(sizeof *et);
  if (!et || !name || !type) {
    capi_free(et);
    wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  et->name = *name;
  et->type = type;
  return et;
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *et) { return &et->name; }
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *et) { return et->type; }

void wasm_exporttype_delete(wasm_exporttype_t *et) {
  if (!et) return;
  wasm_name_delete(&et->name);
  wasm_externtype_delete(et->type);
  capi_free(et);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *et) {
  if (!et) return NULL;
  wasm_name_t n;
  wasm_name_copy(&n, &et->name);
  return wasm_exporttype_new(&n, wasm_externtype_copy(et->type));
}

/* ---- from Cairn's types ---- */

wasm_functype_t *capi_functype_out(const cairn_functype *ft) {
  wasm_valtype_vec_t p, r;
  wasm_valtype_vec_new_uninitialized(&p, ft->nparams);
  wasm_valtype_vec_new_uninitialized(&r, ft->nresults);
  if (p.size != ft->nparams || r.size != ft->nresults) {
    wasm_valtype_vec_delete(&p);
    wasm_valtype_vec_delete(&r);
    return NULL;
  }
  for (uint32_t i = 0; i < ft->nparams; i++)
    p.data[i] = wasm_valtype_new(capi_wasm_kind(ft->params[i]));
  for (uint32_t i = 0; i < ft->nresults; i++)
    r.data[i] = wasm_valtype_new(capi_wasm_kind(ft->results[i]));
  return wasm_functype_new(&p, &r);
}

static wasm_limits_t limits_out(const cairn_limits *l) {
  wasm_limits_t w;
  w.min = l->min > UINT32_MAX ? UINT32_MAX : (uint32_t)l->min;
  w.max = !l->has_max || l->max > UINT32_MAX ? wasm_limits_max_default : (uint32_t)l->max;
  return w;
}

wasm_externtype_t *capi_externtype_out(const cairn_externtype *et) {
  wasm_limits_t lim = limits_out(&et->limits);
  switch (et->kind) {
  case CAIRN_EXTERN_FUNC: return (wasm_externtype_t *)capi_functype_out(&et->func);
  case CAIRN_EXTERN_GLOBAL:
    return (wasm_externtype_t *)wasm_globaltype_new(
        wasm_valtype_new(capi_wasm_kind(et->global_type)), et->global_mutable ? WASM_VAR : WASM_CONST);
  case CAIRN_EXTERN_TABLE:
    return (wasm_externtype_t *)wasm_tabletype_new(wasm_valtype_new(capi_wasm_kind(et->elemtype)),
                                                   &lim);
  default: return (wasm_externtype_t *)wasm_memorytype_new(&lim);
  }
}
