/*
** decode_names.c: the "name" custom section (module and function names).
** Custom sections must not make a module fail, so any fault here just
** discards the names read from it.
*/
#include "decode_internal.h"

static bool names_name(DecReader *r, Name *out) {
  uint32_t n;
  const uint8_t *z;
  if (!decode_len32(r, &n) || !decode_bytes(r, n, &z)) return false;
  if (!base_utf8_valid(z, n)) return false;
  out->z = (const char *)z;
  out->n = n;
  return true;
}

/* Parses everything first, then applies it, so a fault leaves no trace. */
void decode_names(Module *m, const uint8_t *p, const uint8_t *end) {
  cairn_error scratch;
  DecReader r = {p, end, m->aBytes, &scratch, false};
  Name modName = {NULL, 0};
  const uint8_t *pFuncs = NULL, *pFuncsEnd = NULL;
  int lastId = -1;
  while (r.p < r.end) {
    uint8_t id;
    uint32_t size;
    const uint8_t *body;
    if (!decode_byte(&r, &id) || !decode_len32(&r, &size) || !decode_bytes(&r, size, &body))
      return;
    if ((int)id <= lastId) return; /* subsections are ordered and unique */
    lastId = id;
    DecReader sub = {body, body + size, m->aBytes, &scratch, false};
    if (id == 0) {
      if (!names_name(&sub, &modName) || sub.p != sub.end) return;
    } else if (id == 1) {
      pFuncs = body;
      pFuncsEnd = body + size;
      /* check the whole map before anything is applied */
      uint32_t n, idx;
      Name nm;
      if (!decode_len32(&sub, &n)) return;
      for (uint32_t i = 0; i < n; i++)
        if (!decode_u32(&sub, &idx) || !names_name(&sub, &nm)) return;
      if (sub.p != sub.end) return;
    }
  }
  m->name = modName;
  if (pFuncs) {
    DecReader sub = {pFuncs, pFuncsEnd, m->aBytes, &scratch, false};
    uint32_t n = 0, idx = 0;
    Name nm = {NULL, 0};
    decode_len32(&sub, &n);
    for (uint32_t i = 0; i < n; i++) {
      decode_u32(&sub, &idx);
      names_name(&sub, &nm);
      if (idx < m->nFunc) m->aFunc[idx].name = nm;
    }
  }
}
