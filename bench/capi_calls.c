/* capi_calls.c: the cost of a call through the standard C API (wasm.h)
** beside the same call through cairn.h, in one run:
**   host -> Wasm: a no-op export called N times (wasm_func_call against
**                 cairn_func_call);
**   Wasm -> host: a Wasm loop calling an imported no-op host function N
**                 times (a wasm.h callback against a cairn_host_fn).
** Usage: capi_calls [N] (default 2000000). Prints ns per call. */
#include <cairn/wasm_interop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasm.h>

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"h\" (func $h (param i32) (result i32)))\n"
    "  (func (export \"nop\"))\n"
    "  (func (export \"loop\") (param $n i32) (result i32) (local $acc i32)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.eqz (local.get $n)))\n"
    "      (local.set $acc (i32.add (local.get $acc) (call $h (local.get $n))))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $acc)))\n";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static wasm_trap_t *h_wasm(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 & 1;
  return NULL;
}

static bool h_cairn(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  (void)env;
  (void)trap;
  results[0].of.i32 = args[0].of.i32 & 1;
  return true;
}

static void die(const char *what) {
  fprintf(stderr, "capi_calls: %s failed\n", what);
  exit(1);
}

/* One instance of the module with host function h as its import. */
static wasm_instance_t *instantiate(wasm_store_t *store, wasm_module_t *module, wasm_extern_t *h,
                                    wasm_extern_vec_t *exports) {
  wasm_extern_t *ims[1] = {h};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(ims);
  wasm_instance_t *inst = wasm_instance_new(store, module, &imports, NULL);
  if (!inst) die("instantiate");
  wasm_instance_exports(inst, exports);
  return inst;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  if (n <= 0 || n > 1000000000) die("N (1..1e9)");
  uint8_t *bin;
  size_t len;
  cairn_error err;
  if (!cairn_wat_to_wasm(kWat, strlen(kWat), &bin, &len, &err)) die("text");
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, len, (const wasm_byte_t *)bin);
  cairn_free(bin);

  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = wasm_module_new(store, &binary);
  if (!module) die("module");
  wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *hw = wasm_func_new(store, ft, h_wasm);
  wasm_functype_delete(ft);
  static const cairn_valtype p[] = {CAIRN_I32}, r[] = {CAIRN_I32};
  cairn_functype cft = {1, 1, p, r};
  cairn_extern hc = {.kind = CAIRN_EXTERN_FUNC,
                     .of.func = cairn_func_new(cairn_wasm_store(store), &cft, h_cairn, NULL)};
  wasm_extern_t *hce = cairn_wasm_extern_new(store, &hc);
  wasm_extern_vec_t exw, exc;
  wasm_instance_t *iw = instantiate(store, module, wasm_func_as_extern(hw), &exw);
  wasm_instance_t *ic = instantiate(store, module, hce, &exc);

  /* host -> Wasm */
  const wasm_func_t *nop = wasm_extern_as_func(exw.data[0]);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  double t0 = now();
  for (long i = 0; i < n; i++)
    if (wasm_func_call(nop, &none, &none)) die("wasm_func_call");
  double t_in_wasm = now() - t0;
  cairn_extern nopc;
  cairn_wasm_extern(exw.data[0], &nopc);
  t0 = now();
  for (long i = 0; i < n; i++)
    if (!cairn_func_call(nopc.of.func, NULL, 0, NULL, 0, &err)) die("cairn_func_call");
  double t_in_cairn = now() - t0;

  /* Wasm -> host */
  wasm_val_t a[1] = {WASM_I32_VAL((int32_t)n)}, res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(res);
  t0 = now();
  if (wasm_func_call(wasm_extern_as_func(exw.data[1]), &args, &results)) die("loop (wasm.h)");
  double t_out_wasm = now() - t0;
  int32_t sum_w = res[0].of.i32;
  t0 = now();
  if (wasm_func_call(wasm_extern_as_func(exc.data[1]), &args, &results)) die("loop (cairn.h)");
  double t_out_cairn = now() - t0;
  if (res[0].of.i32 != sum_w || sum_w != (int32_t)((n + 1) / 2)) die("the loops' sums");

  printf("calls: %ld each (one run)\n", n);
  printf("%-34s %10s %10s\n", "", "wasm.h", "cairn.h");
  printf("%-34s %10.1f %10.1f  ns/call\n", "host -> Wasm (no-op export)", t_in_wasm * 1e9 / n,
         t_in_cairn * 1e9 / n);
  printf("%-34s %10.1f %10.1f  ns/call\n", "Wasm -> host (no-op import)", t_out_wasm * 1e9 / n,
         t_out_cairn * 1e9 / n);

  wasm_extern_vec_delete(&exw);
  wasm_extern_vec_delete(&exc);
  wasm_instance_delete(iw);
  wasm_instance_delete(ic);
  wasm_extern_delete(hce);
  wasm_func_delete(hw);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&binary);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
