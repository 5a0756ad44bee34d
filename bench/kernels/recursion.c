/* Kernel: deep recursion. Naive Fibonacci (many shallow calls), Ackermann
** A(2,n) / A(3,7) (deep, irregular) and a 3000-deep recursive descent with
** work on the way down and up. One unit is one of each. Depth stays under
** 5000 so every runtime's default call stack holds it. */
#include "bench.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static uint64_t descend(uint32_t depth, uint64_t x) {
  if (depth == 0) return x;
  uint64_t y = descend(depth - 1, x * 31 + depth);
  return (y ^ (y >> 13)) + depth;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 1000);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    h = mix64(h, fib(24 + (u & 1)));
    h = mix64(h, ack(3, 7));
    h = mix64(h, ack(2, 200 + (u & 7)));
    for (int k = 0; k < 16; k++) h = mix64(h, descend(3000 + (uint32_t)k, h));
  }
  bench_result("recursion", h);
  return 0;
}
