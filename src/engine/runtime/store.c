/*
** store.c: stores (configuration, limits, ownership of every object created
** in them, interrupt flag) and the store-wide interning of function types.
*/
#include <string.h>

#include "engine/runtime/rtint.h"

#define RT_DEFAULT_CALL_DEPTH 10000u

/* ---- function types ---- */

bool rt_functype_copy(cairn_store *s, FuncType *dst, const FuncType *src) {
  uint32_t n = src->nParam + src->nResult;
  memset(dst, 0, sizeof *dst);
  dst->aType = RT_MALLOC(s, n);
  dst->aPublic = RT_MALLOC(s, n * sizeof(cairn_valtype));
  if (!dst->aType || !dst->aPublic) {
    rt_functype_free(dst);
    return false;
  }
  if (n) memcpy(dst->aType, src->aType, n);
  for (uint32_t i = 0; i < n; i++) dst->aPublic[i] = (cairn_valtype)src->aType[i];
  dst->nParam = src->nParam;
  dst->nResult = src->nResult;
  return true;
}

void rt_functype_free(FuncType *t) {
  base_free(t->aType);
  base_free(t->aPublic);
  t->aType = NULL;
  t->aPublic = NULL;
}

void rt_functype_public(const FuncType *t, cairn_functype *out) {
  out->nparams = t->nParam;
  out->nresults = t->nResult;
  out->params = t->aPublic;
  out->results = t->aPublic + t->nParam;
}

static bool functype_eq(const FuncType *a, const FuncType *b) {
  return a->nParam == b->nParam && a->nResult == b->nResult &&
         (a->nParam + a->nResult == 0 ||
          memcmp(a->aType, b->aType, a->nParam + a->nResult) == 0);
}

/* Linear search: stores hold few distinct types, and each module interns its
** types once per instantiation. */
uint32_t rt_type_id(cairn_store *s, const FuncType *t) {
  for (uint32_t i = 0; i < s->nTypeId; i++) {
    if (functype_eq(&s->aTypeId[i], t)) return i;
  }
  if (s->nTypeId == UINT32_MAX - 1) return UINT32_MAX;
  if (s->nTypeId == s->nTypeIdAlloc) {
    uint32_t nNew = s->nTypeIdAlloc ? s->nTypeIdAlloc * 2 : 16;
    FuncType *a = s->aTypeId ? base_realloc(s->aTypeId, (size_t)nNew * sizeof *a)
                             : RT_MALLOC(s, (size_t)nNew * sizeof *a);
    if (!a) return UINT32_MAX;
    s->aTypeId = a;
    s->nTypeIdAlloc = nNew;
  }
  if (!rt_functype_copy(s, &s->aTypeId[s->nTypeId], t)) return UINT32_MAX;
  return s->nTypeId++;
}

const FuncType *rt_type_of(const cairn_store *s, uint32_t id) { return &s->aTypeId[id]; }

/* ---- ownership ---- */

bool rt_own(cairn_store *s, RtKind kind, void *p) {
  if (s->nOwned == s->nOwnedAlloc) {
    uint32_t nNew = s->nOwnedAlloc ? s->nOwnedAlloc * 2 : 32;
    struct RtOwned *a = s->aOwned ? base_realloc(s->aOwned, (size_t)nNew * sizeof *a)
                                  : RT_MALLOC(s, (size_t)nNew * sizeof *a);
    if (!a) return false;
    s->aOwned = a;
    s->nOwnedAlloc = nNew;
  }
  s->aOwned[s->nOwned].kind = kind;
  s->aOwned[s->nOwned].p = p;
  s->nOwned++;
  return true;
}

/* ---- stores ---- */

cairn_store *cairn_store_new(const cairn_store_config *cfg) {
  rt_signals_init();
  BaseAlloc a = {cfg ? cfg->alloc : NULL, cfg ? cfg->alloc_ud : NULL};
  if (!a.fn) cairn_get_allocator(&a.fn, &a.ud); /* fixed now: a later default is not ours */
  cairn_store *s = base_calloc_in(&a, 1, sizeof *s);
  if (!s) return NULL;
  if (cfg) s->cfg = *cfg;
  s->alloc = a;
  s->maxCallDepth = s->cfg.max_call_depth ? s->cfg.max_call_depth : RT_DEFAULT_CALL_DEPTH;
  s->fuelOn = s->cfg.fuel != 0;
  s->fuel = s->cfg.fuel;
  atomic_init(&s->interrupt, 0);
  atomic_init(&s->pending, s->fuelOn ? RT_PENDING_FUEL : 0);
  atomic_init(&s->pEntryLimit, NULL);
  return s;
}

void cairn_store_free(cairn_store *s) {
  if (!s) return;
  interp_tier.store_free(s);
  aot_tier.store_free(s);
  for (uint32_t i = s->nOwned; i-- > 0;) {
    void *p = s->aOwned[i].p;
    switch (s->aOwned[i].kind) {
      case RT_INSTANCE: rt_instance_destroy(p); break;
      case RT_FUNC: rt_func_destroy(p); break;
      case RT_TABLE: rt_table_destroy(p); break;
      case RT_MEMORY: rt_memory_destroy(p); break;
      case RT_GLOBAL: rt_global_destroy(p); break;
    }
  }
  base_free(s->aOwned);
  for (uint32_t i = 0; i < s->nTypeId; i++) rt_functype_free(&s->aTypeId[i]);
  base_free(s->aTypeId);
  base_free(s);
}

void *cairn_store_malloc(cairn_store *s, size_t n) {
  return s ? RT_MALLOC(s, n) : base_malloc(n);
}

void rt_pending_set(cairn_store *s, int bits) {
  atomic_fetch_or(&s->pending, bits);
  /* after the bit (both sequentially consistent): the tier stores its word
  ** before reading pending again (tier.c, aot_limit_reset), so one of the
  ** two sees the other and the word ends up UINTPTR_MAX */
  atomic_uintptr_t *w = atomic_load(&s->pEntryLimit);
  if (w) atomic_store(w, UINTPTR_MAX);
}

void cairn_store_interrupt(cairn_store *s) {
  if (!s) return;
  atomic_store(&s->interrupt, 1);
  rt_pending_set(s, RT_PENDING_INTERRUPT);
}

void rt_interrupt_clear(cairn_store *s) {
  atomic_store(&s->interrupt, 0);
  atomic_fetch_and(&s->pending, ~RT_PENDING_INTERRUPT);
}

unsigned cairn_store_limits_hit(const cairn_store *s) { return s ? s->limitsHit : 0; }

bool cairn_store_interrupted(const cairn_store *s) {
  return s && atomic_load(&((cairn_store *)s)->interrupt) != 0;
}
