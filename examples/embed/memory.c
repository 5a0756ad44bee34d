/* memory.c: a memory made by the host, imported by a module that exports
** it again: its type, size and bytes, writes seen by Wasm and Wasm's stores
** seen by the host, growth up to the maximum and refused beyond it, an
** out-of-bounds access as a trap. */
#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (import \"host\" \"mem\" (memory 2 3))\n"
    "  (export \"memory\" (memory 0))\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load8_s (local.get 0)))\n"
    "  (func (export \"store\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
    "  (data (i32.const 0x1000) \"\\01\\02\\03\\04\"))\n";

static wasm_trap_t *call2(const wasm_func_t *f, int32_t a, int32_t b, int nargs, int32_t *res) {
  wasm_val_t av[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t rv[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {(size_t)nargs, av};
  wasm_val_vec_t results = {res ? 1 : 0, rv};
  wasm_trap_t *trap = wasm_func_call(f, &args, &results);
  if (!trap && res) *res = rv[0].of.i32;
  return trap;
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);

  wasm_limits_t lim = {2, 3};
  wasm_memorytype_t *mt = wasm_memorytype_new(&lim);
  wasm_memory_t *host_mem = wasm_memory_new(store, mt);
  wasm_memorytype_delete(mt);
  CHECK(host_mem && wasm_memory_size(host_mem) == 2, "host memory");

  wasm_extern_t *externs[] = {wasm_memory_as_extern(host_mem)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance, "instantiation failed");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_memory_t *mem = wasm_extern_as_memory(example_export(module, &exports, "memory"));
  const wasm_func_t *size = wasm_extern_as_func(example_export(module, &exports, "size"));
  const wasm_func_t *load = wasm_extern_as_func(example_export(module, &exports, "load"));
  const wasm_func_t *store_fn = wasm_extern_as_func(example_export(module, &exports, "store"));

  CHECK(wasm_memory_same(mem, host_mem), "the export is the host's memory");
  wasm_memorytype_t *type = wasm_memory_type(mem);
  const wasm_limits_t *l = wasm_memorytype_limits(type);
  CHECK(l->min == 2 && l->max == 3, "type: min %u max %u (want 2 3)", l->min, l->max);
  wasm_memorytype_delete(type);
  CHECK(wasm_memory_size(mem) == 2 && wasm_memory_data_size(mem) == 2 * MEMORY_PAGE_SIZE,
        "size");
  CHECK(wasm_memory_data(mem)[0x1002] == 3, "data segment");

  int32_t r;
  CHECK(!call2(size, 0, 0, 0, &r) && r == 2, "memory.size");
  wasm_memory_data(mem)[0x2000] = 42;
  CHECK(!call2(load, 0x2000, 0, 1, &r) && r == 42, "load sees the host's byte");
  CHECK(!call2(store_fn, 0x2001, -5, 2, NULL) && wasm_memory_data(mem)[0x2001] == -5,
        "the host sees Wasm's store");

  CHECK(wasm_memory_grow(mem, 1) && wasm_memory_size(mem) == 3, "grow to the maximum");
  CHECK(!wasm_memory_grow(mem, 1) && wasm_memory_size(mem) == 3, "grow beyond the maximum");
  CHECK(!call2(size, 0, 0, 0, &r) && r == 3, "memory.size after grow");

  char buf[256];
  wasm_trap_t *trap = call2(load, 3 * 0x10000, 0, 1, &r);
  CHECK(trap, "out-of-bounds load did not trap");
  printf("memory: load past the end: %s\n", example_trap_message(trap, buf, sizeof buf));
  CHECK(strcmp(buf, "out of bounds memory access") == 0, "trap message %s", buf);
  wasm_trap_delete(trap);
  printf("memory: ok\n");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_memory_delete(host_mem);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
