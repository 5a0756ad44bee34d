/*
** inlines.c: the inline table of a compiled module - which Wasm functions
** the C compiler inlined where - built at compile time from the ranges the
** DWARF reader found (dwarf.c), stored in the .cwasm (cwasm.c), checked at
** load and looked up when a backtrace turns a code address into frames
** (tier.c).
**
** The table cuts the code into disjoint segments; each names the chain of
** inlined Wasm functions running there, innermost first (the function the
** code belongs to, from the symbol table, comes after them). Serialized,
** all little-endian u32:
**     nSeg, nPool,
**     nSeg x (lo, hi, first, count)   code offsets [lo, hi) in the object,
**                                     sorted, disjoint; the chain is
**                                     pool[first .. first+count)
**     nPool x function index          module function indices
*/
#include <stdlib.h>
#include <string.h>

#include "engine/aot/aot_module.h"

/* Longest chain kept per segment (deeper nesting is refused: GCC and Clang
** stop inlining long before). */
#define INLINE_MAX_CHAIN 256

static void put32(Buf *b, uint32_t v) {
  uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  buf_append(b, p, 4);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int range_lo_cmp(const void *a, const void *b) {
  const AotInlineRange *x = a, *y = b;
  if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
  return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int u32_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Active ranges at a point, innermost (deepest) first. */
static void chain_sort(const AotInlineRange **a, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    const AotInlineRange *r = a[i];
    uint32_t j = i;
    while (j > 0 && a[j - 1]->depth < r->depth) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = r;
  }
}

bool aot_inlines_pack(AotInlineList *l, Buf *out, cairn_error *err) {
  if (l->n) qsort(l->a, l->n, sizeof *l->a, range_lo_cmp);
  uint32_t *aB = base_malloc((size_t)(2 * l->n + 1) * sizeof *aB);
  const AotInlineRange **aAct = base_malloc(INLINE_MAX_CHAIN * sizeof *aAct);
  Buf seg, pool;
  buf_init(&seg);
  buf_init(&pool);
  bool ok = aB && aAct;
  if (!ok) base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory building the inline table");
  /* the boundaries of every range, sorted and unique */
  uint32_t nB = 0;
  for (uint32_t i = 0; ok && i < l->n; i++) aB[nB++] = l->a[i].lo, aB[nB++] = l->a[i].hi;
  if (ok) qsort(aB, nB, sizeof *aB, u32_cmp);
  uint32_t k = 0;
  for (uint32_t i = 0; i < nB; i++)
    if (k == 0 || aB[k - 1] != aB[i]) aB[k++] = aB[i];
  nB = k;
  /* a sweep over the boundaries: the ranges active in [aB[i], aB[i+1]) */
  uint32_t nAct = 0, next = 0, nSeg = 0, nPool = 0;
  uint32_t lastHi = 0, lastFirst = 0, lastCount = 0;
  for (uint32_t i = 0; ok && i + 1 < nB; i++) {
    uint32_t at = aB[i];
    uint32_t w = 0;
    for (uint32_t j = 0; j < nAct; j++)
      if (aAct[j]->hi > at) aAct[w++] = aAct[j];
    nAct = w;
    while (next < l->n && l->a[next].lo == at) {
      if (nAct == INLINE_MAX_CHAIN) {
        base_error(err, CAIRN_ERR_MALFORMED, -1,
                   "debug information of the native code: inlining nested too deeply");
        ok = false;
        break;
      }
      aAct[nAct++] = &l->a[next++];
    }
    if (!ok || nAct == 0) continue;
    chain_sort(aAct, nAct);
    /* one more segment, or the last one grown if it ends here with the same chain */
    bool same = nSeg && !pool.oom && !seg.oom && lastHi == at && lastCount == nAct;
    for (uint32_t j = 0; same && j < nAct; j++)
      same = get32(pool.aData + 4 * ((size_t)lastFirst + j)) == aAct[j]->func;
    if (same) {
      uint8_t *hi = seg.aData + seg.n - 12;
      uint32_t nh = aB[i + 1];
      hi[0] = (uint8_t)nh, hi[1] = (uint8_t)(nh >> 8), hi[2] = (uint8_t)(nh >> 16),
      hi[3] = (uint8_t)(nh >> 24);
    } else {
      put32(&seg, at);
      put32(&seg, aB[i + 1]);
      put32(&seg, nPool);
      put32(&seg, nAct);
      lastFirst = nPool;
      lastCount = nAct;
      for (uint32_t j = 0; j < nAct; j++) put32(&pool, aAct[j]->func);
      nPool += nAct;
      nSeg++;
    }
    lastHi = aB[i + 1];
    if (pool.oom || seg.oom) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory building the inline table");
      ok = false;
    }
  }
  if (ok) {
    put32(out, nSeg);
    put32(out, nPool);
    buf_append_buf(out, &seg);
    buf_append_buf(out, &pool);
    if (out->oom) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory building the inline table");
      ok = false;
    }
  }
  buf_free(&seg);
  buf_free(&pool);
  base_free(aB);
  base_free(aAct);
  return ok;
}

bool aot_inlines_load(const uint8_t *p, size_t n, uint32_t nFuncImport, uint32_t nFunc,
                      uint64_t codeLo, uint64_t codeHi, AotInlineTab *t, const char **why) {
  memset(t, 0, sizeof *t);
  if (n < 8) {
    *why = "inline table truncated";
    return false;
  }
  uint64_t nSeg = get32(p), nPool = get32(p + 4);
  if ((uint64_t)n != 8 + 16 * nSeg + 4 * nPool) {
    *why = "inline table of the wrong size";
    return false;
  }
  t->aSeg = base_malloc((size_t)(nSeg ? nSeg : 1) * sizeof *t->aSeg);
  t->aPool = base_malloc((size_t)(nPool ? nPool : 1) * sizeof *t->aPool);
  if (!t->aSeg || !t->aPool) {
    aot_inlines_free(t);
    *why = "out of memory for the inline table";
    return false;
  }
  const uint8_t *s = p + 8, *q = p + 8 + 16 * nSeg;
  for (uint64_t i = 0; i < nPool; i++) {
    t->aPool[i] = get32(q + 4 * i);
    if (t->aPool[i] < nFuncImport || t->aPool[i] >= nFunc) {
      aot_inlines_free(t);
      *why = "inline table names a function the module does not define";
      return false;
    }
  }
  uint32_t prevHi = 0;
  for (uint64_t i = 0; i < nSeg; i++) {
    AotInlineSeg *g = &t->aSeg[i];
    g->lo = get32(s + 16 * i), g->hi = get32(s + 16 * i + 4);
    g->first = get32(s + 16 * i + 8), g->count = get32(s + 16 * i + 12);
    if (g->lo >= g->hi || g->lo < prevHi || g->lo < codeLo || g->hi > codeHi || !g->count ||
        g->first > nPool || g->count > nPool - g->first) {
      aot_inlines_free(t);
      *why = "inline table segments out of order or out of the code";
      return false;
    }
    prevHi = g->hi;
  }
  t->nSeg = (uint32_t)nSeg;
  t->nPool = (uint32_t)nPool;
  return true;
}

void aot_inlines_free(AotInlineTab *t) {
  base_free(t->aSeg);
  base_free(t->aPool);
  memset(t, 0, sizeof *t);
}

uint32_t aot_inlines_at(const AotInlineTab *t, uint32_t off, const uint32_t **chain) {
  uint32_t lo = 0, hi = t->nSeg; /* the last segment with lo <= off */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (t->aSeg[mid].lo <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0 || off >= t->aSeg[lo - 1].hi) return 0;
  const AotInlineSeg *g = &t->aSeg[lo - 1];
  *chain = t->aPool + g->first;
  return g->count;
}
