/*
** func.c: function instances seen from the host (host functions, types,
** calls through the public API) and the conversions between cairn_val and
** the tiers' Slot layout (runtime.h).
*/
#include <stdio.h>
#include <string.h>

#include "engine/runtime/rtint.h"

/* ---- values ---- */

bool rt_valtype_ok(int t) {
  switch (t) {
    case VT_I32: case VT_I64: case VT_F32: case VT_F64:
    case VT_V128: case VT_FUNCREF: case VT_EXTERNREF:
      return true;
    default:
      return false;
  }
}

void rt_val_to_slots(const cairn_val *v, Slot *out) {
  switch ((int)v->type) {
    case VT_I32: out[0] = (uint32_t)v->of.i32; break;
    case VT_I64: out[0] = (uint64_t)v->of.i64; break;
    case VT_F32: out[0] = v->of.f32_bits; break;
    case VT_F64: out[0] = v->of.f64_bits; break;
    case VT_V128: memcpy(out, v->of.v128, 16); break;  /* low half first (little endian) */
    case VT_FUNCREF: out[0] = (Slot)(uintptr_t)v->of.func; break;
    case VT_EXTERNREF: out[0] = (Slot)(uintptr_t)v->of.ext; break;
    default: out[0] = 0; break;
  }
}

void rt_slots_to_val(ValType t, const Slot *in, cairn_val *out) {
  memset(out, 0, sizeof *out);
  out->type = (cairn_valtype)t;
  switch (t) {
    case VT_I32: out->of.i32 = (int32_t)(uint32_t)in[0]; break;
    case VT_I64: out->of.i64 = (int64_t)in[0]; break;
    case VT_F32: out->of.f32_bits = (uint32_t)in[0]; break;
    case VT_F64: out->of.f64_bits = in[0]; break;
    case VT_V128: memcpy(out->of.v128, in, 16); break;
    case VT_FUNCREF: out->of.func = (cairn_func *)(uintptr_t)in[0]; break;
    case VT_EXTERNREF: out->of.ext = (void *)(uintptr_t)in[0]; break;
    default: break;
  }
}

/* Slots taken by n values of types a. */
static uint32_t slot_count(const ValType *a, uint32_t n) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += rt_slots(a[i]);
  return k;
}

/* ---- host functions ---- */

cairn_func *cairn_func_new(cairn_store *s, const cairn_functype *type, cairn_host_fn fn,
                           void *env) {
  if (!s || !type || !fn) return NULL;
  uint32_t n = type->nparams + type->nresults;
  if (n < type->nparams) return NULL;
  ValType *a = base_malloc(n);
  if (!a) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    cairn_valtype t = i < type->nparams ? type->params[i] : type->results[i - type->nparams];
    if (!rt_valtype_ok(t)) {
      base_free(a);
      return NULL;
    }
    a[i] = (ValType)t;
  }
  FuncType tmp = {type->nparams, type->nresults, a, NULL};
  cairn_func *f = RT_CALLOC(s, 1, sizeof *f);
  if (!f || !rt_functype_copy(s, &f->hostType, &tmp)) {
    base_free(f);
    base_free(a);
    return NULL;
  }
  base_free(a);
  f->store = s;
  f->self = f;
  f->type = &f->hostType;
  f->typeId = rt_type_id(s, &f->hostType);
  f->host = fn;
  f->hostEnv = env;
  rt_functype_public(&f->hostType, &f->pubType);
  if (f->typeId == UINT32_MAX || !rt_own(s, RT_FUNC, f)) {
    rt_func_destroy(f);
    return NULL;
  }
  return f;
}

void rt_func_destroy(cairn_func *f) {
  if (!f) return;
  rt_functype_free(&f->hostType);
  base_free(f);
}

const cairn_functype *cairn_func_type(const cairn_func *f) { return &f->pubType; }

/* ---- calls ---- */

#define RT_MAX_VALS 64  /* cairn_val buffers on the C stack; more are heap-allocated */

bool rt_call_host(cairn_func *f, Slot *aSlot, cairn_error *err) {
  const FuncType *t = f->type;
  cairn_val stackVals[RT_MAX_VALS];
  cairn_val *aVal = stackVals;
  uint32_t nVal = t->nParam + t->nResult;
  if (nVal > RT_MAX_VALS && !(aVal = base_malloc(nVal * sizeof *aVal))) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory calling a host function");
    return false;
  }
  cairn_val *aArg = aVal, *aRes = aVal + t->nParam;
  uint32_t k = 0;
  for (uint32_t i = 0; i < t->nParam; i++) {
    rt_slots_to_val(t->aType[i], aSlot + k, &aArg[i]);
    k += rt_slots(t->aType[i]);
  }
  for (uint32_t i = 0; i < t->nResult; i++) {
    memset(&aRes[i], 0, sizeof aRes[i]);
    aRes[i].type = (cairn_valtype)t->aType[t->nParam + i];
  }
  cairn_error trap;
  base_error_clear(&trap);
  bool ok = f->host(f->hostEnv, aArg, aRes, &trap);
  if (!ok && trap.trap == CAIRN_TRAP_INTERRUPT && f->store) {
    /* a host function that saw the interrupt (a blocking WASI call) traps
    ** with it; like the interpreter's own, that trap consumes it */
    rt_interrupt_clear(f->store);
  }
  if (ok) {
    k = 0;
    for (uint32_t i = 0; i < t->nResult; i++) {
      ValType rt = t->aType[t->nParam + i];
      aRes[i].type = (cairn_valtype)rt;  /* the declared type wins */
      rt_val_to_slots(&aRes[i], aSlot + k);
      k += rt_slots(rt);
    }
  } else if (err) {
    *err = trap;
    if (err->kind != CAIRN_ERR_TRAP && err->kind != CAIRN_ERR_EXHAUSTION) {
      err->kind = CAIRN_ERR_TRAP;
      if (err->trap == CAIRN_TRAP_NONE) err->trap = CAIRN_TRAP_HOST;
      if (!err->msg[0]) snprintf(err->msg, sizeof err->msg, "host function trapped");
    }
  }
  if (aVal != stackVals) base_free(aVal);
  return ok;
}

bool rt_invoke(cairn_func *f, Slot *aSlot, cairn_error *err) {
  return f->tier ? f->tier->call(f, aSlot, err) : rt_call_host(f, aSlot, err);
}

static const char *type_name(int t) {
  switch (t) {
    case VT_I32: return "i32";
    case VT_I64: return "i64";
    case VT_F32: return "f32";
    case VT_F64: return "f64";
    case VT_V128: return "v128";
    case VT_FUNCREF: return "funcref";
    case VT_EXTERNREF: return "externref";
    default: return "unknown type";
  }
}

bool cairn_func_call(cairn_func *f, const cairn_val *args, size_t nargs, cairn_val *results,
                     size_t nresults, cairn_error *err) {
  if (!f) {
    base_error(err, CAIRN_ERR_ARG, -1, "null function");
    return false;
  }
  const FuncType *t = f->type;
  if (nargs != t->nParam) {
    base_error(err, CAIRN_ERR_ARG, -1, "expected %u arguments, got %zu", t->nParam, nargs);
    return false;
  }
  if (nresults < t->nResult) {
    base_error(err, CAIRN_ERR_ARG, -1, "room for %u results needed, got %zu", t->nResult,
               nresults);
    return false;
  }
  for (uint32_t i = 0; i < t->nParam; i++) {
    if ((int)args[i].type != t->aType[i]) {
      base_error(err, CAIRN_ERR_ARG, -1, "argument %u: expected %s, got %s", i,
                 type_name(t->aType[i]), type_name(args[i].type));
      return false;
    }
  }
  uint32_t nIn = slot_count(t->aType, t->nParam);
  uint32_t nOut = slot_count(t->aType + t->nParam, t->nResult);
  uint32_t n = nIn > nOut ? nIn : nOut;
  Slot stackSlots[RT_MAX_VALS];
  Slot *aSlot = stackSlots;
  if (n > RT_MAX_VALS && !(aSlot = base_calloc(n, sizeof(Slot)))) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory calling a function");
    return false;
  }
  uint32_t k = 0;
  for (uint32_t i = 0; i < t->nParam; i++) {
    rt_val_to_slots(&args[i], aSlot + k);
    k += rt_slots(t->aType[i]);
  }
  rt_signals_init();  /* this thread may not have its signal stack yet */
  bool ok = rt_invoke(f, aSlot, err);
  if (ok) {
    k = 0;
    for (uint32_t i = 0; i < t->nResult; i++) {
      ValType rt = t->aType[t->nParam + i];
      rt_slots_to_val(rt, aSlot + k, &results[i]);
      k += rt_slots(rt);
    }
  }
  if (aSlot != stackSlots) base_free(aSlot);
  return ok;
}
