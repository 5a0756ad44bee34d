/*
** objects.c: wasm.h's globals, tables and memories, each a store's Cairn
** object behind a reference. Sizes in the standard are 32-bit: a Cairn size
** beyond them reads as the largest value.
*/
#include <string.h>

#include "capi/capi.h"

static bool limits_in(const wasm_limits_t *l, cairn_limits *out) {
  if (!l) return false;
  *out = (cairn_limits){l->min, l->max == wasm_limits_max_default ? 0 : l->max,
                        l->max != wasm_limits_max_default};
  return !(out->has_max && out->max < out->min);
}

static uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static wasm_limits_t limits_out(const cairn_limits *l) {
  return (wasm_limits_t){clamp32(l->min),
                         l->has_max ? clamp32(l->max) : wasm_limits_max_default};
}

/* ---- globals ---- */

wasm_global_t *wasm_global_new(wasm_store_t *st, const wasm_globaltype_t *gt,
                               const wasm_val_t *val) {
  if (!st || !gt || !val) return NULL;
  cairn_val v;
  const char *why;
  if (!capi_val_in(st, val, capi_cairn_type(gt->content->kind), &v, &why)) return NULL;
  cairn_error err;
  cairn_global *g = cairn_global_new(st->s, v, gt->mut == WASM_VAR, &err);
  return g ? (wasm_global_t *)capi_ref(capi_store_obj(st, CAPI_GLOBAL, g)) : NULL;
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g) {
  cairn_valtype t;
  bool mut;
  cairn_global_type(((const CapiObj *)g)->u.global, &t, &mut);
  return wasm_globaltype_new(wasm_valtype_new(capi_wasm_kind(t)), mut ? WASM_VAR : WASM_CONST);
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out) {
  const CapiObj *o = (const CapiObj *)g;
  cairn_val v = cairn_global_get(o->u.global);
  capi_val_out(o->store, &v, out);
}

void wasm_global_set(wasm_global_t *g, const wasm_val_t *val) {
  CapiObj *o = (CapiObj *)g;
  cairn_valtype t;
  bool mut;
  cairn_global_type(o->u.global, &t, &mut);
  cairn_val v;
  const char *why;
  if (mut && val && capi_val_in(o->store, val, t, &v, &why)) cairn_global_set(o->u.global, v);
}

/* ---- tables ---- */

/* A reference for a table of element type t (NULL: null). */
static bool table_elem_in(CapiObj *o, wasm_ref_t *ref, cairn_valtype t, cairn_val *out) {
  wasm_val_t v = {.kind = t == CAIRN_FUNCREF ? WASM_FUNCREF : WASM_EXTERNREF, .of.ref = ref};
  const char *why;
  return capi_val_in(o->store, &v, t, out, &why);
}

wasm_table_t *wasm_table_new(wasm_store_t *st, const wasm_tabletype_t *tt, wasm_ref_t *init) {
  cairn_limits lim;
  if (!st || !tt || !limits_in(&tt->limits, &lim)) return NULL;
  cairn_valtype et = capi_cairn_type(tt->elem->kind);
  if (et != CAIRN_FUNCREF && et != CAIRN_EXTERNREF) return NULL;
  wasm_val_t iv = {.kind = tt->elem->kind, .of.ref = init};
  cairn_val v;
  const char *why;
  if (!capi_val_in(st, &iv, et, &v, &why)) return NULL;
  cairn_error err;
  cairn_table *t = cairn_table_new(st->s, et, lim, v, &err);
  return t ? (wasm_table_t *)capi_ref(capi_store_obj(st, CAPI_TABLE, t)) : NULL;
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t) {
  cairn_valtype et;
  cairn_limits lim;
  cairn_table_type(((const CapiObj *)t)->u.table, &et, &lim);
  wasm_limits_t l = limits_out(&lim);
  return wasm_tabletype_new(wasm_valtype_new(capi_wasm_kind(et)), &l);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t i) {
  const CapiObj *o = (const CapiObj *)t;
  cairn_val v;
  if (!o || !cairn_table_get(o->u.table, i, &v)) return NULL;
  wasm_val_t out;
  capi_val_out(o->store, &v, &out);
  return out.of.ref;
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t i, wasm_ref_t *ref) {
  CapiObj *o = (CapiObj *)t;
  cairn_valtype et;
  cairn_val v;
  if (!o) return false;
  cairn_table_type(o->u.table, &et, NULL);
  if (i >= cairn_table_size(o->u.table) || !table_elem_in(o, ref, et, &v)) return false;
  return cairn_table_set(o->u.table, i, v);
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t) {
  return clamp32(cairn_table_size(((const CapiObj *)t)->u.table));
}

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init) {
  CapiObj *o = (CapiObj *)t;
  cairn_valtype et;
  cairn_val v;
  if (!o) return false;
  cairn_table_type(o->u.table, &et, NULL);
  if (!table_elem_in(o, init, et, &v)) return false;
  return cairn_table_grow(o->u.table, delta, v) >= 0;
}

/* ---- memories ---- */

wasm_memory_t *wasm_memory_new(wasm_store_t *st, const wasm_memorytype_t *mt) {
  cairn_limits lim;
  if (!st || !mt || !limits_in(&mt->limits, &lim)) return NULL;
  cairn_error err;
  cairn_memory *m = cairn_memory_new(st->s, lim, &err);
  return m ? (wasm_memory_t *)capi_ref(capi_store_obj(st, CAPI_MEMORY, m)) : NULL;
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m) {
  cairn_limits lim;
  cairn_memory_type(((const CapiObj *)m)->u.memory, &lim);
  wasm_limits_t l = limits_out(&lim);
  return wasm_memorytype_new(&l);
}

byte_t *wasm_memory_data(wasm_memory_t *m) {
  return (byte_t *)cairn_memory_data(((CapiObj *)m)->u.memory);
}

size_t wasm_memory_data_size(const wasm_memory_t *m) {
  return (size_t)cairn_memory_size(((const CapiObj *)m)->u.memory);
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m) {
  return clamp32(cairn_memory_pages(((const CapiObj *)m)->u.memory));
}

bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta) {
  return m && cairn_memory_grow(((CapiObj *)m)->u.memory, delta) >= 0;
}
