/* Kernel: memory streaming. Three 1 Mi-element uint64 arrays (24 MiB) go
** through copy, scale, add and triad passes (STREAM-like, in integers so
** the result is exact); one unit is one round of the four passes. */
#include "bench.h"

#define N (1u << 20)

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 200);
  uint64_t *a = bench_alloc(N * sizeof *a), *b = bench_alloc(N * sizeof *b);
  uint64_t *c = bench_alloc(N * sizeof *c);
  for (uint32_t i = 0; i < N; i++) { a[i] = i * 2654435761u; b[i] = i; c[i] = 0; }
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint64_t k = (uint64_t)u * 2 + 3;
    for (uint32_t i = 0; i < N; i++) c[i] = a[i];
    for (uint32_t i = 0; i < N; i++) b[i] = k * c[i];
    for (uint32_t i = 0; i < N; i++) c[i] = a[i] + b[i];
    for (uint32_t i = 0; i < N; i++) a[i] = b[i] ^ (k * c[i] >> 7);
    h = mix64(h, a[u & (N - 1)] ^ c[(u * 7919u) & (N - 1)]);
  }
  uint64_t s = 0;
  for (uint32_t i = 0; i < N; i++) s += a[i] ^ b[i] ^ c[i];
  bench_result("memstream", mix64(h, s));
  free(a); free(b); free(c);
  return 0;
}
