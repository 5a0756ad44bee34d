/* threads.c: one module compiled once and shared between 8 threads
** (wasm_module_share / wasm_module_obtain), each with its own store,
** instance and host function, all running at the same time. */
#include <pthread.h>

#include "example.h"

#define NTHREADS 8
#define NCALLS 200

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"id\" (func $id (result i32)))\n"
    "  (memory 1)\n"
    "  (func (export \"work\") (param i32) (result i32) (local i32 i32)\n"
    "    (loop $l\n"
    "      (local.set 2 (i32.add (local.get 2) (i32.mul (local.get 1) (call $id))))\n"
    "      (i32.store (i32.const 0) (local.get 2))\n"
    "      (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))\n"
    "    (i32.load (i32.const 0))))\n";

typedef struct Job {
  wasm_engine_t *engine;
  const wasm_shared_module_t *shared;
  int id;
  int ok;
} Job;

static wasm_trap_t *id_cb(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = ((Job *)env)->id;
  return NULL;
}

static void *run(void *arg) {
  Job *job = arg;
  wasm_store_t *store = wasm_store_new(job->engine);
  wasm_module_t *module = wasm_module_obtain(store, job->shared);
  CHECK(module, "obtain");
  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *id = wasm_func_new_with_env(store, ft, id_cb, job, NULL);
  wasm_functype_delete(ft);
  wasm_extern_t *externs[] = {wasm_func_as_extern(id)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  for (int round = 0; round < 4; round++) {
    wasm_instance_t *inst = wasm_instance_new(store, module, &imports, NULL);
    CHECK(inst, "thread %d: instantiate", job->id);
    wasm_extern_vec_t exports;
    wasm_instance_exports(inst, &exports);
    const wasm_func_t *work = wasm_extern_as_func(example_export(module, &exports, "work"));
    for (int i = 0; i < NCALLS; i++) {
      wasm_val_t a[1] = {WASM_I32_VAL(100)}, r[1] = {WASM_INIT_VAL};
      wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
      wasm_trap_t *trap = wasm_func_call(work, &args, &results);
      CHECK(!trap, "thread %d: trap", job->id);
      /* sum of k * id for k < 100 */
      if (r[0].of.i32 == 4950 * job->id) job->ok++;
    }
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(inst);
  }
  wasm_func_delete(id);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

int main(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);
  wasm_shared_module_t *shared = wasm_module_share(module);
  wasm_module_delete(module);
  wasm_store_delete(store); /* the shared module outlives the store it came from */

  pthread_t th[NTHREADS];
  Job jobs[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    jobs[i] = (Job){engine, shared, i + 1, 0};
    CHECK(pthread_create(&th[i], NULL, run, &jobs[i]) == 0, "pthread_create");
  }
  int total = 0;
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    total += jobs[i].ok;
  }
  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  CHECK(total == NTHREADS * 4 * NCALLS, "%d of %d calls right", total, NTHREADS * 4 * NCALLS);
  printf("threads: %d threads x 4 instances x %d calls of one shared module: ok\n", NTHREADS,
         NCALLS);
  return 0;
}
