/*
** instance.c: wasm.h's instances and externals (functions, globals, tables
** and memories seen as one), and the conversions to and from Cairn's
** objects of <cairn/wasm_interop.h>.
*/
#include <string.h>

#include "capi/capi.h"

/* ---- externals ---- */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e) {
  return (wasm_externkind_t)((const CapiObj *)e)->kind;
}

bool cairn_wasm_extern(const wasm_extern_t *e, cairn_extern *out) {
  const CapiObj *o = (const CapiObj *)e;
  if (!o || o->kind > CAPI_MEMORY) return false;
  switch (o->kind) {
  case CAPI_FUNC: *out = (cairn_extern){.kind = CAIRN_EXTERN_FUNC, .of.func = o->u.func}; break;
  case CAPI_GLOBAL:
    *out = (cairn_extern){.kind = CAIRN_EXTERN_GLOBAL, .of.global = o->u.global};
    break;
  case CAPI_TABLE: *out = (cairn_extern){.kind = CAIRN_EXTERN_TABLE, .of.table = o->u.table}; break;
  default: *out = (cairn_extern){.kind = CAIRN_EXTERN_MEMORY, .of.memory = o->u.memory}; break;
  }
  return true;
}

wasm_extern_t *cairn_wasm_extern_new(wasm_store_t *st, const cairn_extern *e) {
  if (!st || !e) return NULL;
  switch (e->kind) {
  case CAIRN_EXTERN_FUNC: return (wasm_extern_t *)capi_ref(capi_store_obj(st, CAPI_FUNC, e->of.func));
  case CAIRN_EXTERN_GLOBAL:
    return (wasm_extern_t *)capi_ref(capi_store_obj(st, CAPI_GLOBAL, e->of.global));
  case CAIRN_EXTERN_TABLE:
    return (wasm_extern_t *)capi_ref(capi_store_obj(st, CAPI_TABLE, e->of.table));
  case CAIRN_EXTERN_MEMORY:
    return (wasm_extern_t *)capi_ref(capi_store_obj(st, CAPI_MEMORY, e->of.memory));
  default: return NULL;
  }
}

/* The casts: a func, global, table or memory is an extern. */
#define CAPI_EXTERN_CASTS(name, KIND)                                                    \
  wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) { return (wasm_extern_t *)x; } \
  const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) {         \
    return (const wasm_extern_t *)x;                                                     \
  }                                                                                      \
  wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e) {                             \
    return e && ((CapiObj *)e)->kind == KIND ? (wasm_##name##_t *)e : NULL;              \
  }                                                                                      \
  const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e) {         \
    return e && ((const CapiObj *)e)->kind == KIND ? (const wasm_##name##_t *)e : NULL;  \
  }

CAPI_EXTERN_CASTS(func, CAPI_FUNC)
CAPI_EXTERN_CASTS(global, CAPI_GLOBAL)
CAPI_EXTERN_CASTS(table, CAPI_TABLE)
CAPI_EXTERN_CASTS(memory, CAPI_MEMORY)

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e) {
  const CapiObj *o = (const CapiObj *)e;
  if (!o) return NULL;
  switch (o->kind) {
  case CAPI_FUNC: return (wasm_externtype_t *)wasm_func_type((const wasm_func_t *)e);
  case CAPI_GLOBAL: return (wasm_externtype_t *)wasm_global_type((const wasm_global_t *)e);
  case CAPI_TABLE: return (wasm_externtype_t *)wasm_table_type((const wasm_table_t *)e);
  default: return (wasm_externtype_t *)wasm_memory_type((const wasm_memory_t *)e);
  }
}

/* ---- instances ---- */

wasm_instance_t *wasm_instance_new(wasm_store_t *st, const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!st || !module) {
    if (trap) *trap = capi_trap_msg(st, "wasm_instance_new: no %s", st ? "module" : "store");
    return NULL;
  }
  CapiModule *mod = ((const CapiObj *)module)->u.module;
  uint32_t n = cairn_module_import_count(mod->m);
  size_t given = imports ? imports->size : 0;
  wasm_trap_t *t = NULL;
  cairn_extern *ce = NULL;
  cairn_instance *inst = NULL;
  if (given != n) {
    t = capi_trap_msg(st, "wasm_instance_new: the module has %u imports, %zu given", n, given);
    goto out;
  }
  ce = capi_alloc(n * sizeof *ce);
  if (!ce) {
    t = capi_trap_msg(st, "wasm_instance_new: out of memory");
    goto out;
  }
  for (uint32_t i = 0; i < n; i++) {
    const CapiObj *o = (const CapiObj *)imports->data[i];
    if (!cairn_wasm_extern(imports->data[i], &ce[i]) || o->store != st) {
      cairn_externtype et;
      cairn_module_import(mod->m, i, &et);
      t = capi_trap_msg(st, "wasm_instance_new: import %u (%.*s.%.*s) is %s", i,
                        (int)et.module_len, et.module, (int)et.name_len, et.name,
                        !o ? "missing" : "of another store");
      goto out;
    }
  }
  if (!capi_store_keep_module(st, mod)) {
    t = capi_trap_msg(st, "wasm_instance_new: out of memory");
    goto out;
  }
  cairn_error err;
  inst = cairn_instance_new(st->s, mod->m, ce, n, &err);
  if (!inst) t = capi_trap_from_error(st, &err);
out:
  capi_free(ce);
  if (!inst) {
    if (trap)
      *trap = t;
    else
      wasm_trap_delete(t);
    return NULL;
  }
  return (wasm_instance_t *)capi_ref(capi_store_obj(st, CAPI_INSTANCE, inst));
}

void wasm_instance_exports(const wasm_instance_t *instance, wasm_extern_vec_t *out) {
  const CapiObj *o = (const CapiObj *)instance;
  const cairn_module *m = cairn_instance_module(o->u.instance);
  uint32_t n = cairn_module_export_count(m);
  wasm_extern_vec_new_uninitialized(out, n);
  for (uint32_t i = 0; i < out->size; i++) {
    cairn_externtype et;
    cairn_extern e;
    cairn_module_export(m, i, &et);
    out->data[i] = cairn_instance_export(o->u.instance, et.name, et.name_len, &e)
                       ? cairn_wasm_extern_new(o->store, &e)
                       : NULL;
  }
}

cairn_instance *cairn_wasm_instance(const wasm_instance_t *inst) {
  return inst ? ((const CapiObj *)inst)->u.instance : NULL;
}

wasm_instance_t *cairn_wasm_instance_new(wasm_store_t *st, cairn_instance *inst) {
  return (wasm_instance_t *)capi_ref(capi_store_obj(st, CAPI_INSTANCE, inst));
}
