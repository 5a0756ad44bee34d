/*
** module_info.c: the public read-only queries on a decoded module that tools
** use (cairn_module_get_info, sections, functions, tables, memories,
** globals). Reads Module fields only; never changes a module.
*/
#include <string.h>

#include "engine/module.h"

void cairn_module_get_info(const cairn_module *m, cairn_module_info *out) {
  memset(out, 0, sizeof *out);
  out->size = m->nBytes;
  out->ntypes = m->nType;
  out->nfuncs = m->nFunc;
  out->nfunc_imports = m->nFuncImport;
  out->ntables = m->nTable;
  out->ntable_imports = m->nTableImport;
  out->nmemories = m->nMem;
  out->nmemory_imports = m->nMemImport;
  out->nglobals = m->nGlobal;
  out->nglobal_imports = m->nGlobalImport;
  out->nimports = m->nImport;
  out->nexports = m->nExport;
  out->nelems = m->nElem;
  out->ndatas = m->nData;
  out->has_start = m->hasStart;
  out->start = m->startIdx;
  out->uses_simd = m->usesSimd;
  if (m->name.n) {
    out->name = m->name.z;
    out->name_len = m->name.n;
  }
}

/* Walks the sections; fills *out for section i when found. Returns the
** number of sections walked (stops at the first malformed header, which a
** decoded module does not have). */
static uint32_t info_walk_sections(const cairn_module *m, uint32_t want, cairn_section *out) {
  const uint8_t *base = m->aBytes;
  const uint8_t *p = base + 8, *end = base + m->nBytes;
  uint32_t k = 0;
  if (m->nBytes < 8) return 0;
  while (p < end) {
    uint8_t id = *p++;
    uint64_t size;
    int n = leb_read_u(p, end, 32, &size);
    if (n <= 0) break;
    p += n;
    if (size > (uint64_t)(end - p)) break;
    if (k == want && out) {
      memset(out, 0, sizeof *out);
      out->id = id;
      out->offset = (size_t)(p - base);
      out->size = (size_t)size;
      if (id == 0) {
        uint64_t nName;
        int nn = leb_read_u(p, p + size, 32, &nName);
        if (nn > 0 && nName <= size - (uint64_t)nn) {
          out->name = (const char *)p + nn;
          out->name_len = (size_t)nName;
        }
      }
    }
    k++;
    p += size;
  }
  return k;
}

uint32_t cairn_module_section_count(const cairn_module *m) {
  return info_walk_sections(m, UINT32_MAX, NULL);
}

bool cairn_module_section(const cairn_module *m, uint32_t i, cairn_section *out) {
  return i < info_walk_sections(m, i, out);
}

static void info_limits(const Limits *l, cairn_limits *out) {
  out->min = l->min;
  out->max = l->max;
  out->has_max = l->hasMax;
}

bool cairn_module_func(const cairn_module *m, uint32_t idx, cairn_functype *type,
                       const char **name, size_t *name_len) {
  if (idx >= m->nFunc) return false;
  const Func *f = &m->aFunc[idx];
  if (type) {
    const FuncType *ft = &m->aType[f->typeIdx];
    type->nparams = ft->nParam;
    type->nresults = ft->nResult;
    type->params = ft->aPublic;
    type->results = ft->aPublic + ft->nParam;
  }
  if (name) *name = f->name.n ? f->name.z : NULL;
  if (name_len) *name_len = f->name.n;
  return true;
}

bool cairn_module_table(const cairn_module *m, uint32_t idx, cairn_valtype *elemtype,
                        cairn_limits *limits) {
  if (idx >= m->nTable) return false;
  if (elemtype) *elemtype = (cairn_valtype)m->aTable[idx].elem;
  if (limits) info_limits(&m->aTable[idx].lim, limits);
  return true;
}

bool cairn_module_memory(const cairn_module *m, uint32_t idx, cairn_limits *limits) {
  if (idx >= m->nMem) return false;
  if (limits) info_limits(&m->aMem[idx].lim, limits);
  return true;
}

bool cairn_module_global(const cairn_module *m, uint32_t idx, cairn_valtype *type,
                         bool *mutable_) {
  if (idx >= m->nGlobal) return false;
  if (type) *type = (cairn_valtype)m->aGlobal[idx].type.type;
  if (mutable_) *mutable_ = m->aGlobal[idx].type.mut;
  return true;
}
