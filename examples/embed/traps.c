/* traps.c: traps with their backtraces: a Wasm trap three calls deep (its
** origin and trace: function index, offsets, instance), a trap returned by a
** host callback through Wasm, and a trap in a start function. */
#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (import \"host\" \"fail\" (func $fail))\n"
    "  (func $inner (export \"inner\") (param i32) (result i32)\n"
    "    (i32.div_u (i32.const 1) (local.get 0)))\n"
    "  (func $middle (param i32) (result i32) (call $inner (local.get 0)))\n"
    "  (func (export \"outer\") (param i32) (result i32) (call $middle (local.get 0)))\n"
    "  (func (export \"via_host\") (call $fail)))\n";

static wasm_trap_t *fail_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "the host says no");
  wasm_trap_t *trap = wasm_trap_new((wasm_store_t *)env, &msg);
  wasm_name_delete(&msg);
  return trap;
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);
  wasm_functype_t *ft = wasm_functype_new_0_0();
  wasm_func_t *fail = wasm_func_new_with_env(store, ft, fail_cb, store, NULL);
  wasm_functype_delete(ft);
  wasm_extern_t *externs[] = {wasm_func_as_extern(fail)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance, "instantiation failed");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t *outer = wasm_extern_as_func(example_export(module, &exports, "outer"));
  const wasm_func_t *via_host = wasm_extern_as_func(example_export(module, &exports, "via_host"));

  wasm_val_t a[1] = {WASM_I32_VAL(0)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  wasm_trap_t *trap = wasm_func_call(outer, &args, &results);
  char buf[256];
  CHECK(trap, "outer(0) did not trap");
  printf("traps: outer(0): %s\n", example_trap_message(trap, buf, sizeof buf));
  CHECK(strcmp(buf, "integer divide by zero") == 0, "message %s", buf);

  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 3, "%zu frames (want 3)", trace.size);
  static const uint32_t want[] = {1, 2, 3}; /* inner, middle, outer (1 import first) */
  /* each at its instruction, counted from the function's code entry (its
  ** locals byte is 0): inner's i32.div_u after i32.const 1 and local.get 0,
  ** then the calls after a local.get */
  static const size_t wantOff[] = {5, 3, 3};
  for (size_t i = 0; i < trace.size; i++) {
    const wasm_frame_t *f = trace.data[i];
    printf("traps:   #%zu func %u, module offset 0x%zx, func offset %zu\n", i,
           wasm_frame_func_index(f), wasm_frame_module_offset(f), wasm_frame_func_offset(f));
    CHECK(wasm_frame_func_index(f) == want[i], "frame %zu: func %u", i, wasm_frame_func_index(f));
    CHECK(wasm_frame_func_offset(f) == wantOff[i], "frame %zu: func offset %zu", i,
          wasm_frame_func_offset(f));
    CHECK(wasm_frame_module_offset(f) > 0 && wasm_frame_instance(f) &&
              wasm_instance_same(wasm_frame_instance(f), instance),
          "frame %zu location", i);
  }
  CHECK(wasm_frame_module_offset(trace.data[0]) < wasm_frame_module_offset(trace.data[1]),
        "functions lie in module order");
  wasm_frame_t *origin = wasm_trap_origin(trap);
  wasm_frame_t *copy = wasm_frame_copy(origin);
  CHECK(origin && wasm_frame_func_index(copy) == 1 &&
            wasm_frame_module_offset(copy) == wasm_frame_module_offset(trace.data[0]),
        "origin is the innermost frame");
  wasm_frame_delete(origin);
  wasm_frame_delete(copy);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(via_host, &none, &none);
  CHECK(trap, "via_host did not trap");
  printf("traps: via_host: %s\n", example_trap_message(trap, buf, sizeof buf));
  CHECK(strcmp(buf, "the host says no") == 0, "message %s", buf);
  wasm_frame_t *o2 = wasm_trap_origin(trap);
  CHECK(o2 && wasm_frame_func_index(o2) == 4 && wasm_frame_func_offset(o2) == 1,
        "the host trap's origin is via_host, at its call");
  wasm_frame_delete(o2);
  wasm_trap_delete(trap);

  /* a trap in the start function fails instantiation with that trap */
  wasm_module_t *bad = example_module(store, "(module (func $s unreachable) (start $s))");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  CHECK(!wasm_instance_new(store, bad, &no_imports, &trap) && trap, "start did not trap");
  printf("traps: start: %s\n", example_trap_message(trap, buf, sizeof buf));
  CHECK(strcmp(buf, "unreachable") == 0, "message %s", buf);
  wasm_trap_delete(trap);
  wasm_module_delete(bad);
  printf("traps: ok\n");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(fail);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
