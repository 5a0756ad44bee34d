/* Kernel: floating point, n-body style. 40 bodies with pseudo-random masses
** and positions interact by gravity (O(n^2) per step, sqrt and divides),
** integrated with a fixed step. One unit is 10 steps. Only + - * / sqrt are
** used, so the result is bit-identical on every IEEE-754 target. */
#include <math.h>
#include "bench.h"

#define NB 40

typedef struct { double x, y, z, vx, vy, vz, m; } Body;

static void step(Body *b, int n, double dt) {
  for (int i = 0; i < n; i++) {
    for (int j = i + 1; j < n; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      double d2 = dx * dx + dy * dy + dz * dz + 0.01;
      double mag = dt / (d2 * sqrt(d2));
      double mi = b[i].m * mag, mj = b[j].m * mag;
      b[i].vx -= dx * mj; b[i].vy -= dy * mj; b[i].vz -= dz * mj;
      b[j].vx += dx * mi; b[j].vy += dy * mi; b[j].vz += dz * mi;
    }
  }
  for (int i = 0; i < n; i++) {
    b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz;
  }
}

static double energy(const Body *b, int n) {
  double e = 0;
  for (int i = 0; i < n; i++) {
    e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
    for (int j = i + 1; j < n; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      e -= b[i].m * b[j].m / sqrt(dx * dx + dy * dy + dz * dz + 0.01);
    }
  }
  return e;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 1300);
  Body b[NB];
  Rng r = {0x1234567ULL};
  for (int i = 0; i < NB; i++) {
    b[i].x = (double)rng_below(&r, 2000) / 100.0 - 10.0;
    b[i].y = (double)rng_below(&r, 2000) / 100.0 - 10.0;
    b[i].z = (double)rng_below(&r, 2000) / 100.0 - 10.0;
    b[i].vx = (double)rng_below(&r, 200) / 1000.0 - 0.1;
    b[i].vy = (double)rng_below(&r, 200) / 1000.0 - 0.1;
    b[i].vz = (double)rng_below(&r, 200) / 1000.0 - 0.1;
    b[i].m = 0.1 + (double)rng_below(&r, 1000) / 1000.0;
  }
  double e0 = energy(b, NB);
  for (int u = 0; u < scale; u++)
    for (int s = 0; s < 100; s++) step(b, NB, 0.001);
  double e1 = energy(b, NB);
  uint64_t h = 0, bits;
  for (int i = 0; i < NB; i++) {
    memcpy(&bits, &b[i].x, 8); h = mix64(h, bits);
    memcpy(&bits, &b[i].vy, 8); h = mix64(h, bits);
  }
  printf("energy %.9f -> %.9f\n", e0, e1);
  bench_result("nbody", h);
  return 0;
}
