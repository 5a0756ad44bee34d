/* capi_test.c: the standard C API (wasm.h, wasi.h) and its conversions to
** cairn.h (cairn/wasm_interop.h) under misuse and in every corner the
** examples leave: vectors and types of every kind, references of every
** kind (copy, same, host info, casts), NULL where the standard allows it,
** wrong arity and types in calls, values of another store, results of the
** wrong kind from a host function, v128, stack exhaustion, fuel, objects
** deleted in every order. Linked with libcairn.so; exits 0 with "capi: ok". */
#include <cairn/wasm_interop.h>
#include <wasi.h>

#include "../../examples/embed/example.h"

static int finalized;
static void fin(void *p) { finalized += (int)(intptr_t)p; }
/* the finalizer of f's environment (the store pointer): counts 3 */
static void env_fin(void *p) {
  (void)p;
  finalized += 3;
}

/* ---- vectors and types ---- */

/* new, new_empty, new_uninitialized, copy and delete of a vector of owned
** pointers, with element (own) made by MAKE. */
#define VEC_ROUND(name, MAKE)                                                 \
  do {                                                                        \
    wasm_##name##_vec_t v, c, e, u;                                           \
    wasm_##name##_t *elems[2] = {MAKE, MAKE};                                 \
    wasm_##name##_vec_new(&v, 2, elems);                                      \
    wasm_##name##_vec_copy(&c, &v);                                           \
    CHECK(c.size == 2 && c.data[0] && c.data[1], #name " vec copy");          \
    wasm_##name##_vec_new_empty(&e);                                          \
    CHECK(e.size == 0, #name " vec empty");                                   \
    wasm_##name##_vec_new_uninitialized(&u, 3);                               \
    CHECK(u.size == 3, #name " vec uninitialized");                           \
    for (size_t i_ = 0; i_ < u.size; i_++) u.data[i_] = NULL;                 \
    wasm_##name##_vec_delete(&u);                                             \
    wasm_##name##_vec_delete(&e);                                             \
    wasm_##name##_vec_delete(&c);                                             \
    wasm_##name##_vec_delete(&v);                                             \
    wasm_##name##_delete(NULL);                                               \
  } while (0)

static wasm_externtype_t *an_externtype(void) {
  return wasm_functype_as_externtype(wasm_functype_new_0_0());
}

static wasm_importtype_t *an_importtype(void) {
  wasm_name_t m, n;
  wasm_name_new_from_string(&m, "env");
  wasm_name_new_from_string(&n, "f");
  return wasm_importtype_new(&m, &n, an_externtype());
}

static wasm_exporttype_t *an_exporttype(void) {
  wasm_name_t n;
  wasm_name_new_from_string(&n, "f");
  return wasm_exporttype_new(&n, an_externtype());
}

static void test_types(void) {
  wasm_limits_t lim = {1, wasm_limits_max_default};
  VEC_ROUND(valtype, wasm_valtype_new_f64());
  VEC_ROUND(functype, wasm_functype_new_3_2(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                            wasm_valtype_new_f32(), wasm_valtype_new_f64(),
                                            wasm_valtype_new_externref()));
  VEC_ROUND(globaltype, wasm_globaltype_new(wasm_valtype_new_funcref(), WASM_CONST));
  VEC_ROUND(tabletype, wasm_tabletype_new(wasm_valtype_new_funcref(), &lim));
  VEC_ROUND(memorytype, wasm_memorytype_new(&lim));
  VEC_ROUND(externtype, an_externtype());
  VEC_ROUND(importtype, an_importtype());
  VEC_ROUND(exporttype, an_exporttype());
  wasm_valtype_vec_t ps, rs;
  wasm_valtype_t *p1[1] = {wasm_valtype_new_i32()};
  wasm_valtype_vec_new(&ps, 1, p1);
  wasm_valtype_vec_new_empty(&rs);
  wasm_functype_t *direct = wasm_functype_new(&ps, &rs);
  CHECK(wasm_functype_params(direct)->size == 1 && ps.size == 0, "functype_new takes the vectors");
  wasm_functype_delete(direct);

  /* value kinds */
  CHECK(wasm_valtype_new(200) == NULL, "an unknown value kind");
  wasm_valtype_t *vt = wasm_valtype_new(WASM_I64);
  wasm_valtype_t *vc = wasm_valtype_copy(vt);
  CHECK(wasm_valtype_kind(vc) == WASM_I64 && wasm_valtype_is_num(vc) && !wasm_valtype_is_ref(vc),
        "valtype");
  CHECK(wasm_valkind_is_ref(WASM_FUNCREF) && !wasm_valkind_is_num(WASM_EXTERNREF), "valkinds");
  wasm_valtype_delete(vt);
  wasm_valtype_delete(vc);

  /* every shorthand, and copies */
  wasm_functype_t *fts[] = {
      wasm_functype_new_0_0(),
      wasm_functype_new_1_0(wasm_valtype_new_i32()),
      wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_3_0(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_0_1(wasm_valtype_new_i32()),
      wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_3_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                            wasm_valtype_new_i32()),
      wasm_functype_new_0_2(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_1_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                            wasm_valtype_new_i32()),
  };
  static const size_t np[] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2}, nr[] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
  for (size_t i = 0; i < sizeof fts / sizeof *fts; i++) {
    wasm_functype_t *c = wasm_functype_copy(fts[i]);
    CHECK(wasm_functype_params(c)->size == np[i] && wasm_functype_results(c)->size == nr[i],
          "functype %zu", i);
    wasm_functype_delete(c);
    wasm_functype_delete(fts[i]);
  }

  /* extern type casts: each kind one way and back, others NULL */
  wasm_limits_t l2 = {2, 5};
  wasm_functype_t *ft = wasm_functype_new_0_0();
  wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
  wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_externref(), &l2);
  wasm_memorytype_t *mt = wasm_memorytype_new(&l2);
  wasm_externtype_t *ets[] = {wasm_functype_as_externtype(ft), wasm_globaltype_as_externtype(gt),
                              wasm_tabletype_as_externtype(tt), wasm_memorytype_as_externtype(mt)};
  const wasm_externtype_t *cets[] = {
      wasm_functype_as_externtype_const(ft), wasm_globaltype_as_externtype_const(gt),
      wasm_tabletype_as_externtype_const(tt), wasm_memorytype_as_externtype_const(mt)};
  for (int k = 0; k < 4; k++) {
    CHECK(wasm_externtype_kind(ets[k]) == k && ets[k] == cets[k], "externtype kind %d", k);
    CHECK((wasm_externtype_as_functype(ets[k]) != NULL) == (k == WASM_EXTERN_FUNC) &&
              (wasm_externtype_as_globaltype(ets[k]) != NULL) == (k == WASM_EXTERN_GLOBAL) &&
              (wasm_externtype_as_tabletype(ets[k]) != NULL) == (k == WASM_EXTERN_TABLE) &&
              (wasm_externtype_as_memorytype(ets[k]) != NULL) == (k == WASM_EXTERN_MEMORY) &&
              (wasm_externtype_as_functype_const(cets[k]) != NULL) == (k == WASM_EXTERN_FUNC) &&
              (wasm_externtype_as_globaltype_const(cets[k]) != NULL) == (k == WASM_EXTERN_GLOBAL) &&
              (wasm_externtype_as_tabletype_const(cets[k]) != NULL) == (k == WASM_EXTERN_TABLE) &&
              (wasm_externtype_as_memorytype_const(cets[k]) != NULL) == (k == WASM_EXTERN_MEMORY),
          "externtype casts %d", k);
    wasm_externtype_t *c = wasm_externtype_copy(ets[k]);
    CHECK(wasm_externtype_kind(c) == k, "externtype copy");
    wasm_externtype_delete(c);
  }
  wasm_tabletype_t *tc = wasm_tabletype_copy(tt);
  CHECK(wasm_tabletype_limits(tc)->max == 5 &&
            wasm_valtype_kind(wasm_tabletype_element(tc)) == WASM_EXTERNREF, "tabletype copy");
  wasm_tabletype_delete(tc);
  wasm_globaltype_t *gc = wasm_globaltype_copy(gt);
  wasm_memorytype_t *mc = wasm_memorytype_copy(mt);
  CHECK(wasm_globaltype_mutability(gc) == WASM_VAR && wasm_memorytype_limits(mc)->min == 2, "copies");
  wasm_globaltype_delete(gc);
  wasm_memorytype_delete(mc);
  for (int k = 0; k < 4; k++) wasm_externtype_delete(ets[k]);

  wasm_importtype_t *it = an_importtype();
  wasm_importtype_t *ic = wasm_importtype_copy(it);
  CHECK(wasm_importtype_module(ic)->size == 3 && wasm_importtype_name(ic)->size == 1 &&
            wasm_externtype_kind(wasm_importtype_type(ic)) == WASM_EXTERN_FUNC, "importtype copy");
  wasm_importtype_delete(ic);
  wasm_importtype_delete(it);
  wasm_exporttype_t *xt = an_exporttype();
  wasm_exporttype_t *xc = wasm_exporttype_copy(xt);
  CHECK(wasm_exporttype_name(xc)->size == 1 && wasm_exporttype_type(xc), "exporttype copy");
  wasm_exporttype_delete(xc);
  wasm_exporttype_delete(xt);

  /* byte vectors and names */
  wasm_byte_vec_t b, bc, be;
  wasm_byte_vec_new(&b, 3, "abc");
  wasm_byte_vec_copy(&bc, &b);
  wasm_byte_vec_new_empty(&be);
  CHECK(bc.size == 3 && memcmp(bc.data, "abc", 3) == 0 && be.size == 0, "byte vectors");
  wasm_name_t nm;
  wasm_name_new_uninitialized(&nm, 2);
  CHECK(nm.size == 2, "name uninitialized");
  wasm_name_delete(&nm);
  wasm_byte_vec_delete(&b);
  wasm_byte_vec_delete(&bc);
  wasm_byte_vec_delete(&be);
  wasm_byte_vec_delete(NULL);

  /* values */
  wasm_val_t pv;
  wasm_val_init_ptr(&pv, &finalized);
  CHECK(wasm_val_ptr(&pv) == &finalized, "pointer values");
  wasm_val_t vals[2] = {WASM_I32_VAL(1), WASM_F64_VAL(2.5)};
  wasm_val_vec_t vv, vcpy, vempty, vun;
  wasm_val_vec_new(&vv, 2, vals);
  wasm_val_vec_copy(&vcpy, &vv);
  wasm_val_vec_new_empty(&vempty);
  wasm_val_vec_new_uninitialized(&vun, 1);
  vun.data[0].kind = WASM_I32;
  CHECK(vcpy.size == 2 && vcpy.data[1].of.f64 == 2.5, "val vectors");
  wasm_val_t one;
  wasm_val_copy(&one, &vals[0]);
  wasm_val_delete(&one);
  wasm_val_vec_delete(&vv);
  wasm_val_vec_delete(&vcpy);
  wasm_val_vec_delete(&vempty);
  wasm_val_vec_delete(&vun);
}

/* ---- references ---- */

/* copy, same, host info (with and without a finalizer), as_ref and back,
** for reference r of kind `name` (not deleted). */
#define REF_ROUND(name, r)                                                                 \
  do {                                                                                     \
    wasm_##name##_t *c_ = wasm_##name##_copy(r);                                           \
    CHECK(wasm_##name##_same(c_, r), #name " copy is the same");                           \
    wasm_##name##_set_host_info(c_, (void *)1);                                            \
    CHECK(wasm_##name##_get_host_info(r) == (void *)1, #name " host info is shared");      \
    wasm_##name##_set_host_info_with_finalizer(r, (void *)(intptr_t)100, fin);             \
    CHECK(wasm_ref_get_host_info(wasm_##name##_as_ref(r)) == (void *)100, #name " as ref"); \
    CHECK(wasm_ref_as_##name(wasm_##name##_as_ref(r)) == r &&                              \
              wasm_ref_as_##name##_const(wasm_##name##_as_ref_const(r)) == r,             \
          #name " ref casts");                                                             \
    wasm_##name##_delete(c_);                                                              \
    wasm_##name##_delete(NULL);                                                            \
  } while (0)

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"f\" (func $f (param i32) (result i32)))\n"
    "  (global (export \"g\") (mut i32) (i32.const 0))\n"
    "  (table (export \"t\") 1 funcref)\n"
    "  (memory (export \"m\") 1 2)\n"
    "  (func (export \"call_f\") (param i32) (result i32) (call $f (local.get 0)))\n"
    "  (func $rec (export \"rec\") (call $rec))\n"
    "  (func (export \"spin\") (loop $l (br $l)))\n"
    "  (func (export \"v128\") (param v128) (result i32) (i32.const 0))\n"
    "  (func (export \"funcref_id\") (param funcref) (result funcref) (local.get 0))\n"
    "  (func (export \"two\") (param i64 f32) (result i64 f32) (local.get 0) (local.get 1)))\n";

static int mode; /* what f does: 0 doubles, 1 returns an f64, 2 traps */

static wasm_trap_t *f_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  if (mode == 2) {
    wasm_message_t m;
    wasm_name_new_from_string(&m, "no NUL here");
    wasm_trap_t *t = wasm_trap_new(env, &m);
    wasm_name_delete(&m);
    return t;
  }
  if (mode == 1) {
    results->data[0].kind = WASM_F64;
    results->data[0].of.f64 = 1;
    return NULL;
  }
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

static wasm_trap_t *plain_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return NULL;
}

static void expect_trap(wasm_trap_t *trap, const char *want, const char *what) {
  char buf[512];
  CHECK(trap, "%s: no trap", what);
  example_trap_message(trap, buf, sizeof buf);
  CHECK(strstr(buf, want), "%s: trap \"%s\" (want \"%s\")", what, buf, want);
  printf("capi: %s: %s\n", what, buf);
  wasm_trap_delete(trap);
}

static void test_runtime(void) {
  wasm_config_t *config = wasm_config_new();
  cairn_store_config scfg = {.max_call_depth = 500};
  cairn_wasm_config_set_store(config, &scfg);
  wasm_engine_t *engine = wasm_engine_new_with_config(config);
  wasm_store_t *store = wasm_store_new(engine);
  wasm_store_t *other = wasm_store_new(engine);
  CHECK(cairn_wasm_store(store) && cairn_wasm_store(NULL) == NULL, "cairn store");
  wasm_module_t *module = example_module(store, kWat);
  CHECK(cairn_module_export_count(cairn_wasm_module(module)) == 9, "cairn module");

  wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *f = wasm_func_new_with_env(store, ft, f_cb, store, env_fin);
  wasm_func_t *f_other = wasm_func_new(other, ft, plain_cb);
  CHECK(!wasm_func_new(NULL, ft, plain_cb) && !wasm_func_new(store, NULL, plain_cb), "NULL args");
  wasm_functype_delete(ft);
  wasm_functype_t *fty = wasm_func_type(f);
  CHECK(wasm_functype_params(fty)->size == 1, "func type");
  wasm_functype_delete(fty);

  /* instantiation misuse: counts, NULL, another store's function */
  wasm_trap_t *trap = NULL;
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  CHECK(!wasm_instance_new(store, module, &none, &trap), "no imports");
  expect_trap(trap, "1 imports, 0 given", "instance with no imports");
  wasm_extern_t *nul[] = {NULL};
  wasm_extern_vec_t nulv = WASM_ARRAY_VEC(nul);
  CHECK(!wasm_instance_new(store, module, &nulv, &trap), "NULL import");
  expect_trap(trap, "is missing", "instance with a NULL import");
  wasm_extern_t *oth[] = {wasm_func_as_extern(f_other)};
  wasm_extern_vec_t othv = WASM_ARRAY_VEC(oth);
  CHECK(!wasm_instance_new(store, module, &othv, &trap), "import of another store");
  expect_trap(trap, "another store", "instance with another store's function");
  CHECK(!wasm_instance_new(store, module, &othv, NULL), "no trap pointer");
  CHECK(!wasm_instance_new(store, NULL, &othv, &trap), "no module");
  expect_trap(trap, "no module", "instance without a module");

  wasm_extern_t *ims[] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t imv = WASM_ARRAY_VEC(ims);
  wasm_instance_t *inst = wasm_instance_new(store, module, &imv, &trap);
  CHECK(inst && !trap, "instantiate");
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_extern_vec_t exc;
  wasm_extern_vec_copy(&exc, &ex);
  CHECK(exc.size == ex.size && wasm_extern_same(exc.data[0], ex.data[0]), "extern vec copy");
  wasm_extern_vec_delete(&exc);
  wasm_extern_vec_t xe, xu, xn;
  wasm_extern_vec_new_empty(&xe);
  wasm_extern_vec_new_uninitialized(&xu, 1);
  xu.data[0] = wasm_extern_copy(ex.data[0]);
  wasm_extern_t *xa[1] = {wasm_extern_copy(ex.data[1])};
  wasm_extern_vec_new(&xn, 1, xa);
  CHECK(xe.size == 0 && wasm_extern_same(xn.data[0], ex.data[1]), "extern vectors");
  wasm_extern_vec_delete(&xe);
  wasm_extern_vec_delete(&xu);
  wasm_extern_vec_delete(&xn);
  wasm_global_t *g = wasm_extern_as_global(ex.data[0]);
  wasm_table_t *t = wasm_extern_as_table(ex.data[1]);
  wasm_memory_t *m = wasm_extern_as_memory(ex.data[2]);
  const wasm_func_t *call_f = wasm_extern_as_func(ex.data[3]);
  const wasm_func_t *rec = wasm_extern_as_func(ex.data[4]);
  const wasm_func_t *spin = wasm_extern_as_func(ex.data[5]);
  const wasm_func_t *v128 = wasm_extern_as_func(ex.data[6]);
  const wasm_func_t *funcref_id = wasm_extern_as_func(ex.data[7]);
  const wasm_func_t *two = wasm_extern_as_func(ex.data[8]);
  static const wasm_externkind_t kinds[] = {WASM_EXTERN_GLOBAL, WASM_EXTERN_TABLE,
                                            WASM_EXTERN_MEMORY, WASM_EXTERN_FUNC};
  for (int i = 0; i < 4; i++) {
    CHECK(wasm_extern_kind(ex.data[i]) == kinds[i], "extern kind %d", i);
    wasm_externtype_t *et = wasm_extern_type(ex.data[i]);
    CHECK(wasm_externtype_kind(et) == kinds[i], "extern type %d", i);
    wasm_externtype_delete(et);
  }
  CHECK(wasm_extern_as_func_const(wasm_func_as_extern_const(call_f)) == call_f &&
            wasm_extern_as_global_const(wasm_global_as_extern_const(g)) == g &&
            wasm_extern_as_table_const(wasm_table_as_extern_const(t)) == t &&
            wasm_extern_as_memory_const(wasm_memory_as_extern_const(m)) == m &&
            wasm_extern_as_table(wasm_table_as_extern(t)) == t &&
            !wasm_extern_as_memory(wasm_global_as_extern(g)) &&
            !wasm_extern_as_global_const(wasm_table_as_extern_const(t)),
        "extern casts");
  CHECK(wasm_ref_as_extern(wasm_global_as_ref(g)) &&
            wasm_ref_as_extern_const(wasm_memory_as_ref_const(m)) &&
            !wasm_ref_as_extern(wasm_instance_as_ref(inst)) &&
            !wasm_ref_as_global(wasm_table_as_ref(t)) && !wasm_ref_as_memory(wasm_global_as_ref(g)) &&
            !wasm_ref_as_table_const(wasm_global_as_ref_const(g)) &&
            !wasm_ref_as_global_const(wasm_table_as_ref_const(t)) &&
            !wasm_ref_as_memory_const(wasm_table_as_ref_const(t)) &&
            !wasm_ref_as_func_const(wasm_table_as_ref_const(t)) &&
            !wasm_ref_as_instance_const(wasm_table_as_ref_const(t)) &&
            !wasm_ref_as_module(wasm_table_as_ref(t)) &&
            !wasm_ref_as_module_const(wasm_table_as_ref_const(t)) &&
            !wasm_ref_as_trap(wasm_table_as_ref(t)) &&
            !wasm_ref_as_trap_const(wasm_table_as_ref_const(t)) &&
            !wasm_ref_as_foreign_const(wasm_table_as_ref_const(t)) &&
            wasm_ref_as_instance(wasm_instance_as_ref(inst)) == inst &&
            wasm_extern_as_ref_const(ex.data[0]) == wasm_extern_as_ref(ex.data[0]),
        "ref casts");

  /* references of every kind */
  REF_ROUND(global, g);
  REF_ROUND(table, t);
  REF_ROUND(memory, m);
  REF_ROUND(func, f);
  REF_ROUND(instance, inst);
  REF_ROUND(module, module);
  REF_ROUND(extern, ex.data[0]); /* the global again: its finalizer ran on replacement */
  CHECK(finalized == 100, "replacing host info finalizes the old (%d)", finalized);
  finalized = 0;
  wasm_foreign_t *fo = wasm_foreign_new(store);
  REF_ROUND(foreign, fo);
  wasm_foreign_set_host_info(fo, NULL); /* runs the finalizer of the info it replaces */
  CHECK(finalized == 100, "replacing host info finalizes the old (%d)", finalized);
  wasm_ref_t *fr = wasm_ref_copy(wasm_foreign_as_ref(fo));
  wasm_ref_set_host_info(fr, (void *)3);
  wasm_ref_set_host_info_with_finalizer(fr, (void *)(intptr_t)1000, fin);
  CHECK(wasm_ref_same(fr, wasm_foreign_as_ref(fo)) && wasm_foreign_same(fo, wasm_ref_as_foreign(fr)),
        "foreign same");
  wasm_foreign_t *fc = wasm_foreign_copy(fo);
  wasm_foreign_delete(fc);
  wasm_foreign_delete(fo);
  CHECK(finalized == 100, "the foreign object went too early");
  wasm_ref_delete(fr); /* last reference: finalizer now */
  CHECK(finalized == 1100, "the foreign object's finalizer (%d)", finalized);
  finalized = 0;
  wasm_ref_delete(NULL);

  /* calls: arity, kinds, results, host traps, wrong results from a host */
  wasm_val_t a1[1] = {WASM_I32_VAL(21)}, r1[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a1), res = WASM_ARRAY_VEC(r1), nov = WASM_EMPTY_VEC;
  CHECK(!wasm_func_call(call_f, &args, &res) && r1[0].of.i32 == 42, "call_f");
  expect_trap(wasm_func_call(call_f, &nov, &res), "0 arguments given, the function takes 1",
              "too few arguments");
  expect_trap(wasm_func_call(call_f, NULL, &res), "0 arguments given", "NULL arguments");
  expect_trap(wasm_func_call(call_f, &args, &nov), "room for 0 results", "no room for results");
  expect_trap(wasm_func_call(NULL, &args, &res), "no function", "no function");
  wasm_val_t bad[1] = {WASM_I64_VAL(1)};
  wasm_val_vec_t badv = WASM_ARRAY_VEC(bad);
  expect_trap(wasm_func_call(call_f, &badv, &res), "wrong type (i64, the parameter is i32)",
              "an argument of the wrong kind");
  mode = 1;
  expect_trap(wasm_func_call(call_f, &args, &res), "host function returned a value of the wrong type",
              "a host result of the wrong kind");
  mode = 2;
  expect_trap(wasm_func_call(call_f, &args, &res), "no NUL here", "a host trap");
  mode = 0;
  wasm_val_t vv[1] = {WASM_I32_VAL(0)};
  wasm_val_vec_t vvv = WASM_ARRAY_VEC(vv);
  expect_trap(wasm_func_call(v128, &vvv, &res), "v128", "a v128 parameter");
  expect_trap(wasm_func_call(rec, &nov, &nov), "call stack exhausted", "deep recursion");
  wasm_val_t a2[2] = {WASM_I64_VAL(-5), WASM_F32_VAL(0.5f)}, r2[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t a2v = WASM_ARRAY_VEC(a2), r2v = WASM_ARRAY_VEC(r2);
  CHECK(!wasm_func_call(two, &a2v, &r2v) && r2[0].of.i64 == -5 && r2[1].of.f32 == 0.5f, "two results");
  /* funcrefs: through Wasm and back, another store's refused */
  wasm_val_t fa[1] = {{.kind = WASM_FUNCREF, .of.ref = wasm_func_as_ref(f)}}, fres[1] = {WASM_INIT_VAL};
  wasm_val_vec_t fav = WASM_ARRAY_VEC(fa), fresv = WASM_ARRAY_VEC(fres);
  CHECK(!wasm_func_call(funcref_id, &fav, &fresv) && fres[0].kind == WASM_FUNCREF &&
            wasm_ref_same(fres[0].of.ref, wasm_func_as_ref(f)), "funcref round trip");
  wasm_val_delete(&fres[0]);
  fa[0].of.ref = wasm_func_as_ref(f_other);
  expect_trap(wasm_func_call(funcref_id, &fav, &fresv), "another store", "a funcref of another store");
  wasm_foreign_t *fo2 = wasm_foreign_new(store);
  fa[0].of.ref = wasm_foreign_as_ref(fo2);
  expect_trap(wasm_func_call(funcref_id, &fav, &fresv), "not a function", "a foreign as funcref");
  wasm_foreign_delete(fo2);
  fa[0].of.ref = NULL;
  CHECK(!wasm_func_call(funcref_id, &fav, &fresv) && fres[0].of.ref == NULL, "null funcref");

  /* tables, memories, globals at their edges */
  CHECK(!wasm_table_set(t, 1, NULL) && !wasm_table_get(t, 1) && wasm_table_set(t, 0, NULL), "table range");
  CHECK(!wasm_table_grow(NULL, 1, NULL) && !wasm_table_set(NULL, 0, NULL), "NULL table");
  CHECK(wasm_memory_grow(m, 1) && !wasm_memory_grow(m, 1) && !wasm_memory_grow(m, 0xffffffffu) &&
            wasm_memory_size(m) == 2, "memory grow");
  wasm_limits_t badlim = {3, 2};
  wasm_memorytype_t *bmt = wasm_memorytype_new(&badlim);
  CHECK(!wasm_memory_new(store, bmt) && !wasm_memory_new(store, NULL), "memory min > max");
  wasm_memorytype_delete(bmt);
  wasm_tabletype_t *btt = wasm_tabletype_new(wasm_valtype_new_i32(), &badlim);
  CHECK(!wasm_table_new(store, btt, NULL), "a table of i32");
  wasm_tabletype_delete(btt);
  wasm_limits_t tl = {2, 3};
  wasm_tabletype_t *ett = wasm_tabletype_new(wasm_valtype_new_externref(), &tl);
  wasm_table_t *et = wasm_table_new(store, ett, NULL);
  wasm_tabletype_delete(ett);
  CHECK(et && wasm_table_size(et) == 2 && !wasm_table_get(et, 0), "an externref table");
  /* an externref put there through cairn.h comes out as a foreign object, and goes back */
  static int raw;
  cairn_extern tx;
  CHECK(cairn_wasm_extern(wasm_table_as_extern(et), &tx) && tx.kind == CAIRN_EXTERN_TABLE, "cairn table");
  CHECK(cairn_table_set(tx.of.table, 0, (cairn_val){.type = CAIRN_EXTERNREF, .of.ext = &raw}), "raw set");
  wasm_ref_t *rr = wasm_table_get(et, 0), *rr2 = wasm_table_get(et, 0);
  CHECK(rr && wasm_ref_as_foreign(rr) && wasm_ref_same(rr, rr2), "a raw externref is one foreign object");
  CHECK(wasm_table_set(et, 1, rr), "set it back");
  cairn_val cv;
  CHECK(cairn_table_get(tx.of.table, 1, &cv) && cv.of.ext == &raw, "cairn.h sees its pointer again");
  wasm_ref_delete(rr);
  wasm_ref_delete(rr2);
  wasm_table_delete(et);
  CHECK(!wasm_global_new(store, NULL, NULL), "a global without a type");
  wasm_global_set(g, NULL);

  /* fuel and the conversions to cairn.h */
  cairn_store_config fcfg = {.fuel = 1000};
  wasm_store_t *fs = cairn_wasm_store_new(engine, &fcfg);
  wasm_module_t *fm = example_module(fs, "(module (func (export \"spin\") (loop $l (br $l))))");
  wasm_instance_t *fi = wasm_instance_new(fs, fm, &none, NULL);
  wasm_extern_vec_t fex;
  wasm_instance_exports(fi, &fex);
  trap = wasm_func_call(wasm_extern_as_func(fex.data[0]), &nov, &nov);
  cairn_error err;
  cairn_wasm_trap_error(trap, &err);
  CHECK(err.trap == CAIRN_TRAP_FUEL, "fuel trap kind %d", (int)err.trap);
  CHECK(!wasi_trap_exit_status(trap, NULL) && !wasi_trap_exit_status(NULL, NULL), "not an exit");
  expect_trap(trap, "fuel", "fuel");
  cairn_instance *ci = cairn_wasm_instance(fi);
  cairn_extern ce;
  CHECK(cairn_instance_export(ci, "spin", 4, &ce) && cairn_wasm_extern(fex.data[0], &ce) &&
            !cairn_wasm_extern(NULL, &ce), "cairn instance and extern");
  wasm_extern_t *back = cairn_wasm_extern_new(fs, &ce);
  CHECK(wasm_extern_same(back, fex.data[0]), "the same extern from cairn.h");
  wasm_extern_delete(back);
  wasm_instance_t *ib = cairn_wasm_instance_new(fs, ci);
  CHECK(wasm_instance_same(ib, fi), "the same instance from cairn.h");
  wasm_instance_delete(ib);
  (void)spin;

  /* deletion in any order: the store first, its objects after */
  wasm_store_delete(fs);
  wasm_extern_vec_delete(&fex);
  wasm_module_delete(fm);
  wasm_instance_delete(fi);

  /* a trap with no store, frames outliving their trap and store */
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "standalone");
  wasm_trap_t *st = wasm_trap_new(NULL, &msg);
  wasm_name_delete(&msg);
  wasm_trap_t *stc = wasm_trap_copy(st);
  CHECK(wasm_trap_same(st, stc) && !wasm_trap_origin(st), "trap copy");
  wasm_trap_set_host_info(stc, (void *)7);
  wasm_trap_set_host_info_with_finalizer(stc, (void *)(intptr_t)10, fin);
  CHECK(wasm_trap_get_host_info(st) == (void *)10 && wasm_ref_as_trap(wasm_trap_as_ref(st)) == st &&
            wasm_trap_as_ref_const(st), "trap host info");
  wasm_frame_vec_t tr;
  wasm_trap_trace(st, &tr);
  CHECK(tr.size == 0, "no frames");
  wasm_frame_vec_delete(&tr);
  wasm_trap_delete(st);
  wasm_trap_delete(stc);
  CHECK(finalized == 10, "trap finalizer (%d)", finalized);

  trap = wasm_func_call(rec, &nov, &nov);
  wasm_frame_vec_t frames, fcopy, fempty, funinit;
  wasm_trap_trace(trap, &frames);
  wasm_frame_vec_copy(&fcopy, &frames);
  wasm_frame_vec_new_empty(&fempty);
  wasm_frame_vec_new_uninitialized(&funinit, 1);
  funinit.data[0] = wasm_trap_origin(trap);
  wasm_frame_t *fa0[1] = {wasm_frame_copy(frames.data[0])};
  wasm_frame_vec_t fnew;
  wasm_frame_vec_new(&fnew, 1, fa0);
  CHECK(frames.size == CAIRN_MAX_BACKTRACE && wasm_frame_func_index(fcopy.data[3]) == 2 &&
            wasm_frame_func_offset(fnew.data[0]) == 1 &&
            wasm_frame_func_offset(fcopy.data[3]) == 1, /* at the call: after the locals byte */
        "a deep backtrace");
  wasm_trap_delete(trap);
  wasm_frame_vec_delete(&frames);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_store_delete(store); /* frames still hold it */
  CHECK(wasm_frame_instance(fcopy.data[0]) != NULL, "a frame's instance after the store's deletion");
  wasm_frame_vec_delete(&fcopy);
  wasm_frame_vec_delete(&fempty);
  wasm_frame_vec_delete(&funinit);
  CHECK(finalized == 10, "the store went before its last reference");
  wasm_module_t *mc = wasm_module_copy(module);
  wasm_module_delete(module);
  wasm_func_delete(f);
  wasm_module_delete(mc); /* its last reference: its host info finalizer runs */
  CHECK(finalized == 110, "the module's finalizer, and the store still there (%d)", finalized);
  wasm_frame_vec_delete(&fnew); /* the last: now the store goes, with its finalizers */
  CHECK(finalized == 110 + 5 * 100 + 3, "the store's finalizers ran (%d)", finalized);

  /* a shared module outlives everything but itself */
  wasm_module_t *om = example_module(other, "(module)");
  wasm_shared_module_t *sh = wasm_module_share(om);
  wasm_module_delete(om);
  wasm_func_delete(f_other);
  wasm_store_delete(other);
  wasm_store_t *s3 = wasm_store_new(engine);
  wasm_engine_delete(engine); /* the store keeps it */
  wasm_module_t *m3 = wasm_module_obtain(s3, sh);
  CHECK(m3 && !wasm_module_obtain(NULL, sh) && !wasm_module_obtain(s3, NULL), "obtain");
  wasm_shared_module_delete(sh);
  wasm_shared_module_delete(NULL);
  wasm_instance_t *i3 = wasm_instance_new(s3, m3, NULL, NULL);
  CHECK(i3, "instantiate an obtained module");
  wasm_instance_delete(i3);
  wasm_module_delete(m3);
  CHECK(!wasm_module_new(s3, NULL) && !wasm_module_share(NULL), "NULL modules");
  wasm_byte_vec_t empty = WASM_EMPTY_VEC;
  CHECK(!wasm_module_validate(s3, &empty) && !wasm_module_new(s3, &empty) &&
            !wasm_module_deserialize(s3, &empty) && !wasm_module_validate(s3, NULL), "empty bytes");
  wasm_store_delete(s3);
  wasm_store_delete(NULL);
  wasm_engine_delete(NULL);
  wasm_config_delete(NULL);
}

/* ---- wasi.h misuse ---- */

static void test_wasi(void) {
  CHECK(!wasi_env_new(NULL, wasi_config_new()), "an env without a store");
  CHECK(!wasi_config_set_argv(NULL, 0, NULL) && !wasi_config_set_env(NULL, 0, NULL, NULL) &&
            !wasi_config_set_stdout_file(NULL, "x") && !wasi_config_preopen_dir(NULL, "/", "/"),
        "NULL configs");
  wasi_config_delete(NULL);
  wasi_env_delete(NULL);
  CHECK(strcmp(wasi_env_error(NULL), "") == 0, "no env, no error");
  wasm_engine_t *e = wasm_engine_new();
  wasm_store_t *s = wasm_store_new(e);
  wasi_config_t *c = wasi_config_new();
  const char *argv[] = {"a", NULL};
  CHECK(!wasi_config_set_argv(c, 2, argv), "a NULL argument");
  CHECK(!wasi_config_set_stderr_file(c, "/nonexistent/x"), "a stderr file that cannot be made");
  wasi_env_t *env = wasi_env_new(s, c);
  wasm_module_t *m = example_module(s, "(module (import \"wasi_snapshot_preview1\" \"nope\" (func)))");
  wasm_extern_vec_t im;
  CHECK(!wasi_get_imports(s, env, m, &im) && im.size == 0, "an unknown WASI function");
  printf("capi: unknown WASI import: %s\n", wasi_env_error(env));
  wasm_module_delete(m);
  m = example_module(s, "(module)");
  wasm_instance_t *inst = wasm_instance_new(s, m, NULL, NULL);
  CHECK(!wasi_env_initialize_instance(env, s, inst), "an instance without memory");
  printf("capi: no memory: %s\n", wasi_env_error(env));
  wasm_store_delete(s); /* the env still holds it */
  wasm_instance_delete(inst);
  wasm_module_delete(m);
  wasi_env_delete(env);
  wasm_engine_delete(e);
}

int main(void) {
  test_types();
  test_runtime();
  test_wasi();
  printf("capi: ok\n");
  return 0;
}
