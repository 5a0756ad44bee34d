/*
** tierup.c: compiling "tier": "aot" functions to native code in the
** background while the interpreter serves them (tier-up).
**
** funcset_load starts one thread per function set that has aot functions.
** It holds a reference to the set, so the set outlives it even across a
** reload, and compiles the functions one after another through the native
** tier's cache (a reload of an unchanged module is a cache hit). Each
** native module is instantiated once as a check before it is published in
** ServeFunc.native; run threads pick it up for their next fresh instance
** (func_run). Shutdown asks the threads to stop after the module in hand
** and waits for them, so no compiler process outlives the server.
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"
#include "trust/sign.h"

/* Every compile thread of the process, for shutdown. */
static pthread_mutex_t tuMu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tuCond = PTHREAD_COND_INITIALIZER;
static int tuRunning;
static atomic_bool tuStop;

typedef struct TierUp {
  FuncSet *set;
  char *cacheDir;  /* owned, or NULL */
} TierUp;

/* Compiles f's module; publishes it if it instantiates. */
static void tierup_func(ServeFunc *f, const char *cacheDir) {
  cairn_error err;
  memset(&err, 0, sizeof err);
  uint64_t t0 = serve_now_ns();
  cairn_compile_options o;
  cairn_compile_options_init(&o);
  o.jobs = 1; /* the node keeps serving on the other cores */
  bool hit = false;
  /* an attested function compiles the bytes measured (and checked); a
  ** signed function's file is checked again: the bytes compiled are the
  ** bytes checked, whatever happened to the file since it was loaded */
  cairn_module *nat =
      f->attested ? trust_module_from_bytes(f->attested, f->nattested, true, &o, cacheDir, &hit,
                                            &err)
      : f->nsig_keys
          ? trust_load_module(f->conf.module, (const uint8_t(*)[32])f->sig_keys, f->nsig_keys,
                              true, &o, cacheDir, NULL, &err)
          : cairn_module_compile_file_cached(f->conf.module, &o, cacheDir, &hit, &err);
  if (!nat) goto fail;
  FuncSlot *trial = func_slot_new(f, nat, &err);
  if (!trial) {
    cairn_module_free(nat);
    goto fail;
  }
  func_slot_free(trial);
  atomic_store_explicit(&f->native, nat, memory_order_release);
  atomic_store(&f->metrics->tier, 1);
  fprintf(stderr, "cairn serve: function %s: native code ready (%s, %.0f ms)\n", f->conf.name,
          hit ? "from the cache" : "compiled", (double)(serve_now_ns() - t0) / 1e6);
  return;
fail:
  fprintf(stderr,
          "cairn serve: function %s: no native code, the interpreter keeps serving it: %s\n",
          f->conf.name, err.msg);
}

static void *tierup_main(void *arg) {
  TierUp *tu = arg;
  FuncSet *set = tu->set;
  for (size_t i = 0; i < set->nfuncs && !atomic_load(&tuStop); i++) {
    ServeFunc *f = &set->funcs[i];
    if (f->conf.aot && !atomic_load(&f->native) &&
        strcmp(cairn_module_tier(f->module), "native") != 0)
      tierup_func(f, tu->cacheDir);
  }
  if (atomic_fetch_sub(&set->refs, 1) == 1) funcset_free(set);
  free(tu->cacheDir);
  free(tu);
  pthread_mutex_lock(&tuMu);
  tuRunning--;
  pthread_cond_broadcast(&tuCond);
  pthread_mutex_unlock(&tuMu);
  return NULL;
}

void tierup_start(FuncSet *set, const char *cacheDir) {
  bool any = false;
  for (size_t i = 0; i < set->nfuncs; i++)
    if (set->funcs[i].conf.aot && strcmp(cairn_module_tier(set->funcs[i].module), "native") != 0)
      any = true;
  if (!any || atomic_load(&tuStop)) return;
  TierUp *tu = calloc(1, sizeof *tu);
  if (!tu || (cacheDir && !(tu->cacheDir = strdup(cacheDir)))) {
    free(tu);
    fprintf(stderr, "cairn serve: out of memory starting the native compiler thread\n");
    return;
  }
  tu->set = set;
  atomic_fetch_add(&set->refs, 1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t th;
  pthread_mutex_lock(&tuMu);
  if (pthread_create(&th, &attr, tierup_main, tu) == 0) {
    tuRunning++;
  } else {
    atomic_fetch_sub(&set->refs, 1); /* the caller still holds one */
    free(tu->cacheDir);
    free(tu);
    fprintf(stderr, "cairn serve: cannot start the native compiler thread\n");
  }
  pthread_mutex_unlock(&tuMu);
  pthread_attr_destroy(&attr);
}

void tierup_shutdown(void) {
  atomic_store(&tuStop, true);
  pthread_mutex_lock(&tuMu);
  while (tuRunning > 0) pthread_cond_wait(&tuCond, &tuMu);
  pthread_mutex_unlock(&tuMu);
}
