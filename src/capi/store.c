/*
** store.c: wasm.h's config, engine and store, the object records behind
** every reference (capi.h), and the reference operations every object kind
** shares (delete, copy, same, host info, conversions to and from wasm_ref_t).
*/
#include <string.h>

#include "capi/capi.h"

void *capi_alloc(size_t n) {
  void *p = cairn_malloc(n ? n : 1);
  if (p) memset(p, 0, n ? n : 1);
  return p;
}

void capi_free(void *p) {
  if (p) cairn_free(p);
}

/* ---- config and engine ---- */

wasm_config_t *wasm_config_new(void) { return capi_alloc(sizeof(wasm_config_t)); }

void wasm_config_delete(wasm_config_t *c) { capi_free(c); }

void cairn_wasm_config_set_store(wasm_config_t *c, const cairn_store_config *cfg) {
  if (c && cfg) c->store = *cfg;
}

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c) {
  wasm_engine_t *e = capi_alloc(sizeof *e);
  if (e) {
    atomic_init(&e->refs, 1);
    if (c) e->store = c->store;
  }
  wasm_config_delete(c);
  return e;
}

wasm_engine_t *wasm_engine_new(void) { return wasm_engine_new_with_config(NULL); }

static void engine_unref(wasm_engine_t *e) {
  if (e && atomic_fetch_sub(&e->refs, 1) == 1) capi_free(e);
}

void wasm_engine_delete(wasm_engine_t *e) { engine_unref(e); }

/* ---- stores ---- */

wasm_store_t *cairn_wasm_store_new(wasm_engine_t *e, const cairn_store_config *cfg) {
  if (!e) return NULL;
  wasm_store_t *st = capi_alloc(sizeof *st);
  if (!st) return NULL;
  st->s = cairn_store_new(cfg ? cfg : &e->store);
  if (!st->s) {
    capi_free(st);
    return NULL;
  }
  atomic_fetch_add(&e->refs, 1);
  st->engine = e;
  st->refs = 1;
  return st;
}

wasm_store_t *wasm_store_new(wasm_engine_t *e) { return cairn_wasm_store_new(e, NULL); }

cairn_store *cairn_wasm_store(wasm_store_t *st) { return st ? st->s : NULL; }

static void obj_finalize(CapiObj *o) {
  if (o->finalizer) o->finalizer(o->host_info);
  o->finalizer = NULL;
  if (o->host && o->host->finalizer) o->host->finalizer(o->host->env);
}

static void obj_free(CapiObj *o) {
  if (o->kind == CAPI_MODULE) capi_module_unref(o->u.module);
  if (o->kind == CAPI_TRAP) capi_trap_free(o->u.trap);
  capi_free(o->host);
  capi_free(o);
}

/* The store goes: its Cairn objects first (no call can run a host function
** after this), then the finalizers of host info and environments, then the
** records and the modules it kept. */
static void store_free(wasm_store_t *st) {
  cairn_store_free(st->s);
  for (CapiObj *o = st->pinned; o; o = o->next) obj_finalize(o);
  for (CapiObj *o = st->pinned, *next; o; o = next) {
    next = o->next;
    obj_free(o);
  }
  for (size_t i = 0; i < st->nmods; i++) capi_module_unref(st->mods[i]);
  capi_free(st->mods);
  capi_free(st->map);
  engine_unref(st->engine);
  capi_free(st);
}

void capi_store_ref(wasm_store_t *st) {
  if (st) st->refs++;
}

void capi_store_unref(wasm_store_t *st) {
  if (st && --st->refs == 0) store_free(st);
}

void wasm_store_delete(wasm_store_t *st) {
  if (!st || st->deleted) return;
  st->deleted = true;
  capi_store_unref(st);
}

/* ---- the map of pinned objects: key -> object ---- */

static size_t map_slot(const void *key, size_t cap) {
  uintptr_t h = (uintptr_t)key;
  h ^= h >> 17;
  h *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 7) & (cap - 1);
}

CapiObj *capi_lookup(const wasm_store_t *st, const void *key) {
  if (!st || !st->map_cap) return NULL;
  for (size_t i = map_slot(key, st->map_cap);; i = (i + 1) & (st->map_cap - 1)) {
    CapiObj *o = st->map[i];
    if (!o || o->key == key) return o;
  }
}

static bool map_put(wasm_store_t *st, CapiObj *o) {
  if ((st->map_n + 1) * 2 > st->map_cap) {
    size_t cap = st->map_cap ? st->map_cap * 2 : 64;
    CapiObj **m = capi_alloc(cap * sizeof *m);
    if (!m) return false;
    for (size_t i = 0; i < st->map_cap; i++) {
      CapiObj *x = st->map[i];
      if (!x) continue;
      size_t j = map_slot(x->key, cap);
      while (m[j]) j = (j + 1) & (cap - 1);
      m[j] = x;
    }
    capi_free(st->map);
    st->map = m;
    st->map_cap = cap;
  }
  size_t j = map_slot(o->key, st->map_cap);
  while (st->map[j]) j = (j + 1) & (st->map_cap - 1);
  st->map[j] = o;
  st->map_n++;
  return true;
}

bool capi_pin(CapiObj *o) {
  if (o->pinned) return true;
  if (!o->store || !map_put(o->store, o)) return false;
  o->pinned = true;
  o->next = o->store->pinned;
  o->store->pinned = o;
  return true;
}

CapiObj *capi_obj_new(wasm_store_t *st, CapiKind kind) {
  CapiObj *o = capi_alloc(sizeof *o);
  if (!o) return NULL;
  o->kind = (uint8_t)kind;
  o->store = st;
  o->key = o;
  o->refs = 1;
  capi_store_ref(st);
  return o;
}

CapiObj *capi_foreign_for(wasm_store_t *st, void *key) {
  CapiObj *o = capi_alloc(sizeof *o);
  if (!o) return NULL;
  o->kind = CAPI_FOREIGN;
  o->store = st;
  o->key = key;
  if (!capi_pin(o)) {
    capi_free(o);
    return NULL;
  }
  return o;
}

CapiObj *capi_store_obj(wasm_store_t *st, CapiKind kind, void *key) {
  if (!st || !key) return NULL;
  CapiObj *o = capi_lookup(st, key);
  if (o) return o->kind == kind ? o : NULL;
  o = capi_alloc(sizeof *o);
  if (!o) return NULL;
  o->kind = (uint8_t)kind;
  o->store = st;
  o->key = key;
  switch (kind) {
  case CAPI_FUNC: o->u.func = key; break;
  case CAPI_GLOBAL: o->u.global = key; break;
  case CAPI_TABLE: o->u.table = key; break;
  case CAPI_MEMORY: o->u.memory = key; break;
  default: o->u.instance = key; break;
  }
  if (!capi_pin(o)) {
    capi_free(o);
    return NULL;
  }
  return o;
}

CapiObj *capi_ref(CapiObj *o) {
  if (!o) return NULL;
  o->refs++;
  capi_store_ref(o->store);
  return o;
}

void capi_release(CapiObj *o) {
  if (!o) return;
  wasm_store_t *st = o->store;
  if (--o->refs == 0 && !o->pinned) {
    obj_finalize(o);
    obj_free(o);
  }
  capi_store_unref(st);
}

/* ---- what every reference kind shares ---- */

static void *obj_get_host_info(const CapiObj *o) { return o ? o->host_info : NULL; }

static void obj_set_host_info(CapiObj *o, void *info, void (*fin)(void *)) {
  if (!o) return;
  void *old = o->host_info;
  void (*oldfin)(void *) = o->finalizer;
  o->host_info = info;
  o->finalizer = fin;
  if (oldfin && old != info) oldfin(old);
}

#define CAPI_REF_BASE(name)                                                                 \
  void wasm_##name##_delete(wasm_##name##_t *r) { capi_release((CapiObj *)r); }             \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *r) {                           \
    return (wasm_##name##_t *)capi_ref((CapiObj *)r);                                       \
  }                                                                                         \
  bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) {             \
    return a == b;                                                                          \
  }                                                                                         \
  void *wasm_##name##_get_host_info(const wasm_##name##_t *r) {                             \
    return obj_get_host_info((const CapiObj *)r);                                           \
  }                                                                                         \
  void wasm_##name##_set_host_info(wasm_##name##_t *r, void *info) {                        \
    obj_set_host_info((CapiObj *)r, info, NULL);                                            \
  }                                                                                         \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *r, void *info,           \
                                                  void (*fin)(void *)) {                    \
    obj_set_host_info((CapiObj *)r, info, fin);                                             \
  }

/* Whether o is a `name` (ref: anything; extern: the four extern kinds). */
static bool is_kind(const CapiObj *o, int kind) {
  if (!o) return false;
  if (kind == -1) return o->kind <= CAPI_MEMORY;
  return o->kind == kind;
}

#define CAPI_REF(name, kind)                                                                \
  CAPI_REF_BASE(name)                                                                       \
  wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *r) { return (wasm_ref_t *)r; }          \
  const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *r) {                  \
    return (const wasm_ref_t *)r;                                                           \
  }                                                                                         \
  wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                                      \
    return is_kind((const CapiObj *)r, kind) ? (wasm_##name##_t *)r : NULL;                 \
  }                                                                                         \
  const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {                  \
    return is_kind((const CapiObj *)r, kind) ? (const wasm_##name##_t *)r : NULL;           \
  }

CAPI_REF_BASE(ref)
CAPI_REF(trap, CAPI_TRAP)
CAPI_REF(foreign, CAPI_FOREIGN)
CAPI_REF(module, CAPI_MODULE)
CAPI_REF(func, CAPI_FUNC)
CAPI_REF(global, CAPI_GLOBAL)
CAPI_REF(table, CAPI_TABLE)
CAPI_REF(memory, CAPI_MEMORY)
CAPI_REF(extern, -1)
CAPI_REF(instance, CAPI_INSTANCE)

/* ---- foreign objects ---- */

wasm_foreign_t *wasm_foreign_new(wasm_store_t *st) {
  return st ? (wasm_foreign_t *)capi_obj_new(st, CAPI_FOREIGN) : NULL;
}
