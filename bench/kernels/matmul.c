/* Kernel: dense matrix multiply. C = A * B on 128x128 doubles with the
** i-k-j loop order (row streaming), then B is replaced by C scaled back
** into range so the next product differs. One unit is one product. */
#include "bench.h"

#define N 128

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 1100);
  double *a = bench_alloc(N * N * sizeof(double)), *b = bench_alloc(N * N * sizeof(double));
  double *c = bench_alloc(N * N * sizeof(double));
  Rng r = {555};
  for (int i = 0; i < N * N; i++) {
    a[i] = (double)rng_below(&r, 2001) / 1000.0 - 1.0;
    b[i] = (double)rng_below(&r, 2001) / 1000.0 - 1.0;
  }
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    for (int i = 0; i < N * N; i++) c[i] = 0.0;
    for (int i = 0; i < N; i++)
      for (int k = 0; k < N; k++) {
        double aik = a[i * N + k];
        double *ci = c + i * N;
        const double *bk = b + k * N;
        for (int j = 0; j < N; j++) ci[j] += aik * bk[j];
      }
    double mx = 0.0;
    for (int i = 0; i < N * N; i++) { double v = c[i] < 0 ? -c[i] : c[i]; if (v > mx) mx = v; }
    double inv = mx > 0 ? 1.0 / mx : 1.0;
    for (int i = 0; i < N * N; i++) b[i] = c[i] * inv;
    uint64_t bits;
    memcpy(&bits, &c[(u * 131) % (N * N)], 8);
    h = mix64(h, bits);
  }
  printf("c[0] = %.12f\n", c[0]);
  bench_result("matmul", h);
  free(a); free(b); free(c);
  return 0;
}
