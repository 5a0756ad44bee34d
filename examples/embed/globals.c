/* globals.c: globals made by the host and imported, exported globals read
** and written from both sides, their types, and the refused writes (a
** constant global, a value of the wrong kind). */
#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (global $c (import \"host\" \"const\") f32)\n"
    "  (global $v (import \"host\" \"var\") (mut i64))\n"
    "  (global (export \"c\") f64 (f64.const 1.5))\n"
    "  (global $g (export \"g\") (mut i32) (i32.const 7))\n"
    "  (func (export \"get_c\") (result f32) (global.get $c))\n"
    "  (func (export \"bump\") (global.set $v (i64.add (global.get $v) (i64.const 1)))\n"
    "    (global.set $g (i32.mul (global.get $g) (i32.const 2)))))\n";

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);

  wasm_globaltype_t *ct = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_CONST);
  wasm_globaltype_t *vt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t cv = WASM_F32_VAL(2.25f), vv = WASM_I64_VAL(41);
  wasm_global_t *c = wasm_global_new(store, ct, &cv);
  wasm_global_t *v = wasm_global_new(store, vt, &vv);
  wasm_val_t wrong = WASM_I32_VAL(1);
  CHECK(!wasm_global_new(store, ct, &wrong), "a global with a value of the wrong kind");
  wasm_globaltype_delete(ct);
  wasm_globaltype_delete(vt);
  CHECK(c && v, "host globals");

  wasm_extern_t *externs[] = {wasm_global_as_extern(c), wasm_global_as_extern(v)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance, "instantiation failed");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_global_t *ec = wasm_extern_as_global(example_export(module, &exports, "c"));
  wasm_global_t *g = wasm_extern_as_global(example_export(module, &exports, "g"));
  const wasm_func_t *get_c = wasm_extern_as_func(example_export(module, &exports, "get_c"));
  const wasm_func_t *bump = wasm_extern_as_func(example_export(module, &exports, "bump"));

  wasm_globaltype_t *gt = wasm_global_type(g);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I32 &&
            wasm_globaltype_mutability(gt) == WASM_VAR, "type of g");
  wasm_globaltype_delete(gt);
  wasm_externtype_t *et = wasm_extern_type(wasm_global_as_extern(ec));
  CHECK(wasm_externtype_kind(et) == WASM_EXTERN_GLOBAL &&
            wasm_globaltype_mutability(wasm_externtype_as_globaltype_const(et)) == WASM_CONST,
        "type of c");
  wasm_externtype_delete(et);

  wasm_val_t out;
  wasm_global_get(ec, &out);
  CHECK(out.kind == WASM_F64 && out.of.f64 == 1.5, "c = %g", out.of.f64);
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(r);
  CHECK(!wasm_func_call(get_c, &none, &results) && r[0].kind == WASM_F32 && r[0].of.f32 == 2.25f,
        "Wasm reads the host's constant");

  wasm_val_t nine = WASM_I32_VAL(9);
  wasm_global_set(g, &nine);
  wasm_val_vec_t no_results = WASM_EMPTY_VEC;
  CHECK(!wasm_func_call(bump, &none, &no_results), "bump");
  wasm_global_get(g, &out);
  CHECK(out.of.i32 == 18, "g = %d (want 18)", out.of.i32);
  wasm_global_get(v, &out);
  CHECK(out.kind == WASM_I64 && out.of.i64 == 42, "v = %lld (want 42)", (long long)out.of.i64);

  wasm_val_t bad = WASM_F64_VAL(3.0);
  wasm_global_set(ec, &bad); /* constant: ignored */
  wasm_global_set(g, &bad);  /* wrong kind: ignored */
  wasm_global_get(ec, &out);
  CHECK(out.of.f64 == 1.5, "a constant global changed");
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_I32 && out.of.i32 == 18, "a global took a value of the wrong kind");
  printf("globals: g = %d, v = 42, c = 1.5: ok\n", out.of.i32);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_global_delete(c);
  wasm_global_delete(v);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
