/*
** table.c: tables of references (funcref: cairn_func *, externref: host
** pointers; NULL is the null reference) and their growth within limits.
*/
#include <string.h>

#include "engine/runtime/rtint.h"

#define RT_TABLE_LIMIT 0xFFFFFFFFull

void rt_table_sync(cairn_table *t, uint32_t i, uint32_t n) {
  if (!t->aCall) return;
  for (uint32_t k = i; k < i + n; k++) {
    const cairn_func *f = t->aElem[k];
    t->aCall[k] = f ? (RtCall){f->aotCode, f->aotCtx, f->typeId, f->self}
                    : (RtCall){NULL, NULL, RT_NO_TYPE, NULL};
    t->aCode[k] = f ? f->aotCode : NULL;
  }
}
bool rt_table_realloc(cairn_table *t, uint32_t n) {
  size_t cap = n ? n : 1;
  void **a = base_realloc(t->aElem, cap * sizeof *a);
  if (!a) return false; /* nothing changed */
  t->aElem = a;
  bool ok = true;
  if (t->aCall) {
    RtCall *c = base_realloc(t->aCall, cap * sizeof *c);
    void **k = c ? base_realloc(t->aCode, cap * sizeof *k) : NULL;
    if (c) t->aCall = c;
    if (k) t->aCode = k;
    ok = c && k;
  }
  /* a failed growth keeps nAlloc (a larger block is harmless); after a
  ** shrink of the elements every array holds n, the larger ones too */
  if (ok || n < t->nAlloc) t->nAlloc = n;
  return ok;
}

/* Elements filled between two looks at the store's interrupt flag. */
#define RT_TABLE_CHUNK ((uint64_t)1 << 16)

/* Sets elements [from..to) of t to init, call entries included, in chunks,
** giving up (false) when t's store is interrupted (a deadline) so that a
** huge table cannot outlast it. */
static bool table_fill(cairn_table *t, uint64_t from, uint64_t to, void *init) {
  while (from < to) {
    uint64_t end = to - from > RT_TABLE_CHUNK ? from + RT_TABLE_CHUNK : to;
    for (uint64_t i = from; i < end; i++) t->aElem[i] = init;
    rt_table_sync(t, (uint32_t)from, (uint32_t)(end - from));
    from = end;
    if (from < to &&
        (atomic_load_explicit(&t->store->pending, memory_order_relaxed) & RT_PENDING_INTERRUPT))
      return false;
  }
  return true;
}

cairn_table *rt_table_create(cairn_store *s, ValType elem, const Limits *lim, void *init,
                             cairn_error *err) {
  uint64_t ownMax = RT_TABLE_LIMIT;
  if (lim->hasMax && lim->max < ownMax) ownMax = lim->max;
  uint64_t max = ownMax;
  if (s->cfg.max_table_elems && s->cfg.max_table_elems < max) max = s->cfg.max_table_elems;
  if (lim->min > max) {
    if (lim->min <= ownMax) s->limitsHit |= CAIRN_LIMIT_TABLE;
    base_error(err, CAIRN_ERR_NOMEM, -1, "table minimum of %llu elements exceeds the limit of %llu",
               (unsigned long long)lim->min, (unsigned long long)max);
    return NULL;
  }
  cairn_table *t = RT_CALLOC(s, 1, sizeof *t);
  if (!t) goto nomem;
  if (lim->min > SIZE_MAX / sizeof(RtCall) || !(t->aElem = RT_CALLOC(s, lim->min, sizeof(void *))) ||
      (elem == VT_FUNCREF && (!(t->aCall = RT_CALLOC(s, lim->min ? lim->min : 1, sizeof(RtCall))) ||
                              !(t->aCode = RT_CALLOC(s, lim->min ? lim->min : 1, sizeof(void *)))))) {
    base_free(t->aElem);
    base_free(t->aCall);
    base_free(t);
    goto nomem;
  }
  t->elem = elem;
  t->size = t->nAlloc = (uint32_t)lim->min;
  t->max = max;
  t->ownMax = ownMax;
  t->store = s;
  t->hasMax = lim->hasMax;
  t->declMax = lim->hasMax ? lim->max : 0;
  /* with a null init too: the call entries of null elements need setting */
  if (!table_fill(t, 0, t->size, init)) {
    rt_table_destroy(t);
    rt_trap(err, CAIRN_TRAP_INTERRUPT);  /* consumed by this trap, as in the tiers */
    rt_interrupt_clear(s);
    return NULL;
  }
  if (!rt_own(s, RT_TABLE, t)) {
    rt_table_destroy(t);
    goto nomem;
  }
  return t;
nomem:
  base_error(err, CAIRN_ERR_NOMEM, -1, "cannot allocate a table of %llu elements",
             (unsigned long long)lim->min);
  return NULL;
}

void rt_table_destroy(cairn_table *t) {
  if (!t) return;
  base_free(t->aElem);
  base_free(t->aCall);
  base_free(t->aCode);
  base_free(t);
}

int64_t rt_table_grow(cairn_table *t, uint64_t delta, void *init) {
  uint64_t old = t->size, n = old + delta;
  if (delta > t->max || n > t->max) {
    /* refused by the store's cap, not by the table's own maximum */
    if (delta <= t->ownMax && n <= t->ownMax) t->store->limitsHit |= CAIRN_LIMIT_TABLE;
    return -1;
  }
  if (n > t->nAlloc) {
    uint64_t nNew = (uint64_t)t->nAlloc * 2;
    if (nNew < n) nNew = n;
    if (nNew > t->max) nNew = t->max;
    if (nNew > SIZE_MAX / sizeof(RtCall) || !rt_table_realloc(t, (uint32_t)nNew)) return -1;
  }
  /* the size changes only once every new entry is set */
  if (!table_fill(t, old, n, init)) return -1;
  t->size = (uint32_t)n;
  return (int64_t)old;
}

cairn_table *cairn_table_new(cairn_store *s, cairn_valtype elemtype, cairn_limits limits,
                             cairn_val init, cairn_error *err) {
  if (!s || (elemtype != CAIRN_FUNCREF && elemtype != CAIRN_EXTERNREF) || init.type != elemtype) {
    base_error(err, CAIRN_ERR_ARG, -1, "table element type must be a reference type matching init");
    return NULL;
  }
  if (limits.has_max && limits.max < limits.min) {
    base_error(err, CAIRN_ERR_ARG, -1, "size minimum must not be greater than maximum");
    return NULL;
  }
  Limits lim = {limits.min, limits.max, limits.has_max};
  void *p = elemtype == CAIRN_FUNCREF ? (void *)init.of.func : init.of.ext;
  return rt_table_create(s, (ValType)elemtype, &lim, p, err);
}

uint64_t cairn_table_size(const cairn_table *t) { return t->size; }

bool cairn_table_get(const cairn_table *t, uint64_t i, cairn_val *out) {
  if (i >= t->size) return false;
  out->type = (cairn_valtype)t->elem;
  if (t->elem == VT_FUNCREF)
    out->of.func = t->aElem[i];
  else
    out->of.ext = t->aElem[i];
  return true;
}

bool cairn_table_set(cairn_table *t, uint64_t i, cairn_val v) {
  if (i >= t->size || v.type != (cairn_valtype)t->elem) return false;
  t->aElem[i] = t->elem == VT_FUNCREF ? (void *)v.of.func : v.of.ext;
  rt_table_sync(t, (uint32_t)i, 1);
  return true;
}

int64_t cairn_table_grow(cairn_table *t, uint64_t delta, cairn_val init) {
  if (init.type != (cairn_valtype)t->elem) return -1;
  return rt_table_grow(t, delta, t->elem == VT_FUNCREF ? (void *)init.of.func : init.of.ext);
}

void cairn_table_type(const cairn_table *t, cairn_valtype *elemtype, cairn_limits *limits) {
  if (elemtype) *elemtype = (cairn_valtype)t->elem;
  if (limits) *limits = (cairn_limits){t->size, t->hasMax ? t->declMax : 0, t->hasMax};
}
