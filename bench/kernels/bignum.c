/* Kernel: multi-precision arithmetic. Factorials in base 10^9 limbs
** (64-bit multiply, divide and modulo by constants) and a long-division
** expansion of e = sum 1/k! to many digits (spigot of our own). One unit is
** 800! plus 3000 digits of e. */
#include "bench.h"

#define BASE 1000000000u

static uint32_t factorial(uint32_t *limb, uint32_t cap, uint32_t n) {
  uint32_t len = 1;
  limb[0] = 1;
  for (uint32_t k = 2; k <= n; k++) {
    uint64_t carry = 0;
    for (uint32_t i = 0; i < len; i++) {
      uint64_t v = (uint64_t)limb[i] * k + carry;
      limb[i] = (uint32_t)(v % BASE);
      carry = v / BASE;
    }
    while (carry && len < cap) { limb[len++] = (uint32_t)(carry % BASE); carry /= BASE; }
  }
  return len;
}

/* Digits of e by the mixed-radix spigot: e - 2 = sum over k >= 2 of 1/k!. */
static uint64_t e_digits(uint32_t ndig, uint32_t *a) {
  uint32_t nterm = ndig + 10;   /* enough terms: k! outgrows 10^ndig */
  for (uint32_t i = 0; i < nterm; i++) a[i] = 1;
  uint64_t h = 0;
  for (uint32_t d = 0; d < ndig; d++) {
    uint32_t carry = 0;
    for (uint32_t i = nterm - 1; i >= 1; i--) {
      uint32_t x = a[i] * 10 + carry;
      a[i] = x % (i + 1);
      carry = x / (i + 1);
    }
    h = h * 31 + carry;
  }
  return h;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 220);
  uint32_t *limb = bench_alloc(4096 * 4), *a = bench_alloc(8192 * 4);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t len = factorial(limb, 4096, 800 + (uint32_t)(u & 15));
    for (uint32_t i = 0; i < len; i += 17) h = mix64(h, limb[i]);
    h = mix64(h, len);
    h = mix64(h, e_digits(1000 + (uint32_t)(u & 7), a));
  }
  bench_result("bignum", h);
  free(limb); free(a);
  return 0;
}
