/*
** func.c: wasm.h's functions: host functions (a trampoline between
** cairn_host_fn and the wasm.h callbacks), calls into Wasm, and the value
** conversions between wasm_val_t and cairn_val that every object uses.
** A call converts its values in arrays on the C stack (heap above
** CAPI_MAX_STACK_VALS), so the usual call allocates nothing.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capi/capi.h"

#define CAPI_MAX_STACK_VALS 16

/* ---- values ---- */

cairn_valtype capi_cairn_type(wasm_valkind_t k) {
  switch (k) {
  case WASM_I32: return CAIRN_I32;
  case WASM_I64: return CAIRN_I64;
  case WASM_F32: return CAIRN_F32;
  case WASM_F64: return CAIRN_F64;
  case WASM_V128: return CAIRN_V128;
  case WASM_EXTERNREF: return CAIRN_EXTERNREF;
  case WASM_FUNCREF: return CAIRN_FUNCREF;
  default: return (cairn_valtype)0;
  }
}

wasm_valkind_t capi_wasm_kind(cairn_valtype t) {
  switch (t) {
  case CAIRN_I32: return WASM_I32;
  case CAIRN_I64: return WASM_I64;
  case CAIRN_F32: return WASM_F32;
  case CAIRN_F64: return WASM_F64;
  case CAIRN_V128: return WASM_V128;
  case CAIRN_EXTERNREF: return WASM_EXTERNREF;
  default: return WASM_FUNCREF;
  }
}

static const char *kind_name(wasm_valkind_t k) {
  switch (k) {
  case WASM_I32: return "i32";
  case WASM_I64: return "i64";
  case WASM_F32: return "f32";
  case WASM_F64: return "f64";
  case WASM_V128: return "v128";
  case WASM_EXTERNREF: return "externref";
  case WASM_FUNCREF: return "funcref";
  default: return "an unknown kind";
  }
}

bool capi_val_in(wasm_store_t *st, const wasm_val_t *v, cairn_valtype want, cairn_val *out,
                 const char **why) {
  out->type = want;
  if (want == CAIRN_V128) {
    *why = "a v128 value cannot be passed through wasm.h";
    return false;
  }
  bool ref = want == CAIRN_EXTERNREF || want == CAIRN_FUNCREF;
  /* a reference value may come with either reference kind */
  if (ref ? !wasm_valkind_is_ref(v->kind) : capi_cairn_type(v->kind) != want) {
    *why = "a value of the wrong type";
    return false;
  }
  CapiObj *o = (CapiObj *)v->of.ref;
  switch (want) {
  case CAIRN_I32: out->of.i32 = v->of.i32; return true;
  case CAIRN_I64: out->of.i64 = v->of.i64; return true;
  case CAIRN_F32: memcpy(&out->of.f32_bits, &v->of.f32, 4); return true;
  case CAIRN_F64: memcpy(&out->of.f64_bits, &v->of.f64, 8); return true;
  case CAIRN_FUNCREF:
    if (o && (o->kind != CAPI_FUNC || o->store != st)) {
      *why = o->kind != CAPI_FUNC ? "a funcref that is not a function" : "a function of another store";
      return false;
    }
    out->of.func = o ? o->u.func : NULL;
    return true;
  default:
    if (o && o->store != st) {
      *why = "a reference of another store";
      return false;
    }
    /* Wasm now holds it: it must live as long as the store */
    if (o && !capi_pin(o)) {
      *why = "out of memory";
      return false;
    }
    out->of.ext = o ? o->key : NULL;
    return true;
  }
}

void capi_val_out(wasm_store_t *st, const cairn_val *v, wasm_val_t *out) {
  out->kind = capi_wasm_kind(v->type);
  switch (v->type) {
  case CAIRN_I32: out->of.i32 = v->of.i32; break;
  case CAIRN_I64: out->of.i64 = v->of.i64; break;
  case CAIRN_F32: memcpy(&out->of.f32, &v->of.f32_bits, 4); break;
  case CAIRN_F64: memcpy(&out->of.f64, &v->of.f64_bits, 8); break;
  case CAIRN_FUNCREF:
    out->of.ref = (wasm_ref_t *)capi_ref(capi_store_obj(st, CAPI_FUNC, v->of.func));
    break;
  case CAIRN_EXTERNREF: {
    CapiObj *o = NULL;
    if (v->of.ext) {
      o = capi_lookup(st, v->of.ext);
      /* put there through cairn.h: a foreign object stands for it */
      if (!o) o = capi_foreign_for(st, v->of.ext);
    }
    out->of.ref = (wasm_ref_t *)capi_ref(o);
    break;
  }
  default: out->of.i64 = 0; break; /* v128: never produced (calls refuse it) */
  }
}

bool capi_functype_in(const wasm_functype_t *ft, cairn_valtype *params, cairn_valtype *results,
                      size_t n, cairn_functype *out) {
  if (!ft || ft->params.size > n || ft->results.size > n) return false;
  for (size_t i = 0; i < ft->params.size; i++) {
    if (!ft->params.data[i] || !(params[i] = capi_cairn_type(ft->params.data[i]->kind)))
      return false;
  }
  for (size_t i = 0; i < ft->results.size; i++) {
    if (!ft->results.data[i] || !(results[i] = capi_cairn_type(ft->results.data[i]->kind)))
      return false;
  }
  *out = (cairn_functype){(uint32_t)ft->params.size, (uint32_t)ft->results.size, params, results};
  return true;
}

/* ---- host functions ---- */

static void trap_to_error(const CapiTrap *t, cairn_error *err) {
  cairn_error e;
  memset(&e, 0, sizeof e);
  e.kind = t->kind == CAIRN_TRAP_STACK_EXHAUSTED ? CAIRN_ERR_EXHAUSTION : CAIRN_ERR_TRAP;
  e.offset = -1;
  e.trap = t->kind == CAIRN_TRAP_NONE ? CAIRN_TRAP_HOST : t->kind;
  e.exit_code = t->exit_code;
  snprintf(e.msg, sizeof e.msg, "%s", t->msg);
  *err = e;
}

/* The cairn_host_fn of every wasm.h host function. */
static bool host_trampoline(void *env, const cairn_val *args, cairn_val *results,
                            cairn_error *trap) {
  CapiHostFn *h = env;
  wasm_store_t *st = h->store;
  wasm_val_t abuf[CAPI_MAX_STACK_VALS], rbuf[CAPI_MAX_STACK_VALS];
  size_t np = h->np, nr = h->nr;
  wasm_val_t *a = np <= CAPI_MAX_STACK_VALS ? abuf : capi_alloc(np * sizeof *a);
  wasm_val_t *r = nr <= CAPI_MAX_STACK_VALS ? rbuf : capi_alloc(nr * sizeof *r);
  bool ok = false;
  if (!a || !r) {
    memset(trap, 0, sizeof *trap);
    trap->kind = CAIRN_ERR_TRAP;
    trap->trap = CAIRN_TRAP_HOST;
    trap->offset = -1;
    snprintf(trap->msg, sizeof trap->msg, "out of memory calling a host function");
    goto out;
  }
  for (size_t i = 0; i < np; i++) capi_val_out(st, &args[i], &a[i]);
  for (size_t i = 0; i < nr; i++) {
    r[i].kind = capi_wasm_kind(results[i].type);
    r[i].of.i64 = 0;
  }
  wasm_val_vec_t av = {np, a}, rv = {nr, r};
  wasm_trap_t *t = h->cb_env ? h->cb_env(h->env, &av, &rv) : h->cb(&av, &rv);
  for (size_t i = 0; i < np; i++) wasm_val_delete(&a[i]);
  if (t) {
    trap_to_error(((CapiObj *)t)->u.trap, trap);
    wasm_trap_delete(t);
  } else {
    const char *why = NULL;
    ok = true;
    for (size_t i = 0; i < nr && ok; i++)
      ok = capi_val_in(st, &r[i], results[i].type, &results[i], &why);
    if (!ok) {
      memset(trap, 0, sizeof *trap);
      trap->kind = CAIRN_ERR_TRAP;
      trap->trap = CAIRN_TRAP_HOST;
      trap->offset = -1;
      snprintf(trap->msg, sizeof trap->msg, "host function returned %s", why);
    }
  }
  for (size_t i = 0; i < nr; i++) wasm_val_delete(&r[i]);
out:
  if (a != abuf) capi_free(a);
  if (r != rbuf) capi_free(r);
  return ok;
}

static wasm_func_t *func_new(wasm_store_t *st, const wasm_functype_t *type,
                             wasm_func_callback_t cb, wasm_func_callback_with_env_t cb_env,
                             void *env, void (*finalizer)(void *)) {
  cairn_valtype pbuf[CAPI_MAX_STACK_VALS], rbuf[CAPI_MAX_STACK_VALS];
  cairn_valtype *p = pbuf, *r = rbuf;
  size_t n = CAPI_MAX_STACK_VALS;
  CapiHostFn *h = NULL;
  CapiObj *o = NULL;
  if (!st || !type || (!cb && !cb_env)) goto fail;
  if (type->params.size > n || type->results.size > n) {
    n = type->params.size > type->results.size ? type->params.size : type->results.size;
    p = capi_alloc(n * sizeof *p);
    r = capi_alloc(n * sizeof *r);
    if (!p || !r) goto fail;
  }
  cairn_functype ft;
  if (!capi_functype_in(type, p, r, n, &ft)) goto fail;
  h = capi_alloc(sizeof *h);
  if (!h) goto fail;
  *h = (CapiHostFn){cb, cb_env, env, finalizer, st, ft.nparams, ft.nresults};
  cairn_func *f = cairn_func_new(st->s, &ft, host_trampoline, h);
  o = f ? capi_store_obj(st, CAPI_FUNC, f) : NULL;
  if (!o) goto fail;
  o->host = h;
  if (p != pbuf) capi_free(p);
  if (r != rbuf) capi_free(r);
  return (wasm_func_t *)capi_ref(o);
fail:
  /* (a cairn_func made before a failure stays with the store, never called) */
  capi_free(h);
  if (p != pbuf) capi_free(p);
  if (r != rbuf) capi_free(r);
  return NULL;
}

wasm_func_t *wasm_func_new(wasm_store_t *st, const wasm_functype_t *type,
                           wasm_func_callback_t cb) {
  return func_new(st, type, cb, NULL, NULL, NULL);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *st, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb, void *env,
                                    void (*finalizer)(void *)) {
  return func_new(st, type, NULL, cb, env, finalizer);
}

wasm_functype_t *wasm_func_type(const wasm_func_t *f) {
  return f ? capi_functype_out(cairn_func_type(((const CapiObj *)f)->u.func)) : NULL;
}

size_t wasm_func_param_arity(const wasm_func_t *f) {
  return f ? cairn_func_type(((const CapiObj *)f)->u.func)->nparams : 0;
}

size_t wasm_func_result_arity(const wasm_func_t *f) {
  return f ? cairn_func_type(((const CapiObj *)f)->u.func)->nresults : 0;
}

/* ---- calls ---- */

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  const CapiObj *o = (const CapiObj *)func;
  if (!o) return capi_trap_msg(NULL, "wasm_func_call: no function");
  wasm_store_t *st = o->store;
  const cairn_functype *ft = cairn_func_type(o->u.func);
  size_t nargs = args ? args->size : 0, nres = results ? results->size : 0;
  if (nargs != ft->nparams || (nargs && !args->data))
    return capi_trap_msg(st, "wasm_func_call: %zu arguments given, the function takes %u", nargs,
                         (unsigned)ft->nparams);
  if (nres != ft->nresults || (nres && !results->data))
    return capi_trap_msg(st, "wasm_func_call: room for %zu results, the function returns %u",
                         nres, (unsigned)ft->nresults);
  cairn_val abuf[CAPI_MAX_STACK_VALS], rbuf[CAPI_MAX_STACK_VALS];
  cairn_val *a = nargs <= CAPI_MAX_STACK_VALS ? abuf : capi_alloc(nargs * sizeof *a);
  cairn_val *r = nres <= CAPI_MAX_STACK_VALS ? rbuf : capi_alloc(nres * sizeof *r);
  wasm_trap_t *trap = NULL;
  if (!a || !r) {
    trap = capi_trap_msg(st, "wasm_func_call: out of memory");
    goto out;
  }
  for (size_t i = 0; i < nargs; i++) {
    const char *why;
    if (!capi_val_in(st, &args->data[i], ft->params[i], &a[i], &why)) {
      trap = capi_trap_msg(st, "wasm_func_call: argument %zu: %s (%s, the parameter is %s)", i,
                           why, kind_name(args->data[i].kind),
                           kind_name(capi_wasm_kind(ft->params[i])));
      goto out;
    }
  }
  for (size_t i = 0; i < nres; i++) {
    if (ft->results[i] == CAIRN_V128) {
      trap = capi_trap_msg(st, "wasm_func_call: result %zu: a v128 value cannot be passed "
                               "through wasm.h", i);
      goto out;
    }
  }
  cairn_error err;
  if (!cairn_func_call(o->u.func, a, nargs, r, nres, &err)) {
    trap = capi_trap_from_error(st, &err);
    goto out;
  }
  for (size_t i = 0; i < nres; i++) capi_val_out(st, &r[i], &results->data[i]);
out:
  if (a && a != abuf) capi_free(a);
  if (r && r != rbuf) capi_free(r);
  return trap;
}
