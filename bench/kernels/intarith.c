/* Kernel: integer arithmetic. Collatz chain lengths (64-bit shifts, adds,
** branches), Euclid's gcd (32-bit remainder) and a 64-bit multiply /
** divide / modulo mix. One unit covers 4000 consecutive start values. */
#include "bench.h"

static uint32_t collatz_len(uint64_t n) {
  uint32_t len = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n >> 1;
    len++;
  }
  return len;
}

static uint32_t gcd32(uint32_t a, uint32_t b) {
  while (b) { uint32_t t = a % b; a = b; b = t; }
  return a;
}

static uint64_t muldiv(uint64_t x, uint32_t rounds) {
  uint64_t acc = 0;
  for (uint32_t i = 0; i < rounds; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t d = (x >> 40) | 1;
    acc += (x / d) ^ (x % 1000003u) ^ ((uint32_t)x / ((uint32_t)(x >> 50) | 1u));
  }
  return acc;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 500);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint64_t base = 1 + (uint64_t)u * 4000;
    for (uint64_t n = base; n < base + 4000; n++) {
      uint32_t c = collatz_len(n);
      uint32_t g = gcd32((uint32_t)(n * 2654435761u), (uint32_t)(n * 40503u + 7));
      h = mix64(h, ((uint64_t)c << 32) | g);
    }
    h = mix64(h, muldiv(h, 20000));
  }
  bench_result("intarith", h);
  return 0;
}
