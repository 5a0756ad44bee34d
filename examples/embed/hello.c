/* hello.c: the smallest wasm.h embedding: a module that imports a host
** function, instantiated with a callback that counts its calls, and an
** export called from C that calls back into the host. */
#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"hello\" (func $hello (param i32) (result i32)))\n"
    "  (func (export \"run\") (param i32) (result i32)\n"
    "    (i32.add (call $hello (local.get 0)) (i32.const 1))))\n";

static wasm_trap_t *hello_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  int *calls = env;
  ++*calls;
  printf("hello: host called with %d\n", args->data[0].of.i32);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);

  int calls = 0;
  wasm_functype_t *type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *hello = wasm_func_new_with_env(store, type, hello_cb, &calls, NULL);
  wasm_functype_delete(type);

  wasm_extern_t *externs[] = {wasm_func_as_extern(hello)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  CHECK(instance && !trap, "instantiation failed");

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t *run = wasm_extern_as_func(example_export(module, &exports, "run"));
  CHECK(wasm_func_param_arity(run) == 1 && wasm_func_result_arity(run) == 1, "arity");

  wasm_val_t args_val[] = {WASM_I32_VAL(20)};
  wasm_val_t results_val[] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(args_val), results = WASM_ARRAY_VEC(results_val);
  trap = wasm_func_call(run, &args, &results);
  CHECK(!trap, "call trapped");
  CHECK(results_val[0].kind == WASM_I32 && results_val[0].of.i32 == 41 && calls == 1,
        "run(20) = %d after %d host calls (want 41, 1)", results_val[0].of.i32, calls);
  printf("hello: run(20) = %d: ok\n", results_val[0].of.i32);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(hello);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
