/*
** bench_instantiate.c: in-process microbenchmark of what `cairn serve` pays
** per request to get a fresh instance of a WASI module (default: hello):
**   full     - cairn_store_new + cairn_wasi_new + imports + cairn_instance_new
**              (+ freeing all of it), i.e. instantiation from the compiled module;
**   restore  - cairn_snapshot_restore + cairn_wasi_reset (what serve does);
**   run      - restore + running _start with memory stdio (a whole request
**              minus HTTP).
** Usage: bench_instantiate MODULE.wasm|MODULE.cwasm [ITERATIONS]. Prints
** microseconds per op. A .cwasm (cairn compile) measures the native tier:
** the same operations with the module's functions as native code.
** Also checks that restored runs give the same output as the first run.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *const kEnv[] = {
    "REQUEST_METHOD=GET", "PATH_INFO=/", "QUERY_STRING=", "SERVER_NAME=127.0.0.1",
    "SERVER_PORT=8080", "SERVER_PROTOCOL=HTTP/1.1", "GATEWAY_INTERFACE=CGI/1.1",
    "SCRIPT_NAME=/hello", "X_FULL_URL=http://127.0.0.1:8080/hello", "HTTP_HOST=127.0.0.1:8080",
    "HTTP_USER_AGENT=bench", "HTTP_ACCEPT=*/*", "REMOTE_ADDR=127.0.0.1", "CONTENT_LENGTH=0"};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_instantiate MODULE.wasm [ITERATIONS]\n");
    return 2;
  }
  int iters = argc > 2 ? atoi(argv[2]) : 20000;
  cairn_error err;
  cairn_module *m = NULL;
  FILE *fm = fopen(argv[1], "rb");
  uint8_t head[8];
  bool cw = fm && fread(head, 1, sizeof head, fm) == sizeof head && cairn_is_cwasm(head, sizeof head);
  if (cw) {
    /* the whole .cwasm in memory, as cairn run and serve load it */
    fseek(fm, 0, SEEK_END);
    long n = ftell(fm);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    rewind(fm);
    if (buf && fread(buf, 1, (size_t)n, fm) == (size_t)n) m = cairn_module_from_cwasm(buf, (size_t)n, &err);
    else snprintf(err.msg, sizeof err.msg, "cannot read %s", argv[1]);
    free(buf);
  } else {
    m = cairn_module_from_file(argv[1], &err);
  }
  if (fm) fclose(fm);
  if (!m) {
    fprintf(stderr, "bench: %s\n", err.msg);
    return 1;
  }
  size_t nimp = cairn_module_import_count(m);
  cairn_extern *imports = calloc(nimp ? nimp : 1, sizeof *imports);
  int pfd[2];
  if (pipe(pfd) != 0) return 1;
  const char *av[] = {"fn"};
  cairn_wasi_config wc;
  cairn_wasi_config_init(&wc);
  wc.argc = 1;
  wc.argv = av;
  wc.envc = sizeof kEnv / sizeof kEnv[0];
  wc.env = kEnv;
  wc.stdio[0] = wc.stdio[1] = wc.stdio[2] = pfd[0];

  /* full instantiation */
  double t0 = now_us();
  int nfull = iters / 10 ? iters / 10 : 1;
  for (int i = 0; i < nfull; i++) {
    cairn_store *s = cairn_store_new(NULL);
    cairn_wasi *w = cairn_wasi_new(s, &wc, &err);
    if (!w || !cairn_wasi_define_imports(w, m, imports, NULL, &err)) goto fail;
    cairn_instance *inst = cairn_instance_new(s, m, imports, nimp, &err);
    if (!inst || !cairn_wasi_bind_instance(w, inst, &err)) goto fail;
    cairn_wasi_free(w);
    cairn_store_free(s);
  }
  double full = (now_us() - t0) / nfull;

  /* one slot, as serve keeps per worker */
  cairn_store *s = cairn_store_new(NULL);
  cairn_wasi *w = cairn_wasi_new(s, &wc, &err);
  cairn_wasi_memio io;
  memset(&io, 0, sizeof io);
  if (!w || !cairn_wasi_define_imports_memio(w, m, imports, &io, &err)) goto fail;
  cairn_instance *inst = cairn_instance_new(s, m, imports, nimp, &err);
  if (!inst || !cairn_wasi_bind_instance(w, inst, &err)) goto fail;
  cairn_snapshot *snap = cairn_snapshot_new(inst, &err);
  if (!snap) goto fail;
  cairn_extern start;
  if (!cairn_instance_export(inst, "_start", 6, &start)) {
    fprintf(stderr, "bench: no _start\n");
    return 1;
  }
  t0 = now_us();
  for (int i = 0; i < iters; i++) {
    if (!cairn_snapshot_restore(snap, &err) || !cairn_wasi_reset(w, &wc, &err)) goto fail;
  }
  double restore = (now_us() - t0) / iters;

  size_t first_len = 0;
  char first[256] = "";
  t0 = now_us();
  for (int i = 0; i < iters; i++) {
    if (!cairn_snapshot_restore(snap, &err) || !cairn_wasi_reset(w, &wc, &err)) goto fail;
    io.out.len = 0;
    io.in_pos = 0;
    if (!cairn_func_call(start.of.func, NULL, 0, NULL, 0, &err) &&
        !(err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_EXIT && err.exit_code == 0))
      goto fail;
    if (i == 0) {
      first_len = io.out.len < sizeof first - 1 ? io.out.len : sizeof first - 1;
      memcpy(first, io.out.data, first_len);
    } else if (io.out.len != first_len || memcmp(io.out.data, first, first_len) != 0) {
      fprintf(stderr, "bench: run %d gave different output\n", i);
      return 1;
    }
  }
  double run = (now_us() - t0) / iters;
  printf("module %s (tier %s): image %zu bytes\n", argv[1], cairn_module_tier(m),
         cairn_snapshot_image_bytes(snap));
  printf("full instantiation (store+wasi+instance, freed): %.2f us (%d runs)\n", full, nfull);
  printf("snapshot restore + wasi reset:                 %.2f us (%d runs)\n", restore, iters);
  printf("restore + _start (whole function call):        %.2f us (%d runs)\n", run, iters);
  printf("output of every run identical (%zu bytes)\n", first_len);
  cairn_snapshot_free(snap);
  cairn_wasi_free(w);
  cairn_store_free(s);
  free(io.out.data);
  free(io.err.data);
  free(imports);
  cairn_module_free(m);
  return 0;
fail:
  fprintf(stderr, "bench: %s\n", err.msg);
  return 1;
}
