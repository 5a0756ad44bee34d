/*
** load_bench.c: times module loading through the public API and prints the
** throughput in MB/s (1 MB = 10^6 bytes).
**
**   load_bench [--validate] [--runs N] FILE.wasm|FILE.cwasm
**
** Default: cairn_module_new (decode, validate, compile for the interpreter)
** then cairn_module_free; --validate: cairn_module_validate only (decode and
** validate). A .cwasm (native tier) is loaded with cairn_module_from_cwasm
** (header and hash checks, decode of the module it holds and its facts,
** mapping and relocating its code) then freed; MB/s are then of the whole
** .cwasm file. Prints the best and the median of N runs (default 5). Exit 1 if
** the module is rejected. Not a ctest by itself: see tests/perf/README.md.
*/
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/cairn.h"

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 20, n = 0;
  unsigned char *buf = malloc(cap);
  size_t k;
  while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) {
      unsigned char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        buf = NULL;
      }
      buf = nb;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  int validateOnly = 0, runs = 5;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--validate") == 0)
      validateOnly = 1;
    else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      runs = atoi(argv[++i]);
    else
      path = argv[i];
  }
  if (!path || runs < 1 || runs > 1000) {
    fprintf(stderr, "usage: load_bench [--validate] [--runs N] FILE.wasm|FILE.cwasm\n");
    return 2;
  }
  size_t len;
  unsigned char *bytes = read_all(path, &len);
  if (!bytes) {
    fprintf(stderr, "load_bench: cannot read %s\n", path);
    return 2;
  }
  bool cwasm = cairn_is_cwasm(bytes, len);
  if (cwasm && validateOnly) {
    fprintf(stderr, "load_bench: --validate is for .wasm files\n");
    return 2;
  }
  double *t = malloc(sizeof(double) * (size_t)runs);
  for (int r = 0; r < runs; r++) {
    cairn_error err;
    memset(&err, 0, sizeof err);
    double t0 = now_sec();
    int ok;
    if (cwasm) {
      cairn_module *m = cairn_module_from_cwasm(bytes, len, &err);
      ok = m != NULL;
      cairn_module_free(m);
    } else if (validateOnly) {
      ok = cairn_module_validate(bytes, len, &err);
    } else {
      cairn_module *m = cairn_module_new(bytes, len, &err);
      ok = m != NULL;
      cairn_module_free(m);
    }
    t[r] = now_sec() - t0;
    if (!ok) {
      fprintf(stderr, "load_bench: %s: rejected at %ld: %s\n", path, (long)err.offset, err.msg);
      return 1;
    }
  }
  qsort(t, (size_t)runs, sizeof *t, cmp_double);
  double best = t[0], med = t[runs / 2];
  printf("%s: %zu bytes, %s: best %.3f ms (%.1f MB/s), median %.3f ms (%.1f MB/s), %d runs\n",
         path, len,
         cwasm ? "load .cwasm (checks+decode+map)"
               : validateOnly ? "decode+validate" : "decode+validate+compile",
         best * 1e3, len / best / 1e6, med * 1e3, len / med / 1e6, runs);
  free(t);
  free(bytes);
  return 0;
}
