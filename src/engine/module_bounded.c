/*
** module_bounded.c: which functions run without a limits check at their
** entry (module_func_bounded in module.h): small leaves without loops,
** whose run is bounded by their size. The interpreter and the native tier
** both ask here, so that fuel counts the same in both.
*/
#include "engine/module.h"

bool module_func_bounded(const Module *m, uint32_t f) {
  if (f < m->nFuncImport || f >= m->nFunc) return false;
  const Func *fn = &m->aFunc[f];
  if (fn->nBody > MODULE_BOUNDED_BODY ||
      (uint64_t)fn->nLocal + module_func_type(m, f)->nParam > MODULE_BOUNDED_SLOTS)
    return false;
  const uint8_t *p = fn->pBody, *end = fn->pBody + fn->nBody;
  while (p < end) {
    Instr in;
    cairn_error err;
    if (!decode_instr(p, end, m->aBytes, &in, &err)) return false;
    p += in.len;
    /* every instruction that can jump back or call: Wasm 3.0's tail and
    ** reference calls (return_call*, call_ref) and exceptions must join
    ** this list when the decoder learns them */
    switch (in.op) {
      case OP_LOOP:
      case OP_CALL:
      case OP_CALL_INDIRECT:
        return false;
      default:
        break;
    }
  }
  return true;
}
