/*
** emit_cycles.c: which defined functions lie on a cycle of direct calls
** (recursive, directly or through others). They take the sampled entry
** check (CAIRN_ENTER_R, cairn_aot.h), because GCC inlines small ones into
** themselves and each inlined level would otherwise repeat the check.
**
** It may not touch: the module (read only), the runtime.
*/
#include <stdint.h>

#include "engine/aot/emit_int.h"

/* The direct calls of defined function f to defined functions, into aOut
** (when not NULL); returns how many (a body that does not decode has none:
** the emitter reports it when it gets there). */
static uint32_t emit_direct_calls(const Module *m, uint32_t f, uint32_t *aOut) {
  const Func *fn = &m->aFunc[f];
  const uint8_t *p = fn->pBody, *end = fn->pBody + fn->nBody;
  uint32_t n = 0;
  while (p < end) {
    Instr in;
    cairn_error err;
    if (!decode_instr(p, end, m->aBytes, &in, &err)) break;
    p += in.len;
    if (in.op == OP_CALL && in.a >= m->nFuncImport && in.a < m->nFunc) {
      if (aOut) aOut[n] = in.a;
      n++;
    }
  }
  return n;
}

/* Recursive functions whose body takes more bytes than this keep the plain
** entry check: GCC inlines only small ones into themselves, and for the
** others the sampled check is a call per frame that saves nothing. In
** speedtest1, 201 functions lie on a cycle, GCC inlined 2 of them (81 and
** 174 bytes) into themselves, and sampling in all 201 cost 0.4 % more
** instructions. */
#define EMIT_REC_MAX_BODY 256

/* Tarjan's strongly connected components over the direct calls, without
** recursion: a function is on a cycle when its component has two or more
** functions, or it calls itself. Only those of at most EMIT_REC_MAX_BODY
** bytes are marked. */
bool emit_find_recursive(Emit *e) {
  const Module *m = e->m;
  uint32_t nF = m->nFunc;
  e->aRecursive = base_calloc((size_t)nF + 1, 1);
  uint32_t *aStart = base_calloc((size_t)nF + 2, sizeof *aStart);
  if (!e->aRecursive || !aStart) {
    base_free(aStart);
    return false;
  }
  for (uint32_t f = m->nFuncImport; f < nF; f++) aStart[f + 1] = emit_direct_calls(m, f, NULL);
  for (uint32_t f = 0; f < nF; f++) aStart[f + 1] += aStart[f];
  uint32_t nEdge = aStart[nF];
  uint32_t *aEdge = base_malloc(((size_t)nEdge + 1) * sizeof *aEdge);
  uint32_t *aIndex = base_malloc(((size_t)nF + 1) * sizeof *aIndex);
  uint32_t *aLow = base_malloc(((size_t)nF + 1) * sizeof *aLow);
  uint32_t *aNext = base_malloc(((size_t)nF + 1) * sizeof *aNext); /* next edge to visit */
  uint32_t *aStk = base_malloc(((size_t)nF + 1) * sizeof *aStk);   /* Tarjan's stack */
  uint32_t *aCall = base_malloc(((size_t)nF + 1) * sizeof *aCall); /* the DFS path */
  uint8_t *aOn = base_calloc((size_t)nF + 1, 1);
  bool ok = aEdge && aIndex && aLow && aNext && aStk && aCall && aOn;
  if (ok) {
    for (uint32_t f = m->nFuncImport; f < nF; f++) emit_direct_calls(m, f, aEdge + aStart[f]);
    const uint32_t NONE = UINT32_MAX;
    for (uint32_t f = 0; f < nF; f++) aIndex[f] = NONE;
    uint32_t next = 0, nStk = 0;
    for (uint32_t root = m->nFuncImport; root < nF; root++) {
      if (aIndex[root] != NONE) continue;
      uint32_t nCall = 0;
      aCall[nCall++] = root;
      aIndex[root] = aLow[root] = next++;
      aNext[root] = aStart[root];
      aStk[nStk++] = root;
      aOn[root] = 1;
      while (nCall) {
        uint32_t v = aCall[nCall - 1];
        if (aNext[v] < aStart[v + 1]) {
          uint32_t w = aEdge[aNext[v]++];
          if (w == v) e->aRecursive[v] = 1;
          if (aIndex[w] == NONE) {
            aIndex[w] = aLow[w] = next++;
            aNext[w] = aStart[w];
            aStk[nStk++] = w;
            aOn[w] = 1;
            aCall[nCall++] = w;
          } else if (aOn[w] && aIndex[w] < aLow[v]) {
            aLow[v] = aIndex[w];
          }
          continue;
        }
        nCall--;
        if (nCall && aLow[v] < aLow[aCall[nCall - 1]]) aLow[aCall[nCall - 1]] = aLow[v];
        if (aLow[v] == aIndex[v]) { /* v roots a component: pop it */
          uint32_t first = nStk;
          do first--; while (aStk[first] != v);
          for (uint32_t i = first; i < nStk; i++) {
            aOn[aStk[i]] = 0;
            if (nStk - first > 1) e->aRecursive[aStk[i]] = 1;
          }
          nStk = first;
        }
      }
    }
  }
  for (uint32_t f = m->nFuncImport; f < nF; f++)
    if (m->aFunc[f].nBody > EMIT_REC_MAX_BODY) e->aRecursive[f] = 0;
  base_free(aStart);
  base_free(aEdge);
  base_free(aIndex);
  base_free(aLow);
  base_free(aNext);
  base_free(aStk);
  base_free(aCall);
  base_free(aOn);
  return ok;
}
