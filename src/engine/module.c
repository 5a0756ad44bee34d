/*
** module.c: the public "modules" part of cairn.h (create from bytes, text or
** a file; validate; free; describe imports and exports), module_free, and
** cairn_trap_message. Glue only: decoding, validation and compilation live in
** decode/, validate/ and interp/.
*/
#include "engine/module.h"
#include "engine/runtime/runtime.h"

#include <string.h>

#include "engine/text/text.h"

void module_free(Module *m) {
  if (!m) return;
  if (m->tier) m->tier->module_free(m);
  for (uint32_t i = 0; i < m->nType; i++) {
    base_free(m->aType[i].aType);
    base_free(m->aType[i].aPublic);
  }
  base_free(m->aType);
  base_free(m->aImport);
  for (uint32_t i = 0; i < m->nFunc && m->aFunc; i++) base_free(m->aFunc[i].aLocalGroup);
  base_free(m->aFunc);
  base_free(m->aTable);
  base_free(m->aMem);
  base_free(m->aGlobal);
  base_free(m->aExport);
  for (uint32_t i = 0; i < m->nElem && m->aElem; i++) {
    base_free(m->aElem[i].aFuncIdx);
    base_free(m->aElem[i].aInit);
  }
  base_free(m->aElem);
  base_free(m->aData);
  base_free(m->aFuncDeclared);
  base_free(m->aBytes);
  base_free(m);
}

/* ---- public API ---- */

bool cairn_module_validate(const uint8_t *bytes, size_t len, cairn_error *err) {
  if (!bytes && len) {
    base_error(err, CAIRN_ERR_ARG, -1, "no bytes given");
    return false;
  }
  Module *m = decode_module(bytes, len, err);
  if (!m) return false;
  bool ok = validate_module(m, err);
  module_free(m);
  return ok;
}

cairn_module *cairn_module_new(const uint8_t *bytes, size_t len, cairn_error *err) {
  if (!bytes && len) {
    base_error(err, CAIRN_ERR_ARG, -1, "no bytes given");
    return NULL;
  }
  Module *m = decode_module(bytes, len, err);
  if (!m) return NULL;
  if (!validate_module(m, err) || !interp_compile_module(m, err)) {
    module_free(m);
    return NULL;
  }
  return m;
}

cairn_module *cairn_module_from_text(const char *src, size_t len, cairn_error *err) {
  if (!src && len) {
    base_error(err, CAIRN_ERR_ARG, -1, "no text given");
    return NULL;
  }
  Buf b;
  buf_init(&b);
  if (!text_parse_module(src ? src : "", len, &b, err)) {
    buf_free(&b);
    return NULL;
  }
  if (b.oom) {
    buf_free(&b);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return NULL;
  }
  cairn_module *m = cairn_module_new(b.aData, b.n, err);
  buf_free(&b);
  return m;
}

cairn_module *cairn_module_from_file(const char *path, cairn_error *err) {
  uint8_t *data;
  size_t len;
  if (!path) {
    base_error(err, CAIRN_ERR_ARG, -1, "no path given");
    return NULL;
  }
  if (!base_read_file(path, &data, &len, err)) return NULL;
  cairn_module *m;
  /* "\0asm" marks a binary; a NUL first byte never starts a text module, so
  ** a truncated or damaged header is reported by the binary decoder too */
  if (len >= 1 && data[0] == 0)
    m = cairn_module_new(data, len, err);
  else
    m = cairn_module_from_text((const char *)data, len, err);
  base_free(data);
  return m;
}

void cairn_module_free(cairn_module *m) {
  module_free(m);
}

static cairn_limits module_limits(const Limits *l) {
  cairn_limits r = {l->min, l->hasMax ? l->max : 0, l->hasMax};
  return r;
}

static void module_functype(const Module *m, uint32_t typeIdx, cairn_functype *out) {
  const FuncType *ft = &m->aType[typeIdx];
  out->nparams = ft->nParam;
  out->nresults = ft->nResult;
  out->params = ft->aPublic;
  out->results = ft->aPublic ? ft->aPublic + ft->nParam : NULL;
}

/* Fills the kind-specific part of out for index idx of kind's index space. */
static void module_describe(const Module *m, cairn_externkind kind, uint32_t idx,
                            cairn_externtype *out) {
  out->kind = kind;
  switch (kind) {
    case CAIRN_EXTERN_FUNC:
      if (idx < m->nFunc) module_functype(m, m->aFunc[idx].typeIdx, &out->func);
      break;
    case CAIRN_EXTERN_TABLE:
      if (idx < m->nTable) {
        out->elemtype = (cairn_valtype)m->aTable[idx].elem;
        out->limits = module_limits(&m->aTable[idx].lim);
      }
      break;
    case CAIRN_EXTERN_MEMORY:
      if (idx < m->nMem) out->limits = module_limits(&m->aMem[idx].lim);
      break;
    case CAIRN_EXTERN_GLOBAL:
      if (idx < m->nGlobal) {
        out->global_type = (cairn_valtype)m->aGlobal[idx].type.type;
        out->global_mutable = m->aGlobal[idx].type.mut;
      }
      break;
  }
}

uint32_t cairn_module_import_count(const cairn_module *m) {
  return m ? m->nImport : 0;
}

void cairn_module_import(const cairn_module *m, uint32_t i, cairn_externtype *out) {
  memset(out, 0, sizeof *out);
  if (!m || i >= m->nImport) return;
  const Import *im = &m->aImport[i];
  out->module = im->module.z;
  out->module_len = im->module.n;
  out->name = im->name.z;
  out->name_len = im->name.n;
  /* the index of this import in its kind's space: count earlier ones */
  uint32_t idx = 0;
  for (uint32_t k = 0; k < i; k++)
    if (m->aImport[k].kind == im->kind) idx++;
  out->index = idx;
  module_describe(m, im->kind, idx, out);
}

uint32_t cairn_module_export_count(const cairn_module *m) {
  return m ? m->nExport : 0;
}

void cairn_module_export(const cairn_module *m, uint32_t i, cairn_externtype *out) {
  memset(out, 0, sizeof *out);
  if (!m || i >= m->nExport) return;
  const Export *ex = &m->aExport[i];
  out->name = ex->name.z;
  out->name_len = ex->name.n;
  out->index = ex->idx;
  module_describe(m, ex->kind, ex->idx, out);
}

const char *cairn_trap_message(cairn_trapkind kind) {
  switch (kind) {
    case CAIRN_TRAP_NONE:
      return "no trap";
    case CAIRN_TRAP_UNREACHABLE:
      return "unreachable";
    case CAIRN_TRAP_MEMORY_OOB:
      return "out of bounds memory access";
    case CAIRN_TRAP_TABLE_OOB:
      return "out of bounds table access";
    case CAIRN_TRAP_DIV_ZERO:
      return "integer divide by zero";
    case CAIRN_TRAP_INT_OVERFLOW:
      return "integer overflow";
    case CAIRN_TRAP_BAD_CONVERSION:
      return "invalid conversion to integer";
    case CAIRN_TRAP_UNDEFINED_ELEMENT:
      return "undefined element";
    case CAIRN_TRAP_UNINITIALIZED_ELEMENT:
      return "uninitialized element";
    case CAIRN_TRAP_INDIRECT_MISMATCH:
      return "indirect call type mismatch";
    case CAIRN_TRAP_STACK_EXHAUSTED:
      return "call stack exhausted";
    case CAIRN_TRAP_HOST:
      return "host trap";
    case CAIRN_TRAP_FUEL:
      return "fuel exhausted";
    case CAIRN_TRAP_INTERRUPT:
      return "interrupted";
    case CAIRN_TRAP_EXIT:
      return "exit";
  }
  return "unknown trap";
}
