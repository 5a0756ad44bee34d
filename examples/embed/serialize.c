/* serialize.c: a module serialized, deserialized in another store and run;
** its imports and exports described; damaged serialized bytes refused. */
#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"log\" (func (param i32)))\n"
    "  (import \"env\" \"mem\" (memory 1 2))\n"
    "  (func (export \"fact\") (param i64) (result i64)\n"
    "    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))\n"
    "      (else (i64.mul (local.get 0) (call 1 (i64.sub (local.get 0) (i64.const 1)))))))\n"
    "  (global (export \"answer\") i32 (i32.const 42)))\n";

static const char *kind_name(wasm_externkind_t k) {
  return k == WASM_EXTERN_FUNC ? "func" : k == WASM_EXTERN_GLOBAL ? "global"
                                    : k == WASM_EXTERN_TABLE   ? "table" : "memory";
}

static wasm_trap_t *log_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
  return NULL;
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  example_wat(kWat, &binary);
  CHECK(wasm_module_validate(store, &binary), "validate");
  wasm_module_t *module = wasm_module_new(store, &binary);
  CHECK(module, "module");

  wasm_byte_vec_t ser;
  wasm_module_serialize(module, &ser);
  printf("serialize: %zu bytes\n", ser.size);
  wasm_module_delete(module);
  wasm_store_delete(store);

  /* another store: deserialize and describe */
  wasm_store_t *store2 = wasm_store_new(engine);
  wasm_module_t *m2 = wasm_module_deserialize(store2, &ser);
  CHECK(m2, "deserialize");
  wasm_importtype_vec_t imps;
  wasm_module_imports(m2, &imps);
  CHECK(imps.size == 2, "imports");
  for (size_t i = 0; i < imps.size; i++) {
    const wasm_name_t *mod = wasm_importtype_module(imps.data[i]);
    const wasm_name_t *name = wasm_importtype_name(imps.data[i]);
    const wasm_externtype_t *t = wasm_importtype_type(imps.data[i]);
    printf("serialize: import %.*s.%.*s: %s\n", (int)mod->size, mod->data, (int)name->size,
           name->data, kind_name(wasm_externtype_kind(t)));
  }
  const wasm_memorytype_t *mt = wasm_externtype_as_memorytype_const(wasm_importtype_type(imps.data[1]));
  CHECK(mt && wasm_memorytype_limits(mt)->min == 1 && wasm_memorytype_limits(mt)->max == 2,
        "memory import type");
  const wasm_functype_t *lt = wasm_externtype_as_functype_const(wasm_importtype_type(imps.data[0]));
  CHECK(lt && wasm_functype_params(lt)->size == 1 && wasm_functype_results(lt)->size == 0,
        "log's type");
  wasm_importtype_vec_delete(&imps);
  wasm_exporttype_vec_t exps;
  wasm_module_exports(m2, &exps);
  CHECK(exps.size == 2, "exports");
  for (size_t i = 0; i < exps.size; i++) {
    const wasm_name_t *name = wasm_exporttype_name(exps.data[i]);
    printf("serialize: export %.*s: %s\n", (int)name->size, name->data,
           kind_name(wasm_externtype_kind(wasm_exporttype_type(exps.data[i]))));
  }
  wasm_exporttype_vec_delete(&exps);

  /* damaged: every truncation and every flipped byte are refused */
  size_t refused = 0;
  for (size_t n = 0; n < ser.size; n++) {
    wasm_byte_vec_t cut = {n, ser.data};
    wasm_module_t *m = wasm_module_deserialize(store2, &cut);
    if (!m) refused++;
    wasm_module_delete(m);
  }
  CHECK(refused == ser.size, "%zu of %zu truncations refused", refused, ser.size);
  for (size_t i = 0; i < ser.size; i++) {
    ser.data[i] ^= 0x20;
    wasm_module_t *m = wasm_module_deserialize(store2, &ser);
    CHECK(!m, "a flipped bit at byte %zu accepted", i);
    ser.data[i] ^= 0x20;
  }
  wasm_byte_vec_t raw = {binary.size, binary.data};
  CHECK(!wasm_module_deserialize(store2, &raw), "a bare binary is not a serialized module");
  wasm_byte_vec_t garbage;
  wasm_byte_vec_new_uninitialized(&garbage, 64);
  for (size_t i = 0; i < garbage.size; i++) garbage.data[i] = (char)(i * 37 + 11);
  CHECK(!wasm_module_deserialize(store2, &garbage), "garbage refused");
  memcpy(garbage.data, "\0asm\1\0\0\0", 8);
  CHECK(!wasm_module_deserialize(store2, &garbage), "garbage after a header refused");
  wasm_byte_vec_delete(&garbage);
  printf("serialize: %zu truncations, %zu flipped bytes and garbage refused\n", refused, ser.size);

  /* run the deserialized module (fact calls itself: index 1, after the import) */
  wasm_functype_t *ft = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t *log = wasm_func_new(store2, ft, log_cb);
  wasm_functype_delete(ft);
  wasm_limits_t lim = {1, 2};
  wasm_memorytype_t *memt = wasm_memorytype_new(&lim);
  wasm_memory_t *mem = wasm_memory_new(store2, memt);
  wasm_memorytype_delete(memt);
  CHECK(log && mem, "imports");
  wasm_extern_t *externs[] = {wasm_func_as_extern(log), wasm_memory_as_extern(mem)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *inst = wasm_instance_new(store2, m2, &imports, NULL);
  CHECK(inst, "instantiate the deserialized module");
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  wasm_val_t a[1] = {WASM_I64_VAL(20)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  CHECK(!wasm_func_call(wasm_extern_as_func(example_export(m2, &exports, "fact")), &args, &results),
        "fact");
  CHECK(r[0].of.i64 == 2432902008176640000ll, "fact(20) = %lld", (long long)r[0].of.i64);
  printf("serialize: fact(20) = %lld\n", (long long)r[0].of.i64);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_func_delete(log);
  wasm_byte_vec_delete(&binary);
  wasm_byte_vec_delete(&ser);
  wasm_memory_delete(mem);
  wasm_module_delete(m2);
  wasm_store_delete(store2);
  wasm_engine_delete(engine);
  printf("serialize: ok\n");
  return 0;
}
