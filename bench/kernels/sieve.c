/* Kernel: sieve of Eratosthenes on a bit array (odd numbers only) up to
** 4 Mi, counting primes and summing a sample. One unit is one sieve. */
#include "bench.h"

#define LIMIT (4u * 1024u * 1024u)

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 110);
  uint32_t nbits = LIMIT / 2, nwords = nbits / 32 + 1;
  uint32_t *bits = bench_alloc(nwords * 4);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t limit = LIMIT - (uint32_t)u * 2;   /* bit i stands for 2i+1 */
    uint32_t nb = limit / 2;
    memset(bits, 0, nwords * 4);
    for (uint32_t i = 1; (2 * i + 1) * (2 * i + 1) < limit; i++) {
      if (bits[i >> 5] & (1u << (i & 31))) continue;
      uint32_t p = 2 * i + 1;
      for (uint32_t j = (p * p) / 2; j < nb; j += p) bits[j >> 5] |= 1u << (j & 31);
    }
    uint32_t count = 1;
    uint64_t sum = 2;
    for (uint32_t i = 1; i < nb; i++)
      if (!(bits[i >> 5] & (1u << (i & 31)))) { count++; if ((i & 1023) == 1) sum += 2 * i + 1; }
    h = mix64(h, ((uint64_t)count << 32) ^ sum);
  }
  bench_result("sieve", h);
  free(bits);
  return 0;
}
