/* tables.c: tables of functions and of host references: entries read and
** called from the host, a host function put in a table and called by
** call_indirect, growth, out-of-range accesses refused, foreign objects with
** host info carried through an externref table. */
#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (table $t (export \"t\") 2 4 funcref)\n"
    "  (table $x (export \"x\") 1 externref)\n"
    "  (type $r (func (result i32)))\n"
    "  (func $f1 (result i32) (i32.const 1))\n"
    "  (elem (i32.const 0) $f1)\n"
    "  (func (export \"call\") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))\n"
    "  (func (export \"keep\") (param externref) (table.set $x (i32.const 0) (local.get 0)))\n"
    "  (func (export \"kept\") (result externref) (table.get $x (i32.const 0))))\n";

static wasm_trap_t *seven(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = 7;
  return NULL;
}

static int finalized;
static void finalize(void *p) { finalized += *(int *)p; }

static wasm_trap_t *call_i32(const wasm_func_t *f, int32_t arg, int32_t *out) {
  wasm_val_t a[1] = {WASM_I32_VAL(arg)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  wasm_trap_t *trap = wasm_func_call(f, &args, &results);
  if (!trap) *out = r[0].of.i32;
  return trap;
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance, "instantiation failed");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_table_t *t = wasm_extern_as_table(example_export(module, &exports, "t"));
  wasm_table_t *x = wasm_extern_as_table(example_export(module, &exports, "x"));
  const wasm_func_t *call = wasm_extern_as_func(example_export(module, &exports, "call"));
  const wasm_func_t *keep = wasm_extern_as_func(example_export(module, &exports, "keep"));
  const wasm_func_t *kept = wasm_extern_as_func(example_export(module, &exports, "kept"));

  wasm_tabletype_t *tt = wasm_table_type(t);
  CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF &&
            wasm_tabletype_limits(tt)->min == 2 && wasm_tabletype_limits(tt)->max == 4,
        "table type");
  wasm_tabletype_delete(tt);
  CHECK(wasm_table_size(t) == 2, "size");

  /* entry 0 is $f1: take it out and call it from the host */
  wasm_ref_t *r0 = wasm_table_get(t, 0);
  CHECK(r0 && wasm_ref_as_func(r0), "entry 0");
  int32_t v;
  CHECK(!call_i32(call, 0, &v) && v == 1, "call_indirect 0");
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t results = WASM_ARRAY_VEC(res);
  CHECK(!wasm_func_call(wasm_ref_as_func(r0), &none, &results) && res[0].of.i32 == 1, "entry 0 from C");
  wasm_ref_delete(r0);
  CHECK(wasm_table_get(t, 1) == NULL, "entry 1 is null");

  /* a host function in entry 1, called by Wasm */
  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *h = wasm_func_new(store, ft, seven);
  wasm_functype_delete(ft);
  CHECK(wasm_table_set(t, 1, wasm_func_as_ref(h)), "set entry 1");
  CHECK(!call_i32(call, 1, &v) && v == 7, "call_indirect 1 = %d", v);
  wasm_ref_t *r1 = wasm_table_get(t, 1);
  CHECK(wasm_func_same(wasm_ref_as_func(r1), h), "entry 1 is the host function");
  wasm_ref_delete(r1);

  /* growth, and accesses out of range */
  CHECK(wasm_table_grow(t, 2, wasm_func_as_ref(h)) && wasm_table_size(t) == 4, "grow to 4");
  CHECK(!wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 4, "grow beyond the maximum");
  CHECK(!call_i32(call, 3, &v) && v == 7, "the grown entries hold the init value");
  CHECK(wasm_table_get(t, 4) == NULL && wasm_table_get(t, 0xffffffffu) == NULL, "get out of range");
  CHECK(!wasm_table_set(t, 4, NULL), "set out of range");
  wasm_foreign_t *fo = wasm_foreign_new(store);
  CHECK(!wasm_table_set(t, 0, wasm_foreign_as_ref(fo)), "a foreign object in a funcref table");
  wasm_trap_t *trap = call_i32(call, 9, &v);
  char buf[128];
  CHECK(trap, "call_indirect out of range did not trap");
  printf("tables: call_indirect 9: %s\n", example_trap_message(trap, buf, sizeof buf));
  wasm_trap_delete(trap);

  /* host references through Wasm: the same object comes back */
  static int info = 5;
  wasm_foreign_set_host_info_with_finalizer(fo, &info, finalize);
  wasm_val_t a[1] = {WASM_REF_VAL(wasm_foreign_as_ref(fo))};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a);
  wasm_val_vec_t no_results = WASM_EMPTY_VEC;
  CHECK(!wasm_func_call(keep, &args, &no_results), "keep");
  wasm_foreign_delete(fo); /* Wasm still holds it */
  CHECK(!wasm_func_call(kept, &none, &results) && res[0].kind == WASM_EXTERNREF, "kept");
  wasm_foreign_t *back = wasm_ref_as_foreign(res[0].of.ref);
  CHECK(back && wasm_foreign_get_host_info(back) == &info, "the foreign object came back");
  wasm_ref_t *xr = wasm_table_get(x, 0);
  CHECK(wasm_ref_same(xr, res[0].of.ref), "table.get from the host gives the same object");
  wasm_ref_delete(xr);
  wasm_val_delete(&res[0]);
  printf("tables: ok\n");

  wasm_func_delete(h);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK(finalized == 5, "the finalizer ran %d (want once, with 5)", finalized);
  wasm_engine_delete(engine);
  return 0;
}
