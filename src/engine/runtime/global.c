/*
** global.c: global variables (a type, a mutability flag and a value in slot
** form, so the tiers read and write them directly).
*/
#include <string.h>

#include "engine/runtime/rtint.h"

cairn_global *rt_global_create(cairn_store *s, ValType type, bool mut, const Slot v[2],
                               cairn_error *err) {
  cairn_global *g = RT_CALLOC(s, 1, sizeof *g);
  if (!g || !rt_own(s, RT_GLOBAL, g)) {
    base_free(g);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory allocating a global");
    return NULL;
  }
  g->type = type;
  g->mut = mut;
  g->v[0] = v[0];
  g->v[1] = type == VT_V128 ? v[1] : 0;
  return g;
}

void rt_global_destroy(cairn_global *g) { base_free(g); }

cairn_global *cairn_global_new(cairn_store *s, cairn_val val, bool mutable_, cairn_error *err) {
  if (!s || !rt_valtype_ok(val.type)) {
    base_error(err, CAIRN_ERR_ARG, -1, "unknown value type 0x%02x for a global", (unsigned)val.type);
    return NULL;
  }
  Slot v[2] = {0, 0};
  rt_val_to_slots(&val, v);
  return rt_global_create(s, (ValType)val.type, mutable_, v, err);
}

cairn_val cairn_global_get(const cairn_global *g) {
  cairn_val v;
  rt_slots_to_val(g->type, g->v, &v);
  return v;
}

bool cairn_global_set(cairn_global *g, cairn_val v) {
  if (!g->mut || v.type != (cairn_valtype)g->type) return false;
  rt_val_to_slots(&v, g->v);
  return true;
}

void cairn_global_type(const cairn_global *g, cairn_valtype *type, bool *mutable_) {
  if (type) *type = (cairn_valtype)g->type;
  if (mutable_) *mutable_ = g->mut;
}
